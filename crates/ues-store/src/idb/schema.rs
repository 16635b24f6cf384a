//! The schema and its upgrade path: the steps `onupgradeneeded` runs, one
//! per version, each creating what is missing.

use ::idb::event::VersionChangeEvent;
use ::idb::{Database, DatabaseEvent, KeyPath, ObjectStoreParams};

use super::js::{from_idb, EXPIRY_PATH};
use super::{BLOCKS, EXPIRY_INDEX, KV, SCHEMA_VERSION};
use crate::Result;

/// Runs every upgrade step from the stored version up to the requested one
/// (inside the `versionchange` transaction).
pub(super) fn upgrade(event: &VersionChangeEvent) -> Result<()> {
    let old = event.old_version().map_err(from_idb)?;
    let new = event
        .new_version()
        .map_err(from_idb)?
        .unwrap_or(SCHEMA_VERSION);
    let db = event.database().map_err(from_idb)?;
    for version in old + 1..=new {
        upgrade_step(&db, version)?;
    }
    Ok(())
}

/// The upgrade steps: `UPGRADES[v - 1]` brings the layout from version
/// `v - 1` to `v`. A new schema version appends a step (and bumps
/// [`SCHEMA_VERSION`]); e.g. version 2 adding a store:
/// `|db, missing| { if missing("new") { db.create_object_store("new", ..)?; } Ok(()) }`.
/// Each step creates only what is missing, so a half-created layout is
/// completed. A step that changes an existing store reaches it through the
/// upgrade transaction (`event.target()?.transaction()`), e.g. to add an
/// index.
const UPGRADES: &[UpgradeStep] = &[create_v1];

/// One upgrade step: the database and a test of whether a store is missing.
type UpgradeStep = fn(&Database, &dyn Fn(&str) -> bool) -> Result<()>;

/// Runs the step to `version`; versions past the last step change nothing.
fn upgrade_step(db: &Database, version: u32) -> Result<()> {
    let names = db.store_names();
    let missing = |s: &str| !names.iter().any(|n| n == s);
    match (version as usize)
        .checked_sub(1)
        .and_then(|i| UPGRADES.get(i))
    {
        Some(step) => step(db, &missing),
        None => Ok(()),
    }
}

/// Version 1: the `blocks` and `kv` stores and the `expiry` index.
fn create_v1(db: &Database, missing: &dyn Fn(&str) -> bool) -> Result<()> {
    if missing(BLOCKS) {
        db.create_object_store(BLOCKS, ObjectStoreParams::new())
            .map_err(from_idb)?;
    }
    if missing(KV) {
        let kv = db
            .create_object_store(KV, ObjectStoreParams::new())
            .map_err(from_idb)?;
        kv.create_index(EXPIRY_INDEX, KeyPath::new_single(EXPIRY_PATH), None)
            .map_err(from_idb)?;
    }
    Ok(())
}
