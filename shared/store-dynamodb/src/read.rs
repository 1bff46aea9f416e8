//! Reads: `load` is one Query on the binding's partition (state, intents and unconfirmed items
//! sort first, under `#`); lookups are one BatchGetItem over the pointer items of the ids asked for.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use aws_sdk_dynamodb::types::KeysAndAttributes;
use ohsync_engine::identity::{ExchangeItemId, ExchangeUid, OfficeHeartId};
use ohsync_engine::ports::{BindingScope, BindingState, Mapping, MappingQuery, StoreError};
use tokio::task::JoinSet;

use crate::item::{self, Item};
use crate::keys::{self, INTENT_PREFIX, LOAD_PREFIX, STATE, UNCONFIRMED_PREFIX};
use crate::query::{each_page, partition_query};
use crate::requests::Operation;
use crate::retry::{classify, retrying, until_processed};
use crate::store::Inner;

/// Keys per BatchGetItem (DynamoDB's limit).
const BATCH_GET_LIMIT: usize = 100;

/// The binding's state, intents and unconfirmed items.
pub(crate) async fn load(inner: &Inner, scope: &BindingScope) -> Result<BindingState, StoreError> {
    let partition = keys::partition(scope);
    let mut state = BindingState::default();
    let mut intents = Vec::new();
    let mut unconfirmed = Vec::new();
    // One page holds everything unless intents and unconfirmed items pile up past 1 MB.
    let request = partition_query(inner, &partition, Some(LOAD_PREFIX));
    each_page(inner, request, |page| {
        for found in page.items() {
            let sort = item::sort_key(found)?;
            if sort == STATE {
                state = item::state(found)?;
            } else if sort.starts_with(INTENT_PREFIX) {
                intents.push(item::pending_intent(found)?);
            } else if sort.starts_with(UNCONFIRMED_PREFIX) {
                unconfirmed.push(item::unconfirmed_item(found)?);
            }
        }
        Ok(())
    })
    .await?;
    state.intents = intents;
    state.unconfirmed_items = unconfirmed;
    Ok(state)
}

/// Which id a pointer was looked up by; a pointer answers only if its mapping holds that id
/// (the sort key is a digest of it).
enum Wanted {
    OfficeHeart(OfficeHeartId),
    Item(ExchangeItemId),
    Uid(ExchangeUid),
}

impl Wanted {
    fn held_by(&self, mapping: &Mapping) -> bool {
        match self {
            Self::OfficeHeart(id) => mapping.officeheart_id == *id,
            Self::Item(id) => mapping.exchange_item_id == *id,
            Self::Uid(id) => mapping.exchange_uid == *id,
        }
    }
}

/// The mappings matching any id of the query, each once.
pub(crate) async fn find_mappings(
    inner: &Arc<Inner>,
    scope: &BindingScope,
    query: &MappingQuery,
) -> Result<Vec<Mapping>, StoreError> {
    let mut wanted = BTreeMap::new();
    for id in &query.officeheart_ids {
        wanted.insert(keys::by_officeheart(id), Wanted::OfficeHeart(id.clone()));
    }
    for id in &query.exchange_item_ids {
        wanted.insert(keys::by_item(id), Wanted::Item(id.clone()));
    }
    for id in &query.exchange_uids {
        wanted.insert(keys::by_uid(id), Wanted::Uid(id.clone()));
    }
    let partition = keys::partition(scope);
    let items = get_items(inner, &partition, wanted.keys().cloned().collect()).await?;
    let mut found = BTreeMap::new();
    for pointer in items {
        let mapping = item::mapping(&pointer)?;
        let sort = item::sort_key(&pointer)?;
        if wanted.get(&sort).is_some_and(|w| w.held_by(&mapping)) {
            found
                .entry(mapping.officeheart_id.clone())
                .or_insert(mapping);
        }
    }
    Ok(found.into_values().collect())
}

/// The mappings stored under the given OfficeHeart ids.
pub(crate) async fn stored_mappings<'a>(
    inner: &Arc<Inner>,
    partition: &str,
    ids: impl IntoIterator<Item = &'a OfficeHeartId>,
) -> Result<HashMap<OfficeHeartId, Mapping>, StoreError> {
    let sorts = ids.into_iter().map(keys::by_officeheart).collect();
    let mut stored = HashMap::new();
    for pointer in get_items(inner, partition, sorts).await? {
        let mapping = item::mapping(&pointer)?;
        stored.insert(mapping.officeheart_id.clone(), mapping);
    }
    Ok(stored)
}

/// The items with the given sort keys in the partition: one BatchGetItem per 100 keys, sent
/// concurrently.
async fn get_items(
    inner: &Arc<Inner>,
    partition: &str,
    mut sorts: Vec<String>,
) -> Result<Vec<Item>, StoreError> {
    sorts.sort();
    sorts.dedup();
    let mut batches: Vec<Vec<Item>> = sorts
        .chunks(BATCH_GET_LIMIT)
        .map(|chunk| {
            chunk
                .iter()
                .map(|sort| item::key(partition, sort))
                .collect()
        })
        .collect();
    match batches.len() {
        0 => Ok(Vec::new()),
        1 => get_batch(inner, batches.remove(0)).await,
        _ => {
            let mut tasks = JoinSet::new();
            for batch in batches {
                let inner = inner.clone();
                tasks.spawn(async move { get_batch(&inner, batch).await });
            }
            let mut items = Vec::new();
            while let Some(done) = tasks.join_next().await {
                let batch =
                    done.map_err(|e| StoreError::Unavailable(format!("lookup task failed: {e}")))?;
                items.extend(batch?);
            }
            Ok(items)
        }
    }
}

/// One BatchGetItem, strongly consistent, asking again for keys DynamoDB left unprocessed.
async fn get_batch(inner: &Inner, keys: Vec<Item>) -> Result<Vec<Item>, StoreError> {
    until_processed(&inner.policy, keys, |keys| async move {
        let wanted = KeysAndAttributes::builder()
            .set_keys(Some(keys))
            .consistent_read(true)
            .build()
            .map_err(|e| StoreError::Unavailable(format!("lookup request: {e}")))?;
        let output = retrying(
            &inner.policy,
            &inner.requests,
            Operation::BatchGetItem,
            || {
                let request = inner
                    .client
                    .batch_get_item()
                    .request_items(&inner.table, wanted.clone());
                async move { request.send().await.map_err(classify) }
            },
        )
        .await?;
        let found = output
            .responses
            .and_then(|mut found| found.remove(&inner.table))
            .unwrap_or_default();
        let left = output
            .unprocessed_keys
            .and_then(|mut left| left.remove(&inner.table))
            .map(|left| left.keys)
            .unwrap_or_default();
        Ok((found, left))
    })
    .await
}
