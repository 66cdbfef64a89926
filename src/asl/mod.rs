//! The Amazon States Language checker: one engine for every state-machine definition.
//!
//! - `slsx expand` runs it on each `stepFunctions.stateMachines.<key>.definition`: in
//!   [`Mode::Expand`] its findings are warnings (Step Functions rejects the definition when
//!   the stack deploys); in [`Mode::Validate`] (`stepFunctions.validate: true`) they stand in
//!   for the plugin's asl-validator, which stops the build: the findings it raises too are
//!   errors, the others warnings ([`Validator`]).
//! - `slsx check` runs it in [`Mode::Check`] on those definitions and on the
//!   `AWS::StepFunctions::StateMachine` resources (`Definition` objects and `DefinitionString`
//!   documents): the findings are errors, and the lint-only rules of [`lints`] (Choice states
//!   without `Default`, Task timeouts longer than the Lambda function's) are added.
//!
//! Covered: the definition's shape, `StartAt`, every `Next` / `Default` / `Catch` / Choice
//! rule target in its scope, `Next` xor `End`, terminal states, states nothing names, `Choice`
//! rules, the fields of each state type per query language and mutually exclusive fields
//! ([`schema`]), `Parallel` branches and `Map` processors recursively, and state names unique
//! across the definition. asl-validator's format rules (state names, ARNs, JSONPath paths, timestamps, Map limits,
//! JSONata fields and a safe subset of JSONata syntax, `States` and transitions in data) are in
//! [`strict`].
//!
//! A state is reported as never entered when no `StartAt`, `Next`, `Default`, Choice rule or
//! `Catch` of its scope names it. That is the rule Step Functions applies
//! (`MISSING_TRANSITION_TARGET: State "X" is not reachable`), not reachability from `StartAt`.
//! asl-validator applies it to the whole definition at once: any `StartAt`, `Next` or
//! `Default` key anywhere (even in `Parameters`) counts, so it only rejects a state no such key
//! names.
//!
//! No cascades: a target that names no state counts as naming the state it most likely meant
//! (the "did you mean" suggestion); when there is none — or `StartAt`, a catcher's or a
//! Choice rule's `Next` is missing — the scope reports no state as never entered, since any
//! of them may be the one meant. A scope with an unknown target, or with a state whose
//! `Type` or transition is unknown, reports no missing terminal state. A finding is only held
//! back while another one of the same scope stands, and one asl-validator raises only by
//! another one it raises ([`Validator`]), so whether a definition has errors does not change.

pub mod formats;
pub mod lints;
pub mod schema;
mod strict;

use std::collections::HashMap;

use crate::compile::state_machine::article;
use crate::compile::state_machine::schema::closest;
use crate::declare_codes;
use crate::diagnostics::{Code, Diag, Diags, Severity};
use crate::source::Span;
use crate::yaml::{Kind, Mapping, Node};

use schema::{COMPARISONS, DEFINITION_FIELDS, EXCLUSIVE, TYPES, fields};

declare_codes! { CODES;
    NOT_OBJECT = "slsx::asl::not-object", "A definition (or part of one) that is not an object where the States Language needs one.";
    MISSING_FIELD = "slsx::asl::missing-field", "A field the States Language requires is missing (`StartAt`, `States`, `Type`, a Task's `Resource`, ...).";
    UNKNOWN_TARGET = "slsx::asl::unknown-target", "`StartAt`, `Next`, `Default` or a `Catch` / Choice rule target that names no state of its scope.";
    UNKNOWN_FIELD = "slsx::asl::unknown-field", "A field that this state type (in its query language) does not have.";
    BAD_TYPE = "slsx::asl::bad-type", "A state `Type` that is not one of the eight state types.";
    TRANSITION = "slsx::asl::transition", "A state without exactly one of `Next` and `End`, or with `End` other than `true`.";
    NO_TERMINAL = "slsx::asl::no-terminal", "A definition, Parallel branch or Map item processor without a state that ends the execution.";
    UNREACHABLE = "slsx::asl::unreachable", "A state that no `StartAt`, `Next`, `Default`, Choice rule or `Catch` of its scope names.";
    DUPLICATE_STATE = "slsx::asl::duplicate-state", "Two states with the same name in one definition (Parallel branches and Map item processors included).";
    EXCLUSIVE_FIELDS = "slsx::asl::exclusive-fields", "Fields of which a state may have at most (or exactly) one.";
    BAD_CHOICE = "slsx::asl::bad-choice", "A `Choice` state whose `Choices` or rules are malformed.";
    BAD_VALUE = "slsx::asl::bad-value", "A States Language field with a value of the wrong type.";
    BAD_ARN = "slsx::asl::bad-arn", "A Task `Resource` that is not an ARN of the form asl-validator accepts (nor an intrinsic or a whole `${...}`).";
    BAD_PATH = "slsx::asl::bad-path", "A JSONPath path (`InputPath`, `ResultPath`, `ItemsPath`, a `.$` field, a Choice `Variable`, ...) that asl-validator's path grammar rejects.";
    BAD_JSONATA = "slsx::asl::bad-jsonata", "A JSONata field that is not a `{% ... %}` expression, or an expression that plainly does not parse.";
    DUPLICATE_FIELD = "slsx::asl::duplicate-field", "Two fields of a payload template that are the same once `.$` is stripped (`x` and `x.$`).";
    STATE_NAME = "slsx::asl::state-name", "A state name that is empty, longer than 80 characters or on several lines.";
}

/// Who reads the findings, which decides their severity and what the help says.
#[derive(Clone, Copy)]
pub enum Mode<'a> {
    /// `slsx expand`: warnings; the template is still written.
    Expand,
    /// `slsx expand` with `stepFunctions.validate: true`: errors where the plugin's validator
    /// stops the build, warnings where it lets the definition through ([`Validator`]).
    Validate,
    /// `slsx check`: errors, plus the lint-only rules. `validate`: a `stepFunctions`
    /// definition with `validate: true`, which the plugin's validator reads as written;
    /// `config`: the service (the Task timeout lint reads its functions).
    Check { validate: bool, config: &'a Node },
}

/// Whether the plugin's validator, asl-validator (`stepFunctions.validate: true`), rejects the
/// definition for the reason a finding gives: a property of each finding. asl-validator checks
/// less than Step Functions does — a nested Choice rule with `Next`, an empty `Branches`, a
/// `Map`'s `ItemProcessor` moving to a state outside it, a state only some key deep in the
/// definition names — and the plugin writes such a template; the stack fails when it deploys.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum Validator {
    /// asl-validator lets the definition through.
    Accepts,
    /// asl-validator rejects it: with `validate: true` the plugin stops.
    Rejects,
}

impl Mode<'_> {
    fn severity(self, validator: Validator) -> Severity {
        match (self, validator) {
            (Mode::Expand, _) | (Mode::Validate, Validator::Accepts) => Severity::Warning,
            (Mode::Validate, Validator::Rejects) | (Mode::Check { .. }, _) => Severity::Error,
        }
    }

    /// The plugin runs its validator on the definition as written.
    fn validates(self) -> bool {
        matches!(self, Mode::Validate | Mode::Check { validate: true, .. })
    }

    /// The last part of every help text: what happens to such a definition.
    fn consequence(self, validator: Validator) -> &'static str {
        match (self, validator) {
            (Mode::Expand, Validator::Rejects) => {
                "Step Functions rejects this definition when the stack deploys (set `stepFunctions.validate: true` to make this an error)"
            }
            (Mode::Expand, Validator::Accepts) => {
                "Step Functions rejects this definition when the stack deploys (`stepFunctions.validate: true` does not catch this)"
            }
            (Mode::Validate, Validator::Accepts) => {
                "Step Functions rejects this definition when the stack deploys; serverless-step-functions' `validate` does not catch this, so the template is still written"
            }
            (Mode::Validate, Validator::Rejects) => {
                "`stepFunctions.validate: true` makes the plugin stop on an invalid definition"
            }
            (Mode::Check { .. }, _) => {
                "Step Functions rejects this definition when the stack deploys"
            }
        }
    }
}

/// One definition to check.
pub struct Definition<'a> {
    /// How messages name the state machine: its key under `stepFunctions.stateMachines`, or
    /// its logical ID.
    pub machine: &'a str,
    /// The definition (under `stepFunctions`, possibly a string).
    pub node: &'a Node,
    /// Where findings about the definition as a whole point (its key).
    pub at: Span,
    /// `${...}` strings are placeholders CloudFormation substitutes (a `DefinitionString`
    /// written with `Fn::Sub`, `DefinitionSubstitutions`), so they may stand for numbers.
    pub placeholders: bool,
}

/// Checks one definition and reports what it finds, as `mode` says.
pub fn check(def: &Definition, mode: Mode, diags: &mut Diags) {
    let node = def.node;
    if node.as_str().is_some() {
        // the plugin writes a string definition as it is (`slsx::sfn::string-definition`)
        if mode.validates() {
            diags.push(
                Diag::error(
                    &NOT_OBJECT,
                    format!(
                        "state machine `{}`: the definition is a string, not a state machine object",
                        def.machine
                    ),
                )
                .label(node.span, "the validator reads a JSON object")
                .help("write the definition as a YAML object (`StartAt:`, `States:`)"),
            );
        }
        return;
    }
    let mut names = Vec::new();
    state_names(node, &mut names);
    let mut entered = Vec::new();
    transition_keys(node, &mut entered);
    let mut machine_states = Vec::new();
    strict::all_state_keys(node, &mut machine_states);
    let mut c = Checker {
        machine: def.machine,
        mode,
        placeholders: def.placeholders,
        top_query_language: node.get("QueryLanguage").and_then(Node::as_str),
        names,
        entered,
        machine_states,
        seen: HashMap::new(),
        diags: Vec::new(),
    };
    c.definition(node, def.at);
    diags.extend(c.diags);
}

/// Every state name of a (sub-)state machine and the ones nested in it, with its key span.
fn state_names<'a>(machine: &'a Node, out: &mut Vec<(&'a str, Span)>) {
    let Some(states) = machine.get("States").and_then(Node::as_map) else {
        return;
    };
    for (name, e) in states.iter() {
        out.push((name.as_str(), e.key_span));
        match e.value.get("Type").and_then(Node::as_str) {
            Some("Parallel") => {
                for b in e
                    .value
                    .get("Branches")
                    .and_then(Node::as_seq)
                    .unwrap_or_default()
                {
                    state_names(b, out);
                }
            }
            Some("Map") => {
                for key in ["ItemProcessor", "Iterator"] {
                    if let Some(p) = e.value.get(key) {
                        state_names(p, out);
                    }
                }
            }
            _ => {}
        }
    }
}

struct Checker<'a> {
    machine: &'a str,
    mode: Mode<'a>,
    placeholders: bool,
    top_query_language: Option<&'a str>,
    /// Every state name of the definition (all scopes), with its key span.
    names: Vec<(&'a str, Span)>,
    /// The names asl-validator takes as entered: every string under a `StartAt`, `Next` or
    /// `Default` key anywhere in the definition.
    entered: Vec<&'a str>,
    /// The keys of every `States` object anywhere in the definition (asl-validator's
    /// `$..States`: the states it knows, `States` in `Parameters` included).
    machine_states: Vec<&'a str>,
    /// The state names met so far, with the key span of the first one.
    seen: HashMap<&'a str, Span>,
    diags: Vec<Diag>,
}

/// One `States` block while its states are checked.
struct Scope<'a> {
    /// How messages name it: "the definition", "branch 2 of `P`", "the `ItemProcessor` of `M`".
    what: String,
    states: &'a Mapping,
    /// asl-validator checks that the targets of its states stay in it: a Parallel branch, a
    /// Map's `Iterator` (not its `ItemProcessor`, nor the definition).
    closed: bool,
    /// The states a `StartAt`, `Next`, `Default`, Choice rule or `Catch` names (for an unknown
    /// name, the state it most likely meant, with whether asl-validator rejects that target).
    named: Vec<(&'a str, Validator)>,
    /// A target is missing or names nothing close to a state: which states are meant to be
    /// entered is unknown. `Some`: the strongest finding that says so ([`holds`]).
    unresolved: Option<Validator>,
    /// A target is unknown, or a state's `Type` or transition is: whether the scope ends is.
    undecided: Option<Validator>,
    terminal: bool,
}

impl<'a> Checker<'a> {
    /// "state machine `orders`"
    fn who(&self) -> String {
        format!("state machine `{}`", self.machine)
    }

    /// "state machine `orders`, state `Validate`"
    fn at_state(&self, name: &str) -> String {
        format!("state machine `{}`, state `{name}`", self.machine)
    }

    /// Reports a finding of the States Language rules: the severity the mode gives a finding
    /// asl-validator `validator`, and a help text of `advice` (if any) and the consequence.
    fn report(&mut self, d: Diag, advice: &str, validator: Validator) {
        let consequence = self.mode.consequence(validator);
        let help = if advice.is_empty() {
            consequence.to_string()
        } else {
            format!("{advice}; {consequence}")
        };
        let severity = self.mode.severity(validator);
        self.diags.push(d.with_severity(severity).help(help));
    }

    /// [`Checker::report`]s a finding asl-validator raises too, with one label.
    fn flag(
        &mut self,
        code: &'static Code,
        message: String,
        span: Span,
        label: impl Into<String>,
        advice: &str,
    ) {
        let d = Diag::error(code, message).label(span, label);
        self.report(d, advice, Validator::Rejects);
    }

    /// `field` of state `name` as a list, else a finding. `empty`: an empty list is one too,
    /// which asl-validator raises or not.
    fn list<'n>(
        &mut self,
        code: &'static Code,
        name: &str,
        field: &str,
        v: &'n Node,
        empty: Option<Validator>,
    ) -> Option<&'n [Node]> {
        let (want, validator) = match (v.as_seq(), empty) {
            (Some([]), Some(validator)) => ("a non-empty list", validator),
            (Some(items), _) => return Some(items),
            (None, Some(_)) => ("a non-empty list", Validator::Rejects),
            (None, None) => ("a list", Validator::Rejects),
        };
        let field = format!("`{field}`");
        self.must_be(code, self.at_state(name), &field, want, v, validator);
        None
    }

    fn definition(&mut self, n: &'a Node, at: Span) {
        let Some(map) = n.as_map() else {
            let message = format!("{}: the definition is {}", self.who(), article(n));
            self.flag(
                &NOT_OBJECT,
                message,
                n.span,
                "expected `StartAt` and `States`",
                "",
            );
            return;
        };
        for (k, e) in map.iter() {
            if !DEFINITION_FIELDS.contains(&k.as_str()) {
                let message = format!(
                    "{}: `{k}` is not a field of a state machine definition",
                    self.who()
                );
                let label = format!("allowed: {}", DEFINITION_FIELDS.join(", "));
                self.flag(&UNKNOWN_FIELD, message, e.key_span, label, "");
            }
        }
        if let Some(q) = map.get("QueryLanguage") {
            self.query_language(q, self.who());
        }
        self.machine(n, "the definition".into(), at, false);
    }

    fn query_language(&mut self, q: &Node, who: String) {
        if !matches!(q.as_str(), Some("JSONPath" | "JSONata")) {
            let message = format!("{who}: `QueryLanguage` must be `JSONPath` or `JSONata`");
            self.flag(&BAD_VALUE, message, q.span, "not a query language", "");
        }
    }

    /// A (sub-)state machine: `StartAt` and `States`. `at` is where findings about it as a
    /// whole point; `closed`: see [`Scope::closed`].
    fn machine(&mut self, n: &'a Node, what: String, at: Span, closed: bool) {
        let who = self.who();
        let Some(map) = n.as_map() else {
            let message = format!("{who}: {what} is {}", article(n));
            let label = "expected an object with `StartAt` and `States`";
            self.flag(&NOT_OBJECT, message, n.span, label, "");
            return;
        };
        let states = match map.get("States") {
            None => {
                self.flag(
                    &MISSING_FIELD,
                    format!("{who}: {what} has no `States`"),
                    at,
                    "`States` is required",
                    "a definition, a Parallel branch and a Map item processor each need `StartAt` and a `States` mapping",
                );
                None
            }
            Some(s) if s.as_map().is_none() => {
                let message = format!("{who}: `States` of {what} is {}", article(s));
                self.flag(
                    &NOT_OBJECT,
                    message,
                    s.span,
                    "expected the states by name",
                    "",
                );
                None
            }
            Some(s) => s.as_map(),
        };
        let start = map.get("StartAt");
        if start.is_none() {
            let (span, label) = match map.key_span("States") {
                Some(span) => (span, "which of these states runs first?"),
                None => (at, "`StartAt` names the first state"),
            };
            let message = format!("{who}: {what} has no `StartAt`");
            self.flag(
                &MISSING_FIELD,
                message,
                span,
                label,
                "add `StartAt: <state name>`",
            );
        }
        let Some(states) = states else {
            if let Some(s) = start.filter(|s| s.as_str().is_none()) {
                self.must_be(
                    &BAD_VALUE,
                    who,
                    "`StartAt`",
                    "a state name",
                    s,
                    Validator::Rejects,
                );
            }
            return;
        };
        let mut scope = Scope {
            what,
            states,
            closed,
            named: Vec::new(),
            unresolved: start.is_none().then_some(Validator::Rejects),
            undecided: None,
            terminal: false,
        };
        if let Some(s) = start {
            self.target(&mut scope, s, None, "`StartAt`", false);
        }
        for (name, e) in states.iter() {
            self.state_name(name, e.key_span);
            self.state(&mut scope, name, e.key_span, &e.value);
        }
        // asl-validator wants a terminal state in every `States`, an empty one too (unless it
        // has no `StartAt`, which is the finding then)
        let empty = states.is_empty() && start.is_none();
        if !scope.terminal && !empty && !holds(scope.undecided, Validator::Rejects) {
            self.flag(
                &NO_TERMINAL,
                format!("{who}: no state of {} ends the execution", scope.what),
                map.key_span("States").unwrap_or(at),
                "no state has `End: true` or is a Succeed or Fail state",
                "end the last state with `End: true`, or move to a Succeed or Fail state",
            );
        }
        for (name, e) in states.iter() {
            let name = name.as_str();
            // asl-validator: no `StartAt` / `Next` / `Default` anywhere names it
            let validator = if self.entered.contains(&name) {
                Validator::Accepts
            } else {
                Validator::Rejects
            };
            let named = scope
                .named
                .iter()
                .any(|(n, by)| *n == name && *by >= validator);
            if named || holds(scope.unresolved, validator) {
                continue;
            }
            let d = Diag::error(
                &UNREACHABLE,
                format!("{who}: state `{name}` is never entered"),
            )
            .label(
                e.key_span,
                "no `StartAt`, `Next`, `Default`, Choice rule or `Catch` names this state",
            );
            let advice = "name it in a transition of its scope, or delete it";
            self.report(d, advice, validator);
        }
    }

    /// "`field` must be `want`", labelled with what `v` is.
    fn must_be(
        &mut self,
        code: &'static Code,
        who: String,
        field: &str,
        want: &str,
        v: &Node,
        validator: Validator,
    ) {
        let found = match v.as_seq() {
            Some([]) => "an empty list",
            _ => article(v),
        };
        let message = format!("{who}: {field} must be {want}");
        let d = Diag::error(code, message).label(v.span, format!("found {found}"));
        self.report(d, "", validator);
    }

    /// A transition target (`StartAt` when `state` is `None`), checked against the scope.
    /// `outbound`: asl-validator checks that this target stays in a closed scope
    /// ([`Scope::closed`]): a `Next` or `Default` of any state, the `Next` of a Choice rule or
    /// of a catcher of a state other than Map and Parallel — not a `StartAt`.
    fn target(
        &mut self,
        scope: &mut Scope<'a>,
        v: &'a Node,
        state: Option<&str>,
        field: &str,
        outbound: bool,
    ) {
        let who = match state {
            Some(s) => self.at_state(s),
            None => self.who(),
        };
        let Some(name) = v.as_str() else {
            scope.unresolved = HELD;
            scope.undecided = HELD;
            self.must_be(
                &BAD_VALUE,
                who,
                field,
                "a state name",
                v,
                Validator::Rejects,
            );
            return;
        };
        if scope.states.contains_key(name) {
            scope.named.push((name, Validator::Rejects));
            return;
        }
        let names: Vec<&'a str> = scope.states.keys().map(|k| k.as_str()).collect();
        let suggestion = closest(name, &names);
        let elsewhere = self.names.iter().find(|(n, _)| *n == name).map(|(_, s)| *s);
        // asl-validator: a target that names no state of the definition, or leaves a closed scope
        let validator = if elsewhere.is_none() || (scope.closed && outbound) {
            Validator::Rejects
        } else {
            Validator::Accepts
        };
        scope.undecided = scope.undecided.max(Some(validator));
        let d = Diag::error(
            &UNKNOWN_TARGET,
            format!("{who}: {field} names `{name}`, which is not a state of its scope"),
        );
        let missing = format!("no state `{name}` in {}", scope.what);
        let (d, advice) = match (suggestion, elsewhere) {
            (Some(s), _) => {
                scope.named.push((s, validator));
                let label = format!("{missing}; did you mean `{s}`?");
                (d.label(v.span, label), String::new())
            }
            (None, Some(span)) => {
                scope.unresolved = scope.unresolved.max(Some(validator));
                (
                    d.label(v.span, missing)
                        .secondary(span, "a state of another scope"),
                    "a state can only move to a state of its own `States` block: Parallel branches and Map item processors are closed".to_string(),
                )
            }
            (None, None) => {
                scope.unresolved = HELD;
                let list: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
                let advice = format!("the states of {} are {}", scope.what, list.join(", "));
                (d.label(v.span, missing), advice)
            }
        };
        self.report(d, &advice, validator);
    }

    /// One state of `scope`.
    fn state(&mut self, scope: &mut Scope<'a>, name: &'a str, key_span: Span, n: &'a Node) {
        let who = self.who();
        if let Some(first) = self.seen.get(name).copied() {
            let d = Diag::error(
                &DUPLICATE_STATE,
                format!("{who}: two states are named `{name}`"),
            )
            .label(key_span, "a second state with this name")
            .secondary(first, "the first one");
            self.report(d, "rename one: state names are unique in the whole definition, Parallel branches and Map item processors included", Validator::Rejects);
        } else {
            self.seen.insert(name, key_span);
        }
        let Some(map) = n.as_map() else {
            scope.undecided = HELD;
            let message = format!("{who}: state `{name}` is {}", article(n));
            self.flag(
                &NOT_OBJECT,
                message,
                n.span,
                "a state is an object with a `Type`",
                "",
            );
            return;
        };
        let Some(ty) = self.state_type(name, key_span, map) else {
            scope.undecided = HELD;
            // its transitions still name states
            for t in loose_targets(map) {
                match t.as_str().filter(|t| scope.states.contains_key(t)) {
                    Some(t) => scope.named.push((t, Validator::Rejects)),
                    None => scope.unresolved = HELD,
                }
            }
            return;
        };
        let jsonata = match map.get("QueryLanguage") {
            Some(q) => {
                self.query_language(q, self.at_state(name));
                q.as_str() == Some("JSONata")
            }
            None => self.top_query_language == Some("JSONata"),
        };
        self.fields(name, ty, map, jsonata);
        self.strict_state(scope, name, ty, map, jsonata);
        self.exclusive_fields(name, key_span, ty, map);
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
                self.number_field(name, field, v, *min, *integer, jsonata);
            }
        }
        self.transition(scope, name, key_span, ty, map);
        if let Some(next) = map.get("Next") {
            self.target(scope, next, Some(name), "`Next`", true);
        }
        if let Some(d) = map.get("Default") {
            self.target(scope, d, Some(name), "`Default`", true);
        }
        if let Some(catch) = map.get("Catch") {
            // asl-validator does not look into the catchers of a Map or Parallel state
            let outbound = !matches!(ty, "Map" | "Parallel");
            self.catchers(scope, name, catch, outbound);
        }
        if let Some(retry) = map.get("Retry") {
            self.retriers(name, retry);
        }
        match ty {
            "Task" if !map.contains_key("Resource") => self.flag(
                &MISSING_FIELD,
                format!("{who}: the Task state `{name}` has no `Resource`"),
                key_span,
                "a Task needs the ARN of what it runs",
                "",
            ),
            "Choice" => self.choice(scope, name, key_span, map, jsonata),
            "Parallel" => self.branches(name, key_span, map),
            "Map" => self.map(name, key_span, map),
            _ => {}
        }
        if let Mode::Check { config, .. } = self.mode {
            let lint = match ty {
                "Choice" if !map.contains_key("Default") => {
                    Some(lints::choice_without_default(self.machine, name, key_span))
                }
                "Task" => lints::task_timeout(self.machine, name, n, config),
                _ => None,
            };
            self.diags.extend(lint);
        }
    }

    /// The state's `Type`, when it is one of the eight.
    fn state_type(&mut self, name: &str, key_span: Span, map: &'a Mapping) -> Option<&'a str> {
        let Some(t) = map.get("Type") else {
            let message = format!("{}: state `{name}` has no `Type`", self.who());
            self.flag(&MISSING_FIELD, message, key_span, "`Type` is required", "");
            return None;
        };
        if let Some(s) = t.as_str().filter(|s| TYPES.contains(s)) {
            return Some(s);
        }
        let shown = t
            .as_str()
            .map_or_else(|| article(t).to_string(), |s| format!("`{s}`"));
        let label = match t.as_str().and_then(|s| closest(s, &TYPES)) {
            Some(s) => format!("did you mean `{s}`?"),
            None => "one of Task, Pass, Choice, Wait, Succeed, Fail, Parallel, Map".into(),
        };
        let message = format!("{}: state `{name}` has Type {shown}", self.who());
        self.flag(&BAD_TYPE, message, t.span, label, "");
        None
    }

    fn fields(&mut self, name: &str, ty: &str, map: &Mapping, jsonata: bool) {
        let allowed = fields(ty, jsonata);
        for (k, e) in map.iter() {
            if allowed.contains(&k.as_str()) {
                continue;
            }
            let label = if fields(ty, !jsonata).contains(&k.as_str()) {
                if jsonata {
                    format!("`{k}` is a JSONPath field; this state uses JSONata")
                } else {
                    format!("`{k}` is a JSONata field; this state uses JSONPath")
                }
            } else {
                match closest(k, &allowed) {
                    Some(s) => format!("not a field of a {ty} state; did you mean `{s}`?"),
                    None => format!("not a field of a {ty} state"),
                }
            };
            let message = format!("{}: state `{name}` has an unknown field `{k}`", self.who());
            self.flag(&UNKNOWN_FIELD, message, e.key_span, label, "");
        }
    }

    fn exclusive_fields(&mut self, name: &str, key_span: Span, ty: &str, map: &Mapping) {
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
            if !bad {
                continue;
            }
            let span = present
                .get(1)
                .and_then(|f| map.key_span(f))
                .unwrap_or(key_span);
            let which: Vec<String> = group.iter().map(|f| format!("`{f}`")).collect();
            let message = format!(
                "{}: state `{name}` must have {} one of {}",
                self.who(),
                if *exactly { "exactly" } else { "at most" },
                which.join(", ")
            );
            let label = if present.is_empty() {
                "none of them is set".to_string()
            } else {
                format!("has {}", present.join(" and "))
            };
            self.flag(&EXCLUSIVE_FIELDS, message, span, label, "");
        }
    }

    /// `Seconds`, `TimeoutSeconds`, `HeartbeatSeconds`: a number (at least `min`, an integer
    /// when `integer`), or a `{% ... %}` expression in JSONata. An intrinsic (which
    /// CloudFormation substitutes with a number) is fine unless the plugin's validator reads
    /// the definition: it sees the intrinsic itself and rejects it.
    fn number_field(
        &mut self,
        name: &str,
        field: &str,
        v: &Node,
        min: f64,
        integer: bool,
        jsonata: bool,
    ) {
        let ok = match &v.kind {
            Kind::Number(x) => *x >= min && (!integer || x.fract() == 0.0),
            Kind::String(s) if jsonata && s.starts_with("{% ") && s.ends_with(" %}") => s.len() > 6,
            Kind::String(s) => self.placeholders && s.contains("${"),
            Kind::Map(_) if v.is_intrinsic() => {
                if self.mode.validates() {
                    self.diags.push(
                        Diag::error(&BAD_VALUE, format!("{}: `{field}` is an intrinsic", self.at_state(name)))
                            .label(v.span, "the plugin validates the definition before CloudFormation substitutes this, and its validator wants a number")
                            .help("with `stepFunctions.validate: true` write a number here; without `validate` the plugin writes the intrinsic into the definition"),
                    );
                }
                true
            }
            _ => false,
        };
        if ok {
            return;
        }
        let want = match (integer, jsonata) {
            (true, false) => format!("an integer of at least {min}"),
            (false, false) => format!("a number of at least {min}"),
            (true, true) => format!("an integer of at least {min} or a `{{% ... %}}` expression"),
            (false, true) => format!("a number of at least {min} or a `{{% ... %}}` expression"),
        };
        let field = format!("`{field}`");
        self.must_be(
            &BAD_VALUE,
            self.at_state(name),
            &field,
            &want,
            v,
            Validator::Rejects,
        );
    }

    /// `End` and `Next`: exactly one of them, `End` only `true`.
    fn transition(
        &mut self,
        scope: &mut Scope<'a>,
        name: &str,
        key_span: Span,
        ty: &str,
        map: &Mapping,
    ) {
        let terminal_type = matches!(ty, "Succeed" | "Fail");
        scope.terminal |= terminal_type;
        if let Some(end) = map.get("End") {
            if end.as_bool() == Some(true) {
                scope.terminal = true;
            } else {
                let message = format!("{}: `End` must be `true`", self.at_state(name));
                let label = "remove `End` and set `Next` instead";
                self.flag(&TRANSITION, message, end.span, label, "");
            }
        }
        if terminal_type || ty == "Choice" {
            return;
        }
        match (map.get("Next"), map.get("End")) {
            (Some(_), Some(_)) => self.flag(
                &TRANSITION,
                format!("{}: state `{name}` has both `Next` and `End`", self.who()),
                map.key_span("End").unwrap_or(key_span),
                "a state either ends the execution or moves on",
                "",
            ),
            (None, None) => {
                scope.undecided = HELD;
                self.flag(
                    &TRANSITION,
                    format!(
                        "{}: the {ty} state `{name}` has neither `Next` nor `End: true`",
                        self.who()
                    ),
                    key_span,
                    "where does the execution go after this state?",
                    "add `Next: <state>` or `End: true`",
                );
            }
            _ => {}
        }
    }

    fn catchers(&mut self, scope: &mut Scope<'a>, name: &str, catch: &'a Node, outbound: bool) {
        let Some(items) = self.list(&BAD_VALUE, name, "Catch", catch, None) else {
            return;
        };
        let label = "expected `ErrorEquals` and `Next`";
        for (n, it) in self.objects(scope, name, items, &NOT_OBJECT, "catcher", label) {
            if it.get("ErrorEquals").and_then(Node::as_seq).is_none() {
                let message = format!(
                    "{}: catcher {n} has no `ErrorEquals` list",
                    self.at_state(name)
                );
                let label = "`ErrorEquals: [States.ALL]` catches every error";
                self.flag(&MISSING_FIELD, message, it.span, label, "");
            }
            let label = "`Next` names the state that handles the error";
            let item = ("catcher", n, outbound);
            self.item_next(scope, name, it, item, &MISSING_FIELD, label);
        }
    }

    /// The items of a `Catch` or `Choices` list that are objects, numbered from 1. Each other
    /// one is reported (`what`: "catcher", "choice rule") and hides which states are meant.
    fn objects(
        &mut self,
        scope: &mut Scope<'a>,
        name: &str,
        items: &'a [Node],
        code: &'static Code,
        what: &str,
        label: &str,
    ) -> Vec<(usize, &'a Node)> {
        let mut out = Vec::new();
        for (i, it) in items.iter().enumerate() {
            if it.as_map().is_some() {
                out.push((i + 1, it));
                continue;
            }
            scope.unresolved = HELD;
            let message = format!(
                "{}: {what} {} is {}",
                self.at_state(name),
                i + 1,
                article(it)
            );
            self.flag(code, message, it.span, label, "");
        }
        out
    }

    /// The `Next` of catcher or choice rule `n` (`item`, with `outbound` of
    /// [`Checker::target`]); without one, which states are meant is unknown.
    fn item_next(
        &mut self,
        scope: &mut Scope<'a>,
        name: &str,
        it: &'a Node,
        (what, n, outbound): (&str, usize, bool),
        code: &'static Code,
        label: &str,
    ) {
        match it.get("Next") {
            Some(next) => {
                let field = format!("`Next` of {what} {n}");
                self.target(scope, next, Some(name), &field, outbound);
            }
            None => {
                scope.unresolved = HELD;
                let message = format!("{}: {what} {n} has no `Next`", self.at_state(name));
                self.flag(code, message, it.span, label, "");
            }
        }
    }

    fn retriers(&mut self, name: &str, retry: &Node) {
        let Some(items) = self.list(&BAD_VALUE, name, "Retry", retry, None) else {
            return;
        };
        for (i, it) in items.iter().enumerate() {
            if it.get("ErrorEquals").and_then(Node::as_seq).is_none() {
                let message = format!(
                    "{}: retrier {} has no `ErrorEquals` list",
                    self.at_state(name),
                    i + 1
                );
                let label = "`ErrorEquals` lists the errors to retry";
                self.flag(&MISSING_FIELD, message, it.span, label, "");
            }
        }
    }

    fn choice(
        &mut self,
        scope: &mut Scope<'a>,
        name: &str,
        key_span: Span,
        map: &'a Mapping,
        jsonata: bool,
    ) {
        let Some(choices) = map.get("Choices") else {
            scope.unresolved = HELD;
            let message = format!("{}: the Choice state `{name}` has no `Choices`", self.who());
            self.flag(
                &MISSING_FIELD,
                message,
                key_span,
                "`Choices` lists the rules",
                "",
            );
            return;
        };
        let empty = Some(Validator::Rejects);
        let Some(rules) = self.list(&BAD_CHOICE, name, "Choices", choices, empty) else {
            scope.unresolved = HELD;
            return;
        };
        let label = "expected a choice rule";
        for (n, rule) in self.objects(scope, name, rules, &BAD_CHOICE, "choice rule", label) {
            let label = "every top-level choice rule needs `Next`";
            let item = ("choice rule", n, true);
            self.item_next(scope, name, rule, item, &BAD_CHOICE, label);
            if !jsonata {
                self.choice_rule(scope, name, n, rule, true);
            } else if rule.get("Condition").is_none() {
                let message = format!(
                    "{}: choice rule {n} has no `Condition`",
                    self.at_state(name)
                );
                let label = "a JSONata rule is `Condition: '{% ... %}'` and `Next`";
                self.flag(&BAD_CHOICE, message, rule.span, label, "");
            }
        }
    }

    /// A JSONPath boolean expression of choice rule `n`: `And` / `Or` / `Not`, or `Variable`
    /// with one comparison.
    fn choice_rule(&mut self, scope: &Scope, name: &str, n: usize, rule: &Node, top: bool) {
        let who = self.at_state(name);
        let Some(m) = rule.as_map() else {
            let message = format!(
                "{who}: a nested rule of choice rule {n} is {}",
                article(rule)
            );
            self.flag(
                &BAD_CHOICE,
                message,
                rule.span,
                "expected a choice rule",
                "",
            );
            return;
        };
        let ops: Vec<&str> = m
            .keys()
            .map(|k| k.as_str())
            .filter(|k| COMPARISONS.contains(k) || ["And", "Or", "Not"].contains(k))
            .collect();
        let problem = match ops.as_slice() {
            [] => Some("no comparison operator".to_string()),
            [op @ ("And" | "Or")] => match m.get(op).and_then(Node::as_seq) {
                Some(inner) if !inner.is_empty() => {
                    for r in inner {
                        self.choice_rule(scope, name, n, r, false);
                    }
                    None
                }
                _ => Some(format!("`{op}` needs a non-empty list of rules")),
            },
            ["Not"] => {
                if let Some(inner) = m.get("Not") {
                    self.choice_rule(scope, name, n, inner, false);
                }
                None
            }
            [op] => (!m.contains_key("Variable")).then(|| format!("`{op}` needs `Variable`")),
            many => Some(format!("several operators: {}", many.join(", "))),
        };
        if let Some(label) = problem {
            self.flag(
                &BAD_CHOICE,
                format!("{who}: choice rule {n} is malformed"),
                rule.span,
                label,
                "a rule is `Variable` with one comparison (e.g. `StringEquals`), or `And` / `Or` with a list of rules, or `Not` with one rule",
            );
        }
        if let Some(next) = m.get("Next").filter(|_| !top) {
            let message = format!("{who}: a nested rule of choice rule {n} has `Next`");
            let span = m.key_span("Next").unwrap_or(rule.span);
            let d =
                Diag::error(&BAD_CHOICE, message).label(span, "only top-level rules have `Next`");
            // asl-validator's schema lets nested rules have any other field, but it checks every
            // `Next` names a state (of a closed scope: of the scope)
            let target = next.as_str().filter(|t| {
                scope.states.contains_key(t)
                    || (!scope.closed && self.names.iter().any(|(s, _)| s == t))
            });
            let validator = match target {
                Some(_) => Validator::Accepts,
                None => Validator::Rejects,
            };
            self.report(d, "", validator);
        }
    }

    /// The branches of a Parallel state, each a state machine of its own.
    fn branches(&mut self, name: &str, key_span: Span, map: &'a Mapping) {
        let Some(b) = map.get("Branches") else {
            let message = format!(
                "{}: the Parallel state `{name}` has no `Branches`",
                self.who()
            );
            let label = "`Branches` lists the parallel state machines";
            self.flag(&MISSING_FIELD, message, key_span, label, "");
            return;
        };
        // asl-validator's schema takes `Branches: []`
        let empty = Some(Validator::Accepts);
        for (i, br) in self
            .list(&BAD_VALUE, name, "Branches", b, empty)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            self.machine(br, format!("branch {} of `{name}`", i + 1), br.span, true);
        }
    }

    /// A Map state's item processor (a state machine of its own), reader and writer.
    fn map(&mut self, name: &str, key_span: Span, map: &'a Mapping) {
        for key in ["ItemProcessor", "Iterator"] {
            if let Some(p) = map.get(key) {
                let at = map.key_span(key).unwrap_or(key_span);
                let closed = key == "Iterator";
                self.machine(p, format!("the `{key}` of `{name}`"), at, closed);
            }
        }
        for key in ["ItemReader", "ResultWriter"] {
            if map.get(key).is_some_and(|p| p.get("Resource").is_none()) {
                let message = format!("{}: `{key}` has no `Resource`", self.at_state(name));
                let span = map.key_span(key).unwrap_or(key_span);
                self.flag(&MISSING_FIELD, message, span, "`Resource` is required", "");
            }
        }
    }
}

/// What a finding asl-validator raises sets [`Scope::unresolved`] or [`Scope::undecided`] to:
/// it holds back every finding it makes moot.
const HELD: Option<Validator> = Some(Validator::Rejects);

/// A finding held back by `hold` (the strongest finding of the scope that makes it moot): a
/// finding asl-validator raises is only held back by another one it raises.
fn holds(hold: Option<Validator>, validator: Validator) -> bool {
    hold.is_some_and(|h| h >= validator)
}

/// Every string under a `StartAt`, `Next` or `Default` key anywhere in `n` (asl-validator's
/// `$..[StartAt,Next,Default]`).
fn transition_keys<'a>(n: &'a Node, out: &mut Vec<&'a str>) {
    if let Some(map) = n.as_map() {
        for (k, e) in map.iter() {
            if let Some(s) = e
                .value
                .as_str()
                .filter(|_| ["StartAt", "Next", "Default"].contains(&k.as_str()))
            {
                out.push(s);
            }
            transition_keys(&e.value, out);
        }
    } else if let Some(items) = n.as_seq() {
        for it in items {
            transition_keys(it, out);
        }
    }
}

/// The targets of a state whose `Type` is unknown: `Next`, `Default`, and the `Next` of each
/// catcher and Choice rule.
fn loose_targets(map: &Mapping) -> Vec<&Node> {
    let mut out: Vec<&Node> = ["Next", "Default"]
        .iter()
        .filter_map(|k| map.get(k))
        .collect();
    for list in ["Catch", "Choices"] {
        for it in map.get(list).and_then(Node::as_seq).unwrap_or_default() {
            out.extend(it.get("Next"));
        }
    }
    out
}

#[cfg(test)]
mod tests;
