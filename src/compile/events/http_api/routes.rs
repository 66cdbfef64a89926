//! Reading every state machine's `httpApi` events into routes: the framework's function
//! httpApi event syntax (`'POST /orders'`, `'*'`, `{method, path, authorizer}`), checked as
//! the framework checks it, plus slsx's state-machine options (`iamRole`, `parameters`,
//! `sync`).

use std::collections::HashMap;

use serde_json::{Value, json};

use super::codes;
use super::settings::METHODS;
use crate::compile::events::{
    a_kind, check_keys, event_list, state_machine_logical_id, state_machines,
};
use crate::compile::{Ctx, naming};
use crate::diagnostics::{Diag, Diags};
use crate::source::Span;
use crate::yaml::{Kind, Node, js_to_string};

/// The options of a state machine's `httpApi` event.
const OPTIONS: [&str; 6] = [
    "method",
    "path",
    "authorizer",
    "iamRole",
    "parameters",
    "sync",
];

/// The options of an event's `authorizer` object (the framework's schema).
const AUTHORIZER_OPTIONS: [&str; 4] = ["id", "name", "scopes", "type"];

/// Request parameters a user may map, besides `StateMachineArn` (always the machine). The
/// same for `StepFunctions-StartExecution` and `StepFunctions-StartSyncExecution`.
pub const PARAMETERS: [&str; 4] = ["Input", "Name", "Region", "TraceHeader"];

/// How a route is authorized.
pub enum RouteAuth {
    /// `type: aws_iam`
    Iam,
    /// An authorizer of `provider.httpApi.authorizers`, by its key there.
    Named {
        key: String,
        scopes: Option<Vec<Value>>,
    },
    /// `id` of an authorizer of the external API.
    External {
        id: Value,
        ty: Option<String>,
        scopes: Option<Vec<Value>>,
    },
}

/// What every httpApi event declares, a function's or a state machine's: its route and how it
/// is authorized (the framework's syntax and checks).
pub struct RouteSpec {
    /// `POST /orders`, or `*` for the default route.
    pub route_key: String,
    /// Upper case; `ANY` for `*`.
    pub method: String,
    pub auth: Option<RouteAuth>,
    /// Where the event is (its value, or the `httpApi` key of a mapping).
    pub span: Span,
}

/// One route of a state machine.
pub struct Route<'a> {
    /// The machine's key under `stepFunctions.stateMachines`.
    pub key: &'a str,
    /// The machine's logical ID.
    pub sm: String,
    /// `POST /orders`, or `*` for the default route.
    pub route_key: String,
    /// Upper case; `ANY` for `*`.
    pub method: String,
    pub auth: Option<RouteAuth>,
    /// `StepFunctions-StartSyncExecution` (else `StepFunctions-StartExecution`).
    pub sync: bool,
    /// `iamRole` as written; `None`: the machine's generated role.
    pub iam_role: Option<Value>,
    /// The request parameters after `StateMachineArn`, in order.
    pub parameters: Vec<(String, Value)>,
    /// Where the event is (its value, or the `httpApi` key of a mapping).
    pub span: Span,
}

/// Every state machine's routes, in `stateMachines` and `events` order. An event with a
/// problem is reported and left out.
pub fn collect<'a>(ctx: &Ctx<'a>, diags: &mut Diags) -> Vec<Route<'a>> {
    let mut out = Vec::new();
    for (key, sm) in state_machines(ctx) {
        let logical_id = state_machine_logical_id(key, sm);
        for ev in event_list(sm) {
            let Some(entry) = ev.as_map().and_then(|m| m.entry("httpApi")) else {
                continue;
            };
            let node = &entry.value;
            if !node.is_truthy() {
                diags.push(
                    Diag::warning(
                        &crate::compile::events::IGNORED,
                        "this `httpApi` event is empty; slsx skips it",
                    )
                    .label(
                        entry.key_span,
                        format!("`httpApi` event of state machine `{key}`"),
                    )
                    .help("give the route, e.g. `httpApi: 'POST /orders'`, or remove the event"),
                );
                continue;
            }
            if let Some(r) = read_event(ctx, key, sm, &logical_id, node, entry.key_span, diags) {
                out.push(r);
            }
        }
    }
    out
}

/// `^(ANY|GET|…) (/\S*)$`, case-insensitive, for the string form.
fn split_method_path(s: &str) -> Option<(String, String)> {
    let (m, p) = s.split_once(' ')?;
    let upper = m.to_uppercase();
    if !METHODS.contains(&upper.as_str()) || !valid_path(p) {
        return None;
    }
    Some((m.to_string(), p.to_string()))
}

/// `^\/\S*$` (JavaScript `\s`: whitespace and line terminators).
fn valid_path(p: &str) -> bool {
    p.starts_with('/') && !p.chars().any(|c| c.is_whitespace() || c == '\u{feff}')
}

/// Reads the route and the authorizer of an httpApi event of `owner` (``state machine `k` ``,
/// ``function `k` ``), as the framework reads a function's: `'POST /orders'`, `'*'` or
/// `{method, path, authorizer}` (the options of a mapping are `options`; others are warned about
/// as not options of `what`, with `consequence`). `None`: a problem that ends the event;
/// `Some((_, false))`: a problem was reported, but the owner's own settings may still be checked.
#[allow(clippy::too_many_arguments)]
pub fn read_route(
    ctx: &Ctx,
    owner: &str,
    node: &Node,
    key_span: Span,
    options: &[&str],
    what: &str,
    consequence: &str,
    diags: &mut Diags,
) -> Option<(RouteSpec, bool)> {
    let forms = "write a route as `'POST /orders'`, `'*'` or `{method: post, path: /orders}`";
    let (method, path, method_span, path_span): (Option<String>, String, Span, Span) = match &node
        .kind
    {
        Kind::Map(m) => {
            check_keys(diags, node, options, what, consequence);
            let path = match m.get("path") {
                None => {
                    diags.push(
                            Diag::error(
                                &codes::INVALID_PATH,
                                format!("the httpApi event of {owner} has no `path`"),
                            )
                            .label(key_span, "no `path`")
                            .help("give the route's path, e.g. `path: /orders/{id}`, or `path: '*'` for the default route"),
                        );
                    return None;
                }
                Some(p) if !matches!(p.kind, Kind::String(_) | Kind::Number(_)) => {
                    diags.push(
                        Diag::error(
                            &codes::INVALID_PATH,
                            format!(
                                "the httpApi `path` of {owner} must be a string (found {})",
                                a_kind(p)
                            ),
                        )
                        .label(p.span, "not a string")
                        .help("give the route's path, e.g. `path: /orders/{id}`"),
                    );
                    return None;
                }
                Some(p) => js_to_string(p),
            };
            let method = m.get("method").filter(|n| n.is_truthy()).map(js_to_string);
            (
                method,
                path,
                m.get("method").map(|n| n.span).unwrap_or(key_span),
                m.get("path").map(|n| n.span).unwrap_or(key_span),
            )
        }
        Kind::String(s) if s == "*" => (None, "*".to_string(), node.span, node.span),
        Kind::String(s) => match split_method_path(s) {
            Some((m, p)) => (Some(m), p, node.span, node.span),
            None if s.split_once(' ').is_some_and(|(m, p)| {
                METHODS.contains(&m.to_uppercase().as_str()) && !p.starts_with('/')
            }) =>
            {
                let (m, p) = s.split_once(' ').unwrap_or_default();
                diags.push(
                    Diag::error(
                        &codes::INVALID_PATH,
                        format!("the httpApi path `{p}` of {owner} must start with `/` and contain no spaces"),
                    )
                    .label(node.span, "not a route path")
                    .help(format!("write `httpApi: '{m} /{}'`", p.trim())),
                );
                return None;
            }
            None => {
                diags.push(
                    Diag::error(
                        &codes::INVALID_EVENT,
                        format!("`{s}` is not an httpApi route ({owner})"),
                    )
                    .label(node.span, "expected `METHOD /path` or `*`")
                    .help(format!(
                        "{forms}; the method is one of {}",
                        METHODS.join(", ")
                    )),
                );
                return None;
            }
        },
        _ => {
            diags.push(
                Diag::error(
                    &codes::INVALID_EVENT,
                    format!(
                        "the httpApi event of {owner} is {}, not a route",
                        a_kind(node)
                    ),
                )
                .label(node.span, "neither a string nor a mapping")
                .help(forms),
            );
            return None;
        }
    };

    let mut ok = true;
    let (route_key, method) = if path == "*" {
        if let Some(m) = method.as_deref().filter(|m| *m != "*") {
            diags.push(
                Diag::error(
                    &codes::INVALID_PATH,
                    format!("the default route `*` of {owner} cannot have method `{m}`"),
                )
                .label(path_span, "`*` catches every method and path")
                .secondary(method_span, "method here")
                .help("remove `method` (or write `method: '*'`) for the default route, or give a path"),
            );
            ok = false;
        }
        ("*".to_string(), "ANY".to_string())
    } else {
        if !valid_path(&path) {
            diags.push(
                Diag::error(
                    &codes::INVALID_PATH,
                    format!("the httpApi path `{path}` of {owner} must start with `/` and contain no spaces"),
                )
                .label(path_span, "not a route path")
                .help(format!(
                    "write `path: /{}` (HTTP API route keys are `METHOD /path`)",
                    path.trim_start_matches('/').trim()
                )),
            );
            ok = false;
        }
        let method = match method {
            None => {
                diags.push(
                    Diag::error(
                        &codes::INVALID_METHOD,
                        format!("the httpApi event `{path}` of {owner} has no `method`"),
                    )
                    .label(key_span, "no `method`")
                    .help(format!(
                        "add `method:` (one of {}, or `*` for any)",
                        METHODS.join(", ")
                    )),
                );
                return None;
            }
            Some(m) => {
                let upper = m.to_uppercase();
                if upper == "*" {
                    "ANY".to_string()
                } else if METHODS.contains(&upper.as_str()) {
                    upper
                } else {
                    diags.push(
                        Diag::error(
                            &codes::INVALID_METHOD,
                            format!("`{m}` is not an HTTP API method ({owner})"),
                        )
                        .label(method_span, "not a method")
                        .help(format!("use one of {}, or `*` for any", METHODS.join(", "))),
                    );
                    return None;
                }
            }
        };
        (format!("{method} {path}"), method)
    };

    let obj = node.as_map();
    let auth = match obj
        .and_then(|m| m.get("authorizer"))
        .filter(|a| a.is_truthy())
    {
        Some(a) => {
            let r = read_authorizer(ctx, owner, a, diags);
            ok &= r.is_some();
            r
        }
        None => None,
    };

    Some((
        RouteSpec {
            route_key,
            method,
            auth,
            span: if node.as_map().is_some() {
                key_span
            } else {
                node.span
            },
        },
        ok,
    ))
}

fn read_event<'a>(
    ctx: &Ctx<'a>,
    key: &'a str,
    sm: &'a Node,
    logical_id: &str,
    node: &'a Node,
    key_span: Span,
    diags: &mut Diags,
) -> Option<Route<'a>> {
    let (spec, mut ok) = read_route(
        ctx,
        &format!("state machine `{key}`"),
        node,
        key_span,
        &OPTIONS,
        "a state-machine `httpApi` event",
        "slsx ignores it",
        diags,
    )?;
    let obj = node.as_map();

    // sync / async
    let ty = sm.get("type");
    let express = ty.and_then(Node::as_str) == Some("EXPRESS");
    let sync = match obj.and_then(|m| m.get("sync")).filter(|n| !n.is_null()) {
        None => express,
        Some(n) => match n.as_bool() {
            Some(true) if !express => {
                let mut d = Diag::error(
                    &codes::SYNC_NOT_EXPRESS,
                    format!("state machine `{key}` is not an EXPRESS machine: it cannot be run synchronously"),
                )
                .label(n.span, "StartSyncExecution needs `type: EXPRESS`");
                if let Some(t) = ty {
                    d = d.secondary(t.span, "the machine's type");
                }
                diags.push(d.help("set `type: EXPRESS` on the machine, or remove `sync: true` to start executions asynchronously (the route then answers with the execution ARN)"));
                ok = false;
                false
            }
            Some(b) => b,
            None => {
                diags.push(
                    Diag::error(
                        &codes::INVALID_VALUE,
                        format!("`sync` of an httpApi event of state machine `{key}` must be true or false (found {})", a_kind(n)),
                    )
                    .label(n.span, "not a boolean")
                    .help("`sync: true` waits for an EXPRESS machine's result (the default for EXPRESS machines); `sync: false` only starts the execution"),
                );
                ok = false;
                false
            }
        },
    };

    // iamRole
    let iam_role = match obj.and_then(|m| m.get("iamRole")).filter(|n| !n.is_null()) {
        None => None,
        Some(r) if r.as_str().is_some_and(|s| !s.is_empty()) || r.is_intrinsic() => {
            Some(r.to_json())
        }
        Some(r) => {
            diags.push(
                Diag::error(
                    &codes::INVALID_VALUE,
                    format!("`iamRole` of an httpApi event of state machine `{key}` must be a role ARN (found {})", a_kind(r)),
                )
                .label(r.span, "not a role ARN")
                .help("give the ARN of a role API Gateway may assume (`arn:aws:iam::…:role/…` or `Fn::GetAtt: [Role, Arn]`), or remove `iamRole` to let slsx generate one"),
            );
            ok = false;
            None
        }
    };

    // request parameters
    let mut parameters = vec![("Input".to_string(), json!("$request.body"))];
    if let Some(p) = obj
        .and_then(|m| m.get("parameters"))
        .filter(|n| !n.is_null())
    {
        ok &= read_parameters(key, p, &mut parameters, diags);
    }

    ok.then(|| Route {
        key,
        sm: logical_id.to_string(),
        route_key: spec.route_key,
        method: spec.method,
        auth: spec.auth,
        sync,
        iam_role,
        parameters,
        span: spec.span,
    })
}

fn read_parameters(
    key: &str,
    p: &Node,
    parameters: &mut Vec<(String, Value)>,
    diags: &mut Diags,
) -> bool {
    let Some(m) = p.as_map() else {
        diags.push(
            Diag::error(
                &codes::INVALID_PARAMETERS,
                format!("`parameters` of an httpApi event of state machine `{key}` must be a mapping (found {})", a_kind(p)),
            )
            .label(p.span, "not a mapping")
            .help("map Step Functions request parameters to values, e.g. `parameters: {Name: $context.requestId}`"),
        );
        return false;
    };
    let mut ok = true;
    for (name, e) in m.iter() {
        if name == "StateMachineArn" {
            diags.push(
                Diag::error(
                    &codes::INVALID_PARAMETERS,
                    format!("the `StateMachineArn` of state machine `{key}`'s httpApi route is always the machine itself"),
                )
                .label(e.key_span, "cannot be mapped")
                .help("remove it; to start another machine, give that machine the httpApi event"),
            );
            ok = false;
            continue;
        }
        if !PARAMETERS.contains(&name.as_str()) {
            let list = PARAMETERS.map(|p| format!("`{p}`")).join(", ");
            let d = Diag::error(
                &codes::INVALID_PARAMETERS,
                format!("`{name}` is not a request parameter of a Step Functions integration"),
            )
            .label(e.key_span, "unknown parameter");
            let lower = name.to_lowercase();
            let suggestion = PARAMETERS
                .iter()
                .find(|p| p.to_lowercase() == lower)
                .copied()
                .or_else(|| crate::compile::resources::closest(name, PARAMETERS.iter().copied()));
            diags.push(match suggestion {
                Some(s) => d.help(format!(
                    "did you mean `{s}`? The parameters are {list} (API Gateway rejects others)"
                )),
                None => d.help(format!(
                    "the parameters are {list} (API Gateway rejects others)"
                )),
            });
            ok = false;
            continue;
        }
        let v = &e.value;
        if !(v.as_str().is_some_and(|s| !s.is_empty()) || v.is_intrinsic()) {
            diags.push(
                Diag::error(
                    &codes::INVALID_PARAMETERS,
                    format!("request parameter `{name}` of state machine `{key}`'s httpApi route must be a non-empty string (found {})", match v.as_str() { Some(_) => "an empty string", None => a_kind(v) }),
                )
                .label(if v.is_null() { e.key_span } else { v.span }, "expected a mapping expression")
                .help("give a value such as `$request.body.order`, `$context.requestId` or a fixed string"),
            );
            ok = false;
            continue;
        }
        match parameters.iter_mut().find(|(k, _)| k == name) {
            Some(slot) => slot.1 = v.to_json(),
            None => parameters.push((name.to_string(), v.to_json())),
        }
    }
    ok
}

fn read_authorizer(ctx: &Ctx, owner: &str, a: &Node, diags: &mut Diags) -> Option<RouteAuth> {
    let err = |msg: String, span: Span, label: &str, help: &str| {
        Diag::error(&codes::INVALID_AUTHORIZER, msg)
            .label(span, label.to_string())
            .help(help.to_string())
    };
    let (name, scopes, id, ty, name_span) = match &a.kind {
        Kind::String(s) => (Some(s.to_string()), None, None, None, a.span),
        Kind::Map(m) => {
            check_keys(
                diags,
                a,
                &AUTHORIZER_OPTIONS,
                "an httpApi event's `authorizer`",
                "slsx ignores it",
            );
            let get = |k: &str| m.get(k).filter(|n| n.is_truthy());
            let ty = get("type");
            if let Some(t) = ty
                && !matches!(t.as_str(), Some("request") | Some("jwt") | Some("aws_iam"))
            {
                diags.push(err(
                    format!("`{}` is not an httpApi authorizer type ({owner})", js_to_string(t)),
                    t.span,
                    "not `request`, `jwt` or `aws_iam`",
                    "write `type: aws_iam` for IAM authorization; a named authorizer's type comes from `provider.httpApi.authorizers`",
                ));
                return None;
            }
            (
                get("name").map(js_to_string),
                get("scopes"),
                get("id"),
                ty.and_then(Node::as_str).map(str::to_string),
                get("name").map(|n| n.span).unwrap_or(a.span),
            )
        }
        _ => {
            diags.push(err(
                format!("the httpApi authorizer of {owner} is {}", a_kind(a)),
                a.span,
                "neither a name nor a mapping",
                "write `authorizer: <name in provider.httpApi.authorizers>`, `authorizer: {name: …, scopes: […]}` or `authorizer: {type: aws_iam}`",
            ));
            return None;
        }
    };
    let scopes_list = scopes.map(|s| match s.as_seq() {
        Some(items) => {
            let mut v: Vec<Value> = Vec::new();
            for i in items {
                let j = i.to_json();
                if j.is_object() || !v.contains(&j) {
                    v.push(j);
                }
            }
            v
        }
        None => vec![s.to_json()],
    });
    let is_iam = ty.as_deref() == Some("aws_iam");
    if !is_iam && id.is_none() && name.is_none() {
        diags.push(err(
            format!(
                "an httpApi authorizer of type `{}` needs `name` or `id` ({owner})",
                ty.as_deref().unwrap_or("jwt")
            ),
            a.span,
            "no `name` or `id`",
            "name an authorizer of `provider.httpApi.authorizers`, or write `type: aws_iam`",
        ));
        return None;
    }
    if is_iam {
        if name.is_some() || id.is_some() || scopes.is_some() {
            let span = ["name", "id", "scopes"]
                .iter()
                .find_map(|k| a.as_map().and_then(|m| m.key_span(k)))
                .unwrap_or(a.span);
            diags.push(err(
                format!("an `aws_iam` httpApi authorizer takes no other settings ({owner})"),
                span,
                "`name`, `id` or `scopes` with `type: aws_iam`",
                "keep only `type: aws_iam`",
            ));
            return None;
        }
        return Some(RouteAuth::Iam);
    }
    if let Some(id) = id {
        let external = ctx
            .provider_at(&["httpApi", "id"])
            .is_some_and(|n| n.is_truthy());
        if !external {
            diags.push(err(
                format!("the httpApi event of {owner} refers to an external authorizer, but the HTTP API is part of this stack"),
                id.span,
                "`id` of an authorizer of another stack's API",
                "set `provider.httpApi.id` to use an API of another stack, or name an authorizer of `provider.httpApi.authorizers`",
            ));
            return None;
        }
        return Some(RouteAuth::External {
            id: id.to_json(),
            ty,
            scopes: scopes_list,
        });
    }
    let name = name.unwrap_or_default();
    let known = ctx
        .provider_at(&["httpApi", "authorizers"])
        .and_then(Node::as_map)
        .is_some_and(|m| m.contains_key(&name));
    if !known {
        let mut d = err(
            format!(
                "the httpApi event of {owner} refers to authorizer `{name}`, which `provider.httpApi.authorizers` does not define"
            ),
            name_span,
            "no such authorizer",
            "",
        );
        let names: Vec<String> = ctx
            .provider_at(&["httpApi", "authorizers"])
            .and_then(Node::as_map)
            .map(|m| m.keys().map(|k| k.to_string()).collect())
            .unwrap_or_default();
        d = match crate::compile::resources::closest(&name, names.iter().map(String::as_str)) {
            Some(s) => d.help(format!("did you mean `{s}`?")),
            None => d.help("define it under `provider.httpApi.authorizers` (a JWT authorizer, or a Lambda one with `type: request`)"),
        };
        diags.push(d);
        return None;
    }
    Some(RouteAuth::Named {
        key: name,
        scopes: scopes_list,
    })
}

/// A route as the uniqueness check sees it: its key, where it is declared, and by whom
/// (``state machine `k` ``, ``function `k` ``).
pub struct Declared<'a> {
    pub route_key: &'a str,
    pub span: Span,
    pub owner: String,
}

/// Two routes with the same key (the framework: `Duplicate route`), or whose keys give the
/// same logical ID (the framework silently keeps the last one). Only a route at `report_from`
/// or later is reported (those before were checked by an earlier pass).
pub fn check_unique(routes: &[Declared], report_from: usize, diags: &mut Diags) -> bool {
    let mut by_key: HashMap<&str, usize> = HashMap::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    let mut ok = true;
    for (i, r) in routes.iter().enumerate() {
        let report = i >= report_from;
        if let Some(&first) = by_key.get(r.route_key) {
            if report {
                diags.push(
                    Diag::error(
                        &codes::DUPLICATE_ROUTE,
                        format!("the route `{}` is defined twice", r.route_key),
                    )
                    .label(r.span, format!("again here ({})", r.owner))
                    .secondary(routes[first].span, format!("first here ({})", routes[first].owner))
                    .help("an HTTP API has one integration per route: remove one, or change its method or path"),
                );
                ok = false;
            }
            continue;
        }
        by_key.insert(r.route_key, i);
        let id = naming::http_api_route_logical_id(r.route_key);
        if let Some(&first) = by_id.get(&id) {
            if report {
                diags.push(
                    Diag::error(
                        &codes::ROUTE_ID_COLLISION,
                        format!(
                            "the routes `{}` and `{}` get the same logical ID `{id}`",
                            routes[first].route_key, r.route_key
                        ),
                    )
                    .label(r.span, "this route's resources would replace the other's")
                    .secondary(routes[first].span, "the other route")
                    .help("logical IDs keep only letters and digits of each path part and lower-case all but its first letter (the framework's rule): rename one path"),
                );
                ok = false;
            }
            continue;
        }
        by_id.insert(id, i);
    }
    ok
}

impl Route<'_> {
    /// This route for [`check_unique`].
    pub fn declared(&self) -> Declared<'_> {
        Declared {
            route_key: &self.route_key,
            span: self.span,
            owner: format!("state machine `{}`", self.key),
        }
    }
}
