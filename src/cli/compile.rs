//! `slsx compile`: plugin mode. Reads a request (the framework's resolved configuration and
//! the template compiled so far) and answers with the template after serverless-step-functions'
//! pass for one hook, as JSON on stdout. Used by the npm package's Serverless plugin; the
//! contract is in `npm/slsx/CONTRACT.md`.

use clap::{Args, ValueEnum};
use serde_json::{Value, json};

use super::{Io, Reporter, exit};
use crate::diagnostics::{self, Diag, Diags, codes as general};
use crate::emit::json::to_compact;
use crate::plugin::{self, Phase};
use crate::source::SourceMap;

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum PhaseArg {
    /// `package:compileFunctions`: roles, state machines, activities, alarms, notifications.
    Functions,
    /// `package:compileEvents`: schedule, http and cloudwatchEvent/eventBridge events.
    Events,
}

impl From<PhaseArg> for Phase {
    fn from(p: PhaseArg) -> Phase {
        match p {
            PhaseArg::Functions => Phase::Functions,
            PhaseArg::Events => Phase::Events,
        }
    }
}

#[derive(Args, Debug)]
#[command(after_help = "\
Output (stdout): one JSON object {\"version\", \"slsx\", \"phase\", \"template\", \"diagnostics\", \"errors\", \"warnings\"}; `template` is null when there are errors, each diagnostic carries its `rendered` text.
Exit status: 0 success (warnings allowed), 1 errors in the configuration, 2 a bad request or an I/O error, 101 a bug in slsx.")]
pub struct CompileArgs {
    /// The request as JSON: a file, or `-` for stdin. Its configuration is used as it is:
    /// variables are not resolved again.
    #[arg(long = "resolved-input", value_name = "FILE|-")]
    pub resolved_input: String,
    /// Which serverless-step-functions hook to run.
    #[arg(long, value_enum)]
    pub phase: PhaseArg,
}

fn answer(
    phase: Phase,
    template: Option<Value>,
    diags: &Diags,
    sources: &SourceMap,
    reporter: &Reporter,
) -> String {
    let list: Vec<Value> = diags
        .sorted()
        .into_iter()
        .map(|d| {
            let mut v = diagnostics::to_json(d, sources);
            if let Some(o) = v.as_object_mut() {
                o.insert(
                    "rendered".into(),
                    Value::String(diagnostics::render_human(d, sources, reporter.render)),
                );
            }
            v
        })
        .collect();
    let doc = json!({
        "version": plugin::CONTRACT,
        "slsx": env!("CARGO_PKG_VERSION"),
        "phase": phase.as_str(),
        "template": template.unwrap_or(Value::Null),
        "diagnostics": list,
        "errors": diags.error_count(),
        "warnings": diags.warning_count(),
    });
    let mut s = to_compact(&doc);
    s.push('\n');
    s
}

pub fn run(args: &CompileArgs, io: &mut Io, reporter: &Reporter) -> i32 {
    let phase: Phase = args.phase.into();
    let mut sources = SourceMap::new();
    let text = if args.resolved_input == "-" {
        let mut t = String::new();
        io.stdin
            .read_to_string(&mut t)
            .map(|_| t)
            .map_err(|e| format!("cannot read the request from stdin: {e}"))
    } else {
        std::fs::read_to_string(&args.resolved_input)
            .map_err(|e| format!("cannot read `{}`: {e}", args.resolved_input))
    };
    let (code, out) = match text {
        Err(msg) => {
            let d: Diags = Diag::error(&general::IO, msg)
                .help("the request must be UTF-8 JSON")
                .into();
            (exit::ERROR, answer(phase, None, &d, &sources, reporter))
        }
        Ok(text) => match plugin::parse_request(&text) {
            Err(list) => {
                let mut d = Diags::new();
                d.extend(list);
                (exit::ERROR, answer(phase, None, &d, &sources, reporter))
            }
            Ok(req) if req.phase.is_some_and(|p| p != phase) => {
                let d: Diags = Diag::error(
                    &plugin::BAD_REQUEST,
                    format!(
                        "the request is for phase `{}` but `--phase {}` was given",
                        req.phase.map(Phase::as_str).unwrap_or_default(),
                        phase.as_str()
                    ),
                )
                .help("give the same phase in the request and on the command line")
                .into();
                (exit::ERROR, answer(phase, None, &d, &sources, reporter))
            }
            Ok(req) => {
                let r = plugin::compile(&req, phase);
                sources = r.sources;
                let code = if r.diags.has_errors() {
                    exit::FAILURE
                } else {
                    exit::OK
                };
                (
                    code,
                    answer(phase, r.template, &r.diags, &sources, reporter),
                )
            }
        },
    };
    if io.stdout.write_all(out.as_bytes()).is_err() || io.stdout.flush().is_err() {
        return exit::ERROR;
    }
    code
}
