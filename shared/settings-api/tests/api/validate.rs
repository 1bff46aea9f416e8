//! `POST …/exchange-settings/validate`.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{PASSWORD, TestApi, json_of, settings_body};

async fn validate(api: &TestApi, user: &str, body: &Value) -> (u16, Value) {
    json_of(
        api.acme(Method::POST, user, "/exchange-settings/validate")
            .json(body)
            .send()
            .await
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn static_problems_are_answered_before_any_live_check() {
    let api = TestApi::start().await;
    let body = settings_body(
        json!({"domain": "officeheart.local", "ews_url": "https://10.0.0.5/EWS/Exchange.asmx"}),
    );
    let (status, answer) = validate(&api, "jan", &body).await;
    assert_eq!(status, 422, "{answer}");
    let codes: Vec<&str> = answer["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| error["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["url_private_address", "domain_has_dots"]);
    let (status, answer) = validate(&api, "jan", &json!({"pasword": "x"})).await;
    assert_eq!((status, &answer["field"]), (400, &json!("pasword")));
    assert!(api.checker.calls.lock().unwrap().is_empty());
}

#[tokio::test]
async fn the_live_check_runs_with_the_password_given_and_stores_nothing() {
    let api = TestApi::start().await;
    let (status, answer) = validate(&api, "jan", &settings_body(json!({}))).await;
    assert_eq!(
        status, 200,
        "a failed step is a report, not an error: {answer}"
    );
    assert_eq!(answer["passed"], false);
    assert_eq!(answer["server_version"], "15.1.2507.6");
    assert_eq!(answer["suggested_version"], Value::Null);
    let checks = answer["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 7);
    assert_eq!(checks[0]["step"], "dns");
    assert_eq!(checks[0]["status"], "passed");
    assert_eq!(checks[3]["step"], "authentication");
    assert_eq!(checks[3]["status"], "failed");
    assert_eq!(checks[3]["code"], "authentication_failed");
    assert_eq!(checks[3]["message"]["en"], "step Authentication");
    assert_eq!(checks[6]["step"], "server_version");
    assert_eq!(checks[6]["status"], "skipped");
    assert!(!answer.to_string().contains(PASSWORD));
    assert_eq!(
        *api.checker.calls.lock().unwrap(),
        [(
            "https://mail.officeheart.nl/EWS/Exchange.asmx".to_owned(),
            PASSWORD.to_owned()
        )]
    );
    assert!(api.stored("jan").await.is_none(), "nothing stored");
}

#[tokio::test]
async fn without_a_password_the_stored_one_is_checked_on_the_same_server_only() {
    let api = TestApi::start().await;
    let without =
        settings_body(json!({"password": null, "ews_url": "https://mail.officeheart.nl/ews2"}));
    let (status, answer) = validate(&api, "jan", &without).await;
    assert_eq!(
        (status, &answer["errors"][0]["code"]),
        (422, &json!("password_required"))
    );

    api.put("jan", &settings_body(json!({}))).await;
    let (status, _) = validate(&api, "jan", &without).await;
    assert_eq!(status, 200);
    assert_eq!(
        api.checker.calls.lock().unwrap().last().unwrap(),
        &(
            "https://mail.officeheart.nl/ews2".to_owned(),
            PASSWORD.to_owned()
        )
    );
    for elsewhere in [
        json!({"ews_url": "https://attacker.example.com/EWS/Exchange.asmx"}),
        json!({"ews_url": "https://mail.officeheart.nl:8443/EWS/Exchange.asmx"}),
        json!({"username": "piet"}),
        json!({"domain": "sales"}),
    ] {
        let mut body = settings_body(elsewhere.clone());
        body.as_object_mut().unwrap().remove("password");
        let (status, answer) = validate(&api, "jan", &body).await;
        assert_eq!(status, 422, "{elsewhere}");
        assert_eq!(
            answer["errors"][0]["code"],
            "password_required_for_new_account"
        );
        assert_eq!(answer["errors"][0]["field"], "password");
    }
    assert_eq!(
        api.checker.calls.lock().unwrap().len(),
        1,
        "the stored password went nowhere else"
    );
    assert_eq!(
        api.stored("jan").await.unwrap().account.ews_url.as_str(),
        "https://mail.officeheart.nl/EWS/Exchange.asmx",
        "the validated URL was not saved"
    );

    api.acme(Method::DELETE, "jan", "/exchange-settings")
        .send()
        .await
        .unwrap();
    let (status, answer) = validate(&api, "jan", &without).await;
    assert_eq!(
        (status, &answer["errors"][0]["code"]),
        (422, &json!("password_required"))
    );
    assert_eq!(api.checker.calls.lock().unwrap().len(), 1);
}
