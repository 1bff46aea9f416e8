//! The user's sync choices (conflict policy, direction, window) and their mapping to the
//! engine's policy types.

use ohsync_engine::reconcile::{ConflictPolicy, Direction, SyncPolicy};
use ohsync_engine::window::SyncWindow;
use serde::{Deserialize, Serialize};

use crate::Problem;
use crate::problem::field;

/// An engine policy enum with stable names for the API and the store.
pub trait PolicyChoice: Copy + Eq + 'static {
    /// Every value with its name.
    const NAMES: &'static [(&'static str, Self)];

    /// The stable name.
    fn name(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(_, value)| *value == self)
            .map_or("", |(name, _)| *name)
    }

    /// The value of a name (surrounding blanks and case ignored).
    fn from_name(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        Self::NAMES
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(raw))
            .map(|(_, value)| *value)
    }
}

impl PolicyChoice for ConflictPolicy {
    const NAMES: &'static [(&'static str, Self)] = &[
        ("newest_wins", Self::NewestWins),
        ("officeheart_wins", Self::OfficeHeartWins),
        ("exchange_wins", Self::ExchangeWins),
    ];
}

impl PolicyChoice for Direction {
    const NAMES: &'static [(&'static str, Self)] = &[
        ("two_way", Self::TwoWay),
        ("officeheart_to_exchange", Self::OfficeHeartToExchange),
        ("exchange_to_officeheart", Self::ExchangeToOfficeHeart),
    ];
}

fn bounded(days: i64, field: &'static str, min: u32, max: u32) -> Result<u32, Problem> {
    u32::try_from(days)
        .ok()
        .filter(|days| (min..=max).contains(days))
        .ok_or(Problem::WindowOutOfRange { field, min, max })
}

/// The sync window in days: 30 back and 365 ahead unless chosen otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "WindowFields", into = "WindowFields")]
pub struct WindowDays {
    back: u32,
    ahead: u32,
    window: SyncWindow,
}

/// How the window is written in the API and the store.
#[derive(Serialize, Deserialize)]
struct WindowFields {
    window_days_back: u32,
    window_days_ahead: u32,
}

impl WindowDays {
    /// The most days back.
    pub const BACK_MAX: u32 = 365;
    /// The fewest days ahead: a window that ends today syncs nothing new.
    pub const AHEAD_MIN: u32 = 1;
    /// The most days ahead (and the most in total).
    pub const AHEAD_MAX: u32 = SyncWindow::MAX_DAYS;

    /// Checks days back against its bounds.
    pub(crate) fn checked_back(days: i64) -> Result<u32, Problem> {
        bounded(days, field::WINDOW_DAYS_BACK, 0, Self::BACK_MAX)
    }

    /// Checks days ahead against its bounds.
    pub(crate) fn checked_ahead(days: i64) -> Result<u32, Problem> {
        bounded(
            days,
            field::WINDOW_DAYS_AHEAD,
            Self::AHEAD_MIN,
            Self::AHEAD_MAX,
        )
    }

    /// Checks each bound, then the total.
    pub fn new(back: i64, ahead: i64) -> Result<Self, Vec<Problem>> {
        let (back, ahead) = match (Self::checked_back(back), Self::checked_ahead(ahead)) {
            (Ok(back), Ok(ahead)) => (back, ahead),
            (back, ahead) => return Err(back.err().into_iter().chain(ahead.err()).collect()),
        };
        let window = SyncWindow::new(back, ahead).map_err(|_| {
            vec![Problem::WindowTooLong {
                max: SyncWindow::MAX_DAYS,
            }]
        })?;
        Ok(Self {
            back,
            ahead,
            window,
        })
    }

    /// Days before today.
    pub fn back(&self) -> u32 {
        self.back
    }

    /// Days after today.
    pub fn ahead(&self) -> u32 {
        self.ahead
    }

    /// The engine's window.
    pub fn sync_window(&self) -> SyncWindow {
        self.window
    }
}

impl Default for WindowDays {
    fn default() -> Self {
        Self {
            back: 30,
            ahead: 365,
            window: SyncWindow::default(),
        }
    }
}

impl TryFrom<WindowFields> for WindowDays {
    type Error = String;

    fn try_from(fields: WindowFields) -> Result<Self, String> {
        Self::new(
            fields.window_days_back.into(),
            fields.window_days_ahead.into(),
        )
        .map_err(|problems| {
            let messages: Vec<String> = problems.iter().map(ToString::to_string).collect();
            messages.join("; ")
        })
    }
}

impl From<WindowDays> for WindowFields {
    fn from(days: WindowDays) -> Self {
        Self {
            window_days_back: days.back,
            window_days_ahead: days.ahead,
        }
    }
}

/// The user's sync choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SyncChoices {
    /// Who wins when both sides changed an item.
    #[serde(with = "crate::serde_text::choice")]
    pub conflict_policy: ConflictPolicy,
    /// Which way changes flow.
    #[serde(with = "crate::serde_text::choice")]
    pub direction: Direction,
    /// The window within which new items are copied.
    #[serde(flatten)]
    pub window: WindowDays,
}

impl SyncChoices {
    /// The engine's policy for these choices (deletion guard at its default).
    pub fn sync_policy(&self) -> SyncPolicy {
        SyncPolicy {
            conflict: self.conflict_policy,
            direction: self.direction,
            window: self.window.sync_window(),
            ..SyncPolicy::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_engine_value_has_a_name_that_round_trips() {
        for (name, value) in ConflictPolicy::NAMES {
            assert_eq!(value.name(), *name);
            assert_eq!(
                ConflictPolicy::from_name(&name.to_uppercase()),
                Some(*value)
            );
        }
        for (name, value) in Direction::NAMES {
            assert_eq!(value.name(), *name);
            assert_eq!(Direction::from_name(&format!(" {name} ")), Some(*value));
        }
        assert_eq!(ConflictPolicy::default().name(), "newest_wins");
        assert_eq!(Direction::default().name(), "two_way");
        assert_eq!(Direction::from_name("both"), None);
    }

    #[test]
    fn default_window_is_the_engines_default() {
        let days = WindowDays::default();
        assert_eq!((days.back(), days.ahead()), (30, 365));
        assert_eq!(days.sync_window(), SyncWindow::default());
        assert_eq!(WindowDays::new(30, 365).unwrap(), days);
    }
}
