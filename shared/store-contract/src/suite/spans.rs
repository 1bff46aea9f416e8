//! Cases on the synced span a mapping carries.

use std::sync::Arc;

use ohsync_engine::ports::{StateVersion, Store, SyncedSpan};

use super::fixtures::{commit, every_id, find, list_all, mapping, scope, sorted, span, upserting};

/// A span (nanoseconds included), the span of a series without end and no span at all
/// round-trip through lookups and the listing, and an upsert replaces a span by another or by
/// none.
pub async fn spans_round_trip_with_and_without(store: Arc<dyn Store>) {
    let scope = scope("spans", "jan", "jan");
    let with = mapping("oh-with", "item-with", "uid-with", 2);
    let without = mapping("oh-without", "item-without", "uid-without", 3);
    assert!(with.span.is_some() && without.span.is_none());
    let mut endless = mapping("oh-endless", "item-endless", "uid-endless", 4);
    endless.span = Some(SyncedSpan {
        end: SyncedSpan::LATEST,
        ..span(4)
    });
    let both = vec![with.clone(), without.clone(), endless.clone()];
    let version = commit(&store, &scope, StateVersion(0), upserting(both.clone())).await;
    assert_eq!(
        find(&store, &scope, &every_id(&both)).await,
        sorted(both.clone())
    );
    assert_eq!(list_all(&store, &scope, 10).await.0, sorted(both));

    let cleared = mapping("oh-with", "item-with", "uid-with", 5);
    let mut moved = without.clone();
    moved.span = Some(span(8));
    let swapped = vec![cleared.clone(), moved.clone()];
    commit(&store, &scope, version, upserting(swapped.clone())).await;
    assert_eq!(cleared.span, None);
    assert_eq!(
        find(&store, &scope, &every_id(&swapped)).await,
        sorted(swapped.clone())
    );
    let mut listed = swapped;
    listed.push(endless);
    assert_eq!(list_all(&store, &scope, 10).await.0, sorted(listed));
}
