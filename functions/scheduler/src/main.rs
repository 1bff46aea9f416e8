//! The scheduler Lambda function (binary `ohsync-scheduler`): adapters from the environment,
//! then one [`Scheduler::handle`] per EventBridge tick.

use ohsync_aws_env::{Environment, log_format, sdk_config};
use ohsync_scheduler_function::Scheduler;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let env = Environment::from_process();
    ohsync_telemetry::init(log_format(&env)?);
    let scheduler = Scheduler::from_env(&env, &sdk_config(&env).await?)?;
    lambda_runtime::run(lambda_runtime::service_fn(|event| scheduler.handle(event))).await
}
