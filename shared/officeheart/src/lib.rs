//! The OfficeHeart agenda contract and its client.
//!
//! OfficeHeart exposes each user's agenda over HTTP JSON (`/v1/tenants/{tenant}/users/{user}/agenda`).
//! `openapi.yaml` beside this crate is the canonical contract; the types here are its schemas, and
//! [`OfficeHeartClient`] calls its operations. Why the contract looks the way it does is explained in
//! `docs/OFFICEHEART-API.md`.

mod appointment;
mod client;
pub mod contract;
mod error;
mod error_body;
mod exception;
mod ids;
mod invalid_field;
mod pages;
mod paging;
mod response;
mod schedule;

pub use appointment::{Appointment, AppointmentData, ShowAs};
pub use client::{ClientConfig, Created, OfficeHeartClient};
pub use error::OfficeHeartError;
pub use error_body::{ErrorBody, ErrorCode};
pub use exception::{Exception, ExceptionKind, ModifiedOccurrence};
pub use ids::{
    AppointmentId, Cursor, IdempotencyKey, InvalidValue, PageToken, TenantId, UserId, Version,
};
pub use invalid_field::InvalidField;
pub use pages::{AppointmentsPage, Change, ChangesPage, EmptyWindow, InvalidChange, TimeWindow};
pub use paging::{ChangeBatch, ChangeFeed, WindowListing, WindowSnapshot};
pub use schedule::{InvalidSchedule, Schedule};

/// Re-exported so callers can build a token without depending on `secrecy` themselves.
pub use secrecy::SecretString;
