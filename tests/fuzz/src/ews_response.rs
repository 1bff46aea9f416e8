//! Any bytes as the body of each EWS response the client reads.

use ohsync_ews::xml::response::{
    parse_create_item, parse_delete_item, parse_envelope_statuses, parse_find_item,
    parse_get_folder, parse_get_item, parse_sync_folder_items, parse_update_item,
};

/// Parses `data` as every response the client reads; an error is the right answer to junk,
/// a panic is not.
pub fn ews_response(data: &[u8]) {
    let _ = parse_get_folder(data);
    let _ = parse_sync_folder_items(data);
    let _ = parse_get_item(data);
    let _ = parse_find_item(data);
    let _ = parse_create_item(data);
    let _ = parse_update_item(data);
    let _ = parse_delete_item(data);
    let _ = parse_envelope_statuses(data);
}
