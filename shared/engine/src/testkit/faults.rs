//! Fault injection shared by the fakes: "the process dies after the Nth side effect", request
//! interleaving for racing runs, and request counters.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

/// The injected process death: every call after it fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Crashed;

#[derive(Debug, Default)]
struct FaultState {
    effects: u64,
    crash_at: Option<u64>,
    crashed: bool,
    interleave_seed: Option<u64>,
}

/// Shared fault switches of one test world.
#[derive(Debug, Default)]
pub struct Faults {
    state: Mutex<FaultState>,
}

pub(super) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A test that panicked while holding the lock has failed already; its data is still usable.
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Faults {
    /// The process dies right after the `n`th side effect from now (1 = the next one): that
    /// effect is applied, its caller sees a failure, and every later call fails too.
    pub fn crash_after(&self, n: u64) {
        let mut state = lock(&self.state);
        state.crash_at = Some(state.effects + n.max(1));
    }

    /// A restarted process: calls work again and no crash is armed.
    pub fn restart(&self) {
        let mut state = lock(&self.state);
        state.crash_at = None;
        state.crashed = false;
    }

    /// Whether the injected crash happened.
    pub fn crashed(&self) -> bool {
        lock(&self.state).crashed
    }

    /// Side effects applied so far (items written, store commits).
    pub fn effects(&self) -> u64 {
        lock(&self.state).effects
    }

    /// Makes every port call yield to the scheduler a pseudo-random number of times (0–3),
    /// drawn from `seed`, so that concurrent runs interleave differently per seed.
    pub fn interleave(&self, seed: u64) {
        lock(&self.state).interleave_seed = Some(seed | 1);
    }

    /// Stops interleaving.
    pub fn stop_interleaving(&self) {
        lock(&self.state).interleave_seed = None;
    }

    /// Fails when the process is dead.
    pub(super) fn alive(&self) -> Result<(), Crashed> {
        if lock(&self.state).crashed {
            Err(Crashed)
        } else {
            Ok(())
        }
    }

    /// Counts one applied side effect; fails when it was the one to die after.
    pub(super) fn effect(&self) -> Result<(), Crashed> {
        let mut state = lock(&self.state);
        state.effects += 1;
        if state.crash_at == Some(state.effects) {
            state.crashed = true;
            return Err(Crashed);
        }
        Ok(())
    }

    /// The start of every port call: a possible switch to another task.
    pub(super) async fn checkpoint(&self) {
        let yields = {
            let mut state = lock(&self.state);
            match state.interleave_seed.as_mut() {
                Some(seed) => {
                    // xorshift64: deterministic per seed, no dependency.
                    *seed ^= *seed << 13;
                    *seed ^= *seed >> 7;
                    *seed ^= *seed << 17;
                    *seed % 4
                }
                None => 0,
            }
        };
        for _ in 0..yields {
            tokio::task::yield_now().await;
        }
    }
}

/// Requests per operation name.
#[derive(Debug, Default)]
pub struct RequestCounter {
    counts: Mutex<BTreeMap<&'static str, u64>>,
}

impl RequestCounter {
    pub(super) fn hit(&self, operation: &'static str) {
        *lock(&self.counts).entry(operation).or_default() += 1;
    }

    /// Requests per operation.
    pub fn snapshot(&self) -> BTreeMap<&'static str, u64> {
        lock(&self.counts).clone()
    }

    /// Requests of one operation.
    pub fn of(&self, operation: &str) -> u64 {
        lock(&self.counts).get(operation).copied().unwrap_or(0)
    }

    /// All requests.
    pub fn total(&self) -> u64 {
        lock(&self.counts).values().sum()
    }

    /// Starts counting afresh.
    pub fn reset(&self) {
        lock(&self.counts).clear();
    }
}
