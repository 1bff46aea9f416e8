//! A secret read by its name, for secrets the function itself needs (the OfficeHeart token).
//! The per-user Exchange passwords go through the `Secrets` port by exact version instead.

use aws_config::SdkConfig;
use aws_sdk_secretsmanager::error::ProvideErrorMetadata;
use secrecy::SecretString;

use crate::{EnvError, Environment};

/// The current value of the secret whose name or ARN `variable` holds. Errors name the
/// variable and the AWS error code, never the value.
pub async fn read_named_secret(
    config: &SdkConfig,
    env: &Environment,
    variable: &'static str,
    purpose: &'static str,
) -> Result<SecretString, EnvError> {
    let name = env.required(variable, purpose)?;
    let client = aws_sdk_secretsmanager::Client::new(config);
    let output = client
        .get_secret_value()
        .secret_id(name)
        .send()
        .await
        .map_err(|error| EnvError::Secret {
            variable,
            reason: error.code().map_or_else(
                || "no answer from Secrets Manager".to_owned(),
                str::to_owned,
            ),
        })?;
    output
        .secret_string
        .filter(|value| !value.trim().is_empty())
        .map(SecretString::from)
        .ok_or(EnvError::Secret {
            variable,
            reason: "the secret holds no text".to_owned(),
        })
}
