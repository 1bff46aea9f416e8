//! Walking the paged operations: the change feed up to its end, and a window listing to its last page.

use crate::appointment::Appointment;
use crate::client::OfficeHeartClient;
use crate::contract::Operation;
use crate::error::OfficeHeartError;
use crate::ids::{Cursor, PageToken, UserId};
use crate::pages::{Change, TimeWindow};

/// Reads a user's change feed page by page, tracking the cursor to persist.
#[derive(Debug)]
pub struct ChangeFeed {
    client: OfficeHeartClient,
    user: UserId,
    cursor: Option<Cursor>,
    page_limit: Option<u32>,
    finished: bool,
}

/// Changes read from the feed and the cursor to store once they are applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeBatch {
    /// The changes, oldest first.
    pub changes: Vec<Change>,
    /// The position after the last change read.
    pub cursor: Cursor,
    /// False when reading stopped at `max_changes` with more changes waiting.
    pub complete: bool,
}

impl ChangeFeed {
    /// Starts after `cursor`, or at the beginning of the feed.
    pub fn new(client: OfficeHeartClient, user: UserId, cursor: Option<Cursor>) -> Self {
        Self {
            client,
            user,
            cursor,
            page_limit: None,
            finished: false,
        }
    }

    /// Asks for pages of at most `limit` changes (the server caps it).
    pub fn with_page_limit(mut self, limit: u32) -> Self {
        self.page_limit = Some(limit);
        self
    }

    /// The next page, or `None` once the feed had no more. After each page, [`Self::cursor`]
    /// is the position to persist when that page's changes are applied.
    pub async fn next_page(&mut self) -> Result<Option<Vec<Change>>, OfficeHeartError> {
        if self.finished {
            return Ok(None);
        }
        let page = self
            .client
            .list_changes(&self.user, self.cursor.as_ref(), self.page_limit)
            .await?;
        // A server that says "more" without moving would keep this loop going forever.
        if page.has_more && self.cursor.as_ref() == Some(&page.next_cursor) {
            return Err(OfficeHeartError::InvalidResponse {
                operation: Operation::ListChanges,
                reason: "has_more is true but the cursor did not advance".to_owned(),
            });
        }
        self.finished = !page.has_more;
        self.cursor = Some(page.next_cursor);
        Ok(Some(page.changes))
    }

    /// The position after the pages read so far (`None` before the first page of a feed
    /// started from the beginning).
    pub fn cursor(&self) -> Option<&Cursor> {
        self.cursor.as_ref()
    }

    /// Reads whole pages (at least one) until the feed is drained or `max_changes` were read.
    pub async fn collect(mut self, max_changes: usize) -> Result<ChangeBatch, OfficeHeartError> {
        let mut changes = Vec::new();
        while let Some(page) = self.next_page().await? {
            changes.extend(page);
            if changes.len() >= max_changes {
                break;
            }
        }
        let cursor = self
            .cursor
            .ok_or_else(|| OfficeHeartError::InvalidResponse {
                operation: Operation::ListChanges,
                reason: "no cursor was returned".to_owned(),
            })?;
        Ok(ChangeBatch {
            changes,
            cursor,
            complete: self.finished,
        })
    }
}

/// Reads every appointment of a user overlapping a window, page by page.
#[derive(Debug)]
pub struct WindowListing {
    client: OfficeHeartClient,
    user: UserId,
    window: TimeWindow,
    page_token: Option<PageToken>,
    page_limit: Option<u32>,
    feed_cursor: Option<Cursor>,
    finished: bool,
}

/// A complete window listing and where to continue the change feed after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowSnapshot {
    /// Every appointment overlapping the window.
    pub appointments: Vec<Appointment>,
    /// The first page's `feed_cursor`: continuing the feed from here misses nothing that changed
    /// while the listing was read.
    pub feed_cursor: Cursor,
}

impl WindowListing {
    /// Starts at the first page of `window`.
    pub fn new(client: OfficeHeartClient, user: UserId, window: TimeWindow) -> Self {
        Self {
            client,
            user,
            window,
            page_token: None,
            page_limit: None,
            feed_cursor: None,
            finished: false,
        }
    }

    /// Asks for pages of at most `limit` appointments (the server caps it).
    pub fn with_page_limit(mut self, limit: u32) -> Self {
        self.page_limit = Some(limit);
        self
    }

    /// The next page, or `None` after the last one.
    pub async fn next_page(&mut self) -> Result<Option<Vec<Appointment>>, OfficeHeartError> {
        if self.finished {
            return Ok(None);
        }
        let page = self
            .client
            .list_appointments(
                &self.user,
                &self.window,
                self.page_token.as_ref(),
                self.page_limit,
            )
            .await?;
        if page.next_page_token.is_some() && page.next_page_token == self.page_token {
            return Err(OfficeHeartError::InvalidResponse {
                operation: Operation::ListAppointments,
                reason: "the page token did not advance".to_owned(),
            });
        }
        self.finished = page.next_page_token.is_none();
        self.page_token = page.next_page_token;
        self.feed_cursor.get_or_insert(page.feed_cursor);
        Ok(Some(page.appointments))
    }

    /// The first page's `feed_cursor`, once a page was read.
    pub fn feed_cursor(&self) -> Option<&Cursor> {
        self.feed_cursor.as_ref()
    }

    /// Every appointment in the window, and where to continue the change feed.
    pub async fn collect(mut self) -> Result<WindowSnapshot, OfficeHeartError> {
        let mut appointments = Vec::new();
        while let Some(page) = self.next_page().await? {
            appointments.extend(page);
        }
        let feed_cursor = self
            .feed_cursor
            .ok_or_else(|| OfficeHeartError::InvalidResponse {
                operation: Operation::ListAppointments,
                reason: "no feed cursor was returned".to_owned(),
            })?;
        Ok(WindowSnapshot {
            appointments,
            feed_cursor,
        })
    }
}

impl OfficeHeartClient {
    /// The change feed of `user` after `cursor` (`None`: from the beginning).
    pub fn change_feed(&self, user: &UserId, cursor: Option<Cursor>) -> ChangeFeed {
        ChangeFeed::new(self.clone(), user.clone(), cursor)
    }

    /// The listing of `user`'s appointments overlapping `window`.
    pub fn window_listing(&self, user: &UserId, window: TimeWindow) -> WindowListing {
        WindowListing::new(self.clone(), user.clone(), window)
    }
}
