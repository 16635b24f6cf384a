//! Keys and signatures against atproto-interop-tests/crypto (signature
//! fixtures incl. high-S and DER rejection, W3C did:key vectors), plus
//! round trips. Runs natively and as wasm in headless Chromium.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use data_encoding::{BASE64, BASE64_NOPAD, HEXLOWER};
use serde_json::Value;
use ues_identity::doc::VerificationMethod;
use ues_identity::{Algorithm, IdentityError, Keypair, PublicKey};

fn json(path: &str) -> Value {
    serde_json::from_str(ues_fixtures::text(path)).unwrap()
}

fn b64(s: &str) -> Vec<u8> {
    BASE64_NOPAD
        .decode(s.trim_end_matches('=').as_bytes())
        .or_else(|_| BASE64.decode(s.as_bytes()))
        .unwrap()
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn signature_fixtures() {
    let cases = json("atproto-interop-tests/crypto/signature-fixtures.json");
    let cases = cases.as_array().unwrap();
    assert_eq!(cases.len(), 6);
    for c in cases {
        let comment = c["comment"].as_str().unwrap();
        let msg = b64(c["messageBase64"].as_str().unwrap());
        let sig = b64(c["signatureBase64"].as_str().unwrap());
        let key = PublicKey::from_did_key(c["publicKeyDid"].as_str().unwrap()).unwrap();
        let alg = match c["algorithm"].as_str().unwrap() {
            "ES256" => Algorithm::P256,
            "ES256K" => Algorithm::K256,
            other => panic!("{other}"),
        };
        assert_eq!(key.algorithm(), alg);
        assert_eq!(key.algorithm().jwt_alg(), c["algorithm"].as_str().unwrap());
        // The legacy DID-document form: raw compressed key in multibase.
        let vm = VerificationMethod {
            id: "#atproto".into(),
            kind: c["didDocSuite"].as_str().unwrap().into(),
            controller: "did:example:x".into(),
            public_key_multibase: Some(c["publicKeyMultibase"].as_str().unwrap().into()),
        };
        assert_eq!(vm.public_key().unwrap(), key, "{comment}");
        let r = key.verify(&msg, &sig);
        if c["validSignature"].as_bool().unwrap() {
            assert_eq!(r, Ok(()), "{comment}");
        } else {
            let tags: Vec<&str> = c["tags"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap())
                .collect();
            match tags.as_slice() {
                ["high-s"] => assert_eq!(r, Err(IdentityError::HighS), "{comment}"),
                ["der-encoded"] => assert!(
                    matches!(r, Err(IdentityError::SignatureLength(n)) if n != 64),
                    "{comment}: {r:?}"
                ),
                _ => assert!(r.is_err(), "{comment}"),
            }
        }
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn w3c_did_key_k256() {
    let cases = json("atproto-interop-tests/crypto/w3c_didkey_K256.json");
    for c in cases.as_array().unwrap() {
        let secret: [u8; 32] = HEXLOWER
            .decode(c["privateKeyBytesHex"].as_str().unwrap().as_bytes())
            .unwrap()
            .try_into()
            .unwrap();
        let did = c["publicDidKey"].as_str().unwrap();
        let kp = Keypair::k256_from_bytes(&secret).unwrap();
        assert_eq!(kp.did_key(), did);
        assert_eq!(PublicKey::from_did_key(did).unwrap(), kp.public());
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn w3c_did_key_p256() {
    let cases = json("atproto-interop-tests/crypto/w3c_didkey_P256.json");
    for c in cases.as_array().unwrap() {
        let secret = ues_identity::keys::decode_base58btc(&format!(
            "z{}",
            c["privateKeyBytesBase58"].as_str().unwrap()
        ))
        .unwrap();
        let did = c["publicDidKey"].as_str().unwrap();
        let kp = Keypair::from_secret(Algorithm::P256, &secret).unwrap();
        assert_eq!(kp.did_key(), did);
        assert_eq!(PublicKey::from_did_key(did).unwrap(), kp.public());
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn sign_verify_round_trips() {
    for alg in [Algorithm::K256, Algorithm::P256, Algorithm::Ed25519] {
        let kp = Keypair::generate(alg).unwrap();
        let msg = b"hello atproto";
        let sig = kp.sign(msg);
        // Deterministic (RFC 6979 / ed25519).
        assert_eq!(sig, kp.sign(msg), "{alg:?}");
        let pk = kp.public();
        assert_eq!(pk.verify(msg, &sig), Ok(()), "{alg:?}");
        assert_eq!(pk.verify(b"other", &sig), Err(IdentityError::BadSignature));
        let mut bad = sig;
        bad[10] ^= 1;
        assert!(pk.verify(msg, &bad).is_err(), "{alg:?}");
        assert_eq!(
            pk.verify(msg, &sig[..63]),
            Err(IdentityError::SignatureLength(63))
        );
        // did:key, multikey and private-key serialisation round trips.
        let did = pk.to_did_key();
        assert_eq!(PublicKey::from_did_key(&did), Ok(pk));
        assert_eq!(PublicKey::from_multikey(&pk.to_multikey()), Ok(pk));
        let back = Keypair::from_bytes(&kp.to_bytes()).unwrap();
        assert_eq!(back.public(), pk);
        assert_eq!(back.algorithm(), alg);
    }
    let prefixes = [
        (Algorithm::K256, "did:key:zQ3s"),
        (Algorithm::P256, "did:key:zDna"),
        (Algorithm::Ed25519, "did:key:z6Mk"),
    ];
    for (alg, prefix) in prefixes {
        let did = Keypair::generate(alg).unwrap().did_key();
        assert!(did.starts_with(prefix), "{did}");
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn signing_is_low_s() {
    // Over many messages some raw ECDSA signatures would be high-S: ours
    // never are, and all verify.
    let k = Keypair::k256_from_bytes(&[7; 32]).unwrap();
    let p = Keypair::p256_from_bytes(&[7; 32]).unwrap();
    for i in 0u32..64 {
        let msg = i.to_be_bytes();
        for kp in [&k, &p] {
            let sig = kp.sign(&msg);
            assert_eq!(kp.public().verify(&msg, &sig), Ok(()));
        }
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn bad_encodings_are_typed_errors() {
    assert!(PublicKey::from_did_key("did:web:example.com").is_err());
    assert!(PublicKey::from_did_key("did:key:Q3s").is_err());
    assert!(PublicKey::from_did_key("did:key:z0OIl").is_err());
    assert!(matches!(
        PublicKey::from_multikey("z2J9"),
        Err(IdentityError::UnsupportedKeyType(_)) | Err(IdentityError::KeyEncoding(_))
    ));
    assert!(Keypair::from_bytes(&[1; 10]).is_err());
    assert!(Keypair::from_bytes(&[9; 33]).is_err());
    assert!(Keypair::k256_from_bytes(&[0; 32]).is_err());
    assert!(Keypair::k256_from_bytes(&[0xff; 32]).is_err());
}
