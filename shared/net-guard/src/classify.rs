//! The special-purpose address table (after the IANA IPv4 and IPv6 special-purpose registries)
//! and the canonical form of an address.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{Ipv4Net, Ipv6Net};

use crate::RefusalReason;

const fn v4(a: u8, b: u8, c: u8, d: u8, prefix: u8) -> Ipv4Net {
    Ipv4Net::new_assert(Ipv4Addr::new(a, b, c, d), prefix)
}

const fn v6(segments: [u16; 8], prefix: u8) -> Ipv6Net {
    let [a, b, c, d, e, f, g, h] = segments;
    Ipv6Net::new_assert(Ipv6Addr::new(a, b, c, d, e, f, g, h), prefix)
}

/// Refused IPv4 ranges; the first match wins, so specific entries precede the ranges holding them.
const V4_REFUSED: [(Ipv4Net, RefusalReason); 21] = [
    // Instance metadata and credential endpoints: AWS IMDS (also GCP, OpenStack), ECS task
    // credentials, EKS Pod Identity, Alibaba Cloud, Azure WireServer (a public address).
    (v4(169, 254, 169, 254, 32), RefusalReason::Metadata),
    (v4(169, 254, 170, 2, 32), RefusalReason::Metadata),
    (v4(169, 254, 170, 23, 32), RefusalReason::Metadata),
    (v4(100, 100, 100, 200, 32), RefusalReason::Metadata),
    (v4(168, 63, 129, 16, 32), RefusalReason::Metadata),
    (v4(255, 255, 255, 255, 32), RefusalReason::Broadcast),
    (v4(0, 0, 0, 0, 8), RefusalReason::Unspecified),
    (v4(10, 0, 0, 0, 8), RefusalReason::Private),
    (v4(100, 64, 0, 0, 10), RefusalReason::SharedAddressSpace),
    (v4(127, 0, 0, 0, 8), RefusalReason::Loopback),
    (v4(169, 254, 0, 0, 16), RefusalReason::LinkLocal),
    (v4(172, 16, 0, 0, 12), RefusalReason::Private),
    (v4(192, 0, 0, 0, 24), RefusalReason::Reserved),
    (v4(192, 0, 2, 0, 24), RefusalReason::Documentation),
    (v4(192, 88, 99, 0, 24), RefusalReason::Reserved),
    (v4(192, 168, 0, 0, 16), RefusalReason::Private),
    (v4(198, 18, 0, 0, 15), RefusalReason::Benchmarking),
    (v4(198, 51, 100, 0, 24), RefusalReason::Documentation),
    (v4(203, 0, 113, 0, 24), RefusalReason::Documentation),
    (v4(224, 0, 0, 0, 4), RefusalReason::Multicast),
    (v4(240, 0, 0, 0, 4), RefusalReason::Reserved),
];

/// Refused IPv6 ranges (after [`canonical`] has taken out the forms that carry IPv4).
const V6_REFUSED: [(Ipv6Net, RefusalReason); 13] = [
    (
        v6([0, 0, 0, 0, 0, 0, 0, 0], 128),
        RefusalReason::Unspecified,
    ),
    (v6([0, 0, 0, 0, 0, 0, 0, 1], 128), RefusalReason::Loopback),
    // AWS IMDS and the EKS Pod Identity agent over IPv6.
    (
        v6([0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254], 128),
        RefusalReason::Metadata,
    ),
    (
        v6([0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x23], 128),
        RefusalReason::Metadata,
    ),
    // Local-use NAT64 (RFC 8215): translates into whatever the local network routes.
    (
        v6([0x64, 0xff9b, 1, 0, 0, 0, 0, 0], 48),
        RefusalReason::Private,
    ),
    (
        v6([0x2001, 2, 0, 0, 0, 0, 0, 0], 48),
        RefusalReason::Benchmarking,
    ),
    (
        v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32),
        RefusalReason::Documentation,
    ),
    // IETF protocol assignments, Teredo included.
    (
        v6([0x2001, 0, 0, 0, 0, 0, 0, 0], 23),
        RefusalReason::Reserved,
    ),
    (
        v6([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20),
        RefusalReason::Documentation,
    ),
    (
        v6([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7),
        RefusalReason::UniqueLocal,
    ),
    (
        v6([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10),
        RefusalReason::LinkLocal,
    ),
    (
        v6([0xfec0, 0, 0, 0, 0, 0, 0, 0], 10),
        RefusalReason::Private,
    ),
    (
        v6([0xff00, 0, 0, 0, 0, 0, 0, 0], 8),
        RefusalReason::Multicast,
    ),
];

/// Global unicast: every other IPv6 address is unallocated or special.
const V6_GLOBAL_UNICAST: Ipv6Net = v6([0x2000, 0, 0, 0, 0, 0, 0, 0], 3);

const NAT64_WELL_KNOWN: Ipv6Net = v6([0x64, 0xff9b, 0, 0, 0, 0, 0, 0], 96);
const SIX_TO_FOUR: Ipv6Net = v6([0x2002, 0, 0, 0, 0, 0, 0, 0], 16);

/// The address a packet to `ip` really reaches: the IPv4 address inside an IPv4-mapped
/// (`::ffff:a.b.c.d`), IPv4-compatible (`::a.b.c.d`), well-known NAT64 (`64:ff9b::a.b.c.d`) or
/// 6to4 (`2002:aabb:ccdd::`) address; any other address unchanged.
pub fn canonical(ip: IpAddr) -> IpAddr {
    let IpAddr::V6(v6) = ip else { return ip };
    let s = v6.segments();
    let low32 = Ipv4Addr::from((u32::from(s[6]) << 16) | u32::from(s[7]));
    let is_mapped = s[..5] == [0; 5] && s[5] == 0xffff;
    // `::` and `::1` share the compatible prefix but are IPv6's own unspecified and loopback.
    let is_compatible = s[..6] == [0; 6] && u32::from(low32) > 1;
    if is_mapped || is_compatible || NAT64_WELL_KNOWN.contains(&v6) {
        return IpAddr::V4(low32);
    }
    if SIX_TO_FOUR.contains(&v6) {
        return IpAddr::V4(Ipv4Addr::from((u32::from(s[1]) << 16) | u32::from(s[2])));
    }
    ip
}

/// Why `ip` must not be connected to, or `None` for an ordinary public address.
pub fn classify(ip: IpAddr) -> Option<RefusalReason> {
    match canonical(ip) {
        IpAddr::V4(v4) => V4_REFUSED
            .iter()
            .find(|(net, _)| net.contains(&v4))
            .map(|(_, reason)| *reason),
        IpAddr::V6(v6) => V6_REFUSED
            .iter()
            .find(|(net, _)| net.contains(&v6))
            .map(|(_, reason)| *reason)
            .or_else(|| (!V6_GLOBAL_UNICAST.contains(&v6)).then_some(RefusalReason::Reserved)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(raw: &str) -> Option<RefusalReason> {
        classify(raw.parse().unwrap())
    }

    #[test]
    fn canonical_unwraps_every_ipv4_carrying_form() {
        let loopback: IpAddr = "127.0.0.1".parse().unwrap();
        for form in [
            "::ffff:127.0.0.1",
            "::ffff:7f00:1",
            "::127.0.0.1",
            "64:ff9b::7f00:1",
            "2002:7f00:1::",
        ] {
            assert_eq!(canonical(form.parse().unwrap()), loopback, "{form}");
        }
        let own_loopback: IpAddr = "::1".parse().unwrap();
        assert_eq!(canonical(own_loopback), own_loopback);
        let public: IpAddr = "2606:2800:220:1::1".parse().unwrap();
        assert_eq!(canonical(public), public);
    }

    #[test]
    fn nat64_and_6to4_of_public_ipv4_stay_allowed() {
        assert_eq!(reason("64:ff9b::5db8:d822"), None);
        assert_eq!(reason("2002:5db8:d822::1"), None);
    }

    #[test]
    fn ipv6_outside_global_unicast_is_reserved() {
        assert_eq!(reason("100::1"), Some(RefusalReason::Reserved));
        assert_eq!(reason("::ffff:0:7f00:1"), Some(RefusalReason::Reserved));
        assert_eq!(reason("4000::1"), Some(RefusalReason::Reserved));
    }
}
