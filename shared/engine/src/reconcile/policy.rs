//! The per-user sync policy.

use super::Side;
use crate::window::SyncWindow;

/// Who wins when both sides changed a linked item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConflictPolicy {
    /// The later change wins (ties: OfficeHeart); a change beats a deletion.
    #[default]
    NewestWins,
    /// OfficeHeart's version or deletion wins.
    OfficeHeartWins,
    /// Exchange's version or deletion wins.
    ExchangeWins,
}

/// Which way changes flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Direction {
    /// Both ways.
    #[default]
    TwoWay,
    /// OfficeHeart is the source; Exchange is written, never read into OfficeHeart.
    OfficeHeartToExchange,
    /// Exchange is the source; OfficeHeart is written, never read into Exchange.
    ExchangeToOfficeHeart,
}

impl Direction {
    /// Whether the engine may write to `side`.
    pub fn writes_to(self, side: Side) -> bool {
        match self {
            Self::TwoWay => true,
            Self::OfficeHeartToExchange => side == Side::Exchange,
            Self::ExchangeToOfficeHeart => side == Side::OfficeHeart,
        }
    }

    /// The side that always wins, for a one-way direction.
    pub fn source(self) -> Option<Side> {
        match self {
            Self::TwoWay => None,
            Self::OfficeHeartToExchange => Some(Side::OfficeHeart),
            Self::ExchangeToOfficeHeart => Some(Side::Exchange),
        }
    }
}

/// The deletion guard: a run planning more than `max(floor, percent % of mappings)`
/// deletions stops and asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeletionCap {
    /// Deletions always allowed, however small the calendar.
    pub floor: u64,
    /// Share of the mappings, in percent.
    pub percent: u64,
}

impl Default for DeletionCap {
    fn default() -> Self {
        Self {
            floor: 5,
            percent: 20,
        }
    }
}

impl DeletionCap {
    /// The most deletions one run may make with `mapping_count` mappings.
    pub fn limit(&self, mapping_count: u64) -> u64 {
        self.floor
            .max(mapping_count.saturating_mul(self.percent) / 100)
    }
}

/// The user's sync policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SyncPolicy {
    /// Conflict resolution.
    pub conflict: ConflictPolicy,
    /// Direction.
    pub direction: Direction,
    /// The window within which new items are copied.
    pub window: SyncWindow,
    /// The deletion guard.
    pub deletion_cap: DeletionCap,
    /// Set once by an operator to let a plan through that tripped a guard.
    pub guard_override: bool,
}
