//! ChangeKey semantics of UpdateItem (EWS-NOTES §4).

use ohsync_ews_sim::ItemPatch;

use crate::common::{Ews, JAN, create, start};

fn update(id: &str, key: Option<&str>, conflict: &str, updates: &str) -> String {
    let key = key
        .map(|key| format!(r#" ChangeKey="{key}""#))
        .unwrap_or_default();
    format!(
        r#"<m:UpdateItem ConflictResolution="{conflict}" SendMeetingInvitationsOrCancellations="SendToNone"><m:ItemChanges><t:ItemChange><t:ItemId Id="{id}"{key}/><t:Updates>{updates}</t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>"#
    )
}

const SUBJECT_AND_LOCATION: &str = r#"<t:SetItemField><t:FieldURI FieldURI="item:Subject"/><t:CalendarItem><t:Subject>van ohsync</t:Subject></t:CalendarItem></t:SetItemField><t:SetItemField><t:FieldURI FieldURI="calendar:Location"/><t:CalendarItem><t:Location>Zaal 3</t:Location></t:CalendarItem></t:SetItemField>"#;

#[tokio::test]
async fn change_key_rules() {
    let sim = start().await;
    let ews = Ews::jan(&sim);
    let mailbox = sim.mailbox(JAN).unwrap();
    let (id, original_key) = create(
        &ews,
        "start",
        "2030-01-01T10:00:00Z",
        "2030-01-01T11:00:00Z",
    )
    .await;
    let writes_before = mailbox.last_change();

    let missing = ews
        .call(&update(&id, None, "AutoResolve", SUBJECT_AND_LOCATION))
        .await;
    assert_eq!(
        missing.codes(),
        vec!["ErrorChangeKeyRequiredForWriteOperations"]
    );
    let garbage = ews
        .call(&update(
            &id,
            Some("not-a-key"),
            "AutoResolve",
            SUBJECT_AND_LOCATION,
        ))
        .await;
    assert_eq!(garbage.codes(), vec!["ErrorInvalidChangeKey"]);
    assert_eq!(
        mailbox.item(&id).unwrap().change_key,
        original_key,
        "failed updates change nothing"
    );
    assert_eq!(
        mailbox.last_change(),
        writes_before,
        "failed updates write nothing"
    );

    // Someone edits the subject in Outlook: the client's key is now stale.
    let outlook = mailbox
        .edit(&id, &ItemPatch::new().subject("uit Outlook"))
        .unwrap();
    assert_ne!(outlook.change_key, original_key);

    let never = ews
        .call(&update(
            &id,
            Some(&original_key),
            "NeverOverwrite",
            SUBJECT_AND_LOCATION,
        ))
        .await;
    assert_eq!(never.codes(), vec!["ErrorIrresolvableConflict"]);
    assert_eq!(mailbox.item(&id).unwrap().location, None);

    let auto = ews
        .call(&update(
            &id,
            Some(&original_key),
            "AutoResolve",
            SUBJECT_AND_LOCATION,
        ))
        .await;
    assert_eq!(auto.codes(), vec!["NoError"]);
    assert_eq!(
        auto.text_of("Count"),
        "1",
        "the subject collided with the newer server change"
    );
    let resolved = mailbox.item(&id).unwrap();
    assert_eq!(
        resolved.subject.as_deref(),
        Some("uit Outlook"),
        "the newer server value wins"
    );
    assert_eq!(
        resolved.location.as_deref(),
        Some("Zaal 3"),
        "non-conflicting changes apply"
    );
    let auto_key = auto
        .first("ItemId")
        .attribute("ChangeKey")
        .unwrap()
        .to_owned();
    assert_eq!(auto_key, resolved.change_key);

    let always = ews
        .call(&update(
            &id,
            Some(&original_key),
            "AlwaysOverwrite",
            SUBJECT_AND_LOCATION,
        ))
        .await;
    assert_eq!(
        (always.codes(), always.text_of("Count")),
        (vec!["NoError".to_owned()], "0".to_owned())
    );
    assert_eq!(
        mailbox.item(&id).unwrap().subject.as_deref(),
        Some("van ohsync")
    );
    let keyless = ews
        .call(&update(&id, None, "AlwaysOverwrite", SUBJECT_AND_LOCATION))
        .await;
    assert_eq!(keyless.codes(), vec!["NoError"]);

    let current = mailbox.item(&id).unwrap().change_key;
    let fresh = ews
        .call(&update(
            &id,
            Some(&current),
            "NeverOverwrite",
            SUBJECT_AND_LOCATION,
        ))
        .await;
    assert_eq!(
        fresh.codes(),
        vec!["NoError"],
        "a current key passes NeverOverwrite"
    );
    let keys = [
        original_key,
        outlook.change_key,
        auto_key,
        current,
        mailbox.item(&id).unwrap().change_key,
    ];
    let distinct: std::collections::BTreeSet<_> = keys.iter().collect();
    assert_eq!(
        distinct.len(),
        keys.len(),
        "every write made a new ChangeKey: {keys:?}"
    );
}
