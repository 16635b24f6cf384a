//! `ues car ...`: CAR v1 tools.
//!
//! `ues car inspect FILE.car` streams the file through [`CarReader`],
//! verifying every block against its CID, and prints
//! `{"roots": [...], "blocks": N, "bytes": N}` (blocks counts duplicates).

use crate::CliError;
use std::fs::File;
use std::io::BufReader;
use ues_data::car::{CarError, CarLimits, CarReader};

const USAGE: &str = "usage: ues car inspect FILE.car";

/// Dispatch `ues car <args>`.
pub fn run(args: &[&str]) -> Result<serde_json::Value, CliError> {
    match args {
        ["inspect", path] => inspect(path),
        _ => Err(CliError::Usage(USAGE.to_string())),
    }
}

/// Verify every block of the CAR at `path` and summarise it.
fn inspect(path: &str) -> Result<serde_json::Value, CliError> {
    let file = File::open(path).map_err(|source| CliError::Io {
        path: path.to_string(),
        source,
    })?;
    let fail = |e: CarError| match e {
        CarError::Io(source) => CliError::Io {
            path: path.to_string(),
            source,
        },
        other => CliError::Input(format!("{path}: {other}")),
    };
    let mut reader = CarReader::new(BufReader::new(file), CarLimits::default()).map_err(fail)?;
    let roots: Vec<String> = reader.roots().iter().map(|c| c.to_string()).collect();
    let mut blocks: u64 = 0;
    while reader.next_block().map_err(fail)?.is_some() {
        blocks += 1;
    }
    Ok(serde_json::json!({
        "roots": roots,
        "blocks": blocks,
        "bytes": reader.bytes_read(),
    }))
}
