//! `package:compileEvents`: the framework's function events, then the plugin's state-machine
//! events. (issue #4)

use super::{Ctx, Template};
use crate::diagnostics::Diags;

/// The framework's event compilers, in its order (schedule, …, eventBridge).
pub fn compile_function_events(_ctx: &Ctx, _t: &mut Template, _diags: &mut Diags) {}

/// serverless-step-functions' compileEvents: schedule, http, cloudwatchEvent / eventBridge.
pub fn compile_state_machine_events(_ctx: &Ctx, _t: &mut Template, _diags: &mut Diags) {}
