//! State-machine `httpApi` events (slsx only; serverless-step-functions issue #378): routes of
//! an HTTP API (API Gateway v2) that start a state machine through a Step Functions
//! integration, `StepFunctions-StartExecution`, or `StepFunctions-StartSyncExecution` for an
//! EXPRESS machine (the route then answers with the execution's result).
//!
//! The event syntax is the framework's function httpApi syntax, and every piece a function's
//! httpApi event would share (the `HttpApi` API, the `HttpApiStage` stage, the access log
//! group, the authorizers of `provider.httpApi.authorizers` and their permissions, CORS, the
//! `HttpApiId` / `HttpApiUrl` outputs, the route logical IDs) is written exactly as the
//! framework writes it ([`settings`], [`emit`]; pinned by `fixtures/httpapi-fn-*`). What is
//! the state machines' own: a per-route `AWS::ApiGatewayV2::Integration`
//! (`HttpApiIntegrationStepFunctions<Route>`) and a per-machine role
//! (`<Key>HttpApiToStepFunctionsRole`) unless the event gives `iamRole`.
//!
//! The plugin reads no `httpApi` events (its schema takes any event list and ignores them),
//! so a service written for it never has one that it expects to be compiled.
//!
//! Every check runs before anything is written: a broken configuration reports all its
//! problems and adds nothing.

pub(crate) mod emit;
pub(crate) mod routes;
pub(crate) mod settings;

use crate::compile::{Ctx, Template};
use crate::diagnostics::Diags;

pub use codes::CODES;

pub mod codes {
    use crate::declare_codes;
    declare_codes! { CODES;
        INVALID_EVENT = "slsx::http-api::invalid-event", "An `httpApi` event (of a function or a state machine) that is neither a `METHOD /path` string, `*`, nor a mapping.";
        INVALID_PATH = "slsx::http-api::invalid-path", "An `httpApi` event's `path` is missing, not a string, does not start with `/`, or is `*` with a method.";
        INVALID_METHOD = "slsx::http-api::invalid-method", "An `httpApi` event's `method` is missing or not one of ANY, GET, POST, PUT, PATCH, OPTIONS, HEAD, DELETE, `*`.";
        DUPLICATE_ROUTE = "slsx::http-api::duplicate-route", "Two `httpApi` events with the same route key.";
        ROUTE_ID_COLLISION = "slsx::http-api::route-id-collision", "Two different `httpApi` routes whose logical IDs are the same (the framework keeps only the last).";
        INVALID_AUTHORIZER = "slsx::http-api::invalid-authorizer", "An `httpApi` event's `authorizer` is of the wrong shape, names no authorizer of `provider.httpApi.authorizers`, or mixes `aws_iam` with other settings.";
        AUTHORIZER_CONFIG = "slsx::http-api::authorizer-config", "An authorizer of `provider.httpApi.authorizers` the framework rejects or would write broken (no or two functions, caching without identity source, JWT settings missing).";
        EXTERNAL_API = "slsx::http-api::external-api", "CORS, authorizers or access logs set up for an HTTP API of another stack (`provider.httpApi.id`), which the framework rejects.";
        INVALID_SETTING = "slsx::http-api::invalid-setting", "A `provider.httpApi` setting of the wrong shape.";
        SYNC_NOT_EXPRESS = "slsx::http-api::sync-not-express", "`sync: true` on an `httpApi` event of a machine that is not `type: EXPRESS` (only EXPRESS machines run synchronously).";
        INVALID_PARAMETERS = "slsx::http-api::invalid-parameters", "An `httpApi` event's `parameters` maps `StateMachineArn`, a name that is not a Step Functions request parameter, or a value that is not a string.";
        INVALID_VALUE = "slsx::http-api::invalid-value", "An `httpApi` event's `iamRole` or `sync` of the wrong type.";
        PAYLOAD_IGNORED = "slsx::http-api::payload-ignored", "`provider.httpApi.payload` other than 1.0, which Step Functions integrations cannot use.";
    }
}

/// Compiles every state machine's httpApi events into the template.
///
/// The framework's function httpApi pass ([`super::fn_http_api`]) runs first: it checks
/// `provider.httpApi` (whether or not there are routes) and, when a function has routes,
/// writes the pieces every route shares (the API, its stage, log group and authorizers, with
/// CORS methods filled from the state machines' routes too). This pass then adds only the
/// state machines' routes; without function routes it writes the shared pieces itself.
pub fn compile(ctx: &Ctx, t: &mut Template, diags: &mut Diags) {
    let errors_before = diags.error_count();
    let routes = routes::collect(ctx, diags);
    if routes.is_empty() {
        return;
    }
    // reported by the function pass
    let mut quiet = Diags::new();
    let function_routes = super::fn_http_api::collect(ctx, &mut quiet);
    let mut s = settings::read(ctx, true, &mut quiet);
    let declared: Vec<routes::Declared> = function_routes
        .iter()
        .map(super::fn_http_api::FunctionRoute::declared)
        .chain(routes.iter().map(routes::Route::declared))
        .collect();
    routes::check_unique(&declared, function_routes.len(), diags);
    if function_routes.is_empty() {
        settings::warn_payload(ctx, diags);
    }
    if diags.error_count() > errors_before {
        return;
    }
    if function_routes.is_empty() {
        if let Some(c) = s.cors.as_mut() {
            for r in &routes {
                c.add_route_method(&r.method);
            }
        }
        emit::api(&s, t);
        emit::log_group(&s, t);
        emit::stage(&s, t);
        emit::authorizers(&s, t);
    }
    emit::routes(&s, &routes, t);
    emit::roles(ctx, &routes, t);
}

#[cfg(test)]
mod tests;
