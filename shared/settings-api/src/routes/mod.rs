//! The routes, their OpenAPI document, and the router that serves them.

mod answers;
mod fallback;
mod lookup;
mod openapi_doc;
pub(crate) mod password;
mod path;
mod precondition;
mod settings;
mod status;
mod validate;

use axum::Extension;
use axum::Router;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::require_caller;
use crate::body::BODY_LIMIT;
use crate::error::render::render_errors;
use crate::state::ApiState;
use crate::trace::{record_route, trace_request};
use openapi_doc::OpenApiJson;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "ohsync settings API",
        version = "1.0.0",
        description = "Called by OfficeHeart to manage each user's Exchange sync settings. \
                       Every route needs a bearer token of the tenant in its path. Errors have \
                       a stable `code`, the `field`, a `message` in Dutch and English, and \
                       `text` in the language of `Accept-Language` (Dutch by default)."
    ),
    tags(
        (name = "settings", description = "A user's Exchange settings"),
        (name = "sync", description = "A user's sync status, and runs on request"),
        (name = "meta", description = "This API itself"),
    )
)]
struct ApiDoc;

/// Every route, each registered together with its documentation.
fn documented_routes() -> OpenApiRouter<ApiState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(
            settings::put_settings,
            settings::get_settings,
            settings::delete_settings
        ))
        .routes(routes!(validate::validate_settings))
        .routes(routes!(status::sync_status))
        .routes(routes!(status::sync_now))
        .routes(routes!(openapi_doc::openapi_document))
}

/// The routes and their complete document.
fn routes_and_document() -> (Router<ApiState>, utoipa::openapi::OpenApi) {
    let (routes, mut document) = documented_routes().split_for_parts();
    answers::complete(&mut document);
    (routes, document)
}

fn document_json(document: &utoipa::openapi::OpenApi) -> String {
    // A document of plain maps, strings and numbers always serialises.
    let mut json = document.to_pretty_json().unwrap_or_default();
    json.push('\n');
    json
}

/// The OpenAPI document of the API, as served at `/v1/openapi.json` and checked in as
/// `shared/settings-api/openapi.json`.
pub fn openapi_json() -> String {
    document_json(&routes_and_document().1)
}

/// The settings API over `state`: every route authenticated, bodies limited to
/// [`BODY_LIMIT`], one span per request, errors in the request's language.
pub fn router(state: ApiState) -> Router {
    let (routes, document) = routes_and_document();
    let document = OpenApiJson(Bytes::from(document_json(&document)));
    routes
        .route_layer(from_fn_with_state(state.callers.clone(), require_caller))
        .route_layer(from_fn(record_route))
        .fallback(fallback::route_not_found)
        .method_not_allowed_fallback(fallback::method_not_allowed)
        .layer(Extension(document))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(from_fn(render_errors))
        .layer(from_fn(trace_request))
        .with_state(state)
}
