//! The local AWS stack for tests (moto at `OHSYNC_TEST_AWS_ENDPOINT`, started by
//! `infra/local/test.sh`): its endpoint or a printed skip, and an SDK configuration for it; a
//! proxy in front of it that injects faults ([`FaultProxy`]); and a Lambda Runtime API
//! ([`RuntimeApi`]) to run a function's binary against, or cargo-lambda's ([`CargoLambda`]).

mod cargo_lambda;
mod fault_proxy;
mod runtime_api;

pub use cargo_lambda::{CARGO_LAMBDA_VAR, CargoLambda};
pub use fault_proxy::{FaultProxy, Refusal, THROTTLING, THROUGHPUT_EXCEEDED};
pub use runtime_api::{Answer, FunctionProcess, RuntimeApi};

use std::io::Write;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_secretsmanager::config::Credentials;

/// The variable holding the stack's endpoint.
pub const ENDPOINT_VAR: &str = "OHSYNC_TEST_AWS_ENDPOINT";
/// Set to `1` to turn a missing stack into a failure instead of a skip.
pub const REQUIRE_VAR: &str = "OHSYNC_REQUIRE_STACK";

/// The stack's endpoint, or `None` after printing why the test is skipped.
///
/// # Panics
/// When [`REQUIRE_VAR`] is `1` and the stack is not announced: a test run that must use the
/// stack fails instead of passing without it.
pub fn endpoint_or_skip() -> Option<String> {
    if let Some(endpoint) = std::env::var(ENDPOINT_VAR)
        .ok()
        .filter(|endpoint| !endpoint.trim().is_empty())
    {
        return Some(endpoint);
    }
    assert_ne!(
        std::env::var(REQUIRE_VAR).as_deref(),
        Ok("1"),
        "{REQUIRE_VAR}=1 but {ENDPOINT_VAR} is not set"
    );
    // Straight to stderr: the test harness swallows print! output of passing tests.
    let _ = writeln!(
        std::io::stderr(),
        "skipped: no local stack ({ENDPOINT_VAR} is not set; infra/local/test.sh sets it)"
    );
    None
}

/// An SDK configuration for the stack at `endpoint`. moto accepts any credentials; fixed ones
/// are used when the environment has none, and `eu-west-1` when it names no region.
pub async fn sdk_config(endpoint: &str) -> SdkConfig {
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
            "ohsync-test-stack",
        ));
    }
    loader.load().await
}

/// As [`sdk_config`], with quick retries (the SDK's standard mode, 3 attempts, 5 ms back-off)
/// and at most `attempt_timeout` per attempt: for tests of faults, which should not wait for
/// the SDK's production back-off.
pub async fn quick_sdk_config(endpoint: &str, attempt_timeout: Duration) -> SdkConfig {
    sdk_config(endpoint)
        .await
        .into_builder()
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(3)
                .with_initial_backoff(Duration::from_millis(5)),
        )
        .timeout_config(
            TimeoutConfig::builder()
                .operation_attempt_timeout(attempt_timeout)
                .build(),
        )
        .build()
}

/// The variables that point a function's binary at the stack at `endpoint`.
pub fn function_variables(endpoint: &str) -> Vec<(String, String)> {
    let region = std::env::var("AWS_REGION").unwrap_or_else(|_| "eu-west-1".to_owned());
    [
        (crate::AWS_ENDPOINT_VAR, endpoint.to_owned()),
        ("AWS_REGION", region),
        ("AWS_ACCESS_KEY_ID", "testing".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "testing".to_owned()),
        (crate::LOG_FORMAT_VAR, "json".to_owned()),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_owned(), value))
    .collect()
}

/// A new, empty FIFO queue with a unique name; answers its URL.
///
/// # Panics
/// When the stack refuses (a test environment failure).
pub async fn create_fifo_queue(config: &SdkConfig) -> String {
    let name = format!("ohsync-test-{}.fifo", unique());
    aws_sdk_sqs::Client::new(config)
        .create_queue()
        .queue_name(&name)
        .attributes(aws_sdk_sqs::types::QueueAttributeName::FifoQueue, "true")
        .send()
        .await
        .unwrap_or_else(|error| panic!("cannot create the queue {name}: {error:?}"))
        .queue_url
        .unwrap_or_else(|| panic!("no URL for the queue {name}"))
}

/// A new secret named `prefix` plus a unique suffix, holding `value`; answers its name.
///
/// # Panics
/// When the stack refuses (a test environment failure).
pub async fn create_secret(config: &SdkConfig, prefix: &str, value: &str) -> String {
    let name = format!("{prefix}-{}", unique());
    aws_sdk_secretsmanager::Client::new(config)
        .create_secret()
        .name(&name)
        .secret_string(value)
        .send()
        .await
        .unwrap_or_else(|error| panic!("cannot create the secret {name}: {error:?}"));
    name
}

/// A name part no other test uses.
fn unique() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_nanos());
    format!(
        "{}-{nanos}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}
