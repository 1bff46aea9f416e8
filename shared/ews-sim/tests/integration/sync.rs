//! SyncFolderItems: states, net changes, collapsing, paging, order and refusal of bad states.

use chrono::{Duration, TimeZone, Utc};
use ohsync_ews_sim::{ItemPatch, MailboxHandle, ServerVersion};

use crate::common::{Ews, JAN, PIET, Reply, create, start, start_version, tag_uri};

fn sync_body(state: Option<&str>, max: usize, extra_shape: &str) -> String {
    let state = state
        .map(|state| format!("<m:SyncState>{state}</m:SyncState>"))
        .unwrap_or_default();
    format!(
        r#"<m:SyncFolderItems><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape><t:AdditionalProperties><t:FieldURI FieldURI="item:Subject"/>{extra_shape}</t:AdditionalProperties></m:ItemShape><m:SyncFolderId><t:DistinguishedFolderId Id="calendar"/></m:SyncFolderId>{state}<m:MaxChangesReturned>{max}</m:MaxChangesReturned><m:SyncScope>NormalItems</m:SyncScope></m:SyncFolderItems>"#
    )
}

/// (change kind, subject or ItemId) of each change, in order.
fn changes(reply: &Reply) -> Vec<(String, String)> {
    reply
        .first("Changes")
        .elements()
        .map(|change| {
            let label = match change.name.as_str() {
                "Delete" => change
                    .child("ItemId")
                    .and_then(|id| id.attribute("Id"))
                    .unwrap_or_default()
                    .to_owned(),
                _ => change
                    .first_element()
                    .and_then(|item| item.child_text("Subject"))
                    .unwrap_or_default(),
            };
            (change.name.clone(), label)
        })
        .collect()
}

fn seed(mailbox: &MailboxHandle, subject: &str, day: i64) -> String {
    let start = Utc.with_ymd_and_hms(2030, 4, 1, 9, 0, 0).unwrap() + Duration::days(day);
    mailbox
        .create(
            &ItemPatch::new()
                .subject(subject)
                .start(start)
                .end(start + Duration::hours(1)),
        )
        .unwrap()
        .item_id
}

#[tokio::test]
async fn later_calls_report_only_later_changes_collapsed_per_item() {
    let sim = start().await;
    let ews = Ews::jan(&sim);
    let mailbox = sim.mailbox(JAN).unwrap();
    let kept = seed(&mailbox, "kept", 0);
    let edited = seed(&mailbox, "edited", 1);
    let doomed = seed(&mailbox, "doomed", 2);

    let first = ews.call(&sync_body(None, 512, "")).await;
    assert_eq!(first.codes(), vec!["NoError"]);
    assert_eq!(first.text_of("IncludesLastItemInRange"), "true");
    let mut created: Vec<_> = changes(&first)
        .into_iter()
        .map(|(kind, subject)| format!("{kind}:{subject}"))
        .collect();
    created.sort();
    assert_eq!(
        created,
        vec!["Create:doomed", "Create:edited", "Create:kept"]
    );
    let state = first.text_of("SyncState");

    let quiet = ews.call(&sync_body(Some(&state), 512, "")).await;
    assert!(changes(&quiet).is_empty());
    assert_eq!(quiet.text_of("IncludesLastItemInRange"), "true");
    let state = quiet.text_of("SyncState");

    mailbox
        .edit(&edited, &ItemPatch::new().subject("edited once"))
        .unwrap();
    mailbox
        .edit(&edited, &ItemPatch::new().subject("edited twice"))
        .unwrap();
    mailbox
        .edit(&doomed, &ItemPatch::new().subject("doomed, edited"))
        .unwrap();
    mailbox.delete(&doomed).unwrap();
    let born = seed(&mailbox, "born", 3);
    mailbox
        .edit(&born, &ItemPatch::new().subject("born and edited"))
        .unwrap();
    let flash = seed(&mailbox, "flash", 4);
    mailbox.delete(&flash).unwrap();

    let delta = ews.call(&sync_body(Some(&state), 512, "")).await;
    let mut reported = changes(&delta);
    reported.sort();
    assert_eq!(
        reported,
        vec![
            ("Create".to_owned(), "born and edited".to_owned()),
            ("Delete".to_owned(), doomed.clone()),
            ("Update".to_owned(), "edited twice".to_owned()),
        ],
        "created+updated → Create, updated+deleted → Delete, created+deleted → nothing"
    );
    assert!(
        !delta.text.contains(&kept),
        "unchanged items are not reported"
    );
    let delete = delta.first("Delete");
    assert_eq!(
        delete
            .elements()
            .map(|e| e.name.as_str())
            .collect::<Vec<_>>(),
        vec!["ItemId"]
    );
}

#[tokio::test]
async fn pages_at_max_changes_returned_newest_first() {
    let sim = start().await;
    let ews = Ews::jan(&sim);
    let mailbox = sim.mailbox(JAN).unwrap();
    for n in 1..=5 {
        seed(&mailbox, &format!("item {n}"), n);
    }
    let mut state = None;
    let mut pages = Vec::new();
    loop {
        let reply = ews.call(&sync_body(state.as_deref(), 2, "")).await;
        let page: Vec<String> = changes(&reply)
            .into_iter()
            .map(|(_, subject)| subject)
            .collect();
        let last = reply.text_of("IncludesLastItemInRange") == "true";
        state = Some(reply.text_of("SyncState"));
        pages.push((page, last));
        if last {
            break;
        }
        // A change during paging waits for the next session instead of being lost or duplicated.
        if pages.len() == 1 {
            seed(&mailbox, "late", 9);
        }
    }
    assert_eq!(
        pages,
        vec![
            (vec!["item 5".to_owned(), "item 4".to_owned()], false),
            (vec!["item 3".to_owned(), "item 2".to_owned()], false),
            (vec!["item 1".to_owned()], true),
        ]
    );
    let next = ews.call(&sync_body(state.as_deref(), 2, "")).await;
    assert_eq!(
        changes(&next),
        vec![("Create".to_owned(), "late".to_owned())]
    );
}

#[tokio::test]
async fn exchange_2010_rtm_reports_oldest_first() {
    let sim = start_version(ServerVersion::Exchange2010).await;
    let ews = Ews::jan(&sim);
    let mailbox = sim.mailbox(JAN).unwrap();
    for n in 1..=3 {
        seed(&mailbox, &format!("item {n}"), n);
    }
    let reply = ews
        .post(crate::common::envelope(
            Some("Exchange2010"),
            "",
            &sync_body(None, 10, ""),
        ))
        .await;
    let order: Vec<String> = changes(&reply)
        .into_iter()
        .map(|(_, subject)| subject)
        .collect();
    assert_eq!(order, vec!["item 1", "item 2", "item 3"]);
}

#[tokio::test]
async fn requested_shape_and_extended_properties_come_back_without_body() {
    let sim = start().await;
    let ews = Ews::jan(&sim);
    let created = ews
        .call(&crate::common::create_body(&format!(
            r#"<t:Subject>tagged</t:Subject><t:Body BodyType="Text">secret body</t:Body><t:ExtendedProperty>{}<t:Value>tenant:7</t:Value></t:ExtendedProperty>"#,
            tag_uri()
        )))
        .await;
    assert_eq!(created.codes(), vec!["NoError"]);
    let reply = ews
        .call(&sync_body(
            None,
            10,
            &format!(
                r#"<t:FieldURI FieldURI="calendar:Start"/><t:FieldURI FieldURI="item:Body"/>{}"#,
                tag_uri()
            ),
        ))
        .await;
    let item = reply.first("CalendarItem");
    let names: Vec<&str> = item.elements().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names,
        vec!["ItemId", "Subject", "ExtendedProperty", "Start"]
    );
    assert!(
        !reply.text.contains("secret body"),
        "SyncFolderItems never returns Body"
    );
    assert_eq!(
        item.child("ExtendedProperty")
            .unwrap()
            .child_text("Value")
            .as_deref(),
        Some("tenant:7")
    );
}

#[tokio::test]
async fn garbage_tampered_and_foreign_states_are_refused() {
    let sim = start().await;
    let ews = Ews::jan(&sim);
    create(&ews, "x", "2030-01-01T10:00:00Z", "2030-01-01T11:00:00Z").await;
    let good = ews
        .call(&sync_body(None, 10, ""))
        .await
        .text_of("SyncState");
    let mut tampered = good.clone().into_bytes();
    tampered[10] = if tampered[10] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let piet = Ews::new(&sim, r"OHSIM\piet", "pw-piet");
    let foreign = piet
        .call(&sync_body(None, 10, ""))
        .await
        .text_of("SyncState");
    for state in [
        "H4sIAAAAAAAEAO29B2AcSZY==",
        "not base64 at all",
        tampered.as_str(),
        foreign.as_str(),
    ] {
        let reply = ews.call(&sync_body(Some(state), 10, "")).await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.codes(), vec!["ErrorInvalidSyncStateData"], "{state}");
        assert_eq!(
            reply
                .first("SyncFolderItemsResponseMessage")
                .attribute("ResponseClass"),
            Some("Error")
        );
        assert_eq!(
            reply.text_of("SyncState"),
            "",
            "the refused state comes back empty"
        );
        assert_eq!(reply.text_of("IncludesLastItemInRange"), "true");
    }
    assert_eq!(
        ews.call(&sync_body(Some(&good), 10, "")).await.codes(),
        vec!["NoError"]
    );
    assert!(sim.mailbox(PIET).unwrap().items().is_empty());
}

#[tokio::test]
async fn max_changes_returned_must_be_1_to_512() {
    let sim = start().await;
    let ews = Ews::jan(&sim);
    for max in [0, 513] {
        let reply = ews.call(&sync_body(None, max, "")).await;
        assert_eq!(
            (reply.status, reply.fault_code()),
            (500, "ErrorSchemaValidation".to_owned()),
            "{max}"
        );
    }
    assert_eq!(
        ews.call(&sync_body(None, 512, "")).await.codes(),
        vec!["NoError"]
    );
}
