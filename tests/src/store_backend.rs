//! The binding store a test or benchmark runs on: the engine's in-memory fake, the embedded
//! SQLite store in a temporary directory, or DynamoDB on the local stack with a table of its own.

use std::fmt;
use std::sync::Arc;

use ohsync_engine::ports::Store;
use ohsync_engine::testkit::{FakeStore, Faults};
use ohsync_store_dynamodb::{DynamoStore, RequestCounts, TableError, create_table};
use ohsync_store_embedded::{EmbeddedStore, OpenError};
use tempfile::TempDir;

use crate::local_stack::{self, StackMissing};

/// Which implementation of the store port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StoreBackend {
    /// `ohsync_engine::testkit::FakeStore`, in memory.
    Fake,
    /// `ohsync_store_embedded::EmbeddedStore` in a fresh temporary directory.
    Embedded,
    /// `ohsync_store_dynamodb::DynamoStore` on a fresh table of the local stack.
    DynamoDb,
}

/// A store could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    /// The local stack is required and missing.
    #[error(transparent)]
    StackMissing(#[from] StackMissing),
    /// The temporary directory could not be made.
    #[error("cannot create a temporary directory: {0}")]
    TempDir(#[from] std::io::Error),
    /// The embedded store did not open.
    #[error("cannot open the embedded store: {0}")]
    Embedded(#[from] OpenError),
    /// The table was not created.
    #[error("cannot create the DynamoDB table: {0}")]
    Table(#[from] TableError),
}

/// An open store and what keeps it alive (its directory or table).
pub struct OpenStore {
    /// The store.
    pub store: Arc<dyn Store>,
    kind: Kept,
}

enum Kept {
    Nothing,
    Directory(TempDir),
    Table(DynamoStore),
}

impl fmt::Debug for OpenStore {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.kind {
            Kept::Nothing => "in memory".to_owned(),
            Kept::Directory(dir) => dir.path().display().to_string(),
            Kept::Table(store) => store.table().to_owned(),
        };
        formatter
            .debug_struct("OpenStore")
            .field("at", &kind)
            .finish()
    }
}

impl StoreBackend {
    /// Every backend, in the order the suites name them.
    pub const ALL: [Self; 3] = [Self::Fake, Self::Embedded, Self::DynamoDb];

    /// A short name for output.
    pub fn name(self) -> &'static str {
        match self {
            Self::Fake => "fake",
            Self::Embedded => "embedded",
            Self::DynamoDb => "dynamodb",
        }
    }

    /// A fresh, empty store; `Ok(None)` for DynamoDB when the local stack is not running and not
    /// required (after saying so on stderr).
    pub async fn open(self) -> Result<Option<OpenStore>, BackendError> {
        match self {
            Self::Fake => Ok(Some(OpenStore {
                store: Arc::new(FakeStore::new(Arc::new(Faults::default()))),
                kind: Kept::Nothing,
            })),
            Self::Embedded => {
                let dir = tempfile::Builder::new().prefix("ohsync-e2e-").tempdir()?;
                let store = EmbeddedStore::open(dir.path())?;
                Ok(Some(OpenStore {
                    store: Arc::new(store),
                    kind: Kept::Directory(dir),
                }))
            }
            Self::DynamoDb => {
                let Some(endpoint) = local_stack::endpoint()? else {
                    return Ok(None);
                };
                let client = local_stack::dynamodb_client(&endpoint).await;
                let table = format!("ohsync-e2e-{}", uuid::Uuid::new_v4().simple());
                create_table(&client, &table).await?;
                let store = DynamoStore::new(client, table);
                Ok(Some(OpenStore {
                    store: Arc::new(store.clone()),
                    kind: Kept::Table(store),
                }))
            }
        }
    }
}

impl OpenStore {
    /// The same store opened afresh, as a new process would after a crash: the embedded store
    /// re-opens its file; the others are shared as they are.
    pub fn reopen(&self) -> Result<Arc<dyn Store>, BackendError> {
        match &self.kind {
            Kept::Directory(dir) => Ok(Arc::new(EmbeddedStore::open(dir.path())?)),
            Kept::Nothing | Kept::Table(_) => Ok(self.store.clone()),
        }
    }

    /// DynamoDB's requests per operation since the last reset (every HTTP attempt), if this is
    /// DynamoDB.
    pub fn dynamodb_requests(&self) -> Option<RequestCounts> {
        match &self.kind {
            Kept::Table(store) => Some(store.requests()),
            Kept::Nothing | Kept::Directory(_) => None,
        }
    }

    /// Starts DynamoDB's request counts afresh (nothing to do for the other backends).
    pub fn reset_dynamodb_requests(&self) {
        if let Kept::Table(store) = &self.kind {
            store.reset_requests();
        }
    }
}
