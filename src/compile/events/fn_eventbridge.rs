//! Function `eventBridge` events (CloudFormation and custom-resource modes), as the framework's
//! `AwsCompileEventBridgeEvents` writes them (`serverless-core.md` §5.2).
//!
//! Mode: with no (or a falsy) `provider.eventBridge`, native CloudFormation; otherwise
//! `provider.eventBridge.useCloudFormation` decides — so `provider.eventBridge: {}` selects the
//! legacy custom-resource mode (a framework quirk, reproduced).
//!
//! Events are numbered by their position among *all* events of the function (`idx`, 1-based).
//! - CloudFormation mode, per event: the `AWS::Events::EventBus` `<Norm(bus)>EventBridgeEventBus`
//!   when `eventBus` is a plain name other than `default`; the rule
//!   `alnum("<deployedName>-rule-<idx>")EventBridgeRule`; the permission
//!   `<NF>EventBridgeLambdaPermission<idx>`.
//! - Custom-resource mode: `<NF>CustomEventBridge<idx>` (`Custom::EventBridge`) per event, then
//!   once the role `IamRoleCustomResourcesLambdaExecution` and the handler function
//!   `CustomDashresourceDasheventDashbridgeLambdaFunction`, whose code is the framework's
//!   `custom-resources.zip`. slsx writes that template exactly but cannot build the zip: a
//!   warning says so.

use serde_json::{Map, Value, json};

use super::custom_resources::{self, Handler, arn_join};
use super::schedule::{check_inputs, retry_policy};
use crate::compile::{Ctx, Template, js, naming};
use crate::declare_codes;
use crate::diagnostics::{Diag, Diags};
use crate::source::Span;
use crate::yaml::{Kind, Node, js_to_string};

declare_codes! { CODES;
    INVALID = "slsx::eventbridge::invalid", "A function `eventBridge` event that is not a mapping.";
    NO_TRIGGER = "slsx::eventbridge::no-trigger", "A function `eventBridge` event with neither `pattern` nor `schedule`.";
    NAME_TOO_LONG = "slsx::eventbridge::name-too-long", "A function `eventBridge` rule `name` longer than EventBridge's 64 characters.";
    CUSTOM_RESOURCE_OPTION = "slsx::eventbridge::custom-resource-option", "`retryPolicy`, `deadLetterQueueArn` or an intrinsic `eventBus` in the custom-resource mode, which cannot express them.";
    CUSTOM_RESOURCE = "slsx::eventbridge::custom-resource", "Function `eventBridge` events in the framework's custom-resource mode: the template needs `custom-resources.zip`, which only `sls package` builds.";
}

const TOOL: &str = "the framework";

/// The options the framework's schema knows.
const KEYS: [&str; 11] = [
    "eventBus",
    "schedule",
    "name",
    "description",
    "enabled",
    "pattern",
    "input",
    "inputPath",
    "inputTransformer",
    "retryPolicy",
    "deadLetterQueueArn",
];

/// Compiles these events into the template.
pub fn compile(ctx: &Ctx, t: &mut Template, diags: &mut Diags) {
    let options = ctx.provider_at(&["eventBridge"]).filter(|o| o.is_truthy());
    let use_cfn = match options {
        Some(o) => o.get("useCloudFormation").is_some_and(Node::is_truthy),
        None => true,
    };
    let mut cr = CustomResource {
        statements: Vec::new(),
        has_bus_statement: false,
        first_event: None,
    };
    for (fkey, f) in ctx.functions() {
        let deployed = ctx.function_name(fkey);
        for (i, ev) in super::event_list(f).iter().enumerate() {
            let Some(eb) = ev.get("eventBridge").filter(|e| e.is_truthy()) else {
                continue;
            };
            let idx = i + 1;
            let event_span = ev
                .as_map()
                .and_then(|m| m.key_span("eventBridge"))
                .unwrap_or(eb.span);
            cr.first_event.get_or_insert(event_span);
            let Some(e) = read(fkey, &deployed, idx, eb, event_span, use_cfn, diags) else {
                continue;
            };
            if use_cfn {
                compile_cloudformation(ctx, t, fkey, &deployed, idx, &e);
            } else {
                compile_custom_resource(t, fkey, &deployed, idx, &e, &mut cr);
            }
        }
    }
    if !use_cfn && let Some(first) = cr.first_event {
        let mut statements = cr.statements;
        statements.push(json!({
            "Effect": "Allow",
            "Resource": arn_join("events", &["rule/*"]),
            "Action": ["events:PutRule", "events:RemoveTargets", "events:PutTargets", "events:DeleteRule"],
        }));
        statements.push(custom_resources::lambda_permission_statement());
        custom_resources::add(ctx, t, Handler::EventBridge, statements);
        let mut d = Diag::warning(
            &CUSTOM_RESOURCE,
            "these eventBridge events use the framework's custom resource, whose code slsx cannot build",
        )
        .label(first, "compiled as `Custom::EventBridge`");
        let provider_key = ctx
            .provider()
            .and_then(|p| p.as_map())
            .and_then(|m| m.key_span("eventBridge"));
        match options.and_then(|o| o.get("useCloudFormation")) {
            Some(u) => {
                d = d.secondary(u.span, "not `true`: custom-resource mode");
            }
            None => {
                if let Some(s) = provider_key {
                    d = d.secondary(
                        s,
                        "set without `useCloudFormation: true`: custom-resource mode",
                    );
                }
            }
        }
        diags.push(d.help(format!(
            "{}; or set `provider.eventBridge.useCloudFormation: true` for native CloudFormation \
             resources that need no extra code",
            custom_resources::zip_help(Handler::EventBridge)
        )));
    }
}

/// One event's settings, as the framework reads them.
struct Event<'a> {
    node: &'a Node,
    rule_name: Value,
    state: &'static str,
    input_transformer: Option<Value>,
    retry_policy: Option<Value>,
    dead_letter: Option<Value>,
}

impl Event<'_> {
    /// The raw value of an option (`null` included, missing → `None`).
    fn raw(&self, k: &str) -> Option<Value> {
        self.node.get(k).map(Node::to_json)
    }

    fn truthy(&self, k: &str) -> Option<&Node> {
        super::truthy(self.node, k)
    }
}

fn read<'a>(
    fkey: &str,
    deployed: &str,
    idx: usize,
    eb: &'a Node,
    event_key: Span,
    use_cfn: bool,
    diags: &mut Diags,
) -> Option<Event<'a>> {
    if eb.as_map().is_none() {
        diags.push(
            Diag::error(
                &INVALID,
                format!("eventBridge event of function `{fkey}` is not a mapping"),
            )
            .label(eb.span, super::a_kind(eb))
            .help("write `eventBridge: {pattern: {source: [my.app]}}` (or `schedule: rate(…)` instead of `pattern`)"),
        );
        return None;
    }
    super::check_keys(
        diags,
        eb,
        &KEYS,
        "a function `eventBridge` event",
        &format!("{TOOL} ignores it"),
    );
    let mut ok = check_inputs(diags, eb, TOOL);
    if eb.get("pattern").is_none() && eb.get("schedule").is_none() {
        diags.push(
            Diag::error(
                &NO_TRIGGER,
                format!("eventBridge event of function `{fkey}` has neither `pattern` nor `schedule`"),
            )
            .label(event_key, "the rule would never run")
            .help("add `pattern: {source: [...]}` to match events, or `schedule: rate(…)` to run on a schedule (EventBridge refuses a rule with neither)"),
        );
        ok = false;
    }
    let rule_name = match super::truthy(eb, "name") {
        Some(n) => {
            let s = js_to_string(n);
            if naming::js_length(&s) > 64 {
                diags.push(
                    Diag::error(
                        &NAME_TOO_LONG,
                        format!("rule name is {} characters long; EventBridge allows 64", naming::js_length(&s)),
                    )
                    .label(n.span, "longer than 64 characters")
                    .help("shorten the name, or remove it: the framework then generates one that fits"),
                );
                ok = false;
            }
            n.to_json()
        }
        None => Value::String(naming::event_bridge_rule_name(deployed, idx)),
    };
    let retry = super::truthy(eb, "retryPolicy");
    let dlq = super::truthy(eb, "deadLetterQueueArn");
    if let Some(r) = retry {
        super::check_keys(
            diags,
            r,
            &["maximumEventAge", "maximumRetryAttempts"],
            "an eventBridge `retryPolicy`",
            &format!("{TOOL} ignores it"),
        );
    }
    if !use_cfn {
        for (k, what) in [
            ("retryPolicy", "RetryPolicy"),
            ("deadLetterQueueArn", "DeadLetterConfig"),
        ] {
            if super::truthy(eb, k).is_some() {
                diags.push(
                    Diag::error(
                        &CUSTOM_RESOURCE_OPTION,
                        format!("`{k}` is not supported by the custom-resource eventBridge mode"),
                    )
                    .label(super::key_span(eb, k), format!("needs a native `{what}`"))
                    .help("set `provider.eventBridge.useCloudFormation: true` to compile eventBridge events as native CloudFormation resources"),
                );
                ok = false;
            }
        }
        if let Some(b) = eb.get("eventBus")
            && matches!(b.kind, Kind::Map(_) | Kind::Seq(_))
        {
            diags.push(
                Diag::error(
                    &CUSTOM_RESOURCE_OPTION,
                    "an `eventBus` given as a CloudFormation intrinsic is not supported by the custom-resource eventBridge mode",
                )
                .label(b.span, "an intrinsic")
                .help("set `provider.eventBridge.useCloudFormation: true`, or give the bus by name or ARN"),
            );
            ok = false;
        }
    }
    if !ok {
        return None;
    }
    let input_transformer = super::truthy(eb, "inputTransformer").map(|it| {
        let mut m = Map::new();
        if let Some(map) = it.as_map() {
            for (k, e) in map.iter() {
                m.insert(naming::normalize_name(k), e.value.to_json());
            }
        }
        Value::Object(m)
    });
    Some(Event {
        node: eb,
        rule_name,
        state: if eb.get("enabled").and_then(Node::as_bool) == Some(false) {
            "DISABLED"
        } else {
            "ENABLED"
        },
        input_transformer,
        retry_policy: retry.map(|r| retry_policy(r, "maximumEventAge")),
        dead_letter: dlq.map(|d| json!({"Arn": d.to_json()})),
    })
}

/// The bus name the framework works with: an ARN's part after the first `/`, else the value.
/// Second: whether the bus already exists (an ARN or an intrinsic).
fn bus_name(e: &Event) -> (Option<Value>, bool) {
    match e.node.get("eventBus") {
        None => (None, false),
        Some(b) => match &b.kind {
            Kind::Map(_) | Kind::Seq(_) => (Some(b.to_json()), true),
            Kind::String(s) if s.starts_with("arn") => {
                let name = match s.find('/') {
                    Some(i) => &s[i + 1..],
                    None => s.as_str(),
                };
                (Some(Value::String(name.to_string())), true)
            }
            _ => (Some(b.to_json()), false),
        },
    }
}

fn is_default(v: &Value) -> bool {
    v.as_str() == Some("default")
}

fn value_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => crate::emit::json::js_number(n.as_f64().unwrap_or(0.0)),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".into(),
        _ => "[object Object]".into(),
    }
}

fn compile_cloudformation(
    ctx: &Ctx,
    t: &mut Template,
    fkey: &str,
    deployed: &str,
    idx: usize,
    e: &Event,
) {
    let (bus, exists) = bus_name(e);
    let create = match &bus {
        Some(b) => !exists && js::truthy(Some(b)) && !is_default(b),
        None => false,
    };
    let mut bus_id = None;
    if create && let Some(b) = &bus {
        let id = naming::event_bridge_event_bus_logical_id(&value_string(b));
        t.resources_mut().insert(
            id.clone(),
            json!({"Type": "AWS::Events::EventBus", "Properties": {"Name": b}}),
        );
        bus_id = Some(id);
    }

    let mut target = Map::new();
    target.insert("Arn".into(), super::fn_common::lambda_arn(ctx, fkey));
    target.insert(
        "Id".into(),
        Value::String(naming::event_bridge_target_id(&value_string(&e.rule_name))),
    );
    if let Some(r) = &e.retry_policy {
        target.insert("RetryPolicy".into(), r.clone());
    }
    if let Some(d) = &e.dead_letter {
        target.insert("DeadLetterConfig".into(), d.clone());
    }
    if let Some(i) = e.truthy("input") {
        target.insert(
            "Input".into(),
            Value::String(crate::emit::json::to_compact(&i.to_json())),
        );
    } else if let Some(p) = e.truthy("inputPath") {
        target.insert("InputPath".into(), p.to_json());
    } else if let Some(it) = &e.input_transformer {
        target.insert("InputTransformer".into(), it.clone());
    }

    let mut props = Map::new();
    let mut put = |k: &str, v: Option<Value>| {
        if let Some(v) = v {
            props.insert(k.to_string(), v);
        }
    };
    put("Description", e.raw("description"));
    put("EventBusName", bus.clone().filter(|b| !is_default(b)));
    put("EventPattern", e.raw("pattern"));
    put("Name", Some(e.rule_name.clone()));
    put("ScheduleExpression", e.raw("schedule"));
    put("State", Some(Value::String(e.state.into())));
    put("Targets", Some(Value::Array(vec![Value::Object(target)])));
    let mut rule = Map::new();
    rule.insert("Type".into(), Value::String("AWS::Events::Rule".into()));
    let alias = crate::compile::aliases::alias_logical_id(ctx, fkey);
    if let Some(id) = bus_id.as_ref().or(alias.as_ref()) {
        // the bus the rule is created on, else the function's alias
        rule.insert("DependsOn".into(), Value::String(id.clone()));
    }
    rule.insert("Properties".into(), Value::Object(props));
    t.resources_mut().insert(
        naming::event_bridge_rule_logical_id(&naming::event_bridge_rule_name_base(deployed, idx)),
        Value::Object(rule),
    );

    let mut path = vec![Value::String("rule".into())];
    if let Some(b) = bus.filter(|b| js::truthy(Some(b))) {
        path.push(b);
    }
    path.push(e.rule_name.clone());
    let mut permission = json!({
        "Type": "AWS::Lambda::Permission",
        "Properties": {
            "Action": "lambda:InvokeFunction",
            "FunctionName": super::fn_common::lambda_arn(ctx, fkey),
            "Principal": "events.amazonaws.com",
            "SourceArn": {"Fn::Join": [":", [
                "arn",
                {"Ref": "AWS::Partition"},
                "events",
                {"Ref": "AWS::Region"},
                {"Ref": "AWS::AccountId"},
                {"Fn::Join": ["/", path]},
            ]]},
        },
    });
    crate::compile::aliases::depend_on_alias(ctx, fkey, &mut permission);
    t.resources_mut().insert(
        naming::event_bridge_lambda_permission_logical_id(fkey, idx),
        permission,
    );
}

/// What the custom-resource mode collects across events.
struct CustomResource {
    statements: Vec<Value>,
    has_bus_statement: bool,
    first_event: Option<Span>,
}

fn compile_custom_resource(
    t: &mut Template,
    fkey: &str,
    deployed: &str,
    idx: usize,
    e: &Event,
    cr: &mut CustomResource,
) {
    let (bus, _) = bus_name(e);
    let handler = Handler::EventBridge.logical_id();
    let mut config = Map::new();
    config.insert("RuleName".into(), e.rule_name.clone());
    config.insert("State".into(), Value::String(e.state.into()));
    for (k, key) in [
        ("EventBus", "eventBus"),
        ("Schedule", "schedule"),
        ("Pattern", "pattern"),
        ("Input", "input"),
        ("InputPath", "inputPath"),
    ] {
        if let Some(v) = e.raw(key) {
            config.insert(k.into(), v);
        }
    }
    if let Some(it) = &e.input_transformer {
        config.insert("InputTransformer".into(), it.clone());
    } else if let Some(v) = e.raw("inputTransformer") {
        // a falsy `inputTransformer` is passed through as written
        config.insert("InputTransformer".into(), v);
    }
    t.resources_mut().insert(
        naming::custom_event_bridge_logical_id(fkey, idx),
        json!({
            "Type": "Custom::EventBridge",
            "Version": 1,
            "DependsOn": [naming::lambda_logical_id(fkey), handler],
            "Properties": {
                "ServiceToken": {"Fn::GetAtt": [handler, "Arn"]},
                "FunctionName": deployed,
                "EventBridgeConfig": config,
            },
        }),
    );
    if !cr.has_bus_statement
        && let Some(b) = bus.filter(|b| js::truthy(Some(b)))
        && !is_default(&b)
    {
        cr.statements.push(json!({
            "Effect": "Allow",
            "Resource": arn_join("events", &["event-bus/*"]),
            "Action": ["events:CreateEventBus", "events:DeleteEventBus"],
        }));
        cr.has_bus_statement = true;
    }
}
