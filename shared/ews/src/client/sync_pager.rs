//! Paging through SyncFolderItems until `IncludesLastItemInRange`, one page at a time so the
//! caller can persist each page's state before asking for the next.

use super::EwsClient;
use crate::error::EwsError;
use crate::model::{ItemShape, SyncPage};

/// Yields the pages of one synchronisation; see [`EwsClient::sync_pages`].
#[derive(Debug)]
pub struct SyncPager<'c> {
    client: &'c EwsClient,
    sync_state: Option<String>,
    max_changes: u16,
    shape: ItemShape,
    finished: bool,
}

impl<'c> SyncPager<'c> {
    pub(crate) fn new(
        client: &'c EwsClient,
        sync_state: Option<String>,
        max_changes: u16,
        shape: ItemShape,
    ) -> Self {
        Self {
            client,
            sync_state,
            max_changes,
            shape,
            finished: false,
        }
    }

    /// The next page, or `None` once the last page has been returned. Store the page's
    /// `sync_state` (and apply its changes) before asking for the next one.
    pub async fn next_page(&mut self) -> Result<Option<SyncPage>, EwsError> {
        if self.finished {
            return Ok(None);
        }
        let page = self
            .client
            .sync_folder_items(self.sync_state.as_deref(), self.max_changes, self.shape)
            .await?;
        // A page without any entry that claims more would repeat forever; treat it as the end.
        let empty = page.changes.is_empty() && page.read_flag_changes == 0;
        self.finished = page.includes_last_item_in_range || empty;
        self.sync_state = Some(page.sync_state.clone());
        Ok(Some(page))
    }

    /// The state after the last page returned (the starting state before the first).
    pub fn sync_state(&self) -> Option<&str> {
        self.sync_state.as_deref()
    }
}
