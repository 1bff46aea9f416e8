//! Retiring a binding: every item of its partition gets `expires_at`, so that DynamoDB's TTL
//! deletes them later; reviving removes it again.

use std::sync::Arc;

use aws_sdk_dynamodb::types::AttributeValue;
use ohsync_engine::ports::{BindingScope, StoreError};
use tokio::task::JoinSet;

use crate::item::{EXPIRES_AT, Item};
use crate::keys::{self, PK, SK};
use crate::query::{each_page, partition_query};
use crate::requests::Operation;
use crate::retry::{classify, retrying};
use crate::store::Inner;

/// UpdateItem requests in flight at once while marking a partition.
const PARALLEL_UPDATES: usize = 16;

/// Sets (`Some(epoch seconds)`) or removes (`None`) `expires_at` on every item of the binding;
/// answers how many items were marked.
pub(crate) async fn mark(
    inner: &Arc<Inner>,
    scope: &BindingScope,
    expires_at: Option<i64>,
) -> Result<u64, StoreError> {
    let keys = partition_keys(inner, &keys::partition(scope)).await?;
    let mut marked = 0;
    for chunk in keys.chunks(PARALLEL_UPDATES) {
        let mut updates = JoinSet::new();
        for key in chunk {
            let (inner, key) = (inner.clone(), key.clone());
            updates.spawn(async move { mark_item(&inner, key, expires_at).await });
        }
        while let Some(done) = updates.join_next().await {
            let updated =
                done.map_err(|e| StoreError::Unavailable(format!("retire task failed: {e}")))??;
            marked += u64::from(updated);
        }
    }
    Ok(marked)
}

/// The keys of every item in the partition.
async fn partition_keys(inner: &Inner, partition: &str) -> Result<Vec<Item>, StoreError> {
    let mut keys = Vec::new();
    let request = partition_query(inner, partition, None)
        .projection_expression("#pk, #sk")
        .expression_attribute_names("#sk", SK);
    each_page(inner, request, |page| {
        keys.extend(page.items.unwrap_or_default());
        Ok(())
    })
    .await?;
    Ok(keys)
}

/// Marks one item; an item deleted meanwhile (its condition fails) is skipped, not recreated.
async fn mark_item(inner: &Inner, key: Item, expires_at: Option<i64>) -> Result<bool, StoreError> {
    retrying(
        &inner.policy,
        &inner.requests,
        Operation::UpdateItem,
        || {
            let request = inner
                .client
                .update_item()
                .table_name(&inner.table)
                .set_key(Some(key.clone()))
                .condition_expression("attribute_exists(#pk)")
                .expression_attribute_names("#pk", PK)
                .expression_attribute_names("#expires", EXPIRES_AT);
            let request = match expires_at {
                Some(at) => request
                    .update_expression("SET #expires = :at")
                    .expression_attribute_values(":at", AttributeValue::N(at.to_string())),
                None => request.update_expression("REMOVE #expires"),
            };
            async move {
                match request.send().await {
                    Ok(_) => Ok(true),
                    Err(error)
                        if error
                            .as_service_error()
                            .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
                    {
                        Ok(false)
                    }
                    Err(error) => Err(classify(error)),
                }
            }
        },
    )
    .await
}
