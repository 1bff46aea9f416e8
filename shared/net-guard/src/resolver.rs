//! Name resolution that refuses what the policy refuses, at the moment of connecting.

use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::Url;

use crate::allow_list::normalise_host;
use crate::classify::classify;
use crate::peer_check::PeerCheckLayer;
use crate::{AddressPolicy, GuardError, Refusal};

/// Resolves with the system resolver (tokio `lookup_host`) and refuses a name if ANY of its
/// addresses is refused, so a name that answers with one public and one private address, or
/// that rebinds between validation and connect, never reaches the private one.
///
/// Also a [`reqwest::dns::Resolve`]; [`GuardedResolver::guard_client`] installs it together
/// with a check of the connected peer, which covers literal addresses (hyper does not resolve
/// those).
#[derive(Debug, Clone)]
pub struct GuardedResolver {
    policy: Arc<AddressPolicy>,
    approved: Arc<Mutex<HashSet<IpAddr>>>,
}

impl GuardedResolver {
    /// A resolver enforcing `policy`.
    pub fn new(policy: AddressPolicy) -> Self {
        Self {
            policy: Arc::new(policy),
            approved: Arc::default(),
        }
    }

    /// The policy enforced.
    pub fn policy(&self) -> &AddressPolicy {
        &self.policy
    }

    /// Resolves `host` and checks every address it resolves to.
    pub async fn resolve_host(&self, host: &str) -> Result<Vec<IpAddr>, GuardError> {
        let name = normalise_host(host);
        self.policy
            .check_host_statically(&url::Host::Domain(name.as_str()))?;
        let resolved: Vec<IpAddr> = tokio::net::lookup_host((name.as_str(), 0))
            .await
            .map_err(|source| GuardError::Resolve {
                host: name.clone(),
                source,
            })?
            .map(|socket| socket.ip())
            .collect();
        self.vet(name, resolved.into_iter())
    }

    /// Accepts a name's addresses only if every one of them is allowed.
    fn vet(
        &self,
        name: String,
        resolved: impl Iterator<Item = IpAddr>,
    ) -> Result<Vec<IpAddr>, GuardError> {
        let mut addresses: Vec<IpAddr> = Vec::new();
        for ip in resolved {
            if !addresses.contains(&ip) {
                addresses.push(ip);
            }
        }
        if addresses.is_empty() {
            return Err(GuardError::NoAddress { host: name });
        }
        for ip in &addresses {
            self.policy.check_address(Some(&name), *ip)?;
        }
        self.remember_unlocked(&addresses);
        Ok(addresses)
    }

    /// Checks the host of `url` as a connection would: a literal address (in any spelling the
    /// URL parser normalises, such as `2130706433` or `0x7f.1`) directly, a name by resolving
    /// it. Returns the addresses that would be connected to.
    pub async fn check_url_host(&self, url: &Url) -> Result<Vec<IpAddr>, GuardError> {
        let literal = match url.host() {
            None => {
                return Err(GuardError::NoHost {
                    url: url.to_string(),
                });
            }
            Some(url::Host::Domain(name)) => return self.resolve_host(name).await,
            Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip),
            Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip),
        };
        self.policy.check_address(None, literal)?;
        Ok(vec![literal])
    }

    /// Makes `builder` connect only where the policy allows: this resolver for names, a check
    /// of every connected peer address before any byte of HTTP is written (which covers literal
    /// addresses and redirects), and no proxy (through a proxy the peer is the proxy, and the
    /// proxy resolves the name).
    pub fn guard_client(&self, builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
        builder
            .no_proxy()
            .dns_resolver(self.clone())
            .connector_layer(PeerCheckLayer::new(self.clone()))
    }

    /// Checks the peer of an established connection: allowed by the policy as a literal
    /// address, or unlocked earlier by resolving an allow-listed host to it.
    pub(crate) fn check_peer(&self, ip: IpAddr) -> Result<(), Refusal> {
        let unlocked = self
            .approved
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(&ip);
        if unlocked {
            return Ok(());
        }
        self.policy.check_address(None, ip)
    }

    // Only addresses that an allow-listed host unlocked are kept; the set is bounded by what
    // the operator's allow-listed names resolve to.
    fn remember_unlocked(&self, addresses: &[IpAddr]) {
        let special = addresses.iter().filter(|ip| classify(**ip).is_some());
        let mut approved = self.approved.lock().unwrap_or_else(PoisonError::into_inner);
        approved.extend(special);
    }
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let resolver = self.clone();
        Box::pin(async move {
            let addresses = resolver.resolve_host(name.as_str()).await?;
            // Port 0: reqwest puts in the URL's port or the scheme's default.
            let sockets = addresses.into_iter().map(|ip| SocketAddr::new(ip, 0));
            Ok(Box::new(sockets) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RefusalReason;

    fn addresses(raw: &[&str]) -> Vec<IpAddr> {
        raw.iter().map(|a| a.parse().unwrap()).collect()
    }

    #[test]
    fn one_refused_address_refuses_the_whole_name() {
        let resolver = GuardedResolver::new(AddressPolicy::default());
        let answer = addresses(&["93.184.216.34", "10.0.0.7", "2606:2800:220:1::1"]);
        let err = resolver
            .vet("rebind.example".into(), answer.into_iter())
            .unwrap_err();
        let GuardError::Refused(refusal) = err else {
            panic!("expected a refusal, got {err}");
        };
        assert_eq!(refusal.address, Some("10.0.0.7".parse().unwrap()));
        assert_eq!(refusal.reason, RefusalReason::Private);
        assert_eq!(refusal.host.as_deref(), Some("rebind.example"));
        assert_eq!(
            refusal.to_string(),
            "rebind.example resolves to 10.0.0.7, a private network address"
        );
    }

    #[test]
    fn public_answers_pass_deduplicated_and_empty_answers_fail() {
        let resolver = GuardedResolver::new(AddressPolicy::default());
        let answer = addresses(&["93.184.216.34", "93.184.216.34", "2606:2800:220:1::1"]);
        let vetted = resolver
            .vet("example.com".into(), answer.into_iter())
            .unwrap();
        assert_eq!(vetted, addresses(&["93.184.216.34", "2606:2800:220:1::1"]));
        assert!(matches!(
            resolver.vet("void.example".into(), std::iter::empty()),
            Err(GuardError::NoAddress { .. })
        ));
    }

    #[test]
    fn only_addresses_unlocked_by_an_allowed_host_pass_the_peer_check() {
        let resolver =
            GuardedResolver::new(AddressPolicy::new("exchange.corp.local".parse().unwrap()));
        let private: IpAddr = "10.20.30.40".parse().unwrap();
        assert!(resolver.check_peer(private).is_err());
        resolver
            .vet("exchange.corp.local".into(), [private].into_iter())
            .unwrap();
        assert!(resolver.check_peer(private).is_ok());
        assert!(resolver.check_peer("10.20.30.41".parse().unwrap()).is_err());
    }
}
