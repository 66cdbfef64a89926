//! The variable sources (`serverless-core.md` §2), one file each. A source gets the resolved
//! params and address of one variable and returns a value, nothing (`null`), "pending" (not
//! fulfilled in this phase), or an error.

pub mod aws;
pub mod env;
pub mod file;
pub mod offline;
pub mod opt;
pub mod param;
pub mod self_;
pub mod sls;
pub mod str_to_bool;

use super::resolve::{Fail, RawErr, Resolver, SrcOut, coerce_string, short_string};
use crate::diagnostics::Code;
use crate::source::Span;
use crate::yaml::Node;

/// One source call.
#[derive(Clone, Debug)]
pub struct Req {
    pub batch: u64,
    /// The property being resolved (`\0`-joined).
    pub path: String,
    pub ty: String,
    /// Param values (`None` without parentheses).
    pub params: Option<Vec<Node>>,
    /// The address value (`None` when absent or empty).
    pub address: Option<Node>,
    /// Where the variable is written.
    pub span: Span,
}

impl Req {
    /// The first param, when it is set (the framework's falsy params are already `null`).
    pub fn param0(&self) -> Option<&Node> {
        self.params
            .as_ref()
            .and_then(|p| p.first())
            .filter(|n| !n.is_null())
    }

    /// The address when truthy (`!address` checks).
    pub fn truthy_address(&self) -> Option<&Node> {
        self.address.as_ref().filter(|a| a.is_truthy())
    }
}

/// The sources the framework has built in (all phases together).
pub const BUILTIN: [&str; 11] = [
    "self",
    "opt",
    "env",
    "file",
    "sls",
    "strToBool",
    "param",
    "aws",
    "cf",
    "s3",
    "ssm",
];

/// Sources slsx resolves itself (no `--var` for them).
pub const LOCAL: [&str; 7] = ["self", "opt", "env", "file", "sls", "strToBool", "param"];

/// Calls the source `req.ty`.
pub fn call(r: &mut Resolver, req: &Req) -> Result<SrcOut, Fail> {
    match req.ty.as_str() {
        "self" => self_::resolve(r, req),
        "opt" => opt::resolve(r, req),
        "env" => env::resolve(r, req),
        "sls" => sls::resolve(r, req),
        "file" => file::resolve(r, req),
        "strToBool" => str_to_bool::resolve(r, req),
        "param" => param::resolve(r, req),
        "aws" => aws::resolve(r, req),
        _ => offline::resolve(r, req),
    }
}

/// `ensureString` on an address: `Ok(None)` when absent; an error for objects.
pub fn address_string(req: &Req, code: &'static Code, what: &str) -> Result<Option<String>, Fail> {
    match &req.address {
        None => Ok(None),
        Some(a) => match coerce_string(a) {
            Some(s) => Ok(Some(s)),
            None => Err(non_string(code, what, a)),
        },
    }
}

/// `Non-string <what>: <value>`.
pub fn non_string(code: &'static Code, what: &str, v: &Node) -> Fail {
    RawErr::new(
        code,
        format!("{what}: {}", short_string(v)),
        format!("this resolves to {}", article(v)),
    )
    .help("a nested variable in a param or address must resolve to text (or a number)")
    .into()
}

pub fn article(v: &Node) -> &'static str {
    match v.type_name() {
        "object" => "an object",
        "array" => "an array",
        "null" => "null",
        "boolean" => "a boolean",
        "number" => "a number",
        _ => "a string",
    }
}

/// The address of a source that needs one (`req.ty`, e.g. `${env:NAME}` as `example`):
/// `Missing address argument …` when it is falsy, `Non-string address argument in variable
/// "<named>" source: …` for an object (`named` is the source's own name, except where the
/// framework's message names another).
pub fn required_address(
    req: &Req,
    code: &'static Code,
    example: &str,
    named: &str,
) -> Result<String, Fail> {
    if req.truthy_address().is_none() {
        return Err(missing_address(code, &req.ty, example));
    }
    let what = format!("Non-string address argument in variable \"{named}\" source");
    Ok(address_string(req, code, &what)?.unwrap_or_default())
}

/// `Unsupported "<address>" address argument in variable "<ty>" source` for a source that
/// knows the two addresses `known`.
pub fn unsupported_address(code: &'static Code, ty: &str, address: &str, known: [&str; 2]) -> Fail {
    let [a, b] = known;
    RawErr::new(
        code,
        format!("Unsupported \"{address}\" address argument in variable \"{ty}\" source"),
        format!("`{ty}` knows `{a}` and `{b}`"),
    )
    .help(format!("use `${{{ty}:{a}}}` or `${{{ty}:{b}}}`"))
    .into()
}

/// A CLI option when non-empty, else the resolved `provider.<key>` when truthy, else
/// `default`: `${sls:stage}` and `${aws:region}`.
pub fn option_or_provider(
    r: &mut Resolver,
    req: &Req,
    option: Option<String>,
    key: &str,
    default: &str,
) -> Result<Node, Fail> {
    if let Some(s) = option.filter(|s| !s.is_empty()) {
        return Ok(Node::string(Span::NONE, s));
    }
    let keys = ["provider".to_string(), key.to_string()];
    if let Some(v) = r.resolve_dependent(req.batch, &req.path, &keys, req.span)?
        && v.is_truthy()
    {
        return Ok(v);
    }
    Ok(Node::string(Span::NONE, default))
}

/// `Missing address argument in variable "<ty>" source`.
fn missing_address(code: &'static Code, ty: &str, example: &str) -> Fail {
    RawErr::new(
        code,
        format!("Missing address argument in variable \"{ty}\" source"),
        "no address after the source",
    )
    .help(format!("write the address after `{ty}:`, e.g. `{example}`"))
    .into()
}
