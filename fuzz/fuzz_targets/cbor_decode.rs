#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| ues_fuzz::cbor_decode(data));
