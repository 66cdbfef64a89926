//! `compileIamRole`: the generated execution role of a machine (spec §2.1–§2.3).

use serde_json::Value;

use super::iam_table::{self, Crash, Env, Note, Perm};
use super::{Ctx, Machine, Template, article, js};
use crate::declare_codes;
use crate::diagnostics::{Diag, Diags};
use crate::emit::json::to_compact;
use crate::source::Span;
use crate::yaml::{Kind, Node};

declare_codes! { CODES;
    NOT_DERIVED = "slsx::iam::not-derived", "A Task whose resource the plugin cannot derive IAM permissions for (it only logs); the role lacks them.";
    MISSING_PARAMETER = "slsx::iam::missing-parameter", "An SNS / SQS task without the parameter its permission is read from; the role gets no permission for it.";
    BAD_QUEUE_URL = "slsx::iam::bad-queue-url", "An SQS task whose `QueueUrl` is not an SQS URL; the permission has no resource.";
    STRINGIFIED = "slsx::iam::stringified", "A task parameter that the plugin splices into an ARN as text although it is not a string (`[object Object]`, `undefined`).";
    NO_RESOURCE = "slsx::iam::no-resource", "A Task (or ItemReader / ResultWriter) without a usable `Resource` (the plugin crashes).";
    PARAMETERS_REQUIRED = "slsx::iam::parameters-required", "A task whose permission the plugin reads from `Parameters` has none, e.g. JSONata `Arguments` (the plugin crashes).";
    BAD_PARAMETER = "slsx::iam::bad-parameter", "A task parameter of a shape the plugin crashes on while deriving permissions.";
    MAP_WITHOUT_PROCESSOR = "slsx::iam::map-without-processor", "A Map state with neither `ItemProcessor` nor `Iterator` (the plugin crashes).";
    BAD_STATE = "slsx::iam::bad-state", "A state or branch that is not an object where the plugin reads its fields (it crashes).";
    BAD_TEMPLATE = "slsx::iam::bad-template", "A `$&`, `$'`, `` $` `` or `$$` in the role statements, which the plugin's text template expands (it crashes on `$'` and `` $` ``).";
}

/// The role the plugin builds from its text template: `[PolicyName]` and `[Statements]`
/// are replaced as text (with `String.replace` semantics) and the result parsed.
const ROLE_TEMPLATE: &str = r#"{
  "Type": "AWS::IAM::Role",
  "Properties": {
    "AssumeRolePolicyDocument": {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Principal": {
            "Service": {
              "Fn::Sub": "states.${AWS::Region}.amazonaws.com"
            }
          },
          "Action": "sts:AssumeRole"
        }
      ]
    },
    "Policies": [
      {
        "PolicyName": "[PolicyName]",
        "PolicyDocument": {
          "Version": "2012-10-17",
          "Statement": [Statements]
        }
      }
    ]
  }
}"#;

/// A Task-like state found in the definition, as JSON, with where it was written.
pub struct TaskState {
    pub state: Value,
    /// The state's key (or the ItemReader / ResultWriter key).
    pub span: Span,
    /// `Resource`, if written.
    pub resource_span: Option<Span>,
    /// Where each parameter (`Parameters.x`, else `Arguments.x`) was written.
    pub params: Vec<(String, Span)>,
    pub name: String,
}

/// Compiles the role of one machine (nothing when it has a `role`).
pub fn compile_role(ctx: &Ctx, m: &Machine, t: &mut Template, diags: &mut Diags) {
    if m.truthy("role") {
        return;
    }
    let Some(def) = m.get("definition").filter(|d| d.is_truthy()) else {
        return;
    };
    let mut tasks = Vec::new();
    if !task_states(entries(def.get("States")), &m.name, &mut tasks, diags) {
        return;
    }
    let env = Env { ctx, t };
    let mut perms: Vec<Perm> = Vec::new();
    let mut crashed = false;
    for task in &tasks {
        let mut notes = Vec::new();
        match iam_table::permissions(&task.state, &env, &mut notes) {
            Ok(p) => perms.extend(p),
            // an `Fn::GetAtt` the plugin cannot destructure is reported with the definition
            Err(Crash::GetAtt) => crashed = true,
            Err(c) => {
                crashed = true;
                diags.push(crash_diag(&c, task));
            }
        }
        for n in notes {
            diags.push(note_diag(&n, task));
        }
    }
    if crashed {
        return;
    }
    perms.extend(machine_permissions(m));
    let perms = consolidate_by_resource(consolidate_by_action(perms));
    let statements = statements(&perms, m.get("iamRoleStatements"));
    let text = js::replace_first(
        ROLE_TEMPLATE,
        "[PolicyName]",
        &super::naming::state_machine_policy_name(&ctx.stage, &ctx.service),
    );
    let statements_text = to_compact(&statements);
    if statements_text.contains("$&") || statements_text.contains("$$") {
        diags.push(
            Diag::warning(
                &BAD_TEMPLATE,
                format!("the IAM statements of `{}` contain `$&` or `$$`", m.key),
            )
            .label(
                find_text(m.node, &["$&", "$$"]).unwrap_or(m.key_span),
                "the plugin's text template writes `[Statements]` for `$&` and `$` for `$$`",
            )
            .help("avoid `$&` and `$$` in resources and `iamRoleStatements`"),
        );
    }
    let text = js::replace_first(&text, "[Statements]", &statements_text);
    let Ok(mut role) = serde_json::from_str::<Value>(&text) else {
        diags.push(
            Diag::error(
                &BAD_TEMPLATE,
                format!("the IAM role of `{}` cannot be built", m.key),
            )
            .label(
                find_text(m.node, &["$'", "$`"]).unwrap_or(m.key_span),
                "the plugin's text template expands this `$` pattern into raw template text",
            )
            .help("avoid `$&`, `$'`, `` $` `` and `$$` in resources and `iamRoleStatements`"),
        );
        return;
    };
    if let Some(props) = role.get_mut("Properties").and_then(Value::as_object_mut) {
        if let Some(b) = ctx
            .provider_at(&["rolePermissionsBoundary"])
            .filter(|b| b.is_truthy())
        {
            props.insert("PermissionsBoundary".into(), b.to_json());
        }
        if let Some(p) = ctx
            .provider_at(&["iam", "role", "path"])
            .filter(|p| p.is_truthy())
        {
            props.insert("Path".into(), p.to_json());
        }
    }
    let id = super::naming::state_machine_role_logical_id(&m.logical_id);
    t.merge_resource(&id, role);
}

/// The first string under `n` containing one of `needles`.
fn find_text(n: &Node, needles: &[&str]) -> Option<Span> {
    match &n.kind {
        Kind::String(s) if needles.iter().any(|x| s.contains(x)) => Some(n.span),
        Kind::Map(m) => m.values().find_map(|v| find_text(v, needles)),
        Kind::Seq(v) => v.iter().find_map(|x| find_text(x, needles)),
        _ => None,
    }
}

/// Logs, X-Ray and KMS permissions (§2.2 steps 2–5), from the raw options.
fn machine_permissions(m: &Machine) -> Vec<Perm> {
    let mut out = Vec::new();
    if m.truthy("loggingConfig") {
        out.push(Perm {
            action: "logs:CreateLogDelivery,logs:GetLogDelivery,logs:UpdateLogDelivery,logs:DeleteLogDelivery,logs:ListLogDeliveries,logs:PutResourcePolicy,logs:DescribeResourcePolicies,logs:DescribeLogGroups".into(),
            resource: Value::from("*"),
        });
    }
    if m.truthy("tracingConfig") {
        out.push(Perm {
            action: "xray:PutTraceSegments,xray:PutTelemetryRecords,xray:GetSamplingRules,xray:GetSamplingTargets".into(),
            resource: Value::from("*"),
        });
    }
    if let Some(k) = m.get("kmsKeyArns")
        && kms_len(k) > 0
    {
        out.push(Perm {
            action: "kms:Decrypt,kms:Encrypt,kms:ReEncrypt*,kms:GenerateDataKey*,kms:DescribeKey"
                .into(),
            resource: k.to_json(),
        });
    }
    if let Some(key) = m
        .get("encryptionConfig")
        .and_then(|e| e.get("KmsKeyId"))
        .filter(|k| k.is_truthy())
    {
        out.push(Perm {
            action: "kms:Decrypt,kms:Encrypt".into(),
            resource: js::obj([("Fn::Sub", key.to_json())]),
        });
    }
    out
}

/// `kmsKeyArns.length` (0 for values without one).
fn kms_len(n: &Node) -> usize {
    match &n.kind {
        Kind::Seq(v) => v.len(),
        Kind::String(s) => s.encode_utf16().count(),
        _ => 0,
    }
}

/// The Deny-all statement, or the consolidated statements then `iamRoleStatements`.
fn statements(perms: &[Perm], user: Option<&Node>) -> Value {
    let user: Vec<Value> = match user.map(|u| &u.kind) {
        Some(Kind::Seq(v)) => v.iter().map(Node::to_json).collect(),
        _ => Vec::new(),
    };
    if perms.is_empty() && user.is_empty() {
        return Value::Array(vec![js::obj([
            ("Effect", Value::from("Deny")),
            ("Action", Value::from("*")),
            ("Resource", Value::from("*")),
        ])]);
    }
    let mut out: Vec<Value> = perms
        .iter()
        .map(|p| {
            js::obj([
                ("Effect", Value::from("Allow")),
                (
                    "Action",
                    Value::Array(p.action.split(',').map(Value::from).collect()),
                ),
                ("Resource", p.resource.clone()),
            ])
        })
        .collect();
    out.extend(user);
    Value::Array(out)
}

/// Step 1 of the consolidation: group by the exact action string; the group's resources are
/// the flattened, de-duplicated resources, or `"*"` if any is `"*"`.
pub fn consolidate_by_action(perms: Vec<Perm>) -> Vec<Perm> {
    let mut groups: Vec<(String, Vec<Value>)> = Vec::new();
    for p in perms {
        let items: Vec<Value> = match p.resource {
            Value::Array(a) => a,
            other => vec![other],
        };
        let slot = match groups.iter().position(|(a, _)| *a == p.action) {
            Some(i) => &mut groups[i].1,
            None => {
                groups.push((p.action.clone(), Vec::new()));
                &mut groups.last_mut().expect("just pushed").1
            }
        };
        slot.extend(items);
    }
    js::js_object_order(groups)
        .into_iter()
        .map(|(action, items)| {
            let mut uniq: Vec<Value> = Vec::new();
            for i in items {
                if !uniq.contains(&i) {
                    uniq.push(i);
                }
            }
            let resource = if uniq.iter().any(|r| r == "*") {
                Value::from("*")
            } else {
                Value::Array(uniq)
            };
            Perm { action, resource }
        })
        .collect()
}

/// Step 2: group by the JSON text of the resource; the actions are united (split on `,`,
/// first-seen order).
pub fn consolidate_by_resource(perms: Vec<Perm>) -> Vec<Perm> {
    let mut groups: Vec<(String, (Value, Vec<String>))> = Vec::new();
    for p in perms {
        let key = to_compact(&p.resource);
        let slot = match groups.iter().position(|(k, _)| *k == key) {
            Some(i) => &mut groups[i].1,
            None => {
                groups.push((key, (p.resource.clone(), Vec::new())));
                &mut groups.last_mut().expect("just pushed").1
            }
        };
        for a in p.action.split(',') {
            if !slot.1.iter().any(|x| x == a) {
                slot.1.push(a.to_string());
            }
        }
    }
    js::js_object_order(groups)
        .into_iter()
        .map(|(_, (resource, actions))| Perm {
            action: actions.join(","),
            resource,
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Finding the Task-like states (§2.2 step 1)

/// The values the plugin's `_.flatMap(states, …)` visits, with their keys' spans.
fn entries(n: Option<&Node>) -> Vec<(String, Span, &Node)> {
    match n.map(|n| &n.kind) {
        Some(Kind::Map(m)) => m
            .iter()
            .map(|(k, e)| (k.clone(), e.key_span, &e.value))
            .collect(),
        Some(Kind::Seq(v)) => v
            .iter()
            .enumerate()
            .map(|(i, x)| (i.to_string(), x.span, x))
            .collect(),
        _ => Vec::new(),
    }
}

/// `getTaskStates`: Tasks, Parallel branches, Map processors (then the Distributed Map's own
/// start-execution permission, ItemReader, ResultWriter). False when the plugin would crash.
fn task_states(
    states: Vec<(String, Span, &Node)>,
    sm_name: &str,
    out: &mut Vec<TaskState>,
    diags: &mut Diags,
) -> bool {
    let mut ok = true;
    for (name, span, state) in states {
        if state.is_null() {
            diags.push(
                Diag::error(&BAD_STATE, format!("state `{name}` is null"))
                    .label(span, "a state must be an object with a `Type`")
                    .help("remove the state or give it its fields (the plugin crashes reading `Type` of null)"),
            );
            ok = false;
            continue;
        }
        match state.get("Type").and_then(Node::as_str) {
            Some("Task") => out.push(task(state, name, span)),
            Some("Parallel") => {
                let mut inner: Vec<(String, Span, &Node)> = Vec::new();
                for (bi, bspan, branch) in entries(state.get("Branches")) {
                    if branch.is_null() {
                        diags.push(
                            Diag::error(&BAD_STATE, format!("branch {bi} of `{name}` is null"))
                                .label(bspan, "a branch must hold `StartAt` and `States`")
                                .help("remove the empty branch (the plugin crashes on it)"),
                        );
                        ok = false;
                        continue;
                    }
                    inner.extend(entries(branch.get("States")));
                }
                ok &= task_states(inner, sm_name, out, diags);
            }
            Some("Map") => {
                let processor = state.get("ItemProcessor").filter(|p| p.is_truthy());
                let inner = match processor {
                    Some(p) => p.get("States"),
                    None => match state.get("Iterator").filter(|i| !i.is_null()) {
                        Some(i) => i.get("States"),
                        None => {
                            diags.push(
                                Diag::error(
                                    &MAP_WITHOUT_PROCESSOR,
                                    format!("Map state `{name}` has neither `ItemProcessor` nor `Iterator`"),
                                )
                                .label(span, "the plugin reads the iterated states from `ItemProcessor.States` (or legacy `Iterator.States`)")
                                .help("add `ItemProcessor: {StartAt: ..., States: {...}}` (the plugin crashes on this Map)"),
                            );
                            ok = false;
                            continue;
                        }
                    },
                };
                ok &= task_states(entries(inner), sm_name, out, diags);
                let distributed = processor
                    .and_then(|p| p.get("ProcessorConfig"))
                    .filter(|c| c.is_truthy())
                    .and_then(|c| c.get("Mode"))
                    .and_then(Node::as_str)
                    == Some("DISTRIBUTED");
                if distributed {
                    out.push(TaskState {
                        state: js::obj([
                            (
                                "Resource",
                                Value::from("arn:aws:states:::states:startExecution"),
                            ),
                            ("Mode", Value::from("DISTRIBUTED")),
                            ("StateMachineName", Value::from(sm_name)),
                        ]),
                        span,
                        resource_span: None,
                        params: Vec::new(),
                        name: name.clone(),
                    });
                }
                for part in ["ItemReader", "ResultWriter"] {
                    if let Some(p) = state.get(part).filter(|p| p.is_truthy()) {
                        let pspan = state
                            .as_map()
                            .and_then(|m| m.key_span(part))
                            .unwrap_or(span);
                        out.push(task(p, format!("{name}.{part}"), pspan));
                    }
                }
            }
            _ => {}
        }
    }
    ok
}

fn task(state: &Node, name: String, span: Span) -> TaskState {
    TaskState {
        state: state.to_json(),
        span,
        resource_span: state.get("Resource").map(|r| r.span),
        params: ["Parameters", "Arguments"]
            .iter()
            .filter_map(|c| state.get(c).and_then(Node::as_map))
            .flat_map(|m| m.iter().map(|(k, e)| (k.clone(), e.value.span)))
            .collect(),
        name,
    }
}

// ---------------------------------------------------------------------------------------------
// Diagnostics

impl TaskState {
    /// The span of parameter `p` (or `p.$`), else of `Resource`, else of the state.
    fn param_span(&self, p: &str) -> Span {
        let dynamic = format!("{p}.$");
        self.params
            .iter()
            .find(|(k, _)| k == p || *k == dynamic)
            .map(|(_, s)| *s)
            .or(self.resource_span)
            .unwrap_or(self.span)
    }
}

fn note_diag(n: &Note, task: &TaskState) -> Diag {
    let at = task.resource_span.unwrap_or(task.span);
    let resource = task
        .state
        .get("Resource")
        .map(|r| match r {
            Value::String(s) => s.clone(),
            other => to_compact(other),
        })
        .unwrap_or_default();
    match n {
        Note::NotDerived => Diag::warning(
            &NOT_DERIVED,
            format!("no IAM permission is derived for Task `{}` (`{resource}`)", task.name),
        )
        .label(at, "serverless-step-functions does not know this integration")
        .help(if resource.contains("#{") {
            "the plugin recognises task ARNs starting `arn:aws:` (any partition) or `arn:${AWS::Partition}:`, not `#{...}`; write the ARN so, or grant what the task needs with `iamRoleStatements`"
        } else {
            "grant what the task needs with `iamRoleStatements` on this state machine (or give it a `role`)"
        }),
        Note::SnsNoTopic => Diag::warning(
            &MISSING_PARAMETER,
            format!("SNS Task `{}` has neither `Parameters.TopicArn` nor `Parameters.TopicArn.$`", task.name),
        )
        .label(at, "no `sns:Publish` permission is derived for this task")
        .help("set `Parameters.TopicArn` (JSONata `Arguments` are not read for SNS), or grant `sns:Publish` with `iamRoleStatements`"),
        Note::SqsNoQueue => Diag::warning(
            &MISSING_PARAMETER,
            format!("SQS Task `{}` has neither `Parameters.QueueUrl` nor `Parameters.QueueUrl.$`", task.name),
        )
        .label(at, "no `sqs:SendMessage` permission is derived for this task")
        .help("set `Parameters.QueueUrl` (JSONata `Arguments` are not read for SQS), or grant `sqs:SendMessage` with `iamRoleStatements`"),
        Note::SqsBadUrl(u) => Diag::warning(
            &BAD_QUEUE_URL,
            format!("`{u}` is not an SQS queue URL (Task `{}`)", task.name),
        )
        .label(task.param_span("QueueUrl"), "the `sqs:SendMessage` permission gets no resource")
        .help("use `https://sqs.<region>.amazonaws.com/<account>/<queue>` or `!Ref <Queue>`; CloudFormation rejects a statement without resources"),
        Note::Missing { param, effect } => Diag::warning(
            &MISSING_PARAMETER,
            format!("Task `{}` has no `{param}` to derive its IAM permission from", task.name),
        )
        .label(task.param_span(param), format!("the plugin writes {effect} for this task"))
        .help(format!("set `{param}` (CloudFormation rejects the role otherwise), or grant the permission with `iamRoleStatements`")),
        Note::Stringified { param, text } if text == "undefined" => {
            let both = task.state.get("Parameters").is_some()
                && task.state.get("Arguments").is_some()
                && task.state.get("QueryLanguage").is_none();
            let help = if both {
                "with both `Parameters` and `Arguments` and no `QueryLanguage` on the state, the plugin reads neither: set `QueryLanguage` on the state, or grant the permission with `iamRoleStatements`".to_string()
            } else {
                format!("set `{param}`, or grant the permission with `iamRoleStatements`")
            };
            Diag::warning(
                &STRINGIFIED,
                format!("the plugin finds no `{param}` for Task `{}` and writes `undefined` into its IAM ARN", task.name),
            )
            .label(task.span, format!("no `{param}` is read from this state"))
            .help(help)
        }
        Note::Stringified { param, text } => Diag::warning(
            &STRINGIFIED,
            format!("`{param}` of Task `{}` is written into its IAM ARN as `{text}`", task.name),
        )
        .label(task.param_span(param), format!("the plugin builds the resource ARN from `{param}` as text"))
        .help(format!("give `{param}` as a plain string, or grant the permission with `iamRoleStatements`")),
    }
}

fn crash_diag(c: &Crash, task: &TaskState) -> Diag {
    let at = task.resource_span.unwrap_or(task.span);
    match c {
        Crash::NoResource => {
            let what = match task.state.get("Resource") {
                None => "has no `Resource`".to_string(),
                Some(r) => format!("has a `Resource` that is {}", json_article(r)),
            };
            Diag::error(&NO_RESOURCE, format!("Task `{}` {what}", task.name))
                .label(at, "the plugin derives the role's permissions from `Resource` and crashes here")
                .help("set `Resource` to the task's ARN (e.g. `arn:aws:states:::lambda:invoke` or `!GetAtt fn.Arn`)")
        }
        Crash::NoParameters(p) => Diag::error(
            &PARAMETERS_REQUIRED,
            format!("Task `{}` has no `Parameters`", task.name),
        )
        .label(task.span, format!("the plugin reads `Parameters.{p}` for this integration and crashes without `Parameters` (JSONata `Arguments` are not read)"))
        .help("use `Parameters` (QueryLanguage JSONPath) for this state, or give the machine a `role` so that no permissions are derived"),
        Crash::NotAString(p) => Diag::error(
            &BAD_PARAMETER,
            format!("`Parameters.{p}` of Task `{}` is missing or not a string", task.name),
        )
        .label(task.param_span(p), format!("the plugin calls `startsWith` on `Parameters.{p}` and crashes"))
        .help(format!("set `Parameters.{p}` to a string, or give the machine a `role`")),
        Crash::NotIterable(p) => Diag::error(
            &BAD_PARAMETER,
            format!("Task `{}` has no usable `{p}`", task.name),
        )
        .label(task.param_span(p), format!("the plugin reads `{p}` (from `Parameters`, or `Arguments` for JSONata) to derive permissions and crashes"))
        .help(format!("write `{p}` out statically (not only as `{p}.$`), or give the machine a `role`")),
        Crash::GetAtt => Diag::error(
            &BAD_PARAMETER,
            format!("an `Fn::GetAtt` of Task `{}` is neither a list nor a string", task.name),
        )
        .label(at, "the plugin crashes destructuring it")
        .help("write `!GetAtt Resource.Attribute`"),
        Crash::BadSub => Diag::error(
            &BAD_PARAMETER,
            format!("the `StateMachineArn` `Fn::Sub` of Task `{}` has an unexpected shape", task.name),
        )
        .label(at, "the plugin crashes rewriting it into an execution ARN")
        .help("write `!Sub 'arn:...:stateMachine:name'` or `Fn::Sub: [template, {vars}]`"),
    }
}

fn json_article(v: &Value) -> &'static str {
    let n = Node::from_json(v, Span::NONE);
    article(&n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn p(action: &str, resource: Value) -> Perm {
        Perm {
            action: action.into(),
            resource,
        }
    }

    #[test]
    fn star_swallows_a_group_and_groups_merge_by_resource() {
        let perms = vec![
            p("lambda:InvokeFunction", json!(["a", "a:*"])),
            p("sns:Publish", json!({"Ref": "T"})),
            p("lambda:InvokeFunction", json!("*")),
            p("sns:Publish", json!({"Ref": "T"})),
            p("sqs:SendMessage", json!("*")),
            p("dynamodb:GetItem", json!({"Fn::GetAtt": ["T", "Arn"]})),
            p("dynamodb:UpdateItem", json!({"Fn::GetAtt": ["T", "Arn"]})),
        ];
        let out = consolidate_by_resource(consolidate_by_action(perms));
        assert_eq!(
            out,
            vec![
                p("lambda:InvokeFunction,sqs:SendMessage", json!("*")),
                p("sns:Publish", json!([{"Ref": "T"}])),
                p(
                    "dynamodb:GetItem,dynamodb:UpdateItem",
                    json!([{"Fn::GetAtt": ["T", "Arn"]}])
                ),
            ]
        );
    }

    #[test]
    fn split_actions_are_united_once() {
        let perms = vec![
            p("s3:Get*", json!(["b"])),
            p("s3:List*", json!(["b"])),
            p("s3:Get*,s3:List*", json!(["c"])),
        ];
        let out = consolidate_by_resource(consolidate_by_action(perms));
        assert_eq!(out[0], p("s3:Get*,s3:List*", json!(["b"])));
        assert_eq!(out[1], p("s3:Get*,s3:List*", json!(["c"])));
    }

    #[test]
    fn groups_follow_js_object_key_order() {
        // `_.groupBy` builds an object: an integer-like action string comes first
        let out = consolidate_by_action(vec![p("b:B", json!("x")), p("7", json!("y"))]);
        assert_eq!(out, vec![p("7", json!(["y"])), p("b:B", json!(["x"]))]);
    }

    #[test]
    fn deny_all_when_empty() {
        assert_eq!(
            statements(&[], None),
            json!([{"Effect": "Deny", "Action": "*", "Resource": "*"}])
        );
    }

    #[test]
    fn empty_resource_lists_survive() {
        let out = consolidate_by_resource(consolidate_by_action(vec![p(
            "events:PutEvents",
            json!([]),
        )]));
        assert_eq!(out, vec![p("events:PutEvents", json!([]))]);
    }
}
