//! What every request carries: a POST of the SOAP document to the endpoint's path, with the
//! headers Exchange routes and filters on.

use bytes::Bytes;
use http::header::{
    AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HOST, HeaderName, HeaderValue, USER_AGENT,
};
use http::{Method, Request, Uri};
use http_body_util::Full;
use url::Url;

use super::config_error;
use crate::error::EwsError;

/// Routes requests to a mailbox on Exchange Online and in hybrid set-ups.
const X_ANCHOR_MAILBOX: HeaderName = HeaderName::from_static("x-anchormailbox");

/// The parts of a request that are the same for every call of a client, checked once.
#[derive(Debug)]
pub(super) struct RequestHead {
    /// The request target in origin form (`/EWS/Exchange.asmx`).
    target: Uri,
    host: HeaderValue,
    user_agent: HeaderValue,
    anchor_mailbox: Option<HeaderValue>,
}

impl RequestHead {
    /// The head for requests to `url`, sent as `user_agent`, for `anchor_mailbox` when given.
    pub(super) fn new(
        url: &Url,
        user_agent: &str,
        anchor_mailbox: Option<&str>,
    ) -> Result<Self, EwsError> {
        let target = Uri::try_from(&url[url::Position::BeforePath..url::Position::AfterQuery])
            .map_err(|e| config_error("url", format!("unusable path: {e}")))?;
        let host_name = url
            .host_str()
            .ok_or_else(|| config_error("url", "has no host"))?;
        // The URL leaves out a default port, and so does the Host header.
        let authority = match url.port() {
            Some(port) => format!("{host_name}:{port}"),
            None => host_name.to_owned(),
        };
        let header = |field, value: &str| {
            HeaderValue::try_from(value)
                .map_err(|_| config_error(field, "is not a valid header value"))
        };
        Ok(Self {
            target,
            host: header("url", &authority)?,
            user_agent: header("user_agent", user_agent)?,
            anchor_mailbox: anchor_mailbox
                .map(|mailbox| header("mailbox", mailbox))
                .transpose()?,
        })
    }

    /// A request with `body`, authenticated with `authorization` when given.
    pub(super) fn request(
        &self,
        body: Bytes,
        authorization: Option<HeaderValue>,
    ) -> Request<Full<Bytes>> {
        let length = HeaderValue::from(body.len());
        let mut request = Request::new(Full::new(body));
        *request.method_mut() = Method::POST;
        *request.uri_mut() = self.target.clone();
        let headers = request.headers_mut();
        headers.insert(HOST, self.host.clone());
        headers.insert(USER_AGENT, self.user_agent.clone());
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/xml; charset=utf-8"),
        );
        headers.insert(CONTENT_LENGTH, length);
        if let Some(authorization) = authorization {
            headers.insert(AUTHORIZATION, authorization);
        }
        if let Some(anchor) = &self.anchor_mailbox {
            headers.insert(X_ANCHOR_MAILBOX, anchor.clone());
        }
        request
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_host_header_names_a_port_only_when_it_is_not_the_default() {
        let url = Url::parse("https://mail.example/EWS/Exchange.asmx?x=1").unwrap();
        let head = RequestHead::new(&url, "ohsync", None).unwrap();
        let request = head.request(Bytes::from_static(b"<soap/>"), None);
        assert_eq!(request.headers()[HOST], "mail.example");
        assert_eq!(request.uri(), "/EWS/Exchange.asmx?x=1");
        assert_eq!(request.headers()[CONTENT_LENGTH], "7");

        let url = Url::parse("https://[2001:db8::1]:8443/EWS/Exchange.asmx").unwrap();
        let head = RequestHead::new(&url, "ohsync", None).unwrap();
        assert_eq!(head.host, "[2001:db8::1]:8443");
    }

    #[test]
    fn a_mailbox_that_is_no_header_value_is_a_configuration_error() {
        let url = Url::parse("https://mail.example/EWS/Exchange.asmx").unwrap();
        let err = RequestHead::new(&url, "ohsync", Some("jan\n@example")).unwrap_err();
        assert!(
            matches!(
                err,
                EwsError::InvalidConfig {
                    field: "mailbox",
                    ..
                }
            ),
            "{err:?}"
        );
    }
}
