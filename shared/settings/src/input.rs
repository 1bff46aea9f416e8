//! What the settings API receives: loose on purpose, so that every problem is found by
//! validation and reported at once instead of the first type error aborting the request.

use secrecy::SecretString;
use serde::Deserialize;
use serde_json::Value;

/// The body of `PUT …/exchange-settings` and `POST …/exchange-settings/validate`.
///
/// Every field is optional; text fields are plain strings, the window sizes accept a number or
/// a numeric string. Unknown fields are refused, so a misspelt field (a password under the
/// wrong name) is an error rather than silently lost.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExchangeSettingsInput {
    /// Sync on/off (default on).
    pub active: Option<bool>,
    /// The EWS endpoint.
    pub ews_url: Option<String>,
    /// The `RequestServerVersion` value.
    pub exchange_version: Option<String>,
    /// The Windows account name, or `DOMAIN\user`.
    pub username: Option<String>,
    /// The short Windows domain.
    pub domain: Option<String>,
    /// The Windows password: write-only, never serialised, redacted in Debug. Absent keeps the
    /// stored one.
    pub password: Option<SecretString>,
    /// Another mailbox to sync (SMTP address); empty or absent for the account's own.
    pub mailbox: Option<String>,
    /// `newest_wins` (default), `officeheart_wins` or `exchange_wins`.
    pub conflict_policy: Option<String>,
    /// `two_way` (default), `officeheart_to_exchange` or `exchange_to_officeheart`.
    pub direction: Option<String>,
    /// Days back (default 30).
    pub window_days_back: Option<DaysInput>,
    /// Days ahead (default 365).
    pub window_days_ahead: Option<DaysInput>,
}

/// A number of days as sent: a JSON integer, or anything else to be read as one.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum DaysInput {
    /// A JSON integer.
    Whole(i64),
    /// A numeric string such as `"30"`, or something that is not a number at all.
    Other(Value),
}

impl DaysInput {
    /// The whole number it holds, if any.
    pub(crate) fn whole_days(&self) -> Option<i64> {
        match self {
            Self::Whole(days) => Some(*days),
            Self::Other(Value::String(text)) => text.trim().parse().ok(),
            // An integer too large for i64 is out of range, not "not a number".
            Self::Other(Value::Number(number)) if number.is_u64() => Some(i64::MAX),
            Self::Other(_) => None,
        }
    }
}
