//! The shared HTTP API pieces against the oracle. The oracle cannot compile a state machine's
//! httpApi events, but it compiles a function's: every `fixtures/httpapi-fn-*` case is a
//! service whose function has httpApi events (its `expected.json` is the oracle's). Here the
//! same events are moved from the function to a state machine, slsx expands that service, and
//! every piece the two would share must equal the oracle's: the API, its stage, log group,
//! authorizers and their permissions, the outputs, and the routes (but for the integration
//! they target, which is the state machine's own).

use std::path::Path;

use serde_json::{Map, Value, json};

use crate::source::SourceMap;
use crate::{Input, Options, expand};

/// The fixture's configuration with every function's `events` moved to a state machine of the
/// same key (functions keep everything else, e.g. an authorizer's handler).
fn moved_to_state_machines(case: &str) -> Value {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(case);
    let text = std::fs::read_to_string(dir.join("serverless.yml")).expect("serverless.yml");
    let mut sources = SourceMap::new();
    let id = sources.add("serverless.yml", dir.join("serverless.yml"), text.as_str());
    let mut config = crate::config::parse(&sources, id)
        .expect("parses")
        .to_json();
    let mut machines = Map::new();
    if let Some(fns) = config.get_mut("functions").and_then(Value::as_object_mut) {
        for (key, f) in fns.iter_mut() {
            if let Some(events) = f.as_object_mut().and_then(|o| o.remove("events")) {
                machines.insert(
                    key.clone(),
                    json!({
                        "events": events,
                        "definition": {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}},
                    }),
                );
            }
        }
    }
    config["stepFunctions"] = json!({"stateMachines": machines});
    config
}

/// The pieces a function's and a state machine's httpApi events share, with each route's
/// target integration blanked.
fn shared(t: &Value) -> Value {
    let mut out = Map::new();
    for (id, r) in t["Resources"].as_object().into_iter().flatten() {
        let ty = r["Type"].as_str().unwrap_or_default();
        let keep = matches!(
            ty,
            "AWS::ApiGatewayV2::Api" | "AWS::ApiGatewayV2::Stage" | "AWS::ApiGatewayV2::Authorizer"
        ) || id == "HttpApiLogGroup"
            || id.ends_with("LambdaAuthorizerPermissionHttpApi");
        if keep {
            out.insert(id.clone(), r.clone());
        }
        if ty == "AWS::ApiGatewayV2::Route" {
            let mut r = r.clone();
            r["Properties"]["Target"] = json!("<integration>");
            r["DependsOn"] = json!("<integration>");
            out.insert(id.clone(), r);
        }
    }
    for (k, o) in t["Outputs"].as_object().into_iter().flatten() {
        if k.starts_with("HttpApi") {
            out.insert(format!("Output {k}"), o.clone());
        }
    }
    Value::Object(out)
}

#[test]
fn shared_pieces_match_the_framework() {
    let mut cases: Vec<String> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"))
            .expect("fixtures/")
            .filter_map(Result::ok)
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| n.starts_with("httpapi-fn-"))
            .collect();
    cases.sort();
    assert!(
        cases.len() >= 5,
        "found only {} httpapi-fn fixtures",
        cases.len()
    );
    let mut failures = Vec::new();
    for case in &cases {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(case);
        let expected: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join("expected.json")).expect("expected.json"),
        )
        .expect("expected.json parses");
        let config = moved_to_state_machines(case);
        let input = Input::Text {
            name: "serverless.yml".into(),
            dir: dir.clone(),
            text: serde_json::to_string_pretty(&config).expect("json"),
        };
        let run = expand(&input, &Options::default());
        let Some(actual) = run.template.map(crate::compile::Template::into_value) else {
            let codes: Vec<&str> = run.diags.iter().map(|d| d.code.id).collect();
            failures.push(format!("{case}: slsx failed: {codes:?}"));
            continue;
        };
        let (want, got) = (shared(&expected), shared(&actual));
        assert!(
            want.as_object().is_some_and(|m| m.len() >= 4),
            "{case}: too little to compare"
        );
        let keys = want
            .as_object()
            .into_iter()
            .chain(got.as_object())
            .flat_map(|m| m.keys().cloned())
            .collect::<std::collections::BTreeSet<_>>();
        for k in keys {
            if want.get(&k) != got.get(&k) {
                failures.push(format!(
                    "{case}: {k}\n  oracle {}\n  slsx   {}",
                    want.get(&k)
                        .map(Value::to_string)
                        .unwrap_or_else(|| "-".into()),
                    got.get(&k)
                        .map(Value::to_string)
                        .unwrap_or_else(|| "-".into())
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Expands a service given as text; returns the template (or null) and the diagnostic codes.
fn expand_text(yaml: &str) -> (Value, Vec<&'static str>) {
    let input = Input::Text {
        name: "serverless.yml".into(),
        dir: std::env::temp_dir(),
        text: yaml.to_string(),
    };
    let e = expand(&input, &Options::default());
    let codes = e.diags.iter().map(|d| d.code.id).collect();
    (
        e.template
            .map(crate::compile::Template::into_value)
            .unwrap_or(Value::Null),
        codes,
    )
}

const MACHINE: &str = "plugins: [serverless-step-functions]\nstepFunctions:\n  stateMachines:\n    m:\n      definition: {StartAt: A, States: {A: {Type: Succeed}}}\n";

#[test]
fn without_routes_nothing_is_written_or_reported() {
    // the framework ignores provider.httpApi settings (of any shape) when no route uses them
    for settings in [
        "  httpApi: true\n",
        "  httpApi:\n    authorizers: abc\n",
        "  httpApi:\n    authorizers:\n      a: just-a-string\n      b: {identitySource: x}\n",
        "  httpApi:\n    cors: true\n    name: api\n",
    ] {
        let (t, codes) = expand_text(&format!(
            "service: s\nprovider:\n  name: aws\n{settings}{MACHINE}"
        ));
        assert!(codes.is_empty(), "{settings}: {codes:?}");
        let ids: Vec<&String> = t["Resources"]
            .as_object()
            .expect("resources")
            .keys()
            .collect();
        assert!(
            ids.iter().all(|id| !id.starts_with("HttpApi")),
            "{settings}: {ids:?}"
        );
        assert!(t["Outputs"].get("HttpApiUrl").is_none());
    }
    // what the framework rejects whether or not there are routes
    let (t, codes) = expand_text(&format!(
        "service: s\nprovider:\n  name: aws\n  httpApi:\n    id: abc\n    cors: true\n    authorizers:\n      a: ~\n{MACHINE}"
    ));
    assert!(t.is_null());
    assert_eq!(
        codes,
        [
            "slsx::http-api::external-api",
            "slsx::http-api::external-api",
            "slsx::http-api::authorizer-config"
        ]
    );
}

#[test]
fn given_cors_methods_are_kept_and_routes_fill_the_others() {
    let svc = |cors: &str| {
        format!(
            "service: s\nprovider:\n  name: aws\n  httpApi:\n    cors: {cors}\n{MACHINE}      events:\n        - httpApi: 'PATCH /a'\n        - httpApi: 'GET /b'\n        - httpApi: 'GET /c'\n"
        )
    };
    let (t, codes) = expand_text(&svc("{allowedMethods: [GET, GET, PUT], maxAge: 0}"));
    assert!(codes.is_empty(), "{codes:?}");
    let c = &t["Resources"]["HttpApi"]["Properties"]["CorsConfiguration"];
    assert_eq!(c["AllowMethods"], json!(["GET", "PUT"]));
    assert_eq!(c["MaxAge"], json!(0));
    assert!(c.get("AllowCredentials").is_none());
    let (t, _) = expand_text(&svc("{allowedHeaders: X-One}"));
    let c = &t["Resources"]["HttpApi"]["Properties"]["CorsConfiguration"];
    assert_eq!(c["AllowMethods"], json!(["OPTIONS", "PATCH", "GET"]));
    assert_eq!(c["AllowHeaders"], json!(["X-One"]));
    assert_eq!(c["AllowOrigins"], json!(["*"]));
}

#[test]
fn parameters_keep_input_second_and_the_rest_in_order() {
    let (t, codes) = expand_text(&format!(
        "service: s\nprovider:\n  name: aws\n{MACHINE}      events:\n        - httpApi:\n            method: post\n            path: /a\n            parameters:\n              Region: us-west-2\n              Input: $request.body.x\n              Name: {{Ref: AWS::StackName}}\n"
    ));
    assert!(codes.is_empty(), "{codes:?}");
    let p = &t["Resources"]["HttpApiIntegrationStepFunctionsPostA"]["Properties"];
    let keys: Vec<&String> = p["RequestParameters"]
        .as_object()
        .expect("params")
        .keys()
        .collect();
    assert_eq!(keys, ["StateMachineArn", "Input", "Region", "Name"]);
    assert_eq!(
        p["RequestParameters"]["Name"],
        json!({"Ref": "AWS::StackName"})
    );
    assert_eq!(
        p["IntegrationSubtype"],
        json!("StepFunctions-StartExecution")
    );
    // a STANDARD machine's role may only start executions asynchronously
    assert_eq!(
        t["Resources"]["MHttpApiToStepFunctionsRole"]["Properties"]["Policies"][0]["PolicyDocument"]
            ["Statement"][0]["Action"],
        json!(["states:StartExecution"])
    );
}
