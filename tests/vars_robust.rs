//! The resolver never panics and always terminates: every string of the parser corpus (valid
//! variables, syntax errors, odd escapes, non-ASCII) placed in one config next to properties
//! that refer to each other, in many shapes, including files that include themselves.

mod support;

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

fn resolve(text: &str, dir: &Path, env: HashMap<String, String>) -> slsx::diagnostics::Diags {
    let mut sources = slsx::source::SourceMap::new();
    let id = sources.add("serverless.yml", dir.join("serverless.yml"), text);
    let mut root = match slsx::yaml::load(id, text, slsx::yaml::LoadOptions::default()) {
        Ok(r) => r,
        Err(_) => return slsx::diagnostics::Diags::new(),
    };
    let opts = slsx::Options {
        params: vec!["a=b".into()],
        ..slsx::Options::default()
    };
    let mut diags = slsx::diagnostics::Diags::new();
    slsx::vars::resolve(
        &mut root,
        &slsx::vars::VarsInput {
            service_dir: dir,
            options: &opts,
            env: &env,
            instance_id: "1",
        },
        &mut sources,
        &mut diags,
    );
    diags
}

fn yaml_quote(s: &str) -> String {
    serde_json::to_string(s).expect("json string")
}

#[test]
fn corpus_values_never_panic() {
    let corpus: Vec<Value> = serde_json::from_str(
        &std::fs::read_to_string(support::root().join("tests/data/vars-parse-corpus.json"))
            .expect("corpus"),
    )
    .expect("json");
    let dir = std::env::temp_dir().join(format!("slsx-vars-robust-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    std::fs::write(
        dir.join("a.yml"),
        "x: ${file(./a.yml):x.y}\ny: ${self:custom.k1}\nz: ${file(./a.yml)}\n",
    )
    .expect("write");
    let env: HashMap<String, String> = [("E".to_string(), "${env:E}".to_string())].into();
    for chunk in corpus.chunks(200) {
        let mut text = String::from("service: robust\nprovider:\n  name: aws\ncustom:\n");
        for (i, case) in chunk.iter().enumerate() {
            let input = case["input"].as_str().expect("input");
            text.push_str(&format!("  k{i}: {}\n", yaml_quote(input)));
            // cross references in several shapes
            text.push_str(&format!(
                "  r{i}: {}\n",
                yaml_quote(&format!(
                    "${{self:custom.k{}}}-${{self:custom.r{}, 'x'}}",
                    (i * 7) % chunk.len(),
                    (i + 1) % chunk.len()
                ))
            ));
        }
        text.push_str("  f1: ${file(./a.yml):x}\n  f2: ${file(./a.yml):z}\n  e: ${file(${env:E})}\n  all: ${self:}\n");
        let diags = resolve(&text, &dir, env.clone());
        // it ends, with diagnostics that all carry a code
        for d in diags.iter() {
            assert!(d.code.id.starts_with("slsx::"));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
