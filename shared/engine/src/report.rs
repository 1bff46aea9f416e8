//! What a run reports, and the status it leaves for the user.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::ports::{AgendaError, MailboxError, StoreError};
use crate::reconcile::{AbortReason, Conflict, Side, SkipReason, SyncPlan};

/// A count per side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SideCounts {
    /// On the OfficeHeart side.
    pub officeheart: u32,
    /// On the Exchange side.
    pub exchange: u32,
}

impl SideCounts {
    /// Counts one more on `side`.
    pub fn add(&mut self, side: Side) {
        match side {
            Side::OfficeHeart => self.officeheart += 1,
            Side::Exchange => self.exchange += 1,
        }
    }
}

/// What a run carried out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ActionCounts {
    /// Items created.
    pub created: SideCounts,
    /// Items updated.
    pub updated: SideCounts,
    /// Items deleted.
    pub deleted: SideCounts,
    /// Mappings recorded or refreshed without a write.
    pub linked: u32,
    /// Mappings forgotten.
    pub unlinked: u32,
}

impl ActionCounts {
    /// Whether nothing was carried out.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// A stable, machine-readable error code (the settings API maps it to Dutch and English text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ErrorCode {
    /// Exchange could not be reached.
    MailboxUnavailable,
    /// Exchange is throttling.
    MailboxThrottled,
    /// Exchange refused the credentials.
    MailboxUnauthorized,
    /// EWS is blocked for the account.
    MailboxAccessBlocked,
    /// Exchange refused a request.
    MailboxRejected,
    /// OfficeHeart could not be reached.
    AgendaUnavailable,
    /// OfficeHeart refused the credentials.
    AgendaUnauthorized,
    /// OfficeHeart refused a request.
    AgendaRejected,
    /// The store could not be reached.
    StoreUnavailable,
    /// A stored record could not be read.
    StoreCorrupt,
    /// Exchange dropped the paging state of a window listing twice in one run; the next run
    /// lists again.
    MailboxListingInvalidated,
    /// An Exchange create's outcome is unknown and the item was not found by its tag yet.
    CreateOutcomeUnknown,
}

impl ErrorCode {
    /// The code as text.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MailboxUnavailable => "mailbox_unavailable",
            Self::MailboxThrottled => "mailbox_throttled",
            Self::MailboxUnauthorized => "mailbox_unauthorized",
            Self::MailboxAccessBlocked => "mailbox_access_blocked",
            Self::MailboxRejected => "mailbox_rejected",
            Self::AgendaUnavailable => "agenda_unavailable",
            Self::AgendaUnauthorized => "agenda_unauthorized",
            Self::AgendaRejected => "agenda_rejected",
            Self::StoreUnavailable => "store_unavailable",
            Self::StoreCorrupt => "store_corrupt",
            Self::MailboxListingInvalidated => "mailbox_listing_invalidated",
            Self::CreateOutcomeUnknown => "create_outcome_unknown",
        }
    }
}

/// One error met during a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunError {
    /// The stable code.
    pub code: ErrorCode,
    /// Details for operators (never credentials).
    pub detail: String,
}

impl From<&MailboxError> for RunError {
    fn from(error: &MailboxError) -> Self {
        let code = match error {
            MailboxError::Unavailable(_) => ErrorCode::MailboxUnavailable,
            // A delta read recovers from it by listing; only a listing can fail with it.
            MailboxError::InvalidSyncState => ErrorCode::MailboxListingInvalidated,
            MailboxError::Throttled { .. } => ErrorCode::MailboxThrottled,
            MailboxError::Unauthorized => ErrorCode::MailboxUnauthorized,
            MailboxError::AccessBlocked => ErrorCode::MailboxAccessBlocked,
            MailboxError::Rejected { .. } => ErrorCode::MailboxRejected,
        };
        Self {
            code,
            detail: error.to_string(),
        }
    }
}

impl From<&AgendaError> for RunError {
    fn from(error: &AgendaError) -> Self {
        let code = match error {
            AgendaError::Unavailable(_) | AgendaError::CursorExpired => {
                ErrorCode::AgendaUnavailable
            }
            AgendaError::Unauthorized => ErrorCode::AgendaUnauthorized,
            AgendaError::VersionConflict
            | AgendaError::NotFound
            | AgendaError::Rejected { .. }
            | AgendaError::Invalid(_) => ErrorCode::AgendaRejected,
        };
        Self {
            code,
            detail: error.to_string(),
        }
    }
}

impl From<&StoreError> for RunError {
    fn from(error: &StoreError) -> Self {
        let code = match error {
            StoreError::Unavailable(_) | StoreError::Conflict => ErrorCode::StoreUnavailable,
            StoreError::Corrupt(_) => ErrorCode::StoreCorrupt,
        };
        Self {
            code,
            detail: error.to_string(),
        }
    }
}

/// Why a run left work for the next one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PartialReason {
    /// The deadline passed; no new work was started.
    Deadline,
    /// Some items failed in a way a later run may get past (see the errors).
    WorkLeft,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RunOutcome {
    /// Everything read was applied and the sync positions advanced.
    Completed,
    /// Some work was done and persisted; the positions did not advance.
    Partial(PartialReason),
    /// A guard tripped; nothing was carried out.
    Aborted(AbortReason),
    /// Another run is at work on this binding; this one left quietly.
    Busy,
    /// Another run wrote the binding first; this run's remaining writes were dropped.
    LostRace,
    /// The run could not read what it needed (see the errors).
    Failed,
    /// A dry run: the plan is in the report, nothing was written.
    DryRun,
}

/// The status a run leaves for the user (last run, counts, last error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunStatus {
    /// When the run finished.
    pub finished_at: DateTime<Utc>,
    /// How it ended.
    pub outcome: RunOutcome,
    /// What it carried out.
    pub counts: ActionCounts,
    /// What went wrong.
    pub errors: Vec<RunError>,
}

impl RunStatus {
    /// Whether the status shows nothing to act on.
    pub fn is_healthy(&self) -> bool {
        self.outcome == RunOutcome::Completed && self.errors.is_empty()
    }
}

/// The full account of one run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunReport {
    /// How it ended.
    pub outcome: RunOutcome,
    /// What was carried out, per action and side.
    pub counts: ActionCounts,
    /// What was left alone, per reason.
    pub skipped: BTreeMap<SkipReason, u32>,
    /// The conflicts met and how they were resolved.
    pub conflicts: Vec<Conflict>,
    /// Errors, with stable codes.
    pub errors: Vec<RunError>,
    /// The plan, for a dry run.
    pub plan: Option<SyncPlan>,
}

impl Default for RunReport {
    fn default() -> Self {
        Self::new()
    }
}

impl RunReport {
    /// The report of a run that completed and did nothing, to be filled in as it goes.
    pub fn new() -> Self {
        Self {
            outcome: RunOutcome::Completed,
            counts: ActionCounts::default(),
            skipped: BTreeMap::new(),
            conflicts: Vec::new(),
            errors: Vec::new(),
            plan: None,
        }
    }

    /// The status this report leaves, finished at `at`.
    pub fn status(&self, at: DateTime<Utc>) -> RunStatus {
        RunStatus {
            finished_at: at,
            outcome: self.outcome,
            counts: self.counts,
            errors: self.errors.clone(),
        }
    }
}
