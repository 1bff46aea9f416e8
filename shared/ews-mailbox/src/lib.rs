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

pub mod convert;
pub mod error;
mod mailbox;
mod relevance;

pub use mailbox::{EwsMailbox, MailboxSettings};
pub use relevance::overlaps_window;
