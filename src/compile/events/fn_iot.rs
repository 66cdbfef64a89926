//! Function `iot` and `iotFleetProvisioning` events, as the framework's `AwsCompileIoTEvents`
//! and `AwsCompileIotFleetProvisioningEvents` write them.
//!
//! - `iot`: per event (n counts the function's iot events) the topic rule `<NF>IotTopicRule<n>`
//!   (`sql`, `sqlVersion`, `description`, `name` with their line breaks removed; `enabled:
//!   false` disables it) and the permission `<NF>LambdaPermissionIotTopicRule<n>`, whose source
//!   ARN names the rule through `Ref`.
//! - `iotFleetProvisioning`: at most one per function (`MULTIPLE_IOT_PROVISIONING_TEMPLATE_HOOK`):
//!   the provisioning template `<NF>IotProvisioningTemplate` with the function as its
//!   pre-provisioning hook (`templateBody` as JSON text) and the permission
//!   `<NF>LambdaPermissionIotProvisioningTemplate`; both replace resources of those IDs.

use serde_json::{Map, Value, json};

use super::fn_common;
use crate::compile::{Ctx, Template, naming};
use crate::declare_codes;
use crate::diagnostics::{Diag, Diags};
use crate::source::Span;
use crate::yaml::{Node, js_to_string};

declare_codes! { CODES;
    INVALID = "slsx::fn-iot::invalid", "A function `iot` / `iotFleetProvisioning` event without the settings the framework needs (it crashes, or writes an unusable resource).";
    MULTIPLE_TEMPLATES = "slsx::fn-iot::multiple-templates", "More than one `iotFleetProvisioning` event on a function (MULTIPLE_IOT_PROVISIONING_TEMPLATE_HOOK).";
}

/// Compiles the `iot` events.
pub fn compile(ctx: &Ctx, t: &mut Template, diags: &mut Diags) {
    for (fkey, f) in ctx.functions() {
        for event in super::events_of(f, "iot") {
            let iot = event.value;
            let Some(payload) = topic_rule_payload(ctx, fkey, iot, event.key, diags) else {
                continue;
            };
            let rule_id = naming::iot_logical_id(fkey, event.n);
            let mut props = Map::new();
            props.insert("TopicRulePayload".into(), payload);
            if let Some(name) = super::truthy(iot, "name") {
                props.insert("RuleName".into(), Value::String(without_line_breaks(name)));
            }
            let mut rule = json!({"Type": "AWS::IoT::TopicRule", "Properties": props});
            crate::compile::aliases::depend_on_alias(ctx, fkey, &mut rule);
            t.merge_resource(&rule_id, rule);
            t.merge_resource(
                &naming::lambda_iot_permission_logical_id(fkey, event.n),
                fn_common::invoke_permission(
                    ctx,
                    fkey,
                    "iot.amazonaws.com",
                    Some(json!({"Fn::Join": ["", [
                        "arn:",
                        {"Ref": "AWS::Partition"},
                        ":iot:",
                        {"Ref": "AWS::Region"},
                        ":",
                        {"Ref": "AWS::AccountId"},
                        ":rule/",
                        {"Ref": rule_id},
                    ]]})),
                ),
            );
        }
    }
}

/// `s.replace(/\r?\n/g, '')`.
fn without_line_breaks(n: &Node) -> String {
    js_to_string(n).replace("\r\n", "").replace('\n', "")
}

/// The rule's `TopicRulePayload` (`None` after an error).
fn topic_rule_payload(
    ctx: &Ctx,
    fkey: &str,
    iot: &Node,
    event_key: Span,
    diags: &mut Diags,
) -> Option<Value> {
    if iot.as_map().is_none() {
        diags.push(
            Diag::error(
                &INVALID,
                format!("iot event of function `{fkey}` is not a mapping"),
            )
            .label(iot.span, super::a_kind(iot))
            .help("write `iot: {sql: \"SELECT * FROM 'some/topic'\"}`"),
        );
        return None;
    }
    super::check_keys(
        diags,
        iot,
        &["sql", "sqlVersion", "name", "enabled", "description"],
        "a function `iot` event",
        "the framework ignores it",
    );
    fn_common::check_enum(
        diags,
        iot,
        "sqlVersion",
        &["2015-10-08", "2016-03-23", "beta"],
    );
    let Some(sql) = iot.get("sql").filter(|s| s.as_str().is_some()) else {
        diags.push(
            Diag::error(&INVALID, format!("iot event of function `{fkey}` has no `sql` statement"))
                .label(iot.get("sql").map(|s| s.span).unwrap_or(event_key), "needs `sql: SELECT …`")
                .help("give the rule's query, e.g. `sql: \"SELECT * FROM 'sensors/#'\"` (the framework crashes without a string `sql`)"),
        );
        return None;
    };
    let mut payload = Map::new();
    payload.insert(
        "RuleDisabled".into(),
        Value::Bool(iot.get("enabled").and_then(Node::as_bool) == Some(false)),
    );
    payload.insert("Sql".into(), Value::String(without_line_breaks(sql)));
    payload.insert(
        "Actions".into(),
        json!([{"Lambda": {"FunctionArn": fn_common::lambda_arn(ctx, fkey)}}]),
    );
    if let Some(d) = super::truthy(iot, "description") {
        payload.insert("Description".into(), Value::String(without_line_breaks(d)));
    }
    if let Some(v) = super::truthy(iot, "sqlVersion") {
        payload.insert(
            "AwsIotSqlVersion".into(),
            Value::String(without_line_breaks(v)),
        );
    }
    Some(Value::Object(payload))
}

/// Compiles the `iotFleetProvisioning` events.
pub fn compile_fleet_provisioning(ctx: &Ctx, t: &mut Template, diags: &mut Diags) {
    for (fkey, f) in ctx.functions() {
        let events: Vec<_> = super::events_of(f, "iotFleetProvisioning").collect();
        if events.len() > 1 {
            let mut d = Diag::error(
                &MULTIPLE_TEMPLATES,
                format!("function `{fkey}` has more than one iotFleetProvisioning event"),
            );
            for (i, event) in events.iter().enumerate() {
                let span = event.key;
                d = if i == 1 {
                    d.label(span, "a second provisioning hook")
                } else {
                    d.secondary(span, "an iotFleetProvisioning event of this function")
                };
            }
            diags.push(d.help("a function is the pre-provisioning hook of one provisioning template; use one event per function (the framework refuses this too: MULTIPLE_IOT_PROVISIONING_TEMPLATE_HOOK)"));
            continue;
        }
        let Some(event) = events.first() else {
            continue;
        };
        let (e, event_key) = (event.value, event.key);
        if e.as_map().is_none() {
            diags.push(
                Diag::error(&INVALID, format!("iotFleetProvisioning event of function `{fkey}` is not a mapping"))
                    .label(e.span, super::a_kind(e))
                    .help("write `iotFleetProvisioning: {templateBody: {…}, provisioningRoleArn: arn:aws:iam::…}`"),
            );
            continue;
        }
        super::check_keys(
            diags,
            e,
            &[
                "enabled",
                "provisioningRoleArn",
                "templateBody",
                "templateName",
            ],
            "a function `iotFleetProvisioning` event",
            "the framework ignores it",
        );
        let missing: Vec<&str> = ["templateBody", "provisioningRoleArn"]
            .into_iter()
            .filter(|k| e.get(k).is_none_or(Node::is_null))
            .collect();
        if !missing.is_empty() {
            diags.push(
                Diag::error(
                    &INVALID,
                    format!(
                        "iotFleetProvisioning event of function `{fkey}` has no {}",
                        missing.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(" and ")
                    ),
                )
                .label(event_key, "needs `templateBody` and `provisioningRoleArn`")
                .help("the framework writes a provisioning template without them, which CloudFormation rejects; add the template's body (a mapping) and the ARN of the role IoT provisions with"),
            );
            continue;
        }
        let permission_id = naming::lambda_iot_fleet_provisioning_permission_logical_id(fkey);
        let mut depends = vec![json!(permission_id)];
        depends.extend(crate::compile::aliases::alias_logical_id(ctx, fkey).map(Value::String));
        let mut props = Map::new();
        props.insert(
            "Enabled".into(),
            e.get("enabled")
                .map(Node::to_json)
                .unwrap_or(Value::Bool(true)),
        );
        props.insert(
            "PreProvisioningHook".into(),
            json!({"TargetArn": fn_common::lambda_arn(ctx, fkey)}),
        );
        for (key, prop) in [
            ("provisioningRoleArn", "ProvisioningRoleArn"),
            ("templateBody", "TemplateBody"),
        ] {
            if let Some(v) = e.get(key) {
                let v = match key {
                    "templateBody" => Value::String(crate::emit::json::to_compact(&v.to_json())),
                    _ => v.to_json(),
                };
                props.insert(prop.into(), v);
            }
        }
        if let Some(n) = super::truthy(e, "templateName") {
            props.insert("TemplateName".into(), n.to_json());
        }
        let res = t.resources_mut();
        res.insert(
            naming::iot_fleet_provisioning_logical_id(fkey),
            json!({
                "Type": "AWS::IoT::ProvisioningTemplate",
                "Properties": props,
                "DependsOn": depends,
            }),
        );
        res.insert(
            permission_id,
            fn_common::invoke_permission(ctx, fkey, "iot.amazonaws.com", None),
        );
    }
}
