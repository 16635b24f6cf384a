//! Block store checks: put/get/has/get_blocks/delete, batched, empty and
//! large blocks.

use super::{apply, ok, pattern};
use crate::{Batch, Cid, Store};
use ues_data::cid::{blake3_cid, sha256_cid, DAG_CBOR, RAW};

fn block(seed: u64, len: usize) -> (Cid, Vec<u8>) {
    let bytes = pattern(len, seed);
    (blake3_cid(RAW, &bytes), bytes)
}

/// Single blocks: absent before, present after put, absent after delete;
/// deleting an absent block is not an error; sha256 and BLAKE3 CIDs alike.
pub async fn blocks_put_get_has_delete<S: Store>(store: &S) {
    const C: &str = "blocks_put_get_has_delete";
    let (cid, bytes) = block(101, 1000);
    let bytes2 = pattern(77, 102);
    let cid2 = sha256_cid(DAG_CBOR, &bytes2);
    assert_eq!(
        ok(C, "get absent", store.get_block(&cid).await),
        None,
        "conformance[{C}]: block present before put"
    );
    assert!(
        !ok(C, "has absent", store.has_block(&cid).await),
        "conformance[{C}]: has_block true before put"
    );

    let mut b = Batch::new();
    b.put_block(cid, bytes.clone());
    apply(store, C, "put block", b).await;
    let mut b = Batch::new();
    b.put_block(cid2, bytes2.clone());
    apply(store, C, "put sha256 block", b).await;
    assert_eq!(
        ok(C, "get", store.get_block(&cid).await).as_deref(),
        Some(&bytes[..]),
        "conformance[{C}]: get_block after put"
    );
    assert_eq!(
        ok(C, "get sha256", store.get_block(&cid2).await).as_deref(),
        Some(&bytes2[..]),
        "conformance[{C}]: get_block (sha256 CID) after put"
    );
    assert!(
        ok(C, "has", store.has_block(&cid).await),
        "conformance[{C}]: has_block false after put"
    );

    // Putting the same block again is idempotent.
    let mut b = Batch::new();
    b.put_block(cid, bytes.clone());
    apply(store, C, "re-put block", b).await;
    assert_eq!(
        ok(C, "get after re-put", store.get_block(&cid).await).as_deref(),
        Some(&bytes[..]),
        "conformance[{C}]: get_block after re-put"
    );

    let mut b = Batch::new();
    b.delete_block(cid);
    apply(store, C, "delete block", b).await;
    assert_eq!(
        ok(C, "get deleted", store.get_block(&cid).await),
        None,
        "conformance[{C}]: block present after delete"
    );
    assert!(
        !ok(C, "has deleted", store.has_block(&cid).await),
        "conformance[{C}]: has_block true after delete"
    );
    assert!(
        ok(C, "has other", store.has_block(&cid2).await),
        "conformance[{C}]: deleting one block removed another"
    );

    let mut b = Batch::new();
    b.delete_block(cid);
    apply(store, C, "delete absent block", b).await;

    let mut b = Batch::new();
    b.put_block(cid, bytes.clone());
    apply(store, C, "put after delete", b).await;
    assert_eq!(
        ok(C, "get after re-put", store.get_block(&cid).await).as_deref(),
        Some(&bytes[..]),
        "conformance[{C}]: block absent after put following delete"
    );

    let mut b = Batch::new();
    b.delete_block(cid).delete_block(cid2);
    apply(store, C, "cleanup", b).await;
}

/// Many blocks in one batch; `get_blocks` answers in the order asked, with
/// duplicates and absent blocks (as `None`).
pub async fn blocks_batched<S: Store>(store: &S) {
    const C: &str = "blocks_batched";
    let blocks: Vec<_> = (0..50)
        .map(|i| block(200 + i, 10 + i as usize * 37))
        .collect();
    let (absent, _) = block(199, 5);
    let mut b = Batch::new();
    for (cid, bytes) in &blocks {
        b.put_block(*cid, bytes.clone());
    }
    apply(store, C, "put 50 blocks", b).await;

    let ask = [blocks[3].0, absent, blocks[0].0, blocks[3].0, blocks[49].0];
    let got = ok(C, "get_blocks", store.get_blocks(&ask).await);
    let want = vec![
        Some(blocks[3].1.clone()),
        None,
        Some(blocks[0].1.clone()),
        Some(blocks[3].1.clone()),
        Some(blocks[49].1.clone()),
    ];
    assert!(
        got == want,
        "conformance[{C}]: get_blocks returned the wrong blocks or order (lengths {:?})",
        got.iter()
            .map(|b| b.as_ref().map(Vec::len))
            .collect::<Vec<_>>()
    );
    assert!(
        ok(C, "get_blocks empty", store.get_blocks(&[]).await).is_empty(),
        "conformance[{C}]: get_blocks(&[]) not empty"
    );

    let all: Vec<Cid> = blocks.iter().map(|(c, _)| *c).collect();
    let got = ok(C, "get_blocks all", store.get_blocks(&all).await);
    for (i, (g, (_, bytes))) in got.iter().zip(&blocks).enumerate() {
        assert_eq!(
            g.as_deref(),
            Some(&bytes[..]),
            "conformance[{C}]: block {i} of get_blocks"
        );
    }

    let mut b = Batch::new();
    for (cid, _) in blocks.iter().step_by(2) {
        b.delete_block(*cid);
    }
    apply(store, C, "delete every other block", b).await;
    let got = ok(C, "get_blocks after delete", store.get_blocks(&all).await);
    for (i, g) in got.iter().enumerate() {
        assert_eq!(
            g.is_some(),
            i % 2 == 1,
            "conformance[{C}]: block {i} presence after deleting even blocks"
        );
        assert_eq!(
            ok(C, "has", store.has_block(&all[i]).await),
            i % 2 == 1,
            "conformance[{C}]: has_block {i} after deleting even blocks"
        );
    }

    let mut b = Batch::new();
    for cid in &all {
        b.delete_block(*cid);
    }
    apply(store, C, "cleanup", b).await;
}

/// A zero-length block reads back as `Some(empty)` (not absent), and a
/// 4 MiB block reads back whole.
pub async fn blocks_empty_and_large<S: Store>(store: &S) {
    const C: &str = "blocks_empty_and_large";
    let empty_cid = blake3_cid(RAW, &[]);
    let (big_cid, big) = block(300, 4 << 20);
    let mut b = Batch::new();
    b.put_block(empty_cid, Vec::new())
        .put_block(big_cid, big.clone());
    apply(store, C, "put empty and 4 MiB blocks", b).await;
    assert_eq!(
        ok(C, "get empty", store.get_block(&empty_cid).await),
        Some(Vec::new()),
        "conformance[{C}]: empty block"
    );
    assert!(
        ok(C, "has empty", store.has_block(&empty_cid).await),
        "conformance[{C}]: has_block(empty block)"
    );
    let got = ok(C, "get 4 MiB", store.get_block(&big_cid).await);
    assert!(
        got.as_deref() == Some(&big[..]),
        "conformance[{C}]: 4 MiB block read back with {:?} bytes",
        got.map(|g| g.len())
    );
    let mut b = Batch::new();
    b.delete_block(empty_cid).delete_block(big_cid);
    apply(store, C, "cleanup", b).await;
    assert!(
        !ok(C, "has after delete", store.has_block(&empty_cid).await),
        "conformance[{C}]: empty block still present after delete"
    );
}
