//! Function `schedule` events (the framework's own compiler).

use crate::compile::{Ctx, Template};
use crate::declare_codes;
use crate::diagnostics::Diags;

declare_codes! { CODES; }

/// Compiles these events into the template.
pub fn compile(_ctx: &Ctx, _t: &mut Template, _diags: &mut Diags) {}
