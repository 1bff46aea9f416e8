//! Optimistic concurrency for callers: `ETag: "<settings_version>"` on answers, and an optional
//! `If-Match` on changes so that a screen saves only over the version it showed.

use axum::extract::FromRequestParts;
use axum::http::header::{ETAG, IF_MATCH};
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue};
use utoipa::IntoParams;

use crate::error::ApiError;

/// The `If-Match` header of a change.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Header)]
pub(crate) struct IfMatch {
    /// Change only if the stored `settings_version` is this one (`"3"`, as the `ETag` gave
    /// it); otherwise `409 settings_conflict`. `*` or absent: no condition.
    #[param(rename = "If-Match", value_type = Option<String>, example = "\"3\"")]
    if_match: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let if_match = parts
            .headers
            .get(IF_MATCH)
            // A value that is not text can match no version.
            .map(|value| value.to_str().unwrap_or_default().to_owned());
        Ok(Self { if_match })
    }
}

impl IfMatch {
    /// Whether the change may go ahead over the stored version (`None`: nothing stored).
    pub(crate) fn check(&self, stored_version: Option<u64>) -> Result<(), ApiError> {
        let Some(wanted) = self.if_match.as_deref().map(str::trim) else {
            return Ok(());
        };
        if wanted == "*" {
            return Ok(());
        }
        let wanted = wanted.strip_prefix("W/").unwrap_or(wanted);
        let wanted = wanted
            .strip_prefix('"')
            .and_then(|rest| rest.strip_suffix('"'))
            .unwrap_or(wanted);
        match (wanted.parse::<u64>(), stored_version) {
            (Ok(wanted), Some(stored)) if wanted == stored => Ok(()),
            _ => Err(ApiError::SettingsConflict),
        }
    }
}

/// The `ETag` header for a settings version.
pub(crate) fn etag(settings_version: u64) -> (HeaderName, HeaderValue) {
    let value = HeaderValue::from_str(&format!("\"{settings_version}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("\"0\""));
    (ETAG, value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn if_match(value: Option<&str>) -> IfMatch {
        IfMatch {
            if_match: value.map(str::to_owned),
        }
    }

    #[test]
    fn a_change_goes_ahead_only_over_the_named_version() {
        for value in [
            None,
            Some("*"),
            Some("\"3\""),
            Some("3"),
            Some("W/\"3\""),
            Some(" \"3\" "),
        ] {
            assert!(if_match(value).check(Some(3)).is_ok(), "{value:?}");
        }
        for value in [Some("\"2\""), Some(""), Some("\"x\""), Some("\"3")] {
            assert!(if_match(value).check(Some(3)).is_err(), "{value:?}");
        }
        assert!(if_match(Some("\"1\"")).check(None).is_err());
        assert!(if_match(None).check(None).is_ok());
        assert_eq!(etag(7).1, "\"7\"");
    }
}
