//! `${self:a.b.0}`: a value of the configuration itself, as written (no defaults), once every
//! variable it depends on is resolved.

use super::{Req, non_string};
use crate::vars::resolve::{Fail, Resolver, SrcOut, coerce_string, did_you_mean, js_index};
use crate::yaml::Kind;

pub fn resolve(r: &mut Resolver, req: &Req) -> Result<SrcOut, Fail> {
    let keys: Vec<String> = match &req.address {
        Some(a) if a.is_truthy() => match coerce_string(a) {
            Some(s) => s.split('.').map(str::to_string).collect(),
            None => {
                return Err(non_string(
                    &crate::vars::ADDRESS,
                    "Non-string address argument in variable \"self\" source",
                    a,
                ));
            }
        },
        _ => Vec::new(),
    };
    let v = r.resolve_dependent(req.batch, &req.path, &keys, req.span)?;
    let mut out = SrcOut::opt(v);
    if out.value.is_none() {
        out.help = Some(help(r, &keys));
    }
    Ok(out)
}

/// Explains why `keys` has no value in the configuration.
fn help(r: &Resolver, keys: &[String]) -> String {
    let mut cur = &*r.root;
    for (i, k) in keys.iter().enumerate() {
        let shown = keys[..=i].join(".");
        let next = match &cur.kind {
            Kind::Map(m) => m.get(k),
            Kind::Seq(items) => k.parse::<usize>().ok().and_then(|n| items.get(n)),
            _ => None,
        };
        match next {
            Some(n) if n.is_null() => {
                return format!(
                    "`{shown}` is null, and a null read through `self` counts as missing"
                );
            }
            Some(n) => cur = n,
            None => {
                if js_index(cur, k).is_some() {
                    break;
                }
                let mut h = format!("`{shown}` is not set in the configuration");
                if let Kind::Map(m) = &cur.kind
                    && let Some(s) = did_you_mean(k, m.keys().map(|k| k.as_str()))
                {
                    let mut alt = keys[..i].to_vec();
                    alt.push(s.to_string());
                    h.push_str(&format!(" (did you mean `{}`?)", alt.join(".")));
                }
                match shown.as_str() {
                    "provider.stage" => h.push_str(
                        "; `self` reads the config as written, without defaults: use `${sls:stage}` for the stage in effect",
                    ),
                    "provider.region" => h.push_str(
                        "; `self` reads the config as written, without defaults: use `${aws:region}` for the region in effect",
                    ),
                    _ => {}
                }
                return h;
            }
        }
    }
    format!("`{}` has no value", keys.join("."))
}
