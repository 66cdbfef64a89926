//! `provider.apiGateway.apiKeys` and `usagePlan` (`compileApiKeys`, `compileUsagePlan`,
//! `compileUsagePlanKeys`): the keys (`ApiGatewayApiKey<n>`, or `ApiGatewayApiKey<Plan><n>`
//! for keys grouped under a named plan), one plan (`ApiGatewayUsagePlan`) or one per named
//! plan (`ApiGatewayUsagePlan<Plan>`), and a plan key per key. Keys are numbered across the
//! list, starting again at 1 in each group (and ungrouped keys after a group go on from the
//! group's count).

use serde_json::{Map, Value, json};

use super::{Api, codes};
use crate::compile::events::a_kind;
use crate::compile::events::http::api_keys::defined;
use crate::compile::events::http::codes as http_codes;
use crate::compile::{Template, naming};
use crate::diagnostics::{Diag, Diags};
use crate::yaml::{Kind, Node};

fn api_keys<'a>(api: &Api<'a>) -> Option<&'a Node> {
    api.api_gateway(&["apiKeys"]).filter(|n| n.is_truthy())
}

fn usage_plan<'a>(api: &Api<'a>) -> Option<&'a Node> {
    api.api_gateway(&["usagePlan"]).filter(|n| n.is_truthy())
}

/// The first key of a mapping (`Object.keys(x)[0]`); a string's is `0`.
fn first_key(n: &Node) -> Option<String> {
    match &n.kind {
        Kind::Map(m) => m.keys().next().map(|k| k.to_string()),
        Kind::String(s) if !s.is_empty() => Some("0".into()),
        Kind::Seq(v) if !v.is_empty() => Some("0".into()),
        _ => None,
    }
}

/// The names of the plans (`default` for a single plan).
fn plan_names(api: &Api) -> Vec<String> {
    match usage_plan(api).map(|p| &p.kind) {
        Some(Kind::Seq(plans)) => plans.iter().filter_map(first_key).collect(),
        _ => vec!["default".into()],
    }
}

/// A key grouped under a named plan: `{<plan>: [keys]}` with `<plan>` a named plan.
fn group<'a>(api: &Api, def: &'a Node) -> Option<(String, &'a [Node])> {
    let m = def.as_map()?;
    let plans = usage_plan(api)?.as_seq()?;
    let name = m.keys().next()?;
    let named = plans
        .iter()
        .any(|p| p.as_map().is_some_and(|pm| pm.contains_key(name)));
    if !named {
        return None;
    }
    let keys = m.get(name)?.as_seq().unwrap_or(&[]);
    Some((name.to_string(), keys))
}

/// The framework's rejections, and keys it would attach to a plan that does not exist.
pub fn check(api: &Api, diags: &mut Diags) {
    let Some(keys) = api_keys(api) else { return };
    let Some(items) = keys.as_seq() else {
        diags.push(
            Diag::error(
                &http_codes::API_KEYS,
                "`provider.apiGateway.apiKeys` must be a list",
            )
            .label(keys.span, a_kind(keys))
            .help("list the keys: `apiKeys: [my-key, {name: other, value: <20+ chars>}]`"),
        );
        return;
    };
    let named_plans = usage_plan(api).is_some_and(|p| p.as_seq().is_some());
    let names = plan_names(api);
    for item in items {
        match &item.kind {
            Kind::String(_) => {}
            Kind::Map(m) => {
                if group(api, item).is_some() {
                    continue;
                }
                if let Some(d) = crate::compile::events::http::api_keys::check_key_object(m) {
                    diags.push(d);
                    continue;
                }
                let first = m.iter().next();
                // `{plan: [keys]}` naming no plan: the framework rejects it
                if let Some((k, e)) = first
                    && matches!(e.value.kind, Kind::Seq(_) | Kind::Map(_))
                {
                    diags.push(
                        Diag::error(
                            &codes::API_KEY_PLAN,
                            format!("API key group `{k}` has no usage plan defined"),
                        )
                        .label(e.key_span, "no usage plan of this name")
                        .help(format!(
                            "name one of the usage plans ({}) or define `usagePlan: [{{{k}: {{…}}}}]`",
                            names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
                        )),
                    );
                    continue;
                }
            }
            _ => {
                diags.push(
                    Diag::error(&http_codes::API_KEYS, "API keys must be strings or objects")
                        .label(item.span, a_kind(item))
                        .help("write the key's name, or `{name: ..., value: ...}`"),
                );
                continue;
            }
        }
        if named_plans {
            diags.push(
                Diag::error(
                    &codes::API_KEY_PLAN,
                    "with named usage plans every API key must be grouped under one",
                )
                .label(item.span, "not under a usage plan")
                .help(format!(
                    "the framework attaches it to `ApiGatewayUsagePlan`, which named plans do not create; write `- {}: [<this key>]`",
                    names.first().map(String::as_str).unwrap_or("<plan>")
                )),
            );
        }
    }
}

/// `createApiKeyResource`
fn api_key(api: &Api, key: &Node) -> Value {
    let obj = key.as_map();
    let field = |k: &str| obj.and_then(|m| m.get(k)).filter(|n| !n.is_null());
    let mut p = Map::new();
    p.insert(
        "Enabled".into(),
        field("enabled")
            .map(Node::to_json)
            .unwrap_or(Value::Bool(true)),
    );
    match obj {
        Some(_) => {
            if let Some(n) = field("name") {
                p.insert("Name".into(), n.to_json());
            }
        }
        None => {
            p.insert("Name".into(), key.to_json());
        }
    }
    if let Some(v) = field("value").filter(|v| v.is_truthy()) {
        p.insert("Value".into(), v.to_json());
    }
    if let Some(d) = field("description") {
        p.insert("Description".into(), d.to_json());
    }
    if let Some(c) = field("customerId") {
        p.insert("CustomerId".into(), c.to_json());
    }
    p.insert(
        "StageKeys".into(),
        json!([{"RestApiId": api.rest_api_id, "StageName": api.ctx.stage}]),
    );
    json!({
        "Type": "AWS::ApiGateway::ApiKey",
        "Properties": Value::Object(p),
        "DependsOn": api.deployment_id,
    })
}

fn quota_throttle(p: &mut Map<String, Value>, quota: Option<&Node>, throttle: Option<&Node>) {
    if let Some(q) = quota {
        p.insert(
            "Quota".into(),
            defined(&[
                ("Limit", q.get("limit")),
                ("Offset", q.get("offset")),
                ("Period", q.get("period")),
            ]),
        );
    }
    if let Some(t) = throttle {
        p.insert(
            "Throttle".into(),
            defined(&[
                ("BurstLimit", t.get("burstLimit")),
                ("RateLimit", t.get("rateLimit")),
            ]),
        );
    }
}

/// `createUsagePlanResource`
fn usage_plan_resource(api: &Api, name: &str) -> Value {
    let (service, stage) = (&api.ctx.service, &api.ctx.stage);
    let mut p = Map::new();
    p.insert(
        "ApiStages".into(),
        json!([{"ApiId": api.rest_api_id, "Stage": stage}]),
    );
    let plan = usage_plan(api);
    if name == "default" {
        p.insert(
            "Description".into(),
            json!(format!("Usage plan for {service} {stage} stage")),
        );
        p.insert("UsagePlanName".into(), json!(format!("{service}-{stage}")));
        quota_throttle(
            &mut p,
            plan.and_then(|u| u.get("quota")).filter(|n| n.is_truthy()),
            plan.and_then(|u| u.get("throttle"))
                .filter(|n| n.is_truthy()),
        );
    } else {
        p.insert(
            "Description".into(),
            json!(format!("Usage plan \"{name}\" for {service} {stage} stage")),
        );
        p.insert(
            "UsagePlanName".into(),
            json!(format!("{service}-{name}-{stage}")),
        );
        // the last plan object of that name with the setting wins
        let last = |what: &str| {
            plan.and_then(Node::as_seq)
                .into_iter()
                .flatten()
                .filter_map(|o| o.get(name).filter(|n| n.is_truthy()))
                .filter_map(|o| o.get(what).filter(|n| n.is_truthy()))
                .next_back()
                .filter(|n| n.as_map().is_some_and(|m| !m.is_empty()))
        };
        quota_throttle(&mut p, last("quota"), last("throttle"));
    }
    json!({
        "Type": "AWS::ApiGateway::UsagePlan",
        "DependsOn": api.deployment_id,
        "Properties": Value::Object(p),
    })
}

fn usage_plan_key(key_id: &str, plan_id: &str) -> Value {
    json!({
        "Type": "AWS::ApiGateway::UsagePlanKey",
        "Properties": {
            "KeyId": {"Ref": key_id},
            "KeyType": "API_KEY",
            "UsagePlanId": {"Ref": plan_id},
        },
    })
}

pub fn compile(api: &Api, t: &mut Template) {
    let keys: &[Node] = api_keys(api).and_then(Node::as_seq).unwrap_or(&[]);
    // keys
    let mut n = 0;
    for def in keys {
        match group(api, def) {
            Some((name, group_keys)) => {
                n = 0;
                for key in group_keys {
                    n += 1;
                    t.merge_resource(
                        &naming::api_key_logical_id_named(n, &name),
                        api_key(api, key),
                    );
                }
            }
            None => {
                n += 1;
                t.merge_resource(&naming::api_key_logical_id(n), api_key(api, def));
            }
        }
    }
    // plans
    if usage_plan(api).is_some() || api_keys(api).is_some() {
        match usage_plan(api).and_then(Node::as_seq) {
            Some(_) => {
                for name in plan_names(api) {
                    t.merge_resource(
                        &naming::usage_plan_logical_id(Some(&name)),
                        usage_plan_resource(api, &name),
                    );
                }
            }
            None => t.merge_resource(
                &naming::usage_plan_logical_id(None),
                usage_plan_resource(api, "default"),
            ),
        }
    }
    // plan keys
    let mut n = 0;
    for def in keys {
        match group(api, def) {
            Some((name, group_keys)) => {
                n = 0;
                for _ in group_keys {
                    n += 1;
                    t.merge_resource(
                        &naming::usage_plan_key_logical_id_named(n, &name),
                        usage_plan_key(
                            &naming::api_key_logical_id_named(n, &name),
                            &naming::usage_plan_logical_id(Some(&name)),
                        ),
                    );
                }
            }
            None => {
                n += 1;
                t.merge_resource(
                    &naming::usage_plan_key_logical_id(n),
                    usage_plan_key(
                        &naming::api_key_logical_id(n),
                        &naming::usage_plan_logical_id(None),
                    ),
                );
            }
        }
    }
}
