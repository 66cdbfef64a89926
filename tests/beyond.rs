//! slsx-only features ("Beyond serverless-step-functions" in the README): state-machine
//! `httpApi` events and `syncResponse` on `http` events. The real tool chain cannot produce
//! these templates, so there is no oracle output: each `tests/beyond/<case>/serverless.yml`
//! is expanded and
//! - the part these features write (API Gateway v1 / v2 resources, their roles and Lambda
//!   permissions, the API outputs, the warning codes) must equal the reviewed snapshot
//!   `tests/beyond/<case>.json` (`SLSX_BLESS=1 cargo test --test beyond` rewrites it: review
//!   the diff by eye before committing);
//! - its structure is checked: every route targets an integration of this template that
//!   starts the right machine with a role allowed to, every synchronous REST method maps the
//!   execution's output.
//!
//! The shared HTTP API pieces are compared with the oracle's output for function httpApi
//! events in `src/compile/events/http_api/tests.rs`.

mod support;

use std::collections::HashMap;

use serde_json::{Map, Value, json};
use slsx::compile::naming;

fn cases() -> Vec<String> {
    let mut cases: Vec<String> = std::fs::read_dir(support::root().join("tests/beyond"))
        .expect("tests/beyond/")
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    cases.sort();
    cases
}

/// Expands a case in-process; returns the template, the warning codes and, for every state
/// machine, its logical ID and whether it is an EXPRESS machine.
fn expand_all(case: &str) -> (Value, Vec<String>, HashMap<String, bool>) {
    let dir = support::root().join("tests/beyond").join(case);
    let input = slsx::Input::Path(dir);
    let opts = slsx::Options {
        env: Some(HashMap::new()),
        ..slsx::Options::default()
    };
    let run = slsx::expand_with_config(&input, &opts);
    let codes: Vec<String> = run
        .expansion
        .diags
        .iter()
        .map(|d| d.code.id.to_string())
        .collect();
    let Some(t) = run.expansion.template else {
        panic!("{case}: slsx failed: {codes:?}");
    };
    let mut machines = HashMap::new();
    let config = run.config.expect("config");
    if let Some(m) = config
        .at(&["stepFunctions", "stateMachines"])
        .and_then(|n| n.as_map())
    {
        for (key, e) in m.iter() {
            let text = |k: &str| e.value.get(k).and_then(|n| n.as_str());
            let id = naming::state_machine_logical_id(key, text("id"), text("name"));
            machines.insert(id, text("type") == Some("EXPRESS"));
        }
    }
    (t.into_value(), codes, machines)
}

fn expand(case: &str) -> (Value, Vec<String>) {
    let (t, codes, _) = expand_all(case);
    (t, codes)
}

/// What the features write.
fn part(t: &Value, warnings: &[String]) -> Value {
    let mut resources = Map::new();
    for (id, r) in t["Resources"].as_object().into_iter().flatten() {
        let ty = r["Type"].as_str().unwrap_or_default();
        if ty.starts_with("AWS::ApiGateway")
            || id.contains("HttpApi")
            || id == "ApigatewayToStepFunctionsRole"
            || ty == "AWS::Lambda::Permission"
        {
            resources.insert(id.clone(), r.clone());
        }
    }
    let mut outputs = Map::new();
    for (k, o) in t["Outputs"].as_object().into_iter().flatten() {
        if k.starts_with("HttpApi") || k == "ServiceEndpoint" {
            outputs.insert(k.clone(), o.clone());
        }
    }
    json!({"Resources": resources, "Outputs": outputs, "Warnings": warnings})
}

#[test]
fn snapshots() {
    let mut failures = Vec::new();
    for case in cases() {
        let (t, warnings) = expand(&case);
        let got = part(&t, &warnings);
        let path = support::root().join(format!("tests/beyond/{case}.json"));
        let text = format!("{}\n", serde_json::to_string_pretty(&got).expect("json"));
        if std::env::var("SLSX_BLESS").is_ok() {
            std::fs::write(&path, &text).expect("bless");
            continue;
        }
        match std::fs::read_to_string(&path) {
            Err(_) => failures.push(format!(
                "{case}: no snapshot {} (SLSX_BLESS=1 writes it)",
                path.display()
            )),
            Ok(want) => {
                let want: Value = serde_json::from_str(&want).expect("snapshot parses");
                if want != got {
                    failures.push(format!(
                        "{case}: differs from tests/beyond/{case}.json (SLSX_BLESS=1 rewrites it; review the diff)"
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn resources_of<'a>(t: &'a Value, ty: &str) -> Vec<(&'a String, &'a Value)> {
    t["Resources"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, r)| r["Type"] == ty)
        .collect()
}

fn get_att_target(v: &Value) -> Option<&str> {
    v.pointer("/Fn::GetAtt/0").and_then(Value::as_str)
}

#[test]
fn every_route_starts_its_machine() {
    let _guard = support::cwd_lock();
    std::env::set_current_dir(support::root()).expect("cd");
    let mut routes_seen = 0;
    for case in cases() {
        let (t, _, machines) = expand_all(&case);
        let res = &t["Resources"];
        for (id, route) in resources_of(&t, "AWS::ApiGatewayV2::Route") {
            routes_seen += 1;
            let integration_id = route
                .pointer("/Properties/Target/Fn::Join/1/1/Ref")
                .and_then(Value::as_str)
                .unwrap_or_else(|| panic!("{case}: {id} has no integration target"));
            assert_eq!(route["DependsOn"], json!(integration_id), "{case}: {id}");
            assert!(id.starts_with("HttpApiRoute"), "{case}: {id}");
            let integration = &res[integration_id];
            assert_eq!(
                integration["Type"], "AWS::ApiGatewayV2::Integration",
                "{case}: {integration_id}"
            );
            let p = &integration["Properties"];
            assert_eq!(p["ApiId"], route["Properties"]["ApiId"], "{case}: {id}");
            assert_eq!(p["IntegrationType"], "AWS_PROXY");
            assert_eq!(p["PayloadFormatVersion"], "1.0");
            let sm = p
                .pointer("/RequestParameters/StateMachineArn/Ref")
                .and_then(Value::as_str)
                .unwrap_or_else(|| panic!("{case}: {integration_id} starts no machine"));
            let express = *machines
                .get(sm)
                .unwrap_or_else(|| panic!("{case}: unknown machine {sm}"));
            // the machine is this template's, of the type the configuration gives
            assert_eq!(
                res[sm]["Type"], "AWS::StepFunctions::StateMachine",
                "{case}: {sm}"
            );
            assert_eq!(
                res[sm]["Properties"]["StateMachineType"] == "EXPRESS",
                express,
                "{case}: {sm}"
            );
            let sync = p["IntegrationSubtype"] == "StepFunctions-StartSyncExecution";
            assert!(
                sync || p["IntegrationSubtype"] == "StepFunctions-StartExecution",
                "{case}: {integration_id}"
            );
            assert!(
                !sync || express,
                "{case}: {integration_id} runs a STANDARD machine synchronously"
            );
            assert!(
                p["RequestParameters"]["Input"].is_string(),
                "{case}: {integration_id}"
            );
            // the role: generated (allowed to start exactly this machine) or the user's ARN
            match get_att_target(&p["CredentialsArn"]) {
                Some(role_id) => {
                    let role = &res[role_id];
                    assert_eq!(role["Type"], "AWS::IAM::Role", "{case}: {role_id}");
                    assert_eq!(
                        role.pointer(
                            "/Properties/AssumeRolePolicyDocument/Statement/0/Principal/Service"
                        ),
                        Some(&json!("apigateway.amazonaws.com"))
                    );
                    let stmt = &role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"][0];
                    assert_eq!(stmt["Resource"], json!({"Ref": sm}), "{case}: {role_id}");
                    let action = if sync {
                        "states:StartSyncExecution"
                    } else {
                        "states:StartExecution"
                    };
                    assert!(
                        stmt["Action"]
                            .as_array()
                            .is_some_and(|a| a.contains(&json!(action))),
                        "{case}: {role_id} lacks {action}"
                    );
                }
                None => assert!(
                    p["CredentialsArn"]
                        .as_str()
                        .is_some_and(|s| s.starts_with("arn:aws:iam::")),
                    "{case}: {integration_id}"
                ),
            }
            // authorizers are of this API
            if let Some(a) = route
                .pointer("/Properties/AuthorizerId/Ref")
                .and_then(Value::as_str)
            {
                assert_eq!(
                    res[a]["Type"], "AWS::ApiGatewayV2::Authorizer",
                    "{case}: {a}"
                );
            }
        }
        // the API and its stage, unless it is another stack's
        let own_api = res.get("HttpApi").is_some();
        if own_api {
            assert_eq!(
                res["HttpApiStage"]["Properties"]["ApiId"],
                json!({"Ref": "HttpApi"})
            );
            assert!(t["Outputs"].get("HttpApiUrl").is_some(), "{case}");
        } else {
            assert!(t["Outputs"].get("HttpApiUrl").is_none(), "{case}");
        }
    }
    assert!(routes_seen >= 10, "only {routes_seen} routes checked");
}

#[test]
fn synchronous_rest_methods_answer_with_the_output() {
    let _guard = support::cwd_lock();
    std::env::set_current_dir(support::root()).expect("cd");
    let mut seen = 0;
    for case in ["sync-rest", "httpapi-with-rest"] {
        let (t, _) = expand(case);
        for (id, m) in resources_of(&t, "AWS::ApiGateway::Method") {
            let i = &m["Properties"]["Integration"];
            let uri = i
                .pointer("/Uri/Fn::Join/1/4")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if uri != ":states:action/StartSyncExecution" {
                continue;
            }
            seen += 1;
            assert_eq!(i["PassthroughBehavior"], "NEVER", "{case}: {id}");
            let sm = i
                .pointer("/RequestTemplates/application~1json/Fn::Sub/1/StateMachineArn/Ref")
                .and_then(Value::as_str)
                .unwrap_or_else(|| panic!("{case}: {id} sends no execution input"));
            assert_eq!(
                t["Resources"][sm]["Properties"]["StateMachineType"], "EXPRESS",
                "{case}: {id} runs {sm} synchronously"
            );
            let template = i["IntegrationResponses"][0]["ResponseTemplates"]["application/json"]
                .as_str()
                .unwrap_or_default();
            assert!(template.contains("$input.path('$.output')"), "{case}: {id}");
            assert!(
                template.contains("$context.responseOverride.status"),
                "{case}: {id}"
            );
            // every status the template may answer is a method response
            let declared: Vec<&Value> = m["Properties"]["MethodResponses"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|r| &r["StatusCode"])
                .collect();
            for line in template.lines() {
                if let Some(code) = line
                    .strip_prefix("#set( $context.responseOverride.status = ")
                    .and_then(|r| r.strip_suffix(" )"))
                {
                    let code: u64 = code.parse().expect("status");
                    assert!(
                        declared.contains(&&json!(code)),
                        "{case}: {id} does not declare {code}"
                    );
                }
            }
        }
        let role = &t["Resources"]["ApigatewayToStepFunctionsRole"];
        let actions =
            &role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"][0]["Action"];
        assert!(
            actions
                .as_array()
                .is_some_and(|a| a.contains(&json!("states:StartSyncExecution"))),
            "{case}: the API Gateway role may not start synchronous executions"
        );
    }
    assert_eq!(seen, 3);
}
