//! `DynamoHostSlots` on the local stack, through the proxy that passes one request at a time
//! (moto does not lock; DynamoDB applies each conditional write atomically): the cap holds
//! under racing acquirers, an ended lease is taken over, only the holder releases, other hosts
//! are not held up, throttling is retried — and what each call costs.
#![allow(clippy::unwrap_used, reason = "a panic is how a test reports failure")]

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, TimeDelta, Utc};
use ohsync_aws_env::test_stack::{FaultProxy, Refusal, THROTTLING, THROUGHPUT_EXCEEDED};
use ohsync_jobs::{ExchangeHost, HostSlots, HostSlotsError, SlotHolder, SlotLease};
use ohsync_store_dynamodb::{DynamoHostSlots, Operation, RetryPolicy};
use tokio::task::JoinSet;

fn quick_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        ..RetryPolicy::default()
    }
}

/// Slots on a fresh table, reached through a proxy; the proxy too, for faults.
async fn fresh_slots() -> Option<(DynamoHostSlots, FaultProxy, String)> {
    let stack = common::stack_endpoint()?;
    let proxy = FaultProxy::start(&stack).await;
    let (_, table) = common::new_table(&stack).await;
    let slots =
        DynamoHostSlots::with_retry(common::client(&proxy.endpoint).await, &table, quick_retry());
    Some((slots, proxy, table))
}

fn lease_of(now: DateTime<Utc>) -> DateTime<Utc> {
    now + TimeDelta::minutes(6)
}

async fn take(
    slots: &DynamoHostSlots,
    host: &str,
    cap: u32,
    holder: &str,
    now: DateTime<Utc>,
) -> Option<SlotLease> {
    slots
        .try_acquire(
            &ExchangeHost::new(host),
            cap,
            &SlotHolder::new(holder),
            now,
            lease_of(now),
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn racing_acquirers_get_at_most_the_cap_and_other_hosts_are_not_held_up() {
    let Some((slots, _proxy, _)) = fresh_slots().await else {
        return;
    };
    let slots = Arc::new(slots);
    let now = Utc::now();
    let mut racers = JoinSet::new();
    for n in 0..12 {
        let slots = slots.clone();
        // The same server, however the users typed its name.
        let host = if n % 2 == 0 {
            "mail.example.nl"
        } else {
            "MAIL.Example.NL"
        };
        racers.spawn(async move { take(&slots, host, 3, &format!("run-{n}"), now).await });
    }
    let mut won = Vec::new();
    while let Some(result) = racers.join_next().await {
        won.extend(result.unwrap());
    }
    assert_eq!(won.len(), 3, "{won:?}");
    let distinct: BTreeSet<u32> = won.iter().map(|lease| lease.slot).collect();
    assert_eq!(distinct, BTreeSet::from([0, 1, 2]));

    assert!(
        take(&slots, "mail.example.nl", 3, "late", now)
            .await
            .is_none()
    );
    let other = take(&slots, "ex.other.nl", 3, "elsewhere", now).await;
    assert!(other.is_some(), "another host is not held up");

    // A freed slot is taken by the next run.
    assert!(slots.release(&won[0]).await.unwrap());
    let next = take(&slots, "mail.example.nl", 3, "next", now)
        .await
        .unwrap();
    assert_eq!(next.slot, won[0].slot);
}

#[tokio::test]
async fn an_ended_lease_is_taken_over_and_only_the_holder_releases() {
    let Some((slots, _proxy, _)) = fresh_slots().await else {
        return;
    };
    let now = Utc::now();
    let crashed = take(&slots, "mail.example.nl", 1, "crashed", now)
        .await
        .unwrap();
    assert!(
        take(
            &slots,
            "mail.example.nl",
            1,
            "waiting",
            now + TimeDelta::minutes(5)
        )
        .await
        .is_none(),
        "held while the lease runs"
    );

    let later = crashed.lease_until + TimeDelta::seconds(1);
    let heir = take(&slots, "mail.example.nl", 1, "heir", later)
        .await
        .unwrap();
    assert_eq!(heir.slot, crashed.slot);

    // The crashed run comes back to life: its release must not free the heir's slot.
    assert!(!slots.release(&crashed).await.unwrap());
    let stranger = SlotLease {
        holder: SlotHolder::new("stranger"),
        ..heir.clone()
    };
    assert!(!slots.release(&stranger).await.unwrap());
    assert!(
        take(&slots, "mail.example.nl", 1, "third", later)
            .await
            .is_none(),
        "the heir still holds it"
    );
    assert!(slots.release(&heir).await.unwrap());
    assert!(
        take(&slots, "mail.example.nl", 1, "third", later)
            .await
            .is_some()
    );
}

#[tokio::test]
async fn the_slot_items_are_tenant_free_and_cost_one_write_each() {
    let Some((slots, _proxy, table)) = fresh_slots().await else {
        return;
    };
    let now = Utc::now();
    let lease = take(&slots, "Mail.Example.NL", 2, "acme/jan/1", now)
        .await
        .unwrap();
    assert_eq!(slots.requests().of(Operation::PutItem), 1);

    let stack = common::stack_endpoint().unwrap();
    let raw = common::client(&stack).await;
    let stored = raw
        .get_item()
        .table_name(&table)
        .key("pk", AttributeValue::S("host#mail.example.nl".into()))
        .key("sk", AttributeValue::S(format!("slot#{}", lease.slot)))
        .send()
        .await
        .unwrap()
        .item
        .unwrap();
    assert_eq!(stored["holder"], AttributeValue::S("acme/jan/1".into()));
    assert_eq!(
        stored["lease_until"],
        AttributeValue::N(lease.lease_until.timestamp_millis().to_string())
    );
    assert!(stored.contains_key("expires_at"), "{stored:?}");

    take(&slots, "mail.example.nl", 2, "acme/piet/1", now)
        .await
        .unwrap();
    let before = slots.requests().of(Operation::PutItem);
    assert!(
        take(&slots, "mail.example.nl", 2, "acme/kees/1", now)
            .await
            .is_none()
    );
    assert_eq!(
        slots.requests().of(Operation::PutItem) - before,
        2,
        "a full host costs one try per slot"
    );
    assert!(slots.release(&lease).await.unwrap());
    assert_eq!(slots.requests().of(Operation::DeleteItem), 1);
}

#[tokio::test]
async fn throttling_is_retried_then_reported_as_unavailable() {
    let Some((slots, proxy, _)) = fresh_slots().await else {
        return;
    };
    let now = Utc::now();
    proxy.refuse(Refusal::new(400, THROUGHPUT_EXCEEDED).times(2));
    let lease = take(&slots, "mail.example.nl", 1, "patient", now)
        .await
        .unwrap();

    proxy.refuse(Refusal::new(400, THROTTLING));
    let error = slots.release(&lease).await.unwrap_err();
    assert!(
        matches!(&error, HostSlotsError::Unavailable(detail) if detail.contains(THROTTLING)),
        "{error:?}"
    );
    let error = slots
        .try_acquire(
            &ExchangeHost::new("ex.other.nl"),
            1,
            &SlotHolder::new("blocked"),
            now,
            lease_of(now),
        )
        .await
        .unwrap_err();
    assert!(matches!(error, HostSlotsError::Unavailable(_)), "{error:?}");

    proxy.clear();
    assert!(slots.release(&lease).await.unwrap());
}
