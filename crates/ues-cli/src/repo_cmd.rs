//! `ues repo ...`: a signed AT Protocol repo in a data directory.
//!
//! `DIR/store.redb` is the [`NativeStore`], `DIR/repo.key` the k256 signing
//! key (`ues-identity` key bytes), `DIR/repo.json` `{"did": ...}`. Every
//! command prints one JSON value.

use crate::CliError;
use futures::executor::block_on;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use ues_data::cbor::to_json;
use ues_identity::{Keypair, PublicKey};
use ues_repo::car_io::{import_car, verify_car};
use ues_repo::{key_from_did_key, record_from_json, Repo, RepoError, Signer, Tid};
use ues_store::native::NativeStore;
use ues_store::SystemClock;

const USAGE: &str = "usage: ues repo <command> --data DIR
  init [--did DID]                       create a key (if none) and an empty signed repo
  put COLLECTION [RKEY] RECORD.json|-    create (no RKEY: a TID) or replace a record
  get COLLECTION RKEY                    print a record
  list COLLECTION [--limit N] [--cursor RKEY] [--reverse]
  delete COLLECTION RKEY                 delete a record
  export FILE.car [--since REV]          write the repo (or the slice since REV) as CAR v1
  import FILE.car [--key did:key:...]    verify a repo CAR and store it
  verify FILE.car [--key did:key:...]    verify a repo CAR (signature, blocks, MST, records)";

/// Options taken out of the argument list: `--name value` and `--flag`.
struct Args<'a> {
    pos: Vec<&'a str>,
    opts: Vec<(&'a str, Option<&'a str>)>,
}

impl<'a> Args<'a> {
    fn parse(args: &[&'a str]) -> Result<Self, CliError> {
        let mut pos = Vec::new();
        let mut opts = Vec::new();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            match *a {
                "--reverse" => opts.push(("reverse", None)),
                o if o.starts_with("--") => {
                    let v = it
                        .next()
                        .ok_or_else(|| usage(&format!("{o} needs a value")))?;
                    opts.push((&o[2..], Some(*v)));
                }
                p => pos.push(p),
            }
        }
        Ok(Args { pos, opts })
    }

    fn opt(&self, name: &str) -> Option<&'a str> {
        self.opts
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, v)| *v)
    }

    fn flag(&self, name: &str) -> bool {
        self.opts.iter().any(|(n, _)| *n == name)
    }
}

fn usage(msg: &str) -> CliError {
    CliError::Usage(format!("{msg}\n{USAGE}"))
}

fn input(e: impl std::fmt::Display) -> CliError {
    CliError::Input(e.to_string())
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> CliError + '_ {
    move |source| CliError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn read(path: &Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).map_err(io(path))
}

/// The data directory: its store, key and DID.
struct Data {
    dir: PathBuf,
}

impl Data {
    fn store(&self) -> Result<NativeStore, CliError> {
        std::fs::create_dir_all(&self.dir).map_err(io(&self.dir))?;
        NativeStore::open(self.dir.join("store.redb"), Rc::new(SystemClock)).map_err(input)
    }

    fn key(&self) -> Result<Keypair, CliError> {
        let path = self.dir.join("repo.key");
        Keypair::from_bytes(&read(&path)?).map_err(|e| input(format!("{}: {e}", path.display())))
    }

    fn did(&self) -> Result<String, CliError> {
        let path = self.dir.join("repo.json");
        let v: Value = serde_json::from_slice(&read(&path)?).map_err(input)?;
        v["did"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| input(format!("{}: no did", path.display())))
    }

    fn set_did(&self, did: &str) -> Result<(), CliError> {
        let path = self.dir.join("repo.json");
        std::fs::write(&path, json!({ "did": did }).to_string()).map_err(io(&path))
    }

    fn open(&self) -> Result<Repo<NativeStore>, CliError> {
        let did = self.did()?;
        block_on(Repo::open(self.store()?, &did)).map_err(input)
    }
}

/// Dispatch `ues repo <args>`.
pub fn run(args: &[&str]) -> Result<Value, CliError> {
    let a = Args::parse(args)?;
    let dir = a
        .opt("data")
        .ok_or_else(|| usage("--data DIR is required"))?;
    let data = Data { dir: dir.into() };
    match a.pos.as_slice() {
        ["init"] => init(&data, a.opt("did")),
        ["put", coll, rest @ ..] if rest.len() <= 2 && !rest.is_empty() => {
            let (rkey, file) = match rest {
                [file] => (None, *file),
                [rkey, file] => (Some(*rkey), *file),
                _ => return Err(usage("put COLLECTION [RKEY] RECORD.json")),
            };
            put(&data, coll, rkey, file)
        }
        ["get", coll, rkey] => get(&data, coll, rkey),
        ["list", coll] => list(&data, coll, &a),
        ["delete", coll, rkey] => delete(&data, coll, rkey),
        ["export", file] => export(&data, Path::new(file), a.opt("since")),
        ["import", file] => import(&data, Path::new(file), a.opt("key")),
        ["verify", file] => verify(Path::new(file), a.opt("key")),
        _ => Err(usage("unknown repo command")),
    }
}

fn head_json(repo: &Repo<NativeStore>) -> Value {
    json!({
        "did": repo.did(),
        "head": repo.head().map(|c| c.to_string()),
        "rev": repo.rev().map(|r| r.to_string()),
        "data": repo.data().map(|c| c.to_string()),
    })
}

fn init(data: &Data, did: Option<&str>) -> Result<Value, CliError> {
    let key_path = data.dir.join("repo.key");
    std::fs::create_dir_all(&data.dir).map_err(io(&data.dir))?;
    let key = if key_path.exists() {
        data.key()?
    } else {
        let k = Keypair::generate_k256().map_err(input)?;
        std::fs::write(&key_path, k.to_bytes().as_slice()).map_err(io(&key_path))?;
        k
    };
    let did = did.map_or_else(|| Signer::did_key(&key), str::to_string);
    data.set_did(&did)?;
    let mut repo = data.open()?;
    if repo.head().is_none() {
        block_on(repo.apply_writes(&[], &key)).map_err(input)?;
    }
    let mut out = head_json(&repo);
    out["didKey"] = json!(Signer::did_key(&key));
    Ok(out)
}

fn put(data: &Data, coll: &str, rkey: Option<&str>, file: &str) -> Result<Value, CliError> {
    let bytes = if file == "-" {
        let mut b = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut b).map_err(io(Path::new("-")))?;
        b
    } else {
        read(Path::new(file))?
    };
    let v: Value = serde_json::from_slice(&bytes).map_err(|e| input(format!("{file}: {e}")))?;
    let record = record_from_json(&v).map_err(|e| input(format!("{file}: {e}")))?;
    let key = data.key()?;
    let mut repo = data.open()?;
    let (rkey, cid, res) = match rkey {
        Some(k) => {
            let res = block_on(repo.put_record(coll, k, record, &key)).map_err(input)?;
            let cid = res.ops[0].new_value.ok_or_else(|| input("no cid"))?;
            (k.to_string(), cid, res)
        }
        None => block_on(repo.create_record(coll, None, record, &key)).map_err(input)?,
    };
    Ok(json!({
        "uri": format!("at://{}/{coll}/{rkey}", repo.did()),
        "cid": cid.to_string(),
        "commit": res.commit.to_string(),
        "rev": res.rev.to_string(),
    }))
}

fn get(data: &Data, coll: &str, rkey: &str) -> Result<Value, CliError> {
    let mut repo = data.open()?;
    let (cid, value) = block_on(repo.get_record(coll, rkey))
        .map_err(input)?
        .ok_or_else(|| input(format!("record {coll}/{rkey} not found")))?;
    Ok(json!({
        "uri": format!("at://{}/{coll}/{rkey}", repo.did()),
        "cid": cid.to_string(),
        "value": to_json(&value),
    }))
}

fn list(data: &Data, coll: &str, a: &Args) -> Result<Value, CliError> {
    let limit = match a.opt("limit") {
        Some(l) => l.parse().map_err(|_| usage("--limit must be a number"))?,
        None => 50,
    };
    let mut repo = data.open()?;
    let recs = block_on(repo.list_records(coll, a.opt("cursor"), limit, a.flag("reverse")))
        .map_err(input)?;
    let cursor = if recs.len() == limit {
        recs.last().map(|r| r.rkey.clone())
    } else {
        None
    };
    let records: Vec<Value> = recs
        .iter()
        .map(|r| {
            json!({
                "uri": format!("at://{}/{coll}/{}", repo.did(), r.rkey),
                "cid": r.cid.to_string(),
                "value": to_json(&r.value),
            })
        })
        .collect();
    Ok(json!({ "records": records, "cursor": cursor }))
}

fn delete(data: &Data, coll: &str, rkey: &str) -> Result<Value, CliError> {
    let key = data.key()?;
    let mut repo = data.open()?;
    let res = block_on(repo.delete_record(coll, rkey, &key)).map_err(input)?;
    Ok(json!({ "commit": res.commit.to_string(), "rev": res.rev.to_string() }))
}

fn export(data: &Data, file: &Path, since: Option<&str>) -> Result<Value, CliError> {
    let since = since.map(Tid::parse).transpose().map_err(input)?;
    let mut repo = data.open()?;
    let car = block_on(repo.export_since(since)).map_err(input)?;
    std::fs::write(file, &car).map_err(io(file))?;
    let mut out = head_json(&repo);
    out["bytes"] = json!(car.len());
    Ok(out)
}

/// The key to verify with: `--key`, else the commit DID when it is a did:key.
fn verifier(car: &[u8], key: Option<&str>) -> Result<PublicKey, CliError> {
    if let Some(k) = key {
        return key_from_did_key(k).map_err(input);
    }
    let c = ues_data::car::read_all(car).map_err(input)?;
    let root = c
        .roots
        .first()
        .ok_or_else(|| input(RepoError::CarRoots(0)))?;
    let block = c
        .blocks
        .get(root)
        .ok_or_else(|| input(RepoError::MissingBlock(*root)))?;
    let did = ues_repo::Commit::decode(block).map_err(input)?.unsigned.did;
    if did.starts_with("did:key:") {
        key_from_did_key(&did).map_err(input)
    } else {
        Err(usage(&format!(
            "{did} is not a did:key: pass --key did:key:..."
        )))
    }
}

fn import(data: &Data, file: &Path, key: Option<&str>) -> Result<Value, CliError> {
    let car = read(file)?;
    let public = verifier(&car, key)?;
    let repo = block_on(import_car(data.store()?, &car, None, &public)).map_err(input)?;
    data.set_did(repo.did())?;
    Ok(head_json(&repo))
}

fn verify(file: &Path, key: Option<&str>) -> Result<Value, CliError> {
    let car = read(file)?;
    let public = verifier(&car, key)?;
    let v = verify_car(&car, None, &public).map_err(input)?;
    Ok(json!({
        "ok": true,
        "did": v.commit.unsigned.did,
        "commit": v.commit_cid.to_string(),
        "rev": v.commit.unsigned.rev.to_string(),
        "records": v.records.len(),
        "blocks": v.blocks.len(),
    }))
}
