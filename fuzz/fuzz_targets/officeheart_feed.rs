//! libFuzzer entry of the `officeheart_feed` target (its body: `ohsync_fuzz::officeheart_feed`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ohsync_fuzz::officeheart_feed(data));
