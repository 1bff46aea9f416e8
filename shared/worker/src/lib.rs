//! The sync worker's core, without Lambda: [`SyncWorker::run_job`] takes one queued job to one
//! user's sync run.
//!
//! 1. Read the user's settings (absent or switched off: a quiet skip).
//! 2. Read the password by the exact secret version the settings name (cached in the warm
//!    container by the `Secrets` adapter in front).
//! 3. Build the user's EWS mailbox and OfficeHeart agenda, and run
//!    [`run_user_sync`](ohsync_engine::executor::run_user_sync) with a deadline that keeps a
//!    safety margin before the caller's (the Lambda deadline), so that no new work starts
//!    late.
//! 4. Classify: [`JobFailure::Retryable`] when trying again later can help (throttling, a
//!    store, secret store or server that did not answer), [`JobFailure::NonRetryable`] when it
//!    cannot (bad settings, refused credentials, EWS blocked, a malformed message) — the user's
//!    status records those, and redelivering the job would only hammer the server.
//!
//! Before the run the worker takes a slot of the user's Exchange host ([`HostSlots`](ohsync_jobs::HostSlots),
//! when one is set: [`SyncWorker::with_host_slots`]) and frees it afterwards; when every slot
//! is held the job is [`JobOutcome::Deferred`] — not started, handed back to the queue.
//!
//! Each run is one `sync_run` span (tenant, user, binding; never secrets) and one Embedded
//! Metric Format record ([`run_metrics`]).

mod account;
#[cfg(feature = "aws")]
pub mod aws;
mod config;
mod failure;
mod metrics;
mod outcome;
mod worker;

pub use config::{DEFAULT_RUNS_PER_EXCHANGE_HOST, OFFICEHEART_URL_VAR, WorkerConfig};
pub use failure::{FailureCause, FailureCode, JobFailure};
pub use metrics::{deferral_metrics, run_metrics};
pub use outcome::{DeferReason, JobOutcome, RunSummary, SkipReason, outcome_name};
pub use worker::{RunMode, SyncWorker, WorkerPorts};
