//! EWS response codes the simulator emits, with the English message text Exchange pairs with each.

/// A ResponseCode value (messages namespace) or SOAP fault code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResponseCode {
    NoError,
    ErrorAccessDenied,
    ErrorCalendarEndDateIsEarlierThanStartDate,
    ErrorCalendarOccurrenceIndexIsOutOfRecurrenceRange,
    ErrorCalendarOccurrenceIsDeletedFromRecurrence,
    ErrorCalendarViewRangeTooBig,
    ErrorCannotCreateCalendarItemInNonCalendarFolder,
    ErrorChangeKeyRequiredForWriteOperations,
    ErrorExceededFindCountLimit,
    ErrorFolderNotFound,
    ErrorImpersonateUserDenied,
    ErrorIncorrectUpdatePropertyCount,
    ErrorInternalServerError,
    ErrorInvalidChangeKey,
    ErrorInvalidIdMalformed,
    ErrorInvalidOperation,
    ErrorInvalidPropertyAppend,
    ErrorInvalidPropertyDelete,
    ErrorInvalidPropertySet,
    ErrorInvalidRecurrence,
    ErrorInvalidRequest,
    ErrorInvalidRestriction,
    ErrorInvalidServerVersion,
    ErrorInvalidSyncStateData,
    ErrorIrresolvableConflict,
    ErrorItemNotFound,
    ErrorNameResolutionNoResults,
    ErrorNonExistentMailbox,
    ErrorOccurrenceCrossingBoundary,
    ErrorSchemaValidation,
    ErrorSendMeetingCancellationsRequired,
    ErrorSendMeetingInvitationsOrCancellationsRequired,
    ErrorSendMeetingInvitationsRequired,
    ErrorServerBusy,
    ErrorUnsupportedQueryFilter,
}

impl ResponseCode {
    /// The code as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoError => "NoError",
            Self::ErrorAccessDenied => "ErrorAccessDenied",
            Self::ErrorCalendarEndDateIsEarlierThanStartDate => {
                "ErrorCalendarEndDateIsEarlierThanStartDate"
            }
            Self::ErrorCalendarOccurrenceIndexIsOutOfRecurrenceRange => {
                "ErrorCalendarOccurrenceIndexIsOutOfRecurrenceRange"
            }
            Self::ErrorCalendarOccurrenceIsDeletedFromRecurrence => {
                "ErrorCalendarOccurrenceIsDeletedFromRecurrence"
            }
            Self::ErrorCalendarViewRangeTooBig => "ErrorCalendarViewRangeTooBig",
            Self::ErrorCannotCreateCalendarItemInNonCalendarFolder => {
                "ErrorCannotCreateCalendarItemInNonCalendarFolder"
            }
            Self::ErrorChangeKeyRequiredForWriteOperations => {
                "ErrorChangeKeyRequiredForWriteOperations"
            }
            Self::ErrorExceededFindCountLimit => "ErrorExceededFindCountLimit",
            Self::ErrorFolderNotFound => "ErrorFolderNotFound",
            Self::ErrorImpersonateUserDenied => "ErrorImpersonateUserDenied",
            Self::ErrorIncorrectUpdatePropertyCount => "ErrorIncorrectUpdatePropertyCount",
            Self::ErrorInternalServerError => "ErrorInternalServerError",
            Self::ErrorInvalidChangeKey => "ErrorInvalidChangeKey",
            Self::ErrorInvalidIdMalformed => "ErrorInvalidIdMalformed",
            Self::ErrorInvalidOperation => "ErrorInvalidOperation",
            Self::ErrorInvalidPropertyAppend => "ErrorInvalidPropertyAppend",
            Self::ErrorInvalidPropertyDelete => "ErrorInvalidPropertyDelete",
            Self::ErrorInvalidPropertySet => "ErrorInvalidPropertySet",
            Self::ErrorInvalidRecurrence => "ErrorInvalidRecurrence",
            Self::ErrorInvalidRequest => "ErrorInvalidRequest",
            Self::ErrorInvalidRestriction => "ErrorInvalidRestriction",
            Self::ErrorInvalidServerVersion => "ErrorInvalidServerVersion",
            Self::ErrorInvalidSyncStateData => "ErrorInvalidSyncStateData",
            Self::ErrorIrresolvableConflict => "ErrorIrresolvableConflict",
            Self::ErrorItemNotFound => "ErrorItemNotFound",
            Self::ErrorNameResolutionNoResults => "ErrorNameResolutionNoResults",
            Self::ErrorNonExistentMailbox => "ErrorNonExistentMailbox",
            Self::ErrorOccurrenceCrossingBoundary => "ErrorOccurrenceCrossingBoundary",
            Self::ErrorSchemaValidation => "ErrorSchemaValidation",
            Self::ErrorSendMeetingCancellationsRequired => "ErrorSendMeetingCancellationsRequired",
            Self::ErrorSendMeetingInvitationsOrCancellationsRequired => {
                "ErrorSendMeetingInvitationsOrCancellationsRequired"
            }
            Self::ErrorSendMeetingInvitationsRequired => "ErrorSendMeetingInvitationsRequired",
            Self::ErrorServerBusy => "ErrorServerBusy",
            Self::ErrorUnsupportedQueryFilter => "ErrorUnsupportedQueryFilter",
        }
    }

    /// The default MessageText for the code.
    pub fn message(self) -> &'static str {
        match self {
            Self::NoError => "",
            Self::ErrorAccessDenied => "Access is denied. Check credentials and try again.",
            Self::ErrorCalendarEndDateIsEarlierThanStartDate => "EndDate is earlier than StartDate",
            Self::ErrorCalendarOccurrenceIndexIsOutOfRecurrenceRange => {
                "The occurrence index is out of the recurrence range."
            }
            Self::ErrorCalendarOccurrenceIsDeletedFromRecurrence => {
                "The occurrence was deleted from the recurrence."
            }
            Self::ErrorCalendarViewRangeTooBig => {
                "The specified view range exceeds the maximum range of two years."
            }
            Self::ErrorCannotCreateCalendarItemInNonCalendarFolder => {
                "Calendar items can only be created in a calendar folder."
            }
            Self::ErrorChangeKeyRequiredForWriteOperations => {
                "A change key is required for this write operation."
            }
            Self::ErrorExceededFindCountLimit => {
                "The number of items that would be returned exceeds the allowed limit for this search."
            }
            Self::ErrorFolderNotFound => "The specified folder could not be found in the store.",
            Self::ErrorImpersonateUserDenied => {
                "The account does not have permission to impersonate the requested user."
            }
            Self::ErrorIncorrectUpdatePropertyCount => {
                "An object within a change description must contain one and only one property to modify."
            }
            Self::ErrorInternalServerError => {
                "An internal server error occurred. The operation failed."
            }
            Self::ErrorInvalidChangeKey => "The change key is invalid.",
            Self::ErrorInvalidIdMalformed => "Id is malformed.",
            Self::ErrorInvalidOperation => "The operation is not valid for this item or folder.",
            Self::ErrorInvalidPropertyAppend => "This property does not support append.",
            Self::ErrorInvalidPropertyDelete => "This property can not be deleted.",
            Self::ErrorInvalidPropertySet => "Set action is invalid for property.",
            Self::ErrorInvalidRecurrence => "The recurrence pattern is invalid.",
            Self::ErrorInvalidRequest => "The request is invalid.",
            Self::ErrorInvalidRestriction => {
                "The restriction or sort order is invalid for this operation."
            }
            Self::ErrorInvalidServerVersion => "The specified server version is invalid.",
            Self::ErrorInvalidSyncStateData => {
                "Synchronization state data is corrupt or otherwise invalid."
            }
            Self::ErrorIrresolvableConflict => {
                "The send or update operation could not be performed because the change key passed in the request does not match the current change key for the item."
            }
            Self::ErrorItemNotFound => "The specified object was not found in the store.",
            Self::ErrorNameResolutionNoResults => "No results were found.",
            Self::ErrorNonExistentMailbox => "The SMTP address has no mailbox associated with it.",
            Self::ErrorOccurrenceCrossingBoundary => {
                "Modified occurrence is crossing or overlapping adjacent occurrence."
            }
            Self::ErrorSchemaValidation => "The request failed schema validation.",
            Self::ErrorSendMeetingCancellationsRequired => {
                "The SendMeetingCancellations attribute is required for calendar items."
            }
            Self::ErrorSendMeetingInvitationsOrCancellationsRequired => {
                "The SendMeetingInvitationsOrCancellations attribute is required for calendar items."
            }
            Self::ErrorSendMeetingInvitationsRequired => {
                "The SendMeetingInvitations attribute is required for calendar items."
            }
            Self::ErrorServerBusy => {
                "The server cannot service this request right now. Try again later."
            }
            Self::ErrorUnsupportedQueryFilter => {
                "The restriction contains a filter that is not supported."
            }
        }
    }
}

/// A per-message failure: the code, optionally a specific message, and MessageXml values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EwsError {
    /// The ResponseCode.
    pub code: ResponseCode,
    /// MessageText when it differs from the code's default.
    pub message: Option<String>,
    /// `<t:Value Name="…">…</t:Value>` entries for MessageXml.
    pub values: Vec<(String, String)>,
}

impl EwsError {
    /// An error with the code's default message.
    pub fn new(code: ResponseCode) -> Self {
        Self {
            code,
            message: None,
            values: Vec::new(),
        }
    }

    /// Replaces the message text.
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }

    /// Adds a MessageXml value.
    pub fn with_value(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.values.push((name.into(), value.into()));
        self
    }

    /// The MessageText to send.
    pub fn text(&self) -> &str {
        self.message
            .as_deref()
            .unwrap_or_else(|| self.code.message())
    }
}

impl From<ResponseCode> for EwsError {
    fn from(code: ResponseCode) -> Self {
        Self::new(code)
    }
}
