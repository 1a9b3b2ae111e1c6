//! TLS certificate logins verified for real: a CA and client certificates made by the test, the
//! client certificate passed as Infisical's proxy passes it (URL-encoded PEM in a header); each
//! check failing on its own answers Infisical's status and message.

mod verify_support;

use infisical_auth_reference::verify::tls_cert::{self, TlsCertSettings};
use infisical_auth_reference::verify::VerifiedIdentity;
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};
use verify_support::*;

fn ca(name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap()
}

struct Leaf {
    common_name: &'static str,
    not_before: Option<(i32, u8, u8)>,
    not_after: Option<(i32, u8, u8)>,
}

fn leaf(issuer: &CertifiedIssuer<'static, KeyPair>, spec: Leaf) -> String {
    let mut params = CertificateParams::new(vec!["client.example".to_owned()]).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, spec.common_name);
    params
        .distinguished_name
        .push(DnType::OrganizationName, "Acme");
    if let Some((y, m, d)) = spec.not_before {
        params.not_before = rcgen::date_time_ymd(y, m, d);
    }
    if let Some((y, m, d)) = spec.not_after {
        params.not_after = rcgen::date_time_ymd(y, m, d);
    }
    let key = KeyPair::generate().unwrap();
    params.signed_by(&key, issuer).unwrap().pem()
}

fn valid(issuer: &CertifiedIssuer<'static, KeyPair>, common_name: &'static str) -> String {
    leaf(
        issuer,
        Leaf {
            common_name,
            not_before: None,
            not_after: None,
        },
    )
}

/// The header as a proxy writes it: the PEM, URL-encoded.
fn header(pem: &str) -> String {
    utf8_percent_encode(pem, NON_ALPHANUMERIC).to_string()
}

fn settings(ca_pem: &str, allowed: Option<&str>) -> TlsCertSettings {
    TlsCertSettings {
        ca_certificate: ca_pem.to_owned(),
        allowed_common_names: allowed.map(str::to_owned),
    }
}

#[test]
fn a_certificate_issued_by_the_ca_logs_in() {
    let issuer = ca("Acme Client CA");
    let settings = settings(&issuer.pem(), Some("app-1,app-2"));
    let pem = valid(&issuer, "app-2");
    let verified = tls_cert::verify(&settings, Some(&header(&pem))).unwrap();
    let VerifiedIdentity::TlsCert {
        common_name,
        subject,
    } = verified
    else {
        panic!("not a TLS certificate identity");
    };
    assert_eq!(common_name.as_deref(), Some("app-2"));
    assert!(subject.contains("CN=app-2"), "{subject}");
    // Unencoded PEM, and a chain (leaf first), are read too.
    tls_cert::verify(&settings, Some(&pem)).unwrap();
    let chain = format!("{pem}{}", issuer.pem());
    tls_cert::verify(&settings, Some(&header(&chain))).unwrap();
    // Without allowedCommonNames any common name passes.
    tls_cert::verify(
        &self::settings(&issuer.pem(), None),
        Some(&header(&valid(&issuer, "anyone"))),
    )
    .unwrap();
}

#[test]
fn each_check_refuses_on_its_own() {
    let issuer = ca("Acme Client CA");
    let settings = settings(&issuer.pem(), Some("app-1"));

    assert_failure(
        tls_cert::verify(&settings, None),
        400,
        "Missing TLS certificate in header",
    );
    assert_failure(
        tls_cert::verify(&settings, Some("not a certificate")),
        400,
        "Missing client certificate",
    );
    assert_failure(
        tls_cert::verify(&settings, Some("%E0%A4%A")),
        400,
        "Missing client certificate",
    );

    // Issued by another CA, even one with the same name.
    let impostor = ca("Acme Client CA");
    assert_failure(
        tls_cert::verify(&settings, Some(&header(&valid(&impostor, "app-1")))),
        401,
        "Access denied: Certificate not issued by the provided CA.",
    );
    let other = ca("Other CA");
    assert_failure(
        tls_cert::verify(&settings, Some(&header(&valid(&other, "app-1")))),
        401,
        "Access denied: Certificate not issued by the provided CA.",
    );

    let expired = leaf(
        &issuer,
        Leaf {
            common_name: "app-1",
            not_before: Some((2020, 1, 1)),
            not_after: Some((2021, 1, 1)),
        },
    );
    assert_failure(
        tls_cert::verify(&settings, Some(&header(&expired))),
        401,
        "Access denied: Certificate has expired.",
    );
    let early = leaf(
        &issuer,
        Leaf {
            common_name: "app-1",
            not_before: Some((2090, 1, 1)),
            not_after: Some((2091, 1, 1)),
        },
    );
    assert_failure(
        tls_cert::verify(&settings, Some(&header(&early))),
        401,
        "Access denied: Certificate not yet valid.",
    );

    assert_failure(
        tls_cert::verify(&settings, Some(&header(&valid(&issuer, "app-10")))),
        401,
        "Access denied: TLS Certificate Auth common name not allowed.",
    );
}
