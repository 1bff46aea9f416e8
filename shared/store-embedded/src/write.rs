//! Writes: the conditional commit, and retiring, reviving and purging bindings.

use chrono::{DateTime, Utc};
use ohsync_engine::ports::{BindingScope, Commit, StateVersion, StoreError};
use ohsync_store_contract::record::{encode_instant, encode_status};
use rusqlite::{Connection, TransactionBehavior, params};

use crate::error::CallError;
use crate::read::binding_row;

/// Applies `commit` in one transaction if the stored version is `expected`.
pub(crate) fn commit(
    connection: &mut Connection,
    scope: &BindingScope,
    expected: StateVersion,
    commit: &Commit,
) -> Result<StateVersion, CallError> {
    // IMMEDIATE takes the write lock before the version is read, so no other writer can slip
    // in between the check and the write.
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let current = match binding_row(&transaction, scope)? {
        Some(row) => row.version()?,
        None => StateVersion(0),
    };
    if current != expected {
        return Err(StoreError::Conflict.into());
    }
    let next = expected
        .0
        .checked_add(1)
        .and_then(|next| i64::try_from(next).ok())
        .ok_or_else(|| StoreError::Corrupt(format!("version {expected:?} cannot advance")))?;

    transaction
        .prepare_cached(
            "INSERT INTO binding (tenant, user, binding, version) VALUES (?1, ?2, ?3, 0)
             ON CONFLICT (tenant, user, binding) DO NOTHING",
        )?
        .execute(params![
            scope.tenant.as_str(),
            scope.user.as_str(),
            scope.binding.as_str()
        ])?;
    let binding = binding_row(&transaction, scope)?
        .ok_or_else(|| StoreError::Unavailable("the binding row vanished mid-commit".into()))?
        .id;

    apply(&transaction, binding, next, commit)?;
    transaction.commit()?;
    Ok(StateVersion(expected.0 + 1))
}

/// Writes the commit's changes in the port's order and moves the version to `next`.
fn apply(
    connection: &Connection,
    binding: i64,
    next: i64,
    commit: &Commit,
) -> rusqlite::Result<()> {
    let mut remove = connection
        .prepare_cached("DELETE FROM mapping WHERE binding_id = ?1 AND officeheart_id = ?2")?;
    for id in &commit.mapping_removals {
        remove.execute(params![binding, id.as_str()])?;
    }
    let mut upsert = connection.prepare_cached(
        "INSERT OR REPLACE INTO mapping (binding_id, officeheart_id, officeheart_version,
             exchange_item_id, exchange_uid, exchange_change_key, content_hash, span_start,
             span_end)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for mapping in &commit.mapping_upserts {
        upsert.execute(params![
            binding,
            mapping.officeheart_id.as_str(),
            mapping.officeheart_version.as_str(),
            mapping.exchange_item_id.as_str(),
            mapping.exchange_uid.as_str(),
            mapping.exchange_change_key.as_ref().map(|key| key.as_str()),
            mapping.content_hash.as_bytes().as_slice(),
            mapping.span.map(|span| encode_instant(span.start)),
            mapping.span.map(|span| encode_instant(span.end)),
        ])?;
    }
    let mut forget = connection
        .prepare_cached("DELETE FROM intent WHERE binding_id = ?1 AND officeheart_id = ?2")?;
    for id in &commit.intents_removed {
        forget.execute(params![binding, id.as_str()])?;
    }
    let mut record = connection.prepare_cached(
        "INSERT OR REPLACE INTO intent (binding_id, officeheart_id, officeheart_version,
             content_hash, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for intent in &commit.intents_added {
        record.execute(params![
            binding,
            intent.officeheart_id.as_str(),
            intent.officeheart_version.as_str(),
            intent.content_hash.as_bytes().as_slice(),
            encode_instant(intent.recorded_at),
        ])?;
    }
    let mut remember = connection.prepare_cached(
        "INSERT OR IGNORE INTO unconfirmed_item (binding_id, exchange_item_id) VALUES (?1, ?2)",
    )?;
    for item_id in &commit.unconfirmed_added {
        remember.execute(params![binding, item_id.as_str()])?;
    }
    connection
        .prepare_cached(
            "UPDATE binding SET version = ?2,
                 mailbox_sync_state = COALESCE(?3, mailbox_sync_state),
                 agenda_cursor = COALESCE(?4, agenda_cursor),
                 status = COALESCE(?5, status)
             WHERE id = ?1",
        )?
        .execute(params![
            binding,
            next,
            commit
                .mailbox_sync_state
                .as_ref()
                .map(|state| state.0.as_str()),
            commit
                .agenda_cursor
                .as_ref()
                .map(|cursor| cursor.0.as_str()),
            commit.status.as_ref().map(encode_status),
        ])?;
    let mut confirm = connection.prepare_cached(
        "DELETE FROM unconfirmed_item WHERE binding_id = ?1 AND exchange_item_id = ?2",
    )?;
    for item_id in &commit.unconfirmed_removed {
        confirm.execute(params![binding, item_id.as_str()])?;
    }
    Ok(())
}

/// Sets (or with `None` clears) when the binding may be purged; answers whether it exists.
pub(crate) fn set_expiry(
    connection: &Connection,
    scope: &BindingScope,
    expires_at: Option<DateTime<Utc>>,
) -> Result<bool, CallError> {
    let changed = connection
        .prepare_cached(
            "UPDATE binding SET expires_at = ?4 WHERE tenant = ?1 AND user = ?2 AND binding = ?3",
        )?
        .execute(params![
            scope.tenant.as_str(),
            scope.user.as_str(),
            scope.binding.as_str(),
            expires_at.map(|at| at.timestamp()),
        ])?;
    Ok(changed > 0)
}

/// Deletes every binding (with its mappings and intents) that expired at or before `now`;
/// answers how many.
pub(crate) fn purge_expired(connection: &Connection, now: DateTime<Utc>) -> Result<u64, CallError> {
    let purged = connection
        .prepare_cached("DELETE FROM binding WHERE expires_at <= ?1")?
        .execute([now.timestamp()])?;
    Ok(purged as u64)
}
