//! The lexicon vectors of atproto-interop-tests: valid and invalid lexicon
//! documents, and record data valid and invalid against the catalog.
//! Runs natively and as wasm in headless Chromium.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use serde_json::Value;
use ues_lexicon::{LexiconDoc, LexiconError, Lexicons, ValidationError};

const DIR: &str = "atproto-interop-tests/lexicon/";

fn json(path: &str) -> Value {
    serde_json::from_str(ues_fixtures::text(path)).expect("fixture is JSON")
}

fn cases(file: &str) -> Vec<Value> {
    let v = json(&format!("{DIR}{file}"));
    let cases = v.as_array().expect("array of cases").clone();
    assert!(!cases.is_empty());
    cases
}

fn catalog() -> Lexicons {
    let docs = ues_fixtures::list(&format!("{DIR}catalog/"), ".json");
    assert_eq!(docs.len(), 5);
    let mut lex = Lexicons::new();
    for (path, bytes) in docs {
        let text = std::str::from_utf8(bytes).expect("utf-8");
        lex.add_json(text).unwrap_or_else(|e| panic!("{path}: {e}"));
    }
    lex
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn valid_lexicons_load() {
    for c in cases("lexicon-valid.json") {
        LexiconDoc::from_value(&c["lexicon"]).unwrap_or_else(|e| panic!("{}: {e}", c["name"]));
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn invalid_lexicons_rejected() {
    for c in cases("lexicon-invalid.json") {
        let r = LexiconDoc::from_value(&c["lexicon"]);
        assert!(r.is_err(), "{} accepted", c["name"]);
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn invalid_lexicon_errors_are_specific() {
    let by_name = |name: &str| {
        let c = cases("lexicon-invalid.json")
            .into_iter()
            .find(|c| c["name"] == name)
            .expect("case exists");
        LexiconDoc::from_value(&c["lexicon"]).expect_err("invalid")
    };
    assert!(matches!(
        by_name("invalid NSID"),
        LexiconError::InvalidId { .. }
    ));
    assert!(matches!(
        by_name("invalid lexicon field"),
        LexiconError::Malformed(_)
    ));
    assert!(matches!(
        by_name("non-main primary"),
        LexiconError::InvalidDef { .. }
    ));
    assert!(matches!(
        by_name("defined ref"),
        LexiconError::InvalidDef { .. }
    ));
    let undeclared = r#"{"lexicon": 1, "id": "a.b.c", "defs": {"o": {"type": "object",
        "required": ["x"], "properties": {}}}}"#;
    assert!(matches!(
        LexiconDoc::from_json(undeclared),
        Err(LexiconError::InvalidDef { .. })
    ));
    let bad_key = r#"{"lexicon": 1, "id": "a.b.c", "defs": {"main": {"type": "record",
        "key": "literal:", "record": {"type": "object", "properties": {}}}}}"#;
    assert!(matches!(
        LexiconDoc::from_json(bad_key),
        Err(LexiconError::InvalidDef { .. })
    ));
    let bad_ref = r#"{"lexicon": 1, "id": "a.b.c", "defs": {"o": {"type": "object",
        "properties": {"r": {"type": "ref", "ref": "nope#"}}}}}"#;
    assert!(LexiconDoc::from_json(bad_ref).is_err());
    let bad_format = r#"{"lexicon": 1, "id": "a.b.c", "defs": {"s": {"type": "string",
        "format": "colour"}}}"#;
    assert!(matches!(
        LexiconDoc::from_json(bad_format),
        Err(LexiconError::Malformed(_))
    ));
    let mut lex = Lexicons::new();
    lex.add_json(r#"{"lexicon": 1, "id": "a.b.c", "defs": {}}"#)
        .expect("empty doc");
    assert_eq!(
        lex.add_json(r#"{"lexicon": 1, "id": "a.b.c", "defs": {}}"#),
        Err(LexiconError::Duplicate("a.b.c".into()))
    );
    let text = r#"{"lexicon": 2, "id": "a.b.c", "defs": {}}"#;
    assert_eq!(
        LexiconDoc::from_json(text),
        Err(LexiconError::UnsupportedVersion(2))
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn record_data_valid() {
    let lex = catalog();
    for c in cases("record-data-valid.json") {
        let data = &c["data"];
        let nsid = data["$type"].as_str().expect("$type");
        lex.validate_record(nsid, data)
            .unwrap_or_else(|e| panic!("{}: {e}", c["name"]));
        let rkey = c["rkey"].as_str().expect("rkey");
        lex.validate_record_key(nsid, rkey).expect("rkey");
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn record_data_invalid() {
    let lex = catalog();
    for c in cases("record-data-invalid.json") {
        let data = &c["data"];
        let r = lex.validate_record("example.lexicon.record", data);
        match r {
            Err(ValidationError::Invalid { path, .. }) => assert!(path.starts_with('$')),
            other => panic!("{}: {other:?}", c["name"]),
        }
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn error_paths() {
    let lex = catalog();
    let data = serde_json::json!({
        "$type": "example.lexicon.record", "integer": 1,
        "formats": {"handle": "123"}
    });
    let e = lex
        .validate_record("example.lexicon.record", &data)
        .unwrap_err();
    assert_eq!(e.path(), Some("$.formats.handle"));
    let data = serde_json::json!({
        "$type": "example.lexicon.record", "integer": 1, "array": [1, true]
    });
    let e = lex
        .validate_record("example.lexicon.record", &data)
        .unwrap_err();
    assert_eq!(e.path(), Some("$.array[1]"));
    let wrong = serde_json::json!({"$type": "example.lexicon.query", "integer": 1});
    assert!(lex
        .validate_record("example.lexicon.record", &wrong)
        .is_err());
    assert!(lex
        .validate_record_key("example.lexicon.record", "other")
        .is_err());
    assert!(matches!(
        lex.validate_record("example.lexicon.query", &data),
        Err(ValidationError::Schema(LexiconError::WrongType { .. }))
    ));
    assert!(matches!(
        lex.validate_record("example.lexicon.nope", &data),
        Err(ValidationError::Schema(LexiconError::NotFound(_)))
    ));
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn methods_and_subscriptions() {
    let lex = catalog();
    let q = "example.lexicon.query";
    lex.validate_params(q, &serde_json::json!({"stringField": "x", "array": [1, 2]}))
        .expect("params");
    let e = lex
        .validate_params(q, &serde_json::json!({"integer": 3}))
        .unwrap_err();
    assert_eq!(e.path(), Some("$.stringField"));
    assert!(lex
        .validate_params(q, &serde_json::json!({"stringField": "x", "handle": "no"}))
        .is_err());
    lex.validate_output(q, &serde_json::json!({"a": 1}))
        .expect("output");
    assert!(lex
        .validate_output(q, &serde_json::json!({"a": "x"}))
        .is_err());
    let p = "example.lexicon.procedure";
    lex.validate_output(p, &serde_json::json!({"array": [1]}))
        .expect("output");
    // The input refs app.bsky.actor.defs, which the catalog does not hold.
    let e = lex
        .validate_input(p, &serde_json::json!({"preferences": []}))
        .unwrap_err();
    assert!(matches!(
        e,
        ValidationError::Schema(LexiconError::NotFound(_))
    ));
    assert!(lex.validate_input(p, &serde_json::json!({})).is_err());
    assert!(lex.validate_input(q, &serde_json::json!({})).is_err());
    let s = "example.lexicon.subscription";
    let yo = serde_json::json!({"$type": "example.lexicon.subscription#yo", "seq": 1, "yo": true});
    lex.validate_message(s, &yo).expect("message");
    let bad = serde_json::json!({"$type": "example.lexicon.subscription#yo", "seq": 1});
    assert_eq!(
        lex.validate_message(s, &bad).unwrap_err().path(),
        Some("$.yo")
    );
    lex.validate_params(s, &serde_json::json!({"cursor": 5}))
        .expect("cursor");
    assert!(lex.get("example.lexicon.permissionset").is_some());
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn unknown_must_be_a_plain_object() {
    // The fixture's "unknown wrong type" cases also lack the required
    // `integer`; check the unknown rule on its own.
    let lex = catalog();
    let nsid = "example.lexicon.record";
    let with = |u: Value| serde_json::json!({"$type": nsid, "integer": 1, "unknown": u});
    lex.validate_record(nsid, &with(serde_json::json!({"a": 1})))
        .expect("object");
    for bad in [
        serde_json::json!(false),
        serde_json::json!("text"),
        serde_json::json!({"$bytes": "123"}),
        serde_json::json!({"$link": "bafyreiclp443lavogvhj3d2ob2cxbfuscni2k5jk7bebjzg7khl3esabwq"}),
        serde_json::json!({"$type": "blob", "mimeType": "text/plain", "size": 1,
            "ref": {"$link": "bafyreiclp443lavogvhj3d2ob2cxbfuscni2k5jk7bebjzg7khl3esabwq"}}),
    ] {
        let e = lex
            .validate_record(nsid, &with(bad.clone()))
            .expect_err("not an object");
        assert_eq!(e.path(), Some("$.unknown"), "{bad}");
    }
    // A legacy blob ({cid, mimeType}) is accepted where a blob is expected.
    let legacy = serde_json::json!({"$type": nsid, "integer": 1, "acceptBlob": {
        "cid": "bafyreiclp443lavogvhj3d2ob2cxbfuscni2k5jk7bebjzg7khl3esabwq",
        "mimeType": "image/png"}});
    lex.validate_record(nsid, &legacy).expect("legacy blob");
    // Padded and unpadded base64 both count bytes correctly.
    for (b64, ok) in [
        ("YWJjZGVmZ2hpams=", true),
        ("YWJjZGVmZ2hpams", true),
        ("YWJj", false),
    ] {
        let v = serde_json::json!({"$type": nsid, "integer": 1, "sizeBytes": {"$bytes": b64}});
        assert_eq!(lex.validate_record(nsid, &v).is_ok(), ok, "{b64}");
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn helpers() {
    use ues_lexicon::{check_format, mime_matches, StringFormat};
    assert!(mime_matches("image/*", "image/png"));
    assert!(mime_matches("*/*", "video/mp4"));
    assert!(mime_matches("video/mp4", "video/mp4"));
    assert!(!mime_matches("image/*", "imagery/png"));
    assert!(!mime_matches("image/*", "image/"));
    assert!(!mime_matches("image/png", "image/jpeg"));
    assert!(check_format(StringFormat::Did, "did:web:example.com").is_ok());
    assert!(check_format(StringFormat::Cid, "123").is_err());
    assert!(check_format(StringFormat::Language, "pt-BR").is_ok());
    assert_eq!(
        ues_lexicon::normalize_ref("a.b.c", "#x"),
        "a.b.c#x".to_string()
    );
    assert_eq!(ues_lexicon::normalize_ref("a.b.c", "d.e.f"), "d.e.f#main");
}
