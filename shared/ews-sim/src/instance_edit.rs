//! Editing one instance of a series as Exchange does: the instance (the master's values overlaid
//! with its exception) is edited like an item, and whatever then differs from the instance as it
//! was becomes part of its exception. The exception lives in the master, so writing it is a write
//! of the master and changes the ChangeKey they share (WSR/occurrenceitemid).

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::edit::{Edit, field_uri};
use crate::mailbox::item::StoredItem;
use crate::mailbox::schema::field;
use crate::mailbox::series::{Occurrence, check_move, occurrence_at};
use crate::response_code::{EwsError, ResponseCode};
use crate::time::format_instant;
use crate::xml::Element;

/// Instance `occurrence` of `master` as a stand-alone item: no recurrence, the exception's
/// overrides applied, and the instance's own times.
fn instance_item(master: &StoredItem, occurrence: Occurrence) -> StoredItem {
    let mut item = master.clone();
    item.fields.remove(&field::recurrence());
    item.deleted_occurrences.clear();
    item.exceptions.clear();
    if let Some(exception) = master.exceptions.get(&occurrence.index) {
        for (index, value) in &exception.fields {
            match value {
                Some(element) => item.fields.insert(*index, element.clone()),
                None => item.fields.remove(index),
            };
        }
        for (uri, value) in &exception.extended {
            match value {
                Some(value) => item.extended.insert(uri.clone(), value.clone()),
                None => item.extended.remove(uri),
            };
        }
        for (path, change) in &exception.changed_at {
            let latest = item.changed_at.entry(path.clone()).or_default();
            *latest = (*latest).max(*change);
        }
    }
    item.fields.insert(
        field::start(),
        Element::with_text("Start", format_instant(occurrence.start)),
    );
    item.fields.insert(
        field::end(),
        Element::with_text("End", format_instant(occurrence.end)),
    );
    item
}

/// An edit of one instance of a series.
#[derive(Debug)]
pub struct InstanceEdit {
    master: StoredItem,
    occurrence: Occurrence,
    before: StoredItem,
    change: u64,
    edit: Edit,
}

impl InstanceEdit {
    /// Starts editing instance `index` of `master` as of change `change`; fails for an index
    /// outside the series or a deleted instance, as GetItem of it does.
    pub fn begin(
        master: &StoredItem,
        index: u32,
        change: u64,
        context_zone: Option<Tz>,
    ) -> Result<Self, EwsError> {
        let occurrence = occurrence_at(master, index)?;
        let before = instance_item(master, occurrence);
        Ok(Self {
            master: master.clone(),
            occurrence,
            edit: Edit::update(before.clone(), change, context_zone),
            before,
            change,
        })
    }

    /// The edit of the instance's values.
    pub fn edit(&mut self) -> &mut Edit {
        &mut self.edit
    }

    /// Completes the edit: the instance's times are checked as an item's are and may not cross an
    /// adjacent instance; returns the master with the instance's exception updated.
    pub fn finish(self, now: DateTime<Utc>) -> Result<StoredItem, EwsError> {
        let after = self.edit.finish(now)?;
        if after.is_master() {
            return Err(EwsError::new(ResponseCode::ErrorInvalidPropertySet)
                .with_value("FieldURI", field_uri(field::recurrence())));
        }
        let index = self.occurrence.index;
        if after.start() != self.occurrence.start {
            check_move(&self.master, index, after.start())?;
        }
        let before = self.before;
        let mut master = self.master;
        let exception = master.exceptions.entry(index).or_default();
        let fields: BTreeSet<_> = before.fields.keys().chain(after.fields.keys()).collect();
        for position in fields {
            if before.field(*position) != after.field(*position) {
                exception
                    .fields
                    .insert(*position, after.field(*position).cloned());
            }
        }
        let uris: BTreeSet<_> = before
            .extended
            .keys()
            .chain(after.extended.keys())
            .collect();
        for uri in uris {
            if before.extended.get(uri) != after.extended.get(uri) {
                exception
                    .extended
                    .insert(uri.clone(), after.extended.get(uri).cloned());
            }
        }
        for (path, change) in &after.changed_at {
            if *change == self.change {
                exception.changed_at.insert(path.clone(), *change);
            }
        }
        Ok(master)
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::mailbox::series::tests::weekly;
    use crate::mailbox::series::{delete_occurrence, modified, occurrences_overlapping};
    use crate::time::parse_instant;

    fn at(text: &str) -> DateTime<Utc> {
        parse_instant(text).unwrap()
    }

    fn edited(
        master: &StoredItem,
        index: u32,
        change: impl FnOnce(&mut Edit),
    ) -> Result<StoredItem, EwsError> {
        let mut edit = InstanceEdit::begin(master, index, 2, None)?;
        change(edit.edit());
        edit.finish(Utc::now())
    }

    fn move_to(start: &str, end: &str) -> impl FnOnce(&mut Edit) {
        let (start, end) = (start.to_owned(), end.to_owned());
        move |edit| {
            edit.set(field::start(), Element::with_text("Start", start))
                .unwrap();
            edit.set(field::end(), Element::with_text("End", end))
                .unwrap();
        }
    }

    #[test]
    fn an_exception_overrides_only_what_was_edited_and_moves_its_instance() {
        let master = weekly();
        let updated = edited(&master, 3, |edit| {
            edit.set(field::subject(), Element::with_text("Subject", "Moved"))
                .unwrap();
            edit.delete(field::location()).unwrap();
            move_to("2030-03-18T10:00:00Z", "2030-03-18T11:00:00Z")(edit);
        })
        .unwrap();
        let exception = &updated.exceptions[&3];
        assert_eq!(
            exception.fields[&field::subject()],
            Some(Element::with_text("Subject", "Moved"))
        );
        assert!(
            !exception.fields.contains_key(&field::location()),
            "the master had no Location, so deleting it changes nothing"
        );
        assert_eq!(
            updated.start(),
            master.start(),
            "the master keeps its times"
        );
        let third = occurrence_at(&updated, 3).unwrap();
        assert_eq!(third.start, at("2030-03-18T10:00:00Z"));
        assert_eq!(third.original_start, at("2030-03-18T09:00:00Z"));
        assert_eq!(
            modified(&updated)
                .iter()
                .map(|o| o.index)
                .collect::<Vec<_>>(),
            vec![3]
        );
        let again = edited(&updated, 3, |edit| {
            edit.set(field::location(), Element::with_text("Location", "Zaal"))
                .unwrap();
        })
        .unwrap();
        let exception = &again.exceptions[&3];
        assert_eq!(again.exceptions.len(), 1, "one exception per instance");
        assert!(exception.fields.contains_key(&field::subject()));
        assert!(exception.fields.contains_key(&field::location()));
        assert_eq!(
            occurrence_at(&again, 3).unwrap().start,
            at("2030-03-18T10:00:00Z")
        );
    }

    #[test]
    fn a_moved_instance_leaves_and_enters_views_at_its_new_time() {
        let moved = edited(
            &weekly(),
            6,
            move_to("2030-04-04T09:00:00Z", "2030-04-04T10:00:00Z"),
        )
        .unwrap();
        let window = |from: &str, days: i64| {
            occurrences_overlapping(&moved, at(from), at(from) + Duration::days(days))
                .iter()
                .map(|o| o.index)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            window("2030-04-03T00:00:00Z", 2),
            vec![6],
            "moved in from after the window"
        );
        assert_eq!(window("2030-04-08T00:00:00Z", 1), Vec::<u32>::new());
    }

    #[test]
    fn instances_cannot_cross_their_neighbours_or_end_before_they_start() {
        let master = weekly();
        for (start, end) in [
            ("2030-03-11T12:00:00Z", "2030-03-11T13:00:00Z"),
            ("2030-03-10T09:00:00Z", "2030-03-10T10:00:00Z"),
            ("2030-03-25T08:00:00Z", "2030-03-25T09:00:00Z"),
        ] {
            assert_eq!(
                edited(&master, 3, move_to(start, end)).unwrap_err().code,
                ResponseCode::ErrorOccurrenceCrossingBoundary,
                "{start}"
            );
        }
        assert!(
            edited(
                &master,
                3,
                move_to("2030-03-12T09:00:00Z", "2030-03-12T10:00:00Z")
            )
            .is_ok()
        );
        let mut without_second = master.clone();
        delete_occurrence(&mut without_second, 2).unwrap();
        assert!(
            edited(
                &without_second,
                3,
                move_to("2030-03-11T12:00:00Z", "2030-03-11T13:00:00Z")
            )
            .is_ok(),
            "a deleted neighbour does not block"
        );
        assert_eq!(
            edited(
                &master,
                3,
                move_to("2030-03-18T10:00:00Z", "2030-03-18T09:00:00Z")
            )
            .unwrap_err()
            .code,
            ResponseCode::ErrorCalendarEndDateIsEarlierThanStartDate
        );
    }

    #[test]
    fn missing_and_deleted_instances_and_recurrence_on_an_instance_are_refused() {
        let mut master = weekly();
        assert_eq!(
            InstanceEdit::begin(&master, 7, 2, None).unwrap_err().code,
            ResponseCode::ErrorCalendarOccurrenceIndexIsOutOfRecurrenceRange
        );
        let moved = edited(
            &master,
            4,
            move_to("2030-03-26T09:00:00Z", "2030-03-26T10:00:00Z"),
        )
        .unwrap();
        master = moved;
        delete_occurrence(&mut master, 4).unwrap();
        assert!(master.exceptions.is_empty(), "deleting drops the exception");
        assert_eq!(
            InstanceEdit::begin(&master, 4, 2, None).unwrap_err().code,
            ResponseCode::ErrorCalendarOccurrenceIsDeletedFromRecurrence
        );
        let recurrence = weekly().field(field::recurrence()).cloned().unwrap();
        assert_eq!(
            edited(&master, 1, |edit| edit
                .set(field::recurrence(), recurrence)
                .unwrap())
            .unwrap_err()
            .code,
            ResponseCode::ErrorInvalidPropertySet
        );
    }
}
