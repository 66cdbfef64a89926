//! Function `sqs` events, as the framework's `AwsCompileSQSEvents` writes them.
//!
//! Each event becomes an `AWS::Lambda::EventSourceMapping`
//! `<NF>EventSourceMappingSQS<alnum(queueName)>` (merged into an existing one of that ID),
//! `DependsOn` the function's role resource ([`fn_common::mapping_depends_on`]). The queue
//! name comes from the ARN's last `:` field, or from the intrinsic (`Fn::GetAtt` resource,
//! `Fn::ImportValue` export, last `Fn::Join` item). After all functions, one statement allows
//! `sqs:ReceiveMessage`, `sqs:DeleteMessage`, `sqs:GetQueueAttributes` on every queue, in
//! event order (repeats kept), on `IamRoleLambdaExecution` when the template has it.

use serde_json::{Map, Value};

use super::fn_common::{self, Seen};
use crate::compile::{Ctx, Template, naming};
use crate::declare_codes;
use crate::diagnostics::Diags;
use crate::yaml::{Kind, Node, js_to_string};

declare_codes! { CODES;
    INVALID = "slsx::fn-sqs::invalid", "A function `sqs` event without a usable queue ARN (the framework crashes on it).";
}

/// The options of the object form (the framework's schema).
const KEYS: [&str; 7] = [
    "arn",
    "batchSize",
    "enabled",
    "maximumBatchingWindow",
    "functionResponseType",
    "filterPatterns",
    "maximumConcurrency",
];

const HELP: &str = "write `sqs: arn:aws:sqs:<region>:<account>:<queue>`, or a mapping with `arn:` (an ARN, or `!GetAtt <Queue>.Arn`, `!ImportValue <export>`, `!Join [':', [..., <queue>]]`) and options";

/// Compiles these events into the template.
pub fn compile(ctx: &Ctx, t: &mut Template, diags: &mut Diags) {
    let mut queues: Vec<Value> = Vec::new();
    let mut seen = Seen::default();
    for (fkey, f) in ctx.functions() {
        for event in super::events_of(f, "sqs") {
            let sqs = event.value;
            let event_span = event.key;
            let Some((arn, queue_name)) = queue(fkey, sqs, diags) else {
                continue;
            };
            let object = sqs.as_map().map(|_| sqs);
            let mut props = Map::new();
            let mut ok = true;
            if let Some(o) = object {
                super::check_keys(
                    diags,
                    o,
                    &KEYS,
                    "a function `sqs` event",
                    "the framework ignores it",
                );
                fn_common::check_integer(diags, o, "batchSize", (1.0, 10000.0), &[]);
                fn_common::check_integer(diags, o, "maximumBatchingWindow", (0.0, 300.0), &[]);
                fn_common::check_integer(diags, o, "maximumConcurrency", (2.0, 1000.0), &[]);
                fn_common::check_enum(
                    diags,
                    o,
                    "functionResponseType",
                    &["ReportBatchItemFailures"],
                );
            }
            let opt = |k: &str| object.and_then(|o| o.get(k));
            props.insert(
                "BatchSize".into(),
                opt("batchSize")
                    .filter(|b| b.is_truthy())
                    .map(Node::to_json)
                    .unwrap_or(Value::from(10)),
            );
            if let Some(w) = opt("maximumBatchingWindow").filter(|w| !w.is_null()) {
                props.insert("MaximumBatchingWindowInSeconds".into(), w.to_json());
            }
            props.insert("EventSourceArn".into(), arn.to_json());
            props.insert("FunctionName".into(), fn_common::lambda_arn(ctx, fkey));
            props.insert(
                "Enabled".into(),
                opt("enabled")
                    .map(Node::to_json)
                    .unwrap_or(Value::Bool(true)),
            );
            if let Some(r) = opt("functionResponseType").filter(|r| !r.is_null()) {
                props.insert(
                    "FunctionResponseTypes".into(),
                    Value::Array(vec![r.to_json()]),
                );
            }
            if let Some(o) = object {
                match fn_common::filter_criteria(o, diags) {
                    Ok(Some(fc)) => {
                        props.insert("FilterCriteria".into(), fc);
                    }
                    Ok(None) => {}
                    Err(()) => ok = false,
                }
            }
            if let Some(c) = opt("maximumConcurrency").filter(|c| c.is_truthy()) {
                props.insert(
                    "ScalingConfig".into(),
                    serde_json::json!({"MaximumConcurrency": c.to_json()}),
                );
            }
            if !ok {
                continue;
            }
            let depends = fn_common::mapping_depends_on(ctx, t, fkey, f, event_span, diags);
            let id = naming::queue_logical_id(fkey, &queue_name);
            seen.check(&id, event_span, "event source mapping", diags);
            queues.push(arn.to_json());
            t.merge_resource(
                &id,
                serde_json::json!({
                    "Type": "AWS::Lambda::EventSourceMapping",
                    "DependsOn": depends,
                    "Properties": props,
                }),
            );
        }
    }
    if !queues.is_empty() {
        fn_common::add_role_statement(
            t,
            fn_common::allow(
                &[
                    "sqs:ReceiveMessage",
                    "sqs:DeleteMessage",
                    "sqs:GetQueueAttributes",
                ],
                queues,
            ),
        );
    }
}

/// The queue ARN node and the queue name the logical ID takes (`None` after an error).
fn queue<'a>(fkey: &str, sqs: &'a Node, diags: &mut Diags) -> Option<(&'a Node, String)> {
    let event = fn_common::SourceEvent {
        kind: "sqs",
        source: "queue",
        code: &INVALID,
        help: HELP,
    };
    let arn = fn_common::source_arn(&event, fkey, sqs, diags)?;
    match &arn.kind {
        Kind::Map(_) => match fn_common::intrinsic_source_name(arn, false) {
            Some(Ok((_, name))) => Some((arn, name)),
            Some(Err(why)) => {
                diags.push(fn_common::unnamed_source(
                    arn.span,
                    "queue",
                    &why,
                    "`!GetAtt <Queue>.Arn`, `!ImportValue <export name>`, `!Join [':', [..., <queue name>]]` or a plain ARN",
                ));
                None
            }
            None => None,
        },
        _ => {
            fn_common::check_arn(arn, "queue", diags);
            let s = js_to_string(arn);
            Some((arn, s.rsplit(':').next().unwrap_or_default().to_string()))
        }
    }
}
