//! `${env:NAME}`: the process environment (plus `.env` with `useDotenv`); `''` is a value.

use super::{Req, required_address};
use crate::source::Span;
use crate::vars::resolve::{Fail, Resolver, SrcOut};
use crate::yaml::Node;

pub fn resolve(r: &mut Resolver, req: &Req) -> Result<SrcOut, Fail> {
    let name = required_address(req, &crate::vars::ADDRESS, "${env:NAME}", "env")?;
    let value = r.env.get(&name).cloned();
    if value.is_none() && !r.missing_env.contains_key(&name) {
        r.missing_env.insert(name.clone(), req.span);
    }
    let pending = !r.phase.env_fulfilled;
    Ok(SrcOut {
        help: value
            .is_none()
            .then(|| format!("`{name}` is not set in the environment")),
        value: value.map(|v| std::rc::Rc::new(Node::string(Span::NONE, v))),
        pending,
        eventual: None,
    })
}
