//! Function `stream` events (DynamoDB and Kinesis), as the framework's
//! `AwsCompileStreamEvents` writes them.
//!
//! Each event becomes an `AWS::Lambda::EventSourceMapping`
//! `<NF>EventSourceMapping<upperFirst(type)><alnum(streamName)>` (merged into an existing one
//! of that ID), `DependsOn` the function's role resource. The type is `type`, else the ARN's
//! third `:` field; the stream name comes from the ARN's part after the first `/` (`table/<name>`,
//! `stream/<name>`), or from the intrinsic (`Fn::GetAtt` resource, `Fn::ImportValue` export,
//! `Ref` name, the last `Fn::Join` item after its last `/`).
//!
//! A Kinesis event with `consumer: true` also creates `Norm(<fkey><stream>Consumer)StreamConsumer`
//! (an `AWS::Kinesis::StreamConsumer`) and reads from it; another truthy `consumer` (an ARN or
//! intrinsic) is read from as is. Only then is `startingPositionTimestamp` written (and required
//! with `AT_TIMESTAMP`) — without a consumer the framework drops it.
//!
//! After each function, its statements go to `IamRoleLambdaExecution` (when the template has
//! it), in this order: DynamoDB streams, Kinesis streams, Kinesis streams read through a
//! consumer, the consumers, SNS and SQS failure destinations.

use serde_json::{Map, Value, json};

use super::fn_common::{self, Seen};
use crate::compile::{Ctx, Template, naming};
use crate::declare_codes;
use crate::diagnostics::{Diag, Diags};
use crate::yaml::{Kind, Node, js_to_string};

declare_codes! { CODES;
    INVALID = "slsx::fn-stream::invalid", "A function `stream` event without a usable stream ARN (the framework crashes on it).";
    MISSING_TYPE = "slsx::fn-stream::missing-type", "A function `stream` event whose `arn` is an intrinsic, without the `type` the framework then needs.";
    STREAM_TYPE = "slsx::fn-stream::stream-type", "A function `stream` event on something other than a DynamoDB or Kinesis stream.";
    DESTINATION = "slsx::fn-stream::destination", "A function `stream` event's `destinations` the framework cannot read (it crashes, or writes no destination).";
    STARTING_POSITION_TIMESTAMP = "slsx::fn-stream::starting-position-timestamp", "`startingPosition: AT_TIMESTAMP` without `startingPositionTimestamp`, or a timestamp the framework drops.";
    CONSUMER = "slsx::fn-stream::consumer", "A `consumer` on a stream that is not Kinesis (the framework ignores it).";
}

/// The options of the object form (the framework's schema).
const KEYS: [&str; 16] = [
    "arn",
    "type",
    "batchSize",
    "parallelizationFactor",
    "startingPosition",
    "startingPositionTimestamp",
    "enabled",
    "consumer",
    "batchWindow",
    "maximumRetryAttempts",
    "bisectBatchOnFunctionError",
    "maximumRecordAgeInSeconds",
    "functionResponseType",
    "destinations",
    "tumblingWindowInSeconds",
    "filterPatterns",
];

const HELP: &str = "write `stream: arn:aws:dynamodb:<region>:<account>:table/<table>/stream/<label>` (or a Kinesis `…:stream/<name>` ARN), or a mapping with `arn:` (an ARN, or an intrinsic with `type: dynamodb|kinesis`) and options";

const FORMS: &str = "`!GetAtt <Resource>.StreamArn` / `.Arn`, `!ImportValue <export name>`, `!Ref <parameter>`, `!Join [':', [..., stream/<name>]]` (each with `type:`), or a plain ARN";

/// The statements one function collects, in the framework's order.
#[derive(Default)]
struct Statements {
    dynamodb: Vec<Value>,
    kinesis: Vec<Value>,
    kinesis_with_consumer: Vec<Value>,
    consumers: Vec<Value>,
    sns: Vec<Value>,
    sqs: Vec<Value>,
}

impl Statements {
    fn add_to_role(self, t: &mut Template) {
        let lists: [(&[&str], Vec<Value>); 6] = [
            (
                &[
                    "dynamodb:GetRecords",
                    "dynamodb:GetShardIterator",
                    "dynamodb:DescribeStream",
                    "dynamodb:ListStreams",
                ],
                self.dynamodb,
            ),
            (
                &[
                    "kinesis:GetRecords",
                    "kinesis:GetShardIterator",
                    "kinesis:DescribeStream",
                    "kinesis:ListStreams",
                ],
                self.kinesis,
            ),
            (
                &[
                    "kinesis:GetRecords",
                    "kinesis:GetShardIterator",
                    "kinesis:DescribeStreamSummary",
                    "kinesis:ListShards",
                ],
                self.kinesis_with_consumer,
            ),
            (&["kinesis:SubscribeToShard"], self.consumers),
            (&["sns:Publish"], self.sns),
            (&["sqs:ListQueues", "sqs:SendMessage"], self.sqs),
        ];
        for (actions, resources) in lists {
            if !resources.is_empty() {
                fn_common::add_role_statement(t, fn_common::allow(actions, resources));
            }
        }
    }
}

/// Compiles these events into the template.
pub fn compile(ctx: &Ctx, t: &mut Template, diags: &mut Diags) {
    let mut seen = Seen::default();
    let naming_mode = ctx
        .provider_at(&["kinesis", "consumerNamingMode"])
        .is_some_and(Node::is_truthy);
    for (fkey, f) in ctx.functions() {
        let mut st = Statements::default();
        for event in super::events_of(f, "stream") {
            let stream = event.value;
            let event_span = event.key;
            let Some(src) = source(fkey, stream, diags) else {
                continue;
            };
            let object = stream.as_map().map(|_| stream);
            if let Some(o) = object {
                check_options(o, diags);
            }
            let opt = |k: &str| object.and_then(|o| o.get(k));
            let Ok(destination) = object.map_or(Ok(None), |o| destination(o, diags)) else {
                continue;
            };
            let Ok(filter) = object.map_or(Ok(None), |o| fn_common::filter_criteria(o, diags))
            else {
                continue;
            };
            let consumer = opt("consumer").filter(|c| c.is_truthy());
            let is_kinesis = src.stream_type.as_deref() == Some("kinesis");
            let starting = opt("startingPosition").filter(|s| s.is_truthy());
            let timestamp = opt("startingPositionTimestamp").filter(|s| s.is_truthy());
            if !check_starting_position(fkey, stream, consumer.is_some() && is_kinesis, diags) {
                continue;
            }
            if let Some(c) = consumer
                && !is_kinesis
            {
                diags.push(
                    Diag::warning(
                        &CONSUMER,
                        "`consumer` only applies to Kinesis streams; the framework ignores it here",
                    )
                    .label(
                        super::key_span(stream, "consumer"),
                        format!(
                            "on a `{}` stream",
                            src.stream_type.as_deref().unwrap_or_default()
                        ),
                    )
                    .help(if src.stream_type.as_deref() == Some("dynamodb") {
                        "DynamoDB streams have no enhanced fan-out consumers; remove `consumer`"
                            .to_string()
                    } else {
                        format!(
                            "set `type: kinesis` for a Kinesis stream, or remove `consumer` (`{}`)",
                            js_to_string(c)
                        )
                    }),
                );
            }

            let mut depends = fn_common::mapping_depends_on(ctx, t, fkey, f, event_span, diags);
            let mut props = Map::new();
            props.insert(
                "BatchSize".into(),
                opt("batchSize")
                    .filter(|b| b.is_truthy())
                    .map(Node::to_json)
                    .unwrap_or(Value::from(10)),
            );
            props.insert(
                "Enabled".into(),
                opt("enabled")
                    .map(Node::to_json)
                    .unwrap_or(Value::Bool(true)),
            );
            props.insert("EventSourceArn".into(), src.arn.to_json());
            props.insert("FunctionName".into(), fn_common::lambda_arn(ctx, fkey));
            if let Some(p) = opt("parallelizationFactor").filter(|p| p.is_truthy()) {
                props.insert("ParallelizationFactor".into(), p.to_json());
            }
            props.insert(
                "StartingPosition".into(),
                starting
                    .map(Node::to_json)
                    .unwrap_or_else(|| json!("TRIM_HORIZON")),
            );
            for (key, prop, keep) in [
                (
                    "batchWindow",
                    "MaximumBatchingWindowInSeconds",
                    Keep::NotNull,
                ),
                (
                    "maximumRetryAttempts",
                    "MaximumRetryAttempts",
                    Keep::NotNull,
                ),
                (
                    "bisectBatchOnFunctionError",
                    "BisectBatchOnFunctionError",
                    Keep::NotNull,
                ),
                (
                    "functionResponseType",
                    "FunctionResponseTypes",
                    Keep::NotNullInList,
                ),
                (
                    "maximumRecordAgeInSeconds",
                    "MaximumRecordAgeInSeconds",
                    Keep::Truthy,
                ),
                (
                    "tumblingWindowInSeconds",
                    "TumblingWindowInSeconds",
                    Keep::NotNull,
                ),
            ] {
                let v = opt(key).filter(|v| match keep {
                    Keep::Truthy => v.is_truthy(),
                    _ => !v.is_null(),
                });
                if let Some(v) = v {
                    let v = match keep {
                        Keep::NotNullInList => Value::Array(vec![v.to_json()]),
                        _ => v.to_json(),
                    };
                    props.insert(prop.into(), v);
                }
            }
            let arn_json = src.arn.to_json();
            if src.stream_type.as_deref() == Some("dynamodb") {
                st.dynamodb.push(arn_json.clone());
            } else if consumer.is_some() {
                st.kinesis_with_consumer.push(arn_json.clone());
            } else {
                st.kinesis.push(arn_json.clone());
            }
            if let Some((arn, is_sns)) = destination {
                if is_sns {
                    st.sns.push(arn.clone());
                } else {
                    st.sqs.push(arn.clone());
                }
                props.insert(
                    "DestinationConfig".into(),
                    json!({"OnFailure": {"Destination": arn}}),
                );
            }
            if let Some(fc) = filter {
                props.insert("FilterCriteria".into(), fc);
            }

            let id = naming::stream_logical_id(
                fkey,
                src.stream_type.as_deref().unwrap_or_default(),
                &src.name,
            );
            seen.check(&id, event_span, "event source mapping", diags);
            let mut consumer_resource = None;
            if let Some(c) = consumer.filter(|_| is_kinesis) {
                let from = if c.as_bool() == Some(true) {
                    let name = naming::stream_consumer_name(
                        fkey,
                        &src.name,
                        naming_mode.then_some((ctx.service.as_str(), ctx.stage.as_str())),
                    );
                    let cid = naming::stream_consumer_logical_id(&name);
                    depends.push(Value::String(cid.clone()));
                    consumer_resource = Some((
                        cid.clone(),
                        json!({
                            "Type": "AWS::Kinesis::StreamConsumer",
                            "Properties": {"StreamARN": arn_json, "ConsumerName": name},
                        }),
                    ));
                    json!({"Ref": cid})
                } else {
                    c.to_json()
                };
                props.insert("EventSourceArn".into(), from.clone());
                st.consumers.push(from);
                if let Some(ts) = timestamp {
                    props.insert("StartingPositionTimestamp".into(), ts.to_json());
                }
            }
            t.merge_resource(
                &id,
                json!({
                    "Type": "AWS::Lambda::EventSourceMapping",
                    "DependsOn": depends,
                    "Properties": props,
                }),
            );
            if let Some((cid, r)) = consumer_resource {
                t.merge_resource(&cid, r);
            }
        }
        st.add_to_role(t);
    }
}

/// When an option is written: when not null (`!= null`), when truthy, or not null and then
/// wrapped in a list.
#[derive(Clone, Copy)]
enum Keep {
    NotNull,
    NotNullInList,
    Truthy,
}

/// The stream as the framework reads it.
struct Source<'a> {
    arn: &'a Node,
    /// `type`, else the ARN's third `:` field (`None`: the ARN has fewer fields; the logical
    /// ID then has nothing in its place).
    stream_type: Option<String>,
    /// The name the logical ID takes.
    name: String,
}

fn source<'a>(fkey: &str, stream: &'a Node, diags: &mut Diags) -> Option<Source<'a>> {
    let event = fn_common::SourceEvent {
        kind: "stream",
        source: "stream",
        code: &INVALID,
        help: HELP,
    };
    let arn = fn_common::source_arn(&event, fkey, stream, diags)?;
    let declared = super::truthy(stream, "type").map(js_to_string);
    let (stream_type, name) = match &arn.kind {
        Kind::String(s) => {
            let stream_type = declared.or_else(|| s.split(':').nth(2).map(str::to_string));
            let Some(name) = s.split('/').nth(1) else {
                diags.push(fn_common::unnamed_source(
                    arn.span,
                    "stream",
                    "it takes the name from the part after the first `/` of the ARN, and this one has none",
                    FORMS,
                ));
                return None;
            };
            fn_common::check_arn(arn, "stream", diags);
            (stream_type, name.to_string())
        }
        Kind::Map(_) => {
            let Some(t) = declared else {
                diags.push(
                    Diag::error(
                        &MISSING_TYPE,
                        "a stream given as an intrinsic needs `type: dynamodb` or `type: kinesis`",
                    )
                    .label(arn.span, "the framework cannot tell the stream's type from this")
                    .help("add `type: dynamodb` or `type: kinesis` next to `arn` (the framework reads the type from an ARN string's third field, and crashes on an intrinsic)"),
                );
                return None;
            };
            match fn_common::intrinsic_source_name(arn, true) {
                Some(Ok((key, name))) => {
                    let name = if key == "Fn::Join" {
                        name.rsplit('/').next().unwrap_or_default().to_string()
                    } else {
                        name
                    };
                    (Some(t), name)
                }
                Some(Err(why)) => {
                    diags.push(fn_common::unnamed_source(arn.span, "stream", &why, FORMS));
                    return None;
                }
                None => return None,
            }
        }
        _ => return None,
    };
    if !matches!(stream_type.as_deref(), Some("dynamodb") | Some("kinesis"))
        && super::truthy(stream, "type").is_none()
    {
        diags.push(
            Diag::warning(
                &STREAM_TYPE,
                format!(
                    "this is not a DynamoDB or Kinesis stream ARN (its service is `{}`)",
                    stream_type.as_deref().unwrap_or_default()
                ),
            )
            .label(arn.span, "read as a Kinesis stream")
            .help("stream events read DynamoDB and Kinesis streams (an SQS queue is an `sqs` event); the framework gives the function Kinesis permissions on this ARN"),
        );
    }
    Some(Source {
        arn,
        stream_type,
        name,
    })
}

/// The schema's ranges and values (warnings).
fn check_options(o: &Node, diags: &mut Diags) {
    super::check_keys(
        diags,
        o,
        &KEYS,
        "a function `stream` event",
        "the framework ignores it",
    );
    fn_common::check_enum(diags, o, "type", &["dynamodb", "kinesis"]);
    fn_common::check_integer(diags, o, "batchSize", (1.0, 10000.0), &[]);
    fn_common::check_integer(diags, o, "parallelizationFactor", (1.0, 10.0), &[]);
    fn_common::check_enum(
        diags,
        o,
        "startingPosition",
        &["LATEST", "TRIM_HORIZON", "AT_TIMESTAMP"],
    );
    fn_common::check_integer(diags, o, "batchWindow", (0.0, 300.0), &[]);
    fn_common::check_integer(diags, o, "maximumRetryAttempts", (-1.0, 10000.0), &[]);
    fn_common::check_integer(
        diags,
        o,
        "maximumRecordAgeInSeconds",
        (60.0, 604800.0),
        &[-1.0],
    );
    fn_common::check_enum(
        diags,
        o,
        "functionResponseType",
        &["ReportBatchItemFailures"],
    );
    fn_common::check_integer(diags, o, "tumblingWindowInSeconds", (0.0, 900.0), &[]);
}

/// `startingPosition: AT_TIMESTAMP` needs `startingPositionTimestamp`, which the framework
/// only writes for a Kinesis consumer (and only then requires). Returns false after an error.
fn check_starting_position(
    fkey: &str,
    stream: &Node,
    via_consumer: bool,
    diags: &mut Diags,
) -> bool {
    let at_timestamp =
        stream.get("startingPosition").and_then(Node::as_str) == Some("AT_TIMESTAMP");
    let timestamp = super::truthy(stream, "startingPositionTimestamp");
    let position_span = super::key_span(stream, "startingPosition");
    match (via_consumer, at_timestamp, timestamp) {
        (true, true, None) => {
            diags.push(
                Diag::error(
                    &STARTING_POSITION_TIMESTAMP,
                    format!("stream event of function `{fkey}` starts AT_TIMESTAMP without `startingPositionTimestamp`"),
                )
                .label(position_span, "needs `startingPositionTimestamp`")
                .help("add `startingPositionTimestamp: <epoch seconds>` (the framework refuses this too)"),
            );
            false
        }
        (false, true, _) => {
            let mut d = Diag::warning(
                &STARTING_POSITION_TIMESTAMP,
                "the framework writes `startingPositionTimestamp` only for Kinesis streams read through a `consumer`",
            )
            .label(position_span, "AT_TIMESTAMP without a timestamp in the mapping");
            if let Some(ts) = timestamp {
                d = d.secondary(ts.span, "dropped by the framework");
            }
            diags.push(d.help(
                "Lambda requires `StartingPositionTimestamp` with AT_TIMESTAMP, so this mapping fails to deploy as the framework writes it (slsx writes the same); read the Kinesis stream through `consumer: true`, or start at LATEST or TRIM_HORIZON",
            ));
            true
        }
        (false, false, Some(ts)) => {
            diags.push(
                Diag::warning(
                    &STARTING_POSITION_TIMESTAMP,
                    "`startingPositionTimestamp` is ignored here",
                )
                .label(ts.span, "dropped by the framework")
                .help("the framework writes it only for Kinesis streams read through a `consumer` with `startingPosition: AT_TIMESTAMP`"),
            );
            true
        }
        _ => true,
    }
}

/// `destinations.onFailure`: its ARN and whether it is SNS (`type`, else the ARN's third `:`
/// field; anything but `sns` counts as SQS). `Err` after an error.
fn destination(o: &Node, diags: &mut Diags) -> Result<Option<(Value, bool)>, ()> {
    let Some(d) = super::truthy(o, "destinations") else {
        return Ok(None);
    };
    let help = "write `destinations: {onFailure: arn:aws:sqs:…}` (an SQS queue or SNS topic ARN), or `onFailure: {arn: !GetAtt Dlq.Arn, type: sqs}`";
    let Some(on_failure) = d.get("onFailure").filter(|f| !f.is_null()) else {
        diags.push(
            Diag::error(&DESTINATION, "`destinations` has no `onFailure`")
                .label(d.span, "needs `onFailure`")
                .help(format!("{help} (the framework crashes without it)")),
        );
        return Err(());
    };
    super::check_keys(
        diags,
        d,
        &["onFailure"],
        "stream `destinations`",
        "the framework ignores it",
    );
    let (arn, declared) = match &on_failure.kind {
        Kind::Map(_) => {
            super::check_keys(
                diags,
                on_failure,
                &["arn", "type"],
                "an `onFailure` destination",
                "the framework ignores it",
            );
            fn_common::check_enum(diags, on_failure, "type", &["sns", "sqs"]);
            let Some(arn) = on_failure.get("arn").filter(|a| !a.is_null()) else {
                diags.push(
                    Diag::error(&DESTINATION, "the `onFailure` destination has no `arn`")
                        .label(on_failure.span, "needs `arn`")
                        .help(format!("{help}; without `arn` the framework writes an empty destination and grants access to nothing")),
                );
                return Err(());
            };
            (arn, super::truthy(on_failure, "type").map(js_to_string))
        }
        Kind::Seq(_) => {
            diags.push(
                Diag::error(&DESTINATION, "`onFailure` must be an ARN or a mapping")
                    .label(on_failure.span, "a list")
                    .help(help),
            );
            return Err(());
        }
        _ => (on_failure, None),
    };
    let kind = match (declared, arn.as_str()) {
        (Some(t), _) => t,
        (None, Some(s)) => s.split(':').nth(2).unwrap_or_default().to_string(),
        (None, None) => {
            diags.push(
                Diag::error(&DESTINATION, "an `onFailure` destination given as an intrinsic needs `type: sns` or `type: sqs`")
                    .label(arn.span, "the framework cannot tell the destination's type from this")
                    .help("write `onFailure: {arn: <intrinsic>, type: sqs}` (the framework crashes without the type)"),
            );
            return Err(());
        }
    };
    if kind != "sns" && kind != "sqs" && super::truthy(on_failure, "type").is_none() {
        diags.push(
            Diag::warning(
                &DESTINATION,
                format!("the failure destination is neither an SNS topic nor an SQS queue (its service is `{kind}`)"),
            )
            .label(arn.span, "the framework grants `sqs:SendMessage` on it")
            .help("stream failure destinations are SNS topics or SQS queues; give one of those ARNs"),
        );
    }
    Ok(Some((arn.to_json(), kind == "sns")))
}
