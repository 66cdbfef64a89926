//! `slsx expand`: the template on stdout (or `-o FILE`), diagnostics on stderr.

use std::path::PathBuf;

use clap::Args;

use super::{Io, OutputFormat, Reporter, ServiceArgs, exit, failure_status, write_atomically};
use crate::diagnostics::{Diag, codes as general};
use crate::emit;
use crate::source::SourceMap;

#[derive(Args, Debug)]
pub struct ExpandArgs {
    /// A service directory, its serverless.yml/.yaml/.json, or `-` for stdin.
    #[arg(default_value = ".")]
    pub path: String,
    #[command(flatten)]
    pub service: ServiceArgs,
    /// Output format of the template.
    #[arg(long, value_enum, default_value_t = OutputFormat::Json)]
    pub format: OutputFormat,
    /// Write the template to FILE (atomically) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(args: &ExpandArgs, io: &mut Io, reporter: &Reporter) -> i32 {
    let input = match args.service.input(&args.path, io.stdin) {
        Ok(i) => i,
        Err(d) => {
            let diags = d.into();
            reporter.report(&diags, &SourceMap::new(), io.stderr);
            return failure_status(&diags);
        }
    };
    let opts = args.service.options(&io.env);
    let result = crate::expand(&input, &opts);
    reporter.report(&result.diags, &result.sources, io.stderr);
    let Some(template) = result.template else {
        return failure_status(&result.diags);
    };
    let text = emit::render(&template, args.format.into());
    match &args.output {
        Some(path) => {
            if let Err(e) = write_atomically(path, text.as_bytes()) {
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
            if io.stdout.write_all(text.as_bytes()).is_err() || io.stdout.flush().is_err() {
                return exit::ERROR;
            }
        }
    }
    exit::OK
}
