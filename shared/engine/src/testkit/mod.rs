//! In-memory fakes of the ports, for this crate's tests and the end-to-end crate: a mailbox
//! that behaves like Exchange, an agenda with versions, cursors and idempotency keys, a store
//! with conditional writes — each with request counters, and shared fault injection ("the
//! process dies after the Nth side effect") and interleaving for racing runs.

mod agenda;
mod clock;
mod faults;
mod mailbox;
mod store;

pub use agenda::FakeAgenda;
pub use clock::FakeClock;
pub use faults::{Crashed, Faults, RequestCounter};
pub use mailbox::FakeMailbox;
pub use store::FakeStore;

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};

use crate::appointment::{Appointment, Categories, Schedule, ShowAs, Text};
use crate::executor::{RunOptions, SyncPorts, run_user_sync};
use crate::identity::{BindingAccount, BindingId, IdError, TenantId, UserId};
use crate::ports::Clock;
use crate::reconcile::SyncPolicy;
use crate::report::RunReport;

/// One user's world: both calendars, the store, the clock and the fault switches.
#[derive(Debug, Clone)]
pub struct TestWorld {
    /// The clock every fake and run uses.
    pub clock: Arc<FakeClock>,
    /// Crash injection and interleaving.
    pub faults: Arc<Faults>,
    /// The Exchange side.
    pub mailbox: Arc<FakeMailbox>,
    /// The OfficeHeart side.
    pub agenda: Arc<FakeAgenda>,
    /// The store.
    pub store: Arc<FakeStore>,
    /// The tenant.
    pub tenant: TenantId,
    /// The user.
    pub user: UserId,
    /// The binding.
    pub binding: BindingId,
    /// The policy runs use.
    pub policy: SyncPolicy,
}

impl TestWorld {
    /// Empty calendars at `now`, tenant `acme`, user `jan`.
    pub fn new(now: DateTime<Utc>) -> Result<Self, IdError> {
        let clock = Arc::new(FakeClock::new(now));
        let faults = Arc::new(Faults::default());
        let tenant = TenantId::parse("acme")?;
        let user = UserId::parse("jan")?;
        let binding = BindingId::derive(&BindingAccount {
            tenant: &tenant,
            user: &user,
            ews_url: "https://mail.example.nl/EWS/Exchange.asmx",
            domain: "officeheart",
            username: "jan",
            mailbox: None,
        })?;
        Ok(Self {
            mailbox: Arc::new(FakeMailbox::new(clock.clone(), faults.clone())),
            agenda: Arc::new(FakeAgenda::new(clock.clone(), faults.clone())),
            store: Arc::new(FakeStore::new(faults.clone())),
            clock,
            faults,
            tenant,
            user,
            binding,
            policy: SyncPolicy::default(),
        })
    }

    /// The ports over the fakes.
    pub fn ports(&self) -> SyncPorts {
        SyncPorts {
            mailbox: self.mailbox.clone(),
            agenda: self.agenda.clone(),
            store: self.store.clone(),
            clock: self.clock.clone(),
        }
    }

    /// Default options with a deadline ten minutes from the clock's now.
    pub fn options(&self) -> RunOptions {
        RunOptions::new(
            self.binding.clone(),
            self.policy,
            self.clock.now() + TimeDelta::minutes(10),
        )
    }

    /// One run with default options.
    pub async fn run(&self) -> RunReport {
        self.run_with(&self.options()).await
    }

    /// One run with the given options.
    pub async fn run_with(&self, options: &RunOptions) -> RunReport {
        run_user_sync(&self.ports(), &self.tenant, &self.user, options).await
    }

    /// Resets every request counter.
    pub fn reset_requests(&self) {
        self.mailbox.requests.reset();
        self.agenda.requests.reset();
        self.store.requests.reset();
    }
}

/// An appointment in Europe/Amsterdam with plain defaults (busy, 15-minute reminder).
pub fn appointment(subject: &str, schedule: Schedule) -> Appointment {
    Appointment {
        subject: Text::new(subject),
        location: Text::default(),
        body: Text::default(),
        schedule,
        time_zone: chrono_tz::Europe::Amsterdam,
        private: false,
        show_as: ShowAs::Busy,
        reminder_minutes: Some(15),
        categories: Categories::default(),
        recurrence: None,
    }
}
