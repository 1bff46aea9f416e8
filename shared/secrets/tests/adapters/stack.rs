//! The local stack: moto at `OHSYNC_TEST_AWS_ENDPOINT`, and SDK configurations pointed at it
//! (or at a proxy in front of it).

use std::io::Write;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_secretsmanager::Client;
use aws_sdk_secretsmanager::config::Credentials;
use ohsync_engine::identity::{TenantId, UserId};
use ohsync_engine::ports::SecretName;

/// moto's address, or `None` (after saying so) when no stack runs; with
/// `OHSYNC_REQUIRE_STACK=1` a missing stack fails the test instead.
pub fn stack_endpoint() -> Option<String> {
    if let Ok(endpoint) = std::env::var("OHSYNC_TEST_AWS_ENDPOINT") {
        return Some(endpoint);
    }
    assert_ne!(
        std::env::var("OHSYNC_REQUIRE_STACK").as_deref(),
        Ok("1"),
        "OHSYNC_REQUIRE_STACK=1 but OHSYNC_TEST_AWS_ENDPOINT is not set"
    );
    // Straight to stderr: the harness swallows the captured output of a passing test.
    let _ = writeln!(std::io::stderr(), "skipped: no local stack");
    None
}

/// A configuration for `endpoint` with quick retries (3 attempts) and `attempt_timeout` per
/// attempt. moto accepts any credentials; these are used when the environment has none.
pub async fn sdk_config(endpoint: &str, attempt_timeout: Duration) -> SdkConfig {
    let region = std::env::var("AWS_REGION").unwrap_or_else(|_| "eu-west-1".into());
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new(region))
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(3)
                .with_initial_backoff(Duration::from_millis(5)),
        )
        .timeout_config(
            TimeoutConfig::builder()
                .operation_attempt_timeout(attempt_timeout)
                .build(),
        );
    if std::env::var("AWS_ACCESS_KEY_ID").is_err() {
        loader = loader.credentials_provider(Credentials::new(
            "testing",
            "testing",
            None,
            None,
            "ohsync-tests",
        ));
    }
    loader.load().await
}

/// A raw client on the stack, for looking behind the adapter's back.
pub async fn raw_client(endpoint: &str) -> Client {
    Client::new(&sdk_config(endpoint, Duration::from_secs(5)).await)
}

/// How many versions Secrets Manager holds for `name`.
pub async fn version_count(client: &Client, name: &SecretName) -> usize {
    client
        .list_secret_version_ids()
        .secret_id(name.as_str())
        .include_deprecated(true)
        .send()
        .await
        .unwrap()
        .versions()
        .len()
}

/// A name no other test uses (tests share one moto and run in parallel). The user id ends in a
/// hyphen and six characters, the shape the name's fixed last segment protects.
pub fn fresh_name() -> SecretName {
    let tenant = format!("t{}", uuid::Uuid::new_v4().simple());
    SecretName::exchange_password(
        &TenantId::parse(&tenant).unwrap(),
        &UserId::parse("jan-bakker").unwrap(),
    )
}
