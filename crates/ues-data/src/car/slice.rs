//! Reader over a CAR held in memory: blocks are borrowed from the input, so
//! reading a whole repo allocates nothing per block.

use super::{decode_varint, max_section, parse_header, parse_section, CarError, CarLimits, Varint};
use crate::cid::Cid;

/// One block section of a [`CarSlice`], verified.
#[derive(Debug, Clone, Copy)]
pub struct CarSection<'a> {
    /// The block's CID.
    pub cid: Cid,
    /// The CID's canonical binary form, borrowed from the CAR.
    pub cid_bytes: &'a [u8],
    /// The block's bytes, borrowed from the CAR.
    pub block: &'a [u8],
}

/// Reads a CAR v1 from a byte slice: the header on construction, then one
/// verified block per [`next_block`](CarSlice::next_block), borrowed from the
/// input. Same checks and errors as [`super::CarReader`] over the same
/// bytes; after an error or the end, it yields no more blocks.
#[derive(Debug, Clone)]
pub struct CarSlice<'a> {
    bytes: &'a [u8],
    pos: usize,
    limits: CarLimits,
    roots: Vec<Cid>,
    done: bool,
}

impl<'a> CarSlice<'a> {
    /// Read and check the header (version 1, a roots array).
    pub fn new(bytes: &'a [u8], limits: CarLimits) -> Result<Self, CarError> {
        let mut r = CarSlice {
            bytes,
            pos: 0,
            limits,
            roots: Vec::new(),
            done: false,
        };
        let len = r.varint("header length")?.ok_or(CarError::Truncated {
            offset: 0,
            what: "header length",
        })?;
        if len > limits.max_header as u64 {
            return Err(CarError::HeaderTooLarge {
                len,
                max: limits.max_header,
            });
        }
        let header = r.take_bytes(len, "header")?;
        r.roots = parse_header(header)?;
        Ok(r)
    }

    /// The roots listed in the header.
    pub fn roots(&self) -> &[Cid] {
        &self.roots
    }

    /// The next block, verified against its CID; `Ok(None)` at a clean end
    /// of input (between two sections).
    pub fn next_block(&mut self) -> Result<Option<(Cid, &'a [u8])>, CarError> {
        Ok(self.next_section()?.map(|s| (s.cid, s.block)))
    }

    /// Like [`next_block`](CarSlice::next_block), with the CID's binary
    /// form as it appears in the CAR (canonical: checked).
    pub fn next_section(&mut self) -> Result<Option<CarSection<'a>>, CarError> {
        if self.done {
            return Ok(None);
        }
        let result = self.section();
        if !matches!(result, Ok(Some(_))) {
            self.done = true;
        }
        result
    }

    fn section(&mut self) -> Result<Option<CarSection<'a>>, CarError> {
        let offset = self.pos as u64;
        let Some(len) = self.varint("section length")? else {
            return Ok(None);
        };
        if len > max_section(&self.limits) {
            return Err(CarError::BlockTooLarge {
                offset,
                len,
                max: self.limits.max_block,
            });
        }
        let section = self.take_bytes(len, "section")?;
        let (cid, cid_bytes, block) = parse_section(section, offset, &self.limits)?;
        Ok(Some(CarSection {
            cid,
            cid_bytes,
            block,
        }))
    }

    /// One varint; `Ok(None)` if the input ends before its first byte.
    fn varint(&mut self, what: &'static str) -> Result<Option<u64>, CarError> {
        let rest = &self.bytes[self.pos..];
        if rest.is_empty() {
            return Ok(None);
        }
        match decode_varint(rest) {
            Varint::Done(v, n) => {
                self.pos += n;
                Ok(Some(v))
            }
            Varint::Incomplete => {
                self.pos = self.bytes.len();
                Err(CarError::Truncated {
                    offset: self.pos as u64,
                    what,
                })
            }
            Varint::Bad => Err(CarError::BadVarint {
                offset: self.pos as u64,
            }),
        }
    }

    /// The next `len` bytes, or `Truncated` at the end of the input.
    fn take_bytes(&mut self, len: u64, what: &'static str) -> Result<&'a [u8], CarError> {
        let rest = &self.bytes[self.pos..];
        match usize::try_from(len).ok().and_then(|n| rest.get(..n)) {
            Some(s) => {
                self.pos += s.len();
                Ok(s)
            }
            None => {
                self.pos = self.bytes.len();
                Err(CarError::Truncated {
                    offset: self.pos as u64,
                    what,
                })
            }
        }
    }
}

impl<'a> Iterator for CarSlice<'a> {
    type Item = Result<(Cid, &'a [u8]), CarError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_block().transpose()
    }
}
