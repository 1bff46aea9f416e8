//! Reads: a binding's state, mapping lookups and the paged listing of all mappings.

use std::collections::BTreeMap;

use ohsync_engine::ports::{
    AgendaCursor, BindingScope, BindingState, ListingToken, MailboxSyncState, Mapping, MappingPage,
    MappingQuery, StateVersion, StoreError,
};
use ohsync_store_contract::record::{
    IntentRecord, MappingRecord, decode_status, decode_unconfirmed_item,
};
use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::error::CallError;

/// The binding row of a scope.
pub(crate) struct BindingRow {
    pub(crate) id: i64,
    version: i64,
    mailbox_sync_state: Option<String>,
    agenda_cursor: Option<String>,
    status: Option<String>,
}

/// The scope's binding row, when it was ever written.
pub(crate) fn binding_row(
    connection: &Connection,
    scope: &BindingScope,
) -> Result<Option<BindingRow>, CallError> {
    let row = connection
        .prepare_cached(
            "SELECT id, version, mailbox_sync_state, agenda_cursor, status FROM binding
             WHERE tenant = ?1 AND user = ?2 AND binding = ?3",
        )?
        .query_row(
            params![
                scope.tenant.as_str(),
                scope.user.as_str(),
                scope.binding.as_str()
            ],
            |row| {
                Ok(BindingRow {
                    id: row.get(0)?,
                    version: row.get(1)?,
                    mailbox_sync_state: row.get(2)?,
                    agenda_cursor: row.get(3)?,
                    status: row.get(4)?,
                })
            },
        )
        .optional()?;
    Ok(row)
}

impl BindingRow {
    /// The stored version.
    pub(crate) fn version(&self) -> Result<StateVersion, StoreError> {
        count(self.version, "version").map(StateVersion)
    }
}

/// A stored count or version, which is never negative.
pub(crate) fn count(raw: i64, what: &str) -> Result<u64, StoreError> {
    u64::try_from(raw).map_err(|_| StoreError::Corrupt(format!("stored {what} {raw} is negative")))
}

/// The scope's state; one read transaction, so that counts and intents match the version.
pub(crate) fn load(
    connection: &mut Connection,
    scope: &BindingScope,
) -> Result<BindingState, CallError> {
    let transaction = connection.transaction()?;
    let Some(row) = binding_row(&transaction, scope)? else {
        return Ok(BindingState::default());
    };
    let mapping_count = transaction
        .prepare_cached("SELECT COUNT(*) FROM mapping WHERE binding_id = ?1")?
        .query_row([row.id], |row| row.get(0))?;
    let mut intents = Vec::new();
    let mut statement = transaction.prepare_cached(
        "SELECT officeheart_id, officeheart_version, content_hash, recorded_at FROM intent
         WHERE binding_id = ?1 ORDER BY officeheart_id",
    )?;
    let mut rows = statement.query([row.id])?;
    while let Some(intent) = rows.next()? {
        let record = IntentRecord {
            officeheart_id: intent.get(0)?,
            officeheart_version: intent.get(1)?,
            content_hash: intent.get(2)?,
            recorded_at: intent.get(3)?,
        };
        intents.push(record.try_into()?);
    }
    let mut unconfirmed_items = Vec::new();
    let mut statement = transaction.prepare_cached(
        "SELECT exchange_item_id FROM unconfirmed_item WHERE binding_id = ?1
         ORDER BY exchange_item_id",
    )?;
    let mut rows = statement.query([row.id])?;
    while let Some(item) = rows.next()? {
        let item_id: String = item.get(0)?;
        unconfirmed_items.push(decode_unconfirmed_item(&item_id)?);
    }
    Ok(BindingState {
        version: row.version()?,
        mailbox_sync_state: row.mailbox_sync_state.map(MailboxSyncState),
        agenda_cursor: row.agenda_cursor.map(AgendaCursor),
        mapping_count: count(mapping_count, "mapping count")?,
        intents,
        unconfirmed_items,
        status: row.status.as_deref().map(decode_status).transpose()?,
    })
}

const MAPPING_COLUMNS: &str = "officeheart_id, officeheart_version, exchange_item_id, \
    exchange_uid, exchange_change_key, content_hash, span_start, span_end";

fn mapping_record(row: &Row<'_>) -> rusqlite::Result<MappingRecord> {
    Ok(MappingRecord {
        officeheart_id: row.get(0)?,
        officeheart_version: row.get(1)?,
        exchange_item_id: row.get(2)?,
        exchange_uid: row.get(3)?,
        exchange_change_key: row.get(4)?,
        content_hash: row.get(5)?,
        span_start: row.get(6)?,
        span_end: row.get(7)?,
    })
}

/// The mappings matching any id of the query, each once. Every id is one indexed point lookup.
pub(crate) fn find_mappings(
    connection: &mut Connection,
    scope: &BindingScope,
    query: &MappingQuery,
) -> Result<Vec<Mapping>, CallError> {
    let transaction = connection.transaction()?;
    let Some(row) = binding_row(&transaction, scope)? else {
        return Ok(Vec::new());
    };
    let lookups = [
        (
            "officeheart_id",
            query
                .officeheart_ids
                .iter()
                .map(|id| id.as_str())
                .collect::<Vec<_>>(),
        ),
        (
            "exchange_item_id",
            query
                .exchange_item_ids
                .iter()
                .map(|id| id.as_str())
                .collect(),
        ),
        (
            "exchange_uid",
            query.exchange_uids.iter().map(|id| id.as_str()).collect(),
        ),
    ];
    let mut found = BTreeMap::new();
    for (column, ids) in lookups {
        let mut statement = transaction.prepare_cached(&format!(
            "SELECT {MAPPING_COLUMNS} FROM mapping WHERE binding_id = ?1 AND {column} = ?2"
        ))?;
        for id in ids {
            let mut rows = statement.query(params![row.id, id])?;
            while let Some(mapping) = rows.next()? {
                let record = mapping_record(mapping)?;
                if !found.contains_key(&record.officeheart_id) {
                    found.insert(record.officeheart_id.clone(), Mapping::try_from(record)?);
                }
            }
        }
    }
    Ok(found.into_values().collect())
}

/// Mappings per listing page.
const PAGE_SIZE: usize = 500;

/// One page of the binding's mappings in OfficeHeart id order; the token is the last id handed
/// out, so a page resumes right after it whatever was written in between.
pub(crate) fn list_mappings(
    connection: &mut Connection,
    scope: &BindingScope,
    page: Option<&ListingToken>,
) -> Result<MappingPage, CallError> {
    let transaction = connection.transaction()?;
    let Some(row) = binding_row(&transaction, scope)? else {
        return Ok(MappingPage::default());
    };
    let after = page.map_or("", |token| token.0.as_str());
    // One row beyond the page tells whether another page follows.
    let mut statement = transaction.prepare_cached(&format!(
        "SELECT {MAPPING_COLUMNS} FROM mapping WHERE binding_id = ?1 AND officeheart_id > ?2
         ORDER BY officeheart_id LIMIT ?3"
    ))?;
    let mut rows = statement.query(params![row.id, after, PAGE_SIZE as i64 + 1])?;
    let mut mappings = Vec::new();
    while let Some(found) = rows.next()? {
        mappings.push(Mapping::try_from(mapping_record(found)?)?);
    }
    let next = if mappings.len() > PAGE_SIZE {
        mappings.truncate(PAGE_SIZE);
        mappings
            .last()
            .map(|last| ListingToken(last.officeheart_id.as_str().to_owned()))
    } else {
        None
    };
    Ok(MappingPage { mappings, next })
}
