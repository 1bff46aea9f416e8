//! The EWS adapter of the sync engine's [`Mailbox`](ohsync_engine::ports::Mailbox) port, and
//! the conversion between Exchange calendar items and the engine's appointments.
//!
//! - [`EwsMailbox`]: the port over [`ohsync_ews::EwsClient`] — changes and window listings via
//!   SyncFolderItems in the relevance shape (items outside the window are dropped before any
//!   GetItem), content via GetItem, tag lookups via FindItem, batched writes that never send
//!   meeting messages, `NeverOverwrite` updates and ChangeKey-checked deletes.
//! - [`convert`]: CalendarItem ⇄ Appointment — Windows ⇄ IANA zones (CLDR), all-day days,
//!   sensitivity, free/busy, reminders, categories, texts, recurrence carried as a stable blob,
//!   and the ohsync tag.
//! - [`error`]: how EWS failures become [`MailboxError`](ohsync_engine::ports::MailboxError)s.
//!
//! # Series with exceptions, and the unfinished-write marker
//!
//! A single or a series without exceptions is written by one CreateItem or UpdateItem. A series
//! with exceptions takes four requests, each batched across every such series of the batch:
//!
//! 1. CreateItem (with the tag and UID), or the master's UpdateItem (`NeverOverwrite` on the
//!    engine's ChangeKey: a stale key is a `Conflict` and nothing else is sent), with every
//!    synced field, the rule (`Recurrence`, always: setting it makes Exchange drop every old
//!    exception, so nothing is diffed and a rerun is idempotent) and the unfinished-write marker
//!    (the extended property `ohsync-unfinished`), in the same batch as the singles;
//! 2. one DeleteItem of the cancelled occurrences (`OccurrenceItemId`, the instance index given
//!    by the rule from the first date);
//! 3. one UpdateItem of the modified occurrences (zone, Start, End, IsAllDayEvent, Subject,
//!    Location); after the cancellations, so that a deleted neighbour never blocks a move;
//! 4. one UpdateItem of the masters removing the marker; its ChangeKey is the one reported.
//!
//! A step with nothing to do is not sent. A run can die between these requests; the partial
//! series must then never pass for an edit of the user's. So while the write is under way the
//! master carries the marker, and [`Converter::exchange_item`](convert::Converter::exchange_item)
//! reports a marked item as [`ExchangeItem::unfinished`](ohsync_engine::ports::ExchangeItem),
//! which the engine rewrites whole from OfficeHeart. A series whose later step fails is
//! `CreateOutcome::OutcomeUnknown` (its tag finds it next run) or `UpdateOutcome::Failed`; either
//! way it stays marked. Steps 2–4 write with `AlwaysOverwrite` on the freshest ChangeKey known:
//! each occurrence write changes the master's key and DeleteItem answers none, and the marked
//! master holds only ohsync's content meanwhile. An occurrence moved onto or past a
//! neighbour's day, which Exchange refuses (`ErrorOccurrenceCrossingBoundary`), is refused
//! before anything is written (`OhsyncOccurrenceCrossesNeighbour`).

pub mod convert;
pub mod error;
mod mailbox;
mod relevance;

pub use mailbox::{EwsMailbox, MailboxSettings};
pub use relevance::overlaps_window;
