//! Where the store lives: the table name and, for the local stack, the endpoint.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::BehaviorVersion;

/// The variable naming the table.
pub const TABLE_VARIABLE: &str = "OHSYNC_STATE_TABLE";
/// The variable overriding the DynamoDB endpoint (the local stack); unset on AWS.
pub const ENDPOINT_VARIABLE: &str = "OHSYNC_DYNAMODB_ENDPOINT";

/// The store's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DynamoConfig {
    /// The table.
    pub table: String,
    /// An endpoint other than AWS's (e.g. `http://127.0.0.1:5000` for moto).
    pub endpoint: Option<String>,
}

/// A missing or empty setting.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the environment variable {0} must name the DynamoDB table")]
pub struct ConfigError(pub &'static str);

impl DynamoConfig {
    /// Reads [`TABLE_VARIABLE`] and [`ENDPOINT_VARIABLE`].
    pub fn from_env() -> Result<Self, ConfigError> {
        let table = std::env::var(TABLE_VARIABLE)
            .ok()
            .filter(|table| !table.trim().is_empty())
            .ok_or(ConfigError(TABLE_VARIABLE))?;
        let endpoint = std::env::var(ENDPOINT_VARIABLE)
            .ok()
            .filter(|endpoint| !endpoint.trim().is_empty());
        Ok(Self { table, endpoint })
    }

    /// A client from the AWS environment (region, credentials), at the configured endpoint.
    pub async fn client(&self) -> Client {
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let Some(endpoint) = &self.endpoint {
            loader = loader.endpoint_url(endpoint);
        }
        Client::new(&loader.load().await)
    }
}
