//! The UES web app: open the page and a full node runs in the tab — keys,
//! a signed AT Protocol repo, indexes, CAR import/export — over IndexedDB.
//!
//! Leptos, client-side rendered, built with cargo + wasm-bindgen (see
//! `scripts/build-web.sh`). The node (`ues_node::Node`) lives in this
//! thread behind an async mutex ([`node`]); views call it through
//! [`with_node`] and render what it returns.

#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
mod feed;
#[cfg(target_arch = "wasm32")]
mod node;
#[cfg(target_arch = "wasm32")]
mod profile;
#[cfg(target_arch = "wasm32")]
mod social;
#[cfg(target_arch = "wasm32")]
mod sync;
#[cfg(target_arch = "wasm32")]
mod thread;
#[cfg(target_arch = "wasm32")]
mod views;

/// Mounts the app on the page's body.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    leptos::mount::mount_to_body(app::App);
}
