//! State shared by every connection of one simulator.

use std::sync::Mutex;
use std::sync::atomic::AtomicBool;

use crate::auth::ntlm::ServerNames;
use crate::config::SimConfig;
use crate::faults::{FaultSwitches, RequestCounters};
use crate::mailbox::Mailbox;

/// Everything the request handlers and the test handle share.
#[derive(Debug)]
pub struct Shared {
    /// The configuration (users are indexed as mailboxes are).
    pub config: SimConfig,
    /// Names for NTLM challenges.
    pub names: ServerNames,
    /// Per-user "EWS blocked" switch.
    pub blocked: Vec<AtomicBool>,
    /// One mailbox per user.
    pub mailboxes: Mutex<Vec<Mailbox>>,
    /// Fault switches.
    pub faults: FaultSwitches,
    /// Request counters.
    pub counters: RequestCounters,
    /// Key that signs SyncStates (fresh per simulator).
    pub sync_key: [u8; 32],
    /// NTLM channel binding required under Extended Protection.
    pub channel_binding: Option<[u8; 16]>,
}

impl Shared {
    /// Builds the state for a configuration.
    pub fn new(config: SimConfig, channel_binding: Option<[u8; 16]>) -> Self {
        let names = ServerNames {
            netbios_domain: config.netbios_domain.clone(),
            computer: config.computer_name.clone(),
            dns_domain: config.dns_domain.clone(),
        };
        let blocked = config
            .users
            .iter()
            .map(|user| AtomicBool::new(user.ews_blocked))
            .collect();
        let mailboxes = (0..config.users.len()).map(Mailbox::new).collect();
        let faults = FaultSwitches::default();
        faults.set_latency(config.latency);
        Self {
            config,
            names,
            blocked,
            mailboxes: Mutex::new(mailboxes),
            faults,
            counters: RequestCounters::default(),
            sync_key: rand::random(),
            channel_binding,
        }
    }

    /// The index of the user with this SMTP address or logon name.
    pub fn user_index(&self, name: &str) -> Option<usize> {
        self.config
            .users
            .iter()
            .position(|user| user.answers_to(name))
    }
}
