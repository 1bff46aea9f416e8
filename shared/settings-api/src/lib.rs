//! The settings API that OfficeHeart calls (DESIGN §5): one axum [`Router`](axum::Router),
//! served by the Lambda function (`lambda_http`) and by the single-machine `ohsync serve` alike.
//!
//! - [`router`] builds it over the ports in [`ApiState`]; [`openapi_json`] is its OpenAPI document,
//!   generated from the handlers and wire types (checked in as `openapi.json`).
//! - [`CallerTokens`]: who may call, as SHA-256 hashes of bearer tokens per tenant; a token of
//!   one tenant never reaches another tenant's paths.
//! - [`ApiError`]: every error answer, with a stable code, the field, and Dutch and English
//!   text; [`Language`] picks the `text` from `Accept-Language`.
//!
//! The routes, codes and how OfficeHeart calls the API are in `docs/SETTINGS-API.md`.

mod auth;
mod body;
#[cfg(test)]
mod docs_table;
mod error;
mod language;
mod outcome;
mod routes;
mod secret_ref;
mod state;
mod trace;
mod wire;

pub use auth::{CallerTokens, CallerTokensError};
pub use body::BODY_LIMIT;
pub use error::{ApiError, ApiErrorCode, BodyProblem};
pub use language::Language;
pub use routes::{openapi_json, router};
pub use state::ApiState;
