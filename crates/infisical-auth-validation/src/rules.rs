//! Hand-written rules the OpenAPI document cannot say (docs/infisical-behaviour.md#common-fields #rules-per-auth-method): per-method string grammars (OCI,
//! AWS, Kubernetes, TLS, AliCloud, LDAP, slugs) and the cross-field rules (TTL against max TTL, Kubernetes review
//! mode, checked by `cross.rs`). Each string rule answers `Err(message)` with the message of the 422 `custom` issue it produces.

/// A hand-written rule on one string field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// A trusted IP entry (docs/infisical-behaviour.md#trusted-ips); a violation is a 400, not a 422.
    TrustedIp,
    /// OCI `tenancyOcid`: trimmed, starts with `ocid1.tenancy.oc1.`.
    TenancyOcid,
    /// OCI `allowedUsernames`: comma list, items trimmed, empties dropped, each `[A-Za-z0-9._@-]+`.
    OciUsernames,
    /// AWS `allowedAccountIds`: comma list of 12-digit numbers.
    AwsAccountIds,
    /// AWS `allowedPrincipalArns`: comma list of IAM or STS ARNs in `aws` or `aws-us-gov`.
    AwsPrincipalArns,
    /// Kubernetes `kubernetesHost`: `[A-Za-z0-9:./-]+`.
    KubernetesHost,
    /// TLS `caCertificate`: a parsable PEM X.509 certificate.
    CaCertificatePem,
    /// AliCloud `allowedArns`: comma list of `acs:ram::<16 digits>:(user|role)/<name>`.
    AliCloudArns,
    /// Login `organizationSlug`: lowercase letters, digits and inner hyphens.
    OrganizationSlug,
    /// LDAP `searchFilter`: an RFC 4515 search filter.
    LdapFilter,
}

/// A hand-written rule across fields of one body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CrossRule {
    /// Attach: `accessTokenTTL <= accessTokenMaxTTL`, absent values taking the attach default 2592000.
    TtlWithinMaxOnAttach,
    /// Update: `accessTokenTTL <= accessTokenMaxTTL` when both are present and non-zero.
    TtlWithinMaxOnUpdate,
    /// Kubernetes attach: review mode `api` (default) needs a host, `gateway` needs a `gatewayId`.
    KubernetesReviewModeOnAttach,
    /// Kubernetes update: a mode sent together with a null host (api) or null `gatewayId` (gateway) is refused.
    KubernetesReviewModeOnUpdate,
}

/// Splits a comma list into trimmed, non-empty items.
pub fn comma_items(s: &str) -> impl Iterator<Item = &str> {
    s.split(',').map(str::trim).filter(|x| !x.is_empty())
}

fn all_digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

fn no_space(s: &str) -> bool {
    !s.is_empty() && !s.chars().any(char::is_whitespace)
}

/// `arn:(aws|aws-us-gov):(iam|sts)::<12 digits>:<resource>`.
pub fn is_aws_principal_arn(s: &str) -> bool {
    let rest = match s
        .strip_prefix("arn:aws:")
        .or_else(|| s.strip_prefix("arn:aws-us-gov:"))
    {
        Some(r) => r,
        None => return false,
    };
    let Some(rest) = rest
        .strip_prefix("iam::")
        .or_else(|| rest.strip_prefix("sts::"))
    else {
        return false;
    };
    match rest.split_once(':') {
        Some((acct, resource)) => all_digits(acct, 12) && no_space(resource),
        None => false,
    }
}

/// `acs:ram::<16 digits>:(user|role)/<name>`.
pub fn is_alicloud_arn(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("acs:ram::") else {
        return false;
    };
    let Some((acct, resource)) = rest.split_once(':') else {
        return false;
    };
    let name = resource
        .strip_prefix("user/")
        .or_else(|| resource.strip_prefix("role/"));
    all_digits(acct, 16) && name.is_some_and(no_space)
}

/// An organization slug: `[a-z0-9]+(-[a-z0-9]+)*`.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Whether a PEM text holds a parsable X.509 certificate: its first PEM section is a
/// `CERTIFICATE` whose DER reads as a trust anchor (the structure, names and the extensions
/// webpki knows; unknown critical extensions and version 1 certificates are accepted, as a CA
/// certificate may have them).
pub fn is_x509_pem(s: &str) -> bool {
    use rustls_pki_types::pem::{PemObject, SectionKind};
    match <(SectionKind, Vec<u8>)>::pem_slice_iter(s.as_bytes()).next() {
        Some(Ok((SectionKind::Certificate, der))) => {
            webpki::anchor_from_trusted_cert(&der.into()).is_ok()
        }
        _ => false,
    }
}

/// An RFC 4515 search filter (outer parentheses optional, as LDAP libraries accept).
pub fn is_ldap_filter(s: &str) -> bool {
    let b = s.trim().as_bytes();
    if b.is_empty() {
        return false;
    }
    if b[0] != b'(' {
        let mut wrapped = Vec::with_capacity(b.len() + 2);
        wrapped.push(b'(');
        wrapped.extend_from_slice(b);
        wrapped.push(b')');
        return matches!(ldap_filter(&wrapped, 0, 0), Some(end) if end == wrapped.len());
    }
    matches!(ldap_filter(b, 0, 0), Some(end) if end == b.len())
}

/// Parses one `( ... )` filter at `i`; returns the index after it.
fn ldap_filter(b: &[u8], i: usize, depth: usize) -> Option<usize> {
    if depth > 64 || b.get(i) != Some(&b'(') {
        return None;
    }
    let mut j = i + 1;
    match b.get(j)? {
        b'&' | b'|' => {
            j += 1;
            let mut n = 0;
            while b.get(j) == Some(&b'(') {
                j = ldap_filter(b, j, depth + 1)?;
                n += 1;
            }
            if n == 0 {
                return None;
            }
        }
        b'!' => j = ldap_filter(b, j + 1, depth + 1)?,
        _ => {
            let start = j;
            while b.get(j).is_some_and(|c| {
                c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b';' | b':' | b'_')
            }) {
                j += 1;
            }
            if j == start {
                return None;
            }
            match b.get(j)? {
                b'=' => j += 1,
                b'~' | b'>' | b'<' if b.get(j + 1) == Some(&b'=') => j += 2,
                _ => return None,
            }
            while let Some(c) = b.get(j) {
                match c {
                    b'(' | 0 => return None,
                    b')' => break,
                    b'\\' => {
                        let hex = b.get(j + 1..j + 3)?;
                        if !hex.iter().all(u8::is_ascii_hexdigit) {
                            return None;
                        }
                        j += 3;
                    }
                    _ => j += 1,
                }
            }
        }
    }
    (b.get(j) == Some(&b')')).then_some(j + 1)
}

/// Checks a string rule; `Err` carries the message of the `custom` issue. [`Rule::TrustedIp`] always passes here
/// (it is a 400, checked by the walker).
pub fn check_rule(rule: Rule, s: &str) -> Result<(), String> {
    match rule {
        Rule::TrustedIp => Ok(()),
        Rule::TenancyOcid => {
            if s.trim().starts_with("ocid1.tenancy.oc1.") {
                Ok(())
            } else {
                Err("Invalid Tenancy OCID format. Must start with ocid1.tenancy.oc1.".into())
            }
        }
        Rule::OciUsernames => match comma_items(s).find(|u| {
            !u.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'@' | b'-'))
        }) {
            None => Ok(()),
            Some(bad) => Err(format!(
                "Invalid username: '{bad}'. Usernames may contain only letters, digits, '.', '_', '@' and '-'"
            )),
        },
        Rule::AwsAccountIds => match comma_items(s).find(|a| !all_digits(a, 12)) {
            None => Ok(()),
            Some(bad) => Err(format!("Invalid AWS account ID: '{bad}'. Each account ID must be a 12-digit number")),
        },
        Rule::AwsPrincipalArns => match comma_items(s).find(|a| !is_aws_principal_arn(a)) {
            None => Ok(()),
            Some(bad) => Err(format!(
                "Invalid principal ARN: '{bad}'. Each ARN must be an IAM or STS ARN starting with arn:aws: or arn:aws-us-gov:"
            )),
        },
        Rule::KubernetesHost => {
            if !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'.' | b'/' | b'-')) {
                Ok(())
            } else {
                Err("Kubernetes host may contain only letters, digits, ':', '.', '/' and '-'".into())
            }
        }
        Rule::CaCertificatePem => {
            if is_x509_pem(s) {
                Ok(())
            } else {
                Err("Invalid CA certificate: expected a PEM-encoded X.509 certificate".into())
            }
        }
        Rule::AliCloudArns => {
            let mut n = 0;
            for a in comma_items(s) {
                n += 1;
                if !is_alicloud_arn(a) {
                    return Err(format!(
                        "Invalid ARN: '{a}'. Each ARN must look like acs:ram::<16-digit account ID>:user/<name> or :role/<name>"
                    ));
                }
            }
            if n == 0 {
                Err("At least one ARN is required".into())
            } else {
                Ok(())
            }
        }
        Rule::OrganizationSlug => {
            if is_slug(s) {
                Ok(())
            } else {
                Err("Organization slug can only contain lowercase letters, numbers, and hyphens".into())
            }
        }
        Rule::LdapFilter => {
            if is_ldap_filter(s) {
                Ok(())
            } else {
                Err("Invalid LDAP search filter".into())
            }
        }
    }
}

/// The attach default of `accessTokenTTL` and `accessTokenMaxTTL`.
pub const DEFAULT_TTL: f64 = 2_592_000.0;

#[cfg(test)]
mod tests {
    use super::*;

    const CA: &str = include_str!("../tests/fixtures/ca.pem");

    #[test]
    fn oci() {
        assert!(check_rule(Rule::TenancyOcid, "ocid1.tenancy.oc1..aaaa").is_ok());
        assert!(check_rule(Rule::TenancyOcid, "ocid1.user.oc1..aaaa").is_err());
        assert!(check_rule(Rule::OciUsernames, "alice, bob@example.com,, carol.d-e_f").is_ok());
        assert!(check_rule(Rule::OciUsernames, "alice, bob smith").is_err());
        assert!(check_rule(Rule::OciUsernames, "").is_ok());
    }

    #[test]
    fn aws() {
        assert!(check_rule(Rule::AwsAccountIds, "123456789012, 210987654321").is_ok());
        assert!(check_rule(Rule::AwsAccountIds, "12345678901").is_err());
        assert!(check_rule(Rule::AwsAccountIds, "12345678901a").is_err());
        assert!(check_rule(Rule::AwsPrincipalArns, "arn:aws:iam::123456789012:role/app").is_ok());
        assert!(check_rule(
            Rule::AwsPrincipalArns,
            "arn:aws-us-gov:sts::123456789012:assumed-role/r/s"
        )
        .is_ok());
        assert!(check_rule(
            Rule::AwsPrincipalArns,
            "arn:aws-cn:iam::123456789012:role/app"
        )
        .is_err());
        assert!(check_rule(Rule::AwsPrincipalArns, "arn:aws:s3:::bucket").is_err());
        assert!(check_rule(Rule::AwsPrincipalArns, "arn:aws:iam::123456789012:").is_err());
    }

    #[test]
    fn kubernetes_host() {
        assert!(check_rule(Rule::KubernetesHost, "https://10.0.0.1:6443/api").is_ok());
        assert!(check_rule(Rule::KubernetesHost, "https://host name").is_err());
        assert!(check_rule(Rule::KubernetesHost, "https://h?x=1").is_err());
    }

    #[test]
    fn ca_certificate() {
        assert!(check_rule(Rule::CaCertificatePem, CA).is_ok());
        assert!(check_rule(
            Rule::CaCertificatePem,
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
        )
        .is_err());
        assert!(check_rule(Rule::CaCertificatePem, "hello").is_err());
        let key_label = CA.replace("CERTIFICATE", "PUBLIC KEY");
        assert!(check_rule(Rule::CaCertificatePem, &key_label).is_err());
        // What may surround or follow the certificate: text before it, a chain after it.
        let chain = format!("issued by our CA:\n{CA}{CA}");
        assert!(check_rule(Rule::CaCertificatePem, &chain).is_ok());
        // A key before the certificate: the first section must be the certificate.
        let key_first = format!("{key_label}{CA}");
        assert!(check_rule(Rule::CaCertificatePem, &key_first).is_err());
        // A certificate cut short (its last base64 line gone) does not parse.
        let mut lines: Vec<&str> = CA.lines().collect();
        lines.remove(lines.len() - 2);
        assert!(check_rule(Rule::CaCertificatePem, &lines.join("\n")).is_err());
        // CA certificates a private PKI makes: an extension of its own marked critical, and a
        // version 1 certificate (no extensions at all).
        for ca in [
            include_str!("../tests/fixtures/ca-unknown-critical-extension.pem"),
            include_str!("../tests/fixtures/ca-version-1.pem"),
        ] {
            assert!(check_rule(Rule::CaCertificatePem, ca).is_ok(), "{ca}");
        }
    }

    #[test]
    fn alicloud() {
        assert!(check_rule(
            Rule::AliCloudArns,
            "acs:ram::1234567890123456:role/app, acs:ram::1234567890123456:user/bob"
        )
        .is_ok());
        assert!(check_rule(Rule::AliCloudArns, "acs:ram::123:role/app").is_err());
        assert!(check_rule(Rule::AliCloudArns, "acs:ram::1234567890123456:group/app").is_err());
        assert!(check_rule(Rule::AliCloudArns, " , ").is_err());
    }

    #[test]
    fn slug() {
        assert!(is_slug("my-org-1"));
        assert!(!is_slug("My-Org"));
        assert!(!is_slug("-org"));
        assert!(!is_slug("a--b"));
    }

    #[test]
    fn ldap_filter() {
        for ok in [
            "(uid={{username}})",
            "uid={{username}}",
            "(&(objectClass=person)(uid={{username}}))",
            "(!(cn=a))",
            "(|(a=1)(b>=2))",
            "(cn=*)",
            "(cn=a\\2ab)",
        ] {
            assert!(is_ldap_filter(ok), "{ok}");
        }
        for bad in [
            "",
            "(",
            "(uid={{username}}",
            "((uid=a))",
            "(&)",
            "(=a)",
            "(cn~a)",
            "(cn=a(b)",
            "(cn=a\\zz)",
            "(cn=a))",
        ] {
            assert!(!is_ldap_filter(bad), "{bad}");
        }
    }
}
