//! Authentication: NTLM handshakes with an independent client (sspi), Basic, 401/403 shapes.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sspi::{
    AuthIdentity, BufferType, ClientRequestFlags, CredentialUse, DataRepresentation, Ntlm,
    SecurityBuffer, Sspi, SspiImpl, Username,
};

use crate::common::{Ews, JAN, PASSWORD, RawConnection, get_calendar_folder, start};

/// An NTLM client context from the sspi crate (independent of the simulator's acceptor).
pub struct NtlmClient {
    ntlm: Ntlm,
    credentials: <Ntlm as SspiImpl>::CredentialsHandle,
}

impl NtlmClient {
    pub fn new(domain: &str, user: &str, password: &str) -> Self {
        let mut ntlm = Ntlm::new();
        let identity = AuthIdentity {
            username: Username::new(user, Some(domain)).expect("username"),
            password: password.to_owned().into(),
        };
        let acquired = ntlm
            .acquire_credentials_handle()
            .with_credential_use(CredentialUse::Outbound)
            .with_auth_data(&identity)
            .execute(&mut ntlm)
            .expect("credentials");
        Self {
            ntlm,
            credentials: acquired.credentials_handle,
        }
    }

    /// Sends MsvAvChannelBindings for `tls-server-end-point:` + the certificate hash.
    pub fn bind_to_certificate_hash(&mut self, certificate_hash: &[u8]) {
        self.ntlm.set_channel_bindings(
            &[b"tls-server-end-point:".as_slice(), certificate_hash].concat(),
        );
    }

    fn step(&mut self, input: Option<&[u8]>) -> Vec<u8> {
        let mut output = vec![SecurityBuffer::new(Vec::new(), BufferType::Token)];
        let mut input_buffers = vec![SecurityBuffer::new(
            input.unwrap_or_default().to_vec(),
            BufferType::Token,
        )];
        let mut builder = self
            .ntlm
            .initialize_security_context()
            .with_credentials_handle(&mut self.credentials)
            .with_context_requirements(
                ClientRequestFlags::ALLOCATE_MEMORY | ClientRequestFlags::INTEGRITY,
            )
            .with_target_data_representation(DataRepresentation::Native)
            .with_target_name("HTTP/127.0.0.1")
            .with_output(&mut output);
        if input.is_some() {
            builder = builder.with_input(&mut input_buffers);
        }
        self.ntlm
            .initialize_security_context_impl(&mut builder)
            .expect("step")
            .resolve_to_result()
            .expect("resolved");
        output.remove(0).buffer
    }

    pub fn negotiate(&mut self) -> String {
        STANDARD.encode(self.step(None))
    }

    pub fn authenticate(&mut self, challenge: &str) -> String {
        let challenge = STANDARD.decode(challenge).expect("challenge is base64");
        STANDARD.encode(self.step(Some(&challenge)))
    }
}

/// Runs a handshake on `connection` and returns the status of the request carrying the AUTHENTICATE.
pub async fn handshake(
    connection: &mut RawConnection,
    scheme: &str,
    client: &mut NtlmClient,
    body: &str,
) -> u16 {
    let first = connection
        .post(Some(&format!("{scheme} {}", client.negotiate())), body)
        .await
        .expect("negotiate");
    assert_eq!(first.status, 401);
    let offered = first.header_values("WWW-Authenticate");
    let challenge = offered
        .iter()
        .find_map(|value| value.strip_prefix(&format!("{scheme} ")))
        .unwrap_or_else(|| panic!("no {scheme} challenge in {offered:?}"));
    let token = client.authenticate(challenge);
    connection
        .post(Some(&format!("{scheme} {token}")), body)
        .await
        .expect("authenticate")
        .status
}

#[tokio::test]
async fn ntlm_handshake_with_sspi_authenticates_the_connection_only() {
    let sim = start().await;
    let body = get_calendar_folder();
    let mut connection = RawConnection::open(&sim).await;
    let anonymous = connection.post(None, &body).await.unwrap();
    assert_eq!(anonymous.status, 401);
    let offered = anonymous.header_values("WWW-Authenticate");
    assert!(
        offered.contains(&"NTLM") && offered.contains(&"Negotiate"),
        "{offered:?}"
    );

    let mut client = NtlmClient::new("OHSIM", "jan", PASSWORD);
    assert_eq!(
        handshake(&mut connection, "NTLM", &mut client, &body).await,
        200
    );
    let again = connection.post(None, &body).await.unwrap();
    assert_eq!(
        again.status, 200,
        "the NTLM logon belongs to the connection"
    );
    assert!(
        again
            .body
            .contains("<t:DisplayName>Calendar</t:DisplayName>"),
        "{}",
        again.body
    );

    let mut other = RawConnection::open(&sim).await;
    assert_eq!(
        other.post(None, &body).await.unwrap().status,
        401,
        "a new connection starts anonymous"
    );
    assert_eq!(sim.counters().operation("GetFolder"), 2);
}

#[tokio::test]
async fn type2_challenge_has_the_iis_header_shape() {
    let sim = start().await;
    let mut connection = RawConnection::open(&sim).await;
    let mut client = NtlmClient::new("OHSIM", "jan", PASSWORD);
    let response = connection
        .post(Some(&format!("NTLM {}", client.negotiate())), "")
        .await
        .unwrap();
    assert_eq!(response.status, 401);
    let values = response.header_values("WWW-Authenticate");
    assert_eq!(values.len(), 2, "{values:?}");
    let token = values[0]
        .strip_prefix("NTLM ")
        .expect("NTLM <challenge> first");
    let challenge = STANDARD.decode(token).unwrap();
    assert_eq!(&challenge[..8], b"NTLMSSP\0");
    assert_eq!(challenge[8], 2, "a CHALLENGE message");
    assert_eq!(values[1], "Negotiate");
    assert_eq!(response.header_values("Content-Length"), vec!["0"]);
}

#[tokio::test]
async fn ntlm_refuses_wrong_password_wrong_domain_and_unknown_user() {
    let sim = start().await;
    let body = get_calendar_folder();
    for (domain, user, password) in [
        ("OHSIM", "jan", "wrong"),
        ("OTHERDOM", "jan", PASSWORD),
        ("OHSIM", "nobody", PASSWORD),
    ] {
        let mut connection = RawConnection::open(&sim).await;
        let mut client = NtlmClient::new(domain, user, password);
        assert_eq!(
            handshake(&mut connection, "NTLM", &mut client, &body).await,
            401,
            "{domain}\\{user}"
        );
        assert_eq!(
            connection.post(None, &body).await.unwrap().status,
            401,
            "the connection stays anonymous"
        );
    }
    assert_eq!(sim.counters().soap_requests(), 0);
}

#[tokio::test]
async fn negotiate_scheme_with_a_raw_ntlmssp_token_is_accepted() {
    let sim = start().await;
    let mut connection = RawConnection::open(&sim).await;
    let mut client = NtlmClient::new("ohsim", "JAN", PASSWORD);
    assert_eq!(
        handshake(
            &mut connection,
            "Negotiate",
            &mut client,
            &get_calendar_folder()
        )
        .await,
        200
    );
}

#[tokio::test]
async fn basic_accepts_logon_name_upn_and_smtp_and_refuses_bad_passwords() {
    let sim = start().await;
    for user in [r"OHSIM\jan", "jan@ohsim.local", JAN] {
        let reply = Ews::new(&sim, user, PASSWORD)
            .post(get_calendar_folder())
            .await;
        assert_eq!(reply.status, 200, "{user}");
    }
    let client = reqwest::Client::new();
    for (user, password) in [
        (r"OHSIM\jan", "nope"),
        (r"OTHER\jan", PASSWORD),
        (r"OHSIM\ghost", PASSWORD),
    ] {
        let response = client
            .post(sim.url())
            .basic_auth(user, Some(password))
            .body(get_calendar_folder())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401, "{user}");
    }
}

#[tokio::test]
async fn basic_can_be_switched_off() {
    let sim = crate::common::start_with(crate::common::config().with_basic_auth(false)).await;
    let response = reqwest::Client::new()
        .post(sim.url())
        .basic_auth(r"OHSIM\jan", Some(PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let offered: Vec<_> = response
        .headers()
        .get_all("www-authenticate")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert!(
        !offered.iter().any(|value| value.starts_with("Basic")),
        "{offered:?}"
    );
}

#[tokio::test]
async fn ews_blocked_user_gets_403_with_an_empty_body_after_authenticating() {
    let sim = start().await;
    assert!(sim.set_ews_blocked(JAN, true));
    let response = reqwest::Client::new()
        .post(sim.url())
        .basic_auth(r"OHSIM\jan", Some(PASSWORD))
        .body(get_calendar_folder())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert_eq!(response.text().await.unwrap(), "");
    let wrong = reqwest::Client::new()
        .post(sim.url())
        .basic_auth(r"OHSIM\jan", Some("bad"))
        .body(get_calendar_folder())
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401, "a wrong password is still a 401");
    assert!(sim.set_ews_blocked(r"OHSIM\jan", false));
    assert_eq!(Ews::jan(&sim).post(get_calendar_folder()).await.status, 200);
    assert!(!sim.set_ews_blocked("ghost@nowhere", true));
}
