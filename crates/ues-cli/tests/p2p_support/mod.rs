//! Driving `ues node` processes from tests: JSON lines out, commands in.

#![allow(dead_code)]

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// How long any awaited line may take.
pub const WAIT: Duration = Duration::from_secs(30);

pub fn fresh_dir(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("p2p")
        .join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A running `ues node`.
pub struct NodeProc {
    pub name: String,
    child: Child,
    stdin: Option<ChildStdin>,
    rx: Receiver<Value>,
    /// Every line seen so far (for failure messages and later matches).
    pub seen: Vec<Value>,
    next_id: u64,
    pub peer: String,
    pub did: String,
}

impl NodeProc {
    /// Starts `ues node --data dir` listening on `listen`, dialing `peers`.
    pub fn spawn(name: &str, dir: &Path, listen: &[&str], peers: &[String]) -> NodeProc {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ues"));
        cmd.arg("node").arg("--data").arg(dir);
        for l in listen {
            cmd.args(["--listen", l]);
        }
        for p in peers {
            cmd.args(["--peer", p]);
        }
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("stderr.log"))
            .unwrap();
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .env("UES_LOG", "debug")
            .spawn()
            .expect("spawn ues node");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let v = serde_json::from_str(&line).unwrap_or_else(|_| json!({"raw": line}));
                if tx.send(v).is_err() {
                    break;
                }
            }
        });
        let stdin = child.stdin.take();
        let mut n = NodeProc {
            name: name.into(),
            child,
            stdin,
            rx,
            seen: Vec::new(),
            next_id: 0,
            peer: String::new(),
            did: String::new(),
        };
        let ready = n.wait_for("ready", |v| v["event"] == "ready");
        n.peer = ready["peer"].as_str().unwrap().to_string();
        n.did = ready["did"].as_str().unwrap().to_string();
        n
    }

    /// The first line (seen before or arriving within [`WAIT`]) matching `pred`.
    pub fn wait_for(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some(v) = self.seen.iter().find(|v| pred(v)) {
            return v.clone();
        }
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(v) => {
                    self.seen.push(v.clone());
                    if pred(&v) {
                        return v;
                    }
                }
                Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => panic!(
                    "{}: no {what} within {WAIT:?}; saw:\n{}",
                    self.name,
                    self.seen
                        .iter()
                        .map(Value::to_string)
                        .collect::<Vec<_>>()
                        .join("\n")
                ),
            }
        }
    }

    /// Lines arriving within `d` that match `pred` (and every one seen).
    pub fn collect_for(&mut self, d: Duration, pred: impl Fn(&Value) -> bool) -> Vec<Value> {
        let deadline = Instant::now() + d;
        while let Ok(v) = self
            .rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            self.seen.push(v);
        }
        self.seen.iter().filter(|v| pred(v)).cloned().collect()
    }

    /// The first listen address whose text contains `needle` and not `/ws`
    /// unless asked for.
    pub fn addr(&mut self, ws: bool) -> String {
        let v = self.wait_for("listening", |v| {
            v["event"] == "listening" && v["addr"].as_str().unwrap().contains("/ws") == ws
        });
        v["addr"].as_str().unwrap().to_string()
    }

    /// Sends a command and waits for its answer.
    pub fn cmd(&mut self, mut c: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        c["id"] = json!(id);
        let stdin = self.stdin.as_mut().expect("stdin open");
        writeln!(stdin, "{c}").unwrap();
        stdin.flush().unwrap();
        self.wait_for("answer", |v| {
            v["id"] == json!(id) && v.get("answer").is_some()
        })
    }

    /// Creates a post; returns the commit's rev.
    pub fn post(&mut self, text: &str) -> (String, String) {
        let a = self.cmd(
            json!({"cmd": "put", "collection": "app.bsky.feed.post", "record": {
            "$type": "app.bsky.feed.post", "text": text, "createdAt": "2026-11-25T00:00:00Z"}}),
        );
        assert_eq!(a["ok"], true, "{}: put failed: {a}", self.name);
        let uri = a["results"][0]["uri"].as_str().unwrap();
        let rkey = uri.rsplit('/').next().unwrap().to_string();
        (a["rev"].as_str().unwrap().to_string(), rkey)
    }

    /// Waits until a `synced` event shows repo `did` at `rev` here.
    pub fn wait_synced(&mut self, did: &str, rev: &str) -> Value {
        self.wait_for(&format!("synced {did} at {rev}"), |v| {
            v["event"] == "synced" && v["did"] == did && v["rev"] == rev
        })
    }

    /// Sends SIGTERM and waits for the exit.
    pub fn terminate(mut self) -> (ExitStatus, Vec<Value>) {
        let pid = self.child.id().to_string();
        let ok = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(ok.success());
        let deadline = Instant::now() + Duration::from_secs(10);
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            assert!(
                Instant::now() < deadline,
                "{} did not exit on SIGTERM",
                self.name
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        let rest = self.collect_for(Duration::from_millis(200), |_| true);
        (status, rest)
    }
}

impl Drop for NodeProc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
