//! The `kv` table's entry format (expiry header ‖ value), its expiry index,
//! and the writes that keep the two in step.

use std::ops::Bound;

use redb::{AccessGuard, ReadableTable, Table, WriteTransaction};

use super::{backend, EXPIRY, KV};
use crate::{Result, Scan, StoreError};

/// Header value of an entry that never expires.
pub(super) const NO_EXPIRY: u64 = u64::MAX;
pub(super) const HEADER: usize = 8;
/// A borrowed byte string read from a table.
pub(super) type Guard<'a> = AccessGuard<'a, &'static [u8]>;

/// Splits a stored `kv` value into its expiry header and the value.
pub(super) fn split(stored: &[u8]) -> Result<(u64, &[u8])> {
    match stored.split_first_chunk::<HEADER>() {
        Some((head, value)) => Ok((u64::from_be_bytes(*head), value)),
        None => Err(StoreError::Backend(format!(
            "kv entry of {} bytes is shorter than its header",
            stored.len()
        ))),
    }
}

/// [`crate::is_expired`] on a stored header.
pub(super) fn expired(header: u64, now: u64) -> bool {
    crate::is_expired((header != NO_EXPIRY).then_some(header), now)
}

/// The expiry header of a stored entry, if there is one.
pub(super) fn header_of(entry: Option<Guard<'_>>) -> Result<Option<u64>> {
    entry.map(|g| split(g.value()).map(|(e, _)| e)).transpose()
}

pub(super) fn expiry_key(expires_at: u64, key: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(HEADER + key.len());
    k.extend_from_slice(&expires_at.to_be_bytes());
    k.extend_from_slice(key);
    k
}

/// Whether the bounds select no key at all (redb, like `BTreeMap`, must not
/// be handed an inverted range).
pub(super) fn range_is_empty(scan: &Scan) -> bool {
    use Bound::{Excluded, Included};
    match (&scan.start, &scan.end) {
        (Included(a), Included(b)) => a > b,
        (Included(a), Excluded(b)) | (Excluded(a), Included(b)) | (Excluded(a), Excluded(b)) => {
            a >= b
        }
        _ => false,
    }
}

/// Copies out the first `limit` unexpired entries of a `kv` range.
pub(super) fn live_entries<'a>(
    range: impl Iterator<Item = redb::Result<(Guard<'a>, Guard<'a>)>>,
    now: u64,
    limit: usize,
) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
    let mut out = Vec::with_capacity(limit.min(1024));
    for item in range {
        let (k, v) = item.map_err(backend)?;
        let (expires_at, value) = split(v.value())?;
        if !expired(expires_at, now) {
            out.push((k.value().to_vec(), value.to_vec()));
            if out.len() >= limit {
                break;
            }
        }
    }
    Ok(out)
}

/// The open `kv` and `kv_expiry` tables of one write transaction.
pub(super) struct KvWriter<'t> {
    kv: Table<'t, &'static [u8], &'static [u8]>,
    expiry: Table<'t, &'static [u8], ()>,
    buf: Vec<u8>,
}

impl<'t> KvWriter<'t> {
    pub(super) fn open(txn: &'t WriteTransaction) -> Result<Self> {
        Ok(KvWriter {
            kv: txn.open_table(KV).map_err(backend)?,
            expiry: txn.open_table(EXPIRY).map_err(backend)?,
            buf: Vec::new(),
        })
    }

    pub(super) fn put(&mut self, key: &[u8], value: &[u8], expires_at: Option<u64>) -> Result<()> {
        let expires_at = expires_at.unwrap_or(NO_EXPIRY);
        self.buf.clear();
        self.buf.extend_from_slice(&expires_at.to_be_bytes());
        self.buf.extend_from_slice(value);
        let old = header_of(self.kv.insert(key, self.buf.as_slice()).map_err(backend)?)?;
        if old != Some(expires_at) {
            self.unindex(old, key)?;
            if expires_at != NO_EXPIRY {
                self.expiry
                    .insert(expiry_key(expires_at, key).as_slice(), ())
                    .map_err(backend)?;
            }
        }
        Ok(())
    }

    /// Deletes every entry expired at `now`, found through the expiry index;
    /// returns how many.
    pub(super) fn sweep(&mut self, now: u64) -> Result<usize> {
        // Index rows with expiry <= now sort before (now + 1) ‖ "".
        let end = now.checked_add(1).map(u64::to_be_bytes);
        let end = end
            .as_ref()
            .map_or(Bound::Unbounded, |e| Bound::Excluded(e.as_slice()));
        let due: Vec<Vec<u8>> = self
            .expiry
            .range::<&[u8]>((Bound::Unbounded, end))
            .map_err(backend)?
            .map(|item| item.map(|(k, _)| k.value().to_vec()).map_err(backend))
            .collect::<Result<_>>()?;
        let mut count = 0;
        for index_key in &due {
            self.expiry.remove(index_key.as_slice()).map_err(backend)?;
            let Some(key) = index_key.get(HEADER..) else {
                continue;
            };
            // Index rows and entries are written together, so the entry's
            // header matches its row; check anyway rather than trust it.
            let current = header_of(self.kv.get(key).map_err(backend)?)?;
            if current.is_some_and(|e| expired(e, now)) {
                self.delete(key)?;
                count += 1;
            }
        }
        Ok(count)
    }

    pub(super) fn delete(&mut self, key: &[u8]) -> Result<()> {
        let old = header_of(self.kv.remove(key).map_err(backend)?)?;
        self.unindex(old, key)
    }

    fn unindex(&mut self, old_expiry: Option<u64>, key: &[u8]) -> Result<()> {
        if let Some(e) = old_expiry.filter(|&e| e != NO_EXPIRY) {
            self.expiry
                .remove(expiry_key(e, key).as_slice())
                .map_err(backend)?;
        }
        Ok(())
    }
}
