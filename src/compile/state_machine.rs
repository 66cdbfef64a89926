//! serverless-step-functions' `package:compileFunctions` hook: execution roles, state
//! machines, activities, alarms and notifications. (issue #3)

use super::{Ctx, Template};
use crate::declare_codes;
use crate::diagnostics::{Code, Diags};

declare_codes! { CODES; }

/// Every code of the step-functions compiler.
pub fn codes() -> Vec<&'static Code> {
    CODES.to_vec()
}

/// Runs the plugin's compileFunctions steps in its order.
pub fn compile_functions_hook(_ctx: &Ctx, _t: &mut Template, _diags: &mut Diags) {}
