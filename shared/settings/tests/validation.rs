//! Static validation of the settings input: every rule, all problems at once, normalisation,
//! and the password's secrecy.
#![allow(clippy::unwrap_used, reason = "a panic is how a test reports failure")]

use ohsync_engine::reconcile::{ConflictPolicy, Direction};
use ohsync_ews::ExchangeVersion;
use ohsync_settings::{
    EwsUrl, ExchangeSettingsInput, FieldError, OperatorPolicy, ProblemCode, ValidatedSettings,
    field, validate,
};
use secrecy::ExposeSecret;
use serde_json::{Value, json};

const PASSWORD: &str = "Zomer2026!geheim";

fn base() -> Value {
    json!({
        "ews_url": "https://mail.officeheart.nl/EWS/Exchange.asmx",
        "exchange_version": "Exchange2016",
        "username": "jan",
        "domain": "officeheart",
        "password": PASSWORD,
    })
}

fn with(changes: Value) -> Value {
    let mut body = base();
    for (key, value) in changes.as_object().unwrap() {
        if value.is_null() {
            body.as_object_mut().unwrap().remove(key);
        } else {
            body[key] = value.clone();
        }
    }
    body
}

fn input(body: &Value) -> ExchangeSettingsInput {
    serde_json::from_value(body.clone()).unwrap()
}

fn run(body: &Value) -> Result<ValidatedSettings, Vec<FieldError>> {
    validate(input(body), &OperatorPolicy::default())
}

fn run_with(body: &Value, operator: &OperatorPolicy) -> Result<ValidatedSettings, Vec<FieldError>> {
    validate(input(body), operator)
}

fn codes(errors: &[FieldError]) -> Vec<&'static str> {
    errors.iter().map(|e| e.code).collect()
}

fn assert_texts(error: &FieldError) {
    assert!(
        !error.message.nl.trim().is_empty(),
        "{}: no Dutch",
        error.code
    );
    assert!(
        !error.message.en.trim().is_empty(),
        "{}: no English",
        error.code
    );
    assert_ne!(
        error.message.nl, error.message.en,
        "{}: not translated",
        error.code
    );
}

#[test]
fn the_base_input_is_valid_and_defaults_apply() {
    let settings = run(&base()).unwrap();
    assert!(settings.active);
    assert_eq!(
        settings.account.exchange_version,
        ExchangeVersion::Exchange2016
    );
    assert_eq!(settings.account.username.as_str(), "jan");
    assert_eq!(settings.account.domain.as_str(), "officeheart");
    assert_eq!(settings.account.mailbox, None);
    assert_eq!(settings.sync.conflict_policy, ConflictPolicy::NewestWins);
    assert_eq!(settings.sync.direction, Direction::TwoWay);
    assert_eq!(
        (settings.sync.window.back(), settings.sync.window.ahead()),
        (30, 365)
    );
    assert_eq!(
        settings.password.as_ref().unwrap().expose_secret(),
        PASSWORD
    );
    assert!(settings.notices.is_empty());
}

#[test]
fn every_rule_reports_its_code_field_and_both_languages() {
    let cases: Vec<(Value, ProblemCode, &str)> = vec![
        (
            json!({"ews_url": null}),
            ProblemCode::UrlEmpty,
            field::EWS_URL,
        ),
        (
            json!({"ews_url": "  "}),
            ProblemCode::UrlEmpty,
            field::EWS_URL,
        ),
        (
            json!({"ews_url": "mail.officeheart.nl/EWS/Exchange.asmx"}),
            ProblemCode::UrlInvalid,
            field::EWS_URL,
        ),
        (
            json!({"ews_url": "https://exa mple.nl/EWS"}),
            ProblemCode::UrlInvalid,
            field::EWS_URL,
        ),
        (
            json!({"ews_url": "http://mail.officeheart.nl/EWS/Exchange.asmx"}),
            ProblemCode::UrlNotHttps,
            field::EWS_URL,
        ),
        (
            json!({"ews_url": "ftp://mail.officeheart.nl/EWS/Exchange.asmx"}),
            ProblemCode::UrlNotHttps,
            field::EWS_URL,
        ),
        (
            json!({"ews_url": "https://jan:pw@mail.officeheart.nl/EWS/Exchange.asmx"}),
            ProblemCode::UrlHasCredentials,
            field::EWS_URL,
        ),
        (
            json!({"ews_url": "https://mail.officeheart.nl/EWS/Exchange.asmx#top"}),
            ProblemCode::UrlHasFragment,
            field::EWS_URL,
        ),
        (
            json!({"ews_url": "https://mail.officeheart.nl/owa/"}),
            ProblemCode::UrlIsOwa,
            field::EWS_URL,
        ),
        (
            json!({"ews_url": "https://mail.officeheart.nl/ECP"}),
            ProblemCode::UrlIsOwa,
            field::EWS_URL,
        ),
        (
            json!({"ews_url": "https://10.0.0.5/EWS/Exchange.asmx"}),
            ProblemCode::UrlPrivateAddress,
            field::EWS_URL,
        ),
        (
            json!({"ews_url": "https://[::ffff:169.254.169.254]/EWS/Exchange.asmx"}),
            ProblemCode::UrlPrivateAddress,
            field::EWS_URL,
        ),
        (
            json!({"ews_url": "https://2130706433/EWS/Exchange.asmx"}),
            ProblemCode::UrlPrivateAddress,
            field::EWS_URL,
        ),
        (
            json!({"ews_url": "https://localhost/EWS/Exchange.asmx"}),
            ProblemCode::UrlPrivateAddress,
            field::EWS_URL,
        ),
        (
            json!({"ews_url": "https://outlook.office365.com/EWS/Exchange.asmx"}),
            ProblemCode::ExchangeOnlineUnsupported,
            field::EWS_URL,
        ),
        (
            json!({"ews_url": "https://Outlook.Office.com/EWS/Exchange.asmx"}),
            ProblemCode::ExchangeOnlineUnsupported,
            field::EWS_URL,
        ),
        (
            json!({"ews_url": "https://eur01.ps.outlook.com/EWS/Exchange.asmx"}),
            ProblemCode::ExchangeOnlineUnsupported,
            field::EWS_URL,
        ),
        (
            json!({"ews_url": "https://partner.outlook.cn/EWS/Exchange.asmx"}),
            ProblemCode::ExchangeOnlineUnsupported,
            field::EWS_URL,
        ),
        (
            json!({"ews_url": "https://outlook.office365.us/EWS/Exchange.asmx"}),
            ProblemCode::ExchangeOnlineUnsupported,
            field::EWS_URL,
        ),
        (
            json!({"exchange_version": null}),
            ProblemCode::VersionEmpty,
            field::EXCHANGE_VERSION,
        ),
        (
            json!({"exchange_version": "Exchange2019"}),
            ProblemCode::VersionUnknown,
            field::EXCHANGE_VERSION,
        ),
        (
            json!({"exchange_version": "Exchange2007"}),
            ProblemCode::VersionUnsupported,
            field::EXCHANGE_VERSION,
        ),
        (
            json!({"username": ""}),
            ProblemCode::UsernameEmpty,
            field::USERNAME,
        ),
        (
            json!({"username": "jan@officeheart.nl"}),
            ProblemCode::UsernameIsUpn,
            field::USERNAME,
        ),
        (
            json!({"username": "jan;piet"}),
            ProblemCode::UsernameInvalidCharacters,
            field::USERNAME,
        ),
        (
            json!({"username": "a".repeat(21)}),
            ProblemCode::UsernameTooLong,
            field::USERNAME,
        ),
        (
            json!({"username": "SALES\\jan"}),
            ProblemCode::UsernameDomainMismatch,
            field::USERNAME,
        ),
        (
            json!({"domain": null}),
            ProblemCode::DomainEmpty,
            field::DOMAIN,
        ),
        (
            json!({"domain": "officeheart.local"}),
            ProblemCode::DomainHasDots,
            field::DOMAIN,
        ),
        (
            json!({"domain": "officeheartofficeheart"}),
            ProblemCode::DomainTooLong,
            field::DOMAIN,
        ),
        (
            json!({"domain": "office*heart"}),
            ProblemCode::DomainInvalidCharacters,
            field::DOMAIN,
        ),
        (
            json!({"mailbox": "agenda"}),
            ProblemCode::MailboxInvalid,
            field::MAILBOX,
        ),
        (
            json!({"password": ""}),
            ProblemCode::PasswordEmpty,
            field::PASSWORD,
        ),
        (
            json!({"conflict_policy": "oldest_wins"}),
            ProblemCode::ConflictPolicyUnknown,
            field::CONFLICT_POLICY,
        ),
        (
            json!({"direction": "sideways"}),
            ProblemCode::DirectionUnknown,
            field::DIRECTION,
        ),
        (
            json!({"window_days_back": "dertig"}),
            ProblemCode::WindowNotANumber,
            field::WINDOW_DAYS_BACK,
        ),
        (
            json!({"window_days_ahead": 2.5}),
            ProblemCode::WindowNotANumber,
            field::WINDOW_DAYS_AHEAD,
        ),
        (
            json!({"window_days_back": -1}),
            ProblemCode::WindowOutOfRange,
            field::WINDOW_DAYS_BACK,
        ),
        (
            json!({"window_days_back": 366}),
            ProblemCode::WindowOutOfRange,
            field::WINDOW_DAYS_BACK,
        ),
        (
            json!({"window_days_ahead": 0}),
            ProblemCode::WindowOutOfRange,
            field::WINDOW_DAYS_AHEAD,
        ),
        (
            json!({"window_days_ahead": 18446744073709551615_u64}),
            ProblemCode::WindowOutOfRange,
            field::WINDOW_DAYS_AHEAD,
        ),
        (
            json!({"window_days_back": 365, "window_days_ahead": 366}),
            ProblemCode::WindowTooLong,
            field::WINDOW_DAYS_AHEAD,
        ),
    ];
    for (changes, code, field_name) in cases {
        let errors = run(&with(changes.clone())).unwrap_err();
        assert_eq!(errors.len(), 1, "{changes}: {errors:?}");
        assert_eq!(errors[0].code, code.as_str(), "{changes}");
        assert_eq!(errors[0].field, field_name, "{changes}");
        assert_texts(&errors[0]);
    }
}

#[test]
fn all_problems_are_reported_at_once() {
    let body = json!({
        "ews_url": "http://user:pw@10.1.2.3/owa/#x",
        "exchange_version": "Exchange2019",
        "username": "jan@officeheart.nl",
        "domain": "officeheart.local",
        "password": "",
        "mailbox": "not-an-address",
        "conflict_policy": "oldest_wins",
        "direction": "sideways",
        "window_days_back": "many",
        "window_days_ahead": 9999,
    });
    let errors = run(&body).unwrap_err();
    let mut found = codes(&errors);
    found.sort_unstable();
    let mut expected = vec![
        "url_not_https",
        "url_has_credentials",
        "url_has_fragment",
        "url_private_address",
        "url_is_owa",
        "version_unknown",
        "username_is_upn",
        "domain_has_dots",
        "password_empty",
        "mailbox_invalid",
        "conflict_policy_unknown",
        "direction_unknown",
        "window_not_a_number",
        "window_out_of_range",
    ];
    expected.sort_unstable();
    assert_eq!(found, expected);
    errors.iter().for_each(assert_texts);
}

#[test]
fn an_empty_body_asks_for_every_required_field() {
    let errors = run(&json!({})).unwrap_err();
    assert_eq!(
        codes(&errors),
        vec![
            "url_empty",
            "version_empty",
            "username_empty",
            "domain_empty"
        ]
    );
}

#[test]
fn domain_backslash_user_is_split_and_explained() {
    let settings = run(&with(
        json!({"username": " OFFICEHEART\\jan ", "domain": null}),
    ))
    .unwrap();
    assert_eq!(settings.account.domain.as_str(), "OFFICEHEART");
    assert_eq!(settings.account.username.as_str(), "jan");
    assert_eq!(codes(&settings.notices), vec!["username_domain_split"]);
    assert_eq!(settings.notices[0].field, field::USERNAME);
    assert!(settings.notices[0].message.nl.contains("'OFFICEHEART'"));
    assert_texts(&settings.notices[0]);

    let same = run(&with(json!({"username": "officeheart\\jan"}))).unwrap();
    assert_eq!(same.account.domain.as_str(), "officeheart");
    assert_eq!(codes(&same.notices), vec!["username_domain_split"]);

    let dotted = run(&with(
        json!({"username": "officeheart.local\\jan", "domain": ""}),
    ))
    .unwrap_err();
    assert_eq!(codes(&dotted), vec!["domain_has_dots"]);
}

#[test]
fn messages_carry_the_hint_that_fixes_the_problem() {
    let dotted = run(&with(json!({"domain": "officeheart.local"}))).unwrap_err();
    assert!(
        dotted[0]
            .message
            .nl
            .contains("'officeheart' in plaats van 'officeheart.local'")
    );
    assert!(
        dotted[0]
            .message
            .en
            .contains("'officeheart' instead of 'officeheart.local'")
    );
    let version = run(&with(json!({"exchange_version": "Exchange2019"}))).unwrap_err();
    for accepted in [
        "Exchange2007_SP1",
        "Exchange2010_SP2",
        "Exchange2013_SP1",
        "Exchange2016",
    ] {
        assert!(version[0].message.en.contains(accepted), "{accepted}");
    }
    assert!(!version[0].message.en.contains("Exchange2007,"));
    let online = run(&with(
        json!({"ews_url": "https://outlook.office365.com/EWS/Exchange.asmx"}),
    ))
    .unwrap_err();
    assert!(online[0].message.nl.contains("1 oktober 2026"));
    assert!(online[0].message.en.contains("1 April 2027"));
    let owa = run(&with(json!({"ews_url": "https://mail.officeheart.nl/owa"}))).unwrap_err();
    assert!(
        owa[0]
            .message
            .en
            .contains("https://mail.officeheart.nl/EWS/Exchange.asmx")
    );
}

#[test]
fn choices_and_window_map_to_the_engine_policy() {
    let settings = run(&with(json!({
        "conflict_policy": " Exchange_Wins ",
        "direction": "officeheart_to_exchange",
        "window_days_back": "7",
        "window_days_ahead": 90,
        "active": false,
        "mailbox": "Agenda@OfficeHeart.nl",
    })))
    .unwrap();
    let policy = settings.sync_policy();
    assert_eq!(policy.conflict, ConflictPolicy::ExchangeWins);
    assert_eq!(policy.direction, Direction::OfficeHeartToExchange);
    assert_eq!(
        policy.window,
        ohsync_engine::window::SyncWindow::new(7, 90).unwrap()
    );
    assert!(!settings.active);
    assert_eq!(
        settings.account.mailbox.unwrap().as_str(),
        "Agenda@OfficeHeart.nl"
    );
}

#[test]
fn an_unknown_field_is_refused_rather_than_ignored() {
    let err =
        serde_json::from_value::<ExchangeSettingsInput>(with(json!({"pasword": "x"}))).unwrap_err();
    assert!(err.to_string().contains("pasword"));
    let every_field: serde_json::Map<String, Value> = field::ALL
        .iter()
        .map(|name| ((*name).to_owned(), Value::Null))
        .collect();
    serde_json::from_value::<ExchangeSettingsInput>(Value::Object(every_field)).unwrap();
}

#[test]
fn the_password_never_appears_in_debug_output() {
    let input = input(&base());
    assert!(!format!("{input:?}").contains(PASSWORD));
    assert!(!format!("{input:#?}").contains(PASSWORD));
    let settings = validate(input, &OperatorPolicy::default()).unwrap();
    let debug = format!("{settings:?}");
    assert!(!debug.contains(PASSWORD));
    assert!(debug.contains("REDACTED"));
    assert_eq!(
        settings.password_or_required().unwrap().expose_secret(),
        PASSWORD
    );
    let without = run(&with(json!({"password": null}))).unwrap();
    assert_eq!(
        without.password_or_required().unwrap_err().code,
        "password_required"
    );
}

fn url(raw: &str) -> String {
    EwsUrl::parse(raw, &OperatorPolicy::default())
        .unwrap()
        .to_string()
}

#[test]
fn urls_are_normalised_but_keep_the_path_as_typed() {
    assert_eq!(
        url(" HTTPS://Mail.OfficeHeart.NL:443/EWS/Exchange.asmx "),
        "https://mail.officeheart.nl/EWS/Exchange.asmx"
    );
    assert_eq!(
        url("https://mail.officeheart.nl"),
        "https://mail.officeheart.nl/EWS/Exchange.asmx"
    );
    assert_eq!(
        url("https://mail.officeheart.nl/"),
        "https://mail.officeheart.nl/EWS/Exchange.asmx"
    );
    assert_eq!(
        url("https://mail.officeheart.nl./ews/exchange.asmx/"),
        "https://mail.officeheart.nl/ews/exchange.asmx"
    );
    assert_eq!(
        url("https://mail.officeheart.nl:8443/EWS/Exchange.asmx#"),
        "https://mail.officeheart.nl:8443/EWS/Exchange.asmx"
    );
    assert_eq!(
        url("https://mail.officeheart.nl/EWS/Exchange.asmx?"),
        "https://mail.officeheart.nl/EWS/Exchange.asmx"
    );
    assert_eq!(
        url("https://93.184.216.34/EWS/Exchange.asmx"),
        "https://93.184.216.34/EWS/Exchange.asmx"
    );
    // Exchange Online is recognised by host only: an on-premises host containing the word is fine.
    assert_eq!(
        url("https://outlook.com.officeheart.nl"),
        "https://outlook.com.officeheart.nl/EWS/Exchange.asmx"
    );
}

#[test]
fn the_operator_policy_unlocks_http_and_private_hosts() {
    let operator =
        OperatorPolicy::parse("exchange.corp.local,10.1.2.0/24", "exchange.corp.local").unwrap();
    let internal = with(json!({"ews_url": "http://exchange.corp.local/EWS/Exchange.asmx"}));
    assert_eq!(
        run_with(&internal, &operator)
            .unwrap()
            .account
            .ews_url
            .as_str(),
        "http://exchange.corp.local/EWS/Exchange.asmx"
    );
    let private_ip = with(json!({"ews_url": "https://10.1.2.3/EWS/Exchange.asmx"}));
    assert!(run_with(&private_ip, &operator).is_ok());
    let http_ip = with(json!({"ews_url": "http://10.1.2.3/EWS/Exchange.asmx"}));
    assert_eq!(
        codes(&run_with(&http_ip, &operator).unwrap_err()),
        vec!["url_not_https"]
    );
    let other_private = with(json!({"ews_url": "https://10.1.3.3/EWS/Exchange.asmx"}));
    assert_eq!(
        codes(&run_with(&other_private, &operator).unwrap_err()),
        vec!["url_private_address"]
    );
    let bad = OperatorPolicy::parse("ok.example", "not a host").unwrap_err();
    assert!(
        bad.to_string().starts_with("OHSYNC_ALLOW_HTTP_HOSTS"),
        "{bad}"
    );
}

#[tokio::test]
async fn the_live_address_check_resolves_and_reports_with_the_same_codes() {
    let allow_localhost = OperatorPolicy::parse("localhost", "").unwrap();
    let local = EwsUrl::parse("https://localhost/EWS/Exchange.asmx", &allow_localhost).unwrap();
    let addresses = local
        .check_address(&allow_localhost.resolver())
        .await
        .unwrap();
    assert!(addresses.contains(&"127.0.0.1".parse().unwrap()));
    let refused = local
        .check_address(&OperatorPolicy::default().resolver())
        .await
        .unwrap_err();
    assert_eq!(refused.code, "url_private_address");
    assert_eq!(refused.field, field::EWS_URL);
    let nowhere = EwsUrl::parse(
        "https://does-not-exist.invalid/EWS/Exchange.asmx",
        &OperatorPolicy::default(),
    )
    .unwrap();
    let unresolvable = nowhere
        .check_address(&OperatorPolicy::default().resolver())
        .await
        .unwrap_err();
    assert_eq!(unresolvable.code, "url_host_unresolvable");
    assert!(unresolvable.message.en.contains("does-not-exist.invalid"));
}
