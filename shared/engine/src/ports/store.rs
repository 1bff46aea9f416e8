//! Persistent state of a binding: sync positions, mappings, pending intents and run status.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use super::{AgendaCursor, ListingToken, MailboxSyncState};
use crate::appointment::{Appointment, ContentHash};
use crate::identity::{
    AgendaVersion, BindingId, ChangeKey, ExchangeItemId, ExchangeUid, OfficeHeartId, TenantId,
    UserId,
};
use crate::report::RunStatus;

/// Which binding of which user a store call is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BindingScope {
    /// The tenant.
    pub tenant: TenantId,
    /// The user (run status is kept per user).
    pub user: UserId,
    /// The binding (sync state, mappings and intents are kept per binding).
    pub binding: BindingId,
}

/// The version of a binding's state record; every write is conditional on it. 0: never written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct StateVersion(pub u64);

/// One linked pair and what was last synced between them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    /// The OfficeHeart appointment (the mapping's key).
    pub officeheart_id: OfficeHeartId,
    /// Its version when last synced.
    pub officeheart_version: AgendaVersion,
    /// The Exchange item's current ItemId.
    pub exchange_item_id: ExchangeItemId,
    /// The Exchange item's UID.
    pub exchange_uid: ExchangeUid,
    /// Its ChangeKey when last synced; `None` when the version is not known (a create whose
    /// outcome was recovered by tag), so that its content decides whether it changed.
    pub exchange_change_key: Option<ChangeKey>,
    /// The hash of the content both sides held when last synced.
    pub content_hash: ContentHash,
    /// Where that content lay in time; `None` when not recorded (a mapping written before
    /// spans were kept). After a feed reset it tells which unlisted items should have been
    /// listed (see `Store::list_mappings`).
    pub span: Option<SyncedSpan>,
}

/// The start and end instants of the content last synced for a mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SyncedSpan {
    /// Start (of the first occurrence for a series).
    pub start: DateTime<Utc>,
    /// End (of the last occurrence for a series; [`SyncedSpan::LATEST`] for one without end).
    pub end: DateTime<Utc>,
}

impl SyncedSpan {
    /// The latest end kept: the last second of year 9999, which every store writes as an
    /// RFC 3339 instant (a series without end reaches no further as far as any window goes).
    pub const LATEST: DateTime<Utc> = match NaiveDate::from_ymd_opt(9999, 12, 31) {
        Some(day) => match day.and_hms_opt(23, 59, 59) {
            Some(at) => at.and_utc(),
            None => DateTime::<Utc>::MIN_UTC,
        },
        None => DateTime::<Utc>::MIN_UTC,
    };

    /// The span of `appointment`: its extent, so that a series counts as inside every window
    /// it recurs into.
    pub fn of(appointment: &Appointment) -> Self {
        let (start, end) = appointment.extent();
        Self {
            start: start.min(Self::LATEST),
            end: end.min(Self::LATEST),
        }
    }
}

/// A record written before an Exchange create, so that a lost outcome is found, not repeated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingIntent {
    /// The OfficeHeart appointment being copied (the tag is `tenant:officeheart_id`).
    pub officeheart_id: OfficeHeartId,
    /// Its version being copied.
    pub officeheart_version: AgendaVersion,
    /// The hash of the content being written.
    pub content_hash: ContentHash,
    /// When the intent was written; a run treats a younger intent as another run at work.
    pub recorded_at: DateTime<Utc>,
}

/// Everything a run reads about its binding, in one read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BindingState {
    /// The version every write is conditional on.
    pub version: StateVersion,
    /// Where to read Exchange changes from; `None` before the first complete run.
    pub mailbox_sync_state: Option<MailboxSyncState>,
    /// Where to read OfficeHeart changes from; `None` before the first complete run.
    pub agenda_cursor: Option<AgendaCursor>,
    /// How many mappings the binding has (for the guards).
    pub mapping_count: u64,
    /// Exchange creates whose outcome is not yet recorded.
    pub intents: Vec<PendingIntent>,
    /// The Exchange items of mappings written by runs that could not store a later Exchange
    /// position. Such an item may have been created (or moved) after the stored position, and
    /// SyncFolderItems reports nothing of one deleted since: the next run reads them directly.
    pub unconfirmed_items: Vec<ExchangeItemId>,
    /// The last run status written.
    pub status: Option<RunStatus>,
}

/// Mappings to look up by either side's ids, in one request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MappingQuery {
    /// By OfficeHeart id.
    pub officeheart_ids: Vec<OfficeHeartId>,
    /// By current Exchange ItemId.
    pub exchange_item_ids: Vec<ExchangeItemId>,
    /// By Exchange UID.
    pub exchange_uids: Vec<ExchangeUid>,
}

impl MappingQuery {
    /// Whether there is nothing to look up.
    pub fn is_empty(&self) -> bool {
        self.officeheart_ids.is_empty()
            && self.exchange_item_ids.is_empty()
            && self.exchange_uids.is_empty()
    }
}

/// One page of a binding's mappings.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MappingPage {
    /// The mappings on this page (in the store's own order).
    pub mappings: Vec<Mapping>,
    /// The token of the next page; `None` on the last.
    pub next: Option<ListingToken>,
}

/// One conditional write. Applied atomically; an adapter that cannot do so must apply it in
/// this order: mapping removals, mapping upserts, intents, unconfirmed items added, sync
/// positions, status, unconfirmed items removed — mappings before positions is what keeps a
/// half-applied commit safe (the changes are read again and recognised as already synced), and
/// an unconfirmed item is forgotten only once a position after its creation is stored.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Commit {
    /// Mappings to remove, by OfficeHeart id.
    pub mapping_removals: Vec<OfficeHeartId>,
    /// Mappings to insert or replace (keyed by OfficeHeart id).
    pub mapping_upserts: Vec<Mapping>,
    /// Intents to add (replacing any for the same OfficeHeart id).
    pub intents_added: Vec<PendingIntent>,
    /// Intents to remove, by OfficeHeart id.
    pub intents_removed: Vec<OfficeHeartId>,
    /// Unconfirmed items to add.
    pub unconfirmed_added: Vec<ExchangeItemId>,
    /// Unconfirmed items to forget.
    pub unconfirmed_removed: Vec<ExchangeItemId>,
    /// A new Exchange sync position, when it advances.
    pub mailbox_sync_state: Option<MailboxSyncState>,
    /// A new OfficeHeart cursor, when it advances.
    pub agenda_cursor: Option<AgendaCursor>,
    /// A new run status.
    pub status: Option<RunStatus>,
}

/// A failure of the store.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The state changed since it was read: another run wrote first. Nothing was written.
    #[error("the binding state changed since it was read")]
    Conflict,
    /// The store could not be reached or did not answer.
    #[error("the store could not be reached or did not answer: {0}")]
    Unavailable(String),
    /// A stored record could not be understood.
    #[error("a stored record could not be read: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// Whether trying again later can succeed without anyone changing anything.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Unavailable(_) | Self::Conflict)
    }
}

/// The binding store.
#[async_trait]
pub trait Store: Send + Sync {
    /// The binding's state (default state, version 0, when never written).
    async fn load(&self, scope: &BindingScope) -> Result<BindingState, StoreError>;

    /// The mappings matching any id of the query.
    async fn find_mappings(
        &self,
        scope: &BindingScope,
        query: &MappingQuery,
    ) -> Result<Vec<Mapping>, StoreError>;

    /// One page of all the binding's mappings (`page` = `None` for the first). Read only after
    /// a feed reset, when a listing must be checked for linked items it did not show; never on
    /// a normal run.
    async fn list_mappings(
        &self,
        scope: &BindingScope,
        page: Option<&ListingToken>,
    ) -> Result<MappingPage, StoreError>;

    /// Applies `commit` if the state is still at `expected`; answers the new version.
    async fn commit(
        &self,
        scope: &BindingScope,
        expected: StateVersion,
        commit: &Commit,
    ) -> Result<StateVersion, StoreError>;
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test")]

    use chrono::{Datelike, TimeZone, Timelike};

    use super::*;
    use crate::appointment::{Schedule, TimedSpan};
    use crate::series::{Recurrence, Series};

    fn daily(rule: &str) -> Appointment {
        let start = Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap();
        let schedule =
            Schedule::Timed(TimedSpan::new(start, start + chrono::TimeDelta::hours(1)).unwrap());
        let mut series = crate::testkit::appointment("Dagstart", schedule);
        let first = schedule.first_date(series.time_zone);
        series.recurrence = Some(Recurrence::Series(
            Series::new(rule.parse().unwrap(), first, []).unwrap(),
        ));
        series
    }

    #[test]
    fn a_series_span_reaches_its_last_occurrence_and_an_endless_one_the_latest_kept() {
        let bounded = SyncedSpan::of(&daily("FREQ=DAILY;INTERVAL=1;COUNT=3"));
        assert_eq!(
            bounded.end,
            Utc.with_ymd_and_hms(2026, 12, 3, 9, 0, 0).unwrap()
        );
        let endless = SyncedSpan::of(&daily("FREQ=DAILY;INTERVAL=1"));
        assert_eq!(endless.end, SyncedSpan::LATEST);
        assert_eq!(SyncedSpan::LATEST.year(), 9999);
        assert_eq!(SyncedSpan::LATEST.second(), 59);
    }
}
