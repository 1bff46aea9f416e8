//! CloudWatch Embedded Metric Format (EMF): a JSON log line that carries metric values and the
//! `_aws` directive telling CloudWatch which keys are metrics and which are dimensions.

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};

/// CloudWatch accepts at most this many metrics in one directive.
const MAX_METRICS_PER_RECORD: usize = 100;

/// The unit of a metric value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A count of events or items.
    Count,
    /// A duration in milliseconds.
    Milliseconds,
    /// A size in bytes.
    Bytes,
}

impl Unit {
    fn as_str(self) -> &'static str {
        match self {
            Self::Count => "Count",
            Self::Milliseconds => "Milliseconds",
            Self::Bytes => "Bytes",
        }
    }
}

/// Metric values with their dimensions and extra searchable properties, written as EMF lines.
#[derive(Debug, Clone)]
pub struct MetricsRecord {
    namespace: String,
    dimensions: BTreeMap<String, String>,
    metrics: BTreeMap<String, (Unit, f64)>,
    properties: BTreeMap<String, Value>,
    timestamp_ms: u128,
}

impl MetricsRecord {
    /// An empty record in `namespace`, stamped now.
    pub fn new(namespace: impl Into<String>) -> Self {
        let timestamp_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_millis());
        Self {
            namespace: namespace.into(),
            dimensions: BTreeMap::new(),
            metrics: BTreeMap::new(),
            properties: BTreeMap::new(),
            timestamp_ms,
        }
    }

    /// Adds a dimension (every metric of the record is reported per its value). Keep dimensions
    /// few and low-cardinality (stage, function): each distinct combination is a billed metric.
    pub fn dimension(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.dimensions.insert(name.into(), value.into());
        self
    }

    /// Adds to a metric (values of one name in one record are summed).
    pub fn add(mut self, name: impl Into<String>, unit: Unit, value: f64) -> Self {
        let entry = self.metrics.entry(name.into()).or_insert((unit, 0.0));
        entry.1 += value;
        self
    }

    /// Adds a property: searchable in CloudWatch Logs Insights, not a metric (ids go here, never
    /// into dimensions).
    pub fn property(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.properties.insert(name.into(), value.into());
        self
    }

    /// The EMF lines for this record: one per 100 metrics, each a complete JSON object.
    pub fn lines(&self) -> Vec<String> {
        let names: Vec<&String> = self.metrics.keys().collect();
        names
            .chunks(MAX_METRICS_PER_RECORD)
            .map(|chunk| self.line(chunk))
            .collect()
    }

    /// Writes the lines to stdout, where the Lambda runtime sends them to CloudWatch Logs.
    pub fn emit(&self) {
        for line in self.lines() {
            println!("{line}");
        }
    }

    fn line(&self, names: &[&String]) -> String {
        let mut object = Map::new();
        for (name, value) in &self.properties {
            object.insert(name.clone(), value.clone());
        }
        for (name, value) in &self.dimensions {
            object.insert(name.clone(), Value::from(value.clone()));
        }
        let mut definitions = Vec::new();
        for name in names {
            if let Some((unit, value)) = self.metrics.get(*name) {
                object.insert((*name).clone(), json!(value));
                definitions.push(json!({ "Name": name, "Unit": unit.as_str() }));
            }
        }
        let dimension_set: Vec<&String> = self.dimensions.keys().collect();
        object.insert(
            "_aws".to_owned(),
            json!({
                "Timestamp": self.timestamp_ms,
                "CloudWatchMetrics": [{
                    "Namespace": self.namespace,
                    "Dimensions": [dimension_set],
                    "Metrics": definitions,
                }],
            }),
        );
        Value::Object(object).to_string()
    }
}
