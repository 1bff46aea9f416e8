//! The local stack: moto at `OHSYNC_TEST_AWS_ENDPOINT` (`ohsync_aws_env::test_stack`), and
//! what these tests look at behind the adapter's back.

use std::time::Duration;

use aws_sdk_secretsmanager::Client;
use ohsync_engine::identity::{TenantId, UserId};
use ohsync_engine::ports::SecretName;

pub use ohsync_aws_env::test_stack::endpoint_or_skip as stack_endpoint;
/// A configuration with quick retries (3 attempts) and the given timeout per attempt.
pub use ohsync_aws_env::test_stack::quick_sdk_config as sdk_config;

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
