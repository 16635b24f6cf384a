//! The shared test vectors, embedded at build time (see `build.rs`).
//!
//! Paths are relative to the fixtures root, with `/` separators, e.g.
//! `atproto-interop-tests/data-model/data-model-valid.json` or
//! `mst-test-suite/tests/diff/exhaustive/exhaustive_009_013.json`.

include!(concat!(env!("OUT_DIR"), "/files.rs"));

/// The bytes of one fixture file; panics with the path if it is missing,
/// because a test that silently finds no fixture proves nothing.
pub fn bytes(path: &str) -> &'static [u8] {
    FILES
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, b)| *b)
        .unwrap_or_else(|| panic!("fixture {path} not found"))
}

/// One fixture file as UTF-8 text.
pub fn text(path: &str) -> &'static str {
    std::str::from_utf8(bytes(path)).unwrap_or_else(|e| panic!("fixture {path}: {e}"))
}

/// Every fixture under `dir` (a path prefix, e.g. `mst-test-suite/tests/`)
/// whose name ends with `suffix`, in path order. Panics when none match.
pub fn list(dir: &str, suffix: &str) -> Vec<(&'static str, &'static [u8])> {
    let v: Vec<_> = FILES
        .iter()
        .filter(|(p, _)| p.starts_with(dir) && p.ends_with(suffix))
        .map(|(p, b)| (*p, *b))
        .collect();
    assert!(!v.is_empty(), "no fixtures under {dir} ending in {suffix}");
    v
}

/// The non-empty, non-comment lines of a syntax fixture (`# ...` lines are
/// comments in atproto-interop-tests/syntax/*.txt).
pub fn lines(path: &str) -> Vec<&'static str> {
    text(path)
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

#[doc(hidden)]
pub use futures::executor::block_on;

/// Declares an async test that runs on both hosts: natively with a blocking
/// executor, and as an async `wasm_bindgen_test` in the browser (the calling
/// crate has `wasm-bindgen-test` as a wasm32 dev-dependency).
///
/// ```ignore
/// async fn body() { /* ... */ }
/// ues_fixtures::async_test!(my_test, body());
/// ```
#[macro_export]
macro_rules! async_test {
    ($name:ident, $body:expr) => {
        #[cfg(not(target_arch = "wasm32"))]
        #[test]
        fn $name() {
            $crate::block_on($body);
        }
        #[cfg(target_arch = "wasm32")]
        #[wasm_bindgen_test::wasm_bindgen_test]
        async fn $name() {
            $body.await;
        }
    };
}
