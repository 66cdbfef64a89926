//! The framework's function resources: log groups, `IamRoleLambdaExecution`, Lambda
//! functions, versions and their outputs. (issue #5)
//!
//! `serverless-core.md` §4.2 steps 2–4; the framework's `merge-iam-templates.js` and
//! `compile/functions.js`. Properties are written in the framework's order, and every
//! truthiness rule (`memorySize: 0` means unset, `reservedConcurrency: 0` is kept, …) follows
//! the JavaScript.
//!
//! Values `sls package` derives from the zip are stand-ins (see the README section "Values
//! that depend on the packaged code"): `Code.S3Key` uses [`super::core::artifact_directory_name`],
//! `CodeSha256` is the base64 sha256 of that S3 key's text, and the version logical ID is the
//! framework's hash (artifact hash, then the deep-sorted function properties) over that
//! stand-in artifact hash, so it still changes whenever the function's configuration does.

use serde_json::{Map, Value, json};

use super::function_order::{self, Read, Step};
use super::{Ctx, Template};
use super::{aliases, naming};
use crate::declare_codes;
use crate::diagnostics::{Code, Diag, Diags};
use crate::source::Span;
use crate::yaml::{Node, js_to_string};

declare_codes! { CODES;
    NO_HANDLER = "slsx::functions::no-handler", "A function has neither `handler` nor `image`.";
    FILE_SYSTEM_WITHOUT_VPC = "slsx::functions::file-system-without-vpc", "`fileSystemConfig` on a function that has no VPC configuration.";
    SNAP_START_WITH_PROVISIONED_CONCURRENCY = "slsx::functions::snap-start-with-provisioned-concurrency", "A function with both `snapStart` and `provisionedConcurrency` (the framework refuses it).";
    DESTINATION_TARGET = "slsx::functions::destination-target", "A `destinations` target that is not an ARN, a function of the service, or a `{type, arn}` object of a supported type.";
}

/// Every code of the core passes (this module and `core`).
pub fn codes() -> Vec<&'static Code> {
    CODES.to_vec()
}

fn truthy(n: Option<&Node>) -> bool {
    n.is_some_and(Node::is_truthy)
}

/// The value of a truthy property.
fn truthy_val(n: Option<&Node>) -> Option<&Node> {
    n.filter(|x| x.is_truthy())
}

fn key_span(f: &Node, key: &str) -> Span {
    f.as_map().and_then(|m| m.key_span(key)).unwrap_or(f.span)
}

fn function_key_span(ctx: &Ctx, key: &str) -> Span {
    ctx.config
        .get("functions")
        .and_then(Node::as_map)
        .and_then(|m| m.key_span(key))
        .unwrap_or(Span::NONE)
}

/// `arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:<group><suffix>`
fn log_group_arn(group: &str, suffix: &str) -> Value {
    json!({"Fn::Sub": format!(
        "arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:{group}{suffix}"
    )})
}

fn log_group_name(function_name: &str) -> String {
    format!("/aws/lambda/{function_name}")
}

/// `provider.iam.role` (`{}` when absent or null).
fn iam_role<'a>(ctx: &Ctx<'a>) -> Option<&'a Node> {
    ctx.provider_at(&["iam", "role"]).filter(|n| !n.is_null())
}

/// The framework's `isExistingRoleProvided`: a string, or an object with a `…::…` key.
fn is_existing_role(role: &Node) -> bool {
    role.as_str().is_some()
        || role
            .as_map()
            .is_some_and(|m| m.keys().any(|k| k.contains("::")))
}

/// `package:setupProviderConfiguration`: log groups and the execution role.
pub fn setup_provider_configuration(ctx: &Ctx, t: &mut Template, _diags: &mut Diags) {
    let fns = ctx.functions();
    if fns.is_empty() {
        return;
    }
    for (key, f) in &fns {
        if truthy(f.get("disableLogs")) {
            continue;
        }
        let mut props = Map::new();
        props.insert(
            "LogGroupName".into(),
            json!(log_group_name(&ctx.function_name(key))),
        );
        if let Some(r) = truthy_val(f.get("logRetentionInDays"))
            .or_else(|| truthy_val(ctx.provider_at(&["logRetentionInDays"])))
        {
            props.insert("RetentionInDays".into(), r.to_json());
        }
        if let Some(p) = truthy_val(f.get("logDataProtectionPolicy"))
            .or_else(|| truthy_val(ctx.provider_at(&["logDataProtectionPolicy"])))
        {
            props.insert("DataProtectionPolicy".into(), p.to_json());
        }
        t.merge_resource(
            &naming::log_group_logical_id(key),
            json!({"Type": "AWS::Logs::LogGroup", "Properties": Value::Object(props)}),
        );
    }

    let role = iam_role(ctx);
    if role.is_some_and(is_existing_role) {
        return;
    }
    if ctx
        .provider()
        .and_then(Node::as_map)
        .is_some_and(|p| p.contains_key("role"))
    {
        return;
    }
    if fns
        .iter()
        .all(|(_, f)| f.as_map().is_some_and(|m| m.contains_key("role")))
    {
        return;
    }
    let role_at = |k: &str| role.and_then(|r| r.get(k));

    let prefix = format!("{}-{}", ctx.service, ctx.stage);
    let mut create = Vec::new();
    let mut put = Vec::new();
    let mut any_canonical = false;
    let mut disabled_canonical = Vec::new();
    for (key, f) in &fns {
        let name = ctx.function_name(key);
        let logs_off = truthy(f.get("disableLogs"));
        if name.is_empty() || name.starts_with(&prefix) {
            if logs_off {
                disabled_canonical.push(name);
            } else {
                any_canonical = true;
            }
            continue;
        }
        if !logs_off {
            let group = log_group_name(&name);
            create.push(log_group_arn(&group, ":*"));
            put.push(log_group_arn(&group, ":*:*"));
        }
    }
    let mut statements = Vec::new();
    if any_canonical {
        let group = log_group_name(&prefix);
        create.push(log_group_arn(&group, "*:*"));
        put.push(log_group_arn(&group, "*:*:*"));
    }
    statements.push(json!({
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:CreateLogGroup", "logs:TagResource"],
        "Resource": create,
    }));
    statements.push(json!({
        "Effect": "Allow",
        "Action": ["logs:PutLogEvents"],
        "Resource": put,
    }));
    if any_canonical && !disabled_canonical.is_empty() {
        let arns: Vec<Value> = disabled_canonical
            .iter()
            .map(|n| log_group_arn(&log_group_name(n), ":*"))
            .collect();
        statements.push(json!({"Effect": "Deny", "Action": "logs:PutLogEvents", "Resource": arns}));
    }
    let user = truthy_val(role_at("statements"))
        .or_else(|| truthy_val(ctx.provider_at(&["iamRoleStatements"])));
    if let Some(u) = user {
        match u.as_seq() {
            Some(items) => statements.extend(items.iter().map(Node::to_json)),
            None => statements.push(u.to_json()),
        }
    }

    let mut props = Map::new();
    props.insert(
        "AssumeRolePolicyDocument".into(),
        json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"Service": ["lambda.amazonaws.com"]},
                "Action": ["sts:AssumeRole"]
            }]
        }),
    );
    props.insert(
        "Policies".into(),
        json!([{
            "PolicyName": {"Fn::Join": ["-", [ctx.service, ctx.stage, "lambda"]]},
            "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}
        }]),
    );
    props.insert(
        "Path".into(),
        truthy_val(role_at("path"))
            .map(Node::to_json)
            .unwrap_or_else(|| json!("/")),
    );
    props.insert(
        "RoleName".into(),
        truthy_val(role_at("name"))
            .map(Node::to_json)
            .unwrap_or_else(|| {
                json!({"Fn::Join": ["-", [ctx.service, ctx.stage, {"Ref": "AWS::Region"}, "lambdaRole"]]})
            }),
    );
    if let Some(tags) = truthy_val(role_at("tags")) {
        let list: Vec<Value> = match tags.as_map() {
            Some(m) => m
                .iter()
                .map(|(k, e)| json!({"Key": k, "Value": e.value.to_json()}))
                .collect(),
            None => Vec::new(),
        };
        props.insert("Tags".into(), Value::Array(list));
    }
    if let Some(b) = truthy_val(role_at("permissionsBoundary"))
        .or_else(|| truthy_val(role_at("permissionBoundary")))
        .or_else(|| truthy_val(ctx.provider_at(&["rolePermissionsBoundary"])))
    {
        props.insert("PermissionsBoundary".into(), b.to_json());
    }
    let mut managed: Vec<Value> = Vec::new();
    if let Some(m) = truthy_val(role_at("managedPolicies"))
        .or_else(|| truthy_val(ctx.provider_at(&["iamManagedPolicies"])))
    {
        match m.as_seq() {
            Some(items) => managed.extend(items.iter().map(Node::to_json)),
            None => managed.push(m.to_json()),
        }
    }
    let any_vpc = fns
        .iter()
        .any(|(_, f)| f.as_map().is_some_and(|m| m.contains_key("vpc")));
    if any_vpc || truthy(ctx.provider_at(&["vpc"])) {
        managed.push(json!({"Fn::Join": ["", [
            "arn:",
            {"Ref": "AWS::Partition"},
            ":iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
        ]]}));
    }
    if !managed.is_empty() {
        props.insert("ManagedPolicyArns".into(), Value::Array(managed));
    }
    t.merge_resource(
        naming::ROLE_LAMBDA_EXECUTION,
        json!({"Type": "AWS::IAM::Role", "Properties": Value::Object(props)}),
    );
}

/// The statements of the default role's policy, when the role exists.
fn role_statements(t: &mut Template) -> Option<&mut Vec<Value>> {
    t.resources_mut()
        .get_mut(naming::ROLE_LAMBDA_EXECUTION)?
        .pointer_mut("/Properties/Policies/0/PolicyDocument/Statement")?
        .as_array_mut()
}

/// lodash `_.unionWith(statements, [stmt], _.isEqual)`: the whole list is de-duplicated.
fn union_statement(t: &mut Template, stmt: Value) {
    if let Some(list) = role_statements(t) {
        list.push(stmt);
        let mut out: Vec<Value> = Vec::with_capacity(list.len());
        for s in list.drain(..) {
            if !out.contains(&s) {
                out.push(s);
            }
        }
        *list = out;
    }
}

/// `Array.prototype.concat` of one value onto a list.
fn concat(list: &mut Vec<Value>, v: Value) {
    match v {
        Value::Array(items) => list.extend(items),
        other => list.push(other),
    }
}

/// `package:compileFunctions` (core part): functions, versions, outputs, in the order the
/// framework's async `compileFunction`s write them (see [`super::function_order`]).
/// Diagnostics are reported per function, in `functions` order.
pub fn compile_functions(ctx: &Ctx, t: &mut Template, diags: &mut Diags) {
    let fns = ctx.functions();
    let images: Vec<bool> = fns.iter().map(|(_, f)| truthy(f.get("image"))).collect();
    // `addFileToHash`: before `20201221`, every call reads the file again
    let own_reads = ctx
        .provider_at(&["lambdaHashingVersion"])
        .is_some_and(|v| crate::yaml::js_to_number(v) < 20201221.0);
    let read = |path: &str| match own_reads {
        true => Read::Own,
        false => Read::Shared(path.to_string()),
    };
    let mut compiled: Vec<Option<Option<Version>>> = fns.iter().map(|_| None).collect();
    let mut found: Vec<Diags> = fns.iter().map(|_| Diags::default()).collect();
    let mut granted = Vec::new();
    function_order::run(&images, |step| match step {
        Step::Start(i) => {
            let (key, f) = fns[i];
            compiled[i] = compile_function(ctx, t, &mut found[i], key, f);
            let Some(Some(version)) = &compiled[i] else {
                return Vec::new();
            };
            let mut reads = Vec::new();
            if !images[i] {
                // `getHashForFilePath` for `CodeSha256`, then `addFileToHash`
                let artifact = artifact_path(ctx, key, f);
                reads.push(Read::Shared(artifact.clone()));
                reads.push(read(&artifact));
            }
            reads.extend(version.layer_zips.iter().map(|p| read(p)));
            reads
        }
        Step::Finish(i) => {
            let (key, f) = fns[i];
            if let Some(version) = compiled[i].take() {
                finish_function(ctx, t, &mut found[i], key, f, version, &mut granted);
            }
            Vec::new()
        }
    });
    for d in found.into_iter().flatten() {
        diags.push(d);
    }
}

/// A function's version: its logical ID and resource, and the paths of the layer zips the
/// framework hashes for it, in order.
struct Version {
    id: String,
    resource: Value,
    layer_zips: Vec<String>,
}

/// What follows a function: its version and output, its URL, its invoke config.
fn finish_function(
    ctx: &Ctx,
    t: &mut Template,
    diags: &mut Diags,
    key: &str,
    f: &Node,
    version: Option<Version>,
    granted: &mut Vec<String>,
) {
    if let Some(Version {
        id, resource: v, ..
    }) = version
    {
        t.resources_mut().insert(id.clone(), v);
        t.outputs_mut().insert(
            naming::lambda_qualified_arn_output_logical_id(key),
            json!({"Description": "Current Lambda function version", "Value": {"Ref": id}}),
        );
        if let Some(alias) = aliases::target_alias_of(key, f) {
            let function_id = naming::lambda_logical_id(key);
            let mut props = Map::new();
            props.insert("FunctionName".into(), json!({"Ref": function_id}));
            props.insert(
                "FunctionVersion".into(),
                json!({"Fn::GetAtt": [id, "Version"]}),
            );
            props.insert("Name".into(), json!(alias.name));
            if !aliases::has_snap_start(f)
                && let Some(n) = f.get("provisionedConcurrency")
            {
                props.insert(
                    "ProvisionedConcurrencyConfig".into(),
                    json!({"ProvisionedConcurrentExecutions": n.to_json()}),
                );
            }
            t.resources_mut().insert(
                alias.logical_id,
                json!({"Type": "AWS::Lambda::Alias", "Properties": props, "DependsOn": function_id}),
            );
        }
    }
    compile_url(ctx, t, key, f);
    compile_event_invoke_config(ctx, t, diags, key, f, granted);
}

/// `url`: an `AWS::Lambda::Url`, its output, and a public invoke permission unless the URL
/// uses IAM auth.
fn compile_url(ctx: &Ctx, t: &mut Template, key: &str, f: &Node) {
    let Some(url) = truthy_val(f.get("url")) else {
        return;
    };
    let auth = if url.get("authorizer").and_then(Node::as_str) == Some("aws_iam") {
        "AWS_IAM"
    } else {
        "NONE"
    };
    let target = aliases::lambda_target(ctx, key);
    let mut props = Map::new();
    props.insert("AuthType".into(), json!(auth));
    props.insert("TargetFunctionArn".into(), target.clone());
    if let Some(cors) = truthy_val(url.get("cors")) {
        let list = |name: &str, default: &[&str]| -> Option<Value> {
            match cors.get(name) {
                Some(v) if v.is_truthy() => {
                    let items: Vec<Value> = match v.as_seq() {
                        Some(s) => s.iter().map(Node::to_json).collect(),
                        None => vec![v.to_json()],
                    };
                    let mut uniq: Vec<Value> = Vec::new();
                    for x in items {
                        if !uniq.contains(&x) {
                            uniq.push(x);
                        }
                    }
                    Some(Value::Array(uniq))
                }
                Some(v) if v.is_null() => None,
                _ if default.is_empty() => None,
                _ => Some(json!(default)),
            }
        };
        let mut c = Map::new();
        if truthy(cors.get("allowCredentials")) {
            c.insert("AllowCredentials".into(), json!(true));
        }
        let headers = [
            "Content-Type",
            "X-Amz-Date",
            "Authorization",
            "X-Api-Key",
            "X-Amz-Security-Token",
            "X-Amzn-Trace-Id",
        ];
        for (out, name, default) in [
            ("AllowHeaders", "allowedHeaders", &headers[..]),
            ("AllowMethods", "allowedMethods", &["*"][..]),
            ("AllowOrigins", "allowedOrigins", &["*"][..]),
            ("ExposeHeaders", "exposedResponseHeaders", &[][..]),
        ] {
            if let Some(v) = list(name, default) {
                c.insert(out.into(), v);
            }
        }
        if let Some(m) = cors.get("maxAge").filter(|m| !m.is_null()) {
            c.insert("MaxAge".into(), m.to_json());
        }
        props.insert("Cors".into(), Value::Object(c));
    }
    if url.get("invokeMode").and_then(Node::as_str) == Some("RESPONSE_STREAM") {
        props.insert("InvokeMode".into(), json!("RESPONSE_STREAM"));
    }
    let id = naming::lambda_function_url_logical_id(key);
    let mut url = json!({"Type": "AWS::Lambda::Url", "Properties": Value::Object(props)});
    aliases::depend_on_alias_last(ctx, key, &mut url);
    t.resources_mut().insert(id.clone(), url);
    t.outputs_mut().insert(
        naming::lambda_function_url_logical_id(key),
        json!({"Description": "Lambda Function URL", "Value": {"Fn::GetAtt": [id, "FunctionUrl"]}}),
    );
    if auth == "NONE" {
        let mut permission = json!({
            "Type": "AWS::Lambda::Permission",
            "Properties": {
                "FunctionName": target,
                "Action": "lambda:InvokeFunctionUrl",
                "Principal": "*",
                "FunctionUrlAuthType": "NONE"
            }
        });
        aliases::depend_on_alias_last(ctx, key, &mut permission);
        t.resources_mut()
            .insert(naming::lambda_fn_url_permission_logical_id(key), permission);
    }
}

/// `destinations` / `maximumEventAge` / `maximumRetryAttempts`: an
/// `AWS::Lambda::EventInvokeConfig`, plus a statement on the default role per distinct
/// destination (the framework memoises by the destination value) when the function has no
/// custom role.
fn compile_event_invoke_config(
    ctx: &Ctx,
    t: &mut Template,
    diags: &mut Diags,
    key: &str,
    f: &Node,
    granted: &mut Vec<String>,
) {
    let destinations = truthy_val(f.get("destinations"));
    let max_age = truthy_val(f.get("maximumEventAge"));
    let retries = f.get("maximumRetryAttempts").filter(|v| !v.is_null());
    if destinations.is_none() && max_age.is_none() && retries.is_none() {
        return;
    }
    let mut config = Map::new();
    if let Some(d) = destinations {
        let external_role = truthy(f.get("role"))
            || iam_role(ctx).is_some_and(is_existing_role)
            || truthy(ctx.provider_at(&["role"]));
        for (prop, out) in [("onSuccess", "OnSuccess"), ("onFailure", "OnFailure")] {
            let Some(target) = truthy_val(d.get(prop)) else {
                continue;
            };
            let span = key_span(d, prop);
            let Some(arn) = destination_arn(ctx, diags, target, span) else {
                continue;
            };
            config.insert(out.into(), json!({"Destination": arn}));
            if !external_role {
                grant_destination(ctx, t, diags, target, span, granted);
            }
        }
    }
    let mut props = Map::new();
    props.insert(
        "FunctionName".into(),
        json!({"Ref": naming::lambda_logical_id(key)}),
    );
    props.insert("DestinationConfig".into(), Value::Object(config));
    let alias = aliases::target_alias_of(key, f);
    props.insert(
        "Qualifier".into(),
        json!(alias.as_ref().map_or("$LATEST", |a| a.name)),
    );
    if let Some(a) = max_age {
        props.insert("MaximumEventAgeInSeconds".into(), a.to_json());
    }
    if let Some(r) = retries {
        props.insert("MaximumRetryAttempts".into(), r.to_json());
    }
    let mut config =
        json!({"Type": "AWS::Lambda::EventInvokeConfig", "Properties": Value::Object(props)});
    aliases::depend_on_alias_last(ctx, key, &mut config);
    t.resources_mut()
        .insert(naming::lambda_event_config_logical_id(key), config);
}

fn unknown_function(target: &str, span: Span) -> Diag {
    Diag::error(
        &DESTINATION_TARGET,
        format!("destination `{target}` is neither an ARN nor a function of this service"),
    )
    .label(span, "no such function")
    .help("use an ARN (`arn:aws:sqs:…`), the key of a function under `functions`, or `{type, arn}`")
}

/// The framework's `getDestinationsArn`.
fn destination_arn(ctx: &Ctx, diags: &mut Diags, target: &Node, span: Span) -> Option<Value> {
    if target.as_map().is_some() {
        return Some(target.get("arn").map(Node::to_json).unwrap_or(Value::Null));
    }
    let s = js_to_string(target);
    if s.starts_with("arn:") {
        return Some(json!(s));
    }
    if ctx.function(&s).is_none() {
        diags.push(unknown_function(&s, span));
        return None;
    }
    Some(json!({"Fn::GetAtt": [naming::lambda_logical_id(&s), "Arn"]}))
}

/// The framework's `ensureTargetExecutionPermission`.
fn grant_destination(
    ctx: &Ctx,
    t: &mut Template,
    diags: &mut Diags,
    target: &Node,
    span: Span,
    granted: &mut Vec<String>,
) {
    let action = match (target.as_map(), target.as_str()) {
        (Some(m), _) => match m.get("type").and_then(Node::as_str) {
            Some("function") => Some("lambda:InvokeFunction"),
            Some("sqs") => Some("sqs:SendMessage"),
            Some("sns") => Some("sns:Publish"),
            Some("eventBus") => Some("events:PutEvents"),
            _ => None,
        },
        (None, Some(s)) => {
            if !s.starts_with("arn:") || s.contains(":function:") {
                Some("lambda:InvokeFunction")
            } else if s.contains(":sqs:") {
                Some("sqs:SendMessage")
            } else if s.contains(":sns:") {
                Some("sns:Publish")
            } else if s.contains(":event-bus/") {
                Some("events:PutEvents")
            } else {
                None
            }
        }
        _ => None,
    };
    let Some(action) = action else {
        diags.push(
            Diag::error(&DESTINATION_TARGET, "unsupported destination target")
                .label(span, "not a function, queue, topic or event bus")
                .help("use a Lambda, SQS, SNS or EventBridge bus ARN, a function of this service, or `{type: function|sqs|sns|eventBus, arn}`"),
        );
        return;
    };
    if let Some(s) = target.as_str() {
        if granted.iter().any(|g| g == s) {
            return;
        }
        granted.push(s.to_string());
    }
    let resource = match (target.as_map(), target.as_str()) {
        (Some(m), _) => m.get("arn").map(Node::to_json).unwrap_or(Value::Null),
        (None, Some(s)) if s.starts_with("arn:") => json!(s),
        (None, Some(s)) => {
            if ctx.function(s).is_none() {
                return;
            }
            json!({"Fn::Sub": format!(
                "arn:${{AWS::Partition}}:lambda:${{AWS::Region}}:${{AWS::AccountId}}:function:{}",
                ctx.function_name(s)
            )})
        }
        _ => Value::Null,
    };
    if let Some(list) = role_statements(t) {
        list.push(json!({"Effect": "Allow", "Action": action, "Resource": resource}));
    }
}

/// The artifact's file name: `package.artifact`'s basename, else `<functionKey>.zip` when
/// packaged individually, else `<service>.zip`.
fn artifact_name(ctx: &Ctx, key: &str, f: &Node) -> String {
    let path = artifact_path(ctx, key, f);
    path.rsplit('/').next().unwrap_or(&path).to_string()
}

/// Where the framework reads the artifact from: `package.artifact` as given, else
/// `.serverless/<functionKey>.zip` when packaged individually, else
/// `.serverless/<service>.zip`.
fn artifact_path(ctx: &Ctx, key: &str, f: &Node) -> String {
    let artifact = truthy_val(f.at(&["package", "artifact"]))
        .or_else(|| truthy_val(ctx.config.at(&["package", "artifact"])));
    if let Some(a) = artifact {
        return js_to_string(a);
    }
    if truthy(ctx.config.at(&["package", "individually"]))
        || truthy(f.at(&["package", "individually"]))
    {
        return format!(".serverless/{key}.zip");
    }
    format!(".serverless/{}.zip", ctx.service)
}

/// `runtimeManagement` (`auto`, `onFunctionUpdate`, `manual` or `{mode, arn}`), function over
/// provider.
fn runtime_management(ctx: &Ctx, f: &Node) -> Option<Value> {
    let mut mode = Value::String("auto".into());
    let mut arn = None;
    for rm in [
        ctx.provider_at(&["runtimeManagement"]),
        f.get("runtimeManagement"),
    ]
    .into_iter()
    .flatten()
    {
        match &rm.kind {
            crate::yaml::Kind::String(s) => mode = Value::String(s.to_string()),
            crate::yaml::Kind::Map(m) => {
                if let Some(x) = m.get("mode") {
                    mode = x.to_json();
                }
                if let Some(x) = m.get("arn") {
                    arn = Some(x.to_json());
                }
            }
            _ => {}
        }
    }
    if mode == "auto" {
        return None;
    }
    let mut cfg = Map::new();
    let on = match mode.as_str() {
        Some("onFunctionUpdate") => Some("FunctionUpdate"),
        Some("manual") => Some("Manual"),
        _ => None,
    };
    if let Some(on) = on {
        cfg.insert("UpdateRuntimeOn".into(), json!(on));
    }
    if mode == "manual"
        && let Some(a) = arn
    {
        cfg.insert("RuntimeVersionArn".into(), a);
    }
    Some(Value::Object(cfg))
}

/// Compiles one function; `None` on error, else its version when versioned.
fn compile_function(
    ctx: &Ctx,
    t: &mut Template,
    diags: &mut Diags,
    key: &str,
    f: &Node,
) -> Option<Option<Version>> {
    let fk_span = function_key_span(ctx, key);
    let handler = truthy_val(f.get("handler"));
    let image_node = truthy_val(f.get("image"));
    match (handler, image_node) {
        (None, None) => {
            diags.push(
                Diag::error(&NO_HANDLER, format!("function `{key}` has neither `handler` nor `image`"))
                    .label(fk_span, "needs `handler: <file>.<export>` (or `image`)")
                    .help("add `handler:` (e.g. `handler: handler.main` for `export const main` in handler.js), or `image:` for a container image function"),
            );
            return None;
        }
        (Some(_), Some(_)) => {
            diags.push(
                Diag::error(
                    &super::images::HANDLER_AND_IMAGE,
                    format!("function `{key}` has both `handler` and `image`"),
                )
                .label(key_span(f, "image"), "a container image function")
                .secondary(key_span(f, "handler"), "a handler in a zip")
                .help("keep one: `image` for a function run from a container image (its handler is the image's command), `handler` for one packaged as a zip (the framework refuses both)"),
            );
            return None;
        }
        _ => {}
    }
    let image = match image_node {
        Some(i) => Some(super::images::resolve(ctx, key, i, diags)?),
        None => None,
    };
    let provider = |k: &str| ctx.provider_at(&[k]);
    let name = ctx.function_name(key);

    let mut props = Map::new();
    match (&image, handler) {
        (Some(img), _) => {
            props.insert("Code".into(), json!({"ImageUri": img.uri}));
            if let Some(c) = &img.config {
                props.insert("ImageConfig".into(), c.clone());
            }
            props.insert("PackageType".into(), json!("Image"));
        }
        (None, Some(handler)) => {
            let s3_key = format!(
                "{}/{}",
                super::core::artifact_directory_name(ctx),
                artifact_name(ctx, key, f)
            );
            props.insert(
                "Code".into(),
                json!({"S3Bucket": super::core::code_bucket(ctx), "S3Key": s3_key}),
            );
            if let Some(rm) = runtime_management(ctx, f) {
                props.insert("RuntimeManagementConfig".into(), rm);
            }
            props.insert("Handler".into(), handler.to_json());
            let runtime = truthy_val(f.get("runtime"))
                .or_else(|| truthy_val(provider("runtime")))
                .map(Node::to_json)
                .unwrap_or_else(|| json!("nodejs16.x"));
            props.insert("Runtime".into(), runtime);
        }
        (None, None) => return None,
    }
    props.insert("FunctionName".into(), json!(name));
    // a Lambda@Edge function's own defaults (`prepareFunctions`), before the provider's
    let edge = super::events::fn_cloudfront::has_event(f);
    props.insert(
        "MemorySize".into(),
        truthy_val(f.get("memorySize"))
            .map(Node::to_json)
            .or_else(|| edge.then(|| json!(128)))
            .or_else(|| truthy_val(provider("memorySize")).map(Node::to_json))
            .unwrap_or_else(|| json!(1024)),
    );
    props.insert(
        "Timeout".into(),
        truthy_val(f.get("timeout"))
            .map(Node::to_json)
            .or_else(|| edge.then(|| json!(5)))
            .or_else(|| truthy_val(provider("timeout")).map(Node::to_json))
            .unwrap_or_else(|| json!(6)),
    );
    if let Some(a) =
        truthy_val(f.get("architecture")).or_else(|| truthy_val(provider("architecture")))
    {
        props.insert("Architectures".into(), json!([a.to_json()]));
    }
    let description = truthy_val(f.get("description"));
    if let Some(d) = description {
        props.insert("Description".into(), d.to_json());
    }

    let mut resource = Map::new();
    resource.insert("Type".into(), json!("AWS::Lambda::Function"));
    let mut depends: Option<Vec<Value>> = None;
    let mut condition = None;
    if let Some(c) = truthy_val(f.get("condition")) {
        condition = Some(c.to_json());
    }
    if let Some(d) = truthy_val(f.get("dependsOn")) {
        concat(depends.get_or_insert_with(Vec::new), d.to_json());
    }

    let ptags = truthy_val(provider("tags"));
    let ftags = truthy_val(f.get("tags"));
    if ptags.is_some() || ftags.is_some() {
        let mut merged = Map::new();
        for src in [ptags, ftags].into_iter().flatten() {
            if let Some(m) = src.as_map() {
                for (k, e) in m.iter() {
                    merged.insert(k.to_string(), e.value.to_json());
                }
            }
        }
        let list: Vec<Value> = crate::emit::json::js_key_order(&merged)
            .into_iter()
            .map(|k| json!({"Key": k, "Value": merged[k.as_str()].clone()}))
            .collect();
        props.insert("Tags".into(), Value::Array(list));
    }
    if let Some(s) = truthy_val(f.get("ephemeralStorageSize")) {
        props.insert("EphemeralStorage".into(), json!({"Size": s.to_json()}));
    }
    if let Some(arn) = truthy_val(f.get("onError")) {
        props.insert(
            "DeadLetterConfig".into(),
            json!({"TargetArn": arn.to_json()}),
        );
        if arn.as_str().is_some()
            && let Some(list) = role_statements(t)
        {
            list.push(
                json!({"Effect": "Allow", "Action": ["sns:Publish"], "Resource": [arn.to_json()]}),
            );
        }
    }
    if let Some(kms) = truthy_val(f.get("kmsKeyArn")).or_else(|| truthy_val(provider("kmsKeyArn")))
    {
        props.insert("KmsKeyArn".into(), kms.to_json());
        if kms.as_str().is_some() {
            union_statement(
                t,
                json!({"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": [kms.to_json()]}),
            );
        }
    }
    let tracing = truthy_val(f.get("tracing"))
        .or_else(|| truthy_val(provider("tracing")).and_then(|tr| truthy_val(tr.get("lambda"))));
    if let Some(tr) = tracing {
        let mode = if tr.as_bool().is_some() {
            json!("Active")
        } else {
            tr.to_json()
        };
        props.insert("TracingConfig".into(), json!({"Mode": mode}));
        union_statement(
            t,
            json!({
                "Effect": "Allow",
                "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
                "Resource": ["*"]
            }),
        );
    }
    let penv = truthy_val(provider("environment"));
    let fenv = truthy_val(f.get("environment"));
    if penv.is_some() || fenv.is_some() {
        let mut vars = Map::new();
        for src in [penv, fenv].into_iter().flatten() {
            if let Some(m) = src.as_map() {
                for (k, e) in m.iter() {
                    vars.insert(k.to_string(), e.value.to_json());
                }
            }
        }
        props.insert(
            "Environment".into(),
            json!({"Variables": Value::Object(vars)}),
        );
    }

    // role
    let role = truthy_val(f.get("role"))
        .or_else(|| iam_role(ctx).filter(|r| is_existing_role(r)))
        .or_else(|| truthy_val(provider("role")));
    match role {
        None => {
            props.insert(
                "Role".into(),
                json!({"Fn::GetAtt": [naming::ROLE_LAMBDA_EXECUTION, "Arn"]}),
            );
        }
        Some(r) => match r.as_str() {
            Some(s) if s.starts_with("arn:") => {
                props.insert("Role".into(), json!(s));
            }
            Some(s) => {
                props.insert("Role".into(), json!({"Fn::GetAtt": [s, "Arn"]}));
                if s != naming::ROLE_LAMBDA_EXECUTION {
                    concat(depends.get_or_insert_with(Vec::new), json!(s));
                }
            }
            None => {
                props.insert("Role".into(), r.to_json());
                if let Some(g) = r.get("Fn::GetAtt") {
                    let first = match g.as_seq() {
                        Some(items) => items.first().map(Node::to_json).unwrap_or(Value::Null),
                        None => json!(js_to_string(g).chars().next().map(String::from)),
                    };
                    concat(depends.get_or_insert_with(Vec::new), first);
                }
            }
        },
    }

    // vpc
    let fvpc = f.get("vpc");
    let opted_out = fvpc.is_some_and(|v| v.is_null() || v.as_bool() == Some(false));
    if !opted_out {
        let from = |k: &str| {
            truthy_val(fvpc.and_then(|v| v.get(k)))
                .or_else(|| truthy_val(ctx.provider_at(&["vpc", k])))
        };
        if let (Some(sg), Some(sn)) = (from("securityGroupIds"), from("subnetIds")) {
            props.insert(
                "VpcConfig".into(),
                json!({"SecurityGroupIds": sg.to_json(), "SubnetIds": sn.to_json()}),
            );
        }
    }
    if let Some(fs) = truthy_val(f.get("fileSystemConfig")) {
        if !props.contains_key("VpcConfig") {
            diags.push(
                Diag::error(
                    &FILE_SYSTEM_WITHOUT_VPC,
                    format!("function `{key}` uses `fileSystemConfig` but has no VPC configuration"),
                )
                .label(key_span(f, "fileSystemConfig"), "needs a VPC")
                .help("set `vpc` (securityGroupIds and subnetIds) on the function or the provider; EFS is reached through the VPC"),
            );
            return None;
        }
        let arn = fs.get("arn").map(Node::to_json);
        if let Some(list) = role_statements(t) {
            list.push(json!({
                "Effect": "Allow",
                "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
                "Resource": [arn.clone().unwrap_or(Value::Null)]
            }));
        }
        let mut cfg = Map::new();
        if let Some(a) = arn {
            cfg.insert("Arn".into(), a);
        }
        if let Some(p) = fs.get("localMountPath") {
            cfg.insert("LocalMountPath".into(), p.to_json());
        }
        props.insert("FileSystemConfigs".into(), json!([Value::Object(cfg)]));
    }
    if let Some(rc) = f.get("reservedConcurrency")
        && (rc.is_truthy() || rc.as_f64() == Some(0.0))
    {
        props.insert("ReservedConcurrentExecutions".into(), rc.to_json());
    }
    if !truthy(f.get("disableLogs")) {
        let mut list = vec![json!(naming::log_group_logical_id(key))];
        list.extend(depends.take().unwrap_or_default());
        depends = Some(list);
    }
    if let Some(l) = truthy_val(f.get("layers")).or_else(|| truthy_val(provider("layers"))) {
        props.insert("Layers".into(), l.to_json());
    }

    resource.insert("Properties".into(), Value::Object(props.clone()));
    if let Some(c) = condition {
        resource.insert("Condition".into(), c);
    }
    if let Some(d) = depends {
        resource.insert("DependsOn".into(), Value::Array(d));
    }
    let logical_id = naming::lambda_logical_id(key);
    t.resources_mut()
        .insert(logical_id.clone(), Value::Object(resource));

    // the framework versions every Lambda@Edge function (`prepareFunctions`)
    let should_version = edge
        || match f.get("versionFunction") {
            Some(v) if !v.is_null() => v.is_truthy(),
            _ => match provider("versionFunctions") {
                Some(v) if !v.is_null() => v.is_truthy(),
                _ => true,
            },
        };
    let provisioned = aliases::has_provisioned_concurrency(f);
    let snap_start = aliases::has_snap_start(f);
    if provisioned && snap_start {
        diags.push(
            Diag::error(
                &SNAP_START_WITH_PROVISIONED_CONCURRENCY,
                format!("function `{key}` enables both SnapStart and provisioned concurrency"),
            )
            .label(key_span(f, "snapStart"), "SnapStart")
            .secondary(key_span(f, "provisionedConcurrency"), "provisioned concurrency")
            .help("Lambda does not support provisioned concurrency on SnapStart functions; remove one of the two settings (the framework refuses this too)"),
        );
        return None;
    }
    if !should_version && !provisioned && !snap_start {
        return Some(None);
    }
    // an image's digest; a zip's hash (stand-in: of its S3 key), which also starts the
    // version hash (an image's `Code` is hashed with the properties instead)
    let (code_sha, hash_start) = match &image {
        Some(img) => (img.sha.clone(), String::new()),
        None => {
            let sha = base64_sha256(s3_key_text(&props).as_bytes());
            (sha.clone(), sha)
        }
    };
    let mut hashed = props;
    if image.is_none() {
        hashed.remove("Code");
    }
    hashed.remove("ReservedConcurrentExecutions");
    hashed.remove("Tags");
    let (layer_zips, layer_configs) =
        super::layers::version_hash_inputs(ctx, t, hashed.get("Layers"));
    hashed.insert("layerConfigurations".into(), layer_configs);
    let mut input = hash_start;
    for (_, h) in &layer_zips {
        input.push_str(h);
    }
    input.push_str(&crate::emit::json::to_compact(&deep_sort(&Value::Object(
        hashed,
    ))));
    let digest = base64_sha256(input.as_bytes());
    let version_id = naming::lambda_version_logical_id(key, &digest);
    let mut vprops = Map::new();
    vprops.insert("FunctionName".into(), json!({"Ref": logical_id}));
    vprops.insert("CodeSha256".into(), json!(code_sha));
    if let Some(d) = description {
        vprops.insert("Description".into(), d.to_json());
    }
    let mut version = json!({
        "Type": "AWS::Lambda::Version",
        "DeletionPolicy": "Retain",
        "Properties": Value::Object(vprops),
    });
    if !should_version && let Some(v) = version.as_object_mut() {
        // a version forced by provisioned concurrency or SnapStart is not retained
        v.remove("DeletionPolicy");
    }
    if snap_start
        && let Some(p) = t
            .resources_mut()
            .get_mut(&logical_id)
            .and_then(|r| r.get_mut("Properties"))
            .and_then(Value::as_object_mut)
    {
        // set after the version hash, which does not include it
        p.insert("SnapStart".into(), json!({"ApplyOn": "PublishedVersions"}));
    }
    Some(Some(Version {
        id: version_id,
        resource: version,
        layer_zips: layer_zips.into_iter().map(|(path, _)| path).collect(),
    }))
}

fn s3_key_text(props: &Map<String, Value>) -> String {
    props
        .get("Code")
        .and_then(|c| c.get("S3Key"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// The framework's `deepSortObjectByKey` (keys ordered with `localeCompare`).
fn deep_sort(v: &Value) -> Value {
    match v {
        Value::Array(a) => Value::Array(a.iter().map(deep_sort).collect()),
        Value::Object(o) => {
            let mut keys: Vec<&String> = o.keys().collect();
            keys.sort_by(|a, b| locale_compare(a, b));
            let mut out = Map::new();
            for k in keys {
                out.insert(k.clone(), deep_sort(&o[k.as_str()]));
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

/// An approximation of ICU's root collation (`String.prototype.localeCompare` in Node) for
/// the keys of a function's properties: punctuation before digits before letters, letters
/// case-insensitively first, lower case before upper case on a tie.
fn locale_compare(a: &str, b: &str) -> std::cmp::Ordering {
    fn primary(c: char) -> (u8, char) {
        if c.is_ascii_alphabetic() {
            (2, c.to_ascii_lowercase())
        } else if c.is_ascii_digit() {
            (1, c)
        } else {
            (0, c)
        }
    }
    let pa: Vec<(u8, char)> = a.chars().map(primary).collect();
    let pb: Vec<(u8, char)> = b.chars().map(primary).collect();
    pa.cmp(&pb).then_with(|| {
        let flip = |s: &str| -> String {
            s.chars()
                .map(|c| {
                    if c.is_ascii_lowercase() {
                        c.to_ascii_uppercase()
                    } else {
                        c.to_ascii_lowercase()
                    }
                })
                .collect()
        };
        flip(a).cmp(&flip(b))
    })
}

/// base64 (standard alphabet, padded) of the sha256 digest.
pub fn base64_sha256(data: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    base64(&Sha256::digest(data))
}

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_and_sha() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(
            base64_sha256(b""),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
    }

    #[test]
    fn locale_order() {
        let mut keys = vec![
            "Timeout",
            "layerConfigurations",
            "Handler",
            "MemorySize",
            "_x",
            "a1",
            "A",
        ];
        keys.sort_by(|a, b| locale_compare(a, b));
        assert_eq!(
            keys,
            [
                "_x",
                "A",
                "a1",
                "Handler",
                "layerConfigurations",
                "MemorySize",
                "Timeout"
            ]
        );
    }
}
