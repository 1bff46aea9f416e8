//! The address policy against the special-purpose ranges, the allow-list and URL host checks.
#![allow(clippy::unwrap_used, reason = "a panic is how a test reports failure")]

use std::net::IpAddr;

use ohsync_net_guard::{
    AddressPolicy, AllowList, GuardError, GuardedResolver, RefusalReason, classify,
};
use url::Url;

fn ip(raw: &str) -> IpAddr {
    raw.parse().unwrap()
}

fn policy(allow: &str) -> AddressPolicy {
    AddressPolicy::new(allow.parse().unwrap())
}

#[test]
fn every_special_range_is_refused_with_its_reason() {
    use RefusalReason::*;
    let table = [
        ("127.0.0.1", Loopback),
        ("127.255.255.254", Loopback),
        ("::1", Loopback),
        ("0.0.0.0", Unspecified),
        ("0.1.2.3", Unspecified),
        ("::", Unspecified),
        ("10.0.0.1", Private),
        ("10.255.255.255", Private),
        ("172.16.0.1", Private),
        ("172.31.255.255", Private),
        ("192.168.1.10", Private),
        ("fec0::1", Private),
        ("64:ff9b:1::a00:1", Private),
        ("100.64.0.1", SharedAddressSpace),
        ("100.127.255.255", SharedAddressSpace),
        ("169.254.1.1", LinkLocal),
        ("fe80::1", LinkLocal),
        ("febf::1", LinkLocal),
        ("169.254.169.254", Metadata),
        ("169.254.170.2", Metadata),
        ("169.254.170.23", Metadata),
        ("fd00:ec2::254", Metadata),
        ("fd00:ec2::23", Metadata),
        ("100.100.100.200", Metadata),
        ("168.63.129.16", Metadata),
        ("fc00::1", UniqueLocal),
        ("fd12:3456::1", UniqueLocal),
        ("224.0.0.1", Multicast),
        ("239.255.255.250", Multicast),
        ("ff02::1", Multicast),
        ("255.255.255.255", Broadcast),
        ("192.0.2.1", Documentation),
        ("198.51.100.1", Documentation),
        ("203.0.113.1", Documentation),
        ("2001:db8::1", Documentation),
        ("3fff::1", Documentation),
        ("198.18.0.1", Benchmarking),
        ("198.19.255.255", Benchmarking),
        ("2001:2::1", Benchmarking),
        ("240.0.0.1", Reserved),
        ("192.0.0.8", Reserved),
        ("192.88.99.1", Reserved),
        ("2001::1", Reserved),
        ("100::1", Reserved),
    ];
    let strict = AddressPolicy::default();
    for (address, reason) in table {
        assert_eq!(classify(ip(address)), Some(reason), "{address}");
        let refusal = strict.check_address(None, ip(address)).unwrap_err();
        assert_eq!(refusal.reason, reason, "{address}");
        assert_eq!(refusal.address, Some(ip(address)));
    }
}

#[test]
fn public_addresses_and_range_neighbours_are_accepted() {
    let strict = AddressPolicy::default();
    for address in [
        "93.184.216.34",
        "2606:2800:220:1::1",
        "8.8.8.8",
        "1.1.1.1",
        "2a00:1450:4001::1",
        "172.32.0.1",
        "172.15.255.255",
        "100.128.0.1",
        "100.63.255.255",
        "192.169.0.1",
        "11.0.0.1",
        "198.20.0.1",
        "223.255.255.255",
    ] {
        assert_eq!(classify(ip(address)), None, "{address}");
        assert!(
            strict
                .check_address(Some("host.example"), ip(address))
                .is_ok(),
            "{address}"
        );
    }
}

#[test]
fn ipv6_forms_carrying_a_refused_ipv4_are_refused_with_its_reason() {
    let strict = AddressPolicy::default();
    let table = [
        ("::ffff:127.0.0.1", RefusalReason::Loopback),
        ("::ffff:7f00:1", RefusalReason::Loopback),
        ("::127.0.0.1", RefusalReason::Loopback),
        ("::ffff:10.1.2.3", RefusalReason::Private),
        ("::ffff:169.254.169.254", RefusalReason::Metadata),
        ("64:ff9b::169.254.169.254", RefusalReason::Metadata),
        ("64:ff9b::192.168.0.1", RefusalReason::Private),
        ("2002:c0a8:1::1", RefusalReason::Private),
        ("2002:7f00:1::", RefusalReason::Loopback),
    ];
    for (address, reason) in table {
        let refusal = strict.check_address(None, ip(address)).unwrap_err();
        assert_eq!(refusal.reason, reason, "{address}");
    }
    assert!(
        strict
            .check_address(None, ip("::ffff:93.184.216.34"))
            .is_ok()
    );
    assert!(
        strict
            .check_address(None, ip("64:ff9b::93.184.216.34"))
            .is_ok()
    );
}

#[test]
fn allow_list_by_host_unlocks_that_host_only() {
    let allow = policy("Exchange.Corp.Local., *.lab.local");
    assert!(
        allow
            .check_address(Some("exchange.corp.local"), ip("10.1.1.1"))
            .is_ok()
    );
    assert!(
        allow
            .check_address(Some("EXCHANGE.corp.local."), ip("192.168.5.5"))
            .is_ok()
    );
    assert!(
        allow
            .check_address(Some("mail.lab.local"), ip("10.9.9.9"))
            .is_ok()
    );
    let other = allow
        .check_address(Some("other.corp.local"), ip("10.1.1.1"))
        .unwrap_err();
    assert_eq!(other.reason, RefusalReason::Private);
    assert_eq!(other.host.as_deref(), Some("other.corp.local"));
    // A wildcard covers names below the domain, not the domain itself or a look-alike.
    assert!(
        allow
            .check_address(Some("lab.local"), ip("10.9.9.9"))
            .is_err()
    );
    assert!(
        allow
            .check_address(Some("evillab.local"), ip("10.9.9.9"))
            .is_err()
    );
    // A literal address is not unlocked by a host entry.
    assert!(allow.check_address(None, ip("10.1.1.1")).is_err());
}

#[test]
fn allow_list_by_cidr_and_address_covers_mapped_forms() {
    let allow = policy("10.1.2.0/24, fd12::/64, 127.0.0.1");
    assert!(allow.check_address(None, ip("10.1.2.200")).is_ok());
    assert!(allow.check_address(None, ip("::ffff:10.1.2.200")).is_ok());
    assert!(allow.check_address(None, ip("10.1.3.1")).is_err());
    assert!(allow.check_address(None, ip("fd12::99")).is_ok());
    assert!(allow.check_address(None, ip("fd12:0:0:1::1")).is_err());
    assert!(allow.check_address(None, ip("127.0.0.1")).is_ok());
    assert!(allow.check_address(None, ip("127.0.0.2")).is_err());
    assert!(
        allow
            .check_address(Some("anything.example"), ip("10.1.2.3"))
            .is_ok()
    );
}

#[test]
fn metadata_is_unlocked_only_by_naming_its_exact_address() {
    let by_host = policy("metadata.google.internal");
    let refusal = by_host
        .check_address(Some("metadata.google.internal"), ip("169.254.169.254"))
        .unwrap_err();
    assert_eq!(refusal.reason, RefusalReason::Metadata);
    let by_range = policy("169.254.0.0/16");
    assert!(by_range.check_address(None, ip("169.254.169.254")).is_err());
    assert!(by_range.check_address(None, ip("169.254.10.10")).is_ok());
    let exact = policy("169.254.169.254");
    assert!(exact.check_address(None, ip("169.254.169.254")).is_ok());
}

#[test]
fn allow_list_parsing_accepts_the_operator_forms_and_names_the_bad_entry() {
    let list: AllowList = " exchange.corp.local ,10.1.2.0/24,, [fd00::1], *.lab.local, 127.1 "
        .parse()
        .unwrap();
    assert_eq!(
        list.to_string(),
        "exchange.corp.local,*.lab.local,10.1.2.0/24,fd00::1/128,127.0.0.1/32"
    );
    assert!("".parse::<AllowList>().unwrap().is_empty());
    for bad in ["10.1.2.0/33", "exch ange.local", "*.10.0.0.1", "a/b"] {
        let err = format!("ok.example,{bad}")
            .parse::<AllowList>()
            .unwrap_err();
        assert_eq!(err.entry, bad);
    }
}

#[test]
fn static_host_check_refuses_reserved_loopback_names_without_dns() {
    let strict = AddressPolicy::default();
    for name in ["localhost", "LOCALHOST.", "ews.localhost"] {
        let refusal = strict
            .check_host_statically(&url::Host::Domain(name))
            .unwrap_err();
        assert_eq!(refusal.reason, RefusalReason::Loopback);
        assert_eq!(refusal.address, None);
    }
    assert!(
        strict
            .check_host_statically(&url::Host::Domain("mail.example.nl"))
            .is_ok()
    );
    assert!(
        policy("localhost")
            .check_host_statically(&url::Host::Domain("localhost"))
            .is_ok()
    );
}

async fn url_refusal(resolver: &GuardedResolver, raw: &str) -> RefusalReason {
    let url = Url::parse(raw).unwrap();
    match resolver.check_url_host(&url).await {
        Err(GuardError::Refused(refusal)) => refusal.reason,
        other => panic!("{raw}: expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn url_hosts_in_odd_ipv4_spellings_are_normalised_then_refused() {
    let resolver = GuardedResolver::new(AddressPolicy::default());
    for raw in [
        "http://2130706433/",
        "http://0x7f.1/",
        "http://127.1/",
        "http://0177.0.0.1/",
        "http://0x7f000001/",
        "http://127.0.0.1./",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:7f00:1]/",
        "https://localhost:8443/EWS/Exchange.asmx",
    ] {
        assert_eq!(
            url_refusal(&resolver, raw).await,
            RefusalReason::Loopback,
            "{raw}"
        );
    }
    assert_eq!(
        url_refusal(&resolver, "http://0251.0376.0251.0376/latest/meta-data/").await,
        RefusalReason::Metadata
    );
    assert_eq!(
        url_refusal(&resolver, "http://0/").await,
        RefusalReason::Unspecified
    );
    assert_eq!(
        url_refusal(&resolver, "http://[fd00:ec2::254]/").await,
        RefusalReason::Metadata
    );
}

#[tokio::test]
async fn url_hosts_that_are_public_literals_pass_and_hostless_urls_fail() {
    let resolver = GuardedResolver::new(AddressPolicy::default());
    let url = Url::parse("https://93.184.216.34/EWS/Exchange.asmx").unwrap();
    assert_eq!(
        resolver.check_url_host(&url).await.unwrap(),
        vec![ip("93.184.216.34")]
    );
    let url = Url::parse("https://[2606:2800:220:1::1]/EWS/Exchange.asmx").unwrap();
    assert_eq!(
        resolver.check_url_host(&url).await.unwrap(),
        vec![ip("2606:2800:220:1::1")]
    );
    let hostless = Url::parse("mailto:jan@example.nl").unwrap();
    assert!(matches!(
        resolver.check_url_host(&hostless).await,
        Err(GuardError::NoHost { .. })
    ));
}
