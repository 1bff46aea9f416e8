//! ohsync on one machine (DESIGN §7): the same core as the Lambda functions, with an in-memory
//! job queue, a worker pool that never runs one user twice at once nor floods one Exchange
//! host, the embedded store and the local secrets file.
//!
//! - [`serve::Serve`]: the settings API, the scheduler and the worker pool in one process.
//! - [`config::ServeConfig`]: its configuration (TOML file plus environment).
//! - [`sandbox::Sandbox`]: `serve` with both simulators and two demo users; [`feed::feed_line`]
//!   is its live feed.
//! - [`ops::Ops`]: the operator commands (`users`, `status`, `sync-now`, `dry-run`) over the
//!   same store, and [`ops::validate`].

pub mod config;
pub mod feed;
pub mod host_limits;
pub mod local_queue;
pub mod ops;
pub mod run_event;
pub mod sandbox;
mod schedule_loop;
pub mod serve;
mod worker_pool;
