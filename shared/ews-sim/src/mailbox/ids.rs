//! Opaque identifiers shaped like Exchange's: base64 blobs that carry the mailbox GUID as ASCII (so they
//! start with `AAMkA…`), store GUIDs and counters. ItemIds are compared byte-for-byte (case-sensitive).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use uuid::Uuid;

const HEADER: [u8; 4] = [0x00, 0x03, 0x24, 0x00];
const ITEM_MARKER: [u8; 7] = [0x00, 0x46, 0x00, 0x00, 0x00, 0x00, 0x00];
const FOLDER_MARKER: [u8; 7] = [0x00, 0x2E, 0x00, 0x00, 0x00, 0x00, 0x00];
const ITEM_TAIL: [u8; 2] = [0x00, 0x00];
const OCCURRENCE_TAIL: [u8; 2] = [0x01, 0x00];
const ITEM_LEN: usize = 111;
const OCCURRENCE_LEN: usize = ITEM_LEN + 4;
const FOLDER_LEN: usize = 89;
const CHANGE_KEY_LEN: usize = 30;

/// The per-mailbox values baked into its identifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MailboxIdentity {
    /// Mailbox GUID (ASCII-encoded in every id).
    pub guid: Uuid,
    /// Store GUID (binary in every id and ChangeKey).
    pub store: [u8; 16],
}

/// What an ItemId designates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemAddress {
    /// A stored item (single or recurring master).
    Item {
        /// Owning mailbox.
        mailbox: Uuid,
        /// Item key within the mailbox.
        key: u64,
    },
    /// One occurrence of a recurring master.
    Occurrence {
        /// Owning mailbox.
        mailbox: Uuid,
        /// The master's key.
        master: u64,
        /// 1-based instance index.
        index: u32,
    },
}

/// The text is not an identifier this server issued in form (it may still be unknown).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("Id is malformed.")]
pub struct Malformed;

fn push_u48(out: &mut Vec<u8>, value: u64) {
    out.extend_from_slice(&value.to_be_bytes()[2..]);
}

fn read_u48(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(0u64, |acc, byte| (acc << 8) | u64::from(*byte))
}

fn prefix(identity: &MailboxIdentity, marker: &[u8; 7]) -> Vec<u8> {
    let mut out = Vec::with_capacity(OCCURRENCE_LEN);
    out.extend_from_slice(&HEADER);
    out.extend_from_slice(identity.guid.hyphenated().to_string().as_bytes());
    out.extend_from_slice(marker);
    out.extend_from_slice(&identity.store);
    out
}

fn item_bytes(identity: &MailboxIdentity, folder: u64, key: u64) -> Vec<u8> {
    let mut out = prefix(identity, &ITEM_MARKER);
    out.extend_from_slice(&[0x07, 0x00]);
    out.extend_from_slice(&identity.store);
    push_u48(&mut out, folder);
    out.extend_from_slice(&identity.store);
    push_u48(&mut out, key);
    out
}

/// The ItemId of a stored item.
pub fn item_id(identity: &MailboxIdentity, folder: u64, key: u64) -> String {
    let mut bytes = item_bytes(identity, folder, key);
    bytes.extend_from_slice(&ITEM_TAIL);
    STANDARD.encode(bytes)
}

/// The ItemId of one occurrence of a recurring master.
pub fn occurrence_id(identity: &MailboxIdentity, folder: u64, master: u64, index: u32) -> String {
    let mut bytes = item_bytes(identity, folder, master);
    bytes.extend_from_slice(&OCCURRENCE_TAIL);
    bytes.extend_from_slice(&index.to_le_bytes());
    STANDARD.encode(bytes)
}

fn decode_prefix(bytes: &[u8], marker: &[u8; 7]) -> Result<Uuid, Malformed> {
    if bytes.get(..4) != Some(&HEADER[..]) || bytes.get(40..47) != Some(&marker[..]) {
        return Err(Malformed);
    }
    let guid_text =
        std::str::from_utf8(bytes.get(4..40).ok_or(Malformed)?).map_err(|_| Malformed)?;
    Uuid::parse_str(guid_text).map_err(|_| Malformed)
}

/// Decodes an ItemId.
pub fn parse_item_id(text: &str) -> Result<ItemAddress, Malformed> {
    let bytes = STANDARD.decode(text.trim()).map_err(|_| Malformed)?;
    if bytes.len() != ITEM_LEN && bytes.len() != OCCURRENCE_LEN {
        return Err(Malformed);
    }
    let mailbox = decode_prefix(&bytes, &ITEM_MARKER)?;
    if bytes.get(63..65) != Some(&[0x07, 0x00][..]) {
        return Err(Malformed);
    }
    let key = read_u48(bytes.get(103..109).ok_or(Malformed)?);
    match bytes.get(109..111) {
        Some(tail) if tail == ITEM_TAIL && bytes.len() == ITEM_LEN => {
            Ok(ItemAddress::Item { mailbox, key })
        }
        Some(tail) if tail == OCCURRENCE_TAIL && bytes.len() == OCCURRENCE_LEN => {
            let index_bytes: [u8; 4] = bytes
                .get(111..115)
                .and_then(|s| s.try_into().ok())
                .ok_or(Malformed)?;
            Ok(ItemAddress::Occurrence {
                mailbox,
                master: key,
                index: u32::from_le_bytes(index_bytes),
            })
        }
        _ => Err(Malformed),
    }
}

/// The FolderId of a folder.
pub fn folder_id(identity: &MailboxIdentity, folder: u64) -> String {
    let mut bytes = prefix(identity, &FOLDER_MARKER);
    bytes.extend_from_slice(&[0x01, 0x00]);
    bytes.extend_from_slice(&identity.store);
    push_u48(&mut bytes, folder);
    bytes.extend_from_slice(&ITEM_TAIL);
    STANDARD.encode(bytes)
}

/// Decodes a FolderId into (mailbox GUID, folder number).
pub fn parse_folder_id(text: &str) -> Result<(Uuid, u64), Malformed> {
    let bytes = STANDARD.decode(text.trim()).map_err(|_| Malformed)?;
    if bytes.len() != FOLDER_LEN || bytes.get(63..65) != Some(&[0x01, 0x00][..]) {
        return Err(Malformed);
    }
    let mailbox = decode_prefix(&bytes, &FOLDER_MARKER)?;
    Ok((mailbox, read_u48(bytes.get(81..87).ok_or(Malformed)?)))
}

/// The kind byte of a ChangeKey: items and folders use different ones, as in Exchange (`Dw…`, `Ag…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKeyKind {
    /// A calendar item.
    CalendarItem,
    /// A folder.
    Folder,
}

/// A ChangeKey for one version (change number) of an object.
pub fn change_key(identity: &MailboxIdentity, kind: ChangeKeyKind, change: u64) -> String {
    let kind_byte = match kind {
        ChangeKeyKind::CalendarItem => 0x0F,
        ChangeKeyKind::Folder => 0x02,
    };
    let mut bytes = vec![kind_byte, 0, 0, 0, 0x16, 0, 0, 0];
    bytes.extend_from_slice(&identity.store);
    push_u48(&mut bytes, change);
    STANDARD.encode(bytes)
}

/// Reads the change number out of a ChangeKey; any key of the right shape is valid (it may be stale).
pub fn parse_change_key(text: &str) -> Result<u64, Malformed> {
    let bytes = STANDARD.decode(text.trim()).map_err(|_| Malformed)?;
    if bytes.len() != CHANGE_KEY_LEN || bytes.get(1..8) != Some(&[0, 0, 0, 0x16, 0, 0, 0][..]) {
        return Err(Malformed);
    }
    Ok(read_u48(bytes.get(24..30).ok_or(Malformed)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity() -> MailboxIdentity {
        MailboxIdentity {
            guid: Uuid::new_v4(),
            store: rand::random(),
        }
    }

    #[test]
    fn item_ids_look_like_exchange_and_round_trip() {
        let identity = identity();
        let id = item_id(&identity, 9, 4242);
        assert!(id.starts_with("AAMkA"), "{id}");
        assert!((140..=160).contains(&id.len()), "length {}", id.len());
        assert_eq!(
            parse_item_id(&id),
            Ok(ItemAddress::Item {
                mailbox: identity.guid,
                key: 4242
            })
        );
        let occurrence = occurrence_id(&identity, 9, 4242, 3);
        assert_eq!(
            parse_item_id(&occurrence),
            Ok(ItemAddress::Occurrence {
                mailbox: identity.guid,
                master: 4242,
                index: 3
            })
        );
        assert_ne!(id.to_lowercase(), id, "case matters");
        assert_eq!(parse_item_id(&id.to_lowercase()), Err(Malformed));
        assert_eq!(parse_item_id("AAMkA"), Err(Malformed));
    }

    #[test]
    fn folder_ids_and_change_keys_round_trip() {
        let identity = identity();
        let folder = folder_id(&identity, 9);
        assert_eq!(parse_folder_id(&folder), Ok((identity.guid, 9)));
        assert_eq!(parse_item_id(&folder), Err(Malformed));
        let key = change_key(&identity, ChangeKeyKind::CalendarItem, 77);
        assert!(key.starts_with("DwAAABYAAA"), "{key}");
        assert_eq!(parse_change_key(&key), Ok(77));
        assert_eq!(parse_change_key("DwAAA"), Err(Malformed));
        assert_eq!(parse_change_key("not base64!"), Err(Malformed));
    }
}
