//! `<Name>ApiGatewayAuthorizer` for every event authorizer with an ARN (a function of the
//! service or an ARN as written), and the Lambda permissions of the TOKEN / CUSTOM ones.

use std::collections::HashMap;

use indexmap::IndexMap;
use serde_json::{Map, Value};

use super::util::{get_att, number, obj, reference};
use super::validate::{Arn, Authorizer, is_cognito_arn};
use super::{Api, codes};
use crate::compile::{Template, naming};
use crate::diagnostics::{Diag, Diags};
use crate::source::Span;

fn s(v: &str) -> Value {
    Value::String(v.to_string())
}

/// `compileAuthorizers`
pub fn compile(api: &Api, t: &mut Template, diags: &mut Diags) {
    // ARN → (permission id, where) to spot authorizers sharing `functionLambdaPermission`
    let mut by_permission: HashMap<String, (String, Span)> = HashMap::new();
    // authorizers the plugin grants no permission, by function (warned unless another
    // authorizer of the same function gets one)
    let mut unpermitted: Vec<(Option<String>, Diag)> = Vec::new();
    for ev in &api.events {
        let Some(a) = &ev.authorizer else { continue };
        let Some(arn) = &a.arn else { continue };
        let name = a.name.clone().unwrap_or_default();
        let identity_source = Some(
            a.identity_source
                .map(|n| n.to_json())
                .unwrap_or_else(|| s("method.request.header.Authorization")),
        );
        let mut props = properties(a, arn, &api.rest_api_id, identity_source);
        let arn_str = arn.as_str();
        if props.get("Type").and_then(Value::as_str) != Some("COGNITO_USER_POOLS") {
            let ty = props
                .get("Type")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            if ty != "TOKEN" && ty != "CUSTOM" {
                let function = match arn {
                    Arn::Function(id) => Some(id.clone()),
                    Arn::Given(n) => n.as_str().map(str::to_string).or_else(|| {
                        n.get("Fn::GetAtt")
                            .and_then(|g| g.as_seq())
                            .and_then(|v| v.first())
                            .and_then(|f| f.as_str())
                            .map(str::to_string)
                    }),
                };
                unpermitted.push((
                    function,
                    Diag::warning(
                        &codes::AUTHORIZER_WITHOUT_PERMISSION,
                        format!("the {ty} authorizer `{name}` gets no Lambda permission: API Gateway will not be allowed to invoke it"),
                    )
                    .label(a.span, "no `AWS::Lambda::Permission` is created for this")
                    .help("serverless-step-functions only grants TOKEN / CUSTOM authorizers; add an `AWS::Lambda::Permission` for `apigateway.amazonaws.com` in `resources`"),
                ));
            }
            if (ty == "TOKEN" || ty == "CUSTOM")
                && let (Arn::Given(node), Some(arn)) = (arn, arn_str)
                && let Some(pid) = naming::authorizer_arn_permission_logical_id(arn)
            {
                match by_permission.get(&pid) {
                    Some((other, at)) if other != arn => {
                        let function = arn.rsplit(':').next().unwrap_or(arn);
                        diags.push(
                            Diag::warning(
                                &codes::PERMISSION_COLLISION,
                                format!("authorizers given by ARN share the Lambda permission `{pid}`: API Gateway may invoke only `{function}`"),
                            )
                            .label(node.span, "this ARN's permission replaces the first one")
                            .secondary(*at, "first authorizer by ARN")
                            .help("the plugin names the permission of a Lambda ARN after its `function` field; grant the other function's permission in `resources`, or use a function of this service"),
                        );
                    }
                    Some(_) => {}
                    None => {
                        by_permission.insert(pid, (arn.to_string(), node.span));
                    }
                }
            }
            props.insert("Type".into(), s(&ty));
        }
        write(t, &naming::authorizer_logical_id(&name), props, None);
    }
    let permitted = permitted_functions(t);
    let mut warned: Vec<Option<String>> = Vec::new();
    for (function, d) in unpermitted {
        if function.as_ref().is_some_and(|f| permitted.contains(f)) || warned.contains(&function) {
            continue;
        }
        warned.push(function);
        diags.push(d);
    }
}

const TTL: &str = "AuthorizerResultTtlInSeconds";

/// The `Properties` of an event authorizer with an ARN (the framework's `compileAuthorizers`,
/// which the plugin copied): a Cognito user pool (by `type` or by a `cognito-idp` ARN), else a
/// Lambda authorizer of `type` (upper case; TOKEN by default). `identity_source` as the
/// caller's compiler defaults it.
pub(crate) fn properties(
    a: &Authorizer,
    arn: &Arn,
    rest_api_id: &Value,
    identity_source: Option<Value>,
) -> Map<String, Value> {
    let mut props = Map::new();
    if let Some(ttl) = a.ttl {
        props.insert(TTL.into(), number(ttl));
    }
    if let Some(i) = identity_source {
        props.insert("IdentitySource".into(), i);
    }
    props.insert("Name".into(), s(a.name.as_deref().unwrap_or_default()));
    props.insert("RestApiId".into(), rest_api_id.clone());
    if let Some(e) = a.identity_validation_expression {
        props.insert("IdentityValidationExpression".into(), s(e));
    }
    let ty_upper = a.ty.as_deref().map(str::to_uppercase);
    if ty_upper.as_deref() == Some("COGNITO_USER_POOLS") || arn.as_str().is_some_and(is_cognito_arn)
    {
        props.insert("Type".into(), s("COGNITO_USER_POOLS"));
        props.insert("ProviderARNs".into(), Value::Array(vec![arn.to_json()]));
    } else {
        props.insert("AuthorizerUri".into(), lambda_uri(arn.to_json()));
        props.insert(
            "Type".into(),
            s(&ty_upper.unwrap_or_else(|| "TOKEN".to_string())),
        );
    }
    props
}

/// `{"Fn::Join": ["", ["arn:", Partition, ":apigateway:", Region, <rest>…]]}`: an API Gateway
/// integration URI.
pub(crate) fn apigateway_uri(rest: Vec<Value>) -> Value {
    let mut parts = vec![
        s("arn:"),
        reference("AWS::Partition"),
        s(":apigateway:"),
        reference("AWS::Region"),
    ];
    parts.extend(rest);
    obj([("Fn::Join", Value::Array(vec![s(""), Value::Array(parts)]))])
}

/// `arn:<partition>:apigateway:<region>:lambda:path/2015-03-31/functions/<arn>/invocations`
pub(crate) fn lambda_uri(function_arn: Value) -> Value {
    apigateway_uri(vec![
        s(":lambda:path/2015-03-31/functions/"),
        function_arn,
        s("/invocations"),
    ])
}

/// Merges an authorizer into the template (`DependsOn` when given). Both compilers write the
/// TTL key first, `undefined` for the string forms: a later event that defines it fills that
/// first slot.
pub(crate) fn write(
    t: &mut Template,
    id: &str,
    props: Map<String, Value>,
    depends_on: Option<Value>,
) {
    let mut r = Map::new();
    r.insert("Type".into(), s("AWS::ApiGateway::Authorizer"));
    if let Some(d) = depends_on {
        r.insert("DependsOn".into(), d);
    }
    r.insert("Properties".into(), Value::Object(props));
    t.merge_resource(id, Value::Object(r));
    if let Some(Value::Object(p)) = t
        .resources_mut()
        .get_mut(id)
        .and_then(|r| r.get_mut("Properties"))
        && let Some(ttl) = p.shift_remove(TTL)
    {
        p.shift_insert(0, TTL.to_string(), ttl);
    }
}

/// The function behind an authorizer URI (`getFunctionLogicalId`): the `Fn::GetAtt` target,
/// else the ARN as written.
fn function_of(uri: &Value) -> Option<String> {
    let parts = uri.get("Fn::Join")?.get(1)?.as_array()?;
    if let Some(get_att) = parts.iter().find_map(|p| p.get("Fn::GetAtt")) {
        return get_att.get(0)?.as_str().map(str::to_string);
    }
    parts
        .get(parts.len().checked_sub(2)?)?
        .as_str()
        .map(str::to_string)
}

/// `compileHttpLambdaPermissions`: one `AWS::Lambda::Permission` per function behind a TOKEN
/// or CUSTOM authorizer of the template. A function of the stack is `<Fn>LambdaPermission`;
/// an ARN gets its sixth `:`-field as the name, so every Lambda ARN shares
/// `functionLambdaPermission` (the last one wins).
pub fn compile_permissions(t: &mut Template) {
    let mut permissions: IndexMap<String, Value> = IndexMap::new();
    for f in permitted_functions(t) {
        let (id, function_name) = match naming::authorizer_arn_permission_logical_id(&f) {
            Some(id) => (id, s(&f)),
            None => (
                naming::authorizer_permission_logical_id(&f),
                get_att(&f, "Arn"),
            ),
        };
        permissions.insert(
            id,
            obj([
                ("Type", s("AWS::Lambda::Permission")),
                (
                    "Properties",
                    obj([
                        ("FunctionName", function_name),
                        ("Action", s("lambda:InvokeFunction")),
                        (
                            "Principal",
                            obj([("Fn::Sub", s("apigateway.${AWS::URLSuffix}"))]),
                        ),
                    ]),
                ),
            ]),
        );
    }
    for (id, p) in permissions {
        t.merge_resource(&id, p);
    }
}

/// The functions behind the template's TOKEN / CUSTOM authorizers, in template order.
fn permitted_functions(t: &Template) -> Vec<String> {
    let mut functions: Vec<String> = Vec::new();
    let res = t.resources();
    let ids = res
        .iter_str_at(&["Type"])
        .filter(|(_, ty)| ty.as_deref() == Some("AWS::ApiGateway::Authorizer"));
    for r in ids.filter_map(|(id, _)| res.get(id)) {
        let props = r.get("Properties");
        let ty = props.and_then(|p| p.get("Type")).and_then(Value::as_str);
        if !matches!(ty, Some("CUSTOM") | Some("TOKEN")) {
            continue;
        }
        if let Some(f) = props
            .and_then(|p| p.get("AuthorizerUri"))
            .and_then(function_of)
            && !functions.contains(&f)
        {
            functions.push(f);
        }
    }
    functions
}
