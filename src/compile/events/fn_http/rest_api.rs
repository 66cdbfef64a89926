//! `ApiGatewayRestApi` as the framework writes it (`compileRestApi`), unless
//! `provider.apiGateway.restApiId` names an existing API.

use serde_json::{Map, Value, json};

use super::Api;
use super::codes;
use crate::compile::events::a_kind;
use crate::compile::events::http::codes as http_codes;
use crate::compile::{Template, naming};
use crate::diagnostics::{Diag, Diags};
use crate::yaml::{Kind, Node, js_to_string};

const ENDPOINT_TYPES: [&str; 3] = ["REGIONAL", "EDGE", "PRIVATE"];
const API_KEY_SOURCES: [&str; 2] = ["HEADER", "AUTHORIZER"];

fn provider_truthy<'a>(api: &Api<'a>, key: &str) -> Option<&'a Node> {
    api.ctx.provider_at(&[key]).filter(|n| n.is_truthy())
}

/// What the framework would crash on or write broken (checked only when it creates the API).
pub fn check(api: &Api, diags: &mut Diags) {
    if api.rest_api_logical_id.is_none() {
        return;
    }
    let endpoint = provider_truthy(api, "endpointType");
    let vpc_ids = provider_truthy(api, "vpcEndpointIds");
    match endpoint {
        None => {
            if let Some(ids) = vpc_ids {
                diags.push(
                    Diag::warning(
                        &codes::IGNORED,
                        "`provider.vpcEndpointIds` is ignored: `provider.endpointType` is not set, so the API is EDGE",
                    )
                    .label(ids.span, "ignored")
                    .help("set `endpointType: PRIVATE` to make a private API reachable through these VPC endpoints"),
                );
            }
        }
        Some(et) => match et.as_str() {
            None => diags.push(
                Diag::error(
                    &http_codes::ENDPOINT_TYPE,
                    format!(
                        "`provider.endpointType` must be a string (found {})",
                        a_kind(et)
                    ),
                )
                .label(et.span, "not a string")
                .help("use REGIONAL, EDGE or PRIVATE"),
            ),
            Some(s) => {
                let upper = s.to_uppercase();
                if !ENDPOINT_TYPES.contains(&upper.as_str()) {
                    diags.push(
                        Diag::error(
                            &http_codes::ENDPOINT_TYPE,
                            format!("`{s}` is not an API Gateway endpoint type"),
                        )
                        .label(et.span, "not an endpoint type")
                        .help("use REGIONAL, EDGE or PRIVATE (any case)"),
                    );
                } else if upper != "PRIVATE"
                    && let Some(ids) = vpc_ids
                {
                    diags.push(
                        Diag::error(
                            &http_codes::VPC_ENDPOINT_IDS,
                            "VPC endpoint IDs are only available for private APIs",
                        )
                        .label(ids.span, "VPC endpoint IDs")
                        .secondary(et.span, "not `PRIVATE`")
                        .help("set `endpointType: PRIVATE`, or remove `vpcEndpointIds`"),
                    );
                }
            }
        },
    }
    if let Some(k) = api
        .api_gateway(&["apiKeySourceType"])
        .filter(|n| n.is_truthy())
        && !k
            .as_str()
            .is_some_and(|s| API_KEY_SOURCES.contains(&s.to_uppercase().as_str()))
    {
        diags.push(
            Diag::error(
                &http_codes::INVALID_VALUE,
                format!(
                    "`{}` is not an API key source type",
                    js_to_string(k)
                ),
            )
            .label(k.span, "not HEADER or AUTHORIZER")
            .help("use HEADER (the key in the `X-API-Key` header) or AUTHORIZER (from a Lambda authorizer)"),
        );
    }
}

/// lodash `Object.keys(v).length` (what the framework counts in a resource policy).
fn has_keys(n: &Node) -> bool {
    match &n.kind {
        Kind::Seq(v) => !v.is_empty(),
        Kind::Map(m) => !m.is_empty(),
        Kind::String(s) => !s.is_empty(),
        _ => false,
    }
}

/// `compileRestApi`
pub fn compile(api: &Api, t: &mut Template) {
    let Some(id) = api.rest_api_logical_id else {
        return;
    };
    let ctx = api.ctx;
    let mut props = Map::new();
    let api_name = ctx
        .provider_at(&["apiName"])
        .filter(|n| n.is_truthy())
        .map(js_to_string);
    props.insert(
        "Name".into(),
        Value::String(naming::api_gateway_name(
            api_name.as_deref(),
            api.api_gateway(&["shouldStartNameWithService"])
                .is_some_and(Node::is_truthy),
            &ctx.service,
            &ctx.stage,
        )),
    );
    if let Some(b) = api
        .api_gateway(&["binaryMediaTypes"])
        .filter(|n| n.is_truthy())
    {
        props.insert("BinaryMediaTypes".into(), b.to_json());
    }
    if let Some(d) = api
        .api_gateway(&["disableDefaultEndpoint"])
        .filter(|n| !n.is_null())
    {
        props.insert("DisableExecuteApiEndpoint".into(), d.to_json());
    }
    let endpoint = provider_truthy(api, "endpointType");
    let mut configuration = Map::new();
    configuration.insert(
        "Types".into(),
        json!([endpoint
            .and_then(Node::as_str)
            .map(str::to_uppercase)
            .unwrap_or_else(|| "EDGE".to_string())]),
    );
    if endpoint.is_some()
        && let Some(ids) = provider_truthy(api, "vpcEndpointIds")
    {
        configuration.insert("VpcEndpointIds".into(), ids.to_json());
    }
    props.insert("EndpointConfiguration".into(), Value::Object(configuration));
    // a policy is always present (an empty string without statements)
    let policy = api
        .api_gateway(&["resourcePolicy"])
        .filter(|p| p.is_truthy() && has_keys(p));
    props.insert(
        "Policy".into(),
        match policy {
            Some(p) => json!({"Version": "2012-10-17", "Statement": p.to_json()}),
            None => json!(""),
        },
    );
    if let Some(k) = api
        .api_gateway(&["apiKeySourceType"])
        .filter(|n| n.is_truthy())
    {
        props.insert(
            "ApiKeySourceType".into(),
            json!(js_to_string(k).to_uppercase()),
        );
    }
    if let Some(m) = api
        .api_gateway(&["minimumCompressionSize"])
        .filter(|n| !n.is_null())
    {
        props.insert("MinimumCompressionSize".into(), m.to_json());
    }
    if let Some(d) = api.api_gateway(&["description"]).filter(|n| n.is_truthy()) {
        props.insert("Description".into(), d.to_json());
    }
    t.merge_resource(
        id,
        json!({"Type": "AWS::ApiGateway::RestApi", "Properties": Value::Object(props)}),
    );
}
