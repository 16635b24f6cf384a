//! IndexedDB backend: [`IdbStore`], the browser's "disk" (wasm32 only),
//! built on the [`idb`](https://docs.rs/idb) crate.
//!
//! Layout (schema version [`SCHEMA_VERSION`]):
//! - object store `blocks`: key = CID bytes (`Uint8Array`), value = block
//!   bytes (`Uint8Array`);
//! - object store `kv`: key = key bytes (`Uint8Array`; IndexedDB orders
//!   binary keys byte-wise, as the traits need), value = `{v: Uint8Array,
//!   x?: number}` — the value bytes and, when it has one, the expiry in ms
//!   since the epoch;
//! - index `expiry` on `kv` over `x`: only entries with an expiry are in it,
//!   so [`KvStore::sweep`](crate::KvStore::sweep) reads just the expired ones.
//!
//! Transactions: one `readwrite` transaction over both stores per
//! [`Store::apply`](crate::Store::apply) — every request is issued at once
//! and only the transaction's `complete` is awaited; a failing request or an
//! abort rolls the whole batch back. Reads use one `readonly` transaction
//! (`get_blocks` included). Expired entries read as absent.
//!
//! Errors: `QuotaExceededError` → [`StoreError::QuotaExceeded`]; an open or
//! delete held up by another connection (the `blocked` event) →
//! [`StoreError::Blocked`] once it is still blocked [`BLOCKED_GRACE_MS`]
//! after the event (connections already closing get that long), never a
//! hang; use after
//! [`IdbStore::close`], after the browser closed the connection, or an
//! `InvalidStateError` → [`StoreError::Closed`]; anything else →
//! [`StoreError::Backend`] (`name: message`).
//!
//! Other tabs: an open store closes itself when another connection asks for
//! a newer version (`versionchange`), so it never blocks their upgrade; its
//! later operations fail with [`StoreError::Closed`].

mod js;
mod ops;
mod schema;

pub use js::{error_from_dom, error_from_js};

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::Rc;

use ::idb::event::VersionChangeEvent;
use ::idb::request::{DeleteDatabaseRequest, OpenDatabaseRequest};
use ::idb::{Database, Event, Factory, Request, Transaction, TransactionMode};
use futures::channel::oneshot;
use futures::future::{select, Either};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{IdbDatabase, IdbOpenDbRequest, IdbTransaction};

use crate::{Clock, Result, StoreError};
use js::{from_idb, Finish};
use schema::upgrade;

/// The schema this code creates and reads. Bump it, and add a step to
/// `upgrade_step`, to change the layout.
pub const SCHEMA_VERSION: u32 = 1;
/// Object store of blocks: CID bytes → block bytes.
pub const BLOCKS: &str = "blocks";
/// Object store of the ordered key-value entries.
pub const KV: &str = "kv";
/// Index on `kv` over the expiry of the entries that have one.
pub const EXPIRY_INDEX: &str = "expiry";

/// A [`Store`](crate::Store) in one IndexedDB database. Not `Send`; share it
/// by reference (or `Rc`) between the tasks of one page or worker. Dropping
/// it closes the connection (after its running transactions finish).
pub struct IdbStore {
    db: Database,
    raw: IdbDatabase,
    name: String,
    clock: Rc<dyn Clock>,
    /// Set by [`IdbStore::close`], a `versionchange` or a `close` event.
    closed: Rc<Cell<bool>>,
    /// A failure the next `apply` injects (tests of atomicity only).
    fault: Cell<Option<Fault>>,
}

/// A failure to inject into the next [`Store::apply`](crate::Store::apply),
/// for tests of atomicity: the transaction fails after `n` operations were
/// issued, so the batch must leave nothing behind.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// A request that fails asynchronously (an `add` of a key the same
    /// transaction just wrote: `ConstraintError`), which aborts the
    /// transaction as any failed write does.
    FailingRequest(usize),
    /// An explicit `abort()` of the transaction.
    Abort(usize),
}

impl std::fmt::Debug for IdbStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdbStore")
            .field("name", &self.name)
            .field("closed", &self.closed.get())
            .finish()
    }
}

impl IdbStore {
    /// Opens (creating or upgrading to [`SCHEMA_VERSION`]) the database
    /// `name`. Fails with [`StoreError::Blocked`] when another connection
    /// holding an older version stays open (e.g. an old tab) for
    /// [`BLOCKED_GRACE_MS`] after the `blocked` event.
    pub async fn open(name: &str, clock: Rc<dyn Clock>) -> Result<Self> {
        Self::open_version(name, clock, SCHEMA_VERSION).await
    }

    /// Opens the database at schema `version`: every upgrade step from the
    /// stored version up to `version` runs, creating what is missing.
    /// Versions above [`SCHEMA_VERSION`] add nothing (they rehearse a future
    /// upgrade: tests of a blocked upgrade use them); a database already at
    /// a higher version fails with `VersionError`.
    pub async fn open_version(name: &str, clock: Rc<dyn Clock>, version: u32) -> Result<Self> {
        if version == 0 {
            return Err(StoreError::InvalidArgument("schema version 0".into()));
        }
        let request = Factory::new()
            .and_then(|f| f.open(name, Some(version)))
            .map_err(from_idb)?;
        // Keep the raw request: the wrapper owns the callbacks, and must
        // live until the request is done.
        let raw: IdbOpenDbRequest = request.into();
        let mut request = OpenDatabaseRequest::from(raw.clone());

        let upgrade_error = Rc::new(RefCell::new(None));
        let errors = upgrade_error.clone();
        request.on_upgrade_needed(move |event| {
            if let Err(e) = upgrade(&event) {
                // Abort the upgrade: the open fails and nothing changes.
                if let Some(tx) = event.target().ok().and_then(|r| r.transaction()) {
                    let _ = tx.abort();
                }
                *errors.borrow_mut() = Some(e);
            }
        });
        let (blocked, on_blocked) = blocked_signal(&mut request);

        let Some(opened) = unless_blocked(js::outcome(&raw), on_blocked).await else {
            // The request stays pending: let its upgrade run when it gets
            // through, and close that connection at once so that it holds
            // nothing open.
            request.forget_callbacks();
            let req = raw.clone();
            let close = Closure::once_into_js(move |_: web_sys::Event| {
                if let Some(db) = req
                    .result()
                    .ok()
                    .and_then(|r| r.dyn_into::<IdbDatabase>().ok())
                {
                    db.close();
                }
            });
            raw.set_onsuccess(Some(close.unchecked_ref()));
            return Err(StoreError::Blocked(blocked.take()));
        };
        let db = match opened.and_then(|db| Database::try_from(db).map_err(from_idb)) {
            Ok(db) => db,
            Err(e) => return Err(upgrade_error.take().unwrap_or(e)),
        };
        Self::connect(db, name, clock)
    }

    /// Wraps an open connection: watches `versionchange` and `close`.
    fn connect(db: Database, name: &str, clock: Rc<dyn Clock>) -> Result<Self> {
        let raw: IdbDatabase = db.into();
        let mut db = Database::from(raw.clone());
        let closed = Rc::new(Cell::new(false));
        let (flag, conn) = (closed.clone(), raw.clone());
        db.on_version_change(move |_| {
            flag.set(true);
            conn.close();
        });
        let flag = closed.clone();
        db.on_close(move |_| flag.set(true));
        let store = IdbStore {
            db,
            raw,
            name: name.to_string(),
            clock,
            closed,
            fault: Cell::new(None),
        };
        if !store.has_stores() {
            // Created by something else at this version: refuse rather than guess.
            return Err(StoreError::Backend(format!(
                "database {name:?} lacks the object stores {BLOCKS:?} and {KV:?}"
            )));
        }
        Ok(store)
    }

    /// Whether the database has the object stores this code needs.
    fn has_stores(&self) -> bool {
        let names = self.db.store_names();
        [BLOCKS, KV].iter().all(|s| names.iter().any(|n| n == s))
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The database's schema version.
    pub fn version(&self) -> u32 {
        self.db.version().unwrap_or(0)
    }

    /// Whether the connection is closed (by [`IdbStore::close`], another
    /// tab's upgrade, or the browser); every operation then fails with
    /// [`StoreError::Closed`].
    pub fn is_closed(&self) -> bool {
        self.closed.get()
    }

    /// Closes the connection once its running transactions finish; later
    /// operations fail with [`StoreError::Closed`].
    pub fn close(&self) {
        self.closed.set(true);
        self.raw.close();
    }

    /// Deletes the database `name` with everything in it. Open [`IdbStore`]s
    /// on it close themselves first; other connections that stay open make
    /// it fail with [`StoreError::Blocked`] (the deletion then happens when
    /// they close).
    pub async fn delete_database(name: &str) -> Result<()> {
        let request = Factory::new()
            .and_then(|f| f.delete(name))
            .map_err(from_idb)?;
        let raw: IdbOpenDbRequest = request.into();
        let mut request = DeleteDatabaseRequest::from(raw.clone());
        let (blocked, on_blocked) = blocked_signal(&mut request);
        match unless_blocked(js::outcome(&raw), on_blocked).await {
            Some(r) => r.map(drop),
            None => {
                request.forget_callbacks();
                Err(StoreError::Blocked(blocked.take()))
            }
        }
    }

    /// Makes the next [`Store::apply`](crate::Store::apply) fail as `fault`
    /// says (tests of atomicity only).
    #[doc(hidden)]
    pub fn inject_fault(&self, fault: Fault) {
        self.fault.set(Some(fault));
    }

    /// A transaction over `stores`, or [`StoreError::Closed`].
    fn transaction(&self, stores: &[&str], mode: TransactionMode) -> Result<Transaction> {
        if self.closed.get() {
            return Err(StoreError::Closed);
        }
        self.db.transaction(stores, mode).map_err(from_idb)
    }

    /// A `readonly` transaction for one request (its end is not awaited).
    fn read(&self, store: &str) -> Result<Transaction> {
        self.transaction(&[store], TransactionMode::ReadOnly)
    }

    /// A transaction whose end is awaited with the returned [`Finish`].
    fn begin(&self, stores: &[&str], mode: TransactionMode) -> Result<(Transaction, Finish)> {
        let raw: IdbTransaction = self.transaction(stores, mode)?.into();
        Ok((Transaction::from(raw.clone()), Finish::new(raw)))
    }
}

impl Drop for IdbStore {
    fn drop(&mut self) {
        // Our handlers are freed with `self.db`: unhook them first.
        self.raw.set_onversionchange(None);
        self.raw.set_onclose(None);
        self.raw.close();
    }
}

/// Message for a `blocked` event, filled when it fires, and a receiver that
/// resolves then.
fn blocked_signal<R>(request: &mut R) -> (Rc<Cell<String>>, oneshot::Receiver<()>)
where
    R: BlockedEvent,
{
    let message = Rc::new(Cell::new(String::new()));
    let (tx, rx) = oneshot::channel();
    let msg = message.clone();
    request.on_blocked_event(Box::new(move |event: VersionChangeEvent| {
        let old = event.old_version().unwrap_or(0);
        let new = event.new_version().ok().flatten();
        msg.set(match new {
            Some(n) => format!("version {old} is open elsewhere; version {n} waits"),
            None => format!("version {old} is open elsewhere; deletion waits"),
        });
        let _ = tx.send(());
    }));
    (message, rx)
}

/// Requests that report `blocked` (open and delete).
trait BlockedEvent {
    fn on_blocked_event(&mut self, f: Box<dyn FnOnce(VersionChangeEvent)>);
}

impl BlockedEvent for OpenDatabaseRequest {
    fn on_blocked_event(&mut self, f: Box<dyn FnOnce(VersionChangeEvent)>) {
        self.on_blocked(f);
    }
}

impl BlockedEvent for DeleteDatabaseRequest {
    fn on_blocked_event(&mut self, f: Box<dyn FnOnce(VersionChangeEvent)>) {
        self.on_blocked(f);
    }
}

/// How long an open or delete may stay `blocked` before it fails with
/// [`StoreError::Blocked`]: long enough for connections that are already
/// closing (their last transactions finishing, another tab closing in its
/// `versionchange` handler) to go, short enough that nobody waits on a tab
/// that will not close.
pub const BLOCKED_GRACE_MS: u32 = 500;

/// `fut`'s output, or `None` if it is still `blocked` [`BLOCKED_GRACE_MS`]
/// after the `blocked` event.
async fn unless_blocked<T>(
    fut: impl Future<Output = T>,
    blocked: oneshot::Receiver<()>,
) -> Option<T> {
    let blocked = async {
        if blocked.await.is_err() {
            // The handler was dropped unfired: only `fut` can finish.
            futures::future::pending::<()>().await;
        }
        js::sleep(BLOCKED_GRACE_MS).await;
    };
    match select(std::pin::pin!(fut), std::pin::pin!(blocked)).await {
        Either::Left((out, _)) => Some(out),
        Either::Right(_) => None,
    }
}
