//! Test helpers: running slsx in-process and comparing templates like `cfn-compare`.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The result of one in-process run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `slsx <args>` in-process with `env` as its whole environment.
pub fn run(args: &[&str], env: &HashMap<String, String>, stdin: &str) -> Run {
    let mut input = stdin.as_bytes();
    let mut out = Vec::new();
    let mut err = Vec::new();
    let mut io = slsx::cli::Io {
        stdin: &mut input,
        stdout: &mut out,
        stderr: &mut err,
        env: env.clone(),
        stderr_is_terminal: false,
        stdout_is_terminal: false,
    };
    let mut argv = vec!["slsx"];
    argv.extend_from_slice(args);
    let code = slsx::cli::run(argv, &mut io);
    Run {
        code,
        stdout: String::from_utf8_lossy(&out).into_owned(),
        stderr: String::from_utf8_lossy(&err).into_owned(),
    }
}

fn read_opt(p: &Path) -> Option<String> {
    std::fs::read_to_string(p).ok()
}

/// The environment of a fixture run: `env` lines, plus a fixed width and no colour.
pub fn fixture_env(dir: &Path) -> HashMap<String, String> {
    let mut env = HashMap::new();
    if let Some(text) = read_opt(&dir.join("env")) {
        for line in text.lines() {
            let line = line.trim_end();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some((k, v)) = line.split_once('=') {
                env.insert(k.to_string(), v.to_string());
            }
        }
    }
    env.insert("NO_COLOR".into(), "1".into());
    env.insert("COLUMNS".into(), "100".into());
    env
}

/// Runs one fixture case and checks it against its stored expectation. A case with a
/// `pending` file is expected to fail still (strict xfail): once it passes, the test fails
/// until `pending` is deleted.
pub fn run_fixture(case: &str) {
    // every resource and output packed as soon as it is not the one in use: the output must
    // not change
    slsx::compile::set_hot_limit(1);
    // and every source file's text packed once variables are resolved: diagnostics of the
    // compile passes are drawn from unpacked text
    slsx::source::set_pack_from(0);
    let dir = root().join("fixtures").join(case);
    if dir.join("pending").exists() {
        let outcome = std::panic::catch_unwind(|| check_fixture(case, &dir));
        if outcome.is_ok() {
            panic!("{case} passes now: delete fixtures/{case}/pending");
        }
        return;
    }
    check_fixture(case, &dir);
}

fn check_fixture(case: &str, dir: &Path) {
    let rel = format!("fixtures/{case}");
    let env = fixture_env(dir);
    let extra = read_opt(&dir.join("args")).unwrap_or_default();
    let mut args: Vec<&str> = vec!["expand", &rel];
    args.extend(extra.split_whitespace());
    // run from the crate root so diagnostics show `fixtures/<case>/...`
    let _guard = cwd_lock();
    std::env::set_current_dir(root()).expect("cd to crate root");
    let r = run(&args, &env, "");

    if let Some(expected) = read_opt(&dir.join("expected.stderr")) {
        let want_code: i32 = read_opt(&dir.join("exit"))
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(1);
        if std::env::var("SLSX_BLESS").is_ok() {
            std::fs::write(dir.join("expected.stderr"), &r.stderr).expect("bless");
        }
        assert_eq!(
            r.code, want_code,
            "exit status of {case}\nstderr:\n{}",
            r.stderr
        );
        assert_eq!(
            normalize_newlines(&r.stderr),
            normalize_newlines(&expected),
            "rendered diagnostics of {case} (SLSX_BLESS=1 rewrites expected.stderr)"
        );
        assert!(r.stdout.is_empty(), "no output on error");
        return;
    }

    assert_eq!(r.code, 0, "{case} failed:\n{}", r.stderr);
    if let Some(warnings) = read_opt(&dir.join("warnings")) {
        if std::env::var("SLSX_BLESS").is_ok() {
            std::fs::write(dir.join("warnings"), &r.stderr).expect("bless");
        }
        assert_eq!(
            normalize_newlines(&r.stderr),
            normalize_newlines(&warnings),
            "warnings of {case}"
        );
    }
    let expected_path = dir.join("expected.json");
    let expected: Value = serde_json::from_str(
        &read_opt(&expected_path)
            .unwrap_or_else(|| panic!("{case}: no expected.json or expected.stderr")),
    )
    .expect("expected.json parses");
    let actual: Value = serde_json::from_str(&r.stdout).expect("slsx output parses");
    let scope = read_opt(&dir.join("scope")).unwrap_or_else(|| "full".into());
    let plugin_scope = scope.trim() == "plugin";
    let problems = compare(&expected, &actual, plugin_scope);
    assert!(
        problems.is_empty(),
        "{case}: template differs from the oracle's ({} problems):\n{}",
        problems.len(),
        problems.join("\n")
    );
    // users diff templates as text: the order must match too, unless the case says why not
    let difference = order_difference(&expected, &actual, plugin_scope);
    match (read_opt(&dir.join("order-free")), difference) {
        (None, Some(d)) => panic!(
            "{case}: same template as the oracle's, in another order (fixtures/{case}/order-free \
             with a one-line reason opts out):\n  {d}"
        ),
        (Some(reason), _) if reason.trim().is_empty() => {
            panic!("fixtures/{case}/order-free: say why the order cannot match")
        }
        (Some(_), None) => {
            panic!("{case}: the order matches the oracle's now: delete fixtures/{case}/order-free")
        }
        _ => {}
    }
}

fn normalize_newlines(s: &str) -> String {
    s.replace("\r\n", "\n")
}

/// Tests that change the working directory take this lock.
pub fn cwd_lock() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

// --- comparison, as ../shared/tools/cfn-compare does it -------------------------------------

fn norm_id(s: &str) -> String {
    // ^(.*LambdaVersion)[A-Za-z0-9]{20,}(L[0-9a-f]{8})?$ → \1#  (greedy, as cfn-compare)
    let mut search = s.len();
    while let Some(pos) = s[..search].rfind("LambdaVersion") {
        let rest = &s[pos + "LambdaVersion".len()..];
        if rest.len() >= 20 && rest.chars().all(|c| c.is_ascii_alphanumeric()) {
            return format!("{}#", &s[..pos + "LambdaVersion".len()]);
        }
        search = pos;
    }
    // ^(.*LambdaLayer(Permission)?)[0-9a-f]{40}$ → \1#: a retained layer's hash suffix
    for marker in ["LambdaLayerPermission", "LambdaLayer"] {
        if let Some(pos) = s.rfind(marker) {
            let rest = &s[pos + marker.len()..];
            if rest.len() == 40 && rest.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')) {
                return format!("{}#", &s[..pos + marker.len()]);
            }
        }
    }
    if let Some(rest) = s.strip_prefix("ApiGatewayDeployment")
        && rest.len() >= 10
        && rest.chars().all(|c| c.is_ascii_digit())
    {
        return "ApiGatewayDeployment#".into();
    }
    s.to_string()
}

pub fn normalise(v: &Value) -> Value {
    match v {
        Value::Object(o) => {
            let mut out = serde_json::Map::new();
            for (k, x) in o {
                if k == "CodeSha256" {
                    out.insert(k.clone(), Value::String("#sha256".into()));
                } else if k == "S3Key" && x.as_str().is_some_and(|s| s.starts_with("serverless/")) {
                    out.insert(k.clone(), Value::String("#artifact".into()));
                } else if k.ends_with("LambdaLayerHash") && x.get("Value").is_some() {
                    // a layer's hash output: sha1 of the layer's zip
                    let mut o = normalise(x);
                    o["Value"] = Value::String("#sha1".into());
                    out.insert(k.clone(), o);
                } else {
                    out.insert(norm_id(k), normalise(x));
                }
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(normalise).collect()),
        Value::String(s) => Value::String(norm_id(s)),
        other => other.clone(),
    }
}

fn in_plugin_scope(id: &str, res: &Value) -> bool {
    let ty = res.get("Type").and_then(Value::as_str).unwrap_or("");
    if [
        "ServerlessDeploymentBucket",
        "ServerlessDeploymentBucketPolicy",
        "IamRoleLambdaExecution",
    ]
    .contains(&id)
        || ty == "AWS::Lambda::Function"
        || ty == "AWS::Lambda::Version"
    {
        return false;
    }
    if ty == "AWS::Logs::LogGroup"
        && id.ends_with("LogGroup")
        && res
            .pointer("/Properties/LogGroupName")
            .and_then(Value::as_str)
            .is_some_and(|n| n.starts_with("/aws/lambda/"))
    {
        return false;
    }
    true
}

/// Outputs the framework's core writes (outside the plugin scope).
fn is_core_output(k: &str) -> bool {
    k == "ServerlessDeploymentBucketName" || k.ends_with("LambdaFunctionQualifiedArn")
}

fn first_difference(a: &Value, b: &Value, path: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys() {
                if !y.contains_key(k) {
                    return Some(format!("{path}/{k}: missing in actual"));
                }
            }
            for k in y.keys() {
                if !x.contains_key(k) {
                    return Some(format!("{path}/{k}: unexpected in actual"));
                }
            }
            x.iter()
                .find_map(|(k, v)| first_difference(v, &y[k.as_str()], &format!("{path}/{k}")))
        }
        (Value::Array(x), Value::Array(y)) => {
            if x.len() != y.len() {
                return Some(format!(
                    "{path}: list of {} != list of {}: {} vs {}",
                    x.len(),
                    y.len(),
                    short(a),
                    short(b)
                ));
            }
            x.iter()
                .zip(y)
                .enumerate()
                .find_map(|(i, (p, q))| first_difference(p, q, &format!("{path}/{i}")))
        }
        (Value::String(x), Value::String(y)) if x != y => {
            let i = x.chars().zip(y.chars()).take_while(|(p, q)| p == q).count();
            let from = i.saturating_sub(20);
            let ex: String = x.chars().skip(from).take(60).collect();
            let got: String = y.chars().skip(from).take(60).collect();
            Some(format!(
                "{path}: strings differ at char {i}: expected {ex:?} got {got:?}"
            ))
        }
        _ if a != b => Some(format!("{path}: {} != {}", short(a), short(b))),
        _ => None,
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 160 {
        format!(
            "{}...",
            &s[..s.char_indices().nth(157).map(|(i, _)| i).unwrap_or(s.len())]
        )
    } else {
        s
    }
}

/// The first place where two templates that `compare` finds equal differ in order: the
/// resources, the outputs, the template's sections and every object's keys, after the same
/// normalisation (in plugin scope, of what that scope compares). `None` when the order is the
/// oracle's.
pub fn order_difference(expected: &Value, actual: &Value, plugin_scope: bool) -> Option<String> {
    let (mut e, mut a) = (normalise(expected), normalise(actual));
    if plugin_scope {
        let only_scope = |t: &Value| {
            let section = |name: &str, keep: &dyn Fn(&String, &Value) -> bool| {
                let items = t.get(name).and_then(Value::as_object).into_iter().flatten();
                Value::Object(
                    items
                        .filter(|(k, v)| keep(k, v))
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                )
            };
            json!({
                "Resources": section("Resources", &|k, v| in_plugin_scope(k, v)),
                "Outputs": section("Outputs", &|k, _| !is_core_output(k)),
            })
        };
        (e, a) = (only_scope(&e), only_scope(&a));
    }
    first_order_difference(&e, &a, "")
}

fn first_order_difference(e: &Value, a: &Value, path: &str) -> Option<String> {
    match (e, a) {
        (Value::Object(x), Value::Object(y)) => {
            let (xk, yk): (Vec<&String>, Vec<&String>) = (x.keys().collect(), y.keys().collect());
            if xk != yk {
                let i = xk.iter().zip(&yk).take_while(|(p, q)| p == q).count();
                let at = if path.is_empty() { "/" } else { path };
                return Some(format!(
                    "{at}: key #{i} is {:?}, the oracle's is {:?}\n  oracle's keys: {}\n  slsx's keys:   {}",
                    yk.get(i).map(|k| k.as_str()).unwrap_or("(none)"),
                    xk.get(i).map(|k| k.as_str()).unwrap_or("(none)"),
                    key_window(&xk, i),
                    key_window(&yk, i)
                ));
            }
            x.iter().find_map(|(k, v)| {
                y.get(k)
                    .and_then(|w| first_order_difference(v, w, &format!("{path}/{k}")))
            })
        }
        (Value::Array(x), Value::Array(y)) => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (p, q))| first_order_difference(p, q, &format!("{path}/{i}"))),
        _ => None,
    }
}

/// The keys around index `i`: a few before, the one at `i` in brackets, a few after.
fn key_window(keys: &[&String], i: usize) -> String {
    let from = i.saturating_sub(2);
    let mut parts: Vec<String> = Vec::new();
    if from > 0 {
        parts.push("...".into());
    }
    for (j, k) in keys.iter().enumerate().skip(from).take(6) {
        parts.push(if j == i {
            format!("[{k}]")
        } else {
            k.to_string()
        });
    }
    if from + 6 < keys.len() {
        parts.push("...".into());
    }
    parts.join(", ")
}

/// Compares two templates; returns the problems (empty when they match).
pub fn compare(expected: &Value, actual: &Value, plugin_scope: bool) -> Vec<String> {
    let (e, a) = (normalise(expected), normalise(actual));
    let empty = serde_json::Map::new();
    let sect = |t: &Value, k: &str| {
        t.get(k)
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_else(|| empty.clone())
    };
    let (mut er, mut ar) = (sect(&e, "Resources"), sect(&a, "Resources"));
    let (mut eo, mut ao) = (sect(&e, "Outputs"), sect(&a, "Outputs"));
    if plugin_scope {
        er.retain(|k, v| in_plugin_scope(k, v));
        ar.retain(|k, v| in_plugin_scope(k, v));
        eo.retain(|k, _| !is_core_output(k));
        ao.retain(|k, _| !is_core_output(k));
    }
    let mut problems = Vec::new();
    for (id, r) in &er {
        match ar.get(id) {
            None => problems.push(format!(
                "  resource {id}: missing ({})",
                r.get("Type").and_then(Value::as_str).unwrap_or("?")
            )),
            Some(x) => {
                if let Some(d) = first_difference(r, x, "") {
                    problems.push(format!("  resource {id}: {d}"));
                }
            }
        }
    }
    for (id, r) in &ar {
        if !er.contains_key(id) {
            problems.push(format!(
                "  resource {id}: unexpected ({})",
                r.get("Type").and_then(Value::as_str).unwrap_or("?")
            ));
        }
    }
    for (id, o) in &eo {
        match ao.get(id) {
            None => problems.push(format!("  output {id}: missing")),
            Some(x) => {
                if let Some(d) = first_difference(o, x, "") {
                    problems.push(format!("  output {id}: {d}"));
                }
            }
        }
    }
    for id in ao.keys() {
        if !eo.contains_key(id) {
            problems.push(format!("  output {id}: unexpected"));
        }
    }
    if !plugin_scope {
        let mut keys: Vec<&String> = e
            .as_object()
            .map(|o| o.keys().collect())
            .unwrap_or_default();
        for k in a
            .as_object()
            .map(|o| o.keys().collect::<Vec<_>>())
            .unwrap_or_default()
        {
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
        for k in keys {
            if k == "Resources" || k == "Outputs" {
                continue;
            }
            if let Some(d) = first_difference(
                e.get(k).unwrap_or(&Value::Null),
                a.get(k).unwrap_or(&Value::Null),
                &format!("/{k}"),
            ) {
                problems.push(format!("  template {k}: {d}"));
            }
        }
    }
    problems
}
