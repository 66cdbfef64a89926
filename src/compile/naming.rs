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

/// Schedule target id of a function: `<functionKey>Schedule` (raw key).
pub fn schedule_id(function_key: &str) -> String {
    format!("{function_key}Schedule")
}

/// JavaScript `s.length` (UTF-16 code units).
pub fn js_length(s: &str) -> usize {
    s.encode_utf16().count()
}

/// JavaScript `s.slice(0, n)` (UTF-16 code units; a split surrogate pair is dropped).
pub fn js_slice_to(s: &str, n: usize) -> String {
    let mut used = 0;
    let mut out = String::new();
    for c in s.chars() {
        used += c.len_utf16();
        if used > n {
            break;
        }
        out.push(c);
    }
    out
}

/// Lower-case hex md5 of the UTF-8 bytes (Node's `createHash('md5').update(s).digest('hex')`).
pub fn md5_hex(s: &str) -> String {
    use md5::{Digest, Md5};
    Md5::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The framework's `hashName`: the first `31 - len(suffix)` characters, the md5 of the whole
/// name, `-`, the suffix.
fn hash_name(name: &str, suffix: &str) -> String {
    let keep = 31usize.saturating_sub(js_length(suffix));
    format!("{}{}-{suffix}", js_slice_to(name, keep), md5_hex(name))
}

/// Unhashed function eventBridge rule name: `<deployedFunctionName>-rule-<idx>` (also the base
/// of the rule's logical ID, see [`event_bridge_rule_logical_id`]).
pub fn event_bridge_rule_name_base(deployed_function_name: &str, idx: usize) -> String {
    format!("{deployed_function_name}-rule-{idx}")
}

/// Default rule name of a function eventBridge event: [`event_bridge_rule_name_base`]; when
/// longer than 64 characters, its first `31 - len("rule-<idx>")` characters + md5 of the whole
/// name + `-rule-<idx>`. `svc-dev-f-rule-1` stays; a 70-character base becomes
/// `<first 25>` + 32 hex digits + `-rule-1`.
pub fn event_bridge_rule_name(deployed_function_name: &str, idx: usize) -> String {
    let name = event_bridge_rule_name_base(deployed_function_name, idx);
    if js_length(&name) > 64 {
        hash_name(&name, &format!("rule-{idx}"))
    } else {
        name
    }
}

/// Target id of a function eventBridge rule: `<ruleName>-target`; when longer than 64
/// characters, the first 25 characters + md5 of `<ruleName>-target` + `-target`.
pub fn event_bridge_target_id(rule_name: &str) -> String {
    let id = format!("{rule_name}-target");
    if js_length(&id) > 64 {
        hash_name(&id, "target")
    } else {
        id
    }
}

/// The role of the framework's custom-resource Lambdas.
pub const CUSTOM_RESOURCES_ROLE: &str = "IamRoleCustomResourcesLambdaExecution";

/// The artifact every custom-resource Lambda's code comes from.
pub const CUSTOM_RESOURCES_ARTIFACT: &str = "custom-resources.zip";

/// The eventBridge custom-resource handler's function key: `custom-resource-event-bridge`.
pub const CUSTOM_RESOURCE_EVENT_BRIDGE_FUNCTION: &str = "custom-resource-event-bridge";

/// Its logical ID: `CustomDashresourceDasheventDashbridgeLambdaFunction`.
pub fn custom_resource_event_bridge_function_logical_id() -> String {
    lambda_logical_id(CUSTOM_RESOURCE_EVENT_BRIDGE_FUNCTION)
}

/// Its deployed name: `<service>-<stage>-custom-resource-event-bridge` (see
/// [`custom_resource_function_name`]).
pub fn custom_resource_event_bridge_function_name(service: &str, stage: &str) -> String {
    custom_resource_function_name(service, stage, CUSTOM_RESOURCE_EVENT_BRIDGE_FUNCTION)
}

/// The REST API's CloudWatch-role custom-resource handler: `custom-resource-apigw-cw-role`
/// (logical ID `CustomDashresourceDashapigwDashcwDashroleLambdaFunction`).
pub const CUSTOM_RESOURCE_APIGW_CW_ROLE_FUNCTION: &str = "custom-resource-apigw-cw-role";

/// The custom resource that sets up the account's API Gateway CloudWatch role.
pub const CUSTOM_API_GATEWAY_ACCOUNT_CLOUDWATCH_ROLE: &str =
    "CustomApiGatewayAccountCloudWatchRole";

/// A custom-resource handler's deployed name: `<service>-<stage>-<function key>`; when longer
/// than 64 characters, its first 32 characters followed by the md5 of the whole name.
pub fn custom_resource_function_name(service: &str, stage: &str, function_key: &str) -> String {
    let name = format!("{service}-{stage}-{function_key}");
    if js_length(&name) > 64 {
        format!("{}{}", js_slice_to(&name, 32), md5_hex(&name))
    } else {
        name
    }
}

/// The existing-bucket s3 custom-resource handler's function key: `custom-resource-existing-s3`
/// (logical ID `CustomDashresourceDashexistingDashs3LambdaFunction`).
pub const CUSTOM_RESOURCE_S3_FUNCTION: &str = "custom-resource-existing-s3";

/// The existing-pool cognitoUserPool custom-resource handler's function key:
/// `custom-resource-existing-cup`.
pub const CUSTOM_RESOURCE_COGNITO_USER_POOL_FUNCTION: &str = "custom-resource-existing-cup";

/// A function's existing-pool cognitoUserPool custom resource: `<NF>CustomCognitoUserPool1`.
pub fn custom_cognito_user_pool_logical_id(function_key: &str) -> String {
    format!(
        "{}CustomCognitoUserPool1",
        normalize_function_name(function_key)
    )
}

/// A user pool created for cognitoUserPool events: `CognitoUserPool<alnum(pool)>`
/// (`my users` → `CognitoUserPoolMyusers`).
pub fn cognito_user_pool_logical_id(pool: &str) -> String {
    format!(
        "CognitoUserPool{}",
        normalize_name_to_alpha_numeric_only(pool)
    )
}

/// A cognitoUserPool trigger's permission:
/// `<NF>LambdaPermissionCognitoUserPool<alnum(pool)>TriggerSource<alnum(trigger)>`.
pub fn lambda_cognito_user_pool_permission_logical_id(
    function_key: &str,
    pool: &str,
    trigger: &str,
) -> String {
    format!(
        "{}LambdaPermissionCognitoUserPool{}TriggerSource{}",
        normalize_function_name(function_key),
        normalize_name_to_alpha_numeric_only(pool),
        normalize_name_to_alpha_numeric_only(trigger)
    )
}

/// A function's existing-bucket s3 custom resource: `<NF>CustomS31` (one per function, the
/// `1` kept for compatibility).
pub fn custom_s3_logical_id(function_key: &str) -> String {
    format!("{}CustomS31", normalize_function_name(function_key))
}

// Function event sources ----------------------------------------------------------------------

/// An sqs event's mapping: `<NF>EventSourceMappingSQS<alnum(queueName)>`
/// (`worker`, `my-queue.fifo` → `WorkerEventSourceMappingSQSMyqueuefifo`).
pub fn queue_logical_id(function_key: &str, queue_name: &str) -> String {
    format!(
        "{}EventSourceMappingSQS{}",
        normalize_function_name(function_key),
        normalize_name_to_alpha_numeric_only(queue_name)
    )
}

/// A stream event's mapping: `<NF>EventSourceMapping<upperFirst(type)><alnum(streamName)>`
/// (`worker`, `dynamodb`, `orders-table` → `WorkerEventSourceMappingDynamodbOrderstable`).
pub fn stream_logical_id(function_key: &str, stream_type: &str, stream_name: &str) -> String {
    format!(
        "{}EventSourceMapping{}{}",
        normalize_function_name(function_key),
        normalize_name(stream_type),
        normalize_name_to_alpha_numeric_only(stream_name)
    )
}

/// A Kinesis stream consumer's name: `<functionKey><streamName>Consumer`, with
/// `provider.kinesis.consumerNamingMode` set `<functionKey><streamName><service><stage>Consumer`
/// (raw key and name: `worker`, `clicks` → `workerclicksConsumer`).
pub fn stream_consumer_name(
    function_key: &str,
    stream_name: &str,
    service_stage: Option<(&str, &str)>,
) -> String {
    match service_stage {
        Some((service, stage)) => format!("{function_key}{stream_name}{service}{stage}Consumer"),
        None => format!("{function_key}{stream_name}Consumer"),
    }
}

/// Its logical ID: `Norm(consumerName)StreamConsumer`
/// (`workerclicksConsumer` → `WorkerclicksConsumerStreamConsumer`).
pub fn stream_consumer_logical_id(consumer_name: &str) -> String {
    format!("{}StreamConsumer", normalize_function_name(consumer_name))
}

/// `normalizeNameToAlphaNumericOnly(name).slice(0, max)` (names are cut so that logical IDs
/// stay under CloudFormation's 255 characters).
fn alnum_cut(name: &str, max: usize) -> String {
    normalize_name_to_alpha_numeric_only(name)
        .chars()
        .take(max)
        .collect()
}

/// A kafka event's mapping: `<NF>EventSourceMappingKafka<alnum(topic), first 158>`
/// (`consumer`, `orders.v1` → `ConsumerEventSourceMappingKafkaOrdersv1`).
pub fn kafka_event_logical_id(function_key: &str, topic: &str) -> String {
    format!(
        "{}EventSourceMappingKafka{}",
        normalize_function_name(function_key),
        alnum_cut(topic, 158)
    )
}

/// An activemq / rabbitmq event's mapping (`broker`: `ActiveMQ` / `RabbitMQ`):
/// `<NF>EventSourceMapping<broker><alnum(queue), first 150>`.
pub fn mq_event_logical_id(function_key: &str, broker: &str, queue: &str) -> String {
    format!(
        "{}EventSourceMapping{broker}{}",
        normalize_function_name(function_key),
        alnum_cut(queue, 150)
    )
}

/// An msk event's mapping: `<NF>EventSourceMappingMSK<alnum(cluster), first 79><alnum(topic),
/// first 79>` (`consumer`, `my-cluster`, `orders` → `ConsumerEventSourceMappingMSKMyclusterOrders`).
pub fn msk_event_logical_id(function_key: &str, cluster: &str, topic: &str) -> String {
    format!(
        "{}EventSourceMappingMSK{}{}",
        normalize_function_name(function_key),
        alnum_cut(cluster, 79),
        alnum_cut(topic, 79)
    )
}

/// An alb event's target group: `<NF>Alb[MultiValue]TargetGroup<albId>` (`MultiValue` with
/// `multiValueHeaders`; albId from the listener ARN, or the listener's `Ref`).
pub fn alb_target_group_logical_id(function_key: &str, alb_id: &str, multi_value: bool) -> String {
    format!(
        "{}Alb{}TargetGroup{alb_id}",
        normalize_function_name(function_key),
        if multi_value { "MultiValue" } else { "" }
    )
}

/// The target group's `Name` tag (and, md5-hashed, the base of its generated name):
/// `<service>-<functionKey>-<albId>-[multi-value-]<stage>`.
pub fn alb_target_group_name_tag_value(
    service: &str,
    function_key: &str,
    alb_id: &str,
    multi_value: bool,
    stage: &str,
) -> String {
    format!(
        "{service}-{function_key}-{alb_id}-{}{stage}",
        if multi_value { "multi-value-" } else { "" }
    )
}

/// An alb event's listener rule: `<NF>AlbListenerRule<priority>`.
pub fn alb_listener_rule_logical_id(function_key: &str, priority: &str) -> String {
    format!(
        "{}AlbListenerRule{priority}",
        normalize_function_name(function_key)
    )
}

/// A function's alb invoke permission: `<NF>LambdaPermissionAlb`.
pub fn lambda_alb_permission_logical_id(function_key: &str) -> String {
    format!(
        "{}LambdaPermissionAlb",
        normalize_function_name(function_key)
    )
}

/// A function's permission to be registered as a target: `<NF>LambdaPermissionRegisterTarget`.
pub fn lambda_register_target_permission_logical_id(function_key: &str) -> String {
    format!(
        "{}LambdaPermissionRegisterTarget",
        normalize_function_name(function_key)
    )
}

/// The websocket API: `WebsocketsApi`.
pub const WEBSOCKETS_API: &str = "WebsocketsApi";
/// Its stage: `WebsocketsDeploymentStage`.
pub const WEBSOCKETS_STAGE: &str = "WebsocketsDeploymentStage";
/// Its access log group (with `provider.logs.websocket`): `WebsocketsLogGroup`.
pub const WEBSOCKETS_LOG_GROUP: &str = "WebsocketsLogGroup";
/// The output with its URL.
pub const WEBSOCKETS_ENDPOINT_OUTPUT: &str = "ServiceEndpointWebsocket";

/// The websocket API's `Name`: `provider.websocketsApiName` when a non-empty string, else
/// `<stage>-<service>-websockets`.
pub fn websockets_api_name(name: Option<&str>, service: &str, stage: &str) -> String {
    match name.filter(|n| !n.is_empty()) {
        Some(n) => n.to_string(),
        None => format!("{stage}-{service}-websockets"),
    }
}

/// A function's websocket integration: `<NF>WebsocketsIntegration`.
pub fn websockets_integration_logical_id(function_key: &str) -> String {
    format!(
        "{}WebsocketsIntegration",
        normalize_function_name(function_key)
    )
}

/// A function's (or a websocket authorizer's) invoke permission:
/// `<NF>LambdaPermissionWebsockets`.
pub fn lambda_websockets_permission_logical_id(function_key: &str) -> String {
    format!(
        "{}LambdaPermissionWebsockets",
        normalize_function_name(function_key)
    )
}

/// A websocket route: the route key with `$` → `S`, `/` → `Slash`, `-` → `Dash`, `_` →
/// `Underscore`, `.` → `Period`, then `WebsocketsRoute` (`$connect` →
/// `SconnectWebsocketsRoute`; nothing is upper-cased).
pub fn websockets_route_logical_id(route: &str) -> String {
    let key = route
        .replace('$', "S")
        .replace('/', "Slash")
        .replace('-', "Dash")
        .replace('_', "Underscore")
        .replace('.', "Period");
    format!("{key}WebsocketsRoute")
}

/// Its route response: `<route logical ID>Response`.
pub fn websockets_route_response_logical_id(route: &str) -> String {
    format!("{}Response", websockets_route_logical_id(route))
}

/// A websocket authorizer: `<Norm(name)>WebsocketsAuthorizer`.
pub fn websockets_authorizer_logical_id(name: &str) -> String {
    format!("{}WebsocketsAuthorizer", normalize_function_name(name))
}

/// The websocket deployment: `WebsocketsDeployment` + the base64 sha256 of the API's part of
/// the template with everything but letters and digits removed.
pub fn websockets_deployment_logical_id(sha: &str) -> String {
    let sha: String = sha.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    format!("WebsocketsDeployment{sha}")
}

/// A topic created for sns events: `SNSTopic<alnum(topicName)>` (`order-events` →
/// `SNSTopicOrderevents`).
pub fn topic_logical_id(topic_name: &str) -> String {
    format!(
        "SNSTopic{}",
        normalize_name_to_alpha_numeric_only(topic_name)
    )
}

/// The queue policy of an sns event's dead-letter queue: `<alnum(topic)>To<NF>DLQPolicy`.
pub fn topic_dlq_policy_logical_id(function_key: &str, topic_name: &str) -> String {
    format!(
        "{}To{}DLQPolicy",
        normalize_name_to_alpha_numeric_only(topic_name),
        normalize_function_name(function_key)
    )
}

/// An sns event's subscription: `<NF>SnsSubscription<alnum(topic)>`.
pub fn lambda_sns_subscription_logical_id(function_key: &str, topic_name: &str) -> String {
    format!(
        "{}SnsSubscription{}",
        normalize_function_name(function_key),
        normalize_name_to_alpha_numeric_only(topic_name)
    )
}

/// An sns event's permission: `<NF>LambdaPermission<alnum(topic)>SNS`.
pub fn lambda_sns_permission_logical_id(function_key: &str, topic_name: &str) -> String {
    format!(
        "{}LambdaPermission{}SNS",
        normalize_function_name(function_key),
        normalize_name_to_alpha_numeric_only(topic_name)
    )
}

/// A bucket created for s3 events: `S3Bucket<alnum(bucket)>` (the `provider.s3` key when the
/// bucket is declared there; `my-photos.bucket` → `S3BucketMyphotosbucket`).
pub fn bucket_logical_id(bucket: &str) -> String {
    format!("S3Bucket{}", normalize_name_to_alpha_numeric_only(bucket))
}

/// An s3 event's permission: `<NF>LambdaPermission<alnum(bucket)>S3`.
pub fn lambda_s3_permission_logical_id(function_key: &str, bucket: &str) -> String {
    format!(
        "{}LambdaPermission{}S3",
        normalize_function_name(function_key),
        normalize_name_to_alpha_numeric_only(bucket)
    )
}

/// A function cloudwatchEvent rule: `<NF>EventsRuleCloudWatchEvent<n>` (n counts the
/// function's cloudwatchEvent events, from 1).
pub fn cloud_watch_event_logical_id(function_key: &str, n: usize) -> String {
    format!(
        "{}EventsRuleCloudWatchEvent{n}",
        normalize_function_name(function_key)
    )
}

/// Its permission: `<NF>LambdaPermissionEventsRuleCloudWatchEvent<n>`.
pub fn lambda_cloud_watch_event_permission_logical_id(function_key: &str, n: usize) -> String {
    format!(
        "{}LambdaPermissionEventsRuleCloudWatchEvent{n}",
        normalize_function_name(function_key)
    )
}

/// Its target Id: `<functionKey>CloudWatchEvent` (raw key).
pub fn cloud_watch_event_id(function_key: &str) -> String {
    format!("{function_key}CloudWatchEvent")
}

/// A function cloudwatchLog subscription filter: `<NF>LogsSubscriptionFilterCloudWatchLog<n>`.
pub fn cloud_watch_log_logical_id(function_key: &str, n: usize) -> String {
    format!(
        "{}LogsSubscriptionFilterCloudWatchLog{n}",
        normalize_function_name(function_key)
    )
}

/// A function alexaSkill permission: `<NF>LambdaPermissionAlexaSkill<n>` (n counts the
/// function's alexaSkill events, from 1).
pub fn lambda_alexa_skill_permission_logical_id(function_key: &str, n: usize) -> String {
    format!(
        "{}LambdaPermissionAlexaSkill{n}",
        normalize_function_name(function_key)
    )
}

/// A function alexaSmartHome permission: `<NF>LambdaPermissionAlexaSmartHome<n>`.
pub fn lambda_alexa_smart_home_permission_logical_id(function_key: &str, n: usize) -> String {
    format!(
        "{}LambdaPermissionAlexaSmartHome{n}",
        normalize_function_name(function_key)
    )
}

/// A function iot topic rule: `<NF>IotTopicRule<n>` (n counts the function's iot events).
pub fn iot_logical_id(function_key: &str, n: usize) -> String {
    format!("{}IotTopicRule{n}", normalize_function_name(function_key))
}

/// Its permission: `<NF>LambdaPermissionIotTopicRule<n>`.
pub fn lambda_iot_permission_logical_id(function_key: &str, n: usize) -> String {
    format!(
        "{}LambdaPermissionIotTopicRule{n}",
        normalize_function_name(function_key)
    )
}

/// A function's iotFleetProvisioning template (one per function):
/// `<NF>IotProvisioningTemplate`.
pub fn iot_fleet_provisioning_logical_id(function_key: &str) -> String {
    format!(
        "{}IotProvisioningTemplate",
        normalize_function_name(function_key)
    )
}

/// Its permission: `<NF>LambdaPermissionIotProvisioningTemplate`.
pub fn lambda_iot_fleet_provisioning_permission_logical_id(function_key: &str) -> String {
    format!(
        "{}LambdaPermissionIotProvisioningTemplate",
        normalize_function_name(function_key)
    )
}

/// The function's one permission for all its cloudwatchLog events:
/// `<NF>LambdaPermissionLogsSubscriptionFilterCloudWatchLog`.
pub fn lambda_cloud_watch_log_permission_logical_id(function_key: &str) -> String {
    format!(
        "{}LambdaPermissionLogsSubscriptionFilterCloudWatchLog",
        normalize_function_name(function_key)
    )
}

/// `/aws/lambda/<name>`.
pub fn log_group_name(function_name: &str) -> String {
    format!("/aws/lambda/{function_name}")
}

/// Export name of a generated output: `sls-<service>-<stage>-<OutputKey>`.
pub fn stack_output_export_name(service: &str, stage: &str, output_key: &str) -> String {
    format!("sls-{service}-{stage}-{output_key}")
}

// API Gateway (REST) --------------------------------------------------------------------------

/// One path part: lodash `capitalize` (rest lower-cased), `-` → `Dash`, `{x}` → `xVar` (greedy:
/// first `{` to last `}`), drop other non-alphanumerics, upper-case first: `{orderId}` →
/// `OrderidVar`, `my-path` → `MyDashpath`, `{proxy+}` → `ProxyVar`.
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

/// The n-th API key (1-based): `ApiGatewayApiKey<n>`.
pub fn api_key_logical_id(n: usize) -> String {
    format!("ApiGatewayApiKey{n}")
}

/// The n-th key grouped under usage plan `plan`: `ApiGatewayApiKey<UpperFirst(plan)><n>`
/// (`free`, 1 → `ApiGatewayApiKeyFree1`).
pub fn api_key_logical_id_named(n: usize, plan: &str) -> String {
    format!("ApiGatewayApiKey{}{n}", normalize_name(plan))
}

pub const USAGE_PLAN: &str = "ApiGatewayUsagePlan";

/// A usage plan: `ApiGatewayUsagePlan`, or `ApiGatewayUsagePlan<UpperFirst(name)>` for a named
/// one (`paid` → `ApiGatewayUsagePlanPaid`).
pub fn usage_plan_logical_id(name: Option<&str>) -> String {
    match name {
        Some(n) => format!("{USAGE_PLAN}{}", normalize_name(n)),
        None => USAGE_PLAN.to_string(),
    }
}

/// The n-th usage plan key: `ApiGatewayUsagePlanKey<n>`.
pub fn usage_plan_key_logical_id(n: usize) -> String {
    format!("ApiGatewayUsagePlanKey{n}")
}

/// The n-th key of usage plan `plan`: `ApiGatewayUsagePlanKey<UpperFirst(plan)><n>`.
pub fn usage_plan_key_logical_id_named(n: usize, plan: &str) -> String {
    format!("ApiGatewayUsagePlanKey{}{n}", normalize_name(plan))
}

/// A function's (or an authorizer's, by its name) permission for the REST API:
/// `<NF>LambdaPermissionApiGateway` (`users` → `UsersLambdaPermissionApiGateway`).
pub fn lambda_api_gateway_permission_logical_id(function_key: &str) -> String {
    format!(
        "{}LambdaPermissionApiGateway",
        normalize_function_name(function_key)
    )
}

/// The REST API stage's access log group: `ApiGatewayLogGroup`.
pub const API_GATEWAY_LOG_GROUP: &str = "ApiGatewayLogGroup";

/// Its name: `/aws/api-gateway/<service>-<stage>`.
pub fn api_gateway_log_group_name(service: &str, stage: &str) -> String {
    format!("/aws/api-gateway/{service}-{stage}")
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

/// The REST API's `Name`: `provider.apiName` when set; else `<service>-<stage>` with
/// `provider.apiGateway.shouldStartNameWithService`; else `<stage>-<service>`.
pub fn api_gateway_name(
    api_name: Option<&str>,
    should_start_with_service: bool,
    service: &str,
    stage: &str,
) -> String {
    match api_name {
        Some(n) => n.to_string(),
        None if should_start_with_service => format!("{service}-{stage}"),
        None => format!("{stage}-{service}"),
    }
}

/// A model from `provider.apiGateway.request.schemas.<id>`:
/// `ApiGateway` + upperFirst(camelCase(id)) + `Model` (`order-model` → `ApiGatewayOrderModelModel`).
pub fn model_logical_id(schema_id: &str) -> String {
    format!("ApiGateway{}Model", normalize_name(&camel_case(schema_id)))
}

/// An inline request schema: method id + startCase(contentType) without spaces + `Model`
/// (`application/json` → `ApiGatewayMethodUsersPostApplicationJsonModel`).
pub fn endpoint_model_logical_id(resource_name: &str, method: &str, content_type: &str) -> String {
    format!(
        "{}{}Model",
        method_logical_id(resource_name, method),
        start_case(content_type).replace(' ', "")
    )
}

/// serverless-step-functions' permission for an authorizer given by ARN: the ARN's sixth
/// `:`-field + `LambdaPermission`, i.e. `functionLambdaPermission` for every Lambda ARN
/// (`arn:aws:lambda:us-east-1:1:function:svc-dev-auth` → `functionLambdaPermission`).
/// `None` when the string is not shaped like an ARN.
pub fn authorizer_arn_permission_logical_id(arn: &str) -> Option<String> {
    // ^arn:[^:\n]*:[^:\n]*:[^:\n]*:[^:\n]*:(?<resourceName>[^:/]*)[:/]?.*$
    if arn.contains('\n')
        || arn.contains('\r')
        || arn.contains('\u{2028}')
        || arn.contains('\u{2029}')
    {
        return None;
    }
    let mut fields = arn.splitn(6, ':');
    if fields.next() != Some("arn") {
        return None;
    }
    for _ in 0..4 {
        fields.next()?;
    }
    let rest = fields.next()?;
    let resource: String = rest
        .chars()
        .take_while(|c| *c != ':' && *c != '/')
        .collect();
    Some(format!("{resource}LambdaPermission"))
}

// HTTP API (API Gateway v2) ---------------------------------------------------------------------

/// The HTTP API: `HttpApi` (one per stack, shared by every httpApi event).
pub const HTTP_API: &str = "HttpApi";
/// Its `$default` stage: `HttpApiStage`.
pub const HTTP_API_STAGE: &str = "HttpApiStage";
/// Its access log group (with `provider.logs.httpApi`): `HttpApiLogGroup`.
pub const HTTP_API_LOG_GROUP: &str = "HttpApiLogGroup";
/// Output with the API's id.
pub const HTTP_API_ID_OUTPUT: &str = "HttpApiId";
/// Output with the API's URL.
pub const HTTP_API_URL_OUTPUT: &str = "HttpApiUrl";

/// The HTTP API's `Name`: `provider.httpApi.name` when set; else `<service>-<stage>` with
/// `provider.httpApi.shouldStartNameWithService`; else `<stage>-<service>`.
pub fn http_api_name(
    name: Option<&str>,
    should_start_with_service: bool,
    service: &str,
    stage: &str,
) -> String {
    // the same rule as the REST API's, with the httpApi settings
    api_gateway_name(name, should_start_with_service, service, stage)
}

/// A route: `HttpApiRoute` + [`normalize_path`] of the route key (split on `/`, so the method
/// and its space form the first part): `POST /orders` → `HttpApiRoutePostOrders`,
/// `GET /orders/{id}` → `HttpApiRouteGetOrdersIdVar`, `*` → `HttpApiRouteDefault`.
pub fn http_api_route_logical_id(route_key: &str) -> String {
    if route_key == "*" {
        return "HttpApiRouteDefault".to_string();
    }
    format!("HttpApiRoute{}", normalize_path(route_key))
}

/// A function's integration: `HttpApiIntegration<NF>` (`orders` → `HttpApiIntegrationOrders`).
pub fn http_api_integration_logical_id(function_key: &str) -> String {
    format!(
        "HttpApiIntegration{}",
        normalize_function_name(function_key)
    )
}

/// An authorizer of `provider.httpApi.authorizers` (by its `name`, else its key):
/// `HttpApiAuthorizer<NF>` (`single-audience` → `HttpApiAuthorizerSingleDashaudience`).
pub fn http_api_authorizer_logical_id(name: &str) -> String {
    format!("HttpApiAuthorizer{}", normalize_function_name(name))
}

/// The invoke permission of a REQUEST authorizer's Lambda:
/// `<Norm(name)>LambdaAuthorizerPermissionHttpApi` (`lambdaAuth` →
/// `LambdaAuthLambdaAuthorizerPermissionHttpApi`).
pub fn lambda_authorizer_http_api_permission_logical_id(name: &str) -> String {
    format!(
        "{}LambdaAuthorizerPermissionHttpApi",
        normalize_resource_name(name)
    )
}

/// A function's invoke permission for the HTTP API: `<NF>LambdaPermissionHttpApi`.
pub fn lambda_http_api_permission_logical_id(function_key: &str) -> String {
    format!(
        "{}LambdaPermissionHttpApi",
        normalize_function_name(function_key)
    )
}

/// The stack name: `provider.stackName` when it is a non-empty string, else
/// `<service>-<stage>`.
pub fn stack_name(stack_name: Option<&str>, service: &str, stage: &str) -> String {
    match stack_name.filter(|s| !s.is_empty()) {
        Some(s) => s.to_string(),
        None => format!("{service}-{stage}"),
    }
}

/// The HTTP API's access log group: `/aws/http-api/<stackName>`.
pub fn http_api_log_group_name(stack_name: &str) -> String {
    format!("/aws/http-api/{stack_name}")
}

// lodash case helpers (`camelCase`, `startCase` and the `words` they split with) -----------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum CharClass {
    Upper,
    Lower,
    Digit,
    Break,
    /// Letters of other scripts and marks (lodash `rsMisc`).
    Misc,
    /// Astral characters and dingbats, which no word pattern but the emoji one matches.
    Other,
}

fn char_class(c: char) -> CharClass {
    match c {
        'A'..='Z' | '\u{c0}'..='\u{d6}' | '\u{d8}'..='\u{de}' => CharClass::Upper,
        'a'..='z' | '\u{df}'..='\u{f6}' | '\u{f8}'..='\u{ff}' => CharClass::Lower,
        '0'..='9' => CharClass::Digit,
        '\u{0}'..='\u{2f}'
        | '\u{3a}'..='\u{40}'
        | '\u{5b}'..='\u{60}'
        | '\u{7b}'..='\u{bf}'
        | '\u{d7}'
        | '\u{f7}'
        | '\u{2000}'..='\u{206f}'
        | '\u{1680}'
        | '\u{180e}'
        | '\u{3000}'
        | '\u{feff}' => CharClass::Break,
        '\u{2700}'..='\u{27bf}' => CharClass::Other,
        _ if (c as u32) > 0xffff => CharClass::Other,
        _ => CharClass::Misc,
    }
}

/// lodash `deburr`: Latin-1 Supplement and Latin Extended-A letters to basic Latin, combining
/// marks removed.
fn deburr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let u = c as u32;
        if (0x300..=0x36f).contains(&u)
            || (0xfe20..=0xfe2f).contains(&u)
            || (0x20d0..=0x20ff).contains(&u)
        {
            continue;
        }
        let rep: &str = match c {
            'À'..='Å' => "A",
            'à'..='å' => "a",
            'Ç' => "C",
            'ç' => "c",
            'Ð' => "D",
            'ð' => "d",
            'È'..='Ë' => "E",
            'è'..='ë' => "e",
            'Ì'..='Ï' => "I",
            'ì'..='ï' => "i",
            'Ñ' => "N",
            'ñ' => "n",
            'Ò'..='Ö' | 'Ø' => "O",
            'ò'..='ö' | 'ø' => "o",
            'Ù'..='Ü' => "U",
            'ù'..='ü' => "u",
            'Ý' => "Y",
            'ý' | 'ÿ' => "y",
            'Æ' => "Ae",
            'æ' => "ae",
            'Þ' => "Th",
            'þ' => "th",
            'ß' => "ss",
            '\u{100}'..='\u{17f}' => latin_extended_a(c),
            _ => {
                out.push(c);
                continue;
            }
        };
        out.push_str(rep);
    }
    out
}

fn latin_extended_a(c: char) -> &'static str {
    let u = c as u32;
    let even = u.is_multiple_of(2);
    let pick = |up: &'static str, low: &'static str| if even { up } else { low };
    match u {
        0x100..=0x105 => pick("A", "a"),
        0x106..=0x10d => pick("C", "c"),
        0x10e..=0x111 => pick("D", "d"),
        0x112..=0x11b => pick("E", "e"),
        0x11c..=0x123 => pick("G", "g"),
        0x124..=0x127 => pick("H", "h"),
        0x128..=0x131 => pick("I", "i"),
        0x132 => "IJ",
        0x133 => "ij",
        0x134 => "J",
        0x135 => "j",
        0x136 => "K",
        0x137 | 0x138 => "k",
        0x139..=0x142 => {
            if even {
                "l"
            } else {
                "L"
            }
        }
        0x143..=0x148 => {
            if even {
                "n"
            } else {
                "N"
            }
        }
        0x149 => "'n",
        0x14a => "N",
        0x14b => "n",
        0x14c..=0x151 => pick("O", "o"),
        0x152 => "Oe",
        0x153 => "oe",
        0x154..=0x159 => pick("R", "r"),
        0x15a..=0x161 => pick("S", "s"),
        0x162..=0x167 => pick("T", "t"),
        0x168..=0x173 => pick("U", "u"),
        0x174 => "W",
        0x175 => "w",
        0x176 => "Y",
        0x177 => "y",
        0x178 => "Y",
        0x179..=0x17e => {
            if even {
                "z"
            } else {
                "Z"
            }
        }
        _ => "s", // U+017F long s
    }
}

/// lodash `words` (the Unicode-aware pattern, which gives the same words as the ASCII one on
/// strings the ASCII one would be used for). Emoji are not recognised as words.
fn words(s: &str) -> Vec<String> {
    let scan = WordScan {
        cs: s.chars().collect(),
        cl: s.chars().map(char_class).collect(),
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < scan.cs.len() {
        match scan.word_at(i) {
            Some(e) if e > i => {
                out.push(scan.cs[i..e].iter().collect());
                i = e;
            }
            _ => i += 1,
        }
    }
    out
}

struct WordScan {
    cs: Vec<char>,
    cl: Vec<CharClass>,
}

impl WordScan {
    fn at(&self, i: usize) -> Option<CharClass> {
        self.cl.get(i).copied()
    }

    /// End of the longest run of classes accepted by `ok`, from `from`.
    fn run(&self, from: usize, ok: impl Fn(CharClass) -> bool) -> usize {
        let mut k = from;
        while self.at(k).is_some_and(&ok) {
            k += 1;
        }
        k
    }

    /// The end of the word starting at `i`: the alternatives of lodash's `reUnicodeWord`, in
    /// order, with the backtracking the regex engine would do.
    fn word_at(&self, i: usize) -> Option<usize> {
        use CharClass::*;
        // 1. upper? lower+ (?= break | upper | $)
        let j = if self.at(i) == Some(Upper) { i + 1 } else { i };
        let k = self.run(j, |c| c == Lower);
        if k > j && matches!(self.at(k), None | Some(Break) | Some(Upper)) {
            return Some(k);
        }
        // 2. (upper|misc)+ (?= break | upper (lower|misc) | $)
        let k = self.run(i, |c| c == Upper || c == Misc);
        for e in (i + 1..=k).rev() {
            let ok = match self.at(e) {
                None | Some(Break) => true,
                Some(Upper) => matches!(self.at(e + 1), Some(Lower) | Some(Misc)),
                _ => false,
            };
            if ok {
                return Some(e);
            }
        }
        // 3. upper? (lower|misc)+
        let j = if self.at(i) == Some(Upper) { i + 1 } else { i };
        let k = self.run(j, |c| c == Lower || c == Misc);
        if k > j {
            return Some(k);
        }
        // 4. upper+
        let k = self.run(i, |c| c == Upper);
        if k > i {
            return Some(k);
        }
        // 5., 6. ordinals: \d*(?:1ST|2ND|3RD|(?![123])\dTH)(?=\b|[a-z_]), then lower-case
        let digits_end = self.run(i, |c| c == Digit);
        for upper in [true, false] {
            for start in (i..digits_end).rev() {
                if let Some(e) = self.ordinal_at(start, upper) {
                    return Some(e);
                }
            }
        }
        // 7. \d+
        if digits_end > i {
            return Some(digits_end);
        }
        None
    }

    fn ordinal_at(&self, start: usize, upper: bool) -> Option<usize> {
        let three: String = self.cs.get(start..start + 3)?.iter().collect();
        let fixed = if upper {
            ["1ST", "2ND", "3RD"]
        } else {
            ["1st", "2nd", "3rd"]
        };
        let th = if upper { "TH" } else { "th" };
        let first = self.cs[start];
        let ok = fixed.contains(&three.as_str())
            || (first.is_ascii_digit() && !matches!(first, '1' | '2' | '3') && three[1..] == *th);
        if !ok {
            return None;
        }
        let e = start + 3;
        let word = |c: Option<&char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_');
        let next = self.cs.get(e);
        let boundary = word(self.cs.get(e - 1)) != word(next);
        let follows = next.is_some_and(|c| {
            *c == '_'
                || if upper {
                    c.is_ascii_lowercase()
                } else {
                    c.is_ascii_uppercase()
                }
        });
        (boundary || follows).then_some(e)
    }
}

fn compound_words(s: &str) -> Vec<String> {
    words(&deburr(s).replace(['\'', '\u{2019}'], ""))
}

/// lodash `camelCase`: `order-model` → `orderModel`, `Foo Bar` → `fooBar`.
pub fn camel_case(s: &str) -> String {
    let mut out = String::new();
    for (i, w) in compound_words(s).iter().enumerate() {
        let lower = w.to_lowercase();
        if i == 0 {
            out.push_str(&lower);
        } else {
            out.push_str(&normalize_name(&lower));
        }
    }
    out
}

/// lodash `startCase`: `application/json` → `Application Json`.
pub fn start_case(s: &str) -> String {
    compound_words(s)
        .iter()
        .map(|w| normalize_name(w))
        .collect::<Vec<_>>()
        .join(" ")
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

// slsx additions (no counterpart in the plugin: issue #9) --------------------------------------

/// A state machine's HTTP API integration, one per route: `HttpApiIntegrationStepFunctions` +
/// [`normalize_path`] of the route key (`POST /orders` →
/// `HttpApiIntegrationStepFunctionsPostOrders`, `*` → `HttpApiIntegrationStepFunctionsDefault`).
/// The `StepFunctions` infix keeps it apart from a function's `HttpApiIntegration<NF>`.
pub fn sfn_http_api_integration_logical_id(route_key: &str) -> String {
    if route_key == "*" {
        return "HttpApiIntegrationStepFunctionsDefault".to_string();
    }
    format!(
        "HttpApiIntegrationStepFunctions{}",
        normalize_path(route_key)
    )
}

/// The role the HTTP API assumes to start a machine (shared by the machine's routes without
/// `iamRole`): `Norm(key) + "HttpApiToStepFunctionsRole"`, like the plugin's per-machine
/// event roles.
pub fn sfn_http_api_role_logical_id(key: &str) -> String {
    format!("{}HttpApiToStepFunctionsRole", normalize_resource_name(key))
}

/// Its inline policy: `<stage>-<region>-<service>-<key>-httpapi`.
pub fn sfn_http_api_policy_name(stage: &str, region: &str, service: &str, key: &str) -> String {
    format!("{stage}-{region}-{service}-{key}-httpapi")
}

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

/// Notification topic / queue policy or Lambda permission: `<SM>ResourcePolicy` + the first
/// 5 hex digits of `md5(JSON({index, resource}))`, e.g. `SMResourcePolicy1a2b3`.
pub fn notifications_policy_logical_id(state_machine_logical_id: &str, md5_5: &str) -> String {
    format!("{state_machine_logical_id}ResourcePolicy{md5_5}")
}

/// A notification permission's Sid / inline policy name: `<STATUS>-<type>-<md5 5 hex>`,
/// e.g. `FAILED-sns-1a2b3`.
pub fn notifications_policy_name(status: &str, target_type: &str, md5_5: &str) -> String {
    format!("{status}-{target_type}-{md5_5}")
}

/// A notification rule's target Id: `<smName>-<STATUS>-<md5 5 hex>`.
pub fn notifications_target_id(state_machine_name: &str, status: &str, md5_5: &str) -> String {
    format!("{state_machine_name}-{status}-{md5_5}")
}

/// A notification rule's `Name`: `<smName>-<STATUS>-notification` (the underscore of
/// `TIMED_OUT` is kept here, unlike in the logical ID).
pub fn notifications_rule_name(state_machine_name: &str, status: &str) -> String {
    format!("{state_machine_name}-{status}-notification")
}

/// `useExactVersion`'s layer-aware clone of a version: `<VersionId>L<first 8 hex of md5(sorted
/// layers joined by ",")>`, e.g. `HelloLambdaVersionAbcL1a2b3c4d`.
pub fn layer_aware_version_logical_id(version_logical_id: &str, md5_8: &str) -> String {
    format!("{version_logical_id}L{md5_8}")
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
    fn event_bridge_names() {
        assert_eq!(event_bridge_rule_name("svc-dev-f", 1), "svc-dev-f-rule-1");
        let long = "a".repeat(60);
        let n = event_bridge_rule_name(&long, 3);
        assert_eq!(n.len(), 25 + 32 + "-rule-3".len());
        assert!(n.starts_with(&"a".repeat(25)) && n.ends_with("-rule-3"));
        assert_eq!(&n[25..57], md5_hex(&format!("{long}-rule-3")));
        assert_eq!(event_bridge_target_id("r"), "r-target");
        let t = event_bridge_target_id(&"b".repeat(60));
        assert!(t.starts_with(&"b".repeat(25)) && t.ends_with("-target"));
        assert_eq!(md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(
            custom_resource_event_bridge_function_logical_id(),
            "CustomDashresourceDasheventDashbridgeLambdaFunction"
        );
        assert_eq!(
            custom_resource_event_bridge_function_name("exp", "dev"),
            "exp-dev-custom-resource-event-bridge"
        );
        assert_eq!(
            custom_resource_event_bridge_function_name(&"s".repeat(40), "dev").len(),
            64
        );
        assert_eq!(js_slice_to("a😀b", 2), "a");
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
    fn lodash_cases() {
        assert_eq!(camel_case("order-model"), "orderModel");
        assert_eq!(camel_case("Foo Bar"), "fooBar");
        assert_eq!(camel_case("__FOO_BAR__"), "fooBar");
        assert_eq!(camel_case("XMLHttpRequest"), "xmlHttpRequest");
        assert_eq!(camel_case("user2fa"), "user2Fa");
        assert_eq!(camel_case("don't stop"), "dontStop");
        assert_eq!(camel_case("déjà vu"), "dejaVu");
        // checked against lodash 4.17 in node
        for (input, want) in [
            ("ąęść żółw", "aescZolw"),
            ("ÀÉÎõü-Ĳ", "aeIouIj"),
            ("a1b2C3", "a1B2C3"),
            ("HTTPServer2Go", "httpServer2Go"),
            ("100pxAB", "100PxAb"),
        ] {
            assert_eq!(camel_case(input), want, "{input}");
        }
        for (input, want) in [
            ("12TH man", "12 TH Man"),
            ("x_1st", "X 1st"),
            ("ÀbcDéf", "Abc Def"),
            ("日本語テキスト", "日本語テキスト"),
        ] {
            assert_eq!(start_case(input), want, "{input}");
        }
        assert_eq!(start_case("application/json"), "Application Json");
        assert_eq!(
            start_case("application/vnd.api+json"),
            "Application Vnd Api Json"
        );
        assert_eq!(start_case("fooBar"), "Foo Bar");
        assert_eq!(start_case("the 1st and 22ND"), "The 1st And 22ND");
        assert_eq!(
            start_case("text/plain; charset=UTF-8"),
            "Text Plain Charset UTF 8"
        );
    }

    #[test]
    fn function_http_names() {
        assert_eq!(api_key_logical_id_named(2, "free"), "ApiGatewayApiKeyFree2");
        assert_eq!(
            usage_plan_logical_id(Some("paid")),
            "ApiGatewayUsagePlanPaid"
        );
        assert_eq!(usage_plan_logical_id(None), "ApiGatewayUsagePlan");
        assert_eq!(
            usage_plan_key_logical_id_named(1, "paid"),
            "ApiGatewayUsagePlanKeyPaid1"
        );
        assert_eq!(
            lambda_api_gateway_permission_logical_id("my-fn"),
            "MyDashfnLambdaPermissionApiGateway"
        );
        assert_eq!(
            lambda_logical_id(CUSTOM_RESOURCE_APIGW_CW_ROLE_FUNCTION),
            "CustomDashresourceDashapigwDashcwDashroleLambdaFunction"
        );
        assert_eq!(
            api_gateway_log_group_name("svc", "dev"),
            "/aws/api-gateway/svc-dev"
        );
    }

    #[test]
    fn api_gateway_names() {
        assert_eq!(model_logical_id("order-model"), "ApiGatewayOrderModelModel");
        assert_eq!(
            endpoint_model_logical_id("InlineDashvalidated", "post", "application/json"),
            "ApiGatewayMethodInlineDashvalidatedPostApplicationJsonModel"
        );
        assert_eq!(
            authorizer_arn_permission_logical_id(
                "arn:aws:lambda:us-east-1:123456789012:function:oracle-http-dev-legacy"
            )
            .as_deref(),
            Some("functionLambdaPermission")
        );
        assert_eq!(authorizer_arn_permission_logical_id("foo:bar"), None);
        assert_eq!(api_gateway_name(None, false, "svc", "dev"), "dev-svc");
        assert_eq!(api_gateway_name(None, true, "svc", "dev"), "svc-dev");
        assert_eq!(api_gateway_name(Some("x"), true, "svc", "dev"), "x");
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
        assert_eq!(
            notifications_rule_name("notified", "TIMED_OUT"),
            "notified-TIMED_OUT-notification"
        );
        assert_eq!(
            layer_aware_version_logical_id("LayeredLambdaVersionX", "cf1564ef"),
            "LayeredLambdaVersionXLcf1564ef"
        );
    }

    #[test]
    fn http_api_names() {
        // the framework's (pinned by fixtures/httpapi-fn-*)
        assert_eq!(
            http_api_route_logical_id("POST /orders"),
            "HttpApiRoutePostOrders"
        );
        assert_eq!(
            http_api_route_logical_id("GET /orders/{id}"),
            "HttpApiRouteGetOrdersIdVar"
        );
        assert_eq!(http_api_route_logical_id("ANY /any"), "HttpApiRouteAnyAny");
        assert_eq!(http_api_route_logical_id("GET /"), "HttpApiRouteGet");
        assert_eq!(http_api_route_logical_id("*"), "HttpApiRouteDefault");
        assert_eq!(
            http_api_authorizer_logical_id("single-audience"),
            "HttpApiAuthorizerSingleDashaudience"
        );
        assert_eq!(
            http_api_authorizer_logical_id("external_named"),
            "HttpApiAuthorizerExternalUnderscorenamed"
        );
        assert_eq!(
            lambda_authorizer_http_api_permission_logical_id("lambdaAuth"),
            "LambdaAuthLambdaAuthorizerPermissionHttpApi"
        );
        assert_eq!(
            http_api_integration_logical_id("orders"),
            "HttpApiIntegrationOrders"
        );
        assert_eq!(
            lambda_http_api_permission_logical_id("orders"),
            "OrdersLambdaPermissionHttpApi"
        );
        assert_eq!(http_api_name(None, false, "svc", "dev"), "dev-svc");
        assert_eq!(http_api_name(None, true, "svc", "dev"), "svc-dev");
        assert_eq!(http_api_name(Some("api"), true, "svc", "dev"), "api");
        assert_eq!(stack_name(None, "svc", "dev"), "svc-dev");
        assert_eq!(
            stack_name(Some("custom-stack"), "svc", "dev"),
            "custom-stack"
        );
        assert_eq!(
            http_api_log_group_name("custom-stack"),
            "/aws/http-api/custom-stack"
        );
        // slsx's
        assert_eq!(
            sfn_http_api_integration_logical_id("POST /orders"),
            "HttpApiIntegrationStepFunctionsPostOrders"
        );
        assert_eq!(
            sfn_http_api_integration_logical_id("*"),
            "HttpApiIntegrationStepFunctionsDefault"
        );
        assert_eq!(
            sfn_http_api_role_logical_id("order-flow"),
            "OrderDashflowHttpApiToStepFunctionsRole"
        );
        assert_eq!(
            sfn_http_api_policy_name("dev", "us-east-1", "svc", "order-flow"),
            "dev-us-east-1-svc-order-flow-httpapi"
        );
    }
}
