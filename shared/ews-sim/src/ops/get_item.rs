//! GetItem: one ResponseMessage per requested id, items or occurrences in the requested shape.

use super::Context;
use super::access::{Target, owner, resolve_item};
use crate::mailbox::Mailbox;
use crate::mailbox::series::occurrence_at;
use crate::render::{Purpose, Rendering};
use crate::request::shape::ItemShape;
use crate::request::target::ItemRef;
use crate::response_code::{EwsError, ResponseCode};
use crate::soap::response::{ResponseBody, ResponseBuilder};
use crate::view::{ItemView, Owner};

/// Finds what an address designates, as a view.
pub fn view_of<'a>(
    context: &Context<'a>,
    mailboxes: &'a [Mailbox],
    item: &ItemRef,
) -> Result<(ItemView<'a>, Owner<'a>), EwsError> {
    let target = resolve_item(context, mailboxes, item)?;
    let owner =
        owner(context, mailboxes, target.mailbox()).ok_or(ResponseCode::ErrorItemNotFound)?;
    let items = &mailboxes
        .get(target.mailbox())
        .ok_or(ResponseCode::ErrorItemNotFound)?
        .items;
    let view = match target {
        Target::Item { key, .. } => {
            ItemView::Stored(items.get(&key).ok_or(ResponseCode::ErrorItemNotFound)?)
        }
        Target::Occurrence { master, index, .. } => {
            let master = items.get(&master).ok_or(ResponseCode::ErrorItemNotFound)?;
            ItemView::Occurrence(master, occurrence_at(master, index)?)
        }
    };
    Ok((view, owner))
}

/// Runs GetItem.
pub fn run(
    context: &Context<'_>,
    mailboxes: &[Mailbox],
    shape: &ItemShape,
    items: &[ItemRef],
) -> ResponseBody {
    let rendering = Rendering {
        shape,
        purpose: Purpose::GetItem,
        requested: context.requested,
        marks_truncation: context.server.build().major >= 15,
    };
    let mut response = ResponseBuilder::new("GetItem");
    for item in items {
        match view_of(context, mailboxes, item) {
            Ok((view, owner)) => {
                let writer = response.success();
                writer.start("m:Items", &[]);
                rendering.write(writer, &view, owner);
                writer.end("m:Items");
                response.end_message();
            }
            Err(error) => response.error_message(&error),
        }
    }
    response.finish()
}
