//! `slsx graph`: each state machine of a service as a Mermaid or DOT flowchart.

use crate::cli::{read_input, write_output};
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde_json::Value;

use super::{Io, Reporter, ServiceArgs, exit, failure_status, unknown_machine};
use crate::diagnostics::Diag;
use crate::graph::{self, NO_STATE_MACHINES};

pub const AFTER_HELP: &str = "\
Definitions are read from the resolved config: stepFunctions.stateMachines.<name>.definition, and \
AWS::StepFunctions::StateMachine resources in `resources` (Definition, or a DefinitionString holding JSON).

Exit status: 0 the graph was written (diagnostics of the expansion, if any, are on stderr), 1 the \
configuration cannot be resolved or has no state machine, 2 usage or I/O error (an unknown --machine), \
101 a bug in slsx.";

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// A Mermaid flowchart (paste into Markdown as a ```mermaid block).
    Mermaid,
    /// Graphviz DOT (`dot -Tsvg`).
    Dot,
}

#[derive(Args, Debug)]
pub struct GraphArgs {
    /// A service directory, its serverless.yml/.yaml/.json, or `-` for stdin.
    #[arg(default_value = ".")]
    pub path: String,
    #[command(flatten)]
    pub service: ServiceArgs,
    /// Draw only this state machine (its key under stepFunctions.stateMachines, or the
    /// logical ID of a state machine in `resources`).
    #[arg(long, short = 'm', value_name = "NAME")]
    pub machine: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
    pub format: GraphFormat,
    /// Write to FILE (atomically) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(args: &GraphArgs, io: &mut Io, reporter: &Reporter) -> i32 {
    let (input, opts) = match read_input(&args.service, &args.path, io, reporter) {
        Ok(read) => read,
        Err(code) => return code,
    };
    let result = crate::expand_with_config(&input, &opts);
    let diags = &result.expansion.diags;
    let sources = &result.expansion.sources;
    reporter.report(diags, sources, io.stderr);
    let Some(config) = result.config else {
        return failure_status(diags);
    };
    let mut machines: Vec<(String, Value)> = crate::check::definitions(&config)
        .into_iter()
        .map(|(name, def)| (name, def.to_json()))
        .collect();
    if machines.is_empty() {
        let d = Diag::error(&NO_STATE_MACHINES, "there is no state machine to draw")
            .help("define one under `stepFunctions.stateMachines.<name>.definition`");
        reporter.report(&d.into(), sources, io.stderr);
        return exit::FAILURE;
    }
    if let Some(want) = &args.machine {
        let names: Vec<&str> = machines.iter().map(|(n, _)| n.as_str()).collect();
        if let Some(d) = unknown_machine(want, &names) {
            reporter.report(&d.into(), sources, io.stderr);
            return exit::ERROR;
        }
        machines.retain(|(n, _)| n == want);
    }
    let g = graph::build(&machines);
    let text = match args.format {
        GraphFormat::Mermaid => graph::to_mermaid(&g),
        GraphFormat::Dot => graph::to_dot(&g),
    };
    write_output(args.output.as_deref(), &text, io, reporter)
}
