//! Property: any sequence of commits, exported since rev r and applied to a
//! copy at rev r, yields the same root and head. Native only (proptest).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{post, tids, TestKey, DID};
use futures::executor::block_on;
use proptest::prelude::*;
use std::collections::BTreeSet;
use ues_repo::car_io::import_car;
use ues_repo::{Repo, Write};
use ues_store::MemoryStore;

const COLL: &str = "app.bsky.feed.post";

/// Turns (key, value) choices into valid writes against the current keys:
/// an existing key is updated (value > 0) or deleted, a new one created.
fn to_writes(batch: &[(u16, u8)], live: &mut BTreeSet<u16>) -> Vec<Write> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for &(k, v) in batch {
        if !seen.insert(k) {
            continue;
        }
        let rkey = format!("k{k:04}");
        if live.contains(&k) {
            if v == 0 {
                live.remove(&k);
                out.push(Write::Delete {
                    collection: COLL.into(),
                    rkey,
                });
            } else {
                out.push(Write::Update {
                    collection: COLL.into(),
                    rkey,
                    record: post(v as usize),
                });
            }
        } else {
            live.insert(k);
            out.push(Write::Create {
                collection: COLL.into(),
                rkey: Some(rkey),
                record: post(v as usize),
            });
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn slice_since_rev_reaches_same_root(
        commits in prop::collection::vec(prop::collection::vec((0u16..300, 0u8..4), 1..40), 2..8),
        split in 0usize..8,
    ) {
        block_on(async {
            let key = TestKey(1);
            let mut repo = Repo::open(MemoryStore::new(), DID).await.unwrap().with_tids(tids(10));
            let split = split % commits.len();
            let mut live = BTreeSet::new();
            let mut copy = None;
            for (i, batch) in commits.iter().enumerate() {
                let writes = to_writes(batch, &mut live);
                repo.apply_writes(&writes, &key).await.unwrap();
                if i == split {
                    let car = repo.export_car().await.unwrap();
                    copy = Some(import_car(MemoryStore::new(), &car, Some(DID), &key).await.unwrap());
                }
            }
            let mut copy = copy.unwrap();
            let slice = repo.export_since(copy.rev()).await.unwrap();
            if split + 1 < commits.len() {
                copy.apply_car(&slice, &key).await.unwrap();
            }
            prop_assert_eq!(copy.data(), repo.data());
            prop_assert_eq!(copy.head(), repo.head());
            let n = live.len();
            prop_assert_eq!(copy.list_records(COLL, None, 1000, false).await.unwrap().len(), n);
            Ok(())
        })?;
    }
}
