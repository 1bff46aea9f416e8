//! Shared test helpers: a configured simulator, SOAP envelopes, a reqwest client with Basic auth,
//! a raw HTTP/1.1 connection (to see exactly which connection a request uses), and XML lookups.

use std::sync::Arc;

use ohsync_ews_sim::xml::{Element, parse};
use ohsync_ews_sim::{EwsSimulator, RunningSim, ServerVersion, SimConfig, SimUser};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::crypto::ring::default_provider;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

pub const PASSWORD: &str = "Geheim!1";
pub const JAN: &str = "jan@ohsim.example";
pub const PIET: &str = "piet@ohsim.example";
pub const BOSS: &str = "boss@ohsim.example";
pub const TAG_SET: &str = "c11ff724-aa03-4555-9952-8fa248a11c3e";

/// jan (plain), piet (jan has delegate access to him), boss (may impersonate).
pub fn config() -> SimConfig {
    SimConfig::default()
        .with_user(
            SimUser::new("OHSIM", "jan", PASSWORD, JAN)
                .with_display_name("Jan Smit")
                .with_delegate_access(PIET),
        )
        .with_user(SimUser::new("OHSIM", "piet", "pw-piet", PIET))
        .with_user(SimUser::new("OHSIM", "boss", "pw-boss", BOSS).with_impersonation())
}

pub async fn start() -> RunningSim {
    start_with(config()).await
}

pub async fn start_version(version: ServerVersion) -> RunningSim {
    start_with(config().with_server_version(version)).await
}

pub async fn start_with(config: SimConfig) -> RunningSim {
    EwsSimulator::start(config, "127.0.0.1:0")
        .await
        .expect("simulator starts")
}

/// A SOAP envelope with an optional RequestServerVersion and extra header content.
pub fn envelope(version: Option<&str>, header: &str, body: &str) -> String {
    let version = version
        .map(|v| format!(r#"<t:RequestServerVersion Version="{v}"/>"#))
        .unwrap_or_default();
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"><soap:Header>{version}{header}</soap:Header><soap:Body>{body}</soap:Body></soap:Envelope>"#
    )
}

/// A parsed reply.
pub struct Reply {
    pub status: u16,
    pub text: String,
    pub root: Element,
}

impl Reply {
    /// All descendants with this local name, in document order.
    pub fn all(&self, name: &str) -> Vec<&Element> {
        descendants(&self.root, name)
    }

    /// The first descendant with this local name.
    pub fn first(&self, name: &str) -> &Element {
        self.all(name)
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no <{name}> in {}", self.text))
    }

    /// ResponseCode of every message, in order.
    pub fn codes(&self) -> Vec<String> {
        self.all("ResponseCode")
            .iter()
            .map(|code| code.text().trim().to_owned())
            .collect()
    }

    /// The faultcode (without prefix) of a SOAP fault.
    pub fn fault_code(&self) -> String {
        let code = self.first("faultcode").text();
        code.rsplit(':')
            .next()
            .unwrap_or_default()
            .trim()
            .to_owned()
    }

    /// Text of the first descendant with this name.
    pub fn text_of(&self, name: &str) -> String {
        self.first(name).text().trim().to_owned()
    }
}

pub fn descendants<'a>(element: &'a Element, name: &str) -> Vec<&'a Element> {
    let mut found = Vec::new();
    for child in element.elements() {
        if child.name == name {
            found.push(child);
        }
        found.extend(descendants(child, name));
    }
    found
}

/// An EWS client with Basic credentials.
pub struct Ews {
    client: reqwest::Client,
    url: String,
    user: String,
    password: String,
}

impl Ews {
    pub fn new(sim: &RunningSim, user: &str, password: &str) -> Self {
        Self {
            client: reqwest::Client::new(),
            url: sim.url(),
            user: user.to_owned(),
            password: password.to_owned(),
        }
    }

    /// jan with Basic auth.
    pub fn jan(sim: &RunningSim) -> Self {
        Self::new(sim, r"OHSIM\jan", PASSWORD)
    }

    pub async fn post(&self, body: String) -> Reply {
        let response = self
            .client
            .post(&self.url)
            .basic_auth(&self.user, Some(&self.password))
            .header("Content-Type", "text/xml; charset=utf-8")
            .body(body)
            .send()
            .await
            .expect("request sent");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body read");
        let root = parse(&text)
            .unwrap_or_else(|error| panic!("status {status}, unparsable reply {error}: {text:?}"));
        Reply { status, text, root }
    }

    /// Posts `body` in an envelope for Exchange2016.
    pub async fn call(&self, body: &str) -> Reply {
        self.post(envelope(Some("Exchange2016"), "", body)).await
    }
}

/// A CalendarItem creation body (SendToNone) with the given inner properties.
pub fn create_body(properties: &str) -> String {
    format!(
        r#"<m:CreateItem SendMeetingInvitations="SendToNone"><m:SavedItemFolderId><t:DistinguishedFolderId Id="calendar"/></m:SavedItemFolderId><m:Items><t:CalendarItem>{properties}</t:CalendarItem></m:Items></m:CreateItem>"#
    )
}

/// Creates an item over SOAP and returns (ItemId, ChangeKey).
pub async fn create(ews: &Ews, subject: &str, start: &str, end: &str) -> (String, String) {
    let reply = ews
        .call(&create_body(&format!(
            "<t:Subject>{subject}</t:Subject><t:Start>{start}</t:Start><t:End>{end}</t:End>"
        )))
        .await;
    assert_eq!(reply.codes(), vec!["NoError"], "{}", reply.text);
    let id = reply.first("ItemId");
    (
        id.attribute("Id").unwrap().to_owned(),
        id.attribute("ChangeKey").unwrap().to_owned(),
    )
}

/// A GetItem body for ids with a shape.
pub fn get_body(shape: &str, ids: &[&str]) -> String {
    let ids: String = ids
        .iter()
        .map(|id| format!(r#"<t:ItemId Id="{id}"/>"#))
        .collect();
    format!(
        r#"<m:GetItem><m:ItemShape>{shape}</m:ItemShape><m:ItemIds>{ids}</m:ItemIds></m:GetItem>"#
    )
}

pub fn tag_uri() -> String {
    format!(
        r#"<t:ExtendedFieldURI PropertySetId="{TAG_SET}" PropertyName="ohsync-tag" PropertyType="String"/>"#
    )
}

/// One HTTP/1.1 response read off a raw connection.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl RawResponse {
    pub fn header_values(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
            .collect()
    }
}

/// A byte stream: plain TCP or TLS.
pub trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// A single connection speaking HTTP/1.1 by hand, so tests control connection reuse.
pub struct RawConnection {
    stream: Box<dyn Stream>,
    host: String,
}

impl RawConnection {
    pub async fn open(sim: &RunningSim) -> Self {
        let stream = TcpStream::connect(sim.local_addr()).await.expect("connect");
        Self {
            stream: Box::new(stream),
            host: sim.local_addr().to_string(),
        }
    }

    /// A TLS connection that trusts only the simulator's generated certificate.
    pub async fn open_tls(sim: &RunningSim) -> Self {
        let mut roots = RootCertStore::empty();
        let certificate = CertificateDer::from(sim.certificate_der().expect("TLS is on").to_vec());
        roots
            .add(certificate)
            .expect("certificate is acceptable as a root");
        let config = ClientConfig::builder_with_provider(Arc::new(default_provider()))
            .with_safe_default_protocol_versions()
            .expect("protocol versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        let tcp = TcpStream::connect(sim.local_addr()).await.expect("connect");
        let name = ServerName::try_from("localhost").expect("server name");
        let stream = TlsConnector::from(Arc::new(config))
            .connect(name, tcp)
            .await
            .expect("TLS handshake");
        Self {
            stream: Box::new(stream),
            host: format!("localhost:{}", sim.local_addr().port()),
        }
    }

    pub async fn post(
        &mut self,
        authorization: Option<&str>,
        body: &str,
    ) -> std::io::Result<RawResponse> {
        let mut request = format!(
            "POST /EWS/Exchange.asmx HTTP/1.1\r\nHost: {}\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: {}\r\n",
            self.host,
            body.len()
        );
        if let Some(authorization) = authorization {
            request.push_str(&format!("Authorization: {authorization}\r\n"));
        }
        request.push_str("\r\n");
        request.push_str(body);
        self.stream.write_all(request.as_bytes()).await?;
        self.read_response().await
    }

    async fn read_response(&mut self) -> std::io::Result<RawResponse> {
        let mut buffer = Vec::new();
        let mut chunk = [0u8; 4096];
        let header_end = loop {
            if let Some(position) = buffer.windows(4).position(|window| window == b"\r\n\r\n") {
                break position;
            }
            let read = self.stream.read(&mut chunk).await?;
            if read == 0 {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "connection closed",
                ));
            }
            buffer.extend_from_slice(&chunk[..read]);
        };
        let head = String::from_utf8_lossy(&buffer[..header_end]).into_owned();
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .and_then(|line| line.split(' ').nth(1))
            .and_then(|code| code.parse().ok())
            .unwrap_or(0);
        let headers: Vec<(String, String)> = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(key, value)| (key.trim().to_owned(), value.trim().to_owned()))
            .collect();
        let length: usize = headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, value)| value.parse().ok())
            .unwrap_or(0);
        let mut body = buffer[header_end + 4..].to_vec();
        while body.len() < length {
            let read = self.stream.read(&mut chunk).await?;
            if read == 0 {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "connection closed",
                ));
            }
            body.extend_from_slice(&chunk[..read]);
        }
        Ok(RawResponse {
            status,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        })
    }
}

/// The body of a GetFolder for the calendar (a cheap authenticated request).
pub fn get_calendar_folder() -> String {
    envelope(
        Some("Exchange2016"),
        "",
        r#"<m:GetFolder><m:FolderShape><t:BaseShape>Default</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="calendar"/></m:FolderIds></m:GetFolder>"#,
    )
}
