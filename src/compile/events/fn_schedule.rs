//! Function `schedule` events, as the framework's own `AwsCompileScheduledEvents` writes them
//! (`serverless-core.md` §5.1).
//!
//! Per function, in `functions` order, every expression of every truthy `schedule` event
//! counts (1, 2, …): `schedule: rate(…)` is one expression, the object form's `rate` a list of
//! them (a single string is what the framework's schema coercion turns into a one-item list).
//! Each expression becomes
//! - `method: eventBus` (default): `<NF>EventsRuleSchedule<n>` (an `AWS::Events::Rule`, target
//!   Id `<functionKey>Schedule` shared by all rules of the event) and
//!   `<NF>LambdaPermissionEventsRuleSchedule<n>`, both assembled as JSON text (see
//!   [`super::jsontext`]);
//! - `method: scheduler`: `<NF>SchedulerSchedule<n>` (an `AWS::Scheduler::Schedule` whose
//!   `RoleArn` is the function's role). The framework then lets `IamRoleLambdaExecution` trust
//!   `scheduler.amazonaws.com` and allows it `lambda:InvokeFunction` on those functions — read
//!   from and merged into the role the core pass created.

use serde_json::{Map, Value, json};

use super::IGNORED;
use super::jsontext::{self, Text};
use super::schedule::{
    BAD_EXPRESSION, BAD_RATE, INVALID, MISSING_RATE, UNKNOWN_METHOD, check_inputs,
    check_scheduler_options, framework_accepts,
};
use crate::compile::{Ctx, Template, aliases, js, naming};
use crate::declare_codes;
use crate::diagnostics::{Diag, Diags};
use crate::source::Span;
use crate::yaml::{Kind, Node, js_to_string};

declare_codes! { CODES;
    NAME_WITH_MULTIPLE_RATES = "slsx::fn-schedule::name-with-multiple-rates", "A function schedule with a `name` and more than one `rate` (one rule per rate, and rule names are unique).";
    BAD_INPUT_BODY = "slsx::fn-schedule::bad-input-body", "A function schedule `input.body` string that is not JSON text (the framework parses it).";
    NO_EXECUTION_ROLE = "slsx::fn-schedule::no-execution-role", "`method: scheduler` function schedules without the framework's execution role, so nothing lets the Scheduler invoke the function.";
}

const TOOL: &str = "the framework";

/// The options of the object form (the framework's schema).
const KEYS: [&str; 9] = [
    "rate",
    "enabled",
    "name",
    "description",
    "input",
    "inputPath",
    "inputTransformer",
    "method",
    "timezone",
];

/// Compiles these events into the template.
pub fn compile(ctx: &Ctx, t: &mut Template, diags: &mut Diags) {
    let mut scheduler_resources: Vec<Value> = Vec::new();
    let mut first_scheduler: Option<Span> = None;
    for (fkey, f) in ctx.functions() {
        let mut n = 0;
        let mut function_has_scheduler = false;
        for event in super::events_of(f, "schedule") {
            let sched = event.value;
            let Some(s) = settings(fkey, sched, event.key, diags) else {
                continue;
            };
            for r in &s.rates {
                if let Some(e) = r.as_str()
                    && !framework_accepts(e)
                {
                    diags.push(
                        Diag::warning(
                            &BAD_EXPRESSION,
                            format!("`{e}` is not a schedule expression the framework accepts"),
                        )
                        .label(r.span, "does not match the framework's `rate(...)` / `cron(...)` pattern")
                        .help(
                            "write `rate(1 minute)`, `rate(5 minutes)` (singular unit for 1, plural otherwise) or \
                             `cron(min hour day month weekday year)` with six fields; the framework \
                             only warns about this, and EventBridge rejects it at deploy time",
                        ),
                    );
                }
            }
            if s.scheduler && !s.rates.is_empty() {
                function_has_scheduler = true;
                first_scheduler.get_or_insert(s.method_span.unwrap_or(sched.span));
            }
            for rate in &s.rates {
                n += 1;
                if s.scheduler {
                    let mut schedule = scheduler_schedule(ctx, t, fkey, &s, rate);
                    aliases::depend_on_alias(ctx, fkey, &mut schedule);
                    t.resources_mut()
                        .insert(naming::scheduler_schedule_logical_id(fkey, n), schedule);
                } else {
                    let rule_id = naming::schedule_logical_id(fkey, n);
                    let mut rule = rule(ctx, fkey, &s, rate, sched.span, diags);
                    let mut permission = permission(ctx, fkey, &rule_id);
                    aliases::depend_on_alias(ctx, fkey, &mut rule);
                    aliases::depend_on_alias(ctx, fkey, &mut permission);
                    let res = t.resources_mut();
                    res.insert(rule_id, rule);
                    res.insert(
                        naming::lambda_schedule_permission_logical_id(fkey, n),
                        permission,
                    );
                }
            }
        }
        if function_has_scheduler {
            let arn = format!(
                "arn:${{AWS::Partition}}:lambda:${{AWS::Region}}:${{AWS::AccountId}}:function:{}",
                ctx.function_name(fkey)
            );
            scheduler_resources.push(json!({"Fn::Sub": arn}));
            scheduler_resources.push(json!({"Fn::Sub": format!("{arn}:*")}));
        }
    }
    if let Some(span) = first_scheduler {
        grant_scheduler(t, scheduler_resources, span, diags);
    }
}

/// What one event says.
struct Settings<'a> {
    rates: Vec<&'a Node>,
    disabled: bool,
    /// The `Input` after the framework's transformation (object → JSON text, `body` parsed).
    input: Option<Value>,
    input_node: Option<&'a Node>,
    input_path: Option<&'a Node>,
    transformer: Option<&'a Node>,
    name: Option<&'a Node>,
    description: Option<&'a Node>,
    timezone: Option<&'a Node>,
    scheduler: bool,
    method_span: Option<Span>,
    /// The object form (name/description/… only exist there).
    object: Option<&'a Node>,
}

fn settings<'a>(
    fkey: &str,
    sched: &'a Node,
    event_key: Span,
    diags: &mut Diags,
) -> Option<Settings<'a>> {
    match &sched.kind {
        Kind::String(_) => {
            return Some(Settings {
                rates: vec![sched],
                disabled: false,
                input: None,
                input_node: None,
                input_path: None,
                transformer: None,
                name: None,
                description: None,
                timezone: None,
                scheduler: false,
                method_span: None,
                object: None,
            });
        }
        Kind::Map(_) => {}
        Kind::Seq(_) => {
            diags.push(
                Diag::error(&MISSING_RATE, format!("schedule event of function `{fkey}` has no `rate`"))
                    .label(sched.span, "a list, not a schedule")
                    .help("write `schedule: rate(10 minutes)`, or a mapping with `rate: [rate(10 minutes)]` and options"),
            );
            return None;
        }
        _ => {
            diags.push(
                Diag::error(
                    &INVALID,
                    format!("schedule event of function `{fkey}` is neither a string nor a mapping"),
                )
                .label(sched.span, super::a_kind(sched))
                .help("write `schedule: rate(10 minutes)`, or a mapping with `rate: [rate(10 minutes)]` and options"),
            );
            return None;
        }
    }
    let mut ok = true;
    let rates: Vec<&Node> = match sched.get("rate").map(|r| (r, &r.kind)) {
        Some((r, Kind::String(_))) => vec![r],
        Some((_, Kind::Seq(v))) => v.iter().collect(),
        Some((r, _)) if !r.is_null() => {
            diags.push(
                Diag::error(&BAD_RATE, "`rate` must be a list of schedule expressions")
                    .label(r.span, super::a_kind(r))
                    .help("write `rate: [rate(10 minutes)]` (or one `cron(...)` string)"),
            );
            return None;
        }
        _ => {
            diags.push(
                Diag::error(&MISSING_RATE, format!("schedule event of function `{fkey}` has no `rate`"))
                    .label(event_key, "this schedule needs a `rate`")
                    .help("add `rate: [rate(10 minutes)]`, or write the expression itself: `schedule: rate(10 minutes)`"),
            );
            return None;
        }
    };
    for r in &rates {
        if !matches!(r.kind, Kind::String(_) | Kind::Map(_)) {
            diags.push(
                Diag::error(&BAD_RATE, "a `rate` entry must be a schedule expression")
                    .label(r.span, super::a_kind(r))
                    .help("write `rate(10 minutes)` or `cron(0 12 * * ? *)` (or a CloudFormation intrinsic that yields one)"),
            );
            ok = false;
        }
    }
    if rates.is_empty()
        && let Some(r) = sched.get("rate")
    {
        diags.push(
            Diag::warning(
                &IGNORED,
                "this schedule has an empty `rate` list; the framework creates nothing for it",
            )
            .label(r.span, "no expression")
            .help("add at least one `rate(...)` or `cron(...)` expression"),
        );
    }
    super::check_keys(
        diags,
        sched,
        &KEYS,
        "a function schedule",
        &format!("{TOOL} ignores it"),
    );

    let name = super::truthy(sched, "name");
    if rates.len() > 1
        && let Some(n) = name
    {
        diags.push(
            Diag::error(
                &NAME_WITH_MULTIPLE_RATES,
                "a schedule with more than one `rate` cannot have a `name`",
            )
            .label(super::key_span(sched, "name"), "one name for several rules")
            .secondary(super::key_span(sched, "rate"), format!("{} expressions, one rule each", rates.len()))
            .help(format!(
                "rule names are unique; drop `name` (each rule gets a generated one), or split the rates into one schedule event each (`{}` on one of them)",
                js_to_string(n)
            )),
        );
        ok = false;
    }

    let method = super::truthy(sched, "method");
    let scheduler = method.and_then(Node::as_str) == Some("scheduler");
    if let Some(m) = method
        && !matches!(m.as_str(), Some("scheduler") | Some("eventBus"))
    {
        diags.push(
            Diag::warning(
                &UNKNOWN_METHOD,
                format!("unknown schedule method `{}`: the framework uses `eventBus`", js_to_string(m)),
            )
            .label(m.span, "treated as `eventBus`")
            .help("`method` is `eventBus` (an EventBridge rule, the default) or `scheduler` (an EventBridge Scheduler schedule)"),
        );
    }
    ok &= check_inputs(diags, sched, TOOL);
    ok &= check_scheduler_options(diags, sched, scheduler, method, false);

    let input_node = super::truthy(sched, "input");
    let input = match input_node {
        Some(i) if matches!(i.kind, Kind::Map(_) | Kind::Seq(_)) => {
            let mut v = i.to_json();
            if let Some(body_node) = i.get("body")
                && let Some(body) = body_node.as_str()
            {
                match jsontext::parse(body) {
                    Ok(parsed) => {
                        if let Some(o) = v.as_object_mut() {
                            o.insert("body".into(), parsed);
                        }
                    }
                    Err(e) => {
                        diags.push(
                            Diag::error(&BAD_INPUT_BODY, "`input.body` is not JSON text")
                                .label(body_node.span, format!("JSON.parse: {e}"))
                                .help("the framework parses a string `body` as JSON (and crashes on anything else); write it as JSON text, or as a mapping"),
                        );
                        ok = false;
                    }
                }
            }
            Some(Value::String(crate::emit::json::to_compact(&v)))
        }
        Some(i) => Some(i.to_json()),
        None => sched.get("input").map(Node::to_json),
    };
    if !ok {
        return None;
    }
    Some(Settings {
        rates,
        disabled: sched.get("enabled").and_then(Node::as_bool) == Some(false),
        input,
        input_node,
        input_path: super::truthy(sched, "inputPath"),
        transformer: super::truthy(sched, "inputTransformer"),
        name,
        description: super::truthy(sched, "description"),
        timezone: sched.get("timezone"),
        scheduler,
        method_span: method.map(|m| m.span),
        object: Some(sched),
    })
}

/// The `AWS::Events::Rule` of one expression, assembled as the framework's JSON text.
fn rule(ctx: &Ctx, fkey: &str, s: &Settings, rate: &Node, event: Span, diags: &mut Diags) -> Value {
    let mut text = Text::new();
    let mut props = Map::new();
    text.lit("{\"Type\": \"AWS::Events::Rule\", \"Properties\": {\"ScheduleExpression\": ");
    match rate.as_str() {
        Some(e) => {
            text.quoted("rate", e, e, rate.span);
        }
        None => {
            text.json(&rate.to_json());
        }
    }
    props.insert("ScheduleExpression".into(), rate.to_json());
    let state = if s.disabled { "DISABLED" } else { "ENABLED" };
    text.lit(&format!(", \"State\": \"{state}\", "));
    props.insert("State".into(), Value::String(state.into()));
    for (node, field, prop) in [
        (s.name, "name", "Name"),
        (s.description, "description", "Description"),
    ] {
        if let Some(n) = node {
            let v = js_to_string(n);
            text.lit(&format!("\"{prop}\": "))
                .quoted(field, &v, &v, n.span)
                .lit(", ");
            props.insert(prop.into(), Value::String(v));
        }
    }
    text.lit("\"Targets\": [{");
    let mut target = Map::new();
    if let Some(input) = s.input.as_ref().filter(|v| js::truthy(Some(v))) {
        let (spliced, want) = match input {
            Value::String(x) => (jsontext::escape_quotes(x), x.clone()),
            other => {
                let x = js::to_js_string(other);
                (x.clone(), x)
            }
        };
        let span = s.input_node.map(|n| n.span).unwrap_or(event);
        text.lit("\"Input\": ")
            .quoted("input", &spliced, &want, span)
            .lit(", ");
        target.insert("Input".into(), Value::String(want));
    }
    if let Some(p) = s.input_path {
        let v = js_to_string(p);
        text.lit("\"InputPath\": ")
            .quoted("inputPath", &v, &v, p.span)
            .lit(", ");
        target.insert("InputPath".into(), Value::String(v));
    }
    if let Some(it) = s.transformer {
        // `formatInputTransformer`: InputTemplate, then InputPathsMap when truthy
        let v = super::object(vec![
            ("InputTemplate", it.get("inputTemplate").map(Node::to_json)),
            (
                "InputPathsMap",
                super::truthy(it, "inputPathsMap").map(Node::to_json),
            ),
        ]);
        text.lit("\"InputTransformer\": ").json(&v).lit(", ");
        target.insert("InputTransformer".into(), v);
    }
    let arn = super::fn_common::lambda_arn(ctx, fkey);
    text.lit("\"Arn\": ").json(&arn).lit(", \"Id\": ");
    target.insert("Arn".into(), arn);
    let id = naming::schedule_id(fkey);
    text.quoted("function key", &id, &id, Span::NONE)
        .lit("}]}}");
    target.insert("Id".into(), Value::String(id));
    jsontext::finish_rule(&text, props, target, TOOL, event, diags)
}

/// `<NF>LambdaPermissionEventsRuleSchedule<n>` (also JSON text in the framework, but nothing
/// user-written is spliced into it except the function key, which logical IDs already limit).
fn permission(ctx: &Ctx, fkey: &str, rule_id: &str) -> Value {
    json!({
        "Type": "AWS::Lambda::Permission",
        "Properties": {
            "FunctionName": super::fn_common::lambda_arn(ctx, fkey),
            "Action": "lambda:InvokeFunction",
            "Principal": "events.amazonaws.com",
            "SourceArn": {"Fn::GetAtt": [rule_id, "Arn"]},
        },
    })
}

/// The `AWS::Scheduler::Schedule` of one expression.
fn scheduler_schedule(ctx: &Ctx, t: &Template, fkey: &str, s: &Settings, rate: &Node) -> Value {
    let mut target = Map::new();
    target.insert("Arn".into(), super::fn_common::lambda_arn(ctx, fkey));
    target.insert("RoleArn".into(), function_role(ctx, t, fkey));
    if let Some(i) = &s.input {
        target.insert("Input".into(), i.clone());
    }
    let obj = s.object;
    let raw = |k: &str| obj.and_then(|o| o.get(k)).map(Node::to_json);
    let mut props = Map::new();
    props.insert("ScheduleExpression".into(), rate.to_json());
    props.insert(
        "State".into(),
        Value::String(if s.disabled { "DISABLED" } else { "ENABLED" }.into()),
    );
    props.insert("Target".into(), Value::Object(target));
    props.insert("FlexibleTimeWindow".into(), json!({"Mode": "OFF"}));
    for (k, p) in [("name", "Name"), ("description", "Description")] {
        if let Some(v) = raw(k) {
            props.insert(p.into(), v);
        }
    }
    if let Some(tz) = s.timezone {
        props.insert("ScheduleExpressionTimezone".into(), tz.to_json());
    }
    json!({"Type": "AWS::Scheduler::Schedule", "Properties": props})
}

/// The function's `Role` as compiled: read from its `AWS::Lambda::Function` when the core pass
/// created it, else derived the same way (`getCustomExecutionRole` + `compileRole`).
fn function_role(ctx: &Ctx, t: &Template, fkey: &str) -> Value {
    if let Some(r) = t
        .resources()
        .pointer(&naming::lambda_logical_id(fkey), "/Properties/Role")
    {
        return r;
    }
    let f_role = ctx
        .function(fkey)
        .and_then(|f| super::truthy(f, "role"))
        .map(Node::to_json);
    let provider_role = ctx.provider_at(&["iam", "role"]).filter(|r| {
        r.as_str().is_some()
            || r.as_map()
                .is_some_and(|m| m.keys().any(|k| k.contains("::")))
    });
    let role = f_role
        .or_else(|| provider_role.map(Node::to_json))
        .or_else(|| {
            ctx.provider_at(&["role"])
                .filter(|r| r.is_truthy())
                .map(Node::to_json)
        })
        .unwrap_or_else(|| Value::String(naming::ROLE_LAMBDA_EXECUTION.into()));
    match role {
        Value::String(s) if s.starts_with("arn:") => Value::String(s),
        Value::String(s) => json!({"Fn::GetAtt": [s, "Arn"]}),
        other => other,
    }
}

/// Lets `IamRoleLambdaExecution` trust the Scheduler and invoke the scheduled functions.
fn grant_scheduler(t: &mut Template, resources: Vec<Value>, first: Span, diags: &mut Diags) {
    let Some(role) = t
        .resources_mut()
        .get_mut(naming::ROLE_LAMBDA_EXECUTION)
        .and_then(|r| r.get_mut("Properties"))
    else {
        diags.push(
            Diag::warning(
                &NO_EXECUTION_ROLE,
                "no `IamRoleLambdaExecution` to give EventBridge Scheduler its permissions",
            )
            .label(
                first,
                "a Scheduler schedule: it assumes the function's role to invoke it",
            )
            .help(
                "the framework only adds the Scheduler to the role it generates; this service \
                 uses its own role(s), so let them trust `scheduler.amazonaws.com` and allow \
                 `lambda:InvokeFunction` on the scheduled functions",
            ),
        );
        return;
    };
    if let Some(stmts) = role
        .pointer_mut("/AssumeRolePolicyDocument/Statement")
        .and_then(Value::as_array_mut)
        && let Some(services) = stmts.iter_mut().find_map(|s| {
            s.pointer_mut("/Principal/Service")
                .and_then(Value::as_array_mut)
                .filter(|a| a.iter().any(|x| x.as_str() == Some("lambda.amazonaws.com")))
        })
    {
        services.push(Value::String("scheduler.amazonaws.com".into()));
    }
    if let Some(stmts) = role
        .pointer_mut("/Policies/0/PolicyDocument/Statement")
        .and_then(Value::as_array_mut)
    {
        stmts.push(json!({
            "Effect": "Allow",
            "Action": ["lambda:InvokeFunction"],
            "Resource": resources,
        }));
    }
}
