//! The op log's checks: each kind of bad op is rejected with its typed
//! error and nothing of it applied, while honest ops in the same batch
//! still apply (the batch policy); held ops wait for their parents, within
//! bounds.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;

use common::{key, log_of, test_log, TestKey, LOG};
use ues_data::cbor::Ipld;
use ues_data::cid::Cid;
use ues_sync::op::OP_VERSION;
use ues_sync::{
    Acl, Edit, EditKind, Hlc, LogLimits, Op, OpLog, OpSigner, Received, SyncError, UnsignedOp,
    VectorClock,
};

fn set(t: &str, v: i128) -> Vec<Edit> {
    vec![Edit::new(EditKind::Set, t, Ipld::Integer(v))]
}

fn block(log: &OpLog, cid: &Cid) -> Vec<u8> {
    log.get(cid).expect("op").bytes.clone()
}

/// An op by `signer` on top of `parents` in `log` (not applied anywhere).
fn op_on(log: &OpLog, signer: &dyn OpSigner, parents: Vec<Cid>, ts: u64) -> UnsignedOp {
    let mut clock = VectorClock::new();
    for p in &parents {
        clock.merge(&log.get(p).expect("parent").op.clock);
    }
    clock.increment(&signer.author());
    UnsignedOp {
        author: signer.author(),
        clock,
        edits: set("reg/x", 1),
        log: LOG.into(),
        parents,
        ts: Hlc(ts),
        version: OP_VERSION,
    }
}

fn bytes_of(op: &Op) -> Vec<u8> {
    op.to_block().expect("encodes").1
}

both! {
    fn local_ops_apply_and_chain() {
        let (mut log, ks) = test_log(2);
        let a = log.create(&ks[0], set("reg/a", 1), 10).unwrap();
        let b = log.create(&ks[1], set("reg/b", 2), 5).unwrap();
        assert_eq!(log.heads(), vec![b]);
        let ob = &log.get(&b).unwrap().op;
        assert_eq!(ob.parents, vec![a]);
        assert_eq!(ob.clock.get(&ks[0].author()), 1);
        assert_eq!(ob.clock.get(&ks[1].author()), 1);
        // The wall clock went back (5 < 10): the HLC still moved forward.
        assert!(ob.ts > log.get(&a).unwrap().op.ts);
        assert_eq!(log.clock().total(), 2);
    }
}

both! {
    /// Real ed25519: a forged signature, a non-member and a tampered block
    /// in one batch with honest ops; the honest ones apply, each bad one is
    /// reported with its own error, and the state is as if they never came.
    fn batch_with_forgeries_applies_only_the_honest_ops() {
        let ks = [key(0), key(1)];
        let outsider = key(9);
        let mut src = log_of(&ks);
        let c1 = src.create(&ks[0], set("reg/a", 1), 1).unwrap();
        let c2 = src.create(&ks[1], set("reg/b", 2), 2).unwrap();
        // Forged: ks[1]'s op re-signed by the outsider but naming ks[1].
        let mut forged = op_on(&src, &ks[1], vec![c2], 3).sign(&outsider).unwrap();
        forged.author = ks[1].author();
        // Non-member: a validly signed op by the outsider.
        let nonmember = op_on(&src, &outsider, vec![c2], 4).sign(&outsider).unwrap();
        // Tampered: an honest op whose payload was changed after signing.
        let mut tampered = op_on(&src, &ks[0], vec![c2], 5).sign(&ks[0]).unwrap();
        tampered.edits = set("reg/a", 666);

        let mut dst = log_of(&ks);
        let report = dst.receive_batch(vec![
            block(&src, &c1),
            bytes_of(&forged),
            bytes_of(&nonmember),
            block(&src, &c2),
            bytes_of(&tampered),
        ]);
        assert_eq!(report.applied, vec![c1, c2]);
        let codes: Vec<&str> = report.rejected.iter().map(SyncError::code).collect();
        assert_eq!(codes, ["BadSignature", "NotMember", "BadSignature"]);
        assert_eq!(dst.len(), 2);
        assert_eq!(dst.heads(), vec![c2]);
        assert_eq!(dst.state().cid().unwrap(), src.state().cid().unwrap());
    }
}

both! {
    fn malformed_and_mismatched_blocks_are_rejected() {
        let (mut src, ks) = test_log(1);
        let c = src.create(&ks[0], set("reg/a", 1), 1).unwrap();
        let good = block(&src, &c);
        let mut dst = test_log(1).0;
        // One flipped byte: either no longer canonical DAG-CBOR or a bad signature.
        let mut flipped = good.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        let e = dst.receive(flipped).unwrap_err();
        assert!(matches!(e, SyncError::MalformedOp(_) | SyncError::BadSignature(_)), "{e}");
        // A block asked for by CID must hash to it.
        let other = Cid::default();
        assert_eq!(dst.receive_expected(other, good.clone()), Err(SyncError::CidMismatch(other)));
        assert!(matches!(dst.receive(vec![0xa0]), Err(SyncError::MalformedOp(_))));
        assert!(dst.is_empty());
        assert_eq!(dst.receive_expected(c, good), Ok(Received::Applied(vec![c])));
    }
}

both! {
    fn clock_rules() {
        let (mut log, ks) = test_log(2);
        let a1 = log.create(&ks[0], set("reg/a", 1), 1).unwrap();
        let a2 = log.create(&ks[0], set("reg/a", 2), 2).unwrap();
        // A second op at seq 2 (a fork / replay with other content).
        let mut fork = op_on(&log, &ks[0], vec![a1], 3);
        fork.edits = set("reg/a", 3);
        let fork = fork.sign(&ks[0]).unwrap();
        assert!(matches!(
            log.receive(bytes_of(&fork)),
            Err(SyncError::ClockRegression { got: 2, expected: 3, .. })
        ));
        // A clock entry that claims more than the parents show.
        let mut bad = op_on(&log, &ks[1], vec![a2], 4);
        bad.clock.set(&ks[0].author(), 5);
        let bad = bad.sign(&ks[1]).unwrap();
        assert!(matches!(log.receive(bytes_of(&bad)), Err(SyncError::BadClock { .. })));
        // A timestamp not after the parent's.
        let ts = log.get(&a2).unwrap().op.ts.0;
        let early = op_on(&log, &ks[1], vec![a2], ts).sign(&ks[1]).unwrap();
        assert!(matches!(log.receive(bytes_of(&early)), Err(SyncError::TimestampRegression(_))));
        // Parents out of order (unsigned parents are sorted by `sign`, so
        // reorder after signing: the signature breaks too, but the order
        // check comes first and names the problem).
        let b = log.create(&ks[1], set("reg/b", 1), 10).unwrap();
        let mut two = op_on(&log, &ks[0], vec![a2, b], 20).sign(&ks[0]).unwrap();
        two.parents.reverse();
        assert!(matches!(log.receive(bytes_of(&two)), Err(SyncError::NonCanonicalParents(_))));
        // Another log's op.
        let mut other = op_on(&log, &ks[0], vec![b], 30);
        other.log = "log:other".into();
        let other = other.sign(&ks[0]).unwrap();
        assert!(matches!(log.receive(bytes_of(&other)), Err(SyncError::WrongLog { .. })));
        assert_eq!(log.len(), 3);
        // A retired member may not write past its final op.
        log.acl_mut().retire(&ks[1].author(), 1);
        let late = op_on(&log, &ks[1], vec![b], 40).sign(&ks[1]).unwrap();
        assert!(matches!(log.receive(bytes_of(&late)), Err(SyncError::NotMember { .. })));
    }
}

both! {
    /// Ops delivered children first are held, then applied when the
    /// parents come, in any order; the result equals in-order delivery.
    fn reordered_delivery_is_held_then_applied() {
        let (mut src, ks) = test_log(3);
        let mut cids = Vec::new();
        for i in 0..12u64 {
            cids.push(src.create(&ks[(i % 3) as usize], set("reg/a", i.into()), i).unwrap());
        }
        let mut dst = test_log(3).0;
        for c in cids.iter().rev().take(11) {
            assert_eq!(dst.receive(block(&src, c)), Ok(Received::Held(*c)));
        }
        assert_eq!(dst.len(), 0);
        assert_eq!(dst.pending_len(), 11);
        assert_eq!(dst.missing_parents(10), vec![cids[0]]);
        match dst.receive(block(&src, &cids[0])).unwrap() {
            Received::Applied(all) => assert_eq!(all, cids),
            other => panic!("{other:?}"),
        }
        assert_eq!(dst.pending_len(), 0);
        assert_eq!(dst.state().cid().unwrap(), src.state().cid().unwrap());
    }
}

both! {
    fn pending_buffer_is_bounded() {
        let (mut src, ks) = test_log(1);
        let cids: Vec<Cid> =
            (0..6).map(|i| src.create(&ks[0], set("reg/a", i), i as u64).unwrap()).collect();
        let limits = LogLimits { max_pending: 3, max_pending_bytes: 1 << 20 };
        let mut acl = Acl::new();
        acl.add_verifier(&ks[0].author(), std::rc::Rc::new(TestKey(0)));
        let mut dst = OpLog::with_limits(LOG, acl, limits);
        for c in &cids[1..4] {
            assert_eq!(dst.receive(block(&src, c)), Ok(Received::Held(*c)));
        }
        assert_eq!(dst.receive(block(&src, &cids[4])), Err(SyncError::PendingFull(3)));
        assert_eq!(dst.pending_len(), 3);
        let r = dst.receive(block(&src, &cids[0])).unwrap();
        assert_eq!(r, Received::Applied(cids[..4].to_vec()));
    }
}

async_both! {
    /// Saved in one batch per save, loaded back with every block verified
    /// and every op replayed: the same heads and state.
    async fn save_and_load_round_trip() {
        let store = ues_store::MemoryStore::new();
        let (mut log, ks) = test_log(2);
        for i in 0..5u64 {
            log.create(&ks[(i % 2) as usize], set("reg/a", i.into()), i).unwrap();
        }
        assert_eq!(ues_sync::persist::save(&mut log, &store).await.unwrap(), 5);
        for i in 5..9u64 {
            log.create(&ks[(i % 2) as usize], set("ctr/x", i.into()), i).unwrap();
        }
        assert_eq!(ues_sync::persist::save(&mut log, &store).await.unwrap(), 4);
        assert_eq!(store.block_count(), 9);
        let acl = log.acl().clone();
        let back = ues_sync::persist::load(&store, LOG, acl).await.unwrap();
        assert_eq!(back.heads(), log.heads());
        assert_eq!(back.len(), 9);
        assert_eq!(back.state().cid().unwrap(), log.state().cid().unwrap());
        // A corrupted block is caught on load.
        let head = log.heads()[0];
        let mut b = ues_store::Batch::new();
        b.put_block(head, vec![0xa0]);
        ues_store::Store::apply(&store, b).await.unwrap();
        let e = ues_sync::persist::load(&store, LOG, log.acl().clone()).await.unwrap_err();
        assert_eq!(e.code(), "Store");
    }
}

both! {
    /// A held op that turns out invalid once its parent arrives (here: a
    /// timestamp not after the parent's) is dropped and counted; the parent
    /// applies.
    fn held_op_invalid_after_its_parent_arrives_is_dropped() {
        let (mut src, ks) = test_log(2);
        let p = src.create(&ks[0], set("reg/a", 1), 100).unwrap();
        let ts = src.get(&p).unwrap().op.ts.0;
        let child = op_on(&src, &ks[1], vec![p], ts - 1).sign(&ks[1]).unwrap();
        let mut dst = test_log(2).0;
        assert!(matches!(dst.receive(bytes_of(&child)), Ok(Received::Held(_))));
        assert_eq!(dst.receive(block(&src, &p)), Ok(Received::Applied(vec![p])));
        assert_eq!((dst.len(), dst.pending_len(), dst.dropped()), (1, 0, 1));
    }
}
