//! The scheduler function's handler with real EventBridge event JSON, against DynamoDB and
//! SQS on the local stack.
#![allow(clippy::unwrap_used, reason = "a panic is how a test reports failure")]

use aws_config::SdkConfig;
use aws_lambda_events::eventbridge::EventBridgeEvent;
use chrono::Utc;
use lambda_runtime::{Context, Diagnostic, LambdaEvent};
use ohsync_aws_env::{Environment, test_stack};
use ohsync_engine::identity::{TenantId, UserId};
use ohsync_jobs::{JobTrigger, SyncJob};
use ohsync_jobs_sqs::QUEUE_URL_VAR;
use ohsync_scheduler_function::Scheduler;
use ohsync_settings::store::SettingsStore;
use ohsync_settings::{ExchangeSettingsInput, OperatorPolicy, SecretRef, StoredSettings, validate};
use ohsync_store_dynamodb::{DynamoSettingsStore, TABLE_VARIABLE, create_table};
use secrecy::SecretString;

/// The scheduled event EventBridge sends for the `rate(5 minutes)` rule
/// (`infra/events/scheduler-tick.json`), at `time`.
fn scheduled_event(time: &str) -> LambdaEvent<EventBridgeEvent> {
    let path = format!(
        "{}/../../infra/events/scheduler-tick.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut event: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    event["time"] = serde_json::json!(time);
    let payload = serde_json::from_value(event).unwrap();
    LambdaEvent::new(payload, Context::default())
}

/// A table with `active` active users and one switched off, and an empty FIFO queue.
async fn stack(sdk: &SdkConfig, active: usize) -> (String, String) {
    let dynamodb = aws_sdk_dynamodb::Client::new(sdk);
    let table = format!("ohsync-test-{}", uuid::Uuid::new_v4().simple());
    create_table(&dynamodb, &table).await.unwrap();
    let store = DynamoSettingsStore::new(dynamodb, &table);
    let tenant = TenantId::parse("acme").unwrap();
    for n in 0..=active {
        let user = UserId::parse(&format!("user-{n}")).unwrap();
        let input = ExchangeSettingsInput {
            active: Some(n < active),
            ews_url: Some("https://mail.acme.example/EWS/Exchange.asmx".into()),
            exchange_version: Some("Exchange2016".into()),
            username: Some(user.as_str().to_owned()),
            domain: Some("acme".into()),
            password: Some(SecretString::from("Geheim!1")),
            ..ExchangeSettingsInput::default()
        };
        let validated = validate(input, &OperatorPolicy::default()).unwrap();
        let secret = SecretRef {
            name: format!("ohsync/{tenant}/{user}/exchange"),
            version_id: "v1".into(),
        };
        let record = StoredSettings::new(&tenant, &user, &validated, secret, Utc::now()).unwrap();
        store.put(&tenant, &user, &record, None).await.unwrap();
    }
    let queue_url = ohsync_aws_env::test_stack::create_fifo_queue(sdk).await;
    (table, queue_url)
}

async fn queued(sdk: &SdkConfig, queue_url: &str) -> Vec<SyncJob> {
    let sqs = aws_sdk_sqs::Client::new(sdk);
    let mut jobs = Vec::new();
    loop {
        let messages = sqs
            .receive_message()
            .queue_url(queue_url)
            .max_number_of_messages(10)
            .send()
            .await
            .unwrap()
            .messages
            .unwrap_or_default();
        if messages.is_empty() {
            return jobs;
        }
        for message in messages {
            jobs.push(SyncJob::from_message(message.body().unwrap()).unwrap());
            sqs.delete_message()
                .queue_url(queue_url)
                .receipt_handle(message.receipt_handle().unwrap())
                .send()
                .await
                .unwrap();
        }
    }
}

#[tokio::test]
async fn a_scheduled_event_queues_one_job_per_active_user_for_its_tick_once() {
    let Some(endpoint) = test_stack::endpoint_or_skip() else {
        return;
    };
    let sdk = test_stack::sdk_config(&endpoint).await;
    let (table, queue_url) = stack(&sdk, 3).await;
    let env = Environment::from_pairs([
        (TABLE_VARIABLE, table.as_str()),
        (QUEUE_URL_VAR, queue_url.as_str()),
    ]);
    let scheduler = Scheduler::from_env(&env, &sdk).unwrap();

    let first = scheduler
        .handle(scheduled_event("2026-12-01T10:05:00Z"))
        .await
        .unwrap();
    // EventBridge delivers the same tick again (at least once delivery), seconds later.
    let again = scheduler
        .handle(scheduled_event("2026-12-01T10:05:03Z"))
        .await
        .unwrap();

    assert_eq!(first.tick, "2026-12-01T10:05:00+00:00");
    assert_eq!(again.tick, first.tick);
    assert_eq!((first.users_found, first.jobs_queued), (3, 3));
    let jobs = queued(&sdk, &queue_url).await;
    assert_eq!(jobs.len(), 3, "the second delivery was deduplicated");
    let tick = "2026-12-01T10:05:00Z".parse().unwrap();
    assert!(
        jobs.iter()
            .all(|job| job.trigger == JobTrigger::Tick { tick })
    );
}

#[tokio::test]
async fn a_tick_that_leaves_users_without_a_job_fails_so_that_lambda_retries_it() {
    let Some(endpoint) = test_stack::endpoint_or_skip() else {
        return;
    };
    let sdk = test_stack::sdk_config(&endpoint).await;
    let (table, _) = stack(&sdk, 2).await;
    let missing = format!("{endpoint}/123456789012/ohsync-absent.fifo");
    let env = Environment::from_pairs([
        (TABLE_VARIABLE, table.as_str()),
        (QUEUE_URL_VAR, missing.as_str()),
    ]);
    let scheduler = Scheduler::from_env(&env, &sdk).unwrap();

    let error = scheduler
        .handle(scheduled_event("2026-12-01T10:10:00Z"))
        .await
        .unwrap_err();

    assert_eq!((error.found, error.queued, error.refused), (2, 0, 2));
    let diagnostic = Diagnostic::from(error);
    assert_eq!(diagnostic.error_type, "IncompleteTick");
    assert!(diagnostic.error_message.contains("2 job(s) refused"));
}

#[tokio::test]
async fn missing_or_bad_variables_are_named() {
    let Some(endpoint) = test_stack::endpoint_or_skip() else {
        return;
    };
    let sdk = test_stack::sdk_config(&endpoint).await;
    let only_table = Environment::from_pairs([(TABLE_VARIABLE, "t")]);
    let error = Scheduler::from_env(&only_table, &sdk).unwrap_err();
    assert!(error.to_string().contains(QUEUE_URL_VAR), "{error}");
    let bad = only_table
        .with(QUEUE_URL_VAR, "http://127.0.0.1/q.fifo")
        .with(ohsync_scheduler_function::PERIOD_MINUTES_VAR, "0");
    let error = Scheduler::from_env(&bad, &sdk).unwrap_err();
    assert!(
        error.to_string().contains("OHSYNC_SCHEDULE_MINUTES"),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_serves_a_tick_through_the_lambda_runtime_api() {
    let Some(endpoint) = test_stack::endpoint_or_skip() else {
        return;
    };
    let sdk = test_stack::sdk_config(&endpoint).await;
    let (table, queue_url) = stack(&sdk, 2).await;
    let api = test_stack::RuntimeApi::start().await;
    let mut variables = test_stack::function_variables(&endpoint);
    variables.push((TABLE_VARIABLE.to_owned(), table));
    variables.push((QUEUE_URL_VAR.to_owned(), queue_url.clone()));
    let function = test_stack::FunctionProcess::spawn(
        env!("CARGO_BIN_EXE_ohsync-scheduler"),
        &api,
        &variables,
    );

    let mut tick = scheduled_event("2026-12-01T10:15:00Z").payload;
    tick.time = Some("2026-12-01T10:15:00Z".parse().unwrap());
    let answer = api
        .invoke(
            serde_json::to_value(&tick).unwrap(),
            std::time::Duration::from_secs(60),
        )
        .await;
    let (stdout, stderr) = function.stop().await;
    let Some(test_stack::Answer::Response(summary)) = answer else {
        panic!("no response: {answer:?}\n{stdout}\n{stderr}");
    };
    assert_eq!(summary["users_found"], 2, "{summary}");
    assert_eq!(summary["jobs_queued"], 2, "{summary}");
    assert_eq!(queued(&sdk, &queue_url).await.len(), 2);
    // The dispatch's metrics are one Embedded Metric Format line on stdout.
    assert!(
        stdout
            .lines()
            .any(|line| line.contains("\"CloudWatchMetrics\"")),
        "{stdout}"
    );
}

/// The release workflow's own tool: the binary polls cargo-lambda's Runtime API
/// (`cargo lambda watch --only-lambda-apis`) and the tick goes in through `cargo lambda invoke`
/// with the event file as it is in `infra/events/`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_serves_a_tick_through_cargo_lambdas_local_runtime() {
    let Some(endpoint) = test_stack::endpoint_or_skip() else {
        return;
    };
    let Some(cargo_lambda) = test_stack::CargoLambda::start_or_skip().await else {
        return;
    };
    let sdk = test_stack::sdk_config(&endpoint).await;
    let (table, queue_url) = stack(&sdk, 3).await;
    let mut variables = test_stack::function_variables(&endpoint);
    variables.push((TABLE_VARIABLE.to_owned(), table));
    variables.push((QUEUE_URL_VAR.to_owned(), queue_url.clone()));
    let function = test_stack::FunctionProcess::spawn_with(
        env!("CARGO_BIN_EXE_ohsync-scheduler"),
        &cargo_lambda.lambda_variables(),
        &variables,
    );

    let event = format!(
        "{}/../../infra/events/scheduler-tick.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let answer = cargo_lambda.invoke(std::path::Path::new(&event)).await;
    let (stdout, stderr) = function.stop().await;
    let answer = answer.unwrap_or_else(|error| panic!("{error}\n{stdout}\n{stderr}"));
    let summary: serde_json::Value = serde_json::from_str(answer.trim())
        .unwrap_or_else(|error| panic!("{error}: {answer}\n{stdout}\n{stderr}"));
    assert_eq!(summary["users_found"], 3, "{summary}");
    assert_eq!(summary["jobs_queued"], 3, "{summary}");
    assert_eq!(queued(&sdk, &queue_url).await.len(), 3);
}
