//! Function `cloudwatchEvent` events, as the framework's `AwsCompileCloudWatchEventEvents`
//! writes them.
//!
//! Per function, every truthy `cloudwatchEvent` event counts (1, 2, …) and becomes the rule
//! `<NF>EventsRuleCloudWatchEvent<n>` (target Id `<functionKey>CloudWatchEvent`) and the
//! permission `<NF>LambdaPermissionEventsRuleCloudWatchEvent<n>`. The framework assembles the
//! rule as JSON text, as the plugin does its state-machine rules (see
//! [`super::jsontext::rule_head`]), except that its `inputTransformer` is `JSON.stringify`-ed
//! whole (so it always survives).

use serde_json::{Map, Value, json};

use super::fn_common;
use super::jsontext::{self, Text};
use crate::compile::{Ctx, Template, naming};
use crate::declare_codes;
use crate::diagnostics::{Diag, Diags};
use crate::source::Span;
use crate::yaml::{Node, js_to_string};

declare_codes! { CODES;
    INVALID = "slsx::fn-cloudwatch-event::invalid", "A function `cloudwatchEvent` event that is not a mapping, or has no `event` pattern (the framework crashes on it).";
}

const TOOL: &str = "the framework";

/// The options the framework's schema knows.
const KEYS: [&str; 7] = [
    "event",
    "input",
    "inputPath",
    "inputTransformer",
    "description",
    "name",
    "enabled",
];

/// Compiles these events into the template.
pub fn compile(ctx: &Ctx, t: &mut Template, diags: &mut Diags) {
    for (fkey, f) in ctx.functions() {
        for event in super::events_of(f, "cloudwatchEvent") {
            let rule = event.value;
            let event_span = event.key;
            let Some(mut value) = compile_rule(ctx, fkey, rule, event_span, diags) else {
                continue;
            };
            crate::compile::aliases::depend_on_alias(ctx, fkey, &mut value);
            let rule_id = naming::cloud_watch_event_logical_id(fkey, event.n);
            t.merge_resource(&rule_id, value);
            t.merge_resource(
                &naming::lambda_cloud_watch_event_permission_logical_id(fkey, event.n),
                fn_common::invoke_permission(
                    ctx,
                    fkey,
                    "events.amazonaws.com",
                    Some(json!({"Fn::GetAtt": [rule_id, "Arn"]})),
                ),
            );
        }
    }
}

/// The rule of one event (`None` after an error).
fn compile_rule(
    ctx: &Ctx,
    fkey: &str,
    rule: &Node,
    event_key: Span,
    diags: &mut Diags,
) -> Option<Value> {
    if rule.as_map().is_none() {
        diags.push(
            Diag::error(
                &INVALID,
                format!("cloudwatchEvent event of function `{fkey}` is not a mapping"),
            )
            .label(rule.span, super::a_kind(rule))
            .help("write `cloudwatchEvent: {event: {source: [aws.ec2]}}`: a mapping with the `event` pattern and options"),
        );
        return None;
    }
    super::check_keys(
        diags,
        rule,
        &KEYS,
        "a function `cloudwatchEvent` event",
        &format!("{TOOL} ignores it"),
    );
    let ok = super::schedule::check_inputs(diags, rule, TOOL);
    let Some(pattern) = rule.get("event").filter(|p| !p.is_null()) else {
        let mut d = Diag::error(
            &INVALID,
            format!("cloudwatchEvent event of function `{fkey}` has no `event` pattern"),
        )
        .label(event_key, "needs `event`");
        if rule.get("pattern").is_some() {
            d = d.secondary(
                super::key_span(rule, "pattern"),
                "`pattern` is the `eventBridge` spelling; `cloudwatchEvent` reads `event`",
            );
        }
        diags.push(d.help(
            "add the event pattern under `event:`, e.g. `event: {source: [aws.ec2]}` (the framework crashes without it)",
        ));
        return None;
    };
    if pattern.as_map().is_none() {
        diags.push(
            Diag::warning(&fn_common::SCHEMA, "the `event` pattern should be a mapping")
                .label(pattern.span, super::a_kind(pattern))
                .help("EventBridge reads an event pattern object, e.g. `{source: [aws.ec2]}`; the framework writes this value and the deploy fails"),
        );
    }
    if let Some(name) = super::truthy(rule, "name") {
        let s = js_to_string(name);
        let len = naming::js_length(&s);
        if len > 64 {
            diags.push(
                Diag::warning(
                    &fn_common::SCHEMA,
                    format!("rule name is {len} characters long; EventBridge allows 64"),
                )
                .label(name.span, "longer than 64 characters")
                .help("the framework's schema only warns about this; shorten the name, or remove it to let CloudFormation generate one"),
            );
        }
    }
    if !ok {
        return None;
    }

    let mut text = Text::new();
    let mut props = Map::new();
    text.lit("{\"Type\": \"AWS::Events::Rule\", \"Properties\": {");
    let mut target = jsontext::rule_head(&mut text, &mut props, rule, pattern);
    if let Some(it) = super::truthy(rule, "inputTransformer") {
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
    let arn = fn_common::lambda_arn(ctx, fkey);
    text.lit("\"Arn\": ").json(&arn).lit(", \"Id\": ");
    target.insert("Arn".into(), arn);
    let id = naming::cloud_watch_event_id(fkey);
    text.quoted("function key", &id, &id, Span::NONE)
        .lit("}]}}");
    target.insert("Id".into(), Value::String(id));
    Some(jsontext::finish_rule(
        &text, props, target, TOOL, rule.span, diags,
    ))
}

#[cfg(test)]
mod tests {
    use super::fn_common::expand_text;
    use serde_json::json;

    const FN: &str =
        "service: s\nprovider:\n  name: aws\nfunctions:\n  f:\n    handler: h.h\n    events:\n";

    #[test]
    fn framework_crashes_become_the_intended_values() {
        // a quote in `name`, a multi-line block `input` (the framework: "Expected ',' or '}'",
        // "Bad control character in string literal")
        let (t, codes) = expand_text(
            &format!(
                "{FN}      - cloudwatchEvent:\n          event: {{source: [x]}}\n          name: 'say \"hi\"'\n          input: |\n            {{\"a\": 1,\n             \"b\": \"x\"}}\n"
            ),
            None,
        );
        let rule = &t["Resources"]["FEventsRuleCloudWatchEvent1"]["Properties"];
        assert_eq!(rule["Name"], json!("say \"hi\""));
        assert_eq!(
            rule["Targets"][0]["Input"],
            json!("{\"a\": 1, \"b\": \"x\"}")
        );
        assert_eq!(codes, ["slsx::events::json-text"]);

        // a quote in a log group name: the subscription filter and the permission
        let (t, codes) = expand_text(&format!("{FN}      - cloudwatchLog: 'a\"b'\n"), None);
        assert_eq!(
            t["Resources"]["FLogsSubscriptionFilterCloudWatchLog1"]["Properties"]["LogGroupName"],
            json!("a\"b")
        );
        assert_eq!(
            t["Resources"]["FLambdaPermissionLogsSubscriptionFilterCloudWatchLog"]["Properties"]["SourceArn"]
                ["Fn::Join"][1][7],
            json!("a\"b")
        );
        assert_eq!(
            codes,
            [
                "slsx::fn-cloudwatch-log::log-group-name",
                "slsx::events::json-text",
                "slsx::events::json-text"
            ]
        );
    }
}
