//! `slsx diff OLD NEW`: what changes between two templates, or two services (or stages of
//! one service), resource by resource.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use serde_json::Value;

use super::{DiagnosticsFormat, Io, Reporter, ServiceArgs, exit};
use crate::diagnostics::{self, Diag, Diags, codes as general};
use crate::diff::{self, BodyFormat, DiffOptions};
use crate::source::SourceMap;
use crate::{Input, Options, config, yaml};

pub const AFTER_HELP: &str = "\
Each side is a service (a directory or its serverless.yml/.yaml/.json, expanded like `slsx expand`) or an \
already expanded template (a .json/.yaml file whose root has `Resources` or `AWSTemplateFormatVersion`); \
`-` reads one side from stdin. Both services are expanded with the same instance id (`--instance-id`, \
default 0000000000000), so per-run ids do not show as changes.

Exit status: 0 no difference, 1 differences found, 2 usage or I/O error, or an input that cannot be \
read or expanded (its diagnostics are on stderr), 101 a bug in slsx.
Environment: NO_COLOR disables colour; FORCE_COLOR / CLICOLOR_FORCE force it.";

/// The instance id both sides are expanded with unless `--instance-id` is given.
const SHARED_INSTANCE_ID: &str = "0000000000000";

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// A summary, then a unified diff of each changed entry as pretty JSON.
    Text,
    /// Like `text`, with the entries written as YAML.
    Yaml,
    /// A JSON document: `{"changes": [...], "summary": {...}}`.
    Json,
}

#[derive(Args, Debug)]
pub struct DiffArgs {
    /// The old side: a service directory or config file, an expanded template, or `-`.
    pub old: String,
    /// The new side: a service directory or config file, an expanded template, or `-`.
    pub new: String,
    #[command(flatten)]
    pub service: ServiceArgs,
    /// The stage of the old side (instead of `--stage`).
    #[arg(long, value_name = "STAGE")]
    pub old_stage: Option<String>,
    /// The stage of the new side (instead of `--stage`).
    #[arg(long, value_name = "STAGE")]
    pub new_stage: Option<String>,
    /// The region of the old side (instead of `--region`).
    #[arg(long, value_name = "REGION")]
    pub old_region: Option<String>,
    /// The region of the new side (instead of `--region`).
    #[arg(long, value_name = "REGION")]
    pub new_region: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// Lines of context around each change.
    #[arg(long, short = 'U', value_name = "N", default_value_t = 3)]
    pub context: usize,
}

/// What one side gave: the template (if any) and the diagnostics of reading it.
struct Side {
    template: Option<Value>,
    diags: Diags,
    sources: SourceMap,
}

impl Side {
    fn failed(d: Diag) -> Side {
        Side {
            template: None,
            diags: d.into(),
            sources: SourceMap::new(),
        }
    }
}

pub fn run(args: &DiffArgs, io: &mut Io, reporter: &Reporter) -> i32 {
    if args.old == "-" && args.new == "-" {
        let d = Diag::error(&general::USAGE, "only one side can be read from stdin")
            .help("give a file or directory for the other side");
        report(reporter, &[Side::failed(d)], io);
        return exit::ERROR;
    }
    let mut base = args.service.options(&io.env);
    base.instance_id = Some(
        base.instance_id
            .clone()
            .unwrap_or_else(|| SHARED_INSTANCE_ID.to_string()),
    );
    let side_opts = |stage: &Option<String>, region: &Option<String>| {
        let mut o = base.clone();
        if stage.is_some() {
            o.stage = stage.clone();
        }
        if region.is_some() {
            o.region = region.clone();
        }
        o
    };
    let old_opts = side_opts(&args.old_stage, &args.old_region);
    let new_opts = side_opts(&args.new_stage, &args.new_region);
    let old = load(&args.old, &old_opts, args, io);
    let new = load(&args.new, &new_opts, args, io);
    let sides = [old, new];
    report(reporter, &sides, io);
    let [old, new] = sides;
    let (Some(a), Some(b)) = (old.template, new.template) else {
        return exit::ERROR;
    };

    let opts = DiffOptions {
        body: match args.format {
            DiffFormat::Yaml => BodyFormat::Yaml,
            _ => BodyFormat::Json,
        },
        context: args.context,
    };
    let result = diff::compare(&a, &b, &opts);
    let text = match args.format {
        DiffFormat::Json => diff::render::render_json(&result),
        _ => diff::render::render_human(&result, reporter.stdout_color),
    };
    if io.stdout.write_all(text.as_bytes()).is_err() || io.stdout.flush().is_err() {
        return exit::ERROR;
    }
    if result.is_empty() {
        exit::OK
    } else {
        exit::FAILURE
    }
}

/// Reads one side: a template is parsed, a service expanded.
fn load(arg: &str, opts: &Options, args: &DiffArgs, io: &mut Io) -> Side {
    let mut sources = SourceMap::new();
    let (file_id, input) = if arg == "-" {
        let input = match args.service.input("-", io.stdin) {
            Ok(i) => i,
            Err(d) => return Side::failed(d),
        };
        let Input::Text { name, text, .. } = &input else {
            return Side::failed(Diag::error(&general::INTERNAL, "stdin gave no text"));
        };
        let id = sources.add(name.clone(), PathBuf::from(name), text.as_str());
        (id, input)
    } else {
        let path = Path::new(arg);
        if path.is_dir() {
            return expand(&Input::Path(path.to_path_buf()), opts);
        }
        let located = match config::locate(path) {
            Ok(l) => l,
            Err(d) => return Side::failed(d),
        };
        let name = config::display_name(&located.file);
        match config::read_source(&mut sources, &located.file, &name) {
            Ok(id) => (id, Input::Path(located.file)),
            Err(d) => {
                return Side {
                    template: None,
                    diags: d.into(),
                    sources,
                };
            }
        }
    };
    let json = sources
        .get(file_id)
        .map(|f| {
            f.path.extension().and_then(|e| e.to_str()) == Some("json")
                || f.text().trim_start().starts_with('{')
        })
        .unwrap_or(false);
    let text = sources
        .get(file_id)
        .map(|f| f.text().clone())
        .unwrap_or_default();
    let root = match yaml::load(
        file_id,
        &text,
        yaml::LoadOptions {
            json,
            ..yaml::LoadOptions::default()
        },
    ) {
        Ok(r) => r,
        Err(ds) => {
            return Side {
                template: None,
                diags: ds.into(),
                sources,
            };
        }
    };
    if is_template(&root) {
        return Side {
            template: Some(root.to_json()),
            diags: Diags::new(),
            sources,
        };
    }
    expand(&input, opts)
}

/// A template, not a service config: its root has `Resources` or `AWSTemplateFormatVersion`.
fn is_template(root: &yaml::Node) -> bool {
    root.as_map()
        .is_some_and(|m| m.contains_key("Resources") || m.contains_key("AWSTemplateFormatVersion"))
}

fn expand(input: &Input, opts: &Options) -> Side {
    let r = crate::expand(input, opts);
    Side {
        template: r.template.map(crate::compile::Template::into_value),
        diags: r.diags,
        sources: r.sources,
    }
}

/// Reports the diagnostics of both sides: one JSON document, or the rendered text of each
/// (a diagnostic both sides share — the same service at two stages — shown once).
fn report(reporter: &Reporter, sides: &[Side], io: &mut Io) {
    match reporter.format {
        DiagnosticsFormat::Json => {
            if sides.iter().all(|s| s.diags.is_empty()) {
                return;
            }
            let mut list = Vec::new();
            let (mut errors, mut warnings) = (0, 0);
            for s in sides {
                for d in s.diags.sorted() {
                    list.push(diagnostics::to_json(d, &s.sources));
                }
                errors += s.diags.error_count();
                warnings += s.diags.warning_count();
            }
            let doc = serde_json::json!({
                "diagnostics": list,
                "errors": errors,
                "warnings": warnings,
            });
            let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
            s.push('\n');
            let _ = io.stderr.write_all(s.as_bytes());
        }
        DiagnosticsFormat::Human => {
            let mut seen: Vec<String> = Vec::new();
            for s in sides {
                if s.diags.is_empty() {
                    continue;
                }
                let text = diagnostics::render_all_human(&s.diags, &s.sources, reporter.render);
                if !seen.contains(&text) {
                    let _ = io.stderr.write_all(text.as_bytes());
                    seen.push(text);
                }
            }
        }
    }
}
