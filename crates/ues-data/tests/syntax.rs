//! atproto identifier syntax against every atproto-interop-tests/syntax/*.txt
//! file (CIDs are covered by cid_syntax.rs). Runs natively and as wasm in
//! headless Chromium.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use ues_data::syntax::{self, Kind, SyntaxError};

type Check = fn(&str) -> Result<(), SyntaxError>;

fn fixture(name: &str) -> Vec<&'static str> {
    ues_fixtures::lines(&format!("atproto-interop-tests/syntax/{name}.txt"))
}

fn check(name: &str, f: Check) {
    let valid = fixture(&format!("{name}_syntax_valid"));
    let invalid = fixture(&format!("{name}_syntax_invalid"));
    assert!(!valid.is_empty() && !invalid.is_empty(), "{name}");
    for l in valid {
        assert_eq!(f(l), Ok(()), "{name}: rejected {l:?}");
    }
    for l in invalid {
        assert!(f(l).is_err(), "{name}: accepted {l:?}");
    }
}

macro_rules! fixture_test {
    ($test:ident, $name:literal, $f:expr) => {
        #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
        #[cfg_attr(not(target_arch = "wasm32"), test)]
        fn $test() {
            check($name, $f);
        }
    };
}

fixture_test!(did, "did", syntax::validate_did);
fixture_test!(handle, "handle", syntax::validate_handle);
fixture_test!(nsid, "nsid", syntax::validate_nsid);
fixture_test!(at_uri, "aturi", syntax::validate_at_uri);
fixture_test!(tid, "tid", syntax::validate_tid);
fixture_test!(record_key, "recordkey", syntax::validate_record_key);
fixture_test!(datetime, "datetime", syntax::validate_datetime);
fixture_test!(language, "language", syntax::validate_language);
fixture_test!(uri, "uri", syntax::validate_uri);
fixture_test!(
    at_identifier,
    "atidentifier",
    syntax::validate_at_identifier
);

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn datetime_parse() {
    for l in fixture("datetime_syntax_valid") {
        assert!(syntax::parse_datetime(l).is_ok(), "rejected {l:?}");
    }
    for l in fixture("datetime_syntax_invalid") {
        assert!(syntax::parse_datetime(l).is_err(), "accepted {l:?}");
    }
    for l in fixture("datetime_parse_invalid") {
        assert_eq!(syntax::validate_datetime(l), Ok(()), "syntax of {l:?}");
        assert!(syntax::parse_datetime(l).is_err(), "accepted {l:?}");
    }
    let dt = syntax::parse_datetime("1985-04-12T23:20:50.123Z").unwrap();
    assert_eq!(dt.unix_micros(), 482_196_050_123_000);
    let off = syntax::parse_datetime("1985-04-12T16:20:50.123-07:00").unwrap();
    assert_eq!(off.unix_micros(), dt.unix_micros());
    assert_eq!(
        syntax::parse_datetime("1970-01-01T00:00:00Z")
            .unwrap()
            .unix_micros(),
        0
    );
    assert!(syntax::parse_datetime("2024-02-29T00:00:00Z").is_ok());
    assert!(syntax::parse_datetime("2023-02-29T00:00:00Z").is_err());
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn language_parse() {
    for l in fixture("language_syntax_valid") {
        assert!(syntax::parse_language(l).is_ok(), "rejected {l:?}");
    }
    for l in fixture("language_parse_invalid") {
        assert_eq!(syntax::validate_language(l), Ok(()), "syntax of {l:?}");
        assert!(syntax::parse_language(l).is_err(), "accepted {l:?}");
    }
    let t = syntax::parse_language("hy-Latn-IT-arevela").unwrap();
    assert_eq!(
        (t.language, t.script, t.region, t.variants),
        ("hy", Some("Latn"), Some("IT"), vec!["arevela"])
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn at_uri_parts_and_errors() {
    let u = syntax::parse_at_uri("at://did:plc:asdf123/com.atproto.feed.post/record").unwrap();
    assert_eq!(u.authority, "did:plc:asdf123");
    assert_eq!(u.collection, Some("com.atproto.feed.post"));
    assert_eq!(u.rkey, Some("record"));
    assert_eq!(u.fragment, None);
    let f = syntax::parse_at_uri("at://did:plc:asdf123/com.atproto.feed.post#/frag").unwrap();
    assert_eq!(f.fragment, Some("/frag"));
    assert_eq!(syntax::validate_did(""), Err(SyntaxError::Empty(Kind::Did)));
    assert!(matches!(
        syntax::validate_did("did:METHOD:x"),
        Err(SyntaxError::Invalid {
            kind: Kind::Did,
            ..
        })
    ));
    assert!(matches!(
        syntax::validate_record_key(&"o".repeat(513)),
        Err(SyntaxError::TooLong { max: 512, .. })
    ));
    assert_eq!(
        syntax::normalize_handle("John.TEST").as_deref(),
        Ok("john.test")
    );
}
