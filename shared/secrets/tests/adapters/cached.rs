//! `CachedSecrets` in front of a real `FileSecrets`, with the reads that reach it counted.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use ohsync_engine::ports::{SecretName, SecretRef, Secrets, SecretsError};
use ohsync_secrets::{CacheStats, CachedSecrets, FileSecrets};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Semaphore;

use crate::stack::fresh_name;

/// The backend: counts the reads it has answered from the file, and can hold each read (after
/// it has fetched its value) until the test lets it go.
#[derive(Debug)]
struct Backend {
    file: FileSecrets,
    reads: Arc<AtomicUsize>,
    gate: Option<Arc<Semaphore>>,
}

#[async_trait]
impl Secrets for Backend {
    async fn read(&self, reference: &SecretRef) -> Result<SecretString, SecretsError> {
        let value = self.file.read(reference).await;
        self.reads.fetch_add(1, Ordering::SeqCst);
        if let Some(gate) = &self.gate {
            gate.acquire().await.unwrap().forget();
        }
        value
    }

    async fn write(
        &self,
        name: &SecretName,
        value: &SecretString,
    ) -> Result<SecretRef, SecretsError> {
        self.file.write(name, value).await
    }

    async fn delete(&self, name: &SecretName) -> Result<(), SecretsError> {
        self.file.delete(name).await
    }
}

struct Fixture {
    cache: Arc<CachedSecrets<Backend>>,
    reads: Arc<AtomicUsize>,
    /// A second handle on the same file, as the settings API would hold it.
    settings_api: FileSecrets,
    _dir: tempfile::TempDir,
}

impl Fixture {
    fn new(capacity: usize, gate: Option<Arc<Semaphore>>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let reads = Arc::new(AtomicUsize::new(0));
        let backend = Backend {
            file: FileSecrets::open(dir.path().join("secrets")).unwrap(),
            reads: Arc::clone(&reads),
            gate,
        };
        Self {
            cache: Arc::new(CachedSecrets::with_capacity(backend, capacity)),
            reads,
            settings_api: FileSecrets::open(dir.path().join("secrets")).unwrap(),
            _dir: dir,
        }
    }

    fn backend_reads(&self) -> usize {
        self.reads.load(Ordering::SeqCst)
    }

    async fn write(&self, name: &SecretName, value: &str) -> SecretRef {
        self.cache
            .write(name, &SecretString::from(value))
            .await
            .unwrap()
    }

    async fn read(&self, reference: &SecretRef) -> Result<String, SecretsError> {
        let value = self.cache.read(reference).await?;
        Ok(value.expose_secret().to_owned())
    }
}

#[tokio::test]
async fn repeated_reads_of_a_version_reach_the_backend_once() {
    let fixture = Fixture::new(16, None);
    let written = fixture.write(&fresh_name(), "één keer").await;
    for _ in 0..5 {
        assert_eq!(fixture.read(&written).await.unwrap(), "één keer");
    }
    assert_eq!(fixture.backend_reads(), 1);
    assert_eq!(fixture.cache.stats(), CacheStats { hits: 4, misses: 1 });
}

#[tokio::test]
async fn a_new_version_id_is_a_miss() {
    let fixture = Fixture::new(16, None);
    let name = fresh_name();
    let old = fixture.write(&name, "oud").await;
    fixture.read(&old).await.unwrap();

    // The settings API stores a new password; this cache is not told, but the settings
    // record now carries the new version id.
    let new = fixture
        .settings_api
        .write(&name, &SecretString::from("nieuw"))
        .await
        .unwrap();
    assert_eq!(fixture.read(&new).await.unwrap(), "nieuw");
    assert_eq!(fixture.read(&new).await.unwrap(), "nieuw");
    assert_eq!(
        fixture.read(&old).await.unwrap(),
        "oud",
        "a run still on the old id"
    );
    assert_eq!(fixture.backend_reads(), 2);
    assert_eq!(fixture.cache.stats(), CacheStats { hits: 2, misses: 2 });
}

#[tokio::test]
async fn a_write_drops_the_names_entries_so_a_pruned_version_is_not_served() {
    let fixture = Fixture::new(16, None);
    let name = fresh_name();
    let other = fixture.write(&fresh_name(), "ander").await;
    let first = fixture.write(&name, "1").await;
    fixture.read(&first).await.unwrap();
    fixture.read(&other).await.unwrap();

    fixture.write(&name, "2").await;
    assert_eq!(
        fixture.read(&first).await.unwrap(),
        "1",
        "still kept, read again"
    );
    fixture.write(&name, "3").await;
    assert_eq!(
        fixture.read(&first).await.unwrap_err(),
        SecretsError::NotFound
    );

    assert_eq!(fixture.read(&other).await.unwrap(), "ander");
    assert_eq!(fixture.backend_reads(), 4, "other names stay cached");
}

#[tokio::test]
async fn a_delete_drops_the_names_entries() {
    let fixture = Fixture::new(16, None);
    let name = fresh_name();
    let written = fixture.write(&name, "weg").await;
    fixture.read(&written).await.unwrap();
    fixture.cache.delete(&name).await.unwrap();
    assert_eq!(
        fixture.read(&written).await.unwrap_err(),
        SecretsError::NotFound
    );
}

#[tokio::test]
async fn failures_are_not_cached() {
    let fixture = Fixture::new(16, None);
    let name = fresh_name();
    let written = fixture.write(&name, "x").await;
    fixture.cache.delete(&name).await.unwrap();
    for _ in 0..2 {
        assert_eq!(
            fixture.read(&written).await.unwrap_err(),
            SecretsError::NotFound
        );
    }
    assert_eq!(fixture.backend_reads(), 2);
}

#[tokio::test]
async fn the_least_recently_used_version_goes_first() {
    let fixture = Fixture::new(2, None);
    let a = fixture.write(&fresh_name(), "a").await;
    let b = fixture.write(&fresh_name(), "b").await;
    let c = fixture.write(&fresh_name(), "c").await;
    fixture.read(&a).await.unwrap();
    fixture.read(&b).await.unwrap();
    fixture.read(&a).await.unwrap(); // a is now the most recent
    fixture.read(&c).await.unwrap(); // evicts b
    assert_eq!(fixture.backend_reads(), 3);

    fixture.read(&a).await.unwrap();
    assert_eq!(fixture.backend_reads(), 3, "a stayed");
    fixture.read(&b).await.unwrap();
    assert_eq!(fixture.backend_reads(), 4, "b was evicted");
}

#[tokio::test]
async fn a_read_that_raced_a_delete_is_not_cached() {
    let gate = Arc::new(Semaphore::new(0));
    let fixture = Fixture::new(16, Some(Arc::clone(&gate)));
    let name = fresh_name();
    let written = fixture.write(&name, "net op tijd").await;

    // The read fetches the value, then waits at the gate while the secret is deleted.
    let cache = Arc::clone(&fixture.cache);
    let reference = written.clone();
    let racing = tokio::spawn(async move { cache.read(&reference).await });
    while fixture.backend_reads() == 0 {
        tokio::task::yield_now().await;
    }
    fixture.cache.delete(&name).await.unwrap();
    gate.add_permits(1);
    racing.await.unwrap().unwrap();

    gate.add_permits(1);
    assert_eq!(
        fixture.read(&written).await.unwrap_err(),
        SecretsError::NotFound
    );
    assert_eq!(fixture.backend_reads(), 2);
}

#[tokio::test]
async fn with_no_capacity_nothing_is_kept() {
    let fixture = Fixture::new(0, None);
    let written = fixture.write(&fresh_name(), "x").await;
    fixture.read(&written).await.unwrap();
    fixture.read(&written).await.unwrap();
    assert_eq!(fixture.backend_reads(), 2);
}
