//! The Exchange side: one user's calendar folder.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{Continuation, ListingToken};
use crate::appointment::Appointment;
use crate::identity::{ExchangeItemId, ExchangeItemKey, ExchangeUid, OhsyncTag};
use crate::window::WindowBounds;

/// An opaque position in the folder's change log (an EWS SyncState). Never truncated.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MailboxSyncState(pub String);

/// The few properties that decide relevance, as a change or listing reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemSummary {
    /// ItemId, ChangeKey and UID.
    pub key: ExchangeItemKey,
    /// Start (of the first occurrence for a series).
    pub start: DateTime<Utc>,
    /// End (of the first occurrence for a series).
    pub end: DateTime<Utc>,
    /// Whether the item is a recurring master.
    pub is_series: bool,
    /// The ohsync tag, when present and well-formed (adapters drop malformed values).
    pub tag: Option<OhsyncTag>,
}

/// One calendar item with its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeItem {
    /// ItemId, ChangeKey and UID.
    pub key: ExchangeItemKey,
    /// The ohsync tag, when present.
    pub tag: Option<OhsyncTag>,
    /// When the item was last modified (LastModifiedTime).
    pub last_modified: DateTime<Utc>,
    /// The normalised content.
    pub appointment: Appointment,
    /// An ohsync write of this series stopped before it completed (the adapter's marker is
    /// still on the item): its content is partly ohsync's and carries no edit of the user's.
    pub unfinished: bool,
}

impl ExchangeItem {
    /// The relevance properties of this item.
    pub fn summary(&self) -> ItemSummary {
        let (start, end) = self.appointment.instants();
        ItemSummary {
            key: self.key.clone(),
            start,
            end,
            is_series: self.appointment.is_series(),
            tag: self.tag.clone(),
        }
    }
}

/// One entry of a change page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailboxChange {
    /// Created or updated (EWS reports both with the item's current summary).
    Upserted(ItemSummary),
    /// Deleted or moved out of the folder; only the ItemId is known.
    Deleted(ExchangeItemId),
}

/// One page of changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxChangePage {
    /// The changes on this page.
    pub changes: Vec<MailboxChange>,
    /// The position after this page.
    pub sync_state: MailboxSyncState,
    /// Whether more pages follow (EWS: `IncludesLastItemInRange` false).
    pub more: bool,
}

/// One page of a window listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxListingPage {
    /// Items overlapping the window (singles and recurring masters, never occurrences).
    pub items: Vec<ItemSummary>,
    /// The next page, or the sync state to follow changes from.
    pub continuation: Continuation<MailboxSyncState>,
}

/// A new item to create; it always carries the ohsync tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewExchangeItem {
    /// The tag naming the OfficeHeart appointment it copies.
    pub tag: OhsyncTag,
    /// The content.
    pub appointment: Appointment,
}

/// An update of an existing item, conditional on its ChangeKey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeUpdate {
    /// The item and the ChangeKey the update is based on.
    pub key: ExchangeItemKey,
    /// The new content (every synced field is set).
    pub appointment: Appointment,
}

/// The result of one create in a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreateOutcome {
    /// Created; the new item's key.
    Created(ExchangeItemKey),
    /// The request may or may not have been applied (timeout, dropped connection), or a series
    /// was created but not completed: its tag finds it, marked unfinished.
    OutcomeUnknown,
    /// Refused; nothing was created.
    Failed(MailboxError),
}

/// The result of one update in a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpdateOutcome {
    /// Updated; the item's new key.
    Updated(ExchangeItemKey),
    /// The ChangeKey was stale: the item changed since it was read. Nothing was written.
    Conflict,
    /// No such item (EWS cannot tell "deleted" from "no permission").
    NotFound,
    /// Refused, or not completed: a series write that stopped after its first request leaves
    /// the item marked unfinished ([`ExchangeItem::unfinished`]).
    Failed(MailboxError),
}

/// The result of one delete in a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeleteOutcome {
    /// Deleted.
    Deleted,
    /// The ChangeKey was stale: the item changed since it was read. Nothing was deleted.
    Conflict,
    /// No such item.
    NotFound,
    /// Refused; nothing was deleted.
    Failed(MailboxError),
}

/// Why one item could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemReadError {
    /// No such item (or no permission to see it).
    NotFound,
    /// The read failed.
    Failed(MailboxError),
}

/// A failure talking to Exchange.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailboxError {
    /// The server could not be reached or did not answer.
    #[error("Exchange could not be reached or did not answer: {0}")]
    Unavailable(String),
    /// The server asks the client to back off (ErrorServerBusy, HTTP 503).
    #[error("Exchange is throttling requests")]
    Throttled {
        /// How long the server asked to wait, when it said.
        back_off: Option<Duration>,
    },
    /// The credentials were refused.
    #[error("Exchange refused the credentials")]
    Unauthorized,
    /// EWS is blocked for this account by policy (HTTP 403).
    #[error("EWS access is blocked for this account")]
    AccessBlocked,
    /// The stored sync state is no longer accepted (ErrorInvalidSyncStateData).
    #[error("the stored Exchange sync state is no longer valid")]
    InvalidSyncState,
    /// The server refused the request for another reason.
    #[error("Exchange refused the request: {code}: {message}")]
    Rejected {
        /// The EWS response code.
        code: String,
        /// The server's message.
        message: String,
    },
}

impl MailboxError {
    /// Whether trying again later can succeed without anyone changing anything.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Unavailable(_) | Self::Throttled { .. })
    }
}

/// One user's Exchange calendar.
///
/// Batched calls answer one outcome per input, in input order. A whole-call error means nothing
/// is known about any item of the batch (for creates: the outcome is unknown).
#[async_trait]
pub trait Mailbox: Send + Sync {
    /// One page of changes since `since` (EWS SyncFolderItems).
    async fn changes(&self, since: &MailboxSyncState) -> Result<MailboxChangePage, MailboxError>;

    /// One page of the items overlapping `window`; the last page carries the sync state to
    /// follow changes from (covering everything after the listing began).
    async fn list_window(
        &self,
        window: &WindowBounds,
        page: Option<&ListingToken>,
    ) -> Result<MailboxListingPage, MailboxError>;

    /// The content of the given items (EWS GetItem).
    async fn get_items(
        &self,
        ids: &[ExchangeItemId],
    ) -> Result<Vec<Result<ExchangeItem, ItemReadError>>, MailboxError>;

    /// Every item in the calendar carrying one of the tags (EWS FindItem with a restriction).
    async fn find_by_tags(&self, tags: &[OhsyncTag]) -> Result<Vec<ItemSummary>, MailboxError>;

    /// Every item in the calendar with one of the UIDs (EWS FindItem restricted on the
    /// item's global object id). Tells a moved item (new ItemId, same UID) from a deleted one.
    async fn find_by_uids(&self, uids: &[ExchangeUid]) -> Result<Vec<ItemSummary>, MailboxError>;

    /// Creates items without sending invitations.
    async fn create_items(
        &self,
        items: &[NewExchangeItem],
    ) -> Result<Vec<CreateOutcome>, MailboxError>;

    /// Updates items, each conditional on its ChangeKey, without sending updates to attendees.
    async fn update_items(
        &self,
        updates: &[ExchangeUpdate],
    ) -> Result<Vec<UpdateOutcome>, MailboxError>;

    /// Deletes items, each conditional on its ChangeKey, without sending cancellations.
    async fn delete_items(
        &self,
        keys: &[ExchangeItemKey],
    ) -> Result<Vec<DeleteOutcome>, MailboxError>;
}
