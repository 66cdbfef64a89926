//! The framework's custom-resource Lambdas (`addCustomResourceToService`), shared by the event
//! kinds that need one: existing `s3` buckets and Cognito user pools, `eventBridge` in its
//! custom-resource mode, and the API Gateway CloudWatch role of REST and websocket access logs.
//!
//! Each kind adds its statements to the role `IamRoleCustomResourcesLambdaExecution` (created
//! by the first kind that needs it, with log statements under `provider.logs.frameworkLambda`;
//! none with `provider.iam.deploymentRole` / `cfnRole`, which then becomes the handlers'
//! `Role`), and its handler function `<Norm(key)>LambdaFunction` (with a log group under
//! `provider.logs.frameworkLambda`). The handlers' code is the framework's
//! `custom-resources.zip`, which slsx cannot build: the compilers warn with [`zip_help`].

use serde_json::{Map, Value, json};

use crate::compile::{Ctx, Template, naming};
use crate::yaml::Node;

/// A custom-resource handler of the framework.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Handler {
    /// `custom-resource-existing-s3`, `s3/handler.handler`.
    S3,
    /// `custom-resource-existing-cup`, `cognito-user-pool/handler.handler`.
    CognitoUserPool,
    /// `custom-resource-event-bridge`, `event-bridge/handler.handler`.
    EventBridge,
    /// `custom-resource-apigw-cw-role`, `api-gateway-cloud-watch-role/handler.handler`.
    ApiGatewayCloudWatchRole,
}

impl Handler {
    /// The handler's function key (its deployed name is `<service>-<stage>-<key>`).
    pub fn function_key(self) -> &'static str {
        match self {
            Handler::S3 => naming::CUSTOM_RESOURCE_S3_FUNCTION,
            Handler::CognitoUserPool => naming::CUSTOM_RESOURCE_COGNITO_USER_POOL_FUNCTION,
            Handler::EventBridge => naming::CUSTOM_RESOURCE_EVENT_BRIDGE_FUNCTION,
            Handler::ApiGatewayCloudWatchRole => naming::CUSTOM_RESOURCE_APIGW_CW_ROLE_FUNCTION,
        }
    }

    fn handler(self) -> &'static str {
        match self {
            Handler::S3 => "s3/handler.handler",
            Handler::CognitoUserPool => "cognito-user-pool/handler.handler",
            Handler::EventBridge => "event-bridge/handler.handler",
            Handler::ApiGatewayCloudWatchRole => "api-gateway-cloud-watch-role/handler.handler",
        }
    }

    /// `<Norm(key)>LambdaFunction`.
    pub fn logical_id(self) -> String {
        naming::lambda_logical_id(self.function_key())
    }
}

/// `Fn::Join ":" [arn, partition, <service>, region, account, <rest…>]`.
pub(crate) fn arn_join(service: &str, rest: &[&str]) -> Value {
    let mut parts = vec![
        json!("arn"),
        json!({"Ref": "AWS::Partition"}),
        json!(service),
        json!({"Ref": "AWS::Region"}),
        json!({"Ref": "AWS::AccountId"}),
    ];
    parts.extend(rest.iter().map(|r| json!(r)));
    json!({"Fn::Join": [":", parts]})
}

/// The statement every handler that manages Lambda permissions needs:
/// `lambda:AddPermission` / `lambda:RemovePermission` on `…:function:*`.
pub(crate) fn lambda_permission_statement() -> Value {
    json!({
        "Effect": "Allow",
        "Resource": arn_join("lambda", &["function", "*"]),
        "Action": ["lambda:AddPermission", "lambda:RemovePermission"],
    })
}

/// The help of the warning every compiler gives when it writes a handler: where the zip
/// comes from.
pub(crate) fn zip_help(handler: Handler) -> String {
    format!(
        "the template references `{}` (the code of `{}`) next to the service artifact; slsx \
         writes the template exactly as the framework does but cannot build that zip: take it \
         from `sls package` (.serverless/{})",
        naming::CUSTOM_RESOURCES_ARTIFACT,
        handler.logical_id(),
        naming::CUSTOM_RESOURCES_ARTIFACT,
    )
}

/// What an existing-resource event kind (`s3`, `cognitoUserPool`) ends with: the custom
/// resources of one target chained ([`chain`]), the handler added ([`add`]), and the
/// warning (`code`) at the first event that its code comes from `sls package`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn finish_existing(
    ctx: &Ctx,
    t: &mut Template,
    handler: Handler,
    statements: Vec<Value>,
    groups: &[(String, Vec<String>)],
    code: &'static crate::diagnostics::Code,
    (kind, target, resource_type): (&str, &str, &str),
    first: crate::source::Span,
    diags: &mut crate::diagnostics::Diags,
) {
    chain(t, groups);
    add(ctx, t, handler, statements);
    diags.push(
        crate::diagnostics::Diag::warning(
            code,
            format!("these {kind} events on existing {target} use the framework's custom resource, whose code slsx cannot build"),
        )
        .label(first, format!("compiled as `{resource_type}`"))
        .help(zip_help(handler)),
    );
}

/// Custom resources that configure the same existing resource (bucket, user pool), in
/// order: each after the first depends on the one before it (against races between them).
pub(crate) fn chain(t: &mut Template, groups: &[(String, Vec<String>)]) {
    for (_, ids) in groups {
        for pair in ids.windows(2) {
            if let Some(list) = t
                .resources_mut()
                .get_mut(&pair[1])
                .and_then(|r| r.get_mut("DependsOn"))
                .and_then(Value::as_array_mut)
            {
                list.push(Value::String(pair[0].clone()));
            }
        }
    }
}

/// Records that custom resource `id` configures `target` (see [`chain`]).
pub(crate) fn record(groups: &mut Vec<(String, Vec<String>)>, target: &str, id: &str) {
    match groups.iter_mut().find(|(k, _)| k == target) {
        Some((_, ids)) => {
            if !ids.iter().any(|i| i == id) {
                ids.push(id.to_string());
            }
        }
        None => groups.push((target.to_string(), vec![id.to_string()])),
    }
}

/// The framework's `Date.now()` for a custom resource's `ForceDeploy`: slsx's stand-in for the
/// time of the run, its instance id (epoch milliseconds; `--instance-id`).
pub(crate) fn run_time(ctx: &Ctx) -> Value {
    match ctx.instance_id.trim().parse::<u64>() {
        Ok(n) => json!(n),
        Err(_) => json!(ctx.instance_id),
    }
}

/// `addCustomResourceToService(…, handler, statements)`: the role (unless a deployment role is
/// configured), the handler function, and its log group with `logs.frameworkLambda`.
pub(crate) fn add(ctx: &Ctx, t: &mut Template, handler: Handler, statements: Vec<Value>) {
    let write_logs = ctx
        .provider_at(&["logs", "frameworkLambda"])
        .is_some_and(Node::is_truthy);
    let prefix = format!("{}-{}", ctx.service, ctx.stage);
    let function_name =
        naming::custom_resource_function_name(&ctx.service, &ctx.stage, handler.function_key());
    let role_id = naming::CUSTOM_RESOURCES_ROLE;

    // `_.get(provider, 'iam.deploymentRole', provider.cfnRole)`
    let deployment_role = match ctx.provider_at(&["iam", "deploymentRole"]) {
        Some(r) => Some(r),
        None => ctx.provider_at(&["cfnRole"]),
    }
    .filter(|r| r.is_truthy());

    if deployment_role.is_none() {
        if !t.has_resource(role_id) {
            let mut first = Vec::new();
            if write_logs {
                let group = naming::log_group_name(&prefix);
                let arn = |suffix: &str| json!([{"Fn::Sub": format!("arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:{group}{suffix}")}]);
                first.push(json!({
                    "Effect": "Allow",
                    "Action": ["logs:CreateLogStream", "logs:CreateLogGroup", "logs:TagResource"],
                    "Resource": arn("*:*"),
                }));
                first.push(json!({
                    "Effect": "Allow",
                    "Action": ["logs:PutLogEvents"],
                    "Resource": arn("*:*:*"),
                }));
            }
            t.resources_mut().insert(
                role_id.to_string(),
                json!({
                    "Type": "AWS::IAM::Role",
                    "Properties": {
                        "AssumeRolePolicyDocument": {
                            "Version": "2012-10-17",
                            "Statement": [{
                                "Effect": "Allow",
                                "Principal": {"Service": ["lambda.amazonaws.com"]},
                                "Action": ["sts:AssumeRole"],
                            }],
                        },
                        "Policies": [{
                            "PolicyName": {"Fn::Join": ["-", [ctx.stage, ctx.service, "custom-resources-lambda"]]},
                            "PolicyDocument": {"Version": "2012-10-17", "Statement": first},
                        }],
                    },
                }),
            );
        }
        // The framework skips a statement whose `Resource` is the same value (`===`) as that
        // of one already in the policy: equal strings (`*`, the same ARN) count, objects never
        // do (every compiler builds new ones).
        if let Some(list) = t
            .resources_mut()
            .get_mut(role_id)
            .and_then(|r| r.pointer_mut("/Properties/Policies/0/PolicyDocument/Statement"))
            .and_then(Value::as_array_mut)
        {
            for stmt in statements {
                let same = |s: &Value| match (s.get("Resource"), stmt.get("Resource")) {
                    (Some(Value::String(a)), Some(Value::String(b))) => a == b,
                    _ => false,
                };
                if !list.iter().any(same) {
                    list.push(stmt);
                }
            }
        }
    }

    let mut props = Map::new();
    props.insert(
        "Code".into(),
        json!({
            "S3Bucket": crate::compile::core::code_bucket(ctx),
            "S3Key": format!(
                "{}/{}",
                crate::compile::core::artifact_directory_name(ctx),
                naming::CUSTOM_RESOURCES_ARTIFACT
            ),
        }),
    );
    props.insert("FunctionName".into(), Value::String(function_name.clone()));
    props.insert("Handler".into(), json!(handler.handler()));
    props.insert("MemorySize".into(), json!(1024));
    props.insert("Runtime".into(), json!("nodejs18.x"));
    props.insert("Timeout".into(), json!(180));
    let mut depends = Vec::new();
    match deployment_role {
        Some(r) => {
            props.insert("Role".into(), r.to_json());
        }
        None => {
            props.insert("Role".into(), json!({"Fn::GetAtt": [role_id, "Arn"]}));
            depends.push(json!(role_id));
        }
    }
    let log_group_id = naming::log_group_logical_id(handler.function_key());
    if write_logs {
        depends.push(json!(log_group_id));
    }
    t.resources_mut().insert(
        handler.logical_id(),
        json!({"Type": "AWS::Lambda::Function", "Properties": props, "DependsOn": depends}),
    );
    if write_logs {
        let raw = |k: &str| ctx.provider_at(&[k]).map(Node::to_json);
        let mut p = Map::new();
        p.insert(
            "LogGroupName".into(),
            Value::String(naming::log_group_name(&function_name)),
        );
        if let Some(v) = raw("logRetentionInDays") {
            p.insert("RetentionInDays".into(), v);
        }
        if let Some(v) = raw("logDataProtectionPolicy") {
            p.insert("DataProtectionPolicy".into(), v);
        }
        t.resources_mut().insert(
            log_group_id,
            json!({"Type": "AWS::Logs::LogGroup", "Properties": p}),
        );
    }
}

/// The framework's `ensureApiGatewayCloudWatchRole` (REST and websocket APIs with access logs):
/// the `Custom::ApiGatewayAccountRole` resource (with `provider.logs.restApi.role` as its
/// `RoleArn`) and its handler, once per template (the framework memoizes it), unless
/// `provider.logs.restApi.roleManagedExternally`. Returns whether it wrote them now.
pub(crate) fn ensure_api_gateway_cloud_watch_role(ctx: &Ctx, t: &mut Template) -> bool {
    let rest_api = ctx.provider_at(&["logs", "restApi"]);
    if rest_api
        .and_then(|r| r.get("roleManagedExternally"))
        .is_some_and(Node::is_truthy)
        || t.has_resource(naming::CUSTOM_API_GATEWAY_ACCOUNT_CLOUDWATCH_ROLE)
    {
        return false;
    }
    let handler = Handler::ApiGatewayCloudWatchRole.logical_id();
    let mut props = Map::new();
    props.insert(
        "ServiceToken".into(),
        json!({"Fn::GetAtt": [handler, "Arn"]}),
    );
    if let Some(r) = rest_api
        .and_then(|r| r.get("role"))
        .filter(|r| !r.is_null())
    {
        props.insert("RoleArn".into(), r.to_json());
    }
    t.resources_mut().insert(
        naming::CUSTOM_API_GATEWAY_ACCOUNT_CLOUDWATCH_ROLE.into(),
        json!({"Type": "Custom::ApiGatewayAccountRole", "Version": 1, "Properties": props}),
    );
    add(
        ctx,
        t,
        Handler::ApiGatewayCloudWatchRole,
        vec![
            json!({
                "Effect": "Allow",
                "Resource": {"Fn::Join": [":", ["arn", {"Ref": "AWS::Partition"}, "iam:", {"Ref": "AWS::AccountId"}, "role/*"]]},
                "Action": ["iam:AttachRolePolicy", "iam:CreateRole", "iam:ListAttachedRolePolicies", "iam:PassRole"],
            }),
            json!({
                "Effect": "Allow",
                "Resource": {"Fn::Join": [":", ["arn", {"Ref": "AWS::Partition"}, "apigateway:*::/account"]]},
                "Action": ["apigateway:GET", "apigateway:PATCH"],
            }),
        ],
    );
    true
}
