//! Vector clocks (compare, merge, compact form, pruning) and the HLC.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;

use std::collections::BTreeSet;
use ues_sync::{Causality, Hlc, HlcClock, VectorClock};

fn vc(entries: &[(&str, u64)]) -> VectorClock {
    let mut c = VectorClock::new();
    for (k, v) in entries {
        c.set(k, *v);
    }
    c
}

both! {
    fn compare_and_merge() {
        let a = vc(&[("x", 1), ("y", 2)]);
        let b = vc(&[("x", 2), ("y", 2)]);
        let c = vc(&[("x", 0), ("y", 3)]);
        assert_eq!(a.compare(&b), Causality::Before);
        assert_eq!(b.compare(&a), Causality::After);
        assert_eq!(a.compare(&a.clone()), Causality::Equal);
        assert_eq!(b.compare(&c), Causality::Concurrent);
        let mut m = b.clone();
        m.merge(&c);
        assert_eq!(m, vc(&[("x", 2), ("y", 3)]));
        assert_eq!(m.total(), 5);
        // Zero entries are not stored: equal clocks are equal values.
        assert_eq!(vc(&[("x", 0)]), VectorClock::new());
        assert_eq!(VectorClock::new().compare(&a), Causality::Before);
    }
}

both! {
    fn compact_form_and_pruning() {
        let members: Vec<String> = ["a", "b", "c", "d"].iter().map(|s| s.to_string()).collect();
        let c = vc(&[("a", 4), ("c", 9)]);
        let compact = c.to_compact(&members);
        assert_eq!(compact, vec![4, 0, 9]);
        assert_eq!(VectorClock::from_compact(&members, &compact), c);
        let mut p = vc(&[("a", 4), ("b", 1), ("c", 9)]);
        p.prune(&BTreeSet::from(["b".to_string()]));
        assert_eq!(p, c);
    }
}

both! {
    fn hlc_never_goes_back() {
        let mut h = HlcClock::new();
        let t1 = h.tick(1000);
        let t2 = h.tick(900);
        assert!(t2 > t1);
        assert_eq!(t2.wall_ms(), 1000);
        assert_eq!(t2.counter(), 1);
        h.observe(Hlc(5000 << 16));
        let t3 = h.tick(1000);
        assert!(t3 > Hlc(5000 << 16));
        let t4 = h.tick(6000);
        assert_eq!(t4, Hlc(6000 << 16));
    }
}
