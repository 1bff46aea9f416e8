//! A commit of at most 99 item writes: one TransactWriteItems with the state update.

use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{Delete, Put, TransactWriteItem};
use chrono::Utc;
use ohsync_engine::ports::{Commit, StateVersion, StoreError};

use super::built;
use super::state_update::{LEASE, LEASE_UNTIL, StateUpdate};
use crate::item::{self, VERSION};
use crate::plan::{Plan, Write};
use crate::requests::Operation;
use crate::retry::{Failure, TRANSIENT_CANCELLATIONS, classify, retrying};
use crate::store::Inner;

/// How the transaction ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Outcome {
    /// Everything was written.
    Applied,
    /// Nothing was written: the state is at the expected version, but a stepwise commit that
    /// died left its lease behind; the caller takes over stepwise (which recounts the mappings
    /// that commit may have written).
    LeaseExpired,
}

/// Writes the plan and the state update in one transaction.
pub(super) async fn commit(
    inner: &Inner,
    partition: &str,
    expected: StateVersion,
    next: StateVersion,
    commit: &Commit,
    plan: &Plan,
) -> Result<Outcome, StoreError> {
    let mut items = Vec::with_capacity(plan.len() + 1);
    for write in plan
        .mapping_writes
        .iter()
        .chain(&plan.intent_writes)
        .chain(&plan.confirmation_writes)
    {
        let item = match write {
            Write::Put(item) => TransactWriteItem::builder().put(
                Put::builder()
                    .table_name(&inner.table)
                    .set_item(Some(item.clone()))
                    .build()
                    .map_err(built)?,
            ),
            Write::Delete(key) => TransactWriteItem::builder().delete(
                Delete::builder()
                    .table_name(&inner.table)
                    .set_key(Some(key.clone()))
                    .build()
                    .map_err(built)?,
            ),
        };
        items.push(item.build());
    }
    let mut update = StateUpdate::at_version(expected);
    let lease = update.name(LEASE);
    update.condition(format!("attribute_not_exists({lease})"));
    update.add_to_count(plan.count_delta);
    update.finish(next, commit);
    let update = update.into_transaction_item(&inner.table, partition)?;
    items.push(TransactWriteItem::builder().update(update).build());

    // The token stays the same across retries, so a retry of a transaction that was applied
    // but whose answer was lost is answered as applied (DynamoDB keeps tokens ten minutes)
    // instead of failing its condition.
    let token = uuid::Uuid::new_v4().to_string();
    retrying(
        &inner.policy,
        &inner.requests,
        Operation::TransactWriteItems,
        || {
            let request = inner
                .client
                .transact_write_items()
                .set_transact_items(Some(items.clone()))
                .client_request_token(&token);
            async move {
                match request.send().await {
                    Ok(_) => Ok(Outcome::Applied),
                    Err(error) => cancelled(error, expected),
                }
            }
        },
    )
    .await
}

/// A cancelled transaction: a failed condition (only the state update has one) is a conflict,
/// unless the stored state shows the expected version with an expired lease; a collision with
/// another transaction or throttling is worth retrying.
fn cancelled(
    error: SdkError<TransactWriteItemsError, HttpResponse>,
    expected: StateVersion,
) -> Result<Outcome, Failure> {
    let Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) =
        error.as_service_error()
    else {
        return Err(classify(error));
    };
    let reasons = cancelled.cancellation_reasons();
    if let Some(failed) = reasons
        .iter()
        .find(|reason| reason.code() == Some("ConditionalCheckFailed"))
    {
        let stored = failed.item().cloned().unwrap_or_default();
        let at_expected = item::number(&stored, VERSION).ok() == Some(expected.0);
        let lease_until = item::number(&stored, LEASE_UNTIL).unwrap_or(u64::MAX);
        let now = u64::try_from(Utc::now().timestamp()).unwrap_or(0);
        if at_expected && stored.contains_key(LEASE) && lease_until < now {
            return Ok(Outcome::LeaseExpired);
        }
        return Err(Failure::Final(StoreError::Conflict));
    }
    if reasons
        .iter()
        .filter_map(|reason| reason.code())
        .any(|code| TRANSIENT_CANCELLATIONS.contains(&code))
    {
        return Err(Failure::Transient(format!(
            "transaction cancelled: {}",
            cancelled.message().unwrap_or_default()
        )));
    }
    Err(classify(error))
}
