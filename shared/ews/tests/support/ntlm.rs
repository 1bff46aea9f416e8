//! The server side of NTLM for the scripted server, with sspi's acceptor (not a second
//! implementation), optionally demanding a `tls-server-end-point` channel binding.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};
use sspi::{
    AuthIdentity, AuthIdentityBuffers, BufferType, DataRepresentation, Ntlm, SecurityBuffer,
    ServerRequestFlags, Sspi, SspiImpl, Username,
};

use super::{GET_FOLDER_OK, Reply, Request, TestCertificate, TestServer, tls_config};

/// What the server does with the connection once a logon succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterLogon {
    /// Keeps the authenticated connection open.
    StayOpen,
    /// Answers the authenticated request with `Connection: close` and closes.
    CloseAnnounced,
    /// Answers the authenticated request normally, then closes without warning.
    CloseSilently,
    /// Answers the authenticated request, then forgets the logon (401 to the next request on
    /// the connection, which stays open), as a server whose session expired.
    Forget,
}

/// One connection's NTLM state.
struct NtlmAcceptor {
    identity: AuthIdentityBuffers,
    channel_binding: Option<Vec<u8>>,
    after_logon: AfterLogon,
    ntlm: Ntlm,
    authenticated: bool,
}

/// `SEC_CHANNEL_BINDINGS` carrying only application data.
fn sec_channel_bindings(application_data: &[u8]) -> Vec<u8> {
    let mut buffer = vec![0u8; 32];
    buffer[24..28].copy_from_slice(&(application_data.len() as u32).to_le_bytes());
    buffer[28..32].copy_from_slice(&32u32.to_le_bytes());
    buffer.extend_from_slice(application_data);
    buffer
}

impl NtlmAcceptor {
    fn new(password: &str, channel_binding: Option<Vec<u8>>, after_logon: AfterLogon) -> Self {
        let identity = AuthIdentity {
            username: Username::new("jan", Some("OFFICEHEART")).unwrap(),
            password: password.to_owned().into(),
        };
        Self {
            identity: AuthIdentityBuffers::from(identity),
            channel_binding,
            after_logon,
            ntlm: Ntlm::new(),
            authenticated: false,
        }
    }

    fn challenge(reply: Option<Vec<u8>>) -> Reply {
        let value = match reply {
            Some(token) => format!("NTLM {}", STANDARD.encode(token)),
            None => "NTLM".to_owned(),
        };
        Reply::status(401, &[("WWW-Authenticate", &value)])
    }

    fn accept(&mut self, token: Vec<u8>) -> sspi::Result<Vec<u8>> {
        let mut credentials = Some(self.identity.clone());
        let mut input = vec![SecurityBuffer::new(token, BufferType::Token)];
        if let Some(binding) = &self.channel_binding {
            input.push(SecurityBuffer::new(
                sec_channel_bindings(binding),
                BufferType::ChannelBindings,
            ));
        }
        let mut output = vec![SecurityBuffer::new(Vec::new(), BufferType::Token)];
        let builder = self
            .ntlm
            .accept_security_context()
            .with_credentials_handle(&mut credentials)
            .with_context_requirements(ServerRequestFlags::empty())
            .with_target_data_representation(DataRepresentation::Native)
            .with_input(&mut input)
            .with_output(&mut output);
        self.ntlm
            .accept_security_context_impl(builder)?
            .resolve_to_result()?;
        Ok(output.remove(0).buffer)
    }

    fn logged_on(&mut self) -> Reply {
        self.authenticated = self.after_logon != AfterLogon::Forget;
        match self.after_logon {
            AfterLogon::StayOpen | AfterLogon::Forget => Reply::xml(200, GET_FOLDER_OK),
            AfterLogon::CloseAnnounced => Reply::Respond {
                status: 200,
                headers: vec![("Connection".into(), "close".into())],
                body: GET_FOLDER_OK.as_bytes().to_vec(),
            },
            AfterLogon::CloseSilently => Reply::ThenClose(Box::new(Reply::xml(200, GET_FOLDER_OK))),
        }
    }

    fn handle(&mut self, request: &Request) -> Reply {
        if self.authenticated {
            return Reply::xml(200, GET_FOLDER_OK);
        }
        let Some(token) = request
            .header("Authorization")
            .and_then(|value| value.strip_prefix("NTLM "))
            .and_then(|token| STANDARD.decode(token).ok())
        else {
            return Self::challenge(None);
        };
        match token.get(8) {
            Some(1) => {
                self.ntlm = Ntlm::new();
                assert!(
                    request.body.is_empty(),
                    "negotiate is sent with an empty body"
                );
                match self.accept(token) {
                    Ok(challenge) => Self::challenge(Some(challenge)),
                    Err(_) => Self::challenge(None),
                }
            }
            Some(3) => {
                let verified = self
                    .accept(token)
                    .and_then(|_| self.ntlm.complete_auth_token(&mut []).map(drop));
                if verified.is_ok() {
                    assert!(
                        request.body_text().contains("GetFolder"),
                        "authenticate carries the SOAP body"
                    );
                    self.logged_on()
                } else {
                    Self::challenge(None)
                }
            }
            _ => Self::challenge(None),
        }
    }
}

/// A TLS server presenting `certificate` that authenticates each connection with NTLM for
/// `OFFICEHEART\jan` / `password`, requiring `binding` when given, and then answers GetFolder.
pub async fn ntlm_server(
    certificate: &TestCertificate,
    password: &'static str,
    binding: Option<Vec<u8>>,
    after_logon: AfterLogon,
) -> TestServer {
    TestServer::start(Some(tls_config(certificate)), move || {
        let mut acceptor = NtlmAcceptor::new(password, binding.clone(), after_logon);
        Box::new(move |request| acceptor.handle(request))
    })
    .await
}

/// The `tls-server-end-point` channel binding of `certificate` (signed with SHA-256).
pub fn tls_server_end_point(certificate: &TestCertificate) -> Vec<u8> {
    [
        b"tls-server-end-point:".as_slice(),
        Sha256::digest(&certificate.der).as_slice(),
    ]
    .concat()
}
