//! The stage deployment and the `ServiceEndpoint` output.
//!
//! The framework names the deployment `ApiGatewayDeployment<instanceId>`, the per-run id
//! (epoch milliseconds): every `sls package` gets a new one, so CloudFormation creates a new
//! deployment on every deploy. slsx output must be deterministic, but a fixed id would stop
//! API changes from ever being deployed (CloudFormation sees an unchanged resource). So the
//! id is `--instance-id` when given, else 13 decimal digits derived from the md5 of the
//! compact JSON of the REST API's definition — every `RestApi`, `Resource`, `Method`,
//! `Model`, `RequestValidator` and `Authorizer` resource in the template at this point, by
//! logical id. It changes exactly when the API changes.

use md5::{Digest, Md5};
use serde_json::{Map, Value};

use super::Api;
use super::util::{obj, reference};
use crate::compile::{Template, naming};
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

/// 13 decimal digits from the md5 of the API's resources.
pub fn api_digest(t: &Template) -> String {
    let mut api = Map::new();
    for (id, r) in t.resources() {
        if r.get("Type")
            .and_then(Value::as_str)
            .is_some_and(|ty| API_TYPES.contains(&ty))
        {
            api.insert(id.clone(), r.clone());
        }
    }
    let d = Md5::digest(to_compact(&Value::Object(api)).as_bytes());
    let mut n: u64 = 0;
    for b in &d[..8] {
        n = (n << 8) | u64::from(*b);
    }
    format!("{:013}", n % 10_000_000_000_000)
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
            api.deployment_id = id;
        }
        None => {
            let instance = api
                .ctx
                .options
                .instance_id
                .clone()
                .unwrap_or_else(|| api_digest(t));
            let id = naming::deployment_logical_id(&instance);
            t.merge_resource(
                &id,
                obj([
                    ("Type", Value::String("AWS::ApiGateway::Deployment".into())),
                    (
                        "Properties",
                        obj([
                            ("RestApiId", api.rest_api_id.clone()),
                            ("StageName", Value::String(api.ctx.stage.clone())),
                        ]),
                    ),
                    (
                        "DependsOn",
                        Value::Array(
                            api.method_ids
                                .iter()
                                .map(|m| Value::String(m.clone()))
                                .collect(),
                        ),
                    ),
                ]),
            );
            api.deployment_id = id;
        }
    }
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
                            api.rest_api_id.clone(),
                            s(".execute-api."),
                            reference("AWS::Region"),
                            s("."),
                            reference("AWS::URLSuffix"),
                            s(&format!("/{}", api.ctx.stage)),
                        ]),
                    ]),
                )]),
            ),
        ]),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
}
