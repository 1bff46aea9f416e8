//! A cap on concurrent runs per Exchange host, so that one on-premises server is never flooded
//! by the users it serves (DESIGN §2).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// One semaphore per host (lower-case), created on first use.
#[derive(Debug)]
pub struct HostLimits {
    per_host: usize,
    hosts: Mutex<HashMap<String, Arc<Semaphore>>>,
}

impl HostLimits {
    /// At most `per_host` runs at once against any one host (at least 1).
    pub fn new(per_host: usize) -> Self {
        Self {
            per_host: per_host.max(1),
            hosts: Mutex::new(HashMap::new()),
        }
    }

    fn hosts(&self) -> MutexGuard<'_, HashMap<String, Arc<Semaphore>>> {
        self.hosts.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits for a slot on `host`; the slot is held until the permit is dropped.
    pub async fn acquire(&self, host: &str) -> OwnedSemaphorePermit {
        let semaphore = Arc::clone(
            self.hosts()
                .entry(host.to_ascii_lowercase())
                .or_insert_with(|| Arc::new(Semaphore::new(self.per_host))),
        );
        loop {
            // The semaphore is never closed, so acquiring can only succeed.
            if let Ok(permit) = Arc::clone(&semaphore).acquire_owned().await {
                return permit;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn a_host_gets_no_more_runs_than_its_cap_and_other_hosts_are_not_held_up() {
        let limits = Arc::new(HostLimits::new(2));
        let first = limits.acquire("MAIL.example.nl").await;
        let _second = limits.acquire("mail.example.nl").await;
        let third = {
            let limits = Arc::clone(&limits);
            tokio::spawn(async move { limits.acquire("mail.example.nl").await })
        };
        let other = tokio::time::timeout(Duration::from_secs(1), limits.acquire("ex.other.nl"))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!third.is_finished(), "a third run on the host waits");
        drop(first);
        let _third = tokio::time::timeout(Duration::from_secs(5), third)
            .await
            .unwrap()
            .unwrap();
        drop(other);
    }
}
