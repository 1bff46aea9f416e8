//! What the client leaves in the logs: one span per call, with operation and status, no token.
//!
//! Its own test binary: tracing caches per-callsite interest process-wide, so a thread-local
//! subscriber is only reliable when no other test emits from the same callsites concurrently.

use ohsync_officeheart::{
    AppointmentData, ClientConfig, IdempotencyKey, OfficeHeartClient, SecretString, TenantId,
    UserId,
};
use ohsync_oh_sim::{SimConfig, Simulator};
use ohsync_telemetry::CapturedOutput;
use tracing_subscriber::fmt::format::FmtSpan;

const TOKEN: &str = "traced-token-3b9d";

#[tokio::test]
async fn every_call_gets_a_span_with_operation_and_status_but_never_the_token() {
    let captured = CapturedOutput::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter("ohsync_officeheart=debug")
        .with_span_events(FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let tenant = TenantId::new("acme").unwrap();
    let user = UserId::new("jdevries").unwrap();
    let sim = Simulator::start(SimConfig::new().grant(tenant.clone(), TOKEN))
        .await
        .unwrap();
    let config = ClientConfig::new(sim.url().parse().unwrap());
    let client = OfficeHeartClient::new(config, tenant, SecretString::from(TOKEN)).unwrap();
    let data: AppointmentData = serde_json::from_value(serde_json::json!({
        "subject": "Gevolgd",
        "start": "2026-03-02T09:00:00+01:00",
        "end": "2026-03-02T10:00:00+01:00",
        "time_zone": "Europe/Amsterdam"
    }))
    .unwrap();
    let key = IdempotencyKey::new("traced").unwrap();
    client.create_appointment(&user, &key, &data).await.unwrap();
    let missing = "no-such-id".parse().unwrap();
    client.get_appointment(&user, &missing).await.unwrap_err();

    let log = captured.text();
    let closed: Vec<_> = log.lines().filter(|line| line.contains("close")).collect();
    assert_eq!(closed.len(), 2, "one span per call:\n{log}");
    assert!(
        closed[0].contains("operation=\"createAppointment\"") && closed[0].contains("status=201")
    );
    assert!(closed[1].contains("operation=\"getAppointment\"") && closed[1].contains("status=404"));
    assert!(
        log.contains("officeheart_not_found"),
        "failures carry their code:\n{log}"
    );
    assert!(!log.contains(TOKEN), "the token leaked:\n{log}");
}
