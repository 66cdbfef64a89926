//! `package:initialize`: the deployment bucket, its policy and output, with every
//! `provider.deploymentBucket` form. (issue #5)

use super::{Ctx, Template};
use crate::diagnostics::Diags;

/// Adds the core resources to the base template.
pub fn initialize(_ctx: &Ctx, _t: &mut Template, _diags: &mut Diags) {}
