//! SyncFolderItems: pages of net changes from the change log, with signed SyncStates.

use super::Context;
use super::access::{owner, resolve_folder, resolve_item};
use crate::mailbox::folders::CALENDAR;
use crate::mailbox::ids::{self, ChangeKeyKind};
use crate::mailbox::sync_state::SyncPosition;
use crate::mailbox::{ChangeKind, Mailbox};
use crate::render::{Purpose, Rendering};
use crate::request::shape::ItemShape;
use crate::request::target::{FolderRef, ItemRef};
use crate::response_code::{EwsError, ResponseCode};
use crate::soap::response::{ResponseBody, ResponseBuilder};
use crate::view::ItemView;
use crate::xml::XmlWriter;

fn refuse_state(response: &mut ResponseBuilder) {
    let writer = response.error(&EwsError::new(ResponseCode::ErrorInvalidSyncStateData));
    writer.empty("m:SyncState", &[]);
    writer.leaf("m:IncludesLastItemInRange", "true");
    response.end_message();
}

/// Runs SyncFolderItems.
pub fn run(
    context: &Context<'_>,
    mailboxes: &[Mailbox],
    shape: &ItemShape,
    folder: &FolderRef,
    state: Option<&str>,
    ignore: &[ItemRef],
    max_changes: usize,
) -> ResponseBody {
    let mut response = ResponseBuilder::new("SyncFolderItems");
    let (index, def) = match resolve_folder(context, mailboxes, folder) {
        Ok(resolved) => resolved,
        Err(error) => {
            response.error_message(&error);
            return response.finish();
        }
    };
    let (Some(mailbox), Some(owner)) = (mailboxes.get(index), owner(context, mailboxes, index))
    else {
        response.error_message(&ResponseCode::ErrorFolderNotFound.into());
        return response.finish();
    };
    let newest = mailbox.last_change();
    let position = match state {
        None => SyncPosition {
            mailbox: mailbox.identity.guid,
            folder: def.number,
            base: 0,
            high: newest,
            emitted: 0,
        },
        Some(_) if context.refuse_sync_state => {
            refuse_state(&mut response);
            return response.finish();
        }
        Some(text) => match SyncPosition::decode(text, context.sync_key) {
            Ok(position)
                if position.mailbox == mailbox.identity.guid
                    && position.folder == def.number
                    && position.high <= newest =>
            {
                if position.base == position.high {
                    SyncPosition {
                        high: newest,
                        emitted: 0,
                        ..position
                    }
                } else {
                    position
                }
            }
            _ => {
                refuse_state(&mut response);
                return response.finish();
            }
        },
    };

    let mut changes = if def.number == CALENDAR {
        mailbox.net_changes(position.base, position.high)
    } else {
        Vec::new()
    };
    if context.server.sync_newest_first() {
        changes.reverse();
    }
    let ignored: Vec<u64> = ignore
        .iter()
        .filter_map(|item| match resolve_item(context, mailboxes, item) {
            Ok(super::access::Target::Item { key, .. }) => Some(key),
            _ => None,
        })
        .collect();
    let first = usize::try_from(position.emitted)
        .unwrap_or(usize::MAX)
        .min(changes.len());
    let last = first.saturating_add(max_changes).min(changes.len());
    let includes_last = last == changes.len();
    let next = if includes_last {
        SyncPosition {
            base: position.high,
            emitted: 0,
            ..position
        }
    } else {
        SyncPosition {
            emitted: u32::try_from(last).unwrap_or(u32::MAX),
            ..position
        }
    };

    let rendering = Rendering {
        shape,
        purpose: Purpose::Sync,
        requested: context.requested,
        marks_truncation: context.server.build().major >= 15,
    };
    let writer = response.success();
    writer.leaf("m:SyncState", &next.encode(context.sync_key));
    writer.leaf(
        "m:IncludesLastItemInRange",
        if includes_last { "true" } else { "false" },
    );
    writer.start("m:Changes", &[]);
    for change in changes.get(first..last).unwrap_or_default() {
        if ignored.contains(&change.key) {
            continue;
        }
        write_change(
            writer,
            &rendering,
            mailbox,
            owner,
            change.kind,
            change.key,
            change.last_change,
        );
    }
    writer.end("m:Changes");
    response.end_message();
    response.finish()
}

fn write_change(
    writer: &mut XmlWriter,
    rendering: &Rendering<'_>,
    mailbox: &Mailbox,
    owner: crate::view::Owner<'_>,
    kind: ChangeKind,
    key: u64,
    change: u64,
) {
    let element = match kind {
        ChangeKind::Created => "t:Create",
        ChangeKind::Updated => "t:Update",
        ChangeKind::Deleted => "t:Delete",
    };
    if kind == ChangeKind::Deleted {
        writer.start(element, &[]);
        writer.empty(
            "t:ItemId",
            &[
                ("Id", &ids::item_id(&mailbox.identity, CALENDAR, key)),
                (
                    "ChangeKey",
                    &ids::change_key(&mailbox.identity, ChangeKeyKind::CalendarItem, change),
                ),
            ],
        );
        writer.end(element);
        return;
    }
    // Deleted after this session's window closed: the next session reports the Delete.
    let Some(item) = mailbox.items.get(&key) else {
        return;
    };
    writer.start(element, &[]);
    rendering.write(writer, &ItemView::Stored(item), owner);
    writer.end(element);
}
