//! Which listed items a window listing keeps, decided on the relevance properties alone so that
//! items outside the window are dropped before anything is read in full.

use chrono::{DateTime, Days, NaiveTime, Utc};
use ohsync_engine::ports::ItemSummary;
use ohsync_engine::window::WindowBounds;
use ohsync_ews::CalendarItem;
use ohsync_ews::model::RecurrenceRange;

/// Whether an item overlaps the window. A single overlaps by its own start and end; a series
/// by its first start and the end of its last occurrence, when the listing told (a master's
/// first occurrence may lie long before the window while the series recurs into it). A series
/// whose end is unknown is kept: dropping it could lose it, keeping it costs one read.
pub fn overlaps_window(item: &CalendarItem, summary: &ItemSummary, window: &WindowBounds) -> bool {
    if !summary.is_series {
        return window.overlaps(summary.start, summary.end);
    }
    let series_end = series_end(item).unwrap_or(DateTime::<Utc>::MAX_UTC);
    window.overlaps(summary.start, series_end.max(summary.end))
}

/// The latest instant the series reaches: its last occurrence's end, else the day after its
/// range's end date (a day later still, since the date is local to an unknown zone).
fn series_end(item: &CalendarItem) -> Option<DateTime<Utc>> {
    if let Some(end) = item.last_occurrence.as_ref().and_then(|last| last.end) {
        return Some(end.to_utc());
    }
    match item.recurrence.as_ref().map(|recurrence| &recurrence.range) {
        Some(RecurrenceRange::EndDate { end_date, .. }) => end_date
            .checked_add_days(Days::new(2))
            .map(|day| day.and_time(NaiveTime::MIN).and_utc()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeDelta};
    use ohsync_engine::identity::{ChangeKey, ExchangeItemId, ExchangeItemKey, ExchangeUid};
    use ohsync_ews::model::{OccurrenceInfo, Recurrence, RecurrencePattern};

    fn window() -> WindowBounds {
        let now: DateTime<Utc> = "2026-12-01T00:00:00Z".parse().unwrap();
        WindowBounds {
            start: now - TimeDelta::days(30),
            end: now + TimeDelta::days(365),
        }
    }

    fn summary(start: &str, hours: i64, is_series: bool) -> ItemSummary {
        let start: DateTime<Utc> = start.parse().unwrap();
        ItemSummary {
            key: ExchangeItemKey {
                item_id: ExchangeItemId::parse("AAMk").unwrap(),
                change_key: ChangeKey::parse("DwAA").unwrap(),
                uid: ExchangeUid::parse("UID").unwrap(),
            },
            start,
            end: start + TimeDelta::hours(hours),
            is_series,
            tag: None,
        }
    }

    fn recurring(range: RecurrenceRange) -> CalendarItem {
        CalendarItem {
            recurrence: Some(Recurrence {
                pattern: RecurrencePattern::Daily { interval: 1 },
                range,
            }),
            ..CalendarItem::default()
        }
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn singles_follow_their_own_times() {
        let item = CalendarItem::default();
        assert!(overlaps_window(
            &item,
            &summary("2026-12-10T09:00:00Z", 1, false),
            &window()
        ));
        assert!(!overlaps_window(
            &item,
            &summary("2019-05-01T09:00:00Z", 1, false),
            &window()
        ));
        assert!(!overlaps_window(
            &item,
            &summary("2031-05-01T09:00:00Z", 1, false),
            &window()
        ));
    }

    #[test]
    fn a_series_that_began_years_ago_and_never_ends_is_kept() {
        let item = recurring(RecurrenceRange::NoEnd {
            start_date: day(2019, 5, 1),
        });
        assert!(overlaps_window(
            &item,
            &summary("2019-05-01T09:00:00Z", 1, true),
            &window()
        ));
        let unknown = CalendarItem::default();
        assert!(overlaps_window(
            &unknown,
            &summary("2019-05-01T09:00:00Z", 1, true),
            &window()
        ));
    }

    #[test]
    fn a_series_that_ended_before_the_window_is_dropped() {
        let by_date = recurring(RecurrenceRange::EndDate {
            start_date: day(2019, 5, 1),
            end_date: day(2020, 5, 1),
        });
        assert!(!overlaps_window(
            &by_date,
            &summary("2019-05-01T09:00:00Z", 1, true),
            &window()
        ));
        let by_last = CalendarItem {
            last_occurrence: Some(OccurrenceInfo {
                end: Some("2026-11-15T10:00:00Z".parse().unwrap()),
                ..OccurrenceInfo::default()
            }),
            ..CalendarItem::default()
        };
        assert!(overlaps_window(
            &by_last,
            &summary("2019-05-01T09:00:00Z", 1, true),
            &window()
        ));
        let ended = CalendarItem {
            last_occurrence: Some(OccurrenceInfo {
                end: Some("2026-10-15T10:00:00Z".parse().unwrap()),
                ..OccurrenceInfo::default()
            }),
            ..CalendarItem::default()
        };
        assert!(!overlaps_window(
            &ended,
            &summary("2019-05-01T09:00:00Z", 1, true),
            &window()
        ));
    }

    #[test]
    fn a_series_starting_after_the_window_is_dropped() {
        let item = recurring(RecurrenceRange::NoEnd {
            start_date: day(2030, 1, 1),
        });
        assert!(!overlaps_window(
            &item,
            &summary("2030-01-01T09:00:00Z", 1, true),
            &window()
        ));
    }
}
