//! State-machine `http` events: the REST API the plugin builds through the framework's API
//! Gateway naming.

use crate::compile::{Ctx, Template};
use crate::declare_codes;
use crate::diagnostics::Diags;

declare_codes! { CODES; }

/// Compiles every state machine's http events into the template.
pub fn compile(_ctx: &Ctx, _t: &mut Template, _diags: &mut Diags) {}
