//! PidLidGlobalObjectId (Meeting set, LID 3, Binary): Exchange keeps it beside `calendar:UID`
//! and derives one from the other. Clients restrict on it because `calendar:UID` cannot be
//! searched; the simulator derives it from the stored UID whenever it is read.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::extended::{ExtendedFieldUri, PropertyKey, PropertySet};

/// What every GlobalObjectId starts with (MS-OXOCAL), as the hex a UID carries.
const CLASS_ID_HEX: &str = "040000008200E00074C5B7101A82E008";

/// Whether `uri` names PidLidGlobalObjectId.
pub fn is_global_object_id(uri: &ExtendedFieldUri) -> bool {
    uri.set == Some(PropertySet::Distinguished("Meeting".to_owned()))
        && uri.key == PropertyKey::Id(3)
        && uri.property_type == "Binary"
}

/// The GlobalObjectId of an item with `uid`, base64 as EWS carries Binary values. A UID that is
/// a hex GlobalObjectId decodes to it; any other UID is wrapped as a third-party UID
/// (`vCal-Uid`, MS-OXCICAL), with zero instance date and creation time.
pub fn of_uid(uid: &str) -> String {
    let decoded = uid
        .get(..CLASS_ID_HEX.len())
        .filter(|head| head.eq_ignore_ascii_case(CLASS_ID_HEX))
        .and_then(|_| decode_hex(uid));
    let bytes = decoded.unwrap_or_else(|| {
        let mut data = b"vCal-Uid\x01\x00\x00\x00".to_vec();
        data.extend_from_slice(uid.as_bytes());
        data.push(0);
        let mut bytes = decode_hex(CLASS_ID_HEX).unwrap_or_default();
        bytes.resize(bytes.len() + 20, 0);
        bytes.extend_from_slice(&(data.len() as u32).to_le_bytes());
        bytes.extend(data);
        bytes
    });
    STANDARD.encode(bytes)
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    text.as_bytes()
        .chunks(2)
        .map(|pair| {
            std::str::from_utf8(pair)
                .ok()
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::new_uid;

    #[test]
    fn an_exchange_uid_decodes_and_a_foreign_uid_is_wrapped() {
        let uid = new_uid(chrono::Utc::now());
        let id = STANDARD.decode(of_uid(&uid)).unwrap();
        let hex: String = id.iter().map(|byte| format!("{byte:02X}")).collect();
        assert_eq!(hex, uid);
        assert_eq!(of_uid(&uid.to_ascii_lowercase()), of_uid(&uid));

        let foreign = STANDARD.decode(of_uid("event-1@example.org")).unwrap();
        assert_eq!(&foreign[..16], &id[..16]);
        assert_eq!(&foreign[16..36], &[0; 20]);
        assert_eq!(foreign[36..40], 32u32.to_le_bytes());
        assert_eq!(
            &foreign[40..],
            b"vCal-Uid\x01\x00\x00\x00event-1@example.org\x00"
        );
        assert_ne!(of_uid("event-1@example.org"), of_uid("event-2@example.org"));
    }
}
