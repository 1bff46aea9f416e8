//! Client operations end to end over a socket: sync paging, tag search paging, GetItem batching
//! and server-version recording.

// Test code: a failed unwrap is a failed assertion.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use ohsync_ews::model::{ItemShape, SyncChange};
use ohsync_ews::transport::AddressPolicy;
use ohsync_ews::{
    BasicAuth, EwsClient, ExchangeVersion, ItemId, OhsyncTag, RetryPolicy, TransportConfig,
};
use secrecy::SecretString;
use support::{Reply, TestServer};

const HEAD: &str = r#"<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header><h:ServerVersionInfo MajorVersion="14" MinorVersion="3" MajorBuildNumber="195" MinorBuildNumber="1" Version="Exchange2010_SP2" xmlns:h="http://schemas.microsoft.com/exchange/services/2006/types"/></s:Header><s:Body>"#;
const TAIL: &str = "</s:Body></s:Envelope>";
const NS: &str = r#"xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types""#;

fn client(server: &TestServer, batch_size: usize) -> EwsClient {
    let auth = BasicAuth::new("jan", SecretString::from("pw")).unwrap();
    EwsClient::builder(server.http_url(), auth, ExchangeVersion::Exchange2010Sp2)
        .transport(TransportConfig {
            allow_http_hosts: vec!["127.0.0.1".into()],
            address_policy: AddressPolicy::new("127.0.0.1".parse().unwrap()),
            ..TransportConfig::default()
        })
        .retry(RetryPolicy {
            base_delay: Duration::from_millis(5),
            ..RetryPolicy::default()
        })
        .batch_size(batch_size)
        .build()
        .unwrap()
}

fn sync_page(state: &str, last: bool, changes: &str) -> String {
    format!(
        r#"{HEAD}<m:SyncFolderItemsResponse {NS}><m:ResponseMessages><m:SyncFolderItemsResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:SyncState>{state}</m:SyncState><m:IncludesLastItemInRange>{last}</m:IncludesLastItemInRange><m:Changes>{changes}</m:Changes></m:SyncFolderItemsResponseMessage></m:ResponseMessages></m:SyncFolderItemsResponse>{TAIL}"#
    )
}

fn calendar_item(id: &str, tag: Option<&str>) -> String {
    let tag = tag.map_or_else(String::new, |value| {
        format!(
            r#"<t:ExtendedProperty><t:ExtendedFieldURI PropertySetId="0f4d47ed-80b5-4901-a571-af5ef03136a5" PropertyName="ohsync-id" PropertyType="String"/><t:Value>{value}</t:Value></t:ExtendedProperty>"#
        )
    });
    format!(
        r#"<t:CalendarItem><t:ItemId Id="{id}" ChangeKey="CK-{id}"/><t:Subject>Item {id}</t:Subject>{tag}<t:Start>2026-03-02T09:00:00Z</t:Start><t:End>2026-03-02T10:00:00Z</t:End><t:CalendarItemType>Single</t:CalendarItemType></t:CalendarItem>"#
    )
}

#[tokio::test]
async fn sync_pages_carry_each_state_to_the_next_call() {
    let server = TestServer::scripted(|_, n| {
        let page = match n {
            0 => sync_page(
                "STATE-1",
                false,
                &format!(
                    "<t:Create>{}</t:Create><t:Create>{}</t:Create>",
                    calendar_item("A", Some("acme:1")),
                    calendar_item("B", None)
                ),
            ),
            _ => sync_page(
                "STATE-2",
                true,
                r#"<t:Delete><t:ItemId Id="C" ChangeKey="CK-C"/></t:Delete>"#,
            ),
        };
        Reply::xml(200, &page)
    })
    .await;
    let client = client(&server, 100);
    let mut pager = client.sync_pages(None, 512, ItemShape::Relevance);
    let first = pager.next_page().await.unwrap().unwrap();
    assert_eq!(pager.sync_state(), Some("STATE-1"));
    assert_eq!(first.changes.len(), 2);
    let SyncChange::Create(tagged) = &first.changes[0] else {
        panic!("expected a create")
    };
    assert_eq!(tagged.ohsync_tag(), OhsyncTag::new("acme", "1").ok());
    let second = pager.next_page().await.unwrap().unwrap();
    assert_eq!(
        second.changes,
        [SyncChange::Delete(ItemId::new("C", "CK-C"))]
    );
    assert!(pager.next_page().await.unwrap().is_none());
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert!(!requests[0].body_text().contains("SyncState"));
    assert!(
        requests[1]
            .body_text()
            .contains("<m:SyncState>STATE-1</m:SyncState>")
    );
    assert_eq!(
        client.server_version().unwrap().highest_request_version(),
        Some(ExchangeVersion::Exchange2010Sp2)
    );
}

#[tokio::test]
async fn sync_all_collects_every_page() {
    let server = TestServer::scripted(|_, n| {
        Reply::xml(
            200,
            &sync_page(
                &format!("S{n}"),
                n == 2,
                &format!(
                    "<t:Create>{}</t:Create>",
                    calendar_item(&n.to_string(), None)
                ),
            ),
        )
    })
    .await;
    let pages = client(&server, 100)
        .sync_folder_items_all(Some("S-start".into()), 1, ItemShape::IdOnly)
        .await
        .unwrap();
    let states: Vec<_> = pages.iter().map(|page| page.sync_state.as_str()).collect();
    assert_eq!(states, ["S0", "S1", "S2"]);
    assert!(
        server.requests()[0]
            .body_text()
            .contains("<m:SyncState>S-start</m:SyncState>")
    );
}

#[tokio::test]
async fn invalid_sync_state_is_reported_and_not_retried() {
    let server = TestServer::scripted(|_, _| {
        Reply::xml(
            200,
            &format!(
                r#"{HEAD}<m:SyncFolderItemsResponse {NS}><m:ResponseMessages><m:SyncFolderItemsResponseMessage ResponseClass="Error"><m:MessageText>Synchronization state data is corrupt or otherwise invalid.</m:MessageText><m:ResponseCode>ErrorInvalidSyncStateData</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey><m:SyncState/><m:IncludesLastItemInRange>true</m:IncludesLastItemInRange></m:SyncFolderItemsResponseMessage></m:ResponseMessages></m:SyncFolderItemsResponse>{TAIL}"#
            ),
        )
    })
    .await;
    let err = client(&server, 100)
        .sync_folder_items(Some("stale"), 100, ItemShape::Relevance)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "EWS_SYNC_STATE_INVALID");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn tag_search_pages_by_indexed_offset() {
    let server = TestServer::scripted(|_, n| {
        let (offset, last, items) = match n {
            0 => (2, false, [calendar_item("A", Some("acme:1")), calendar_item("B", Some("acme:2"))].concat()),
            _ => (3, true, calendar_item("C", Some("acme:3"))),
        };
        Reply::xml(
            200,
            &format!(
                r#"{HEAD}<m:FindItemResponse {NS}><m:ResponseMessages><m:FindItemResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:RootFolder IndexedPagingOffset="{offset}" TotalItemsInView="3" IncludesLastItemInRange="{last}"><t:Items>{items}</t:Items></m:RootFolder></m:FindItemResponseMessage></m:ResponseMessages></m:FindItemResponse>{TAIL}"#
            ),
        )
    })
    .await;
    let items = client(&server, 100)
        .find_tagged(ItemShape::Summary, 2)
        .await
        .unwrap();
    let tags: Vec<_> = items
        .iter()
        .map(|item| item.ohsync_tag().unwrap().officeheart_id().to_owned())
        .collect();
    assert_eq!(tags, ["1", "2", "3"]);
    let requests = server.requests();
    assert!(requests[0].body_text().contains(r#"Offset="0""#));
    assert!(requests[1].body_text().contains(r#"Offset="2""#));
    assert!(requests[1].body_text().contains("<t:Exists>"));
}

#[tokio::test]
async fn get_items_is_split_into_batches_with_one_result_per_id() {
    let server = TestServer::scripted(|request, _| {
        let body = request.body_text();
        let messages: String = ["A", "B", "C"]
            .iter()
            .filter(|id| body.contains(&format!(r#"Id="{id}""#)))
            .map(|id| {
                if *id == "B" {
                    r#"<m:GetItemResponseMessage ResponseClass="Error"><m:MessageText>The specified object was not found in the store.</m:MessageText><m:ResponseCode>ErrorItemNotFound</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey><m:Items/></m:GetItemResponseMessage>"#.to_owned()
                } else {
                    format!(
                        r#"<m:GetItemResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:Items>{}</m:Items></m:GetItemResponseMessage>"#,
                        calendar_item(id, None)
                    )
                }
            })
            .collect();
        Reply::xml(
            200,
            &format!(r#"{HEAD}<m:GetItemResponse {NS}><m:ResponseMessages>{messages}</m:ResponseMessages></m:GetItemResponse>{TAIL}"#),
        )
    })
    .await;
    let ids = [
        ItemId::new("A", "1"),
        ItemId::new("B", "1"),
        ItemId::without_change_key("C"),
    ];
    let results = client(&server, 2).get_items(&ids).await;
    assert_eq!(results.len(), 3);
    assert_eq!(
        results[0].as_ref().unwrap().subject.as_deref(),
        Some("Item A")
    );
    assert_eq!(
        results[1].as_ref().unwrap_err().code(),
        "EWS_ITEM_NOT_FOUND"
    );
    assert_eq!(
        results[2].as_ref().unwrap().subject.as_deref(),
        Some("Item C")
    );
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn server_version_is_recorded_from_a_fault_too() {
    let server = TestServer::scripted(|_, _| {
        Reply::xml(
            500,
            r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><soap:Header><t:ServerVersionInfo MajorVersion="8" MinorVersion="3" MajorBuildNumber="83" MinorBuildNumber="6"/></soap:Header><soap:Body><soap:Fault><faultcode>a:ErrorInvalidServerVersion</faultcode><faultstring>The specified server version is invalid.</faultstring></soap:Fault></soap:Body></soap:Envelope>"#,
        )
    })
    .await;
    let client = client(&server, 100);
    let err = client.get_calendar_folder().await.unwrap_err();
    assert_eq!(err.code(), "EWS_VERSION_REJECTED");
    let server_version = client.server_version().unwrap();
    assert_eq!(
        server_version.highest_request_version(),
        Some(ExchangeVersion::Exchange2007Sp1)
    );
    assert!(!server_version.accepts(client.requested_version()));
}
