//! Reading an answer: the body under the size cap, the authentication headers, and what an
//! unexpected status means.

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http::HeaderMap;
use http::header::{CONNECTION, LOCATION, RETRY_AFTER, WWW_AUTHENTICATE};
use http_body_util::BodyExt as _;
use hyper::Response;
use hyper::body::{Body as _, Incoming};
use url::Url;

use super::classify::Classifier;
use crate::error::{EwsError, Phase};

/// Reads the body while counting, and stops as soon as `limit` is passed; a failure is
/// classified as happening at `phase`.
pub(super) async fn read_body(
    response: Response<Incoming>,
    limit: u64,
    classifier: &Classifier,
    phase: Phase,
) -> Result<Bytes, EwsError> {
    let mut incoming = response.into_body();
    if incoming.size_hint().lower() > limit {
        return Err(EwsError::ResponseTooLarge { limit });
    }
    let mut body = BytesMut::new();
    while let Some(frame) = incoming.frame().await {
        let frame = frame.map_err(|e| classifier.classify(&e, phase))?;
        if let Ok(chunk) = frame.into_data() {
            if (body.len() + chunk.len()) as u64 > limit {
                return Err(EwsError::ResponseTooLarge { limit });
            }
            body.extend_from_slice(&chunk);
        }
    }
    Ok(body.freeze())
}

/// The `WWW-Authenticate` values.
pub(super) fn www_authenticate(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(WWW_AUTHENTICATE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .map(str::to_owned)
        .collect()
}

/// The scheme names in `WWW-Authenticate` values (`NTLM`, `Negotiate`, `Basic realm=…` → `Basic`).
pub(super) fn offered_schemes(challenges: &[String]) -> Vec<String> {
    challenges
        .iter()
        .filter_map(|value| value.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

/// Whether the server says it closes the connection after this answer.
pub(super) fn announces_close(headers: &HeaderMap) -> bool {
    headers
        .get_all(CONNECTION)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|option| option.trim().eq_ignore_ascii_case("close"))
}

/// The error an answer with an unexpected status stands for, for a request authenticated with
/// `scheme` to `url` (which resolves a relative `Location`).
pub(super) fn status_error(
    response: &Response<Incoming>,
    scheme: &'static str,
    url: &Url,
) -> EwsError {
    let status = response.status();
    let headers = response.headers();
    match status.as_u16() {
        401 => {
            let offered = offered_schemes(&www_authenticate(headers));
            if offered.is_empty() || offered.iter().any(|name| name.eq_ignore_ascii_case(scheme)) {
                EwsError::AuthFailed { scheme }
            } else {
                EwsError::AuthSchemeNotOffered { scheme, offered }
            }
        }
        403 => EwsError::BlockedByPolicy,
        300..=399 => EwsError::Redirected {
            status: status.as_u16(),
            location_host: headers
                .get(LOCATION)
                .and_then(|value| value.to_str().ok())
                .and_then(|location| url.join(location).ok())
                .and_then(|target| target.host_str().map(str::to_owned)),
        },
        200..=299 => EwsError::malformed(format!(
            "the server answered the {scheme} negotiate message with HTTP {status} instead of a challenge"
        )),
        code => EwsError::HttpStatus {
            status: code,
            retry_after: headers
                .get(RETRY_AFTER)
                .and_then(|value| value.to_str().ok())
                .and_then(|seconds| seconds.trim().parse::<u64>().ok())
                .map(Duration::from_secs),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn close_is_found_among_connection_options() {
        let mut headers = HeaderMap::new();
        assert!(!announces_close(&headers));
        headers.insert(CONNECTION, HeaderValue::from_static("keep-alive"));
        assert!(!announces_close(&headers));
        headers.insert(CONNECTION, HeaderValue::from_static("Upgrade, Close"));
        assert!(announces_close(&headers));
    }

    #[test]
    fn scheme_names_are_taken_from_challenges() {
        let challenges = vec!["NTLM".to_owned(), "Basic realm=\"ews\"".to_owned()];
        assert_eq!(offered_schemes(&challenges), ["NTLM", "Basic"]);
    }
}
