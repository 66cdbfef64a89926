//! serverless-step-functions' `package:compileFunctions` hook: execution roles, state
//! machines, activities, alarms and notifications (spec `step-functions-plugin.md` §1, §2).
//!
//! The plugin's steps run in its order, each over every machine in `stateMachines` order, so
//! the template gets all roles first, then all machines, activities, alarms and notification
//! resources (§0.3):
//!
//! - [`schema`]: the plugin's Joi rules as located diagnostics;
//! - [`iam`] + [`iam_table`]: the generated execution role per machine;
//! - [`definition`]: `definition` → `DefinitionString`, checked by [`crate::asl`] (slsx's
//!   States Language checker, which stands in for the plugin's validator);
//! - [`activities`], [`alarms`], [`notifications`].
//!
//! Where the plugin crashes on a config, slsx reports a located error instead; where it only
//! logs, slsx reports a located warning and writes what the plugin writes.

pub mod activities;
pub mod alarms;
pub mod aws_sdk;
pub mod definition;
pub mod iam;
pub mod iam_table;
pub mod notifications;
pub mod schema;

use serde_json::Value;

use super::naming;
use super::{Ctx, Template, js};
use crate::declare_codes;
use crate::diagnostics::{Code, Diag, Diags};
use crate::source::Span;
use crate::yaml::{Kind, Node, js_to_string};

declare_codes! { CODES;
    STATE_MACHINES_NOT_OBJECT = "slsx::sfn::state-machines-not-object", "`stepFunctions.stateMachines` is not an object (the plugin aborts).";
    ACTIVITIES_NOT_ARRAY = "slsx::sfn::activities-not-array", "`stepFunctions.activities` is not a list (the plugin aborts).";
    MACHINE_NOT_OBJECT = "slsx::sfn::machine-not-object", "A state machine entry is not an object (the plugin crashes).";
    DUPLICATE_LOGICAL_ID = "slsx::sfn::duplicate-logical-id", "Two state machines get the same logical ID; the plugin deep-merges them into one resource.";
    BAD_GETATT = "slsx::sfn::bad-getatt", "An `Fn::GetAtt` that is neither a list nor a string (the plugin crashes on it).";
    GETATT_STRING = "slsx::sfn::getatt-string", "A long-form `Fn::GetAtt: \"Res.Attr\"` string, which the plugin splits into characters.";
    BAD_IAM_MODE = "slsx::sfn::bad-iam-mode", "`stepFunctions.iam` (an slsx option) is neither `plugin` nor `complete`.";
}

/// Every code of the step-functions compiler.
pub fn codes() -> Vec<&'static Code> {
    let lists: &[&[&'static Code]] = &[
        CODES,
        schema::CODES,
        definition::CODES,
        iam::CODES,
        activities::CODES,
        alarms::CODES,
        notifications::CODES,
    ];
    lists.iter().flat_map(|l| l.iter().copied()).collect()
}

/// One entry of `stepFunctions.stateMachines`.
pub struct Machine<'a> {
    /// The YAML key.
    pub key: &'a str,
    pub key_span: Span,
    /// The machine's object.
    pub node: &'a Node,
    /// `SM`: `Norm(id || name)` or `Norm(key) + "StepFunctionsStateMachine"`.
    pub logical_id: String,
    /// The output's id: `SM`-style + `Arn`.
    pub output_id: String,
    /// `smName`: `name || key`.
    pub name: String,
    /// The machine passed the schema check.
    pub valid: bool,
}

impl<'a> Machine<'a> {
    pub fn get(&self, key: &str) -> Option<&'a Node> {
        self.node.get(key)
    }

    /// The span of an option's key, else of the machine's key.
    pub fn key_span_of(&self, key: &str) -> Span {
        self.node
            .as_map()
            .and_then(|m| m.key_span(key))
            .unwrap_or(self.key_span)
    }

    /// JavaScript truthiness of an option.
    pub fn truthy(&self, key: &str) -> bool {
        self.get(key).is_some_and(Node::is_truthy)
    }

    /// The option is exactly the boolean `true` (the plugin's `=== true`).
    pub fn is_true(&self, key: &str) -> bool {
        self.get(key).and_then(Node::as_bool) == Some(true)
    }
}

/// A truthy option as the string the plugin would see (`String(v)`).
fn truthy_string(n: Option<&Node>) -> Option<String> {
    n.filter(|n| n.is_truthy()).map(js_to_string)
}

impl<'a> Machine<'a> {
    fn new(key: &'a str, key_span: Span, node: &'a Node) -> Machine<'a> {
        let id = truthy_string(node.get("id"));
        let name = truthy_string(node.get("name"));
        let logical_id = naming::state_machine_logical_id(key, id.as_deref(), name.as_deref());
        let output_id =
            naming::state_machine_output_logical_id(key, id.as_deref(), name.as_deref());
        Machine {
            key,
            key_span,
            node,
            logical_id,
            output_id,
            name: name.unwrap_or_else(|| key.to_string()),
            valid: true,
        }
    }
}

/// `stepFunctions` options the steps share.
pub struct Options {
    /// `stepFunctions.validate` is truthy.
    pub validate: bool,
    /// `stepFunctions.noOutput === true`.
    pub no_output: bool,
    /// `stepFunctions.iam` (slsx's own option).
    pub iam: IamMode,
}

/// How execution roles are derived: `stepFunctions.iam`, an slsx option the plugin and the
/// framework ignore (the plugin's schema for `stepFunctions` allows other keys).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum IamMode {
    /// `plugin` (the default): exactly what serverless-step-functions derives.
    #[default]
    Plugin,
    /// `complete`: also the permissions of the AWS SDK integrations the plugin derives
    /// nothing for ([`aws_sdk`]).
    Complete,
}

impl IamMode {
    pub fn as_str(self) -> &'static str {
        match self {
            IamMode::Plugin => "plugin",
            IamMode::Complete => "complete",
        }
    }
}

/// `stepFunctions.iam`: `plugin` (or absent, or null) or `complete`; anything else is an error.
fn iam_mode(sf: &Node, diags: &mut Diags) -> IamMode {
    let Some(v) = sf.get("iam").filter(|v| !v.is_null()) else {
        return IamMode::Plugin;
    };
    match v.as_str() {
        Some("plugin") => IamMode::Plugin,
        Some("complete") => IamMode::Complete,
        _ => {
            let key = sf
                .as_map()
                .and_then(|m| m.key_span("iam"))
                .unwrap_or(v.span);
            diags.push(
                Diag::error(
                    &BAD_IAM_MODE,
                    format!(
                        "`stepFunctions.iam` is {}, not `plugin` or `complete`",
                        match v.as_str() {
                            Some(s) => format!("\"{s}\""),
                            None => article(v).to_string(),
                        }
                    ),
                )
                .label(v.span, "expected `plugin` or `complete`")
                .secondary(key, "slsx's option for deriving execution roles")
                .help("`plugin` (the default) derives exactly what serverless-step-functions derives; `complete` also derives the permissions of the AWS SDK integrations (`arn:aws:states:::aws-sdk:...`) the plugin leaves out"),
            );
            IamMode::Plugin
        }
    }
}

/// Runs the plugin's compileFunctions steps in its order.
pub fn compile_functions_hook(ctx: &Ctx, t: &mut Template, diags: &mut Diags) {
    let Some(sf) = ctx.config.get("stepFunctions") else {
        return;
    };
    let opts = Options {
        validate: sf.get("validate").is_some_and(Node::is_truthy),
        no_output: sf.get("noOutput").and_then(Node::as_bool) == Some(true),
        iam: iam_mode(sf, diags),
    };
    let mut machines = collect_machines(sf, diags);
    for m in machines.iter_mut() {
        m.valid = schema::check_machine(ctx, m, diags);
    }
    report_duplicate_ids(&machines, diags);

    // compileIamRole
    for m in machines.iter().filter(|m| m.valid) {
        iam::compile_role(ctx, m, &opts, t, diags);
    }
    // compileStateMachines
    for m in machines.iter().filter(|m| m.valid) {
        definition::compile_machine(ctx, m, &opts, t, diags);
    }
    activities::compile(sf, t, diags);
    alarms::compile(ctx, &machines, t, diags);
    notifications::compile(ctx, &machines, t, diags);
}

/// The logical IDs of every state machine and activity the step-functions compiler writes,
/// including those it writes after the roles (for references from a definition).
pub fn declared_logical_ids(ctx: &Ctx) -> Vec<String> {
    let mut out = Vec::new();
    let Some(sf) = ctx.config.get("stepFunctions") else {
        return out;
    };
    if let Some(machines) = sf.get("stateMachines").and_then(Node::as_map) {
        for (key, e) in machines.iter() {
            if e.value.as_map().is_some() {
                out.push(Machine::new(key, e.key_span, &e.value).logical_id);
            }
        }
    }
    if let Some(Kind::Seq(items)) = sf.get("activities").map(|a| &a.kind) {
        out.extend(
            items
                .iter()
                .filter_map(Node::as_str)
                .map(naming::activity_logical_id),
        );
    }
    out
}

/// `stateMachines` as the plugin reads it: a falsy value is `{}`, anything but a plain object
/// aborts.
fn collect_machines<'a>(sf: &'a Node, diags: &mut Diags) -> Vec<Machine<'a>> {
    let Some(sm) = sf.get("stateMachines").filter(|n| n.is_truthy()) else {
        return Vec::new();
    };
    let Some(map) = sm.as_map() else {
        diags.push(
            Diag::error(
                &STATE_MACHINES_NOT_OBJECT,
                format!("`stepFunctions.stateMachines` is {}, not an object", article(sm)),
            )
            .label(sm.span, "expected a mapping of machine names to machines")
            .help("write `stateMachines:` followed by `<name>: {definition: ...}` entries (the plugin stops with \"stateMachines property is not an object\")"),
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, e) in map.iter() {
        if e.value.as_map().is_none() {
            diags.push(
                Diag::error(
                    &MACHINE_NOT_OBJECT,
                    format!("state machine `{key}` is {}, not an object", article(&e.value)),
                )
                .label(e.value.span, "expected the machine's options (`definition`, ...)")
                .secondary(e.key_span, "this state machine")
                .help("every entry under `stateMachines` needs at least `definition:` (the plugin crashes on anything else)"),
            );
            continue;
        }
        out.push(Machine::new(key, e.key_span, &e.value));
    }
    out
}

fn report_duplicate_ids(machines: &[Machine], diags: &mut Diags) {
    for (i, m) in machines.iter().enumerate() {
        if let Some(first) = machines[..i].iter().find(|o| o.logical_id == m.logical_id) {
            diags.push(
                Diag::warning(
                    &DUPLICATE_LOGICAL_ID,
                    format!(
                        "state machines `{}` and `{}` both get the logical ID `{}`",
                        first.key, m.key, m.logical_id
                    ),
                )
                .label(
                    m.key_span,
                    "this machine is deep-merged into the earlier one",
                )
                .secondary(first.key_span, "the first machine with this logical ID")
                .help("give one of them another `name` or an explicit `id`"),
            );
        }
    }
}

/// "a string", "a list", ... for messages.
pub fn article(n: &Node) -> &'static str {
    match n.kind {
        Kind::Null => "null",
        Kind::Bool(_) => "a boolean",
        Kind::Number(_) => "a number",
        Kind::String(_) => "a string",
        Kind::Seq(_) => "a list",
        Kind::Map(_) => "an object",
    }
}

// ---------------------------------------------------------------------------------------------
// Local functions (spec §1.4)

/// The `functions` entry a plugin lookup `_.has(functions, key)` finds: the key itself, else
/// the key read as a dotted path.
fn functions_has(ctx: &Ctx, key: &str) -> bool {
    let Some(functions) = ctx.config.get("functions") else {
        return false;
    };
    if ctx.function(key).is_some() {
        return true;
    }
    if !key.contains('.') {
        return false;
    }
    let mut cur = functions;
    for (i, part) in key.split('.').enumerate() {
        let next = match &cur.kind {
            Kind::Map(m) => m.get(part),
            Kind::Seq(v) => part.parse::<usize>().ok().and_then(|i| v.get(i)),
            _ => None,
        };
        match next {
            // the framework deletes null functions
            Some(n) if !(i == 0 && n.is_null()) => cur = n,
            _ => return false,
        }
    }
    true
}

/// A function's deployed name as the plugin sees it (`functions.<key>.name` after the
/// framework defaulted it): `None` when the user set a non-string name.
pub fn deployed_function_name(ctx: &Ctx, key: &str) -> Option<String> {
    let f = ctx.function(key)?;
    match f.get("name") {
        Some(n) if n.is_truthy() => n.as_str().map(str::to_string),
        _ => Some(format!("{}-{}-{}", ctx.service, ctx.stage, key)),
    }
}

/// `translateLocalFunctionNames`' id rule: a function key that is not already a logical ID
/// in the template becomes the function's Lambda logical ID.
fn translate_id(ctx: &Ctx, t: &Template, id: &Value) -> Value {
    if let Value::String(s) = id {
        let in_resources = t.resources().lodash_has(s);
        if !in_resources && functions_has(ctx, s) {
            return Value::String(naming::lambda_logical_id(s));
        }
    }
    id.clone()
}

/// The plugin crashed: `Fn::GetAtt` is neither a list nor a string.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GetAttNotIterable;

/// `translateLocalFunctionNames`: `{Ref: fn}` / `{Fn::GetAtt: [fn, attr]}` to a local
/// function key become the Lambda logical ID; any other value is returned as is. Extra keys
/// of a `Ref`/`GetAtt` object are dropped, and a string `Fn::GetAtt` is split into its
/// characters (JS destructuring), as the plugin does.
pub fn translate_local_function_names(
    ctx: &Ctx,
    t: &Template,
    v: &Value,
) -> Result<Value, GetAttNotIterable> {
    let Some(o) = v.as_object() else {
        return Ok(v.clone());
    };
    if let Some(r) = o.get("Ref") {
        return Ok(js::obj([("Ref", translate_id(ctx, t, r))]));
    }
    if let Some(g) = o.get("Fn::GetAtt") {
        let (id, attr) = getatt_pair(g)?;
        return Ok(js::obj([(
            "Fn::GetAtt",
            Value::Array(vec![translate_id(ctx, t, &id), attr]),
        )]));
    }
    Ok(v.clone())
}

/// `const [logicalId, prop] = value['Fn::GetAtt']`; `undefined` items become `null`.
pub fn getatt_pair(g: &Value) -> Result<(Value, Value), GetAttNotIterable> {
    match g {
        Value::Array(a) => Ok((
            a.first().cloned().unwrap_or(Value::Null),
            a.get(1).cloned().unwrap_or(Value::Null),
        )),
        Value::String(s) => {
            let mut c = s.chars().map(|c| Value::String(c.to_string()));
            Ok((
                c.next().unwrap_or(Value::Null),
                c.next().unwrap_or(Value::Null),
            ))
        }
        _ => Err(GetAttNotIterable),
    }
}

/// `resolveLambdaFunctionName`: a `{Ref}` to a local function (by key or by Lambda logical
/// ID) whose name is a string gives that name.
pub fn resolve_lambda_function_name(ctx: &Ctx, v: &Value) -> Option<String> {
    let r = v.as_object()?.get("Ref")?;
    let r = r.as_str()?;
    let key = if functions_has(ctx, r) {
        r.to_string()
    } else {
        ctx.function_by_lambda_id(r, false)?.to_string()
    };
    deployed_function_name(ctx, &key)
}

/// `arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:<name>`.
pub fn static_lambda_arn(name: &str) -> String {
    format!("arn:${{AWS::Partition}}:lambda:${{AWS::Region}}:${{AWS::AccountId}}:function:{name}")
}

/// Where the plugin runs `translateLocalFunctionNames`: on the outermost intrinsics of a
/// definition (it does not look inside an intrinsic), or on every object with a truthy `Ref`
/// or `Fn::GetAtt` of a notification target (it looks inside `Fn::Sub` and the like).
#[derive(Clone, Copy, PartialEq)]
pub enum Translated {
    Definition,
    NotificationTargets,
}

/// Warns about every long-form `Fn::GetAtt: "Res.Attr"` string the plugin translates (it is
/// split into characters) and reports every `Fn::GetAtt` it cannot destructure (it crashes).
/// False when there was such an error.
pub fn check_getatts(node: &Node, walk: Translated, diags: &mut Diags) -> bool {
    let mut ok = true;
    visit_getatts(node, walk, diags, &mut ok);
    ok
}

fn visit_getatts(n: &Node, walk: Translated, diags: &mut Diags, ok: &mut bool) {
    match &n.kind {
        Kind::Map(m) => {
            let translated = match walk {
                Translated::Definition => n.is_intrinsic(),
                Translated::NotificationTargets => {
                    m.get("Ref").is_some_and(Node::is_truthy)
                        || m.get("Fn::GetAtt").is_some_and(Node::is_truthy)
                }
            };
            if !translated {
                for v in m.values() {
                    visit_getatts(v, walk, diags, ok);
                }
                return;
            }
            let Some(g) = m.get("Fn::GetAtt").filter(|_| !m.contains_key("Ref")) else {
                return;
            };
            let what = match walk {
                Translated::Definition => "definition",
                Translated::NotificationTargets => "notification target",
            };
            match &g.kind {
                Kind::Seq(_) => {}
                Kind::String(s) => {
                    let mut c = s
                        .chars()
                        .map(|c| crate::emit::json::to_compact(&Value::String(c.to_string())));
                    let a = c.next().unwrap_or_else(|| "null".into());
                    let b = c.next().unwrap_or_else(|| "null".into());
                    diags.push(
                        Diag::warning(
                            &GETATT_STRING,
                            format!("`Fn::GetAtt: \"{s}\"` is split into characters by the plugin"),
                        )
                        .label(g.span, format!("written to the {what} as `{{\"Fn::GetAtt\": [{a}, {b}]}}`"))
                        .help("use the list form `!GetAtt Res.Attr` or `Fn::GetAtt: [Res, Attr]`; the plugin destructures the value as a list"),
                    );
                }
                _ => {
                    *ok = false;
                    diags.push(
                        Diag::error(&BAD_GETATT, format!("`Fn::GetAtt` is {}, not a list", article(g)))
                            .label(g.span, "expected `[LogicalId, Attribute]`")
                            .help("write `!GetAtt LogicalId.Attribute` (the plugin crashes on this value)"),
                    );
                }
            }
        }
        Kind::Seq(v) => {
            for x in v {
                visit_getatts(x, walk, diags, ok);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn getatt_destructuring() {
        let (a, b) = getatt_pair(&Value::String("hello.Arn".into())).unwrap();
        assert_eq!((a, b), (Value::from("h"), Value::from("e")));
        let (a, b) = getatt_pair(&serde_json::json!(["x"])).unwrap();
        assert_eq!((a, b), (Value::from("x"), Value::Null));
        assert!(getatt_pair(&serde_json::json!({"a": 1})).is_err());
    }

    #[test]
    fn static_arn() {
        assert_eq!(
            static_lambda_arn("svc-dev-hello"),
            "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:svc-dev-hello"
        );
    }
}
