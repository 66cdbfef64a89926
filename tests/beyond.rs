//! slsx's features beyond serverless-step-functions, whose output differs from the real tool
//! chain's by design (so the oracle cannot give an `expected.json`):
//!
//! - definitions named by file (`definition: ./flows/x.asl.json`): the expansion must equal
//!   the oracle output of the same service including the files with `${file(...)}`;
//! - `stepFunctions.iam: complete`: the expansion must equal the oracle output of the same
//!   service without it everywhere but in the execution roles' statements, which are compared
//!   with a reviewed snapshot (`tests/beyond/<name>.json`);
//! - `slsx explain-iam`: text and JSON snapshots (`tests/beyond/<name>.txt` / `.json`).
//!
//! `SLSX_BLESS=1 cargo test --test beyond` rewrites the snapshots: review the diff.

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
    let (t, stderr) = expand(&["tests/beyond/def-file-literal"]);
    snapshot("tests/beyond/def-file-literal.stderr", &stderr);
    let ds = &t["Resources"]["FlowStepFunctionsStateMachine"]["Properties"]["DefinitionString"];
    snapshot(
        "tests/beyond/def-file-literal.json",
        &format!("{}\n", serde_json::to_string_pretty(ds).expect("json")),
    );
}

#[test]
fn definition_file_diagnostics_point_into_the_file() {
    // the ASL checks run on the loaded file: a finding is located there
    let r = run_in_root(&["check", "tests/beyond/def-file-literal"]);
    assert!(
        r.stderr
            .contains("tests/beyond/def-file-literal/flows/flow.asl.yaml:"),
        "{}",
        r.stderr
    );
}
