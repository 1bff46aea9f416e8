//! Bounded retrying with exponential back-off and full jitter. The adapter owns retrying (the
//! client's own retries are switched off), so attempts are bounded and counted in one place.

use std::future::Future;
use std::time::Duration;

use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use ohsync_engine::ports::StoreError;
use rand::Rng;

use crate::requests::{Operation, RequestCounter};

/// How throttled, failed or partly answered requests are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per request, the first included.
    pub max_attempts: u32,
    /// The back-off ceiling of the first retry; it doubles per retry.
    pub base_delay: Duration,
    /// The largest back-off ceiling.
    pub max_delay: Duration,
    /// How long one attempt may take.
    pub attempt_timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_delay: Duration::from_millis(25),
            max_delay: Duration::from_secs(1),
            attempt_timeout: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// The pause before retry number `retry` (1 = the first): random up to the ceiling, so
    /// that racing clients spread out.
    pub(crate) fn delay(&self, retry: u32) -> Duration {
        let ceiling = self
            .base_delay
            .saturating_mul(1 << retry.saturating_sub(1).min(16))
            .min(self.max_delay);
        rand::rng().random_range(Duration::ZERO..=ceiling)
    }
}

/// How one attempt failed.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Throttling, a 5xx, a timeout or a lost connection: worth another attempt.
    Transient(String),
    /// Trying again cannot help.
    Final(StoreError),
}

/// The throttling and server-side error codes DynamoDB answers with.
const TRANSIENT_CODES: [&str; 6] = [
    "ThrottlingException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
    "TransactionInProgressException",
];

/// The reasons for a cancelled transaction that another attempt may overcome.
pub(crate) const TRANSIENT_CANCELLATIONS: [&str; 3] = [
    "TransactionConflict",
    "ThrottlingError",
    "ProvisionedThroughputExceeded",
];

/// Sorts an SDK error into transient or final.
pub(crate) fn classify<E>(error: SdkError<E, HttpResponse>) -> Failure
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let transient = match &error {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            true
        }
        SdkError::ServiceError(context) => {
            context.raw().status().is_server_error()
                || context
                    .err()
                    .code()
                    .is_some_and(|code| TRANSIENT_CODES.contains(&code))
        }
        _ => false,
    };
    let detail = DisplayErrorContext(&error).to_string();
    if transient {
        Failure::Transient(detail)
    } else {
        Failure::Final(StoreError::Unavailable(detail))
    }
}

/// Whether a conditional write took effect: `false` when DynamoDB refused it for its condition
/// (nothing was written), a [`Failure`] for every other error.
pub(crate) fn applied<T, E>(result: Result<T, SdkError<E, HttpResponse>>) -> Result<bool, Failure>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match result {
        Ok(_) => Ok(true),
        Err(error)
            if error
                .as_service_error()
                .and_then(ProvideErrorMetadata::code)
                == Some("ConditionalCheckFailedException") =>
        {
            Ok(false)
        }
        Err(error) => Err(classify(error)),
    }
}

/// Runs `attempt` until it succeeds, fails finally, or the attempts are spent; counts each.
pub(crate) async fn retrying<T, F, Fut>(
    policy: &RetryPolicy,
    counter: &RequestCounter,
    operation: Operation,
    mut attempt: F,
) -> Result<T, StoreError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Failure>>,
{
    let mut attempts = 0;
    loop {
        attempts += 1;
        counter.hit(operation);
        match attempt().await {
            Ok(value) => return Ok(value),
            Err(Failure::Final(error)) => return Err(error),
            Err(Failure::Transient(detail)) if attempts >= policy.max_attempts => {
                return Err(StoreError::Unavailable(format!(
                    "{operation:?} failed {attempts} times; last: {detail}"
                )));
            }
            Err(Failure::Transient(_)) => tokio::time::sleep(policy.delay(attempts)).await,
        }
    }
}

/// Sends `work`, then again (with back-off) whatever each answer left unprocessed — DynamoDB's
/// batch operations may answer partly under load — for at most `max_attempts` rounds; collects
/// what the answers returned.
pub(crate) async fn until_processed<W, T, F, Fut>(
    policy: &RetryPolicy,
    mut work: Vec<W>,
    mut send: F,
) -> Result<Vec<T>, StoreError>
where
    F: FnMut(Vec<W>) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Vec<W>), StoreError>>,
{
    let mut answered = Vec::new();
    let mut round = 0;
    loop {
        round += 1;
        let (found, left) = send(work).await?;
        answered.extend(found);
        if left.is_empty() {
            return Ok(answered);
        }
        if round >= policy.max_attempts {
            return Err(StoreError::Unavailable(format!(
                "{} requests still unprocessed after {round} rounds",
                left.len()
            )));
        }
        tokio::time::sleep(policy.delay(round)).await;
        work = left;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_up_to_the_ceiling() {
        let policy = RetryPolicy {
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
            ..RetryPolicy::default()
        };
        for _ in 0..200 {
            assert!(policy.delay(1) <= Duration::from_millis(10));
            assert!(policy.delay(3) <= Duration::from_millis(40));
            assert!(policy.delay(40) <= Duration::from_millis(50));
        }
        let spread: std::collections::BTreeSet<_> = (0..50).map(|_| policy.delay(3)).collect();
        assert!(spread.len() > 1, "jitter spreads retries");
    }
}
