//! `SyncWorker` against the Exchange and OfficeHeart simulators over HTTP, with the embedded
//! store and the file secrets.
#![allow(clippy::unwrap_used, reason = "a panic is how a test reports failure")]

mod support;

use chrono::{TimeDelta, Utc};
use ohsync_engine::report::{ErrorCode, RunOutcome};
use ohsync_settings::SecretRef;
use ohsync_settings::store::SettingsStore;
use ohsync_worker::{FailureCode, JobFailure, JobOutcome, SkipReason};
use support::{World, at};

fn ran(outcome: Result<JobOutcome, JobFailure>) -> ohsync_worker::RunSummary {
    match outcome {
        Ok(JobOutcome::Ran(summary)) => *summary,
        other => panic!("expected a run, got {other:?}"),
    }
}

fn failure(outcome: Result<JobOutcome, JobFailure>) -> JobFailure {
    match outcome {
        Err(failure) => failure,
        Ok(other) => panic!("expected a failure, got {other:?}"),
    }
}

#[tokio::test]
async fn a_job_syncs_both_ways_and_a_second_changes_nothing() {
    let world = World::start().await;
    let settings = world.save_good_settings().await;
    world.oh_seed("Offerte Jansen", at(2));
    world.ex_create("Tandarts", at(3));

    let summary = ran(world.worker.run_job(&world.job(), world.deadline()).await);

    assert_eq!(summary.report.outcome, RunOutcome::Completed);
    assert_eq!(summary.binding, settings.binding_id);
    assert_eq!(summary.report.counts.created.exchange, 1);
    assert_eq!(summary.report.counts.created.officeheart, 1);
    let both = vec!["Offerte Jansen".to_owned(), "Tandarts".to_owned()];
    assert_eq!(world.ex_subjects(), both);
    assert_eq!(world.oh_subjects(), both);
    assert_eq!(world.state(&settings).await.mapping_count, 2);

    // The job travels as a queue message just as well; with nothing new, nothing is written.
    let again = world
        .worker
        .run_message(&world.job().to_message(), world.deadline())
        .await;
    let summary = ran(again);
    assert_eq!(summary.report.outcome, RunOutcome::Completed);
    assert!(
        summary.report.counts.is_empty(),
        "{:?}",
        summary.report.counts
    );
    assert_eq!(world.ex_subjects(), both);
}

#[tokio::test]
async fn an_inactive_or_unknown_user_is_skipped_without_touching_exchange() {
    let world = World::start().await;
    let unknown = world.worker.run_job(&world.job(), world.deadline()).await;
    assert!(
        matches!(unknown, Ok(JobOutcome::Skipped(SkipReason::NoSettings))),
        "{unknown:?}"
    );

    world
        .save_settings(&world.ews.url(), support::PASSWORD, false)
        .await;
    world.oh_seed("Offerte Jansen", at(2));
    let inactive = world.worker.run_job(&world.job(), world.deadline()).await;
    assert!(
        matches!(inactive, Ok(JobOutcome::Skipped(SkipReason::Inactive))),
        "{inactive:?}"
    );
    assert_eq!(world.ews.counters().http_requests(), 0);
    assert!(world.ex_subjects().is_empty());
}

#[tokio::test]
async fn a_wrong_password_is_not_retried_and_the_status_says_so() {
    let world = World::start().await;
    let settings = world
        .save_settings(&world.ews.url(), "Verkeerd!9", true)
        .await;

    let failed = failure(world.worker.run_job(&world.job(), world.deadline()).await);

    assert!(!failed.is_retryable());
    assert_eq!(
        failed.cause().code,
        FailureCode::Run(ErrorCode::MailboxUnauthorized)
    );
    assert!(!failed.to_string().contains("Verkeerd!9"));
    let status = world.state(&settings).await.status.unwrap();
    assert_eq!(status.outcome, RunOutcome::Failed);
    assert_eq!(status.errors[0].code, ErrorCode::MailboxUnauthorized);
}

#[tokio::test]
async fn ews_blocked_for_the_user_is_not_retried() {
    let world = World::start().await;
    let settings = world.save_good_settings().await;
    assert!(world.ews.set_ews_blocked("OHSIM\\jan", true));

    let failed = failure(world.worker.run_job(&world.job(), world.deadline()).await);

    assert!(!failed.is_retryable());
    assert_eq!(
        failed.cause().code,
        FailureCode::Run(ErrorCode::MailboxAccessBlocked)
    );
    let status = world.state(&settings).await.status.unwrap();
    assert_eq!(status.errors[0].code, ErrorCode::MailboxAccessBlocked);
}

#[tokio::test]
async fn an_exchange_server_that_does_not_answer_is_retried() {
    let world = World::start().await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    world
        .save_settings(
            &format!("http://{closed}/EWS/Exchange.asmx"),
            support::PASSWORD,
            true,
        )
        .await;

    let failed = failure(world.worker.run_job(&world.job(), world.deadline()).await);

    assert!(failed.is_retryable(), "{failed}");
    assert_eq!(
        failed.cause().code,
        FailureCode::Run(ErrorCode::MailboxUnavailable)
    );
}

#[tokio::test]
async fn a_malformed_message_is_not_retried() {
    let world = World::start().await;
    world.save_good_settings().await;
    let newer = world.job().to_message().replace("\"v\":1", "\"v\":9");
    for body in ["", "not json", "{\"v\":1}", newer.as_str()] {
        let failed = failure(world.worker.run_message(body, world.deadline()).await);
        assert!(!failed.is_retryable(), "{body}");
        assert_eq!(failed.cause().code, FailureCode::MessageMalformed, "{body}");
    }
    assert_eq!(world.ews.counters().http_requests(), 0);
}

#[tokio::test]
async fn a_missing_password_or_anothers_secret_is_not_retried() {
    let world = World::start().await;
    let mut settings = world.save_good_settings().await;
    settings.secret_ref.version_id = "gone".into();
    settings.settings_version += 1;
    world
        .settings
        .put(
            &world.tenant,
            &world.user,
            &settings,
            Some(settings.settings_version - 1),
        )
        .await
        .unwrap();
    let failed = failure(world.worker.run_job(&world.job(), world.deadline()).await);
    assert!(!failed.is_retryable());
    assert_eq!(
        failed.cause().code,
        FailureCode::Run(ErrorCode::PasswordMissing)
    );
    // The user's status says what to do.
    let status = world.state(&settings).await.status.unwrap();
    assert_eq!(status.outcome, RunOutcome::Failed);
    assert_eq!(status.errors[0].code, ErrorCode::PasswordMissing);

    settings.secret_ref = SecretRef {
        name: "ohsync/acme/piet/exchange".into(),
        version_id: "v1".into(),
    };
    settings.settings_version += 1;
    world
        .settings
        .put(
            &world.tenant,
            &world.user,
            &settings,
            Some(settings.settings_version - 1),
        )
        .await
        .unwrap();
    let failed = failure(world.worker.run_job(&world.job(), world.deadline()).await);
    assert!(!failed.is_retryable());
    assert_eq!(failed.cause().code, FailureCode::SettingsInvalid);
    assert_eq!(world.ews.counters().http_requests(), 0);
}

#[tokio::test]
async fn a_job_too_close_to_the_deadline_is_left_for_later() {
    let world = World::start().await;
    world.save_good_settings().await;
    // The margin is 40 s: ten seconds before the deadline no run starts.
    let failed = failure(
        world
            .worker
            .run_job(&world.job(), Utc::now() + TimeDelta::seconds(10))
            .await,
    );
    assert!(failed.is_retryable());
    assert_eq!(failed.cause().code, FailureCode::StartedTooLate);
    assert_eq!(world.ews.counters().http_requests(), 0);
}

#[tokio::test]
async fn a_warm_worker_reads_each_password_version_once() {
    let world = World::start().await;
    world.save_good_settings().await;
    for _ in 0..3 {
        ran(world.worker.run_job(&world.job(), world.deadline()).await);
    }
    assert_eq!(world.secrets.stats().misses, 1);
    assert_eq!(world.secrets.stats().hits, 2);
}
