//! What the worker pool reports about each run, for a live feed and for tests.

use ohsync_engine::identity::{TenantId, UserId};
use ohsync_worker::{JobFailure, JobOutcome};

/// A run starting or ending.
#[derive(Debug, Clone)]
pub enum RunEvent {
    /// A worker took the user's job and holds the user's lock and a slot on its Exchange host.
    Started {
        /// The tenant.
        tenant: TenantId,
        /// The user.
        user: UserId,
    },
    /// The run ended (or was skipped, or failed before it could run).
    Finished {
        /// The tenant.
        tenant: TenantId,
        /// The user.
        user: UserId,
        /// What the worker reported (boxed: a run report is large).
        result: Box<Result<JobOutcome, JobFailure>>,
    },
}
