//! The storage conformance suite of `ues-store`, run on [`DoStore`] inside
//! workerd. Reached only through the test route `/_test/conformance`, which
//! the worker serves when the `UES_EDGE_TEST_ROUTES` var is `"1"` (set in
//! the tests' wrangler config, never in `wrangler.toml`).

use crate::http::{internal, ok, XResult};
use crate::repo_do::RepoObject;
use crate::store::DoStore;
use serde_json::json;
use std::rc::Rc;
use ues_store::conformance::{check_all, ManualClock};
use worker::Response;

pub async fn run(obj: &RepoObject) -> XResult<Response> {
    let mut salt = [0u8; 6];
    ues_identity::keys::random_bytes(&mut salt).map_err(internal)?;
    let prefix = format!("conf_{}_", data_encoding::HEXLOWER.encode(&salt));
    let clock = ManualClock::default();
    let store: DoStore = obj.store_with_clock(&prefix, Rc::new(clock.clone()))?;
    let t0 = js_sys::Date::now();
    let checks = check_all(&store, &clock).await;
    let ms = js_sys::Date::now() - t0;
    let keys = store.key_count()?;
    obj.drop_tables(&prefix)?;
    ok(&json!({ "checks": checks, "ms": ms, "keysLeft": keys, "prefix": prefix }))
}
