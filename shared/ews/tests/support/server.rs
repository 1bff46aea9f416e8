//! A scripted HTTP/1.1 server on 127.0.0.1 (plain or TLS) and test certificates, for driving the
//! client over real sockets.

// Each test binary uses part of this module; unwraps in test code are assertions.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ohsync_ews::transport::AddressPolicy;
use ohsync_ews::{EwsError, TransportConfig};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// The password of the test user (jan in the OFFICEHEART domain).
pub const PASSWORD: &str = "Geheim-Wachtwoord-42!";

/// Transport settings for the test servers: short limits, plain http to 127.0.0.1, and loopback
/// allowed (the default address policy refuses it).
pub fn transport_config() -> TransportConfig {
    TransportConfig {
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(5),
        allow_http_hosts: vec!["127.0.0.1".into()],
        address_policy: AddressPolicy::new("127.0.0.1,localhost".parse().unwrap()),
        ..TransportConfig::default()
    }
}

/// Fails when any text of `err` shows [`PASSWORD`].
pub fn assert_no_password(err: &EwsError) {
    for text in [
        err.to_string(),
        format!("{err:?}"),
        err.user_message().to_string(),
    ] {
        assert!(!text.contains(PASSWORD), "password leaked into {text:?}");
    }
}

/// A GetFolder answer with a header, as Exchange 2016 CU23 would send it.
pub const GET_FOLDER_OK: &str = r#"<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header><h:ServerVersionInfo MajorVersion="15" MinorVersion="1" MajorBuildNumber="2507" MinorBuildNumber="6" Version="V2017_07_11" xmlns:h="http://schemas.microsoft.com/exchange/services/2006/types"/></s:Header><s:Body><m:GetFolderResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><m:ResponseMessages><m:GetFolderResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:Folders><t:CalendarFolder><t:FolderId Id="AQMkCal" ChangeKey="AgAAAB"/><t:DisplayName>Agenda</t:DisplayName><t:TotalCount>3</t:TotalCount></t:CalendarFolder></m:Folders></m:GetFolderResponseMessage></m:ResponseMessages></m:GetFolderResponse></s:Body></s:Envelope>"#;

/// A SOAP fault for throttling with the given back-off.
pub fn server_busy_fault(back_off_ms: u64) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode xmlns:a="http://schemas.microsoft.com/exchange/services/2006/types">a:ErrorServerBusy</faultcode><faultstring xml:lang="en-US">The server cannot service this request right now. Try again later.</faultstring><detail><e:ResponseCode xmlns:e="http://schemas.microsoft.com/exchange/services/2006/errors">ErrorServerBusy</e:ResponseCode><t:MessageXml xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><t:Value Name="BackOffMilliseconds">{back_off_ms}</t:Value></t:MessageXml></detail></s:Fault></s:Body></s:Envelope>"#
    )
}

/// One received request.
#[derive(Debug, Clone)]
pub struct Request {
    /// Which accepted connection (0-based) carried it.
    pub connection: usize,
    pub method: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// What the server does with one request.
#[derive(Clone)]
pub enum Reply {
    /// A response with Content-Length; the connection stays open unless a `Connection: close` header is given.
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// A chunked response of `count` chunks.
    Stream { chunk: Vec<u8>, count: usize },
    /// A chunked response of `count` chunks, one every `every` (a slow drip).
    Drip {
        chunk: Vec<u8>,
        every: Duration,
        count: usize,
    },
    /// Waits, then closes without answering.
    Stall(Duration),
    /// Closes the connection without answering.
    Drop,
    /// Sends the inner reply, then closes the connection without announcing it.
    ThenClose(Box<Reply>),
}

impl Reply {
    pub fn xml(status: u16, body: &str) -> Self {
        Self::Respond {
            status,
            headers: vec![("Content-Type".into(), "text/xml; charset=utf-8".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    pub fn status(status: u16, headers: &[(&str, &str)]) -> Self {
        Self::Respond {
            status,
            headers: headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            body: Vec::new(),
        }
    }
}

/// Handles the requests of one connection (it may keep per-connection state).
pub type ConnectionHandler = Box<dyn FnMut(&Request) -> Reply + Send>;

/// A server answering on 127.0.0.1 until dropped.
pub struct TestServer {
    pub addr: SocketAddr,
    requests: Arc<Mutex<Vec<Request>>>,
    connections: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TestServer {
    /// Starts a server; `new_connection` makes the handler of each accepted connection.
    pub async fn start(
        tls: Option<Arc<rustls::ServerConfig>>,
        new_connection: impl Fn() -> ConnectionHandler + Send + Sync + 'static,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let (recorded, counted) = (Arc::clone(&requests), Arc::clone(&connections));
        let new_connection = Arc::new(new_connection);
        let task = tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let index = counted.fetch_add(1, Ordering::SeqCst);
                let handler = new_connection();
                let recorded = Arc::clone(&recorded);
                let tls = tls.clone();
                tokio::spawn(async move {
                    match tls {
                        Some(config) => {
                            if let Ok(stream) =
                                tokio_rustls::TlsAcceptor::from(config).accept(tcp).await
                            {
                                serve(stream, index, handler, recorded).await;
                            }
                        }
                        None => serve(tcp, index, handler, recorded).await,
                    }
                });
            }
        });
        Self {
            addr,
            requests,
            connections,
            task,
        }
    }

    /// A server whose every connection is handled by `reply`, given the request and its
    /// sequence number over all connections.
    pub async fn scripted(
        reply: impl Fn(&Request, usize) -> Reply + Send + Sync + 'static,
    ) -> Self {
        Self::scripted_tls(None, reply).await
    }

    /// [`TestServer::scripted`] over TLS.
    pub async fn scripted_tls(
        tls: Option<Arc<rustls::ServerConfig>>,
        reply: impl Fn(&Request, usize) -> Reply + Send + Sync + 'static,
    ) -> Self {
        let reply = Arc::new(reply);
        let sequence = Arc::new(AtomicUsize::new(0));
        Self::start(tls, move || {
            let reply = Arc::clone(&reply);
            let sequence = Arc::clone(&sequence);
            Box::new(move |request: &Request| {
                reply(request, sequence.fetch_add(1, Ordering::SeqCst))
            })
        })
        .await
    }

    pub fn http_url(&self) -> String {
        format!("http://127.0.0.1:{}/EWS/Exchange.asmx", self.addr.port())
    }

    pub fn https_url(&self, host: &str) -> String {
        format!("https://{host}:{}/EWS/Exchange.asmx", self.addr.port())
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

async fn read_request<S: AsyncRead + Unpin>(
    reader: &mut BufReader<S>,
    connection: usize,
) -> Option<Request> {
    let mut line = String::new();
    if reader.read_line(&mut line).await.ok()? == 0 {
        return None;
    }
    let method = line.split_whitespace().next()?.to_owned();
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line).await.ok()?;
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            break;
        }
        let (key, value) = trimmed.split_once(':')?;
        headers.push((key.trim().to_owned(), value.trim().to_owned()));
    }
    let length = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).await.ok()?;
    Some(Request {
        connection,
        method,
        headers,
        body,
    })
}

async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
    connection: usize,
    mut handler: ConnectionHandler,
    recorded: Arc<Mutex<Vec<Request>>>,
) {
    let mut reader = BufReader::new(stream);
    while let Some(request) = read_request(&mut reader, connection).await {
        recorded.lock().unwrap().push(request.clone());
        let reply = handler(&request);
        if !write_reply(reader.get_mut(), reply).await {
            return;
        }
    }
}

/// Writes one reply; false when the connection is to be closed.
async fn write_reply<S: AsyncWrite + Unpin>(stream: &mut S, reply: Reply) -> bool {
    match reply {
        Reply::Respond {
            status,
            headers,
            body,
        } => {
            let closes = headers.iter().any(|(k, v)| {
                k.eq_ignore_ascii_case("connection") && v.eq_ignore_ascii_case("close")
            });
            let mut head = format!(
                "HTTP/1.1 {status} Scripted\r\nContent-Length: {}\r\n",
                body.len()
            );
            for (key, value) in headers {
                head.push_str(&format!("{key}: {value}\r\n"));
            }
            head.push_str("\r\n");
            if stream.write_all(head.as_bytes()).await.is_err()
                || stream.write_all(&body).await.is_err()
            {
                return false;
            }
            let _ = stream.flush().await;
            !closes
        }
        Reply::Stream { chunk, count } => {
            write_chunked(stream, &chunk, Duration::ZERO, count).await
        }
        Reply::Drip {
            chunk,
            every,
            count,
        } => write_chunked(stream, &chunk, every, count).await,
        Reply::Stall(wait) => {
            tokio::time::sleep(wait).await;
            false
        }
        Reply::Drop => false,
        Reply::ThenClose(inner) => {
            Box::pin(write_reply(stream, *inner)).await;
            let _ = stream.shutdown().await;
            false
        }
    }
}

/// Writes a chunked 200 of `count` chunks, waiting `every` before each; false when the
/// client went away.
async fn write_chunked<S: AsyncWrite + Unpin>(
    stream: &mut S,
    chunk: &[u8],
    every: Duration,
    count: usize,
) -> bool {
    let head =
        "HTTP/1.1 200 Scripted\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n";
    if stream.write_all(head.as_bytes()).await.is_err() {
        return false;
    }
    for _ in 0..count {
        if !every.is_zero() {
            tokio::time::sleep(every).await;
        }
        let framed = [format!("{:x}\r\n", chunk.len()).as_bytes(), chunk, b"\r\n"].concat();
        if stream.write_all(&framed).await.is_err() || stream.flush().await.is_err() {
            return false;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let _ = stream.flush().await;
    true
}

/// A certificate and its key, with the PEM of the certificate for trust stores.
pub struct TestCertificate {
    pub der: CertificateDer<'static>,
    pub key: PrivateKeyDer<'static>,
    pub pem: String,
}

fn params(hosts: &[&str]) -> rcgen::CertificateParams {
    rcgen::CertificateParams::new(hosts.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>())
        .unwrap()
}

fn finish(certificate: rcgen::Certificate, key: &rcgen::KeyPair) -> TestCertificate {
    TestCertificate {
        der: certificate.der().clone(),
        key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        pem: certificate.pem(),
    }
}

/// A self-signed certificate for `hosts`.
pub fn self_signed(hosts: &[&str]) -> TestCertificate {
    let key = rcgen::KeyPair::generate().unwrap();
    let certificate = params(hosts).self_signed(&key).unwrap();
    finish(certificate, &key)
}

/// A test CA, and a leaf for `hosts` signed by it (optionally already expired).
pub fn ca_and_leaf(hosts: &[&str], expired: bool) -> (TestCertificate, TestCertificate) {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = params(&[]);
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "ohsync test CA");
    let ca_certificate = ca_params.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca_params, &ca_key);
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let mut leaf_params = params(hosts);
    if expired {
        leaf_params.not_before = rcgen::date_time_ymd(2020, 1, 1);
        leaf_params.not_after = rcgen::date_time_ymd(2021, 1, 1);
    }
    let leaf = leaf_params.signed_by(&leaf_key, &issuer).unwrap();
    (finish(ca_certificate, &ca_key), finish(leaf, &leaf_key))
}

/// A TLS server configuration presenting `certificate`.
pub fn tls_config(certificate: &TestCertificate) -> Arc<rustls::ServerConfig> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![certificate.der.clone()], certificate.key.clone_key())
        .unwrap();
    Arc::new(config)
}
