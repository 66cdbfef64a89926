//! `compileNotifications`: EventBridge rules on a machine's execution status changes, their
//! targets' permissions and the notifications role (spec §2.6).

use serde_json::{Map, Value};

use super::schema::{ArnRule, Problems, arn_problem, joi_string};
use super::{Ctx, Machine, Template, js};
use crate::compile::naming;
use crate::declare_codes;
use crate::diagnostics::{Diag, Diags, Severity};
use crate::emit::json::to_compact;
use crate::source::Span;
use crate::yaml::{Kind, Node};

declare_codes! { CODES;
    MALFORMED = "slsx::notifications::malformed", "A `notifications` block the plugin's schema rejects: the machine gets no notifications.";
    EXPRESS = "slsx::notifications::express", "`notifications` on an EXPRESS machine, which the plugin skips.";
    NO_TARGET = "slsx::notifications::no-target", "A notification target without `sns`, `sqs`, `kinesis`, `firehose`, `lambda` or `stepFunctions` (the plugin crashes).";
    SEVERAL_TARGETS = "slsx::notifications::several-targets", "A notification target naming several target types; the plugin uses only the first.";
    SQS_ARN = "slsx::notifications::sqs-arn", "An SQS target whose ARN cannot be turned into a queue URL (the plugin aborts).";
}

const STATUSES: [&str; 5] = ["ABORTED", "FAILED", "RUNNING", "SUCCEEDED", "TIMED_OUT"];
const TYPES: [&str; 6] = [
    "sns",
    "sqs",
    "kinesis",
    "firehose",
    "lambda",
    "stepFunctions",
];

const TARGET_ARN: ArnRule = ArnRule {
    prefix: None,
    import_value: false,
    sub: false,
};

/// Compiles the notifications of every machine, then merges topic / queue policies that
/// target the same topics / queues.
pub fn compile(ctx: &Ctx, machines: &[Machine], t: &mut Template, diags: &mut Diags) {
    let mut pairs: Vec<(String, Value)> = Vec::new();
    for m in machines {
        let Some(n) = m.get("notifications") else {
            continue;
        };
        if !matches!(n.kind, Kind::Map(_) | Kind::Seq(_)) {
            continue;
        }
        if m.get("type").and_then(Node::as_str) == Some("EXPRESS") {
            diags.push(
                Diag::warning(
                    &EXPRESS,
                    format!("state machine `{}` is EXPRESS: its notifications are skipped", m.key),
                )
                .label(m.key_span_of("notifications"), "no rule or permission is created for these")
                .help("Step Functions sends status-change events for STANDARD workflows only; remove `notifications` or use `type: STANDARD`"),
            );
            continue;
        }
        if !check(m, n, diags) {
            continue;
        }
        if let Some(p) = machine_resources(ctx, m, n, t, diags) {
            pairs.extend(p);
        }
    }
    for (id, r) in merge_policies(pairs) {
        t.merge_resource(&id, r);
    }
}

fn check(m: &Machine, n: &Node, diags: &mut Diags) -> bool {
    let path = format!("{}.notifications", m.key);
    let mut p = Problems::default();
    match n.as_map() {
        None => p.bad(
            n.span,
            format!("`{path}` must be an object"),
            "found a list",
        ),
        Some(map) => {
            p.unknown_keys(&path, n, &STATUSES);
            for (status, e) in map.iter() {
                if !STATUSES.contains(&status.as_str()) {
                    continue;
                }
                let sp = format!("{path}.{status}");
                let Some(targets) = e.value.as_seq() else {
                    p.bad(
                        e.value.span,
                        format!("`{sp}` must be a list of targets"),
                        "not a list",
                    );
                    continue;
                };
                for (i, tg) in targets.iter().enumerate() {
                    check_target(&format!("{sp}[{i}]"), tg, &mut p);
                }
            }
        }
    }
    let ok = p.list.is_empty();
    p.emit(
        diags,
        Severity::Warning,
        &MALFORMED,
        "the plugin logs \"notifications config is malformed\" and creates no notification for this state machine",
    );
    ok
}

fn check_target(path: &str, tg: &Node, p: &mut Problems) {
    let Some(m) = tg.as_map() else {
        p.bad(
            tg.span,
            format!("`{path}` must be an object"),
            "not a target",
        );
        return;
    };
    let mut allowed: Vec<&str> = TYPES.to_vec();
    allowed.extend(["inputPath", "inputTransformer"]);
    p.unknown_keys(path, tg, &allowed);
    let arn = |p: &mut Problems, k: &str, v: &Node| {
        if let Some(why) = arn_problem(v, TARGET_ARN) {
            p.bad(v.span, format!("`{path}.{k}` is not a valid ARN"), why);
        }
    };
    for k in ["sns", "firehose", "lambda", "stepFunctions"] {
        if let Some(v) = m.get(k) {
            arn(p, k, v);
        }
    }
    if let Some(v) = m.get("sqs") {
        match v.as_map() {
            Some(o) if o.contains_key("arn") => {
                p.unknown_keys(&format!("{path}.sqs"), v, &["arn", "messageGroupId"]);
                if let Some(a) = o.get("arn") {
                    arn(p, "sqs.arn", a);
                }
                match o.get("messageGroupId") {
                    Some(g) if joi_string(g) => {}
                    Some(g) => p.bad(
                        g.span,
                        format!("`{path}.sqs.messageGroupId` must be a non-empty string"),
                        "not a string",
                    ),
                    None => p.bad(
                        v.span,
                        format!("`{path}.sqs.messageGroupId` is required with `arn`"),
                        "no `messageGroupId`",
                    ),
                }
            }
            _ => arn(p, "sqs", v),
        }
    }
    if let Some(v) = m.get("kinesis") {
        match v.as_map() {
            Some(o) if o.contains_key("arn") => {
                p.unknown_keys(&format!("{path}.kinesis"), v, &["arn", "partitionKeyPath"]);
                if let Some(a) = o.get("arn") {
                    arn(p, "kinesis.arn", a);
                }
                if let Some(k) = o.get("partitionKeyPath")
                    && !joi_string(k)
                {
                    p.bad(
                        k.span,
                        format!("`{path}.kinesis.partitionKeyPath` must be a non-empty string"),
                        "not a string",
                    );
                }
            }
            _ => arn(p, "kinesis", v),
        }
    }
    if let Some(v) = m.get("inputPath")
        && !joi_string(v)
    {
        p.bad(
            v.span,
            format!("`{path}.inputPath` must be a non-empty string"),
            "not a string",
        );
    }
    if let Some(v) = m.get("inputTransformer") {
        match v.as_map() {
            None => p.bad(
                v.span,
                format!("`{path}.inputTransformer` must be an object"),
                "not an object",
            ),
            Some(o) => {
                let tp = format!("{path}.inputTransformer");
                p.unknown_keys(&tp, v, &["inputPathsMap", "inputTemplate"]);
                match o.get("inputTemplate") {
                    Some(x) if joi_string(x) => {}
                    Some(x) => p.bad(
                        x.span,
                        format!("`{tp}.inputTemplate` must be a non-empty string"),
                        "not a string",
                    ),
                    None => p.bad(
                        v.span,
                        format!("`{tp}.inputTemplate` is required"),
                        "no `inputTemplate`",
                    ),
                }
                if let Some(pm) = o.get("inputPathsMap") {
                    match pm.as_map() {
                        None => p.bad(
                            pm.span,
                            format!("`{tp}.inputPathsMap` must be an object"),
                            "not an object",
                        ),
                        Some(pmm) => {
                            for (k, e) in pmm.iter() {
                                if !joi_string(&e.value) {
                                    p.bad(
                                        e.value.span,
                                        format!(
                                            "`{tp}.inputPathsMap.{k}` must be a non-empty string"
                                        ),
                                        "not a string",
                                    );
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `normalizeIntrinsicRefs`: every object with a truthy `Ref` or `Fn::GetAtt` goes through
/// `translateLocalFunctionNames`.
fn normalize_refs(ctx: &Ctx, t: &Template, v: &Value) -> Value {
    match v {
        Value::Array(a) => Value::Array(a.iter().map(|x| normalize_refs(ctx, t, x)).collect()),
        Value::Object(o) => {
            if js::truthy(o.get("Ref")) || js::truthy(o.get("Fn::GetAtt")) {
                // a GetAtt the plugin cannot destructure was reported by `check_getatts`
                super::translate_local_function_names(ctx, t, v).unwrap_or_else(|_| v.clone())
            } else {
                Value::Object(
                    o.iter()
                        .map(|(k, x)| (k.clone(), normalize_refs(ctx, t, x)))
                        .collect(),
                )
            }
        }
        other => other.clone(),
    }
}

fn md5_5(v: &Value) -> String {
    js::md5_hex(&to_compact(v))[..5].to_string()
}

/// `<STATUS>-<type>-<md5({action, resource})[0..5]>`
fn policy_name(status: &str, ty: &str, action: &str, resource: &Value) -> String {
    let h = md5_5(&js::obj([
        ("action", Value::from(action)),
        ("resource", resource.clone()),
    ]));
    naming::notifications_policy_name(status, ty, &h)
}

/// `generateTargetId`: `<smName>-<STATUS>-<md5({target: {Arn}, index})[0..5]>`
fn target_id(arn: &Value, index: usize, sm_name: &str, status: &str) -> String {
    let h = md5_5(&js::obj([
        ("target", js::obj([("Arn", arn.clone())])),
        ("index", Value::from(index)),
    ]));
    naming::notifications_target_id(sm_name, status, &h)
}

/// One target, translated, with where it was written.
struct Target {
    status: &'static str,
    ty: &'static str,
    value: Value,
    span: Span,
}

fn machine_resources(
    ctx: &Ctx,
    m: &Machine,
    n: &Node,
    t: &Template,
    diags: &mut Diags,
) -> Option<Vec<(String, Value)>> {
    if !super::check_getatts(n, super::Translated::NotificationTargets, diags) {
        return None;
    }
    let role_id = naming::notifications_role_logical_id(&m.logical_id);
    let mut targets: Vec<Target> = Vec::new();
    let mut ok = true;
    for status in STATUSES {
        for tg in n.get(status).and_then(Node::as_seq).unwrap_or_default() {
            let present: Vec<&'static str> = TYPES
                .iter()
                .copied()
                .filter(|k| tg.as_map().is_some_and(|o| o.contains_key(k)))
                .collect();
            let Some(ty) = present.first().copied() else {
                ok = false;
                diags.push(
                    Diag::error(&NO_TARGET, format!("a `{status}` notification target of `{}` names no target", m.key))
                        .label(tg.span, "expected one of `sns`, `sqs`, `kinesis`, `firehose`, `lambda`, `stepFunctions`")
                        .help("add the target's ARN under one of those keys (the plugin crashes on this target)"),
                );
                continue;
            };
            if present.len() > 1 {
                diags.push(
                    Diag::warning(
                        &SEVERAL_TARGETS,
                        format!(
                            "a `{status}` notification target of `{}` names {}",
                            m.key,
                            present.join(", ")
                        ),
                    )
                    .label(tg.span, format!("only `{ty}` is used"))
                    .help("write one list item per target"),
                );
            }
            targets.push(Target {
                status,
                ty,
                value: normalize_refs(ctx, t, &tg.to_json()),
                span: tg.span,
            });
        }
    }
    if !ok {
        return None;
    }

    let mut out: Vec<(String, Value)> = Vec::new();
    let mut policies: Vec<Value> = Vec::new();
    for (index, tg) in targets.iter().enumerate() {
        let v = &tg.value;
        let arn = |k: &str| v.get(k).cloned().unwrap_or(Value::Null);
        let policy_resource = match tg.ty {
            "sns" => {
                let a = arn("sns");
                Some(policy_doc(
                    "AWS::SNS::TopicPolicy",
                    tg.status,
                    "sns",
                    "sns:Publish",
                    a.clone(),
                    "Topics",
                    a,
                ))
            }
            "sqs" => {
                let a = match v.get("sqs") {
                    Some(Value::Object(o)) if o.contains_key("arn") => o["arn"].clone(),
                    other => other.cloned().unwrap_or(Value::Null),
                };
                let Some(url) = queue_url(&a) else {
                    diags.push(
                        Diag::error(&SQS_ARN, format!("cannot turn the SQS target ARN of `{}` into a queue URL", m.key))
                            .label(tg.span, "an SQS notification target needs an ARN string or `!GetAtt Queue.Arn`")
                            .help("write `sqs: !GetAtt MyQueue.Arn` (the plugin aborts with \"Unable to convert SQS ARN\")"),
                    );
                    return None;
                };
                Some(policy_doc(
                    "AWS::SQS::QueuePolicy",
                    tg.status,
                    "sqs",
                    "sqs:SendMessage",
                    a,
                    "Queues",
                    url,
                ))
            }
            "lambda" => Some(js::obj([
                ("Type", Value::from("AWS::Lambda::Permission")),
                (
                    "Properties",
                    js::obj([
                        ("Action", Value::from("lambda:InvokeFunction")),
                        ("FunctionName", arn("lambda")),
                        ("Principal", Value::from("events.amazonaws.com")),
                    ]),
                ),
            ])),
            ty => {
                let (action, resource) = match ty {
                    "kinesis" => (
                        "kinesis:PutRecord",
                        match v.get("kinesis") {
                            Some(Value::Object(o)) if o.contains_key("arn") => o["arn"].clone(),
                            other => other.cloned().unwrap_or(Value::Null),
                        },
                    ),
                    "firehose" => ("firehose:PutRecord", arn("firehose")),
                    _ => ("states:StartExecution", arn("stepFunctions")),
                };
                policies.push(js::obj([
                    (
                        "PolicyName",
                        Value::String(policy_name(tg.status, ty, action, &resource)),
                    ),
                    (
                        "PolicyDocument",
                        js::obj([
                            ("Version", Value::from("2012-10-17")),
                            (
                                "Statement",
                                Value::Array(vec![js::obj([
                                    ("Effect", Value::from("Allow")),
                                    ("Action", Value::from(action)),
                                    ("Resource", resource),
                                ])]),
                            ),
                        ]),
                    ),
                ]));
                None
            }
        };
        if let Some(r) = policy_resource {
            let h = md5_5(&js::obj([
                ("index", Value::from(index)),
                ("resource", r.clone()),
            ]));
            out.push((
                naming::notifications_policy_logical_id(&m.logical_id, &h),
                r,
            ));
        }
    }
    let has_role = !policies.is_empty();
    if has_role {
        let mut props = Map::new();
        props.insert(
            "AssumeRolePolicyDocument".into(),
            js::obj([(
                "Statement",
                js::obj([
                    ("Effect", Value::from("Allow")),
                    ("Action", Value::from("sts:AssumeRole")),
                    (
                        "Principal",
                        js::obj([("Service", Value::from("events.amazonaws.com"))]),
                    ),
                ]),
            )]),
        );
        props.insert("Policies".into(), Value::Array(policies));
        if let Some(p) = ctx
            .provider_at(&["iam", "role", "path"])
            .filter(|p| p.is_truthy())
        {
            props.insert("Path".into(), p.to_json());
        }
        out.push((
            role_id.clone(),
            js::obj([
                ("Type", Value::from("AWS::IAM::Role")),
                ("Properties", Value::Object(props)),
            ]),
        ));
    }

    for status in STATUSES {
        let list: Vec<&Target> = targets.iter().filter(|t| t.status == status).collect();
        if list.is_empty() {
            continue;
        }
        let cfn_targets: Vec<Value> = list
            .iter()
            .enumerate()
            .map(|(i, tg)| rule_target(tg, i, &m.name, &role_id))
            .collect();
        let mut props = Map::new();
        props.insert(
            "Description".into(),
            Value::String(format!(
                "[{status}] status notification for state machine [{}]",
                m.name
            )),
        );
        props.insert(
            "EventPattern".into(),
            js::obj([
                ("source", Value::Array(vec![Value::from("aws.states")])),
                (
                    "detail-type",
                    Value::Array(vec![Value::from("Step Functions Execution Status Change")]),
                ),
                (
                    "detail",
                    js::obj([
                        ("status", Value::Array(vec![Value::from(status)])),
                        (
                            "stateMachineArn",
                            Value::Array(vec![js::obj([(
                                "Ref",
                                Value::String(m.logical_id.clone()),
                            )])]),
                        ),
                    ]),
                ),
            ]),
        );
        props.insert(
            "Name".into(),
            Value::String(naming::notifications_rule_name(&m.name, status)),
        );
        if has_role {
            props.insert(
                "RoleArn".into(),
                js::obj([(
                    "Fn::GetAtt",
                    Value::Array(vec![Value::String(role_id.clone()), Value::from("Arn")]),
                )]),
            );
        }
        props.insert("Targets".into(), Value::Array(cfn_targets));
        out.push((
            naming::notifications_rule_logical_id(&m.logical_id, status),
            js::obj([
                ("Type", Value::from("AWS::Events::Rule")),
                ("Properties", Value::Object(props)),
            ]),
        ));
    }
    Some(out)
}

/// An SNS topic / SQS queue policy as the plugin first builds it (single `Statement` object).
fn policy_doc(
    ty: &str,
    status: &str,
    short: &str,
    action: &str,
    arn: Value,
    list_key: &str,
    list_item: Value,
) -> Value {
    js::obj([
        ("Type", Value::from(ty)),
        (
            "Properties",
            js::obj([
                (
                    "PolicyDocument",
                    js::obj([
                        ("Version", Value::from("2012-10-17")),
                        (
                            "Statement",
                            js::obj([
                                (
                                    "Sid",
                                    Value::String(policy_name(status, short, action, &arn)),
                                ),
                                (
                                    "Principal",
                                    js::obj([("Service", Value::from("events.amazonaws.com"))]),
                                ),
                                ("Effect", Value::from("Allow")),
                                ("Action", Value::from(action)),
                                ("Resource", arn),
                            ]),
                        ),
                    ]),
                ),
                (list_key, Value::Array(vec![list_item])),
            ]),
        ),
    ])
}

/// `convertToQueueUrl`.
fn queue_url(arn: &Value) -> Option<Value> {
    match arn {
        Value::String(s) => {
            let name = s.rsplit(':').next().unwrap_or(s);
            Some(js::obj([(
                "Fn::Sub",
                Value::Array(vec![
                    Value::from(
                        "https://sqs.${AWS::Region}.amazonaws.com/${AWS::AccountId}/${QueueName}",
                    ),
                    js::obj([("QueueName", Value::from(name))]),
                ]),
            )]))
        }
        Value::Object(o) if js::truthy(o.get("Fn::GetAtt")) => {
            let id = match &o["Fn::GetAtt"] {
                Value::Array(a) => a.first().cloned().unwrap_or(Value::Null),
                Value::String(s) => s
                    .chars()
                    .next()
                    .map(|c| Value::String(c.to_string()))
                    .unwrap_or(Value::Null),
                _ => Value::Null,
            };
            Some(js::obj([("Ref", id)]))
        }
        _ => None,
    }
}

/// The rule target of one notification target, in the plugin's key order per type.
fn rule_target(tg: &Target, index: usize, sm_name: &str, role_id: &str) -> Value {
    let v = &tg.value;
    let mut o = Map::new();
    let nested = |k: &str| match v.get(k) {
        Some(Value::Object(x)) if x.contains_key("arn") => Some(x.clone()),
        _ => None,
    };
    let arn = match tg.ty {
        "sqs" | "kinesis" => match nested(tg.ty) {
            Some(x) => x["arn"].clone(),
            None => v.get(tg.ty).cloned().unwrap_or(Value::Null),
        },
        ty => v.get(ty).cloned().unwrap_or(Value::Null),
    };
    o.insert("Arn".into(), arn.clone());
    o.insert(
        "Id".into(),
        Value::String(target_id(&arn, index, sm_name, tg.status)),
    );
    match tg.ty {
        "sqs" => {
            if let Some(x) = nested("sqs") {
                let mut p = Map::new();
                if let Some(g) = x.get("messageGroupId") {
                    p.insert("MessageGroupId".into(), g.clone());
                }
                o.insert("SqsParameters".into(), Value::Object(p));
            }
        }
        "kinesis" => {
            if let Some(x) = nested("kinesis") {
                let mut p = Map::new();
                if let Some(g) = x.get("partitionKeyPath") {
                    p.insert("PartitionKeyPath".into(), g.clone());
                }
                o.insert("KinesisParameters".into(), Value::Object(p));
            }
        }
        "stepFunctions" => {
            o.insert(
                "RoleArn".into(),
                js::obj([(
                    "Fn::GetAtt",
                    Value::Array(vec![Value::from(role_id), Value::from("Arn")]),
                )]),
            );
        }
        _ => {}
    }
    if let Some(ip) = v.get("inputPath").filter(|x| js::truthy(Some(x))) {
        o.insert("InputPath".into(), ip.clone());
    }
    if let Some(it) = v.get("inputTransformer").filter(|x| js::truthy(Some(x))) {
        let mut x = Map::new();
        if let Some(pm) = it.get("inputPathsMap") {
            x.insert("InputPathsMap".into(), pm.clone());
        }
        if let Some(tp) = it.get("inputTemplate") {
            x.insert("InputTemplate".into(), tp.clone());
        }
        o.insert("InputTransformer".into(), Value::Object(x));
    }
    Value::Object(o)
}

/// `JSON.stringify` with every plain object's keys sorted.
fn stable_json(v: &Value) -> String {
    fn sorted(v: &Value) -> Value {
        match v {
            Value::Object(o) => {
                let mut keys: Vec<&String> = o.keys().collect();
                keys.sort_by(|a, b| js::cmp_utf16(a, b));
                Value::Object(
                    keys.into_iter()
                        .map(|k| (k.clone(), sorted(&o[k.as_str()])))
                        .collect(),
                )
            }
            Value::Array(a) => Value::Array(a.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    to_compact(&sorted(v))
}

/// `policyTargetKey`: the topics / queues, sorted by their stable JSON, as stable JSON.
fn target_key(list: Option<&Value>) -> String {
    let mut items: Vec<Value> = match list {
        Some(Value::Array(a)) => a.clone(),
        Some(other) => vec![other.clone()],
        None => Vec::new(),
    };
    items.sort_by(|a, b| js::cmp_utf16(&stable_json(a), &stable_json(b)));
    stable_json(&Value::Array(items))
}

/// `mergeResourcePolicies`: topic / queue policies with equal targets become one resource
/// (the first id and place) whose statements are de-duplicated by `Sid`.
fn merge_policies(pairs: Vec<(String, Value)>) -> Vec<(String, Value)> {
    let mut result: Vec<(String, Value)> = Vec::new();
    let mut groups: Vec<(&'static str, String, String)> = Vec::new(); // (type, key, logical id)
    for (id, r) in pairs {
        let kind = match r.get("Type").and_then(Value::as_str) {
            Some("AWS::SNS::TopicPolicy") => Some(("AWS::SNS::TopicPolicy", "Topics")),
            Some("AWS::SQS::QueuePolicy") => Some(("AWS::SQS::QueuePolicy", "Queues")),
            _ => None,
        };
        let Some((ty, list_key)) = kind else {
            set(&mut result, id, r);
            continue;
        };
        let key = target_key(r.pointer(&format!("/Properties/{list_key}")));
        let incoming: Vec<Value> = match r.pointer("/Properties/PolicyDocument/Statement") {
            Some(Value::Array(a)) => a.clone(),
            Some(s) => vec![s.clone()],
            None => Vec::new(),
        };
        match groups.iter().find(|(t, k, _)| *t == ty && *k == key) {
            Some((_, _, first)) => {
                if let Some((_, existing)) = result.iter_mut().find(|(k, _)| k == first)
                    && let Some(Value::Array(st)) =
                        existing.pointer_mut("/Properties/PolicyDocument/Statement")
                {
                    merge_statements(st, incoming);
                }
            }
            None => {
                let mut merged = r.clone();
                let mut st = Vec::new();
                merge_statements(&mut st, incoming);
                if let Some(doc) = merged
                    .pointer_mut("/Properties/PolicyDocument")
                    .and_then(Value::as_object_mut)
                {
                    doc.insert("Statement".into(), Value::Array(st));
                }
                groups.push((ty, key, id.clone()));
                set(&mut result, id, merged);
            }
        }
    }
    js::js_object_order(result)
}

/// `result[id] = r`: a new id goes last, an existing one keeps its place.
fn set(result: &mut Vec<(String, Value)>, id: String, r: Value) {
    match result.iter_mut().find(|(k, _)| *k == id) {
        Some(slot) => slot.1 = r,
        None => result.push((id, r)),
    }
}

fn merge_statements(existing: &mut Vec<Value>, incoming: Vec<Value>) {
    for s in incoming {
        let sid = s.get("Sid").cloned();
        if !existing.iter().any(|e| e.get("Sid").cloned() == sid) {
            existing.push(s);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn stable_keys() {
        assert_eq!(
            stable_json(&json!({"b": 1, "a": {"d": 1, "c": 2}})),
            r#"{"a":{"c":2,"d":1},"b":1}"#
        );
        assert_eq!(
            target_key(Some(&json!([{"Ref": "B"}, "a"]))),
            r#"["a",{"Ref":"B"}]"#
        );
    }

    #[test]
    fn queue_urls() {
        assert_eq!(
            queue_url(&json!("arn:aws:sqs:r:1:q")),
            Some(
                json!({"Fn::Sub": ["https://sqs.${AWS::Region}.amazonaws.com/${AWS::AccountId}/${QueueName}", {"QueueName": "q"}]})
            )
        );
        assert_eq!(
            queue_url(&json!({"Fn::GetAtt": ["Q", "Arn"]})),
            Some(json!({"Ref": "Q"}))
        );
        assert_eq!(queue_url(&json!({"Ref": "Q"})), None);
    }

    #[test]
    fn duplicate_sids_collapse() {
        let p = |sid: &str| json!({"Type": "AWS::SNS::TopicPolicy", "Properties": {"PolicyDocument": {"Version": "2012-10-17", "Statement": {"Sid": sid}}, "Topics": [{"Ref": "T"}]}});
        let out = merge_policies(vec![
            ("A".into(), p("x")),
            ("B".into(), p("x")),
            ("C".into(), p("y")),
        ]);
        assert_eq!(out.len(), 1);
        assert_eq!(
            out[0].1.pointer("/Properties/PolicyDocument/Statement"),
            Some(&json!([{"Sid": "x"}, {"Sid": "y"}]))
        );
    }
}
