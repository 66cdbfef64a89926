//! `slsx compile` (plugin mode): the JSON contract of npm/slsx/CONTRACT.md.

mod support;

use std::collections::HashMap;

use serde_json::{Value, json};
use support::run;

fn plain() -> HashMap<String, String> {
    [("NO_COLOR", "1"), ("COLUMNS", "100")]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn request(phase: &str, extra: Value) -> String {
    let mut r = json!({
        "version": 1,
        "phase": phase,
        "service": "demo",
        "stage": "dev",
        "region": "us-east-1",
        "instanceId": "1700000000000",
        "config": {"service": "demo", "provider": {"name": "aws", "stage": "dev"}},
        "functions": {},
        "template": {
            "AWSTemplateFormatVersion": "2010-09-09",
            "Resources": {"Zeta": {"Type": "AWS::SNS::Topic"}, "Alpha": {"Type": "AWS::SQS::Queue"}},
            "Outputs": {"ServerlessDeploymentBucketName": {"Value": "b"}}
        },
        "configPath": null,
    });
    for (k, v) in extra.as_object().unwrap() {
        r[k] = v.clone();
    }
    r.to_string()
}

fn answer(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"))
}

#[test]
fn answers_the_template_in_order() {
    for phase in ["functions", "events"] {
        let r = run(
            &["compile", "--resolved-input", "-", "--phase", phase],
            &plain(),
            &request(phase, json!({})),
        );
        assert_eq!(r.code, 0, "{}", r.stdout);
        assert!(r.stderr.is_empty(), "{}", r.stderr);
        let a = answer(&r.stdout);
        assert_eq!(a["version"], 1);
        assert_eq!(a["phase"], phase);
        assert_eq!(a["slsx"], env!("CARGO_PKG_VERSION"));
        assert_eq!(a["errors"], 0);
        let keys: Vec<&String> = a["template"]["Resources"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(keys, ["Zeta", "Alpha"]);
    }
}

#[test]
fn reads_the_request_from_a_file() {
    let dir = std::env::temp_dir().join(format!("slsx-compile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("req.json");
    std::fs::write(&f, request("events", json!({}))).unwrap();
    let r = run(
        &[
            "compile",
            "--resolved-input",
            f.to_str().unwrap(),
            "--phase",
            "events",
        ],
        &plain(),
        "",
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_bad_request_is_exit_2_with_json_diagnostics() {
    let r = run(
        &["compile", "--resolved-input", "-", "--phase", "functions"],
        &plain(),
        "{\"version\": 1}",
    );
    assert_eq!(r.code, 2);
    let a = answer(&r.stdout);
    assert_eq!(a["template"], Value::Null);
    assert!(a["errors"].as_u64().unwrap() >= 5, "{}", r.stdout);
    let d = &a["diagnostics"][0];
    assert_eq!(d["code"], "slsx::plugin::bad-request");
    assert!(
        d["rendered"]
            .as_str()
            .unwrap()
            .contains("slsx::plugin::bad-request")
    );
}

#[test]
fn a_newer_contract_is_refused() {
    let r = run(
        &["compile", "--resolved-input", "-", "--phase", "functions"],
        &plain(),
        &request("functions", json!({"version": 7})),
    );
    assert_eq!(r.code, 2);
    let a = answer(&r.stdout);
    assert_eq!(
        a["diagnostics"][0]["code"],
        "slsx::plugin::contract-version"
    );
}

#[test]
fn the_phase_must_agree() {
    let r = run(
        &["compile", "--resolved-input", "-", "--phase", "events"],
        &plain(),
        &request("functions", json!({})),
    );
    assert_eq!(r.code, 2);
    assert!(r.stdout.contains("phase `functions`"), "{}", r.stdout);
}

#[test]
fn an_unreadable_file_is_an_io_error() {
    let r = run(
        &[
            "compile",
            "--resolved-input",
            "/nonexistent/req.json",
            "--phase",
            "events",
        ],
        &plain(),
        "",
    );
    assert_eq!(r.code, 2);
    assert_eq!(answer(&r.stdout)["diagnostics"][0]["code"], "slsx::io");
}

#[test]
fn the_phase_is_required() {
    let r = run(&["compile", "--resolved-input", "-"], &plain(), "{}");
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--phase"), "{}", r.stderr);
}

/// Plugin mode keeps locations: the raw serverless.yml at `configPath` gives the resolved
/// config its spans. (Until the state-machine pass reports unknown options this request
/// compiles cleanly; once it does, the diagnostic must point at `tpye` in the file, and a
/// value that came from a variable must point at the variable.)
#[test]
fn diagnostics_point_into_the_raw_config() {
    let dir = std::env::temp_dir().join(format!("slsx-compile-loc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let yml = dir.join("serverless.yml");
    let text = "service: demo\nprovider:\n  name: aws\ncustom:\n  kind: ${opt:kind, 'STANDARD'}\nstepFunctions:\n  stateMachines:\n    flow:\n      tpye: ${self:custom.kind}\n      definition:\n        StartAt: A\n        States:\n          A:\n            Type: Pass\n            End: true\n";
    std::fs::write(&yml, text).unwrap();
    let config = json!({
        "service": "demo",
        "provider": {"name": "aws", "stage": "dev", "region": "us-east-1"},
        "custom": {"kind": "STANDARD"},
        "stepFunctions": {"stateMachines": {"flow": {
            "tpye": "STANDARD",
            "definition": {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}
        }}},
    });
    let req = request(
        "functions",
        json!({"config": config, "configPath": yml.to_str().unwrap()}),
    );
    let r = run(
        &["compile", "--resolved-input", "-", "--phase", "functions"],
        &plain(),
        &req,
    );
    let a = answer(&r.stdout);
    for d in a["diagnostics"].as_array().unwrap() {
        let label = &d["labels"][0];
        assert!(
            label["file"].as_str().unwrap().ends_with("serverless.yml"),
            "{d}"
        );
        assert_eq!(label["line"], 9, "{d}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
