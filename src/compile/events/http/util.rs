//! The few JavaScript / lodash value rules the plugin's http code relies on.

use indexmap::IndexMap;
use serde_json::{Map, Value};

use crate::source::Span;
use crate::yaml::{Kind, Mapping, Node, is_array_index, js_to_string, number_to_json};

/// JavaScript truthiness of a possibly absent value.
pub fn truthy(n: Option<&Node>) -> bool {
    n.is_some_and(Node::is_truthy)
}

/// `map[key]` when it is truthy.
pub fn truthy_at<'a>(map: Option<&'a Mapping>, key: &str) -> Option<&'a Node> {
    map.and_then(|m| m.get(key)).filter(|n| n.is_truthy())
}

/// JavaScript `String(v)`, `undefined` for an absent value.
pub fn js_string(n: Option<&Node>) -> String {
    n.map(js_to_string)
        .unwrap_or_else(|| "undefined".to_string())
}

/// `a string`, `an object`, … for a value's JavaScript type.
pub fn a_type(n: &Node) -> String {
    let t = n.type_name();
    match t {
        "object" | "array" => format!("an {t}"),
        _ => format!("a {t}"),
    }
}

/// Where to point at `map[key]`: its value, else the key, else `fallback`.
pub fn span_of(map: Option<&Mapping>, key: &str, fallback: Span) -> Span {
    match map {
        Some(m) => match m.entry(key) {
            Some(e) if !e.value.is_null() => e.value.span,
            Some(e) => e.key_span,
            None => fallback,
        },
        None => fallback,
    }
}

/// A JSON object from `(key, value)` pairs, in order.
pub fn obj<const N: usize>(pairs: [(&str, Value); N]) -> Value {
    let mut m = Map::new();
    for (k, v) in pairs {
        m.insert(k.to_string(), v);
    }
    Value::Object(m)
}

/// `{"Ref": id}`
pub fn reference(id: &str) -> Value {
    obj([("Ref", Value::String(id.to_string()))])
}

/// `{"Fn::GetAtt": [id, attr]}`
pub fn get_att(id: &str, attr: &str) -> Value {
    obj([(
        "Fn::GetAtt",
        Value::Array(vec![
            Value::String(id.to_string()),
            Value::String(attr.to_string()),
        ]),
    )])
}

/// Re-orders keys the way a JavaScript object lists them: integer-like keys first, ascending,
/// then the others in insertion order.
pub fn js_ordered<T>(m: IndexMap<String, T>) -> IndexMap<String, T> {
    let mut ints: Vec<(String, T)> = Vec::new();
    let mut rest: Vec<(String, T)> = Vec::new();
    for (k, v) in m {
        if is_array_index(&k) {
            ints.push((k, v));
        } else {
            rest.push((k, v));
        }
    }
    ints.sort_by_key(|(k, _)| k.parse::<u64>().unwrap_or(0));
    ints.into_iter().chain(rest).collect()
}

/// lodash `toInteger` of an object key (`"200"` → 200, `"default"` → 0).
pub fn key_to_integer(key: &str) -> f64 {
    let t = key.trim_matches(crate::js::is_space);
    // lodash's own binary / octal / signed-hex rules come before `+value`
    let lower = t.to_ascii_lowercase();
    let n = if lower.len() > 2
        && lower.starts_with("0b")
        && lower[2..].chars().all(|c| c == '0' || c == '1')
        || lower.len() > 2
            && lower.starts_with("0o")
            && lower[2..].chars().all(|c| ('0'..='7').contains(&c))
    {
        crate::js::string_to_number(t)
    } else if (lower.starts_with("-0x") || lower.starts_with("+0x"))
        && lower.len() > 3
        && lower[3..].chars().all(|c| c.is_ascii_hexdigit())
    {
        f64::NAN
    } else {
        crate::js::string_to_number(t)
    };
    let finite = if n.is_nan() {
        0.0
    } else if n.is_infinite() {
        f64::MAX.copysign(n)
    } else {
        n
    };
    finite - finite % 1.0
}

/// `Number.parseInt(String(v), 10)`; `None` for `NaN`.
pub fn parse_int(n: &Node) -> Option<f64> {
    let s = js_to_string(n);
    let t = s.trim_start_matches(crate::js::is_space);
    let (negative, digits) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let end = digits.bytes().take_while(|b| b.is_ascii_digit()).count();
    if end == 0 {
        return None;
    }
    let v: f64 = digits[..end].parse().ok()?;
    Some(if negative { -v } else { v })
}

/// A number as JSON, as `JSON.stringify` writes it.
pub fn number(n: f64) -> Value {
    number_to_json(n)
}

/// One element of a CORS list: how `Array.prototype.join` writes it, and an identity for
/// lodash `union` (SameValueZero; objects are never equal to another element).
#[derive(Clone, Debug)]
pub struct Item {
    key: Option<String>,
    pub text: String,
}

impl Item {
    pub fn str(s: &str) -> Item {
        Item {
            key: Some(format!("s:{s}")),
            text: s.to_string(),
        }
    }

    pub fn of(n: &Node) -> Item {
        match &n.kind {
            Kind::String(s) => Item::str(s),
            Kind::Null => Item {
                key: Some("null".into()),
                text: String::new(),
            },
            Kind::Number(_) | Kind::Bool(_) => Item {
                key: Some(format!("{}:{}", n.type_name(), js_to_string(n))),
                text: js_to_string(n),
            },
            Kind::Seq(_) | Kind::Map(_) => Item {
                key: None,
                text: js_to_string(n),
            },
        }
    }

    pub fn is_str(&self, s: &str) -> bool {
        self.key.as_deref() == Some(&format!("s:{s}"))
    }
}

/// lodash `union(a, b)`.
pub fn union(a: &[Item], b: &[Item]) -> Vec<Item> {
    let mut out: Vec<Item> = Vec::new();
    for x in a.iter().chain(b) {
        let dup = x.key.is_some() && out.iter().any(|y| y.key == x.key);
        if !dup {
            out.push(x.clone());
        }
    }
    out
}

/// `Array.prototype.join(',')`.
pub fn join(items: &[Item]) -> String {
    items
        .iter()
        .map(|i| i.text.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_integer() {
        assert_eq!(key_to_integer("200"), 200.0);
        assert_eq!(key_to_integer(" 201 "), 201.0);
        assert_eq!(key_to_integer("default"), 0.0);
        assert_eq!(key_to_integer("4.7"), 4.0);
        assert_eq!(key_to_integer("-4.7"), -4.0);
        assert_eq!(key_to_integer("0x10"), 16.0);
        assert_eq!(key_to_integer("-0x10"), 0.0);
        assert_eq!(key_to_integer("0b11"), 3.0);
        assert_eq!(key_to_integer("1e3"), 1000.0);
        assert_eq!(key_to_integer("Infinity"), f64::MAX);
        assert_eq!(key_to_integer("2xx"), 0.0);
        assert_eq!(key_to_integer(""), 0.0);
    }

    #[test]
    fn parse_int_like_js() {
        let n = |s: &str| parse_int(&Node::string(Span::NONE, s));
        assert_eq!(n("300"), Some(300.0));
        assert_eq!(n("  15s"), Some(15.0));
        assert_eq!(n("-7"), Some(-7.0));
        assert_eq!(n("abc"), None);
        assert_eq!(n(""), None);
        assert_eq!(
            parse_int(&Node::new(Span::NONE, Kind::Number(3.9))),
            Some(3.0)
        );
        assert_eq!(parse_int(&Node::new(Span::NONE, Kind::Bool(true))), None);
        assert_eq!(parse_int(&Node::null(Span::NONE)), None);
    }

    #[test]
    fn union_and_join() {
        let a = vec![Item::str("OPTIONS"), Item::str("GET")];
        let b = vec![Item::str("OPTIONS"), Item::str("POST")];
        assert_eq!(join(&union(&a, &b)), "OPTIONS,GET,POST");
    }

    #[test]
    fn js_order() {
        let mut m = IndexMap::new();
        for k in ["b", "10", "a", "2"] {
            m.insert(k.to_string(), ());
        }
        let keys: Vec<String> = js_ordered(m).into_keys().collect();
        assert_eq!(keys, ["2", "10", "b", "a"]);
    }
}
