#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| ues_fuzz::car_read(data));
