//! The settings-API Lambda function: the same axum router `ohsync serve` serves
//! ([`ohsync_settings_api::router`]), here over the AWS adapters — settings and status in
//! DynamoDB, passwords in Secrets Manager, sync-now jobs on the SQS FIFO queue, the live check
//! against Exchange with the operator's allow-lists. The binary (`src/main.rs`) hands the
//! router to `lambda_http`, which turns each Function URL event into a request.
//!
//! Who may call is read once, at start, from the secret [`API_TOKENS_SECRET_VAR`] names:
//! `{"tokens":[{"tenant":"acme","sha256":"<hex of the token's SHA-256>"}]}`
//! (docs/SETTINGS-API.md). A new token takes effect with the next cold start.

use std::sync::Arc;

use aws_config::SdkConfig;
use ohsync_aws_env::{
    EnvError, Environment, insecure_tls_hosts, operator_policy, read_named_secret,
};
use ohsync_engine::ports::SystemClock;
use ohsync_ews::TransportConfig;
use ohsync_jobs_sqs::{QUEUE_URL_VAR, SqsJobQueue};
use ohsync_live_check::EwsLiveChecker;
use ohsync_secrets::SecretsManagerSecrets;
use ohsync_settings_api::{ApiState, CallerTokens};
use ohsync_store_dynamodb::{DynamoSettingsStore, DynamoStore, TABLE_VARIABLE};
use secrecy::ExposeSecret;

/// The name (or ARN) of the Secrets Manager secret with the callers' token hashes.
pub const API_TOKENS_SECRET_VAR: &str = "OHSYNC_API_TOKENS_SECRET";

/// The API's ports and configuration from the environment: the table ([`TABLE_VARIABLE`]),
/// the job queue ([`QUEUE_URL_VAR`]), the callers ([`API_TOKENS_SECRET_VAR`]) and the
/// operator's allow-lists.
pub async fn api_state_from_env(env: &Environment, sdk: &SdkConfig) -> Result<ApiState, EnvError> {
    let table = env.required(
        TABLE_VARIABLE,
        "the DynamoDB table with settings and sync state",
    )?;
    let queue_url = env.required(QUEUE_URL_VAR, "the URL of the SQS FIFO job queue")?;
    let operator = operator_policy(env)?;
    let transport = TransportConfig {
        insecure_tls_hosts: insecure_tls_hosts(env)?,
        ..TransportConfig::default()
    };
    let tokens = read_named_secret(
        sdk,
        env,
        API_TOKENS_SECRET_VAR,
        "the secret with the callers' token hashes",
    )
    .await?;
    let callers =
        CallerTokens::from_json(tokens.expose_secret()).map_err(|error| EnvError::Secret {
            variable: API_TOKENS_SECRET_VAR,
            reason: error.to_string(),
        })?;
    let dynamodb = aws_sdk_dynamodb::Client::new(sdk);
    Ok(ApiState {
        settings: Arc::new(DynamoSettingsStore::new(dynamodb.clone(), table)),
        secrets: Arc::new(SecretsManagerSecrets::new(sdk)),
        store: Arc::new(DynamoStore::new(dynamodb, table)),
        jobs: Arc::new(SqsJobQueue::new(sdk, queue_url)),
        live_checker: Arc::new(EwsLiveChecker::new(operator.clone(), transport)),
        clock: Arc::new(SystemClock),
        operator: Arc::new(operator),
        callers,
    })
}
