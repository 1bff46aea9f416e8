//! Paged responses: the change feed and the window listing, and the window a listing covers.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::appointment::Appointment;
use crate::ids::{AppointmentId, Cursor, PageToken, Version};

/// One entry of a user's change feed: the latest state of one appointment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ChangeWire", into = "ChangeWire")]
pub enum Change {
    /// Created or updated; carries the appointment as it is now.
    Upserted(Box<Appointment>),
    /// Deleted; the version is the one the deletion produced.
    Deleted {
        /// The deleted appointment's id.
        id: AppointmentId,
        /// The version written by the deletion.
        version: Version,
    },
}

impl Change {
    /// The appointment this change is about.
    pub fn id(&self) -> &AppointmentId {
        match self {
            Self::Upserted(appointment) => &appointment.id,
            Self::Deleted { id, .. } => id,
        }
    }

    /// The appointment's version after this change.
    pub fn version(&self) -> &Version {
        match self {
            Self::Upserted(appointment) => &appointment.version,
            Self::Deleted { version, .. } => version,
        }
    }
}

/// The flat wire form of [`Change`].
#[derive(Serialize, Deserialize)]
struct ChangeWire {
    id: AppointmentId,
    version: Version,
    deleted: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    appointment: Option<Appointment>,
}

/// A change entry whose parts contradict each other.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidChange {
    /// `deleted: false` needs the appointment; `deleted: true` must not carry one.
    #[error("a change must carry the appointment exactly when it is not a deletion")]
    AppointmentPresence,
    /// The entry's id or version differs from the appointment's.
    #[error("the change's id and version must equal the appointment's")]
    Mismatch,
}

impl TryFrom<ChangeWire> for Change {
    type Error = InvalidChange;

    fn try_from(wire: ChangeWire) -> Result<Self, Self::Error> {
        match (wire.deleted, wire.appointment) {
            (true, None) => Ok(Self::Deleted {
                id: wire.id,
                version: wire.version,
            }),
            (false, Some(appointment))
                if appointment.id == wire.id && appointment.version == wire.version =>
            {
                Ok(Self::Upserted(Box::new(appointment)))
            }
            (false, Some(_)) => Err(InvalidChange::Mismatch),
            _ => Err(InvalidChange::AppointmentPresence),
        }
    }
}

impl From<Change> for ChangeWire {
    fn from(change: Change) -> Self {
        match change {
            Change::Upserted(appointment) => Self {
                id: appointment.id.clone(),
                version: appointment.version.clone(),
                deleted: false,
                appointment: Some(*appointment),
            },
            Change::Deleted { id, version } => Self {
                id,
                version,
                deleted: true,
                appointment: None,
            },
        }
    }
}

/// One page of the change feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangesPage {
    /// Changes after the requested cursor, oldest first, each appointment at most once.
    pub changes: Vec<Change>,
    /// Where the next request continues; store it once these changes are processed.
    pub next_cursor: Cursor,
    /// Whether more changes are available right now.
    pub has_more: bool,
}

/// One page of a window listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppointmentsPage {
    /// Appointments overlapping the window, ordered by start, then id.
    pub appointments: Vec<Appointment>,
    /// Present when there are more pages; pass it back with the same window.
    #[serde(default)]
    pub next_page_token: Option<PageToken>,
    /// The end of the change feed just before this page was read.
    pub feed_cursor: Cursor,
}

/// A half-open range of instants `[from, to)` for a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeWindow {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
}

/// A window whose end is not after its start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a window's `to` must be after its `from`")]
pub struct EmptyWindow;

impl TimeWindow {
    /// A window; refuses an empty or inverted one.
    pub fn new(from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Self, EmptyWindow> {
        if to <= from {
            return Err(EmptyWindow);
        }
        Ok(Self { from, to })
    }

    /// The first instant inside the window.
    pub fn from(&self) -> DateTime<Utc> {
        self.from
    }

    /// The first instant after the window.
    pub fn to(&self) -> DateTime<Utc> {
        self.to
    }

    /// Whether the span `[start, end)` shares at least one instant with the window.
    pub fn overlaps(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
        start < self.to && end > self.from
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_needs_the_appointment_exactly_when_not_deleted() {
        let deleted = serde_json::json!({ "id": "a1", "version": "v2", "deleted": true });
        let change: Change = serde_json::from_value(deleted.clone()).unwrap();
        assert_eq!(change.id().as_str(), "a1");
        assert_eq!(serde_json::to_value(&change).unwrap(), deleted);
        let without_appointment =
            serde_json::json!({ "id": "a1", "version": "v2", "deleted": false });
        assert!(serde_json::from_value::<Change>(without_appointment).is_err());
    }

    #[test]
    fn windows_are_half_open() {
        let at = |h: i64| DateTime::<Utc>::from_timestamp(h * 3600, 0).unwrap();
        let window = TimeWindow::new(at(10), at(12)).unwrap();
        assert!(window.overlaps(at(9), at(11)));
        assert!(
            !window.overlaps(at(8), at(10)),
            "ending exactly at `from` is outside"
        );
        assert!(
            !window.overlaps(at(12), at(13)),
            "starting exactly at `to` is outside"
        );
        assert!(TimeWindow::new(at(12), at(12)).is_err());
    }
}
