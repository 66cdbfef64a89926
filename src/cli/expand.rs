//! `slsx expand`: the template on stdout (or `-o FILE`), diagnostics on stderr.

use crate::cli::{read_input, write_output_with};
use std::path::PathBuf;

use clap::Args;

use super::{Io, OutputFormat, Reporter, ServiceArgs, failure_status};
use crate::emit;

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
    let (input, opts) = match read_input(&args.service, &args.path, io, reporter) {
        Ok(read) => read,
        Err(code) => return code,
    };
    let result = crate::expand(&input, &opts);
    reporter.report(&result.diags, &result.sources, io.stderr);
    let Some(template) = result.template else {
        return failure_status(&result.diags);
    };
    let format = args.format.into();
    write_output_with(args.output.as_deref(), io, reporter, |w| {
        emit::write_template(&template, format, w)
    })
}
