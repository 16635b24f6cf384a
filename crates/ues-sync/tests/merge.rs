//! Merge semantics of each type, and determinism: any delivery order of the
//! same ops gives byte-identical state.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;

use common::{random_edit, test_log, Rng};
use ues_data::cbor::Ipld;
use ues_data::cid::Cid;
use ues_sync::{Edit, EditKind, OpLog, Value};

fn e(kind: EditKind, t: &str, v: Ipld) -> Vec<Edit> {
    vec![Edit::new(kind, t, v)]
}

fn int(n: i128) -> Ipld {
    Ipld::Integer(n)
}

/// Two replicas that write concurrently, then exchange everything.
fn exchange(a: &mut OpLog, b: &mut OpLog) {
    let from_a: Vec<Vec<u8>> = a
        .ops_since(b.clock())
        .iter()
        .map(|c| a.get(c).unwrap().bytes.clone())
        .collect();
    let from_b: Vec<Vec<u8>> = b
        .ops_since(a.clock())
        .iter()
        .map(|c| b.get(c).unwrap().bytes.clone())
        .collect();
    assert!(a.receive_batch(from_b).rejected.is_empty());
    assert!(b.receive_batch(from_a).rejected.is_empty());
}

both! {
    fn lww_register_and_delete() {
        let (mut a, ks) = test_log(2);
        let mut b = a.clone();
        a.create(&ks[0], e(EditKind::Set, "reg/x", int(1)), 100).unwrap();
        b.create(&ks[1], e(EditKind::Set, "reg/x", int(2)), 200).unwrap();
        exchange(&mut a, &mut b);
        // Concurrent: the later timestamp wins, on both.
        assert_eq!(a.state().get("reg/x"), Some(&Value::Register(int(2))));
        assert_eq!(a.state().cid().unwrap(), b.state().cid().unwrap());
        // A causally later write wins even with an older wall clock.
        a.create(&ks[0], e(EditKind::Set, "reg/x", int(3)), 50).unwrap();
        assert_eq!(a.state().get("reg/x"), Some(&Value::Register(int(3))));
        a.create(&ks[0], e(EditKind::Set, "reg/x", Ipld::Null), 60).unwrap();
        assert_eq!(a.state().get("reg/x"), None);
    }
}

both! {
    fn multi_value_register_exposes_conflicts() {
        let (mut a, ks) = test_log(2);
        let mut b = a.clone();
        let ca = a.create(&ks[0], e(EditKind::MvSet, "mv/t", int(1)), 100).unwrap();
        let cb = b.create(&ks[1], e(EditKind::MvSet, "mv/t", int(2)), 100).unwrap();
        exchange(&mut a, &mut b);
        let Some(Value::Multi(vs)) = a.state().get("mv/t").cloned() else { panic!() };
        let mut got: Vec<(Cid, Ipld)> = vs.clone();
        got.sort_by_key(|(c, _)| c.to_bytes());
        let mut want = vec![(ca, int(1)), (cb, int(2))];
        want.sort_by_key(|(c, _)| c.to_bytes());
        assert_eq!(got, want);
        // A write that saw both resolves the conflict.
        let cc = a.create(&ks[0], e(EditKind::MvSet, "mv/t", int(3)), 300).unwrap();
        assert_eq!(a.state().get("mv/t"), Some(&Value::Multi(vec![(cc, int(3))])));
    }
}

both! {
    fn pn_counter_sums_concurrent_increments() {
        let (mut a, ks) = test_log(3);
        let mut b = a.clone();
        let mut c = a.clone();
        a.create(&ks[0], e(EditKind::Inc, "ctr/n", int(5)), 1).unwrap();
        b.create(&ks[1], e(EditKind::Inc, "ctr/n", int(-2)), 1).unwrap();
        c.create(&ks[2], e(EditKind::Inc, "ctr/n", int(10)), 1).unwrap();
        exchange(&mut a, &mut b);
        exchange(&mut a, &mut c);
        exchange(&mut b, &mut c);
        for l in [&a, &b, &c] {
            assert_eq!(l.state().get("ctr/n").and_then(Value::counter), Some(13));
        }
        // Type conflicts are ignored deterministically: a `set` on a counter.
        a.create(&ks[0], e(EditKind::Set, "ctr/n", int(0)), 2).unwrap();
        assert_eq!(a.state().get("ctr/n").and_then(Value::counter), Some(13));
    }
}

both! {
    fn or_set_add_wins_over_concurrent_remove() {
        let (mut a, ks) = test_log(2);
        a.create(&ks[0], e(EditKind::Add, "set/s", int(7)), 1).unwrap();
        let mut b = a.clone();
        // b removes 7 (observed); a concurrently re-adds 7 and adds 8.
        b.create(&ks[1], e(EditKind::Remove, "set/s", int(7)), 2).unwrap();
        a.create(&ks[0], vec![Edit::new(EditKind::Add, "set/s", int(7)), Edit::new(EditKind::Add, "set/s", int(8))], 3).unwrap();
        assert_eq!(b.state().get("set/s").and_then(Value::elements), Some(vec![]));
        exchange(&mut a, &mut b);
        let s = a.state();
        let els = s.get("set/s").and_then(Value::elements).unwrap();
        assert_eq!(els, vec![&int(7), &int(8)]);
        assert_eq!(s.cid().unwrap(), b.state().cid().unwrap());
        // A remove that saw every add removes the element.
        a.create(&ks[1], e(EditKind::Remove, "set/s", int(7)), 4).unwrap();
        assert_eq!(a.state().get("set/s").and_then(Value::elements), Some(vec![&int(8)]));
    }
}

both! {
    fn append_only_list_orders_messages_identically() {
        let (mut a, ks) = test_log(2);
        let mut b = a.clone();
        for i in 0..3 {
            a.create(&ks[0], e(EditKind::Append, "chat/r", Ipld::String(format!("a{i}"))), 10 + 2 * i).unwrap();
            b.create(&ks[1], e(EditKind::Append, "chat/r", Ipld::String(format!("b{i}"))), 11 + 2 * i).unwrap();
        }
        exchange(&mut a, &mut b);
        let Some(Value::List(l)) = a.state().get("chat/r").cloned() else { panic!() };
        let texts: Vec<String> = l.iter().map(|v| match v { Ipld::String(s) => s.clone(), _ => String::new() }).collect();
        assert_eq!(texts, ["a0", "b0", "a1", "b1", "a2", "b2"]);
        assert_eq!(a.state(), b.state());
        // Equal timestamps: the author DID breaks the tie (t0 < t1).
        a.create(&ks[1], e(EditKind::Append, "chat/t", int(1)), 1000).unwrap();
        let mut b2 = b.clone();
        let mut a2 = a.clone();
        b2.create(&ks[0], e(EditKind::Append, "chat/t", int(0)), 1000).unwrap();
        exchange(&mut a2, &mut b2);
        assert_eq!(a2.state().get("chat/t"), Some(&Value::List(vec![int(0), int(1)])));
    }
}

both! {
    /// Random ops of every type, then the same set delivered in shuffled
    /// orders (children before parents included): identical state bytes.
    fn any_delivery_order_gives_identical_state() {
        for seed in 0..40 {
            let mut rng = Rng::new(seed);
            let (src0, ks) = test_log(3);
            let mut reps = vec![src0.clone(), src0.clone(), src0];
            for step in 0..30u64 {
                let i = rng.below(3) as usize;
                let edits = (0..1 + rng.below(3)).map(|_| random_edit(&mut rng)).collect();
                reps[i].create(&ks[i], edits, step * 7).unwrap();
                if rng.chance(30) {
                    let j = rng.below(3) as usize;
                    if i != j {
                        let (x, y) = if i < j { let (l, r) = reps.split_at_mut(j); (&mut l[i], &mut r[0]) } else { let (l, r) = reps.split_at_mut(i); (&mut r[0], &mut l[j]) };
                        exchange(x, y);
                    }
                }
            }
            let mut all: Vec<Vec<u8>> = Vec::new();
            for r in &reps {
                for c in r.ops_since(&Default::default()) {
                    all.push(r.get(&c).unwrap().bytes.clone());
                }
            }
            let mut want = None;
            for _ in 0..4 {
                for k in (1..all.len()).rev() {
                    all.swap(k, rng.below(k as u64 + 1) as usize);
                }
                let mut l = test_log(3).0;
                let rep = l.receive_batch(all.clone());
                assert!(rep.rejected.is_empty());
                assert_eq!(l.pending_len(), 0);
                let bytes = l.state().to_bytes().unwrap();
                match &want {
                    None => want = Some(bytes),
                    Some(w) => assert_eq!(w, &bytes, "seed {seed}"),
                }
            }
        }
    }
}
