//! Reading both sides: changes since the stored position, or a listing of the window when
//! there is no position or it is no longer accepted.

use crate::ports::{
    Agenda, AgendaChange, AgendaCursor, AgendaError, Continuation, ItemSummary, ListingToken,
    Mailbox, MailboxChange, MailboxError, MailboxSyncState,
};
use crate::reconcile::{Content, ExchangeObservation, ReadMode, SideView};
use crate::window::WindowBounds;

/// What one side reported and the position after it.
#[derive(Debug)]
pub(super) struct SideRead<T, P> {
    pub(super) view: SideView<T>,
    pub(super) position: P,
}

/// Where a paged read goes after one page.
enum Step<K, P> {
    Next(K),
    End(P),
}

impl<P> From<Continuation<P>> for Step<ListingToken, P> {
    fn from(continuation: Continuation<P>) -> Self {
        match continuation {
            Continuation::NextPage(token) => Self::Next(token),
            Continuation::Done(position) => Self::End(position),
        }
    }
}

/// Reads pages until the last, collecting what they hold.
async fn drain<K, P, T, E>(
    first: Option<K>,
    mut page: impl AsyncFnMut(Option<&K>) -> Result<(Vec<T>, Step<K, P>), E>,
) -> Result<(Vec<T>, P), E> {
    let mut collected = Vec::new();
    let mut at = first;
    loop {
        let (items, step) = page(at.as_ref()).await?;
        collected.extend(items);
        match step {
            Step::Next(next) => at = Some(next),
            Step::End(position) => return Ok((collected, position)),
        }
    }
}

fn unread(summary: ItemSummary) -> ExchangeObservation {
    ExchangeObservation::Present {
        summary,
        content: Content::NotFetched,
    }
}

fn side_read<T, P>(mode: ReadMode, (observations, position): (Vec<T>, P)) -> SideRead<T, P> {
    SideRead {
        view: SideView { mode, observations },
        position,
    }
}

/// Every change page after `since`, and the position after the last.
pub(super) async fn mailbox_changes(
    mailbox: &dyn Mailbox,
    since: &MailboxSyncState,
) -> Result<(Vec<ExchangeObservation>, MailboxSyncState), MailboxError> {
    drain(Some(since.clone()), async |position| {
        let page = mailbox.changes(position.unwrap_or(since)).await?;
        let observations = page
            .changes
            .into_iter()
            .map(|change| match change {
                MailboxChange::Upserted(summary) => unread(summary),
                MailboxChange::Deleted(item_id) => ExchangeObservation::Deleted(item_id),
            })
            .collect();
        let step = if page.more {
            Step::Next(page.sync_state)
        } else {
            Step::End(page.sync_state)
        };
        Ok((observations, step))
    })
    .await
}

pub(super) async fn read_mailbox(
    mailbox: &dyn Mailbox,
    stored: Option<&MailboxSyncState>,
    window: &WindowBounds,
) -> Result<SideRead<ExchangeObservation, MailboxSyncState>, MailboxError> {
    if let Some(since) = stored {
        match mailbox_changes(mailbox, since).await {
            Err(MailboxError::InvalidSyncState) => {}
            other => return other.map(|read| side_read(ReadMode::Delta, read)),
        }
    }
    let list = async || {
        drain(None, async |token| {
            let page = mailbox.list_window(window, token).await?;
            Ok((
                page.items.into_iter().map(unread).collect(),
                page.continuation.into(),
            ))
        })
        .await
    };
    // A listing's page token is an intermediate sync state, which Exchange may drop while the
    // listing is under way: start over once; a second time ends the run (the next run lists).
    let listing = match list().await {
        Err(MailboxError::InvalidSyncState) => list().await,
        other => other,
    }?;
    Ok(side_read(ReadMode::Listing, listing))
}

pub(super) async fn read_agenda(
    agenda: &dyn Agenda,
    stored: Option<&AgendaCursor>,
    window: &WindowBounds,
) -> Result<SideRead<AgendaChange, AgendaCursor>, AgendaError> {
    if let Some(since) = stored {
        let changes = drain(Some(since.clone()), async |position| {
            let page = agenda.changes(position.unwrap_or(since)).await?;
            let step = if page.more {
                Step::Next(page.cursor)
            } else {
                Step::End(page.cursor)
            };
            Ok((page.changes, step))
        })
        .await;
        match changes {
            Err(AgendaError::CursorExpired) => {}
            other => return other.map(|read| side_read(ReadMode::Delta, read)),
        }
    }
    let listing = drain(None, async |token| {
        let page = agenda.list_window(window, token).await?;
        Ok((
            page.items.into_iter().map(AgendaChange::Upserted).collect(),
            page.continuation.into(),
        ))
    })
    .await?;
    Ok(side_read(ReadMode::Listing, listing))
}
