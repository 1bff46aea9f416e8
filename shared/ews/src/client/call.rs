//! One EWS call: send, parse, record the server version, retry what may be retried, and mark
//! writes whose outcome is unknown.

use std::time::Duration;

use bytes::Bytes;
use tracing::Instrument as _;

use super::EwsClient;
use crate::error::EwsError;
use crate::xml::response::{ItemResult, Parsed};

/// The EWS operations the client performs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operation {
    GetFolder,
    SyncFolderItems,
    GetItem,
    FindItem,
    CreateItem,
    UpdateItem,
    DeleteItem,
}

impl Operation {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::GetFolder => "GetFolder",
            Self::SyncFolderItems => "SyncFolderItems",
            Self::GetItem => "GetItem",
            Self::FindItem => "FindItem",
            Self::CreateItem => "CreateItem",
            Self::UpdateItem => "UpdateItem",
            Self::DeleteItem => "DeleteItem",
        }
    }

    /// Whether repeating the call after it may have been applied is harmless. A repeated create
    /// duplicates; a repeated update loses the new ChangeKey. A repeated delete finds nothing.
    fn is_idempotent(self) -> bool {
        !matches!(self, Self::CreateItem | Self::UpdateItem)
    }

    /// For a write: a failure after the request may have been applied becomes `OutcomeUnknown`.
    pub(crate) fn settle(self, error: EwsError) -> EwsError {
        let unreadable_answer = matches!(
            error,
            EwsError::Malformed { .. } | EwsError::ResponseTooLarge { .. }
        ) || matches!(error, EwsError::HttpStatus { status, .. } if status >= 500 && status != 503);
        if !self.is_idempotent() && (error.may_have_reached_server() || unreadable_answer) {
            EwsError::OutcomeUnknown {
                operation: self.name(),
                cause: Box::new(error),
            }
        } else {
            error
        }
    }

    /// Whether a failure is worth an immediate retry within this call.
    fn retries(self, error: &EwsError) -> bool {
        let transient = matches!(
            error,
            EwsError::Timeout { .. } | EwsError::ConnectionLost { .. } | EwsError::Network { .. }
        ) || matches!(
            error,
            EwsError::HttpStatus {
                status: 502 | 504,
                ..
            }
        );
        error.is_throttled() || (self.is_idempotent() && transient)
    }
}

/// A response parser of the `xml::response` module.
pub(crate) type Parser<T> = fn(&[u8]) -> Result<Parsed<T>, EwsError>;

/// Turns a successful answer into a failure of the whole call (a batch throttled item by item).
type Escalation<T> = fn(&T) -> Option<EwsError>;

/// A batch whose every item was throttled is a throttled call: nothing was done, so it is retried.
fn throttled_batch<T>(items: &[ItemResult<T>]) -> Option<EwsError> {
    let mut errors = items.iter().map(|item| item.as_ref().err());
    let first = errors.next().flatten()?;
    let all_throttled =
        first.is_throttled() && errors.all(|error| error.is_some_and(EwsError::is_throttled));
    all_throttled.then(|| first.clone())
}

impl EwsClient {
    /// Runs one operation with retries, inside a tracing span (never with the body or credentials).
    pub(crate) async fn call<T>(
        &self,
        operation: Operation,
        body: Vec<u8>,
        parse: Parser<T>,
    ) -> Result<T, EwsError> {
        self.call_escalating(operation, body, parse, |_| None).await
    }

    async fn call_escalating<T>(
        &self,
        operation: Operation,
        body: Vec<u8>,
        parse: Parser<T>,
        escalate: Escalation<T>,
    ) -> Result<T, EwsError> {
        let span = tracing::info_span!(
            "ews_call",
            operation = operation.name(),
            host = self.transport.host(),
            attempts = tracing::field::Empty,
        );
        let body = Bytes::from(body);
        async {
            let mut attempts = 0u32;
            let mut waited = Duration::ZERO;
            loop {
                attempts += 1;
                tracing::Span::current().record("attempts", attempts);
                let error = match self.attempt(&body, parse).await {
                    Ok(value) => match escalate(&value) {
                        None => return Ok(value),
                        Some(error) => error,
                    },
                    Err(error) => error,
                };
                let delay = error
                    .retry_after()
                    .unwrap_or_else(|| self.retry.backoff(attempts));
                if !operation.retries(&error) || !self.retry.allows(attempts, waited, delay) {
                    tracing::debug!(code = error.code(), "EWS call failed");
                    return Err(operation.settle(error));
                }
                tracing::warn!(
                    code = error.code(),
                    delay_ms = delay.as_millis() as u64,
                    "retrying EWS call"
                );
                tokio::time::sleep(delay).await;
                waited += delay;
            }
        }
        .instrument(span)
        .await
    }

    async fn attempt<T>(&self, body: &Bytes, parse: Parser<T>) -> Result<T, EwsError> {
        let reply = self.transport.post(body.clone()).await?;
        let parsed = match parse(&reply.body) {
            Ok(parsed) => parsed,
            Err(_) if reply.status != 200 => {
                return Err(EwsError::HttpStatus {
                    status: reply.status,
                    retry_after: None,
                });
            }
            Err(error) => return Err(error),
        };
        if let Some(version) = parsed.server_version {
            self.record_server_version(version);
        }
        parsed.outcome
    }

    /// Runs a batch operation in chunks of the client's batch size: exactly one result per input,
    /// in order. Invalid inputs fail alone; a failed chunk fails its items, and later chunks are
    /// not attempted.
    pub(crate) async fn in_batches<I: Clone, T>(
        &self,
        operation: Operation,
        inputs: &[I],
        validate: impl Fn(&I) -> Result<(), EwsError>,
        build: impl Fn(&[I]) -> Result<Vec<u8>, EwsError>,
        parse: Parser<Vec<ItemResult<T>>>,
    ) -> Vec<ItemResult<T>> {
        let mut results: Vec<Option<ItemResult<T>>> = inputs
            .iter()
            .map(|input| validate(input).err().map(Err))
            .collect();
        let pending: Vec<usize> = (0..inputs.len())
            .filter(|&i| results[i].is_none())
            .collect();
        let mut stopped: Option<EwsError> = None;
        for chunk in pending.chunks(self.batch_size) {
            if let Some(cause) = &stopped {
                for &index in chunk {
                    results[index] = Some(Err(EwsError::NotAttempted {
                        cause: Box::new(cause.clone()),
                    }));
                }
                continue;
            }
            let batch: Vec<I> = chunk.iter().map(|&index| inputs[index].clone()).collect();
            let outcome = match build(&batch) {
                Ok(body) => {
                    self.call_escalating(operation, body, parse, |items| throttled_batch(items))
                        .await
                }
                Err(error) => Err(error),
            };
            match outcome {
                Ok(items) if items.len() == chunk.len() => {
                    for (&index, item) in chunk.iter().zip(items) {
                        results[index] = Some(item);
                    }
                }
                other => {
                    let error = match other {
                        Ok(items) => operation.settle(EwsError::malformed(format!(
                            "{} answered {} results for {} items",
                            operation.name(),
                            items.len(),
                            chunk.len()
                        ))),
                        Err(error) => error,
                    };
                    for &index in chunk {
                        results[index] = Some(Err(error.clone()));
                    }
                    stopped = Some(error);
                }
            }
        }
        results
            .into_iter()
            .map(|result| result.unwrap_or_else(|| Err(EwsError::malformed("no result recorded"))))
            .collect()
    }
}
