//! The operator commands against the store of a running sandbox: through the library (what
//! they find) and through the `ohsync` binary (what they print and their exit codes).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use ohsync::ops::{Ops, OpsError, ValidateArgs, parse_user, render, validate};
use ohsync::sandbox::{PASSWORD, Sandbox, TENANT};
use ohsync_engine::executor::{ProgressSink, RunProgress};
use ohsync_engine::report::RunOutcome;
use ohsync_ews_sim::ItemPatch;
use ohsync_settings::OperatorPolicy;
use ohsync_settings::live::CheckStatus;
use secrecy::SecretString;

async fn sandbox() -> Sandbox {
    // One tick at start, before the users exist; the next one is an hour away.
    Sandbox::start(Duration::from_secs(3600), |_| {})
        .await
        .unwrap()
}

fn tomorrow(hour: i64) -> DateTime<Utc> {
    Utc::now().duration_trunc(TimeDelta::days(1)).unwrap()
        + TimeDelta::days(1)
        + TimeDelta::hours(hour)
}

fn outlook_appointment(sandbox: &Sandbox, smtp: &str, subject: &str) {
    sandbox
        .ews
        .mailbox(smtp)
        .unwrap()
        .create(
            &ItemPatch::new()
                .subject(subject)
                .start(tomorrow(13))
                .end(tomorrow(14)),
        )
        .unwrap();
}

async fn officeheart_appointment(sandbox: &Sandbox, user: &str, subject: &str) {
    let created = reqwest::Client::new()
        .post(format!(
            "{}/v1/tenants/{TENANT}/users/{user}/agenda/appointments",
            sandbox.oh.url()
        ))
        .bearer_auth("demo-agenda-token")
        .header(
            "Idempotency-Key",
            format!("ops-test-{}", subject.replace(' ', "-")),
        )
        .json(&serde_json::json!({
            "subject": subject,
            "start": tomorrow(9).to_rfc3339(),
            "end": tomorrow(10).to_rfc3339(),
            "time_zone": "Europe/Amsterdam",
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
}

fn officeheart_subjects(sandbox: &Sandbox, user: &str) -> Vec<String> {
    sandbox
        .oh
        .appointments(
            &ohsync_officeheart::TenantId::new(TENANT).unwrap(),
            &ohsync_officeheart::UserId::new(user).unwrap(),
        )
        .into_iter()
        .map(|appointment| appointment.data.subject)
        .collect()
}

#[tokio::test]
async fn users_status_sync_now_and_dry_run_read_and_run_through_the_store() {
    let sandbox = sandbox().await;
    let ops = Ops::embedded(sandbox.config()).unwrap();

    let users = ops.users(None).await.unwrap();
    let names: Vec<String> = users
        .iter()
        .map(|line| format!("{}/{}", line.tenant, line.user))
        .collect();
    assert_eq!(names, ["demo/jan", "demo/piet"]);
    assert!(
        users
            .iter()
            .all(|line| line.settings.active && line.last_run.is_none())
    );
    let table = render::users(&users);
    assert!(
        table.contains("demo/jan") && table.contains("no run yet"),
        "{table}"
    );

    // sync-now runs in this process and tells its progress.
    officeheart_appointment(&sandbox, "jan", "Offerte Jansen").await;
    outlook_appointment(&sandbox, "jan@demo.example", "Tandarts");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (tenant, jan) = parse_user("demo/jan").unwrap();
    let summary = ops
        .sync_now(
            &tenant,
            &jan,
            Some(ProgressSink::new({
                let seen = seen.clone();
                move |progress| seen.lock().unwrap().push(progress)
            })),
        )
        .await
        .unwrap();
    assert_eq!(summary.report.outcome, RunOutcome::Completed);
    assert_eq!(summary.report.counts.created.exchange, 1);
    assert_eq!(summary.report.counts.created.officeheart, 1);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen[..2],
        [
            RunProgress::Read {
                exchange: 1,
                officeheart: 1
            },
            RunProgress::Planned { writes: 2 }
        ],
        "{seen:?}"
    );
    let printed = render::run("demo/jan", &summary);
    assert!(
        printed.contains("completed") && printed.contains("Exchange +1 ~0 -0"),
        "{printed}"
    );

    let status = ops.status(&tenant, &jan).await.unwrap();
    assert_eq!(status.mapping_count, 2);
    assert_eq!(
        status.line.last_run.as_ref().unwrap().outcome,
        RunOutcome::Completed
    );
    let printed = render::status(&status);
    assert!(
        printed.contains("linked items   2") && printed.contains("completed"),
        "{printed}"
    );

    // dry-run plans piet's first sync and changes nothing.
    outlook_appointment(&sandbox, "piet@demo.example", "Uit Outlook");
    let (_, piet) = parse_user("demo/piet").unwrap();
    let report = ops.dry_run(&tenant, &piet).await.unwrap();
    assert_eq!(report.outcome, RunOutcome::DryRun);
    let printed = render::plan("demo/piet", &report);
    assert!(printed.contains("would write 1"), "{printed}");
    assert!(
        printed.contains("create in OfficeHeart  \"Uit Outlook\""),
        "{printed}"
    );
    assert!(officeheart_subjects(&sandbox, "piet").is_empty());
    assert!(
        ops.status(&tenant, &piet)
            .await
            .unwrap()
            .line
            .last_run
            .is_none()
    );

    // Unknown users and malformed arguments have their codes.
    let nobody = parse_user("demo/nobody").unwrap();
    let error = ops.status(&nobody.0, &nobody.1).await.unwrap_err();
    assert_eq!(error.code(), "settings_not_found");
    for bad in ["jan", "demo/", "/jan", "de mo/jan"] {
        assert_eq!(
            parse_user(bad).unwrap_err().code(),
            "user_argument_invalid",
            "{bad}"
        );
    }
    sandbox.stop().await;
}

fn args(sandbox: &Sandbox, password: &str, domain: &str) -> ValidateArgs {
    ValidateArgs {
        ews_url: sandbox.ews.url(),
        exchange_version: "Exchange2016".into(),
        username: "jan".into(),
        domain: domain.into(),
        mailbox: None,
        password: SecretString::from(password),
    }
}

#[tokio::test]
async fn validate_checks_like_the_settings_api_and_names_the_failed_step() {
    let sandbox = sandbox().await;
    let operator = OperatorPolicy::parse("127.0.0.1", "127.0.0.1").unwrap();

    let good = validate(
        args(&sandbox, PASSWORD, "DEMO"),
        &operator,
        Default::default(),
    )
    .await
    .unwrap();
    assert!(good.passed(), "{good:?}");
    let printed = render::checklist(&good);
    assert!(
        printed.contains("[ok]") && printed.contains("The settings work."),
        "{printed}"
    );

    let wrong = validate(
        args(&sandbox, "Verkeerd!9", "DEMO"),
        &operator,
        Default::default(),
    )
    .await
    .unwrap();
    assert!(!wrong.passed());
    let failed = wrong
        .checks
        .iter()
        .find(|check| check.status == CheckStatus::Failed)
        .unwrap();
    let printed = render::checklist(&wrong);
    assert!(
        printed.contains("[FAIL]") && printed.contains("nl: "),
        "{printed}"
    );
    assert!(failed.code.is_some(), "{failed:?}");
    assert!(!printed.contains("Verkeerd!9"));

    // A dotted domain is refused before anything is sent.
    let before = sandbox.ews.counters().http_requests();
    let error = validate(
        args(&sandbox, PASSWORD, "demo.local"),
        &operator,
        Default::default(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&error, OpsError::Invalid(errors) if errors.iter().any(|e| e.field == "domain")),
        "{error:?}"
    );
    assert_eq!(error.code(), "settings_invalid");
    assert_eq!(sandbox.ews.counters().http_requests(), before);
    sandbox.stop().await;
}

/// The `ohsync` binary.
fn ohsync() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ohsync"))
}

/// Runs the binary off the runtime's threads (the simulators answer on them).
async fn run(
    mut command: Command,
    args: &[&str],
    config: &std::path::Path,
) -> (bool, String, String) {
    command.args(args).arg("--config").arg(config);
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_prints_each_command_and_exits_nonzero_on_failure() {
    let sandbox = sandbox().await;
    // The configuration file the sandbox writes for the operator commands.
    let config = sandbox.config_file();
    officeheart_appointment(&sandbox, "jan", "Uit de CLI").await;

    let (ok, out, err) = run(ohsync(), &["users"], &config).await;
    assert!(ok, "{err}");
    assert!(
        out.contains("demo/jan") && out.contains("demo/piet"),
        "{out}"
    );

    let (ok, out, err) = run(ohsync(), &["dry-run", "demo/jan"], &config).await;
    assert!(ok, "{err}");
    assert!(
        out.contains("create in Exchange     \"Uit de CLI\""),
        "{out}"
    );

    let (ok, out, err) = run(ohsync(), &["sync-now", "demo/jan"], &config).await;
    assert!(ok, "{err}");
    assert!(
        out.contains("demo/jan: completed") && out.contains("Exchange +1"),
        "{out}"
    );
    assert!(err.contains("written: 1 of 1 (100%)"), "{err}");

    let (ok, out, err) = run(ohsync(), &["status", "demo/jan"], &config).await;
    assert!(ok, "{err}");
    assert!(out.contains("linked items   1"), "{out}");

    let (ok, _, err) = run(ohsync(), &["status", "demo/nobody"], &config).await;
    assert!(!ok);
    assert!(
        err.contains("error [settings_not_found]") && err.contains("fout [settings_not_found]"),
        "{err}"
    );

    let mut validate = ohsync();
    validate.env("OHSYNC_EXCHANGE_PASSWORD", "Verkeerd!9");
    let url = sandbox.ews.url();
    let (ok, out, _) = run(
        validate,
        &[
            "validate",
            "--url",
            &url,
            "--exchange-version",
            "Exchange2016",
            "--username",
            "jan",
            "--domain",
            "DEMO",
        ],
        &config,
    )
    .await;
    assert!(!ok, "a failed check exits non-zero");
    assert!(
        out.contains("[FAIL]") && !out.contains("Verkeerd!9"),
        "{out}"
    );
    sandbox.stop().await;
}
