//! [`Http`] over the host's global `fetch`: one implementation for every JS
//! host (pages, Web Workers, Node.js, workerd), which all have it.

use crate::relay::Http;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    /// The global `fetch` (not `window.fetch`: workers have no window).
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(req: &web_sys::Request) -> js_sys::Promise;
}

/// `fetch`-backed HTTP.
#[derive(Debug, Default, Clone, Copy)]
pub struct FetchHttp;

fn text(e: JsValue) -> String {
    e.as_string()
        .or_else(|| {
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| format!("{e:?}"))
}

impl Http for FetchHttp {
    async fn send(
        &self,
        method: &str,
        url: &str,
        content_type: Option<&str>,
        bearer: Option<&str>,
        body: Option<Vec<u8>>,
    ) -> Result<(u16, Vec<u8>), String> {
        let init = web_sys::RequestInit::new();
        init.set_method(method);
        let headers = web_sys::Headers::new().map_err(text)?;
        if let Some(ct) = content_type {
            headers.set("content-type", ct).map_err(text)?;
        }
        if let Some(t) = bearer {
            headers
                .set("authorization", &format!("Bearer {t}"))
                .map_err(text)?;
        }
        init.set_headers(&headers);
        if let Some(b) = body {
            init.set_body(&js_sys::Uint8Array::from(&b[..]));
        }
        let req = web_sys::Request::new_with_str_and_init(url, &init).map_err(text)?;
        let resp: web_sys::Response = JsFuture::from(global_fetch(&req))
            .await
            .map_err(text)?
            .dyn_into()
            .map_err(text)?;
        let buf = JsFuture::from(resp.array_buffer().map_err(text)?)
            .await
            .map_err(text)?;
        Ok((resp.status(), js_sys::Uint8Array::new(&buf).to_vec()))
    }
}
