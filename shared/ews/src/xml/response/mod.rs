//! Typed responses of every operation the client uses, read with quick-xml's streaming reader.
//!
//! Elements are matched by local name, so `s:`/`soap:`/`m:`/`t:` prefixes and unprefixed
//! default-namespace bodies all read the same. Each `parse_*` function returns the header's
//! server version together with the operation's outcome (which is an error for a fault or a
//! failed ResponseMessage); a document that is not EWS XML at all is an outer error.

mod envelope;
mod item;
mod payloads;
mod reader;
mod values;

use envelope::{Envelope, Ignored, MessagePayload, parse_envelope};
use payloads::{FindPayload, FolderPayload, ItemsPayload, SyncPayload};

use crate::error::{EwsError, ResponseStatus};
use crate::model::{CalendarFolder, CalendarItem, FindItemPage, ItemId, SyncPage, UpdatedItem};
use crate::version::ServerVersionInfo;

/// A per-item result of a batch operation; a failure of one item does not fail the batch.
pub type ItemResult<T> = Result<T, EwsError>;

/// A parsed response: the server version from the header and the operation's outcome.
#[derive(Debug)]
pub struct Parsed<T> {
    /// `ServerVersionInfo` of the header, when present.
    pub server_version: Option<ServerVersionInfo>,
    /// The result, or the fault / ResponseMessage error the server sent.
    pub outcome: Result<T, EwsError>,
}

impl<T> Parsed<T> {
    fn map_messages<P>(
        envelope: Envelope<P>,
        convert: impl FnOnce(Vec<envelope::Message<P>>) -> Result<T, EwsError>,
    ) -> Self {
        Self {
            server_version: envelope.server_version,
            outcome: envelope.body.and_then(convert),
        }
    }
}

/// The payload of the only message of a single-message operation.
fn single<P>(messages: Vec<envelope::Message<P>>) -> Result<P, EwsError> {
    let count = messages.len();
    let mut messages = messages.into_iter();
    match (messages.next(), count) {
        (Some(message), 1) => message.into_result(),
        _ => Err(EwsError::malformed(format!(
            "expected one ResponseMessage, got {count}"
        ))),
    }
}

/// Per-message results of a batch operation.
fn each<P: MessagePayload, T>(
    messages: Vec<envelope::Message<P>>,
    convert: impl Fn(P) -> ItemResult<T>,
) -> Result<Vec<ItemResult<T>>, EwsError> {
    Ok(messages
        .into_iter()
        .map(|message| message.into_result().and_then(&convert))
        .collect())
}

/// The first item of an `Items` payload.
fn first_item(payload: ItemsPayload) -> ItemResult<CalendarItem> {
    payload.items.into_iter().next().unwrap_or_else(|| {
        Err(EwsError::malformed(
            "a successful ResponseMessage has no item",
        ))
    })
}

fn item_id_of(item: CalendarItem) -> ItemResult<ItemId> {
    item.item_id
        .ok_or_else(|| EwsError::malformed("the returned item has no ItemId"))
}

/// Parses a `GetFolder` response for the calendar folder.
pub fn parse_get_folder(xml: &[u8]) -> Result<Parsed<CalendarFolder>, EwsError> {
    let envelope = parse_envelope::<FolderPayload>(xml)?;
    Ok(Parsed::map_messages(envelope, |messages| {
        single(messages)?
            .folder
            .ok_or_else(|| EwsError::malformed("GetFolder returned no folder"))
    }))
}

/// Parses a `SyncFolderItems` response into one page.
pub fn parse_sync_folder_items(xml: &[u8]) -> Result<Parsed<SyncPage>, EwsError> {
    let envelope = parse_envelope::<SyncPayload>(xml)?;
    Ok(Parsed::map_messages(envelope, |messages| {
        single(messages)?.into_page()
    }))
}

/// Parses a `GetItem` response: one result per requested id, in request order.
pub fn parse_get_item(xml: &[u8]) -> Result<Parsed<Vec<ItemResult<CalendarItem>>>, EwsError> {
    let envelope = parse_envelope::<ItemsPayload>(xml)?;
    Ok(Parsed::map_messages(envelope, |messages| {
        each(messages, first_item)
    }))
}

/// Parses a `FindItem` response (CalendarView or indexed paging).
pub fn parse_find_item(xml: &[u8]) -> Result<Parsed<FindItemPage>, EwsError> {
    let envelope = parse_envelope::<FindPayload>(xml)?;
    Ok(Parsed::map_messages(envelope, |messages| {
        single(messages)?
            .page
            .ok_or_else(|| EwsError::malformed("FindItem returned no RootFolder"))
    }))
}

/// Parses a `CreateItem` response (the new id per created item) or an IdOnly `GetItem`
/// response, which has the same shape (the current id and change key per requested item).
pub fn parse_create_item(xml: &[u8]) -> Result<Parsed<Vec<ItemResult<ItemId>>>, EwsError> {
    let envelope = parse_envelope::<ItemsPayload>(xml)?;
    Ok(Parsed::map_messages(envelope, |messages| {
        each(messages, |payload| first_item(payload).and_then(item_id_of))
    }))
}

/// Parses an `UpdateItem` response: the new id and change key plus the conflict count per change.
pub fn parse_update_item(xml: &[u8]) -> Result<Parsed<Vec<ItemResult<UpdatedItem>>>, EwsError> {
    let envelope = parse_envelope::<ItemsPayload>(xml)?;
    Ok(Parsed::map_messages(envelope, |messages| {
        each(messages, |payload| {
            let conflict_count = payload.conflict_count.unwrap_or(0);
            let item_id = first_item(payload).and_then(item_id_of)?;
            Ok(UpdatedItem {
                item_id,
                conflict_count,
            })
        })
    }))
}

/// Parses a `DeleteItem` response: one result per deleted id.
pub fn parse_delete_item(xml: &[u8]) -> Result<Parsed<Vec<ItemResult<()>>>, EwsError> {
    let envelope = parse_envelope::<Ignored>(xml)?;
    Ok(Parsed::map_messages(envelope, |messages| {
        each(messages, |_| Ok(()))
    }))
}

/// Parses any EWS response down to its envelope: the status of every ResponseMessage (bodies skipped).
pub fn parse_envelope_statuses(xml: &[u8]) -> Result<Parsed<Vec<ResponseStatus>>, EwsError> {
    let envelope = parse_envelope::<Ignored>(xml)?;
    Ok(Parsed::map_messages(envelope, |messages| {
        Ok(messages.into_iter().map(|message| message.status).collect())
    }))
}
