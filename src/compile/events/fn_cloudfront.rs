//! Function `cloudFront` events (Lambda@Edge), as the framework's
//! `AwsCompileCloudFrontEvents` writes them.
//!
//! - Before the functions compile, a function with a `cloudFront` event is versioned and gets
//!   `memorySize: 128` / `timeout: 5` unless it sets its own (see [`has_event`], used by
//!   `functions`); its own values must fit the Lambda@Edge limits of each event type
//!   ([`check_limits`], the framework's `validate`).
//! - `provider.cloudFront.cachePolicies` become `CloudFrontCachePolicy<Name>` resources.
//! - Every event adds its origin (a URL string, or an origin object; the same origin ID merges
//!   with `extendDeep`: existing values win, lists are united) and a cache behavior (the event's
//!   `behavior` over `ViewerProtocolPolicy: allow-all`, a cache policy, the origin, a Lambda
//!   association with the function's version, `PathPattern`; the same path and origin merge).
//!   The functions lose `VpcConfig` and `Environment` (Lambda@Edge has neither) and get
//!   `DeletionPolicy: Retain`; each gets `<NF>LambdaFunctionInvokePermission` for
//!   `edgelambda.amazonaws.com`; the execution role may be assumed by Lambda@Edge and writes
//!   logs in every region.
//! - The behaviors without `PathPattern` come first; the first becomes the default behavior
//!   (one is derived from the first with a path otherwise), the rest `CacheBehaviors` of
//!   `CloudFrontDistribution`, with the outputs `CloudFrontDistribution` and
//!   `CloudFrontDistributionDomainName`.
//!
//! The framework's refusals (region other than us-east-1, two default origins, two behaviors
//! for one path, two associations of one event type in a behavior, several origins without a
//! default, an unknown cache policy, limits) are located errors; where it crashes (no origin, an
//! unknown `eventType`, a `behavior` that is not a mapping) too.

use serde_json::{Map, Value, json};

use crate::compile::{Ctx, Template, js, naming};
use crate::declare_codes;
use crate::diagnostics::{Diag, Diags};
use crate::source::Span;
use crate::yaml::{Node, js_to_string};

declare_codes! { CODES;
    INVALID = "slsx::fn-cloudfront::invalid", "A `cloudFront` event the framework refuses or crashes on (no origin, an unknown event type, a behavior that is not a mapping, an unknown cache policy, Lambda@Edge limits, two default origins).";
    REGION = "slsx::fn-cloudfront::region", "`cloudFront` events in a service not deployed to us-east-1 (Lambda@Edge functions must be there; the framework refuses it).";
    BEHAVIORS = "slsx::fn-cloudfront::behaviors", "`cloudFront` events whose cache behaviors conflict: one path on two origins, one event type twice on a behavior, or no default origin among several (the framework refuses them).";
    ORIGIN_URL = "slsx::fn-cloudfront::origin-url", "An origin URL slsx cannot take apart the way Node's `url.parse` does (give the origin as an object).";
    MERGED = "slsx::fn-cloudfront::merged", "Two `cloudFront` events sharing a behavior or origin where one's value is an object and the other's is not: the framework merges them into an object with index keys, which CloudFormation rejects.";
    LOGICAL_ID = "slsx::fn-cloudfront::logical-id", "A cache policy key with characters the framework keeps in the policy's logical ID, which CloudFormation rejects.";
    UNUSED_CACHE_POLICY = "slsx::fn-cloudfront::unused-cache-policy", "A cache policy of `provider.cloudFront.cachePolicies` that no `cloudFront` event uses (the framework warns too).";
}

/// The managed `CachingOptimized` policy, the default of every behavior without its own.
const CACHING_OPTIMIZED: &str = "658327ea-f89d-4fab-a63d-7e88639e58f6";

/// The four event types and their limits (max memory size, max timeout).
fn limits(event_type: Option<&str>) -> Option<(f64, f64)> {
    match event_type {
        Some("origin-request") | Some("origin-response") => Some((10240.0, 30.0)),
        Some("viewer-request") | Some("viewer-response") | None => Some((128.0, 5.0)),
        Some(_) => None,
    }
}

/// Whether the function has a (truthy) `cloudFront` event: the framework then versions it
/// and defaults its memory size to 128 and its timeout to 5.
pub fn has_event(f: &Node) -> bool {
    super::events_of(f, "cloudFront").next().is_some()
}

/// The framework's `validate` (at `package:initialize`): a function's own `memorySize` and
/// `timeout` within the limits of each of its events' type.
pub fn check_limits(ctx: &Ctx, diags: &mut Diags) {
    for (fkey, f) in ctx.functions() {
        for event in super::events_of(f, "cloudFront") {
            let cf = event.value;
            let et = cf.get("eventType");
            let et_str = et.filter(|e| !e.is_null()).map(js_to_string);
            let Some((max_memory, max_timeout)) = limits(et_str.as_deref()) else {
                continue; // reported by `compile`
            };
            let label = et_str.clone().unwrap_or_else(|| "default".into());
            for (key, max, what) in [
                ("memorySize", max_memory, "memory size"),
                ("timeout", max_timeout, "timeout"),
            ] {
                let Some(v) = f.get(key).filter(|v| v.is_truthy()) else {
                    continue;
                };
                if v.as_f64().is_some_and(|n| n > max) {
                    diags.push(
                        Diag::error(
                            &INVALID,
                            format!("function `{fkey}`: a {what} over {} is not supported by Lambda@Edge functions of type `{label}`", crate::emit::json::js_number(max)),
                        )
                        .label(v.span, format!("more than {}", crate::emit::json::js_number(max)))
                        .secondary(event.key, format!("an event of type `{label}`"))
                        .help("Lambda@Edge allows 128 MB and 5 seconds for viewer events, 10240 MB and 30 seconds for origin events; lower the setting or leave it out (the framework then uses the viewer limits; it refuses this too)"),
                    );
                }
            }
        }
    }
}

/// `provider.cloudFront.cachePolicies`: `CloudFrontCachePolicy<Name>` each, in order.
fn cache_policies(ctx: &Ctx, t: &mut Template, diags: &mut Diags) -> Vec<(String, Span)> {
    let mut names = Vec::new();
    let Some(policies) = ctx
        .provider_at(&["cloudFront", "cachePolicies"])
        .filter(|p| p.is_truthy())
        .and_then(Node::as_map)
    else {
        return names;
    };
    for (name, e) in policies.iter() {
        let mut config = match e.value.to_json() {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        config.insert(
            "Name".into(),
            json!(format!("{}-{}-{name}", ctx.service, ctx.stage)),
        );
        let id = naming::cloud_front_cache_policy_logical_id(name);
        if !id.chars().all(|c| c.is_ascii_alphanumeric()) {
            diags.push(
                Diag::warning(&LOGICAL_ID, format!("the framework names this cache policy `{id}`, which CloudFormation rejects"))
                    .label(e.key_span, "only `-` and `_` of the name become letters (`Dash`, `Underscore`)")
                    .help("logical IDs may only have letters and digits; use letters, digits, `-` and `_` in the policy's key (slsx writes the framework's ID)"),
            );
        }
        t.resources_mut().insert(
            id,
            json!({
                "Type": "AWS::CloudFront::CachePolicy",
                "Properties": {"CachePolicyConfig": config},
            }),
        );
        names.push((name.to_string(), e.key_span));
    }
    names
}

/// Node's legacy `url.parse` for the origin URLs the framework takes apart:
/// `scheme://[user@]host[:port][/path][?query][#hash]` → (protocol in lower case, host name in
/// lower case, path with `url.parse`'s escapes). `None` for anything else.
fn parse_url(s: &str) -> Option<(String, String, String)> {
    let s = s.trim();
    let colon = s.find(':')?;
    let scheme = &s[..colon];
    if scheme.is_empty()
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    {
        return None;
    }
    let rest = s[colon + 1..].strip_prefix("//")?;
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host = &rest[..host_end];
    if host.contains(['@', '\\', '[', ']']) {
        return None;
    }
    let hostname = match host.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
        Some(_) => return None,
        None => host,
    };
    if hostname.is_empty()
        || !hostname
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._+".contains(c))
    {
        return None;
    }
    let after = &rest[host_end..];
    let path_end = after.find(['?', '#']).unwrap_or(after.len());
    let mut path = String::new();
    for c in after[..path_end].chars() {
        match c {
            '\t' | '\n' | '\r' | ' ' | '"' | '\'' | '<' | '>' | '\\' | '^' | '`' | '{' | '|'
            | '}' => path.push_str(&format!("%{:02X}", c as u32)),
            _ => path.push(c),
        }
    }
    Some((
        format!("{}:", scheme.to_ascii_lowercase()),
        hostname.to_ascii_lowercase(),
        path,
    ))
}

/// The framework's `getCloudFrontOriginId`: `s3/` or `custom/`, the domain (an intrinsic as
/// the letters and digits of its JSON), the origin path.
fn origin_id(origin: &Map<String, Value>) -> String {
    let kind = if origin.get("S3OriginConfig").is_some_and(|v| !v.is_null()) {
        "s3"
    } else {
        "custom"
    };
    let domain = match origin.get("DomainName") {
        Some(Value::String(s)) => s.clone(),
        Some(v) => naming::normalize_name_to_alpha_numeric_only(&crate::emit::json::to_compact(v)),
        None => String::new(),
    };
    let mut id = format!("{kind}/{domain}");
    if let Some(p) = origin.get("OriginPath").filter(|p| js::truthy(Some(p))) {
        match p {
            Value::String(s) => id.push_str(s),
            other => id.push_str(&crate::emit::json::to_compact(other)),
        }
    }
    id
}

/// `createOrigin` (`None` after an error).
fn create_origin(origin: &Node, fkey: &str, diags: &mut Diags) -> Option<Map<String, Value>> {
    let mut o = Map::new();
    if let Some(s) = origin.as_str() {
        let Some((protocol, host, path)) = parse_url(s) else {
            diags.push(
                Diag::error(&ORIGIN_URL, format!("slsx cannot read the origin URL `{s}` of function `{fkey}`"))
                    .label(origin.span, "not `<scheme>://<host>[:port][/path]`")
                    .help("give the origin as a URL such as `https://example.com/path` or `s3://bucket.s3.amazonaws.com`, or as an object with `DomainName` and `CustomOriginConfig` / `S3OriginConfig`; the framework reads other strings with Node's lenient `url.parse`, whose results slsx does not reproduce"),
            );
            return None;
        };
        o.insert("DomainName".into(), json!(host));
        if path.chars().count() > 1 {
            o.insert("OriginPath".into(), json!(path));
        }
        if protocol == "s3:" {
            o.insert("S3OriginConfig".into(), json!({}));
        } else {
            o.insert(
                "CustomOriginConfig".into(),
                json!({"OriginProtocolPolicy": "match-viewer"}),
            );
        }
    } else if let Value::Object(m) = origin.to_json() {
        o = m;
    } else {
        diags.push(
            Diag::error(&INVALID, format!("the `origin` of a cloudFront event of function `{fkey}` must be a URL or an origin object"))
                .label(origin.span, super::a_kind(origin))
                .help("write `origin: https://example.com` or `origin: {DomainName: …, CustomOriginConfig: {OriginProtocolPolicy: match-viewer}}` (the framework crashes on anything else)"),
        );
        return None;
    }
    let id = origin_id(&o);
    o.insert("Id".into(), json!(id));
    Some(o)
}

/// The framework's `extendDeep` (`_.assignWith`): keys `object` lacks are taken from
/// `source`, lists are united (deep equality), objects are extended the same way, any other
/// value of `object` stays. An object extended by a string or a list gains its indices as
/// keys (`{"0": …, "1": …}`), as lodash assigns them: the keys where that happened are
/// returned (`a.b`), for a warning.
fn extend_deep(object: &mut Map<String, Value>, source: &Map<String, Value>) -> Vec<String> {
    let mut mangled = Vec::new();
    for (k, b) in source {
        match object.get_mut(k) {
            Some(Value::Array(a)) => {
                let extra: Vec<Value> = match b {
                    Value::Array(items) => items.clone(),
                    other => vec![other.clone()],
                };
                let mut out: Vec<Value> = Vec::new();
                for v in a.drain(..).chain(extra) {
                    if !out.contains(&v) {
                        out.push(v);
                    }
                }
                *a = out;
            }
            Some(Value::Object(a)) => {
                let indexed: Vec<Value> = match b {
                    Value::Object(bm) => {
                        mangled.extend(extend_deep(a, bm).into_iter().map(|m| format!("{k}.{m}")));
                        continue;
                    }
                    Value::String(s) => s
                        .encode_utf16()
                        .map(|u| Value::String(String::from_utf16_lossy(&[u])))
                        .collect(),
                    Value::Array(items) => items.clone(),
                    _ => continue,
                };
                if !indexed.is_empty() {
                    mangled.push(k.clone());
                }
                for (i, v) in indexed.into_iter().enumerate() {
                    a.entry(i.to_string()).or_insert(v);
                }
            }
            None => {
                object.insert(k.clone(), b.clone());
            }
            // any other value stays, `null` included
            Some(_) => {}
        }
    }
    mangled
}

/// One behavior and where it came from.
struct Behavior {
    value: Map<String, Value>,
    spans: Vec<Span>,
}

/// `package:compileEvents` (cloudFront): cache policies, then the distribution.
pub fn compile(ctx: &Ctx, t: &mut Template, diags: &mut Diags) {
    check_limits(ctx, diags);
    let policies = cache_policies(ctx, t, diags);
    let mut unused: Vec<(String, Span)> = policies.clone();
    let mut origins: Vec<Map<String, Value>> = Vec::new();
    let mut behaviors: Vec<Behavior> = Vec::new();
    let mut default_origin: Option<(String, Span)> = None;
    let mut edge_functions: Vec<(&str, String)> = Vec::new();
    let mut first_event: Option<Span> = None;
    let mut ok = true;

    for (fkey, f) in ctx.functions() {
        for event in super::events_of(f, "cloudFront") {
            let cf = event.value;
            let event_span = event.key;
            first_event.get_or_insert(event_span);
            if cf.as_map().is_none() {
                diags.push(
                    Diag::error(&INVALID, format!("cloudFront event of function `{fkey}` is not a mapping"))
                        .label(cf.span, super::a_kind(cf))
                        .help("write `cloudFront: {eventType: viewer-request, origin: https://example.com}`"),
                );
                ok = false;
                continue;
            }
            super::check_keys(
                diags,
                cf,
                &[
                    "behavior",
                    "cachePolicy",
                    "eventType",
                    "isDefaultOrigin",
                    "includeBody",
                    "origin",
                    "pathPattern",
                ],
                "a function `cloudFront` event",
                "the framework ignores it",
            );
            let event_type = cf.get("eventType").filter(|e| !e.is_null());
            if let Some(et) = event_type
                && limits(Some(&js_to_string(et))).is_none()
            {
                diags.push(
                    Diag::error(&INVALID, format!("unknown cloudFront event type `{}`", js_to_string(et)))
                        .label(et.span, "not a Lambda@Edge event type")
                        .help("use `viewer-request`, `origin-request`, `origin-response` or `viewer-response` (the framework crashes on anything else)"),
                );
                ok = false;
                continue;
            }
            let Some(origin_node) = cf.get("origin").filter(|o| !o.is_null()) else {
                diags.push(
                    Diag::error(&INVALID, format!("cloudFront event of function `{fkey}` has no `origin`"))
                        .label(event_span, "needs `origin`")
                        .help("give the origin the distribution forwards to, e.g. `origin: https://example.com` or `origin: s3://bucket.s3.amazonaws.com` (the framework crashes without it)"),
                );
                ok = false;
                continue;
            };
            let behavior_node = cf.get("behavior").filter(|b| b.is_truthy());
            if let Some(b) = behavior_node
                && b.as_map().is_none()
            {
                diags.push(
                    Diag::error(&INVALID, "a cloudFront `behavior` must be a mapping")
                        .label(b.span, super::a_kind(b))
                        .help("give CloudFront cache behavior properties, e.g. `behavior: {AllowedMethods: [GET, HEAD, OPTIONS]}`"),
                );
                ok = false;
                continue;
            }
            let Some(origin) = create_origin(origin_node, fkey, diags) else {
                ok = false;
                continue;
            };
            let oid = origin
                .get("Id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            match origins
                .iter_mut()
                .find(|o| o.get("Id").and_then(Value::as_str) == Some(&oid))
            {
                Some(existing) => {
                    let mangled = extend_deep(existing, &origin);
                    warn_mangled(&mangled, "origin", &oid, origin_node.span, diags);
                }
                None => origins.push(origin),
            }
            if cf.get("isDefaultOrigin").is_some_and(Node::is_truthy) {
                let span = super::key_span(cf, "isDefaultOrigin");
                match &default_origin {
                    Some((id, first)) if *id != oid => {
                        diags.push(
                            Diag::error(&INVALID, "more than one cloudFront event sets `isDefaultOrigin`, on different origins")
                                .label(span, format!("origin `{oid}`"))
                                .secondary(*first, format!("origin `{id}`"))
                                .help("mark the events of one origin only (the framework refuses this too)"),
                        );
                        ok = false;
                    }
                    Some(_) => {}
                    None => default_origin = Some((oid.clone(), span)),
                }
            }

            // the framework finds the function by its deployed name, its version by `Ref`
            let name = ctx.function_name(fkey);
            let Some(function_id) = find_resource(
                t,
                "AWS::Lambda::Function",
                "/Properties/FunctionName",
                &name,
            ) else {
                continue;
            };
            let version_id = find_resource(
                t,
                "AWS::Lambda::Version",
                "/Properties/FunctionName/Ref",
                &function_id,
            );
            if let Some(r) = t.resources_mut().get_mut(&function_id) {
                if let Some(p) = r.get_mut("Properties").and_then(Value::as_object_mut) {
                    p.shift_remove("VpcConfig");
                    p.shift_remove("Environment");
                }
                r["DeletionPolicy"] = json!("Retain");
            }

            let mut behavior = Map::new();
            behavior.insert("ViewerProtocolPolicy".into(), json!("allow-all"));
            let mut assign_default = true;
            if let Some(Value::Object(b)) = behavior_node.map(Node::to_json) {
                for (k, v) in &b {
                    behavior.insert(k.clone(), v.clone());
                }
                if js::truthy(b.get("CachePolicyId"))
                    || js::truthy(b.get("ForwardedValues"))
                    || ["MaxTTL", "MinTTL", "DefaultTTL"]
                        .iter()
                        .any(|k| b.get(*k).is_some_and(|v| !v.is_null()))
                {
                    assign_default = false;
                }
            }
            if let Some(cp) = cf.get("cachePolicy").filter(|c| c.is_truthy()) {
                let id = cp.get("id").filter(|i| i.is_truthy());
                let name = cp.get("name").filter(|n| n.is_truthy());
                if let Some(n) = name {
                    let n = js_to_string(n);
                    if !policies.iter().any(|(p, _)| *p == n) {
                        diags.push(
                            Diag::error(&INVALID, format!("the cache policy `{n}` is not configured"))
                                .label(super::key_span(cp, "name"), "not a key of `provider.cloudFront.cachePolicies`")
                                .help("define it under `provider.cloudFront.cachePolicies`, or give an existing policy's `id` (the framework refuses this too)"),
                        );
                        ok = false;
                        continue;
                    }
                    unused.retain(|(p, _)| *p != n);
                }
                let policy = match (id, name) {
                    (Some(i), _) => i.to_json(),
                    (None, Some(n)) => {
                        json!({"Ref": naming::cloud_front_cache_policy_logical_id(&js_to_string(n))})
                    }
                    (None, None) => {
                        diags.push(
                            Diag::error(&INVALID, "a cloudFront `cachePolicy` needs `id` or `name`")
                                .label(cp.span, "neither `id` nor `name`")
                                .help("give an existing policy's `id`, or the `name` of one of `provider.cloudFront.cachePolicies` (the framework crashes on neither)"),
                        );
                        ok = false;
                        continue;
                    }
                };
                behavior.insert("CachePolicyId".into(), policy);
                assign_default = false;
            }
            if assign_default {
                behavior.insert("CachePolicyId".into(), json!(CACHING_OPTIMIZED));
            }
            let mut association = Map::new();
            if let Some(et) = event_type {
                association.insert("EventType".into(), et.to_json());
            }
            association.insert(
                "LambdaFunctionARN".into(),
                json!({"Ref": version_id.clone().map_or(Value::Null, Value::String)}),
            );
            if let Some(b) = cf.get("includeBody").filter(|b| !b.is_null()) {
                association.insert("IncludeBody".into(), b.to_json());
            }
            behavior.insert("TargetOriginId".into(), json!(oid));
            behavior.insert(
                "LambdaFunctionAssociations".into(),
                json!([Value::Object(association)]),
            );
            if let Some(p) = cf
                .get("pathPattern")
                .and_then(Node::as_str)
                .filter(|p| !p.is_empty())
            {
                behavior.insert("PathPattern".into(), json!(p));
            }
            let path = behavior.get("PathPattern").cloned();
            match behaviors.iter_mut().find(|b| {
                b.value.get("PathPattern") == path.as_ref()
                    && b.value.get("TargetOriginId") == behavior.get("TargetOriginId")
            }) {
                Some(existing) => {
                    let mangled = extend_deep(&mut existing.value, &behavior);
                    let what = path.as_ref().and_then(Value::as_str).unwrap_or("default");
                    warn_mangled(&mangled, "behavior", what, event_span, diags);
                    existing.spans.push(event_span);
                }
                None => behaviors.push(Behavior {
                    value: behavior,
                    spans: vec![event_span],
                }),
            }
            if let Some(v) = version_id {
                edge_functions.push((fkey, v));
            }
        }
    }

    for (name, span) in &unused {
        diags.push(
            Diag::warning(&UNUSED_CACHE_POLICY, format!("the cache policy `{name}` is not used by any cloudFront event"))
                .label(*span, "created, but no behavior uses it")
                .help(format!("reference it from an event with `cachePolicy: {{name: {name}}}`, or remove it (the framework warns too)")),
        );
    }
    let Some(first_event) = first_event else {
        return;
    };
    // every event failed (each with its diagnostic): nothing to distribute
    if !ok || behaviors.is_empty() {
        return;
    }
    if ctx.region != "us-east-1" {
        diags.push(
            Diag::error(&REGION, format!("cloudFront events need the service in us-east-1, not `{}`", ctx.region))
                .label(first_event, "a Lambda@Edge function")
                .help("Lambda@Edge functions are deployed to us-east-1 and replicated from there; deploy this service (or its edge functions) with `--region us-east-1` (the framework refuses this too)"),
        );
        return;
    }
    // behaviors without a path first (a stable sort)
    behaviors.sort_by_key(|b| b.value.contains_key("PathPattern"));
    if !check_behaviors(&behaviors, diags) {
        return;
    }
    let mut list: Vec<Map<String, Value>> = behaviors.iter().map(|b| b.value.clone()).collect();
    if list[0].contains_key("PathPattern") {
        let origin_id = match &default_origin {
            Some((id, _)) => id.clone(),
            None if origins.len() > 1 => {
                let mut d = Diag::error(&BEHAVIORS, "several origins, but no cloudFront event sets `isDefaultOrigin` (and every event has a `pathPattern`)")
                    .label(behaviors[0].spans[0], "the distribution needs a default behavior for one of the origins");
                for b in &behaviors[1..] {
                    d = d.secondary(b.spans[0], "another origin's behavior");
                }
                diags.push(d.help("set `isDefaultOrigin: true` on an event of the origin that serves requests no path pattern matches, or give one event no `pathPattern` (the framework refuses this too)"));
                return;
            }
            None => origins[0]
                .get("Id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
        };
        let mut default = list[0].clone();
        default.shift_remove("PathPattern");
        default.shift_remove("LambdaFunctionAssociations");
        default.insert("TargetOriginId".into(), json!(origin_id));
        list.insert(0, default);
    }

    for (fkey, version) in &edge_functions {
        t.resources_mut().insert(
            format!("{}InvokePermission", naming::lambda_logical_id(fkey)),
            json!({
                "Type": "AWS::Lambda::Permission",
                "Properties": {
                    "FunctionName": {"Ref": version},
                    "Action": "lambda:InvokeFunction",
                    "Principal": "edgelambda.amazonaws.com",
                    "SourceArn": {"Fn::Join": ["", [
                        "",
                        "arn:",
                        {"Ref": "AWS::Partition"},
                        ":cloudfront::",
                        {"Ref": "AWS::AccountId"},
                        ":distribution/",
                        {"Ref": naming::CLOUD_FRONT_DISTRIBUTION},
                    ]]},
                },
            }),
        );
    }
    if let Some(role) = t.resources_mut().get_mut(naming::ROLE_LAMBDA_EXECUTION) {
        if let Some(statements) = role
            .pointer_mut("/Properties/AssumeRolePolicyDocument/Statement")
            .and_then(Value::as_array_mut)
            && let Some(services) = statements.iter_mut().find_map(|s| {
                s.pointer_mut("/Principal/Service")
                    .and_then(Value::as_array_mut)
                    .filter(|l| l.contains(&json!("lambda.amazonaws.com")))
            })
        {
            services.push(json!("edgelambda.amazonaws.com"));
        }
        if let Some(list) = role
            .pointer_mut("/Properties/Policies/0/PolicyDocument/Statement")
            .and_then(Value::as_array_mut)
        {
            list.push(json!({
                "Effect": "Allow",
                "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:TagResource"],
                "Resource": [{"Fn::Sub": "arn:${AWS::Partition}:logs:*:*:*"}],
            }));
        }
    }

    let mut config = Map::new();
    config.insert(
        "Comment".into(),
        json!(format!("{} {}", ctx.service, ctx.stage)),
    );
    config.insert("Enabled".into(), json!(true));
    config.insert(
        "DefaultCacheBehavior".into(),
        Value::Object(list[0].clone()),
    );
    config.insert(
        "Origins".into(),
        Value::Array(origins.into_iter().map(Value::Object).collect()),
    );
    if list.len() > 1 {
        config.insert(
            "CacheBehaviors".into(),
            Value::Array(list[1..].iter().cloned().map(Value::Object).collect()),
        );
    }
    t.resources_mut().insert(
        naming::CLOUD_FRONT_DISTRIBUTION.into(),
        json!({
            "Type": "AWS::CloudFront::Distribution",
            "Properties": {"DistributionConfig": config},
        }),
    );
    t.merge_output(
        naming::CLOUD_FRONT_DISTRIBUTION,
        json!({"Description": "CloudFront Distribution Id", "Value": {"Ref": naming::CLOUD_FRONT_DISTRIBUTION}}),
    );
    t.merge_output(
        naming::CLOUD_FRONT_DISTRIBUTION_DOMAIN_NAME,
        json!({
            "Description": "CloudFront Distribution Domain Name",
            "Value": {"Fn::GetAtt": [naming::CLOUD_FRONT_DISTRIBUTION, "DomainName"]},
        }),
    );
}

/// Warns about values `extendDeep` merged into objects with index keys.
fn warn_mangled(keys: &[String], what: &str, name: &str, span: Span, diags: &mut Diags) {
    for k in keys {
        diags.push(
            Diag::warning(&MERGED, format!("the framework merges this event's `{k}` into the {what} `{name}` as an object with index keys"))
                .label(span, format!("its `{k}` is not an object, the earlier event's is"))
                .help(format!("two events share this {what}; the framework keeps the first event's `{k}` object and adds this value's characters (or items) to it as keys `\"0\"`, `\"1\"`, …, which CloudFormation rejects (slsx writes the same). Give both events the same `{k}` (e.g. the same `cachePolicy`), or only the first")),
        );
    }
}

/// The first resource of type `ty` whose string at `pointer` is `value`.
fn find_resource(t: &Template, ty: &str, pointer: &str, value: &str) -> Option<String> {
    let res = t.resources();
    res.iter_str_at(&["Type"])
        .filter(|(_, t)| t.as_deref() == Some(ty))
        .find(|(id, _)| {
            res.pointer(id, pointer)
                .is_some_and(|v| v.as_str() == Some(value))
        })
        .map(|(k, _)| k.clone())
}

/// One behavior per path pattern, one association per event type in a behavior.
fn check_behaviors(behaviors: &[Behavior], diags: &mut Diags) -> bool {
    let mut ok = true;
    for (i, b) in behaviors.iter().enumerate() {
        let path = b.value.get("PathPattern");
        if let Some(prev) = behaviors[..i]
            .iter()
            .find(|p| p.value.get("PathPattern") == path)
        {
            let shown = path
                .and_then(Value::as_str)
                .unwrap_or("(none: the default)");
            diags.push(
                Diag::error(&BEHAVIORS, format!("two cloudFront behaviors for the path pattern `{shown}`"))
                    .label(b.spans[0], "this event's behavior (another origin)")
                    .secondary(prev.spans[0], "the first behavior for this path")
                    .help("a distribution routes a path pattern to one origin; give the events different `pathPattern`s or the same `origin` (the framework refuses this too)"),
            );
            ok = false;
        }
        let types: Vec<Value> = b
            .value
            .get("LambdaFunctionAssociations")
            .and_then(Value::as_array)
            .map(|l| {
                l.iter()
                    .map(|a| a.get("EventType").cloned().unwrap_or(Value::Null))
                    .collect()
            })
            .unwrap_or_default();
        let mut seen: Vec<&Value> = Vec::new();
        if types.iter().any(|t| {
            let dup = seen.contains(&t);
            seen.push(t);
            dup
        }) {
            let mut d = Diag::error(
                &BEHAVIORS,
                "two functions for one event type on one cloudFront behavior",
            )
            .label(
                b.spans[b.spans.len() - 1],
                "same path pattern, origin and event type as another event",
            );
            for s in &b.spans[..b.spans.len() - 1] {
                d = d.secondary(*s, "on this behavior too");
            }
            diags.push(d.help("a cache behavior runs one function per event type; use another `eventType`, `pathPattern` or origin (the framework refuses this too)"));
            ok = false;
        }
    }
    ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_parts() {
        assert_eq!(
            parse_url("https://Example.com:8443/a b?x#y"),
            Some(("https:".into(), "example.com".into(), "/a%20b".into()))
        );
        assert_eq!(
            parse_url("s3://bucket.s3.amazonaws.com"),
            Some(("s3:".into(), "bucket.s3.amazonaws.com".into(), "".into()))
        );
        assert_eq!(parse_url("example.com/x"), None);
        assert_eq!(parse_url("https://user@host/"), None);
    }

    #[test]
    fn extend_keeps_existing_and_unites_lists() {
        let mut a = json!({"x": 1, "l": [1, 2], "o": {"k": 1}})
            .as_object()
            .cloned()
            .unwrap();
        let b = json!({"x": 2, "l": [2, 3], "o": {"k": 2, "n": 3}, "y": 4})
            .as_object()
            .cloned()
            .unwrap();
        extend_deep(&mut a, &b);
        assert_eq!(
            Value::Object(a),
            json!({"x": 1, "l": [1, 2, 3], "o": {"k": 1, "n": 3}, "y": 4})
        );
    }
}
