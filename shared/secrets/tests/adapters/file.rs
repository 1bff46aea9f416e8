//! `FileSecrets` on a real directory.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use ohsync_engine::ports::{Secrets, SecretsError};
use ohsync_secrets::{FileSecrets, FileSecretsError};
use secrecy::{ExposeSecret, SecretString};

use crate::contract::{Subject, secrets_contract};
use crate::stack::fresh_name;

async fn subject() -> Option<Subject> {
    let dir = tempfile::tempdir().unwrap();
    Some(Subject {
        secrets: Box::new(FileSecrets::open(dir.path().join("secrets")).unwrap()),
        _keep: Some(dir),
    })
}

secrets_contract!(subject());

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn chmod(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

#[tokio::test]
async fn the_directory_and_file_are_owner_only_from_the_start() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("data").join("secrets");
    let secrets = FileSecrets::open(&dir).unwrap();
    assert_eq!(secrets.path(), dir.join("secrets.json"));
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(secrets.path()), 0o600);

    secrets
        .write(&fresh_name(), &SecretString::from("x"))
        .await
        .unwrap();
    assert_eq!(
        mode(secrets.path()),
        0o600,
        "a replaced file stays owner-only"
    );
}

#[test]
fn a_file_or_directory_open_to_others_is_refused_with_the_fix() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("secrets");
    let file = FileSecrets::open(&dir).unwrap().path().to_path_buf();

    chmod(&file, 0o640);
    let error = FileSecrets::open(&dir).unwrap_err();
    assert!(
        matches!(error, FileSecretsError::TooOpen { mode: 0o640, .. }),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains(&format!("chmod 600 {}", file.display())),
        "{message}"
    );

    chmod(&file, 0o600);
    chmod(&dir, 0o750);
    let message = FileSecrets::open(&dir).unwrap_err().to_string();
    assert!(
        message.contains(&format!("chmod 700 {}", dir.display())),
        "{message}"
    );

    chmod(&dir, 0o700);
    FileSecrets::open(&dir).unwrap();
}

#[tokio::test]
async fn an_interrupted_write_leaves_the_last_complete_content() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("secrets");
    let secrets = FileSecrets::open(&dir).unwrap();
    let name = fresh_name();
    let kept = secrets
        .write(&name, &SecretString::from("bewaard"))
        .await
        .unwrap();
    let complete = fs::read(secrets.path()).unwrap();

    // A crash halfway through writing the next content: the temporary file holds a part.
    let temp = dir.join(".secrets.json.tmp");
    fs::write(&temp, &complete[..complete.len() / 2]).unwrap();
    drop(secrets);

    let reopened = FileSecrets::open(&dir).unwrap();
    assert!(!temp.exists(), "the leftover is removed on start");
    assert_eq!(
        reopened.read(&kept).await.unwrap().expose_secret(),
        "bewaard"
    );
    let next = reopened
        .write(&name, &SecretString::from("volgende"))
        .await
        .unwrap();
    assert_eq!(
        reopened.read(&next).await.unwrap().expose_secret(),
        "volgende"
    );
    assert_eq!(
        reopened.read(&kept).await.unwrap().expose_secret(),
        "bewaard"
    );
}

#[tokio::test]
async fn a_pruned_version_is_not_found_rather_than_another_value() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = FileSecrets::open(dir.path().join("secrets")).unwrap();
    let name = fresh_name();
    let first = secrets
        .write(&name, &SecretString::from("1"))
        .await
        .unwrap();
    let second = secrets
        .write(&name, &SecretString::from("2"))
        .await
        .unwrap();
    let third = secrets
        .write(&name, &SecretString::from("3"))
        .await
        .unwrap();

    assert_eq!(
        secrets.read(&first).await.unwrap_err(),
        SecretsError::NotFound
    );
    assert_eq!(secrets.read(&second).await.unwrap().expose_secret(), "2");
    assert_eq!(secrets.read(&third).await.unwrap().expose_secret(), "3");
}

#[tokio::test]
async fn two_handles_on_one_directory_lose_no_write() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("secrets");
    let (a, b) = (
        FileSecrets::open(&dir).unwrap(),
        FileSecrets::open(&dir).unwrap(),
    );
    let writes = (0..40).map(|i| {
        let handle = if i % 2 == 0 { a.clone() } else { b.clone() };
        tokio::spawn(async move {
            let value = SecretString::from(format!("waarde-{i}"));
            (i, handle.write(&fresh_name(), &value).await.unwrap())
        })
    });
    let written: Vec<_> = join_all(writes).await;
    let reader = FileSecrets::open(&dir).unwrap();
    for (i, reference) in written {
        assert_eq!(
            reader.read(&reference).await.unwrap().expose_secret(),
            format!("waarde-{i}")
        );
    }
}

async fn join_all<T: Send + 'static>(
    tasks: impl Iterator<Item = tokio::task::JoinHandle<T>>,
) -> Vec<T> {
    let mut done = Vec::new();
    for task in tasks.collect::<Vec<_>>() {
        done.push(task.await.unwrap());
    }
    done
}

#[tokio::test]
async fn a_file_damaged_while_running_reads_as_invalid() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = FileSecrets::open(dir.path().join("secrets")).unwrap();
    let written = secrets
        .write(&fresh_name(), &SecretString::from("x"))
        .await
        .unwrap();
    fs::write(secrets.path(), b"{\"format\": 1, \"secrets\": ").unwrap();

    let error = secrets.read(&written).await.unwrap_err();
    assert!(
        matches!(&error, SecretsError::Invalid(text) if text.contains("damaged")),
        "{error:?}"
    );
    let damaged = FileSecrets::open(dir.path().join("secrets")).unwrap_err();
    assert!(
        matches!(damaged, FileSecretsError::Damaged { .. }),
        "{damaged:?}"
    );
}
