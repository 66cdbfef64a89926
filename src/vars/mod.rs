//! Serverless v3 variables: `${source:address, fallback}` resolution over the spanned tree
//! (`serverless-core.md` §1, §2; issue #2).
//!
//! - [`parse`]: the framework's character state machine for one string (grammar, escapes,
//!   quirks, error texts).
//! - [`resolve`]: the engine (property metadata, source chains, fallbacks, whole-value vs
//!   interpolation, re-parsing, `self` dependencies and cycles, depth limits, caching).
//! - [`sources`]: one file per source; offline sources take values from `--var` /
//!   `--vars-file`.
//! - [`dotenv`]: `useDotenv` (dotenv 16 + dotenv-expand 10).
//!
//! [`resolve()`] runs the framework's phases (§1.4) in order, so the same properties end up
//! resolved, pending or inaccessible as with `sls package`; unlike the framework it goes on
//! after a phase with errors (when later phases cannot be misled by them) and reports every
//! error, each located at the variable that failed.
//!
//! ## Sources slsx cannot reach
//!
//! `cf`, `s3`, `ssm` and `aws:accountId` need AWS, and plugin sources need the plugin; slsx
//! calls neither. Their values are supplied instead, and used exactly as the source's result
//! (a whole-value variable keeps the type, text is parsed again for variables, `null` lets the
//! fallback apply):
//!
//! - `--var 'source:address=value'` (repeatable): the key is split at the first `=`, the value
//!   is always a **string**, which is what `cf`, `s3`, `ssm` (String parameters) and
//!   `aws:accountId` return — parsing it as YAML/JSON would turn an account id into a number;
//! - `--vars-file FILE` (repeatable): a YAML or JSON mapping `"source:address": value` with
//!   values of any type (a StringList parameter as a list, a JSON SecureString as an object).
//!
//! A key may carry the params (`ssm(eu-west-1, raw):/p`, spaces ignored); a lookup tries that
//! form first, then `source:address`. Without a value the variable is an error that says so
//! (fallbacks do not apply, as with the framework's own "no credentials" error). Supplying a
//! value does not change the phase rules: `service: ${ssm:/name}` stays inaccessible.

pub mod dotenv;
pub mod parse;
pub mod resolve;
pub mod sources;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use indexmap::IndexMap;

use crate::declare_codes;
use crate::diagnostics::{Diag, Diags};
use crate::source::{SourceMap, Span};
use crate::yaml::{self, Kind, LoadOptions, Node, js_to_string};
use resolve::{ELabel, ErrId, Resolver, SourceData, VErr, VMeta, VarState};

declare_codes! { CODES;
    NOT_FOUND = "slsx::vars::not-found", "A variable resolved to nothing (null or missing) and has no fallback left.";
    SYNTAX = "slsx::vars::syntax", "A string holds a malformed variable (or a resolved value does).";
    CIRCULAR = "slsx::vars::circular", "Properties refer to each other (or to themselves) through `${self:…}`.";
    NON_STRING = "slsx::vars::non-string-interpolation", "A variable inside a longer string resolved to an object or null, which cannot be turned into text.";
    DEPTH = "slsx::vars::depth", "Resolved values keep containing variables beyond the framework's depth limit of 10.";
    ADDRESS = "slsx::vars::address", "A source got a missing, unsupported or non-string address.";
    FILE = "slsx::vars::file", "A `${file(...)}` include cannot be read or parsed (or needs Node).";
    FILE_TEXT = "slsx::vars::file-text", "A `${file(...)}` of a TypeScript/ES module file is read as plain text, as the framework does.";
    STR_TO_BOOL = "slsx::vars::str-to-bool", "`${strToBool(...)}` got no input or text other than true/false/1/0.";
    PARAM = "slsx::vars::param", "A `--param` option is malformed, or `${param:}` has no name.";
    OFFLINE = "slsx::vars::offline-source", "A source that needs AWS (cf, s3, ssm, aws:accountId) or a plugin has no supplied value; slsx never calls AWS.";
    UNKNOWN_SOURCE = "slsx::vars::unknown-source", "A variable names a source type the framework does not know.";
    INACCESSIBLE = "slsx::vars::inaccessible", "A property the framework needs early depends on a variable it can only resolve later.";
    DOTENV = "slsx::vars::dotenv", "A `.env` file cannot be loaded, or defines a variable that decides which `.env` file is loaded.";
    VAR_OPTION = "slsx::vars::var-option", "A `--var` or `--vars-file` entry is malformed.";
    LOOKALIKE = "slsx::vars::not-a-variable", "Text that looks like a variable (`${Self:x}`, `${ self:x}`) but is not one, so it stays in the output as written.";
    UNRESOLVED = "slsx::vars::unresolved", "A variable could not be resolved for a reason other than the ones above.";
    TOO_MANY = "slsx::vars::too-many", "The configuration holds more values with variables than slsx resolves (100,000; YAML aliases that copy a variable multiply them).";
    TOO_LARGE = "slsx::vars::too-large", "Variables copy more than 64 MiB of values into the configuration (a file that includes itself, a large value referenced from every copy of an alias).";
}

/// The most values with variables one configuration may hold (aliases counted per copy).
/// A service of 1,000 functions and 1,000 state machines has about 1,300; each one costs
/// time and memory to resolve, and aliases can copy one a million times within the node
/// budget.
pub const MAX_VARIABLE_VALUES: usize = 100_000;

/// What the resolver reads besides the config.
pub struct VarsInput<'a> {
    /// The service directory (`${file(...)}` paths are relative to it).
    pub service_dir: &'a Path,
    pub options: &'a crate::Options,
    /// The process environment (before `useDotenv`).
    pub env: &'a HashMap<String, String>,
    /// Value of `${sls:instanceId}`.
    pub instance_id: &'a str,
}

/// Which sources exist and which are "fulfilled" (a null result is final) in the current phase.
#[derive(Clone, Debug, Default)]
pub struct Phase {
    pub env_fulfilled: bool,
    pub opt_fulfilled: bool,
    /// `${sls:instanceId}` available (the Serverless instance exists).
    pub instance: bool,
    pub param: bool,
    /// cf, s3, ssm, aws
    pub aws: bool,
    /// Plugin sources (types supplied with `--var` / `--vars-file`).
    pub plugins: bool,
}

impl Phase {
    pub fn has(&self, ty: &str, supplied: &Supplied) -> bool {
        match ty {
            "env" | "file" | "opt" | "self" | "strToBool" | "sls" => true,
            "param" => self.param,
            "cf" | "s3" | "ssm" | "aws" => self.aws,
            other => self.plugins && supplied.types.contains(other),
        }
    }
}

/// Values given for sources slsx cannot reach (`--var`, `--vars-file`).
#[derive(Clone, Debug, Default)]
pub struct Supplied {
    values: IndexMap<String, Node>,
    types: HashSet<String>,
}

impl Supplied {
    /// The value for `ty(params):address`, else `ty:address`.
    pub fn lookup(&self, ty: &str, params: Option<&[Node]>, address: &str) -> Option<&Node> {
        if let Some(ps) = params.filter(|p| !p.is_empty()) {
            let joined: Vec<String> = ps.iter().map(js_to_string).collect();
            let k = format!("{ty}({}):{address}", joined.join(","));
            if let Some(v) = self.values.get(&k) {
                return Some(v);
            }
        }
        self.values.get(&format!("{ty}:{address}"))
    }

    fn insert(&mut self, key: String, value: Node) {
        if let Some(ty) = key_type(&key) {
            self.types.insert(ty.to_string());
        }
        self.values.insert(key, value);
    }
}

/// The source type of a `--var` key (`ssm:/x`, `cf(eu-west-1):s.O`).
fn key_type(key: &str) -> Option<&str> {
    let end = key.find([':', '('])?;
    Some(&key[..end])
}

/// Checks a `--var` key and normalises its params (spaces removed): `Err` explains.
fn normalize_key(key: &str) -> Result<String, String> {
    let Some(ty) = key_type(key) else {
        return Err(format!(
            "`{key}` has no source: write `source:address`, e.g. `ssm:/app/db-host`"
        ));
    };
    let tb = ty.as_bytes();
    if tb.is_empty() || !tb[0].is_ascii_lowercase() || !tb.iter().all(|c| c.is_ascii_alphanumeric())
    {
        return Err(format!("`{ty}` is not a variable source type"));
    }
    if sources::LOCAL.contains(&ty) {
        return Err(format!(
            "`{ty}` values are resolved by slsx itself; --var supplies sources slsx cannot reach (cf, s3, ssm, aws:accountId, plugin sources)"
        ));
    }
    let rest = &key[ty.len()..];
    if let Some(inner) = rest.strip_prefix('(') {
        let Some(close) = inner.find(')') else {
            return Err(format!("`{key}`: unclosed `(`"));
        };
        let params: String = inner[..close].chars().filter(|c| *c != ' ').collect();
        let after = &inner[close + 1..];
        let Some(address) = after.strip_prefix(':') else {
            return Err(format!("`{key}`: expected `:` after the params"));
        };
        return Ok(format!("{ty}({params}):{address}"));
    }
    Ok(key.to_string())
}

fn load_supplied(input: &VarsInput, sources: &mut SourceMap, diags: &mut Vec<Diag>) -> Supplied {
    let mut s = Supplied::default();
    for item in &input.options.vars {
        let Some((key, value)) = item.split_once('=') else {
            diags.push(
                Diag::error(
                    &VAR_OPTION,
                    format!("`--var {item}` has no value: write `--var 'source:address=value'`"),
                )
                .help("e.g. `--var 'ssm:/app/db-host=db.example.com'` or `--var 'aws:accountId=123456789012'`"),
            );
            continue;
        };
        match normalize_key(key) {
            Ok(k) => s.insert(k, Node::string(Span::NONE, value)),
            Err(msg) => diags.push(
                Diag::error(&VAR_OPTION, format!("invalid `--var {item}`: {msg}"))
                    .help("write `--var 'source:address=value'`, e.g. `--var 'cf:my-stack.ApiUrl=https://…'`"),
            ),
        }
    }
    for file in &input.options.vars_files {
        let name = crate::config::display_name(file);
        let text = match std::fs::read(file) {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(e) => {
                diags.push(
                    Diag::error(
                        &VAR_OPTION,
                        format!("cannot read `--vars-file {name}`: {e}"),
                    )
                    .help("pass a YAML or JSON file mapping `\"source:address\"` to values"),
                );
                continue;
            }
        };
        let id = sources.add(name.clone(), file, text.as_str());
        let json = file.extension().and_then(|e| e.to_str()) == Some("json");
        let root = match yaml::load(
            id,
            &text,
            LoadOptions {
                json,
                ..LoadOptions::default()
            },
        ) {
            Ok(n) => n,
            Err(ds) => {
                diags.extend(ds);
                continue;
            }
        };
        let Some(map) = root.as_map() else {
            if !root.is_null() {
                diags.push(
                    Diag::error(
                        &VAR_OPTION,
                        format!("`{name}` must map `\"source:address\"` keys to values"),
                    )
                    .label(root.span, format!("this is {}", sources::article(&root)))
                    .help("e.g. `\"ssm:/app/db-host\": db.example.com`"),
                );
            }
            continue;
        };
        for (k, e) in map.iter() {
            match normalize_key(k) {
                Ok(nk) => s.insert(nk, e.value.clone()),
                Err(msg) => diags.push(
                    Diag::error(&VAR_OPTION, format!("invalid key in `{name}`: {msg}"))
                        .label(e.key_span, "not a `source:address` key")
                        .help("keys are written like the variable without `${}`: `ssm:/path`, `cf:stack.Output`, `aws:accountId`"),
                ),
            }
        }
    }
    s
}

/// What the resolution leaves besides the resolved tree.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Resolution {
    /// `provider.region` as it stood when the framework loaded its plugins: after the phase
    /// of the sources that exist before the Serverless instance, before `${param:}`, `${opt:}`
    /// fallbacks and the AWS sources. serverless-step-functions reads the region in its
    /// constructor (`provider.getRegion()`), so a region that still holds a variable then is
    /// the variable's text in what it writes later (the alarms' descriptions). `None` when
    /// resolution stopped before plugins would load.
    pub region_at_plugin_load: Option<Node>,
}

/// Resolves every variable in `root` in place.
pub fn resolve(
    root: &mut Node,
    input: &VarsInput,
    sources: &mut SourceMap,
    diags: &mut Diags,
) -> Resolution {
    // deeply nested variables recurse: the engine needs a large stack
    let (ds, resolution) = crate::on_big_stack(|| run(root, input, sources));
    diags.extend(ds);
    resolution
}

/// `Cannot resolve <file>: …` uses the config's file name.
fn config_name(sources: &SourceMap, root: &Node) -> String {
    sources
        .get(root.span.file)
        .and_then(|f| f.path.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "serverless.yml".into())
}

fn run(root: &mut Node, input: &VarsInput, sources: &mut SourceMap) -> (Vec<Diag>, Resolution) {
    let mut out: Vec<Diag> = Vec::new();
    let supplied = load_supplied(input, sources, &mut out);
    let file_name = config_name(sources, root);
    let mut r = Resolver::new(root, sources, input, supplied);

    // Phase 0: every string parsed; syntax errors are fatal.
    let placeholder = Node::null(r.root.span);
    let whole = std::mem::replace(r.root, placeholder);
    let entries = r.parse_entries_capped(&whole, &[], MAX_VARIABLE_VALUES);
    *r.root = whole;
    if let Some((_, first_over)) = entries.get(MAX_VARIABLE_VALUES) {
        out.push(
            Diag::error(
                &TOO_MANY,
                format!(
                    "the configuration holds more than {MAX_VARIABLE_VALUES} values with variables, the most slsx resolves"
                ),
            )
            .label(first_over.site, format!("value number {}", MAX_VARIABLE_VALUES + 1))
            .help("a real service has far fewer (1,000 functions and state machines use about 1,300); YAML aliases copy every variable they contain, so reference a shared value once with `${self:…}` instead of repeating it through aliases"),
        );
        return finish(r, out);
    }
    for (k, m) in entries {
        r.set_prop(k, m);
    }
    if !r.errors.is_empty() {
        return finish(r, out);
    }
    for p in ["disabledDeprecations", "deprecationNotificationMode"] {
        if !r.is_resolved(p) {
            inaccessible(
                &mut r,
                &file_name,
                p,
                "is read before any variable is resolved",
            );
            return finish(r, out);
        }
    }

    // Phases 1–2: provider.name, provider.stage, useDotenv.
    let mut needed_env: Option<IndexMap<String, Span>> = None;
    if !r.props.is_empty() {
        r.phase = Phase::default();
        r.resolve_all(Some(&["provider\0name", "provider\0stage", "useDotenv"]));
        if has_errors(&r) {
            return finish(r, out);
        }
        r.phase.env_fulfilled = true;
        if !r.is_resolved("provider\0stage") || !r.is_resolved("useDotenv") {
            r.missing_env.clear();
            r.resolve_all(Some(&["provider\0stage", "useDotenv"]));
            if has_errors(&r) {
                return finish(r, out);
            }
            for p in ["provider\0stage", "useDotenv"] {
                if !r.is_resolved(p) {
                    inaccessible(
                        &mut r,
                        &file_name,
                        p,
                        "decides the stage and the `.env` file, so it is resolved first",
                    );
                    return finish(r, out);
                }
            }
            needed_env = Some(std::mem::take(&mut r.missing_env));
        }
    }
    r.phase.env_fulfilled = true;

    // Phase 3: .env
    if r.root.get("useDotenv").is_some_and(Node::is_truthy) {
        let stage = match &input.options.stage {
            Some(s) if !s.is_empty() => s.clone(),
            _ => match r.root.get("provider").and_then(|p| p.get("stage")) {
                None => "dev".to_string(),
                Some(n) => js_to_string(n),
            },
        };
        if !load_dotenv(&mut r, &stage, needed_env.as_ref(), &mut out) {
            return finish(r, out);
        }
        if !r.is_resolved("provider\0name") {
            r.resolve_all(Some(&["provider\0name", "provider\0stage", "useDotenv"]));
            if has_errors(&r) {
                return finish(r, out);
            }
        }
    }
    if r.props.is_empty() {
        // nothing left to resolve: the region the plugins see is the final one
        r.region_at_plugin_load = Some(region_now(r.root));
        return finish(r, out);
    }
    if !r.is_resolved("provider\0name") {
        inaccessible(
            &mut r,
            &file_name,
            "provider\0name",
            "selects the provider, before plugins load",
        );
        return finish(r, out);
    }

    // Phase 4: everything, with the sources available before the Serverless instance exists.
    r.resolve_all(None);
    for p in [
        "plugins",
        "package\0path",
        "frameworkVersion",
        "app",
        "org",
        "dashboard",
        "service",
    ] {
        if !r.is_resolved(p) {
            inaccessible(&mut r, &file_name, p, "is read before plugins load");
        }
    }

    // Plugins load here.
    r.region_at_plugin_load = Some(region_now(r.root));

    // Phase 5: opt and sls fulfilled, param; then the AWS sources (and plugin sources).
    if !r.props.is_empty() {
        default_stage(r.root);
        r.phase.opt_fulfilled = true;
        r.phase.instance = true;
        r.phase.param = true;
        r.resolve_all(None);
        for p in [
            "provider\0credentials",
            "provider\0deploymentBucket\0serverSideEncryption",
            "provider\0profile",
            "provider\0region",
        ] {
            if !r.is_resolved(p) {
                inaccessible(
                    &mut r,
                    &file_name,
                    p,
                    "is needed to reach AWS, so it is read before the AWS sources are available",
                );
            }
        }
        r.phase.aws = true;
        r.phase.plugins = true;
        r.resolve_all(None);
    }
    report_unresolved(&mut r);
    finish(r, out)
}

/// The framework's service loader sets a missing or null `provider.stage` to `dev` before the
/// last resolution passes (visible to `${self:provider.stage}` there).
fn default_stage(root: &mut Node) {
    if let Some(Kind::Map(p)) = root.get_mut("provider").map(|p| &mut p.kind)
        && p.get("stage").is_none_or(Node::is_null)
    {
        let span = p.key_span("stage").unwrap_or(Span::NONE);
        p.insert("stage", span, Node::string(Span::NONE, "dev"));
    }
}

fn has_errors(r: &Resolver) -> bool {
    r.props.values().any(|p| p.meta.error.is_some()) || !r.loose_errors.is_empty()
}

fn prop_errors(r: &Resolver, path: &str) -> bool {
    r.blocking(path)
        .iter()
        .any(|k| r.props.get(k).is_some_and(|p| p.meta.error.is_some()))
}

/// The first variable still waiting in a value (searching params and addresses too): its
/// span and the type of the source it waits on.
fn first_pending(r: &Resolver, meta: &VMeta) -> Option<(Span, String, String)> {
    let vars = meta.vars.as_ref()?;
    for v in vars {
        if let VarState::Sources(srcs) = &v.state
            && let Some(SourceData::Typed {
                ty,
                params,
                address,
            }) = srcs.first()
        {
            for m in params.iter().flatten().chain(address.iter()) {
                if let Some(found) = first_pending(r, m) {
                    return Some(found);
                }
            }
            return Some((
                r.locate(meta.site, &v.text, v.start),
                ty.clone(),
                v.text.clone(),
            ));
        }
    }
    None
}

fn source_help(ty: &str) -> String {
    match ty {
        "param" | "cf" | "s3" | "ssm" | "aws" => format!(
            "the framework resolves `{ty}` variables only after it has loaded the service and its plugins; here use sources it resolves first: env, opt, self, file, sls:stage, strToBool (the real tool fails on this too)"
        ),
        "sls" => "`${sls:instanceId}` exists only after the service is loaded; use it in other properties".into(),
        "env" => "an environment variable this depends on is missing".into(),
        "opt" => "before the service is loaded the framework only knows the common options (stage, region, param, …): `--minify-template` and options `sls package` does not have are resolved later, so use them elsewhere".into(),
        other if !sources::BUILTIN.contains(&other) => format!("`{other}` is not a variable source the framework knows"),
        _ => "this depends on a value that is resolved later".into(),
    }
}

/// `INACCESSIBLE_CONFIGURATION_PROPERTY`, unless the property already has an error.
fn inaccessible(r: &mut Resolver, file_name: &str, path: &str, why: &str) {
    if prop_errors(r, path) {
        return;
    }
    let shown = resolve::human(path);
    let mut blocker: Option<(Span, String, String)> = None;
    for k in r.blocking(path) {
        if let Some(p) = r.props.get(&k)
            && let Some(b) = first_pending(r, &p.meta)
        {
            blocker = Some(b);
            break;
        }
    }
    let message = format!(
        "Cannot resolve {file_name}: \"{shown}\" property is not accessible (configured behind variables which cannot be resolved at this stage)"
    );
    let (span, ty, text) = blocker.unwrap_or((r.root.span, String::new(), String::new()));
    let id = r.push_error(VErr {
        code: &INACCESSIBLE,
        message,
        primary: ELabel {
            span,
            text: if text.is_empty() {
                format!("`{shown}` {why}")
            } else {
                format!("`{shown}` {why}, but `{text}` is not resolvable then")
            },
        },
        secondary: Vec::new(),
        help: Some(source_help(&ty)),
    });
    r.loose_errors.push(id);
    // the framework stops here; later phases must not resolve these properties after all
    for k in r.blocking(path) {
        if let Some(p) = r.props.get_mut(&k)
            && p.meta.error.is_none()
        {
            p.meta.vars = None;
            p.meta.error = Some(id);
        }
    }
}

fn load_dotenv(
    r: &mut Resolver,
    stage: &str,
    needed: Option<&IndexMap<String, Span>>,
    out: &mut Vec<Diag>,
) -> bool {
    let dir = r.input.service_dir;
    let before: HashSet<String> = r.env.keys().cloned().collect();
    match dotenv::load(dir, stage, &mut r.env) {
        Ok(loaded) => {
            let Some(file) = loaded.file else {
                return true;
            };
            let Some(needed) = needed else {
                return true;
            };
            for (name, span) in needed {
                if before.contains(name) {
                    continue;
                }
                if r.env.get(name).is_some_and(|v| !v.is_empty()) {
                    let fname = crate::config::display_name(&file);
                    let id = r.sources.add(fname.clone(), &file, loaded.text.as_str());
                    let mut d = Diag::error(
                        &DOTENV,
                        format!(
                            "Cannot reliably resolve \"env\" variables due to resolution conflict: environment variable \"{name}\" influences which \".env\" file is loaded, and is defined in the loaded \"{fname}\""
                        ),
                    )
                    .label(*span, format!("`{name}` is read here to decide the stage or `useDotenv`"));
                    if let Some(p) = find_key(&loaded.text, name) {
                        d = d.secondary(Span::new(id, p, p + name.len()), "defined here");
                    }
                    out.push(d.help(format!(
                        "set `{name}` in the environment (or with --stage), not in the .env file it selects"
                    )));
                    return false;
                }
            }
            true
        }
        Err(dotenv::DotenvError::Read { path, error }) => {
            out.push(
                Diag::error(
                    &DOTENV,
                    format!(
                        "Failed to load environment variables from \"{}\": {error}",
                        path.display()
                    ),
                )
                .help("`useDotenv: true` reads `.env.<stage>` or `.env` from the service directory; make it a readable file"),
            );
            false
        }
        Err(dotenv::DotenvError::Loop { path, text, key }) => {
            let fname = crate::config::display_name(&path);
            let id = r.sources.add(fname.clone(), &path, text.as_str());
            let mut d = Diag::error(
                &DOTENV,
                format!("cannot expand `{key}` in \"{fname}\": its value refers to itself"),
            );
            if let Some(p) = find_key(&text, &key) {
                d = d.label(Span::new(id, p, p + key.len()), "expands to itself");
            }
            out.push(d.help("dotenv-expand would recurse forever here (the framework crashes); remove the self-reference"));
            false
        }
    }
}

/// Offset of `name` at a line start followed by `=` or `:` in a .env text.
fn find_key(text: &str, name: &str) -> Option<usize> {
    let mut off = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let lead = line.len() - trimmed.len();
        let t = trimmed
            .strip_prefix("export ")
            .map(str::trim_start)
            .unwrap_or(trimmed);
        let lead2 = lead + (trimmed.len() - t.len());
        if let Some(rest) = t.strip_prefix(name)
            && rest.trim_start().starts_with(['=', ':'])
        {
            return Some(off + lead2);
        }
        off += line.len();
    }
    None
}

/// After the last phase: variables still waiting name sources nobody knows.
fn report_unresolved(r: &mut Resolver) {
    let keys = r.prop_keys();
    let mut unknown_found = false;
    let mut leftovers: Vec<String> = Vec::new();
    for k in keys {
        let Some(p) = r.props.get(&k) else { continue };
        if p.meta.error.is_some() || p.meta.vars.is_none() {
            continue;
        }
        let mut found: Vec<(Span, String, String)> = Vec::new();
        collect_unknown(r, &p.meta, &mut found);
        if found.is_empty() {
            leftovers.push(k);
            continue;
        }
        unknown_found = true;
        for (span, ty, text) in found {
            let known = r.phase.has(&ty, &r.supplied);
            if known {
                continue;
            }
            let e = unknown_source(&k, span, &ty, &text);
            let id = r.push_error(e);
            if let Some(p) = r.props.get_mut(&k) {
                if p.meta.error.is_none() {
                    p.meta.error = Some(id);
                } else {
                    p.meta.more_errors.push(id);
                }
            }
        }
    }
    if !unknown_found {
        for k in leftovers {
            let site = r.props.get(&k).map(|p| p.meta.site).unwrap_or(Span::NONE);
            let id = r.push_error(VErr {
                code: &UNRESOLVED,
                message: format!("Cannot resolve variable at \"{}\": it depends on values that never resolve", resolve::human(&k)),
                primary: ELabel { span: site, text: "unresolved".into() },
                secondary: Vec::new(),
                help: Some("this is most likely a dependency cycle through resolved values; please report it with the config".into()),
            });
            r.loose_errors.push(id);
        }
    }
}

fn collect_unknown(r: &Resolver, meta: &VMeta, out: &mut Vec<(Span, String, String)>) {
    let Some(vars) = &meta.vars else { return };
    for v in vars {
        let VarState::Sources(srcs) = &v.state else {
            continue;
        };
        let Some(SourceData::Typed {
            ty,
            params,
            address,
        }) = srcs.first()
        else {
            continue;
        };
        for m in params.iter().flatten().chain(address.iter()) {
            collect_unknown(r, m, out);
        }
        if !r.phase.has(ty, &r.supplied) {
            out.push((
                r.locate(meta.site, &v.text, v.start),
                ty.clone(),
                v.text.clone(),
            ));
        }
    }
}

fn unknown_source(path: &str, span: Span, ty: &str, text: &str) -> VErr {
    let mut help = String::new();
    if ty == "output" {
        help.push_str(
            "`${output:…}` is a Serverless Dashboard source (it needs `org` and the Dashboard); ",
        );
    } else if let Some((base, region)) = ty.split_once('.')
        && matches!(base, "cf" | "ssm" | "s3")
    {
        help.push_str(&format!(
            "the v1 form `{base}.{region}` is gone: write `${{{base}({region}):…}}`; "
        ));
    } else if let Some(s) = resolve::did_you_mean(ty, sources::BUILTIN) {
        help.push_str(&format!("did you mean `{s}`? "));
    }
    help.push_str(&format!(
        "known sources: {}; a plugin's source can be supplied with `--var '{ty}:<address>=value'`",
        sources::BUILTIN.join(", ")
    ));
    VErr {
        code: &UNKNOWN_SOURCE,
        message: format!(
            "Unrecognized configuration variable sources: \"{ty}\" (at \"{}\")",
            resolve::human(path)
        ),
        primary: ELabel {
            span,
            text: format!("`{text}` uses the unknown source `{ty}`"),
        },
        secondary: Vec::new(),
        help: Some(help),
    }
}

/// Every error (once), in property order, then the rest; then warnings.
/// `provider.region` as it is now (null when missing).
fn region_now(root: &Node) -> Node {
    root.get("provider")
        .and_then(|p| p.get("region"))
        .cloned()
        .unwrap_or_else(|| Node::null(Span::NONE))
}

fn finish(r: Resolver, mut out: Vec<Diag>) -> (Vec<Diag>, Resolution) {
    let mut seen: HashSet<ErrId> = HashSet::new();
    let mut ids: Vec<ErrId> = Vec::new();
    for k in r.prop_keys() {
        if let Some(p) = r.props.get(&k) {
            for id in p.meta.error.iter().chain(p.meta.more_errors.iter()) {
                if seen.insert(*id) {
                    ids.push(*id);
                }
            }
        }
    }
    for id in &r.loose_errors {
        if seen.insert(*id) {
            ids.push(*id);
        }
    }
    // the copies a YAML alias makes of a string share its location: one error at one place
    // with one message is reported once, naming the other properties it also broke
    let mut groups: IndexMap<Result<CopyKey, ErrId>, (ErrId, Vec<String>)> = IndexMap::new();
    for id in ids {
        let Some(e) = r.errors.get(id) else { continue };
        let (path, tail) = split_path_prefix(&e.message);
        let key = match (e.primary.span.is_none(), path) {
            (false, Some(_)) => Ok(copy_key(e, tail)),
            _ => Err(id),
        };
        let g = groups.entry(key).or_insert_with(|| (id, Vec::new()));
        if g.0 != id
            && let Some(p) = path
        {
            g.1.push(p.to_string());
        }
    }
    for (id, others) in groups.into_values() {
        let mut d = r.errors[id].to_diag();
        if !others.is_empty() {
            d.help = Some(copies_note(d.help.take(), &others));
        }
        out.push(d);
    }
    out.extend(r.warnings);
    let resolution = Resolution {
        region_at_plugin_load: r.region_at_plugin_load,
    };
    (out, resolution)
}

/// `Cannot resolve variable at "<path>": <rest>` (or `Variable syntax error at …`) → the path,
/// and the message without it.
fn split_path_prefix(message: &str) -> (Option<&str>, &str) {
    for prefix in [
        "Cannot resolve variable at \"",
        "Variable syntax error at \"",
    ] {
        if let Some(after) = message.strip_prefix(prefix)
            && let Some((path, rest)) = after.split_once("\": ")
        {
            return (Some(path), rest);
        }
    }
    (None, message)
}

/// What makes two errors the same error at the same place (all but the property's path).
type CopyKey<'e> = (
    &'static str,
    Span,
    &'e str,
    &'e str,
    Option<&'e str>,
    Vec<(Span, &'e str)>,
);

fn copy_key<'e>(e: &'e VErr, rest: &'e str) -> CopyKey<'e> {
    (
        e.code.id,
        e.primary.span,
        &e.primary.text,
        rest,
        e.help.as_deref(),
        e.secondary
            .iter()
            .map(|l| (l.span, l.text.as_str()))
            .collect(),
    )
}

/// The help of an error reported once for several properties.
fn copies_note(help: Option<String>, others: &[String]) -> String {
    const SHOWN: usize = 3;
    let mut listed = others
        .iter()
        .take(SHOWN)
        .map(|p| format!("\"{p}\""))
        .collect::<Vec<_>>()
        .join(", ");
    if others.len() > SHOWN {
        listed.push_str(&format!(" and {} more", others.len() - SHOWN));
    }
    let note = format!(
        "the same error also breaks {} other propert{} that hold a copy of this value (a YAML alias, or a value included twice): {listed}",
        others.len(),
        if others.len() == 1 { "y" } else { "ies" }
    );
    match help {
        Some(h) => format!("{h}; {note}"),
        None => note,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_at_copies_are_grouped_by_all_but_the_path() {
        assert_eq!(
            split_path_prefix("Cannot resolve variable at \"a.b\": Value not found"),
            (Some("a.b"), "Value not found")
        );
        assert_eq!(
            split_path_prefix("Variable syntax error at \"x\": Missing \"}\""),
            (Some("x"), "Missing \"}\"")
        );
        assert_eq!(split_path_prefix("Circular"), (None, "Circular"));
        let note = copies_note(Some("fix it".into()), &["a".into()]);
        assert!(note.starts_with("fix it; the same error also breaks 1 other property "));
        let many: Vec<String> = (0..5).map(|i| format!("p{i}")).collect();
        assert!(copies_note(None, &many).ends_with("\"p0\", \"p1\", \"p2\" and 2 more"));
    }

    #[test]
    fn var_keys() {
        assert_eq!(normalize_key("ssm:/a/b").as_deref(), Ok("ssm:/a/b"));
        assert_eq!(
            normalize_key("ssm(eu-west-1, raw):/a").as_deref(),
            Ok("ssm(eu-west-1,raw):/a")
        );
        assert!(normalize_key("nocolon").is_err());
        assert!(normalize_key("self:custom.x").is_err());
        assert!(normalize_key("Ssm:/x").is_err());
        assert!(normalize_key("ssm(eu-west-1:/x").is_err());
    }

    #[test]
    fn supplied_lookup_prefers_params() {
        let mut s = Supplied::default();
        s.insert("ssm:/p".into(), Node::string(Span::NONE, "plain"));
        s.insert(
            "ssm(eu-west-1,raw):/p".into(),
            Node::string(Span::NONE, "exact"),
        );
        let params = [
            Node::string(Span::NONE, "eu-west-1"),
            Node::string(Span::NONE, "raw"),
        ];
        assert_eq!(
            s.lookup("ssm", Some(&params), "/p").and_then(Node::as_str),
            Some("exact")
        );
        assert_eq!(
            s.lookup("ssm", Some(&params[..1]), "/p")
                .and_then(Node::as_str),
            Some("plain")
        );
        assert_eq!(s.lookup("ssm", None, "/q"), None);
        assert!(s.types.contains("ssm"));
    }

    #[test]
    fn phases_register_sources() {
        let s = Supplied::default();
        let mut p = Phase::default();
        assert!(p.has("self", &s) && p.has("env", &s) && !p.has("param", &s) && !p.has("ssm", &s));
        p.param = true;
        assert!(p.has("param", &s) && !p.has("cf", &s));
        p.aws = true;
        p.plugins = true;
        assert!(p.has("cf", &s) && !p.has("vault", &s));
    }

    #[test]
    fn dotenv_key_position() {
        assert_eq!(find_key("A=1\n  export B=2\n", "B"), Some(13));
        assert_eq!(find_key("AB=1\n", "A"), None);
    }
}
