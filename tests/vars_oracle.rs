//! Variable resolution checked against the oracle beyond `resources:`: the function-level
//! values (`environment`, `memorySize`, `timeout`, state machine names and definitions' text)
//! of the oracle examples come out of resolution unchanged, so the resolved config must carry
//! exactly the strings the real tool put into its template, whatever the compilers do.

mod support;

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

fn resolved(case: &str) -> (Value, Value) {
    let dir = support::root().join("fixtures").join(case);
    let env = support::fixture_env(&dir);
    let args = std::fs::read_to_string(dir.join("args")).unwrap_or_default();
    let mut opts = slsx::Options {
        env: Some(env.into_iter().collect::<HashMap<_, _>>()),
        ..slsx::Options::default()
    };
    let words: Vec<&str> = args.split_whitespace().collect();
    let mut i = 0;
    while i < words.len() {
        match words[i] {
            "--stage" => opts.stage = Some(words[i + 1].into()),
            "--region" => opts.region = Some(words[i + 1].into()),
            "--param" => opts.params.push(words[i + 1].into()),
            _ => {}
        }
        i += 2;
    }
    let text = std::fs::read_to_string(dir.join("serverless.yml")).expect("config");
    let mut sources = slsx::source::SourceMap::new();
    let id = sources.add("serverless.yml", dir.join("serverless.yml"), text.as_str());
    let mut root = slsx::yaml::load(id, &text, slsx::yaml::LoadOptions::default()).expect("yaml");
    let mut diags = slsx::diagnostics::Diags::new();
    slsx::vars::resolve(
        &mut root,
        &slsx::vars::VarsInput {
            service_dir: Path::new(&dir),
            options: &opts,
            env: opts.env.as_ref().expect("env"),
            instance_id: "0000000000000",
        },
        &mut sources,
        &mut diags,
    );
    assert!(!diags.has_errors(), "{case}: {:?}", diags);
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("expected.json")).expect("expected"),
    )
    .expect("json");
    (root.to_json(), expected)
}

fn check_functions(case: &str) -> usize {
    let (config, expected) = resolved(case);
    let mut checked = 0;
    let provider_env = config
        .pointer("/provider/environment")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let functions = config
        .get("functions")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let resources = expected["Resources"].as_object().expect("resources");
    for (_, f) in functions {
        let handler = f["handler"].as_str().expect("handler");
        let (_, lambda) = resources
            .iter()
            .find(|(_, r)| {
                r["Type"] == "AWS::Lambda::Function" && r["Properties"]["Handler"] == handler
            })
            .expect("lambda for handler");
        let vars = &lambda["Properties"]["Environment"]["Variables"];
        let mut env = provider_env.clone();
        if let Some(fe) = f.get("environment").and_then(Value::as_object) {
            env.extend(fe.clone());
        }
        for (k, v) in env {
            // the schema coerces scalars to strings after resolution (not our step)
            let v = match v {
                Value::Number(n) => Value::String(n.to_string()),
                Value::Bool(b) => Value::String(b.to_string()),
                v => v,
            };
            assert_eq!(vars[&k], v, "{case}: environment {k}");
            checked += 1;
        }
        for (ours, theirs) in [("memorySize", "MemorySize"), ("timeout", "Timeout")] {
            if let Some(v) = f.get(ours) {
                assert_eq!(&lambda["Properties"][theirs], v, "{case}: {ours}");
                checked += 1;
            }
        }
    }
    checked
}

#[test]
fn function_values_match_the_oracle() {
    for case in [
        "variables-grammar",
        "variables-grammar-prod",
        "variables-grammar-param",
        "variables",
        "variables-prod",
    ] {
        let n = check_functions(case);
        assert!(n > 0, "{case}: nothing checked");
    }
}

#[test]
fn state_machine_names_match_the_oracle() {
    for case in ["variables", "variables-prod"] {
        let (config, expected) = resolved(case);
        let machines = config
            .pointer("/stepFunctions/stateMachines")
            .and_then(Value::as_object)
            .expect("machines");
        for (_, m) in machines {
            let id = m["id"].as_str().expect("id");
            let props = &expected["Resources"][id]["Properties"];
            assert_eq!(props["StateMachineName"], m["name"], "{case}");
            let def = props["DefinitionString"].to_string();
            let comment = m["definition"]["Comment"].as_str().expect("comment");
            assert!(def.contains(comment), "{case}: {comment} not in {def}");
        }
    }
}
