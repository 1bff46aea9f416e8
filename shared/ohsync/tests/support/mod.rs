//! Waiting on `serve`'s run events, for the test binaries that drive a whole `serve`.
#![allow(dead_code, reason = "each test binary uses a different subset")]
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test support")]

use std::time::Duration;

use ohsync::run_event::RunEvent;
use tokio::sync::broadcast;

/// The next run event, within a minute.
pub async fn next_event(events: &mut broadcast::Receiver<RunEvent>) -> RunEvent {
    tokio::time::timeout(Duration::from_secs(60), events.recv())
        .await
        .expect("a run event within a minute")
        .unwrap()
}

/// The next event that ends a run of `user`.
pub async fn finished_run_of(events: &mut broadcast::Receiver<RunEvent>, user: &str) -> RunEvent {
    loop {
        let event = next_event(events).await;
        if matches!(&event, RunEvent::Finished { user: finished, .. } if finished.as_str() == user)
        {
            return event;
        }
    }
}
