//! Every builder's output validates against the official lexicons
//! (lexicons/ at the workspace root) with ues-lexicon. Native only: the
//! lexicons are read from disk.
#![cfg(not(target_arch = "wasm32"))]

use serde_json::Value;
use ues_apps::feed::records::{
    self, AspectRatio, BlobRef, Embed, External, Image, ListPurpose, Media, PostBuilder, StrongRef,
};
use ues_apps::feed::FacetFeature;
use ues_lexicon::Lexicons;

const CID: &str = "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm";
const BLOB: &str = "bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy";
const NOW: &str = "2026-11-25T03:45:00.000Z";

fn lexicons() -> Lexicons {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../lexicons");
    let mut lex = Lexicons::new();
    lex.load_dir(&dir).expect("load lexicons");
    lex
}

fn check(lex: &Lexicons, v: &Value) {
    let nsid = v["$type"].as_str().expect("$type");
    if let Err(e) = lex.validate_record(nsid, v) {
        panic!("{nsid} does not validate: {e}\n{v:#}");
    }
    // And the IPLD form too (what a repo stores).
    let ipld = records::to_ipld(v).expect("to ipld");
    lex.validate_record_ipld(nsid, &ipld)
        .expect("ipld validates");
}

fn post_ref(n: u32) -> StrongRef {
    StrongRef::new(
        format!("at://did:plc:alice/app.bsky.feed.post/3k{n}aaaaaaaa2"),
        CID,
    )
}

fn image(alt: &str) -> Image {
    Image {
        image: BlobRef {
            cid: BLOB.into(),
            mime_type: "image/png".into(),
            size: 1234,
        },
        alt: alt.into(),
        aspect_ratio: Some(AspectRatio {
            width: 4,
            height: 3,
        }),
    }
}

fn external() -> External {
    External {
        uri: "https://example.com/article".into(),
        title: "An article".into(),
        description: "About things".into(),
        thumb: Some(BlobRef {
            cid: BLOB.into(),
            mime_type: "image/jpeg".into(),
            size: 99,
        }),
    }
}

#[test]
fn every_builder_validates() {
    let lex = lexicons();
    let avatar = BlobRef {
        cid: BLOB.into(),
        mime_type: "image/png".into(),
        size: 10,
    };
    check(
        &lex,
        &records::profile(Some("Alice"), Some("hello"), Some(&avatar), Some(NOW)),
    );
    check(&lex, &records::profile(None, None, None, None));
    let resolver = |h: &str| (h == "bob.test").then(|| "did:plc:bob".to_string());
    let text = "hi @bob.test 😀 see https://example.com #atproto";
    let plain = PostBuilder::new(text, NOW).detect_facets(&resolver);
    let v = plain.to_json();
    assert_eq!(v["facets"].as_array().map(Vec::len), Some(3));
    check(&lex, &v);
    check(
        &lex,
        &PostBuilder::new("a reply", NOW)
            .reply(post_ref(1), post_ref(2))
            .langs(vec!["en".into(), "fr".into()])
            .tags(vec!["extra".into()])
            .to_json(),
    );
    let embeds = [
        Embed::Images(vec![image("a cat"), image("")]),
        Embed::External(external()),
        Embed::Record(post_ref(3)),
        Embed::RecordWithMedia {
            record: post_ref(4),
            media: Media::Images(vec![image("dog")]),
        },
        Embed::RecordWithMedia {
            record: post_ref(5),
            media: Media::External(external()),
        },
    ];
    for e in embeds {
        check(&lex, &PostBuilder::new("embed", NOW).embed(e).to_json());
    }
    check(&lex, &records::like(&post_ref(1), NOW));
    check(&lex, &records::repost(&post_ref(1), NOW));
    check(&lex, &records::follow("did:plc:bob", NOW));
    check(&lex, &records::block("did:plc:bob", NOW));
    for p in [
        ListPurpose::Curate,
        ListPurpose::Moderate,
        ListPurpose::Reference,
    ] {
        check(&lex, &records::list("friends", p, Some("my list"), NOW));
    }
    check(
        &lex,
        &records::listitem(
            "at://did:plc:alice/app.bsky.graph.list/3kaaaaaaaaaa2",
            "did:plc:bob",
            NOW,
        ),
    );
}

#[test]
fn lexicon_rejects_bad_posts() {
    let lex = lexicons();
    // 301 graphemes: over maxGraphemes.
    let long = PostBuilder::new("x".repeat(301), NOW).to_json();
    assert!(lex.validate_record("app.bsky.feed.post", &long).is_err());
    // Five images: over maxLength 4.
    let five = PostBuilder::new("imgs", NOW)
        .embed(Embed::Images(vec![image("a"); 5]))
        .to_json();
    assert!(lex.validate_record("app.bsky.feed.post", &five).is_err());
}

#[test]
fn mention_facets_carry_dids() {
    let resolver = |_: &str| Some("did:plc:bob".to_string());
    let p = PostBuilder::new("@bob.test", NOW).detect_facets(&resolver);
    let v = p.to_json();
    assert_eq!(v["facets"][0]["features"][0]["did"], "did:plc:bob");
    let f = ues_apps::feed::detect_facets("@bob.test");
    assert_eq!(
        f[0].features[0],
        FacetFeature::Mention {
            did: "bob.test".into()
        }
    );
}

/// A link the detector leaves without a scheme (a bare domain starting with
/// "http", as the reference does) is made absolute in a built post, so the
/// record passes the `uri` format check.
#[test]
fn built_posts_have_absolute_link_uris() {
    use ues_apps::feed::records::PostBuilder;
    let none = |_: &str| None::<String>;
    let post = PostBuilder::new(
        "httpbin.org/get and example.com",
        "2026-11-25T00:00:00.000Z",
    )
    .detect_facets(&none)
    .to_json();
    let uris: Vec<&str> = post["facets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["features"][0]["uri"].as_str().unwrap())
        .collect();
    assert_eq!(uris, ["https://httpbin.org/get", "https://example.com"]);
}
