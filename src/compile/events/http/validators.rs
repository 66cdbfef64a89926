//! Request validation (`request.schemas`): a model per content type — from
//! `provider.apiGateway.request.schemas` when the event names one, else inline — and the
//! service's one request validator.

use serde_json::{Map, Value};

use super::util::{obj, reference, truthy_at};
use super::validate::Event;
use super::{Api, codes};
use crate::compile::{Template, naming};
use crate::diagnostics::{Diag, Diags};
use crate::yaml::{Node, js_to_string};

fn schemas<'a>(ev: &Event<'a>) -> Option<&'a crate::yaml::Mapping> {
    ev.get("request")
        .and_then(|r| r.get("schemas"))
        .and_then(Node::as_map)
}

/// The provider schema an event's string schema names, if any.
fn provider_schema<'a>(api: &Api<'a>, cfg: &Node) -> Option<&'a Node> {
    named_schema(api.api_gateway(&["request", "schemas"]), cfg)
}

/// `provider.apiGateway.request.schemas[cfg]` when `cfg` is not an object and names one.
pub(crate) fn named_schema<'a>(provider_schemas: Option<&'a Node>, cfg: &Node) -> Option<&'a Node> {
    if cfg.as_map().is_some() || cfg.as_seq().is_some() {
        return None;
    }
    provider_schemas
        .and_then(|s| s.get(&js_to_string(cfg)))
        .filter(|n| n.is_truthy())
}

/// Warns about a schema given as text that names no provider schema (the plugin then uses
/// the text itself as the model's schema).
pub fn check(api: &Api, diags: &mut Diags) {
    for ev in &api.events {
        let Some(schemas) = schemas(ev) else { continue };
        for (ct, e) in schemas.iter() {
            let cfg = &e.value;
            if cfg.as_map().is_some()
                || cfg.as_seq().is_some()
                || provider_schema(api, cfg).is_some()
            {
                continue;
            }
            diags.push(schema_not_found(
                cfg,
                ct,
                &format!("state machine `{}`", ev.key),
            ));
        }
    }
}

/// A schema given as text that names no provider schema: its text becomes the model's schema.
pub(crate) fn schema_not_found(cfg: &Node, content_type: &str, owner: &str) -> Diag {
    Diag::warning(
        &codes::SCHEMA_NOT_FOUND,
        format!(
            "`{}` is not a schema of `provider.apiGateway.request.schemas`: the `{content_type}` model of {owner} gets it as its schema text",
            js_to_string(cfg),
        ),
    )
    .label(cfg.span, "no provider schema of this name")
    .help("define it under `provider.apiGateway.request.schemas`, or give the JSON schema inline")
}

/// Where an event's models go, and how the compiler at hand writes them.
pub(crate) struct Models<'a> {
    pub service: &'a str,
    pub stage: &'a str,
    pub rest_api_id: &'a Value,
    /// The `RestApiId` of models from `provider.apiGateway.request.schemas`.
    pub provider_model_rest_api_id: &'a Value,
    pub provider_schemas: Option<&'a Node>,
    /// The framework makes the validator before an event's first model, the plugin after.
    pub validator_first: bool,
}

impl Models<'_> {
    /// One event's `request.schemas`: a model per content type (the provider's, else its own
    /// `<Method>...Model`), the request validator, and both set on the method `method_id`.
    /// `validator` is the event's validator so far.
    pub fn compile(
        &self,
        t: &mut Template,
        resource_name: &str,
        method: &str,
        schemas: &crate::yaml::Mapping,
        validator: &mut Option<String>,
    ) {
        let method_id = naming::method_logical_id(resource_name, method);
        for (content_type, e) in schemas.iter() {
            let cfg = &e.value;
            let named = named_schema(self.provider_schemas, cfg);
            if self.validator_first && validator.is_none() {
                *validator = Some(self.request_validator(t));
            }
            let model_id = match named {
                Some(def) => self.provider_model(t, &js_to_string(cfg), def),
                None => {
                    let (definition, name, description) = match cfg.as_map() {
                        Some(m) if truthy_at(Some(m), "schema").is_some() => (
                            m.get("schema"),
                            Some(m.get("name")),
                            Some(m.get("description")),
                        ),
                        _ => (Some(cfg), None, None),
                    };
                    let id = naming::endpoint_model_logical_id(resource_name, method, content_type);
                    let mut props = Map::new();
                    props.insert("RestApiId".into(), self.rest_api_id.clone());
                    props.insert(
                        "ContentType".into(),
                        Value::String(content_type.to_string()),
                    );
                    props.insert(
                        "Schema".into(),
                        definition.map(Node::to_json).unwrap_or(Value::Null),
                    );
                    if let Some(Some(n)) = name {
                        props.insert("Name".into(), n.to_json());
                    }
                    if let Some(Some(d)) = description {
                        props.insert("Description".into(), d.to_json());
                    }
                    set_resource(t, &id, "AWS::ApiGateway::Model", props);
                    id
                }
            };
            if validator.is_none() {
                *validator = Some(self.request_validator(t));
            }
            let validator_id = validator.clone().unwrap_or_default();
            if let Some(Value::Object(props)) = t
                .resources_mut()
                .get_mut(&method_id)
                .and_then(|m| m.get_mut("Properties"))
            {
                props.insert("RequestValidatorId".into(), reference(&validator_id));
                let models = props
                    .entry("RequestModels")
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(models) = models {
                    models.insert(content_type.to_string(), reference(&model_id));
                }
            }
        }
    }

    /// `createProviderModel`
    fn provider_model(&self, t: &mut Template, schema_id: &str, cfg: &Node) -> String {
        let id = naming::model_logical_id(schema_id);
        let definition = truthy_at(cfg.as_map(), "schema").unwrap_or(cfg);
        let mut props = Map::new();
        props.insert("RestApiId".into(), self.provider_model_rest_api_id.clone());
        props.insert("Schema".into(), definition.to_json());
        props.insert(
            "ContentType".into(),
            Value::String("application/json".into()),
        );
        if let Some(n) = truthy_at(cfg.as_map(), "name") {
            props.insert("Name".into(), n.to_json());
        }
        if let Some(d) = truthy_at(cfg.as_map(), "description") {
            props.insert("Description".into(), d.to_json());
        }
        set_resource(t, &id, "AWS::ApiGateway::Model", props);
        id
    }

    /// `createRequestValidator`: the service's one validator.
    pub fn request_validator(&self, t: &mut Template) -> String {
        let id = naming::request_validator_logical_id(self.service);
        let mut props = Map::new();
        props.insert("RestApiId".into(), self.rest_api_id.clone());
        props.insert("ValidateRequestBody".into(), Value::Bool(true));
        props.insert("ValidateRequestParameters".into(), Value::Bool(true));
        props.insert(
            "Name".into(),
            Value::String(format!(
                "{}-{} | Validate request body and querystring parameters",
                self.service, self.stage
            )),
        );
        set_resource(t, &id, "AWS::ApiGateway::RequestValidator", props);
        id
    }
}

/// `compileRequestValidators`
pub fn compile(api: &Api, t: &mut Template) {
    let models = Models {
        service: &api.ctx.service,
        stage: &api.ctx.stage,
        rest_api_id: &api.rest_api_id,
        provider_model_rest_api_id: &api.rest_api_id,
        provider_schemas: api.api_gateway(&["request", "schemas"]),
        validator_first: false,
    };
    for ev in &api.events {
        let Some(schemas) = schemas(ev) else { continue };
        let resource_name = api.resource_name(&ev.path);
        let mut validator: Option<String> = None;
        models.compile(t, &resource_name, &ev.method, schemas, &mut validator);
    }
}

/// `Object.assign(Resources, {id: …})`: replaces, keeping the place of an existing id.
fn set_resource(t: &mut Template, id: &str, ty: &str, props: Map<String, Value>) {
    t.resources_mut().insert(
        id.to_string(),
        obj([
            ("Type", Value::String(ty.to_string())),
            ("Properties", Value::Object(props)),
        ]),
    );
}
