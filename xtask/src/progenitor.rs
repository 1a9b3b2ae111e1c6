//! Generate stage: the fixed-up document through progenitor-impl (builder style), split into the
//! shared types module and the client code, with what progenitor named each operation's builder,
//! body and answer types (read from its output, so later stages never guess a name).

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use progenitor_impl::{GenerationSettings, Generator, InterfaceStyle, TagStyle};
use serde_json::Value;

use crate::document::ops;
use crate::passes::Applied;
use crate::typify_input::SECRET_FORMAT;
use crate::Error;

/// Progenitor's output, split.
pub struct Generated {
    /// Items of progenitor's `types` module: every schema type, their builders and defaults.
    pub types: syn::File,
    /// The client: `Client`, one builder per operation, prelude; without the `types` module.
    pub client: syn::File,
    /// Per operation, keyed by `(lower-case method, path template)`: the types progenitor gave it.
    pub operations: OperationMap,
    /// The name the types module gives the hand-written `Secret`: `Secret`, or `RedactedSecret`..
    /// when a generated type takes that name.
    pub secret: String,
    /// The steps on the document given to progenitor ([`crate::typify_input`]), with how many
    /// places each changed.
    pub input_steps: Vec<Applied>,
}

/// What progenitor generated for each operation, keyed by `(lower-case method, path template)`.
pub type OperationMap = BTreeMap<(String, String), OperationTypes>;

/// What progenitor generated for the document's operation `op`.
pub fn types_of<'m>(operations: &'m OperationMap, op: &ops::Op<'_>) -> Option<&'m OperationTypes> {
    operations.get(&(op.method.to_string(), op.path.to_string()))
}

/// The names progenitor gave one operation, read from the client it generated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperationTypes {
    /// The operation's `operationId`, from the document.
    pub id: String,
    /// The builder struct in the client's `builder` module (e.g. `LoginWithUniversalAuth`).
    pub builder: String,
    /// The `Client` method that starts the builder (e.g. `login_with_universal_auth`).
    pub method: String,
    /// The request body's type as the client refers to it (`types::LoginBody`), when the body
    /// is typed (not raw bytes).
    pub body: Option<syn::Type>,
    /// The success answer.
    pub response: Answer,
}

/// What a successful call returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// A type, as the client refers to it (`types::LoginResponse`, `::std::vec::Vec<types::X>`).
    Type(Box<syn::Type>),
    /// Nothing (`ResponseValue<()>`): the status and headers only.
    Empty,
    /// The raw body (`ResponseValue<ByteStream>`).
    Raw,
}

/// The settings every generation uses; a string of [`SECRET_FORMAT`] (the generate stage marks
/// secrets so, [`crate::typify_input::mark_secrets`]) is typify's conversion to `secret`, the
/// name the types module imports the hand-written `Secret` under.
pub fn settings(secret: &str) -> GenerationSettings {
    use schemars::schema::{InstanceType, SchemaObject};
    let marked = SchemaObject {
        instance_type: Some(InstanceType::String.into()),
        format: Some(SECRET_FORMAT.into()),
        ..Default::default()
    };
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_derive("schemars::JsonSchema")
        .with_derive("PartialEq")
        .with_conversion(marked, secret, std::iter::empty());
    settings
}

/// Runs progenitor on the fixed-up document, after the steps of [`crate::typify_input::STEPS`]
/// for the layout (`secrets`: the secret fields' snake-case names). Progenitor panics on some
/// shapes; a panic is caught and reported as an error rather than crashing the xtask.
///
/// Parts of progenitor's output that no layout uses are not even parsed: typify's `builder`
/// module in the types module (request bodies are values, see the `drop_builders` pass in
/// [`crate::postprocess::PASSES`]) and, with `workspace`, what each client builder's `send` does
/// after its `let info = OperationInfo { .. };` (sending and reading the answer: the workspace
/// routes every send through its runtime, see the `route_through_runtime` pass, which reads the
/// statements before it).
pub fn generate(
    mut doc: Value,
    secrets: &BTreeSet<String>,
    workspace: bool,
) -> Result<Generated, Error> {
    let input_steps = crate::typify_input::run(&mut doc, secrets, workspace);
    // Read from the value in place (no copy of the document).
    let spec = <openapiv3::OpenAPI as serde::Deserialize>::deserialize(&doc).map_err(|e| {
        Error::Generate(format!(
            "the fixed-up document is not valid OpenAPI 3.0: {e}"
        ))
    })?;
    // The hand-written `Secret` goes by a name no generated type takes: `Secret`, else
    // `RedactedSecret`.. (a clash is generated again with the next name).
    let mut names = ["Secret".to_owned(), "RedactedSecret".to_owned()]
        .into_iter()
        .chain((2..).map(|i| format!("RedactedSecret{i}")));
    loop {
        let secret = names.next().expect("an endless list of names");
        let items = match items_one_by_one(progenitor_tokens(&spec, &secret)?, workspace) {
            Some(items) => items,
            // A piece that is not one item (never seen so far): progenitor's output again,
            // parsed whole (the first stream was consumed; generation is deterministic). What
            // is left out otherwise is then parsed too, and dropped by the passes that replace
            // it (`drop_builders`, `route_through_runtime`).
            None => {
                syn::parse2::<syn::File>(progenitor_tokens(&spec, &secret)?)
                    .map_err(|e| {
                        Error::Generate(format!("progenitor emitted unparsable code: {e}"))
                    })?
                    .items
            }
        };
        let generated = split(items, &doc, secret, input_steps.clone())?;
        let taken = generated.types.items.iter().any(|item| match item {
            syn::Item::Struct(s) => s.ident == generated.secret,
            syn::Item::Enum(e) => e.ident == generated.secret,
            syn::Item::Type(t) => t.ident == generated.secret,
            _ => false,
        });
        if !taken {
            return Ok(generated);
        }
    }
}

/// progenitor's tokens for `spec`. The check and lowering stages keep progenitor off its
/// asserts; should one still fire, it is caught here (the process-wide panic hook is left alone:
/// it still prints the message).
fn progenitor_tokens(spec: &openapiv3::OpenAPI, secret: &str) -> Result<TokenStream, Error> {
    match std::panic::catch_unwind(|| Generator::new(&settings(secret)).generate_tokens(spec)) {
        Ok(Ok(tokens)) => Ok(tokens),
        Ok(Err(e)) => Err(Error::Generate(format!(
            "progenitor refused the document: {e}"
        ))),
        Err(panic) => {
            let what = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".into());
            Err(Error::Generate(format!(
                "progenitor could not generate this document ({what}); this usually means a construct the check and fix-up stages do not cover yet: add a fix-up pass in xtask/src/fixups.rs"
            )))
        }
    }
}

/// Splits progenitor's single file into the `types` module's items and the rest, reading each
/// operation of `doc`'s builder from the rest.
fn split(
    items: Vec<syn::Item>,
    doc: &Value,
    secret: String,
    input_steps: Vec<Applied>,
) -> Result<Generated, Error> {
    let mut types = None;
    let mut rest = Vec::new();
    for item in items {
        match item {
            syn::Item::Mod(m) if m.ident == "types" => types = m.content.map(|(_, items)| items),
            other => rest.push(other),
        }
    }
    let types =
        types.ok_or_else(|| Error::Generate("progenitor emitted no `types` module".into()))?;
    let client = file_of(rest);
    Ok(Generated {
        types: file_of(types),
        operations: operation_types(&client, doc)?,
        client,
        secret,
        input_steps,
    })
}

/// The items of `tokens` parsed one at a time, and a module's items likewise, rather than the
/// whole stream at once: syn first copies the stream it parses into a buffer of its own, and
/// for progenitor's file (hundreds of thousands of tokens) that buffer alone is megabytes of
/// fresh memory, which the kernel must zero; an item's buffer is small and its memory reused.
/// An item's tokens end at a top-level `;`, or at a top-level `{ .. }` not followed by one.
/// `None` when a piece does not parse as one item (or a module has inner attributes): the
/// caller then parses the stream whole, so the result never differs from syn's. The parts
/// [`generate`] names are left out unparsed.
fn items_one_by_one(tokens: TokenStream, workspace: bool) -> Option<Vec<syn::Item>> {
    items_in(tokens, workspace, None)
}

/// The items of `tokens`, the content of module `module` (`None`: the file).
fn items_in(tokens: TokenStream, workspace: bool, module: Option<&str>) -> Option<Vec<syn::Item>> {
    let mut items = Vec::new();
    let mut piece: Vec<TokenTree> = Vec::new();
    let mut trees = tokens.into_iter().peekable();
    let mut first = true;
    while let Some(tree) = trees.next() {
        let inner_attribute = matches!((&tree, trees.peek()), (TokenTree::Punct(hash), Some(TokenTree::Punct(bang)))
            if first && hash.as_char() == '#' && bang.as_char() == '!');
        if inner_attribute {
            return None;
        }
        first = false;
        let ends = match &tree {
            TokenTree::Punct(p) => p.as_char() == ';',
            TokenTree::Group(g) => {
                g.delimiter() == Delimiter::Brace
                    && !matches!(trees.peek(), Some(TokenTree::Punct(p)) if p.as_char() == ';')
            }
            _ => false,
        };
        piece.push(tree);
        if ends {
            let mut piece = std::mem::take(&mut piece);
            if module == Some("types") && is_module(&piece, "builder") {
                continue;
            }
            if workspace && module == Some("builder") {
                cut_send_answer(&mut piece);
            }
            items.push(item_of(piece, workspace)?);
        }
    }
    piece.is_empty().then_some(items)
}

/// Whether `piece` is `.. mod NAME { .. }`.
fn is_module(piece: &[TokenTree], name: &str) -> bool {
    matches!(piece, [.., TokenTree::Ident(m), TokenTree::Ident(n), TokenTree::Group(_)]
        if m == "mod" && n == name)
}

/// In `impl .. { .. fn send(..) .. { BODY } .. }`, BODY cut after its
/// `let info = OperationInfo { .. };`. Anything else is left as it is.
fn cut_send_answer(piece: &mut [TokenTree]) {
    let is_impl = piece
        .iter()
        .any(|t| matches!(t, TokenTree::Ident(i) if i == "impl"));
    let Some(TokenTree::Group(body)) = piece.last_mut() else {
        return;
    };
    if !is_impl || body.delimiter() != Delimiter::Brace {
        return;
    }
    let mut members: Vec<TokenTree> = body.stream().into_iter().collect();
    let Some(send) = members.windows(2).position(
        |w| matches!(w, [TokenTree::Ident(f), TokenTree::Ident(n)] if f == "fn" && n == "send"),
    ) else {
        return;
    };
    let Some(at) = (send..members.len())
        .find(|&i| matches!(&members[i], TokenTree::Group(g) if g.delimiter() == Delimiter::Brace))
    else {
        return;
    };
    let TokenTree::Group(fn_body) = &members[at] else {
        return;
    };
    let mut kept = Vec::new();
    let mut info = false;
    let mut cut = false;
    for tree in fn_body.stream() {
        let end = info && matches!(&tree, TokenTree::Punct(p) if p.as_char() == ';');
        if let (Some(TokenTree::Ident(l)), TokenTree::Ident(i)) = (kept.last(), &tree) {
            info |= l == "let" && i == "info";
        }
        kept.push(tree);
        if end {
            cut = true;
            break;
        }
    }
    if !cut {
        return;
    }
    members[at] = TokenTree::Group(Group::new(Delimiter::Brace, kept.into_iter().collect()));
    *body = Group::new(Delimiter::Brace, members.into_iter().collect());
}

/// One item parsed from its tokens; a module (`.. mod NAME { .. }`) is parsed with empty
/// content, and its items one by one.
fn item_of(mut piece: Vec<TokenTree>, workspace: bool) -> Option<syn::Item> {
    if let [.., TokenTree::Ident(keyword), TokenTree::Ident(name), TokenTree::Group(body)] =
        piece.as_slice()
    {
        let name = name.to_string();
        if keyword == "mod" && body.delimiter() == Delimiter::Brace {
            let content = body.stream();
            // The group dropped first, so that the content is not shared and is read in place.
            if let Some(last) = piece.last_mut() {
                *last = TokenTree::Group(Group::new(Delimiter::Brace, TokenStream::new()));
            }
            let mut module: syn::ItemMod = syn::parse2(piece.into_iter().collect()).ok()?;
            let (_, items) = module.content.as_mut()?;
            *items = items_in(content, workspace, Some(&name))?;
            return Some(syn::Item::Mod(module));
        }
    }
    syn::parse2(piece.into_iter().collect()).ok()
}

/// Reads, from progenitor's client, the builder of each operation of `doc` with its body and
/// answer types. The operation (id, method, path) comes from the document; progenitor names the
/// operation's builder struct after its operationId ([`builder_name`]); that struct's `body` field
/// holds the body's type and its `send` returns `ResponseValue<Answer>`.
pub fn operation_types(client: &syn::File, doc: &Value) -> Result<OperationMap, Error> {
    let mut out = BTreeMap::new();
    let builders: &[syn::Item] = client
        .items
        .iter()
        .find_map(|item| match item {
            syn::Item::Mod(m) if m.ident == "builder" => {
                m.content.as_ref().map(|(_, items)| &items[..])
            }
            _ => None,
        })
        .unwrap_or(&[]);
    for op in ops::operations(doc) {
        let id = op.id().unwrap_or_default();
        let builder = builder_name(id);
        let (method, path) = (op.method.to_uppercase(), op.path);
        let missing = |what: &str| {
            Error::Generate(format!(
                "progenitor generated no {what} for operation `{id}` ({method} {path}): builder `{builder}` expected"
            ))
        };
        let shape = builders
            .iter()
            .find_map(|item| match item {
                syn::Item::Struct(s) if s.ident == builder => Some(s),
                _ => None,
            })
            .ok_or_else(|| missing("builder struct"))?;
        let send = builders
            .iter()
            .filter_map(|item| match item {
                syn::Item::Impl(imp)
                    if imp.trait_.is_none() && self_named(&imp.self_ty, &builder) =>
                {
                    Some(imp)
                }
                _ => None,
            })
            .flat_map(|imp| &imp.items)
            .find_map(|member| match member {
                syn::ImplItem::Fn(f) if f.sig.ident == "send" => Some(f),
                _ => None,
            })
            .ok_or_else(|| missing("`send`"))?;
        let response = match &send.sig.output {
            syn::ReturnType::Type(_, ret) => answer(ret),
            syn::ReturnType::Default => None,
        }
        .ok_or_else(|| missing("readable answer type"))?;
        let body = shape.fields.iter().find_map(|f| {
            (f.ident.as_ref()? == "body")
                .then(|| body_type(&f.ty))
                .flatten()
        });
        out.insert(
            (op.method.to_string(), op.path.to_string()),
            OperationTypes {
                id: id.to_string(),
                method: progenitor_ident(id, false),
                builder,
                body,
                response,
            },
        );
    }
    Ok(out)
}

/// The name progenitor gives the builder of operation `id` (its method name in UpperCamelCase).
pub fn builder_name(id: &str) -> String {
    progenitor_ident(&progenitor_ident(id, false), true)
}

/// An identifier as progenitor makes one from a name in the document: apostrophes dropped, every
/// other character that cannot continue an identifier a word break, then snake or UpperCamel
/// case; `_` before a leading digit; `_` after a keyword.
fn progenitor_ident(name: &str, pascal: bool) -> String {
    use heck::{ToSnakeCase, ToUpperCamelCase};
    let words = name
        .replace('\'', "")
        .replace(|c: char| !(c.is_alphanumeric() || c == '_'), "-");
    let mut out = if pascal {
        words.to_upper_camel_case()
    } else {
        words.to_snake_case()
    };
    match out.chars().next() {
        None => out = if pascal { "X".into() } else { "x".into() },
        Some(c) if !(c.is_alphabetic() || c == '_') => out.insert(0, '_'),
        Some(_) => {}
    }
    if syn::parse_str::<syn::Ident>(&out).is_err() {
        out.push('_');
    }
    out
}

/// The field progenitor gives an operation builder for the parameter `name`.
pub fn field_name(name: &str) -> String {
    progenitor_ident(name, false)
}

/// Whether `ty` is a path whose last segment is `name` (`Builder<'a>` included).
fn self_named(ty: &syn::Type, name: &str) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == name))
}

/// The body type inside the builder's `Result<_, String>` field, `builder::` taken out of a
/// `types::builder::X` path; `None` for a raw body (`reqwest::Body`).
fn body_type(ty: &syn::Type) -> Option<syn::Type> {
    let inner = first_generic(ty)?;
    if let syn::Type::Path(p) = inner {
        if p.path.segments.last().is_some_and(|s| s.ident == "Body")
            && p.path.segments.iter().any(|s| s.ident == "reqwest")
        {
            return None;
        }
        let mut p = p.clone();
        let segments: Vec<syn::PathSegment> = p
            .path
            .segments
            .iter()
            .filter(|s| s.ident != "builder")
            .cloned()
            .collect();
        p.path.segments = segments.into_iter().collect();
        return Some(syn::Type::Path(p));
    }
    Some(inner.clone())
}

/// The name of a `types::Name` type (a type the types module defines at its top level).
pub fn types_name(ty: &syn::Type) -> Option<String> {
    let syn::Type::Path(p) = ty else { return None };
    let segments: Vec<String> = p
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    match segments.as_slice() {
        [types, name] if types == "types" => Some(name.clone()),
        _ => None,
    }
}

/// The first generic argument of a path type (`Result<T, E>` -> `T`).
fn first_generic(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(p) = ty else { return None };
    let syn::PathArguments::AngleBracketed(args) = &p.path.segments.last()?.arguments else {
        return None;
    };
    args.args.iter().find_map(|a| match a {
        syn::GenericArgument::Type(t) => Some(t),
        _ => None,
    })
}

/// The answer of `Result<ResponseValue<T>, Error<E>>`.
fn answer(ret: &syn::Type) -> Option<Answer> {
    let value = first_generic(first_generic(ret)?)?;
    Some(match value {
        syn::Type::Tuple(t) if t.elems.is_empty() => Answer::Empty,
        syn::Type::Path(p) if p.path.segments.last()?.ident == "ByteStream" => Answer::Raw,
        other => Answer::Type(Box::new(other.clone())),
    })
}

/// A file holding `items`.
pub fn file_of(items: Vec<syn::Item>) -> syn::File {
    let mut file: syn::File = syn::parse_quote! {};
    file.items = items;
    file
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_progenitor_panic_is_an_error_not_a_crash() {
        // Two different success bodies in one operation: progenitor asserts there is one.
        let body = |schema: Value| json!({"description": "", "content": {"application/json": {"schema": schema}}});
        let doc = json!({
            "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
            "paths": {"/a": {"get": {"operationId": "getA", "responses": {
                "200": body(json!({"type": "string"})),
                "201": body(json!({"type": "integer"}))
            }}}}
        });
        let err = generate(doc, &BTreeSet::new(), false)
            .err()
            .expect("progenitor cannot generate this");
        let text = err.to_string();
        assert!(text.starts_with("generation failed:"), "{text}");
    }

    /// A document whose `POST /login` body is `body`, with `components` as its components.
    fn login_document(body: Value, components: Value) -> Value {
        json!({
            "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
            "paths": {"/login": {"post": {"operationId": "login",
                "requestBody": {"required": true, "content": {"application/json": {"schema": body}}},
                "responses": {"204": {"description": ""}}
            }}},
            "components": components
        })
    }

    /// The fields of the struct `name` of `generated`'s types, as `name: type` text.
    fn fields_of(generated: &Generated, name: &str) -> Vec<String> {
        let fields = generated.types.items.iter().find_map(|item| match item {
            syn::Item::Struct(s) if s.ident == name => Some(&s.fields),
            _ => None,
        });
        let field = |f: &syn::Field| {
            let ty = &f.ty;
            let ident = f.ident.as_ref().unwrap();
            format!("{ident}: {}", quote::quote!(#ty)).replace(' ', "")
        };
        fields.into_iter().flatten().map(field).collect()
    }

    #[test]
    fn secret_strings_are_typifys_conversion_to_the_secret_type() {
        let body = json!({"type": "object", "required": ["clientSecret", "password", "jwt", "name"],
        "properties": {
            "clientSecret": {"type": "string", "minLength": 1, "description": "The client's secret."},
            "password": {"type": "string", "nullable": true},
            "jwt": {"$ref": "#/components/schemas/Token"},
            "bindPass": {"type": "string", "maxLength": 64},
            "name": {"type": "string", "minLength": 1},
            "accessToken": {"type": "integer"}
        }});
        let components = json!({"schemas": {"Token": {"type": "string", "minLength": 2}}});
        let secrets: BTreeSet<String> = [
            "client_secret",
            "password",
            "jwt",
            "bind_pass",
            "access_token",
        ]
        .map(String::from)
        .into();
        let generated = generate(login_document(body, components), &secrets, false).unwrap();
        assert_eq!(generated.secret, "Secret");
        assert_eq!(
            fields_of(&generated, "LoginBody"),
            [
                "access_token:::std::option::Option<i64>",
                "bind_pass:::std::option::Option<Secret>",
                "client_secret:Secret",
                "jwt:Secret",
                "name:LoginBodyName",
                "password:::std::option::Option<Secret>",
            ]
        );
        // No constrained-string newtype is made for a secret; the others keep theirs.
        let names: Vec<String> = generated
            .types
            .items
            .iter()
            .filter_map(|item| match item {
                syn::Item::Struct(s) => Some(s.ident.to_string()),
                _ => None,
            })
            .collect();
        assert_eq!(names, ["LoginBody", "LoginBodyName", "Token"]);
        // The field keeps its description as its doc.
        let text = prettyplease::unparse(&generated.types);
        let doc = "///The client's secret.\n    #[serde(rename = \"clientSecret\")]\n    pub client_secret";
        assert!(text.contains(doc), "{text}");
    }

    #[test]
    fn the_secret_type_takes_another_name_when_a_generated_type_is_named_secret() {
        let object = json!({"type": "object", "properties": {"key": {"type": "string"}}});
        let mut titled = object.clone();
        titled["title"] = json!("Secret");
        // A component keyed `secret`, and an inline schema titled `Secret`.
        for (other, components) in [
            (
                json!({"$ref": "#/components/schemas/secret"}),
                json!({"schemas": {"secret": object}}),
            ),
            (titled, json!({})),
        ] {
            let body = json!({"type": "object", "required": ["jwt"],
                "properties": {"jwt": {"type": "string"}, "other": other}});
            let secrets: BTreeSet<String> = ["jwt".to_string()].into();
            let generated = generate(login_document(body, components), &secrets, false).unwrap();
            assert_eq!(generated.secret, "RedactedSecret");
            assert_eq!(
                fields_of(&generated, "LoginBody"),
                ["jwt:RedactedSecret", "other:::std::option::Option<Secret>"]
            );
        }
    }

    #[test]
    fn the_default_spec_splits_into_types_and_client() {
        let fixed = crate::test_support::embedded_fixed();
        let generated = generate(fixed.clone(), &BTreeSet::new(), false).unwrap();
        let login = &generated.operations[&(
            "post".to_string(),
            "/api/v1/auth/universal-auth/login".to_string(),
        )];
        assert_eq!(login.builder, "LoginWithUniversalAuth");
        assert_eq!(login.method, "login_with_universal_auth");
        assert_eq!(
            login.body.as_ref().and_then(types_name).as_deref(),
            Some("LoginWithUniversalAuthBody")
        );
        let Answer::Type(answer) = &login.response else {
            panic!("a typed answer")
        };
        assert_eq!(types_name(answer).as_deref(), Some("AccessTokenResponse"));
        assert_eq!(
            generated.operations.len(),
            crate::document::ops::operations(&fixed).len()
        );
        let has = |file: &syn::File, name: &str| {
            file.items
                .iter()
                .any(|i| matches!(i, syn::Item::Struct(s) if s.ident == name))
        };
        assert!(has(&generated.types, "ErrorResponse"));
        assert!(has(&generated.client, "Client"));
        assert!(!generated
            .client
            .items
            .iter()
            .any(|i| matches!(i, syn::Item::Mod(m) if m.ident == "types")));
    }

    #[test]
    fn items_read_one_by_one_are_the_items_syn_reads_whole() {
        let tokens = quote::quote! {
            use std::{fmt, io};
            #[doc = "A module."]
            pub mod types {
                pub struct Unit;
                pub struct Named { pub a: u8 }
                pub const DEFAULT: Named = Named { a: 1 };
                impl Named where Self: Sized { pub fn new() -> Self { Self { a: 0 } } }
                pub mod inner { pub enum E { A, B } }
                macro_rules! m { () => {} }
                m!();
                static S: [u8; 2] = [1, 2];
            }
            pub fn f() -> u8 { 1 }
            type T = Vec<u8>;
        };
        let whole: syn::File = syn::parse2(tokens.clone()).unwrap();
        let items = items_one_by_one(tokens.clone(), false).expect("items one by one");
        assert_eq!(
            prettyplease::unparse(&file_of(items)),
            prettyplease::unparse(&whole)
        );
        // The types' builders are left out, and in the workspace layout what a send does after
        // its OperationInfo; a module of that name elsewhere is kept.
        let progenitor = quote::quote! {
            pub mod types {
                pub struct Body { pub a: u8 }
                pub mod builder { pub struct Body { a: Result<u8, String> } }
            }
            pub mod builder {
                impl Op<'_> {
                    pub fn id(self) -> Self { self }
                    pub async fn send(self) -> Result<ResponseValue<types::Body>, Error<()>> {
                        let Self { client, id } = self;
                        let url = format!("{}/x/{}", client.baseurl, encode_path(&id.to_string()));
                        let info = OperationInfo { operation_id: "op" };
                        let response = client.exec(request, &info).await?;
                        match response.status().as_u16() { 200u16 => todo!(), _ => todo!() }
                    }
                }
            }
        };
        let lean = items_one_by_one(progenitor.clone(), true).expect("items one by one");
        let text = prettyplease::unparse(&file_of(lean)).replace(char::is_whitespace, "");
        for (expected, present) in [
            ("a:Result<u8,String>", false),
            ("pubmodbuilder", true),
            ("pubstructBody{puba:u8,}", true),
            ("letinfo=OperationInfo", true),
            ("client.exec", false),
            ("matchresponse", false),
            ("pubfnid(self)->Self", true),
        ] {
            assert_eq!(text.contains(expected), present, "{expected} in {text}");
        }
        let standalone = items_one_by_one(progenitor, false).expect("items one by one");
        let text = prettyplease::unparse(&file_of(standalone)).replace(char::is_whitespace, "");
        assert!(
            !text.contains("a:Result<u8,String>") && text.contains("matchresponse"),
            "{text}"
        );
        // What does not split into items is left to syn whole.
        assert!(
            items_one_by_one(quote::quote! { pub mod m { #![allow(dead_code)] } }, false).is_none()
        );
        assert!(items_one_by_one(quote::quote! { type A = B<{ 1 }>; }, false).is_none());
        assert!(items_one_by_one(quote::quote! { pub struct A }, false).is_none());
    }
}
