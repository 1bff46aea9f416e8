//! `GET …/sync-status` and `POST …/sync-now`.

use std::sync::atomic::Ordering;

use chrono::Duration;
use ohsync_engine::ports::{BindingScope, Commit, StateVersion, Store};
use ohsync_engine::report::ErrorCode;
use ohsync_jobs::{JobTrigger, SyncJob};
use ohsync_store_contract::suite::fixtures;
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{TestApi, json_of, settings_body, start_time, tenant, user_id};

async fn status_of(api: &TestApi, user: &str) -> (u16, Value) {
    json_of(
        api.acme(Method::GET, user, "/sync-status")
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn sync_now(api: &TestApi, user: &str) -> (u16, Value) {
    json_of(
        api.acme(Method::POST, user, "/sync-now")
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// Records the aborted run of the fixtures, with two linked items, in `user`'s current binding.
async fn record_a_run(api: &TestApi, user: &str) {
    let scope = BindingScope {
        tenant: tenant("acme"),
        user: user_id(user),
        binding: api.stored(user).await.unwrap().binding_id,
    };
    let commit = Commit {
        mapping_upserts: vec![fixtures::numbered(1), fixtures::numbered(2)],
        status: Some(fixtures::aborted(3)),
        ..Commit::default()
    };
    api.store
        .commit(&scope, StateVersion(0), &commit)
        .await
        .unwrap();
}

#[tokio::test]
async fn the_status_shows_the_last_run_with_texts_in_both_languages() {
    let api = TestApi::start().await;
    let (status, body) = status_of(&api, "jan").await;
    assert_eq!((status, &body["code"]), (404, &json!("settings_not_found")));

    api.put("jan", &settings_body(json!({}))).await;
    let (status, body) = status_of(&api, "jan").await;
    assert_eq!(status, 200);
    assert_eq!(body["last_run"], Value::Null);

    record_a_run(&api, "jan").await;
    let (status, body) = status_of(&api, "jan").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (&body["active"], &body["password_set"]),
        (&json!(true), &json!(true))
    );
    assert_eq!(body["linked_items"], 2);
    let run = &body["last_run"];
    assert_eq!(run["finished_at"], "2026-12-01T08:03:03.123456789Z");
    assert_eq!(run["healthy"], false);
    assert_eq!(run["outcome"]["code"], "aborted_deletion_guard");
    assert_eq!(
        run["conflicts_won"],
        json!({"officeheart": 0, "exchange": 2})
    );
    assert!(
        run["outcome"]["message"]["nl"]
            .as_str()
            .unwrap()
            .contains("40 afspraken")
    );
    assert!(
        run["outcome"]["message"]["en"]
            .as_str()
            .unwrap()
            .contains("limit of 25")
    );
    let errors = run["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2);
    for (error, code) in errors
        .iter()
        .zip([ErrorCode::MailboxThrottled, ErrorCode::CreateOutcomeUnknown])
    {
        assert_eq!(error["code"], code.as_str());
        assert_eq!(error["message"]["nl"], *code.text().nl);
        assert_eq!(error["message"]["en"], *code.text().en);
    }
    assert_eq!(errors[1]["detail"], "oh-7");
    assert_eq!(
        run["counts"]["created"],
        json!({"officeheart": 0, "exchange": 0})
    );

    let (_, settings) = json_of(
        api.acme(Method::GET, "jan", "/exchange-settings")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        settings["status"], body,
        "GET exchange-settings shows the same status"
    );
}

#[tokio::test]
async fn another_account_starts_with_an_empty_status() {
    let api = TestApi::start().await;
    api.put("jan", &settings_body(json!({}))).await;
    record_a_run(&api, "jan").await;
    api.put(
        "jan",
        &settings_body(json!({"password": null, "window_days_ahead": 60})),
    )
    .await;
    let (_, body) = status_of(&api, "jan").await;
    assert_eq!(
        body["last_run"]["outcome"]["code"], "aborted_deletion_guard",
        "same account"
    );

    api.put(
        "jan",
        &settings_body(json!({"ews_url": "https://exchange.officeheart.nl"})),
    )
    .await;
    let (_, body) = status_of(&api, "jan").await;
    assert_eq!(
        (&body["last_run"], &body["linked_items"]),
        (&Value::Null, &json!(0))
    );
}

#[tokio::test]
async fn sync_now_queues_exactly_one_job_for_the_user() {
    let api = TestApi::start().await;
    let (status, _) = sync_now(&api, "jan").await;
    assert_eq!(status, 404);

    api.put("jan", &settings_body(json!({}))).await;
    let asked = start_time() + Duration::seconds(90);
    api.clock.set(asked);
    let (status, body) = sync_now(&api, "jan").await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(body["requested_at"], "2026-11-30T09:01:30Z");
    let expected = SyncJob {
        tenant: tenant("acme"),
        user: user_id("jan"),
        trigger: JobTrigger::SyncNow {
            requested_at: asked,
        },
    };
    assert_eq!(*api.jobs.jobs.lock().unwrap(), [expected]);
}

#[tokio::test]
async fn sync_now_is_refused_when_switched_off_or_when_the_queue_is_down() {
    let api = TestApi::start().await;
    api.put("jan", &settings_body(json!({"active": false})))
        .await;
    let (status, body) = sync_now(&api, "jan").await;
    assert_eq!((status, &body["code"]), (409, &json!("sync_inactive")));

    api.put(
        "jan",
        &settings_body(json!({"active": true, "password": null})),
    )
    .await;
    api.jobs.down.store(true, Ordering::SeqCst);
    let (status, body) = sync_now(&api, "jan").await;
    assert_eq!((status, &body["code"]), (503, &json!("queue_unavailable")));
    assert!(
        !body.to_string().contains("queue down for the test"),
        "details stay in the log"
    );
    assert!(api.jobs.jobs.lock().unwrap().is_empty());
}
