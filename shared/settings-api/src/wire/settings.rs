//! The Exchange settings as sent and as shown.

use chrono::{DateTime, Utc};
use ohsync_settings::{DaysInput, ExchangeSettingsInput, PolicyChoice, StoredSettings, field};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, Type};

use super::{FieldErrorBody, SyncStatusView, Text};
use crate::body::BodyFields;

/// A window size as the body may give it: a whole number, or a string holding one.
fn days_schema() -> impl Into<RefOr<Schema>> {
    OneOfBuilder::new()
        .item(ObjectBuilder::new().schema_type(Type::Integer))
        .item(ObjectBuilder::new().schema_type(Type::String))
        .description(Some(
            "A whole number of days, as a JSON integer or a string holding one. \
             window_days_back: 0–365 (default 30); window_days_ahead: 1–730 (default 365); \
             together at most 730.",
        ))
}

/// The body of `PUT …/exchange-settings` and `POST …/exchange-settings/validate`. Every field
/// is optional here so that validation can report every problem at once; which ones are
/// required is a validation rule. Unknown fields are refused (`body_invalid`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExchangeSettingsBody {
    /// Sync on (default) or off.
    #[schema(default = true)]
    active: Option<bool>,
    /// The EWS endpoint, usually `https://<server>/EWS/Exchange.asmx`.
    #[schema(example = "https://mail.example.nl/EWS/Exchange.asmx")]
    ews_url: Option<String>,
    /// The `RequestServerVersion`, e.g. `Exchange2016` (also for Exchange 2019 and later).
    #[schema(example = "Exchange2016")]
    exchange_version: Option<String>,
    /// The Windows account name (sAMAccountName), or `DOMAIN\user`.
    #[schema(example = "jan")]
    username: Option<String>,
    /// The short (NetBIOS) Windows domain, without dots.
    #[schema(example = "officeheart")]
    domain: Option<String>,
    /// The Windows password: write-only, never answered or logged. Absent keeps the stored
    /// one; a first save needs one.
    #[schema(value_type = Option<String>, format = Password, write_only)]
    password: Option<SecretString>,
    /// The SMTP address of another mailbox to sync; empty or absent for the account's own.
    mailbox: Option<String>,
    /// `newest_wins` (default), `officeheart_wins` or `exchange_wins`.
    #[schema(example = "newest_wins")]
    conflict_policy: Option<String>,
    /// `two_way` (default), `officeheart_to_exchange` or `exchange_to_officeheart`.
    #[schema(example = "two_way")]
    direction: Option<String>,
    /// Days before today in the sync window.
    #[schema(schema_with = days_schema)]
    window_days_back: Option<DaysInput>,
    /// Days after today in the sync window.
    #[schema(schema_with = days_schema)]
    window_days_ahead: Option<DaysInput>,
}

impl BodyFields for ExchangeSettingsBody {
    const FIELDS: &'static [&'static str] = &field::ALL;
}

impl From<ExchangeSettingsBody> for ExchangeSettingsInput {
    fn from(body: ExchangeSettingsBody) -> Self {
        Self {
            active: body.active,
            ews_url: body.ews_url,
            exchange_version: body.exchange_version,
            username: body.username,
            domain: body.domain,
            password: body.password,
            mailbox: body.mailbox,
            conflict_policy: body.conflict_policy,
            direction: body.direction,
            window_days_back: body.window_days_back,
            window_days_ahead: body.window_days_ahead,
        }
    }
}

/// The stored settings as shown: never the password, only whether one is set.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExchangeSettingsView {
    /// Sync on or off.
    active: bool,
    /// The EWS endpoint, normalised.
    #[schema(example = "https://mail.example.nl/EWS/Exchange.asmx")]
    ews_url: String,
    /// The `RequestServerVersion`.
    #[schema(example = "Exchange2016")]
    exchange_version: String,
    /// The Windows account name.
    username: String,
    /// The short Windows domain.
    domain: String,
    /// Another mailbox synced instead of the account's own, or `null`.
    #[schema(required = true)]
    mailbox: Option<String>,
    /// Who wins when both sides changed an item.
    conflict_policy: &'static str,
    /// Which way changes flow.
    direction: &'static str,
    /// Days before today in the sync window.
    window_days_back: u32,
    /// Days after today in the sync window.
    window_days_ahead: u32,
    /// Whether a password is stored (it is never shown).
    password_set: bool,
    /// Incremented by every save; send it back as `If-Match: "<version>"` to save only over
    /// this version.
    settings_version: u64,
    /// When the settings were last saved.
    updated_at: DateTime<Utc>,
}

impl ExchangeSettingsView {
    /// The view of `stored`.
    pub fn new(stored: &StoredSettings, password_set: bool) -> Self {
        let account = &stored.account;
        Self {
            active: stored.active,
            ews_url: account.ews_url.as_str().to_owned(),
            exchange_version: account.exchange_version.to_string(),
            username: account.username.as_str().to_owned(),
            domain: account.domain.as_str().to_owned(),
            mailbox: account.mailbox.as_ref().map(|m| m.as_str().to_owned()),
            conflict_policy: stored.sync.conflict_policy.name(),
            direction: stored.sync.direction.name(),
            window_days_back: stored.sync.window.back(),
            window_days_ahead: stored.sync.window.ahead(),
            password_set,
            settings_version: stored.settings_version,
            updated_at: stored.updated_at,
        }
    }
}

/// The answer to a save.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SaveAnswer {
    /// The settings as saved.
    #[serde(flatten)]
    pub settings: ExchangeSettingsView,
    /// Whether the save moved the user to another Exchange account (URL, domain, user name or
    /// mailbox changed): sync starts afresh for it.
    pub binding_changed: bool,
    /// What a changed binding means, when it changed.
    #[schema(required = true)]
    pub binding_change: Option<Text>,
    /// Changes validation made to the input, explained (e.g. `DOMAIN\user` split).
    pub notices: Vec<FieldErrorBody>,
}

/// The answer to `GET …/exchange-settings`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SettingsAnswer {
    /// The stored settings.
    #[serde(flatten)]
    pub settings: ExchangeSettingsView,
    /// The sync status.
    pub status: SyncStatusView,
}
