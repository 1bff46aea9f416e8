//! PidLidGlobalObjectId: the binary form of an item's UID, which FindItem can restrict on
//! where it cannot on `calendar:UID` (EWS-NOTES §5).

use std::borrow::Cow;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::ExtendedFieldUri;

/// PidLidGlobalObjectId: LID 3 in the Meeting property set, binary.
pub const GLOBAL_OBJECT_ID_FIELD: ExtendedFieldUri = ExtendedFieldUri {
    distinguished_property_set_id: Some(Cow::Borrowed("Meeting")),
    property_set_id: None,
    property_tag: None,
    property_name: None,
    property_id: Some(3),
    property_type: Cow::Borrowed("Binary"),
};

/// The 16 bytes every GlobalObjectId starts with (MS-OXOCAL PidLidGlobalObjectId).
const CLASS_ID: [u8; 16] = [
    0x04, 0x00, 0x00, 0x00, 0x82, 0x00, 0xE0, 0x00, 0x74, 0xC5, 0xB7, 0x10, 0x1A, 0x82, 0xE0, 0x08,
];

/// What a third-party UID's bytes are wrapped in (MS-OXCICAL UID).
const THIRD_PARTY_MARKER: &[u8] = b"vCal-Uid\x01\x00\x00\x00";

/// An item's GlobalObjectId, derived from its UID the way Exchange derives it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GlobalObjectId(Vec<u8>);

impl GlobalObjectId {
    /// The GlobalObjectId behind `uid`: a UID that is the hex of a GlobalObjectId (as Outlook,
    /// EWS and ohsync write them) is those bytes; any other UID (from another calendar system)
    /// is wrapped in a third-party header with zero instance date and creation time.
    pub fn of_uid(uid: &str) -> Self {
        match hex_bytes(uid) {
            Some(bytes) if bytes.starts_with(&CLASS_ID) => Self(bytes),
            _ => {
                let mut data = THIRD_PARTY_MARKER.to_vec();
                data.extend_from_slice(uid.as_bytes());
                data.push(0);
                let mut bytes = CLASS_ID.to_vec();
                // Instance date (4 bytes), creation time (8) and reserved (8): all zero.
                bytes.extend_from_slice(&[0; 20]);
                let size = u32::try_from(data.len()).unwrap_or(u32::MAX);
                bytes.extend_from_slice(&size.to_le_bytes());
                bytes.extend_from_slice(&data);
                Self(bytes)
            }
        }
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The value as EWS carries a Binary property: base64.
    pub fn to_base64(&self) -> String {
        STANDARD.encode(&self.0)
    }
}

fn hex_bytes(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(&text[at..at + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hex_uid_is_its_own_bytes_in_either_case() {
        let uid = "040000008200E00074C5B7101A82E00800000000D0A3F2B1C2D3D401000000000000000010000000ABCDEF";
        let id = GlobalObjectId::of_uid(uid);
        assert_eq!(id.as_bytes().len(), uid.len() / 2);
        assert_eq!(id.as_bytes()[..16], CLASS_ID);
        assert_eq!(id.as_bytes().last(), Some(&0xEF));
        assert_eq!(GlobalObjectId::of_uid(&uid.to_ascii_lowercase()), id);
        assert_eq!(
            GlobalObjectId::of_uid("040000008200E00074C5B7101A82E008").to_base64(),
            "BAAAAIIA4AB0xbcQGoLgCA=="
        );
    }

    #[test]
    fn any_other_uid_is_wrapped_as_a_third_party_uid() {
        for uid in [
            "abc@google.com",
            "0400",
            "040000008200E00074C5B7101A82E00",
            "DEADBEEF",
        ] {
            let id = GlobalObjectId::of_uid(uid);
            let bytes = id.as_bytes();
            assert_eq!(bytes[..16], CLASS_ID, "{uid}");
            assert_eq!(bytes[16..36], [0; 20], "{uid}");
            let size = u32::from_le_bytes([bytes[36], bytes[37], bytes[38], bytes[39]]);
            let data = &bytes[40..];
            assert_eq!(size as usize, data.len(), "{uid}");
            assert_eq!(&data[..12], THIRD_PARTY_MARKER);
            assert_eq!(&data[12..data.len() - 1], uid.as_bytes());
            assert_eq!(data.last(), Some(&0));
        }
    }
}
