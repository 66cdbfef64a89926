//! `ApigatewayToStepFunctionsRole`: the role API Gateway assumes to call Step Functions, made
//! when at least one event has no `iamRole`. Its actions come from every event's `action`.

use serde_json::Value;

use super::Api;
use super::util::obj;
use crate::compile::{Template, naming};

fn s(v: &str) -> Value {
    Value::String(v.to_string())
}

/// `compileHttpIamRole`
pub fn compile(api: &Api, t: &mut Template) {
    if api.events.iter().all(|ev| ev.has("iamRole")) {
        return;
    }
    let mut actions = vec!["states:StartExecution".to_string()];
    for ev in &api.events {
        if let Some(a) = ev.action() {
            let name = format!("states:{a}");
            if !actions.contains(&name) {
                actions.push(name);
            }
        }
    }
    let mut props = serde_json::Map::new();
    props.insert(
        "AssumeRolePolicyDocument".into(),
        obj([
            ("Version", s("2012-10-17")),
            (
                "Statement",
                Value::Array(vec![obj([
                    ("Effect", s("Allow")),
                    (
                        "Principal",
                        obj([("Service", s("apigateway.amazonaws.com"))]),
                    ),
                    ("Action", s("sts:AssumeRole")),
                ])]),
            ),
        ]),
    );
    props.insert(
        "Policies".into(),
        Value::Array(vec![obj([
            ("PolicyName", s("apigatewaytostepfunctions")),
            (
                "PolicyDocument",
                obj([
                    ("Version", s("2012-10-17")),
                    (
                        "Statement",
                        Value::Array(vec![obj([
                            ("Effect", s("Allow")),
                            (
                                "Action",
                                Value::Array(actions.into_iter().map(Value::String).collect()),
                            ),
                            ("Resource", s("*")),
                        ])]),
                    ),
                ]),
            ),
        ])]),
    );
    if let Some(b) = api
        .ctx
        .provider_at(&["rolePermissionsBoundary"])
        .filter(|n| n.is_truthy())
    {
        props.insert("PermissionsBoundary".into(), b.to_json());
    }
    if let Some(p) = api
        .ctx
        .provider_at(&["iam", "role", "path"])
        .filter(|n| n.is_truthy())
    {
        props.insert("Path".into(), p.to_json());
    }
    t.merge_resource(
        naming::APIGATEWAY_TO_STEP_FUNCTIONS_ROLE,
        obj([
            ("Type", s("AWS::IAM::Role")),
            ("Properties", Value::Object(props)),
        ]),
    );
}
