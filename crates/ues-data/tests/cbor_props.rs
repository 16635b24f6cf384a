//! Property tests for canonical DAG-CBOR: encode/decode is the identity on
//! float-free IPLD values, every non-canonical variant is rejected, and the
//! validator and sequence reader never panic. Native only (proptest).
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use std::collections::BTreeMap;
use std::io::Read;
use ues_data::cbor::{self, CborError, CborSeqReader, Ipld};
use ues_data::cid;

fn arb_int() -> impl Strategy<Value = i128> {
    prop_oneof![
        -30i128..30,
        prop::sample::select(vec![23, 24, 255, 256, 65535, 65536, 1 << 32, -25, -257]),
        any::<i64>().prop_map(i128::from),
        any::<u64>().prop_map(i128::from),
        any::<u64>().prop_map(|u| -1 - i128::from(u)),
    ]
}

fn arb_link() -> impl Strategy<Value = Ipld> {
    (any::<Vec<u8>>(), 0..3u8).prop_map(|(b, kind)| {
        Ipld::Link(match kind {
            0 => cid::cbor_cid(&b),
            1 => cid::sha256_cid(cid::RAW, &b),
            _ => cid::blake3_cid(cid::DAG_CBOR, &b),
        })
    })
}

/// Float-free IPLD values, nested a few levels.
fn arb_ipld() -> impl Strategy<Value = Ipld> {
    let leaf = prop_oneof![
        Just(Ipld::Null),
        any::<bool>().prop_map(Ipld::Bool),
        arb_int().prop_map(Ipld::Integer),
        ".{0,12}".prop_map(Ipld::String),
        prop::collection::vec(any::<u8>(), 0..40).prop_map(Ipld::Bytes),
        arb_link(),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Ipld::List),
            prop::collection::btree_map("[a-zA-Z0-9_]{0,8}|.{0,4}", inner, 0..6)
                .prop_map(Ipld::Map),
        ]
    })
}

/// True when every integer in `v` fits a JSON integer (i64 or u64).
fn json_ints(v: &Ipld) -> bool {
    match v {
        Ipld::Integer(i) => i64::try_from(*i).is_ok() || u64::try_from(*i).is_ok(),
        Ipld::List(l) => l.iter().all(json_ints),
        Ipld::Map(m) => m.values().all(json_ints),
        _ => true,
    }
}

/// A CBOR head for `major` and `arg` using the next wider form than the
/// minimal one (none exists for arguments needing 8 bytes).
fn wide_head(major: u8, arg: u64) -> Option<Vec<u8>> {
    let m = major << 5;
    let mut out = Vec::new();
    if arg < 256 {
        out.push(m | 25);
        out.extend_from_slice(&(arg as u16).to_be_bytes());
    } else if arg < 1 << 16 {
        out.push(m | 26);
        out.extend_from_slice(&(arg as u32).to_be_bytes());
    } else if arg < 1 << 32 {
        out.push(m | 27);
        out.extend_from_slice(&arg.to_be_bytes());
    } else {
        return None;
    }
    Some(out)
}

fn enc(v: &Ipld) -> Vec<u8> {
    cbor::encode(v).expect("float-free values encode")
}

/// A reader handing out at most `chunk` bytes per call.
struct Trickle<'a>(&'a [u8], usize);

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.0.len().min(buf.len()).min(self.1);
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

proptest! {
    #[test]
    fn encode_decode_is_identity(v in arb_ipld()) {
        let bytes = enc(&v);
        prop_assert_eq!(cbor::validate(&bytes), Ok(()));
        let back = cbor::decode_ipld(&bytes).expect("decodes");
        prop_assert_eq!(&back, &v);
        prop_assert_eq!(enc(&back), bytes);
    }

    #[test]
    fn json_form_round_trips(v in arb_ipld()) {
        prop_assume!(json_ints(&v));
        let json = cbor::to_json(&v);
        prop_assert_eq!(cbor::from_json_value(&json), Ok(v));
    }

    #[test]
    fn non_minimal_heads_are_rejected(v in arb_ipld(), n in arb_int(), s in ".{0,30}") {
        let prefix = enc(&v);
        let at = 1 + prefix.len();
        // [v, n] with n's head widened.
        let (major, arg) = if n >= 0 { (0, n as u64) } else { (1, (-1 - n) as u64) };
        if let Some(head) = wide_head(major, arg) {
            let bytes = [&[0x82][..], &prefix, &head].concat();
            prop_assert_eq!(cbor::validate(&bytes), Err(CborError::NonMinimal { offset: at }));
        }
        // [v, s] with the string length widened.
        let head = wide_head(3, s.len() as u64).expect("short string");
        let bytes = [&[0x82][..], &prefix, &head, s.as_bytes()].concat();
        prop_assert_eq!(cbor::validate(&bytes), Err(CborError::NonMinimal { offset: at }));
        prop_assert!(cbor::decode_ipld(&bytes).is_err());
    }

    #[test]
    fn map_key_order_and_duplicates_are_rejected(
        m in prop::collection::btree_map(".{0,6}", arb_ipld(), 2..6),
    ) {
        let canonical = enc(&Ipld::Map(m.clone()));
        // Entries in canonical order, as serialized pairs.
        let mut entries: Vec<(Vec<u8>, Vec<u8>)> = m
            .iter()
            .map(|(k, v)| (enc(&Ipld::String(k.clone())), enc(v)))
            .collect();
        entries.sort();
        let header = canonical[0];
        let join = |es: &[(Vec<u8>, Vec<u8>)]| {
            let mut out = vec![header];
            for (k, v) in es {
                out.extend_from_slice(k);
                out.extend_from_slice(v);
            }
            out
        };
        prop_assert_eq!(join(&entries), canonical);
        let mut swapped = entries.clone();
        swapped.swap(0, 1);
        let swapped = join(&swapped);
        let e = cbor::validate(&swapped);
        prop_assert!(matches!(e, Err(CborError::KeyOrder { .. })), "{:?}", e);
        prop_assert!(cbor::decode_ipld(&swapped).is_err());
        let mut dup = entries.clone();
        dup[1] = (dup[0].0.clone(), dup[1].1.clone());
        let e = cbor::validate(&join(&dup));
        prop_assert!(matches!(e, Err(CborError::DuplicateKey { .. })), "{:?}", e);
    }

    #[test]
    fn floats_trailing_bytes_and_truncation_are_rejected(v in arb_ipld(), f in any::<f64>(), cut in any::<prop::sample::Index>()) {
        let bytes = enc(&v);
        let mut with_float = vec![0x82];
        with_float.extend_from_slice(&bytes);
        with_float.push(0xfb);
        with_float.extend_from_slice(&f.to_be_bytes());
        prop_assert_eq!(cbor::validate(&with_float), Err(CborError::Float { offset: 1 + bytes.len() }));
        prop_assert!(cbor::encode(&Ipld::List(vec![v.clone(), Ipld::Float(f)])).is_err());
        let trailing = [&bytes[..], &[0x00]].concat();
        let e = cbor::validate(&trailing);
        prop_assert!(matches!(e, Err(CborError::TrailingBytes { .. })), "{:?}", e);
        let short = &bytes[..cut.index(bytes.len())];
        prop_assert!(cbor::validate(short).is_err());
    }

    #[test]
    fn validate_never_panics_on_random_bytes(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let ok = cbor::validate(&bytes).is_ok();
        let _ = cbor::validate_prefix(&bytes);
        let _ = CborSeqReader::new(&bytes[..]).with_max_item_size(128).count();
        // Whatever passes validation is canonical: it re-encodes to itself.
        if ok {
            let v = cbor::decode_ipld(&bytes).expect("valid bytes decode");
            prop_assert_eq!(enc(&v), bytes);
        }
    }

    #[test]
    fn mutated_encodings_are_canonical_or_rejected(v in arb_ipld(), at in any::<prop::sample::Index>(), x in any::<u8>()) {
        let mut bytes = enc(&v);
        let i = at.index(bytes.len());
        bytes[i] = x;
        if cbor::validate(&bytes).is_ok() {
            let w = cbor::decode_ipld(&bytes).expect("valid bytes decode");
            prop_assert_eq!(enc(&w), bytes);
        }
    }

    #[test]
    fn sequence_reader_reads_back_any_chunking(vs in prop::collection::vec(arb_ipld(), 0..6), chunk in 1usize..64) {
        let items: Vec<Vec<u8>> = vs.iter().map(enc).collect();
        let stream = items.concat();
        let got: Result<Vec<_>, _> = CborSeqReader::new(Trickle(&stream, chunk)).collect();
        prop_assert_eq!(got, Ok(items));
        let ipld: Vec<Ipld> = {
            let mut r = CborSeqReader::new(Trickle(&stream, chunk));
            std::iter::from_fn(|| r.next_ipld().expect("valid")).collect()
        };
        prop_assert_eq!(ipld, vs);
    }
}

#[test]
fn typed_values_encode_canonically() {
    #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
    struct Rec {
        zzz: u32,
        a: String,
        bb: Option<Vec<i64>>,
    }
    let r = Rec {
        zzz: 7,
        a: "x".into(),
        bb: Some(vec![-1, 300]),
    };
    let bytes = cbor::encode(&r).expect("encode");
    let m: BTreeMap<String, Ipld> = cbor::decode(&bytes).expect("as map");
    assert_eq!(enc(&Ipld::Map(m)), bytes);
    assert_eq!(cbor::decode::<Rec>(&bytes).expect("decode"), r);
    assert!(matches!(
        cbor::decode::<Rec>(&[0xa0]),
        Err(CborError::Decode(_))
    ));
}
