//! The atproto data model: JSON form, canonical DAG-CBOR and CIDs, driven by
//! atproto-interop-tests/data-model/*.json; plus the validator's rejections
//! and the sequence reader. Runs natively and as wasm in a browser.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use data_encoding::BASE64_NOPAD;
use serde_json::Value;
use ues_data::cbor::{self, CborError, CborSeqReader, Ipld};
use ues_data::cid;

const DIR: &str = "atproto-interop-tests/data-model/";

fn cases(name: &str) -> Vec<Value> {
    let text = ues_fixtures::text(&format!("{DIR}{name}"));
    let v: Value = serde_json::from_str(text).expect("fixture is JSON");
    let cases = v.as_array().expect("fixture is a list").clone();
    assert!(!cases.is_empty(), "{name} is empty");
    cases
}

/// JSON numbers compared by value: `123.0` in a fixture equals our `123`.
fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_json(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn valid_json_round_trips_through_cbor() {
    for case in cases("data-model-valid.json") {
        let note = &case["note"];
        let json = &case["json"];
        let ipld = cbor::from_json(json).unwrap_or_else(|e| panic!("{note}: {e}"));
        let bytes = cbor::encode(&ipld).unwrap_or_else(|e| panic!("{note}: {e}"));
        let back = cbor::decode_ipld(&bytes).unwrap_or_else(|e| panic!("{note}: {e}"));
        assert_eq!(back, ipld, "{note}");
        assert_eq!(cbor::encode(&back).as_deref(), Ok(&bytes[..]), "{note}");
        let out = cbor::to_json(&back);
        assert!(same_json(&out, json), "{note}: {out} != {json}");
        assert_eq!(cbor::from_json(&out).as_ref(), Ok(&ipld), "{note}");
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn invalid_json_is_rejected() {
    for case in cases("data-model-invalid.json") {
        let note = &case["note"];
        match cbor::from_json(&case["json"]) {
            Err(CborError::Json { .. }) => {}
            other => panic!("{note}: expected a JSON error, got {other:?}"),
        }
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn fixtures_match_bytes_cid_and_json() {
    for (i, case) in cases("data-model-fixtures.json").iter().enumerate() {
        let b64 = case["cbor_base64"].as_str().expect("cbor_base64");
        let bytes = BASE64_NOPAD.decode(b64.as_bytes()).expect("base64");
        let want_cid = case["cid"].as_str().expect("cid");
        let json = &case["json"];

        cbor::validate(&bytes).unwrap_or_else(|e| panic!("fixture {i}: {e}"));
        let ipld = cbor::decode_ipld(&bytes).unwrap_or_else(|e| panic!("fixture {i}: {e}"));
        assert_eq!(
            cbor::encode(&ipld).as_deref(),
            Ok(&bytes[..]),
            "fixture {i}"
        );
        assert_eq!(cid::cbor_cid(&bytes).to_string(), want_cid, "fixture {i}");
        assert_eq!(
            cid::parse(want_cid),
            Ok(cid::cbor_cid(&bytes)),
            "fixture {i}"
        );
        assert_eq!(&cbor::to_json(&ipld), json, "fixture {i}");

        let from_json = cbor::from_json(json).unwrap_or_else(|e| panic!("fixture {i}: {e}"));
        assert_eq!(from_json, ipld, "fixture {i}");
        let encoded = cbor::encode(&from_json).expect("encode");
        assert_eq!(encoded, bytes, "fixture {i}");
        assert_eq!(cid::cbor_cid(&encoded).to_string(), want_cid, "fixture {i}");
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn fixtures_decode_into_typed_values() {
    #[derive(serde::Deserialize)]
    struct Blob {
        #[serde(rename = "$type")]
        kind: String,
        size: u64,
        #[serde(rename = "mimeType")]
        mime: String,
        #[serde(rename = "ref")]
        link: cid::Cid,
    }
    for case in cases("data-model-fixtures.json") {
        let bytes = BASE64_NOPAD
            .decode(
                case["cbor_base64"]
                    .as_str()
                    .expect("cbor_base64")
                    .as_bytes(),
            )
            .expect("base64");
        let map: std::collections::BTreeMap<String, Ipld> = cbor::decode(&bytes).expect("map");
        if let Some(c) = map.get("c") {
            let blob: Blob = cbor::decode(&cbor::encode(c).expect("encode")).expect("blob");
            assert_eq!(blob.kind, "blob");
            assert_eq!(Value::from(blob.size), case["json"]["c"]["size"]);
            assert_eq!(blob.mime, case["json"]["c"]["mimeType"]);
            assert_eq!(blob.link.to_string(), case["json"]["c"]["ref"]["$link"]);
        }
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn validator_rejects_non_canonical_forms() {
    use CborError::*;
    let link = {
        let mut v = vec![0xd8, 0x2a, 0x58, 0x25, 0x00];
        v.extend(cid::cbor_cid(b"x").to_bytes());
        v
    };
    assert_eq!(cbor::validate(&link), Ok(()));
    let cases: Vec<(Vec<u8>, CborError)> = vec![
        (vec![], Truncated { offset: 0 }),
        (vec![0x18, 0x17], NonMinimal { offset: 0 }),
        (vec![0x19, 0x00, 0xff], NonMinimal { offset: 0 }),
        (vec![0x3a, 0x00, 0x00, 0xff, 0xff], NonMinimal { offset: 0 }),
        (vec![0x78, 0x01, b'a'], NonMinimal { offset: 0 }),
        (vec![0x5f, 0xff], Indefinite { offset: 0 }),
        (vec![0x9f, 0xff], Indefinite { offset: 0 }),
        (
            vec![0x1c],
            Malformed {
                offset: 0,
                byte: 0x1c,
            },
        ),
        (
            vec![0xff],
            Malformed {
                offset: 0,
                byte: 0xff,
            },
        ),
        (vec![0xfb, 0, 0, 0, 0, 0, 0, 0, 0], Float { offset: 0 }),
        (vec![0xf9, 0x3c, 0x00], Float { offset: 0 }),
        (
            vec![0xf7],
            Simple {
                offset: 0,
                value: 23,
            },
        ),
        (
            vec![0xf0],
            Simple {
                offset: 0,
                value: 16,
            },
        ),
        (
            vec![0xf8, 0xff],
            Simple {
                offset: 0,
                value: 255,
            },
        ),
        (vec![0xc1, 0x00], Tag { offset: 0, tag: 1 }),
        (vec![0xd8, 0x2a, 0x61, b'a'], LinkNotBytes { offset: 2 }),
        (vec![0xd8, 0x2a, 0x41, 0x01], LinkPrefix { offset: 2 }),
        (vec![0xa1, 0x01, 0x01], KeyNotString { offset: 1 }),
        (
            vec![0xa2, 0x62, b'a', b'a', 0x01, 0x61, b'b', 0x01],
            KeyOrder { offset: 5 },
        ),
        (
            vec![0xa2, 0x61, b'b', 0x01, 0x61, b'a', 0x01],
            KeyOrder { offset: 4 },
        ),
        (
            vec![0xa2, 0x61, b'a', 0x01, 0x61, b'a', 0x01],
            DuplicateKey { offset: 4 },
        ),
        (vec![0x62, 0xc3, 0x28], Utf8 { offset: 0 }),
        (
            vec![0x01, 0x02],
            TrailingBytes {
                offset: 1,
                extra: 1,
            },
        ),
        (vec![0x82, 0x01], Truncated { offset: 2 }),
        (vec![0x5a, 0xff, 0xff, 0xff, 0xff], Truncated { offset: 5 }),
        (
            vec![0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
            Truncated { offset: 9 },
        ),
        (
            vec![0x81; 200],
            TooDeep {
                offset: 129,
                limit: cbor::MAX_DEPTH,
            },
        ),
    ];
    for (bytes, want) in cases {
        assert_eq!(cbor::validate(&bytes), Err(want), "{bytes:02x?}");
    }
    let mut bad_cid = link.clone();
    bad_cid[5] = 0x02; // CID version 2
    assert!(matches!(
        cbor::validate(&bad_cid),
        Err(Link { offset: 0, .. })
    ));
    assert!(matches!(
        cbor::decode_ipld(&[0xfb, 0, 0, 0, 0, 0, 0, 0, 0]),
        Err(Float { .. })
    ));
    assert!(matches!(cbor::encode(&Ipld::Float(1.5)), Err(Float { .. })));
    assert!(matches!(cbor::encode(&1.0f64), Err(Float { .. })));
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn sequence_reader_yields_fixture_values() {
    let mut stream = Vec::new();
    let mut want = Vec::new();
    for case in cases("data-model-fixtures.json") {
        let b64 = case["cbor_base64"].as_str().expect("cbor_base64");
        let bytes = BASE64_NOPAD.decode(b64.as_bytes()).expect("base64");
        stream.extend_from_slice(&bytes);
        want.push(bytes);
    }
    let got: Result<Vec<_>, _> = CborSeqReader::new(&stream[..]).collect();
    assert_eq!(got, Ok(want.clone()));

    let mut r = CborSeqReader::new(&stream[..]);
    for bytes in &want {
        let v = r.next_ipld().expect("item").expect("not the end");
        assert_eq!(&cbor::encode(&v).expect("encode"), bytes);
    }
    assert_eq!(r.next_ipld(), Ok(None));
    assert_eq!(r.offset(), stream.len() as u64);

    // Truncation inside the last item is an error, not the end.
    let cut = &stream[..stream.len() - 1];
    let items: Vec<_> = CborSeqReader::new(cut).collect();
    assert_eq!(items.len(), want.len());
    match items.last() {
        Some(Err(CborError::InSequence { index, source, .. })) => {
            assert_eq!(*index, want.len() as u64 - 1);
            assert!(matches!(**source, CborError::Truncated { .. }), "{source}");
        }
        other => panic!("expected a truncation error, got {other:?}"),
    }

    // The size cap applies before anything is read into memory.
    let mut small = CborSeqReader::new(&stream[..]).with_max_item_size(16);
    assert!(matches!(
        small.next(),
        Some(Err(CborError::InSequence { .. }))
    ));
    assert!(small.next().is_none());

    // A non-canonical item stops the sequence with its index and offset.
    let mut bad = want[0].clone();
    bad.extend_from_slice(&[0x18, 0x01]);
    let mut r = CborSeqReader::new(&bad[..]);
    assert!(r.next_raw().is_ok());
    let e = r.next_raw().expect_err("non-minimal");
    let offset = want[0].len() as u64;
    assert_eq!(
        e,
        CborError::InSequence {
            index: 1,
            offset,
            source: Box::new(CborError::NonMinimal { offset: 0 })
        }
    );
}
