//! One batch of SQS records, run in turn, answered with the records to hand out again.

use std::collections::HashSet;

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use chrono::{DateTime, Utc};
use lambda_runtime::LambdaEvent;
use ohsync_worker::{JobOutcome, SyncWorker};

/// The SQS attribute naming a FIFO message's group (the user).
const GROUP_ATTRIBUTE: &str = "MessageGroupId";

/// Runs each record's job in order and names, in the response, the records SQS should hand
/// out again: those that failed retryably, and those of the same user after them. Records
/// that succeeded, were skipped, were deferred, or failed for good are left out, so SQS
/// deletes them.
pub async fn handle(
    worker: &SyncWorker,
    event: LambdaEvent<SqsEvent>,
) -> Result<SqsBatchResponse, lambda_runtime::Error> {
    let deadline = lambda_deadline(event.context.deadline);
    let mut failed_groups: HashSet<String> = HashSet::new();
    let mut response = SqsBatchResponse::default();
    for record in &event.payload.records {
        let group = record.attributes.get(GROUP_ATTRIBUTE).cloned();
        let again = match &group {
            Some(group) if failed_groups.contains(group) => true,
            _ => run(worker, record, deadline).await,
        };
        if !again {
            continue;
        }
        if let Some(group) = group {
            failed_groups.insert(group);
        }
        match &record.message_id {
            Some(id) => {
                let mut failure = BatchItemFailure::default();
                failure.item_identifier = id.clone();
                response.batch_item_failures.push(failure);
            }
            None => {
                // A record without an id cannot be named; failing the whole batch makes SQS
                // hand every record out again (runs are idempotent).
                return Err("a record to retry has no message id".into());
            }
        }
    }
    Ok(response)
}

/// Runs one record; true when it should be handed out again: it failed retryably.
async fn run(worker: &SyncWorker, record: &SqsMessage, deadline: DateTime<Utc>) -> bool {
    let body = record.body.as_deref().unwrap_or_default();
    match worker.run_message(body, deadline).await {
        // A deferred job (its Exchange host was full) is dropped, not handed back: the next
        // tick queues the user again within 5 minutes, where a handed-back record would wait
        // out the 30-minute visibility timeout, hold up the user's later jobs meanwhile and
        // count towards the dead-letter queue.
        Ok(JobOutcome::Deferred(_) | JobOutcome::Skipped(_) | JobOutcome::Ran(_)) => false,
        Err(failure) => failure.is_retryable(),
    }
}

/// The invocation's deadline (milliseconds since the epoch, from the runtime).
fn lambda_deadline(deadline_ms: u64) -> DateTime<Utc> {
    i64::try_from(deadline_ms)
        .ok()
        .and_then(DateTime::from_timestamp_millis)
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}
