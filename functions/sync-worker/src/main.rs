//! The sync-worker Lambda function (binary `ohsync-sync-worker`): the worker from the
//! environment, then one [`handle`] per batch of SQS records.

use ohsync_aws_env::{Environment, log_format, sdk_config};
use ohsync_sync_worker_function::{handle, worker_from_env};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let env = Environment::from_process();
    ohsync_telemetry::init(log_format(&env)?);
    let worker = worker_from_env(&env, &sdk_config(&env).await?).await?;
    lambda_runtime::run(lambda_runtime::service_fn(|event| handle(&worker, event))).await
}
