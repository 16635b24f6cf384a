//! The vendored `com.atproto.*` and `app.bsky.*` lexicons: every document
//! loads, references resolve, and real records validate (and broken ones do
//! not). The wasm build reads the upstream copy embedded by ues-fixtures
//! (`lexicons/...`), identical to the repo's `lexicons/`; natively the
//! repo's directory is loaded as well.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use serde_json::{json, Value};
use ues_lexicon::{check_evolution, Lexicons, ValidationError};

const CID: &str = "bafyreiclp443lavogvhj3d2ob2cxbfuscni2k5jk7bebjzg7khl3esabwq";
const BLOB_CID: &str = "bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy";
const DID: &str = "did:plc:ewvi7nxzyoun6zhxrhs64oiz";

fn lexicons() -> Lexicons {
    let mut lex = Lexicons::new();
    let mut n = 0;
    for dir in ["lexicons/com/atproto/", "lexicons/app/bsky/"] {
        for (path, bytes) in ues_fixtures::list(dir, ".json") {
            let text = std::str::from_utf8(bytes).expect("utf-8");
            lex.add_json(text).unwrap_or_else(|e| panic!("{path}: {e}"));
            n += 1;
        }
    }
    assert_eq!(lex.len(), n);
    lex
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn every_vendored_lexicon_loads_and_resolves() {
    let lex = lexicons();
    assert!(lex.len() > 200, "{}", lex.len());
    for id in [
        "app.bsky.feed.post",
        "com.atproto.repo.strongRef",
        "com.atproto.sync.subscribeRepos",
    ] {
        assert!(lex.get(id).is_some(), "{id}");
    }
    // The vendored set is closed under references.
    assert_eq!(lex.unresolved_refs(), Vec::<(String, String)>::new());
    // Every document is a compatible evolution of itself.
    for id in lex.ids() {
        let doc = lex.get(id).expect("loaded");
        assert!(check_evolution(doc, doc).is_empty(), "{id}");
    }
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn repo_lexicon_directory_loads() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../lexicons");
    let mut lex = Lexicons::new();
    let n = lex.load_dir(&dir).expect("load lexicons/");
    assert_eq!(n, lexicons().len());
}

fn post() -> Value {
    json!({
        "$type": "app.bsky.feed.post",
        "text": "hello @alice.bsky.social see https://example.com #rust",
        "createdAt": "2024-11-24T12:34:56.789Z",
        "langs": ["en"],
        "facets": [
            {
                "index": {"byteStart": 6, "byteEnd": 24},
                "features": [{"$type": "app.bsky.richtext.facet#mention", "did": DID}]
            },
            {
                "index": {"byteStart": 29, "byteEnd": 48},
                "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://example.com"}]
            },
            {
                "index": {"byteStart": 49, "byteEnd": 54},
                "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "rust"}]
            }
        ],
        "embed": {
            "$type": "app.bsky.embed.images",
            "images": [{
                "alt": "a crab",
                "image": {"$type": "blob", "ref": {"$link": BLOB_CID}, "mimeType": "image/jpeg", "size": 123456},
                "aspectRatio": {"width": 4, "height": 3}
            }]
        }
    })
}

fn err_path(r: Result<(), ValidationError>) -> String {
    r.expect_err("invalid").path().expect("a path").to_string()
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn post_with_facets_and_images() {
    let lex = lexicons();
    let p = "app.bsky.feed.post";
    lex.validate_record(p, &post()).expect("valid post");
    let ipld = ues_data::cbor::json::from_json(&post()).expect("ipld");
    lex.validate_record_ipld(p, &ipld).expect("valid as IPLD");
    lex.validate_record_key(p, "3kznmn7xqxl22")
        .expect("tid rkey");
    assert!(lex.validate_record_key(p, "self").is_err());

    let mut v = post();
    v["embed"]["images"][0]["alt"] = json!(5);
    assert_eq!(
        err_path(lex.validate_record(p, &v)),
        "$.embed.images[0].alt"
    );
    let mut v = post();
    v["embed"]["images"][0]["image"]["mimeType"] = json!("video/mp4");
    assert_eq!(
        err_path(lex.validate_record(p, &v)),
        "$.embed.images[0].image"
    );
    let mut v = post();
    v["embed"]["images"][0]["image"]["size"] = json!(5_000_000);
    assert_eq!(
        err_path(lex.validate_record(p, &v)),
        "$.embed.images[0].image"
    );
    let mut v = post();
    v["facets"][0]["features"][0]["did"] = json!("alice");
    assert_eq!(
        err_path(lex.validate_record(p, &v)),
        "$.facets[0].features[0].did"
    );
    let mut v = post();
    v["text"] = json!("é".repeat(301));
    assert_eq!(err_path(lex.validate_record(p, &v)), "$.text");
    let mut v = post();
    v["langs"] = json!(["en", "fr", "de", "ja"]);
    assert_eq!(err_path(lex.validate_record(p, &v)), "$.langs");
    let mut v = post();
    v["createdAt"] = json!("yesterday");
    assert_eq!(err_path(lex.validate_record(p, &v)), "$.createdAt");
    let mut v = post();
    v.as_object_mut().expect("object").remove("createdAt");
    assert_eq!(err_path(lex.validate_record(p, &v)), "$.createdAt");
    // Open union: an unknown embed type passes; unknown fields pass.
    let mut v = post();
    v["embed"] = json!({"$type": "com.example.embed.poll", "options": ["a", "b"]});
    v["extra"] = json!({"anything": true});
    lex.validate_record(p, &v).expect("open union, extra field");
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn like_follow_profile() {
    let lex = lexicons();
    let uri = format!("at://{DID}/app.bsky.feed.post/3kznmn7xqxl22");
    let like = json!({
        "$type": "app.bsky.feed.like",
        "subject": {"uri": uri, "cid": CID},
        "createdAt": "2024-11-24T12:00:00Z"
    });
    lex.validate_record("app.bsky.feed.like", &like)
        .expect("like");
    let mut bad = like.clone();
    bad["subject"]["cid"] = json!("not a cid!");
    assert_eq!(
        err_path(lex.validate_record("app.bsky.feed.like", &bad)),
        "$.subject.cid"
    );

    let follow = json!({
        "$type": "app.bsky.graph.follow",
        "subject": DID,
        "createdAt": "2024-11-24T12:00:00.000Z"
    });
    lex.validate_record("app.bsky.graph.follow", &follow)
        .expect("follow");
    let bad = json!({"$type": "app.bsky.graph.follow", "subject": "alice.test", "createdAt": "2024-11-24T12:00:00Z"});
    assert_eq!(
        err_path(lex.validate_record("app.bsky.graph.follow", &bad)),
        "$.subject"
    );

    let profile = json!({
        "$type": "app.bsky.actor.profile",
        "displayName": "Alice",
        "description": "building things",
        "avatar": {"$type": "blob", "ref": {"$link": BLOB_CID}, "mimeType": "image/png", "size": 5000},
        "labels": {"$type": "com.atproto.label.defs#selfLabels", "values": [{"val": "!no-unauthenticated"}]}
    });
    let p = "app.bsky.actor.profile";
    lex.validate_record(p, &profile).expect("profile");
    lex.validate_record_key(p, "self").expect("literal:self");
    assert!(lex.validate_record_key(p, "3kznmn7xqxl22").is_err());
    let mut bad = profile.clone();
    bad["avatar"]["mimeType"] = json!("image/gif");
    assert_eq!(err_path(lex.validate_record(p, &bad)), "$.avatar");
    let mut bad = profile;
    bad["displayName"] = json!("x".repeat(65));
    assert_eq!(err_path(lex.validate_record(p, &bad)), "$.displayName");
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn xrpc_bodies() {
    let lex = lexicons();
    let create = "com.atproto.repo.createRecord";
    let input = json!({
        "repo": DID,
        "collection": "app.bsky.feed.post",
        "record": post()
    });
    lex.validate_input(create, &input)
        .expect("createRecord input");
    let out = json!({"uri": format!("at://{DID}/app.bsky.feed.post/3kznmn7xqxl22"), "cid": CID});
    lex.validate_output(create, &out)
        .expect("createRecord output");
    assert_eq!(
        err_path(lex.validate_input(create, &json!({"repo": DID}))),
        "$.collection"
    );
    let get = "com.atproto.repo.getRecord";
    lex.validate_params(
        get,
        &json!({"repo": DID, "collection": "app.bsky.feed.post", "rkey": "3kznmn7xqxl22"}),
    )
    .expect("getRecord params");
    assert_eq!(
        err_path(lex.validate_params(get, &json!({"repo": DID}))),
        "$.collection"
    );

    let typed = lex
        .parse_params(
            "app.bsky.feed.getAuthorFeed",
            [("actor", DID), ("limit", "30"), ("includePins", "true")],
        )
        .expect("typed params");
    assert_eq!(typed["limit"], json!(30));
    assert_eq!(typed["includePins"], json!(true));
    let posts = lex
        .parse_params(
            "app.bsky.feed.getPosts",
            [
                ("uris", "at://a.test/app.bsky.feed.post/1"),
                ("uris", "at://b.test/app.bsky.feed.post/2"),
            ],
        )
        .expect("repeated array param");
    assert_eq!(posts["uris"].as_array().map(Vec::len), Some(2));
    let bad = lex.parse_params(
        "app.bsky.feed.getAuthorFeed",
        [("actor", DID), ("limit", "many")],
    );
    assert_eq!(err_path(bad.map(|_| ())), "$.limit");
    let bad = lex.parse_params(
        "app.bsky.feed.getAuthorFeed",
        [("actor", DID), ("limit", "1000")],
    );
    assert_eq!(err_path(bad.map(|_| ())), "$.limit");
    let twice = lex.parse_params(
        "app.bsky.feed.getAuthorFeed",
        [("actor", DID), ("actor", DID)],
    );
    assert_eq!(err_path(twice.map(|_| ())), "$.actor");
}
