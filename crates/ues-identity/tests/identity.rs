//! Key store, DID documents, did:web, did:plc and handle resolution against
//! an in-memory fake fetch. Runs natively and as wasm in headless Chromium.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use serde_json::{json, Value};
use std::collections::HashMap;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use ues_identity::doc::{did_web_for_host, did_web_url};
use ues_identity::keystore::{self, KdfParams};
use ues_identity::plc;
use ues_identity::resolve::{HttpFetch, HttpResponse, Resolver};
use ues_identity::{Algorithm, DidDocument, IdentityError, Keypair};

/// Drives a future that never waits (the fake fetch answers at once).
fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("future is pending"),
    }
}

#[derive(Default)]
struct FakeFetch(HashMap<String, Vec<u8>>);

impl FakeFetch {
    fn put(&mut self, url: &str, body: impl Into<Vec<u8>>) {
        self.0.insert(url.to_string(), body.into());
    }
}

impl HttpFetch for FakeFetch {
    async fn get(&self, url: &str) -> Result<HttpResponse, String> {
        Ok(match self.0.get(url) {
            Some(b) => HttpResponse {
                status: 200,
                body: b.clone(),
            },
            None => HttpResponse {
                status: 404,
                body: vec![],
            },
        })
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn keystore_round_trip_and_wrong_passphrase() {
    for alg in [Algorithm::K256, Algorithm::P256, Algorithm::Ed25519] {
        let kp = Keypair::generate(alg).unwrap();
        let params = KdfParams::insecure_fast();
        let w = keystore::wrap(&kp, "correct horse", params).unwrap();
        assert_eq!(keystore::params(&w), Ok(params));
        let back = keystore::unwrap(&w, "correct horse").unwrap();
        assert_eq!(back.public(), kp.public());
        assert_eq!(
            keystore::unwrap(&w, "wrong").unwrap_err(),
            IdentityError::WrongPassphrase
        );
        // Random salt and nonce: wrapping twice differs.
        assert_ne!(keystore::wrap(&kp, "correct horse", params).unwrap(), w);
        // Tampering with the authenticated header or the ciphertext fails.
        for i in [7, 20, w.len() - 1] {
            let mut t = w.clone();
            t[i] ^= 1;
            assert!(keystore::unwrap(&t, "correct horse").is_err(), "byte {i}");
        }
        assert!(matches!(
            keystore::unwrap(&w[..20], "x"),
            Err(IdentityError::KeyStore(_))
        ));
        let mut v2 = w.clone();
        v2[4] = 2;
        assert_eq!(
            keystore::unwrap(&v2, "correct horse").unwrap_err(),
            IdentityError::KeyStore("unsupported version")
        );
    }
    let kp = Keypair::generate_k256().unwrap();
    let huge = KdfParams {
        log_n: 40,
        r: 8,
        p: 1,
    };
    assert!(matches!(
        keystore::wrap(&kp, "x", huge),
        Err(IdentityError::Kdf(_))
    ));
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn did_web_document_and_resolution() {
    let key = Keypair::generate_k256().unwrap();
    let did = did_web_for_host("example.com").unwrap();
    assert_eq!(did, "did:web:example.com");
    assert_eq!(
        did_web_for_host("localhost:1234").unwrap(),
        "did:web:localhost%3A1234"
    );
    assert_eq!(
        did_web_url("did:web:localhost%3A1234").unwrap(),
        "http://localhost:1234/.well-known/did.json"
    );
    assert!(DidDocument::did_web("example.com", &key.public(), Some("bad handle"), None).is_err());
    let doc = DidDocument::did_web(
        "example.com",
        &key.public(),
        Some("alice.example.com"),
        Some("https://pds.example.com"),
    )
    .unwrap();
    assert_eq!(doc.id, did);
    let mut fetch = FakeFetch::default();
    fetch.put("https://example.com/.well-known/did.json", doc.to_json());
    fetch.put(
        "https://alice.example.com/.well-known/atproto-did",
        format!("{did}\n"),
    );
    let r = Resolver::new(fetch);
    let got = block_on(r.resolve_did(&did)).unwrap();
    assert_eq!(got, doc);
    assert_eq!(got.signing_key().unwrap(), key.public());
    assert_eq!(got.handle().as_deref(), Some("alice.example.com"));
    assert_eq!(got.pds_endpoint(), Some("https://pds.example.com"));
    assert_eq!(
        block_on(r.resolve_handle("Alice.Example.com")).unwrap(),
        did
    );
    let id = block_on(r.resolve_identity("alice.example.com")).unwrap();
    assert_eq!(id.did, did);
    assert_eq!(id.handle.as_deref(), Some("alice.example.com"));
    assert_eq!(id.signing_key, key.public());
    let id = block_on(r.resolve_identity(&did)).unwrap();
    assert_eq!(id.handle.as_deref(), Some("alice.example.com"));
    assert!(matches!(
        block_on(r.resolve_handle("bob.example.com")),
        Err(IdentityError::HttpStatus { status: 404, .. })
    ));
    assert!(matches!(
        block_on(r.resolve_did("did:web:other.com")),
        Err(IdentityError::HttpStatus { .. })
    ));
    assert!(matches!(
        block_on(r.resolve_did("did:foo:bar")),
        Err(IdentityError::UnsupportedDidMethod(_))
    ));
    assert!(matches!(
        block_on(r.resolve_did("not a did")),
        Err(IdentityError::Syntax(_))
    ));
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn handle_claims_are_checked_both_ways() {
    let key = Keypair::generate_p256().unwrap();
    let did = "did:web:example.com";
    // The document claims a handle that points elsewhere.
    let doc = DidDocument::new(did, &key.public(), Some("mallory.test"), None);
    let mut fetch = FakeFetch::default();
    fetch.put("https://example.com/.well-known/did.json", doc.to_json());
    fetch.put(
        "https://mallory.test/.well-known/atproto-did",
        "did:web:elsewhere.com",
    );
    fetch.put("https://alice.test/.well-known/atproto-did", did);
    let r = Resolver::new(fetch);
    let id = block_on(r.resolve_identity(did)).unwrap();
    assert_eq!(id.handle, None);
    assert!(matches!(
        block_on(r.resolve_identity("alice.test")),
        Err(IdentityError::HandleMismatch { .. })
    ));
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn did_key_resolves_locally() {
    let kp = Keypair::generate_ed25519().unwrap();
    let r = Resolver::new(FakeFetch::default());
    let doc = block_on(r.resolve_did(&kp.did_key())).unwrap();
    assert_eq!(doc.signing_key().unwrap(), kp.public());
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn did_document_parsing() {
    let doc = json!({
        "@context": ["https://www.w3.org/ns/did/v1"],
        "id": "did:plc:ewvi7nxzyoun6zhxrhs64oiz",
        "alsoKnownAs": ["https://example.com", "at://atproto.com"],
        "verificationMethod": [{
            "id": "did:plc:ewvi7nxzyoun6zhxrhs64oiz#atproto",
            "type": "Multikey",
            "controller": "did:plc:ewvi7nxzyoun6zhxrhs64oiz",
            "publicKeyMultibase": "zQ3shunBKsXixLxKtC5qeSG9E4J5RkGN57im31pcTzbNQnm5w"
        }],
        "service": [{
            "id": "#atproto_pds",
            "type": "AtprotoPersonalDataServer",
            "serviceEndpoint": "https://enoki.us-east.host.bsky.network"
        }]
    });
    let d = DidDocument::from_json(doc.to_string().as_bytes()).unwrap();
    assert_eq!(d.handle().as_deref(), Some("atproto.com"));
    assert_eq!(
        d.pds_endpoint(),
        Some("https://enoki.us-east.host.bsky.network")
    );
    assert_eq!(d.signing_key().unwrap().algorithm(), Algorithm::K256);
    assert!(DidDocument::from_json(b"{\"id\": \"nope\"}").is_err());
    assert!(DidDocument::from_json(b"[]").is_err());
    let empty = DidDocument::from_json(b"{\"id\": \"did:web:a.com\"}").unwrap();
    assert!(matches!(
        empty.signing_key(),
        Err(IdentityError::DidDocument(_))
    ));
    assert_eq!(empty.handle(), None);
    assert_eq!(empty.pds_endpoint(), None);
}

/// A fixed genesis (deterministic RFC 6979 signature) whose DID, and whose
/// two-operation log, were checked with the reference `@did-plc/lib` 0.0.4
/// (`didForCreateOp`, `validateOperationLog`).
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn plc_did_matches_reference() {
    let rotation = Keypair::k256_from_bytes(&[1; 32]).unwrap();
    let signing = Keypair::k256_from_bytes(&[2; 32]).unwrap();
    let (did, _) = plc::create_genesis(
        &rotation,
        &signing.public(),
        Some("alice.test"),
        Some("https://pds.test"),
    )
    .unwrap();
    assert_eq!(did, "did:plc:gdsybd4ndcrdfc6tsh5hywob");
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn plc_genesis_log_and_resolution() {
    let rotation = Keypair::k256_from_bytes(&[1; 32]).unwrap();
    let signing = Keypair::generate_k256().unwrap();
    let (did, genesis) = plc::create_genesis(
        &rotation,
        &signing.public(),
        Some("alice.test"),
        Some("https://pds.test"),
    )
    .unwrap();
    assert!(did.starts_with("did:plc:") && did.len() == 32, "{did}");
    ues_data::syntax::validate_did(&did).unwrap();
    assert_eq!(plc::did_for_genesis(&genesis).unwrap(), did);
    let state = plc::verify_log(&did, std::slice::from_ref(&genesis)).unwrap();
    assert_eq!(state.rotation_keys, vec![rotation.did_key()]);

    // A second operation, signed by the rotation key, changes the handle.
    let prev = plc::op_cid(&genesis).unwrap();
    let update = plc::sign_op(
        plc::unsigned_op(
            &[rotation.did_key()],
            &signing.public(),
            Some("alice2.test"),
            Some("https://pds.test"),
            Some(&prev),
        ),
        &rotation,
    )
    .unwrap();
    let log = vec![genesis.clone(), update.clone()];
    let state = plc::verify_log(&did, &log).unwrap();
    assert_eq!(state.also_known_as, vec!["at://alice2.test".to_string()]);

    let mut fetch = FakeFetch::default();
    fetch.put(
        &format!("https://plc.example/{did}/log"),
        serde_json::to_vec(&log).unwrap(),
    );
    fetch.put("https://alice2.test/.well-known/atproto-did", did.clone());
    let r = Resolver::new(fetch).with_plc_directory("https://plc.example/");
    let id = block_on(r.resolve_identity("alice2.test")).unwrap();
    assert_eq!(id.did, did);
    assert_eq!(id.signing_key, signing.public());
    assert_eq!(id.pds.as_deref(), Some("https://pds.test"));

    // Signed by a key that is not a rotation key.
    let forged = plc::sign_op(
        plc::unsigned_op(
            &[signing.did_key()],
            &signing.public(),
            None,
            None,
            Some(&prev),
        ),
        &signing,
    )
    .unwrap();
    assert!(matches!(
        plc::verify_log(&did, &[genesis.clone(), forged]),
        Err(IdentityError::Plc { index: 1, .. })
    ));
    // A broken prev link.
    let mut bad_prev = update.clone();
    bad_prev["prev"] = Value::String(plc::op_cid(&update).unwrap());
    assert!(matches!(
        plc::verify_log(&did, &[genesis.clone(), bad_prev]),
        Err(IdentityError::Plc { index: 1, .. })
    ));
    // A tampered genesis no longer derives the DID.
    let mut tampered = genesis.clone();
    tampered["alsoKnownAs"] = json!(["at://mallory.test"]);
    assert!(matches!(
        plc::verify_log(&did, &[tampered]),
        Err(IdentityError::Plc { index: 0, .. })
    ));
    // A tombstone ends the identity.
    let tomb = plc::sign_op(
        json!({"type": "plc_tombstone", "prev": plc::op_cid(&update).unwrap()}),
        &rotation,
    )
    .unwrap();
    assert_eq!(
        plc::verify_log(&did, &[genesis, update, tomb]),
        Err(IdentityError::Tombstoned(did))
    );
}
