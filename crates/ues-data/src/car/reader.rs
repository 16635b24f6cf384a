//! Pull reader: CAR v1 over any `std::io::Read`.

use super::MAX_VARINT_BYTES;
use super::{decode_varint, max_section, parse_header, parse_section, CarError, CarLimits, Varint};
use crate::cid::Cid;
use std::io::{ErrorKind, Read};

/// Reads a CAR v1 stream: the header on construction, then one verified
/// block per [`next_block`](CarReader::next_block) call.
///
/// Memory is bounded by the [`CarLimits`]: a declared length above them is an
/// error before anything is allocated. Reads are small (a byte per varint
/// byte), so wrap unbuffered sources such as files in a `BufReader`.
/// After an error or the end of the stream, the reader yields no more blocks.
#[derive(Debug)]
pub struct CarReader<R: Read> {
    inner: R,
    limits: CarLimits,
    roots: Vec<Cid>,
    pos: u64,
    done: bool,
}

impl<R: Read> CarReader<R> {
    /// Read and check the header (version 1, a roots array).
    pub fn new(inner: R, limits: CarLimits) -> Result<Self, CarError> {
        let mut reader = CarReader {
            inner,
            limits,
            roots: Vec::new(),
            pos: 0,
            done: false,
        };
        let len = reader
            .read_varint("header length")?
            .ok_or(CarError::Truncated {
                offset: 0,
                what: "header length",
            })?;
        if len > limits.max_header as u64 {
            return Err(CarError::HeaderTooLarge {
                len,
                max: limits.max_header,
            });
        }
        let header = reader.read_exact_len(len, "header")?;
        reader.roots = parse_header(&header)?;
        Ok(reader)
    }

    /// The roots listed in the header.
    pub fn roots(&self) -> &[Cid] {
        &self.roots
    }

    /// Bytes consumed from the underlying reader so far.
    pub fn bytes_read(&self) -> u64 {
        self.pos
    }

    /// The limits this reader enforces.
    pub fn limits(&self) -> CarLimits {
        self.limits
    }

    /// Give back the underlying reader.
    pub fn into_inner(self) -> R {
        self.inner
    }

    /// The next block, verified against its CID; `Ok(None)` at a clean end of
    /// input (between two sections).
    pub fn next_block(&mut self) -> Result<Option<(Cid, Vec<u8>)>, CarError> {
        if self.done {
            return Ok(None);
        }
        let result = self.read_section();
        if !matches!(result, Ok(Some(_))) {
            self.done = true;
        }
        result
    }

    fn read_section(&mut self) -> Result<Option<(Cid, Vec<u8>)>, CarError> {
        let offset = self.pos;
        let Some(len) = self.read_varint("section length")? else {
            return Ok(None);
        };
        if len > max_section(&self.limits) {
            return Err(CarError::BlockTooLarge {
                offset,
                len,
                max: self.limits.max_block,
            });
        }
        let mut section = self.read_exact_len(len, "section")?;
        let (cid, _, block) = parse_section(&section, offset, &self.limits)?;
        // The block is the section's tail: drop the CID in place rather
        // than copying the block into a new buffer.
        let cid_len = section.len() - block.len();
        section.drain(..cid_len);
        Ok(Some((cid, section)))
    }

    /// One varint, byte by byte; `Ok(None)` if the input ends before its first byte.
    fn read_varint(&mut self, what: &'static str) -> Result<Option<u64>, CarError> {
        let start = self.pos;
        let mut buf = [0u8; MAX_VARINT_BYTES];
        let mut n = 0;
        loop {
            let mut byte = [0u8; 1];
            match self.inner.read(&mut byte) {
                Ok(0) if n == 0 => return Ok(None),
                Ok(0) => {
                    return Err(CarError::Truncated {
                        offset: self.pos,
                        what,
                    })
                }
                Ok(_) => {}
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(e.into()),
            }
            buf[n] = byte[0];
            n += 1;
            self.pos += 1;
            match decode_varint(&buf[..n]) {
                Varint::Done(v, _) => return Ok(Some(v)),
                Varint::Incomplete => {}
                Varint::Bad => return Err(CarError::BadVarint { offset: start }),
            }
        }
    }

    /// Exactly `len` bytes (already checked against a limit), or `Truncated`.
    fn read_exact_len(&mut self, len: u64, what: &'static str) -> Result<Vec<u8>, CarError> {
        let cap = usize::try_from(len).map_err(|_| CarError::Truncated {
            offset: self.pos,
            what,
        })?;
        // Grow with the data actually read, so a large declared length over a
        // short input never allocates its full size.
        let mut buf = Vec::with_capacity(cap.min(1 << 16));
        let got = self.inner.by_ref().take(len).read_to_end(&mut buf)?;
        self.pos += got as u64;
        if buf.len() < cap {
            return Err(CarError::Truncated {
                offset: self.pos,
                what,
            });
        }
        Ok(buf)
    }
}

impl<R: Read> Iterator for CarReader<R> {
    type Item = Result<(Cid, Vec<u8>), CarError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_block().transpose()
    }
}
