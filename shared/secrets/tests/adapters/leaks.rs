//! No `Debug`, `Display` or error text this crate produces shows a password, even on the paths
//! where the password was in play when things went wrong.

use std::error::Error;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use ohsync_engine::ports::{SecretName, SecretRefError, SecretVersionId, Secrets};
use ohsync_secrets::{CacheStats, CachedSecrets, FileSecrets, SecretsManagerSecrets, WriteToken};
use secrecy::SecretString;

use crate::stack::{fresh_name, sdk_config};
use ohsync_aws_env::test_stack::{FaultProxy, Refusal};

const PASSWORD: &str = "Pw-lek-4c8e-Geheim!";

/// `Display`, `Debug` and every source of `error`.
fn error_texts(error: &dyn Error) -> Vec<String> {
    let mut texts = vec![error.to_string(), format!("{error:?}")];
    let mut source = error.source();
    while let Some(cause) = source {
        texts.push(cause.to_string());
        source = cause.source();
    }
    texts
}

#[tokio::test]
async fn no_text_shows_the_password() {
    let password = SecretString::from(PASSWORD);
    let mut texts = vec![format!("{password:?}")];

    // The file adapter, with the cache in front, holding and serving the password.
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("secrets");
    let file_secrets = FileSecrets::open(&dir).unwrap();
    let cached = CachedSecrets::new(file_secrets.clone());
    let name = fresh_name();
    let written = cached.write(&name, &password).await.unwrap();
    cached.read(&written).await.unwrap();
    cached.read(&written).await.unwrap();
    texts.push(format!("{cached:?}"));
    texts.push(format!("{written:?}"));
    texts.push(format!("{} {}", written.name, written.version_id));
    texts.push(format!("{:?}", cached.stats()));
    assert_eq!(cached.stats(), CacheStats { hits: 1, misses: 1 });

    // The password sits where a JSON parser would quote it in its message.
    let file = dir.join("secrets.json");
    let damaged = format!(r#"{{"format": "{PASSWORD}", "secrets": {{}}}}"#);
    fs::write(&file, damaged).unwrap();
    let reading_damaged = FileSecrets::open(&dir).unwrap_err();
    texts.extend(error_texts(&reading_damaged));
    texts.extend(error_texts(&file_secrets.read(&written).await.unwrap_err()));
    assert!(texts.iter().any(|text| text.contains("damaged")));

    fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();
    texts.extend(error_texts(&FileSecrets::open(&dir).unwrap_err()));

    // Secrets Manager failing while the password is being written.
    for fault in [
        "AccessDeniedException",
        "InvalidParameterException",
        "stall",
    ] {
        let proxy = FaultProxy::without_upstream().await;
        if fault == "stall" {
            proxy.stall();
        } else {
            proxy.refuse(Refusal::new(400, fault));
        }
        let secrets = SecretsManagerSecrets::new(
            &sdk_config(&proxy.endpoint, Duration::from_millis(200)).await,
        );
        texts.push(format!("{secrets:?}"));
        let error = secrets.write(&name, &password).await.unwrap_err();
        texts.extend(error_texts(&error));
    }
    texts.push(format!("{:?}", WriteToken::random()));

    let refused_name: SecretRefError =
        SecretName::parse(&format!("ohsync/{PASSWORD}/jan/exchange")).unwrap_err();
    texts.extend(error_texts(&refused_name));
    let refused_version = SecretVersionId::parse(PASSWORD).unwrap_err();
    texts.extend(error_texts(&refused_version));

    for text in &texts {
        assert!(!text.contains(PASSWORD), "the password shows in: {text}");
    }
    assert!(texts.len() > 20, "only {} texts were checked", texts.len());
}
