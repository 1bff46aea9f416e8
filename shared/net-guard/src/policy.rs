//! The address policy: special-purpose addresses are refused unless the operator allows them.

use std::fmt;
use std::net::IpAddr;

use crate::allow_list::normalise_host;
use crate::classify::classify;
use crate::{AllowList, RefusalReason};

/// A refused destination: which host and address, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The host name the address came from; `None` for a literal address.
    pub host: Option<String>,
    /// The refused address; `None` when the name itself is reserved (`localhost`).
    pub address: Option<IpAddr>,
    /// Why it is refused.
    pub reason: RefusalReason,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.host, self.address) {
            (Some(host), Some(address)) => {
                write!(f, "{host} resolves to {address}, {}", self.reason)
            }
            (None, Some(address)) => write!(f, "{address} is {}", self.reason),
            (Some(host), None) => write!(f, "{host} is a name reserved for {}", self.reason),
            (None, None) => write!(f, "the destination is {}", self.reason),
        }
    }
}

impl std::error::Error for Refusal {}

/// Which destinations ohsync may connect to: public addresses, plus what the operator's
/// allow-list names. Loopback, private, link-local, metadata and the other special-purpose
/// ranges are refused, in every IPv6 form that reaches them.
#[derive(Debug, Clone, Default)]
pub struct AddressPolicy {
    allow: AllowList,
}

impl AddressPolicy {
    /// A policy with the operator's allow-list.
    pub fn new(allow: AllowList) -> Self {
        Self { allow }
    }

    /// The operator's allow-list.
    pub fn allow_list(&self) -> &AllowList {
        &self.allow
    }

    /// Checks one address, reached through `host` (`None` for a literal address in a URL).
    ///
    /// An allow-listed host unlocks any address it resolves to except a metadata endpoint,
    /// which only an allow-list entry naming that exact address unlocks: the name is one DNS
    /// record away from the machine's credentials.
    pub fn check_address(&self, host: Option<&str>, ip: IpAddr) -> Result<(), Refusal> {
        let Some(reason) = classify(ip) else {
            return Ok(());
        };
        let allowed = match reason {
            RefusalReason::Metadata => self.allow.names_address(ip),
            _ => self.allow.permits_address(ip) || host.is_some_and(|h| self.allow.permits_host(h)),
        };
        if allowed {
            return Ok(());
        }
        Err(Refusal {
            host: host.map(normalise_host),
            address: Some(ip),
            reason,
        })
    }

    /// Checks a host without resolving it: a literal address fully, a name only against the
    /// names reserved for loopback (`localhost`, `*.localhost`, RFC 6761); other names need DNS.
    pub fn check_host_statically(&self, host: &url::Host<&str>) -> Result<(), Refusal> {
        match host {
            url::Host::Ipv4(ip) => self.check_address(None, IpAddr::V4(*ip)),
            url::Host::Ipv6(ip) => self.check_address(None, IpAddr::V6(*ip)),
            url::Host::Domain(name) => {
                let name = normalise_host(name);
                let reserved = name == "localhost" || name.ends_with(".localhost");
                if reserved && !self.allow.permits_host(&name) {
                    return Err(Refusal {
                        host: Some(name),
                        address: None,
                        reason: RefusalReason::Loopback,
                    });
                }
                Ok(())
            }
        }
    }
}
