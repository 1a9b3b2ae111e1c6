//! API-surface snapshots, one per auth method, derived from the fixed-up spec. On a spec update
//! these fail with a readable diff of what changed in the API; review with `cargo insta review`.

use workspace_tests::fixed_spec;
use xtask::surface;

/// The auth methods (tags) and their snapshot names. A tag added or removed upstream fails
/// `every_tag_has_a_snapshot`.
const TAGS: [(&str, &str); 13] = [
    ("Alibaba Cloud Auth", "alicloud_auth"),
    ("AWS Auth", "aws_auth"),
    ("Azure Auth", "azure_auth"),
    ("GCP Auth", "gcp_auth"),
    ("JWT Auth", "jwt_auth"),
    ("Kubernetes Auth", "kubernetes_auth"),
    ("LDAP Auth", "ldap_auth"),
    ("OCI Auth", "oci_auth"),
    ("OIDC Auth", "oidc_auth"),
    ("SPIFFE Auth", "spiffe_auth"),
    ("TLS Certificate Auth", "tls_cert_auth"),
    ("Token Auth", "token_auth"),
    ("Universal Auth", "universal_auth"),
];

#[test]
fn every_tag_has_a_snapshot() {
    let mut expected: Vec<&str> = TAGS.iter().map(|(tag, _)| *tag).collect();
    expected.sort();
    assert_eq!(
        surface::groups(&fixed_spec()),
        expected,
        "the spec's auth methods changed: update TAGS"
    );
}

fn check(tag: &str) {
    let (_, name) = TAGS.iter().find(|(t, _)| *t == tag).expect("listed tag");
    let page = surface::render_group(&fixed_spec(), tag);
    insta::assert_snapshot!(*name, page);
}

macro_rules! surface_tests {
    ($($test:ident => $tag:literal),* $(,)?) => {
        $( #[test] fn $test() { check($tag); } )*
    };
}

surface_tests! {
    surface_alicloud_auth => "Alibaba Cloud Auth",
    surface_aws_auth => "AWS Auth",
    surface_azure_auth => "Azure Auth",
    surface_gcp_auth => "GCP Auth",
    surface_jwt_auth => "JWT Auth",
    surface_kubernetes_auth => "Kubernetes Auth",
    surface_ldap_auth => "LDAP Auth",
    surface_oci_auth => "OCI Auth",
    surface_oidc_auth => "OIDC Auth",
    surface_spiffe_auth => "SPIFFE Auth",
    surface_tls_cert_auth => "TLS Certificate Auth",
    surface_token_auth => "Token Auth",
    surface_universal_auth => "Universal Auth",
}

#[test]
fn the_surface_lists_every_operation() {
    let spec = fixed_spec();
    let total: usize = TAGS
        .iter()
        .map(|(tag, _)| surface::render_group(&spec, tag).matches("\n## ").count())
        .sum();
    assert_eq!(total, xtask::document::ops::operations(&spec).len());
}

/// The spec's OpenAPI 3.1 twin (`nullable` as `"null"` types, `const`, numeric exclusive bounds)
/// has the same surface, page for page: the snapshots hold for both forms.
#[test]
fn the_31_twin_has_the_same_surface() {
    let twin = xtask::document::openapi31_twin::as_openapi_31(&workspace_tests::spec().doc);
    let twin = xtask::pipeline::fixed_document(&twin, &workspace_tests::config())
        .expect("the 3.1 twin generates");
    let spec = fixed_spec();
    assert_eq!(surface::groups(&twin), surface::groups(&spec));
    for (tag, _) in TAGS {
        assert_eq!(
            surface::render_group(&twin, tag),
            surface::render_group(&spec, tag),
            "{tag}"
        );
    }
}
