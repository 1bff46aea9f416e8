//! Runtime switches that make the simulator misbehave the way real servers do, and request counters.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

/// Fault switches; every "next N" switch is consumed one request (or write) at a time.
#[derive(Debug, Default)]
pub struct FaultSwitches {
    latency_ms: AtomicU64,
    server_busy: AtomicU32,
    back_off_ms: AtomicU64,
    unavailable: AtomicU32,
    drop_after_write: AtomicU32,
    invalid_sync_state: AtomicU32,
    /// Per operation: how many of its requests pass first, then how many fail.
    failing_operations: Mutex<BTreeMap<String, (u32, u32)>>,
}

/// Decrements `counter` if it is positive; true when a unit was taken.
fn take(counter: &AtomicU32) -> bool {
    counter
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
            left.checked_sub(1)
        })
        .is_ok()
}

impl FaultSwitches {
    /// Delay every SOAP request by `latency`.
    pub fn set_latency(&self, latency: Duration) {
        self.latency_ms.store(
            u64::try_from(latency.as_millis()).unwrap_or(u64::MAX),
            Ordering::SeqCst,
        );
    }

    /// The current per-request delay.
    pub fn latency(&self) -> Duration {
        Duration::from_millis(self.latency_ms.load(Ordering::SeqCst))
    }

    /// Answer the next `requests` SOAP requests with the ErrorServerBusy fault carrying BackOffMilliseconds.
    pub fn server_busy_for_next(&self, requests: u32, back_off: Duration) {
        self.back_off_ms.store(
            u64::try_from(back_off.as_millis()).unwrap_or(u64::MAX),
            Ordering::SeqCst,
        );
        self.server_busy.store(requests, Ordering::SeqCst);
    }

    /// Answer the next `requests` authenticated requests with HTTP 503.
    pub fn unavailable_for_next(&self, requests: u32) {
        self.unavailable.store(requests, Ordering::SeqCst);
    }

    /// After each of the next `writes` committed writes, close the socket instead of answering.
    pub fn drop_connection_after_next_writes(&self, writes: u32) {
        self.drop_after_write.store(writes, Ordering::SeqCst);
    }

    /// Refuse the SyncState of the next `requests` SyncFolderItems calls that carry one.
    pub fn invalidate_next_sync_states(&self, requests: u32) {
        self.invalid_sync_state.store(requests, Ordering::SeqCst);
    }

    /// Answer the next `requests` requests of `operation` (e.g. `"DeleteItem"`) with an
    /// ErrorInternalServerError fault, before they do anything: a request failing in the middle
    /// of a client's sequence.
    pub fn fail_next_of(&self, operation: &str, requests: u32) {
        self.fail_of_after(operation, 0, requests);
    }

    /// As [`Self::fail_next_of`], after letting the next `passing` requests of `operation` through
    /// (the second GetItem of a read, say).
    pub fn fail_of_after(&self, operation: &str, passing: u32, requests: u32) {
        if let Ok(mut failing) = self.failing_operations.lock() {
            failing.insert(operation.to_owned(), (passing, requests));
        }
    }

    /// Turns every switch off.
    pub fn clear(&self) {
        self.set_latency(Duration::ZERO);
        self.server_busy_for_next(0, Duration::ZERO);
        self.unavailable_for_next(0);
        self.drop_connection_after_next_writes(0);
        self.invalidate_next_sync_states(0);
        if let Ok(mut failing) = self.failing_operations.lock() {
            failing.clear();
        }
    }

    /// Consumes one request of `operation`: whether it is to fail.
    pub(crate) fn take_operation_failure(&self, operation: &str) -> bool {
        self.failing_operations.lock().is_ok_and(|mut failing| {
            let Some((passing, left)) = failing.get_mut(operation) else {
                return false;
            };
            if let Some(rest) = passing.checked_sub(1) {
                *passing = rest;
                return false;
            }
            left.checked_sub(1).map(|rest| *left = rest).is_some()
        })
    }

    /// Consumes one ErrorServerBusy; returns the back-off to announce.
    pub(crate) fn take_server_busy(&self) -> Option<Duration> {
        take(&self.server_busy)
            .then(|| Duration::from_millis(self.back_off_ms.load(Ordering::SeqCst)))
    }

    /// Consumes one HTTP 503.
    pub(crate) fn take_unavailable(&self) -> bool {
        take(&self.unavailable)
    }

    /// Consumes one dropped connection.
    pub(crate) fn take_drop_after_write(&self) -> bool {
        take(&self.drop_after_write)
    }

    /// Consumes one invalid sync state.
    pub(crate) fn take_invalid_sync_state(&self) -> bool {
        take(&self.invalid_sync_state)
    }
}

/// Counts of requests by EWS operation, plus all HTTP requests (including 401 handshakes).
#[derive(Debug, Default)]
pub struct RequestCounters {
    by_operation: Mutex<BTreeMap<String, u64>>,
    http_requests: AtomicU64,
}

impl RequestCounters {
    pub(crate) fn record_http(&self) {
        self.http_requests.fetch_add(1, Ordering::SeqCst);
    }

    pub(crate) fn record_operation(&self, operation: &str) {
        if let Ok(mut counts) = self.by_operation.lock() {
            *counts.entry(operation.to_owned()).or_default() += 1;
        }
    }

    /// Authenticated SOAP requests for one operation (e.g. `"SyncFolderItems"`).
    pub fn operation(&self, operation: &str) -> u64 {
        self.by_operation
            .lock()
            .map(|counts| counts.get(operation).copied().unwrap_or_default())
            .unwrap_or_default()
    }

    /// All operation counts.
    pub fn operations(&self) -> BTreeMap<String, u64> {
        self.by_operation
            .lock()
            .map(|counts| counts.clone())
            .unwrap_or_default()
    }

    /// Authenticated SOAP requests of any operation.
    pub fn soap_requests(&self) -> u64 {
        self.operations().values().sum()
    }

    /// Every HTTP request received, including 401 round trips.
    pub fn http_requests(&self) -> u64 {
        self.http_requests.load(Ordering::SeqCst)
    }

    /// Sets every counter back to zero.
    pub fn reset(&self) {
        if let Ok(mut counts) = self.by_operation.lock() {
            counts.clear();
        }
        self.http_requests.store(0, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_n_switches_are_consumed_one_at_a_time() {
        let switches = FaultSwitches::default();
        switches.server_busy_for_next(2, Duration::from_millis(250));
        assert_eq!(
            switches.take_server_busy(),
            Some(Duration::from_millis(250))
        );
        assert_eq!(
            switches.take_server_busy(),
            Some(Duration::from_millis(250))
        );
        assert_eq!(switches.take_server_busy(), None);
        switches.drop_connection_after_next_writes(1);
        switches.clear();
        assert!(!switches.take_drop_after_write());
        switches.fail_next_of("DeleteItem", 1);
        assert!(!switches.take_operation_failure("UpdateItem"));
        assert!(switches.take_operation_failure("DeleteItem"));
        assert!(!switches.take_operation_failure("DeleteItem"));
        switches.fail_of_after("GetItem", 1, 2);
        let answers: Vec<bool> = (0..4)
            .map(|_| switches.take_operation_failure("GetItem"))
            .collect();
        assert_eq!(answers, [false, true, true, false]);
    }
}
