//! The `Secrets` port on AWS Secrets Manager: one secret per user, one version per password.

mod failure;

use std::time::Duration;

use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_secretsmanager::Client;
use ohsync_engine::ports::{SecretName, SecretRef, SecretVersionId, Secrets, SecretsError};
use secrecy::{ExposeSecret, SecretString};

use crate::version_id::fresh_version_id;
use failure::{Failure, classify};

/// Days a deleted secret can still be restored (`RestoreSecret`) before Secrets Manager removes
/// it: the shortest window it allows. Deleting is a user's "switch off and forget my password";
/// the value is unreadable at once, and for a week an operator can undo a deletion made by
/// mistake instead of asking the user for the password again.
pub const RECOVERY_WINDOW_DAYS: i64 = 7;

/// Limits used where the given configuration sets none: a run must not hang on one call, and a
/// worker's Lambda deadline is minutes, not the SDK's unbounded default.
const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);
const DEFAULT_OPERATION_TIMEOUT: Duration = Duration::from_secs(15);

/// The id of the version a write creates, sent as the client request token: a write retried
/// with the same token (by the SDK after a lost answer, or by the caller) finds the version
/// instead of making a second one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteToken(SecretVersionId);

impl WriteToken {
    /// A fresh token.
    pub fn random() -> Self {
        Self(fresh_version_id())
    }
}

/// Where a secret stands, as `DescribeSecret` tells it.
enum SecretState {
    Absent,
    Live,
    ScheduledForDeletion,
}

/// The port on AWS Secrets Manager. IAM can confine it to `ohsync/*`, the prefix of every name.
#[derive(Debug, Clone)]
pub struct SecretsManagerSecrets {
    client: Client,
}

impl SecretsManagerSecrets {
    /// A client from `config` (region, credentials, endpoint, retries), with a per-attempt and
    /// a per-call timeout where `config` sets none.
    pub fn new(config: &SdkConfig) -> Self {
        let timeouts = with_default_timeouts(config.timeout_config());
        let client_config = aws_sdk_secretsmanager::config::Builder::from(config)
            .timeout_config(timeouts)
            .build();
        Self {
            client: Client::from_conf(client_config),
        }
    }

    /// Stores `value` as the version `token` names. Repeating a write with the same token and
    /// value answers the same reference and adds no version.
    pub async fn write_with_token(
        &self,
        name: &SecretName,
        value: &SecretString,
        token: &WriteToken,
    ) -> Result<SecretRef, SecretsError> {
        match self.state(name).await? {
            SecretState::Absent => match self.create(name, value, token).await {
                // Another writer created it between the look and the create.
                Err(Failure::Exists(_)) => self.put(name, value, token).await?,
                other => other?,
            },
            SecretState::Live => self.put(name, value, token).await?,
            SecretState::ScheduledForDeletion => {
                self.client
                    .restore_secret()
                    .secret_id(name.as_str())
                    .send()
                    .await
                    .map_err(|error| SecretsError::from(classify(error)))?;
                self.put(name, value, token).await?;
            }
        }
        Ok(SecretRef {
            name: name.clone(),
            version_id: token.0.clone(),
        })
    }

    async fn create(
        &self,
        name: &SecretName,
        value: &SecretString,
        token: &WriteToken,
    ) -> Result<(), Failure> {
        self.client
            .create_secret()
            .name(name.as_str())
            .secret_string(value.expose_secret())
            .client_request_token(token.0.as_str())
            .send()
            .await
            .map(drop)
            .map_err(classify)
    }

    async fn put(
        &self,
        name: &SecretName,
        value: &SecretString,
        token: &WriteToken,
    ) -> Result<(), Failure> {
        self.client
            .put_secret_value()
            .secret_id(name.as_str())
            .secret_string(value.expose_secret())
            .client_request_token(token.0.as_str())
            .send()
            .await
            .map(drop)
            .map_err(classify)
    }

    async fn state(&self, name: &SecretName) -> Result<SecretState, SecretsError> {
        match self
            .client
            .describe_secret()
            .secret_id(name.as_str())
            .send()
            .await
        {
            Ok(described) if described.deleted_date().is_some() => {
                Ok(SecretState::ScheduledForDeletion)
            }
            Ok(_) => Ok(SecretState::Live),
            Err(error) => match classify(error) {
                Failure::NotFound => Ok(SecretState::Absent),
                other => Err(other.into()),
            },
        }
    }

    /// Turns an `InvalidRequestException` into `NotFound` when the secret is scheduled for
    /// deletion (the service's answer for reading or deleting it again), else into `Invalid`.
    async fn unless_deleted(&self, name: &SecretName, message: String) -> SecretsError {
        match self.state(name).await {
            Ok(SecretState::ScheduledForDeletion) => SecretsError::NotFound,
            Ok(_) => SecretsError::Invalid(message),
            Err(error) => error,
        }
    }
}

/// `timeouts` with the adapter's defaults filled in where it sets none.
fn with_default_timeouts(timeouts: Option<&TimeoutConfig>) -> TimeoutConfig {
    let defaults = TimeoutConfig::builder()
        .operation_attempt_timeout(DEFAULT_ATTEMPT_TIMEOUT)
        .operation_timeout(DEFAULT_OPERATION_TIMEOUT);
    match timeouts {
        Some(given) => given.to_builder().take_unset_from(defaults).build(),
        None => defaults.build(),
    }
}

#[async_trait]
impl Secrets for SecretsManagerSecrets {
    async fn read(&self, reference: &SecretRef) -> Result<SecretString, SecretsError> {
        let answer = self
            .client
            .get_secret_value()
            .secret_id(reference.name.as_str())
            .version_id(reference.version_id.as_str())
            .send()
            .await;
        match answer {
            Ok(mut output) => output
                .secret_string
                .take()
                .map(SecretString::from)
                .ok_or_else(|| {
                    SecretsError::Invalid("the secret version holds binary data, not text".into())
                }),
            Err(error) => Err(match classify(error) {
                Failure::InvalidRequest(message) => {
                    self.unless_deleted(&reference.name, message).await
                }
                other => other.into(),
            }),
        }
    }

    async fn write(
        &self,
        name: &SecretName,
        value: &SecretString,
    ) -> Result<SecretRef, SecretsError> {
        self.write_with_token(name, value, &WriteToken::random())
            .await
    }

    async fn delete(&self, name: &SecretName) -> Result<(), SecretsError> {
        let answer = self
            .client
            .delete_secret()
            .secret_id(name.as_str())
            .recovery_window_in_days(RECOVERY_WINDOW_DAYS)
            .send()
            .await;
        match answer.map_err(classify) {
            Ok(_) | Err(Failure::NotFound) => Ok(()),
            Err(Failure::InvalidRequest(message)) => match self.unless_deleted(name, message).await
            {
                SecretsError::NotFound => Ok(()),
                error => Err(error),
            },
            Err(other) => Err(other.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_fill_only_the_unset_timeouts() {
        let given = TimeoutConfig::builder()
            .operation_attempt_timeout(Duration::from_millis(300))
            .connect_timeout(Duration::from_secs(1))
            .build();
        let merged = with_default_timeouts(Some(&given));
        assert_eq!(
            merged.operation_attempt_timeout(),
            Some(Duration::from_millis(300))
        );
        assert_eq!(merged.connect_timeout(), Some(Duration::from_secs(1)));
        assert_eq!(merged.operation_timeout(), Some(DEFAULT_OPERATION_TIMEOUT));

        let none = with_default_timeouts(None);
        assert_eq!(
            none.operation_attempt_timeout(),
            Some(DEFAULT_ATTEMPT_TIMEOUT)
        );
        assert_eq!(none.operation_timeout(), Some(DEFAULT_OPERATION_TIMEOUT));
    }

    #[test]
    fn write_tokens_are_fresh_and_within_the_token_length() {
        let (a, b) = (WriteToken::random(), WriteToken::random());
        assert_ne!(a, b);
        assert!((32..=64).contains(&a.0.as_str().len()));
    }
}
