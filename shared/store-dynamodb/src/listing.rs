//! Listing a binding's mappings: one Query per page over the pointer items by OfficeHeart id
//! (exactly one per mapping), in sort-key order. The page token is the last sort key read,
//! which is all DynamoDB needs to go on (`ExclusiveStartKey` is that key in this partition).

use aws_sdk_dynamodb::types::AttributeValue;
use ohsync_engine::ports::{BindingScope, ListingToken, MappingPage, StoreError};

use crate::item::{self, Item};
use crate::keys::{self, OFFICEHEART_PREFIX, SK};
use crate::query::{one_page, partition_query};
use crate::store::Inner;

/// Mappings per page: a pointer is under 1 KB, so a page stays well under DynamoDB's 1 MB
/// answer limit and a Lambda's memory, while a binding of a few thousand mappings still
/// lists in a handful of requests.
const PAGE_SIZE: i32 = 400;

/// The sort key a token carries, checked to be a pointer key (a token from anywhere else
/// would start the listing at an arbitrary place).
fn start_after(token: &ListingToken) -> Result<&str, StoreError> {
    let sort = token.0.as_str();
    if sort.len() > OFFICEHEART_PREFIX.len() && sort.starts_with(OFFICEHEART_PREFIX) {
        Ok(sort)
    } else {
        Err(StoreError::Corrupt(format!(
            "mapping page token {sort:?} is not one this store handed out"
        )))
    }
}

fn token_of(last: &Item) -> Result<ListingToken, StoreError> {
    match last.get(SK) {
        Some(AttributeValue::S(sort)) => Ok(ListingToken(sort.clone())),
        _ => Err(StoreError::Corrupt(
            "a listing ended on a key without a string sort key".into(),
        )),
    }
}

/// One page of the binding's mappings.
pub(crate) async fn list_mappings(
    inner: &Inner,
    scope: &BindingScope,
    page: Option<&ListingToken>,
) -> Result<MappingPage, StoreError> {
    let partition = keys::partition(scope);
    let start = page
        .map(start_after)
        .transpose()?
        .map(|sort| item::key(&partition, sort));
    let request = partition_query(inner, &partition, Some(OFFICEHEART_PREFIX)).limit(PAGE_SIZE);
    let output = one_page(inner, &request, start).await?;
    let mappings = output
        .items()
        .iter()
        .map(item::mapping)
        .collect::<Result<Vec<_>, _>>()?;
    let next = output.last_evaluated_key().map(token_of).transpose()?;
    Ok(MappingPage { mappings, next })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_pointer_keys_are_accepted_as_tokens() {
        let pointer = ListingToken("o#AbCdEfGhIjKlMnOpQrStUv".into());
        assert_eq!(start_after(&pointer).unwrap(), pointer.0);
        for foreign in ["", "o#", "#state", "x#AbCdEfGhIjKlMnOpQrStUv", "u#1"] {
            assert!(matches!(
                start_after(&ListingToken(foreign.into())),
                Err(StoreError::Corrupt(_))
            ));
        }
    }
}
