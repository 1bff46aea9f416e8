//! Completing the write of series with exceptions, after their master was created or updated
//! (with its rule, which leaves no exceptions, and the unfinished-write marker).
//!
//! For all such series of a batch together: one DeleteItem of every cancelled occurrence, then
//! one UpdateItem of every modified occurrence, then one UpdateItem removing every master's
//! marker. Cancellations go first, so that a deleted occurrence never blocks a move. A series
//! whose step fails takes no further step: it keeps its marker, and the engine rewrites it whole
//! next run.
//!
//! Every occurrence write changes the master's ChangeKey (they share it), DeleteItem answers no
//! key, and the edits of one UpdateItem each need the key the one before made. So these writes
//! carry the freshest key known and `AlwaysOverwrite`: the master is marked meanwhile, so its
//! content is ohsync's own until the marker goes.

use ohsync_engine::identity::ExchangeUid;
use ohsync_ews::model::{CalendarFieldName, ConflictResolution, FieldUpdate, TargetChange};
use ohsync_ews::{EwsError, ItemId, ItemResult, ItemTarget};

use super::EwsMailbox;
use crate::convert::ExceptionWrites;

/// A series whose master is written and whose exceptions are not yet.
#[derive(Debug)]
pub(super) struct PendingSeries {
    /// The master, with the freshest ChangeKey known.
    pub(super) master: ItemId,
    /// The master's UID, when the version has UIDs.
    pub(super) uid: Option<ExchangeUid>,
    /// What is left to write.
    pub(super) writes: ExceptionWrites,
}

/// The state of one series as the steps proceed: its master's freshest id, or what stopped it.
type Progress = Result<ItemId, EwsError>;

/// Records the answers of one step: a series fails on the first failed write of its own, and
/// takes the ChangeKey of its last answer that carries one.
fn record<T>(
    progress: &mut [Progress],
    owners: &[usize],
    results: Vec<ItemResult<T>>,
    change_key: impl Fn(&T) -> Option<&str>,
) {
    for (owner, result) in owners.iter().zip(results) {
        let Some(state) = progress.get_mut(*owner) else {
            continue;
        };
        let Ok(master) = state else {
            continue;
        };
        match result {
            Ok(answer) => {
                if let Some(key) = change_key(&answer) {
                    master.change_key = Some(key.to_owned());
                }
            }
            Err(error) => *state = Err(error),
        }
    }
}

impl EwsMailbox {
    /// Writes the exceptions of each series and removes its marker, then puts its outcome in
    /// `answers` at the series' position: `settle` makes it from the master's UID and its final
    /// id and ChangeKey, or from the error that stopped it.
    pub(super) async fn complete_series<O>(
        &self,
        answers: &mut [O],
        series: Vec<(usize, PendingSeries)>,
        settle: impl Fn(Option<&ExchangeUid>, Progress) -> O,
    ) {
        if series.is_empty() {
            return;
        }
        let (positions, series): (Vec<usize>, Vec<PendingSeries>) = series.into_iter().unzip();
        let uids: Vec<Option<ExchangeUid>> =
            series.iter().map(|pending| pending.uid.clone()).collect();
        let completed = self.write_exceptions(series).await;
        for ((position, uid), completed) in positions.into_iter().zip(uids).zip(completed) {
            if let Some(answer) = answers.get_mut(position) {
                *answer = settle(uid.as_ref(), completed);
            }
        }
    }

    /// Writes the exceptions of `series` and removes their markers; per series, in order, the
    /// master's final id and ChangeKey, or the error that stopped it.
    async fn write_exceptions(&self, series: Vec<PendingSeries>) -> Vec<Progress> {
        let mut progress: Vec<Progress> = series
            .iter()
            .map(|pending| Ok(pending.master.clone()))
            .collect();

        let mut owners = Vec::new();
        let mut cancelled = Vec::new();
        for (owner, pending) in series.iter().enumerate() {
            for index in &pending.writes.cancelled {
                owners.push(owner);
                cancelled.push(ItemTarget::occurrence(
                    ItemId::without_change_key(pending.master.id.as_str()),
                    *index,
                ));
            }
        }
        if !cancelled.is_empty() {
            let results = self.client.delete_targets(&cancelled).await;
            record(&mut progress, &owners, results, |()| None);
        }

        let (owners, modified): (Vec<usize>, Vec<TargetChange>) = series
            .into_iter()
            .enumerate()
            .filter_map(|(owner, pending)| {
                let master = progress.get(owner)?.as_ref().ok()?.clone();
                Some(
                    pending
                        .writes
                        .modified
                        .into_iter()
                        .map(move |(index, updates)| {
                            let target = ItemTarget::occurrence(master.clone(), index);
                            (owner, TargetChange { target, updates })
                        }),
                )
            })
            .flatten()
            .unzip();
        self.overwrite(&mut progress, &owners, &modified).await;

        let (owners, unmark): (Vec<usize>, Vec<TargetChange>) = progress
            .iter()
            .enumerate()
            .filter_map(|(owner, state)| {
                let master = state.as_ref().ok()?.clone();
                let updates = vec![FieldUpdate::Delete(CalendarFieldName::UnfinishedMarker)];
                Some((
                    owner,
                    TargetChange {
                        target: ItemTarget::Item(master),
                        updates,
                    },
                ))
            })
            .unzip();
        self.overwrite(&mut progress, &owners, &unmark).await;
        progress
    }

    /// One UpdateItem of `changes` (none when empty), recorded against their series.
    async fn overwrite(
        &self,
        progress: &mut [Progress],
        owners: &[usize],
        changes: &[TargetChange],
    ) {
        if changes.is_empty() {
            return;
        }
        let results = self
            .client
            .update_targets_with(changes, ConflictResolution::AlwaysOverwrite)
            .await;
        record(progress, owners, results, |updated| {
            updated.item_id.change_key.as_deref()
        });
    }
}
