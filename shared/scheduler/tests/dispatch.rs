//! `dispatch_tick` over the embedded settings store and an in-memory queue.
#![allow(clippy::unwrap_used, reason = "a panic is how a test reports failure")]

mod support;

use std::collections::BTreeSet;
use std::sync::atomic::Ordering;
use std::time::Duration;

use ohsync_jobs::{Backoff, JobTrigger};
use ohsync_scheduler::{DispatchOptions, dispatch_tick};
use ohsync_settings::store::{SHARDS, SettingsStore, SettingsStoreError, Shard};
use ohsync_store_embedded::EmbeddedSettingsStore;
use support::{FlakyIndex, MemoryQueue, seed, tick, users};
use tempfile::TempDir;

fn store() -> (TempDir, EmbeddedSettingsStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedSettingsStore::open(dir.path()).unwrap();
    (dir, store)
}

/// Retries without waiting, so that failure tests stay fast.
fn quick() -> DispatchOptions {
    DispatchOptions {
        index_reads: Backoff {
            attempts: 3,
            base: Duration::ZERO,
            max: Duration::ZERO,
        },
        ..DispatchOptions::default()
    }
}

#[tokio::test]
async fn no_users_no_jobs() {
    let (_dir, store) = store();
    let queue = MemoryQueue::default();
    let report = dispatch_tick(&store, &queue, tick(), &quick()).await;
    assert_eq!(report.users_found, 0);
    assert_eq!(report.jobs_queued, 0);
    assert_eq!(report.batches, 0);
    assert_eq!(report.index_reads, u64::from(SHARDS), "one read per shard");
    assert!(report.is_complete());
    assert_eq!(queue.calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn one_user_gets_one_job_for_the_tick() {
    let (_dir, store) = store();
    let users = users(1);
    seed(&store, &users, true).await;
    let queue = MemoryQueue::default();

    let report = dispatch_tick(&store, &queue, tick(), &quick()).await;

    assert_eq!(
        (report.users_found, report.jobs_queued, report.batches),
        (1, 1, 1)
    );
    let jobs = queue.jobs.lock().unwrap().clone();
    assert_eq!(jobs.len(), 1);
    assert_eq!((&jobs[0].tenant, &jobs[0].user), (&users[0].0, &users[0].1));
    assert_eq!(jobs[0].trigger, JobTrigger::Tick { tick: tick() });
}

#[tokio::test]
async fn users_over_many_shards_get_exactly_one_job_each() {
    let (_dir, store) = store();
    let users = users(25);
    seed(&store, &users, true).await;
    let shards: BTreeSet<Shard> = users
        .iter()
        .map(|(tenant, user)| Shard::of(tenant, user))
        .collect();
    assert!(shards.len() > 8, "the users spread over many shards");
    let queue = MemoryQueue::default();

    let report = dispatch_tick(&store, &queue, tick(), &quick()).await;

    assert_eq!(report.users_found, 25);
    assert_eq!(report.jobs_queued, 25);
    assert!(report.is_complete());
    let per_user = queue.jobs_per_user();
    assert_eq!(per_user.len(), 25);
    assert!(per_user.values().all(|&jobs| jobs == 1), "{per_user:?}");
    // Batches are made per shard page: one per shard that has users, as none holds ten.
    assert_eq!(report.batches, shards.len() as u64);
}

#[tokio::test]
async fn inactive_users_are_not_dispatched() {
    let (_dir, store) = store();
    let all = users(12);
    let (active, inactive) = all.split_at(5);
    seed(&store, active, true).await;
    seed(&store, inactive, false).await;
    // One user switched off after being on: the save takes it out of the index.
    let (tenant, user) = &active[0];
    let mut off = store.get(tenant, user).await.unwrap().unwrap();
    off.active = false;
    off.settings_version += 1;
    store
        .put(tenant, user, &off, Some(off.settings_version - 1))
        .await
        .unwrap();
    let queue = MemoryQueue::default();

    let report = dispatch_tick(&store, &queue, tick(), &quick()).await;

    assert_eq!(report.users_found, 4);
    let dispatched: BTreeSet<_> = queue.jobs_per_user().into_keys().collect();
    let expected: BTreeSet<_> = active[1..].iter().cloned().collect();
    assert_eq!(dispatched, expected);
}

#[tokio::test]
async fn every_page_of_a_shard_is_read() {
    let (_dir, store) = store();
    let store = store.with_page_size(2);
    let users = users(40);
    seed(&store, &users, true).await;
    let queue = MemoryQueue::default();

    let report = dispatch_tick(&store, &queue, tick(), &quick()).await;

    assert_eq!(report.jobs_queued, 40);
    assert_eq!(queue.jobs_per_user().len(), 40);
    assert!(
        report.index_reads >= 20 + u64::from(SHARDS) / 2,
        "pages of two: {} reads",
        report.index_reads
    );
}

#[tokio::test]
async fn a_refused_job_is_reported_and_the_rest_are_queued() {
    let (_dir, store) = store();
    let users = users(25);
    seed(&store, &users, true).await;
    let queue = MemoryQueue::default();
    queue.refuse(&users[7].1);

    let report = dispatch_tick(&store, &queue, tick(), &quick()).await;

    assert_eq!(report.users_found, 25);
    assert_eq!(report.jobs_queued, 24);
    assert_eq!(report.refused.len(), 1);
    let refused = &report.refused[0];
    assert_eq!((&refused.tenant, &refused.user), (&users[7].0, &users[7].1));
    assert_eq!(refused.reason, "InternalError: injected");
    assert!(!report.is_complete());
    assert!(!queue.jobs_per_user().contains_key(&users[7]));
}

#[tokio::test]
async fn a_queue_that_is_down_refuses_every_job_with_why() {
    let (_dir, store) = store();
    seed(&store, &users(13), true).await;
    let queue = MemoryQueue::default();
    queue.go_down();

    let report = dispatch_tick(&store, &queue, tick(), &quick()).await;

    assert_eq!(report.jobs_queued, 0);
    assert_eq!(report.refused.len(), 13);
    assert!(
        report
            .refused
            .iter()
            .all(|job| job.reason == "connection refused")
    );
}

#[tokio::test]
async fn a_shard_that_cannot_be_read_is_reported_and_the_others_dispatch() {
    let (_dir, store) = store();
    let users = users(25);
    seed(&store, &users, true).await;
    let broken = Shard::of(&users[0].0, &users[0].1);
    let in_broken = users
        .iter()
        .filter(|(tenant, user)| Shard::of(tenant, user) == broken)
        .count() as u64;
    let unavailable = SettingsStoreError::Unavailable("timeout".into());
    let flaky = FlakyIndex::new(store, broken, u32::MAX, unavailable.clone());
    let queue = MemoryQueue::default();

    let report = dispatch_tick(&flaky, &queue, tick(), &quick()).await;

    assert_eq!(report.shard_failures.len(), 1);
    let failure = &report.shard_failures[0];
    assert_eq!((failure.shard, failure.attempts), (broken, 3));
    assert_eq!(failure.error, unavailable);
    assert_eq!(report.jobs_queued, 25 - in_broken);
    assert_eq!(queue.jobs_per_user().len() as u64, 25 - in_broken);
}

#[tokio::test]
async fn a_read_that_fails_once_is_retried_and_a_damaged_index_is_not() {
    let (_dir, store) = store();
    let users = users(25);
    seed(&store, &users, true).await;
    let shard = Shard::of(&users[0].0, &users[0].1);
    let once = FlakyIndex::new(
        store.clone(),
        shard,
        1,
        SettingsStoreError::Unavailable("throttled".into()),
    );
    let queue = MemoryQueue::default();
    let report = dispatch_tick(&once, &queue, tick(), &quick()).await;
    assert!(report.is_complete());
    assert_eq!(report.jobs_queued, 25);
    assert_eq!(report.index_reads, u64::from(SHARDS) + 1);

    let damaged = FlakyIndex::new(
        store,
        shard,
        u32::MAX,
        SettingsStoreError::Corrupt("index entry sort key".into()),
    );
    let report = dispatch_tick(&damaged, &MemoryQueue::default(), tick(), &quick()).await;
    assert_eq!(report.shard_failures.len(), 1);
    assert_eq!(
        report.shard_failures[0].attempts, 1,
        "a damaged entry is not re-read"
    );
}

#[tokio::test]
async fn queue_calls_in_flight_stay_within_the_bound() {
    let (_dir, store) = store();
    seed(&store, &users(200), true).await;
    let queue = MemoryQueue::default();
    queue.slow_down(Duration::from_millis(20));
    let options = DispatchOptions {
        max_in_flight: 4,
        ..quick()
    };

    let report = dispatch_tick(&store, &queue, tick(), &options).await;

    assert_eq!(report.jobs_queued, 200);
    let most = queue.most_in_flight.load(Ordering::SeqCst);
    assert!(most <= 4, "{most} calls were in flight");
    assert!(most >= 2, "calls do overlap ({most})");
    assert!(report.batches >= 20);
}
