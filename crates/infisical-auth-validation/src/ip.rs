//! Trusted IP entries and lists (docs/infisical-behaviour.md#trusted-ips).
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

/// Scans a strict IPv4 dotted quad at the start of `b`: four decimal octets 0..=255 without leading zeros,
/// ending at the end of `b` or at a `/`. Returns the address and where it ends (one pass over the bytes).
#[inline]
fn scan_v4(b: &[u8]) -> Option<(Ipv4Addr, usize)> {
    let mut octets = [0u8; 4];
    let mut n = 0;
    let mut val: u32 = 0;
    let mut digits = 0;
    let mut end = b.len();
    for (i, &c) in b.iter().enumerate() {
        if c.is_ascii_digit() {
            if digits > 0 && val == 0 {
                return None; // leading zero
            }
            val = val * 10 + u32::from(c - b'0');
            digits += 1;
            if digits > 3 {
                return None;
            }
        } else if c == b'.' {
            if digits == 0 || n == 3 || val > 255 {
                return None;
            }
            octets[n] = val as u8;
            n += 1;
            val = 0;
            digits = 0;
        } else if c == b'/' {
            end = i;
            break;
        } else {
            return None;
        }
    }
    if digits == 0 || n != 3 || val > 255 {
        return None;
    }
    octets[3] = val as u8;
    Some((Ipv4Addr::from(octets), end))
}

/// Hex digit values, 0xFF for other bytes.
static HEX: [u8; 256] = {
    let mut t = [0xFFu8; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        t[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

/// Scans an IPv6 address at the start of `b` with the grammar of `std::net::Ipv6Addr` (groups of 1-4 hex digits,
/// at most one `::` standing for at least one group, an optional trailing dotted quad), refusing leading zeros in
/// the dotted quad; no zone ids, no brackets. It ends at the end of `b` or at a `/`; returns the address (`::`
/// when `STORE` is false: validity only) and where it ends.
#[inline]
fn scan_v6<const STORE: bool>(b: &[u8]) -> Option<(Ipv6Addr, usize)> {
    let at_end = |i: usize| i == b.len() || b[i] == b'/';
    let mut head = [0u16; 8];
    let mut tail = [0u16; 8];
    let (mut hn, mut tn) = (0usize, 0usize);
    let mut compressed = false;
    let mut i = 0;
    if b.starts_with(b"::") {
        compressed = true;
        i = 2;
        if at_end(i) {
            return Some((Ipv6Addr::UNSPECIFIED, i));
        }
    }
    loop {
        let start = i;
        let mut v: u32 = 0;
        let mut digits = 0;
        while i < b.len() {
            let h = HEX[usize::from(b[i])];
            if h == 0xFF {
                break;
            }
            v = v * 16 + u32::from(h);
            digits += 1;
            i += 1;
            if digits > 4 {
                return None;
            }
        }
        let limit = if compressed { 7 } else { 8 };
        if b.get(i) == Some(&b'.') {
            // a trailing dotted quad: two groups
            let (v4, used) = scan_v4(&b[start..])?;
            i = start + used;
            if hn + tn + 2 > limit {
                return None;
            }
            let o = v4.octets();
            for g in [
                u16::from_be_bytes([o[0], o[1]]),
                u16::from_be_bytes([o[2], o[3]]),
            ] {
                if compressed {
                    if STORE {
                        tail[tn] = g;
                    }
                    tn += 1;
                } else {
                    if STORE {
                        head[hn] = g;
                    }
                    hn += 1;
                }
            }
            break;
        }
        if digits == 0 || hn + tn + 1 > limit {
            return None;
        }
        if compressed {
            if STORE {
                tail[tn] = v as u16;
            }
            tn += 1;
        } else {
            if STORE {
                head[hn] = v as u16;
            }
            hn += 1;
        }
        if at_end(i) {
            break;
        }
        if b[i] != b':' {
            return None;
        }
        i += 1;
        if b.get(i) == Some(&b':') {
            if compressed {
                return None;
            }
            compressed = true;
            i += 1;
            if hn + 1 > 8 {
                return None;
            }
            if at_end(i) {
                break;
            }
        } else if at_end(i) {
            return None;
        }
    }
    if compressed {
        if hn + tn > 7 {
            return None;
        }
    } else if hn != 8 {
        return None;
    }
    if !STORE {
        return Some((Ipv6Addr::UNSPECIFIED, i));
    }
    let mut groups = [0u16; 8];
    groups[..hn].copy_from_slice(&head[..hn]);
    groups[8 - tn..].copy_from_slice(&tail[..tn]);
    Some((Ipv6Addr::from(groups), i))
}

/// Whether an entry's address is IPv6: a `:` within its first five bytes (an IPv4 address has a `.` by then;
/// anything else is invalid either way).
#[inline]
fn looks_v6(b: &[u8]) -> bool {
    b.iter().take(5).any(|c| *c == b':')
}

/// After an address ending at `end`: nothing, or `/` and a valid prefix. Returns the prefix, `Some(None)` if none.
#[inline]
fn scan_prefix(b: &[u8], end: usize, max: u8) -> Option<Option<u8>> {
    if end == b.len() {
        return Some(None);
    }
    parse_prefix(&b[end + 1..], max).map(Some)
}

/// Parses a prefix: 1 to 3 plain decimal digits, at most `max`.
fn parse_prefix(b: &[u8], max: u8) -> Option<u8> {
    if b.is_empty() || b.len() > 3 {
        return None;
    }
    let mut v: u32 = 0;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(c - b'0');
    }
    (v <= u32::from(max)).then_some(v as u8)
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
        let b = input.as_bytes();
        if looks_v6(b) {
            scan_v6::<false>(b)
                .and_then(|(_, end)| scan_prefix(b, end, 128))
                .is_some()
        } else {
            scan_v4(b)
                .and_then(|(_, end)| scan_prefix(b, end, 32))
                .is_some()
        }
    }

    fn parse_parts(input: &str) -> Option<(IpNet, Option<u8>)> {
        let b = input.as_bytes();
        if looks_v6(b) {
            let (a, end) = scan_v6::<true>(b)?;
            let p = scan_prefix(b, end, 128)?;
            Some((IpNet::V6(Ipv6Net::new(a, p.unwrap_or(128)).ok()?), p))
        } else {
            let (a, end) = scan_v4(b)?;
            let p = scan_prefix(b, end, 32)?;
            Some((IpNet::V4(Ipv4Net::new(a, p.unwrap_or(32)).ok()?), p))
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

    /// The entry as Infisical stores and returns it: `{ipAddress, type, prefix?}`, the address as
    /// typed and a block's prefix apart (`10.1.2.3/8` is `{"ipAddress": "10.1.2.3", "prefix": 8}`).
    pub fn to_stored_json(&self) -> Value {
        let mut m = Map::new();
        let address = self
            .text
            .split_once('/')
            .map_or(self.text.as_str(), |(a, _)| a);
        m.insert("ipAddress".into(), Value::String(address.to_owned()));
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

    /// Reads a request (`[{ipAddress}]`) or stored (`[{ipAddress, type, prefix?}]`) JSON array; `None` if the
    /// shape is wrong or an entry is invalid.
    pub fn from_json(v: &Value) -> Option<TrustedIpList> {
        let arr = v.as_array()?;
        let mut entries = Vec::with_capacity(arr.len());
        for item in arr {
            let s = item.get("ipAddress")?.as_str()?.trim();
            let entry = match item.get("prefix").and_then(Value::as_u64) {
                Some(prefix) if !s.contains('/') => TrustedIp::parse(&format!("{s}/{prefix}")),
                _ => TrustedIp::parse(s),
            };
            entries.push(entry.ok()?);
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
    fn the_stored_form_keeps_the_address_as_typed_and_the_prefix_apart() {
        let list = TrustedIpList::parse(["10.1.2.3/8", "2001:DB8::1", "::/0"]).expect("valid");
        let stored = list.to_stored_json();
        assert_eq!(
            stored,
            serde_json::json!([
                {"ipAddress": "10.1.2.3", "type": "ipv4", "prefix": 8},
                {"ipAddress": "2001:DB8::1", "type": "ipv6"},
                {"ipAddress": "::", "type": "ipv6", "prefix": 0}
            ])
        );
        // Read back, the stored form matches as the typed list did.
        let again = TrustedIpList::from_json(&stored).expect("stored form reads back");
        assert_eq!(again, list);
        let v4_only =
            TrustedIpList::from_json(&serde_json::json!([stored[0].clone()])).expect("one entry");
        assert!(v4_only.allows(ip("10.200.0.1")));
        assert!(!v4_only.allows(ip("11.0.0.1")));
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
        // docs/infisical-behaviour.md#trusted-ips: Infisical accepts these by accident; this project refuses them (Deliberate).
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
            serde_json::json!({"ipAddress": "10.1.2.3", "type": "ipv4", "prefix": 8})
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
