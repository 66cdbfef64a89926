//! `cf`, `s3`, `ssm`, `aws:accountId` and plugin sources: slsx never calls AWS (or runs a
//! plugin). Their values come from `--var` / `--vars-file`, treated exactly as the source's
//! result; without one, a clear error.

use super::{Req, address_string, required_address};
use crate::vars::resolve::{Fail, RawErr, Resolver, SrcOut};

pub fn resolve(r: &mut Resolver, req: &Req) -> Result<SrcOut, Fail> {
    let ty = req.ty.as_str();
    match ty {
        "cf" | "s3" | "ssm" => {
            let example = match ty {
                "cf" => "${cf:stack-name.OutputKey}",
                "s3" => "${s3:bucket/key}",
                _ => "${ssm:/path/to/param}",
            };
            let address = required_address(req, &crate::vars::ADDRESS, example, ty)?;
            let sep = match ty {
                "cf" => Some(('.', "<stack-name>.<output-id>")),
                "s3" => Some(('/', "<bucket-name>/<key>")),
                _ => None,
            };
            if let Some((c, format)) = sep
                && !address.contains(c)
            {
                return Err(RawErr::new(
                    &crate::vars::ADDRESS,
                    format!(
                        "Unsupported \"{address}\" address argument in variable \"{ty}\" source. Expected \"{format}\" format"
                    ),
                    format!("expected `{format}`"),
                )
                .help(format!("write the address as `{format}`"))
                .into());
            }
            supplied_or_offline(r, req, &address)
        }
        _ => {
            let address = address_string(
                req,
                &crate::vars::ADDRESS,
                &format!("Non-string address argument in variable \"{ty}\" source"),
            )?
            .unwrap_or_default();
            supplied_or_offline(r, req, &address)
        }
    }
}

/// The supplied value for `ty:address`, or the offline error.
pub fn supplied_or_offline(r: &mut Resolver, req: &Req, address: &str) -> Result<SrcOut, Fail> {
    let ty = req.ty.as_str();
    if let Some(v) = r.supplied.lookup(ty, req.params.as_deref(), address) {
        let mut out = SrcOut::opt(Some(v.clone()));
        if out.value.is_none() {
            out.help = Some(format!(
                "the value supplied for `{ty}:{address}` is null, which the framework treats as \"not found\""
            ));
        }
        return Ok(out);
    }
    let key = format!("{ty}:{address}");
    let what = match ty {
        "cf" => "CloudFormation stack outputs",
        "s3" => "S3 objects",
        "ssm" => "SSM parameters",
        "aws" => "the AWS account id",
        _ => "",
    };
    let (message, label) = if what.is_empty() {
        (
            format!(
                "No value supplied for \"{key}\" (the \"{ty}\" source comes from a plugin slsx does not run)"
            ),
            format!("`{key}` was not supplied"),
        )
    } else {
        (
            format!("\"{ty}\" source needs AWS API access ({what}), and slsx does not call AWS"),
            format!("`{key}` needs AWS"),
        )
    };
    Err(RawErr::new(&crate::vars::OFFLINE, message, label)
        .help(format!(
            "supply the value: `--var '{key}=value'` (a string), or `\"{key}\": value` in a YAML/JSON file passed with `--vars-file` (any type); it is then used exactly as the source's result"
        ))
        .into())
}
