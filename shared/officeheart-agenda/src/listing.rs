//! The engine's opaque listing token for an OfficeHeart window listing.
//!
//! The contract says a listing must be followed by the change feed from the *first* page's
//! `feed_cursor` (writes made while later pages were read come after it), so the token carries that
//! cursor from page to page next to OfficeHeart's own page token.

use ohsync_engine::ports::{AgendaError, ListingToken};
use ohsync_officeheart::{Cursor, PageToken};

/// Where a listing stands between two pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ListingPosition {
    /// The feed position taken before the first page was read.
    pub(crate) first_feed_cursor: Cursor,
    /// OfficeHeart's token for the next page.
    pub(crate) next_page: PageToken,
}

// Both parts are visible ASCII (the contract forbids spaces), so one space separates them.
const SEPARATOR: char = ' ';

impl ListingPosition {
    /// The token handed to the engine.
    pub(crate) fn token(&self) -> ListingToken {
        ListingToken(format!(
            "{}{SEPARATOR}{}",
            self.first_feed_cursor, self.next_page
        ))
    }

    /// Reads a token this adapter made.
    pub(crate) fn parse(token: &ListingToken) -> Result<Self, AgendaError> {
        let malformed = || AgendaError::Invalid("malformed listing token".to_owned());
        let (cursor, page) = token.0.split_once(SEPARATOR).ok_or_else(malformed)?;
        Ok(Self {
            first_feed_cursor: Cursor::new(cursor).map_err(|_| malformed())?,
            next_page: PageToken::new(page).map_err(|_| malformed())?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_position_survives_its_token() {
        let position = ListingPosition {
            first_feed_cursor: Cursor::new("c:17").unwrap(),
            next_page: PageToken::new("p.abc=").unwrap(),
        };
        assert_eq!(ListingPosition::parse(&position.token()).unwrap(), position);
    }

    #[test]
    fn a_foreign_token_is_refused() {
        let error = ListingPosition::parse(&ListingToken("no-separator".to_owned())).unwrap_err();
        assert!(matches!(error, AgendaError::Invalid(_)));
    }
}
