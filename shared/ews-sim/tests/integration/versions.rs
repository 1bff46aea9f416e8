//! ServerVersionInfo per product and the refusal of too-new or unknown RequestServerVersions.

use ohsync_ews_sim::ServerVersion;

use crate::common::{Ews, envelope, get_calendar_folder, start_version};

const GET_FOLDER: &str = r#"<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="calendar"/></m:FolderIds></m:GetFolder>"#;

#[tokio::test]
async fn server_version_info_matches_the_product() {
    let cases = [
        (
            ServerVersion::Exchange2007Sp1,
            Some("Exchange2007_SP1"),
            ["8", "1"],
            None,
        ),
        (
            ServerVersion::Exchange2010Sp2,
            Some("Exchange2010_SP1"),
            ["14", "2"],
            Some("Exchange2010_SP1"),
        ),
        (
            ServerVersion::Exchange2013,
            Some("Exchange2013"),
            ["15", "0"],
            Some("V2_3"),
        ),
        (
            ServerVersion::Exchange2016,
            Some("Exchange2013_SP1"),
            ["15", "1"],
            Some("V2017_07_11"),
        ),
        (
            ServerVersion::Exchange2019,
            None,
            ["15", "2"],
            Some("V2017_07_11"),
        ),
    ];
    for (product, requested, [major, minor], version) in cases {
        let sim = start_version(product).await;
        let reply = Ews::jan(&sim)
            .post(envelope(requested, "", GET_FOLDER))
            .await;
        assert_eq!(reply.status, 200, "{product}");
        let info = reply.first("ServerVersionInfo");
        assert_eq!(
            (
                info.attribute("MajorVersion"),
                info.attribute("MinorVersion")
            ),
            (Some(major), Some(minor)),
            "{product}"
        );
        assert!(
            info.attribute("MajorBuildNumber")
                .is_some_and(|build| build.parse::<u32>().unwrap() > 100)
        );
        assert_eq!(info.attribute("Version"), version, "{product}");
        assert!(
            reply
                .text
                .contains(r#"xmlns:h="http://schemas.microsoft.com/exchange/services/2006/types""#)
        );
        assert!(
            reply.text.contains(
                r#"xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages""#
            )
        );
    }
}

#[tokio::test]
async fn too_new_or_unknown_versions_are_refused_with_the_products_fault() {
    let cases = [
        (
            ServerVersion::Exchange2007Sp1,
            "Exchange2010",
            "ErrorInvalidServerVersion",
        ),
        (
            ServerVersion::Exchange2010Sp2,
            "Exchange2013",
            "ErrorInvalidServerVersion",
        ),
        (
            ServerVersion::Exchange2013,
            "Exchange2016",
            "ErrorInvalidRequest",
        ),
        (
            ServerVersion::Exchange2019,
            "Exchange2019",
            "ErrorInvalidRequest",
        ),
        (ServerVersion::Exchange2016, "Banana", "ErrorInvalidRequest"),
    ];
    for (product, requested, code) in cases {
        let sim = start_version(product).await;
        let ews = Ews::jan(&sim);
        let reply = ews.post(envelope(Some(requested), "", GET_FOLDER)).await;
        assert_eq!(
            (reply.status, reply.fault_code()),
            (500, code.to_owned()),
            "{product} asked for {requested}"
        );
        assert!(
            reply.all("ServerVersionInfo").is_empty(),
            "faults have no header"
        );
        assert_eq!(reply.text_of("ResponseCode"), code);
        assert_eq!(
            sim.counters().soap_requests(),
            0,
            "refused before the operation runs"
        );
        assert_eq!(
            ews.post(envelope(None, "", GET_FOLDER)).await.status,
            200,
            "no RequestServerVersion is accepted"
        );
    }
    let sim = start_version(ServerVersion::Exchange2016).await;
    assert_eq!(Ews::jan(&sim).post(get_calendar_folder()).await.status, 200);
}
