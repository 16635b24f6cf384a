//! Reading a CBOR sequence (RFC 8742: values back to back) one value at a
//! time, without holding more than one item in memory.
//!
//! The reader follows item heads to learn exactly how many bytes the next
//! value takes, reads those (never past the value), then runs the full
//! [`validate`] over them. Item size is capped before anything is allocated.

use super::validate::{arg_len, validate, MAX_DEPTH};
use super::{decode_ipld, CborError, Ipld};
use std::io::{BufReader, ErrorKind, Read};

/// Default cap on one item of a sequence: 4 MiB.
pub const DEFAULT_MAX_ITEM_SIZE: usize = 4 << 20;

/// Yields one validated top-level DAG-CBOR value at a time from a reader.
///
/// End of input between items ends the sequence (`Ok(None)`); end of input
/// inside an item is [`CborError::Truncated`]. After the first error the
/// reader yields nothing more. Errors about an item come wrapped in
/// [`CborError::InSequence`] with its index and stream offset.
pub struct CborSeqReader<R: Read> {
    inner: BufReader<R>,
    max_item: usize,
    offset: u64,
    index: u64,
    done: bool,
}

impl<R: Read> CborSeqReader<R> {
    /// A reader with the [`DEFAULT_MAX_ITEM_SIZE`] limit.
    pub fn new(reader: R) -> Self {
        Self {
            inner: BufReader::new(reader),
            max_item: DEFAULT_MAX_ITEM_SIZE,
            offset: 0,
            index: 0,
            done: false,
        }
    }

    /// Set the largest item, in bytes, the reader accepts.
    pub fn with_max_item_size(mut self, max: usize) -> Self {
        self.max_item = max;
        self
    }

    /// Bytes of the stream consumed so far (the offset of the next item).
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The next value's canonical bytes, validated; `None` at the end.
    pub fn next_raw(&mut self) -> Result<Option<Vec<u8>>, CborError> {
        if self.done {
            return Ok(None);
        }
        let mut item = Vec::new();
        match self.collect(&mut item) {
            Ok(false) => {
                self.done = true;
                Ok(None)
            }
            Ok(true) => match validate(&item) {
                Ok(()) => {
                    self.offset += item.len() as u64;
                    self.index += 1;
                    Ok(Some(item))
                }
                Err(e) => Err(self.fail(e)),
            },
            Err(e) => Err(self.fail(e)),
        }
    }

    /// The next value decoded into the IPLD data model; `None` at the end.
    pub fn next_ipld(&mut self) -> Result<Option<Ipld>, CborError> {
        match self.next_raw()? {
            Some(bytes) => decode_ipld(&bytes).map(Some).map_err(|e| self.fail(e)),
            None => Ok(None),
        }
    }

    fn fail(&mut self, source: CborError) -> CborError {
        self.done = true;
        CborError::InSequence {
            index: self.index,
            offset: self.offset,
            source: Box::new(source),
        }
    }

    /// Read the bytes of one item into `item` by following its heads.
    /// `Ok(false)`: clean end of input before the item. Structural problems
    /// (indefinite lengths, reserved heads, nesting too deep) stop the walk;
    /// [`validate`] over the bytes read so far then names the first error.
    fn collect(&mut self, item: &mut Vec<u8>) -> Result<bool, CborError> {
        // How many items are still owed at each open nesting level.
        let mut owed: Vec<u64> = vec![1];
        while let Some(top) = owed.last_mut() {
            if *top == 0 {
                owed.pop();
                continue;
            }
            *top -= 1;
            let start = item.len();
            if !self.read_into(item, 1, start == 0)? {
                return Ok(false);
            }
            let ib = item[start];
            let (major, info) = (ib >> 5, ib & 0x1f);
            let Some(n) = arg_len(info).filter(|_| owed.len() <= MAX_DEPTH + 1) else {
                return Err(structural(item));
            };
            self.read_into(item, n, false)?;
            let arg = match n {
                0 => u64::from(info),
                _ => item[start + 1..]
                    .iter()
                    .fold(0u64, |acc, &x| (acc << 8) | u64::from(x)),
            };
            match major {
                2 | 3 => {
                    let len = usize::try_from(arg).map_err(|_| self.too_large())?;
                    self.read_into(item, len, false)?;
                }
                4 => owed.push(arg),
                5 => owed.push(arg.checked_mul(2).ok_or_else(|| self.too_large())?),
                // A tag's content is one more item at the same depth.
                6 => {
                    if let Some(top) = owed.last_mut() {
                        *top += 1;
                    }
                }
                // Integers and major type 7 carry nothing after their head.
                _ => {}
            }
        }
        Ok(true)
    }

    fn too_large(&self) -> CborError {
        CborError::TooLarge {
            limit: self.max_item,
        }
    }

    /// Append exactly `n` bytes to `item`, enforcing the size cap first.
    /// Returns `Ok(false)` only for a clean EOF when `eof_ok` and no byte came.
    fn read_into(&mut self, item: &mut Vec<u8>, n: usize, eof_ok: bool) -> Result<bool, CborError> {
        let start = item.len();
        if n > self.max_item.saturating_sub(start) {
            return Err(self.too_large());
        }
        item.resize(start + n, 0);
        let mut filled = start;
        while filled < item.len() {
            match self.inner.read(&mut item[filled..]) {
                Ok(0) if eof_ok && filled == 0 => return Ok(false),
                Ok(0) => {
                    item.truncate(filled);
                    return Err(CborError::Truncated { offset: filled });
                }
                Ok(k) => filled += k,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(true)
    }
}

/// The precise error for an item whose walk stopped on a structural problem.
fn structural(item: &[u8]) -> CborError {
    match validate(item) {
        Err(CborError::Truncated { .. }) | Ok(()) => {
            let offset = item.len().saturating_sub(1);
            CborError::Malformed {
                offset,
                byte: item.get(offset).copied().unwrap_or_default(),
            }
        }
        Err(e) => e,
    }
}

impl<R: Read> Iterator for CborSeqReader<R> {
    type Item = Result<Vec<u8>, CborError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_raw().transpose()
    }
}

impl<R: Read> std::iter::FusedIterator for CborSeqReader<R> {}
