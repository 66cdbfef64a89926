//! `${aws:region}` (static) and `${aws:accountId}` (needs AWS: supplied with `--var`).

use super::{Req, address_string, missing_address};
use crate::source::Span;
use crate::vars::resolve::{Fail, RawErr, Resolver, SrcOut};
use crate::yaml::Node;

pub fn resolve(r: &mut Resolver, req: &Req) -> Result<SrcOut, Fail> {
    if req.truthy_address().is_none() {
        return Err(missing_address(
            &crate::vars::ADDRESS,
            "aws",
            "${aws:region}",
        ));
    }
    let address = address_string(
        req,
        &crate::vars::ADDRESS,
        "Non-string address argument in variable \"sls\" source",
    )?
    .unwrap_or_default();
    match address.as_str() {
        "accountId" => super::offline::supplied_or_offline(r, req, "accountId"),
        "region" => {
            if let Some(region) = r.input.options.region.as_ref().filter(|s| !s.is_empty()) {
                return Ok(SrcOut::value(Node::string(Span::NONE, region.clone())));
            }
            let keys = ["provider".to_string(), "region".to_string()];
            if let Some(v) = r.resolve_dependent(req.batch, &req.path, &keys, req.span)?
                && v.is_truthy()
            {
                return Ok(SrcOut::value(v));
            }
            Ok(SrcOut::value(Node::string(Span::NONE, "us-east-1")))
        }
        other => Err(RawErr::new(
            &crate::vars::ADDRESS,
            format!("Unsupported \"{other}\" address argument in variable \"aws\" source"),
            "`aws` knows `region` and `accountId`",
        )
        .help("use `${aws:region}` or `${aws:accountId}`")
        .into()),
    }
}
