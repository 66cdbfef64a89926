//! `ApiGatewayRestApi` (the framework's logical ID, shared with its own http events), unless
//! `provider.apiGateway.restApiId` names an existing API.

use serde_json::{Map, Value};

use super::util::{obj, span_of};
use super::{Api, codes};
use crate::compile::{Template, naming};
use crate::diagnostics::{Diag, Diags};
use crate::source::Span;
use crate::yaml::{Node, js_to_string};

const ENDPOINT_TYPES: [&str; 3] = ["REGIONAL", "EDGE", "PRIVATE"];

/// `provider.endpointType` as the plugin reads it (only when truthy).
fn endpoint_type<'a>(api: &Api<'a>) -> Option<&'a Node> {
    api.ctx
        .provider_at(&["endpointType"])
        .filter(|n| n.is_truthy())
}

fn vpc_endpoint_ids<'a>(api: &Api<'a>) -> Option<&'a Node> {
    api.ctx
        .provider_at(&["vpcEndpointIds"])
        .filter(|n| n.is_truthy())
}

/// The framework's own API Gateway checks, made in `package:compileEvents` whether or not
/// any function has http events: an imported API (`restApiId`) needs its root resource id,
/// and cannot take the stage's tracing or access-log settings.
pub fn framework_checks(ctx: &crate::compile::Ctx, diags: &mut Diags) {
    let Some(id) = ctx
        .provider_at(&["apiGateway", "restApiId"])
        .filter(|n| n.is_truthy())
    else {
        return;
    };
    if !ctx
        .provider_at(&["apiGateway", "restApiRootResourceId"])
        .is_some_and(Node::is_truthy)
    {
        diags.push(
            Diag::error(
                &codes::REST_API_ROOT_REQUIRED,
                "missing required `provider.apiGateway.restApiRootResourceId` (needed if `provider.apiGateway.restApiId` is provided)",
            )
            .label(id.span, "an existing REST API")
            .help("add `restApiRootResourceId: <the API's root resource id>` next to `restApiId`"),
        );
    }
    for (path, what) in [
        (["tracing", "apiGateway"], "provider.tracing.apiGateway"),
        (["logs", "restApi"], "provider.logs.restApi"),
    ] {
        if let Some(n) = ctx.provider_at(&path).filter(|n| !n.is_null()) {
            diags.push(
                Diag::error(
                    &codes::EXTERNAL_API_SETTING,
                    format!("`{what}` is ineffective when the REST API is imported via `provider.apiGateway.restApiId`"),
                )
                .label(n.span, "cannot apply to an imported API")
                .secondary(id.span, "imported here")
                .help(format!("remove `{what}` (configure the stage in the stack that owns the API)")),
            );
        }
    }
}

/// The plugin's checks of `endpointType` / `vpcEndpointIds` (made only when it creates the API).
/// What the framework's function http pass reports the same way (an ignored or invalid
/// endpoint type) is not reported again when functions have http events.
pub fn check(api: &Api, diags: &mut Diags) {
    if api.rest_api_logical_id.is_none() {
        return;
    }
    let reported = crate::compile::events::fn_http::has_events(api.ctx);
    let provider = api.ctx.provider().and_then(Node::as_map);
    let Some(et) = endpoint_type(api) else {
        if !reported && let Some(ids) = vpc_endpoint_ids(api) {
            diags.push(
                Diag::warning(
                    &codes::IGNORED_SETTING,
                    "`provider.vpcEndpointIds` is ignored: `provider.endpointType` is not set, so the API is EDGE",
                )
                .label(ids.span, "ignored")
                .help("set `endpointType: PRIVATE` to make a private API reachable through these VPC endpoints"),
            );
        }
        return;
    };
    let Some(s) = et.as_str() else {
        if reported {
            return;
        }
        diags.push(
            Diag::error(
                &codes::ENDPOINT_TYPE,
                format!("endpointType must be a string (found {})", et.type_name()),
            )
            .label(et.span, "not a string")
            .help("use REGIONAL, EDGE or PRIVATE"),
        );
        return;
    };
    if let Some(ids) = vpc_endpoint_ids(api)
        && s != "PRIVATE"
    {
        diags.push(
            Diag::error(
                &codes::VPC_ENDPOINT_IDS,
                "VPC endpoint IDs are only available for private APIs",
            )
            .label(ids.span, "VPC endpoint IDs")
            .secondary(
                span_of(provider, "endpointType", Span::NONE),
                if s.to_uppercase() == "PRIVATE" {
                    "the plugin compares this case-sensitively: write `PRIVATE`"
                } else {
                    "not `PRIVATE`"
                },
            )
            .help("set `endpointType: PRIVATE`, or remove `vpcEndpointIds`"),
        );
        return;
    }
    if !reported && !ENDPOINT_TYPES.contains(&s.to_uppercase().as_str()) {
        diags.push(
            Diag::error(
                &codes::ENDPOINT_TYPE,
                format!("endpointType must be one of \"REGIONAL\" or \"EDGE\" or \"PRIVATE\"; found `{s}`"),
            )
            .label(et.span, "not an endpoint type")
            .help("use REGIONAL, EDGE or PRIVATE (any case)"),
        );
    }
}

/// `compileRestApi`
pub fn compile(api: &Api, t: &mut Template) {
    let Some(id) = api.rest_api_logical_id else {
        return;
    };
    let ctx = api.ctx;
    let ty = endpoint_type(api)
        .and_then(Node::as_str)
        .map(str::to_uppercase)
        .unwrap_or_else(|| "EDGE".to_string());
    let mut endpoint = Map::new();
    endpoint.insert("Types".into(), Value::Array(vec![Value::String(ty)]));
    if endpoint_type(api).is_some()
        && let Some(ids) = vpc_endpoint_ids(api)
    {
        endpoint.insert("VpcEndpointIds".into(), ids.to_json());
    }
    let api_name = ctx
        .provider_at(&["apiName"])
        .filter(|n| n.is_truthy())
        .map(js_to_string);
    let name = naming::api_gateway_name(
        api_name.as_deref(),
        api.api_gateway(&["shouldStartNameWithService"])
            .is_some_and(Node::is_truthy),
        &ctx.service,
        &ctx.stage,
    );
    let mut props = Map::new();
    props.insert("Name".into(), Value::String(name));
    props.insert("EndpointConfiguration".into(), Value::Object(endpoint));
    let policy = api
        .api_gateway(&["resourcePolicy"])
        .filter(|n| n.is_truthy())
        .or_else(|| ctx.provider_at(&["resourcePolicy"]));
    if let Some(p) = policy.filter(|p| !is_empty(p)) {
        props.insert(
            "Policy".into(),
            obj([
                ("Version", Value::String("2012-10-17".into())),
                ("Statement", p.to_json()),
            ]),
        );
    }
    t.merge_resource(
        id,
        obj([
            ("Type", Value::String("AWS::ApiGateway::RestApi".into())),
            ("Properties", Value::Object(props)),
        ]),
    );
}

/// lodash `isEmpty`: empty collections and strings, and every number, boolean and null.
fn is_empty(n: &Node) -> bool {
    match &n.kind {
        crate::yaml::Kind::Seq(v) => v.is_empty(),
        crate::yaml::Kind::Map(m) => m.is_empty(),
        crate::yaml::Kind::String(s) => s.is_empty(),
        _ => true,
    }
}
