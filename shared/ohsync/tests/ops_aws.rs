//! The operator commands against an AWS deployment (`--aws`, feature `aws`): DynamoDB, Secrets
//! Manager and SQS on the local stack, the user saved through the settings API's router, both
//! calendars on the simulators.
#![cfg(feature = "aws")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use chrono::{DurationRound, TimeDelta, Utc};
use ohsync::ops::{Ops, render};
use ohsync_aws_env::{Environment, test_stack};
use ohsync_engine::ports::SystemClock;
use ohsync_engine::report::RunOutcome;
use ohsync_ews_sim::{EwsSimulator, SimConfig, SimUser};
use ohsync_jobs::SyncJob;
use ohsync_live_check::EwsLiveChecker;
use ohsync_secrets::SecretsManagerSecrets;
use ohsync_settings::OperatorPolicy;
use ohsync_settings_api::{ApiState, CallerTokens, router};
use ohsync_store_dynamodb::{DynamoSettingsStore, DynamoStore, TABLE_VARIABLE, create_table};
use tower_service::Service;

#[tokio::test]
async fn users_status_dry_run_and_sync_now_work_against_the_deployment() {
    let Some(endpoint) = test_stack::endpoint_or_skip() else {
        return;
    };
    let sdk = test_stack::sdk_config(&endpoint).await;
    let unique = uuid::Uuid::new_v4().simple().to_string();
    let table = format!("ohsync-test-{unique}");
    let dynamodb = aws_sdk_dynamodb::Client::new(&sdk);
    create_table(&dynamodb, &table).await.unwrap();
    let queue_url = ohsync_aws_env::test_stack::create_fifo_queue(&sdk).await;
    let tenant = format!("t-{}", &unique[..12]);
    let token_secret =
        test_stack::create_secret(&sdk, "ohsync-test/officeheart-token", "oh-agenda-token").await;
    let ews = EwsSimulator::start(
        SimConfig::default().with_user(SimUser::new(
            "OHSIM",
            "jan",
            "Geheim!1",
            "jan@ohsim.example",
        )),
        "127.0.0.1:0",
    )
    .await
    .unwrap();
    let oh_tenant = ohsync_officeheart::TenantId::new(&tenant).unwrap();
    let oh = ohsync_oh_sim::Simulator::start(
        ohsync_oh_sim::SimConfig::new().grant(oh_tenant.clone(), "oh-agenda-token"),
    )
    .await
    .unwrap();
    let start = Utc::now().duration_trunc(TimeDelta::days(1)).unwrap() + TimeDelta::days(2);
    oh.seed(
        &oh_tenant,
        &ohsync_officeheart::UserId::new("jan").unwrap(),
        ohsync_officeheart::AppointmentData::new(
            "Offerte Jansen",
            ohsync_officeheart::Schedule::timed(
                start.fixed_offset(),
                (start + TimeDelta::hours(1)).fixed_offset(),
            )
            .unwrap(),
            chrono_tz::Europe::Amsterdam,
        ),
    );

    // Jan's settings, saved as OfficeHeart saves them: through the settings API.
    let operator = OperatorPolicy::parse("127.0.0.1", "127.0.0.1").unwrap();
    let mut api = router(ApiState {
        settings: Arc::new(DynamoSettingsStore::new(dynamodb.clone(), &table)),
        secrets: Arc::new(SecretsManagerSecrets::new(&sdk)),
        store: Arc::new(DynamoStore::new(dynamodb.clone(), &table)),
        jobs: Arc::new(ohsync_jobs_sqs::SqsJobQueue::new(&sdk, &queue_url)),
        live_checker: Arc::new(EwsLiveChecker::new(operator.clone(), Default::default())),
        clock: Arc::new(SystemClock),
        operator: Arc::new(operator),
        callers: CallerTokens::from_json(
            &serde_json::json!({"tokens": [{"tenant": tenant, "sha256": CallerTokens::sha256_hex("caller")}]})
                .to_string(),
        )
        .unwrap(),
    });
    let saved = api
        .call(
            Request::put(format!("/v1/tenants/{tenant}/users/jan/exchange-settings"))
                .header("authorization", "Bearer caller")
                .header("content-type", "application/json")
                .body(Body::from(
                    serde_json::json!({
                        "ews_url": ews.url(),
                        "exchange_version": "Exchange2016",
                        "username": "jan",
                        "domain": "OHSIM",
                        "password": "Geheim!1",
                    })
                    .to_string(),
                ))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(saved.status(), 201);

    let env = Environment::from_pairs([
        (ohsync_aws_env::AWS_ENDPOINT_VAR, endpoint.as_str()),
        (TABLE_VARIABLE, table.as_str()),
        (ohsync_worker::OFFICEHEART_URL_VAR, oh.url().as_str()),
        (
            ohsync_worker::aws::OFFICEHEART_TOKEN_SECRET_VAR,
            token_secret.as_str(),
        ),
        (ohsync_settings::PRIVATE_HOSTS_VAR, "127.0.0.1"),
        (ohsync_settings::HTTP_HOSTS_VAR, "127.0.0.1"),
        (ohsync_jobs_sqs::QUEUE_URL_VAR, queue_url.as_str()),
    ]);
    let ops = Ops::aws(&env).await.unwrap();
    assert!(ops.queues_sync_now());

    let users = ops.users(None).await.unwrap();
    let jan: Vec<_> = users
        .iter()
        .filter(|line| line.tenant.as_str() == tenant)
        .collect();
    assert_eq!(jan.len(), 1);
    let (tenant_id, user_id) = ohsync::ops::parse_user(&format!("{tenant}/jan")).unwrap();

    let plan = ops.dry_run(&tenant_id, &user_id).await.unwrap();
    let printed = render::plan("jan", &plan);
    assert!(
        printed.contains("create in Exchange     \"Offerte Jansen\""),
        "{printed}"
    );
    assert!(ews.mailbox("jan@ohsim.example").unwrap().items().is_empty());

    let summary = ops.sync_now(&tenant_id, &user_id, None).await.unwrap();
    assert_eq!(summary.report.outcome, RunOutcome::Completed);
    assert_eq!(ews.mailbox("jan@ohsim.example").unwrap().items().len(), 1);
    let status = ops.status(&tenant_id, &user_id).await.unwrap();
    assert_eq!(status.mapping_count, 1);

    ops.queue_sync_now(&tenant_id, &user_id).await.unwrap();
    let received = aws_sdk_sqs::Client::new(&sdk)
        .receive_message()
        .queue_url(&queue_url)
        .max_number_of_messages(10)
        .send()
        .await
        .unwrap();
    let jobs: Vec<SyncJob> = received
        .messages()
        .iter()
        .map(|message| SyncJob::from_message(message.body().unwrap()).unwrap())
        .collect();
    assert_eq!(jobs.len(), 1);
    assert_eq!(
        (jobs[0].tenant.as_str(), jobs[0].user.as_str()),
        (tenant.as_str(), "jan")
    );
}
