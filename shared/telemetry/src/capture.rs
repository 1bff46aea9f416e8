//! [`CapturedOutput`]: a log destination that keeps everything written to it, for tests that
//! read what was logged (that no secret was, that a span was).

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};

use tracing::subscriber::SetGlobalDefaultError;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::FmtSpan;

/// Everything written to it, shared by its clones; a `MakeWriter` for a `fmt` subscriber.
#[derive(Debug, Clone, Default)]
pub struct CapturedOutput(Arc<Mutex<Vec<u8>>>);

impl CapturedOutput {
    /// A new capture behind the process's global subscriber: every event at TRACE and every
    /// span's opening and closing with its fields, as plain text. Once per process (a test
    /// binary of its own, so that the subscriber sees every thread).
    ///
    /// # Errors
    /// When a global subscriber is already set.
    pub fn install_global() -> Result<Self, SetGlobalDefaultError> {
        let captured = Self::default();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(captured.clone())
            .with_max_level(tracing::Level::TRACE)
            .with_span_events(FmtSpan::NEW | FmtSpan::CLOSE)
            .with_ansi(false)
            .finish();
        tracing::subscriber::set_global_default(subscriber)?;
        Ok(captured)
    }

    /// What was written so far, as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(PoisonError::into_inner)).into_owned()
    }
}

impl Write for CapturedOutput {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for CapturedOutput {
    type Writer = Self;

    fn make_writer(&'a self) -> Self {
        self.clone()
    }
}
