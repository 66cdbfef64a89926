//! State-machine `eventBridge` / `cloudwatchEvent` events, as serverless-step-functions'
//! `compileCloudWatchEventEvents` writes them (`step-functions-plugin.md` §3.2).
//!
//! Both kinds are handled alike and share one counter per state machine (an event with both
//! keys uses `cloudwatchEvent` when it is truthy). Each becomes
//! `<Norm(key)>EventsRuleCloudWatchEvent<n>`, an `AWS::Events::Rule` with one target; each event
//! without `iamRole` merges the machine's `<Norm(key)>EventToStepFunctionsRole` right after its
//! rule (so the role follows the first such rule).
//!
//! The plugin assembles the rule as JSON text (see [`super::jsontext`]) and removes line
//! breaks on the way: the escaped `\n` / `\r` of the `JSON.stringify`-ed pattern and input,
//! and `\r?\n` in `inputPath` — deliberately (its tests check that a line break in a pattern
//! value disappears). slsx treats that removal as intended: a multi-line YAML block `input:`,
//! on which the plugin crashes (`Bad control character in string literal`), is written with its
//! line breaks removed too.

use serde_json::{Map, Value, json};

use super::BAD_INPUT;
use super::jsontext::{self, Text};
use crate::compile::{Ctx, Template, naming};
use crate::declare_codes;
use crate::diagnostics::{Diag, Diags};
use crate::source::Span;
use crate::yaml::{Kind, Node};

declare_codes! { CODES;
    NOT_OBJECT = "slsx::event-rule::not-object", "A state-machine `eventBridge` / `cloudwatchEvent` event that is not a mapping.";
    MISSING_EVENT = "slsx::event-rule::missing-event", "A state-machine `eventBridge` / `cloudwatchEvent` event without its `event` pattern.";
}

const TOOL: &str = "serverless-step-functions";

/// The options the plugin reads.
const KEYS: [&str; 11] = [
    "event",
    "enabled",
    "input",
    "inputPath",
    "inputTransformer",
    "description",
    "name",
    "eventBusName",
    "iamRole",
    "deadLetterConfig",
    "retryPolicy",
];

/// Compiles these events into the template.
pub fn compile(ctx: &Ctx, t: &mut Template, diags: &mut Diags) {
    let role_path = ctx
        .provider_at(&["iam", "role", "path"])
        .filter(|n| n.is_truthy())
        .map(Node::to_json);
    for (key, sm) in super::state_machines(ctx) {
        let sm_id = super::state_machine_logical_id(key, sm);
        let mut n = 0;
        for ev in super::event_list(sm) {
            let (kind, rule) = match (
                super::truthy(ev, "cloudwatchEvent"),
                super::truthy(ev, "eventBridge"),
            ) {
                (Some(r), _) => ("cloudwatchEvent", r),
                (None, Some(r)) => ("eventBridge", r),
                _ => continue,
            };
            n += 1;
            let event_key = super::key_span(ev, kind);
            let Some(rule_value) = compile_one(key, &sm_id, kind, rule, event_key, diags) else {
                continue;
            };
            t.merge_resource(&naming::sfn_cloudwatch_event_logical_id(key, n), rule_value);
            if rule.get("iamRole").is_none() {
                let mut role = super::start_execution_role(
                    "events.amazonaws.com",
                    &naming::sfn_event_policy_name(&ctx.stage, &ctx.region, &ctx.service, key),
                    &sm_id,
                );
                if let Some(p) = &role_path {
                    super::set_property(&mut role, "Path", p.clone());
                }
                t.merge_resource(&naming::sfn_event_role_logical_id(key), role);
            }
        }
    }
}

/// The rule of one event (`None` after an error).
fn compile_one(
    key: &str,
    sm_id: &str,
    kind: &str,
    rule: &Node,
    event_key: Span,
    diags: &mut Diags,
) -> Option<Value> {
    if !matches!(rule.kind, Kind::Map(_) | Kind::Seq(_)) {
        diags.push(
            Diag::error(
                &NOT_OBJECT,
                format!("`{kind}` event of state machine `{key}` is not a mapping"),
            )
            .label(rule.span, super::a_kind(rule))
            .help(format!(
                "write `{kind}: {{event: {{source: [aws.s3]}}}}`: a mapping with the `event` pattern and options"
            )),
        );
        return None;
    }
    let Some(pattern) = super::truthy(rule, "event") else {
        let mut d = Diag::error(
            &MISSING_EVENT,
            format!("`{kind}` event of state machine `{key}` has no `event` pattern"),
        )
        .label(event_key, "needs `event`");
        if rule.get("pattern").is_some() {
            d = d.secondary(
                super::key_span(rule, "pattern"),
                "`pattern` is the function-event spelling; state machines read `event`",
            );
        }
        diags
            .push(d.help("add the event pattern under `event:`, e.g. `event: {source: [aws.s3]}`"));
        return None;
    };
    super::check_keys(
        diags,
        rule,
        &KEYS,
        &format!("a state-machine `{kind}` event"),
        &format!("{TOOL} ignores it"),
    );
    let mut ok = super::schedule::check_inputs(diags, rule, TOOL);
    let input = super::truthy(rule, "input");
    if let Some(i) = input
        && !matches!(i.kind, Kind::String(_) | Kind::Map(_) | Kind::Seq(_))
    {
        diags.push(
            Diag::error(&BAD_INPUT, "`input` must be a mapping or a string")
                .label(i.span, super::a_kind(i))
                .help(format!(
                    "{TOOL} cannot use {} here (it crashes); write the input object, or its JSON text as a string",
                    super::a_kind(i)
                )),
        );
        ok = false;
    }
    let retry = super::truthy(rule, "retryPolicy");
    if let Some(r) = retry {
        super::check_keys(
            diags,
            r,
            &["maximumEventAgeInSeconds", "maximumRetryAttempts"],
            &format!("a state-machine `{kind}` event's `retryPolicy`"),
            &format!("{TOOL} ignores it"),
        );
    }
    if !ok {
        return None;
    }

    let mut text = Text::new();
    let mut props = Map::new();
    text.lit("{\"Type\": \"AWS::Events::Rule\", \"Properties\": {");
    if let Some(bus) = rule.get("eventBusName") {
        let v = bus.to_json();
        text.lit("\"EventBusName\": ").json(&v).lit(", ");
        props.insert("EventBusName".into(), v);
    }
    let mut target = jsontext::rule_head(&mut text, &mut props, rule, pattern);
    if let Some(it) = super::truthy(rule, "inputTransformer") {
        target.insert(
            "InputTransformer".into(),
            super::schedule::input_transformer(
                &mut text,
                it,
                super::key_span(rule, "inputTransformer"),
            ),
        );
        text.lit(", ");
    }
    text.lit("\"Arn\": {\"Ref\": ")
        .quoted("state machine id", sm_id, sm_id, Span::NONE)
        .lit("}, \"Id\": ");
    target.insert("Arn".into(), json!({"Ref": sm_id}));
    let target_id = naming::sfn_cloudwatch_target_id(key);
    text.quoted("state machine key", &target_id, &target_id, Span::NONE)
        .lit(", ");
    target.insert("Id".into(), Value::String(target_id));
    if let Some(dlq) = rule.get("deadLetterConfig") {
        let v = json!({"Arn": dlq.to_json()});
        text.lit("\"DeadLetterConfig\": ").json(&v).lit(", ");
        target.insert("DeadLetterConfig".into(), v);
    }
    if let Some(r) = retry {
        let rp = super::schedule::retry_policy(r, "maximumEventAgeInSeconds");
        text.lit("\"RetryPolicy\": ").json(&rp).lit(", ");
        target.insert("RetryPolicy".into(), rp);
    }
    let role_arn = match rule.get("iamRole") {
        Some(r) => r.to_json(),
        None => {
            let role_id = naming::sfn_event_role_logical_id(key);
            json!({"Fn::GetAtt": [role_id, "Arn"]})
        }
    };
    match rule.get("iamRole") {
        Some(_) => {
            text.lit("\"RoleArn\": ").json(&role_arn);
        }
        None => {
            let role_id = naming::sfn_event_role_logical_id(key);
            text.lit("\"RoleArn\": {\"Fn::GetAtt\": [")
                .quoted("state machine key", &role_id, &role_id, Span::NONE)
                .lit(", \"Arn\"]}");
        }
    }
    target.insert("RoleArn".into(), role_arn);
    text.lit("}]}}");
    Some(jsontext::finish_rule(
        &text, props, target, TOOL, rule.span, diags,
    ))
}
