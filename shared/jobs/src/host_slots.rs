//! The [`HostSlots`] port: a cap on the runs against one Exchange host at once, shared by every
//! worker (DESIGN §2: one on-premises server must not get every worker at once).
//!
//! A host has `cap` numbered slots; a run takes a free one before it starts and frees it when it
//! ends. A slot is free when nobody took it, its holder released it, or its lease ended — the
//! lease outlives the longest run, so a slot held by a worker that crashed frees itself. A run
//! that finds every slot held is not started: the caller hands its job back to the queue.

use std::fmt;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::SyncJob;

/// An Exchange server's host name, lower-cased: the cap counts runs per host, however the
/// users typed it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExchangeHost(String);

impl ExchangeHost {
    /// The host of a URL (`url::Url::host_str`), lower-cased and without an IPv6 literal's
    /// brackets.
    pub fn new(host: &str) -> Self {
        Self(host.trim_matches(['[', ']']).to_ascii_lowercase())
    }

    /// The host name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ExchangeHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Who holds a slot: one run, different for every acquisition, so that only that run frees
/// the slot (a run whose lease ended and was taken over must not free the new holder's).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SlotHolder(String);

impl SlotHolder {
    /// A holder named `name` (unique per run).
    pub fn new(name: impl Into<String>) -> Self {
        Self(name.into())
    }

    /// The holder for one run of `job`: the user and a random part, so that logs and the
    /// table tell whose run holds a slot.
    pub fn for_job(job: &SyncJob) -> Self {
        Self(format!(
            "{}/{}/{:016x}",
            job.tenant,
            job.user,
            rand::random::<u64>()
        ))
    }

    /// The holder's name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SlotHolder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A slot taken on a host, held until it is released or `lease_until` passes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotLease {
    /// The host.
    pub host: ExchangeHost,
    /// Which of the host's slots (below the cap).
    pub slot: u32,
    /// Who holds it.
    pub holder: SlotHolder,
    /// When the slot frees itself if it is not released.
    pub lease_until: DateTime<Utc>,
}

/// The slots could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HostSlotsError {
    /// The backend did not answer (after its own retries); trying later may succeed.
    #[error("the host slots could not be reached: {0}")]
    Unavailable(String),
}

/// The slots of every Exchange host, shared by all workers.
#[async_trait]
pub trait HostSlots: Send + Sync {
    /// Takes one of `host`'s `cap` slots for `holder` until `lease_until`: a slot never taken,
    /// released, or whose lease ended before `now`. `None` when all `cap` are held; then
    /// nothing was written.
    async fn try_acquire(
        &self,
        host: &ExchangeHost,
        cap: u32,
        holder: &SlotHolder,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<SlotLease>, HostSlotsError>;

    /// Frees `lease`'s slot if its holder still holds it. `false` when it does not (the lease
    /// ended and another run took the slot): nothing was changed.
    async fn release(&self, lease: &SlotLease) -> Result<bool, HostSlotsError>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use ohsync_engine::identity::{TenantId, UserId};

    #[test]
    fn hosts_are_counted_whatever_their_case_and_brackets() {
        assert_eq!(
            ExchangeHost::new("MAIL.Example.NL"),
            ExchangeHost::new("mail.example.nl")
        );
        assert_eq!(ExchangeHost::new("[::1]").as_str(), "::1");
    }

    #[test]
    fn every_run_of_a_job_holds_as_someone_else() {
        let job = SyncJob {
            tenant: TenantId::parse("acme").unwrap(),
            user: UserId::parse("jan").unwrap(),
            trigger: crate::JobTrigger::SyncNow {
                requested_at: Utc::now(),
            },
        };
        let (first, second) = (SlotHolder::for_job(&job), SlotHolder::for_job(&job));
        assert_ne!(first, second);
        assert!(first.as_str().starts_with("acme/jan/"), "{first}");
    }
}
