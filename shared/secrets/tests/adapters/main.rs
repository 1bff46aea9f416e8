//! The adapters over real sockets and real files: the one `Secrets` contract on Secrets Manager
//! (moto) and on the local file, each adapter's own promises, the cache, and that no text the
//! crate produces shows a password.
#![allow(clippy::unwrap_used, reason = "a panic is how a test reports failure")]

mod cached;
mod contract;
mod file;
mod leaks;
mod secrets_manager;
mod stack;
