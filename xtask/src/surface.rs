//! The API surface of a fixed-up document as readable text, one page per group (a tag, which is
//! an auth method here; the path prefix for untagged operations): each operation's method, path,
//! security, parameters, request fields (type, required, nullability, limits, default), response
//! fields, redirects and errors. Snapshot tests hold these pages, so a spec update shows up in
//! review as a diff in API terms.

use std::fmt::Write;

use serde_json::Value;

use crate::document::{ops, refs};
use crate::{fixups, lower};

/// The groups of the document's operations ([`ops::Op::group`]), sorted, each once.
pub fn groups(doc: &Value) -> Vec<String> {
    let mut groups: Vec<String> = ops::operations(doc).iter().map(|o| o.group()).collect();
    groups.sort();
    groups.dedup();
    groups
}

/// How a caller authenticates: `none`, or each alternative (`bearer token`, `api key X-API-Key
/// in header`, ...) joined by `or`; `optional` when one alternative is no authentication.
pub fn security_line(doc: &Value, op: &ops::Op<'_>) -> String {
    let alternatives = op.security(doc);
    if alternatives.iter().all(Vec::is_empty) {
        return "none".into();
    }
    let scheme = |name: &String| {
        let s = doc
            .pointer(&format!(
                "/components/securitySchemes/{}",
                crate::document::pointer::escape(name)
            ))
            .map(|s| refs::resolve(doc, s));
        let field = |k: &str| s.and_then(|s| s.get(k)).and_then(Value::as_str);
        match (field("type"), field("scheme")) {
            (Some("http"), Some(scheme)) if scheme.eq_ignore_ascii_case("bearer") => {
                "bearer token".to_string()
            }
            (Some("http"), Some(scheme)) => format!("http {scheme}"),
            (Some("apiKey"), _) => format!(
                "api key {} in {}",
                field("name").unwrap_or("?"),
                field("in").unwrap_or("?")
            ),
            (Some(other), _) => format!("{other} `{name}`"),
            (None, _) => format!("`{name}`"),
        }
    };
    let mut parts: Vec<String> = alternatives
        .iter()
        .filter(|a| !a.is_empty())
        .map(|a| a.iter().map(scheme).collect::<Vec<_>>().join(" and "))
        .collect();
    parts.dedup();
    let line = parts.join(" or ");
    if alternatives.iter().any(Vec::is_empty) {
        format!("optional: {line}")
    } else {
        line
    }
}

/// The surface page of one group.
pub fn render_group(doc: &Value, group: &str) -> String {
    let ops: Vec<_> = ops::operations(doc)
        .into_iter()
        .filter(|o| o.group() == group)
        .collect();
    let mut out = format!("# {group}: {} operations\n", ops.len());
    for op in ops {
        let id = op.id().unwrap_or("?");
        let _ = writeln!(out, "\n## {id}: {} {}", op.method.to_uppercase(), op.path);
        let _ = writeln!(out, "security: {}", security_line(doc, &op));
        for param in op.parameters() {
            let name = param.get("name").and_then(Value::as_str).unwrap_or("?");
            let place = param.get("in").and_then(Value::as_str).unwrap_or("?");
            let required = param.get("required") == Some(&Value::Bool(true));
            let schema = param.get("schema").unwrap_or(&Value::Null);
            let _ = writeln!(out, "{place} {name}: {}", field_line(doc, schema, required));
            if let Some(items) = item_limits(doc, schema) {
                let _ = writeln!(out, "{place} {name} items: {items}");
            }
        }
        if let Some((media, body)) = op.body_media() {
            let required = op.op.pointer("/requestBody/required") == Some(&Value::Bool(true));
            let optional = if required { "" } else { " (optional)" };
            match media {
                ops::JSON => schema_lines(doc, body, &format!("request body{optional}"), &mut out),
                ops::FORM => schema_lines(
                    doc,
                    body,
                    &format!("request body{optional}, form fields"),
                    &mut out,
                ),
                lower::TEXT => {
                    let _ = writeln!(out, "request body{optional}: text");
                }
                _ => {
                    let _ = writeln!(out, "request body{optional}: bytes ({media})");
                }
            }
        }
        if let Some((code, response)) = op
            .op
            .get("responses")
            .and_then(Value::as_object)
            .and_then(|r| r.iter().find(|(c, _)| c.starts_with('2')))
        {
            let content = response.get("content").and_then(Value::as_object);
            match (op.success_schema(), content) {
                (Some(schema), _) => {
                    schema_lines(doc, schema, &format!("response {code}"), &mut out)
                }
                (None, Some(content)) if !content.is_empty() => {
                    let media: Vec<&str> = content.keys().map(String::as_str).collect();
                    let _ = writeln!(out, "response {code}: bytes ({})", media.join(", "));
                }
                (None, _) => {
                    let _ = writeln!(out, "response {code}: no body");
                }
            }
        }
        if let Some(Value::Array(codes)) = op.op.get(lower::REDIRECTS) {
            let codes: Vec<&str> = codes.iter().filter_map(Value::as_str).collect();
            let _ = writeln!(
                out,
                "redirects: {} (Location in the answer's headers)",
                codes.join(", ")
            );
        }
        let responses = op.op.get("responses").and_then(Value::as_object);
        let schema_name = |code: &str| {
            responses
                .and_then(|r| r.get(code))
                .and_then(|r| r.pointer("/content/application~1json/schema/$ref"))
                .and_then(Value::as_str)
                .map(|r| r.rsplit('/').next().unwrap_or(r))
        };
        // The codes the document declared (kept by the `shared_error_response` fix-up, which
        // turns them into the ranges 4XX and 5XX), or the non-2xx responses as they stand.
        let declared: Vec<String> = match op.op.get(fixups::DECLARED_ERRORS) {
            Some(Value::Array(codes)) => codes
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            _ => responses
                .into_iter()
                .flatten()
                .map(|(code, _)| code.clone())
                .filter(|code| !code.starts_with('2'))
                .collect(),
        };
        let errors: Vec<String> = declared
            .iter()
            .map(|code| {
                let range = format!("{}XX", code.get(..1).unwrap_or(""));
                match schema_name(code).or_else(|| schema_name(&range)) {
                    Some(name) => format!("{code} {name}"),
                    None => code.clone(),
                }
            })
            .collect();
        if !errors.is_empty() {
            let _ = writeln!(out, "errors: {}", errors.join(", "));
        }
    }
    out
}

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    refs::resolve(doc, schema)
}

/// `heading:` and the fields of an object or union schema, or `heading: <type>` for any other.
fn schema_lines(doc: &Value, schema: &Value, heading: &str, out: &mut String) {
    let resolved = resolve(doc, schema);
    if resolved.get("properties").is_some() || resolved.get("oneOf").is_some() {
        let _ = writeln!(out, "{heading}:");
        fields(doc, schema, "", out);
    } else {
        let _ = writeln!(out, "{heading}: {}", type_name(doc, schema));
    }
}

/// Lists the fields of an object schema (recursively), one line each, with `prefix.` paths. A
/// recursive schema is listed once: a reference met again inside itself is not expanded.
fn fields(doc: &Value, schema: &Value, prefix: &str, out: &mut String) {
    expand(doc, schema, prefix, out, &mut Vec::new());
}

fn expand<'a>(
    doc: &'a Value,
    schema: &'a Value,
    prefix: &str,
    out: &mut String,
    active: &mut Vec<&'a str>,
) {
    let reference = schema.get("$ref").and_then(Value::as_str);
    if let Some(r) = reference {
        if active.contains(&r) {
            return;
        }
        active.push(r);
    }
    expand_resolved(doc, resolve(doc, schema), prefix, out, active);
    if reference.is_some() {
        active.pop();
    }
}

fn expand_resolved<'a>(
    doc: &'a Value,
    schema: &'a Value,
    prefix: &str,
    out: &mut String,
    active: &mut Vec<&'a str>,
) {
    if let Some(options) = schema.get("oneOf").and_then(Value::as_array) {
        let names: Vec<&str> = options
            .iter()
            .map(|o| o.get("title").and_then(Value::as_str).unwrap_or("?"))
            .collect();
        let _ = writeln!(
            out,
            "  {}one of: {}",
            if prefix.is_empty() {
                String::new()
            } else {
                format!("{prefix} ")
            },
            names.join(" | ")
        );
        for (option, name) in options.iter().zip(names) {
            expand(doc, option, &format!("{prefix}<{name}>"), out, active);
        }
        return;
    }
    let required = ops::required(schema);
    for (name, prop) in ops::properties(schema) {
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        let prop_resolved = resolve(doc, prop);
        let _ = writeln!(
            out,
            "  {path}: {}",
            field_line(doc, prop, required.contains(&name.as_str()))
        );
        if prop_resolved.get("properties").is_some() || prop_resolved.get("oneOf").is_some() {
            expand(doc, prop, &path, out, active);
        } else if let Some(items) = prop_resolved.get("items") {
            let resolved = resolve(doc, items);
            if resolved.get("properties").is_some() || resolved.get("oneOf").is_some() {
                expand(doc, items, &format!("{path}[]"), out, active);
            } else if let Some(limits) = item_limits(doc, prop) {
                let _ = writeln!(out, "  {path} items: {limits}");
            }
        }
    }
}

/// For an array of primitives whose items carry limits of their own (nullability, enum, range,
/// length, items, default): the items' type and those limits, e.g. `string, length >= 1`. `None`
/// when the items say nothing beyond the type already shown in `array<..>`.
fn item_limits(doc: &Value, schema: &Value) -> Option<String> {
    let items = resolve(doc, schema).get("items")?;
    let resolved = resolve(doc, items);
    if resolved.get("properties").is_some() || resolved.get("oneOf").is_some() {
        return None;
    }
    let limits = limits(resolved, Style::Text);
    if limits.is_empty() {
        return None;
    }
    let mut parts = vec![type_name(doc, items)];
    parts.extend(limits);
    Some(parts.join(", "))
}

/// How a field line writes its type and its values (enum values, default).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// As they are: the API surface (`array<string>`, `default "https://.."`).
    Text,
    /// Each as a Markdown code span, for rustdoc: `array<string>` is then no HTML tag and a URL
    /// default no bare link.
    Markdown,
}

impl Style {
    fn code(self, text: String) -> String {
        match self {
            Style::Text => text,
            Style::Markdown => format!("`{text}`"),
        }
    }
}

/// One line for a field: type, required-ness, nullability, format, enum, limits, default (e.g.
/// `integer, optional, range 0..=315360000, default 2592000`).
pub fn field_line(doc: &Value, schema: &Value, required: bool) -> String {
    field_line_in(doc, schema, required, Style::Text)
}

/// [`field_line`] in `style`.
pub fn field_line_in(doc: &Value, schema: &Value, required: bool, style: Style) -> String {
    let mut parts = vec![style.code(type_name(doc, schema))];
    parts.push(if required {
        "required".into()
    } else {
        "optional".into()
    });
    parts.extend(limits(resolve(doc, schema), style));
    parts.join(", ")
}

/// Nullability, enum, range/length/items limits and default of a resolved schema, in that order.
fn limits(resolved: &Value, style: Style) -> Vec<String> {
    let mut parts = Vec::new();
    if resolved.get("nullable") == Some(&Value::Bool(true)) {
        parts.push("nullable".into());
    }
    if let Some(values) = resolved.get("enum").and_then(Value::as_array) {
        let values: Vec<String> = values.iter().map(|v| style.code(v.to_string())).collect();
        parts.push(format!("one of {}", values.join(", ")));
    }
    let bound = |key: &str| resolved.get(key).map(Value::to_string);
    let exclusive = |key: &str| resolved.get(key) == Some(&Value::Bool(true));
    match (bound("minimum"), bound("maximum")) {
        (min, max) if exclusive("exclusiveMinimum") || exclusive("exclusiveMaximum") => {
            let lower = min.map(|m| {
                let op = if exclusive("exclusiveMinimum") {
                    ">"
                } else {
                    ">="
                };
                format!("{op} {m}")
            });
            let upper = max.map(|m| {
                let op = if exclusive("exclusiveMaximum") {
                    "<"
                } else {
                    "<="
                };
                format!("{op} {m}")
            });
            let both: Vec<String> = lower.into_iter().chain(upper).collect();
            if !both.is_empty() {
                parts.push(format!("range {}", both.join(" and ")));
            }
        }
        (Some(min), Some(max)) => parts.push(format!("range {min}..={max}")),
        (Some(min), None) => parts.push(format!("range >= {min}")),
        (None, Some(max)) => parts.push(format!("range <= {max}")),
        (None, None) => {}
    }
    match (bound("minLength"), bound("maxLength")) {
        (Some(min), Some(max)) => parts.push(format!("length {min}..={max}")),
        (Some(min), None) => parts.push(format!("length >= {min}")),
        (None, Some(max)) => parts.push(format!("length <= {max}")),
        (None, None) => {}
    }
    match (bound("minItems"), bound("maxItems")) {
        (Some(min), Some(max)) => parts.push(format!("items {min}..={max}")),
        (Some(min), None) => parts.push(format!("items >= {min}")),
        (None, Some(max)) => parts.push(format!("items <= {max}")),
        (None, None) => {}
    }
    if let Some(default) = resolved.get("default") {
        parts.push(format!("default {}", style.code(default.to_string())));
    }
    parts
}

fn type_name(doc: &Value, schema: &Value) -> String {
    // `allOf` of one schema (how a nullable reference is written) is that schema.
    if let Some([only]) = schema
        .get("allOf")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    {
        return type_name(doc, only);
    }
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap_or(r);
        let resolved = resolve(doc, schema);
        return format!("{name} ({})", type_name(doc, resolved));
    }
    if schema.get("oneOf").is_some() {
        return "union".into();
    }
    let base = match schema.get("type").and_then(Value::as_str) {
        Some("array") => {
            let items = schema.get("items").unwrap_or(&Value::Null);
            format!("array<{}>", type_name(doc, items))
        }
        Some(t) => t.to_string(),
        None if schema.get("properties").is_some() => "object".into(),
        None => "any".into(),
    };
    match schema.get("format").and_then(Value::as_str) {
        Some(format) => format!("{base}({format})"),
        None => base,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_limits_of_primitive_arrays_get_a_line() {
        let doc = serde_json::json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {"/things": {"post": {
                "tags": ["Things"],
                "operationId": "createThing",
                "parameters": [{"name": "ids", "in": "query", "schema": {
                    "type": "array", "items": {"type": "string", "format": "uuid", "maxLength": 36}
                }}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {
                    "type": "object",
                    "required": ["keys"],
                    "properties": {
                        "keys": {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}},
                        "tags": {"type": "array", "items": {"type": "string"}},
                        "levels": {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 9}}
                    }
                }}}},
                "responses": {"200": {"description": "ok"}}
            }}}
        });
        let page = render_group(&doc, "Things");
        let lines: Vec<&str> = page.lines().collect();
        for expected in [
            "query ids: array<string(uuid)>, optional",
            "query ids items: string(uuid), length <= 36",
            "  keys: array<string>, required, items >= 1",
            "  keys items: string, length >= 1",
            "  tags: array<string>, optional",
            "  levels items: integer, range 0..=9",
        ] {
            assert!(lines.contains(&expected), "{expected:?} in\n{page}");
        }
        // Items without limits of their own add nothing beyond `array<string>`.
        assert!(!page.contains("tags items"), "{page}");
    }
}
