//! Shared test helpers: a deterministic test signer (not ECDSA: the repo
//! logic only needs sign/verify to agree), a fixed clock.
#![allow(dead_code)]

use sha2::{Digest, Sha256};
use ues_repo::{RepoError, Signer, TidGenerator, Verifier};

/// A keyed-hash "signature": 64 bytes that only the same secret reproduces.
#[derive(Debug, Clone, Copy)]
pub struct TestKey(pub u8);

impl Signer for TestKey {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, RepoError> {
        let a = Sha256::new()
            .chain_update([self.0])
            .chain_update(msg)
            .finalize();
        let b = Sha256::new()
            .chain_update(msg)
            .chain_update([self.0])
            .finalize();
        Ok([a.as_slice(), b.as_slice()].concat())
    }
    fn did_key(&self) -> String {
        format!("did:key:test{}", self.0)
    }
}

impl Verifier for TestKey {
    fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        self.sign(msg).map(|s| s == sig).unwrap_or(false)
    }
}

/// A TID generator over a counter clock starting at `start` µs.
pub fn tids(start: u64) -> TidGenerator {
    let t = std::cell::Cell::new(start);
    TidGenerator::new(
        Box::new(move || {
            t.set(t.get() + 1000);
            t.get()
        }),
        7,
    )
}

pub const DID: &str = "did:example:alice";

/// A post record.
pub fn post(i: usize) -> ues_data::cbor::Ipld {
    ues_repo::record_from_json(&serde_json::json!({
        "$type": "app.bsky.feed.post",
        "text": format!("post {i} hello world"),
        "createdAt": "2026-11-24T00:00:00.000Z",
    }))
    .expect("valid record")
}
