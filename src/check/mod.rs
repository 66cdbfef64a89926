//! `slsx check`: lints on top of what `expand` reports — state-machine definitions (always
//! on, [`asl`]), S3 bucket names ([`s3`]) and references that point nowhere ([`refs`]).
//!
//! Lints read the resolved configuration (which keeps spans) and, when the expansion
//! succeeded, the template. They only add diagnostics; they never change the template.

pub mod asl;
pub mod refs;
pub mod s3;

use serde_json::Value;

use crate::compile::naming;
use crate::declare_codes;
use crate::diagnostics::{Diags, Severity};
use crate::diff::readable;
use crate::yaml::Node;

declare_codes! { CODES;
    ASL_UNKNOWN_STATE = "slsx::lint::asl-unknown-state", "`StartAt`, `Next`, `Default` or a Choice rule's or Catch's `Next` names a state that is not in its scope.";
    ASL_UNREACHABLE_STATE = "slsx::lint::asl-unreachable-state", "A state no transition from `StartAt` leads to (Step Functions rejects the definition).";
    ASL_NO_TERMINAL_STATE = "slsx::lint::asl-no-terminal-state", "A definition, Parallel branch or Map item processor without a state that ends the execution.";
    ASL_MISSING_TRANSITION = "slsx::lint::asl-missing-transition", "A state other than Choice, Succeed and Fail with neither `Next` nor `End: true`.";
    ASL_MISSING_STATES = "slsx::lint::asl-missing-states", "A definition, Parallel branch or Map item processor without `StartAt` or `States`.";
    ASL_DUPLICATE_STATE = "slsx::lint::asl-duplicate-state", "Two states of one state machine (in different scopes) share a name.";
    ASL_CHOICE_WITHOUT_DEFAULT = "slsx::lint::asl-choice-without-default", "A Choice state without `Default` fails with States.NoChoiceMatched when no rule matches.";
    ASL_TASK_TIMEOUT = "slsx::lint::asl-task-timeout", "A Task's `TimeoutSeconds` is longer than the timeout of the Lambda function it invokes.";
    S3_BUCKET_NAME = "slsx::lint::s3-bucket-name", "An S3 bucket name S3 rejects (length, characters, uppercase, IP-like, reserved prefixes).";
    UNKNOWN_REFERENCE = "slsx::lint::unknown-reference", "`Ref`, `Fn::GetAtt`, `${X}` in `Fn::Sub`, `DependsOn` or a condition name that names nothing in the template.";
}

/// Runs every lint. `config` is the resolved, normalised configuration; `template` the
/// expansion (absent when it failed).
///
/// The compiler already checks the structure of every `stepFunctions` definition (its
/// `slsx::asl::*` findings are warnings in `expand`, errors with `validate: true`). `check` makes
/// those findings errors — Step Functions rejects such a definition at deploy time — and adds
/// the lints the compiler does not have; definitions written directly as
/// `AWS::StepFunctions::StateMachine` resources get every lint here.
pub fn lint(config: Option<&Node>, template: Option<&Value>, diags: &mut Diags) {
    diags.promote(|d| d.code.id.starts_with("slsx::asl::"), Severity::Error);
    if let Some(config) = config {
        let functions = asl::Functions { config };
        for (name, def, compiled) in definitions_with_origin(config) {
            if compiled {
                asl::lint_definition_extras(&name, &def, &functions, diags);
            } else {
                asl::lint_definition(&name, &def, &functions, diags);
            }
        }
        s3::lint_bucket_names(config, diags);
    }
    if let Some(t) = template {
        if let Some(config) = config {
            let functions = asl::Functions { config };
            for (name, def) in template_only_definitions(config, t) {
                asl::lint_definition(&name, &def, &functions, diags);
            }
        }
        refs::lint_references(t, config, diags);
    }
}

/// The state-machine definitions of the config, with the name messages use: each
/// `stepFunctions.stateMachines.<key>.definition` that is an object, and each
/// `AWS::StepFunctions::StateMachine` in `resources.Resources` with a `Definition` object or a
/// `DefinitionString` holding a JSON document (its states are then located at the string).
pub fn definitions(config: &Node) -> Vec<(String, Node)> {
    definitions_with_origin(config)
        .into_iter()
        .map(|(name, def, _)| (name, def))
        .collect()
}

/// [`definitions`], each with whether the step-functions compiler compiles (and checks) it.
fn definitions_with_origin(config: &Node) -> Vec<(String, Node, bool)> {
    let mut out = Vec::new();
    if let Some(machines) = config
        .get("stepFunctions")
        .and_then(|s| s.get("stateMachines"))
        .and_then(Node::as_map)
    {
        let compiled = crate::compile::step_functions_enabled(config);
        for (key, e) in machines.iter() {
            if let Some(def) = e.value.get("definition").filter(|d| d.as_map().is_some()) {
                out.push((key.clone(), def.clone(), compiled));
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
            let Some(props) = e.value.get("Properties") else {
                continue;
            };
            if let Some(def) = props.get("Definition").filter(|d| d.as_map().is_some()) {
                out.push((id.clone(), def.clone(), false));
            } else if let Some(ds) = props.get("DefinitionString")
                && let Some(doc) = readable::definition(&ds.to_json())
            {
                out.push((id.clone(), Node::from_json(&doc, ds.span), false));
            }
        }
    }
    out
}

/// State machines of the template that neither `stepFunctions` nor `resources.Resources`
/// define (so they have no spans), as definitions.
fn template_only_definitions(config: &Node, t: &Value) -> Vec<(String, Node)> {
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
            out.push((id.clone(), Node::from_json(&doc, crate::source::Span::NONE)));
        }
    }
    out
}
