//! The bodies of the fuzz targets, one function each: `fuzz/` runs them under libFuzzer
//! (`infra/local/fuzz.sh TARGET SECONDS`), and `tests/corpus.rs` runs them over the checked-in
//! seeds, every crash found so far (`seeds/*/regression-*`) and the EWS samples on every test
//! run. Each panics exactly when the code under test misbehaves: a panic inside it, a 5xx from
//! the settings API, or an answer that is not the API's error document.

mod ews_response;
mod officeheart_feed;
mod settings_body;

pub use ews_response::ews_response;
pub use officeheart_feed::officeheart_feed;
pub use settings_body::settings_body;

/// A target's body: panics when the code under test misbehaves on `data`.
pub type Target = fn(&[u8]);

/// The targets by name, as `fuzz/fuzz_targets/` and `seeds/` name them.
pub const TARGETS: [(&str, Target); 3] = [
    ("ews_response", ews_response),
    ("officeheart_feed", officeheart_feed),
    ("settings_body", settings_body),
];
