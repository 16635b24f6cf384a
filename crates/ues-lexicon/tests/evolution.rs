//! Schema evolution: compatible changes pass, each kind of breaking change
//! is reported at its path.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use serde_json::{json, Value};
use ues_lexicon::{
    check_evolution, check_evolution_set, BreakingChange, ChangeKind, LexiconDoc, Lexicons,
};

fn doc(v: Value) -> LexiconDoc {
    LexiconDoc::from_value(&v).expect("valid lexicon")
}

/// A record lexicon whose main object has `props`, `required`, `nullable`.
fn record(key: &str, props: Value, required: Value, nullable: Value) -> LexiconDoc {
    doc(json!({
        "lexicon": 1, "id": "com.example.thing",
        "defs": {
            "main": {"type": "record", "key": key, "record": {
                "type": "object", "required": required, "nullable": nullable, "properties": props}},
            "a": {"type": "object", "properties": {}},
            "b": {"type": "object", "properties": {}}
        }
    }))
}

fn base() -> LexiconDoc {
    record(
        "tid",
        json!({
            "text": {"type": "string", "maxLength": 300, "minLength": 1},
            "kind": {"type": "string", "enum": ["a", "b"]},
            "count": {"type": "integer", "minimum": 0, "maximum": 10},
            "tags": {"type": "array", "items": {"type": "string"}, "maxLength": 5},
            "note": {"type": "string"},
            "pic": {"type": "blob", "accept": ["image/*"], "maxSize": 1000},
            "embed": {"type": "union", "refs": ["#a", "#b"], "closed": true},
            "open": {"type": "union", "refs": ["#a"]},
            "link": {"type": "ref", "ref": "#a"}
        }),
        json!(["text"]),
        json!(["note"]),
    )
}

/// `base()` with one property (or the key) replaced.
fn with(prop: &str, schema: Value) -> LexiconDoc {
    let mut v = serde_json::to_value(base()).expect("serialize");
    v["defs"]["main"]["record"]["properties"][prop] = schema;
    doc(v)
}

fn kinds(changes: &[BreakingChange]) -> Vec<(&str, &ChangeKind)> {
    changes.iter().map(|c| (c.path.as_str(), &c.kind)).collect()
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn compatible_changes_pass() {
    assert!(check_evolution(&base(), &base()).is_empty());
    // A new optional field, a new def, a looser bound, an enum value added,
    // a union member added, a wider accept list.
    let mut v = serde_json::to_value(base()).expect("serialize");
    let props = &mut v["defs"]["main"]["record"]["properties"];
    props["extra"] = json!({"type": "boolean"});
    props["text"]["maxLength"] = json!(3000);
    props["kind"]["enum"] = json!(["a", "b", "c"]);
    props["embed"]["refs"] = json!(["#a", "#b", "#c"]);
    props["pic"]["accept"] = json!(["image/*", "video/mp4"]);
    v["defs"]["c"] = json!({"type": "object", "properties": {}});
    let new = doc(v);
    let changes = check_evolution(&base(), &new);
    assert!(changes.is_empty(), "{changes:?}");
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn removed_field_and_def() {
    let mut v = serde_json::to_value(base()).expect("serialize");
    v["defs"]["main"]["record"]["properties"]
        .as_object_mut()
        .expect("object")
        .remove("note");
    v["defs"].as_object_mut().expect("object").remove("b");
    v["defs"]["main"]["record"]["properties"]["embed"]["refs"] = json!(["#a"]);
    let changes = check_evolution(&base(), &doc(v));
    let k = kinds(&changes);
    assert!(k.contains(&("#b", &ChangeKind::DefRemoved)), "{k:?}");
    assert!(
        k.contains(&("#main.note", &ChangeKind::FieldRemoved)),
        "{k:?}"
    );
    assert!(k.contains(&(
        "#main.embed",
        &ChangeKind::UnionRefRemoved("com.example.thing#b".into())
    )));
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn newly_required_and_not_nullable() {
    let mut v = serde_json::to_value(base()).expect("serialize");
    v["defs"]["main"]["record"]["required"] = json!(["text", "count"]);
    v["defs"]["main"]["record"]["nullable"] = json!([]);
    let changes = check_evolution(&base(), &doc(v));
    assert_eq!(
        kinds(&changes),
        vec![
            ("#main.count", &ChangeKind::FieldNowRequired),
            ("#main.note", &ChangeKind::NullableRemoved)
        ]
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn type_change() {
    let changes = check_evolution(&base(), &with("count", json!({"type": "string"})));
    assert_eq!(
        kinds(&changes),
        vec![(
            "#main.count",
            &ChangeKind::TypeChanged {
                old: "integer",
                new: "string"
            }
        )]
    );
    let changes = check_evolution(&base(), &with("link", json!({"type": "ref", "ref": "#b"})));
    assert_eq!(
        kinds(&changes),
        vec![(
            "#main.link",
            &ChangeKind::RefChanged {
                old: "com.example.thing#a".into(),
                new: "com.example.thing#b".into()
            }
        )]
    );
}

fn narrowed(changes: &[BreakingChange], path: &str, constraint: &str) -> bool {
    changes.iter().any(|c| {
        c.path == path
            && matches!(&c.kind, ChangeKind::Narrowed { constraint: k, .. } if *k == constraint)
    })
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn narrowed_constraints() {
    let c = check_evolution(
        &base(),
        &with(
            "text",
            json!({"type": "string", "maxLength": 100, "minLength": 1}),
        ),
    );
    assert!(
        narrowed(&c, "#main.text", "maxLength") && c.len() == 1,
        "{c:?}"
    );
    let c = check_evolution(
        &base(),
        &with(
            "text",
            json!({"type": "string", "maxLength": 300, "minLength": 2, "maxGraphemes": 30}),
        ),
    );
    assert!(
        narrowed(&c, "#main.text", "minLength") && narrowed(&c, "#main.text", "maxGraphemes"),
        "{c:?}"
    );
    let c = check_evolution(
        &base(),
        &with(
            "count",
            json!({"type": "integer", "minimum": 1, "maximum": 9}),
        ),
    );
    assert!(narrowed(&c, "#main.count", "minimum") && narrowed(&c, "#main.count", "maximum"));
    let c = check_evolution(
        &base(),
        &with(
            "tags",
            json!({"type": "array", "items": {"type": "string", "maxLength": 10}, "maxLength": 3}),
        ),
    );
    assert!(
        narrowed(&c, "#main.tags", "maxLength") && narrowed(&c, "#main.tags[]", "maxLength"),
        "{c:?}"
    );
    let c = check_evolution(
        &base(),
        &with(
            "pic",
            json!({"type": "blob", "accept": ["image/png"], "maxSize": 500}),
        ),
    );
    assert!(narrowed(&c, "#main.pic", "maxSize"));
    assert!(kinds(&c).contains(&("#main.pic", &ChangeKind::AcceptNarrowed("image/*".into()))));
    let c = check_evolution(
        &base(),
        &with("kind", json!({"type": "string", "enum": ["a"]})),
    );
    assert_eq!(
        kinds(&c),
        vec![("#main.kind", &ChangeKind::EnumValueRemoved("b".into()))]
    );
    let c = check_evolution(
        &base(),
        &with("note", json!({"type": "string", "format": "did"})),
    );
    assert_eq!(kinds(&c), vec![("#main.note", &ChangeKind::FormatChanged)]);
    let c = check_evolution(
        &base(),
        &with("note", json!({"type": "string", "const": "x"})),
    );
    assert_eq!(kinds(&c), vec![("#main.note", &ChangeKind::ConstChanged)]);
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn union_closed_and_record_key() {
    let c = check_evolution(
        &base(),
        &with(
            "open",
            json!({"type": "union", "refs": ["#a"], "closed": true}),
        ),
    );
    assert_eq!(kinds(&c), vec![("#main.open", &ChangeKind::UnionClosed)]);
    // Dropping a member of an open union is not breaking.
    let c = check_evolution(&base(), &with("open", json!({"type": "union", "refs": []})));
    assert!(c.is_empty());
    let mut v = serde_json::to_value(base()).expect("serialize");
    v["defs"]["main"]["key"] = json!("any");
    let c = check_evolution(&base(), &doc(v));
    assert_eq!(
        kinds(&c),
        vec![(
            "#main",
            &ChangeKind::RecordKeyChanged {
                old: "tid".into(),
                new: "any".into()
            }
        )]
    );
    assert!(!c[0].to_string().is_empty());
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn methods() {
    let q = |params: Value, output: Value| {
        doc(
            json!({"lexicon": 1, "id": "com.example.get", "defs": {"main": {
            "type": "query", "parameters": params, "output": output}}}),
        )
    };
    let p0 =
        json!({"type": "params", "properties": {"limit": {"type": "integer", "maximum": 100}}});
    let o0 = json!({"encoding": "application/json", "schema": {"type": "object", "properties": {"x": {"type": "string"}}}});
    let old = q(p0.clone(), o0.clone());
    let p1 = json!({"type": "params", "required": ["cursor"], "properties": {
        "limit": {"type": "integer", "maximum": 50}, "cursor": {"type": "string"}}});
    let o1 =
        json!({"encoding": "application/cbor", "schema": {"type": "object", "properties": {}}});
    let c = check_evolution(&old, &q(p1, o1));
    let k = kinds(&c);
    assert!(narrowed(&c, "#main.params.limit", "maximum"), "{k:?}");
    assert!(k.contains(&("#main.params.cursor", &ChangeKind::FieldNowRequired)));
    assert!(k.contains(&("#main.output.x", &ChangeKind::FieldRemoved)));
    assert!(k
        .iter()
        .any(|(p, k)| *p == "#main.output" && matches!(k, ChangeKind::EncodingChanged { .. })));
    let other = doc(
        json!({"lexicon": 1, "id": "com.example.other", "defs": {"main": {
        "type": "query", "parameters": p0, "output": o0}}}),
    );
    assert!(matches!(
        check_evolution(&old, &other)[0].kind,
        ChangeKind::IdChanged { .. }
    ));
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn sets() {
    let other = doc(json!({"lexicon": 1, "id": "com.example.other", "defs": {}}));
    let mut old = Lexicons::new();
    old.add(base()).expect("add");
    old.add(other).expect("add");
    let mut new = Lexicons::new();
    new.add(with("count", json!({"type": "string"})))
        .expect("add");
    let c = check_evolution_set(&old, &new);
    assert_eq!(
        kinds(&c),
        vec![
            ("com.example.other", &ChangeKind::DefRemoved),
            (
                "com.example.thing#main.count",
                &ChangeKind::TypeChanged {
                    old: "integer",
                    new: "string"
                }
            )
        ]
    );
    assert!(check_evolution_set(&old, &old).is_empty());
}
