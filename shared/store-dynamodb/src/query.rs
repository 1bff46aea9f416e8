//! Queries on one binding's partition, followed to their last page.

use aws_sdk_dynamodb::operation::query::QueryOutput;
use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::types::AttributeValue;
use ohsync_engine::ports::StoreError;

use crate::item::Item;
use crate::keys::{PK, SK};
use crate::requests::Operation;
use crate::retry::{classify, retrying};
use crate::store::Inner;

/// A strongly consistent query for the partition's items whose sort key starts with `prefix`
/// (`None`: all of them).
pub(crate) fn partition_query(
    inner: &Inner,
    partition: &str,
    prefix: Option<&str>,
) -> QueryFluentBuilder {
    let request = inner
        .client
        .query()
        .table_name(&inner.table)
        .expression_attribute_names("#pk", PK)
        .expression_attribute_values(":pk", AttributeValue::S(partition.to_owned()))
        .consistent_read(true);
    match prefix {
        // DynamoDB refuses an empty string where a key is compared, hence two shapes.
        None => request.key_condition_expression("#pk = :pk"),
        Some(prefix) => request
            .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
            .expression_attribute_names("#sk", SK)
            .expression_attribute_values(":prefix", AttributeValue::S(prefix.to_owned())),
    }
}

/// Sends `request` for the page that starts after `start` (`None`: the first page).
pub(crate) async fn one_page(
    inner: &Inner,
    request: &QueryFluentBuilder,
    start: Option<Item>,
) -> Result<QueryOutput, StoreError> {
    retrying(&inner.policy, &inner.requests, Operation::Query, || {
        let request = request.clone().set_exclusive_start_key(start.clone());
        async move { request.send().await.map_err(classify) }
    })
    .await
}

/// Sends `request` and every further page, handing each answer to `page`.
pub(crate) async fn each_page(
    inner: &Inner,
    request: QueryFluentBuilder,
    mut page: impl FnMut(QueryOutput) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let mut start: Option<Item> = None;
    loop {
        let output = one_page(inner, &request, start).await?;
        start = output.last_evaluated_key.clone();
        page(output)?;
        if start.is_none() {
            return Ok(());
        }
    }
}
