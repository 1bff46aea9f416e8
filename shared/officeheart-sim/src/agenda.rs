//! One user's agenda: appointments, the change log behind the feed, and remembered creates.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use ohsync_officeheart::{
    Appointment, AppointmentData, AppointmentId, AppointmentsPage, Change, ChangesPage, Cursor,
    IdempotencyKey, TimeWindow, Version,
};

use crate::listing::listed_at;
use crate::positions::{FeedPosition, ListingPosition};

/// Why an agenda operation was refused; each maps to one contract error code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum AgendaError {
    #[error("no appointment with this id")]
    NotFound,
    #[error("the appointment has changed since this version")]
    VersionMismatch,
    #[error("the cursor is older than the retained change log; list the window again")]
    CursorExpired,
    #[error("the cursor was not produced by this feed")]
    InvalidCursor,
    #[error("the page token is malformed or belongs to another window")]
    InvalidPageToken,
    #[error("this idempotency key was used with a different body")]
    IdempotencyKeyReused,
}

/// What the change log remembers per appointment: only its latest write.
#[derive(Debug, Clone)]
enum LogEntry {
    Live(AppointmentId),
    Tombstone { id: AppointmentId, version: Version },
}

/// A create as first answered, kept to replay it.
#[derive(Debug, Clone)]
struct RememberedCreate {
    request: serde_json::Value,
    response: Appointment,
}

/// The result of a create: the appointment and whether it is a replay.
#[derive(Debug, Clone)]
pub(crate) struct CreateOutcome {
    pub appointment: Appointment,
    pub replayed: bool,
}

#[derive(Debug)]
pub(crate) struct Agenda {
    epoch: u32,
    /// The last sequence number handed out; every write takes the next one.
    head: u64,
    /// Cursors before this position are expired: tombstones up to here were dropped.
    floor: u64,
    appointments: HashMap<AppointmentId, Appointment>,
    log: BTreeMap<u64, LogEntry>,
    log_seq: HashMap<AppointmentId, u64>,
    creates: HashMap<IdempotencyKey, RememberedCreate>,
}

impl Agenda {
    pub fn new() -> Self {
        Self {
            epoch: rand::random(),
            head: 0,
            floor: 0,
            appointments: HashMap::new(),
            log: BTreeMap::new(),
            log_seq: HashMap::new(),
            creates: HashMap::new(),
        }
    }

    pub fn get(&self, id: &AppointmentId) -> Result<&Appointment, AgendaError> {
        self.appointments.get(id).ok_or(AgendaError::NotFound)
    }

    pub fn all(&self) -> Vec<Appointment> {
        let mut all: Vec<_> = self.appointments.values().cloned().collect();
        all.sort_by(|a, b| {
            a.created_at
                .cmp(&b.created_at)
                .then_with(|| a.id.cmp(&b.id))
        });
        all
    }

    /// A create through the API: replays a remembered one, refuses a reused key.
    pub fn create_idempotent(
        &mut self,
        key: IdempotencyKey,
        data: AppointmentData,
        now: DateTime<Utc>,
    ) -> Result<CreateOutcome, AgendaError> {
        // Comparing parsed values makes key order and whitespace irrelevant, as documented.
        let request = serde_json::to_value(&data).unwrap_or(serde_json::Value::Null);
        if let Some(remembered) = self.creates.get(&key) {
            if remembered.request != request {
                return Err(AgendaError::IdempotencyKeyReused);
            }
            return Ok(CreateOutcome {
                appointment: remembered.response.clone(),
                replayed: true,
            });
        }
        let appointment = self.create(data, now);
        self.creates.insert(
            key,
            RememberedCreate {
                request,
                response: appointment.clone(),
            },
        );
        Ok(CreateOutcome {
            appointment,
            replayed: false,
        })
    }

    pub fn create(&mut self, data: AppointmentData, now: DateTime<Utc>) -> Appointment {
        let (seq, version) = self.next_version();
        let id = AppointmentId::new(uuid::Uuid::new_v4().to_string())
            .unwrap_or_else(|_| unreachable!("uuid is an id"));
        let appointment = Appointment {
            id: id.clone(),
            version,
            data,
            created_at: now,
            updated_at: now,
        };
        self.appointments.insert(id.clone(), appointment.clone());
        self.record(seq, LogEntry::Live(id));
        appointment
    }

    /// Replaces the data of an appointment; `if_match: None` is an edit in OfficeHeart's own UI.
    pub fn update(
        &mut self,
        id: &AppointmentId,
        if_match: Option<&Version>,
        data: AppointmentData,
        now: DateTime<Utc>,
    ) -> Result<Appointment, AgendaError> {
        self.check_precondition(id, if_match)?;
        let (seq, version) = self.next_version();
        let appointment = self.appointments.get_mut(id).ok_or(AgendaError::NotFound)?;
        appointment.data = data;
        appointment.version = version;
        appointment.updated_at = now;
        let updated = appointment.clone();
        self.record(seq, LogEntry::Live(id.clone()));
        Ok(updated)
    }

    /// Deletes an appointment; `if_match: None` is a deletion in OfficeHeart's own UI.
    pub fn delete(
        &mut self,
        id: &AppointmentId,
        if_match: Option<&Version>,
    ) -> Result<(), AgendaError> {
        self.check_precondition(id, if_match)?;
        let (seq, version) = self.next_version();
        self.appointments.remove(id);
        self.record(
            seq,
            LogEntry::Tombstone {
                id: id.clone(),
                version,
            },
        );
        Ok(())
    }

    /// Drops every tombstone written so far; cursors from before now expire.
    pub fn compact(&mut self) {
        self.floor = self.head;
        self.log
            .retain(|_, entry| matches!(entry, LogEntry::Live(_)));
        self.log_seq
            .retain(|id, _| self.appointments.contains_key(id));
    }

    pub fn changes(&self, cursor: Option<&str>, limit: usize) -> Result<ChangesPage, AgendaError> {
        let after = match cursor {
            None => 0,
            Some(cursor) => self.position(cursor)?,
        };
        let mut entries = self.log.range(after + 1..).take(limit + 1);
        let mut changes = Vec::new();
        let mut last = after;
        for (seq, entry) in entries.by_ref().take(limit) {
            changes.push(self.change(entry)?);
            last = *seq;
        }
        let has_more = entries.next().is_some();
        let next = if has_more { last } else { self.head };
        Ok(ChangesPage {
            changes,
            next_cursor: self.cursor_at(next),
            has_more,
        })
    }

    pub fn list(
        &self,
        window: TimeWindow,
        page_token: Option<&str>,
        limit: usize,
    ) -> Result<AppointmentsPage, AgendaError> {
        let after = page_token
            .map(|token| {
                ListingPosition::decode(token)
                    .filter(|position| position.window == window)
                    .ok_or(AgendaError::InvalidPageToken)
            })
            .transpose()?;
        let mut matching: Vec<(DateTime<Utc>, &Appointment)> = self
            .appointments
            .values()
            .filter_map(|appointment| Some((listed_at(appointment, &window)?, appointment)))
            .filter(|(start, appointment)| {
                after.as_ref().is_none_or(|after| {
                    (*start, &appointment.id) > (after.after_start, &after.after_id)
                })
            })
            .collect();
        matching.sort_by(|(a_start, a), (b_start, b)| {
            a_start.cmp(b_start).then_with(|| a.id.cmp(&b.id))
        });
        let has_more = matching.len() > limit;
        matching.truncate(limit);
        let next_page_token = match matching.last() {
            Some((start, last)) if has_more => Some(
                ListingPosition {
                    window,
                    after_start: *start,
                    after_id: last.id.clone(),
                }
                .encode(),
            ),
            _ => None,
        };
        Ok(AppointmentsPage {
            appointments: matching
                .into_iter()
                .map(|(_, appointment)| appointment.clone())
                .collect(),
            next_page_token,
            feed_cursor: self.cursor_at(self.head),
        })
    }

    fn check_precondition(
        &self,
        id: &AppointmentId,
        if_match: Option<&Version>,
    ) -> Result<(), AgendaError> {
        let current = self.get(id)?;
        match if_match {
            Some(version) if *version != current.version => Err(AgendaError::VersionMismatch),
            _ => Ok(()),
        }
    }

    fn next_version(&mut self) -> (u64, Version) {
        self.head += 1;
        let version = Version::new(format!("{:08x}{:08x}", self.epoch, self.head))
            .unwrap_or_else(|_| unreachable!("hex digits are a valid version"));
        (self.head, version)
    }

    fn record(&mut self, seq: u64, entry: LogEntry) {
        let id = match &entry {
            LogEntry::Live(id) | LogEntry::Tombstone { id, .. } => id.clone(),
        };
        if let Some(previous) = self.log_seq.insert(id, seq) {
            self.log.remove(&previous);
        }
        self.log.insert(seq, entry);
    }

    fn change(&self, entry: &LogEntry) -> Result<Change, AgendaError> {
        Ok(match entry {
            LogEntry::Live(id) => Change::Upserted(Box::new(self.get(id)?.clone())),
            LogEntry::Tombstone { id, version } => Change::Deleted {
                id: id.clone(),
                version: version.clone(),
            },
        })
    }

    fn position(&self, cursor: &str) -> Result<u64, AgendaError> {
        let position = FeedPosition::decode(cursor).ok_or(AgendaError::InvalidCursor)?;
        if position.epoch != self.epoch {
            // Another log instance: the history this cursor refers to is gone.
            return Err(AgendaError::CursorExpired);
        }
        if position.seq > self.head {
            return Err(AgendaError::InvalidCursor);
        }
        if position.seq < self.floor {
            return Err(AgendaError::CursorExpired);
        }
        Ok(position.seq)
    }

    fn cursor_at(&self, seq: u64) -> Cursor {
        FeedPosition {
            epoch: self.epoch,
            seq,
        }
        .encode()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(subject: &str) -> AppointmentData {
        serde_json::from_value(serde_json::json!({
            "subject": subject,
            "start": "2026-03-02T09:00:00+01:00",
            "end": "2026-03-02T10:00:00+01:00",
            "time_zone": "Europe/Amsterdam"
        }))
        .unwrap()
    }

    #[test]
    fn the_feed_shows_each_appointment_once_in_its_latest_state() {
        let mut agenda = Agenda::new();
        let now = Utc::now();
        let a = agenda.create(data("a"), now);
        let b = agenda.create(data("b"), now);
        agenda
            .update(&a.id, Some(&a.version), data("a2"), now)
            .unwrap();
        agenda.delete(&b.id, None).unwrap();
        let page = agenda.changes(None, 10).unwrap();
        let summary: Vec<_> = page
            .changes
            .iter()
            .map(|change| match change {
                Change::Upserted(appointment) => appointment.data.subject.clone(),
                Change::Deleted { id, .. } => format!("deleted {}", id == &b.id),
            })
            .collect();
        assert_eq!(summary, ["a2", "deleted true"]);
        assert!(!page.has_more);
    }

    #[test]
    fn a_write_after_a_cursor_is_seen_from_that_cursor() {
        let mut agenda = Agenda::new();
        let now = Utc::now();
        let a = agenda.create(data("a"), now);
        let cursor = agenda.changes(None, 10).unwrap().next_cursor;
        assert!(
            agenda
                .changes(Some(cursor.as_str()), 10)
                .unwrap()
                .changes
                .is_empty()
        );
        agenda.update(&a.id, None, data("a2"), now).unwrap();
        let page = agenda.changes(Some(cursor.as_str()), 10).unwrap();
        assert_eq!(page.changes.len(), 1);
        assert_ne!(page.next_cursor, cursor);
    }

    #[test]
    fn versions_change_on_every_write() {
        let mut agenda = Agenda::new();
        let now = Utc::now();
        let created = agenda.create(data("a"), now);
        let updated = agenda
            .update(&created.id, Some(&created.version), data("a"), now)
            .unwrap();
        assert_ne!(created.version, updated.version);
        assert_eq!(
            agenda.update(&created.id, Some(&created.version), data("b"), now),
            Err(AgendaError::VersionMismatch)
        );
    }
}
