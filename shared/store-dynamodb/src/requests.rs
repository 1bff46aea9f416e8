//! Counting the requests the adapter sends, for tests, benchmarks and the cost model.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

/// A DynamoDB operation the adapter sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Operation {
    /// GetItem (reads).
    GetItem,
    /// Query (reads).
    Query,
    /// BatchGetItem (reads).
    BatchGetItem,
    /// TransactWriteItems (writes).
    TransactWriteItems,
    /// UpdateItem (writes).
    UpdateItem,
    /// BatchWriteItem (writes).
    BatchWriteItem,
    /// PutItem (writes).
    PutItem,
    /// DeleteItem (writes).
    DeleteItem,
}

impl Operation {
    /// Whether the operation only reads.
    pub fn is_read(self) -> bool {
        matches!(self, Self::GetItem | Self::Query | Self::BatchGetItem)
    }
}

/// Requests sent so far, every attempt included (the adapter owns retrying, so each attempt is
/// one HTTP request).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestCounts {
    /// Requests per operation.
    pub by_operation: BTreeMap<Operation, u64>,
}

impl RequestCounts {
    /// Read requests.
    pub fn reads(&self) -> u64 {
        self.sum(true)
    }

    /// Write requests.
    pub fn writes(&self) -> u64 {
        self.sum(false)
    }

    /// Requests of one operation.
    pub fn of(&self, operation: Operation) -> u64 {
        self.by_operation.get(&operation).copied().unwrap_or(0)
    }

    fn sum(&self, reads: bool) -> u64 {
        self.by_operation
            .iter()
            .filter(|(operation, _)| operation.is_read() == reads)
            .map(|(_, count)| count)
            .sum()
    }
}

/// The adapter's request counter.
#[derive(Debug, Default)]
pub(crate) struct RequestCounter(Mutex<RequestCounts>);

impl RequestCounter {
    fn counts(&self) -> std::sync::MutexGuard<'_, RequestCounts> {
        // Counting is a plain add; a panic elsewhere cannot leave it half-done.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn hit(&self, operation: Operation) {
        *self.counts().by_operation.entry(operation).or_default() += 1;
    }

    pub(crate) fn snapshot(&self) -> RequestCounts {
        self.counts().clone()
    }

    pub(crate) fn reset(&self) {
        *self.counts() = RequestCounts::default();
    }
}
