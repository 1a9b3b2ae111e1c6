//! Post-process stage: named passes over progenitor's output (the types module and the client as
//! `syn` trees) for what progenitor's and typify's settings cannot express, in the order of
//! [`PASSES`]. Each pass lives in the file of its concern, decides on structure (never printed
//! tokens or doc prose), returns how many places it changed, and has a unit test on a small tree
//! shaped as progenitor writes it; a test fails when a pass changes nothing (docs/generator.md).

mod bodies;
mod directions;
mod docs;
mod secrets;
mod sends;
mod serde_attrs;
mod syntax;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

use heck::ToSnakeCase;
use serde_json::Value;

pub use bodies::FieldRef;
pub use sends::{BodyKind, Route};
pub use serde_attrs::serde_camel_case;
pub use syntax::ident;

use crate::config::Config;
use crate::document::ops;
use crate::lower;
use crate::passes::{Applied, Layouts};
use crate::progenitor::{self, Answer, OperationMap};

/// What the passes rewrite: progenitor's output, split.
pub struct Code {
    /// The types module.
    pub types: syn::File,
    /// The client: `Client`, one builder per operation.
    pub client: syn::File,
}

/// What the passes know from the document and the configuration.
pub struct Facts {
    /// The workspace layout (else standalone).
    pub workspace: bool,
    /// The Rust name of the types crate (workspace layout).
    pub types_crate: String,
    /// Snake-case names of the fields that hold secrets (`secret_fields`).
    pub secrets: BTreeSet<String>,
    /// The name the types module gives the hand-written `Secret`.
    pub secret: String,
    /// Per client builder, the snake-case names of its header parameters that carry secrets.
    pub secret_headers: BTreeMap<String, BTreeSet<String>>,
    /// Optional nullable fields of PATCH bodies, which keep three states on the wire.
    pub three_state: Vec<FieldRef>,
    /// The operations' body types (generated types).
    pub bodies: BTreeSet<String>,
    /// Builders of operations answered by redirects whose success has no body.
    pub redirecting: BTreeSet<String>,
    /// Each operation's request as the document declares it, by builder (workspace layout).
    pub routes: BTreeMap<String, Route>,
    /// `serde_both_ways`.
    pub both_ways: BTreeSet<String>,
    /// The operation table, `OPERATIONS`.
    pub operation_table: syn::Item,
}

/// One post-processing pass.
pub struct Pass {
    /// Its name, as `--verbose` prints it.
    pub name: &'static str,
    /// The layouts it applies to.
    pub layouts: Layouts,
    /// What it does, in a line.
    pub doc: &'static str,
    /// Runs it: the number of places changed, or why the output cannot be generated.
    pub run: fn(&mut Code, &Facts) -> Result<usize, String>,
}

/// Every pass, in the order they run.
pub const PASSES: &[Pass] = &[
    Pass {
        name: "drop_builders",
        layouts: Layouts::Both,
        doc: "typify's builders go: request bodies are values",
        run: |code, _| Ok(bodies::drop_builders(&mut code.types)),
    },
    Pass {
        name: "redirects_as_success",
        layouts: Layouts::Standalone,
        doc: "3xx answers of operations answered by redirects are successes (ResponseValue<()> with Location)",
        run: |code, facts| Ok(sends::redirects_as_success(&mut code.client, &facts.redirecting)),
    },
    Pass {
        name: "secret_types",
        layouts: Layouts::Both,
        doc: "secret fields, which typify's conversion holds in the hand-written Secret, find it imported",
        run: |code, facts| Ok(secrets::secret_types(&mut code.types, &facts.secret)),
    },
    Pass {
        name: "three_state_fields",
        layouts: Layouts::Both,
        doc: "optional nullable PATCH fields are Option<Option<T>>: absent, null or a value",
        run: |code, facts| bodies::three_state_fields(&mut code.types, &facts.three_state),
    },
    Pass {
        name: "js_timestamps",
        layouts: Layouts::Both,
        doc: "timestamps are written as Infisical writes them (milliseconds, Z), by the hand-written js_timestamp",
        run: |code, _| Ok(serde_attrs::js_timestamps(&mut code.types)),
    },
    Pass {
        name: "text_conversions_where_taken",
        layouts: Layouts::Both,
        doc: "string enums keep TryFrom<&str> and TryFrom<String> only where a setter takes them",
        run: |code, _| Ok(bodies::text_conversions_where_taken(&mut code.types, &code.client)),
    },
    Pass {
        name: "redact_secrets",
        layouts: Layouts::Both,
        doc: "Debug of a type with a secret field prints <redacted> for it",
        run: |code, facts| Ok(secrets::redact_secrets(&mut code.types, &facts.secrets)),
    },
    Pass {
        name: "redact_secret_headers",
        layouts: Layouts::Both,
        doc: "Debug of a client builder with a secret header parameter prints <redacted> for it",
        run: |code, facts| {
            Ok(secrets::redact_secret_headers(&mut code.client, &facts.secret_headers))
        },
    },
    Pass {
        name: "string_setters",
        layouts: Layouts::Both,
        doc: "a client builder's String setter takes impl Into<String>",
        run: |code, _| Ok(bodies::string_setters(&mut code.client)),
    },
    Pass {
        name: "document_items",
        layouts: Layouts::Both,
        doc: "every public item progenitor and typify leave bare gets a doc line (missing_docs)",
        run: |code, _| {
            Ok(docs::document_items(&mut code.types) + docs::document_items(&mut code.client))
        },
    },
    Pass {
        name: "schemars_behind_feature",
        layouts: Layouts::Both,
        doc: "schemars derives and attributes only with the schemars feature",
        run: |code, _| Ok(serde_attrs::schemars_behind_feature(&mut code.types)),
    },
    Pass {
        name: "short_default_names",
        layouts: Layouts::Both,
        doc: "serde default functions are named after the field they fill, one per name and value",
        run: |code, _| Ok(serde_attrs::short_default_names(&mut code.types)),
    },
    Pass {
        name: "body_constructors",
        layouts: Layouts::Both,
        doc: "a request body with required fields gets X::new(required..), each optional field at its default",
        run: |code, facts| Ok(bodies::body_constructors(&mut code.types, &facts.bodies)),
    },
    Pass {
        name: "camel_case_renames",
        layouts: Layouts::Both,
        doc: "one #[serde(rename_all = \"camelCase\")] per container instead of a rename per member",
        run: |code, _| Ok(serde_attrs::camel_case_renames(&mut code.types)),
    },
    Pass {
        name: "serde_by_direction",
        layouts: Layouts::Workspace,
        doc: "Serialize and Deserialize behind the client and server features, by the side that uses them",
        run: |code, facts| {
            directions::serde_by_direction(&mut code.types, &code.client, &facts.both_ways)
        },
    },
    Pass {
        name: "one_line_serde_attrs",
        layouts: Layouts::Both,
        doc: "one serde attribute per item where that takes fewer lines",
        run: |code, _| Ok(serde_attrs::one_line_serde_attrs(&mut code.types)),
    },
    Pass {
        name: "bodies_as_values",
        layouts: Layouts::Both,
        doc: "a client builder takes its request body whole, as a value of the body type",
        run: |code, _| {
            let with_default = syntax::with_default(&code.types);
            Ok(sends::bodies_as_values(&mut code.client, &with_default))
        },
    },
    Pass {
        name: "route_through_runtime",
        layouts: Layouts::Workspace,
        doc: "every send is one chain into the client crate's runtime, with the values the document declares",
        run: |code, facts| sends::route_through_runtime(&mut code.client, &facts.routes),
    },
    Pass {
        name: "crypto_provider_in_new",
        layouts: Layouts::Workspace,
        doc: "Client::new installs the rustls provider first (the client crate's tls.rs), as Client::connect does",
        run: |code, _| Ok(sends::crypto_provider_in_new(&mut code.client)),
    },
    Pass {
        name: "types_from_the_types_crate",
        layouts: Layouts::Workspace,
        doc: "the client names the shared types crate as `types`",
        run: |code, facts| {
            let krate = syntax::ident(&facts.types_crate);
            code.client.items.insert(
                0,
                syn::parse_quote! {
                    /// The request and response types, shared with the server-stub crate.
                    pub use #krate as types;
                },
            );
            Ok(1)
        },
    },
    Pass {
        name: "operation_table",
        layouts: Layouts::Both,
        doc: "OPERATIONS: each operation's method, path, bearer token and retry class, from the document",
        run: |code, facts| {
            code.types.items.push(facts.operation_table.clone());
            Ok(1)
        },
    },
];

/// Runs every pass of [`PASSES`] that applies to the layout of `facts` on `code`, in order; an
/// error names the pass.
pub fn run(code: &mut Code, facts: &Facts) -> Result<Vec<Applied>, String> {
    let mut applied = Vec::new();
    for pass in PASSES
        .iter()
        .filter(|p| p.layouts.includes(facts.workspace))
    {
        let changes = (pass.run)(code, facts).map_err(|e| format!("pass `{}`: {e}", pass.name))?;
        applied.push(Applied {
            name: pass.name,
            changes,
            notes: Vec::new(),
        });
    }
    Ok(applied)
}

impl Facts {
    /// What the passes need to know, read from the fixed-up document `doc`, the configuration
    /// and what progenitor named each operation's types (`operations`).
    pub fn new(
        doc: &Value,
        cfg: &Config,
        generated: &progenitor::Generated,
        workspace: bool,
    ) -> Result<Facts, String> {
        let operations = &generated.operations;
        let types_of = |op: &ops::Op<'_>| progenitor::types_of(operations, op);
        let body_type = |op: &ops::Op<'_>| progenitor::types_name(types_of(op)?.body.as_ref()?);
        let all = ops::operations(doc);
        let mut routes = BTreeMap::new();
        if workspace {
            for op in &all {
                if let Some(types) = types_of(op) {
                    routes.insert(types.builder.clone(), Route::of(op)?);
                }
            }
        }
        Ok(Facts {
            workspace,
            types_crate: crate::config::crate_ident(&cfg.output.types),
            secrets: secret_names(cfg),
            secret: generated.secret.clone(),
            secret_headers: secret_headers(&all, cfg, operations),
            three_state: three_state_fields(&all, &body_type),
            bodies: all.iter().filter_map(body_type).collect(),
            redirecting: all
                .iter()
                .filter(|op| op.op.get(lower::REDIRECTS).is_some())
                .filter_map(types_of)
                .filter(|t| t.response == Answer::Empty)
                .map(|t| t.builder.clone())
                .collect(),
            routes,
            both_ways: cfg.serde_both_ways.iter().cloned().collect(),
            operation_table: crate::operation_table::item(doc, cfg),
        })
    }
}

/// Snake-case names of the fields that hold secrets (`secret_fields`).
pub fn secret_names(cfg: &Config) -> BTreeSet<String> {
    let names = cfg.secret_fields.iter();
    names.map(|s| s.to_snake_case()).collect()
}

/// Optional nullable fields of PATCH bodies (`body_type`: an operation's body type name).
fn three_state_fields(
    all: &[ops::Op<'_>],
    body_type: &dyn Fn(&ops::Op<'_>) -> Option<String>,
) -> Vec<FieldRef> {
    let mut out = Vec::new();
    for op in all.iter().filter(|op| op.method == "patch") {
        let (Some(body), Some(type_name)) = (op.body_schema(), body_type(op)) else {
            continue;
        };
        let required = ops::required(body);
        for (name, schema) in ops::properties(body) {
            if schema.get("nullable") == Some(&Value::Bool(true))
                && !required.contains(name.as_str())
            {
                let (type_name, field) = (type_name.clone(), name.to_snake_case());
                out.push(FieldRef { type_name, field });
            }
        }
    }
    out
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
    all: &[ops::Op<'_>],
    cfg: &Config,
    operations: &OperationMap,
) -> BTreeMap<String, BTreeSet<String>> {
    let listed: BTreeSet<String> = cfg
        .secret_fields
        .iter()
        .map(|f| f.to_ascii_lowercase())
        .collect();
    let secret = |name: &&str| {
        let lower = name.to_ascii_lowercase();
        listed.contains(&lower) || SECRET_HEADER_WORDS.iter().any(|w| lower.contains(w))
    };
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for op in all {
        let Some(types) = progenitor::types_of(operations, op) else {
            continue;
        };
        let headers = op.parameters().filter(|p| p["in"] == "header");
        for name in headers
            .filter_map(|p| p.get("name")?.as_str())
            .filter(secret)
        {
            out.entry(types.builder.clone())
                .or_default()
                .insert(name.to_snake_case());
        }
    }
    out
}
