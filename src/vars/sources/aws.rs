//! `${aws:region}` (static) and `${aws:accountId}` (needs AWS: supplied with `--var`).

use super::{Req, option_or_provider, required_address, unsupported_address};
use crate::vars::resolve::{Fail, Resolver, SrcOut};

pub fn resolve(r: &mut Resolver, req: &Req) -> Result<SrcOut, Fail> {
    // the framework's message names the `sls` source here
    let address = required_address(req, &crate::vars::ADDRESS, "${aws:region}", "sls")?;
    match address.as_str() {
        "accountId" => super::offline::supplied_or_offline(r, req, "accountId"),
        "region" => {
            let option = r.input.options.region.clone();
            let region = option_or_provider(r, req, option, "region", "us-east-1")?;
            Ok(SrcOut::value(region))
        }
        other => Err(unsupported_address(
            &crate::vars::ADDRESS,
            "aws",
            other,
            ["region", "accountId"],
        )),
    }
}
