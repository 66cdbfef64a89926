//! What the framework does to the resolved configuration before any compiler sees it
//! (`serverless-core.md` §4.1): array-form `functions` / `resources` merged, `null` keys moved
//! last, values coerced to the v3 schema's types. (issue #2 / #5)

use crate::diagnostics::Diags;
use crate::yaml::Node;

/// Normalises the resolved configuration in place.
pub fn normalize(_root: &mut Node, _diags: &mut Diags) {}
