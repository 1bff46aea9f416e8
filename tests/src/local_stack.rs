//! The local AWS stack (moto) that `infra/local/test.sh` starts and announces through the
//! environment.

use std::io::Write;

use aws_config::BehaviorVersion;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::{Credentials, Region};

/// The variable holding the stack's endpoint, e.g. `http://127.0.0.1:5000`.
pub const ENDPOINT_VARIABLE: &str = "OHSYNC_TEST_AWS_ENDPOINT";
/// Set to `1` to turn a missing stack into a failure instead of a skip.
pub const REQUIRE_VARIABLE: &str = "OHSYNC_REQUIRE_STACK";

/// The stack is required but not announced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{REQUIRE_VARIABLE}=1 but {ENDPOINT_VARIABLE} is not set")]
pub struct StackMissing;

/// The stack's endpoint; `Ok(None)` (after saying "skipped: no local stack" on stderr) when it is
/// not running and not required.
pub fn endpoint() -> Result<Option<String>, StackMissing> {
    if let Some(endpoint) = std::env::var(ENDPOINT_VARIABLE)
        .ok()
        .filter(|endpoint| !endpoint.trim().is_empty())
    {
        return Ok(Some(endpoint));
    }
    if std::env::var(REQUIRE_VARIABLE).as_deref() == Ok("1") {
        return Err(StackMissing);
    }
    // Straight to stderr: the test harness swallows print! output of passing tests.
    let _ = writeln!(
        std::io::stderr(),
        "skipped: no local stack ({ENDPOINT_VARIABLE} is not set; infra/local/test.sh sets it)"
    );
    Ok(None)
}

/// A DynamoDB client for `endpoint`. moto accepts any credentials; fixed ones are used when the
/// environment has none, and a region when it names none.
pub async fn dynamodb_client(endpoint: &str) -> Client {
    let region = std::env::var("AWS_REGION").unwrap_or_else(|_| "eu-west-1".to_owned());
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new(region));
    if std::env::var("AWS_ACCESS_KEY_ID").is_err() {
        loader = loader.credentials_provider(Credentials::new(
            "testing",
            "testing",
            None,
            None,
            "ohsync-e2e",
        ));
    }
    Client::new(&loader.load().await)
}
