//! One SendMessageBatch of at most ten jobs, with its failed entries sent again.

use std::collections::BTreeMap;

use aws_sdk_sqs::Client;
use aws_sdk_sqs::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_sqs::operation::send_message_batch::SendMessageBatchOutput;
use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
use ohsync_jobs::{Backoff, SyncJob};

/// SQS takes at most this many entries per SendMessageBatch.
pub(crate) const MAX_ENTRIES: usize = 10;

/// What became of the jobs of one batch that were not taken.
#[derive(Debug, Default)]
pub(crate) struct BatchResult {
    /// Jobs refused, by index into the batch, with why.
    pub(crate) refused: Vec<(usize, String)>,
    /// Whether the queue never answered, so that none of the batch was taken.
    pub(crate) unreachable: bool,
}

/// The jobs of a batch not taken yet, by index, with the last reason heard for each.
type Pending = BTreeMap<usize, String>;

/// Sends `jobs` (at most [`MAX_ENTRIES`]); entries SQS fails through no fault of the sender
/// are sent again with back-off until taken or the tries run out.
pub(crate) async fn send(
    client: &Client,
    queue_url: &str,
    jobs: &[SyncJob],
    backoff: &Backoff,
) -> BatchResult {
    let mut refused = Vec::new();
    // Entry ids are the jobs' indexes in the batch: unique within a request, and SQS answers
    // per id, so an answer maps back to its job.
    let mut entries = BTreeMap::new();
    for (index, job) in jobs.iter().enumerate() {
        match entry(index, job) {
            Ok(entry) => {
                entries.insert(index, entry);
            }
            Err(reason) => refused.push((index, reason)),
        }
    }
    let mut pending: Pending = entries
        .keys()
        .map(|&index| (index, "SQS did not answer about it".to_owned()))
        .collect();
    let mut tried = 0;
    while !pending.is_empty() && (tried == 0 || backoff.may_retry(tried)) {
        if tried > 0 {
            tokio::time::sleep(backoff.delay(tried - 1)).await;
        }
        tried += 1;
        let request = pending
            .keys()
            .filter_map(|index| entries.get(index).cloned())
            .collect();
        match client
            .send_message_batch()
            .queue_url(queue_url)
            .set_entries(Some(request))
            .send()
            .await
        {
            Ok(output) => settle(&output, &mut pending, &mut refused),
            Err(error) => {
                // The SDK has already retried what is worth retrying (throttling, 5xx, lost
                // connections): what reaches here refuses the whole request.
                let unreachable = !matches!(error, SdkError::ServiceError(_));
                let reason = call_failure(&error);
                refused.extend(pending.into_keys().map(|index| (index, reason.clone())));
                refused.sort_unstable_by_key(|(index, _)| *index);
                return BatchResult {
                    unreachable: unreachable && refused.len() == jobs.len(),
                    refused,
                };
            }
        }
    }
    refused.extend(pending);
    refused.sort_unstable_by_key(|(index, _)| *index);
    BatchResult {
        refused,
        unreachable: false,
    }
}

/// Takes the answer in: taken entries leave `pending`; entries failed by the sender's fault
/// are refused at once (sending them again cannot help); the others stay, with their reason.
fn settle(
    output: &SendMessageBatchOutput,
    pending: &mut Pending,
    refused: &mut Vec<(usize, String)>,
) {
    for taken in output.successful() {
        if let Ok(index) = taken.id().parse::<usize>() {
            pending.remove(&index);
        }
    }
    for failed in output.failed() {
        let Ok(index) = failed.id().parse::<usize>() else {
            continue;
        };
        let reason = format!(
            "{}: {}",
            failed.code(),
            failed.message().unwrap_or("no message")
        );
        if failed.sender_fault() {
            if pending.remove(&index).is_some() {
                refused.push((index, reason));
            }
        } else if let Some(last) = pending.get_mut(&index) {
            *last = reason;
        }
    }
}

fn entry(index: usize, job: &SyncJob) -> Result<SendMessageBatchRequestEntry, String> {
    SendMessageBatchRequestEntry::builder()
        .id(index.to_string())
        .message_body(job.to_message())
        .message_group_id(job.group_key())
        .message_deduplication_id(job.dedup_key())
        .build()
        .map_err(|error| format!("the message could not be built: {error}"))
}

fn call_failure<E, R>(error: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match error {
        SdkError::ServiceError(service) => {
            let inner = service.err();
            format!(
                "{}: {}",
                inner.code().unwrap_or("ServiceError"),
                inner.message().unwrap_or("no message")
            )
        }
        other => DisplayErrorContext(other).to_string(),
    }
}
