//! The engine's [`Agenda`](ohsync_engine::ports::Agenda) port over the OfficeHeart HTTP client:
//! one user's agenda, with the contract's types converted to the engine's normalised ones.

mod agenda;
mod convert;
mod listing;

pub use agenda::OfficeHeartAgenda;
pub use convert::change_page;
