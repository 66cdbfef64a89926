//! `${param:name}`: `--param name=value` first, then `params.<stage>.name`, then
//! `params.default.name` (the Dashboard's parameters are not reachable offline). The table is
//! built once per run, from the configuration as it is at the first `${param:}` lookup, like
//! the framework's memoized resolver.

use std::collections::HashMap;

use super::{Req, required_address};
use crate::js::is_space as is_js_space;
use crate::source::Span;
use crate::vars::resolve::{Fail, RawErr, Resolver, SrcOut};
use crate::yaml::{Kind, Node};

pub fn resolve(r: &mut Resolver, req: &Req) -> Result<SrcOut, Fail> {
    let name = required_address(req, &crate::vars::PARAM, "${param:name}", "param")?;
    if r.params_table.is_none() {
        let t = table(r);
        r.params_table = Some(t);
    }
    let table = match r.params_table.as_ref() {
        Some(Ok(t)) => t,
        Some(Err(e)) => return Err(Fail::Raw(e.clone())),
        None => return Ok(SrcOut::none()),
    };
    if let Some(v) = table.get(&name) {
        return Ok(SrcOut::value(v.clone()));
    }
    let dashboard = r.root.get("org").is_some_and(Node::is_truthy)
        && r.root.get("app").is_some_and(Node::is_truthy);
    let stage = stage_name(r);
    Ok(SrcOut {
        eventual: Some(format!(
            "The param \"{name}\" cannot be resolved from CLI options or stage params{}. If you are using Serverless Framework Compose, make sure to run commands via Compose so that all parameters can be resolved",
            if dashboard {
                " or Serverless Dashboard"
            } else {
                ""
            }
        )),
        help: Some(format!(
            "pass `--param {name}=<value>`, or set `params.{stage}.{name}` or `params.default.{name}` in the config{}",
            if dashboard {
                " (Dashboard parameters are not reachable offline)"
            } else {
                ""
            }
        )),
        ..SrcOut::none()
    })
}

/// The stage the framework's provider reports: `--stage`, else `provider.stage`, else `dev`
/// (each when truthy).
fn stage_node(r: &Resolver) -> Node {
    if let Some(s) = r.input.options.stage.as_ref().filter(|s| !s.is_empty()) {
        return Node::string(Span::NONE, s.clone());
    }
    match r.root.get("provider").and_then(|p| p.get("stage")) {
        Some(s) if s.is_truthy() => s.clone(),
        _ => Node::string(Span::NONE, "dev"),
    }
}

fn stage_name(r: &Resolver) -> String {
    crate::yaml::js_to_string(&stage_node(r))
}

/// `--param` items: the first `key=value` match anywhere in the item (key: no `=`; value: at
/// least one character, up to a line break), value right-trimmed.
pub fn split_cli_param(item: &str) -> Option<(String, String)> {
    let chars: Vec<(usize, char)> = item.char_indices().collect();
    let is_lt = |c: char| matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}');
    for (ci, &(i, c)) in chars.iter().enumerate() {
        if c == '=' {
            continue;
        }
        // the key runs to the next '='
        let eq_ci = chars[ci..].iter().position(|(_, c)| *c == '=')? + ci;
        let eq = chars[eq_ci].0;
        let Some(&(vstart, first)) = chars.get(eq_ci + 1) else {
            continue;
        };
        if is_lt(first) {
            continue;
        }
        let vend = item[vstart..]
            .find(is_lt)
            .map(|p| vstart + p)
            .unwrap_or(item.len());
        let value = item[vstart..vend].trim_end_matches(is_js_space);
        return Some((item[i..eq].to_string(), value.to_string()));
    }
    None
}

fn table(r: &Resolver) -> Result<HashMap<String, Node>, Box<RawErr>> {
    let mut out: HashMap<String, Node> = HashMap::new();
    for item in &r.input.options.params {
        match split_cli_param(item) {
            Some((k, v)) => {
                out.insert(k, Node::string(Span::NONE, v));
            }
            None => {
                return Err(Box::new(RawErr::new(
                    &crate::vars::PARAM,
                    format!(
                        "Encountered invalid \"--param\" CLI option value: \"{item}\". Supported format: \"--param='<key>=<val>'\""
                    ),
                    "every `${param:…}` fails while a `--param` is malformed",
                )
                .help(format!(
                    "fix `--param {item}`: it must be `key=value` with a non-empty value (the framework rejects it for every param variable, fallbacks notwithstanding)"
                ))));
            }
        }
    }
    let params = r.root.get("params");
    let entries = |n: Option<&Node>| -> Vec<(String, Node)> {
        match n.map(|n| &n.kind) {
            Some(Kind::Map(m)) => m
                .iter()
                .map(|(k, e)| (k.to_string(), e.value.clone()))
                .collect(),
            Some(Kind::Seq(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (i.to_string(), v.clone()))
                .collect(),
            _ => Vec::new(),
        }
    };
    let stage = stage_node(r);
    let stage_params = match (&stage.kind, params) {
        (Kind::String(s), Some(p)) => p.get(s),
        _ => None,
    };
    for (k, v) in entries(stage_params) {
        if v.is_null() || out.contains_key(&k) {
            continue;
        }
        out.insert(k, v);
    }
    for (k, v) in entries(params.and_then(|p| p.get("default"))) {
        if v.is_null() || out.contains_key(&k) {
            continue;
        }
        out.insert(k, v);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::split_cli_param;

    #[test]
    fn cli_param_format() {
        let s = |x: &str| split_cli_param(x).map(|(a, b)| format!("{a}|{b}"));
        assert_eq!(s("k=v").as_deref(), Some("k|v"));
        assert_eq!(s("k=a=b").as_deref(), Some("k|a=b"));
        assert_eq!(s("k=  v  ").as_deref(), Some("k|  v"));
        assert_eq!(s("k==v").as_deref(), Some("k|=v"));
        assert_eq!(s(" k=v").as_deref(), Some(" k|v"));
        assert_eq!(s("k="), None);
        assert_eq!(s("=v"), None);
        assert_eq!(s("kv"), None);
        assert_eq!(s("k=   ").as_deref(), Some("k|"));
        assert_eq!(s("k=v\nw").as_deref(), Some("k|v"));
        assert_eq!(s("k=\nv"), None);
    }
}
