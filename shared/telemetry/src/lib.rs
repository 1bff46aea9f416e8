//! Telemetry shared by the Lambda functions and the single-machine binary: `tracing` set up for
//! JSON (Lambda, CloudWatch Logs) or human-readable output, and CloudWatch metrics written as
//! Embedded Metric Format records, which CloudWatch turns into metrics without an API call.

mod capture;
mod logging;
mod metrics;

pub use capture::CapturedOutput;
pub use logging::{LogFormat, init, subscriber};
pub use metrics::{MetricsRecord, Unit};
