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
