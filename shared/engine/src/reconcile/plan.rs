//! What reconcile produces: pairs, their classification, actions and the plan.

use super::{ExchangeObservation, Side};
use crate::appointment::Appointment;
use crate::identity::{AgendaVersion, ExchangeItemKey, OfficeHeartId};
use crate::ports::{AgendaChange, ExchangeUpdate, Mapping, NewAgendaItem, NewExchangeItem};

/// The state of one side of a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SideState {
    /// No item on this side: unlinked and not reported, or linked but missing from a listing.
    Absent,
    /// Reported, and not linked.
    New,
    /// Linked, and not changed since the last sync (not reported in a delta, or reported with
    /// the recorded version or content: an echo).
    Unchanged,
    /// Linked, and changed since the last sync.
    Changed,
    /// Linked, and explicitly deleted.
    Deleted,
}

/// A cell of the decision table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cell {
    /// The OfficeHeart side.
    pub officeheart: SideState,
    /// The Exchange side.
    pub exchange: SideState,
}

/// One appointment on both sides: its mapping (if linked) and what each side reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    /// The mapping, when linked.
    pub mapping: Option<Mapping>,
    /// What OfficeHeart reported.
    pub officeheart: Option<AgendaChange>,
    /// What Exchange reported.
    pub exchange: Option<ExchangeObservation>,
}

/// An OfficeHeart appointment at one version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaRevision {
    /// The appointment.
    pub id: OfficeHeartId,
    /// The version.
    pub version: AgendaVersion,
}

/// Who won a conflict, and over what.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Conflict {
    /// What kind of conflict.
    pub kind: ConflictKind,
    /// Whose state is kept.
    pub winner: Side,
}

/// The kinds of conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConflictKind {
    /// Both sides changed a linked item differently.
    BothChanged,
    /// One side changed a linked item, the other deleted it.
    ChangedVersusDeleted,
    /// Two unlinked items recognised as one differ in content.
    DifferentWhenMatched,
}

/// Why a pair (or part of it) is left alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SkipReason {
    /// A new item outside the sync window is not copied.
    OutsideWindow,
    /// A series whose rule ohsync cannot sync is neither copied nor written from; a linked
    /// one's deletion still reaches the other side.
    UnsupportedRecurrence,
    /// An ohsync series write on Exchange stopped half way and OfficeHeart's appointment could
    /// not be read in this run: a later run writes it again.
    UnfinishedWrite,
    /// The direction does not allow writing to that side.
    DirectionExcluded,
    /// A linked item is missing from a listing: unknown, never a deletion.
    MissingFromListing,
    /// The Exchange item could not be read.
    Unreadable {
        /// Whether a later run may read it (then the sync position is held back).
        retryable: bool,
    },
    /// The observations contradict each other (a new item on one side of a link); nothing is
    /// done.
    InconsistentPair,
    /// The Exchange write target did not exist under its ItemId; its deletion or move arrives
    /// through the change feed (an OfficeHeart 404 is decided on as a deletion instead).
    TargetNotFound,
    /// The target kept changing between reads; tried again next run.
    ConflictRetriesExhausted,
}

impl SkipReason {
    /// Whether this skip leaves work for a later run, so the sync position must not advance.
    pub fn holds_back_sync(self) -> bool {
        matches!(
            self,
            Self::Unreadable { retryable: true } | Self::ConflictRetriesExhausted
        )
    }
}

/// One step of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Copy an Exchange item into OfficeHeart (with idempotency key and external ref).
    CreateInOfficeHeart {
        /// The Exchange item copied.
        source: ExchangeItemKey,
        /// The create request.
        item: NewAgendaItem,
    },
    /// Copy an OfficeHeart appointment into Exchange (tagged; an intent is stored first).
    CreateInExchange {
        /// The OfficeHeart appointment copied.
        source: AgendaRevision,
        /// The create request.
        item: NewExchangeItem,
    },
    /// Overwrite an OfficeHeart appointment, conditional on its version.
    UpdateOfficeHeart {
        /// The appointment and the version the update is based on.
        target: AgendaRevision,
        /// The Exchange item whose content is copied.
        source: ExchangeItemKey,
        /// The content.
        appointment: Appointment,
    },
    /// Overwrite an Exchange item, conditional on its ChangeKey.
    UpdateExchange {
        /// The OfficeHeart appointment whose content is copied.
        source: AgendaRevision,
        /// The update request.
        update: ExchangeUpdate,
    },
    /// Delete an OfficeHeart appointment, conditional on its version.
    DeleteInOfficeHeart {
        /// The appointment and the version the deletion is based on.
        target: AgendaRevision,
    },
    /// Delete an Exchange item, conditional on its ChangeKey.
    DeleteInExchange {
        /// The item and the ChangeKey the deletion is based on.
        target: ExchangeItemKey,
    },
    /// Record (or refresh) a mapping.
    Link(Mapping),
    /// Forget a mapping; both items stay as they are.
    Unlink {
        /// The mapping's OfficeHeart id.
        officeheart_id: OfficeHeartId,
    },
    /// Leave it.
    Skip(SkipReason),
    /// A conflict and its resolution (the writes that carry it out follow).
    Conflict(Conflict),
}

impl Action {
    /// Whether this action writes to one of the calendars.
    pub fn is_write(&self) -> bool {
        self.written_side().is_some()
    }

    /// The calendar this action writes to, if any.
    pub fn written_side(&self) -> Option<Side> {
        match self {
            Self::CreateInOfficeHeart { .. }
            | Self::UpdateOfficeHeart { .. }
            | Self::DeleteInOfficeHeart { .. } => Some(Side::OfficeHeart),
            Self::CreateInExchange { .. }
            | Self::UpdateExchange { .. }
            | Self::DeleteInExchange { .. } => Some(Side::Exchange),
            Self::Link(_) | Self::Unlink { .. } | Self::Skip(_) | Self::Conflict(_) => None,
        }
    }

    /// Whether this action deletes an item.
    pub fn is_deletion(&self) -> bool {
        matches!(
            self,
            Self::DeleteInOfficeHeart { .. } | Self::DeleteInExchange { .. }
        )
    }
}

/// The decision for one pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The pair decided on.
    pub pair: Pair,
    /// Its cell in the table; `None` when a side could not be classified (unreadable).
    pub cell: Option<Cell>,
    /// What to do, in order.
    pub actions: Vec<Action>,
}

/// Why a plan must not be carried out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AbortReason {
    /// A side listed nothing although mappings exist.
    StorageEmpty {
        /// The side that listed nothing.
        side: Side,
    },
    /// The plan deletes more than the deletion cap allows.
    DeletionGuard {
        /// Deletions planned.
        planned: u64,
        /// Deletions allowed.
        limit: u64,
    },
}

/// The plan of one run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncPlan {
    /// One decision per pair.
    pub decisions: Vec<Decision>,
    /// Set when a guard tripped: nothing may be carried out.
    pub abort: Option<AbortReason>,
}
