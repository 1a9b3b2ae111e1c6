//! Pass `serde_by_direction`: each type of the shared types crate derives only the serde traits
//! its side of the wire uses, behind the types crate's `client` and `server` features, and its
//! `#[serde(..)]` attributes behind `serde-attrs` (docs/generator.md has the table).

use std::collections::{BTreeMap, BTreeSet};

use syn::visit::Visit;
use syn::Item;

use super::syntax::{
    attr_lists, gate_attr, reachable, serde_trait, take_derives, type_graph, type_name, TypesPaths,
};

/// The types crate's feature that a client enables.
pub const CLIENT_FEATURE: &str = "client";
/// The types crate's feature that the server stubs enable.
pub const SERVER_FEATURE: &str = "server";
/// The types crate's feature that gates the `#[serde(..)]` attributes of the gated types: on with
/// either side (a feature of its own, so that the gate is short).
pub const ATTRS_FEATURE: &str = "serde-attrs";

/// Which way the values of a type travel.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Direction {
    /// Reachable from a request (client writes, server reads).
    pub request: bool,
    /// Reachable from an answer (server writes, client reads).
    pub response: bool,
    /// Derives both traits whatever the features (see the module docs).
    pub always: bool,
}

/// The types a progenitor client (before `route_through_runtime`) puts in requests and reads
/// from answers: the names after `types::` (or `types::builder::`) in the operation builders'
/// fields, and in their `send`s' return types (the answer and the error body).
pub fn client_roots(client: &syn::File) -> (BTreeSet<String>, BTreeSet<String>) {
    let (mut requests, mut responses) = (TypesPaths::default(), TypesPaths::default());
    let builders = client.items.iter().find_map(|item| match item {
        Item::Mod(m) if m.ident == "builder" => m.content.as_ref().map(|(_, items)| items),
        _ => None,
    });
    for item in builders.into_iter().flatten() {
        match item {
            Item::Struct(s) => s.fields.iter().for_each(|f| requests.visit_type(&f.ty)),
            Item::Impl(imp) => imp.items.iter().for_each(|f| match f {
                syn::ImplItem::Fn(f) if f.sig.ident == "send" => {
                    responses.visit_return_type(&f.sig.output)
                }
                _ => {}
            }),
            _ => {}
        }
    }
    let names = |p: TypesPaths| p.plain.into_iter().chain(p.builders).collect();
    (names(requests), names(responses))
}

/// Each top-level struct and enum of `types` with its [`Direction`]: reachable from `requests`,
/// from `responses`, or (`always`) from `both_ways` or from neither. Names of the roots that are
/// not types reach nothing ([`serde_by_direction`] refuses such a `both_ways` name).
pub fn directions(
    types: &syn::File,
    requests: &BTreeSet<String>,
    responses: &BTreeSet<String>,
    both_ways: &BTreeSet<String>,
) -> BTreeMap<String, Direction> {
    let graph = type_graph(types);
    let from_requests = reachable(&graph, requests);
    let from_responses = reachable(&graph, responses);
    let mut always_roots: BTreeSet<String> = both_ways.clone();
    always_roots.extend(
        graph
            .keys()
            .filter(|n| !from_requests.contains(*n) && !from_responses.contains(*n))
            .cloned(),
    );
    let always = reachable(&graph, &always_roots);
    graph
        .keys()
        .map(|name| {
            let direction = Direction {
                request: from_requests.contains(name),
                response: from_responses.contains(name),
                always: always.contains(name),
            };
            (name.clone(), direction)
        })
        .collect()
}

/// Pass `serde_by_direction` (see the module docs): replaces the serde derives of every
/// top-level struct and enum of `types` by derives gated by the `client` and `server` features,
/// per the [`directions`] `client`'s builders give it, and gates its `#[serde(..)]` attributes by
/// `serde-attrs`. A `both_ways` name that is no type is refused. Returns the types gated.
pub fn serde_by_direction(
    types: &mut syn::File,
    client: &syn::File,
    both_ways: &BTreeSet<String>,
) -> Result<usize, String> {
    let (requests, responses) = client_roots(client);
    let directions = directions(types, &requests, &responses, both_ways);
    let stale: Vec<&str> = both_ways
        .iter()
        .filter(|name| !directions.contains_key(*name))
        .map(String::as_str)
        .collect();
    if !stale.is_empty() {
        return Err(format!(
            "openapi/codegen.toml: serde_both_ways names {}, which the document no longer generates",
            stale.join(", ")
        ));
    }
    let mut count = 0;
    let attrs_cfg = cfg_of(&[ATTRS_FEATURE]);
    for item in &mut types.items {
        let Some(name) = type_name(item) else {
            continue;
        };
        let direction = directions.get(&name).copied().unwrap_or_default();
        let mut lists = attr_lists(item);
        let gated = direction.request || direction.response;
        if direction.always || !gated || !gate_derives(&mut *lists[0], direction) {
            continue;
        }
        count += 1;
        for attr in lists.iter_mut().flat_map(|attrs| attrs.iter_mut()) {
            gate_attr(attr, "serde", &attrs_cfg);
        }
    }
    Ok(count)
}

/// `feature = "x"`, or `any(..)` of several.
fn cfg_of(features: &[&str]) -> proc_macro2::TokenStream {
    match features {
        [one] => quote::quote! { feature = #one },
        many => quote::quote! { any(#(feature = #many),*) },
    }
}

/// Takes `Serialize` and `Deserialize` out of the `#[derive(..)]`s of `attrs` and adds them back
/// behind the features `direction` needs them under. Returns whether there was a serde derive.
fn gate_derives(attrs: &mut Vec<syn::Attribute>, direction: Direction) -> bool {
    let Some((index, _)) = take_derives(attrs, |p| serde_trait(p).is_some()) else {
        return false;
    };
    // Serialize: the writer's side; Deserialize: the reader's.
    let mut writes = Vec::new();
    let mut reads = Vec::new();
    if direction.request {
        writes.push(CLIENT_FEATURE);
        reads.push(SERVER_FEATURE);
    }
    if direction.response {
        writes.push(SERVER_FEATURE);
        reads.push(CLIENT_FEATURE);
    }
    writes.sort_unstable();
    reads.sort_unstable();
    let (ser, de) = (cfg_of(&writes), cfg_of(&reads));
    let gated: Vec<syn::Attribute> = if writes == reads {
        vec![
            syn::parse_quote! { #[cfg_attr(#ser, derive(::serde::Deserialize, ::serde::Serialize))] },
        ]
    } else {
        vec![
            syn::parse_quote! { #[cfg_attr(#ser, derive(::serde::Serialize))] },
            syn::parse_quote! { #[cfg_attr(#de, derive(::serde::Deserialize))] },
        ]
    };
    attrs.splice(index..index, gated);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> BTreeSet<String> {
        list.iter().map(|n| n.to_string()).collect()
    }

    fn file() -> syn::File {
        syn::parse_quote! {
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
            #[serde(deny_unknown_fields)]
            pub struct AttachBody {
                #[serde(rename = "trustedIps")]
                pub trusted_ips: Vec<TrustedIpEntry>,
                pub mode: Mode,
            }
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone)]
            pub struct TrustedIpEntry { pub ip_address: String }
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Copy)]
            pub enum Mode { #[serde(rename = "api")] Api }
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
            pub struct AttachResponse { pub mode: Mode, pub record: TrustedIpRecord }
            #[derive(::serde::Deserialize, ::serde::Serialize)]
            pub struct TrustedIpRecord { pub ip_address: String }
            #[derive(::serde::Deserialize, ::serde::Serialize)]
            pub struct ErrorResponse { pub issues: Vec<Issue> }
            #[derive(::serde::Deserialize, ::serde::Serialize)]
            pub struct Issue { pub message: String }
            #[derive(::serde::Deserialize, ::serde::Serialize)]
            pub struct Unused { pub record: TrustedIpRecord }
            pub mod builder {
                #[derive(Clone, Debug)]
                pub struct AttachBody { mode: Result<super::Mode, String> }
            }
        }
    }

    /// A progenitor client whose one builder holds `requests` and whose sends answer `responses`.
    fn client(requests: &[&str], responses: &[&str]) -> syn::File {
        let fields = (0..requests.len()).map(|i| quote::format_ident!("f{i}"));
        let requests = requests.iter().map(|n| crate::postprocess::ident(n));
        let responses = responses.iter().map(|n| crate::postprocess::ident(n));
        syn::parse_quote! {
            pub mod builder {
                pub struct Op { #(#fields: Result<types::#requests, String>,)* }
                impl Op { #(pub async fn send(self) -> Result<ResponseValue<types::#responses>, ()> { todo!() })* }
            }
        }
    }

    #[test]
    fn roots_are_read_from_the_builders_fields_and_sends() {
        let client: syn::File = syn::parse_quote! {
            pub mod builder {
                use super::types;
                pub struct Attach<'a> {
                    client: &'a super::Client,
                    id: Result<types::IdentityId, String>,
                    body: Result<types::builder::AttachBody, String>,
                }
                impl<'a> Attach<'a> {
                    pub async fn send(self) -> Result<ResponseValue<::std::vec::Vec<types::AttachResponse>>, Error<types::ErrorResponse>> {
                        let body = types::AttachBody::try_from(body);
                        todo!()
                    }
                }
            }
        };
        let (requests, responses) = client_roots(&client);
        assert_eq!(requests, names(&["AttachBody", "IdentityId"]));
        assert_eq!(responses, names(&["AttachResponse", "ErrorResponse"]));
    }

    #[test]
    fn each_type_gets_the_direction_its_references_give_it() {
        let found = directions(
            &file(),
            &names(&["AttachBody"]),
            &names(&["AttachResponse", "ErrorResponse"]),
            &names(&["ErrorResponse", "NotAType"]),
        );
        let of = |n: &str| found[n];
        let dir = |request, response, always| Direction {
            request,
            response,
            always,
        };
        assert_eq!(of("AttachBody"), dir(true, false, false));
        assert_eq!(of("TrustedIpEntry"), dir(true, false, false));
        assert_eq!(of("Mode"), dir(true, true, false));
        assert_eq!(of("AttachResponse"), dir(false, true, false));
        // Reached from an answer and from a type no operation reaches.
        assert_eq!(of("TrustedIpRecord"), dir(false, true, true));
        assert_eq!(of("ErrorResponse"), dir(false, true, true));
        assert_eq!(of("Issue"), dir(false, true, true));
        assert_eq!(of("Unused"), dir(false, false, true));
        assert!(!found.contains_key("builder"));
    }

    #[test]
    fn derives_and_serde_attributes_are_gated_by_direction() {
        let mut types = file();
        let client = client(&["AttachBody"], &["AttachResponse", "ErrorResponse"]);
        let gated = serde_by_direction(&mut types, &client, &names(&["ErrorResponse"]));
        // Requests AttachBody and TrustedIpEntry, the answer AttachResponse, Mode both ways.
        assert_eq!(gated, Ok(4));
        let text = prettyplease::unparse(&types);
        for expected in [
            // A request: the client writes it, the server reads it.
            "#[derive(Clone, Debug)]\n#[cfg_attr(feature = \"client\", derive(::serde::Serialize))]\n#[cfg_attr(feature = \"server\", derive(::serde::Deserialize))]\n#[cfg_attr(feature = \"serde-attrs\", serde(deny_unknown_fields))]\npub struct AttachBody {\n    #[cfg_attr(feature = \"serde-attrs\", serde(rename = \"trustedIps\"))]",
            "#[derive(Clone)]\n#[cfg_attr(feature = \"client\", derive(::serde::Serialize))]\n#[cfg_attr(feature = \"server\", derive(::serde::Deserialize))]\npub struct TrustedIpEntry",
            // Both ways: both derives behind either feature.
            "#[derive(Clone, Copy)]\n#[cfg_attr(\n    any(feature = \"client\", feature = \"server\"),\n    derive(::serde::Deserialize, ::serde::Serialize)\n)]\npub enum Mode {\n    #[cfg_attr(feature = \"serde-attrs\", serde(rename = \"api\"))]",
            // An answer: the server writes it, the client reads it.
            "#[derive(Clone, Debug)]\n#[cfg_attr(feature = \"server\", derive(::serde::Serialize))]\n#[cfg_attr(feature = \"client\", derive(::serde::Deserialize))]\npub struct AttachResponse",
            // Always both, unconditionally (no empty derive left behind either).
            "#[derive(::serde::Deserialize, ::serde::Serialize)]\npub struct ErrorResponse",
            "#[derive(::serde::Deserialize, ::serde::Serialize)]\npub struct TrustedIpRecord",
            "#[derive(::serde::Deserialize, ::serde::Serialize)]\npub struct Unused",
            // Builders are left alone.
            "    #[derive(Clone, Debug)]\n    pub struct AttachBody {",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in\n{text}");
        }
        assert!(!text.contains("#[derive()]"), "{text}");
    }

    #[test]
    fn a_both_ways_name_that_is_no_type_is_reported() {
        let mut types = file();
        let client = client(&[], &[]);
        assert!(
            serde_by_direction(&mut types.clone(), &client, &names(&["ErrorResponse"])).is_ok()
        );
        let refused =
            serde_by_direction(&mut types, &client, &names(&["ErrorResponse", "ErrorBody"]));
        assert!(refused
            .unwrap_err()
            .contains("serde_both_ways names ErrorBody,"));
    }

    #[test]
    fn a_type_whose_only_derives_are_serde_keeps_no_empty_derive() {
        let mut types: syn::File = syn::parse_quote! {
            #[derive(::serde::Deserialize, ::serde::Serialize)]
            pub struct Body { pub a: String }
        };
        serde_by_direction(&mut types, &client(&["Body"], &[]), &BTreeSet::new()).unwrap();
        let text = prettyplease::unparse(&types);
        assert_eq!(
            text,
            "#[cfg_attr(feature = \"client\", derive(::serde::Serialize))]\n#[cfg_attr(feature = \"server\", derive(::serde::Deserialize))]\npub struct Body {\n    pub a: String,\n}\n"
        );
    }
}
