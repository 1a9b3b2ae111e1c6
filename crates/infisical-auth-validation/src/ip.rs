//! Trusted IP entries and lists (BEHAVIOUR.md §4).
//!
//! An entry is a bare IPv4/IPv6 address or a CIDR block, parsed with the strict grammar this project chose
//! (**Deliberate**): `ADDRESS` or `ADDRESS/PREFIX`, PREFIX plain decimal digits in range (v4 0..=32, v6 0..=128),
//! no zone ids, no whitespace, no leading zeros in IPv4 octets, no ports or brackets. The text is kept as typed.
//! Matching follows Infisical: host bits of a block are masked, a bare address matches only itself, IPv4 clients
//! match IPv6 rules through their IPv4-mapped form and `::ffff:a.b.c.d` clients match IPv4 rules; an empty list
//! admits nobody.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use serde_json::{Map, Value};

use crate::error::INVALID_IP_MESSAGE;

/// The family of a trusted IP entry, as Infisical stores it in `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IpKind {
    /// An IPv4 address or block.
    Ipv4,
    /// An IPv6 address or block.
    Ipv6,
}

impl IpKind {
    /// `"ipv4"` or `"ipv6"`.
    pub fn as_str(self) -> &'static str {
        match self {
            IpKind::Ipv4 => "ipv4",
            IpKind::Ipv6 => "ipv6",
        }
    }
}

/// An entry that is not a bare address or CIDR block under the strict grammar.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}: `{input}`")]
pub struct InvalidTrustedIp {
    /// The rejected text.
    pub input: String,
    /// Always [`INVALID_IP_MESSAGE`], Infisical's wording.
    pub message: &'static str,
}

/// One trusted IP entry: the text as typed plus the parsed network.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TrustedIp {
    text: String,
    net: IpNet,
    prefix: Option<u8>,
}

/// Parses a strict IPv4 dotted quad: four decimal octets 0..=255 without leading zeros.
fn parse_v4(s: &str) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut n = 0;
    for part in s.split('.') {
        if n == 4 || part.is_empty() || part.len() > 3 || !part.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        if part.len() > 1 && part.starts_with('0') {
            return None;
        }
        let v: u16 = part.parse().ok()?;
        octets[n] = u8::try_from(v).ok()?;
        n += 1;
    }
    (n == 4).then(|| Ipv4Addr::from(octets))
}

/// Parses a strict IPv6 address (std grammar, which has no zone ids or brackets), refusing leading zeros in an
/// embedded dotted quad.
fn parse_v6(s: &str) -> Option<Ipv6Addr> {
    if !s.contains(':')
        || !s
            .bytes()
            .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
    {
        return None;
    }
    if let Some(idx) = s.rfind(':') {
        let tail = &s[idx + 1..];
        if tail.contains('.') && parse_v4(tail).is_none() {
            return None;
        }
    }
    Ipv6Addr::from_str(s).ok()
}

/// Parses a prefix: 1 to 3 plain decimal digits.
fn parse_prefix(s: &str, max: u8) -> Option<u8> {
    if s.is_empty() || s.len() > 3 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: u16 = s.parse().ok()?;
    let v = u8::try_from(v).ok()?;
    (v <= max).then_some(v)
}

impl TrustedIp {
    /// Parses an entry with the strict grammar. Surrounding whitespace is an error here: trim first (the
    /// validator trims `ipAddress`, as Infisical does).
    pub fn parse(input: &str) -> Result<TrustedIp, InvalidTrustedIp> {
        Self::parse_opt(input).ok_or_else(|| InvalidTrustedIp {
            input: input.to_owned(),
            message: INVALID_IP_MESSAGE,
        })
    }

    /// Whether `input` is a valid entry, without allocating.
    pub fn is_valid(input: &str) -> bool {
        Self::parse_parts(input).is_some()
    }

    fn parse_parts(input: &str) -> Option<(IpNet, Option<u8>)> {
        let (addr, prefix) = match input.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (input, None),
        };
        let ip: IpAddr = if let Some(v4) = parse_v4(addr) {
            IpAddr::V4(v4)
        } else {
            IpAddr::V6(parse_v6(addr)?)
        };
        match (ip, prefix) {
            (IpAddr::V4(a), None) => Some((IpNet::V4(Ipv4Net::new(a, 32).ok()?), None)),
            (IpAddr::V6(a), None) => Some((IpNet::V6(Ipv6Net::new(a, 128).ok()?), None)),
            (IpAddr::V4(a), Some(p)) => {
                let p = parse_prefix(p, 32)?;
                Some((IpNet::V4(Ipv4Net::new(a, p).ok()?), Some(p)))
            }
            (IpAddr::V6(a), Some(p)) => {
                let p = parse_prefix(p, 128)?;
                Some((IpNet::V6(Ipv6Net::new(a, p).ok()?), Some(p)))
            }
        }
    }

    fn parse_opt(input: &str) -> Option<TrustedIp> {
        let (net, prefix) = Self::parse_parts(input)?;
        Some(TrustedIp {
            text: input.to_owned(),
            net,
            prefix,
        })
    }

    /// The entry as typed (e.g. `10.1.2.3/8`, host bits kept).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// IPv4 or IPv6.
    pub fn kind(&self) -> IpKind {
        match self.net {
            IpNet::V4(_) => IpKind::Ipv4,
            IpNet::V6(_) => IpKind::Ipv6,
        }
    }

    /// The CIDR prefix, `None` for a bare address.
    pub fn prefix(&self) -> Option<u8> {
        self.prefix
    }

    /// The network with host bits masked (a bare address is a /32 or /128).
    pub fn network(&self) -> IpNet {
        self.net.trunc()
    }

    /// Whether `client` is inside this entry, with Infisical's IPv4-mapped IPv6 matching both ways.
    pub fn contains(&self, client: IpAddr) -> bool {
        match (self.net, client) {
            (IpNet::V4(n), IpAddr::V4(c)) => n.contains(&c),
            (IpNet::V4(n), IpAddr::V6(c)) => c.to_ipv4_mapped().is_some_and(|c4| n.contains(&c4)),
            (IpNet::V6(n), IpAddr::V6(c)) => {
                n.contains(&c)
                    || c.to_ipv4_mapped()
                        .is_some_and(|c4| n.contains(&c4.to_ipv6_mapped()))
            }
            (IpNet::V6(n), IpAddr::V4(c)) => n.contains(&c.to_ipv6_mapped()),
        }
    }

    /// The entry as Infisical stores and returns it: `{ipAddress, type, prefix?}`.
    pub fn to_stored_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("ipAddress".into(), Value::String(self.text.clone()));
        m.insert("type".into(), Value::String(self.kind().as_str().into()));
        if let Some(p) = self.prefix {
            m.insert("prefix".into(), Value::from(p));
        }
        Value::Object(m)
    }
}

impl FromStr for TrustedIp {
    type Err = InvalidTrustedIp;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TrustedIp::parse(s)
    }
}

impl fmt::Display for TrustedIp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// A list of trusted IP entries, e.g. an identity's `accessTokenTrustedIps`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedIpList {
    entries: Vec<TrustedIp>,
}

impl TrustedIpList {
    /// A list of already parsed entries.
    pub fn new(entries: Vec<TrustedIp>) -> TrustedIpList {
        TrustedIpList { entries }
    }

    /// Parses every entry (each trimmed first, as Infisical trims `ipAddress`); the first invalid one is the error.
    pub fn parse<'a, I: IntoIterator<Item = &'a str>>(
        items: I,
    ) -> Result<TrustedIpList, InvalidTrustedIp> {
        items
            .into_iter()
            .map(|s| TrustedIp::parse(s.trim()))
            .collect::<Result<Vec<_>, _>>()
            .map(TrustedIpList::new)
    }

    /// Reads a request or stored JSON array of `{ipAddress, ...}` objects; `None` if the shape is wrong or an
    /// entry is invalid.
    pub fn from_json(v: &Value) -> Option<TrustedIpList> {
        let arr = v.as_array()?;
        let mut entries = Vec::with_capacity(arr.len());
        for item in arr {
            let s = item.get("ipAddress")?.as_str()?;
            entries.push(TrustedIp::parse(s.trim()).ok()?);
        }
        Some(TrustedIpList { entries })
    }

    /// The entries.
    pub fn entries(&self) -> &[TrustedIp] {
        &self.entries
    }

    /// Whether `client` may use the credential: it is inside at least one entry. An empty list admits nobody.
    pub fn allows(&self, client: IpAddr) -> bool {
        self.entries.iter().any(|e| e.contains(client))
    }

    /// The list as Infisical stores and returns it.
    pub fn to_stored_json(&self) -> Value {
        Value::Array(self.entries.iter().map(TrustedIp::to_stored_json).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("test address")
    }

    #[test]
    fn accepts_bare_addresses_and_blocks() {
        for s in [
            "1.2.3.4",
            "0.0.0.0/0",
            "::/0",
            "10.1.2.3/8",
            "fe80::1",
            "2001:db8::/32",
            "::ffff:1.2.3.4",
            "1.2.3.4/32",
            "::1/128",
        ] {
            assert!(TrustedIp::parse(s).is_ok(), "{s} should be accepted");
        }
    }

    #[test]
    fn rejects_infisicals_accidental_leniency() {
        // BEHAVIOUR.md §4: Infisical accepts these by accident; this project refuses them (Deliberate).
        for s in [
            "1.2.3.4/8abc",
            "1.2.3.4/24.5",
            "1.2.3.4/+8",
            "1.2.3.4/24/8",
            "fe80::1%eth0",
        ] {
            let err = TrustedIp::parse(s).expect_err(s);
            assert_eq!(err.message, INVALID_IP_MESSAGE);
        }
    }

    #[test]
    fn rejects_strict_grammar_violations() {
        for s in [
            "",
            "1.2.3.4/",
            "/8",
            "1.2.3.4/33",
            "::/129",
            "1.2.3",
            "1.2.3.4.5",
            "256.1.1.1",
            "01.2.3.4",
            "1.2.3.04",
            " 1.2.3.4",
            "1.2.3.4 ",
            "1.2.3.4 /8",
            "1.2.3.4/ 8",
            "[::1]",
            "[::1]/64",
            "1.2.3.4:80",
            "1.2.3.4/-1",
            "localhost",
            "::ffff:01.2.3.4",
            "1.2.3.4/8/",
            "fe80::1%25eth0/64",
        ] {
            assert!(TrustedIp::parse(s).is_err(), "{s:?} should be rejected");
        }
    }

    #[test]
    fn keeps_text_kind_and_prefix() {
        let e = TrustedIp::parse("10.1.2.3/8").unwrap();
        assert_eq!(e.as_str(), "10.1.2.3/8");
        assert_eq!(e.kind(), IpKind::Ipv4);
        assert_eq!(e.prefix(), Some(8));
        assert_eq!(e.network().to_string(), "10.0.0.0/8");
        assert_eq!(
            e.to_stored_json(),
            serde_json::json!({"ipAddress": "10.1.2.3/8", "type": "ipv4", "prefix": 8})
        );
        let b = TrustedIp::parse("fe80::1").unwrap();
        assert_eq!(b.kind(), IpKind::Ipv6);
        assert_eq!(b.prefix(), None);
        assert_eq!(
            b.to_stored_json(),
            serde_json::json!({"ipAddress": "fe80::1", "type": "ipv6"})
        );
    }

    #[test]
    fn host_bits_are_masked() {
        let e = TrustedIp::parse("10.1.2.3/8").unwrap();
        assert!(e.contains(ip("10.200.0.1")));
        assert!(!e.contains(ip("11.0.0.1")));
    }

    #[test]
    fn bare_address_matches_only_itself() {
        let e = TrustedIp::parse("192.168.1.10").unwrap();
        assert!(e.contains(ip("192.168.1.10")));
        assert!(!e.contains(ip("192.168.1.11")));
        assert!(e.contains(ip("::ffff:192.168.1.10")));
    }

    #[test]
    fn ipv4_clients_match_ipv6_rules_through_mapping() {
        let all6 = TrustedIpList::parse(["::/0"]).unwrap();
        assert!(all6.allows(ip("8.8.8.8")));
        let mapped = TrustedIpList::parse(["::ffff:10.0.0.0/104"]).unwrap();
        assert!(mapped.allows(ip("10.9.9.9")));
        assert!(!mapped.allows(ip("11.9.9.9")));
    }

    #[test]
    fn mapped_ipv6_clients_match_ipv4_rules() {
        let l = TrustedIpList::parse(["10.0.0.0/8"]).unwrap();
        assert!(l.allows(ip("::ffff:10.1.2.3")));
        assert!(!l.allows(ip("::ffff:11.1.2.3")));
        assert!(!l.allows(ip("2001:db8::1")));
    }

    #[test]
    fn empty_list_admits_nobody() {
        let l = TrustedIpList::default();
        assert!(!l.allows(ip("127.0.0.1")));
        assert!(!l.allows(ip("::1")));
    }

    #[test]
    fn default_list_admits_everybody() {
        let l = TrustedIpList::from_json(
            &serde_json::json!([{"ipAddress": "0.0.0.0/0"}, {"ipAddress": "::/0"}]),
        )
        .unwrap();
        assert!(l.allows(ip("1.2.3.4")));
        assert!(l.allows(ip("2001:db8::5")));
    }

    #[test]
    fn list_parse_trims_and_reports_first_bad_entry() {
        let l = TrustedIpList::parse([" 1.2.3.4 ", "::1"]).unwrap();
        assert_eq!(l.entries()[0].as_str(), "1.2.3.4");
        let err = TrustedIpList::parse(["1.2.3.4", "nope"]).unwrap_err();
        assert_eq!(err.input, "nope");
    }
}
