//! `package:compileEvents`: the framework's function events, then the plugin's state-machine
//! events. (issue #4)

pub mod cloudwatch;
pub mod fn_eventbridge;
pub mod fn_schedule;
pub mod http;
pub mod schedule;

use super::{Ctx, Template};
use crate::diagnostics::{Code, Diags};

/// Every code of the event compilers.
pub fn codes() -> Vec<&'static Code> {
    let lists: &[&[&'static Code]] = &[
        schedule::CODES,
        cloudwatch::CODES,
        http::CODES,
        fn_schedule::CODES,
        fn_eventbridge::CODES,
    ];
    lists.iter().flat_map(|l| l.iter().copied()).collect()
}

/// The framework's event compilers, in its order (schedule, …, eventBridge).
pub fn compile_function_events(ctx: &Ctx, t: &mut Template, diags: &mut Diags) {
    fn_schedule::compile(ctx, t, diags);
    fn_eventbridge::compile(ctx, t, diags);
}

/// serverless-step-functions' compileEvents: schedule, http, cloudwatchEvent / eventBridge.
pub fn compile_state_machine_events(ctx: &Ctx, t: &mut Template, diags: &mut Diags) {
    schedule::compile(ctx, t, diags);
    http::compile(ctx, t, diags);
    cloudwatch::compile(ctx, t, diags);
}
