//! The command line: `slsx expand`, and friends. [`run`] is the whole program, testable
//! in-process: arguments, stdin, stdout, stderr and environment are parameters.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};

pub mod check;
pub mod compile;
pub mod diff;
pub mod expand;
pub mod explain_iam;
pub mod graph;

use crate::diagnostics::{self, Diag, Diags, RenderOptions, codes as general};
use crate::emit::Format;
use crate::source::SourceMap;
use crate::{Input, Options};

/// Exit statuses.
pub mod exit {
    /// Success (warnings allowed).
    pub const OK: i32 = 0;
    /// User error in the input, or a difference found (`diff`).
    pub const FAILURE: i32 = 1;
    /// Usage or I/O error.
    pub const ERROR: i32 = 2;
    /// A bug in slsx.
    pub const BUG: i32 = 101;
}

pub(crate) const AFTER_HELP: &str = "\
Exit status: 0 success, 1 errors in the input (or a difference, for diff), 2 usage or I/O error, 101 a bug in slsx.
Environment: NO_COLOR disables colour; FORCE_COLOR / CLICOLOR_FORCE force it; COLUMNS sets the diagnostic width.";

#[derive(Parser, Debug)]
#[command(
    name = "slsx",
    version,
    about = "Expand a Serverless Framework serverless.yml (with serverless-step-functions) into the CloudFormation template `sls package` writes — no Node needed.",
    after_help = AFTER_HELP
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// When to use colour (diagnostics, and the output of `diff`).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
    /// How diagnostics are written to stderr.
    #[arg(long, value_enum, default_value_t = DiagnosticsFormat::Human, global = true)]
    pub diagnostics: DiagnosticsFormat,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiagnosticsFormat {
    Human,
    Json,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Json,
    Yaml,
}

impl From<OutputFormat> for Format {
    fn from(f: OutputFormat) -> Format {
        match f {
            OutputFormat::Json => Format::Json,
            OutputFormat::Yaml => Format::Yaml,
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Expand a service into its CloudFormation template.
    #[command(after_help = AFTER_HELP)]
    Expand(expand::ExpandArgs),
    /// Plugin mode: run serverless-step-functions' pass for one hook on a template (JSON in,
    /// JSON out; used by the npm package's Serverless plugin).
    Compile(compile::CompileArgs),
    /// Show what changes between two templates, services, or stages of one service.
    #[command(after_help = diff::AFTER_HELP)]
    Diff(diff::DiffArgs),
    /// Report every problem of a service (expansion diagnostics and lints); no output.
    #[command(after_help = check::AFTER_HELP)]
    Check(check::CheckArgs),
    /// Draw each state machine as a flowchart (Mermaid or DOT).
    #[command(after_help = graph::AFTER_HELP)]
    Graph(graph::GraphArgs),
    /// Explain each statement of the state machines' generated IAM roles.
    #[command(name = "explain-iam", after_help = explain_iam::AFTER_HELP)]
    ExplainIam(explain_iam::ExplainIamArgs),
}

/// Options shared by every command that expands a service.
#[derive(Args, Debug, Clone, Default)]
pub struct ServiceArgs {
    /// The stage (`--stage` of `sls package`); default: provider.stage, else dev.
    #[arg(long, short = 's')]
    pub stage: Option<String>,
    /// The region; default: provider.region, else us-east-1.
    #[arg(long, short = 'r')]
    pub region: Option<String>,
    /// A `${param:key}` value, as `key=value` (repeatable).
    #[arg(long = "param", value_name = "KEY=VALUE")]
    pub params: Vec<String>,
    /// A value for a source slsx cannot reach offline, as `source:address=value`, e.g.
    /// `ssm:/app/db=host`, `cf:stack.Output=x`, `aws:accountId=123456789012` (repeatable).
    #[arg(long = "var", value_name = "SOURCE:ADDRESS=VALUE")]
    pub vars: Vec<String>,
    /// A YAML or JSON file mapping `source:address` to values, like `--var` (repeatable).
    #[arg(long = "vars-file", value_name = "FILE")]
    pub vars_files: Vec<PathBuf>,
    /// The framework's per-run instance id (`${sls:instanceId}`); default: derived from the input.
    #[arg(long = "instance-id", value_name = "ID")]
    pub instance_id: Option<String>,
    /// The name diagnostics use for the config read from stdin.
    #[arg(long = "stdin-filename", value_name = "NAME")]
    pub stdin_filename: Option<String>,
}

/// Where a command writes, and what it may read.
pub struct Io<'a> {
    pub stdin: &'a mut dyn Read,
    pub stdout: &'a mut dyn Write,
    pub stderr: &'a mut dyn Write,
    pub env: HashMap<String, String>,
    /// Whether stderr is a terminal (for colour in `auto` mode).
    pub stderr_is_terminal: bool,
    /// Whether stdout is a terminal (for colour of data written there: `slsx diff`).
    pub stdout_is_terminal: bool,
}

impl Io<'_> {
    fn env_set(&self, k: &str) -> bool {
        self.env.get(k).is_some_and(|v| !v.is_empty())
    }
}

/// How diagnostics are shown in this run.
pub struct Reporter {
    pub format: DiagnosticsFormat,
    pub render: RenderOptions,
    /// Whether data written to stdout (a diff) is coloured: the same decision as for
    /// diagnostics, made for stdout.
    pub stdout_color: bool,
}

/// The colour decision for one stream: `--color`, then `NO_COLOR`, then `FORCE_COLOR` /
/// `CLICOLOR_FORCE`, then whether the stream is a terminal.
fn use_color(cli_color: ColorChoice, io: &Io, is_terminal: bool) -> bool {
    match cli_color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            if io.env_set("NO_COLOR") {
                false
            } else if io.env_set("FORCE_COLOR")
                && io.env.get("FORCE_COLOR").map(String::as_str) != Some("0")
                || io.env_set("CLICOLOR_FORCE")
                    && io.env.get("CLICOLOR_FORCE").map(String::as_str) != Some("0")
            {
                true
            } else {
                is_terminal
            }
        }
    }
}

impl Reporter {
    fn new(cli_color: ColorChoice, format: DiagnosticsFormat, io: &Io) -> Reporter {
        let color = use_color(cli_color, io, io.stderr_is_terminal);
        let stdout_color = use_color(cli_color, io, io.stdout_is_terminal);
        let width = io
            .env
            .get("COLUMNS")
            .and_then(|c| c.parse::<usize>().ok())
            .filter(|w| *w >= 40)
            .unwrap_or(100);
        Reporter {
            format,
            render: RenderOptions {
                color,
                width,
                unicode: true,
            },
            stdout_color,
        }
    }

    pub fn report(&self, diags: &Diags, sources: &SourceMap, out: &mut dyn Write) {
        if diags.is_empty() && self.format == DiagnosticsFormat::Human {
            return;
        }
        let text = match self.format {
            DiagnosticsFormat::Human => diagnostics::render_all_human(diags, sources, self.render),
            DiagnosticsFormat::Json => diagnostics::render_json(diags, sources),
        };
        let _ = out.write_all(text.as_bytes());
    }
}

/// Exit status for a failed run: 2 when the input could not be found or read, else 1.
pub fn failure_status(diags: &Diags) -> i32 {
    let io_like = diags.iter().filter(|d| d.is_error()).all(|d| {
        std::ptr::eq(d.code, &general::IO)
            || std::ptr::eq(d.code, &general::CONFIG_NOT_FOUND)
            || std::ptr::eq(d.code, &general::USAGE)
    });
    if io_like && diags.has_errors() {
        exit::ERROR
    } else {
        exit::FAILURE
    }
}

/// Writes `data` to `path` atomically: a temporary file next to it, then a rename.
pub fn write_atomically(path: &Path, data: &[u8]) -> std::io::Result<()> {
    write_atomically_with(path, |w| w.write_all(data))
}

/// [`write_atomically`] with the data produced by `fill` straight into the temporary file.
pub fn write_atomically_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let tmp = dir.join(format!(".{name}.slsx-{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        fill(&mut f)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

impl ServiceArgs {
    /// The run options these arguments give.
    pub fn options(&self, env: &HashMap<String, String>) -> Options {
        Options {
            stage: self.stage.clone(),
            region: self.region.clone(),
            params: self.params.clone(),
            vars: self.vars.clone(),
            vars_files: self.vars_files.clone(),
            env: Some(env.clone()),
            instance_id: self.instance_id.clone(),
        }
    }

    /// The input for a PATH argument (`-` reads stdin).
    pub fn input(&self, path: &str, stdin: &mut dyn Read) -> Result<Input, Diag> {
        if path == "-" {
            let name = self
                .stdin_filename
                .clone()
                .unwrap_or_else(|| "<stdin>".to_string());
            // at most MAX_FILE_BYTES, like a file
            let bytes = crate::yaml::read_capped(stdin, 0).map_err(|e| match e {
                crate::yaml::ReadError::TooLarge(n) => crate::yaml::too_large(&name, n),
                crate::yaml::ReadError::Io(e) => {
                    Diag::error(&general::IO, format!("cannot read stdin: {e}"))
                        .help("stdin must be UTF-8 text")
                }
            })?;
            let text = String::from_utf8(bytes).map_err(|_| {
                Diag::error(
                    &general::IO,
                    "cannot read stdin: stream did not contain valid UTF-8",
                )
                .help("stdin must be UTF-8 text")
            })?;
            let dir = Path::new(&name)
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map(Path::to_path_buf)
                .unwrap_or_else(|| PathBuf::from("."));
            Ok(Input::Text { name, dir, text })
        } else {
            Ok(Input::Path(PathBuf::from(path)))
        }
    }
}

/// Reads the input named by a PATH argument, with the expansion options of the service
/// arguments; on failure reports it and gives the exit status.
pub fn read_input(
    service: &ServiceArgs,
    path: &str,
    io: &mut Io,
    reporter: &Reporter,
) -> Result<(Input, Options), i32> {
    match service.input(path, io.stdin) {
        Ok(input) => Ok((input, service.options(&io.env))),
        Err(d) => {
            let diags = d.into();
            reporter.report(&diags, &SourceMap::new(), io.stderr);
            // 2 for I/O, 1 for an input over the size limit
            Err(failure_status(&diags))
        }
    }
}

/// The `--machine` of `graph` and `explain-iam` when it names none of the state machines
/// `names`: the usage error, with the closest name or the list.
pub fn unknown_machine(want: &str, names: &[&str]) -> Option<Diag> {
    if names.contains(&want) {
        return None;
    }
    let help = match crate::compile::resources::closest(want, names.iter().copied()) {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!(
            "the state machines are: {}",
            names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    Some(
        Diag::error(
            &general::USAGE,
            format!("there is no state machine `{want}`"),
        )
        .help(help),
    )
}

/// Writes a command's data to `-o FILE` (atomically) or stdout; returns the exit status.
pub fn write_output(output: Option<&Path>, text: &str, io: &mut Io, reporter: &Reporter) -> i32 {
    write_output_with(output, io, reporter, |w| w.write_all(text.as_bytes()))
}

/// [`write_output`] with the data produced by `fill` straight into the destination.
pub fn write_output_with(
    output: Option<&Path>,
    io: &mut Io,
    reporter: &Reporter,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> i32 {
    match output {
        Some(path) => {
            if let Err(e) = write_atomically_with(path, fill) {
                let d = Diag::error(
                    &general::IO,
                    format!("cannot write `{}`: {e}", path.display()),
                )
                .help("check that the directory exists and is writable");
                reporter.report(&d.into(), &SourceMap::new(), io.stderr);
                return exit::ERROR;
            }
        }
        None => {
            if fill(&mut *io.stdout).is_err() || io.stdout.flush().is_err() {
                return exit::ERROR;
            }
        }
    }
    exit::OK
}

/// Runs the program on `args` (including the program name).
pub fn run<I, T>(args: I, io: &mut Io) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::ERROR
            } else {
                exit::OK
            };
            let rendered = if io.env_set("NO_COLOR") || !io.stderr_is_terminal {
                e.render().to_string()
            } else {
                e.render().ansi().to_string()
            };
            if e.use_stderr() {
                let _ = io.stderr.write_all(rendered.as_bytes());
            } else {
                let _ = io.stdout.write_all(rendered.as_bytes());
            }
            return code;
        }
    };
    let reporter = Reporter::new(cli.color, cli.diagnostics, io);
    match &cli.command {
        Command::Expand(a) => expand::run(a, io, &reporter),
        Command::Compile(a) => compile::run(a, io, &reporter),
        Command::Diff(a) => diff::run(a, io, &reporter),
        Command::Check(a) => check::run(a, io, &reporter),
        Command::Graph(a) => graph::run(a, io, &reporter),
        Command::ExplainIam(a) => explain_iam::run(a, io, &reporter),
    }
}
