//! Property tests: trusted IP parsing and matching against a simple reference model, and `validate` /
//! `normalise` never panicking on random JSON bodies for any operation.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use infisical_auth_validation::{
    normalise, operation_ids, validate, IpKind, RequestParts, TrustedIp, TrustedIpList,
};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

// ---- reference model ----------------------------------------------------------------------------------------

/// Reference grammar: an IPv4 text is valid when it is exactly how `Ipv4Addr` prints the address it denotes
/// (which rules out leading zeros, signs, spaces); an IPv6 text when std parses it and it has no embedded dotted
/// quad with leading zeros; a prefix is 1-3 ASCII digits within the family's width.
fn ref_parse(s: &str) -> Option<(IpAddr, u8, bool)> {
    let (addr, prefix) = match s.find('/') {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let ip: IpAddr = if addr.contains(':') {
        let v6: Ipv6Addr = addr.parse().ok()?;
        if let Some(tail) = addr.rsplit(':').next().filter(|t| t.contains('.')) {
            let v4: Ipv4Addr = tail.parse().ok()?;
            if v4.to_string() != tail {
                return None;
            }
        }
        IpAddr::V6(v6)
    } else {
        let v4: Ipv4Addr = addr.parse().ok()?;
        if v4.to_string() != addr {
            return None;
        }
        IpAddr::V4(v4)
    };
    let width = if ip.is_ipv4() { 32 } else { 128 };
    match prefix {
        None => Some((ip, width, false)),
        Some(p) => {
            if p.is_empty() || p.len() > 3 || !p.chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let n: u32 = p.parse().ok()?;
            (n <= u32::from(width)).then_some((ip, n as u8, true))
        }
    }
}

/// Everything as 128-bit IPv6 space (IPv4 as IPv4-mapped): does `client` fall in `rule/len`?
fn ref_contains(rule: IpAddr, len: u8, client: IpAddr) -> bool {
    let bits = |ip: IpAddr| -> u128 {
        match ip {
            IpAddr::V4(a) => u128::from(a.to_ipv6_mapped()),
            IpAddr::V6(a) => u128::from(a),
        }
    };
    let len = u32::from(len) + if rule.is_ipv4() { 96 } else { 0 };
    if len == 0 {
        return true;
    }
    let shift = 128 - len;
    bits(rule) >> shift == bits(client) >> shift
}

// ---- strategies ------------------------------------------------------------------------------------------------

fn octet_text() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => (0u16..=255).prop_map(|o| o.to_string()),
        1 => (0u16..=99).prop_map(|o| format!("0{o}")),
        1 => (256u16..=999).prop_map(|o| o.to_string()),
        1 => Just(String::new()),
    ]
}

fn v4_text() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::collection::vec(octet_text(), 4).prop_map(|o| o.join(".")),
        1 => prop::collection::vec(octet_text(), 1..6).prop_map(|o| o.join(".")),
    ]
}

fn v6_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<u128>().prop_map(|b| Ipv6Addr::from(b).to_string()),
        any::<u32>().prop_map(|b| format!("::ffff:{}", Ipv4Addr::from(b))),
        prop::collection::vec(0u32..0x1_0000, 8).prop_map(|g| g
            .iter()
            .map(|x| format!("{x:x}"))
            .collect::<Vec<_>>()
            .join(":")),
        prop::collection::vec(0u32..0x1_0000, 1..5).prop_map(|g| format!(
            "{}::",
            g.iter()
                .map(|x| format!("{x:x}"))
                .collect::<Vec<_>>()
                .join(":")
        )),
        Just("::".to_owned()),
        // group soup: 0-5 hex digits per group, an optional "::" anywhere, an optional dotted-quad tail
        (
            prop::collection::vec("[0-9a-fA-F]{0,5}", 0..10),
            any::<prop::sample::Index>(),
            any::<bool>(),
            prop::option::of(v4_text()),
        )
            .prop_map(|(g, at, dc, v4)| {
                let mut parts = g.clone();
                if dc {
                    let i = at.index(parts.len() + 1);
                    parts.insert(i, String::new());
                }
                let mut t = parts.join(":");
                if let Some(q) = v4 {
                    t.push(':');
                    t.push_str(&q);
                }
                t
            }),
        Just("::1".to_owned()),
        Just("fe80::1%eth0".to_owned()),
        Just("[::1]".to_owned()),
        Just(":::1".to_owned()),
    ]
}

fn suffix() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just(String::new()),
        3 => (0u16..=140).prop_map(|p| format!("/{p}")),
        4 => prop::sample::select(vec![0u16, 1, 8, 31, 32, 33, 64, 127, 128, 129, 255, 256, 999]).prop_map(|p| format!("/{p}")),
        1 => (0u16..=40).prop_map(|p| format!("/0{p}")),
        1 => Just("/".to_owned()),
        1 => Just("/8abc".to_owned()),
        1 => Just("/24.5".to_owned()),
        1 => Just("/+8".to_owned()),
        1 => Just("/24/8".to_owned()),
        1 => Just("/ 8".to_owned()),
        1 => Just(":443".to_owned()),
        1 => Just(" ".to_owned()),
    ]
}

fn entry_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (v4_text(), suffix()).prop_map(|(a, s)| a + &s),
        4 => (v6_text(), suffix()).prop_map(|(a, s)| a + &s),
        2 => "[0-9a-fA-F:./%+ \\[\\]-]{0,20}",
    ]
}

fn client_ip() -> impl Strategy<Value = IpAddr> {
    prop_oneof![
        any::<u32>().prop_map(|b| IpAddr::V4(Ipv4Addr::from(b))),
        any::<u128>().prop_map(|b| IpAddr::V6(Ipv6Addr::from(b))),
        any::<u32>().prop_map(|b| IpAddr::V6(Ipv4Addr::from(b).to_ipv6_mapped())),
        // near the interesting networks
        (0u8..=255).prop_map(|x| IpAddr::V4(Ipv4Addr::new(10, x, 0, 1))),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let names = prop::sample::select(vec![
        "accessTokenTrustedIps",
        "clientSecretTrustedIps",
        "ipAddress",
        "accessTokenTTL",
        "accessTokenMaxTTL",
        "accessTokenNumUsesLimit",
        "lockoutThreshold",
        "configurationType",
        "publicKeys",
        "boundClaims",
        "trustBundleDistribution",
        "profile",
        "templateId",
        "url",
        "kubernetesHost",
        "tokenReviewMode",
        "gatewayId",
        "tenancyOcid",
        "allowedUsernames",
        "caCertificate",
        "allowedArns",
        "headers",
        "searchFilter",
        "type",
        "allowedAccountIds",
        "allowedPrincipalArns",
        "allowedCommonNames",
        "organizationSlug",
        "x",
    ]);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        Just(json!(u64::MAX)),
        "\\PC{0,12}".prop_map(Value::String),
        entry_text().prop_map(Value::String),
        prop::sample::select(vec![
            "jwks",
            "static",
            "api",
            "gateway",
            "https_web_bundle",
            "iam",
            "1.0"
        ])
        .prop_map(|s| json!(s)),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((names.clone(), inner), 0..6).prop_map(|kv| Value::Object(
                kv.into_iter()
                    .map(|(k, v)| (k.to_owned(), v))
                    .collect::<Map<_, _>>()
            )),
        ]
    })
}

// ---- properties ------------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn parse_agrees_with_reference(s in entry_text()) {
        let got = TrustedIp::parse(&s).ok();
        let want = ref_parse(&s);
        prop_assert_eq!(got.is_some(), want.is_some(), "{:?}: parser {:?}, reference {:?}", s, got, want);
        if let (Some(g), Some((ip, len, has_prefix))) = (got, want) {
            prop_assert_eq!(g.as_str(), s.as_str());
            prop_assert_eq!(g.kind(), if ip.is_ipv4() { IpKind::Ipv4 } else { IpKind::Ipv6 });
            prop_assert_eq!(g.prefix(), has_prefix.then_some(len));
        }
    }

    #[test]
    fn validity_check_agrees_with_parse(s in entry_text()) {
        prop_assert_eq!(TrustedIp::is_valid(&s), TrustedIp::parse(&s).is_ok(), "{:?}", s);
    }

    #[test]
    fn matching_agrees_with_reference(entries in prop::collection::vec(entry_text(), 0..4), client in client_ip()) {
        let parsed: Vec<(TrustedIp, (IpAddr, u8, bool))> =
            entries.iter().filter_map(|s| Some((TrustedIp::parse(s).ok()?, ref_parse(s)?))).collect();
        let list = TrustedIpList::new(parsed.iter().map(|(t, _)| t.clone()).collect());
        let want = parsed.iter().any(|(_, (ip, len, _))| ref_contains(*ip, *len, client));
        prop_assert_eq!(list.allows(client), want, "{:?} allows {}", entries, client);
    }

    #[test]
    fn blocks_admit_their_own_network(a in any::<u32>(), p in 0u8..=32, client in any::<u32>()) {
        let rule = TrustedIp::parse(&format!("{}/{p}", Ipv4Addr::from(a))).unwrap();
        let mask = if p == 0 { 0 } else { u32::MAX << (32 - u32::from(p)) };
        let inside = Ipv4Addr::from((a & mask) | (client & !mask));
        prop_assert!(rule.contains(IpAddr::V4(inside)));
        prop_assert!(rule.contains(IpAddr::V6(inside.to_ipv6_mapped())));
    }

    #[test]
    fn validate_never_panics(body in json_value(), op_idx in any::<prop::sample::Index>(), q in "\\PC{0,6}") {
        let ops: Vec<&str> = operation_ids().collect();
        let op = ops[op_idx.index(ops.len())];
        let query = [("offset", q.as_str()), ("limit", q.as_str())];
        let path = [("identityId", "i"), ("tokenId", "t"), ("clientSecretId", "c")];
        let res = validate(op, &RequestParts { path: &path, query: &query, body: Some(&body) });
        if let Err(e) = &res {
            // every rejection renders and round-trips through Infisical's body
            let _ = e.to_string();
            let wire = e.to_infisical_body("req-00000000000000");
            let back = infisical_auth_validation::Rejection::from_infisical_body(&wire);
            prop_assert_eq!(back.as_ref(), Some(e));
        }
        let mut b = body.clone();
        normalise(op, &mut b);
        // normalising an accepted body keeps it accepted
        if res.is_ok() {
            prop_assert!(validate(op, &RequestParts { path: &path, query: &query, body: Some(&b) }).is_ok(), "{} {}", op, b);
        }
    }

    #[test]
    fn trusted_ip_lists_in_bodies(entries in prop::collection::vec(entry_text(), 1..4)) {
        let body = json!({"accessTokenTrustedIps": entries.iter().map(|e| json!({"ipAddress": e})).collect::<Vec<_>>()});
        let res = validate("updateTokenAuth", &RequestParts { path: &[("identityId", "i")], query: &[], body: Some(&body) });
        let all_valid = entries.iter().all(|e| ref_parse(e.trim()).is_some());
        prop_assert_eq!(res.is_ok(), all_valid, "{:?}: {:?}", entries, res);
        if let Err(e) = res {
            prop_assert_eq!(e.status(), 400);
        }
    }
}
