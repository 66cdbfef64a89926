//! Always-on lints of state-machine definitions (Amazon States Language): transitions to
//! unknown states, unreachable states, scopes without a terminal state, states with neither
//! `Next` nor `End`, state names used twice, Choice states without `Default`, and Task
//! timeouts longer than the Lambda function's.
//!
//! These work on the spanned definition from the resolved config, so every finding points at
//! the YAML node. They are independent of the `validate: true` ASL validator of the compiler
//! (`compile/asl.rs`), which reproduces the plugin's behaviour; the two can be unified later
//! (the lint functions are named `lint_*` and take the same definition node).

use crate::compile::naming;
use crate::compile::resources::closest;
use crate::diagnostics::{Diag, Diags};
use crate::source::Span;
use crate::yaml::{Mapping, Node};

use super::{
    ASL_CHOICE_WITHOUT_DEFAULT, ASL_DUPLICATE_STATE, ASL_MISSING_STATES, ASL_MISSING_TRANSITION,
    ASL_NO_TERMINAL_STATE, ASL_TASK_TIMEOUT, ASL_UNKNOWN_STATE, ASL_UNREACHABLE_STATE,
};

/// The service functions' timeouts, for the Task timeout lint.
pub struct Functions<'a> {
    pub config: &'a Node,
}

impl<'a> Functions<'a> {
    /// The function key a Task invokes: `Resource` (or `Parameters.FunctionName` of
    /// `arn:aws:states:::lambda:invoke`) as `!GetAtt key.Arn`, `!Ref key`, or the same with the
    /// function's logical ID.
    fn invoked_by(&self, state: &Node) -> Option<&'a str> {
        let resource = state.get("Resource")?;
        let target = match resource.as_str() {
            Some(s) if s.starts_with("arn:aws:states:::lambda:invoke") => {
                state.get("Parameters")?.get("FunctionName")?
            }
            Some(_) => return None,
            None => resource,
        };
        let id = match target.as_map() {
            Some(m) if m.len() == 1 => {
                if let Some(r) = m.get("Ref") {
                    r.as_str()?
                } else {
                    let g = m.get("Fn::GetAtt")?;
                    match g.as_seq() {
                        Some([id, _]) => id.as_str()?,
                        _ => g.as_str()?.split_once('.')?.0,
                    }
                }
            }
            _ => return None,
        };
        let functions = self.config.get("functions")?.as_map()?;
        functions
            .keys()
            .find(|k| k.as_str() == id || naming::lambda_logical_id(k) == id)
            .map(String::as_str)
    }

    /// The function's timeout in seconds and the node that set it (`None` for the default).
    fn timeout(&self, key: &str) -> (f64, Option<&'a Node>) {
        let own = self
            .config
            .get("functions")
            .and_then(|f| f.get(key))
            .and_then(|f| f.get("timeout"))
            .filter(|t| t.as_f64().is_some());
        let provider = self
            .config
            .get("provider")
            .and_then(|p| p.get("timeout"))
            .filter(|t| t.as_f64().is_some());
        match own.or(provider) {
            Some(n) => (n.as_f64().unwrap_or(6.0), Some(n)),
            None => (6.0, None),
        }
    }
}

/// One `States` scope: the definition itself, a Parallel branch, or a Map's item processor.
struct Scope<'a> {
    node: &'a Node,
    /// How messages name it: "the definition", "branch 2 of `P`", "the iterator of `M`".
    what: String,
}

/// Every state name of the definition (all scopes), in document order, with its key span.
fn all_states(def: &Node) -> Vec<(String, Span)> {
    let mut out = Vec::new();
    let mut stack = vec![def];
    while let Some(scope) = stack.pop() {
        let Some(states) = scope.get("States").and_then(Node::as_map) else {
            continue;
        };
        let mut inner = Vec::new();
        for (name, e) in states.iter() {
            out.push((name.clone(), e.key_span));
            inner.extend(nested_scopes(name, &e.value).into_iter().map(|s| s.node));
        }
        stack.extend(inner.into_iter().rev());
    }
    out
}

/// The scopes inside a state (Parallel branches, a Map's `ItemProcessor` / `Iterator`).
fn nested_scopes<'a>(name: &str, state: &'a Node) -> Vec<Scope<'a>> {
    let mut out = Vec::new();
    match state.get("Type").and_then(Node::as_str) {
        Some("Parallel") => {
            for (i, b) in state
                .get("Branches")
                .and_then(Node::as_seq)
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                if b.as_map().is_some() {
                    out.push(Scope {
                        node: b,
                        what: format!("branch {} of `{name}`", i + 1),
                    });
                }
            }
        }
        Some("Map") => {
            for key in ["ItemProcessor", "Iterator"] {
                if let Some(p) = state.get(key).filter(|p| p.as_map().is_some()) {
                    out.push(Scope {
                        node: p,
                        what: format!("the item processor of `{name}`"),
                    });
                }
            }
        }
        _ => {}
    }
    out
}

/// `key: value` as one span when the value follows its key on the same line, else the key.
pub fn entry_span(m: &Mapping, key: &str) -> Span {
    let Some(e) = m.entry(key) else {
        return Span::NONE;
    };
    let (k, v) = (e.key_span, e.value.span);
    if v.file == k.file && v.start >= k.end && v.start - k.end <= 4 {
        k.to(v)
    } else {
        k
    }
}

/// The lints of [`lint_definition`] that the compiler's own ASL checks do not cover (Choice
/// without `Default`, Task timeouts), for definitions the compiler has already checked.
pub fn lint_definition_extras(machine: &str, def: &Node, functions: &Functions, diags: &mut Diags) {
    let mut all = Diags::new();
    lint_definition(machine, def, functions, &mut all);
    diags.extend(all.into_iter().filter(|d| {
        std::ptr::eq(d.code, &ASL_CHOICE_WITHOUT_DEFAULT) || std::ptr::eq(d.code, &ASL_TASK_TIMEOUT)
    }));
}

/// Lints one state machine's definition. `machine` names it in messages.
pub fn lint_definition(machine: &str, def: &Node, functions: &Functions, diags: &mut Diags) {
    if def.as_map().is_none() {
        return;
    }
    let mut names = all_states(def);
    // "first" is the first in the file (all spans of a config definition are real; those of
    // a definition read from a string share one span and keep document order)
    names.sort_by_key(|(_, span)| (span.file, span.start));
    // state names are unique across the whole machine
    for (i, (name, span)) in names.iter().enumerate() {
        if let Some((_, first)) = names[..i].iter().find(|(n, _)| n == name) {
            diags.push(
                Diag::error(
                    &ASL_DUPLICATE_STATE,
                    format!("state machine `{machine}`: the state name `{name}` is used twice"),
                )
                .label(*span, "second state with this name")
                .secondary(*first, "first one")
                .help("state names must be unique in the whole state machine, Parallel branches and Map item processors included; rename one"),
            );
        }
    }
    lint_scope(
        machine,
        &Scope {
            node: def,
            what: "the definition".into(),
        },
        &names,
        functions,
        diags,
    );
}

fn lint_scope(
    machine: &str,
    scope: &Scope,
    all: &[(String, Span)],
    functions: &Functions,
    diags: &mut Diags,
) {
    let Some(m) = scope.node.as_map() else {
        return;
    };
    let Some(states) = m.get("States").and_then(Node::as_map) else {
        diags.push(
            Diag::error(
                &ASL_MISSING_STATES,
                format!("state machine `{machine}`: {} has no `States`", scope.what),
            )
            .label(scope.node.span, "expected `StartAt` and `States` here")
            .help("a definition, a Parallel branch and a Map item processor each need `StartAt` and a `States` mapping"),
        );
        return;
    };
    let names: Vec<&str> = states.keys().map(String::as_str).collect();
    // an unknown target with a close name counts as a transition to that name (so one typo
    // does not make the rest unreachable); one without makes reachability unknowable
    let mut unresolved = false;
    let mut any_unknown = false;
    let mut unknown = |field: &str, target: &Node, diags: &mut Diags| -> Option<String> {
        let t = target.as_str()?;
        if names.contains(&t) {
            return Some(t.to_string());
        }
        let mut d = Diag::error(
            &ASL_UNKNOWN_STATE,
            format!(
                "state machine `{machine}`: `{field}` names `{t}`, which is not a state of {}",
                scope.what
            ),
        )
        .label(target.span, "no such state here");
        let suggestion = closest(t, names.iter().copied());
        let elsewhere = all.iter().find(|(n, _)| n == t);
        d = match (suggestion, elsewhere) {
            (Some(s), _) => d.help(format!("did you mean `{s}`?")),
            (None, Some((_, span))) => d
                .secondary(*span, "a state of another scope")
                .help("a state can only move to states of its own scope: Parallel branches and Map item processors are closed"),
            (None, None) => d.help(format!(
                "the states of {} are: {}",
                scope.what,
                names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        };
        diags.push(d);
        any_unknown = true;
        if suggestion.is_none() {
            unresolved = true;
        }
        suggestion.map(str::to_string)
    };

    // StartAt
    let start = match m.get("StartAt") {
        None => {
            let span = m.key_span("States").unwrap_or(scope.node.span);
            diags.push(
                Diag::error(
                    &ASL_MISSING_STATES,
                    format!("state machine `{machine}`: {} has no `StartAt`", scope.what),
                )
                .label(span, "which of these states runs first?")
                .help("add `StartAt: <state name>`"),
            );
            None
        }
        Some(s) => unknown("StartAt", s, diags),
    };

    // transitions of each state
    let mut edges: Vec<(&str, String)> = Vec::new();
    let mut terminal = false;
    for (name, e) in states.iter() {
        let state = &e.value;
        let Some(sm) = state.as_map() else {
            continue;
        };
        let ty = state.get("Type").and_then(Node::as_str).unwrap_or("");
        let mut targets: Vec<(String, &Node)> = Vec::new();
        if let Some(n) = sm.get("Next") {
            targets.push(("Next".into(), n));
        }
        if let Some(n) = sm.get("Default") {
            targets.push(("Default".into(), n));
        }
        for (field, list) in [("Choices", sm.get("Choices")), ("Catch", sm.get("Catch"))] {
            for (i, rule) in list
                .and_then(Node::as_seq)
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                if let Some(n) = rule.get("Next") {
                    targets.push((format!("{field}[{i}].Next"), n));
                }
            }
        }
        for (field, target) in &targets {
            if let Some(t) = unknown(&format!("{name}.{field}"), target, diags) {
                edges.push((name.as_str(), t));
            }
        }
        let ends = sm.get("End").and_then(Node::as_bool) == Some(true);
        if ends || matches!(ty, "Succeed" | "Fail") {
            terminal = true;
        }
        if !ends && !matches!(ty, "Choice" | "Succeed" | "Fail" | "") && sm.get("Next").is_none() {
            diags.push(
                Diag::error(
                    &ASL_MISSING_TRANSITION,
                    format!("state machine `{machine}`: the {ty} state `{name}` has neither `Next` nor `End: true`"),
                )
                .label(e.key_span, "where does the execution go after this state?")
                .help("add `Next: <state>` or `End: true`"),
            );
        }
        if ty == "Choice" && sm.get("Default").is_none() {
            diags.push(
                Diag::warning(
                    &ASL_CHOICE_WITHOUT_DEFAULT,
                    format!(
                        "state machine `{machine}`: the Choice state `{name}` has no `Default`"
                    ),
                )
                .label(
                    e.key_span,
                    "when no rule matches, the execution fails with States.NoChoiceMatched",
                )
                .help("add `Default: <state>` (a Fail state makes the failure explicit)"),
            );
        }
        if ty == "Task" {
            lint_task_timeout(machine, name, state, functions, diags);
        }
        for inner in nested_scopes(name, state) {
            lint_scope(machine, &inner, all, functions, diags);
        }
    }

    // reachability from StartAt
    if let Some(start) = start.filter(|_| !unresolved) {
        let mut seen: Vec<&str> = vec![start.as_str()];
        let mut i = 0;
        while i < seen.len() {
            let from = seen[i];
            for (a, b) in &edges {
                if *a == from && !seen.contains(&b.as_str()) {
                    seen.push(b);
                }
            }
            i += 1;
        }
        for (name, e) in states.iter() {
            if !seen.contains(&name.as_str()) {
                diags.push(
                    Diag::error(
                        &ASL_UNREACHABLE_STATE,
                        format!("state machine `{machine}`: the state `{name}` is never reached"),
                    )
                    .label(e.key_span, "no transition from `StartAt` leads here")
                    .help("Step Functions rejects definitions with unreachable states; point a `Next`, `Default`, Choice rule or `Catch` at it, or delete it"),
                );
            }
        }
    }

    // a scope with a transition to nowhere is reported once that is fixed
    if !terminal && !states.is_empty() && !any_unknown {
        let span = m.key_span("States").unwrap_or(scope.node.span);
        diags.push(
            Diag::error(
                &ASL_NO_TERMINAL_STATE,
                format!("state machine `{machine}`: no state of {} ends the execution", scope.what),
            )
            .label(span, "none of these states has `End: true` or is a Succeed or Fail state")
            .help("Step Functions rejects a scope without a terminal state; add `End: true` to the last state"),
        );
    }
}

fn lint_task_timeout(
    machine: &str,
    name: &str,
    state: &Node,
    functions: &Functions,
    diags: &mut Diags,
) {
    let Some(t) = state.get("TimeoutSeconds") else {
        return;
    };
    let Some(secs) = t.as_f64() else {
        return;
    };
    let Some(key) = functions.invoked_by(state) else {
        return;
    };
    let (limit, set_by) = functions.timeout(key);
    if secs <= limit {
        return;
    }
    let show = |x: f64| crate::emit::json::js_number(x);
    let mut d = Diag::warning(
        &ASL_TASK_TIMEOUT,
        format!(
            "state machine `{machine}`: the task `{name}` waits {}s, but the function `{key}` times out after {}s",
            show(secs),
            show(limit)
        ),
    )
    .label(t.span, "longer than the function's timeout");
    d = match set_by {
        Some(n) => d.secondary(n.span, "the function's timeout"),
        None => d,
    };
    diags.push(d.help(format!(
        "the function is stopped after {}s, so the task never needs longer; lower `TimeoutSeconds` or raise the function's `timeout`{}",
        show(limit),
        if set_by.is_none() { " (the default is 6s)" } else { "" }
    )));
}
