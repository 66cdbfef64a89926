//! `${sls:stage}`, `${sls:instanceId}`.

use super::{Req, option_or_provider, required_address, unsupported_address};
use crate::source::Span;
use crate::vars::resolve::{Fail, Resolver, SrcOut};
use crate::yaml::Node;

pub fn resolve(r: &mut Resolver, req: &Req) -> Result<SrcOut, Fail> {
    let address = required_address(req, &crate::vars::ADDRESS, "${sls:stage}", "sls")?;
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
        "stage" => {
            let option = r.input.options.stage.clone();
            Ok(SrcOut::value(option_or_provider(
                r, req, option, "stage", "dev",
            )?))
        }
        other => Err(unsupported_address(
            &crate::vars::ADDRESS,
            "sls",
            other,
            ["stage", "instanceId"],
        )),
    }
}
