//! A clock the test sets.

use std::sync::Mutex;

use chrono::{DateTime, TimeDelta, Utc};

use super::faults::lock;
use crate::ports::Clock;

/// A settable clock.
#[derive(Debug)]
pub struct FakeClock {
    now: Mutex<DateTime<Utc>>,
}

impl FakeClock {
    /// A clock showing `now`.
    pub fn new(now: DateTime<Utc>) -> Self {
        Self {
            now: Mutex::new(now),
        }
    }

    /// Moves the clock on.
    pub fn advance(&self, by: TimeDelta) {
        *lock(&self.now) += by;
    }
}

impl Clock for FakeClock {
    fn now(&self) -> DateTime<Utc> {
        *lock(&self.now)
    }
}
