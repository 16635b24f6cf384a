//! Push (sans-IO) decoder: CAR v1 fed in byte chunks, for sources that push
//! data (JS streams, network frames) instead of being read.

use super::{decode_varint, max_section, parse_header, parse_section, CarError, CarLimits, Varint};
use crate::cid::Cid;

/// Decodes a CAR v1 stream from chunks given to [`push`](CarDecoder::push).
///
/// Call [`next_block`](CarDecoder::next_block) until it returns `Ok(None)`
/// (more input needed), push the next chunk, repeat; at the end of input
/// call [`finish`](CarDecoder::finish) to learn whether the stream ended
/// cleanly. Buffered bytes stay bounded by one section (checked against the
/// [`CarLimits`] as soon as its length is known) plus the last chunk.
#[derive(Debug)]
pub struct CarDecoder {
    limits: CarLimits,
    buf: Vec<u8>,
    start: usize,
    pos: u64,
    roots: Option<Vec<Cid>>,
    failed: bool,
}

impl CarDecoder {
    /// A decoder expecting a header first.
    pub fn new(limits: CarLimits) -> Self {
        CarDecoder {
            limits,
            buf: Vec::new(),
            start: 0,
            pos: 0,
            roots: None,
            failed: false,
        }
    }

    /// Append the next chunk of input.
    pub fn push(&mut self, chunk: &[u8]) {
        if self.start > 0 && self.start * 2 >= self.buf.len() {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        self.buf.extend_from_slice(chunk);
    }

    /// The header's roots, once the header has been decoded.
    pub fn roots(&self) -> Option<&[Cid]> {
        self.roots.as_deref()
    }

    /// Bytes decoded so far (header and whole sections).
    pub fn bytes_consumed(&self) -> u64 {
        self.pos
    }

    /// Decode the header if needed, then the next complete block, verified
    /// against its CID. `Ok(None)` means more input is needed (or the input
    /// is over: see [`finish`](CarDecoder::finish)). After an error the
    /// decoder yields nothing more.
    pub fn next_block(&mut self) -> Result<Option<(Cid, Vec<u8>)>, CarError> {
        if self.failed {
            return Ok(None);
        }
        let result = self.step();
        if result.is_err() {
            self.failed = true;
        }
        result
    }

    /// Declare the end of input: an error if the header or a section was cut.
    pub fn finish(&self) -> Result<(), CarError> {
        let pending = self.buf.len() - self.start;
        let what = match (self.roots.is_some(), pending) {
            (true, 0) => return Ok(()),
            (true, _) => "section",
            (false, _) => "header",
        };
        Err(CarError::Truncated {
            offset: self.pos + pending as u64,
            what,
        })
    }

    fn step(&mut self) -> Result<Option<(Cid, Vec<u8>)>, CarError> {
        if self.roots.is_none() {
            let max = self.limits.max_header as u64;
            let Some((len_bytes, len)) = self.frame()? else {
                return Ok(None);
            };
            if len > max {
                return Err(CarError::HeaderTooLarge {
                    len,
                    max: self.limits.max_header,
                });
            }
            let Some(body) = self.body(len_bytes, len) else {
                return Ok(None);
            };
            let roots = parse_header(&self.buf[body.clone()])?;
            self.consume(body.end);
            self.roots = Some(roots);
        }
        let offset = self.pos;
        let Some((len_bytes, len)) = self.frame()? else {
            return Ok(None);
        };
        if len > max_section(&self.limits) {
            return Err(CarError::BlockTooLarge {
                offset,
                len,
                max: self.limits.max_block,
            });
        }
        let Some(body) = self.body(len_bytes, len) else {
            return Ok(None);
        };
        let (cid, _, block) = parse_section(&self.buf[body.clone()], offset, &self.limits)?;
        let block = (cid, block.to_vec());
        self.consume(body.end);
        Ok(Some(block))
    }

    /// The length varint at the read position: `(its size, its value)`.
    fn frame(&self) -> Result<Option<(usize, u64)>, CarError> {
        match decode_varint(&self.buf[self.start..]) {
            Varint::Done(v, n) => Ok(Some((n, v))),
            Varint::Incomplete => Ok(None),
            Varint::Bad => Err(CarError::BadVarint { offset: self.pos }),
        }
    }

    /// The buffer range of a frame's body, if all of it has arrived.
    fn body(&self, len_bytes: usize, len: u64) -> Option<std::ops::Range<usize>> {
        let from = self.start + len_bytes;
        let to = from.checked_add(usize::try_from(len).ok()?)?;
        (to <= self.buf.len()).then_some(from..to)
    }

    fn consume(&mut self, end: usize) {
        self.pos += (end - self.start) as u64;
        self.start = end;
    }
}
