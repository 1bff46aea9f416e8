//! The HTTP side: a listener, one task per connection (so NTLM logons belong to the connection, as on
//! IIS), the EWS endpoint, and the handle tests use to reach the running simulator.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue, WWW_AUTHENTICATE};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::auth::{AuthDecision, AuthPolicy, ConnectionAuth, offer};
use crate::config::SimConfig;
use crate::dispatch::{SoapReply, dispatch};
use crate::error::SimError;
use crate::faults::{FaultSwitches, RequestCounters};
use crate::handle::MailboxHandle;
use crate::state::Shared;
use crate::tls::TlsSetup;

/// The EWS endpoint path.
pub const EWS_PATH: &str = "/EWS/Exchange.asmx";
const MAX_BODY: usize = 32 * 1024 * 1024;

/// Starts simulators.
#[derive(Debug)]
pub struct EwsSimulator;

/// A running simulator.
#[derive(Debug)]
pub struct RunningSim {
    shared: Arc<Shared>,
    address: SocketAddr,
    tls: Option<Arc<TlsSetup>>,
    shutdown: watch::Sender<bool>,
    accept_task: JoinHandle<()>,
}

impl EwsSimulator {
    /// Binds `listen` (e.g. `127.0.0.1:0`) and starts serving.
    pub async fn start(config: SimConfig, listen: &str) -> Result<RunningSim, SimError> {
        for (index, user) in config.users.iter().enumerate() {
            let clash = config.users.iter().skip(index + 1).any(|other| {
                other.smtp_address.eq_ignore_ascii_case(&user.smtp_address)
                    || other.logon_name().eq_ignore_ascii_case(&user.logon_name())
            });
            if clash {
                return Err(SimError::DuplicateUser(user.logon_name()));
            }
        }
        let tls = if config.tls {
            Some(Arc::new(TlsSetup::generate()?))
        } else {
            None
        };
        let channel_binding = tls
            .as_ref()
            .filter(|_| config.extended_protection)
            .map(|tls| tls.channel_binding());
        let listener = TcpListener::bind(listen)
            .await
            .map_err(|source| SimError::Bind {
                address: listen.to_owned(),
                source,
            })?;
        let address = listener.local_addr().map_err(|source| SimError::Bind {
            address: listen.to_owned(),
            source,
        })?;
        let shared = Arc::new(Shared::new(config, channel_binding));
        let (shutdown, watcher) = watch::channel(false);
        let accept_task = tokio::spawn(accept_loop(listener, shared.clone(), tls.clone(), watcher));
        Ok(RunningSim {
            shared,
            address,
            tls,
            shutdown,
            accept_task,
        })
    }
}

impl RunningSim {
    /// The EWS URL, e.g. `http://127.0.0.1:PORT/EWS/Exchange.asmx`.
    pub fn url(&self) -> String {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        format!("{scheme}://{}{EWS_PATH}", self.address)
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.address
    }

    /// The fault switches.
    pub fn faults(&self) -> &FaultSwitches {
        &self.shared.faults
    }

    /// The request counters.
    pub fn counters(&self) -> &RequestCounters {
        &self.shared.counters
    }

    /// Blocks or unblocks EWS for a user (SMTP address or `DOMAIN\name`); false if there is no such user.
    pub fn set_ews_blocked(&self, user: &str, blocked: bool) -> bool {
        let Some(index) = self.shared.user_index(user) else {
            return false;
        };
        self.shared.blocked.get(index).is_some_and(|flag| {
            flag.store(blocked, Ordering::SeqCst);
            true
        })
    }

    /// Direct access to a user's mailbox (SMTP address or `DOMAIN\name`).
    pub fn mailbox(&self, user: &str) -> Option<MailboxHandle> {
        self.shared
            .user_index(user)
            .map(|index| MailboxHandle::new(self.shared.clone(), index))
    }

    /// The TLS certificate (DER) when serving HTTPS.
    pub fn certificate_der(&self) -> Option<&[u8]> {
        self.tls.as_ref().map(|tls| tls.certificate_der())
    }

    /// Stops accepting, closes connections, and waits for the listener task.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        let _ = self.accept_task.await;
    }
}

async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    tls: Option<Arc<TlsSetup>>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let accepted = tokio::select! {
            _ = shutdown.changed() => return,
            accepted = listener.accept() => accepted,
        };
        let Ok((stream, peer)) = accepted else {
            continue;
        };
        let shared = shared.clone();
        let watcher = shutdown.clone();
        match &tls {
            Some(tls) => {
                let acceptor = tls.acceptor();
                tokio::spawn(async move {
                    match acceptor.accept(stream).await {
                        Ok(stream) => serve_connection(shared, stream, peer, watcher).await,
                        Err(error) => tracing::debug!(%peer, %error, "TLS handshake failed"),
                    }
                });
            }
            None => {
                tokio::spawn(serve_connection(shared, stream, peer, watcher));
            }
        }
    }
}

async fn serve_connection<S>(
    shared: Arc<Shared>,
    stream: S,
    peer: SocketAddr,
    mut shutdown: watch::Receiver<bool>,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let auth = Arc::new(Mutex::new(ConnectionAuth::default()));
    let kill = Arc::new(Notify::new());
    let service = {
        let kill = kill.clone();
        service_fn(move |request| handle(shared.clone(), auth.clone(), kill.clone(), peer, request))
    };
    // The timer lets hyper enforce its header read timeout, so stalled clients do not pin a task.
    let connection = http1::Builder::new()
        .timer(TokioTimer::new())
        .serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    tokio::select! {
        result = connection.as_mut() => {
            if let Err(error) = result {
                tracing::debug!(%peer, %error, "connection ended with an error");
            }
        }
        () = kill.notified() => tracing::info!(%peer, "connection dropped after commit (fault switch)"),
        _ = shutdown.changed() => {
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        }
    }
}

fn reply(
    status: StatusCode,
    content_type: Option<&'static str>,
    body: impl Into<Bytes>,
) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    if let Some(content_type) = content_type {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
    headers.insert("Server", HeaderValue::from_static("Microsoft-IIS/10.0"));
    headers.insert("X-Powered-By", HeaderValue::from_static("ASP.NET"));
    if let Ok(id) = HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()) {
        headers.insert("request-id", id);
    }
    response
}

fn unauthorized(values: &[String]) -> Response<Full<Bytes>> {
    let mut response = reply(StatusCode::UNAUTHORIZED, None, Bytes::new());
    for value in values {
        if let Ok(value) = HeaderValue::from_str(value) {
            response.headers_mut().append(WWW_AUTHENTICATE, value);
        }
    }
    response
}

async fn handle(
    shared: Arc<Shared>,
    auth: Arc<Mutex<ConnectionAuth>>,
    kill: Arc<Notify>,
    peer: SocketAddr,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    shared.counters.record_http();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let authorization = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    // Read the whole body first so the connection can carry the next request of a handshake.
    let body = match Limited::new(request.into_body(), MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return Ok(reply(StatusCode::PAYLOAD_TOO_LARGE, None, Bytes::new())),
    };
    if !path.eq_ignore_ascii_case(EWS_PATH) {
        tracing::info!(%peer, %method, %path, status = 404, "not the EWS endpoint");
        return Ok(reply(
            StatusCode::NOT_FOUND,
            Some("text/html"),
            "<h1>404 - File or directory not found.</h1>",
        ));
    }

    let policy = AuthPolicy {
        users: &shared.config.users,
        basic: shared.config.basic_auth,
        names: &shared.names,
        channel_binding: shared.channel_binding,
    };
    let decision = match auth.lock() {
        Ok(mut state) => state.decide(authorization.as_deref(), &policy),
        Err(_) => AuthDecision::Refused("connection state unavailable"),
    };
    let (user, persistent) = match decision {
        AuthDecision::Authenticated { index, persistent } => (index, persistent),
        AuthDecision::Challenge(values) => {
            tracing::info!(%peer, %method, status = 401, "NTLM challenge sent");
            return Ok(unauthorized(&values));
        }
        AuthDecision::Refused(reason) => {
            tracing::info!(%peer, %method, status = 401, reason, "not authenticated");
            return Ok(unauthorized(&offer(
                shared.config.basic_auth,
                &shared.config.dns_domain,
            )));
        }
    };
    let logon = shared
        .config
        .users
        .get(user)
        .map(|user| user.logon_name())
        .unwrap_or_default();
    if shared
        .blocked
        .get(user)
        .is_some_and(|flag| flag.load(Ordering::SeqCst))
    {
        tracing::info!(%peer, user = %logon, status = 403, "EWS blocked for this user");
        return Ok(reply(StatusCode::FORBIDDEN, None, Bytes::new()));
    }
    if method != Method::POST {
        tracing::info!(%peer, user = %logon, %method, status = 405, "only POST is served");
        return Ok(reply(
            StatusCode::METHOD_NOT_ALLOWED,
            Some("text/html"),
            "<h1>405 - HTTP verb used to access this page is not allowed.</h1>",
        ));
    }
    let latency = shared.faults.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    if shared.faults.take_unavailable() {
        tracing::info!(%peer, user = %logon, status = 503, "service unavailable (fault switch)");
        return Ok(reply(
            StatusCode::SERVICE_UNAVAILABLE,
            Some("text/html; charset=us-ascii"),
            "<h2>Service Unavailable</h2><hr><p>HTTP Error 503. The service is unavailable.</p>",
        ));
    }

    let text = String::from_utf8_lossy(&body);
    let dispatched = dispatch(&shared, user, &text);
    if dispatched.drop_connection {
        tracing::info!(%peer, user = %logon, operation = %dispatched.operation, outcome = %dispatched.outcome, "dropping connection");
        kill.notify_one();
        std::future::pending::<()>().await;
    }
    let (status, body) = match dispatched.reply {
        SoapReply::Success(body) => (StatusCode::OK, body),
        SoapReply::Fault(body) => (StatusCode::INTERNAL_SERVER_ERROR, body),
    };
    tracing::info!(
        %peer,
        user = %logon,
        operation = %dispatched.operation,
        outcome = %dispatched.outcome,
        status = status.as_u16(),
        "request"
    );
    let mut response = reply(status, Some("text/xml; charset=utf-8"), body);
    if persistent && authorization.is_some() {
        response
            .headers_mut()
            .insert("Persistent-Auth", HeaderValue::from_static("true"));
    }
    Ok(response)
}
