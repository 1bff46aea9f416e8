//! Sync jobs: the request to run one user's sync ([`SyncJob`]), the message text it travels as,
//! and the [`JobQueue`] port that carries it from the scheduler or the settings API to a worker.
//!
//! The queue guarantees what DESIGN §3 asks of it: runs of one user never overlap (the user is
//! the ordering group, [`SyncJob::group_key`]), and a job sent twice for the same reason is taken
//! once ([`SyncJob::dedup_key`]).
//!
//! [`Backoff`] is how the queue adapters and the scheduler space their retries. [`HostSlots`]
//! caps the runs against one Exchange host across workers.

mod backoff;
pub mod host_slots;

pub use backoff::Backoff;
pub use host_slots::{ExchangeHost, HostSlots, HostSlotsError, SlotHolder, SlotLease};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ohsync_engine::identity::{TenantId, UserId};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Why a job was queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "trigger", rename_all = "snake_case")]
pub enum JobTrigger {
    /// The schedule fired; `tick` is the schedule's time, the same for every user of that tick.
    Tick {
        /// The scheduled time of the tick.
        tick: DateTime<Utc>,
    },
    /// Someone asked for a run now (`POST …/sync-now`, `ohsync sync-now`).
    SyncNow {
        /// When it was asked.
        requested_at: DateTime<Utc>,
    },
}

/// One user's sync, to be run by a worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncJob {
    /// The tenant.
    pub tenant: TenantId,
    /// The user.
    pub user: UserId,
    /// Why it was queued.
    pub trigger: JobTrigger,
}

#[derive(Serialize, Deserialize)]
struct JobMessage {
    v: u8,
    tenant: String,
    user: String,
    #[serde(flatten)]
    trigger: JobTrigger,
}

const MESSAGE_VERSION: u8 = 1;

impl SyncJob {
    /// The text the job travels as (JSON, versioned).
    pub fn to_message(&self) -> String {
        let message = JobMessage {
            v: MESSAGE_VERSION,
            tenant: self.tenant.as_str().to_owned(),
            user: self.user.as_str().to_owned(),
            trigger: self.trigger,
        };
        // Serialising plain strings and timestamps cannot fail.
        serde_json::to_string(&message).unwrap_or_default()
    }

    /// Reads a job back from its message text; every id is parsed again.
    pub fn from_message(text: &str) -> Result<Self, JobMessageError> {
        let message: JobMessage =
            serde_json::from_str(text).map_err(|e| JobMessageError::Malformed(e.to_string()))?;
        if message.v != MESSAGE_VERSION {
            return Err(JobMessageError::UnknownVersion(message.v));
        }
        Ok(Self {
            tenant: TenantId::parse(&message.tenant)
                .map_err(|e| JobMessageError::Malformed(format!("tenant: {e}")))?,
            user: UserId::parse(&message.user)
                .map_err(|e| JobMessageError::Malformed(format!("user: {e}")))?,
            trigger: message.trigger,
        })
    }

    /// The ordering group: one per user, so that no two runs of a user overlap. A hash, as
    /// SQS allows 128 characters and a tenant and user id together may be longer.
    pub fn group_key(&self) -> String {
        hex_sha256(&[self.tenant.as_str(), self.user.as_str()])
    }

    /// Equal for two sends of the same job: the same tick, or the same sync-now request.
    pub fn dedup_key(&self) -> String {
        let (kind, at) = match self.trigger {
            JobTrigger::Tick { tick } => ("tick", tick),
            JobTrigger::SyncNow { requested_at } => ("now", requested_at),
        };
        hex_sha256(&[
            self.tenant.as_str(),
            self.user.as_str(),
            kind,
            &at.timestamp_micros().to_string(),
        ])
    }
}

/// SHA-256 over length-prefixed parts, so that no two part lists share a hash input.
fn hex_sha256(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// A message that is not a job of this version.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobMessageError {
    /// Not the JSON of a job, or an id that does not parse.
    #[error("the job message is malformed: {0}")]
    Malformed(String),
    /// A message version this build does not know.
    #[error("the job message has unknown version {0}")]
    UnknownVersion(u8),
}

/// A queue refused or lost jobs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobQueueError {
    /// The queue could not be reached or did not answer; none of the jobs may have been taken.
    #[error("the job queue could not be reached: {0}")]
    Unavailable(String),
    /// The queue took some jobs and refused these (by index in the slice given), with why.
    #[error("the job queue refused {} job(s)", .0.len())]
    Refused(Vec<(usize, String)>),
}

/// Where sync jobs are queued for the workers.
#[async_trait]
pub trait JobQueue: Send + Sync {
    /// Queues `jobs`; a job already queued for the same reason ([`SyncJob::dedup_key`]) is not
    /// queued twice.
    async fn enqueue(&self, jobs: &[SyncJob]) -> Result<(), JobQueueError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(trigger: JobTrigger) -> SyncJob {
        SyncJob {
            tenant: TenantId::parse("acme").unwrap(),
            user: UserId::parse("jan").unwrap(),
            trigger,
        }
    }

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(secs, 0).unwrap()
    }

    #[test]
    fn a_job_round_trips_through_its_message() {
        for trigger in [
            JobTrigger::Tick {
                tick: at(1_800_000_000),
            },
            JobTrigger::SyncNow {
                requested_at: at(1_800_000_123),
            },
        ] {
            let job = job(trigger);
            assert_eq!(SyncJob::from_message(&job.to_message()).unwrap(), job);
        }
    }

    #[test]
    fn a_message_with_a_bad_id_or_version_is_refused() {
        let good = job(JobTrigger::Tick { tick: at(0) }).to_message();
        let bad_tenant = good.replace("\"acme\"", "\"\"");
        assert!(matches!(
            SyncJob::from_message(&bad_tenant),
            Err(JobMessageError::Malformed(_))
        ));
        let v2 = good.replace("\"v\":1", "\"v\":2");
        assert_eq!(
            SyncJob::from_message(&v2),
            Err(JobMessageError::UnknownVersion(2))
        );
        assert!(SyncJob::from_message("not json").is_err());
    }

    #[test]
    fn the_same_tick_deduplicates_and_another_does_not() {
        let a = job(JobTrigger::Tick { tick: at(300) });
        assert_eq!(
            a.dedup_key(),
            job(JobTrigger::Tick { tick: at(300) }).dedup_key()
        );
        assert_ne!(
            a.dedup_key(),
            job(JobTrigger::Tick { tick: at(600) }).dedup_key()
        );
        assert_ne!(
            a.dedup_key(),
            job(JobTrigger::SyncNow {
                requested_at: at(300)
            })
            .dedup_key()
        );
        assert_eq!(
            a.group_key(),
            job(JobTrigger::SyncNow {
                requested_at: at(1)
            })
            .group_key()
        );
        let other_user = SyncJob {
            user: UserId::parse("piet").unwrap(),
            ..a.clone()
        };
        assert_ne!(a.group_key(), other_user.group_key());
        assert_eq!(a.group_key().len(), 64);
    }
}
