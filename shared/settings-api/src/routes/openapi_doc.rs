//! The OpenAPI document, served as generated.

use axum::Extension;
use axum::body::Bytes;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;

/// The document's JSON text, made once when the router is built.
#[derive(Debug, Clone)]
pub(crate) struct OpenApiJson(pub(crate) Bytes);

/// The OpenAPI document of this API.
#[utoipa::path(
    get,
    path = "/v1/openapi.json",
    tag = "meta",
    responses(
        (status = 200, description = "The OpenAPI document of this API", content_type = "application/json", body = Object),
    )
)]
pub(crate) async fn openapi_document(
    Extension(document): Extension<OpenApiJson>,
) -> impl IntoResponse {
    ([(CONTENT_TYPE, "application/json")], document.0)
}
