//! The executor: one user's sync run through the ports only.
//!
//! Read the binding state (one read) → read both sides (and the items a partial run left
//! unconfirmed that the change page does not report) → recover pending intents → look up the
//! mappings of the changed items → read the Exchange content the decisions need → reconcile →
//! carry the plan out → confirm the run's own Exchange writes (a further round for changes
//! that raced them) → commit mappings, intents, positions and status (one conditional write,
//! none when nothing changed). Why a crash between any two steps is safe: docs/SYNC-ENGINE.md.

mod apply;
mod confirm;
mod content;
mod intents;
mod progress;
mod read;
mod unfinished;
mod verify;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};

use crate::identity::{BindingId, OfficeHeartId, TenantId, UserId};
use crate::ports::{
    Agenda, AgendaChange, BindingScope, BindingState, Clock, Commit, Mailbox, MailboxSyncState,
    Mapping, MappingQuery, StateVersion, Store, StoreError,
};
use crate::reconcile::{self, ExchangeObservation, ReadMode, ReconcileInput, SideView, SyncPolicy};
use crate::report::{PartialReason, RunError, RunOutcome, RunReport};

pub use progress::{ProgressObserver, ProgressSink, RunProgress};

/// The ports a run works through.
#[derive(Clone)]
pub struct SyncPorts {
    /// The Exchange calendar.
    pub mailbox: Arc<dyn Mailbox>,
    /// The OfficeHeart agenda.
    pub agenda: Arc<dyn Agenda>,
    /// The binding store.
    pub store: Arc<dyn Store>,
    /// The clock.
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for SyncPorts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SyncPorts")
    }
}

/// How one run behaves.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The binding to sync.
    pub binding: BindingId,
    /// The user's policy.
    pub policy: SyncPolicy,
    /// After this instant no new work starts; what is done is persisted.
    pub deadline: DateTime<Utc>,
    /// Plan only: read, reconcile, report the plan, write nothing.
    pub dry_run: bool,
    /// How long an intent marks a run as possibly alive. Must exceed the longest a run can
    /// live (the Lambda timeout), so that a younger intent is never taken for a dead run's;
    /// set it with [`RunOptions::with_max_run_time`].
    pub intent_lease: TimeDelta,
    /// Items per Exchange request.
    pub exchange_batch_size: usize,
    /// How often one item is read again and re-planned after a version conflict in one run.
    pub max_rereads: u8,
    /// Who is told of the run's progress, if anyone.
    pub progress: Option<ProgressSink>,
    /// Intents recorded before this instant belong to runs known to be dead — set by a single
    /// process that holds the store alone and started then (`ohsync serve`) — and are
    /// recovered at once instead of after the lease. `None` (Lambda): only the lease tells.
    pub intents_dead_before: Option<DateTime<Utc>>,
}

impl RunOptions {
    /// The intent lease when the worker does not say how long a run may live: the Lambda
    /// maximum timeout, which no run outlives, at the price of a crashed run's binding
    /// resuming only after 15 minutes.
    pub const FALLBACK_INTENT_LEASE: TimeDelta = TimeDelta::minutes(15);

    /// Added to the maximum run time for the lease: the clocks of two workers (which write
    /// and judge an intent) may differ a little.
    pub const LEASE_MARGIN: TimeDelta = TimeDelta::minutes(1);

    /// Items per Exchange request unless the worker says otherwise. 125, not the 100 many
    /// clients send: a first sync of 1,000 items is then 1 listing, 8 CreateItem calls and
    /// 2 confirming pages, 11 round trips against DESIGN §8's 12 (100 gives 13). Exchange's
    /// throttling budgets charge server time, not items per call, so fewer, larger calls cost
    /// the mailbox no more; the worker's `OHSYNC_EXCHANGE_BATCH_SIZE` lowers it per deployment.
    pub const DEFAULT_EXCHANGE_BATCH_SIZE: usize = 125;

    /// Defaults: the fallback intent lease, [`Self::DEFAULT_EXCHANGE_BATCH_SIZE`] items per
    /// Exchange request, 3 re-reads per item.
    pub fn new(binding: BindingId, policy: SyncPolicy, deadline: DateTime<Utc>) -> Self {
        Self {
            binding,
            policy,
            deadline,
            dry_run: false,
            intent_lease: Self::FALLBACK_INTENT_LEASE,
            exchange_batch_size: Self::DEFAULT_EXCHANGE_BATCH_SIZE,
            max_rereads: 3,
            progress: None,
            intents_dead_before: None,
        }
    }

    /// Derives the intent lease from the longest this run can live — the worker passes its
    /// own timeout (the Lambda function's `Timeout`), which kills the run at the latest. The
    /// lease is that plus [`Self::LEASE_MARGIN`]: with a 2-minute worker timeout a crashed
    /// run's binding resumes after 3 minutes, inside the 5-minute promise, instead of 15.
    pub fn with_max_run_time(mut self, max_run_time: TimeDelta) -> Self {
        self.intent_lease = max_run_time.max(TimeDelta::zero()) + Self::LEASE_MARGIN;
        self
    }

    /// Tells the progress observer, if there is one.
    pub(crate) fn tell(&self, progress: RunProgress) {
        if let Some(sink) = &self.progress {
            sink.tell(progress);
        }
    }
}

/// Runs one user's sync and reports what happened. Never panics on outside data; every
/// failure ends up in the report (and, when the store allows, in the user's status).
pub async fn run_user_sync(
    ports: &SyncPorts,
    tenant: &TenantId,
    user: &UserId,
    options: &RunOptions,
) -> RunReport {
    let scope = BindingScope {
        tenant: tenant.clone(),
        user: user.clone(),
        binding: options.binding.clone(),
    };
    let mut report = RunReport::new();
    let state = match ports.store.load(&scope).await {
        Ok(state) => state,
        Err(error) => {
            report.errors.push(RunError::from(&error));
            report.outcome = RunOutcome::Failed;
            return report;
        }
    };
    let run = Run {
        ports,
        scope: &scope,
        options,
        state: &state,
        now: ports.clock.now(),
    };
    match run.sync(&mut report).await {
        Ok(()) => {}
        Err(Stop::Busy) => report.outcome = RunOutcome::Busy,
        Err(Stop::LostRace) => report.outcome = RunOutcome::LostRace,
        Err(Stop::Failed(error)) => {
            report.errors.push(error);
            report.outcome = RunOutcome::Failed;
            run.write_status(&report, state.version).await;
        }
    }
    report
}

/// At most this many rounds per run: a user who keeps editing the items the run writes
/// cannot keep it going; the next run takes over from the older position.
const MAX_ROUNDS: u32 = 3;

/// A mapping as the rounds of a run leave it.
#[derive(Debug, Clone)]
enum MappingChange {
    Upsert(Mapping),
    Remove(OfficeHeartId),
}

/// What the rounds of one run have done so far.
struct Rounds {
    version: StateVersion,
    mappings: BTreeMap<OfficeHeartId, MappingChange>,
    intents_written: BTreeSet<OfficeHeartId>,
    intents_unresolved: BTreeSet<OfficeHeartId>,
    /// The Exchange position up to which every change is decided on, once `raced` is.
    exchange_position: MailboxSyncState,
    /// Changes the last confirming read found besides the echoes: the next round's input.
    raced: Option<Vec<ExchangeObservation>>,
}

impl Rounds {
    /// Carries one round's plan out and, when it wrote to Exchange, confirms those writes
    /// (see `confirm`). Returns why the run cannot complete, if it cannot.
    async fn carry_out(
        &mut self,
        run: &Run<'_>,
        input: &ReconcileInput,
        plan: reconcile::SyncPlan,
        stored: &[Mapping],
        report: &mut RunReport,
    ) -> Result<Option<PartialReason>, Stop> {
        let mut execution = apply::Execution::new(
            run.ports,
            run.scope,
            run.options,
            input,
            self.version,
            plan,
            stored,
        );
        execution.carry_out(report).await?;
        let outcome = execution.finish();
        self.version = outcome.version;
        for id in outcome.mapping_removals {
            self.mappings.insert(id.clone(), MappingChange::Remove(id));
        }
        for mapping in outcome.mapping_upserts {
            self.mappings.insert(
                mapping.officeheart_id.clone(),
                MappingChange::Upsert(mapping),
            );
        }
        self.intents_written.extend(outcome.intents_written);
        self.intents_unresolved.extend(outcome.intents_unresolved);
        if outcome.partial.is_some() || outcome.exchange_writes.is_empty() {
            return Ok(outcome.partial);
        }
        match confirm::confirm(
            run.ports.mailbox.as_ref(),
            &self.exchange_position,
            &outcome.exchange_writes,
        )
        .await
        {
            Ok(confirmation) => {
                self.exchange_position = confirmation.position;
                self.raced = Some(confirmation.raced).filter(|raced| !raced.is_empty());
                Ok(None)
            }
            Err(error) => {
                report.errors.push(RunError::from(&error));
                Ok(Some(PartialReason::WorkLeft))
            }
        }
    }
}

/// Why a run ended early.
pub(crate) enum Stop {
    Busy,
    LostRace,
    Failed(RunError),
}

struct Run<'a> {
    ports: &'a SyncPorts,
    scope: &'a BindingScope,
    options: &'a RunOptions,
    state: &'a BindingState,
    now: DateTime<Utc>,
}

impl Run<'_> {
    async fn sync(&self, report: &mut RunReport) -> Result<(), Stop> {
        let lease_start = self.now - self.options.intent_lease;
        let maybe_alive = |recorded_at: DateTime<Utc>| {
            recorded_at > lease_start
                && self
                    .options
                    .intents_dead_before
                    .is_none_or(|dead_before| recorded_at >= dead_before)
        };
        if self
            .state
            .intents
            .iter()
            .any(|intent| maybe_alive(intent.recorded_at))
        {
            return Err(Stop::Busy);
        }
        let bounds = self.options.policy.window.bounds(self.now);
        let mut exchange = read::read_mailbox(
            self.ports.mailbox.as_ref(),
            self.state.mailbox_sync_state.as_ref(),
            &bounds,
        )
        .await
        .map_err(|error| Stop::Failed(RunError::from(&error)))?;
        let reads_changes = exchange.view.mode == ReadMode::Delta;
        if reads_changes {
            let unreported = confirm::read_unreported(
                self.ports.mailbox.as_ref(),
                &exchange.view.observations,
                &self.state.unconfirmed_items,
            )
            .await
            .map_err(|error| Stop::Failed(RunError::from(&error)))?;
            exchange.view.observations.extend(unreported);
        }
        let officeheart = read::read_agenda(
            self.ports.agenda.as_ref(),
            self.state.agenda_cursor.as_ref(),
            &bounds,
        )
        .await
        .map_err(|error| Stop::Failed(RunError::from(&error)))?;
        self.options.tell(RunProgress::Read {
            exchange: exchange.view.observations.len(),
            officeheart: officeheart.view.observations.len(),
        });
        let recovered = intents::recover(
            self.ports.mailbox.as_ref(),
            &self.scope.tenant,
            &self.state.intents,
        )
        .await
        .map_err(|error| Stop::Failed(RunError::from(&error)))?;

        let mut stored = self
            .stored_mappings(&exchange.view.observations, &officeheart.view.observations)
            .await?;
        // An intent is younger than any stored mapping of its appointment (it is written only
        // for a create after the last commit), so what it recovers replaces that mapping.
        let recovered_ids: HashSet<OfficeHeartId> = recovered
            .iter()
            .map(|mapping| mapping.officeheart_id.clone())
            .collect();
        let mut mappings: Vec<Mapping> = stored
            .iter()
            .filter(|mapping| !recovered_ids.contains(&mapping.officeheart_id))
            .cloned()
            .collect();
        mappings.extend(recovered);
        let saw_changes = !exchange.view.observations.is_empty()
            || !officeheart.view.observations.is_empty()
            || exchange.view.mode == ReadMode::Listing
            || officeheart.view.mode == ReadMode::Listing;

        let mut input = ReconcileInput {
            tenant: self.scope.tenant.clone(),
            binding: self.scope.binding.clone(),
            now: self.now,
            first_run: self.state.mailbox_sync_state.is_none()
                && self.state.agenda_cursor.is_none(),
            mapping_count: self.state.mapping_count,
            policy: self.options.policy,
            mappings,
            exchange: exchange.view,
            officeheart: officeheart.view,
        };
        let readers = verify::Readers {
            mailbox: self.ports.mailbox.as_ref(),
            agenda: self.ports.agenda.as_ref(),
            store: self.ports.store.as_ref(),
            batch_size: self.options.exchange_batch_size,
        };
        let verified = verify::unlisted(&readers, self.scope, &mut input, report)
            .await
            .map_err(|error| Stop::Failed(RunError::from(&error)))?;
        stored.extend(verified.mappings);
        content::fill(
            self.ports.mailbox.as_ref(),
            self.options.exchange_batch_size,
            &mut input,
            report,
        )
        .await;
        unfinished::read_officeheart(self.ports.agenda.as_ref(), &mut input, report).await;
        let plan = reconcile::reconcile(&input);
        self.options.tell(RunProgress::Planned {
            writes: progress::planned_writes(&plan),
        });

        if self.options.dry_run {
            report.plan = Some(plan);
            report.outcome = RunOutcome::DryRun;
            return Ok(());
        }
        if let Some(reason) = plan.abort {
            report.outcome = RunOutcome::Aborted(reason);
            self.write_status(report, self.state.version).await;
            return Ok(());
        }

        let mut rounds = Rounds {
            version: self.state.version,
            mappings: BTreeMap::new(),
            intents_written: BTreeSet::new(),
            intents_unresolved: BTreeSet::new(),
            exchange_position: exchange.position,
            raced: None,
        };
        let mut partial = rounds
            .carry_out(self, &input, plan, &stored, report)
            .await?;
        let mut round = 1;
        // Racing changes are decided on in further rounds, each confirmed like the first.
        while partial.is_none() {
            let Some(raced) = rounds.raced.take() else {
                break;
            };
            if round >= MAX_ROUNDS || self.past_deadline() {
                partial = Some(PartialReason::WorkLeft);
                break;
            }
            round += 1;
            let next = self.racing_round(&rounds, &input, raced, report).await?;
            stored = next.mappings.clone();
            let plan = reconcile::reconcile(&next);
            self.options.tell(RunProgress::Planned {
                writes: progress::planned_writes(&plan),
            });
            if plan.abort.is_some() {
                partial = Some(PartialReason::WorkLeft);
                break;
            }
            partial = rounds.carry_out(self, &next, plan, &stored, report).await?;
        }
        let partial = partial.or(verified.incomplete.then_some(PartialReason::WorkLeft));

        let mut intents_removed: BTreeSet<OfficeHeartId> = self
            .state
            .intents
            .iter()
            .map(|intent| intent.officeheart_id.clone())
            .collect();
        intents_removed.extend(rounds.intents_written);
        let (mapping_upserts, mapping_removals) = rounds.mappings.into_values().fold(
            (Vec::new(), Vec::new()),
            |(mut upserts, mut removals), change| {
                match change {
                    MappingChange::Upsert(mapping) => upserts.push(mapping),
                    MappingChange::Remove(id) => removals.push(id),
                }
                (upserts, removals)
            },
        );
        let mut commit = Commit {
            mapping_removals,
            mapping_upserts,
            intents_removed: intents_removed
                .difference(&rounds.intents_unresolved)
                .cloned()
                .collect(),
            ..Commit::default()
        };
        report.outcome = match partial {
            Some(reason) => RunOutcome::Partial(reason),
            None => RunOutcome::Completed,
        };
        if partial.is_none() && saw_changes {
            commit.mailbox_sync_state = Some(rounds.exchange_position)
                .filter(|position| Some(position) != self.state.mailbox_sync_state.as_ref());
            commit.agenda_cursor = Some(officeheart.position)
                .filter(|position| Some(position) != self.state.agenda_cursor.as_ref());
            commit.unconfirmed_removed = self.state.unconfirmed_items.clone();
        } else if partial.is_some() && reads_changes {
            // The next run reads changes from the same position, which may lie before these
            // items were created or moved (by this run or the user).
            commit.unconfirmed_added = commit
                .mapping_upserts
                .iter()
                .map(|mapping| mapping.exchange_item_id.clone())
                .collect();
        }
        self.commit(commit, report, rounds.version).await
    }

    fn past_deadline(&self) -> bool {
        self.ports.clock.now() >= self.options.deadline
    }

    /// The input of a round that decides on changes which raced the previous round: the
    /// Exchange changes alone, against the mappings as the earlier rounds left them.
    async fn racing_round(
        &self,
        rounds: &Rounds,
        first: &ReconcileInput,
        raced: Vec<ExchangeObservation>,
        report: &mut RunReport,
    ) -> Result<ReconcileInput, Stop> {
        let looked_up = self.stored_mappings(&raced, &[]).await?;
        let mut mappings: Vec<Mapping> = looked_up
            .into_iter()
            .filter(|mapping| !rounds.mappings.contains_key(&mapping.officeheart_id))
            .collect();
        mappings.extend(rounds.mappings.values().filter_map(|change| match change {
            MappingChange::Upsert(mapping) => Some(mapping.clone()),
            MappingChange::Remove(_) => None,
        }));
        let mut next = ReconcileInput {
            tenant: first.tenant.clone(),
            binding: first.binding.clone(),
            now: first.now,
            first_run: false,
            mapping_count: first.mapping_count,
            policy: first.policy,
            mappings,
            exchange: SideView {
                mode: ReadMode::Delta,
                observations: raced,
            },
            officeheart: SideView {
                mode: ReadMode::Delta,
                observations: Vec::new(),
            },
        };
        content::fill(
            self.ports.mailbox.as_ref(),
            self.options.exchange_batch_size,
            &mut next,
            report,
        )
        .await;
        Ok(next)
    }

    /// The stored mappings of everything observed, in one lookup (none when nothing was).
    async fn stored_mappings(
        &self,
        exchange: &[ExchangeObservation],
        officeheart: &[AgendaChange],
    ) -> Result<Vec<Mapping>, Stop> {
        let mut query = MappingQuery {
            officeheart_ids: officeheart
                .iter()
                .map(|change| change.id().clone())
                .collect(),
            ..MappingQuery::default()
        };
        for observation in exchange {
            match observation {
                ExchangeObservation::Present { summary, .. } => {
                    query.exchange_item_ids.push(summary.key.item_id.clone());
                    query.exchange_uids.push(summary.key.uid.clone());
                }
                ExchangeObservation::Deleted(item_id) => {
                    query.exchange_item_ids.push(item_id.clone());
                }
            }
        }
        if query.is_empty() {
            return Ok(Vec::new());
        }
        self.ports
            .store
            .find_mappings(self.scope, &query)
            .await
            .map_err(|error| Stop::Failed(RunError::from(&error)))
    }

    /// Writes the commit with a status when anything is to be written or the status must
    /// change; a quiet, healthy run after a healthy run writes nothing.
    async fn commit(
        &self,
        mut commit: Commit,
        report: &mut RunReport,
        version: StateVersion,
    ) -> Result<(), Stop> {
        let status = report.status(self.ports.clock.now());
        let status_changes = !status.is_healthy()
            || self
                .state
                .status
                .as_ref()
                .is_none_or(|previous| !previous.is_healthy());
        if commit == Commit::default() && !status_changes {
            return Ok(());
        }
        commit.status = Some(status);
        match self.ports.store.commit(self.scope, version, &commit).await {
            Ok(_) => Ok(()),
            Err(StoreError::Conflict) => Err(Stop::LostRace),
            Err(error) => Err(Stop::Failed(RunError::from(&error))),
        }
    }

    /// Records the run's status alone (a failure or a tripped guard). Best effort: when the
    /// store refuses, the report still carries everything.
    async fn write_status(&self, report: &RunReport, version: StateVersion) {
        let commit = Commit {
            status: Some(report.status(self.ports.clock.now())),
            ..Commit::default()
        };
        // A refused status write changes nothing the next run relies on.
        let _ = self.ports.store.commit(self.scope, version, &commit).await;
    }
}
