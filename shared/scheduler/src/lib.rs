//! One tick of the schedule ([`dispatch_tick`]): read the sharded index of active users, all
//! shards at once and each paged to its end, and queue one sync job per user in batches with
//! a bounded number in flight. The scheduler does no per-user work (no settings reads, no
//! secrets): everything else happens in the worker that takes the job.
//!
//! - [`tick_of`]: the tick an EventBridge event stands for (its time rounded down to the
//!   period), so that two deliveries of one tick carry the same jobs and the FIFO queue drops
//!   the second.
//! - [`DispatchReport`]: what a tick did, with its EMF metrics.

mod dispatch;
mod report;
mod shard;
mod tick;

pub use dispatch::{DispatchOptions, dispatch_tick};
pub use report::{DispatchReport, RefusedJob, ShardFailure};
pub use tick::{DEFAULT_PERIOD, tick_of};
