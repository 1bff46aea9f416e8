//! The local AWS stack (moto) that `infra/local/test.sh` starts and announces through the
//! environment.

use std::io::Write;

use aws_sdk_dynamodb::Client;
use ohsync_aws_env::test_stack::{ENDPOINT_VAR, REQUIRE_VAR};

/// The stack is required but not announced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{REQUIRE_VAR}=1 but {ENDPOINT_VAR} is not set")]
pub struct StackMissing;

/// The stack's endpoint; `Ok(None)` (after saying "skipped: no local stack" on stderr) when it is
/// not running and not required.
pub fn endpoint() -> Result<Option<String>, StackMissing> {
    if let Some(endpoint) = std::env::var(ENDPOINT_VAR)
        .ok()
        .filter(|endpoint| !endpoint.trim().is_empty())
    {
        return Ok(Some(endpoint));
    }
    if std::env::var(REQUIRE_VAR).as_deref() == Ok("1") {
        return Err(StackMissing);
    }
    // Straight to stderr: the test harness swallows print! output of passing tests.
    let _ = writeln!(
        std::io::stderr(),
        "skipped: no local stack ({ENDPOINT_VAR} is not set; infra/local/test.sh sets it)"
    );
    Ok(None)
}

/// A DynamoDB client for `endpoint`, configured as every test configures the stack.
pub async fn dynamodb_client(endpoint: &str) -> Client {
    Client::new(&ohsync_aws_env::test_stack::sdk_config(endpoint).await)
}
