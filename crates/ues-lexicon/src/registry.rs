//! [`Lexicons`]: a set of loaded lexicon documents, with references resolved
//! across them.

use crate::error::LexiconError;
use crate::schema::{LexiconDoc, Schema};
use std::collections::BTreeMap;

/// A registry of lexicon documents, keyed by NSID.
///
/// Load documents with [`Lexicons::add_json`] (on wasm, embed the files with
/// `include_str!`), or on native targets a whole tree with
/// [`Lexicons::load_dir`]; then validate data with the `validate_*` methods.
#[derive(Debug, Clone, Default)]
pub struct Lexicons {
    docs: BTreeMap<String, LexiconDoc>,
}

/// `r` resolved against the document `base`, in the full form `nsid#def`
/// (`#def` → `base#def`, `nsid` → `nsid#main`).
pub fn normalize_ref(base: &str, r: &str) -> String {
    match r.split_once('#') {
        Some(("", def)) => format!("{base}#{def}"),
        Some((nsid, def)) => format!("{nsid}#{def}"),
        None => format!("{r}#main"),
    }
}

impl Lexicons {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a checked document; an id already present is an error.
    pub fn add(&mut self, doc: LexiconDoc) -> Result<(), LexiconError> {
        if self.docs.contains_key(&doc.id) {
            return Err(LexiconError::Duplicate(doc.id));
        }
        self.docs.insert(doc.id.clone(), doc);
        Ok(())
    }

    /// Parse, check and add a document from JSON text; returns its id.
    pub fn add_json(&mut self, text: &str) -> Result<String, LexiconError> {
        let doc = LexiconDoc::from_json(text)?;
        let id = doc.id.clone();
        self.add(doc)?;
        Ok(id)
    }

    /// A registry of the given JSON documents.
    pub fn from_json_docs<'a>(
        texts: impl IntoIterator<Item = &'a str>,
    ) -> Result<Self, LexiconError> {
        let mut lex = Self::new();
        for t in texts {
            lex.add_json(t)?;
        }
        Ok(lex)
    }

    /// Load every `*.json` file under `dir` (recursively, in path order);
    /// returns how many were loaded. Native targets only.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn load_dir(&mut self, dir: &std::path::Path) -> Result<usize, LexiconError> {
        let mut files = Vec::new();
        walk(dir, &mut files)?;
        files.sort();
        for f in &files {
            let text = std::fs::read_to_string(f).map_err(|e| io(f, e))?;
            self.add_json(&text).map_err(|e| LexiconError::Io {
                path: f.display().to_string(),
                message: e.to_string(),
            })?;
        }
        Ok(files.len())
    }

    /// The document with this NSID.
    pub fn get(&self, nsid: &str) -> Option<&LexiconDoc> {
        self.docs.get(nsid)
    }

    /// The ids of every loaded document, in order.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.docs.keys().map(String::as_str)
    }

    /// How many documents are loaded.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// Whether no document is loaded.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// The definition `uri` names: `nsid` (its `main`) or `nsid#def`.
    pub fn def(&self, uri: &str) -> Result<&Schema, LexiconError> {
        let full = normalize_ref("", uri);
        let (nsid, name) = full
            .split_once('#')
            .ok_or_else(|| LexiconError::NotFound(uri.to_string()))?;
        self.docs
            .get(nsid)
            .and_then(|d| d.defs.get(name))
            .ok_or_else(|| LexiconError::NotFound(full.clone()))
    }

    /// Resolve `r` as written in the document `base`; returns the full
    /// `nsid#def` and the definition.
    pub fn resolve(&self, base: &str, r: &str) -> Result<(String, &Schema), LexiconError> {
        let full = normalize_ref(base, r);
        let s = self.def(&full)?;
        Ok((full, s))
    }

    /// Every reference (in `ref` and `union` types) that no loaded
    /// document defines, as `(where, ref)` pairs: an empty list means the set
    /// is closed under references.
    pub fn unresolved_refs(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for doc in self.docs.values() {
            for (name, def) in &doc.defs {
                let at = format!("{}#{name}", doc.id);
                each_ref(def, &mut |r| {
                    if self.resolve(&doc.id, r).is_err() {
                        out.push((at.clone(), r.to_string()));
                    }
                });
            }
        }
        out
    }
}

/// Call `f` on every ref string inside `s`.
pub(crate) fn each_ref(s: &Schema, f: &mut impl FnMut(&str)) {
    let body = |b: &Option<crate::schema::BodyDef>, f: &mut dyn FnMut(&Schema)| {
        if let Some(s) = b.as_ref().and_then(|b| b.schema.as_deref()) {
            f(s);
        }
    };
    match s {
        Schema::Ref(r) => f(&r.reference),
        Schema::Union(u) => u.refs.iter().for_each(|r| f(r)),
        Schema::Record(r) => each_ref(&r.record, f),
        Schema::Object(o) => o.properties.values().for_each(|p| each_ref(p, f)),
        Schema::Params(p) => p.properties.values().for_each(|p| each_ref(p, f)),
        Schema::Array(a) => each_ref(&a.items, f),
        Schema::Query(q) => body(&q.output, &mut |s| each_ref(s, f)),
        Schema::Procedure(p) => {
            body(&p.input, &mut |s| each_ref(s, f));
            body(&p.output, &mut |s| each_ref(s, f));
        }
        Schema::Subscription(sub) => {
            if let Some(m) = &sub.message {
                each_ref(&m.schema, f);
            }
        }
        _ => {}
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) -> Result<(), LexiconError> {
    for entry in std::fs::read_dir(dir).map_err(|e| io(dir, e))? {
        let p = entry.map_err(|e| io(dir, e))?.path();
        if p.is_dir() {
            walk(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "json") {
            out.push(p);
        }
    }
    Ok(())
}

#[cfg(not(target_arch = "wasm32"))]
fn io(p: &std::path::Path, e: std::io::Error) -> LexiconError {
    LexiconError::Io {
        path: p.display().to_string(),
        message: e.to_string(),
    }
}
