//! The node's event stream: what changed, in order, in a bounded queue the
//! host drains (and hands to its listeners: JS callbacks, a Leptos signal).

use std::collections::VecDeque;

/// How many events wait for the host before the oldest are dropped.
pub const EVENT_QUEUE_CAP: usize = 4096;

/// What a record write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
    Delete,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
        }
    }
}

/// Something that happened on the node.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeEvent {
    /// The node's account was created, imported or unlocked.
    Account { did: String, locked: bool },
    /// A record was created, updated or deleted (by a local write or an
    /// import); `cid` is the new value (none for a delete).
    Record {
        uri: String,
        cid: Option<String>,
        action: Action,
        rev: String,
    },
    /// A repo moved to a new commit.
    Commit {
        did: String,
        rev: String,
        cid: String,
    },
    /// Long work moved on: `done` of `total` units (`total` 0 when unknown).
    Progress {
        task: String,
        phase: String,
        done: u64,
        total: u64,
    },
    /// The relay link moved: what it has, whether commits wait, the last
    /// push's error (offline, refused).
    Sync {
        relay: String,
        pushed_rev: Option<String>,
        pending: bool,
        error: Option<String>,
    },
    /// The host did not drain the queue in time: this many events were lost
    /// (re-read the state rather than trusting the stream).
    Lagged { dropped: u64 },
}

impl NodeEvent {
    /// The event's name (`account`, `record`, `commit`, `progress`,
    /// `sync`, `lagged`): what hosts subscribe to.
    pub fn name(&self) -> &'static str {
        match self {
            NodeEvent::Account { .. } => "account",
            NodeEvent::Record { .. } => "record",
            NodeEvent::Commit { .. } => "commit",
            NodeEvent::Progress { .. } => "progress",
            NodeEvent::Sync { .. } => "sync",
            NodeEvent::Lagged { .. } => "lagged",
        }
    }

    /// The event as JSON, with its name under `type`.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::json;
        match self {
            NodeEvent::Account { did, locked } => {
                json!({"type": "account", "did": did, "locked": locked})
            }
            NodeEvent::Record {
                uri,
                cid,
                action,
                rev,
            } => {
                json!({"type": "record", "uri": uri, "cid": cid, "action": action.as_str(), "rev": rev})
            }
            NodeEvent::Commit { did, rev, cid } => {
                json!({"type": "commit", "did": did, "rev": rev, "cid": cid})
            }
            NodeEvent::Progress {
                task,
                phase,
                done,
                total,
            } => {
                json!({"type": "progress", "task": task, "phase": phase, "done": done, "total": total})
            }
            NodeEvent::Sync {
                relay,
                pushed_rev,
                pending,
                error,
            } => {
                json!({"type": "sync", "relay": relay, "pushedRev": pushed_rev, "pending": pending, "error": error})
            }
            NodeEvent::Lagged { dropped } => json!({"type": "lagged", "dropped": dropped}),
        }
    }
}

/// A bounded FIFO of events: when full, the oldest go and a
/// [`NodeEvent::Lagged`] tells the host how many.
#[derive(Debug)]
pub struct EventQueue {
    events: VecDeque<NodeEvent>,
    cap: usize,
    dropped: u64,
}

impl EventQueue {
    pub fn new(cap: usize) -> Self {
        EventQueue {
            events: VecDeque::new(),
            cap: cap.max(1),
            dropped: 0,
        }
    }

    pub fn push(&mut self, e: NodeEvent) {
        if self.events.len() >= self.cap {
            self.events.pop_front();
            self.dropped += 1;
        }
        self.events.push_back(e);
    }

    /// Every waiting event, oldest first (a `Lagged` first if some were
    /// dropped since the last drain).
    pub fn drain(&mut self) -> Vec<NodeEvent> {
        let mut out = Vec::with_capacity(self.events.len() + 1);
        if self.dropped > 0 {
            out.push(NodeEvent::Lagged {
                dropped: std::mem::take(&mut self.dropped),
            });
        }
        out.extend(self.events.drain(..));
        out
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn progress(done: u64) -> NodeEvent {
        NodeEvent::Progress {
            task: "t".into(),
            phase: "p".into(),
            done,
            total: 5,
        }
    }

    #[test]
    fn a_full_queue_drops_the_oldest_and_says_how_many() {
        let mut q = EventQueue::new(2);
        for done in 0..5 {
            q.push(progress(done));
        }
        let got = q.drain();
        assert_eq!(
            got,
            vec![NodeEvent::Lagged { dropped: 3 }, progress(3), progress(4)]
        );
        assert!(q.is_empty());
        assert!(q.drain().is_empty());
    }
}
