//! From an authenticated SOAP body to a SOAP reply: envelope, version rules, impersonation, counting,
//! the ErrorServerBusy switch, and the operation itself.

use crate::config::SimUser;
use crate::ops::{self, Context};
use crate::request::Operation;
use crate::request::error::RequestError;
use crate::response_code::{EwsError, ResponseCode};
use crate::soap::envelope::{self, ImpersonationTarget, RequestHeader};
use crate::soap::response;
use crate::state::Shared;
use crate::time::windows_zone;
use crate::version::SchemaVersion;

/// A SOAP reply body and whether it is a fault (HTTP 500) or not (HTTP 200).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SoapReply {
    /// HTTP 200.
    Success(String),
    /// HTTP 500.
    Fault(String),
}

/// What the HTTP layer needs after dispatching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dispatched {
    /// The reply.
    pub reply: SoapReply,
    /// Operation name for the log (`-` when the body was unreadable).
    pub operation: String,
    /// Close the socket without answering (a write was committed and the switch is on).
    pub drop_connection: bool,
    /// Short outcome for the log.
    pub outcome: String,
}

fn fault(error: &EwsError, operation: &str) -> Dispatched {
    Dispatched {
        reply: SoapReply::Fault(response::fault(error)),
        operation: operation.to_owned(),
        drop_connection: false,
        outcome: error.code.as_str().to_owned(),
    }
}

fn requested_version(
    shared: &Shared,
    header: &RequestHeader,
) -> Result<SchemaVersion, RequestError> {
    let server = shared.config.server_version;
    let Some(text) = header.version.as_deref() else {
        return Ok(SchemaVersion::implied());
    };
    match SchemaVersion::parse(text) {
        Some(version) if version <= server.newest_schema() => Ok(version),
        _ => Err(server.refusal_code().into()),
    }
}

fn acting_user(
    users: &[SimUser],
    caller: usize,
    header: &RequestHeader,
) -> Result<usize, RequestError> {
    let Some(target) = &header.impersonation else {
        return Ok(caller);
    };
    if !users.get(caller).is_some_and(|user| user.can_impersonate) {
        return Err(ResponseCode::ErrorImpersonateUserDenied.into());
    }
    let found = match target {
        ImpersonationTarget::Smtp(address) => users
            .iter()
            .position(|user| user.smtp_address.eq_ignore_ascii_case(address)),
        ImpersonationTarget::PrincipalName(name) => {
            users.iter().position(|user| user.answers_to(name))
        }
        ImpersonationTarget::Sid(_) => None,
    };
    found.ok_or_else(|| ResponseCode::ErrorNonExistentMailbox.into())
}

/// Handles one authenticated SOAP request from user `caller`.
pub fn dispatch(shared: &Shared, caller: usize, body: &str) -> Dispatched {
    let request = match envelope::read(body) {
        Ok(request) => request,
        Err(error) => return fault(&error.to_ews_error(), "-"),
    };
    let requested = match requested_version(shared, &request.header) {
        Ok(version) => version,
        Err(error) => return fault(&error.to_ews_error(), &request.operation.name),
    };
    let operation = match Operation::parse(&request.operation) {
        Ok(operation) => operation,
        Err(error) => return fault(&error.to_ews_error(), &request.operation.name),
    };
    let name = operation.name().to_owned();
    shared.counters.record_operation(&name);
    if let Some(back_off) = shared.faults.take_server_busy() {
        let error = EwsError::new(ResponseCode::ErrorServerBusy)
            .with_value("BackOffMilliseconds", back_off.as_millis().to_string());
        return fault(&error, &name);
    }
    if shared.faults.take_operation_failure(&name) {
        return fault(
            &EwsError::new(ResponseCode::ErrorInternalServerError),
            &name,
        );
    }
    let users = &shared.config.users;
    let acting_as = match acting_user(users, caller, &request.header) {
        Ok(index) => index,
        Err(error) => return fault(&error.to_ews_error(), &name),
    };
    let refuse_sync_state = matches!(
        &operation,
        Operation::SyncFolderItems { state: Some(_), .. }
    ) && shared.faults.take_invalid_sync_state();
    let context = Context {
        users,
        acting_as,
        requested,
        server: shared.config.server_version,
        time_zone: request.header.time_zone.as_deref().and_then(windows_zone),
        sync_key: &shared.sync_key,
        find_count_limit: shared.config.find_count_limit,
        refuse_sync_state,
    };
    let outcome = match shared.mailboxes.lock() {
        Ok(mut mailboxes) => ops::execute(&operation, &context, &mut mailboxes),
        Err(_) => {
            return fault(
                &EwsError::new(ResponseCode::ErrorInternalServerError),
                &name,
            );
        }
    };
    let drop_connection =
        operation.is_write() && outcome.wrote && shared.faults.take_drop_after_write();
    Dispatched {
        outcome: if drop_connection {
            "committed, connection dropped".to_owned()
        } else {
            outcome
                .body
                .first_error
                .unwrap_or(ResponseCode::NoError)
                .as_str()
                .to_owned()
        },
        reply: SoapReply::Success(response::envelope(
            shared.config.server_version,
            requested,
            &outcome.body.xml,
        )),
        operation: name,
        drop_connection,
    }
}
