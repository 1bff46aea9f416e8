//! Why an address is refused.

use std::fmt;

/// The kind of special-purpose address that made the policy refuse a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefusalReason {
    /// This host (127.0.0.0/8, ::1, and the reserved name `localhost`).
    Loopback,
    /// "Any" or "this network" (0.0.0.0/8, ::).
    Unspecified,
    /// Private networks (10/8, 172.16/12, 192.168/16, deprecated fec0::/10, local-use NAT64).
    Private,
    /// Carrier-grade NAT space (100.64.0.0/10).
    SharedAddressSpace,
    /// Link-local (169.254.0.0/16, fe80::/10).
    LinkLocal,
    /// A cloud instance-metadata or credentials endpoint (169.254.169.254, fd00:ec2::254, the ECS
    /// and EKS credential agents, and their Alibaba and Azure counterparts).
    Metadata,
    /// IPv6 unique-local (fc00::/7).
    UniqueLocal,
    /// Multicast (224.0.0.0/4, ff00::/8).
    Multicast,
    /// The limited broadcast address 255.255.255.255.
    Broadcast,
    /// Documentation examples (192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32, 3fff::/20).
    Documentation,
    /// Benchmarking (198.18.0.0/15, 2001:2::/48).
    Benchmarking,
    /// Reserved or not globally routable for another reason (240/4, protocol assignments, IPv6
    /// outside global unicast).
    Reserved,
}

impl RefusalReason {
    /// A stable machine code, for logs and API errors.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Loopback => "loopback",
            Self::Unspecified => "unspecified",
            Self::Private => "private",
            Self::SharedAddressSpace => "shared_address_space",
            Self::LinkLocal => "link_local",
            Self::Metadata => "metadata",
            Self::UniqueLocal => "unique_local",
            Self::Multicast => "multicast",
            Self::Broadcast => "broadcast",
            Self::Documentation => "documentation",
            Self::Benchmarking => "benchmarking",
            Self::Reserved => "reserved",
        }
    }

    /// A short English description, used in error messages.
    pub const fn description(self) -> &'static str {
        match self {
            Self::Loopback => "a loopback address",
            Self::Unspecified => "an unspecified address",
            Self::Private => "a private network address",
            Self::SharedAddressSpace => "a carrier-grade NAT address",
            Self::LinkLocal => "a link-local address",
            Self::Metadata => "a cloud metadata endpoint",
            Self::UniqueLocal => "a unique-local IPv6 address",
            Self::Multicast => "a multicast address",
            Self::Broadcast => "the broadcast address",
            Self::Documentation => "a documentation address",
            Self::Benchmarking => "a benchmarking address",
            Self::Reserved => "a reserved address",
        }
    }
}

impl fmt::Display for RefusalReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.description())
    }
}
