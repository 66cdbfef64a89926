//! `<Name>ApiGatewayAuthorizer` for every event authorizer given by a function or an ARN
//! (`compileAuthorizers`, written by the same code as the state machines' authorizers), and
//! the Lambda permissions (`compilePermissions`): one per function with http events, and one
//! per Lambda authorizer unless it is managed externally.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::validate::Event;
use super::{Api, codes};
use crate::compile::events::http::authorizers::{properties, write};
use crate::compile::events::http::validate::{Arn, Authorizer, is_cognito_arn};
use crate::compile::events::http_api::emit::{api_gateway_permission, execute_api_arn};
use crate::compile::{Template, naming};
use crate::diagnostics::{Diag, Diags};
use crate::source::Span;

/// An authorizer's `IdentitySource`: as given, else the `Authorization` header — except for a
/// REQUEST authorizer without caching, which has none.
fn identity_source(a: &Authorizer) -> Option<Value> {
    match a.identity_source.filter(|n| n.is_truthy()) {
        Some(n) => Some(n.to_json()),
        None if a.ty.as_deref().map(str::to_uppercase).as_deref() == Some("REQUEST")
            && a.ttl == Some(0.0) =>
        {
            None
        }
        None => Some(json!("method.request.header.Authorization")),
    }
}

fn is_cognito(a: &Authorizer, arn: &Arn) -> bool {
    a.ty.as_deref().map(str::to_uppercase).as_deref() == Some("COGNITO_USER_POOLS")
        || arn.as_str().is_some_and(is_cognito_arn)
}

/// What the authorizer's invoke permission names: its function, unless it needs none.
fn permitted(a: &Authorizer, arn: &Arn) -> Option<Value> {
    let managed = a.managed_externally.is_some_and(|n| n.is_truthy());
    (!is_cognito(a, arn) && !managed).then(|| arn.to_json())
}

/// Where to point at an authorizer: its ARN as written, else the authorizer.
fn span(a: &Authorizer, arn: &Arn) -> Span {
    match arn {
        Arn::Given(n) => n.span,
        Arn::Function(_) => a.span,
    }
}

/// The events with an authorizer resource.
fn with_arn<'e, 'a>(
    api: &'e Api<'a>,
) -> impl Iterator<Item = (&'e Event<'a>, &'e Authorizer<'a>, &'e Arn<'a>)> {
    api.events.iter().filter_map(|ev| {
        let a = ev.authorizer.as_ref()?;
        Some((ev, a, a.arn.as_ref()?))
    })
}

/// Different authorizers the framework would merge into one resource (or whose permission
/// would replace a function's), and one authorizer used with different settings.
pub fn check(api: &Api, diags: &mut Diags) {
    let mut first: HashMap<String, (Span, Value, Value)> = HashMap::new();
    for (_, a, arn) in with_arn(api) {
        let name = a.name.clone().unwrap_or_default();
        let id = naming::authorizer_logical_id(&name);
        let props = properties(a, arn, &api.rest_api_id, identity_source(a));
        let kind = json!([arn.to_json(), props.get("Type")]);
        let settings = json!([
            a.ttl.unwrap_or(300.0),
            props.get("IdentitySource"),
            props.get("IdentityValidationExpression")
        ]);
        match first.get(&id) {
            None => {
                first.insert(id, (span(a, arn), kind, settings));
            }
            Some((at, k, _)) if *k != kind => diags.push(
                Diag::error(
                    &codes::AUTHORIZER_COLLISION,
                    format!("two different authorizers are named `{name}`"),
                )
                .label(span(a, arn), format!("merged into `{id}` with the other"))
                .secondary(*at, "the other authorizer")
                .help("the framework names an authorizer resource after its `name` (for an ARN, the part after the last `-`): one endpoint would be authorized by the other's Lambda; give them different `name`s"),
            ),
            Some((at, _, s)) if *s != settings => diags.push(
                Diag::warning(
                    &codes::AUTHORIZER_MERGED,
                    format!("the authorizer `{name}` is used with different settings"),
                )
                .label(span(a, arn), "these settings apply to every endpoint it authorizes")
                .secondary(*at, "also used here")
                .help("the framework writes one authorizer resource, the last settings winning: give it the same settings everywhere, or separate authorizers different `name`s"),
            ),
            Some(_) => {}
        }
    }
    // an authorizer's permission named like a function's
    let mut functions: HashMap<String, &str> = HashMap::new();
    for ev in &api.events {
        functions
            .entry(naming::lambda_api_gateway_permission_logical_id(
                ev.function,
            ))
            .or_insert(ev.function);
    }
    let mut reported: Vec<String> = Vec::new();
    for (_, a, arn) in with_arn(api) {
        let Some(target) = permitted(a, arn) else {
            continue;
        };
        let name = a.name.clone().unwrap_or_default();
        let pid = naming::lambda_api_gateway_permission_logical_id(&name);
        let Some(f) = functions.get(&pid) else {
            continue;
        };
        if target == json!({"Fn::GetAtt": [naming::lambda_logical_id(f), "Arn"]})
            || reported.contains(&pid)
        {
            continue;
        }
        reported.push(pid.clone());
        diags.push(
            Diag::error(
                &codes::AUTHORIZER_COLLISION,
                format!("the permission of authorizer `{name}` and that of function `{f}` are both `{pid}`"),
            )
            .label(span(a, arn), "this authorizer's Lambda")
            .help(format!("the framework writes one `{pid}`: either the authorizer or the function `{f}` could not be invoked by API Gateway; give the authorizer a `name` of its own")),
        );
    }
}

/// `compileAuthorizers`
pub fn compile(api: &Api, t: &mut Template) {
    for (_, a, arn) in with_arn(api) {
        let name = a.name.clone().unwrap_or_default();
        let props = properties(a, arn, &api.rest_api_id, identity_source(a));
        write(t, &naming::authorizer_logical_id(&name), props, None);
    }
}

/// `AWS::Lambda::Permission` letting the REST API invoke `function`.
fn permission(function: Value, rest_api_id: &Value) -> Value {
    api_gateway_permission(function, execute_api_arn(rest_api_id.clone(), "/*/*"))
}

/// `compilePermissions`: per event, the function's permission (replaced in place by the
/// next), then its authorizer's unless one of that name exists.
pub fn permissions(api: &Api, t: &mut Template) {
    for ev in &api.events {
        let id = naming::lambda_api_gateway_permission_logical_id(ev.function);
        t.resources_mut().insert(
            id,
            permission(
                json!({"Fn::GetAtt": [naming::lambda_logical_id(ev.function), "Arn"]}),
                &api.rest_api_id,
            ),
        );
        let Some(a) = &ev.authorizer else { continue };
        let Some(arn) = &a.arn else { continue };
        let Some(target) = permitted(a, arn) else {
            continue;
        };
        let pid =
            naming::lambda_api_gateway_permission_logical_id(a.name.as_deref().unwrap_or_default());
        if t.has_resource(&pid) {
            continue;
        }
        t.resources_mut()
            .insert(pid, permission(target, &api.rest_api_id));
    }
}
