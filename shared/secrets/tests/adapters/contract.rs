//! The `Secrets` contract, written once and run against every adapter by `secrets_contract!`.

use ohsync_engine::ports::{SecretRef, SecretVersionId, Secrets, SecretsError};
use secrecy::{ExposeSecret, SecretString};

use crate::stack::fresh_name;

/// An adapter under test and whatever must live as long as it (a temporary directory).
pub struct Subject {
    pub secrets: Box<dyn Secrets>,
    pub _keep: Option<tempfile::TempDir>,
}

fn secret(text: &str) -> SecretString {
    SecretString::from(text)
}

fn unknown_version() -> SecretVersionId {
    SecretVersionId::parse(&uuid::Uuid::new_v4().to_string()).unwrap()
}

pub async fn a_written_value_reads_back(secrets: &dyn Secrets) {
    let name = fresh_name();
    let written = secrets.write(&name, &secret("Welkom01!")).await.unwrap();
    assert_eq!(written.name, name);
    assert_eq!(
        secrets.read(&written).await.unwrap().expose_secret(),
        "Welkom01!"
    );
}

pub async fn every_character_survives(secrets: &dyn Secrets) {
    let name = fresh_name();
    let awkward = "qu\"ote \\ back€slash\nnew line\ttab ünïcødé 🔑 {\"json\": 1} %s";
    let written = secrets.write(&name, &secret(awkward)).await.unwrap();
    assert_eq!(
        secrets.read(&written).await.unwrap().expose_secret(),
        awkward
    );
}

pub async fn a_second_write_is_a_new_version_and_the_old_one_still_reads(secrets: &dyn Secrets) {
    let name = fresh_name();
    let first = secrets.write(&name, &secret("eerste")).await.unwrap();
    let second = secrets.write(&name, &secret("tweede")).await.unwrap();
    assert_ne!(first.version_id, second.version_id);
    assert_eq!(
        secrets.read(&first).await.unwrap().expose_secret(),
        "eerste"
    );
    assert_eq!(
        secrets.read(&second).await.unwrap().expose_secret(),
        "tweede"
    );
}

pub async fn a_deleted_secret_is_not_found_and_deleting_again_succeeds(secrets: &dyn Secrets) {
    let name = fresh_name();
    let written = secrets.write(&name, &secret("weg")).await.unwrap();
    secrets.delete(&name).await.unwrap();
    assert_eq!(
        secrets.read(&written).await.unwrap_err(),
        SecretsError::NotFound
    );
    secrets.delete(&name).await.unwrap();
    assert_eq!(
        secrets.read(&written).await.unwrap_err(),
        SecretsError::NotFound
    );
}

pub async fn unknown_secrets_and_versions_are_not_found(secrets: &dyn Secrets) {
    let never_written = SecretRef {
        name: fresh_name(),
        version_id: unknown_version(),
    };
    assert_eq!(
        secrets.read(&never_written).await.unwrap_err(),
        SecretsError::NotFound
    );
    secrets.delete(&never_written.name).await.unwrap();

    let name = fresh_name();
    secrets.write(&name, &secret("bestaat")).await.unwrap();
    let other_version = SecretRef {
        name,
        version_id: unknown_version(),
    };
    assert_eq!(
        secrets.read(&other_version).await.unwrap_err(),
        SecretsError::NotFound
    );
}

pub async fn a_write_after_a_delete_starts_the_secret_again(secrets: &dyn Secrets) {
    let name = fresh_name();
    secrets.write(&name, &secret("oud")).await.unwrap();
    secrets.delete(&name).await.unwrap();
    let again = secrets.write(&name, &secret("nieuw")).await.unwrap();
    assert_eq!(secrets.read(&again).await.unwrap().expose_secret(), "nieuw");
}

/// One test per contract function, on the adapter `$subject` (an expression giving
/// `Option<Subject>`; `None` skips).
macro_rules! secrets_contract {
    ($subject:expr) => {
        secrets_contract!(@tests $subject;
            a_written_value_reads_back,
            every_character_survives,
            a_second_write_is_a_new_version_and_the_old_one_still_reads,
            a_deleted_secret_is_not_found_and_deleting_again_succeeds,
            unknown_secrets_and_versions_are_not_found,
            a_write_after_a_delete_starts_the_secret_again,
        );
    };
    (@tests $subject:expr; $($test:ident),+ $(,)?) => {
        $(
            #[tokio::test]
            async fn $test() {
                if let Some(subject) = $subject.await {
                    crate::contract::$test(subject.secrets.as_ref()).await;
                }
            }
        )+
    };
}
pub(crate) use secrets_contract;
