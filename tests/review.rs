//! The review tools: `slsx check` (fixtures under tests/check/), `slsx diff` and `slsx graph`.
//!
//! A check case is `tests/check/<case>/` with a service, `expected.stderr` (the rendered
//! diagnostics, no colour, width 100), optional `args` (extra arguments) and `exit` (the
//! expected status, default 1). `SLSX_BLESS=1` rewrites `expected.stderr`: read it before
//! committing.

mod support;

use std::collections::HashMap;

use support::{Run, root, run};

fn plain() -> HashMap<String, String> {
    [("NO_COLOR", "1"), ("COLUMNS", "100")]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Runs slsx from the crate root (paths in diagnostics are then `tests/...`).
fn run_in_root(args: &[&str]) -> Run {
    let _guard = support::cwd_lock();
    std::env::set_current_dir(root()).expect("cd to crate root");
    run(args, &plain(), "")
}

fn check_case(case: &str) {
    let rel = format!("tests/check/{case}");
    let dir = root().join(&rel);
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).ok();
    let extra = read("args").unwrap_or_default();
    let mut args = vec!["check", rel.as_str()];
    args.extend(extra.split_whitespace());
    let r = run_in_root(&args);
    if std::env::var("SLSX_BLESS").is_ok() {
        std::fs::write(dir.join("expected.stderr"), &r.stderr).expect("bless");
    }
    let want: i32 = read("exit")
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(1);
    assert_eq!(r.code, want, "exit status of {case}\nstderr:\n{}", r.stderr);
    let expected = read("expected.stderr").unwrap_or_default();
    assert_eq!(
        r.stderr, expected,
        "diagnostics of {case} (SLSX_BLESS=1 rewrites expected.stderr)"
    );
    assert!(r.stdout.is_empty(), "check writes nothing to stdout");
}

macro_rules! check_cases {
    ($($name:ident => $case:literal),* $(,)?) => {
        $( #[test] fn $name() { check_case($case); } )*
    };
}

check_cases! {
    check_asl_unknown_state => "asl-unknown-state",
    check_asl_unreachable => "asl-unreachable",
    check_asl_no_terminal => "asl-no-terminal",
    check_asl_missing_transition => "asl-missing-transition",
    check_asl_choice_without_default => "asl-choice-without-default",
    check_asl_task_timeout => "asl-task-timeout",
    check_asl_duplicate_state => "asl-duplicate-state",
    check_asl_nested_scopes => "asl-nested-scopes",
    check_asl_resource_definition => "asl-resource-definition",
    check_s3_bucket_names => "s3-bucket-names",
    check_unknown_reference => "unknown-reference",
    check_clean => "clean",
}

#[test]
fn every_check_case_has_a_test() {
    let listed = include_str!("review.rs");
    for e in std::fs::read_dir(root().join("tests/check")).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        assert!(
            listed.contains(&format!("=> \"{name}\"")),
            "tests/check/{name} has no entry in check_cases!"
        );
    }
}

#[test]
fn check_flags_the_seed_bucket_name_at_its_line() {
    let r = run_in_root(&["check", "fixtures/seed-s3-trigger"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("slsx::lint::s3-bucket-name"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("╭─[fixtures/seed-s3-trigger/serverless.yml:52:9]"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains(" 52 │         BucketName: ${self:service}-${self:provider.stage}-Targets"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("uppercase letters (T)"), "{}", r.stderr);
    assert!(r.stdout.is_empty());
}

#[test]
fn check_json_diagnostics_locate_the_bucket_name() {
    let r = run_in_root(&["check", "fixtures/seed-s3-trigger", "--diagnostics", "json"]);
    assert_eq!(r.code, 1);
    let v: serde_json::Value = serde_json::from_str(&r.stderr).expect("JSON on stderr");
    let d = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "slsx::lint::s3-bucket-name")
        .expect("the bucket lint");
    assert_eq!(d["labels"][0]["line"], 52);
    assert_eq!(d["severity"], "error");
}

#[test]
fn check_reads_stdin() {
    let text = "service: x\nprovider:\n  name: aws\nresources:\n  Resources:\n    B:\n      Type: AWS::S3::Bucket\n      Properties:\n        BucketName: Bad_Name\n";
    let r = run(&["check", "-"], &plain(), text);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("<stdin>:9:9"), "{}", r.stderr);
}

#[test]
fn check_missing_path_is_an_io_error() {
    let r = run(&["check", "does/not/exist"], &plain(), "");
    assert_eq!(r.code, 2, "{}", r.stderr);
}

#[test]
fn check_reports_expand_errors_too() {
    let r = run(&["check", "-"], &plain(), "service: demo\nx: !Bad 1\n");
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("slsx::yaml::unknown-tag"), "{}", r.stderr);
}

// --- graph -----------------------------------------------------------------------------------

/// Compares `text` with the file (rewritten under SLSX_BLESS=1).
fn snapshot(rel: &str, text: &str) {
    let path = root().join(rel);
    if std::env::var("SLSX_BLESS").is_ok() {
        std::fs::write(&path, text).expect("bless");
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(text, expected, "{rel} (SLSX_BLESS=1 rewrites it)");
}

#[test]
fn graph_nested_mermaid() {
    let r = run_in_root(&["graph", "tests/graph/nested"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.is_empty(), "{}", r.stderr);
    snapshot("tests/graph/nested/expected.mmd", &r.stdout);
}

#[test]
fn graph_nested_dot_one_machine() {
    let r = run_in_root(&[
        "graph",
        "tests/graph/nested",
        "--machine",
        "batch",
        "--format",
        "dot",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    snapshot("tests/graph/nested/batch.dot", &r.stdout);
}

#[test]
fn graph_seed_mermaid() {
    let r = run_in_root(&["graph", "fixtures/seed-s3-trigger"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    snapshot("tests/graph/seed.mmd", &r.stdout);
}

#[test]
fn graph_is_deterministic() {
    let a = run_in_root(&["graph", "tests/graph/nested", "--format", "dot"]);
    let b = run_in_root(&["graph", "tests/graph/nested", "--format", "dot"]);
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn graph_unknown_machine_is_a_usage_error() {
    let r = run_in_root(&["graph", "tests/graph/nested", "--machine", "bach"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("there is no state machine `bach`"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("did you mean `batch`?"), "{}", r.stderr);
    assert!(r.stdout.is_empty());
}

#[test]
fn graph_without_state_machines_fails() {
    let r = run(
        &["graph", "-"],
        &plain(),
        "service: x\nprovider:\n  name: aws\n",
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("slsx::graph::no-state-machines"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty());
}

#[test]
fn graph_writes_a_file() {
    let dir = std::env::temp_dir().join(format!("slsx-review-graph-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("g.mmd");
    let r = run_in_root(&["graph", "tests/graph/nested", "-o", out.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.is_empty());
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .starts_with("flowchart TD\n")
    );
    let _ = std::fs::remove_dir_all(&dir);
}
