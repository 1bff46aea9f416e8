//! The user's two calendars for one run: the EWS mailbox from the settings and password, and
//! the OfficeHeart agenda from the worker's client.

use ohsync_engine::identity::{TenantId, UserId};
use ohsync_engine::ports::{SecretName, SecretRef, SecretVersionId};
use ohsync_ews::{EwsClient, NtlmAuth, TransportConfig};
use ohsync_ews_mailbox::{EwsMailbox, MailboxSettings};
use ohsync_settings::StoredSettings;
use secrecy::SecretString;

use crate::config::WorkerConfig;
use crate::failure::{FailureCode, JobFailure};

/// The secret the settings name, which must be this user's password and no one else's.
pub(crate) fn password_ref(
    tenant: &TenantId,
    user: &UserId,
    settings: &StoredSettings,
) -> Result<SecretRef, JobFailure> {
    let invalid = |detail: String| JobFailure::non_retryable(FailureCode::SettingsInvalid, detail);
    let name = SecretName::parse(&settings.secret_ref.name)
        .map_err(|error| invalid(format!("secret reference: {error}")))?;
    if name != SecretName::exchange_password(tenant, user) {
        return Err(invalid(format!(
            "the settings name the secret {name}, which is not this user's password"
        )));
    }
    let version_id = SecretVersionId::parse(&settings.secret_ref.version_id)
        .map_err(|error| invalid(format!("secret version: {error}")))?;
    Ok(SecretRef { name, version_id })
}

/// The user's Exchange calendar: NTLM with the stored account, the operator's address policy,
/// plain http only where the operator allows it for the host.
pub(crate) fn mailbox(
    settings: &StoredSettings,
    password: SecretString,
    config: &WorkerConfig,
) -> Result<EwsMailbox, JobFailure> {
    let account = &settings.account;
    let invalid = |error: ohsync_ews::EwsError| {
        JobFailure::non_retryable(FailureCode::SettingsInvalid, format!("EWS client: {error}"))
    };
    let auth = NtlmAuth::new(account.domain.as_str(), account.username.as_str(), password)
        .map_err(invalid)?;
    let mut transport = TransportConfig {
        address_policy: config.operator.address_policy().clone(),
        ..config.transport.clone()
    };
    let url = account.ews_url.as_url();
    if let Some(host) = url.host()
        && url.scheme() == "http"
        && config.operator.allows_http(&host)
    {
        transport
            .allow_http_hosts
            .push(host.to_string().trim_matches(['[', ']']).to_owned());
    }
    let builder = EwsClient::builder(account.ews_url.as_str(), auth, account.exchange_version)
        .transport(transport)
        .retry(config.ews_retry.clone())
        .batch_size(config.batch_size);
    let builder = match &account.mailbox {
        Some(mailbox) => builder.impersonate(mailbox.as_str()),
        None => builder,
    };
    let client = builder.build().map_err(invalid)?;
    Ok(EwsMailbox::new(client, MailboxSettings::default()))
}
