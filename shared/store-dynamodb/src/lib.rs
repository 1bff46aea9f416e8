//! The DynamoDB adapter of the engine's binding store.
//!
//! One table (string keys `pk`/`sk`, on-demand, TTL on `expires_at`); every item of a binding
//! in one tenant-scoped partition. Costs per call on a normal run:
//! - `load`: one strongly consistent Query returning the state item and the intents;
//! - `find_mappings`: one BatchGetItem per 100 ids (of any mix of kinds), over pointer items
//!   that each carry the whole mapping;
//! - `commit`: one TransactWriteItems (conditional on the state version) when it writes at
//!   most 99 items, preceded by one BatchGetItem when it replaces or removes mappings;
//! - `list_mappings` (only after a feed reset): one Query per page of 400 mappings.
//!
//! The same table holds the settings records and the sharded active-users index
//! ([`DynamoSettingsStore`]), and the per-host run slots ([`DynamoHostSlots`]).
//!
//! The layout and the cost reasoning are in `docs/STORES.md`. Runs of one user never overlap
//! because the SQS FIFO queue uses the user as message group; the version check on every commit
//! is the last line of defence.

mod commit;
mod config;
mod host_slots;
mod item;
mod keys;
mod listing;
mod plan;
mod query;
mod read;
mod requests;
mod retire;
mod retry;
mod settings_store;
mod store;
mod table;

pub use config::{ConfigError, DynamoConfig, ENDPOINT_VARIABLE, TABLE_VARIABLE};
pub use host_slots::DynamoHostSlots;
pub use requests::{Operation, RequestCounts};
pub use retry::RetryPolicy;
pub use settings_store::{DynamoSettingsStore, SettingsOptions};
pub use store::{DynamoStore, StoreOptions};
pub use table::{TableError, create_table};
