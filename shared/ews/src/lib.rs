//! The ohsync EWS client: talks Exchange Web Services for one mailbox's calendar and reports
//! every failure as a typed, classified [`EwsError`] with a stable code and a Dutch/English
//! message.
//!
//! - [`version`]: `RequestServerVersion` values and the server's reported build.
//! - [`error`]: the one error type, its ResponseCodes and user messages.
//! - [`model`]: typed calendar items, recurrence, the ohsync tag, updates.
//! - [`xml`]: request documents (quick-xml `Writer`) and response parsing (quick-xml streaming reader).
//! - [`transport`] and [`auth`]: HTTP/1.1 (hyper) over rustls on the one connection the client
//!   owns, no redirects, a streamed size cap, and NTLM / Basic / bearer authentication.
//! - [`client`]: [`EwsClient`] with typed, batched, retrying operations.
//!
//! # Why sspi for NTLM
//!
//! Exchange with Extended Protection (on by default from Exchange 2019 CU14) accepts NTLM only
//! with a `tls-server-end-point` channel binding inside the authenticate message, and modern
//! servers expect the message integrity code (MIC) of NTLMv2. `sspi` (Devolutions, pure Rust)
//! computes both; the simpler `ntlmclient` crate computes neither. NTLM authenticates a
//! connection, not a request, so [`transport`] owns its one connection (hyper's HTTP/1.1
//! connection API over tokio-rustls, no pool) and drives the handshake on it: the negotiate
//! message with an empty body, the 401 challenge read to the end, the authenticate message
//! together with the real SOAP body, later requests on the same logged-on connection, and a new
//! connection with a new handshake when that one closes or answers 401.

pub mod auth;
pub mod client;
pub mod error;
pub mod model;
pub mod transport;
pub mod version;
pub mod xml;

pub use auth::{Authenticator, BasicAuth, BearerAuth, NtlmAuth};
pub use client::{EwsClient, EwsClientBuilder, RetryPolicy, SyncPager};
pub use error::{EwsError, ResponseCode};
pub use model::{CalendarItem, ItemId, ItemTarget, NewCalendarItem, OhsyncTag};
pub use transport::TransportConfig;
pub use version::{ExchangeVersion, ServerVersionInfo};
pub use xml::response::ItemResult;
