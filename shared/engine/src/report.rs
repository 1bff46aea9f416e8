//! What a run reports, and the status it leaves for the user.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use ohsync_localized::LocalizedText;

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

/// Declares the error codes with their text and their user texts from one table, so that a code
/// cannot exist without its texts or be missing from [`ErrorCode::ALL`].
macro_rules! error_codes {
    ($($(#[$doc:meta])* $variant:ident => $code:literal { nl: $nl:literal, en: $en:literal $(,)? },)*) => {
        /// A stable, machine-readable error code, with a text for the user in Dutch and English
        /// (shown by the settings API's sync status).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ErrorCode {
            $($(#[$doc])* $variant,)*
        }

        impl ErrorCode {
            /// Every code.
            pub const ALL: &'static [ErrorCode] = &[$(Self::$variant,)*];

            /// The code as text.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $code,)*
                }
            }

            /// What happened and what to do, for the user.
            pub fn text(self) -> LocalizedText {
                match self {
                    $(Self::$variant => LocalizedText::from_static($nl, $en),)*
                }
            }
        }
    };
}

error_codes! {
    /// Exchange could not be reached.
    MailboxUnavailable => "mailbox_unavailable" {
        nl: "Exchange was niet bereikbaar. Controleer of de server aan staat en van buitenaf bereikbaar is; ohsync probeert het bij de volgende ronde opnieuw.",
        en: "Exchange could not be reached. Check that the server is up and reachable from outside; ohsync tries again in the next round.",
    },
    /// Exchange is throttling.
    MailboxThrottled => "mailbox_throttled" {
        nl: "Exchange vroeg ohsync even minder verzoeken te sturen. ohsync wacht en probeert het later vanzelf opnieuw; u hoeft niets te doen.",
        en: "Exchange asked ohsync to send fewer requests for a while. ohsync waits and tries again later by itself; there is nothing to do.",
    },
    /// Exchange refused the credentials.
    MailboxUnauthorized => "mailbox_unauthorized" {
        nl: "Exchange weigerde de aanmelding. Controleer gebruikersnaam, domein en wachtwoord bij de Exchange-instellingen (is het wachtwoord onlangs gewijzigd?).",
        en: "Exchange refused the sign-in. Check the user name, domain and password in the Exchange settings (was the password changed recently?).",
    },
    /// EWS is blocked for the account.
    MailboxAccessBlocked => "mailbox_access_blocked" {
        nl: "EWS is voor dit account geblokkeerd door een toegangsbeleid van Exchange. Vraag de Exchange-beheerder EWS voor deze gebruiker toe te staan.",
        en: "EWS is blocked for this account by an Exchange access policy. Ask the Exchange administrator to allow EWS for this user.",
    },
    /// Exchange refused a request.
    MailboxRejected => "mailbox_rejected" {
        nl: "Exchange weigerde een verzoek van ohsync. ohsync probeert het bij de volgende ronde opnieuw; blijft deze fout, neem dan contact op met support.",
        en: "Exchange refused a request from ohsync. ohsync tries again in the next round; if this error stays, contact support.",
    },
    /// OfficeHeart could not be reached.
    AgendaUnavailable => "agenda_unavailable" {
        nl: "De OfficeHeart-agenda was niet bereikbaar. ohsync probeert het bij de volgende ronde opnieuw.",
        en: "The OfficeHeart agenda could not be reached. ohsync tries again in the next round.",
    },
    /// OfficeHeart refused the credentials.
    AgendaUnauthorized => "agenda_unauthorized" {
        nl: "OfficeHeart weigerde ohsync de toegang tot de agenda. De beheerder van ohsync moet de koppeling met OfficeHeart controleren.",
        en: "OfficeHeart refused ohsync access to the agenda. The ohsync operator needs to check the connection to OfficeHeart.",
    },
    /// OfficeHeart refused a request.
    AgendaRejected => "agenda_rejected" {
        nl: "OfficeHeart weigerde een wijziging van ohsync. ohsync probeert het bij de volgende ronde opnieuw; blijft deze fout, neem dan contact op met support.",
        en: "OfficeHeart refused a change from ohsync. ohsync tries again in the next round; if this error stays, contact support.",
    },
    /// The store could not be reached.
    StoreUnavailable => "store_unavailable" {
        nl: "De opslag van ohsync was even niet bereikbaar. ohsync probeert het bij de volgende ronde opnieuw.",
        en: "ohsync's storage was briefly unavailable. ohsync tries again in the next round.",
    },
    /// A stored record could not be read.
    StoreCorrupt => "store_corrupt" {
        nl: "Opgeslagen synchronisatiegegevens konden niet worden gelezen. Neem contact op met de beheerder van ohsync.",
        en: "Stored sync data could not be read. Contact the ohsync operator.",
    },
    /// Exchange dropped the paging state of a window listing twice in one run; the next run
    /// lists again.
    MailboxListingInvalidated => "mailbox_listing_invalidated" {
        nl: "Exchange brak het ophalen van de agenda tussentijds af. De volgende ronde haalt de agenda opnieuw op; u hoeft niets te doen.",
        en: "Exchange interrupted reading the calendar. The next round reads it again; there is nothing to do.",
    },
    /// The Exchange password the settings name does not exist (any more).
    PasswordMissing => "password_missing" {
        nl: "Er is geen Exchange-wachtwoord opgeslagen. Vul het wachtwoord in bij de Exchange-instellingen.",
        en: "No Exchange password is stored. Enter the password in the Exchange settings.",
    },
    /// The secret store refused ohsync access to the Exchange password.
    PasswordDenied => "password_denied" {
        nl: "ohsync mocht het opgeslagen wachtwoord niet lezen. Neem contact op met de beheerder van ohsync.",
        en: "ohsync was not allowed to read the stored password. Contact the ohsync operator.",
    },
    /// The secret store did not answer when the run read the Exchange password.
    PasswordUnavailable => "password_unavailable" {
        nl: "Het opgeslagen wachtwoord kon even niet worden gelezen. ohsync probeert het zo opnieuw.",
        en: "The stored password could not be read for a moment. ohsync tries again shortly.",
    },
    /// An Exchange create's outcome is unknown and the item was not found by its tag yet.
    CreateOutcomeUnknown => "create_outcome_unknown" {
        nl: "Van een afspraak die ohsync in Exchange aanmaakte, is nog niet bekend of dat lukte. De volgende ronde zoekt dat uit, zodat er geen dubbele afspraak ontstaat.",
        en: "It is not yet known whether an appointment ohsync created in Exchange was saved. The next round finds out, so that no duplicate appears.",
    },
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
    /// The conflicts it resolved, counted by the side whose version was kept.
    pub conflicts: SideCounts,
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
            conflicts: self
                .conflicts
                .iter()
                .fold(SideCounts::default(), |mut won, conflict| {
                    won.add(conflict.winner);
                    won
                }),
            errors: self.errors.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn every_error_code_has_its_own_text_and_both_languages() {
        let codes: HashSet<&str> = ErrorCode::ALL.iter().map(|code| code.as_str()).collect();
        assert_eq!(codes.len(), ErrorCode::ALL.len(), "two codes share a text");
        for code in ErrorCode::ALL {
            let text = code.text();
            assert!(!text.nl.is_empty() && !text.en.is_empty(), "{code:?}");
            assert_ne!(text.nl, text.en, "{code:?} is not translated");
        }
    }
}
