//! Reading a secret by the name a variable holds, against Secrets Manager on the local stack.
#![allow(clippy::unwrap_used, reason = "a panic is how a test reports failure")]

use ohsync_aws_env::{EnvError, Environment, read_named_secret, test_stack};
use secrecy::ExposeSecret;

const VAR: &str = "OHSYNC_OFFICEHEART_TOKEN_SECRET";

#[tokio::test]
async fn a_named_secret_is_read_and_its_value_never_shows_in_errors() {
    let Some(endpoint) = test_stack::endpoint_or_skip() else {
        return;
    };
    let config = test_stack::sdk_config(&endpoint).await;
    let name = test_stack::create_secret(&config, "ohsync-test/token", "tok-3f9a").await;

    let env = Environment::default().with(VAR, &name);
    let token = read_named_secret(&config, &env, VAR, "the OfficeHeart token")
        .await
        .unwrap();
    assert_eq!(token.expose_secret(), "tok-3f9a");

    let unknown = Environment::default().with(VAR, "ohsync/test/absent");
    let error = read_named_secret(&config, &unknown, VAR, "the OfficeHeart token")
        .await
        .unwrap_err();
    assert!(
        matches!(&error, EnvError::Secret { variable: VAR, reason } if reason == "ResourceNotFoundException"),
        "{error:?}"
    );

    let unset = read_named_secret(
        &config,
        &Environment::default(),
        VAR,
        "the OfficeHeart token",
    )
    .await
    .unwrap_err();
    assert_eq!(unset.code(), "env_missing");
}
