//! The operator's allow-list: hosts and networks ohsync may reach although the address policy
//! would refuse them (an on-premises Exchange server on a private network, a local simulator).

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use ipnet::IpNet;

use crate::classify::canonical;

/// One host entry: a name, or every name below a domain (`*.corp.local`).
#[derive(Debug, Clone, PartialEq, Eq)]
enum HostPattern {
    Exact(String),
    Below(String),
}

impl HostPattern {
    fn matches(&self, host: &str) -> bool {
        match self {
            Self::Exact(name) => host == name,
            Self::Below(domain) => host
                .strip_suffix(domain.as_str())
                .is_some_and(|prefix| prefix.len() > 1 && prefix.ends_with('.')),
        }
    }
}

impl fmt::Display for HostPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Exact(name) => f.write_str(name),
            Self::Below(domain) => write!(f, "*.{domain}"),
        }
    }
}

/// Hosts and networks the operator allows; parsed from a comma-separated string such as
/// `exchange.corp.local,*.lab.local,10.1.2.0/24,fd12::/64,127.0.0.1`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowList {
    hosts: Vec<HostPattern>,
    networks: Vec<IpNet>,
}

/// An allow-list entry that is neither a host name, an address nor a CIDR network.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("allow-list entry {entry:?}: {problem}")]
pub struct AllowListError {
    /// The entry as written.
    pub entry: String,
    /// What is wrong with it.
    pub problem: &'static str,
}

/// Lower-cases a host name and drops the trailing root dot, the forms a URL parser and DNS treat as equal.
pub(crate) fn normalise_host(host: &str) -> String {
    host.trim_end_matches('.').to_ascii_lowercase()
}

impl AllowList {
    /// Whether nothing is allowed beyond the policy.
    pub fn is_empty(&self) -> bool {
        self.hosts.is_empty() && self.networks.is_empty()
    }

    /// Whether the host name is allowed (case and a trailing dot do not matter).
    pub fn permits_host(&self, host: &str) -> bool {
        let host = normalise_host(host);
        self.hosts.iter().any(|pattern| pattern.matches(&host))
    }

    /// Whether the address, or the IPv4 address it carries, lies in an allowed network.
    pub fn permits_address(&self, ip: IpAddr) -> bool {
        let real = canonical(ip);
        self.networks
            .iter()
            .any(|net| net.contains(&ip) || net.contains(&real))
    }

    /// Whether the address is allowed by an entry naming exactly it (a /32 or /128), the only
    /// way to unlock a metadata endpoint: a wider network is rarely meant to include one.
    pub fn names_address(&self, ip: IpAddr) -> bool {
        let real = canonical(ip);
        self.networks.iter().any(|net| {
            net.prefix_len() == net.max_prefix_len() && (net.addr() == ip || net.addr() == real)
        })
    }

    fn parse_entry(&mut self, entry: &str) -> Result<(), AllowListError> {
        let fail = |problem| AllowListError {
            entry: entry.to_owned(),
            problem,
        };
        if entry.contains('/') {
            let net = entry
                .parse::<IpNet>()
                .map_err(|_| fail("not a CIDR network such as 10.1.2.0/24"))?;
            self.networks.push(net);
            return Ok(());
        }
        let bare = entry
            .strip_prefix('[')
            .and_then(|rest| rest.strip_suffix(']'))
            .unwrap_or(entry);
        if let Ok(ip) = bare.parse::<IpAddr>() {
            self.networks.push(IpNet::from(ip));
            return Ok(());
        }
        let (below, name) = match entry.strip_prefix("*.") {
            Some(rest) => (true, rest),
            None => (false, entry),
        };
        // The URL parser's own host rules, so that an entry matches what a URL turns into
        // (IDNA, lower case, and odd IPv4 spellings such as 127.1 read as addresses).
        match url::Host::parse(name).map_err(|_| fail("not a valid host name"))? {
            url::Host::Domain(domain) if below => {
                self.hosts.push(HostPattern::Below(normalise_host(&domain)));
            }
            url::Host::Domain(domain) => {
                self.hosts.push(HostPattern::Exact(normalise_host(&domain)));
            }
            url::Host::Ipv4(_) | url::Host::Ipv6(_) if below => {
                return Err(fail("a wildcard needs a domain name, not an address"));
            }
            url::Host::Ipv4(ip) => self.networks.push(IpNet::from(IpAddr::V4(ip))),
            url::Host::Ipv6(ip) => self.networks.push(IpNet::from(IpAddr::V6(ip))),
        }
        Ok(())
    }
}

impl FromStr for AllowList {
    type Err = AllowListError;

    /// Parses comma-separated entries; blanks around entries and empty entries are ignored.
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let mut list = Self::default();
        for entry in raw.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            list.parse_entry(entry)?;
        }
        Ok(list)
    }
}

impl fmt::Display for AllowList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hosts = self.hosts.iter().map(ToString::to_string);
        let networks = self.networks.iter().map(ToString::to_string);
        let entries: Vec<String> = hosts.chain(networks).collect();
        f.write_str(&entries.join(","))
    }
}
