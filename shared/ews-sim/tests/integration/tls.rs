//! HTTPS with the generated certificate, and Extended Protection (NTLM channel bindings).

use sha2::{Digest, Sha256};

use crate::auth::{NtlmClient, handshake};
use crate::common::{PASSWORD, RawConnection, config, get_calendar_folder, start_with};

#[tokio::test]
async fn https_serves_the_generated_certificate() {
    let sim = start_with(config().with_tls()).await;
    assert!(sim.url().starts_with("https://127.0.0.1:"), "{}", sim.url());
    let certificate = reqwest::Certificate::from_der(sim.certificate_der().unwrap()).unwrap();
    let client = reqwest::Client::builder()
        .tls_certs_only([certificate])
        .build()
        .unwrap();
    let response = client
        .post(sim.url().replace("127.0.0.1", "localhost"))
        .basic_auth(r"OHSIM\jan", Some(PASSWORD))
        .body(get_calendar_folder())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let mut plain = RawConnection::open(&sim).await;
    assert!(
        plain.post(None, &get_calendar_folder()).await.is_err(),
        "plain HTTP is not spoken on the TLS port"
    );
    let mut tls = RawConnection::open_tls(&sim).await;
    let mut client = NtlmClient::new("OHSIM", "jan", PASSWORD);
    assert_eq!(
        handshake(&mut tls, "NTLM", &mut client, &get_calendar_folder()).await,
        200,
        "no binding needed without EPA"
    );
}

#[tokio::test]
async fn extended_protection_requires_the_right_channel_binding() {
    let sim = start_with(config().with_extended_protection()).await;
    let certificate_hash = Sha256::digest(sim.certificate_der().unwrap());
    let body = get_calendar_folder();

    let mut bound = RawConnection::open_tls(&sim).await;
    let mut client = NtlmClient::new("OHSIM", "jan", PASSWORD);
    client.bind_to_certificate_hash(&certificate_hash);
    assert_eq!(handshake(&mut bound, "NTLM", &mut client, &body).await, 200);
    assert_eq!(bound.post(None, &body).await.unwrap().status, 200);

    let mut unbound = RawConnection::open_tls(&sim).await;
    let mut client = NtlmClient::new("OHSIM", "jan", PASSWORD);
    assert_eq!(
        handshake(&mut unbound, "NTLM", &mut client, &body).await,
        401,
        "a type 3 without a binding is refused"
    );

    let mut wrong = RawConnection::open_tls(&sim).await;
    let mut client = NtlmClient::new("OHSIM", "jan", PASSWORD);
    client.bind_to_certificate_hash(&Sha256::digest(b"some other certificate"));
    assert_eq!(
        handshake(&mut wrong, "NTLM", &mut client, &body).await,
        401,
        "a binding to another certificate is refused"
    );
    assert_eq!(sim.counters().operation("GetFolder"), 2);
}
