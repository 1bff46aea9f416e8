//! The simulator, settings and checker the live check tests share.

pub mod certificates;
pub mod front;

use std::time::Duration;

use ohsync_ews::TransportConfig;
use ohsync_ews_sim::{EwsSimulator, RunningSim, ServerVersion, SimConfig, SimUser};
use ohsync_live_check::EwsLiveChecker;
use ohsync_settings::live::{CheckResult, CheckStatus, CheckStep, LiveCheckReport, LiveChecker};
use ohsync_settings::{ExchangeSettingsInput, OperatorPolicy, ValidatedSettings, validate};
use secrecy::SecretString;

/// Every simulated account's password.
pub const PASSWORD: &str = "Welk0m-Geheim!";
/// The account in most tests.
pub const JAN: &str = "jan@officeheart.example";
/// An account with the ApplicationImpersonation role.
pub const BOSS: &str = "boss@officeheart.example";

/// The simulator's users: jan, and boss who may impersonate.
pub fn sim_config(version: ServerVersion) -> SimConfig {
    SimConfig::default()
        .with_server_version(version)
        .with_user(SimUser::new("OFFICEHEART", "jan", PASSWORD, JAN))
        .with_user(SimUser::new("OFFICEHEART", "boss", PASSWORD, BOSS).with_impersonation())
}

/// A simulator on 127.0.0.1 serving HTTPS with its generated certificate.
pub async fn tls_sim(version: ServerVersion) -> RunningSim {
    EwsSimulator::start(sim_config(version).with_tls(), "127.0.0.1:0")
        .await
        .unwrap()
}

/// A simulator on 127.0.0.1 serving plain HTTP (behind a front).
pub async fn plain_sim(config: SimConfig) -> RunningSim {
    EwsSimulator::start(config, "127.0.0.1:0").await.unwrap()
}

/// The operator of a test installation: the simulator's address allowed, and http to it.
pub fn operator() -> OperatorPolicy {
    OperatorPolicy::parse("127.0.0.1", "127.0.0.1").unwrap()
}

/// Settings as the admin screen sends them, validated under [`operator`].
pub fn validated(
    url: &str,
    version: &str,
    login: &str,
    mailbox: Option<&str>,
) -> ValidatedSettings {
    let (domain, username) = login.split_once('\\').unwrap();
    validate(
        ExchangeSettingsInput {
            ews_url: Some(url.to_owned()),
            exchange_version: Some(version.to_owned()),
            username: Some(username.to_owned()),
            domain: Some(domain.to_owned()),
            password: Some(SecretString::from(PASSWORD)),
            mailbox: mailbox.map(str::to_owned),
            ..ExchangeSettingsInput::default()
        },
        &operator(),
    )
    .unwrap()
}

/// Network settings that trust `roots` (PEM).
pub fn trusting(roots: Vec<String>) -> TransportConfig {
    TransportConfig {
        extra_root_certificates_pem: roots,
        ..TransportConfig::default()
    }
}

/// A checker for [`operator`] with `transport`.
pub fn checker(transport: TransportConfig) -> EwsLiveChecker {
    EwsLiveChecker::new(operator(), transport)
}

/// A checker that trusts the simulator's certificate.
pub fn trusting_checker(sim: &RunningSim) -> EwsLiveChecker {
    checker(trusting(vec![certificates::pem(
        sim.certificate_der().unwrap(),
    )]))
}

/// Runs a check with `password`.
pub async fn check_with(
    checker: &EwsLiveChecker,
    settings: &ValidatedSettings,
    password: &str,
) -> LiveCheckReport {
    let report = checker.check(settings, &SecretString::from(password)).await;
    assert_no_password(&report, password);
    report
}

/// Runs a check with the right password.
pub async fn check(checker: &EwsLiveChecker, settings: &ValidatedSettings) -> LiveCheckReport {
    check_with(checker, settings, PASSWORD).await
}

/// The password appears nowhere in the report as the API would send it.
pub fn assert_no_password(report: &LiveCheckReport, password: &str) {
    let json = serde_json::to_string(report).unwrap();
    assert!(!json.contains(password), "the password leaked: {json}");
    assert!(!format!("{report:?}").contains(password));
}

/// The result of `step`.
pub fn result(report: &LiveCheckReport, step: CheckStep) -> &CheckResult {
    report
        .checks
        .iter()
        .find(|check| check.step == step)
        .unwrap()
}

/// Asserts the status of every step, in order, and the code of the one that did not pass.
pub fn assert_steps(report: &LiveCheckReport, expected: [CheckStatus; 7], code: Option<&str>) {
    let steps: Vec<CheckStep> = report.checks.iter().map(|check| check.step).collect();
    assert_eq!(steps, CheckStep::ALL, "{report:#?}");
    let statuses: Vec<CheckStatus> = report.checks.iter().map(|check| check.status).collect();
    assert_eq!(statuses, expected, "{report:#?}");
    let codes: Vec<&str> = report
        .checks
        .iter()
        .filter_map(|check| check.code)
        .collect();
    assert_eq!(codes, code.into_iter().collect::<Vec<_>>(), "{report:#?}");
    for check in &report.checks {
        assert!(
            !check.message.nl.is_empty() && !check.message.en.is_empty(),
            "{check:?}"
        );
    }
}

/// `passed` steps passed, the next one has `status`, and the rest were skipped.
pub fn stopped_at(passed: usize, status: CheckStatus) -> [CheckStatus; 7] {
    let mut statuses = [CheckStatus::Skipped; 7];
    for slot in statuses.iter_mut().take(passed) {
        *slot = CheckStatus::Passed;
    }
    statuses[passed] = status;
    statuses
}

/// Every step passed.
pub const ALL_PASSED: [CheckStatus; 7] = [CheckStatus::Passed; 7];

/// A port on 127.0.0.1 where nothing listens.
pub async fn closed_port() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

/// A short limit for time-limit tests.
pub const SHORT_LIMIT: Duration = Duration::from_millis(1500);
