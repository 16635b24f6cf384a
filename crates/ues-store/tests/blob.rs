//! Blobs: chunking, dedup across blobs, compression, streaming read back,
//! corruption detection. Runs natively and as wasm in headless Chromium.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use std::collections::HashSet;
use ues_data::cid::{blake3_cid, sha256_cid, RAW};
use ues_store::blob::{
    self, put_blob, put_blob_parts, read_blob, BlobOptions, ChunkRef, Compression, Manifest,
};
use ues_store::conformance::pattern;
use ues_store::{Batch, BlockStore, Cid, MemoryStore, Store, StoreError};

use ues_fixtures::async_test;

async fn manifest_of(store: &MemoryStore, cid: &Cid) -> Manifest {
    read_blob(store, cid).await.unwrap().manifest().clone()
}

async fn round_trip_and_stream() {
    let store = MemoryStore::new();
    let data = pattern(1_000_000, 1);
    let r = put_blob(&store, &data, &BlobOptions::default())
        .await
        .unwrap();
    assert_eq!(r.size, data.len() as u64);
    assert_eq!(
        r.blob_cid,
        sha256_cid(RAW, &data),
        "blob CID is the atproto raw sha256 CID"
    );
    let mut reader = read_blob(&store, &r.manifest).await.unwrap();
    assert_eq!((reader.size(), reader.blob_cid()), (r.size, r.blob_cid));
    let n = reader.manifest().chunks.len();
    assert!(
        (4..=62).contains(&n),
        "{n} chunks for 1 MB at 16/64/256 KiB"
    );
    let mut out = Vec::new();
    let mut calls = 0;
    while let Some(chunk) = reader.next_chunk().await.unwrap() {
        assert!(chunk.len() <= 256 << 10);
        out.extend_from_slice(&chunk);
        calls += 1;
    }
    assert_eq!(calls, n);
    assert!(out == data, "round trip");
    assert_eq!(reader.next_chunk().await.unwrap(), None, "stays finished");
    assert_eq!(store.block_count(), n + 1, "chunks + manifest");

    // Parts split anywhere chunk the same way: same manifest.
    let parts: Vec<&[u8]> = data.chunks(7777).collect();
    let r2 = put_blob_parts(&store, parts, &BlobOptions::default())
        .await
        .unwrap();
    assert_eq!(r2, r);
    assert_eq!(
        store.block_count(),
        n + 1,
        "same blob stored twice takes no more blocks"
    );

    // Empty blob.
    let e = put_blob(&store, &[], &BlobOptions::default())
        .await
        .unwrap();
    assert_eq!((e.size, e.blob_cid), (0, sha256_cid(RAW, &[])));
    assert_eq!(
        read_blob(&store, &e.manifest)
            .await
            .unwrap()
            .read_to_end()
            .await
            .unwrap(),
        Vec::<u8>::new()
    );
}
async_test!(blob_round_trip, round_trip_and_stream());

async fn shared_middle_dedupes() {
    let store = MemoryStore::new();
    let middle = pattern(2_000_000, 2);
    let blob_a = [pattern(300_000, 3), middle.clone(), pattern(200_000, 4)].concat();
    let blob_b = [pattern(123_457, 5), middle, pattern(400_000, 6)].concat();
    let opts = BlobOptions::default();
    let a = put_blob(&store, &blob_a, &opts).await.unwrap();
    let after_a = store.block_bytes();
    let b = put_blob(&store, &blob_b, &opts).await.unwrap();
    let added = store.block_bytes() - after_a;

    let ca: HashSet<Cid> = manifest_of(&store, &a.manifest)
        .await
        .chunks
        .iter()
        .map(|c| c.cid)
        .collect();
    let cb: HashSet<Cid> = manifest_of(&store, &b.manifest)
        .await
        .chunks
        .iter()
        .map(|c| c.cid)
        .collect();
    let shared = ca.intersection(&cb).count();
    assert!(
        shared * 2 > ca.len(),
        "only {shared} of {} chunks shared",
        ca.len()
    );
    assert!(
        added < blob_b.len() * 2 / 3,
        "second blob added {added} bytes for {} bytes",
        blob_b.len()
    );
    for (r, data) in [(a, &blob_a), (b, &blob_b)] {
        let got = read_blob(&store, &r.manifest)
            .await
            .unwrap()
            .read_to_end()
            .await
            .unwrap();
        assert!(&got == data);
    }
}
async_test!(blob_dedup_across_blobs, shared_middle_dedupes());

async fn lz4_round_trip() {
    let store = MemoryStore::new();
    let text: Vec<u8> = (0..40_000)
        .flat_map(|i| format!("post {i}: the quick brown fox. ").into_bytes())
        .collect();
    let random = pattern(200_000, 9);
    let data = [text.clone(), random].concat();
    let r = put_blob(&store, &data, &BlobOptions::lz4()).await.unwrap();
    let m = manifest_of(&store, &r.manifest).await;
    let lz4 = m
        .chunks
        .iter()
        .filter(|c| c.compression == Compression::Lz4)
        .count();
    let raw = m
        .chunks
        .iter()
        .filter(|c| c.compression == Compression::None)
        .count();
    assert!(
        lz4 > 0 && raw > 0,
        "text compresses, random bytes stay raw ({lz4} lz4, {raw} raw)"
    );
    assert!(
        store.block_bytes() < data.len() * 2 / 3,
        "stored {} for {}",
        store.block_bytes(),
        data.len()
    );
    let got = read_blob(&store, &r.manifest)
        .await
        .unwrap()
        .read_to_end()
        .await
        .unwrap();
    assert!(got == data, "lz4 round trip");
    // Compression does not change the blob's identity, only how it is stored.
    let plain = put_blob(&MemoryStore::new(), &data, &BlobOptions::default())
        .await
        .unwrap();
    assert_eq!((plain.blob_cid, plain.size), (r.blob_cid, r.size));
    assert_ne!(plain.manifest, r.manifest);
}
async_test!(blob_lz4, lz4_round_trip());

async fn corruption_detected() {
    let store = MemoryStore::new();
    let data = pattern(300_000, 10);
    let r = put_blob(&store, &data, &BlobOptions::default())
        .await
        .unwrap();
    let m = manifest_of(&store, &r.manifest).await;

    // A chunk whose bytes no longer match its CID.
    let victim = m.chunks[1].cid;
    let mut b = Batch::new();
    b.put_block(victim, vec![0u8; m.chunks[1].size as usize]);
    store.apply(b).await.unwrap();
    let mut reader = read_blob(&store, &r.manifest).await.unwrap();
    assert!(reader.next_chunk().await.unwrap().is_some());
    assert_eq!(reader.next_chunk().await, Err(StoreError::Corrupt(victim)));

    // A missing chunk.
    let mut b = Batch::new();
    b.delete_block(victim);
    store.apply(b).await.unwrap();
    let err = read_blob(&store, &r.manifest)
        .await
        .unwrap()
        .read_to_end()
        .await;
    assert_eq!(err, Err(StoreError::NotFound(victim)));

    // Chunks intact, but the manifest names another blob CID: the last chunk fails.
    let store = MemoryStore::new();
    let r = put_blob(&store, &data, &BlobOptions::default())
        .await
        .unwrap();
    let mut forged = manifest_of(&store, &r.manifest).await;
    forged.blob_cid = sha256_cid(RAW, b"something else");
    let (fcid, fbytes) = forged.encode().unwrap();
    let mut b = Batch::new();
    b.put_block(fcid, fbytes);
    store.apply(b).await.unwrap();
    let err = read_blob(&store, &fcid).await.unwrap().read_to_end().await;
    assert_eq!(err, Err(StoreError::Corrupt(forged.blob_cid)));

    // A manifest block that does not match its CID, one that is absent, and
    // a block that is not a manifest.
    let mut b = Batch::new();
    b.put_block(r.manifest, b"garbage".to_vec());
    store.apply(b).await.unwrap();
    assert_eq!(
        read_blob(&store, &r.manifest).await.err(),
        Some(StoreError::Corrupt(r.manifest))
    );
    let absent = blake3_cid(RAW, b"absent");
    assert_eq!(
        read_blob(&store, &absent).await.err(),
        Some(StoreError::NotFound(absent))
    );
    let not_manifest = Manifest {
        kind: "other".into(),
        size: 0,
        blob_cid: r.blob_cid,
        chunks: vec![],
    };
    let (ncid, nbytes) = not_manifest.encode().unwrap();
    let mut b = Batch::new();
    b.put_block(ncid, nbytes);
    store.apply(b).await.unwrap();
    assert!(matches!(
        read_blob(&store, &ncid).await,
        Err(StoreError::InvalidArgument(_))
    ));
    // Sizes that do not add up.
    let lying = Manifest {
        kind: blob::MANIFEST_TYPE.into(),
        size: 10,
        blob_cid: r.blob_cid,
        chunks: vec![ChunkRef {
            cid: absent,
            size: 3,
            compression: Compression::None,
        }],
    };
    let (lcid, lbytes) = lying.encode().unwrap();
    let mut b = Batch::new();
    b.put_block(lcid, lbytes);
    store.apply(b).await.unwrap();
    assert!(matches!(
        read_blob(&store, &lcid).await,
        Err(StoreError::InvalidArgument(_))
    ));
}
async_test!(blob_corruption, corruption_detected());

async fn bad_options_rejected() {
    let store = MemoryStore::new();
    let opts = BlobOptions {
        min_chunk: 10,
        ..BlobOptions::default()
    };
    assert!(matches!(
        put_blob(&store, b"x", &opts).await,
        Err(StoreError::InvalidArgument(_))
    ));
    let opts = BlobOptions {
        avg_chunk: 1 << 30,
        ..BlobOptions::default()
    };
    assert!(matches!(
        put_blob(&store, b"x", &opts).await,
        Err(StoreError::InvalidArgument(_))
    ));
    assert_eq!(store.block_count(), 0);
    // Small chunks, many of them.
    let opts = BlobOptions {
        min_chunk: 1024,
        avg_chunk: 4096,
        max_chunk: 16384,
        ..BlobOptions::default()
    };
    let data = pattern(500_000, 11);
    let r = put_blob(&store, &data, &opts).await.unwrap();
    let reader = read_blob(&store, &r.manifest).await.unwrap();
    assert!(reader.manifest().chunks.len() > 50);
    assert!(reader.read_to_end().await.unwrap() == data);
    assert!(store.has_block(&r.manifest).await.unwrap());
}
async_test!(blob_options, bad_options_rejected());
