//! The `tls-server-end-point` channel binding (RFC 5929) that NTLM carries for Extended Protection.

use sha2::{Digest, Sha256, Sha384, Sha512};

/// The hash RFC 5929 §4.1 prescribes: the certificate's signature hash, but SHA-256 for MD5,
/// SHA-1 and anything unrecognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EndPointHash {
    Sha256,
    Sha384,
    Sha512,
}

/// DER OIDs of signature algorithms hashed with SHA-384 or SHA-512.
const SHA384_OIDS: &[&[u8]] = &[
    &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0C], // sha384WithRSAEncryption
    &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x03],       // ecdsa-with-SHA384
];
const SHA512_OIDS: &[&[u8]] = &[
    &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0D], // sha512WithRSAEncryption
    &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x04],       // ecdsa-with-SHA512
];

/// Splits one DER element off `input`: its tag, its content, and the rest.
fn der_element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (length, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let count = usize::from(first & 0x7F);
        if count == 0 || count > 4 || rest.len() < count {
            return None;
        }
        let (bytes, rest) = rest.split_at(count);
        (
            bytes
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b)),
            rest,
        )
    };
    (rest.len() >= length).then(|| {
        let (content, rest) = rest.split_at(length);
        (tag, content, rest)
    })
}

/// The OID of `Certificate.signatureAlgorithm`.
fn signature_algorithm_oid(certificate_der: &[u8]) -> Option<&[u8]> {
    const SEQUENCE: u8 = 0x30;
    const OID: u8 = 0x06;
    let (SEQUENCE, certificate, _) = der_element(certificate_der)? else {
        return None;
    };
    let (SEQUENCE, _tbs, rest) = der_element(certificate)? else {
        return None;
    };
    let (SEQUENCE, algorithm, _) = der_element(rest)? else {
        return None;
    };
    match der_element(algorithm)? {
        (OID, oid, _) => Some(oid),
        _ => None,
    }
}

fn end_point_hash(certificate_der: &[u8]) -> EndPointHash {
    match signature_algorithm_oid(certificate_der) {
        Some(oid) if SHA384_OIDS.contains(&oid) => EndPointHash::Sha384,
        Some(oid) if SHA512_OIDS.contains(&oid) => EndPointHash::Sha512,
        _ => EndPointHash::Sha256,
    }
}

/// The channel-binding application data for the server's leaf certificate:
/// `tls-server-end-point:` followed by the certificate hash.
pub(crate) fn tls_server_end_point(certificate_der: &[u8]) -> Vec<u8> {
    let hash = match end_point_hash(certificate_der) {
        EndPointHash::Sha256 => Sha256::digest(certificate_der).to_vec(),
        EndPointHash::Sha384 => Sha384::digest(certificate_der).to_vec(),
        EndPointHash::Sha512 => Sha512::digest(certificate_der).to_vec(),
    };
    let mut token = b"tls-server-end-point:".to_vec();
    token.extend_from_slice(&hash);
    token
}

#[cfg(test)]
mod tests {
    use super::*;

    fn certificate(algorithm: &'static rcgen::SignatureAlgorithm) -> Vec<u8> {
        let key = rcgen::KeyPair::generate_for(algorithm).unwrap();
        let params = rcgen::CertificateParams::new(vec!["mail.example".to_owned()]).unwrap();
        params.self_signed(&key).unwrap().der().to_vec()
    }

    #[test]
    fn hash_follows_the_certificate_signature_algorithm() {
        let p256 = certificate(&rcgen::PKCS_ECDSA_P256_SHA256);
        assert_eq!(end_point_hash(&p256), EndPointHash::Sha256);
        let p384 = certificate(&rcgen::PKCS_ECDSA_P384_SHA384);
        assert_eq!(end_point_hash(&p384), EndPointHash::Sha384);
    }

    #[test]
    fn token_is_the_prefix_and_the_digest() {
        let der = certificate(&rcgen::PKCS_ECDSA_P256_SHA256);
        let token = tls_server_end_point(&der);
        let (prefix, digest) = token.split_at(21);
        assert_eq!(prefix, b"tls-server-end-point:");
        assert_eq!(digest, Sha256::digest(&der).as_slice());
    }

    #[test]
    fn garbage_falls_back_to_sha256() {
        assert_eq!(end_point_hash(b"\x30\x82\xff"), EndPointHash::Sha256);
        assert_eq!(end_point_hash(&[]), EndPointHash::Sha256);
    }
}
