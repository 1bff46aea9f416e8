//! How SQLite failures map onto the port's errors.

use std::path::PathBuf;

use ohsync_engine::ports::StoreError;
use ohsync_store_contract::record::RecordError;
use rusqlite::ErrorCode;

/// Why the store could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The data directory could not be created.
    #[error("could not create the data directory {path}: {source}")]
    DataDirectory {
        /// The directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// SQLite could not open or prepare the database file.
    #[error("could not open the database {path}: {source}")]
    Database {
        /// The database file.
        path: PathBuf,
        /// The cause.
        source: rusqlite::Error,
    },
    /// The file was written by a newer ohsync with a schema this one does not know.
    #[error("the database {path} has schema version {found}; this build knows up to {known}")]
    NewerSchema {
        /// The database file.
        path: PathBuf,
        /// The schema version found.
        found: i64,
        /// The newest version this build knows.
        known: i64,
    },
}

/// A SQLite failure as the port sees it: damage is `Corrupt`, anything else (busy, I/O, full
/// disk) is `Unavailable`.
pub(crate) fn store_error(error: rusqlite::Error) -> StoreError {
    match &error {
        rusqlite::Error::FromSqlConversionFailure(..)
        | rusqlite::Error::InvalidColumnType(..)
        | rusqlite::Error::IntegralValueOutOfRange(..) => StoreError::Corrupt(error.to_string()),
        _ => match error.sqlite_error_code() {
            Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => {
                StoreError::Corrupt(error.to_string())
            }
            _ => StoreError::Unavailable(error.to_string()),
        },
    }
}

/// A failure inside a blocking store call: SQLite's or a stored record's.
#[derive(Debug)]
pub(crate) enum CallError {
    Sqlite(rusqlite::Error),
    Store(StoreError),
}

impl From<rusqlite::Error> for CallError {
    fn from(error: rusqlite::Error) -> Self {
        Self::Sqlite(error)
    }
}

impl From<RecordError> for CallError {
    fn from(error: RecordError) -> Self {
        Self::Store(error.into())
    }
}

impl From<StoreError> for CallError {
    fn from(error: StoreError) -> Self {
        Self::Store(error)
    }
}

impl From<CallError> for StoreError {
    fn from(error: CallError) -> Self {
        match error {
            CallError::Sqlite(error) => store_error(error),
            CallError::Store(error) => error,
        }
    }
}
