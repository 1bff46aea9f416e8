//! Carrying a plan out. Each pair's actions run in order; across pairs, writes are gathered per
//! kind so that Exchange gets one request per batch. A write that meets a newer version reads
//! that item again and the pair is decided anew — never a blind overwrite.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::Arc;

use super::confirm::ExchangeWrites;
use super::{RunOptions, RunProgress, Stop, SyncPorts, intents};
use crate::appointment::Appointment;
use crate::identity::{ExchangeItemId, ExchangeItemKey, ExchangeUid, OfficeHeartId};
use crate::ports::{
    AgendaChange, AgendaError, AgendaItem, BindingScope, Commit, CreateOutcome, DeleteOutcome,
    ExchangeItem, ItemReadError, Mailbox, MailboxError, Mapping, NewExchangeItem, PendingIntent,
    StateVersion, StoreError, SyncedSpan, UpdateOutcome,
};
use crate::reconcile::{
    self, Action, AgendaRevision, Content, Decision, ExchangeObservation, Pair, ReconcileInput,
    SkipReason, SyncPlan,
};
use crate::report::{ActionCounts, ErrorCode, PartialReason, RunError, RunReport};

/// What a batched Exchange call answered for one of its items.
enum Answered<O> {
    /// The item's own outcome.
    Outcome(O),
    /// The call failed, or answered fewer outcomes than it was sent items.
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Progress {
    Running,
    Done,
    /// Stopped before its writes were all carried out; its mapping stays as it was.
    Unfinished,
}

/// One pair being carried out.
struct PairRun {
    pair: Pair,
    queue: VecDeque<Action>,
    /// The mapping at the start of the run (stored, or recovered from an intent).
    baseline: Option<Mapping>,
    /// What the store holds for the baseline's appointment.
    persisted: Option<Mapping>,
    /// The mapping as the actions carried out so far leave it.
    draft: Option<Mapping>,
    rereads: u8,
    progress: Progress,
    holds_back: bool,
}

/// The stored mappings by OfficeHeart id and by Exchange UID (the first of each, as stored).
struct StoredMappings<'a> {
    by_officeheart_id: HashMap<&'a OfficeHeartId, &'a Mapping>,
    by_exchange_uid: HashMap<&'a ExchangeUid, &'a Mapping>,
}

impl<'a> StoredMappings<'a> {
    fn new(stored: &'a [Mapping]) -> Self {
        let mut index = Self {
            by_officeheart_id: HashMap::with_capacity(stored.len()),
            by_exchange_uid: HashMap::with_capacity(stored.len()),
        };
        for mapping in stored {
            index
                .by_officeheart_id
                .entry(&mapping.officeheart_id)
                .or_insert(mapping);
            index
                .by_exchange_uid
                .entry(&mapping.exchange_uid)
                .or_insert(mapping);
        }
        index
    }

    /// The stored mapping of the same appointment, or (when pairing put a re-created
    /// OfficeHeart item in a deleted one's place) of the same Exchange item.
    fn of(&self, mapping: &Mapping) -> Option<Mapping> {
        self.by_officeheart_id
            .get(&mapping.officeheart_id)
            .or_else(|| self.by_exchange_uid.get(&mapping.exchange_uid))
            .map(|&found| found.clone())
    }
}

impl PairRun {
    fn new(decision: Decision, stored: &StoredMappings<'_>) -> Self {
        let baseline = decision.pair.mapping.clone();
        let persisted = baseline.as_ref().and_then(|mapping| stored.of(mapping));
        Self {
            pair: decision.pair,
            queue: decision.actions.into(),
            draft: baseline.clone(),
            baseline,
            persisted,
            rereads: 0,
            progress: Progress::Running,
            holds_back: false,
        }
    }

    fn pending_write(&self) -> Option<&Action> {
        (self.progress == Progress::Running)
            .then(|| self.queue.front())
            .flatten()
            .filter(|action| action.is_write())
    }

    /// Applies the bookkeeping actions up to the next write (or the end).
    fn advance(&mut self, report: &mut RunReport) {
        if self.progress != Progress::Running {
            return;
        }
        while let Some(action) = self.queue.front() {
            if action.is_write() {
                return;
            }
            match self.queue.pop_front() {
                Some(Action::Link(mapping)) => {
                    self.draft = Some(mapping);
                    report.counts.linked += 1;
                }
                Some(Action::Unlink { .. }) => {
                    self.draft = None;
                    report.counts.unlinked += 1;
                }
                Some(Action::Skip(reason)) => self.skipped(reason, report),
                Some(Action::Conflict(conflict)) => report.conflicts.push(conflict),
                _ => {}
            }
        }
        self.progress = Progress::Done;
    }

    fn skipped(&mut self, reason: SkipReason, report: &mut RunReport) {
        *report.skipped.entry(reason).or_default() += 1;
        self.holds_back |= reason.holds_back_sync();
    }

    /// The pending write happened; `mapping` is what the pair's mapping becomes.
    fn wrote(&mut self, mapping: Option<Mapping>, report: &mut RunReport) {
        if let Some(action) = self.queue.pop_front() {
            count_write(&mut report.counts, &action);
        }
        self.draft = mapping;
    }

    /// The pending write is not made, for `reason`; the pair goes on.
    fn skip_write(&mut self, reason: SkipReason, report: &mut RunReport) {
        self.queue.pop_front();
        self.skipped(reason, report);
    }

    fn give_up(&mut self) {
        self.progress = Progress::Unfinished;
    }
}

fn count_write(counts: &mut ActionCounts, action: &Action) {
    let Some(side) = action.written_side() else {
        return;
    };
    match action {
        Action::CreateInOfficeHeart { .. } | Action::CreateInExchange { .. } => {
            counts.created.add(side);
        }
        Action::UpdateOfficeHeart { .. } | Action::UpdateExchange { .. } => {
            counts.updated.add(side);
        }
        _ => counts.deleted.add(side),
    }
}

fn written_mapping(
    officeheart: AgendaRevision,
    exchange: ExchangeItemKey,
    written: &Appointment,
) -> Mapping {
    Mapping {
        officeheart_id: officeheart.id,
        officeheart_version: officeheart.version,
        exchange_item_id: exchange.item_id,
        exchange_uid: exchange.uid,
        exchange_change_key: Some(exchange.change_key),
        content_hash: written.content_hash(),
        span: Some(SyncedSpan::of(written)),
    }
}

fn revision(item: &AgendaItem) -> AgendaRevision {
    AgendaRevision {
        id: item.id.clone(),
        version: item.version.clone(),
    }
}

/// What carrying the plan out leaves to commit.
#[derive(Debug)]
pub(super) struct Outcome {
    pub(super) version: StateVersion,
    pub(super) mapping_upserts: Vec<Mapping>,
    pub(super) mapping_removals: Vec<OfficeHeartId>,
    pub(super) intents_written: BTreeSet<OfficeHeartId>,
    pub(super) intents_unresolved: BTreeSet<OfficeHeartId>,
    pub(super) partial: Option<PartialReason>,
    pub(super) exchange_writes: ExchangeWrites,
}

/// Writes of one round, by kind.
#[derive(Default)]
struct Round {
    exchange_creates: Vec<usize>,
    exchange_updates: Vec<usize>,
    exchange_deletes: Vec<usize>,
    officeheart_writes: Vec<usize>,
}

pub(super) struct Execution<'a> {
    ports: &'a SyncPorts,
    scope: &'a BindingScope,
    options: &'a RunOptions,
    input: &'a ReconcileInput,
    version: StateVersion,
    runs: Vec<PairRun>,
    intents_written: BTreeSet<OfficeHeartId>,
    intents_unresolved: BTreeSet<OfficeHeartId>,
    deadline_hit: bool,
    exchange_halted: bool,
    agenda_halted: bool,
    exchange_writes: ExchangeWrites,
}

impl<'a> Execution<'a> {
    pub(super) fn new(
        ports: &'a SyncPorts,
        scope: &'a BindingScope,
        options: &'a RunOptions,
        input: &'a ReconcileInput,
        version: StateVersion,
        plan: SyncPlan,
        stored: &[Mapping],
    ) -> Self {
        Self {
            ports,
            scope,
            options,
            input,
            version,
            runs: {
                let stored = StoredMappings::new(stored);
                plan.decisions
                    .into_iter()
                    .map(|decision| PairRun::new(decision, &stored))
                    .collect()
            },
            intents_written: BTreeSet::new(),
            intents_unresolved: BTreeSet::new(),
            deadline_hit: false,
            exchange_halted: false,
            agenda_halted: false,
            exchange_writes: ExchangeWrites::default(),
        }
    }

    fn past_deadline(&self) -> bool {
        self.ports.clock.now() >= self.options.deadline
    }

    fn batch_size(&self) -> usize {
        self.options.exchange_batch_size.max(1)
    }

    fn pending(&self, index: usize) -> Option<Action> {
        self.runs.get(index)?.pending_write().cloned()
    }

    fn give_up(&mut self, indices: &[usize]) {
        for &index in indices {
            self.runs[index].give_up();
        }
    }

    /// Rounds of writes until no pair has one left (each round completes, skips, gives up or
    /// re-plans every pending write, and re-plans are bounded, so this ends).
    pub(super) async fn carry_out(&mut self, report: &mut RunReport) -> Result<(), Stop> {
        loop {
            let mut round = Round::default();
            for (index, run) in self.runs.iter_mut().enumerate() {
                run.advance(report);
                match run.pending_write() {
                    Some(Action::CreateInExchange { .. }) => round.exchange_creates.push(index),
                    Some(Action::UpdateExchange { .. }) => round.exchange_updates.push(index),
                    Some(Action::DeleteInExchange { .. }) => round.exchange_deletes.push(index),
                    Some(_) => round.officeheart_writes.push(index),
                    None => {}
                }
            }
            let all: Vec<usize> = [
                &round.exchange_creates,
                &round.exchange_updates,
                &round.exchange_deletes,
                &round.officeheart_writes,
            ]
            .into_iter()
            .flatten()
            .copied()
            .collect();
            if all.is_empty() {
                return Ok(());
            }
            if self.past_deadline() {
                self.deadline_hit = true;
                self.give_up(&all);
                return Ok(());
            }
            let mut rereads = Vec::new();
            self.exchange_creates(&round.exchange_creates, report)
                .await?;
            self.exchange_updates(&round.exchange_updates, &mut rereads, report)
                .await;
            self.exchange_deletes(&round.exchange_deletes, &mut rereads, report)
                .await;
            self.officeheart_writes(&round.officeheart_writes, &mut rereads, report)
                .await;
            self.reread(&rereads, report).await;
        }
    }

    /// Stores the intents, then creates. A lost intent write means another run got there
    /// first: this run stops before creating anything.
    async fn exchange_creates(
        &mut self,
        indices: &[usize],
        report: &mut RunReport,
    ) -> Result<(), Stop> {
        if indices.is_empty() {
            return Ok(());
        }
        if self.exchange_halted {
            self.give_up(indices);
            return Ok(());
        }
        let recorded_at = self.ports.clock.now();
        let intents: Vec<PendingIntent> = indices
            .iter()
            .filter_map(|&index| match self.pending(index) {
                Some(Action::CreateInExchange { source, item }) => Some(PendingIntent {
                    officeheart_id: source.id,
                    officeheart_version: source.version,
                    content_hash: item.appointment.content_hash(),
                    recorded_at,
                }),
                _ => None,
            })
            .collect();
        let commit = Commit {
            intents_added: intents.clone(),
            ..Commit::default()
        };
        match self
            .ports
            .store
            .commit(self.scope, self.version, &commit)
            .await
        {
            Ok(version) => self.version = version,
            Err(StoreError::Conflict) => return Err(Stop::LostRace),
            Err(error) => {
                report.errors.push(RunError::from(&error));
                self.give_up(indices);
                return Ok(());
            }
        }
        self.intents_written
            .extend(intents.into_iter().map(|intent| intent.officeheart_id));

        let mut unknown = Vec::new();
        let answers = self
            .exchange_batches(
                indices,
                |action| match action {
                    Action::CreateInExchange { item, .. } => Some(item),
                    _ => None,
                },
                async |mailbox, items| mailbox.create_items(items).await,
                report,
            )
            .await;
        for (index, _, answer) in answers {
            match answer {
                Answered::Outcome(CreateOutcome::Created(key)) => {
                    self.exchange_writes
                        .created(&key.item_id, Some(key.change_key.clone()));
                    if let Some(Action::CreateInExchange { source, item }) = self.pending(index) {
                        let mapping = written_mapping(source, key, &item.appointment);
                        self.runs[index].wrote(Some(mapping), report);
                    }
                }
                Answered::Outcome(CreateOutcome::Failed(error)) => {
                    report.errors.push(RunError::from(&error));
                    self.runs[index].give_up();
                }
                Answered::Outcome(CreateOutcome::OutcomeUnknown) | Answered::Unknown => {
                    unknown.push(index);
                }
            }
        }
        self.settle_unknown_creates(&unknown, report).await;
        Ok(())
    }

    /// Looks the tags of creates with an unknown outcome up: found means created; not found
    /// leaves the intent for a later run (the request may still land).
    async fn settle_unknown_creates(&mut self, indices: &[usize], report: &mut RunReport) {
        if indices.is_empty() {
            return;
        }
        let creates: Vec<(usize, AgendaRevision, NewExchangeItem)> = indices
            .iter()
            .filter_map(|&index| match self.pending(index) {
                Some(Action::CreateInExchange { source, item }) => Some((index, source, item)),
                _ => None,
            })
            .collect();
        let tags: Vec<_> = creates
            .iter()
            .map(|(_, _, item)| item.tag.clone())
            .collect();
        let found = match self.ports.mailbox.find_by_tags(&tags).await {
            Ok(found) => found,
            Err(error) => {
                report.errors.push(RunError::from(&error));
                Vec::new()
            }
        };
        for (index, source, item) in creates {
            match intents::tagged_with(&found, &item.tag) {
                Some(summary) => {
                    self.exchange_writes.created(&summary.key.item_id, None);
                    let mut mapping =
                        written_mapping(source, summary.key.clone(), &item.appointment);
                    // Someone may have edited it since: let its content decide next time.
                    mapping.exchange_change_key = None;
                    self.runs[index].wrote(Some(mapping), report);
                }
                None => {
                    report.errors.push(RunError {
                        code: ErrorCode::CreateOutcomeUnknown,
                        detail: format!("no item tagged {} yet", item.tag),
                    });
                    self.intents_unresolved.insert(source.id);
                    self.runs[index].give_up();
                }
            }
        }
    }

    async fn exchange_updates(
        &mut self,
        indices: &[usize],
        rereads: &mut Vec<usize>,
        report: &mut RunReport,
    ) {
        let mut vanished = Vec::new();
        let answers = self
            .exchange_batches(
                indices,
                |action| match action {
                    Action::UpdateExchange { update, .. } => Some(update),
                    _ => None,
                },
                async |mailbox, updates| mailbox.update_items(updates).await,
                report,
            )
            .await;
        for (index, _, answer) in answers {
            match answer {
                Answered::Outcome(UpdateOutcome::Updated(key)) => {
                    self.exchange_writes.updated(&key);
                    if let Some(Action::UpdateExchange { source, update }) = self.pending(index) {
                        let mapping = written_mapping(source, key, &update.appointment);
                        self.runs[index].wrote(Some(mapping), report);
                    }
                }
                Answered::Outcome(UpdateOutcome::Conflict) => rereads.push(index),
                Answered::Outcome(UpdateOutcome::NotFound) => vanished.push(index),
                Answered::Outcome(UpdateOutcome::Failed(error)) => {
                    report.errors.push(RunError::from(&error));
                    self.runs[index].give_up();
                }
                Answered::Unknown => self.runs[index].give_up(),
            }
        }
        self.vanished(&vanished, report).await;
    }

    /// The items some Exchange updates were for are gone under their ItemIds. An ItemId
    /// changes when an item is moved, so the UID decides: found under another ItemId, the pair
    /// is decided again with that item; not found, the item was deleted, and that is decided
    /// on now like any deletion — after a feed reset it would never come through the feed.
    async fn vanished(&mut self, indices: &[usize], report: &mut RunReport) {
        let mut targets: Vec<(usize, ExchangeItemKey)> = Vec::new();
        for &index in indices {
            if self.runs[index].rereads >= self.options.max_rereads {
                self.runs[index].skip_write(SkipReason::TargetNotFound, report);
            } else if let Some(Action::UpdateExchange { update, .. }) = self.pending(index) {
                targets.push((index, update.key));
            }
        }
        if targets.is_empty() {
            return;
        }
        let uids: Vec<ExchangeUid> = targets.iter().map(|(_, key)| key.uid.clone()).collect();
        let found = match self.ports.mailbox.find_by_uids(&uids).await {
            Ok(found) => found,
            Err(error) => {
                report.errors.push(RunError::from(&error));
                for (index, _) in targets {
                    self.runs[index].give_up();
                }
                return;
            }
        };
        let mut moved: Vec<(usize, ExchangeItemId)> = Vec::new();
        for (index, key) in targets {
            match found.iter().find(|summary| summary.key.uid == key.uid) {
                Some(summary) => moved.push((index, summary.key.item_id.clone())),
                None => {
                    self.exchange_writes.deleted(&key.item_id);
                    self.runs[index].pair.exchange =
                        Some(ExchangeObservation::Deleted(key.item_id));
                    self.replan(index);
                }
            }
        }
        if moved.is_empty() {
            return;
        }
        let ids: Vec<ExchangeItemId> = moved.iter().map(|(_, id)| id.clone()).collect();
        match self.ports.mailbox.get_items(&ids).await {
            Ok(results) => {
                for (position, (index, _)) in moved.into_iter().enumerate() {
                    match results.get(position) {
                        Some(Ok(item)) => self.replan_exchange(index, item.clone()),
                        _ => self.runs[index].give_up(),
                    }
                }
            }
            Err(error) => {
                report.errors.push(RunError::from(&error));
                for (index, _) in moved {
                    self.runs[index].give_up();
                }
            }
        }
    }

    async fn exchange_deletes(
        &mut self,
        indices: &[usize],
        rereads: &mut Vec<usize>,
        report: &mut RunReport,
    ) {
        let answers = self
            .exchange_batches(
                indices,
                |action| match action {
                    Action::DeleteInExchange { target } => Some(target),
                    _ => None,
                },
                async |mailbox, keys| mailbox.delete_items(keys).await,
                report,
            )
            .await;
        for (index, target, answer) in answers {
            match answer {
                Answered::Outcome(DeleteOutcome::Deleted | DeleteOutcome::NotFound) => {
                    self.exchange_writes.deleted(&target.item_id);
                    self.runs[index].wrote(None, report);
                }
                Answered::Outcome(DeleteOutcome::Conflict) => rereads.push(index),
                Answered::Outcome(DeleteOutcome::Failed(error)) => {
                    report.errors.push(RunError::from(&error));
                    self.runs[index].give_up();
                }
                Answered::Unknown => self.runs[index].give_up(),
            }
        }
    }

    /// Sends the pending writes of `indices` that `select` picks to Exchange through `call`,
    /// one request per batch, and answers each item's outcome beside its index and request.
    /// A call that fails stops Exchange writes for the rest of the run: the items of later
    /// batches are given up and not answered.
    async fn exchange_batches<R, O>(
        &mut self,
        indices: &[usize],
        select: impl Fn(Action) -> Option<R>,
        call: impl AsyncFn(&dyn Mailbox, &[R]) -> Result<Vec<O>, MailboxError>,
        report: &mut RunReport,
    ) -> Vec<(usize, R, Answered<O>)> {
        let mailbox = Arc::clone(&self.ports.mailbox);
        let mut answered = Vec::with_capacity(indices.len());
        for chunk in indices.chunks(self.batch_size()) {
            if self.exchange_halted {
                self.give_up(chunk);
                continue;
            }
            let (batch, requests): (Vec<usize>, Vec<R>) = chunk
                .iter()
                .filter_map(|&index| self.pending(index).and_then(&select).map(|r| (index, r)))
                .unzip();
            let outcomes = call(mailbox.as_ref(), &requests).await;
            self.options.tell(RunProgress::Wrote {
                items: requests.len(),
            });
            let outcomes = match outcomes {
                Ok(outcomes) => outcomes,
                Err(error) => {
                    report.errors.push(RunError::from(&error));
                    self.exchange_halted = true;
                    Vec::new()
                }
            };
            let mut outcomes = outcomes.into_iter();
            for (index, request) in batch.into_iter().zip(requests) {
                let answer = outcomes.next().map_or(Answered::Unknown, Answered::Outcome);
                answered.push((index, request, answer));
            }
        }
        answered
    }

    async fn officeheart_writes(
        &mut self,
        indices: &[usize],
        rereads: &mut Vec<usize>,
        report: &mut RunReport,
    ) {
        for &index in indices {
            if self.agenda_halted {
                self.runs[index].give_up();
                continue;
            }
            if self.past_deadline() {
                self.deadline_hit = true;
                self.runs[index].give_up();
                continue;
            }
            let agenda = self.ports.agenda.as_ref();
            let mut replayed_deleted = None;
            let result = match self.pending(index) {
                Some(Action::CreateInOfficeHeart { source, item }) => {
                    agenda.create(&item).await.map(|created| {
                        replayed_deleted = self.deleted_in_this_run(&created.id);
                        Some(written_mapping(
                            revision(&created),
                            source,
                            &item.appointment,
                        ))
                    })
                }
                Some(Action::UpdateOfficeHeart {
                    target,
                    source,
                    appointment,
                }) => match agenda
                    .update(&target.id, &target.version, &appointment, &source.uid)
                    .await
                {
                    Err(AgendaError::NotFound) => {
                        // OfficeHeart ids are stable: the appointment is gone. After a feed
                        // reset its deletion never comes through the feed, so it is decided
                        // on now, like any deletion.
                        self.runs[index].pair.officeheart =
                            Some(AgendaChange::Deleted { id: target.id });
                        self.replan(index);
                        continue;
                    }
                    other => other.map(|updated| {
                        Some(written_mapping(revision(&updated), source, &appointment))
                    }),
                },
                Some(Action::DeleteInOfficeHeart { target }) => {
                    match agenda.delete(&target.id, &target.version).await {
                        Ok(()) | Err(AgendaError::NotFound) => Ok(None),
                        Err(error) => Err(error),
                    }
                }
                _ => continue,
            };
            self.options.tell(RunProgress::Wrote { items: 1 });
            match result {
                Ok(mapping) => {
                    self.runs[index].wrote(mapping, report);
                    if let Some(id) = replayed_deleted {
                        // The create replayed an earlier attempt's copy, which a user has
                        // deleted since: that deletion is decided on like any other.
                        self.runs[index].pair.officeheart = Some(AgendaChange::Deleted { id });
                        self.replan(index);
                    }
                }
                Err(AgendaError::VersionConflict) => rereads.push(index),
                Err(error) => {
                    report.errors.push(RunError::from(&error));
                    self.agenda_halted |=
                        error.is_retryable() || error == AgendaError::Unauthorized;
                    self.runs[index].give_up();
                }
            }
        }
    }

    fn deleted_in_this_run(&self, id: &OfficeHeartId) -> Option<OfficeHeartId> {
        self.input
            .officeheart
            .observations
            .iter()
            .find_map(|change| match change {
                AgendaChange::Deleted { id: deleted } if deleted == id => Some(deleted.clone()),
                _ => None,
            })
    }

    /// Reads the conflicting items again and decides their pairs anew.
    async fn reread(&mut self, indices: &[usize], report: &mut RunReport) {
        let mut exchange: Vec<(usize, ExchangeItemId)> = Vec::new();
        for &index in indices {
            let run = &mut self.runs[index];
            if run.rereads >= self.options.max_rereads {
                run.queue.clear();
                run.skipped(SkipReason::ConflictRetriesExhausted, report);
                continue;
            }
            match run.pending_write().cloned() {
                Some(Action::UpdateExchange { update, .. }) => {
                    exchange.push((index, update.key.item_id));
                }
                Some(Action::DeleteInExchange { target }) => {
                    exchange.push((index, target.item_id));
                }
                Some(
                    Action::UpdateOfficeHeart { target, .. }
                    | Action::DeleteInOfficeHeart { target },
                ) => {
                    let current = self.ports.agenda.get(&target.id).await;
                    self.replan_officeheart(index, current, report);
                }
                _ => {}
            }
        }
        if exchange.is_empty() {
            return;
        }
        let ids: Vec<ExchangeItemId> = exchange.iter().map(|(_, id)| id.clone()).collect();
        let mut vanished = Vec::new();
        match self.ports.mailbox.get_items(&ids).await {
            Ok(results) => {
                for (position, (index, _)) in exchange.into_iter().enumerate() {
                    match results.get(position) {
                        Some(Ok(item)) => self.replan_exchange(index, item.clone()),
                        Some(Err(ItemReadError::NotFound)) => {
                            if self.runs[index]
                                .pending_write()
                                .is_some_and(Action::is_deletion)
                            {
                                self.runs[index].wrote(None, report);
                            } else {
                                vanished.push(index);
                            }
                        }
                        Some(Err(ItemReadError::Failed(error))) => {
                            report.errors.push(RunError::from(error));
                            self.runs[index].give_up();
                        }
                        None => self.runs[index].give_up(),
                    }
                }
            }
            Err(error) => {
                report.errors.push(RunError::from(&error));
                for (index, _) in exchange {
                    self.runs[index].give_up();
                }
            }
        }
        self.vanished(&vanished, report).await;
    }

    fn replan_officeheart(
        &mut self,
        index: usize,
        current: Result<Option<AgendaItem>, AgendaError>,
        report: &mut RunReport,
    ) {
        match current {
            Ok(Some(item)) => {
                self.runs[index].pair.officeheart = Some(AgendaChange::Upserted(item));
                self.replan(index);
            }
            Ok(None) => self.target_gone(index, report),
            Err(error) => {
                report.errors.push(RunError::from(&error));
                self.runs[index].give_up();
            }
        }
    }

    fn replan_exchange(&mut self, index: usize, item: ExchangeItem) {
        self.runs[index].pair.exchange = Some(ExchangeObservation::Present {
            summary: item.summary(),
            content: Content::Fetched(Box::new(item)),
        });
        self.replan(index);
    }

    /// The target of a conflicting write is gone: a deletion reached its goal; an update has
    /// nothing to update (the deletion arrives through the change feed).
    fn target_gone(&mut self, index: usize, report: &mut RunReport) {
        let run = &mut self.runs[index];
        if run.pending_write().is_some_and(Action::is_deletion) {
            run.wrote(None, report);
        } else {
            run.skip_write(SkipReason::TargetNotFound, report);
        }
    }

    fn replan(&mut self, index: usize) {
        let run = &mut self.runs[index];
        let mut pair = run.pair.clone();
        pair.mapping = run.draft.clone();
        let decision = reconcile::replan(self.input, pair);
        run.pair = decision.pair;
        run.queue = decision.actions.into();
        run.rereads += 1;
    }

    /// The mappings to write and how complete the run is.
    pub(super) fn finish(self) -> Outcome {
        let mut mapping_upserts = Vec::new();
        let mut mapping_removals = Vec::new();
        let mut unfinished = false;
        for run in &self.runs {
            unfinished |= run.progress != Progress::Done || run.holds_back;
            let end = if run.progress == Progress::Done {
                run.draft.clone()
            } else {
                run.baseline.clone()
            };
            match (run.persisted.as_ref(), end) {
                (Some(stored), None) => mapping_removals.push(stored.officeheart_id.clone()),
                (Some(stored), Some(end)) if stored.officeheart_id != end.officeheart_id => {
                    mapping_removals.push(stored.officeheart_id.clone());
                    mapping_upserts.push(end);
                }
                (stored, Some(end)) if stored != Some(&end) => mapping_upserts.push(end),
                _ => {}
            }
        }
        let partial = if self.deadline_hit {
            Some(PartialReason::Deadline)
        } else if unfinished || !self.intents_unresolved.is_empty() {
            Some(PartialReason::WorkLeft)
        } else {
            None
        };
        Outcome {
            version: self.version,
            mapping_upserts,
            mapping_removals,
            intents_written: self.intents_written,
            intents_unresolved: self.intents_unresolved,
            partial,
            exchange_writes: self.exchange_writes,
        }
    }
}
