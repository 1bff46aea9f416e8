//! HTTP to one EWS endpoint: one kept-alive HTTP/1.1 connection per client, no redirects, time
//! limits, a response size cap enforced while the body streams, and authentication (including
//! NTLM's connection-bound handshake).

mod classify;
mod tls;

use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use ohsync_net_guard::GuardedResolver;
pub use ohsync_net_guard::{AddressPolicy, AllowList};
use reqwest::StatusCode;
use reqwest::header::{
    AUTHORIZATION, CONNECTION, CONTENT_TYPE, HeaderValue, LOCATION, RETRY_AFTER, WWW_AUTHENTICATE,
};
use tokio::sync::Mutex;
use url::Url;

use crate::auth::{AuthStart, Authenticator, Handshake};
use crate::error::{EwsError, Phase};
use classify::{Classified, classify};

/// Network settings of a client.
#[derive(Debug, Clone)]
pub struct TransportConfig {
    /// Limit for establishing the TCP and TLS connection.
    pub connect_timeout: Duration,
    /// Limit for a whole request, from connecting until the last byte of the body.
    pub request_timeout: Duration,
    /// Largest response body accepted; larger bodies are cut off while streaming.
    pub max_response_bytes: u64,
    /// Hosts whose certificate may fail verification (self-signed on-premises servers); nothing
    /// else is ever accepted with an invalid certificate.
    pub insecure_tls_hosts: Vec<String>,
    /// Extra trusted root certificates (PEM), for servers with an internal CA.
    pub extra_root_certificates_pem: Vec<String>,
    /// Hosts that may be reached over plain `http://` (tests, sandboxes).
    pub allow_http_hosts: Vec<String>,
    /// `User-Agent`; EWS application access policies match on it.
    pub user_agent: String,
    /// Which addresses the client may connect to. The default refuses loopback, private,
    /// link-local and metadata addresses: the URL comes from a customer's administrator, so only
    /// the operator's allow-list may open those (checked at connect time, against DNS rebinding).
    pub address_policy: AddressPolicy,
}

impl Default for TransportConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            max_response_bytes: 32 * 1024 * 1024,
            insecure_tls_hosts: Vec::new(),
            extra_root_certificates_pem: Vec::new(),
            allow_http_hosts: Vec::new(),
            user_agent: concat!("ohsync/", env!("CARGO_PKG_VERSION")).to_owned(),
            address_policy: AddressPolicy::default(),
        }
    }
}

/// A response the client should parse (a success, or a 500 that carries a SOAP fault).
#[derive(Debug)]
pub(crate) struct HttpReply {
    pub(crate) status: u16,
    pub(crate) body: Bytes,
}

/// The HTTP side of an [`crate::client::EwsClient`].
#[derive(Debug)]
pub(crate) struct Transport {
    http: reqwest::Client,
    url: Url,
    host: String,
    port: u16,
    auth: Arc<dyn Authenticator>,
    anchor_mailbox: Option<HeaderValue>,
    config: TransportConfig,
    /// Whether the pooled connection has completed an NTLM handshake; held for the whole
    /// exchange so requests never interleave on the one connection.
    authenticated: Mutex<bool>,
}

fn config_error(field: &'static str, reason: impl Into<String>) -> EwsError {
    EwsError::InvalidConfig {
        field,
        reason: reason.into(),
    }
}

/// The scheme names in `WWW-Authenticate` values (`NTLM`, `Negotiate`, `Basic realm=…` → `Basic`).
fn offered_schemes(challenges: &[String]) -> Vec<String> {
    challenges
        .iter()
        .filter_map(|value| value.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

fn www_authenticate(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .get_all(WWW_AUTHENTICATE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .map(str::to_owned)
        .collect()
}

impl Transport {
    /// A transport for `url` (https, or http for allow-listed hosts).
    pub(crate) fn new(
        url: &str,
        auth: Arc<dyn Authenticator>,
        config: TransportConfig,
        anchor_mailbox: Option<&str>,
    ) -> Result<Self, EwsError> {
        let url =
            Url::parse(url.trim()).map_err(|e| config_error("url", format!("not a URL: {e}")))?;
        let host = url
            .host_str()
            .ok_or_else(|| config_error("url", "has no host"))?
            .trim_matches(|c| c == '[' || c == ']')
            .to_owned();
        if !url.username().is_empty() || url.password().is_some() {
            return Err(config_error("url", "must not contain credentials"));
        }
        match url.scheme() {
            "https" => {}
            "http"
                if config
                    .allow_http_hosts
                    .iter()
                    .any(|h| h.eq_ignore_ascii_case(&host)) => {}
            "http" => return Err(config_error("url", "must use https")),
            other => return Err(config_error("url", format!("unsupported scheme {other}"))),
        }
        let port = url
            .port_or_known_default()
            .ok_or_else(|| config_error("url", "has no port"))?;
        let tls = tls::client_config(
            &config.extra_root_certificates_pem,
            &config.insecure_tls_hosts,
        )?;
        let guard = GuardedResolver::new(config.address_policy.clone());
        let http = guard
            .guard_client(reqwest::Client::builder())
            .http1_only()
            .pool_max_idle_per_host(1)
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .tls_info(true)
            .tls_backend_preconfigured(tls)
            .user_agent(config.user_agent.clone())
            .build()
            .map_err(|e| config_error("transport", e.to_string()))?;
        let anchor_mailbox = anchor_mailbox
            .map(|mailbox| {
                HeaderValue::try_from(mailbox)
                    .map_err(|_| config_error("mailbox", "is not a valid header value"))
            })
            .transpose()?;
        Ok(Self {
            http,
            url,
            host,
            port,
            auth,
            anchor_mailbox,
            config,
            authenticated: Mutex::new(false),
        })
    }

    /// The endpoint's host name.
    pub(crate) fn host(&self) -> &str {
        &self.host
    }

    /// POSTs a SOAP document and returns the answer to parse, or the classified failure.
    pub(crate) async fn post(&self, body: Bytes) -> Result<HttpReply, EwsError> {
        let mut authenticated = self.authenticated.lock().await;
        match self.auth.start()? {
            AuthStart::Header(authorization) => {
                let response = self.send(body, Some(authorization), true).await?;
                self.reply(response).await
            }
            AuthStart::Handshake(mut handshake) => {
                if *authenticated {
                    let response = self.send(body.clone(), None, true).await?;
                    if response.status() != StatusCode::UNAUTHORIZED {
                        return self.reply(response).await;
                    }
                    tracing::debug!(
                        "the connection is no longer authenticated; repeating the handshake"
                    );
                    *authenticated = false;
                    self.drain(response).await?;
                }
                let response = self.handshake(handshake.as_mut(), body).await?;
                *authenticated = true;
                self.reply(response).await
            }
        }
    }

    /// Negotiate with an empty body, read the challenge fully (so the connection stays pooled),
    /// then send the answer together with the real body on the same connection.
    async fn handshake(
        &self,
        handshake: &mut dyn Handshake,
        body: Bytes,
    ) -> Result<reqwest::Response, EwsError> {
        let scheme = self.auth.scheme();
        let negotiate = self
            .send(Bytes::new(), Some(handshake.first_token()?), false)
            .await?;
        if negotiate.status() != StatusCode::UNAUTHORIZED {
            return Err(self.status_error(negotiate));
        }
        let challenges = www_authenticate(&negotiate);
        let offered = offered_schemes(&challenges);
        if !offered.iter().any(|name| name.eq_ignore_ascii_case(scheme)) {
            return Err(EwsError::AuthSchemeNotOffered { scheme, offered });
        }
        let certificate = negotiate
            .extensions()
            .get::<reqwest::tls::TlsInfo>()
            .and_then(|info| info.peer_certificate())
            .map(<[u8]>::to_vec);
        let closes = negotiate
            .headers()
            .get(CONNECTION)
            .is_some_and(|value| value.as_bytes().eq_ignore_ascii_case(b"close"));
        self.drain(negotiate).await?;
        if closes {
            return Err(EwsError::Network {
                phase: Phase::NotSent,
                detail:
                    "the server closed the connection during the NTLM handshake (a proxy without \
                         connection affinity?)"
                        .into(),
            });
        }
        let answer = handshake.answer(&challenges, certificate.as_deref())?;
        let response = self.send(body, Some(answer), true).await?;
        if response.status() == StatusCode::UNAUTHORIZED {
            return Err(EwsError::AuthFailed { scheme });
        }
        Ok(response)
    }

    async fn send(
        &self,
        body: Bytes,
        authorization: Option<HeaderValue>,
        carries_body: bool,
    ) -> Result<reqwest::Response, EwsError> {
        let mut request = self
            .http
            .post(self.url.clone())
            .header(CONTENT_TYPE, "text/xml; charset=utf-8")
            .body(body);
        if let Some(authorization) = authorization {
            request = request.header(AUTHORIZATION, authorization);
        }
        if let Some(anchor) = &self.anchor_mailbox {
            request = request.header("X-AnchorMailbox", anchor.clone());
        }
        match request.send().await {
            Ok(response) => Ok(response),
            Err(error) => Err(self.failure(&error, carries_body).await),
        }
    }

    async fn failure(&self, error: &reqwest::Error, carries_body: bool) -> EwsError {
        let timeouts = (self.config.connect_timeout, self.config.request_timeout);
        match classify(error, &self.host, carries_body, timeouts) {
            Classified::Error(classified) => classified,
            Classified::ConnectFailed(detail) => {
                match tokio::net::lookup_host((self.host.as_str(), self.port)).await {
                    Err(lookup) => EwsError::Dns {
                        host: self.host.clone(),
                        detail: lookup.to_string(),
                    },
                    Ok(_) => EwsError::Network {
                        phase: Phase::NotSent,
                        detail,
                    },
                }
            }
        }
    }

    /// A success or a 500 (which carries SOAP faults) is read; any other status is an error.
    async fn reply(&self, response: reqwest::Response) -> Result<HttpReply, EwsError> {
        let status = response.status();
        if !(status.is_success() || status == StatusCode::INTERNAL_SERVER_ERROR) {
            return Err(self.status_error(response));
        }
        let body = self.read_body(response, true).await?;
        Ok(HttpReply {
            status: status.as_u16(),
            body,
        })
    }

    /// Reads the body while counting; stops as soon as the cap is passed.
    async fn read_body(
        &self,
        mut response: reqwest::Response,
        carries_body: bool,
    ) -> Result<Bytes, EwsError> {
        let limit = self.config.max_response_bytes;
        if response
            .content_length()
            .is_some_and(|length| length > limit)
        {
            return Err(EwsError::ResponseTooLarge { limit });
        }
        let mut body = BytesMut::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if (body.len() + chunk.len()) as u64 > limit {
                        return Err(EwsError::ResponseTooLarge { limit });
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => return Ok(body.freeze()),
                Err(error) => return Err(self.failure(&error, carries_body).await),
            }
        }
    }

    /// Reads and discards a body so the connection can be reused.
    async fn drain(&self, response: reqwest::Response) -> Result<(), EwsError> {
        self.read_body(response, false).await.map(drop)
    }

    fn status_error(&self, response: reqwest::Response) -> EwsError {
        let status = response.status();
        match status.as_u16() {
            401 => {
                let scheme = self.auth.scheme();
                let offered = offered_schemes(&www_authenticate(&response));
                if offered.is_empty()
                    || offered.iter().any(|name| name.eq_ignore_ascii_case(scheme))
                {
                    EwsError::AuthFailed { scheme }
                } else {
                    EwsError::AuthSchemeNotOffered { scheme, offered }
                }
            }
            403 => EwsError::BlockedByPolicy,
            300..=399 => EwsError::Redirected {
                status: status.as_u16(),
                location_host: response
                    .headers()
                    .get(LOCATION)
                    .and_then(|value| value.to_str().ok())
                    .and_then(|location| self.url.join(location).ok())
                    .and_then(|target| target.host_str().map(str::to_owned)),
            },
            200..=299 => EwsError::malformed(format!(
                "the server answered the {} negotiate message with HTTP {status} instead of a challenge",
                self.auth.scheme()
            )),
            code => EwsError::HttpStatus {
                status: code,
                retry_after: response
                    .headers()
                    .get(RETRY_AFTER)
                    .and_then(|value| value.to_str().ok())
                    .and_then(|seconds| seconds.trim().parse::<u64>().ok())
                    .map(Duration::from_secs),
            },
        }
    }
}
