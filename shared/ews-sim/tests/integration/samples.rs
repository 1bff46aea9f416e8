//! The real client requests in ews-samples: each must be understood by the request parser, and each
//! replayed at a live simulator must get the answer Exchange would give.

use std::path::PathBuf;

use ohsync_ews_sim::request::properties::ItemProperties;
use ohsync_ews_sim::request::restriction::Restriction;
use ohsync_ews_sim::request::shape::BaseShape;
use ohsync_ews_sim::request::target::{FolderRef, ItemRef};
use ohsync_ews_sim::request::{ConflictResolution, Operation, Update, View};
use ohsync_ews_sim::soap::envelope::{ImpersonationTarget, SoapRequest, read};
use ohsync_ews_sim::{SimConfig, SimUser};

use crate::common::{Ews, start_with};

fn samples_dir() -> PathBuf {
    std::env::var_os("EWS_SAMPLES_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/ews-samples")
        })
}

/// Every `*_request_*.xml` file, sorted; fails when the folder is missing or has none.
fn request_samples() -> Vec<(String, String)> {
    let dir = samples_dir();
    let entries = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("samples folder {}: {error}", dir.display()));
    let mut samples: Vec<(String, String)> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("_request_") && name.ends_with(".xml"))
        .map(|name| {
            let text = std::fs::read_to_string(dir.join(&name)).unwrap();
            (name, text)
        })
        .collect();
    samples.sort();
    assert!(
        !samples.is_empty(),
        "no request samples in {}",
        dir.display()
    );
    samples
}

fn subjects(items: &[ItemProperties]) -> Vec<String> {
    items
        .iter()
        .filter_map(|item| {
            item.fields
                .iter()
                .find(|(_, element)| element.name == "Subject")
                .map(|(_, element)| element.text())
        })
        .collect()
}

fn field_text(item: &ItemProperties, name: &str) -> Option<String> {
    item.fields
        .iter()
        .find(|(_, element)| element.name == name)
        .map(|(_, element)| element.text())
}

fn check(name: &str, request: &SoapRequest, operation: &Operation) {
    let version = request.header.version.as_deref();
    match (name, operation) {
        (
            "createitem_calendaritem_request_1.xml",
            Operation::CreateItem {
                send_invitations,
                saved_folder,
                items,
            },
        ) => {
            assert_eq!(version, None);
            assert_eq!(send_invitations.as_deref(), Some("SendToAllAndSaveCopy"));
            assert_eq!(
                saved_folder,
                &Some(FolderRef::Distinguished {
                    name: "calendar".into(),
                    mailbox: None
                })
            );
            assert_eq!(subjects(items), vec!["Planning Meeting"]);
            assert_eq!(
                field_text(&items[0], "Start").as_deref(),
                Some("2006-11-02T14:00:00")
            );
            assert_eq!(
                field_text(&items[0], "ReminderMinutesBeforeStart").as_deref(),
                Some("60")
            );
            assert!(
                items[0]
                    .fields
                    .iter()
                    .any(|(_, e)| e.name == "RequiredAttendees" && e.elements().count() == 2)
            );
        }
        (
            "createitem_calendaritem_request_2.xml",
            Operation::CreateItem {
                send_invitations,
                items,
                ..
            },
        ) => {
            assert_eq!(version, Some("Exchange2010"));
            assert_eq!(send_invitations.as_deref(), Some("SendToNone"));
            assert_eq!(
                subjects(items),
                vec!["Appointment created using Central time zone"]
            );
            assert_eq!(items[0].extended.len(), 1);
            assert_eq!(
                items[0].extended[0].1.texts(),
                vec!["(UTC-06:00) Central Time (US & Canada)"]
            );
            assert!(
                items[0]
                    .fields
                    .iter()
                    .any(|(_, e)| e.name == "StartTimeZone"
                        && e.attribute("Id") == Some("Central Standard Time"))
            );
        }
        (
            "createitem_calendaritem_request_3.xml",
            Operation::CreateItem {
                send_invitations,
                items,
                ..
            },
        ) => {
            assert_eq!(version, Some("Exchange2007_SP1"));
            assert_eq!(
                request.header.time_zone.as_deref(),
                Some("Pacific Standard Time")
            );
            assert_eq!(send_invitations.as_deref(), Some("SendToAllAndSaveCopy"));
            assert_eq!(subjects(items), vec!["Team building exercise"]);
            assert!(
                items[0]
                    .fields
                    .iter()
                    .any(|(_, e)| e.name == "MeetingTimeZone")
            );
        }
        ("createitem_calendaritem_request_4.xml", Operation::CreateItem { items, .. }) => {
            assert_eq!(
                request.header.time_zone.as_deref(),
                Some("Pacific Standard Time")
            );
            assert_eq!(subjects(items), vec!["Weekly Update Meeting"]);
            assert!(
                items[0]
                    .fields
                    .iter()
                    .any(|(_, e)| e.name == "Recurrence" && e.child("WeeklyRecurrence").is_some())
            );
        }
        (
            "createitem_calendaritem_request_5.xml",
            Operation::CreateItem {
                send_invitations,
                items,
                ..
            },
        ) => {
            assert_eq!(send_invitations.as_deref(), Some("SendToNone"));
            assert_eq!(subjects(items), vec!["Vacation"]);
            assert_eq!(
                field_text(&items[0], "IsAllDayEvent").as_deref(),
                Some("true")
            );
            assert_eq!(
                field_text(&items[0], "LegacyFreeBusyStatus").as_deref(),
                Some("OOF")
            );
        }
        ("createitem_impersonation_request_1.xml", Operation::CreateItem { items, .. }) => {
            assert_eq!(version, Some("Exchange2013"));
            assert_eq!(
                request.header.impersonation,
                Some(ImpersonationTarget::Smtp("alfred@contoso.com".into()))
            );
            assert_eq!(subjects(items), vec!["Tennis lesson"]);
        }
        (
            "deleteitem_calendaritem_request_1.xml",
            Operation::DeleteItem {
                delete_type,
                send_cancellations,
                items,
            },
        ) => {
            assert_eq!(delete_type, "MoveToDeletedItems");
            assert_eq!(send_cancellations.as_deref(), Some("SendToAllAndSaveCopy"));
            assert_eq!(
                items,
                &vec![ItemRef::Id {
                    id: "AAMkA".into(),
                    change_key: Some("DwAAA".into())
                }]
            );
        }
        ("deleteitem_occurrence_request_1.xml", Operation::DeleteItem { items, .. }) => {
            assert_eq!(
                items,
                &vec![ItemRef::Occurrence {
                    master_id: "AAMkADA8...".into(),
                    index: 3,
                    change_key: None
                }]
            );
        }
        (
            "finditem_calendarview_request_1.xml",
            Operation::FindItem {
                shape,
                view,
                folders,
                restriction,
                ..
            },
        ) => {
            assert_eq!(shape.base, BaseShape::IdOnly);
            assert_eq!(shape.additional.len(), 3);
            match view {
                View::Calendar { start, end, max } => {
                    assert_eq!(start.to_rfc3339(), "2013-08-21T17:30:24.127+00:00");
                    assert_eq!(end.to_rfc3339(), "2013-09-20T17:30:24.127+00:00");
                    assert_eq!(*max, Some(5));
                }
                other => panic!("expected a CalendarView, got {other:?}"),
            }
            assert_eq!(folders, &vec![FolderRef::Id("AAMk".into())]);
            assert!(restriction.is_none());
        }
        (
            "finditem_extendedproperty_request_1.xml",
            Operation::FindItem {
                shape,
                view,
                restriction,
                sort,
                folders,
            },
        ) => {
            assert_eq!(shape.additional.len(), 4);
            assert_eq!(
                view,
                &View::Indexed {
                    max: Some(10),
                    offset: 0,
                    from_end: false
                }
            );
            assert!(matches!(restriction, Some(Restriction::And(parts)) if parts.len() == 2));
            assert_eq!(sort.len(), 1);
            assert!(sort[0].descending);
            assert_eq!(
                folders,
                &vec![FolderRef::Distinguished {
                    name: "inbox".into(),
                    mailbox: None
                }]
            );
        }
        ("getfolder_calendar_request_1.xml", Operation::GetFolder { shape, folders }) => {
            assert_eq!(shape.base, BaseShape::IdOnly);
            assert_eq!(
                folders,
                &vec![FolderRef::Distinguished {
                    name: "calendar".into(),
                    mailbox: None
                }]
            );
        }
        ("getitem_calendaritem_request_1.xml", Operation::GetItem { shape, items }) => {
            assert_eq!(shape.additional.len(), 7);
            assert_eq!(
                items,
                &vec![ItemRef::Id {
                    id: "AAMkAD".into(),
                    change_key: Some("DwAAAB".into())
                }]
            );
        }
        ("getitem_occurrence_request_1.xml", Operation::GetItem { items, .. }) => {
            assert_eq!(
                items,
                &vec![ItemRef::Occurrence {
                    master_id: "AAMkA".into(),
                    index: 1,
                    change_key: None
                }]
            );
        }
        (
            "syncfolderitems_request_1.xml",
            Operation::SyncFolderItems {
                shape,
                folder,
                state,
                ignore,
                max_changes,
            },
        ) => {
            assert_eq!(shape.base, BaseShape::Default);
            assert_eq!(
                folder,
                &FolderRef::Distinguished {
                    name: "sentitems".into(),
                    mailbox: None
                }
            );
            assert_eq!(state.as_deref(), Some("AEbJ94eMOAAA="));
            assert_eq!(ignore.len(), 1);
            assert_eq!(*max_changes, 100);
        }
        (
            "syncfolderitems_request_2.xml",
            Operation::SyncFolderItems {
                shape,
                folder,
                state,
                max_changes,
                ..
            },
        ) => {
            assert_eq!(shape.base, BaseShape::IdOnly);
            assert_eq!(
                folder,
                &FolderRef::Distinguished {
                    name: "inbox".into(),
                    mailbox: None
                }
            );
            assert_eq!(state, &None);
            assert_eq!(*max_changes, 10);
        }
        (
            "updateitem_calendaritem_request_1.xml",
            Operation::UpdateItem {
                conflict,
                send,
                changes,
            },
        ) => {
            assert_eq!(*conflict, ConflictResolution::AlwaysOverwrite);
            assert_eq!(send.as_deref(), Some("SendToAllAndSaveCopy"));
            assert_eq!(changes.len(), 1);
            assert_eq!(changes[0].updates.len(), 4);
            assert!(
                changes[0]
                    .updates
                    .iter()
                    .all(|update| matches!(update, Update::Set { .. }))
            );
            assert_eq!(
                changes[0].target,
                ItemRef::Id {
                    id: "AAMkA".into(),
                    change_key: Some("DwAAA".into())
                }
            );
        }
        (name, operation) => panic!("no expectation for {name} ({})", operation.name()),
    }
}

#[test]
fn request_samples_are_understood_by_the_parser() {
    let samples = request_samples();
    for (name, text) in &samples {
        let request = read(text).unwrap_or_else(|error| panic!("{name}: {error}"));
        let operation =
            Operation::parse(&request.operation).unwrap_or_else(|error| panic!("{name}: {error}"));
        check(name, &request, &operation);
    }
    assert!(
        samples.len() >= 16,
        "only {} request samples",
        samples.len()
    );
}

#[tokio::test]
async fn request_samples_replayed_at_a_live_server_get_exchange_answers() {
    let config = SimConfig::default()
        .with_user(SimUser::new("CONTOSO", "admin", "pw", "admin@contoso.com").with_impersonation())
        .with_user(SimUser::new(
            "CONTOSO",
            "alfred",
            "pw-alfred",
            "alfred@contoso.com",
        ));
    let sim = start_with(config).await;
    let ews = Ews::new(&sim, r"CONTOSO\admin", "pw");
    let expected = [
        ("createitem_calendaritem_request_1.xml", 200, "NoError"),
        ("createitem_calendaritem_request_2.xml", 200, "NoError"),
        ("createitem_calendaritem_request_3.xml", 200, "NoError"),
        ("createitem_calendaritem_request_4.xml", 200, "NoError"),
        ("createitem_calendaritem_request_5.xml", 200, "NoError"),
        ("createitem_impersonation_request_1.xml", 200, "NoError"),
        (
            "deleteitem_calendaritem_request_1.xml",
            200,
            "ErrorInvalidIdMalformed",
        ),
        (
            "deleteitem_occurrence_request_1.xml",
            200,
            "ErrorInvalidIdMalformed",
        ),
        (
            "finditem_calendarview_request_1.xml",
            200,
            "ErrorInvalidIdMalformed",
        ),
        ("finditem_extendedproperty_request_1.xml", 200, "NoError"),
        ("getfolder_calendar_request_1.xml", 200, "NoError"),
        (
            "getitem_calendaritem_request_1.xml",
            200,
            "ErrorInvalidIdMalformed",
        ),
        (
            "getitem_occurrence_request_1.xml",
            200,
            "ErrorInvalidIdMalformed",
        ),
        (
            "syncfolderitems_request_1.xml",
            200,
            "ErrorInvalidSyncStateData",
        ),
        ("syncfolderitems_request_2.xml", 200, "NoError"),
        (
            "updateitem_calendaritem_request_1.xml",
            200,
            "ErrorInvalidIdMalformed",
        ),
    ];
    let samples = request_samples();
    assert_eq!(
        samples.len(),
        expected.len(),
        "every sample has an expected answer"
    );
    for ((name, text), (expected_name, status, code)) in samples.iter().zip(expected) {
        assert_eq!(name, expected_name);
        let reply = ews.post(text.clone()).await;
        assert_eq!(
            (reply.status, reply.codes()),
            (status, vec![code.to_owned()]),
            "{name}: {}",
            reply.text
        );
    }
    let admin = sim.mailbox("admin@contoso.com").unwrap().items();
    let alfred = sim.mailbox("alfred@contoso.com").unwrap().items();
    assert_eq!(admin.len(), 5);
    assert_eq!(
        alfred
            .iter()
            .map(|item| item.subject.clone().unwrap())
            .collect::<Vec<_>>(),
        vec!["Tennis lesson"]
    );
    let vacation = admin
        .iter()
        .find(|item| item.subject.as_deref() == Some("Vacation"))
        .unwrap();
    assert!(vacation.is_all_day);
    assert_eq!(
        vacation.start.to_rfc3339(),
        "2014-06-09T04:00:00+00:00",
        "already midnight in Eastern time"
    );
    let central = admin
        .iter()
        .find(|item| {
            item.subject
                .as_deref()
                .is_some_and(|s| s.contains("Central"))
        })
        .unwrap();
    assert_eq!(
        central.start.to_rfc3339(),
        "2023-02-08T00:00:00+00:00",
        "naive 18:00 read in Central Standard Time"
    );
    let weekly = admin
        .iter()
        .find(|item| item.subject.as_deref() == Some("Weekly Update Meeting"))
        .unwrap();
    assert!(weekly.is_recurring_master);
}
