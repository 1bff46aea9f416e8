//! Which outbound addresses ohsync may connect to.
//!
//! The Exchange URL is typed by a customer's administrator, so ohsync must not become a way to
//! reach what sits next to it: its own loopback (the Lambda runtime API), the cloud metadata
//! endpoint (the function's credentials), private networks. [`AddressPolicy`] refuses every
//! special-purpose address ([`RefusalReason`] says which kind), in every IPv6 form that
//! reaches one, unless the operator's [`AllowList`] names the host or the network.
//!
//! The policy is applied twice: when settings are validated ([`GuardedResolver::check_url_host`],
//! [`AddressPolicy::check_host_statically`]) and again when connecting
//! ([`GuardedResolver::guard_client`]: the resolver checks every address a name resolves to, and
//! a connector layer checks the peer each connection reached), so DNS that rebinds between the
//! two cannot reach a private address.

mod allow_list;
mod classify;
mod error;
mod peer_check;
mod policy;
mod reason;
mod resolver;

pub use allow_list::{AllowList, AllowListError};
pub use classify::{canonical, classify};
pub use error::GuardError;
pub use peer_check::{PeerCheck, PeerCheckLayer};
pub use policy::{AddressPolicy, Refusal};
pub use reason::RefusalReason;
pub use resolver::GuardedResolver;
