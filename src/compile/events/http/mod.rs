//! State-machine `http` events: the REST API (v1) serverless-step-functions builds with the
//! framework's API Gateway naming, in the plugin's pipeline order:
//!
//! rest API ([`rest_api`]) → resources ([`resources`]) → methods ([`methods`]) → request
//! validators and models ([`validators`]) → authorizers and their Lambda permissions
//! ([`authorizers`]) → CORS preflight methods ([`cors`]) → the API Gateway → Step Functions
//! role ([`role`]) → the deployment and `ServiceEndpoint` ([`deployment`]) → API keys, usage
//! plan, usage plan keys ([`api_keys`]).
//!
//! slsx adds one opt-in setting the plugin does not have: `syncResponse` ([`sync`]), a
//! synchronous EXPRESS execution whose result is the response.
//!
//! Every check runs before anything is written, so a broken configuration reports all its
//! problems and adds nothing.

pub(crate) mod api_keys;
pub(crate) mod authorizers;
pub(crate) mod cors;
pub(crate) mod deployment;
mod methods;
pub(crate) mod resources;
pub(crate) mod rest_api;
mod role;
mod sync;
mod templates;
pub(crate) mod util;
pub(crate) mod validate;
pub(crate) mod validators;

use indexmap::IndexMap;
use serde_json::Value;

use crate::compile::{Ctx, Template, naming};
use crate::diagnostics::Diags;
use crate::yaml::Node;

pub use codes::CODES;

pub mod codes {
    use crate::declare_codes;
    declare_codes! { CODES;
        INVALID_EVENT = "slsx::http::invalid-event", "A state machine's `http` event is neither a `METHOD path` string nor an object.";
        INVALID_PATH = "slsx::http::invalid-path", "An `http` event's `path` is missing, not a string, or has an empty segment.";
        INVALID_METHOD = "slsx::http::invalid-method", "An `http` event's `method` is missing, not a string, or not one of get, post, put, patch, options, head, delete, any.";
        INVALID_AUTHORIZER = "slsx::http::invalid-authorizer", "An `http` event's `authorizer` has no usable function name, ARN or authorizer id, or a value of the wrong type.";
        UNKNOWN_AUTHORIZER_FUNCTION = "slsx::http::unknown-authorizer-function", "An `http` event's `authorizer` names a function that `functions` does not define.";
        INVALID_INTEGRATION = "slsx::http::invalid-integration", "An `http` event with an authorizer has an `integration` that is not one the plugin knows.";
        COGNITO_CLAIMS = "slsx::http::cognito-claims", "A Cognito authorizer filters `claims` on an event whose integration is (by default) lambda-proxy.";
        INVALID_CORS = "slsx::http::invalid-cors", "An `http` event's `cors` sets both `origin` and `origins`, has a list setting that is not a list, or a `maxAge` that is not a positive integer.";
        ENDPOINT_TYPE = "slsx::http::endpoint-type", "`provider.endpointType` is not a string, or not one of REGIONAL, EDGE, PRIVATE.";
        VPC_ENDPOINT_IDS = "slsx::http::vpc-endpoint-ids", "`provider.vpcEndpointIds` is set but `provider.endpointType` is not exactly `PRIVATE`.";
        API_KEYS = "slsx::http::api-keys", "`apiKeys` is not a list, or holds an entry that is neither a string nor an object, or an object the framework's schema rejects (which turns its name into a list).";
        API_KEYS_WITH_REST_API_ID = "slsx::http::api-keys-with-rest-api-id", "`apiKeys` / `usagePlan` together with `provider.apiGateway.restApiId`: the plugin would write an empty `RestApiId`.";
        RESOURCE_ID_REQUIRED = "slsx::http::resource-id-required", "With `provider.apiGateway.restApiResources`, an `http` path needs the resource ID of a parent path that is not given.";
        RESOURCE_NOT_FOUND = "slsx::http::resource-not-found", "An `http` path is missing from the resources the plugin builds from `restApiResources`.";
        INVALID_REST_API_RESOURCES = "slsx::http::invalid-rest-api-resources", "An entry of `provider.apiGateway.restApiResources` without a string `path`.";
        METHOD_CONFLICT = "slsx::http::method-conflict", "A state machine's http event on the path and method of a function's: serverless-step-functions merges its method into the function's.";
        CORS_REPLACED = "slsx::http::cors-replaced", "CORS on a path with both function and state-machine http events: serverless-step-functions' preflight replaces the framework's.";
        REST_API_ROOT_REQUIRED = "slsx::http::rest-api-root-resource-id", "`provider.apiGateway.restApiId` without `restApiRootResourceId`, which the framework requires.";
        EXTERNAL_API_SETTING = "slsx::http::external-api-setting", "`provider.tracing.apiGateway` or `provider.logs.restApi` set for an API imported by `restApiId`, which the framework rejects.";
        INVALID_VALUE = "slsx::http::invalid-value", "An `http` event setting of a type the plugin would crash on or copy into a template CloudFormation rejects.";
        SCHEMA_NOT_FOUND = "slsx::http::schema-not-found", "A request schema given as text that names no `provider.apiGateway.request.schemas` entry: the text itself becomes the model's schema.";
        DUPLICATE_ENDPOINT = "slsx::http::duplicate-endpoint", "Two `http` events with the same path and method: the plugin merges them into one API Gateway method.";
        CORS_ORIGIN_UNDEFINED = "slsx::http::cors-origin-undefined", "Object `cors` without an origin (the plugin: no `origin` / `origins`; the framework: empty `origins`): the preflight or the responses say `Access-Control-Allow-Origin: 'undefined'`.";
        PERMISSION_COLLISION = "slsx::http::authorizer-permission-collision", "Authorizers given by different Lambda ARNs share the plugin's single `functionLambdaPermission`: only the last may be invoked.";
        AUTHORIZER_WITHOUT_PERMISSION = "slsx::http::authorizer-without-permission", "A Lambda authorizer of a type other than TOKEN (e.g. REQUEST), which the plugin gives no Lambda permission.";
        COGNITO_METHOD_TYPE = "slsx::http::cognito-method-type", "A `COGNITO_USER_POOLS` authorizer whose ARN is not a `cognito-idp` ARN string: the plugin gives the method `AuthorizationType: CUSTOM`.";
        IGNORED_SETTING = "slsx::http::ignored-setting", "An API Gateway setting serverless-step-functions silently ignores.";
        SYNC_RESPONSE = "slsx::http::sync-response", "`syncResponse` (slsx) of the wrong shape, or with a setting that would replace its response mapping (another `action`, `response.template`, `responses`).";
        SYNC_NOT_EXPRESS = "slsx::http::sync-not-express", "`syncResponse` (slsx) on a state machine that is not `type: EXPRESS` (only EXPRESS machines run synchronously).";
        START_SYNC_NOT_EXPRESS = "slsx::http::start-sync-not-express", "`action: StartSyncExecution` on a state machine that is not `type: EXPRESS`: Step Functions refuses it at run time.";
    }
}

/// What a REST API pipeline's steps share (the framework and the plugin keep these on
/// `this`): the events `E` and the CORS preflight settings `P` are each compiler's own.
pub(crate) struct ApiOf<'a, E, P> {
    pub ctx: &'a Ctx<'a>,
    pub events: Vec<E>,
    /// CORS preflight settings by path, in JavaScript object order.
    pub preflight: IndexMap<String, P>,
    /// `provider.apiGateway.restApiId`, else `{Ref: ApiGatewayRestApi}`.
    pub rest_api_id: Value,
    /// `None` when `restApiId` is given (then no REST API is created).
    pub rest_api_logical_id: Option<&'static str>,
    /// `provider.apiGateway.restApiRootResourceId`, else `{Fn::GetAtt: [ApiGatewayRestApi, RootResourceId]}`.
    pub root_resource_id: Value,
    pub resources: resources::ResourceMap,
    /// The methods the deployment depends on, in order (duplicates kept).
    pub method_ids: Vec<String>,
    pub deployment_id: String,
}

/// The plugin's pipeline state.
pub(crate) type Api<'a> = ApiOf<'a, validate::Event<'a>, validate::Preflight>;

impl<'a, E, P> ApiOf<'a, E, P> {
    /// The API of `provider.apiGateway` (given by `restApiId` and its root, or
    /// `ApiGatewayRestApi`) for `events`.
    pub fn new(ctx: &'a Ctx<'a>, events: Vec<E>, preflight: IndexMap<String, P>) -> Self {
        let rest_api_given = ctx
            .provider_at(&["apiGateway", "restApiId"])
            .filter(|n| n.is_truthy());
        let root_given = ctx
            .provider_at(&["apiGateway", "restApiRootResourceId"])
            .filter(|n| n.is_truthy());
        ApiOf {
            ctx,
            events,
            preflight: util::js_ordered(preflight),
            rest_api_id: rest_api_given
                .map(Node::to_json)
                .unwrap_or_else(|| util::reference(naming::REST_API)),
            rest_api_logical_id: rest_api_given.is_none().then_some(naming::REST_API),
            root_resource_id: root_given
                .map(Node::to_json)
                .unwrap_or_else(|| util::get_att(naming::REST_API, "RootResourceId")),
            resources: resources::ResourceMap::default(),
            method_ids: Vec::new(),
            deployment_id: String::new(),
        }
    }

    /// `getResourceId(path)`: the root for `""`.
    pub fn resource_id(&self, path: &str) -> Option<Value> {
        if path.is_empty() {
            return Some(self.root_resource_id.clone());
        }
        self.resources.resource_id(path)
    }

    /// `getResourceName(path)`: `""` for the root.
    pub fn resource_name(&self, path: &str) -> String {
        if path.is_empty() {
            return String::new();
        }
        self.resources.name(path).unwrap_or_default()
    }

    pub fn api_gateway(&self, path: &[&str]) -> Option<&'a Node> {
        let mut p = vec!["apiGateway"];
        p.extend_from_slice(path);
        self.ctx.provider_at(&p)
    }

    /// `getResourcePaths` for the events' `paths`, checked: the resources the methods hang
    /// from (kept on the API).
    pub fn build_resources(&mut self, paths: &[resources::EventPath], diags: &mut Diags) {
        let predefined = self.api_gateway(&["restApiResources"]);
        if let Some(map) = resources::build(paths, predefined, diags) {
            self.resources = map;
            resources::check_paths(paths, &self.resources, predefined, diags);
        }
    }

    /// `compileResources`
    pub fn compile_resources(&mut self, t: &mut Template) {
        resources::compile(
            &mut self.resources,
            &self.root_resource_id,
            &self.rest_api_id,
            t,
        );
    }
}

/// Compiles every state machine's http events into the template.
pub fn compile(ctx: &Ctx, t: &mut Template, diags: &mut Diags) {
    let errors_before = diags.error_count();
    let validated = validate::collect(ctx, diags);
    if validated.events.is_empty() {
        return;
    }
    let mut api = Api::new(ctx, validated.events, validated.preflight);

    // every check first
    rest_api::check(&api, diags);
    let paths: Vec<resources::EventPath> = api
        .events
        .iter()
        .map(|ev| resources::EventPath {
            path: ev.path.clone(),
            name: ev.resource_name_override(),
            span: ev.path_span,
        })
        .collect();
    api.build_resources(&paths, diags);
    cors::check(&api, diags);
    validators::check(&api, diags);
    api_keys::check(&api, diags);
    methods::check_framework_methods(&api, t, diags);
    cors::check_framework_preflight(&api, t, diags);
    if diags.error_count() > errors_before {
        return;
    }

    rest_api::compile(&api, t);
    api.compile_resources(t);
    methods::compile(&mut api, t, diags);
    validators::compile(&api, t);
    authorizers::compile(&api, t, diags);
    authorizers::compile_permissions(t);
    cors::compile(&api, t);
    role::compile(&api, t);
    deployment::compile(&mut api, t, diags);
    api_keys::compile(&api, t);
}

#[cfg(test)]
mod tests;
