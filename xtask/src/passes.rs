//! Document passes: named rewrites of the document as JSON that count the places they changed.
//! The lowering stage ([`crate::lower`]) and the fix-up stage ([`crate::fixups`]) are lists of
//! them; `cargo xtask codegen --verbose` prints each pass with its count. What every stage's
//! passes share is here too: what one did on a run ([`Applied`]) and the layouts one applies to
//! ([`Layouts`]).

use serde_json::{json, Map, Value};

use crate::config::Config;
use crate::problem::Problem;

/// A pass: rewrites the document, returns how many places it changed.
pub type Pass = fn(&mut Value, &Config) -> Result<usize, Problem>;

/// What one pass did on a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    /// The pass's name.
    pub name: &'static str,
    /// Places changed (0: the pass found nothing to do in this document).
    pub changes: usize,
    /// What the user should know about the changes (an upstream mistake absorbed), one line each.
    pub notes: Vec<String>,
}

/// The layouts a generate step or a post-processing pass applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layouts {
    /// The workspace crates and a standalone client crate.
    Both,
    /// The workspace crates only (types shared with the server stubs, sends through the client
    /// crate's runtime).
    Workspace,
    /// A standalone client crate only (`cargo xtask codegen --spec F --out DIR`).
    Standalone,
}

impl Layouts {
    /// Whether the workspace layout (`workspace`) or the standalone one is among these.
    pub fn includes(self, workspace: bool) -> bool {
        match self {
            Layouts::Both => true,
            Layouts::Workspace => workspace,
            Layouts::Standalone => !workspace,
        }
    }

    /// The layout a pass of these layouts only runs in, as `--verbose` names it.
    pub fn only(self) -> &'static str {
        match self {
            Layouts::Workspace => "workspace",
            Layouts::Standalone => "standalone",
            Layouts::Both => "both",
        }
    }
}

/// Runs `passes` in order on a copy of `doc`; a problem names the pass that raised it.
pub fn run(
    doc: &Value,
    cfg: &Config,
    passes: &[(&'static str, Pass)],
) -> Result<(Value, Vec<Applied>), Problem> {
    let mut doc = doc.clone();
    let mut applied = Vec::with_capacity(passes.len());
    for (name, pass) in passes {
        let changes = pass(&mut doc, cfg).map_err(|p| Problem {
            pointer: p.pointer,
            message: format!("pass `{name}`: {}", p.message),
        })?;
        applied.push(Applied {
            name,
            changes,
            notes: Vec::new(),
        });
    }
    Ok((doc, applied))
}

/// `components.schemas` of `doc`, created when missing. Refuses (naming the pointer) a document
/// whose `components` or `components.schemas` is not an object.
pub fn components_schemas(doc: &mut Value) -> Result<&mut Map<String, Value>, Problem> {
    let not_object = |pointer: &str| Problem {
        pointer: pointer.into(),
        message: "is not an object".into(),
    };
    let root = doc.as_object_mut().ok_or_else(|| not_object(""))?;
    let components = root
        .entry("components")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .ok_or_else(|| not_object("/components"))?;
    components
        .entry("schemas")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .ok_or_else(|| not_object("/components/schemas"))
}

/// Calls `f` on every parameter of every operation (after lowering, all inline); `f` returns
/// how many places it changed.
pub fn each_parameter(doc: &mut Value, f: &mut dyn FnMut(&mut Value) -> usize) -> usize {
    let keys: Vec<(String, &'static str)> = crate::document::ops::operations(doc)
        .into_iter()
        .map(|op| (op.path.to_string(), op.method))
        .collect();
    let mut count = 0;
    for (path, method) in keys {
        if let Some(params) = doc["paths"][&path][method]
            .get_mut("parameters")
            .and_then(Value::as_array_mut)
        {
            count += params.iter_mut().map(&mut *f).sum::<usize>();
        }
    }
    count
}

/// A visitor of [`each_object`]: one object and its pointer in, places changed out.
pub type ObjectVisitor<'f> =
    dyn FnMut(&mut Map<String, Value>, &str) -> Result<usize, Problem> + 'f;

/// Calls `f` on every object inside `value` (depth first, parents before children) with its
/// JSON pointer (`here` is the pointer of `value`); `f` returns how many places it changed.
pub fn each_object(
    value: &mut Value,
    here: &str,
    f: &mut ObjectVisitor<'_>,
) -> Result<usize, Problem> {
    let mut count = 0;
    match value {
        Value::Object(map) => {
            count += f(map, here)?;
            for (k, v) in map.iter_mut() {
                count += each_object(v, &crate::document::pointer::join(here, k), f)?;
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter_mut().enumerate() {
                count += each_object(v, &format!("{here}/{i}"), f)?;
            }
        }
        _ => {}
    }
    Ok(count)
}
