//! What the framework's function event compilers share: the function's ARN as targets name
//! it, the `DependsOn` of event source mappings, statements for `IamRoleLambdaExecution`,
//! `filterPatterns`, the names the framework derives from intrinsic ARNs, logical IDs two
//! events share, and the schema ranges the framework only warns about.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::compile::{Ctx, Template, naming};
use crate::declare_codes;
use crate::diagnostics::{Diag, Diags};
use crate::source::Span;
use crate::yaml::{Kind, Node, js_to_string};

declare_codes! { CODES;
    MISSING_ROLE = "slsx::fn-events::missing-role", "An event resource depends on `IamRoleLambdaExecution`, which the template does not have (the function's role is an intrinsic the framework does not recognise).";
    MERGED = "slsx::fn-events::merged", "Two events of a function compile to the same logical ID: the framework merges the second into the first.";
    SCHEMA = "slsx::fn-events::schema", "An event option outside the values the framework's schema allows (the framework only warns; the deploy fails).";
    BAD_FILTER_PATTERNS = "slsx::fn-events::bad-filter-patterns", "`filterPatterns` that is not a list (the framework crashes on it).";
    NOT_AN_ARN = "slsx::fn-events::not-an-arn", "An event source given as a string that is not an ARN.";
    UNNAMED_SOURCE = "slsx::fn-events::unnamed-source", "An event source ARN given in a form the framework cannot take a name from (it crashes).";
}

/// `resolveLambdaTarget`: `{"Fn::GetAtt": ["<NF>LambdaFunction", "Arn"]}`, joined with the
/// alias name when the function has one (see [`crate::compile::aliases`]).
pub(crate) fn lambda_arn(ctx: &Ctx, fkey: &str) -> Value {
    crate::compile::aliases::lambda_target(ctx, fkey)
}

/// `AWS::Lambda::Permission` for `principal` to invoke the function (its alias when it has
/// one, with `DependsOn` on it), from `source_arn` when given (the properties in the
/// framework's usual order: FunctionName, Action, Principal, SourceArn).
pub(crate) fn invoke_permission(
    ctx: &Ctx,
    fkey: &str,
    principal: &str,
    source_arn: Option<Value>,
) -> Value {
    let mut props = serde_json::Map::new();
    props.insert("FunctionName".into(), lambda_arn(ctx, fkey));
    props.insert("Action".into(), json!("lambda:InvokeFunction"));
    props.insert("Principal".into(), json!(principal));
    if let Some(a) = source_arn {
        props.insert("SourceArn".into(), a);
    }
    let mut permission = json!({"Type": "AWS::Lambda::Permission", "Properties": props});
    crate::compile::aliases::depend_on_alias(ctx, fkey, &mut permission);
    permission
}

/// The function's custom execution role (`getCustomExecutionRole`): its `role`, else an
/// existing `provider.iam.role`, else `provider.role`.
fn custom_role<'a>(ctx: &Ctx<'a>, f: &'a Node) -> Option<&'a Node> {
    if let Some(r) = super::truthy(f, "role") {
        return Some(r);
    }
    if let Some(r) = ctx.provider_at(&["iam", "role"])
        && (r.as_str().is_some()
            || r.as_map()
                .is_some_and(|m| m.keys().any(|k| k.contains("::"))))
    {
        return Some(r);
    }
    ctx.provider_at(&["role"]).filter(|r| r.is_truthy())
}

/// `resolveFunctionIamRoleResourceName`: the role resource an event source mapping must wait
/// for. A role logical ID or `Fn::GetAtt [id, Arn]` names it; an ARN, `Fn::ImportValue`, `Ref`
/// or `Fn::Sub` names none; anything else (no custom role, or another intrinsic) names
/// `IamRoleLambdaExecution`.
pub(crate) fn role_resource_name(ctx: &Ctx, f: &Node) -> Option<String> {
    let Some(role) = custom_role(ctx, f) else {
        return Some(naming::ROLE_LAMBDA_EXECUTION.into());
    };
    if let Some(s) = role.as_str() {
        return (!s.contains(':')).then(|| s.to_string());
    }
    if let Some(items) = role.get("Fn::GetAtt").and_then(Node::as_seq)
        && let [
            Node {
                kind: Kind::String(id),
                ..
            },
            Node {
                kind: Kind::String(attr),
                ..
            },
        ] = items
        && attr == "Arn"
    {
        return Some(id.to_string());
    }
    if ["Fn::ImportValue", "Ref", "Fn::Sub"]
        .iter()
        .any(|k| super::truthy(role, k).is_some())
    {
        return None;
    }
    Some(naming::ROLE_LAMBDA_EXECUTION.into())
}

/// The `DependsOn` of an event source mapping: the role resource (see
/// [`role_resource_name`]), then the function's alias when it has one. When the role is
/// `IamRoleLambdaExecution` but the template will not have it (every function has its own
/// role), the deploy fails: slsx warns at `event`.
pub(crate) fn mapping_depends_on(
    ctx: &Ctx,
    t: &Template,
    fkey: &str,
    f: &Node,
    event: Span,
    diags: &mut Diags,
) -> Vec<Value> {
    let mut list = Vec::new();
    if let Some(role) = role_resource_name(ctx, f) {
        if role == naming::ROLE_LAMBDA_EXECUTION
            && !t.has_resource(&role)
            && ctx
                .config
                .at(&["resources", "Resources", naming::ROLE_LAMBDA_EXECUTION])
                .is_none()
        {
            let role_span = f.get("role").map(|r| r.span).unwrap_or(Span::NONE);
            diags.push(
                Diag::warning(
                    &MISSING_ROLE,
                    format!(
                        "this event's resource depends on `{role}`, which the template does not have"
                    ),
                )
                .label(event, format!("compiled with `DependsOn: [{role}]`"))
                .secondary(
                    role_span,
                    format!("the role of function `{fkey}`: not a form the framework recognises"),
                )
                .help(
                    "the framework names the default role when a function's `role` is neither a \
                     logical ID, `Fn::GetAtt [<id>, Arn]`, an ARN, `Fn::ImportValue`, `Ref` nor \
                     `Fn::Sub`; CloudFormation rejects the dependency on a missing resource. Give \
                     the role in one of those forms",
                ),
            );
        }
        list.push(Value::String(role));
    }
    list.extend(crate::compile::aliases::alias_logical_id(ctx, fkey).map(Value::String));
    list
}

/// Appends a statement to the policy of `IamRoleLambdaExecution`, when the template has it
/// (the framework adds event permissions to its own role only).
pub(crate) fn add_role_statement(t: &mut Template, statement: Value) {
    if let Some(list) = t
        .resources_mut()
        .get_mut(naming::ROLE_LAMBDA_EXECUTION)
        .and_then(|r| r.pointer_mut("/Properties/Policies/0/PolicyDocument/Statement"))
        .and_then(Value::as_array_mut)
    {
        list.push(statement);
    }
}

/// `{Effect: Allow, Action: [actions], Resource: [resources]}`.
pub(crate) fn allow(actions: &[&str], resources: Vec<Value>) -> Value {
    json!({"Effect": "Allow", "Action": actions, "Resource": resources})
}

/// `filterPatterns` → `{Filters: [{Pattern: JSON.stringify(p)}, …]}` (`Ok(None)` without
/// them; `Err` after an error).
pub(crate) fn filter_criteria(ev: &Node, diags: &mut Diags) -> Result<Option<Value>, ()> {
    let Some(fp) = super::truthy(ev, "filterPatterns") else {
        return Ok(None);
    };
    let Some(items) = fp.as_seq() else {
        diags.push(
            Diag::error(&BAD_FILTER_PATTERNS, "`filterPatterns` must be a list of patterns")
                .label(fp.span, super::a_kind(fp))
                .help("write one event pattern per item: `filterPatterns: [{body: {kind: [order]}}]` (the framework crashes on anything but a list)"),
        );
        return Err(());
    };
    for p in items {
        if p.as_map().is_none() {
            diags.push(
                Diag::warning(&SCHEMA, "a filter pattern should be a mapping")
                    .label(p.span, super::a_kind(p))
                    .help("Lambda reads each filter as a JSON event pattern object, e.g. `{body: {kind: [order]}}`; the framework writes this value's JSON text and the deploy fails"),
            );
        }
    }
    if items.is_empty() || items.len() > 10 {
        diags.push(
            Diag::warning(&SCHEMA, format!("{} filter patterns; Lambda takes 1 to 10", items.len()))
                .label(fp.span, "the framework's schema allows 1 to 10 items")
                .help("an empty list gives an empty `FilterCriteria`, which Lambda rejects; more than 10 are rejected too"),
        );
    }
    let filters: Vec<Value> = items
        .iter()
        .map(|p| json!({"Pattern": crate::emit::json::to_compact(&p.to_json())}))
        .collect();
    Ok(Some(json!({"Filters": filters})))
}

/// The name the framework takes from an intrinsic event source ARN, for a logical ID:
/// `Fn::GetAtt` → the resource (`[0]`), `Fn::ImportValue` → the export name, `Ref` (only
/// where `with_ref`) → the referenced name, `Fn::Join` → the last joined item. Each key counts
/// when its value is truthy, checked in that order; the key is returned with the name. `None`
/// when `arn` is not a mapping; an error message when it is one the framework cannot name (it
/// crashes).
pub(crate) fn intrinsic_source_name(
    arn: &Node,
    with_ref: bool,
) -> Option<Result<(&'static str, String), String>> {
    arn.as_map()?;
    let keys: &[&str] = if with_ref {
        &["Fn::GetAtt", "Fn::ImportValue", "Ref", "Fn::Join"]
    } else {
        &["Fn::GetAtt", "Fn::ImportValue", "Fn::Join"]
    };
    let Some((key, v)) = keys
        .iter()
        .find_map(|k| super::truthy(arn, k).map(|v| (*k, v)))
    else {
        let forms = if with_ref {
            "`Fn::GetAtt`, `Fn::ImportValue`, `Ref` or `Fn::Join`"
        } else {
            "`Fn::GetAtt`, `Fn::ImportValue` or `Fn::Join`"
        };
        return Some(Err(format!("it takes the name from {forms} only")));
    };
    let name = match (key, &v.kind) {
        ("Fn::GetAtt", Kind::Seq(items)) => items.first().and_then(Node::as_str),
        // `'Queue.Arn'[0]`: JavaScript indexes the string
        ("Fn::GetAtt", Kind::String(s)) => {
            return Some(Ok((
                key,
                s.chars().next().map(String::from).unwrap_or_default(),
            )));
        }
        ("Fn::Join", Kind::Seq(items)) => items
            .get(1)
            .and_then(Node::as_seq)
            .and_then(|parts| parts.last())
            .and_then(Node::as_str),
        (_, Kind::String(s)) => Some(s.as_str()),
        _ => None,
    };
    Some(match name {
        Some(n) => Ok((key, n.to_string())),
        None => Err(match key {
            "Fn::GetAtt" => "its `Fn::GetAtt` does not start with a resource name".to_string(),
            "Fn::Join" => "the last item it joins is not a string".to_string(),
            k => format!("its `{k}` is not a string"),
        }),
    })
}

/// What an event source mapping's event names: its kind (`sqs`), the source (`queue`), the
/// compiler's code for an unusable event, and the help that shows the forms.
pub(crate) struct SourceEvent {
    pub kind: &'static str,
    pub source: &'static str,
    pub code: &'static crate::diagnostics::Code,
    pub help: &'static str,
}

/// The source ARN of an event source mapping's event: the event itself when it is a string,
/// else its `arn`, which must be a string or an intrinsic (`None` after an error; the
/// framework crashes on these).
pub(crate) fn source_arn<'a>(
    e: &SourceEvent,
    fkey: &str,
    ev: &'a Node,
    diags: &mut Diags,
) -> Option<&'a Node> {
    let (kind, source) = (e.kind, e.source);
    let (arn, span, message) = match &ev.kind {
        Kind::String(_) => return Some(ev),
        Kind::Map(_) => match ev.get("arn").filter(|a| !a.is_null()) {
            Some(a) if matches!(a.kind, Kind::String(_) | Kind::Map(_)) => return Some(a),
            Some(a) => (
                a,
                a.span,
                format!("the {source} `arn` must be an ARN or a CloudFormation intrinsic"),
            ),
            None => (
                ev,
                ev.span,
                format!("{kind} event of function `{fkey}` has no `arn`"),
            ),
        },
        _ => (
            ev,
            ev.span,
            format!("{kind} event of function `{fkey}` is neither a {source} ARN nor a mapping"),
        ),
    };
    let label = if arn.span == ev.span && ev.as_map().is_some() {
        format!("needs `arn:` (the {source})")
    } else {
        super::a_kind(arn).to_string()
    };
    diags.push(Diag::error(e.code, message).label(span, label).help(e.help));
    None
}

/// Warns when an event source given as a string (`source`: `queue`, `stream`, …) is not an
/// ARN: the framework's schema only warns, and CloudFormation rejects it.
pub(crate) fn check_arn(arn: &Node, source: &str, diags: &mut Diags) {
    if let Some(s) = arn.as_str()
        && !s.starts_with("arn:")
    {
        diags.push(
            Diag::warning(&NOT_AN_ARN, format!("`{s}` is not a {source} ARN"))
                .label(arn.span, format!("Lambda needs the {source}'s ARN here"))
                .help(format!(
                    "the framework's schema only warns about this and writes the value as it is, which CloudFormation rejects; give the {source}'s ARN (`arn:aws:…`) or a `!GetAtt` of its resource"
                )),
        );
    }
}

/// The error for an event source the framework cannot take a name from (`source`: `queue`,
/// `stream`, …; `why` from [`intrinsic_source_name`]; `forms` the forms that work).
pub(crate) fn unnamed_source(span: Span, source: &str, why: &str, forms: &str) -> Diag {
    Diag::error(
        &UNNAMED_SOURCE,
        format!("the framework cannot name the resources of this {source}: {why}"),
    )
    .label(span, format!("the framework crashes on this {source} ARN"))
    .help(format!("give the {source} as {forms}"))
}

/// Logical IDs compiled so far by one event kind, to tell when a later event merges into an
/// earlier one's resource.
#[derive(Default)]
pub(crate) struct Seen(HashMap<String, Span>);

impl Seen {
    /// Records `id` for the event at `span`; warns when an earlier event has it.
    pub fn check(&mut self, id: &str, span: Span, what: &str, diags: &mut Diags) {
        if let Some(first) = self.0.get(id) {
            diags.push(
                Diag::warning(&MERGED, format!("this event's {what} has the same logical ID as an earlier one: `{id}`"))
                    .label(span, "merged into the earlier resource")
                    .secondary(*first, "compiled to the same logical ID first")
                    .help("the framework names these resources after the function and the source's name only, and merges the second definition into the first (its settings win key by key), so one of the two events is lost; use one event per source, or sources of different names"),
            );
        } else {
            self.0.insert(id.to_string(), span);
        }
    }
}

/// A value of the framework's schema: `integer` in `min..=max` (or one of `also`).
pub(crate) fn check_integer(
    diags: &mut Diags,
    ev: &Node,
    key: &str,
    (min, max): (f64, f64),
    also: &[f64],
) {
    let Some(v) = ev.get(key).filter(|v| !v.is_null()) else {
        return;
    };
    let ok = v
        .as_f64()
        .is_some_and(|n| n.fract() == 0.0 && ((min..=max).contains(&n) || also.contains(&n)));
    if !ok {
        let extra: String = also
            .iter()
            .map(|a| format!("{} or ", crate::emit::json::js_number(*a)))
            .collect();
        let range = format!(
            "{extra}an integer from {} to {}",
            crate::emit::json::js_number(min),
            crate::emit::json::js_number(max)
        );
        diags.push(
            Diag::warning(&SCHEMA, format!("`{key}` must be {range}"))
                .label(v.span, format!("{}: `{}`", super::a_kind(v), js_to_string(v)))
                .help(format!(
                    "the framework's schema only warns about this and writes the value as it is; CloudFormation rejects it. Use {range}"
                )),
        );
    }
}

/// A value of the framework's schema: one of `allowed` (strings).
pub(crate) fn check_enum(diags: &mut Diags, ev: &Node, key: &str, allowed: &[&str]) {
    let Some(v) = ev.get(key).filter(|v| !v.is_null()) else {
        return;
    };
    if v.as_str().is_some_and(|s| allowed.contains(&s)) {
        return;
    }
    let list = allowed
        .iter()
        .map(|a| format!("`{a}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let list = match allowed.len() {
        1 => list,
        _ => format!("one of {list}"),
    };
    let d = Diag::warning(&SCHEMA, format!("`{key}` must be {list}"))
        .label(v.span, format!("`{}`", js_to_string(v)));
    let d = match v
        .as_str()
        .and_then(|s| crate::compile::resources::closest(s, allowed.iter().copied()))
    {
        Some(s) => d.help(format!(
            "did you mean `{s}`? The framework's schema only warns about this and writes the value as it is; the deploy fails"
        )),
        None => d.help(
            "the framework's schema only warns about this and writes the value as it is; the deploy fails",
        ),
    };
    diags.push(d);
}

/// Expands a service written as text (with `--instance-id` when given): the template (`null`
/// on errors) and the codes of the diagnostics, for the compilers' unit tests.
#[cfg(test)]
pub(crate) fn expand_text(yaml: &str, instance_id: Option<&str>) -> (Value, Vec<&'static str>) {
    let options = crate::Options {
        instance_id: instance_id.map(str::to_string),
        ..crate::Options::default()
    };
    let input = crate::Input::Text {
        name: "serverless.yml".into(),
        dir: std::env::temp_dir(),
        text: yaml.into(),
    };
    let expansion = crate::expand(&input, &options);
    let codes: Vec<&'static str> = expansion.diags.iter().map(|d| d.code.id).collect();
    (
        expansion
            .template
            .map(crate::compile::Template::into_value)
            .unwrap_or_default(),
        codes,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    fn node(v: Value) -> Node {
        Node::from_json(&v, Span::NONE)
    }

    #[test]
    fn names_from_intrinsics() {
        let name =
            |v: Value, r: bool| intrinsic_source_name(&node(v), r).map(|x| x.map(|(_, n)| n));
        assert_eq!(name(json!("arn:x"), false), None);
        assert_eq!(
            name(json!({"Fn::GetAtt": ["Queue", "Arn"]}), false),
            Some(Ok("Queue".into()))
        );
        assert_eq!(
            name(json!({"Fn::GetAtt": "Queue.Arn"}), false),
            Some(Ok("Q".into()))
        );
        assert_eq!(
            name(json!({"Fn::ImportValue": "exp"}), false),
            Some(Ok("exp".into()))
        );
        assert_eq!(
            name(json!({"Fn::Join": [":", ["a", "b", "last"]]}), false),
            Some(Ok("last".into()))
        );
        assert!(matches!(name(json!({"Ref": "Q"}), false), Some(Err(_))));
        assert_eq!(name(json!({"Ref": "Q"}), true), Some(Ok("Q".into())));
        assert!(matches!(
            name(json!({"Fn::Join": [":", ["a", {"Ref": "X"}]]}), false),
            Some(Err(_))
        ));
        assert!(matches!(
            name(json!({"Fn::ImportValue": {"Fn::Sub": "x"}}), false),
            Some(Err(_))
        ));
    }
}
