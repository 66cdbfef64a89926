//! `ApiGatewayMethod<Resource><Method>` per event: an `AWS` integration that calls Step
//! Functions' `StartExecution` (or `action`) with the API Gateway → Step Functions role, the
//! request templates, the integration and method responses, and the authorization.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::templates;
use super::util::{get_att, key_to_integer, number, obj, reference, truthy};
use super::validate::{Arn, Event, is_cognito_arn};
use super::{Api, codes};
use crate::compile::{Template, naming};
use crate::diagnostics::{Diag, Diags};
use crate::source::Span;
use crate::yaml::Node;

const ALLOW_ORIGIN: &str = "method.response.header.Access-Control-Allow-Origin";

fn s(v: &str) -> Value {
    Value::String(v.to_string())
}

/// A method the framework already wrote for a function's http event: the plugin would merge
/// the state machine's integration into it.
pub fn check_framework_methods(api: &Api, t: &Template, diags: &mut Diags) {
    let mut reported: Vec<String> = Vec::new();
    for ev in &api.events {
        let id = naming::method_logical_id(&api.resource_name(&ev.path), &ev.method);
        if !t.has_resource(&id) || reported.contains(&id) {
            continue;
        }
        reported.push(id.clone());
        diags.push(
            Diag::error(
                &codes::METHOD_CONFLICT,
                format!(
                    "`{} /{}` is both a function's and state machine `{}`'s endpoint",
                    ev.method.to_uppercase(),
                    ev.path,
                    ev.key
                ),
            )
            .label(ev.node.span, "this state machine's http event")
            .help(format!("serverless-step-functions merges its method into the function's `{id}`, which then starts the state machine with the function's leftovers: give one of them another path or method")),
        );
    }
}

/// `compileMethods`
pub fn compile(api: &mut Api, t: &mut Template, diags: &mut Diags) {
    let mut ids = Vec::new();
    let mut first: HashMap<String, Span> = HashMap::new();
    for ev in &api.events {
        let resource_name = api.resource_name(&ev.path);
        let mut props = Map::new();
        props.insert("HttpMethod".into(), s(&ev.method.to_uppercase()));
        props.insert("RequestParameters".into(), Value::Object(Map::new()));
        props.insert("AuthorizationType".into(), s("NONE"));
        props.insert(
            "ApiKeyRequired".into(),
            Value::Bool(truthy(ev.get("private"))),
        );
        props.insert(
            "ResourceId".into(),
            api.resource_id(&ev.path).unwrap_or(Value::Null),
        );
        props.insert("RestApiId".into(), api.rest_api_id.clone());
        props.insert("Integration".into(), integration(ev));
        props.insert("MethodResponses".into(), method_responses(ev));
        let depends_on = authorization(ev, &mut props);

        let mut resource = Map::new();
        resource.insert("Type".into(), s("AWS::ApiGateway::Method"));
        resource.insert("Properties".into(), Value::Object(props));
        if let Some(d) = depends_on {
            resource.insert("DependsOn".into(), s(&d));
        }

        let id = naming::method_logical_id(&resource_name, &ev.method);
        match first.get(&id) {
            Some(prev) => diags.push(
                Diag::warning(
                    &codes::DUPLICATE_ENDPOINT,
                    format!(
                        "two http events define `{} {}`: they are merged into one method `{id}`",
                        ev.method.to_uppercase(),
                        if ev.path.is_empty() { "/" } else { &ev.path }
                    ),
                )
                .label(
                    ev.node.span,
                    "this event's settings are merged over the first's",
                )
                .secondary(*prev, "first defined here")
                .help("give each method of a path one event (the template keeps a mix of both)"),
            ),
            None => {
                first.insert(id.clone(), ev.node.span);
            }
        }
        ids.push(id.clone());
        t.merge_resource(&id, Value::Object(resource));
    }
    api.method_ids = ids;
}

fn sub(template: &str, vars: Value) -> Value {
    obj([(
        "Fn::Sub",
        Value::Array(vec![Value::String(template.to_string()), vars]),
    )])
}

fn default_templates(sm: &str) -> Map<String, Value> {
    let one = || {
        sub(
            templates::DEFAULT,
            obj([("StateMachineArn", reference(sm))]),
        )
    };
    let mut m = Map::new();
    m.insert("application/json".into(), one());
    m.insert("application/x-www-form-urlencoded".into(), one());
    m
}

fn lambda_proxy_templates(sm: &str) -> Map<String, Value> {
    let vars = || {
        obj([
            ("StateMachineArn", reference(sm)),
            ("AccountId", reference("AWS::AccountId")),
        ])
    };
    let mut m = Map::new();
    m.insert(
        "application/json".into(),
        sub(&templates::lambda_proxy_json(), vars()),
    );
    m.insert(
        "application/x-www-form-urlencoded".into(),
        sub(&templates::lambda_proxy_form(), vars()),
    );
    m
}

/// `getIntegrationRequestTemplates`
fn request_templates(ev: &Event) -> Map<String, Value> {
    match ev.request_template() {
        Some(t) if t.as_str() == Some("lambda_proxy") => lambda_proxy_templates(&ev.sm),
        Some(t) => {
            // the custom map is laid over the defaults (`Object.assign`)
            let mut m = default_templates(&ev.sm);
            if let Some(custom) = t.as_map() {
                for (k, e) in custom.iter() {
                    m.insert(k.to_string(), e.value.to_json());
                }
            }
            m
        }
        // a synchronous response needs the execution's input: the defaults
        None if ev.has("action") && ev.sync.is_none() => Map::new(),
        None => default_templates(&ev.sm),
    }
}

/// `responseHeaders` → `{"method.response.header.<name>": value}`.
fn header_parameters(headers: Option<&Node>) -> Map<String, Value> {
    let mut m = Map::new();
    if let Some(h) = headers.and_then(Node::as_map) {
        for (k, e) in h.iter() {
            m.insert(format!("method.response.header.{k}"), e.value.to_json());
        }
    }
    m
}

fn integration_response(status: Value, pattern: Value, params: Value, templates: Value) -> Value {
    obj([
        ("StatusCode", status),
        ("SelectionPattern", pattern),
        ("ResponseParameters", params),
        ("ResponseTemplates", templates),
    ])
}

/// `getMethodIntegration`
fn integration(ev: &Event) -> Value {
    let mut m = Map::new();
    m.insert("IntegrationHttpMethod".into(), s("POST"));
    m.insert("Type".into(), s("AWS"));
    m.insert(
        "Credentials".into(),
        ev.get("iamRole")
            .map(Node::to_json)
            .unwrap_or_else(|| get_att(naming::APIGATEWAY_TO_STEP_FUNCTIONS_ROLE, "Arn")),
    );
    let action = ev.action().filter(|a| !a.is_empty());
    let (uri_action, passthrough) = match &action {
        // with `syncResponse` the request templates are always there: refuse other types
        Some(a) if ev.sync.is_some() => (format!(":states:action/{a}"), "NEVER"),
        Some(a) => (format!(":states:action/{a}"), "WHEN_NO_TEMPLATES"),
        None => (":states:action/StartExecution".to_string(), "NEVER"),
    };
    m.insert(
        "Uri".into(),
        super::authorizers::apigateway_uri(vec![s(&uri_action)]),
    );
    m.insert("PassthroughBehavior".into(), s(passthrough));
    m.insert(
        "RequestTemplates".into(),
        Value::Object(request_templates(ev)),
    );
    if let Some(t) = ev.timeout {
        m.insert("TimeoutInMillis".into(), t.to_json());
    }

    let mut responses = Vec::new();
    if ev.has("responses") {
        if let Some(map) = ev.get("responses").and_then(Node::as_map) {
            for (key, e) in map.iter() {
                let v = &e.value;
                let field =
                    |name: &str, default: Value| v.get(name).map(Node::to_json).unwrap_or(default);
                responses.push(integration_response(
                    field("statusCode", number(key_to_integer(key))),
                    field("selectionPattern", s(key)),
                    field("responseParameters", Value::Object(Map::new())),
                    field("responseTemplates", Value::Object(Map::new())),
                ));
            }
        }
    } else {
        let response = ev.get("response");
        let template = match &ev.sync {
            Some(sync) => obj([("application/json", s(&sync.template()))]),
            None => response
                .and_then(|r| r.get("template"))
                .map(Node::to_json)
                .unwrap_or_else(|| Value::Object(Map::new())),
        };
        responses.push(integration_response(
            number(200.0),
            s(""),
            Value::Object(header_parameters(response.and_then(|r| r.get("headers")))),
            template,
        ));
        responses.push(integration_response(
            number(400.0),
            s("400"),
            Value::Object(Map::new()),
            Value::Object(Map::new()),
        ));
    }
    if let Some(c) = &ev.cors {
        add_allow_origin(&mut responses, &c.response_origin);
    }
    m.insert("IntegrationResponses".into(), Value::Array(responses));
    Value::Object(m)
}

fn add_allow_origin(responses: &mut [Value], origin: &str) {
    for r in responses {
        if let Some(Value::Object(p)) = r.get_mut("ResponseParameters") {
            p.insert(ALLOW_ORIGIN.into(), Value::String(format!("'{origin}'")));
        }
    }
}

/// `getMethodResponses`
fn method_responses(ev: &Event) -> Value {
    let headers = ev.get("response").and_then(|r| r.get("headers"));
    let mut list = vec![
        obj([
            (
                "ResponseParameters",
                Value::Object(header_parameters(headers)),
            ),
            ("ResponseModels", Value::Object(Map::new())),
            ("StatusCode", number(200.0)),
        ]),
        obj([
            ("ResponseParameters", Value::Object(Map::new())),
            ("ResponseModels", Value::Object(Map::new())),
            ("StatusCode", number(400.0)),
        ]),
    ];
    // the statuses a synchronous response may override the 200 with (answered by the 200
    // integration response, so with its headers)
    for status in ev.sync.map(|sy| sy.extra_statuses()).unwrap_or_default() {
        list.push(obj([
            (
                "ResponseParameters",
                Value::Object(header_parameters(headers)),
            ),
            ("ResponseModels", Value::Object(Map::new())),
            ("StatusCode", status),
        ]));
    }
    if let Some(c) = &ev.cors {
        add_allow_origin(&mut list, &c.response_origin);
    }
    Value::Array(list)
}

/// `getMethodAuthorization`: sets `AuthorizationType` (and the authorizer), returns the
/// method's `DependsOn`.
fn authorization(ev: &Event, props: &mut Map<String, Value>) -> Option<String> {
    let a = ev.authorizer.as_ref()?;
    if a.is_type("AWS_IAM") {
        props.insert("AuthorizationType".into(), s("AWS_IAM"));
        return None;
    }
    if let (Some(ty), Some(id)) = (&a.ty, a.authorizer_id) {
        props.insert("AuthorizationType".into(), s(ty));
        props.insert("AuthorizerId".into(), id.to_json());
        if let Some(scopes) = a.scopes {
            props.insert("AuthorizationScopes".into(), scopes.to_json());
        }
        return None;
    }
    let id = naming::authorizer_logical_id(a.name.as_deref().unwrap_or_default());
    let cognito = a
        .arn
        .as_ref()
        .and_then(Arn::as_str)
        .is_some_and(is_cognito_arn);
    props.insert(
        "AuthorizationType".into(),
        s(if cognito {
            "COGNITO_USER_POOLS"
        } else {
            "CUSTOM"
        }),
    );
    props.insert("AuthorizerId".into(), reference(&id));
    if cognito && let Some(scopes) = a.scopes {
        props.insert("AuthorizationScopes".into(), scopes.to_json());
    }
    Some(id)
}
