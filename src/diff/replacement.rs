//! Which property changes make CloudFormation replace a resource (delete and re-create it,
//! with a new physical ID) instead of updating it in place.
//!
//! The table covers the resource types slsx emits and those `resources:` sections commonly
//! hold; a property is listed when the CloudFormation resource reference documents it as
//! "Update requires: Replacement". It is the one place this knowledge lives — extend it here.

/// `(resource type, properties whose change replaces the resource)`.
pub const REPLACEMENT_PROPERTIES: &[(&str, &[&str])] = &[
    (
        "AWS::StepFunctions::StateMachine",
        &["StateMachineName", "StateMachineType"],
    ),
    ("AWS::StepFunctions::Activity", &["Name"]),
    ("AWS::Lambda::Function", &["FunctionName", "PackageType"]),
    (
        "AWS::Lambda::Version",
        &["FunctionName", "CodeSha256", "Description", "RuntimePolicy"],
    ),
    (
        "AWS::Lambda::Permission",
        &[
            "Action",
            "EventSourceToken",
            "FunctionName",
            "FunctionUrlAuthType",
            "Principal",
            "PrincipalOrgID",
            "SourceAccount",
            "SourceArn",
        ],
    ),
    ("AWS::Lambda::Alias", &["FunctionName", "Name"]),
    (
        "AWS::Lambda::EventSourceMapping",
        &[
            "EventSourceArn",
            "StartingPosition",
            "SelfManagedEventSource",
        ],
    ),
    ("AWS::IAM::Role", &["RoleName", "Path"]),
    ("AWS::IAM::ManagedPolicy", &["ManagedPolicyName", "Path"]),
    ("AWS::IAM::User", &["UserName"]),
    ("AWS::IAM::Group", &["GroupName"]),
    ("AWS::S3::Bucket", &["BucketName", "ObjectLockEnabled"]),
    ("AWS::S3::BucketPolicy", &["Bucket"]),
    ("AWS::SNS::Topic", &["TopicName", "FifoTopic"]),
    (
        "AWS::SNS::Subscription",
        &["Endpoint", "Protocol", "TopicArn"],
    ),
    ("AWS::SQS::Queue", &["QueueName", "FifoQueue"]),
    ("AWS::Events::Rule", &["Name", "EventBusName"]),
    ("AWS::Events::EventBus", &["Name", "EventSourceName"]),
    ("AWS::Scheduler::Schedule", &["Name", "GroupName"]),
    ("AWS::Logs::LogGroup", &["LogGroupName"]),
    (
        "AWS::Logs::SubscriptionFilter",
        &["LogGroupName", "FilterName"],
    ),
    ("AWS::CloudWatch::Alarm", &["AlarmName"]),
    ("AWS::CloudTrail::Trail", &["TrailName"]),
    ("AWS::DynamoDB::Table", &["TableName", "KeySchema"]),
    ("AWS::Kinesis::Stream", &["Name"]),
    (
        "AWS::KinesisFirehose::DeliveryStream",
        &["DeliveryStreamName", "DeliveryStreamType"],
    ),
    (
        "AWS::ApiGateway::Resource",
        &["ParentId", "PathPart", "RestApiId"],
    ),
    ("AWS::ApiGateway::Method", &["ResourceId", "RestApiId"]),
    (
        "AWS::ApiGateway::Deployment",
        &["RestApiId", "DeploymentCanarySettings"],
    ),
    ("AWS::ApiGateway::Authorizer", &["RestApiId"]),
    ("AWS::ApiGateway::RequestValidator", &["Name", "RestApiId"]),
    ("AWS::ApiGateway::ApiKey", &["Name", "Value"]),
    (
        "AWS::ApiGateway::UsagePlanKey",
        &["KeyId", "KeyType", "UsagePlanId"],
    ),
];

/// The replacement-causing properties of a resource type (empty for unknown types).
pub fn properties_of(ty: &str) -> &'static [&'static str] {
    REPLACEMENT_PROPERTIES
        .iter()
        .find(|(t, _)| *t == ty)
        .map(|(_, p)| *p)
        .unwrap_or(&[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_entry_per_type() {
        let mut types: Vec<&str> = REPLACEMENT_PROPERTIES.iter().map(|(t, _)| *t).collect();
        types.sort_unstable();
        let n = types.len();
        types.dedup();
        assert_eq!(types.len(), n, "a type is listed twice");
    }

    #[test]
    fn lookup() {
        assert_eq!(
            properties_of("AWS::StepFunctions::StateMachine"),
            ["StateMachineName", "StateMachineType"]
        );
        assert!(properties_of("AWS::Nope::Nope").is_empty());
    }
}
