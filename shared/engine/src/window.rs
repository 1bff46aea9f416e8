//! The sync window: the range of time within which new items are copied.

use chrono::{DateTime, TimeDelta, Utc};

/// How far back and ahead of now items are copied (default 30 days back, 365 ahead).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncWindow {
    days_back: u32,
    days_ahead: u32,
}

impl Default for SyncWindow {
    fn default() -> Self {
        Self {
            days_back: 30,
            days_ahead: 365,
        }
    }
}

/// Why a window was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a sync window spans at most {max} days; asked for {asked}")]
pub struct WindowError {
    max: u32,
    asked: u64,
}

impl SyncWindow {
    /// The longest window accepted: EWS refuses calendar views over two years.
    pub const MAX_DAYS: u32 = 730;

    /// Builds a window of `days_back` before and `days_ahead` after now.
    pub fn new(days_back: u32, days_ahead: u32) -> Result<Self, WindowError> {
        let asked = u64::from(days_back) + u64::from(days_ahead);
        if asked > u64::from(Self::MAX_DAYS) {
            return Err(WindowError {
                max: Self::MAX_DAYS,
                asked,
            });
        }
        Ok(Self {
            days_back,
            days_ahead,
        })
    }

    /// The window's bounds at `now`.
    pub fn bounds(&self, now: DateTime<Utc>) -> WindowBounds {
        WindowBounds {
            start: now - TimeDelta::days(i64::from(self.days_back)),
            end: now + TimeDelta::days(i64::from(self.days_ahead)),
        }
    }
}

/// A concrete window: `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowBounds {
    /// First instant inside.
    pub start: DateTime<Utc>,
    /// First instant after.
    pub end: DateTime<Utc>,
}

impl WindowBounds {
    /// Whether an item from `start` to `end` overlaps the window. Calendar-view semantics: items
    /// ending before the start or starting at or after the end are outside; a zero-length item
    /// at the start is inside.
    pub fn overlaps(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
        start < self.end && (end > self.start || (end == start && start == self.start))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn default_is_thirty_back_and_a_year_ahead() {
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap();
        let bounds = SyncWindow::default().bounds(now);
        assert_eq!(bounds.start, now - TimeDelta::days(30));
        assert_eq!(bounds.end, now + TimeDelta::days(365));
    }

    #[test]
    fn overlap_follows_calendar_view_rules() {
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap();
        let bounds = SyncWindow::new(1, 1).unwrap().bounds(now);
        let hour = TimeDelta::hours(1);
        assert!(bounds.overlaps(now, now + hour));
        assert!(bounds.overlaps(bounds.start - hour, bounds.start + hour));
        assert!(!bounds.overlaps(bounds.start - hour * 2, bounds.start - hour));
        assert!(!bounds.overlaps(bounds.end, bounds.end + hour));
        assert!(!bounds.overlaps(bounds.start - hour, bounds.start));
    }

    #[test]
    fn windows_over_two_years_are_refused() {
        assert!(SyncWindow::new(400, 400).is_err());
        assert!(SyncWindow::new(365, 365).is_ok());
    }
}
