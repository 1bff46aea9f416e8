//! A fake Exchange calendar: ChangeKeys change on every write, the sync state is a position in
//! a change log, tags can be searched, writes are conditional on the ChangeKey. Like
//! SyncFolderItems, a change page reports the net change of each item since the position:
//! an item created and deleted after it is not reported at all.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::clock::FakeClock;
use super::faults::{Faults, RequestCounter, lock};
use crate::appointment::Appointment;
use crate::identity::{ChangeKey, ExchangeItemId, ExchangeItemKey, ExchangeUid, OhsyncTag};
use crate::ports::{
    Clock, Continuation, CreateOutcome, DeleteOutcome, ExchangeItem, ExchangeUpdate, ItemReadError,
    ItemSummary, ListingToken, Mailbox, MailboxChange, MailboxChangePage, MailboxError,
    MailboxListingPage, MailboxSyncState, NewExchangeItem, UpdateOutcome,
};
use crate::series::{Recurrence, Series};
use crate::window::WindowBounds;

#[derive(Debug, Clone)]
struct StoredItem {
    uid: ExchangeUid,
    change_key: ChangeKey,
    tag: Option<OhsyncTag>,
    appointment: Appointment,
    last_modified: DateTime<Utc>,
    unfinished: bool,
}

#[derive(Debug)]
struct LogEntry {
    id: ExchangeItemId,
    exists_after: bool,
}

#[derive(Debug)]
struct MailboxState {
    items: BTreeMap<ExchangeItemId, StoredItem>,
    /// Every write, in order: the item and whether it exists after the write. The sync state
    /// is a position in it.
    log: Vec<LogEntry>,
    /// Tags of items that existed once (for tests that trace lineage after deletions).
    graveyard: Vec<(ExchangeUid, Option<OhsyncTag>)>,
    next_id: u64,
    page_size: usize,
    /// Sync states carry the generation they were issued in; only the current one is
    /// accepted.
    generation: u64,
    invalid_listing_pages: u32,
    writes_before_next_write: Vec<UserWrite>,
    read_after_write: ReadAfterWrite,
}

/// Whether a change read that follows an engine write is to fail (a lost confirming read).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReadAfterWrite {
    Answers,
    FailsAfterNextWrite,
    FailsNext,
}

/// A user's write that lands just before the engine's next update or delete.
#[derive(Debug)]
enum UserWrite {
    Edit(ExchangeItemId, Appointment),
    DeleteTagged(OhsyncTag),
}

/// A fake calendar folder.
#[derive(Debug)]
pub struct FakeMailbox {
    state: Mutex<MailboxState>,
    clock: Arc<FakeClock>,
    faults: Arc<Faults>,
    /// Requests per operation.
    pub requests: RequestCounter,
}

const SYNC_PREFIX: &str = "fake-sync:";

fn crashed() -> MailboxError {
    MailboxError::Unavailable("injected crash: connection lost".into())
}

impl FakeMailbox {
    /// An empty calendar.
    pub fn new(clock: Arc<FakeClock>, faults: Arc<Faults>) -> Self {
        Self {
            state: Mutex::new(MailboxState {
                items: BTreeMap::new(),
                log: Vec::new(),
                graveyard: Vec::new(),
                next_id: 1,
                page_size: 512,
                generation: 0,
                invalid_listing_pages: 0,
                writes_before_next_write: Vec::new(),
                read_after_write: ReadAfterWrite::Answers,
            }),
            clock,
            faults,
            requests: RequestCounter::default(),
        }
    }

    /// Sets how many changes or listed items one page holds.
    pub fn set_page_size(&self, size: usize) {
        lock(&self.state).page_size = size.max(1);
    }

    /// Every sync state issued so far is refused from now on (`InvalidSyncState`).
    pub fn invalidate_sync_state(&self) {
        lock(&self.state).generation += 1;
    }

    /// The next `times` listing pages asked for with a page token answer `InvalidSyncState`
    /// (Exchange dropped the listing's intermediate sync state).
    pub fn invalidate_listing_pages(&self, times: u32) {
        lock(&self.state).invalid_listing_pages = times;
    }

    /// The first change read after the engine's next write fails once (the connection drops
    /// while the run confirms its own writes); `false` takes a switch not yet used back.
    pub fn fail_read_after_next_write(&self, fail: bool) {
        lock(&self.state).read_after_write = if fail {
            ReadAfterWrite::FailsAfterNextWrite
        } else {
            ReadAfterWrite::Answers
        };
    }

    /// A user edits `id` just before the engine's next update or delete reaches the server.
    pub fn edit_before_next_write(&self, id: &ExchangeItemId, appointment: Appointment) {
        lock(&self.state)
            .writes_before_next_write
            .push(UserWrite::Edit(id.clone(), appointment));
    }

    /// A user deletes the item tagged `tag` just before the engine's next update or delete
    /// reaches the server (an item the run itself has just created).
    pub fn delete_tagged_before_next_write(&self, tag: &OhsyncTag) {
        lock(&self.state)
            .writes_before_next_write
            .push(UserWrite::DeleteTagged(tag.clone()));
    }

    /// An ohsync write of a series stopped half way on `id` — in a run whose positions were
    /// stored anyway (its error was not one to retry): the item holds `first_half`, marked
    /// unfinished, under a new ChangeKey.
    pub fn leave_unfinished(&self, id: &ExchangeItemId, first_half: Appointment) -> bool {
        let now = self.clock.now();
        let mut state = lock(&self.state);
        let written = state.rewrite(id, first_half, now);
        state.mark_unfinished(id);
        written
    }

    /// A user creates an item (in Outlook).
    pub fn user_create(&self, appointment: Appointment) -> ExchangeItemKey {
        let now = self.clock.now();
        let mut state = lock(&self.state);
        state.insert(None, appointment, now)
    }

    /// A user edits an item; false when it does not exist.
    pub fn user_update(&self, id: &ExchangeItemId, appointment: Appointment) -> bool {
        let now = self.clock.now();
        lock(&self.state).rewrite(id, appointment, now)
    }

    /// A user deletes an item; false when it does not exist.
    pub fn user_delete(&self, id: &ExchangeItemId) -> bool {
        lock(&self.state).remove(id)
    }

    /// A user moves an item out of the folder and back: a new ItemId, the same UID and tag.
    pub fn user_move(&self, id: &ExchangeItemId) -> Option<ExchangeItemId> {
        let now = self.clock.now();
        let mut state = lock(&self.state);
        let item = state.items.remove(id)?;
        state.record(id, false);
        let new_id = ExchangeItemId::generated(format!("AAMkItem{}", state.next_id));
        state.next_id += 1;
        let change_key = state.fresh_change_key();
        state.items.insert(
            new_id.clone(),
            StoredItem {
                change_key,
                last_modified: now,
                ..item
            },
        );
        state.record(&new_id, true);
        Some(new_id)
    }

    /// Every item in the folder.
    pub fn items(&self) -> Vec<ExchangeItem> {
        let state = lock(&self.state);
        state
            .items
            .iter()
            .map(|(id, item)| item.to_item(id))
            .collect()
    }

    /// UID and tag of every item that ever existed, deleted ones included.
    pub fn all_identities(&self) -> Vec<(ExchangeUid, Option<OhsyncTag>)> {
        let state = lock(&self.state);
        let mut all = state.graveyard.clone();
        all.extend(
            state
                .items
                .values()
                .map(|item| (item.uid.clone(), item.tag.clone())),
        );
        all
    }

    async fn enter(&self, operation: &'static str) -> Result<(), MailboxError> {
        self.faults.checkpoint().await;
        self.requests.hit(operation);
        self.faults.alive().map_err(|_| crashed())
    }

    /// Enters a write: arms a change read that is to fail after it.
    async fn enter_write(&self, operation: &'static str) -> Result<(), MailboxError> {
        self.enter(operation).await?;
        let mut state = lock(&self.state);
        if state.read_after_write == ReadAfterWrite::FailsAfterNextWrite {
            state.read_after_write = ReadAfterWrite::FailsNext;
        }
        Ok(())
    }
}

/// What the first request of a series write with exceptions leaves, as EWS writes it: the
/// series with its rule and no exceptions (setting a rule drops them). `None` for anything
/// written in one request.
fn first_half(appointment: &Appointment) -> Option<Appointment> {
    let Some(Recurrence::Series(series)) = &appointment.recurrence else {
        return None;
    };
    if series.exceptions().is_empty() {
        return None;
    }
    let first = appointment.schedule.first_date(appointment.time_zone);
    let bare = Series::new(series.rule().clone(), first, [])?;
    Some(Appointment {
        recurrence: Some(Recurrence::Series(bare)),
        ..appointment.clone()
    })
}

impl FakeMailbox {
    /// The rest of a series write after its first request: the exceptions and the marker
    /// taken off, after which the item is whole.
    fn second_half(
        &self,
        id: &ExchangeItemId,
        appointment: &Appointment,
        now: DateTime<Utc>,
    ) -> Result<ExchangeItemKey, MailboxError> {
        let mut state = lock(&self.state);
        state.rewrite(id, appointment.clone(), now);
        state
            .items
            .get(id)
            .map(|item| item.to_item(id).key)
            .ok_or_else(crashed)
    }
}

impl StoredItem {
    fn to_item(&self, id: &ExchangeItemId) -> ExchangeItem {
        ExchangeItem {
            key: ExchangeItemKey {
                item_id: id.clone(),
                change_key: self.change_key.clone(),
                uid: self.uid.clone(),
            },
            tag: self.tag.clone(),
            last_modified: self.last_modified,
            appointment: self.appointment.clone(),
            unfinished: self.unfinished,
        }
    }
}

impl MailboxState {
    fn fresh_change_key(&mut self) -> ChangeKey {
        let key = ChangeKey::generated(format!("CK{}", self.next_id));
        self.next_id += 1;
        key
    }

    fn insert(
        &mut self,
        tag: Option<OhsyncTag>,
        appointment: Appointment,
        now: DateTime<Utc>,
    ) -> ExchangeItemKey {
        let number = self.next_id;
        self.next_id += 1;
        let id = ExchangeItemId::generated(format!("AAMkItem{number}"));
        let uid = ExchangeUid::generated(format!("040000008200E00074C5B7101A82E008{number:08X}"));
        let change_key = self.fresh_change_key();
        self.items.insert(
            id.clone(),
            StoredItem {
                uid: uid.clone(),
                change_key: change_key.clone(),
                tag,
                appointment,
                last_modified: now,
                unfinished: false,
            },
        );
        self.record(&id, true);
        ExchangeItemKey {
            item_id: id,
            change_key,
            uid,
        }
    }

    fn rewrite(
        &mut self,
        id: &ExchangeItemId,
        appointment: Appointment,
        now: DateTime<Utc>,
    ) -> bool {
        if !self.items.contains_key(id) {
            return false;
        }
        let change_key = self.fresh_change_key();
        if let Some(item) = self.items.get_mut(id) {
            item.appointment = appointment;
            item.change_key = change_key;
            item.last_modified = now;
            item.unfinished = false;
        }
        self.record(id, true);
        true
    }

    fn mark_unfinished(&mut self, id: &ExchangeItemId) {
        if let Some(item) = self.items.get_mut(id) {
            item.unfinished = true;
        }
    }

    fn remove(&mut self, id: &ExchangeItemId) -> bool {
        match self.items.remove(id) {
            Some(item) => {
                self.graveyard.push((item.uid, item.tag));
                self.record(id, false);
                true
            }
            None => false,
        }
    }

    fn record(&mut self, id: &ExchangeItemId, exists_after: bool) {
        self.log.push(LogEntry {
            id: id.clone(),
            exists_after,
        });
    }

    /// Whether `id` existed at log position `position`.
    fn existed_at(&self, id: &ExchangeItemId, position: usize) -> bool {
        self.log[..position]
            .iter()
            .rev()
            .find(|entry| &entry.id == id)
            .is_some_and(|entry| entry.exists_after)
    }

    /// The net change of `id` between `since` and now, as SyncFolderItems reports it:
    /// created or updated → the current item; deleted → a deletion; created and deleted
    /// since → nothing.
    fn net_change(&self, id: &ExchangeItemId, since: usize) -> Option<MailboxChange> {
        match (self.existed_at(id, since), self.items.get(id)) {
            (_, Some(item)) => Some(MailboxChange::Upserted(item.to_item(id).summary())),
            (true, None) => Some(MailboxChange::Deleted(id.clone())),
            (false, None) => None,
        }
    }

    /// Up to a page of net changes after `start`, each item once in the order of its latest
    /// write, and the position after the last write the page covers.
    fn change_page(&self, start: usize) -> (Vec<MailboxChange>, usize) {
        let latest: BTreeMap<&ExchangeItemId, usize> = self
            .log
            .iter()
            .enumerate()
            .map(|(index, entry)| (&entry.id, index))
            .collect();
        let mut changes = Vec::new();
        for (index, entry) in self.log.iter().enumerate().skip(start) {
            if changes.len() == self.page_size {
                return (changes, index);
            }
            if latest.get(&entry.id) == Some(&index) {
                changes.extend(self.net_change(&entry.id, start));
            }
        }
        (changes, self.log.len())
    }

    fn apply_user_edits(&mut self, now: DateTime<Utc>) {
        for write in std::mem::take(&mut self.writes_before_next_write) {
            match write {
                UserWrite::Edit(id, appointment) => {
                    self.rewrite(&id, appointment, now);
                }
                UserWrite::DeleteTagged(tag) => {
                    let tagged: Vec<ExchangeItemId> = self
                        .items
                        .iter()
                        .filter(|(_, item)| item.tag.as_ref() == Some(&tag))
                        .map(|(id, _)| id.clone())
                        .collect();
                    for id in tagged {
                        self.remove(&id);
                    }
                }
            }
        }
    }

    fn current_key(&self, id: &ExchangeItemId) -> Option<&ChangeKey> {
        self.items.get(id).map(|item| &item.change_key)
    }
}

impl MailboxState {
    fn sync_state(&self, position: usize) -> MailboxSyncState {
        MailboxSyncState(format!("{SYNC_PREFIX}{}:{position}", self.generation))
    }

    /// The log position a sync state names, when it is of the current generation.
    fn position(&self, sync_state: &MailboxSyncState) -> Option<usize> {
        let (generation, position) = sync_state.0.strip_prefix(SYNC_PREFIX)?.split_once(':')?;
        let position = position.parse().ok()?;
        (generation.parse() == Ok(self.generation) && position <= self.log.len())
            .then_some(position)
    }
}

#[async_trait]
impl Mailbox for FakeMailbox {
    async fn changes(&self, since: &MailboxSyncState) -> Result<MailboxChangePage, MailboxError> {
        self.enter("changes").await?;
        let mut state = lock(&self.state);
        if state.read_after_write == ReadAfterWrite::FailsNext {
            state.read_after_write = ReadAfterWrite::Answers;
            return Err(MailboxError::Unavailable(
                "injected: connection lost while reading changes".into(),
            ));
        }
        let start = state
            .position(since)
            .ok_or(MailboxError::InvalidSyncState)?;
        let (changes, end) = state.change_page(start);
        Ok(MailboxChangePage {
            changes,
            sync_state: state.sync_state(end),
            more: end < state.log.len(),
        })
    }

    async fn list_window(
        &self,
        window: &WindowBounds,
        page: Option<&ListingToken>,
    ) -> Result<MailboxListingPage, MailboxError> {
        self.enter("list_window").await?;
        let mut state = lock(&self.state);
        if page.is_some() && state.invalid_listing_pages > 0 {
            state.invalid_listing_pages -= 1;
            return Err(MailboxError::InvalidSyncState);
        }
        // The token carries the log position taken when the listing began, and the offset.
        let (position, offset) = match page {
            Some(token) => token
                .0
                .split_once('@')
                .and_then(|(position, offset)| Some((position.parse().ok()?, offset.parse().ok()?)))
                .ok_or_else(|| MailboxError::Rejected {
                    code: "ErrorInvalidPaging".into(),
                    message: token.0.clone(),
                })?,
            None => (state.log.len(), 0usize),
        };
        let inside: Vec<ItemSummary> = state
            .items
            .iter()
            .map(|(id, item)| item.to_item(id).summary())
            .filter(|summary| window.overlaps(summary.start, summary.end))
            .collect();
        let end = (offset + state.page_size).min(inside.len());
        let items = inside.get(offset..end).unwrap_or_default().to_vec();
        let continuation = if end < inside.len() {
            Continuation::NextPage(ListingToken(format!("{position}@{end}")))
        } else {
            Continuation::Done(state.sync_state(position))
        };
        Ok(MailboxListingPage {
            items,
            continuation,
        })
    }

    async fn get_items(
        &self,
        ids: &[ExchangeItemId],
    ) -> Result<Vec<Result<ExchangeItem, ItemReadError>>, MailboxError> {
        self.enter("get_items").await?;
        let state = lock(&self.state);
        Ok(ids
            .iter()
            .map(|id| {
                state
                    .items
                    .get(id)
                    .map(|item| item.to_item(id))
                    .ok_or(ItemReadError::NotFound)
            })
            .collect())
    }

    async fn find_by_tags(&self, tags: &[OhsyncTag]) -> Result<Vec<ItemSummary>, MailboxError> {
        self.enter("find_by_tags").await?;
        let state = lock(&self.state);
        Ok(state
            .items
            .iter()
            .filter(|(_, item)| item.tag.as_ref().is_some_and(|tag| tags.contains(tag)))
            .map(|(id, item)| item.to_item(id).summary())
            .collect())
    }

    async fn find_by_uids(&self, uids: &[ExchangeUid]) -> Result<Vec<ItemSummary>, MailboxError> {
        self.enter("find_by_uids").await?;
        let state = lock(&self.state);
        Ok(state
            .items
            .iter()
            .filter(|(_, item)| uids.contains(&item.uid))
            .map(|(id, item)| item.to_item(id).summary())
            .collect())
    }

    async fn create_items(
        &self,
        items: &[NewExchangeItem],
    ) -> Result<Vec<CreateOutcome>, MailboxError> {
        self.enter_write("create_items").await?;
        let now = self.clock.now();
        let mut outcomes = Vec::new();
        for item in items {
            let Some(first_half) = first_half(&item.appointment) else {
                let key =
                    lock(&self.state).insert(Some(item.tag.clone()), item.appointment.clone(), now);
                self.faults.effect().map_err(|_| crashed())?;
                outcomes.push(CreateOutcome::Created(key));
                continue;
            };
            let key = {
                let mut state = lock(&self.state);
                let key = state.insert(Some(item.tag.clone()), first_half, now);
                state.mark_unfinished(&key.item_id);
                key
            };
            self.faults.effect().map_err(|_| crashed())?;
            let key = self.second_half(&key.item_id, &item.appointment, now)?;
            self.faults.effect().map_err(|_| crashed())?;
            outcomes.push(CreateOutcome::Created(key));
        }
        Ok(outcomes)
    }

    async fn update_items(
        &self,
        updates: &[ExchangeUpdate],
    ) -> Result<Vec<UpdateOutcome>, MailboxError> {
        self.enter_write("update_items").await?;
        let now = self.clock.now();
        lock(&self.state).apply_user_edits(now);
        let mut outcomes = Vec::new();
        for update in updates {
            let outcome = {
                let mut state = lock(&self.state);
                match state.current_key(&update.key.item_id) {
                    None => UpdateOutcome::NotFound,
                    Some(current) if current != &update.key.change_key => UpdateOutcome::Conflict,
                    Some(_) => match first_half(&update.appointment) {
                        None => {
                            state.rewrite(&update.key.item_id, update.appointment.clone(), now);
                            let Some(item) = state.items.get(&update.key.item_id) else {
                                return Err(crashed());
                            };
                            UpdateOutcome::Updated(item.to_item(&update.key.item_id).key)
                        }
                        Some(first_half) => {
                            state.rewrite(&update.key.item_id, first_half, now);
                            state.mark_unfinished(&update.key.item_id);
                            drop(state);
                            self.faults.effect().map_err(|_| crashed())?;
                            let key =
                                self.second_half(&update.key.item_id, &update.appointment, now)?;
                            UpdateOutcome::Updated(key)
                        }
                    },
                }
            };
            if matches!(outcome, UpdateOutcome::Updated(_)) {
                self.faults.effect().map_err(|_| crashed())?;
            }
            outcomes.push(outcome);
        }
        Ok(outcomes)
    }

    async fn delete_items(
        &self,
        keys: &[ExchangeItemKey],
    ) -> Result<Vec<DeleteOutcome>, MailboxError> {
        self.enter_write("delete_items").await?;
        let now = self.clock.now();
        lock(&self.state).apply_user_edits(now);
        let mut outcomes = Vec::new();
        for key in keys {
            let outcome = {
                let mut state = lock(&self.state);
                match state.current_key(&key.item_id) {
                    None => DeleteOutcome::NotFound,
                    Some(current) if current != &key.change_key => DeleteOutcome::Conflict,
                    Some(_) => {
                        state.remove(&key.item_id);
                        DeleteOutcome::Deleted
                    }
                }
            };
            if outcome == DeleteOutcome::Deleted {
                self.faults.effect().map_err(|_| crashed())?;
            }
            outcomes.push(outcome);
        }
        Ok(outcomes)
    }
}
