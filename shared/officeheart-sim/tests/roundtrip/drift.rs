//! `openapi.yaml` against the code: operations, parameters, headers, schemas, enums, and the
//! statuses the simulator really answers.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use ohsync_officeheart::contract::{OPENAPI_YAML, Operation, headers};
use ohsync_officeheart::{
    Appointment, AppointmentData, AppointmentsPage, Change, ChangesPage, ErrorBody, ErrorCode,
    Exception, ModifiedOccurrence, Schedule, ShowAs,
};
use ohsync_oh_sim::Simulator;
use serde_json::{Value, json};

use crate::fixture::{TOKEN, acme, at, key, meeting, start, user};

fn contract() -> Value {
    serde_norway::from_str(OPENAPI_YAML).unwrap()
}

/// Follows a local `$ref` (`#/components/…`); other nodes are returned as they are.
fn resolve<'a>(doc: &'a Value, node: &'a Value) -> &'a Value {
    match node.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let target = doc
                .pointer(reference.trim_start_matches('#'))
                .unwrap_or_else(|| panic!("dangling {reference}"));
            resolve(doc, target)
        }
        None => node,
    }
}

fn method_key(operation: Operation) -> String {
    operation.method().as_str().to_ascii_lowercase()
}

fn operation_node(doc: &Value, operation: Operation) -> &Value {
    doc["paths"]
        .get(operation.path_template())
        .and_then(|path| path.get(method_key(operation)))
        .unwrap_or_else(|| panic!("{operation} is not in openapi.yaml"))
}

fn parameters(doc: &Value, operation: Operation) -> Vec<&Value> {
    let path_level = doc["paths"][operation.path_template()]["parameters"].as_array();
    let operation_level = operation_node(doc, operation)["parameters"].as_array();
    path_level
        .into_iter()
        .chain(operation_level)
        .flatten()
        .map(|parameter| resolve(doc, parameter))
        .collect()
}

fn names_in(params: &[&Value], location: &str) -> BTreeSet<String> {
    params
        .iter()
        .filter(|parameter| parameter["in"] == location)
        .map(|parameter| parameter["name"].as_str().unwrap().to_owned())
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|item| (*item).to_owned()).collect()
}

/// Properties (`required: false`) or required names (`true`) of a schema, across `allOf`.
fn schema_names(doc: &Value, schema: &str, required: bool) -> BTreeSet<String> {
    fn collect(doc: &Value, node: &Value, required: bool, into: &mut BTreeSet<String>) {
        let node = resolve(doc, node);
        if required {
            into.extend(
                node["required"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|n| n.as_str().unwrap().to_owned()),
            );
        } else {
            into.extend(
                node["properties"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(name, _)| name.clone()),
            );
        }
        for part in node["allOf"].as_array().into_iter().flatten() {
            collect(doc, part, required, into);
        }
    }
    let mut names = BTreeSet::new();
    collect(
        doc,
        &doc["components"]["schemas"][schema],
        required,
        &mut names,
    );
    names
}

fn keys(value: &impl serde::Serialize) -> BTreeSet<String> {
    serde_json::to_value(value)
        .unwrap()
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

fn enum_values(doc: &Value, pointer: &str) -> BTreeSet<String> {
    doc.pointer(pointer)
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_contract_has_exactly_the_clients_operations() {
    let doc = contract();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let documented: BTreeSet<(String, String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .iter()
                .filter(|(key, _)| *key != "parameters")
                .map(move |(method, op)| {
                    (
                        path.clone(),
                        method.clone(),
                        op["operationId"].as_str().unwrap().to_owned(),
                    )
                })
        })
        .collect();
    let coded: BTreeSet<_> = Operation::ALL
        .iter()
        .map(|op| {
            (
                op.path_template().to_owned(),
                method_key(*op),
                op.operation_id().to_owned(),
            )
        })
        .collect();
    assert_eq!(documented, coded);
}

#[test]
fn parameters_match_what_the_client_sends() {
    let doc = contract();
    for operation in Operation::ALL {
        let params = parameters(&doc, operation);
        assert_eq!(
            names_in(&params, "query"),
            set(operation.query_params()),
            "{operation} query"
        );
        let required_headers: BTreeSet<_> = params
            .iter()
            .filter(|parameter| parameter["in"] == "header" && parameter["required"] == true)
            .map(|parameter| parameter["name"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            required_headers,
            set(operation.required_headers()),
            "{operation} headers"
        );
        let placeholders: BTreeSet<_> = operation
            .path_template()
            .split('/')
            .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
            .map(str::to_owned)
            .collect();
        assert_eq!(names_in(&params, "path"), placeholders, "{operation} path");
    }
}

#[test]
fn success_responses_document_the_headers_the_client_reads() {
    let doc = contract();
    for operation in Operation::ALL {
        let success =
            &operation_node(&doc, operation)["responses"][operation.success_status().to_string()];
        assert!(
            success.is_object(),
            "{operation}: success status {} undocumented",
            operation.success_status()
        );
        let documented: BTreeSet<_> = success["headers"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(name, _)| name.clone())
            .collect();
        let expected: &[&str] = match operation {
            Operation::GetAppointment | Operation::UpdateAppointment => &[headers::ETAG],
            Operation::CreateAppointment => &[
                headers::ETAG,
                headers::LOCATION,
                headers::IDEMPOTENT_REPLAYED,
            ],
            _ => &[],
        };
        assert_eq!(documented, set(expected), "{operation}");
    }
    for response in ["RateLimited", "ServerError"] {
        assert!(
            doc["components"]["responses"][response]["headers"][headers::RETRY_AFTER].is_object(),
            "{response}"
        );
    }
}

/// A cancelled and a modified occurrence (timed, so that `all_day` may be left out), with every
/// optional field set.
fn exceptions() -> [Exception; 2] {
    let day = |d| NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
    [
        Exception::cancelled(day(9)),
        Exception::modified(
            day(16),
            ModifiedOccurrence {
                schedule: Schedule::timed(
                    at("2026-03-17T13:00:00+01:00"),
                    at("2026-03-17T14:00:00+01:00"),
                )
                .unwrap(),
                subject: "Verzet".to_owned(),
                location: "Kamer 3.02".to_owned(),
            },
        ),
    ]
}

fn full_appointment() -> Appointment {
    let mut data = meeting("Volledig", 0);
    data.recurrence = Some("FREQ=WEEKLY;BYDAY=MO".to_owned());
    data.exceptions = exceptions().to_vec();
    serde_json::from_value(json!({
        "id": "a1", "version": "v1",
        "created_at": "2026-02-20T08:12:03Z", "updated_at": "2026-02-21T14:40:00Z",
    }))
    .map(|mut appointment: Value| {
        appointment.as_object_mut().unwrap().extend(
            serde_json::to_value(&data)
                .unwrap()
                .as_object()
                .unwrap()
                .clone(),
        );
        serde_json::from_value(appointment).unwrap()
    })
    .unwrap()
}

#[test]
fn schemas_have_the_wire_types_property_names() {
    let doc = contract();
    let appointment = full_appointment();
    assert_eq!(schema_names(&doc, "Appointment", false), keys(&appointment));
    assert_eq!(
        schema_names(&doc, "Appointment", true),
        keys(&appointment),
        "every property is always sent"
    );
    assert_eq!(
        schema_names(&doc, "AppointmentInput", false),
        keys(&appointment.data)
    );

    let upserted = Change::Upserted(Box::new(appointment.clone()));
    let deleted = Change::Deleted {
        id: appointment.id.clone(),
        version: appointment.version.clone(),
    };
    assert_eq!(schema_names(&doc, "Change", false), keys(&upserted));
    assert_eq!(schema_names(&doc, "Change", true), keys(&deleted));

    let cursor: ohsync_officeheart::Cursor = "c1".parse().unwrap();
    let changes = ChangesPage {
        changes: vec![upserted],
        next_cursor: cursor.clone(),
        has_more: false,
    };
    assert_eq!(schema_names(&doc, "ChangesPage", false), keys(&changes));
    assert_eq!(schema_names(&doc, "ChangesPage", true), keys(&changes));
    let listing = AppointmentsPage {
        appointments: vec![appointment],
        next_page_token: None,
        feed_cursor: cursor,
    };
    assert_eq!(
        schema_names(&doc, "AppointmentsPage", false),
        keys(&listing)
    );
    assert_eq!(schema_names(&doc, "AppointmentsPage", true), keys(&listing));

    assert_eq!(
        schema_names(&doc, "Error", false),
        keys(&ErrorBody::for_field("subject", "too long"))
    );
    assert_eq!(
        schema_names(&doc, "Error", true),
        keys(&ErrorBody::new(ErrorCode::NotFound, "gone"))
    );
}

#[test]
fn each_exception_kind_has_its_schemas_property_names() {
    let doc = contract();
    let exception = &doc["components"]["schemas"]["Exception"];
    let mapping = exception["discriminator"]["mapping"].as_object().unwrap();
    assert_eq!(exception["discriminator"]["propertyName"], "kind");
    let branches: BTreeSet<_> = exception["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .map(|branch| branch["$ref"].as_str().unwrap())
        .collect();
    assert_eq!(
        branches,
        mapping.values().map(|r| r.as_str().unwrap()).collect()
    );
    let mut kinds = BTreeSet::new();
    for exception in exceptions() {
        let wire = serde_json::to_value(&exception).unwrap();
        let kind = wire["kind"].as_str().unwrap().to_owned();
        let schema = mapping[&kind].as_str().unwrap().rsplit('/').next().unwrap();
        assert_eq!(
            doc["components"]["schemas"][schema]["properties"]["kind"]["const"],
            kind.as_str()
        );
        assert_eq!(
            schema_names(&doc, schema, false),
            keys(&exception),
            "{kind}"
        );
        let required: serde_json::Map<_, _> = wire
            .as_object()
            .unwrap()
            .iter()
            .filter(|(name, _)| schema_names(&doc, schema, true).contains(*name))
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect();
        assert!(
            serde_json::from_value::<Exception>(Value::Object(required)).is_ok(),
            "{kind}: the required properties are enough"
        );
        kinds.insert(kind);
    }
    assert_eq!(kinds, mapping.keys().cloned().collect(), "every kind tried");
}

#[test]
fn exactly_the_documented_input_fields_are_required() {
    let doc = contract();
    let required = schema_names(&doc, "AppointmentInput", true);
    let full = serde_json::to_value(meeting("Minimaal", 0)).unwrap();
    let only_required: serde_json::Map<String, Value> = full
        .as_object()
        .unwrap()
        .iter()
        .filter(|(name, _)| required.contains(*name))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    assert!(
        serde_json::from_value::<AppointmentData>(Value::Object(only_required.clone())).is_ok()
    );
    for name in &required {
        let mut missing_one = only_required.clone();
        missing_one.remove(name);
        assert!(
            serde_json::from_value::<AppointmentData>(Value::Object(missing_one)).is_err(),
            "{name} is required"
        );
    }
}

#[test]
fn enums_match_the_code() {
    let doc = contract();
    let show_as: BTreeSet<_> = ShowAs::ALL
        .iter()
        .map(|value| {
            serde_json::to_value(value)
                .unwrap()
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        enum_values(&doc, "/components/schemas/ShowAs/enum"),
        show_as
    );
    let codes: BTreeSet<_> = ErrorCode::ALL
        .iter()
        .map(|code| code.as_str().to_owned())
        .collect();
    assert_eq!(
        enum_values(&doc, "/components/schemas/Error/properties/code/enum"),
        codes
    );
}

/// A request that should provoke one documented status.
#[derive(Debug, Clone, Copy)]
enum Case {
    Success,
    BadRequest,
    NoToken,
    OtherTenant,
    NotFound,
    ForeignId,
    ExpiredCursor,
    StaleVersion,
    KeyReused,
    MissingIfMatch,
    Injected(ErrorCode),
}

/// Every case is tried on every operation; where a case does not apply (a stale version on a
/// listing) the request is simply a valid one.
const CASES: [Case; 13] = [
    Case::Success,
    Case::BadRequest,
    Case::NoToken,
    Case::OtherTenant,
    Case::NotFound,
    Case::ForeignId,
    Case::ExpiredCursor,
    Case::StaleVersion,
    Case::KeyReused,
    Case::MissingIfMatch,
    Case::Injected(ErrorCode::RateLimited),
    Case::Injected(ErrorCode::InternalError),
    Case::Injected(ErrorCode::ServiceUnavailable),
];

/// Sends a raw request for `operation` arranged to provoke `case`; returns status and body.
async fn probe(sim: &Simulator, operation: Operation, case: Case) -> (u16, Value) {
    let existing = sim.seed(&acme(), &user(), meeting("Probe", 0));
    let mut tenant = "acme";
    let mut user_id = user().to_string();
    let mut token = Some(TOKEN);
    let mut id = existing.id.to_string();
    let mut if_match = Some(existing.version.to_etag());
    let mut idempotency_key = Some(uuid::Uuid::new_v4().to_string());
    let body = serde_json::to_value(meeting("Probe body", 1)).unwrap();
    let mut query: Vec<(&str, String)> = match operation {
        Operation::ListAppointments => {
            vec![
                ("from", "2026-01-01T00:00:00Z".into()),
                ("to", "2027-01-01T00:00:00Z".into()),
            ]
        }
        _ => Vec::new(),
    };
    let http = reqwest::Client::new();
    match case {
        Case::Success => {}
        Case::BadRequest => match operation {
            Operation::ListChanges => query.push(("cursor", "not-a-cursor".into())),
            Operation::ListAppointments => query.retain(|(name, _)| *name != "from"),
            Operation::CreateAppointment => idempotency_key = None,
            Operation::GetAppointment => user_id = "u".repeat(200),
            _ => if_match = Some("*".into()),
        },
        Case::NoToken => token = None,
        Case::OtherTenant => tenant = "globex",
        Case::NotFound => id = "no-such-appointment".into(),
        Case::ForeignId => id = "i".repeat(300),
        Case::ExpiredCursor => {
            let client = crate::fixture::client(sim, |_| {});
            let old = client
                .list_changes(&user(), None, None)
                .await
                .unwrap()
                .next_cursor;
            sim.seed(&acme(), &user(), meeting("After the cursor", 2));
            sim.compact(&acme(), &user());
            query.push(("cursor", old.to_string()));
        }
        Case::StaleVersion => {
            sim.edit(&acme(), &user(), &existing.id, |data| {
                data.subject = "Edited".into()
            })
            .unwrap();
        }
        Case::KeyReused => {
            let client = crate::fixture::client(sim, |_| {});
            let reused = key("reused-key");
            client
                .create_appointment(&user(), &reused, &meeting("First body", 3))
                .await
                .unwrap();
            idempotency_key = Some(reused.to_string());
        }
        Case::MissingIfMatch => if_match = None,
        Case::Injected(code) => sim.faults().fail_next(1, code),
    }
    let path = operation
        .path_template()
        .replace("{tenant}", tenant)
        .replace("{user}", &user_id)
        .replace("{id}", &id);
    let mut url = reqwest::Url::parse(&format!("{}{path}", sim.url())).unwrap();
    url.query_pairs_mut()
        .extend_pairs(query.iter().map(|(name, value)| (*name, value.as_str())));
    let mut request = http.request(operation.method(), url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    match operation {
        Operation::CreateAppointment => {
            if let Some(idempotency_key) = idempotency_key {
                request = request.header(headers::IDEMPOTENCY_KEY, idempotency_key);
            }
            request = request.json(&body);
        }
        Operation::UpdateAppointment | Operation::DeleteAppointment => {
            if let Some(if_match) = if_match {
                request = request.header(headers::IF_MATCH, if_match);
            }
            if operation == Operation::UpdateAppointment {
                request = request.json(&body);
            }
        }
        _ => {}
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let bytes = response.bytes().await.unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn documented(statuses: &BTreeSet<String>, status: u16) -> bool {
    statuses.contains(&status.to_string())
        || ((500..600).contains(&status) && statuses.contains("5XX"))
}

#[tokio::test]
async fn the_simulator_answers_every_documented_status_and_no_other() {
    let doc = contract();
    let f = start().await;
    for operation in Operation::ALL {
        let statuses: BTreeSet<String> = operation_node(&doc, operation)["responses"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        let mut answered = BTreeSet::new();
        for case in CASES {
            let (status, body) = probe(&f.sim, operation, case).await;
            assert!(
                documented(&statuses, status),
                "{operation} {case:?}: undocumented {status} {body}"
            );
            if status >= 400 {
                let code = ErrorCode::parse(body["code"].as_str().unwrap_or_default());
                assert_eq!(
                    code.map(ErrorCode::status),
                    Some(status),
                    "{operation} {case:?}: {body}"
                );
            }
            answered.insert(if status >= 500 {
                "5XX".to_owned()
            } else {
                status.to_string()
            });
        }
        assert_eq!(answered, statuses, "{operation}: answered vs documented");
    }
    for row in f.sim.stats().snapshot() {
        let known = Operation::ALL
            .iter()
            .any(|op| op.method().as_str() == row.method && op.path_template() == row.route);
        assert!(known, "answered an undocumented route: {row:?}");
    }
}
