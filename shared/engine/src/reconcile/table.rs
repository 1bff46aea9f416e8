//! The decision table: one match over (OfficeHeart state, Exchange state), all 25 cells
//! explicit. The rules it uses (copy, overwrite, delete, resolve) are the table's vocabulary
//! below; docs/SYNC-ENGINE.md shows the table as a grid.

use chrono::{DateTime, Utc};

use super::{
    Action, AgendaRevision, Cell, Conflict, ConflictKind, ConflictPolicy, Content, Decision,
    ExchangeObservation, Pair, ReadMode, ReconcileInput, Side, SideState, SkipReason,
};
use crate::appointment::Appointment;
use crate::identity::{ExchangeItemKey, IdempotencyKey, OhsyncTag};
use crate::ports::{
    AgendaChange, AgendaItem, ExchangeItem, ExchangeUpdate, ItemSummary, Mapping, NewAgendaItem,
    NewExchangeItem, SyncedSpan,
};

pub(super) fn decide(input: &ReconcileInput, pair: Pair) -> Decision {
    let rules = Rules { input, pair: &pair };
    let (cell, actions) = match rules.classify() {
        Ok(cell) => (Some(cell), rules.table(cell)),
        Err(reason) => (None, vec![Action::Skip(reason)]),
    };
    Decision {
        pair,
        cell,
        actions,
    }
}

/// The table itself: the actions of `cell` for `pair`. `reconcile` classifies the pair first;
/// this entry point exists so that every cell, including the six that classification can never
/// produce (a new item against a linked one), can be checked on its own.
pub(super) fn actions_for(input: &ReconcileInput, cell: Cell, pair: &Pair) -> Vec<Action> {
    Rules { input, pair }.table(cell)
}

struct Rules<'a> {
    input: &'a ReconcileInput,
    pair: &'a Pair,
}

impl Rules<'_> {
    fn table(&self, cell: Cell) -> Vec<Action> {
        use SideState::{Absent, Changed, Deleted, New, Unchanged};
        match (cell.officeheart, cell.exchange) {
            (Absent, Absent) => Vec::new(),
            (Absent, New) => self.copy_to_officeheart(),
            (Absent, Unchanged) => self.missing_from_listing(),
            (Absent, Changed) => self.update_officeheart(),
            (Absent, Deleted) => self.delete_in_officeheart(),
            (New, Absent) => self.copy_to_exchange(),
            (New, New) => self.link_matched(),
            (New, Unchanged) => self.inconsistent(),
            (New, Changed) => self.inconsistent(),
            (New, Deleted) => self.inconsistent(),
            (Unchanged, Absent) => self.missing_from_listing(),
            (Unchanged, New) => self.inconsistent(),
            (Unchanged, Unchanged) => self.refresh(),
            (Unchanged, Changed) => self.update_officeheart(),
            (Unchanged, Deleted) => self.delete_in_officeheart(),
            (Changed, Absent) => self.update_exchange(),
            (Changed, New) => self.inconsistent(),
            (Changed, Unchanged) => self.update_exchange(),
            (Changed, Changed) => self.both_changed(),
            (Changed, Deleted) => self.changed_versus_deleted(Side::OfficeHeart),
            (Deleted, Absent) => self.delete_in_exchange(),
            (Deleted, New) => self.inconsistent(),
            (Deleted, Unchanged) => self.delete_in_exchange(),
            (Deleted, Changed) => self.changed_versus_deleted(Side::Exchange),
            (Deleted, Deleted) => self.unlink(),
        }
    }

    // ---- classification ----

    fn classify(&self) -> Result<Cell, SkipReason> {
        let exchange = self.exchange_state()?;
        let officeheart = self.officeheart_state();
        let unfinished = self.exchange_item().is_ok_and(|item| item.unfinished);
        if unfinished && self.mapping().is_some() {
            return self.finish_exchange_write(officeheart);
        }
        Ok(Cell {
            officeheart,
            exchange,
        })
    }

    /// Exchange holds a series write of ohsync's that stopped half way: it carries no edit of
    /// the user's, so Exchange counts as unchanged and OfficeHeart's appointment is written
    /// again whole — or its deletion carried out. The executor reads the appointment when the
    /// feed did not bring it; when that read failed the pair waits for a later run.
    fn finish_exchange_write(&self, officeheart: SideState) -> Result<Cell, SkipReason> {
        let officeheart = match officeheart {
            SideState::Unchanged if self.officeheart_item().is_some() => SideState::Changed,
            SideState::Unchanged => return Err(SkipReason::UnfinishedWrite),
            other => other,
        };
        Ok(Cell {
            officeheart,
            exchange: SideState::Unchanged,
        })
    }

    fn officeheart_state(&self) -> SideState {
        match (&self.pair.mapping, &self.pair.officeheart) {
            (None, Some(AgendaChange::Upserted(_))) => SideState::New,
            (None, Some(AgendaChange::Deleted { .. }) | None) => SideState::Absent,
            (Some(_), None) => unobserved(self.input.officeheart.mode),
            (Some(mapping), Some(AgendaChange::Upserted(item))) => {
                let echo = item.version == mapping.officeheart_version
                    || item.appointment.content_hash() == mapping.content_hash;
                if echo {
                    SideState::Unchanged
                } else {
                    SideState::Changed
                }
            }
            (Some(_), Some(AgendaChange::Deleted { .. })) => SideState::Deleted,
        }
    }

    fn exchange_state(&self) -> Result<SideState, SkipReason> {
        match (&self.pair.mapping, &self.pair.exchange) {
            (None, Some(ExchangeObservation::Present { .. })) => Ok(SideState::New),
            (None, Some(ExchangeObservation::Deleted(_)) | None) => Ok(SideState::Absent),
            (Some(_), None) => Ok(unobserved(self.input.exchange.mode)),
            (Some(_), Some(ExchangeObservation::Deleted(_))) => Ok(SideState::Deleted),
            (Some(mapping), Some(ExchangeObservation::Present { summary, .. })) => {
                let recorded = mapping.exchange_change_key.as_ref();
                if recorded == Some(&summary.key.change_key) {
                    return Ok(SideState::Unchanged);
                }
                let item = self.exchange_item()?;
                let echo = recorded == Some(&item.key.change_key)
                    || item.appointment.content_hash() == mapping.content_hash;
                Ok(if echo {
                    SideState::Unchanged
                } else {
                    SideState::Changed
                })
            }
        }
    }

    // ---- what the pair holds ----

    fn mapping(&self) -> Option<&Mapping> {
        self.pair.mapping.as_ref()
    }

    fn officeheart_item(&self) -> Option<&AgendaItem> {
        match &self.pair.officeheart {
            Some(AgendaChange::Upserted(item)) => Some(item),
            Some(AgendaChange::Deleted { .. }) | None => None,
        }
    }

    fn exchange_summary(&self) -> Option<&ItemSummary> {
        match &self.pair.exchange {
            Some(ExchangeObservation::Present { summary, .. }) => Some(summary),
            Some(ExchangeObservation::Deleted(_)) | None => None,
        }
    }

    fn exchange_item(&self) -> Result<&ExchangeItem, SkipReason> {
        match &self.pair.exchange {
            Some(ExchangeObservation::Present {
                content: Content::Fetched(item),
                ..
            }) => Ok(item),
            Some(ExchangeObservation::Present {
                content: Content::Unreadable { retryable },
                ..
            }) => Err(SkipReason::Unreadable {
                retryable: *retryable,
            }),
            _ => Err(SkipReason::Unreadable { retryable: true }),
        }
    }

    fn officeheart_target(&self) -> Option<AgendaRevision> {
        match (self.officeheart_item(), self.mapping()) {
            (Some(item), _) => Some(revision(item)),
            (None, Some(mapping)) => Some(AgendaRevision {
                id: mapping.officeheart_id.clone(),
                version: mapping.officeheart_version.clone(),
            }),
            (None, None) => None,
        }
    }

    fn exchange_target(&self) -> Option<ExchangeItemKey> {
        if let Ok(item) = self.exchange_item() {
            return Some(item.key.clone());
        }
        if let Some(summary) = self.exchange_summary() {
            return Some(summary.key.clone());
        }
        let mapping = self.mapping()?;
        Some(ExchangeItemKey {
            item_id: mapping.exchange_item_id.clone(),
            change_key: mapping.exchange_change_key.clone()?,
            uid: mapping.exchange_uid.clone(),
        })
    }

    fn in_window(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
        self.input
            .policy
            .window
            .bounds(self.input.now)
            .overlaps(start, end)
    }

    fn writes_to(&self, side: Side) -> bool {
        self.input.policy.direction.writes_to(side)
    }

    // ---- the rules ----

    fn inconsistent(&self) -> Vec<Action> {
        vec![Action::Skip(SkipReason::InconsistentPair)]
    }

    fn copy_to_exchange(&self) -> Vec<Action> {
        match self.officeheart_item() {
            Some(item) => self.create_in_exchange(item),
            None => self.inconsistent(),
        }
    }

    fn create_in_exchange(&self, source: &AgendaItem) -> Vec<Action> {
        let (start, end) = source.appointment.extent();
        let skip = if !self.writes_to(Side::Exchange) {
            Some(SkipReason::DirectionExcluded)
        } else if source.appointment.has_unsupported_recurrence() {
            Some(SkipReason::UnsupportedRecurrence)
        } else if !self.in_window(start, end) {
            Some(SkipReason::OutsideWindow)
        } else {
            None
        };
        if let Some(reason) = skip {
            return vec![Action::Skip(reason)];
        }
        vec![Action::CreateInExchange {
            source: revision(source),
            item: NewExchangeItem {
                tag: OhsyncTag {
                    tenant: self.input.tenant.clone(),
                    officeheart_id: source.id.clone(),
                },
                appointment: source.appointment.clone(),
            },
        }]
    }

    fn copy_to_officeheart(&self) -> Vec<Action> {
        let Some(summary) = self.exchange_summary() else {
            return self.inconsistent();
        };
        if !self.writes_to(Side::OfficeHeart) {
            return vec![Action::Skip(SkipReason::DirectionExcluded)];
        }
        // A series' summary tells only its first occurrence; the read content tells its end.
        if !summary.is_series && !self.in_window(summary.start, summary.end) {
            return vec![Action::Skip(SkipReason::OutsideWindow)];
        }
        let source = match self.exchange_item() {
            Ok(item) => item,
            Err(reason) => return vec![Action::Skip(reason)],
        };
        let (start, end) = source.appointment.extent();
        if source.appointment.has_unsupported_recurrence() {
            return vec![Action::Skip(SkipReason::UnsupportedRecurrence)];
        }
        if !self.in_window(start, end) {
            return vec![Action::Skip(SkipReason::OutsideWindow)];
        }
        vec![Action::CreateInOfficeHeart {
            source: source.key.clone(),
            item: NewAgendaItem {
                idempotency_key: IdempotencyKey::for_officeheart_create(
                    &self.input.binding,
                    &source.key,
                ),
                external_ref: source.key.uid.clone(),
                appointment: source.appointment.clone(),
            },
        }]
    }

    fn update_officeheart(&self) -> Vec<Action> {
        match self.exchange_item() {
            Ok(source) => self.overwrite_officeheart(source),
            Err(reason) => vec![Action::Skip(reason)],
        }
    }

    fn overwrite_officeheart(&self, source: &ExchangeItem) -> Vec<Action> {
        if !self.writes_to(Side::OfficeHeart) {
            return vec![Action::Skip(SkipReason::DirectionExcluded)];
        }
        if source.appointment.has_unsupported_recurrence() {
            return vec![Action::Skip(SkipReason::UnsupportedRecurrence)];
        }
        let Some(target) = self.officeheart_target() else {
            return self.inconsistent();
        };
        vec![Action::UpdateOfficeHeart {
            target,
            source: source.key.clone(),
            appointment: source.appointment.clone(),
        }]
    }

    fn update_exchange(&self) -> Vec<Action> {
        match self.officeheart_item() {
            Some(source) => self.overwrite_exchange(source),
            None => self.inconsistent(),
        }
    }

    fn overwrite_exchange(&self, source: &AgendaItem) -> Vec<Action> {
        if !self.writes_to(Side::Exchange) {
            return vec![Action::Skip(SkipReason::DirectionExcluded)];
        }
        if source.appointment.has_unsupported_recurrence() {
            return vec![Action::Skip(SkipReason::UnsupportedRecurrence)];
        }
        let Some(target) = self.exchange_target() else {
            return vec![Action::Skip(SkipReason::Unreadable { retryable: true })];
        };
        vec![Action::UpdateExchange {
            source: revision(source),
            update: ExchangeUpdate {
                key: target,
                appointment: source.appointment.clone(),
            },
        }]
    }

    fn delete_in_officeheart(&self) -> Vec<Action> {
        if !self.writes_to(Side::OfficeHeart) {
            return [
                vec![Action::Skip(SkipReason::DirectionExcluded)],
                self.unlink(),
            ]
            .concat();
        }
        match self.officeheart_target() {
            Some(target) => vec![Action::DeleteInOfficeHeart { target }],
            None => self.inconsistent(),
        }
    }

    fn delete_in_exchange(&self) -> Vec<Action> {
        if !self.writes_to(Side::Exchange) {
            return [
                vec![Action::Skip(SkipReason::DirectionExcluded)],
                self.unlink(),
            ]
            .concat();
        }
        match self.exchange_target() {
            Some(target) => vec![Action::DeleteInExchange { target }],
            None => vec![Action::Skip(SkipReason::Unreadable { retryable: true })],
        }
    }

    fn unlink(&self) -> Vec<Action> {
        match self.mapping() {
            Some(mapping) => vec![Action::Unlink {
                officeheart_id: mapping.officeheart_id.clone(),
            }],
            None => self.inconsistent(),
        }
    }

    fn missing_from_listing(&self) -> Vec<Action> {
        [
            vec![Action::Skip(SkipReason::MissingFromListing)],
            self.refresh(),
        ]
        .concat()
    }

    /// Records versions observed for an unchanged pair (an echo with a new version, an item
    /// that moved), so later runs recognise them without reading content.
    fn refresh(&self) -> Vec<Action> {
        let Some(recorded) = self.mapping() else {
            return self.inconsistent();
        };
        let mut current = recorded.clone();
        if let Some(item) = self.officeheart_item() {
            current.officeheart_version = item.version.clone();
        }
        let observed = self
            .exchange_item()
            .map(|item| &item.key)
            .ok()
            .or(self.exchange_summary().map(|summary| &summary.key));
        if let Some(key) = observed {
            current.exchange_item_id = key.item_id.clone();
            current.exchange_uid = key.uid.clone();
            current.exchange_change_key = Some(key.change_key.clone());
        }
        if &current == recorded {
            Vec::new()
        } else {
            vec![Action::Link(current)]
        }
    }

    fn link_matched(&self) -> Vec<Action> {
        let (Some(officeheart), Ok(exchange)) = (self.officeheart_item(), self.exchange_item())
        else {
            return self
                .exchange_item()
                .err()
                .map_or_else(|| self.inconsistent(), |reason| vec![Action::Skip(reason)]);
        };
        if officeheart.appointment.content_hash() == exchange.appointment.content_hash() {
            return vec![Action::Link(linked(
                officeheart,
                exchange,
                &officeheart.appointment,
            ))];
        }
        let winner = self.later_or_policy(officeheart.updated_at, exchange.last_modified);
        let winning_content = match winner {
            Side::OfficeHeart => &officeheart.appointment,
            Side::Exchange => &exchange.appointment,
        };
        [
            vec![
                Action::Link(linked(officeheart, exchange, winning_content)),
                Action::Conflict(Conflict {
                    kind: ConflictKind::DifferentWhenMatched,
                    winner,
                }),
            ],
            self.overwrite_loser(winner, officeheart, exchange),
        ]
        .concat()
    }

    fn both_changed(&self) -> Vec<Action> {
        let (Some(officeheart), Ok(exchange)) = (self.officeheart_item(), self.exchange_item())
        else {
            return self.inconsistent();
        };
        if officeheart.appointment.content_hash() == exchange.appointment.content_hash() {
            return vec![Action::Link(linked(
                officeheart,
                exchange,
                &officeheart.appointment,
            ))];
        }
        let winner = self.later_or_policy(officeheart.updated_at, exchange.last_modified);
        [
            vec![Action::Conflict(Conflict {
                kind: ConflictKind::BothChanged,
                winner,
            })],
            self.overwrite_loser(winner, officeheart, exchange),
        ]
        .concat()
    }

    fn overwrite_loser(
        &self,
        winner: Side,
        officeheart: &AgendaItem,
        exchange: &ExchangeItem,
    ) -> Vec<Action> {
        match winner {
            Side::OfficeHeart => self.overwrite_exchange(officeheart),
            Side::Exchange => self.overwrite_officeheart(exchange),
        }
    }

    /// A change against a deletion: keeping the change re-creates the item on the side that
    /// deleted it; applying the deletion deletes it on the side that changed it.
    fn changed_versus_deleted(&self, changed: Side) -> Vec<Action> {
        let winner = match (
            self.input.policy.direction.source(),
            self.input.policy.conflict,
        ) {
            (Some(source), _) => source,
            // Exchange reports no deletion time, so "newest" cannot be decided; keeping the
            // change is the error that loses nothing.
            (None, ConflictPolicy::NewestWins) => changed,
            (None, ConflictPolicy::OfficeHeartWins) => Side::OfficeHeart,
            (None, ConflictPolicy::ExchangeWins) => Side::Exchange,
        };
        let conflict = Action::Conflict(Conflict {
            kind: ConflictKind::ChangedVersusDeleted,
            winner,
        });
        if winner != changed {
            let deletion = match changed {
                Side::OfficeHeart => self.delete_in_officeheart(),
                Side::Exchange => self.delete_in_exchange(),
            };
            return [vec![conflict], deletion].concat();
        }
        let recreation = match (changed, self.officeheart_item()) {
            (Side::OfficeHeart, Some(item)) => self.create_in_exchange(item),
            (Side::Exchange, _) => self.copy_to_officeheart(),
            (Side::OfficeHeart, None) => self.inconsistent(),
        };
        let settled = recreation.iter().any(|action| {
            action.is_write() || matches!(action, Action::Skip(reason) if reason.holds_back_sync())
        });
        // A re-creation that may not happen (outside the window, an unsupported series) leaves
        // a mapping to a deleted item; it goes, and the surviving item stands alone.
        let unlink = if settled { Vec::new() } else { self.unlink() };
        [vec![conflict], recreation, unlink].concat()
    }

    fn later_or_policy(
        &self,
        officeheart_changed: DateTime<Utc>,
        exchange_changed: DateTime<Utc>,
    ) -> Side {
        match (
            self.input.policy.direction.source(),
            self.input.policy.conflict,
        ) {
            (Some(source), _) => source,
            (None, ConflictPolicy::OfficeHeartWins) => Side::OfficeHeart,
            (None, ConflictPolicy::ExchangeWins) => Side::Exchange,
            (None, ConflictPolicy::NewestWins) if exchange_changed > officeheart_changed => {
                Side::Exchange
            }
            (None, ConflictPolicy::NewestWins) => Side::OfficeHeart,
        }
    }
}

fn unobserved(mode: ReadMode) -> SideState {
    match mode {
        ReadMode::Delta => SideState::Unchanged,
        ReadMode::Listing => SideState::Absent,
    }
}

fn revision(item: &AgendaItem) -> AgendaRevision {
    AgendaRevision {
        id: item.id.clone(),
        version: item.version.clone(),
    }
}

/// The mapping of two items that hold (or are about to hold) `content`.
fn linked(officeheart: &AgendaItem, exchange: &ExchangeItem, content: &Appointment) -> Mapping {
    Mapping {
        officeheart_id: officeheart.id.clone(),
        officeheart_version: officeheart.version.clone(),
        exchange_item_id: exchange.key.item_id.clone(),
        exchange_uid: exchange.key.uid.clone(),
        exchange_change_key: Some(exchange.key.change_key.clone()),
        content_hash: content.content_hash(),
        span: Some(SyncedSpan::of(content)),
    }
}
