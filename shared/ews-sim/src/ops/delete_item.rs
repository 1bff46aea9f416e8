//! DeleteItem: removes items (any DeleteType takes them out of the calendar) or single occurrences,
//! modified or not (a write of the master, so its ChangeKey changes).

use chrono::Utc;

use super::access::{Target, resolve_item};
use super::{Context, Outcome};
use crate::mailbox::Mailbox;
use crate::mailbox::series::delete_occurrence;
use crate::request::target::ItemRef;
use crate::response_code::{EwsError, ResponseCode};
use crate::soap::response::ResponseBuilder;

fn delete_one(
    context: &Context<'_>,
    mailboxes: &mut [Mailbox],
    send_cancellations: Option<&str>,
    item: &ItemRef,
) -> Result<(), EwsError> {
    let target = resolve_item(context, mailboxes, item)?;
    if send_cancellations.is_none() {
        return Err(ResponseCode::ErrorSendMeetingCancellationsRequired.into());
    }
    let actor = context
        .users
        .get(context.acting_as)
        .map(|user| user.display_name.clone())
        .unwrap_or_default();
    let mailbox = mailboxes
        .get_mut(target.mailbox())
        .ok_or(ResponseCode::ErrorItemNotFound)?;
    match target {
        Target::Item { key, .. } => {
            mailbox.remove(key).ok_or(ResponseCode::ErrorItemNotFound)?;
        }
        Target::Occurrence { master, index, .. } => {
            let mut item = mailbox
                .items
                .get(&master)
                .cloned()
                .ok_or(ResponseCode::ErrorItemNotFound)?;
            delete_occurrence(&mut item, index)?;
            mailbox
                .replace(item, Utc::now(), &actor)
                .ok_or(ResponseCode::ErrorItemNotFound)?;
        }
    }
    Ok(())
}

/// Runs DeleteItem.
pub fn run(
    context: &Context<'_>,
    mailboxes: &mut [Mailbox],
    send_cancellations: Option<&str>,
    items: &[ItemRef],
) -> Outcome {
    let mut response = ResponseBuilder::new("DeleteItem");
    let mut wrote = false;
    for item in items {
        match delete_one(context, mailboxes, send_cancellations, item) {
            Ok(()) => {
                wrote = true;
                response.success();
                response.end_message();
            }
            Err(error) => response.error_message(&error),
        }
    }
    Outcome {
        body: response.finish(),
        wrote,
    }
}
