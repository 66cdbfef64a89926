//! `${env:NAME}`: the process environment (plus `.env` with `useDotenv`); `''` is a value.

use super::{Req, address_string, missing_address};
use crate::source::Span;
use crate::vars::resolve::{Fail, Resolver, SrcOut};
use crate::yaml::Node;

pub fn resolve(r: &mut Resolver, req: &Req) -> Result<SrcOut, Fail> {
    if req.truthy_address().is_none() {
        return Err(missing_address(&crate::vars::ADDRESS, "env", "${env:NAME}"));
    }
    let name = address_string(
        req,
        &crate::vars::ADDRESS,
        "Non-string address argument in variable \"env\" source",
    )?
    .unwrap_or_default();
    let value = r.env.get(&name).cloned();
    if value.is_none() && !r.missing_env.contains_key(&name) {
        r.missing_env.insert(name.clone(), req.span);
    }
    let pending = !r.phase.env_fulfilled;
    Ok(SrcOut {
        help: value
            .is_none()
            .then(|| format!("`{name}` is not set in the environment")),
        value: value.map(|v| Node::string(Span::NONE, v)),
        pending,
        eventual: None,
    })
}
