//! The contract's operations as axum handlers over the store.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, FixedOffset, Utc};
use ohsync_officeheart::contract::{headers, limits};
use ohsync_officeheart::{
    Appointment, AppointmentData, AppointmentId, ErrorCode, IdempotencyKey, InvalidValue, TenantId,
    TimeWindow, UserId, Version,
};
use serde::Deserialize;

use crate::agenda::AgendaError;
use crate::api_error::ApiError;
use crate::store::Store;

/// The `{tenant}/{user}` of an agenda path.
pub(crate) struct AgendaPath {
    tenant: TenantId,
    user: UserId,
}

/// The `{tenant}/{user}/…/{id}` of an appointment path.
pub(crate) struct AppointmentPath {
    agenda: AgendaPath,
    id: AppointmentId,
}

#[derive(Deserialize)]
struct RawPath {
    tenant: String,
    user: String,
    id: Option<String>,
}

async fn agenda_path<S: Send + Sync>(
    parts: &mut Parts,
    state: &S,
) -> Result<(AgendaPath, Option<String>), ApiError> {
    let Path(raw) = Path::<RawPath>::from_request_parts(parts, state)
        .await
        .map_err(|rejection| ApiError::new(ErrorCode::InvalidRequest, rejection.body_text()))?;
    let invalid = |error: InvalidValue| ApiError::new(ErrorCode::InvalidRequest, error.to_string());
    let agenda = AgendaPath {
        tenant: TenantId::new(raw.tenant).map_err(invalid)?,
        user: UserId::new(raw.user).map_err(invalid)?,
    };
    Ok((agenda, raw.id))
}

impl<S: Send + Sync> FromRequestParts<S> for AgendaPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Ok(agenda_path(parts, state).await?.0)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for AppointmentPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let (agenda, id) = agenda_path(parts, state).await?;
        // An id this server could never have issued is unknown rather than malformed.
        let id = id
            .and_then(|id| AppointmentId::new(id).ok())
            .ok_or_else(|| ApiError::from(AgendaError::NotFound))?;
        Ok(Self { agenda, id })
    }
}

#[derive(Deserialize)]
pub(crate) struct ChangesQuery {
    cursor: Option<String>,
    limit: Option<u32>,
}

#[derive(Deserialize)]
pub(crate) struct WindowQuery {
    from: DateTime<FixedOffset>,
    to: DateTime<FixedOffset>,
    page_token: Option<String>,
    limit: Option<u32>,
}

pub(crate) async fn list_changes(
    State(store): State<Arc<Store>>,
    agenda: AgendaPath,
    query: Result<Query<ChangesQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(invalid_query)?;
    let limit = page_limit(query.limit)?;
    let page = store.with_agenda(&agenda.tenant, &agenda.user, |agenda| {
        agenda.changes(query.cursor.as_deref(), limit)
    })?;
    Ok(Json(page).into_response())
}

pub(crate) async fn list_appointments(
    State(store): State<Arc<Store>>,
    agenda: AgendaPath,
    query: Result<Query<WindowQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(invalid_query)?;
    let limit = page_limit(query.limit)?;
    let window = TimeWindow::new(query.from.to_utc(), query.to.to_utc())
        .map_err(|error| ApiError::new(ErrorCode::InvalidRequest, error.to_string()))?;
    let page = store.with_agenda(&agenda.tenant, &agenda.user, |agenda| {
        agenda.list(window, query.page_token.as_deref(), limit)
    })?;
    Ok(Json(page).into_response())
}

pub(crate) async fn get_appointment(
    State(store): State<Arc<Store>>,
    path: AppointmentPath,
) -> Result<Response, ApiError> {
    let agenda = &path.agenda;
    let appointment = store.with_agenda(&agenda.tenant, &agenda.user, |agenda| {
        agenda.get(&path.id).cloned()
    })?;
    with_etag(StatusCode::OK, appointment, Vec::new())
}

pub(crate) async fn create_appointment(
    State(store): State<Arc<Store>>,
    agenda: AgendaPath,
    uri: Uri,
    request_headers: HeaderMap,
    body: Result<Json<AppointmentData>, JsonRejection>,
) -> Result<Response, ApiError> {
    let key = request_headers
        .get(headers::IDEMPOTENCY_KEY)
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::IdempotencyKeyRequired,
                "send an Idempotency-Key header",
            )
        })?;
    let key = key
        .to_str()
        .ok()
        .and_then(|key| IdempotencyKey::new(key).ok())
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::InvalidRequest,
                "Idempotency-Key: 1 to 255 visible ASCII characters",
            )
        })?;
    let data = appointment_data(body)?;
    let outcome = store.with_agenda(&agenda.tenant, &agenda.user, |agenda| {
        agenda.create_idempotent(key, data, Utc::now())
    })?;
    let location = format!("{}/{}", uri.path(), outcome.appointment.id);
    let mut extra = vec![(header::LOCATION, header_value(&location)?)];
    if outcome.replayed {
        extra.push((
            HeaderName::from_static("idempotent-replayed"),
            HeaderValue::from_static("true"),
        ));
    }
    with_etag(StatusCode::CREATED, outcome.appointment, extra)
}

pub(crate) async fn update_appointment(
    State(store): State<Arc<Store>>,
    path: AppointmentPath,
    request_headers: HeaderMap,
    body: Result<Json<AppointmentData>, JsonRejection>,
) -> Result<Response, ApiError> {
    let if_match = if_match(&request_headers)?;
    let data = appointment_data(body)?;
    let agenda = &path.agenda;
    let appointment = store.with_agenda(&agenda.tenant, &agenda.user, |agenda| {
        agenda.update(&path.id, Some(&if_match), data, Utc::now())
    })?;
    with_etag(StatusCode::OK, appointment, Vec::new())
}

pub(crate) async fn delete_appointment(
    State(store): State<Arc<Store>>,
    path: AppointmentPath,
    request_headers: HeaderMap,
) -> Result<Response, ApiError> {
    let if_match = if_match(&request_headers)?;
    let agenda = &path.agenda;
    store.with_agenda(&agenda.tenant, &agenda.user, |agenda| {
        agenda.delete(&path.id, Some(&if_match))
    })?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(crate) async fn not_found() -> ApiError {
    ApiError::new(ErrorCode::NotFound, "no such route")
}

fn invalid_query(rejection: QueryRejection) -> ApiError {
    ApiError::new(ErrorCode::InvalidRequest, rejection.body_text())
}

fn page_limit(limit: Option<u32>) -> Result<usize, ApiError> {
    match limit.unwrap_or(limits::DEFAULT_PAGE) {
        0 => Err(ApiError::new(
            ErrorCode::InvalidRequest,
            "limit must be at least 1",
        )),
        limit => Ok(usize::try_from(limit.min(limits::MAX_PAGE)).unwrap_or(usize::MAX)),
    }
}

fn appointment_data(
    body: Result<Json<AppointmentData>, JsonRejection>,
) -> Result<AppointmentData, ApiError> {
    let Json(data) =
        body.map_err(|rejection| ApiError::new(ErrorCode::InvalidRequest, rejection.body_text()))?;
    data.validate()
        .map_err(|invalid| ApiError::field(&invalid.field, invalid.to_string()))?;
    Ok(data)
}

fn if_match(request_headers: &HeaderMap) -> Result<Version, ApiError> {
    let value = request_headers.get(headers::IF_MATCH).ok_or_else(|| {
        ApiError::new(
            ErrorCode::IfMatchRequired,
            "send If-Match with the version this change is based on",
        )
    })?;
    value
        .to_str()
        .ok()
        .and_then(|value| Version::from_etag(value.trim()).ok())
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::InvalidIfMatch,
                "If-Match must be one strong entity tag: \"<version>\"",
            )
        })
}

fn header_value(value: &str) -> Result<HeaderValue, ApiError> {
    HeaderValue::from_str(value)
        .map_err(|_| ApiError::new(ErrorCode::InternalError, "cannot form a header"))
}

fn with_etag(
    status: StatusCode,
    appointment: Appointment,
    extra: Vec<(HeaderName, HeaderValue)>,
) -> Result<Response, ApiError> {
    let mut response = (status, Json(&appointment)).into_response();
    let response_headers = response.headers_mut();
    response_headers.insert(header::ETAG, header_value(&appointment.version.to_etag())?);
    response_headers.extend(extra);
    Ok(response)
}
