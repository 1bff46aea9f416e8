//! The fidelity bar: exchangelib, a widely used independent EWS client, finds, creates, updates and
//! deletes calendar items against the simulator (tests/exchangelib_fidelity.py) for each product.

use std::path::PathBuf;
use std::process::Command;

use ohsync_ews_sim::{EwsSimulator, ServerVersion, SimConfig, SimUser};

const PASSWORD: &str = "Fidelity!2026";

/// The Python with exchangelib that the test command installs, or `None` to skip outside it.
fn python() -> Option<PathBuf> {
    match std::env::var_os("OHSYNC_PYTHON") {
        Some(path) => Some(PathBuf::from(path)),
        None if std::env::var("OHSYNC_REQUIRE_STACK").as_deref() == Ok("1") => {
            panic!("OHSYNC_PYTHON is not set: run the suite through infra/local/test.sh")
        }
        None => {
            eprintln!("skipped: OHSYNC_PYTHON not set (infra/local/test.sh sets it)");
            None
        }
    }
}

async fn exchangelib_scenario(config: SimConfig, version_name: &str) {
    let Some(python) = python() else { return };
    let sim = EwsSimulator::start(
        config.with_user(SimUser::new(
            "OHSIM",
            "anna",
            PASSWORD,
            "anna@ohsim.example",
        )),
        "127.0.0.1:0",
    )
    .await
    .unwrap();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/exchangelib_fidelity.py");
    let url = sim.url();
    let version = version_name.to_owned();

    let output = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .arg(script)
            .args([
                &url,
                "OHSIM\\anna",
                PASSWORD,
                &version,
                "anna@ohsim.example",
            ])
            .output()
    })
    .await
    .unwrap()
    .unwrap();

    assert!(
        output.status.success(),
        "exchangelib failed against {version_name}:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        sim.counters().operation("CreateItem") > 0,
        "the scenario created nothing"
    );
    assert!(
        sim.counters().operation("DeleteItem") > 0,
        "the scenario deleted nothing"
    );
}

#[tokio::test]
async fn exchangelib_works_against_exchange_2007_sp1() {
    let config = SimConfig::default().with_server_version(ServerVersion::Exchange2007Sp1);
    exchangelib_scenario(config, "Exchange2007_SP1").await;
}

#[tokio::test]
async fn exchangelib_works_against_exchange_2010_sp2() {
    let config = SimConfig::default().with_server_version(ServerVersion::Exchange2010Sp2);
    exchangelib_scenario(config, "Exchange2010_SP2").await;
}

#[tokio::test]
async fn exchangelib_works_against_exchange_2016() {
    let config = SimConfig::default().with_server_version(ServerVersion::Exchange2016);
    exchangelib_scenario(config, "Exchange2016").await;
}

#[tokio::test]
async fn exchangelib_works_against_exchange_2019_with_extended_protection() {
    let config = SimConfig::default()
        .with_server_version(ServerVersion::Exchange2019)
        .with_extended_protection();
    exchangelib_scenario(config, "Exchange2019").await;
}
