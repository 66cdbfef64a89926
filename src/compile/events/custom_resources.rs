//! The framework's custom resources (`addCustomResourceToService`): a Lambda handler whose
//! code is the framework's `custom-resources.zip`, with the role all handlers share
//! (`IamRoleCustomResourcesLambdaExecution`, unless a deployment role is configured) and,
//! with `provider.logs.frameworkLambda`, a log group. Used by function eventBridge events in
//! custom-resource mode and by REST API access logs (the account's CloudWatch role).

use serde_json::{Map, Value, json};

use crate::compile::{Ctx, Template, naming};
use crate::yaml::{Node, js_to_string};

/// The framework's custom-resource handlers slsx writes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Handler {
    EventBridge,
    ApiGatewayCloudWatchRole,
}

impl Handler {
    /// Its function key (the base of its names and logical IDs).
    pub fn function_key(self) -> &'static str {
        match self {
            Handler::EventBridge => naming::CUSTOM_RESOURCE_EVENT_BRIDGE_FUNCTION,
            Handler::ApiGatewayCloudWatchRole => naming::CUSTOM_RESOURCE_APIGW_CW_ROLE_FUNCTION,
        }
    }

    /// `<Key>LambdaFunction`.
    pub fn logical_id(self) -> String {
        naming::lambda_logical_id(self.function_key())
    }

    fn entry_point(self) -> &'static str {
        match self {
            Handler::EventBridge => "event-bridge/handler.handler",
            Handler::ApiGatewayCloudWatchRole => "api-gateway-cloud-watch-role/handler.handler",
        }
    }
}

/// `addCustomResourceToService(…, handler, statements)`: the role (unless a deployment role
/// is configured) with `statements` appended, the handler function, and its log group with
/// `logs.frameworkLambda`.
pub(crate) fn add(ctx: &Ctx, t: &mut Template, handler: Handler, statements: Vec<Value>) {
    let write_logs = ctx
        .provider_at(&["logs", "frameworkLambda"])
        .is_some_and(Node::is_truthy);
    let prefix = format!("{}-{}", ctx.service, ctx.stage);
    let function_name =
        naming::custom_resource_function_name(&ctx.service, &ctx.stage, handler.function_key());
    let handler_id = handler.logical_id();
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
                first.push(json!({
                    "Effect": "Allow",
                    "Action": ["logs:CreateLogStream", "logs:CreateLogGroup", "logs:TagResource"],
                    "Resource": [{"Fn::Sub": format!("arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:{group}*:*")}],
                }));
                first.push(json!({
                    "Effect": "Allow",
                    "Action": ["logs:PutLogEvents"],
                    "Resource": [{"Fn::Sub": format!("arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:{group}*:*:*")}],
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
        if let Some(list) = t
            .resources_mut()
            .get_mut(role_id)
            .and_then(|r| r.pointer_mut("/Properties/Policies/0/PolicyDocument/Statement"))
            .and_then(Value::as_array_mut)
        {
            list.extend(statements);
        }
    }

    let mut props = Map::new();
    props.insert(
        "Code".into(),
        json!({"S3Bucket": deployment_bucket(t), "S3Key": format!("{}/{}", artifact_directory(ctx, t), naming::CUSTOM_RESOURCES_ARTIFACT)}),
    );
    props.insert("FunctionName".into(), Value::String(function_name.clone()));
    props.insert("Handler".into(), json!(handler.entry_point()));
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
        handler_id,
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

/// The deployment bucket as the functions' `Code.S3Bucket` names it: the configured bucket's
/// name (which the core pass writes into the `ServerlessDeploymentBucketName` output), else a
/// `Ref` to the generated bucket.
pub(crate) fn deployment_bucket(t: &Template) -> Value {
    match t
        .outputs()
        .get(naming::DEPLOYMENT_BUCKET_OUTPUT)
        .and_then(|o| o.get("Value"))
    {
        Some(Value::String(s)) => Value::String(s.clone()),
        _ => json!({"Ref": naming::DEPLOYMENT_BUCKET}),
    }
}

/// The artifact folder of this run: that of the functions' code when the core pass compiled
/// one, else `<deploymentPrefix|serverless>/<service>/<stage>/<instanceId>-<ISO date>`.
pub(crate) fn artifact_directory(ctx: &Ctx, t: &Template) -> String {
    for r in t.resources().values() {
        if r.get("Type").and_then(Value::as_str) == Some("AWS::Lambda::Function")
            && let Some(key) = r.pointer("/Properties/Code/S3Key").and_then(Value::as_str)
            && let Some(i) = key.rfind('/')
        {
            return key[..i].to_string();
        }
    }
    let prefix = match ctx.provider_at(&["deploymentPrefix"]) {
        Some(p) if !p.is_null() => js_to_string(p),
        _ => "serverless".to_string(),
    };
    let ms: i64 = ctx.instance_id.parse().unwrap_or(0);
    format!(
        "{prefix}/{}/{}/{}-{}",
        ctx.service,
        ctx.stage,
        ctx.instance_id,
        iso_date(ms)
    )
}

/// `new Date(ms).toISOString()`.
fn iso_date(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // civil from days (Howard Hinnant's algorithm)
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates() {
        assert_eq!(iso_date(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_date(1_795_609_922_621), "2026-11-25T12:32:02.621Z");
        assert_eq!(iso_date(951_782_400_000), "2000-02-29T00:00:00.000Z");
    }
}
