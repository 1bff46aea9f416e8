//! The embedded binding store for one machine, and the per-user run lock.
//!
//! Why SQLite (through `rusqlite`, SQLite compiled in) rather than redb: the data is relational
//! (mappings are looked up by three different ids), and SQLite gives secondary indexes,
//! multi-table ACID transactions and a crash-safe single file out of the box, where redb would
//! need hand-kept index tables. It is also the file format operators can open and inspect with
//! the `sqlite3` shell. The price is compiling SQLite's C source once per clean build.
//!
//! Layout: one file, `ohsync.sqlite3`, under the data directory; tables mirror the DynamoDB
//! items (a binding row with version, positions and status; mapping and intent rows), so the
//! same contract suite runs against both. See `docs/STORES.md`.
//!
//! The same file holds the settings records and the active-users index
//! ([`EmbeddedSettingsStore`]), on the same connection.
//!
//! Runs of one user must never overlap. On AWS the SQS FIFO queue (the user as message group)
//! guarantees it, with the conditional version write as the last line of defence; on one machine
//! [`UserRunLocks`] does the queue's part.

mod error;
mod read;
mod run_lock;
mod schema;
mod settings_store;
mod store;
mod write;

pub use error::OpenError;
pub use run_lock::{UserRunGuard, UserRunLocks};
pub use settings_store::EmbeddedSettingsStore;
pub use store::{DATABASE_FILE, EmbeddedStore};
