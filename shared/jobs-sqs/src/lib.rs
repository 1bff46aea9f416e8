//! The [`JobQueue`](ohsync_jobs::JobQueue) port on an SQS FIFO queue ([`SqsJobQueue`]).
//!
//! - Jobs go out with SendMessageBatch, ten per request (the SQS maximum), so that a tick of
//!   10,000 users costs 1,000 requests.
//! - `MessageGroupId` is the user ([`SyncJob::group_key`](ohsync_jobs::SyncJob::group_key)):
//!   SQS hands out one message of a group at a time, so two runs of one user never overlap.
//! - `MessageDeduplicationId` is the job's reason
//!   ([`SyncJob::dedup_key`](ohsync_jobs::SyncJob::dedup_key)): a tick delivered twice, or a
//!   batch sent again after a lost answer, is queued once (within SQS's five-minute window).
//! - Entries SQS fails are sent again with back-off; what still fails is reported per job.
//!
//! Why and how it is tested: `docs/FUNCTIONS.md`.

mod batch;
mod queue;

pub use queue::{QUEUE_URL_VAR, SqsJobQueue};
