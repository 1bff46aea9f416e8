//! Who may call the API: bearer tokens per tenant, kept as SHA-256 hashes and checked in
//! constant time ([`CallerTokens`]), enforced on every route by [`require_caller`].

mod caller_tokens;
mod middleware;

pub use caller_tokens::{CallerTokens, CallerTokensError};
pub(crate) use middleware::require_caller;
