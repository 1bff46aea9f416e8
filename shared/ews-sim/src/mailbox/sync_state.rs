//! SyncFolderItems states: an opaque, HMAC-protected position in a mailbox's change log.
//!
//! A sync "session" reports the net changes of the log window `(base, high]`, which never changes once
//! written, in a fixed order; `emitted` counts how many of them earlier pages already returned. When the
//! last page is sent the next state starts a new session at `base = high`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

const MAGIC: [u8; 2] = [0x53, 0x01];
const BODY_LEN: usize = 2 + 16 + 8 + 8 + 8 + 4;
const TAG_LEN: usize = 16;

/// A decoded SyncState.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncPosition {
    /// The mailbox the state belongs to.
    pub mailbox: Uuid,
    /// The folder number.
    pub folder: u64,
    /// Changes up to here were fully reported before this session.
    pub base: u64,
    /// This session reports changes up to here.
    pub high: u64,
    /// How many net changes of the session were already returned.
    pub emitted: u32,
}

/// The state is not one this simulator issued (garbage, tampered, or signed with another key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("Synchronization state data is corrupt or otherwise invalid.")]
pub struct InvalidSyncState;

fn tag(key: &[u8; 32], body: &[u8]) -> Vec<u8> {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return Vec::new();
    };
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .get(..TAG_LEN)
        .map(<[u8]>::to_vec)
        .unwrap_or_default()
}

impl SyncPosition {
    /// Encodes and signs the state.
    pub fn encode(&self, key: &[u8; 32]) -> String {
        let mut body = Vec::with_capacity(BODY_LEN + TAG_LEN);
        body.extend_from_slice(&MAGIC);
        body.extend_from_slice(self.mailbox.as_bytes());
        body.extend_from_slice(&self.folder.to_be_bytes());
        body.extend_from_slice(&self.base.to_be_bytes());
        body.extend_from_slice(&self.high.to_be_bytes());
        body.extend_from_slice(&self.emitted.to_be_bytes());
        let signature = tag(key, &body);
        body.extend_from_slice(&signature);
        STANDARD.encode(body)
    }

    /// Verifies and decodes a state.
    pub fn decode(text: &str, key: &[u8; 32]) -> Result<Self, InvalidSyncState> {
        let bytes = STANDARD.decode(text.trim()).map_err(|_| InvalidSyncState)?;
        if bytes.len() != BODY_LEN + TAG_LEN || bytes.get(..2) != Some(&MAGIC[..]) {
            return Err(InvalidSyncState);
        }
        let (body, signature) = bytes.split_at(BODY_LEN);
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
            return Err(InvalidSyncState);
        };
        mac.update(body);
        mac.verify_truncated_left(signature)
            .map_err(|_| InvalidSyncState)?;
        let u64_at = |offset: usize| {
            body.get(offset..offset + 8)
                .and_then(|slice| slice.try_into().ok())
                .map(u64::from_be_bytes)
        };
        let mailbox = body
            .get(2..18)
            .and_then(|slice| Uuid::from_slice(slice).ok())
            .ok_or(InvalidSyncState)?;
        let emitted = body
            .get(42..46)
            .and_then(|slice| slice.try_into().ok())
            .map(u32::from_be_bytes);
        match (u64_at(18), u64_at(26), u64_at(34), emitted) {
            (Some(folder), Some(base), Some(high), Some(emitted)) if base <= high => Ok(Self {
                mailbox,
                folder,
                base,
                high,
                emitted,
            }),
            _ => Err(InvalidSyncState),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_tampering_and_foreign_keys() {
        let key = [7u8; 32];
        let position = SyncPosition {
            mailbox: Uuid::new_v4(),
            folder: 0x10E,
            base: 3,
            high: 40,
            emitted: 512,
        };
        let state = position.encode(&key);
        assert_eq!(SyncPosition::decode(&state, &key), Ok(position));
        assert_eq!(
            SyncPosition::decode(&state, &[8u8; 32]),
            Err(InvalidSyncState)
        );
        let mut bytes = STANDARD.decode(&state).unwrap();
        bytes[30] ^= 1;
        assert_eq!(
            SyncPosition::decode(&STANDARD.encode(&bytes), &key),
            Err(InvalidSyncState)
        );
        assert_eq!(
            SyncPosition::decode("H4sIAAAAAAAEAO29B2AcSZY==", &key),
            Err(InvalidSyncState)
        );
        assert_eq!(SyncPosition::decode("", &key), Err(InvalidSyncState));
    }
}
