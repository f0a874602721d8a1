//! Which outbound destinations are safe to reach (SSRF protection): an address is refused when it
//! is loopback, private, link-local (which covers cloud metadata at 169.254.169.254), unspecified,
//! broadcast, shared (CGNAT), multicast or reserved — also when written as IPv4 inside IPv6 — and a
//! host name is refused when it names a cloud metadata service, unless an allow-list covers it.
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::cidr::Cidr;

/// Why an address is not public.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressClass {
    Public,
    Loopback,
    /// RFC 1918 (10/8, 172.16/12, 192.168/16) and IPv6 unique local (fc00::/7).
    Private,
    /// 169.254/16 and fe80::/10, cloud metadata services included.
    LinkLocal,
    /// 0.0.0.0/8 and `::`.
    Unspecified,
    Broadcast,
    /// Carrier-grade NAT, 100.64/10.
    SharedCgnat,
    Multicast,
    /// 240/4 (reserved for future use).
    Reserved,
}

impl AddressClass {
    pub fn describe(self) -> &'static str {
        match self {
            AddressClass::Public => "public",
            AddressClass::Loopback => "loopback",
            AddressClass::Private => "private",
            AddressClass::LinkLocal => "link-local (cloud metadata)",
            AddressClass::Unspecified => "unspecified",
            AddressClass::Broadcast => "broadcast",
            AddressClass::SharedCgnat => "shared (CGNAT)",
            AddressClass::Multicast => "multicast",
            AddressClass::Reserved => "reserved",
        }
    }
}

/// Host names of cloud metadata services, refused whatever they resolve to.
pub const METADATA_HOSTS: &[&str] = &[
    "metadata",
    "metadata.google.internal",
    "metadata.goog",
    "metadata.azure.com",
    "instance-data",
    "instance-data.ec2.internal",
];

/// The class of `address`, looking through IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible
/// (`::a.b.c.d`), NAT64 (`64:ff9b::a.b.c.d`) and 6to4 (`2002:aabb:ccdd::`) IPv6 forms.
pub fn classify(address: IpAddr) -> AddressClass {
    match address {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => match embedded_v4(v6) {
            Some(v4) => classify_v4(v4),
            None => classify_v6(v6),
        },
    }
}

fn classify_v4(a: Ipv4Addr) -> AddressClass {
    let [first, second, ..] = a.octets();
    if a.is_loopback() {
        AddressClass::Loopback
    } else if a.is_private() {
        AddressClass::Private
    } else if a.is_link_local() {
        AddressClass::LinkLocal
    } else if first == 0 {
        AddressClass::Unspecified
    } else if a.is_broadcast() {
        AddressClass::Broadcast
    } else if first == 100 && (64..128).contains(&second) {
        AddressClass::SharedCgnat
    } else if a.is_multicast() {
        AddressClass::Multicast
    } else if first >= 240 {
        AddressClass::Reserved
    } else {
        AddressClass::Public
    }
}

fn classify_v6(a: Ipv6Addr) -> AddressClass {
    let first = a.segments()[0];
    if a.is_loopback() {
        AddressClass::Loopback
    } else if a.is_unspecified() {
        AddressClass::Unspecified
    } else if first & 0xfe00 == 0xfc00 {
        AddressClass::Private
    } else if first & 0xffc0 == 0xfe80 {
        AddressClass::LinkLocal
    } else if a.is_multicast() {
        AddressClass::Multicast
    } else {
        AddressClass::Public
    }
}

/// The IPv4 address an IPv6 address carries: mapped, compatible (deprecated, but still routed to
/// the IPv4 address by some stacks), the NAT64 well-known prefix, or 6to4 (2002::/16).
fn embedded_v4(a: Ipv6Addr) -> Option<Ipv4Addr> {
    if let Some(v4) = a.to_ipv4_mapped() {
        return Some(v4);
    }
    let s = a.segments();
    if s[0] == 0x2002 {
        return Some(Ipv4Addr::from((u32::from(s[1]) << 16) | u32::from(s[2])));
    }
    let low = Ipv4Addr::from((u32::from(s[6]) << 16) | u32::from(s[7]));
    let compatible = s[..6].iter().all(|&x| x == 0) && !a.is_loopback() && !a.is_unspecified();
    let nat64 = s[0] == 0x64 && s[1] == 0xff9b && s[2..6].iter().all(|&x| x == 0);
    (compatible || nat64).then_some(low)
}

/// Why a destination was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("{address} is a {} address and is not allow-listed", .class.describe())]
    Address {
        address: IpAddr,
        class: AddressClass,
    },
    #[error("{0} names a cloud metadata service")]
    MetadataHost(String),
}

/// The CIDRs an operator allows despite their class (a webhook receiver on the internal
/// network, the test suite's 127.0.0.1).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowList(Vec<Cidr>);

impl AllowList {
    pub fn new(cidrs: Vec<Cidr>) -> Self {
        Self(cidrs)
    }

    /// Parses each entry as a CIDR (`10.1.0.0/16`) or a single address.
    pub fn parse<S: AsRef<str>>(entries: &[S]) -> Result<Self, String> {
        entries
            .iter()
            .map(|entry| entry.as_ref().parse::<Cidr>())
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    pub fn cidrs(&self) -> &[Cidr] {
        &self.0
    }

    pub fn allows(&self, address: IpAddr) -> bool {
        self.0.iter().any(|cidr| cidr.contains(address))
    }

    /// Refuses `address` unless it is public or allow-listed.
    pub fn check_address(&self, address: IpAddr) -> Result<(), Refusal> {
        match classify(address) {
            AddressClass::Public => Ok(()),
            _ if self.allows(address) => Ok(()),
            class => Err(Refusal::Address { address, class }),
        }
    }
}

/// Refuses a host name that names a metadata service (compared without case or a trailing dot).
pub fn check_host_name(host: &str) -> Result<(), Refusal> {
    let normalised = host.trim_end_matches('.').to_ascii_lowercase();
    if METADATA_HOSTS.contains(&normalised.as_str()) {
        return Err(Refusal::MetadataHost(host.to_owned()));
    }
    Ok(())
}

#[cfg(test)]
#[path = "address_tests.rs"]
mod tests;
