//! Function `sns` events, as the framework's `AwsCompileSNSEvents` writes them.
//!
//! A topic is existing when given by ARN (`sns: arn:…`, or `arn:` — a string or an intrinsic,
//! then with `topicName`), else created by name (`sns: <name>`, `topicName:`):
//! - existing: the subscription `<NF>SnsSubscription<alnum(topic)>` (with `Region` when an `arn:`
//!   string names another region than the stage's), merged into an existing one of that ID;
//! - created: `SNSTopic<alnum(topic)>` once (the first event's `displayName` wins), with the
//!   subscription inline in its `Subscription` list — or, with `filterPolicy` or
//!   `redrivePolicy`, as its own `<NF>SnsSubscription<alnum(topic)>`;
//! - always the permission `<NF>LambdaPermission<alnum(topic)>SNS`.
//!
//! `redrivePolicy` (a dead-letter queue by ARN, logical ID or exports) also writes the queue
//! policy `<alnum(topic)>To<NF>DLQPolicy`, replacing one of that ID. Its condition names the
//! topic's ARN — which, for a created topic, the framework has not computed yet: it writes an
//! empty `ArnEquals`, and slsx does the same with a warning.

use serde_json::{Map, Value, json};

use super::fn_common::{self, Seen};
use crate::compile::{Ctx, Template, naming};
use crate::declare_codes;
use crate::diagnostics::{Diag, Diags};
use crate::source::Span;
use crate::yaml::{Kind, Node, js_to_string};

declare_codes! { CODES;
    INVALID = "slsx::fn-sns::invalid", "A function `sns` event without a topic the framework can use (it crashes on it).";
    MISSING_TOPIC_NAME = "slsx::fn-sns::missing-topic-name", "A function `sns` topic given as an intrinsic `arn` without `topicName` (SNS_MISSING_TOPIC_NAME).";
    TOPIC_NAME = "slsx::fn-sns::topic-name", "A function `sns` topic name SNS does not accept.";
    REDRIVE_POLICY = "slsx::fn-sns::redrive-policy", "A function `sns` `redrivePolicy` the framework cannot use (it crashes, or writes an unusable target).";
    DLQ_CONDITION = "slsx::fn-sns::dlq-condition", "The dead-letter queue policy of a topic the framework creates: its `aws:SourceArn` condition is written empty.";
    IGNORED_OPTION = "slsx::fn-sns::ignored-option", "A function `sns` option that has no effect in this form of the event.";
}

/// The options of the object form (the framework's schema).
const KEYS: [&str; 6] = [
    "arn",
    "topicName",
    "displayName",
    "filterPolicy",
    "filterPolicyScope",
    "redrivePolicy",
];

const HELP: &str = "write `sns: <topic name>` (the framework creates the topic), `sns: arn:aws:sns:<region>:<account>:<topic>` (an existing topic), or a mapping with `topicName:` and/or `arn:` and options";

/// The topic as the framework reads it.
struct Topic {
    /// The existing topic's ARN (`None`: the framework creates the topic).
    arn: Option<Value>,
    name: String,
    /// `Region` of the subscription: the ARN's region when it is not the stage's.
    region: Option<String>,
}

/// Compiles these events into the template.
pub fn compile(ctx: &Ctx, t: &mut Template, diags: &mut Diags) {
    let mut seen = Seen::default();
    for (fkey, f) in ctx.functions() {
        for event in super::events_of(f, "sns") {
            let sns = event.value;
            let event_span = event.key;
            let Some(topic) = topic(ctx, fkey, sns, diags) else {
                continue;
            };
            let object = sns.as_map().map(|_| sns);
            if let Some(o) = object {
                super::check_keys(
                    diags,
                    o,
                    &KEYS,
                    "a function `sns` event",
                    "the framework ignores it",
                );
                check_options(o, &topic, diags);
            }
            let Ok(redrive) = object.map_or(Ok(None), |o| redrive_policy(o, diags)) else {
                continue;
            };
            let opt = |k: &str| object.and_then(|o| o.get(k)).map(Node::to_json);
            let endpoint = fn_common::lambda_arn(ctx, fkey);
            let subscription_id = naming::lambda_sns_subscription_logical_id(fkey, &topic.name);

            let mut redrive_value = None;
            if let Some(r) = redrive {
                let policy_id = naming::topic_dlq_policy_logical_id(fkey, &topic.name);
                let mut condition = Map::new();
                match &topic.arn {
                    Some(a) => {
                        condition.insert("aws:SourceArn".into(), a.clone());
                    }
                    None => diags.push(
                        Diag::warning(
                            &DLQ_CONDITION,
                            format!("the framework writes the policy of this dead-letter queue with an empty `aws:SourceArn` condition (`{policy_id}`)"),
                        )
                        .label(super::key_span(sns, "redrivePolicy"), "the queue policy's condition has no topic ARN")
                        .help("for a topic it creates, the framework builds the condition before the topic's ARN, so the policy reads `Condition: {ArnEquals: {}}` and does not limit which topic may send to the queue (slsx writes the same). Give the topic by `arn:` (e.g. a topic in `resources`), or write the queue policy yourself"),
                    ),
                }
                t.resources_mut().insert(
                    policy_id.clone(),
                    json!({
                        "Type": "AWS::SQS::QueuePolicy",
                        "Properties": {
                            "PolicyDocument": {
                                "Version": "2012-10-17",
                                "Id": policy_id,
                                "Statement": [{
                                    "Effect": "Allow",
                                    "Principal": {"Service": "sns.amazonaws.com"},
                                    "Action": "sqs:SendMessage",
                                    "Resource": r.target_arn,
                                    "Condition": {"ArnEquals": condition},
                                }],
                            },
                            "Queues": [r.target_url],
                        },
                    }),
                );
                redrive_value = Some(json!({"deadLetterTargetArn": r.target_arn}));
            }

            let source_arn = match &topic.arn {
                Some(arn) => {
                    seen.check(&subscription_id, event_span, "subscription", diags);
                    let props = super::object(vec![
                        ("TopicArn", Some(arn.clone())),
                        ("Protocol", Some(json!("lambda"))),
                        ("Endpoint", Some(endpoint.clone())),
                        ("FilterPolicy", opt("filterPolicy")),
                        ("FilterPolicyScope", opt("filterPolicyScope")),
                        ("RedrivePolicy", redrive_value),
                        ("Region", topic.region.clone().map(Value::String)),
                    ]);
                    let mut subscription =
                        json!({"Type": "AWS::SNS::Subscription", "Properties": props});
                    crate::compile::aliases::depend_on_alias(ctx, fkey, &mut subscription);
                    t.merge_resource(&subscription_id, subscription);
                    arn.clone()
                }
                None => {
                    let topic_id = naming::topic_logical_id(&topic.name);
                    if !t.has_resource(&topic_id) {
                        let display = object
                            .and_then(|o| super::truthy(o, "displayName"))
                            .map(Node::to_json);
                        let props = super::object(vec![
                            ("TopicName", Some(Value::String(topic.name.clone()))),
                            ("DisplayName", display),
                        ]);
                        let mut topic = json!({"Type": "AWS::SNS::Topic", "Properties": props});
                        crate::compile::aliases::depend_on_alias(ctx, fkey, &mut topic);
                        t.merge_resource(&topic_id, topic);
                    }
                    let filter = object.and_then(|o| super::truthy(o, "filterPolicy"));
                    if filter.is_some() || redrive_value.is_some() {
                        seen.check(&subscription_id, event_span, "subscription", diags);
                        let props = super::object(vec![
                            ("Endpoint", Some(endpoint.clone())),
                            ("Protocol", Some(json!("lambda"))),
                            ("TopicArn", Some(json!({"Ref": topic_id}))),
                            ("FilterPolicy", opt("filterPolicy")),
                            ("FilterPolicyScope", opt("filterPolicyScope")),
                            ("RedrivePolicy", redrive_value),
                        ]);
                        t.merge_resource(
                            &subscription_id,
                            json!({"Type": "AWS::SNS::Subscription", "Properties": props}),
                        );
                    } else {
                        add_inline_subscription(t, &topic_id, &endpoint);
                    }
                    json!({"Fn::Join": ["", [
                        "arn:",
                        {"Ref": "AWS::Partition"},
                        ":sns:",
                        {"Ref": "AWS::Region"},
                        ":",
                        {"Ref": "AWS::AccountId"},
                        ":",
                        topic.name,
                    ]]})
                }
            };
            t.merge_resource(
                &naming::lambda_sns_permission_logical_id(fkey, &topic.name),
                fn_common::invoke_permission(ctx, fkey, "sns.amazonaws.com", Some(source_arn)),
            );
        }
    }
}

/// Appends `{Endpoint, Protocol: lambda}` to the created topic's `Subscription` list.
fn add_inline_subscription(t: &mut Template, topic_id: &str, endpoint: &Value) {
    let Some(props) = t
        .resources_mut()
        .get_mut(topic_id)
        .and_then(|r| r.get_mut("Properties"))
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let list = props
        .entry("Subscription")
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Some(items) = list.as_array_mut() {
        items.push(json!({"Endpoint": endpoint, "Protocol": "lambda"}));
    }
}

fn topic(ctx: &Ctx, fkey: &str, sns: &Node, diags: &mut Diags) -> Option<Topic> {
    match &sns.kind {
        Kind::String(s) if s.starts_with("arn:") => Some(Topic {
            arn: Some(sns.to_json()),
            name: s.rsplit(':').next().unwrap_or_default().to_string(),
            region: None,
        }),
        Kind::String(s) => {
            check_topic_name(sns, diags);
            Some(Topic {
                arn: None,
                name: s.to_string(),
                region: None,
            })
        }
        Kind::Map(_) => {
            let topic_name = super::truthy(sns, "topicName");
            let Some(arn) = super::truthy(sns, "arn") else {
                let Some(n) = topic_name else {
                    diags.push(
                        Diag::error(
                            &INVALID,
                            format!(
                                "sns event of function `{fkey}` has neither `arn` nor `topicName`"
                            ),
                        )
                        .label(sns.span, "which topic?")
                        .help(HELP),
                    );
                    return None;
                };
                check_topic_name(n, diags);
                return Some(Topic {
                    arn: None,
                    name: js_to_string(n),
                    region: None,
                });
            };
            let (from_arn, region) = match arn.as_str() {
                Some(s) => {
                    fn_common::check_arn(arn, "topic", diags);
                    let parts = split_arn(s);
                    let region = parts
                        .get(3)
                        .filter(|r| **r != ctx.region)
                        .map(|r| r.to_string());
                    (parts.last().map(|p| p.to_string()), region)
                }
                None => (None, None),
            };
            let name = topic_name
                .map(js_to_string)
                .or(from_arn.filter(|n| !n.is_empty()));
            let Some(name) = name else {
                diags.push(
                    Diag::error(
                        &MISSING_TOPIC_NAME,
                        "missing `topicName`: it is needed when `arn` is not a plain ARN string",
                    )
                    .label(arn.span, "the framework cannot take the topic's name from this")
                    .help("add `topicName: <the topic's name>` (it names the subscription and permission resources); the framework refuses this too (SNS_MISSING_TOPIC_NAME)"),
                );
                return None;
            };
            Some(Topic {
                arn: Some(arn.to_json()),
                name,
                region,
            })
        }
        _ => {
            diags.push(
                Diag::error(
                    &INVALID,
                    format!("sns event of function `{fkey}` is neither a topic nor a mapping"),
                )
                .label(sns.span, super::a_kind(sns))
                .help(HELP),
            );
            None
        }
    }
}

/// The framework's split of a topic ARN on single `:` only (a `::` stays inside a field:
/// `arn:aws:sns::123:t` → `arn`, `aws`, `sns::123`, `t`).
fn split_arn(s: &str) -> Vec<String> {
    s.replace("::", "@@")
        .split(':')
        .map(|p| p.replace("@@", "::"))
        .collect()
}

/// A topic the framework creates: SNS names are 1 to 256 letters, digits, `-` and `_`.
fn check_topic_name(n: &Node, diags: &mut Diags) {
    let s = js_to_string(n);
    let ok = n.as_str().is_some()
        && !s.is_empty()
        && naming::js_length(&s) <= 256
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !ok {
        diags.push(
            Diag::warning(&TOPIC_NAME, format!("`{s}` is not a valid SNS topic name"))
                .label(n.span, "the framework creates a topic of this name")
                .help("topic names are 1 to 256 letters, digits, `-` and `_` (a FIFO topic's `.fifo` is not supported by the framework's sns events); the framework's schema only warns, and CloudFormation rejects the topic. For an existing topic, give its ARN"),
        );
    }
}

/// Options that do nothing in this form of the event.
fn check_options(o: &Node, topic: &Topic, diags: &mut Diags) {
    if topic.arn.is_some()
        && let Some(d) = o.get("displayName")
    {
        diags.push(
            Diag::warning(
                &IGNORED_OPTION,
                "`displayName` only applies to topics the framework creates",
            )
            .label(
                super::key_span(o, "displayName"),
                "ignored for a topic given by `arn`",
            )
            .help(format!(
                "set the display name on the existing topic itself, or remove `displayName` (`{}`)",
                js_to_string(d)
            )),
        );
    }
    if o.get("filterPolicyScope").is_some_and(Node::is_truthy)
        && o.get("filterPolicy").is_none_or(|f| !f.is_truthy())
    {
        diags.push(
            Diag::warning(&IGNORED_OPTION, "`filterPolicyScope` without `filterPolicy`")
                .label(super::key_span(o, "filterPolicyScope"), "scopes no filter policy")
                .help("add the `filterPolicy` it applies to, or remove it; for a topic the framework creates it is dropped altogether"),
        );
    }
    if let Some(fp) = o.get("filterPolicy").filter(|f| f.is_truthy())
        && fp.as_map().is_none()
    {
        diags.push(
            Diag::warning(&fn_common::SCHEMA, "`filterPolicy` must be a mapping")
                .label(fp.span, super::a_kind(fp))
                .help("write the filter policy as a mapping, e.g. `filterPolicy: {kind: [order]}`; the framework writes the value as it is and CloudFormation rejects it"),
        );
    }
}

/// The dead-letter queue of a subscription.
struct Redrive {
    target_arn: Value,
    target_url: Value,
}

/// `redrivePolicy`: by ARN (URL built from its fields), by logical ID (`Fn::GetAtt`/`Ref`), or
/// by the exports of its ARN and URL. `Err` after an error.
fn redrive_policy(o: &Node, diags: &mut Diags) -> Result<Option<Redrive>, ()> {
    let Some(r) = super::truthy(o, "redrivePolicy") else {
        return Ok(None);
    };
    let help = "give the dead-letter queue as `deadLetterTargetArn: arn:aws:sqs:…`, `deadLetterTargetRef: <queue logical ID>`, or `deadLetterTargetImport: {arn: <export>, url: <export>}`";
    const TARGETS: [&str; 3] = [
        "deadLetterTargetArn",
        "deadLetterTargetRef",
        "deadLetterTargetImport",
    ];
    super::check_keys(
        diags,
        r,
        &TARGETS,
        "an sns `redrivePolicy`",
        "the framework ignores it",
    );
    let given: Vec<&str> = TARGETS
        .iter()
        .copied()
        .filter(|k| super::truthy(r, k).is_some())
        .collect();
    if given.len() > 1 {
        let mut d = Diag::warning(
            &REDRIVE_POLICY,
            format!(
                "`redrivePolicy` names more than one dead-letter queue; the framework uses `{}`",
                given[0]
            ),
        )
        .label(super::key_span(r, given[1]), "ignored");
        for k in &given[2..] {
            d = d.secondary(super::key_span(r, k), "ignored");
        }
        diags.push(d.help(
            "keep one of `deadLetterTargetArn`, `deadLetterTargetRef`, `deadLetterTargetImport`",
        ));
    }
    let bad = |diags: &mut Diags, span: Span, msg: &str| {
        diags.push(
            Diag::error(&REDRIVE_POLICY, msg.to_string())
                .label(span, "the framework cannot use this")
                .help(help),
        );
        Err(())
    };
    match given.first().copied() {
        Some("deadLetterTargetArn") => {
            let a = super::truthy(r, "deadLetterTargetArn").unwrap_or(r);
            let Some(s) = a.as_str() else {
                return bad(
                    diags,
                    a.span,
                    "`deadLetterTargetArn` must be the queue's ARN string (the framework splits it to build the queue URL)",
                );
            };
            let mut rev = s.split(':').rev();
            let (name, account, region) = (rev.next(), rev.next(), rev.next());
            let (Some(name), Some(account), Some(region)) = (name, account, region) else {
                return bad(
                    diags,
                    a.span,
                    "`deadLetterTargetArn` is not an SQS queue ARN (`arn:aws:sqs:<region>:<account>:<queue>`)",
                );
            };
            fn_common::check_arn(a, "queue", diags);
            Ok(Some(Redrive {
                target_arn: a.to_json(),
                target_url: json!({"Fn::Join": ["", [
                    format!("https://sqs.{region}."),
                    {"Ref": "AWS::URLSuffix"},
                    format!("/{account}/{name}"),
                ]]}),
            }))
        }
        Some("deadLetterTargetRef") => {
            let id = super::truthy(r, "deadLetterTargetRef").map(Node::to_json);
            Ok(Some(Redrive {
                target_arn: json!({"Fn::GetAtt": [id, "Arn"]}),
                target_url: json!({"Ref": id}),
            }))
        }
        Some(_) => {
            let imp = super::truthy(r, "deadLetterTargetImport").unwrap_or(r);
            let (Some(arn), Some(url)) = (
                imp.get("arn").filter(|v| !v.is_null()),
                imp.get("url").filter(|v| !v.is_null()),
            ) else {
                return bad(
                    diags,
                    imp.span,
                    "`deadLetterTargetImport` needs both `arn` and `url` (the names of the exports)",
                );
            };
            Ok(Some(Redrive {
                target_arn: json!({"Fn::ImportValue": arn.to_json()}),
                target_url: json!({"Fn::ImportValue": url.to_json()}),
            }))
        }
        None => bad(diags, r.span, "`redrivePolicy` names no dead-letter queue"),
    }
}
