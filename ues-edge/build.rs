//! Embeds every lexicon document under `../lexicons` (the worker has no
//! file system): writes `$OUT_DIR/lexicons.rs` with one `include_str!` each.

use std::path::{Path, PathBuf};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../lexicons");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    walk(&root, &mut files);
    files.sort();
    // An empty set would build a relay that refuses every method (seen when
    // a shared target dir kept the output of a checkout without lexicons).
    assert!(
        !files.is_empty(),
        "no lexicon documents under {}",
        root.display()
    );
    println!("cargo:rerun-if-changed=build.rs");
    let mut src = String::from("/// Every lexicon document of the repository, as JSON text.\npub static DOCS: &[&str] = &[\n");
    for f in &files {
        let abs = f.canonicalize().unwrap_or_else(|_| f.clone());
        src.push_str(&format!(
            "    include_str!({:?}),\n",
            abs.display().to_string()
        ));
    }
    src.push_str("];\n");
    let out =
        PathBuf::from(std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into())).join("lexicons.rs");
    if let Err(e) = std::fs::write(&out, src) {
        panic!("cannot write {}: {e}", out.display());
    }
}
