//! CAR v1 writer over any `std::io::Write`.

use super::{encode_varint, CarError, Header};
use crate::cid::Cid;
use std::io::Write;

/// Writes a CAR v1 stream: the header on construction, then one section per
/// [`write_block`](CarWriter::write_block).
///
/// Blocks are written as given, not re-hashed: callers pass CIDs they
/// computed for those bytes.
#[derive(Debug)]
pub struct CarWriter<W: Write> {
    inner: W,
    written: u64,
}

impl<W: Write> CarWriter<W> {
    /// Write the header `{roots, version: 1}` (canonical DAG-CBOR).
    pub fn new(inner: W, roots: &[Cid]) -> Result<Self, CarError> {
        let header = Header {
            roots: Some(roots.to_vec()),
            version: 1,
        };
        let bytes = crate::cbor::encode(&header).map_err(|e| CarError::BadHeader(e.to_string()))?;
        let mut writer = CarWriter { inner, written: 0 };
        writer.write_framed(&[&bytes])?;
        Ok(writer)
    }

    /// Append one block section: `varint(len) cid bytes`.
    pub fn write_block(&mut self, cid: &Cid, bytes: &[u8]) -> Result<(), CarError> {
        let cid_bytes = cid.to_bytes();
        self.write_framed(&[&cid_bytes, bytes])
    }

    /// Bytes written so far.
    pub fn bytes_written(&self) -> u64 {
        self.written
    }

    /// Flush and give back the underlying writer.
    pub fn finish(mut self) -> Result<W, CarError> {
        self.inner.flush()?;
        Ok(self.inner)
    }

    fn write_framed(&mut self, parts: &[&[u8]]) -> Result<(), CarError> {
        let len: usize = parts.iter().map(|p| p.len()).sum();
        let mut prefix = Vec::with_capacity(10);
        encode_varint(len as u64, &mut prefix);
        self.inner.write_all(&prefix)?;
        for part in parts {
            self.inner.write_all(part)?;
        }
        self.written += (prefix.len() + len) as u64;
        Ok(())
    }
}

/// A whole CAR in memory: `roots` in the header, then `blocks` in order.
pub fn write_car<'a>(
    roots: &[Cid],
    blocks: impl IntoIterator<Item = (&'a Cid, &'a [u8])>,
) -> Result<Vec<u8>, CarError> {
    let mut writer = CarWriter::new(Vec::new(), roots)?;
    for (cid, bytes) in blocks {
        writer.write_block(cid, bytes)?;
    }
    writer.finish()
}
