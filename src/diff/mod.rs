//! `slsx diff`: what changes between two CloudFormation templates, resource by resource.
//!
//! Every top-level section is compared; the sections that are maps (`Resources`, `Outputs`,
//! `Parameters`, `Conditions`, …) entry by entry, the others (`Description`, …) as a whole.
//! Values are compared as data: key order is ignored, and a state machine's
//! `DefinitionString` is compared (and shown) as the ASL document it holds
//! ([`readable::definition`]), so a reordering or a new placeholder hash for the same
//! intrinsic is no change.
//!
//! Each change carries a unified diff of the entry's canonical text (pretty JSON or YAML;
//! NEW's keys in OLD's order so that order alone never shows), whether CloudFormation will
//! replace the resource ([`replacement`]: a replacement-causing property changed, or the
//! logical ID was renamed — a removed and an added resource of one type with near-identical
//! bodies), and which IAM grants it widens ([`iam`]).

pub mod iam;
pub mod readable;
pub mod render;
pub mod replacement;

use serde_json::{Map, Value};
use similar::TextDiff;

/// How entry bodies are written for the text diff.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BodyFormat {
    #[default]
    Json,
    Yaml,
}

#[derive(Clone, Copy, Debug)]
pub struct DiffOptions {
    pub body: BodyFormat,
    /// Lines of context around each change.
    pub context: usize,
}

impl Default for DiffOptions {
    fn default() -> Self {
        DiffOptions {
            body: BodyFormat::Json,
            context: 3,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
    /// A removed and an added resource of the same type with near-identical bodies.
    Renamed,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Changed => "changed",
            ChangeKind::Renamed => "renamed",
        }
    }
}

/// One difference.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    pub kind: ChangeKind,
    /// The top-level key: `Resources`, `Outputs`, `Description`, …
    pub section: String,
    /// The entry's key; `None` for a section compared as a whole.
    pub id: Option<String>,
    /// For a rename: the old logical ID.
    pub from: Option<String>,
    /// A resource's `Type` (NEW's, or OLD's for a removed resource).
    pub ty: Option<String>,
    /// CloudFormation replaces the resource.
    pub replacement: bool,
    /// Why: the replacement-causing properties that change, `Type`, or `logical ID`.
    pub replacement_reasons: Vec<String>,
    /// IAM grants this change adds (`+s3:PutObject on …`).
    pub widening: Vec<String>,
    /// Unified diff of the canonical text (no file header).
    pub diff: String,
}

/// All differences between two templates, in section order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    pub changes: Vec<Change>,
}

impl Report {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    pub fn count(&self, kind: ChangeKind) -> usize {
        self.changes.iter().filter(|c| c.kind == kind).count()
    }

    pub fn replacements(&self) -> usize {
        self.changes.iter().filter(|c| c.replacement).count()
    }

    pub fn widenings(&self) -> usize {
        self.changes
            .iter()
            .filter(|c| !c.widening.is_empty())
            .count()
    }

    /// The sections with changes, in report order.
    pub fn sections(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for c in &self.changes {
            if !out.contains(&c.section.as_str()) {
                out.push(&c.section);
            }
        }
        out
    }
}

/// Template sections in CloudFormation's documented order; other keys follow in the order
/// they appear (OLD's, then NEW's).
const SECTION_ORDER: [&str; 10] = [
    "AWSTemplateFormatVersion",
    "Description",
    "Metadata",
    "Parameters",
    "Rules",
    "Mappings",
    "Conditions",
    "Transform",
    "Resources",
    "Outputs",
];

/// Sections whose entries are compared one by one.
const MAP_SECTIONS: [&str; 7] = [
    "Metadata",
    "Parameters",
    "Rules",
    "Mappings",
    "Conditions",
    "Resources",
    "Outputs",
];

/// A removed and an added resource whose bodies are at least this similar (line ratio) are a
/// rename.
const RENAME_SIMILARITY: f32 = 0.8;

/// At most this many (removed, added) pairs are compared line by line; beyond it (thousands
/// of resources renamed at once) only identical bodies are taken for renames.
const RENAME_COMPARISONS: usize = 20_000;

/// Compares two templates.
pub fn compare(old: &Value, new: &Value, opts: &DiffOptions) -> Report {
    let empty = Map::new();
    let old_root = old.as_object().unwrap_or(&empty);
    let new_root = new.as_object().unwrap_or(&empty);
    let mut sections: Vec<&str> = SECTION_ORDER
        .iter()
        .copied()
        .filter(|s| old_root.contains_key(*s) || new_root.contains_key(*s))
        .collect();
    for k in old_root.keys().chain(new_root.keys()) {
        if !sections.contains(&k.as_str()) {
            sections.push(k);
        }
    }
    let mut report = Report::default();
    for s in sections {
        let (o, n) = (old_root.get(s), new_root.get(s));
        let as_maps = MAP_SECTIONS.contains(&s)
            && o.is_none_or(Value::is_object)
            && n.is_none_or(Value::is_object);
        if as_maps {
            let om = o.and_then(Value::as_object).unwrap_or(&empty);
            let nm = n.and_then(Value::as_object).unwrap_or(&empty);
            compare_entries(s, om, nm, opts, &mut report.changes);
        } else if let Some(c) = compare_whole(s, o, n, opts) {
            report.changes.push(c);
        }
    }
    report
}

fn compare_whole(
    section: &str,
    old: Option<&Value>,
    new: Option<&Value>,
    opts: &DiffOptions,
) -> Option<Change> {
    let kind = match (old, new) {
        (Some(a), Some(b)) if a == b => return None,
        (Some(_), Some(_)) => ChangeKind::Changed,
        (Some(_), None) => ChangeKind::Removed,
        (None, Some(_)) => ChangeKind::Added,
        (None, None) => return None,
    };
    Some(Change {
        kind,
        section: section.to_string(),
        id: None,
        from: None,
        ty: None,
        replacement: false,
        replacement_reasons: Vec::new(),
        widening: Vec::new(),
        diff: text_diff(old, new, opts),
    })
}

/// The entry as compared and shown: a `DefinitionString` becomes the ASL document it holds.
pub fn canonical_entry(section: &str, v: &Value) -> Value {
    let mut v = v.clone();
    if section == "Resources"
        && let Some(props) = v.get_mut("Properties").and_then(Value::as_object_mut)
        && let Some(doc) = props.get("DefinitionString").and_then(readable::definition)
    {
        props.insert("DefinitionString".into(), doc);
    }
    v
}

fn type_of(v: &Value) -> Option<String> {
    v.get("Type").and_then(Value::as_str).map(str::to_string)
}

fn compare_entries(
    section: &str,
    old: &Map<String, Value>,
    new: &Map<String, Value>,
    opts: &DiffOptions,
    out: &mut Vec<Change>,
) {
    let resources = section == "Resources";
    let canon_old: Vec<(&String, Value)> = old
        .iter()
        .map(|(k, v)| (k, canonical_entry(section, v)))
        .collect();
    let canon_new: Vec<(&String, Value)> = new
        .iter()
        .map(|(k, v)| (k, canonical_entry(section, v)))
        .collect();
    let find = |list: &'_ [(&String, Value)], id: &str| -> Option<usize> {
        list.iter().position(|(k, _)| k.as_str() == id)
    };

    let removed: Vec<usize> = (0..canon_old.len())
        .filter(|i| find(&canon_new, canon_old[*i].0).is_none())
        .collect();
    let added: Vec<usize> = (0..canon_new.len())
        .filter(|i| find(&canon_old, canon_new[*i].0).is_none())
        .collect();
    let renames = if resources {
        pair_renames(&canon_old, &removed, &canon_new, &added, opts)
    } else {
        Vec::new()
    };
    // OLD bodies with renamed logical IDs written as NEW's, so that a grant on a renamed
    // resource is not taken for a new one
    let renamed: Vec<(&str, &str)> = renames
        .iter()
        .map(|(o, n)| (canon_old[*o].0.as_str(), canon_new[*n].0.as_str()))
        .collect();
    let old_for_iam = |id: &str| rename_refs(&old[id], &renamed);

    for (ni, (id, nv)) in canon_new.iter().enumerate() {
        if let Some(oi) = find(&canon_old, id) {
            let ov = &canon_old[oi].1;
            if ov == nv {
                continue;
            }
            let mut c = entry_change(section, ChangeKind::Changed, id, Some(ov), Some(nv), opts);
            if resources {
                c.replacement_reasons = replacement_reasons(ov, nv);
                c.replacement = !c.replacement_reasons.is_empty();
                c.widening = widening_of(Some(&old_for_iam(id)), &new[id.as_str()]);
            }
            out.push(c);
        } else if let Some(&(oi, _)) = renames.iter().find(|(_, n)| *n == ni) {
            let (old_id, ov) = &canon_old[oi];
            let mut c = entry_change(section, ChangeKind::Renamed, id, Some(ov), Some(nv), opts);
            c.from = Some(old_id.to_string());
            c.replacement = true;
            c.replacement_reasons = vec!["logical ID".to_string()];
            c.replacement_reasons.extend(
                replacement_reasons(ov, nv)
                    .into_iter()
                    .filter(|r| r != "logical ID"),
            );
            c.widening = widening_of(Some(&old_for_iam(old_id)), &new[id.as_str()]);
            out.push(c);
        } else {
            let mut c = entry_change(section, ChangeKind::Added, id, None, Some(nv), opts);
            if resources {
                c.widening = widening_of(None, &new[id.as_str()]);
            }
            out.push(c);
        }
    }
    for oi in removed {
        if renames.iter().any(|(o, _)| *o == oi) {
            continue;
        }
        let (id, ov) = &canon_old[oi];
        out.push(entry_change(
            section,
            ChangeKind::Removed,
            id,
            Some(ov),
            None,
            opts,
        ));
    }
}

fn entry_change(
    section: &str,
    kind: ChangeKind,
    id: &str,
    old: Option<&Value>,
    new: Option<&Value>,
    opts: &DiffOptions,
) -> Change {
    let ty = match (new, old) {
        (Some(n), _) if section == "Resources" => type_of(n),
        (None, Some(o)) if section == "Resources" => type_of(o),
        _ => None,
    };
    Change {
        kind,
        section: section.to_string(),
        id: Some(id.to_string()),
        from: None,
        ty,
        replacement: false,
        replacement_reasons: Vec::new(),
        widening: Vec::new(),
        diff: text_diff(old, new, opts),
    }
}

fn widening_of(old: Option<&Value>, new: &Value) -> Vec<String> {
    match type_of(new) {
        Some(ty) => iam::widening(&ty, old, new),
        None => Vec::new(),
    }
}

/// The replacement-causing differences between two bodies of one resource.
fn replacement_reasons(old: &Value, new: &Value) -> Vec<String> {
    let (ot, nt) = (type_of(old), type_of(new));
    if ot != nt {
        return vec!["Type".to_string()];
    }
    let Some(ty) = nt else {
        return Vec::new();
    };
    let prop = |v: &Value, p: &str| v.get("Properties").and_then(|x| x.get(p)).cloned();
    replacement::properties_of(&ty)
        .iter()
        .filter(|p| prop(old, p) != prop(new, p))
        .map(|p| p.to_string())
        .collect()
}

/// Pairs removed with added resources of the same type whose canonical texts are at least
/// [`RENAME_SIMILARITY`] alike, best pairs first. Returns (old index, new index) pairs.
fn pair_renames(
    old: &[(&String, Value)],
    removed: &[usize],
    new: &[(&String, Value)],
    added: &[usize],
    opts: &DiffOptions,
) -> Vec<(usize, usize)> {
    let mut candidates: Vec<(f32, usize, usize)> = Vec::new();
    let mut budget = RENAME_COMPARISONS;
    let new_texts: Vec<(usize, Option<String>, String)> = added
        .iter()
        .map(|&ni| (ni, type_of(&new[ni].1), body_text(&new[ni].1, opts.body)))
        .collect();
    for &oi in removed {
        let ot = type_of(&old[oi].1);
        if ot.is_none() {
            continue;
        }
        let otext = body_text(&old[oi].1, opts.body);
        for (ni, nt, ntext) in &new_texts {
            let ni = *ni;
            if *nt != ot {
                continue;
            }
            if old[oi].1 == new[ni].1 {
                candidates.push((1.0, oi, ni));
                continue;
            }
            let (a, b) = (otext.len().max(1) as f32, ntext.len().max(1) as f32);
            if budget == 0 || a.min(b) / a.max(b) < RENAME_SIMILARITY / 2.0 {
                continue;
            }
            budget -= 1;
            let ratio = TextDiff::from_lines(&otext, ntext).ratio();
            if ratio >= RENAME_SIMILARITY {
                candidates.push((ratio, oi, ni));
            }
        }
    }
    candidates.sort_by(|a, b| {
        b.0.partial_cmp(&a.0)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.1.cmp(&b.1))
            .then(a.2.cmp(&b.2))
    });
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for (_, oi, ni) in candidates {
        if pairs.iter().all(|(o, n)| *o != oi && *n != ni) {
            pairs.push((oi, ni));
        }
    }
    pairs
}

/// `v` with references (`Ref`, `Fn::GetAtt`, `${X}` / `${X.Attr}` in `Fn::Sub`) to the first
/// id of each pair rewritten to the second.
pub fn rename_refs(v: &Value, renames: &[(&str, &str)]) -> Value {
    if renames.is_empty() {
        return v.clone();
    }
    let to = |id: &str| {
        renames
            .iter()
            .find(|(o, _)| *o == id)
            .map(|(_, n)| n.to_string())
    };
    match v {
        Value::Object(o) => {
            let mut out = Map::new();
            for (k, x) in o {
                let nx = match (k.as_str(), x) {
                    ("Ref", Value::String(id)) => to(id).map(Value::String),
                    ("Fn::GetAtt", Value::Array(a)) if !a.is_empty() => {
                        a[0].as_str().and_then(to).map(|n| {
                            let mut a = a.clone();
                            a[0] = Value::String(n);
                            Value::Array(a)
                        })
                    }
                    ("Fn::GetAtt", Value::String(s)) => s.split_once('.').and_then(|(id, attr)| {
                        to(id).map(|n| Value::String(format!("{n}.{attr}")))
                    }),
                    ("Fn::Sub", Value::String(s)) => Some(Value::String(rename_in_sub(s, &to))),
                    ("Fn::Sub", Value::Array(a)) if !a.is_empty() => {
                        let mut a: Vec<Value> = a.iter().map(|y| rename_refs(y, renames)).collect();
                        if let Some(s) = a[0].as_str() {
                            a[0] = Value::String(rename_in_sub(s, &to));
                        }
                        Some(Value::Array(a))
                    }
                    _ => None,
                };
                out.insert(k.clone(), nx.unwrap_or_else(|| rename_refs(x, renames)));
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(|x| rename_refs(x, renames)).collect()),
        other => other.clone(),
    }
}

fn rename_in_sub(s: &str, to: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::new();
    let mut last = 0;
    for (at, name) in readable::sub_references(s) {
        let (id, attr) = match name.split_once('.') {
            Some((i, a)) => (i, Some(a)),
            None => (name, None),
        };
        if let Some(n) = to(id) {
            out.push_str(&s[last..at]);
            out.push_str("${");
            out.push_str(&n);
            if let Some(a) = attr {
                out.push('.');
                out.push_str(a);
            }
            out.push('}');
            last = at + name.len() + 3;
        }
    }
    out.push_str(&s[last..]);
    out
}

/// `new` with the keys it shares with `old` in `old`'s order, recursively, so that key order
/// alone never shows in a text diff. NEW-only keys keep their places; when the shared keys
/// already come in the same order, NEW's order is kept as it is.
pub fn align(new: &Value, old: &Value) -> Value {
    match (new, old) {
        (Value::Object(n), Value::Object(o)) => {
            let shared_old: Vec<&String> = o.keys().filter(|k| n.contains_key(*k)).collect();
            let shared_new: Vec<&String> = n.keys().filter(|k| o.contains_key(*k)).collect();
            let mut shared = shared_old.into_iter();
            let reorder = shared_new != shared.clone().collect::<Vec<_>>();
            let mut out = Map::new();
            for k in n.keys() {
                let key = if reorder && o.contains_key(k) {
                    shared.next().unwrap_or(k)
                } else {
                    k
                };
                let nv = &n[key.as_str()];
                let v = match o.get(key) {
                    Some(ov) => align(nv, ov),
                    None => nv.clone(),
                };
                out.insert(key.clone(), v);
            }
            Value::Object(out)
        }
        (Value::Array(n), Value::Array(o)) => Value::Array(
            n.iter()
                .enumerate()
                .map(|(i, x)| match o.get(i) {
                    Some(y) => align(x, y),
                    None => x.clone(),
                })
                .collect(),
        ),
        _ => new.clone(),
    }
}

/// The canonical text of a value (pretty JSON with two spaces, or YAML), newline-terminated.
pub fn body_text(v: &Value, format: BodyFormat) -> String {
    let fmt = match format {
        BodyFormat::Json => crate::emit::Format::Json,
        BodyFormat::Yaml => crate::emit::Format::Yaml,
    };
    crate::emit::render(v, fmt)
}

fn text_diff(old: Option<&Value>, new: Option<&Value>, opts: &DiffOptions) -> String {
    let a = old.map(|v| body_text(v, opts.body)).unwrap_or_default();
    let b = match (new, old) {
        (Some(n), Some(o)) => body_text(&align(n, o), opts.body),
        (Some(n), None) => body_text(n, opts.body),
        (None, _) => String::new(),
    };
    TextDiff::from_lines(&a, &b)
        .unified_diff()
        .context_radius(opts.context)
        .missing_newline_hint(false)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn t(resources: Value) -> Value {
        json!({"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources, "Outputs": {}})
    }

    #[test]
    fn key_order_is_no_change() {
        let a = json!({"Resources": {"A": {"Type": "X", "Properties": {"p": 1, "q": 2}}}});
        let b = json!({"Resources": {"A": {"Properties": {"q": 2, "p": 1}, "Type": "X"}}});
        assert!(compare(&a, &b, &DiffOptions::default()).is_empty());
    }

    #[test]
    fn added_removed_changed() {
        let a = t(
            json!({"A": {"Type": "AWS::SNS::Topic"}, "B": {"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": 1}}}),
        );
        let b = t(
            json!({"B": {"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": 2}}, "C": {"Type": "AWS::S3::Bucket", "Properties": {"VersioningConfiguration": {"Status": "Enabled"}}}}),
        );
        let r = compare(&a, &b, &DiffOptions::default());
        let kinds: Vec<(&str, &str)> = r
            .changes
            .iter()
            .map(|c| (c.kind.as_str(), c.id.as_deref().unwrap()))
            .collect();
        assert_eq!(kinds, [("changed", "B"), ("added", "C"), ("removed", "A")]);
        assert!(r.changes[0].diff.contains("-    \"DelaySeconds\": 1\n"));
        assert!(r.changes[0].diff.contains("+    \"DelaySeconds\": 2\n"));
        assert!(!r.changes[0].replacement);
    }

    #[test]
    fn rename_is_a_replacement() {
        let body = json!({"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": 1, "VisibilityTimeout": 30, "MessageRetentionPeriod": 60, "MaximumMessageSize": 1024}});
        let a = t(json!({"Old": body.clone()}));
        let b = t(json!({"New": body}));
        let r = compare(&a, &b, &DiffOptions::default());
        assert_eq!(r.changes.len(), 1);
        let c = &r.changes[0];
        assert_eq!(c.kind, ChangeKind::Renamed);
        assert_eq!(c.from.as_deref(), Some("Old"));
        assert!(c.replacement);
        assert_eq!(c.replacement_reasons, ["logical ID"]);
    }

    #[test]
    fn rename_refs_rewrites_every_reference_form() {
        let v = json!({"a": {"Ref": "Old"}, "b": {"Fn::GetAtt": ["Old", "Arn"]}, "c": {"Fn::GetAtt": "Old.Arn"},
            "d": {"Fn::Sub": "${Old.Arn}/*-${Other}-${!Old}"}, "e": {"Fn::Sub": ["${Old}", {"x": {"Ref": "Old"}}]}});
        let r = rename_refs(&v, &[("Old", "New")]);
        assert_eq!(
            r,
            json!({"a": {"Ref": "New"}, "b": {"Fn::GetAtt": ["New", "Arn"]}, "c": {"Fn::GetAtt": "New.Arn"},
                "d": {"Fn::Sub": "${New.Arn}/*-${Other}-${!Old}"}, "e": {"Fn::Sub": ["${New}", {"x": {"Ref": "New"}}]}})
        );
    }

    #[test]
    fn align_keeps_new_keys_in_place() {
        let old = json!({"a": 1, "b": 2, "c": 3});
        let new = json!({"x": 0, "c": 3, "a": 1, "y": 9, "b": 2});
        let got = align(&new, &old);
        let keys: Vec<&String> = got.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["x", "a", "b", "y", "c"]);
        // same relative order: untouched
        let new = json!({"s": 0, "a": 1, "b": 2});
        let keys: Vec<String> = align(&new, &old)
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert_eq!(keys, ["s", "a", "b"]);
    }

    #[test]
    fn many_renames_stay_fast() {
        let mut a = Map::new();
        let mut b = Map::new();
        for i in 0..600 {
            let body = json!({"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": format!("t{i}"), "Tags": [{"Key": "k", "Value": "v"}]}});
            a.insert(format!("Old{i}"), body.clone());
            b.insert(format!("New{i}"), body);
        }
        let start = std::time::Instant::now();
        let r = compare(
            &t(Value::Object(a)),
            &t(Value::Object(b)),
            &DiffOptions::default(),
        );
        assert_eq!(r.count(ChangeKind::Renamed), 600);
        assert!(start.elapsed().as_secs() < 20, "took {:?}", start.elapsed());
    }

    #[test]
    fn replacement_property() {
        let a = t(
            json!({"M": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {"StateMachineName": "a"}}}),
        );
        let b = t(
            json!({"M": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {"StateMachineName": "b"}}}),
        );
        let r = compare(&a, &b, &DiffOptions::default());
        assert_eq!(r.changes[0].replacement_reasons, ["StateMachineName"]);
    }

    #[test]
    fn definition_hash_change_for_same_intrinsic_is_no_change() {
        let d = |h: &str| json!({"Fn::Sub": [format!("{{\"StartAt\":\"A\",\"States\":{{\"A\":{{\"Type\":\"Task\",\"Resource\":\"${{{h}}}\",\"End\":true}}}}}}"), {h: {"Fn::GetAtt": ["F", "Arn"]}}]});
        let m = |h: &str| {
            t(
                json!({"M": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {"DefinitionString": d(h)}}}),
            )
        };
        assert!(compare(&m("aaa"), &m("bbb"), &DiffOptions::default()).is_empty());
    }

    #[test]
    fn scalar_sections() {
        let a = json!({"Description": "a", "Resources": {}});
        let b = json!({"Description": "b", "Resources": {}, "Conditions": {"IsProd": {"Fn::Equals": ["a", "b"]}}});
        let r = compare(&a, &b, &DiffOptions::default());
        let got: Vec<(&str, &str, Option<&str>)> = r
            .changes
            .iter()
            .map(|c| (c.kind.as_str(), c.section.as_str(), c.id.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("changed", "Description", None),
                ("added", "Conditions", Some("IsProd"))
            ]
        );
    }
}
