//! Reading: changes and window listings (SyncFolderItems in the relevance shape), content
//! (GetItem in the full shape, with a series' modified occurrences) and tag and UID lookups
//! (FindItem).

use std::collections::HashMap;

use ohsync_engine::identity::{ExchangeItemId, ExchangeUid, OhsyncTag};
use ohsync_engine::ports::{
    Continuation, ExchangeItem, ItemReadError, ItemSummary, ListingToken, MailboxChange,
    MailboxChangePage, MailboxError, MailboxListingPage, MailboxSyncState,
};
use ohsync_engine::window::WindowBounds;
use ohsync_ews::model::{ItemShape, SyncChange, SyncPage};
use ohsync_ews::xml::request::MAX_SYNC_CHANGES;
use ohsync_ews::{CalendarItem, EwsError, ItemId, ResponseCode};

use super::EwsMailbox;
use super::batch::read_failure;
use crate::convert::{OccurrenceDetails, is_stored_item, modified_occurrence_ids};
use crate::error::{has_code, mailbox_error, unconvertible};
use crate::relevance::overlaps_window;

/// Whether another page follows. A page that holds nothing yet claims more would be asked for
/// again and again; it ends the paging.
fn has_more(page: &SyncPage) -> bool {
    let empty = page.changes.is_empty() && page.read_flag_changes == 0;
    !(page.includes_last_item_in_range || empty)
}

impl EwsMailbox {
    /// One SyncFolderItems page (at most 512 changes, EWS's limit) in the relevance shape.
    async fn sync_page(&self, state: Option<&str>) -> Result<SyncPage, MailboxError> {
        self.client
            .sync_folder_items(state, MAX_SYNC_CHANGES, ItemShape::Relevance)
            .await
            .map_err(|error| mailbox_error(&error))
    }

    /// The summary of a listed item, or `None` (logged) for what cannot be synced: meeting
    /// messages in the calendar folder, or an item without its times.
    fn summary_or_skip(&self, item: &CalendarItem) -> Option<ItemSummary> {
        match self.converter.summary(item) {
            Ok(summary) => Some(summary),
            Err(error) => {
                let id = item.item_id.as_ref().map(|id| id.id.as_str());
                if is_stored_item(item) {
                    tracing::warn!(item = id, %error, "skipping a calendar item that cannot be read");
                } else {
                    tracing::debug!(item = id, %error, "skipping an item that is not an appointment");
                }
                None
            }
        }
    }

    fn mailbox_change(&self, change: SyncChange) -> Option<MailboxChange> {
        match change {
            SyncChange::Create(item) | SyncChange::Update(item) => {
                self.summary_or_skip(&item).map(MailboxChange::Upserted)
            }
            SyncChange::Delete(id) => match ExchangeItemId::parse(&id.id) {
                Ok(id) => Some(MailboxChange::Deleted(id)),
                Err(error) => {
                    tracing::warn!(item = id.id, %error, "skipping a deletion with an unusable id");
                    None
                }
            },
        }
    }

    pub(super) async fn read_changes(
        &self,
        since: &MailboxSyncState,
    ) -> Result<MailboxChangePage, MailboxError> {
        let page = self.sync_page(Some(&since.0)).await?;
        let more = has_more(&page);
        Ok(MailboxChangePage {
            changes: page
                .changes
                .into_iter()
                .filter_map(|change| self.mailbox_change(change))
                .collect(),
            sync_state: MailboxSyncState(page.sync_state),
            more,
        })
    }

    /// A page of the full listing: SyncFolderItems from no state (CalendarView would expand
    /// series into occurrences), the intermediate SyncState as the token of the next page,
    /// and the last page's SyncState as the position to follow changes from.
    pub(super) async fn read_window(
        &self,
        window: &WindowBounds,
        token: Option<&ListingToken>,
    ) -> Result<MailboxListingPage, MailboxError> {
        let page = self.sync_page(token.map(|token| token.0.as_str())).await?;
        let more = has_more(&page);
        let items = page
            .changes
            .iter()
            .filter_map(|change| match change {
                SyncChange::Create(item) | SyncChange::Update(item) => {
                    let summary = self.summary_or_skip(item)?;
                    overlaps_window(item, &summary, window).then_some(summary)
                }
                SyncChange::Delete(_) => None,
            })
            .collect();
        let continuation = if more {
            Continuation::NextPage(ListingToken(page.sync_state))
        } else {
            Continuation::Done(MailboxSyncState(page.sync_state))
        };
        Ok(MailboxListingPage {
            items,
            continuation,
        })
    }

    pub(super) async fn read_items(
        &self,
        ids: &[ExchangeItemId],
    ) -> Result<Vec<Result<ExchangeItem, ItemReadError>>, MailboxError> {
        let request: Vec<ItemId> = ids
            .iter()
            .map(|id| ItemId::without_change_key(id.as_str()))
            .collect();
        let results = self.client.get_items(&request).await;
        if let Some(failure) = read_failure(&results) {
            return Err(failure);
        }
        let (occurrences, unread) = self.read_modified_occurrences(&results).await?;
        Ok(results
            .into_iter()
            .map(|result| match result {
                Ok(item) => {
                    if let Some(error) =
                        modified_occurrence_ids(&item).find_map(|id| unread.get(id))
                    {
                        return Err(ItemReadError::Failed(error.clone()));
                    }
                    self.converter
                        .exchange_item(&item, &occurrences)
                        .map_err(|error| ItemReadError::Failed(unconvertible(&error)))
                }
                Err(error) if has_code(&error, &ResponseCode::ErrorItemNotFound) => {
                    Err(ItemReadError::NotFound)
                }
                Err(error) => Err(ItemReadError::Failed(mailbox_error(&error))),
            })
            .collect())
    }

    /// The modified occurrences of the series among `masters`, read in one batch, and why each
    /// one that could not be read failed: such a series is unreadable this run, never taken for
    /// one without that exception. An occurrence gone since the master was read is a race,
    /// tried again next run.
    async fn read_modified_occurrences(
        &self,
        masters: &[Result<CalendarItem, EwsError>],
    ) -> Result<(OccurrenceDetails, HashMap<String, MailboxError>), MailboxError> {
        let ids: Vec<ItemId> = masters
            .iter()
            .flatten()
            .flat_map(modified_occurrence_ids)
            .map(ItemId::without_change_key)
            .collect();
        let mut details = OccurrenceDetails::new();
        let mut unread = HashMap::new();
        if ids.is_empty() {
            return Ok((details, unread));
        }
        let results = self.client.get_items(&ids).await;
        if let Some(failure) = read_failure(&results) {
            return Err(failure);
        }
        for (id, result) in ids.into_iter().zip(results) {
            match result {
                Ok(occurrence) => {
                    details.insert(id.id, occurrence);
                }
                Err(error) => {
                    let failure = if has_code(&error, &ResponseCode::ErrorItemNotFound) {
                        MailboxError::Unavailable(format!(
                            "a modified occurrence vanished while its series was read: {error}"
                        ))
                    } else {
                        mailbox_error(&error)
                    };
                    unread.insert(id.id, failure);
                }
            }
        }
        Ok((details, unread))
    }

    pub(super) async fn read_tagged(
        &self,
        tags: &[OhsyncTag],
    ) -> Result<Vec<ItemSummary>, MailboxError> {
        if tags.is_empty() {
            return Ok(Vec::new());
        }
        let tags = tags
            .iter()
            .map(|tag| ohsync_ews::OhsyncTag::new(tag.tenant.as_str(), tag.officeheart_id.as_str()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|error| mailbox_error(&error))?;
        let items = self
            .client
            .find_by_tags(&tags, ItemShape::Relevance)
            .await
            .map_err(|error| mailbox_error(&error))?;
        Ok(items
            .iter()
            .filter_map(|item| self.summary_or_skip(item))
            .collect())
    }

    pub(super) async fn read_by_uids(
        &self,
        uids: &[ExchangeUid],
    ) -> Result<Vec<ItemSummary>, MailboxError> {
        if uids.is_empty() {
            return Ok(Vec::new());
        }
        let uids: Vec<String> = uids.iter().map(|uid| uid.as_str().to_owned()).collect();
        let items = self
            .client
            .find_by_uids(&uids, ItemShape::Relevance)
            .await
            .map_err(|error| mailbox_error(&error))?;
        Ok(items
            .iter()
            .filter_map(|item| self.summary_or_skip(item))
            .collect())
    }
}
