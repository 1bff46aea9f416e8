//! Exchange calendar items ⇄ the engine's appointments.
//!
//! Reading: [`Converter::exchange_item`] (a full GetItem item) and [`Converter::summary`] (an item
//! in the relevance shape of SyncFolderItems and FindItem). Writing: [`Converter::new_item`] and
//! [`Converter::item_change`] for the item itself, and [`Converter::exception_writes`] for the
//! occurrence writes a series with exceptions needs after it. The schema version decides how zones are written (StartTimeZone /
//! EndTimeZone from Exchange 2010, MeetingTimeZone before) and whether WorkingElsewhere exists.

mod exceptions;
mod properties;
mod read;
mod recurrence;
mod rule;
mod schedule;
mod series;
mod windows_zones;
mod write;
mod zones;

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::NaiveDate;
use chrono_tz::Tz;
use ohsync_engine::appointment::ScheduleError;
use ohsync_engine::identity::IdError;
use ohsync_ews::ExchangeVersion;

pub use exceptions::ExceptionWrites;
pub use read::is_stored_item;
pub use recurrence::recurrence_blob;
pub use rule::{ews_from_rule, rule_from_ews};
pub use series::{OccurrenceDetails, modified_occurrence_ids};
pub use zones::Zones;

/// Why an item could not be converted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConvertError {
    /// A property every calendar item has was not returned.
    #[error("the item has no {0}")]
    Missing(&'static str),
    /// An id the engine cannot hold.
    #[error("the item's {field} is not usable: {source}")]
    BadId {
        /// Which id.
        field: &'static str,
        /// Why.
        source: IdError,
    },
    /// The ohsync tag cannot be written as EWS needs it.
    #[error("the ohsync tag cannot be written: {0}")]
    BadTag(String),
    /// Start and end do not make a schedule.
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
    /// Not a single or a series master: a meeting message, an occurrence or an exception.
    #[error("not a stored calendar item: {0}")]
    NotStored(String),
    /// A modified occurrence of the series could not be read, so the series is not known whole.
    #[error("the modified occurrence {0} could not be read")]
    OccurrenceUnread(String),
    /// A series with a rule ohsync cannot sync (the engine never asks to write one).
    #[error("this recurring series has a rule that cannot be written to Exchange")]
    UnsupportedRecurrence,
    /// An exception on a date the series' rule does not give.
    #[error("the series has no occurrence on {0}")]
    NotAnOccurrence(NaiveDate),
    /// A modified occurrence moved onto or past the day of the occurrence before or after it,
    /// which Exchange refuses (ErrorOccurrenceCrossingBoundary).
    #[error(
        "the occurrence of {original} cannot move to {moved_to}: Exchange keeps an occurrence between the days of its neighbours"
    )]
    OccurrenceCrossesNeighbour {
        /// The occurrence's original date.
        original: NaiveDate,
        /// The day it was moved to.
        moved_to: NaiveDate,
    },
}

/// Converts for one mailbox: its schema version and its user's default zone, and counts the
/// malformed ohsync tags it met.
#[derive(Debug)]
pub struct Converter {
    version: ExchangeVersion,
    zones: Zones,
    malformed_tags: AtomicU64,
}

impl Converter {
    /// A converter for requests stated as `version`, for a user in `default_zone`.
    pub fn new(version: ExchangeVersion, default_zone: Tz) -> Self {
        Self {
            version,
            zones: Zones::new(default_zone),
            malformed_tags: AtomicU64::new(0),
        }
    }

    /// How many items carried an ohsync tag that does not read `tenant:officeheart-id`.
    pub fn malformed_tags(&self) -> u64 {
        self.malformed_tags.load(Ordering::Relaxed)
    }

    fn count_malformed_tag(&self) {
        self.malformed_tags.fetch_add(1, Ordering::Relaxed);
    }
}
