//! An NTLM acceptor written from MS-NLMP: builds CHALLENGE messages and verifies NTLMv2 AUTHENTICATE
//! messages (NTProofStr over the server challenge and client blob, MIC when the client sends one, and
//! channel bindings when Extended Protection is on). NTLMv1/LM responses are refused.

use hmac::{Hmac, Mac};
use md4::Md4;
use md5::{Digest, Md5};

type HmacMd5 = Hmac<Md5>;

const SIGNATURE: &[u8; 8] = b"NTLMSSP\0";
const NEGOTIATE_UNICODE: u32 = 0x0000_0001;
const REQUEST_TARGET: u32 = 0x0000_0004;
const NEGOTIATE_NTLM: u32 = 0x0000_0200;
const ALWAYS_SIGN: u32 = 0x0000_8000;
const TARGET_TYPE_DOMAIN: u32 = 0x0001_0000;
const TARGET_INFO: u32 = 0x0080_0000;
const NEGOTIATE_VERSION: u32 = 0x0200_0000;
const NEGOTIATE_KEY_EXCH: u32 = 0x4000_0000;
/// Flags echoed when the client asks for them: SIGN, SEAL, extended session security, 128, key exchange, 56.
const ECHOED: u32 =
    0x0000_0010 | 0x0000_0020 | 0x0008_0000 | 0x2000_0000 | NEGOTIATE_KEY_EXCH | 0x8000_0000;

const AV_EOL: u16 = 0;
const AV_NB_COMPUTER: u16 = 1;
const AV_NB_DOMAIN: u16 = 2;
const AV_DNS_COMPUTER: u16 = 3;
const AV_DNS_DOMAIN: u16 = 4;
const AV_DNS_TREE: u16 = 5;
const AV_FLAGS: u16 = 6;
const AV_TIMESTAMP: u16 = 7;
const AV_CHANNEL_BINDINGS: u16 = 10;
const AV_FLAG_MIC_PRESENT: u32 = 0x0000_0002;

/// Windows Server 2019 version block (10.0 build 17763, NTLM revision 15).
const SERVER_VERSION: [u8; 8] = [10, 0, 0x63, 0x45, 0, 0, 0, 0x0F];

/// Why an NTLM message was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NtlmError {
    /// Not an NTLMSSP message of the expected type, or truncated.
    #[error("malformed NTLM message")]
    Malformed,
    /// LM / NTLMv1 responses, or an anonymous logon.
    #[error("only NTLMv2 is accepted")]
    NotNtlmV2,
    /// No configured user with that name and domain.
    #[error("unknown user or domain")]
    UnknownUser,
    /// The NTProofStr does not match (wrong password).
    #[error("wrong password")]
    BadResponse,
    /// The message integrity code does not match.
    #[error("MIC mismatch")]
    BadMic,
    /// Extended Protection is on and the channel binding is missing or wrong.
    #[error("channel binding mismatch")]
    BadChannelBinding,
}

/// What the server says about itself in the CHALLENGE.
#[derive(Debug, Clone)]
pub struct ServerNames {
    /// NetBIOS domain.
    pub netbios_domain: String,
    /// NetBIOS computer name.
    pub computer: String,
    /// DNS domain.
    pub dns_domain: String,
}

/// A CHALLENGE sent on a connection, kept to verify the AUTHENTICATE that follows.
#[derive(Debug, Clone)]
pub struct PendingChallenge {
    negotiate: Vec<u8>,
    challenge: Vec<u8>,
    server_challenge: [u8; 8],
}

impl PendingChallenge {
    /// The CHALLENGE message bytes.
    pub fn message(&self) -> &[u8] {
        &self.challenge
    }
}

fn utf16(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn u16_at(bytes: &[u8], offset: usize) -> Option<u16> {
    bytes
        .get(offset..offset + 2)
        .and_then(|slice| slice.try_into().ok())
        .map(u16::from_le_bytes)
}

fn u32_at(bytes: &[u8], offset: usize) -> Option<u32> {
    bytes
        .get(offset..offset + 4)
        .and_then(|slice| slice.try_into().ok())
        .map(u32::from_le_bytes)
}

/// The payload a security buffer descriptor (len, maxlen, offset) at `at` points to.
fn field(bytes: &[u8], at: usize) -> Option<&[u8]> {
    let len = usize::from(u16_at(bytes, at)?);
    let offset = usize::try_from(u32_at(bytes, at + 4)?).ok()?;
    bytes.get(offset..offset.checked_add(len)?)
}

fn message_type(bytes: &[u8]) -> Option<u32> {
    if bytes.get(..8) != Some(&SIGNATURE[..]) {
        return None;
    }
    u32_at(bytes, 8)
}

/// Is this token an NTLMSSP message of type `kind` (1, 2 or 3)?
pub fn is_message(bytes: &[u8], kind: u32) -> bool {
    message_type(bytes) == Some(kind)
}

fn av_pair(out: &mut Vec<u8>, id: u16, value: &[u8]) {
    out.extend_from_slice(&id.to_le_bytes());
    out.extend_from_slice(&u16::try_from(value.len()).unwrap_or(u16::MAX).to_le_bytes());
    out.extend_from_slice(value);
}

fn filetime_now() -> u64 {
    let now = chrono::Utc::now();
    let seconds = u64::try_from(now.timestamp()).unwrap_or_default() + 11_644_473_600;
    seconds * 10_000_000 + u64::from(now.timestamp_subsec_nanos() / 100)
}

fn security_buffer(out: &mut Vec<u8>, len: usize, offset: usize) {
    let len = u16::try_from(len).unwrap_or(u16::MAX);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&u32::try_from(offset).unwrap_or(u32::MAX).to_le_bytes());
}

/// Answers a NEGOTIATE message with a CHALLENGE (random server challenge, target info AV pairs).
pub fn challenge(negotiate: &[u8], names: &ServerNames) -> Result<PendingChallenge, NtlmError> {
    if message_type(negotiate) != Some(1) {
        return Err(NtlmError::Malformed);
    }
    let client_flags = u32_at(negotiate, 12).ok_or(NtlmError::Malformed)?;
    let flags = NEGOTIATE_UNICODE
        | REQUEST_TARGET
        | NEGOTIATE_NTLM
        | ALWAYS_SIGN
        | TARGET_TYPE_DOMAIN
        | TARGET_INFO
        | NEGOTIATE_VERSION
        | (client_flags & ECHOED);
    let server_challenge: [u8; 8] = rand::random();
    let target_name = utf16(&names.netbios_domain);
    let dns_computer = format!("{}.{}", names.computer.to_lowercase(), names.dns_domain);
    let mut target_info = Vec::new();
    av_pair(
        &mut target_info,
        AV_NB_DOMAIN,
        &utf16(&names.netbios_domain),
    );
    av_pair(&mut target_info, AV_NB_COMPUTER, &utf16(&names.computer));
    av_pair(&mut target_info, AV_DNS_DOMAIN, &utf16(&names.dns_domain));
    av_pair(&mut target_info, AV_DNS_COMPUTER, &utf16(&dns_computer));
    av_pair(&mut target_info, AV_DNS_TREE, &utf16(&names.dns_domain));
    av_pair(
        &mut target_info,
        AV_TIMESTAMP,
        &filetime_now().to_le_bytes(),
    );
    av_pair(&mut target_info, AV_EOL, &[]);

    const HEADER: usize = 56;
    let mut message = Vec::with_capacity(HEADER + target_name.len() + target_info.len());
    message.extend_from_slice(SIGNATURE);
    message.extend_from_slice(&2u32.to_le_bytes());
    security_buffer(&mut message, target_name.len(), HEADER);
    message.extend_from_slice(&flags.to_le_bytes());
    message.extend_from_slice(&server_challenge);
    message.extend_from_slice(&[0; 8]);
    security_buffer(&mut message, target_info.len(), HEADER + target_name.len());
    message.extend_from_slice(&SERVER_VERSION);
    message.extend_from_slice(&target_name);
    message.extend_from_slice(&target_info);
    Ok(PendingChallenge {
        negotiate: negotiate.to_vec(),
        challenge: message,
        server_challenge,
    })
}

/// The identity an AUTHENTICATE message claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedIdentity {
    /// UserName as sent.
    pub user: String,
    /// DomainName as sent.
    pub domain: String,
}

/// Decodes the user and domain of an AUTHENTICATE message.
pub fn claimed_identity(message: &[u8]) -> Result<ClaimedIdentity, NtlmError> {
    if message_type(message) != Some(3) {
        return Err(NtlmError::Malformed);
    }
    let flags = u32_at(message, 60).ok_or(NtlmError::Malformed)?;
    let decode = |bytes: &[u8]| -> String {
        if flags & NEGOTIATE_UNICODE != 0 {
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
                .collect();
            String::from_utf16_lossy(&units)
        } else {
            bytes.iter().map(|byte| char::from(*byte)).collect()
        }
    };
    Ok(ClaimedIdentity {
        user: decode(field(message, 36).ok_or(NtlmError::Malformed)?),
        domain: decode(field(message, 28).ok_or(NtlmError::Malformed)?),
    })
}

fn hmac_md5(key: &[u8], parts: &[&[u8]]) -> [u8; 16] {
    let Ok(mut mac) = HmacMd5::new_from_slice(key) else {
        return [0; 16];
    };
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// NTOWFv2: HMAC-MD5 keyed with MD4(UTF-16LE(password)) over UTF-16LE(UPPER(user) + domain).
fn ntowf_v2(password: &str, user: &str, domain: &str) -> [u8; 16] {
    let nt_hash = Md4::digest(utf16(password));
    hmac_md5(&nt_hash, &[&utf16(&(user.to_uppercase() + domain))])
}

/// RC4 (needed only to unwrap the exported session key for the MIC).
fn rc4(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut state: Vec<u8> = (0..=255).collect();
    let mut j: u8 = 0;
    for i in 0..256 {
        j = j.wrapping_add(state[i]).wrapping_add(key[i % key.len()]);
        state.swap(i, usize::from(j));
    }
    let (mut i, mut j) = (0u8, 0u8);
    data.iter()
        .map(|byte| {
            i = i.wrapping_add(1);
            j = j.wrapping_add(state[usize::from(i)]);
            state.swap(usize::from(i), usize::from(j));
            let k = state[usize::from(state[usize::from(i)].wrapping_add(state[usize::from(j)]))];
            byte ^ k
        })
        .collect()
}

/// The MsvAvChannelBindings value for a TLS server certificate: MD5 of the flattened
/// gss_channel_bindings_struct whose application data is `tls-server-end-point:` + SHA-256(cert).
pub fn channel_binding_hash(certificate_hash: &[u8]) -> [u8; 16] {
    let application = [b"tls-server-end-point:".as_slice(), certificate_hash].concat();
    let mut flattened = vec![0u8; 16];
    flattened.extend_from_slice(
        &u32::try_from(application.len())
            .unwrap_or(u32::MAX)
            .to_le_bytes(),
    );
    flattened.extend_from_slice(&application);
    Md5::digest(&flattened).into()
}

fn av_pairs(mut bytes: &[u8]) -> Vec<(u16, &[u8])> {
    let mut pairs = Vec::new();
    while let (Some(id), Some(len)) = (u16_at(bytes, 0), u16_at(bytes, 2)) {
        if id == AV_EOL {
            break;
        }
        let Some(value) = bytes.get(4..4 + usize::from(len)) else {
            break;
        };
        pairs.push((id, value));
        bytes = bytes.get(4 + usize::from(len)..).unwrap_or_default();
    }
    pairs
}

/// Verifies an AUTHENTICATE message against the pending challenge with a candidate password.
/// `required_binding` is the channel binding hash when Extended Protection is on.
pub fn verify(
    pending: &PendingChallenge,
    message: &[u8],
    identity: &ClaimedIdentity,
    password: &str,
    required_binding: Option<[u8; 16]>,
) -> Result<(), NtlmError> {
    let nt_response = field(message, 20).ok_or(NtlmError::Malformed)?;
    if nt_response.len() <= 24 {
        return Err(NtlmError::NotNtlmV2);
    }
    let (proof, blob) = nt_response.split_at(16);
    let key = ntowf_v2(password, &identity.user, &identity.domain);
    let expected = hmac_md5(&key, &[&pending.server_challenge, blob]);
    if expected.as_slice() != proof {
        return Err(NtlmError::BadResponse);
    }
    let pairs = av_pairs(blob.get(28..).unwrap_or_default());
    let value_of = |id: u16| {
        pairs
            .iter()
            .find(|(candidate, _)| *candidate == id)
            .map(|(_, value)| *value)
    };

    if let Some(required) = required_binding {
        match value_of(AV_CHANNEL_BINDINGS) {
            Some(binding) if binding == required.as_slice() => {}
            _ => return Err(NtlmError::BadChannelBinding),
        }
    }

    let mic_present = value_of(AV_FLAGS)
        .and_then(|flags| u32_at(flags, 0))
        .is_some_and(|flags| flags & AV_FLAG_MIC_PRESENT != 0);
    if mic_present {
        let flags = u32_at(message, 60).ok_or(NtlmError::Malformed)?;
        let session_base_key = hmac_md5(&key, &[proof]);
        let exported = match field(message, 52) {
            Some(encrypted) if flags & NEGOTIATE_KEY_EXCH != 0 && encrypted.len() == 16 => {
                rc4(&session_base_key, encrypted)
            }
            _ => session_base_key.to_vec(),
        };
        let sent_mic = message.get(72..88).ok_or(NtlmError::Malformed)?;
        let mut zeroed = message.to_vec();
        zeroed.get_mut(72..88).ok_or(NtlmError::Malformed)?.fill(0);
        let mic = hmac_md5(
            &exported,
            &[&pending.negotiate, &pending.challenge, &zeroed],
        );
        if mic.as_slice() != sent_mic {
            return Err(NtlmError::BadMic);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ntowf_v2_matches_the_ms_nlmp_test_vector() {
        // MS-NLMP 4.2.4.1.1: User "User", UserDom "Domain", Passwd "Password".
        let key = ntowf_v2("Password", "User", "Domain");
        let hex: String = key.iter().map(|byte| format!("{byte:02x}")).collect();
        assert_eq!(hex, "0c868a403bfd7a93a3001ef22ef02e3f");
    }

    #[test]
    fn rc4_matches_a_known_vector() {
        let out = rc4(b"Key", b"Plaintext");
        let hex: String = out.iter().map(|byte| format!("{byte:02X}")).collect();
        assert_eq!(hex, "BBF316E8D940AF0AD3");
    }

    #[test]
    fn challenge_carries_target_info_and_refuses_non_negotiate_input() {
        let names = ServerNames {
            netbios_domain: "OH".into(),
            computer: "EXCH01".into(),
            dns_domain: "oh.local".into(),
        };
        let mut negotiate = SIGNATURE.to_vec();
        negotiate.extend_from_slice(&1u32.to_le_bytes());
        negotiate.extend_from_slice(
            &(NEGOTIATE_UNICODE | 0x0008_0000 | NEGOTIATE_KEY_EXCH).to_le_bytes(),
        );
        let pending = challenge(&negotiate, &names).unwrap();
        let message = pending.message();
        assert!(is_message(message, 2));
        let flags = u32_at(message, 20).unwrap();
        assert_ne!(flags & NEGOTIATE_KEY_EXCH, 0, "requested flags are echoed");
        let info = field(message, 40).unwrap();
        let ids: Vec<u16> = av_pairs(info).iter().map(|(id, _)| *id).collect();
        assert_eq!(
            ids,
            vec![
                AV_NB_DOMAIN,
                AV_NB_COMPUTER,
                AV_DNS_DOMAIN,
                AV_DNS_COMPUTER,
                AV_DNS_TREE,
                AV_TIMESTAMP
            ]
        );
        assert_ne!(
            challenge(&negotiate, &names).unwrap().server_challenge,
            pending.server_challenge
        );
        assert_eq!(
            challenge(b"NTLMSSP\0\x03\0\0\0", &names).unwrap_err(),
            NtlmError::Malformed
        );
    }
}
