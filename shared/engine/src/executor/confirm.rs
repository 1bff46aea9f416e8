//! Confirming a round's own Exchange writes. SyncFolderItems reports net changes since a
//! position, so an item created after the stored position and deleted before the next run is
//! never reported. After writing, the run therefore reads the changes from the position its
//! read ended at: the echoes of its own writes are recognised by ItemId and ChangeKey and
//! dropped, every item it created must be among them (one that is not is read directly), and
//! whatever else the page holds is a change that raced the run, to be decided on before the
//! later position may be stored. A run that ends before storing a later position leaves the
//! items of the mappings it wrote in the store as unconfirmed, and the next run reads those it
//! is not told of in the same way.

use std::collections::{HashMap, HashSet};

use super::read;
use crate::identity::{ChangeKey, ExchangeItemId, ExchangeItemKey};
use crate::ports::{ItemReadError, Mailbox, MailboxError, MailboxSyncState};
use crate::reconcile::{Content, ExchangeObservation};

/// The Exchange writes one round made.
#[derive(Debug, Default)]
pub(super) struct ExchangeWrites {
    /// Items created or updated, with the ChangeKey the write returned (unknown when a create
    /// was only found by its tag afterwards).
    written: HashMap<ExchangeItemId, Option<ChangeKey>>,
    /// Items this round created.
    created: Vec<ExchangeItemId>,
    /// Items this round deleted (or found already gone).
    deleted: HashSet<ExchangeItemId>,
}

impl ExchangeWrites {
    pub(super) fn created(&mut self, item_id: &ExchangeItemId, change_key: Option<ChangeKey>) {
        self.created.push(item_id.clone());
        self.written.insert(item_id.clone(), change_key);
    }

    pub(super) fn updated(&mut self, key: &ExchangeItemKey) {
        self.written
            .insert(key.item_id.clone(), Some(key.change_key.clone()));
    }

    pub(super) fn deleted(&mut self, item_id: &ExchangeItemId) {
        self.deleted.insert(item_id.clone());
    }

    pub(super) fn is_empty(&self) -> bool {
        self.written.is_empty() && self.deleted.is_empty()
    }

    fn is_echo(&self, observation: &ExchangeObservation) -> bool {
        match observation {
            ExchangeObservation::Present { summary, .. } => self
                .written
                .get(&summary.key.item_id)
                .is_some_and(|written| written.as_ref() == Some(&summary.key.change_key)),
            ExchangeObservation::Deleted(item_id) => self.deleted.contains(item_id),
        }
    }
}

/// What the confirming read found.
#[derive(Debug)]
pub(super) struct Confirmation {
    /// The position after the confirming read.
    pub(super) position: MailboxSyncState,
    /// Changes that are not echoes of the round's writes, and the direct reads of created
    /// items the page did not report: each must be decided on before `position` is stored.
    pub(super) raced: Vec<ExchangeObservation>,
}

/// Reads the changes after `since` (the position the round's read ended at) and sorts out
/// the echoes of `writes`.
pub(super) async fn confirm(
    mailbox: &dyn Mailbox,
    since: &MailboxSyncState,
    writes: &ExchangeWrites,
) -> Result<Confirmation, MailboxError> {
    let (observations, position) = read::mailbox_changes(mailbox, since).await?;
    let unreported = read_unreported(mailbox, &observations, &writes.created).await?;
    let mut raced: Vec<ExchangeObservation> = observations
        .into_iter()
        .filter(|observation| !writes.is_echo(observation))
        .collect();
    raced.extend(unreported);
    Ok(Confirmation { position, raced })
}

/// Reads those of `created` that `observations` (changes since a position before their
/// creation) do not report: created and then deleted or moved (a move's new ItemId pairs by
/// UID), which SyncFolderItems leaves out. Read, never assumed: an item not found is deleted.
pub(super) async fn read_unreported(
    mailbox: &dyn Mailbox,
    observations: &[ExchangeObservation],
    created: &[ExchangeItemId],
) -> Result<Vec<ExchangeObservation>, MailboxError> {
    let reported: HashSet<&ExchangeItemId> = observations
        .iter()
        .map(|observation| match observation {
            ExchangeObservation::Present { summary, .. } => &summary.key.item_id,
            ExchangeObservation::Deleted(item_id) => item_id,
        })
        .collect();
    let missing: Vec<ExchangeItemId> = created
        .iter()
        .filter(|item_id| !reported.contains(item_id))
        .cloned()
        .collect();
    if missing.is_empty() {
        return Ok(Vec::new());
    }
    let results = mailbox.get_items(&missing).await?;
    if results.len() != missing.len() {
        return Err(MailboxError::Unavailable(format!(
            "GetItem answered {} of {} items",
            results.len(),
            missing.len()
        )));
    }
    missing
        .into_iter()
        .zip(results)
        .map(|(item_id, result)| match result {
            Ok(item) => Ok(ExchangeObservation::Present {
                summary: item.summary(),
                content: Content::Fetched(Box::new(item)),
            }),
            Err(ItemReadError::NotFound) => Ok(ExchangeObservation::Deleted(item_id)),
            Err(ItemReadError::Failed(error)) => Err(error),
        })
        .collect()
}
