//! CID text and binary forms against atproto-interop-tests/syntax/cid_syntax_*.txt.
//!
//! The fixtures test the AT Protocol's lexical *syntax* rule for CID strings,
//! which [`cid::check_syntax`] implements (any multibase alphabet, no CIDv0;
//! some valid lines do not decode; [`cid::parse_lenient`] decodes the rest).
//! The strict [`cid::parse`] reads only base32 CIDv1 and base58 CIDv0, so it
//! accepts the `b...` subset of the valid lines, rejects the rest, and rejects
//! every invalid line except a well-formed CIDv0 (read by design, see its docs).

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use ues_data::cid::{self, CidError, Version};

const VALID: &str = "atproto-interop-tests/syntax/cid_syntax_valid.txt";
const INVALID: &str = "atproto-interop-tests/syntax/cid_syntax_invalid.txt";

fn is_v0_form(s: &str) -> bool {
    s.len() == 46 && s.starts_with("Qm")
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn syntax_accepts_valid() {
    for line in ues_fixtures::lines(VALID) {
        assert_eq!(cid::check_syntax(line), Ok(()), "{line:?}");
        // Lines that also decode (in any multibase) have a canonical form.
        if let Ok(c) = cid::parse_lenient(line) {
            assert_eq!(c.version(), Version::V1, "{line}");
            assert_eq!(cid::parse(&c.to_string()), Ok(c), "{line}");
        }
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn syntax_rejects_invalid() {
    for line in ues_fixtures::lines(INVALID) {
        assert!(cid::check_syntax(line).is_err(), "accepted {line:?}");
        assert!(
            cid::parse_lenient(line).is_err(),
            "lenient accepted {line:?}"
        );
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn strict_reads_base32_and_round_trips() {
    let mut read = 0;
    for line in ues_fixtures::lines(VALID) {
        match cid::parse(line) {
            Ok(c) => {
                assert!(line.starts_with('b'), "strict accepted non-base32 {line}");
                assert_eq!(c.version(), Version::V1);
                assert_eq!(c.to_string(), line);
                assert_eq!(cid::from_bytes(&c.to_bytes()), Ok(c));
                read += 1;
            }
            Err(e) => {
                assert!(!line.starts_with('b'), "strict rejected {line}: {e}");
                assert!(
                    matches!(e, CidError::UnsupportedMultibase(_)),
                    "{line}: {e}"
                );
            }
        }
    }
    assert!(read > 0, "no base32 CID among the valid lines");
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn strict_rejects_invalid_except_v0() {
    for line in ues_fixtures::lines(INVALID) {
        match cid::parse(line) {
            Ok(c) => {
                assert!(is_v0_form(line), "strict accepted {line:?}");
                assert_eq!(c.version(), Version::V0);
                assert_eq!(c.to_string(), line);
                assert_eq!(cid::check_syntax(line), Err(CidError::V0NotAllowed));
            }
            Err(_) => assert!(!is_v0_form(line), "strict rejected CIDv0 {line}"),
        }
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn strict_rejects_near_misses() {
    let good = "bafyreidfayvfuwqa7qlnopdjiqrxzs6blmoeu4rujcjtnci5beludirz2a";
    assert!(cid::parse(good).is_ok());
    assert_eq!(cid::parse(""), Err(CidError::Empty));
    assert!(matches!(
        cid::parse(&good.to_uppercase()),
        Err(CidError::UnsupportedMultibase('B'))
    ));
    assert!(cid::parse(&format!("{good}a")).is_err());
    assert!(cid::parse(&good[..good.len() - 1]).is_err());
    assert!(matches!(
        cid::parse(&format!("{good}=")),
        Err(CidError::InvalidChar { .. })
    ));
    // Non-zero trailing bits in the last base32 character.
    assert_eq!(
        cid::parse(&format!("{}b", &good[..good.len() - 1])),
        Err(CidError::NotCanonical)
    );
    // A CIDv0 spelled in base32 is not canonical.
    let v0 = cid::parse("QmbWqxBEKC3P8tqsKc98xmWNzrzDtRLMiMPL8wBuTGsMnR").expect("v0");
    let b32 = data_encoding::BASE32_NOPAD
        .encode(&v0.to_bytes())
        .to_lowercase();
    assert_eq!(cid::parse(&format!("b{b32}")), Err(CidError::NotCanonical));
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn binary_form_is_strict() {
    let c = cid::cbor_cid(b"hello");
    let bytes = c.to_bytes();
    assert_eq!(cid::from_bytes(&bytes), Ok(c));
    let mut longer = bytes.clone();
    longer.extend_from_slice(&[1, 2, 3]);
    assert_eq!(cid::read_bytes(&longer), Ok((c, bytes.len())));
    assert_eq!(cid::from_bytes(&longer), Err(CidError::TrailingBytes(3)));
    for n in 0..bytes.len() {
        assert!(cid::from_bytes(&bytes[..n]).is_err(), "prefix of {n} bytes");
    }
    // Non-minimal varint for the version (0x81 0x00 = 1).
    let mut nonmin = vec![0x81, 0x00];
    nonmin.extend_from_slice(&bytes[1..]);
    assert_eq!(cid::from_bytes(&nonmin), Err(CidError::BadVarint(0)));
    let mut v2 = bytes.clone();
    v2[0] = 2;
    assert_eq!(cid::from_bytes(&v2), Err(CidError::UnsupportedVersion(2)));
    let mut big = vec![0x01, 0x71, 0x12, 0x41];
    big.extend_from_slice(&[0; 65]);
    assert_eq!(cid::from_bytes(&big), Err(CidError::DigestTooLong(65)));
    let v0 = cid::parse("QmbWqxBEKC3P8tqsKc98xmWNzrzDtRLMiMPL8wBuTGsMnR").expect("v0");
    assert_eq!(cid::from_bytes(&v0.to_bytes()), Ok(v0));
}
