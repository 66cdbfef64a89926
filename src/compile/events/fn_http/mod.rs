//! Function `http` events: the REST API (API Gateway v1) the framework's
//! `AwsCompileApigEvents` writes, in its pipeline order:
//!
//! the REST API ([`rest_api`]) → resources (shared with the state machines' events:
//! [`super::http::resources`]) → CORS preflight methods ([`cors`]) → methods with their
//! Lambda (`lambda-proxy`, `lambda`), HTTP or mock integrations ([`methods`]) → request
//! validators and models → authorizers ([`authorizers`]) → the deployment and
//! `ServiceEndpoint` → API keys, usage plans and their keys ([`api_keys`]) → the Lambda
//! permissions ([`authorizers::permissions`]) → the stage's access log group and the
//! framework's CloudWatch-role custom resource ([`stage`]).
//!
//! serverless-step-functions compiles its http events afterwards into the same API: it reuses
//! `ApiGatewayRestApi`, the resources and the deployment it finds ([`super::http`]).
//!
//! Every check runs before anything is written: a broken configuration reports all its
//! problems and adds nothing.

mod api_keys;
mod authorizers;
mod cors;
mod methods;
mod rest_api;
mod stage;
mod templates;
mod validate;

use serde_json::Value;

use super::http::ApiOf;
use super::http::resources::EventPath;
use crate::compile::{Ctx, Template};
use crate::diagnostics::Diags;
use crate::yaml::Node;

pub use codes::CODES;

pub mod codes {
    use crate::declare_codes;
    declare_codes! { CODES;
        INVALID_STAGE_NAME = "slsx::http::invalid-stage-name", "A stage name other than letters, digits, `-` and `_` in a service with http events (API Gateway rejects it; the framework too).";
        MISSING_REQUEST_URI = "slsx::http::missing-request-uri", "An `http` or `http-proxy` integration without `request.uri`, which the framework rejects.";
        CONNECTION = "slsx::http::connection", "A `connectionType` that is not `vpc-link`, or a VPC link without `connectionId`.";
        MISSING_RESPONSE = "slsx::http::missing-response", "An `http` integration without `response`, or a mock response without `statusCodes`: the framework crashes.";
        IGNORED = "slsx::http::framework-ignored", "A function http setting the framework silently ignores.";
        PROXY_IGNORED = "slsx::http::proxy-setting", "`request` / `response` settings of a lambda-proxy or http-proxy integration, which the framework removes.";
        ASYNC_INTEGRATION = "slsx::http::async-integration", "`async: true` with an integration other than `lambda`: the invocation is asynchronous but a response is still expected.";
        AUTHORIZER_COLLISION = "slsx::http::authorizer-collision", "Different authorizers whose authorizer or permission logical IDs are the same: the framework merges them, and one endpoint is authorized by the other's Lambda.";
        AUTHORIZER_MERGED = "slsx::http::authorizer-merged", "One authorizer used with different settings: the framework merges them into one resource (the last setting wins for every endpoint).";
        TIMEOUT = "slsx::http::timeout", "A function with synchronous http events whose timeout is over 30 seconds (API Gateway ends the request first; the framework warns too).";
        CORS_CREDENTIALS = "slsx::http::cors-credentials-header", "`cors.allowCredentials` with a response mapping: the framework maps `Access-Control-Allow-Credentials` to the unquoted `true`, which API Gateway does not read as a value.";
        API_KEY_PLAN = "slsx::http::api-key-usage-plan", "An API key that names no usage plan, or that no plan takes, with named usage plans (`usagePlan: [{<name>: …}]`).";
        CUSTOM_RESOURCE = "slsx::http::custom-resource", "`provider.logs.restApi`: the template needs the framework's CloudWatch-role custom resource, whose code (`custom-resources.zip`) only `sls package` builds.";
        STAGE_SETTINGS = "slsx::http::stage-settings", "REST API stage settings (`tracing.apiGateway`, `apiGateway.metrics`, `logs.restApi`) the framework applies with API calls after deployment, not in the template.";
    }
}

/// The framework's pipeline state.
pub(super) type Api<'a> = ApiOf<'a, validate::Event<'a>, validate::Preflight>;

impl Api<'_> {
    /// The resource tree's view of the events.
    fn paths(&self) -> Vec<EventPath> {
        self.events
            .iter()
            .map(|ev| EventPath {
                path: ev.path.clone(),
                name: ev
                    .get("name")
                    .filter(|n| n.is_truthy())
                    .map(crate::yaml::js_to_string),
                span: ev.path_span,
            })
            .collect()
    }
}

/// Whether any function has an http event (the framework compiles its REST API then).
pub fn has_events(ctx: &Ctx) -> bool {
    ctx.functions()
        .iter()
        .any(|(_, f)| super::events_of(f, "http").next().is_some())
}

/// Compiles every function's http events into the template (and runs the framework's checks
/// of an imported API, which it makes whether or not there are events).
pub fn compile(ctx: &Ctx, t: &mut Template, diags: &mut Diags) {
    let errors_before = diags.error_count();
    super::http::rest_api::framework_checks(ctx, diags);
    let validated = validate::collect(ctx, diags);
    if validated.events.is_empty() {
        return;
    }
    let mut api = Api::new(ctx, validated.events, validated.preflight);

    // every check first
    rest_api::check(&api, diags);
    let paths = api.paths();
    api.build_resources(&paths, diags);
    methods::check(&api, diags);
    authorizers::check(&api, diags);
    api_keys::check(&api, diags);
    if diags.error_count() > errors_before {
        return;
    }

    rest_api::compile(&api, t);
    api.compile_resources(t);
    cors::compile(&mut api, t);
    methods::compile(&mut api, t);
    methods::compile_models(&api, t);
    authorizers::compile(&api, t);
    compile_deployment(&mut api, t);
    api_keys::compile(&api, t);
    authorizers::permissions(&api, t);
    stage::compile(&api, t, diags);
}

/// `compileDeployment`: the deployment of every method, and the `ServiceEndpoint` output.
fn compile_deployment(api: &mut Api, t: &mut Template) {
    let stage = api
        .api_gateway(&["stage"])
        .filter(|n| n.is_truthy())
        .map(Node::to_json)
        .unwrap_or_else(|| Value::String(api.ctx.stage.clone()));
    let description = api
        .api_gateway(&["description"])
        .filter(|n| n.is_truthy())
        .map(Node::to_json);
    api.deployment_id = super::http::deployment::create(
        api.ctx,
        t,
        &api.rest_api_id,
        stage,
        description,
        &api.method_ids,
    );
    super::http::deployment::service_endpoint(t, &api.rest_api_id, &api.ctx.stage);
}
