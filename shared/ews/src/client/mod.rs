//! The EWS client: typed calendar operations over one authenticated connection.

mod call;
mod retry;
mod sync_pager;

use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Utc};

use call::Operation;
pub use retry::RetryPolicy;
pub use sync_pager::SyncPager;

use crate::auth::Authenticator;
use crate::error::EwsError;
use crate::model::{
    CalendarFolder, CalendarItem, ConflictResolution, FindItemPage, ItemChange, ItemId, ItemShape,
    ItemTarget, NewCalendarItem, OhsyncTag, SyncPage, TargetChange, UpdatedItem,
};
use crate::transport::{Transport, TransportConfig};
use crate::version::{ExchangeVersion, ServerVersionInfo};
use crate::xml::request::{self, RequestContext, TagFilter, UidFilter};
use crate::xml::response::{self, ItemResult};

/// Items per CreateItem/UpdateItem/DeleteItem/GetItem call unless configured otherwise; 1,000
/// appointments then take 8 calls. Exchange's throttling charges server time, not items per
/// call; the sync worker sets its own size (see `ohsync-engine`'s `RunOptions`).
pub const DEFAULT_BATCH_SIZE: usize = 125;
/// The largest batch the builder accepts.
pub const MAX_BATCH_SIZE: usize = 500;
/// Entries per page of a tag or UID search.
const SEARCH_PAGE_SIZE: u32 = 100;
/// Tags or UIDs per FindItem restriction: keeps each request's `Or` short.
const VALUES_PER_SEARCH: usize = 50;

/// Builds an [`EwsClient`].
#[derive(Debug)]
pub struct EwsClientBuilder {
    url: String,
    auth: Arc<dyn Authenticator>,
    version: ExchangeVersion,
    mailbox: Option<String>,
    time_zone_id: Option<String>,
    transport: TransportConfig,
    retry: RetryPolicy,
    batch_size: usize,
}

impl EwsClientBuilder {
    /// Acts on `mailbox` (an SMTP address) through `ExchangeImpersonation`.
    pub fn impersonate(mut self, mailbox: impl Into<String>) -> Self {
        self.mailbox = Some(mailbox.into());
        self
    }

    /// Sends `TimeZoneContext` with this Windows zone id (Exchange 2010 and later).
    pub fn time_zone_context(mut self, windows_zone_id: impl Into<String>) -> Self {
        self.time_zone_id = Some(windows_zone_id.into());
        self
    }

    /// Network settings.
    pub fn transport(mut self, config: TransportConfig) -> Self {
        self.transport = config;
        self
    }

    /// Retry limits.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Items per batch call (1 to [`MAX_BATCH_SIZE`]).
    pub fn batch_size(mut self, size: usize) -> Self {
        self.batch_size = size;
        self
    }

    /// Checks the settings and builds the client (no network traffic yet).
    pub fn build(self) -> Result<EwsClient, EwsError> {
        if !(1..=MAX_BATCH_SIZE).contains(&self.batch_size) {
            return Err(EwsError::InvalidConfig {
                field: "batch_size",
                reason: format!("must be 1–{MAX_BATCH_SIZE}, got {}", self.batch_size),
            });
        }
        if let Some(mailbox) = &self.mailbox
            && (mailbox.trim().is_empty() || !mailbox.contains('@'))
        {
            return Err(EwsError::InvalidConfig {
                field: "mailbox",
                reason: format!("{mailbox:?} is not an e-mail address"),
            });
        }
        let transport = Transport::new(
            &self.url,
            self.auth,
            self.transport,
            self.mailbox.as_deref(),
        )?;
        Ok(EwsClient {
            transport,
            context: RequestContext {
                version: self.version,
                time_zone_id: self.time_zone_id,
                impersonated_smtp: self.mailbox,
            },
            retry: self.retry,
            batch_size: self.batch_size,
            server_version: Mutex::new(None),
        })
    }
}

/// A client for one mailbox's calendar on one EWS endpoint.
///
/// Requests are serialised over one kept-alive connection (NTLM authenticates connections, and
/// one connection per user keeps an on-premises server from being flooded).
#[derive(Debug)]
pub struct EwsClient {
    transport: Transport,
    context: RequestContext,
    retry: RetryPolicy,
    batch_size: usize,
    server_version: Mutex<Option<ServerVersionInfo>>,
}

impl EwsClient {
    /// Starts building a client for `url` with these credentials, stating `version` on every request.
    pub fn builder(
        url: impl Into<String>,
        auth: impl Authenticator + 'static,
        version: ExchangeVersion,
    ) -> EwsClientBuilder {
        EwsClientBuilder {
            url: url.into(),
            auth: Arc::new(auth),
            version,
            mailbox: None,
            time_zone_id: None,
            transport: TransportConfig::default(),
            retry: RetryPolicy::default(),
            batch_size: DEFAULT_BATCH_SIZE,
        }
    }

    /// The `RequestServerVersion` this client states.
    pub fn requested_version(&self) -> ExchangeVersion {
        self.context.version
    }

    /// The `ServerVersionInfo` of the latest response that carried one.
    pub fn server_version(&self) -> Option<ServerVersionInfo> {
        self.server_version
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn record_server_version(&self, version: ServerVersionInfo) {
        *self
            .server_version
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(version);
    }

    /// The calendar folder: id, change key, name and item count.
    pub async fn get_calendar_folder(&self) -> Result<CalendarFolder, EwsError> {
        let body = request::get_calendar_folder(&self.context)?;
        self.call(Operation::GetFolder, body, response::parse_get_folder)
            .await
    }

    /// One page of changes since `sync_state` (none: everything, as creates). `max_changes` is 1–512.
    pub async fn sync_folder_items(
        &self,
        sync_state: Option<&str>,
        max_changes: u16,
        shape: ItemShape,
    ) -> Result<SyncPage, EwsError> {
        let body = request::sync_folder_items(&self.context, sync_state, max_changes, shape)?;
        self.call(
            Operation::SyncFolderItems,
            body,
            response::parse_sync_folder_items,
        )
        .await
    }

    /// Pages through the changes since `sync_state`, one call per [`SyncPager::next_page`].
    pub fn sync_pages(
        &self,
        sync_state: Option<String>,
        max_changes: u16,
        shape: ItemShape,
    ) -> SyncPager<'_> {
        SyncPager::new(self, sync_state, max_changes, shape)
    }

    /// All pages up to `IncludesLastItemInRange`. Prefer [`EwsClient::sync_pages`] when each
    /// page's state must be stored before the next call.
    pub async fn sync_folder_items_all(
        &self,
        sync_state: Option<String>,
        max_changes: u16,
        shape: ItemShape,
    ) -> Result<Vec<SyncPage>, EwsError> {
        let mut pager = self.sync_pages(sync_state, max_changes, shape);
        let mut pages = Vec::new();
        while let Some(page) = pager.next_page().await? {
            pages.push(page);
        }
        Ok(pages)
    }

    /// Full calendar items with the ohsync tag, in batches; one result per id, in order.
    /// `ErrorItemNotFound` for one id is that id's result, not a failure of the batch.
    pub async fn get_items(&self, ids: &[ItemId]) -> Vec<ItemResult<CalendarItem>> {
        self.get_targets(&item_targets(ids)).await
    }

    /// As [`EwsClient::get_items`] for items or instances of series (an instance by index comes
    /// back as an Occurrence or Exception). An index beyond the series or a deleted instance is
    /// that target's result (`EWS_OCCURRENCE_NOT_FOUND`), not a failure of the batch.
    pub async fn get_targets(&self, targets: &[ItemTarget]) -> Vec<ItemResult<CalendarItem>> {
        self.in_batches(
            Operation::GetItem,
            targets,
            ItemTarget::validate,
            |batch| request::get_item(&self.context, batch),
            response::parse_get_item,
        )
        .await
    }

    /// The current id and change key of each item (an IdOnly GetItem, in batches); one result
    /// per id, in order. `ErrorItemNotFound` for one id is that id's result.
    pub async fn get_item_ids(&self, ids: &[ItemId]) -> Vec<ItemResult<ItemId>> {
        self.in_batches(
            Operation::GetItem,
            ids,
            ItemId::validate,
            |batch| request::get_item_ids(&self.context, batch),
            response::parse_create_item,
        )
        .await
    }

    /// Singles, occurrences and exceptions from `start` to `end` (at most two years), up to
    /// `max_entries`; `includes_last_item_in_range` is false when the view was cut short.
    pub async fn find_calendar_view(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        max_entries: u32,
        shape: ItemShape,
    ) -> Result<FindItemPage, EwsError> {
        let body = request::find_calendar_view(&self.context, start, end, max_entries, shape)?;
        self.call(Operation::FindItem, body, response::parse_find_item)
            .await
    }

    /// The items (singles and masters) carrying exactly this tag; normally none or one.
    pub async fn find_by_tag(&self, tag: &OhsyncTag) -> Result<Vec<CalendarItem>, EwsError> {
        self.find_by_tags(std::slice::from_ref(tag), ItemShape::Summary)
            .await
    }

    /// The items (singles and masters) carrying any of these tags, in `shape`: one paged
    /// FindItem per chunk of tags, each with an `Or` of the tag comparisons.
    pub async fn find_by_tags(
        &self,
        tags: &[OhsyncTag],
        shape: ItemShape,
    ) -> Result<Vec<CalendarItem>, EwsError> {
        let values: Vec<String> = tags.iter().map(OhsyncTag::to_string).collect();
        let mut items = Vec::new();
        for chunk in values.chunks(VALUES_PER_SEARCH) {
            items.extend(
                self.find_all_tagged(TagFilter::AnyOf(chunk), shape, SEARCH_PAGE_SIZE)
                    .await?,
            );
        }
        Ok(items)
    }

    /// Every item (singles and masters) carrying an ohsync tag, paged by `page_size`.
    pub async fn find_tagged(
        &self,
        shape: ItemShape,
        page_size: u32,
    ) -> Result<Vec<CalendarItem>, EwsError> {
        self.find_all_tagged(TagFilter::Exists, shape, page_size)
            .await
    }

    /// The items (singles and masters) with any of these UIDs, in `shape`: one paged FindItem
    /// per chunk of UIDs, restricted on PidLidGlobalObjectId since `calendar:UID` cannot be
    /// searched. A UID is given as Exchange reports it (hex GlobalObjectId or a third-party UID).
    pub async fn find_by_uids(
        &self,
        uids: &[String],
        shape: ItemShape,
    ) -> Result<Vec<CalendarItem>, EwsError> {
        let mut items = Vec::new();
        for chunk in uids.chunks(VALUES_PER_SEARCH) {
            items.extend(
                self.find_all_pages(|offset| {
                    request::find_by_uids(
                        &self.context,
                        UidFilter(chunk),
                        offset,
                        SEARCH_PAGE_SIZE,
                        shape,
                    )
                })
                .await?,
            );
        }
        Ok(items)
    }

    async fn find_all_tagged(
        &self,
        filter: TagFilter<'_>,
        shape: ItemShape,
        page_size: u32,
    ) -> Result<Vec<CalendarItem>, EwsError> {
        self.find_all_pages(|offset| {
            request::find_tagged(&self.context, filter, offset, page_size, shape)
        })
        .await
    }

    /// Follows an indexed FindItem from offset 0 to its last page; `body` writes the request
    /// for an offset.
    async fn find_all_pages(
        &self,
        body: impl Fn(u32) -> Result<Vec<u8>, EwsError>,
    ) -> Result<Vec<CalendarItem>, EwsError> {
        let mut items = Vec::new();
        let mut offset = 0u32;
        loop {
            let page = self
                .call(
                    Operation::FindItem,
                    body(offset)?,
                    response::parse_find_item,
                )
                .await?;
            let returned = u32::try_from(page.items.len()).unwrap_or(u32::MAX);
            items.extend(page.items);
            let next = page
                .indexed_paging_offset
                .unwrap_or(offset.saturating_add(returned));
            if page.includes_last_item_in_range || returned == 0 || next <= offset {
                return Ok(items);
            }
            offset = next;
        }
    }

    /// Creates calendar items (with their ohsync tag when given), never sending invitations;
    /// one result per item, in order. A create whose answer was lost fails with
    /// [`EwsError::OutcomeUnknown`]: look the tag up before creating it again.
    pub async fn create_items(&self, items: &[NewCalendarItem]) -> Vec<ItemResult<ItemId>> {
        let version = self.context.version;
        self.in_batches(
            Operation::CreateItem,
            items,
            |item| item.validate(version),
            |batch| request::create_item(&self.context, batch),
            response::parse_create_item,
        )
        .await
    }

    /// Applies field-level edits against each item's ChangeKey (AutoResolve), never sending
    /// invitations or cancellations; returns each item's new id, ChangeKey and conflict count.
    pub async fn update_items(&self, changes: &[ItemChange]) -> Vec<ItemResult<UpdatedItem>> {
        self.update_items_with(changes, ConflictResolution::AutoResolve)
            .await
    }

    /// As [`EwsClient::update_items`], resolving a stale ChangeKey as `resolution` says:
    /// `NeverOverwrite` fails such an item with `ErrorIrresolvableConflict` and writes nothing.
    pub async fn update_items_with(
        &self,
        changes: &[ItemChange],
        resolution: ConflictResolution,
    ) -> Vec<ItemResult<UpdatedItem>> {
        let changes: Vec<TargetChange> = changes.iter().cloned().map(TargetChange::from).collect();
        self.update_targets_with(&changes, resolution).await
    }

    /// As [`EwsClient::update_items`] for items or instances of series: editing an instance makes
    /// it an exception and changes the master's ChangeKey (which the instance shares); the result
    /// carries the instance's id and that new ChangeKey.
    pub async fn update_targets(&self, changes: &[TargetChange]) -> Vec<ItemResult<UpdatedItem>> {
        self.update_targets_with(changes, ConflictResolution::AutoResolve)
            .await
    }

    /// As [`EwsClient::update_targets`], resolving a stale ChangeKey as `resolution` says.
    pub async fn update_targets_with(
        &self,
        changes: &[TargetChange],
        resolution: ConflictResolution,
    ) -> Vec<ItemResult<UpdatedItem>> {
        let version = self.context.version;
        self.in_batches(
            Operation::UpdateItem,
            changes,
            |change| change.validate(version),
            |batch| request::update_item(&self.context, batch, resolution),
            response::parse_update_item,
        )
        .await
    }

    /// Moves items to Deleted Items (recoverable), never sending cancellations; one result per id.
    pub async fn delete_items(&self, ids: &[ItemId]) -> Vec<ItemResult<()>> {
        self.delete_targets(&item_targets(ids)).await
    }

    /// As [`EwsClient::delete_items`] for items or instances of series; deleting an instance
    /// (modified or not) changes the master's ChangeKey. One result per target, in order.
    pub async fn delete_targets(&self, targets: &[ItemTarget]) -> Vec<ItemResult<()>> {
        self.in_batches(
            Operation::DeleteItem,
            targets,
            ItemTarget::validate,
            |batch| request::delete_item(&self.context, batch),
            response::parse_delete_item,
        )
        .await
    }
}

/// Item ids as targets of the item itself.
fn item_targets(ids: &[ItemId]) -> Vec<ItemTarget> {
    ids.iter().cloned().map(ItemTarget::Item).collect()
}
