//! The conditional commit.
//!
//! First the stored mappings the commit touches are read (one BatchGetItem per 100 ids, only
//! when it touches mappings), then the commit is planned as item writes. A commit of at most 99
//! item writes is one TransactWriteItems with the state update: atomic. A bigger one goes in
//! steps ([`stepwise`]): claim a lease on the state item (conditional on the version), write
//! the items with BatchWriteItem (mappings, then intents and unconfirmed items), recount the
//! mappings, and finish with the state update, conditional on the version and the lease — the
//! version check last, so a run that loses the race never moves the sync positions — and only
//! then delete the unconfirmed items the commit confirms.

mod atomic;
mod state_update;
mod stepwise;

use std::collections::HashMap;
use std::sync::Arc;

use ohsync_engine::ports::{BindingScope, Commit, StateVersion, StoreError};

use crate::keys;
use crate::plan::plan;
use crate::read::stored_mappings;
use crate::store::Inner;

/// Item writes one transaction takes beside the state update (DynamoDB allows 100 items).
const TRANSACTION_WRITES: usize = 99;

/// A request the SDK refused to build (a required field missing): a bug, reported as such.
fn built(error: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(format!("commit request: {error}"))
}

/// Applies `commit` if the state is at `expected`.
pub(crate) async fn commit(
    inner: &Arc<Inner>,
    scope: &BindingScope,
    expected: StateVersion,
    commit: &Commit,
) -> Result<StateVersion, StoreError> {
    // No stored version reaches u64::MAX, so no commit from it can succeed.
    let next = expected
        .0
        .checked_add(1)
        .map(StateVersion)
        .ok_or(StoreError::Conflict)?;
    let partition = keys::partition(scope);
    let touched: Vec<_> = commit
        .mapping_removals
        .iter()
        .chain(commit.mapping_upserts.iter().map(|m| &m.officeheart_id))
        .collect();
    let stored = if touched.is_empty() {
        HashMap::new()
    } else {
        stored_mappings(inner, &partition, touched).await?
    };
    let plan = plan(&partition, commit, &stored);
    if plan.len() <= TRANSACTION_WRITES {
        let outcome = atomic::commit(inner, &partition, expected, next, commit, &plan).await?;
        if outcome == atomic::Outcome::Applied {
            return Ok(next);
        }
    }
    stepwise::commit(inner, &partition, expected, next, commit, plan).await?;
    Ok(next)
}
