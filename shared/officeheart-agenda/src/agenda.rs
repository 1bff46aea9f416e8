//! [`OfficeHeartAgenda`]: one user's OfficeHeart agenda as the engine's `Agenda` port.

use async_trait::async_trait;
use ohsync_engine::appointment::Appointment;
use ohsync_engine::identity::{AgendaVersion, ExchangeUid, OfficeHeartId};
use ohsync_engine::ports::{
    Agenda, AgendaChangePage, AgendaCursor, AgendaError, AgendaItem, AgendaListingPage,
    Continuation, ListingToken, NewAgendaItem,
};
use ohsync_engine::window::WindowBounds;
use ohsync_officeheart::{
    Cursor, IdempotencyKey, OfficeHeartClient, OfficeHeartError, TimeWindow, UserId,
};

use crate::convert::{agenda_item, change_page, wire_data, wire_id, wire_version};
use crate::listing::ListingPosition;

/// Changes and appointments per page; the contract's largest page keeps a first sync to few calls.
const PAGE_LIMIT: u32 = 500;

/// One OfficeHeart user's agenda, reached through a tenant's client.
#[derive(Debug, Clone)]
pub struct OfficeHeartAgenda {
    client: OfficeHeartClient,
    user: UserId,
}

impl OfficeHeartAgenda {
    /// The agenda of `user`, through `client` (which carries the tenant and its token).
    pub fn new(client: OfficeHeartClient, user: UserId) -> Self {
        Self { client, user }
    }
}

#[async_trait]
impl Agenda for OfficeHeartAgenda {
    async fn changes(&self, since: &AgendaCursor) -> Result<AgendaChangePage, AgendaError> {
        let cursor = wire_cursor(since)?;
        let page = self
            .client
            .list_changes(&self.user, Some(&cursor), Some(PAGE_LIMIT))
            .await
            .map_err(agenda_error)?;
        change_page(page)
    }

    async fn list_window(
        &self,
        window: &WindowBounds,
        page: Option<&ListingToken>,
    ) -> Result<AgendaListingPage, AgendaError> {
        let time_window = TimeWindow::new(window.start, window.end)
            .map_err(|_| AgendaError::Invalid("the sync window is empty".to_owned()))?;
        let position = page.map(ListingPosition::parse).transpose()?;
        let listed = self
            .client
            .list_appointments(
                &self.user,
                &time_window,
                position.as_ref().map(|position| &position.next_page),
                Some(PAGE_LIMIT),
            )
            .await
            .map_err(agenda_error)?;
        let first_feed_cursor = position
            .map(|position| position.first_feed_cursor)
            .unwrap_or(listed.feed_cursor);
        let items = listed
            .appointments
            .into_iter()
            .map(agenda_item)
            .collect::<Result<_, _>>()?;
        let continuation = match listed.next_page_token {
            Some(next_page) => Continuation::NextPage(
                ListingPosition {
                    first_feed_cursor,
                    next_page,
                }
                .token(),
            ),
            None => Continuation::Done(AgendaCursor(first_feed_cursor.to_string())),
        };
        Ok(AgendaListingPage {
            items,
            continuation,
        })
    }

    async fn get(&self, id: &OfficeHeartId) -> Result<Option<AgendaItem>, AgendaError> {
        match self.client.get_appointment(&self.user, &wire_id(id)?).await {
            Ok(appointment) => agenda_item(appointment).map(Some),
            Err(OfficeHeartError::NotFound { .. }) => Ok(None),
            Err(error) => Err(agenda_error(error)),
        }
    }

    async fn create(&self, item: &NewAgendaItem) -> Result<AgendaItem, AgendaError> {
        let key = IdempotencyKey::new(item.idempotency_key.as_str())
            .map_err(|error| AgendaError::Invalid(format!("idempotency key: {error}")))?;
        let data = wire_data(&item.appointment, Some(&item.external_ref))?;
        let created = self
            .client
            .create_appointment(&self.user, &key, &data)
            .await
            .map_err(agenda_error)?;
        agenda_item(created.appointment)
    }

    async fn update(
        &self,
        id: &OfficeHeartId,
        expected: &AgendaVersion,
        appointment: &Appointment,
        external_ref: &ExchangeUid,
    ) -> Result<AgendaItem, AgendaError> {
        let data = wire_data(appointment, Some(external_ref))?;
        let updated = self
            .client
            .update_appointment(&self.user, &wire_id(id)?, &wire_version(expected)?, &data)
            .await
            .map_err(agenda_error)?;
        agenda_item(updated)
    }

    async fn delete(
        &self,
        id: &OfficeHeartId,
        expected: &AgendaVersion,
    ) -> Result<(), AgendaError> {
        self.client
            .delete_appointment(&self.user, &wire_id(id)?, &wire_version(expected)?)
            .await
            .map_err(agenda_error)
    }
}

fn wire_cursor(cursor: &AgendaCursor) -> Result<Cursor, AgendaError> {
    Cursor::new(cursor.0.as_str())
        .map_err(|error| AgendaError::Invalid(format!("stored cursor: {error}")))
}

/// The engine's reading of a client error: what the run can act on.
fn agenda_error(error: OfficeHeartError) -> AgendaError {
    match error {
        OfficeHeartError::CursorExpired { .. } => AgendaError::CursorExpired,
        OfficeHeartError::VersionMismatch { .. } => AgendaError::VersionConflict,
        OfficeHeartError::NotFound { .. } => AgendaError::NotFound,
        OfficeHeartError::Unauthorized { .. } | OfficeHeartError::Forbidden { .. } => {
            AgendaError::Unauthorized
        }
        other if other.is_retryable() || other.is_outcome_unknown() => {
            AgendaError::Unavailable(other.to_string())
        }
        other => match http_status(&other) {
            Some(status) => AgendaError::Rejected {
                status,
                message: other.to_string(),
            },
            // An answer too large or not as the contract says: no status refused anything.
            None => AgendaError::Invalid(other.to_string()),
        },
    }
}

/// The HTTP status behind a refusal; none when the refusal did not come from the server.
fn http_status(error: &OfficeHeartError) -> Option<u16> {
    match error {
        OfficeHeartError::IdempotencyKeyReused { .. } => Some(422),
        OfficeHeartError::Rejected { status, .. }
        | OfficeHeartError::Server { status, .. }
        | OfficeHeartError::UnexpectedStatus { status, .. } => Some(*status),
        _ => None,
    }
}
