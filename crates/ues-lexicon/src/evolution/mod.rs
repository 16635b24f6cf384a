//! Schema evolution: a new version of a lexicon may only add optional
//! fields and new definitions. [`check_evolution`] lists everything else
//! that would make data valid under the old version invalid under the new
//! one (or break callers of a method).

use crate::registry::{normalize_ref, Lexicons};
use crate::schema::{BodyDef, LexiconDoc, ObjectDef, ParamsDef, Schema};
use std::collections::BTreeMap;

mod change;
pub use change::{BreakingChange, ChangeKind};

/// The breaking changes from `old` to `new` (empty: `new` is a compatible
/// evolution of `old`).
pub fn check_evolution(old: &LexiconDoc, new: &LexiconDoc) -> Vec<BreakingChange> {
    let mut c = Cmp {
        old_base: &old.id,
        new_base: &new.id,
        out: Vec::new(),
    };
    if old.id != new.id {
        c.push(
            "",
            ChangeKind::IdChanged {
                old: old.id.clone(),
                new: new.id.clone(),
            },
        );
    }
    for (name, o) in &old.defs {
        let path = format!("#{name}");
        match new.defs.get(name) {
            None => c.push(&path, ChangeKind::DefRemoved),
            Some(n) => c.schema(o, n, &path),
        }
    }
    c.out
}

/// The breaking changes from one set of documents to another: every
/// document of `old` must still exist in `new` (a missing one is reported
/// as [`ChangeKind::DefRemoved`] at path `nsid`) and evolve compatibly; paths
/// are prefixed with the document id (`app.bsky.feed.post#main.text`).
pub fn check_evolution_set(old: &Lexicons, new: &Lexicons) -> Vec<BreakingChange> {
    let mut out = Vec::new();
    for id in old.ids() {
        let Some(o) = old.get(id) else { continue };
        match new.get(id) {
            None => out.push(BreakingChange {
                path: id.to_string(),
                kind: ChangeKind::DefRemoved,
            }),
            Some(n) => out.extend(check_evolution(o, n).into_iter().map(|c| BreakingChange {
                path: format!("{id}{}", c.path),
                kind: c.kind,
            })),
        }
    }
    out
}

struct Cmp<'a> {
    old_base: &'a str,
    new_base: &'a str,
    out: Vec<BreakingChange>,
}

fn to_i64(v: Option<u64>) -> Option<i64> {
    v.map(|x| i64::try_from(x).unwrap_or(i64::MAX))
}

impl Cmp<'_> {
    fn push(&mut self, path: &str, kind: ChangeKind) {
        self.out.push(BreakingChange {
            path: path.to_string(),
            kind,
        });
    }

    /// An upper bound must not shrink or appear.
    fn max(&mut self, path: &str, constraint: &'static str, old: Option<i64>, new: Option<i64>) {
        let narrowed = match (old, new) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(o), Some(n)) => n < o,
        };
        if narrowed {
            self.push(
                path,
                ChangeKind::Narrowed {
                    constraint,
                    old,
                    new,
                },
            );
        }
    }

    /// A lower bound must not grow or appear.
    fn min(&mut self, path: &str, constraint: &'static str, old: Option<i64>, new: Option<i64>) {
        let narrowed = match (old, new) {
            (_, None) => false,
            (None, Some(n)) => n > 0 || constraint == "minimum",
            (Some(o), Some(n)) => n > o,
        };
        if narrowed {
            self.push(
                path,
                ChangeKind::Narrowed {
                    constraint,
                    old,
                    new,
                },
            );
        }
    }

    fn enums<T: PartialEq + ToString>(
        &mut self,
        path: &str,
        old: &Option<Vec<T>>,
        new: &Option<Vec<T>>,
    ) {
        match (old, new) {
            (_, None) => {}
            (None, Some(_)) => self.push(path, ChangeKind::EnumValueRemoved("*".into())),
            (Some(o), Some(n)) => {
                for v in o.iter().filter(|v| !n.contains(v)) {
                    self.push(path, ChangeKind::EnumValueRemoved(v.to_string()));
                }
            }
        }
    }

    fn konst<T: PartialEq>(&mut self, path: &str, old: &Option<T>, new: &Option<T>) {
        if new.is_some() && old != new {
            self.push(path, ChangeKind::ConstChanged);
        }
    }

    fn schema(&mut self, old: &Schema, new: &Schema, path: &str) {
        use Schema as S;
        match (old, new) {
            (S::Record(o), S::Record(n)) => {
                if o.key != n.key {
                    let kind = ChangeKind::RecordKeyChanged {
                        old: o.key.clone(),
                        new: n.key.clone(),
                    };
                    self.push(path, kind);
                }
                self.schema(&o.record, &n.record, path);
            }
            (S::Query(o), S::Query(n)) => {
                self.params(o.parameters.as_deref(), n.parameters.as_deref(), path);
                self.body(
                    o.output.as_ref(),
                    n.output.as_ref(),
                    &format!("{path}.output"),
                    false,
                );
            }
            (S::Procedure(o), S::Procedure(n)) => {
                self.params(o.parameters.as_deref(), n.parameters.as_deref(), path);
                self.body(
                    o.input.as_ref(),
                    n.input.as_ref(),
                    &format!("{path}.input"),
                    true,
                );
                self.body(
                    o.output.as_ref(),
                    n.output.as_ref(),
                    &format!("{path}.output"),
                    false,
                );
            }
            (S::Subscription(o), S::Subscription(n)) => {
                self.params(o.parameters.as_deref(), n.parameters.as_deref(), path);
                if let (Some(om), Some(nm)) = (&o.message, &n.message) {
                    self.schema(&om.schema, &nm.schema, &format!("{path}.message"));
                }
            }
            (S::Object(o), S::Object(n)) => self.object(o, n, path),
            (S::Params(o), S::Params(n)) => self.params_def(o, n, path),
            (S::Array(o), S::Array(n)) => {
                self.min(
                    path,
                    "minLength",
                    to_i64(o.min_length),
                    to_i64(n.min_length),
                );
                self.max(
                    path,
                    "maxLength",
                    to_i64(o.max_length),
                    to_i64(n.max_length),
                );
                self.schema(&o.items, &n.items, &format!("{path}[]"));
            }
            (S::Ref(o), S::Ref(n)) => {
                let (or, nr) = (
                    normalize_ref(self.old_base, &o.reference),
                    normalize_ref(self.new_base, &n.reference),
                );
                if or != nr {
                    self.push(path, ChangeKind::RefChanged { old: or, new: nr });
                }
            }
            (S::Union(o), S::Union(n)) => {
                if n.closed && !o.closed {
                    self.push(path, ChangeKind::UnionClosed);
                }
                if n.closed {
                    let new_refs: Vec<_> = n
                        .refs
                        .iter()
                        .map(|r| normalize_ref(self.new_base, r))
                        .collect();
                    for r in &o.refs {
                        let full = normalize_ref(self.old_base, r);
                        if !new_refs.contains(&full) {
                            self.push(path, ChangeKind::UnionRefRemoved(full));
                        }
                    }
                }
            }
            (S::String(o), S::String(n)) => {
                if n.format.is_some() && o.format != n.format {
                    self.push(path, ChangeKind::FormatChanged);
                }
                self.min(
                    path,
                    "minLength",
                    to_i64(o.min_length),
                    to_i64(n.min_length),
                );
                self.max(
                    path,
                    "maxLength",
                    to_i64(o.max_length),
                    to_i64(n.max_length),
                );
                self.min(
                    path,
                    "minGraphemes",
                    to_i64(o.min_graphemes),
                    to_i64(n.min_graphemes),
                );
                self.max(
                    path,
                    "maxGraphemes",
                    to_i64(o.max_graphemes),
                    to_i64(n.max_graphemes),
                );
                self.enums(path, &o.enum_values, &n.enum_values);
                self.konst(path, &o.const_value, &n.const_value);
            }
            (S::Integer(o), S::Integer(n)) => {
                self.min(path, "minimum", o.minimum, n.minimum);
                self.max(path, "maximum", o.maximum, n.maximum);
                self.enums(path, &o.enum_values, &n.enum_values);
                self.konst(path, &o.const_value, &n.const_value);
            }
            (S::Boolean(o), S::Boolean(n)) => self.konst(path, &o.const_value, &n.const_value),
            (S::Bytes(o), S::Bytes(n)) => {
                self.min(
                    path,
                    "minLength",
                    to_i64(o.min_length),
                    to_i64(n.min_length),
                );
                self.max(
                    path,
                    "maxLength",
                    to_i64(o.max_length),
                    to_i64(n.max_length),
                );
            }
            (S::Blob(o), S::Blob(n)) => {
                self.max(path, "maxSize", to_i64(o.max_size), to_i64(n.max_size));
                if let Some(new_accept) = &n.accept {
                    let old_accept = o.accept.clone().unwrap_or_else(|| vec!["*/*".into()]);
                    for p in old_accept {
                        if !new_accept.iter().any(|q| covers(q, &p)) {
                            self.push(path, ChangeKind::AcceptNarrowed(p));
                        }
                    }
                }
            }
            (o, n) if o.type_name() == n.type_name() => {}
            (o, n) => self.push(
                path,
                ChangeKind::TypeChanged {
                    old: o.type_name(),
                    new: n.type_name(),
                },
            ),
        }
    }

    fn object(&mut self, o: &ObjectDef, n: &ObjectDef, path: &str) {
        self.fields(&o.properties, &n.properties, &o.required, &n.required, path);
        for name in &o.nullable {
            if !n.nullable.contains(name) && n.properties.contains_key(name) {
                self.push(&format!("{path}.{name}"), ChangeKind::NullableRemoved);
            }
        }
    }

    fn fields(
        &mut self,
        old: &BTreeMap<String, Schema>,
        new: &BTreeMap<String, Schema>,
        old_req: &[String],
        new_req: &[String],
        path: &str,
    ) {
        for (name, os) in old {
            let at = format!("{path}.{name}");
            match new.get(name) {
                None => self.push(&at, ChangeKind::FieldRemoved),
                Some(ns) => self.schema(os, ns, &at),
            }
        }
        for name in new_req.iter().filter(|r| !old_req.contains(r)) {
            self.push(&format!("{path}.{name}"), ChangeKind::FieldNowRequired);
        }
    }

    fn params_def(&mut self, o: &ParamsDef, n: &ParamsDef, path: &str) {
        self.fields(&o.properties, &n.properties, &o.required, &n.required, path);
    }

    fn params(&mut self, old: Option<&Schema>, new: Option<&Schema>, path: &str) {
        let empty = Schema::Params(ParamsDef::default());
        let at = format!("{path}.params");
        self.schema(old.unwrap_or(&empty), new.unwrap_or(&empty), &at);
    }

    /// `input`: a body appearing breaks callers; `output`: one vanishing
    /// breaks consumers.
    fn body(&mut self, old: Option<&BodyDef>, new: Option<&BodyDef>, path: &str, input: bool) {
        match (old, new) {
            (None, Some(_)) if input => self.push(path, ChangeKind::BodyChanged("input added")),
            (Some(_), None) if !input => self.push(path, ChangeKind::BodyChanged("output removed")),
            (Some(o), Some(n)) => {
                if o.encoding != n.encoding {
                    let kind = ChangeKind::EncodingChanged {
                        old: o.encoding.clone(),
                        new: n.encoding.clone(),
                    };
                    self.push(path, kind);
                }
                match (o.schema.as_deref(), n.schema.as_deref()) {
                    (Some(os), Some(ns)) => self.schema(os, ns, path),
                    (None, Some(_)) if input => {
                        self.push(path, ChangeKind::BodyChanged("input schema added"))
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
}

/// Whether MIME pattern `q` accepts everything pattern `p` accepts.
fn covers(q: &str, p: &str) -> bool {
    if q == "*/*" || q == p {
        return true;
    }
    match (q.strip_suffix("/*"), p.split_once('/')) {
        (Some(top), Some((ptop, _))) => top == ptop,
        _ => false,
    }
}
