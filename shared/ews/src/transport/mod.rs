//! HTTP to one EWS endpoint over the one HTTP/1.1 connection the client owns: no redirects, time
//! limits, a response size cap enforced while the body streams, and authentication (including
//! NTLM's connection-bound handshake).
//!
//! Every scheme uses the owned connection: NTLM needs it, and requests of one client are
//! sequential anyway, so a pool would add nothing but a second way to fail.

mod classify;
mod connection;
mod request;
mod response;
mod tls;

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::HeaderValue;
use http::{Response, StatusCode};
use hyper::body::Incoming;
pub use ohsync_net_guard::{AddressPolicy, AllowList};
use tokio::sync::Mutex;
use url::Url;

use crate::auth::{AuthStart, Authenticator, Handshake};
use crate::error::{EwsError, Phase};
use classify::Classifier;
use connection::{Connection, Endpoint, SendError, TlsTarget};
use request::RequestHead;
use response::{announces_close, offered_schemes, read_body, status_error, www_authenticate};

/// Network settings of a client.
#[derive(Debug, Clone)]
pub struct TransportConfig {
    /// Limit for opening a connection: resolving the host, TCP and TLS.
    pub connect_timeout: Duration,
    /// Limit for a whole request, from connecting (and logging on) until the last byte of the
    /// answer.
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

/// A reply and the connection to keep for the next request (none when the server closes it).
type Answered = (HttpReply, Option<Connection>);

/// The HTTP side of an [`crate::client::EwsClient`].
#[derive(Debug)]
pub(crate) struct Transport {
    endpoint: Endpoint,
    url: Url,
    host: String,
    head: RequestHead,
    auth: Arc<dyn Authenticator>,
    classifier: Classifier,
    config: TransportConfig,
    /// The connection, kept between requests once it answered (for NTLM: once it is logged on).
    /// Held for the whole exchange, so requests never interleave on it.
    connection: Mutex<Option<Connection>>,
}

fn config_error(field: &'static str, reason: impl Into<String>) -> EwsError {
    EwsError::InvalidConfig {
        field,
        reason: reason.into(),
    }
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
        let https = match url.scheme() {
            "https" => true,
            "http"
                if config
                    .allow_http_hosts
                    .iter()
                    .any(|h| h.eq_ignore_ascii_case(&host)) =>
            {
                false
            }
            "http" => return Err(config_error("url", "must use https")),
            other => return Err(config_error("url", format!("unsupported scheme {other}"))),
        };
        let port = url
            .port_or_known_default()
            .ok_or_else(|| config_error("url", "has no port"))?;
        let tls = tls::client_config(
            &config.extra_root_certificates_pem,
            &config.insecure_tls_hosts,
        )?;
        let tls = https.then(|| TlsTarget::new(tls, &host)).transpose()?;
        let head = RequestHead::new(&url, &config.user_agent, anchor_mailbox)?;
        let classifier = Classifier::new(host.clone(), config.connect_timeout);
        let endpoint = Endpoint::new(
            url.clone(),
            port,
            tls,
            config.address_policy.clone(),
            config.connect_timeout,
            classifier.clone(),
        );
        Ok(Self {
            endpoint,
            url,
            host,
            head,
            auth,
            classifier,
            config,
            connection: Mutex::new(None),
        })
    }

    /// The endpoint's host name.
    pub(crate) fn host(&self) -> &str {
        &self.host
    }

    /// POSTs a SOAP document and returns the answer to parse, or the classified failure.
    pub(crate) async fn post(&self, body: Bytes) -> Result<HttpReply, EwsError> {
        let mut slot = self.connection.lock().await;
        let kept = slot.take();
        let limit = self.config.request_timeout;
        // How far the SOAP body got, for a time-out that cuts the exchange off anywhere.
        let mut progress = Phase::NotSent;
        match tokio::time::timeout(limit, self.exchange(kept, body, &mut progress)).await {
            Ok(Ok((reply, connection))) => {
                *slot = connection;
                Ok(reply)
            }
            Ok(Err(error)) => Err(error),
            Err(_) => Err(EwsError::Timeout {
                phase: progress,
                after: limit,
            }),
        }
    }

    /// One request: on the kept connection when it still serves, otherwise on a new one (logged
    /// on first, for NTLM). A failure drops the connection.
    async fn exchange(
        &self,
        kept: Option<Connection>,
        body: Bytes,
        progress: &mut Phase,
    ) -> Result<Answered, EwsError> {
        let start = self.auth.start()?;
        if let Some(connection) = kept {
            let authorization = match &start {
                AuthStart::Header(value) => Some(value.clone()),
                AuthStart::Handshake(_) => None,
            };
            if let Some(answered) = self
                .over_kept(connection, body.clone(), authorization, progress)
                .await?
            {
                return Ok(answered);
            }
        }
        let mut connection = self.endpoint.open().await?;
        let response = match start {
            AuthStart::Header(authorization) => self
                .send(&mut connection, body, Some(authorization), progress)
                .await
                .map_err(|e| self.send_failure(&e, *progress))?,
            AuthStart::Handshake(mut handshake) => {
                self.log_on(&mut connection, handshake.as_mut(), body, progress)
                    .await?
            }
        };
        self.reply(response, connection, *progress).await
    }

    /// Sends over the kept connection. `None` means the request must go over a new connection:
    /// this one was closed before the request left, has been idle too long, or (for a
    /// handshake scheme) its logon is no longer accepted.
    async fn over_kept(
        &self,
        mut connection: Connection,
        body: Bytes,
        authorization: Option<HeaderValue>,
        progress: &mut Phase,
    ) -> Result<Option<Answered>, EwsError> {
        if connection.is_stale() {
            return Ok(None);
        }
        let logged_on = authorization.is_none();
        match self
            .send(&mut connection, body, authorization, progress)
            .await
        {
            Ok(response) if logged_on && response.status() == StatusCode::UNAUTHORIZED => {
                tracing::debug!(
                    "the server no longer accepts the connection's logon; logging on again"
                );
                // A 401 means the server did not act on the request.
                *progress = Phase::NotSent;
                Ok(None)
            }
            Ok(response) => self.reply(response, connection, *progress).await.map(Some),
            Err(SendError::NotSent(_)) => Ok(None),
            Err(failed) => Err(self.send_failure(&failed, *progress)),
        }
    }

    /// Negotiate with an empty body, read the challenge to the end (the connection stays open),
    /// then send the answer together with the real body on the same connection.
    async fn log_on(
        &self,
        connection: &mut Connection,
        handshake: &mut dyn Handshake,
        body: Bytes,
        progress: &mut Phase,
    ) -> Result<Response<Incoming>, EwsError> {
        let scheme = self.auth.scheme();
        let negotiate = self
            .send(
                connection,
                Bytes::new(),
                Some(handshake.first_token()?),
                progress,
            )
            .await
            .map_err(|e| self.send_failure(&e, *progress))?;
        if negotiate.status() != StatusCode::UNAUTHORIZED {
            return Err(status_error(&negotiate, scheme, &self.url));
        }
        let challenges = www_authenticate(negotiate.headers());
        let offered = offered_schemes(&challenges);
        if !offered.iter().any(|name| name.eq_ignore_ascii_case(scheme)) {
            return Err(EwsError::AuthSchemeNotOffered { scheme, offered });
        }
        let closes = announces_close(negotiate.headers());
        read_body(
            negotiate,
            self.config.max_response_bytes,
            &self.classifier,
            Phase::NotSent,
        )
        .await?;
        if closes {
            return Err(EwsError::Network {
                phase: Phase::NotSent,
                detail: format!(
                    "the server closed the connection during the {scheme} handshake (a proxy \
                     without connection affinity?)"
                ),
            });
        }
        let answer = handshake.answer(&challenges, connection.peer_certificate())?;
        let response = self
            .send(connection, body, Some(answer), progress)
            .await
            .map_err(|e| self.send_failure(&e, *progress))?;
        if response.status() == StatusCode::UNAUTHORIZED {
            return Err(EwsError::AuthFailed { scheme });
        }
        Ok(response)
    }

    /// Sends one request and records in `progress` whether the SOAP body may have left (only
    /// the NTLM negotiate message goes without it).
    async fn send(
        &self,
        connection: &mut Connection,
        body: Bytes,
        authorization: Option<HeaderValue>,
        progress: &mut Phase,
    ) -> Result<Response<Incoming>, SendError> {
        let carries_body = !body.is_empty();
        if carries_body {
            *progress = Phase::MaybeDelivered;
        }
        let sent = connection
            .send(self.head.request(body, authorization))
            .await;
        if carries_body && matches!(sent, Err(SendError::NotSent(_))) {
            *progress = Phase::NotSent;
        }
        sent
    }

    fn send_failure(&self, error: &SendError, progress: Phase) -> EwsError {
        self.classifier.classify(error.error(), progress)
    }

    /// A success or a 500 (which carries SOAP faults) is read to the end, and the connection is
    /// kept unless the server closes it; any other status is an error.
    async fn reply(
        &self,
        response: Response<Incoming>,
        mut connection: Connection,
        progress: Phase,
    ) -> Result<Answered, EwsError> {
        let status = response.status();
        if !(status.is_success() || status == StatusCode::INTERNAL_SERVER_ERROR) {
            return Err(status_error(&response, self.auth.scheme(), &self.url));
        }
        let keep = !announces_close(response.headers());
        let body = read_body(
            response,
            self.config.max_response_bytes,
            &self.classifier,
            progress,
        )
        .await?;
        connection.rest();
        let reply = HttpReply {
            status: status.as_u16(),
            body,
        };
        Ok((reply, keep.then_some(connection)))
    }
}
