//! A memory cache in front of any `Secrets`, keyed by (name, version id).
//!
//! A version never changes its value, so an entry is valid for as long as the version exists:
//! no expiry by time. A new password is a new version id in the settings record, so the worker
//! misses and reads it. What can end a version is a write (the file adapter prunes old
//! versions) or a delete; both drop the name's entries.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use ohsync_engine::ports::{SecretName, SecretRef, Secrets, SecretsError};
use secrecy::SecretString;

/// Entries kept by `CachedSecrets::new`: one per user a warm worker has served, far more than
/// one container meets between deployments, and a few hundred KiB at most.
const DEFAULT_CAPACITY: usize = 1024;

/// How often reads were answered from memory and how often they went to the backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CacheStats {
    /// Reads answered from memory.
    pub hits: u64,
    /// Reads passed to the backend.
    pub misses: u64,
}

struct Entry {
    value: SecretString,
    last_used: u64,
}

#[derive(Default)]
struct Entries {
    by_ref: HashMap<SecretRef, Entry>,
    /// A clock of uses, for evicting the least recently used entry.
    uses: u64,
    /// Bumped by every write and delete: a read that began before one may have fetched a value
    /// that is already gone, so it must not be stored.
    generation: u64,
}

impl Entries {
    fn hit(&mut self, reference: &SecretRef) -> Option<SecretString> {
        self.uses += 1;
        let entry = self.by_ref.get_mut(reference)?;
        entry.last_used = self.uses;
        Some(entry.value.clone())
    }

    fn insert(&mut self, reference: SecretRef, value: SecretString, capacity: usize) {
        if capacity == 0 {
            return;
        }
        if self.by_ref.len() >= capacity && !self.by_ref.contains_key(&reference) {
            // A linear scan: at this size, cheaper than keeping a second ordered structure.
            let oldest = self
                .by_ref
                .iter()
                .min_by_key(|(_, entry)| entry.last_used)
                .map(|(key, _)| key.clone());
            if let Some(oldest) = oldest {
                self.by_ref.remove(&oldest);
            }
        }
        self.uses += 1;
        let last_used = self.uses;
        self.by_ref.insert(reference, Entry { value, last_used });
    }

    fn forget(&mut self, name: &SecretName) {
        self.generation += 1;
        self.by_ref.retain(|reference, _| reference.name != *name);
    }
}

/// `Secrets` with reads cached in memory; writes and deletes go straight through.
pub struct CachedSecrets<S> {
    inner: S,
    capacity: usize,
    entries: Mutex<Entries>,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl<S: Secrets> CachedSecrets<S> {
    /// A cache of up to 1024 versions in front of `inner`.
    pub fn new(inner: S) -> Self {
        Self::with_capacity(inner, DEFAULT_CAPACITY)
    }

    /// A cache of up to `capacity` versions (the least recently used goes first).
    pub fn with_capacity(inner: S, capacity: usize) -> Self {
        Self {
            inner,
            capacity,
            entries: Mutex::new(Entries::default()),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// Hits and misses so far.
    pub fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
        }
    }
}

impl<S> CachedSecrets<S> {
    fn entries(&self) -> MutexGuard<'_, Entries> {
        // Every change to the map completes before the lock is released, so a panic elsewhere
        // cannot leave it half-changed.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[async_trait]
impl<S: Secrets> Secrets for CachedSecrets<S> {
    async fn read(&self, reference: &SecretRef) -> Result<SecretString, SecretsError> {
        let generation = {
            let mut entries = self.entries();
            if let Some(value) = entries.hit(reference) {
                self.hits.fetch_add(1, Ordering::Relaxed);
                return Ok(value);
            }
            entries.generation
        };
        self.misses.fetch_add(1, Ordering::Relaxed);
        let value = self.inner.read(reference).await?;
        let mut entries = self.entries();
        if entries.generation == generation {
            entries.insert(reference.clone(), value.clone(), self.capacity);
        }
        Ok(value)
    }

    async fn write(
        &self,
        name: &SecretName,
        value: &SecretString,
    ) -> Result<SecretRef, SecretsError> {
        let written = self.inner.write(name, value).await;
        self.entries().forget(name);
        written
    }

    async fn delete(&self, name: &SecretName) -> Result<(), SecretsError> {
        let deleted = self.inner.delete(name).await;
        self.entries().forget(name);
        deleted
    }
}

impl<S: fmt::Debug> fmt::Debug for CachedSecrets<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cached = self.entries().by_ref.len();
        f.debug_struct("CachedSecrets")
            .field("inner", &self.inner)
            .field("capacity", &self.capacity)
            .field("cached", &cached)
            .field("hits", &self.hits.load(Ordering::Relaxed))
            .field("misses", &self.misses.load(Ordering::Relaxed))
            .finish()
    }
}
