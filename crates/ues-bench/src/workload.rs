//! The benchmark inputs beyond the keys: the values, and the two trees of the
//! diff task. `bench/mst.mjs` builds the same inputs in JS.

use crate::keys::keys;

/// The value of every key (PERFORMANCE.md).
pub const VALUE_CID: &str = "bafyreie5cvv4h45feadgeuwhbcutmh6t2ceseocckahdoe6uat64zmz454";

/// The new value of the keys the diff task changes (the CID of the empty MST
/// node; any CID other than [`VALUE_CID`] would do).
pub const CHANGED_CID: &str = "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm";

/// One difference between the two trees of the diff task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// Key `i` gets [`CHANGED_CID`].
    Change(usize),
    /// Key `i` is absent from the second tree.
    Delete(usize),
    /// Key `i` (generated past `n`) is only in the second tree.
    Add(usize),
}

/// The `m` edits that turn the `n`-key tree into the second tree of the diff
/// task: edit `j` touches key `j * n/m + n/(2m)` (spread evenly over the key
/// order of generation, which is random in key order), and is a change, a
/// delete or an add (of key `n + j`) for `j % 3` = 0, 1, 2. For n = 10,000
/// and m = 100 (1 %): 34 changes, 33 deletes, 33 adds.
pub fn edits(n: usize, m: usize) -> Vec<Edit> {
    assert!(m > 0 && m <= n, "need 0 < m <= n");
    let step = n / m;
    (0..m)
        .map(|j| match j % 3 {
            0 => Edit::Change(j * step + step / 2),
            1 => Edit::Delete(j * step + step / 2),
            _ => Edit::Add(n + j),
        })
        .collect()
}

/// The entries `(key, value CID string)` of both trees of the diff task, in
/// insertion order: the first tree holds keys `0..n`; the second applies
/// [`edits`]`(n, m)`.
#[allow(clippy::type_complexity)]
pub fn diff_entries(
    n: usize,
    m: usize,
) -> (Vec<(String, &'static str)>, Vec<(String, &'static str)>) {
    let all = keys(n + m);
    let a: Vec<_> = all[..n].iter().map(|k| (k.clone(), VALUE_CID)).collect();
    let mut b: Vec<Option<(String, &'static str)>> = a.iter().cloned().map(Some).collect();
    for e in edits(n, m) {
        match e {
            Edit::Change(i) => b[i] = Some((all[i].clone(), CHANGED_CID)),
            Edit::Delete(i) => b[i] = None,
            Edit::Add(i) => b.push(Some((all[i].clone(), VALUE_CID))),
        }
    }
    (a, b.into_iter().flatten().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_percent_of_10k() {
        let e = edits(10_000, 100);
        let count = |f: fn(&Edit) -> bool| e.iter().filter(|x| f(x)).count();
        assert_eq!(count(|x| matches!(x, Edit::Change(_))), 34);
        assert_eq!(count(|x| matches!(x, Edit::Delete(_))), 33);
        assert_eq!(count(|x| matches!(x, Edit::Add(_))), 33);
        let (a, b) = diff_entries(10_000, 100);
        assert_eq!(a.len(), 10_000);
        assert_eq!(b.len(), 10_000);
        assert_eq!(b.iter().filter(|(_, v)| *v == CHANGED_CID).count(), 34);
    }

    #[test]
    fn cids_parse() {
        ues_data::cid::parse(VALUE_CID).unwrap();
        ues_data::cid::parse(CHANGED_CID).unwrap();
    }
}
