//! `ues`: the native UES binary. Each subcommand prints one JSON value on
//! stdout (stable, machine-readable) and, on failure, one line on stderr
//! naming the problem, with a non-zero exit code. Never a panic on input.

mod car_cmd;
mod firehose_cmd;
mod mst_cmd;
mod node_cmd;
mod repo_cmd;

use std::process::ExitCode;

const USAGE: &str = "usage:
  ues mst root                  read {\"key\": \"cid\", ...} on stdin, print the MST root CID
  ues mst diff A.car B.car      print the MST diff from A to B as JSON
  ues car inspect FILE.car      verify every block, print {roots, blocks, bytes}
  ues repo <command> --data DIR a signed repo in DIR: init, put, get, list, delete,
                                export, import, verify (`ues repo` for details)
  ues firehose check EVENT.json [--key did:key:...]
                                check a #commit event: blocks, proofs, signature
  ues node --data DIR [--listen ADDR]... [--peer ADDR]... [--config FILE]
                                a full node and libp2p relay/bootstrap peer that syncs
                                the repos it follows (`ues node` for details)";

/// A failed command: the message is printed as one line on stderr.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Input(String),
}

fn run(args: &[String]) -> Result<serde_json::Value, CliError> {
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    match a.as_slice() {
        ["mst", rest @ ..] => mst_cmd::run(rest),
        ["car", rest @ ..] => car_cmd::run(rest),
        ["repo", rest @ ..] => repo_cmd::run(rest),
        ["firehose", rest @ ..] => firehose_cmd::run(rest),
        ["node", rest @ ..] => node_cmd::run(rest),
        _ => Err(CliError::Usage(USAGE.to_string())),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(v) => {
            println!("{v}");
            ExitCode::SUCCESS
        }
        Err(CliError::Usage(u)) => {
            eprintln!("{u}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
