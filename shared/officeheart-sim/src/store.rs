//! All agendas of all tenants, and which token belongs to which tenant.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use ohsync_officeheart::{TenantId, UserId};

use crate::agenda::Agenda;

/// What a bearer token is allowed to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Access {
    /// The token belongs to this tenant.
    Tenant(TenantId),
    /// Not a token the simulator knows.
    Denied,
}

/// No `Debug`: the token map must not end up in a log line.
#[derive(Default)]
pub(crate) struct Store {
    tokens: Mutex<HashMap<String, TenantId>>,
    // One lock for every agenda: requests are serialised, which is what makes a concurrent
    // duplicate create wait for the first and then replay it, as the contract promises.
    agendas: Mutex<HashMap<(TenantId, UserId), Agenda>>,
}

impl Store {
    pub fn grant(&self, token: String, tenant: TenantId) {
        lock(&self.tokens).insert(token, tenant);
    }

    pub fn access(&self, token: &str) -> Access {
        lock(&self.tokens)
            .get(token)
            .cloned()
            .map_or(Access::Denied, Access::Tenant)
    }

    /// Runs `f` on a user's agenda, creating an empty one on first use: every user of a tenant
    /// has an agenda.
    pub fn with_agenda<T>(
        &self,
        tenant: &TenantId,
        user: &UserId,
        f: impl FnOnce(&mut Agenda) -> T,
    ) -> T {
        let mut agendas = lock(&self.agendas);
        let agenda = agendas
            .entry((tenant.clone(), user.clone()))
            .or_insert_with(Agenda::new);
        f(agenda)
    }
}

/// A panic while holding the lock can at worst leave one appointment half-written; for a test
/// double, serving later requests is more useful than failing all of them.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
