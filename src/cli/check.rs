//! `slsx check`: every diagnostic `expand` reports plus the lints of [`crate::check`], and no
//! template.

use crate::cli::read_input;
use clap::{Args, ValueEnum};

use super::{DiagnosticsFormat, Io, Reporter, ServiceArgs, exit, failure_status};
use crate::diagnostics::{Diags, Severity};

pub const AFTER_HELP: &str = "\
Reports what `slsx expand` reports (warnings included) and lints: every state-machine definition, \
of stepFunctions and of resources (slsx::asl::*, as errors, and slsx::lint::asl-*), S3 bucket names \
(slsx::lint::s3-bucket-name) and references to nothing (slsx::lint::unknown-reference). Nothing is \
written to stdout.

Exit status: 0 no errors (warnings allowed, unless --deny warnings), 1 errors in the input, 2 usage or \
I/O error, 101 a bug in slsx.
Environment: NO_COLOR disables colour; FORCE_COLOR / CLICOLOR_FORCE force it; COLUMNS sets the diagnostic width.";

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Deny {
    /// Warnings fail the check (exit 1).
    Warnings,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// A service directory, its serverless.yml/.yaml/.json, or `-` for stdin.
    #[arg(default_value = ".")]
    pub path: String,
    #[command(flatten)]
    pub service: ServiceArgs,
    /// Make a class of findings fail the check.
    #[arg(long, value_enum, value_name = "WHAT")]
    pub deny: Vec<Deny>,
}

pub fn run(args: &CheckArgs, io: &mut Io, reporter: &Reporter) -> i32 {
    let (input, opts) = match read_input(&args.service, &args.path, io, reporter) {
        Ok(read) => read,
        Err(code) => return code,
    };
    let result = crate::expand_with_config(&input, &opts);
    let mut diags: Diags = result.expansion.diags;
    crate::check::lint(
        result.config.as_ref(),
        result
            .expansion
            .template
            .map(crate::compile::Template::into_value)
            .as_ref(),
        &mut diags,
    );
    let sources = result.expansion.sources;
    if diags.is_empty() && reporter.format == DiagnosticsFormat::Human {
        let _ = io.stderr.write_all(b"slsx check: no problems found\n");
    } else {
        reporter.report(&diags, &sources, io.stderr);
    }
    if diags.has_errors() {
        return failure_status(&diags);
    }
    let deny_warnings = args.deny.contains(&Deny::Warnings);
    if deny_warnings && diags.iter().any(|d| d.severity == Severity::Warning) {
        return exit::FAILURE;
    }
    exit::OK
}
