//! What every Lambda function of ohsync reads from its environment before it serves an event:
//!
//! - [`Environment`]: the variables, read once, each missing or malformed one reported as an
//!   [`EnvError`] that names it;
//! - [`sdk_config`]: the AWS SDK configuration from the function's role and region, pointed at
//!   [`AWS_ENDPOINT_VAR`] when that is set (the local stack);
//! - [`read_named_secret`]: the current value of a secret named by a variable (the OfficeHeart
//!   token), never put into an error;
//! - [`operator_policy`] and [`insecure_tls_hosts`]: the operator's Exchange allow-lists;
//! - [`log_format`]: JSON lines on Lambda, text when asked.
//!
//! The variables each function needs are listed in `docs/FUNCTIONS.md`.

mod environment;
mod exchange_policy;
mod log_format;
mod named_secret;
mod sdk;
#[cfg(feature = "test-stack")]
pub mod test_stack;

pub use environment::{EnvError, Environment};
pub use exchange_policy::{insecure_tls_hosts, operator_policy};
pub use log_format::{LOG_FORMAT_VAR, log_format};
pub use named_secret::read_named_secret;
pub use sdk::{AWS_ENDPOINT_VAR, sdk_config};
