//! A front server on 127.0.0.1 for what the simulator cannot be by itself: a server with a
//! chosen certificate, one that offers only Basic, and a URL that answers with a redirect or a
//! sign-in page. Each accepted connection gets its own connection to the simulator, so NTLM
//! (which authenticates a connection) works through it.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{
    AUTHORIZATION, CONTENT_TYPE, HeaderName, HeaderValue, LOCATION, WWW_AUTHENTICATE,
};
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Mutex;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;

/// What the front does with a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Passes everything to the simulator.
    Forward,
    /// Refuses NTLM and Negotiate, and offers only Basic.
    BasicOnly,
    /// Redirects every request to a single sign-on page.
    Redirect,
    /// Answers every request with an HTML sign-in page.
    LoginPage,
}

/// A running front; stops accepting when dropped.
pub struct Front {
    address: SocketAddr,
    tls: bool,
    accept: JoinHandle<()>,
}

impl Front {
    /// Serves on a free port of 127.0.0.1, with TLS when `tls` is given, in front of `upstream`.
    pub async fn start(
        tls: Option<Arc<ServerConfig>>,
        upstream: SocketAddr,
        behaviour: Behaviour,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let acceptor = tls.clone().map(TlsAcceptor::from);
        let accept = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    match acceptor {
                        Some(acceptor) => {
                            if let Ok(stream) = acceptor.accept(stream).await {
                                serve(stream, upstream, behaviour).await;
                            }
                        }
                        None => serve(stream, upstream, behaviour).await,
                    }
                });
            }
        });
        Self {
            address,
            tls: tls.is_some(),
            accept,
        }
    }

    /// The EWS URL through the front.
    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}/EWS/Exchange.asmx", self.address)
    }
}

impl Drop for Front {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// The only challenge a Basic-only server sends.
const BASIC_CHALLENGE: &str = "Basic realm=\"mail.example.nl\"";

type Upstream = Arc<Mutex<hyper::client::conn::http1::SendRequest<Full<Bytes>>>>;

async fn serve<S>(stream: S, upstream: SocketAddr, behaviour: Behaviour)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let Ok(connection) = TcpStream::connect(upstream).await else {
        return;
    };
    let Ok((sender, driver)) =
        hyper::client::conn::http1::handshake(TokioIo::new(connection)).await
    else {
        return;
    };
    tokio::spawn(driver);
    let sender: Upstream = Arc::new(Mutex::new(sender));
    let service = service_fn(move |request| relay(request, sender.clone(), behaviour));
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

fn answer(
    status: StatusCode,
    headers: &[(HeaderName, &'static str)],
    body: &'static str,
) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
    *response.status_mut() = status;
    for (name, value) in headers {
        response
            .headers_mut()
            .append(name, HeaderValue::from_static(value));
    }
    response
}

fn offers_connection_auth(request: &Request<Incoming>) -> bool {
    request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split_whitespace().next())
        .is_some_and(|scheme| {
            scheme.eq_ignore_ascii_case("NTLM") || scheme.eq_ignore_ascii_case("Negotiate")
        })
}

async fn relay(
    request: Request<Incoming>,
    upstream: Upstream,
    behaviour: Behaviour,
) -> Result<Response<Full<Bytes>>, Infallible> {
    match behaviour {
        Behaviour::Redirect => {
            return Ok(answer(
                StatusCode::FOUND,
                &[(LOCATION, "https://sso.example.nl/adfs/ls/?wa=wsignin1.0")],
                "",
            ));
        }
        Behaviour::LoginPage => {
            return Ok(answer(
                StatusCode::OK,
                &[(CONTENT_TYPE, "text/html")],
                "<html><body><form action=\"/my.policy\">Sign in</form></body></html>",
            ));
        }
        Behaviour::BasicOnly if offers_connection_auth(&request) => {
            return Ok(answer(
                StatusCode::UNAUTHORIZED,
                &[(WWW_AUTHENTICATE, BASIC_CHALLENGE)],
                "",
            ));
        }
        Behaviour::BasicOnly | Behaviour::Forward => {}
    }
    let (parts, body) = request.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    let forwarded = Request::from_parts(parts, Full::new(body));
    let Ok(response) = upstream.lock().await.send_request(forwarded).await else {
        return Ok(answer(StatusCode::BAD_GATEWAY, &[], ""));
    };
    let (mut parts, body) = response.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    if behaviour == Behaviour::BasicOnly && parts.status == StatusCode::UNAUTHORIZED {
        parts.headers.remove(WWW_AUTHENTICATE);
        parts
            .headers
            .insert(WWW_AUTHENTICATE, HeaderValue::from_static(BASIC_CHALLENGE));
    }
    Ok(Response::from_parts(parts, Full::new(body)))
}
