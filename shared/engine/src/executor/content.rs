//! Reading the Exchange content that the decisions need, in batches.

use std::collections::{BTreeMap, HashSet};

use crate::identity::ExchangeItemId;
use crate::ports::{ItemReadError, Mailbox};
use crate::reconcile::{self, Content, ExchangeObservation, ReconcileInput};
use crate::report::{RunError, RunReport};

/// Fills in the content of the observations that need it; linked items that were not
/// reported but whose version is unknown are added as observations.
pub(super) async fn fill(
    mailbox: &dyn Mailbox,
    batch_size: usize,
    input: &mut ReconcileInput,
    report: &mut RunReport,
) {
    let needed = reconcile::content_needed(input);
    let mut read: BTreeMap<ExchangeItemId, Content> = BTreeMap::new();
    for chunk in needed.chunks(batch_size.max(1)) {
        match mailbox.get_items(chunk).await {
            Ok(results) => {
                for (id, result) in chunk.iter().zip(results) {
                    let content = match result {
                        Ok(item) => Content::Fetched(Box::new(item)),
                        // Deleted since it was reported: the deletion arrives with the next
                        // changes; it is not one now.
                        Err(ItemReadError::NotFound) => Content::Unreadable { retryable: false },
                        Err(ItemReadError::Failed(error)) => Content::Unreadable {
                            retryable: error.is_retryable(),
                        },
                    };
                    read.insert(id.clone(), content);
                }
            }
            Err(error) => {
                report.errors.push(RunError::from(&error));
                // A failed request says nothing about the items: always try them again.
                for id in chunk {
                    read.insert(id.clone(), Content::Unreadable { retryable: true });
                }
            }
        }
    }
    let mut reported = HashSet::new();
    for observation in &mut input.exchange.observations {
        if let ExchangeObservation::Present { summary, content } = observation
            && let Some(found) = read.get(&summary.key.item_id)
        {
            *content = found.clone();
            reported.insert(summary.key.item_id.clone());
        }
    }
    for (id, content) in read {
        if let (false, Content::Fetched(item)) = (reported.contains(&id), content) {
            input
                .exchange
                .observations
                .push(ExchangeObservation::Present {
                    summary: item.summary(),
                    content: Content::Fetched(item),
                });
        }
    }
}
