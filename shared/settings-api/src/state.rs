//! What the API works with: the ports, the operator's policy and who may call.

use std::fmt;
use std::sync::Arc;

use ohsync_engine::ports::{Clock, Secrets, Store};
use ohsync_jobs::JobQueue;
use ohsync_settings::OperatorPolicy;
use ohsync_settings::live::LiveChecker;
use ohsync_settings::store::SettingsStore;

use crate::CallerTokens;

/// The ports and configuration the router serves over; cheap to clone.
#[derive(Clone)]
pub struct ApiState {
    /// Where the settings records (and the active-users index) are kept.
    pub settings: Arc<dyn SettingsStore>,
    /// Where the passwords are kept.
    pub secrets: Arc<dyn Secrets>,
    /// The binding store, read for the sync status only.
    pub store: Arc<dyn Store>,
    /// Where sync-now jobs are queued.
    pub jobs: Arc<dyn JobQueue>,
    /// The live check of settings against Exchange.
    pub live_checker: Arc<dyn LiveChecker>,
    /// The time of saves and sync-now requests.
    pub clock: Arc<dyn Clock>,
    /// The operator's allow-lists, for static validation.
    pub operator: Arc<OperatorPolicy>,
    /// Who may call.
    pub callers: CallerTokens,
}

impl fmt::Debug for ApiState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiState")
            .field("operator", &self.operator)
            .field("callers", &self.callers)
            .finish_non_exhaustive()
    }
}
