//! What a run has done so far, for someone watching a long one (`ohsync sync-now` on a first
//! sync of thousands of items). Observers are told between steps and must return at once.

use std::fmt;
use std::sync::Arc;

use crate::reconcile::SyncPlan;

/// A step of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunProgress {
    /// Both sides are read: the changes each reported (on a first run, every item in the
    /// window).
    Read {
        /// Changes read from Exchange.
        exchange: usize,
        /// Changes read from OfficeHeart.
        officeheart: usize,
    },
    /// A plan is made, holding this many writes (a run plans again for changes that raced
    /// its own writes, so this may come more than once).
    Planned {
        /// Writes in the plan.
        writes: usize,
    },
    /// This many more writes were sent (one Exchange batch, or one OfficeHeart call).
    Wrote {
        /// Writes sent in this step.
        items: usize,
    },
}

/// Told of a run's progress.
pub trait ProgressObserver: Send + Sync {
    /// One step; must return at once.
    fn observe(&self, progress: RunProgress);
}

impl<F: Fn(RunProgress) + Send + Sync> ProgressObserver for F {
    fn observe(&self, progress: RunProgress) {
        self(progress);
    }
}

/// The observer a run tells its progress to; cheap to clone.
#[derive(Clone)]
pub struct ProgressSink(Arc<dyn ProgressObserver>);

impl ProgressSink {
    /// A sink telling `observer`.
    pub fn new(observer: impl ProgressObserver + 'static) -> Self {
        Self(Arc::new(observer))
    }

    pub(super) fn tell(&self, progress: RunProgress) {
        self.0.observe(progress);
    }
}

impl fmt::Debug for ProgressSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ProgressSink")
    }
}

/// The writes `plan` holds.
pub(super) fn planned_writes(plan: &SyncPlan) -> usize {
    plan.decisions
        .iter()
        .flat_map(|decision| &decision.actions)
        .filter(|action| action.is_write())
        .count()
}
