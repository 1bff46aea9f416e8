//! `PUT`, `GET` and `DELETE …/exchange-settings`.

use std::collections::HashSet;

use ohsync_engine::ports::{BindingScope, Commit, SecretsError, StateVersion, Store};
use ohsync_settings::store::{SettingsStore, Shard};
use ohsync_store_contract::suite::fixtures;
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{PASSWORD, TestApi, json_of, settings_body, tenant, user_id};

fn codes(body: &Value) -> HashSet<String> {
    body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| error["code"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_first_save_is_created_and_a_later_one_updates() {
    let api = TestApi::start().await;
    let response = api.put("jan", &settings_body(json!({}))).await;
    assert_eq!(response.headers()["etag"], "\"1\"");
    let (status, body) = json_of(response).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["settings_version"], 1);
    assert_eq!(body["password_set"], true);
    assert_eq!(body["binding_changed"], false);
    assert_eq!(body["binding_change"], Value::Null);
    assert_eq!(
        body["ews_url"],
        "https://mail.officeheart.nl/EWS/Exchange.asmx"
    );
    assert_eq!(body["conflict_policy"], "newest_wins");
    assert_eq!(
        (
            body["window_days_back"].as_u64(),
            body["window_days_ahead"].as_u64()
        ),
        (Some(30), Some(365))
    );
    assert!(body.get("password").is_none());
    assert!(!body.to_string().contains(PASSWORD));
    assert_eq!(api.password_stored("jan").await.unwrap(), PASSWORD);

    let response = api
        .put(
            "jan",
            &settings_body(
                json!({"window_days_back": "7", "direction": "exchange_to_officeheart"}),
            ),
        )
        .await;
    assert_eq!(response.headers()["etag"], "\"2\"");
    let (status, body) = json_of(response).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["settings_version"], 2);
    assert_eq!(body["window_days_back"], 7);
    assert_eq!(body["direction"], "exchange_to_officeheart");
    assert_eq!(body["binding_changed"], false);
    assert_eq!(api.stored("jan").await.unwrap().settings_version, 2);
}

#[tokio::test]
async fn the_password_is_kept_when_absent_and_replaced_when_given() {
    let api = TestApi::start().await;
    api.put("jan", &settings_body(json!({}))).await;
    let first = api.stored("jan").await.unwrap().secret_ref;

    let (status, body) = json_of(
        api.put("jan", &settings_body(json!({"password": null})))
            .await,
    )
    .await;
    assert_eq!((status, &body["password_set"]), (200, &json!(true)));
    assert_eq!(api.stored("jan").await.unwrap().secret_ref, first);

    let (status, _) = json_of(
        api.put("jan", &settings_body(json!({"password": "Winter2027!"})))
            .await,
    )
    .await;
    assert_eq!(status, 200);
    let second = api.stored("jan").await.unwrap().secret_ref;
    assert_eq!(second.name, first.name);
    assert_ne!(second.version_id, first.version_id);
    assert_eq!(api.password_stored("jan").await.unwrap(), "Winter2027!");
}

#[tokio::test]
async fn a_first_save_needs_a_password() {
    let api = TestApi::start().await;
    for password in [json!(null), json!("")] {
        let (status, body) = json_of(
            api.put("jan", &settings_body(json!({"password": password})))
                .await,
        )
        .await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["code"], "validation_failed");
        let expected = if password.is_null() {
            "password_required"
        } else {
            "password_empty"
        };
        assert_eq!(codes(&body), HashSet::from([expected.to_owned()]));
        assert_eq!(body["errors"][0]["field"], "password");
    }
    assert!(api.stored("jan").await.is_none());
}

#[tokio::test]
async fn changing_the_account_changes_the_binding_and_says_what_it_means() {
    let api = TestApi::start().await;
    api.put("jan", &settings_body(json!({}))).await;
    let cosmetic = settings_body(
        json!({"domain": "OFFICEHEART", "exchange_version": "Exchange2013", "password": null}),
    );
    let (_, body) = json_of(api.put("jan", &cosmetic).await).await;
    assert_eq!(body["binding_changed"], false);
    assert_eq!(body["binding_change"], Value::Null);
    let before = api.stored("jan").await.unwrap().binding_id;

    let (status, body) = json_of(
        api.put("jan", &settings_body(json!({"username": "piet"})))
            .await,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["binding_changed"], true);
    let nl = body["binding_change"]["nl"].as_str().unwrap();
    let en = body["binding_change"]["en"].as_str().unwrap();
    assert!(
        nl.contains("begint opnieuw") && nl.contains("niets verwijderd"),
        "{nl}"
    );
    assert!(
        en.contains("starts afresh") && en.contains("Nothing is deleted"),
        "{en}"
    );
    assert_ne!(api.stored("jan").await.unwrap().binding_id, before);
}

#[tokio::test]
async fn the_stored_password_is_kept_only_for_the_same_server_and_account() {
    let api = TestApi::start().await;
    api.put("jan", &settings_body(json!({}))).await;
    let first = api.stored("jan").await.unwrap();
    for elsewhere in [
        json!({"ews_url": "https://attacker.example.com/EWS/Exchange.asmx"}),
        json!({"ews_url": "https://mail.officeheart.nl:8443/EWS/Exchange.asmx"}),
        json!({"username": "piet"}),
        json!({"domain": "sales"}),
    ] {
        let mut body = settings_body(elsewhere.clone());
        body.as_object_mut().unwrap().remove("password");
        let (status, answer) = json_of(api.put("jan", &body).await).await;
        assert_eq!(status, 422, "{elsewhere}: {answer}");
        assert!(
            codes(&answer).contains("password_required_for_new_account"),
            "{answer}"
        );
    }
    assert_eq!(api.stored("jan").await.unwrap(), first, "nothing saved");

    let same_server = settings_body(
        json!({"password": null, "ews_url": "https://MAIL.officeheart.nl/EWS2/Exchange.asmx", "mailbox": "agenda@officeheart.nl"}),
    );
    let (status, answer) = json_of(api.put("jan", &same_server).await).await;
    assert_eq!(
        (status, &answer["binding_changed"]),
        (200, &json!(true)),
        "{answer}"
    );
    assert_eq!(
        api.stored("jan").await.unwrap().secret_ref,
        first.secret_ref
    );
}

#[tokio::test]
async fn a_save_over_a_stale_version_conflicts_and_writes_nothing() {
    let api = TestApi::start().await;
    let (status, _) = json_of(
        api.acme(Method::PUT, "jan", "/exchange-settings")
            .header("If-Match", "\"1\"")
            .json(&settings_body(json!({})))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 409, "If-Match on a first save");
    assert!(api.stored("jan").await.is_none());

    api.put("jan", &settings_body(json!({}))).await;
    api.put(
        "jan",
        &settings_body(json!({"password": null, "window_days_ahead": 100})),
    )
    .await;
    let before = api.stored("jan").await.unwrap();
    let stale = settings_body(json!({"password": "Overwritten1!", "username": "piet"}));
    for if_match in ["\"1\"", "1", "\"x\""] {
        let (status, body) = json_of(
            api.acme(Method::PUT, "jan", "/exchange-settings")
                .header("If-Match", if_match)
                .json(&stale)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 409, "{if_match}: {body}");
        assert_eq!(body["code"], "settings_conflict");
    }
    assert_eq!(
        api.stored("jan").await.unwrap(),
        before,
        "the record is unchanged"
    );
    assert_eq!(
        api.password_stored("jan").await.unwrap(),
        PASSWORD,
        "the secret is unchanged"
    );

    let (status, body) = json_of(
        api.acme(Method::PUT, "jan", "/exchange-settings")
            .header("If-Match", "\"2\"")
            .json(&stale)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, &body["settings_version"]),
        (200, &json!(3)),
        "{body}"
    );
}

#[tokio::test]
async fn every_problem_is_reported_at_once_in_dutch_or_english() {
    let api = TestApi::start().await;
    let bad = settings_body(json!({
        "ews_url": "http://mail.officeheart.nl/EWS/Exchange.asmx",
        "exchange_version": "Exchange2019",
        "domain": "officeheart.local",
        "window_days_back": "dertig",
        "conflict_policy": "oldest_wins",
    }));
    let expected: HashSet<String> = [
        "url_not_https",
        "version_unknown",
        "domain_has_dots",
        "window_not_a_number",
        "conflict_policy_unknown",
    ]
    .map(str::to_owned)
    .into();
    for (accept, language) in [
        (None, "nl"),
        (Some("en-GB,en;q=0.9,nl;q=0.5"), "en"),
        (Some("fr, nl;q=0.3"), "nl"),
    ] {
        let mut request = api
            .acme(Method::PUT, "jan", "/exchange-settings")
            .json(&bad);
        if let Some(accept) = accept {
            request = request.header("Accept-Language", accept);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.headers()["content-language"], language);
        let (status, body) = json_of(response).await;
        assert_eq!(status, 422);
        assert_eq!(body["code"], "validation_failed");
        assert_eq!(body["field"], Value::Null);
        assert_eq!(codes(&body), expected);
        assert_eq!(body["text"], body["message"][language], "{body}");
        for error in body["errors"].as_array().unwrap() {
            assert!(!error["message"]["nl"].as_str().unwrap().is_empty());
            assert!(!error["message"]["en"].as_str().unwrap().is_empty());
        }
        let domain = body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["code"] == "domain_has_dots")
            .unwrap();
        assert_eq!(domain["field"], "domain");
        assert!(
            domain["message"]["nl"]
                .as_str()
                .unwrap()
                .contains("'officeheart'")
        );
    }
    assert!(api.stored("jan").await.is_none());
}

#[tokio::test]
async fn malformed_bodies_are_refused_naming_the_field() {
    let api = TestApi::start().await;
    let send = |body: String| {
        api.acme(Method::PUT, "jan", "/exchange-settings")
            .header("Content-Type", "application/json")
            .body(body)
            .send()
    };
    let cases = [
        (r#"{"pasword": "Geheim123!"}"#.to_owned(), Some("pasword")),
        (r#"{"active": "ja"}"#.to_owned(), Some("active")),
        (r#"{"password": 98765432}"#.to_owned(), Some("password")),
        ("{\"ews_url\": ".to_owned(), None),
        ("[]".to_owned(), None),
    ];
    for (body, field) in cases {
        let (status, answer) = json_of(send(body.clone()).await.unwrap()).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(answer["code"], "body_invalid");
        assert_eq!(answer["field"], field.map_or(Value::Null, Value::from));
        for value in ["Geheim123!", "98765432", "ja"] {
            assert!(!answer.to_string().contains(value), "{answer}");
        }
    }
    let large = format!(r#"{{"mailbox": "{}"}}"#, "a".repeat(70 * 1024));
    let (status, answer) = json_of(send(large).await.unwrap()).await;
    assert_eq!((status, &answer["code"]), (413, &json!("body_too_large")));
    assert!(api.stored("jan").await.is_none());
}

#[tokio::test]
async fn get_shows_the_settings_and_status_without_the_password() {
    let api = TestApi::start().await;
    let (status, body) = json_of(
        api.acme(Method::GET, "jan", "/exchange-settings")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, &body["code"]), (404, &json!("settings_not_found")));

    api.put(
        "jan",
        &settings_body(json!({"mailbox": "agenda@officeheart.nl"})),
    )
    .await;
    let response = api
        .acme(Method::GET, "jan", "/exchange-settings")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["etag"], "\"1\"");
    let (status, body) = json_of(response).await;
    assert_eq!(status, 200);
    assert_eq!(body["username"], "jan");
    assert_eq!(body["domain"], "officeheart");
    assert_eq!(body["exchange_version"], "Exchange2016");
    assert_eq!(body["mailbox"], "agenda@officeheart.nl");
    assert_eq!(body["password_set"], true);
    assert_eq!(body["updated_at"], "2026-11-30T09:00:00Z");
    assert_eq!(
        body["status"],
        json!({"active": true, "password_set": true, "server_version_seen": null, "linked_items": 0, "last_run": null})
    );
    assert!(body.get("password").is_none() && body.get("secret_ref").is_none());
    assert!(!body.to_string().contains(PASSWORD));
}

#[tokio::test]
async fn delete_switches_off_removes_the_secret_and_keeps_the_mappings() {
    let api = TestApi::start().await;
    let (status, _) = json_of(
        api.acme(Method::DELETE, "jan", "/exchange-settings")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 404, "never saved");

    api.put("jan", &settings_body(json!({}))).await;
    let saved = api.stored("jan").await.unwrap();
    let shard = Shard::of(&tenant("acme"), &user_id("jan"));
    let active = api.settings.active_users(shard, None).await.unwrap().users;
    assert_eq!(active, [(tenant("acme"), user_id("jan"))]);
    let scope = BindingScope {
        tenant: tenant("acme"),
        user: user_id("jan"),
        binding: saved.binding_id.clone(),
    };
    let commit = Commit {
        mapping_upserts: vec![fixtures::numbered(1)],
        ..Commit::default()
    };
    api.store
        .commit(&scope, StateVersion(0), &commit)
        .await
        .unwrap();

    for _ in 0..2 {
        let response = api
            .acme(Method::DELETE, "jan", "/exchange-settings")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 204);
    }
    let off = api.stored("jan").await.unwrap();
    assert!(!off.active);
    assert_eq!(
        off.settings_version,
        saved.settings_version + 1,
        "switched off once"
    );
    assert_eq!(
        api.password_stored("jan").await,
        Err(SecretsError::NotFound)
    );
    assert!(
        api.settings
            .active_users(shard, None)
            .await
            .unwrap()
            .users
            .is_empty()
    );
    assert_eq!(
        api.store.load(&scope).await.unwrap().mapping_count,
        1,
        "mappings stay"
    );

    let (_, body) = json_of(
        api.acme(Method::GET, "jan", "/exchange-settings")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (&body["active"], &body["password_set"]),
        (&json!(false), &json!(false))
    );
    assert_eq!(body["status"]["linked_items"], 1);

    let (status, body) = json_of(
        api.put(
            "jan",
            &settings_body(json!({"password": null, "active": true})),
        )
        .await,
    )
    .await;
    assert_eq!(status, 422, "the deleted password is not kept: {body}");
    assert_eq!(
        codes(&body),
        HashSet::from(["password_required".to_owned()])
    );
    let (status, body) = json_of(api.put("jan", &settings_body(json!({}))).await).await;
    assert_eq!(
        (status, &body["active"], &body["password_set"]),
        (200, &json!(true), &json!(true))
    );
    assert_eq!(api.password_stored("jan").await.unwrap(), PASSWORD);
}

#[tokio::test]
async fn a_split_login_is_saved_with_a_notice() {
    let api = TestApi::start().await;
    let body = settings_body(json!({"username": "OFFICEHEART\\jan", "domain": ""}));
    let (status, body) = json_of(api.put("jan", &body).await).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        (&body["username"], &body["domain"]),
        (&json!("jan"), &json!("OFFICEHEART"))
    );
    assert_eq!(body["notices"][0]["code"], "username_domain_split");
    assert_eq!(body["notices"][0]["field"], "username");
}
