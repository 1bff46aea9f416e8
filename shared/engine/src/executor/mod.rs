//! The executor: one user's sync run through the ports only.
//!
//! Read the binding state (one read) → read both sides → recover pending intents → look up the
//! mappings of the changed items → read the Exchange content the decisions need → reconcile →
//! carry the plan out → commit mappings, intents, positions and status (one conditional write,
//! none when nothing changed). Why a crash between any two steps is safe: docs/SYNC-ENGINE.md.

mod apply;
mod content;
mod intents;
mod read;

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};

use crate::identity::{BindingId, OfficeHeartId, TenantId, UserId};
use crate::ports::{
    Agenda, AgendaChange, BindingScope, BindingState, Clock, Commit, Mailbox, Mapping,
    MappingQuery, StateVersion, Store, StoreError,
};
use crate::reconcile::{self, ExchangeObservation, ReadMode, ReconcileInput, SyncPolicy};
use crate::report::{RunError, RunOutcome, RunReport};

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
    /// live (the Lambda timeout), so that a younger intent is never taken for a dead run's.
    pub intent_lease: TimeDelta,
    /// Items per Exchange request.
    pub exchange_batch_size: usize,
    /// How often one item is read again and re-planned after a version conflict in one run.
    pub max_rereads: u8,
}

impl RunOptions {
    /// Defaults: 15-minute intent lease (the Lambda maximum), 100 items per Exchange request
    /// (a first sync of 1,000 items in ≈ 10 writes, DESIGN §8),
    /// 3 re-reads per item.
    pub fn new(binding: BindingId, policy: SyncPolicy, deadline: DateTime<Utc>) -> Self {
        Self {
            binding,
            policy,
            deadline,
            dry_run: false,
            intent_lease: TimeDelta::minutes(15),
            exchange_batch_size: 100,
            max_rereads: 3,
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
        if self
            .state
            .intents
            .iter()
            .any(|intent| intent.recorded_at > lease_start)
        {
            return Err(Stop::Busy);
        }
        let bounds = self.options.policy.window.bounds(self.now);
        let exchange = read::read_mailbox(
            self.ports.mailbox.as_ref(),
            self.state.mailbox_sync_state.as_ref(),
            &bounds,
        )
        .await
        .map_err(|error| Stop::Failed(RunError::from(&error)))?;
        let officeheart = read::read_agenda(
            self.ports.agenda.as_ref(),
            self.state.agenda_cursor.as_ref(),
            &bounds,
        )
        .await
        .map_err(|error| Stop::Failed(RunError::from(&error)))?;
        let recovered = intents::recover(
            self.ports.mailbox.as_ref(),
            &self.scope.tenant,
            &self.state.intents,
        )
        .await
        .map_err(|error| Stop::Failed(RunError::from(&error)))?;

        let stored = self
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
        content::fill(
            self.ports.mailbox.as_ref(),
            self.options.exchange_batch_size,
            &mut input,
            report,
        )
        .await;
        let plan = reconcile::reconcile(&input);

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

        let mut execution = apply::Execution::new(
            self.ports,
            self.scope,
            self.options,
            &input,
            self.state.version,
            plan,
            &stored,
        );
        execution.carry_out(report).await?;
        let outcome = execution.finish();

        let mut intents_removed: BTreeSet<OfficeHeartId> = self
            .state
            .intents
            .iter()
            .map(|intent| intent.officeheart_id.clone())
            .collect();
        intents_removed.extend(outcome.intents_written);
        let mut commit = Commit {
            mapping_removals: outcome.mapping_removals,
            mapping_upserts: outcome.mapping_upserts,
            intents_added: Vec::new(),
            intents_removed: intents_removed
                .difference(&outcome.intents_unresolved)
                .cloned()
                .collect(),
            mailbox_sync_state: None,
            agenda_cursor: None,
            status: None,
        };
        report.outcome = match outcome.partial {
            Some(reason) => RunOutcome::Partial(reason),
            None => RunOutcome::Completed,
        };
        if outcome.partial.is_none() && saw_changes {
            commit.mailbox_sync_state = Some(exchange.position)
                .filter(|position| Some(position) != self.state.mailbox_sync_state.as_ref());
            commit.agenda_cursor = Some(officeheart.position)
                .filter(|position| Some(position) != self.state.agenda_cursor.as_ref());
        }
        self.commit(commit, report, outcome.version).await
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
