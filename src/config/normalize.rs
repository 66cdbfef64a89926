//! What the framework does to the resolved configuration before any compiler sees it
//! (`serverless-core.md` §4.1): array-form `functions` / `resources` merged, `null` keys moved
//! last, values coerced to the v3 schema's types. (issue #2 / #5)
//!
//! The steps run in the framework's order (`lib/serverless.js` → `lib/classes/service.js`):
//! 1. `provider: aws` (a string) becomes `{name: aws}`;
//! 2. `mergeArrays`: `resources` / `functions` given as arrays are lodash-merged left to
//!    right, falsy items skipped;
//! 3. `setFunctionNames`: `null` functions are dropped (a falsy `name` is dropped too, so the
//!    compiler's default name applies, as the framework assigns it);
//! 4. validation's side effects: every `null`-valued object key is taken out (depth first),
//!    the schema's type coercions are applied ([`super::schema`]), and the `null` keys are
//!    put back, each at the end of its object.

use super::{MERGE_INPUT, SCHEMA};
use crate::diagnostics::{Diag, Diags};
use crate::source::Span;
use crate::yaml::{Kind, Mapping, Node};

/// Normalises the resolved configuration in place.
pub fn normalize(root: &mut Node, diags: &mut Diags) {
    let Some(map) = root.as_map_mut() else {
        return;
    };
    provider_object(map, diags);
    for key in ["resources", "functions"] {
        merge_array_form(map, key, diags);
    }
    drop_null_functions(map, diags);

    let mut removed = Vec::new();
    take_nulls(root, &mut Vec::new(), &mut removed);
    super::schema::coerce(root);
    for (path, key_span, value) in removed {
        set_at(root, &path, key_span, value);
    }
    warn_unknown_keys(root, diags);
}

/// The framework (in its default `warn` mode) reports properties its schema does not know.
/// Plugins can extend the schema, so slsx only does this when no plugin other than
/// serverless-step-functions (or slsx) is listed.
fn warn_unknown_keys(root: &Node, diags: &mut Diags) {
    let plugins: Vec<&Node> = match root.get("plugins") {
        None => Vec::new(),
        Some(p) => match (p.as_seq(), p.get("modules")) {
            (Some(v), _) => v.iter().collect(),
            (None, Some(m)) => m.as_seq().map(|v| v.iter().collect()).unwrap_or_default(),
            _ => Vec::new(),
        },
    };
    if plugins
        .iter()
        .any(|p| !matches!(p.as_str(), Some("serverless-step-functions") | Some("slsx")))
    {
        return;
    }
    if root
        .get("configValidationMode")
        .and_then(Node::as_str)
        .is_some_and(|m| m == "off")
    {
        return;
    }
    for u in super::schema::unknown_keys(root) {
        let place = if u.at.is_empty() {
            "at the top level".to_string()
        } else {
            format!("in `{}`", u.at)
        };
        let help = match crate::compile::resources::closest(&u.key, u.allowed.iter().copied()) {
            Some(s) => format!("did you mean `{s}`? the framework ignores unknown properties (and warns)"),
            None => "the framework ignores unknown properties (and warns); check the spelling and the indentation".to_string(),
        };
        diags.push(
            Diag::warning(
                &SCHEMA,
                format!("unrecognized property `{}` {place}", u.key),
            )
            .label(u.key_span, "not in the framework's configuration schema")
            .help(help),
        );
    }
}

/// `provider: aws` → `provider: {name: aws}`; a missing provider is an error.
fn provider_object(map: &mut Mapping, diags: &mut Diags) {
    let key_span = map.key_span("provider").unwrap_or(Span::NONE);
    match map.get_mut("provider") {
        Some(p) if p.as_map().is_some() => {}
        Some(p) if p.is_truthy() && p.as_seq().is_none() => {
            let span = p.span;
            let name = std::mem::replace(p, Node::null(span));
            let mut m = Mapping::new();
            m.insert("name", span, name);
            *p = Node::map(span, m);
        }
        Some(p) if p.is_truthy() => {
            // an array: the framework takes it as the provider object and its schema rejects it
            diags.push(
                Diag::error(&SCHEMA, "`provider` must be a mapping (or a provider name)")
                    .label(p.span, "a list")
                    .help("write `provider:` followed by `name: aws` and the provider settings"),
            );
        }
        Some(p) => {
            let span = p.span;
            diags.push(
                Diag::error(&SCHEMA, "`provider` is empty")
                    .label(if span.is_none() { key_span } else { span }, "no provider")
                    .help("set `provider: {name: aws}`"),
            );
        }
        None => {
            let file = map
                .iter()
                .next()
                .map(|(_, e)| e.key_span.file)
                .unwrap_or(Span::NONE.file);
            diags.push(
                Diag::error(&SCHEMA, "the configuration has no `provider`")
                    .label(
                        Span::new(file, 0, 0),
                        "expected `provider:` with `name: aws`",
                    )
                    .help(
                        "add `provider: {name: aws}`; the framework refuses a service without it",
                    ),
            );
        }
    }
}

/// `resources: [a, b, …]` / `functions: [a, b, …]`: lodash `merge` of the items, left to
/// right; falsy items are skipped and any other non-object is an error.
fn merge_array_form(map: &mut Mapping, key: &str, diags: &mut Diags) {
    let Some(node) = map.get_mut(key) else {
        return;
    };
    let Kind::Seq(items) = &node.kind else {
        return;
    };
    let mut memo = Node::map(node.span, Mapping::new());
    for (i, item) in items.iter().enumerate() {
        if !item.is_truthy() {
            continue;
        }
        match &item.kind {
            Kind::Map(_) => lodash_merge(&mut memo, item),
            Kind::Seq(inner) => {
                // an array item is merged as an object keyed by its indices
                let mut as_map = Mapping::new();
                for (i, x) in inner.iter().enumerate() {
                    as_map.insert(i.to_string(), x.span, x.clone());
                }
                lodash_merge(&mut memo, &Node::map(item.span, as_map));
            }
            _ => diags.push(
                Diag::error(
                    &MERGE_INPUT,
                    format!(
                        "item {i} of the `{key}` list is {} {} (`{}`), not an object",
                        article(item.type_name()),
                        item.type_name(),
                        crate::yaml::js_to_string(item)
                    ),
                )
                .label(item.span, "not an object")
                .help(format!(
                    "each item of an array-form `{key}` is merged into one object, so each must be a mapping (often a `${{file(…)}}` that resolved to a string)"
                )),
            ),
        }
    }
    *node = memo;
}

fn article(type_name: &str) -> &'static str {
    match type_name {
        "array" | "object" => "an",
        _ => "a",
    }
}

/// `setFunctionNames`: `null` functions disappear; a non-object function is an error; a falsy
/// `name` is removed so the default name applies.
fn drop_null_functions(map: &mut Mapping, diags: &mut Diags) {
    let Some(functions) = map.get_mut("functions") else {
        return;
    };
    let Some(fm) = functions.as_map_mut() else {
        if functions.is_truthy() {
            diags.push(
                Diag::error(
                    &SCHEMA,
                    format!(
                        "`functions` must be a mapping, but it is {} {}",
                        article(functions.type_name()),
                        functions.type_name()
                    ),
                )
                .label(functions.span, "expected `<name>: {handler: …}` entries")
                .help("write each function as a key under `functions`"),
            );
        }
        return;
    };
    fm.retain(|_, e| !e.value.is_null());
    for (key, e) in fm.iter_mut() {
        match e.value.as_map_mut() {
            Some(f) => {
                if f.get("name").is_some_and(|n| !n.is_truthy()) {
                    f.remove("name");
                }
            }
            None => diags.push(
                Diag::error(
                    &SCHEMA,
                    format!(
                        "function `{key}` must be a mapping, but it is {} {}",
                        article(e.value.type_name()),
                        e.value.type_name()
                    ),
                )
                .label(
                    e.value.span,
                    "expected `handler:` and the function's settings",
                )
                .help(format!(
                    "write `{key}:` followed by `handler: file.export` on the next line"
                )),
            ),
        }
    }
}

/// One step of a path into the tree.
#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

/// Takes out every `null`-valued object key, depth first, recording where it was.
fn take_nulls(node: &mut Node, path: &mut Vec<Step>, out: &mut Vec<(Vec<Step>, Span, Node)>) {
    match &mut node.kind {
        Kind::Map(m) => {
            // one pass to take the nulls out (removing them one by one is quadratic in the
            // size of the object), then into the children; only the order among keys of one
            // object matters to the caller, and that stays the key order
            m.retain(|k, e| {
                if e.value.is_null() {
                    let mut p = path.clone();
                    p.push(Step::Key(k.to_string()));
                    out.push((p, e.key_span, Node::null(e.value.span)));
                    false
                } else {
                    true
                }
            });
            for (k, e) in m.iter_mut() {
                if matches!(e.value.kind, Kind::Map(_) | Kind::Seq(_)) {
                    path.push(Step::Key(k.to_string()));
                    take_nulls(&mut e.value, path, out);
                    path.pop();
                }
            }
        }
        Kind::Seq(items) => {
            for (i, v) in items.iter_mut().enumerate() {
                if matches!(v.kind, Kind::Map(_) | Kind::Seq(_)) {
                    path.push(Step::Index(i));
                    take_nulls(v, path, out);
                    path.pop();
                }
            }
        }
        _ => {}
    }
}

/// lodash `_.set(root, path, value)` for a path whose parents exist: the key is (re)assigned,
/// so a new key goes last.
fn set_at(root: &mut Node, path: &[Step], key_span: Span, value: Node) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut cur = root;
    for step in parents {
        let next = match (step, &mut cur.kind) {
            (Step::Key(k), Kind::Map(m)) => m.get_mut(k),
            (Step::Index(i), Kind::Seq(v)) => v.get_mut(*i),
            _ => None,
        };
        match next {
            Some(n) => cur = n,
            None => return,
        }
    }
    match (last, &mut cur.kind) {
        (Step::Key(k), Kind::Map(m)) => {
            m.insert(k.clone(), key_span, value);
        }
        (Step::Index(i), Kind::Seq(v)) if *i < v.len() => v[*i] = value,
        _ => {}
    }
}

/// lodash `_.merge(dst, src)` on spanned values (the semantics of
/// [`crate::compile::merge::lodash_merge`]): objects merge key by key, arrays index by index,
/// a scalar (null included) overwrites, an object or array over a scalar replaces it.
pub fn lodash_merge(dst: &mut Node, src: &Node) {
    match &src.kind {
        Kind::Map(sm) => match &mut dst.kind {
            Kind::Map(dm) => merge_map(dm, sm),
            Kind::Seq(da) => {
                for (k, e) in sm.iter() {
                    if crate::yaml::is_array_index(k)
                        && let Ok(i) = k.parse::<usize>()
                    {
                        if i >= da.len() {
                            da.resize(i + 1, Node::null(e.value.span));
                        }
                        merge_into_slot(&mut da[i], &e.value);
                    }
                }
            }
            _ => {
                let mut fresh = Node::map(src.span, Mapping::new());
                lodash_merge(&mut fresh, src);
                *dst = fresh;
            }
        },
        Kind::Seq(sa) => match &mut dst.kind {
            Kind::Seq(da) => merge_seq(da, sa),
            _ => {
                let mut fresh = Vec::new();
                merge_seq(&mut fresh, sa);
                *dst = Node::seq(src.span, fresh);
            }
        },
        _ => *dst = src.clone(),
    }
}

fn fresh_copy(v: &Node) -> Node {
    match &v.kind {
        Kind::Map(_) => {
            let mut f = Node::map(v.span, Mapping::new());
            lodash_merge(&mut f, v);
            f
        }
        Kind::Seq(_) => {
            let mut f = Node::seq(v.span, Vec::new());
            lodash_merge(&mut f, v);
            f
        }
        _ => v.clone(),
    }
}

fn merge_map(d: &mut Mapping, s: &Mapping) {
    for (k, e) in s.iter() {
        match d.get_mut(k) {
            Some(slot) => merge_into_slot(slot, &e.value),
            None => {
                d.insert(k.clone(), e.key_span, fresh_copy(&e.value));
            }
        }
    }
}

fn merge_seq(d: &mut Vec<Node>, s: &[Node]) {
    for (i, v) in s.iter().enumerate() {
        if i < d.len() {
            merge_into_slot(&mut d[i], v);
        } else {
            d.push(fresh_copy(v));
        }
    }
}

fn merge_into_slot(slot: &mut Node, v: &Node) {
    match v.kind {
        Kind::Map(_) | Kind::Seq(_) => lodash_merge(slot, v),
        _ => *slot = v.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn n(v: serde_json::Value) -> Node {
        Node::from_json(&v, Span::NONE)
    }

    #[test]
    fn nulls_move_last() {
        let mut root = n(
            json!({"provider": {"name": "aws"}, "custom": {"a": 1, "b": null, "c": 2, "d": {"x": null, "y": 1}, "l": [null, {"k": null, "m": 1}]}}),
        );
        let mut diags = Diags::new();
        normalize(&mut root, &mut diags);
        let text = crate::emit::json::to_compact(&root.to_json());
        assert_eq!(
            text,
            r#"{"provider":{"name":"aws"},"custom":{"a":1,"c":2,"d":{"y":1,"x":null},"l":[null,{"m":1,"k":null}],"b":null}}"#
        );
    }

    #[test]
    fn array_forms_merge() {
        let mut root = n(json!({
            "provider": "aws",
            "functions": [{"a": {"handler": "h", "name": ""}}, null, {"b": {"handler": "x"}, "gone": null}],
            "resources": [{"Resources": {"Q": {"Properties": {"Tags": [{"Key": "k", "Value": "v"}]}}}}, {"Resources": {"Q": {"Properties": {"Tags": [{"Value": "w"}]}}}}]
        }));
        let mut diags = Diags::new();
        normalize(&mut root, &mut diags);
        assert!(!diags.has_errors());
        assert_eq!(
            root.to_json(),
            json!({
                "provider": {"name": "aws"},
                "functions": {"a": {"handler": "h"}, "b": {"handler": "x"}},
                "resources": {"Resources": {"Q": {"Properties": {"Tags": [{"Key": "k", "Value": "w"}]}}}}
            })
        );
    }

    #[test]
    fn non_object_item_is_an_error() {
        let mut root =
            n(json!({"provider": {"name": "aws"}, "resources": [{"Resources": {}}, "oops"]}));
        let mut diags = Diags::new();
        normalize(&mut root, &mut diags);
        assert!(diags.has_errors());
    }
}
