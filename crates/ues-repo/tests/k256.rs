//! The repo with a real k256 key from `ues-identity`: signed commits verify
//! against the key's did:key, a CAR verifies and another key is rejected.
//! Runs natively and as wasm in headless Chromium.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;

use ues_fixtures::async_test;

use common::{post, tids, DID};
use ues_identity::Keypair;
use ues_repo::car_io::verify_car;
use ues_repo::{key_from_did_key, Repo, RepoError, Signer, Write};
use ues_store::MemoryStore;

async fn signed_with_k256() {
    let key = Keypair::k256_from_bytes(&[7u8; 32]).unwrap();
    let other = Keypair::k256_from_bytes(&[8u8; 32]).unwrap();
    let mut repo = Repo::open(MemoryStore::new(), DID)
        .await
        .unwrap()
        .with_tids(tids(5));
    let writes: Vec<Write> = (0..30)
        .map(|i| Write::Create {
            collection: "app.bsky.feed.post".into(),
            rkey: None,
            record: post(i),
        })
        .collect();
    repo.apply_writes(&writes, &key).await.unwrap();
    let commit = repo.commit().unwrap();
    assert_eq!(commit.sig.len(), 64);
    let public = key_from_did_key(&Signer::did_key(&key)).unwrap();
    commit.verify(&public).unwrap();
    let car = repo.export_car().await.unwrap();
    assert_eq!(
        verify_car(&car, Some(DID), &public).unwrap().records.len(),
        30
    );
    let wrong = key_from_did_key(&Signer::did_key(&other)).unwrap();
    assert!(matches!(
        verify_car(&car, Some(DID), &wrong),
        Err(RepoError::BadSignature)
    ));
    assert!(matches!(
        key_from_did_key("did:key:nope"),
        Err(RepoError::BadKey(_))
    ));
}
async_test!(k256_signed_repo, signed_with_k256());

/// Golden vector from @atproto/repo 0.10 in Node (`signCommit` +
/// `dataToCborBlock`, `Secp256k1Keypair.import([7; 32])`): the same unsigned
/// commit gives the same signature and the same commit CID.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn commit_matches_reference() {
    let key = Keypair::k256_from_bytes(&[7u8; 32]).unwrap();
    assert_eq!(
        Signer::did_key(&key),
        "did:key:zQ3shXgWjVsCJsv9mBm6kVqFSjAnErMg3zG9CcyvmUCCaFRCr"
    );
    let commit = ues_repo::UnsignedCommit {
        did: DID.into(),
        data: ues_data::cid::parse("bafyreie5cvv4h45feadgeuwhbcutmh6t2ceseocckahdoe6uat64zmz454")
            .unwrap(),
        rev: ues_repo::Tid::parse("3l3qo2vuowo2b").unwrap(),
        prev: None,
    }
    .sign(&key)
    .unwrap();
    let hex: String = commit.sig.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        hex,
        "b1ff0172faa3a8c8dcca96b5ce195e7e7f1096e7a9e8bd4f23ccaa779dd70db9\
         30824ed057c3cacc440bd29b3db52bb9f4cc38c01e5d642c602a46228c4e42c5"
    );
    let (cid, bytes) = commit.to_block().unwrap();
    assert_eq!(
        cid.to_string(),
        "bafyreid2s5rvqwx7kiufkijsi3xvcsoextqk6xwkoddxve4zar3rgzo5kq"
    );
    assert_eq!(ues_repo::Commit::decode(&bytes).unwrap(), commit);
}

/// Golden vector from Node (`jsonToLex` of @atproto/lex-json, then
/// `dataToCborBlock`): a record with a link, bytes, a list and an integer
/// encodes to the same CID.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn record_cid_matches_reference() {
    let rec = ues_repo::record_from_json(&serde_json::json!({
        "$type": "app.bsky.feed.post",
        "text": "post 5 hello world",
        "createdAt": "2026-11-24T00:00:00.000Z",
        "facets": [],
        "langs": ["en"],
        "n": 42,
        "emb": { "$link": "bafyreie5cvv4h45feadgeuwhbcutmh6t2ceseocckahdoe6uat64zmz454" },
        "raw": { "$bytes": "AAEC" },
    }))
    .unwrap();
    let bytes = ues_data::cbor::encode(&rec).unwrap();
    assert_eq!(
        ues_data::cid::cbor_cid(&bytes).to_string(),
        "bafyreihauf2l3yi2l3kz37whaf55wzgq33vsao6tlsvzrxjiijxtcklhxu"
    );
}

/// A repo written by @atproto/repo 0.10 in Node (300 creates in two commits,
/// then one delete; key `[7; 32]`, see `data/README.md`) imports and verifies
/// here; the same writes with the same final rev give the same commit CID and
/// the same CAR blocks.
async fn reference_repo() {
    let car = include_bytes!("data/reference-299.car");
    let did = "did:key:zQ3shXgWjVsCJsv9mBm6kVqFSjAnErMg3zG9CcyvmUCCaFRCr";
    let public = key_from_did_key(did).unwrap();
    let v = verify_car(car, Some(did), &public).unwrap();
    assert_eq!(v.records.len(), 299);
    let head = "bafyreieae3grj2hoyaztuem4b6gh7n76ofkttd3xkojrvvqi4lixztc5r4";
    assert_eq!(v.commit_cid.to_string(), head);
    let mut imported = ues_repo::car_io::import_car(MemoryStore::new(), car, None, &public)
        .await
        .unwrap();
    assert_eq!(imported.did(), did);
    assert_eq!(
        imported
            .get_record("app.bsky.feed.post", "r00100")
            .await
            .unwrap()
            .unwrap()
            .1,
        post(100)
    );

    let key = Keypair::k256_from_bytes(&[7u8; 32]).unwrap();
    let rev = ues_repo::Tid::parse("3n33tcgysuc2g").unwrap();
    let t = std::cell::Cell::new(rev.micros() - 3);
    let gen = ues_repo::TidGenerator::new(
        Box::new(move || {
            t.set(t.get() + 1);
            t.get()
        }),
        rev.clock_id(),
    );
    let mut ours = Repo::open(MemoryStore::new(), did)
        .await
        .unwrap()
        .with_tids(gen);
    let creates: Vec<Write> = (0..300)
        .map(|i| Write::Create {
            collection: "app.bsky.feed.post".into(),
            rkey: Some(format!("r{i:05}")),
            record: post(i),
        })
        .collect();
    ours.apply_writes(&creates[..200], &key).await.unwrap();
    ours.apply_writes(&creates[200..], &key).await.unwrap();
    ours.delete_record("app.bsky.feed.post", "r00003", &key)
        .await
        .unwrap();
    assert_eq!(ours.rev(), Some(rev));
    assert_eq!(ours.head().unwrap().to_string(), head);
    let mine = ues_data::car::read_all(&ours.export_car().await.unwrap()).unwrap();
    assert_eq!(mine.blocks, ues_data::car::read_all(car).unwrap().blocks);
}
async_test!(k256_reference_repo, reference_repo());
