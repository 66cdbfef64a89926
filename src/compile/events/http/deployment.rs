//! The stage deployment and the `ServiceEndpoint` output.
//!
//! The framework names the deployment `ApiGatewayDeployment<instanceId>`, the per-run id
//! (epoch milliseconds): every `sls package` gets a new one, so CloudFormation creates a new
//! deployment on every deploy. slsx output must be deterministic, but a fixed id would stop
//! API changes from ever being deployed (CloudFormation sees an unchanged resource). So the
//! id is `--instance-id` when given, else 13 decimal digits derived from the md5 of the
//! compact JSON of the REST API's definition — every `RestApi`, `Resource`, `Method`,
//! `Model`, `RequestValidator` and `Authorizer` resource in the template at this point, by
//! logical id. It changes exactly when the API changes. The framework's function http events
//! create the deployment first; when the state machines' methods join it, its id is taken
//! again from the whole API.

use md5::{Digest, Md5};
use serde_json::{Map, Value};

use super::Api;
use super::util::{obj, reference};
use crate::compile::{Ctx, Template, naming};
use crate::diagnostics::{Diag, Diags};
use crate::emit::json::to_compact;

/// The resource types that make up what a deployment publishes.
const API_TYPES: [&str; 6] = [
    "AWS::ApiGateway::RestApi",
    "AWS::ApiGateway::Resource",
    "AWS::ApiGateway::Method",
    "AWS::ApiGateway::Model",
    "AWS::ApiGateway::RequestValidator",
    "AWS::ApiGateway::Authorizer",
];

/// 13 decimal digits from the md5 of the API's resources: of `JSON.stringify` of an object
/// of them by logical id, hashed a resource at a time (the API of a big service is megabytes
/// as one tree).
pub fn api_digest(t: &Template) -> String {
    let res = t.resources();
    // in the property order of the object: integer-like ids first
    let ids = crate::emit::json::js_order(
        res.iter_str_at(&["Type"])
            .filter(|(_, ty)| ty.as_deref().is_some_and(|ty| API_TYPES.contains(&ty)))
            .map(|(id, _)| id),
    );
    let mut md5 = Md5::new();
    md5.update(b"{");
    for (i, id) in ids.into_iter().enumerate() {
        if i > 0 {
            md5.update(b",");
        }
        let mut entry = String::new();
        crate::emit::json::write_string(&mut entry, id);
        entry.push(':');
        if let Some(r) = res.get(id) {
            entry.push_str(&to_compact(&r));
        }
        md5.update(entry.as_bytes());
    }
    md5.update(b"}");
    let d = md5.finalize();
    let mut n: u64 = 0;
    for b in &d[..8] {
        n = (n << 8) | u64::from(*b);
    }
    format!("{:013}", n % 10_000_000_000_000)
}

/// A new deployment of `rest_api_id`'s `methods` at `stage_name`: `ApiGatewayDeployment` +
/// `--instance-id`, else the API digest. Returns its logical ID.
pub(crate) fn create(
    ctx: &Ctx,
    t: &mut Template,
    rest_api_id: &Value,
    stage_name: Value,
    description: Option<Value>,
    methods: &[String],
) -> String {
    let instance = ctx
        .options
        .instance_id
        .clone()
        .unwrap_or_else(|| api_digest(t));
    let id = naming::deployment_logical_id(&instance);
    let mut props = Map::new();
    props.insert("RestApiId".into(), rest_api_id.clone());
    props.insert("StageName".into(), stage_name);
    if let Some(d) = description {
        props.insert("Description".into(), d);
    }
    t.merge_resource(
        &id,
        obj([
            ("Type", Value::String("AWS::ApiGateway::Deployment".into())),
            ("Properties", Value::Object(props)),
            (
                "DependsOn",
                Value::Array(methods.iter().map(|m| Value::String(m.clone())).collect()),
            ),
        ]),
    );
    id
}

/// The `ServiceEndpoint` output: `https://<api>.execute-api.<region>.<suffix>/<stage>`.
pub(crate) fn service_endpoint(t: &mut Template, rest_api_id: &Value, stage: &str) {
    let s = |v: &str| Value::String(v.to_string());
    t.merge_output(
        naming::SERVICE_ENDPOINT_OUTPUT,
        obj([
            ("Description", s("URL of the service endpoint")),
            (
                "Value",
                obj([(
                    "Fn::Join",
                    Value::Array(vec![
                        s(""),
                        Value::Array(vec![
                            s("https://"),
                            rest_api_id.clone(),
                            s(".execute-api."),
                            reference("AWS::Region"),
                            s("."),
                            reference("AWS::URLSuffix"),
                            s(&format!("/{stage}")),
                        ]),
                    ]),
                )]),
            ),
        ]),
    );
}

/// Renames resource `from` to `to` in place (same position), with every `DependsOn` on it.
fn rename(t: &mut Template, from: &str, to: &str) {
    let res = t.resources_mut();
    if !res.rename(from, to) {
        return;
    }
    res.for_each_mut(|_, r| match r.get_mut("DependsOn") {
        Some(Value::String(d)) if d == from => *d = to.to_string(),
        Some(Value::Array(list)) => {
            for d in list.iter_mut() {
                if d.as_str() == Some(from) {
                    *d = Value::String(to.to_string());
                }
            }
        }
        _ => {}
    });
}

/// `compileDeployment`
pub fn compile(api: &mut Api, t: &mut Template, diags: &mut Diags) {
    let existing = t
        .resource_ids_of_type("AWS::ApiGateway::Deployment")
        .into_iter()
        .next();
    match existing {
        Some(id) => {
            let methods: Vec<Value> = api
                .method_ids
                .iter()
                .map(|m| Value::String(m.clone()))
                .collect();
            match t
                .resources_mut()
                .get_mut(&id)
                .and_then(|r| r.get_mut("DependsOn"))
            {
                Some(Value::Array(list)) => list.extend(methods),
                _ => diags.push(
                    Diag::error(
                        &crate::compile::UNSUPPORTED,
                        format!("the existing deployment `{id}` has no `DependsOn` list to add the state machines' methods to"),
                    )
                    .help("serverless-step-functions crashes here; give the deployment a `DependsOn` list"),
                ),
            }
            // The framework's deployment (its function http events): slsx's digest id must
            // follow the state machines' methods too.
            let id = match api.ctx.options.instance_id {
                Some(_) => id,
                None => {
                    let new = naming::deployment_logical_id(&api_digest(t));
                    rename(t, &id, &new);
                    new
                }
            };
            api.deployment_id = id;
        }
        None => {
            api.deployment_id = create(
                api.ctx,
                t,
                &api.rest_api_id,
                Value::String(api.ctx.stage.clone()),
                None,
                &api.method_ids,
            );
        }
    }
    service_endpoint(t, &api.rest_api_id, &api.ctx.stage);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::events::tests::expand;
    use serde_json::json;

    fn deployment(t: &Value) -> String {
        t["Resources"]
            .as_object()
            .into_iter()
            .flatten()
            .find(|(_, r)| r["Type"] == "AWS::ApiGateway::Deployment")
            .map(|(id, _)| id.clone())
            .unwrap_or_default()
    }

    #[test]
    fn a_shared_deployment_follows_the_state_machines_methods() {
        let svc = |path: &str| {
            format!(
                "service: s\nplugins: [serverless-step-functions]\nprovider:\n  name: aws\n  apiGateway:\n    apiKeys: [k]\nfunctions:\n  f:\n    handler: h.h\n    events:\n      - http: GET a\nstepFunctions:\n  stateMachines:\n    m:\n      definition: {{StartAt: A, States: {{A: {{Type: Succeed}}}}}}\n      events:\n        - http: POST {path}\n"
            )
        };
        let (one, codes) = expand(&svc("b"));
        assert!(codes.is_empty(), "{codes:?}");
        let (two, _) = expand(&svc("c"));
        let (id1, id2) = (deployment(&one), deployment(&two));
        assert!(id1.starts_with("ApiGatewayDeployment") && id1 != id2);
        // everything that depends on it follows the rename; it keeps its place
        assert_eq!(
            one["Resources"]["ApiGatewayApiKey1"]["DependsOn"],
            json!(id1)
        );
        assert_eq!(
            one["Resources"]["ApiGatewayUsagePlan"]["DependsOn"],
            json!(id1)
        );
        let ids: Vec<&String> = one["Resources"]
            .as_object()
            .expect("resources")
            .keys()
            .collect();
        let at = ids.iter().position(|k| **k == id1).expect("deployment");
        assert_eq!(ids[at + 1], "ApiGatewayApiKey1");
    }

    #[test]
    fn digest_follows_the_api() {
        let mut t = Template::new();
        t.merge_resource(
            "ApiGatewayRestApi",
            json!({"Type": "AWS::ApiGateway::RestApi"}),
        );
        t.merge_resource(
            "ApiGatewayMethodAGet",
            json!({"Type": "AWS::ApiGateway::Method", "Properties": {"HttpMethod": "GET"}}),
        );
        let first = api_digest(&t);
        assert_eq!(first.len(), 13);
        assert!(first.bytes().all(|b| b.is_ascii_digit()));
        // unrelated resources do not change it
        t.merge_resource("Queue", json!({"Type": "AWS::SQS::Queue"}));
        assert_eq!(api_digest(&t), first);
        // a changed method does
        t.merge_resource(
            "ApiGatewayMethodAGet",
            json!({"Properties": {"ApiKeyRequired": true}}),
        );
        assert_ne!(api_digest(&t), first);
    }

    #[test]
    fn digest_is_the_md5_of_the_api_as_one_object() {
        let mut t = Template::new();
        let api = json!({
            "ApiGatewayRestApi": {"Type": "AWS::ApiGateway::RestApi"},
            "ApiGatewayResourceA": {"Type": "AWS::ApiGateway::Resource", "Properties": {"PathPart": "a"}},
            "7": {"Type": "AWS::ApiGateway::Model", "Properties": {"n": 1.5}},
        });
        for (id, r) in api.as_object().unwrap() {
            t.merge_resource(id, r.clone());
            t.merge_resource(&format!("Q{id}"), json!({"Type": "AWS::SQS::Queue"}));
        }
        // `JSON.stringify` puts the integer-like id first
        let text = to_compact(&api);
        assert!(text.starts_with("{\"7\":"), "{text}");
        let d = Md5::digest(text.as_bytes());
        let n = d[..8].iter().fold(0u64, |n, b| (n << 8) | u64::from(*b));
        assert_eq!(api_digest(&t), format!("{:013}", n % 10_000_000_000_000));
    }
}
