//! `/_sim/…`: switches for a running simulator (the binary has no other way to reach them).
//! Not part of the contract; they need a valid token like every other route.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use ohsync_officeheart::{TenantId, UserId};

use crate::faults::{FaultSettings, Faults};
use crate::stats::{RequestStats, RouteCount};
use crate::store::Store;

/// Read or replace the fault switches.
pub(crate) const FAULTS_PATH: &str = "/_sim/faults";
/// Forces compaction of one agenda's change log.
pub(crate) const COMPACT_PATH: &str = "/_sim/tenants/{tenant}/users/{user}/compact";
/// The request counters.
pub(crate) const STATS_PATH: &str = "/_sim/stats";

pub(crate) async fn get_faults(State(faults): State<Arc<Faults>>) -> Json<FaultSettings> {
    Json(faults.settings())
}

pub(crate) async fn put_faults(
    State(faults): State<Arc<Faults>>,
    Json(settings): Json<FaultSettings>,
) -> Json<FaultSettings> {
    faults.replace(settings);
    Json(faults.settings())
}

pub(crate) async fn compact(
    State(store): State<Arc<Store>>,
    Path((tenant, user)): Path<(TenantId, UserId)>,
) -> StatusCode {
    store.with_agenda(&tenant, &user, |agenda| agenda.compact());
    StatusCode::NO_CONTENT
}

pub(crate) async fn stats(State(stats): State<Arc<RequestStats>>) -> Json<Vec<RouteCount>> {
    Json(stats.snapshot())
}
