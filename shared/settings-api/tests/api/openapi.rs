//! The OpenAPI document: checked in, current, served as generated.

use std::collections::BTreeSet;
use std::path::PathBuf;

use ohsync_settings::field;
use ohsync_settings_api::openapi_json;
use reqwest::Method;
use serde_json::Value;

use crate::support::{GLOBEX_TOKEN, TestApi};

fn checked_in() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("openapi.json")
}

#[test]
fn openapi_document_is_current() {
    let generated = openapi_json();
    if std::env::var_os("OHSYNC_BLESS").is_some() {
        std::fs::write(checked_in(), &generated).unwrap();
        return;
    }
    let file = std::fs::read_to_string(checked_in()).unwrap_or_default();
    assert!(
        file == generated,
        "shared/settings-api/openapi.json is out of date: run OHSYNC_BLESS=1 cargo test -p ohsync-settings-api openapi_document_is_current"
    );
}

#[test]
fn the_settings_body_has_exactly_the_settings_fields_and_the_password_is_write_only() {
    let document: Value = serde_json::from_str(&openapi_json()).unwrap();
    let body = &document["components"]["schemas"]["ExchangeSettingsBody"];
    let properties: BTreeSet<&str> = body["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(properties, field::ALL.into_iter().collect());
    assert_eq!(body["properties"]["password"]["writeOnly"], true);
    assert_eq!(body["additionalProperties"], false);
    assert_eq!(document["security"], serde_json::json!([{"bearer": []}]));
}

#[tokio::test]
async fn the_document_is_served_as_generated() {
    let api = TestApi::start().await;
    let response = api
        .request(Method::GET, "/v1/openapi.json", Some(GLOBEX_TOKEN))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(response.text().await.unwrap(), openapi_json());
}
