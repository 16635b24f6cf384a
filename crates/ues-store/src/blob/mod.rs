//! Large binary objects: content-defined chunks in the block store plus a
//! manifest block.
//!
//! - Chunking: FastCDC (2020), by default min 16 KiB / avg 64 KiB / max
//!   256 KiB, so an insertion or deletion moves only nearby cut points and
//!   blobs sharing content share chunks.
//! - Chunks: raw (0x55) blocks addressed by BLAKE3; identical chunks dedupe
//!   across blobs. With [`Compression::Lz4`] a chunk is stored compressed
//!   when that makes it smaller, and the manifest records which.
//! - Manifest: a DAG-CBOR block (BLAKE3 CID) listing chunk CIDs, sizes and
//!   compression, the total size, and the blob's sha2-256 raw CID (what the
//!   AT Protocol calls the blob CID).
//! - [`put_blob`] writes all chunks and the manifest in one batch;
//!   [`read_blob`] streams the chunks back, verifying each chunk against its
//!   CID and the whole blob's sha2-256 with the last chunk.

mod reader;

pub use reader::{read_blob, BlobReader};

use crate::{Batch, Cid, Result, Store, StoreError};
use multihash::Multihash;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::io::Read;
use ues_data::cid::{blake3_cid, RAW, SHA2_256};

/// The manifest's `$type`.
pub const MANIFEST_TYPE: &str = "ues.store.blob";
/// Largest chunk a manifest may describe (FastCDC's own maximum, 16 MiB).
pub const MAX_CHUNK_SIZE: u64 = fastcdc::v2020::MAXIMUM_MAX as u64;

/// How a chunk's bytes are stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    /// Stored as is.
    #[default]
    None,
    /// LZ4 block format (`lz4_flex`), no size prefix.
    Lz4,
}

impl Compression {
    fn is_none(&self) -> bool {
        *self == Compression::None
    }
}

/// Chunk sizes and compression for [`put_blob`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlobOptions {
    /// Compression to try on each chunk (kept only where it saves bytes).
    pub compression: Compression,
    /// Smallest chunk (except the last), bytes; 64 ..= 1 MiB, even.
    pub min_chunk: usize,
    /// Target average chunk, bytes; 256 ..= 4 MiB, even.
    pub avg_chunk: usize,
    /// Largest chunk, bytes; 1 KiB ..= 16 MiB, even.
    pub max_chunk: usize,
}

impl Default for BlobOptions {
    fn default() -> Self {
        BlobOptions {
            compression: Compression::None,
            min_chunk: 16 << 10,
            avg_chunk: 64 << 10,
            max_chunk: 256 << 10,
        }
    }
}

impl BlobOptions {
    /// The defaults with LZ4 compression.
    pub fn lz4() -> Self {
        BlobOptions {
            compression: Compression::Lz4,
            ..Self::default()
        }
    }

    fn check(&self) -> Result<()> {
        use fastcdc::v2020::*;
        let ok = (MINIMUM_MIN..=MINIMUM_MAX).contains(&self.min_chunk)
            && (AVERAGE_MIN..=AVERAGE_MAX).contains(&self.avg_chunk)
            && (MAXIMUM_MIN..=MAXIMUM_MAX).contains(&self.max_chunk)
            && self.min_chunk <= self.avg_chunk
            && self.avg_chunk <= self.max_chunk
            && [self.min_chunk, self.avg_chunk, self.max_chunk]
                .iter()
                .all(|n| n % 2 == 0);
        if ok {
            Ok(())
        } else {
            Err(StoreError::InvalidArgument(format!(
                "invalid blob chunk sizes {self:?}"
            )))
        }
    }
}

/// One chunk of a blob, as the manifest lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkRef {
    /// CID of the stored block (raw, BLAKE3 of the stored, possibly
    /// compressed, bytes).
    pub cid: Cid,
    /// Length of the chunk's data, uncompressed.
    pub size: u64,
    /// How the block holds the data (absent in the encoding when `None`).
    #[serde(default, skip_serializing_if = "Compression::is_none")]
    pub compression: Compression,
}

/// The manifest block of a blob (DAG-CBOR).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`MANIFEST_TYPE`].
    #[serde(rename = "$type")]
    pub kind: String,
    /// Total length of the blob.
    pub size: u64,
    /// CIDv1 raw sha2-256 of the whole blob (the AT Protocol blob CID).
    #[serde(rename = "blobCid")]
    pub blob_cid: Cid,
    /// The chunks, in order.
    pub chunks: Vec<ChunkRef>,
}

impl Manifest {
    /// Encodes to DAG-CBOR and computes its CID (BLAKE3 dag-cbor).
    pub fn encode(&self) -> Result<(Cid, Vec<u8>)> {
        let bytes = ues_data::cbor::encode(self)
            .map_err(|e| StoreError::InvalidArgument(format!("blob manifest: {e}")))?;
        Ok((blake3_cid(ues_data::cid::DAG_CBOR, &bytes), bytes))
    }

    /// Decodes a manifest block and checks that it is one: its `$type`,
    /// chunk sizes within [`MAX_CHUNK_SIZE`] that add up to `size`, and a
    /// raw sha2-256 blob CID.
    pub fn decode(cid: &Cid, bytes: &[u8]) -> Result<Manifest> {
        let bad = |why: String| {
            StoreError::InvalidArgument(format!("{cid} is not a blob manifest: {why}"))
        };
        let m: Manifest = ues_data::cbor::decode(bytes).map_err(|e| bad(e.to_string()))?;
        if m.kind != MANIFEST_TYPE {
            return Err(bad(format!("$type {:?}", m.kind)));
        }
        if m.blob_cid.codec() != RAW || m.blob_cid.hash().code() != SHA2_256 {
            return Err(bad("blobCid is not a raw sha2-256 CID".into()));
        }
        let mut total = 0u64;
        for c in &m.chunks {
            if c.size > MAX_CHUNK_SIZE {
                return Err(bad(format!("chunk of {} bytes", c.size)));
            }
            total += c.size;
        }
        if total != m.size {
            return Err(bad(format!(
                "chunks add up to {total} bytes, size says {}",
                m.size
            )));
        }
        Ok(m)
    }
}

/// What [`put_blob`] returns: where the blob is and what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BlobRef {
    /// The manifest block; pass it to [`read_blob`].
    pub manifest: Cid,
    /// CIDv1 raw sha2-256 of the whole blob (the AT Protocol blob CID).
    pub blob_cid: Cid,
    /// Length in bytes.
    pub size: u64,
}

/// Stores `data` as a blob: chunks and manifest in one batch.
pub async fn put_blob<S: Store + ?Sized>(
    store: &S,
    data: &[u8],
    opts: &BlobOptions,
) -> Result<BlobRef> {
    put_blob_parts(store, std::iter::once(data), opts).await
}

/// Stores the concatenation of `parts` as a blob (e.g. pieces of an upload
/// as they arrive); the chunking does not depend on where the parts split.
pub async fn put_blob_parts<S, I, B>(store: &S, parts: I, opts: &BlobOptions) -> Result<BlobRef>
where
    S: Store + ?Sized,
    I: IntoIterator<Item = B>,
    B: AsRef<[u8]>,
{
    let (batch, blob) = prepare_blob(parts, opts)?;
    store.apply(batch).await?;
    Ok(blob)
}

/// Chunks, hashes and (optionally) compresses `parts`; returns the batch
/// that stores the blob and its reference. Synchronous: useful to add a
/// blob's blocks to a larger batch (e.g. a commit with its blobs).
pub fn prepare_blob<I, B>(parts: I, opts: &BlobOptions) -> Result<(Batch, BlobRef)>
where
    I: IntoIterator<Item = B>,
    B: AsRef<[u8]>,
{
    opts.check()?;
    let reader = PartsReader {
        parts: parts.into_iter(),
        current: None,
        pos: 0,
    };
    let chunker =
        fastcdc::v2020::StreamCDC::new(reader, opts.min_chunk, opts.avg_chunk, opts.max_chunk);
    let mut batch = Batch::new();
    let mut stored = HashSet::new();
    let mut sha = Sha256::new();
    let mut chunks = Vec::new();
    let mut size = 0u64;
    for chunk in chunker {
        let data = chunk
            .map_err(|e| StoreError::Backend(format!("chunking blob: {e}")))?
            .data;
        sha.update(&data);
        let len = data.len() as u64;
        size += len;
        let (compression, block) = match compress(opts.compression, &data) {
            Some(packed) => (Compression::Lz4, packed),
            None => (Compression::None, data),
        };
        let cid = blake3_cid(RAW, &block);
        if stored.insert(cid) {
            batch.put_block(cid, block);
        }
        chunks.push(ChunkRef {
            cid,
            size: len,
            compression,
        });
    }
    let digest = Multihash::wrap(SHA2_256, &sha.finalize())
        .map_err(|e| StoreError::Backend(format!("blob hash: {e}")))?;
    let blob_cid = Cid::new_v1(RAW, digest);
    let manifest = Manifest {
        kind: MANIFEST_TYPE.into(),
        size,
        blob_cid,
        chunks,
    };
    let (manifest_cid, manifest_bytes) = manifest.encode()?;
    batch.put_block(manifest_cid, manifest_bytes);
    Ok((
        batch,
        BlobRef {
            manifest: manifest_cid,
            blob_cid,
            size,
        },
    ))
}

/// The LZ4 form of `data` when `compression` asks for it and it is smaller.
fn compress(compression: Compression, data: &[u8]) -> Option<Vec<u8>> {
    match compression {
        Compression::None => None,
        Compression::Lz4 => Some(lz4_flex::block::compress(data)).filter(|c| c.len() < data.len()),
    }
}

/// A `Read` over the concatenation of byte slices, for the streaming
/// chunker.
struct PartsReader<I: Iterator> {
    parts: I,
    current: Option<I::Item>,
    pos: usize,
}

impl<I> Read for PartsReader<I>
where
    I: Iterator,
    I::Item: AsRef<[u8]>,
{
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if let Some(part) = &self.current {
                let rest = &part.as_ref()[self.pos..];
                if !rest.is_empty() {
                    let n = rest.len().min(buf.len());
                    buf[..n].copy_from_slice(&rest[..n]);
                    self.pos += n;
                    return Ok(n);
                }
            }
            match self.parts.next() {
                Some(part) => {
                    self.current = Some(part);
                    self.pos = 0;
                }
                None => return Ok(0),
            }
        }
    }
}
