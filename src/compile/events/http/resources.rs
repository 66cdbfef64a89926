//! `AWS::ApiGateway::Resource` per path prefix, with the plugin's handling of
//! `provider.apiGateway.restApiResources` (resources that already exist in a shared API).
//!
//! The plugin arranges the predefined paths and the event paths into trees, cuts the
//! branches below predefined resources, and requires a resource ID for every parent of a
//! method that is not created here. This is a port of that algorithm (`getResourcePaths`),
//! quirks included: a predefined path is trimmed of one leading and one trailing `/` for the
//! tree, but when every event path is predefined the map is keyed by the paths as written.

use indexmap::IndexMap;
use serde_json::{Map, Value};

use super::codes;
use super::util::{js_ordered, obj, reference, truthy_at};
use crate::compile::{Template, naming};
use crate::diagnostics::{Diag, Diags};
use crate::source::Span;
use crate::yaml::{Kind, Node, js_to_string};

/// One entry of the plugin's `apiGatewayResources` map.
#[derive(Clone, Debug, Default)]
pub struct Resource {
    /// The name in method logical IDs.
    pub name: String,
    /// Given (predefined) or `{Ref: <logical id>}` once compiled.
    pub resource_id: Option<Value>,
    pub logical_id: Option<String>,
    /// `None` for a top-level resource or a branch cut below a predefined one.
    pub parent: Option<String>,
    pub path_part: Option<String>,
}

/// `apiGatewayResources`: path → resource, in JavaScript object order.
#[derive(Default)]
pub struct ResourceMap {
    pub entries: IndexMap<String, Resource>,
}

impl ResourceMap {
    pub fn resource_id(&self, path: &str) -> Option<Value> {
        let r = self.entries.get(path)?;
        r.resource_id
            .clone()
            .or_else(|| r.logical_id.as_deref().map(reference))
    }

    pub fn name(&self, path: &str) -> Option<String> {
        self.entries.get(path).map(|r| r.name.clone())
    }
}

/// A path the tree is built from.
struct Applied {
    path: String,
    name: Option<String>,
    resource_id: Option<Value>,
}

struct TNode {
    path: String,
    part: String,
    parent: Option<usize>,
    level: usize,
    children: Vec<usize>,
    name: Option<String>,
    resource_id: Option<Value>,
    has_method: bool,
    is_cut: bool,
}

#[derive(Default)]
struct Forest {
    nodes: Vec<TNode>,
    trees: Vec<usize>,
    predefined: Vec<usize>,
    with_method: Vec<usize>,
}

fn trim_once(p: &str) -> &str {
    let p = p.strip_prefix('/').unwrap_or(p);
    p.strip_suffix('/').unwrap_or(p)
}

impl Forest {
    fn apply(&mut self, res: &Applied, is_method: bool) {
        let path = trim_once(&res.path);
        let parts: Vec<&str> = path.split('/').collect();
        let mut root: Option<usize> = None;
        let mut parent: Option<usize> = None;
        let mut current = String::new();
        for (index, part) in parts.iter().enumerate() {
            current = if current.is_empty() {
                part.to_string()
            } else {
                format!("{current}/{part}")
            };
            if root.is_none() {
                root = self
                    .trees
                    .iter()
                    .copied()
                    .find(|&t| self.nodes[t].path == current);
            }
            if parent.is_none() {
                parent = root;
            }
            let last = index == parts.len() - 1;
            if let Some(p) = parent {
                if self.nodes[p].path == current {
                    self.apply_node(p, last, res, is_method);
                    parent = Some(p);
                    continue;
                }
                if let Some(c) = self.nodes[p]
                    .children
                    .iter()
                    .copied()
                    .find(|&c| self.nodes[c].path == current)
                {
                    self.apply_node(c, last, res, is_method);
                    parent = Some(c);
                    continue;
                }
            }
            let id = self.nodes.len();
            self.nodes.push(TNode {
                path: current.clone(),
                part: part.to_string(),
                parent,
                level: index,
                children: Vec::new(),
                name: None,
                resource_id: None,
                has_method: false,
                is_cut: false,
            });
            if let Some(p) = parent {
                self.nodes[p].children.push(id);
            }
            if root.is_none() {
                root = Some(id);
                self.trees.push(id);
            }
            self.apply_node(id, last, res, is_method);
            parent = Some(id);
        }
    }

    fn apply_node(&mut self, n: usize, last: bool, res: &Applied, is_method: bool) {
        if !last {
            return;
        }
        self.nodes[n].name = res.name.clone();
        if let Some(id) = &res.resource_id {
            self.nodes[n].resource_id = Some(id.clone());
            let path = &self.nodes[n].path;
            if self.predefined.iter().all(|&p| self.nodes[p].path != *path) {
                self.predefined.push(n);
            }
        }
        if is_method && !self.nodes[n].has_method {
            self.nodes[n].has_method = true;
            let path = &self.nodes[n].path;
            if self
                .with_method
                .iter()
                .all(|&p| self.nodes[p].path != *path)
            {
                self.with_method.push(n);
            }
        }
    }

    fn cut_branch(&mut self, n: usize) {
        let Some(p) = self.nodes[n].parent else {
            return;
        };
        if self.nodes[p].children.len() <= 1 {
            self.nodes[p].children.clear();
        } else {
            let path = &self.nodes[n].path;
            let kept: Vec<usize> = self.nodes[p]
                .children
                .iter()
                .copied()
                .filter(|&c| self.nodes[c].path != *path)
                .collect();
            self.nodes[p].children = kept;
            self.nodes[p].is_cut = true;
        }
        self.nodes[n].parent = None;
    }

    /// `combineResourceTrees`
    fn combine(&self, trees: &[usize]) -> ResourceMap {
        let mut entries: IndexMap<String, Resource> = IndexMap::new();
        let mut stack: Vec<usize> = trees.iter().rev().copied().collect();
        while let Some(n) = stack.pop() {
            let node = &self.nodes[n];
            entries.insert(
                node.path.clone(),
                Resource {
                    name: node
                        .name
                        .clone()
                        .unwrap_or_else(|| naming::normalize_path(&node.path)),
                    resource_id: node.resource_id.clone(),
                    logical_id: None,
                    parent: node.parent.map(|p| self.nodes[p].path.clone()),
                    path_part: Some(node.part.clone()),
                },
            );
            stack.extend(node.children.iter().rev().copied());
        }
        ResourceMap {
            entries: js_ordered(entries),
        }
    }
}

/// An event's path as the resource tree sees it.
pub struct EventPath {
    /// Without one leading and one trailing `/`; `""` for the root.
    pub path: String,
    /// A name replacing the path in method logical IDs (the plugin's `http.name` quirk).
    pub name: Option<String>,
    pub span: Span,
}

/// `provider.apiGateway.restApiResources` as the plugin lists them (path, resource id, name,
/// and where it was written).
fn predefined(rest_api_resources: Option<&Node>, diags: &mut Diags) -> Vec<(Applied, Span)> {
    let Some(node) = rest_api_resources.filter(|n| n.is_truthy()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    match &node.kind {
        Kind::Seq(items) => {
            for item in items {
                let Some(path) = item.get("path").and_then(Node::as_str) else {
                    diags.push(
                        Diag::error(
                            &codes::INVALID_REST_API_RESOURCES,
                            "an entry of `provider.apiGateway.restApiResources` has no string `path`",
                        )
                        .label(item.span, "no `path` here")
                        .help("list entries as `{path: /users, resourceId: abc123}`, or use the map form `/users: abc123`"),
                    );
                    continue;
                };
                out.push((
                    Applied {
                        path: path.to_string(),
                        name: truthy_at(item.as_map(), "name").map(js_to_string),
                        resource_id: truthy_at(item.as_map(), "resourceId").map(Node::to_json),
                    },
                    item.span,
                ));
            }
        }
        Kind::Map(m) => {
            for (path, e) in m.iter() {
                out.push((
                    Applied {
                        path: path.to_string(),
                        name: None,
                        resource_id: e.value.is_truthy().then(|| e.value.to_json()),
                    },
                    e.key_span,
                ));
            }
        }
        _ => {}
    }
    out
}

/// `getResourcePaths` (the same in the framework and the plugin): the resources the methods
/// of `events` hang from, given `provider.apiGateway.restApiResources`; `None` after an error.
pub fn build(
    events: &[EventPath],
    rest_api_resources: Option<&Node>,
    diags: &mut Diags,
) -> Option<ResourceMap> {
    let predefined = predefined(rest_api_resources, diags);
    let mut f = Forest::default();
    for (p, _) in &predefined {
        f.apply(p, false);
    }
    for ev in events {
        if !ev.path.is_empty() {
            f.apply(
                &Applied {
                    path: ev.path.clone(),
                    name: ev.name.clone(),
                    resource_id: None,
                },
                true,
            );
        }
    }

    if f.predefined.is_empty() {
        return Some(f.combine(&f.trees.clone()));
    }

    // every method on a predefined resource: the predefined resources, keyed as written
    let all_predefined = events
        .iter()
        .all(|ev| f.predefined.iter().any(|&n| f.nodes[n].path == ev.path));
    if all_predefined {
        let mut entries: IndexMap<String, Resource> = IndexMap::new();
        for (p, _) in &predefined {
            entries.insert(
                p.path.clone(),
                Resource {
                    name: p
                        .name
                        .clone()
                        .unwrap_or_else(|| naming::normalize_path(&p.path)),
                    resource_id: p.resource_id.clone(),
                    logical_id: None,
                    parent: None,
                    path_part: None,
                },
            );
        }
        return Some(ResourceMap {
            entries: js_ordered(entries),
        });
    }

    let mut sorted = f.predefined.clone();
    sorted.sort_by_key(|&n| f.nodes[n].level);
    let required = |f: &Forest, n: usize, diags: &mut Diags| {
        resource_id_required(events, rest_api_resources, &f.nodes[n].path, diags);
    };
    for &node in sorted.iter().rev() {
        let mut cur = node;
        while let Some(p) = f.nodes[cur].parent {
            if f.nodes[p].has_method && f.nodes[p].resource_id.is_none() {
                required(&f, p, diags);
                return None;
            }
            if f.nodes[p].resource_id.is_some() || f.nodes[p].children.len() > 1 {
                f.cut_branch(cur);
                break;
            }
            cur = p;
        }
    }

    let mut validated: Vec<usize> = Vec::new();
    for &node in &f.with_method.clone() {
        let mut iter = node;
        loop {
            if f.nodes[iter].resource_id.is_some() {
                f.cut_branch(iter);
                let path = &f.nodes[node].path;
                if validated.iter().all(|&t| f.nodes[t].path != *path) {
                    validated.push(iter);
                }
                break;
            }
            if f.nodes[iter].is_cut || (f.nodes[iter].parent.is_none() && f.nodes[iter].level > 0) {
                required(&f, iter, diags);
                return None;
            }
            match f.nodes[iter].parent {
                None => {
                    validated.push(iter);
                    break;
                }
                Some(p) => iter = p,
            }
        }
    }
    Some(f.combine(&validated))
}

fn resource_id_required(events: &[EventPath], res: Option<&Node>, path: &str, diags: &mut Diags) {
    let under = |p: &str| p == path || p.starts_with(&format!("{path}/"));
    let ev = events.iter().find(|e| under(&e.path));
    let mut d = Diag::error(
        &codes::RESOURCE_ID_REQUIRED,
        format!("resource ID for path `{path}` is required"),
    );
    d = match ev {
        Some(e) => d.label(e.span, format!("needs an existing resource for `{path}`")),
        None => d.label(res.map(|r| r.span).unwrap_or(Span::NONE), "these resources"),
    };
    if let (Some(r), Some(_)) = (res, ev) {
        d = d.secondary(r.span, "the API's predefined resources");
    }
    diags.push(d.help(format!(
        "`restApiResources` shares part of the API: add `{path}: <resource id>` to it, or move the event to a path below a listed resource"
    )));
}

/// Every event path must be in the map (`getResourceId`).
pub fn check_paths(
    events: &[EventPath],
    resources: &ResourceMap,
    rest_api_resources: Option<&Node>,
    diags: &mut Diags,
) {
    for ev in events {
        if !ev.path.is_empty() && !resources.entries.contains_key(&ev.path) {
            let mut d = Diag::error(
                &codes::RESOURCE_NOT_FOUND,
                format!("can not find API Gateway resource from path `{}`", ev.path),
            )
            .label(ev.span, "not among the API's resources");
            if let Some(r) = rest_api_resources {
                d = d.secondary(
                    r.span,
                    "every event path is predefined, so the plugin uses these paths as written",
                );
            }
            diags.push(d.help("write the `restApiResources` paths exactly like the event paths (without a leading `/`)"));
        }
    }
}

/// `compileResources`: one resource per path not predefined, parents first, below
/// `root_resource_id` of `rest_api_id`.
pub fn compile(
    resources: &mut ResourceMap,
    root_resource_id: &Value,
    rest_api_id: &Value,
    t: &mut Template,
) {
    let paths: Vec<String> = resources.entries.keys().cloned().collect();
    for path in paths {
        let Some(r) = resources.entries.get(&path) else {
            continue;
        };
        if r.resource_id.is_some() {
            continue;
        }
        let logical = naming::resource_logical_id(&path);
        let parent_ref = match &r.parent {
            Some(p) => resources.entries.get(p).and_then(|p| p.resource_id.clone()),
            None => Some(root_resource_id.clone()),
        };
        let mut props = Map::new();
        if let Some(p) = parent_ref {
            props.insert("ParentId".into(), p);
        }
        if let Some(part) = &r.path_part {
            props.insert("PathPart".into(), Value::String(part.clone()));
        }
        props.insert("RestApiId".into(), rest_api_id.clone());
        if let Some(r) = resources.entries.get_mut(&path) {
            r.resource_id = Some(reference(&logical));
            r.logical_id = Some(logical.clone());
        }
        t.merge_resource(
            &logical,
            obj([
                ("Type", Value::String("AWS::ApiGateway::Resource".into())),
                ("Properties", Value::Object(props)),
            ]),
        );
    }
}
