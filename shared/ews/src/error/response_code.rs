//! The EWS `ResponseCode` values the client can meet (EWS-NOTES §1–§10).

use std::fmt;
use std::str::FromStr;

macro_rules! response_codes {
    ($($(#[$doc:meta])* $name:ident),+ $(,)?) => {
        /// An EWS `ResponseCode` (from a ResponseMessage or a SOAP fault); unknown codes keep their text.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum ResponseCode {
            $($(#[$doc])* $name,)+
            /// A code this client has no special handling for.
            Other(String),
        }

        impl ResponseCode {
            /// The code as EWS spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$name => stringify!($name),)+
                    Self::Other(code) => code,
                }
            }

            fn from_bare(code: &str) -> Self {
                match code {
                    $(stringify!($name) => Self::$name,)+
                    other => Self::Other(other.to_owned()),
                }
            }
        }
    };
}

response_codes! {
    /// Success.
    NoError,
    /// Throttled; may carry `BackOffMilliseconds`.
    ErrorServerBusy,
    /// The SyncState is corrupt or too old; resync from scratch.
    ErrorInvalidSyncStateData,
    /// The synchronised folder no longer exists.
    ErrorSyncFolderNotFound,
    /// Not found, or no permission to see it.
    ErrorItemNotFound,
    /// Changes could not be reconciled; re-read the ChangeKey.
    ErrorIrresolvableConflict,
    /// The ChangeKey is stale or missing.
    ErrorStaleObject,
    /// The ChangeKey cannot be parsed.
    ErrorInvalidChangeKey,
    /// AutoResolve needs a ChangeKey (older name).
    ErrorChangeKeyRequired,
    /// AutoResolve needs a ChangeKey (newer name).
    ErrorChangeKeyRequiredForWriteOperations,
    /// Item- or folder-level rights are missing.
    ErrorAccessDenied,
    /// The stated RequestServerVersion is unknown to the server.
    ErrorInvalidServerVersion,
    /// The request is invalid (2019 answers an unknown version this way).
    ErrorInvalidRequest,
    /// The request uses elements newer than its stated version.
    ErrorIncorrectSchemaVersion,
    /// The request does not validate against the schema.
    ErrorSchemaValidation,
    /// The stated version is not valid for the mailbox's version.
    ErrorInvalidSchemaVersionForMailboxVersion,
    /// The mailbox does not exist.
    ErrorNonExistentMailbox,
    /// The account may not impersonate this user.
    ErrorImpersonateUserDenied,
    /// Impersonation was denied.
    ErrorImpersonationDenied,
    /// The ExchangeImpersonation header is not allowed here (for example with this OAuth token type).
    ErrorInvalidExchangeImpersonationHeaderData,
    /// A FindItem result exceeded the policy's count limit.
    ErrorExceededFindCountLimit,
    /// Too many concurrent connections for this account.
    ErrorExceededConnectionCount,
    /// Too many subscriptions for this account.
    ErrorExceededSubscriptionCount,
    /// Too many objects opened; a rate limit.
    ErrorTooManyObjectsOpened,
    /// Internal server error; see `InnerErrorResponseCode`.
    ErrorInternalServerError,
    /// A CalendarView spans more than two years.
    ErrorCalendarViewRangeTooBig,
    /// The addressed occurrence was deleted from its series.
    ErrorCalendarOccurrenceIsDeletedFromRecurrence,
    /// The occurrence index is beyond the series.
    ErrorCalendarOccurrenceIndexIsOutOfRecurrenceRange,
    /// A modified occurrence would move onto or past the day of an adjacent occurrence.
    ErrorOccurrenceCrossingBoundary,
    /// An argument of the request is invalid.
    ErrorInvalidArgument,
    /// The id is not a valid EWS id.
    ErrorInvalidIdMalformed,
    /// A requested property cannot be returned by this operation.
    ErrorInvalidPropertyRequest,
    /// A batch stopped before this item.
    ErrorBatchProcessingStopped,
    /// The mailbox is over its quota.
    ErrorQuotaExceeded,
    /// The mailbox database is unavailable.
    ErrorMailboxStoreUnavailable,
    /// The mailbox is being moved.
    ErrorMailboxMoveInProgress,
    /// ResolveNames found nothing.
    ErrorNameResolutionNoResults,
}

impl ResponseCode {
    /// Parses a code as it appears on the wire: surrounding whitespace and a namespace prefix
    /// (`a:ErrorServerBusy`) are ignored.
    pub fn parse(raw: &str) -> Self {
        let trimmed = raw.trim();
        let bare = trimmed
            .rsplit_once(':')
            .map_or(trimmed, |(_, local)| local.trim());
        Self::from_bare(bare)
    }

    /// Whether this code is a throttling signal (retry after a back-off).
    pub fn is_throttling(&self) -> bool {
        matches!(
            self,
            Self::ErrorServerBusy
                | Self::ErrorTooManyObjectsOpened
                | Self::ErrorExceededConnectionCount
                | Self::ErrorExceededSubscriptionCount
        )
    }

    /// Whether the server rejected the stated schema version (the client could ask for an older one).
    pub fn rejects_version(&self) -> bool {
        matches!(
            self,
            Self::ErrorInvalidServerVersion
                | Self::ErrorIncorrectSchemaVersion
                | Self::ErrorInvalidSchemaVersionForMailboxVersion
        )
    }
}

impl FromStr for ResponseCode {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self::parse(s))
    }
}

impl fmt::Display for ResponseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_prefixed_and_padded_codes() {
        assert_eq!(
            ResponseCode::parse("a:ErrorServerBusy"),
            ResponseCode::ErrorServerBusy
        );
        assert_eq!(
            ResponseCode::parse("\n          ErrorServerBusy\n        "),
            ResponseCode::ErrorServerBusy
        );
        assert_eq!(ResponseCode::parse("NoError"), ResponseCode::NoError);
    }

    #[test]
    fn unknown_codes_keep_their_text() {
        let code = ResponseCode::parse("t:ErrorQuotaExceededOnDelete");
        assert_eq!(
            code,
            ResponseCode::Other("ErrorQuotaExceededOnDelete".into())
        );
        assert_eq!(code.as_str(), "ErrorQuotaExceededOnDelete");
    }

    #[test]
    fn known_codes_round_trip() {
        for code in [
            ResponseCode::ErrorChangeKeyRequiredForWriteOperations,
            ResponseCode::ErrorCalendarOccurrenceIndexIsOutOfRecurrenceRange,
            ResponseCode::ErrorInvalidExchangeImpersonationHeaderData,
        ] {
            assert_eq!(ResponseCode::parse(code.as_str()), code);
        }
    }
}
