//! The `codegen` job: load -> check -> fix up -> generate -> post-process -> format -> write.
//! [`plan`] is pure (document in, files out); [`run`] adds the file system.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use heck::ToSnakeCase;
use serde_json::Value;

use crate::config::Config;
use crate::document::load::LoadedSpec;
use crate::document::ops;
use crate::generate::{Answer, OperationTypes};
use crate::passes::Applied;
use crate::postprocess::{self, FieldRef};
use crate::write::{self, Mode};
use crate::{check, dedupe, describe, directions, fixups, format, generate, lower, Error};

/// Where the generated code goes.
#[derive(Clone, Debug)]
pub enum Layout {
    /// The workspace: types and client in the crates named by codegen.toml.
    Workspace {
        /// Workspace root.
        root: PathBuf,
    },
    /// One self-contained client crate (types inline) in a folder of its own.
    Standalone {
        /// The crate folder.
        dir: PathBuf,
    },
}

/// What a run produced.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Every generated file with its full contents.
    pub files: Vec<(PathBuf, String)>,
    /// Operations generated.
    pub operations: usize,
    /// Types generated (structs and enums).
    pub types: usize,
    /// Every lowering and fix-up pass, in order, with the places it changed.
    pub passes: Vec<(&'static str, Applied)>,
    /// What the run noticed but did not refuse (codegen.toml entries that match nothing in a
    /// document given with `--spec`).
    pub warnings: Vec<String>,
    /// The constrained-string newtypes left to the validation layer (pass
    /// `plain_validated_strings`, workspace layout only), with the body fields they typed.
    pub plain_strings: Vec<postprocess::PlainString>,
}

/// The document ready for generation, with what each lowering and fix-up pass did.
#[derive(Clone, Debug)]
pub struct Prepared {
    /// The checked, lowered and fixed-up document.
    pub doc: Value,
    /// Every pass that ran, in order, as `(stage, what it did)`.
    pub passes: Vec<(&'static str, Applied)>,
    /// Entries of codegen.toml that match nothing in the document (see [`unused_entries`]).
    pub unused_entries: Vec<String>,
}

/// check -> lower -> fix up -> dedupe: the document progenitor is given, before the describe stage.
pub fn prepare(spec: &Value, cfg: &Config) -> Result<Prepared, Error> {
    let problems = check::check(spec);
    if !problems.is_empty() {
        return Err(Error::Unsupported(problems));
    }
    let (lowered, lowering) = lower::apply(spec, cfg).map_err(|p| Error::Unsupported(vec![p]))?;
    let mut unused_entries = unused_entries(&lowered, cfg);
    let (fixed, fixing) = fixups::apply(&lowered, cfg).map_err(|p| Error::Unsupported(vec![p]))?;
    unused_entries.extend(dedupe::unused_entries(&fixed, cfg));
    let (doc, sharing) = dedupe::apply(&fixed, cfg).map_err(|p| Error::Unsupported(vec![p]))?;
    let passes = lowering
        .into_iter()
        .map(|a| ("lower", a))
        .chain(fixing.into_iter().map(|a| ("fix-up", a)))
        .chain(sharing.into_iter().map(|a| ("dedupe", a)))
        .collect();
    Ok(Prepared {
        doc,
        passes,
        unused_entries,
    })
}

/// The fixed-up document for `spec` (checked and lowered first).
pub fn fixed_document(spec: &Value, cfg: &Config) -> Result<Value, Error> {
    prepare(spec, cfg).map(|p| p.doc)
}

/// Entries of `cfg` that match nothing in the lowered document `doc`: an `any_of_names` pointer
/// that is not an `anyOf`, a `secret_fields` name that no property, parameter or header has.
/// Each names the entry and what to do.
pub fn unused_entries(doc: &Value, cfg: &Config) -> Vec<String> {
    let mut out = Vec::new();
    for pointer in cfg.any_of_names.keys() {
        if doc.pointer(pointer).and_then(|v| v.get("anyOf")).is_none() {
            out.push(format!(
                "codegen.toml [any_of_names] `{pointer}`: no anyOf union is there (remove or update the entry)"
            ));
        }
    }
    let mut found = vec![false; cfg.secret_fields.len()];
    mark_field_names(doc, &cfg.secret_fields, &mut found);
    for (field, found) in cfg.secret_fields.iter().zip(found) {
        if !found {
            out.push(format!(
                "codegen.toml secret_fields `{field}`: no property, parameter or header of the document has this name (remove the entry)"
            ));
        }
    }
    out
}

/// Marks in `found` each of `names` that is (ignoring ASCII case) the name of a schema property
/// or a parameter somewhere in `value`.
fn mark_field_names(value: &Value, names: &[String], found: &mut [bool]) {
    let mut mark = |name: &str| {
        for (wanted, found) in names.iter().zip(found.iter_mut()) {
            *found |= wanted.eq_ignore_ascii_case(name);
        }
    };
    match value {
        Value::Object(map) => {
            if let Some(Value::Object(props)) = map.get("properties") {
                props.keys().for_each(|k| mark(k));
            }
            if let (Some(Value::String(name)), Some(Value::String(_))) =
                (map.get("name"), map.get("in"))
            {
                mark(name);
            }
            map.values().for_each(|v| mark_field_names(v, names, found));
        }
        Value::Array(items) => items.iter().for_each(|v| mark_field_names(v, names, found)),
        _ => {}
    }
}

/// Optional nullable fields of PATCH bodies: these keep three states on the wire. `operations`
/// names each operation's body type as progenitor generated it.
pub fn three_state_fields(fixed: &Value, operations: &OperationMap) -> Vec<FieldRef> {
    let mut out = Vec::new();
    for op in ops::operations(fixed) {
        if op.method != "patch" {
            continue;
        }
        let Some(body) = op.body_schema() else {
            continue;
        };
        let Some(type_name) = body_type(operations, &op) else {
            continue;
        };
        let required = ops::required(body);
        for (name, schema) in ops::properties(body) {
            if schema.get("nullable") == Some(&Value::Bool(true))
                && !required.contains(name.as_str())
            {
                out.push(FieldRef {
                    type_name: type_name.clone(),
                    field: name.to_snake_case(),
                });
            }
        }
    }
    out
}

/// What progenitor generated for each operation, keyed by `(method, path)`.
pub type OperationMap = BTreeMap<(String, String), OperationTypes>;

fn types_of<'m>(operations: &'m OperationMap, op: &ops::Op<'_>) -> Option<&'m OperationTypes> {
    operations.get(&(op.method.to_string(), op.path.to_string()))
}

fn body_type(operations: &OperationMap, op: &ops::Op<'_>) -> Option<String> {
    generate::types_name(types_of(operations, op)?.body.as_ref()?)
}

/// Generates every file for `spec` in `layout`, without touching the disk.
pub fn plan(spec: &LoadedSpec, cfg: &Config, layout: &Layout) -> Result<Plan, Error> {
    let prepared = prepare(&spec.doc, cfg)?;
    if matches!(layout, Layout::Workspace { .. }) && !prepared.unused_entries.is_empty() {
        return Err(Error::Config(
            "openapi/codegen.toml".into(),
            prepared.unused_entries.join("; "),
        ));
    }
    let fixed = &prepared.doc;
    let workspace = matches!(layout, Layout::Workspace { .. });
    let generated = generate::generate(&describe::document(fixed), workspace)?;
    let operations = generated.operations;
    let mut types = generated.types;
    let mut client = generated.client;
    client.items.push(operation_table(fixed));
    postprocess::redirects_as_success(&mut client, &redirecting_builders(fixed, &operations));

    let secrets: BTreeSet<String> = cfg
        .secret_fields
        .iter()
        .map(|s| s.to_snake_case())
        .collect();
    postprocess::secret_types(&mut types, &secrets);
    let client_names = postprocess::types_named_by(&client);
    // String limits are left to the validation layer where there is one: the workspace's client
    // and server stubs validate every request body with the validation crate.
    let plain_strings = match layout {
        Layout::Workspace { .. } => postprocess::plain_validated_strings(
            &mut types,
            &body_types(fixed, &operations),
            &client_names,
        ),
        Layout::Standalone { .. } => Vec::new(),
    };
    postprocess::three_state_fields(&mut types, &three_state_fields(fixed, &operations))
        .map_err(Error::Generate)?;
    types.items.push(postprocess::three_state_module());
    postprocess::js_timestamps(&mut types);
    let builder_roots = postprocess::builder_roots(&client);
    if workspace {
        // The workspace's request bodies are values (struct literals, `Default`, constructors).
        postprocess::drop_builders(&mut types);
    } else {
        postprocess::drop_unused_builders(&mut types, &builder_roots);
        postprocess::lean_builders(&mut types, &builder_roots);
    }
    postprocess::text_conversions_where_taken(&mut types, &client_names);
    postprocess::redact_secrets(&mut types, &secrets);
    postprocess::redact_secret_headers(&mut client, &secret_headers(fixed, cfg, &operations));
    postprocess::string_setters(&mut client);
    postprocess::document_items(&mut types);
    postprocess::document_items(&mut client);
    postprocess::schemars_behind_feature(&mut types);
    postprocess::short_default_names(&mut types);
    if workspace {
        postprocess::body_constructors(&mut types, &builder_roots);
    }
    postprocess::camel_case_renames(&mut types);
    // Serde derives by direction, behind the types crate's `client` and `server` features
    // (workspace only: a standalone client is one crate and keeps every derive).
    if matches!(layout, Layout::Workspace { .. }) {
        let (requests, responses) = directions::client_roots(&client);
        let both_ways = cfg.serde_both_ways.iter().cloned().collect();
        let stale = directions::not_types(&types, &both_ways);
        if !stale.is_empty() {
            return Err(Error::Config(
                "openapi/codegen.toml".into(),
                format!(
                    "serde_both_ways names {}, which the document no longer generates",
                    stale.join(", ")
                ),
            ));
        }
        directions::serde_by_direction(&mut types, &requests, &responses, &both_ways);
    }
    postprocess::one_line_serde_attrs(&mut types);

    let type_count = types
        .items
        .iter()
        .filter(|i| matches!(i, syn::Item::Struct(_) | syn::Item::Enum(_)))
        .count();
    let operation_count = ops::operations(fixed).len();
    let sha = &spec.sha256;
    let files = match layout {
        Layout::Workspace { root } => {
            let types_crate = crate_ident(&cfg.output.types);
            types
                .attrs
                .push(syn::parse_quote! { #![allow(clippy::all, dead_code)] });
            let mut client_file = client;
            postprocess::route_through_runtime(
                &mut client_file,
                &postprocess::with_default(&types),
            )
            .map_err(Error::Generate)?;
            client_file
                .attrs
                .push(syn::parse_quote! { #![allow(clippy::all, dead_code)] });
            let types_ident = postprocess::ident(&types_crate);
            client_file.items.insert(
                0,
                syn::parse_quote! {
                    /// The request and response types, shared with the server-stub crate.
                    pub use #types_ident as types;
                },
            );
            let mut files = vec![
                (
                    root.join(&cfg.output.types).join("src/generated.rs"),
                    format::render(&types, sha, "The types of every request and response: structs, enums, constructors for request bodies."),
                ),
                (
                    root.join(&cfg.output.client).join("src/generated.rs"),
                    format::render(&client_file, sha, "The client: one builder per operation (progenitor, builder style)."),
                ),
            ];
            if let Some(server) = &cfg.output.server {
                let server_file = crate::server::generate(fixed, &operations, &types_crate)
                    .map_err(Error::Generate)?;
                files.push((
                    root.join(server).join("src/generated.rs"),
                    format::render(
                        &server_file,
                        sha,
                        "The server stubs: one trait method per operation and an axum router.",
                    ),
                ));
            }
            if let Some(index) = &cfg.output.schema_index {
                let file = schema_index(fixed, &operations, &types, &types_crate);
                files.push((
                    root.join(index).join("src/schema_index/generated.rs"),
                    format::render(&file, sha, "The JSON schema of each operation's Rust request and response type, for tests."),
                ));
            }
            files
        }
        Layout::Standalone { dir } => standalone_files(dir, types, client, sha)?,
    };
    Ok(Plan {
        files,
        operations: operation_count,
        types: type_count,
        passes: prepared.passes,
        warnings: prepared.unused_entries,
        plain_strings,
    })
}

/// Each operation's id with its body type, for the operations whose body is a generated type.
fn body_types(fixed: &Value, operations: &OperationMap) -> Vec<(String, String)> {
    ops::operations(fixed)
        .iter()
        .filter_map(|op| Some((op.id()?.to_string(), body_type(operations, op)?)))
        .collect()
}

/// Builders of operations answered by redirects ([`lower::REDIRECTS`]) whose success carries no
/// body: their 3xx answers are successes too.
fn redirecting_builders(fixed: &Value, operations: &OperationMap) -> BTreeSet<String> {
    ops::operations(fixed)
        .iter()
        .filter(|op| op.op.get(lower::REDIRECTS).is_some())
        .filter_map(|op| types_of(operations, op))
        .filter(|t| t.response == Answer::Empty)
        .map(|t| t.builder.clone())
        .collect()
}

/// Words that mark a header as carrying a secret (matched in its lower-cased name).
pub const SECRET_HEADER_WORDS: [&str; 7] = [
    "authorization",
    "token",
    "secret",
    "password",
    "api-key",
    "cookie",
    "signature",
];

/// Per builder, the snake-case names of its header parameters that carry secrets: a name with
/// one of [`SECRET_HEADER_WORDS`], or one listed in `secret_fields`.
fn secret_headers(
    fixed: &Value,
    cfg: &Config,
    operations: &OperationMap,
) -> BTreeMap<String, BTreeSet<String>> {
    let listed: BTreeSet<String> = cfg
        .secret_fields
        .iter()
        .map(|f| f.to_ascii_lowercase())
        .collect();
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for op in ops::operations(fixed) {
        let Some(types) = types_of(operations, &op) else {
            continue;
        };
        for param in op.parameters().filter(|p| p["in"] == "header") {
            let Some(name) = param.get("name").and_then(Value::as_str) else {
                continue;
            };
            let lower = name.to_ascii_lowercase();
            if listed.contains(&lower) || SECRET_HEADER_WORDS.iter().any(|w| lower.contains(w)) {
                out.entry(types.builder.clone())
                    .or_default()
                    .insert(name.to_snake_case());
            }
        }
    }
    out
}

/// `OPERATIONS`: every operation's id, method and path template, in the client code, so that
/// hand-written hooks can map a request back to its operation and path parameters.
pub fn operation_table(fixed: &Value) -> syn::Item {
    let rows = ops::operations(fixed).into_iter().map(|op| {
        let id = op.id().unwrap_or_default();
        let rust_name = id.to_snake_case();
        let method = op.method.to_uppercase();
        let path = op.path;
        quote::quote! { (#id, #rust_name, #method, #path) }
    });
    syn::parse_quote! {
        /// Every operation as `(operationId, client method name, HTTP method, path template)`, in
        /// path order.
        pub const OPERATIONS: &[(&str, &str, &str, &str)] = &[#(#rows),*];
    }
}

/// `type_schemas()`: `(operationId, "request" | "response", schema_for!(type))` for every operation's
/// body and 200 types that the types module defines.
pub fn schema_index(
    fixed: &Value,
    operations: &OperationMap,
    types: &syn::File,
    types_crate: &str,
) -> syn::File {
    let defined: BTreeSet<String> = types
        .items
        .iter()
        .filter_map(|i| match i {
            syn::Item::Struct(s) => Some(s.ident.to_string()),
            syn::Item::Enum(e) => Some(e.ident.to_string()),
            _ => None,
        })
        .collect();
    let krate = postprocess::ident(types_crate);
    let mut rows = Vec::new();
    for op in ops::operations(fixed) {
        let id = op.id().unwrap_or_default();
        let Some(names) = types_of(operations, &op) else {
            continue;
        };
        let response = match &names.response {
            Answer::Type(ty) => generate::types_name(ty),
            Answer::Empty | Answer::Raw => None,
        };
        let body = names.body.as_ref().and_then(generate::types_name);
        for (which, name) in [("request", body), ("response", response)] {
            let Some(name) = name else { continue };
            if defined.contains(&name) {
                let ty = postprocess::ident(&name);
                rows.push(quote::quote! { (#id, #which, ::schemars::schema_for!(::#krate::#ty)) });
            }
        }
    }
    syn::parse_quote! {
        /// `(operationId, "request" | "response", the JSON schema the Rust type emits)`.
        pub fn type_schemas() -> ::std::vec::Vec<(&'static str, &'static str, ::schemars::schema::RootSchema)> {
            ::std::vec![#(#rows),*]
        }
    }
}

/// The Rust name of the crate in `folder` (its last component, `-` as `_`).
pub fn crate_ident(folder: &Path) -> String {
    folder
        .file_name()
        .map(|n| n.to_string_lossy().replace('-', "_"))
        .unwrap_or_else(|| "generated".into())
}

fn standalone_files(
    dir: &Path,
    types: syn::File,
    client: syn::File,
    sha: &str,
) -> Result<Vec<(PathBuf, String)>, Error> {
    let name = dir
        .canonicalize()
        .unwrap_or_else(|_| dir.to_path_buf())
        .file_name()
        .map(|n| n.to_string_lossy().to_snake_case().replace('_', "-"))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "generated-client".into());
    let type_items = types.items;
    let mut file = client;
    file.attrs
        .push(syn::parse_quote! { #![allow(clippy::all, dead_code)] });
    file.items.insert(
        0,
        syn::parse_quote! {
            /// The request and response types.
            pub mod types { #(#type_items)* }
        },
    );
    let manifest = format!(
        "# @generated by `cargo xtask codegen --out`, do not edit.\n# Spec SHA-256: {sha}\n[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n# A crate of its own, not a member of any surrounding workspace.\n[workspace]\n\n[features]\n# `schemars::JsonSchema` for every type (off by default: it is most of the build time).\nschemars = [\"dep:schemars\"]\n\n[dependencies]\n{}",
        runtime_dependencies()
    );
    let lib = format!(
        "// @generated by `cargo xtask codegen --out`, do not edit.\n// Spec SHA-256: {sha}\n//! A client generated by `cargo xtask codegen --out` (progenitor, builder style).\n\nmod generated;\npub use generated::*;\n"
    );
    Ok(vec![
        (dir.join("Cargo.toml"), manifest),
        (dir.join("src/lib.rs"), lib),
        (
            dir.join("src/generated.rs"),
            format::render(
                &file,
                sha,
                "A self-contained client: types and one builder per operation.",
            ),
        ),
    ])
}

/// The dependencies generated code needs, as Cargo.toml lines (versions as in the workspace).
pub fn runtime_dependencies() -> &'static str {
    concat!(
        "progenitor-client = \"=0.15.1\"\n",
        "reqwest = { version = \"0.13\", default-features = false, features = [\"json\", \"query\", \"rustls\"] }\n",
        "serde = { version = \"1\", features = [\"derive\"] }\n",
        "serde_json = \"1\"\n",
        "schemars = { version = \"0.8\", features = [\"uuid1\", \"chrono\"], optional = true }\n",
        "chrono = { version = \"0.4\", default-features = false, features = [\"serde\", \"std\", \"clock\"] }\n",
        "uuid = { version = \"1\", features = [\"serde\", \"v4\"] }\n",
        "regress = \"0.12\"\n",
    )
}

/// A finished run, for the one-line summary.
#[derive(Clone, Debug)]
pub struct Report {
    /// The plan that was written or checked.
    pub plan: Plan,
    /// Files written (write mode) or stale (check mode).
    pub touched: Vec<PathBuf>,
    /// Wall time of the whole run.
    pub millis: u128,
}

/// Loads the spec, plans, and writes or checks the files.
pub fn run(spec_path: &Path, cfg: &Config, layout: &Layout, mode: Mode) -> Result<Report, Error> {
    let start = Instant::now();
    let spec = crate::document::load::load(spec_path)?;
    let plan = plan(&spec, cfg, layout)?;
    let touched = write::ensure_files(&plan.files, mode)?;
    Ok(Report {
        plan,
        touched,
        millis: start.elapsed().as_millis(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> LoadedSpec {
        crate::document::load::parse(include_bytes!("../../openapi/infisical-identity-auth.json"))
            .unwrap()
    }

    fn cfg() -> Config {
        toml::from_str(include_str!("../../openapi/codegen.toml")).unwrap()
    }

    #[test]
    fn every_codegen_toml_entry_matches_the_embedded_spec() {
        let prepared = prepare(&spec().doc, &cfg()).unwrap();
        assert_eq!(prepared.unused_entries, Vec::<String>::new());
    }

    #[test]
    fn an_entry_that_matches_nothing_is_an_error_naming_it() {
        let mut cfg = cfg();
        cfg.secret_fields.push("privateKeyPem".into());
        cfg.any_of_names
            .insert("/paths/~1gone/post".into(), vec!["A".into(), "B".into()]);
        let layout = Layout::Workspace {
            root: PathBuf::from("/nonexistent"),
        };
        let err = plan(&spec(), &cfg, &layout).unwrap_err().to_string();
        assert!(err.contains("secret_fields `privateKeyPem`"), "{err}");
        assert!(err.contains("[any_of_names] `/paths/~1gone/post`"), "{err}");
        // With another document (`--spec F --out DIR`) they are notes, not errors.
        let standalone = Layout::Standalone {
            dir: PathBuf::from("/nonexistent/out"),
        };
        let plan = plan(&spec(), &cfg, &standalone).unwrap();
        assert_eq!(plan.warnings.len(), 2, "{:?}", plan.warnings);
    }
}
