//! What the operator of an ohsync installation allows beyond the defaults.

use ohsync_net_guard::{AddressPolicy, AllowList, AllowListError, GuardedResolver};

/// The environment variable holding hosts and networks that may be private (comma-separated).
pub const PRIVATE_HOSTS_VAR: &str = "OHSYNC_ALLOW_PRIVATE_HOSTS";
/// The environment variable holding hosts that may be reached over plain http (comma-separated).
pub const HTTP_HOSTS_VAR: &str = "OHSYNC_ALLOW_HTTP_HOSTS";
/// The environment variable holding Exchange hosts whose TLS certificate may fail verification
/// (comma-separated), for on-premises servers with self-signed certificates.
pub const INSECURE_TLS_HOSTS_VAR: &str = "OHSYNC_INSECURE_TLS_HOSTS";

/// An operator setting that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum OperatorPolicyError {
    /// An allow-list entry is malformed.
    #[error("{variable}: {source}")]
    BadEntry {
        /// The environment variable.
        variable: &'static str,
        /// The entry and what is wrong with it.
        #[source]
        source: AllowListError,
    },
}

/// The operator's allow-lists: hosts/networks that may be private, and hosts that may use http.
#[derive(Debug, Clone, Default)]
pub struct OperatorPolicy {
    addresses: AddressPolicy,
    http_hosts: AllowList,
}

impl OperatorPolicy {
    /// A policy from parsed allow-lists.
    pub fn new(private_hosts: AllowList, http_hosts: AllowList) -> Self {
        Self {
            addresses: AddressPolicy::new(private_hosts),
            http_hosts,
        }
    }

    /// Parses the two allow-lists as they appear in the environment.
    pub fn parse(private_hosts: &str, http_hosts: &str) -> Result<Self, OperatorPolicyError> {
        let list = |variable, raw: &str| {
            raw.parse::<AllowList>()
                .map_err(|source| OperatorPolicyError::BadEntry { variable, source })
        };
        Ok(Self::new(
            list(PRIVATE_HOSTS_VAR, private_hosts)?,
            list(HTTP_HOSTS_VAR, http_hosts)?,
        ))
    }

    /// The address policy with the private-host allow-list.
    pub fn address_policy(&self) -> &AddressPolicy {
        &self.addresses
    }

    /// Whether plain http is allowed for `host`.
    pub fn allows_http(&self, host: &url::Host<&str>) -> bool {
        match host {
            url::Host::Domain(name) => self.http_hosts.permits_host(name),
            url::Host::Ipv4(ip) => self.http_hosts.permits_address((*ip).into()),
            url::Host::Ipv6(ip) => self.http_hosts.permits_address((*ip).into()),
        }
    }

    /// A resolver enforcing the address policy, for live checks and the EWS client.
    pub fn resolver(&self) -> GuardedResolver {
        GuardedResolver::new(self.addresses.clone())
    }
}
