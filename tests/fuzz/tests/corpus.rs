//! Every fuzz target over its checked-in seeds (`seeds/<target>/`: real answers of the
//! simulators, hostile documents, and every crash a fuzz run found, as `regression-*`), and
//! the EWS target over every XML sample in `EWS_SAMPLES_DIR` (../shared/ews-samples): the
//! short version of `infra/local/fuzz.sh` that runs on every test run.

use std::path::{Path, PathBuf};

/// The files under `dir`, recursively, in a stable order.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        let entries = std::fs::read_dir(&next)
            .unwrap_or_else(|error| panic!("cannot read {}: {error}", next.display()));
        for entry in entries {
            let path = entry
                .unwrap_or_else(|error| panic!("cannot list {}: {error}", next.display()))
                .path();
            if path.is_dir() {
                pending.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

fn run_over(name: &str, target: ohsync_fuzz::Target, inputs: &[PathBuf]) {
    for path in inputs {
        let data = std::fs::read(path)
            .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
        println!("{name}: {}", path.display());
        target(&data);
    }
}

#[test]
fn every_target_survives_its_seeds_and_regressions() {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    for (name, target) in ohsync_fuzz::TARGETS {
        let inputs = files(&seeds.join(name));
        assert!(inputs.len() >= 3, "{name}: only {} seeds", inputs.len());
        run_over(name, target, &inputs);
    }
}

#[test]
fn the_ews_target_survives_every_sample() {
    let dir = std::env::var_os("EWS_SAMPLES_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/ews-samples"),
        PathBuf::from,
    );
    let samples: Vec<PathBuf> = files(&dir)
        .into_iter()
        .filter(|path| path.extension().is_some_and(|ext| ext == "xml"))
        .collect();
    assert!(
        samples.len() >= 10,
        "only {} samples in {}",
        samples.len(),
        dir.display()
    );
    run_over("ews_response", ohsync_fuzz::ews_response, &samples);
}

/// The API's error document for a body it refuses, so that the settings target's check is
/// known to hold for an answer that is not a 5xx.
#[test]
fn the_settings_target_accepts_a_refusal_and_a_success() {
    ohsync_fuzz::settings_body(b"{\"username\": 42}");
    ohsync_fuzz::settings_body(
        br#"{"ews_url":"https://mail.officeheart.nl/EWS/Exchange.asmx","exchange_version":"Exchange2016","username":"jan","domain":"officeheart","password":"x"}"#,
    );
}
