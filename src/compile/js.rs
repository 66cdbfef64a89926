//! The few JavaScript / lodash semantics the output depends on, over JSON values.
//!
//! The framework and the plugin manipulate plain JS objects; where their result depends on a
//! JS quirk (truthiness, template literals of objects, `String.prototype.replace` patterns,
//! lodash `_.has` paths, `_.isEqual`, `_.groupBy` key order), the quirk is reproduced here
//! once, documented, and tested.

use md5::{Digest, Md5};
use serde_json::{Map, Value};

use crate::emit::json::js_number;

/// Lowercase hex MD5 of a string (Node's `crypto.createHash('md5').update(s).digest('hex')`).
pub fn md5_hex(s: &str) -> String {
    let d = Md5::digest(s.as_bytes());
    let mut out = String::with_capacity(32);
    for b in d.iter() {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// lodash `isObjectLike` + a key that is `Ref` or starts with `Fn::` (the plugin's
/// `isIntrinsic`).
pub fn is_intrinsic(v: &Value) -> bool {
    match v {
        Value::Object(o) => o.keys().any(|k| k == "Ref" || k.starts_with("Fn::")),
        // an array is object-like, but its keys are indices
        _ => false,
    }
}

/// JavaScript truthiness; `None` is `undefined`.
pub fn truthy(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(_)) | Some(Value::Object(_)) => true,
    }
}

/// `${v}` in a template literal (`String(v)`); `None` is `undefined`.
pub fn template(v: Option<&Value>) -> String {
    match v {
        None => "undefined".into(),
        Some(v) => to_js_string(v),
    }
}

/// `String(v)` of a JSON value.
pub fn to_js_string(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => match n.as_i64() {
            Some(i) => i.to_string(),
            None => js_number(n.as_f64().unwrap_or(0.0)),
        },
        Value::String(s) => s.clone(),
        Value::Array(a) => a
            .iter()
            .map(|x| match x {
                Value::Null => String::new(),
                x => to_js_string(x),
            })
            .collect::<Vec<_>>()
            .join(","),
        Value::Object(_) => "[object Object]".into(),
    }
}

/// The replacement text of `String.prototype.replace` for one match: `$$`, `$&`, `` $` ``
/// and `$'` are expanded (the patterns have no capture groups, so `$1`… stay literal).
fn expand_replacement(out: &mut String, replacement: &str, hay: &str, at: usize, len: usize) {
    let mut chars = replacement.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '$' {
            out.push(c);
            continue;
        }
        match chars.peek() {
            Some('$') => {
                chars.next();
                out.push('$');
            }
            Some('&') => {
                chars.next();
                out.push_str(&hay[at..at + len]);
            }
            Some('`') => {
                chars.next();
                out.push_str(&hay[..at]);
            }
            Some('\'') => {
                chars.next();
                out.push_str(&hay[at + len..]);
            }
            _ => out.push('$'),
        }
    }
}

/// `hay.replace(needle, replacement)` with a string needle: the first occurrence only, with
/// the replacement's `$` patterns.
pub fn replace_first(hay: &str, needle: &str, replacement: &str) -> String {
    match hay.find(needle) {
        None => hay.to_string(),
        Some(at) => {
            let mut out = String::with_capacity(hay.len() + replacement.len());
            out.push_str(&hay[..at]);
            expand_replacement(&mut out, replacement, hay, at, needle.len());
            out.push_str(&hay[at + needle.len()..]);
            out
        }
    }
}

/// `hay.replace(/needle/g, replacement)` for a literal needle, with the `$` patterns.
pub fn replace_all(hay: &str, needle: &str, replacement: &str) -> String {
    if needle.is_empty() {
        return hay.to_string();
    }
    let mut out = String::with_capacity(hay.len());
    let mut last = 0;
    for (at, _) in hay.match_indices(needle) {
        out.push_str(&hay[last..at]);
        expand_replacement(&mut out, replacement, hay, at, needle.len());
        last = at + needle.len();
    }
    out.push_str(&hay[last..]);
    out
}

/// lodash `_.has(obj, key)` for a string key: the key itself if the object has it, else the
/// key read as a dotted path.
pub fn lodash_has(o: &Map<String, Value>, key: &str) -> bool {
    if o.contains_key(key) {
        return true;
    }
    if !key.contains('.') {
        return false;
    }
    let mut parts = key.split('.');
    let Some(mut cur) = parts.next().and_then(|p| o.get(p)) else {
        return false;
    };
    for part in parts {
        match cur {
            Value::Object(m) => match m.get(part) {
                Some(x) => cur = x,
                None => return false,
            },
            Value::Array(a) => match part.parse::<usize>().ok().and_then(|i| a.get(i)) {
                Some(x) => cur = x,
                None => return false,
            },
            _ => return false,
        }
    }
    true
}

/// Compares two strings by UTF-16 code units (JavaScript's default `sort`).
pub fn cmp_utf16(a: &str, b: &str) -> std::cmp::Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// Orders `(key, item)` groups like the keys of a JS object built in first-seen order:
/// integer-like keys first (ascending), then the rest in insertion order.
pub fn js_object_order<T>(groups: Vec<(String, T)>) -> Vec<(String, T)> {
    let (mut ints, rest): (Vec<_>, Vec<_>) = groups
        .into_iter()
        .partition(|(k, _)| crate::yaml::is_array_index(k));
    ints.sort_by_key(|(k, _)| k.parse::<u64>().unwrap_or(0));
    ints.extend(rest);
    ints
}

/// A JSON object from pairs, in order.
pub fn obj<const N: usize>(pairs: [(&str, Value); N]) -> Value {
    let mut m = Map::with_capacity(N);
    for (k, v) in pairs {
        m.insert(k.to_string(), v);
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn md5_vectors() {
        // spec §1.3b test vectors
        let h = |v: Value| md5_hex(&crate::emit::json::to_compact(&v));
        assert_eq!(
            h(json!({"Ref": "SomeSeconds"})),
            "4dfb8832166d083d5c26a32fbfcaebf9"
        );
        assert_eq!(
            h(json!({"Fn::GetAtt": ["hello", "Arn"]})),
            "d9c520373cb4d5c2b85bd6ec0e3422d7"
        );
        assert_eq!(
            h(json!({"Ref": "hello"})),
            "92fcd6bc0a32712e9d4a4cdbcb5a7bb7"
        );
    }

    #[test]
    fn template_strings() {
        assert_eq!(template(None), "undefined");
        assert_eq!(template(Some(&json!(null))), "null");
        assert_eq!(template(Some(&json!({"Ref": "x"}))), "[object Object]");
        assert_eq!(template(Some(&json!(["a", null, 1]))), "a,,1");
        assert_eq!(template(Some(&json!(1.5))), "1.5");
    }

    #[test]
    fn replace_patterns() {
        assert_eq!(replace_first("a[X]b[X]", "[X]", "<$&>"), "a<[X]>b[X]");
        assert_eq!(replace_first("a[X]b", "[X]", "$$"), "a$b");
        assert_eq!(replace_first("a[X]b", "[X]", "$`|$'"), "aa|bb");
        assert_eq!(
            replace_first("a[X]b", "[X]", "${AWS::Region}$1"),
            "a${AWS::Region}$1b"
        );
        assert_eq!(replace_all("x${h}y${h}", "${h}", "Z"), "xZyZ");
    }

    #[test]
    fn lodash_has_paths() {
        let f = json!({"hello": {"handler": "h"}, "a.b": 1});
        let f = f.as_object().unwrap();
        assert!(lodash_has(f, "hello"));
        assert!(lodash_has(f, "a.b"));
        assert!(lodash_has(f, "hello.handler"));
        assert!(!lodash_has(f, "hello.Arn"));
    }

    #[test]
    fn object_order() {
        let g = vec![("b".to_string(), 1), ("10".into(), 2), ("2".into(), 3)];
        let keys: Vec<String> = js_object_order(g).into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["2", "10", "b"]);
    }
}
