//! `${strToBool(value)}`: `true`/`1` → true, `false`/`0` → false (trimmed, any case).

use super::Req;
use crate::source::Span;
use crate::vars::resolve::{Fail, RawErr, Resolver, SrcOut, coerce_string, short_string};
use crate::yaml::{Kind, Node};

pub fn resolve(_r: &mut Resolver, req: &Req) -> Result<SrcOut, Fail> {
    let Some(p) = req.param0() else {
        let falsy_literal = req.params.as_ref().is_some_and(|p| !p.is_empty());
        let mut e = RawErr::new(
            &crate::vars::STR_TO_BOOL,
            "Missing \"strToBool\" input",
            if falsy_literal {
                "the framework turns a falsy param (false, 0, '') into null"
            } else {
                "no input"
            },
        );
        e = e.help(if falsy_literal {
            "write the param quoted: `${strToBool('false')}` or `${strToBool('0')}`, or use the literal `false` directly (the framework's parser drops falsy unquoted params)"
        } else {
            "pass the text to convert: `${strToBool(${env:FLAG})}`"
        });
        return Err(e.into());
    };
    let Some(s) = coerce_string(p) else {
        return Err(RawErr::new(
            &crate::vars::STR_TO_BOOL,
            format!(
                "Non-string \"strToBool\" input:. Received: {}",
                short_string(p)
            ),
            "this is an object",
        )
        .help("strToBool converts text: \"true\", \"false\", \"1\" or \"0\"")
        .into());
    };
    let t = crate::js::trim(&s).to_lowercase();
    let b = match t.as_str() {
        "true" | "1" => true,
        "false" | "0" => false,
        _ => {
            return Err(RawErr::new(
                &crate::vars::STR_TO_BOOL,
                format!(
                    "Invalid \"strToBool\" input: Expected either \"true\", \"false\", \"0\", or \"1\". Received: {}",
                    short_string(p)
                ),
                format!("`{}` is not a boolean word", short_string(p)),
            )
            .help("strToBool accepts \"true\", \"false\", \"1\" or \"0\" (any case, surrounding spaces ignored)")
            .into());
        }
    };
    Ok(SrcOut::value(Node::new(Span::NONE, Kind::Bool(b))))
}
