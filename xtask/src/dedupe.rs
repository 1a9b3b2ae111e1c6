//! Deduplication stage (after fix-ups, before describe): one type per API concept.
//!
//! Infisical's document repeats the same schema inline wherever it is used: the universal-auth
//! configuration in four answers, the trusted-IP input entry `{ipAddress}` in 29 bodies. typify
//! generates one type per copy, so a user cannot write one function that takes "a universal-auth
//! configuration". The pass [`one_type_per_concept`] hoists every schema that occurs more than
//! once (same canonical JSON: keys sorted, everything else as it is after the fix-ups) into
//! `components/schemas/<Name>` and replaces each copy with a `$ref`; a copy identical to an
//! existing component becomes a `$ref` to it. Copies that diverge in a later document are no
//! longer identical and are generated separately again.
//!
//! What is shared: inline object schemas with properties and unions (`oneOf`/`anyOf`) inside
//! request bodies, answers and components; and an operation's whole success answer when it is
//! identical to the answers of operations in other groups (auth methods): the access-token answer
//! of every login and of the token renewal is one `AccessTokenResponse`, and progenitor names
//! each of those operations' answer by it (`shareable_answers`). Not shared: an operation's own
//! body, its answer when only operations of its own group have the same one (each keeps the type
//! named after it, `GetUniversalAuthResponse`), an option of a union (named by its title), a
//! nullable schema (its `nullable` belongs to the place that uses it).
//!
//! The naming rule, in `default_name`: the wire name of the property that holds the copy, in
//! UpperCamelCase (`identityUniversalAuth` -> `IdentityUniversalAuth`), for an array's items its
//! singular or with `Item` (`accessTokenTrustedIps: [..]` -> `AccessTokenTrustedIp`), for a whole
//! answer its first required property and `Response` (`answer_name`); when the copies sit under
//! different names, the words all of them end with
//! (`AccessTokenTrustedIp`, `ClientSecretTrustedIp` -> `TrustedIp`), else the shortest name.
//! `[shared_names]` in `openapi/codegen.toml` replaces a default name by another one; an entry
//! whose default name no shared schema has is reported like every other unused entry.

use std::collections::{BTreeMap, BTreeSet};

use heck::ToUpperCamelCase;
use serde_json::{Map, Value};

use crate::config::Config;
use crate::document::{ops, pointer};
use crate::passes::{self, Applied, Pass};
use crate::problem::Problem;

/// The stage's passes (one), in order.
pub const PASSES: &[(&str, Pass)] = &[("one_type_per_concept", one_type_per_concept)];

/// Runs the stage on a copy of `doc` (a fixed-up document, see [`crate::fixups`]).
pub fn apply(doc: &Value, cfg: &Config) -> Result<(Value, Vec<Applied>), Problem> {
    passes::run(doc, cfg, PASSES)
}

/// One inline schema the walk met.
#[derive(Clone, Debug)]
struct Occurrence {
    /// Where it is (in the document as it was before the pass).
    pointer: String,
    /// The name the naming rule gives this copy alone.
    name: String,
    /// The operation whose body or answer holds it (none inside components).
    operation: Option<String>,
    /// For a whole success answer: its operation's group (tag), see [`shareable_answers`].
    answer_of: Option<String>,
}

/// Copies of one schema, grouped by canonical JSON.
#[derive(Clone, Debug, Default)]
struct Group {
    /// An existing component with this exact schema, if any.
    component: Option<String>,
    /// Every inline copy, in document order.
    copies: Vec<Occurrence>,
}

/// The pass: hoists every schema that occurs at least twice (or once beside an identical
/// component) and replaces each copy with a `$ref`. Counts the copies replaced.
pub fn one_type_per_concept(doc: &mut Value, cfg: &Config) -> Result<usize, Problem> {
    let groups = groups(doc);
    // Outer schemas first: a copy inside a hoisted schema moves with it (the first copy) or
    // disappears (the others), see `relocate`.
    let mut order: Vec<(&String, &Group)> = groups.iter().collect();
    order.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(b.0)));
    let mut taken: BTreeSet<String> = passes::components_schemas(doc)?.keys().cloned().collect();
    let mut moves: Vec<(String, Option<String>)> = Vec::new();
    let mut count = 0;
    for (_, group) in order {
        let copies: Vec<(String, &Occurrence)> = group
            .copies
            .iter()
            .filter_map(|o| relocate(&o.pointer, &moves).map(|p| (p, o)))
            .collect();
        let needed = if group.component.is_some() { 1 } else { 2 };
        if copies.len() < needed || !shareable_answers(group) {
            continue;
        }
        let name = match &group.component {
            Some(name) => name.clone(),
            None => {
                let occurrences: Vec<&Occurrence> = copies.iter().map(|(_, o)| *o).collect();
                let name = chosen_name(&occurrences, cfg, &taken);
                let mut schema = doc.pointer(&copies[0].0).cloned().unwrap_or_default();
                if let Value::Object(map) = &mut schema {
                    if !map.contains_key("description") {
                        map.insert(
                            "description".into(),
                            Value::String(description(&occurrences)),
                        );
                    }
                }
                passes::components_schemas(doc)?.insert(name.clone(), schema);
                taken.insert(name.clone());
                name
            }
        };
        let target = pointer::join("/components/schemas", &name);
        for (i, (here, _)) in copies.iter().enumerate() {
            if let Some(slot) = doc.pointer_mut(here) {
                *slot = reference(&name);
            }
            let kept = (i == 0 && group.component.is_none()).then(|| target.clone());
            moves.push((here.clone(), kept));
            count += 1;
        }
    }
    Ok(count)
}

/// The default name of every schema the pass would share in `doc`, for reporting unused
/// `[shared_names]` entries. Components already named keep their names and are not listed.
pub fn default_names(doc: &Value) -> BTreeSet<String> {
    groups(doc)
        .into_values()
        .filter(|g| g.component.is_none() && g.copies.len() > 1 && shareable_answers(g))
        .map(|g| default_name(&g.copies.iter().collect::<Vec<_>>()))
        .collect()
}

/// Entries of `[shared_names]` whose default name no shared schema of `doc` (a fixed-up
/// document) has, each naming the entry and what to do.
pub fn unused_entries(doc: &Value, cfg: &Config) -> Vec<String> {
    let names = default_names(doc);
    cfg.shared_names
        .keys()
        .filter(|k| !names.contains(*k))
        .map(|k| format!("codegen.toml [shared_names] `{k}`: no shared schema has this default name (remove or update the entry)"))
        .collect()
}

/// `{"$ref": "#/components/schemas/<name>"}`.
fn reference(name: &str) -> Value {
    let mut map = Map::new();
    map.insert(
        "$ref".into(),
        Value::String(format!("#{}", pointer::join("/components/schemas", name))),
    );
    Value::Object(map)
}

/// Where the copy first met at `original` is now, after the replacements in `moves` (each a
/// replaced pointer and, for the copy that became the component, its new place); `None` when it
/// was inside a copy that was replaced by a reference.
fn relocate(original: &str, moves: &[(String, Option<String>)]) -> Option<String> {
    let mut here = original.to_string();
    for (replaced, kept) in moves {
        if here == *replaced {
            return None;
        }
        if let Some(rest) = here.strip_prefix(replaced.as_str()) {
            if rest.starts_with('/') {
                here = format!("{}{rest}", kept.as_ref()?);
            }
        }
    }
    Some(here)
}

/// Every shareable schema of `doc`, grouped by canonical JSON.
fn groups(doc: &Value) -> BTreeMap<String, Group> {
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    let mut add = |canonical: String, occurrence: Occurrence| {
        groups.entry(canonical).or_default().copies.push(occurrence);
    };
    for op in ops::operations(doc) {
        let base = op.pointer();
        let id = op.id().unwrap_or_default().to_string();
        let mut roots = Vec::new();
        if let Some(Value::Object(content)) = op.op.pointer("/requestBody/content") {
            for (media, m) in content {
                let here = format!(
                    "{base}/requestBody/content/{}/schema",
                    pointer::escape(media)
                );
                roots.push((here, m.get("schema"), format!("{}Body", camel(&id)), false));
            }
        }
        for (code, r) in op
            .op
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            for (media, m) in r
                .get("content")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                let here = format!(
                    "{base}/responses/{}/content/{}/schema",
                    pointer::escape(code),
                    pointer::escape(media)
                );
                roots.push((
                    here,
                    m.get("schema"),
                    format!("{}Response", camel(&id)),
                    code.starts_with('2'),
                ));
            }
        }
        for (here, schema, fallback, success) in roots {
            if let Some(schema) = schema {
                let ctx = Context {
                    operation: Some(id.as_str()),
                    name: &fallback,
                    root: true,
                };
                let text = canonical(schema, &here, &ctx, &mut add);
                // A success answer identical to another one is shared too (the login answers):
                // progenitor then names the operation's answer by the shared component.
                if let Some(map) = schema.as_object().filter(|m| success && shareable(m)) {
                    add(
                        text,
                        Occurrence {
                            pointer: here,
                            name: answer_name(map).unwrap_or(fallback),
                            operation: Some(id.clone()),
                            answer_of: Some(op.group()),
                        },
                    );
                }
            }
        }
    }
    let components = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object);
    let mut anchors = Vec::new();
    for (name, schema) in components.into_iter().flatten() {
        let here = pointer::join("/components/schemas", name);
        let ctx = Context {
            operation: None,
            name,
            root: true,
        };
        anchors.push((canonical(schema, &here, &ctx, &mut add), name.clone()));
    }
    for (canonical, name) in anchors {
        if let Some(group) = groups.get_mut(&canonical) {
            group.component.get_or_insert(name);
        }
    }
    groups
}

/// Where the walk is: the operation, the name a shareable schema here would get, and whether the
/// schema here is a root (an operation's body or answer, a component), never shared itself.
struct Context<'a> {
    operation: Option<&'a str>,
    name: &'a str,
    root: bool,
}

/// The canonical JSON of `value` (keys sorted); records every shareable schema inside it.
fn canonical(
    value: &Value,
    here: &str,
    ctx: &Context<'_>,
    add: &mut dyn FnMut(String, Occurrence),
) -> String {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let mut out = String::from("{");
            for (i, key) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String((*key).clone()).to_string());
                out.push(':');
                let child_here = pointer::join(here, key);
                out.push_str(&child(&map[*key], key, &child_here, ctx, add));
            }
            out.push('}');
            if !ctx.root && shareable(map) {
                add(
                    out.clone(),
                    Occurrence {
                        pointer: here.to_string(),
                        name: ctx.name.to_string(),
                        operation: ctx.operation.map(String::from),
                        answer_of: None,
                    },
                );
            }
            out
        }
        Value::Array(items) => {
            let parts: Vec<String> = items
                .iter()
                .enumerate()
                .map(|(i, v)| canonical(v, &format!("{here}/{i}"), ctx, add))
                .collect();
            format!("[{}]", parts.join(","))
        }
        other => other.to_string(),
    }
}

/// The canonical JSON of the member `key` of a schema object, with the naming context below it.
fn child(
    value: &Value,
    key: &str,
    here: &str,
    ctx: &Context<'_>,
    add: &mut dyn FnMut(String, Occurrence),
) -> String {
    match key {
        // A property map: each member is a schema named by its wire name.
        "properties" => {
            let Value::Object(props) = value else {
                return value.to_string();
            };
            let mut names: Vec<&String> = props.keys().collect();
            names.sort();
            let parts: Vec<String> = names
                .iter()
                .map(|name| {
                    let property = camel(name);
                    let inner = Context {
                        operation: ctx.operation,
                        name: &property,
                        root: false,
                    };
                    let text = canonical(&props[*name], &pointer::join(here, name), &inner, add);
                    format!("{}:{text}", Value::String((*name).clone()))
                })
                .collect();
            format!("{{{}}}", parts.join(","))
        }
        "items" | "additionalProperties" => {
            let name = if key == "items" {
                item_name(ctx.name)
            } else {
                format!("{}Value", ctx.name)
            };
            let inner = Context {
                operation: ctx.operation,
                name: &name,
                root: false,
            };
            canonical(value, here, &inner, add)
        }
        // Union options are named by their titles: never shared one by one.
        "oneOf" | "anyOf" | "allOf" => {
            let inner = Context { root: true, ..*ctx };
            canonical(value, here, &inner, add)
        }
        // Anything else (enum values, defaults, examples, extensions) is data, not schemas.
        _ => value.to_string(),
    }
}

/// `name` in UpperCamelCase, remembered: the walk names every property of every schema (twice
/// a run, see [`unused_entries`]), and the same wire names recur throughout the document.
fn camel(name: &str) -> String {
    thread_local! {
        static KNOWN: std::cell::RefCell<std::collections::HashMap<String, String>> =
            Default::default();
    }
    KNOWN.with(|known| {
        if let Some(camel) = known.borrow().get(name) {
            return camel.clone();
        }
        let camel = name.to_upper_camel_case();
        known.borrow_mut().insert(name.to_owned(), camel.clone());
        camel
    })
}

/// Whether typify makes a type of its own of this schema, one a place that uses it can share:
/// an object with properties or a union, not nullable, not a reference.
fn shareable(map: &Map<String, Value>) -> bool {
    let has_properties = map
        .get("properties")
        .and_then(Value::as_object)
        .is_some_and(|p| !p.is_empty());
    let union = map.contains_key("oneOf") || map.contains_key("anyOf");
    (has_properties || union)
        && !map.contains_key("$ref")
        && map.get("nullable") != Some(&Value::Bool(true))
}

/// Whether the whole success answers among `group`'s copies may be shared: when they are the
/// answers of operations in at least two groups (auth methods), like the access-token answer of
/// every login. Within one group each operation keeps the answer type named after it
/// (`GetUniversalAuthResponse`), the concept inside it being shared anyway. A group without
/// whole answers is not concerned.
fn shareable_answers(group: &Group) -> bool {
    let groups: BTreeSet<&str> = group
        .copies
        .iter()
        .filter_map(|o| o.answer_of.as_deref())
        .collect();
    // None: no whole answer among the copies; one: answers of a single group only.
    groups.len() != 1
}

/// The name of a shared success answer: its first required property (else its first property)
/// in UpperCamelCase, and `Response` (`{accessToken, expiresIn, ..}` -> `AccessTokenResponse`).
/// `None` for a union.
fn answer_name(schema: &Map<String, Value>) -> Option<String> {
    let first = schema
        .get("required")
        .and_then(Value::as_array)
        .and_then(|r| r.first())
        .and_then(Value::as_str)
        .or_else(|| {
            schema
                .get("properties")?
                .as_object()?
                .keys()
                .next()
                .map(String::as_str)
        })?;
    Some(format!("{}Response", first.to_upper_camel_case()))
}

/// The name of an array's item: the singular of a plural name (`TrustedIps` -> `TrustedIp`),
/// else the name and `Item`.
fn item_name(list: &str) -> String {
    match list.strip_suffix('s') {
        Some(single) if !single.ends_with('s') && !single.is_empty() => single.to_string(),
        _ => format!("{list}Item"),
    }
}

/// The naming rule: the words every copy's own name ends with, or the shortest name (the first
/// of those) when they share none (or only `Item`/`Value`).
fn default_name(copies: &[&Occurrence]) -> String {
    let words: Vec<Vec<String>> = copies.iter().map(|o| split_words(&o.name)).collect();
    let first = &words[0];
    let mut common = 0;
    while common < first.len()
        && words
            .iter()
            .all(|w| w.len() > common && w[w.len() - 1 - common] == first[first.len() - 1 - common])
    {
        common += 1;
    }
    let suffix = first[first.len() - common..].concat();
    if suffix.is_empty() || suffix == "Item" || suffix == "Value" {
        let shortest = copies.iter().map(|o| o.name.len()).min().unwrap_or(0);
        copies
            .iter()
            .find(|o| o.name.len() == shortest)
            .map(|o| o.name.clone())
            .unwrap_or_default()
    } else {
        suffix
    }
}

/// The name a group gets: its default name or the `[shared_names]` entry for it; a name already
/// taken (a component, another group) is qualified by the first copy's operation, then numbered.
fn chosen_name(copies: &[&Occurrence], cfg: &Config, taken: &BTreeSet<String>) -> String {
    let default = default_name(copies);
    let name = cfg.shared_names.get(&default).cloned().unwrap_or(default);
    if !taken.contains(&name) {
        return name;
    }
    let qualified = match &copies[0].operation {
        Some(op) => format!("{}{name}", op.to_upper_camel_case()),
        None => name,
    };
    (1..)
        .map(|n| {
            if n == 1 {
                qualified.clone()
            } else {
                format!("{qualified}{n}")
            }
        })
        .find(|n| !taken.contains(n))
        .unwrap_or(qualified)
}

/// The doc of a hoisted schema: where it is used.
fn description(copies: &[&Occurrence]) -> String {
    let mut ops: Vec<&str> = Vec::new();
    for op in copies.iter().filter_map(|o| o.operation.as_deref()) {
        if !ops.contains(&op) {
            ops.push(op);
        }
    }
    let list = ops
        .iter()
        .map(|o| format!("`{o}`"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "Shared by {} places in the bodies and answers of {list}.",
        copies.len()
    )
}

/// `AccessTokenTrustedIpsItem` -> `Access`, `Token`, `Trusted`, `Ips`, `Item`.
fn split_words(name: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for c in name.chars() {
        match words.last_mut() {
            Some(word) if !c.is_ascii_uppercase() => word.push(c),
            _ => words.push(c.to_string()),
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use crate::test_support::{embedded_config as cfg, embedded_spec as spec};

    /// The embedded spec lowered and fixed up, before this stage.
    fn fixed(spec: &Value) -> Value {
        let (lowered, _) = crate::lower::apply(spec, &cfg()).unwrap();
        crate::fixups::apply(&lowered, &cfg()).unwrap().0
    }

    fn answer_field<'d>(doc: &'d Value, id: &str, field: &str) -> &'d Value {
        let op = ops::operations(doc)
            .into_iter()
            .find(|o| o.id() == Some(id))
            .unwrap();
        &op.success_schema().unwrap()["properties"][field]
    }

    #[test]
    fn one_configuration_type_per_auth_method() {
        let (doc, applied) = apply(&fixed(&spec()), &cfg()).unwrap();
        assert!(
            applied[0].changes > 0,
            "the pass still applies to the embedded spec"
        );
        for id in [
            "attachUniversalAuth",
            "getUniversalAuth",
            "updateUniversalAuth",
            "deleteUniversalAuth",
        ] {
            assert_eq!(
                answer_field(&doc, id, "identityUniversalAuth")["$ref"],
                "#/components/schemas/IdentityUniversalAuth",
                "{id}"
            );
        }
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        assert!(schemas.contains_key("TrustedIpRecord"));
        // No trusted-IP entry is left inline: all 29 lists name one type.
        let mut inline = 0;
        passes::each_object(&mut doc["paths"].clone(), "", &mut |map, _| {
            let props = map.get("properties").and_then(Value::as_object);
            inline += usize::from(props.is_some_and(|p| p.contains_key("ipAddress")));
            Ok(0)
        })
        .unwrap();
        assert_eq!(inline, 0);
        assert!(
            schemas.contains_key("TrustedIpEntry"),
            "named by codegen.toml"
        );
    }

    #[test]
    fn copies_that_diverge_are_generated_apart_again() {
        let mut spec = spec();
        let before = apply(&fixed(&spec), &cfg()).unwrap().0;
        let op = ops::operations(&spec)
            .into_iter()
            .find(|o| o.id() == Some("getUniversalAuth"))
            .map(|o| format!("{}/responses/200/content/application~1json/schema/properties/identityUniversalAuth/properties", o.pointer()))
            .unwrap();
        spec.pointer_mut(&op)
            .unwrap()
            .as_object_mut()
            .unwrap()
            .insert("addedUpstream".into(), json!({"type": "string"}));
        let after = apply(&fixed(&spec), &cfg()).unwrap().0;
        let field = |doc: &Value, id: &str| answer_field(doc, id, "identityUniversalAuth").clone();
        assert_eq!(
            field(&before, "getUniversalAuth")["$ref"],
            "#/components/schemas/IdentityUniversalAuth"
        );
        // The changed copy is its own type again; the three others still share one.
        let changed = field(&after, "getUniversalAuth");
        assert!(changed.get("$ref").is_none());
        assert!(changed["properties"].get("addedUpstream").is_some());
        for id in [
            "attachUniversalAuth",
            "updateUniversalAuth",
            "deleteUniversalAuth",
        ] {
            assert_eq!(
                field(&after, id)["$ref"],
                "#/components/schemas/IdentityUniversalAuth",
                "{id}"
            );
        }
    }

    #[test]
    fn a_copy_of_a_component_becomes_a_reference_to_it() {
        let entry = json!({"type": "object", "properties": {"a": {"type": "string"}}});
        let mut doc = json!({
            "paths": {"/x": {"post": {"operationId": "x", "responses": {"200": {"content": {"application/json": {"schema": {
                "type": "object", "properties": {"one": entry.clone(), "list": {"type": "array", "items": {"$ref": "#/components/schemas/Named"}}}
            }}}}}}}},
            "components": {"schemas": {"Named": entry}}
        });
        assert_eq!(one_type_per_concept(&mut doc, &cfg()).unwrap(), 1);
        let schema = &doc["paths"]["/x"]["post"]["responses"]["200"]["content"]["application/json"]
            ["schema"];
        assert_eq!(
            schema["properties"]["one"]["$ref"],
            "#/components/schemas/Named"
        );
    }

    #[test]
    fn names_come_from_the_common_end_of_the_wire_names() {
        let o = |name: &str| Occurrence {
            pointer: String::new(),
            name: name.into(),
            operation: None,
            answer_of: None,
        };
        let (a, b) = (o("AccessTokenTrustedIp"), o("ClientSecretTrustedIp"));
        assert_eq!(default_name(&[&a, &b]), "TrustedIp");
        assert_eq!(item_name("AccessTokenTrustedIps"), "AccessTokenTrustedIp");
        assert_eq!(item_name("ClientSecretData"), "ClientSecretDataItem");
        let (c, d) = (o("IdentityUniversalAuth"), o("IdentityUniversalAuth"));
        assert_eq!(default_name(&[&c, &d]), "IdentityUniversalAuth");
        let (e, f) = (o("Tokens"), o("Token"));
        assert_eq!(default_name(&[&e, &f]), "Token");
    }

    #[test]
    fn identical_answers_are_shared_across_groups_only() {
        let answer = json!({"type": "object", "required": ["accessToken", "expiresIn"], "properties": {
            "accessToken": {"type": "string"}, "expiresIn": {"type": "number"}}});
        let config = json!({"type": "object", "properties": {"id": {"type": "string"}}});
        let op = |id: &str, tag: &str, schema: &Value| {
            json!({"post": {"operationId": id, "tags": [tag],
            "responses": {"200": {"content": {"application/json": {"schema": schema}}}}}})
        };
        let mut doc = json!({"paths": {
            "/a/login": op("loginWithA", "a", &answer),
            "/b/login": op("loginWithB", "b", &answer),
            "/a/get": op("getA", "a", &config),
            "/a/update": op("updateA", "a", &config),
        }});
        let schema = |doc: &Value, path: &str| {
            doc["paths"][path]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
                .clone()
        };
        assert_eq!(one_type_per_concept(&mut doc, &cfg()).unwrap(), 2);
        for path in ["/a/login", "/b/login"] {
            assert_eq!(
                schema(&doc, path)["$ref"],
                "#/components/schemas/AccessTokenResponse"
            );
        }
        // Within one group, each operation keeps its own answer.
        for path in ["/a/get", "/a/update"] {
            assert_eq!(schema(&doc, path), config);
        }
        assert_eq!(
            doc["components"]["schemas"]["AccessTokenResponse"]["properties"],
            answer["properties"]
        );
    }

    #[test]
    fn sharing_is_idempotent() {
        let once = apply(&fixed(&spec()), &cfg()).unwrap().0;
        assert_eq!(apply(&once, &cfg()).unwrap().0, once);
    }
}
