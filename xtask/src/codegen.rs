//! The `codegen` job: load -> check -> fix up -> generate -> post-process -> format -> write.
//! [`plan`] is pure (document in, files out); [`run`] adds the file system.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use heck::{ToSnakeCase, ToUpperCamelCase};
use serde_json::Value;

use crate::config::Config;
use crate::postprocess::{self, FieldRef};
use crate::spec::LoadedSpec;
use crate::write::{self, Mode};
use crate::{check, describe, fixups, format, generate, ops, Error};

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
}

/// The fixed-up document for `spec` (checked first).
pub fn fixed_document(spec: &Value, cfg: &Config) -> Result<Value, Error> {
    let problems = check::check(spec);
    if !problems.is_empty() {
        return Err(Error::Unsupported(problems));
    }
    fixups::apply(spec, cfg).map_err(|p| Error::Unsupported(vec![p]))
}

/// Optional nullable fields of PATCH bodies: these keep three states on the wire.
pub fn three_state_fields(fixed: &Value) -> Vec<FieldRef> {
    let mut out = Vec::new();
    for op in ops::operations(fixed) {
        if op.method != "patch" {
            continue;
        }
        let (Some(id), Some(body)) = (op.id(), op.body_schema()) else {
            continue;
        };
        let required = ops::required(body);
        for (name, schema) in ops::properties(body) {
            if schema.get("nullable") == Some(&Value::Bool(true))
                && !required.contains(name.as_str())
            {
                out.push(FieldRef {
                    type_name: format!("{}Body", id.to_upper_camel_case()),
                    field: name.to_snake_case(),
                });
            }
        }
    }
    out
}

/// Generates every file for `spec` in `layout`, without touching the disk.
pub fn plan(spec: &LoadedSpec, cfg: &Config, layout: &Layout) -> Result<Plan, Error> {
    let fixed = fixed_document(&spec.doc, cfg)?;
    let generated = generate::generate(&describe::document(&fixed))?;
    let mut types = generated.types;
    let mut client = generated.client;
    client.items.push(operation_table(&fixed));

    postprocess::three_state_fields(&mut types, &three_state_fields(&fixed))
        .map_err(Error::Generate)?;
    types.items.push(postprocess::three_state_module());
    postprocess::drop_unused_builders(&mut types, &postprocess::builder_roots(&client));
    let secrets: BTreeSet<String> = cfg
        .secret_fields
        .iter()
        .map(|s| s.to_snake_case())
        .collect();
    postprocess::redact_secrets(&mut types, &secrets);
    postprocess::document_items(&mut types);
    postprocess::document_items(&mut client);
    postprocess::schemars_behind_feature(&mut types);

    let type_count = types
        .items
        .iter()
        .filter(|i| matches!(i, syn::Item::Struct(_) | syn::Item::Enum(_)))
        .count();
    let operations = ops::operations(&fixed).len();
    let sha = &spec.sha256;
    let files = match layout {
        Layout::Workspace { root } => {
            let types_crate = crate_ident(&cfg.output.types);
            types
                .attrs
                .push(syn::parse_quote! { #![allow(clippy::all, dead_code)] });
            let mut client_file = client;
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
                    format::render(&types, sha, "The types of every request and response: structs, enums, builders for request types."),
                ),
                (
                    root.join(&cfg.output.client).join("src/generated.rs"),
                    format::render(&client_file, sha, "The client: one builder per operation (progenitor, builder style)."),
                ),
            ];
            if let Some(server) = &cfg.output.server {
                let server_file =
                    crate::server::generate(&fixed, &types_crate).map_err(Error::Generate)?;
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
                let file = schema_index(&fixed, &types, &types_crate);
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
        operations,
        types: type_count,
    })
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
pub fn schema_index(fixed: &Value, types: &syn::File, types_crate: &str) -> syn::File {
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
        for (which, suffix, present) in [
            ("request", "Body", op.body_schema().is_some()),
            ("response", "Response", op.success_schema().is_some()),
        ] {
            let name = format!("{}{suffix}", id.to_upper_camel_case());
            if present && defined.contains(&name) {
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
    let spec = crate::spec::load(spec_path)?;
    let plan = plan(&spec, cfg, layout)?;
    let touched = write::ensure_files(&plan.files, mode)?;
    Ok(Report {
        plan,
        touched,
        millis: start.elapsed().as_millis(),
    })
}
