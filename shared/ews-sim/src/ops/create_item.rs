//! CreateItem: stores calendar items (with extended properties) and answers their ItemId/ChangeKey.

use chrono::Utc;

use super::access::{owner, resolve_folder};
use super::{Context, Outcome};
use crate::edit::Edit;
use crate::mailbox::Mailbox;
use crate::mailbox::folders::CALENDAR;
use crate::mailbox::item::StoredItem;
use crate::render::write_id_only;
use crate::request::properties::ItemProperties;
use crate::request::target::FolderRef;
use crate::response_code::{EwsError, ResponseCode};
use crate::soap::response::ResponseBuilder;
use crate::view::ItemView;

/// Applies every property of a CreateItem item element to a new item.
pub fn build_item(
    properties: &ItemProperties,
    key: u64,
    change: u64,
    modified_by: &str,
    context_zone: Option<chrono_tz::Tz>,
) -> Result<StoredItem, EwsError> {
    let now = Utc::now();
    let mut edit = Edit::create(StoredItem::new(key, now, modified_by), change, context_zone);
    for (index, element) in &properties.fields {
        edit.set(*index, element.clone())?;
    }
    for (uri, value) in &properties.extended {
        edit.set_extended(uri.clone(), value.clone());
    }
    edit.finish(now)
}

fn create_one(
    context: &Context<'_>,
    mailboxes: &mut [Mailbox],
    send_invitations: Option<&str>,
    target: Result<(usize, u64), EwsError>,
    properties: &ItemProperties,
) -> Result<(usize, u64), EwsError> {
    let (index, folder) = target?;
    if properties.kind != "CalendarItem" {
        return Err(
            EwsError::new(ResponseCode::ErrorInvalidOperation).with_message(format!(
                "Only calendar items can be created here, not {}.",
                properties.kind
            )),
        );
    }
    if folder != CALENDAR {
        return Err(ResponseCode::ErrorCannotCreateCalendarItemInNonCalendarFolder.into());
    }
    if send_invitations.is_none() {
        return Err(ResponseCode::ErrorSendMeetingInvitationsRequired.into());
    }
    let actor = context
        .users
        .get(context.acting_as)
        .map(|user| user.display_name.clone())
        .unwrap_or_default();
    let mailbox = mailboxes
        .get_mut(index)
        .ok_or(ResponseCode::ErrorFolderNotFound)?;
    let key = mailbox.next_key();
    let item = build_item(
        properties,
        key,
        mailbox.upcoming_change(),
        &actor,
        context.time_zone,
    )?;
    mailbox.insert(item);
    Ok((index, key))
}

/// Runs CreateItem.
pub fn run(
    context: &Context<'_>,
    mailboxes: &mut [Mailbox],
    send_invitations: Option<&str>,
    saved_folder: Option<&FolderRef>,
    items: &[ItemProperties],
) -> Outcome {
    let default_folder = FolderRef::Distinguished {
        name: "calendar".to_owned(),
        mailbox: None,
    };
    let target = resolve_folder(context, mailboxes, saved_folder.unwrap_or(&default_folder))
        .map(|(index, def)| (index, def.number));
    let mut response = ResponseBuilder::new("CreateItem");
    let mut wrote = false;
    for properties in items {
        match create_one(
            context,
            mailboxes,
            send_invitations,
            target.clone(),
            properties,
        ) {
            Ok((index, key)) => {
                wrote = true;
                let created = mailboxes
                    .get(index)
                    .and_then(|mailbox| mailbox.items.get(&key));
                match (created, owner(context, mailboxes, index)) {
                    (Some(item), Some(owner)) => {
                        let writer = response.success();
                        writer.start("m:Items", &[]);
                        write_id_only(writer, &ItemView::Stored(item), owner);
                        writer.end("m:Items");
                        response.end_message();
                    }
                    _ => response.error_message(&ResponseCode::ErrorItemNotFound.into()),
                }
            }
            Err(error) => response.error_message(&error),
        }
    }
    Outcome {
        body: response.finish(),
        wrote,
    }
}
