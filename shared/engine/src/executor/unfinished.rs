//! The OfficeHeart side of series writes left unfinished on Exchange. Such a pair is written
//! again from OfficeHeart (the rule before the decision table), which needs OfficeHeart's
//! appointment; when it did not change since, the feed did not bring it, so it is read here.

use std::collections::HashSet;

use crate::identity::OfficeHeartId;
use crate::ports::{Agenda, AgendaChange};
use crate::reconcile::{Content, ExchangeObservation, ReconcileInput};
use crate::report::{RunError, RunReport};

/// Adds the OfficeHeart appointment of every linked, unfinished Exchange item that the
/// OfficeHeart side did not report: as it stands, or as deleted when it is gone. A failed read
/// leaves the pair to a later run (`UnfinishedWrite`).
pub(super) async fn read_officeheart(
    agenda: &dyn Agenda,
    input: &mut ReconcileInput,
    report: &mut RunReport,
) {
    let reported: HashSet<&OfficeHeartId> = input
        .officeheart
        .observations
        .iter()
        .map(AgendaChange::id)
        .collect();
    let wanted: Vec<OfficeHeartId> = input
        .exchange
        .observations
        .iter()
        .filter_map(|observation| match observation {
            ExchangeObservation::Present {
                content: Content::Fetched(item),
                ..
            } if item.unfinished => Some(&item.key.item_id),
            _ => None,
        })
        .filter_map(|item_id| {
            input
                .mappings
                .iter()
                .find(|mapping| &mapping.exchange_item_id == item_id)
        })
        .map(|mapping| &mapping.officeheart_id)
        .filter(|id| !reported.contains(id))
        .cloned()
        .collect();
    for id in wanted {
        match agenda.get(&id).await {
            Ok(Some(item)) => input
                .officeheart
                .observations
                .push(AgendaChange::Upserted(item)),
            Ok(None) => input
                .officeheart
                .observations
                .push(AgendaChange::Deleted { id }),
            Err(error) => report.errors.push(RunError::from(&error)),
        }
    }
}
