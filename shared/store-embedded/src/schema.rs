//! The database schema and the connection settings every connection needs.

use std::path::Path;

use rusqlite::Connection;

use crate::error::OpenError;
use crate::settings_store;

/// The steps from each schema version to the next: step `n` moves a file at version `n` to
/// `n + 1` (version 0 is an empty file).
const MIGRATIONS: [&str; SCHEMA_VERSION as usize] =
    [BINDINGS, settings_store::SCHEMA, SPANS, UNCONFIRMED];

/// The schema this build writes (SQLite's `user_version`).
const SCHEMA_VERSION: i64 = 4;

// Mirrors the DynamoDB items: one binding row (version, positions, status, retirement), and
// mapping and intent rows under it. Indexes give the by-ItemId and by-UID lookups.
const BINDINGS: &str = "
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

// The synced span of a mapping; rows written before it read as having none.
const SPANS: &str = "
ALTER TABLE mapping ADD COLUMN span_start TEXT;
ALTER TABLE mapping ADD COLUMN span_end TEXT;
";

// The Exchange items of mappings written by runs that could not store a later position.
const UNCONFIRMED: &str = "
CREATE TABLE unconfirmed_item (
    binding_id INTEGER NOT NULL REFERENCES binding (id) ON DELETE CASCADE,
    exchange_item_id TEXT NOT NULL,
    PRIMARY KEY (binding_id, exchange_item_id)
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
        let done = usize::try_from(found).unwrap_or(0);
        for step in MIGRATIONS.iter().skip(done) {
            transaction.execute_batch(step).map_err(database)?;
        }
        transaction
            .pragma_update(None, "user_version", SCHEMA_VERSION)
            .map_err(database)?;
        transaction.commit().map_err(database)?;
    }
    Ok(connection)
}

#[cfg(test)]
mod tests {
    use ohsync_engine::ports::StoreError;
    use ohsync_store_contract::suite::fixtures::{by_officeheart, scope};

    use super::*;
    use crate::read;

    #[test]
    fn a_first_version_file_is_migrated_and_its_mappings_read_without_a_span() {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("old.sqlite3");
        let scope = scope("acme", "jan", "jan");
        {
            let old = Connection::open(&path).unwrap();
            old.execute_batch(MIGRATIONS[0]).unwrap();
            old.pragma_update(None, "user_version", 1).unwrap();
            old.execute(
                "INSERT INTO binding (id, tenant, user, binding, version) VALUES (1, ?1, ?2, ?3, 1)",
                [scope.tenant.as_str(), scope.user.as_str(), scope.binding.as_str()],
            )
            .unwrap();
            old.execute(
                "INSERT INTO mapping VALUES (1, 'oh-1', 'v1', 'AAMk=', '0400', NULL, ?1)",
                [[7u8; 32].as_slice()],
            )
            .unwrap();
        }
        let mut migrated = open(&path).unwrap();
        let version: i64 = migrated
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        let found = read::find_mappings(&mut migrated, &scope, &by_officeheart(&["oh-1"]))
            .map_err(StoreError::from)
            .unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].span, None);
        assert_eq!(found[0].exchange_item_id.as_str(), "AAMk=");
    }
}
