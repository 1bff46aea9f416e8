//! libFuzzer entry of the `settings_body` target (its body: `ohsync_fuzz::settings_body`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ohsync_fuzz::settings_body(data));
