//! The ports the engine talks through. Adapters (EWS, the OfficeHeart HTTP client, DynamoDB, the
//! embedded store) implement them; the engine knows nothing else about the outside world.

mod agenda;
mod clock;
mod mailbox;
mod secrets;
mod store;

pub use agenda::{
    Agenda, AgendaChange, AgendaChangePage, AgendaCursor, AgendaError, AgendaItem,
    AgendaListingPage, NewAgendaItem,
};
pub use clock::{Clock, SystemClock};
pub use mailbox::{
    CreateOutcome, DeleteOutcome, ExchangeItem, ExchangeUpdate, ItemReadError, ItemSummary,
    Mailbox, MailboxChange, MailboxChangePage, MailboxError, MailboxListingPage, MailboxSyncState,
    NewExchangeItem, UpdateOutcome,
};
pub use secrets::{SecretName, SecretRef, SecretRefError, SecretVersionId, Secrets, SecretsError};
pub use store::{
    BindingScope, BindingState, Commit, Mapping, MappingPage, MappingQuery, PendingIntent,
    StateVersion, Store, StoreError, SyncedSpan,
};

/// An opaque token for the next page of a listing.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ListingToken(pub String);

/// Where a listing goes on: another page, or done with the position to follow changes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Continuation<P> {
    /// Ask again with this token.
    NextPage(ListingToken),
    /// The listing is complete; changes after the moment it began are readable from this
    /// position.
    Done(P),
}
