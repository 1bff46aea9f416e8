//! A commit too big for one transaction: claim, write, recount, finish, and then forget the
//! unconfirmed items the commit confirms.
//!
//! The lease makes the steps exclusive: while it holds, no other commit from the same version
//! can start (the atomic path requires no lease, this one a free or expired lease). A commit
//! that dies midway leaves the lease; once it expires the next commit takes over, and its
//! recount repairs the mapping count whatever the dead commit had written. Pointers the dead
//! commit left stale are harmless: lookups check that a pointer's mapping holds the id asked
//! for.

use std::sync::Arc;

use aws_sdk_dynamodb::types::{AttributeValue, DeleteRequest, PutRequest, Select, WriteRequest};
use chrono::Utc;
use ohsync_engine::ports::{Commit, StateVersion, StoreError};
use tokio::task::JoinSet;

use super::built;
use super::state_update::{LEASE, LEASE_UNTIL, StateUpdate};
use crate::item::MAPPING_COUNT;
use crate::keys::OFFICEHEART_PREFIX;
use crate::plan::{Plan, Write};
use crate::query::{each_page, partition_query};
use crate::requests::Operation;
use crate::retry::{Failure, classify, retrying, until_processed};
use crate::store::Inner;

/// Items per BatchWriteItem (DynamoDB's limit).
const BATCH_WRITE_LIMIT: usize = 25;
/// BatchWriteItem requests in flight at once.
const PARALLEL_BATCHES: usize = 4;

/// Applies the plan in steps; a lost race answers `Conflict`.
pub(super) async fn commit(
    inner: &Arc<Inner>,
    partition: &str,
    expected: StateVersion,
    next: StateVersion,
    commit: &Commit,
    plan: Plan,
) -> Result<(), StoreError> {
    let token = uuid::Uuid::new_v4().to_string();
    claim(inner, partition, expected, &token).await?;
    write_all(inner, plan.mapping_writes).await?;
    write_all(inner, plan.intent_writes).await?;
    let count = count_mappings(inner, partition).await?;

    let mut update = StateUpdate::at_version(expected);
    let (lease, token) = (
        update.name(LEASE),
        update.value("token", AttributeValue::S(token)),
    );
    update.condition(format!("{lease} = {token}"));
    update.set(MAPPING_COUNT, AttributeValue::N(count.to_string()));
    update.finish(next, commit);
    update.remove(LEASE);
    update.remove(LEASE_UNTIL);
    update_state(inner, partition, update).await?;
    // Left behind if this dies: the next run reads those items once more, nothing worse.
    write_all(inner, plan.confirmation_writes).await
}

/// Takes the lease: the state must be at `expected` and the lease free, expired or already
/// this commit's (a retried claim whose answer was lost).
async fn claim(
    inner: &Inner,
    partition: &str,
    expected: StateVersion,
    token: &str,
) -> Result<(), StoreError> {
    let now = Utc::now().timestamp();
    let term = i64::try_from(inner.lease_term.as_secs()).unwrap_or(i64::MAX);
    let until = now.saturating_add(term);
    let mut update = StateUpdate::at_version(expected);
    let (lease, lease_until) = (update.name(LEASE), update.name(LEASE_UNTIL));
    let now = update.value("now", AttributeValue::N(now.to_string()));
    let own = update.value("token", AttributeValue::S(token.to_owned()));
    update.condition(format!(
        "(attribute_not_exists({lease}) OR {lease_until} < {now} OR {lease} = {own})"
    ));
    update.set(LEASE, AttributeValue::S(token.to_owned()));
    update.set(LEASE_UNTIL, AttributeValue::N(until.to_string()));
    update_state(inner, partition, update).await
}

/// Sends a conditional UpdateItem of the state item; a failed condition is a conflict.
async fn update_state(
    inner: &Inner,
    partition: &str,
    update: StateUpdate,
) -> Result<(), StoreError> {
    let request = update.apply_to(
        inner.client.update_item().table_name(&inner.table),
        partition,
    );
    retrying(
        &inner.policy,
        &inner.requests,
        Operation::UpdateItem,
        || {
            let request = request.clone();
            async move {
                match request.send().await {
                    Ok(_) => Ok(()),
                    Err(error)
                        if error
                            .as_service_error()
                            .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
                    {
                        Err(Failure::Final(StoreError::Conflict))
                    }
                    Err(error) => Err(classify(error)),
                }
            }
        },
    )
    .await
}

/// Writes every item, 25 per BatchWriteItem, a few requests at a time.
async fn write_all(inner: &Arc<Inner>, writes: Vec<Write>) -> Result<(), StoreError> {
    let mut requests = Vec::with_capacity(writes.len());
    for write in writes {
        let request = match write {
            Write::Put(item) => WriteRequest::builder().put_request(
                PutRequest::builder()
                    .set_item(Some(item))
                    .build()
                    .map_err(built)?,
            ),
            Write::Delete(key) => WriteRequest::builder().delete_request(
                DeleteRequest::builder()
                    .set_key(Some(key))
                    .build()
                    .map_err(built)?,
            ),
        };
        requests.push(request.build());
    }
    let mut batches = requests
        .chunks(BATCH_WRITE_LIMIT)
        .map(<[WriteRequest]>::to_vec);
    let mut in_flight = JoinSet::new();
    loop {
        while in_flight.len() < PARALLEL_BATCHES {
            let Some(batch) = batches.next() else { break };
            let inner = inner.clone();
            in_flight.spawn(async move { write_batch(&inner, batch).await });
        }
        let Some(done) = in_flight.join_next().await else {
            return Ok(());
        };
        done.map_err(|e| StoreError::Unavailable(format!("write task failed: {e}")))??;
    }
}

/// One BatchWriteItem, sending again what DynamoDB left unprocessed.
async fn write_batch(inner: &Inner, batch: Vec<WriteRequest>) -> Result<(), StoreError> {
    until_processed(&inner.policy, batch, |batch| async move {
        let output = retrying(
            &inner.policy,
            &inner.requests,
            Operation::BatchWriteItem,
            || {
                let request = inner
                    .client
                    .batch_write_item()
                    .request_items(&inner.table, batch.clone());
                async move { request.send().await.map_err(classify) }
            },
        )
        .await?;
        let left = output
            .unprocessed_items
            .and_then(|mut left| left.remove(&inner.table))
            .unwrap_or_default();
        Ok((Vec::<()>::new(), left))
    })
    .await?;
    Ok(())
}

/// How many mappings the binding has: its pointers by OfficeHeart id, counted by DynamoDB.
async fn count_mappings(inner: &Inner, partition: &str) -> Result<u64, StoreError> {
    let mut count = 0;
    let request = partition_query(inner, partition, Some(OFFICEHEART_PREFIX)).select(Select::Count);
    each_page(inner, request, |page| {
        count += u64::try_from(page.count).unwrap_or(0);
        Ok(())
    })
    .await?;
    Ok(count)
}
