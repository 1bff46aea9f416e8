//! The worker a Lambda function's environment describes (feature `aws`): DynamoDB, Secrets
//! Manager and the operator's allow-lists, as the sync-worker function and `ohsync --aws` use it.

use std::sync::Arc;

use crate::{
    DEFAULT_RUNS_PER_EXCHANGE_HOST, OFFICEHEART_URL_VAR, SyncWorker, WorkerConfig, WorkerPorts,
};
use aws_config::SdkConfig;
use chrono::TimeDelta;
use ohsync_aws_env::{
    EnvError, Environment, insecure_tls_hosts, operator_policy, read_named_secret,
};
use ohsync_engine::executor::RunOptions;
use ohsync_engine::ports::SystemClock;
use ohsync_secrets::{CachedSecrets, SecretsManagerSecrets};
use ohsync_store_dynamodb::{DynamoHostSlots, DynamoSettingsStore, DynamoStore, TABLE_VARIABLE};
use url::Url;

/// The name (or ARN) of the Secrets Manager secret holding ohsync's OfficeHeart token.
pub const OFFICEHEART_TOKEN_SECRET_VAR: &str = "OHSYNC_OFFICEHEART_TOKEN_SECRET";
/// The function's timeout in seconds (default 900, the Lambda maximum): the longest a run
/// lives, from which the engine's intent lease is derived.
pub const MAX_RUN_SECONDS_VAR: &str = "OHSYNC_MAX_RUN_SECONDS";
/// Items per Exchange request (default `RunOptions::DEFAULT_EXCHANGE_BATCH_SIZE`, 125).
pub const BATCH_SIZE_VAR: &str = "OHSYNC_EXCHANGE_BATCH_SIZE";
/// Runs at once against one Exchange host over all workers (default
/// [`DEFAULT_RUNS_PER_EXCHANGE_HOST`]).
pub const RUNS_PER_EXCHANGE_HOST_VAR: &str = "OHSYNC_RUNS_PER_EXCHANGE_HOST";

/// The worker from the environment: the DynamoDB table ([`TABLE_VARIABLE`]) for settings and
/// sync state, Secrets Manager behind a version-keyed cache for the passwords, OfficeHeart at
/// [`OFFICEHEART_URL_VAR`] with the token from [`OFFICEHEART_TOKEN_SECRET_VAR`] (read once,
/// here), the operator's allow-lists ([`operator_policy`], [`insecure_tls_hosts`]), runs per
/// Exchange host capped over all workers through slots in the same table, and optionally
/// [`MAX_RUN_SECONDS_VAR`], [`BATCH_SIZE_VAR`] and [`RUNS_PER_EXCHANGE_HOST_VAR`].
pub async fn worker_from_env(env: &Environment, sdk: &SdkConfig) -> Result<SyncWorker, EnvError> {
    let table = env.required(
        TABLE_VARIABLE,
        "the DynamoDB table with settings and sync state",
    )?;
    let officeheart_url =
        env.required(OFFICEHEART_URL_VAR, "the OfficeHeart agenda API's root URL")?;
    let officeheart_url = Url::parse(officeheart_url).map_err(|error| EnvError::Invalid {
        variable: OFFICEHEART_URL_VAR,
        reason: error.to_string(),
    })?;
    let operator = operator_policy(env)?;
    let max_run_seconds = env.positive_or(MAX_RUN_SECONDS_VAR, 900)?;
    let batch_size = env.positive_or(BATCH_SIZE_VAR, RunOptions::DEFAULT_EXCHANGE_BATCH_SIZE)?;
    let runs_per_host =
        env.positive_or(RUNS_PER_EXCHANGE_HOST_VAR, DEFAULT_RUNS_PER_EXCHANGE_HOST)?;
    let token = read_named_secret(
        sdk,
        env,
        OFFICEHEART_TOKEN_SECRET_VAR,
        "the secret with ohsync's OfficeHeart token",
    )
    .await?;

    let dynamodb = aws_sdk_dynamodb::Client::new(sdk);
    let ports = WorkerPorts {
        settings: Arc::new(DynamoSettingsStore::new(dynamodb.clone(), table)),
        store: Arc::new(DynamoStore::new(dynamodb.clone(), table)),
        secrets: Arc::new(CachedSecrets::new(SecretsManagerSecrets::new(sdk))),
        clock: Arc::new(SystemClock),
    };
    let mut config = WorkerConfig::new(officeheart_url, token, operator);
    config.max_run_time = TimeDelta::seconds(max_run_seconds);
    config.batch_size = batch_size;
    config.runs_per_exchange_host = runs_per_host;
    config.transport.insecure_tls_hosts = insecure_tls_hosts(env)?;
    Ok(SyncWorker::new(ports, config)
        .with_host_slots(Arc::new(DynamoHostSlots::new(dynamodb, table))))
}
