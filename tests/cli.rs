//! The command line: exit statuses, streams, output files, formats, colour.

mod support;

use std::collections::HashMap;

use support::{Run, run};

fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn plain() -> HashMap<String, String> {
    env(&[("NO_COLOR", "1"), ("COLUMNS", "100")])
}

const SERVICE: &str = "service: demo\nprovider:\n  name: aws\nresources:\n  Resources:\n    Topic:\n      Type: AWS::SNS::Topic\n";

fn expand_stdin(args: &[&str], text: &str, e: &HashMap<String, String>) -> Run {
    let mut all = vec!["expand", "-"];
    all.extend_from_slice(args);
    run(&all, e, text)
}

#[test]
fn version_prints_name_and_version() {
    let r = run(&["--version"], &plain(), "");
    assert_eq!(r.code, 0);
    assert_eq!(
        r.stdout.trim(),
        format!("slsx {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn unknown_flag_is_a_usage_error() {
    let r = run(&["expand", "--no-such-flag"], &plain(), "");
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--no-such-flag"), "{}", r.stderr);
    assert!(r.stdout.is_empty());
}

#[test]
fn missing_path_is_an_io_error() {
    let r = run(&["expand", "does/not/exist"], &plain(), "");
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("slsx::config::not-found"), "{}", r.stderr);
    assert!(r.stdout.is_empty());
}

#[test]
fn directory_without_config_is_an_io_error() {
    let dir = tempdir("empty");
    let r = run(&["expand", dir.to_str().unwrap()], &plain(), "");
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("no serverless.yml"), "{}", r.stderr);
}

#[test]
fn stdin_is_read_with_dash() {
    let r = expand_stdin(&[], SERVICE, &plain());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["Resources"]["Topic"]["Type"], "AWS::SNS::Topic");
    assert!(r.stdout.ends_with("}\n"));
}

#[test]
fn stdin_filename_names_the_input_in_diagnostics() {
    let r = expand_stdin(
        &["--stdin-filename", "svc/serverless.yml"],
        "service: [\n",
        &plain(),
    );
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("svc/serverless.yml:"), "{}", r.stderr);
    assert!(r.stdout.is_empty(), "no data on stdout after an error");
}

#[test]
fn user_errors_exit_1_and_are_located() {
    let r = expand_stdin(
        &[],
        "service: demo\nprovider:\n  name: aws\n  name: gcp\n",
        &plain(),
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("slsx::yaml::duplicate-key"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("<stdin>:4:3"), "{}", r.stderr);
    assert!(r.stderr.contains("slsx: 1 error"), "{}", r.stderr);
}

#[test]
fn every_error_of_a_run_is_reported() {
    let text = "service: demo\nprovider:\n  name: aws\ncustom:\n  a: !Nope x\n  b: !Nada y\n";
    let r = expand_stdin(&[], text, &plain());
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stderr.matches("slsx::yaml::unknown-tag").count(),
        2,
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("slsx: 2 errors"));
}

#[test]
fn json_diagnostics() {
    let r = expand_stdin(
        &["--diagnostics", "json"],
        "service: demo\nx: !Bad 1\n",
        &plain(),
    );
    assert_eq!(r.code, 1);
    let v: serde_json::Value = serde_json::from_str(&r.stderr).expect("stderr is JSON");
    assert_eq!(v["errors"], 1);
    let d = &v["diagnostics"][0];
    assert_eq!(d["code"], "slsx::yaml::unknown-tag");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["labels"][0]["line"], 2);
    assert_eq!(d["labels"][0]["column"], 4);
    assert_eq!(d["labels"][0]["file"], "<stdin>");
    assert!(d["help"].is_string());
}

#[test]
fn yaml_output() {
    let r = expand_stdin(&["--format", "yaml"], SERVICE, &plain());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .starts_with("AWSTemplateFormatVersion: \"2010-09-09\"\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("  Topic:\n    Type: AWS::SNS::Topic\n"),
        "{}",
        r.stdout
    );
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("slsx-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn output_file_is_written_atomically_and_not_on_error() {
    let d = tempdir("out");
    let out = d.join("template.json");
    let out_s = out.to_str().unwrap();
    let r = expand_stdin(&["-o", out_s], SERVICE, &plain());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.is_empty(), "data goes to the file, not stdout");
    let first = std::fs::read_to_string(&out).unwrap();
    assert!(first.contains("AWS::SNS::Topic"));

    // a failing run leaves the previous file as it was, and no temporary file behind
    let r = expand_stdin(&["-o", out_s], "service: demo\nx: !Bad 1\n", &plain());
    assert_eq!(r.code, 1);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), first);
    let leftovers: Vec<_> = std::fs::read_dir(&d)
        .unwrap()
        .filter_map(Result::ok)
        .collect();
    assert_eq!(leftovers.len(), 1, "only template.json: {leftovers:?}");
}

#[test]
fn unwritable_output_is_an_io_error() {
    let r = expand_stdin(&["-o", "/nonexistent-dir/x/t.json"], SERVICE, &plain());
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("slsx::io"), "{}", r.stderr);
}

#[test]
fn colour_follows_no_color_and_force_color() {
    let bad = "service: demo\nx: !Bad 1\n";
    let r = expand_stdin(&[], bad, &env(&[("NO_COLOR", "1"), ("FORCE_COLOR", "1")]));
    assert!(!r.stderr.contains('\u{1b}'), "NO_COLOR wins");
    let r = expand_stdin(&[], bad, &env(&[("FORCE_COLOR", "1")]));
    assert!(r.stderr.contains('\u{1b}'), "FORCE_COLOR forces colour");
    let r = expand_stdin(&[], bad, &env(&[]));
    assert!(!r.stderr.contains('\u{1b}'), "not a terminal: no colour");
    let r = expand_stdin(&["--color", "always"], bad, &env(&[("NO_COLOR", "1")]));
    assert!(r.stderr.contains('\u{1b}'), "--color always is explicit");
}

#[test]
fn output_is_deterministic() {
    let a = expand_stdin(&[], SERVICE, &plain());
    let b = expand_stdin(&[], SERVICE, &plain());
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn binary_runs_and_exits_with_status() {
    // the real binary, not the in-process runner: stdout/stderr split and the exit status
    let bin = env!("CARGO_BIN_EXE_slsx");
    let out = std::process::Command::new(bin)
        .args(["expand", "fixtures/yaml-err-duplicate-key"])
        .current_dir(support::root())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("duplicated mapping key"));
}
