//! The settings-API Lambda function (binary `ohsync-settings-api`): the API's state from the
//! environment, then the router behind the Function URL.

use ohsync_aws_env::{Environment, log_format, sdk_config};
use ohsync_settings_api::router;
use ohsync_settings_api_function::api_state_from_env;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let env = Environment::from_process();
    ohsync_telemetry::init(log_format(&env)?);
    let state = api_state_from_env(&env, &sdk_config(&env).await?).await?;
    lambda_http::run(router(state)).await
}
