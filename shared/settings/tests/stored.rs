//! The stored record: its JSON shape, the password's absence, and when the binding changes.
#![allow(clippy::unwrap_used, reason = "a panic is how a test reports failure")]

use chrono::{TimeZone, Utc};
use ohsync_engine::identity::{TenantId, UserId};
use ohsync_settings::{
    ExchangeSettingsInput, OperatorPolicy, SecretRef, StoredSettings, ValidatedSettings,
    binding_changed, validate,
};
use serde_json::{Value, json};

const PASSWORD: &str = "Herfst2026!geheim";

fn account(changes: Value) -> ValidatedSettings {
    let mut body = json!({
        "ews_url": "https://mail.officeheart.nl/EWS/Exchange.asmx",
        "exchange_version": "Exchange2016",
        "username": "jan",
        "domain": "officeheart",
        "password": PASSWORD,
    });
    for (key, value) in changes.as_object().unwrap() {
        body[key] = value.clone();
    }
    let input: ExchangeSettingsInput = serde_json::from_value(body).unwrap();
    validate(input, &OperatorPolicy::default()).unwrap()
}

fn secret(version: &str) -> SecretRef {
    SecretRef {
        name: "ohsync/acme/jan/exchange".into(),
        version_id: version.into(),
    }
}

fn stored(changes: Value) -> StoredSettings {
    let tenant = TenantId::parse("acme").unwrap();
    let user = UserId::parse("jan").unwrap();
    let at = Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap();
    StoredSettings::new(&tenant, &user, &account(changes), secret("v1"), at).unwrap()
}

#[test]
fn binding_changes_exactly_when_the_account_changes() {
    let base = stored(json!({}));
    let cosmetic = [
        json!({"ews_url": "HTTPS://MAIL.OfficeHeart.nl:443/ews/exchange.asmx/"}),
        json!({"ews_url": "https://mail.officeheart.nl."}),
        json!({"ews_url": "https://mail.officeheart.nl/"}),
        json!({"username": "JAN"}),
        json!({"domain": "OFFICEHEART"}),
        json!({"username": "OfficeHeart\\jan", "domain": ""}),
        json!({"exchange_version": "Exchange2013_SP1"}),
        json!({"password": "another password"}),
        json!({"conflict_policy": "exchange_wins", "direction": "exchange_to_officeheart"}),
        json!({"window_days_back": 1, "window_days_ahead": 30}),
        json!({"active": false}),
        json!({"mailbox": ""}),
    ];
    for change in cosmetic {
        assert!(!binding_changed(&base, &stored(change.clone())), "{change}");
    }
    let with_mailbox = stored(json!({"mailbox": "agenda@officeheart.nl"}));
    let account_changes = [
        json!({"ews_url": "https://mail2.officeheart.nl/EWS/Exchange.asmx"}),
        json!({"ews_url": "https://mail.officeheart.nl:8443/EWS/Exchange.asmx"}),
        json!({"ews_url": "https://mail.officeheart.nl/EWS2/Exchange.asmx"}),
        json!({"username": "piet"}),
        json!({"domain": "sales"}),
        json!({"mailbox": "agenda@officeheart.nl"}),
    ];
    for change in account_changes {
        assert!(binding_changed(&base, &stored(change.clone())), "{change}");
    }
    assert!(binding_changed(
        &with_mailbox,
        &stored(json!({"mailbox": "verkoop@officeheart.nl"}))
    ));
    assert!(!binding_changed(
        &with_mailbox,
        &stored(json!({"mailbox": "AGENDA@officeheart.nl"}))
    ));
}

#[test]
fn the_record_serialises_without_the_password_and_round_trips() {
    let record =
        stored(json!({"mailbox": "agenda@officeheart.nl", "conflict_policy": "officeheart_wins"}));
    let text = serde_json::to_string(&record).unwrap();
    assert!(!text.contains(PASSWORD));
    assert!(!text.contains("password"));
    let value: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        value["ews_url"],
        "https://mail.officeheart.nl/EWS/Exchange.asmx"
    );
    assert_eq!(value["exchange_version"], "Exchange2016");
    assert_eq!(value["domain"], "officeheart");
    assert_eq!(value["username"], "jan");
    assert_eq!(value["mailbox"], "agenda@officeheart.nl");
    assert_eq!(value["conflict_policy"], "officeheart_wins");
    assert_eq!(value["direction"], "two_way");
    assert_eq!(value["window_days_back"], 30);
    assert_eq!(value["window_days_ahead"], 365);
    assert_eq!(
        value["secret_ref"],
        json!({"name": "ohsync/acme/jan/exchange", "version_id": "v1"})
    );
    assert_eq!(value["settings_version"], 1);
    assert_eq!(value["binding_id"].as_str().unwrap().len(), 64);
    assert_eq!(value["server_version_seen"], Value::Null);
    assert_eq!(value["active"], true);
    let back: StoredSettings = serde_json::from_str(&text).unwrap();
    assert_eq!(back, record);
}

#[test]
fn a_corrupt_record_is_refused_when_read() {
    let record = serde_json::to_value(stored(json!({}))).unwrap();
    for (key, bad) in [
        ("domain", json!("officeheart.local")),
        (
            "ews_url",
            json!("https://jan:pw@mail.officeheart.nl/EWS/Exchange.asmx"),
        ),
        ("exchange_version", json!("Exchange2019")),
        ("binding_id", json!("not-a-digest")),
        ("direction", json!("sideways")),
        ("window_days_ahead", json!(1000)),
    ] {
        let mut corrupt = record.clone();
        corrupt[key] = bad;
        assert!(
            serde_json::from_value::<StoredSettings>(corrupt).is_err(),
            "{key}"
        );
    }
}

#[test]
fn an_update_bumps_the_version_and_keeps_what_still_applies() {
    let tenant = TenantId::parse("acme").unwrap();
    let user = UserId::parse("jan").unwrap();
    let at = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
    let mut first = stored(json!({}));
    first.server_version_seen = Some("15.2.1748.10".into());

    let same_account = first
        .updated(
            &tenant,
            &user,
            &account(json!({"window_days_back": 10})),
            None,
            at,
        )
        .unwrap();
    assert_eq!(same_account.settings_version, 2);
    assert_eq!(same_account.secret_ref, first.secret_ref);
    assert_eq!(same_account.server_version_seen, first.server_version_seen);
    assert_eq!(same_account.sync.window.back(), 10);
    assert_eq!(same_account.updated_at, at);
    assert!(!binding_changed(&first, &same_account));

    let new_server = first
        .updated(
            &tenant,
            &user,
            &account(json!({"ews_url": "https://mail2.officeheart.nl"})),
            Some(secret("v2")),
            at,
        )
        .unwrap();
    assert!(binding_changed(&first, &new_server));
    assert_eq!(new_server.server_version_seen, None);
    assert_eq!(new_server.secret_ref.version_id, "v2");
}
