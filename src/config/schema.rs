//! The part of the framework's v3 configuration schema that changes values: AJV runs with
//! `coerceTypes: 'array'`, so validation converts scalars in place to the types the schema
//! declares (`serverless-core.md` §4.1, §7 item 9).
//!
//! [`TABLE`] maps configuration paths to the schema's branches at that path, in the schema's
//! order. It was derived from the schema the framework validates against in 3.40.0 (the core
//! `lib/config-schema.js`, the AWS provider's `defineProvider` schema with every event's
//! schema, the dashboard plugin's `custom.enterprise`, and serverless-step-functions'
//! `stepFunctions`), keeping only paths where a value can be coerced. Path syntax:
//! `a.b` keys, `*` any key, `#` a key matching `^[a-zA-Z0-9]{1,255}$` (resource logical IDs),
//! `%` a key matching `^[A-Za-z_][a-zA-Z0-9_]*$` (environment variable names), `[]` any
//! array item, `[n]` the item at index n. Areas without a schema (`custom`, resource
//! `Properties`, state machine definitions) have no entries and are never touched.
//!
//! How AJV coerces (ajv 8, `coerceTypes: 'array'`), as [`coerce_branch`] reproduces it:
//! * a value that already has the branch's type is left alone;
//! * otherwise, for a scalar type, a one-item array is unwrapped first (and kept unwrapped
//!   when its item has the type or can be coerced to it);
//! * string ← number (JS `String()`), boolean, null (`""`);
//! * number/integer ← numeric string (JS `Number()`; integers only for `integer`), boolean
//!   (1/0), null (0);
//! * boolean ← `"true"`/`1` and `"false"`/`0`/null;
//! * array ← any scalar or null (`[value]`);
//! * objects are never produced; an impossible coercion leaves the value as it is (the
//!   framework only warns about the mismatch).
//!
//! In an `anyOf`, branches are tried in order until one is valid; a branch that coerces and
//! then fails its own constraint (`pattern`) leaves the coerced value for the next branch
//! (why an IAM `Resource: ['*']` ends up `["*"]` but `Resource: [arn:…]` becomes a string).

use crate::yaml::{Kind, Mapping, Node};

/// One schema branch at a path.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum B {
    /// `type: string`
    S,
    /// `type: string, pattern: '^arn:'`
    Arn,
    /// `type: string, pattern: '^[#A-Za-z0-9-_./]+[*]?$'` (IAM resource names)
    IamRes,
    /// `type: integer`
    I,
    /// `type: number`
    N,
    /// `type: boolean`
    Bo,
    /// `type: array`
    A,
    /// `type: object`
    O,
    /// A CloudFormation intrinsic object (`Ref`, `Fn::GetAtt`, `Fn::Join`, …).
    Cf,
    /// `type: null`
    Nu,
    /// `const: "<string>"`
    K(&'static str),
    /// `const: <JSON>` for a non-string constant
    KJ(&'static str),
    /// `enum: [strings]` without a `type`
    E(&'static [&'static str]),
}

use B::*;

/// Path → branches, in schema order.
#[rustfmt::skip]
pub const TABLE: &[(&str, &[B])] = &[
    ("console", &[Bo, O]),
    ("custom.enterprise.collectApiGatewayLogs", &[Bo]),
    ("custom.enterprise.collectLambdaLogs", &[Bo]),
    ("custom.enterprise.compressLogs", &[Bo]),
    ("custom.enterprise.disableAwsSpans", &[Bo]),
    ("custom.enterprise.disableFrameworksInstrumentation", &[Bo]),
    ("custom.enterprise.disableHttpSpans", &[Bo]),
    ("custom.enterprise.logAccessIamRole", &[Arn]),
    ("custom.enterprise.disableWrapping", &[Bo]),
    ("custom.enterprise.disableMonitoringSetup", &[Bo]),
    ("dashboard.disableMonitoring", &[Bo]),
    ("disabledDeprecations", &[K("*"), A]),
    ("disabledDeprecations[]", &[S]),
    ("frameworkVersion", &[S]),
    ("functions.*.name", &[S]),
    ("functions.*.events", &[A]),
    ("functions.*.events[].schedule", &[S, O]),
    ("functions.*.events[].schedule.rate", &[A]),
    ("functions.*.events[].schedule.rate[]", &[Cf, S]),
    ("functions.*.events[].schedule.enabled", &[Bo]),
    ("functions.*.events[].schedule.name", &[S]),
    ("functions.*.events[].schedule.description", &[S]),
    ("functions.*.events[].schedule.input", &[S, O]),
    ("functions.*.events[].schedule.input.body", &[S]),
    ("functions.*.events[].schedule.inputPath", &[S]),
    ("functions.*.events[].schedule.inputTransformer.inputTemplate", &[S]),
    ("functions.*.events[].schedule.method", &[S]),
    ("functions.*.events[].schedule.timezone", &[S]),
    ("functions.*.events[].s3", &[S, O]),
    ("functions.*.events[].s3.bucket", &[S, Cf]),
    ("functions.*.events[].s3.event", &[S]),
    ("functions.*.events[].s3.existing", &[Bo]),
    ("functions.*.events[].s3.forceDeploy", &[Bo]),
    ("functions.*.events[].s3.rules", &[A]),
    ("functions.*.events[].s3.rules[].prefix", &[S, Cf]),
    ("functions.*.events[].s3.rules[].suffix", &[S, Cf]),
    ("functions.*.events[].http", &[S, O]),
    ("functions.*.events[].http.async", &[Bo]),
    ("functions.*.events[].http.authorizer", &[S, O]),
    ("functions.*.events[].http.authorizer.arn", &[Arn, Cf]),
    ("functions.*.events[].http.authorizer.authorizerId", &[S, Cf]),
    ("functions.*.events[].http.authorizer.claims", &[A]),
    ("functions.*.events[].http.authorizer.claims[]", &[S]),
    ("functions.*.events[].http.authorizer.identitySource", &[S]),
    ("functions.*.events[].http.authorizer.identityValidationExpression", &[S]),
    ("functions.*.events[].http.authorizer.managedExternally", &[Bo]),
    ("functions.*.events[].http.authorizer.name", &[S]),
    ("functions.*.events[].http.authorizer.resultTtlInSeconds", &[I]),
    ("functions.*.events[].http.authorizer.scopes", &[A]),
    ("functions.*.events[].http.authorizer.scopes[]", &[S, S, Cf]),
    ("functions.*.events[].http.authorizer.type", &[S, S, S, S, S]),
    ("functions.*.events[].http.connectionId", &[S, Cf]),
    ("functions.*.events[].http.connectionType", &[S, S]),
    ("functions.*.events[].http.cors", &[Bo, O]),
    ("functions.*.events[].http.cors.allowCredentials", &[Bo]),
    ("functions.*.events[].http.cors.cacheControl", &[S]),
    ("functions.*.events[].http.cors.headers", &[A]),
    ("functions.*.events[].http.cors.headers[]", &[S]),
    ("functions.*.events[].http.cors.maxAge", &[I]),
    ("functions.*.events[].http.cors.methods", &[A]),
    ("functions.*.events[].http.cors.origin", &[S]),
    ("functions.*.events[].http.cors.origins", &[A]),
    ("functions.*.events[].http.cors.origins[]", &[S]),
    ("functions.*.events[].http.integration", &[S, S, S, S, S, S, S, S, S, S]),
    ("functions.*.events[].http.method", &[S]),
    ("functions.*.events[].http.operationId", &[S]),
    ("functions.*.events[].http.path", &[S]),
    ("functions.*.events[].http.private", &[Bo]),
    ("functions.*.events[].http.request.method", &[S]),
    ("functions.*.events[].http.request.parameters.querystrings.*", &[Bo, O]),
    ("functions.*.events[].http.request.parameters.querystrings.*.required", &[Bo]),
    ("functions.*.events[].http.request.parameters.querystrings.*.mappedValue", &[S, Cf]),
    ("functions.*.events[].http.request.parameters.headers.*", &[Bo, O]),
    ("functions.*.events[].http.request.parameters.headers.*.required", &[Bo]),
    ("functions.*.events[].http.request.parameters.headers.*.mappedValue", &[S, Cf]),
    ("functions.*.events[].http.request.parameters.paths.*", &[Bo, O]),
    ("functions.*.events[].http.request.parameters.paths.*.required", &[Bo]),
    ("functions.*.events[].http.request.parameters.paths.*.mappedValue", &[S, Cf]),
    ("functions.*.events[].http.request.schemas.*", &[O, S]),
    ("functions.*.events[].http.request.template.*", &[S]),
    ("functions.*.events[].http.request.uri", &[S, Cf]),
    ("functions.*.events[].http.response.headers.*", &[S]),
    ("functions.*.events[].http.response.template", &[S]),
    ("functions.*.events[].http.response.statusCodes.*.headers.*", &[S]),
    ("functions.*.events[].http.response.statusCodes.*.pattern", &[S]),
    ("functions.*.events[].http.response.statusCodes.*.template", &[S, O]),
    ("functions.*.events[].http.response.statusCodes.*.template.*", &[S]),
    ("functions.*.events[].websocket", &[S, O]),
    ("functions.*.events[].websocket.route", &[S]),
    ("functions.*.events[].websocket.authorizer", &[Arn, S, O]),
    ("functions.*.events[].websocket.authorizer.name", &[S]),
    ("functions.*.events[].websocket.authorizer.arn", &[Arn, Cf]),
    ("functions.*.events[].websocket.authorizer.identitySource", &[A]),
    ("functions.*.events[].websocket.authorizer.identitySource[]", &[S]),
    ("functions.*.events[].sns", &[S, Arn, O]),
    ("functions.*.events[].sns.arn", &[Arn, Cf]),
    ("functions.*.events[].sns.topicName", &[S]),
    ("functions.*.events[].sns.displayName", &[S]),
    ("functions.*.events[].sns.filterPolicyScope", &[S]),
    ("functions.*.events[].sns.redrivePolicy.deadLetterTargetArn", &[Arn]),
    ("functions.*.events[].sns.redrivePolicy.deadLetterTargetRef", &[S]),
    ("functions.*.events[].sns.redrivePolicy.deadLetterTargetImport.arn", &[Arn]),
    ("functions.*.events[].sns.redrivePolicy.deadLetterTargetImport.url", &[S]),
    ("functions.*.events[].stream", &[Arn, O]),
    ("functions.*.events[].stream.batchSize", &[I]),
    ("functions.*.events[].stream.parallelizationFactor", &[I]),
    ("functions.*.events[].stream.startingPositionTimestamp", &[N]),
    ("functions.*.events[].stream.enabled", &[Bo]),
    ("functions.*.events[].stream.consumer", &[KJ("true"), Arn, Cf]),
    ("functions.*.events[].stream.batchWindow", &[I]),
    ("functions.*.events[].stream.maximumRetryAttempts", &[I]),
    ("functions.*.events[].stream.bisectBatchOnFunctionError", &[Bo]),
    ("functions.*.events[].stream.maximumRecordAgeInSeconds", &[KJ("-1"), I]),
    ("functions.*.events[].stream.destinations.onFailure", &[Arn, O]),
    ("functions.*.events[].stream.destinations.onFailure.arn", &[Arn]),
    ("functions.*.events[].stream.tumblingWindowInSeconds", &[I]),
    ("functions.*.events[].stream.filterPatterns", &[A]),
    ("functions.*.events[].stream.arn", &[Arn]),
    ("functions.*.events[].kafka.accessConfigurations.vpcSubnet", &[A]),
    ("functions.*.events[].kafka.accessConfigurations.vpcSubnet[]", &[S]),
    ("functions.*.events[].kafka.accessConfigurations.vpcSecurityGroup", &[A]),
    ("functions.*.events[].kafka.accessConfigurations.vpcSecurityGroup[]", &[S]),
    ("functions.*.events[].kafka.accessConfigurations.saslPlainAuth", &[A]),
    ("functions.*.events[].kafka.accessConfigurations.saslPlainAuth[]", &[S]),
    ("functions.*.events[].kafka.accessConfigurations.saslScram256Auth", &[A]),
    ("functions.*.events[].kafka.accessConfigurations.saslScram256Auth[]", &[S]),
    ("functions.*.events[].kafka.accessConfigurations.saslScram512Auth", &[A]),
    ("functions.*.events[].kafka.accessConfigurations.saslScram512Auth[]", &[S]),
    ("functions.*.events[].kafka.accessConfigurations.clientCertificateTlsAuth", &[A]),
    ("functions.*.events[].kafka.accessConfigurations.clientCertificateTlsAuth[]", &[S]),
    ("functions.*.events[].kafka.accessConfigurations.serverRootCaCertificate", &[A]),
    ("functions.*.events[].kafka.accessConfigurations.serverRootCaCertificate[]", &[S]),
    ("functions.*.events[].kafka.batchSize", &[N]),
    ("functions.*.events[].kafka.maximumBatchingWindow", &[N]),
    ("functions.*.events[].kafka.enabled", &[Bo]),
    ("functions.*.events[].kafka.bootstrapServers", &[A]),
    ("functions.*.events[].kafka.bootstrapServers[]", &[S]),
    ("functions.*.events[].kafka.startingPosition", &[S]),
    ("functions.*.events[].kafka.startingPositionTimestamp", &[N]),
    ("functions.*.events[].kafka.topic", &[S]),
    ("functions.*.events[].kafka.consumerGroupId", &[S]),
    ("functions.*.events[].kafka.filterPatterns", &[A]),
    ("functions.*.events[].activemq.arn", &[S, Cf]),
    ("functions.*.events[].activemq.basicAuthArn", &[S, Cf]),
    ("functions.*.events[].activemq.batchSize", &[N]),
    ("functions.*.events[].activemq.maximumBatchingWindow", &[N]),
    ("functions.*.events[].activemq.enabled", &[Bo]),
    ("functions.*.events[].activemq.queue", &[S]),
    ("functions.*.events[].activemq.filterPatterns", &[A]),
    ("functions.*.events[].rabbitmq.arn", &[S, Cf]),
    ("functions.*.events[].rabbitmq.basicAuthArn", &[S, Cf]),
    ("functions.*.events[].rabbitmq.batchSize", &[N]),
    ("functions.*.events[].rabbitmq.maximumBatchingWindow", &[N]),
    ("functions.*.events[].rabbitmq.enabled", &[Bo]),
    ("functions.*.events[].rabbitmq.queue", &[S]),
    ("functions.*.events[].rabbitmq.virtualHost", &[S]),
    ("functions.*.events[].rabbitmq.filterPatterns", &[A]),
    ("functions.*.events[].msk.arn", &[Arn, Cf]),
    ("functions.*.events[].msk.batchSize", &[N]),
    ("functions.*.events[].msk.maximumBatchingWindow", &[N]),
    ("functions.*.events[].msk.enabled", &[Bo]),
    ("functions.*.events[].msk.startingPosition", &[S]),
    ("functions.*.events[].msk.startingPositionTimestamp", &[N]),
    ("functions.*.events[].msk.topic", &[S]),
    ("functions.*.events[].msk.saslScram512", &[Arn]),
    ("functions.*.events[].msk.consumerGroupId", &[S]),
    ("functions.*.events[].msk.filterPatterns", &[A]),
    ("functions.*.events[].alb.authorizer", &[A]),
    ("functions.*.events[].alb.authorizer[]", &[S]),
    ("functions.*.events[].alb.conditions.header", &[A, O]),
    ("functions.*.events[].alb.conditions.header[].name", &[S]),
    ("functions.*.events[].alb.conditions.header[].values", &[A]),
    ("functions.*.events[].alb.conditions.header[].values[]", &[S]),
    ("functions.*.events[].alb.conditions.header.name", &[S]),
    ("functions.*.events[].alb.conditions.header.values", &[A]),
    ("functions.*.events[].alb.conditions.header.values[]", &[S]),
    ("functions.*.events[].alb.conditions.host", &[A]),
    ("functions.*.events[].alb.conditions.host[]", &[S]),
    ("functions.*.events[].alb.conditions.ip", &[A]),
    ("functions.*.events[].alb.conditions.ip[]", &[S]),
    ("functions.*.events[].alb.conditions.method", &[A]),
    ("functions.*.events[].alb.conditions.method[]", &[S]),
    ("functions.*.events[].alb.conditions.path", &[A]),
    ("functions.*.events[].alb.conditions.path[]", &[S]),
    ("functions.*.events[].alb.conditions.query.*", &[S]),
    ("functions.*.events[].alb.healthCheck", &[Bo, O]),
    ("functions.*.events[].alb.healthCheck.healthyThresholdCount", &[I]),
    ("functions.*.events[].alb.healthCheck.intervalSeconds", &[I]),
    ("functions.*.events[].alb.healthCheck.matcher.httpCode", &[S]),
    ("functions.*.events[].alb.healthCheck.path", &[S]),
    ("functions.*.events[].alb.healthCheck.timeoutSeconds", &[I]),
    ("functions.*.events[].alb.healthCheck.unhealthyThresholdCount", &[I]),
    ("functions.*.events[].alb.listenerArn", &[S, Cf]),
    ("functions.*.events[].alb.multiValueHeaders", &[Bo]),
    ("functions.*.events[].alb.priority", &[I]),
    ("functions.*.events[].alb.targetGroupName", &[S]),
    ("functions.*.events[].alexaSkill", &[S, O]),
    ("functions.*.events[].alexaSkill.appId", &[S]),
    ("functions.*.events[].alexaSkill.enabled", &[Bo]),
    ("functions.*.events[].alexaSmartHome", &[S, O]),
    ("functions.*.events[].alexaSmartHome.appId", &[S]),
    ("functions.*.events[].alexaSmartHome.enabled", &[Bo]),
    ("functions.*.events[].iot.sql", &[S]),
    ("functions.*.events[].iot.sqlVersion", &[S]),
    ("functions.*.events[].iot.name", &[S]),
    ("functions.*.events[].iot.enabled", &[Bo]),
    ("functions.*.events[].iot.description", &[S]),
    ("functions.*.events[].iotFleetProvisioning.enabled", &[Bo]),
    ("functions.*.events[].iotFleetProvisioning.provisioningRoleArn", &[Arn, Cf]),
    ("functions.*.events[].iotFleetProvisioning.templateName", &[S]),
    ("functions.*.events[].cloudwatchEvent.input", &[S, O]),
    ("functions.*.events[].cloudwatchEvent.inputPath", &[S]),
    ("functions.*.events[].cloudwatchEvent.inputTransformer.inputPathsMap.*", &[S]),
    ("functions.*.events[].cloudwatchEvent.inputTransformer.inputTemplate", &[S]),
    ("functions.*.events[].cloudwatchEvent.description", &[S]),
    ("functions.*.events[].cloudwatchEvent.name", &[S]),
    ("functions.*.events[].cloudwatchEvent.enabled", &[Bo]),
    ("functions.*.events[].cloudwatchLog", &[S, O]),
    ("functions.*.events[].cloudwatchLog.logGroup", &[S]),
    ("functions.*.events[].cloudwatchLog.filter", &[S]),
    ("functions.*.events[].cognitoUserPool.pool", &[S]),
    ("functions.*.events[].cognitoUserPool.existing", &[Bo]),
    ("functions.*.events[].cognitoUserPool.forceDeploy", &[Bo]),
    ("functions.*.events[].cognitoUserPool.kmsKeyId", &[Cf, S]),
    ("functions.*.events[].eventBridge.eventBus", &[S, Arn, Cf]),
    ("functions.*.events[].eventBridge.schedule", &[S]),
    ("functions.*.events[].eventBridge.name", &[S]),
    ("functions.*.events[].eventBridge.description", &[S]),
    ("functions.*.events[].eventBridge.enabled", &[Bo]),
    ("functions.*.events[].eventBridge.pattern.$or", &[A]),
    ("functions.*.events[].eventBridge.inputPath", &[S]),
    ("functions.*.events[].eventBridge.inputTransformer.inputPathsMap.*", &[S]),
    ("functions.*.events[].eventBridge.inputTransformer.inputTemplate", &[S]),
    ("functions.*.events[].eventBridge.retryPolicy.maximumEventAge", &[I]),
    ("functions.*.events[].eventBridge.retryPolicy.maximumRetryAttempts", &[I]),
    ("functions.*.events[].eventBridge.deadLetterQueueArn", &[Arn, Cf]),
    ("functions.*.events[].sqs", &[Arn, O]),
    ("functions.*.events[].sqs.arn", &[Arn, Cf]),
    ("functions.*.events[].sqs.batchSize", &[I]),
    ("functions.*.events[].sqs.enabled", &[Bo]),
    ("functions.*.events[].sqs.maximumBatchingWindow", &[I]),
    ("functions.*.events[].sqs.filterPatterns", &[A]),
    ("functions.*.events[].sqs.maximumConcurrency", &[I]),
    ("functions.*.events[].cloudFront.behavior.AllowedMethods", &[A, A, A]),
    ("functions.*.events[].cloudFront.behavior.CachedMethods", &[A, A]),
    ("functions.*.events[].cloudFront.behavior.CachePolicyId", &[S]),
    ("functions.*.events[].cloudFront.behavior.Compress", &[Bo]),
    ("functions.*.events[].cloudFront.behavior.FieldLevelEncryptionId", &[S]),
    ("functions.*.events[].cloudFront.behavior.OriginRequestPolicyId", &[S, Cf]),
    ("functions.*.events[].cloudFront.behavior.ResponseHeadersPolicyId", &[S, Cf]),
    ("functions.*.events[].cloudFront.behavior.SmoothStreaming", &[Bo]),
    ("functions.*.events[].cloudFront.behavior.TrustedSigners", &[A]),
    ("functions.*.events[].cloudFront.behavior.TrustedSigners[]", &[S]),
    ("functions.*.events[].cloudFront.behavior.TrustedKeyGroups", &[A]),
    ("functions.*.events[].cloudFront.behavior.TrustedKeyGroups[]", &[S, Cf]),
    ("functions.*.events[].cloudFront.behavior.MaxTTL", &[N]),
    ("functions.*.events[].cloudFront.behavior.MinTTL", &[N]),
    ("functions.*.events[].cloudFront.behavior.DefaultTTL", &[N]),
    ("functions.*.events[].cloudFront.behavior.ForwardedValues.Cookies.WhitelistedNames", &[A]),
    ("functions.*.events[].cloudFront.behavior.ForwardedValues.Cookies.WhitelistedNames[]", &[S]),
    ("functions.*.events[].cloudFront.behavior.ForwardedValues.Headers", &[A]),
    ("functions.*.events[].cloudFront.behavior.ForwardedValues.Headers[]", &[S]),
    ("functions.*.events[].cloudFront.behavior.ForwardedValues.QueryString", &[Bo]),
    ("functions.*.events[].cloudFront.behavior.ForwardedValues.QueryStringCacheKeys", &[A]),
    ("functions.*.events[].cloudFront.behavior.ForwardedValues.QueryStringCacheKeys[]", &[S]),
    ("functions.*.events[].cloudFront.cachePolicy.id", &[S, Cf]),
    ("functions.*.events[].cloudFront.cachePolicy.name", &[S]),
    ("functions.*.events[].cloudFront.isDefaultOrigin", &[Bo]),
    ("functions.*.events[].cloudFront.includeBody", &[Bo]),
    ("functions.*.events[].cloudFront.origin", &[S, O]),
    ("functions.*.events[].cloudFront.origin.ConnectionAttempts", &[I]),
    ("functions.*.events[].cloudFront.origin.ConnectionTimeout", &[I]),
    ("functions.*.events[].cloudFront.origin.CustomOriginConfig.HTTPPort", &[I]),
    ("functions.*.events[].cloudFront.origin.CustomOriginConfig.HTTPSPort", &[I]),
    ("functions.*.events[].cloudFront.origin.CustomOriginConfig.OriginKeepaliveTimeout", &[I]),
    ("functions.*.events[].cloudFront.origin.CustomOriginConfig.OriginReadTimeout", &[I]),
    ("functions.*.events[].cloudFront.origin.CustomOriginConfig.OriginSSLProtocols", &[A]),
    ("functions.*.events[].cloudFront.origin.DomainName", &[S, Cf]),
    ("functions.*.events[].cloudFront.origin.OriginAccessControlId", &[S, Cf]),
    ("functions.*.events[].cloudFront.origin.OriginCustomHeaders", &[A]),
    ("functions.*.events[].cloudFront.origin.OriginCustomHeaders[].HeaderName", &[S]),
    ("functions.*.events[].cloudFront.origin.OriginCustomHeaders[].HeaderValue", &[S]),
    ("functions.*.events[].cloudFront.origin.OriginPath", &[S]),
    ("functions.*.events[].cloudFront.origin.S3OriginConfig.OriginAccessIdentity", &[S, Cf]),
    ("functions.*.events[].cloudFront.pathPattern", &[S]),
    ("functions.*.events[].httpApi", &[S, O]),
    ("functions.*.events[].httpApi.authorizer", &[S, O]),
    ("functions.*.events[].httpApi.authorizer.id", &[S, Cf]),
    ("functions.*.events[].httpApi.authorizer.name", &[S]),
    ("functions.*.events[].httpApi.authorizer.scopes", &[A]),
    ("functions.*.events[].httpApi.authorizer.scopes[]", &[S]),
    ("functions.*.events[].httpApi.authorizer.type", &[S]),
    ("functions.*.events[].httpApi.method", &[S]),
    ("functions.*.events[].httpApi.path", &[S]),
    ("functions.*.awsKmsKeyArn", &[Cf, S]),
    ("functions.*.condition", &[S]),
    ("functions.*.dependsOn", &[A]),
    ("functions.*.dependsOn[]", &[S]),
    ("functions.*.description", &[S]),
    ("functions.*.destinations.onSuccess", &[S, O]),
    ("functions.*.destinations.onFailure", &[S, O]),
    ("functions.*.disableLogs", &[Bo]),
    ("functions.*.environment.%", &[K(""), S, Cf]),
    ("functions.*.ephemeralStorageSize", &[I]),
    ("functions.*.fileSystemConfig.arn", &[S, Cf]),
    ("functions.*.fileSystemConfig.localMountPath", &[S]),
    ("functions.*.handler", &[S]),
    ("functions.*.image", &[S, S, O]),
    ("functions.*.image.name", &[S]),
    ("functions.*.image.uri", &[S]),
    ("functions.*.image.workingDirectory", &[S]),
    ("functions.*.image.command", &[A]),
    ("functions.*.image.command[]", &[S]),
    ("functions.*.image.entryPoint", &[A]),
    ("functions.*.image.entryPoint[]", &[S]),
    ("functions.*.kmsKeyArn", &[Cf, S]),
    ("functions.*.snapStart", &[Bo]),
    ("functions.*.layers", &[A]),
    ("functions.*.layers[]", &[Arn, Cf]),
    ("functions.*.logRetentionInDays", &[N]),
    ("functions.*.logDataProtectionPolicy.Name", &[S]),
    ("functions.*.logDataProtectionPolicy.Description", &[S]),
    ("functions.*.logDataProtectionPolicy.Version", &[S]),
    ("functions.*.logDataProtectionPolicy.Statement", &[A]),
    ("functions.*.maximumEventAge", &[I]),
    ("functions.*.maximumRetryAttempts", &[I]),
    ("functions.*.memorySize", &[I]),
    ("functions.*.onError", &[S, Cf]),
    ("functions.*.package.artifact", &[S]),
    ("functions.*.package.exclude", &[A]),
    ("functions.*.package.exclude[]", &[S]),
    ("functions.*.package.include", &[A]),
    ("functions.*.package.include[]", &[S]),
    ("functions.*.package.individually", &[Bo]),
    ("functions.*.package.patterns", &[A]),
    ("functions.*.package.patterns[]", &[S]),
    ("functions.*.provisionedConcurrency", &[I, Cf]),
    ("functions.*.reservedConcurrency", &[I, Cf]),
    ("functions.*.role", &[S, Cf]),
    ("functions.*.runtimeManagement.arn", &[Arn, Cf]),
    ("functions.*.tags.*", &[S]),
    ("functions.*.timeout", &[I]),
    ("functions.*.tracing", &[E(&["Active", "PassThrough"]), Bo]),
    ("functions.*.url", &[Bo, O]),
    ("functions.*.url.authorizer", &[S]),
    ("functions.*.url.cors", &[Bo, O]),
    ("functions.*.url.cors.allowCredentials", &[Bo]),
    ("functions.*.url.cors.allowedHeaders", &[A]),
    ("functions.*.url.cors.allowedHeaders[]", &[S]),
    ("functions.*.url.cors.allowedMethods", &[A]),
    ("functions.*.url.cors.allowedMethods[]", &[S]),
    ("functions.*.url.cors.allowedOrigins", &[A]),
    ("functions.*.url.cors.allowedOrigins[]", &[S]),
    ("functions.*.url.cors.exposedResponseHeaders", &[A]),
    ("functions.*.url.cors.exposedResponseHeaders[]", &[S]),
    ("functions.*.url.cors.maxAge", &[I]),
    ("functions.*.url.invokeMode", &[S]),
    ("functions.*.versionFunction", &[Bo]),
    ("functions.*.vpc.securityGroupIds", &[A, Cf]),
    ("functions.*.vpc.securityGroupIds[]", &[S, Cf]),
    ("functions.*.vpc.subnetIds", &[A, Cf]),
    ("functions.*.vpc.subnetIds[]", &[S, Cf]),
    ("functions.*.httpApi.payload", &[S]),
    ("package.artifact", &[S]),
    ("package.exclude", &[A]),
    ("package.exclude[]", &[S]),
    ("package.excludeDevDependencies", &[Bo]),
    ("package.include", &[A]),
    ("package.include[]", &[S]),
    ("package.individually", &[Bo]),
    ("package.path", &[S]),
    ("package.patterns", &[A]),
    ("package.patterns[]", &[S]),
    ("plugins", &[O, A]),
    ("plugins.localPath", &[S]),
    ("plugins.modules", &[A]),
    ("plugins.modules[]", &[S]),
    ("plugins[]", &[S]),
    ("projectDir", &[S]),
    ("provider.alb.targetGroupPrefix", &[S]),
    ("provider.alb.authorizers.*.authorizationEndpoint", &[S]),
    ("provider.alb.authorizers.*.clientId", &[S]),
    ("provider.alb.authorizers.*.clientSecret", &[S]),
    ("provider.alb.authorizers.*.issuer", &[S]),
    ("provider.alb.authorizers.*.tokenEndpoint", &[S]),
    ("provider.alb.authorizers.*.userInfoEndpoint", &[S]),
    ("provider.alb.authorizers.*.requestExtraParams.*", &[S]),
    ("provider.alb.authorizers.*.scope", &[S]),
    ("provider.alb.authorizers.*.sessionCookieName", &[S]),
    ("provider.alb.authorizers.*.sessionTimeout", &[I]),
    ("provider.alb.authorizers.*.userPoolArn", &[Arn, Cf]),
    ("provider.alb.authorizers.*.userPoolClientId", &[S]),
    ("provider.alb.authorizers.*.userPoolDomain", &[S]),
    ("provider.apiGateway.apiKeys", &[A]),
    ("provider.apiGateway.apiKeys[]", &[S, O]),
    ("provider.apiGateway.apiKeys[].name", &[S]),
    ("provider.apiGateway.apiKeys[].value", &[S]),
    ("provider.apiGateway.apiKeys[].description", &[S]),
    ("provider.apiGateway.apiKeys[].customerId", &[S]),
    ("provider.apiGateway.apiKeys[].enabled", &[Bo]),
    ("provider.apiGateway.apiKeys[].*", &[A]),
    ("provider.apiGateway.apiKeys[].*[]", &[S, O]),
    ("provider.apiGateway.apiKeys[].*[].name", &[S]),
    ("provider.apiGateway.apiKeys[].*[].value", &[S]),
    ("provider.apiGateway.apiKeys[].*[].description", &[S]),
    ("provider.apiGateway.apiKeys[].*[].customerId", &[S]),
    ("provider.apiGateway.apiKeys[].*[].enabled", &[Bo]),
    ("provider.apiGateway.apiKeySourceType", &[S, S]),
    ("provider.apiGateway.binaryMediaTypes", &[A]),
    ("provider.apiGateway.binaryMediaTypes[]", &[S]),
    ("provider.apiGateway.description", &[S]),
    ("provider.apiGateway.disableDefaultEndpoint", &[Bo]),
    ("provider.apiGateway.metrics", &[Bo]),
    ("provider.apiGateway.minimumCompressionSize", &[I]),
    ("provider.apiGateway.resourcePolicy", &[A]),
    ("provider.apiGateway.resourcePolicy[].Sid", &[S]),
    ("provider.apiGateway.resourcePolicy[].Action", &[A]),
    ("provider.apiGateway.resourcePolicy[].Action[]", &[S]),
    ("provider.apiGateway.resourcePolicy[].NotAction", &[A]),
    ("provider.apiGateway.resourcePolicy[].NotAction[]", &[S]),
    ("provider.apiGateway.resourcePolicy[].Principal.AWS", &[K("*"), Cf, A]),
    ("provider.apiGateway.resourcePolicy[].Principal.AWS[]", &[S, Arn, Cf]),
    ("provider.apiGateway.resourcePolicy[].Principal.Federated", &[A]),
    ("provider.apiGateway.resourcePolicy[].Principal.Federated[]", &[S]),
    ("provider.apiGateway.resourcePolicy[].Principal.Service", &[A]),
    ("provider.apiGateway.resourcePolicy[].Principal.Service[]", &[S]),
    ("provider.apiGateway.resourcePolicy[].Principal.CanonicalUser", &[A]),
    ("provider.apiGateway.resourcePolicy[].Principal.CanonicalUser[]", &[S]),
    ("provider.apiGateway.resourcePolicy[].NotPrincipal.AWS", &[K("*"), Cf, A]),
    ("provider.apiGateway.resourcePolicy[].NotPrincipal.AWS[]", &[S, Arn, Cf]),
    ("provider.apiGateway.resourcePolicy[].NotPrincipal.Federated", &[A]),
    ("provider.apiGateway.resourcePolicy[].NotPrincipal.Federated[]", &[S]),
    ("provider.apiGateway.resourcePolicy[].NotPrincipal.Service", &[A]),
    ("provider.apiGateway.resourcePolicy[].NotPrincipal.Service[]", &[S]),
    ("provider.apiGateway.resourcePolicy[].NotPrincipal.CanonicalUser", &[A]),
    ("provider.apiGateway.resourcePolicy[].NotPrincipal.CanonicalUser[]", &[S]),
    ("provider.apiGateway.resourcePolicy[].Resource", &[K("*"), Arn, Cf, S, A]),
    ("provider.apiGateway.resourcePolicy[].Resource[]", &[K("*"), Arn, Cf, S]),
    ("provider.apiGateway.resourcePolicy[].NotResource", &[K("*"), Arn, Cf, S, A]),
    ("provider.apiGateway.resourcePolicy[].NotResource[]", &[K("*"), Arn, Cf, S]),
    ("provider.apiGateway.restApiId", &[S, Cf]),
    ("provider.apiGateway.restApiResources", &[A, O]),
    ("provider.apiGateway.restApiResources[].path", &[S]),
    ("provider.apiGateway.restApiResources[].resourceId", &[S]),
    ("provider.apiGateway.restApiRootResourceId", &[S, Cf]),
    ("provider.apiGateway.request.schemas.*.name", &[S]),
    ("provider.apiGateway.request.schemas.*.description", &[S]),
    ("provider.apiGateway.shouldStartNameWithService", &[Bo]),
    ("provider.apiGateway.stage", &[S]),
    ("provider.apiGateway.usagePlan", &[O, A]),
    ("provider.apiGateway.usagePlan.quota.limit", &[I]),
    ("provider.apiGateway.usagePlan.quota.offset", &[I]),
    ("provider.apiGateway.usagePlan.throttle.burstLimit", &[I]),
    ("provider.apiGateway.usagePlan.throttle.rateLimit", &[I]),
    ("provider.apiGateway.usagePlan[].*.quota.limit", &[I]),
    ("provider.apiGateway.usagePlan[].*.quota.offset", &[I]),
    ("provider.apiGateway.usagePlan[].*.throttle.burstLimit", &[I]),
    ("provider.apiGateway.usagePlan[].*.throttle.rateLimit", &[I]),
    ("provider.apiGateway.websocketApiId", &[S, Cf]),
    ("provider.apiName", &[S]),
    ("provider.cfnRole", &[Arn, Cf]),
    ("provider.cloudFront.cachePolicies.*.Comment", &[S]),
    ("provider.cloudFront.cachePolicies.*.DefaultTTL", &[I]),
    ("provider.cloudFront.cachePolicies.*.MaxTTL", &[I]),
    ("provider.cloudFront.cachePolicies.*.MinTTL", &[I]),
    ("provider.cloudFront.cachePolicies.*.ParametersInCacheKeyAndForwardedToOrigin.CookiesConfig.Cookies", &[A]),
    ("provider.cloudFront.cachePolicies.*.ParametersInCacheKeyAndForwardedToOrigin.CookiesConfig.Cookies[]", &[S]),
    ("provider.cloudFront.cachePolicies.*.ParametersInCacheKeyAndForwardedToOrigin.EnableAcceptEncodingBrotli", &[Bo]),
    ("provider.cloudFront.cachePolicies.*.ParametersInCacheKeyAndForwardedToOrigin.EnableAcceptEncodingGzip", &[Bo]),
    ("provider.cloudFront.cachePolicies.*.ParametersInCacheKeyAndForwardedToOrigin.HeadersConfig.Headers", &[A]),
    ("provider.cloudFront.cachePolicies.*.ParametersInCacheKeyAndForwardedToOrigin.HeadersConfig.Headers[]", &[S]),
    ("provider.cloudFront.cachePolicies.*.ParametersInCacheKeyAndForwardedToOrigin.QueryStringsConfig.QueryStrings", &[A]),
    ("provider.cloudFront.cachePolicies.*.ParametersInCacheKeyAndForwardedToOrigin.QueryStringsConfig.QueryStrings[]", &[S]),
    ("provider.deploymentBucket", &[S, O]),
    ("provider.deploymentBucket.blockPublicAccess", &[Bo]),
    ("provider.deploymentBucket.skipPolicySetup", &[Bo]),
    ("provider.deploymentBucket.maxPreviousDeploymentArtifacts", &[I]),
    ("provider.deploymentBucket.name", &[S]),
    ("provider.deploymentBucket.versioning", &[Bo]),
    ("provider.deploymentBucket.sseCustomerAlgorithim", &[S]),
    ("provider.deploymentBucket.sseCustomerKey", &[S]),
    ("provider.deploymentBucket.sseCustomerKeyMD5", &[S]),
    ("provider.deploymentBucket.sseKMSKeyId", &[S]),
    ("provider.deploymentBucket.tags.*", &[S]),
    ("provider.deploymentPrefix", &[S]),
    ("provider.disableRollback", &[Bo]),
    ("provider.endpointType", &[S, S, S]),
    ("provider.environment.%", &[K(""), S, Cf]),
    ("provider.eventBridge.useCloudFormation", &[Bo]),
    ("provider.httpApi.authorizers.*.name", &[S]),
    ("provider.httpApi.authorizers.*.identitySource", &[S, Cf]),
    ("provider.httpApi.authorizers.*.issuerUrl", &[S, Cf]),
    ("provider.httpApi.authorizers.*.audience", &[S, Cf, A]),
    ("provider.httpApi.authorizers.*.audience[]", &[S, Cf]),
    ("provider.httpApi.authorizers.*.functionName", &[S]),
    ("provider.httpApi.authorizers.*.functionArn", &[S, Cf]),
    ("provider.httpApi.authorizers.*.managedExternally", &[Bo]),
    ("provider.httpApi.authorizers.*.resultTtlInSeconds", &[I]),
    ("provider.httpApi.authorizers.*.enableSimpleResponses", &[Bo]),
    ("provider.httpApi.authorizers.*.payloadVersion", &[S]),
    ("provider.httpApi.authorizers.*.identitySource[]", &[S, Cf]),
    ("provider.httpApi.cors", &[Bo, O]),
    ("provider.httpApi.cors.allowCredentials", &[Bo]),
    ("provider.httpApi.cors.allowedHeaders", &[A]),
    ("provider.httpApi.cors.allowedHeaders[]", &[S]),
    ("provider.httpApi.cors.allowedMethods", &[A]),
    ("provider.httpApi.cors.allowedMethods[]", &[S]),
    ("provider.httpApi.cors.allowedOrigins", &[A]),
    ("provider.httpApi.cors.allowedOrigins[]", &[S]),
    ("provider.httpApi.cors.exposedResponseHeaders", &[A]),
    ("provider.httpApi.cors.exposedResponseHeaders[]", &[S]),
    ("provider.httpApi.cors.maxAge", &[I]),
    ("provider.httpApi.id", &[S, Cf]),
    ("provider.httpApi.name", &[S]),
    ("provider.httpApi.payload", &[S]),
    ("provider.httpApi.metrics", &[Bo]),
    ("provider.httpApi.disableDefaultEndpoint", &[Bo]),
    ("provider.httpApi.shouldStartNameWithService", &[Bo]),
    ("provider.iam.role", &[S, Cf, O]),
    ("provider.iam.role.name", &[S]),
    ("provider.iam.role.path", &[S]),
    ("provider.iam.role.managedPolicies", &[A]),
    ("provider.iam.role.managedPolicies[]", &[Arn, Cf]),
    ("provider.iam.role.statements", &[A]),
    ("provider.iam.role.statements[].Sid", &[S]),
    ("provider.iam.role.statements[].Action", &[A]),
    ("provider.iam.role.statements[].Action[]", &[S]),
    ("provider.iam.role.statements[].NotAction", &[A]),
    ("provider.iam.role.statements[].NotAction[]", &[S]),
    ("provider.iam.role.statements[].Principal.AWS", &[K("*"), Cf, A]),
    ("provider.iam.role.statements[].Principal.AWS[]", &[S, Arn, Cf]),
    ("provider.iam.role.statements[].Principal.Federated", &[A]),
    ("provider.iam.role.statements[].Principal.Federated[]", &[S]),
    ("provider.iam.role.statements[].Principal.Service", &[A]),
    ("provider.iam.role.statements[].Principal.Service[]", &[S]),
    ("provider.iam.role.statements[].Principal.CanonicalUser", &[A]),
    ("provider.iam.role.statements[].Principal.CanonicalUser[]", &[S]),
    ("provider.iam.role.statements[].NotPrincipal.AWS", &[K("*"), Cf, A]),
    ("provider.iam.role.statements[].NotPrincipal.AWS[]", &[S, Arn, Cf]),
    ("provider.iam.role.statements[].NotPrincipal.Federated", &[A]),
    ("provider.iam.role.statements[].NotPrincipal.Federated[]", &[S]),
    ("provider.iam.role.statements[].NotPrincipal.Service", &[A]),
    ("provider.iam.role.statements[].NotPrincipal.Service[]", &[S]),
    ("provider.iam.role.statements[].NotPrincipal.CanonicalUser", &[A]),
    ("provider.iam.role.statements[].NotPrincipal.CanonicalUser[]", &[S]),
    ("provider.iam.role.statements[].Resource", &[K("*"), Arn, Cf, IamRes, A]),
    ("provider.iam.role.statements[].Resource[]", &[K("*"), Arn, Cf, IamRes]),
    ("provider.iam.role.statements[].NotResource", &[K("*"), Arn, Cf, IamRes, A]),
    ("provider.iam.role.statements[].NotResource[]", &[K("*"), Arn, Cf, IamRes]),
    ("provider.iam.role.permissionBoundary", &[Arn, Cf]),
    ("provider.iam.role.permissionsBoundary", &[Arn, Cf]),
    ("provider.iam.role.tags.*", &[S]),
    ("provider.iam.deploymentRole", &[Arn, Cf]),
    ("provider.iamManagedPolicies", &[A]),
    ("provider.iamManagedPolicies[]", &[Arn, Cf]),
    ("provider.iamRoleStatements", &[A]),
    ("provider.iamRoleStatements[].Sid", &[S]),
    ("provider.iamRoleStatements[].Action", &[A]),
    ("provider.iamRoleStatements[].Action[]", &[S]),
    ("provider.iamRoleStatements[].NotAction", &[A]),
    ("provider.iamRoleStatements[].NotAction[]", &[S]),
    ("provider.iamRoleStatements[].Principal.AWS", &[K("*"), Cf, A]),
    ("provider.iamRoleStatements[].Principal.AWS[]", &[S, Arn, Cf]),
    ("provider.iamRoleStatements[].Principal.Federated", &[A]),
    ("provider.iamRoleStatements[].Principal.Federated[]", &[S]),
    ("provider.iamRoleStatements[].Principal.Service", &[A]),
    ("provider.iamRoleStatements[].Principal.Service[]", &[S]),
    ("provider.iamRoleStatements[].Principal.CanonicalUser", &[A]),
    ("provider.iamRoleStatements[].Principal.CanonicalUser[]", &[S]),
    ("provider.iamRoleStatements[].NotPrincipal.AWS", &[K("*"), Cf, A]),
    ("provider.iamRoleStatements[].NotPrincipal.AWS[]", &[S, Arn, Cf]),
    ("provider.iamRoleStatements[].NotPrincipal.Federated", &[A]),
    ("provider.iamRoleStatements[].NotPrincipal.Federated[]", &[S]),
    ("provider.iamRoleStatements[].NotPrincipal.Service", &[A]),
    ("provider.iamRoleStatements[].NotPrincipal.Service[]", &[S]),
    ("provider.iamRoleStatements[].NotPrincipal.CanonicalUser", &[A]),
    ("provider.iamRoleStatements[].NotPrincipal.CanonicalUser[]", &[S]),
    ("provider.iamRoleStatements[].Resource", &[K("*"), Arn, Cf, IamRes, A]),
    ("provider.iamRoleStatements[].Resource[]", &[K("*"), Arn, Cf, IamRes]),
    ("provider.iamRoleStatements[].NotResource", &[K("*"), Arn, Cf, IamRes, A]),
    ("provider.iamRoleStatements[].NotResource[]", &[K("*"), Arn, Cf, IamRes]),
    ("provider.ecr.scanOnPush", &[Bo]),
    ("provider.ecr.images.*", &[O, S]),
    ("provider.ecr.images.*.uri", &[S]),
    ("provider.ecr.images.*.path", &[S]),
    ("provider.ecr.images.*.file", &[S]),
    ("provider.ecr.images.*.buildArgs.*", &[S]),
    ("provider.ecr.images.*.cacheFrom", &[A]),
    ("provider.ecr.images.*.cacheFrom[]", &[S]),
    ("provider.ecr.images.*.platform", &[S]),
    ("provider.kmsKeyArn", &[Cf, S]),
    ("provider.lambdaHashingVersion", &[S]),
    ("provider.layers", &[A]),
    ("provider.layers[]", &[Arn, Cf]),
    ("provider.logRetentionInDays", &[N]),
    ("provider.logDataProtectionPolicy.Name", &[S]),
    ("provider.logDataProtectionPolicy.Description", &[S]),
    ("provider.logDataProtectionPolicy.Version", &[S]),
    ("provider.logDataProtectionPolicy.Statement", &[A]),
    ("provider.logs.frameworkLambda", &[Bo]),
    ("provider.logs.httpApi", &[Bo, O]),
    ("provider.logs.httpApi.format", &[S]),
    ("provider.logs.restApi", &[Bo, O]),
    ("provider.logs.restApi.accessLogging", &[Bo]),
    ("provider.logs.restApi.executionLogging", &[Bo]),
    ("provider.logs.restApi.format", &[S]),
    ("provider.logs.restApi.fullExecutionData", &[Bo]),
    ("provider.logs.restApi.role", &[Arn, Cf]),
    ("provider.logs.restApi.roleManagedExternally", &[Bo]),
    ("provider.logs.websocket", &[Bo, O]),
    ("provider.logs.websocket.accessLogging", &[Bo]),
    ("provider.logs.websocket.executionLogging", &[Bo]),
    ("provider.logs.websocket.format", &[S]),
    ("provider.logs.websocket.fullExecutionData", &[Bo]),
    ("provider.memorySize", &[I]),
    ("provider.notificationArns", &[A]),
    ("provider.notificationArns[]", &[Arn]),
    ("provider.profile", &[S]),
    ("provider.role", &[S, Cf]),
    ("provider.rolePermissionsBoundary", &[Arn]),
    ("provider.rollbackConfiguration.RollbackTriggers", &[A]),
    ("provider.rollbackConfiguration.RollbackTriggers[].Arn", &[Arn]),
    ("provider.rollbackConfiguration.MonitoringTimeInMinutes", &[I]),
    ("provider.runtimeManagement.arn", &[Arn, Cf]),
    ("provider.s3.*.accessControl", &[S]),
    ("provider.s3.*.analyticsConfigurations", &[A]),
    ("provider.s3.*.analyticsConfigurations[].Id", &[S]),
    ("provider.s3.*.analyticsConfigurations[].Prefix", &[S]),
    ("provider.s3.*.analyticsConfigurations[].StorageClassAnalysis.DataExport.Destination.BucketAccountId", &[S]),
    ("provider.s3.*.analyticsConfigurations[].StorageClassAnalysis.DataExport.Destination.BucketArn", &[Arn, Cf]),
    ("provider.s3.*.analyticsConfigurations[].StorageClassAnalysis.DataExport.Destination.Prefix", &[S]),
    ("provider.s3.*.analyticsConfigurations[].TagFilters", &[A]),
    ("provider.s3.*.analyticsConfigurations[].TagFilters[].Key", &[S]),
    ("provider.s3.*.analyticsConfigurations[].TagFilters[].Value", &[S]),
    ("provider.s3.*.bucketEncryption.ServerSideEncryptionConfiguration", &[A]),
    ("provider.s3.*.bucketEncryption.ServerSideEncryptionConfiguration[].ServerSideEncryptionByDefault.KMSMasterKeyID", &[Arn, Cf, S]),
    ("provider.s3.*.bucketEncryption.ServerSideEncryptionConfiguration[].BucketKeyEnabled", &[Bo]),
    ("provider.s3.*.bucketName", &[S]),
    ("provider.s3.*.corsConfiguration.CorsRules", &[A]),
    ("provider.s3.*.corsConfiguration.CorsRules[].AllowedHeaders", &[A]),
    ("provider.s3.*.corsConfiguration.CorsRules[].AllowedHeaders[]", &[S]),
    ("provider.s3.*.corsConfiguration.CorsRules[].AllowedMethods", &[A]),
    ("provider.s3.*.corsConfiguration.CorsRules[].AllowedOrigins", &[A]),
    ("provider.s3.*.corsConfiguration.CorsRules[].AllowedOrigins[]", &[S]),
    ("provider.s3.*.corsConfiguration.CorsRules[].ExposedHeaders", &[A]),
    ("provider.s3.*.corsConfiguration.CorsRules[].ExposedHeaders[]", &[S]),
    ("provider.s3.*.corsConfiguration.CorsRules[].Id", &[S]),
    ("provider.s3.*.corsConfiguration.CorsRules[].MaxAge", &[I]),
    ("provider.s3.*.inventoryConfigurations", &[A]),
    ("provider.s3.*.inventoryConfigurations[].Destination.BucketAccountId", &[S]),
    ("provider.s3.*.inventoryConfigurations[].Destination.BucketArn", &[Arn, Cf]),
    ("provider.s3.*.inventoryConfigurations[].Destination.Prefix", &[S]),
    ("provider.s3.*.inventoryConfigurations[].Enabled", &[Bo]),
    ("provider.s3.*.inventoryConfigurations[].Id", &[S]),
    ("provider.s3.*.inventoryConfigurations[].OptionalFields", &[A]),
    ("provider.s3.*.inventoryConfigurations[].OptionalFields[]", &[S]),
    ("provider.s3.*.inventoryConfigurations[].Prefix", &[S]),
    ("provider.s3.*.lifecycleConfiguration.Rules", &[A]),
    ("provider.s3.*.lifecycleConfiguration.Rules[].AbortIncompleteMultipartUpload.DaysAfterInitiation", &[I]),
    ("provider.s3.*.lifecycleConfiguration.Rules[].ExpirationDate", &[S]),
    ("provider.s3.*.lifecycleConfiguration.Rules[].ExpirationInDays", &[I, Cf]),
    ("provider.s3.*.lifecycleConfiguration.Rules[].Id", &[S]),
    ("provider.s3.*.lifecycleConfiguration.Rules[].NoncurrentVersionExpirationInDays", &[I]),
    ("provider.s3.*.lifecycleConfiguration.Rules[].NoncurrentVersionTransition.TransitionInDays", &[I]),
    ("provider.s3.*.lifecycleConfiguration.Rules[].NoncurrentVersionTransitions", &[A]),
    ("provider.s3.*.lifecycleConfiguration.Rules[].NoncurrentVersionTransitions[].TransitionInDays", &[I]),
    ("provider.s3.*.lifecycleConfiguration.Rules[].Prefix", &[S]),
    ("provider.s3.*.lifecycleConfiguration.Rules[].TagFilters", &[A]),
    ("provider.s3.*.lifecycleConfiguration.Rules[].TagFilters[].Key", &[S]),
    ("provider.s3.*.lifecycleConfiguration.Rules[].TagFilters[].Value", &[S]),
    ("provider.s3.*.lifecycleConfiguration.Rules[].Transitions", &[A]),
    ("provider.s3.*.lifecycleConfiguration.Rules[].Transitions[].TransitionDate", &[S]),
    ("provider.s3.*.lifecycleConfiguration.Rules[].Transitions[].TransitionInDays", &[I]),
    ("provider.s3.*.loggingConfiguration.DestinationBucketName", &[S, Cf]),
    ("provider.s3.*.loggingConfiguration.LogFilePrefix", &[S]),
    ("provider.s3.*.metricsConfigurations", &[A]),
    ("provider.s3.*.metricsConfigurations[].Id", &[S]),
    ("provider.s3.*.metricsConfigurations[].Prefix", &[S]),
    ("provider.s3.*.metricsConfigurations[].TagFilters", &[A]),
    ("provider.s3.*.metricsConfigurations[].TagFilters[].Key", &[S]),
    ("provider.s3.*.metricsConfigurations[].TagFilters[].Value", &[S]),
    ("provider.s3.*.name", &[S]),
    ("provider.s3.*.notificationConfiguration.LambdaConfigurations", &[A]),
    ("provider.s3.*.notificationConfiguration.LambdaConfigurations[].Event", &[S]),
    ("provider.s3.*.notificationConfiguration.LambdaConfigurations[].Filter.S3Key.Rules", &[A]),
    ("provider.s3.*.notificationConfiguration.LambdaConfigurations[].Filter.S3Key.Rules[].Value", &[S]),
    ("provider.s3.*.notificationConfiguration.LambdaConfigurations[].Function", &[Arn, Cf]),
    ("provider.s3.*.notificationConfiguration.QueueConfigurations", &[A]),
    ("provider.s3.*.notificationConfiguration.QueueConfigurations[].Event", &[S]),
    ("provider.s3.*.notificationConfiguration.QueueConfigurations[].Filter.S3Key.Rules", &[A]),
    ("provider.s3.*.notificationConfiguration.QueueConfigurations[].Filter.S3Key.Rules[].Value", &[S]),
    ("provider.s3.*.notificationConfiguration.QueueConfigurations[].Queue", &[Arn, Cf]),
    ("provider.s3.*.notificationConfiguration.TopicConfigurations", &[A]),
    ("provider.s3.*.notificationConfiguration.TopicConfigurations[].Event", &[S]),
    ("provider.s3.*.notificationConfiguration.TopicConfigurations[].Filter.S3Key.Rules", &[A]),
    ("provider.s3.*.notificationConfiguration.TopicConfigurations[].Filter.S3Key.Rules[].Value", &[S]),
    ("provider.s3.*.notificationConfiguration.TopicConfigurations[].Topic", &[Arn, Cf]),
    ("provider.s3.*.objectLockConfiguration.Rule.DefaultRetention.Days", &[I]),
    ("provider.s3.*.objectLockConfiguration.Rule.DefaultRetention.Years", &[I]),
    ("provider.s3.*.objectLockEnabled", &[Bo]),
    ("provider.s3.*.publicAccessBlockConfiguration.BlockPublicAcls", &[Bo]),
    ("provider.s3.*.publicAccessBlockConfiguration.BlockPublicPolicy", &[Bo]),
    ("provider.s3.*.publicAccessBlockConfiguration.IgnorePublicAcls", &[Bo]),
    ("provider.s3.*.publicAccessBlockConfiguration.RestrictPublicBuckets", &[Bo]),
    ("provider.s3.*.replicationConfiguration.Role", &[Arn, Cf]),
    ("provider.s3.*.replicationConfiguration.Rules", &[A]),
    ("provider.s3.*.replicationConfiguration.Rules[].Destination.Account", &[S]),
    ("provider.s3.*.replicationConfiguration.Rules[].Destination.Bucket", &[Arn, Cf]),
    ("provider.s3.*.replicationConfiguration.Rules[].Destination.EncryptionConfiguration.ReplicaKmsKeyID", &[S]),
    ("provider.s3.*.replicationConfiguration.Rules[].Destination.Metrics.EventThreshold.Minutes", &[I]),
    ("provider.s3.*.replicationConfiguration.Rules[].Destination.ReplicationTime.Time.Minutes", &[I]),
    ("provider.s3.*.replicationConfiguration.Rules[].Filter.And.Prefix", &[S]),
    ("provider.s3.*.replicationConfiguration.Rules[].Filter.And.TagFilters", &[A]),
    ("provider.s3.*.replicationConfiguration.Rules[].Filter.And.TagFilters[].Key", &[S]),
    ("provider.s3.*.replicationConfiguration.Rules[].Filter.And.TagFilters[].Value", &[S]),
    ("provider.s3.*.replicationConfiguration.Rules[].Filter.Prefix", &[S]),
    ("provider.s3.*.replicationConfiguration.Rules[].Filter.TagFilter.Key", &[S]),
    ("provider.s3.*.replicationConfiguration.Rules[].Filter.TagFilter.Value", &[S]),
    ("provider.s3.*.replicationConfiguration.Rules[].Id", &[S]),
    ("provider.s3.*.replicationConfiguration.Rules[].Prefix", &[S]),
    ("provider.s3.*.replicationConfiguration.Rules[].Priority", &[I]),
    ("provider.s3.*.tags", &[A]),
    ("provider.s3.*.tags[].Key", &[S]),
    ("provider.s3.*.tags[].Value", &[S]),
    ("provider.s3.*.websiteConfiguration.ErrorDocument", &[S]),
    ("provider.s3.*.websiteConfiguration.IndexDocument", &[S]),
    ("provider.s3.*.websiteConfiguration.RedirectAllRequestsTo.HostName", &[S]),
    ("provider.s3.*.websiteConfiguration.RoutingRules", &[A]),
    ("provider.s3.*.websiteConfiguration.RoutingRules[].RedirectRule.HostName", &[S]),
    ("provider.s3.*.websiteConfiguration.RoutingRules[].RedirectRule.HttpRedirectCode", &[S]),
    ("provider.s3.*.websiteConfiguration.RoutingRules[].RedirectRule.ReplaceKeyPrefixWith", &[S]),
    ("provider.s3.*.websiteConfiguration.RoutingRules[].RedirectRule.ReplaceKeyWith", &[S]),
    ("provider.s3.*.websiteConfiguration.RoutingRules[].RoutingRuleCondition.HttpErrorCodeReturnedEquals", &[S]),
    ("provider.s3.*.websiteConfiguration.RoutingRules[].RoutingRuleCondition.KeyPrefixEquals", &[S]),
    ("provider.stage", &[S]),
    ("provider.stackName", &[S]),
    ("provider.stackParameters", &[A]),
    ("provider.stackParameters[].ParameterKey", &[S]),
    ("provider.stackParameters[].ParameterValue", &[S]),
    ("provider.stackParameters[].UsePreviousValue", &[Bo]),
    ("provider.stackParameters[].ResolvedValue", &[S]),
    ("provider.stackPolicy", &[A]),
    ("provider.stackPolicy[].Sid", &[S]),
    ("provider.stackPolicy[].Action", &[A]),
    ("provider.stackPolicy[].Action[]", &[S]),
    ("provider.stackPolicy[].NotAction", &[A]),
    ("provider.stackPolicy[].NotAction[]", &[S]),
    ("provider.stackPolicy[].Principal.AWS", &[K("*"), Cf, A]),
    ("provider.stackPolicy[].Principal.AWS[]", &[S, Arn, Cf]),
    ("provider.stackPolicy[].Principal.Federated", &[A]),
    ("provider.stackPolicy[].Principal.Federated[]", &[S]),
    ("provider.stackPolicy[].Principal.Service", &[A]),
    ("provider.stackPolicy[].Principal.Service[]", &[S]),
    ("provider.stackPolicy[].Principal.CanonicalUser", &[A]),
    ("provider.stackPolicy[].Principal.CanonicalUser[]", &[S]),
    ("provider.stackPolicy[].NotPrincipal.AWS", &[K("*"), Cf, A]),
    ("provider.stackPolicy[].NotPrincipal.AWS[]", &[S, Arn, Cf]),
    ("provider.stackPolicy[].NotPrincipal.Federated", &[A]),
    ("provider.stackPolicy[].NotPrincipal.Federated[]", &[S]),
    ("provider.stackPolicy[].NotPrincipal.Service", &[A]),
    ("provider.stackPolicy[].NotPrincipal.Service[]", &[S]),
    ("provider.stackPolicy[].NotPrincipal.CanonicalUser", &[A]),
    ("provider.stackPolicy[].NotPrincipal.CanonicalUser[]", &[S]),
    ("provider.stackPolicy[].Resource", &[K("*"), Arn, Cf, IamRes, A]),
    ("provider.stackPolicy[].Resource[]", &[K("*"), Arn, Cf, IamRes]),
    ("provider.stackPolicy[].NotResource", &[K("*"), Arn, Cf, IamRes, A]),
    ("provider.stackPolicy[].NotResource[]", &[K("*"), Arn, Cf, IamRes]),
    ("provider.stackTags.*", &[S]),
    ("provider.tags.*", &[S]),
    ("provider.timeout", &[I]),
    ("provider.tracing.apiGateway", &[Bo]),
    ("provider.tracing.lambda", &[E(&["Active", "PassThrough"]), Bo]),
    ("provider.vpc.securityGroupIds", &[A, Cf]),
    ("provider.vpc.securityGroupIds[]", &[S, Cf]),
    ("provider.vpc.subnetIds", &[A, Cf]),
    ("provider.vpc.subnetIds[]", &[S, Cf]),
    ("provider.vpcEndpointIds", &[A, Cf]),
    ("provider.vpcEndpointIds[]", &[S, Cf]),
    ("provider.versionFunctions", &[Bo]),
    ("provider.websocket.useProviderTags", &[Bo]),
    ("provider.websocketsApiName", &[S]),
    ("provider.websocketsApiRouteSelectionExpression", &[S]),
    ("provider.websocketsDescription", &[S]),
    ("service", &[S]),
    ("variablesResolutionMode", &[S]),
    ("resources.AWSTemplateFormatVersion", &[S]),
    ("resources.Description", &[S]),
    ("resources.Resources.#.Type", &[S]),
    ("resources.Resources.#.DeletionPolicy", &[S]),
    ("resources.Resources.#.DependsOn", &[A]),
    ("resources.Resources.#.DependsOn[]", &[S]),
    ("resources.Resources.#.UpdateReplacePolicy", &[S]),
    ("resources.Resources.#.Condition", &[S]),
    ("resources.Transform", &[A]),
    ("resources.Transform[]", &[S]),
    ("resources.extensions.#.DeletionPolicy", &[S]),
    ("resources.extensions.#.DependsOn", &[A]),
    ("resources.extensions.#.DependsOn[]", &[S]),
    ("resources.extensions.#.UpdateReplacePolicy", &[S]),
    ("resources.extensions.#.Condition", &[S]),
    ("layers.*.allowedAccounts", &[A]),
    ("layers.*.allowedAccounts[]", &[S]),
    ("layers.*.compatibleArchitectures", &[A]),
    ("layers.*.compatibleRuntimes", &[A]),
    ("layers.*.description", &[S]),
    ("layers.*.licenseInfo", &[S]),
    ("layers.*.name", &[S]),
    ("layers.*.package.artifact", &[S]),
    ("layers.*.package.exclude", &[A]),
    ("layers.*.package.exclude[]", &[S]),
    ("layers.*.package.include", &[A]),
    ("layers.*.package.include[]", &[S]),
    ("layers.*.package.patterns", &[A]),
    ("layers.*.package.patterns[]", &[S]),
    ("layers.*.path", &[S]),
    ("layers.*.retain", &[Bo]),
    // serverless-step-functions' `stepFunctions` schema lists stateMachines, validate, noOutput
    // and activities without `additionalProperties: false`: slsx's own `stepFunctions.iam`
    // (`plugin` / `complete`) passes the framework's validation untouched (no coercion, no
    // warning) and is read by the step-functions compiler, which rejects other values.
    ("stepFunctions.validate", &[Bo]),
    ("stepFunctions.noOutput", &[Bo]),
    ("stepFunctions.activities", &[A]),
    ("org", &[S]),
    ("app", &[S]),
    ("outputs.*", &[S, N, Bo, A, O]),
];

/// Objects whose schema has `additionalProperties: false`, with the properties it allows
/// (same path syntax as [`TABLE`]); the framework warns about any other key there. For
/// `functions.*.events[]` the list is the event types.
#[rustfmt::skip]
pub const KNOWN_KEYS: &[(&str, &[&str])] = &[
    ("", &["configValidationMode", "console", "custom", "dashboard", "deprecationNotificationMode", "disabledDeprecations", "frameworkVersion", "functions", "package", "params", "plugins", "projectDir", "provider", "service", "useDotenv", "variablesResolutionMode", "resources", "layers", "stepFunctions", "org", "app", "outputs"]),
    ("provider", &["name", "alb", "apiGateway", "apiName", "architecture", "cfnRole", "cloudFront", "deploymentBucket", "deploymentPrefix", "disableRollback", "endpointType", "environment", "eventBridge", "httpApi", "iam", "iamManagedPolicies", "iamRoleStatements", "ecr", "kmsKeyArn", "lambdaHashingVersion", "layers", "logRetentionInDays", "logDataProtectionPolicy", "logs", "memorySize", "notificationArns", "profile", "region", "role", "rolePermissionsBoundary", "rollbackConfiguration", "runtime", "runtimeManagement", "deploymentMethod", "s3", "stage", "stackName", "stackParameters", "stackPolicy", "stackTags", "tags", "timeout", "tracing", "vpc", "vpcEndpointIds", "versionFunctions", "websocket", "websocketsApiName", "kinesis", "websocketsApiRouteSelectionExpression", "websocketsDescription"]),
    ("provider.deploymentBucket", &["blockPublicAccess", "skipPolicySetup", "maxPreviousDeploymentArtifacts", "name", "versioning", "serverSideEncryption", "sseCustomerAlgorithim", "sseCustomerKey", "sseCustomerKeyMD5", "sseKMSKeyId", "tags"]),
    ("provider.iam", &["role", "deploymentRole"]),
    ("functions.*", &["name", "events", "architecture", "awsKmsKeyArn", "condition", "dependsOn", "description", "destinations", "disableLogs", "environment", "ephemeralStorageSize", "fileSystemConfig", "handler", "image", "kmsKeyArn", "snapStart", "layers", "logRetentionInDays", "logDataProtectionPolicy", "maximumEventAge", "maximumRetryAttempts", "memorySize", "onError", "package", "provisionedConcurrency", "reservedConcurrency", "role", "runtime", "runtimeManagement", "tags", "timeout", "tracing", "url", "versionFunction", "vpc", "httpApi"]),
    ("functions.*.events[]", &["schedule", "s3", "http", "websocket", "sns", "stream", "kafka", "activemq", "rabbitmq", "msk", "alb", "alexaSkill", "alexaSmartHome", "iot", "iotFleetProvisioning", "cloudwatchEvent", "cloudwatchLog", "cognitoUserPool", "eventBridge", "sqs", "cloudFront", "httpApi"]),
    ("package", &["artifact", "exclude", "excludeDevDependencies", "include", "individually", "path", "patterns"]),
    ("resources", &["AWSTemplateFormatVersion", "Conditions", "Description", "Mappings", "Metadata", "Outputs", "Parameters", "Resources", "Transform", "extensions"]),
    ("resources.Resources.#", &["Type", "Properties", "CreationPolicy", "DeletionPolicy", "DependsOn", "Metadata", "UpdatePolicy", "UpdateReplacePolicy", "Condition"]),
];

/// A key the schema does not allow: the object's path (`functions.hello`), the key, its span.
pub struct Unknown {
    pub at: String,
    pub key: String,
    pub key_span: crate::source::Span,
    pub allowed: &'static [&'static str],
}

/// Every key of a [`KNOWN_KEYS`] object that its schema does not list.
pub fn unknown_keys(root: &Node) -> Vec<Unknown> {
    let mut out = Vec::new();
    for (p, allowed) in KNOWN_KEYS {
        let segs = if p.is_empty() {
            Vec::new()
        } else {
            parse_path(p)
        };
        find_unknown(root, &segs, String::new(), allowed, &mut out);
    }
    out
}

fn find_unknown(
    node: &Node,
    segs: &[Seg],
    at: String,
    allowed: &'static [&'static str],
    out: &mut Vec<Unknown>,
) {
    let join = |k: &str| {
        if at.is_empty() {
            k.to_string()
        } else {
            format!("{at}.{k}")
        }
    };
    match segs.split_first() {
        None => {
            if let Some(m) = node.as_map() {
                for (k, e) in m.iter() {
                    if !allowed.contains(&k.as_str()) {
                        out.push(Unknown {
                            at: at.clone(),
                            key: k.to_string(),
                            key_span: e.key_span,
                            allowed,
                        });
                    }
                }
            }
        }
        Some((seg, rest)) => match &node.kind {
            Kind::Map(m) => {
                for (k, e) in m.iter() {
                    if key_matches(seg, k) {
                        find_unknown(&e.value, rest, join(k), allowed, out);
                    }
                }
            }
            Kind::Seq(items) => {
                for (i, x) in items.iter().enumerate() {
                    if matches!(seg, Seg::AnyItem) || *seg == Seg::Item(i) {
                        find_unknown(x, rest, join(&i.to_string()), allowed, out);
                    }
                }
            }
            _ => {}
        },
    }
}

/// One segment of a [`TABLE`] path.
#[derive(Clone, Debug, PartialEq)]
enum Seg {
    Key(String),
    AnyKey,
    AlnumKey,
    EnvKey,
    AnyItem,
    Item(usize),
}

fn parse_path(p: &str) -> Vec<Seg> {
    let mut out = Vec::new();
    for part in p.split('.') {
        let (name, rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !name.is_empty() {
            out.push(match name {
                "*" => Seg::AnyKey,
                "#" => Seg::AlnumKey,
                "%" => Seg::EnvKey,
                k => Seg::Key(k.to_string()),
            });
        }
        for ix in rest.split('[').filter(|s| !s.is_empty()) {
            let ix = ix.trim_end_matches(']');
            out.push(match ix.parse::<usize>() {
                Ok(n) => Seg::Item(n),
                Err(_) => Seg::AnyItem,
            });
        }
    }
    out
}

/// The table as a trie, built once.
#[derive(Default, Debug)]
struct Trie {
    rule: Option<&'static [B]>,
    next: Vec<(Seg, Trie)>,
}

impl Trie {
    fn insert(&mut self, segs: &[Seg], rule: &'static [B]) {
        match segs.split_first() {
            None => {
                if self.rule.is_none() {
                    self.rule = Some(rule);
                }
            }
            Some((first, rest)) => {
                let pos = self.next.iter().position(|(s, _)| s == first);
                let child = match pos {
                    Some(i) => &mut self.next[i].1,
                    None => {
                        self.next.push((first.clone(), Trie::default()));
                        let last = self.next.len() - 1;
                        &mut self.next[last].1
                    }
                };
                child.insert(rest, rule);
            }
        }
    }
}

fn trie() -> &'static Trie {
    static T: std::sync::OnceLock<Trie> = std::sync::OnceLock::new();
    T.get_or_init(|| {
        let mut t = Trie::default();
        for (p, rule) in TABLE {
            t.insert(&parse_path(p), rule);
        }
        t
    })
}

fn key_matches(seg: &Seg, key: &str) -> bool {
    match seg {
        Seg::Key(k) => k == key,
        Seg::AnyKey => true,
        Seg::AlnumKey => {
            !key.is_empty() && key.len() <= 255 && key.bytes().all(|b| b.is_ascii_alphanumeric())
        }
        Seg::EnvKey => {
            let mut b = key.bytes();
            matches!(b.next(), Some(c) if c.is_ascii_alphabetic() || c == b'_')
                && b.all(|c| c.is_ascii_alphanumeric() || c == b'_')
        }
        _ => false,
    }
}

/// Coerces the whole configuration in place, as validation does.
pub fn coerce(root: &mut Node) {
    walk(root, &[trie()]);
}

fn walk(node: &mut Node, at: &[&Trie]) {
    if let Some(rule) = at.iter().find_map(|t| t.rule) {
        apply(node, rule);
        if rule.contains(&Cf) {
            coerce_intrinsic(node);
        }
    }
    match &mut node.kind {
        Kind::Map(m) => {
            for (k, e) in m.iter_mut() {
                let next: Vec<&Trie> = at
                    .iter()
                    .flat_map(|t| t.next.iter())
                    .filter(|(s, _)| key_matches(s, k))
                    .map(|(_, t)| t)
                    .collect();
                if !next.is_empty() {
                    walk(&mut e.value, &next);
                }
            }
        }
        Kind::Seq(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                let next: Vec<&Trie> = at
                    .iter()
                    .flat_map(|t| t.next.iter())
                    .filter(|(s, _)| matches!(s, Seg::AnyItem) || *s == Seg::Item(i))
                    .map(|(_, t)| t)
                    .collect();
                if !next.is_empty() {
                    walk(item, &next);
                }
            }
        }
        _ => {}
    }
}

/// Tries the branches in order (`anyOf`) until one is valid, coercing on the way.
pub fn apply(node: &mut Node, branches: &[B]) {
    for b in branches {
        match b {
            K(s) => {
                if node.as_str() == Some(s) {
                    return;
                }
            }
            KJ(j) => {
                if crate::emit::json::to_compact(&node.to_json()) == *j {
                    return;
                }
            }
            E(list) => {
                if node.as_str().is_some_and(|s| list.contains(&s)) {
                    return;
                }
            }
            typed => {
                if !has_type(*typed, node) {
                    match coerce_branch(*typed, node) {
                        Some(v) => node.kind = v,
                        None => continue,
                    }
                }
                if constraint_ok(*typed, node) {
                    return;
                }
            }
        }
    }
}

fn has_type(b: B, n: &Node) -> bool {
    match (b, &n.kind) {
        (S | Arn | IamRes, Kind::String(_)) => true,
        (I, Kind::Number(x)) => x.is_finite() && x.fract() == 0.0,
        (N, Kind::Number(_)) => true,
        (Bo, Kind::Bool(_)) => true,
        (A, Kind::Seq(_)) => true,
        (O | Cf, Kind::Map(_)) => true,
        (Nu, Kind::Null) => true,
        _ => false,
    }
}

fn constraint_ok(b: B, n: &Node) -> bool {
    match (b, n.as_str()) {
        (Arn, Some(s)) => s.starts_with("arn:"),
        (IamRes, Some(s)) => {
            let body = s.strip_suffix('*').unwrap_or(s);
            !body.is_empty()
                && body
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "#-_./".contains(c))
        }
        _ => true,
    }
}

/// What AJV's coercion to `b` makes of `n`, or `None` when it cannot.
pub fn coerce_branch(b: B, n: &Node) -> Option<Kind> {
    // AJV coerces only to scalar types and (with `coerceTypes: 'array'`) to arrays; a value
    // where an object is expected is never changed (a one-item list stays a list)
    if matches!(b, O | Cf) {
        return None;
    }
    let mut data = n;
    if b != A
        && let Kind::Seq(items) = &n.kind
        && items.len() == 1
    {
        data = &items[0];
        if has_type(b, data) {
            return Some(data.kind.clone());
        }
    }
    match (b, &data.kind) {
        (S | Arn | IamRes, Kind::Number(x)) => {
            Some(Kind::String(crate::emit::json::js_number(*x).into()))
        }
        (S | Arn | IamRes, Kind::Bool(v)) => Some(Kind::String(v.to_string().into())),
        (S | Arn | IamRes, Kind::Null) => Some(Kind::String(String::new().into())),
        (N | I, Kind::Bool(v)) => Some(Kind::Number(if *v { 1.0 } else { 0.0 })),
        (N | I, Kind::Null) => Some(Kind::Number(0.0)),
        (N | I, Kind::String(s)) if !s.is_empty() => {
            let x = crate::js::string_to_number(s);
            if x.is_nan() || (b == I && (x % 1.0 != 0.0)) {
                None
            } else {
                Some(Kind::Number(x))
            }
        }
        (Bo, Kind::String(s)) if s == "false" => Some(Kind::Bool(false)),
        (Bo, Kind::String(s)) if s == "true" => Some(Kind::Bool(true)),
        (Bo, Kind::Number(x)) if *x == 0.0 => Some(Kind::Bool(false)),
        (Bo, Kind::Number(x)) if *x == 1.0 => Some(Kind::Bool(true)),
        (Bo, Kind::Null) => Some(Kind::Bool(false)),
        (Nu, Kind::String(s)) if s.is_empty() => Some(Kind::Null),
        (Nu, Kind::Number(x)) if *x == 0.0 => Some(Kind::Null),
        (Nu, Kind::Bool(false)) => Some(Kind::Null),
        (A, Kind::String(_) | Kind::Number(_) | Kind::Bool(_) | Kind::Null) => {
            Some(Kind::Seq(vec![data.clone()]))
        }
        _ => None,
    }
}

/// The intrinsic functions' own schemas (`awsCfRef`, `awsCfGetAtt`, `awsCfJoin`, …).
fn coerce_intrinsic(node: &mut Node) {
    let Some(m) = node.as_map_mut() else {
        return;
    };
    if m.len() != 1 {
        return;
    }
    intrinsic_entry(m, "Ref", &[S]);
    intrinsic_entry(m, "Fn::GetAtt", &[A]);
    if let Some(Kind::Seq(items)) = m.get_mut("Fn::GetAtt").map(|n| &mut n.kind) {
        for it in items {
            apply(it, &[S]);
        }
    }
    intrinsic_entry(m, "Fn::Join", &[A]);
    if let Some(Kind::Seq(items)) = m.get_mut("Fn::Join").map(|n| &mut n.kind)
        && items.len() == 2
    {
        apply(&mut items[0], &[S]);
        apply(&mut items[1], &[A]);
    }
    for k in ["Fn::If", "Fn::Select", "Fn::Split", "Fn::FindInMap"] {
        intrinsic_entry(m, k, &[A]);
    }
}

fn intrinsic_entry(m: &mut Mapping, key: &str, rule: &[B]) {
    if let Some(v) = m.get_mut(key) {
        apply(v, rule);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    #[test]
    fn step_functions_accepts_slsx_keys() {
        let root = n(serde_json::json!({
            "service": "s",
            "stepFunctions": {"stateMachines": {}, "iam": "complete"}
        }));
        assert!(unknown_keys(&root).is_empty());
        let mut coerced = root.clone();
        coerce(&mut coerced);
        assert_eq!(coerced, root, "nothing coerces `stepFunctions.iam`");
    }

    fn n(v: serde_json::Value) -> Node {
        Node::from_json(&v, Span::NONE)
    }

    #[test]
    fn ajv_coercions() {
        let cases = [
            (serde_json::json!("256"), &[I][..], serde_json::json!(256)),
            (serde_json::json!("1.5"), &[I][..], serde_json::json!("1.5")),
            (serde_json::json!(123), &[S][..], serde_json::json!("123")),
            (serde_json::json!(1.5), &[S][..], serde_json::json!("1.5")),
            (
                serde_json::json!("false"),
                &[Bo][..],
                serde_json::json!(false),
            ),
            (serde_json::json!("x"), &[A][..], serde_json::json!(["x"])),
            (serde_json::json!(["7"]), &[I][..], serde_json::json!(7)),
            (serde_json::json!([9]), &[S][..], serde_json::json!("9")),
            (
                serde_json::json!([{"a": 1}]),
                &[S][..],
                serde_json::json!([{"a": 1}]),
            ),
            // IAM Resource: const "*", arn string, name string, array
            (
                serde_json::json!(["arn:aws:s3:::b/*"]),
                &[K("*"), Arn, Cf, IamRes, A][..],
                serde_json::json!("arn:aws:s3:::b/*"),
            ),
            (
                serde_json::json!(["*"]),
                &[K("*"), Arn, Cf, IamRes, A][..],
                serde_json::json!(["*"]),
            ),
            (
                serde_json::json!(["abc"]),
                &[K("*"), Arn, Cf, IamRes, A][..],
                serde_json::json!("abc"),
            ),
            (
                serde_json::json!("*"),
                &[K("*"), Arn, Cf, IamRes, A][..],
                serde_json::json!("*"),
            ),
            (
                serde_json::json!(42),
                &[K(""), S, Cf][..],
                serde_json::json!("42"),
            ),
            (
                serde_json::json!("Active"),
                &[E(&["Active", "PassThrough"]), Bo][..],
                serde_json::json!("Active"),
            ),
            (
                serde_json::json!("true"),
                &[E(&["Active", "PassThrough"]), Bo][..],
                serde_json::json!(true),
            ),
        ];
        for (input, rule, want) in cases {
            let mut node = n(input.clone());
            apply(&mut node, rule);
            assert_eq!(node.to_json(), want, "{input} with {rule:?}");
        }
    }

    #[test]
    fn table_paths() {
        let mut root = n(serde_json::json!({
            "provider": {"memorySize": "512", "environment": {"N": 1, "bad-key": 2}, "layers": "arn:x"},
            "functions": {"f": {"timeout": "10", "tags": {"t": true}, "custom": {"x": "1"}}},
            "resources": {"Transform": "AWS::Serverless-2016-10-31", "Resources": {"T": {"DependsOn": "X", "Properties": {"A": 1}}}},
            "custom": {"memorySize": "1"}
        }));
        coerce(&mut root);
        assert_eq!(
            root.to_json(),
            serde_json::json!({
                "provider": {"memorySize": 512, "environment": {"N": "1", "bad-key": 2}, "layers": ["arn:x"]},
                "functions": {"f": {"timeout": 10, "tags": {"t": "true"}, "custom": {"x": "1"}}},
                "resources": {"Transform": ["AWS::Serverless-2016-10-31"], "Resources": {"T": {"DependsOn": ["X"], "Properties": {"A": 1}}}},
                "custom": {"memorySize": "1"}
            })
        );
    }
}
