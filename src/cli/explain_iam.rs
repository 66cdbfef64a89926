//! `slsx explain-iam`: every statement of each state machine's generated execution role, with
//! the states and settings that put it there.
//!
//! The explanation is recorded while the step-functions compiler collects the permissions
//! ([`iam::record_explanations`]), so it describes exactly the statements the expansion
//! writes; the command checks that against the template it expanded.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde_json::{Value, json};

use super::{
    Io, Reporter, ServiceArgs, exit, failure_status, read_input, unknown_machine, write_output,
};
use crate::compile::state_machine::iam::{
    self, Cause, Contribution, NO_STATE_MACHINES, ROLE_CHANGED, RoleExplanation,
};
use crate::diagnostics::{Diag, Diags};
use crate::emit::json::{to_compact, to_pretty};
use crate::source::{SourceMap, Span};

pub const AFTER_HELP: &str = "\
Each statement of a generated role is listed with its causes: the Task-like states (by their path \
in the definition, e.g. `EachOrder > ItemProcessor > Charge`, and file:line), the machine settings \
(loggingConfig, tracingConfig, kmsKeyArns, encryptionConfig.KmsKeyId), the Distributed Map's own \
start-execution permission and the machine's iamRoleStatements; each cause with the actions and \
resource it contributed before serverless-step-functions merged statements. Task states no \
permission is derived for are listed as not covered.

Exit status: 0 explained (diagnostics of the expansion, if any, are on stderr), 1 the configuration \
has errors or no state machine, 2 usage or I/O error (an unknown --machine), 101 a bug in slsx.";

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExplainFormat {
    /// Readable text.
    Text,
    /// JSON, for tools.
    Json,
}

#[derive(Args, Debug)]
pub struct ExplainIamArgs {
    /// A service directory, its serverless.yml/.yaml/.json, or `-` for stdin.
    #[arg(default_value = ".")]
    pub path: String,
    #[command(flatten)]
    pub service: ServiceArgs,
    /// Explain only this state machine (its key under stepFunctions.stateMachines).
    #[arg(long, short = 'm', value_name = "NAME")]
    pub machine: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
    pub format: ExplainFormat,
    /// Write to FILE (atomically) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(args: &ExplainIamArgs, io: &mut Io, reporter: &Reporter) -> i32 {
    let (input, opts) = match read_input(&args.service, &args.path, io, reporter) {
        Ok(read) => read,
        Err(code) => return code,
    };
    let (result, mut roles) = iam::record_explanations(|| crate::expand_with_config(&input, &opts));
    let sources = &result.expansion.sources;
    let mut diags = result.expansion.diags.clone();
    let Some(template) = &result.expansion.template else {
        reporter.report(&diags, sources, io.stderr);
        return failure_status(&diags);
    };
    if roles.is_empty() {
        diags.push(
            Diag::error(&NO_STATE_MACHINES, "there is no state machine to explain")
                .help("define one under `stepFunctions.stateMachines.<name>` (with `plugins: [serverless-step-functions]`)"),
        );
        reporter.report(&diags, sources, io.stderr);
        return exit::FAILURE;
    }
    if let Some(want) = &args.machine {
        let names: Vec<&str> = roles.iter().map(|r| r.machine.as_str()).collect();
        if let Some(d) = unknown_machine(want, &names) {
            reporter.report(&diags, sources, io.stderr);
            reporter.report(&d.into(), sources, io.stderr);
            return exit::ERROR;
        }
        roles.retain(|r| &r.machine == want);
    }
    let changed = check_against_template(&roles, template, &mut diags);
    reporter.report(&diags, sources, io.stderr);
    let text = match args.format {
        ExplainFormat::Text => to_text(&roles, &changed, sources),
        ExplainFormat::Json => format!("{}\n", to_pretty(&to_json(&roles, &changed, sources), 2)),
    };
    write_output(args.output.as_deref(), &text, io, reporter)
}

/// The generated statements of each role against the template's: a role that `resources`
/// changed afterwards is reported (and marked), anything else would be a bug.
fn check_against_template(
    roles: &[RoleExplanation],
    template: &crate::compile::Template,
    diags: &mut Diags,
) -> Vec<bool> {
    roles
        .iter()
        .map(|r| {
            let Some(g) = &r.role else {
                return false;
            };
            let written = template
                .resources()
                .pointer(
                    &g.logical_id,
                    "/Properties/Policies/0/PolicyDocument/Statement",
                )
                .unwrap_or(Value::Null);
            let generated = Value::Array(g.statements.iter().map(|s| s.statement.clone()).collect());
            if written == generated {
                return false;
            }
            diags.push(
                Diag::warning(
                    &ROLE_CHANGED,
                    format!(
                        "the statements of `{}` in the template differ from the generated ones",
                        g.logical_id
                    ),
                )
                .label(r.machine_span, "the role of this state machine")
                .help(format!(
                    "`resources.Resources.{}` is merged over the generated role; the explanation below is of the statements slsx generated",
                    g.logical_id
                )),
            );
            true
        })
        .collect()
}

/// `file:line:column` of a span (`generated` for synthetic values).
fn location(span: Span, sources: &SourceMap) -> Option<(String, usize, usize)> {
    if span.is_none() {
        return None;
    }
    let f = sources.get(span.file)?;
    let (line, col) = f.line_col(span.start as usize);
    Some((f.name.clone(), line, col))
}

fn location_text(span: Span, sources: &SourceMap) -> String {
    match location(span, sources) {
        Some((f, l, c)) => format!("{f}:{l}:{c}"),
        None => "generated".into(),
    }
}

fn location_json(span: Span, sources: &SourceMap) -> Value {
    match location(span, sources) {
        Some((f, l, c)) => json!({"file": f, "line": l, "column": c}),
        None => Value::Null,
    }
}

/// A resource as text: a string as is, anything else as compact JSON.
fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => to_compact(other),
    }
}

/// A statement's resources, one per line.
fn resources(v: &Value) -> Vec<String> {
    match v {
        Value::Array(a) if !a.is_empty() => a.iter().map(show).collect(),
        Value::Array(_) => vec!["(no resource)".into()],
        other => vec![show(other)],
    }
}

/// A statement's actions.
fn actions(statement: &Value) -> Vec<String> {
    match statement.get("Action") {
        Some(Value::Array(a)) => a.iter().map(show).collect(),
        Some(a) => vec![show(a)],
        None => Vec::new(),
    }
}

fn cause_text(c: &Contribution, statement: &Value, sources: &SourceMap, out: &mut String) {
    let mut grants = format!(
        "{} on {}",
        c.actions.join(", "),
        resources(&c.resource).join(", ")
    );
    if statement.get("Resource") == Some(&Value::from("*")) && c.resource != "*" {
        grants.push_str(
            "\n        (written as `*`: serverless-step-functions gives every resource of an action `*` once one of them is `*`)",
        );
    }
    match &c.cause {
        Cause::State {
            path,
            span,
            kind,
            resource,
            complete,
        } => {
            out.push_str(&format!(
                "      - {path} ({}, {})\n",
                kind.as_str(),
                location_text(*span, sources)
            ));
            if *kind == iam::StateKind::DistributedMap {
                out.push_str(
                    "        the Distributed Map starts executions of its own state machine\n",
                );
            } else {
                out.push_str(&format!("        Resource: {resource}\n"));
            }
            out.push_str(&format!("        gives {grants}\n"));
            match complete {
                None => out.push_str("        derived by serverless-step-functions\n"),
                Some(how) => out.push_str(&format!(
                    "        derived by slsx (stepFunctions.iam: complete): {how}\n"
                )),
            }
        }
        Cause::Setting { key, span } => {
            out.push_str(&format!(
                "      - {key} ({})\n        gives {grants}\n",
                location_text(*span, sources)
            ));
        }
        Cause::UserStatement { index, span } => {
            out.push_str(&format!(
                "      - iamRoleStatements[{index}] ({}), appended as written\n",
                location_text(*span, sources)
            ));
        }
        Cause::DenyAll => {
            out.push_str(
                "      - nothing in this state machine needs a permission: serverless-step-functions\n        writes this Deny-all statement (a policy must have one)\n",
            );
        }
    }
}

fn to_text(roles: &[RoleExplanation], changed: &[bool], sources: &SourceMap) -> String {
    let mut out = String::new();
    for (i, r) in roles.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&format!(
            "State machine `{}` ({})\n",
            r.machine,
            location_text(r.machine_span, sources)
        ));
        let Some(g) = &r.role else {
            out.push_str(&format!(
                "  uses its own role {}: no role is generated\n",
                r.given_role.as_ref().map(show).unwrap_or_default()
            ));
            continue;
        };
        out.push_str(&format!(
            "  role {}, policy {}, stepFunctions.iam: {}\n",
            g.logical_id,
            g.policy_name,
            r.mode.as_str()
        ));
        if changed.get(i).copied().unwrap_or(false) {
            out.push_str(
                "  note: `resources` changes this role; these are the statements slsx generated
",
            );
        }
        for (n, s) in g.statements.iter().enumerate() {
            let effect = s.statement.get("Effect").map(show).unwrap_or_default();
            let list = actions(&s.statement);
            if list.join(", ").len() <= 60 {
                out.push_str(&format!("\n  [{}] {effect} {}\n", n + 1, list.join(", ")));
            } else {
                out.push_str(&format!("\n  [{}] {effect}\n", n + 1));
                for a in &list {
                    out.push_str(&format!("        {a}\n"));
                }
            }
            let res = s
                .statement
                .get("Resource")
                .map(resources)
                .unwrap_or_default();
            for (k, line) in res.iter().enumerate() {
                let lead = if k == 0 { "on" } else { "  " };
                out.push_str(&format!("      {lead} {line}\n"));
            }
            out.push_str("    because of:\n");
            for c in &s.causes {
                cause_text(c, &s.statement, sources, &mut out);
            }
        }
        if !r.uncovered.is_empty() {
            out.push_str("\n  not covered (no permission is derived; see the warnings):\n");
            for u in &r.uncovered {
                out.push_str(&format!(
                    "      - {} ({}): {}\n",
                    u.path,
                    location_text(u.span, sources),
                    u.resource
                ));
            }
        }
    }
    out
}

fn cause_json(c: &Contribution, sources: &SourceMap) -> Value {
    let grants = json!({"actions": c.actions, "resource": c.resource});
    match &c.cause {
        Cause::State {
            path,
            span,
            kind,
            resource,
            complete,
        } => json!({
            "kind": "state",
            "path": path,
            "stateKind": kind.as_str(),
            "taskResource": resource,
            "location": location_json(*span, sources),
            "derivedBy": if complete.is_some() { "slsx" } else { "serverless-step-functions" },
            "how": complete,
            "grants": grants,
        }),
        Cause::Setting { key, span } => json!({
            "kind": "setting",
            "setting": key,
            "location": location_json(*span, sources),
            "grants": grants,
        }),
        Cause::UserStatement { index, span } => json!({
            "kind": "iamRoleStatements",
            "index": index,
            "location": location_json(*span, sources),
            "grants": grants,
        }),
        Cause::DenyAll => json!({"kind": "deny-all", "grants": grants}),
    }
}

fn to_json(roles: &[RoleExplanation], changed: &[bool], sources: &SourceMap) -> Value {
    let machines: Vec<Value> = roles
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let role = r.role.as_ref().map(|g| {
                json!({
                    "logicalId": g.logical_id,
                    "policyName": g.policy_name,
                    "statements": g.statements.iter().map(|s| json!({
                        "statement": s.statement,
                        "causes": s.causes.iter().map(|c| cause_json(c, sources)).collect::<Vec<_>>(),
                    })).collect::<Vec<_>>(),
                    "changedByResources": changed.get(i).copied().unwrap_or(false),
                })
            });
            json!({
                "machine": r.machine,
                "location": location_json(r.machine_span, sources),
                "iam": r.mode.as_str(),
                "role": role,
                "givenRole": r.given_role,
                "notCovered": r.uncovered.iter().map(|u| json!({
                    "path": u.path,
                    "taskResource": u.resource,
                    "location": location_json(u.span, sources),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({ "machines": machines })
}
