//! The `codegen` job: load -> (3.1 -> 3.0) -> check -> lower -> fix up -> dedupe -> generate ->
//! post-process -> format -> write.
//! [`plan`] is pure (document in, files out); [`run`] adds the file system.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use heck::ToSnakeCase;
use serde_json::Value;

use crate::config::Config;
use crate::document::load::LoadedSpec;
use crate::document::{openapi31, ops};
use crate::passes::Applied;
use crate::progenitor::{types_of, Answer, OperationMap};
use crate::write::{self, Mode};
use crate::{check, dedupe, describe, fixups, format, lower, postprocess, progenitor, Error};

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
    /// Every pass of every stage (lower, fix-up, dedupe, post), in order, with the places it
    /// changed.
    pub passes: Vec<(&'static str, Applied)>,
    /// What the run noticed but did not refuse (codegen.toml entries that match nothing in a
    /// document given with `--spec`).
    pub warnings: Vec<String>,
    /// What the user should know about the document: 3.1 parts ignored, upstream mistakes
    /// absorbed by a fix-up (each naming the operation).
    pub notes: Vec<String>,
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
    /// 3.1 parts ignored and upstream mistakes absorbed ([`Plan::notes`]).
    pub notes: Vec<String>,
}

/// (3.1 -> 3.0) -> check -> lower -> fix up -> dedupe: the document progenitor is given, before
/// the describe stage. An OpenAPI 3.1 document is first lowered to the 3.0 model
/// ([`openapi31`]); every later stage reads that.
pub fn prepare(spec: &Value, cfg: &Config) -> Result<Prepared, Error> {
    let lowered = openapi31::lower(spec).map_err(Error::Unsupported)?;
    let mut notes = lowered.notes.clone();
    let from_31 = Applied {
        name: "openapi_31_to_30",
        changes: lowered.changes,
        notes: lowered.notes,
    };
    let spec = &lowered.doc;
    let problems = check::check(spec);
    if !problems.is_empty() {
        return Err(Error::Unsupported(problems));
    }
    let (lowered, lowering) = lower::apply(spec, cfg).map_err(|p| Error::Unsupported(vec![p]))?;
    let mut unused_entries = unused_entries(&lowered, cfg);
    unused_entries.extend(crate::operation_table::unused_entries(&lowered, cfg));
    let (fixed, fixing) = fixups::apply(&lowered, cfg).map_err(|p| Error::Unsupported(vec![p]))?;
    unused_entries.extend(dedupe::unused_entries(&fixed, cfg));
    let (doc, sharing) = dedupe::apply(&fixed, cfg).map_err(|p| Error::Unsupported(vec![p]))?;
    notes.extend(fixing.iter().flat_map(|a| a.notes.iter().cloned()));
    let passes = std::iter::once(("3.1", from_31))
        .chain(lowering.into_iter().map(|a| ("lower", a)))
        .chain(fixing.into_iter().map(|a| ("fix-up", a)))
        .chain(sharing.into_iter().map(|a| ("dedupe", a)))
        .collect();
    Ok(Prepared {
        doc,
        passes,
        unused_entries,
        notes,
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
    let mut found = vec![false; cfg.whole_number_answers.len()];
    mark_field_names(doc, &cfg.whole_number_answers, &mut found);
    for (field, found) in cfg.whole_number_answers.iter().zip(found) {
        if !found {
            out.push(format!(
                "codegen.toml whole_number_answers `{field}`: no property of the document has this name (remove the entry)"
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

/// Generates every file for `spec` in `layout`, without touching the disk: the stages in order.
pub fn plan(spec: &LoadedSpec, cfg: &Config, layout: &Layout) -> Result<Plan, Error> {
    let workspace = matches!(layout, Layout::Workspace { .. });
    // check -> lower -> fix up -> dedupe.
    let prepared = prepare(&spec.doc, cfg)?;
    if workspace && !prepared.unused_entries.is_empty() {
        return Err(Error::Config(
            "openapi/codegen.toml".into(),
            prepared.unused_entries.join("; "),
        ));
    }
    let fixed = &prepared.doc;
    // generate: progenitor on the described document, steered by typify_input.rs.
    let secrets = postprocess::secret_names(cfg);
    let generated = progenitor::generate(describe::document(fixed), &secrets, workspace)?;
    // post-process.
    let facts =
        postprocess::Facts::new(fixed, cfg, &generated, workspace).map_err(Error::Generate)?;
    let mut code = postprocess::Code {
        types: generated.types,
        client: generated.client,
    };
    let post = postprocess::run(&mut code, &facts).map_err(Error::Generate)?;
    let mut passes = prepared.passes;
    passes.extend(
        generated
            .input_steps
            .iter()
            .map(|a| ("generate", a.clone())),
    );
    passes.extend(post.into_iter().map(|a| ("post", a)));
    // format: the files of the layout.
    let type_count = code
        .types
        .items
        .iter()
        .filter(|i| matches!(i, syn::Item::Struct(_) | syn::Item::Enum(_)))
        .count();
    let sha = &spec.sha256;
    let files = match layout {
        Layout::Workspace { root } => {
            workspace_files(root, cfg, fixed, &generated.operations, &code, sha)?
        }
        Layout::Standalone { dir } => standalone_files(dir, code.types, code.client, sha)?,
    };
    Ok(Plan {
        files,
        operations: ops::operations(fixed).len(),
        types: type_count,
        passes,
        warnings: prepared.unused_entries,
        notes: prepared.notes,
    })
}

/// The workspace's generated files: the types, client and server-stub crates' `generated.rs`, and
/// the tests' schema index.
fn workspace_files(
    root: &Path,
    cfg: &Config,
    fixed: &Value,
    operations: &OperationMap,
    code: &postprocess::Code,
    sha: &str,
) -> Result<Vec<(PathBuf, String)>, Error> {
    let types_crate = crate::config::crate_ident(&cfg.output.types);
    let allowed = |file: &syn::File| {
        let mut file = file.clone();
        file.attrs
            .push(syn::parse_quote! { #![allow(clippy::all, dead_code)] });
        file
    };
    let mut files = vec![
        (
            root.join(&cfg.output.types).join("src/generated.rs"),
            format::render(&allowed(&code.types), sha, "The types of every request and response: structs, enums, constructors for request bodies."),
        ),
        (
            root.join(&cfg.output.client).join("src/generated.rs"),
            format::render(&allowed(&code.client), sha, "The client: one builder per operation (progenitor, builder style)."),
        ),
    ];
    if let Some(server) = &cfg.output.server {
        let server_file =
            crate::stubs::generate(fixed, operations, &types_crate).map_err(Error::Generate)?;
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
        let file = schema_index(fixed, operations, &code.types, &types_crate);
        files.push((
            root.join(index).join("src/schema_index/generated.rs"),
            format::render(
                &file,
                sha,
                "The JSON schema of each operation's Rust request and response type, for tests.",
            ),
        ));
    }
    Ok(files)
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
            Answer::Type(ty) => progenitor::types_name(ty),
            Answer::Empty | Answer::Raw => None,
        };
        let body = names.body.as_ref().and_then(progenitor::types_name);
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
        "// @generated by `cargo xtask codegen --out`, do not edit.\n// Spec SHA-256: {sha}\n//! A client generated by `cargo xtask codegen --out` (progenitor, builder style).\n\nmod generated;\npub use generated::*;\n{SUPPORT_MODULES}"
    );
    let mut files = vec![
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
    ];
    files.extend(SUPPORT.iter().map(|(name, text)| {
        (
            dir.join("src").join(name),
            format!("// Copied by `cargo xtask codegen --out` from the types crate's hand-written `src/{name}`, do not edit.\n{text}"),
        )
    }));
    Ok(files)
}

/// The types crate's hand-written modules that generated types refer to through `crate::`
/// (`Secret`, `three_state`, `js_timestamp`, `Operation`), copied into a standalone crate.
pub const SUPPORT: [(&str, &str); 4] = [
    (
        "js_timestamp.rs",
        include_str!("../../crates/infisical-auth-types/src/js_timestamp.rs"),
    ),
    (
        "operation.rs",
        include_str!("../../crates/infisical-auth-types/src/operation.rs"),
    ),
    (
        "secret.rs",
        include_str!("../../crates/infisical-auth-types/src/secret.rs"),
    ),
    (
        "three_state.rs",
        include_str!("../../crates/infisical-auth-types/src/three_state.rs"),
    ),
];

/// How a crate root declares the [`SUPPORT`] modules, as generated types expect them.
pub const SUPPORT_MODULES: &str = "pub mod js_timestamp;\nmod operation;\npub use operation::{Operation, RetryClass};\nmod secret;\npub use secret::Secret;\npub mod three_state;\n";

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
    use crate::test_support::embedded_config as cfg;

    fn spec() -> LoadedSpec {
        crate::document::load::parse(include_bytes!("../../openapi/infisical-identity-auth.json"))
            .unwrap()
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

    /// The embedded spec's OpenAPI 3.1 twin, read as YAML, generates the very files the spec
    /// does: only the header's hash (of the bytes read) differs.
    #[test]
    fn the_31_twin_generates_the_same_files() {
        let spec = spec();
        let twin = crate::document::openapi31_twin::as_openapi_31(&spec.doc);
        let yaml = serde_yaml::to_string(&twin).unwrap();
        let twin = crate::document::load::parse(yaml.as_bytes()).unwrap();
        assert_ne!(twin.sha256, spec.sha256);
        let layout = Layout::Workspace {
            root: PathBuf::from("/nonexistent"),
        };
        let from_30 = plan(&spec, &cfg(), &layout).unwrap();
        let from_31 = plan(&twin, &cfg(), &layout).unwrap();
        assert_eq!(from_31.notes, Vec::<String>::new());
        assert_eq!(from_30.files.len(), from_31.files.len());
        for ((path, a), (twin_path, b)) in from_30.files.iter().zip(&from_31.files) {
            assert_eq!(path, twin_path);
            assert!(a.contains(&spec.sha256) && b.contains(&twin.sha256));
            assert!(
                a.replace(&spec.sha256, "") == b.replace(&twin.sha256, ""),
                "{} differs",
                path.display()
            );
        }
    }

    /// A path parameter the template does not name (Infisical's 2023 folder operations) is
    /// dropped with a note naming the operation, in both layouts.
    #[test]
    fn a_stray_path_parameter_generates_with_a_note() {
        let doc = serde_json::json!({"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {
            "/api/v1/folders/{folderName}": {"delete": {
                "parameters": [
                    {"name": "folderName", "in": "path", "required": true, "schema": {"type": "string"}},
                    {"name": "folderId", "in": "path", "required": true, "schema": {"type": "string"}}
                ],
                "responses": {"200": {"description": "OK"}}
            }}
        }});
        let bytes = serde_json::to_vec(&doc).unwrap();
        let spec = crate::document::load::parse(&bytes).unwrap();
        let layout = Layout::Standalone {
            dir: PathBuf::from("/nonexistent/out"),
        };
        let planned = plan(&spec, &cfg(), &layout).unwrap();
        assert_eq!(
            planned.notes,
            ["DELETE /api/v1/folders/{folderName} (deleteApiV1FoldersByFolderName): path parameter `folderId` dropped: the path template has no `{folderId}`, so a client could not send it"]
        );
        let (_, code) = planned
            .files
            .iter()
            .find(|(p, _)| p.ends_with("src/generated.rs"))
            .unwrap();
        assert!(code.contains("folder_name") && !code.contains("folder_id"));
    }

    /// A 3.1 document without `paths` (only components and webhooks) generates a crate without
    /// operations, and says why.
    #[test]
    fn a_31_document_without_paths_generates_no_operations_with_a_note() {
        let doc = serde_json::json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
            "webhooks": {"ping": {"post": {"responses": {"200": {"description": "ok"}}}}},
            "components": {"schemas": {"Ping": {"type": "object", "properties": {"at": {"type": ["string", "null"]}}}}}});
        let bytes = serde_json::to_vec(&doc).unwrap();
        let spec = crate::document::load::parse(&bytes).unwrap();
        let layout = Layout::Standalone {
            dir: PathBuf::from("/nonexistent/out"),
        };
        let planned = plan(&spec, &cfg(), &layout).unwrap();
        assert_eq!(planned.operations, 0);
        assert_eq!(planned.notes.len(), 2, "{:?}", planned.notes);
        assert!(planned.notes.iter().any(|n| n.contains("no `paths`")));
        assert!(planned
            .notes
            .iter()
            .any(|n| n.contains("`webhooks` ignored")));
    }

    #[test]
    fn generated_files_define_none_of_the_hand_written_support() {
        // The secret type, the three-state and timestamp serde helpers and the operation row live
        // in hand-written modules of the types crate; generated files only refer to them.
        let hand_written = [
            "Secret",
            "three_state",
            "js_timestamp",
            "Operation",
            "RetryClass",
        ];
        let layouts = [
            Layout::Workspace {
                root: PathBuf::from("/nonexistent"),
            },
            Layout::Standalone {
                dir: PathBuf::from("/nonexistent/out"),
            },
        ];
        for layout in layouts {
            let plan = plan(&spec(), &cfg(), &layout).unwrap();
            for (path, text) in plan
                .files
                .iter()
                .filter(|(p, _)| p.ends_with("generated.rs"))
            {
                let file = syn::parse_file(text).unwrap();
                let mut defined = Vec::new();
                collect_definitions(&file.items, &mut defined);
                for name in hand_written {
                    assert!(
                        !defined.iter().any(|d| d == name),
                        "{} defines `{name}`",
                        path.display()
                    );
                }
            }
            // The standalone crate gets the hand-written modules as copies, beside the code.
            if let Layout::Standalone { .. } = layout {
                for (name, text) in SUPPORT {
                    let (_, copy) = plan.files.iter().find(|(p, _)| p.ends_with(name)).unwrap();
                    assert!(copy.ends_with(text), "{name} is a copy");
                }
            }
        }
    }

    /// The names of the structs, enums, modules and functions `items` define, nested ones too.
    fn collect_definitions(items: &[syn::Item], out: &mut Vec<String>) {
        for item in items {
            match item {
                syn::Item::Struct(s) => out.push(s.ident.to_string()),
                syn::Item::Enum(e) => out.push(e.ident.to_string()),
                syn::Item::Fn(f) => out.push(f.sig.ident.to_string()),
                syn::Item::Mod(m) => {
                    out.push(m.ident.to_string());
                    if let Some((_, inner)) = &m.content {
                        collect_definitions(inner, out);
                    }
                }
                _ => {}
            }
        }
    }
}
