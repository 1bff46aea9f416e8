//! Turning folder and item addresses into mailboxes, folders and items, with Exchange's errors:
//! malformed ids, unknown mailboxes, and mailboxes the caller has no rights to.

use super::Context;
use crate::mailbox::Mailbox;
use crate::mailbox::folders::{self, FolderDef};
use crate::mailbox::ids::{self, ItemAddress};
use crate::request::target::{FolderRef, ItemRef};
use crate::response_code::{EwsError, ResponseCode};
use crate::view::Owner;

/// A resolved item address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A stored item (single or master).
    Item {
        /// Mailbox index.
        mailbox: usize,
        /// Item key.
        key: u64,
    },
    /// One instance of a master.
    Occurrence {
        /// Mailbox index.
        mailbox: usize,
        /// The master's key.
        master: u64,
        /// Instance index.
        index: u32,
    },
}

impl Target {
    /// The mailbox index.
    pub fn mailbox(self) -> usize {
        match self {
            Self::Item { mailbox, .. } | Self::Occurrence { mailbox, .. } => mailbox,
        }
    }
}

/// May the acting user use mailbox `index`?
fn check_access(context: &Context<'_>, index: usize) -> Result<usize, EwsError> {
    let actor = context
        .users
        .get(context.acting_as)
        .ok_or(ResponseCode::ErrorAccessDenied)?;
    let target = context
        .users
        .get(index)
        .ok_or(ResponseCode::ErrorNonExistentMailbox)?;
    let granted = index == context.acting_as
        || actor
            .delegate_access
            .iter()
            .any(|address| address.eq_ignore_ascii_case(&target.smtp_address));
    if granted {
        Ok(index)
    } else {
        Err(EwsError::new(ResponseCode::ErrorAccessDenied))
    }
}

fn mailbox_by_guid(mailboxes: &[Mailbox], guid: uuid::Uuid) -> Option<usize> {
    mailboxes
        .iter()
        .position(|mailbox| mailbox.identity.guid == guid)
}

/// The mailbox owning an SMTP address.
pub fn mailbox_by_address(context: &Context<'_>, address: &str) -> Option<usize> {
    context
        .users
        .iter()
        .position(|user| user.smtp_address.eq_ignore_ascii_case(address.trim()))
}

/// Resolves a folder address to (mailbox index, folder).
pub fn resolve_folder(
    context: &Context<'_>,
    mailboxes: &[Mailbox],
    folder: &FolderRef,
) -> Result<(usize, &'static FolderDef), EwsError> {
    match folder {
        FolderRef::Distinguished { name, mailbox } => {
            let index = match mailbox {
                Some(address) => {
                    let found = mailbox_by_address(context, address).ok_or_else(|| {
                        EwsError::new(ResponseCode::ErrorNonExistentMailbox)
                            .with_value("SmtpAddress", address.clone())
                    })?;
                    check_access(context, found)?
                }
                None => context.acting_as,
            };
            let def = folders::by_name(name).ok_or(ResponseCode::ErrorFolderNotFound)?;
            Ok((index, def))
        }
        FolderRef::Id(id) => {
            let (guid, number) =
                ids::parse_folder_id(id).map_err(|_| ResponseCode::ErrorInvalidIdMalformed)?;
            let index =
                mailbox_by_guid(mailboxes, guid).ok_or(ResponseCode::ErrorFolderNotFound)?;
            let index = check_access(context, index)?;
            let def = folders::by_number(number).ok_or(ResponseCode::ErrorFolderNotFound)?;
            Ok((index, def))
        }
    }
}

fn locate(
    context: &Context<'_>,
    mailboxes: &[Mailbox],
    id: &str,
) -> Result<(usize, ItemAddress), EwsError> {
    let address = ids::parse_item_id(id).map_err(|_| ResponseCode::ErrorInvalidIdMalformed)?;
    let guid = match address {
        ItemAddress::Item { mailbox, .. } | ItemAddress::Occurrence { mailbox, .. } => mailbox,
    };
    let index = mailbox_by_guid(mailboxes, guid).ok_or(ResponseCode::ErrorItemNotFound)?;
    Ok((check_access(context, index)?, address))
}

/// Resolves an item address; the item (or master) must exist.
pub fn resolve_item(
    context: &Context<'_>,
    mailboxes: &[Mailbox],
    item: &ItemRef,
) -> Result<Target, EwsError> {
    let target = match item {
        ItemRef::Id { id, .. } => match locate(context, mailboxes, id)? {
            (mailbox, ItemAddress::Item { key, .. }) => Target::Item { mailbox, key },
            (mailbox, ItemAddress::Occurrence { master, index, .. }) => Target::Occurrence {
                mailbox,
                master,
                index,
            },
        },
        ItemRef::Occurrence {
            master_id, index, ..
        } => match locate(context, mailboxes, master_id)? {
            (mailbox, ItemAddress::Item { key, .. }) => Target::Occurrence {
                mailbox,
                master: key,
                index: *index,
            },
            (_, ItemAddress::Occurrence { .. }) => {
                return Err(ResponseCode::ErrorItemNotFound.into());
            }
        },
        ItemRef::Master { occurrence_id, .. } => match locate(context, mailboxes, occurrence_id)? {
            (mailbox, ItemAddress::Occurrence { master, .. }) => Target::Item {
                mailbox,
                key: master,
            },
            (_, ItemAddress::Item { .. }) => return Err(ResponseCode::ErrorItemNotFound.into()),
        },
    };
    let (mailbox, key, needs_master) = match target {
        Target::Item { mailbox, key } => (mailbox, key, false),
        Target::Occurrence {
            mailbox, master, ..
        } => (mailbox, master, true),
    };
    let item = mailboxes
        .get(mailbox)
        .and_then(|mailbox| mailbox.items.get(&key))
        .ok_or(ResponseCode::ErrorItemNotFound)?;
    if needs_master && !item.is_master() {
        return Err(ResponseCode::ErrorItemNotFound.into());
    }
    Ok(target)
}

/// The owner view of mailbox `index`.
pub fn owner<'a>(
    context: &Context<'a>,
    mailboxes: &'a [Mailbox],
    index: usize,
) -> Option<Owner<'a>> {
    let mailbox = mailboxes.get(index)?;
    let user = context.users.get(mailbox.owner)?;
    Some(Owner {
        identity: &mailbox.identity,
        user,
    })
}
