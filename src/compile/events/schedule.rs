//! State-machine `schedule` events (EventBridge rules and Scheduler schedules).

use crate::compile::{Ctx, Template};
use crate::declare_codes;
use crate::diagnostics::Diags;

declare_codes! { CODES; }

/// Compiles these events into the template.
pub fn compile(_ctx: &Ctx, _t: &mut Template, _diags: &mut Diags) {}
