//! Bounded resources and no partial output: every limit gives a clear error, and a failing run
//! writes nothing (no stdout, no `-o` file). The limits with a small input have error fixtures
//! (`yaml-err-alias-bomb`, `yaml-err-too-deep`, ...); the ones that need a huge input are
//! checked here without committing one.

mod support;

use std::collections::HashMap;
use std::path::PathBuf;

use support::run;

fn plain() -> HashMap<String, String> {
    [("NO_COLOR", "1"), ("COLUMNS", "100")]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("slsx-limits-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn a_config_over_64_mib_is_refused_without_reading_it() {
    let d = tempdir("big-file");
    let cfg = d.join("serverless.yml");
    // sparse: 64 MiB + 1 byte of size, no disk blocks, and slsx must not read it
    let f = std::fs::File::create(&cfg).unwrap();
    f.set_len(slsx::yaml::MAX_FILE_BYTES as u64 + 1).unwrap();
    drop(f);
    let r = run(&["expand", d.to_str().unwrap()], &plain(), "");
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.is_empty());
    assert!(
        r.stderr.starts_with("slsx::yaml::too-large"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("serverless.yml` is 67108865 bytes; slsx reads files of at"),
        "{}",
        r.stderr
    );
    // exactly the limit is read
    let f = std::fs::OpenOptions::new().write(true).open(&cfg).unwrap();
    f.set_len(slsx::yaml::MAX_FILE_BYTES as u64).unwrap();
    drop(f);
    let bytes = slsx::yaml::read_limited(&cfg).unwrap();
    assert_eq!(bytes.len(), slsx::yaml::MAX_FILE_BYTES);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn stdin_over_64_mib_is_refused() {
    let mut text = String::from("service: demo\nprovider: aws\ncustom:\n  pad: |\n");
    while text.len() <= slsx::yaml::MAX_FILE_BYTES {
        text.push_str("    0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n");
    }
    let r = run(&["expand", "-"], &plain(), &text);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.is_empty());
    assert!(
        r.stderr.starts_with("slsx::yaml::too-large"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("`<stdin>` is more than 67108864 bytes"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_device_is_read_only_up_to_the_limit() {
    // /dev/zero has no size and no end: the read stops one byte past the limit
    if !std::path::Path::new("/dev/zero").exists() {
        return;
    }
    let err = slsx::yaml::read_limited(std::path::Path::new("/dev/zero")).unwrap_err();
    assert!(
        matches!(err, slsx::yaml::ReadError::TooLarge(None)),
        "{err:?}"
    );
}

/// Every error fixture, run with `-o FILE`: exit status 1 and neither the output file nor a
/// temporary file left behind; and nothing on stdout without `-o`.
#[test]
fn no_error_fixture_writes_output() {
    let root = support::root().join("fixtures");
    let out_dir = tempdir("no-partial");
    let out = out_dir.join("template.json");
    let mut checked = 0;
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("expected.stderr").exists())
        .collect();
    cases.sort();
    for case in cases {
        let env = support::fixture_env(&case);
        let extra = std::fs::read_to_string(case.join("args")).unwrap_or_default();
        let path = case.to_str().unwrap();
        let mut args = vec!["expand", path];
        args.extend(extra.split_whitespace());
        let r = run(&args, &env, "");
        assert_ne!(r.code, 0, "{path}");
        assert!(r.stdout.is_empty(), "{path} wrote to stdout:\n{}", r.stdout);
        args.extend(["-o", out.to_str().unwrap()]);
        let r = run(&args, &env, "");
        assert_ne!(r.code, 0, "{path}");
        assert!(r.stdout.is_empty(), "{path}");
        let left: Vec<_> = std::fs::read_dir(&out_dir).unwrap().collect();
        assert!(left.is_empty(), "{path} left {left:?}");
        checked += 1;
    }
    assert!(checked > 10, "only {checked} error fixtures found");
    let _ = std::fs::remove_dir_all(&out_dir);
}

/// The other commands that read a service: whenever one fails on an error fixture, it writes
/// nothing to stdout and no `-o` file.
#[test]
fn no_command_writes_output_when_it_fails() {
    let root = support::root().join("fixtures");
    let out_dir = tempdir("no-partial-commands");
    let out = out_dir.join("out.txt");
    let out_s = out.to_str().unwrap().to_string();
    let minimal = root.join("minimal");
    let minimal_s = minimal.to_str().unwrap().to_string();
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("expected.stderr").exists() && !p.join("args").exists())
        .collect();
    cases.sort();
    let mut failed_runs = 0;
    for case in cases {
        let env = support::fixture_env(&case);
        let path = case.to_str().unwrap();
        let commands: Vec<Vec<&str>> = vec![
            vec!["check", path],
            vec!["graph", path, "-o", &out_s],
            vec!["graph", path],
            vec!["explain-iam", path, "-o", &out_s],
            vec!["explain-iam", path],
            vec!["diff", &minimal_s, path],
            vec!["diff", path, &minimal_s],
        ];
        for args in commands {
            let r = run(&args, &env, "");
            if r.code != 0 {
                failed_runs += 1;
                assert!(
                    r.stdout.is_empty(),
                    "{args:?} failed and wrote:\n{}",
                    r.stdout
                );
                let left: Vec<_> = std::fs::read_dir(&out_dir).unwrap().collect();
                assert!(left.is_empty(), "{args:?} failed and left {left:?}");
            }
            let _ = std::fs::remove_file(&out);
        }
    }
    assert!(failed_runs > 10, "only {failed_runs} failing runs");
    let _ = std::fs::remove_dir_all(&out_dir);
}

#[test]
fn a_yaml_library_panic_is_a_syntax_error_in_the_binary() {
    // the CLI's panic hook must let the loader catch libyaml-safer's panic (exit 1, not 101)
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_slsx"))
        .args(["expand", "fixtures/yaml-err-tag-before-comma"])
        .current_dir(support::root())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(out.stdout.is_empty());
    assert!(stderr.starts_with("slsx::yaml::syntax"), "{stderr}");
    assert!(!stderr.contains("internal"), "{stderr}");
}

#[test]
fn thousands_of_errors_are_counted_but_not_all_drawn() {
    // one duplicate-key error per line of a generated file: drawing each costs time in
    // proportion to the file, so only the first MAX_RENDERED are drawn
    let mut text = String::from("service: demo\nprovider: aws\ncustom:\n");
    for _ in 0..5000 {
        text.push_str("  a: 1\n");
    }
    let r = run(&["expand", "-"], &plain(), &text);
    assert_eq!(r.code, 1);
    assert!(r.stdout.is_empty());
    let drawn = r.stderr.matches("slsx::yaml::duplicate-key").count();
    assert_eq!(drawn, slsx::diagnostics::MAX_RENDERED, "{}", r.stderr);
    assert!(r.stderr.contains("… 4899 more not shown"), "{}", r.stderr);
    assert!(r.stderr.ends_with("slsx: 4999 errors\n"), "{}", r.stderr);
}

#[test]
fn large_generated_objects_are_not_quadratic() {
    // `!!binary` builds an object with one integer key per byte, and null-valued keys are
    // moved last during normalisation: both were quadratic (80 KB of base64 took 37 s)
    let mut text = String::from("service: demo\nprovider: aws\ncustom:\n  nulls:\n");
    for i in 0..40_000 {
        text.push_str(&format!("    k{i}: ~\n"));
    }
    text.push_str("  bin: !!binary ");
    let chunk = "eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4";
    for _ in 0..1000 {
        text.push_str(chunk);
    }
    text.push('\n');
    let start = std::time::Instant::now();
    let r = run(&["expand", "-"], &plain(), &text);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        start.elapsed().as_secs() < 30,
        "took {:?} (debug build)",
        start.elapsed()
    );
}
