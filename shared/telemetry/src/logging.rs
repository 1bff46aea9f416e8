//! `tracing` subscribers: JSON lines for CloudWatch Logs, or text for a terminal.

use tracing::{Level, Metadata};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::{Layer, Registry};

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// One JSON object per line, with the current span's fields (CloudWatch Logs Insights reads them).
    Json,
    /// Human-readable text.
    Text,
}

/// The filter used when `RUST_LOG` is not set.
const DEFAULT_FILTER: &str = "info";

// The AWS SDK logs whole request bodies at debug and trace level, and a Secrets Manager
// `PutSecretValue` body holds the password (docs/SECRETS.md). Those events are dropped whatever
// `RUST_LOG` asks for.
fn is_allowed(metadata: &Metadata<'_>) -> bool {
    let verbose = matches!(*metadata.level(), Level::DEBUG | Level::TRACE);
    let sdk =
        metadata.target().starts_with("aws_smithy") || metadata.target().starts_with("aws_sdk");
    !(verbose && sdk)
}

/// A subscriber writing to `writer` in `format`, filtered by `filter` (a `RUST_LOG`-style string).
pub fn subscriber<W>(
    format: LogFormat,
    filter: &str,
    writer: W,
) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'writer> MakeWriter<'writer> + Send + Sync + 'static,
{
    let env_filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let layer = match format {
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .with_writer(writer)
            .boxed(),
        LogFormat::Text => tracing_subscriber::fmt::layer().with_writer(writer).boxed(),
    };
    Registry::default().with(
        layer
            .with_filter(env_filter)
            .with_filter(filter_fn(is_allowed)),
    )
}

/// Installs the process-wide subscriber on stdout, filtered by `RUST_LOG` (default `info`).
/// Returns false when one was installed already (tests, a second call), which is harmless.
pub fn init(format: LogFormat) -> bool {
    let filter = std::env::var("RUST_LOG").unwrap_or_else(|_| DEFAULT_FILTER.to_owned());
    tracing::subscriber::set_global_default(subscriber(format, &filter, std::io::stdout)).is_ok()
}
