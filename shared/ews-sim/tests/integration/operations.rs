//! CreateItem, GetItem, FindItem, UpdateItem, DeleteItem, GetFolder, ResolveNames and their errors.

use chrono::{Duration, TimeZone, Utc};
use ohsync_ews_sim::{ExtendedFieldUri, ItemPatch};

use crate::common::{
    BOSS, Ews, JAN, PIET, TAG_SET, create, create_body, envelope, get_body, start, tag_uri,
};

fn tag() -> ExtendedFieldUri {
    let element = ohsync_ews_sim::xml::parse(&tag_uri().replace("t:", "")).unwrap();
    ExtendedFieldUri::from_element(&element).unwrap()
}

#[tokio::test]
async fn create_get_update_delete_round_trip_with_all_shapes() {
    let sim = start().await;
    let ews = Ews::jan(&sim);
    let properties = format!(
        r#"<t:Subject>Overleg &amp; lunch</t:Subject><t:Body BodyType="Text">Agenda volgt</t:Body><t:Categories><t:String>ohsync</t:String><t:String>klant</t:String></t:Categories>
           <t:ExtendedProperty>{}<t:Value>tenant:42</t:Value></t:ExtendedProperty>
           <t:Start>2030-05-06T10:00:00</t:Start><t:End>2030-05-06T11:30:00</t:End><t:Location>Kamer 1</t:Location>
           <t:StartTimeZone Id="W. Europe Standard Time"/><t:EndTimeZone Id="W. Europe Standard Time"/>"#,
        tag_uri()
    );
    let created = ews.call(&create_body(&properties)).await;
    assert_eq!(
        (created.status, created.codes()),
        (200, vec!["NoError".to_owned()]),
        "{}",
        created.text
    );
    let id_element = created.first("ItemId");
    let id = id_element.attribute("Id").unwrap().to_owned();
    let change_key = id_element.attribute("ChangeKey").unwrap().to_owned();
    assert!(
        id.starts_with("AAMkA") && (140..=160).contains(&id.len()),
        "{id}"
    );

    let all = ews
        .call(&get_body(&format!("<t:BaseShape>AllProperties</t:BaseShape><t:AdditionalProperties>{}</t:AdditionalProperties>", tag_uri()), &[&id]))
        .await;
    assert_eq!(all.codes(), vec!["NoError"]);
    assert_eq!(all.text_of("Subject"), "Overleg & lunch");
    let body = all.first("CalendarItem").child("Body").unwrap();
    assert_eq!(
        (body.text().as_str(), body.attribute("BodyType")),
        ("Agenda volgt", Some("Text"))
    );
    assert_eq!(
        body.attribute("IsTruncated"),
        Some("false"),
        "2013+ servers mark truncation"
    );
    assert_eq!(all.text_of("Location"), "Kamer 1");
    assert_eq!(
        all.text_of("Start"),
        "2030-05-06T08:00:00Z",
        "naive time read in W. Europe (summer time)"
    );
    assert_eq!(all.text_of("End"), "2030-05-06T09:30:00Z");
    assert_eq!(all.text_of("Duration"), "PT1H30M");
    assert_eq!(all.text_of("ItemClass"), "IPM.Appointment");
    assert_eq!(all.text_of("CalendarItemType"), "Single");
    assert_eq!(all.text_of("IsRecurring"), "false");
    assert_eq!(
        all.first("Organizer")
            .first_element()
            .unwrap()
            .child_text("EmailAddress")
            .as_deref(),
        Some(JAN)
    );
    let categories: Vec<String> = all
        .first("Categories")
        .elements()
        .map(|c| c.text())
        .collect();
    assert_eq!(categories, vec!["ohsync", "klant"]);
    let uid = all.text_of("UID");
    assert!(
        uid.starts_with("040000008200E00074C5B7101A82E008") && uid.len() == 112,
        "{uid}"
    );
    assert_eq!(
        all.first("ExtendedProperty").child_text("Value").as_deref(),
        Some("tenant:42")
    );
    assert_eq!(
        all.first("ExtendedFieldURI").attribute("PropertySetId"),
        Some(TAG_SET)
    );
    assert_eq!(
        all.first("StartTimeZone").attribute("Id"),
        Some("W. Europe Standard Time")
    );

    let plain_all = ews
        .call(&get_body(
            "<t:BaseShape>AllProperties</t:BaseShape>",
            &[&id],
        ))
        .await;
    assert!(
        plain_all.all("ExtendedProperty").is_empty(),
        "AllProperties omits custom extended properties"
    );
    let default = ews
        .call(&get_body("<t:BaseShape>Default</t:BaseShape>", &[&id]))
        .await;
    let default_item = default.first("CalendarItem");
    assert!(default_item.child("Body").is_some() && default_item.child("Start").is_some());
    assert!(
        default.all("Categories").is_empty(),
        "Categories is not in the Default shape"
    );
    let id_only = ews
        .call(&get_body("<t:BaseShape>IdOnly</t:BaseShape>", &[&id]))
        .await;
    let item = id_only.first("CalendarItem");
    assert_eq!(
        item.elements().map(|e| e.name.as_str()).collect::<Vec<_>>(),
        vec!["ItemId"]
    );

    let updated = ews
        .call(&format!(
            r#"<m:UpdateItem ConflictResolution="AutoResolve" SendMeetingInvitationsOrCancellations="SendToNone"><m:ItemChanges><t:ItemChange><t:ItemId Id="{id}" ChangeKey="{change_key}"/><t:Updates>
               <t:SetItemField><t:FieldURI FieldURI="item:Subject"/><t:CalendarItem><t:Subject>Verplaatst</t:Subject></t:CalendarItem></t:SetItemField>
               <t:DeleteItemField><t:FieldURI FieldURI="calendar:Location"/></t:DeleteItemField>
               <t:AppendToItemField><t:FieldURI FieldURI="item:Body"/><t:CalendarItem><t:Body BodyType="Text"> en notulen</t:Body></t:CalendarItem></t:AppendToItemField>
               <t:SetItemField>{}<t:CalendarItem><t:ExtendedProperty>{}<t:Value>tenant:43</t:Value></t:ExtendedProperty></t:CalendarItem></t:SetItemField>
               </t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>"#,
            tag_uri(),
            tag_uri()
        ))
        .await;
    assert_eq!(updated.codes(), vec!["NoError"], "{}", updated.text);
    let new_key = updated
        .first("ItemId")
        .attribute("ChangeKey")
        .unwrap()
        .to_owned();
    assert_ne!(new_key, change_key);
    assert_eq!(updated.text_of("Count"), "0");
    let snapshot = sim.mailbox(JAN).unwrap().item(&id).unwrap();
    assert_eq!(snapshot.subject.as_deref(), Some("Verplaatst"));
    assert_eq!(snapshot.location, None);
    assert_eq!(snapshot.body.as_deref(), Some("Agenda volgt en notulen"));
    assert_eq!(snapshot.extended_value(&tag()), Some("tenant:43"));
    assert_eq!(snapshot.change_key, new_key);

    let deleted = ews
        .call(&format!(
            r#"<m:DeleteItem DeleteType="MoveToDeletedItems" SendMeetingCancellations="SendToNone"><m:ItemIds><t:ItemId Id="{id}"/></m:ItemIds></m:DeleteItem>"#
        ))
        .await;
    assert_eq!(deleted.codes(), vec!["NoError"]);
    let gone = ews
        .call(&get_body("<t:BaseShape>IdOnly</t:BaseShape>", &[&id]))
        .await;
    assert_eq!(gone.codes(), vec!["ErrorItemNotFound"]);
    assert_eq!(
        gone.first("GetItemResponseMessage")
            .attribute("ResponseClass"),
        Some("Error")
    );
    assert_eq!(
        gone.text_of("MessageText"),
        "The specified object was not found in the store."
    );
}

#[tokio::test]
async fn get_item_batches_answer_per_item() {
    let sim = start().await;
    let ews = Ews::jan(&sim);
    let (good, _) = create(&ews, "keep", "2030-01-01T10:00:00Z", "2030-01-01T11:00:00Z").await;
    let (removed, _) = create(
        &ews,
        "remove",
        "2030-01-02T10:00:00Z",
        "2030-01-02T11:00:00Z",
    )
    .await;
    sim.mailbox(JAN).unwrap().delete(&removed).unwrap();
    let lower = good.to_lowercase();
    let reply = ews
        .call(&get_body(
            "<t:BaseShape>IdOnly</t:BaseShape>",
            &[&good, &removed, "AAMkA", &lower],
        ))
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.codes(),
        vec![
            "NoError",
            "ErrorItemNotFound",
            "ErrorInvalidIdMalformed",
            "ErrorInvalidIdMalformed"
        ]
    );
    assert_eq!(reply.all("DescriptiveLinkKey").len(), 3);
}

#[tokio::test]
async fn create_item_errors() {
    let sim = start().await;
    let ews = Ews::jan(&sim);
    let missing = ews
        .call(r#"<m:CreateItem><m:Items><t:CalendarItem><t:Subject>x</t:Subject></t:CalendarItem><t:CalendarItem><t:Subject>y</t:Subject></t:CalendarItem></m:Items></m:CreateItem>"#)
        .await;
    assert_eq!(
        missing.codes(),
        vec!["ErrorSendMeetingInvitationsRequired"; 2]
    );
    let inbox = ews
        .call(r#"<m:CreateItem SendMeetingInvitations="SendToNone"><m:SavedItemFolderId><t:DistinguishedFolderId Id="inbox"/></m:SavedItemFolderId><m:Items><t:CalendarItem><t:Subject>x</t:Subject></t:CalendarItem></m:Items></m:CreateItem>"#)
        .await;
    assert_eq!(
        inbox.codes(),
        vec!["ErrorCannotCreateCalendarItemInNonCalendarFolder"]
    );
    let read_only = ews
        .call(&create_body(
            "<t:Subject>x</t:Subject><t:IsMeeting>true</t:IsMeeting>",
        ))
        .await;
    assert_eq!(read_only.codes(), vec!["ErrorInvalidPropertySet"]);
    assert!(
        read_only
            .text
            .contains(r#"<t:Value Name="FieldURI">calendar:IsMeeting</t:Value>"#),
        "{}",
        read_only.text
    );
    let reversed = ews
        .call(&create_body(
            "<t:Start>2030-01-01T10:00:00Z</t:Start><t:End>2030-01-01T09:00:00Z</t:End>",
        ))
        .await;
    assert_eq!(
        reversed.codes(),
        vec!["ErrorCalendarEndDateIsEarlierThanStartDate"]
    );
    let bad_value = ews.call(&create_body("<t:Start>tomorrow</t:Start>")).await;
    assert_eq!(
        (bad_value.status, bad_value.fault_code()),
        (500, "ErrorSchemaValidation".to_owned())
    );
    let bad_child = ews.call(&create_body("<t:Colour>red</t:Colour>")).await;
    assert_eq!(
        (bad_child.status, bad_child.fault_code()),
        (500, "ErrorSchemaValidation".to_owned())
    );
    assert!(
        sim.mailbox(JAN).unwrap().items().is_empty(),
        "nothing was stored"
    );
}

#[tokio::test]
async fn update_item_errors_leave_the_item_unchanged() {
    let sim = start().await;
    let ews = Ews::jan(&sim);
    let (id, key) = create(
        &ews,
        "origineel",
        "2030-01-01T10:00:00Z",
        "2030-01-01T11:00:00Z",
    )
    .await;
    let update = |attributes: &str, updates: &str| {
        format!(
            r#"<m:UpdateItem {attributes}><m:ItemChanges><t:ItemChange><t:ItemId Id="{id}" ChangeKey="{key}"/><t:Updates>{updates}</t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>"#
        )
    };
    let set_subject = r#"<t:SetItemField><t:FieldURI FieldURI="item:Subject"/><t:CalendarItem><t:Subject>nieuw</t:Subject></t:CalendarItem></t:SetItemField>"#;
    let cases = [
        ("", set_subject.to_owned(), "ErrorSendMeetingInvitationsOrCancellationsRequired"),
        (
            r#"SendMeetingInvitationsOrCancellations="SendToNone""#,
            format!(r#"{set_subject}<t:SetItemField><t:FieldURI FieldURI="calendar:CalendarItemType"/><t:CalendarItem><t:CalendarItemType>Single</t:CalendarItemType></t:CalendarItem></t:SetItemField>"#),
            "ErrorInvalidPropertySet",
        ),
        (
            r#"SendMeetingInvitationsOrCancellations="SendToNone""#,
            r#"<t:SetItemField><t:FieldURI FieldURI="item:Subject"/><t:CalendarItem><t:Subject>a</t:Subject><t:Location>b</t:Location></t:CalendarItem></t:SetItemField>"#.to_owned(),
            "ErrorIncorrectUpdatePropertyCount",
        ),
        (
            r#"SendMeetingInvitationsOrCancellations="SendToNone""#,
            format!(r#"{set_subject}<t:DeleteItemField><t:FieldURI FieldURI="calendar:Start"/></t:DeleteItemField>"#),
            "ErrorInvalidPropertyDelete",
        ),
        (
            r#"SendMeetingInvitationsOrCancellations="SendToNone""#,
            r#"<t:AppendToItemField><t:FieldURI FieldURI="item:Subject"/><t:CalendarItem><t:Subject>x</t:Subject></t:CalendarItem></t:AppendToItemField>"#.to_owned(),
            "ErrorInvalidPropertyAppend",
        ),
        (
            r#"SendMeetingInvitationsOrCancellations="SendToNone""#,
            r#"<t:SetItemField><t:FieldURI FieldURI="calendar:End"/><t:CalendarItem><t:End>2030-01-01T09:00:00Z</t:End></t:CalendarItem></t:SetItemField>"#.to_owned(),
            "ErrorCalendarEndDateIsEarlierThanStartDate",
        ),
    ];
    for (attributes, updates, expected) in cases {
        let reply = ews.call(&update(attributes, &updates)).await;
        assert_eq!(reply.codes(), vec![expected], "{}", reply.text);
    }
    let item = sim.mailbox(JAN).unwrap().item(&id).unwrap();
    assert_eq!(
        (item.subject.as_deref(), item.change_key.as_str()),
        (Some("origineel"), key.as_str())
    );
}

#[tokio::test]
async fn delete_item_batches_and_required_attributes() {
    let sim = start().await;
    let ews = Ews::jan(&sim);
    let (id, _) = create(&ews, "weg", "2030-01-01T10:00:00Z", "2030-01-01T11:00:00Z").await;
    let (other, _) = create(
        &ews,
        "blijft",
        "2030-01-01T12:00:00Z",
        "2030-01-01T13:00:00Z",
    )
    .await;
    let missing_attribute = ews
        .call(&format!(r#"<m:DeleteItem DeleteType="HardDelete"><m:ItemIds><t:ItemId Id="{other}"/></m:ItemIds></m:DeleteItem>"#))
        .await;
    assert_eq!(
        missing_attribute.codes(),
        vec!["ErrorSendMeetingCancellationsRequired"]
    );
    let batch = ews
        .call(&format!(
            r#"<m:DeleteItem DeleteType="SoftDelete" SendMeetingCancellations="SendToNone"><m:ItemIds><t:ItemId Id="{id}"/><t:ItemId Id="{id}"/></m:ItemIds></m:DeleteItem>"#
        ))
        .await;
    assert_eq!(batch.codes(), vec!["NoError", "ErrorItemNotFound"]);
    let no_type = ews
        .call(&format!(r#"<m:DeleteItem SendMeetingCancellations="SendToNone"><m:ItemIds><t:ItemId Id="{other}"/></m:ItemIds></m:DeleteItem>"#))
        .await;
    assert_eq!(
        (no_type.status, no_type.fault_code()),
        (500, "ErrorSchemaValidation".to_owned())
    );
    let remaining: Vec<_> = sim
        .mailbox(JAN)
        .unwrap()
        .items()
        .into_iter()
        .map(|item| item.subject.unwrap())
        .collect();
    assert_eq!(remaining, vec!["blijft"]);
}

fn calendar_view(start: &str, end: &str, max: Option<usize>) -> String {
    let max = max
        .map(|m| format!(r#" MaxEntriesReturned="{m}""#))
        .unwrap_or_default();
    format!(
        r#"<m:FindItem Traversal="Shallow"><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape><t:AdditionalProperties><t:FieldURI FieldURI="item:Subject"/></t:AdditionalProperties></m:ItemShape><m:CalendarView{max} StartDate="{start}" EndDate="{end}"/><m:ParentFolderIds><t:DistinguishedFolderId Id="calendar"/></m:ParentFolderIds></m:FindItem>"#
    )
}

#[tokio::test]
async fn calendar_view_overlap_truncation_and_range_limits() {
    let sim = start().await;
    let ews = Ews::jan(&sim);
    create(
        &ews,
        "ends at view start",
        "2030-03-01T08:00:00Z",
        "2030-03-01T09:00:00Z",
    )
    .await;
    create(
        &ews,
        "b overlaps start",
        "2030-03-01T08:30:00Z",
        "2030-03-01T09:30:00Z",
    )
    .await;
    create(
        &ews,
        "c inside",
        "2030-03-01T12:00:00Z",
        "2030-03-01T13:00:00Z",
    )
    .await;
    create(
        &ews,
        "d spans end",
        "2030-03-01T16:30:00Z",
        "2030-03-01T18:00:00Z",
    )
    .await;
    create(
        &ews,
        "starts at view end",
        "2030-03-01T17:00:00Z",
        "2030-03-01T18:00:00Z",
    )
    .await;
    let view = ews
        .call(&calendar_view(
            "2030-03-01T09:00:00Z",
            "2030-03-01T17:00:00Z",
            None,
        ))
        .await;
    let subjects: Vec<String> = view.all("Subject").iter().map(|s| s.text()).collect();
    assert_eq!(
        subjects,
        vec!["b overlaps start", "c inside", "d spans end"]
    );
    let root = view.first("RootFolder");
    assert_eq!(
        (
            root.attribute("TotalItemsInView"),
            root.attribute("IncludesLastItemInRange")
        ),
        (Some("3"), Some("true"))
    );
    assert_eq!(root.attribute("IndexedPagingOffset"), None);

    let truncated = ews
        .call(&calendar_view(
            "2030-03-01T09:00:00Z",
            "2030-03-01T17:00:00Z",
            Some(2),
        ))
        .await;
    let root = truncated.first("RootFolder");
    assert_eq!(
        (
            root.attribute("TotalItemsInView"),
            root.attribute("IncludesLastItemInRange")
        ),
        (Some("3"), Some("false"))
    );
    assert_eq!(truncated.all("CalendarItem").len(), 2);

    let too_big = ews
        .call(&calendar_view(
            "2030-01-01T00:00:00Z",
            "2032-01-02T00:00:00Z",
            None,
        ))
        .await;
    assert_eq!(too_big.codes(), vec!["ErrorCalendarViewRangeTooBig"]);
    let two_years = ews
        .call(&calendar_view(
            "2030-01-01T00:00:00Z",
            "2032-01-01T00:00:00Z",
            None,
        ))
        .await;
    assert_eq!(two_years.codes(), vec!["NoError"]);
    let reversed = ews
        .call(&calendar_view(
            "2030-01-02T00:00:00Z",
            "2030-01-01T00:00:00Z",
            None,
        ))
        .await;
    assert_eq!(
        reversed.codes(),
        vec!["ErrorCalendarEndDateIsEarlierThanStartDate"]
    );
    let restricted = ews
        .call(&calendar_view("2030-03-01T00:00:00Z", "2030-03-02T00:00:00Z", None).replace(
            "<m:ParentFolderIds>",
            r#"<m:Restriction><t:Exists><t:FieldURI FieldURI="item:Subject"/></t:Exists></m:Restriction><m:ParentFolderIds>"#,
        ))
        .await;
    assert_eq!(restricted.codes(), vec!["ErrorInvalidRestriction"]);
}

fn indexed(restriction: &str, paging: &str, sort: &str) -> String {
    format!(
        r#"<m:FindItem Traversal="Shallow"><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape><t:AdditionalProperties><t:FieldURI FieldURI="item:Subject"/>{}</t:AdditionalProperties></m:ItemShape>{paging}{restriction}{sort}<m:ParentFolderIds><t:DistinguishedFolderId Id="calendar"/></m:ParentFolderIds></m:FindItem>"#,
        tag_uri()
    )
}

fn subjects(reply: &crate::common::Reply) -> Vec<String> {
    reply.all("Subject").iter().map(|s| s.text()).collect()
}

#[tokio::test]
async fn indexed_view_with_restrictions_sorting_and_paging() {
    let sim = start().await;
    let mailbox = sim.mailbox(JAN).unwrap();
    let base = Utc.with_ymd_and_hms(2030, 6, 1, 9, 0, 0).unwrap();
    for (n, tagged) in [(1, true), (2, false), (3, true), (4, false), (5, true)] {
        let mut patch = ItemPatch::new()
            .subject(&format!("item {n}"))
            .start(base + Duration::days(n))
            .end(base + Duration::days(n) + Duration::hours(1));
        if tagged {
            patch = patch.extended(&tag(), &format!("t:{n}"));
        }
        mailbox.create(&patch).unwrap();
    }
    let ews = Ews::jan(&sim);
    let paging =
        r#"<m:IndexedPageItemView MaxEntriesReturned="10" Offset="0" BasePoint="Beginning"/>"#;
    let by_tag = ews
        .call(&indexed(
            &format!(r#"<m:Restriction><t:IsEqualTo>{}<t:FieldURIOrConstant><t:Constant Value="t:3"/></t:FieldURIOrConstant></t:IsEqualTo></m:Restriction>"#, tag_uri()),
            paging,
            "",
        ))
        .await;
    assert_eq!(subjects(&by_tag), vec!["item 3"]);
    assert_eq!(
        by_tag
            .first("ExtendedProperty")
            .child_text("Value")
            .as_deref(),
        Some("t:3")
    );
    let tagged = ews
        .call(&indexed(
            &format!(
                "<m:Restriction><t:Exists>{}</t:Exists></m:Restriction>",
                tag_uri()
            ),
            paging,
            "",
        ))
        .await;
    assert_eq!(subjects(&tagged), vec!["item 1", "item 3", "item 5"]);
    let combined = ews
        .call(&indexed(
            &format!(
                r#"<m:Restriction><t:And><t:Not><t:Exists>{}</t:Exists></t:Not><t:Or>
                    <t:IsEqualTo><t:FieldURI FieldURI="item:Subject"/><t:FieldURIOrConstant><t:Constant Value="ITEM 2"/></t:FieldURIOrConstant></t:IsEqualTo>
                    <t:IsGreaterThan><t:FieldURI FieldURI="calendar:Start"/><t:FieldURIOrConstant><t:Constant Value="2030-06-04T00:00:00Z"/></t:FieldURIOrConstant></t:IsGreaterThan>
                  </t:Or></t:And></m:Restriction>"#,
                tag_uri()
            ),
            paging,
            "",
        ))
        .await;
    assert_eq!(subjects(&combined), vec!["item 2", "item 4"]);

    let sort = r#"<m:SortOrder><t:FieldOrder Order="Descending"><t:FieldURI FieldURI="calendar:Start"/></t:FieldOrder></m:SortOrder>"#;
    let first_page = ews
        .call(&indexed(
            "",
            r#"<m:IndexedPageItemView MaxEntriesReturned="2" Offset="0" BasePoint="Beginning"/>"#,
            sort,
        ))
        .await;
    assert_eq!(subjects(&first_page), vec!["item 5", "item 4"]);
    let root = first_page.first("RootFolder");
    assert_eq!(
        (
            root.attribute("IndexedPagingOffset"),
            root.attribute("TotalItemsInView"),
            root.attribute("IncludesLastItemInRange")
        ),
        (Some("2"), Some("5"), Some("false"))
    );
    let last_page = ews
        .call(&indexed(
            "",
            r#"<m:IndexedPageItemView MaxEntriesReturned="2" Offset="4" BasePoint="Beginning"/>"#,
            sort,
        ))
        .await;
    assert_eq!(subjects(&last_page), vec!["item 1"]);
    assert_eq!(
        last_page
            .first("RootFolder")
            .attribute("IncludesLastItemInRange"),
        Some("true")
    );
    let from_end = ews
        .call(&indexed(
            "",
            r#"<m:IndexedPageItemView MaxEntriesReturned="2" Offset="0" BasePoint="End"/>"#,
            sort,
        ))
        .await;
    assert_eq!(subjects(&from_end), vec!["item 2", "item 1"]);
    let excludes = ews
        .call(&indexed(r#"<m:Restriction><t:Excludes><t:FieldURI FieldURI="item:Subject"/><t:Bitmask Value="1"/></t:Excludes></m:Restriction>"#, paging, ""))
        .await;
    assert_eq!(excludes.codes(), vec!["ErrorUnsupportedQueryFilter"]);
}

#[tokio::test]
async fn find_count_limit_is_1000() {
    let sim = start().await;
    let mailbox = sim.mailbox(JAN).unwrap();
    let base = Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap();
    for n in 0..1001 {
        let start = base + Duration::hours(n);
        mailbox
            .create(
                &ItemPatch::new()
                    .subject("bulk")
                    .start(start)
                    .end(start + Duration::minutes(30)),
            )
            .unwrap();
    }
    let ews = Ews::jan(&sim);
    let unpaged = ews.call(&indexed("", "", "")).await;
    assert_eq!(unpaged.codes(), vec!["ErrorExceededFindCountLimit"]);
    assert!(
        unpaged
            .text
            .contains(r#"<t:Value Name="PolicyLimit">1000</t:Value>"#),
        "{}",
        &unpaged.text[..600]
    );
    let page = ews.call(&indexed("", r#"<m:IndexedPageItemView MaxEntriesReturned="1000" Offset="0" BasePoint="Beginning"/>"#, "")).await;
    assert_eq!(page.codes(), vec!["NoError"]);
    assert_eq!(page.all("CalendarItem").len(), 1000);
    assert_eq!(
        page.first("RootFolder")
            .attribute("IncludesLastItemInRange"),
        Some("false")
    );
    let old_client = ews
        .post(envelope(Some("Exchange2010_SP1"), "", &indexed("", "", "")))
        .await;
    assert_eq!(
        old_client.codes(),
        vec!["ErrorServerBusy"],
        "2010 clients see the overrun as ErrorServerBusy"
    );
}

#[tokio::test]
async fn get_folder_reports_the_calendar_and_other_well_known_folders() {
    let sim = start().await;
    let ews = Ews::jan(&sim);
    create(&ews, "a", "2030-01-01T10:00:00Z", "2030-01-01T11:00:00Z").await;
    create(&ews, "b", "2030-01-01T12:00:00Z", "2030-01-01T13:00:00Z").await;
    let folder = |shape: &str, ids: &str| {
        format!(
            r#"<m:GetFolder><m:FolderShape><t:BaseShape>{shape}</t:BaseShape></m:FolderShape><m:FolderIds>{ids}</m:FolderIds></m:GetFolder>"#
        )
    };
    let calendar = ews
        .call(&folder(
            "AllProperties",
            r#"<t:DistinguishedFolderId Id="calendar"/><t:DistinguishedFolderId Id="root"/>"#,
        ))
        .await;
    assert_eq!(calendar.codes(), vec!["NoError", "NoError"]);
    assert_eq!(
        calendar
            .first("CalendarFolder")
            .child_text("TotalCount")
            .as_deref(),
        Some("2")
    );
    assert_eq!(
        calendar
            .first("CalendarFolder")
            .child_text("FolderClass")
            .as_deref(),
        Some("IPF.Appointment")
    );
    assert_eq!(
        calendar
            .first("CalendarFolder")
            .child_text("DisplayName")
            .as_deref(),
        Some("Calendar")
    );
    assert_eq!(
        calendar
            .first("CalendarFolder")
            .child_text("ChildFolderCount")
            .as_deref(),
        Some("0")
    );
    assert_eq!(
        calendar
            .first("Folder")
            .child_text("DisplayName")
            .as_deref(),
        Some("Root")
    );
    let folder_id = calendar
        .first("FolderId")
        .attribute("Id")
        .unwrap()
        .to_owned();
    let by_id = ews
        .call(&folder(
            "IdOnly",
            &format!(r#"<t:FolderId Id="{folder_id}"/>"#),
        ))
        .await;
    assert_eq!(
        by_id.first("FolderId").attribute("Id"),
        Some(folder_id.as_str())
    );
    let bad_id = ews
        .call(&folder("IdOnly", r#"<t:FolderId Id="AAMk"/>"#))
        .await;
    assert_eq!(bad_id.codes(), vec!["ErrorInvalidIdMalformed"]);
    let unknown = ews
        .call(&folder(
            "IdOnly",
            r#"<t:DistinguishedFolderId Id="nonsense"/>"#,
        ))
        .await;
    assert_eq!(
        (unknown.status, unknown.fault_code()),
        (500, "ErrorSchemaValidation".to_owned())
    );
}

#[tokio::test]
async fn other_mailboxes_need_delegate_rights_or_impersonation() {
    let sim = start().await;
    let jan = Ews::jan(&sim);
    let calendar_of = |address: &str| {
        format!(
            r#"<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="calendar"><t:Mailbox><t:EmailAddress>{address}</t:EmailAddress></t:Mailbox></t:DistinguishedFolderId></m:FolderIds></m:GetFolder>"#
        )
    };
    assert_eq!(jan.call(&calendar_of(PIET)).await.codes(), vec!["NoError"]);
    assert_eq!(
        jan.call(&calendar_of(BOSS)).await.codes(),
        vec!["ErrorAccessDenied"]
    );
    assert_eq!(
        jan.call(&calendar_of("ghost@ohsim.example")).await.codes(),
        vec!["ErrorNonExistentMailbox"]
    );

    let impersonate = |address: &str| {
        format!(
            r#"<t:ExchangeImpersonation><t:ConnectingSID><t:SmtpAddress>{address}</t:SmtpAddress></t:ConnectingSID></t:ExchangeImpersonation>"#
        )
    };
    let body = create_body("<t:Subject>namens</t:Subject>");
    let denied = jan
        .post(envelope(Some("Exchange2016"), &impersonate(PIET), &body))
        .await;
    assert_eq!(
        (denied.status, denied.fault_code()),
        (500, "ErrorImpersonateUserDenied".to_owned())
    );
    let boss = Ews::new(&sim, "boss@ohsim.example", "pw-boss");
    let created = boss
        .post(envelope(Some("Exchange2016"), &impersonate(PIET), &body))
        .await;
    assert_eq!(created.codes(), vec!["NoError"]);
    assert_eq!(
        sim.mailbox(PIET).unwrap().items().len(),
        1,
        "the item lands in the impersonated mailbox"
    );
    assert!(sim.mailbox(BOSS).unwrap().items().is_empty());
    let unknown = boss
        .post(envelope(
            Some("Exchange2016"),
            &impersonate("ghost@ohsim.example"),
            &body,
        ))
        .await;
    assert_eq!(
        (unknown.status, unknown.fault_code()),
        (500, "ErrorNonExistentMailbox".to_owned())
    );
}

#[tokio::test]
async fn unsupported_unknown_and_malformed_requests_get_ews_errors() {
    let sim = start().await;
    let ews = Ews::jan(&sim);
    let unsupported = ews.call("<m:Frobnicate/>").await;
    assert_eq!(
        (unsupported.status, unsupported.fault_code()),
        (500, "ErrorSchemaValidation".to_owned())
    );
    let availability = ews.call("<m:GetUserAvailabilityRequest/>").await;
    assert_eq!(
        (availability.status, availability.codes()),
        (200, vec!["ErrorInvalidOperation".to_owned()])
    );
    assert_eq!(availability.all("GetUserAvailabilityResponse").len(), 1);
    let other = ews
        .call(r#"<m:GetServerTimeZones ReturnFullTimeZoneData="false"/>"#)
        .await;
    assert_eq!(
        (other.status, other.codes()),
        (200, vec!["ErrorInvalidOperation".to_owned()])
    );
    assert_eq!(
        other
            .first("GetServerTimeZonesResponseMessage")
            .attribute("ResponseClass"),
        Some("Error")
    );
    let broken = ews
        .post("<soap:Envelope><soap:Body><m:GetItem>".to_owned())
        .await;
    assert_eq!(
        (broken.status, broken.fault_code()),
        (500, "ErrorSchemaValidation".to_owned())
    );
    assert!(broken.all("Header").is_empty(), "faults carry no header");
    let not_soap = ews.post("<Hello/>".to_owned()).await;
    assert_eq!(not_soap.fault_code(), "ErrorSchemaValidation");
    let client = reqwest::Client::new();
    let get = client
        .get(sim.url())
        .basic_auth(r"OHSIM\jan", Some(crate::common::PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), 405);
    let wrong_path = client
        .post(sim.url().replace("Exchange.asmx", "Other.asmx"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_path.status(), 404);
}

#[tokio::test]
async fn resolve_names_finds_configured_users() {
    let sim = start().await;
    let ews = Ews::jan(&sim);
    let found = ews.call(r#"<m:ResolveNames ReturnFullContactData="false"><m:UnresolvedEntry>piet</m:UnresolvedEntry></m:ResolveNames>"#).await;
    assert_eq!(found.codes(), vec!["NoError"]);
    assert_eq!(found.text_of("EmailAddress"), PIET);
    let none = ews.call(r#"<m:ResolveNames ReturnFullContactData="false"><m:UnresolvedEntry>nobody</m:UnresolvedEntry></m:ResolveNames>"#).await;
    assert_eq!(none.codes(), vec!["ErrorNameResolutionNoResults"]);
}

#[tokio::test]
async fn outlook_side_edits_are_visible_over_ews() {
    let sim = start().await;
    let mailbox = sim.mailbox(JAN).unwrap();
    let start = Utc.with_ymd_and_hms(2030, 2, 3, 9, 0, 0).unwrap();
    let seeded = mailbox
        .create(
            &ItemPatch::new()
                .subject("uit Outlook")
                .start(start)
                .end(start + Duration::hours(1)),
        )
        .unwrap();
    let ews = Ews::jan(&sim);
    let shape = "<t:BaseShape>IdOnly</t:BaseShape><t:AdditionalProperties><t:FieldURI FieldURI=\"item:Subject\"/></t:AdditionalProperties>";
    let before = ews.call(&get_body(shape, &[&seeded.item_id])).await;
    assert_eq!(before.text_of("Subject"), "uit Outlook");
    assert_eq!(
        before.first("ItemId").attribute("ChangeKey"),
        Some(seeded.change_key.as_str())
    );
    let edited = mailbox
        .edit(
            &seeded.item_id,
            &ItemPatch::new().subject("aangepast in Outlook"),
        )
        .unwrap();
    assert_ne!(edited.change_key, seeded.change_key);
    let after = ews.call(&get_body(shape, &[&seeded.item_id])).await;
    assert_eq!(after.text_of("Subject"), "aangepast in Outlook");
    assert_eq!(
        after.first("ItemId").attribute("ChangeKey"),
        Some(edited.change_key.as_str())
    );
    mailbox.delete(&seeded.item_id).unwrap();
    assert_eq!(
        ews.call(&get_body(shape, &[&seeded.item_id])).await.codes(),
        vec!["ErrorItemNotFound"]
    );
    assert!(
        mailbox
            .edit(&seeded.item_id, &ItemPatch::new().subject("x"))
            .is_err()
    );
}

/// PidLidGlobalObjectId as clients address it.
const GLOBAL_OBJECT_ID: &str = r#"<t:ExtendedFieldURI DistinguishedPropertySetId="Meeting" PropertyId="3" PropertyType="Binary"/>"#;

fn global_object_id_equals(value: &str) -> String {
    format!(
        r#"<t:IsEqualTo>{GLOBAL_OBJECT_ID}<t:FieldURIOrConstant><t:Constant Value="{value}"/></t:FieldURIOrConstant></t:IsEqualTo>"#
    )
}

/// The base64 of a hex UID's bytes, computed here independently of the simulator.
fn hex_uid_base64(uid: &str) -> String {
    use base64::Engine;
    let bytes: Vec<u8> = (0..uid.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(&uid[at..at + 2], 16).unwrap())
        .collect();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[tokio::test]
async fn items_are_found_by_their_global_object_id_derived_from_the_uid() {
    let sim = start().await;
    let mailbox = sim.mailbox(JAN).unwrap();
    let base = Utc.with_ymd_and_hms(2030, 6, 1, 9, 0, 0).unwrap();
    let items: Vec<_> = (1..=3)
        .map(|n| {
            let patch = ItemPatch::new()
                .subject(&format!("item {n}"))
                .start(base + Duration::days(n))
                .end(base + Duration::days(n) + Duration::hours(1));
            mailbox.create(&patch).unwrap()
        })
        .collect();
    let ews = Ews::jan(&sim);
    let foreign = ews
        .call(&create_body(
            "<t:Subject>item 4</t:Subject><t:UID>event-4@example.org</t:UID><t:Start>2030-06-05T09:00:00Z</t:Start><t:End>2030-06-05T10:00:00Z</t:End>",
        ))
        .await;
    assert_eq!(foreign.codes(), vec!["NoError"], "{}", foreign.text);
    let paging =
        r#"<m:IndexedPageItemView MaxEntriesReturned="10" Offset="0" BasePoint="Beginning"/>"#;
    let wanted = [
        hex_uid_base64(&items[0].uid),
        hex_uid_base64(&items[2].uid),
        // vCal-Uid-wrapped "event-4@example.org" (MS-OXCICAL), written out by hand.
        "BAAAAIIA4AB0xbcQGoLgCAAAAAAAAAAAAAAAAAAAAAAAAAAAIAAAAHZDYWwtVWlkAQAAAGV2ZW50LTRAZXhhbXBsZS5vcmcA"
            .to_owned(),
    ];
    let or: String = wanted.iter().map(|v| global_object_id_equals(v)).collect();
    let found = ews
        .call(&indexed(
            &format!("<m:Restriction><t:Or>{or}</t:Or></m:Restriction>"),
            paging,
            "",
        ))
        .await;
    assert_eq!(found.codes(), vec!["NoError"], "{}", found.text);
    assert_eq!(subjects(&found), vec!["item 1", "item 3", "item 4"]);

    // Binary compares byte for byte: the same text in another case is another value.
    let recased = ews
        .call(&indexed(
            &format!(
                "<m:Restriction>{}</m:Restriction>",
                global_object_id_equals(&wanted[0].to_lowercase())
            ),
            paging,
            "",
        ))
        .await;
    assert!(subjects(&recased).is_empty());

    let shown = ews
        .call(&get_body(
            &format!(
                "<t:BaseShape>IdOnly</t:BaseShape><t:AdditionalProperties>{GLOBAL_OBJECT_ID}</t:AdditionalProperties>"
            ),
            &[&items[1].item_id],
        ))
        .await;
    assert_eq!(
        shown.first("ExtendedProperty").child_text("Value"),
        Some(hex_uid_base64(&items[1].uid))
    );
}
