//! Any bytes as a page of OfficeHeart's change feed.

use ohsync_officeheart::ChangesPage;

/// Decodes `data` as the client decodes a change-feed page and converts it as the agenda
/// adapter does; refusing it is the right answer to junk, a panic is not.
pub fn officeheart_feed(data: &[u8]) {
    if let Ok(page) = serde_json::from_slice::<ChangesPage>(data) {
        let _ = ohsync_officeheart_agenda::change_page(page);
    }
}
