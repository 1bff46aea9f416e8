//! The one connection a client owns: addresses resolved and checked against the address policy,
//! the connected peer checked before any byte is written, TLS with the client's trust rules, and
//! HTTP/1.1 over it with hyper.
//!
//! Owning the connection is what NTLM needs: it authenticates a connection, not a request, so the
//! authenticate message must leave on the connection its challenge came on, and later requests
//! must use that same connection. A pooled client cannot promise either.

use std::error::Error as StdError;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::client::conn::http1;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use ohsync_net_guard::{AddressPolicy, GuardError, GuardedResolver};
use rustls::ClientConfig;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::task::JoinHandle;
use tokio_rustls::TlsConnector;
use url::Url;

use super::classify::Classifier;
use crate::error::{EwsError, Phase};

/// How long an idle connection is used again: reqwest's pool default, which the transport had
/// before it owned its connection. Servers close idle connections (IIS after 120 s), and a
/// request written into a connection the server is closing gets no answer, so a write would end
/// "outcome unknown"; a Lambda that was frozen may not have seen the close yet.
const IDLE_LIMIT: Duration = Duration::from_secs(90);

/// TLS for an `https` endpoint: the client configuration and the name the certificate must carry.
#[derive(Debug)]
pub(super) struct TlsTarget {
    config: Arc<ClientConfig>,
    server_name: ServerName<'static>,
}

impl TlsTarget {
    /// TLS with `config` to `host` (a DNS name or an address).
    pub(super) fn new(config: ClientConfig, host: &str) -> Result<Self, EwsError> {
        let server_name =
            ServerName::try_from(host.to_owned()).map_err(|e| EwsError::InvalidConfig {
                field: "url",
                reason: format!("the host is not a TLS server name: {e}"),
            })?;
        Ok(Self {
            config: Arc::new(config),
            server_name,
        })
    }
}

/// Where connections go and how they are made.
#[derive(Debug)]
pub(super) struct Endpoint {
    url: Url,
    port: u16,
    tls: Option<TlsTarget>,
    guard: GuardedResolver,
    connect_timeout: Duration,
    classifier: Classifier,
}

impl Endpoint {
    /// Connections to `url`'s host and `port`, over TLS when `tls` is given.
    pub(super) fn new(
        url: Url,
        port: u16,
        tls: Option<TlsTarget>,
        policy: AddressPolicy,
        connect_timeout: Duration,
        classifier: Classifier,
    ) -> Self {
        Self {
            url,
            port,
            tls,
            guard: GuardedResolver::new(policy),
            connect_timeout,
            classifier,
        }
    }

    /// Opens a new connection within the connect timeout (resolving, TCP, TLS).
    pub(super) async fn open(&self) -> Result<Connection, EwsError> {
        tokio::time::timeout(self.connect_timeout, self.establish())
            .await
            .unwrap_or(Err(EwsError::Timeout {
                phase: Phase::NotSent,
                after: self.connect_timeout,
            }))
    }

    fn failed(&self, error: &(dyn StdError + 'static)) -> EwsError {
        self.classifier.classify(error, Phase::NotSent)
    }

    async fn establish(&self) -> Result<Connection, EwsError> {
        let addresses = self
            .guard
            .check_url_host(&self.url)
            .await
            .map_err(|e| self.failed(&e))?;
        let tcp = self.reach(&addresses).await?;
        tcp.set_nodelay(true).map_err(|e| self.failed(&e))?;
        let Some(tls) = &self.tls else {
            return self.start(tcp, None).await;
        };
        let stream = TlsConnector::from(Arc::clone(&tls.config))
            .connect(tls.server_name.clone(), tcp)
            .await
            .map_err(|e| self.failed(&e))?;
        // The end-entity certificate, for NTLM's tls-server-end-point channel binding.
        let certificate = stream
            .get_ref()
            .1
            .peer_certificates()
            .and_then(|chain| chain.first())
            .map(|leaf| leaf.to_vec());
        self.start(stream, certificate).await
    }

    /// Connects to the first vetted address that accepts, and checks the peer it reached before
    /// anything is written.
    async fn reach(&self, addresses: &[IpAddr]) -> Result<TcpStream, EwsError> {
        let mut refused = None;
        for &ip in addresses {
            match TcpStream::connect(SocketAddr::new(ip, self.port)).await {
                Ok(tcp) => {
                    let peer = tcp
                        .peer_addr()
                        .map_err(|_| self.failed(&GuardError::UnknownPeer))?;
                    if !addresses.contains(&peer.ip()) {
                        return Err(self.failed(&GuardError::UnknownPeer));
                    }
                    return Ok(tcp);
                }
                Err(error) => refused = Some(error),
            }
        }
        Err(match refused {
            Some(error) => self.failed(&error),
            None => self.failed(&GuardError::NoAddress {
                host: self.url.host_str().unwrap_or_default().to_owned(),
            }),
        })
    }

    async fn start<S>(
        &self,
        stream: S,
        peer_certificate: Option<Vec<u8>>,
    ) -> Result<Connection, EwsError>
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let (sender, connection) = http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| self.failed(&e))?;
        let driver = tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "EWS connection ended with an error");
            }
        });
        Ok(Connection {
            sender,
            driver,
            peer_certificate,
            idle_since: Instant::now(),
        })
    }
}

/// Why a request got no response.
#[derive(Debug)]
pub(super) enum SendError {
    /// The connection was closed before any byte of the request was written.
    NotSent(hyper::Error),
    /// The connection failed while or after the request was written.
    Failed(hyper::Error),
}

impl SendError {
    /// The underlying failure.
    pub(super) fn error(&self) -> &hyper::Error {
        match self {
            Self::NotSent(error) | Self::Failed(error) => error,
        }
    }
}

/// One open HTTP/1.1 connection; requests on it are sequential.
///
/// Dropping it ends the task that drives the socket, which closes it: a connection abandoned
/// mid-request (a timeout) is never used again.
#[derive(Debug)]
pub(super) struct Connection {
    sender: http1::SendRequest<Full<Bytes>>,
    /// The task that reads and writes the socket.
    driver: JoinHandle<()>,
    peer_certificate: Option<Vec<u8>>,
    idle_since: Instant,
}

impl Connection {
    /// The server's end-entity certificate (DER), on TLS connections.
    pub(super) fn peer_certificate(&self) -> Option<&[u8]> {
        self.peer_certificate.as_deref()
    }

    /// Whether the connection has been idle too long to be trusted with another request.
    pub(super) fn is_stale(&self) -> bool {
        self.idle_since.elapsed() >= IDLE_LIMIT
    }

    /// Marks the last answer as read to the end: the connection is idle from now on.
    pub(super) fn rest(&mut self) {
        self.idle_since = Instant::now();
    }

    /// Sends `request` once the connection is ready for it.
    pub(super) async fn send(
        &mut self,
        request: Request<Full<Bytes>>,
    ) -> Result<Response<Incoming>, SendError> {
        self.sender.ready().await.map_err(SendError::NotSent)?;
        self.sender
            .try_send_request(request)
            .await
            .map_err(|mut error| match error.take_message() {
                Some(_) => SendError::NotSent(error.into_error()),
                None => SendError::Failed(error.into_error()),
            })
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.driver.abort();
    }
}
