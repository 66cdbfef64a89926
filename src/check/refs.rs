//! References that point nowhere: `Ref`, `Fn::GetAtt`, `${X}` / `${X.Attr}` in `Fn::Sub`,
//! `DependsOn`, and condition names (`Condition`, `Fn::If`), checked against the expanded
//! template's resources, parameters, conditions and the pseudo parameters.
//!
//! The template has no spans; a finding in an entry the user wrote (`resources.Resources`,
//! `resources.Outputs`, `resources.Conditions`) is located by following the same path in the
//! resolved config, down to the deepest node that exists there.

use serde_json::{Map, Value};

use crate::compile::naming;
use crate::compile::resources::closest;
use crate::diagnostics::{Diag, Diags};
use crate::yaml::Node;

use super::UNKNOWN_REFERENCE;
use crate::diff::readable;

/// CloudFormation's pseudo parameters.
pub const PSEUDO_PARAMETERS: [&str; 8] = [
    "AWS::AccountId",
    "AWS::NotificationARNs",
    "AWS::NoValue",
    "AWS::Partition",
    "AWS::Region",
    "AWS::StackId",
    "AWS::StackName",
    "AWS::URLSuffix",
];

struct Names<'a> {
    resources: Vec<&'a str>,
    parameters: Vec<&'a str>,
    conditions: Vec<&'a str>,
}

/// What a name must be.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Want {
    /// `Ref`, `${X}`: a resource, a parameter or a pseudo parameter.
    Referable,
    /// `Fn::GetAtt`, `${X.Attr}`, `DependsOn`: a resource.
    Resource,
    /// `Condition`, `Fn::If`: a condition.
    Condition,
}

struct Finding {
    /// Template path of the node holding the name.
    path: Vec<String>,
    name: String,
    want: Want,
    /// How it is used: `Ref`, `Fn::GetAtt`, `Fn::Sub`, `DependsOn`, …
    how: &'static str,
}

fn keys(t: &Value, section: &str) -> Vec<String> {
    t.get(section)
        .and_then(Value::as_object)
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

/// Lints every reference of the template. A template with a `Transform` (SAM, macros) is
/// skipped: the resources it references exist only after the transform.
pub fn lint_references(template: &Value, config: Option<&Node>, diags: &mut Diags) {
    if template.get("Transform").is_some() {
        return;
    }
    let (resources, parameters, conditions) = (
        keys(template, "Resources"),
        keys(template, "Parameters"),
        keys(template, "Conditions"),
    );
    let names = Names {
        resources: resources.iter().map(String::as_str).collect(),
        parameters: parameters.iter().map(String::as_str).collect(),
        conditions: conditions.iter().map(String::as_str).collect(),
    };
    let mut found: Vec<Finding> = Vec::new();
    let empty = Map::new();
    let section = |s: &str| template.get(s).and_then(Value::as_object).unwrap_or(&empty);
    for (id, r) in section("Resources") {
        let mut path = vec!["Resources".to_string(), id.clone()];
        if let Some(o) = r.as_object() {
            for (k, v) in o {
                path.push(k.clone());
                match k.as_str() {
                    "DependsOn" => match v {
                        Value::String(s) => need(&mut found, &path, s, Want::Resource, "DependsOn"),
                        Value::Array(a) => {
                            for (i, x) in a.iter().enumerate() {
                                if let Some(s) = x.as_str() {
                                    path.push(i.to_string());
                                    need(&mut found, &path, s, Want::Resource, "DependsOn");
                                    path.pop();
                                }
                            }
                        }
                        _ => {}
                    },
                    "Condition" => {
                        if let Some(s) = v.as_str() {
                            need(&mut found, &path, s, Want::Condition, "Condition");
                        }
                    }
                    _ => walk(v, &mut path, false, &mut found),
                }
                path.pop();
            }
        }
    }
    for (id, o) in section("Outputs") {
        let mut path = vec!["Outputs".to_string(), id.clone()];
        if let Some(o) = o.as_object() {
            for (k, v) in o {
                path.push(k.clone());
                if k == "Condition" {
                    if let Some(s) = v.as_str() {
                        need(&mut found, &path, s, Want::Condition, "Condition");
                    }
                } else {
                    walk(v, &mut path, false, &mut found);
                }
                path.pop();
            }
        }
    }
    for (id, c) in section("Conditions") {
        let mut path = vec!["Conditions".to_string(), id.clone()];
        walk(c, &mut path, true, &mut found);
    }

    let functions: Vec<&str> = config
        .and_then(|c| c.get("functions"))
        .and_then(Node::as_map)
        .map(|m| m.keys().map(|k| k.as_str()).collect())
        .unwrap_or_default();
    for f in found {
        let ok = match f.want {
            Want::Referable => {
                names.resources.contains(&f.name.as_str())
                    || names.parameters.contains(&f.name.as_str())
                    || PSEUDO_PARAMETERS.contains(&f.name.as_str())
            }
            Want::Resource => names.resources.contains(&f.name.as_str()),
            Want::Condition => names.conditions.contains(&f.name.as_str()),
        };
        if ok {
            continue;
        }
        diags.push(diagnose(&f, &names, &functions, config));
    }
}

fn need(found: &mut Vec<Finding>, path: &[String], name: &str, want: Want, how: &'static str) {
    found.push(Finding {
        path: path.to_vec(),
        name: name.to_string(),
        want,
        how,
    });
}

/// Collects the references inside a value. `in_conditions`: `{Condition: X}` is a reference.
fn walk(v: &Value, path: &mut Vec<String>, in_conditions: bool, found: &mut Vec<Finding>) {
    match v {
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                path.push(i.to_string());
                walk(x, path, in_conditions, found);
                path.pop();
            }
        }
        Value::Object(o) => {
            if let Some((k, arg)) = readable::intrinsic(v) {
                path.push(k.to_string());
                match (k, arg) {
                    ("Ref", Value::String(s)) => need(found, path, s, Want::Referable, "Ref"),
                    ("Fn::GetAtt", x) => {
                        if let Some((id, _)) = readable::get_att_parts(x) {
                            if x.is_array() {
                                path.push("0".into());
                                need(found, path, id, Want::Resource, "Fn::GetAtt");
                                path.pop();
                            } else {
                                need(found, path, id, Want::Resource, "Fn::GetAtt");
                            }
                        }
                        if let Some(attr) = x.as_array().and_then(|a| a.get(1)) {
                            path.push("1".into());
                            walk(attr, path, in_conditions, found);
                            path.pop();
                        }
                    }
                    ("Fn::Sub", x) => sub(x, path, in_conditions, found),
                    ("Fn::If", Value::Array(a)) => {
                        for (i, x) in a.iter().enumerate() {
                            path.push(i.to_string());
                            match (i, x) {
                                (0, Value::String(s)) => {
                                    need(found, path, s, Want::Condition, "Fn::If")
                                }
                                _ => walk(x, path, in_conditions, found),
                            }
                            path.pop();
                        }
                    }
                    ("Condition", Value::String(s)) if in_conditions => {
                        need(found, path, s, Want::Condition, "Condition")
                    }
                    (_, x) => walk(x, path, in_conditions, found),
                }
                path.pop();
                return;
            }
            for (k, x) in o {
                path.push(k.clone());
                walk(x, path, in_conditions, found);
                path.pop();
            }
        }
        _ => {}
    }
}

fn sub(x: &Value, path: &mut Vec<String>, in_conditions: bool, found: &mut Vec<Finding>) {
    let Some((tmpl, vars)) = readable::sub_parts(x) else {
        walk(x, path, in_conditions, found);
        return;
    };
    if x.is_array() {
        path.push("0".into());
    }
    for (_, name) in readable::sub_references(tmpl) {
        let name = name.trim();
        if vars.is_some_and(|m| m.contains_key(name)) {
            continue;
        }
        match name.split_once('.') {
            Some((id, _)) => need(found, path, id, Want::Resource, "Fn::Sub"),
            None => need(found, path, name, Want::Referable, "Fn::Sub"),
        }
    }
    if x.is_array() {
        path.pop();
    }
    if let Some(m) = vars {
        path.push("1".into());
        for (k, v) in m {
            path.push(k.clone());
            walk(v, path, in_conditions, found);
            path.pop();
        }
        path.pop();
    }
}

/// The deepest config node along `resources.<template path>`, and whether it is the node
/// itself.
fn locate<'a>(config: Option<&'a Node>, path: &[String]) -> Option<(&'a Node, bool)> {
    let mut cur = config?.get("resources")?;
    let mut exact = true;
    for (i, p) in path.iter().enumerate() {
        let next = match cur.as_map() {
            Some(m) => m.get(p),
            None => cur
                .as_seq()
                .and_then(|s| p.parse::<usize>().ok().and_then(|i| s.get(i))),
        };
        match next {
            Some(n) => cur = n,
            None => {
                exact = false;
                if i < 2 {
                    return None;
                }
                break;
            }
        }
    }
    Some((cur, exact))
}

fn diagnose(f: &Finding, names: &Names, functions: &[&str], config: Option<&Node>) -> Diag {
    let what = match f.want {
        Want::Referable => "resource, parameter or pseudo parameter",
        Want::Resource => "resource",
        Want::Condition => "condition",
    };
    let entry = f.path[..2.min(f.path.len())].join(".");
    let mut d = Diag::error(
        &UNKNOWN_REFERENCE,
        format!(
            "`{}` in `{entry}` names `{}`, but the template has no such {what}",
            f.how, f.name
        ),
    );
    match locate(config, &f.path) {
        Some((n, true)) => d = d.label(n.span, format!("no {what} `{}`", f.name)),
        Some((n, false)) => d = d.label(n.span, format!("`{}` names `{}` in here", f.how, f.name)),
        None => {}
    }
    let candidates: Vec<&str> = match f.want {
        Want::Referable => names
            .resources
            .iter()
            .chain(names.parameters.iter())
            .copied()
            .chain(PSEUDO_PARAMETERS)
            .collect(),
        Want::Resource => names.resources.clone(),
        Want::Condition => names.conditions.clone(),
    };
    let help = if f.want != Want::Condition && functions.contains(&f.name.as_str()) {
        format!(
            "`{}` is a function key; in `resources` a function is referenced by its logical ID: `{}`",
            f.name,
            naming::lambda_logical_id(&f.name)
        )
    } else if f.want == Want::Resource && names.parameters.contains(&f.name.as_str()) {
        format!(
            "`{}` is a parameter; only resources have attributes and can be depended on",
            f.name
        )
    } else if let Some(s) = closest(&f.name, candidates.into_iter()) {
        format!("did you mean `{s}`?")
    } else {
        match f.want {
            Want::Condition => "define the condition under `resources.Conditions`".to_string(),
            _ => "CloudFormation rejects the template (unresolved dependency); define the resource under `resources.Resources` or a parameter under `resources.Parameters`".to_string(),
        }
    };
    d.help(help)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn codes(t: &Value) -> Vec<String> {
        let mut d = Diags::new();
        lint_references(t, None, &mut d);
        d.iter().map(|x| x.message.clone()).collect()
    }

    #[test]
    fn generated_resources_are_checked_without_spans() {
        let t = json!({"Resources": {
            "M": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
                "DefinitionString": {"Fn::Sub": ["{\"R\": \"${h}\", \"P\": \"${AWS::Partition}\", \"U\": \"${Oops}\"}", {"h": {"Fn::GetAtt": ["F", "Arn"]}}]},
                "RoleArn": {"Fn::GetAtt": ["MRole", "Arn"]}
            }, "DependsOn": ["MRole"]},
            "MRole": {"Type": "AWS::IAM::Role"}
        }});
        assert_eq!(
            codes(&t),
            [
                "`Fn::Sub` in `Resources.M` names `Oops`, but the template has no such resource, parameter or pseudo parameter",
                "`Fn::GetAtt` in `Resources.M` names `F`, but the template has no such resource",
            ]
        );
    }

    #[test]
    fn parameters_pseudo_parameters_and_conditions_resolve() {
        let t = json!({
            "Parameters": {"Stage": {"Type": "String"}},
            "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}, "Both": {"Fn::And": [{"Condition": "IsProd"}, {"Condition": "IsProd"}]}},
            "Resources": {"T": {"Type": "AWS::SNS::Topic", "Condition": "Both", "Properties": {"TopicName": {"Fn::Sub": "${AWS::StackName}-${Stage}-${!Literal}"}}}},
            "Outputs": {"O": {"Value": {"Fn::If": ["IsProd", {"Ref": "T"}, {"Ref": "AWS::NoValue"}]}}}
        });
        assert!(codes(&t).is_empty(), "{:?}", codes(&t));
    }

    #[test]
    fn transform_skips() {
        let t = json!({"Transform": "AWS::Serverless-2016-10-31", "Resources": {"A": {"Type": "X", "Properties": {"R": {"Ref": "Nope"}}}}});
        assert!(codes(&t).is_empty());
    }
}
