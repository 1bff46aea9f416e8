//! Scopes, mappings, intents and statuses the cases build on, and checked store calls; public
//! so that backends' own tests build the same way.

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use ohsync_engine::appointment::ContentHash;
use ohsync_engine::identity::{
    AgendaVersion, BindingAccount, BindingId, ChangeKey, ExchangeItemId, ExchangeUid,
    OfficeHeartId, TenantId, UserId,
};
use ohsync_engine::ports::{
    AgendaCursor, BindingScope, BindingState, Commit, MailboxSyncState, Mapping, MappingQuery,
    PendingIntent, StateVersion, Store, SyncedSpan,
};
use ohsync_engine::reconcile::AbortReason;
use ohsync_engine::report::{ActionCounts, ErrorCode, RunError, RunOutcome, RunStatus, SideCounts};

/// The scope of `user` in `tenant`, bound to the Exchange account `account` (binding id derived
/// the way production derives it).
pub fn scope(tenant: &str, user: &str, account: &str) -> BindingScope {
    let tenant = TenantId::parse(tenant).unwrap();
    let user = UserId::parse(user).unwrap();
    let binding = BindingId::derive(&BindingAccount {
        tenant: &tenant,
        user: &user,
        ews_url: "https://mail.example.nl/EWS/Exchange.asmx",
        domain: "officeheart",
        username: account,
        mailbox: None,
    })
    .unwrap();
    BindingScope {
        tenant,
        user,
        binding,
    }
}

/// A content hash that differs per seed.
pub fn hash(seed: u64) -> ContentHash {
    let mut bytes = [0u8; 32];
    for (n, chunk) in bytes.chunks_mut(8).enumerate() {
        chunk.copy_from_slice(&seed.wrapping_mul(n as u64 + 0x9e37).to_be_bytes());
    }
    ContentHash::from_bytes(bytes)
}

/// A mapping with the given ids; the version, ChangeKey and hash follow `seed`, and so does the
/// span: kept for even seeds, absent (as in records older than spans) for odd ones.
pub fn mapping(officeheart_id: &str, item_id: &str, uid: &str, seed: u64) -> Mapping {
    Mapping {
        officeheart_id: OfficeHeartId::parse(officeheart_id).unwrap(),
        officeheart_version: AgendaVersion::parse(&format!("v{seed}")).unwrap(),
        exchange_item_id: ExchangeItemId::parse(item_id).unwrap(),
        exchange_uid: ExchangeUid::parse(uid).unwrap(),
        exchange_change_key: Some(ChangeKey::parse(&format!("CQAAABYAAA{seed}")).unwrap()),
        content_hash: hash(seed),
        span: seed.is_multiple_of(2).then(|| span(seed)),
    }
}

/// A span that differs per seed, with nanoseconds a store must keep.
pub fn span(seed: u64) -> SyncedSpan {
    SyncedSpan {
        start: instant(seed),
        end: instant(seed) + chrono::Duration::minutes(30 + seed as i64 % 90),
    }
}

/// Mapping number `n`, with ItemId and UID of realistic length.
pub fn numbered(n: u64) -> Mapping {
    mapping(
        &format!("oh-{n}"),
        &format!("AAMkADk2NmQ4ZjQ1LWE1YzEtNDZmNi1iMzdkLTQ2ZDU1NjNhYmNjNwBGAAAAAAB{n:08}AAA="),
        &format!("040000008200E00074C5B7101A82E0080000000012345678{n:016X}"),
        n,
    )
}

/// An intent for `officeheart_id` at version `version`.
pub fn intent(officeheart_id: &str, version: &str, seed: u64) -> PendingIntent {
    PendingIntent {
        officeheart_id: OfficeHeartId::parse(officeheart_id).unwrap(),
        officeheart_version: AgendaVersion::parse(version).unwrap(),
        content_hash: hash(seed),
        recorded_at: instant(seed),
    }
}

/// A fixed instant with nanoseconds, which a store must keep exactly.
pub fn instant(seed: u64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_796_112_000 + seed as i64 * 61, 123_456_789)
        .unwrap()
}

/// An Exchange sync position.
pub fn sync_state(text: &str) -> MailboxSyncState {
    MailboxSyncState(format!("H4sIAAAAAAAEAO29B2AcSZYlJi9tynt/SvVK1+B0{text}"))
}

/// An OfficeHeart cursor.
pub fn cursor(text: &str) -> AgendaCursor {
    AgendaCursor(format!("cursor:{text}"))
}

/// A completed run's status with some counts.
pub fn completed(seed: u64) -> RunStatus {
    RunStatus {
        finished_at: instant(seed),
        outcome: RunOutcome::Completed,
        counts: ActionCounts {
            created: SideCounts {
                officeheart: 2,
                exchange: seed as u32,
            },
            linked: 1,
            ..ActionCounts::default()
        },
        conflicts: SideCounts {
            officeheart: 1,
            exchange: 0,
        },
        errors: Vec::new(),
    }
}

/// An aborted run's status with errors.
pub fn aborted(seed: u64) -> RunStatus {
    RunStatus {
        finished_at: instant(seed),
        outcome: RunOutcome::Aborted(AbortReason::DeletionGuard {
            planned: 40,
            limit: 25,
        }),
        counts: ActionCounts::default(),
        conflicts: SideCounts {
            officeheart: 0,
            exchange: 2,
        },
        errors: vec![
            RunError {
                code: ErrorCode::MailboxThrottled,
                detail: "ErrorServerBusy: terugtrekken 5000 ms — «wacht»".into(),
            },
            RunError {
                code: ErrorCode::CreateOutcomeUnknown,
                detail: "oh-7".into(),
            },
        ],
    }
}

/// Looks up by OfficeHeart ids.
pub fn by_officeheart(ids: &[&str]) -> MappingQuery {
    MappingQuery {
        officeheart_ids: ids
            .iter()
            .map(|id| OfficeHeartId::parse(id).unwrap())
            .collect(),
        ..MappingQuery::default()
    }
}

/// Looks up by Exchange ItemIds.
pub fn by_item(ids: &[&str]) -> MappingQuery {
    MappingQuery {
        exchange_item_ids: ids
            .iter()
            .map(|id| ExchangeItemId::parse(id).unwrap())
            .collect(),
        ..MappingQuery::default()
    }
}

/// Looks up by Exchange UIDs.
pub fn by_uid(ids: &[&str]) -> MappingQuery {
    MappingQuery {
        exchange_uids: ids
            .iter()
            .map(|id| ExchangeUid::parse(id).unwrap())
            .collect(),
        ..MappingQuery::default()
    }
}

/// The query naming every id of `mappings`.
pub fn every_id(mappings: &[Mapping]) -> MappingQuery {
    MappingQuery {
        officeheart_ids: mappings.iter().map(|m| m.officeheart_id.clone()).collect(),
        exchange_item_ids: mappings
            .iter()
            .map(|m| m.exchange_item_id.clone())
            .collect(),
        exchange_uids: mappings.iter().map(|m| m.exchange_uid.clone()).collect(),
    }
}

/// Every mapping of the binding, page by page; panics if a page repeats or the listing does
/// not end within `max_pages`. Answers the mappings sorted and the number of pages.
pub async fn list_all(
    store: &Arc<dyn Store>,
    scope: &BindingScope,
    max_pages: usize,
) -> (Vec<Mapping>, usize) {
    let mut all = Vec::new();
    let mut token = None;
    for pages in 1..=max_pages {
        let page = store.list_mappings(scope, token.as_ref()).await.unwrap();
        all.extend(page.mappings);
        match page.next {
            Some(next) => {
                assert_ne!(Some(&next), token.as_ref(), "a page must not repeat");
                token = Some(next);
            }
            None => return (sorted(all), pages),
        }
    }
    panic!("the listing did not end within {max_pages} pages");
}

/// Sorted by OfficeHeart id, for comparing as sets.
pub fn sorted(mut mappings: Vec<Mapping>) -> Vec<Mapping> {
    mappings.sort_by(|a, b| a.officeheart_id.cmp(&b.officeheart_id));
    mappings
}

/// The mappings found, sorted.
pub async fn find(
    store: &Arc<dyn Store>,
    scope: &BindingScope,
    query: &MappingQuery,
) -> Vec<Mapping> {
    sorted(store.find_mappings(scope, query).await.unwrap())
}

/// The state loaded, with intents and unconfirmed items sorted.
pub async fn load(store: &Arc<dyn Store>, scope: &BindingScope) -> BindingState {
    let mut state = store.load(scope).await.unwrap();
    state
        .intents
        .sort_by(|a, b| a.officeheart_id.cmp(&b.officeheart_id));
    state.unconfirmed_items.sort();
    state
}

/// Exchange ItemIds, parsed.
pub fn item_ids(raw: &[&str]) -> Vec<ExchangeItemId> {
    raw.iter()
        .map(|id| ExchangeItemId::parse(id).unwrap())
        .collect()
}

/// Commits and checks that the version advanced by exactly one.
pub async fn commit(
    store: &Arc<dyn Store>,
    scope: &BindingScope,
    expected: StateVersion,
    commit: Commit,
) -> StateVersion {
    let version = store.commit(scope, expected, &commit).await.unwrap();
    assert_eq!(version, StateVersion(expected.0 + 1), "a commit adds one");
    version
}

/// A commit that only upserts `mappings`.
pub fn upserting(mappings: Vec<Mapping>) -> Commit {
    Commit {
        mapping_upserts: mappings,
        ..Commit::default()
    }
}
