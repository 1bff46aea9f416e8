//! Pending intents: Exchange creates whose outcome a previous run did not record.

use crate::identity::{OhsyncTag, TenantId};
use crate::ports::{ItemSummary, Mailbox, MailboxError, Mapping, PendingIntent, SyncedSpan};

/// Looks the intents' tags up. A found item becomes a mapping with an unknown ChangeKey (its
/// content, not its version, then tells whether anyone changed it since); an intent whose item
/// is not found was never carried out and is simply dropped — the change it was for is still in
/// the change feed, because positions never advance past an unrecorded create.
pub(super) async fn recover(
    mailbox: &dyn Mailbox,
    tenant: &TenantId,
    intents: &[PendingIntent],
) -> Result<Vec<Mapping>, MailboxError> {
    if intents.is_empty() {
        return Ok(Vec::new());
    }
    let tags: Vec<OhsyncTag> = intents
        .iter()
        .map(|intent| OhsyncTag {
            tenant: tenant.clone(),
            officeheart_id: intent.officeheart_id.clone(),
        })
        .collect();
    let found = mailbox.find_by_tags(&tags).await?;
    Ok(intents
        .iter()
        .zip(&tags)
        .filter_map(|(intent, tag)| {
            tagged_with(&found, tag).map(|summary| Mapping {
                officeheart_id: intent.officeheart_id.clone(),
                officeheart_version: intent.officeheart_version.clone(),
                exchange_item_id: summary.key.item_id.clone(),
                exchange_uid: summary.key.uid.clone(),
                exchange_change_key: None,
                content_hash: intent.content_hash,
                span: Some(SyncedSpan {
                    start: summary.start,
                    end: summary.end,
                }),
            })
        })
        .collect())
}

/// The item carrying `tag`; when several do (which the intent lease exists to prevent), the
/// lowest ItemId, so that every run picks the same one.
pub(super) fn tagged_with<'a>(
    found: &'a [ItemSummary],
    tag: &OhsyncTag,
) -> Option<&'a ItemSummary> {
    found
        .iter()
        .filter(|summary| summary.tag.as_ref() == Some(tag))
        .min_by(|a, b| a.key.item_id.cmp(&b.key.item_id))
}
