//! Shared test helpers: a seeded RNG, deterministic keys, random edits.
#![allow(dead_code)]

use ues_data::cbor::Ipld;
use ues_identity::Keypair;
use ues_sync::{Acl, Edit, EditKind, OpLog};

pub const LOG: &str = "log:test";

/// SplitMix64: small, seeded, the same on every target.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9e37_79b9_7f4a_7c15)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// True with probability `p` percent.
    pub fn chance(&mut self, p: u64) -> bool {
        self.below(100) < p
    }
}

/// Deterministic ed25519 keys.
pub fn key(i: u8) -> Keypair {
    Keypair::ed25519_from_bytes(&[i.wrapping_add(1); 32])
}

pub fn keys(n: u8) -> Vec<Keypair> {
    (0..n).map(key).collect()
}

/// A log whose members are `keys`.
pub fn log_of(keys: &[Keypair]) -> OpLog {
    OpLog::new(LOG, Acl::of_keys(keys).expect("ed25519 keys"))
}

/// One random edit of any kind on a small set of targets (so they collide).
pub fn random_edit(rng: &mut Rng) -> Edit {
    let n = rng.below(4);
    match rng.below(6) {
        0 => Edit::new(
            EditKind::Set,
            format!("reg/{n}"),
            Ipld::Integer(rng.below(100).into()),
        ),
        1 => Edit::new(
            EditKind::MvSet,
            format!("mv/{n}"),
            Ipld::Integer(rng.below(100).into()),
        ),
        2 => Edit::new(
            EditKind::Inc,
            format!("ctr/{n}"),
            Ipld::Integer(i128::from(rng.below(11)) - 5),
        ),
        3 => Edit::new(EditKind::Add, "set/0", Ipld::Integer(n.into())),
        4 => Edit::new(EditKind::Remove, "set/0", Ipld::Integer(n.into())),
        _ => Edit::new(
            EditKind::Append,
            "chat/0",
            Ipld::String(format!("m{}", rng.next() % 1000)),
        ),
    }
}

pub mod net;

/// Runs a test natively (`#[test]`) and in the browser (wasm-bindgen-test).
#[macro_export]
macro_rules! both {
    ($(#[$m:meta])* fn $name:ident() $body:block) => {
        $(#[$m])*
        #[cfg_attr(not(target_arch = "wasm32"), test)]
        #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
        fn $name() $body
    };
}

/// A cheap test signature: 64 bytes of keyed BLAKE3 that only the same
/// secret reproduces (like ues-repo's test key). Ed25519 in an unoptimised
/// test build costs ~20 ms per signature; the convergence harness runs
/// thousands of seeds with this and a few with real ed25519 keys.
#[derive(Debug, Clone, Copy)]
pub struct TestKey(pub u8);

impl TestKey {
    fn mac(&self, msg: &[u8]) -> Vec<u8> {
        let mut out = vec![0u8; 64];
        blake3::Hasher::new_keyed(&[self.0; 32])
            .update(msg)
            .finalize_xof()
            .fill(&mut out);
        out
    }
}

impl ues_sync::OpSigner for TestKey {
    fn author(&self) -> String {
        format!("did:example:t{}", self.0)
    }
    fn sign(&self, msg: &[u8]) -> Vec<u8> {
        self.mac(msg)
    }
}

impl ues_sync::OpVerifier for TestKey {
    fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        self.mac(msg) == sig
    }
}

/// A log whose members are the test keys `0..n`.
pub fn test_log(n: u8) -> (OpLog, Vec<TestKey>) {
    let ks: Vec<TestKey> = (0..n).map(TestKey).collect();
    let mut acl = Acl::new();
    for k in &ks {
        acl.add_verifier(&ues_sync::OpSigner::author(k), std::rc::Rc::new(*k));
    }
    (OpLog::new(LOG, acl), ks)
}

/// Number of seeds: `UES_SOAK_SEEDS` natively when set, else `native`
/// (`wasm` in the browser).
pub fn seeds(native: u64, wasm: u64) -> u64 {
    if cfg!(target_arch = "wasm32") {
        return wasm;
    }
    std::env::var("UES_SOAK_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(native)
}

/// An async test natively (`block_on`) and in the browser.
#[macro_export]
macro_rules! async_both {
    ($(#[$m:meta])* async fn $name:ident() $body:block) => {
        $(#[$m])*
        #[cfg(not(target_arch = "wasm32"))]
        #[test]
        fn $name() {
            futures::executor::block_on(async $body)
        }
        $(#[$m])*
        #[cfg(target_arch = "wasm32")]
        #[wasm_bindgen_test::wasm_bindgen_test]
        async fn $name() $body
    };
}
