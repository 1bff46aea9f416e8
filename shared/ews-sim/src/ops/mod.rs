//! Operation handlers over the mailboxes. Each returns the operation's response element text; the
//! caller wraps it in an envelope. All run under the mailbox lock, so each request is atomic.

mod access;
mod create_item;
mod delete_item;
mod find_item;
mod get_folder;
mod get_item;
mod resolve_names;
mod sync_folder_items;
mod update_item;

use chrono_tz::Tz;

use crate::config::SimUser;
use crate::mailbox::Mailbox;
use crate::request::Operation;
use crate::response_code::{EwsError, ResponseCode};
use crate::soap::response::{ResponseBody, ResponseBuilder};
use crate::version::{SchemaVersion, ServerVersion};

/// Everything an operation needs besides the mailboxes.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// All configured users (index = mailbox index).
    pub users: &'a [SimUser],
    /// The mailbox owner the request acts as (the caller, or the impersonated user).
    pub acting_as: usize,
    /// The request's schema version.
    pub requested: SchemaVersion,
    /// The product being simulated.
    pub server: ServerVersion,
    /// TimeZoneContext, for naive date-times.
    pub time_zone: Option<Tz>,
    /// Key that signs SyncStates.
    pub sync_key: &'a [u8; 32],
    /// EWSFindCountLimit.
    pub find_count_limit: usize,
    /// Refuse this request's SyncState (fault switch already consumed).
    pub refuse_sync_state: bool,
}

/// The result of running an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The operation response element.
    pub body: ResponseBody,
    /// At least one write was committed.
    pub wrote: bool,
}

impl Outcome {
    fn read(body: ResponseBody) -> Self {
        Self { body, wrote: false }
    }
}

/// Runs an operation.
pub fn execute(operation: &Operation, context: &Context<'_>, mailboxes: &mut [Mailbox]) -> Outcome {
    match operation {
        Operation::GetFolder { shape, folders } => {
            Outcome::read(get_folder::run(context, mailboxes, shape, folders))
        }
        Operation::SyncFolderItems {
            shape,
            folder,
            state,
            ignore,
            max_changes,
        } => Outcome::read(sync_folder_items::run(
            context,
            mailboxes,
            shape,
            folder,
            state.as_deref(),
            ignore,
            *max_changes,
        )),
        Operation::GetItem { shape, items } => {
            Outcome::read(get_item::run(context, mailboxes, shape, items))
        }
        Operation::FindItem {
            shape,
            view,
            restriction,
            sort,
            folders,
        } => Outcome::read(find_item::run(
            context,
            mailboxes,
            shape,
            view,
            restriction.as_ref(),
            sort,
            folders,
        )),
        Operation::CreateItem {
            send_invitations,
            saved_folder,
            items,
        } => create_item::run(
            context,
            mailboxes,
            send_invitations.as_deref(),
            saved_folder.as_ref(),
            items,
        ),
        Operation::UpdateItem {
            conflict,
            send,
            changes,
        } => update_item::run(context, mailboxes, *conflict, send.as_deref(), changes),
        Operation::DeleteItem {
            send_cancellations,
            items,
            ..
        } => delete_item::run(context, mailboxes, send_cancellations.as_deref(), items),
        Operation::ResolveNames { entry } => Outcome::read(resolve_names::run(context, entry)),
        Operation::Unsupported(name) => {
            // GetUserAvailabilityRequest answers as GetUserAvailabilityResponse.
            let mut response = ResponseBuilder::new(name.strip_suffix("Request").unwrap_or(name));
            response.error_message(
                &EwsError::new(ResponseCode::ErrorInvalidOperation).with_message(format!(
                    "The {name} operation is not available on this server."
                )),
            );
            Outcome::read(response.finish())
        }
    }
}
