//! The sync protocol over an in-memory pipe: O(k) transfer for a k-op
//! divergence, bytes on the wire, the MST index diff, frame limits,
//! versioning, backpressure and resumption.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;

use common::{random_edit, test_log, Rng, TestKey};
use std::collections::VecDeque;
use ues_sync::proto::PROTOCOL_VERSION;
use ues_sync::{Msg, OpLog, Session, SessionConfig, SyncError, MAX_FRAME};

/// A shared history of `base` ops, then `k` more ops on each side.
fn diverged(base: usize, k: usize) -> (OpLog, OpLog, Vec<TestKey>) {
    let (mut a, ks) = test_log(3);
    let mut rng = Rng::new(base as u64);
    for i in 0..base {
        let edits = (0..3).map(|_| random_edit(&mut rng)).collect();
        a.create(&ks[i % 3], edits, i as u64).unwrap();
    }
    let mut b = a.clone();
    for i in 0..k {
        let edits = (0..3).map(|_| random_edit(&mut rng)).collect();
        a.create(&ks[0], edits, (base + i) as u64).unwrap();
        let edits = (0..3).map(|_| random_edit(&mut rng)).collect();
        b.create(&ks[1], edits, (base + i) as u64).unwrap();
    }
    (a, b, ks)
}

/// Runs both sessions to quiescence over a FIFO pipe; returns the frames
/// moved.
fn pump(
    a: &mut OpLog,
    sa: &mut Session,
    b: &mut OpLog,
    sb: &mut Session,
    mut to_b: VecDeque<Vec<u8>>,
) -> usize {
    let mut to_a: VecDeque<Vec<u8>> = VecDeque::new();
    let mut moved = 0;
    loop {
        while let Some(f) = sa.poll_transmit(a).unwrap() {
            to_b.push_back(f);
        }
        while let Some(f) = sb.poll_transmit(b).unwrap() {
            to_a.push_back(f);
        }
        if let Some(f) = to_b.pop_front() {
            let h = sb.handle(b, &f).unwrap();
            assert!(h.report.rejected.is_empty());
            to_a.extend(h.out);
        } else if let Some(f) = to_a.pop_front() {
            let h = sa.handle(a, &f).unwrap();
            assert!(h.report.rejected.is_empty());
            to_b.extend(h.out);
        } else {
            return moved;
        }
        moved += 1;
    }
}

fn sync(a: &mut OpLog, b: &mut OpLog, cfg: SessionConfig) -> (Session, Session) {
    let (mut sa, mut sb) = (Session::new(cfg), Session::new(cfg));
    let hello = sa.open(a).unwrap();
    pump(a, &mut sa, b, &mut sb, VecDeque::from([hello]));
    (sa, sb)
}

both! {
    /// Replicas with 600 shared ops that diverged by k ops each exchange
    /// exactly the 2k missing ops, however large the shared history.
    fn divergence_of_k_moves_o_k_blocks() {
        for (base, k) in [(600, 1), (600, 8), (150, 8)] {
            let (mut a, mut b, _) = diverged(base, k);
            let (sa, sb) = sync(&mut a, &mut b, SessionConfig::default());
            assert_eq!(sa.stats().ops_out, k as u64, "a sent");
            assert_eq!(sb.stats().ops_out, k as u64, "b sent");
            assert_eq!(a.len(), base + 2 * k);
            assert_eq!(a.state().cid().unwrap(), b.state().cid().unwrap());
            // A handful of frames, not one per shared op.
            assert!(sa.stats().frames_out + sb.stats().frames_out <= 8);
        }
    }
}

both! {
    /// Bytes on the wire (every frame, both ways, hellos and acks included)
    /// against the bytes of the missing op blocks.
    fn delta_sync_wire_bytes_near_block_bytes() {
        let (mut a, mut b, _) = diverged(300, 60);
        let (sa, sb) = sync(&mut a, &mut b, SessionConfig::default());
        let wire = sa.stats().bytes_out + sb.stats().bytes_out;
        let blocks = sa.stats().op_bytes_out + sb.stats().op_bytes_out;
        let ratio = wire as f64 / blocks as f64;
        #[cfg(not(target_arch = "wasm32"))]
        println!("delta sync: {wire} bytes on the wire for {blocks} bytes of missing blocks: {ratio:.3}x");
        assert!(ratio <= 1.1, "ratio {ratio}");
    }
}

both! {
    /// The MST index diffs like a repo: exactly the other side's new ops.
    fn mst_index_diff_finds_the_missing_ops() {
        let (mut a, mut b, _) = diverged(200, 5);
        let mut missing = a.index_diff(&mut b).unwrap();
        missing.sort();
        let mut want = b.ops_since(a.clock());
        want.sort();
        assert_eq!(missing.len(), 5);
        assert_eq!(missing, want);
        let (sa, sb) = sync(&mut a, &mut b, SessionConfig::default());
        assert!(sa.stats().ops_out > 0 && sb.stats().ops_out > 0);
        assert_eq!(a.index_root().unwrap(), b.index_root().unwrap());
    }
}

both! {
    fn frame_limits_versions_and_wrong_log() {
        let (mut a, _, _) = diverged(5, 0);
        let before = a.clone();
        let mut s = Session::new(SessionConfig::default());
        let huge = vec![0u8; MAX_FRAME + 1];
        assert_eq!(
            s.handle(&mut a, &huge).unwrap_err(),
            SyncError::FrameTooLarge { size: MAX_FRAME + 1, limit: MAX_FRAME }
        );
        // An ops frame one byte over a smaller configured limit.
        let (src, _, _) = diverged(40, 0);
        let ops = src.ops_since(&Default::default()).iter().map(|c| serde_bytes::ByteBuf::from(src.get(c).unwrap().bytes.clone())).collect();
        let frame = Msg::Ops { ops }.encode().unwrap();
        let cfg = SessionConfig { max_frame: frame.len() - 1, ..SessionConfig::default() };
        let mut fresh = test_log(3).0;
        let err = Session::new(cfg).handle(&mut fresh, &frame).unwrap_err();
        assert_eq!(err.code(), "FrameTooLarge");
        assert!(fresh.is_empty());
        // Garbage, a newer version, a hello for another log.
        assert_eq!(s.handle(&mut a, &[0xff, 0x00]).unwrap_err().code(), "MalformedFrame");
        let v2 = ues_data::cbor::encode(&ues_data::cbor::Ipld::Map(
            [("m".to_string(), ues_data::cbor::Ipld::Null), ("v".to_string(), ues_data::cbor::Ipld::Integer(i128::from(PROTOCOL_VERSION + 1)))].into(),
        )).unwrap();
        assert_eq!(s.handle(&mut a, &v2).unwrap_err(), SyncError::UnsupportedVersion(2));
        let other = Msg::Hello { log: "log:other".into(), clock: Default::default(), heads: vec![], window: 4 };
        assert_eq!(s.handle(&mut a, &other.encode().unwrap()).unwrap_err().code(), "Protocol");
        assert_eq!(a.state(), before.state());
        assert!(s.poll_transmit(&a).unwrap().is_none());
    }
}

both! {
    /// With a window of one frame the sender stops after each frame until
    /// the ack comes back.
    fn credit_window_backpressure() {
        let (mut a, _, _) = diverged(50, 0);
        let mut b = test_log(3).0;
        let cfg = SessionConfig { max_ops_per_frame: 10, window: 1, ..SessionConfig::default() };
        let (mut sa, mut sb) = (Session::new(cfg), Session::new(cfg));
        let hello_a = sa.open(&a).unwrap();
        let h = sb.handle(&mut b, &hello_a).unwrap();
        let [hello_b] = h.out.as_slice() else { panic!("one hello back") };
        sa.handle(&mut a, hello_b).unwrap();
        let first = sa.poll_transmit(&a).unwrap().expect("one frame");
        assert!(sa.poll_transmit(&a).unwrap().is_none(), "no credit left");
        let h = sb.handle(&mut b, &first).unwrap();
        assert_eq!(h.report.applied.len(), 10);
        sa.handle(&mut a, &h.out[0]).unwrap();
        assert!(sa.poll_transmit(&a).unwrap().is_some(), "the ack gave credit back");
    }
}

both! {
    /// A session cut off mid-transfer resumes from the peer's clock with a
    /// new session: nothing already applied is sent again.
    fn resumes_after_disconnect() {
        let (mut a, _, _) = diverged(80, 0);
        let mut b = test_log(3).0;
        let cfg = SessionConfig { max_ops_per_frame: 8, window: 2, ..SessionConfig::default() };
        let (mut sa, mut sb) = (Session::new(cfg), Session::new(cfg));
        let h = sb.handle(&mut b, &sa.open(&a).unwrap()).unwrap();
        sa.handle(&mut a, &h.out[0]).unwrap();
        let f1 = sa.poll_transmit(&a).unwrap().unwrap();
        let _lost = sa.poll_transmit(&a).unwrap().unwrap();
        sb.handle(&mut b, &f1).unwrap();
        assert_eq!(b.len(), 8);
        // Disconnect: new sessions, fresh hellos.
        let (_, resumed) = sync(&mut b, &mut a, cfg);
        assert_eq!(resumed.stats().ops_out, 72, "only what b lacks");
        assert_eq!(b.len(), 80);
        assert_eq!(a.state().cid().unwrap(), b.state().cid().unwrap());
    }
}

both! {
    /// Every message kind encodes as canonical DAG-CBOR and reads back.
    fn every_message_round_trips_canonically() {
        let (log, _, _) = diverged(3, 0);
        let cid = log.heads()[0];
        let op = serde_bytes::ByteBuf::from(log.get(&cid).unwrap().bytes.clone());
        let msgs = [
            Msg::Hello { log: "l".into(), clock: log.clock().clone(), heads: log.heads(), window: 3 },
            Msg::Ops { ops: vec![op] },
            Msg::Ack { clock: log.clock().clone(), credit: 1 },
            Msg::Want { cids: vec![cid] },
            Msg::RepoHead { did: "did:x".into(), rev: "3l2".into(), commit: cid },
            Msg::RepoWant { did: "did:x".into(), since: None },
            Msg::RepoCar { car: serde_bytes::ByteBuf::from(vec![1, 2]), did: "did:x".into(), more: true },
        ];
        for m in msgs {
            let b = m.encode().unwrap();
            ues_data::cbor::validate(&b).unwrap();
            assert_eq!(Msg::decode(&b, MAX_FRAME).unwrap(), m);
        }
    }
}
