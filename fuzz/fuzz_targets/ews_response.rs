//! libFuzzer entry of the `ews_response` target (its body: `ohsync_fuzz::ews_response`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ohsync_fuzz::ews_response(data));
