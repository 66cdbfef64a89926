//! slsx's features beyond serverless-step-functions, whose output differs from the real tool
//! chain's by design (so the oracle cannot give an `expected.json`):
//!
//! - definitions named by file (`definition: ./flows/x.asl.json`): the expansion must equal
//!   the oracle output of the same service including the files with `${file(...)}`;
//! - `stepFunctions.iam: complete`: the expansion must equal the oracle output of the same
//!   service without it everywhere but in the execution roles' statements, which are compared
//!   with a reviewed snapshot (`tests/beyond_iam/<name>.json`);
//! - `slsx explain-iam`: text and JSON snapshots (`tests/beyond_iam/<name>.txt` / `.json`).
//!
//! `SLSX_BLESS=1 cargo test --test beyond_iam` rewrites the snapshots: review the diff.

mod support;

use std::collections::HashMap;

use serde_json::Value;
use support::{Run, compare, root, run};

fn plain() -> HashMap<String, String> {
    [("NO_COLOR", "1"), ("COLUMNS", "100")]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Runs slsx from the crate root (paths in diagnostics are then `fixtures/...`).
fn run_in_root(args: &[&str]) -> Run {
    let _guard = support::cwd_lock();
    std::env::set_current_dir(root()).expect("cd to crate root");
    run(args, &plain(), "")
}

/// Compares `text` with the file (rewritten under SLSX_BLESS=1).
fn snapshot(rel: &str, text: &str) {
    let path = root().join(rel);
    if std::env::var("SLSX_BLESS").is_ok() {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("snapshot dir");
        }
        std::fs::write(&path, text).expect("bless");
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(text, expected, "{rel} (SLSX_BLESS=1 rewrites it)");
}

fn oracle(case: &str) -> Value {
    let text = std::fs::read_to_string(root().join("fixtures").join(case).join("expected.json"))
        .expect("expected.json");
    serde_json::from_str(&text).expect("expected.json parses")
}

fn expand(args: &[&str]) -> (Value, String) {
    let mut all = vec!["expand"];
    all.extend_from_slice(args);
    let r = run_in_root(&all);
    assert_eq!(r.code, 0, "slsx {args:?} failed:\n{}", r.stderr);
    let v = serde_json::from_str(&r.stdout).expect("template parses");
    (v, r.stderr)
}

// --- definitions from files -------------------------------------------------------------------

#[test]
fn definition_files_expand_like_file_includes() {
    // fixtures/sfn-def-file-include/serverless.yml includes the files with `${file(...)}`
    // (its expected.json is the oracle's); paths.yml names the same files.
    let (t, stderr) = expand(&["fixtures/sfn-def-file-include/paths.yml"]);
    assert_eq!(stderr, "", "no diagnostics");
    let problems = compare(&oracle("sfn-def-file-include"), &t, false);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn definition_files_are_taken_literally() {
    let (t, stderr) = expand(&["tests/beyond_iam/def-file-literal"]);
    snapshot("tests/beyond_iam/def-file-literal.stderr", &stderr);
    let ds = &t["Resources"]["FlowStepFunctionsStateMachine"]["Properties"]["DefinitionString"];
    snapshot(
        "tests/beyond_iam/def-file-literal.json",
        &format!("{}\n", serde_json::to_string_pretty(ds).expect("json")),
    );
}

#[test]
fn definition_file_diagnostics_point_into_the_file() {
    // the ASL checks run on the loaded file: a finding is located there
    let r = run_in_root(&["check", "tests/beyond_iam/def-file-literal"]);
    assert!(
        r.stderr
            .contains("tests/beyond_iam/def-file-literal/flows/flow.asl.yaml:"),
        "{}",
        r.stderr
    );
}

// --- stepFunctions.iam: complete ---------------------------------------------------------------

/// Whether a resource is a state machine's execution role.
fn is_machine_role(r: &Value) -> bool {
    r["Type"] == "AWS::IAM::Role"
        && r.pointer("/Properties/AssumeRolePolicyDocument/Statement/0/Principal/Service/Fn::Sub")
            == Some(&Value::from("states.${AWS::Region}.amazonaws.com"))
}

const STATEMENTS: &str = "/Properties/Policies/0/PolicyDocument/Statement";

/// Role logical ID → its statements, for every state machine role.
fn role_statements(t: &Value) -> Value {
    let mut out = serde_json::Map::new();
    for (id, r) in t["Resources"].as_object().expect("Resources") {
        if is_machine_role(r) {
            out.insert(
                id.clone(),
                r.pointer(STATEMENTS).cloned().unwrap_or(Value::Null),
            );
        }
    }
    Value::Object(out)
}

/// The template with every state machine role's statements blanked.
fn without_role_statements(t: &Value) -> Value {
    let mut t = t.clone();
    if let Some(rs) = t["Resources"].as_object_mut() {
        for r in rs.values_mut() {
            if is_machine_role(r)
                && let Some(s) = r.pointer_mut(STATEMENTS)
            {
                *s = Value::Null;
            }
        }
    }
    t
}

/// Expands an oracle fixture with `--param iam=complete`: everything but the roles'
/// statements must equal the oracle's output; the statements and the diagnostics are
/// compared with snapshots.
fn complete_case(case: &str, name: &str) -> Value {
    let (t, stderr) = expand(&[&format!("fixtures/{case}"), "--param", "iam=complete"]);
    let o = oracle(case);
    let problems = compare(
        &without_role_statements(&o),
        &without_role_statements(&t),
        false,
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let ours = role_statements(&t);
    assert_eq!(
        ours.as_object().map(|m| m.keys().collect::<Vec<_>>()),
        role_statements(&o)
            .as_object()
            .map(|m| m.keys().collect::<Vec<_>>()),
        "the same roles"
    );
    snapshot(
        &format!("tests/beyond_iam/{name}.json"),
        &format!("{}\n", serde_json::to_string_pretty(&ours).expect("json")),
    );
    snapshot(&format!("tests/beyond_iam/{name}.stderr"), &stderr);
    t
}

#[test]
fn iam_complete_derives_sdk_permissions() {
    complete_case("sfn-iam-aws-sdk", "iam-complete-aws-sdk");
}

#[test]
fn iam_plugin_is_the_default() {
    // `iam: plugin` (the fixture's default) expands exactly as the oracle: the fixture test
    // checks that; here the explicit param must give the very same template
    let (a, _) = expand(&["fixtures/sfn-iam-aws-sdk"]);
    let (b, _) = expand(&["fixtures/sfn-iam-aws-sdk", "--param", "iam=plugin"]);
    assert_eq!(a, b);
}

// --- slsx explain-iam ------------------------------------------------------------------------

#[test]
fn explain_iam_text() {
    let r = run_in_root(&["explain-iam", "fixtures/sfn-iam-explain"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        !r.stderr.contains("slsx::iam::role-changed"),
        "the explanation is of the written statements"
    );
    snapshot("tests/beyond_iam/explain-iam.txt", &r.stdout);
}

#[test]
fn explain_iam_json_accounts_for_every_statement() {
    let r = run_in_root(&[
        "explain-iam",
        "fixtures/sfn-iam-explain",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    snapshot("tests/beyond_iam/explain-iam.json", &r.stdout);
    let explained: Value = serde_json::from_str(&r.stdout).expect("json");
    let (t, _) = expand(&["fixtures/sfn-iam-explain"]);
    let roles = role_statements(&t);
    let machines = explained["machines"].as_array().expect("machines");
    assert_eq!(machines.len(), 3);
    let mut seen = 0;
    for m in machines {
        let Some(role) = m["role"].as_object() else {
            assert!(m["givenRole"].is_string(), "{m}");
            continue;
        };
        let id = role["logicalId"].as_str().expect("id");
        let statements: Vec<Value> = role["statements"]
            .as_array()
            .expect("statements")
            .iter()
            .map(|s| s["statement"].clone())
            .collect();
        assert_eq!(
            Value::Array(statements),
            roles[id],
            "{id}: every statement, in order"
        );
        for s in role["statements"].as_array().expect("statements") {
            let causes = s["causes"].as_array().expect("causes");
            assert!(!causes.is_empty(), "a statement without a cause: {s}");
            // each cause's actions are actions of its statement
            let acts = match &s["statement"]["Action"] {
                Value::Array(a) => a.clone(),
                a => vec![a.clone()],
            };
            for c in causes {
                for a in c["grants"]["actions"].as_array().expect("actions") {
                    assert!(acts.contains(a), "{a} not in {s}");
                }
            }
            seen += 1;
        }
    }
    assert_eq!(seen, 11);
}

#[test]
fn explain_iam_complete() {
    let r = run_in_root(&[
        "explain-iam",
        "fixtures/sfn-iam-aws-sdk",
        "--param",
        "iam=complete",
        "--machine",
        "reports",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    snapshot("tests/beyond_iam/explain-iam-complete.txt", &r.stdout);
}

#[test]
fn explain_iam_locates_states_in_definition_files() {
    let r = run_in_root(&[
        "explain-iam",
        "fixtures/sfn-def-file-include/paths.yml",
        "-m",
        "refund",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("Queue (Task, fixtures/sfn-def-file-include/flows/refund.asl.yaml:4:3)"),
        "{}",
        r.stdout
    );
}

#[test]
fn explain_iam_unknown_machine_is_a_usage_error() {
    let r = run_in_root(&["explain-iam", "fixtures/sfn-iam-explain", "-m", "order"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("did you mean `orders`?"), "{}", r.stderr);
    assert!(r.stdout.is_empty());
}

#[test]
fn explain_iam_without_state_machines_fails() {
    let r = run(
        &["explain-iam", "-"],
        &plain(),
        "service: x\nprovider:\n  name: aws\n",
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("slsx::iam::no-state-machines"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty());
}

#[test]
fn explain_iam_stops_on_errors() {
    let r = run(
        &["explain-iam", "-"],
        &plain(),
        "service: x\nprovider:\n  name: aws\nstepFunctions:\n  iam: all\n  stateMachines:\n    m:\n      definition: {StartAt: A, States: {A: {Type: Succeed}}}\n",
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("slsx::sfn::bad-iam-mode"), "{}", r.stderr);
    assert!(r.stdout.is_empty());
}

#[test]
fn explain_iam_notes_roles_changed_by_resources() {
    let service = "service: x\nprovider:\n  name: aws\nstepFunctions:\n  stateMachines:\n    m:\n      definition: {StartAt: A, States: {A: {Type: Succeed}}}\nresources:\n  Resources:\n    MStepFunctionsStateMachineRole:\n      Properties:\n        Policies:\n          - PolicyDocument:\n              Statement:\n                - {Effect: Allow, Action: ['s3:*'], Resource: '*'}\n";
    let r = run(&["explain-iam", "-"], &plain(), service);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("slsx::iam::role-changed"), "{}", r.stderr);
    assert!(
        r.stdout.contains("note: `resources` changes this role"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("[1] Deny *"), "{}", r.stdout);
}

#[test]
fn recording_explanations_does_not_change_the_template() {
    let input = slsx::Input::Path(root().join("fixtures/sfn-iam-explain"));
    let opts = slsx::Options {
        env: Some(HashMap::new()),
        ..Default::default()
    };
    let plain = slsx::expand(&input, &opts);
    let (recorded, roles) =
        slsx::compile::state_machine::iam::record_explanations(|| slsx::expand(&input, &opts));
    assert_eq!(plain.template, recorded.template);
    assert_eq!(roles.len(), 3);
    // nothing is recorded outside `record_explanations`
    let (_, none) = slsx::compile::state_machine::iam::record_explanations(|| ());
    assert!(none.is_empty());
}
