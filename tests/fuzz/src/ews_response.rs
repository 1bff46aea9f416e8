//! Any bytes as the body of each EWS response the client reads, and the items of a GetItem
//! answer converted as the mailbox adapter converts them (series, rules and exceptions too).

use ohsync_ews::ExchangeVersion;
use ohsync_ews::xml::response::{
    parse_create_item, parse_delete_item, parse_envelope_statuses, parse_find_item,
    parse_get_folder, parse_get_item, parse_sync_folder_items, parse_update_item,
};
use ohsync_ews_mailbox::convert::{Converter, OccurrenceDetails};

/// Parses `data` as every response the client reads; an error is the right answer to junk,
/// a panic is not.
pub fn ews_response(data: &[u8]) {
    let _ = parse_get_folder(data);
    let _ = parse_sync_folder_items(data);
    if let Ok(Ok(results)) = parse_get_item(data).map(|parsed| parsed.outcome) {
        convert_items(results.into_iter().filter_map(Result::ok).collect());
    }
    let _ = parse_find_item(data);
    let _ = parse_create_item(data);
    let _ = parse_update_item(data);
    let _ = parse_delete_item(data);
    let _ = parse_envelope_statuses(data);
}

/// Converts every item, with the answer's items standing in for the modified occurrences a
/// master names (so that a series' exceptions are read as well).
fn convert_items(items: Vec<ohsync_ews::CalendarItem>) {
    let occurrences: OccurrenceDetails = items
        .iter()
        .filter_map(|item| Some((item.item_id.as_ref()?.id.clone(), item.clone())))
        .collect();
    let converter = Converter::new(ExchangeVersion::Exchange2016, chrono_tz::Europe::Amsterdam);
    for item in &items {
        if let Ok(read) = converter.exchange_item(item, &occurrences) {
            let _ = read.appointment.content_hash();
            let _ = read.appointment.extent();
        }
    }
}
