//! Every logical ID and generated name, in one place.
//!
//! The first half mirrors the Serverless Framework's `lib/plugins/aws/lib/naming.js`, the
//! second serverless-step-functions' `lib/naming.js` (spec: `step-functions-plugin.md` §0.2,
//! §0.3; `serverless-core.md` §3). A change here changes logical IDs, which makes
//! CloudFormation replace resources: each rule is documented with its example.

// ---------------------------------------------------------------------------------------------
// Framework helpers

/// lodash `upperFirst`: `foo` → `Foo`.
pub fn normalize_name(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Drop everything outside `[0-9A-Za-z]`, then upper-case the first character:
/// `my-svc` → `Mysvc`.
pub fn normalize_name_to_alpha_numeric_only(s: &str) -> String {
    let kept: String = s.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    normalize_name(&kept)
}

/// `-` → `Dash`, `_` → `Underscore`, then upper-case the first character:
/// `my-func_x` → `MyDashfuncUnderscorex`. Nothing else is removed.
pub fn normalize_resource_name(s: &str) -> String {
    normalize_name(&s.replace('-', "Dash").replace('_', "Underscore"))
}

/// The framework's `getNormalizedFunctionName` (same rule as [`normalize_resource_name`]).
pub fn normalize_function_name(s: &str) -> String {
    normalize_resource_name(s)
}

/// `hello-world` → `HelloDashworldLambdaFunction`.
pub fn lambda_logical_id(function_key: &str) -> String {
    format!("{}LambdaFunction", normalize_function_name(function_key))
}

/// `hello` → `HelloLogGroup`.
pub fn log_group_logical_id(function_key: &str) -> String {
    format!("{}LogGroup", normalize_function_name(function_key))
}

/// `hello` + hash → `HelloLambdaVersion<hash without non-alphanumerics>`.
pub fn lambda_version_logical_id(function_key: &str, sha: &str) -> String {
    let sha: String = sha.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    format!(
        "{}LambdaVersion{sha}",
        normalize_function_name(function_key)
    )
}

/// `hello` → `HelloLambdaFunctionQualifiedArn`.
pub fn lambda_qualified_arn_output_logical_id(function_key: &str) -> String {
    format!(
        "{}LambdaFunctionQualifiedArn",
        normalize_function_name(function_key)
    )
}

/// Function URL and its output: `<NF>LambdaFunctionUrl`.
pub fn lambda_function_url_logical_id(function_key: &str) -> String {
    format!("{}LambdaFunctionUrl", normalize_function_name(function_key))
}

/// Public invoke permission of a function URL: `<NF>LambdaPermissionFnUrl`.
pub fn lambda_fn_url_permission_logical_id(function_key: &str) -> String {
    format!(
        "{}LambdaPermissionFnUrl",
        normalize_function_name(function_key)
    )
}

/// Event invoke config (destinations, retries): `<NF>LambdaEvConf`.
pub fn lambda_event_config_logical_id(function_key: &str) -> String {
    format!("{}LambdaEvConf", normalize_function_name(function_key))
}

pub const ROLE_LAMBDA_EXECUTION: &str = "IamRoleLambdaExecution";
pub const DEPLOYMENT_BUCKET: &str = "ServerlessDeploymentBucket";
pub const DEPLOYMENT_BUCKET_POLICY: &str = "ServerlessDeploymentBucketPolicy";
pub const DEPLOYMENT_BUCKET_OUTPUT: &str = "ServerlessDeploymentBucketName";
pub const REST_API: &str = "ApiGatewayRestApi";
pub const SERVICE_ENDPOINT_OUTPUT: &str = "ServiceEndpoint";

/// Schedule event of a function: `<NF>EventsRuleSchedule<n>`.
pub fn schedule_logical_id(function_key: &str, n: usize) -> String {
    format!(
        "{}EventsRuleSchedule{n}",
        normalize_function_name(function_key)
    )
}

/// Its permission: `<NF>LambdaPermissionEventsRuleSchedule<n>`.
pub fn lambda_schedule_permission_logical_id(function_key: &str, n: usize) -> String {
    format!(
        "{}LambdaPermissionEventsRuleSchedule{n}",
        normalize_function_name(function_key)
    )
}

/// Scheduler-mode schedule of a function: `<NF>SchedulerSchedule<n>`.
pub fn scheduler_schedule_logical_id(function_key: &str, n: usize) -> String {
    format!(
        "{}SchedulerSchedule{n}",
        normalize_function_name(function_key)
    )
}

/// Function eventBridge rule (CloudFormation mode):
/// `alnum("<deployed>-rule-<idx>") + "EventBridgeRule"`.
pub fn event_bridge_rule_logical_id(rule_name_base: &str) -> String {
    format!(
        "{}EventBridgeRule",
        normalize_name_to_alpha_numeric_only(rule_name_base)
    )
}

/// `<NF>EventBridgeLambdaPermission<idx>`.
pub fn event_bridge_lambda_permission_logical_id(function_key: &str, idx: usize) -> String {
    format!(
        "{}EventBridgeLambdaPermission{idx}",
        normalize_function_name(function_key)
    )
}

/// `my-bus` → `MyDashbusEventBridgeEventBus`.
pub fn event_bridge_event_bus_logical_id(bus_name: &str) -> String {
    format!("{}EventBridgeEventBus", normalize_resource_name(bus_name))
}

/// `<NF>CustomEventBridge<idx>`.
pub fn custom_event_bridge_logical_id(function_key: &str, idx: usize) -> String {
    format!(
        "{}CustomEventBridge{idx}",
        normalize_function_name(function_key)
    )
}

/// Export name of a generated output: `sls-<service>-<stage>-<OutputKey>`.
pub fn stack_output_export_name(service: &str, stage: &str, output_key: &str) -> String {
    format!("sls-{service}-{stage}-{output_key}")
}

// API Gateway (REST) --------------------------------------------------------------------------

/// One path part: lodash `capitalize` (rest lower-cased), `-` → `Dash`, `{x}` → `XVar`, drop
/// other non-alphanumerics, upper-case first: `{orderId}` → `OrderidVar`, `my-path` →
/// `MyDashpath`, `{proxy+}` → `ProxyVar`.
pub fn normalize_path_part(part: &str) -> String {
    let mut cap = String::new();
    let mut chars = part.chars();
    if let Some(f) = chars.next() {
        cap.extend(f.to_uppercase());
        cap.extend(chars.flat_map(|c| c.to_lowercase()));
    }
    let dashed = cap.replace('-', "Dash");
    // `{x}` → `xVar` (greedy: first `{` to last `}` of the part)
    let varred = match (dashed.find('{'), dashed.rfind('}')) {
        (Some(a), Some(b)) if a < b => {
            format!(
                "{}{}Var{}",
                &dashed[..a],
                &dashed[a + 1..b],
                &dashed[b + 1..]
            )
        }
        _ => dashed,
    };
    normalize_name_to_alpha_numeric_only(&varred)
}

/// `users/{id}` → `UsersIdVar`.
pub fn normalize_path(path: &str) -> String {
    path.split('/').map(normalize_path_part).collect()
}

/// `ApiGatewayResource<Path>`.
pub fn resource_logical_id(path: &str) -> String {
    format!("ApiGatewayResource{}", normalize_path(path))
}

/// `GET` → `Get`.
pub fn normalize_method_name(method: &str) -> String {
    normalize_name(&method.to_lowercase())
}

/// `ApiGatewayMethod<ResourceName><Method>`; the root path has an empty resource name.
pub fn method_logical_id(resource_name: &str, method: &str) -> String {
    format!(
        "ApiGatewayMethod{resource_name}{}",
        normalize_method_name(method)
    )
}

/// `<Norm(name)>ApiGatewayAuthorizer`.
pub fn authorizer_logical_id(name: &str) -> String {
    format!("{}ApiGatewayAuthorizer", normalize_resource_name(name))
}

/// Last `:` segment, then last `-` segment: `…:function:svc-dev-auth` → `auth`.
pub fn extract_authorizer_name_from_arn(arn: &str) -> String {
    let last = arn.rsplit(':').next().unwrap_or(arn);
    last.rsplit('-').next().unwrap_or(last).to_string()
}

/// Authorizer permission: `<FunctionLogicalId>LambdaPermission`, e.g.
/// `AuthLambdaFunctionLambdaPermission`.
pub fn authorizer_permission_logical_id(function_logical_id: &str) -> String {
    format!("{function_logical_id}LambdaPermission")
}

pub fn api_key_logical_id(n: usize) -> String {
    format!("ApiGatewayApiKey{n}")
}

pub const USAGE_PLAN: &str = "ApiGatewayUsagePlan";

pub fn usage_plan_key_logical_id(n: usize) -> String {
    format!("ApiGatewayUsagePlanKey{n}")
}

/// `ApiGateway<alnum(service)>RequestValidator`.
pub fn request_validator_logical_id(service: &str) -> String {
    format!(
        "ApiGateway{}RequestValidator",
        normalize_name_to_alpha_numeric_only(service)
    )
}

/// `ApiGatewayDeployment<instanceId>`.
pub fn deployment_logical_id(instance_id: &str) -> String {
    format!("ApiGatewayDeployment{instance_id}")
}

// ---------------------------------------------------------------------------------------------
// serverless-step-functions

/// State machine: `Norm(id ?? name)` when either is set (`id` wins), else
/// `Norm(key) + "StepFunctionsStateMachine"`.
pub fn state_machine_logical_id(key: &str, id: Option<&str>, name: Option<&str>) -> String {
    match id.or(name) {
        Some(custom) => normalize_resource_name(custom),
        None => format!("{}StepFunctionsStateMachine", normalize_resource_name(key)),
    }
}

/// Its output: `<SM>Arn`.
pub fn state_machine_output_logical_id(key: &str, id: Option<&str>, name: Option<&str>) -> String {
    format!("{}Arn", state_machine_logical_id(key, id, name))
}

/// Its execution role: `<SM>Role`.
pub fn state_machine_role_logical_id(state_machine_logical_id: &str) -> String {
    format!("{state_machine_logical_id}Role")
}

/// The role's inline policy: `<stage>-<service>-statemachine`.
pub fn state_machine_policy_name(stage: &str, service: &str) -> String {
    format!("{stage}-{service}-statemachine")
}

/// Activity: `Norm(name) + "StepFunctionsActivity"`.
pub fn activity_logical_id(name: &str) -> String {
    format!("{}StepFunctionsActivity", normalize_resource_name(name))
}

/// Activity output: `Norm(name) + "StepFunctionsActivityArn"`.
pub fn activity_output_logical_id(name: &str) -> String {
    format!("{}StepFunctionsActivityArn", normalize_resource_name(name))
}

/// Schedule rule of a machine: `Norm(key) + "StepFunctionsEventsRuleSchedule" + i`.
pub fn sfn_schedule_logical_id(key: &str, i: usize) -> String {
    format!(
        "{}StepFunctionsEventsRuleSchedule{i}",
        normalize_resource_name(key)
    )
}

/// Scheduler schedule of a machine: `Norm(key) + "StepFunctionsSchedulerSchedule" + i`.
pub fn sfn_scheduler_logical_id(key: &str, i: usize) -> String {
    format!(
        "{}StepFunctionsSchedulerSchedule{i}",
        normalize_resource_name(key)
    )
}

/// Role shared by a machine's schedules: `Norm(key) + "ScheduleToStepFunctionsRole"`.
pub fn sfn_schedule_role_logical_id(key: &str) -> String {
    format!(
        "{}ScheduleToStepFunctionsRole",
        normalize_resource_name(key)
    )
}

/// Schedule target id: `<key>StepFunctionsSchedule` (raw key).
pub fn sfn_schedule_target_id(key: &str) -> String {
    format!("{key}StepFunctionsSchedule")
}

/// Schedule role policy: `<stage>-<region>-<service>-<key>-schedule`.
pub fn sfn_schedule_policy_name(stage: &str, region: &str, service: &str, key: &str) -> String {
    format!("{stage}-{region}-{service}-{key}-schedule")
}

/// cloudwatchEvent / eventBridge rule: `Norm(key) + "EventsRuleCloudWatchEvent" + i`.
pub fn sfn_cloudwatch_event_logical_id(key: &str, i: usize) -> String {
    format!(
        "{}EventsRuleCloudWatchEvent{i}",
        normalize_resource_name(key)
    )
}

/// Its role: `Norm(key) + "EventToStepFunctionsRole"`.
pub fn sfn_event_role_logical_id(key: &str) -> String {
    format!("{}EventToStepFunctionsRole", normalize_resource_name(key))
}

/// Its target id: `<key>CloudWatchEvent`.
pub fn sfn_cloudwatch_target_id(key: &str) -> String {
    format!("{key}CloudWatchEvent")
}

/// Its role policy: `<stage>-<region>-<service>-<key>-event`.
pub fn sfn_event_policy_name(stage: &str, region: &str, service: &str, key: &str) -> String {
    format!("{stage}-{region}-{service}-{key}-event")
}

/// API Gateway → Step Functions role (one per stack).
pub const APIGATEWAY_TO_STEP_FUNCTIONS_ROLE: &str = "ApigatewayToStepFunctionsRole";

/// Alarm: `<SM><MetricName>Alarm`.
pub fn alarm_logical_id(state_machine_logical_id: &str, metric_name: &str) -> String {
    format!("{state_machine_logical_id}{metric_name}Alarm")
}

/// Notifications role: `<SM>NotificationsIamRole`.
pub fn notifications_role_logical_id(state_machine_logical_id: &str) -> String {
    format!("{state_machine_logical_id}NotificationsIamRole")
}

/// Notification rule: `<SM>Notifications<STATUS without its first "_">EventRule`.
pub fn notifications_rule_logical_id(state_machine_logical_id: &str, status: &str) -> String {
    format!(
        "{state_machine_logical_id}Notifications{}EventRule",
        status.replacen('_', "", 1)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framework_examples() {
        assert_eq!(normalize_function_name("hello"), "Hello");
        assert_eq!(
            normalize_function_name("my-func_x"),
            "MyDashfuncUnderscorex"
        );
        assert_eq!(
            lambda_logical_id("hello-world"),
            "HelloDashworldLambdaFunction"
        );
        assert_eq!(normalize_name_to_alpha_numeric_only("my-svc"), "Mysvc");
        assert_eq!(
            event_bridge_rule_logical_id("demo-dev-myfunc_x-rule-2"),
            "Demodevmyfuncxrule2EventBridgeRule"
        );
        assert_eq!(
            event_bridge_event_bus_logical_id("my-bus"),
            "MyDashbusEventBridgeEventBus"
        );
    }

    #[test]
    fn path_parts() {
        assert_eq!(normalize_path_part("users"), "Users");
        assert_eq!(normalize_path_part("userId"), "Userid");
        assert_eq!(normalize_path_part("{id}"), "IdVar");
        assert_eq!(normalize_path_part("{orderId}"), "OrderidVar");
        assert_eq!(normalize_path_part("my-path"), "MyDashpath");
        assert_eq!(normalize_path_part("{proxy+}"), "ProxyVar");
        assert_eq!(normalize_path("users/{id}"), "UsersIdVar");
        assert_eq!(method_logical_id("", "GET"), "ApiGatewayMethodGet");
        assert_eq!(
            extract_authorizer_name_from_arn("arn:aws:lambda:us-east-1:1:function:svc-dev-auth"),
            "auth"
        );
    }

    #[test]
    fn plugin_examples() {
        assert_eq!(
            state_machine_logical_id("S3TriggeredStateMachine", None, None),
            "S3TriggeredStateMachineStepFunctionsStateMachine"
        );
        assert_eq!(
            state_machine_logical_id("k", None, Some("s3-triggered-dev")),
            "S3DashtriggeredDashdev"
        );
        assert_eq!(
            state_machine_logical_id("k", Some("S3Machine"), Some("x")),
            "S3Machine"
        );
        assert_eq!(
            state_machine_logical_id("k", None, Some("i-was-triggered-by-an-s3-put")),
            "IDashwasDashtriggeredDashbyDashanDashs3Dashput"
        );
        assert_eq!(
            notifications_rule_logical_id("SM", "TIMED_OUT"),
            "SMNotificationsTIMEDOUTEventRule"
        );
    }
}
