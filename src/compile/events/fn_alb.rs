//! Function `alb` events, as the framework's `AwsCompileAlbEvents` writes them.
//!
//! Every event is validated first (listener ARN, conditions, authorizers of
//! `provider.alb.authorizers`, priorities), then, in event order:
//! 1. a target group per event, `<NF>Alb[MultiValue]TargetGroup<albId>` (the ALB id from the
//!    listener ARN, or the listener's `Ref`; named `targetGroupName`, else
//!    `provider.alb.targetGroupPrefix` + md5 of `<service>-<fkey>-<albId>-[multi-value-]<stage>`
//!    cut to 32 characters), replacing one of that ID, with the health check settings;
//! 2. a listener rule per event, `<NF>AlbListenerRule<priority>`: the authorizers' actions, then
//!    the forward to the target group, and the conditions;
//! 3. per event, the permissions `<NF>LambdaPermissionAlb` (source: the event's target group)
//!    and `<NF>LambdaPermissionRegisterTarget`, merged into those of earlier events.

use serde_json::{Map, Value, json};

use super::fn_common;
use crate::compile::{Ctx, Template, naming};
use crate::declare_codes;
use crate::diagnostics::{Diag, Diags};
use crate::source::Span;
use crate::yaml::{Kind, Node, js_to_string};

declare_codes! { CODES;
    INVALID = "slsx::fn-alb::invalid", "A function `alb` event without a usable listener, priority or conditions (ALB_INVALID_LISTENER_ARN, ALB_NO_CONDITIONS; or the framework crashes).";
    PRIORITY = "slsx::fn-alb::priority", "Two `alb` events with the same priority on one listener, or in one function (ALB_PRIORITY_ALREADY_IN_USE).";
    AUTHORIZER = "slsx::fn-alb::authorizer", "An `alb` event authorizer that `provider.alb.authorizers` does not define (ALB_MISSING_AUTHORIZER).";
    TARGET_GROUP_NAME = "slsx::fn-alb::target-group-name", "`targetGroupName` together with `provider.alb.targetGroupPrefix` (ALB_TARGET_GROUP_NAME_EXCLUSIVE).";
    PERMISSION = "slsx::fn-alb::permission", "A function with `alb` events on several target groups: the framework's one invoke permission names the last one only.";
}

/// The options the framework's schema knows.
const KEYS: [&str; 7] = [
    "authorizer",
    "conditions",
    "healthCheck",
    "listenerArn",
    "multiValueHeaders",
    "priority",
    "targetGroupName",
];

/// The condition kinds, in the order the listener rule lists them.
const CONDITIONS: [&str; 6] = ["path", "host", "method", "header", "query", "ip"];

/// One validated event.
struct AlbEvent<'a> {
    fkey: &'a str,
    node: &'a Node,
    event_key: Span,
    alb_id: String,
    listener_id: String,
    priority: Value,
    multi_value: bool,
    authorizers: Vec<String>,
}

impl AlbEvent<'_> {
    fn target_group_id(&self) -> String {
        naming::alb_target_group_logical_id(self.fkey, &self.alb_id, self.multi_value)
    }
}

/// Compiles these events into the template.
pub fn compile(ctx: &Ctx, t: &mut Template, diags: &mut Diags) {
    let prefix = ctx
        .provider_at(&["alb", "targetGroupPrefix"])
        .filter(|p| p.is_truthy())
        .map(js_to_string)
        .unwrap_or_default();
    let authorizers = ctx
        .provider_at(&["alb", "authorizers"])
        .and_then(Node::as_map);
    let mut events = Vec::new();
    for (fkey, f) in ctx.functions() {
        for event in super::events_of(f, "alb") {
            let alb = event.value;
            let event_key = event.key;
            if let Some(e) = read(fkey, alb, event_key, &prefix, authorizers, diags) {
                events.push(e);
            }
        }
    }
    if !check_priorities(&events, diags) {
        return;
    }
    for e in &events {
        target_group(ctx, t, e, &prefix);
    }
    for e in &events {
        listener_rule(t, e, authorizers);
    }
    let mut groups: Vec<(&str, String, Span)> = Vec::new();
    for e in &events {
        let tg = e.target_group_id();
        if let Some((_, first, span)) = groups.iter().find(|(f, g, _)| *f == e.fkey && *g != tg) {
            diags.push(
                Diag::warning(&PERMISSION, format!("function `{}` has alb events on two target groups, but one invoke permission", e.fkey))
                    .label(e.event_key, format!("target group `{tg}`: the permission names this one"))
                    .secondary(*span, format!("target group `{first}`: not allowed to invoke the function"))
                    .help("the framework writes one `LambdaPermissionAlb` per function and points it at the last target group, so requests through the others are refused; use one load balancer (and `multiValueHeaders` setting) per function"),
            );
        } else if !groups.iter().any(|(f, _, _)| *f == e.fkey) {
            groups.push((e.fkey, tg.clone(), e.event_key));
        }
        let mut permission =
            fn_common::invoke_permission(ctx, e.fkey, "elasticloadbalancing.amazonaws.com", None);
        if let Some(alias) = crate::compile::aliases::alias_logical_id(ctx, e.fkey)
            && let Some(p) = permission.as_object_mut()
        {
            // a list here, and set after the template (so after `Properties`), unlike the
            // other events' permissions
            p.shift_remove("DependsOn");
            p.insert("DependsOn".into(), json!([alias]));
        }
        let mut alb_permission = permission.clone();
        super::set_property(&mut alb_permission, "SourceArn", json!({"Ref": tg}));
        t.merge_resource(
            &naming::lambda_alb_permission_logical_id(e.fkey),
            alb_permission,
        );
        t.merge_resource(
            &naming::lambda_register_target_permission_logical_id(e.fkey),
            permission,
        );
    }
}

/// `^arn:aws[\w-]*:elasticloadbalancing:.+:listener/app/[\w-]+/([\w-]+)/([\w-]+)$`: the ALB id
/// and the listener id.
fn listener_ids(arn: &str) -> Option<(String, String)> {
    let word = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    };
    let mut parts = arn.rsplitn(4, '/');
    let (listener, alb, name, head) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let head = head.strip_suffix(":listener/app")?;
    let rest = head.strip_prefix("arn:aws")?;
    let (partition, rest) = rest.split_once(':')?;
    let between = rest.strip_prefix("elasticloadbalancing:")?;
    let ok = (partition.is_empty() || word(partition))
        && !between.is_empty()
        && !between.contains(['\n', '\r', '\u{2028}', '\u{2029}'])
        && word(name)
        && word(alb)
        && word(listener);
    ok.then(|| (alb.to_string(), listener.to_string()))
}

fn read<'a>(
    fkey: &'a str,
    alb: &'a Node,
    event_key: Span,
    prefix: &str,
    authorizers: Option<&crate::yaml::Mapping>,
    diags: &mut Diags,
) -> Option<AlbEvent<'a>> {
    if alb.as_map().is_none() {
        diags.push(
            Diag::warning(
                &super::IGNORED,
                format!(
                    "this alb event of function `{fkey}` is not a mapping; the framework ignores it"
                ),
            )
            .label(alb.span, super::a_kind(alb))
            .help("write `alb: {listenerArn: …, priority: 1, conditions: {path: /hello}}`"),
        );
        return None;
    }
    super::check_keys(
        diags,
        alb,
        &KEYS,
        "a function `alb` event",
        "the framework ignores it",
    );
    let listener = alb.get("listenerArn").filter(|l| !l.is_null());
    let ids = match listener.map(|l| (l, &l.kind)) {
        Some((l, Kind::Map(_))) if super::truthy(l, "Ref").is_some() => {
            let r = super::truthy(l, "Ref")
                .map(js_to_string)
                .unwrap_or_default();
            Some((r.clone(), r))
        }
        Some((l, Kind::String(s))) => {
            let ids = listener_ids(s);
            if ids.is_none() {
                diags.push(
                    Diag::error(&INVALID, format!("invalid ALB listenerArn in function `{fkey}`"))
                        .label(l.span, "not an application load balancer listener ARN")
                        .help("write `arn:aws:elasticloadbalancing:<region>:<account>:listener/app/<name>/<alb id>/<listener id>`, or `!Ref <Listener>` (the framework refuses this too: ALB_INVALID_LISTENER_ARN)"),
                );
            }
            ids
        }
        _ => {
            diags.push(
                Diag::error(&INVALID, format!("alb event of function `{fkey}` has no usable `listenerArn`"))
                    .label(listener.map(|l| l.span).unwrap_or(event_key), "needs the listener's ARN or `!Ref <Listener>`")
                    .help("write `listenerArn: arn:aws:elasticloadbalancing:…:listener/app/<name>/<alb id>/<listener id>` (the framework crashes on anything but an ARN string or a `Ref`)"),
            );
            None
        }
    };
    let conditions = alb.get("conditions");
    let mut ok = ids.is_some();
    match conditions {
        Some(c) if c.as_map().is_some_and(|m| !m.is_empty()) => {
            super::check_keys(
                diags,
                c,
                &CONDITIONS,
                "alb `conditions`",
                "the framework ignores it",
            );
            if !CONDITIONS.iter().any(|k| super::truthy(c, k).is_some()) {
                diags.push(
                    Diag::error(&INVALID, "none of these alb conditions is set")
                        .label(c.span, "the listener rule would have no condition")
                        .help("give at least one of `path`, `host`, `method`, `header`, `query`, `ip`; the framework writes a rule without conditions, which CloudFormation rejects"),
                );
                ok = false;
            }
        }
        _ => {
            diags.push(
                Diag::error(&INVALID, format!("alb event of function `{fkey}` has no conditions"))
                    .label(conditions.map(|c| c.span).unwrap_or(event_key), "needs at least one condition")
                    .help("add e.g. `conditions: {path: /hello}` (the framework refuses this too: ALB_NO_CONDITIONS)"),
            );
            ok = false;
        }
    }
    let priority = alb.get("priority").filter(|p| !p.is_null());
    if priority.is_none() {
        diags.push(
            Diag::error(&INVALID, format!("alb event of function `{fkey}` has no `priority`"))
                .label(event_key, "needs `priority: <1..50000>`")
                .help("listener rules are evaluated by priority; the framework names the rule after it (`…AlbListenerRule<priority>`)"),
        );
        ok = false;
    }
    fn_common::check_integer(diags, alb, "priority", (1.0, 50000.0), &[]);
    if let Some(n) = super::truthy(alb, "targetGroupName")
        && !prefix.is_empty()
    {
        diags.push(
            Diag::error(&TARGET_GROUP_NAME, "`targetGroupName` cannot be used together with `provider.alb.targetGroupPrefix`")
                .label(n.span, "a name for this event's target group")
                .help("remove one of the two (the framework refuses this too: ALB_TARGET_GROUP_NAME_EXCLUSIVE)"),
        );
        ok = false;
    }
    if let Some(hc) = super::truthy(alb, "healthCheck") {
        super::check_keys(
            diags,
            hc,
            &[
                "healthyThresholdCount",
                "intervalSeconds",
                "matcher",
                "path",
                "timeoutSeconds",
                "unhealthyThresholdCount",
            ],
            "an alb `healthCheck`",
            "the framework ignores it",
        );
    }
    let mut names = Vec::new();
    if let Some(a) = super::truthy(alb, "authorizer") {
        let items: Vec<&Node> = match a.as_seq() {
            Some(v) => v.iter().collect(),
            None => vec![a],
        };
        for item in items {
            let name = js_to_string(item);
            if authorizers
                .and_then(|m| m.get(&name))
                .is_none_or(|v| !v.is_truthy())
            {
                diags.push(
                    Diag::error(&AUTHORIZER, format!("no ALB authorizer `{name}` in `provider.alb.authorizers`"))
                        .label(item.span, "not defined")
                        .help("define it under `provider.alb.authorizers` (type `cognito` or `oidc`), or fix the name (the framework refuses this too: ALB_MISSING_AUTHORIZER)"),
                );
                ok = false;
            }
            names.push(name);
        }
    }
    if !ok {
        return None;
    }
    let (alb_id, listener_id) = ids?;
    Some(AlbEvent {
        fkey,
        node: alb,
        event_key,
        alb_id,
        listener_id,
        priority: priority.map(Node::to_json).unwrap_or(Value::Null),
        multi_value: super::truthy(alb, "multiValueHeaders").is_some(),
        authorizers: names,
    })
}

/// The framework's two priority rules (returns false after an error): one function cannot
/// use a priority twice (its rules are named by priority), and one listener cannot use a
/// priority for two functions.
fn check_priorities(events: &[AlbEvent], diags: &mut Diags) -> bool {
    let mut ok = true;
    for (rule, same_fn, same_listener) in [
        (
            "in one function, even on different listeners (the framework names the rule after the function and the priority)",
            true,
            false,
        ),
        ("on one listener", false, true),
    ] {
        let mut kept: Vec<&AlbEvent> = Vec::new();
        for e in events {
            let clash = kept.iter().find(|k| {
                k.priority == e.priority
                    && (k.fkey == e.fkey) == same_fn
                    && (k.listener_id == e.listener_id) == same_listener
            });
            match clash {
                Some(k) => {
                    diags.push(
                        Diag::error(&PRIORITY, format!("alb priority `{}` is already in use", js_to_string(&Node::from_json(&e.priority, Span::NONE))))
                            .label(super::key_span(e.node, "priority"), "the same priority again")
                            .secondary(super::key_span(k.node, "priority"), "used here first")
                            .help(format!("alb events cannot share a priority {rule}; give each event its own (the framework refuses this too: ALB_PRIORITY_ALREADY_IN_USE)")),
                    );
                    ok = false;
                }
                None => kept.push(e),
            }
        }
    }
    ok
}

fn target_group(ctx: &Ctx, t: &mut Template, e: &AlbEvent, prefix: &str) {
    let mut depends = vec![json!(naming::lambda_register_target_permission_logical_id(
        e.fkey
    ))];
    depends.extend(crate::compile::aliases::alias_logical_id(ctx, e.fkey).map(Value::String));
    let mut props = Map::new();
    props.insert("TargetType".into(), json!("lambda"));
    props.insert(
        "Targets".into(),
        json!([{"Id": fn_common::lambda_arn(ctx, e.fkey)}]),
    );
    let name = match super::truthy(e.node, "targetGroupName") {
        Some(n) => n.to_json(),
        None => {
            let tag = naming::alb_target_group_name_tag_value(
                &ctx.service,
                e.fkey,
                &e.alb_id,
                e.multi_value,
                &ctx.stage,
            );
            let full = format!("{prefix}{}", naming::md5_hex(&tag));
            Value::String(naming::js_slice_to(&full, 32))
        }
    };
    props.insert("Name".into(), name);
    props.insert(
        "Tags".into(),
        json!([{"Key": "Name", "Value": naming::alb_target_group_name_tag_value(&ctx.service, e.fkey, &e.alb_id, false, &ctx.stage)}]),
    );
    props.insert(
        "TargetGroupAttributes".into(),
        json!([{"Key": "lambda.multi_value_headers.enabled", "Value": e.multi_value}]),
    );
    props.insert("HealthCheckEnabled".into(), json!(false));
    if let Some(hc) = super::truthy(e.node, "healthCheck") {
        props.insert("HealthCheckEnabled".into(), json!(true));
        props.insert("HealthCheckPath".into(), json!("/"));
        props.insert("HealthCheckIntervalSeconds".into(), json!(35));
        props.insert("HealthCheckTimeoutSeconds".into(), json!(30));
        props.insert("HealthyThresholdCount".into(), json!(5));
        props.insert("UnhealthyThresholdCount".into(), json!(5));
        props.insert("Matcher".into(), json!({"HttpCode": "200"}));
        if hc.as_map().is_some() {
            for (key, prop, truthy_only) in [
                ("intervalSeconds", "HealthCheckIntervalSeconds", false),
                ("path", "HealthCheckPath", false),
                ("timeoutSeconds", "HealthCheckTimeoutSeconds", false),
                ("healthyThresholdCount", "HealthyThresholdCount", false),
                ("unhealthyThresholdCount", "UnhealthyThresholdCount", true),
            ] {
                let v = if truthy_only {
                    super::truthy(hc, key)
                } else {
                    hc.get(key).filter(|v| !v.is_null())
                };
                if let Some(v) = v {
                    props.insert(prop.into(), v.to_json());
                }
            }
            if let Some(code) = hc.get("matcher").and_then(|m| super::truthy(m, "httpCode")) {
                props.insert("Matcher".into(), json!({"HttpCode": code.to_json()}));
            }
        }
    }
    t.resources_mut().insert(
        e.target_group_id(),
        json!({
            "Type": "AWS::ElasticLoadBalancingV2::TargetGroup",
            "Properties": props,
            "DependsOn": depends,
        }),
    );
}

fn listener_rule(t: &mut Template, e: &AlbEvent, authorizers: Option<&crate::yaml::Mapping>) {
    let mut actions = Vec::new();
    let mut order = 0;
    for name in &e.authorizers {
        let Some(auth) = authorizers.and_then(|m| m.get(name)) else {
            continue;
        };
        let get = |k: &str| auth.get(k).map(Node::to_json);
        let on_unauthenticated = super::truthy(auth, "onUnauthenticatedRequest")
            .map(Node::to_json)
            .unwrap_or_else(|| json!("deny"));
        order += 1;
        // the settings both kinds share, after their own
        let shared = [
            ("OnUnauthenticatedRequest", Some(on_unauthenticated)),
            (
                "AuthenticationRequestExtraParams",
                get("requestExtraParams"),
            ),
            ("Scope", get("scope")),
            ("SessionCookieName", get("sessionCookieName")),
            ("SessionTimeout", get("sessionTimeout")),
        ];
        let cognito = auth.get("type").and_then(Node::as_str) == Some("cognito");
        let own: Vec<(&str, Option<Value>)> = if cognito {
            ["userPoolArn", "userPoolClientId", "userPoolDomain"]
                .into_iter()
                .map(|k| (k, get(k)))
                .collect()
        } else {
            [
                "authorizationEndpoint",
                "clientId",
                "issuer",
                "tokenEndpoint",
                "userInfoEndpoint",
            ]
            .into_iter()
            .map(|k| (k, get(k)))
            .collect()
        };
        let keys: Vec<String> = own.iter().map(|(k, _)| naming::normalize_name(k)).collect();
        let mut pairs: Vec<(&str, Option<Value>)> = own
            .into_iter()
            .zip(&keys)
            .map(|((_, v), k)| (k.as_str(), v))
            .collect();
        pairs.extend(shared);
        let mut config = super::object(pairs);
        if cognito {
            actions.push(json!({"Type": "authenticate-cognito", "Order": order, "AuthenticateCognitoConfig": config}));
            continue;
        }
        if let Some(o) = config.as_object_mut() {
            match super::truthy(auth, "clientSecret") {
                Some(s) => o.insert("ClientSecret".into(), s.to_json()),
                None => o.insert("UseExistingClientSecret".into(), json!(true)),
            };
        }
        actions.push(
            json!({"Type": "authenticate-oidc", "Order": order, "AuthenticateOidcConfig": config}),
        );
    }
    let mut forward = Map::new();
    forward.insert("Type".into(), json!("forward"));
    forward.insert("TargetGroupArn".into(), json!({"Ref": e.target_group_id()}));
    if order > 0 {
        forward.insert("Order".into(), json!(order + 1));
    }
    actions.push(Value::Object(forward));

    let c = e.node.get("conditions");
    let list = |k: &str| -> Option<Value> {
        c.and_then(|c| super::truthy(c, k))
            .map(|v| match v.to_json() {
                Value::Array(a) => Value::Array(a),
                other => Value::Array(vec![other]),
            })
    };
    let mut conditions = Vec::new();
    if let Some(v) = list("path") {
        conditions.push(json!({"Field": "path-pattern", "Values": v}));
    }
    if let Some(v) = list("host") {
        conditions.push(json!({"Field": "host-header", "HostHeaderConfig": {"Values": v}}));
    }
    if let Some(v) = list("method") {
        conditions.push(
            json!({"Field": "http-request-method", "HttpRequestMethodConfig": {"Values": v}}),
        );
    }
    if let Some(Value::Array(headers)) = list("header") {
        for h in headers {
            conditions.push(json!({
                "Field": "http-header",
                "HttpHeaderConfig": super::object(vec![
                    ("HttpHeaderName", h.get("name").cloned()),
                    ("Values", h.get("values").cloned()),
                ]),
            }));
        }
    }
    if let Some(q) = c
        .and_then(|c| super::truthy(c, "query"))
        .and_then(Node::as_map)
    {
        let values: Vec<Value> = q
            .iter()
            .map(|(k, v)| json!({"Key": k, "Value": v.value.to_json()}))
            .collect();
        conditions.push(json!({"Field": "query-string", "QueryStringConfig": {"Values": values}}));
    }
    if let Some(v) = list("ip") {
        conditions.push(json!({"Field": "source-ip", "SourceIpConfig": {"Values": v}}));
    }
    t.resources_mut().insert(
        naming::alb_listener_rule_logical_id(
            e.fkey,
            &js_to_string(&Node::from_json(&e.priority, Span::NONE)),
        ),
        json!({
            "Type": "AWS::ElasticLoadBalancingV2::ListenerRule",
            "Properties": {
                "Actions": actions,
                "Conditions": conditions,
                "ListenerArn": e.node.get("listenerArn").map(Node::to_json),
                "Priority": e.priority,
            },
        }),
    );
}
