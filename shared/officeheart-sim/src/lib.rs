//! A stateful simulator of OfficeHeart's agenda API, for tests and the sandbox.
//!
//! It implements `openapi.yaml` of `ohsync-officeheart` with real semantics (versions, `If-Match`,
//! idempotency keys, a compactable change feed with opaque cursors, paging) and adds fault
//! switches (latency, injected errors, a connection cut after a committed write). Tests drive it
//! through [`Simulator`]; the `oh-sim` binary serves it on a fixed address, with the switches
//! reachable under `/_sim/`.

mod admin;
mod agenda;
mod api;
mod api_error;
mod auth;
mod connection;
mod faults;
mod listing;
mod positions;
mod stats;
mod store;

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use axum::extract::FromRef;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use chrono::Utc;
use ohsync_officeheart::contract::Operation;
use ohsync_officeheart::{Appointment, AppointmentData, AppointmentId, TenantId, UserId};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use faults::{FaultSettings, Faults};
pub use stats::{RequestStats, RouteCount};

use connection::{ConnectionHandle, CuttableListener};
use store::Store;

/// What to serve and who may call it.
#[derive(Clone)]
pub struct SimConfig {
    listen: SocketAddr,
    grants: Vec<(TenantId, String)>,
}

impl std::fmt::Debug for SimConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tenants: Vec<_> = self.grants.iter().map(|(tenant, _)| tenant).collect();
        f.debug_struct("SimConfig")
            .field("listen", &self.listen)
            .field("tenants", &tenants)
            .finish()
    }
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            grants: Vec::new(),
        }
    }
}

impl SimConfig {
    /// Listens on `127.0.0.1` on a free port, with no tokens yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Listens on `listen` instead.
    pub fn listen(mut self, listen: SocketAddr) -> Self {
        self.listen = listen;
        self
    }

    /// Accepts `token` for `tenant`.
    pub fn grant(mut self, tenant: TenantId, token: impl Into<String>) -> Self {
        self.grants.push((tenant, token.into()));
        self
    }
}

/// The parts every handler and middleware may ask for.
#[derive(Clone, Default)]
struct AppState {
    store: Arc<Store>,
    faults: Arc<Faults>,
    stats: Arc<RequestStats>,
}

impl FromRef<AppState> for Arc<Store> {
    fn from_ref(state: &AppState) -> Self {
        state.store.clone()
    }
}

impl FromRef<AppState> for Arc<Faults> {
    fn from_ref(state: &AppState) -> Self {
        state.faults.clone()
    }
}

impl FromRef<AppState> for Arc<RequestStats> {
    fn from_ref(state: &AppState) -> Self {
        state.stats.clone()
    }
}

fn router(state: AppState) -> Router {
    let authenticate = from_fn_with_state(state.clone(), auth::authenticate);
    let contract = Router::new()
        .route(
            Operation::ListChanges.path_template(),
            get(api::list_changes),
        )
        .route(
            Operation::ListAppointments.path_template(),
            get(api::list_appointments).post(api::create_appointment),
        )
        .route(
            Operation::GetAppointment.path_template(),
            get(api::get_appointment)
                .put(api::update_appointment)
                .delete(api::delete_appointment),
        )
        .route_layer(authenticate.clone())
        .layer(from_fn_with_state(state.clone(), faults::inject))
        .layer(from_fn_with_state(state.clone(), stats::record));
    let admin = Router::new()
        .route(
            admin::FAULTS_PATH,
            get(admin::get_faults).put(admin::put_faults),
        )
        .route(admin::COMPACT_PATH, post(admin::compact))
        .route(admin::STATS_PATH, get(admin::stats))
        .route_layer(authenticate);
    contract
        .merge(admin)
        .fallback(api::not_found)
        .with_state(state)
}

/// A running simulator; stops serving when dropped.
pub struct Simulator {
    addr: SocketAddr,
    state: AppState,
    server: JoinHandle<()>,
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulator")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Simulator {
    /// Binds and starts serving in the background.
    pub async fn start(config: SimConfig) -> io::Result<Self> {
        let listener = TcpListener::bind(config.listen).await?;
        let addr = listener.local_addr()?;
        let state = AppState::default();
        for (tenant, token) in config.grants {
            state.store.grant(token, tenant);
        }
        let app = router(state.clone()).into_make_service_with_connect_info::<ConnectionHandle>();
        let server = tokio::spawn(async move {
            if let Err(error) = axum::serve(CuttableListener::new(listener), app).await {
                tracing::error!(%error, "simulator stopped");
            }
        });
        Ok(Self {
            addr,
            state,
            server,
        })
    }

    /// The base URL to give a client, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Accepts another token from now on.
    pub fn grant(&self, tenant: TenantId, token: impl Into<String>) {
        self.state.store.grant(token.into(), tenant);
    }

    /// The fault switches.
    pub fn faults(&self) -> &Faults {
        &self.state.faults
    }

    /// The request counters.
    pub fn stats(&self) -> &RequestStats {
        &self.state.stats
    }

    /// Creates an appointment as if a user made it in OfficeHeart.
    pub fn seed(&self, tenant: &TenantId, user: &UserId, data: AppointmentData) -> Appointment {
        self.state
            .store
            .with_agenda(tenant, user, |agenda| agenda.create(data, Utc::now()))
    }

    /// Edits an appointment as if a user changed it in OfficeHeart (new version, feed entry);
    /// `None` if it does not exist.
    pub fn edit(
        &self,
        tenant: &TenantId,
        user: &UserId,
        id: &AppointmentId,
        edit: impl FnOnce(&mut AppointmentData),
    ) -> Option<Appointment> {
        self.state.store.with_agenda(tenant, user, |agenda| {
            let mut data = agenda.get(id).ok()?.data.clone();
            edit(&mut data);
            agenda.update(id, None, data, Utc::now()).ok()
        })
    }

    /// Deletes an appointment as if a user removed it in OfficeHeart; false if it did not exist.
    pub fn remove(&self, tenant: &TenantId, user: &UserId, id: &AppointmentId) -> bool {
        self.state
            .store
            .with_agenda(tenant, user, |agenda| agenda.delete(id, None).is_ok())
    }

    /// One appointment as stored.
    pub fn appointment(
        &self,
        tenant: &TenantId,
        user: &UserId,
        id: &AppointmentId,
    ) -> Option<Appointment> {
        self.state
            .store
            .with_agenda(tenant, user, |agenda| agenda.get(id).ok().cloned())
    }

    /// Every appointment of a user, oldest first.
    pub fn appointments(&self, tenant: &TenantId, user: &UserId) -> Vec<Appointment> {
        self.state
            .store
            .with_agenda(tenant, user, |agenda| agenda.all())
    }

    /// Compacts a user's change log: tombstones go, and every cursor from before now answers 410.
    pub fn compact(&self, tenant: &TenantId, user: &UserId) {
        self.state
            .store
            .with_agenda(tenant, user, agenda::Agenda::compact);
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.server.abort();
    }
}
