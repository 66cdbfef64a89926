//! slsx's own Amazon States Language checks (`stepFunctions.validate`).
//!
//! With `validate: true` the plugin runs the npm `asl-validator` and stops on any finding;
//! slsx runs these checks on every definition: they are errors with `validate: true` and
//! warnings otherwise, each located at the offending state or field. Covered: the
//! definition's shape, `StartAt`, every `Next` / `Default` / `Catch` / `Choices` target in
//! its scope, `Next` xor `End`, terminal states, `Choice` rules, the fields of each state
//! type per query language, mutually exclusive fields, `Parallel` branches and `Map`
//! processors recursively, and state names unique across the definition. Not covered:
//! JSONPath / JSONata syntax and ARN formats.
//!
//! `asl-validator` also sets `QueryLanguage` on every state it validates, which ends up in
//! the plugin's `DefinitionString`; [`add_default_query_language`] reproduces that.

use std::collections::HashMap;

use crate::declare_codes;
use crate::diagnostics::{Diag, Diags, Severity};
use crate::source::Span;
use crate::yaml::{Kind, Mapping, Node};

use super::schema::closest;
use super::{Machine, article};

declare_codes! { CODES;
    NOT_OBJECT = "slsx::asl::not-object", "A definition (or part of one) that is not an object where the States Language needs one.";
    MISSING_FIELD = "slsx::asl::missing-field", "A field the States Language requires is missing.";
    UNKNOWN_TARGET = "slsx::asl::unknown-target", "`StartAt`, `Next`, `Default` or a `Catch` / `Choices` target that names no state of its scope.";
    UNKNOWN_FIELD = "slsx::asl::unknown-field", "A field that this state type (in its query language) does not have.";
    BAD_TYPE = "slsx::asl::bad-type", "A state `Type` that is not one of the eight state types.";
    TRANSITION = "slsx::asl::transition", "A state without exactly one of `Next` and `End`, or with `End` other than `true`.";
    NO_TERMINAL = "slsx::asl::no-terminal", "A state machine (or branch) with no terminal state.";
    UNREACHABLE = "slsx::asl::unreachable", "A state that no `StartAt`, `Next`, `Default` or `Catch` of its scope names.";
    DUPLICATE_STATE = "slsx::asl::duplicate-state", "Two states with the same name in one definition.";
    EXCLUSIVE_FIELDS = "slsx::asl::exclusive-fields", "Fields of which a state may have at most (or exactly) one.";
    BAD_CHOICE = "slsx::asl::bad-choice", "A `Choice` state whose `Choices` or rules are malformed.";
    BAD_VALUE = "slsx::asl::bad-value", "A States Language field with a value of the wrong type.";
}

const TYPES: [&str; 8] = [
    "Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map",
];

/// The fields of each state type in JSONPath and in JSONata (asl-validator's schemas).
fn fields(ty: &str, jsonata: bool) -> &'static [&'static str] {
    match (ty, jsonata) {
        ("Task", false) => &[
            "Type",
            "Next",
            "End",
            "Comment",
            "OutputPath",
            "InputPath",
            "Resource",
            "ResultPath",
            "Retry",
            "Catch",
            "TimeoutSeconds",
            "TimeoutSecondsPath",
            "HeartbeatSeconds",
            "HeartbeatSecondsPath",
            "ResultSelector",
            "Parameters",
            "Credentials",
            "Assign",
            "QueryLanguage",
        ],
        ("Task", true) => &[
            "Type",
            "Next",
            "End",
            "Comment",
            "Resource",
            "Retry",
            "Catch",
            "TimeoutSeconds",
            "HeartbeatSeconds",
            "Credentials",
            "Output",
            "Assign",
            "Arguments",
            "QueryLanguage",
        ],
        ("Pass", false) => &[
            "QueryLanguage",
            "Type",
            "Next",
            "End",
            "Comment",
            "OutputPath",
            "InputPath",
            "ResultPath",
            "Parameters",
            "Result",
            "Assign",
        ],
        ("Pass", true) => &[
            "Type",
            "Next",
            "End",
            "Comment",
            "Result",
            "Output",
            "Assign",
            "QueryLanguage",
        ],
        ("Choice", false) => &[
            "Type",
            "End",
            "Comment",
            "Default",
            "Assign",
            "Choices",
            "OutputPath",
            "InputPath",
            "QueryLanguage",
        ],
        ("Choice", true) => &[
            "Type",
            "End",
            "Comment",
            "Default",
            "Assign",
            "Choices",
            "Output",
            "QueryLanguage",
        ],
        ("Wait", false) => &[
            "Type",
            "Next",
            "End",
            "Comment",
            "OutputPath",
            "InputPath",
            "Seconds",
            "Timestamp",
            "SecondsPath",
            "TimestampPath",
            "Assign",
            "QueryLanguage",
        ],
        ("Wait", true) => &[
            "Type",
            "Next",
            "End",
            "Comment",
            "Seconds",
            "Timestamp",
            "Output",
            "Assign",
            "QueryLanguage",
        ],
        ("Succeed", false) => &[
            "Type",
            "Comment",
            "OutputPath",
            "InputPath",
            "QueryLanguage",
        ],
        ("Succeed", true) => &["Type", "Comment", "Output", "QueryLanguage"],
        ("Fail", false) => &[
            "Type",
            "Comment",
            "QueryLanguage",
            "Cause",
            "CausePath",
            "Error",
            "ErrorPath",
        ],
        ("Fail", true) => &["Type", "Comment", "Cause", "Error", "QueryLanguage"],
        ("Parallel", false) => &[
            "Type",
            "Parameters",
            "ResultSelector",
            "Next",
            "End",
            "Comment",
            "OutputPath",
            "InputPath",
            "ResultPath",
            "Branches",
            "Retry",
            "Catch",
            "Assign",
            "QueryLanguage",
        ],
        ("Parallel", true) => &[
            "Type",
            "Next",
            "End",
            "Comment",
            "Branches",
            "Retry",
            "Catch",
            "Output",
            "Assign",
            "Arguments",
            "QueryLanguage",
        ],
        ("Map", false) => &[
            "QueryLanguage",
            "Type",
            "Next",
            "End",
            "Comment",
            "OutputPath",
            "InputPath",
            "ResultPath",
            "ItemsPath",
            "Label",
            "MaxConcurrency",
            "MaxConcurrencyPath",
            "ItemReader",
            "ItemProcessor",
            "Iterator",
            "Parameters",
            "ItemSelector",
            "ItemBatcher",
            "ResultSelector",
            "ResultWriter",
            "Assign",
            "Retry",
            "Catch",
            "ToleratedFailureCount",
            "ToleratedFailureCountPath",
            "ToleratedFailurePercentage",
            "ToleratedFailurePercentagePath",
        ],
        ("Map", true) => &[
            "QueryLanguage",
            "Type",
            "Next",
            "End",
            "Comment",
            "Items",
            "Label",
            "MaxConcurrency",
            "ItemReader",
            "ItemProcessor",
            "Iterator",
            "ItemSelector",
            "ItemBatcher",
            "ResultWriter",
            "Retry",
            "Catch",
            "ToleratedFailureCount",
            "ToleratedFailurePercentage",
            "Output",
            "Assign",
        ],
        _ => &[],
    }
}

/// Fields of which a state may have at most one (`exactly` for exactly one).
const EXCLUSIVE: &[(&str, &[&str], bool)] = &[
    ("Task", &["TimeoutSeconds", "TimeoutSecondsPath"], false),
    ("Task", &["HeartbeatSeconds", "HeartbeatSecondsPath"], false),
    ("Map", &["ItemProcessor", "Iterator"], true),
    ("Map", &["ItemSelector", "Parameters"], false),
    (
        "Wait",
        &["Seconds", "SecondsPath", "Timestamp", "TimestampPath"],
        true,
    ),
    (
        "Map",
        &["ToleratedFailureCount", "ToleratedFailureCountPath"],
        false,
    ),
    (
        "Map",
        &[
            "ToleratedFailurePercentage",
            "ToleratedFailurePercentagePath",
        ],
        false,
    ),
    ("Map", &["MaxConcurrency", "MaxConcurrencyPath"], false),
    ("Map", &["Items", "ItemsPath"], false),
    ("Fail", &["Cause", "CausePath"], false),
    ("Fail", &["Error", "ErrorPath"], false),
];

/// JSONPath Choice comparison operators.
const COMPARISONS: [&str; 39] = [
    "IsNull",
    "IsPresent",
    "BooleanEquals",
    "BooleanEqualsPath",
    "IsBoolean",
    "NumericEquals",
    "NumericEqualsPath",
    "NumericGreaterThan",
    "NumericGreaterThanPath",
    "NumericGreaterThanEquals",
    "NumericGreaterThanEqualsPath",
    "NumericLessThan",
    "NumericLessThanPath",
    "NumericLessThanEquals",
    "NumericLessThanEqualsPath",
    "IsNumeric",
    "StringEquals",
    "StringEqualsPath",
    "StringGreaterThan",
    "StringGreaterThanPath",
    "StringGreaterThanEquals",
    "StringGreaterThanEqualsPath",
    "StringLessThan",
    "StringLessThanPath",
    "StringLessThanEquals",
    "StringLessThanEqualsPath",
    "StringMatches",
    "IsString",
    "TimestampEquals",
    "TimestampEqualsPath",
    "TimestampGreaterThan",
    "TimestampGreaterThanPath",
    "TimestampGreaterThanEquals",
    "TimestampGreaterThanEqualsPath",
    "TimestampLessThan",
    "TimestampLessThanPath",
    "TimestampLessThanEquals",
    "TimestampLessThanEqualsPath",
    "IsTimestamp",
];

struct Checker<'a> {
    machine: &'a str,
    severity: Severity,
    top_query_language: Option<String>,
    /// Every state name, with the span of its first definition.
    names: HashMap<String, Span>,
    diags: Vec<Diag>,
}

impl Checker<'_> {
    fn push(&mut self, d: Diag) {
        let d = d.with_severity(self.severity);
        self.diags.push(d);
    }

    fn help(&self) -> String {
        if self.severity == Severity::Error {
            "`stepFunctions.validate: true` makes the plugin stop on an invalid definition".into()
        } else {
            "Step Functions rejects this definition when the stack deploys (set `stepFunctions.validate: true` to make this an error)".into()
        }
    }
}

/// Checks one machine's definition and reports the findings (errors when `as_errors`).
pub fn validate(m: &Machine, def: &Node, as_errors: bool, diags: &mut Diags) {
    let severity = if as_errors {
        Severity::Error
    } else {
        Severity::Warning
    };
    if def.as_str().is_some() {
        if as_errors {
            diags.push(
                Diag::error(
                    &NOT_OBJECT,
                    format!(
                        "the definition of `{}` is a string, not a state machine object",
                        m.key
                    ),
                )
                .label(def.span, "the validator reads a JSON object")
                .help("write the definition as a YAML object (`StartAt:`, `States:`)"),
            );
        }
        return;
    }
    let mut c = Checker {
        machine: m.key,
        severity,
        top_query_language: def
            .get("QueryLanguage")
            .and_then(Node::as_str)
            .map(str::to_string),
        names: HashMap::new(),
        diags: Vec::new(),
    };
    let Some(map) = def.as_map() else {
        c.push(
            Diag::error(
                &NOT_OBJECT,
                format!("the definition of `{}` is {}", m.key, article(def)),
            )
            .label(def.span, "expected `StartAt` and `States`"),
        );
        diags.extend(c.diags);
        return;
    };
    for (k, e) in map.iter() {
        if ![
            "Comment",
            "StartAt",
            "States",
            "Version",
            "TimeoutSeconds",
            "QueryLanguage",
        ]
        .contains(&k.as_str())
        {
            let help = c.help();
            c.push(
                Diag::error(
                    &UNKNOWN_FIELD,
                    format!("`{k}` is not a field of a state machine definition"),
                )
                .label(
                    e.key_span,
                    "allowed: Comment, StartAt, States, Version, TimeoutSeconds, QueryLanguage",
                )
                .help(help),
            );
        }
    }
    if let Some(q) = map.get("QueryLanguage")
        && !matches!(q.as_str(), Some("JSONPath" | "JSONata"))
    {
        let help = c.help();
        c.push(
            Diag::error(
                &BAD_VALUE,
                "`QueryLanguage` must be `JSONPath` or `JSONata`",
            )
            .label(q.span, "not a query language")
            .help(help),
        );
    }
    machine(&mut c, def, "definition", m.key_span);
    diags.extend(c.diags);
}

/// A (sub-)state machine: `StartAt` and `States`.
fn machine(c: &mut Checker, n: &Node, what: &str, at: Span) {
    let Some(map) = n.as_map() else {
        let help = c.help();
        c.push(
            Diag::error(
                &NOT_OBJECT,
                format!("the {what} of `{}` is {}", c.machine, article(n)),
            )
            .label(n.span, "expected an object with `StartAt` and `States`")
            .help(help),
        );
        return;
    };
    let states = map.get("States");
    let states_map = match states {
        None => {
            let help = c.help();
            c.push(
                Diag::error(&MISSING_FIELD, format!("the {what} has no `States`"))
                    .label(at, "`States` is required")
                    .help(help),
            );
            None
        }
        Some(s) => match s.as_map() {
            Some(sm) => Some(sm),
            None => {
                let help = c.help();
                c.push(
                    Diag::error(
                        &NOT_OBJECT,
                        format!("`States` of the {what} is {}", article(s)),
                    )
                    .label(s.span, "expected the states by name")
                    .help(help),
                );
                None
            }
        },
    };
    match map.get("StartAt") {
        None => {
            let help = c.help();
            c.push(
                Diag::error(&MISSING_FIELD, format!("the {what} has no `StartAt`"))
                    .label(at, "`StartAt` names the first state")
                    .help(help),
            );
        }
        Some(s) => match (s.as_str(), states_map) {
            (None, _) => {
                let help = c.help();
                c.push(
                    Diag::error(&BAD_VALUE, "`StartAt` must be a state name")
                        .label(s.span, format!("found {}", article(s)))
                        .help(help),
                );
            }
            (Some(name), Some(sm)) if !sm.contains_key(name) => {
                target_missing(c, name, s.span, sm, "StartAt")
            }
            _ => {}
        },
    }
    if let Some(sm) = states_map {
        scope(
            c,
            sm,
            map.get("StartAt").and_then(Node::as_str),
            what,
            states.map_or(at, |s| s.span),
        );
    }
}

fn target_missing(c: &mut Checker, name: &str, span: Span, scope: &Mapping, field: &str) {
    let names: Vec<&str> = scope.keys().map(String::as_str).collect();
    let label = match closest(name, &names) {
        Some(s) => format!("no state `{name}` here; did you mean `{s}`?"),
        None => format!("no state `{name}` in this scope"),
    };
    let help = c.help();
    c.push(
        Diag::error(&UNKNOWN_TARGET, format!("`{field}` names `{name}`, which is not a state of this scope"))
            .label(span, label)
            .help(format!("a state can only move to a state of the same `States` block (not into or out of a Parallel branch or Map); {help}")),
    );
}

/// The states of one `States` block.
fn scope(c: &mut Checker, states: &Mapping, start: Option<&str>, what: &str, at: Span) {
    let mut referenced: Vec<String> = start.map(str::to_string).into_iter().collect();
    let mut terminal = false;
    for (name, e) in states.iter() {
        if let Some(first) = c.names.get(name).copied() {
            let help = c.help();
            c.push(
                Diag::error(&DUPLICATE_STATE, format!("there are two states named `{name}`"))
                    .label(e.key_span, "a second state with this name")
                    .secondary(first, "the first one")
                    .help(format!("state names must be unique across the whole definition, branches included; {help}")),
            );
        } else {
            c.names.insert(name.clone(), e.key_span);
        }
        terminal |= state(c, name, e.key_span, &e.value, states, &mut referenced);
    }
    if !terminal && !states.is_empty() {
        let help = c.help();
        c.push(
            Diag::error(&NO_TERMINAL, format!("the {what} has no terminal state"))
                .label(at, "no state has `End: true` or is a Succeed / Fail state")
                .help(help),
        );
    }
    for (name, e) in states.iter() {
        if !referenced.iter().any(|r| r == name) {
            let help = c.help();
            c.push(
                Diag::error(&UNREACHABLE, format!("state `{name}` is never entered"))
                    .label(
                        e.key_span,
                        "no StartAt, Next, Default or Catch names this state",
                    )
                    .help(help),
            );
        }
    }
}

/// `Next` / `Default` of a state (checked against the scope); returns the name.
fn transition(
    c: &mut Checker,
    v: &Node,
    field: &str,
    states: &Mapping,
    referenced: &mut Vec<String>,
) {
    match v.as_str() {
        Some(name) => {
            referenced.push(name.to_string());
            if !states.contains_key(name) {
                target_missing(c, name, v.span, states, field);
            }
        }
        None => {
            let help = c.help();
            c.push(
                Diag::error(&BAD_VALUE, format!("`{field}` must be a state name"))
                    .label(v.span, format!("found {}", article(v)))
                    .help(help),
            );
        }
    }
}

/// One state; returns whether it is terminal.
fn state(
    c: &mut Checker,
    name: &str,
    key_span: Span,
    n: &Node,
    states: &Mapping,
    referenced: &mut Vec<String>,
) -> bool {
    let Some(map) = n.as_map() else {
        let help = c.help();
        c.push(
            Diag::error(&NOT_OBJECT, format!("state `{name}` is {}", article(n)))
                .label(n.span, "a state is an object with a `Type`")
                .help(help),
        );
        return false;
    };
    let ty = match map.get("Type") {
        None => {
            let help = c.help();
            c.push(
                Diag::error(&MISSING_FIELD, format!("state `{name}` has no `Type`"))
                    .label(key_span, "`Type` is required")
                    .help(help),
            );
            return false;
        }
        Some(t) => match t.as_str().filter(|s| TYPES.contains(s)) {
            Some(s) => s,
            None => {
                let shown = t
                    .as_str()
                    .map_or_else(|| article(t).to_string(), |s| format!("`{s}`"));
                let label = match t.as_str().and_then(|s| closest(s, &TYPES)) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "one of Task, Pass, Choice, Wait, Succeed, Fail, Parallel, Map".into(),
                };
                let help = c.help();
                c.push(
                    Diag::error(&BAD_TYPE, format!("state `{name}` has Type {shown}"))
                        .label(t.span, label)
                        .help(help),
                );
                return false;
            }
        },
    };
    let ql = map
        .get("QueryLanguage")
        .and_then(Node::as_str)
        .map(str::to_string)
        .or_else(|| c.top_query_language.clone())
        .unwrap_or_else(|| "JSONPath".into());
    let jsonata = ql == "JSONata";
    if let Some(q) = map.get("QueryLanguage")
        && !matches!(q.as_str(), Some("JSONPath" | "JSONata"))
    {
        let help = c.help();
        c.push(
            Diag::error(
                &BAD_VALUE,
                format!("`QueryLanguage` of state `{name}` must be `JSONPath` or `JSONata`"),
            )
            .label(q.span, "not a query language")
            .help(help),
        );
    }

    // fields
    let allowed = fields(ty, jsonata);
    for (k, e) in map.iter() {
        if allowed.contains(&k.as_str()) {
            continue;
        }
        let other = fields(ty, !jsonata).contains(&k.as_str());
        let label = if other {
            if jsonata {
                format!("`{k}` is a JSONPath field; this state uses JSONata")
            } else {
                format!("`{k}` is a JSONata field; this state uses JSONPath")
            }
        } else {
            match closest(k, allowed) {
                Some(s) => format!("not a field of a {ty} state; did you mean `{s}`?"),
                None => format!("not a field of a {ty} state"),
            }
        };
        let help = c.help();
        c.push(
            Diag::error(
                &UNKNOWN_FIELD,
                format!("state `{name}` has an unknown field `{k}`"),
            )
            .label(e.key_span, label)
            .help(help),
        );
    }

    // exclusive fields
    for (t, group, exactly) in EXCLUSIVE {
        if *t != ty {
            continue;
        }
        let present: Vec<&str> = group
            .iter()
            .copied()
            .filter(|f| map.contains_key(f))
            .collect();
        let bad = if *exactly {
            present.len() != 1
        } else {
            present.len() > 1
        };
        if bad {
            let span = present
                .get(1)
                .and_then(|f| map.key_span(f))
                .unwrap_or(key_span);
            let which = group
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let help = c.help();
            c.push(
                Diag::error(
                    &EXCLUSIVE_FIELDS,
                    format!(
                        "state `{name}` must have {} one of {which}",
                        if *exactly { "exactly" } else { "at most" }
                    ),
                )
                .label(
                    span,
                    if present.is_empty() {
                        "none of them is set".to_string()
                    } else {
                        format!("has {}", present.join(" and "))
                    },
                )
                .help(help),
            );
        }
    }

    // numeric fields
    let numeric: &[(&str, f64, bool)] = match ty {
        "Wait" => &[("Seconds", 0.0, false)],
        "Task" => &[
            ("TimeoutSeconds", 1.0, true),
            ("HeartbeatSeconds", 1.0, true),
        ],
        _ => &[],
    };
    for (field, min, integer) in numeric {
        if let Some(v) = map.get(field) {
            number_field(c, name, field, v, *min, *integer, jsonata);
        }
    }

    // Next / End
    let terminal_type = matches!(ty, "Succeed" | "Fail");
    let mut terminal = terminal_type;
    if let Some(end) = map.get("End") {
        if end.as_bool() == Some(true) {
            terminal = true;
        } else {
            let help = c.help();
            c.push(
                Diag::error(
                    &TRANSITION,
                    format!("`End` of state `{name}` must be `true`"),
                )
                .label(end.span, "remove `End` and set `Next` instead")
                .help(help),
            );
        }
    }
    if !terminal_type && ty != "Choice" {
        match (map.get("Next"), map.get("End")) {
            (Some(_), Some(_)) => {
                let help = c.help();
                c.push(
                    Diag::error(
                        &TRANSITION,
                        format!("state `{name}` has both `Next` and `End`"),
                    )
                    .label(
                        map.key_span("End").unwrap_or(key_span),
                        "a state either ends the machine or moves on",
                    )
                    .help(help),
                );
            }
            (None, None) => {
                let help = c.help();
                c.push(
                    Diag::error(
                        &TRANSITION,
                        format!("state `{name}` has neither `Next` nor `End`"),
                    )
                    .label(key_span, "add `Next: <state>` or `End: true`")
                    .help(help),
                );
            }
            _ => {}
        }
    }
    if let Some(next) = map.get("Next") {
        transition(c, next, "Next", states, referenced);
    }
    if let Some(d) = map.get("Default") {
        transition(c, d, "Default", states, referenced);
    }
    if let Some(catch) = map.get("Catch") {
        catchers(c, name, catch, states, referenced);
    }
    if let Some(retry) = map.get("Retry") {
        retriers(c, name, retry);
    }

    match ty {
        "Task" if !map.contains_key("Resource") => {
            let help = c.help();
            c.push(
                Diag::error(
                    &MISSING_FIELD,
                    format!("Task state `{name}` has no `Resource`"),
                )
                .label(key_span, "a Task needs the ARN of what it runs")
                .help(help),
            );
        }
        "Choice" => choice(c, name, key_span, map, jsonata, states, referenced),
        "Parallel" => match map.get("Branches") {
            None => {
                let help = c.help();
                c.push(
                    Diag::error(
                        &MISSING_FIELD,
                        format!("Parallel state `{name}` has no `Branches`"),
                    )
                    .label(key_span, "`Branches` lists the parallel state machines")
                    .help(help),
                );
            }
            Some(b) => match b.as_seq() {
                Some(items) if !items.is_empty() => {
                    for (i, br) in items.iter().enumerate() {
                        machine(c, br, &format!("branch {i} of `{name}`"), br.span);
                    }
                }
                _ => {
                    let help = c.help();
                    c.push(
                        Diag::error(
                            &BAD_VALUE,
                            format!("`Branches` of `{name}` must be a non-empty list"),
                        )
                        .label(
                            b.span,
                            format!(
                                "found {}",
                                if b.as_seq().is_some() {
                                    "an empty list"
                                } else {
                                    article(b)
                                }
                            ),
                        )
                        .help(help),
                    );
                }
            },
        },
        "Map" => {
            for key in ["ItemProcessor", "Iterator"] {
                if let Some(p) = map.get(key) {
                    let at = map.key_span(key).unwrap_or(key_span);
                    machine(c, p, &format!("{key} of `{name}`"), at);
                }
            }
            for key in ["ItemReader", "ResultWriter"] {
                if let Some(p) = map.get(key)
                    && p.get("Resource").is_none()
                {
                    let help = c.help();
                    c.push(
                        Diag::error(
                            &MISSING_FIELD,
                            format!("`{key}` of `{name}` has no `Resource`"),
                        )
                        .label(
                            map.key_span(key).unwrap_or(key_span),
                            "`Resource` is required",
                        )
                        .help(help),
                    );
                }
            }
        }
        _ => {}
    }
    terminal
}

/// `Seconds`, `TimeoutSeconds`, `HeartbeatSeconds`: a number (at least `min`, an integer
/// when `integer`), or a `{% ... %}` expression in JSONata. An intrinsic (which CloudFormation
/// substitutes with a number) is fine unless `validate: true`: the plugin's validator sees
/// the intrinsic itself and rejects it.
fn number_field(
    c: &mut Checker,
    name: &str,
    field: &str,
    v: &Node,
    min: f64,
    integer: bool,
    jsonata: bool,
) {
    let ok = match &v.kind {
        Kind::Number(x) => *x >= min && (!integer || x.fract() == 0.0),
        Kind::String(s) if jsonata => s.starts_with("{% ") && s.ends_with(" %}") && s.len() > 6,
        Kind::Map(_) if v.is_intrinsic() => {
            if c.severity == Severity::Error {
                c.push(
                    Diag::error(&BAD_VALUE, format!("`{field}` of state `{name}` is an intrinsic"))
                        .label(v.span, "the plugin validates the definition before CloudFormation substitutes this, and its validator wants a number")
                        .help("with `stepFunctions.validate: true` write a number here; without `validate` the plugin writes the intrinsic into the definition"),
                );
            }
            true
        }
        _ => false,
    };
    if !ok {
        let want = match (integer, jsonata) {
            (true, false) => format!("an integer of at least {min}"),
            (false, false) => format!("a number of at least {min}"),
            (true, true) => format!("an integer of at least {min} or a `{{% ... %}}` expression"),
            (false, true) => format!("a number of at least {min} or a `{{% ... %}}` expression"),
        };
        let help = c.help();
        c.push(
            Diag::error(
                &BAD_VALUE,
                format!("`{field}` of state `{name}` must be {want}"),
            )
            .label(v.span, format!("found {}", article(v)))
            .help(help),
        );
    }
}

fn catchers(
    c: &mut Checker,
    name: &str,
    catch: &Node,
    states: &Mapping,
    referenced: &mut Vec<String>,
) {
    let Some(items) = catch.as_seq() else {
        let help = c.help();
        c.push(
            Diag::error(&BAD_VALUE, format!("`Catch` of `{name}` must be a list"))
                .label(catch.span, format!("found {}", article(catch)))
                .help(help),
        );
        return;
    };
    for it in items {
        if it.as_map().is_none() {
            let help = c.help();
            c.push(
                Diag::error(
                    &NOT_OBJECT,
                    format!("a catcher of `{name}` is {}", article(it)),
                )
                .label(it.span, "expected `ErrorEquals` and `Next`")
                .help(help),
            );
            continue;
        }
        if it.get("ErrorEquals").and_then(Node::as_seq).is_none() {
            let help = c.help();
            c.push(
                Diag::error(
                    &MISSING_FIELD,
                    format!("a catcher of `{name}` has no `ErrorEquals` list"),
                )
                .label(it.span, "`ErrorEquals: [States.ALL]` catches every error")
                .help(help),
            );
        }
        match it.get("Next") {
            Some(next) => transition(c, next, "Catch.Next", states, referenced),
            None => {
                let help = c.help();
                c.push(
                    Diag::error(
                        &MISSING_FIELD,
                        format!("a catcher of `{name}` has no `Next`"),
                    )
                    .label(it.span, "`Next` names the state that handles the error")
                    .help(help),
                );
            }
        }
    }
}

fn retriers(c: &mut Checker, name: &str, retry: &Node) {
    let Some(items) = retry.as_seq() else {
        let help = c.help();
        c.push(
            Diag::error(&BAD_VALUE, format!("`Retry` of `{name}` must be a list"))
                .label(retry.span, format!("found {}", article(retry)))
                .help(help),
        );
        return;
    };
    for it in items {
        if it.get("ErrorEquals").and_then(Node::as_seq).is_none() {
            let help = c.help();
            c.push(
                Diag::error(
                    &MISSING_FIELD,
                    format!("a retrier of `{name}` has no `ErrorEquals` list"),
                )
                .label(it.span, "`ErrorEquals` lists the errors to retry")
                .help(help),
            );
        }
    }
}

fn choice(
    c: &mut Checker,
    name: &str,
    key_span: Span,
    map: &Mapping,
    jsonata: bool,
    states: &Mapping,
    referenced: &mut Vec<String>,
) {
    let Some(choices) = map.get("Choices") else {
        let help = c.help();
        c.push(
            Diag::error(
                &MISSING_FIELD,
                format!("Choice state `{name}` has no `Choices`"),
            )
            .label(key_span, "`Choices` lists the rules")
            .help(help),
        );
        return;
    };
    let Some(rules) = choices.as_seq().filter(|r| !r.is_empty()) else {
        let help = c.help();
        c.push(
            Diag::error(
                &BAD_CHOICE,
                format!("`Choices` of `{name}` must be a non-empty list"),
            )
            .label(
                choices.span,
                format!(
                    "found {}",
                    if choices.as_seq().is_some() {
                        "an empty list"
                    } else {
                        article(choices)
                    }
                ),
            )
            .help(help),
        );
        return;
    };
    for rule in rules {
        match rule.get("Next") {
            Some(next) => transition(c, next, "Choices.Next", states, referenced),
            None => {
                let help = c.help();
                c.push(
                    Diag::error(
                        &BAD_CHOICE,
                        format!("a rule of Choice `{name}` has no `Next`"),
                    )
                    .label(rule.span, "every top-level choice rule needs `Next`")
                    .help(help),
                );
            }
        }
        if jsonata {
            if rule.get("Condition").is_none() {
                let help = c.help();
                c.push(
                    Diag::error(
                        &BAD_CHOICE,
                        format!("a rule of Choice `{name}` has no `Condition`"),
                    )
                    .label(
                        rule.span,
                        "a JSONata rule is `Condition: '{% ... %}'` and `Next`",
                    )
                    .help(help),
                );
            }
        } else {
            choice_rule(c, name, rule, true);
        }
    }
}

/// A JSONPath boolean expression: `And` / `Or` / `Not`, or `Variable` with one comparison.
fn choice_rule(c: &mut Checker, name: &str, rule: &Node, top: bool) {
    let Some(m) = rule.as_map() else {
        let help = c.help();
        c.push(
            Diag::error(
                &BAD_CHOICE,
                format!("a rule of Choice `{name}` is {}", article(rule)),
            )
            .label(rule.span, "expected a choice rule")
            .help(help),
        );
        return;
    };
    let ops: Vec<&str> = m
        .keys()
        .map(String::as_str)
        .filter(|k| COMPARISONS.contains(k) || ["And", "Or", "Not"].contains(k))
        .collect();
    let bad = |c: &mut Checker, label: String| {
        let help = c.help();
        c.push(
            Diag::error(&BAD_CHOICE, format!("a rule of Choice `{name}` is malformed"))
                .label(rule.span, label)
                .help(format!("a rule is `Variable` with one comparison (e.g. `StringEquals`), or `And` / `Or` with a list of rules, or `Not` with one rule; {help}")),
        );
    };
    match ops.as_slice() {
        [] => bad(c, "no comparison operator".into()),
        [op] => match *op {
            "And" | "Or" => match m.get(op).and_then(Node::as_seq) {
                Some(inner) if !inner.is_empty() => {
                    for r in inner {
                        choice_rule(c, name, r, false);
                    }
                }
                _ => bad(c, format!("`{op}` needs a non-empty list of rules")),
            },
            "Not" => {
                if let Some(inner) = m.get("Not") {
                    choice_rule(c, name, inner, false);
                }
            }
            _ => {
                if !m.contains_key("Variable") {
                    bad(c, format!("`{op}` needs `Variable`"));
                }
            }
        },
        many => bad(c, format!("several operators: {}", many.join(", "))),
    }
    if !top && m.contains_key("Next") {
        let help = c.help();
        c.push(
            Diag::error(
                &BAD_CHOICE,
                format!("a nested rule of Choice `{name}` has `Next`"),
            )
            .label(
                m.key_span("Next").unwrap_or(rule.span),
                "only top-level rules have `Next`",
            )
            .help(help),
        );
    }
}

/// What `asl-validator` does to the definition it validates: every state of every `States`
/// object (anywhere) without a truthy `QueryLanguage` gets the definition's `QueryLanguage`
/// (default `JSONPath`), as its last key.
pub fn add_default_query_language(def: &mut Node) {
    let default = match def.get("QueryLanguage") {
        Some(q) if !q.is_null() => q.clone(),
        _ => Node::string(Span::NONE, "JSONPath"),
    };
    fn walk(n: &mut Node, default: &Node) {
        match &mut n.kind {
            Kind::Map(m) => {
                for (k, e) in m.iter_mut() {
                    if k == "States" {
                        let states: Vec<&mut Node> = match &mut e.value.kind {
                            Kind::Map(sm) => sm.values_mut().collect(),
                            Kind::Seq(v) => v.iter_mut().collect(),
                            _ => Vec::new(),
                        };
                        for s in states {
                            if let Some(sm) = s.as_map_mut()
                                && !sm.get("QueryLanguage").is_some_and(Node::is_truthy)
                            {
                                let mut v = default.clone();
                                v.span = Span::NONE;
                                sm.insert("QueryLanguage", Span::NONE, v);
                            }
                        }
                    }
                    walk(&mut e.value, default);
                }
            }
            Kind::Seq(v) => {
                for x in v.iter_mut() {
                    walk(x, default);
                }
            }
            _ => {}
        }
    }
    walk(def, &default);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Node {
        crate::yaml::load(
            crate::source::FileId(0),
            text,
            crate::yaml::LoadOptions::default(),
        )
        .expect("yaml")
    }

    fn codes(def: &str) -> Vec<&'static str> {
        let node = load(&format!("m:\n  definition:\n{}", indent(def)));
        let m = Machine::new("m", Span::NONE, node.get("m").unwrap());
        let mut d = Diags::new();
        validate(&m, m.get("definition").unwrap(), true, &mut d);
        d.iter().map(|x| x.code.id).collect()
    }

    fn indent(s: &str) -> String {
        s.lines().map(|l| format!("    {l}\n")).collect()
    }

    #[test]
    fn valid_machines_pass() {
        assert!(codes("StartAt: A\nStates:\n  A: {Type: Pass, Next: B}\n  B:\n    Type: Choice\n    Choices:\n      - Variable: $.x\n        StringEquals: a\n        Next: C\n      - And:\n          - {Variable: $.y, IsPresent: true}\n          - Not: {Variable: $.z, NumericEquals: 1}\n        Next: C\n    Default: D\n  C: {Type: Succeed}\n  D:\n    Type: Parallel\n    Branches:\n      - StartAt: E\n        States:\n          E: {Type: Task, Resource: arn:aws:states:::lambda:invoke, End: true, Catch: [{ErrorEquals: [States.ALL], Next: F}]}\n          F: {Type: Fail}\n    End: true\n").is_empty());
    }

    #[test]
    fn findings() {
        assert_eq!(
            codes("StartAt: X\nStates:\n  A: {Type: Pass, End: true}"),
            ["slsx::asl::unknown-target", "slsx::asl::unreachable"]
        );
        assert_eq!(
            codes("StartAt: A\nStates:\n  A: {Type: Pass, Next: A}"),
            ["slsx::asl::no-terminal"]
        );
        assert_eq!(
            codes("StartAt: A\nStates:\n  A: {Type: Pass}"),
            ["slsx::asl::transition", "slsx::asl::no-terminal"]
        );
        assert_eq!(
            codes("StartAt: A\nStates:\n  A: {Type: Pas, End: true}"),
            ["slsx::asl::bad-type", "slsx::asl::no-terminal"]
        );
        assert_eq!(
            codes("StartAt: A\nStates:\n  A: {Type: Task, End: true, Arguments: {}}"),
            ["slsx::asl::unknown-field", "slsx::asl::missing-field"]
        );
        assert_eq!(
            codes("StartAt: A\nStates:\n  A: {Type: Wait, End: true}"),
            ["slsx::asl::exclusive-fields"]
        );
        assert_eq!(
            codes(
                "StartAt: A\nStates:\n  A: {Type: Map, End: true, ItemProcessor: {StartAt: A, States: {A: {Type: Succeed}}}}"
            ),
            ["slsx::asl::duplicate-state"]
        );
    }

    #[test]
    fn query_language_added() {
        let mut d = load(
            "StartAt: A\nStates:\n  A: {Type: Pass, End: true, QueryLanguage: JSONata}\n  B:\n    Type: Map\n    ItemProcessor:\n      States:\n        C: {Type: Pass}\n",
        );
        add_default_query_language(&mut d);
        assert_eq!(
            d.at(&["States", "A", "QueryLanguage"])
                .and_then(Node::as_str),
            Some("JSONata")
        );
        assert_eq!(
            d.at(&["States", "B", "QueryLanguage"])
                .and_then(Node::as_str),
            Some("JSONPath")
        );
        assert_eq!(
            d.at(&[
                "States",
                "B",
                "ItemProcessor",
                "States",
                "C",
                "QueryLanguage"
            ])
            .and_then(Node::as_str),
            Some("JSONPath")
        );
    }
}
