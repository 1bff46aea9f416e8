//! The sync-worker Lambda function's handler and its construction from the environment.
//!
//! [`handle`] runs the batch's records one after another (a FIFO queue hands out one message
//! per user at a time; records of different users are cheap to run in turn) and answers a
//! partial batch failure: only records that failed retryably, or were not started, are named,
//! so SQS hands those out again and deletes the rest (a job deferred for a full Exchange host
//! is dropped: the next tick queues the user again). A record whose user already failed
//! retryably in this batch is not started (the runs of one user keep their order). The Lambda
//! deadline is passed down; the worker keeps a safety margin before it.

mod handler;

pub use handler::handle;
pub use ohsync_worker::aws::{
    BATCH_SIZE_VAR, MAX_RUN_SECONDS_VAR, OFFICEHEART_TOKEN_SECRET_VAR, RUNS_PER_EXCHANGE_HOST_VAR,
    worker_from_env,
};
