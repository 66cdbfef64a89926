//! Readable forms of template values: intrinsics written the way a person reads them
//! (`GetAtt HelloLambdaFunction.Arn`), and a state machine's `DefinitionString` turned back
//! into the ASL document it holds.

use serde_json::{Map, Value};

use crate::emit::json::{to_compact, write_string};

/// The intrinsic function an object stands for: `Ref`, `Condition` or `Fn::*` as its only key.
pub fn intrinsic(v: &Value) -> Option<(&str, &Value)> {
    let o = v.as_object()?;
    if o.len() != 1 {
        return None;
    }
    let (k, x) = o.iter().next()?;
    (k == "Ref" || k == "Condition" || k.starts_with("Fn::")).then_some((k.as_str(), x))
}

/// `Ref X`, `GetAtt X.Attr`, `Sub …`, `Join …`, `ImportValue …`, else `Name <compact JSON>`
/// — the inside of a `${…}` placeholder.
pub fn inline(v: &Value) -> String {
    match intrinsic(v) {
        Some(("Ref", Value::String(x))) => format!("Ref {x}"),
        Some(("Fn::GetAtt", x)) => match get_att_parts(x) {
            Some((id, attr)) => format!("GetAtt {id}.{attr}"),
            None => format!("GetAtt {}", to_compact(x)),
        },
        Some(("Fn::Sub", x)) if sub_parts(x).is_some() => format!("Sub {}", text(v)),
        Some(("Fn::Join", x)) if join_parts(x).is_some() => format!("Join {}", text(v)),
        Some((name, Value::String(s))) => format!("{} {s}", short_name(name)),
        Some((name, x)) => format!("{} {}", short_name(name), to_compact(x)),
        None => match v {
            Value::String(s) => s.clone(),
            other => to_compact(other),
        },
    }
}

fn short_name(name: &str) -> &str {
    name.strip_prefix("Fn::").unwrap_or(name)
}

/// A value as text: strings as they are; `Fn::Sub` as its template with map variables shown
/// as `${Ref X}`-style placeholders; `Fn::Join` as the joined text with intrinsic parts as
/// placeholders; any other intrinsic as `${…}` around its [`inline`] form.
pub fn text(v: &Value) -> String {
    match v {
        Value::String(s) => return s.clone(),
        Value::Number(_) | Value::Bool(_) | Value::Null => return to_compact(v),
        _ => {}
    }
    match intrinsic(v) {
        Some(("Fn::Sub", x)) => match sub_parts(x) {
            Some((tmpl, vars)) => substitute(tmpl, |name| vars.and_then(|m| m.get(name)), false),
            None => format!("${{{}}}", inline(v)),
        },
        Some(("Fn::Join", x)) => match join_parts(x) {
            Some((sep, parts)) => parts
                .iter()
                .map(|p| match p {
                    Value::String(s) => s.clone(),
                    other => format!("${{{}}}", inline(other)),
                })
                .collect::<Vec<_>>()
                .join(sep),
            None => format!("${{{}}}", inline(v)),
        },
        Some(_) => format!("${{{}}}", inline(v)),
        None => to_compact(v),
    }
}

/// `[id, attr]` of a `Fn::GetAtt` argument, list or `"id.attr"` string form.
pub fn get_att_parts(x: &Value) -> Option<(&str, String)> {
    match x {
        Value::Array(a) if a.len() == 2 => {
            let id = a[0].as_str()?;
            let attr = match &a[1] {
                Value::String(s) => s.clone(),
                other => format!("${{{}}}", inline(other)),
            };
            Some((id, attr))
        }
        Value::String(s) => {
            let (id, attr) = s.split_once('.')?;
            Some((id, attr.to_string()))
        }
        _ => None,
    }
}

/// The template and variable map of a `Fn::Sub` argument.
pub fn sub_parts(x: &Value) -> Option<(&str, Option<&Map<String, Value>>)> {
    match x {
        Value::String(s) => Some((s, None)),
        Value::Array(a) if a.len() == 2 => Some((a[0].as_str()?, Some(a[1].as_object()?))),
        _ => None,
    }
}

fn join_parts(x: &Value) -> Option<(&str, &[Value])> {
    let a = x.as_array()?;
    if a.len() != 2 {
        return None;
    }
    Some((a[0].as_str()?, a[1].as_array()?))
}

/// The `${name}` references of a `Fn::Sub` template, with their byte offsets; `${!…}`
/// escapes are skipped.
pub fn sub_references(tmpl: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(p) = tmpl[i..].find("${") {
        let start = i + p;
        let Some(len) = tmpl[start + 2..].find('}') else {
            break;
        };
        let name = &tmpl[start + 2..start + 2 + len];
        if !name.starts_with('!') {
            out.push((start, name));
        }
        i = start + 2 + len + 1;
    }
    out
}

/// Replaces every `${name}` the lookup knows by `${<inline form>}`. With `json_aware`, the
/// text is JSON and a placeholder outside a string literal (a raw number placeholder) becomes
/// a quoted string, so the result still parses.
fn substitute<'a>(
    tmpl: &str,
    lookup: impl Fn(&str) -> Option<&'a Value>,
    json_aware: bool,
) -> String {
    let mut out = String::with_capacity(tmpl.len());
    let mut in_string = false;
    let mut escaped = false;
    let mut rest = tmpl;
    while let Some(c) = rest.chars().next() {
        if c == '$'
            && rest[1..].starts_with('{')
            && let Some(end) = rest.find('}')
            && let Some(v) = lookup(&rest[2..end])
        {
            let shown = format!("${{{}}}", inline(v));
            if json_aware {
                let mut quoted = String::new();
                write_string(&mut quoted, &shown);
                let body = &quoted[1..quoted.len() - 1];
                if in_string {
                    out.push_str(body);
                } else {
                    out.push_str(&quoted);
                }
            } else {
                out.push_str(&shown);
            }
            rest = &rest[end + 1..];
            continue;
        }
        if json_aware {
            if escaped {
                escaped = false;
            } else if in_string && c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = !in_string;
            }
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// The ASL document a `DefinitionString` holds — a JSON string, `{Fn::Sub: text}` or
/// `{Fn::Sub: [text, map]}` — with the map's placeholders (`${d9c5…}`) shown as the
/// intrinsics they stand for (`${GetAtt HelloLambdaFunction.Arn}`). `None` when the text is
/// not a JSON document.
pub fn definition(v: &Value) -> Option<Value> {
    let (tmpl, vars) = match v {
        Value::String(s) => (s.as_str(), None),
        other => match intrinsic(other) {
            Some(("Fn::Sub", x)) => sub_parts(x)?,
            _ => return None,
        },
    };
    let text = substitute(tmpl, |name| vars.and_then(|m| m.get(name)), true);
    match serde_json::from_str::<Value>(&text) {
        Ok(doc @ Value::Object(_)) => Some(doc),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn inline_forms() {
        assert_eq!(inline(&json!({"Ref": "X"})), "Ref X");
        assert_eq!(inline(&json!({"Fn::GetAtt": ["X", "Arn"]})), "GetAtt X.Arn");
        assert_eq!(inline(&json!({"Fn::GetAtt": "X.Arn"})), "GetAtt X.Arn");
        assert_eq!(
            inline(&json!({"Fn::ImportValue": "shared-arn"})),
            "ImportValue shared-arn"
        );
        assert_eq!(
            inline(&json!({"Fn::Select": [0, ["a"]]})),
            "Select [0,[\"a\"]]"
        );
    }

    #[test]
    fn text_of_sub_and_join() {
        let sub =
            json!({"Fn::Sub": ["${functionArn}:*", {"functionArn": {"Fn::GetAtt": ["F", "Arn"]}}]});
        assert_eq!(text(&sub), "${GetAtt F.Arn}:*");
        let sub = json!({"Fn::Sub": "arn:${AWS::Partition}:s3:::b/*"});
        assert_eq!(text(&sub), "arn:${AWS::Partition}:s3:::b/*");
        let join = json!({"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::b"]]});
        assert_eq!(text(&join), "arn:${Ref AWS::Partition}:s3:::b");
    }

    #[test]
    fn definition_with_placeholders() {
        let d = json!({"Fn::Sub": [
            "{\n  \"StartAt\": \"A\",\n  \"States\": {\n    \"A\": {\"Type\": \"Task\", \"Resource\": \"${h1}\", \"Next\": \"W\"},\n    \"W\": {\"Type\": \"Wait\", \"Seconds\": ${h2}, \"End\": true}\n  }\n}",
            {"h1": {"Fn::GetAtt": ["HelloLambdaFunction", "Arn"]}, "h2": {"Ref": "Secs"}}
        ]});
        let doc = definition(&d).expect("parses");
        assert_eq!(
            doc["States"]["A"]["Resource"],
            "${GetAtt HelloLambdaFunction.Arn}"
        );
        assert_eq!(doc["States"]["W"]["Seconds"], "${Ref Secs}");
        // pseudo parameters not in the map stay as written
        let d = json!({"Fn::Sub": "{\"StartAt\": \"${AWS::Region}\"}"});
        assert_eq!(definition(&d).unwrap()["StartAt"], "${AWS::Region}");
        // a plain string
        let d = json!("{\"StartAt\":\"A\",\"States\":{}}");
        assert_eq!(definition(&d).unwrap()["StartAt"], "A");
        // not JSON
        assert_eq!(definition(&json!("\"a quoted string\"")), None);
    }

    #[test]
    fn placeholder_with_quotes_is_escaped_inside_strings() {
        let d =
            json!({"Fn::Sub": ["{\"A\": \"x-${h}\"}", {"h": {"Fn::Join": ["\"", ["a", "b"]]}}]});
        let doc = definition(&d).unwrap();
        assert_eq!(doc["A"], "x-${Join a\"b}");
    }

    #[test]
    fn sub_references_skip_escapes() {
        let refs: Vec<&str> = sub_references("${A}-${!Literal}-${B.Arn}")
            .into_iter()
            .map(|(_, n)| n)
            .collect();
        assert_eq!(refs, ["A", "B.Arn"]);
    }
}
