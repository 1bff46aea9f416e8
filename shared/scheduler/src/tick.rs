//! Which tick an event stands for.

use chrono::{DateTime, TimeDelta, Utc};

/// The schedule's period: EventBridge `rate(5 minutes)`.
pub const DEFAULT_PERIOD: TimeDelta = TimeDelta::minutes(5);

/// `time` rounded down to a whole multiple of `period` since the Unix epoch. EventBridge may
/// deliver one scheduled event twice and stamps it with the scheduled minute (seconds may
/// vary); both deliveries map to one tick, so their jobs share deduplication ids. A period
/// below one second is taken as one second.
pub fn tick_of(time: DateTime<Utc>, period: TimeDelta) -> DateTime<Utc> {
    let period_ms = period.num_milliseconds().max(1_000);
    let at_ms = time.timestamp_millis();
    let floor_ms = at_ms - at_ms.rem_euclid(period_ms);
    DateTime::from_timestamp_millis(floor_ms).unwrap_or(time)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn times_within_one_period_map_to_its_start() {
        for time in [
            "2026-12-01T10:05:00Z",
            "2026-12-01T10:05:00.999Z",
            "2026-12-01T10:07:31Z",
            "2026-12-01T10:09:59.999Z",
        ] {
            assert_eq!(
                tick_of(at(time), DEFAULT_PERIOD),
                at("2026-12-01T10:05:00Z"),
                "{time}"
            );
        }
        assert_eq!(
            tick_of(at("2026-12-01T10:10:00Z"), DEFAULT_PERIOD),
            at("2026-12-01T10:10:00Z")
        );
    }

    #[test]
    fn other_periods_and_times_before_the_epoch() {
        assert_eq!(
            tick_of(at("2026-12-01T10:59:59Z"), TimeDelta::hours(1)),
            at("2026-12-01T10:00:00Z")
        );
        assert_eq!(
            tick_of(at("1969-12-31T23:58:00Z"), DEFAULT_PERIOD),
            at("1969-12-31T23:55:00Z")
        );
        assert_eq!(
            tick_of(at("2026-12-01T10:00:00.500Z"), TimeDelta::zero()),
            at("2026-12-01T10:00:00Z"),
            "a zero period is one second"
        );
    }
}
