//! The normalised appointment both sides are translated into, and its content hash.
//!
//! Every field is held in normalised form, so two appointments that differ only in representation
//! noise (category order, trailing spaces, CRLF line ends, sub-second times) compare equal and hash
//! equal. Adapters build an `Appointment` from their own wire format; the engine never sees raw text.

use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use sha2::{Digest, Sha256};

use crate::series::{Exception, Recurrence};

/// Text with normalised line ends and no trailing whitespace (per line or at either end).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Text(String);

impl Text {
    /// Normalises `raw`: CRLF and CR become LF, trailing whitespace goes from each line, and
    /// leading and trailing blank space from the whole text.
    pub fn new(raw: &str) -> Self {
        let unified = raw.replace("\r\n", "\n").replace('\r', "\n");
        let lines: Vec<&str> = unified.lines().map(str::trim_end).collect();
        Self(lines.join("\n").trim().to_owned())
    }

    /// The normalised text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Text {
    fn from(raw: &str) -> Self {
        Self::new(raw)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a schedule could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    /// The end lies before the start.
    #[error("the end ({end}) lies before the start ({start})")]
    EndBeforeStart {
        /// The start as given.
        start: String,
        /// The end as given.
        end: String,
    },
    /// An all-day appointment must cover at least one day.
    #[error("an all-day appointment must end after its first day")]
    EmptyAllDay,
}

/// A timed span between two instants, whole seconds, end not before start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimedSpan {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

impl TimedSpan {
    /// Builds a span; sub-second parts are dropped because Exchange stores whole seconds.
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Result<Self, ScheduleError> {
        let start = whole_seconds(start);
        let end = whole_seconds(end);
        if end < start {
            return Err(ScheduleError::EndBeforeStart {
                start: start.to_rfc3339(),
                end: end.to_rfc3339(),
            });
        }
        Ok(Self { start, end })
    }

    /// The start instant.
    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }

    /// The end instant.
    pub fn end(&self) -> DateTime<Utc> {
        self.end
    }
}

fn whole_seconds(at: DateTime<Utc>) -> DateTime<Utc> {
    at.with_nanosecond(0).unwrap_or(at)
}

/// An all-day span: midnight of `first_day` to midnight of `end_day` (exclusive) in the zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DaySpan {
    first_day: NaiveDate,
    end_day: NaiveDate,
}

impl DaySpan {
    /// Builds a span of whole days; `end_day` is exclusive and must come after `first_day`.
    pub fn new(first_day: NaiveDate, end_day: NaiveDate) -> Result<Self, ScheduleError> {
        if end_day <= first_day {
            return Err(ScheduleError::EmptyAllDay);
        }
        Ok(Self { first_day, end_day })
    }

    /// The first day covered.
    pub fn first_day(&self) -> NaiveDate {
        self.first_day
    }

    /// The day after the last day covered.
    pub fn end_day(&self) -> NaiveDate {
        self.end_day
    }
}

/// When an appointment takes place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Schedule {
    /// From one instant to another.
    Timed(TimedSpan),
    /// Whole days, midnight to midnight in the appointment's zone.
    AllDay(DaySpan),
}

impl Schedule {
    /// The covered instants; all-day dates are resolved at midnight in `zone`.
    pub fn instants(&self, zone: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
        match self {
            Self::Timed(span) => (span.start, span.end),
            Self::AllDay(days) => (
                midnight_in(zone, days.first_day),
                midnight_in(zone, days.end_day),
            ),
        }
    }

    /// Whether this is an all-day schedule.
    pub fn is_all_day(&self) -> bool {
        matches!(self, Self::AllDay(_))
    }
}

fn midnight_in(zone: Tz, day: NaiveDate) -> DateTime<Utc> {
    let local = day.and_time(NaiveTime::MIN);
    // A zone whose clocks skip midnight on this day starts the day at the first valid instant
    // after it; taking the earliest mapping keeps the result deterministic.
    zone.from_local_datetime(&local)
        .earliest()
        .map(|at| at.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&local))
}

/// How the time shows in free/busy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ShowAs {
    /// Free.
    Free,
    /// Tentative.
    Tentative,
    /// Busy.
    Busy,
    /// Out of office.
    OutOfOffice,
    /// Working elsewhere (Exchange 2013 and later).
    WorkingElsewhere,
}

impl ShowAs {
    fn code(self) -> u8 {
        match self {
            Self::Free => 0,
            Self::Tentative => 1,
            Self::Busy => 2,
            Self::OutOfOffice => 3,
            Self::WorkingElsewhere => 4,
        }
    }
}

/// Categories: trimmed, empty ones dropped, deduplicated and sorted.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Categories(Vec<String>);

impl Categories {
    /// Normalises a list of category names.
    pub fn new<I, S>(names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut names: Vec<String> = names
            .into_iter()
            .map(|name| name.as_ref().trim().to_owned())
            .filter(|name| !name.is_empty())
            .collect();
        names.sort();
        names.dedup();
        Self(names)
    }

    /// The normalised names in order.
    pub fn names(&self) -> &[String] {
        &self.0
    }
}

/// A normalised appointment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appointment {
    /// Subject.
    pub subject: Text,
    /// Location.
    pub location: Text,
    /// Body as plain text.
    pub body: Text,
    /// When it takes place.
    pub schedule: Schedule,
    /// The IANA zone it was planned in.
    pub time_zone: Tz,
    /// Private (Exchange: Sensitivity Private).
    pub private: bool,
    /// Free/busy status.
    pub show_as: ShowAs,
    /// Reminder before the start, if set.
    pub reminder_minutes: Option<u32>,
    /// Categories.
    pub categories: Categories,
    /// What makes it recur, when it is a series.
    pub recurrence: Option<Recurrence>,
}

impl Appointment {
    /// Whether this is a recurring series.
    pub fn is_series(&self) -> bool {
        self.recurrence.is_some()
    }

    /// Whether this is a series ohsync cannot sync (its rule is outside the subset).
    pub fn has_unsupported_recurrence(&self) -> bool {
        matches!(self.recurrence, Some(Recurrence::Unsupported(_)))
    }

    /// The covered instants (of the first occurrence, for a series).
    pub fn instants(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        self.schedule.instants(self.time_zone)
    }

    /// From the start to the end of the last occurrence: what the sync window is tested
    /// against. A series without end (or with a rule ohsync cannot expand) reaches forever.
    pub fn extent(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        let (start, end) = self.instants();
        let last_end = match &self.recurrence {
            None => Some(end),
            Some(Recurrence::Unsupported(_)) => None,
            Some(Recurrence::Series(series)) => series
                .rule()
                .last_date(self.schedule.first_date(self.time_zone))
                .map(|last| {
                    self.schedule
                        .on(self.time_zone, last)
                        .instants(self.time_zone)
                        .1
                }),
        };
        (start, last_end.unwrap_or(DateTime::<Utc>::MAX_UTC).max(end))
    }

    /// The key that makes two appointments "clearly the same" on a first run: subject, start,
    /// end (of the first occurrence), the all-day flag and whether it is a series.
    pub fn identity_key(&self) -> IdentityKey {
        let (start, end) = self.instants();
        IdentityKey {
            subject: self.subject.clone(),
            start,
            end,
            all_day: self.schedule.is_all_day(),
            series: self.is_series(),
        }
    }

    /// SHA-256 over a canonical, length-prefixed encoding of every field.
    pub fn content_hash(&self) -> ContentHash {
        let mut encoder = CanonicalEncoder::new();
        encoder.field(b"subject", self.subject.as_str().as_bytes());
        encoder.field(b"location", self.location.as_str().as_bytes());
        encoder.field(b"body", self.body.as_str().as_bytes());
        encoder.schedule(&self.schedule);
        encoder.field(b"zone", self.time_zone.name().as_bytes());
        encoder.field(b"private", &[u8::from(self.private)]);
        encoder.field(b"show_as", &[self.show_as.code()]);
        match self.reminder_minutes {
            Some(minutes) => encoder.field(b"reminder", &minutes.to_be_bytes()),
            None => encoder.field(b"no_reminder", &[]),
        }
        for name in self.categories.names() {
            encoder.field(b"category", name.as_bytes());
        }
        match &self.recurrence {
            None => encoder.field(b"single", &[]),
            Some(Recurrence::Unsupported(text)) => encoder.field(b"recurrence", text.as_bytes()),
            Some(Recurrence::Series(series)) => {
                encoder.field(b"rule", series.rule().to_string().as_bytes());
                for (date, exception) in series.exceptions() {
                    let date = date.to_string();
                    match exception {
                        Exception::Cancelled => encoder.field(b"cancelled", date.as_bytes()),
                        Exception::Modified(occurrence) => {
                            encoder.field(b"modified", date.as_bytes());
                            encoder.schedule(&occurrence.schedule);
                            encoder.field(b"subject", occurrence.subject.as_str().as_bytes());
                            encoder.field(b"location", occurrence.location.as_str().as_bytes());
                        }
                    }
                }
            }
        }
        encoder.finish()
    }
}

/// Subject, start, end, all-day and series: what makes two unlinked appointments the same on a
/// first run.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdentityKey {
    subject: Text,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    all_day: bool,
    series: bool,
}

struct CanonicalEncoder(Sha256);

impl CanonicalEncoder {
    fn new() -> Self {
        let mut hasher = Sha256::new();
        hasher.update(b"ohsync-appointment-v1");
        Self(hasher)
    }

    // Each field is name-length, name, value-length, value: no two different field lists can
    // produce the same byte stream.
    fn field(&mut self, name: &[u8], value: &[u8]) {
        self.0.update((name.len() as u64).to_be_bytes());
        self.0.update(name);
        self.0.update((value.len() as u64).to_be_bytes());
        self.0.update(value);
    }

    fn schedule(&mut self, schedule: &Schedule) {
        match schedule {
            Schedule::Timed(span) => {
                self.field(b"start", &span.start.timestamp().to_be_bytes());
                self.field(b"end", &span.end.timestamp().to_be_bytes());
            }
            Schedule::AllDay(days) => {
                self.field(b"first_day", days.first_day.to_string().as_bytes());
                self.field(b"end_day", days.end_day.to_string().as_bytes());
            }
        }
    }

    fn finish(self) -> ContentHash {
        ContentHash(self.0.finalize().into())
    }
}

/// SHA-256 of an appointment's canonical encoding.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContentHash([u8; 32]);

impl ContentHash {
    /// The raw digest.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Rebuilds a hash from its stored digest.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }
}

impl fmt::Display for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in self.0 {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ContentHash({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::series::{ModifiedOccurrence, Series};

    fn sample() -> Appointment {
        Appointment {
            subject: Text::new("Overleg"),
            location: Text::new("Kamer 2"),
            body: Text::new("Agenda:\n- punt 1"),
            schedule: Schedule::Timed(
                TimedSpan::new(
                    Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap(),
                    Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap(),
                )
                .unwrap(),
            ),
            time_zone: chrono_tz::Europe::Amsterdam,
            private: false,
            show_as: ShowAs::Busy,
            reminder_minutes: Some(15),
            categories: Categories::new(["Werk", "Klant"]),
            recurrence: None,
        }
    }

    #[test]
    fn representation_noise_does_not_change_the_hash() {
        let mut noisy = sample();
        noisy.subject = Text::new("  Overleg \t");
        noisy.body = Text::new("Agenda:  \r\n- punt 1\r\n\r\n");
        noisy.categories = Categories::new([" Klant", "Werk", "Klant ", ""]);
        assert_eq!(noisy, sample());
        assert_eq!(noisy.content_hash(), sample().content_hash());
    }

    #[test]
    fn every_field_takes_part_in_the_hash() {
        let base = sample().content_hash();
        let mut variants = Vec::new();
        let mut changed = sample();
        changed.subject = Text::new("Overleg 2");
        variants.push(changed);
        let mut changed = sample();
        changed.location = Text::new("Kamer 3");
        variants.push(changed);
        let mut changed = sample();
        changed.body = Text::new("anders");
        variants.push(changed);
        let mut changed = sample();
        changed.time_zone = chrono_tz::Europe::London;
        variants.push(changed);
        let mut changed = sample();
        changed.private = true;
        variants.push(changed);
        let mut changed = sample();
        changed.show_as = ShowAs::Tentative;
        variants.push(changed);
        let mut changed = sample();
        changed.reminder_minutes = None;
        variants.push(changed);
        let mut changed = sample();
        changed.categories = Categories::new(["Werk"]);
        variants.push(changed);
        let mut changed = sample();
        changed.recurrence = Some(Recurrence::Unsupported("FREQ=DAILY;BYHOUR=9".into()));
        variants.push(changed);
        let mut changed = sample();
        changed.schedule = Schedule::AllDay(
            DaySpan::new(
                NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
                NaiveDate::from_ymd_opt(2026, 12, 2).unwrap(),
            )
            .unwrap(),
        );
        variants.push(changed);
        let series = |exceptions: Vec<(NaiveDate, Exception)>| {
            let mut changed = sample();
            let rule = "FREQ=DAILY;INTERVAL=1;COUNT=5".parse().unwrap();
            let first = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
            changed.recurrence = Some(Recurrence::Series(
                Series::new(rule, first, exceptions).unwrap(),
            ));
            changed
        };
        let day = |d| NaiveDate::from_ymd_opt(2026, 12, d).unwrap();
        let moved = |subject: &str, hour| {
            Exception::Modified(ModifiedOccurrence {
                schedule: Schedule::Timed(
                    TimedSpan::new(
                        Utc.with_ymd_and_hms(2026, 12, 2, hour, 0, 0).unwrap(),
                        Utc.with_ymd_and_hms(2026, 12, 2, hour + 1, 0, 0).unwrap(),
                    )
                    .unwrap(),
                ),
                subject: Text::new(subject),
                location: Text::new("Kamer 2"),
            })
        };
        let series_variants = [
            series(vec![]),
            series(vec![(day(2), Exception::Cancelled)]),
            series(vec![(day(3), Exception::Cancelled)]),
            series(vec![(day(2), moved("Overleg", 9))]),
            series(vec![(day(2), moved("Overleg", 10))]),
            series(vec![(day(2), moved("Verzet", 9))]),
        ];
        for (index, one) in series_variants.iter().enumerate() {
            for other in &series_variants[index + 1..] {
                assert_ne!(
                    one.content_hash(),
                    other.content_hash(),
                    "{one:?} {other:?}"
                );
            }
        }
        variants.extend(series_variants);
        for variant in variants {
            assert_ne!(variant.content_hash(), base, "{variant:?}");
        }
    }

    #[test]
    fn a_series_reaches_to_its_last_occurrence_and_one_without_end_forever() {
        let mut series = sample();
        let first = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let rule = "FREQ=WEEKLY;INTERVAL=1;BYDAY=TU;WKST=MO;COUNT=3"
            .parse()
            .unwrap();
        series.recurrence = Some(Recurrence::Series(Series::new(rule, first, []).unwrap()));
        assert_eq!(
            series.extent(),
            (
                Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap(),
                Utc.with_ymd_and_hms(2026, 12, 15, 10, 0, 0).unwrap()
            )
        );
        series.recurrence = Some(Recurrence::Unsupported("FREQ=HOURLY".into()));
        assert_eq!(series.extent().1, DateTime::<Utc>::MAX_UTC);
        assert_eq!(sample().extent(), sample().instants());
    }

    #[test]
    fn field_boundaries_cannot_be_shifted() {
        let mut left = sample();
        left.subject = Text::new("ab");
        left.location = Text::new("c");
        let mut right = sample();
        right.subject = Text::new("a");
        right.location = Text::new("bc");
        assert_ne!(left.content_hash(), right.content_hash());
    }

    #[test]
    fn spans_are_parsed_not_trusted() {
        let at = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
        assert!(TimedSpan::new(at, at - chrono::TimeDelta::minutes(1)).is_err());
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(DaySpan::new(day, day), Err(ScheduleError::EmptyAllDay));
    }

    #[test]
    fn all_day_dates_resolve_at_local_midnight() {
        let day = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
        let next = NaiveDate::from_ymd_opt(2026, 7, 2).unwrap();
        let schedule = Schedule::AllDay(DaySpan::new(day, next).unwrap());
        let (start, end) = schedule.instants(chrono_tz::Europe::Amsterdam);
        assert_eq!(start, Utc.with_ymd_and_hms(2026, 6, 30, 22, 0, 0).unwrap());
        assert_eq!(end, Utc.with_ymd_and_hms(2026, 7, 1, 22, 0, 0).unwrap());
    }
}
