//! A direct encoder from the IPLD data model to canonical DAG-CBOR, for the
//! hot path of writing records: one pass into one buffer, canonical by
//! construction, instead of serde's generic serializer (which buffers and
//! sorts every map's entries) followed by a validation pass.

use super::{CborError, Ipld, MAX_DEPTH};

/// Canonical DAG-CBOR of `v`, the same bytes as [`super::encode`] gives.
/// Values that [`super::encode`] rejects (floats, integers outside CBOR's
/// range, nesting deeper than [`MAX_DEPTH`]) go through it, so the errors
/// are the same too.
pub fn encode_ipld(v: &Ipld) -> Result<Vec<u8>, CborError> {
    let mut out = Vec::with_capacity(128);
    if write(v, &mut out, 0) {
        Ok(out)
    } else {
        super::encode(v)
    }
}

fn head(out: &mut Vec<u8>, major: u8, n: u64) {
    let m = major << 5;
    if n < 24 {
        out.push(m | n as u8);
    } else if n <= 0xff {
        out.extend_from_slice(&[m | 24, n as u8]);
    } else if n <= 0xffff {
        out.push(m | 25);
        out.extend_from_slice(&(n as u16).to_be_bytes());
    } else if n <= 0xffff_ffff {
        out.push(m | 26);
        out.extend_from_slice(&(n as u32).to_be_bytes());
    } else {
        out.push(m | 27);
        out.extend_from_slice(&n.to_be_bytes());
    }
}

/// Appends `v`; `false` for anything left to the generic path.
fn write(v: &Ipld, out: &mut Vec<u8>, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    match v {
        Ipld::Null => out.push(0xf6),
        Ipld::Bool(b) => out.push(if *b { 0xf5 } else { 0xf4 }),
        Ipld::Integer(n) => {
            if let Ok(u) = u64::try_from(*n) {
                head(out, 0, u);
            } else if let Ok(u) = u64::try_from(-1 - *n) {
                head(out, 1, u);
            } else {
                return false;
            }
        }
        Ipld::Float(_) => return false,
        Ipld::String(s) => {
            head(out, 3, s.len() as u64);
            out.extend_from_slice(s.as_bytes());
        }
        Ipld::Bytes(b) => {
            head(out, 2, b.len() as u64);
            out.extend_from_slice(b);
        }
        Ipld::List(items) => {
            head(out, 4, items.len() as u64);
            return items.iter().all(|i| write(i, out, depth + 1));
        }
        Ipld::Map(m) => {
            head(out, 5, m.len() as u64);
            // Canonical order is shorter keys first, then bytewise; the map
            // is already bytewise, so a stable sort by length finishes it.
            let mut entries: Vec<_> = m.iter().collect();
            entries.sort_by_key(|(k, _)| k.len());
            for (k, v) in entries {
                head(out, 3, k.len() as u64);
                out.extend_from_slice(k.as_bytes());
                if !write(v, out, depth + 1) {
                    return false;
                }
            }
        }
        Ipld::Link(c) => {
            out.extend_from_slice(&[0xd8, 42]);
            head(out, 2, 1 + crate::cid::encoded_len(c) as u64);
            out.push(0);
            crate::cid::write_bytes(c, out);
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn same_bytes_as_the_generic_encoder() {
        let cid = crate::cid::cbor_cid(b"x");
        let mut m = BTreeMap::new();
        m.insert("text".to_string(), Ipld::String("hello".into()));
        m.insert(
            "$type".to_string(),
            Ipld::String("app.bsky.feed.post".into()),
        );
        m.insert("a".to_string(), Ipld::Integer(-300));
        m.insert("bb".to_string(), Ipld::Integer(u64::MAX.into()));
        m.insert("neg".to_string(), Ipld::Integer(-(1i128 << 64)));
        m.insert(
            "l".to_string(),
            Ipld::List(vec![Ipld::Null, Ipld::Bool(true), Ipld::Link(cid)]),
        );
        m.insert("by".to_string(), Ipld::Bytes(vec![7; 300]));
        m.insert("long".to_string(), Ipld::String("y".repeat(70_000)));
        let v = Ipld::Map(m);
        assert_eq!(encode_ipld(&v).unwrap(), super::super::encode(&v).unwrap());
        for bad in [
            Ipld::Float(1.5),
            Ipld::Integer(1i128 << 64),
            Ipld::Integer(-(1i128 << 64) - 1),
        ] {
            assert_eq!(encode_ipld(&bad), super::super::encode(&bad));
        }
    }
}
