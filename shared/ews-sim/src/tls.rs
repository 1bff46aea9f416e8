//! HTTPS with a self-signed certificate generated at start, and the NTLM channel binding that
//! certificate implies (`tls-server-end-point`, RFC 5929: SHA-256 of the DER certificate).

use std::sync::Arc;

use sha2::{Digest, Sha256};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::crypto::ring::default_provider;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::auth::ntlm::channel_binding_hash;
use crate::error::SimError;

/// The generated certificate and the acceptor that serves it.
pub struct TlsSetup {
    certificate: CertificateDer<'static>,
    acceptor: TlsAcceptor,
}

impl std::fmt::Debug for TlsSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsSetup")
            .field("certificate_len", &self.certificate.as_ref().len())
            .finish_non_exhaustive()
    }
}

impl TlsSetup {
    /// Generates a certificate for `localhost` and `127.0.0.1`.
    pub fn generate() -> Result<Self, SimError> {
        let generated = rcgen::generate_simple_self_signed(vec![
            "localhost".to_owned(),
            "127.0.0.1".to_owned(),
        ])
        .map_err(|error| SimError::Tls(error.to_string()))?;
        let certificate = generated.cert.der().clone();
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
            generated.signing_key.serialize_der(),
        ));
        let config = ServerConfig::builder_with_provider(Arc::new(default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|error| SimError::Tls(error.to_string()))?
            .with_no_client_auth()
            .with_single_cert(vec![certificate.clone()], key)
            .map_err(|error| SimError::Tls(error.to_string()))?;
        Ok(Self {
            certificate,
            acceptor: TlsAcceptor::from(Arc::new(config)),
        })
    }

    /// The certificate in DER.
    pub fn certificate_der(&self) -> &[u8] {
        self.certificate.as_ref()
    }

    /// An acceptor for one connection.
    pub fn acceptor(&self) -> TlsAcceptor {
        self.acceptor.clone()
    }

    /// The MsvAvChannelBindings value a client must send for this certificate.
    pub fn channel_binding(&self) -> [u8; 16] {
        channel_binding_hash(&Sha256::digest(self.certificate.as_ref()))
    }
}
