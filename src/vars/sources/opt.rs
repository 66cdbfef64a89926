//! `${opt:stage}`, `${opt:}`: the CLI options `sls package` supports, unset ones as `null`.

use super::{Req, address_string};
use crate::source::Span;
use crate::vars::resolve::{Fail, Resolver, SrcOut, map_node};
use crate::yaml::Node;

/// The options of `sls package`, in the framework's order for unset ones.
const NAMES: [&str; 14] = [
    "package",
    "region",
    "aws-profile",
    "app",
    "org",
    "use-local-credentials",
    "config",
    "stage",
    "param",
    "help",
    "version",
    "verbose",
    "debug",
    "minify-template",
];

/// The options object: the given options first (region, stage, param), then the unset ones.
pub fn options_node(r: &Resolver) -> Node {
    let o = r.input.options;
    let span = Span::NONE;
    let mut given: Vec<(String, Node)> = Vec::new();
    if let Some(region) = &o.region {
        given.push(("region".into(), Node::string(span, region.clone())));
    }
    if let Some(stage) = &o.stage {
        given.push(("stage".into(), Node::string(span, stage.clone())));
    }
    if !o.params.is_empty() {
        given.push((
            "param".into(),
            Node::seq(
                span,
                o.params
                    .iter()
                    .map(|p| Node::string(span, p.clone()))
                    .collect(),
            ),
        ));
    }
    let mut all = given.clone();
    for n in NAMES {
        if !given.iter().any(|(k, _)| k == n) {
            all.push((n.to_string(), Node::null(span)));
        }
    }
    map_node(span, all)
}

pub fn resolve(r: &mut Resolver, req: &Req) -> Result<SrcOut, Fail> {
    let address = address_string(
        req,
        &crate::vars::ADDRESS,
        "Non-string address argument in variable \"opt\" source",
    )?;
    let options = options_node(r);
    let lookup = |a: &str| options.as_map().and_then(|m| m.get(a)).cloned();
    if !r.phase.opt_fulfilled {
        // before the service is loaded the framework knows `package` without its AWS-only
        // `minify-template` option: that one stays pending like an unknown option
        let lookup = |a: &str| {
            if a == "minify-template" {
                None
            } else {
                lookup(a)
            }
        };
        return Ok(match address {
            None => SrcOut {
                pending: true,
                ..SrcOut::none()
            },
            Some(a) => match lookup(&a) {
                Some(v) => SrcOut::opt(Some(v)),
                None => SrcOut {
                    pending: true,
                    ..SrcOut::none()
                },
            },
        });
    }
    let Some(a) = address else {
        return Ok(SrcOut::value(options));
    };
    let mut out = SrcOut::opt(lookup(&a));
    if out.value.is_none() {
        out.help = Some(match a.as_str() {
            "stage" | "region" => format!("pass `--{a} <value>`"),
            "param" => "pass `--param key=value`".to_string(),
            _ if options.as_map().is_some_and(|m| m.contains_key(&a)) => {
                format!("slsx does not take `--{a}`; the framework's `{a}` option is unset here")
            }
            _ => format!(
                "`{a}` is not an option of `sls package` (the framework rejects unknown options); use `${{param:{a}}}` with `--param {a}=<value>` instead"
            ),
        });
    }
    Ok(out)
}
