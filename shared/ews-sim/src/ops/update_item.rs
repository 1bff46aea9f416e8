//! UpdateItem: Set/Append/DeleteItemField with Exchange's ChangeKey rules (EWS-NOTES §4), on items
//! and on single instances of a series (which become exceptions).

use chrono::Utc;

use super::access::{Target, resolve_item};
use super::get_item::view_of;
use super::{Context, Outcome};
use crate::edit::{Edit, field_uri};
use crate::instance_edit::InstanceEdit;
use crate::mailbox::Mailbox;
use crate::mailbox::ids::parse_change_key;
use crate::mailbox::item::{PropertyPath, StoredItem};
use crate::render::write_id_only;
use crate::request::properties::ItemProperties;
use crate::request::{ConflictResolution, ItemChange, Update};
use crate::response_code::{EwsError, ResponseCode};
use crate::soap::response::ResponseBuilder;

/// Which version of the item the client's edits were based on.
enum Basis {
    /// The client's key is current (or AlwaysOverwrite): apply everything.
    Current,
    /// The client saw change number `seen`; changes made since then win (AutoResolve).
    Stale(u64),
}

fn basis(
    conflict: ConflictResolution,
    change_key: Option<&str>,
    item: &StoredItem,
) -> Result<Basis, EwsError> {
    let Some(text) = change_key else {
        return match conflict {
            ConflictResolution::AlwaysOverwrite => Ok(Basis::Current),
            _ => Err(ResponseCode::ErrorChangeKeyRequiredForWriteOperations.into()),
        };
    };
    let seen = parse_change_key(text).map_err(|_| ResponseCode::ErrorInvalidChangeKey)?;
    if seen == item.version {
        return Ok(Basis::Current);
    }
    match conflict {
        ConflictResolution::NeverOverwrite => Err(ResponseCode::ErrorIrresolvableConflict.into()),
        ConflictResolution::AutoResolve => Ok(Basis::Stale(seen)),
        ConflictResolution::AlwaysOverwrite => Ok(Basis::Current),
    }
}

/// The single property an update's item element must carry, and that it matches the path.
fn single_value(
    path: &PropertyPath,
    value: &ItemProperties,
) -> Result<crate::xml::Element, EwsError> {
    if value.property_count() != 1 {
        return Err(ResponseCode::ErrorIncorrectUpdatePropertyCount.into());
    }
    match (path, value.fields.first()) {
        (PropertyPath::Field(index), Some((found, element))) if found == index => {
            Ok(element.clone())
        }
        (PropertyPath::Field(index), _) => Err(EwsError::new(
            ResponseCode::ErrorIncorrectUpdatePropertyCount,
        )
        .with_value("FieldURI", field_uri(*index))),
        _ => Err(ResponseCode::ErrorIncorrectUpdatePropertyCount.into()),
    }
}

/// Applies one update; returns false when AutoResolve skipped it as a conflict.
fn apply(edit: &mut Edit, update: &Update, basis: &Basis) -> Result<bool, EwsError> {
    let path = match update {
        Update::Set { path, .. } | Update::Append { path, .. } | Update::Delete { path } => path,
    };
    if let Basis::Stale(seen) = basis
        && edit.item().changed_since(path, *seen)
    {
        return Ok(false);
    }
    match (update, path) {
        (Update::Set { value, .. }, PropertyPath::Extended(uri)) => {
            let found = value
                .extended
                .iter()
                .find(|(candidate, _)| candidate == uri);
            match found {
                Some((_, new_value)) if value.property_count() == 1 => {
                    edit.set_extended(uri.clone(), new_value.clone())
                }
                _ => return Err(ResponseCode::ErrorIncorrectUpdatePropertyCount.into()),
            }
        }
        (Update::Delete { .. }, PropertyPath::Extended(uri)) => edit.delete_extended(uri),
        (Update::Set { value, .. }, PropertyPath::Field(index)) => {
            edit.set(*index, single_value(path, value)?)?
        }
        (Update::Append { value, .. }, PropertyPath::Field(index)) => {
            edit.append(*index, single_value(path, value)?)?
        }
        (Update::Delete { .. }, PropertyPath::Field(index)) => edit.delete(*index)?,
        (Update::Append { .. }, PropertyPath::Extended(_)) => {
            return Err(ResponseCode::ErrorInvalidPropertyAppend.into());
        }
        (_, PropertyPath::Absent(uri)) => {
            let code = match update {
                Update::Delete { .. } => ResponseCode::ErrorInvalidPropertyDelete,
                Update::Append { .. } => ResponseCode::ErrorInvalidPropertyAppend,
                Update::Set { .. } => ResponseCode::ErrorInvalidPropertySet,
            };
            return Err(EwsError::new(code).with_value("FieldURI", uri.clone()));
        }
    }
    Ok(true)
}

/// Applies every update of one change; returns how many AutoResolve skipped as conflicts.
fn apply_all(edit: &mut Edit, updates: &[Update], basis: &Basis) -> Result<u32, EwsError> {
    let mut conflicts = 0;
    for update in updates {
        if !apply(edit, update, basis)? {
            conflicts += 1;
        }
    }
    Ok(conflicts)
}

/// Applies one change to an item or to one instance of a series (which writes the master);
/// returns the number of conflicts.
fn update_one(
    context: &Context<'_>,
    mailboxes: &mut [Mailbox],
    conflict: ConflictResolution,
    send: Option<&str>,
    change: &ItemChange,
) -> Result<u32, EwsError> {
    let (index, key, instance) = match resolve_item(context, mailboxes, &change.target)? {
        Target::Item { mailbox, key } => (mailbox, key, None),
        Target::Occurrence {
            mailbox,
            master,
            index,
        } => (mailbox, master, Some(index)),
    };
    if send.is_none() {
        return Err(ResponseCode::ErrorSendMeetingInvitationsOrCancellationsRequired.into());
    }
    let actor = context
        .users
        .get(context.acting_as)
        .map(|user| user.display_name.clone())
        .unwrap_or_default();
    let mailbox = mailboxes
        .get_mut(index)
        .ok_or(ResponseCode::ErrorItemNotFound)?;
    let current = mailbox
        .items
        .get(&key)
        .cloned()
        .ok_or(ResponseCode::ErrorItemNotFound)?;
    let change_number = mailbox.upcoming_change();
    let key_sent = change.target.change_key();
    let (updated, conflicts) = match instance {
        None => {
            let basis = basis(conflict, key_sent, &current)?;
            let mut edit = Edit::update(current, change_number, context.time_zone);
            let conflicts = apply_all(&mut edit, &change.updates, &basis)?;
            (edit.finish(Utc::now())?, conflicts)
        }
        Some(instance) => {
            // The instance must exist before its (shared) ChangeKey matters.
            let mut edit =
                InstanceEdit::begin(&current, instance, change_number, context.time_zone)?;
            let basis = basis(conflict, key_sent, &current)?;
            let conflicts = apply_all(edit.edit(), &change.updates, &basis)?;
            (edit.finish(Utc::now())?, conflicts)
        }
    };
    mailbox
        .replace(updated, Utc::now(), &actor)
        .ok_or(ResponseCode::ErrorItemNotFound)?;
    Ok(conflicts)
}

/// Runs UpdateItem.
pub fn run(
    context: &Context<'_>,
    mailboxes: &mut [Mailbox],
    conflict: ConflictResolution,
    send: Option<&str>,
    changes: &[ItemChange],
) -> Outcome {
    let mut response = ResponseBuilder::new("UpdateItem");
    let mut wrote = false;
    for change in changes {
        let updated = update_one(context, mailboxes, conflict, send, change);
        wrote |= updated.is_ok();
        // An occurrence answers with its own id and the master's new ChangeKey.
        match updated.and_then(|conflicts| {
            view_of(context, mailboxes, &change.target).map(|found| (found, conflicts))
        }) {
            Ok(((view, owner), conflicts)) => {
                let writer = response.success();
                writer.start("m:Items", &[]);
                write_id_only(writer, &view, owner);
                writer.end("m:Items");
                writer.start("m:ConflictResults", &[]);
                writer.leaf("t:Count", &conflicts.to_string());
                writer.end("m:ConflictResults");
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
