//! The framework's function resources: log groups, `IamRoleLambdaExecution`, Lambda
//! functions, versions and their outputs. (issue #5)

use super::{Ctx, Template};
use crate::declare_codes;
use crate::diagnostics::{Code, Diags};

declare_codes! { CODES; }

/// Every code of the core passes (this module and `core`).
pub fn codes() -> Vec<&'static Code> {
    CODES.to_vec()
}

/// `package:setupProviderConfiguration`: log groups and the execution role.
pub fn setup_provider_configuration(_ctx: &Ctx, _t: &mut Template, _diags: &mut Diags) {}

/// `package:compileFunctions` (core part): functions, versions, outputs.
pub fn compile_functions(_ctx: &Ctx, _t: &mut Template, _diags: &mut Diags) {}
