//! Order-preserving encoding of index values: the bytes of an encoded tuple
//! compare (byte-wise, as every backend orders keys) exactly as the tuple's
//! values compare, component by component.
//!
//! Each component is a type tag then its payload:
//! - [`Value::Int`]: tag `0x10`, then the 8 big-endian bytes of the value
//!   with its sign bit flipped (so `i64::MIN` is all zeroes and negatives sort
//!   before positives);
//! - [`Value::Str`] (`0x20`) and [`Value::Bytes`] (`0x30`): the bytes with
//!   every `0x00` escaped as `0x00 0xff`, then the terminator `0x00 0x01`.
//!   The terminator sorts below every byte that can follow inside the value,
//!   so `"a"` < `"a\0"` < `"ab"`, and each component is self-delimiting: what
//!   follows it (the next field, the record id) never changes the order.
//!
//! Values of different types order by tag: every integer before every
//! string before every byte string.

use super::Value;
use crate::{Result, StoreError};

const TAG_INT: u8 = 0x10;
const TAG_STR: u8 = 0x20;
const TAG_BYTES: u8 = 0x30;
const ESCAPE: u8 = 0xff;
const TERMINATOR: u8 = 0x01;

/// Appends the escaped form of `bytes` (no terminator): a prefix of the
/// bytes escapes to a prefix of the escaped bytes, which prefix search uses.
pub(crate) fn escape_into(bytes: &[u8], out: &mut Vec<u8>) {
    for &b in bytes {
        out.push(b);
        if b == 0 {
            out.push(ESCAPE);
        }
    }
}

/// Appends the escaped, terminated form of `bytes`.
pub(crate) fn encode_bytes_into(bytes: &[u8], out: &mut Vec<u8>) {
    escape_into(bytes, out);
    out.extend_from_slice(&[0, TERMINATOR]);
}

/// Reads one escaped, terminated byte string from the front of `input`;
/// returns it and the rest of the input.
pub(crate) fn decode_bytes(input: &[u8]) -> Result<(Vec<u8>, &[u8])> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < input.len() {
        let b = input[i];
        if b != 0 {
            out.push(b);
            i += 1;
            continue;
        }
        match input.get(i + 1) {
            Some(&ESCAPE) => out.push(0),
            Some(&TERMINATOR) => return Ok((out, &input[i + 2..])),
            _ => return Err(malformed("bad escape in an encoded string")),
        }
        i += 2;
    }
    Err(malformed("unterminated encoded string"))
}

/// Appends the encoding of one value.
pub fn encode_value_into(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Int(v) => {
            out.push(TAG_INT);
            out.extend_from_slice(&((*v as u64) ^ (1 << 63)).to_be_bytes());
        }
        Value::Str(s) => {
            out.push(TAG_STR);
            encode_bytes_into(s.as_bytes(), out);
        }
        Value::Bytes(b) => {
            out.push(TAG_BYTES);
            encode_bytes_into(b, out);
        }
    }
}

/// The encoding of a tuple of values (the concatenation of their encodings).
pub fn encode_tuple(values: &[Value]) -> Vec<u8> {
    let mut out = Vec::new();
    for v in values {
        encode_value_into(v, &mut out);
    }
    out
}

/// Reads one value from the front of `input`; returns it and the rest.
pub fn decode_value(input: &[u8]) -> Result<(Value, &[u8])> {
    let Some((&tag, rest)) = input.split_first() else {
        return Err(malformed("missing value"));
    };
    match tag {
        TAG_INT => {
            let Some((head, rest)) = rest.split_first_chunk::<8>() else {
                return Err(malformed("short integer"));
            };
            let v = (u64::from_be_bytes(*head) ^ (1 << 63)) as i64;
            Ok((Value::Int(v), rest))
        }
        TAG_STR => {
            let (bytes, rest) = decode_bytes(rest)?;
            let s = String::from_utf8(bytes).map_err(|_| malformed("string is not UTF-8"))?;
            Ok((Value::Str(s), rest))
        }
        TAG_BYTES => {
            let (bytes, rest) = decode_bytes(rest)?;
            Ok((Value::Bytes(bytes), rest))
        }
        t => Err(malformed(&format!("unknown value tag 0x{t:02x}"))),
    }
}

/// The error for stored index bytes that do not decode.
pub(crate) fn malformed(what: &str) -> StoreError {
    StoreError::Backend(format!("malformed index key: {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples() -> Vec<Value> {
        let mut v = vec![];
        for i in [
            i64::MIN,
            i64::MIN + 1,
            -256,
            -1,
            0,
            1,
            255,
            256,
            i64::MAX - 1,
            i64::MAX,
        ] {
            v.push(Value::Int(i));
        }
        for s in [
            "", "\0", "\0\0", "\0a", "a", "a\0", "a\0\0", "a\u{1}", "ab", "b", "é", "日本",
        ] {
            v.push(Value::Str(s.into()));
        }
        for b in [&[][..], &[0], &[0, 0xff], &[1], &[0xff], &[0xff, 0]] {
            v.push(Value::Bytes(b.to_vec()));
        }
        v
    }

    #[test]
    fn order_and_round_trip() {
        let vals = samples();
        for a in &vals {
            let ea = encode_tuple(std::slice::from_ref(a));
            let (back, rest) = decode_value(&ea).expect("decodes");
            assert_eq!(&back, a);
            assert!(rest.is_empty());
            for b in &vals {
                let eb = encode_tuple(std::slice::from_ref(b));
                assert_eq!(ea.cmp(&eb), a.cmp(b), "{a:?} vs {b:?}");
                // Tuples: the second component never overrides the first.
                let ta = encode_tuple(&[a.clone(), Value::Int(i64::MAX)]);
                let tb = encode_tuple(&[b.clone(), Value::Int(i64::MIN)]);
                if a != b {
                    assert_eq!(ta.cmp(&tb), a.cmp(b), "({a:?}, MAX) vs ({b:?}, MIN)");
                }
            }
        }
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            &[][..],
            &[0x10, 1, 2],
            &[0x20, b'a'],
            &[0x20, 0, 7],
            &[0x99],
        ] {
            assert!(decode_value(bad).is_err(), "{bad:?}");
        }
    }
}
