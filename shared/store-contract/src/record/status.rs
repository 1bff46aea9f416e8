//! The run status as one JSON document. The engine's status types carry no serde, so the
//! document is mirrored here; every mapping is an exhaustive match, so a new engine variant is a
//! compile error here rather than a status that cannot be stored.

use ohsync_engine::reconcile::{AbortReason, Side};
use ohsync_engine::report::{
    ActionCounts, ErrorCode, PartialReason, RunError, RunOutcome, RunStatus, SideCounts,
};
use serde::{Deserialize, Serialize};

use super::{RecordError, decode_instant, encode_instant};

#[derive(Serialize, Deserialize)]
struct StatusDoc {
    finished_at: String,
    outcome: OutcomeDoc,
    counts: CountsDoc,
    /// Absent in statuses stored before conflicts were counted.
    #[serde(default)]
    conflicts: SideCountsDoc,
    errors: Vec<ErrorDoc>,
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum OutcomeDoc {
    Completed,
    Partial { reason: PartialDoc },
    Aborted(GuardDoc),
    Busy,
    LostRace,
    Failed,
    DryRun,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum PartialDoc {
    Deadline,
    WorkLeft,
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "guard", rename_all = "snake_case")]
enum GuardDoc {
    StorageEmpty { side: SideDoc },
    DeletionGuard { planned: u64, limit: u64 },
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum SideDoc {
    Officeheart,
    Exchange,
}

#[derive(Default, Serialize, Deserialize)]
struct SideCountsDoc {
    officeheart: u32,
    exchange: u32,
}

#[derive(Serialize, Deserialize)]
struct CountsDoc {
    created: SideCountsDoc,
    updated: SideCountsDoc,
    deleted: SideCountsDoc,
    linked: u32,
    unlinked: u32,
}

#[derive(Serialize, Deserialize)]
struct ErrorDoc {
    code: CodeDoc,
    detail: String,
}

/// The engine's stable error codes; the serde names equal `ErrorCode::as_str` (tested).
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum CodeDoc {
    MailboxUnavailable,
    MailboxThrottled,
    MailboxUnauthorized,
    MailboxAccessBlocked,
    MailboxRejected,
    AgendaUnavailable,
    AgendaUnauthorized,
    AgendaRejected,
    StoreUnavailable,
    StoreCorrupt,
    MailboxListingInvalidated,
    PasswordMissing,
    PasswordDenied,
    PasswordUnavailable,
    CreateOutcomeUnknown,
}

impl From<Side> for SideDoc {
    fn from(side: Side) -> Self {
        match side {
            Side::OfficeHeart => Self::Officeheart,
            Side::Exchange => Self::Exchange,
        }
    }
}

impl From<SideDoc> for Side {
    fn from(side: SideDoc) -> Self {
        match side {
            SideDoc::Officeheart => Self::OfficeHeart,
            SideDoc::Exchange => Self::Exchange,
        }
    }
}

impl From<RunOutcome> for OutcomeDoc {
    fn from(outcome: RunOutcome) -> Self {
        match outcome {
            RunOutcome::Completed => Self::Completed,
            RunOutcome::Partial(PartialReason::Deadline) => Self::Partial {
                reason: PartialDoc::Deadline,
            },
            RunOutcome::Partial(PartialReason::WorkLeft) => Self::Partial {
                reason: PartialDoc::WorkLeft,
            },
            RunOutcome::Aborted(AbortReason::StorageEmpty { side }) => {
                Self::Aborted(GuardDoc::StorageEmpty { side: side.into() })
            }
            RunOutcome::Aborted(AbortReason::DeletionGuard { planned, limit }) => {
                Self::Aborted(GuardDoc::DeletionGuard { planned, limit })
            }
            RunOutcome::Busy => Self::Busy,
            RunOutcome::LostRace => Self::LostRace,
            RunOutcome::Failed => Self::Failed,
            RunOutcome::DryRun => Self::DryRun,
        }
    }
}

impl From<OutcomeDoc> for RunOutcome {
    fn from(outcome: OutcomeDoc) -> Self {
        match outcome {
            OutcomeDoc::Completed => Self::Completed,
            OutcomeDoc::Partial {
                reason: PartialDoc::Deadline,
            } => Self::Partial(PartialReason::Deadline),
            OutcomeDoc::Partial {
                reason: PartialDoc::WorkLeft,
            } => Self::Partial(PartialReason::WorkLeft),
            OutcomeDoc::Aborted(GuardDoc::StorageEmpty { side }) => {
                Self::Aborted(AbortReason::StorageEmpty { side: side.into() })
            }
            OutcomeDoc::Aborted(GuardDoc::DeletionGuard { planned, limit }) => {
                Self::Aborted(AbortReason::DeletionGuard { planned, limit })
            }
            OutcomeDoc::Busy => Self::Busy,
            OutcomeDoc::LostRace => Self::LostRace,
            OutcomeDoc::Failed => Self::Failed,
            OutcomeDoc::DryRun => Self::DryRun,
        }
    }
}

impl From<SideCounts> for SideCountsDoc {
    fn from(counts: SideCounts) -> Self {
        Self {
            officeheart: counts.officeheart,
            exchange: counts.exchange,
        }
    }
}

impl From<SideCountsDoc> for SideCounts {
    fn from(counts: SideCountsDoc) -> Self {
        Self {
            officeheart: counts.officeheart,
            exchange: counts.exchange,
        }
    }
}

impl From<ActionCounts> for CountsDoc {
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

impl From<CountsDoc> for ActionCounts {
    fn from(counts: CountsDoc) -> Self {
        Self {
            created: counts.created.into(),
            updated: counts.updated.into(),
            deleted: counts.deleted.into(),
            linked: counts.linked,
            unlinked: counts.unlinked,
        }
    }
}

impl From<ErrorCode> for CodeDoc {
    fn from(code: ErrorCode) -> Self {
        match code {
            ErrorCode::MailboxUnavailable => Self::MailboxUnavailable,
            ErrorCode::MailboxThrottled => Self::MailboxThrottled,
            ErrorCode::MailboxUnauthorized => Self::MailboxUnauthorized,
            ErrorCode::MailboxAccessBlocked => Self::MailboxAccessBlocked,
            ErrorCode::MailboxRejected => Self::MailboxRejected,
            ErrorCode::AgendaUnavailable => Self::AgendaUnavailable,
            ErrorCode::AgendaUnauthorized => Self::AgendaUnauthorized,
            ErrorCode::AgendaRejected => Self::AgendaRejected,
            ErrorCode::StoreUnavailable => Self::StoreUnavailable,
            ErrorCode::StoreCorrupt => Self::StoreCorrupt,
            ErrorCode::MailboxListingInvalidated => Self::MailboxListingInvalidated,
            ErrorCode::PasswordMissing => Self::PasswordMissing,
            ErrorCode::PasswordDenied => Self::PasswordDenied,
            ErrorCode::PasswordUnavailable => Self::PasswordUnavailable,
            ErrorCode::CreateOutcomeUnknown => Self::CreateOutcomeUnknown,
        }
    }
}

impl From<CodeDoc> for ErrorCode {
    fn from(code: CodeDoc) -> Self {
        match code {
            CodeDoc::MailboxUnavailable => Self::MailboxUnavailable,
            CodeDoc::MailboxThrottled => Self::MailboxThrottled,
            CodeDoc::MailboxUnauthorized => Self::MailboxUnauthorized,
            CodeDoc::MailboxAccessBlocked => Self::MailboxAccessBlocked,
            CodeDoc::MailboxRejected => Self::MailboxRejected,
            CodeDoc::AgendaUnavailable => Self::AgendaUnavailable,
            CodeDoc::AgendaUnauthorized => Self::AgendaUnauthorized,
            CodeDoc::AgendaRejected => Self::AgendaRejected,
            CodeDoc::StoreUnavailable => Self::StoreUnavailable,
            CodeDoc::StoreCorrupt => Self::StoreCorrupt,
            CodeDoc::MailboxListingInvalidated => Self::MailboxListingInvalidated,
            CodeDoc::PasswordMissing => Self::PasswordMissing,
            CodeDoc::PasswordDenied => Self::PasswordDenied,
            CodeDoc::PasswordUnavailable => Self::PasswordUnavailable,
            CodeDoc::CreateOutcomeUnknown => Self::CreateOutcomeUnknown,
        }
    }
}

/// The stored JSON of a run status.
pub fn encode_status(status: &RunStatus) -> String {
    let doc = StatusDoc {
        finished_at: encode_instant(status.finished_at),
        outcome: status.outcome.into(),
        counts: status.counts.into(),
        conflicts: status.conflicts.into(),
        errors: status
            .errors
            .iter()
            .map(|error| ErrorDoc {
                code: error.code.into(),
                detail: error.detail.clone(),
            })
            .collect(),
    };
    // Plain structs, enums, strings and integers always serialise.
    serde_json::to_string(&doc).unwrap_or_default()
}

/// Parses a status stored by [`encode_status`].
pub fn decode_status(raw: &str) -> Result<RunStatus, RecordError> {
    let doc: StatusDoc =
        serde_json::from_str(raw).map_err(|e| RecordError::InvalidStatus(e.to_string()))?;
    Ok(RunStatus {
        finished_at: decode_instant("status.finished_at", &doc.finished_at)?,
        outcome: doc.outcome.into(),
        counts: doc.counts.into(),
        conflicts: doc.conflicts.into(),
        errors: doc
            .errors
            .into_iter()
            .map(|error| RunError {
                code: error.code.into(),
                detail: error.detail,
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    const CODES: [ErrorCode; 15] = [
        ErrorCode::MailboxUnavailable,
        ErrorCode::MailboxThrottled,
        ErrorCode::MailboxUnauthorized,
        ErrorCode::MailboxAccessBlocked,
        ErrorCode::MailboxRejected,
        ErrorCode::AgendaUnavailable,
        ErrorCode::AgendaUnauthorized,
        ErrorCode::AgendaRejected,
        ErrorCode::StoreUnavailable,
        ErrorCode::StoreCorrupt,
        ErrorCode::MailboxListingInvalidated,
        ErrorCode::PasswordMissing,
        ErrorCode::PasswordDenied,
        ErrorCode::PasswordUnavailable,
        ErrorCode::CreateOutcomeUnknown,
    ];

    #[test]
    fn stored_codes_are_the_engine_codes() {
        for code in CODES {
            let stored = serde_json::to_value(CodeDoc::from(code)).unwrap();
            assert_eq!(stored, code.as_str());
        }
    }

    #[test]
    fn every_outcome_round_trips() {
        let outcomes = [
            RunOutcome::Completed,
            RunOutcome::Partial(PartialReason::Deadline),
            RunOutcome::Partial(PartialReason::WorkLeft),
            RunOutcome::Aborted(AbortReason::StorageEmpty {
                side: Side::OfficeHeart,
            }),
            RunOutcome::Aborted(AbortReason::StorageEmpty {
                side: Side::Exchange,
            }),
            RunOutcome::Aborted(AbortReason::DeletionGuard {
                planned: 40,
                limit: 25,
            }),
            RunOutcome::Busy,
            RunOutcome::LostRace,
            RunOutcome::Failed,
            RunOutcome::DryRun,
        ];
        for (n, outcome) in outcomes.into_iter().enumerate() {
            let status = RunStatus {
                finished_at: Utc.timestamp_opt(1_796_000_000 + n as i64, 5).unwrap(),
                outcome,
                counts: ActionCounts {
                    created: SideCounts {
                        officeheart: 1,
                        exchange: 2,
                    },
                    updated: SideCounts {
                        officeheart: 3,
                        exchange: 4,
                    },
                    deleted: SideCounts {
                        officeheart: 5,
                        exchange: 6,
                    },
                    linked: 7,
                    unlinked: 8,
                },
                conflicts: SideCounts {
                    officeheart: n as u32,
                    exchange: 1,
                },
                errors: CODES
                    .iter()
                    .map(|&code| RunError {
                        code,
                        detail: format!("detail \"{}\" — é", code.as_str()),
                    })
                    .collect(),
            };
            assert_eq!(decode_status(&encode_status(&status)).unwrap(), status);
        }
    }

    #[test]
    fn a_damaged_document_is_an_error() {
        assert!(matches!(
            decode_status("{\"finished_at\":1}"),
            Err(RecordError::InvalidStatus(_))
        ));
        assert!(matches!(
            decode_status(
                r#"{"finished_at":"x","outcome":{"kind":"busy"},"counts":{"created":{"officeheart":0,"exchange":0},"updated":{"officeheart":0,"exchange":0},"deleted":{"officeheart":0,"exchange":0},"linked":0,"unlinked":0},"errors":[]}"#
            ),
            Err(RecordError::InvalidField {
                field: "status.finished_at",
                ..
            })
        ));
    }
}
