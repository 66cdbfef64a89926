//! `ApiGatewayMethod<Resource><Method>` per event (`compileMethods`): the request
//! parameters, the authorization, the integration (`getMethodIntegration`) and the method
//! responses (`getMethodResponses`), merged in that order the way lodash `_.merge` does
//! (so an authorizer's `DependsOn` replaces the function permission's); then the request
//! validator and models (`compileRequestValidators`).

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::validate::{Event, Response};
use super::{Api, codes, templates};
use crate::compile::events::http::authorizers::lambda_uri;
use crate::compile::events::http::codes as http_codes;
use crate::compile::events::http::validate::{Arn, is_cognito_arn};
use crate::compile::events::http::validators::{Models, named_schema, schema_not_found};
use crate::compile::merge::lodash_merge;
use crate::compile::{Template, naming};
use crate::diagnostics::{Diag, Diags};
use crate::source::Span;
use crate::yaml::{Kind, Node};

/// Two events on one path and method (the framework merges them into one method: the last
/// integration wins), CORS credentials it maps broken, schemas it cannot find.
pub fn check(api: &Api, diags: &mut Diags) {
    let mut first: HashMap<String, (Span, &str)> = HashMap::new();
    for ev in &api.events {
        let id = naming::method_logical_id(&api.resource_name(&ev.path), &ev.method);
        match first.get(&id) {
            Some((prev, f)) => diags.push(
                Diag::error(
                    &http_codes::DUPLICATE_ENDPOINT,
                    format!(
                        "`{} /{}` is defined twice",
                        ev.method.to_uppercase(),
                        ev.path
                    ),
                )
                .label(ev.span(), format!("again here (function `{}`)", ev.function))
                .secondary(*prev, format!("first here (function `{f}`)"))
                .help(format!("the framework merges both into one method `{id}`, whose integration is the last one's: give each method of a path one event")),
            ),
            None => {
                first.insert(id, (ev.span(), ev.function));
            }
        }
        if let (Some(c), Some(_)) = (&ev.cors, &ev.response)
            && c.allow_credentials
        {
            let span = ev
                .get("cors")
                .and_then(|c| c.as_map())
                .and_then(|m| m.key_span("allowCredentials"))
                .unwrap_or(ev.span());
            diags.push(
                Diag::warning(
                    &codes::CORS_CREDENTIALS,
                    "the framework maps `Access-Control-Allow-Credentials` of this endpoint's responses to `true` without quotes",
                )
                .label(span, "with a response mapping (lambda, http or mock integration)")
                .help("API Gateway reads an unquoted `true` as a mapping expression, not the value `'true'`; set the header yourself in `response.headers` (`Access-Control-Allow-Credentials: \"'true'\"`) and drop `allowCredentials`"),
            );
        }
        let schemas = ev.request.as_ref().and_then(|r| r.schemas);
        for (ct, e) in schemas.iter().flat_map(|m| m.iter()) {
            let cfg = &e.value;
            if cfg.as_map().is_some() || cfg.as_seq().is_some() {
                continue;
            }
            if named_schema(api.api_gateway(&["request", "schemas"]), cfg).is_none() {
                diags.push(schema_not_found(
                    cfg,
                    ct,
                    &format!("function `{}`", ev.function),
                ));
            } else if api.rest_api_logical_id.is_none() {
                diags.push(
                    Diag::error(
                        &http_codes::INVALID_VALUE,
                        "a schema of `provider.apiGateway.request.schemas` cannot be used on an API given by `restApiId`",
                    )
                    .label(cfg.span, "the framework writes this model with an empty `RestApiId`")
                    .help("give the schema inline on the event (inline models name the imported API)"),
                );
            }
        }
    }
}

/// The method's `RequestParameters` value of a parameter setting: `true`/`false`, or an
/// object's `required` (default `true`).
fn required(v: &Node) -> Value {
    match &v.kind {
        Kind::Map(m) => match m.get("required").filter(|r| !r.is_null()) {
            Some(r) => r.to_json(),
            None => Value::Bool(true),
        },
        Kind::Seq(_) => Value::Bool(true),
        _ => v.to_json(),
    }
}

/// `compileMethods`
pub fn compile(api: &mut Api, t: &mut Template) {
    let mut ids = Vec::new();
    for ev in &api.events {
        let resource_name = api.resource_name(&ev.path);
        let mut parameters = Map::new();
        for (k, v) in ev
            .request
            .as_ref()
            .and_then(|r| r.parameters.as_ref())
            .into_iter()
            .flatten()
        {
            parameters.insert(k.clone(), required(v));
        }
        let mut props = Map::new();
        props.insert("HttpMethod".into(), json!(ev.method.to_uppercase()));
        props.insert("RequestParameters".into(), Value::Object(parameters));
        props.insert(
            "ResourceId".into(),
            api.resource_id(&ev.path).unwrap_or(Value::Null),
        );
        props.insert("RestApiId".into(), api.rest_api_id.clone());
        if let Some(o) = ev.get("operationId").filter(|n| !n.is_null()) {
            props.insert("OperationName".into(), o.to_json());
        }
        props.insert(
            "ApiKeyRequired".into(),
            Value::Bool(ev.get("private").is_some_and(Node::is_truthy)),
        );
        let alias = crate::compile::aliases::target_alias(api.ctx, ev.function);
        let mut depends = vec![json!(naming::lambda_api_gateway_permission_logical_id(
            ev.function
        ))];
        depends.extend(alias.as_ref().map(|a| json!(a.logical_id)));
        let mut template = json!({
            "Type": "AWS::ApiGateway::Method",
            "Properties": Value::Object(props),
            "DependsOn": depends,
        });
        lodash_merge(&mut template, &authorization(ev));
        lodash_merge(
            &mut template,
            &json!({"Properties": {"Integration": integration(ev, alias.as_ref().map(|a| a.name))}}),
        );
        lodash_merge(
            &mut template,
            &json!({"Properties": {"MethodResponses": method_responses(ev)}}),
        );
        add_claims(ev, &mut template);
        let id = naming::method_logical_id(&resource_name, &ev.method);
        ids.push(id.clone());
        t.merge_resource(&id, template);
    }
    api.method_ids.extend(ids);
}

/// `getMethodAuthorization`
fn authorization(ev: &Event) -> Value {
    let none = json!({"Properties": {"AuthorizationType": "NONE"}});
    let Some(a) = &ev.authorizer else { return none };
    if a.ty.as_deref() == Some("AWS_IAM") {
        return json!({"Properties": {"AuthorizationType": "AWS_IAM"}});
    }
    if let (Some(ty), Some(id)) = (&a.ty, a.authorizer_id) {
        let upper = ty.to_uppercase();
        let kind = if upper == "TOKEN" || upper == "REQUEST" {
            "CUSTOM".to_string()
        } else {
            ty.clone()
        };
        let mut p = Map::new();
        p.insert("AuthorizationType".into(), json!(kind));
        p.insert("AuthorizerId".into(), id.to_json());
        if upper == "COGNITO_USER_POOLS"
            && let Some(s) = a
                .scopes
                .filter(|s| s.as_seq().is_some_and(|v| !v.is_empty()))
        {
            p.insert("AuthorizationScopes".into(), s.to_json());
        }
        return json!({"Properties": Value::Object(p)});
    }
    let id = naming::authorizer_logical_id(a.name.as_deref().unwrap_or_default());
    let cognito = a.ty.as_deref().map(str::to_uppercase).as_deref() == Some("COGNITO_USER_POOLS")
        || a.arn
            .as_ref()
            .and_then(Arn::as_str)
            .is_some_and(is_cognito_arn);
    let mut p = Map::new();
    p.insert(
        "AuthorizationType".into(),
        json!(if cognito {
            "COGNITO_USER_POOLS"
        } else {
            "CUSTOM"
        }),
    );
    p.insert("AuthorizerId".into(), json!({"Ref": id}));
    if cognito
        && let Some(s) = a
            .scopes
            .filter(|s| s.as_seq().is_some_and(|v| !v.is_empty()))
    {
        p.insert("AuthorizationScopes".into(), s.to_json());
    }
    json!({"Properties": Value::Object(p), "DependsOn": [id]})
}

/// `getMethodIntegration` (`alias`: the name of the function's alias, which the URI appends
/// to the ARN as two more joined items)
fn integration(ev: &Event, alias: Option<&str>) -> Value {
    let ty = ev.integration;
    let request = ev.request.as_ref();
    let mut m = Map::new();
    m.insert("IntegrationHttpMethod".into(), json!("POST"));
    m.insert("Type".into(), json!(ty));
    match ty {
        "AWS" | "AWS_PROXY" => {
            let mut uri =
                lambda_uri(json!({"Fn::GetAtt": [naming::lambda_logical_id(ev.function), "Arn"]}));
            if let Some(name) = alias
                && let Some(parts) = uri.pointer_mut("/Fn::Join/1").and_then(Value::as_array_mut)
            {
                let at = parts.len() - 1;
                parts.splice(at..at, [json!(":"), json!(name)]);
            }
            m.insert("Uri".into(), uri);
        }
        "HTTP" | "HTTP_PROXY" => {
            if let Some(u) = request.and_then(|r| r.uri) {
                m.insert("Uri".into(), u.to_json());
            }
            let method = request
                .and_then(|r| r.method)
                .map(crate::yaml::js_to_string)
                .unwrap_or_else(|| ev.method.clone());
            m.insert("IntegrationHttpMethod".into(), json!(method.to_uppercase()));
            if let Some(ct) = &ev.connection_type {
                m.insert("ConnectionType".into(), json!(ct));
                if let Some(id) = ev.get("connectionId").filter(|n| !n.is_null()) {
                    m.insert("ConnectionId".into(), id.to_json());
                }
            }
        }
        _ => {}
    }
    if matches!(ty, "AWS" | "HTTP" | "MOCK") {
        if let Some(p) = request.and_then(|r| r.pass_through.clone()) {
            m.insert("PassthroughBehavior".into(), p);
        }
        if let Some(c) = request.and_then(|r| r.content_handling) {
            m.insert("ContentHandling".into(), c.to_json());
        }
        let templates = request_templates(ev, ty == "AWS");
        if !templates.is_empty() {
            m.insert("RequestTemplates".into(), Value::Object(templates));
        }
        m.insert(
            "IntegrationResponses".into(),
            Value::Array(integration_responses(ev)),
        );
    }
    let parameters = request.and_then(|r| r.parameters.as_ref());
    if (matches!(ty, "AWS" | "HTTP" | "HTTP_PROXY") && parameters.is_some_and(|p| !p.is_empty()))
        || ev.is_async()
    {
        let mut p = Map::new();
        for (k, v) in parameters.into_iter().flatten() {
            let target = format!("integration.{}", &k["method.".len()..]);
            let value = v
                .get("mappedValue")
                .filter(|n| n.is_truthy())
                .map(Node::to_json)
                .unwrap_or_else(|| json!(k));
            p.insert(target, value);
        }
        if ev.is_async() {
            p.insert(
                "integration.request.header.X-Amz-Invocation-Type".into(),
                json!("'Event'"),
            );
        }
        m.insert("RequestParameters".into(), Value::Object(p));
    }
    Value::Object(m)
}

/// `getIntegrationRequestTemplates`: the lambda defaults, then the event's own (`null`
/// removes one).
fn request_templates(ev: &Event, defaults: bool) -> Map<String, Value> {
    let mut m = Map::new();
    if defaults {
        m.insert("application/json".into(), json!(templates::json()));
        m.insert(
            "application/x-www-form-urlencoded".into(),
            json!(templates::form()),
        );
    }
    if let Some(custom) = ev.request.as_ref().and_then(|r| r.template) {
        for (k, e) in custom.iter() {
            if e.value.is_null() {
                m.shift_remove(k.as_str());
            } else {
                m.insert(k.to_string(), e.value.to_json());
            }
        }
    }
    m
}

/// The headers every response of the event declares: CORS (origin, credentials), then
/// `response.headers`.
fn response_headers(ev: &Event, response: &Response) -> Map<String, Value> {
    let mut h = Map::new();
    if let Some(c) = &ev.cors {
        h.insert(
            "Access-Control-Allow-Origin".into(),
            json!(format!("'{}'", c.response_origin())),
        );
        if c.allow_credentials {
            h.insert("Access-Control-Allow-Credentials".into(), json!("true"));
        }
    }
    for (k, e) in response.headers.iter().flat_map(|m| m.iter()) {
        h.insert(k.to_string(), e.value.to_json());
    }
    h
}

fn prefixed(headers: &Map<String, Value>, value: Option<Value>) -> Map<String, Value> {
    headers
        .iter()
        .map(|(k, v)| {
            (
                format!("method.response.header.{k}"),
                value.clone().unwrap_or_else(|| v.clone()),
            )
        })
        .collect()
}

/// `getIntegrationResponses`
fn integration_responses(ev: &Event) -> Vec<Value> {
    let Some(response) = &ev.response else {
        return Vec::new();
    };
    let headers = response_headers(ev, response);
    let mut out = Vec::new();
    for (code, c) in &response.status_codes {
        let mut parameters = prefixed(&headers, None);
        for (k, e) in c.headers.iter().flat_map(|m| m.iter()) {
            parameters.insert(format!("method.response.header.{k}"), e.value.to_json());
        }
        let mut templates = Map::new();
        if let Some(t) = response.template {
            templates.insert("application/json".into(), t.to_json());
        }
        match c.template.map(|t| &t.kind) {
            Some(Kind::Map(m)) => {
                for (k, e) in m.iter() {
                    templates.insert(k.to_string(), e.value.to_json());
                }
            }
            Some(_) => {
                if let Some(t) = c.template {
                    templates.insert("application/json".into(), t.to_json());
                }
            }
            None => {}
        }
        let mut r = Map::new();
        r.insert("StatusCode".into(), json!(code));
        r.insert("SelectionPattern".into(), c.pattern.clone());
        r.insert("ResponseParameters".into(), Value::Object(parameters));
        r.insert("ResponseTemplates".into(), Value::Object(templates));
        if code.starts_with('2')
            && let Some(h) = response.content_handling
        {
            r.insert("ContentHandling".into(), h.to_json());
        }
        out.push(Value::Object(r));
    }
    out
}

/// `getMethodResponses`
fn method_responses(ev: &Event) -> Value {
    let Some(response) = ev
        .response
        .as_ref()
        .filter(|_| matches!(ev.integration, "AWS" | "HTTP" | "MOCK"))
    else {
        return json!([]);
    };
    let headers = response_headers(ev, response);
    let list: Vec<Value> = response
        .status_codes
        .iter()
        .map(|(code, c)| {
            let mut parameters = prefixed(&headers, Some(Value::Bool(true)));
            for (k, _) in c.headers.iter().flat_map(|m| m.iter()) {
                parameters.insert(format!("method.response.header.{k}"), Value::Bool(true));
            }
            json!({
                "ResponseParameters": Value::Object(parameters),
                "ResponseModels": {},
                "StatusCode": code,
            })
        })
        .collect();
    Value::Array(list)
}

/// The authorizer's Cognito `claims` go into the request templates, where
/// `extraCognitoPoolClaims` stands (`"email": "$context.authorizer.claims.email",`; a claim
/// `ns:name` becomes `"name": "$context.authorizer.claims['ns:name']"`).
fn add_claims(ev: &Event, template: &mut Value) {
    let claims: Vec<String> = ev
        .authorizer
        .as_ref()
        .and_then(|a| a.claims)
        .and_then(Node::as_seq)
        .map(|items| {
            items
                .iter()
                .map(|c| {
                    let claim = crate::yaml::js_to_string(c);
                    match (&c.kind, claim.find(':')) {
                        (Kind::String(_), Some(i)) => format!(
                            "\"{}\": \"$context.authorizer.claims['{claim}']\"",
                            &claim[i + 1..]
                        ),
                        _ => format!("\"{claim}\": \"$context.authorizer.claims.{claim}\""),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let text = if claims.is_empty() {
        String::new()
    } else {
        format!("{},", claims.join(","))
    };
    let Some(Value::Object(templates)) =
        template.pointer_mut("/Properties/Integration/RequestTemplates")
    else {
        return;
    };
    for v in templates.values_mut() {
        if let Value::String(s) = v {
            *s = s.replacen("extraCognitoPoolClaims", &text, 1);
        }
    }
}

/// `compileRequestValidators`: a validator for required request parameters, and the models
/// of `request.schemas` (the framework makes the validator before the first model).
pub fn compile_models(api: &Api, t: &mut Template) {
    let provider_api = match api.rest_api_logical_id {
        Some(id) => json!({"Ref": id}),
        None => json!({}),
    };
    let models = Models {
        service: &api.ctx.service,
        stage: &api.ctx.stage,
        rest_api_id: &api.rest_api_id,
        provider_model_rest_api_id: &provider_api,
        provider_schemas: api.api_gateway(&["request", "schemas"]),
        validator_first: true,
    };
    for ev in &api.events {
        let Some(request) = &ev.request else { continue };
        let resource_name = api.resource_name(&ev.path);
        let method_id = naming::method_logical_id(&resource_name, &ev.method);
        let mut validator: Option<String> = None;
        let any_required = request
            .parameters
            .iter()
            .flatten()
            .any(|(_, v)| match &v.kind {
                Kind::Map(m) => m
                    .get("required")
                    .filter(|r| !r.is_null())
                    .is_none_or(Node::is_truthy),
                Kind::Seq(_) => true,
                _ => v.is_truthy(),
            });
        if any_required {
            let id = models.request_validator(t);
            if let Some(Value::Object(p)) = t
                .resources_mut()
                .get_mut(&method_id)
                .and_then(|m| m.get_mut("Properties"))
            {
                p.insert("RequestValidatorId".into(), json!({"Ref": id}));
            }
            validator = Some(id);
        }
        if let Some(schemas) = request.schemas {
            models.compile(t, &resource_name, &ev.method, schemas, &mut validator);
        }
    }
}
