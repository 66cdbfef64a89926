//! slsx: a Serverless Framework `serverless.yml` (with serverless-step-functions syntax) to
//! the CloudFormation template `sls package` would write — without Node.
//!
//! The pipeline follows the data: [`yaml`] (spanned loader) → [`vars`] (variables) →
//! [`config`] (normalisation) → [`compile`] (lifecycle passes) → [`emit`] (JSON / YAML).
//! Every problem is a [`diagnostics::Diag`] with a stable code and a located label.

pub mod asl;
pub mod check;
pub mod cli;
pub mod compile;
pub mod config;
pub mod diagnostics;
pub mod diff;
pub mod emit;
pub mod graph;
pub mod js;
pub mod plugin;
pub mod source;
pub mod vars;
pub mod yaml;

use std::collections::HashMap;
use std::path::PathBuf;

pub use config::Input;
use diagnostics::{Diag, Diags};
use source::SourceMap;

/// Everything a run can be told.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `--stage`
    pub stage: Option<String>,
    /// `--region`
    pub region: Option<String>,
    /// `--param k=v`, as given.
    pub params: Vec<String>,
    /// `--var 'source:address=value'`, as given.
    pub vars: Vec<String>,
    /// `--vars-file FILE`
    pub vars_files: Vec<PathBuf>,
    /// The environment; `None` reads the process environment.
    pub env: Option<HashMap<String, String>>,
    /// `--instance-id`: the framework's per-run id (epoch ms); default derived from the input.
    pub instance_id: Option<String>,
}

/// The result of a run: the template (when there were no errors), every diagnostic, and the
/// sources they point into.
#[derive(Debug)]
pub struct Expansion {
    pub template: Option<compile::Template>,
    pub diags: Diags,
    pub sources: SourceMap,
}

impl Expansion {
    fn failed(diags: Diags, sources: SourceMap) -> Expansion {
        Expansion {
            template: None,
            diags,
            sources,
        }
    }
}

/// An [`Expansion`] together with the resolved, normalised configuration it was compiled
/// from — for tools that point back into the config (`slsx check`, `slsx graph`). Its nodes
/// keep their spans, so findings on the template can be located in the source.
#[derive(Debug)]
pub struct ConfigExpansion {
    pub expansion: Expansion,
    /// `None` when the run stopped before the configuration was resolved and normalised.
    pub config: Option<yaml::Node>,
}

impl ConfigExpansion {
    fn failed(diags: Diags, sources: SourceMap) -> ConfigExpansion {
        ConfigExpansion {
            expansion: Expansion::failed(diags, sources),
            config: None,
        }
    }
}

/// A 13-digit stand-in for the framework's instance id, derived from the config text so the
/// output is deterministic.
fn derived_instance_id(text: &str) -> String {
    use md5::{Digest, Md5};
    let d = Md5::digest(text.as_bytes());
    let mut n: u64 = 0;
    for b in &d[..8] {
        n = (n << 8) | *b as u64;
    }
    format!("{:013}", n % 10_000_000_000_000)
}

/// Expands a service into its CloudFormation template.
/// The stack [`on_big_stack`] gives (address space: only the pages a deep recursion touches
/// become memory).
pub const BIG_STACK: usize = 128 * 1024 * 1024;

thread_local! {
    static ON_BIG_STACK: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` on a thread with a [`BIG_STACK`] (the variable engine recurses as deep as the
/// variables nest), or right here when this thread already is one. The CLI runs its whole job
/// on one, so that a single thread allocates everything: a second thread's allocations land
/// in a malloc arena of their own, whose freed memory the first cannot reuse (1.1 MB more
/// peak RSS on the 1,000-machine service).
pub fn on_big_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    if ON_BIG_STACK.with(std::cell::Cell::get) {
        return f();
    }
    let mut slot = Some(f);
    let spawned = std::thread::scope(|scope| {
        let slot = &mut slot;
        std::thread::Builder::new()
            .name("slsx-big-stack".into())
            .stack_size(BIG_STACK)
            .spawn_scoped(scope, move || {
                ON_BIG_STACK.with(|b| b.set(true));
                slot.take().map(|f| f())
            })
            .map(|h| h.join())
    });
    match (spawned, slot.take()) {
        (Ok(Ok(Some(v))), _) => v,
        (Ok(Err(panic)), _) => std::panic::resume_unwind(panic),
        // no thread could be made: run here and hope the stack suffices
        (_, Some(f)) => f(),
        (Ok(Ok(None)), None) | (Err(_), None) => unreachable!("the job ran neither there nor here"),
    }
}

pub fn expand(input: &Input, opts: &Options) -> Expansion {
    expand_with_config(input, opts).expansion
}

/// [`expand`], also returning the resolved, normalised configuration (when the run got that
/// far, even if compiling it failed).
pub fn expand_with_config(input: &Input, opts: &Options) -> ConfigExpansion {
    let mut sources = SourceMap::new();
    let mut diags = Diags::new();

    // 1. locate and read
    let (file_id, dir) = match input {
        Input::Path(p) => {
            let located = match config::locate(p) {
                Ok(l) => l,
                Err(d) => return ConfigExpansion::failed(d.into(), sources),
            };
            let name = config::display_name(&located.file);
            match config::read_source(&mut sources, &located.file, &name) {
                Ok(id) => (id, located.dir),
                Err(d) => return ConfigExpansion::failed(d.into(), sources),
            }
        }
        Input::Text { name, dir, text } => {
            let id = sources.add(name.clone(), PathBuf::from(name), text.as_str());
            (id, dir.clone())
        }
    };

    // 2. parse
    let mut root = match config::parse(&sources, file_id) {
        Ok(n) => n,
        Err(ds) => return ConfigExpansion::failed(ds.into(), sources),
    };
    if let Err(d) = config::check_root(&root) {
        return ConfigExpansion::failed(d.into(), sources);
    }

    // 3. variables
    let env: HashMap<String, String> = match &opts.env {
        Some(e) => e.clone(),
        None => std::env::vars().collect(),
    };
    let instance_id = opts
        .instance_id
        .clone()
        .unwrap_or_else(|| derived_instance_id(sources.get(file_id).map_or("", |f| &**f.text())));
    let resolution = vars::resolve(
        &mut root,
        &vars::VarsInput {
            service_dir: &dir,
            options: opts,
            env: &env,
            instance_id: &instance_id,
        },
        &mut sources,
        &mut diags,
    );
    if diags.has_errors() {
        return ConfigExpansion::failed(diags, sources);
    }

    // 4. normalise
    config::normalize::normalize(&mut root, &mut diags);
    if diags.has_errors() {
        return ConfigExpansion::failed(diags, sources);
    }

    // 4b. state machine definitions named by file (slsx only; see `load_definition_files`)
    compile::state_machine::definition::load_definition_files(
        &mut root,
        &dir,
        &mut sources,
        &mut diags,
    );
    if diags.has_errors() {
        return ConfigExpansion {
            expansion: Expansion::failed(diags, sources),
            config: Some(root),
        };
    }

    // 5. compile (without the sources' text: only drawing a diagnostic reads it again)
    sources.pack();
    let service = match service_name(&root) {
        Ok(s) => s,
        Err(d) => {
            diags.push(d);
            return ConfigExpansion {
                expansion: Expansion::failed(diags, sources),
                config: Some(root),
            };
        }
    };
    let stage = opts
        .stage
        .clone()
        .or_else(|| scalar_at(&root, &["provider", "stage"]))
        .unwrap_or_else(|| "dev".to_string());
    let region = opts
        .region
        .clone()
        .or_else(|| scalar_at(&root, &["provider", "region"]))
        .unwrap_or_else(|| "us-east-1".to_string());
    // `provider.getRegion()` in the plugin's constructor
    let plugin_region = match (&opts.region, &resolution.region_at_plugin_load) {
        (Some(r), _) if !r.is_empty() => r.clone(),
        (_, Some(n)) if n.is_truthy() => yaml::js_to_string(n),
        (_, Some(_)) => "us-east-1".to_string(),
        (_, None) => region.clone(),
    };
    let ctx = compile::Ctx {
        config: &root,
        service,
        stage,
        plugin_region,
        region,
        instance_id,
        options: opts,
        lambda_ids: Default::default(),
    };
    let template = compile::compile(&ctx, &mut diags);
    let template = (!diags.has_errors()).then_some(template);
    ConfigExpansion {
        expansion: Expansion {
            template,
            diags,
            sources,
        },
        config: Some(root),
    }
}

fn scalar_at(root: &yaml::Node, path: &[&str]) -> Option<String> {
    root.at(path)
        .filter(|n| !n.is_null())
        .map(yaml::js_to_string)
        .filter(|s| !s.is_empty())
}

/// `service`, which must be a non-empty string.
fn service_name(root: &yaml::Node) -> Result<String, Diag> {
    use config::{SERVICE_MISSING, SERVICE_OBJECT};
    let span = root.span;
    match root.get("service") {
        Some(n) if n.as_map().is_some() => Err(Diag::error(
            &SERVICE_OBJECT,
            "`service` is an object; the framework only accepts a name",
        )
        .label(n.span, "object notation")
        .help("write `service: my-service`; move `service.name` there")),
        Some(n) if n.is_truthy() && n.as_seq().is_none() => Ok(yaml::js_to_string(n)),
        Some(n) => Err(Diag::error(&SERVICE_MISSING, "`service` is empty")
            .label(n.span, "no service name")
            .help("set `service: <name>`; it names the stack and every resource")),
        None => Err(
            Diag::error(&SERVICE_MISSING, "the configuration has no `service`")
                .label(
                    source::Span::new(span.file, 0, 0),
                    "expected `service: <name>`",
                )
                .help("add `service: <name>` at the top; it names the stack and every resource"),
        ),
    }
}
