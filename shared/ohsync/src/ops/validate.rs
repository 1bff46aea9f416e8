//! `ohsync validate`: the settings API's checks — static validation, then the live check —
//! for settings given on the command line, nothing stored.

use ohsync_ews::TransportConfig;
use ohsync_live_check::EwsLiveChecker;
use ohsync_settings::live::{LiveCheckReport, LiveChecker};
use ohsync_settings::{ExchangeSettingsInput, OperatorPolicy, validate as validate_settings};
use secrecy::SecretString;

use crate::ops::OpsError;

/// The settings to check, as an admin would enter them in OfficeHeart.
#[derive(Debug, Clone)]
pub struct ValidateArgs {
    /// The EWS URL.
    pub ews_url: String,
    /// The Exchange version, e.g. `Exchange2016`.
    pub exchange_version: String,
    /// The Windows user name.
    pub username: String,
    /// The short (NetBIOS) domain.
    pub domain: String,
    /// Another mailbox to sync (impersonation), if any.
    pub mailbox: Option<String>,
    /// The password.
    pub password: SecretString,
}

/// Validates `args` as the settings API's `PUT` would, then runs the live check of
/// `POST …/validate` with the operator's allow-lists.
pub async fn validate(
    args: ValidateArgs,
    operator: &OperatorPolicy,
    transport: TransportConfig,
) -> Result<LiveCheckReport, OpsError> {
    let password = args.password.clone();
    let input = ExchangeSettingsInput {
        ews_url: Some(args.ews_url),
        exchange_version: Some(args.exchange_version),
        username: Some(args.username),
        domain: Some(args.domain),
        mailbox: args.mailbox,
        password: Some(args.password),
        ..ExchangeSettingsInput::default()
    };
    let validated = validate_settings(input, operator).map_err(OpsError::Invalid)?;
    Ok(EwsLiveChecker::new(operator.clone(), transport)
        .check(&validated, &password)
        .await)
}
