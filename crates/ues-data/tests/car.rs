//! CAR v1 reading and writing: the mst-test-suite CARs, round trips, block
//! order, corruption, truncation and oversized lengths.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use ues_data::car::{self, CarDecoder, CarError, CarLimits, CarReader, CarWriter};
use ues_data::cid::{blake3_cid, cbor_cid, sha256_cid, verify, Cid, RAW};

type Blocks = Vec<(Cid, Vec<u8>)>;

/// Every block of a CAR in stream order, with the reader.
fn blocks_in_order(bytes: &[u8]) -> Result<(Vec<Cid>, Blocks), CarError> {
    let mut reader = CarReader::new(bytes, CarLimits::default())?;
    let roots = reader.roots().to_vec();
    let blocks = reader.by_ref().collect::<Result<Vec<_>, _>>()?;
    assert_eq!(reader.bytes_read(), bytes.len() as u64);
    Ok((roots, blocks))
}

/// Every block of a CAR with the push decoder, fed `chunk` bytes at a time.
fn decode_chunked(bytes: &[u8], chunk: usize) -> Result<(Vec<Cid>, Blocks), CarError> {
    let mut dec = CarDecoder::new(CarLimits::default());
    let mut blocks = Vec::new();
    for part in bytes.chunks(chunk) {
        dec.push(part);
        while let Some(b) = dec.next_block()? {
            blocks.push(b);
        }
    }
    // Also parses the header of a CAR without blocks given in one chunk.
    while let Some(b) = dec.next_block()? {
        blocks.push(b);
    }
    dec.finish()?;
    Ok((dec.roots().unwrap_or_default().to_vec(), blocks))
}

/// A small CAR: two dag-cbor blocks (sha2-256) and a raw block (BLAKE3).
fn sample() -> (Vec<Cid>, Blocks) {
    let a = vec![0xa1, 0x61, 0x61, 0x01]; // {"a": 1}
    let b = vec![0xa1, 0x61, 0x62, 0x02]; // {"b": 2}
    let c = b"raw blob bytes".to_vec();
    let blocks = vec![
        (cbor_cid(&a), a),
        (cbor_cid(&b), b),
        (blake3_cid(RAW, &c), c),
    ];
    (vec![blocks[0].0], blocks)
}

fn write(roots: &[Cid], blocks: &[(Cid, Vec<u8>)]) -> Vec<u8> {
    car::write_car(roots, blocks.iter().map(|(c, b)| (c, b.as_slice()))).expect("write")
}

/// `varint(n)` bytes.
fn varint(mut n: u64) -> Vec<u8> {
    let mut out = Vec::new();
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
    out
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn mst_suite_cars_read_and_verify() {
    let cars = ues_fixtures::list("mst-test-suite/cars/", ".car");
    for (path, bytes) in &cars {
        let all = car::read_all(bytes).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(all.roots.len(), 1, "{path}");
        assert!(all.blocks.contains_key(&all.roots[0]), "{path}: root block");
        for (cid, data) in &all.blocks {
            verify(cid, data).unwrap_or_else(|e| panic!("{path}: {e}"));
        }
        let (roots, ordered) = blocks_in_order(bytes).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(roots, all.roots, "{path}");
        // Writing the same roots and blocks back gives the same bytes: the
        // header encoding is canonical.
        assert_eq!(&write(&roots, &ordered), bytes, "{path}: rewrite");
        for chunk in [1, 7, 4096] {
            let got = decode_chunked(bytes, chunk).unwrap_or_else(|e| panic!("{path}: {e}"));
            assert_eq!(
                got,
                (roots.clone(), ordered.clone()),
                "{path} chunk {chunk}"
            );
        }
    }
    assert!(
        cars.len() >= 100,
        "expected the whole suite, got {}",
        cars.len()
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn write_read_round_trip() {
    let (roots, blocks) = sample();
    let mut writer = CarWriter::new(Vec::new(), &roots).expect("header");
    for (cid, data) in &blocks {
        writer.write_block(cid, data).expect("block");
    }
    let written = writer.bytes_written();
    let bytes = writer.finish().expect("finish");
    assert_eq!(written, bytes.len() as u64);
    let all = car::read_all(&bytes).expect("read");
    assert_eq!(all.roots, roots);
    assert_eq!(all.blocks.len(), 3);
    for (cid, data) in &blocks {
        assert_eq!(all.blocks.get(cid), Some(data));
    }
    assert_eq!(blocks_in_order(&bytes).expect("reader"), (roots, blocks));
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn no_roots_no_blocks_is_accepted() {
    let bytes = write(&[], &[]);
    let all = car::read_all(&bytes).expect("read");
    assert!(all.roots.is_empty() && all.blocks.is_empty());
    assert_eq!(decode_chunked(&bytes, 100).expect("push"), (vec![], vec![]));
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn any_order_duplicates_and_extra_blocks() {
    let (roots, blocks) = sample();
    let extra = b"unreferenced".to_vec();
    let shuffled = vec![
        blocks[2].clone(),
        blocks[1].clone(),
        blocks[2].clone(),
        (sha256_cid(RAW, &extra), extra.clone()),
        blocks[0].clone(),
        blocks[1].clone(),
    ];
    let bytes = write(&roots, &shuffled);
    let all = car::read_all(&bytes).expect("read");
    assert_eq!(all.blocks.len(), 4);
    assert_eq!(all.blocks.get(&sha256_cid(RAW, &extra)), Some(&extra));
    let (_, ordered) = blocks_in_order(&bytes).expect("reader");
    assert_eq!(ordered, shuffled, "duplicates are yielded, in stream order");
    assert_eq!(decode_chunked(&bytes, 2).expect("push").1, shuffled);
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn flipped_byte_is_hash_mismatch() {
    let (roots, blocks) = sample();
    let mut bytes = write(&roots, &blocks);
    let last = bytes.len() - 1; // inside the last block's data
    bytes[last] ^= 0x01;
    let err = car::read_all(&bytes).expect_err("corrupted");
    assert!(
        matches!(err, CarError::HashMismatch { cid, .. } if cid == blocks[2].0),
        "{err}"
    );
    let err = decode_chunked(&bytes, 3).expect_err("corrupted");
    assert!(matches!(err, CarError::HashMismatch { .. }), "{err}");
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn truncated_at_every_offset() {
    let (roots, blocks) = sample();
    // Section boundaries: where a prefix is itself a complete, shorter CAR.
    let mut writer = CarWriter::new(Vec::new(), &roots).expect("header");
    let mut boundaries = vec![writer.bytes_written() as usize];
    for (cid, data) in &blocks {
        writer.write_block(cid, data).expect("block");
        boundaries.push(writer.bytes_written() as usize);
    }
    let bytes = writer.finish().expect("finish");
    for cut in 0..bytes.len() {
        let prefix = &bytes[..cut];
        let read = car::read_all(prefix);
        let pushed = decode_chunked(prefix, 5);
        match boundaries.iter().position(|&b| b == cut) {
            Some(n) => {
                assert_eq!(read.expect("boundary").blocks.len(), n, "cut {cut}");
                assert_eq!(pushed.expect("boundary").1.len(), n, "cut {cut}");
            }
            None => {
                let err = read.expect_err("truncated");
                assert!(
                    matches!(err, CarError::Truncated { .. }),
                    "cut {cut}: {err}"
                );
                let err = pushed.expect_err("truncated");
                assert!(
                    matches!(err, CarError::Truncated { .. }),
                    "cut {cut}: {err}"
                );
            }
        }
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn huge_declared_lengths_fail_without_allocating() {
    let four_gib = 4u64 << 30;
    // Header length.
    let err = car::read_all(&varint(four_gib)).expect_err("huge header");
    assert!(
        matches!(err, CarError::HeaderTooLarge { len, .. } if len == four_gib),
        "{err}"
    );
    // Section length, after a valid header.
    let mut bytes = write(&sample().0, &[]);
    bytes.extend(varint(four_gib));
    bytes.extend([0u8; 16]);
    let err = car::read_all(&bytes).expect_err("huge block");
    assert!(
        matches!(err, CarError::BlockTooLarge { len, .. } if len == four_gib),
        "{err}"
    );
    let err = decode_chunked(&bytes, 64).expect_err("huge block");
    assert!(matches!(err, CarError::BlockTooLarge { .. }), "{err}");
    // Under limits that allow it (1 GiB fits wasm32's usize too), a short
    // input declaring 1 GiB is truncated: the reader only allocates what it
    // actually read, or this test would need a gigabyte.
    let open = CarLimits {
        max_header: usize::MAX,
        max_block: usize::MAX >> 1,
    };
    let mut bytes = write(&sample().0, &[]);
    bytes.extend(varint(1 << 30));
    bytes.extend([0u8; 16]);
    let mut reader = CarReader::new(bytes.as_slice(), open).expect("header");
    let err = reader.next_block().expect_err("truncated");
    assert!(matches!(err, CarError::Truncated { .. }), "{err}");
    assert!(reader.next_block().expect("fused").is_none());
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn small_limits_apply() {
    let (roots, blocks) = sample();
    let bytes = write(&roots, &blocks);
    let tight = CarLimits {
        max_header: 1 << 10,
        max_block: 4,
    };
    let mut reader = CarReader::new(bytes.as_slice(), tight).expect("header");
    assert_eq!(reader.limits(), tight);
    assert!(reader.next_block().expect("4-byte block").is_some());
    assert!(reader.next_block().expect("4-byte block").is_some());
    let err = reader.next_block().expect_err("14-byte block");
    assert!(
        matches!(
            err,
            CarError::BlockTooLarge {
                len: 14,
                max: 4,
                ..
            }
        ),
        "{err}"
    );
    let tiny_header = CarLimits {
        max_header: 8,
        ..tight
    };
    let err = CarReader::new(bytes.as_slice(), tiny_header).expect_err("header");
    assert!(
        matches!(err, CarError::HeaderTooLarge { max: 8, .. }),
        "{err}"
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn bad_headers_and_framing() {
    let framed = |body: &[u8]| [varint(body.len() as u64), body.to_vec()].concat();
    let version = |v: u8| framed(&[&[0xa1, 0x67][..], b"version", &[v]].concat());
    // {"version": 2} (the CAR v2 pragma), and {"version": 1} without roots.
    let err = car::read_all(&version(2)).expect_err("v2");
    assert!(matches!(err, CarError::UnsupportedVersion(2)), "{err}");
    let err = car::read_all(&version(1)).expect_err("no roots");
    assert!(matches!(err, CarError::BadHeader(_)), "{err}");
    // Not CBOR at all, and an empty input.
    let err = car::read_all(&framed(&[0xff])).expect_err("not cbor");
    assert!(matches!(err, CarError::BadHeader(_)), "{err}");
    let err = car::read_all(&[]).expect_err("empty");
    assert!(
        matches!(err, CarError::Truncated { offset: 0, .. }),
        "{err}"
    );
    // Non-minimal and over-long varints.
    let err = car::read_all(&[0x81, 0x00]).expect_err("non-minimal");
    assert!(matches!(err, CarError::BadVarint { offset: 0 }), "{err}");
    let err = car::read_all(&[0xff; 12]).expect_err("too long");
    assert!(matches!(err, CarError::BadVarint { offset: 0 }), "{err}");
    // A CID whose codec is a 10-byte varint (bits past 64 dropped): it
    // decodes to the block's real CID, but is not its canonical encoding.
    let data = [0xa0u8]; // {}
    let mut cid = vec![
        0x01, 0xf1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02,
    ];
    cid.extend(&cbor_cid(&data).hash().to_bytes());
    let bytes = [write(&[], &[]), framed(&[cid, data.to_vec()].concat())].concat();
    let err = car::read_all(&bytes).expect_err("non-canonical cid");
    assert!(matches!(err, CarError::BadCid { .. }), "{err}");
    // A section that is not a CID, and an empty section.
    for section in [framed(&[0x07, 0x01, 0x02]), vec![0]] {
        let bytes = [write(&[], &[]), section].concat();
        let err = car::read_all(&bytes).expect_err("bad cid");
        assert!(matches!(err, CarError::BadCid { .. }), "{err}");
    }
}
