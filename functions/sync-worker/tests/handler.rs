//! The sync-worker function's handler with real SQS event JSON, against the local stack
//! (DynamoDB, Secrets Manager) and the simulators.
#![allow(clippy::unwrap_used, reason = "a panic is how a test reports failure")]

mod support;

use chrono::{TimeDelta, Utc};
use ohsync_engine::identity::UserId;
use ohsync_engine::report::{ErrorCode, RunOutcome};
use ohsync_jobs::{ExchangeHost, HostSlots, SlotHolder, SlotLease};
use ohsync_settings::store::SettingsStore;
use ohsync_sync_worker_function::{RUNS_PER_EXCHANGE_HOST_VAR, handle, worker_from_env};
use support::{Record, Stack, at, retried, sqs_event};

#[tokio::test]
async fn only_retryable_failures_and_what_follows_them_for_the_user_are_handed_out_again() {
    let Some(stack) = Stack::start().await else {
        return;
    };
    let jan = stack.save("jan", &stack.ews.url(), "Geheim!1").await;
    let piet = stack.save("piet", &stack.ews.url(), "Verkeerd!0").await;
    stack.save_unreachable("kees").await;
    stack.oh_seed("jan", "Offerte Jansen", at(2));
    let worker = worker_from_env(&stack.env, &stack.sdk).await.unwrap();

    let kees_first = Record::of(&stack.job("kees"));
    let kees_next = Record::of(&stack.job("kees"));
    let malformed = Record {
        body: "{\"v\":1,\"tenant\":\"\"}".into(),
        ..Record::of(&stack.job("nobody"))
    };
    let records = [
        Record::of(&stack.job("jan")),
        malformed,
        kees_first,
        Record::of(&stack.job("piet")),
        kees_next,
    ];
    let response = handle(&worker, sqs_event(&records, 300)).await.unwrap();

    // kees: Exchange did not answer (retryable), and kees's next job waits behind it. The
    // malformed record and piet's refused password are dropped; jan's run succeeded.
    assert_eq!(
        retried(&response),
        [records[2].id.clone(), records[4].id.clone()]
    );
    assert_eq!(stack.ex_subjects("jan@ohsim.example"), ["Offerte Jansen"]);
    let jan_status = stack.state("jan", &jan).await.status.unwrap();
    assert_eq!(jan_status.outcome, RunOutcome::Completed);
    let piet_status = stack.state("piet", &piet).await.status.unwrap();
    assert_eq!(piet_status.outcome, RunOutcome::Failed);
    assert_eq!(piet_status.errors[0].code, ErrorCode::MailboxUnauthorized);
}

#[tokio::test]
async fn records_are_left_for_later_when_the_deadline_is_near() {
    let Some(stack) = Stack::start().await else {
        return;
    };
    stack.save("jan", &stack.ews.url(), "Geheim!1").await;
    stack.oh_seed("jan", "Offerte Jansen", at(2));
    let worker = worker_from_env(&stack.env, &stack.sdk).await.unwrap();
    let records = [
        Record::of(&stack.job("jan")),
        Record::of(&stack.job("piet")),
    ];

    // Ten seconds left: inside the worker's safety margin, so no run starts.
    let response = handle(&worker, sqs_event(&records, 10)).await.unwrap();

    assert_eq!(
        retried(&response),
        [records[0].id.clone(), records[1].id.clone()]
    );
    assert!(stack.ex_subjects("jan@ohsim.example").is_empty());
    assert_eq!(stack.ews.counters().http_requests(), 0);
}

#[tokio::test]
async fn the_environment_is_read_and_a_bad_variable_is_named() {
    let Some(stack) = Stack::start().await else {
        return;
    };
    let env = stack
        .env
        .clone()
        .with(ohsync_sync_worker_function::MAX_RUN_SECONDS_VAR, "300")
        .with(ohsync_sync_worker_function::BATCH_SIZE_VAR, "50")
        .with(RUNS_PER_EXCHANGE_HOST_VAR, "2")
        .with(
            ohsync_settings::INSECURE_TLS_HOSTS_VAR,
            "mail.acme.local, ex2.acme.local",
        );
    let worker = worker_from_env(&env, &stack.sdk).await.unwrap();
    let config = worker.config();
    assert_eq!(config.max_run_time, chrono::TimeDelta::minutes(5));
    assert_eq!(config.batch_size, 50);
    assert_eq!(config.runs_per_exchange_host, 2);
    assert_eq!(
        config.transport.insecure_tls_hosts,
        ["mail.acme.local", "ex2.acme.local"]
    );

    let env = stack
        .env
        .clone()
        .with(ohsync_worker::OFFICEHEART_URL_VAR, " ");
    let error = worker_from_env(&env, &stack.sdk).await.unwrap_err();
    assert!(
        error.to_string().contains("OHSYNC_OFFICEHEART_URL"),
        "{error}"
    );
    let env = stack.env.clone().with(RUNS_PER_EXCHANGE_HOST_VAR, "0");
    let error = worker_from_env(&env, &stack.sdk).await.unwrap_err();
    assert!(
        error.to_string().contains(RUNS_PER_EXCHANGE_HOST_VAR),
        "{error}"
    );
    let env = stack
        .env
        .clone()
        .with(ohsync_settings::PRIVATE_HOSTS_VAR, "not a host!");
    let error = worker_from_env(&env, &stack.sdk).await.unwrap_err();
    assert!(
        error.to_string().contains("OHSYNC_ALLOW_PRIVATE_HOSTS"),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_runs_a_batch_through_the_lambda_runtime_api_and_never_logs_the_password() {
    let Some(stack) = Stack::start().await else {
        return;
    };
    stack.save("jan", &stack.ews.url(), "Geheim!1").await;
    stack.oh_seed("jan", "Offerte Jansen", at(2));
    let api = ohsync_aws_env::test_stack::RuntimeApi::start().await;
    let mut variables = ohsync_aws_env::test_stack::function_variables(&stack.endpoint);
    variables.extend(stack.variables.iter().cloned());
    variables.push(("RUST_LOG".to_owned(), "debug".to_owned()));
    let function = ohsync_aws_env::test_stack::FunctionProcess::spawn(
        env!("CARGO_BIN_EXE_ohsync-sync-worker"),
        &api,
        &variables,
    );

    let event = sqs_event(&[Record::of(&stack.job("jan"))], 300).payload;
    let answer = api
        .invoke(
            serde_json::to_value(&event).unwrap(),
            std::time::Duration::from_secs(120),
        )
        .await;
    let (stdout, stderr) = function.stop().await;
    let Some(ohsync_aws_env::test_stack::Answer::Response(response)) = answer else {
        panic!("no response: {answer:?}\n{stdout}\n{stderr}");
    };
    assert_eq!(
        response["batchItemFailures"],
        serde_json::json!([]),
        "{response}"
    );
    assert_eq!(stack.ex_subjects("jan@ohsim.example"), ["Offerte Jansen"]);
    // JSON logs with the run's span, and the run's metrics, on stdout; at debug level too, never
    // the password or the OfficeHeart token.
    assert!(
        stdout
            .lines()
            .any(|line| line.contains("\"run finished\"") && line.contains("\"tenant\"")),
        "{stdout}"
    );
    assert!(stdout.contains("\"CloudWatchMetrics\""), "{stdout}");
    for secret in ["Geheim!1", "oh-agenda-"] {
        assert!(
            !stdout.contains(secret) && !stderr.contains(secret),
            "{secret} in the output"
        );
    }
}

/// Takes one of `host`'s `cap` slots for another worker's run, for six minutes.
async fn hold_slot(stack: &Stack, host: &str, cap: u32) -> SlotLease {
    let now = Utc::now();
    stack
        .host_slots()
        .try_acquire(
            &ExchangeHost::new(host),
            cap,
            &SlotHolder::new("another-worker"),
            now,
            now + TimeDelta::minutes(6),
        )
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn a_full_exchange_host_drops_its_jobs_and_the_next_ones_run_once_it_has_room() {
    let Some(stack) = Stack::start().await else {
        return;
    };
    let jan = stack.save("jan", &stack.ews.url(), "Geheim!1").await;
    stack.save("piet", &stack.ews.url(), "Geheim!2").await;
    stack.oh_seed("jan", "Offerte Jansen", at(2));
    stack.oh_seed("piet", "Keuring", at(3));
    let env = stack.env.clone().with(RUNS_PER_EXCHANGE_HOST_VAR, "1");
    let worker = worker_from_env(&env, &stack.sdk).await.unwrap();
    assert_eq!(worker.config().runs_per_exchange_host, 1);
    let elsewhere = hold_slot(&stack, "ex.elsewhere.example", 1).await;
    let busy = hold_slot(&stack, "127.0.0.1", 1).await;

    // Another worker's run holds the simulator's only slot: both jobs are dropped untouched
    // (not handed back, which would wait out the visibility timeout); the next tick asks again.
    let records = [
        Record::of(&stack.job("jan")),
        Record::of(&stack.job("piet")),
    ];
    let response = handle(&worker, sqs_event(&records, 300)).await.unwrap();
    assert_eq!(retried(&response), Vec::<String>::new());
    assert_eq!(stack.ews.counters().http_requests(), 0);
    assert!(stack.ex_subjects("jan@ohsim.example").is_empty());
    assert_eq!(
        stack.state("jan", &jan).await.status,
        None,
        "a deferred job is no failed run: no status is written"
    );

    // That run ends; the next tick's jobs run one after the other (one slot) — while another
    // host's only slot stays held, which holds nobody here up.
    assert!(stack.host_slots().release(&busy).await.unwrap());
    let records = [
        Record::of(&stack.job("jan")),
        Record::of(&stack.job("piet")),
    ];
    let response = handle(&worker, sqs_event(&records, 300)).await.unwrap();
    assert_eq!(retried(&response), Vec::<String>::new());
    assert_eq!(stack.ex_subjects("jan@ohsim.example"), ["Offerte Jansen"]);
    assert_eq!(stack.ex_subjects("piet@ohsim.example"), ["Keuring"]);
    assert_eq!(
        stack.state("jan", &jan).await.status.unwrap().outcome,
        RunOutcome::Completed
    );
    hold_slot(&stack, "127.0.0.1", 1).await;
    assert!(stack.host_slots().release(&elsewhere).await.unwrap());
}

#[tokio::test]
async fn the_host_slot_is_freed_however_the_run_ends() {
    let Some(stack) = Stack::start().await else {
        return;
    };
    // A password that is gone (the run stops before Exchange), a refused password (the run
    // fails), an Exchange that does not answer (retryable), and one that works — all on one
    // host with one slot: a slot kept by any of them would defer the ones after it.
    let mut anna = stack.save("anna", &stack.ews.url(), "Geheim!4").await;
    anna.secret_ref.version_id = "gone".into();
    anna.settings_version += 1;
    stack
        .settings_store()
        .put(
            &stack.tenant,
            &UserId::parse("anna").unwrap(),
            &anna,
            Some(anna.settings_version - 1),
        )
        .await
        .unwrap();
    stack.save("piet", &stack.ews.url(), "Verkeerd!0").await;
    stack.save_unreachable("kees").await;
    stack.save("jan", &stack.ews.url(), "Geheim!1").await;
    stack.oh_seed("jan", "Offerte Jansen", at(2));
    let env = stack.env.clone().with(RUNS_PER_EXCHANGE_HOST_VAR, "1");
    let worker = worker_from_env(&env, &stack.sdk).await.unwrap();

    let records = [
        Record::of(&stack.job("anna")),
        Record::of(&stack.job("piet")),
        Record::of(&stack.job("kees")),
        Record::of(&stack.job("jan")),
    ];
    let response = handle(&worker, sqs_event(&records, 300)).await.unwrap();

    assert_eq!(retried(&response), [records[2].id.clone()], "only kees's");
    assert_eq!(stack.ex_subjects("jan@ohsim.example"), ["Offerte Jansen"]);
    hold_slot(&stack, "127.0.0.1", 1).await;
}
