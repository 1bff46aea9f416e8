//! Pairing: every observation joins its mapping, or its unlinked counterpart on the other side.
//!
//! Rules, in order:
//! 1. A linked item's observations join its mapping: OfficeHeart by id, Exchange by ItemId or
//!    by UID (an item that moved has a new ItemId and the same UID; its report replaces the
//!    deletion reported for the old ItemId).
//! 2. An unlinked Exchange item whose ohsync tag names an unlinked reported OfficeHeart item
//!    pairs with it (a create whose outcome was lost).
//! 3. An unlinked OfficeHeart item whose external ref is an unlinked reported Exchange item's
//!    UID pairs with it (likewise).
//! 4. On a first run only: unlinked single items with the same subject, start, end and all-day
//!    flag pair up one to one, in report order.
//! 5. An unlinked OfficeHeart item whose external ref names a linked Exchange item whose
//!    OfficeHeart item was deleted takes that item's place (an unrecorded re-creation).
//! 6. Whatever is left stands alone. Deletions of unlinked items are dropped: nothing was synced.

use std::collections::HashMap;

use super::{Content, ExchangeObservation, Pair, ReconcileInput};
use crate::identity::{ExchangeItemId, ExchangeUid};
use crate::ports::{AgendaChange, AgendaItem, SyncedSpan};

pub(super) fn pair_up(input: &ReconcileInput) -> Vec<Pair> {
    let mut linked: Vec<Pair> = input
        .mappings
        .iter()
        .map(|mapping| Pair {
            mapping: Some(mapping.clone()),
            officeheart: None,
            exchange: None,
        })
        .collect();
    let mut by_officeheart = HashMap::new();
    let mut by_item = HashMap::new();
    let mut by_uid = HashMap::new();
    for (index, mapping) in input.mappings.iter().enumerate() {
        by_officeheart
            .entry(&mapping.officeheart_id)
            .or_insert(index);
        by_item.entry(&mapping.exchange_item_id).or_insert(index);
        by_uid.entry(&mapping.exchange_uid).or_insert(index);
    }

    let mut lone_officeheart: Vec<&AgendaItem> = Vec::new();
    for change in &input.officeheart.observations {
        if let Some(&index) = by_officeheart.get(change.id()) {
            linked[index].officeheart = Some(change.clone());
            continue;
        }
        lone_officeheart.retain(|item| &item.id != change.id());
        if let AgendaChange::Upserted(item) = change {
            lone_officeheart.push(item);
        }
    }

    let mut lone_exchange: Vec<&ExchangeObservation> = Vec::new();
    for observation in &input.exchange.observations {
        match observation {
            ExchangeObservation::Deleted(item_id) => match by_item.get(item_id) {
                Some(&index) => {
                    let slot = &mut linked[index].exchange;
                    if !matches!(slot, Some(ExchangeObservation::Present { .. })) {
                        *slot = Some(observation.clone());
                    }
                }
                None => lone_exchange.retain(|other| present_id(other) != Some(item_id)),
            },
            ExchangeObservation::Present { summary, .. } => {
                let index = by_item
                    .get(&summary.key.item_id)
                    .or_else(|| by_uid.get(&summary.key.uid));
                match index {
                    Some(&index) => linked[index].exchange = Some(observation.clone()),
                    None => {
                        lone_exchange
                            .retain(|other| present_id(other) != Some(&summary.key.item_id));
                        lone_exchange.push(observation);
                    }
                }
            }
        }
    }

    lone_officeheart.retain(|item| !takes_deleted_place(&mut linked, &by_uid, item));

    let mut pairs = linked;
    pairs.extend(match_unlinked(input, lone_officeheart, lone_exchange));
    pairs
}

/// An unlinked OfficeHeart item carrying the UID of a linked Exchange item whose OfficeHeart
/// item was deleted is that item's re-creation by an earlier attempt whose outcome was not
/// recorded (a crash or a lost race after the create): it takes the deleted item's place.
fn takes_deleted_place(
    linked: &mut [Pair],
    by_uid: &HashMap<&ExchangeUid, usize>,
    item: &AgendaItem,
) -> bool {
    let Some(&index) = item.external_ref.as_ref().and_then(|uid| by_uid.get(uid)) else {
        return false;
    };
    let pair = &mut linked[index];
    let (Some(AgendaChange::Deleted { .. }), Some(mapping)) =
        (&pair.officeheart, &mut pair.mapping)
    else {
        return false;
    };
    mapping.officeheart_id = item.id.clone();
    mapping.officeheart_version = item.version.clone();
    mapping.content_hash = item.appointment.content_hash();
    mapping.span = Some(SyncedSpan::of(&item.appointment));
    // The Exchange item may have changed since the copy was made: let content decide.
    mapping.exchange_change_key = None;
    pair.officeheart = Some(AgendaChange::Upserted(item.clone()));
    true
}

fn present_id(observation: &ExchangeObservation) -> Option<&ExchangeItemId> {
    match observation {
        ExchangeObservation::Present { summary, .. } => Some(&summary.key.item_id),
        ExchangeObservation::Deleted(_) => None,
    }
}

fn match_unlinked(
    input: &ReconcileInput,
    officeheart: Vec<&AgendaItem>,
    exchange: Vec<&ExchangeObservation>,
) -> Vec<Pair> {
    let mut officeheart: Vec<Option<&AgendaItem>> = officeheart.into_iter().map(Some).collect();
    let mut exchange: Vec<Option<&ExchangeObservation>> = exchange.into_iter().map(Some).collect();
    let mut pairs = Vec::new();

    for ex_index in 0..exchange.len() {
        let Some(ExchangeObservation::Present { summary, .. }) = exchange[ex_index] else {
            continue;
        };
        let Some(tag) = summary
            .tag
            .as_ref()
            .filter(|tag| tag.tenant == input.tenant)
        else {
            continue;
        };
        let found = officeheart
            .iter()
            .position(|item| item.is_some_and(|item| item.id == tag.officeheart_id));
        if let Some(oh_index) = found {
            pairs.extend(take_pair(
                &mut officeheart,
                &mut exchange,
                oh_index,
                ex_index,
            ));
        }
    }

    for oh_index in 0..officeheart.len() {
        let Some(external_ref) = officeheart[oh_index].and_then(|item| item.external_ref.as_ref())
        else {
            continue;
        };
        let found = exchange.iter().position(|observation| {
            matches!(observation, Some(ExchangeObservation::Present { summary, .. }) if &summary.key.uid == external_ref)
        });
        if let Some(ex_index) = found {
            pairs.extend(take_pair(
                &mut officeheart,
                &mut exchange,
                oh_index,
                ex_index,
            ));
        }
    }

    if input.first_run {
        for oh_index in 0..officeheart.len() {
            let Some(item) =
                officeheart[oh_index].filter(|item| !item.appointment.has_unsupported_recurrence())
            else {
                continue;
            };
            let key = item.appointment.identity_key();
            let found = exchange.iter().position(|observation| match observation {
                Some(ExchangeObservation::Present {
                    content: Content::Fetched(fetched),
                    ..
                }) => {
                    !fetched.appointment.has_unsupported_recurrence()
                        && fetched.appointment.identity_key() == key
                }
                _ => false,
            });
            if let Some(ex_index) = found {
                pairs.extend(take_pair(
                    &mut officeheart,
                    &mut exchange,
                    oh_index,
                    ex_index,
                ));
            }
        }
    }

    pairs.extend(officeheart.into_iter().flatten().map(|item| Pair {
        mapping: None,
        officeheart: Some(AgendaChange::Upserted(item.clone())),
        exchange: None,
    }));
    pairs.extend(
        exchange
            .into_iter()
            .flatten()
            .filter(|observation| matches!(observation, ExchangeObservation::Present { .. }))
            .map(|observation| Pair {
                mapping: None,
                officeheart: None,
                exchange: Some(observation.clone()),
            }),
    );
    pairs
}

fn take_pair(
    officeheart: &mut [Option<&AgendaItem>],
    exchange: &mut [Option<&ExchangeObservation>],
    oh_index: usize,
    ex_index: usize,
) -> Option<Pair> {
    let item = officeheart.get_mut(oh_index)?.take()?;
    let observation = exchange.get_mut(ex_index)?.take()?;
    Some(Pair {
        mapping: None,
        officeheart: Some(AgendaChange::Upserted(item.clone())),
        exchange: Some(observation.clone()),
    })
}

/// The Exchange item of `pair` whose content a decision will need and that was not read yet.
pub(super) fn content_to_fetch(input: &ReconcileInput, pair: &Pair) -> Option<ExchangeItemId> {
    match (&pair.mapping, &pair.exchange) {
        (
            Some(mapping),
            Some(ExchangeObservation::Present {
                summary,
                content: Content::NotFetched,
            }),
        ) => (mapping.exchange_change_key.as_ref() != Some(&summary.key.change_key))
            .then(|| summary.key.item_id.clone()),
        (Some(mapping), None) => mapping
            .exchange_change_key
            .is_none()
            .then(|| mapping.exchange_item_id.clone()),
        (
            None,
            Some(ExchangeObservation::Present {
                summary,
                content: Content::NotFetched,
            }),
        ) => {
            let matched = pair.officeheart.is_some();
            // A series' summary tells only its first occurrence: read it to learn its end.
            let copyable = summary.is_series
                || input
                    .policy
                    .window
                    .bounds(input.now)
                    .overlaps(summary.start, summary.end);
            (matched || copyable).then(|| summary.key.item_id.clone())
        }
        _ => None,
    }
}
