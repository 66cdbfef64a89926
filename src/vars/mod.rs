//! Serverless v3 variables: `${source:address, fallback}` resolution over the spanned tree.
//! (issue #2)

use std::collections::HashMap;
use std::path::Path;

use crate::declare_codes;
use crate::diagnostics::Diags;
use crate::source::SourceMap;
use crate::yaml::Node;

pub mod parse;

declare_codes! { CODES;
    NOT_FOUND = "slsx::vars::not-found", "A variable resolved to nothing and has no fallback.";
}

/// What the resolver reads besides the config.
pub struct VarsInput<'a> {
    /// The service directory (`${file(...)}` paths are relative to it).
    pub service_dir: &'a Path,
    pub options: &'a crate::Options,
    /// The process environment (before `useDotenv`).
    pub env: &'a HashMap<String, String>,
    /// Value of `${sls:instanceId}`.
    pub instance_id: &'a str,
}

/// Resolves every variable in `root` in place.
pub fn resolve(_root: &mut Node, _input: &VarsInput, _sources: &mut SourceMap, _diags: &mut Diags) {
}
