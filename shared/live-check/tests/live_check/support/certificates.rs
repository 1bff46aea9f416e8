//! Test certificates: a CA the client is told to trust, and a server certificate it issues for
//! chosen names, valid or expired.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::crypto::ring::default_provider;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A server identity and the root that makes it trusted.
pub struct Issued {
    /// The CA certificate in PEM, for `TransportConfig::extra_root_certificates_pem`.
    pub root_pem: String,
    /// A TLS server configuration presenting the issued certificate.
    pub server: Arc<ServerConfig>,
}

fn params(names: &[&str]) -> rcgen::CertificateParams {
    rcgen::CertificateParams::new(
        names
            .iter()
            .map(|name| (*name).to_owned())
            .collect::<Vec<_>>(),
    )
    .unwrap()
}

/// A certificate for `names` issued by a fresh CA; `expired` puts its validity in the past.
pub fn issued_for(names: &[&str], expired: bool) -> Issued {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = params(&[]);
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "ohsync live-check test CA");
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca_params, &ca_key);
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let mut leaf_params = params(names);
    if expired {
        leaf_params.not_before = rcgen::date_time_ymd(2020, 1, 1);
        leaf_params.not_after = rcgen::date_time_ymd(2021, 1, 1);
    }
    let leaf = leaf_params.signed_by(&leaf_key, &issuer).unwrap();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let server = ServerConfig::builder_with_provider(Arc::new(default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![leaf.der().clone()], key)
        .unwrap();
    Issued {
        root_pem: ca.pem(),
        server: Arc::new(server),
    }
}

/// A DER certificate as PEM.
pub fn pem(der: &[u8]) -> String {
    let encoded = STANDARD.encode(CertificateDer::from(der.to_vec()).as_ref());
    let lines: Vec<&str> = encoded
        .as_bytes()
        .chunks(64)
        .map(|chunk| std::str::from_utf8(chunk).unwrap())
        .collect();
    format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        lines.join("\n")
    )
}
