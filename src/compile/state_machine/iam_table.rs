//! The Task-resource → IAM permission table (spec §2.4).
//!
//! [`TABLE`] holds the plugin's 71 registered task ARNs, grouped into rows the way the spec
//! lists them; a row's [`Rule`] says which permissions a Task with that `Resource` needs.
//! Anything not in the table goes to the Lambda fallback ([`lambda_fallback`]).
//!
//! A `Resource` is looked up after normalising its partition (`arn:aws-cn:`,
//! `arn:${AWS::Partition}:` → `arn:aws:`). Parameters are read the plugin's way: `P(x)` is
//! `Arguments.x` for `QueryLanguage: JSONata`, `Parameters.x` for `JSONPath`, else whichever
//! of the two the state has alone; rules marked "Parameters only" read `Parameters` and the
//! plugin crashes when a state has none.

use serde_json::{Map, Value};

use super::js::{self, obj, template, truthy};
use super::{Ctx, Template};

/// One permission: a comma-separated action string and its resource (`Null` stands for the
/// plugin's `undefined`).
#[derive(Clone, Debug, PartialEq)]
pub struct Perm {
    pub action: String,
    pub resource: Value,
}

impl Perm {
    fn new(action: impl Into<String>, resource: Value) -> Perm {
        Perm {
            action: action.into(),
            resource,
        }
    }
}

/// Something the plugin only logs (slsx: a warning at the Task).
#[derive(Clone, Debug, PartialEq)]
pub enum Note {
    /// "Cannot generate IAM policy statement for Task state".
    NotDerived,
    /// "SNS task missing Parameters.TopicArn or Parameters.TopicArn.$".
    SnsNoTopic,
    /// "SQS task missing Parameters.QueueUrl or Parameters.QueueUrl.$".
    SqsNoQueue,
    /// "Unable to parse SQS queue url [..]": the permission gets no resource.
    SqsBadUrl(String),
    /// A parameter spliced into an ARN as text although it is not a string
    /// (`[object Object]`, `undefined`).
    Stringified { param: &'static str, text: String },
    /// A parameter the permission is built from is missing: `effect` says what the plugin
    /// writes instead.
    Missing {
        param: &'static str,
        effect: &'static str,
    },
}

/// A config on which the plugin crashes (slsx: an error at the Task).
#[derive(Clone, Debug, PartialEq)]
pub enum Crash {
    /// The Task has no usable `Resource` (`Cannot read properties of undefined`).
    NoResource,
    /// The rule reads `Parameters.<x>` and the state has no `Parameters`.
    NoParameters(&'static str),
    /// `Parameters.<x>` must be a string (the plugin calls `startsWith` on it).
    NotAString(&'static str),
    /// `P(x)` is missing or cannot be iterated.
    NotIterable(&'static str),
    /// An `Fn::GetAtt` that is neither a list nor a string.
    GetAtt,
    /// An `Fn::Sub` of an unexpected shape.
    BadSub,
}

/// A resource of a fixed permission.
#[derive(Clone, Copy, Debug)]
pub enum Res {
    /// `"*"`
    Any,
    /// The managed events rule `rule/<name>` as `Fn::Join [":", [arn, partition, events, …]]`.
    EventsRuleJoin(&'static str),
    /// The managed events rule as `Fn::Sub ["arn:${AWS::Partition}:events:…:rule/<name>", {}]`.
    EventsRuleSub(&'static str),
    /// `Fn::Sub ["arn:${AWS::Partition}:athena:…:workgroup/*", {}]`.
    AthenaAnyWorkgroup,
    /// The literal `arn:aws:s3:::*`.
    S3Any,
}

/// How a row's permissions are derived.
#[derive(Clone, Copy, Debug)]
pub enum Rule {
    /// Always the same permissions.
    Fixed(&'static [(&'static str, Res)]),
    /// `sqs:SendMessage` on `Parameters.QueueUrl` as an ARN (Parameters only).
    SqsSendMessage,
    /// `sns:Publish` on `Parameters.TopicArn` (Parameters only).
    SnsPublish,
    /// One DynamoDB item/table action on the table (or index) ARN of `P(TableName)`.
    DynamoTable(&'static str),
    /// One DynamoDB batch action per table of `P(RequestItems)`.
    DynamoBatch(&'static str),
    /// redshift-data statements with cluster / workgroup and credential permissions.
    RedshiftStatement(&'static str),
    /// `lambda:InvokeFunction` on `P(FunctionName)` (and its versions).
    LambdaInvoke,
    /// `states:StartExecution` (or the given action) on the target machine and its
    /// executions, plus the managed events rule.
    StartExecution(&'static str),
    /// codebuild on `project/<Parameters.ProjectName>` (Parameters only).
    CodeBuildProject,
    /// sagemaker on `transform-job/<Parameters.TransformJobName>*` (Parameters only).
    SageMakerTransform,
    /// `bedrock:InvokeModel` on `Parameters.ModelId` (Parameters only).
    BedrockModel,
    /// `events:PutEvents` on each bus of `P(Entries)`.
    PutEvents,
    /// `events:PutTargets` on the rule `P(Rule)` of `P(EventBusName)`.
    PutTargets,
    /// A scheduler action on the group `P(GroupName)`, plus `iam:PassRole` on
    /// `P(Target).RoleArn`.
    Scheduler(&'static str),
    /// `http:invoke`: the endpoint, the connection and its secret.
    HttpInvoke,
    /// An S3 object action on `Parameters.Bucket` / `Key` / `Prefix` (Parameters only).
    S3Object(&'static str),
    /// `s3:Get*` and `s3:List*` on `Parameters.Bucket` (Parameters only).
    S3List,
    /// athena:startQueryExecution (`.sync` adds the polling actions) with its S3, Glue and
    /// Lake Formation needs.
    AthenaStart { sync: bool },
}

/// A row of the table: task ARNs (after `arn:aws:states:::`) and their rule.
pub struct Row {
    pub tasks: &'static [&'static str],
    pub rule: Rule,
}

const EVENTS_RULE: &str = "events:PutTargets,events:PutRule,events:DescribeRule";

const fn row(tasks: &'static [&'static str], rule: Rule) -> Row {
    Row { tasks, rule }
}

use Res::{Any, AthenaAnyWorkgroup, EventsRuleJoin, S3Any};
use Rule::*;

/// Every integration the plugin knows, in its registry's order (task ARNs after
/// `arn:aws:states:::`).
#[rustfmt::skip]
pub static TABLE: &[Row] = &[
    row(&["sqs:sendMessage", "sqs:sendMessage.waitForTaskToken"], SqsSendMessage),
    row(&["sns:publish", "sns:publish.waitForTaskToken"], SnsPublish),
    // DynamoDB: single items and tables
    row(&["dynamodb:updateItem", "aws-sdk:dynamodb:updateItem", "aws-sdk:dynamodb:updateItem.waitForTaskToken"], DynamoTable("dynamodb:UpdateItem")),
    row(&["dynamodb:putItem", "aws-sdk:dynamodb:putItem", "aws-sdk:dynamodb:putItem.waitForTaskToken"], DynamoTable("dynamodb:PutItem")),
    row(&["dynamodb:getItem"], DynamoTable("dynamodb:GetItem")),
    row(&["dynamodb:deleteItem"], DynamoTable("dynamodb:DeleteItem")),
    row(&["aws-sdk:dynamodb:updateTable"], DynamoTable("dynamodb:UpdateTable")),
    row(&["aws-sdk:dynamodb:query"], DynamoTable("dynamodb:Query")),
    row(&["aws-sdk:dynamodb:scan"], DynamoTable("dynamodb:Scan")),
    // DynamoDB: batches
    row(&["aws-sdk:dynamodb:batchGetItem"], DynamoBatch("dynamodb:BatchGetItem")),
    row(&["aws-sdk:dynamodb:batchWriteItem"], DynamoBatch("dynamodb:BatchWriteItem")),
    // Redshift Data
    row(&["aws-sdk:redshiftdata:executeStatement"], RedshiftStatement("redshift-data:ExecuteStatement")),
    row(&["aws-sdk:redshiftdata:batchExecuteStatement"], RedshiftStatement("redshift-data:BatchExecuteStatement")),
    row(&["aws-sdk:redshiftdata:listStatements"], Fixed(&[("redshift-data:ListStatements", Any)])),
    row(&["aws-sdk:redshiftdata:describeStatement"], Fixed(&[("redshift-data:DescribeStatement", Any)])),
    row(&["aws-sdk:redshiftdata:getStatementResult"], Fixed(&[("redshift-data:GetStatementResult", Any)])),
    row(&["aws-sdk:redshiftdata:cancelStatement"], Fixed(&[("redshift-data:CancelStatement", Any)])),
    // Batch, Glue, ECS
    row(&["batch:submitJob", "batch:submitJob.sync"], Fixed(&[
        ("batch:SubmitJob,batch:DescribeJobs,batch:TerminateJob", Any),
        (EVENTS_RULE, EventsRuleJoin("StepFunctionsGetEventsForBatchJobsRule")),
    ])),
    row(&["glue:startJobRun", "glue:startJobRun.sync"], Fixed(&[
        ("glue:StartJobRun,glue:GetJobRun,glue:GetJobRuns,glue:BatchStopJobRun", Any),
    ])),
    row(&["ecs:runTask", "ecs:runTask.sync", "ecs:runTask.waitForTaskToken"], Fixed(&[
        ("ecs:RunTask,ecs:StopTask,ecs:DescribeTasks,ecs:TagResource,iam:PassRole", Any),
        (EVENTS_RULE, EventsRuleJoin("StepFunctionsGetEventsForECSTaskRule")),
    ])),
    // Lambda, Step Functions, CodeBuild
    row(&["lambda:invoke", "lambda:invoke.waitForTaskToken"], LambdaInvoke),
    row(&["states:startExecution", "states:startExecution.sync", "states:startExecution.sync:2", "states:startExecution.waitForTaskToken"], StartExecution("states:StartExecution")),
    row(&["aws-sdk:sfn:startSyncExecution"], StartExecution("states:StartSyncExecution")),
    row(&["codebuild:startBuild", "codebuild:startBuild.sync"], CodeBuildProject),
    // EMR
    row(&["elasticmapreduce:createCluster", "elasticmapreduce:runJobFlow"], Fixed(&[
        ("elasticmapreduce:RunJobFlow", Any),
        ("iam:PassRole", Any),
    ])),
    row(&["elasticmapreduce:createCluster.sync"], Fixed(&[
        ("elasticmapreduce:RunJobFlow,elasticmapreduce:DescribeCluster,elasticmapreduce:TerminateJobFlows", Any),
        ("iam:PassRole", Any),
    ])),
    row(&["elasticmapreduce:terminateCluster", "elasticmapreduce:terminateCluster.sync"], Fixed(&[
        ("elasticmapreduce:TerminateJobFlows,elasticmapreduce:DescribeCluster", Any),
    ])),
    row(&["elasticmapreduce:addStep", "elasticmapreduce:addStep.sync"], Fixed(&[
        ("elasticmapreduce:AddJobFlowSteps,elasticmapreduce:DescribeStep,elasticmapreduce:CancelSteps", Any),
    ])),
    row(&["elasticmapreduce:cancelStep"], Fixed(&[("elasticmapreduce:CancelSteps", Any)])),
    row(&["elasticmapreduce:setClusterTerminationProtection"], Fixed(&[("elasticmapreduce:SetTerminationProtection", Any)])),
    row(&["elasticmapreduce:modifyInstanceFleetByName"], Fixed(&[
        ("elasticmapreduce:ModifyInstanceFleet,elasticmapreduce:ListInstanceFleets", Any),
    ])),
    row(&["elasticmapreduce:modifyInstanceGroupByName"], Fixed(&[
        ("elasticmapreduce:ModifyInstanceGroups,elasticmapreduce:ListInstanceGroups", Any),
    ])),
    // SageMaker, Bedrock
    row(&["sagemaker:createTransformJob.sync"], SageMakerTransform),
    row(&["bedrock:invokeModel"], BedrockModel),
    // EventBridge and Scheduler
    row(&["events:putEvents", "events:putEvents.waitForTaskToken"], PutEvents),
    row(&["aws-sdk:eventbridge:putTargets", "aws-sdk:eventbridge:putTargets.waitForTaskToken"], PutTargets),
    row(&["aws-sdk:scheduler:createSchedule"], Scheduler("scheduler:CreateSchedule")),
    row(&["aws-sdk:scheduler:deleteSchedule"], Scheduler("scheduler:DeleteSchedule")),
    // HTTP, S3, SES
    row(&["http:invoke"], HttpInvoke),
    row(&["s3:getObject", "aws-sdk:s3:getObject"], S3Object("s3:GetObject")),
    row(&["s3:putObject", "aws-sdk:s3:putObject"], S3Object("s3:PutObject")),
    row(&["s3:listObjectsV2", "aws-sdk:s3:listObjectsV2"], S3List),
    row(&["aws-sdk:sesv2:sendEmail"], Fixed(&[("ses:SendEmail", Any)])),
    // Athena
    row(&["athena:startQueryExecution"], AthenaStart { sync: false }),
    row(&["athena:startQueryExecution.sync"], AthenaStart { sync: true }),
    row(&["athena:stopQueryExecution"], Fixed(&[("athena:stopQueryExecution", AthenaAnyWorkgroup)])),
    row(&["athena:getQueryExecution"], Fixed(&[("athena:getQueryExecution", AthenaAnyWorkgroup)])),
    row(&["athena:getQueryResults"], Fixed(&[("athena:getQueryResults", AthenaAnyWorkgroup), ("s3:GetObject", S3Any)])),
];

const TASK_PREFIX: &str = "arn:aws:states:::";

/// `arn:aws(-<x>)*:` / `arn:${AWS::Partition}:` at the start → `arn:aws:`.
pub fn normalize_arn(s: &str) -> String {
    const PSEUDO: &str = "arn:${AWS::Partition}:";
    if let Some(rest) = s.strip_prefix(PSEUDO) {
        return format!("arn:aws:{rest}");
    }
    match partition_end(s) {
        Some(end) if s[end..].starts_with(':') => format!("arn:aws:{}", &s[end + 1..]),
        _ => s.to_string(),
    }
}

/// For `arn:aws(-[a-z]+)*` at the start of `s`, the byte index after it.
fn partition_end(s: &str) -> Option<usize> {
    let rest = s.strip_prefix("arn:aws")?;
    let b = rest.as_bytes();
    let mut i = 0;
    while i < b.len() && b[i] == b'-' {
        let start = i + 1;
        let mut j = start;
        while j < b.len() && b[j].is_ascii_lowercase() {
            j += 1;
        }
        if j == start {
            break;
        }
        i = j;
    }
    Some("arn:aws".len() + i)
}

/// `/^arn:aws(-[a-z]+)*:lambda/`
pub fn is_lambda_arn(s: &str) -> bool {
    partition_end(s).is_some_and(|e| s[e..].starts_with(":lambda"))
}

/// `/arn:aws(-[a-z]+)*:lambda/` anywhere in the string.
fn contains_lambda_arn(s: &str) -> bool {
    s.match_indices("arn:aws")
        .any(|(i, _)| is_lambda_arn(&s[i..]))
}

/// The row of a (normalised) task ARN.
pub fn lookup(resource: &str) -> Option<&'static Row> {
    let task = normalize_arn(resource);
    let task = task.strip_prefix(TASK_PREFIX)?;
    TABLE.iter().find(|r| r.tasks.contains(&task))
}

// ---------------------------------------------------------------------------------------------
// Reading a state

/// `v[key]` for an object (`undefined` otherwise).
fn prop<'a>(v: Option<&'a Value>, key: &str) -> Option<&'a Value> {
    v?.as_object()?.get(key)
}

/// `_.has(state, ['Parameters', key])`.
fn has_param(state: &Value, key: &str) -> bool {
    prop(Some(state), "Parameters")
        .and_then(Value::as_object)
        .is_some_and(|p| p.contains_key(key))
}

/// `state.Parameters`, for rules that read it unconditionally (crash when it is missing).
fn strict_params<'a>(state: &'a Value, key: &'static str) -> Result<Option<&'a Value>, Crash> {
    match prop(Some(state), "Parameters") {
        None | Some(Value::Null) => Err(Crash::NoParameters(key)),
        p => Ok(p),
    }
}

/// `isJsonPathParameter`: `Parameters["<key>.$"]` is truthy.
fn is_json_path_param(state: &Value, key: &str) -> bool {
    let p = prop(Some(state), "Parameters");
    truthy(p) && truthy(prop(p, &format!("{key}.$")))
}

/// `isJsonataArgument`: `Arguments.<key>` is a string starting with `{%`.
fn is_jsonata_arg(state: &Value, key: &str) -> bool {
    let a = prop(Some(state), "Arguments");
    truthy(a)
        && prop(a, key)
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty() && crate::js::trim(s).starts_with("{%"))
}

/// `dyn(x)`: a JSONPath `x.$` parameter or a JSONata `{% … %}` argument.
pub(super) fn is_dynamic(state: &Value, key: &str) -> bool {
    is_json_path_param(state, key) || is_jsonata_arg(state, key)
}

/// `getParameterOrArgument` (§2.4 `P(x)`): `None` is `undefined`; a falsy
/// `Parameters`/`Arguments` object itself is returned as the plugin's `&&` does.
pub(super) fn param_or_arg<'a>(state: &'a Value, key: &str) -> Option<&'a Value> {
    let params = prop(Some(state), "Parameters");
    let args = prop(Some(state), "Arguments");
    let read = |container: Option<&'a Value>| match container {
        Some(c) if truthy(Some(c)) => prop(Some(c), key),
        other => other,
    };
    match prop(Some(state), "QueryLanguage").and_then(Value::as_str) {
        Some("JSONata") => read(args),
        Some("JSONPath") => read(params),
        _ if truthy(params) && !truthy(args) => prop(params, key),
        _ if truthy(args) && !truthy(params) => prop(args, key),
        _ => None,
    }
}

/// `${P(x)}` in an ARN, noting values that are not text.
fn text(v: Option<&Value>, param: &'static str, notes: &mut Vec<Note>) -> String {
    let s = template(v);
    if !matches!(
        v,
        Some(Value::String(_)) | Some(Value::Number(_)) | Some(Value::Bool(_))
    ) {
        notes.push(Note::Stringified {
            param,
            text: s.clone(),
        });
    }
    s
}

fn sub(s: impl Into<String>) -> Value {
    obj([("Fn::Sub", Value::String(s.into()))])
}

fn sub_with(s: impl Into<String>, vars: Value) -> Value {
    obj([("Fn::Sub", Value::Array(vec![Value::String(s.into()), vars]))])
}

fn empty() -> Value {
    Value::Object(Map::new())
}

fn pseudo_join(service: &str, tail: Value) -> Value {
    obj([(
        "Fn::Join",
        Value::Array(vec![
            Value::from(":"),
            Value::Array(vec![
                Value::from("arn"),
                obj([("Ref", Value::from("AWS::Partition"))]),
                Value::from(service),
                obj([("Ref", Value::from("AWS::Region"))]),
                obj([("Ref", Value::from("AWS::AccountId"))]),
                tail,
            ]),
        ]),
    )])
}

fn fixed(res: Res) -> Value {
    match res {
        Res::Any => Value::from("*"),
        Res::EventsRuleJoin(name) => pseudo_join("events", Value::String(format!("rule/{name}"))),
        Res::EventsRuleSub(name) => sub_with(
            format!(
                "arn:${{AWS::Partition}}:events:${{AWS::Region}}:${{AWS::AccountId}}:rule/{name}"
            ),
            empty(),
        ),
        Res::AthenaAnyWorkgroup => athena_workgroup(None),
        Res::S3Any => Value::from("arn:aws:s3:::*"),
    }
}

// ---------------------------------------------------------------------------------------------
// Deriving

/// What the table needs to resolve local functions.
pub struct Env<'a, 'b> {
    pub ctx: &'a Ctx<'b>,
    pub t: &'a Template,
}

/// The permissions of one Task-like state (`getPermissions`).
pub fn permissions(state: &Value, env: &Env, notes: &mut Vec<Note>) -> Result<Vec<Perm>, Crash> {
    let row = prop(Some(state), "Resource")
        .and_then(Value::as_str)
        .and_then(lookup);
    match row {
        Some(row) => apply(row.rule, state, env, notes),
        None => lambda_fallback(state, env, notes),
    }
}

/// The permissions of a row of the table for a state.
pub(super) fn apply_row(
    row: &Row,
    s: &Value,
    env: &Env,
    notes: &mut Vec<Note>,
) -> Result<Vec<Perm>, Crash> {
    apply(row.rule, s, env, notes)
}

pub(super) fn apply(
    rule: Rule,
    s: &Value,
    env: &Env,
    notes: &mut Vec<Note>,
) -> Result<Vec<Perm>, Crash> {
    Ok(match rule {
        Rule::Fixed(perms) => perms
            .iter()
            .map(|(a, r)| Perm::new(*a, fixed(*r)))
            .collect(),
        Rule::SqsSendMessage => {
            if !(has_param(s, "QueueUrl") || has_param(s, "QueueUrl.$")) {
                notes.push(Note::SqsNoQueue);
                return Ok(Vec::new());
            }
            let p = prop(Some(s), "Parameters");
            let arn = if truthy(prop(p, "QueueUrl.$")) {
                Value::from("*")
            } else {
                sqs_queue_url_to_arn(prop(p, "QueueUrl"), notes)
            };
            vec![Perm::new("sqs:SendMessage", arn)]
        }
        Rule::SnsPublish => {
            if !(has_param(s, "TopicArn") || has_param(s, "TopicArn.$")) {
                notes.push(Note::SnsNoTopic);
                return Ok(Vec::new());
            }
            let p = prop(Some(s), "Parameters");
            let arn = if truthy(prop(p, "TopicArn.$")) {
                Value::from("*")
            } else {
                prop(p, "TopicArn").cloned().unwrap_or(Value::Null)
            };
            if arn.is_null() {
                notes.push(Note::Missing {
                    param: "TopicArn",
                    effect: "a `null` IAM resource",
                });
            }
            vec![Perm::new("sns:Publish", arn)]
        }
        Rule::DynamoTable(action) => {
            let resource = if is_dynamic(s, "TableName") {
                Value::from("*")
            } else if is_dynamic(s, "IndexName") {
                let table = text(param_or_arg(s, "TableName"), "TableName", notes);
                dynamodb_arn(&Value::String(format!("{table}/index/*")), notes)
            } else if truthy(param_or_arg(s, "IndexName")) {
                let index = text(param_or_arg(s, "IndexName"), "IndexName", notes);
                let table = text(param_or_arg(s, "TableName"), "TableName", notes);
                dynamodb_arn(&Value::String(format!("{table}/index/{index}")), notes)
            } else {
                let table = param_or_arg(s, "TableName").cloned();
                match table {
                    Some(t) => dynamodb_arn(&t, notes),
                    None => {
                        notes.push(Note::Stringified {
                            param: "TableName",
                            text: "undefined".into(),
                        });
                        dynamodb_arn(&Value::from("undefined"), &mut Vec::new())
                    }
                }
            };
            vec![Perm::new(action, resource)]
        }
        Rule::DynamoBatch(action) => {
            if is_dynamic(s, "RequestItems") {
                return Ok(vec![Perm::new(action, Value::from("*"))]);
            }
            let keys: Vec<String> = match param_or_arg(s, "RequestItems") {
                Some(Value::Object(m)) => m.keys().cloned().collect(),
                Some(Value::Array(a)) => (0..a.len()).map(|i| i.to_string()).collect(),
                Some(Value::String(x)) => (0..x.encode_utf16().count())
                    .map(|i| i.to_string())
                    .collect(),
                Some(Value::Number(_)) | Some(Value::Bool(_)) => Vec::new(),
                None | Some(Value::Null) => return Err(Crash::NotIterable("RequestItems")),
            };
            keys.iter()
                .map(|k| {
                    let table = k.replacen(".$", "", 1);
                    Perm::new(action, dynamodb_arn(&Value::String(table), notes))
                })
                .collect()
        }
        Rule::RedshiftStatement(action) => redshift(action, s)?,
        Rule::LambdaInvoke => {
            if matches!(param_or_arg(s, "FunctionName"), None | Some(Value::Null))
                && !is_dynamic(s, "FunctionName")
            {
                notes.push(Note::Missing {
                    param: "FunctionName",
                    effect: "a `null` IAM resource",
                });
            }
            lambda_invoke(s, env)?
        }
        Rule::StartExecution(action) => {
            let arn = state_machine_arn(s);
            let exec = execution_arn(arn.as_ref())?;
            vec![
                Perm::new(action, arn.unwrap_or(Value::Null)),
                Perm::new("states:DescribeExecution,states:StopExecution", exec),
                Perm::new(
                    EVENTS_RULE,
                    fixed(Res::EventsRuleSub(
                        "StepFunctionsGetEventsForStepFunctionsExecutionRule",
                    )),
                ),
            ]
        }
        Rule::CodeBuildProject => {
            let p = strict_params(s, "ProjectName")?;
            let project = text(prop(p, "ProjectName"), "ProjectName", notes);
            vec![
                Perm::new(
                    "codebuild:StartBuild,codebuild:StopBuild,codebuild:BatchGetBuilds",
                    sub_with(
                        format!(
                            "arn:${{AWS::Partition}}:codebuild:${{AWS::Region}}:${{AWS::AccountId}}:project/{project}"
                        ),
                        empty(),
                    ),
                ),
                Perm::new(
                    EVENTS_RULE,
                    fixed(Res::EventsRuleSub(
                        "StepFunctionsGetEventForCodeBuildStartBuildRule",
                    )),
                ),
            ]
        }
        Rule::SageMakerTransform => {
            let p = strict_params(s, "TransformJobName")?;
            let name = prop(p, "TransformJobName");
            let name = if truthy(name) {
                text(name, "TransformJobName", notes)
            } else {
                String::new()
            };
            vec![
                Perm::new(
                    "sagemaker:CreateTransformJob,sagemaker:DescribeTransformJob,sagemaker:StopTransformJob",
                    sub_with(
                        format!(
                            "arn:${{AWS::Partition}}:sagemaker:${{AWS::Region}}:${{AWS::AccountId}}:transform-job/{name}*"
                        ),
                        empty(),
                    ),
                ),
                Perm::new("sagemaker:ListTags", Value::from("*")),
                Perm::new(
                    EVENTS_RULE,
                    fixed(Res::EventsRuleSub(
                        "StepFunctionsGetEventsForSageMakerTransformJobsRule",
                    )),
                ),
            ]
        }
        Rule::BedrockModel => {
            let p = strict_params(s, "ModelId")?;
            let model = prop(p, "ModelId")
                .and_then(Value::as_str)
                .ok_or(Crash::NotAString("ModelId"))?;
            let arn = if model.starts_with("arn:") {
                Value::from(model)
            } else {
                sub_with(
                    format!(
                        "arn:${{AWS::Partition}}:bedrock:${{AWS::Region}}::foundation-model/{model}"
                    ),
                    empty(),
                )
            };
            vec![Perm::new("bedrock:InvokeModel", arn)]
        }
        Rule::PutEvents => {
            let entries: Vec<Option<&Value>> = match param_or_arg(s, "Entries") {
                Some(Value::Array(a)) => a.iter().map(Some).collect(),
                Some(Value::String(x)) => x.chars().map(|_| None).collect(),
                _ => return Err(Crash::NotIterable("Entries")),
            };
            let mut buses: Vec<Value> = Vec::new();
            for e in entries {
                let bus = match e {
                    // a character of a string entry list
                    None => Value::from("default"),
                    Some(Value::Null) => return Err(Crash::NotIterable("Entries")),
                    Some(entry) => match prop(Some(entry), "EventBusName") {
                        b if truthy(b) => b.cloned().unwrap_or(Value::Null),
                        _ => Value::from("default"),
                    },
                };
                // a JS Set: equal strings collapse, objects never do
                if bus.is_object() || bus.is_array() || !buses.contains(&bus) {
                    buses.push(bus);
                }
            }
            let resources: Vec<Value> = buses
                .iter()
                .cloned()
                .map(|b| {
                    sub_with(
                        "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/${eventBus}",
                        obj([("eventBus", b)]),
                    )
                })
                .collect();
            if buses.is_empty() {
                notes.push(Note::Missing {
                    param: "Entries",
                    effect: "an IAM statement without resources",
                });
            }
            vec![Perm::new("events:PutEvents", Value::Array(resources))]
        }
        Rule::PutTargets => {
            if is_dynamic(s, "Rule") {
                return Ok(vec![Perm::new("events:PutTargets", Value::from("*"))]);
            }
            let rule = param_or_arg(s, "Rule");
            let bus = param_or_arg(s, "EventBusName");
            let mut vars = Map::new();
            let template = if truthy(bus) {
                if let Some(b) = bus {
                    vars.insert("eventBusName".into(), b.clone());
                }
                "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/${eventBusName}/${ruleName}"
            } else {
                "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/${ruleName}"
            };
            match rule {
                Some(r) => {
                    vars.insert("ruleName".into(), r.clone());
                }
                None => notes.push(Note::Missing {
                    param: "Rule",
                    effect: "an `Fn::Sub` with an unresolved `${ruleName}`",
                }),
            }
            vec![Perm::new(
                "events:PutTargets",
                sub_with(template, Value::Object(vars)),
            )]
        }
        Rule::Scheduler(action) => {
            let group = match param_or_arg(s, "GroupName") {
                g if truthy(g) => g.cloned().unwrap_or(Value::Null),
                _ => Value::from("default"),
            };
            let target = param_or_arg(s, "Target");
            let role = if truthy(target) {
                prop(target, "RoleArn")
            } else {
                None
            };
            let mut perms = vec![Perm::new(
                action,
                sub_with(
                    "arn:${AWS::Partition}:scheduler:${AWS::Region}:${AWS::AccountId}:schedule/${scheduleGroupName}/*",
                    obj([("scheduleGroupName", group)]),
                ),
            )];
            if truthy(role) {
                perms.push(Perm::new(
                    "iam:PassRole",
                    role.cloned().unwrap_or(Value::Null),
                ));
            }
            perms
        }
        Rule::HttpInvoke => {
            let p = prop(Some(s), "Parameters");
            let auth = if truthy(p) {
                prop(p, "Authentication")
            } else {
                None
            };
            let conn = if truthy(auth) {
                prop(auth, "ConnectionArn")
            } else {
                None
            };
            let conn = if truthy(conn) {
                conn.cloned().unwrap_or(Value::Null)
            } else {
                Value::from("*")
            };
            vec![
                Perm::new("states:InvokeHTTPEndpoint", Value::from("*")),
                Perm::new("events:RetrieveConnectionCredentials", conn),
                Perm::new(
                    "secretsmanager:GetSecretValue,secretsmanager:DescribeSecret",
                    sub(
                        "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:events!connection/*",
                    ),
                ),
            ]
        }
        Rule::S3Object(action) => {
            let p = strict_params(s, "Bucket")?;
            let bucket = or_star(prop(p, "Bucket"));
            let key = or_star(prop(p, "Key"));
            let prefix = prop(p, "Prefix");
            let arn = if truthy(prefix) {
                let prefix = text(prefix, "Prefix", notes);
                let key = text(Some(&key), "Key", notes);
                s3_arn(
                    &bucket,
                    &format!("arn:${{AWS::Partition}}:s3:::${{bucket}}/{prefix}/{key}"),
                    notes,
                )
            } else if bucket == "*" && key == "*" {
                Value::from("*")
            } else {
                let key = text(Some(&key), "Key", notes);
                s3_arn(
                    &bucket,
                    &format!("arn:${{AWS::Partition}}:s3:::${{bucket}}/{key}"),
                    notes,
                )
            };
            vec![Perm::new(action, Value::Array(vec![arn]))]
        }
        Rule::S3List => {
            let p = strict_params(s, "Bucket")?;
            let bucket = or_star(prop(p, "Bucket"));
            let both = |notes: &mut Vec<Note>| {
                Value::Array(vec![
                    s3_arn(&bucket, "arn:${AWS::Partition}:s3:::${bucket}", notes),
                    s3_arn(&bucket, "arn:${AWS::Partition}:s3:::${bucket}/*", notes),
                ])
            };
            vec![
                Perm::new("s3:Get*", both(notes)),
                Perm::new("s3:List*", both(&mut Vec::new())),
            ]
        }
        Rule::AthenaStart { sync } => {
            let actions = if sync {
                "athena:startQueryExecution,athena:stopQueryExecution,athena:getQueryExecution,athena:getDataCatalog,athena:GetWorkGroup,athena:BatchGetQueryExecution,athena:GetQueryResults,athena:ListQueryExecutions"
            } else {
                "athena:startQueryExecution,athena:getDataCatalog"
            };
            let wg = prop(prop(Some(s), "Parameters"), "WorkGroup")
                .and_then(Value::as_str)
                .filter(|w| !w.is_empty());
            let glue = |tail: &str| {
                sub_with(
                    format!(
                        "arn:${{AWS::Partition}}:glue:${{AWS::Region}}:${{AWS::AccountId}}:{tail}"
                    ),
                    empty(),
                )
            };
            vec![
                Perm::new(
                    actions,
                    Value::Array(vec![
                        athena_workgroup(wg),
                        sub_with(
                            "arn:${AWS::Partition}:athena:${AWS::Region}:${AWS::AccountId}:datacatalog/*",
                            empty(),
                        ),
                    ]),
                ),
                Perm::new(
                    "s3:GetBucketLocation,s3:GetObject,s3:ListBucket,s3:ListBucketMultipartUploads,s3:ListMultipartUploadParts,s3:AbortMultipartUpload,s3:CreateBucket,s3:PutObject",
                    Value::from("arn:aws:s3:::*"),
                ),
                Perm::new(
                    "glue:CreateDatabase,glue:GetDatabase,glue:GetDatabases,glue:UpdateDatabase,glue:DeleteDatabase,glue:CreateTable,glue:UpdateTable,glue:GetTable,glue:GetTables,glue:DeleteTable,glue:BatchDeleteTable,glue:BatchCreatePartition,glue:CreatePartition,glue:UpdatePartition,glue:GetPartition,glue:GetPartitions,glue:BatchGetPartition,glue:DeletePartition,glue:BatchDeletePartition",
                    Value::Array(vec![
                        glue("catalog"),
                        glue("database/*"),
                        glue("table/*"),
                        glue("userDefinedFunction/*"),
                    ]),
                ),
                Perm::new("lakeformation:GetDataAccess", Value::from("*")),
            ]
        }
    })
}

fn athena_workgroup(name: Option<&str>) -> Value {
    sub_with(
        format!(
            "arn:${{AWS::Partition}}:athena:${{AWS::Region}}:${{AWS::AccountId}}:workgroup/{}",
            name.unwrap_or("*")
        ),
        empty(),
    )
}

/// `x || '*'`
fn or_star(v: Option<&Value>) -> Value {
    if truthy(v) {
        v.cloned().unwrap_or(Value::Null)
    } else {
        Value::from("*")
    }
}

/// `resolveS3BucketReference`: `Fn::Sub [tmpl, {bucket}]` for an intrinsic bucket, else the
/// bucket spliced into the template.
fn s3_arn(bucket: &Value, tmpl: &str, notes: &mut Vec<Note>) -> Value {
    if js::is_intrinsic(bucket) {
        sub_with(tmpl, obj([("bucket", bucket.clone())]))
    } else {
        let b = text(Some(bucket), "Bucket", notes);
        sub(js::replace_all(tmpl, "${bucket}", &b))
    }
}

/// `getDynamoDBArn`.
fn dynamodb_arn(table: &Value, notes: &mut Vec<Note>) -> Value {
    if js::is_intrinsic(table) {
        if truthy(prop(Some(table), "Ref")) {
            return obj([(
                "Fn::GetAtt",
                Value::Array(vec![table["Ref"].clone(), Value::from("Arn")]),
            )]);
        }
        if truthy(prop(Some(table), "Fn::ImportValue")) {
            return pseudo_join(
                "dynamodb",
                obj([(
                    "Fn::Join",
                    Value::Array(vec![
                        Value::from("/"),
                        Value::Array(vec![Value::from("table"), table.clone()]),
                    ]),
                )]),
            );
        }
    }
    let name = text(Some(table), "TableName", notes);
    pseudo_join("dynamodb", Value::String(format!("table/{name}")))
}

/// `sqsQueueUrlToArn`.
pub(super) fn sqs_queue_url_to_arn(url: Option<&Value>, notes: &mut Vec<Note>) -> Value {
    let text = template(url);
    if let Some((region, account, queue)) = match_sqs_url(&text) {
        let partition = if region.starts_with("us-gov") {
            "aws-us-gov"
        } else if region.starts_with("cn-") {
            "aws-cn"
        } else {
            "aws"
        };
        return Value::String(format!("arn:{partition}:sqs:{region}:{account}:{queue}"));
    }
    if let Some(u) = url.filter(|u| js::is_intrinsic(u)) {
        return match prop(Some(u), "Ref") {
            Some(r) if truthy(Some(r)) => obj([(
                "Fn::GetAtt",
                Value::Array(vec![r.clone(), Value::from("Arn")]),
            )]),
            _ => Value::from("*"),
        };
    }
    notes.push(Note::SqsBadUrl(text));
    Value::Array(Vec::new())
}

/// `/https:\/\/sqs.(.*).amazonaws.com\/(.*)\/(.*)/` (unanchored, greedy, `.` not matching
/// line terminators): region, account and queue name.
pub fn match_sqs_url(s: &str) -> Option<(String, String, String)> {
    let is_term = |c: char| matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}');
    for (start, _) in s.match_indices("https://sqs") {
        // everything the match can span: up to the end of the line
        let line_end = s[start..].find(is_term).map_or(s.len(), |e| start + e);
        let line = &s[start + "https://sqs".len()..line_end];
        let chars: Vec<(usize, char)> = line.char_indices().collect();
        if chars.is_empty() {
            continue;
        }
        // any char, then group 1 (greedy), then any char + "amazonaws" + any char + "com/"
        let after = chars[0].0 + chars[0].1.len_utf8();
        let body = &line[after..];
        let bchars: Vec<(usize, char)> = body.char_indices().collect();
        for gi in (0..=bchars.len()).rev() {
            let g1_end = bchars.get(gi).map_or(body.len(), |(i, _)| *i);
            let rest = &body[g1_end..];
            let mut it = rest.chars();
            let Some(c1) = it.next() else { continue };
            let rest = &rest[c1.len_utf8()..];
            let Some(rest) = rest.strip_prefix("amazonaws") else {
                continue;
            };
            let Some(c2) = rest.chars().next() else {
                continue;
            };
            let Some(tail) = rest[c2.len_utf8()..].strip_prefix("com/") else {
                continue;
            };
            // group 2 greedy up to the last "/", group 3 the rest
            let Some(slash) = tail.rfind('/') else {
                continue;
            };
            return Some((
                body[..g1_end].to_string(),
                tail[..slash].to_string(),
                tail[slash + 1..].to_string(),
            ));
        }
    }
    None
}

fn redshift(action: &'static str, s: &Value) -> Result<Vec<Perm>, Crash> {
    if !matches!(
        action,
        "redshift-data:ExecuteStatement" | "redshift-data:BatchExecuteStatement"
    ) {
        return Ok(vec![Perm::new(action, Value::from("*"))]);
    }
    let p = prop(Some(s), "Parameters");
    let has = |k: &str| has_param(s, k);
    let get = |k: &str| prop(p, k);
    let db = if has("Database") {
        template(get("Database"))
    } else {
        "*".into()
    };
    let any_workgroup = || {
        sub(
            "arn:${AWS::Partition}:redshift-serverless:${AWS::Region}:${AWS::AccountId}:workgroup/*",
        )
    };
    let mut workgroup: Option<Value> = None;
    let mut cluster: Option<String> = None;
    if has("WorkgroupName") {
        let w = get("WorkgroupName")
            .and_then(Value::as_str)
            .ok_or(Crash::NotAString("WorkgroupName"))?;
        workgroup = Some(if w.starts_with("arn:") {
            Value::from(w)
        } else {
            any_workgroup()
        });
    } else if has("WorkgroupName.$") {
        workgroup = Some(any_workgroup());
    } else if has("ClusterIdentifier") {
        cluster = Some(template(get("ClusterIdentifier")));
    } else {
        cluster = Some("*".into());
    }
    let cluster_text = cluster.clone().unwrap_or_else(|| "undefined".into());
    let mut secret: Option<Value> = None;
    let mut db_user: Option<&Value> = None;
    let star = Value::from("*");
    if has("SecretArn") {
        let a = get("SecretArn")
            .and_then(Value::as_str)
            .ok_or(Crash::NotAString("SecretArn"))?;
        secret = Some(if a.starts_with("arn:") {
            Value::from(a)
        } else {
            sub(format!(
                "arn:${{AWS::Partition}}:secretsmanager:${{AWS::Region}}:${{AWS::AccountId}}:secret:{a}*"
            ))
        });
    } else if has("SecretArn.$") {
        secret = Some(sub(
            "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:*",
        ));
    } else if has("DbUser") {
        db_user = get("DbUser");
    } else if has("DbUser.$") {
        db_user = Some(&star);
    }
    let mut perms = vec![Perm::new(
        action,
        workgroup.clone().unwrap_or_else(|| {
            sub(format!(
                "arn:${{AWS::Partition}}:redshift:${{AWS::Region}}:${{AWS::AccountId}}:cluster:{cluster_text}"
            ))
        }),
    )];
    let dbname = sub(format!(
        "arn:${{AWS::Partition}}:redshift:${{AWS::Region}}:${{AWS::AccountId}}:dbname:{cluster_text}/{db}"
    ));
    if let Some(secret) = secret {
        perms.push(Perm::new("secretsmanager:GetSecretValue", secret));
    } else if truthy(db_user) {
        let user = template(db_user);
        perms.push(Perm::new(
            "redshift:GetClusterCredentials",
            Value::Array(vec![
                sub(format!(
                    "arn:${{AWS::Partition}}:redshift:${{AWS::Region}}:${{AWS::AccountId}}:dbuser:{cluster_text}/{user}"
                )),
                dbname,
            ]),
        ));
    } else if let Some(w) = workgroup {
        perms.push(Perm::new("redshift-serverless:GetCredentials", w));
    } else {
        perms.push(Perm::new("redshift:GetClusterCredentialsWithIAM", dbname));
    }
    Ok(perms)
}

/// `getStateMachineArn`: `None` is `undefined`.
fn state_machine_arn(s: &Value) -> Option<Value> {
    if s.get("Mode").and_then(Value::as_str) == Some("DISTRIBUTED") {
        let name = template(s.get("StateMachineName"));
        return Some(sub_with(
            format!(
                "arn:${{AWS::Partition}}:states:${{AWS::Region}}:${{AWS::AccountId}}:stateMachine:{name}"
            ),
            empty(),
        ));
    }
    let args = prop(Some(s), "Arguments");
    let params = prop(Some(s), "Parameters");
    if truthy(args) {
        let arn = prop(args, "StateMachineArn");
        return match arn {
            Some(Value::String(a)) if crate::js::trim(a).starts_with("{%") => {
                Some(Value::from("*"))
            }
            other => other.cloned(),
        };
    }
    if truthy(params) {
        return if truthy(prop(params, "StateMachineArn.$")) {
            Some(Value::from("*"))
        } else {
            prop(params, "StateMachineArn").cloned()
        };
    }
    match prop(Some(s), "StateMachineArn") {
        a if truthy(a) => a.cloned(),
        _ => Some(Value::from("*")),
    }
}

/// `getExecutionArn`.
fn execution_arn(arn: Option<&Value>) -> Result<Value, Crash> {
    let exec = |t: &str| format!("{}:*", t.replacen(":stateMachine:", ":execution:", 1));
    match arn {
        None | Some(Value::Null) => Err(Crash::NotIterable("StateMachineArn")),
        Some(Value::String(s)) if s == "*" => Ok(Value::from("*")),
        Some(Value::String(s)) => Ok(Value::String(exec(s))),
        Some(v) => match v.get("Fn::Sub") {
            Some(sv) if truthy(Some(sv)) => match sv {
                Value::String(t) => Ok(sub(exec(t))),
                Value::Array(a) => {
                    let t = a.first().and_then(Value::as_str).ok_or(Crash::BadSub)?;
                    Ok(sub_with(exec(t), a.get(1).cloned().unwrap_or(Value::Null)))
                }
                _ => Err(Crash::BadSub),
            },
            _ => Ok(Value::from("*")),
        },
    }
}

fn lambda_pair(name: &str) -> Value {
    let arn = super::static_lambda_arn(name);
    Value::Array(vec![sub(arn.clone()), sub(format!("{arn}:*"))])
}

fn translate(env: &Env, v: &Value) -> Result<Value, Crash> {
    super::translate_local_function_names(env.ctx, env.t, v).map_err(|_| Crash::GetAtt)
}

/// `lambda:invoke` (`lambda.getPermissions`).
pub(super) fn lambda_invoke(s: &Value, env: &Env) -> Result<Vec<Perm>, Crash> {
    let invoke = "lambda:InvokeFunction";
    if is_dynamic(s, "FunctionName") {
        return Ok(vec![Perm::new(
            invoke,
            or_star(param_or_arg(s, "AllowedFunctions")),
        )]);
    }
    let f = param_or_arg(s, "FunctionName");
    let resource = match f {
        Some(Value::String(name)) => {
            let segments: Vec<&str> = name.split(':').collect();
            if is_lambda_arn(name) {
                Value::Array(vec![
                    Value::from(name.as_str()),
                    Value::String(format!("{name}:*")),
                ])
            } else if segments.len() == 3
                && !segments[0].is_empty()
                && segments[0].bytes().all(|b| b.is_ascii_digit())
            {
                let arn = format!("arn:${{AWS::Partition}}:lambda:${{AWS::Region}}:{name}");
                Value::Array(vec![sub(arn.clone()), sub(format!("{arn}:*"))])
            } else {
                lambda_pair(name)
            }
        }
        Some(v @ Value::Object(o)) if o.contains_key("Fn::GetAtt") => {
            let arn = translate(env, v)?;
            Value::Array(vec![
                arn.clone(),
                sub_with("${functionArn}:*", obj([("functionArn", arn)])),
            ])
        }
        Some(v @ Value::Object(o)) if o.contains_key("Ref") => {
            match super::resolve_lambda_function_name(env.ctx, v) {
                Some(name) => lambda_pair(&name),
                None => {
                    let arn = translate(env, v)?;
                    let tmpl = "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${functionArn}";
                    Value::Array(vec![
                        sub_with(tmpl, obj([("functionArn", arn.clone())])),
                        sub_with(format!("{tmpl}:*"), obj([("functionArn", arn)])),
                    ])
                }
            }
        }
        other => other.cloned().unwrap_or(Value::Null),
    };
    Ok(vec![Perm::new(invoke, resource)])
}

/// The Lambda fallback for a `Resource` outside the table (`getFallbackPermissions`).
pub fn lambda_fallback(s: &Value, env: &Env, notes: &mut Vec<Note>) -> Result<Vec<Perm>, Crash> {
    let resource = prop(Some(s), "Resource");
    let lambda_like = match resource {
        Some(r) if js::is_intrinsic(r) => true,
        Some(Value::String(r)) => contains_lambda_arn(r),
        _ => return Err(Crash::NoResource),
    };
    if !lambda_like {
        notes.push(Note::NotDerived);
        return Ok(Vec::new());
    }
    let resource = resource.cloned().unwrap_or(Value::Null);
    let trimmed = match &resource {
        Value::String(r) if is_lambda_arn(r) => {
            let parts: Vec<&str> = r.split(':').collect();
            if parts.len() == 8 {
                Value::String(parts[..7].join(":"))
            } else {
                resource.clone()
            }
        }
        _ => resource.clone(),
    };
    if let Some(name) = super::resolve_lambda_function_name(env.ctx, &trimmed) {
        return Ok(vec![Perm::new("lambda:InvokeFunction", lambda_pair(&name))]);
    }
    let arn = translate(env, &trimmed)?;
    let versioned = match arn.get("Fn::Sub") {
        Some(Value::String(t)) => Some(sub(format!("{t}:*"))),
        Some(Value::Array(a)) => Some(sub_with(
            format!("{}:*", template(a.first())),
            a.get(1).cloned().unwrap_or(Value::Null),
        )),
        _ => None,
    }
    .unwrap_or_else(|| sub_with("${functionArn}:*", obj([("functionArn", arn.clone())])));
    Ok(vec![Perm::new(
        "lambda:InvokeFunction",
        Value::Array(vec![arn, versioned]),
    )])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seventy_one_task_arns() {
        let mut all: Vec<&str> = TABLE.iter().flat_map(|r| r.tasks.iter().copied()).collect();
        assert_eq!(all.len(), 71);
        all.sort();
        all.dedup();
        assert_eq!(all.len(), 71, "no task ARN twice");
    }

    #[test]
    fn arn_normalisation() {
        assert_eq!(
            normalize_arn("arn:aws-cn:states:::sns:publish"),
            "arn:aws:states:::sns:publish"
        );
        assert_eq!(
            normalize_arn("arn:aws-us-gov:states:::x"),
            "arn:aws:states:::x"
        );
        assert_eq!(
            normalize_arn("arn:${AWS::Partition}:states:::x"),
            "arn:aws:states:::x"
        );
        assert_eq!(
            normalize_arn("arn:#{AWS::Partition}:states:::x"),
            "arn:#{AWS::Partition}:states:::x"
        );
        assert_eq!(normalize_arn("arn:aws-:states"), "arn:aws-:states");
        assert!(lookup("arn:aws-cn:states:::lambda:invoke").is_some());
        assert!(lookup("arn:aws:states:::aws-sdk:sqs:receiveMessage").is_none());
        assert!(is_lambda_arn(
            "arn:aws-us-gov:lambda:us-gov-west-1:1:function:f"
        ));
        assert!(!is_lambda_arn("arn:aws:states:::lambda:invoke"));
        assert!(contains_lambda_arn("x arn:aws:lambda:y"));
    }

    #[test]
    fn sqs_urls() {
        assert_eq!(
            match_sqs_url("https://sqs.eu-west-1.amazonaws.com/123456789012/other-queue"),
            Some((
                "eu-west-1".into(),
                "123456789012".into(),
                "other-queue".into()
            ))
        );
        assert_eq!(
            match_sqs_url("https://sqs.r.amazonaws.com/a/b/c"),
            Some(("r".into(), "a/b".into(), "c".into()))
        );
        assert_eq!(match_sqs_url("[object Object]"), None);
        assert_eq!(match_sqs_url("https://sqs.amazonaws.com/q"), None);
    }

    #[test]
    fn execution_arns() {
        let e = |v: Value| execution_arn(Some(&v)).unwrap();
        assert_eq!(
            e(Value::from("arn:aws:states:r:1:stateMachine:m")),
            Value::from("arn:aws:states:r:1:execution:m:*")
        );
        assert_eq!(e(serde_json::json!({"Ref": "M"})), Value::from("*"));
        assert_eq!(
            e(serde_json::json!({"Fn::Sub": "arn:x:stateMachine:m"})),
            serde_json::json!({"Fn::Sub": "arn:x:execution:m:*"})
        );
        assert!(execution_arn(None).is_err());
    }

    #[test]
    fn parameters_or_arguments() {
        let s = serde_json::json!({"QueryLanguage": "JSONata", "Parameters": {"a": 1}, "Arguments": {"a": 2}});
        assert_eq!(param_or_arg(&s, "a"), Some(&Value::from(2)));
        let s = serde_json::json!({"Parameters": {"a": 1}, "Arguments": {"a": 2}});
        assert_eq!(param_or_arg(&s, "a"), None);
        let s = serde_json::json!({"Arguments": {"a": 2}});
        assert_eq!(param_or_arg(&s, "a"), Some(&Value::from(2)));
        let s = serde_json::json!({"Arguments": {"x": "  {% $y %}"}});
        assert!(is_dynamic(&s, "x"));
    }
}
