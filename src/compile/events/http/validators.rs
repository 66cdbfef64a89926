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
    if cfg.as_map().is_some() || cfg.as_seq().is_some() {
        return None;
    }
    api.api_gateway(&["request", "schemas"])
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
            diags.push(
                Diag::warning(
                    &codes::SCHEMA_NOT_FOUND,
                    format!(
                        "`{}` is not a schema of `provider.apiGateway.request.schemas`: the `{ct}` model of state machine `{}` gets it as its schema text",
                        js_to_string(cfg),
                        ev.key
                    ),
                )
                .label(cfg.span, "no provider schema of this name")
                .help("define it under `provider.apiGateway.request.schemas`, or give the JSON schema inline"),
            );
        }
    }
}

/// `compileRequestValidators`
pub fn compile(api: &Api, t: &mut Template) {
    for ev in &api.events {
        let Some(schemas) = schemas(ev) else { continue };
        let resource_name = api.resource_name(&ev.path);
        let method_id = naming::method_logical_id(&resource_name, &ev.method);
        let mut validator: Option<String> = None;
        for (content_type, e) in schemas.iter() {
            let cfg = &e.value;
            let model_id = match provider_schema(api, cfg) {
                Some(def) => provider_model(api, t, &js_to_string(cfg), def),
                None => {
                    let (definition, name, description) = match cfg.as_map() {
                        Some(m) if truthy_at(Some(m), "schema").is_some() => (
                            m.get("schema"),
                            Some(m.get("name")),
                            Some(m.get("description")),
                        ),
                        _ => (Some(cfg), None, None),
                    };
                    let id =
                        naming::endpoint_model_logical_id(&resource_name, &ev.method, content_type);
                    let mut props = Map::new();
                    props.insert("RestApiId".into(), api.rest_api_id.clone());
                    props.insert("ContentType".into(), Value::String(content_type.clone()));
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
            let validator_id = validator
                .get_or_insert_with(|| request_validator(api, t))
                .clone();
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
                    models.insert(content_type.clone(), reference(&model_id));
                }
            }
        }
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

/// `createProviderModel`
fn provider_model(api: &Api, t: &mut Template, schema_id: &str, cfg: &Node) -> String {
    let id = naming::model_logical_id(schema_id);
    let definition = truthy_at(cfg.as_map(), "schema").unwrap_or(cfg);
    let mut props = Map::new();
    props.insert("RestApiId".into(), api.rest_api_id.clone());
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

/// `createRequestValidator`
fn request_validator(api: &Api, t: &mut Template) -> String {
    let id = naming::request_validator_logical_id(&api.ctx.service);
    let mut props = Map::new();
    props.insert("RestApiId".into(), api.rest_api_id.clone());
    props.insert("ValidateRequestBody".into(), Value::Bool(true));
    props.insert("ValidateRequestParameters".into(), Value::Bool(true));
    props.insert(
        "Name".into(),
        Value::String(format!(
            "{}-{} | Validate request body and querystring parameters",
            api.ctx.service, api.ctx.stage
        )),
    );
    set_resource(t, &id, "AWS::ApiGateway::RequestValidator", props);
    id
}
