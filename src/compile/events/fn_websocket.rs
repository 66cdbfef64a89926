//! Function `websocket` events, as the framework's `AwsCompileWebsockets` writes them (it runs
//! right after the REST API events).
//!
//! With any websocket event: the API `WebsocketsApi` (unless `provider.apiGateway.websocketApiId`
//! names an existing one) and the `execute-api:ManageConnections` statement on the execution
//! role; then per event, each kind in its own pass: the function's integration
//! `<NF>WebsocketsIntegration`, the route response `<route>WebsocketsRouteResponse` (with
//! `routeResponseSelectionExpression`), the authorizer `<Norm(name)>WebsocketsAuthorizer`, the
//! permissions `<NF>LambdaPermissionWebsockets` (and the authorizer's), the route
//! `<route>WebsocketsRoute`; then the stage `WebsocketsDeploymentStage` (access and execution
//! logs with `provider.logs.websocket`, which also set API Gateway's CloudWatch role through the
//! framework's custom resource) and the deployment `WebsocketsDeployment<hash>`, whose hash is
//! the sha256 of the API's part of the template as JSON text; the output
//! `ServiceEndpointWebsocket`.

use serde_json::{Map, Value, json};

use super::custom_resources::{self, Handler};
use super::fn_common;
use crate::compile::{Ctx, Template, aliases, naming};
use crate::declare_codes;
use crate::diagnostics::{Diag, Diags};
use crate::source::Span;
use crate::yaml::{Kind, Node, js_to_string};

declare_codes! { CODES;
    INVALID = "slsx::fn-websocket::invalid", "A function `websocket` event without a route, or with an authorizer the framework cannot use (WEBSOCKETS_MISSING_AUTHORIZER_NAME; or it crashes).";
    LOGS_LEVEL = "slsx::fn-websocket::logs-level", "`provider.logs.websocket.level` other than INFO or ERROR (WEBSOCKETS_INVALID_LOGS_LEVEL).";
    CUSTOM_RESOURCE = "slsx::fn-websocket::custom-resource", "Websocket access logs set API Gateway's CloudWatch role through the framework's custom resource, whose `custom-resources.zip` only `sls package` builds.";
}

const DESCRIPTION: &str = "Serverless Websockets";

/// The access log format the framework uses without `provider.logs.websocket.format`.
const LOG_FORMAT: &str = "$context.identity.sourceIp $context.identity.caller $context.identity.user [$context.requestTime] \"$context.eventType $context.routeKey $context.connectionId\" $context.requestId";

/// An authorizer as the framework reads it.
struct Authorizer {
    name: String,
    uri: Value,
    identity_source: Value,
    /// An ARN (string or intrinsic) for an external function, else the logical ID of a
    /// function of the service.
    permission: Value,
}

/// One event.
struct Event<'a> {
    fkey: &'a str,
    route: String,
    response_selection: Option<Value>,
    authorizer: Option<Authorizer>,
}

/// `arn:…:apigateway:<region>:lambda:path/2015-03-31/functions/<arn>/invocations`.
fn invocation_uri(function_arn: Value) -> Value {
    json!({"Fn::Join": ["", [
        "arn:",
        {"Ref": "AWS::Partition"},
        ":apigateway:",
        {"Ref": "AWS::Region"},
        ":lambda:path/2015-03-31/functions/",
        function_arn,
        "/invocations",
    ]]})
}

/// Compiles these events into the template.
pub fn compile(ctx: &Ctx, t: &mut Template, diags: &mut Diags) {
    let mut events = Vec::new();
    for (fkey, f) in ctx.functions() {
        for event in super::events_of(f, "websocket") {
            let ws = event.value;
            if let Some(e) = read(ctx, fkey, ws, event.key, diags) {
                events.push(e);
            }
        }
    }
    if events.is_empty() {
        return;
    }
    let external = ctx
        .provider_at(&["apiGateway", "websocketApiId"])
        .filter(|i| i.is_truthy());
    let api_id = match external {
        Some(i) => i.to_json(),
        None => json!({"Ref": naming::WEBSOCKETS_API}),
    };
    let description = ctx
        .provider_at(&["websocketsDescription"])
        .filter(|d| d.is_truthy())
        .map(Node::to_json)
        .unwrap_or_else(|| json!(DESCRIPTION));
    if external.is_none() {
        api(ctx, t, &description);
    }
    for e in &events {
        let mut integration = json!({
            "Type": "AWS::ApiGatewayV2::Integration",
            "Properties": {
                "ApiId": api_id,
                "IntegrationType": "AWS_PROXY",
                "IntegrationUri": invocation_uri(fn_common::lambda_arn(ctx, e.fkey)),
            },
        });
        aliases::depend_on_alias(ctx, e.fkey, &mut integration);
        t.merge_resource(
            &naming::websockets_integration_logical_id(e.fkey),
            integration,
        );
    }
    for e in events.iter().filter(|e| e.response_selection.is_some()) {
        t.resources_mut().insert(
            naming::websockets_route_response_logical_id(&e.route),
            json!({
                "Type": "AWS::ApiGatewayV2::RouteResponse",
                "Properties": {
                    "ApiId": api_id,
                    "RouteId": {"Ref": naming::websockets_route_logical_id(&e.route)},
                    "RouteResponseKey": "$default",
                },
            }),
        );
    }
    for a in events.iter().filter_map(|e| e.authorizer.as_ref()) {
        let mut authorizer = json!({
            "Type": "AWS::ApiGatewayV2::Authorizer",
            "Properties": {
                "ApiId": api_id,
                "Name": a.name,
                "AuthorizerType": "REQUEST",
                "AuthorizerUri": a.uri,
                "IdentitySource": a.identity_source,
            },
        });
        aliases::depend_on_alias(ctx, &a.name, &mut authorizer);
        t.merge_resource(
            &naming::websockets_authorizer_logical_id(&a.name),
            authorizer,
        );
    }
    let api_ref = api_id.get("Ref").cloned();
    for e in &events {
        let mut depends: Vec<Value> = api_ref.iter().cloned().collect();
        depends.push(json!(
            aliases::alias_logical_id(ctx, e.fkey)
                .unwrap_or_else(|| naming::lambda_logical_id(e.fkey))
        ));
        t.merge_resource(
            &naming::lambda_websockets_permission_logical_id(e.fkey),
            json!({
                "Type": "AWS::Lambda::Permission",
                "DependsOn": depends,
                "Properties": {
                    "FunctionName": fn_common::lambda_arn(ctx, e.fkey),
                    "Action": "lambda:InvokeFunction",
                    "Principal": "apigateway.amazonaws.com",
                },
            }),
        );
        if let Some(a) = &e.authorizer {
            let mut depends: Vec<Value> = api_ref.iter().cloned().collect();
            let function = match &a.permission {
                Value::String(s) if !s.contains(':') => {
                    depends.push(json!(s));
                    depends.extend(aliases::alias_logical_id(ctx, &a.name).map(Value::String));
                    fn_common::lambda_arn(ctx, &a.name)
                }
                other => other.clone(),
            };
            t.merge_resource(
                &naming::lambda_websockets_permission_logical_id(&a.name),
                json!({
                    "Type": "AWS::Lambda::Permission",
                    "DependsOn": depends,
                    "Properties": {
                        "Action": "lambda:InvokeFunction",
                        "Principal": "apigateway.amazonaws.com",
                        "FunctionName": function,
                    },
                }),
            );
        }
    }
    for e in &events {
        let mut props = Map::new();
        props.insert("ApiId".into(), api_id.clone());
        props.insert("RouteKey".into(), json!(e.route));
        props.insert("AuthorizationType".into(), json!("NONE"));
        props.insert(
            "Target".into(),
            json!({"Fn::Join": ["/", ["integrations", {"Ref": naming::websockets_integration_logical_id(e.fkey)}]]}),
        );
        if let Some(r) = &e.response_selection {
            props.insert("RouteResponseSelectionExpression".into(), r.clone());
        }
        if let Some(a) = &e.authorizer {
            props.insert("AuthorizationType".into(), json!("CUSTOM"));
            props.insert(
                "AuthorizerId".into(),
                json!({"Ref": naming::websockets_authorizer_logical_id(&a.name)}),
            );
        }
        t.merge_resource(
            &naming::websockets_route_logical_id(&e.route),
            json!({"Type": "AWS::ApiGatewayV2::Route", "Properties": props}),
        );
    }
    if external.is_none() {
        stage(ctx, t, &api_id, &description, diags);
    }
    deployment(ctx, t, &events, &api_id, &description, external.is_some());
}

fn read<'a>(
    ctx: &Ctx,
    fkey: &'a str,
    ws: &Node,
    event_key: Span,
    diags: &mut Diags,
) -> Option<Event<'a>> {
    match &ws.kind {
        Kind::String(s) => {
            return Some(Event {
                fkey,
                route: s.to_string(),
                response_selection: None,
                authorizer: None,
            });
        }
        Kind::Map(_) => {}
        _ => {
            diags.push(
                Diag::warning(&super::IGNORED, format!("this websocket event of function `{fkey}` is neither a route nor a mapping; the framework ignores it"))
                    .label(ws.span, super::a_kind(ws))
                    .help("write `websocket: $connect`, or `websocket: {route: $default, authorizer: …}`"),
            );
            return None;
        }
    }
    super::check_keys(
        diags,
        ws,
        &["route", "routeResponseSelectionExpression", "authorizer"],
        "a function `websocket` event",
        "the framework ignores it",
    );
    let Some(route) = ws.get("route").and_then(Node::as_str) else {
        diags.push(
            Diag::error(&INVALID, format!("websocket event of function `{fkey}` has no `route`"))
                .label(ws.get("route").map(|r| r.span).unwrap_or(event_key), "needs `route: <route key>`")
                .help("write e.g. `route: $connect`, `$disconnect`, `$default` or a route key of your `websocketsApiRouteSelectionExpression` (the framework crashes without a string route)"),
        );
        return None;
    };
    let response_selection = super::truthy(ws, "routeResponseSelectionExpression");
    if let Some(r) = response_selection
        && r.as_str() != Some("$default")
    {
        diags.push(
            Diag::warning(
                &fn_common::SCHEMA,
                "`routeResponseSelectionExpression` must be `$default`",
            )
            .label(r.span, "API Gateway supports `$default` only")
            .help("the framework's schema only warns about this; the deploy fails"),
        );
    }
    let authorizer = match ws.get("authorizer").filter(|a| a.is_truthy()) {
        None => None,
        Some(a) => Some(authorizer(ctx, fkey, a, diags)?),
    };
    Some(Event {
        fkey,
        route: route.to_string(),
        response_selection: response_selection.map(Node::to_json),
        authorizer,
    })
}

/// A function of the service named as an authorizer (`None` after an error: the framework
/// fails to find it).
fn local_function(ctx: &Ctx, name: &str, span: Span, diags: &mut Diags) -> Option<Value> {
    if ctx.function(name).is_some() {
        return Some(fn_common::lambda_arn(ctx, name));
    }
    diags.push(
        Diag::error(&INVALID, format!("the websocket authorizer `{name}` is not a function of this service"))
            .label(span, "no such function")
            .help("name a function under `functions`, or give the authorizer's ARN (`arn:aws:lambda:…`); the framework refuses this too (Function \"…\" doesn't exist in this Service)"),
    );
    None
}

fn authorizer(ctx: &Ctx, fkey: &str, a: &Node, diags: &mut Diags) -> Option<Authorizer> {
    let default_source = json!(["route.request.header.Auth"]);
    let name_from_arn = |s: &str| s.rsplit(':').next().unwrap_or_default().to_string();
    if let Some(s) = a.as_str() {
        if s.contains(':') {
            return Some(Authorizer {
                name: name_from_arn(s),
                uri: invocation_uri(json!(s)),
                identity_source: default_source,
                permission: json!(s),
            });
        }
        let arn = local_function(ctx, s, a.span, diags)?;
        return Some(Authorizer {
            name: s.to_string(),
            uri: invocation_uri(arn),
            identity_source: default_source,
            permission: json!(naming::lambda_logical_id(s)),
        });
    }
    if a.as_map().is_none() {
        diags.push(
            Diag::error(&INVALID, format!("the websocket authorizer of function `{fkey}` must be a function name, an ARN or a mapping"))
                .label(a.span, super::a_kind(a))
                .help("write `authorizer: <function>`, `authorizer: arn:aws:lambda:…`, or `authorizer: {name: …, identitySource: [...]}`"),
        );
        return None;
    }
    super::check_keys(
        diags,
        a,
        &["name", "arn", "identitySource"],
        "a websocket `authorizer`",
        "the framework ignores it",
    );
    let identity_source = super::truthy(a, "identitySource")
        .map(Node::to_json)
        .unwrap_or(default_source);
    let name = super::truthy(a, "name");
    if let Some(arn) = super::truthy(a, "arn") {
        let name = match (arn.as_str(), name) {
            (Some(s), _) => name_from_arn(s),
            (None, Some(n)) => js_to_string(n),
            (None, None) => {
                diags.push(
                    Diag::error(&INVALID, "a websocket authorizer given by an intrinsic `arn` needs a `name`")
                        .label(arn.span, "the framework cannot take the authorizer's name from this")
                        .help("add `name: <authorizer name>` (the framework refuses this too: WEBSOCKETS_MISSING_AUTHORIZER_NAME)"),
                );
                return None;
            }
        };
        return Some(Authorizer {
            name,
            uri: invocation_uri(arn.to_json()),
            identity_source,
            permission: arn.to_json(),
        });
    }
    let Some(n) = name.and_then(|n| n.as_str()) else {
        diags.push(
            Diag::error(&INVALID, "a websocket authorizer needs `name` (a function of this service) or `arn`")
                .label(a.span, "which function authorizes?")
                .help("write `authorizer: {name: <function>}` or `authorizer: {arn: arn:aws:lambda:…}` (the framework crashes on an authorizer without either)"),
        );
        return None;
    };
    let arn = local_function(ctx, n, name.map(|x| x.span).unwrap_or(a.span), diags)?;
    Some(Authorizer {
        name: n.to_string(),
        uri: invocation_uri(arn),
        identity_source,
        permission: json!(naming::lambda_logical_id(n)),
    })
}

fn api(ctx: &Ctx, t: &mut Template, description: &Value) {
    let mut props = Map::new();
    props.insert(
        "Name".into(),
        json!(naming::websockets_api_name(
            ctx.provider_at(&["websocketsApiName"])
                .and_then(Node::as_str),
            &ctx.service,
            &ctx.stage
        )),
    );
    props.insert(
        "RouteSelectionExpression".into(),
        ctx.provider_at(&["websocketsApiRouteSelectionExpression"])
            .filter(|r| r.is_truthy())
            .map(Node::to_json)
            .unwrap_or_else(|| json!("$request.body.action")),
    );
    props.insert("Description".into(), description.clone());
    props.insert("ProtocolType".into(), json!("WEBSOCKET"));
    if let Some(tags) = ctx.provider_at(&["tags"]).filter(|t| t.is_truthy())
        && ctx
            .provider_at(&["websocket", "useProviderTags"])
            .is_some_and(Node::is_truthy)
    {
        props.insert("Tags".into(), tags.to_json());
    }
    t.merge_resource(
        naming::WEBSOCKETS_API,
        json!({"Type": "AWS::ApiGatewayV2::Api", "Properties": props}),
    );
    fn_common::add_role_statement(
        t,
        json!({
            "Effect": "Allow",
            "Action": ["execute-api:ManageConnections"],
            "Resource": [{"Fn::Sub": "arn:${AWS::Partition}:execute-api:*:*:*/@connections/*"}],
        }),
    );
}

fn stage(ctx: &Ctx, t: &mut Template, api_id: &Value, description: &Value, diags: &mut Diags) {
    let mut props = Map::new();
    props.insert("ApiId".into(), api_id.clone());
    props.insert("StageName".into(), json!(ctx.stage));
    props.insert("Description".into(), description.clone());
    let logs = ctx
        .provider_at(&["logs", "websocket"])
        .filter(|l| l.is_truthy());
    let Some(logs) = logs else {
        t.resources_mut().insert(
            naming::WEBSOCKETS_STAGE.into(),
            json!({"Type": "AWS::ApiGatewayV2::Stage", "Properties": props}),
        );
        return;
    };
    let setting = |k: &str| logs.get(k).filter(|v| !v.is_null());
    let on = |k: &str| setting(k).is_none_or(Node::is_truthy);
    let level = if !on("executionLogging") {
        json!("OFF")
    } else {
        match super::truthy(logs, "level") {
            Some(l) if matches!(l.as_str(), Some("INFO") | Some("ERROR")) => l.to_json(),
            Some(l) => {
                diags.push(
                    Diag::error(&LOGS_LEVEL, format!("`provider.logs.websocket.level` is `{}`; the levels are INFO and ERROR", js_to_string(l)))
                        .label(l.span, "not a websocket log level")
                        .help("write `level: INFO` or `level: ERROR` (the framework refuses this too: WEBSOCKETS_INVALID_LOGS_LEVEL)"),
                );
                return;
            }
            None => json!("INFO"),
        }
    };
    let full = setting("fullExecutionData")
        .map(Node::to_json)
        .unwrap_or(json!(true));
    props.insert(
        "DefaultRouteSettings".into(),
        json!({"DataTraceEnabled": full, "LoggingLevel": level}),
    );
    if on("accessLogging") {
        props.insert(
            "AccessLogSettings".into(),
            json!({
                "DestinationArn": {"Fn::Sub": format!("arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:${{{}}}", naming::WEBSOCKETS_LOG_GROUP)},
                "Format": super::truthy(logs, "format").map(Node::to_json).unwrap_or_else(|| json!(LOG_FORMAT)),
            }),
        );
    }
    t.resources_mut().insert(
        naming::WEBSOCKETS_STAGE.into(),
        json!({"Type": "AWS::ApiGatewayV2::Stage", "Properties": props}),
    );
    let mut group = Map::new();
    group.insert(
        "LogGroupName".into(),
        json!(format!("/aws/websocket/{}-{}", ctx.service, ctx.stage)),
    );
    for (key, prop) in [
        ("logRetentionInDays", "RetentionInDays"),
        ("logDataProtectionPolicy", "DataProtectionPolicy"),
    ] {
        if let Some(v) = ctx.provider_at(&[key]).filter(|v| v.is_truthy()) {
            group.insert(prop.into(), v.to_json());
        }
    }
    t.resources_mut().insert(
        naming::WEBSOCKETS_LOG_GROUP.into(),
        json!({"Type": "AWS::Logs::LogGroup", "Properties": group}),
    );
    if custom_resources::ensure_api_gateway_cloud_watch_role(ctx, t) {
        let span = ctx
            .provider_at(&["logs"])
            .and_then(|l| l.as_map())
            .and_then(|m| m.key_span("websocket"))
            .unwrap_or(Span::NONE);
        diags.push(
            Diag::warning(
                &CUSTOM_RESOURCE,
                "websocket logs set API Gateway's CloudWatch role through the framework's custom resource, whose code slsx cannot build",
            )
            .label(span, "compiled with `Custom::ApiGatewayAccountRole`")
            .help(format!(
                "{}; or set `provider.logs.restApi.roleManagedExternally: true` if the account's API Gateway CloudWatch role is set up already",
                custom_resources::zip_help(Handler::ApiGatewayCloudWatchRole)
            )),
        );
    }
}

/// The deployment (named by the hash of the API's part of the template), the output, and the
/// stage's `DeploymentId`.
fn deployment(
    ctx: &Ctx,
    t: &mut Template,
    events: &[Event],
    api_id: &Value,
    description: &Value,
    external: bool,
) {
    let mut depends = Vec::new();
    for e in events {
        if e.response_selection.is_some() {
            depends.push(json!(naming::websockets_route_response_logical_id(
                &e.route
            )));
        }
        depends.push(json!(naming::websockets_route_logical_id(&e.route)));
    }
    // `pickWebsocketsTemplatePart`: the API, what names it as `ApiId`, what depends on it
    let mut part = Map::new();
    for (id, r) in t.resources() {
        let picked = id == naming::WEBSOCKETS_API
            || r.pointer("/Properties/ApiId/Ref").and_then(Value::as_str)
                == Some(naming::WEBSOCKETS_API)
            || r.get("DependsOn")
                .and_then(Value::as_array)
                .is_some_and(|d| d.iter().any(|x| x.as_str() == Some(naming::WEBSOCKETS_API)));
        if picked {
            part.insert(id.clone(), r.into_owned());
        }
    }
    let hash = crate::compile::functions::base64_sha256(
        crate::emit::json::to_compact(&Value::Object(part)).as_bytes(),
    );
    let id = naming::websockets_deployment_logical_id(&hash);
    let mut props = Map::new();
    props.insert("ApiId".into(), api_id.clone());
    props.insert("Description".into(), description.clone());
    if external {
        props.insert("StageName".into(), json!(ctx.stage));
    }
    t.merge_resource(
        &id,
        json!({"Type": "AWS::ApiGatewayV2::Deployment", "DependsOn": depends, "Properties": props}),
    );
    t.merge_output(
        naming::WEBSOCKETS_ENDPOINT_OUTPUT,
        json!({
            "Description": "URL of the service endpoint",
            "Value": {"Fn::Join": ["", [
                "wss://",
                api_id,
                ".execute-api.",
                {"Ref": "AWS::Region"},
                ".",
                {"Ref": "AWS::URLSuffix"},
                format!("/{}", ctx.stage),
            ]]},
        }),
    );
    if let Some(p) = t
        .resources_mut()
        .get_mut(naming::WEBSOCKETS_STAGE)
        .and_then(|r| r.get_mut("Properties"))
        .and_then(Value::as_object_mut)
    {
        p.insert("DeploymentId".into(), json!({"Ref": id}));
    }
}
