//! Plugin mode: slsx inside `sls package`, in place of serverless-step-functions.
//!
//! The npm package's plugin (`npm/slsx/index.js`) runs `slsx compile --resolved-input -
//! --phase functions|events` in the two hooks serverless-step-functions uses and sends a
//! [`Request`] as JSON on stdin: the configuration the framework has already resolved and
//! validated (`serverless.configurationInput`), the functions with their names, and the
//! template compiled so far. slsx runs only the plugin's passes on that template — it never
//! resolves variables or normalises again — and answers with the template after the pass and
//! the diagnostics. The contract is documented in `npm/slsx/CONTRACT.md`.
//!
//! Diagnostics keep real locations: the raw `serverless.yml` is loaded with slsx's own loader
//! and its spans are copied onto the resolved tree wherever the same path exists in both
//! ([`attach_spans`]); a value that came from a variable points at the variable.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::compile::{self, Ctx, Template};
use crate::declare_codes;
use crate::diagnostics::{Diag, Diags};
use crate::source::{SourceMap, Span};
use crate::yaml::{Kind, Node};

declare_codes! { CODES;
    BAD_REQUEST = "slsx::plugin::bad-request", "The plugin-mode request (`slsx compile --resolved-input`) is not valid JSON or lacks a required field.";
    CONTRACT_VERSION = "slsx::plugin::contract-version", "The plugin-mode request uses a contract version this slsx does not speak (the npm package and the binary disagree).";
}

/// The version of the JSON contract this binary speaks.
pub const CONTRACT: u64 = 1;

/// Which serverless-step-functions hook to run.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Phase {
    /// `package:compileFunctions`: roles, state machines, activities, alarms, notifications.
    Functions,
    /// `package:compileEvents`: schedule, http, cloudwatchEvent / eventBridge events.
    Events,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Functions => "functions",
            Phase::Events => "events",
        }
    }

    pub fn parse(s: &str) -> Option<Phase> {
        match s {
            "functions" => Some(Phase::Functions),
            "events" => Some(Phase::Events),
            _ => None,
        }
    }
}

/// What the plugin sends.
#[derive(Clone, Debug)]
pub struct Request {
    pub phase: Option<Phase>,
    pub service: String,
    pub stage: String,
    pub region: String,
    /// `provider.getRegion()` when the plugin was constructed (before `${param:}` and the AWS
    /// sources were resolved); `region` when not sent.
    pub plugin_region: Option<String>,
    pub instance_id: Option<String>,
    /// `serverless.configurationInput` (resolved, validated, normalised by the framework).
    pub config: Value,
    /// `serverless.service.functions` (with `name` and `events` filled in), when sent.
    pub functions: Option<Value>,
    /// `compiledCloudFormationTemplate` so far.
    pub template: Value,
    /// Absolute path of the service's config file, for diagnostic locations.
    pub config_path: Option<PathBuf>,
}

/// The answer: the template after the pass (none when there were errors), every diagnostic
/// and the sources they point into.
#[derive(Debug)]
pub struct Response {
    pub template: Option<Value>,
    pub diags: Diags,
    pub sources: SourceMap,
}

fn bad(msg: impl Into<String>) -> Diag {
    Diag::error(&BAD_REQUEST, msg).help(
        "this request is written by the slsx npm package; check that the package and the binary have the same version (see npm/slsx/CONTRACT.md)",
    )
}

fn string_field(o: &Map<String, Value>, key: &str, diags: &mut Vec<Diag>) -> String {
    match o.get(key) {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => {
            diags.push(bad(format!(
                "the request's `{key}` is missing or not a non-empty string"
            )));
            String::new()
        }
    }
}

/// Parses and checks a request. Every problem is reported, not just the first.
pub fn parse_request(text: &str) -> Result<Request, Vec<Diag>> {
    let v: Value = serde_json::from_str(text)
        .map_err(|e| vec![bad(format!("the request is not valid JSON: {e}"))])?;
    let Value::Object(o) = v else {
        return Err(vec![bad("the request must be a JSON object")]);
    };
    let mut diags = Vec::new();
    match o.get("version").and_then(Value::as_u64) {
        Some(CONTRACT) => {}
        Some(n) => {
            return Err(vec![
                Diag::error(
                    &CONTRACT_VERSION,
                    format!(
                        "the request uses contract version {n}; this slsx ({}) speaks version {CONTRACT}",
                        env!("CARGO_PKG_VERSION")
                    ),
                )
                .help("install the slsx npm package and binary of the same version"),
            ]);
        }
        None => diags.push(bad("the request's `version` is missing or not a number")),
    }
    let phase = match o.get("phase") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => match Phase::parse(s) {
            Some(p) => Some(p),
            None => {
                diags.push(bad(format!(
                    "the request's `phase` is `{s}`; expected `functions` or `events`"
                )));
                None
            }
        },
        Some(_) => {
            diags.push(bad("the request's `phase` must be a string"));
            None
        }
    };
    let service = string_field(&o, "service", &mut diags);
    let stage = string_field(&o, "stage", &mut diags);
    let region = string_field(&o, "region", &mut diags);
    let plugin_region = match o.get("pluginRegion") {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let instance_id = match o.get("instanceId") {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let config = match o.get("config") {
        Some(c @ Value::Object(_)) => c.clone(),
        _ => {
            diags.push(bad("the request's `config` is missing or not an object"));
            Value::Null
        }
    };
    let functions = match o.get("functions") {
        None | Some(Value::Null) => None,
        Some(f @ Value::Object(_)) => Some(f.clone()),
        Some(_) => {
            diags.push(bad("the request's `functions` must be an object"));
            None
        }
    };
    let template = match o.get("template") {
        Some(t @ Value::Object(_)) => t.clone(),
        _ => {
            diags.push(bad("the request's `template` is missing or not an object"));
            Value::Null
        }
    };
    let config_path = match o.get("configPath") {
        Some(Value::String(s)) if !s.is_empty() => Some(PathBuf::from(s)),
        _ => None,
    };
    if !diags.is_empty() {
        return Err(diags);
    }
    Ok(Request {
        phase,
        service,
        stage,
        region,
        plugin_region,
        instance_id,
        config,
        functions,
        template,
        config_path,
    })
}

/// Gives every node of `resolved` the span of the node at the same path in `raw`, and every
/// key the span of the same key. Where a path exists only in the resolved tree (a value that
/// a variable produced, a default the framework added), the node takes the span of its
/// nearest ancestor that has one, so a diagnostic still points at the `${…}` it came from.
/// An array-form `functions`/`resources` in the raw file is searched item by item (the last
/// item holding a key wins, as in the framework's merge).
pub fn attach_spans(resolved: &mut Node, raw: Option<&Node>, fallback: Span) {
    // An explicit stack: configs and templates can be deep, recursion is not needed.
    let mut stack: Vec<(&mut Node, Option<&Node>, Span)> = vec![(resolved, raw, fallback)];
    while let Some((node, raw, fallback)) = stack.pop() {
        let span = raw.map(|r| r.span).unwrap_or(fallback);
        let Node { span: slot, kind } = node;
        *slot = span;
        match kind {
            Kind::Map(m) => {
                for (key, entry) in m.iter_mut() {
                    let (raw_child, key_span) = match raw.map(|r| &r.kind) {
                        Some(Kind::Map(rm)) => match rm.entry(key) {
                            Some(e) => (Some(&e.value), Some(e.key_span)),
                            None => (None, None),
                        },
                        Some(Kind::Seq(items)) => items
                            .iter()
                            .rev()
                            .filter_map(|it| it.as_map().and_then(|im| im.entry(key)))
                            .map(|e| (Some(&e.value), Some(e.key_span)))
                            .next()
                            .unwrap_or((None, None)),
                        _ => (None, None),
                    };
                    entry.key_span = key_span.unwrap_or(span);
                    stack.push((&mut entry.value, raw_child, span));
                }
            }
            Kind::Seq(items) => {
                let raw_items = raw.and_then(Node::as_seq);
                for (i, item) in items.iter_mut().enumerate() {
                    stack.push((item, raw_items.and_then(|r| r.get(i)), span));
                }
            }
            _ => {}
        }
    }
}

/// Loads the raw config file for locations. `None` when there is none or it cannot be read
/// (a JavaScript config, a file that changed since the framework read it): the diagnostics
/// then have no location, nothing else changes.
fn load_raw(path: &Path, sources: &mut SourceMap) -> Option<Node> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if !matches!(ext, "yml" | "yaml" | "json") {
        return None;
    }
    let name = crate::config::display_name(path);
    let id = crate::config::read_source(sources, path, &name).ok()?;
    crate::config::parse(sources, id).ok()
}

/// `dir` relative to the working directory when it is inside it (`.` for the working directory
/// itself, where the plugin starts the binary), so paths in messages read as they do with
/// `slsx expand` run in the service directory.
fn relative_to_cwd(dir: &Path) -> PathBuf {
    let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let Ok(cwd) = std::env::current_dir() else {
        return dir.to_path_buf();
    };
    match canon(dir).strip_prefix(canon(&cwd)) {
        Ok(rel) if rel.as_os_str().is_empty() => PathBuf::from("."),
        Ok(rel) => rel.to_path_buf(),
        Err(_) => dir.to_path_buf(),
    }
}

/// Runs the request's phase on its template.
pub fn compile(req: &Request, phase: Phase) -> Response {
    let mut sources = SourceMap::new();
    let mut diags = Diags::new();

    let mut config = Node::from_json(&req.config, Span::NONE);
    if let (Some(f), Some(m)) = (&req.functions, config.as_map_mut()) {
        m.insert("functions", Span::NONE, Node::from_json(f, Span::NONE));
    }
    if let Some(raw) = req
        .config_path
        .as_deref()
        .and_then(|p| load_raw(p, &mut sources))
    {
        attach_spans(&mut config, Some(&raw), Span::NONE);
    }

    // Definitions named by file (`definition: ./flow.asl.json`) load as with `slsx expand`,
    // relative to the service directory (the config file's, else the working directory).
    let service_dir = req
        .config_path
        .as_deref()
        .and_then(Path::parent)
        .map(relative_to_cwd)
        .unwrap_or_else(|| PathBuf::from("."));
    compile::state_machine::definition::load_definition_files(
        &mut config,
        &service_dir,
        &mut sources,
        &mut diags,
    );
    if diags.has_errors() {
        return Response {
            template: None,
            diags,
            sources,
        };
    }

    let mut template = Template::from_value(req.template.clone());
    // serverless-step-functions defaults a missing (or null) `stepFunctions` to no machines
    // and no activities: then neither hook adds anything.
    if config.get("stepFunctions").is_some_and(Node::is_truthy) {
        let options = crate::Options {
            stage: Some(req.stage.clone()),
            region: Some(req.region.clone()),
            instance_id: req.instance_id.clone(),
            ..crate::Options::default()
        };
        let ctx = Ctx {
            config: &config,
            service: req.service.clone(),
            stage: req.stage.clone(),
            region: req.region.clone(),
            plugin_region: req
                .plugin_region
                .clone()
                .unwrap_or_else(|| req.region.clone()),
            instance_id: req.instance_id.clone().unwrap_or_default(),
            options: &options,
            lambda_ids: Default::default(),
        };
        match phase {
            Phase::Functions => {
                compile::state_machine::compile_functions_hook(&ctx, &mut template, &mut diags)
            }
            Phase::Events => {
                compile::events::compile_state_machine_events(&ctx, &mut template, &mut diags)
            }
        }
    }
    let template = if diags.has_errors() {
        None
    } else {
        Some(template.into_value())
    };
    Response {
        template,
        diags,
        sources,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;
    use crate::yaml::{LoadOptions, load};
    use serde_json::json;

    fn raw(text: &str) -> (SourceMap, Node) {
        let mut sources = SourceMap::new();
        let id = sources.add("serverless.yml", "serverless.yml", text);
        let node = load(id, text, LoadOptions::default()).expect("valid yaml");
        (sources, node)
    }

    fn request(extra: Value) -> String {
        let mut base = json!({
            "version": 1,
            "phase": "functions",
            "service": "demo",
            "stage": "dev",
            "region": "us-east-1",
            "instanceId": "1700000000000",
            "config": {"service": "demo", "provider": {"name": "aws"}},
            "template": {"Resources": {}, "Outputs": {}},
        });
        if let (Some(b), Some(e)) = (base.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                b.insert(k.clone(), v.clone());
            }
        }
        base.to_string()
    }

    #[test]
    fn spans_follow_matching_paths() {
        let text = "service: demo\nprovider:\n  stage: ${opt:stage}\nfunctions:\n  hello:\n    handler: h.main\n";
        let (sources, raw) = raw(text);
        let resolved = json!({
            "service": "demo",
            "provider": {"stage": "prod", "name": "aws"},
            "functions": {"hello": {"handler": "h.main", "events": [], "name": "demo-prod-hello"}},
        });
        let mut node = Node::from_json(&resolved, Span::NONE);
        attach_spans(&mut node, Some(&raw), Span::NONE);
        let stage = node.at(&["provider", "stage"]).unwrap();
        assert_eq!(sources.snippet(stage.span), "${opt:stage}");
        let handler = node.at(&["functions", "hello", "handler"]).unwrap();
        assert_eq!(sources.snippet(handler.span), "h.main");
        let key = node
            .get("functions")
            .and_then(|f| f.as_map())
            .and_then(|m| m.key_span("hello"))
            .unwrap();
        assert_eq!(sources.snippet(key), "hello");
        // `name` exists only in the resolved tree: it points at its function.
        let name = node.at(&["functions", "hello", "name"]).unwrap();
        assert_eq!(name.span, node.at(&["functions", "hello"]).unwrap().span);
        assert_eq!(name.span.file, FileId(0));
    }

    #[test]
    fn values_from_variables_point_at_the_variable() {
        let text = "service: demo\ncustom: ${file(custom.yml)}\n";
        let (sources, raw) = raw(text);
        let mut node = Node::from_json(
            &json!({"service": "demo", "custom": {"a": {"b": [1, 2]}}}),
            Span::NONE,
        );
        attach_spans(&mut node, Some(&raw), Span::NONE);
        let deep = node.at(&["custom", "a", "b", "1"]).unwrap();
        assert_eq!(sources.snippet(deep.span), "${file(custom.yml)}");
    }

    #[test]
    fn array_form_functions_are_searched_by_key() {
        let text =
            "service: demo\nfunctions:\n  - a:\n      handler: one\n  - b:\n      handler: two\n";
        let (sources, raw) = raw(text);
        let mut node = Node::from_json(
            &json!({"functions": {"a": {"handler": "one"}, "b": {"handler": "two"}}}),
            Span::NONE,
        );
        attach_spans(&mut node, Some(&raw), Span::NONE);
        let b = node.at(&["functions", "b", "handler"]).unwrap();
        assert_eq!(sources.snippet(b.span), "two");
    }

    #[test]
    fn no_raw_file_leaves_no_location() {
        let mut node = Node::from_json(&json!({"a": {"b": 1}}), Span::NONE);
        attach_spans(&mut node, None, Span::NONE);
        assert!(node.at(&["a", "b"]).unwrap().span.is_none());
    }

    #[test]
    fn parses_a_request() {
        let r = parse_request(&request(json!({"configPath": "/x/serverless.yml"}))).unwrap();
        assert_eq!(r.phase, Some(Phase::Functions));
        assert_eq!(r.service, "demo");
        assert_eq!(r.instance_id.as_deref(), Some("1700000000000"));
        assert_eq!(r.config_path, Some(PathBuf::from("/x/serverless.yml")));
    }

    #[test]
    fn reports_every_missing_field() {
        let errs = parse_request(r#"{"version":1,"phase":"later"}"#).unwrap_err();
        let text: Vec<String> = errs.iter().map(|d| d.message.clone()).collect();
        assert!(text.iter().any(|m| m.contains("`phase`")), "{text:?}");
        for field in ["service", "stage", "region", "config", "template"] {
            assert!(
                text.iter().any(|m| m.contains(&format!("`{field}`"))),
                "{field}: {text:?}"
            );
        }
        assert!(errs.iter().all(|d| std::ptr::eq(d.code, &BAD_REQUEST)));
    }

    #[test]
    fn rejects_other_contract_versions_and_bad_json() {
        let errs = parse_request(&request(json!({"version": 2}))).unwrap_err();
        assert!(std::ptr::eq(errs[0].code, &CONTRACT_VERSION));
        let errs = parse_request("{not json").unwrap_err();
        assert!(errs[0].message.contains("not valid JSON"));
        let errs = parse_request("[]").unwrap_err();
        assert!(errs[0].message.contains("JSON object"));
    }

    #[test]
    fn definitions_named_by_file_load_next_to_the_config() {
        let dir = std::env::temp_dir().join(format!("slsx-plugin-def-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let yml = dir.join("serverless.yml");
        std::fs::write(
            &yml,
            "service: demo\nplugins: [slsx]\nstepFunctions:\n  stateMachines:\n    flow:\n      definition: ./flow.asl.json\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("flow.asl.json"),
            r#"{"StartAt": "FromTheFile", "States": {"FromTheFile": {"Type": "Pass", "End": true}}}"#,
        )
        .unwrap();
        let config = json!({
            "service": "demo",
            "plugins": ["slsx"],
            "provider": {"name": "aws", "stage": "dev", "region": "us-east-1"},
            "stepFunctions": {"stateMachines": {"flow": {"definition": "./flow.asl.json"}}},
        });
        let r = parse_request(&request(
            json!({"config": config, "configPath": yml.to_str().unwrap()}),
        ))
        .unwrap();
        let out = compile(&r, Phase::Functions);
        let errors: Vec<&str> = out
            .diags
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.message.as_str())
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
        let text = out.template.map(|t| t.to_string()).unwrap_or_default();
        assert!(text.contains("FromTheFile"), "{text}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn without_step_functions_the_template_is_unchanged() {
        let t = json!({"Resources": {"B": {"Type": "X"}, "A": {"Type": "Y"}}, "Outputs": {}});
        let r = parse_request(&request(json!({"template": t.clone()}))).unwrap();
        for phase in [Phase::Functions, Phase::Events] {
            let out = compile(&r, phase);
            assert!(out.diags.is_empty());
            assert_eq!(out.template.as_ref(), Some(&t));
            let keys: Vec<&String> = out.template.as_ref().unwrap()["Resources"]
                .as_object()
                .unwrap()
                .keys()
                .collect();
            assert_eq!(keys, ["B", "A"]);
        }
    }
}
