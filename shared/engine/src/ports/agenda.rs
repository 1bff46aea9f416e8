//! The OfficeHeart side: one user's agenda (contract in DESIGN §6).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{Continuation, ListingToken};
use crate::appointment::Appointment;
use crate::identity::{AgendaVersion, ExchangeUid, IdempotencyKey, OfficeHeartId};
use crate::window::WindowBounds;

/// An opaque position in the agenda's change feed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AgendaCursor(pub String);

/// One OfficeHeart appointment as the agenda reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaItem {
    /// The appointment id.
    pub id: OfficeHeartId,
    /// The current version (If-Match value).
    pub version: AgendaVersion,
    /// When it was last changed.
    pub updated_at: DateTime<Utc>,
    /// The Exchange UID it was copied from, when ohsync created it.
    pub external_ref: Option<ExchangeUid>,
    /// The content.
    pub appointment: Appointment,
}

/// One entry of the change feed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(
    clippy::large_enum_variant,
    reason = "nearly every value is the large variant; boxing would add an allocation per item and save nothing"
)]
pub enum AgendaChange {
    /// Created or updated; the current state.
    Upserted(AgendaItem),
    /// Deleted.
    Deleted {
        /// The deleted appointment.
        id: OfficeHeartId,
    },
}

impl AgendaChange {
    /// The appointment this change is about.
    pub fn id(&self) -> &OfficeHeartId {
        match self {
            Self::Upserted(item) => &item.id,
            Self::Deleted { id } => id,
        }
    }
}

/// One page of the change feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaChangePage {
    /// The changes on this page.
    pub changes: Vec<AgendaChange>,
    /// The position after this page.
    pub cursor: AgendaCursor,
    /// Whether more pages follow.
    pub more: bool,
}

/// One page of a window listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaListingPage {
    /// Appointments overlapping the window.
    pub items: Vec<AgendaItem>,
    /// The next page, or the cursor to follow changes from.
    pub continuation: Continuation<AgendaCursor>,
}

/// An appointment to create in OfficeHeart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAgendaItem {
    /// Makes a repeated create answer the original result instead of creating again.
    pub idempotency_key: IdempotencyKey,
    /// The Exchange UID it copies.
    pub external_ref: ExchangeUid,
    /// The content.
    pub appointment: Appointment,
}

/// A failure talking to the OfficeHeart agenda.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AgendaError {
    /// The cursor is too old (HTTP 410): list the window again.
    #[error("the OfficeHeart change cursor has expired")]
    CursorExpired,
    /// The If-Match version is stale (HTTP 412). Nothing was written.
    #[error("the OfficeHeart appointment changed since it was read")]
    VersionConflict,
    /// No such appointment (HTTP 404).
    #[error("the OfficeHeart appointment does not exist")]
    NotFound,
    /// The agenda could not be reached or did not answer (timeouts, HTTP 5xx, 429).
    #[error("OfficeHeart could not be reached or did not answer: {0}")]
    Unavailable(String),
    /// The bearer token was refused.
    #[error("OfficeHeart refused the credentials")]
    Unauthorized,
    /// The request was refused for another reason.
    #[error("OfficeHeart refused the request: HTTP {status}: {message}")]
    Rejected {
        /// HTTP status.
        status: u16,
        /// The server's message.
        message: String,
    },
    /// The agenda answered with data the engine cannot accept (an id, version or field out of
    /// range). Retrying will not help until the data is corrected in OfficeHeart.
    #[error("OfficeHeart sent data ohsync cannot accept: {0}")]
    Invalid(String),
}

impl AgendaError {
    /// Whether trying again later can succeed without anyone changing anything.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Unavailable(_))
    }
}

/// One user's OfficeHeart agenda.
#[async_trait]
pub trait Agenda: Send + Sync {
    /// One page of changes since `since`; `CursorExpired` when it is too old.
    async fn changes(&self, since: &AgendaCursor) -> Result<AgendaChangePage, AgendaError>;

    /// One page of the appointments overlapping `window`; the last page carries the cursor to
    /// follow changes from (covering everything after the listing began).
    async fn list_window(
        &self,
        window: &WindowBounds,
        page: Option<&ListingToken>,
    ) -> Result<AgendaListingPage, AgendaError>;

    /// One appointment, `None` when it does not exist.
    async fn get(&self, id: &OfficeHeartId) -> Result<Option<AgendaItem>, AgendaError>;

    /// Creates an appointment. A repeated key answers the original result (the item as it was
    /// created, with its original version), never a second appointment.
    async fn create(&self, item: &NewAgendaItem) -> Result<AgendaItem, AgendaError>;

    /// Replaces an appointment's content if its version is still `expected`; `external_ref` is
    /// written with it so that a full replacement keeps the link to the Exchange item.
    async fn update(
        &self,
        id: &OfficeHeartId,
        expected: &AgendaVersion,
        appointment: &Appointment,
        external_ref: &ExchangeUid,
    ) -> Result<AgendaItem, AgendaError>;

    /// Deletes an appointment if its version is still `expected`.
    async fn delete(&self, id: &OfficeHeartId, expected: &AgendaVersion)
    -> Result<(), AgendaError>;
}
