//! After a feed reset (no position, an invalid sync state, an expired cursor) a side is read as
//! a complete listing, which cannot show what was deleted meanwhile. Linked items that should
//! have been listed but were not are read directly: a confirmed NotFound is a deletion, a found
//! item is an ordinary observation (it moved out of the window, or the listing raced an edit),
//! and a failed read decides nothing — the run then keeps its positions back so that the next
//! run lists, and verifies, again. Absence alone is never a deletion.

use std::collections::{HashMap, HashSet};

use crate::identity::{ExchangeItemId, ExchangeUid, OfficeHeartId};
use crate::ports::{
    Agenda, AgendaChange, BindingScope, ItemReadError, ItemSummary, ListingToken, Mailbox,
    MailboxError, Mapping, Store, StoreError,
};
use crate::reconcile::{self, Content, ExchangeObservation, ReadMode, ReconcileInput};
use crate::report::{RunError, RunReport};

/// What verification added to the reconcile input.
#[derive(Debug, Default)]
pub(super) struct Verified {
    /// The stored mappings of the items verified (not already in the input).
    pub(super) mappings: Vec<Mapping>,
    /// Some item could not be read: its fate is unknown, so the positions must not advance.
    pub(super) incomplete: bool,
}

/// The ports verification reads through.
pub(super) struct Readers<'a> {
    pub(super) mailbox: &'a dyn Mailbox,
    pub(super) agenda: &'a dyn Agenda,
    pub(super) store: &'a dyn Store,
    pub(super) batch_size: usize,
}

/// Verifies the linked items that the listed sides of `input` should have shown, adding what
/// the reads found as observations and their mappings to `input`.
pub(super) async fn unlisted(
    readers: &Readers<'_>,
    scope: &BindingScope,
    input: &mut ReconcileInput,
    report: &mut RunReport,
) -> Result<Verified, StoreError> {
    let exchange_listed = input.exchange.mode == ReadMode::Listing;
    let officeheart_listed = input.officeheart.mode == ReadMode::Listing;
    // An empty listing trips the storage-empty guard: nothing is to be verified or done.
    if input.mapping_count == 0
        || !(exchange_listed || officeheart_listed)
        || reconcile::storage_empty(input).is_some()
    {
        return Ok(Verified::default());
    }
    let shown = Shown::of(input);
    // The run's own mappings win over the stored ones (an intent may have recovered a newer
    // one); they are in the input already and are not added again.
    let known: HashMap<OfficeHeartId, Mapping> = input
        .mappings
        .iter()
        .map(|mapping| (mapping.officeheart_id.clone(), mapping.clone()))
        .collect();
    let bounds = input.policy.window.bounds(input.now);
    let mut unlisted_exchange = Vec::new();
    let mut unlisted_officeheart = Vec::new();
    for stored in all_mappings(readers.store, scope).await? {
        let reported = known.get(&stored.officeheart_id);
        // A mapping whose span was not recorded may lie anywhere: reading it costs one read,
        // skipping it could keep a deleted item's copy forever. A mapping whose other side
        // was reported is decided on in this run wherever it lay: its fate on the listed side
        // must be known too.
        let inside = stored
            .span
            .is_none_or(|span| bounds.overlaps(span.start, span.end));
        if !inside && reported.is_none() {
            continue;
        }
        let mapping = reported.cloned().unwrap_or(stored);
        if exchange_listed && !shown.exchange(&mapping) {
            unlisted_exchange.push(mapping.clone());
        }
        if officeheart_listed && !shown.officeheart.contains(&mapping.officeheart_id) {
            unlisted_officeheart.push(mapping);
        }
    }

    let mut verified = Verified::default();
    let mut observed: HashSet<OfficeHeartId> = HashSet::new();
    let mut not_found = Vec::new();
    for chunk in unlisted_exchange.chunks(readers.batch_size.max(1)) {
        let ids: Vec<ExchangeItemId> = chunk
            .iter()
            .map(|mapping| mapping.exchange_item_id.clone())
            .collect();
        let results = match readers.mailbox.get_items(&ids).await {
            Ok(results) => results,
            Err(error) => {
                report.errors.push(RunError::from(&error));
                verified.incomplete = true;
                break;
            }
        };
        for (mapping, result) in chunk.iter().zip(results) {
            let observation = match result {
                Ok(item) => ExchangeObservation::Present {
                    summary: item.summary(),
                    content: Content::Fetched(Box::new(item)),
                },
                Err(ItemReadError::NotFound) => {
                    not_found.push(mapping);
                    continue;
                }
                Err(ItemReadError::Failed(error)) => {
                    report.errors.push(RunError::from(&error));
                    verified.incomplete = true;
                    continue;
                }
            };
            input.exchange.observations.push(observation);
            observed.insert(mapping.officeheart_id.clone());
        }
    }
    match moved(readers.mailbox, &not_found).await {
        Ok(found) => {
            for (mapping, moved) in not_found.iter().zip(found) {
                input.exchange.observations.push(match moved {
                    Some(summary) => ExchangeObservation::Present {
                        summary,
                        content: Content::NotFetched,
                    },
                    None => ExchangeObservation::Deleted(mapping.exchange_item_id.clone()),
                });
                observed.insert(mapping.officeheart_id.clone());
            }
        }
        Err(error) => {
            report.errors.push(RunError::from(&error));
            verified.incomplete = true;
        }
    }
    for mapping in &unlisted_officeheart {
        let change = match readers.agenda.get(&mapping.officeheart_id).await {
            Ok(Some(item)) => AgendaChange::Upserted(item),
            Ok(None) => AgendaChange::Deleted {
                id: mapping.officeheart_id.clone(),
            },
            Err(error) => {
                report.errors.push(RunError::from(&error));
                verified.incomplete = true;
                // The agenda is failing: more reads would fail too, and the next run retries.
                break;
            }
        };
        input.officeheart.observations.push(change);
        observed.insert(mapping.officeheart_id.clone());
    }

    for mapping in unlisted_exchange.into_iter().chain(unlisted_officeheart) {
        if observed.remove(&mapping.officeheart_id) && !known.contains_key(&mapping.officeheart_id)
        {
            verified.mappings.push(mapping);
        }
    }
    input.mappings.extend(verified.mappings.iter().cloned());
    Ok(verified)
}

/// An ItemId changes when an item is moved: an item with the mapping's UID under another
/// ItemId moved rather than went. One lookup for all of them.
async fn moved(
    mailbox: &dyn Mailbox,
    not_found: &[&Mapping],
) -> Result<Vec<Option<ItemSummary>>, MailboxError> {
    if not_found.is_empty() {
        return Ok(Vec::new());
    }
    let uids: Vec<ExchangeUid> = not_found
        .iter()
        .map(|mapping| mapping.exchange_uid.clone())
        .collect();
    let found = mailbox.find_by_uids(&uids).await?;
    Ok(uids
        .iter()
        .map(|uid| {
            found
                .iter()
                .filter(|summary| &summary.key.uid == uid)
                .min_by(|a, b| a.key.item_id.cmp(&b.key.item_id))
                .cloned()
        })
        .collect())
}

/// What the listings showed, by the ids a mapping names.
struct Shown {
    officeheart: HashSet<OfficeHeartId>,
    exchange_items: HashSet<ExchangeItemId>,
    exchange_uids: HashSet<ExchangeUid>,
}

impl Shown {
    fn of(input: &ReconcileInput) -> Self {
        let mut shown = Self {
            officeheart: input
                .officeheart
                .observations
                .iter()
                .map(|change| change.id().clone())
                .collect(),
            exchange_items: HashSet::new(),
            exchange_uids: HashSet::new(),
        };
        for observation in &input.exchange.observations {
            if let ExchangeObservation::Present { summary, .. } = observation {
                shown.exchange_items.insert(summary.key.item_id.clone());
                shown.exchange_uids.insert(summary.key.uid.clone());
            }
        }
        shown
    }

    /// Listed under its ItemId, or under its UID after a move gave it a new ItemId.
    fn exchange(&self, mapping: &Mapping) -> bool {
        self.exchange_items.contains(&mapping.exchange_item_id)
            || self.exchange_uids.contains(&mapping.exchange_uid)
    }
}

async fn all_mappings(store: &dyn Store, scope: &BindingScope) -> Result<Vec<Mapping>, StoreError> {
    let mut all = Vec::new();
    let mut page: Option<ListingToken> = None;
    loop {
        let found = store.list_mappings(scope, page.as_ref()).await?;
        all.extend(found.mappings);
        match found.next {
            Some(next) => page = Some(next),
            None => return Ok(all),
        }
    }
}
