//! CORS preflight: a `MOCK` OPTIONS method per path with `cors`, answering with the headers
//! merged over the path's events.

use serde_json::{Map, Value};

use super::util::{join, obj};
use super::{Api, codes};
use crate::compile::{Template, naming};
use crate::diagnostics::{Diag, Diags};
use crate::yaml::Kind;

fn s(v: &str) -> Value {
    Value::String(v.to_string())
}

/// `maxAge` must be a positive integer (checked per path, on the value that wins the merge).
pub fn check(api: &Api, diags: &mut Diags) {
    for (path, pf) in &api.preflight {
        let Some((n, span)) = &pf.max_age else {
            continue;
        };
        let ok = matches!(n.kind, Kind::Number(x) if x.fract() == 0.0 && x > 0.0 && x.is_finite());
        if !ok {
            diags.push(
                Diag::error(
                    &codes::INVALID_CORS,
                    format!(
                        "CORS `maxAge` of path `/{path}` should be an integer over 0 (found {})",
                        match n.as_str() {
                            Some(s) => format!("the string `{s}`"),
                            None => crate::yaml::js_to_string(n),
                        }
                    ),
                )
                .label(*span, "not a positive integer")
                .help("give the preflight cache time in seconds, e.g. `maxAge: 86400`"),
            );
        }
    }
}

/// A preflight the framework already wrote for the functions' http events on the same path:
/// the plugin's replaces its headers (with the state machines' methods and origins only).
pub fn check_framework_preflight(api: &Api, t: &Template, diags: &mut Diags) {
    for path in api.preflight.keys() {
        let id = naming::method_logical_id(&api.resource_name(path), "options");
        if !t.has_resource(&id) {
            continue;
        }
        let Some(ev) = api
            .events
            .iter()
            .find(|e| &e.path == path && e.cors.is_some())
        else {
            continue;
        };
        let span = ev.get("cors").map(|c| c.span).unwrap_or(ev.node.span);
        diags.push(
            Diag::warning(
                &codes::CORS_REPLACED,
                format!("the CORS preflight of `/{path}` answers for the state machines' endpoints only"),
            )
            .label(span, "serverless-step-functions replaces the functions' preflight with this")
            .help(format!("`{id}` then allows only the state machines' methods, origins and headers (the functions' CORS settings of this path are lost); give the state machine's event the same CORS settings as the functions', including their methods (`methods: [...]`)")),
        );
    }
}

/// `compileCors`
pub fn compile(api: &Api, t: &mut Template) {
    for (path, pf) in &api.preflight {
        let resource_name = api.resource_name(path);
        let id = naming::method_logical_id(&resource_name, "options");
        let origin = if pf.origins.is_empty() {
            pf.origin.clone()
        } else {
            join(&pf.origins)
        };
        let mut methods = format!("'{}'", join(&pf.methods));
        if pf.methods.iter().any(|m| m.is_str("ANY")) {
            methods = methods.replacen("ANY", "DELETE,GET,HEAD,PATCH,POST,PUT", 1);
        }
        let mut headers: Vec<(&str, String)> = vec![
            ("Access-Control-Allow-Origin", format!("'{origin}'")),
            (
                "Access-Control-Allow-Headers",
                format!("'{}'", join(&pf.headers)),
            ),
            ("Access-Control-Allow-Methods", methods),
            (
                "Access-Control-Allow-Credentials",
                format!("'{}'", pf.allow_credentials),
            ),
        ];
        if let Some((n, _)) = &pf.max_age {
            headers.push((
                "Access-Control-Max-Age",
                format!("'{}'", crate::yaml::js_to_string(n)),
            ));
        }
        let props = preflight_properties(
            &headers,
            String::new(),
            api.resource_id(path).unwrap_or(Value::Null),
            api.rest_api_id.clone(),
        );
        t.merge_resource(
            &id,
            obj([
                ("Type", s("AWS::ApiGateway::Method")),
                ("Properties", props),
            ]),
        );
    }
}

/// The `Properties` of a CORS preflight method (the framework's shape, which the plugin
/// copied): a `MOCK` integration answering 200 with `headers` (name, quoted value), and
/// `response_template` as its `application/json` response template.
pub(crate) fn preflight_properties(
    headers: &[(&str, String)],
    response_template: String,
    resource_id: Value,
    rest_api_id: Value,
) -> Value {
    let mut declared = Map::new();
    let mut values = Map::new();
    for (h, v) in headers {
        declared.insert(format!("method.response.header.{h}"), Value::Bool(true));
        values.insert(
            format!("method.response.header.{h}"),
            Value::String(v.clone()),
        );
    }
    obj([
        ("AuthorizationType", s("NONE")),
        ("HttpMethod", s("OPTIONS")),
        (
            "MethodResponses",
            Value::Array(vec![obj([
                ("StatusCode", s("200")),
                ("ResponseParameters", Value::Object(declared)),
                ("ResponseModels", Value::Object(Map::new())),
            ])]),
        ),
        ("RequestParameters", Value::Object(Map::new())),
        (
            "Integration",
            obj([
                ("Type", s("MOCK")),
                (
                    "RequestTemplates",
                    obj([("application/json", s("{statusCode:200}"))]),
                ),
                ("ContentHandling", s("CONVERT_TO_TEXT")),
                (
                    "IntegrationResponses",
                    Value::Array(vec![obj([
                        ("StatusCode", s("200")),
                        ("ResponseParameters", Value::Object(values)),
                        (
                            "ResponseTemplates",
                            obj([("application/json", Value::String(response_template))]),
                        ),
                    ])]),
                ),
            ]),
        ),
        ("ResourceId", resource_id),
        ("RestApiId", rest_api_id),
    ])
}
