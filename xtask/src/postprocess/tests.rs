//! Tests of the post-processing passes, each on a small syntax tree shaped as progenitor and
//! typify write it.

use std::collections::{BTreeMap, BTreeSet};

use quote::quote;
use syn::Item;

use super::bodies::*;
use super::docs::*;
use super::secrets::*;
use super::sends::*;
use super::serde_attrs::*;
use super::syntax::*;

#[test]
fn fields_held_in_the_secret_type_find_it_imported() {
    let mut file: syn::File = syn::parse_quote! {
        #[derive(Clone, Debug)]
        pub struct LoginBody {
            pub client_id: ::std::string::String,
            pub client_secret: Secret,
            pub password: ::std::option::Option<Secret>,
        }
    };
    assert_eq!(secret_types(&mut file, "Secret"), 2);
    let text = prettyplease::unparse(&file);
    assert!(text.starts_with("use crate::Secret;\n"), "{text}");
    // The type itself is hand-written (the types crate's `secret` module), never generated.
    assert!(!text.contains("struct Secret"), "{text}");
}

#[test]
fn camel_case_wire_names_move_to_one_rename_all_and_the_others_stay() {
    let mut file: syn::File = syn::parse_quote! {
        #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
        #[serde(deny_unknown_fields)]
        pub struct Body {
            #[serde(rename = "accessTokenMaxTTL", default)]
            pub access_token_max_ttl: i64,
            #[serde(rename = "accessTokenTtl", default)]
            pub access_token_ttl: i64,
            #[serde(rename = "identityId")]
            pub identity_id: String,
            #[serde(rename = "type")]
            pub type_: String,
            pub snake_case: String,
            pub r#static: bool,
        }
        #[derive(::serde::Deserialize, ::serde::Serialize)]
        pub struct OneUnderscore {
            pub snake_case: String,
            #[serde(rename = "aB")]
            pub a_b: String,
        }
        #[derive(::serde::Deserialize, ::serde::Serialize)]
        #[serde(tag = "kind")]
        pub enum Mode {
            #[serde(rename = "api")]
            Api,
            #[serde(rename = "gateWay")]
            GateWay { #[serde(rename = "hostName")] host_name: String },
        }
        #[derive(Clone)]
        pub struct NoSerde { #[doc = "x"] pub a_b: String }
    };
    // 3 in `Body` less the one `snake_case` needs, 2 variants and 1 field of `Mode`.
    assert_eq!(camel_case_renames(&mut file), 5);
    let text = prettyplease::unparse(&file);
    for expected in [
        "#[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]\n#[serde(rename_all = \"camelCase\")]\n#[serde(deny_unknown_fields)]\npub struct Body {\n    #[serde(rename = \"accessTokenMaxTTL\", default)]\n    pub access_token_max_ttl: i64,\n    #[serde(default)]\n    pub access_token_ttl: i64,\n    pub identity_id: String,\n    pub type_: String,\n    #[serde(rename = \"snake_case\")]\n    pub snake_case: String,\n    pub r#static: bool,\n}",
        // One rename out, one in: left alone.
        "pub struct OneUnderscore {\n    pub snake_case: String,\n    #[serde(rename = \"aB\")]",
        "#[serde(rename_all = \"camelCase\")]\n#[serde(tag = \"kind\")]\npub enum Mode {\n    Api,\n    #[serde(rename_all = \"camelCase\")]\n    GateWay { host_name: String },",
        "pub struct NoSerde {",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    for (rust, wire) in [
        ("access_token_max_ttl", "accessTokenMaxTtl"),
        ("type_", "type"),
        ("a__b", "aB"),
        ("x509_cert", "x509Cert"),
        ("", ""),
    ] {
        assert_eq!(serde_camel_case(rust), wire);
    }
}

#[test]
fn serde_attributes_are_split_and_shortened_to_fit_on_a_line() {
    let mut file: syn::File = syn::parse_quote! {
        pub struct Body {
            #[cfg_attr(feature = "serde-attrs", serde(rename = "accessTokenMaxTTL", default = "defaults::default_u64::<i64, 2592000>"))]
            pub access_token_max_ttl: i64,
            #[cfg_attr(feature = "serde-attrs", serde(skip_serializing_if = "::std::option::Option::is_none"))]
            pub name: ::std::option::Option<String>,
            #[serde(default, skip_serializing_if = ":: std :: collections :: HashMap::is_empty")]
            pub map: ::std::collections::HashMap<String, String>,
            #[cfg_attr(feature = "serde-attrs", serde(default))]
            pub short: u64,
            #[cfg_attr(feature = "schemars", schemars(with = "String"))]
            pub other: String,
        }
    };
    assert_eq!(one_line_serde_attrs(&mut file), 3);
    let text = prettyplease::unparse(&file);
    for expected in [
        "    #[cfg_attr(feature = \"serde-attrs\", serde(rename = \"accessTokenMaxTTL\"))]\n    #[cfg_attr(\n        feature = \"serde-attrs\",\n        serde(default = \"defaults::default_u64::<i64, 2592000>\")\n    )]\n    pub access_token_max_ttl: i64,",
        "    #[cfg_attr(feature = \"serde-attrs\", serde(skip_serializing_if = \"Option::is_none\"))]\n    pub name:",
        "    #[serde(default, skip_serializing_if = \"::std::collections::HashMap::is_empty\")]\n    pub map:",
        "    #[cfg_attr(feature = \"serde-attrs\", serde(default))]\n    pub short: u64,",
        "    #[cfg_attr(feature = \"schemars\", schemars(with = \"String\"))]\n    pub other: String,",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    // A type of the document named `Option` keeps the full paths.
    let mut shadowed: syn::File = syn::parse_quote! {
        pub struct Option;
        pub struct Body {
            #[serde(skip_serializing_if = "::std::option::Option::is_none")]
            pub name: ::std::option::Option<String>,
        }
    };
    assert_eq!(one_line_serde_attrs(&mut shadowed), 0);
}

#[test]
fn default_functions_are_named_after_their_field() {
    let mut file: syn::File = syn::parse_quote! {
        pub struct A {
            #[serde(rename = "trustedIps", default = "defaults::a_trusted_ips")]
            pub trusted_ips: Vec<String>,
            #[serde(default = "defaults::default_u64::<i64, 2592000>")]
            pub ttl: i64,
        }
        impl ::std::default::Default for A {
            fn default() -> Self {
                Self {
                    trusted_ips: defaults::a_trusted_ips(),
                    ttl: defaults::default_u64::<i64, 2592000>(),
                }
            }
        }
        pub struct B {
            #[serde(default = "defaults::b_trusted_ips")]
            pub trusted_ips: Vec<String>,
            #[serde(default = "defaults::b_ttl")]
            pub ttl: f64,
        }
        pub mod defaults {
            pub(super) fn default_u64<T, const V: u64>() -> T { todo!() }
            pub(super) fn a_trusted_ips() -> Vec<String> { vec!["0.0.0.0/0".to_string()] }
            pub(super) fn b_trusted_ips() -> Vec<String> { vec!["0.0.0.0/0".to_string()] }
            pub(super) fn b_ttl() -> f64 { 7200_f64 }
        }
    };
    // Both `trusted_ips`; `ttl` has two defaults, one field each: the first is named.
    assert_eq!(short_default_names(&mut file), 3);
    let text = prettyplease::unparse(&file);
    for expected in [
        "#[serde(rename = \"trustedIps\", default = \"defaults::trusted_ips\")]",
        "#[serde(default = \"defaults::ttl\")]\n    pub ttl: i64,",
        "#[serde(default = \"defaults::b_ttl\")]",
        "trusted_ips: defaults::trusted_ips(),\n            ttl: defaults::ttl(),",
        "pub(super) fn trusted_ips() -> Vec<String> {",
        "pub(super) fn ttl() -> i64 {\n        default_u64::<i64, 2592000>()",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    assert!(
        !text.contains("a_trusted_ips") && !text.contains("b_trusted_ips"),
        "{text}"
    );
}

#[test]
fn string_setters_take_into_string() {
    let mut client: syn::File = syn::parse_quote! {
        pub mod builder {
            impl<'a> GetA<'a> {
                #[doc = "Sets `identity_id`."]
                pub fn identity_id<V>(mut self, value: V) -> Self
                where
                    V: std::convert::TryInto<::std::string::String>,
                {
                    self.identity_id = value
                        .try_into()
                        .map_err(|_| "conversion to `String` for identity_id failed".to_string());
                    self
                }
                pub fn user_agent<V>(mut self, value: V) -> Self
                where
                    V: std::convert::TryInto<::std::string::String>,
                {
                    self.user_agent = value
                        .try_into()
                        .map(Some)
                        .map_err(|_| "conversion failed".to_string());
                    self
                }
                pub fn body<V>(mut self, value: V) -> Self
                where
                    V: std::convert::TryInto<types::Body>,
                {
                    self.body = value.try_into().map_err(|_| "conversion failed".to_string());
                    self
                }
            }
        }
    };
    assert_eq!(string_setters(&mut client), 2);
    let text = prettyplease::unparse(&client);
    assert!(
        text.contains("self.user_agent = Ok(Some(value.into()));"),
        "{text}"
    );
    let text = prettyplease::unparse(&client);
    assert!(
        text.contains("        ///Sets `identity_id`.\n        pub fn identity_id(mut self, value: impl Into<String>) -> Self {\n            self.identity_id = Ok(value.into());\n            self\n        }"),
        "{text}"
    );
    assert!(
        text.contains("V: std::convert::TryInto<types::Body>,"),
        "{text}"
    );
}

#[test]
fn timestamps_are_written_with_milliseconds_by_the_hand_written_module() {
    let mut file: syn::File = syn::parse_quote! {
        #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
        pub struct Answer {
            #[serde(rename = "createdAt")]
            pub created_at: ::chrono::DateTime<::chrono::offset::Utc>,
            pub last_used_at: ::std::option::Option<::chrono::DateTime<::chrono::offset::Utc>>,
            pub name: ::std::string::String,
        }
        #[derive(Clone, Debug)]
        pub struct NotSerialized {
            pub at: ::chrono::DateTime<::chrono::offset::Utc>,
        }
    };
    assert_eq!(js_timestamps(&mut file), 2);
    let text = prettyplease::unparse(&file);
    for expected in [
        "#[serde(rename = \"createdAt\", serialize_with = \"crate::js_timestamp::write\")]\n    pub created_at",
        "#[serde(serialize_with = \"crate::js_timestamp::write_option\")]\n    pub last_used_at",
    ] {
        assert!(text.contains(expected), "{expected} in\n{text}");
    }
    assert_eq!(text.matches("serialize_with").count(), 2, "{text}");

    let mut none: syn::File = syn::parse_quote! { pub struct A { pub n: f64 } };
    assert_eq!(js_timestamps(&mut none), 0);
    assert!(none.items.len() == 1, "nothing added without a timestamp");
}

#[test]
fn the_secret_type_is_imported_under_the_name_the_generate_stage_chose() {
    let mut file: syn::File = syn::parse_quote! {
        /// A secret of Infisical's secret manager: a schema of the document.
        pub struct Secret { pub key: ::std::string::String }
        pub struct LoginBody { pub jwt: RedactedSecret }
    };
    assert_eq!(secret_types(&mut file, "RedactedSecret"), 1);
    let text = prettyplease::unparse(&file);
    assert!(
        text.starts_with("use crate::Secret as RedactedSecret;\n"),
        "{text}"
    );
}

#[test]
fn without_secret_fields_nothing_is_imported() {
    let mut file: syn::File = syn::parse_quote! {
        pub struct Body { pub ttl: i64, pub client_secret: ::std::string::String }
    };
    assert_eq!(secret_types(&mut file, "Secret"), 0);
    assert_eq!(file.items.len(), 1);
}

/// A builder `send` as progenitor writes it.
fn progenitor_send(with_body: bool) -> syn::File {
    let extra_headers = quote!();
    let body_stmt = with_body.then(|| {
        quote! {
            let body = body.and_then(|v| types::Body::try_from(v).map_err(|e| e.to_string()))
                .map_err(Error::InvalidRequest)?;
        }
    });
    let json = with_body.then(|| quote!(.json(&body)));
    syn::parse_quote! {
        pub mod builder {
            impl<'a> ListTokens<'a> {
                pub async fn send(self) -> Result<ResponseValue<types::Tokens>, Error<types::ErrorResponse>> {
                    let Self { client, identity_id, limit, body } = self;
                    let identity_id = identity_id.map_err(Error::InvalidRequest)?;
                    let limit = limit.map_err(Error::InvalidRequest)?;
                    #body_stmt
                    let url = format!("{}/tokens/{}", client.baseurl, encode_path(&identity_id.to_string()));
                    let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
                    header_map.append(
                        ::reqwest::header::HeaderName::from_static("api-version"),
                        ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
                    );
                    #extra_headers
                    let mut request = client.client.get(url)
                        .query(&progenitor_client::QueryParam::new("limit", &limit))
                        #json
                        .headers(header_map)
                        .build()?;
                    let info = OperationInfo { operation_id: "list_tokens" };
                    client.pre(&mut request, &info).await?;
                    let result = client.exec(request, &info).await;
                    client.post(&result, &info).await?;
                    let response = result?;
                    ResponseValue::from_response(response).await
                }
            }
        }
        pub struct Client { pub(crate) baseurl: String, pub(crate) client: reqwest::Client }
        impl Client {
            pub fn new_with_client(baseurl: &str, client: reqwest::Client) -> Self {
                Self { baseurl: baseurl.to_string(), client }
            }
        }
    }
}

/// The routes of one operation `listTokens` of a document (builder `ListTokens`), with a
/// body of `media` if given and header parameters `headers`.
fn routes(media: Option<&str>, headers: &[&str]) -> Result<BTreeMap<String, Route>, String> {
    let mut parameters = vec![
        serde_json::json!({"in": "query", "name": "limit", "schema": {"type": "integer"}}),
        serde_json::json!({"in": "path", "name": "identityId", "required": true, "schema": {"type": "string"}}),
    ];
    parameters.extend(headers.iter().map(
        |name| serde_json::json!({"in": "header", "name": name, "schema": {"type": "string"}}),
    ));
    let mut op = serde_json::json!({"operationId": "listTokens", "parameters": parameters});
    if let Some(media) = media {
        op["requestBody"] = serde_json::json!({"content": {media: {"schema": {"type": "object"}}}});
    }
    let doc = serde_json::json!({"paths": {"/tokens/{identityId}": {"post": op}}});
    let ops = crate::document::ops::operations(&doc);
    Ok(BTreeMap::from([(
        "ListTokens".to_string(),
        Route::of(&ops[0])?,
    )]))
}

#[test]
fn sends_go_through_the_runtime_with_the_values_the_document_declares() {
    let mut file = progenitor_send(true);
    let routes = routes(Some("application/json"), &[]).unwrap();
    route_through_runtime(&mut file, &routes).expect("routed");
    let text = prettyplease::unparse(&file).replace(char::is_whitespace, "");
    for expected in [
        "->Result<ResponseValue<types::Tokens>,crate::Error>",
        "crate::runtime::Request::new(\"listTokens\").path(self.identity_id).query(\"limit\",self.limit).json(self.body).send(self.client).await",
        "pub(crate)runtime:crate::runtime::Runtime",
        "runtime:::std::default::Default::default()",
    ] {
        assert!(text.contains(expected), "{expected} in\n{text}");
    }
    // The request is built by the runtime; progenitor's hooks are no longer called.
    for gone in [
        "client.pre(",
        "client.exec(",
        "letmutrequest",
        "leturl",
        "header_map",
    ] {
        assert!(!text.contains(gone), "{gone} in\n{text}");
    }
    // A builder the document does not know is an error, not a send left as it was.
    let mut file = progenitor_send(true);
    let err = route_through_runtime(&mut file, &BTreeMap::new()).unwrap_err();
    assert!(err.contains("ListTokens"), "{err}");
}

#[test]
fn client_new_installs_the_crypto_provider_first() {
    let mut file = progenitor_send(false);
    if let syn::Item::Impl(imp) = file.items.last_mut().expect("impl Client") {
        imp.items.push(syn::parse_quote! {
            pub fn new(baseurl: &str) -> Self {
                let client = reqwest::ClientBuilder::new();
                Self::new_with_client(baseurl, client.build().unwrap())
            }
        });
    }
    assert_eq!(crypto_provider_in_new(&mut file), 1);
    let text = prettyplease::unparse(&file).replace(char::is_whitespace, "");
    assert!(
        text.contains(
            "pubfnnew(baseurl:&str)->Self{crate::tls::ensure_crypto_provider();letclient"
        ),
        "{text}"
    );
    // Only the constructor: `new_with_client` takes a client already built.
    assert_eq!(text.matches("ensure_crypto_provider").count(), 1, "{text}");
}

#[test]
fn header_parameters_are_typed_values_too() {
    let mut file = progenitor_send(false);
    let routes = routes(None, &["x-trace", "x-request-id"]).unwrap();
    route_through_runtime(&mut file, &routes).expect("routed");
    let text = prettyplease::unparse(&file).replace(char::is_whitespace, "");
    let expected = ".header(\"x-request-id\",self.x_request_id).header(\"x-trace\",self.x_trace)";
    assert!(text.contains(expected), "{text}");
}

#[test]
fn a_raw_body_cannot_go_through_the_runtime() {
    let err = routes(Some("application/octet-stream"), &[]).unwrap_err();
    assert!(
        err.contains("listTokens") && err.contains("octet-stream"),
        "{err}"
    );
    assert!(routes(Some("application/x-www-form-urlencoded"), &[]).is_ok());
}

#[test]
fn a_send_without_a_body_validates_none() {
    let mut file = progenitor_send(false);
    let routes = routes(None, &[]).unwrap();
    route_through_runtime(&mut file, &routes).expect("routed");
    let text = prettyplease::unparse(&file).replace(char::is_whitespace, "");
    assert!(
        text.contains(".path(self.identity_id).query(\"limit\",self.limit).send(self.client)"),
        "{text}"
    );
}

#[test]
fn bodies_are_values_set_whole_and_unset_without_a_default() {
    let builders = |body: &str| -> syn::File {
        let body = ident(body);
        syn::parse_quote! {
            pub mod builder {
                #[derive(Debug, Clone)]
                pub struct Attach<'a> {
                    client: &'a super::Client,
                    body: Result<types::builder::#body, String>,
                }
                impl<'a> Attach<'a> {
                    pub fn new(client: &'a super::Client) -> Self {
                        Self { client: client, body: Ok(::std::default::Default::default()) }
                    }
                    /// Sets the request body.
                    pub fn body<V>(mut self, value: V) -> Self
                    where V: std::convert::TryInto<types::#body>,
                    {
                        self.body = value.try_into().map(From::from).map_err(|s| s.to_string());
                        self
                    }
                    pub fn body_map<F>(mut self, f: F) -> Self
                    where F: std::ops::FnOnce(types::builder::#body) -> types::builder::#body,
                    {
                        self.body = self.body.map(f);
                        self
                    }
                }
            }
            pub struct Client {}
        }
    };
    let with_default: BTreeSet<String> = ["Patch".to_string()].into();
    let mut required = builders("Attach");
    assert_eq!(bodies_as_values(&mut required, &with_default), 1);
    let text = prettyplease::unparse(&required).replace(char::is_whitespace, "");
    for expected in [
        "body:Result<types::Attach,String>",
        "body:Err(\"bodywasnotinitialized\".to_string())",
        "///Setstherequestbody.pubfnbody(mutself,value:types::Attach)->Self{self.body=Ok(value);self}",
    ] {
        assert!(text.contains(expected), "{expected} in\n{text}");
    }
    assert!(
        !text.contains("body_map") && !text.contains("builder::"),
        "{text}"
    );
    let mut optional = builders("Patch");
    assert_eq!(bodies_as_values(&mut optional, &with_default), 1);
    let text = prettyplease::unparse(&optional).replace(char::is_whitespace, "");
    assert!(
        text.contains("body:Ok(::std::default::Default::default())"),
        "{text}"
    );
}

#[test]
fn builders_go_and_bodies_without_a_default_get_a_constructor() {
    let mut file: syn::File = syn::parse_quote! {
        #[derive(Clone, Debug, serde::Serialize)]
        pub struct Attach {
            #[serde(default = "defaults::access_token_ttl")]
            pub access_token_ttl: i64,
            #[serde(default)]
            pub num_uses: u64,
            #[serde(skip_serializing_if = "Option::is_none")]
            pub description: Option<String>,
            pub host: Option<String>,
            pub allowed_arns: String,
        }
        impl Attach {
            pub fn builder() -> builder::Attach { Default::default() }
        }
        #[derive(Clone, Debug, Default, serde::Serialize)]
        pub struct Patch {
            #[serde(skip_serializing_if = "Option::is_none")]
            pub description: Option<String>,
        }
        pub struct Answer { pub id: String }
        pub mod builder {
            pub struct Attach {}
        }
    };
    assert_eq!(drop_builders(&mut file), 2);
    assert_eq!(
        body_constructors(&mut file, &["Attach", "Patch"].map(String::from).into()),
        1,
        "Patch has a Default, Answer is no body"
    );
    let text = prettyplease::unparse(&file).replace(char::is_whitespace, "");
    let expected = "pubfnnew(host:impl::std::convert::Into<Option<String>>,allowed_arns:impl::std::convert::Into<String>,)->Self{Self{access_token_ttl:defaults::access_token_ttl(),num_uses:::std::default::Default::default(),description:::std::default::Default::default(),host:host.into(),allowed_arns:allowed_arns.into(),}}";
    assert!(text.contains(expected), "{text}");
    assert!(!text.contains("builder"), "{text}");
    // Right after its struct.
    assert!(matches!(&file.items[1], Item::Impl(imp) if type_ident(&imp.self_ty) == "Attach"));
}

#[test]
fn a_client_without_builders_is_an_error() {
    let mut file: syn::File = syn::parse_quote! { pub struct Client {} };
    assert!(route_through_runtime(&mut file, &BTreeMap::new()).is_err());
}

#[test]
fn schemars_goes_behind_its_feature() {
    let mut file: syn::File = syn::parse_quote! {
        #[derive(Clone, Debug, schemars::JsonSchema)]
        pub struct Body {
            #[schemars(with = "Option<Option<i64>>")]
            pub ttl: Option<Option<i64>>,
        }
        #[derive(Clone, Debug)]
        pub enum Kind { A }
    };
    schemars_behind_feature(&mut file);
    let text = prettyplease::unparse(&file);
    for expected in [
        "#[derive(Clone, Debug)]\n#[cfg_attr(feature = \"schemars\", derive(schemars::JsonSchema))]\npub struct Body",
        "#[cfg_attr(feature = \"schemars\", schemars(with = \"Option<Option<i64>>\"))]",
        "#[derive(Clone, Debug)]\npub enum Kind",
    ] {
        assert!(text.contains(expected), "{expected} in\n{text}");
    }
    assert_eq!(text.matches("JsonSchema").count(), 1, "{text}");
}

#[test]
fn undocumented_public_items_get_docs() {
    let mut file: syn::File = syn::parse_quote! {
        /// A body.
        pub struct Body {
            /// `ttl`: integer, optional.
            pub ttl: i64,
            #[serde(rename = "nestedThing")]
            pub nested_thing: Option<Nested>,
        }
        pub enum Kind {
            #[serde(rename = "iam")]
            Iam,
            /// Kept.
            Gce,
        }
        pub mod builder {
            pub struct Op { client: u8 }
            impl Op {
                pub fn new(client: u8) -> Self { Self { client } }
                pub fn body(self, value: Body) -> Self { self }
                pub fn other<T>(self, value: T) -> Self { self }
                fn private(self) -> Self { self }
            }
        }
    };
    document_items(&mut file);
    let text = prettyplease::unparse(&file);
    for expected in [
        "///`nestedThing`: see [`Nested`].",
        "///The value `\"iam\"`.",
        "/// Kept.",
        "///`Op`.",
        "///A `Op` request on `client`, with nothing set yet.",
        "///Sets the request body.",
        "///Sets `other`.",
    ] {
        assert!(text.contains(expected), "{expected} in\n{text}");
    }
    // Private items get none.
    assert!(!text.contains("Sets `private`"), "{text}");
}

#[test]
fn secrets_are_redacted_in_structs_and_enum_variants() {
    let mut file: syn::File = syn::parse_quote! {
        #[derive(Clone, Debug)]
        pub struct Login { pub client_id: String, pub client_secret: String }
        #[derive(Debug)]
        pub enum Body { Manual { url: String, bind_pass: String }, Template { id: String } }
        #[derive(Debug)]
        pub struct Plain { pub a: u8 }
    };
    let secrets: BTreeSet<String> = ["client_secret", "bind_pass"].map(String::from).into();
    redact_secrets(&mut file, &secrets);
    let text = prettyplease::unparse(&file);
    assert!(
        text.contains("#[derive(Clone)]\npub struct Login"),
        "{text}"
    );
    assert!(
        text.contains(".field(\"client_secret\", &\"<redacted>\")"),
        "{text}"
    );
    assert!(
        text.contains(".field(\"bind_pass\", &\"<redacted>\")"),
        "{text}"
    );
    assert!(
        text.contains("#[derive(Debug)]\npub struct Plain"),
        "{text}"
    );
}

#[test]
fn text_conversions_stay_only_for_enums_the_client_names() {
    let mut file: syn::File = syn::parse_quote! {
        pub enum Mode { A }
        impl ::std::convert::TryFrom<&str> for Mode { type Error = (); }
        impl ::std::convert::TryFrom<::std::string::String> for Mode { type Error = (); }
        pub enum Kind { B }
        impl ::std::str::FromStr for Kind { type Err = (); }
        impl ::std::convert::TryFrom<&str> for Kind { type Error = (); }
        impl ::std::convert::TryFrom<&::std::string::String> for Kind { type Error = (); }
    };
    let client: syn::File = syn::parse_quote! { fn f(mode: types::Mode) {} };
    assert_eq!(text_conversions_where_taken(&mut file, &client), 2);
    let text = prettyplease::unparse(&file);
    for kept in [
        "impl ::std::convert::TryFrom<&str> for Mode",
        "impl ::std::convert::TryFrom<::std::string::String> for Mode",
        "impl ::std::str::FromStr for Kind",
    ] {
        assert!(text.contains(kept), "{kept} in\n{text}");
    }
    assert!(!text.contains("TryFrom<&str> for Kind"), "{text}");
}

#[test]
fn typify_builders_go_and_the_types_stay() {
    let mut file: syn::File = syn::parse_quote! {
        pub struct Body { pub item: Item }
        pub struct Item { pub a: u8 }
        impl Body { pub fn builder() -> builder::Body { Default::default() } }
        impl Item { pub fn builder() -> builder::Item { Default::default() } }
        impl Item { pub fn a(&self) -> u8 { self.a } }
        pub mod builder {
            pub struct Body {}
            pub struct Item {}
        }
    };
    assert_eq!(drop_builders(&mut file), 3);
    let text = prettyplease::unparse(&file);
    assert!(!text.contains("builder"), "{text}");
    for kept in ["pub struct Body {", "pub struct Item {", "pub fn a(&self)"] {
        assert!(text.contains(kept), "{kept} in\n{text}");
    }
}

#[test]
fn three_state_fields_wrap_the_option() {
    let mut file: syn::File = syn::parse_quote! {
        pub struct Update {
            #[serde(rename = "host", skip_serializing_if = "::std::option::Option::is_none")]
            pub host: ::std::option::Option<String>,
        }
    };
    let field = FieldRef {
        type_name: "Update".into(),
        field: "host".into(),
    };
    three_state_fields(&mut file, std::slice::from_ref(&field)).unwrap();
    let text = prettyplease::unparse(&file).replace([' ', '\n'], "");
    assert_eq!(
        text.matches("::std::option::Option<::std::option::Option<String>>")
            .count(),
        1,
        "{text}"
    );
    assert!(
        text.contains("default,deserialize_with=\"crate::three_state::deserialize\""),
        "{text}"
    );
    let missing = FieldRef {
        type_name: "Update".into(),
        field: "nope".into(),
    };
    assert!(three_state_fields(&mut file, &[missing]).is_err());
}

/// Every pass changes something in each layout its row names: the standalone layout over the
/// embedded spec and the construct fixtures, the workspace layout over the embedded spec and the
/// fixtures it can generate (a text or bytes body cannot go through the workspace's runtime).
#[test]
fn every_pass_still_applies_in_each_of_its_layouts() {
    use crate::pipeline::{plan, Layout};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let cfg = crate::config::Config::load(&root.join("openapi/codegen.toml")).unwrap();
    let mut documents = vec![root.join("openapi").join(&cfg.spec)];
    let fixtures = root.join("xtask/tests/fixtures/constructs");
    for entry in std::fs::read_dir(&fixtures).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            documents.push(path);
        }
    }
    let mut changed: BTreeMap<(&str, bool), usize> = BTreeMap::new();
    for (i, document) in documents.iter().enumerate() {
        let spec = crate::document::load::load(document).unwrap();
        let layouts = [
            Layout::Standalone {
                dir: std::path::PathBuf::from("/nonexistent/out"),
            },
            Layout::Workspace {
                root: std::path::PathBuf::from("/nonexistent"),
            },
        ];
        for layout in layouts {
            let workspace = matches!(layout, Layout::Workspace { .. });
            // The workspace layout refuses a `codegen.toml` entry the document does not use,
            // so a fixture goes through it with the default configuration.
            let fixture_cfg = crate::config::Config::default();
            let cfg = if workspace && i > 0 {
                &fixture_cfg
            } else {
                &cfg
            };
            let planned = match plan(&spec, cfg, &layout) {
                Ok(planned) => planned,
                Err(e) if workspace && i > 0 => {
                    eprintln!("{}: not in the workspace layout: {e}", document.display());
                    continue;
                }
                Err(e) => panic!("{}: {e}", document.display()),
            };
            for (stage, applied) in planned.passes {
                if stage == "post" {
                    *changed.entry((applied.name, workspace)).or_default() += applied.changes;
                }
            }
        }
    }
    let mut idle = Vec::new();
    for pass in super::PASSES {
        let layouts: &[bool] = match pass.layouts {
            crate::passes::Layouts::Both => &[false, true],
            crate::passes::Layouts::Workspace => &[true],
            crate::passes::Layouts::Standalone => &[false],
        };
        for &workspace in layouts {
            if changed.get(&(pass.name, workspace)).copied().unwrap_or(0) == 0 {
                let layout = if workspace { "workspace" } else { "standalone" };
                idle.push(format!("{} ({layout})", pass.name));
            }
        }
    }
    assert!(idle.is_empty(), "passes that changed nothing: {idle:?}");
}

#[test]
fn every_pass_is_named_once_and_documented() {
    let mut names = BTreeSet::new();
    for pass in super::PASSES {
        assert!(names.insert(pass.name), "{} twice", pass.name);
        assert!(!pass.doc.is_empty(), "{} has no doc line", pass.name);
    }
}
