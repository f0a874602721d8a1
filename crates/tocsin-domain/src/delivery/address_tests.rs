//! Exhaustive address classification tests: every class, each edge of each range, and the IPv6
//! forms that carry an IPv4 address.
use super::*;

fn ip(text: &str) -> IpAddr {
    text.parse().expect("ip")
}

fn class_of(text: &str) -> AddressClass {
    classify(ip(text))
}

#[test]
fn loopback() {
    for a in ["127.0.0.1", "127.255.255.254", "127.0.0.0", "::1"] {
        assert_eq!(class_of(a), AddressClass::Loopback, "{a}");
    }
}

#[test]
fn rfc1918_and_unique_local_are_private_with_exact_edges() {
    for a in [
        "10.0.0.0",
        "10.255.255.255",
        "172.16.0.0",
        "172.31.255.255",
        "192.168.0.0",
        "192.168.255.255",
        "fc00::1",
        "fdff:ffff::1",
    ] {
        assert_eq!(class_of(a), AddressClass::Private, "{a}");
    }
    for a in [
        "9.255.255.255",
        "11.0.0.0",
        "172.15.255.255",
        "172.32.0.0",
        "192.167.255.255",
        "192.169.0.0",
        "fe00::1",
    ] {
        assert_eq!(class_of(a), AddressClass::Public, "{a}");
    }
}

#[test]
fn link_local_covers_cloud_metadata() {
    for a in [
        "169.254.169.254",
        "169.254.0.0",
        "169.254.255.255",
        "fe80::1",
        "febf::1",
        "fd00:ec2::254",
    ] {
        let expected = if a.starts_with("fd") {
            AddressClass::Private
        } else {
            AddressClass::LinkLocal
        };
        assert_eq!(class_of(a), expected, "{a}");
    }
    assert_eq!(class_of("169.253.255.255"), AddressClass::Public);
    assert_eq!(
        class_of("fec0::1"),
        AddressClass::Public,
        "site-local is not fe80::/10"
    );
}

#[test]
fn unspecified_broadcast_cgnat_multicast_reserved() {
    assert_eq!(class_of("0.0.0.0"), AddressClass::Unspecified);
    assert_eq!(class_of("0.1.2.3"), AddressClass::Unspecified);
    assert_eq!(class_of("::"), AddressClass::Unspecified);
    assert_eq!(class_of("255.255.255.255"), AddressClass::Broadcast);
    assert_eq!(class_of("100.64.0.0"), AddressClass::SharedCgnat);
    assert_eq!(class_of("100.127.255.255"), AddressClass::SharedCgnat);
    assert_eq!(class_of("100.63.255.255"), AddressClass::Public);
    assert_eq!(class_of("100.128.0.0"), AddressClass::Public);
    assert_eq!(class_of("224.0.0.1"), AddressClass::Multicast);
    assert_eq!(class_of("ff02::1"), AddressClass::Multicast);
    assert_eq!(class_of("240.0.0.1"), AddressClass::Reserved);
}

#[test]
fn public_addresses_pass() {
    for a in [
        "1.1.1.1",
        "8.8.8.8",
        "203.0.113.7",
        "2606:4700::1111",
        "2001:db8::1",
    ] {
        assert_eq!(class_of(a), AddressClass::Public, "{a}");
    }
}

#[test]
fn ipv4_inside_ipv6_is_classified_as_the_ipv4_address() {
    assert_eq!(class_of("::ffff:127.0.0.1"), AddressClass::Loopback);
    assert_eq!(class_of("::ffff:169.254.169.254"), AddressClass::LinkLocal);
    assert_eq!(class_of("::ffff:10.0.0.1"), AddressClass::Private);
    assert_eq!(class_of("::10.0.0.1"), AddressClass::Private);
    assert_eq!(class_of("64:ff9b::192.168.1.1"), AddressClass::Private);
    assert_eq!(
        class_of("2002:a9fe:a9fe::1"),
        AddressClass::LinkLocal,
        "6to4 of 169.254.169.254"
    );
    assert_eq!(class_of("::ffff:8.8.8.8"), AddressClass::Public);
}

#[test]
fn the_allow_list_admits_only_what_it_covers() {
    let allow = AllowList::parse(&["127.0.0.1", "10.20.0.0/16"]).expect("valid");
    assert_eq!(allow.check_address(ip("127.0.0.1")), Ok(()));
    assert_eq!(allow.check_address(ip("10.20.3.4")), Ok(()));
    assert_eq!(allow.check_address(ip("8.8.8.8")), Ok(()));
    assert_eq!(
        allow.check_address(ip("127.0.0.2")),
        Err(Refusal::Address {
            address: ip("127.0.0.2"),
            class: AddressClass::Loopback
        })
    );
    let refused = allow
        .check_address(ip("169.254.169.254"))
        .expect_err("metadata");
    assert_eq!(
        refused.to_string(),
        "169.254.169.254 is a link-local (cloud metadata) address and is not allow-listed"
    );
    assert!(AllowList::default().check_address(ip("::1")).is_err());
    assert!(AllowList::parse(&["nonsense"]).is_err());
}

#[test]
fn metadata_host_names_are_refused_in_any_spelling() {
    for host in [
        "metadata.google.internal",
        "METADATA.google.internal.",
        "metadata",
        "instance-data",
    ] {
        assert!(check_host_name(host).is_err(), "{host}");
    }
    for host in [
        "hooks.slack.com",
        "metadata.example.com",
        "example.internal",
    ] {
        assert_eq!(check_host_name(host), Ok(()), "{host}");
    }
}
