//! The database schema and the connection settings every connection needs.

use std::path::Path;

use rusqlite::Connection;

use crate::error::OpenError;

/// The schema this build writes (SQLite's `user_version`).
const SCHEMA_VERSION: i64 = 1;

// Mirrors the DynamoDB items: one binding row (version, positions, status, retirement), and
// mapping and intent rows under it. Indexes give the by-ItemId and by-UID lookups.
const SCHEMA: &str = "
CREATE TABLE binding (
    id INTEGER PRIMARY KEY,
    tenant TEXT NOT NULL,
    user TEXT NOT NULL,
    binding TEXT NOT NULL,
    version INTEGER NOT NULL,
    mailbox_sync_state TEXT,
    agenda_cursor TEXT,
    status TEXT,
    expires_at INTEGER,
    UNIQUE (tenant, user, binding)
);
CREATE INDEX binding_by_expiry ON binding (expires_at) WHERE expires_at IS NOT NULL;
CREATE TABLE mapping (
    binding_id INTEGER NOT NULL REFERENCES binding (id) ON DELETE CASCADE,
    officeheart_id TEXT NOT NULL,
    officeheart_version TEXT NOT NULL,
    exchange_item_id TEXT NOT NULL,
    exchange_uid TEXT NOT NULL,
    exchange_change_key TEXT,
    content_hash BLOB NOT NULL,
    PRIMARY KEY (binding_id, officeheart_id)
) WITHOUT ROWID;
CREATE INDEX mapping_by_item_id ON mapping (binding_id, exchange_item_id);
CREATE INDEX mapping_by_uid ON mapping (binding_id, exchange_uid);
CREATE TABLE intent (
    binding_id INTEGER NOT NULL REFERENCES binding (id) ON DELETE CASCADE,
    officeheart_id TEXT NOT NULL,
    officeheart_version TEXT NOT NULL,
    content_hash BLOB NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (binding_id, officeheart_id)
) WITHOUT ROWID;
";

/// Opens the database file, applies the connection settings and creates the schema when new.
pub(crate) fn open(path: &Path) -> Result<Connection, OpenError> {
    let database = |source| OpenError::Database {
        path: path.to_owned(),
        source,
    };
    let mut connection = Connection::open(path).map_err(database)?;
    // WAL lets readers in other processes (an operator's sqlite3 shell) work beside the writer;
    // FULL makes every commit durable before it is reported, since a commit that a power cut
    // rolls back would forget mappings of items already written (duplicates on the next run).
    // The busy timeout covers another process holding the write lock briefly.
    connection
        .execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = ON;
             PRAGMA busy_timeout = 5000;",
        )
        .map_err(database)?;
    let found: i64 = connection
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(database)?;
    if found > SCHEMA_VERSION {
        return Err(OpenError::NewerSchema {
            path: path.to_owned(),
            found,
            known: SCHEMA_VERSION,
        });
    }
    if found < SCHEMA_VERSION {
        let transaction = connection.transaction().map_err(database)?;
        transaction.execute_batch(SCHEMA).map_err(database)?;
        transaction
            .pragma_update(None, "user_version", SCHEMA_VERSION)
            .map_err(database)?;
        transaction.commit().map_err(database)?;
    }
    Ok(connection)
}
