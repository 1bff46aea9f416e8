//! EMF records as CloudWatch reads them, and what the log subscriber lets through.
#![allow(clippy::unwrap_used, reason = "a panic is how a test reports failure")]

use ohsync_telemetry::{CapturedOutput, LogFormat, MetricsRecord, Unit, subscriber};
use serde_json::Value;

fn logged(format: LogFormat, filter: &str, emit: impl FnOnce()) -> String {
    let captured = CapturedOutput::default();
    let writer = captured.clone();
    tracing::subscriber::with_default(subscriber(format, filter, move || writer.clone()), emit);
    captured.text()
}

#[test]
fn a_record_declares_every_metric_and_dimension_it_carries() {
    let record = MetricsRecord::new("ohsync")
        .dimension("Stage", "prod")
        .add("RunsCompleted", Unit::Count, 1.0)
        .add("ChangesToExchange", Unit::Count, 3.0)
        .add("ChangesToExchange", Unit::Count, 2.0)
        .add("RunDuration", Unit::Milliseconds, 412.0)
        .property("tenant", "acme");

    let lines = record.lines();

    assert_eq!(lines.len(), 1);
    let line: Value = serde_json::from_str(&lines[0]).unwrap();
    let directive = &line["_aws"]["CloudWatchMetrics"][0];
    assert_eq!(directive["Namespace"], "ohsync");
    assert_eq!(directive["Dimensions"], serde_json::json!([["Stage"]]));
    assert!(line["_aws"]["Timestamp"].as_u64().unwrap() > 1_700_000_000_000);
    let metrics = directive["Metrics"].as_array().unwrap();
    assert_eq!(metrics.len(), 3, "a property is not a metric");
    for metric in metrics {
        let name = metric["Name"].as_str().unwrap();
        assert!(
            line[name].is_number(),
            "{name} has no value at the top level"
        );
    }
    assert_eq!(
        line["ChangesToExchange"], 5.0,
        "values of one name are summed"
    );
    assert_eq!(line["Stage"], "prod");
    assert_eq!(line["tenant"], "acme");
}

#[test]
fn more_than_a_hundred_metrics_are_split_over_records() {
    let record = (0..150).fold(MetricsRecord::new("ohsync"), |record, n| {
        record.add(format!("Metric{n:03}"), Unit::Count, 1.0)
    });

    let lines = record.lines();

    assert_eq!(lines.len(), 2);
    let mut declared = Vec::new();
    for line in &lines {
        let line: Value = serde_json::from_str(line).unwrap();
        let metrics = line["_aws"]["CloudWatchMetrics"][0]["Metrics"]
            .as_array()
            .unwrap()
            .clone();
        assert!(metrics.len() <= 100);
        declared.extend(
            metrics
                .into_iter()
                .map(|m| m["Name"].as_str().unwrap().to_owned()),
        );
    }
    declared.sort();
    declared.dedup();
    assert_eq!(declared.len(), 150, "every metric is declared exactly once");
}

#[test]
fn json_lines_carry_the_run_span_fields() {
    let output = logged(LogFormat::Json, "info", || {
        let span = tracing::info_span!("run", tenant = "acme", user = "jan");
        let _entered = span.enter();
        tracing::info!(created = 3, "run finished");
    });

    let line: Value = serde_json::from_str(output.lines().next().unwrap()).unwrap();
    assert_eq!(line["fields"]["message"], "run finished");
    assert_eq!(line["span"]["tenant"], "acme");
    assert_eq!(line["span"]["user"], "jan");
}

#[test]
fn verbose_aws_sdk_events_never_reach_the_log_whatever_the_filter() {
    let output = logged(LogFormat::Text, "trace", || {
        tracing::trace!(target: "aws_smithy_runtime::client::orchestrator", "body: SecretString=Welkom01!");
        tracing::debug!(target: "aws_sdk_secretsmanager::operation", "body: Welkom01!");
        tracing::debug!(target: "ohsync_engine::executor", "planned 2 creates");
        tracing::info!(target: "aws_smithy_runtime::client", "retrying after throttling");
    });

    assert!(!output.contains("Welkom01!"), "{output}");
    assert!(output.contains("planned 2 creates"));
    assert!(
        output.contains("retrying after throttling"),
        "informational SDK events stay"
    );
}

#[test]
fn the_filter_string_is_honoured() {
    let output = logged(LogFormat::Text, "warn", || {
        tracing::info!("routine");
        tracing::warn!("attention");
    });

    assert!(!output.contains("routine"));
    assert!(output.contains("attention"));
}
