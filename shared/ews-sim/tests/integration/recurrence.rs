//! Recurring series: creation, CalendarView expansion, occurrences by index, deleting one occurrence,
//! modifying one occurrence (exceptions) on the wire and through the test handle.

use ohsync_ews_sim::ItemPatch;

use crate::common::{Ews, JAN, create_body, get_body, start};

const WEEKLY: &str = r#"<t:Subject>Weekoverleg</t:Subject><t:Start>2030-03-04T09:00:00</t:Start><t:End>2030-03-04T09:30:00</t:End>
    <t:Recurrence><t:WeeklyRecurrence><t:Interval>1</t:Interval><t:DaysOfWeek>Monday</t:DaysOfWeek></t:WeeklyRecurrence>
    <t:NumberedRecurrence><t:StartDate>2030-03-04</t:StartDate><t:NumberOfOccurrences>6</t:NumberOfOccurrences></t:NumberedRecurrence></t:Recurrence>
    <t:StartTimeZone Id="W. Europe Standard Time"/><t:EndTimeZone Id="W. Europe Standard Time"/>"#;

fn view(start: &str, end: &str) -> String {
    format!(
        r#"<m:FindItem Traversal="Shallow"><m:ItemShape><t:BaseShape>Default</t:BaseShape><t:AdditionalProperties><t:FieldURI FieldURI="item:ItemClass"/><t:FieldURI FieldURI="calendar:IsRecurring"/></t:AdditionalProperties></m:ItemShape><m:CalendarView StartDate="{start}" EndDate="{end}"/><m:ParentFolderIds><t:DistinguishedFolderId Id="calendar"/></m:ParentFolderIds></m:FindItem>"#
    )
}

fn occurrence_body(master: &str, index: u32) -> String {
    format!(
        r#"<m:GetItem><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape><t:AdditionalProperties><t:FieldURI FieldURI="calendar:Start"/><t:FieldURI FieldURI="calendar:CalendarItemType"/></t:AdditionalProperties></m:ItemShape><m:ItemIds><t:OccurrenceItemId RecurringMasterId="{master}" InstanceIndex="{index}"/></m:ItemIds></m:GetItem>"#
    )
}

#[tokio::test]
async fn weekly_series_expands_in_calendar_view_across_daylight_saving() {
    let sim = start().await;
    let ews = Ews::jan(&sim);
    let created = ews.call(&create_body(WEEKLY)).await;
    assert_eq!(created.codes(), vec!["NoError"]);
    let master = created.first("ItemId").attribute("Id").unwrap().to_owned();

    let expanded = ews
        .call(&view("2030-03-01T00:00:00Z", "2030-05-01T00:00:00Z"))
        .await;
    let starts: Vec<String> = expanded.all("Start").iter().map(|s| s.text()).collect();
    assert_eq!(
        starts,
        vec![
            "2030-03-04T08:00:00Z",
            "2030-03-11T08:00:00Z",
            "2030-03-18T08:00:00Z",
            "2030-03-25T08:00:00Z",
            "2030-04-01T07:00:00Z",
            "2030-04-08T07:00:00Z"
        ],
        "09:00 in Amsterdam on both sides of the 2030-03-31 clock change"
    );
    assert!(
        expanded
            .all("CalendarItemType")
            .iter()
            .all(|t| t.text() == "Occurrence")
    );
    assert!(
        expanded
            .all("ItemClass")
            .iter()
            .all(|c| c.text() == "IPM.Appointment.Occurrence")
    );
    assert!(
        expanded
            .all("IsRecurring")
            .iter()
            .all(|r| r.text() == "true")
    );
    let occurrence_ids: Vec<String> = expanded
        .all("ItemId")
        .iter()
        .map(|id| id.attribute("Id").unwrap().to_owned())
        .collect();
    assert!(
        !occurrence_ids.contains(&master),
        "CalendarView returns occurrences, not the master"
    );

    let by_id = ews
        .call(&get_body(
            "<t:BaseShape>Default</t:BaseShape>",
            &[&occurrence_ids[2]],
        ))
        .await;
    assert_eq!(by_id.text_of("Start"), "2030-03-18T08:00:00Z");
    assert_eq!(by_id.text_of("CalendarItemType"), "Occurrence");

    let master_reply = ews
        .call(&get_body(
            "<t:BaseShape>AllProperties</t:BaseShape>",
            &[&master],
        ))
        .await;
    assert_eq!(master_reply.text_of("CalendarItemType"), "RecurringMaster");
    assert_eq!(
        master_reply.text_of("IsRecurring"),
        "false",
        "as real masters report it"
    );
    assert!(!master_reply.all("WeeklyRecurrence").is_empty());
    assert_eq!(
        master_reply
            .first("FirstOccurrence")
            .child_text("Start")
            .as_deref(),
        Some("2030-03-04T08:00:00Z")
    );
    assert_eq!(
        master_reply
            .first("LastOccurrence")
            .child_text("Start")
            .as_deref(),
        Some("2030-04-08T07:00:00Z")
    );
}

#[tokio::test]
async fn occurrences_by_index_and_deleting_one_occurrence() {
    let sim = start().await;
    let ews = Ews::jan(&sim);
    let created = ews.call(&create_body(WEEKLY)).await;
    let master = created.first("ItemId").attribute("Id").unwrap().to_owned();
    let key_before = created
        .first("ItemId")
        .attribute("ChangeKey")
        .unwrap()
        .to_owned();

    let second = ews.call(&occurrence_body(&master, 2)).await;
    assert_eq!(second.codes(), vec!["NoError"]);
    assert_eq!(second.text_of("Start"), "2030-03-11T08:00:00Z");
    let out_of_range = ews.call(&occurrence_body(&master, 7)).await;
    assert_eq!(
        out_of_range.codes(),
        vec!["ErrorCalendarOccurrenceIndexIsOutOfRecurrenceRange"]
    );

    let deleted = ews
        .call(&format!(
            r#"<m:DeleteItem DeleteType="MoveToDeletedItems" SendMeetingCancellations="SendToNone"><m:ItemIds><t:OccurrenceItemId RecurringMasterId="{master}" InstanceIndex="2"/></m:ItemIds></m:DeleteItem>"#
        ))
        .await;
    assert_eq!(deleted.codes(), vec!["NoError"]);
    assert_eq!(
        ews.call(&occurrence_body(&master, 2)).await.codes(),
        vec!["ErrorCalendarOccurrenceIsDeletedFromRecurrence"]
    );
    let expanded = ews
        .call(&view("2030-03-01T00:00:00Z", "2030-05-01T00:00:00Z"))
        .await;
    assert_eq!(expanded.all("CalendarItem").len(), 5);
    assert!(!expanded.text.contains("2030-03-11T08:00:00Z"));

    let master_reply = ews
        .call(&get_body(
            "<t:BaseShape>AllProperties</t:BaseShape>",
            &[&master],
        ))
        .await;
    assert_ne!(
        master_reply.first("ItemId").attribute("ChangeKey"),
        Some(key_before.as_str()),
        "the master changed"
    );
    assert_eq!(
        master_reply
            .first("DeletedOccurrence")
            .child_text("Start")
            .as_deref(),
        Some("2030-03-11T08:00:00Z")
    );
    assert!(sim.mailbox(JAN).unwrap().items()[0].is_recurring_master);
}

#[tokio::test]
async fn invalid_recurrences_are_refused() {
    let sim = start().await;
    let ews = Ews::jan(&sim);
    let reply = ews
        .call(&create_body(
            "<t:Subject>x</t:Subject><t:Recurrence><t:DailyRecurrence><t:Interval>0</t:Interval></t:DailyRecurrence><t:NoEndRecurrence><t:StartDate>2030-01-01</t:StartDate></t:NoEndRecurrence></t:Recurrence>",
        ))
        .await;
    assert_eq!(reply.codes(), vec!["ErrorInvalidRecurrence"]);
    assert!(sim.mailbox(JAN).unwrap().items().is_empty());
}

fn update_occurrence(target: &str, updates: &str) -> String {
    format!(
        r#"<m:UpdateItem ConflictResolution="AlwaysOverwrite" SendMeetingInvitationsOrCancellations="SendToNone"><m:ItemChanges><t:ItemChange>{target}<t:Updates>{updates}</t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>"#
    )
}

fn set(uri: &str, element: &str) -> String {
    format!(
        r#"<t:SetItemField><t:FieldURI FieldURI="{uri}"/><t:CalendarItem>{element}</t:CalendarItem></t:SetItemField>"#
    )
}

#[tokio::test]
async fn modified_occurrences_on_the_wire_in_schema_order() {
    let sim = start().await;
    let ews = Ews::jan(&sim);
    let created = ews.call(&create_body(WEEKLY)).await;
    let master = created.first("ItemId").attribute("Id").unwrap().to_owned();

    let by_index =
        format!(r#"<t:OccurrenceItemId RecurringMasterId="{master}" InstanceIndex="3"/>"#);
    let updates = set("item:Subject", "<t:Subject>Verplaatst</t:Subject>")
        + &set("calendar:Start", "<t:Start>2030-03-18T09:00:00Z</t:Start>")
        + &set("calendar:End", "<t:End>2030-03-18T09:30:00Z</t:End>");
    let updated = ews.call(&update_occurrence(&by_index, &updates)).await;
    assert_eq!(updated.codes(), vec!["NoError"]);
    let occurrence_id = updated.first("ItemId").attribute("Id").unwrap().to_owned();
    assert_ne!(occurrence_id, master, "the answer names the occurrence");

    let by_id = format!(r#"<t:ItemId Id="{occurrence_id}"/>"#);
    let again = ews
        .call(&update_occurrence(
            &by_id,
            &set("calendar:Location", "<t:Location>Zaal 2</t:Location>"),
        ))
        .await;
    assert_eq!(again.codes(), vec!["NoError"]);

    let master_reply = ews
        .call(&get_body(
            "<t:BaseShape>AllProperties</t:BaseShape>",
            &[&master],
        ))
        .await;
    let modified = master_reply.all("ModifiedOccurrences");
    assert_eq!(modified.len(), 1);
    let occurrences: Vec<_> = modified[0].elements().collect();
    assert_eq!(
        occurrences.len(),
        1,
        "one exception however often it is edited"
    );
    let order: Vec<&str> = occurrences[0].elements().map(|e| e.name.as_str()).collect();
    assert_eq!(order, ["ItemId", "Start", "End", "OriginalStart"]);
    assert_eq!(
        occurrences[0].child_text("Start").as_deref(),
        Some("2030-03-18T09:00:00Z")
    );
    assert_eq!(
        occurrences[0].child_text("OriginalStart").as_deref(),
        Some("2030-03-18T08:00:00Z")
    );

    let exception = ews
        .call(&get_body(
            "<t:BaseShape>AllProperties</t:BaseShape>",
            &[&occurrence_id],
        ))
        .await;
    assert_eq!(exception.text_of("CalendarItemType"), "Exception");
    assert_eq!(exception.text_of("Subject"), "Verplaatst");
    assert_eq!(exception.text_of("Location"), "Zaal 2");
    assert_eq!(exception.text_of("IsRecurring"), "true");
    assert_eq!(exception.text_of("OriginalStart"), "2030-03-18T08:00:00Z");
    assert_eq!(exception.text_of("RecurrenceId"), "2030-03-18T08:00:00Z");

    let handle = sim.mailbox(JAN).unwrap();
    let listed = handle.exceptions(&master).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].instance_index, 3);
    assert_eq!(listed[0].subject.as_deref(), Some("Verplaatst"));
    assert_eq!(listed[0].location.as_deref(), Some("Zaal 2"));
    assert_eq!(listed[0].item_id, occurrence_id);
}

#[tokio::test]
async fn occurrences_edited_and_deleted_in_outlook_change_the_master() {
    let sim = start().await;
    let ews = Ews::jan(&sim);
    let created = ews.call(&create_body(WEEKLY)).await;
    let master = created.first("ItemId").attribute("Id").unwrap().to_owned();
    let handle = sim.mailbox(JAN).unwrap();
    let before = handle.item(&master).unwrap().change_key;

    let edited = handle
        .edit_occurrence(
            &master,
            2,
            &ItemPatch::new().subject("Anders").location("Thuis"),
        )
        .unwrap();
    assert_eq!(edited.subject.as_deref(), Some("Anders"));
    assert_eq!(edited.start, edited.original_start);
    let after_edit = handle.item(&master).unwrap().change_key;
    assert_ne!(after_edit, before);
    assert_eq!(
        edited.change_key, after_edit,
        "one ChangeKey for master and instances"
    );

    let master_after = handle.delete_occurrence(&master, 2).unwrap();
    assert_ne!(master_after.change_key, after_edit);
    assert!(handle.exceptions(&master).unwrap().is_empty());
    assert_eq!(handle.deleted_instances(&master).unwrap(), vec![2]);
    assert!(
        handle
            .edit_occurrence(&master, 2, &ItemPatch::new().subject("x"))
            .is_err()
    );
    assert!(
        handle
            .edit_occurrence(&master, 9, &ItemPatch::new().subject("x"))
            .is_err()
    );
}
