//! Embeds every file under the fixtures directory as `include_bytes!`, so tests
//! compiled to wasm32 (which has no file system in a browser) read the same
//! files as native tests. The directory is `UES_FIXTURES` or, by default,
//! `../shared/fixtures` beside the workspace.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    println!("cargo:rerun-if-env-changed=UES_FIXTURES");
    let root = env::var("UES_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|_| manifest.join("../../../shared/fixtures"));
    let root = root
        .canonicalize()
        .unwrap_or_else(|e| panic!("fixtures directory {} not found: {e}", root.display()));
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    walk(&root, &mut files);
    let mut src = String::from("pub static FILES: &[(&str, &[u8])] = &[\n");
    for f in &files {
        let rel = f
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        writeln!(
            src,
            "    ({rel:?}, include_bytes!({:?})),",
            f.display().to_string()
        )
        .unwrap();
    }
    src.push_str("];\n");
    let out = PathBuf::from(env::var("OUT_DIR").unwrap()).join("files.rs");
    fs::write(out, src).unwrap();
}
