//! Typed values inside EWS text: booleans, numbers, date-times and dates.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};

/// `true`/`false` (and the schema's `1`/`0`).
pub(crate) fn boolean(raw: &str) -> Result<bool, String> {
    match raw.trim() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        other => Err(format!("not a boolean: {other:?}")),
    }
}

/// A decimal number.
pub(crate) fn number<T: std::str::FromStr>(raw: &str) -> Result<T, String> {
    raw.trim()
        .parse()
        .map_err(|_| format!("not a number: {raw:?}"))
}

/// An `xs:dateTime`; responses carry `Z` or an offset, and a bare time is UTC (EWS's own default).
pub(crate) fn date_time(raw: &str) -> Result<DateTime<FixedOffset>, String> {
    let text = raw.trim();
    DateTime::parse_from_rfc3339(text)
        .or_else(|_| {
            NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
                .map(|naive| Utc.from_utc_datetime(&naive).fixed_offset())
        })
        .map_err(|_| format!("not a date-time: {text:?}"))
}

/// An `xs:date`, whose optional zone suffix (`Z`, `+02:00`, `-08:00`) is dropped.
pub(crate) fn date(raw: &str) -> Result<NaiveDate, String> {
    let text = raw.trim();
    text.get(..10)
        .and_then(|day| NaiveDate::parse_from_str(day, "%Y-%m-%d").ok())
        .ok_or_else(|| format!("not a date: {text:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_times_keep_their_offset() {
        let with_offset = date_time("2013-05-19T18:00:00+02:00").unwrap();
        assert_eq!(with_offset.offset().local_minus_utc(), 7200);
        assert_eq!(
            with_offset.to_utc(),
            date_time("2013-05-19T16:00:00Z").unwrap().to_utc()
        );
        assert_eq!(
            date_time("2013-09-21T16:00:00.000").unwrap().to_utc(),
            date_time("2013-09-21T16:00:00Z").unwrap().to_utc()
        );
        assert!(date_time("yesterday").is_err());
    }

    #[test]
    fn dates_drop_their_zone_suffix() {
        let expected = NaiveDate::from_ymd_opt(2014, 3, 8).unwrap();
        assert_eq!(date("2014-03-08-08:00"), Ok(expected));
        assert_eq!(date("2014-03-08Z"), Ok(expected));
        assert_eq!(date("2014-03-08+02:00"), Ok(expected));
        assert_eq!(date("2014-03-08"), Ok(expected));
        assert!(date("2014-3-8").is_err());
    }

    #[test]
    fn booleans_and_numbers() {
        assert_eq!(boolean(" true "), Ok(true));
        assert_eq!(boolean("0"), Ok(false));
        assert!(boolean("yes").is_err());
        assert_eq!(number::<u32>("042"), Ok(42));
        assert!(number::<u32>("-1").is_err());
    }
}
