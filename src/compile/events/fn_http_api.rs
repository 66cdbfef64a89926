//! Function `httpApi` events: the HTTP API (API Gateway v2) the framework's `HttpApiEvents`
//! writes, in its order: the API (`HttpApi`), the access log group, the `$default` stage with
//! the `HttpApiId` / `HttpApiUrl` outputs, every authorizer of `provider.httpApi.authorizers`
//! (a Lambda one after its invoke permission), then per route — in function and event order —
//! the function's invoke permission `<NF>LambdaPermissionHttpApi` and its `AWS_PROXY`
//! integration `HttpApiIntegration<NF>` (both once per function), and the route.
//!
//! The shared pieces are written by the same code as the state machines' httpApi events
//! ([`super::http_api`]): a service with both has one API. This pass runs first (the
//! framework compiles function events before plugin events): it checks `provider.httpApi`
//! (the framework does so whether or not there are routes) and fills the CORS methods from
//! the state machines' routes too, which then only add their routes.
//!
//! Route syntax and checks are the framework's, shared with the state machines' events
//! ([`super::http_api::routes::read_route`]). Where the framework would crash, silently drop a
//! route, or write a template CloudFormation rejects, slsx reports a located error instead.

use serde_json::{Value, json};

use super::http_api::routes::{self, Declared, RouteSpec};
use super::http_api::{emit, settings};
use super::{check_keys, event_list};
use crate::compile::{Ctx, Template, naming};
use crate::declare_codes;
use crate::diagnostics::{Diag, Diags};
use crate::yaml::{Kind, Node, js_to_string};

declare_codes! { CODES;
    INVALID_PAYLOAD = "slsx::http-api::invalid-payload", "An HTTP API payload format version (`functions.<key>.httpApi.payload`, `provider.httpApi.payload`) other than `1.0` or `2.0`.";
    DEPRECATED = "slsx::http-api::deprecated", "`provider.httpApi.useProviderTags`, which no longer has an effect (provider tags always go to the HTTP API; the framework warns too).";
    TIMEOUT = "slsx::http-api::timeout", "A function behind HTTP API routes whose timeout reaches the HTTP API's 30 seconds (the framework warns too).";
}

/// The options of a function's `httpApi` event (the framework's schema).
const OPTIONS: [&str; 3] = ["method", "path", "authorizer"];

/// HTTP API payload format versions.
const PAYLOADS: [&str; 2] = ["1.0", "2.0"];

/// One route of a function.
pub struct FunctionRoute<'a> {
    /// The function's key under `functions`.
    pub function: &'a str,
    pub spec: RouteSpec,
}

impl FunctionRoute<'_> {
    /// This route for [`routes::check_unique`].
    pub fn declared(&self) -> Declared<'_> {
        Declared {
            route_key: &self.spec.route_key,
            span: self.spec.span,
            owner: format!("function `{}`", self.function),
        }
    }
}

/// Every function's routes, in `functions` and `events` order. An event with a problem is
/// reported and left out (empty events are the framework's to skip: the event-kind check warns).
pub fn collect<'a>(ctx: &Ctx<'a>, diags: &mut Diags) -> Vec<FunctionRoute<'a>> {
    let mut out = Vec::new();
    for (fkey, f) in ctx.functions() {
        for ev in event_list(f) {
            let Some(entry) = ev.as_map().and_then(|m| m.entry("httpApi")) else {
                continue;
            };
            if !entry.value.is_truthy() {
                continue;
            }
            let Some((spec, true)) = routes::read_route(
                ctx,
                &format!("function `{fkey}`"),
                &entry.value,
                entry.key_span,
                &OPTIONS,
                "a function `httpApi` event",
                "the framework ignores it",
                diags,
            ) else {
                continue;
            };
            out.push(FunctionRoute {
                function: fkey,
                spec,
            });
        }
    }
    out
}

/// Whether serverless-step-functions (or slsx in its place) compiles state machines here.
fn state_machines_compiled(ctx: &Ctx) -> bool {
    ctx.config.get("stepFunctions").is_some() && ctx.step_functions_enabled()
}

/// The framework's `HttpApiEvents` (its `initialize` check, then `package:compileEvents`).
pub fn compile(ctx: &Ctx, t: &mut Template, diags: &mut Diags) {
    if let Some(u) = ctx
        .provider_at(&["httpApi", "useProviderTags"])
        .filter(|n| n.is_truthy())
    {
        let span = ctx
            .provider_at(&["httpApi"])
            .map(|h| super::key_span(h, "useProviderTags"))
            .unwrap_or(u.span);
        diags.push(
            Diag::warning(
                &DEPRECATED,
                "`provider.httpApi.useProviderTags` no longer has an effect",
            )
            .label(span, "deprecated")
            .help("provider tags are applied to the HTTP API by default: remove this setting"),
        );
    }
    let errors_before = diags.error_count();
    let routes = collect(ctx, diags);
    // the state machines' routes share the API (reported by their own pass)
    let machine_routes = if state_machines_compiled(ctx) {
        super::http_api::routes::collect(ctx, &mut Diags::new())
    } else {
        Vec::new()
    };
    let mut s = settings::read(ctx, !routes.is_empty() || !machine_routes.is_empty(), diags);
    if routes.is_empty() {
        return;
    }
    let declared: Vec<Declared> = routes.iter().map(FunctionRoute::declared).collect();
    routes::check_unique(&declared, 0, diags);
    let payloads = payloads(ctx, &routes, diags);
    warn_timeouts(ctx, &routes, diags);
    if diags.error_count() > errors_before {
        return;
    }
    if let Some(c) = s.cors.as_mut() {
        for m in routes
            .iter()
            .map(|r| &r.spec.method)
            .chain(machine_routes.iter().map(|r| &r.method))
        {
            c.add_route_method(m);
        }
    }
    emit::api(&s, t);
    emit::log_group(&s, t);
    emit::stage(&s, t);
    emit::authorizers(&s, t);
    endpoints(ctx, &s, &routes, &payloads, t);
}

/// `compileEndpoints`: per route, the function's permission and integration (once per
/// function), then the route.
fn endpoints(
    ctx: &Ctx,
    s: &settings::Settings,
    routes: &[FunctionRoute],
    payloads: &[(&str, Value)],
    t: &mut Template,
) {
    let mut done: Vec<&str> = Vec::new();
    for r in routes {
        let integration_id = naming::http_api_integration_logical_id(r.function);
        if !done.contains(&r.function) {
            done.push(r.function);
            let arn = crate::compile::aliases::lambda_target(ctx, r.function);
            let alias = crate::compile::aliases::alias_logical_id(ctx, r.function);
            let mut permission =
                emit::api_gateway_permission(arn.clone(), emit::execute_api_source_arn(s.api_id()));
            if let Some(id) = &alias {
                permission["DependsOn"] = json!(id);
            }
            t.merge_resource(
                &naming::lambda_http_api_permission_logical_id(r.function),
                permission,
            );
            let payload = payloads
                .iter()
                .find(|(f, _)| *f == r.function)
                .map(|(_, p)| p.clone())
                .unwrap_or_else(|| json!("2.0"));
            let mut integration = json!({
                "Type": "AWS::ApiGatewayV2::Integration",
                "Properties": {
                    "ApiId": s.api_id(),
                    "IntegrationType": "AWS_PROXY",
                    "IntegrationUri": arn,
                    "PayloadFormatVersion": payload,
                    "TimeoutInMillis": 30000,
                },
            });
            if let Some(id) = alias {
                // the framework's template has it between `Type` and `Properties`
                crate::compile::aliases::insert_depends_on(&mut integration, json!(id));
            }
            t.merge_resource(&integration_id, integration);
        }
        t.merge_resource(
            &naming::http_api_route_logical_id(&r.spec.route_key),
            emit::route(s, &r.spec.route_key, r.spec.auth.as_ref(), &integration_id),
        );
    }
}

/// Each routed function's payload format version (`functions.<key>.httpApi.payload`, else
/// `provider.httpApi.payload`, else `2.0`), checked: another value makes API Gateway reject
/// the integration.
fn payloads<'a>(
    ctx: &Ctx<'a>,
    routes: &[FunctionRoute<'a>],
    diags: &mut Diags,
) -> Vec<(&'a str, Value)> {
    let provider = ctx
        .provider_at(&["httpApi", "payload"])
        .filter(|n| n.is_truthy());
    let mut provider_used = false;
    let mut out: Vec<(&str, Value)> = Vec::new();
    for r in routes {
        if out.iter().any(|(f, _)| *f == r.function) {
            continue;
        }
        let settings = ctx.function(r.function).and_then(|f| f.get("httpApi"));
        if let Some(o) = settings {
            check_keys(
                diags,
                o,
                &["payload"],
                &format!("`functions.{}.httpApi`", r.function),
                "the framework ignores it",
            );
        }
        let own = settings
            .and_then(|o| o.get("payload"))
            .filter(|n| n.is_truthy());
        match own {
            Some(p) => check_payload(p, diags),
            None => provider_used |= provider.is_some(),
        }
        let value = own
            .or(provider)
            .map(Node::to_json)
            .unwrap_or_else(|| json!("2.0"));
        out.push((r.function, value));
    }
    if provider_used && let Some(p) = provider {
        check_payload(p, diags);
    }
    out
}

fn check_payload(p: &Node, diags: &mut Diags) {
    if p.as_str().is_some_and(|v| PAYLOADS.contains(&v)) {
        return;
    }
    let shown = match &p.kind {
        Kind::String(v) => format!("`{v}`"),
        _ => format!("`{}`", js_to_string(p)),
    };
    diags.push(
        Diag::error(
            &INVALID_PAYLOAD,
            format!("{shown} is not an HTTP API payload format version"),
        )
        .label(p.span, "not `1.0` or `2.0`")
        .help("write `payload: '2.0'` (or `'1.0'` for the REST-API-like event format), quoted: an unquoted 2.0 is the number 2"),
    );
}

/// A function's timeout as the framework reads it (`Number(timeout)`, then — with
/// `or_provider` — `provider.timeout`; 0 and what is not a number count as unset), and where.
pub(crate) fn timeout_of<'a>(
    ctx: &Ctx<'a>,
    function: &str,
    or_provider: bool,
) -> Option<(f64, &'a Node)> {
    let pick = |n: Option<&'a Node>| {
        n.map(|n| (crate::yaml::js_to_number(n), n))
            .filter(|(x, _)| *x != 0.0 && !x.is_nan())
    };
    pick(ctx.function(function).and_then(|f| f.get("timeout"))).or_else(|| {
        if or_provider {
            pick(ctx.provider_at(&["timeout"]))
        } else {
            None
        }
    })
}

/// The framework warns when a routed function's timeout (`timeout`, else `provider.timeout`,
/// else 6) reaches the HTTP API's own 30 seconds.
fn warn_timeouts(ctx: &Ctx, routes: &[FunctionRoute], diags: &mut Diags) {
    let mut seen: Vec<&str> = Vec::new();
    for r in routes {
        if seen.contains(&r.function) {
            continue;
        }
        seen.push(r.function);
        let Some((timeout, node)) = timeout_of(ctx, r.function, true) else {
            continue;
        };
        if timeout < 30.0 {
            continue;
        }
        let seconds = js_to_string(&Node::new(crate::source::Span::NONE, Kind::Number(timeout)));
        let mut d = Diag::warning(
            &TIMEOUT,
            if timeout > 30.0 {
                format!("the timeout of function `{}` ({seconds} seconds) is longer than the 30 seconds an HTTP API waits", r.function)
            } else {
                format!("the timeout of function `{}` ({seconds} seconds) leaves no room within the 30 seconds an HTTP API waits", r.function)
            },
        )
        .label(r.spec.span, "an HTTP API route of the function");
        d = d.secondary(node.span, "the timeout");
        diags.push(d.help(
            "the endpoint answers 503 while the invocation may still succeed; keep the function's timeout under 30 seconds (the framework warns about this too)",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::compile::events::tests::expand;

    const BOTH: &str = "service: s\nprovider:\n  name: aws\n  httpApi:\n    cors: true\nplugins: [serverless-step-functions]\nfunctions:\n  f:\n    handler: h.h\n    events:\n      - httpApi: 'GET /a'\nstepFunctions:\n  stateMachines:\n    m:\n      definition: {StartAt: A, States: {A: {Type: Succeed}}}\n      events:\n        - httpApi: ";

    #[test]
    fn functions_and_state_machines_share_one_api() {
        let (t, codes) = expand(&format!("{BOTH}'POST /b'\n"));
        assert!(codes.is_empty(), "{codes:?}");
        let ids: Vec<&str> = t["Resources"]
            .as_object()
            .expect("resources")
            .keys()
            .map(String::as_str)
            .filter(|id| id.starts_with("HttpApi") || id.contains("HttpApi"))
            .collect();
        assert_eq!(
            ids,
            [
                "HttpApi",
                "HttpApiStage",
                "FLambdaPermissionHttpApi",
                "HttpApiIntegrationF",
                "HttpApiRouteGetA",
                "HttpApiIntegrationStepFunctionsPostB",
                "HttpApiRoutePostB",
                "MHttpApiToStepFunctionsRole",
            ]
        );
        // the CORS methods come from both kinds of routes, the functions' first
        assert_eq!(
            t["Resources"]["HttpApi"]["Properties"]["CorsConfiguration"]["AllowMethods"],
            serde_json::json!(["OPTIONS", "GET", "POST"])
        );
        let outputs: Vec<&String> = t["Outputs"].as_object().expect("outputs").keys().collect();
        assert_eq!(
            outputs.iter().filter(|k| k.starts_with("HttpApi")).count(),
            2
        );
    }

    #[test]
    fn a_route_of_both_is_reported_once() {
        let (t, codes) = expand(&format!("{BOTH}'GET /a'\n"));
        assert!(t.is_null());
        assert_eq!(codes, ["slsx::http-api::duplicate-route"]);
        let (_, codes) = expand(&format!("{BOTH}'GET /A'\n"));
        assert_eq!(codes, ["slsx::http-api::route-id-collision"]);
    }

    #[test]
    fn timeouts_read_like_javascript_numbers() {
        let n = |k: Kind| crate::yaml::js_to_number(&Node::new(crate::source::Span::NONE, k));
        assert_eq!(n(Kind::Number(31.0)), 31.0);
        assert_eq!(n(Kind::String(" 30 ".into())), 30.0);
        assert!(n(Kind::String("x".into())).is_nan());
        assert_eq!(n(Kind::Null), 0.0);
    }
}
