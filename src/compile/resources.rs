//! `package:finalize`: export names for generated outputs, the `resources:` merge (lodash
//! `merge`), `extensions`, and null stripping — in the framework's order.

use serde_json::{Map, Value};

use super::naming;
use super::{Ctx, Template, js};
use crate::declare_codes;
use crate::diagnostics::{Diag, Diags};
use crate::yaml::Node;

declare_codes! { CODES;
    EXTENSION_NOT_FOUND = "slsx::resources::extension-not-found", "`resources.extensions` names a resource the generated template does not have.";
    EXTENSION_UNSUPPORTED = "slsx::resources::extension-unsupported", "`resources.extensions` extends an attribute the framework cannot extend.";
    COLLISION = "slsx::resources::collision", "A `resources.Resources` entry has the logical ID of a generated resource and is merged into it.";
}

/// The finalize steps a–c.
pub fn finalize(ctx: &Ctx, t: &mut Template, diags: &mut Diags) {
    add_export_names(ctx, t);
    merge_custom_resources(ctx, t, diags);
    strip_null_properties(t);
}

/// a. Every output present so far without `Export` gets `sls-<service>-<stage>-<key>`.
fn add_export_names(ctx: &Ctx, t: &mut Template) {
    let (service, stage) = (ctx.service.clone(), ctx.stage.clone());
    t.outputs_mut().for_each_mut(|key, data| {
        if let Some(o) = data.as_object_mut()
            && !js::truthy(o.get("Export"))
        {
            let mut export = Map::new();
            export.insert(
                "Name".into(),
                Value::String(naming::stack_output_export_name(&service, &stage, key)),
            );
            o.insert("Export".into(), Value::Object(export));
        }
    });
}

/// b. `_.merge(template, resources)` after taking `extensions` out, then the extensions.
fn merge_custom_resources(ctx: &Ctx, t: &mut Template, diags: &mut Diags) {
    let Some(resources) = ctx.config.get("resources") else {
        return;
    };
    let Some(rmap) = resources.as_map() else {
        return;
    };

    // collisions with generated resources (the framework merges them silently)
    if let Some(user) = rmap.get("Resources").and_then(Node::as_map) {
        for (id, e) in user.iter() {
            if t.has_resource(id) {
                let ty = t
                    .resources()
                    .str_at(id, &["Type"])
                    .map_or_else(|| "?".to_string(), String::from);
                diags.push(
                    Diag::warning(
                        &COLLISION,
                        format!("`{id}` is also a generated resource ({ty}); the two are merged"),
                    )
                    .label(e.key_span, "this entry is deep-merged into the generated resource")
                    .help("this is how the framework overrides generated resources; if it is not meant as an override, rename the logical ID"),
                );
            }
        }
    }

    let mut src = Map::new();
    for (k, e) in rmap.iter() {
        if k == "extensions" {
            continue;
        }
        src.insert(k.to_string(), e.value.to_json());
    }
    if !js::truthy(src.get("Resources")) {
        src.insert("Resources".into(), Value::Object(Map::new()));
    }
    if !js::truthy(src.get("Outputs")) {
        src.insert("Outputs".into(), Value::Object(Map::new()));
    }
    t.merge_root(&src);

    let Some(ext) = rmap.get("extensions").and_then(Node::as_map) else {
        return;
    };
    for (id, e) in ext.iter() {
        let Some(attrs) = e.value.as_map() else {
            continue;
        };
        for (attr, ae) in attrs.iter() {
            if !t.has_resource(id) {
                let mut d = Diag::error(
                    &EXTENSION_NOT_FOUND,
                    format!("cannot extend `{id}`: the generated template has no such resource"),
                )
                .label(e.key_span, "not a generated resource");
                let suggestion = closest(id, t.resources().keys().map(String::as_str));
                d = d.help(match suggestion {
                    Some(s) => format!("did you mean `{s}`? extensions apply to resources slsx generates; add new resources under `resources.Resources`"),
                    None => "extensions apply to resources slsx generates; add new resources under `resources.Resources`".to_string(),
                });
                diags.push(d);
                break;
            }
            let value = ae.value.to_json();
            let res = t
                .resources_mut()
                .get_mut(id.as_str())
                .and_then(Value::as_object_mut)
                .expect("checked above");
            match attr.as_str() {
                "Condition"
                | "CreationPolicy"
                | "DeletionPolicy"
                | "UpdatePolicy"
                | "UpdateReplacePolicy" => {
                    res.insert(attr.to_string(), value);
                }
                "Properties" | "Metadata" => {
                    let slot = res
                        .entry(attr.clone())
                        .or_insert_with(|| Value::Object(Map::new()));
                    if !js::truthy(Some(slot)) {
                        *slot = Value::Object(Map::new());
                    }
                    if let (Some(o), Value::Object(v)) = (slot.as_object_mut(), &value) {
                        for (k, x) in v {
                            o.insert(k.clone(), x.clone());
                        }
                    }
                }
                "DependsOn" => {
                    let slot = res
                        .entry("DependsOn".to_string())
                        .or_insert_with(|| Value::Array(Vec::new()));
                    if let Value::String(s) = slot {
                        *slot = Value::Array(vec![Value::String(s.clone())]);
                    } else if !js::truthy(Some(slot)) {
                        *slot = Value::Array(Vec::new());
                    }
                    if let Some(list) = slot.as_array_mut() {
                        match value {
                            Value::Array(items) => list.extend(items),
                            other => list.push(other),
                        }
                    }
                }
                other => {
                    diags.push(
                        Diag::error(
                            &EXTENSION_UNSUPPORTED,
                            format!("cannot extend `{id}`: the `{other}` attribute cannot be extended"),
                        )
                        .label(ae.key_span, "not extendable")
                        .help("extensions support Condition, CreationPolicy, DeletionPolicy, UpdatePolicy, UpdateReplacePolicy, Properties, Metadata and DependsOn"),
                    );
                }
            }
        }
    }
}

/// c. Inside each resource's `Properties`, delete `null` values recursively (array items
/// become holes that serialise as `null` again); a resource without truthy `Properties`
/// loses the key.
fn strip_null_properties(t: &mut Template) {
    t.resources_mut().for_each_mut(|_, res| {
        let Some(r) = res.as_object_mut() else {
            return;
        };
        match r.get_mut("Properties") {
            Some(p) if js::truthy(Some(p)) => strip(p),
            Some(_) => {
                r.remove("Properties");
            }
            None => {}
        }
    });
}

fn strip(v: &mut Value) {
    match v {
        Value::Object(o) => {
            o.retain(|_, x| !x.is_null());
            for x in o.values_mut() {
                strip(x);
            }
        }
        Value::Array(a) => {
            for x in a.iter_mut() {
                strip(x);
            }
        }
        _ => {}
    }
}

/// The candidate closest to `name` (edit distance ≤ a third of its length), for "did you
/// mean" help.
pub fn closest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .map(|c| (edit_distance(&name.to_lowercase(), &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance over chars.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}
