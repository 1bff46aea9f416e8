//! Saving a record: one transaction of the record (conditional on its version) and the user's
//! index entry (put when active, deleted when not), so the index never disagrees with the
//! records.

use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem};
use ohsync_engine::identity::{TenantId, UserId};
use ohsync_engine::ports::StoreError;
use ohsync_settings::StoredSettings;
use ohsync_settings::store::{SettingsStoreError, Shard, record};

use super::{SETTINGS, SETTINGS_VERSION, keys};
use crate::item;
use crate::keys::PK;
use crate::requests::Operation;
use crate::retry::{Failure, TRANSIENT_CANCELLATIONS, classify, retrying};
use crate::store::Inner;

/// A request the SDK refused to build (a required field missing): a bug, reported as such.
fn built(error: impl std::fmt::Display) -> SettingsStoreError {
    SettingsStoreError::Unavailable(format!("settings request: {error}"))
}

/// Writes the record and its index entry if the stored version is `expected`.
pub(super) async fn put(
    inner: &Inner,
    tenant: &TenantId,
    user: &UserId,
    settings: &StoredSettings,
    expected: Option<u64>,
) -> Result<(), SettingsStoreError> {
    let mut record_item = item::key(&keys::tenant_partition(tenant), &keys::record_sort(user));
    record_item.extend([
        (
            SETTINGS.to_owned(),
            AttributeValue::S(record::encode(settings)?),
        ),
        (
            SETTINGS_VERSION.to_owned(),
            AttributeValue::N(settings.settings_version.to_string()),
        ),
    ]);
    let record_put = Put::builder()
        .table_name(&inner.table)
        .set_item(Some(record_item));
    let record_put = match expected {
        None => record_put
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", PK),
        Some(version) => record_put
            .condition_expression("#version = :version")
            .expression_attribute_names("#version", SETTINGS_VERSION)
            .expression_attribute_values(":version", AttributeValue::N(version.to_string())),
    };
    let entry = item::key(
        &keys::shard_partition(Shard::of(tenant, user)),
        &keys::entry_sort(tenant, user),
    );
    // Written either way: the index follows the record whatever the previous state was, for
    // the price of one small unconditional write.
    let entry_write = if settings.active {
        TransactWriteItem::builder().put(
            Put::builder()
                .table_name(&inner.table)
                .set_item(Some(entry))
                .build()
                .map_err(built)?,
        )
    } else {
        TransactWriteItem::builder().delete(
            Delete::builder()
                .table_name(&inner.table)
                .set_key(Some(entry))
                .build()
                .map_err(built)?,
        )
    };
    let items = vec![
        TransactWriteItem::builder()
            .put(record_put.build().map_err(built)?)
            .build(),
        entry_write.build(),
    ];
    // Kept across retries: a retry of a transaction that was applied but whose answer was lost
    // is answered as applied instead of failing its version condition.
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
            async move { request.send().await.map(drop).map_err(cancelled) }
        },
    )
    .await?;
    Ok(())
}

/// A cancelled transaction: the record's condition failing is a conflict; a collision with
/// another transaction or throttling is worth retrying.
fn cancelled(error: SdkError<TransactWriteItemsError, HttpResponse>) -> Failure {
    let Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) =
        error.as_service_error()
    else {
        return classify(error);
    };
    let codes: Vec<_> = cancelled
        .cancellation_reasons()
        .iter()
        .filter_map(|reason| reason.code())
        .collect();
    if codes.contains(&"ConditionalCheckFailed") {
        return Failure::Final(StoreError::Conflict);
    }
    if codes
        .iter()
        .any(|code| TRANSIENT_CANCELLATIONS.contains(code))
    {
        return Failure::Transient(format!("settings transaction cancelled: {codes:?}"));
    }
    classify(error)
}
