//! The facet detector against the expectations recorded from
//! `@atproto/api`'s `RichText.detectFacetsWithoutResolution()`
//! (tests/data/facets-corpus.json, written by scripts/facets-corpus.mjs).

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use serde_json::{json, Value};
use ues_apps::feed::{detect_and_resolve, detect_facets, Facet, FacetFeature};

const CORPUS: &str = include_str!("data/facets-corpus.json");

fn shape(facets: &[Facet]) -> Value {
    Value::Array(facets.iter().map(Facet::to_json).collect())
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn corpus_matches_reference() {
    let cases: Vec<Value> = serde_json::from_str(CORPUS).expect("corpus json");
    assert!(cases.len() >= 40, "corpus has {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let text = case["text"].as_str().expect("text");
        let ours = shape(&detect_facets(text));
        if ours != case["facets"] {
            failures.push(format!(
                "{text:?}\n  ours: {ours}\n  ref:  {}",
                case["facets"]
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn offsets_are_utf8_bytes() {
    let text = "😀 #tag @bob.test";
    let f = detect_facets(text);
    assert_eq!(
        shape(&f),
        json!([
            {"index": {"byteStart": 5, "byteEnd": 9}, "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "tag"}]},
            {"index": {"byteStart": 10, "byteEnd": 19}, "features": [{"$type": "app.bsky.richtext.facet#mention", "did": "bob.test"}]},
        ])
    );
    assert_eq!(&text[5..9], "#tag");
    assert_eq!(&text[10..19], "@bob.test");
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn unresolved_mentions_are_dropped() {
    let resolver = |h: &str| (h == "alice.test").then(|| "did:plc:alice".to_string());
    let f = detect_and_resolve("@alice.test @nobody.test https://x.com", &resolver);
    assert_eq!(f.len(), 2);
    assert_eq!(
        f[0].features,
        vec![FacetFeature::Mention {
            did: "did:plc:alice".into()
        }]
    );
    assert!(matches!(f[1].features[0], FacetFeature::Link { .. }));
}
