//! `compileIamRole`: the generated execution role of a machine (spec §2.1–§2.3).

use serde_json::Value;

use std::cell::RefCell;

use super::iam_table::{self, Crash, Env, Note, Perm};
use super::{Ctx, IamMode, Machine, Options, Template, article, aws_sdk, js};
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
    NO_STATE_MACHINES = "slsx::iam::no-state-machines", "`slsx explain-iam` found no state machine in `stepFunctions.stateMachines`.";
    ROLE_CHANGED = "slsx::iam::role-changed", "`resources` changes the statements of a generated state-machine role; `slsx explain-iam` explains them as generated.";
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
    /// Where it sits in the definition: `EachOrder > ItemProcessor > Charge`.
    pub path: String,
    pub kind: StateKind,
}

/// What kind of Task-like state gave a permission.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StateKind {
    Task,
    ItemReader,
    ResultWriter,
    /// The start-execution permission the plugin adds for a Distributed Map.
    DistributedMap,
}

impl StateKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StateKind::Task => "Task",
            StateKind::ItemReader => "ItemReader",
            StateKind::ResultWriter => "ResultWriter",
            StateKind::DistributedMap => "Distributed Map",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Provenance (`slsx explain-iam`)

/// Why a permission is in a role.
#[derive(Clone, Debug, PartialEq)]
pub enum Cause {
    /// A Task-like state of the definition.
    State {
        path: String,
        span: Span,
        kind: StateKind,
        /// The task's `Resource` as text (compact JSON for an intrinsic).
        resource: String,
        /// `None`: serverless-step-functions' own rule; `Some(how)`: slsx's
        /// `stepFunctions.iam: complete`, and how it derived the permission.
        complete: Option<String>,
    },
    /// A machine option (`loggingConfig`, `tracingConfig`, `kmsKeyArns`,
    /// `encryptionConfig.KmsKeyId`).
    Setting { key: &'static str, span: Span },
    /// An entry of the machine's `iamRoleStatements`, appended verbatim.
    UserStatement { index: usize, span: Span },
    /// Nothing needs a permission: the plugin writes a Deny-all statement.
    DenyAll,
}

/// One cause of a statement, with the actions and resource it contributed (before the plugin's
/// consolidation merged it with others).
#[derive(Clone, Debug, PartialEq)]
pub struct Contribution {
    pub cause: Cause,
    pub actions: Vec<String>,
    pub resource: Value,
}

/// A statement of a generated role and everything that put it there.
#[derive(Clone, Debug, PartialEq)]
pub struct StatementExplanation {
    pub statement: Value,
    pub causes: Vec<Contribution>,
}

/// A Task-like state the role has no permission for.
#[derive(Clone, Debug, PartialEq)]
pub struct Uncovered {
    pub path: String,
    pub span: Span,
    pub resource: String,
}

/// The generated role of one machine, statement by statement, as it was compiled.
#[derive(Clone, Debug, PartialEq)]
pub struct RoleExplanation {
    /// The machine's key under `stateMachines`.
    pub machine: String,
    pub machine_span: Span,
    /// `None` when the machine has its own `role` (nothing is generated).
    pub role: Option<GeneratedRole>,
    /// The machine's `role`, when given.
    pub given_role: Option<Value>,
    /// Task-like states no permission was derived for.
    pub uncovered: Vec<Uncovered>,
    pub mode: IamMode,
}

/// A generated `AWS::IAM::Role`.
#[derive(Clone, Debug, PartialEq)]
pub struct GeneratedRole {
    pub logical_id: String,
    pub policy_name: String,
    pub statements: Vec<StatementExplanation>,
}

thread_local! {
    static RECORDING: RefCell<Option<Vec<RoleExplanation>>> = const { RefCell::new(None) };
}

/// Runs `f` (an expansion) and returns, besides its result, the explanation of every role the
/// step-functions compiler built meanwhile on this thread, recorded as the permissions were
/// collected (`slsx explain-iam`). The emitted template is the same with or without it.
pub fn record_explanations<T>(f: impl FnOnce() -> T) -> (T, Vec<RoleExplanation>) {
    let previous = RECORDING.with(|r| r.borrow_mut().replace(Vec::new()));
    let out = f();
    let recorded = RECORDING.with(|r| {
        let mut slot = r.borrow_mut();
        let got = slot.take().unwrap_or_default();
        *slot = previous;
        got
    });
    (out, recorded)
}

fn record(e: RoleExplanation) {
    RECORDING.with(|r| {
        if let Some(v) = r.borrow_mut().as_mut() {
            v.push(e);
        }
    });
}

fn recording() -> bool {
    RECORDING.with(|r| r.borrow().is_some())
}

/// A permission with the causes (indices into the list of contributions) behind it.
#[derive(Clone, Debug, PartialEq)]
pub struct Tracked {
    pub perm: Perm,
    pub sources: Vec<usize>,
}

/// A group of [`consolidate_by_action_tracked`]: its resources and causes.
type ActionGroup = (Vec<Value>, Vec<usize>);

/// A group of [`consolidate_by_resource_tracked`]: its resource, actions and causes.
type ResourceGroup = (Value, Vec<String>, Vec<usize>);

fn union(into: &mut Vec<usize>, from: &[usize]) {
    for s in from {
        if !into.contains(s) {
            into.push(*s);
        }
    }
}

/// Compiles the role of one machine (nothing when it has a `role`).
pub fn compile_role(ctx: &Ctx, m: &Machine, opts: &Options, t: &mut Template, diags: &mut Diags) {
    if m.truthy("role") {
        if recording() {
            record(RoleExplanation {
                machine: m.key.to_string(),
                machine_span: m.key_span,
                role: None,
                given_role: m.get("role").map(Node::to_json),
                uncovered: Vec::new(),
                mode: opts.iam,
            });
        }
        return;
    }
    let Some(def) = m.get("definition").filter(|d| d.is_truthy()) else {
        return;
    };
    let mut tasks = Vec::new();
    if !task_states(entries(def.get("States")), "", &m.name, &mut tasks, diags) {
        return;
    }
    let env = Env { ctx, t };
    // every permission, with what caused it (`sources` index `contributions`)
    let mut perms: Vec<Tracked> = Vec::new();
    let mut contributions: Vec<Contribution> = Vec::new();
    let mut uncovered: Vec<Uncovered> = Vec::new();
    let mut crashed = false;
    for task in &tasks {
        let mut notes = Vec::new();
        let (derived, complete) = match iam_table::permissions(&task.state, &env, &mut notes) {
            Ok(p)
                if p.is_empty()
                    && notes.contains(&Note::NotDerived)
                    && opts.iam == IamMode::Complete =>
            {
                match aws_sdk::derive(&task.state, &env) {
                    Some(d) => {
                        notes.retain(|n| *n != Note::NotDerived);
                        (d.perms, Some(d.how))
                    }
                    None => (p, None),
                }
            }
            Ok(p) => (p, None),
            // an `Fn::GetAtt` the plugin cannot destructure is reported with the definition
            Err(Crash::GetAtt) => {
                crashed = true;
                (Vec::new(), None)
            }
            Err(c) => {
                crashed = true;
                diags.push(crash_diag(&c, task));
                (Vec::new(), None)
            }
        };
        for n in &notes {
            diags.push(note_diag(n, task, opts.iam));
        }
        if notes.contains(&Note::NotDerived) {
            uncovered.push(Uncovered {
                path: task.path.clone(),
                span: task.span,
                resource: resource_text(&task.state),
            });
        }
        for p in derived {
            contributions.push(Contribution {
                cause: Cause::State {
                    path: task.path.clone(),
                    span: task.span,
                    kind: task.kind,
                    resource: resource_text(&task.state),
                    complete: complete.clone(),
                },
                actions: p.action.split(',').map(str::to_string).collect(),
                resource: p.resource.clone(),
            });
            perms.push(Tracked {
                perm: p,
                sources: vec![contributions.len() - 1],
            });
        }
    }
    if crashed {
        return;
    }
    for (key, span, p) in machine_permissions(m) {
        contributions.push(Contribution {
            cause: Cause::Setting { key, span },
            actions: p.action.split(',').map(str::to_string).collect(),
            resource: p.resource.clone(),
        });
        perms.push(Tracked {
            perm: p,
            sources: vec![contributions.len() - 1],
        });
    }
    let perms = consolidate_by_resource_tracked(consolidate_by_action_tracked(perms));
    let plain: Vec<Perm> = perms.iter().map(|p| p.perm.clone()).collect();
    let statements = statements(&plain, m.get("iamRoleStatements"));
    let policy_name = super::naming::state_machine_policy_name(&ctx.stage, &ctx.service);
    let text = js::replace_first(ROLE_TEMPLATE, "[PolicyName]", &policy_name);
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
    if recording() {
        // the statements as written into the role (the text template may have rewritten them)
        let written = role
            .pointer("/Properties/Policies/0/PolicyDocument/Statement")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        record(RoleExplanation {
            machine: m.key.to_string(),
            machine_span: m.key_span,
            role: Some(GeneratedRole {
                logical_id: id.clone(),
                policy_name,
                statements: explain_statements(written, &perms, &contributions, m),
            }),
            given_role: None,
            uncovered,
            mode: opts.iam,
        });
    }
    t.merge_resource(&id, role);
}

/// Pairs each written statement with its causes: the consolidated permissions first, then
/// the user's statements (or the Deny-all statement).
fn explain_statements(
    written: Vec<Value>,
    perms: &[Tracked],
    contributions: &[Contribution],
    m: &Machine,
) -> Vec<StatementExplanation> {
    let user: Vec<(usize, Span)> = match m.get("iamRoleStatements").map(|u| &u.kind) {
        Some(Kind::Seq(v)) => v.iter().enumerate().map(|(i, x)| (i, x.span)).collect(),
        _ => Vec::new(),
    };
    let deny_all = perms.is_empty() && user.is_empty();
    written
        .into_iter()
        .enumerate()
        .map(|(i, statement)| {
            let causes = if deny_all {
                vec![Contribution {
                    cause: Cause::DenyAll,
                    actions: vec!["*".into()],
                    resource: Value::from("*"),
                }]
            } else if let Some(p) = perms.get(i) {
                p.sources
                    .iter()
                    .filter_map(|s| contributions.get(*s).cloned())
                    .collect()
            } else {
                match user.get(i - perms.len()) {
                    Some((index, span)) => vec![Contribution {
                        cause: Cause::UserStatement {
                            index: *index,
                            span: *span,
                        },
                        actions: match statement.get("Action") {
                            Some(Value::Array(a)) => a.iter().map(js::to_js_string).collect(),
                            Some(a) => vec![js::to_js_string(a)],
                            None => Vec::new(),
                        },
                        resource: statement.get("Resource").cloned().unwrap_or(Value::Null),
                    }],
                    None => Vec::new(),
                }
            };
            StatementExplanation { statement, causes }
        })
        .collect()
}

/// A task's `Resource` as text.
fn resource_text(state: &Value) -> String {
    match state.get("Resource") {
        Some(Value::String(s)) => s.clone(),
        Some(other) => to_compact(other),
        None => String::new(),
    }
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

/// Logs, X-Ray and KMS permissions (§2.2 steps 2–5), from the raw options, each with the
/// option that causes it and where that is written.
fn machine_permissions(m: &Machine) -> Vec<(&'static str, Span, Perm)> {
    let mut out = Vec::new();
    if m.truthy("loggingConfig") {
        out.push(("loggingConfig", m.key_span_of("loggingConfig"), Perm {
            action: "logs:CreateLogDelivery,logs:GetLogDelivery,logs:UpdateLogDelivery,logs:DeleteLogDelivery,logs:ListLogDeliveries,logs:PutResourcePolicy,logs:DescribeResourcePolicies,logs:DescribeLogGroups".into(),
            resource: Value::from("*"),
        }));
    }
    if m.truthy("tracingConfig") {
        out.push(("tracingConfig", m.key_span_of("tracingConfig"), Perm {
            action: "xray:PutTraceSegments,xray:PutTelemetryRecords,xray:GetSamplingRules,xray:GetSamplingTargets".into(),
            resource: Value::from("*"),
        }));
    }
    if let Some(k) = m.get("kmsKeyArns")
        && kms_len(k) > 0
    {
        out.push((
            "kmsKeyArns",
            m.key_span_of("kmsKeyArns"),
            Perm {
                action:
                    "kms:Decrypt,kms:Encrypt,kms:ReEncrypt*,kms:GenerateDataKey*,kms:DescribeKey"
                        .into(),
                resource: k.to_json(),
            },
        ));
    }
    if let Some(ec) = m.get("encryptionConfig")
        && let Some(key) = ec.get("KmsKeyId").filter(|k| k.is_truthy())
    {
        let span = ec
            .as_map()
            .and_then(|e| e.key_span("KmsKeyId"))
            .unwrap_or_else(|| m.key_span_of("encryptionConfig"));
        out.push((
            "encryptionConfig.KmsKeyId",
            span,
            Perm {
                action: "kms:Decrypt,kms:Encrypt".into(),
                resource: js::obj([("Fn::Sub", key.to_json())]),
            },
        ));
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
    untracked(consolidate_by_action_tracked(tracked(perms)))
}

/// Step 2: group by the JSON text of the resource; the actions are united (split on `,`,
/// first-seen order).
pub fn consolidate_by_resource(perms: Vec<Perm>) -> Vec<Perm> {
    untracked(consolidate_by_resource_tracked(tracked(perms)))
}

fn tracked(perms: Vec<Perm>) -> Vec<Tracked> {
    perms
        .into_iter()
        .map(|perm| Tracked {
            perm,
            sources: Vec::new(),
        })
        .collect()
}

fn untracked(perms: Vec<Tracked>) -> Vec<Perm> {
    perms.into_iter().map(|t| t.perm).collect()
}

/// [`consolidate_by_action`], carrying each permission's causes into its group.
pub fn consolidate_by_action_tracked(perms: Vec<Tracked>) -> Vec<Tracked> {
    let mut groups: Vec<(String, ActionGroup)> = Vec::new();
    for t in perms {
        let items: Vec<Value> = match t.perm.resource {
            Value::Array(a) => a,
            other => vec![other],
        };
        let slot = match groups.iter().position(|(a, _)| *a == t.perm.action) {
            Some(i) => &mut groups[i].1,
            None => {
                groups.push((t.perm.action.clone(), (Vec::new(), Vec::new())));
                &mut groups.last_mut().expect("just pushed").1
            }
        };
        slot.0.extend(items);
        union(&mut slot.1, &t.sources);
    }
    js::js_object_order(groups)
        .into_iter()
        .map(|(action, (items, sources))| {
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
            Tracked {
                perm: Perm { action, resource },
                sources,
            }
        })
        .collect()
}

/// [`consolidate_by_resource`], carrying each permission's causes into its group.
pub fn consolidate_by_resource_tracked(perms: Vec<Tracked>) -> Vec<Tracked> {
    let mut groups: Vec<(String, ResourceGroup)> = Vec::new();
    for t in perms {
        let key = to_compact(&t.perm.resource);
        let slot = match groups.iter().position(|(k, _)| *k == key) {
            Some(i) => &mut groups[i].1,
            None => {
                groups.push((key, (t.perm.resource.clone(), Vec::new(), Vec::new())));
                &mut groups.last_mut().expect("just pushed").1
            }
        };
        for a in t.perm.action.split(',') {
            if !slot.1.iter().any(|x| x == a) {
                slot.1.push(a.to_string());
            }
        }
        union(&mut slot.2, &t.sources);
    }
    js::js_object_order(groups)
        .into_iter()
        .map(|(_, (resource, actions, sources))| Tracked {
            perm: Perm {
                action: actions.join(","),
                resource,
            },
            sources,
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
            .map(|(k, e)| (k.to_string(), e.key_span, &e.value))
            .collect(),
        Some(Kind::Seq(v)) => v
            .iter()
            .enumerate()
            .map(|(i, x)| (i.to_string(), x.span, x))
            .collect(),
        _ => Vec::new(),
    }
}

/// `path > name` (or `name` at the top).
fn child(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix} > {name}")
    }
}

/// `getTaskStates`: Tasks, Parallel branches, Map processors (then the Distributed Map's own
/// start-execution permission, ItemReader, ResultWriter). False when the plugin would crash.
/// `prefix` is the path of the states' scope (`Fanout > Branches[0]`), empty at the top.
fn task_states(
    states: Vec<(String, Span, &Node)>,
    prefix: &str,
    sm_name: &str,
    out: &mut Vec<TaskState>,
    diags: &mut Diags,
) -> bool {
    let scoped = states
        .into_iter()
        .map(|(name, span, n)| (name, prefix.to_string(), span, n))
        .collect();
    task_states_in(scoped, sm_name, out, diags)
}

/// [`task_states`] over states that each carry their scope's path (a Parallel's branches are
/// flattened into one list, as the plugin does, each state keeping its branch).
fn task_states_in(
    states: Vec<(String, String, Span, &Node)>,
    sm_name: &str,
    out: &mut Vec<TaskState>,
    diags: &mut Diags,
) -> bool {
    let mut ok = true;
    for (name, prefix, span, state) in states {
        let path = child(&prefix, &name);
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
            Some("Task") => out.push(task(state, name, path, StateKind::Task, span)),
            Some("Parallel") => {
                let mut inner: Vec<(String, String, Span, &Node)> = Vec::new();
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
                    let branch_path = child(&path, &format!("Branches[{bi}]"));
                    inner.extend(
                        entries(branch.get("States"))
                            .into_iter()
                            .map(|(n, s, x)| (n, branch_path.clone(), s, x)),
                    );
                }
                ok &= task_states_in(inner, sm_name, out, diags);
            }
            Some("Map") => {
                let processor = state.get("ItemProcessor").filter(|p| p.is_truthy());
                let (inner, wrapper) = match processor {
                    Some(p) => (p.get("States"), "ItemProcessor"),
                    None => match state.get("Iterator").filter(|i| !i.is_null()) {
                        Some(i) => (i.get("States"), "Iterator"),
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
                ok &= task_states(entries(inner), &child(&path, wrapper), sm_name, out, diags);
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
                        path: path.clone(),
                        kind: StateKind::DistributedMap,
                    });
                }
                for (part, kind) in [
                    ("ItemReader", StateKind::ItemReader),
                    ("ResultWriter", StateKind::ResultWriter),
                ] {
                    if let Some(p) = state.get(part).filter(|p| p.is_truthy()) {
                        let pspan = state
                            .as_map()
                            .and_then(|m| m.key_span(part))
                            .unwrap_or(span);
                        out.push(task(
                            p,
                            format!("{name}.{part}"),
                            child(&path, part),
                            kind,
                            pspan,
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    ok
}

fn task(state: &Node, name: String, path: String, kind: StateKind, span: Span) -> TaskState {
    TaskState {
        state: state.to_json(),
        span,
        resource_span: state.get("Resource").map(|r| r.span),
        params: ["Parameters", "Arguments"]
            .iter()
            .filter_map(|c| state.get(c).and_then(Node::as_map))
            .flat_map(|m| m.iter().map(|(k, e)| (k.to_string(), e.value.span)))
            .collect(),
        name,
        path,
        kind,
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

fn note_diag(n: &Note, task: &TaskState, mode: IamMode) -> Diag {
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
        Note::NotDerived => {
            let sdk = aws_sdk::sdk_task(&resource).is_some();
            let label = if mode == IamMode::Complete {
                "neither serverless-step-functions nor `stepFunctions.iam: complete` knows this integration"
            } else {
                "serverless-step-functions does not know this integration"
            };
            let help = if resource.contains("#{") {
                "the plugin recognises task ARNs starting `arn:aws:` (any partition) or `arn:${AWS::Partition}:`, not `#{...}`; write the ARN so, or grant what the task needs with `iamRoleStatements`".to_string()
            } else if sdk && mode == IamMode::Plugin {
                "set `stepFunctions.iam: complete` to have slsx derive it (an slsx extension), or grant what the task needs with `iamRoleStatements` on this state machine (or give it a `role`)".to_string()
            } else if mode == IamMode::Complete && resource.contains(":aws-sdk:") {
                "Step Functions calls SDK integrations as `arn:aws:states:::aws-sdk:<service>:<apiName>` with an optional `.waitForTaskToken` (no `.sync`); fix the resource, or grant what the task needs with `iamRoleStatements`".to_string()
            } else {
                "grant what the task needs with `iamRoleStatements` on this state machine (or give it a `role`)".to_string()
            };
            Diag::warning(
                &NOT_DERIVED,
                format!("no IAM permission is derived for Task `{}` (`{resource}`)", task.name),
            )
            .label(at, label)
            .help(help)
        }
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
