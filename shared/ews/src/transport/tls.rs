//! TLS: rustls with the system's roots (plus configured extra roots), and certificate errors
//! tolerated only for hosts an operator allow-listed.

use std::sync::{Arc, OnceLock};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::error::{EwsError, TlsProblem};

/// The system's trusted roots, read once per process (reading the store costs milliseconds).
fn native_roots() -> &'static [CertificateDer<'static>] {
    static ROOTS: OnceLock<Vec<CertificateDer<'static>>> = OnceLock::new();
    ROOTS.get_or_init(|| {
        let loaded = rustls_native_certs::load_native_certs();
        if !loaded.errors.is_empty() {
            tracing::warn!(
                errors = loaded.errors.len(),
                "some system root certificates could not be read"
            );
        }
        loaded.certs
    })
}

/// Accepts a certificate that fails verification only when its host is allow-listed.
#[derive(Debug)]
struct AllowListVerifier {
    inner: Arc<WebPkiServerVerifier>,
    insecure_hosts: Vec<String>,
}

impl AllowListVerifier {
    fn is_allow_listed(&self, server_name: &ServerName<'_>) -> bool {
        let name = server_name.to_str();
        self.insecure_hosts
            .iter()
            .any(|host| host.eq_ignore_ascii_case(&name))
    }
}

impl ServerCertVerifier for AllowListVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Err(rustls::Error::InvalidCertificate(reason)) if self.is_allow_listed(server_name) => {
                tracing::warn!(host = %server_name.to_str(), ?reason, "accepting an invalid certificate for an allow-listed host");
                Ok(ServerCertVerified::assertion())
            }
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

fn tls_config_error(reason: impl Into<String>) -> EwsError {
    EwsError::InvalidConfig {
        field: "tls",
        reason: reason.into(),
    }
}

/// The client TLS configuration: system roots plus `extra_roots_pem`, TLS 1.2+, HTTP/1.1 only.
pub(crate) fn client_config(
    extra_roots_pem: &[String],
    insecure_hosts: &[String],
) -> Result<ClientConfig, EwsError> {
    // Named explicitly: with both ring and aws-lc-rs compiled in, rustls has no process default.
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut roots = RootCertStore::empty();
    let (_, rejected) = roots.add_parsable_certificates(native_roots().iter().cloned());
    if rejected > 0 {
        tracing::debug!(rejected, "system root certificates rustls cannot use");
    }
    for pem in extra_roots_pem {
        for certificate in CertificateDer::pem_slice_iter(pem.as_bytes()) {
            let certificate = certificate
                .map_err(|e| tls_config_error(format!("extra root certificate: {e}")))?;
            roots
                .add(certificate)
                .map_err(|e| tls_config_error(format!("extra root certificate: {e}")))?;
        }
    }
    let inner = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), Arc::clone(&provider))
        .build()
        .map_err(|e| tls_config_error(format!("no usable trusted roots: {e}")))?;
    let verifier = AllowListVerifier {
        inner,
        insecure_hosts: insecure_hosts.to_vec(),
    };
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_config_error(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// What a rustls error means for the user.
pub(crate) fn tls_problem(error: &rustls::Error) -> TlsProblem {
    use rustls::CertificateError as C;
    match error {
        rustls::Error::InvalidCertificate(reason) => match reason {
            C::Expired
            | C::ExpiredContext { .. }
            | C::NotValidYet
            | C::NotValidYetContext { .. } => TlsProblem::Expired,
            C::NotValidForName | C::NotValidForNameContext { .. } => TlsProblem::WrongHost,
            C::Revoked => TlsProblem::Revoked,
            _ => TlsProblem::Untrusted,
        },
        _ => TlsProblem::Handshake,
    }
}
