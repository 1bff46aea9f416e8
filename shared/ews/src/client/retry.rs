//! How long to keep retrying throttled (and, for reads, transiently failed) calls.

use std::time::Duration;

use rand::Rng as _;

/// Retry limits: the server's `BackOffMilliseconds` is honoured, else exponential back-off with
/// jitter; past `max_total_wait` the error is returned with its `retry_after` so the caller can
/// stop and come back on the next tick.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per call, the first included.
    pub max_attempts: u32,
    /// Total time one call may spend waiting between attempts.
    pub max_total_wait: Duration,
    /// First back-off when the server names none.
    pub base_delay: Duration,
    /// Largest single back-off when the server names none.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            max_total_wait: Duration::from_secs(30),
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            max_total_wait: Duration::ZERO,
            ..Self::default()
        }
    }

    /// The back-off before attempt `attempt + 1` when the server named none: doubling from
    /// `base_delay`, capped at `max_delay`, then a random half-to-full of that ("equal jitter").
    pub fn backoff(&self, attempt: u32) -> Duration {
        let doubling = 2u32.saturating_pow(attempt.saturating_sub(1));
        let ceiling = self.base_delay.saturating_mul(doubling).min(self.max_delay);
        ceiling.mul_f64(rand::rng().random_range(0.5..=1.0))
    }

    /// Whether another attempt fits after `attempts` attempts and `waited` so far, waiting `delay`.
    pub(crate) fn allows(&self, attempts: u32, waited: Duration, delay: Duration) -> bool {
        attempts < self.max_attempts && waited.saturating_add(delay) <= self.max_total_wait
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_jitter_and_is_capped() {
        let policy = RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(350),
            ..RetryPolicy::default()
        };
        for _ in 0..50 {
            let first = policy.backoff(1);
            assert!((Duration::from_millis(50)..=Duration::from_millis(100)).contains(&first));
            let second = policy.backoff(2);
            assert!((Duration::from_millis(100)..=Duration::from_millis(200)).contains(&second));
            let capped = policy.backoff(10);
            assert!((Duration::from_millis(175)..=Duration::from_millis(350)).contains(&capped));
        }
    }

    #[test]
    fn allows_respects_attempts_and_total_wait() {
        let policy = RetryPolicy {
            max_attempts: 3,
            max_total_wait: Duration::from_secs(10),
            ..RetryPolicy::default()
        };
        assert!(policy.allows(1, Duration::ZERO, Duration::from_secs(10)));
        assert!(!policy.allows(1, Duration::ZERO, Duration::from_secs(11)));
        assert!(!policy.allows(3, Duration::ZERO, Duration::from_millis(1)));
        assert!(!RetryPolicy::none().allows(1, Duration::ZERO, Duration::ZERO));
    }
}
