//! Writes error answers in the language the request asks for.

use axum::Json;
use axum::extract::Request;
use axum::http::header::{CONTENT_LANGUAGE, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::ApiError;
use crate::language::Language;
use crate::wire::{ErrorBody, FieldErrorBody};

/// An error answered by a handler or extractor, not yet written out.
#[derive(Debug, Clone)]
pub(crate) struct UnrenderedError(pub(crate) ApiError);

impl ApiError {
    /// The error's body in `language`.
    fn body(self, language: Language) -> ErrorBody {
        let message = self.message();
        let text = language.pick(&message.nl, &message.en).to_owned();
        let field = self.field().map(str::to_owned);
        let code = self.code().as_str();
        let errors = match self {
            Self::ValidationFailed(errors) => {
                errors.into_iter().map(FieldErrorBody::from).collect()
            }
            _ => Vec::new(),
        };
        ErrorBody {
            code,
            field,
            message,
            text,
            errors,
        }
    }

    /// The complete answer in `language`.
    fn render(self, language: Language) -> Response {
        let status = self.code().status();
        let mut response = (status, Json(self.body(language))).into_response();
        let headers = response.headers_mut();
        headers.insert(CONTENT_LANGUAGE, HeaderValue::from_static(language.tag()));
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// Middleware: writes out the error an inner handler answered, in the request's language.
pub(crate) async fn render_errors(request: Request, next: Next) -> Response {
    let language = Language::of_request(request.headers());
    let mut response = next.run(request).await;
    match response.extensions_mut().remove::<UnrenderedError>() {
        Some(UnrenderedError(error)) => error.render(language),
        None => response,
    }
}
