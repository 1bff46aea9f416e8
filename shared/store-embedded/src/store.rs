//! The embedded store: one SQLite connection shared by every task.

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ohsync_engine::ports::{
    BindingScope, BindingState, Commit, ListingToken, Mapping, MappingPage, MappingQuery,
    StateVersion, Store, StoreError,
};
use rusqlite::Connection;

use crate::error::{CallError, OpenError};
use crate::{read, schema, write};

/// The database file's name under the data directory.
pub const DATABASE_FILE: &str = "ohsync.sqlite3";

/// The binding store in a SQLite file. Cheap to clone; every clone shares one connection, used
/// from a blocking thread so that tokio's workers never wait on disk. SQLite serialises writes
/// anyway, so one connection costs no throughput on one machine.
#[derive(Debug, Clone)]
pub struct EmbeddedStore {
    connection: Arc<Mutex<Connection>>,
}

impl EmbeddedStore {
    /// Opens (creating when missing) the store under `data_dir`.
    pub fn open(data_dir: &Path) -> Result<Self, OpenError> {
        std::fs::create_dir_all(data_dir).map_err(|source| OpenError::DataDirectory {
            path: data_dir.to_owned(),
            source,
        })?;
        let connection = schema::open(&data_dir.join(DATABASE_FILE))?;
        Ok(Self {
            connection: Arc::new(Mutex::new(connection)),
        })
    }

    /// Runs `work` on the shared connection on a blocking thread; for every store kept in the
    /// file, whatever its error type.
    pub(crate) async fn blocking<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, E> + Send + 'static,
    {
        let connection = self.connection.clone();
        tokio::task::spawn_blocking(move || {
            // A panic mid-call dropped its transaction, which rolled back: the connection is
            // consistent again.
            let mut connection = connection.lock().unwrap_or_else(PoisonError::into_inner);
            work(&mut connection)
        })
        .await
        .map_err(|e| E::from(StoreError::Unavailable(format!("store task failed: {e}"))))?
    }

    async fn call<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, CallError> + Send + 'static,
    {
        self.blocking(work).await.map_err(StoreError::from)
    }

    /// Marks the binding retired: [`purge_expired`](Self::purge_expired) deletes it (state,
    /// mappings, intents) once `ttl` has passed. Answers whether the binding exists.
    pub async fn retire_binding(
        &self,
        scope: &BindingScope,
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        let ttl = chrono::Duration::from_std(ttl)
            .map_err(|e| StoreError::Unavailable(format!("retirement period: {e}")))?;
        let expires_at = Utc::now() + ttl;
        let scope = scope.clone();
        self.call(move |connection| write::set_expiry(connection, &scope, Some(expires_at)))
            .await
    }

    /// Undoes a retirement: a binding that becomes current again must not be purged. Answers
    /// whether the binding exists.
    pub async fn revive_binding(&self, scope: &BindingScope) -> Result<bool, StoreError> {
        let scope = scope.clone();
        self.call(move |connection| write::set_expiry(connection, &scope, None))
            .await
    }

    /// Deletes the bindings whose retirement ended at or before `now`; answers how many.
    pub async fn purge_expired(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        self.call(move |connection| write::purge_expired(connection, now))
            .await
    }
}

#[async_trait]
impl Store for EmbeddedStore {
    async fn load(&self, scope: &BindingScope) -> Result<BindingState, StoreError> {
        let scope = scope.clone();
        self.call(move |connection| read::load(connection, &scope))
            .await
    }

    async fn find_mappings(
        &self,
        scope: &BindingScope,
        query: &MappingQuery,
    ) -> Result<Vec<Mapping>, StoreError> {
        if query.is_empty() {
            return Ok(Vec::new());
        }
        let (scope, query) = (scope.clone(), query.clone());
        self.call(move |connection| read::find_mappings(connection, &scope, &query))
            .await
    }

    async fn list_mappings(
        &self,
        scope: &BindingScope,
        page: Option<&ListingToken>,
    ) -> Result<MappingPage, StoreError> {
        let (scope, page) = (scope.clone(), page.cloned());
        self.call(move |connection| read::list_mappings(connection, &scope, page.as_ref()))
            .await
    }

    async fn commit(
        &self,
        scope: &BindingScope,
        expected: StateVersion,
        commit: &Commit,
    ) -> Result<StateVersion, StoreError> {
        let (scope, commit) = (scope.clone(), commit.clone());
        self.call(move |connection| write::commit(connection, &scope, expected, &commit))
            .await
    }
}
