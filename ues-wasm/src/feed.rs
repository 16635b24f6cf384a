//! The social feed's rich-text facet detector for JS (the differential
//! test against `@atproto/api`, tests/interop/facets.test.mjs).

use wasm_bindgen::prelude::*;

/// The facets of `text` as a JSON array string (`[{index: {byteStart,
/// byteEnd}, features: [{$type, did | uri | tag}]}]`), sorted by
/// `byteStart`, mentions unresolved (`did` holds the handle), as
/// `RichText.detectFacetsWithoutResolution()` leaves them.
#[wasm_bindgen(js_name = detectFacets)]
pub fn detect_facets(text: &str) -> String {
    ues_apps::feed::facets_to_json(&ues_apps::feed::detect_facets(text)).to_string()
}

/// An `app.bsky.feed.post` record as ues-apps builds it, as a JSON string:
/// `text` with its facets detected, mentions resolved through `handles`
/// (a JSON object handle → DID; unknown handles are dropped, as the
/// reference drops unresolved mentions), a reply to `reply` (`{root,
/// parent}` strong refs) when given. For the interop test that the records
/// UES writes are records `@atproto/api` accepts.
#[wasm_bindgen(js_name = buildPost)]
pub fn build_post(
    text: &str,
    created_at: &str,
    handles: &str,
    reply: Option<String>,
) -> Result<String, JsError> {
    use ues_apps::feed::records::{PostBuilder, StrongRef};
    let handles: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(handles).map_err(|e| JsError::new(&format!("handles: {e}")))?;
    let resolve = |h: &str| handles.get(h).and_then(|d| d.as_str()).map(str::to_string);
    let mut post = PostBuilder::new(text, created_at).detect_facets(&resolve);
    if let Some(r) = reply {
        let v: serde_json::Value =
            serde_json::from_str(&r).map_err(|e| JsError::new(&format!("reply: {e}")))?;
        let strong = |k: &str| -> Result<StrongRef, JsError> {
            match (v[k]["uri"].as_str(), v[k]["cid"].as_str()) {
                (Some(u), Some(c)) => Ok(StrongRef::new(u, c)),
                _ => Err(JsError::new(&format!("reply.{k} needs uri and cid"))),
            }
        };
        post = post.reply(strong("root")?, strong("parent")?);
    }
    // Built as IPLD too: the same checks the node applies before writing.
    post.build().map_err(|e| JsError::new(&e.to_string()))?;
    Ok(post.to_json().to_string())
}
