//! `slsx check`: lints on top of what `expand` reports — every state-machine definition through
//! the States Language checker ([`crate::asl`], its findings errors, its lint-only rules on),
//! S3 bucket names ([`s3`]) and references that point nowhere ([`refs`]).
//!
//! Lints read the resolved configuration (which keeps spans) and, when the expansion
//! succeeded, the template. They only add diagnostics; they never change the template.

pub mod refs;
pub mod s3;

use serde_json::Value;

use crate::asl;
use crate::compile::naming;
use crate::declare_codes;
use crate::diagnostics::{Diag, Diags};
use crate::diff::readable;
use crate::source::Span;
use crate::yaml::Node;

declare_codes! { CODES;
    S3_BUCKET_NAME = "slsx::lint::s3-bucket-name", "An S3 bucket name S3 rejects (length, characters, uppercase, IP-like, reserved prefixes).";
    UNKNOWN_REFERENCE = "slsx::lint::unknown-reference", "`Ref`, `Fn::GetAtt`, `${X}` in `Fn::Sub`, `DependsOn` or a condition name that names nothing in the template.";
}

/// Runs every lint. `config` is the resolved, normalised configuration; `template` the
/// expansion (absent when it failed).
///
/// Every state-machine definition goes through [`asl::check`] in [`asl::Mode::Check`]: those
/// of `stepFunctions`, those of the `AWS::StepFunctions::StateMachine` resources in
/// `resources.Resources`, and those only the template has. `expand` has checked the
/// `stepFunctions` ones already, for its own reader (warnings unless `validate: true`, help
/// texts about `validate`): check drops those findings and reports its own.
pub fn lint(config: Option<&Node>, template: Option<&Value>, diags: &mut Diags) {
    let kept: Vec<Diag> = std::mem::take(diags)
        .into_iter()
        .filter(|d| !asl::CODES.contains(&d.code))
        .collect();
    diags.extend(kept);
    if let Some(config) = config {
        for m in machines(config) {
            m.check(config, diags);
        }
        s3::lint_bucket_names(config, diags);
    }
    if let Some(t) = template {
        if let Some(config) = config {
            for m in template_only_machines(config, t) {
                m.check(config, diags);
            }
        }
        refs::lint_references(t, config, diags);
    }
}

/// A state-machine definition to lint.
struct Machine {
    /// The key under `stepFunctions.stateMachines`, or the logical ID.
    name: String,
    /// The definition (a `stepFunctions` one may be a string); a `DefinitionString` document
    /// is read into nodes all located at the string.
    node: Node,
    /// Its key (`definition`, `Definition`, `DefinitionString`).
    at: Span,
    /// A resource's: CloudFormation substitutes `${...}` placeholders in it.
    resource: bool,
    /// A `stepFunctions` one the plugin validates (`stepFunctions.validate: true`).
    validate: bool,
}

impl Machine {
    fn check(&self, config: &Node, diags: &mut Diags) {
        let def = asl::Definition {
            machine: &self.name,
            node: &self.node,
            at: self.at,
            placeholders: self.resource,
        };
        let mode = asl::Mode::Check {
            validate: self.validate,
            config,
        };
        asl::check(&def, mode, diags);
    }
}

/// The state-machine definitions of the config, with the name messages use: each
/// `stepFunctions.stateMachines.<key>.definition` that is an object, and each
/// `AWS::StepFunctions::StateMachine` in `resources.Resources` with a `Definition` object or a
/// `DefinitionString` holding a JSON document (its states are then located at the string).
pub fn definitions(config: &Node) -> Vec<(String, Node)> {
    machines(config)
        .into_iter()
        .filter(|m| m.node.as_map().is_some())
        .map(|m| (m.name, m.node))
        .collect()
}

/// [`definitions`], and the `stepFunctions` definitions written as strings.
fn machines(config: &Node) -> Vec<Machine> {
    let mut out = Vec::new();
    if let Some(sf) = config.get("stepFunctions")
        && let Some(machines) = sf.get("stateMachines").and_then(Node::as_map)
    {
        let validate = crate::compile::step_functions_enabled(config)
            && sf.get("validate").is_some_and(Node::is_truthy);
        for (key, e) in machines.iter() {
            let Some(m) = e.value.as_map() else {
                continue;
            };
            if let Some(def) = m
                .get("definition")
                .filter(|d| d.as_map().is_some() || d.as_str().is_some())
            {
                out.push(Machine {
                    name: key.to_string(),
                    node: def.clone(),
                    at: m.key_span("definition").unwrap_or(e.key_span),
                    resource: false,
                    validate,
                });
            }
        }
    }
    if let Some(resources) = config
        .get("resources")
        .and_then(|r| r.get("Resources"))
        .and_then(Node::as_map)
    {
        for (id, e) in resources.iter() {
            if e.value.get("Type").and_then(Node::as_str)
                != Some("AWS::StepFunctions::StateMachine")
            {
                continue;
            }
            let Some(props) = e.value.get("Properties").and_then(Node::as_map) else {
                continue;
            };
            let (node, key) =
                if let Some(def) = props.get("Definition").filter(|d| d.as_map().is_some()) {
                    (def.clone(), "Definition")
                } else if let Some(ds) = props.get("DefinitionString")
                    && let Some(doc) = readable::definition(&ds.to_json())
                {
                    (Node::from_json(&doc, ds.span), "DefinitionString")
                } else {
                    continue;
                };
            out.push(Machine {
                name: id.to_string(),
                node,
                at: props.key_span(key).unwrap_or(e.key_span),
                resource: true,
                validate: false,
            });
        }
    }
    out
}

/// State machines of the template that neither `stepFunctions` nor `resources.Resources`
/// define (so they have no spans), as definitions.
fn template_only_machines(config: &Node, t: &Value) -> Vec<Machine> {
    let mut known: Vec<String> = Vec::new();
    if let Some(machines) = config
        .get("stepFunctions")
        .and_then(|s| s.get("stateMachines"))
        .and_then(Node::as_map)
    {
        for (key, e) in machines.iter() {
            let s = |k: &str| e.value.get(k).and_then(Node::as_str);
            known.push(naming::state_machine_logical_id(key, s("id"), s("name")));
        }
    }
    let user = config.get("resources").and_then(|r| r.get("Resources"));
    let mut out = Vec::new();
    for (id, r) in t
        .get("Resources")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if r.get("Type").and_then(Value::as_str) != Some("AWS::StepFunctions::StateMachine")
            || known.contains(id)
            || user.and_then(|u| u.get(id)).is_some()
        {
            continue;
        }
        let props = r.get("Properties");
        let doc = props
            .and_then(|p| p.get("Definition"))
            .filter(|d| d.is_object())
            .cloned()
            .or_else(|| {
                props
                    .and_then(|p| p.get("DefinitionString"))
                    .and_then(readable::definition)
            });
        if let Some(doc) = doc {
            out.push(Machine {
                name: id.clone(),
                node: Node::from_json(&doc, Span::NONE),
                at: Span::NONE,
                resource: true,
                validate: false,
            });
        }
    }
    out
}
