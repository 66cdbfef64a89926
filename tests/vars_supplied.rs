//! `--var` / `--vars-file`: values for sources slsx cannot reach (AWS, plugins), used exactly
//! as the source's result. The oracle cannot produce these (it would call AWS), so the
//! expectations are the framework's documented treatment of a source result: whole values keep
//! their type, interpolation makes text, `null` lets the fallback apply, strings are parsed
//! again for variables, and the phase rules still hold.

mod support;

use std::collections::HashMap;

use serde_json::{Value, json};

fn expand(config: &str, files: &[(&str, &str)], args: &[&str]) -> (i32, Value, String) {
    let dir = std::env::temp_dir().join(format!(
        "slsx-vars-supplied-{}-{}",
        std::process::id(),
        config.len() + args.len() * 7919 + files.len() * 31
    ));
    std::fs::create_dir_all(&dir).expect("tmp");
    std::fs::write(dir.join("serverless.yml"), config).expect("write");
    for (name, text) in files {
        std::fs::write(dir.join(name), text).expect("write");
    }
    let d = dir.to_string_lossy().into_owned();
    let mut argv = vec!["expand", d.as_str()];
    argv.extend_from_slice(args);
    let owned: Vec<String> = argv.iter().map(|a| a.replace("{dir}", &d)).collect();
    let refs: Vec<&str> = owned.iter().map(String::as_str).collect();
    let env: HashMap<String, String> = [
        ("NO_COLOR".to_string(), "1".to_string()),
        ("COLUMNS".to_string(), "400".to_string()),
    ]
    .into();
    let r = support::run(&refs, &env, "");
    let _ = std::fs::remove_dir_all(&dir);
    let v = serde_json::from_str(&r.stdout).unwrap_or(Value::Null);
    (r.code, v, r.stderr)
}

fn metadata(v: &Value) -> &Value {
    &v["Resources"]["Probe"]["Metadata"]
}

const HEAD: &str = "service: supplied\nprovider:\n  name: aws\ncustom:\n  x: from-self\nresources:\n  Resources:\n    Probe:\n      Type: AWS::CloudFormation::WaitConditionHandle\n      Metadata:\n";

#[test]
fn var_option_values_are_strings() {
    let cfg = format!(
        "{HEAD}        db: ${{ssm:/app/db}}\n        url: https://${{ssm:/app/db}}/x\n        account: ${{aws:accountId}}\n        arn: arn:aws:iam::${{aws:accountId}}:root\n        out: ${{cf:stack.Out}}\n        obj: ${{s3:bucket/key.json}}\n        eq: ${{ssm:/has-eq}}\n"
    );
    let (code, v, err) = expand(
        &cfg,
        &[],
        &[
            "--var",
            "ssm:/app/db=db.example.com",
            "--var",
            "aws:accountId=123456789012",
            "--var",
            "cf:stack.Out=out-value",
            "--var",
            "s3:bucket/key.json={\"a\":1}",
            "--var",
            "ssm:/has-eq=a=b",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        metadata(&v),
        &json!({
            "db": "db.example.com",
            "url": "https://db.example.com/x",
            "account": "123456789012",
            "arn": "arn:aws:iam::123456789012:root",
            "out": "out-value",
            "obj": "{\"a\":1}",
            "eq": "a=b",
        })
    );
}

#[test]
fn vars_file_values_keep_their_type() {
    let cfg = format!(
        "{HEAD}        list: ${{ssm:/list}}\n        listText: l=${{ssm:/list}}\n        secret: ${{ssm:/secret}}\n        nulled: ${{cf:stack.Missing, 'fallback-applies'}}\n        regional: ${{ssm(eu-west-1, raw):/p}}\n        plain: ${{ssm(eu-west-1):/plain}}\n        plugin: ${{vault:secret/db}}\n        reparsed: ${{ssm:/points-to-self}}\n        count: ${{ssm:/count}}\n"
    );
    let vars = "\"ssm:/list\": [a, b]\n\"ssm:/secret\": {user: u, pass: p}\n\"cf:stack.Missing\": null\n\"ssm(eu-west-1,raw):/p\": raw-in-region\n\"ssm:/plain\": any-region\n\"vault:secret/db\": from-plugin\n\"ssm:/points-to-self\": ${self:custom.x}\n\"ssm:/count\": 3\n";
    let (code, v, err) = expand(
        &cfg,
        &[("vars.yml", vars)],
        &["--vars-file", "{dir}/vars.yml"],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        metadata(&v),
        &json!({
            "list": ["a", "b"],
            "listText": "l=a,b",
            "secret": {"user": "u", "pass": "p"},
            "nulled": "fallback-applies",
            "regional": "raw-in-region",
            "plain": "any-region",
            "plugin": "from-plugin",
            "reparsed": "from-self",
            "count": 3,
        })
    );
}

#[test]
fn supplied_values_do_not_lift_the_phase_rules() {
    let cfg = "service: ${ssm:/name}\nprovider:\n  name: aws\n";
    let (code, _, err) = expand(cfg, &[], &["--var", "ssm:/name=svc"]);
    assert_eq!(code, 1);
    assert!(err.contains("slsx::vars::inaccessible"), "{err}");
    assert!(
        err.contains("\"service\" property is not accessible"),
        "{err}"
    );
}

#[test]
fn unsupplied_plugin_source_is_unknown_and_supplied_type_needs_the_address() {
    let cfg = format!("{HEAD}        a: ${{vault:other}}\n");
    let (code, _, err) = expand(&cfg, &[], &["--var", "vault:secret/db=x"]);
    assert_eq!(code, 1);
    assert!(err.contains("slsx::vars::offline-source"), "{err}");
    assert!(
        err.contains("No value supplied for \"vault:other\""),
        "{err}"
    );
}
