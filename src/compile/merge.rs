//! lodash `_.merge` on JSON values: what the framework and the plugin use to put resources
//! into the template, and how `resources:` is merged over the generated ones.
//!
//! Objects merge key by key, arrays merge index by index (a shorter source array changes
//! only its first items), `null` overwrites, and a source object or array over a scalar
//! replaces it with a deep copy.

use serde_json::{Map, Value};

/// `_.merge(dst, src)`.
pub fn lodash_merge(dst: &mut Value, src: &Value) {
    match src {
        Value::Object(so) => match dst {
            Value::Object(d) => merge_object(d, so),
            Value::Array(da) => {
                // a plain object merged into an array only reaches its index keys
                for (k, v) in so {
                    if let Ok(i) = k.parse::<usize>()
                        && crate::yaml::is_array_index(k)
                    {
                        if i >= da.len() {
                            da.resize(i + 1, Value::Null);
                        }
                        merge_value_into_slot(&mut da[i], v);
                    }
                }
            }
            _ => {
                let mut fresh = Value::Object(Map::new());
                lodash_merge(&mut fresh, src);
                *dst = fresh;
            }
        },
        Value::Array(sa) => match dst {
            Value::Array(da) => merge_array(da, sa),
            _ => {
                let mut fresh = Vec::new();
                merge_array(&mut fresh, sa);
                *dst = Value::Array(fresh);
            }
        },
        other => *dst = other.clone(),
    }
}

fn merge_object(d: &mut Map<String, Value>, s: &Map<String, Value>) {
    // lodash reads an object or array source value with `safeGet`, which gives nothing for
    // `__proto__` (a primitive is assigned as it is)
    let dropped = |k: &str, v: &Value| k == "__proto__" && (v.is_object() || v.is_array());
    for (k, v) in s.iter().filter(|(k, v)| !dropped(k, v)) {
        match d.get_mut(k) {
            Some(slot) => merge_value_into_slot(slot, v),
            None => {
                d.insert(k.clone(), deep_copy(v));
            }
        }
    }
}

fn merge_array(d: &mut Vec<Value>, s: &[Value]) {
    for (i, v) in s.iter().enumerate() {
        if i < d.len() {
            merge_value_into_slot(&mut d[i], v);
        } else {
            d.push(deep_copy(v));
        }
    }
}

/// What lodash puts in an empty slot: a deep copy built by merging into a fresh container.
fn deep_copy(v: &Value) -> Value {
    let mut fresh = match v {
        Value::Object(_) => Value::Object(Map::new()),
        Value::Array(_) => Value::Array(Vec::new()),
        other => return other.clone(),
    };
    lodash_merge(&mut fresh, v);
    fresh
}

fn merge_value_into_slot(slot: &mut Value, v: &Value) {
    match v {
        Value::Object(_) | Value::Array(_) => lodash_merge(slot, v),
        other => *slot = other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merges_like_lodash() {
        let mut d = json!({"a": {"x": 1, "l": [{"E": "Allow", "A": 1}, 2]}, "b": 1});
        lodash_merge(
            &mut d,
            &json!({"a": {"y": 2, "l": [{"E": "Deny"}]}, "b": null, "c": [1]}),
        );
        assert_eq!(
            d,
            json!({"a": {"x": 1, "l": [{"E": "Deny", "A": 1}, 2], "y": 2}, "b": null, "c": [1]})
        );
        let mut d = json!({"a": "s"});
        lodash_merge(&mut d, &json!({"a": {"k": [1]}}));
        assert_eq!(d, json!({"a": {"k": [1]}}));
        let mut d = json!({});
        lodash_merge(
            &mut d,
            &json!({"m": {"__proto__": {"x": 1}, "y": [{"__proto__": 1}, {"__proto__": []}]}}),
        );
        assert_eq!(d, json!({"m": {"y": [{"__proto__": 1}, {}]}}));
        let mut d = json!({"a": [1, 2, 3]});
        lodash_merge(&mut d, &json!({"a": [null]}));
        assert_eq!(d, json!({"a": [null, 2, 3]}));
    }
}
