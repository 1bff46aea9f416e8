//! Exponential back-off with full jitter: the wait before retry `n` is drawn evenly from zero to
//! `base · 2ⁿ` (capped at `max`), so that many callers retrying at once spread out instead of
//! hitting the service again in step.

use std::time::Duration;

use rand::Rng;

/// How often a call is tried and how long to wait between tries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Tries in all, the first included; at least one is always made.
    pub attempts: u32,
    /// The ceiling of the first wait.
    pub base: Duration,
    /// No wait is longer than this.
    pub max: Duration,
}

impl Default for Backoff {
    /// 4 tries, waits drawn below 50, 100 and 200 ms: about a third of a second at worst, short
    /// enough for a scheduler tick and long enough for SQS to clear a passing fault.
    fn default() -> Self {
        Self {
            attempts: 4,
            base: Duration::from_millis(50),
            max: Duration::from_secs(1),
        }
    }
}

impl Backoff {
    /// The ceiling of the wait before retry `retry` (0 = the wait after the first try).
    pub fn ceiling(&self, retry: u32) -> Duration {
        let factor = 1u32.checked_shl(retry).unwrap_or(u32::MAX);
        self.base.saturating_mul(factor).min(self.max)
    }

    /// A wait before retry `retry`, drawn evenly from zero to its ceiling.
    pub fn delay(&self, retry: u32) -> Duration {
        let ceiling = self.ceiling(retry);
        if ceiling.is_zero() {
            return ceiling;
        }
        rand::rng().random_range(Duration::ZERO..=ceiling)
    }

    /// Whether another try may follow try number `tried` (1 = the first).
    pub fn may_retry(&self, tried: u32) -> bool {
        tried < self.attempts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceilings_double_up_to_the_maximum() {
        let backoff = Backoff {
            attempts: 10,
            base: Duration::from_millis(10),
            max: Duration::from_millis(50),
        };
        let ceilings: Vec<u128> = (0..5).map(|n| backoff.ceiling(n).as_millis()).collect();
        assert_eq!(ceilings, [10, 20, 40, 50, 50]);
        assert_eq!(backoff.ceiling(200), Duration::from_millis(50));
    }

    #[test]
    fn delays_are_jittered_below_the_ceiling() {
        let backoff = Backoff::default();
        let delays: Vec<Duration> = (0..200).map(|_| backoff.delay(2)).collect();
        assert!(delays.iter().all(|delay| *delay <= backoff.ceiling(2)));
        let distinct: std::collections::BTreeSet<_> = delays.iter().collect();
        assert!(distinct.len() > 50, "the waits are spread, not in step");
    }

    #[test]
    fn attempts_count_the_first_try() {
        let backoff = Backoff {
            attempts: 3,
            ..Backoff::default()
        };
        assert!(backoff.may_retry(1));
        assert!(backoff.may_retry(2));
        assert!(!backoff.may_retry(3));
    }
}
