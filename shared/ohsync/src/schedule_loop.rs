//! The scheduler of one machine: a tick at start and every interval, each queueing one job per
//! active user into the [`LocalJobQueue`] through the same `dispatch_tick` as the Lambda.

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use ohsync_scheduler::{DispatchOptions, dispatch_tick, tick_of};
use ohsync_settings::store::SettingsStore;
use tokio::sync::watch;
use tokio::time::MissedTickBehavior;

use crate::local_queue::LocalJobQueue;

/// Dispatches a tick every `interval` until `stopping` is set.
pub(crate) async fn schedule(
    settings: Arc<dyn SettingsStore>,
    queue: Arc<LocalJobQueue>,
    interval: Duration,
    mut stopping: watch::Receiver<bool>,
) {
    let period = TimeDelta::from_std(interval).unwrap_or(TimeDelta::minutes(5));
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let options = DispatchOptions::default();
    loop {
        tokio::select! {
            biased;
            _ = stopping.wait_for(|stop| *stop) => return,
            _ = ticker.tick() => {}
        }
        dispatch_tick(&*settings, &*queue, tick_of(Utc::now(), period), &options).await;
    }
}
