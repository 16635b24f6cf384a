//! Checks a firehose `#commit` event (`com.atproto.sync.subscribeRepos`)
//! without the repo: `blocks` is a CAR whose root is `commit`, the commit
//! decodes (and names the event's repo and rev), each create/update op's
//! path maps to its `cid` in the partial MST carried in the blocks and each
//! delete's path is absent, the signature when a key is given, and, when
//! `prevData` is present, inverting the ops on the new tree gives `prevData`.

use crate::commit::{Commit, Verifier};
use crate::RepoError;
use std::collections::BTreeMap;
use ues_data::car::{read_all, CarError};
use ues_data::cbor::{self, Ipld};
use ues_data::cid::Cid;
use ues_data::mst::{verify_inversion, Mst, MstError, RecordOp};

/// One thing wrong with a `#commit` event.
#[derive(Debug, thiserror::Error)]
pub enum CommitCheckError {
    /// The event is not a `#commit` object of the expected shape.
    #[error("malformed event: {0}")]
    Malformed(String),
    /// `blocks` is not a readable CAR (or a block does not match its CID).
    #[error("blocks: {0}")]
    Car(CarError),
    /// The CAR's roots are not exactly `[commit]`.
    #[error("blocks root is {found:?}, expected [{expected}]")]
    RootMismatch { expected: Cid, found: Vec<Cid> },
    /// The commit block is missing or invalid.
    #[error("commit: {0}")]
    Commit(Box<RepoError>),
    /// The commit's DID or rev differs from the event's.
    #[error("commit {field} is {found:?}, event says {expected:?}")]
    FieldMismatch {
        field: &'static str,
        expected: String,
        found: String,
    },
    /// An op's path does not map to its CID in the new tree.
    #[error("op {path}: tree has {found:?}, op says {expected:?}")]
    OpMismatch {
        path: String,
        expected: Option<Box<Cid>>,
        found: Option<Box<Cid>>,
    },
    /// The partial tree cannot prove an op (a node is missing or invalid).
    #[error("op {path}: {source}")]
    Proof { path: String, source: Box<MstError> },
    /// The signature does not verify against the key.
    #[error("commit signature does not verify against the given key")]
    BadSignature,
    /// Inverting the ops does not give `prevData`.
    #[error("inversion: {0}")]
    Inversion(Box<MstError>),
}

fn field<'a>(m: &'a BTreeMap<String, Ipld>, k: &str) -> Option<&'a Ipld> {
    m.get(k).filter(|v| !matches!(v, Ipld::Null))
}

fn link(v: Option<&Ipld>, what: &str) -> Result<Option<Cid>, CommitCheckError> {
    match v {
        None => Ok(None),
        Some(Ipld::Link(c)) => Ok(Some(*c)),
        Some(_) => Err(CommitCheckError::Malformed(format!(
            "{what} must be a link"
        ))),
    }
}

/// Checks an event given in the atproto JSON encoding (`{"$bytes"}`,
/// `{"$link"}`).
pub fn check_commit_json(
    event: &serde_json::Value,
    key: Option<&dyn Verifier>,
) -> Vec<CommitCheckError> {
    match cbor::from_json(event) {
        Ok(ipld) => check_commit(&ipld, key),
        Err(e) => vec![CommitCheckError::Malformed(e.to_string())],
    }
}

/// Checks a `#commit` event; returns every problem found (empty = valid).
pub fn check_commit(event: &Ipld, key: Option<&dyn Verifier>) -> Vec<CommitCheckError> {
    let mut errors = Vec::new();
    if let Err(e) = check_into(event, key, &mut errors) {
        errors.push(e);
    }
    errors
}

/// The op list as record operations (old value from `prev`).
fn parse_ops(m: &BTreeMap<String, Ipld>) -> Result<Vec<(String, RecordOp)>, CommitCheckError> {
    let bad = |s: &str| CommitCheckError::Malformed(s.to_string());
    let Some(Ipld::List(ops)) = m.get("ops") else {
        return Err(bad("ops must be a list"));
    };
    let mut out = Vec::new();
    for op in ops {
        let Ipld::Map(op) = op else {
            return Err(bad("an op must be an object"));
        };
        let (Some(Ipld::String(action)), Some(Ipld::String(path))) =
            (op.get("action"), op.get("path"))
        else {
            return Err(bad("an op needs action and path strings"));
        };
        let cid = link(field(op, "cid"), "op cid")?;
        let prev = link(field(op, "prev"), "op prev")?;
        let new_value = match action.as_str() {
            "create" | "update" => Some(cid.ok_or_else(|| bad("create/update op without cid"))?),
            "delete" => None,
            other => {
                return Err(CommitCheckError::Malformed(format!(
                    "unknown action {other:?}"
                )))
            }
        };
        let rop = RecordOp {
            rpath: path.clone(),
            old_value: prev,
            new_value,
        };
        out.push((action.clone(), rop));
    }
    Ok(out)
}

fn check_into(
    event: &Ipld,
    key: Option<&dyn Verifier>,
    errors: &mut Vec<CommitCheckError>,
) -> Result<(), CommitCheckError> {
    let Ipld::Map(m) = event else {
        return Err(CommitCheckError::Malformed("not an object".into()));
    };
    let commit_cid = link(field(m, "commit"), "commit")?
        .ok_or_else(|| CommitCheckError::Malformed("commit is required".into()))?;
    let Some(Ipld::Bytes(blocks)) = m.get("blocks") else {
        return Err(CommitCheckError::Malformed("blocks must be bytes".into()));
    };
    let ops = parse_ops(m)?;
    let car = read_all(blocks).map_err(CommitCheckError::Car)?;
    if car.roots != [commit_cid] {
        errors.push(CommitCheckError::RootMismatch {
            expected: commit_cid,
            found: car.roots.clone(),
        });
    }
    let bytes = car
        .blocks
        .get(&commit_cid)
        .ok_or_else(|| CommitCheckError::Commit(Box::new(RepoError::MissingBlock(commit_cid))))?;
    let commit = Commit::decode(bytes).map_err(|e| CommitCheckError::Commit(Box::new(e)))?;
    for (name, value) in [
        ("repo", &commit.unsigned.did),
        ("rev", &commit.unsigned.rev.to_string()),
    ] {
        match m.get(name) {
            Some(Ipld::String(s)) if s == value => {}
            Some(Ipld::String(s)) => errors.push(CommitCheckError::FieldMismatch {
                field: name,
                expected: s.clone(),
                found: value.clone(),
            }),
            _ => errors.push(CommitCheckError::Malformed(format!(
                "{name} must be a string"
            ))),
        }
    }
    if let Some(k) = key {
        if commit.verify(k).is_err() {
            errors.push(CommitCheckError::BadSignature);
        }
    }
    let mut tree = Mst::load(&car.blocks, commit.unsigned.data);
    for (_, op) in &ops {
        match tree.get(&op.rpath) {
            Ok(found) if found == op.new_value => {}
            Ok(found) => errors.push(CommitCheckError::OpMismatch {
                path: op.rpath.clone(),
                expected: op.new_value.map(Box::new),
                found: found.map(Box::new),
            }),
            Err(source) => errors.push(CommitCheckError::Proof {
                path: op.rpath.clone(),
                source: Box::new(source),
            }),
        }
    }
    if let Some(prev_data) = link(field(m, "prevData"), "prevData")? {
        for (action, op) in &ops {
            if action != "create" && op.old_value.is_none() {
                return Err(CommitCheckError::Malformed(format!(
                    "{action} op {} has no prev: cannot invert",
                    op.rpath
                )));
            }
        }
        let mut sorted: Vec<RecordOp> = ops.into_iter().map(|(_, op)| op).collect();
        sorted.sort();
        if let Err(e) = verify_inversion(&car.blocks, commit.unsigned.data, prev_data, &sorted) {
            errors.push(CommitCheckError::Inversion(Box::new(e)));
        }
    }
    Ok(())
}

impl<S: ues_store::Store> crate::Repo<S> {
    /// The `#commit` event of `res`, the repo's latest commit: the commit
    /// block, the new records, and the MST nodes that prove the ops and let
    /// a consumer invert them to `prevData`. `seq` and `time` are the
    /// relay's to add.
    pub async fn commit_event(&mut self, res: &crate::WriteResult) -> Result<Ipld, RepoError> {
        if self.head() != Some(res.commit) {
            return Err(RepoError::BadCommit(format!(
                "{} is not the head commit",
                res.commit
            )));
        }
        let mut sorted = res.ops.clone();
        sorted.sort();
        let mut nodes = self
            .with_tree(|t| Ok(ues_data::mst::covering_proof(t, &sorted)?))
            .await?;
        let src = crate::source::Overlay {
            top: &self.fresh,
            base: &*self.base,
        };
        nodes.extend(ues_data::mst::invert(&src, res.data, &sorted)?.1);
        let mut blocks: Vec<(Cid, Vec<u8>)> = Vec::new();
        let records = res.ops.iter().filter_map(|o| o.new_value);
        for cid in std::iter::once(res.commit).chain(records) {
            blocks.push((cid, self.fetch_block(cid).await?));
        }
        for n in nodes {
            blocks.push((n, self.node_or_fetch(n).await?));
        }
        let car =
            ues_data::car::write_car(&[res.commit], blocks.iter().map(|(c, b)| (c, b.as_slice())))?;
        let ops = res
            .ops
            .iter()
            .map(|op| {
                let action = match (op.old_value, op.new_value) {
                    (None, _) => "create",
                    (Some(_), Some(_)) => "update",
                    (Some(_), None) => "delete",
                };
                let mut m = BTreeMap::new();
                m.insert("action".into(), Ipld::String(action.into()));
                m.insert("path".into(), Ipld::String(op.rpath.clone()));
                m.insert("cid".into(), op.new_value.map_or(Ipld::Null, Ipld::Link));
                if let Some(p) = op.old_value {
                    m.insert("prev".into(), Ipld::Link(p));
                }
                Ipld::Map(m)
            })
            .collect();
        let mut ev = BTreeMap::new();
        ev.insert("repo".into(), Ipld::String(self.did.clone()));
        ev.insert("commit".into(), Ipld::Link(res.commit));
        ev.insert("rev".into(), Ipld::String(res.rev.to_string()));
        ev.insert("since".into(), Ipld::Null);
        ev.insert("blocks".into(), Ipld::Bytes(car));
        ev.insert("ops".into(), Ipld::List(ops));
        ev.insert("blobs".into(), Ipld::List(Vec::new()));
        ev.insert("tooBig".into(), Ipld::Bool(false));
        if let Some(p) = res.prev_data {
            ev.insert("prevData".into(), Ipld::Link(p));
        }
        Ok(Ipld::Map(ev))
    }
}
