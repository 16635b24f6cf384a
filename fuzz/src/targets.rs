// The fuzz target bodies. This file is compiled twice: as a module of the
// `ues-fuzz` crate (for the libFuzzer binaries) and, through `#[path]`, as a
// module of `crates/ues-data/tests/fuzz_corpus.rs` (the stable replay), so it
// may only use `ues_data`.
//
// Each body must never panic on any input except through its own asserts,
// which state properties the decoders promise.

use std::mem::discriminant;
use ues_data::car::{write_car, CarDecoder, CarError, CarLimits, CarReader};
use ues_data::cid::{self, Cid};

type Car = (Vec<Cid>, Vec<(Cid, Vec<u8>)>);

/// Small limits, so the fuzzer reaches the limit paths with small inputs.
const LIMITS: CarLimits = CarLimits {
    max_header: 1 << 16,
    max_block: 1 << 16,
};

fn pull(data: &[u8]) -> Result<Car, CarError> {
    let mut reader = CarReader::new(data, LIMITS)?;
    let roots = reader.roots().to_vec();
    let blocks = reader.by_ref().collect::<Result<Vec<_>, _>>()?;
    assert_eq!(
        reader.bytes_read(),
        data.len() as u64,
        "a clean end consumes all input"
    );
    Ok((roots, blocks))
}

fn push(data: &[u8], chunk: usize) -> Result<Car, CarError> {
    let mut dec = CarDecoder::new(LIMITS);
    let mut blocks = Vec::new();
    for part in data.chunks(chunk) {
        dec.push(part);
        while let Some(block) = dec.next_block()? {
            blocks.push(block);
        }
    }
    while let Some(block) = dec.next_block()? {
        blocks.push(block);
    }
    dec.finish()?;
    Ok((dec.roots().unwrap_or_default().to_vec(), blocks))
}

/// `car_read`: the pull reader and the push decoder (fed in chunks sized by
/// the first byte) agree on every input; whatever reads is verified and
/// survives a write/read round trip.
pub fn car_read(data: &[u8]) {
    let pulled = pull(data);
    let chunk = data.first().map_or(1, |&b| usize::from(b % 16) + 1);
    let pushed = push(data, chunk);
    match (&pulled, &pushed) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "reader and decoder disagree"),
        (Err(a), Err(b)) => assert_eq!(discriminant(a), discriminant(b), "{a} vs {b}"),
        _ => panic!("reader and decoder disagree: {pulled:?} vs {pushed:?}"),
    }
    if let Ok((roots, blocks)) = pulled {
        for (cid, bytes) in &blocks {
            assert!(
                cid::verify(cid, bytes).is_ok(),
                "returned block fails to verify"
            );
        }
        let car = write_car(&roots, blocks.iter().map(|(c, b)| (c, b.as_slice())));
        let car = car.expect("writing to a Vec cannot fail");
        let again = pull(&car).expect("a rewritten CAR reads back");
        assert_eq!(again, (roots, blocks), "write/read round trip");
    }
}

/// `cbor_decode`: the strict DAG-CBOR validator and decoder never panic,
/// agree with each other, and what they accept is canonical: it re-encodes
/// to exactly the input bytes.
pub fn cbor_decode(data: &[u8]) {
    use ues_data::cbor;
    let valid = cbor::validate(data);
    let decoded = cbor::decode_ipld(data);
    match (&valid, &decoded) {
        (Ok(()), Ok(value)) => {
            let bytes = cbor::encode(value).expect("a decoded value encodes");
            assert_eq!(bytes, data, "decode/encode round trip is exact");
        }
        (Err(_), Err(_)) => {}
        _ => panic!("validate and decode_ipld disagree: {valid:?} vs {decoded:?}"),
    }
    if let Ok(len) = cbor::validate_prefix(data) {
        assert!(
            cbor::validate(&data[..len]).is_ok(),
            "a valid prefix validates"
        );
    }
}

/// `cid_parse`: text and binary CID parsing never panic; what the strict
/// parsers accept is canonical and agrees with the `cid` crate.
pub fn cid_parse(data: &[u8]) {
    if let Ok(s) = std::str::from_utf8(data) {
        if let Ok(c) = cid::parse(s) {
            assert_eq!(c.to_string(), s, "parse accepts only the canonical form");
        }
        if let Ok(c) = cid::parse_lenient(s) {
            assert_eq!(cid::parse(&c.to_string()), Ok(c), "canonical form parses");
        }
    }
    let lenient = Cid::try_from(data);
    if let Ok((c, len)) = cid::read_bytes(data) {
        assert_eq!(c.to_bytes(), &data[..len], "binary form round trips");
        assert_eq!(cid::from_bytes(&data[..len]), Ok(c));
        assert_eq!(lenient.ok(), Some(c), "agrees with the cid crate");
    }
}
