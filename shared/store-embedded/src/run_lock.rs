//! The per-user run lock for one machine: runs of one user never overlap.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use ohsync_engine::identity::{TenantId, UserId};
use tokio::sync::OwnedMutexGuard;

type UserKey = (TenantId, UserId);
type Slots = HashMap<UserKey, Arc<tokio::sync::Mutex<()>>>;

/// One lock per (tenant, user), created on first use and forgotten when nobody holds or waits
/// for it, so the table stays as small as the number of runs in flight.
#[derive(Debug, Clone, Default)]
pub struct UserRunLocks {
    slots: Arc<Mutex<Slots>>,
}

/// Proof that this task runs the user's sync; the lock is released on drop.
#[derive(Debug)]
pub struct UserRunGuard {
    key: UserKey,
    held: Option<OwnedMutexGuard<()>>,
    slots: Arc<Mutex<Slots>>,
}

fn lock(slots: &Mutex<Slots>) -> MutexGuard<'_, Slots> {
    // The table is only inserted into and pruned under the lock; a panic elsewhere cannot leave
    // it half-updated.
    slots.lock().unwrap_or_else(PoisonError::into_inner)
}

impl UserRunLocks {
    /// An empty lock table.
    pub fn new() -> Self {
        Self::default()
    }

    fn slot(&self, key: &UserKey) -> Arc<tokio::sync::Mutex<()>> {
        lock(&self.slots).entry(key.clone()).or_default().clone()
    }

    fn guard(&self, key: UserKey, held: OwnedMutexGuard<()>) -> UserRunGuard {
        UserRunGuard {
            key,
            held: Some(held),
            slots: self.slots.clone(),
        }
    }

    /// The user's lock if no run of the user is in progress; `None` means "another run is at
    /// work: leave quietly".
    pub fn try_acquire(&self, tenant: &TenantId, user: &UserId) -> Option<UserRunGuard> {
        let key = (tenant.clone(), user.clone());
        let slot = self.slot(&key);
        match slot.try_lock_owned() {
            Ok(held) => Some(self.guard(key, held)),
            Err(_) => {
                prune(&self.slots, &key);
                None
            }
        }
    }

    /// Waits until no other run of the user is in progress, then holds the lock.
    pub async fn acquire(&self, tenant: &TenantId, user: &UserId) -> UserRunGuard {
        let key = (tenant.clone(), user.clone());
        let held = self.slot(&key).lock_owned().await;
        self.guard(key, held)
    }

    /// How many users have a run in progress or waiting.
    pub fn len(&self) -> usize {
        lock(&self.slots).len()
    }

    /// Whether no user has a run in progress or waiting.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Forgets the user's slot when only the table still refers to it.
fn prune(slots: &Mutex<Slots>, key: &UserKey) {
    let mut slots = lock(slots);
    if slots
        .get(key)
        .is_some_and(|slot| Arc::strong_count(slot) == 1)
    {
        slots.remove(key);
    }
}

impl Drop for UserRunGuard {
    fn drop(&mut self) {
        // Release first, so that the count below sees only the table and any waiters.
        drop(self.held.take());
        prune(&self.slots, &self.key);
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn user(tenant: &str, user: &str) -> (TenantId, UserId) {
        (
            TenantId::parse(tenant).unwrap(),
            UserId::parse(user).unwrap(),
        )
    }

    #[tokio::test]
    async fn a_second_run_of_a_user_is_refused_until_the_first_ends() {
        let locks = UserRunLocks::new();
        let (acme, jan) = user("acme", "jan");
        let first = locks.try_acquire(&acme, &jan).unwrap();
        assert!(locks.try_acquire(&acme, &jan).is_none());
        let (globex, _) = user("globex", "jan");
        let (_, piet) = user("acme", "piet");
        let other_tenant = locks.try_acquire(&globex, &jan).unwrap();
        let other_user = locks.try_acquire(&acme, &piet).unwrap();
        assert_eq!(locks.len(), 3);
        drop(first);
        let again = locks.try_acquire(&acme, &jan).unwrap();
        drop((again, other_tenant, other_user));
        assert!(locks.is_empty(), "released users are forgotten");
    }

    #[tokio::test]
    async fn a_waiting_run_starts_when_the_holder_releases() {
        let locks = UserRunLocks::new();
        let (acme, jan) = user("acme", "jan");
        let first = locks.acquire(&acme, &jan).await;
        let waiter = {
            let locks = locks.clone();
            let (acme, jan) = (acme.clone(), jan.clone());
            tokio::spawn(async move { locks.acquire(&acme, &jan).await })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!waiter.is_finished(), "the waiter must wait for the holder");
        drop(first);
        let second = tokio::time::timeout(Duration::from_secs(5), waiter)
            .await
            .unwrap()
            .unwrap();
        assert!(locks.try_acquire(&acme, &jan).is_none());
        assert_eq!(locks.len(), 1, "a slot with a waiter or holder is kept");
        drop(second);
        assert!(locks.is_empty());
    }
}
