//! [`EwsMailbox`]: the engine's [`Mailbox`] port over one [`EwsClient`], for the calendar of the
//! client's mailbox (its own, or the one it impersonates).

mod batch;
mod reads;
mod series_writes;
mod writes;

use async_trait::async_trait;
use chrono_tz::Tz;
use ohsync_engine::identity::{ExchangeItemId, ExchangeItemKey, ExchangeUid, OhsyncTag};
use ohsync_engine::ports::{
    CreateOutcome, DeleteOutcome, ExchangeItem, ExchangeUpdate, ItemReadError, ItemSummary,
    ListingToken, Mailbox, MailboxChangePage, MailboxError, MailboxListingPage, MailboxSyncState,
    NewExchangeItem, UpdateOutcome,
};
use ohsync_engine::window::WindowBounds;
use ohsync_ews::EwsClient;

use crate::convert::Converter;

/// What the adapter needs to know about the user beyond the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MailboxSettings {
    /// The zone for items whose zone Exchange names by an unknown Windows id, and the zone
    /// preferred when a Windows id stands for several IANA zones.
    pub default_zone: Tz,
}

impl Default for MailboxSettings {
    /// Europe/Amsterdam: OfficeHeart's users are Dutch.
    fn default() -> Self {
        Self {
            default_zone: chrono_tz::Europe::Amsterdam,
        }
    }
}

/// One user's Exchange calendar over EWS.
///
/// Reads ask for the relevance properties first and read content only for what the engine
/// asks; writes never send meeting messages, updates never overwrite a newer version
/// (`NeverOverwrite`), and deletes are made conditional on the ChangeKey by reading it first.
#[derive(Debug)]
pub struct EwsMailbox {
    client: EwsClient,
    converter: Converter,
}

impl EwsMailbox {
    /// The mailbox behind `client`, converting with the client's schema version.
    pub fn new(client: EwsClient, settings: MailboxSettings) -> Self {
        let converter = Converter::new(client.requested_version(), settings.default_zone);
        Self { client, converter }
    }

    /// The EWS client (for its server version and the like).
    pub fn client(&self) -> &EwsClient {
        &self.client
    }

    /// How many items with a malformed ohsync tag were met (each is also logged).
    pub fn malformed_tags(&self) -> u64 {
        self.converter.malformed_tags()
    }
}

#[async_trait]
impl Mailbox for EwsMailbox {
    async fn changes(&self, since: &MailboxSyncState) -> Result<MailboxChangePage, MailboxError> {
        self.read_changes(since).await
    }

    async fn list_window(
        &self,
        window: &WindowBounds,
        page: Option<&ListingToken>,
    ) -> Result<MailboxListingPage, MailboxError> {
        self.read_window(window, page).await
    }

    async fn get_items(
        &self,
        ids: &[ExchangeItemId],
    ) -> Result<Vec<Result<ExchangeItem, ItemReadError>>, MailboxError> {
        self.read_items(ids).await
    }

    async fn find_by_tags(&self, tags: &[OhsyncTag]) -> Result<Vec<ItemSummary>, MailboxError> {
        self.read_tagged(tags).await
    }

    async fn find_by_uids(&self, uids: &[ExchangeUid]) -> Result<Vec<ItemSummary>, MailboxError> {
        self.read_by_uids(uids).await
    }

    async fn create_items(
        &self,
        items: &[NewExchangeItem],
    ) -> Result<Vec<CreateOutcome>, MailboxError> {
        self.write_creates(items).await
    }

    async fn update_items(
        &self,
        updates: &[ExchangeUpdate],
    ) -> Result<Vec<UpdateOutcome>, MailboxError> {
        self.write_updates(updates).await
    }

    async fn delete_items(
        &self,
        keys: &[ExchangeItemKey],
    ) -> Result<Vec<DeleteOutcome>, MailboxError> {
        self.write_deletes(keys).await
    }
}
