//! `${sls:stage}`, `${sls:instanceId}`.

use super::{Req, address_string, missing_address};
use crate::source::Span;
use crate::vars::resolve::{Fail, RawErr, Resolver, SrcOut};
use crate::yaml::Node;

pub fn resolve(r: &mut Resolver, req: &Req) -> Result<SrcOut, Fail> {
    if req.truthy_address().is_none() {
        return Err(missing_address(
            &crate::vars::ADDRESS,
            "sls",
            "${sls:stage}",
        ));
    }
    let address = address_string(
        req,
        &crate::vars::ADDRESS,
        "Non-string address argument in variable \"sls\" source",
    )?
    .unwrap_or_default();
    match address.as_str() {
        "instanceId" => {
            if !r.phase.instance {
                return Ok(SrcOut {
                    pending: true,
                    ..SrcOut::none()
                });
            }
            Ok(SrcOut::value(Node::string(
                Span::NONE,
                r.input.instance_id.to_string(),
            )))
        }
        "stage" => Ok(SrcOut::value(stage(r, req)?)),
        other => Err(RawErr::new(
            &crate::vars::ADDRESS,
            format!("Unsupported \"{other}\" address argument in variable \"sls\" source"),
            "`sls` knows `stage` and `instanceId`",
        )
        .help("use `${sls:stage}` or `${sls:instanceId}`")
        .into()),
    }
}

/// `--stage`, else the resolved `provider.stage`, else `dev` (each when truthy).
pub fn stage(r: &mut Resolver, req: &Req) -> Result<Node, Fail> {
    if let Some(s) = r.input.options.stage.as_ref().filter(|s| !s.is_empty()) {
        return Ok(Node::string(Span::NONE, s.clone()));
    }
    let keys = ["provider".to_string(), "stage".to_string()];
    if let Some(v) = r.resolve_dependent(req.batch, &req.path, &keys, req.span)?
        && v.is_truthy()
    {
        return Ok(v);
    }
    Ok(Node::string(Span::NONE, "dev"))
}
