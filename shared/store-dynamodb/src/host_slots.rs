//! The [`HostSlots`] port in the binding store's table: `cap` slot items per Exchange host,
//! each taken by one conditional PutItem and freed by one conditional DeleteItem.
//!
//! | item | `pk` | `sk` | attributes |
//! | --- | --- | --- | --- |
//! | a held slot | `host#{host}` | `slot#{i}` (`i` below the cap) | `holder` (S), `lease_until` (N, epoch ms), `expires_at` (N, epoch s: a day after the lease, for TTL) |
//!
//! The key names no tenant: the cap is per Exchange server, whoever's users it serves. Taking
//! a slot tries the slots in turn from a random one, so that racing workers spread over the
//! slots instead of all contending for slot 0; each try costs one write unit, a full host
//! `cap` of them. A slot item that is absent, or whose lease ended, is free.

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, TimeDelta, Utc};
use ohsync_engine::ports::StoreError;
use ohsync_jobs::{ExchangeHost, HostSlots, HostSlotsError, SlotHolder, SlotLease};
use rand::Rng;

use crate::item::{self, EXPIRES_AT};
use crate::requests::{Operation, RequestCounts};
use crate::retry::{RetryPolicy, applied, retrying};
use crate::store::{DynamoStore, StoreOptions};

/// Slot item: the run holding it.
const HOLDER: &str = "holder";
/// Slot item: when the lease ends (epoch milliseconds).
const LEASE_UNTIL: &str = "lease_until";
/// How long after its lease a forgotten slot item is left for TTL to delete.
const KEEP_AFTER_LEASE: TimeDelta = TimeDelta::days(1);

/// The per-host run slots in one DynamoDB table (the binding store's). Cheap to clone; clones
/// share the client and the request counter.
#[derive(Debug, Clone)]
pub struct DynamoHostSlots {
    store: DynamoStore,
}

impl DynamoHostSlots {
    /// The slots in `table`, with the default retrying.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self::with_retry(client, table, RetryPolicy::default())
    }

    /// The slots in `table`; the client's own retries are switched off as for
    /// [`DynamoStore::with_options`].
    pub fn with_retry(client: Client, table: impl Into<String>, retry: RetryPolicy) -> Self {
        let options = StoreOptions {
            retry,
            ..StoreOptions::default()
        };
        Self {
            store: DynamoStore::with_options(client, table, options),
        }
    }

    /// The requests sent since creation or the last reset.
    pub fn requests(&self) -> RequestCounts {
        self.store.requests()
    }
}

fn partition(host: &ExchangeHost) -> String {
    format!("host#{host}")
}

fn sort(slot: u32) -> String {
    format!("slot#{slot}")
}

fn millis(at: DateTime<Utc>) -> AttributeValue {
    AttributeValue::N(at.timestamp_millis().to_string())
}

fn unavailable(error: StoreError) -> HostSlotsError {
    HostSlotsError::Unavailable(error.to_string())
}

#[async_trait]
impl HostSlots for DynamoHostSlots {
    async fn try_acquire(
        &self,
        host: &ExchangeHost,
        cap: u32,
        holder: &SlotHolder,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<SlotLease>, HostSlotsError> {
        let cap = cap.max(1);
        let first = rand::rng().random_range(0..cap);
        for slot in (0..cap).map(|step| (first + step) % cap) {
            if self.take(host, slot, holder, now, lease_until).await? {
                return Ok(Some(SlotLease {
                    host: host.clone(),
                    slot,
                    holder: holder.clone(),
                    lease_until,
                }));
            }
        }
        Ok(None)
    }

    async fn release(&self, lease: &SlotLease) -> Result<bool, HostSlotsError> {
        let inner = self.store.inner();
        let key = item::key(&partition(&lease.host), &sort(lease.slot));
        retrying(
            &inner.policy,
            &inner.requests,
            Operation::DeleteItem,
            || {
                let request = inner
                    .client
                    .delete_item()
                    .table_name(&inner.table)
                    .set_key(Some(key.clone()))
                    .condition_expression("#holder = :holder")
                    .expression_attribute_names("#holder", HOLDER)
                    .expression_attribute_values(
                        ":holder",
                        AttributeValue::S(lease.holder.as_str().to_owned()),
                    );
                async move { applied(request.send().await) }
            },
        )
        .await
        .map_err(unavailable)
    }
}

impl DynamoHostSlots {
    /// Puts the slot item for `holder` if the slot is free; whether it was.
    async fn take(
        &self,
        host: &ExchangeHost,
        slot: u32,
        holder: &SlotHolder,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<bool, HostSlotsError> {
        let inner = self.store.inner();
        let mut slot_item = item::key(&partition(host), &sort(slot));
        slot_item.extend([
            (
                HOLDER.to_owned(),
                AttributeValue::S(holder.as_str().to_owned()),
            ),
            (LEASE_UNTIL.to_owned(), millis(lease_until)),
            (
                EXPIRES_AT.to_owned(),
                AttributeValue::N((lease_until + KEEP_AFTER_LEASE).timestamp().to_string()),
            ),
        ]);
        retrying(&inner.policy, &inner.requests, Operation::PutItem, || {
            let request = inner
                .client
                .put_item()
                .table_name(&inner.table)
                .set_item(Some(slot_item.clone()))
                // Its own holder too: a retry after an answer was lost must find the slot taken
                // by this very attempt, not move on and hold a second one.
                .condition_expression(
                    "attribute_not_exists(#holder) OR #lease < :now OR #holder = :holder",
                )
                .expression_attribute_names("#holder", HOLDER)
                .expression_attribute_names("#lease", LEASE_UNTIL)
                .expression_attribute_values(":now", millis(now))
                .expression_attribute_values(
                    ":holder",
                    AttributeValue::S(holder.as_str().to_owned()),
                );
            async move { applied(request.send().await) }
        })
        .await
        .map_err(unavailable)
    }
}
