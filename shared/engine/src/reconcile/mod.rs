//! Reconcile: a pure function from what both sides reported (and the mappings) to a plan.
//!
//! The steps: pair every observation with its mapping or its unlinked counterpart
//! ([`pairing`]), classify each side of each pair, decide per pair with the one decision
//! table ([`table`]), and check the plan against the guards ([`guards`]).

mod guards;
mod pairing;
mod plan;
mod policy;
mod table;

pub use plan::{
    AbortReason, Action, AgendaRevision, Cell, Conflict, ConflictKind, Decision, Pair, SideState,
    SkipReason, SyncPlan,
};
pub use policy::{ConflictPolicy, DeletionCap, Direction, SyncPolicy};

use chrono::{DateTime, Utc};

use crate::identity::{BindingId, ExchangeItemId, TenantId};
use crate::ports::{AgendaChange, ExchangeItem, ItemSummary, Mapping};

/// Which side of the sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Side {
    /// The OfficeHeart agenda.
    OfficeHeart,
    /// The Exchange calendar.
    Exchange,
}

/// How a side's observations were read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadMode {
    /// Changes since the stored position: an unobserved linked item is unchanged.
    Delta,
    /// A listing of the window: an unobserved linked item is unknown (absent), never deleted.
    Listing,
}

/// What is known about an Exchange item's content.
///
/// The read item is boxed: most observations (a listing's, a delta's, and every pair with
/// nothing on the Exchange side) hold none, and a plan holds each observation twice (in the
/// input and in its pair), so inline it would cost every one of them its size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// Not read, because no decision needs it.
    NotFetched,
    /// Read.
    Fetched(Box<ExchangeItem>),
    /// Reading failed.
    Unreadable {
        /// Whether a later run may succeed.
        retryable: bool,
    },
}

/// One thing Exchange reported.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(
    clippy::large_enum_variant,
    reason = "nearly every value is the large variant; boxing would add an allocation per item and save nothing"
)]
pub enum ExchangeObservation {
    /// The item exists, with this summary.
    Present {
        /// Its relevance properties.
        summary: ItemSummary,
        /// Its content, when read.
        content: Content,
    },
    /// The item was explicitly deleted.
    Deleted(ExchangeItemId),
}

/// Everything one side reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SideView<T> {
    /// How it was read.
    pub mode: ReadMode,
    /// What it reported.
    pub observations: Vec<T>,
}

/// The input of [`reconcile`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReconcileInput {
    /// The tenant (tags name it).
    pub tenant: TenantId,
    /// The binding (idempotency keys derive from it).
    pub binding: BindingId,
    /// The run's time (the window is taken at it).
    pub now: DateTime<Utc>,
    /// No sync position has ever been stored: items that are clearly the same are linked.
    pub first_run: bool,
    /// How many mappings the binding has in total (for the guards).
    pub mapping_count: u64,
    /// The user's policy.
    pub policy: SyncPolicy,
    /// The mappings of the observed items.
    pub mappings: Vec<Mapping>,
    /// What Exchange reported.
    pub exchange: SideView<ExchangeObservation>,
    /// What OfficeHeart reported.
    pub officeheart: SideView<AgendaChange>,
}

/// Decides what to do. Pure: no I/O, no clock, same input → same plan.
pub fn reconcile(input: &ReconcileInput) -> SyncPlan {
    let decisions: Vec<Decision> = pairing::pair_up(input)
        .into_iter()
        .map(|pair| table::decide(input, pair))
        .collect();
    let abort = guards::check(input, &decisions);
    SyncPlan { decisions, abort }
}

/// The storage-empty guard on its own (`None` under the operator override): whether a side
/// read as a listing showed nothing while the binding has mappings.
pub fn storage_empty(input: &ReconcileInput) -> Option<AbortReason> {
    if input.policy.guard_override {
        return None;
    }
    guards::storage_empty(input)
}

/// Decides again for one pair after one side was read anew (a write met a newer version).
pub fn replan(input: &ReconcileInput, pair: Pair) -> Decision {
    table::decide(input, pair)
}

/// The decision table's actions for `cell` and `pair`, without classifying the pair.
pub fn decide_cell(input: &ReconcileInput, cell: Cell, pair: &Pair) -> Vec<Action> {
    table::actions_for(input, cell, pair)
}

/// The Exchange items whose content the decisions need: changed linked items, unlinked items
/// that may be copied or matched, and linked items whose version is not known.
pub fn content_needed(input: &ReconcileInput) -> Vec<ExchangeItemId> {
    pairing::pair_up(input)
        .iter()
        .filter_map(|pair| pairing::content_to_fetch(input, pair))
        .collect()
}
