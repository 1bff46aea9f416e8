//! The sync status of a user, and the answer to a sync-now request.

use chrono::{DateTime, Utc};
use ohsync_engine::report::{ActionCounts, RunError, RunStatus, SideCounts};
use serde::Serialize;
use utoipa::ToSchema;

use super::Text;
use crate::outcome::{outcome_code, outcome_text};

/// A count per side.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct SideCountsView {
    /// In the OfficeHeart agenda.
    officeheart: u32,
    /// In the Exchange calendar.
    exchange: u32,
}

impl From<SideCounts> for SideCountsView {
    fn from(counts: SideCounts) -> Self {
        Self {
            officeheart: counts.officeheart,
            exchange: counts.exchange,
        }
    }
}

/// What the last run carried out.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct CountsView {
    /// Appointments created, per side.
    created: SideCountsView,
    /// Appointments updated, per side.
    updated: SideCountsView,
    /// Appointments deleted, per side.
    deleted: SideCountsView,
    /// Pairs linked or refreshed without a write.
    linked: u32,
    /// Pairs forgotten.
    unlinked: u32,
}

impl From<ActionCounts> for CountsView {
    fn from(counts: ActionCounts) -> Self {
        Self {
            created: counts.created.into(),
            updated: counts.updated.into(),
            deleted: counts.deleted.into(),
            linked: counts.linked,
            unlinked: counts.unlinked,
        }
    }
}

/// How the last run ended.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OutcomeView {
    /// Stable code: `completed`, `partial_deadline`, `partial_work_left`,
    /// `aborted_storage_empty`, `aborted_deletion_guard`, `busy`, `lost_race`, `failed`,
    /// `dry_run`.
    #[schema(example = "completed")]
    code: &'static str,
    /// What it means and what to do.
    message: Text,
}

/// One error the last run met.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RunErrorView {
    /// Stable code, e.g. `mailbox_unauthorized`; the list is in docs/SETTINGS-API.md.
    #[schema(example = "mailbox_unauthorized")]
    code: &'static str,
    /// What happened and what to do.
    message: Text,
    /// Details for support (never a credential).
    detail: String,
}

impl From<&RunError> for RunErrorView {
    fn from(error: &RunError) -> Self {
        Self {
            code: error.code.as_str(),
            message: error.code.text().into(),
            detail: error.detail.clone(),
        }
    }
}

/// The last run of the user's sync.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LastRunView {
    /// When it finished.
    finished_at: DateTime<Utc>,
    /// How it ended.
    outcome: OutcomeView,
    /// Whether it needs no attention: completed without errors.
    healthy: bool,
    /// What it carried out.
    counts: CountsView,
    /// The conflicts it resolved (both sides changed one appointment), counted by the side
    /// whose version was kept.
    conflicts_won: SideCountsView,
    /// What went wrong.
    errors: Vec<RunErrorView>,
}

impl From<&RunStatus> for LastRunView {
    fn from(status: &RunStatus) -> Self {
        Self {
            finished_at: status.finished_at,
            outcome: OutcomeView {
                code: outcome_code(status.outcome),
                message: outcome_text(status.outcome),
            },
            healthy: status.is_healthy(),
            counts: status.counts.into(),
            conflicts_won: status.conflicts.into(),
            errors: status.errors.iter().map(RunErrorView::from).collect(),
        }
    }
}

/// The sync status of a user: the settings' state and the last run of their current binding.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SyncStatusView {
    /// Whether sync is switched on.
    pub active: bool,
    /// Whether a password is stored.
    pub password_set: bool,
    /// The Exchange server's version as last seen (`ServerVersionInfo`), or `null`.
    #[schema(required = true)]
    pub server_version_seen: Option<String>,
    /// How many appointment pairs the current account has linked.
    pub linked_items: u64,
    /// The last run for the current account; `null` before the first.
    #[schema(required = true)]
    pub last_run: Option<LastRunView>,
}

/// The answer to `POST …/sync-now`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SyncNowAnswer {
    /// When the run was asked for; a worker picks the job up within moments.
    pub requested_at: DateTime<Utc>,
}
