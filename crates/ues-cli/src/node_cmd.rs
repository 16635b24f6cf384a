//! `ues node`: a full UES node over the native store that is also a libp2p
//! relay and bootstrap peer, and syncs the repos it follows with its peers.
//!
//! Output: JSON lines on stdout (`listening` with `/p2p/<peer>`, `peer`,
//! `synced` with block counts, `rejected`, answers to commands); logs on
//! stderr (`tracing`). Input: JSON-line commands on stdin (see
//! [`cmds`]). SIGINT/SIGTERM stop it cleanly.
//!
//! `DIR/node.redb` is the store (the node's account and the repos it
//! follows), `DIR/peer.key` its ed25519 libp2p identity (`ues-identity`
//! key bytes, created on first start).

mod apply;
mod cmds;
mod dial;
mod events;
mod serve;
mod sync;

use crate::CliError;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use ues_identity::{Algorithm, Keypair};
use ues_node::{Node, NodeOptions};
use ues_p2p::libp2p::Multiaddr;
use ues_store::native::NativeStore;
use ues_store::SystemClock;

const USAGE: &str = "usage: ues node --data DIR [--listen ADDR]... [--peer ADDR]... [--config FILE]
  --listen ADDR   a multiaddr to listen on, e.g. /ip4/0.0.0.0/tcp/4001 or
                  /ip4/0.0.0.0/tcp/4002/ws (default /ip4/127.0.0.1/tcp/0)
  --peer ADDR     a peer to dial and keep connected (with backoff)
  --config FILE   JSON {\"listen\": [...], \"peers\": [...]}, merged with the flags
stdin: JSON-line commands {\"cmd\": \"status\" | \"put\" | \"get\" | \"car\", ...}";

/// The node's settings from flags and the config file.
pub(crate) struct Options {
    pub data: PathBuf,
    pub listen: Vec<Multiaddr>,
    pub peers: Vec<Multiaddr>,
}

fn usage(msg: &str) -> CliError {
    CliError::Usage(format!("{msg}\n{USAGE}"))
}

pub(crate) fn input(e: impl std::fmt::Display) -> CliError {
    CliError::Input(e.to_string())
}

fn addr(s: &str) -> Result<Multiaddr, CliError> {
    s.parse()
        .map_err(|e| CliError::Input(format!("address {s}: {e}")))
}

fn parse(args: &[&str]) -> Result<Options, CliError> {
    let (mut data, mut listen, mut peers, mut config) = (None, Vec::new(), Vec::new(), None);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut val = || {
            it.next()
                .ok_or_else(|| usage(&format!("{a} needs a value")))
        };
        match *a {
            "--data" => data = Some(PathBuf::from(val()?)),
            "--listen" => listen.push(addr(val()?)?),
            "--peer" => peers.push(addr(val()?)?),
            "--config" => config = Some(PathBuf::from(val()?)),
            o => return Err(usage(&format!("unknown argument {o}"))),
        }
    }
    if let Some(path) = config {
        let text = std::fs::read_to_string(&path).map_err(|source| CliError::Io {
            path: path.display().to_string(),
            source,
        })?;
        let v: Value = serde_json::from_str(&text)
            .map_err(|e| CliError::Input(format!("{}: {e}", path.display())))?;
        let list = |k: &str| -> Result<Vec<Multiaddr>, CliError> {
            match v.get(k) {
                None => Ok(Vec::new()),
                Some(Value::Array(a)) => a
                    .iter()
                    .map(|x| {
                        x.as_str()
                            .ok_or_else(|| input(format!("{k}: not a string")))
                    })
                    .map(|s| s.and_then(addr))
                    .collect(),
                Some(_) => Err(input(format!("{k} must be a list of multiaddrs"))),
            }
        };
        listen.extend(list("listen")?);
        peers.extend(list("peers")?);
        if data.is_none() {
            data = v.get("data").and_then(Value::as_str).map(PathBuf::from);
        }
    }
    let data = data.ok_or_else(|| usage("--data DIR is required"))?;
    if listen.is_empty() {
        listen.push(addr("/ip4/127.0.0.1/tcp/0")?);
    }
    Ok(Options {
        data,
        listen,
        peers,
    })
}

/// The node's libp2p identity: an ed25519 key kept in `DIR/peer.key`.
fn peer_key(dir: &Path) -> Result<ues_p2p::libp2p::identity::Keypair, CliError> {
    let path = dir.join("peer.key");
    let io = |source| CliError::Io {
        path: path.display().to_string(),
        source,
    };
    let key = if path.exists() {
        let bytes = std::fs::read(&path).map_err(io)?;
        let k = Keypair::from_bytes(&bytes).map_err(input)?;
        if k.algorithm() != Algorithm::Ed25519 {
            return Err(input(format!("{}: not an ed25519 key", path.display())));
        }
        k
    } else {
        let k = Keypair::generate_ed25519().map_err(input)?;
        write_private(&path, &k.to_bytes()).map_err(io)?;
        k
    };
    ues_p2p::keypair_from_seed(*key.secret_bytes()).map_err(input)
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)?.write_all(bytes)
}

/// Runs `ues node ...` until SIGINT/SIGTERM.
pub fn run(args: &[&str]) -> Result<Value, CliError> {
    let opts = parse(args)?;
    std::fs::create_dir_all(&opts.data).map_err(|source| CliError::Io {
        path: opts.data.display().to_string(),
        source,
    })?;
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_max_level(log_level())
        .try_init();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(input)?;
    let served = rt.block_on(async {
        let store =
            NativeStore::open(opts.data.join("node.redb"), Rc::new(SystemClock)).map_err(input)?;
        let mut node = Node::open(store, NodeOptions::default())
            .await
            .map_err(input)?;
        if node.account().is_none() {
            node.create_account(None, None).await.map_err(input)?;
        }
        let key = peer_key(&opts.data)?;
        events::serve(node, key, &opts).await
    });
    // The stdin reader is a blocking read that never ends while the pipe
    // is open: do not wait for it.
    rt.shutdown_background();
    served?;
    Ok(json!({"event": "stopped"}))
}

fn log_level() -> tracing::Level {
    match std::env::var("UES_LOG").as_deref() {
        Ok("debug") => tracing::Level::DEBUG,
        Ok("trace") => tracing::Level::TRACE,
        Ok("warn") => tracing::Level::WARN,
        Ok("error") => tracing::Level::ERROR,
        _ => tracing::Level::INFO,
    }
}
