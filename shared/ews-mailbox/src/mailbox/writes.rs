//! Writing: CreateItem with the tag and a UID, UpdateItem that never overwrites a newer
//! version, and DeleteItem made conditional on the ChangeKey. None sends meeting messages. A
//! series with exceptions takes more requests after its CreateItem or UpdateItem
//! ([`super::series_writes`]).

use ohsync_engine::identity::{ExchangeItemKey, ExchangeUid};
use ohsync_engine::ports::{
    CreateOutcome, DeleteOutcome, ExchangeUpdate, MailboxError, NewExchangeItem, UpdateOutcome,
};
use ohsync_ews::model::{ConflictResolution, NewCalendarItem};
use ohsync_ews::{EwsError, ItemId, ResponseCode};

use super::EwsMailbox;
use super::batch::{Slots, read_failure, whole_call_failure};
use super::series_writes::PendingSeries;
use crate::error::{has_code, mailbox_error, unconvertible};

/// A write answered with an id ohsync cannot hold: it happened, but its result is unusable.
fn unusable_answer(error: &impl std::fmt::Display) -> MailboxError {
    MailboxError::Rejected {
        code: "EWS_MALFORMED_RESPONSE".to_owned(),
        message: format!("the server answered with an unusable item id: {error}"),
    }
}

fn not_found(error: &EwsError) -> bool {
    has_code(error, &ResponseCode::ErrorItemNotFound)
}

impl EwsMailbox {
    /// Creates items. Each carries its tag and a UID chosen here, so its key is known from the
    /// answer; a lost answer leaves every item of its request `OutcomeUnknown`, to be looked up
    /// by tag before any new attempt. A series with exceptions is created marked unfinished and
    /// completed afterwards ([`super::series_writes`]); one that is not completed is
    /// `OutcomeUnknown` too: its tag finds it, and its marker tells the engine to rewrite it.
    pub(super) async fn write_creates(
        &self,
        items: &[NewExchangeItem],
    ) -> Result<Vec<CreateOutcome>, MailboxError> {
        let mut slots = Slots::with_capacity(items.len());
        let mut requests: Vec<NewCalendarItem> = Vec::new();
        let mut sent = Vec::new();
        for item in items {
            let converted = self.converter.new_item(item).and_then(|(request, uid)| {
                let exceptions = self.converter.exception_writes(&item.appointment)?;
                Ok((request, uid, exceptions))
            });
            match converted {
                Ok((request, uid, exceptions)) => {
                    slots.send();
                    requests.push(request);
                    sent.push((uid, exceptions));
                }
                Err(error) => slots.decide(CreateOutcome::Failed(unconvertible(&error))),
            }
        }
        if requests.is_empty() {
            return Ok(slots.fill([], || CreateOutcome::OutcomeUnknown));
        }
        let results = self.client.create_items(&requests).await;
        if let Some(failure) = whole_call_failure(&results, slots.all_sent()) {
            return Err(failure);
        }
        let mut answers = Vec::with_capacity(results.len());
        let mut series = Vec::new();
        for (result, (uid, exceptions)) in results.into_iter().zip(sent) {
            answers.push(match (result, exceptions) {
                (Ok(master), Some(writes)) => {
                    series.push((
                        answers.len(),
                        PendingSeries {
                            master,
                            uid,
                            writes,
                        },
                    ));
                    // Until the series is completed.
                    CreateOutcome::OutcomeUnknown
                }
                (Ok(id), None) => self.created(&id, uid.as_ref()),
                (Err(error), _) if error.is_outcome_unknown() => CreateOutcome::OutcomeUnknown,
                (Err(error), _) => CreateOutcome::Failed(mailbox_error(&error)),
            });
        }
        self.complete_series(&mut answers, series, |uid, completed| {
            match completed {
                Ok(id) => self.created(&id, uid),
                Err(error) => {
                    tracing::warn!(%error, "created a series but not its exceptions; it stays marked unfinished");
                    CreateOutcome::OutcomeUnknown
                }
            }
        })
        .await;
        Ok(slots.fill(answers, || CreateOutcome::OutcomeUnknown))
    }

    /// The outcome of a create answered with `id`.
    fn created(&self, id: &ItemId, uid: Option<&ExchangeUid>) -> CreateOutcome {
        match self.converter.key_of(id, uid.map(ExchangeUid::as_str)) {
            Ok(key) => CreateOutcome::Created(key),
            Err(error) => {
                tracing::warn!(%error, "created an item whose id is unusable; its tag will find it");
                CreateOutcome::OutcomeUnknown
            }
        }
    }

    /// Updates items against the ChangeKey the engine read, with `NeverOverwrite`: a stale key
    /// fails with ErrorIrresolvableConflict and writes nothing (a `Conflict`). A series with
    /// exceptions is updated marked unfinished and completed afterwards
    /// ([`super::series_writes`]); one that is not completed is `Failed` and stays marked.
    pub(super) async fn write_updates(
        &self,
        updates: &[ExchangeUpdate],
    ) -> Result<Vec<UpdateOutcome>, MailboxError> {
        let mut slots = Slots::with_capacity(updates.len());
        let mut changes = Vec::new();
        let mut sent = Vec::new();
        for update in updates {
            let converted = self.converter.item_change(update).and_then(|change| {
                let exceptions = self.converter.exception_writes(&update.appointment)?;
                Ok((change, exceptions))
            });
            match converted {
                Ok((change, exceptions)) => {
                    slots.send();
                    changes.push(change);
                    sent.push((update, exceptions));
                }
                Err(error) => slots.decide(UpdateOutcome::Failed(unconvertible(&error))),
            }
        }
        if changes.is_empty() {
            return Ok(slots.fill([], || UpdateOutcome::Conflict));
        }
        let results = self
            .client
            .update_items_with(&changes, ConflictResolution::NeverOverwrite)
            .await;
        if let Some(failure) = whole_call_failure(&results, slots.all_sent()) {
            return Err(failure);
        }
        let mut answers = Vec::with_capacity(results.len());
        let mut series = Vec::new();
        for (result, (update, exceptions)) in results.into_iter().zip(&sent) {
            answers.push(match (result, exceptions) {
                (Ok(updated), Some(writes)) => {
                    let pending = PendingSeries {
                        master: updated.item_id,
                        uid: Some(update.key.uid.clone()),
                        writes: writes.clone(),
                    };
                    series.push((answers.len(), pending));
                    // Until the series is completed.
                    UpdateOutcome::Failed(MailboxError::Unavailable(
                        "the series write was not completed".into(),
                    ))
                }
                (Ok(updated), None) => self.updated(&updated.item_id, Some(&update.key.uid)),
                (Err(error), _)
                    if has_code(&error, &ResponseCode::ErrorIrresolvableConflict)
                        || has_code(&error, &ResponseCode::ErrorStaleObject) =>
                {
                    UpdateOutcome::Conflict
                }
                (Err(error), _) if not_found(&error) => UpdateOutcome::NotFound,
                (Err(error), _) => UpdateOutcome::Failed(mailbox_error(&error)),
            });
        }
        self.complete_series(&mut answers, series, |uid, completed| match completed {
            Ok(id) => self.updated(&id, uid),
            Err(error) => UpdateOutcome::Failed(mailbox_error(&error)),
        })
        .await;
        Ok(slots.fill(answers, || {
            UpdateOutcome::Failed(MailboxError::Unavailable(
                "no answer for this update".into(),
            ))
        }))
    }

    /// The outcome of an update of the item with `uid` answered with `id`.
    fn updated(&self, id: &ItemId, uid: Option<&ExchangeUid>) -> UpdateOutcome {
        match self.converter.key_of(id, uid.map(ExchangeUid::as_str)) {
            Ok(key) => UpdateOutcome::Updated(key),
            Err(error) => UpdateOutcome::Failed(unusable_answer(&error)),
        }
    }

    /// Deletes items whose ChangeKey is still the one the engine read. DeleteItem itself
    /// checks no ChangeKey, so the current keys are read first (one IdOnly GetItem): a changed
    /// item is a `Conflict` and stays. Items go to Deleted Items, where the user can restore
    /// them. (An edit between the check and the delete is not caught; the window is one round
    /// trip.)
    pub(super) async fn write_deletes(
        &self,
        keys: &[ExchangeItemKey],
    ) -> Result<Vec<DeleteOutcome>, MailboxError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<ItemId> = keys
            .iter()
            .map(|key| ItemId::without_change_key(key.item_id.as_str()))
            .collect();
        let current = self.client.get_item_ids(&ids).await;
        if let Some(failure) = read_failure(&current) {
            return Err(failure);
        }
        let mut slots = Slots::with_capacity(keys.len());
        let mut doomed = Vec::new();
        for (key, result) in keys.iter().zip(current) {
            match result {
                Ok(id) if id.change_key.as_deref() == Some(key.change_key.as_str()) => {
                    slots.send();
                    doomed.push(ItemId::without_change_key(id.id));
                }
                Ok(_) => slots.decide(DeleteOutcome::Conflict),
                Err(error) if not_found(&error) => slots.decide(DeleteOutcome::NotFound),
                Err(error) => slots.decide(DeleteOutcome::Failed(mailbox_error(&error))),
            }
        }
        if doomed.is_empty() {
            return Ok(slots.fill([], || DeleteOutcome::NotFound));
        }
        let results = self.client.delete_items(&doomed).await;
        if let Some(failure) = whole_call_failure(&results, slots.all_sent()) {
            return Err(failure);
        }
        let answers = results.into_iter().map(|result| match result {
            Ok(()) => DeleteOutcome::Deleted,
            Err(error) if not_found(&error) => DeleteOutcome::NotFound,
            Err(error) => DeleteOutcome::Failed(mailbox_error(&error)),
        });
        Ok(slots.fill(answers, || {
            DeleteOutcome::Failed(MailboxError::Unavailable(
                "no answer for this delete".into(),
            ))
        }))
    }
}
