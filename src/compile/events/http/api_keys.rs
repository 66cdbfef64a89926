//! `provider.apiGateway.apiKeys` / `usagePlan` (or their legacy `provider.*` spellings): one
//! `ApiGatewayApiKey<n>` per key, the `ApiGatewayUsagePlan`, and `ApiGatewayUsagePlanKey<n>`.

use serde_json::{Map, Value};

use super::util::{obj, reference};
use super::{Api, codes};
use crate::compile::{Template, naming};
use crate::diagnostics::{Diag, Diags};
use crate::source::Span;
use crate::yaml::{Kind, Node};

fn s(v: &str) -> Value {
    Value::String(v.to_string())
}

/// `apiGateway.apiKeys || provider.apiKeys` (when truthy).
fn api_keys<'a>(api: &Api<'a>) -> Option<&'a Node> {
    api.api_gateway(&["apiKeys"])
        .filter(|n| n.is_truthy())
        .or_else(|| api.ctx.provider_at(&["apiKeys"]).filter(|n| n.is_truthy()))
}

/// `apiGateway.usagePlan || provider.usagePlan`.
fn usage_plan<'a>(api: &Api<'a>) -> Option<&'a Node> {
    api.api_gateway(&["usagePlan"])
        .filter(|n| n.is_truthy())
        .or_else(|| api.ctx.provider_at(&["usagePlan"]))
}

/// The properties of an API key object in the framework's schema.
const KEY_PROPERTIES: [&str; 5] = ["name", "value", "description", "customerId", "enabled"];

/// An API key object (one with any of [`KEY_PROPERTIES`]) that the framework's schema does not
/// accept as one: an unknown property, or a value that cannot become a string (a boolean for
/// `enabled`). AJV then tries the schema's next branch (a usage-plan group of lists) and
/// coerces every scalar property into a one-item list on the way, so the key is written with
/// `Name: ["…"]`, which CloudFormation rejects. Returns the first offending node.
fn invalid_key_object(m: &crate::yaml::Mapping) -> Option<(&str, &Node)> {
    if !KEY_PROPERTIES.iter().any(|k| m.contains_key(k)) {
        return None;
    }
    let scalar = |n: &Node| {
        matches!(
            n.kind,
            Kind::String(_) | Kind::Number(_) | Kind::Bool(_) | Kind::Null
        )
    };
    m.iter().find_map(|(k, e)| {
        let v = &e.value;
        let one = match &v.kind {
            Kind::Seq(items) if items.len() == 1 => &items[0],
            _ => v,
        };
        let ok = match k.as_str() {
            "enabled" => match &one.kind {
                Kind::Bool(_) | Kind::Null => true,
                Kind::String(s) => s == "true" || s == "false",
                Kind::Number(x) => *x == 0.0 || *x == 1.0,
                _ => false,
            },
            k if KEY_PROPERTIES.contains(&k) => scalar(one),
            _ => false,
        };
        (!ok).then_some((k.as_str(), v))
    })
}

/// The located error for an [`invalid_key_object`], if `m` is one.
pub(crate) fn check_key_object(m: &crate::yaml::Mapping) -> Option<Diag> {
    let (key, node) = invalid_key_object(m)?;
    let (what, span) = if KEY_PROPERTIES.contains(&key) {
        (
            format!("`{key}` is {}", super::util::a_type(node)),
            node.span,
        )
    } else {
        (
            format!("`{key}` is not a property of an API key"),
            m.key_span(key).unwrap_or(node.span),
        )
    };
    Some(
        Diag::error(
            &codes::API_KEYS,
            format!("this API key is not one the framework's schema accepts: {what}"),
        )
        .label(span, "here")
        .help("the framework's validation then turns the key's `name` into a list (`Name: [\"…\"]`), which CloudFormation rejects; give `name`, `value`, `description` and `customerId` as strings (a `${…}` variable resolves to one) and `enabled` as a boolean"),
    )
}

pub fn check(api: &Api, diags: &mut Diags) {
    let keys = api_keys(api);
    let plan = usage_plan(api).filter(|n| n.is_truthy());
    if api.rest_api_logical_id.is_none()
        && let Some(n) = keys.or(plan)
    {
        diags.push(
            Diag::error(
                &codes::API_KEYS_WITH_REST_API_ID,
                "serverless-step-functions cannot attach API keys or a usage plan to an API given by `restApiId`",
            )
            .label(n.span, "keys / usage plan for the shared API")
            .secondary(
                api.api_gateway(&["restApiId"]).map(|r| r.span).unwrap_or(n.span),
                "the API is not created here",
            )
            .help("the plugin would write `RestApiId: {}` (it refers to the REST API it did not create); define the keys and usage plan in the stack that owns the API"),
        );
    }
    if let Some(m) = plan.and_then(Node::as_map) {
        for (k, _) in m.iter().filter(|(k, _)| *k != "quota" && *k != "throttle") {
            diags.push(
                Diag::warning(
                    &codes::IGNORED_SETTING,
                    format!("`usagePlan.{k}` is ignored: serverless-step-functions reads only `quota` and `throttle`"),
                )
                .label(m.key_span(k).unwrap_or(Span::NONE), "ignored")
                .help("named usage plans (the framework's `usagePlan: [{<name>: {...}}]`) are not supported by the plugin; give one plan's `quota` / `throttle` directly"),
            );
        }
    }
    if let Some(p) = plan
        && p.as_seq().is_some()
    {
        diags.push(
            Diag::warning(
                &codes::IGNORED_SETTING,
                "a list of usage plans is not supported by serverless-step-functions: one plan without quota or throttle is created",
            )
            .label(p.span, "the plans' settings are ignored")
            .help("give one plan as a map (`usagePlan: {quota: ..., throttle: ...}`)"),
        );
    }
    let Some(keys) = keys else { return };
    // the framework's function http pass reports the same shape errors
    let reported = crate::compile::events::fn_http::has_events(api.ctx)
        && api.api_gateway(&["apiKeys"]).is_some_and(Node::is_truthy);
    let Some(items) = keys.as_seq() else {
        if reported {
            return;
        }
        diags.push(
            Diag::error(&codes::API_KEYS, "apiKeys property must be an array")
                .label(keys.span, super::util::a_type(keys))
                .help("list the keys: `apiKeys: [my-key, {name: other, value: <20+ chars>}]`"),
        );
        return;
    };
    for item in items {
        match &item.kind {
            Kind::String(_) => {}
            Kind::Map(m) if m.contains_key("name") => {
                if !reported && let Some(d) = check_key_object(m) {
                    diags.push(d);
                }
            }
            Kind::Map(_) | Kind::Seq(_) => diags.push(
                Diag::warning(
                    &codes::IGNORED_SETTING,
                    "this API key has no `name`: serverless-step-functions creates it unnamed",
                )
                .label(item.span, "no `name`")
                .help("give `{name: ..., value: ...}`; grouping keys by usage plan is not supported by the plugin"),
            ),
            _ if reported => {}
            _ => diags.push(
                Diag::error(&codes::API_KEYS, "API Keys must be strings or objects")
                    .label(item.span, super::util::a_type(item))
                    .help("write the key's name, or `{name: ..., value: ...}`"),
            ),
        }
    }
}

pub fn compile(api: &Api, t: &mut Template) {
    let rest_api = reference(api.rest_api_logical_id.unwrap_or_default());
    let stage = &api.ctx.stage;
    let keys: &[Node] = api_keys(api).and_then(Node::as_seq).unwrap_or(&[]);
    for (i, key) in keys.iter().enumerate() {
        let mut props = Map::new();
        props.insert("Enabled".into(), Value::Bool(true));
        let (name, value) = match &key.kind {
            Kind::Map(m) => (m.get("name"), m.get("value")),
            Kind::String(_) => (Some(key), None),
            _ => (None, None),
        };
        if let Some(n) = name {
            props.insert("Name".into(), n.to_json());
        }
        props.insert(
            "StageKeys".into(),
            Value::Array(vec![obj([
                ("RestApiId", rest_api.clone()),
                ("StageName", s(stage)),
            ])]),
        );
        if let Some(v) = value {
            props.insert("Value".into(), v.to_json());
        }
        t.merge_resource(
            &naming::api_key_logical_id(i + 1),
            obj([
                ("Type", s("AWS::ApiGateway::ApiKey")),
                ("Properties", Value::Object(props)),
                ("DependsOn", s(&api.deployment_id)),
            ]),
        );
    }

    let plan = usage_plan(api);
    if plan.is_some_and(Node::is_truthy) || api_keys(api).is_some() {
        let service = &api.ctx.service;
        let mut props = Map::new();
        props.insert(
            "ApiStages".into(),
            Value::Array(vec![obj([
                ("ApiId", rest_api.clone()),
                ("Stage", s(stage)),
            ])]),
        );
        props.insert(
            "Description".into(),
            s(&format!("Usage plan for {service} {stage} stage")),
        );
        props.insert("UsagePlanName".into(), s(&format!("{service}-{stage}")));
        let plan_map = plan.and_then(Node::as_map);
        if let Some(q) = plan_map
            .and_then(|m| m.get("quota"))
            .filter(|q| !q.is_null())
        {
            props.insert(
                "Quota".into(),
                defined(&[
                    ("Limit", q.get("limit")),
                    ("Offset", q.get("offset")),
                    ("Period", q.get("period")),
                ]),
            );
        }
        if let Some(th) = plan_map
            .and_then(|m| m.get("throttle"))
            .filter(|q| !q.is_null())
        {
            props.insert(
                "Throttle".into(),
                defined(&[
                    ("BurstLimit", th.get("burstLimit")),
                    ("RateLimit", th.get("rateLimit")),
                ]),
            );
        }
        t.merge_resource(
            naming::USAGE_PLAN,
            obj([
                ("Type", s("AWS::ApiGateway::UsagePlan")),
                ("DependsOn", s(&api.deployment_id)),
                ("Properties", Value::Object(props)),
            ]),
        );
    }

    for i in 0..keys.len() {
        t.merge_resource(
            &naming::usage_plan_key_logical_id(i + 1),
            obj([
                ("Type", s("AWS::ApiGateway::UsagePlanKey")),
                (
                    "Properties",
                    obj([
                        ("KeyId", reference(&naming::api_key_logical_id(i + 1))),
                        ("KeyType", s("API_KEY")),
                        ("UsagePlanId", reference(naming::USAGE_PLAN)),
                    ]),
                ),
            ]),
        );
    }
}

/// `_.merge({A: a}, {B: b}, …)`: the keys whose value is defined.
pub(crate) fn defined(pairs: &[(&str, Option<&Node>)]) -> Value {
    let mut m = Map::new();
    for (k, v) in pairs {
        if let Some(v) = v {
            m.insert(k.to_string(), v.to_json());
        }
    }
    Value::Object(m)
}
