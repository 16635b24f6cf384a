//! MST nodes in memory and on the wire.
//!
//! The wire form is fixed by the AT Protocol repository spec:
//! `{"e": [{"k": bytes, "p": uint, "t": cid|null, "v": cid}, ...], "l": cid|null}`
//! with key prefix compression against the previous entry of the same node.
//! Canonical DAG-CBOR admits exactly one byte layout for that shape, so the
//! codec here is hand-written: encoding into a reused buffer and decoding
//! by expecting that layout byte for byte is both strict (anything else is
//! rejected) and far faster than a generic CBOR round trip on the hot path.

use super::MstError;
use crate::cid::Cid;

/// A pointer to a subtree: absent, known only by CID, or loaded in memory.
#[derive(Debug, Clone, Default)]
pub(crate) enum Link {
    #[default]
    None,
    /// Boxed: keeps a link one pointer wide, so entries stay small.
    Stub(Box<Cid>),
    Loaded(Box<Node>),
}

impl Link {
    pub(crate) fn is_none(&self) -> bool {
        matches!(self, Link::None)
    }

    /// Wraps a node, or `None` for a node with neither entries nor subtree.
    pub(crate) fn from_node(node: Node) -> Link {
        if node.entries.is_empty() && node.left.is_none() {
            Link::None
        } else {
            Link::Loaded(Box::new(node))
        }
    }
}

/// One key/value entry and the subtree to its right.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub key: Box<str>,
    pub value: Cid,
    pub right: Link,
}

/// A node: keys of one layer, interleaved with subtrees of the layer below.
#[derive(Debug, Clone, Default)]
pub(crate) struct Node {
    pub left: Link,
    pub entries: Vec<Entry>,
    /// The node's CID when its encoding is known to be current.
    pub cid: Option<Cid>,
}

impl Node {
    /// Index of the first entry whose key is `>= key`.
    pub(crate) fn gte_index(&self, key: &str) -> Result<usize, usize> {
        self.entries.binary_search_by(|e| (*e.key).cmp(key))
    }

    /// The subtree link at position `i` (0 = left of the first entry).
    pub(crate) fn link_mut(&mut self, i: usize) -> &mut Link {
        if i == 0 {
            &mut self.left
        } else {
            &mut self.entries[i - 1].right
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty() && self.left.is_none()
    }
}

/// Length of the common prefix of two keys, in bytes.
pub fn common_prefix_len(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
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

fn link_cid(link: &Link) -> Option<&Cid> {
    match link {
        Link::None => None,
        Link::Stub(c) => Some(&**c),
        Link::Loaded(n) => Some(n.cid.as_ref().expect("children are hashed before parents")),
    }
}

fn put_cid(out: &mut Vec<u8>, cid: Option<&Cid>) {
    match cid {
        None => out.push(0xf6),
        Some(c) => {
            // Tag 42, then a byte string of 0x00 and the binary CID.
            out.extend_from_slice(&[0xd8, 42]);
            head(out, 2, 1 + crate::cid::encoded_len(c) as u64);
            out.push(0);
            crate::cid::write_bytes(c, out);
        }
    }
}

/// Canonical DAG-CBOR of `node` into `out` (cleared first). Every loaded
/// child must already carry its CID.
pub(crate) fn encode(node: &Node, out: &mut Vec<u8>) {
    out.clear();
    out.extend_from_slice(&[0xa2, 0x61, b'e']);
    head(out, 4, node.entries.len() as u64);
    let mut prev: &[u8] = &[];
    for e in &node.entries {
        let k = e.key.as_bytes();
        let p = common_prefix_len(prev, k);
        out.extend_from_slice(&[0xa4, 0x61, b'k']);
        head(out, 2, (k.len() - p) as u64);
        out.extend_from_slice(&k[p..]);
        out.extend_from_slice(&[0x61, b'p']);
        head(out, 0, p as u64);
        out.extend_from_slice(&[0x61, b't']);
        put_cid(out, link_cid(&e.right));
        out.extend_from_slice(&[0x61, b'v']);
        put_cid(out, Some(&e.value));
        prev = k;
    }
    out.extend_from_slice(&[0x61, b'l']);
    put_cid(out, link_cid(&node.left));
}

/// A cursor that accepts only the canonical bytes of an MST node.
struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn err(&self, what: &str) -> MstError {
        MstError::MalformedNode(format!("{what} at byte {}", self.pos))
    }

    fn expect(&mut self, bytes: &[u8], what: &str) -> Result<(), MstError> {
        if self.b.get(self.pos..self.pos + bytes.len()) == Some(bytes) {
            self.pos += bytes.len();
            Ok(())
        } else {
            Err(self.err(what))
        }
    }

    fn byte(&mut self) -> Result<u8, MstError> {
        let v = *self.b.get(self.pos).ok_or_else(|| self.err("truncated"))?;
        self.pos += 1;
        Ok(v)
    }

    /// A head of `major` type with a minimally encoded argument.
    fn head(&mut self, major: u8) -> Result<u64, MstError> {
        let ib = self.byte()?;
        if ib >> 5 != major {
            return Err(self.err("unexpected CBOR type"));
        }
        let (n, min) = match ib & 0x1f {
            n @ 0..=23 => (n as u64, 0),
            24 => (self.byte()? as u64, 24),
            25 => (
                u16::from_be_bytes([self.byte()?, self.byte()?]) as u64,
                0x100,
            ),
            26 => {
                let mut a = [0; 4];
                for x in &mut a {
                    *x = self.byte()?;
                }
                (u32::from_be_bytes(a) as u64, 0x1_0000)
            }
            27 => {
                let mut a = [0; 8];
                for x in &mut a {
                    *x = self.byte()?;
                }
                (u64::from_be_bytes(a), 0x1_0000_0000)
            }
            _ => return Err(self.err("indefinite or reserved length")),
        };
        if n < min {
            return Err(self.err("non-minimal integer"));
        }
        Ok(n)
    }

    fn bytes(&mut self) -> Result<&'a [u8], MstError> {
        let n = self.head(2)? as usize;
        let end = self.pos.checked_add(n).filter(|&e| e <= self.b.len());
        let end = end.ok_or_else(|| self.err("truncated byte string"))?;
        let s = &self.b[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn cid(&mut self) -> Result<Cid, MstError> {
        self.expect(&[0xd8, 42], "expected a CID link")?;
        let raw = self.bytes()?;
        let Some((0, rest)) = raw.split_first() else {
            return Err(self.err("CID link without multibase prefix 0x00"));
        };
        // The 36-byte CIDs of atproto objects skip the generic parser.
        if rest.len() == 36 {
            if let Some(c) = crate::cid::read_atproto(rest) {
                return Ok(c);
            }
        }
        Cid::try_from(rest).map_err(|e| self.err(&format!("bad CID ({e})")))
    }

    fn nullable_cid(&mut self) -> Result<Option<Cid>, MstError> {
        if self.b.get(self.pos) == Some(&0xf6) {
            self.pos += 1;
            Ok(None)
        } else {
            self.cid().map(Some)
        }
    }
}

fn stub(cid: Option<Cid>) -> Link {
    cid.map_or(Link::None, |c| Link::Stub(Box::new(c)))
}

/// Decodes a node strictly: canonical layout, keys strictly ascending and
/// valid UTF-8, prefix lengths in range and maximal. The node's CID is not
/// checked here (the block store verifies blocks against CIDs).
pub(crate) fn decode(bytes: &[u8]) -> Result<Node, MstError> {
    let mut entries = Vec::new();
    let left = decode_with(bytes, |n, key, value, right| {
        // Each entry takes at least 12 bytes: bound the allocation by the input.
        if entries.is_empty() {
            entries.reserve_exact(n.min(bytes.len() / 12));
        }
        entries.push(Entry {
            key: key.into(),
            value,
            right: stub(right),
        });
        Ok(())
    })?;
    Ok(Node {
        left: stub(left),
        entries,
        cid: None,
    })
}

/// The strict decoder of [`decode`], handing each entry (full key, value,
/// right subtree, after the declared number of entries) to `entry` as it is
/// read instead of building a [`Node`]; returns the left subtree. Keys are
/// rebuilt in one reused buffer.
pub(crate) fn decode_with(
    bytes: &[u8],
    mut entry: impl FnMut(usize, &str, Cid, Option<Cid>) -> Result<(), MstError>,
) -> Result<Option<Cid>, MstError> {
    let mut r = Reader { b: bytes, pos: 0 };
    r.expect(&[0xa2, 0x61, b'e'], "expected map {e, l}")?;
    let n = r.head(4)? as usize;
    let mut key: Vec<u8> = Vec::new();
    for i in 0..n {
        r.expect(&[0xa4, 0x61, b'k'], "expected entry {k, p, t, v}")?;
        let suffix = r.bytes()?;
        r.expect(&[0x61, b'p'], "expected entry key p")?;
        let p = r.head(0)?;
        if p > key.len() as u64 {
            return Err(r.err("key prefix longer than the previous key"));
        }
        let p = p as usize;
        if p < key.len() && suffix.first() == key.get(p) {
            return Err(r.err("key prefix length is not maximal"));
        }
        r.expect(&[0x61, b't'], "expected entry key t")?;
        let right = r.nullable_cid()?;
        r.expect(&[0x61, b'v'], "expected entry key v")?;
        let value = r.cid()?;
        // The key shares `p` bytes with the previous one. It is greater than
        // the previous key iff its suffix is greater than the previous key's
        // bytes from `p` on (a suffix that is a prefix of those is smaller).
        if i > 0 && suffix <= &key[p..] {
            return Err(r.err("keys not in ascending order"));
        }
        key.truncate(p);
        key.extend_from_slice(suffix);
        let s = std::str::from_utf8(&key).map_err(|_| r.err("key is not UTF-8"))?;
        entry(n, s, value, right)?;
    }
    r.expect(&[0x61, b'l'], "expected node key l")?;
    let left = r.nullable_cid()?;
    if r.pos != bytes.len() {
        return Err(r.err("trailing bytes after node"));
    }
    Ok(left)
}
