//! The repo workload of PERFORMANCE.md: 10,000 `app.bsky.feed.post` records
//! written as 100 commits of 100 creates with one k256 key (memory store),
//! exported as CAR v1, then verified (signature, every block, MST, records)
//! and imported. Prints the median of 3 runs of each step.
//!
//! `cargo bench -p ues-repo --bench repo`

use futures::executor::block_on;
use std::time::{Duration, Instant};
use ues_identity::Keypair;
use ues_repo::car_io::{import_car, verify_car};
use ues_repo::{key_from_did_key, record_from_json, Repo, Signer, Tid, TidGenerator, Write};
use ues_store::MemoryStore;

/// The PERFORMANCE.md key sequence (LCG computed in f64, as JS does).
fn rkeys(n: usize) -> Vec<String> {
    let mut s = 1.0f64;
    (0..n)
        .map(|i| {
            s = (s * 1103515245.0 + 12345.0) % 2147483648.0;
            let mut v = s as u64;
            let mut b36 = Vec::new();
            while v > 0 {
                b36.push(b"0123456789abcdefghijklmnopqrstuvwxyz"[(v % 36) as usize]);
                v /= 36;
            }
            b36.reverse();
            let b36 = String::from_utf8(b36).unwrap_or_default();
            format!("{b36:2>13}{i}")
        })
        .collect()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let key = Keypair::k256_from_bytes(&[42u8; 32]).expect("key");
    let did = Signer::did_key(&key);
    let public = key_from_did_key(&did).expect("did:key");
    let keys = rkeys(10_000);
    let writes: Vec<Write> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| Write::Create {
            collection: "app.bsky.feed.post".into(),
            rkey: Some(k.clone()),
            record: record_from_json(&serde_json::json!({
                "$type": "app.bsky.feed.post",
                "text": format!("post {i} hello world"),
                "createdAt": "2026-11-24T00:00:00.000Z",
            }))
            .expect("record"),
        })
        .collect();
    let (mut build, mut export, mut verify, mut import) = (vec![], vec![], vec![], vec![]);
    let mut car = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let mut repo = block_on(Repo::open(MemoryStore::new(), &did))
            .expect("open")
            .with_tids(TidGenerator::new(Box::new(|| 1_732_000_000_000_000u64), 0));
        for chunk in writes.chunks(100) {
            block_on(repo.apply_writes(chunk, &key)).expect("commit");
        }
        build.push(t.elapsed());
        let t = Instant::now();
        car = block_on(repo.export_car()).expect("export");
        export.push(t.elapsed());
        let t = Instant::now();
        let v = verify_car(&car, Some(&did), &public).expect("verify");
        assert_eq!(v.records.len(), 10_000);
        verify.push(t.elapsed());
        let t = Instant::now();
        let copy =
            block_on(import_car(MemoryStore::new(), &car, Some(&did), &public)).expect("import");
        assert_eq!(copy.head(), repo.head());
        import.push(t.elapsed());
        assert!(repo.rev() > Some(Tid::new(0, 0)));
    }
    println!("repo workload: 10,000 records, 100 commits of 100 creates, k256");
    println!("  build (100 commits)      {:?}", median(build));
    println!("  export CAR ({} bytes)  {:?}", car.len(), median(export));
    println!("  verify CAR (in memory)   {:?}", median(verify));
    println!("  import CAR (verify+store) {:?}", median(import));
}
