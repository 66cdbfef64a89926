//! Writing the HTTP API: the pieces every route shares exactly as the framework writes them
//! for function httpApi events (its `compileApi`, `compileLogGroup`, `compileStage`,
//! `compileAuthorizers`, in that order), then per route a Step Functions integration and the
//! route, then one role per state machine.

use indexmap::IndexMap;
use serde_json::{Map, Value, json};

use super::routes::{Route, RouteAuth};
use super::settings::{AuthorizerKind, Settings};
use crate::compile::events::http::authorizers::lambda_uri;
use crate::compile::{Ctx, Template, naming};

/// `arn:<partition>:execute-api:<region>:<account>:<api id>/*`: what a Lambda permission lets
/// the HTTP API invoke from.
pub fn execute_api_source_arn(api_id: Value) -> Value {
    execute_api_arn(api_id, "/*")
}

/// `AWS::Lambda::Permission` letting API Gateway invoke `function` from `source_arn` (the
/// framework's permissions for both its APIs).
pub fn api_gateway_permission(function: Value, source_arn: Value) -> Value {
    json!({
        "Type": "AWS::Lambda::Permission",
        "Properties": {
            "FunctionName": function,
            "Action": "lambda:InvokeFunction",
            "Principal": "apigateway.amazonaws.com",
            "SourceArn": source_arn,
        },
    })
}

/// `arn:<partition>:execute-api:<region>:<account>:<api id><suffix>`.
pub fn execute_api_arn(api_id: Value, suffix: &str) -> Value {
    json!({"Fn::Join": ["", [
        "arn:", {"Ref": "AWS::Partition"}, ":execute-api:", {"Ref": "AWS::Region"}, ":",
        {"Ref": "AWS::AccountId"}, ":", api_id, suffix,
    ]]})
}

/// `compileApi`
pub fn api(s: &Settings, t: &mut Template) {
    if s.id.is_some() {
        return;
    }
    let mut p = Map::new();
    p.insert("Name".into(), json!(s.name));
    p.insert("ProtocolType".into(), json!("HTTP"));
    if let Some(d) = &s.disable_default_endpoint {
        p.insert("DisableExecuteApiEndpoint".into(), d.clone());
    }
    if let Some(tags) = &s.tags {
        p.insert("Tags".into(), tags.clone());
    }
    if let Some(c) = &s.cors {
        p.insert("CorsConfiguration".into(), c.to_json());
    }
    t.merge_resource(
        naming::HTTP_API,
        json!({"Type": "AWS::ApiGatewayV2::Api", "Properties": Value::Object(p)}),
    );
}

/// `compileLogGroup`
pub fn log_group(s: &Settings, t: &mut Template) {
    if s.access_log_format.is_none() {
        return;
    }
    let mut p = Map::new();
    p.insert(
        "LogGroupName".into(),
        json!(naming::http_api_log_group_name(&s.stack_name)),
    );
    if let Some(r) = &s.log_retention {
        p.insert("RetentionInDays".into(), r.clone());
    }
    if let Some(d) = &s.log_data_protection {
        p.insert("DataProtectionPolicy".into(), d.clone());
    }
    t.merge_resource(
        naming::HTTP_API_LOG_GROUP,
        json!({"Type": "AWS::Logs::LogGroup", "Properties": Value::Object(p)}),
    );
}

/// `compileStage`, with the `HttpApiId` and `HttpApiUrl` outputs.
pub fn stage(s: &Settings, t: &mut Template) {
    if s.id.is_some() {
        return;
    }
    let mut p = Map::new();
    p.insert("ApiId".into(), json!({"Ref": naming::HTTP_API}));
    p.insert("StageName".into(), json!("$default"));
    p.insert("AutoDeploy".into(), json!(true));
    p.insert(
        "DefaultRouteSettings".into(),
        json!({"DetailedMetricsEnabled": s.metrics}),
    );
    if let Some(tags) = &s.tags {
        p.insert("Tags".into(), tags.clone());
    }
    let mut r = Map::new();
    r.insert("Type".into(), json!("AWS::ApiGatewayV2::Stage"));
    if let Some(format) = &s.access_log_format {
        p.insert(
            "AccessLogSettings".into(),
            json!({
                "DestinationArn": {"Fn::GetAtt": [naming::HTTP_API_LOG_GROUP, "Arn"]},
                "Format": format,
            }),
        );
    }
    r.insert("Properties".into(), Value::Object(p));
    if s.access_log_format.is_some() {
        r.insert("DependsOn".into(), json!(naming::HTTP_API_LOG_GROUP));
    }
    t.merge_resource(naming::HTTP_API_STAGE, Value::Object(r));
    let outputs = t.outputs_mut();
    outputs.insert(
        naming::HTTP_API_ID_OUTPUT.into(),
        json!({"Description": "Id of the HTTP API", "Value": {"Ref": naming::HTTP_API}}),
    );
    outputs.insert(
        naming::HTTP_API_URL_OUTPUT.into(),
        json!({
            "Description": "URL of the HTTP API",
            "Value": {"Fn::Join": ["", [
                "https://", {"Ref": naming::HTTP_API}, ".execute-api.", {"Ref": "AWS::Region"},
                ".", {"Ref": "AWS::URLSuffix"},
            ]]},
        }),
    );
}

/// `compileAuthorizers`: every configured authorizer, used or not, each Lambda one after its
/// invoke permission (unless managed externally).
pub fn authorizers(s: &Settings, t: &mut Template) {
    for a in s.authorizers.values() {
        let mut p = Map::new();
        p.insert("ApiId".into(), s.api_id());
        p.insert("Name".into(), json!(a.name));
        p.insert("IdentitySource".into(), a.identity_source.clone());
        match &a.kind {
            AuthorizerKind::Request {
                function,
                permission,
                ttl,
                simple_responses,
                payload_version,
            } => {
                p.insert("AuthorizerType".into(), json!("REQUEST"));
                if let Some(v) = simple_responses {
                    p.insert("EnableSimpleResponses".into(), v.clone());
                }
                if let Some(v) = ttl {
                    p.insert("AuthorizerResultTtlInSeconds".into(), v.clone());
                }
                p.insert(
                    "AuthorizerPayloadFormatVersion".into(),
                    payload_version.clone(),
                );
                p.insert("AuthorizerUri".into(), lambda_uri(function.clone()));
                if *permission {
                    t.merge_resource(
                        &naming::lambda_authorizer_http_api_permission_logical_id(&a.name),
                        api_gateway_permission(
                            function.clone(),
                            execute_api_source_arn(s.api_id()),
                        ),
                    );
                }
            }
            AuthorizerKind::Jwt { issuer, audience } => {
                p.insert("AuthorizerType".into(), json!("JWT"));
                p.insert(
                    "JwtConfiguration".into(),
                    json!({"Audience": audience, "Issuer": issuer}),
                );
            }
        }
        t.merge_resource(
            &a.logical_id(),
            json!({"Type": "AWS::ApiGatewayV2::Authorizer", "Properties": Value::Object(p)}),
        );
    }
}

/// The Step Functions integration of a route (one per route: its parameters, credentials and
/// sync mode are its own).
fn integration(s: &Settings, r: &Route) -> Value {
    let mut params = Map::new();
    params.insert("StateMachineArn".into(), json!({"Ref": r.sm}));
    for (k, v) in &r.parameters {
        params.insert(k.clone(), v.clone());
    }
    let credentials = r.iam_role.clone().unwrap_or_else(
        || json!({"Fn::GetAtt": [naming::sfn_http_api_role_logical_id(r.key), "Arn"]}),
    );
    json!({
        "Type": "AWS::ApiGatewayV2::Integration",
        "Properties": {
            "ApiId": s.api_id(),
            "IntegrationType": "AWS_PROXY",
            "IntegrationSubtype": if r.sync {
                "StepFunctions-StartSyncExecution"
            } else {
                "StepFunctions-StartExecution"
            },
            "CredentialsArn": credentials,
            "PayloadFormatVersion": "1.0",
            "RequestParameters": Value::Object(params),
        },
    })
}

/// `compileEndpoints` for the state machines' routes: the integration, then the route.
pub fn routes(s: &Settings, routes: &[Route], t: &mut Template) {
    for r in routes {
        let integration_id = naming::sfn_http_api_integration_logical_id(&r.route_key);
        t.merge_resource(&integration_id, integration(s, r));
        t.merge_resource(
            &naming::http_api_route_logical_id(&r.route_key),
            route(s, &r.route_key, r.auth.as_ref(), &integration_id),
        );
    }
}

/// The `AWS::ApiGatewayV2::Route` of `route_key` (the framework's shape), targeting and
/// depending on its integration.
pub fn route(
    s: &Settings,
    route_key: &str,
    auth: Option<&RouteAuth>,
    integration_id: &str,
) -> Value {
    let mut p = Map::new();
    p.insert("ApiId".into(), s.api_id());
    p.insert(
        "RouteKey".into(),
        json!(if route_key == "*" {
            "$default"
        } else {
            route_key
        }),
    );
    p.insert(
        "Target".into(),
        json!({"Fn::Join": ["/", ["integrations", {"Ref": integration_id}]]}),
    );
    match auth {
        None => {}
        Some(RouteAuth::Iam) => {
            p.insert("AuthorizationType".into(), json!("AWS_IAM"));
        }
        Some(RouteAuth::Named { key, scopes }) => {
            if let Some(a) = s.authorizers.get(key) {
                p.insert("AuthorizationType".into(), json!(a.authorization_type()));
                p.insert("AuthorizerId".into(), json!({"Ref": a.logical_id()}));
            }
            if let Some(sc) = scopes {
                p.insert("AuthorizationScopes".into(), Value::Array(sc.clone()));
            }
        }
        Some(RouteAuth::External { id, ty, scopes }) => {
            let kind = match ty.as_deref() {
                Some("request") => "CUSTOM",
                _ => "JWT",
            };
            p.insert("AuthorizationType".into(), json!(kind));
            p.insert("AuthorizerId".into(), id.clone());
            if let Some(sc) = scopes {
                p.insert("AuthorizationScopes".into(), Value::Array(sc.clone()));
            }
        }
    }
    json!({
        "Type": "AWS::ApiGatewayV2::Route",
        "Properties": Value::Object(p),
        "DependsOn": integration_id,
    })
}

/// One role per state machine with routes that give no `iamRole`: API Gateway may start
/// executions of that machine only (`states:StartExecution` and/or
/// `states:StartSyncExecution`, as its routes need).
pub fn roles(ctx: &Ctx, routes: &[Route], t: &mut Template) {
    let mut machines: IndexMap<&str, (&str, Vec<&'static str>)> = IndexMap::new();
    for r in routes.iter().filter(|r| r.iam_role.is_none()) {
        let action = if r.sync {
            "states:StartSyncExecution"
        } else {
            "states:StartExecution"
        };
        let entry = machines.entry(r.key).or_insert((r.sm.as_str(), Vec::new()));
        if !entry.1.contains(&action) {
            entry.1.push(action);
        }
    }
    for (key, (sm, mut actions)) in machines {
        // a fixed order, whatever the routes' order
        actions.sort_by_key(|a| *a != "states:StartExecution");
        let mut p = Map::new();
        p.insert(
            "AssumeRolePolicyDocument".into(),
            json!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Principal": {"Service": "apigateway.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }],
            }),
        );
        p.insert(
            "Policies".into(),
            json!([{
                "PolicyName": naming::sfn_http_api_policy_name(&ctx.stage, &ctx.region, &ctx.service, key),
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [{
                        "Effect": "Allow",
                        "Action": actions,
                        "Resource": {"Ref": sm},
                    }],
                },
            }]),
        );
        if let Some(b) = ctx
            .provider_at(&["rolePermissionsBoundary"])
            .filter(|n| n.is_truthy())
        {
            p.insert("PermissionsBoundary".into(), b.to_json());
        }
        if let Some(path) = ctx
            .provider_at(&["iam", "role", "path"])
            .filter(|n| n.is_truthy())
        {
            p.insert("Path".into(), path.to_json());
        }
        t.merge_resource(
            &naming::sfn_http_api_role_logical_id(key),
            json!({"Type": "AWS::IAM::Role", "Properties": Value::Object(p)}),
        );
    }
}
