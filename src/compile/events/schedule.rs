//! State-machine `schedule` events (EventBridge rules and Scheduler schedules), as
//! serverless-step-functions' `compileScheduledEvents` writes them
//! (`step-functions-plugin.md` §3.1).
//!
//! Per state machine, in `stateMachines` order, every truthy `schedule` event counts (1, 2, …)
//! whatever its method, and becomes
//! - `method: eventBus` (default): `<Norm(key)>StepFunctionsEventsRuleSchedule<n>`, an
//!   `AWS::Events::Rule` with one target;
//! - `method: scheduler`: `<Norm(key)>StepFunctionsSchedulerSchedule<n>`, an
//!   `AWS::Scheduler::Schedule`.
//!
//! Each event without `role` also merges the machine's shared role
//! `<Norm(key)>ScheduleToStepFunctionsRole` into the template right after its resource (so the
//! role lands after the first such schedule). The role's trusted service is that of the event
//! that wrote it last: mixing both methods in one machine leaves one of them unable to assume
//! it — the plugin's bug, reproduced and reported ([`MIXED_PRINCIPAL`]).
//!
//! The plugin assembles both resources as JSON text; see [`super::jsontext`] for how slsx
//! reproduces that (and what it writes where the plugin would crash).

use serde_json::{Value, json};

use super::jsontext::{self, Text};
use super::{BAD_INPUT, INPUT_CONFLICT, JSON_TEXT};
use crate::compile::{Ctx, Template, naming};
use crate::declare_codes;
use crate::diagnostics::{Diag, Diags};
use crate::source::Span;
use crate::yaml::{Kind, Node, js_to_string};

declare_codes! { CODES;
    INVALID = "slsx::schedule::invalid", "A `schedule` event that is neither a schedule expression nor a mapping.";
    MISSING_RATE = "slsx::schedule::missing-rate", "A `schedule` mapping without `rate`.";
    BAD_RATE = "slsx::schedule::bad-rate", "A `rate` that is not a schedule expression (for functions: a list of them).";
    SCHEDULER_UNSUPPORTED = "slsx::schedule::scheduler-unsupported", "`inputPath` or `inputTransformer` on a `method: scheduler` schedule.";
    TIMEZONE_WITHOUT_SCHEDULER = "slsx::schedule::timezone-without-scheduler", "`timezone` on a schedule whose method is not `scheduler`.";
    UNKNOWN_METHOD = "slsx::schedule::unknown-method", "A schedule `method` other than `eventBus` and `scheduler` (treated as `eventBus`).";
    BAD_EXPRESSION = "slsx::schedule::bad-expression", "A function schedule expression the framework's schema rejects (it warns, and deploys it anyway).";
    MIXED_PRINCIPAL = "slsx::schedule::mixed-principal", "EventBridge-rule and Scheduler schedules of one state machine share a role that trusts only one of the two services.";
}

const TOOL: &str = "serverless-step-functions";

/// The options the plugin reads from a schedule mapping.
const KEYS: [&str; 11] = [
    "rate",
    "enabled",
    "input",
    "inputPath",
    "inputTransformer",
    "name",
    "description",
    "role",
    "retryPolicy",
    "method",
    "timezone",
];

/// Compiles these events into the template.
pub fn compile(ctx: &Ctx, t: &mut Template, diags: &mut Diags) {
    let shared = Shared {
        boundary: ctx
            .provider_at(&["rolePermissionsBoundary"])
            .filter(|n| n.is_truthy())
            .map(Node::to_json),
        role_path: ctx
            .provider_at(&["iam", "role", "path"])
            .filter(|n| n.is_truthy())
            .map(Node::to_json),
    };
    for (key, sm) in super::state_machines(ctx) {
        let sm_id = super::state_machine_logical_id(key, sm);
        let mut writes: Vec<RoleWrite> = Vec::new();
        for event in super::events_of(sm, "schedule") {
            let sched = event.value;
            let one = One {
                ctx,
                key,
                sm_id: &sm_id,
                n: event.n,
                sched,
                event_key: event.key,
            };
            if let Some(w) = one.compile(t, diags, &shared) {
                writes.push(w);
            }
        }
        mixed_principal(key, &writes, diags);
    }
}

/// Provider settings every schedule role takes.
struct Shared {
    boundary: Option<Value>,
    role_path: Option<Value>,
}

/// One write of the shared role: which service it trusts, and where that came from.
struct RoleWrite {
    principal: &'static str,
    span: Span,
}

const EVENTS_PRINCIPAL: &str = "events.amazonaws.com";
const SCHEDULER_PRINCIPAL: &str = "scheduler.amazonaws.com";

struct One<'a> {
    ctx: &'a Ctx<'a>,
    key: &'a str,
    sm_id: &'a str,
    n: usize,
    sched: &'a Node,
    /// The `schedule` key of the event.
    event_key: Span,
}

/// The settings of one schedule event, as the plugin reads them.
struct Settings<'a> {
    expr: String,
    expr_span: Span,
    disabled: bool,
    input: Option<&'a Node>,
    input_path: Option<&'a Node>,
    transformer: Option<&'a Node>,
    name: Option<&'a Node>,
    description: Option<&'a Node>,
    scheduler: bool,
    method_span: Option<Span>,
    timezone: Option<&'a Node>,
    retry: Option<&'a Node>,
    role: Option<&'a Node>,
}

impl<'a> One<'a> {
    fn compile(&self, t: &mut Template, diags: &mut Diags, shared: &Shared) -> Option<RoleWrite> {
        let s = self.settings(diags)?;
        let (id, resource) = if s.scheduler {
            (
                naming::sfn_scheduler_logical_id(self.key, self.n),
                self.scheduler_schedule(&s, diags),
            )
        } else {
            (
                naming::sfn_schedule_logical_id(self.key, self.n),
                self.rule(&s, diags),
            )
        };
        t.merge_resource(&id, resource);
        if s.role.is_some() {
            return None;
        }
        let principal = if s.scheduler {
            SCHEDULER_PRINCIPAL
        } else {
            EVENTS_PRINCIPAL
        };
        let ctx = self.ctx;
        let mut role = super::start_execution_role(
            principal,
            &naming::sfn_schedule_policy_name(&ctx.stage, &ctx.region, &ctx.service, self.key),
            self.sm_id,
        );
        if let Some(b) = &shared.boundary {
            super::set_property(&mut role, "PermissionsBoundary", b.clone());
        }
        if let Some(p) = &shared.role_path {
            super::set_property(&mut role, "Path", p.clone());
        }
        t.merge_resource(&naming::sfn_schedule_role_logical_id(self.key), role);
        Some(RoleWrite {
            principal,
            span: s.method_span.unwrap_or(self.sched.span),
        })
    }

    /// Reads and checks the event; `None` after an error.
    fn settings(&self, diags: &mut Diags) -> Option<Settings<'a>> {
        let sched = self.sched;
        let key = self.key;
        match &sched.kind {
            Kind::String(s) => {
                return Some(Settings {
                    expr: s.to_string(),
                    expr_span: sched.span,
                    disabled: false,
                    input: None,
                    input_path: None,
                    transformer: None,
                    name: None,
                    description: None,
                    scheduler: false,
                    method_span: None,
                    timezone: None,
                    retry: None,
                    role: None,
                });
            }
            Kind::Map(_) | Kind::Seq(_) => {}
            _ => {
                diags.push(
                    Diag::error(
                        &INVALID,
                        format!("schedule event of state machine `{key}` is neither a string nor a mapping"),
                    )
                    .label(sched.span, super::a_kind(sched))
                    .help("write `schedule: rate(10 minutes)`, or a mapping with `rate` and options"),
                );
                return None;
            }
        }
        let Some(rate) = super::truthy(sched, "rate") else {
            diags.push(
                Diag::error(
                    &MISSING_RATE,
                    format!("schedule event of state machine `{key}` has no `rate`"),
                )
                .label(
                    if sched.as_seq().is_some() { sched.span } else { self.event_key },
                    if sched.as_seq().is_some() {
                        "a list, not a mapping with `rate`"
                    } else {
                        "this schedule needs a `rate`"
                    },
                )
                .help("add `rate: rate(10 minutes)` (or a `cron(...)` expression), or write the expression itself: `schedule: rate(10 minutes)`"),
            );
            return None;
        };
        let mut ok = true;
        let expr = match &rate.kind {
            Kind::String(s) => Some(s.to_string()),
            Kind::Seq(v) if v.len() == 1 => v[0].as_str().map(str::to_string),
            _ => None,
        };
        let expr = match expr {
            Some(e) => e,
            None => {
                diags.push(
                    Diag::error(
                        &BAD_RATE,
                        "the `rate` of a state-machine schedule must be one schedule expression",
                    )
                    .label(rate.span, super::a_kind(rate))
                    .help(
                        "serverless-step-functions writes `rate` into the rule as text (a list \
                         becomes `a,b`, an object `[object Object]`); write one `rate(...)` or \
                         `cron(...)` string, and one schedule event per expression",
                    ),
                );
                ok = false;
                String::new()
            }
        };
        super::check_keys(
            diags,
            sched,
            &KEYS,
            "a state-machine schedule",
            &format!("{TOOL} ignores it"),
        );

        let method = super::truthy(sched, "method");
        let scheduler = method.and_then(Node::as_str) == Some("scheduler");
        if let Some(m) = method
            && !matches!(m.as_str(), Some("scheduler") | Some("eventBus"))
        {
            diags.push(
                Diag::warning(
                    &UNKNOWN_METHOD,
                    format!("unknown schedule method `{}`: serverless-step-functions uses `eventBus`", js_to_string(m)),
                )
                .label(m.span, "treated as `eventBus`")
                .help("`method` is `eventBus` (an EventBridge rule, the default) or `scheduler` (an EventBridge Scheduler schedule)"),
            );
        }
        let s = Settings {
            expr,
            expr_span: rate.span,
            disabled: sched.get("enabled").and_then(Node::as_bool) == Some(false),
            input: super::truthy(sched, "input"),
            input_path: super::truthy(sched, "inputPath"),
            transformer: super::truthy(sched, "inputTransformer"),
            name: super::truthy(sched, "name"),
            description: super::truthy(sched, "description"),
            scheduler,
            method_span: method.map(|m| m.span),
            timezone: super::truthy(sched, "timezone"),
            retry: super::truthy(sched, "retryPolicy"),
            role: super::truthy(sched, "role"),
        };
        ok &= check_inputs(diags, sched, TOOL);
        ok &= check_scheduler_options(diags, sched, scheduler, method, true);
        if let Some(r) = s.retry {
            super::check_keys(
                diags,
                r,
                &["maximumEventAgeInSeconds", "maximumRetryAttempts"],
                "a state-machine schedule's `retryPolicy`",
                &format!("{TOOL} ignores it"),
            );
        }
        ok.then_some(s)
    }

    /// The `Input` text: `JSON.stringify` of an object, the string itself, `String(x)` else.
    fn input_text(input: &Node) -> String {
        match &input.kind {
            Kind::Map(_) | Kind::Seq(_) => crate::emit::json::to_compact(&input.to_json()),
            _ => js_to_string(input),
        }
    }

    /// `"RoleArn": …`: the event's `role` as JSON, else the shared role.
    fn role_arn(&self, s: &Settings, text: &mut Text) -> Value {
        match s.role {
            Some(r) => {
                let v = r.to_json();
                text.json(&v);
                v
            }
            None => {
                let role_id = naming::sfn_schedule_role_logical_id(self.key);
                text.lit("{\"Fn::GetAtt\": [")
                    .quoted("state machine key", &role_id, &role_id, Span::NONE)
                    .lit(", \"Arn\"]}");
                json!({"Fn::GetAtt": [role_id, "Arn"]})
            }
        }
    }

    /// `"Arn": {"Ref": "<SM>"}`.
    fn arn(&self, text: &mut Text) -> Value {
        text.lit("\"Arn\": {\"Ref\": ")
            .quoted("state machine id", self.sm_id, self.sm_id, Span::NONE)
            .lit("}");
        json!({"Ref": self.sm_id})
    }

    fn quoted_node(text: &mut Text, key: &str, field: &str, n: &Node) -> Value {
        let s = js_to_string(n);
        text.lit(&format!("\"{key}\": "))
            .quoted(field, &s, &s, n.span)
            .lit(", ");
        Value::String(s)
    }

    fn input_quoted(text: &mut Text, key: &str, input: &Node) -> Value {
        let s = Self::input_text(input);
        let spliced =
            if input.as_str().is_some() || input.as_map().is_some() || input.as_seq().is_some() {
                jsontext::escape_quotes(&s)
            } else {
                s.clone()
            };
        text.lit(&format!("\"{key}\": "))
            .quoted("input", &spliced, &s, input.span);
        Value::String(s)
    }

    /// The start of either resource's template: its `Type`, then `ScheduleExpression` and
    /// `State` (text and intended properties).
    fn start(s: &Settings, ty: &str) -> (Text, serde_json::Map<String, Value>) {
        let mut text = Text::new();
        let mut props = serde_json::Map::new();
        text.lit(&format!(
            "{{\"Type\": \"{ty}\", \"Properties\": {{\"ScheduleExpression\": "
        ))
        .quoted("rate", &s.expr, &s.expr, s.expr_span)
        .lit(", \"State\": ");
        props.insert("ScheduleExpression".into(), Value::String(s.expr.clone()));
        let state = if s.disabled { "DISABLED" } else { "ENABLED" };
        text.lit(&format!("\"{state}\", "));
        props.insert("State".into(), Value::String(state.into()));
        (text, props)
    }

    /// `Name` and `Description`, when set.
    fn name_and_description(
        s: &Settings,
        text: &mut Text,
        props: &mut serde_json::Map<String, Value>,
    ) {
        if let Some(n) = s.name {
            props.insert("Name".into(), Self::quoted_node(text, "Name", "name", n));
        }
        if let Some(d) = s.description {
            props.insert(
                "Description".into(),
                Self::quoted_node(text, "Description", "description", d),
            );
        }
    }

    /// The `AWS::Events::Rule` of an `eventBus` schedule.
    fn rule(&self, s: &Settings, diags: &mut Diags) -> Value {
        let (mut text, mut props) = Self::start(s, "AWS::Events::Rule");
        Self::name_and_description(s, &mut text, &mut props);
        text.lit("\"Targets\": [{");
        let mut target = serde_json::Map::new();
        if let Some(i) = s.input {
            target.insert("Input".into(), Self::input_quoted(&mut text, "Input", i));
            text.lit(", ");
        }
        if let Some(p) = s.input_path {
            target.insert(
                "InputPath".into(),
                Self::quoted_node(&mut text, "InputPath", "inputPath", p),
            );
        }
        if let Some(it) = s.transformer {
            target.insert(
                "InputTransformer".into(),
                input_transformer(
                    &mut text,
                    it,
                    super::key_span(self.sched, "inputTransformer"),
                ),
            );
            text.lit(", ");
        }
        target.insert("Arn".into(), self.arn(&mut text));
        let target_id = naming::sfn_schedule_target_id(self.key);
        text.lit(", \"Id\": ")
            .quoted("state machine key", &target_id, &target_id, Span::NONE)
            .lit(", ");
        target.insert("Id".into(), Value::String(target_id));
        if let Some(r) = s.retry {
            let rp = retry_policy(r, "maximumEventAgeInSeconds");
            text.lit("\"RetryPolicy\": ").json(&rp).lit(", ");
            target.insert("RetryPolicy".into(), rp);
        }
        text.lit("\"RoleArn\": ");
        target.insert("RoleArn".into(), self.role_arn(s, &mut text));
        text.lit("}]}}");
        props.insert("Targets".into(), Value::Array(vec![Value::Object(target)]));
        let intended = json!({"Type": "AWS::Events::Rule", "Properties": props});
        self.settle(&text, intended, "EventBridge rule", diags)
    }

    /// The `AWS::Scheduler::Schedule` of a `scheduler` schedule.
    fn scheduler_schedule(&self, s: &Settings, diags: &mut Diags) -> Value {
        let (mut text, mut props) = Self::start(s, "AWS::Scheduler::Schedule");
        if let Some(tz) = s.timezone {
            props.insert(
                "ScheduleExpressionTimezone".into(),
                Self::quoted_node(&mut text, "ScheduleExpressionTimezone", "timezone", tz),
            );
        }
        Self::name_and_description(s, &mut text, &mut props);
        text.lit("\"Target\": {");
        let mut target = serde_json::Map::new();
        target.insert("Arn".into(), self.arn(&mut text));
        text.lit(", \"RoleArn\": ");
        target.insert("RoleArn".into(), self.role_arn(s, &mut text));
        if let Some(i) = s.input {
            text.lit(", ");
            target.insert("Input".into(), Self::input_quoted(&mut text, "Input", i));
        }
        text.lit("}, \"FlexibleTimeWindow\": {\"Mode\": \"OFF\"}}}");
        props.insert("Target".into(), Value::Object(target));
        props.insert("FlexibleTimeWindow".into(), json!({"Mode": "OFF"}));
        let intended = json!({"Type": "AWS::Scheduler::Schedule", "Properties": props});
        self.settle(&text, intended, "Scheduler schedule", diags)
    }

    fn settle(&self, text: &Text, intended: Value, what: &str, diags: &mut Diags) -> Value {
        let (v, outcome) = jsontext::settle(text, intended);
        if let Some(d) = jsontext::diag(&JSON_TEXT, &outcome, text, TOOL, what, self.sched.span) {
            diags.push(d);
        }
        v
    }
}

/// `"InputTransformer": {"InputPathsMap": <map>, "InputTemplate": "<template>"}` as the plugin
/// splices it (checked by [`check_inputs`]: a mapping with a string `inputTemplate` and an
/// optional mapping `inputPathsMap`). A missing `inputPathsMap` is spliced as `undefined`,
/// which the plugin cannot parse; slsx leaves the key out.
pub(crate) fn input_transformer(text: &mut Text, it: &Node, key_span: Span) -> Value {
    let mut out = serde_json::Map::new();
    text.lit("\"InputTransformer\": {\"InputPathsMap\": ");
    match it.get("inputPathsMap") {
        None => {
            text.bare("inputPathsMap", "undefined", None, key_span)
                .note("no `inputPathsMap`: the plugin writes `undefined` in its place");
        }
        Some(m) => {
            let v = m.to_json();
            let spliced = match &m.kind {
                Kind::Map(_) => crate::emit::json::to_compact(&v),
                _ => js_to_string(m),
            };
            text.bare("inputPathsMap", &spliced, Some(v.clone()), m.span);
            out.insert("InputPathsMap".into(), v);
        }
    }
    let tpl = it.get("inputTemplate");
    let s = tpl.map(js_to_string).unwrap_or_else(|| "undefined".into());
    text.lit(", \"InputTemplate\": ").quoted(
        "inputTemplate",
        &jsontext::escape_quotes(&s),
        &s,
        tpl.map(|n| n.span).unwrap_or(it.span),
    );
    text.lit("}");
    out.insert("InputTemplate".into(), Value::String(s));
    Value::Object(out)
}

/// `JSON.stringify({MaximumEventAgeInSeconds: r.<age_key>, MaximumRetryAttempts:
/// r.maximumRetryAttempts})`: missing values disappear.
pub(crate) fn retry_policy(r: &Node, age_key: &str) -> Value {
    super::object(vec![
        (
            "MaximumEventAgeInSeconds",
            r.get(age_key).map(Node::to_json),
        ),
        (
            "MaximumRetryAttempts",
            r.get("maximumRetryAttempts").map(Node::to_json),
        ),
    ])
}

/// At most one of `input`, `inputPath`, `inputTransformer` (truthy), and the shapes the
/// plugin can splice: an `inputTransformer` mapping with a string `inputTemplate` and a
/// mapping (or no) `inputPathsMap`. Returns false after an error.
pub(crate) fn check_inputs(diags: &mut Diags, ev: &Node, tool: &str) -> bool {
    let mut ok = true;
    let present: Vec<&str> = ["input", "inputPath", "inputTransformer"]
        .into_iter()
        .filter(|k| super::truthy(ev, k).is_some())
        .collect();
    if present.len() > 1 {
        let mut d = Diag::error(
            &INPUT_CONFLICT,
            format!(
                "only one of `input`, `inputPath` and `inputTransformer` can be set, this event sets {}",
                present
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
        )
        .label(super::key_span(ev, present[1]), "second input option");
        for (i, k) in present.iter().enumerate() {
            if i != 1 {
                d = d.secondary(super::key_span(ev, k), "also set");
            }
        }
        diags.push(d.help("an EventBridge target takes only one of them; keep the one you need"));
        ok = false;
    }
    if let Some(p) = super::truthy(ev, "inputPath")
        && p.as_str().is_none()
    {
        diags.push(
            Diag::error(
                &BAD_INPUT,
                "`inputPath` must be a string (a JSONPath such as `$.detail`)",
            )
            .label(p.span, super::a_kind(p))
            .help("write the path as a string, e.g. `inputPath: $.detail`"),
        );
        ok = false;
    }
    if let Some(it) = super::truthy(ev, "inputTransformer") {
        if it.as_map().is_none() {
            diags.push(
                Diag::error(&BAD_INPUT, "`inputTransformer` must be a mapping")
                    .label(it.span, super::a_kind(it))
                    .help("write `inputTransformer: {inputPathsMap: {t: $.time}, inputTemplate: '{\"time\": <t>}'}`"),
            );
            return false;
        }
        match it.get("inputTemplate") {
            // a number or a boolean is spliced as its text, which is a valid template
            Some(t) if matches!(t.kind, Kind::String(_) | Kind::Number(_) | Kind::Bool(_)) => {}
            Some(t) if !t.is_null() => {
                diags.push(
                    Diag::error(&BAD_INPUT, "`inputTemplate` must be a string")
                        .label(t.span, super::a_kind(t))
                        .help("quote the template: `inputTemplate: '{\"time\": <t>}'`"),
                );
                ok = false;
            }
            _ => {
                diags.push(
                    Diag::error(&BAD_INPUT, "`inputTransformer` has no `inputTemplate`")
                        .label(super::key_span(ev, "inputTransformer"), "needs `inputTemplate`")
                        .help(format!(
                            "EventBridge requires the template ({tool} would write the text `undefined` as the input); add `inputTemplate: '…'`"
                        )),
                );
                ok = false;
            }
        }
        // a string is spliced into the plugin's JSON text as it is: JSON object text works
        if let Some(m) = it.get("inputPathsMap")
            && !m.is_null()
            && m.as_map().is_none()
            && !m.as_str().is_some_and(|t| {
                serde_json::from_str::<serde_json::Value>(t).is_ok_and(|v| v.is_object())
            })
        {
            diags.push(
                Diag::error(
                    &BAD_INPUT,
                    "`inputPathsMap` must be a mapping (or JSON object text)",
                )
                .label(m.span, super::a_kind(m))
                .help("map each placeholder to a JSONPath: `inputPathsMap: {t: $.time}`"),
            );
            ok = false;
        }
        super::check_keys(
            diags,
            it,
            &["inputPathsMap", "inputTemplate"],
            "an `inputTransformer`",
            "EventBridge input transformers have only `inputPathsMap` and `inputTemplate`",
        );
    }
    ok
}

/// The scheduler-only / eventBus-only options. Returns false after an error.
pub(crate) fn check_scheduler_options(
    diags: &mut Diags,
    ev: &Node,
    scheduler: bool,
    method: Option<&Node>,
    plugin: bool,
) -> bool {
    let mut ok = true;
    let who = if plugin {
        "serverless-step-functions"
    } else {
        "the framework"
    };
    if scheduler {
        for k in ["inputTransformer", "inputPath"] {
            if super::truthy(ev, k).is_some() {
                let mut d = Diag::error(
                    &SCHEDULER_UNSUPPORTED,
                    format!("`{k}` is not supported with `method: scheduler`"),
                )
                .label(
                    super::key_span(ev, k),
                    "not available for Scheduler schedules",
                );
                if let Some(m) = method {
                    d = d.secondary(m.span, "Scheduler schedule");
                }
                diags.push(d.help(format!(
                    "EventBridge Scheduler targets take a fixed `input` only ({who} refuses `{k}` here); use `input`, or drop `method: scheduler` for an EventBridge rule"
                )));
                ok = false;
            }
        }
    } else if super::truthy(ev, "timezone").is_some() {
        let mut d = Diag::error(
            &TIMEZONE_WITHOUT_SCHEDULER,
            "`timezone` is only supported with `method: scheduler`",
        )
        .label(
            super::key_span(ev, "timezone"),
            "EventBridge rules run in UTC",
        );
        if let Some(m) = method {
            d = d.secondary(m.span, "not `scheduler`");
        }
        diags.push(d.help(format!(
            "add `method: scheduler` to create an EventBridge Scheduler schedule, which has a time zone ({who} refuses `timezone` otherwise)"
        )));
        ok = false;
    }
    ok
}

/// The plugin's mixed-method bug: one role per machine, trusting whichever service the last
/// schedule wrote.
fn mixed_principal(key: &str, writes: &[RoleWrite], diags: &mut Diags) {
    let Some(last) = writes.last() else {
        return;
    };
    let losers: Vec<&RoleWrite> = writes
        .iter()
        .filter(|w| w.principal != last.principal)
        .collect();
    let Some(first) = losers.first() else {
        return;
    };
    let role = naming::sfn_schedule_role_logical_id(key);
    let (kind, last_kind) = if first.principal == SCHEDULER_PRINCIPAL {
        ("`scheduler`", "an EventBridge rule")
    } else {
        ("EventBridge-rule", "a `scheduler`")
    };
    let mut d = Diag::warning(
        &MIXED_PRINCIPAL,
        format!(
            "the schedule role `{role}` trusts only `{}`, so this {kind} schedule of state machine `{key}` cannot start it",
            last.principal
        ),
    )
    .label(first.span, format!("needs `{}`", first.principal));
    for w in &losers[1..] {
        d = d.secondary(w.span, format!("needs `{}` as well", w.principal));
    }
    d = d.secondary(
        last.span,
        format!("{last_kind} schedule, written last: its service wins"),
    );
    diags.push(d.help(
        "serverless-step-functions merges every schedule of a state machine into one role, whose \
         trusted service is the last one written (a plugin bug, reproduced here); use one \
         `method` for all schedules of this state machine, or give one kind its own `role`",
    ));
}

/// Whether the framework's schema accepts a function schedule expression:
/// `^rate\((?:1 (?:minute|hour|day)|(?:1\d+|[2-9]\d*) (?:minute|hour|day)s)\)$` or
/// `^cron\(\S+ \S+ \S+ \S+ \S+ \S+\)$`.
pub(crate) fn framework_accepts(expr: &str) -> bool {
    if let Some(body) = expr.strip_prefix("rate(").and_then(|r| r.strip_suffix(')')) {
        let Some((n, unit)) = body.split_once(' ') else {
            return false;
        };
        if n == "1" {
            return matches!(unit, "minute" | "hour" | "day");
        }
        let b = n.as_bytes();
        let digits = !b.is_empty() && b.iter().all(u8::is_ascii_digit);
        let number = digits && ((b[0] == b'1' && b.len() > 1) || (b'2'..=b'9').contains(&b[0]));
        return number && matches!(unit, "minutes" | "hours" | "days");
    }
    if let Some(body) = expr.strip_prefix("cron(").and_then(|r| r.strip_suffix(')')) {
        let fields: Vec<&str> = body.split(' ').collect();
        return fields.len() == 6
            && fields
                .iter()
                .all(|f| !f.is_empty() && !f.chars().any(char::is_whitespace));
    }
    false
}

#[cfg(test)]
mod tests {
    use super::framework_accepts;

    #[test]
    fn framework_schedule_pattern() {
        for ok in [
            "rate(1 minute)",
            "rate(1 day)",
            "rate(10 minutes)",
            "rate(2 hours)",
            "rate(25 days)",
            "cron(0 9 ? * MON-FRI *)",
            "cron(0/15 * * * ? *)",
        ] {
            assert!(framework_accepts(ok), "{ok}");
        }
        for bad in [
            "42",
            "rate(1 minutes)",
            "rate(2 hour)",
            "rate(01 hours)",
            "rate(0 hours)",
            "rate(1  hour)",
            "cron(0 9 * * ?)",
            "cron(0  9 * * ? * *)",
            "at(2030-01-01T00:00:00)",
        ] {
            assert!(!framework_accepts(bad), "{bad}");
        }
    }
}
