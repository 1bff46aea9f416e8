//! `SecretsManagerSecrets` against moto, directly and through the fault proxy.

use std::time::{Duration, SystemTime};

use ohsync_engine::ports::{SecretRef, SecretVersionId, Secrets, SecretsError};
use ohsync_secrets::{CachedSecrets, RECOVERY_WINDOW_DAYS, SecretsManagerSecrets, WriteToken};
use secrecy::{ExposeSecret, SecretString};

use crate::contract::{Subject, secrets_contract};
use crate::stack::{fresh_name, raw_client, sdk_config, stack_endpoint, version_count};
use ohsync_aws_env::test_stack::{FaultProxy, Refusal};

const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);

async fn adapter_at(endpoint: &str) -> SecretsManagerSecrets {
    SecretsManagerSecrets::new(&sdk_config(endpoint, ATTEMPT_TIMEOUT).await)
}

async fn subject() -> Option<Subject> {
    let endpoint = stack_endpoint()?;
    Some(Subject {
        secrets: Box::new(adapter_at(&endpoint).await),
        _keep: None,
    })
}

secrets_contract!(subject());

#[tokio::test]
async fn a_write_repeated_with_its_token_adds_no_version() {
    let Some(stack) = stack_endpoint() else {
        return;
    };
    let secrets = adapter_at(&stack).await;
    let raw = raw_client(&stack).await;
    let name = fresh_name();
    let value = SecretString::from("Lente2026!");

    let token = WriteToken::random();
    let first = secrets
        .write_with_token(&name, &value, &token)
        .await
        .unwrap();
    let repeated = secrets
        .write_with_token(&name, &value, &token)
        .await
        .unwrap();
    assert_eq!(first, repeated);
    assert_eq!(version_count(&raw, &name).await, 1);

    let second_token = WriteToken::random();
    let second = secrets
        .write_with_token(&name, &value, &second_token)
        .await
        .unwrap();
    let repeated = secrets
        .write_with_token(&name, &value, &second_token)
        .await
        .unwrap();
    assert_eq!(second, repeated);
    assert_ne!(first.version_id, second.version_id);
    assert_eq!(version_count(&raw, &name).await, 2);

    // A token names one value: reusing it for another value is refused, not overwritten.
    let reuse = secrets
        .write_with_token(&name, &SecretString::from("anders"), &second_token)
        .await
        .unwrap_err();
    assert!(matches!(reuse, SecretsError::Invalid(_)), "{reuse:?}");
    assert_eq!(
        secrets.read(&second).await.unwrap().expose_secret(),
        "Lente2026!"
    );
}

#[tokio::test]
async fn a_lost_answer_is_retried_without_a_second_version() {
    let Some(stack) = stack_endpoint() else {
        return;
    };
    let proxy = FaultProxy::start(&stack).await;
    let secrets = adapter_at(&proxy.endpoint).await;
    let raw = raw_client(&stack).await;
    let name = fresh_name();

    proxy.lose_next_answer_to("CreateSecret");
    let first = secrets
        .write(&name, &SecretString::from("een"))
        .await
        .unwrap();
    proxy.lose_next_answer_to("PutSecretValue");
    let second = secrets
        .write(&name, &SecretString::from("twee"))
        .await
        .unwrap();

    assert_eq!(
        proxy.calls_to("CreateSecret"),
        2,
        "the lost create was retried"
    );
    assert_eq!(
        proxy.calls_to("PutSecretValue"),
        2,
        "the lost put was retried"
    );
    assert_eq!(version_count(&raw, &name).await, 2);
    assert_eq!(secrets.read(&first).await.unwrap().expose_secret(), "een");
    assert_eq!(secrets.read(&second).await.unwrap().expose_secret(), "twee");
}

#[tokio::test]
async fn a_delete_keeps_the_secret_restorable_for_the_recovery_window() {
    let Some(stack) = stack_endpoint() else {
        return;
    };
    let secrets = adapter_at(&stack).await;
    let raw = raw_client(&stack).await;
    let name = fresh_name();
    secrets
        .write(&name, &SecretString::from("herstelbaar"))
        .await
        .unwrap();

    secrets.delete(&name).await.unwrap();

    let described = raw
        .describe_secret()
        .secret_id(name.as_str())
        .send()
        .await
        .unwrap();
    let deleted_at = described.deleted_date().unwrap().secs();
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let window = RECOVERY_WINDOW_DAYS * 24 * 3600;
    assert!(
        (deleted_at - now - window).abs() < 3600,
        "deletion due in {} s, not {window} s",
        deleted_at - now
    );
}

fn some_reference() -> SecretRef {
    SecretRef {
        name: fresh_name(),
        version_id: SecretVersionId::parse(&uuid::Uuid::new_v4().to_string()).unwrap(),
    }
}

#[tokio::test]
async fn refusals_map_to_the_port_errors() {
    // No stack needed: the proxy answers itself.
    for (code, expected) in [
        ("AccessDeniedException", SecretsError::AccessDenied),
        ("DecryptionFailure", SecretsError::AccessDenied),
        ("ResourceNotFoundException", SecretsError::NotFound),
    ] {
        let proxy = FaultProxy::without_upstream().await;
        proxy.refuse(Refusal::new(400, code));
        let secrets = adapter_at(&proxy.endpoint).await;
        assert_eq!(
            secrets.read(&some_reference()).await.unwrap_err(),
            expected,
            "{code}"
        );
    }

    let proxy = FaultProxy::without_upstream().await;
    proxy.refuse(Refusal::new(400, "ThrottlingException"));
    let secrets = adapter_at(&proxy.endpoint).await;
    let throttled = secrets.read(&some_reference()).await.unwrap_err();
    assert!(
        matches!(&throttled, SecretsError::Unavailable(text) if text.contains("ThrottlingException")),
        "{throttled:?}"
    );
    assert!(throttled.is_retryable());
    assert_eq!(proxy.calls_to("GetSecretValue"), 3, "throttling is retried");

    let proxy = FaultProxy::without_upstream().await;
    proxy.refuse(Refusal::new(400, "InvalidParameterException"));
    let secrets = adapter_at(&proxy.endpoint).await;
    let invalid = secrets
        .write(&fresh_name(), &SecretString::from("x"))
        .await
        .unwrap_err();
    assert!(matches!(invalid, SecretsError::Invalid(_)), "{invalid:?}");
    assert!(!invalid.is_retryable());
}

#[tokio::test]
async fn a_server_that_never_answers_is_unavailable() {
    let proxy = FaultProxy::without_upstream().await;
    proxy.stall();
    let secrets =
        SecretsManagerSecrets::new(&sdk_config(&proxy.endpoint, Duration::from_millis(200)).await);
    let started = std::time::Instant::now();
    let error = secrets.read(&some_reference()).await.unwrap_err();
    assert!(matches!(error, SecretsError::Unavailable(_)), "{error:?}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_warm_run_makes_no_secrets_manager_call() {
    let Some(stack) = stack_endpoint() else {
        return;
    };
    let proxy = FaultProxy::start(&stack).await;
    let cached = CachedSecrets::new(adapter_at(&proxy.endpoint).await);
    let name = fresh_name();
    let written = adapter_at(&stack)
        .await
        .write(&name, &SecretString::from("koud"))
        .await
        .unwrap();

    cached.read(&written).await.unwrap();
    assert_eq!(proxy.calls_to("GetSecretValue"), 1, "cold run");
    for _ in 0..10 {
        assert_eq!(cached.read(&written).await.unwrap().expose_secret(), "koud");
    }
    assert_eq!(proxy.calls_to("GetSecretValue"), 1, "warm runs");

    // A settings change brings a new version id: one call, then warm again.
    let changed = adapter_at(&stack)
        .await
        .write(&name, &SecretString::from("nieuw"))
        .await
        .unwrap();
    cached.read(&changed).await.unwrap();
    cached.read(&changed).await.unwrap();
    assert_eq!(proxy.calls_to("GetSecretValue"), 2);
}

#[tokio::test]
async fn each_operation_makes_the_documented_number_of_calls() {
    let Some(stack) = stack_endpoint() else {
        return;
    };
    let proxy = FaultProxy::start(&stack).await;
    let secrets = adapter_at(&proxy.endpoint).await;
    let name = fresh_name();
    let calls = |operations: &[&str]| -> Vec<usize> {
        operations
            .iter()
            .map(|operation| proxy.calls_to(operation))
            .collect()
    };

    let first = secrets
        .write(&name, &SecretString::from("1"))
        .await
        .unwrap();
    assert_eq!(calls(&["DescribeSecret", "CreateSecret"]), [1, 1]);
    secrets
        .write(&name, &SecretString::from("2"))
        .await
        .unwrap();
    assert_eq!(calls(&["DescribeSecret", "PutSecretValue"]), [2, 1]);
    secrets.read(&first).await.unwrap();
    assert_eq!(calls(&["GetSecretValue"]), [1]);
    secrets.delete(&name).await.unwrap();
    assert_eq!(calls(&["DeleteSecret", "DescribeSecret"]), [1, 2]);
    secrets
        .write(&name, &SecretString::from("3"))
        .await
        .unwrap();
    assert_eq!(
        calls(&["DescribeSecret", "RestoreSecret", "PutSecretValue"]),
        [3, 1, 2]
    );
}
