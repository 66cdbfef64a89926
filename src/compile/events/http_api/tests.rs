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
        let Some(actual) = run.template else {
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
