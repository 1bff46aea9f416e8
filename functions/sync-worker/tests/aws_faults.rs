//! AWS failing in the middle of a whole worker run, over sockets: the function's worker built
//! from its environment reaches DynamoDB and Secrets Manager through a fault-injecting proxy in
//! front of the local stack, and SQS records go through its handler. Secrets Manager answering
//! 5xx when the run reads the password, and DynamoDB throttling the run's commit, each end in a
//! record handed back with a stable code; neither calendar gets a duplicate, and the next run
//! completes.
#![allow(clippy::unwrap_used, reason = "a panic is how a test reports failure")]

mod support;

use std::time::{Duration, Instant};

use chrono::{TimeDelta, Utc};
use ohsync_aws_env::test_stack::{self, FaultProxy, Refusal, THROUGHPUT_EXCEEDED};
use ohsync_engine::report::{ErrorCode, RunOutcome};
use ohsync_settings::StoredSettings;
use ohsync_sync_worker_function::{handle, worker_from_env};
use ohsync_worker::{FailureCode, SyncWorker};
use support::{Record, Stack, at, retried, sqs_event};

/// jan with one appointment on each side, and a worker whose AWS calls all pass the proxy.
async fn jan_through_a_proxy(stack: &Stack) -> (StoredSettings, FaultProxy, SyncWorker) {
    let settings = stack.save("jan", &stack.ews.url(), "Geheim!1").await;
    stack.oh_seed("jan", "Offerte Jansen", at(2));
    stack.ex_create("jan@ohsim.example", "Tandarts", at(3));
    let proxy = FaultProxy::start(&stack.endpoint).await;
    let sdk = test_stack::quick_sdk_config(&proxy.endpoint, Duration::from_secs(5)).await;
    let worker = worker_from_env(&stack.env, &sdk).await.unwrap();
    (settings, proxy, worker)
}

/// Runs one job of jan through the handler; whether its record is handed back.
async fn run_jan(stack: &Stack, worker: &SyncWorker) -> bool {
    let record = Record::of(&stack.job("jan"));
    let response = handle(worker, sqs_event(&[record], 300)).await.unwrap();
    !retried(&response).is_empty()
}

fn oh_subjects(stack: &Stack) -> Vec<String> {
    let tenant = ohsync_officeheart::TenantId::new(stack.tenant.as_str()).unwrap();
    let user = ohsync_officeheart::UserId::new("jan").unwrap();
    let appointments = stack.oh.appointments(&tenant, &user).into_iter();
    sorted(appointments.map(|appointment| appointment.data.subject))
}

fn ex_subjects(stack: &Stack) -> Vec<String> {
    sorted(stack.ex_subjects("jan@ohsim.example").into_iter())
}

fn sorted(subjects: impl Iterator<Item = String>) -> Vec<String> {
    let mut subjects: Vec<String> = subjects.collect();
    subjects.sort();
    subjects
}

const BOTH: [&str; 2] = ["Offerte Jansen", "Tandarts"];

#[tokio::test]
async fn secrets_manager_failing_when_the_run_reads_the_password_is_retried_and_shown() {
    let Some(stack) = Stack::start().await else {
        return;
    };
    let (settings, proxy, worker) = jan_through_a_proxy(&stack).await;
    proxy.refuse(Refusal::new(500, "InternalServiceError").of("GetSecretValue"));

    let started = Instant::now();
    assert!(run_jan(&stack, &worker).await, "handed back to the queue");
    let took = started.elapsed();
    assert!(
        proxy.calls_to("GetSecretValue") >= 2,
        "the SDK retried the 5xx"
    );
    let status = stack.state("jan", &settings).await.status.unwrap();
    assert_eq!(status.outcome, RunOutcome::Failed);
    assert_eq!(status.errors.len(), 1, "{status:?}");
    assert_eq!(status.errors[0].code, ErrorCode::PasswordUnavailable);
    assert_eq!(
        stack.ews.counters().http_requests(),
        0,
        "Exchange was not asked"
    );
    assert_eq!(ex_subjects(&stack), ["Tandarts"]);
    assert_eq!(oh_subjects(&stack), ["Offerte Jansen"]);

    proxy.clear();
    assert!(!run_jan(&stack, &worker).await);
    let status = stack.state("jan", &settings).await.status.unwrap();
    assert_eq!(status.outcome, RunOutcome::Completed, "{status:?}");
    assert_eq!(ex_subjects(&stack), BOTH);
    assert_eq!(oh_subjects(&stack), BOTH);
    assert!(!run_jan(&stack, &worker).await);
    assert_eq!(ex_subjects(&stack), BOTH, "once each");
    assert_eq!(oh_subjects(&stack), BOTH, "once each");
    eprintln!("the failed job took {took:?}");
}

#[tokio::test]
async fn dynamodb_throttling_the_runs_commit_is_retried_then_reported_without_duplicates() {
    let Some(stack) = Stack::start().await else {
        return;
    };
    // A healthy run of the same world first, to learn how many transactions a run writes: the
    // last one is its commit.
    let probe = Stack::start().await.unwrap();
    let (_, probe_proxy, probe_worker) = jan_through_a_proxy(&probe).await;
    assert!(!run_jan(&probe, &probe_worker).await);
    let transactions = u32::try_from(probe_proxy.calls_to("TransactWriteItems")).unwrap();
    assert!(transactions >= 1);

    // Throttled twice at the commit: retried with back-off, and the run completes.
    let (settings, proxy, worker) = jan_through_a_proxy(&stack).await;
    proxy.refuse(
        Refusal::new(400, THROUGHPUT_EXCEEDED)
            .of("TransactWriteItems")
            .after(transactions - 1)
            .times(2),
    );
    assert!(!run_jan(&stack, &worker).await);
    assert_eq!(
        proxy.calls_to("TransactWriteItems"),
        transactions as usize + 2
    );
    let status = stack.state("jan", &settings).await.status.unwrap();
    assert_eq!(status.outcome, RunOutcome::Completed, "{status:?}");
    assert_eq!(ex_subjects(&stack), BOTH);
    assert_eq!(oh_subjects(&stack), BOTH);

    // New appointments, and a commit that stays throttled: both calendars were written, the
    // positions and mappings were not; the record goes back with the store's code.
    stack.oh_seed("jan", "Keuring", at(4));
    stack.ex_create("jan@ohsim.example", "Lunch", at(5));
    proxy.refuse(
        Refusal::new(400, "ThrottlingException")
            .of("TransactWriteItems")
            .after(transactions - 1),
    );
    let failed = worker
        .run_job(&stack.job("jan"), Utc::now() + TimeDelta::minutes(5))
        .await
        .unwrap_err();
    assert!(failed.is_retryable(), "{failed:?}");
    assert_eq!(
        failed.cause().code,
        FailureCode::Run(ErrorCode::StoreUnavailable)
    );
    assert!(
        failed.cause().detail.contains("ThrottlingException"),
        "{failed:?}"
    );
    let status = stack.state("jan", &settings).await.status.unwrap();
    assert_eq!(
        status.outcome,
        RunOutcome::Completed,
        "the failed run could not write its status either: {status:?}"
    );

    proxy.clear();
    assert!(!run_jan(&stack, &worker).await);
    let all = ["Keuring", "Lunch", "Offerte Jansen", "Tandarts"];
    assert_eq!(ex_subjects(&stack), all, "no duplicate in Exchange");
    assert_eq!(oh_subjects(&stack), all, "no duplicate in OfficeHeart");
    let status = stack.state("jan", &settings).await.status.unwrap();
    assert_eq!(status.outcome, RunOutcome::Completed, "{status:?}");
}
