//! Blob references in records: every `{"$type": "blob", "ref": <link>}`
//! (and the legacy `{"cid": "<cid>", "mimeType": ...}`) anywhere in a
//! record value. They fill `#commit.blobs` and `com.atproto.sync.listBlobs`.

use ues_data::cbor::Ipld;
use ues_data::cid::Cid;

/// The blob CIDs referenced by `v`, in order of appearance, without repeats.
pub fn blob_refs(v: &Ipld) -> Vec<Cid> {
    let mut out = Vec::new();
    walk(v, &mut out);
    out
}

fn walk(v: &Ipld, out: &mut Vec<Cid>) {
    match v {
        Ipld::Map(m) => {
            let blob = match (
                m.get("$type"),
                m.get("ref"),
                m.get("cid"),
                m.get("mimeType"),
            ) {
                (Some(Ipld::String(t)), Some(Ipld::Link(c)), _, _) if t == "blob" => Some(*c),
                (None, None, Some(Ipld::String(s)), Some(Ipld::String(_))) => {
                    ues_data::cid::parse(s).ok()
                }
                _ => None,
            };
            match blob {
                Some(c) => {
                    if !out.contains(&c) {
                        out.push(c);
                    }
                }
                None => m.values().for_each(|x| walk(x, out)),
            }
        }
        Ipld::List(l) => l.iter().for_each(|x| walk(x, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use ues_data::cid::{sha256_cid, RAW};

    fn map(e: Vec<(&str, Ipld)>) -> Ipld {
        Ipld::Map(
            e.into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect::<BTreeMap<_, _>>(),
        )
    }

    #[test]
    fn finds_nested_blobs_once() {
        let a = sha256_cid(RAW, b"a");
        let b = sha256_cid(RAW, b"b");
        let blob = |c: Cid| {
            map(vec![
                ("$type", Ipld::String("blob".into())),
                ("ref", Ipld::Link(c)),
            ])
        };
        let rec = map(vec![
            ("text", Ipld::String("hi".into())),
            (
                "embed",
                map(vec![(
                    "images",
                    Ipld::List(vec![
                        map(vec![("image", blob(a))]),
                        map(vec![("image", blob(b))]),
                        map(vec![("image", blob(a))]),
                    ]),
                )]),
            ),
            (
                "legacy",
                map(vec![
                    ("cid", Ipld::String(b.to_string())),
                    ("mimeType", Ipld::String("image/png".into())),
                ]),
            ),
        ]);
        assert_eq!(blob_refs(&rec), vec![a, b]);
        assert!(blob_refs(&Ipld::String("x".into())).is_empty());
    }
}
