//! `compileStateMachines`: `definition` → `DefinitionString` (spec §1.3–§1.6) and the
//! `AWS::StepFunctions::StateMachine` resource with its output (§1.2).

use serde_json::{Map, Value};

use super::schema::{joi_bool, joi_number};
use super::{Ctx, Machine, Options, Template, js};
use crate::asl;
use crate::declare_codes;
use crate::diagnostics::{Diag, Diags};
use crate::emit::json::{to_compact, to_pretty};
use crate::source::Span;
use crate::yaml::{Kind, Node};

declare_codes! { CODES;
    STRING_DEFINITION = "slsx::sfn::string-definition", "A `definition` given as a string, which the plugin writes as a quoted JSON string that Step Functions rejects.";
    TASK_TIMEOUT = "slsx::sfn::task-timeout", "`configureTaskTimeouts`: a Task's `TimeoutSeconds` exceeds its Lambda function's timeout.";
    QUOTED_BOOLEAN = "slsx::sfn::quoted-boolean", "A boolean option written as a string, which the plugin reads differently from what its schema accepts.";
    DEFINITION_FILE_NOT_FOUND = "slsx::sfn::definition-file-not-found", "A `definition` names a `.json` / `.yaml` / `.yml` file (slsx loads such files) that does not exist.";
    DEFINITION_FILE_SHAPE = "slsx::sfn::definition-file-shape", "A definition file that holds no object (an empty file, a list, a scalar).";
    DEFINITION_FILE_VARIABLE = "slsx::sfn::definition-file-variable", "Text in a definition file that looks like a framework variable; slsx loads the file as written, without resolving variables.";
}

/// One intrinsic taken out of the definition: its md5 name, the intrinsic as written,
/// whether it is a Wait state's `Seconds` (written unquoted), and where it was.
struct Mapping {
    name: String,
    value: Value,
    raw: bool,
}

/// Compiles one machine: the resource, its `DefinitionString` and its output.
pub fn compile_machine(
    ctx: &Ctx,
    m: &Machine,
    opts: &Options,
    t: &mut Template,
    diags: &mut Diags,
) {
    warn_quoted_booleans(m, diags);
    let Some(def) = m.get("definition").filter(|d| d.is_truthy()) else {
        return;
    };
    let mode = if opts.validate {
        asl::Mode::Validate
    } else {
        asl::Mode::Expand
    };
    let checked = asl::Definition {
        machine: m.key,
        node: def,
        at: m.key_span_of("definition"),
        placeholders: false,
    };
    asl::check(&checked, mode, diags);
    if !super::check_getatts(def, super::Translated::Definition, diags) {
        return;
    }
    let Some(mut definition_string) = definition_string(ctx, m, def, opts, t, diags) else {
        return;
    };
    if m.is_true("useExactVersion") {
        use_exact_version(&mut definition_string, t);
    }
    let resource = machine_resource(ctx, m, definition_string);
    t.merge_resource(&m.logical_id, resource);
    if !opts.no_output {
        t.merge_output(
            &m.output_id,
            js::obj([
                ("Description", Value::from("Current StateMachine Arn")),
                (
                    "Value",
                    js::obj([("Ref", Value::from(m.logical_id.clone()))]),
                ),
            ]),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Definitions from files (slsx only)

/// The extensions that make a `definition` string the path of a definition file (`.asl.json`,
/// `.asl.yaml` and `.asl.yml` end in these too).
pub const DEFINITION_FILE_EXTENSIONS: [&str; 3] = [".json", ".yaml", ".yml"];

/// Framework variable sources: text `${<source>` in a definition file is a variable the
/// framework would have resolved had the file been included with `${file(...)}`.
const VARIABLE_SOURCES: [&str; 12] = [
    "self:",
    "opt:",
    "env:",
    "sls:",
    "param:",
    "file(",
    "ssm:",
    "cf:",
    "cf(",
    "s3:",
    "aws:",
    "strToBool(",
];

/// Whether a `definition` string names a definition file: one line, not blank, ending in
/// `.json`, `.yaml` or `.yml` (lower case, as the framework's `${file()}` reads them).
pub fn is_definition_path(s: &str) -> bool {
    if s.trim().is_empty() || s.contains(['\n', '\r']) {
        return false;
    }
    DEFINITION_FILE_EXTENSIONS
        .iter()
        .any(|e| s.len() > e.len() && s.ends_with(e) && !s.ends_with(&format!("/{e}")))
}

/// slsx's definitions from files: every `stepFunctions.stateMachines.<key>.definition` string
/// that names a `.json` / `.yaml` / `.yml` file (see [`is_definition_path`]) is replaced by
/// the file's content, read relative to the service directory with slsx's YAML loader (JSON
/// for `.json`), so that every later step (and every diagnostic) sees the file's nodes with
/// their own locations. The file is taken literally: it is loaded after variables were
/// resolved and no variable in it is resolved (text that looks like one is reported).
///
/// The plugin has no such feature (it writes the path as a quoted string definition that
/// Step Functions rejects), so this never changes the output of a service the plugin can
/// deploy. Runs only when the step-functions compiler runs.
pub fn load_definition_files(
    config: &mut Node,
    service_dir: &std::path::Path,
    sources: &mut crate::source::SourceMap,
    diags: &mut Diags,
) {
    if !crate::compile::step_functions_enabled(config) {
        return;
    }
    let Some(machines) = config
        .get_mut("stepFunctions")
        .and_then(|s| s.get_mut("stateMachines"))
        .and_then(Node::as_map_mut)
    else {
        return;
    };
    for (key, e) in machines.iter_mut() {
        let Some(def) = e.value.get_mut("definition") else {
            continue;
        };
        let Some(path_text) = def.as_str().filter(|s| is_definition_path(s)) else {
            continue;
        };
        if let Some(loaded) =
            load_definition_file(key, path_text, def.span, service_dir, sources, diags)
        {
            *def = loaded;
        }
    }
}

fn load_definition_file(
    key: &str,
    path_text: &str,
    at: Span,
    service_dir: &std::path::Path,
    sources: &mut crate::source::SourceMap,
    diags: &mut Diags,
) -> Option<Node> {
    // `a/./b` → `a/b`, so that messages show the path tidily even when it does not exist
    let path: std::path::PathBuf = service_dir
        .join(path_text)
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect();
    let shown = crate::config::display_name(&path);
    if !path.is_file() {
        let what = if path.is_dir() {
            "is a directory"
        } else {
            "does not exist"
        };
        diags.push(
            Diag::error(
                &DEFINITION_FILE_NOT_FOUND,
                format!("the definition file of `{key}` ({shown}) {what}"),
            )
            .label(at, "slsx loads a `definition` ending in .json, .yaml or .yml from this path, relative to the service directory")
            .help("fix the path or create the file (write it in JSON or YAML, with `StartAt` and `States`); serverless-step-functions itself would write this text as a quoted string definition that Step Functions rejects"),
        );
        return None;
    }
    let id = match crate::config::read_source(sources, &path, &shown) {
        Ok(id) => id,
        Err(d) => {
            diags.push(d.secondary(at, "the definition file is named here"));
            return None;
        }
    };
    let node = match crate::config::parse(sources, id) {
        Ok(n) => n,
        Err(ds) => {
            diags.extend(ds);
            return None;
        }
    };
    if node.as_map().is_none() {
        let what = if node.is_null() {
            "is empty"
        } else {
            match node.kind {
                Kind::Seq(_) => "holds a list",
                _ => "holds a single value",
            }
        };
        diags.push(
            Diag::error(
                &DEFINITION_FILE_SHAPE,
                format!("the definition file of `{key}` ({shown}) {what}, not a state machine definition"),
            )
            .label(node.span, "expected an object with `StartAt` and `States`")
            .secondary(at, "the definition file is named here")
            .help("write the Amazon States Language definition as one JSON or YAML object"),
        );
        return None;
    }
    warn_variables(&node, &shown, diags);
    Some(node)
}

/// Warns once per string of a definition file that holds text like a framework variable.
fn warn_variables(n: &Node, shown: &str, diags: &mut Diags) {
    match &n.kind {
        Kind::String(s) => {
            let found = s.match_indices("${").find_map(|(i, _)| {
                let rest = s[i + 2..].trim_start();
                VARIABLE_SOURCES
                    .iter()
                    .find(|src| rest.starts_with(*src))
                    .map(|_| i)
            });
            if let Some(i) = found {
                let end = s[i..].find('}').map_or(s.len(), |e| i + e + 1);
                diags.push(
                    Diag::warning(
                        &DEFINITION_FILE_VARIABLE,
                        format!("`{}` in {shown} is kept as written", &s[i..end]),
                    )
                    .label(n.span, "slsx loads definition files without resolving variables")
                    .help("the text reaches the template as written (inside an `Fn::Sub` CloudFormation reads it as one of its own variables); to have the framework resolve variables, include the file with `definition: ${file(<path>)}` instead of naming it"),
                );
            }
        }
        Kind::Map(m) => {
            for v in m.values() {
                warn_variables(v, shown, diags);
            }
        }
        Kind::Seq(items) => {
            for v in items {
                warn_variables(v, shown, diags);
            }
        }
        _ => {}
    }
}

/// The `DefinitionString` property (before `useExactVersion`).
fn definition_string(
    ctx: &Ctx,
    m: &Machine,
    def: &Node,
    opts: &Options,
    t: &Template,
    diags: &mut Diags,
) -> Option<Value> {
    if let Some(s) = def.as_str() {
        diags.push(
            Diag::warning(
                &STRING_DEFINITION,
                format!("the definition of `{}` is a string; the plugin writes it as a quoted JSON string", m.key),
            )
            .label(def.span, "written to DefinitionString as one JSON string literal, with every `\\n` and `\\r` escape deleted")
            .help("Step Functions rejects a quoted definition: write the definition as a YAML object (`StartAt:`, `States:`), or put it in a file and name the file (`definition: ./flows/order.asl.json`)"),
        );
        return Some(Value::String(string_definition(s)));
    }
    let mut def = def.clone();
    if opts.validate {
        add_default_query_language(&mut def);
    }
    if m.is_true("configureTaskTimeouts") {
        configure_task_timeouts(ctx, m, &mut def, diags);
    }
    let mut mappings = Vec::new();
    extract_intrinsics(&mut def, &mut mappings);
    let json = def.to_json();
    // the replacement only turns `#{` into `${`, so the JSON text stays valid
    let (replaced, json) = match replace_pseudo_parameters(&to_compact(&json))
        .and_then(|text| serde_json::from_str::<Value>(&text).ok())
    {
        Some(v) => (true, v),
        None => (false, json),
    };
    let text = to_pretty(&json, 2);
    if mappings.is_empty() {
        return Some(if replaced {
            js::obj([("Fn::Sub", Value::String(text))])
        } else {
            Value::String(text)
        });
    }
    let mut text = text;
    for mp in mappings.iter().filter(|mp| mp.raw) {
        let quoted = format!("\"${{{}}}\"", mp.name);
        text = text.replace(&quoted, &format!("${{{}}}", mp.name));
    }
    let mut params = Map::new();
    for mp in &mappings {
        // GetAtt forms the plugin cannot destructure were reported by `check_getatts`
        let translated = super::translate_local_function_names(ctx, t, &mp.value)
            .unwrap_or_else(|_| mp.value.clone());
        match super::resolve_lambda_function_name(ctx, &translated) {
            Some(name) => {
                text = js::replace_all(
                    &text,
                    &format!("${{{}}}", mp.name),
                    &super::static_lambda_arn(&name),
                );
            }
            None => {
                params.insert(mp.name.clone(), translated);
            }
        }
    }
    Some(if params.is_empty() {
        js::obj([("Fn::Sub", Value::String(text))])
    } else {
        js::obj([(
            "Fn::Sub",
            Value::Array(vec![Value::String(text), Value::Object(params)]),
        )])
    })
}

/// `JSON.stringify(s).replace(/\\n|\\r|\\n\\r/g, '')`: the string as a JSON literal, with
/// every two-character `\n` / `\r` sequence of that text deleted.
pub fn string_definition(s: &str) -> String {
    let quoted = to_compact(&Value::String(s.to_string()));
    let mut out = String::with_capacity(quoted.len());
    let mut chars = quoted.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && matches!(chars.peek(), Some('n') | Some('r')) {
            chars.next();
            continue;
        }
        out.push(c);
    }
    out
}

/// Replaces every intrinsic (depth first, in key order) by `${md5(compact JSON)}`, the way
/// the plugin's `getIntrinsicFunctions` does; a Wait state's intrinsic `Seconds` is marked
/// raw.
fn extract_intrinsics(node: &mut Node, out: &mut Vec<Mapping>) {
    fn take(value: &mut Node, raw: bool, out: &mut Vec<Mapping>) {
        let json = value.to_json();
        let name = js::md5_hex(&to_compact(&json));
        *value = Node::string(value.span, format!("${{{name}}}"));
        out.push(Mapping {
            name,
            value: json,
            raw,
        });
    }
    fn visit(value: &mut Node, raw: bool, out: &mut Vec<Mapping>) {
        if value.is_intrinsic() {
            take(value, raw, out);
            return;
        }
        match &mut value.kind {
            Kind::Seq(items) => {
                for el in items.iter_mut() {
                    if el.is_intrinsic() {
                        take(el, false, out);
                    } else {
                        extract_intrinsics(el, out);
                    }
                }
            }
            Kind::Map(_) => extract_intrinsics(value, out),
            _ => {}
        }
    }
    match &mut node.kind {
        Kind::Map(m) => {
            let is_wait = m.get("Type").and_then(Node::as_str) == Some("Wait");
            for (k, e) in m.iter_mut() {
                visit(&mut e.value, is_wait && k == "Seconds", out);
            }
        }
        Kind::Seq(items) => {
            for el in items.iter_mut() {
                visit(el, false, out);
            }
        }
        _ => {}
    }
}

/// `text.replace(/#{([^}]+)}/g, '${$1}')`, or `None` when nothing matches.
pub fn replace_pseudo_parameters(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut any = false;
    while let Some(at) = rest.find("#{") {
        let after = &rest[at + 2..];
        match after.find('}') {
            Some(end) if end > 0 => {
                any = true;
                out.push_str(&rest[..at]);
                out.push_str("${");
                out.push_str(&after[..end]);
                out.push('}');
                rest = &after[end + 1..];
            }
            _ => {
                // no match at this `#`: move past it
                out.push_str(&rest[..at + 1]);
                rest = &rest[at + 1..];
            }
        }
    }
    out.push_str(rest);
    any.then_some(out)
}

// ---------------------------------------------------------------------------------------------
// configureTaskTimeouts (§1.6)

/// The Serverless Framework's default function timeout.
const DEFAULT_TIMEOUT: f64 = 6.0;

fn configure_task_timeouts(ctx: &Ctx, m: &Machine, def: &mut Node, diags: &mut Diags) {
    let fallback = ctx
        .provider_at(&["timeout"])
        .and_then(Node::as_f64)
        .unwrap_or(DEFAULT_TIMEOUT);
    if !def.get("States").is_some_and(Node::is_truthy) {
        return;
    }
    if let Some(states) = def.get_mut("States") {
        timeouts_in(ctx, m, states, fallback, diags);
    }
}

fn timeouts_in(ctx: &Ctx, m: &Machine, states: &mut Node, fallback: f64, diags: &mut Diags) {
    let entries: Vec<&mut Node> = match &mut states.kind {
        Kind::Map(map) => map.values_mut().collect(),
        Kind::Seq(v) => v.iter_mut().collect(),
        _ => return,
    };
    for state in entries {
        let ty = state.get("Type").and_then(Node::as_str).map(str::to_string);
        match ty.as_deref() {
            Some("Task") => task_timeout(ctx, m, state, fallback, diags),
            Some("Parallel") => {
                if let Some(Kind::Seq(branches)) = state.get_mut("Branches").map(|b| &mut b.kind) {
                    for b in branches.iter_mut() {
                        if b.is_truthy()
                            && let Some(s) = b.get_mut("States")
                        {
                            timeouts_in(ctx, m, s, fallback, diags);
                        }
                    }
                }
            }
            Some("Map") => {
                let wrapper = if state.get("ItemProcessor").is_some_and(Node::is_truthy) {
                    "ItemProcessor"
                } else if state.get("Iterator").is_some_and(Node::is_truthy) {
                    "Iterator"
                } else {
                    continue;
                };
                if let Some(s) = state.get_mut(wrapper).and_then(|w| w.get_mut("States")) {
                    timeouts_in(ctx, m, s, fallback, diags);
                }
            }
            _ => {}
        }
    }
}

/// The function key a Task invokes, as `configureTaskTimeouts` finds it.
fn task_function_key(ctx: &Ctx, state: &Node) -> Option<String> {
    let resource = state.get("Resource");
    let target = match resource.and_then(Node::as_str) {
        Some(r) if r.starts_with("arn:aws:states:::lambda:invoke") => {
            state.get("Parameters").and_then(|p| p.get("FunctionName"))
        }
        _ => resource,
    }?;
    target.as_map()?;
    let id = match target.get("Ref").and_then(Node::as_str) {
        Some(r) => r,
        None => target.get("Fn::GetAtt")?.as_seq()?.first()?.as_str()?,
    };
    if ctx.function(id).is_some() {
        return Some(id.to_string());
    }
    // `logicalIdToKey`: the last function with that logical ID wins
    ctx.function_by_lambda_id(id, true).map(str::to_string)
}

fn task_timeout(ctx: &Ctx, m: &Machine, state: &mut Node, fallback: f64, diags: &mut Diags) {
    let Some(key) = task_function_key(ctx, state) else {
        return;
    };
    // The framework's compileFunctions runs first and sets a falsy function `timeout` to
    // `provider.timeout || 6`; the plugin then takes a numeric `timeout`, else `fallback`.
    let lambda_timeout = match ctx
        .function(&key)
        .and_then(|f| f.get("timeout"))
        .filter(|n| n.is_truthy())
        .or_else(|| ctx.provider_at(&["timeout"]).filter(|n| n.is_truthy()))
    {
        Some(n) => n.as_f64().unwrap_or(fallback),
        None => DEFAULT_TIMEOUT,
    };
    let has_timeout =
        state.get("TimeoutSeconds").is_some() || state.get("TimeoutSecondsPath").is_some();
    if !has_timeout {
        let span = state.span;
        if let Some(map) = state.as_map_mut() {
            map.insert(
                "TimeoutSeconds",
                Span::NONE,
                Node::new(span, Kind::Number(lambda_timeout)),
            );
        }
        return;
    }
    if let Some(ts) = state.get("TimeoutSeconds")
        && let Some(x) = ts.as_f64()
        && x > lambda_timeout
    {
        let fmt = crate::emit::json::js_number;
        diags.push(
            Diag::warning(
                &TASK_TIMEOUT,
                format!(
                    "in state machine `{}`, TimeoutSeconds ({}s) is greater than the timeout of Lambda function `{key}` ({}s)",
                    m.key,
                    fmt(x),
                    fmt(lambda_timeout)
                ),
            )
            .label(ts.span, "the Lambda function fails before this state-level timeout fires")
            .help(format!("lower TimeoutSeconds to at most {}, or raise the function's `timeout`", fmt(lambda_timeout))),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// useExactVersion (§1.5)

/// Points every map entry that references a local function at its version (and at a
/// layer-aware clone of that version when the function has layers).
fn use_exact_version(ds: &mut Value, t: &mut Template) {
    let Some(sub) = ds.get_mut("Fn::Sub") else {
        return;
    };
    if !js::truthy(Some(sub)) {
        return;
    }
    if !sub.is_array() {
        *sub = Value::Array(vec![sub.clone(), Value::Object(Map::new())]);
    }
    let Some(items) = sub.as_array_mut() else {
        return;
    };
    if items.len() < 2 {
        items.resize(2, Value::Null);
    }
    let params = match &items[1] {
        Value::Object(p) => p.clone(),
        _ => Map::new(),
    };
    let mut converted = Map::new();
    for (k, v) in params {
        let v = convert_to_function_version(&v, t);
        let v = layer_aware_version(v, t);
        converted.insert(k, v);
    }
    items[1] = Value::Object(converted);
}

fn resource_type<'a>(t: &'a Template, id: &str) -> Option<std::borrow::Cow<'a, str>> {
    t.resources().str_at(id, &["Type"])
}

/// `convertToFunctionVersion`.
fn convert_to_function_version(v: &Value, t: &Template) -> Value {
    let target = if let Some(r) = v.get("Ref") {
        r.as_str()
    } else if let Some(g) = v.get("Fn::GetAtt") {
        match g {
            Value::Array(a) => a.first().and_then(Value::as_str),
            _ => None,
        }
    } else {
        None
    };
    let Some(f) = target else {
        return v.clone();
    };
    if resource_type(t, f).as_deref() != Some("AWS::Lambda::Function") {
        return v.clone();
    }
    let res = t.resources();
    let version = res.iter_str_at(&["Type"]).find(|(id, ty)| {
        ty.as_deref() == Some("AWS::Lambda::Version")
            && res
                .str_at(id, &["Properties", "FunctionName", "Ref"])
                .as_deref()
                == Some(f)
    });
    match version {
        Some((id, _)) => js::obj([("Ref", Value::String(id.clone()))]),
        None => v.clone(),
    }
}

/// The layer-hash-aware version clone `V + "L" + md5(sorted layers)[0..8]`.
fn layer_aware_version(v: Value, t: &mut Template) -> Value {
    let Some(vid) = v.get("Ref").and_then(Value::as_str).map(str::to_string) else {
        return v;
    };
    let Some(version) = t.resources().get(&vid).map(std::borrow::Cow::into_owned) else {
        return v;
    };
    if version.get("Type").and_then(Value::as_str) != Some("AWS::Lambda::Version") {
        return v;
    }
    let Some(fid) = version
        .pointer("/Properties/FunctionName/Ref")
        .filter(|x| js::truthy(Some(x)))
        .map(js::to_js_string)
    else {
        return v;
    };
    let layers = t
        .resources()
        .pointer(&fid, "/Properties/Layers")
        .and_then(|l| l.as_array().cloned())
        .unwrap_or_default();
    if layers.is_empty() {
        return v;
    }
    let mut refs: Vec<String> = layers
        .iter()
        .map(|l| match l {
            Value::String(s) => s.clone(),
            other => to_compact(other),
        })
        .collect();
    refs.sort_by(|a, b| js::cmp_utf16(a, b));
    let hash = js::md5_hex(&refs.join(","));
    let id = super::naming::layer_aware_version_logical_id(&vid, &hash[..8]);
    if !t.has_resource(&id) {
        t.resources_mut().insert(id.clone(), version);
    }
    js::obj([("Ref", Value::String(id))])
}

// ---------------------------------------------------------------------------------------------
// The resource (§1.2)

/// `toTags`: `[{Key, Value: (v || '').toString()}]` over an object's entries.
fn to_tags(n: Option<&Node>) -> Vec<Value> {
    let Some(n) = n.filter(|n| n.is_truthy()) else {
        return Vec::new();
    };
    let value = |v: &Node| {
        Value::String(if v.is_truthy() {
            crate::yaml::js_to_string(v)
        } else {
            String::new()
        })
    };
    match &n.kind {
        Kind::Map(m) => m
            .iter()
            .map(|(k, e)| {
                js::obj([
                    ("Key", Value::String(k.to_string())),
                    ("Value", value(&e.value)),
                ])
            })
            .collect(),
        Kind::Seq(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| js::obj([("Key", Value::from(i)), ("Value", value(v))]))
            .collect(),
        _ => Vec::new(),
    }
}

fn machine_resource(ctx: &Ctx, m: &Machine, definition_string: Value) -> Value {
    let mut props = Map::new();
    props.insert("DefinitionString".into(), definition_string);
    let mut depends_on: Vec<Value> = Vec::new();
    match m.get("role").filter(|r| r.is_truthy()) {
        Some(role) => {
            props.insert("RoleArn".into(), role.to_json());
        }
        None => {
            let role_id = super::naming::state_machine_role_logical_id(&m.logical_id);
            props.insert(
                "RoleArn".into(),
                js::obj([(
                    "Fn::GetAtt",
                    Value::Array(vec![Value::String(role_id.clone()), Value::from("Arn")]),
                )]),
            );
            depends_on.push(Value::String(role_id));
        }
    }
    if let Some(d) = m.get("dependsOn").filter(|d| d.is_truthy()) {
        match d.as_seq() {
            Some(items) => depends_on.extend(items.iter().map(Node::to_json)),
            None => depends_on.push(d.to_json()),
        }
    }
    if let Some(ty) = m.get("type") {
        props.insert("StateMachineType".into(), ty.to_json());
    }
    if let Some(l) = m.get("loggingConfig").filter(|l| l.is_truthy()) {
        let level = l
            .get("level")
            .map(Node::to_json)
            .unwrap_or_else(|| Value::from("OFF"));
        let include = l
            .get("includeExecutionData")
            .and_then(joi_bool)
            .unwrap_or(false);
        let mut lc = Map::new();
        lc.insert("Level".into(), level);
        lc.insert("IncludeExecutionData".into(), Value::Bool(include));
        if let Some(dest) = l.get("destinations").and_then(Node::as_seq)
            && !dest.is_empty()
        {
            lc.insert(
                "Destinations".into(),
                Value::Array(
                    dest.iter()
                        .map(|d| {
                            js::obj([(
                                "CloudWatchLogsLogGroup",
                                js::obj([("LogGroupArn", d.to_json())]),
                            )])
                        })
                        .collect(),
                ),
            );
        }
        props.insert("LoggingConfiguration".into(), Value::Object(lc));
    }
    if let Some(tc) = m.get("tracingConfig").filter(|l| l.is_truthy()) {
        let enabled = tc.get("enabled").and_then(joi_bool).unwrap_or(false);
        props.insert(
            "TracingConfiguration".into(),
            js::obj([("Enabled", Value::Bool(enabled))]),
        );
    }
    if let Some(ec) = m.get("encryptionConfig").filter(|l| l.is_truthy()) {
        let period = ec
            .get("KmsDataKeyReusePeriodSeconds")
            .and_then(joi_number)
            .unwrap_or(900.0);
        let key = ec
            .get("KmsKeyId")
            .map(Node::to_json)
            .unwrap_or_else(|| Value::from(""));
        let ty = ec
            .get("Type")
            .map(Node::to_json)
            .unwrap_or_else(|| Value::from("AWS_OWNED_KEY"));
        props.insert(
            "EncryptionConfiguration".into(),
            js::obj([
                (
                    "KmsDataKeyReusePeriodSeconds",
                    crate::yaml::number_to_json(period),
                ),
                ("KmsKeyId", js::obj([("Fn::Sub", key)])),
                ("Type", ty),
            ]),
        );
    }
    let mut tags = if m.get("inheritGlobalTags").and_then(Node::as_bool) == Some(false) {
        Vec::new()
    } else {
        to_tags(ctx.provider_at(&["tags"]))
    };
    tags.extend(to_tags(m.get("tags")));
    if !tags.is_empty() {
        props.insert("Tags".into(), Value::Array(tags));
    }
    if let Some(name) = m.get("name").filter(|n| n.is_truthy()) {
        props.insert("StateMachineName".into(), name.to_json());
    }
    let mut r = Map::new();
    r.insert(
        "Type".into(),
        Value::from("AWS::StepFunctions::StateMachine"),
    );
    r.insert("Properties".into(), Value::Object(props));
    r.insert("DependsOn".into(), Value::Array(depends_on));
    if m.truthy("retain") {
        r.insert("DeletionPolicy".into(), Value::from("Retain"));
    }
    Value::Object(r)
}

/// Options the schema accepts as strings but the plugin then reads raw.
fn warn_quoted_booleans(m: &Machine, diags: &mut Diags) {
    for key in [
        "retain",
        "useExactVersion",
        "configureTaskTimeouts",
        "inheritGlobalTags",
    ] {
        let Some(v) = m.get(key) else { continue };
        let (Some(s), Some(b)) = (v.as_str(), joi_bool(v)) else {
            continue;
        };
        let raw = match key {
            "retain" => v.is_truthy(),
            "inheritGlobalTags" => true,
            _ => false,
        };
        if raw != b {
            let effect = match key {
                "retain" => {
                    "the plugin still adds `DeletionPolicy: Retain` (any non-empty string is true)"
                }
                "inheritGlobalTags" => {
                    "the plugin still copies `provider.tags` (only the boolean `false` turns it off)"
                }
                _ => "the plugin ignores it (only the boolean `true` turns it on)",
            };
            diags.push(
                Diag::warning(
                    &QUOTED_BOOLEAN,
                    format!("`{}.{key}` is the string \"{s}\", not a boolean", m.key),
                )
                .label(v.span, effect)
                .help(format!("write `{key}: {b}` without quotes")),
            );
        }
    }
}

/// What `asl-validator` does to the definition it validates: every state of every `States`
/// object (anywhere) without a truthy `QueryLanguage` gets the definition's `QueryLanguage`
/// (default `JSONPath`), as its last key. The plugin then writes that definition.
fn add_default_query_language(def: &mut Node) {
    let default = match def.get("QueryLanguage") {
        Some(q) if !q.is_null() => q.clone(),
        _ => Node::string(Span::NONE, "JSONPath"),
    };
    fn walk(n: &mut Node, default: &Node) {
        match &mut n.kind {
            Kind::Map(m) => {
                for (k, e) in m.iter_mut() {
                    if k == "States" {
                        let states: Vec<&mut Node> = match &mut e.value.kind {
                            Kind::Map(sm) => sm.values_mut().collect(),
                            Kind::Seq(v) => v.iter_mut().collect(),
                            _ => Vec::new(),
                        };
                        for s in states {
                            if let Some(sm) = s.as_map_mut()
                                && !sm.get("QueryLanguage").is_some_and(Node::is_truthy)
                            {
                                let mut v = default.clone();
                                v.span = Span::NONE;
                                sm.insert("QueryLanguage", Span::NONE, v);
                            }
                        }
                    }
                    walk(&mut e.value, default);
                }
            }
            Kind::Seq(v) => {
                for x in v.iter_mut() {
                    walk(x, default);
                }
            }
            _ => {}
        }
    }
    walk(def, &default);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_definitions() {
        assert_eq!(string_definition("a\nb"), "\"ab\"");
        assert_eq!(string_definition("a\tb\r\nc"), "\"a\\tbc\"");
        // a literal backslash-n: `\\n` in JSON, of which the regex deletes `\n`
        assert_eq!(string_definition("a\\nb"), "\"a\\b\"");
    }

    #[test]
    fn definition_paths() {
        for p in [
            "./flows/order.asl.json",
            "flows/a.asl.yaml",
            "a.yml",
            "/abs/x.json",
            "x y.yaml",
        ] {
            assert!(is_definition_path(p), "{p}");
        }
        for p in [
            "",
            "  ",
            ".json",
            "a/.json",
            "flows/order.asl",
            "x.JSON",
            "a.json\n",
            "{\"StartAt\": \"x.json\"}\n",
            "states.json.bak",
        ] {
            assert!(!is_definition_path(p), "{p:?}");
        }
    }

    #[test]
    fn pseudo_parameters() {
        assert_eq!(replace_pseudo_parameters("x"), None);
        assert_eq!(
            replace_pseudo_parameters("a#{AWS::Region}b#{Custom.Value}").as_deref(),
            Some("a${AWS::Region}b${Custom.Value}")
        );
        assert_eq!(replace_pseudo_parameters("#{}x").as_deref(), None);
        assert_eq!(
            replace_pseudo_parameters("##{#{a}").as_deref(),
            Some("#${#{a}")
        );
    }

    fn load(text: &str) -> Node {
        crate::yaml::load(
            crate::source::FileId(0),
            text,
            crate::yaml::LoadOptions::default(),
        )
        .expect("yaml")
    }

    #[test]
    fn intrinsics_extracted_depth_first() {
        let mut n = load(
            "States:\n  W:\n    Type: Wait\n    Seconds: !Ref S\n  P:\n    Parameters:\n      l: [a, !Ref S, {x: !GetAtt hello.Arn}]\n",
        );
        let mut out = Vec::new();
        extract_intrinsics(&mut n, &mut out);
        let names: Vec<&str> = out.iter().map(|m| m.name.as_str()).collect();
        let s = js::md5_hex("{\"Ref\":\"S\"}");
        assert_eq!(
            names,
            [s.as_str(), s.as_str(), "d9c520373cb4d5c2b85bd6ec0e3422d7"]
        );
        assert_eq!(out.len(), 3);
        assert!(out[0].raw, "Wait Seconds is raw");
        assert!(!out[1].raw, "array elements never are");
        assert_eq!(
            n.at(&["States", "P", "Parameters", "l", "2", "x"])
                .and_then(Node::as_str),
            Some("${d9c520373cb4d5c2b85bd6ec0e3422d7}")
        );
    }

    #[test]
    fn query_language_added() {
        let mut d = load(
            "StartAt: A\nStates:\n  A: {Type: Pass, End: true, QueryLanguage: JSONata}\n  B:\n    Type: Map\n    ItemProcessor:\n      States:\n        C: {Type: Pass}\n",
        );
        add_default_query_language(&mut d);
        let ql = |path: &[&str]| d.at(path).and_then(Node::as_str).map(str::to_string);
        assert_eq!(
            ql(&["States", "A", "QueryLanguage"]).as_deref(),
            Some("JSONata")
        );
        assert_eq!(
            ql(&["States", "B", "QueryLanguage"]).as_deref(),
            Some("JSONPath")
        );
        assert_eq!(
            ql(&[
                "States",
                "B",
                "ItemProcessor",
                "States",
                "C",
                "QueryLanguage"
            ])
            .as_deref(),
            Some("JSONPath")
        );
    }
}

#[cfg(test)]
mod exact_version_tests {
    use super::*;
    use serde_json::json;

    /// The function and version resources of the oracle example `definition-forms`.
    fn template() -> Template {
        let mut t = Template::new();
        let r = t.resources_mut();
        r.insert(
            "HelloLambdaFunction".into(),
            json!({"Type": "AWS::Lambda::Function", "Properties": {}}),
        );
        r.insert(
            "LayeredLambdaFunction".into(),
            json!({"Type": "AWS::Lambda::Function", "Properties": {"Layers": [
                "arn:aws:lambda:eu-west-1:123456789012:layer:shared:3", {"Ref": "SharedLayer"}
            ]}}),
        );
        r.insert(
            "HelloLambdaVersionCtmIENhDQ0zX2xp5pfe6zOJbaNeClpJkXxJsR01HY".into(),
            json!({"Type": "AWS::Lambda::Version", "Properties": {"FunctionName": {"Ref": "HelloLambdaFunction"}}}),
        );
        r.insert(
            "LayeredLambdaVersionvpqI4CfXaPC2orzqjX97PnxhGu5ZwRFuffGk2T7a8".into(),
            json!({"Type": "AWS::Lambda::Version", "Properties": {"FunctionName": {"Ref": "LayeredLambdaFunction"}}}),
        );
        t
    }

    #[test]
    fn versions_and_layer_aware_clone() {
        let mut t = template();
        let mut ds = json!({"Fn::Sub": ["text", {
            "a": {"Fn::GetAtt": ["HelloLambdaFunction", "Arn"]},
            "b": {"Fn::GetAtt": ["LayeredLambdaFunction", "Arn"]},
            "c": {"Ref": "Topic"}
        }]});
        use_exact_version(&mut ds, &mut t);
        let clone = "LayeredLambdaVersionvpqI4CfXaPC2orzqjX97PnxhGu5ZwRFuffGk2T7a8Lcf1564ef";
        assert_eq!(
            ds,
            json!({"Fn::Sub": ["text", {
                "a": {"Ref": "HelloLambdaVersionCtmIENhDQ0zX2xp5pfe6zOJbaNeClpJkXxJsR01HY"},
                "b": {"Ref": clone},
                "c": {"Ref": "Topic"}
            }]})
        );
        assert_eq!(
            t.resources().keys().next_back().map(String::as_str),
            Some(clone)
        );
        assert_eq!(
            t.resources().get(clone),
            t.resources()
                .get("LayeredLambdaVersionvpqI4CfXaPC2orzqjX97PnxhGu5ZwRFuffGk2T7a8")
        );
    }

    #[test]
    fn string_sub_gets_an_empty_map() {
        let mut t = template();
        let mut ds = json!({"Fn::Sub": "text"});
        use_exact_version(&mut ds, &mut t);
        assert_eq!(ds, json!({"Fn::Sub": ["text", {}]}));
        let mut plain = json!("text");
        use_exact_version(&mut plain, &mut t);
        assert_eq!(plain, json!("text"));
    }
}
