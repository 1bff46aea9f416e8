//! A fake OfficeHeart agenda: versions with If-Match, a change feed with cursors that can
//! expire, idempotency keys that replay the original answer.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::clock::FakeClock;
use super::faults::{Faults, RequestCounter, lock};
use crate::appointment::Appointment;
use crate::identity::{AgendaVersion, ExchangeUid, IdempotencyKey, OfficeHeartId};
use crate::ports::{
    Agenda, AgendaChange, AgendaChangePage, AgendaCursor, AgendaError, AgendaItem,
    AgendaListingPage, Clock, Continuation, ListingToken, NewAgendaItem,
};
use crate::window::WindowBounds;

#[derive(Debug, Clone)]
struct StoredAppointment {
    version: u64,
    updated_at: DateTime<Utc>,
    external_ref: Option<ExchangeUid>,
    appointment: Appointment,
    deleted: bool,
}

impl StoredAppointment {
    fn to_item(&self, id: &OfficeHeartId) -> AgendaItem {
        AgendaItem {
            id: id.clone(),
            version: AgendaVersion::generated(format!("v{}", self.version)),
            updated_at: self.updated_at,
            external_ref: self.external_ref.clone(),
            appointment: self.appointment.clone(),
        }
    }
}

#[derive(Debug)]
struct AgendaState {
    /// Deleted appointments stay as tombstones so the feed can report them.
    items: BTreeMap<OfficeHeartId, StoredAppointment>,
    log: Vec<OfficeHeartId>,
    replies: HashMap<IdempotencyKey, AgendaItem>,
    next_id: u64,
    page_size: usize,
    /// Cursors carry the epoch they were handed out in; expiring them starts a new epoch.
    cursor_epoch: u64,
    failing_reads: u32,
    edits_before_next_write: Vec<(OfficeHeartId, Appointment)>,
}

impl AgendaState {
    fn live(&self, id: &OfficeHeartId) -> Option<&StoredAppointment> {
        self.items.get(id).filter(|stored| !stored.deleted)
    }

    fn rewrite(
        &mut self,
        id: &OfficeHeartId,
        appointment: Appointment,
        now: DateTime<Utc>,
    ) -> bool {
        let Some(stored) = self.items.get_mut(id).filter(|stored| !stored.deleted) else {
            return false;
        };
        stored.version += 1;
        stored.appointment = appointment;
        stored.updated_at = now;
        self.log.push(id.clone());
        true
    }

    fn tombstone(&mut self, id: &OfficeHeartId, now: DateTime<Utc>) -> bool {
        let Some(stored) = self.items.get_mut(id).filter(|stored| !stored.deleted) else {
            return false;
        };
        stored.deleted = true;
        stored.version += 1;
        stored.updated_at = now;
        self.log.push(id.clone());
        true
    }

    fn insert(
        &mut self,
        appointment: Appointment,
        external_ref: Option<ExchangeUid>,
        now: DateTime<Utc>,
    ) -> AgendaItem {
        let id = OfficeHeartId::generated(format!("oh-{}", self.next_id));
        self.next_id += 1;
        let stored = StoredAppointment {
            version: 1,
            updated_at: now,
            external_ref,
            appointment,
            deleted: false,
        };
        let item = stored.to_item(&id);
        self.items.insert(id.clone(), stored);
        self.log.push(id);
        item
    }

    fn apply_user_edits(&mut self, now: DateTime<Utc>) {
        for (id, appointment) in std::mem::take(&mut self.edits_before_next_write) {
            self.rewrite(&id, appointment, now);
        }
    }

    fn check_version(
        &self,
        id: &OfficeHeartId,
        expected: &AgendaVersion,
    ) -> Result<(), AgendaError> {
        let stored = self.live(id).ok_or(AgendaError::NotFound)?;
        if stored.to_item(id).version == *expected {
            Ok(())
        } else {
            Err(AgendaError::VersionConflict)
        }
    }
}

/// A fake agenda of one user.
#[derive(Debug)]
pub struct FakeAgenda {
    state: Mutex<AgendaState>,
    clock: Arc<FakeClock>,
    faults: Arc<Faults>,
    /// Requests per operation.
    pub requests: RequestCounter,
}

const CURSOR_PREFIX: &str = "fake-cursor:";

fn crashed() -> AgendaError {
    AgendaError::Unavailable("injected crash: connection lost".into())
}

impl FakeAgenda {
    /// An empty agenda.
    pub fn new(clock: Arc<FakeClock>, faults: Arc<Faults>) -> Self {
        Self {
            state: Mutex::new(AgendaState {
                items: BTreeMap::new(),
                log: Vec::new(),
                replies: HashMap::new(),
                next_id: 1,
                page_size: 200,
                cursor_epoch: 0,
                failing_reads: 0,
                edits_before_next_write: Vec::new(),
            }),
            clock,
            faults,
            requests: RequestCounter::default(),
        }
    }

    /// Sets how many entries one page holds.
    pub fn set_page_size(&self, size: usize) {
        lock(&self.state).page_size = size.max(1);
    }

    /// Every cursor handed out so far expires (answers 410 Gone).
    pub fn expire_cursors(&self) {
        let mut state = lock(&self.state);
        state.cursor_epoch += 1;
    }

    /// The next `times` single-appointment reads (`get`) fail as unavailable.
    pub fn fail_next_reads(&self, times: u32) {
        lock(&self.state).failing_reads = times;
    }

    /// A user edits `id` just before the engine's next update or delete reaches the server.
    pub fn edit_before_next_write(&self, id: &OfficeHeartId, appointment: Appointment) {
        lock(&self.state)
            .edits_before_next_write
            .push((id.clone(), appointment));
    }

    /// A user creates an appointment in OfficeHeart.
    pub fn user_create(&self, appointment: Appointment) -> AgendaItem {
        let now = self.clock.now();
        lock(&self.state).insert(appointment, None, now)
    }

    /// A user edits an appointment; false when it does not exist.
    pub fn user_update(&self, id: &OfficeHeartId, appointment: Appointment) -> bool {
        let now = self.clock.now();
        lock(&self.state).rewrite(id, appointment, now)
    }

    /// A user deletes an appointment; false when it does not exist.
    pub fn user_delete(&self, id: &OfficeHeartId) -> bool {
        let now = self.clock.now();
        lock(&self.state).tombstone(id, now)
    }

    /// Every live appointment.
    pub fn items(&self) -> Vec<AgendaItem> {
        let state = lock(&self.state);
        state
            .items
            .iter()
            .filter(|(_, stored)| !stored.deleted)
            .map(|(id, stored)| stored.to_item(id))
            .collect()
    }

    /// Id and external ref of every appointment that ever existed, deleted ones included.
    pub fn all_identities(&self) -> Vec<(OfficeHeartId, Option<ExchangeUid>)> {
        let state = lock(&self.state);
        state
            .items
            .iter()
            .map(|(id, stored)| (id.clone(), stored.external_ref.clone()))
            .collect()
    }

    async fn enter(&self, operation: &'static str) -> Result<(), AgendaError> {
        self.faults.checkpoint().await;
        self.requests.hit(operation);
        self.faults.alive().map_err(|_| crashed())
    }

    fn effect(&self) -> Result<(), AgendaError> {
        self.faults.effect().map_err(|_| crashed())
    }
}

#[async_trait]
impl Agenda for FakeAgenda {
    async fn changes(&self, since: &AgendaCursor) -> Result<AgendaChangePage, AgendaError> {
        self.enter("changes").await?;
        let state = lock(&self.state);
        let (epoch, start) = since
            .0
            .strip_prefix(CURSOR_PREFIX)
            .and_then(|rest| rest.split_once('.'))
            .and_then(|(epoch, position)| {
                Some((epoch.parse::<u64>().ok()?, position.parse::<usize>().ok()?))
            })
            .filter(|(_, position)| *position <= state.log.len())
            .ok_or(AgendaError::Rejected {
                status: 400,
                message: format!("bad cursor {}", since.0),
            })?;
        if epoch < state.cursor_epoch {
            return Err(AgendaError::CursorExpired);
        }
        let end = (start + state.page_size).min(state.log.len());
        let mut seen = BTreeSet::new();
        let changes = state.log[start..end]
            .iter()
            .filter(|id| seen.insert((*id).clone()))
            .filter_map(|id| {
                let stored = state.items.get(id)?;
                Some(if stored.deleted {
                    AgendaChange::Deleted { id: id.clone() }
                } else {
                    AgendaChange::Upserted(stored.to_item(id))
                })
            })
            .collect();
        Ok(AgendaChangePage {
            changes,
            cursor: AgendaCursor(format!("{CURSOR_PREFIX}{}.{end}", state.cursor_epoch)),
            more: end < state.log.len(),
        })
    }

    async fn list_window(
        &self,
        window: &WindowBounds,
        page: Option<&ListingToken>,
    ) -> Result<AgendaListingPage, AgendaError> {
        self.enter("list_window").await?;
        let state = lock(&self.state);
        let (position, offset) = match page {
            Some(token) => token
                .0
                .split_once('@')
                .and_then(|(position, offset)| Some((position.parse().ok()?, offset.parse().ok()?)))
                .ok_or_else(|| AgendaError::Rejected {
                    status: 400,
                    message: format!("bad page token {}", token.0),
                })?,
            None => (state.log.len(), 0usize),
        };
        let inside: Vec<AgendaItem> = state
            .items
            .iter()
            .filter(|(_, stored)| !stored.deleted)
            .map(|(id, stored)| stored.to_item(id))
            .filter(|item| {
                let (start, end) = item.appointment.instants();
                window.overlaps(start, end)
            })
            .collect();
        let end = (offset + state.page_size).min(inside.len());
        let items = inside.get(offset..end).unwrap_or_default().to_vec();
        let continuation = if end < inside.len() {
            Continuation::NextPage(ListingToken(format!("{position}@{end}")))
        } else {
            Continuation::Done(AgendaCursor(format!(
                "{CURSOR_PREFIX}{}.{position}",
                state.cursor_epoch
            )))
        };
        Ok(AgendaListingPage {
            items,
            continuation,
        })
    }

    async fn get(&self, id: &OfficeHeartId) -> Result<Option<AgendaItem>, AgendaError> {
        self.enter("get").await?;
        let mut state = lock(&self.state);
        if state.failing_reads > 0 {
            state.failing_reads -= 1;
            return Err(AgendaError::Unavailable("injected read failure".into()));
        }
        Ok(state.live(id).map(|stored| stored.to_item(id)))
    }

    async fn create(&self, item: &NewAgendaItem) -> Result<AgendaItem, AgendaError> {
        self.enter("create").await?;
        let now = self.clock.now();
        let created = {
            let mut state = lock(&self.state);
            if let Some(reply) = state.replies.get(&item.idempotency_key) {
                return Ok(reply.clone());
            }
            let created = state.insert(
                item.appointment.clone(),
                Some(item.external_ref.clone()),
                now,
            );
            state
                .replies
                .insert(item.idempotency_key.clone(), created.clone());
            created
        };
        self.effect()?;
        Ok(created)
    }

    async fn update(
        &self,
        id: &OfficeHeartId,
        expected: &AgendaVersion,
        appointment: &Appointment,
        external_ref: &ExchangeUid,
    ) -> Result<AgendaItem, AgendaError> {
        self.enter("update").await?;
        let now = self.clock.now();
        let updated = {
            let mut state = lock(&self.state);
            state.apply_user_edits(now);
            state.check_version(id, expected)?;
            state.rewrite(id, appointment.clone(), now);
            if let Some(stored) = state.items.get_mut(id) {
                stored.external_ref = Some(external_ref.clone());
            }
            state
                .live(id)
                .map(|stored| stored.to_item(id))
                .ok_or(AgendaError::NotFound)?
        };
        self.effect()?;
        Ok(updated)
    }

    async fn delete(
        &self,
        id: &OfficeHeartId,
        expected: &AgendaVersion,
    ) -> Result<(), AgendaError> {
        self.enter("delete").await?;
        let now = self.clock.now();
        {
            let mut state = lock(&self.state);
            state.apply_user_edits(now);
            state.check_version(id, expected)?;
            state.tombstone(id, now);
        }
        self.effect()
    }
}
