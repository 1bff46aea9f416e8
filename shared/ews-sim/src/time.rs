//! EWS date-times: parsing (with offset, `Z`, or naive in a Windows time zone), formatting in UTC the
//! way Exchange answers, and the Windows → IANA zone names the simulator understands.

use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// Windows zone ids (as in `StartTimeZone/@Id`) mapped to IANA zones; the common ones are enough here.
const WINDOWS_ZONES: [(&str, Tz); 40] = [
    ("UTC", Tz::UTC),
    ("tzone://Microsoft/Utc", Tz::UTC),
    ("GMT Standard Time", Tz::Europe__London),
    ("Greenwich Standard Time", Tz::Atlantic__Reykjavik),
    ("W. Europe Standard Time", Tz::Europe__Berlin),
    ("Romance Standard Time", Tz::Europe__Paris),
    ("Central Europe Standard Time", Tz::Europe__Budapest),
    ("Central European Standard Time", Tz::Europe__Warsaw),
    ("E. Europe Standard Time", Tz::Europe__Chisinau),
    ("FLE Standard Time", Tz::Europe__Kiev),
    ("GTB Standard Time", Tz::Europe__Bucharest),
    ("Turkey Standard Time", Tz::Europe__Istanbul),
    ("Russian Standard Time", Tz::Europe__Moscow),
    ("Israel Standard Time", Tz::Asia__Jerusalem),
    ("Egypt Standard Time", Tz::Africa__Cairo),
    ("South Africa Standard Time", Tz::Africa__Johannesburg),
    ("Morocco Standard Time", Tz::Africa__Casablanca),
    ("Arabian Standard Time", Tz::Asia__Dubai),
    ("India Standard Time", Tz::Asia__Kolkata),
    ("SE Asia Standard Time", Tz::Asia__Bangkok),
    ("China Standard Time", Tz::Asia__Shanghai),
    ("Singapore Standard Time", Tz::Asia__Singapore),
    ("Tokyo Standard Time", Tz::Asia__Tokyo),
    ("Korea Standard Time", Tz::Asia__Seoul),
    ("W. Australia Standard Time", Tz::Australia__Perth),
    ("Cen. Australia Standard Time", Tz::Australia__Adelaide),
    ("AUS Eastern Standard Time", Tz::Australia__Sydney),
    ("New Zealand Standard Time", Tz::Pacific__Auckland),
    ("Hawaiian Standard Time", Tz::Pacific__Honolulu),
    ("Alaskan Standard Time", Tz::America__Anchorage),
    ("Pacific Standard Time", Tz::America__Los_Angeles),
    ("US Mountain Standard Time", Tz::America__Phoenix),
    ("Mountain Standard Time", Tz::America__Denver),
    ("Central Standard Time", Tz::America__Chicago),
    ("Canada Central Standard Time", Tz::America__Regina),
    ("Eastern Standard Time", Tz::America__New_York),
    ("Atlantic Standard Time", Tz::America__Halifax),
    ("E. South America Standard Time", Tz::America__Sao_Paulo),
    (
        "Argentina Standard Time",
        Tz::America__Argentina__Buenos_Aires,
    ),
    ("Central America Standard Time", Tz::America__Guatemala),
];

/// The IANA zone for a Windows zone id, if the simulator knows it.
pub fn windows_zone(id: &str) -> Option<Tz> {
    WINDOWS_ZONES
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(id.trim()))
        .map(|(_, zone)| *zone)
}

/// A date-time as written in a request: absolute, or naive (to be placed in a zone later).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WireDateTime {
    /// Carried `Z` or an offset.
    Absolute(DateTime<Utc>),
    /// No zone designator.
    Naive(NaiveDateTime),
}

impl WireDateTime {
    /// Parses `xs:dateTime` as EWS clients send it.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if let Ok(absolute) = DateTime::parse_from_rfc3339(text) {
            return Some(Self::Absolute(absolute.with_timezone(&Utc)));
        }
        NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
            .ok()
            .map(Self::Naive)
    }

    /// Resolves to UTC: naive times are read in `zone` (EWS-NOTES §6), or UTC when there is none.
    pub fn resolve(self, zone: Option<Tz>) -> DateTime<Utc> {
        match self {
            Self::Absolute(instant) => instant,
            Self::Naive(naive) => local_to_utc(naive, zone.unwrap_or(Tz::UTC)),
        }
    }
}

/// A local wall-clock time in `zone` as UTC; a time skipped by a DST jump moves forward an hour.
pub fn local_to_utc(naive: NaiveDateTime, zone: Tz) -> DateTime<Utc> {
    match zone.from_local_datetime(&naive) {
        LocalResult::Single(local) | LocalResult::Ambiguous(local, _) => local.with_timezone(&Utc),
        LocalResult::None => {
            let later = naive + chrono::Duration::hours(1);
            zone.from_local_datetime(&later)
                .earliest()
                .map_or_else(|| naive.and_utc(), |local| local.with_timezone(&Utc))
        }
    }
}

/// Parses an absolute or naive date-time and resolves it (convenience for stored values).
pub fn parse_instant(text: &str) -> Option<DateTime<Utc>> {
    WireDateTime::parse(text).map(|wire| wire.resolve(None))
}

/// Exchange's answer format: UTC with `Z`, whole seconds.
pub fn format_instant(instant: DateTime<Utc>) -> String {
    instant.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Parses `xs:date`, tolerating a trailing offset (`2014-03-08-08:00`) as Microsoft's samples send it.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok()
}

/// An `xs:duration` for a span, e.g. `PT1H30M` or `P2D`.
pub fn format_duration(span: chrono::Duration) -> String {
    let total = span.num_seconds().max(0);
    let (days, rest) = (total / 86_400, total % 86_400);
    let (hours, rest) = (rest / 3600, rest % 3600);
    let (minutes, seconds) = (rest / 60, rest % 60);
    let mut out = String::from("P");
    if days > 0 {
        out.push_str(&format!("{days}D"));
    }
    if hours > 0 || minutes > 0 || seconds > 0 || days == 0 {
        out.push('T');
        if hours > 0 {
            out.push_str(&format!("{hours}H"));
        }
        if minutes > 0 {
            out.push_str(&format!("{minutes}M"));
        }
        if seconds > 0 || (hours == 0 && minutes == 0) {
            out.push_str(&format!("{seconds}S"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_date_time_forms_clients_send() {
        let utc = parse_instant("2013-09-21T16:00:00.000Z").unwrap();
        assert_eq!(format_instant(utc), "2013-09-21T16:00:00Z");
        let offset = parse_instant("2014-03-08T13:21:32.868-08:00").unwrap();
        assert_eq!(format_instant(offset), "2014-03-08T21:21:32Z");
        let naive = WireDateTime::parse("2023-02-07T18:00:00.000").unwrap();
        let central = naive.resolve(windows_zone("Central Standard Time"));
        assert_eq!(format_instant(central), "2023-02-08T00:00:00Z");
        assert_eq!(format_instant(naive.resolve(None)), "2023-02-07T18:00:00Z");
        assert!(WireDateTime::parse("yesterday").is_none());
    }

    #[test]
    fn resolves_local_times_across_daylight_saving_changes() {
        let zone = windows_zone("W. Europe Standard Time").unwrap();
        let summer = NaiveDate::from_ymd_opt(2026, 7, 1)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        let winter = NaiveDate::from_ymd_opt(2026, 12, 1)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        assert_eq!(
            format_instant(local_to_utc(summer, zone)),
            "2026-07-01T07:00:00Z"
        );
        assert_eq!(
            format_instant(local_to_utc(winter, zone)),
            "2026-12-01T08:00:00Z"
        );
        let skipped = NaiveDate::from_ymd_opt(2026, 3, 29)
            .unwrap()
            .and_hms_opt(2, 30, 0)
            .unwrap();
        assert_eq!(
            format_instant(local_to_utc(skipped, zone)),
            "2026-03-29T01:30:00Z"
        );
    }

    #[test]
    fn formats_durations_and_reads_dates_with_offsets() {
        assert_eq!(format_duration(chrono::Duration::minutes(90)), "PT1H30M");
        assert_eq!(format_duration(chrono::Duration::days(2)), "P2D");
        assert_eq!(format_duration(chrono::Duration::zero()), "PT0S");
        assert_eq!(
            parse_date("2014-03-08-08:00"),
            NaiveDate::from_ymd_opt(2014, 3, 8)
        );
    }
}
