//! An IP network written as CIDR (`10.0.0.0/8`, `fd00::/8`) or as one address (`127.0.0.1`),
//! for the outbound allow-list.
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

/// A network: an address and a prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Whether `address` is inside (an IPv4 network never contains an IPv6 address, mapped or
    /// not: allow-list the form the resolver returns).
    pub fn contains(&self, address: IpAddr) -> bool {
        match (self.network, address) {
            (IpAddr::V4(net), IpAddr::V4(a)) => prefix_match(
                u128::from(u32::from(net)),
                u128::from(u32::from(a)),
                32,
                self.prefix,
            ),
            (IpAddr::V6(net), IpAddr::V6(a)) => {
                prefix_match(u128::from(net), u128::from(a), 128, self.prefix)
            }
            _ => false,
        }
    }
}

fn prefix_match(network: u128, address: u128, width: u8, prefix: u8) -> bool {
    let host_bits = u32::from(width - prefix);
    let shift = |value: u128| value.checked_shr(host_bits).unwrap_or(0);
    shift(network) == shift(address)
}

impl FromStr for Cidr {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let invalid = || format!("{text:?} is not an IP address or CIDR network (10.0.0.0/8)");
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let network: IpAddr = address.parse().map_err(|_| invalid())?;
        let width = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => width,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= width)
                .ok_or_else(invalid)?,
        };
        Ok(Self { network, prefix })
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cidr(text: &str) -> Cidr {
        text.parse().expect("valid")
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("ip")
    }

    #[test]
    fn a_single_address_is_a_full_length_prefix() {
        assert_eq!(cidr("127.0.0.1").to_string(), "127.0.0.1/32");
        assert!(cidr("127.0.0.1").contains(ip("127.0.0.1")));
        assert!(!cidr("127.0.0.1").contains(ip("127.0.0.2")));
        assert_eq!(cidr("::1").to_string(), "::1/128");
    }

    #[test]
    fn networks_contain_their_range_only() {
        let net = cidr("10.1.0.0/16");
        assert!(net.contains(ip("10.1.255.7")));
        assert!(!net.contains(ip("10.2.0.1")));
        assert!(cidr("0.0.0.0/0").contains(ip("203.0.113.9")));
        assert!(cidr("fd00::/8").contains(ip("fd12::1")));
        assert!(!cidr("fd00::/8").contains(ip("fe80::1")));
        assert!(!cidr("0.0.0.0/0").contains(ip("::1")), "families never mix");
    }

    #[test]
    fn malformed_networks_are_refused() {
        for text in [
            "",
            "10.0.0.0/33",
            "10.0.0/8",
            "::/129",
            "localhost",
            "10.0.0.0/x",
        ] {
            assert!(text.parse::<Cidr>().is_err(), "{text}");
        }
    }
}
