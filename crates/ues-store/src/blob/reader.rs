//! Streaming a blob back, chunk by chunk, verified.

use super::{Compression, Manifest};
use crate::{verify_block, BlockStore, Cid, Result, StoreError};
use sha2::{Digest, Sha256};

/// Opens the blob whose manifest is `manifest`: loads and checks the
/// manifest ([`StoreError::NotFound`] when absent, [`StoreError::Corrupt`]
/// when its bytes do not match its CID, [`StoreError::InvalidArgument`] when
/// it is not a blob manifest).
pub async fn read_blob<'a, S: BlockStore + ?Sized>(
    store: &'a S,
    manifest: &Cid,
) -> Result<BlobReader<'a, S>> {
    let bytes = store
        .get_block(manifest)
        .await?
        .ok_or(StoreError::NotFound(*manifest))?;
    verify_block(manifest, &bytes)?;
    let parsed = Manifest::decode(manifest, &bytes)?;
    Ok(BlobReader {
        store,
        manifest: parsed,
        next: 0,
        read: 0,
        sha: Sha256::new(),
        finished: false,
    })
}

/// Reads a blob's chunks in order with [`BlobReader::next_chunk`]. Each
/// chunk is checked against its CID before it is returned; the sha2-256 of
/// the whole blob is checked with the last chunk, so the call that returns
/// the last chunk fails instead when the blob as a whole is wrong.
pub struct BlobReader<'a, S: ?Sized> {
    store: &'a S,
    manifest: Manifest,
    next: usize,
    read: u64,
    sha: Sha256,
    finished: bool,
}

impl<S: ?Sized> std::fmt::Debug for BlobReader<'_, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlobReader")
            .field("blob_cid", &self.manifest.blob_cid)
            .field("size", &self.manifest.size)
            .field("next", &self.next)
            .finish()
    }
}

impl<'a, S: BlockStore + ?Sized> BlobReader<'a, S> {
    /// The blob's manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Total length of the blob.
    pub fn size(&self) -> u64 {
        self.manifest.size
    }

    /// CIDv1 raw sha2-256 of the whole blob.
    pub fn blob_cid(&self) -> Cid {
        self.manifest.blob_cid
    }

    /// Bytes returned so far.
    pub fn position(&self) -> u64 {
        self.read
    }

    /// The next chunk's data, or `None` after the last one.
    /// [`StoreError::NotFound`] for a missing chunk block,
    /// [`StoreError::Corrupt`] for a chunk that does not match its CID or
    /// size (the chunk's CID) or a blob that does not match its sha2-256
    /// (the blob CID).
    pub async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>> {
        let Some(chunk) = self.manifest.chunks.get(self.next).cloned() else {
            self.finish()?;
            return Ok(None);
        };
        let block = self
            .store
            .get_block(&chunk.cid)
            .await?
            .ok_or(StoreError::NotFound(chunk.cid))?;
        verify_block(&chunk.cid, &block)?;
        let data = match chunk.compression {
            Compression::None => block,
            // `size` is at most MAX_CHUNK_SIZE (checked when the manifest was read).
            Compression::Lz4 => lz4_flex::block::decompress(&block, chunk.size as usize)
                .map_err(|_| StoreError::Corrupt(chunk.cid))?,
        };
        if data.len() as u64 != chunk.size {
            return Err(StoreError::Corrupt(chunk.cid));
        }
        self.sha.update(&data);
        self.read += chunk.size;
        self.next += 1;
        if self.next == self.manifest.chunks.len() {
            self.finish()?;
        }
        Ok(Some(data))
    }

    /// Reads the rest of the blob into one buffer.
    pub async fn read_to_end(mut self) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity((self.manifest.size - self.read).min(64 << 20) as usize);
        while let Some(chunk) = self.next_chunk().await? {
            out.extend_from_slice(&chunk);
        }
        Ok(out)
    }

    /// Checks the whole blob's size and sha2-256, once.
    fn finish(&mut self) -> Result<()> {
        if self.finished {
            return Ok(());
        }
        let digest = std::mem::take(&mut self.sha).finalize();
        let cid = self.manifest.blob_cid;
        if self.read != self.manifest.size || cid.hash().digest() != digest.as_slice() {
            return Err(StoreError::Corrupt(cid));
        }
        self.finished = true;
        Ok(())
    }
}
