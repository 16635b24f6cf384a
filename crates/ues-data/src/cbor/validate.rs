//! A single-pass validator for strict, canonical DAG-CBOR as the AT Protocol
//! uses it.
//!
//! Why hand-written rather than trusting `serde_ipld_dagcbor` when decoding:
//! its strictness depends on a cargo feature (`less-strict-decoding`) that any
//! crate in the dependency graph can switch on for everyone, it accepts floats
//! (which atproto data forbids), it only checks what the target type happens
//! to visit (e.g. `IgnoredAny` skips most checks), and its errors carry no byte
//! offsets. Canonical bytes are what CIDs are computed over, so this module
//! decides on its own, in one pass, without allocating, and never panics.

use super::CborError;
use crate::cid;

/// Deepest nesting of lists and maps accepted (the top-level value is depth 0).
pub const MAX_DEPTH: usize = 128;

/// The one CBOR tag DAG-CBOR allows: a CID link.
pub const TAG_CID: u64 = 42;

/// Check that `bytes` is exactly one canonical DAG-CBOR value (no floats,
/// string keys in canonical order, only tag 42, no trailing bytes).
pub fn validate(bytes: &[u8]) -> Result<(), CborError> {
    let end = validate_prefix(bytes)?;
    if end != bytes.len() {
        return Err(CborError::TrailingBytes {
            offset: end,
            extra: bytes.len() - end,
        });
    }
    Ok(())
}

/// Check the canonical DAG-CBOR value at the start of `bytes` and return its
/// length; whatever follows it is not looked at (for CBOR sequences).
pub fn validate_prefix(bytes: &[u8]) -> Result<usize, CborError> {
    let mut v = Validator { b: bytes, pos: 0 };
    v.item(0)?;
    Ok(v.pos)
}

/// How many argument bytes follow an initial byte with additional info
/// `info`; `None` for the reserved values and indefinite lengths.
pub(crate) fn arg_len(info: u8) -> Option<usize> {
    match info {
        0..=23 => Some(0),
        24 => Some(1),
        25 => Some(2),
        26 => Some(4),
        27 => Some(8),
        _ => None,
    }
}

/// A decoded item head: major type, argument, and where the head started.
struct Head {
    major: u8,
    arg: u64,
    start: usize,
}

struct Validator<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Validator<'a> {
    /// Take the next `n` bytes, or fail as truncated.
    fn take(&mut self, n: u64) -> Result<&'a [u8], CborError> {
        let rest = self.b.len() - self.pos;
        if n > rest as u64 {
            return Err(CborError::Truncated {
                offset: self.b.len(),
            });
        }
        let s = &self.b[self.pos..self.pos + n as usize];
        self.pos += n as usize;
        Ok(s)
    }

    /// Read an item head, rejecting everything DAG-CBOR-for-atproto forbids
    /// at the head level: major type 7 other than false/true/null, reserved
    /// and indefinite lengths, non-minimal arguments.
    fn head(&mut self) -> Result<Head, CborError> {
        let start = self.pos;
        let ib = self.take(1)?[0];
        let (major, info) = (ib >> 5, ib & 0x1f);
        if major == 7 {
            return match info {
                20..=22 => Ok(Head {
                    major,
                    arg: u64::from(info),
                    start,
                }),
                25..=27 => Err(CborError::Float { offset: start }),
                24 => {
                    let value = self.take(1)?[0];
                    Err(CborError::Simple {
                        offset: start,
                        value,
                    })
                }
                0..=23 => Err(CborError::Simple {
                    offset: start,
                    value: info,
                }),
                _ => Err(CborError::Malformed {
                    offset: start,
                    byte: ib,
                }),
            };
        }
        let Some(n) = arg_len(info) else {
            return Err(if info == 31 && (2..=5).contains(&major) {
                CborError::Indefinite { offset: start }
            } else {
                CborError::Malformed {
                    offset: start,
                    byte: ib,
                }
            });
        };
        let arg = if n == 0 {
            u64::from(info)
        } else {
            let bytes = self.take(n as u64)?;
            let arg = bytes.iter().fold(0u64, |acc, &x| (acc << 8) | u64::from(x));
            // The smallest value that needs `n` argument bytes.
            let min = match n {
                1 => 24,
                2 => 1 << 8,
                4 => 1 << 16,
                _ => 1 << 32,
            };
            if arg < min {
                return Err(CborError::NonMinimal { offset: start });
            }
            arg
        };
        Ok(Head { major, arg, start })
    }

    /// A text string's bytes after its head, checked as UTF-8.
    fn text(&mut self, h: &Head) -> Result<&'a [u8], CborError> {
        let s = self.take(h.arg)?;
        if std::str::from_utf8(s).is_err() {
            return Err(CborError::Utf8 { offset: h.start });
        }
        Ok(s)
    }

    fn item(&mut self, depth: usize) -> Result<(), CborError> {
        if depth > MAX_DEPTH {
            return Err(CborError::TooDeep {
                offset: self.pos,
                limit: MAX_DEPTH,
            });
        }
        let h = self.head()?;
        match h.major {
            2 => self.take(h.arg).map(|_| ()),
            3 => self.text(&h).map(|_| ()),
            4 => {
                for _ in 0..h.arg {
                    self.item(depth + 1)?;
                }
                Ok(())
            }
            5 => self.map(h.arg, depth),
            6 if h.arg == TAG_CID => self.link(h.start),
            6 => Err(CborError::Tag {
                offset: h.start,
                tag: h.arg,
            }),
            // Integers, and false/true/null (major 7 was filtered by `head`).
            _ => Ok(()),
        }
    }

    fn map(&mut self, len: u64, depth: usize) -> Result<(), CborError> {
        let mut prev: Option<&[u8]> = None;
        for _ in 0..len {
            let h = self.head()?;
            if h.major != 3 {
                return Err(CborError::KeyNotString { offset: h.start });
            }
            let key = self.text(&h)?;
            if let Some(p) = prev {
                // Canonical order: shorter keys first, then bytewise.
                match (p.len(), p).cmp(&(key.len(), key)) {
                    std::cmp::Ordering::Less => {}
                    std::cmp::Ordering::Equal => {
                        return Err(CborError::DuplicateKey { offset: h.start })
                    }
                    std::cmp::Ordering::Greater => {
                        return Err(CborError::KeyOrder { offset: h.start })
                    }
                }
            }
            prev = Some(key);
            self.item(depth + 1)?;
        }
        Ok(())
    }

    /// The content of tag 42: a byte string holding 0x00 then a binary CID.
    fn link(&mut self, tag_start: usize) -> Result<(), CborError> {
        let h = self.head()?;
        if h.major != 2 {
            return Err(CborError::LinkNotBytes { offset: h.start });
        }
        let bytes = self.take(h.arg)?;
        match bytes.split_first() {
            Some((0, cid_bytes)) => {
                cid::from_bytes(cid_bytes)
                    .map(|_| ())
                    .map_err(|source| CborError::Link {
                        offset: tag_start,
                        source,
                    })
            }
            _ => Err(CborError::LinkPrefix { offset: h.start }),
        }
    }
}
