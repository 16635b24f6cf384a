//! The tab's node: one `Node` over IndexedDB, opened once, used by one call
//! at a time (an async mutex queues the others).

use futures::lock::Mutex;
use std::rc::Rc;
use ues_node::{Node, NodeError, NodeOptions};
use ues_store::idb::IdbStore;
use ues_store::SystemClock;

pub type TabNode = Node<IdbStore>;

thread_local! {
    static NODE: std::cell::RefCell<Option<Rc<Mutex<TabNode>>>> = const { std::cell::RefCell::new(None) };
}

/// The IndexedDB database of the app's node.
pub const DB_NAME: &str = "ues-web";

/// Opens the node (once per page).
pub async fn open() -> Result<(), NodeError> {
    if NODE.with(|n| n.borrow().is_some()) {
        return Ok(());
    }
    let store = IdbStore::open(DB_NAME, Rc::new(SystemClock)).await?;
    let node = Node::open(store, NodeOptions::default()).await?;
    NODE.with(|n| *n.borrow_mut() = Some(Rc::new(Mutex::new(node))));
    Ok(())
}

fn handle() -> Result<Rc<Mutex<TabNode>>, NodeError> {
    NODE.with(|n| n.borrow().clone())
        .ok_or_else(|| NodeError::InvalidArgument("the node is not open yet".into()))
}

/// Runs `f` with the node, after the calls before it.
pub async fn with_node<T>(
    f: impl AsyncFnOnce(&mut TabNode) -> Result<T, NodeError>,
) -> Result<T, NodeError> {
    let h = handle()?;
    let mut guard = h.lock().await;
    f(&mut guard).await
}

/// A user-facing message for an error: its code and text.
pub fn describe(e: &NodeError) -> String {
    format!("{}: {e}", e.code())
}
