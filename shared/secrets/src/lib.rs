//! The engine's `Secrets` port (where each user's Exchange password lives) on AWS Secrets
//! Manager and, for one machine, on a local file; and `CachedSecrets`, which keeps read values
//! in memory keyed by the secret's version id so that a warm worker reads each password once.
//!
//! Naming, IAM scope, versions, the file's format and the cost per run are in
//! `docs/SECRETS.md`.

mod cached;
#[cfg(unix)]
mod file;
mod secrets_manager;
mod version_id;

pub use cached::{CacheStats, CachedSecrets};
#[cfg(unix)]
pub use file::{FileSecrets, FileSecretsError};
pub use secrets_manager::{RECOVERY_WINDOW_DAYS, SecretsManagerSecrets, WriteToken};
