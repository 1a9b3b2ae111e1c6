//! TLS certificate auth: the client certificate, passed on by the TLS-terminating proxy in a
//! request header as URL-encoded PEM, verified against the configuration's `caCertificate`, its
//! validity dates and `allowedCommonNames`.
//!
//! The order and the messages are Infisical's (docs/infisical-behaviour.md, "Verified logins"):
//!
//! 1. no header: 400 `Missing TLS certificate in header`; a header holding no readable
//!    certificate: 400 `Missing client certificate` (the first certificate is the client's);
//! 2. issued by the CA (the certificate's issuer is the CA's subject and the CA's key verifies its
//!    signature; with several certificates in `caCertificate`, any of them): else 401
//!    `Access denied: Certificate not issued by the provided CA.`;
//! 3. past its `notAfter`: 401 `Access denied: Certificate has expired.`; before its `notBefore`:
//!    401 `Access denied: Certificate not yet valid.`;
//! 4. `allowedCommonNames` (comma list, exact): the subject's CN not in it: 401
//!    `Access denied: TLS Certificate Auth common name not allowed.`

use std::time::{SystemTime, UNIX_EPOCH};

use x509_parser::certificate::X509Certificate;
use x509_parser::pem::Pem;

use super::{comma_list, LoginFailure, VerifiedIdentity};
use infisical_auth_server::types;

/// The header Infisical reads the client certificate from unless configured otherwise
/// (`IDENTITY_TLS_CERT_AUTH_CLIENT_CERTIFICATE_HEADER_KEY`).
pub const DEFAULT_CLIENT_CERTIFICATE_HEADER: &str = "x-identity-tls-cert-auth-client-cert";

/// What TLS certificate auth checks, from its configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct TlsCertSettings {
    /// PEM: the CA (or CAs) that issue client certificates.
    pub ca_certificate: String,
    /// Comma list of allowed subject common names; `None` or empty: any.
    pub allowed_common_names: Option<String>,
}

impl From<&types::AttachTlsCertAuthBody> for TlsCertSettings {
    fn from(body: &types::AttachTlsCertAuthBody) -> Self {
        Self {
            ca_certificate: body.ca_certificate.to_string(),
            allowed_common_names: body
                .allowed_common_names
                .as_ref()
                .map(|names| names.to_string()),
        }
    }
}

impl From<&types::GetTlsCertAuthResponseIdentityTlsCertAuth> for TlsCertSettings {
    fn from(stored: &types::GetTlsCertAuthResponseIdentityTlsCertAuth) -> Self {
        Self {
            ca_certificate: stored.ca_certificate.clone(),
            allowed_common_names: stored.allowed_common_names.clone(),
        }
    }
}

fn not_issued() -> LoginFailure {
    LoginFailure::unauthorized("Access denied: Certificate not issued by the provided CA.")
}

/// The DER of each certificate in a PEM text.
fn certificates(pem: &[u8]) -> Vec<Vec<u8>> {
    Pem::iter_from_buffer(pem)
        .map_while(Result::ok)
        .filter(|block| block.label == "CERTIFICATE")
        .map(|block| block.contents)
        .collect()
}

/// Verifies a TLS-certificate-auth login: `header` is the value of the client-certificate header
/// (`None` when the request has none).
pub fn verify(
    settings: &TlsCertSettings,
    header: Option<&str>,
) -> Result<VerifiedIdentity, LoginFailure> {
    let Some(header) = header.filter(|value| !value.is_empty()) else {
        return Err(LoginFailure::bad_request(
            "Missing TLS certificate in header",
        ));
    };
    let missing = || LoginFailure::bad_request("Missing client certificate");
    let decoded = percent_encoding::percent_decode_str(header)
        .decode_utf8()
        .map_err(|_| missing())?;
    let chain = certificates(decoded.as_bytes());
    let leaf_der = chain.first().ok_or_else(missing)?;
    let (_, leaf) = x509_parser::parse_x509_certificate(leaf_der).map_err(|_| missing())?;

    let cas = certificates(settings.ca_certificate.as_bytes());
    let issued = cas.iter().any(|ca_der| {
        x509_parser::parse_x509_certificate(ca_der).is_ok_and(|(_, ca)| issued_by(&leaf, &ca))
    });
    if !issued {
        return Err(not_issued());
    }

    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    if leaf.validity().not_after.timestamp() < now {
        return Err(LoginFailure::unauthorized(
            "Access denied: Certificate has expired.",
        ));
    }
    if leaf.validity().not_before.timestamp() > now {
        return Err(LoginFailure::unauthorized(
            "Access denied: Certificate not yet valid.",
        ));
    }

    let common_name = leaf
        .subject()
        .iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok())
        .map(str::to_owned);
    if let Some(allowed) = settings
        .allowed_common_names
        .as_deref()
        .filter(|names| !names.trim().is_empty())
    {
        let permitted = common_name
            .as_deref()
            .is_some_and(|cn| comma_list(allowed).any(|name| name == cn));
        if !permitted {
            return Err(LoginFailure::unauthorized(
                "Access denied: TLS Certificate Auth common name not allowed.",
            ));
        }
    }
    Ok(VerifiedIdentity::TlsCert {
        subject: leaf.subject().to_string(),
        common_name,
    })
}

/// Whether `ca` issued `leaf`: names chain and the CA's key verifies the signature.
fn issued_by(leaf: &X509Certificate<'_>, ca: &X509Certificate<'_>) -> bool {
    leaf.issuer().as_raw() == ca.subject().as_raw()
        && leaf.verify_signature(Some(ca.public_key())).is_ok()
}
