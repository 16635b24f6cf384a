//! `ues mst ...` (being written)
use crate::CliError;
pub fn run(_args: &[&str]) -> Result<serde_json::Value, CliError> {
    Err(CliError::Usage("ues mst: not built yet".into()))
}
