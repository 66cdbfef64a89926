//! `slsx graph`: state machines as flowcharts, in Mermaid or Graphviz DOT.
//!
//! Each state is a node shaped by its type; `Next` and `End` are plain edges, Choice rules
//! are edges labelled with their condition (`$.x == "a"`), `Default` is labelled `Default`,
//! `Catch` edges are dashed and labelled with the errors they catch, and each `Retry` is a
//! dashed self-loop. Parallel states and Map states are clusters: an entry node, one
//! sub-cluster per branch (or the item processor), and a join node the branches end in. Every
//! machine starts at a start node and ends at an end node. Output order follows the
//! definition, so the text is deterministic.

use std::collections::HashSet;

use serde_json::Value;

use crate::declare_codes;
use crate::emit::json::{js_number, to_compact, write_string};

declare_codes! { CODES;
    NO_STATE_MACHINES = "slsx::graph::no-state-machines", "`slsx graph` found no state-machine definition to draw.";
}

/// What a node stands for (and so its shape).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Start,
    End,
    Task,
    Pass,
    Choice,
    Wait,
    Succeed,
    Fail,
    /// The entry node of a Parallel state.
    Parallel,
    /// The entry node of a Map state.
    Map,
    /// Where a Parallel's branches or a Map's iterations end.
    Join,
    /// A transition target that is not a state (drawn so the edge is visible).
    Missing,
    /// Any other `Type`.
    Other,
}

#[derive(Clone, Debug, PartialEq)]
pub struct GraphNode {
    pub id: String,
    pub label: String,
    pub shape: Shape,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EdgeStyle {
    Solid,
    /// `Catch` and `Retry`.
    Dashed,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub label: Option<String>,
    pub style: EdgeStyle,
}

/// A group of nodes: a machine, a Parallel or Map state, a branch.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Cluster {
    pub id: String,
    pub label: String,
    /// Nodes and nested clusters, in definition order.
    pub members: Vec<Member>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Member {
    Node(GraphNode),
    Cluster(Cluster),
}

impl Cluster {
    fn node(&mut self, id: &str, label: &str, shape: Shape) {
        self.members.push(Member::Node(GraphNode {
            id: id.to_string(),
            label: label.to_string(),
            shape,
        }));
    }
}

/// Every machine's flowchart.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Graph {
    /// One cluster per machine.
    pub machines: Vec<Cluster>,
    pub edges: Vec<Edge>,
}

#[derive(Default)]
struct Builder {
    used: HashSet<String>,
    edges: Vec<Edge>,
}

/// Mermaid keywords an id must not be.
const RESERVED: [&str; 12] = [
    "end",
    "graph",
    "subgraph",
    "flowchart",
    "style",
    "classDef",
    "class",
    "click",
    "linkStyle",
    "direction",
    "node",
    "edge",
];

impl Builder {
    /// A unique id made of `[A-Za-z0-9_]` from the parts.
    fn id(&mut self, parts: &[&str]) -> String {
        let mut base: String = parts
            .iter()
            .map(|p| {
                p.chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("__");
        if base.is_empty() || base.starts_with(|c: char| c.is_ascii_digit()) {
            base.insert(0, 'n');
        }
        if RESERVED.contains(&base.as_str()) {
            base.push('_');
        }
        let mut id = base.clone();
        let mut n = 2;
        while self.used.contains(&id) {
            id = format!("{base}_{n}");
            n += 1;
        }
        self.used.insert(id.clone());
        id
    }

    fn edge(&mut self, from: &str, to: &str, label: Option<String>, style: EdgeStyle) {
        self.edge_at(self.edges.len(), from, to, label, style);
    }

    /// An edge placed before those added since `at` (an entry edge drawn before the edges
    /// of what it enters).
    fn edge_at(
        &mut self,
        at: usize,
        from: &str,
        to: &str,
        label: Option<String>,
        style: EdgeStyle,
    ) {
        self.edges.insert(
            at.min(self.edges.len()),
            Edge {
                from: from.to_string(),
                to: to.to_string(),
                label,
                style,
            },
        );
    }

    /// Adds the states of a scope (`{StartAt, States}`) to `cluster`; terminal states lead
    /// to `end`. Returns the id of the `StartAt` state.
    fn scope(
        &mut self,
        prefix: &str,
        def: &Value,
        cluster: &mut Cluster,
        end: &str,
    ) -> Option<String> {
        let states = def.get("States").and_then(Value::as_object)?;
        // ids first, so transitions can point forward
        struct Ids {
            name: String,
            entry: String,
            exit: String,
        }
        let mut ids: Vec<Ids> = Vec::new();
        for (name, s) in states {
            let entry = self.id(&[prefix, name]);
            let exit = match s.get("Type").and_then(Value::as_str) {
                Some("Parallel") | Some("Map") => self.id(&[prefix, name, "join"]),
                _ => entry.clone(),
            };
            ids.push(Ids {
                name: name.clone(),
                entry,
                exit,
            });
        }
        let mut missing: Vec<(String, String)> = Vec::new();
        let mut target = |b: &mut Builder, cluster: &mut Cluster, name: &str| -> String {
            if let Some(i) = ids.iter().find(|i| i.name == name) {
                return i.entry.clone();
            }
            if let Some((_, id)) = missing.iter().find(|(n, _)| n == name) {
                return id.clone();
            }
            let id = b.id(&[prefix, name, "missing"]);
            cluster.node(&id, &format!("{name} (no such state)"), Shape::Missing);
            missing.push((name.to_string(), id.clone()));
            id
        };

        for (i, (name, s)) in states.iter().enumerate() {
            let (entry, exit) = (ids[i].entry.clone(), ids[i].exit.clone());
            let ty = s.get("Type").and_then(Value::as_str).unwrap_or("");
            match ty {
                "Parallel" | "Map" => {
                    let mut inner = Cluster {
                        id: self.id(&[prefix, name, "cluster"]),
                        label: format!("{name} ({ty})"),
                        ..Cluster::default()
                    };
                    inner.node(
                        &entry,
                        name,
                        if ty == "Map" {
                            Shape::Map
                        } else {
                            Shape::Parallel
                        },
                    );
                    let sub_prefix = format!("{prefix}__{name}");
                    if ty == "Parallel" {
                        let branches = s.get("Branches").and_then(Value::as_array);
                        for (bi, b) in branches.into_iter().flatten().enumerate() {
                            let mut bc = Cluster {
                                id: self.id(&[&sub_prefix, &format!("branch{}", bi + 1)]),
                                label: format!("Branch {}", bi + 1),
                                ..Cluster::default()
                            };
                            let at = self.edges.len();
                            if let Some(start) =
                                self.scope(&format!("{sub_prefix}__b{}", bi + 1), b, &mut bc, &exit)
                            {
                                self.edge_at(at, &entry, &start, None, EdgeStyle::Solid);
                            }
                            inner.members.push(Member::Cluster(bc));
                        }
                    } else {
                        let processor = s.get("ItemProcessor").or_else(|| s.get("Iterator"));
                        if let Some(p) = processor {
                            let mut pc = Cluster {
                                id: self.id(&[&sub_prefix, "items"]),
                                label: "Each item".to_string(),
                                ..Cluster::default()
                            };
                            let at = self.edges.len();
                            if let Some(start) = self.scope(&sub_prefix, p, &mut pc, &exit) {
                                let label = match s.get("ItemsPath").and_then(Value::as_str) {
                                    Some(path) => format!("each item of {path}"),
                                    None => "each item".to_string(),
                                };
                                self.edge_at(at, &entry, &start, Some(label), EdgeStyle::Solid);
                            }
                            inner.members.push(Member::Cluster(pc));
                        }
                    }
                    inner.node(&exit, "", Shape::Join);
                    cluster.members.push(Member::Cluster(inner));
                }
                _ => cluster.node(
                    &entry,
                    name,
                    match ty {
                        "Task" => Shape::Task,
                        "Pass" => Shape::Pass,
                        "Choice" => Shape::Choice,
                        "Wait" => Shape::Wait,
                        "Succeed" => Shape::Succeed,
                        "Fail" => Shape::Fail,
                        _ => Shape::Other,
                    },
                ),
            }

            // retries: self-loops on the state
            for r in s
                .get("Retry")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let attempts = r
                    .get("MaxAttempts")
                    .and_then(Value::as_f64)
                    .map(js_number)
                    .unwrap_or_else(|| "3".into());
                let label = format!("retry {} ×{attempts}", errors(r));
                self.edge(&entry, &entry, Some(label), EdgeStyle::Dashed);
            }
            // choices
            for rule in s
                .get("Choices")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(n) = rule.get("Next").and_then(Value::as_str) {
                    let to = target(self, cluster, n);
                    self.edge(&exit, &to, Some(condition(rule, true)), EdgeStyle::Solid);
                }
            }
            if let Some(n) = s.get("Default").and_then(Value::as_str) {
                let to = target(self, cluster, n);
                self.edge(&exit, &to, Some("Default".into()), EdgeStyle::Solid);
            }
            if let Some(n) = s.get("Next").and_then(Value::as_str) {
                let to = target(self, cluster, n);
                self.edge(&exit, &to, None, EdgeStyle::Solid);
            }
            if s.get("End").and_then(Value::as_bool) == Some(true)
                || matches!(ty, "Succeed" | "Fail")
            {
                self.edge(&exit, end, None, EdgeStyle::Solid);
            }
            // catchers leave the state (its entry, for Parallel and Map)
            for c in s
                .get("Catch")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(n) = c.get("Next").and_then(Value::as_str) {
                    let to = target(self, cluster, n);
                    self.edge(
                        &entry,
                        &to,
                        Some(format!("catch {}", errors(c))),
                        EdgeStyle::Dashed,
                    );
                }
            }
        }
        let start = def.get("StartAt").and_then(Value::as_str)?;
        Some(target(self, cluster, start))
    }
}

/// `ErrorEquals` as `States.TaskFailed, States.Timeout`.
fn errors(v: &Value) -> String {
    v.get("ErrorEquals")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|e| {
                    e.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| to_compact(e))
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_else(|| "States.ALL".into())
}

fn literal(v: &Value) -> String {
    match v {
        Value::String(s) => {
            let mut out = String::new();
            write_string(&mut out, s);
            out
        }
        Value::Number(n) => n.as_f64().map(js_number).unwrap_or_else(|| n.to_string()),
        other => to_compact(other),
    }
}

/// A Choice rule as a compact condition: `$.x == "a"`, `($.n > 1 && $.ok == true)`,
/// `!($.x is null)`. `top`: no parentheses around a top-level `&&` / `||`.
pub fn condition(rule: &Value, top: bool) -> String {
    let wrap = |s: String| if top { s } else { format!("({s})") };
    if let Some(a) = rule.get("And").and_then(Value::as_array) {
        return wrap(
            a.iter()
                .map(|r| condition(r, false))
                .collect::<Vec<_>>()
                .join(" && "),
        );
    }
    if let Some(a) = rule.get("Or").and_then(Value::as_array) {
        return wrap(
            a.iter()
                .map(|r| condition(r, false))
                .collect::<Vec<_>>()
                .join(" || "),
        );
    }
    if let Some(n) = rule.get("Not") {
        return format!("!({})", condition(n, true));
    }
    if let Some(c) = rule.get("Condition").and_then(Value::as_str) {
        let c = c.trim();
        let c = c
            .strip_prefix("{%")
            .and_then(|x| x.strip_suffix("%}"))
            .unwrap_or(c);
        return c.trim().to_string();
    }
    let var = rule.get("Variable").and_then(Value::as_str).unwrap_or("?");
    let Some(o) = rule.as_object() else {
        return to_compact(rule);
    };
    for (k, v) in o {
        let (op_name, is_path) = match k.strip_suffix("Path") {
            Some(base) if k != "Variable" => (base, true),
            _ => (k.as_str(), false),
        };
        let rhs = if is_path {
            v.as_str()
                .map(str::to_string)
                .unwrap_or_else(|| to_compact(v))
        } else {
            literal(v)
        };
        let cmp = |op: &str| format!("{var} {op} {rhs}");
        let is = |what: &str| {
            if v.as_bool() == Some(false) {
                format!("{var} is not {what}")
            } else {
                format!("{var} is {what}")
            }
        };
        for family in ["String", "Numeric", "Timestamp", "Boolean"] {
            if let Some(op) = op_name.strip_prefix(family) {
                let sym = match op {
                    "Equals" => "==",
                    "LessThan" => "<",
                    "GreaterThan" => ">",
                    "LessThanEquals" => "<=",
                    "GreaterThanEquals" => ">=",
                    "Matches" => "matches",
                    _ => continue,
                };
                return cmp(sym);
            }
        }
        match k.as_str() {
            "IsNull" => return is("null"),
            "IsPresent" => {
                return if v.as_bool() == Some(false) {
                    format!("{var} is absent")
                } else {
                    format!("{var} is present")
                };
            }
            "IsNumeric" => return is("numeric"),
            "IsString" => return is("string"),
            "IsBoolean" => return is("boolean"),
            "IsTimestamp" => return is("timestamp"),
            _ => {}
        }
    }
    let mut rest = o.clone();
    rest.remove("Next");
    to_compact(&Value::Object(rest))
}

/// Builds the flowchart of the given machines (name, definition).
pub fn build(machines: &[(String, Value)]) -> Graph {
    let mut b = Builder::default();
    let mut graph = Graph::default();
    for (name, def) in machines {
        let mut c = Cluster {
            id: b.id(&[name]),
            label: name.clone(),
            ..Cluster::default()
        };
        let start = b.id(&[name, "start"]);
        let end = b.id(&[name, "end"]);
        c.node(&start, "Start", Shape::Start);
        let at = b.edges.len();
        if let Some(first) = b.scope(name, def, &mut c, &end) {
            b.edge_at(at, &start, &first, None, EdgeStyle::Solid);
        }
        c.node(&end, "End", Shape::End);
        graph.machines.push(c);
    }
    graph.edges = b.edges;
    graph
}

// --- Mermaid ---------------------------------------------------------------------------------

fn mermaid_text(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '#' => out.push_str("#35;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn mermaid_node(n: &GraphNode) -> String {
    let t = mermaid_text(&n.label);
    match n.shape {
        Shape::Start => format!("{}(({t}))", n.id),
        Shape::End => format!("{}((({t})))", n.id),
        Shape::Task | Shape::Other => format!("{}[{t}]", n.id),
        Shape::Pass => format!("{}[/{t}/]", n.id),
        Shape::Choice => format!("{}{{{t}}}", n.id),
        Shape::Wait => format!("{}{{{{{t}}}}}", n.id),
        Shape::Succeed => format!("{}([{t}])", n.id),
        Shape::Fail => format!("{}>{t}]", n.id),
        Shape::Parallel | Shape::Map => format!("{}[[{t}]]", n.id),
        Shape::Join => format!("{}((\" \"))", n.id),
        Shape::Missing => format!("{}[{t}]:::missing", n.id),
    }
}

fn mermaid_cluster(c: &Cluster, depth: usize, out: &mut String) {
    let pad = "  ".repeat(depth);
    out.push_str(&format!(
        "{pad}subgraph {}[{}]\n",
        c.id,
        mermaid_text(&c.label)
    ));
    mermaid_members(c, depth + 1, out);
    out.push_str(&format!("{pad}end\n"));
}

fn mermaid_members(c: &Cluster, depth: usize, out: &mut String) {
    let pad = "  ".repeat(depth);
    for m in &c.members {
        match m {
            Member::Node(n) => out.push_str(&format!("{pad}{}\n", mermaid_node(n))),
            Member::Cluster(sub) => mermaid_cluster(sub, depth, out),
        }
    }
}

/// The graph as a Mermaid flowchart. One machine is drawn on its own; several are
/// subgraphs of one chart.
pub fn to_mermaid(g: &Graph) -> String {
    let mut out = String::from("flowchart TD\n");
    if let [only] = g.machines.as_slice() {
        out.push_str(&format!("  %% state machine {}\n", only.label));
        mermaid_members(only, 1, &mut out);
    } else {
        for m in &g.machines {
            mermaid_cluster(m, 1, &mut out);
        }
    }
    for e in &g.edges {
        let arrow = match e.style {
            EdgeStyle::Solid => "-->",
            EdgeStyle::Dashed => "-.->",
        };
        match &e.label {
            Some(l) => out.push_str(&format!(
                "  {} {arrow}|{}| {}\n",
                e.from,
                mermaid_text(l),
                e.to
            )),
            None => out.push_str(&format!("  {} {arrow} {}\n", e.from, e.to)),
        }
    }
    if g.machines.iter().any(has_missing) {
        out.push_str("  classDef missing stroke:#c00,stroke-dasharray:4 2,color:#c00\n");
    }
    out
}

fn has_missing(c: &Cluster) -> bool {
    c.members.iter().any(|m| match m {
        Member::Node(n) => n.shape == Shape::Missing,
        Member::Cluster(sub) => has_missing(sub),
    })
}

// --- DOT -------------------------------------------------------------------------------------

fn dot_text(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn dot_node(n: &GraphNode) -> String {
    let attrs = match n.shape {
        Shape::Start => {
            "shape=circle, style=filled, fillcolor=black, label=\"\", width=0.25".to_string()
        }
        Shape::End => {
            "shape=doublecircle, style=filled, fillcolor=black, label=\"\", width=0.2".to_string()
        }
        Shape::Join => "shape=circle, label=\"\", width=0.15".to_string(),
        other => {
            let shape = match other {
                Shape::Task | Shape::Other => "shape=box, style=rounded",
                Shape::Pass => "shape=parallelogram",
                Shape::Choice => "shape=diamond",
                Shape::Wait => "shape=hexagon",
                Shape::Succeed => "shape=oval, style=bold",
                Shape::Fail => "shape=octagon",
                Shape::Parallel | Shape::Map => "shape=box, style=\"rounded,bold\"",
                _ => "shape=box, style=dashed, color=red, fontcolor=red",
            };
            format!("{shape}, label={}", dot_text(&n.label))
        }
    };
    format!("{} [{attrs}];", dot_text(&n.id))
}

fn dot_cluster(c: &Cluster, depth: usize, out: &mut String) {
    let pad = "  ".repeat(depth);
    out.push_str(&format!(
        "{pad}subgraph {} {{\n",
        dot_text(&format!("cluster_{}", c.id))
    ));
    out.push_str(&format!("{pad}  label={};\n", dot_text(&c.label)));
    out.push_str(&format!("{pad}  style=rounded;\n"));
    dot_members(c, depth + 1, out);
    out.push_str(&format!("{pad}}}\n"));
}

fn dot_members(c: &Cluster, depth: usize, out: &mut String) {
    let pad = "  ".repeat(depth);
    for m in &c.members {
        match m {
            Member::Node(n) => out.push_str(&format!("{pad}{}\n", dot_node(n))),
            Member::Cluster(sub) => dot_cluster(sub, depth, out),
        }
    }
}

/// The graph as a Graphviz `digraph`; each machine is a cluster.
pub fn to_dot(g: &Graph) -> String {
    let name = match g.machines.as_slice() {
        [only] => only.label.clone(),
        _ => "state machines".to_string(),
    };
    let mut out = format!("digraph {} {{\n", dot_text(&name));
    out.push_str("  rankdir=TB;\n");
    out.push_str("  node [fontname=\"Helvetica\", fontsize=11];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=10];\n");
    for m in &g.machines {
        dot_cluster(m, 1, &mut out);
    }
    for e in &g.edges {
        let mut attrs: Vec<String> = Vec::new();
        if let Some(l) = &e.label {
            attrs.push(format!("label={}", dot_text(l)));
        }
        if e.style == EdgeStyle::Dashed {
            attrs.push("style=dashed".into());
        }
        let attrs = if attrs.is_empty() {
            String::new()
        } else {
            format!(" [{}]", attrs.join(", "))
        };
        out.push_str(&format!(
            "  {} -> {}{attrs};\n",
            dot_text(&e.from),
            dot_text(&e.to)
        ));
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn conditions() {
        assert_eq!(
            condition(
                &json!({"Variable": "$.x", "StringEquals": "a", "Next": "A"}),
                true
            ),
            "$.x == \"a\""
        );
        assert_eq!(
            condition(
                &json!({"Variable": "$.n", "NumericGreaterThanEqualsPath": "$.m"}),
                true
            ),
            "$.n >= $.m"
        );
        assert_eq!(
            condition(
                &json!({"And": [{"Variable": "$.n", "NumericLessThan": 1.5}, {"Not": {"Variable": "$.ok", "BooleanEquals": true}}]}),
                true
            ),
            "$.n < 1.5 && !($.ok == true)"
        );
        assert_eq!(
            condition(
                &json!({"Or": [{"Variable": "$.a", "IsPresent": false}, {"And": [{"Variable": "$.b", "IsNull": true}, {"Variable": "$.c", "StringMatches": "x*"}]}]}),
                true
            ),
            "$.a is absent || ($.b is null && $.c matches \"x*\")"
        );
        assert_eq!(
            condition(&json!({"Condition": "{% $states.input.n > 1 %}"}), true),
            "$states.input.n > 1"
        );
        assert_eq!(
            condition(
                &json!({"Variable": "$.t", "TimestampLessThan": "2024-01-01T00:00:00Z"}),
                true
            ),
            "$.t < \"2024-01-01T00:00:00Z\""
        );
    }

    #[test]
    fn ids_are_unique_and_safe() {
        let mut b = Builder::default();
        assert_eq!(b.id(&["end"]), "end_");
        assert_eq!(b.id(&["a-b", "c d"]), "a_b__c_d");
        assert_eq!(b.id(&["a_b", "c_d"]), "a_b__c_d_2");
        assert_eq!(b.id(&["1x"]), "n1x");
    }
}
