//! The spanned value tree every stage works on.
//!
//! It models exactly what the Serverless Framework sees after `js-yaml` and its JSON round
//! trip: null, booleans, numbers (JS doubles), strings, arrays and objects whose key order
//! follows JavaScript's rules (integer-like keys first, ascending; then insertion order).

use serde_json::Value as Json;
use std::collections::HashMap;

/// The text of keys and string values: up to 24 bytes kept inline (most keys and values of
/// a configuration), so that they need no allocation of their own.
pub type Str = compact_str::CompactString;

use crate::source::Span;

/// A value and where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub span: Span,
    pub kind: Kind,
}

/// The value itself.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    Null,
    Bool(bool),
    /// Every number is a JS double.
    Number(f64),
    String(Str),
    Seq(Vec<Node>),
    Map(Mapping),
}

/// One object entry: the key's span and the value.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key_span: Span,
    pub value: Node,
}

/// An object with JavaScript property order.
///
/// The entries sit in one vector in property order; a mapping of more than [`INDEXED`]
/// entries also keeps a key → position index. (An `IndexMap` per mapping cost a hash table
/// for every small object of the configuration, and most are small.)
#[derive(Clone, Debug, Default)]
pub struct Mapping {
    // one allocation holding length, capacity and entries: the mapping itself is 16 bytes and
    // sits inline in `Kind` (a `Box<Mapping>` cost a second allocation per object)
    entries: thin_vec::ThinVec<(Str, Entry)>,
    // boxed: 8 bytes in every mapping instead of 48, and only big mappings have one
    #[allow(clippy::box_collection)]
    index: Option<Box<HashMap<Str, usize>>>,
}

/// From how many entries on a mapping keeps an index.
const INDEXED: usize = 12;

impl PartialEq for Mapping {
    /// The same keys with equal entries, in any order (as `IndexMap` compared them).
    fn eq(&self, other: &Mapping) -> bool {
        self.len() == other.len() && self.entries.iter().all(|(k, e)| other.entry(k) == Some(e))
    }
}

/// True when `key` is a canonical array index (`0` … `4294967294`), which JavaScript orders
/// before all other keys of an object.
pub fn is_array_index(key: &str) -> bool {
    if key.is_empty() || key.len() > 10 {
        return false;
    }
    if key != "0" && key.starts_with('0') {
        return false;
    }
    if !key.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    key.parse::<u64>()
        .map(|n| n < 4_294_967_295)
        .unwrap_or(false)
}

impl Mapping {
    pub fn new() -> Mapping {
        Mapping::default()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn position(&self, key: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(key).copied(),
            None => self.entries.iter().position(|(k, _)| k == key),
        }
    }

    /// Rebuilds the index after positions moved (or drops it for a small mapping).
    fn reindex(&mut self) {
        self.index = (self.entries.len() > INDEXED).then(|| {
            Box::new(
                self.entries
                    .iter()
                    .enumerate()
                    .map(|(i, (k, _))| (k.clone(), i))
                    .collect(),
            )
        });
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        let i = self.position(key)?;
        Some(&mut self.entries[i].1.value)
    }

    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.position(key).map(|i| &self.entries[i].1)
    }

    pub fn key_span(&self, key: &str) -> Option<Span> {
        self.entry(key).map(|e| e.key_span)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_some()
    }

    /// Sets a property the way JavaScript assignment does: an existing key keeps its place, a
    /// new integer-like key goes among the integer keys in ascending order, any other new key
    /// goes last. Returns the previous value.
    pub fn insert(&mut self, key: impl Into<Str>, key_span: Span, value: Node) -> Option<Node> {
        let key = key.into();
        if let Some(i) = self.position(&key) {
            let e = &mut self.entries[i].1;
            let old = std::mem::replace(&mut e.value, value);
            e.key_span = key_span;
            return Some(old);
        }
        let entry = Entry { key_span, value };
        let at_end = if is_array_index(&key) {
            let n: u64 = key.parse().unwrap_or(0);
            // the integer keys are a sorted prefix: binary search, so that building an object
            // of many integer keys (`!!binary`, a generated map) is not quadratic
            let below = |k: &str| is_array_index(k) && k.parse::<u64>().unwrap_or(0) < n;
            match self.entries.last() {
                // ascending integer keys: append
                Some((last, _)) if below(last) => None,
                None => None,
                _ => Some(self.entries.partition_point(|(k, _)| below(k))),
            }
        } else {
            None
        };
        match at_end {
            Some(pos) if pos < self.entries.len() => {
                if let Some(index) = &mut self.index {
                    // the entries from `pos` on move one place back
                    for i in index.values_mut() {
                        if *i >= pos {
                            *i += 1;
                        }
                    }
                    index.insert(key.clone(), pos);
                }
                self.entries.insert(pos, (key, entry));
                if self.index.is_none() && self.entries.len() > INDEXED {
                    self.reindex();
                }
            }
            _ => {
                if let Some(index) = &mut self.index {
                    index.insert(key.clone(), self.entries.len());
                }
                self.entries.push((key, entry));
                if self.index.is_none() && self.entries.len() > INDEXED {
                    self.reindex();
                }
            }
        }
        None
    }

    /// Removes a key, keeping the order of the rest.
    pub fn remove(&mut self, key: &str) -> Option<Node> {
        self.remove_entry(key).map(|(_, e)| e.value)
    }

    /// Removes a key with its span.
    pub fn remove_entry(&mut self, key: &str) -> Option<(Str, Entry)> {
        let i = self.position(key)?;
        let removed = self.entries.remove(i);
        if self.entries.len() <= INDEXED {
            self.index = None;
        } else if let Some(index) = &mut self.index {
            index.remove(key);
            for j in index.values_mut() {
                if *j > i {
                    *j -= 1;
                }
            }
        }
        Some(removed)
    }

    /// Frees the room kept for more entries (a finished mapping of the loader).
    pub fn shrink_to_fit(&mut self) {
        self.entries.shrink_to_fit();
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&Str, &Entry)> + ExactSizeIterator {
        self.entries.iter().map(|(k, e)| (k, e))
    }

    pub fn iter_mut(&mut self) -> impl DoubleEndedIterator<Item = (&Str, &mut Entry)> {
        self.entries.iter_mut().map(|(k, e)| (&*k, e))
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &Str> + ExactSizeIterator {
        self.entries.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Node> {
        self.entries.iter().map(|(_, e)| &e.value)
    }

    pub fn values_mut(&mut self) -> impl DoubleEndedIterator<Item = &mut Node> {
        self.entries.iter_mut().map(|(_, e)| &mut e.value)
    }

    /// Keeps the entries for which `f` returns true.
    pub fn retain(&mut self, mut f: impl FnMut(&str, &mut Entry) -> bool) {
        let before = self.entries.len();
        self.entries.retain_mut(|(k, e)| f(k, e));
        if self.entries.len() != before && self.index.is_some() {
            self.reindex();
        }
    }
}

impl Node {
    pub fn new(span: Span, kind: Kind) -> Node {
        Node { span, kind }
    }

    pub fn null(span: Span) -> Node {
        Node::new(span, Kind::Null)
    }

    pub fn string(span: Span, s: impl Into<Str>) -> Node {
        Node::new(span, Kind::String(s.into()))
    }

    pub fn map(span: Span, mut m: Mapping) -> Node {
        m.shrink_to_fit();
        Node::new(span, Kind::Map(m))
    }

    pub fn seq(span: Span, mut items: Vec<Node>) -> Node {
        items.shrink_to_fit();
        Node::new(span, Kind::Seq(items))
    }

    pub fn is_null(&self) -> bool {
        matches!(self.kind, Kind::Null)
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.kind {
            Kind::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self.kind {
            Kind::Number(n) => Some(n),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&Mapping> {
        match &self.kind {
            Kind::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_map_mut(&mut self) -> Option<&mut Mapping> {
        match &mut self.kind {
            Kind::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.kind {
            Kind::Seq(v) => Some(v),
            _ => None,
        }
    }

    pub fn as_seq_mut(&mut self) -> Option<&mut Vec<Node>> {
        match &mut self.kind {
            Kind::Seq(v) => Some(v),
            _ => None,
        }
    }

    /// `self[key]` when `self` is an object.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map().and_then(|m| m.get(key))
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        self.as_map_mut().and_then(|m| m.get_mut(key))
    }

    /// Follows a path of object keys (and array indices given as numbers).
    pub fn at(&self, path: &[&str]) -> Option<&Node> {
        let mut cur = self;
        for p in path {
            cur = match &cur.kind {
                Kind::Map(m) => m.get(p)?,
                Kind::Seq(v) => v.get(p.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(cur)
    }

    /// JavaScript truthiness.
    pub fn is_truthy(&self) -> bool {
        match &self.kind {
            Kind::Null => false,
            Kind::Bool(b) => *b,
            Kind::Number(n) => *n != 0.0 && !n.is_nan(),
            Kind::String(s) => !s.is_empty(),
            Kind::Seq(_) | Kind::Map(_) => true,
        }
    }

    /// What JavaScript's `typeof` (with arrays and null told apart) would call it.
    pub fn type_name(&self) -> &'static str {
        match &self.kind {
            Kind::Null => "null",
            Kind::Bool(_) => "boolean",
            Kind::Number(_) => "number",
            Kind::String(_) => "string",
            Kind::Seq(_) => "array",
            Kind::Map(_) => "object",
        }
    }

    /// A CloudFormation intrinsic: an object with a key that is `Ref`, `Condition` or starts
    /// with `Fn::`.
    pub fn is_intrinsic(&self) -> bool {
        self.as_map()
            .is_some_and(|m| m.keys().any(|k| k == "Ref" || k.starts_with("Fn::")))
    }

    /// Converts to JSON, the way `JSON.stringify` would see the value (non-finite numbers
    /// become `null`).
    pub fn to_json(&self) -> Json {
        match &self.kind {
            Kind::Null => Json::Null,
            Kind::Bool(b) => Json::Bool(*b),
            Kind::Number(n) => number_to_json(*n),
            Kind::String(s) => Json::String(s.to_string()),
            Kind::Seq(v) => Json::Array(v.iter().map(Node::to_json).collect()),
            Kind::Map(m) => {
                let mut o = serde_json::Map::with_capacity(m.len());
                for (k, e) in m.iter() {
                    o.insert(k.to_string(), e.value.to_json());
                }
                Json::Object(o)
            }
        }
    }

    /// Builds a tree from JSON; every node gets `span`.
    pub fn from_json(v: &Json, span: Span) -> Node {
        let kind = match v {
            Json::Null => Kind::Null,
            Json::Bool(b) => Kind::Bool(*b),
            Json::Number(n) => Kind::Number(n.as_f64().unwrap_or(0.0)),
            Json::String(s) => Kind::String(s.clone().into()),
            Json::Array(a) => Kind::Seq(a.iter().map(|x| Node::from_json(x, span)).collect()),
            Json::Object(o) => {
                let mut m = Mapping::new();
                for (k, x) in o {
                    m.insert(k.clone(), span, Node::from_json(x, span));
                }
                Kind::Map(m)
            }
        };
        Node { span, kind }
    }

    /// Number of nodes in this tree (for budgets).
    pub fn count(&self) -> usize {
        let mut n = 0;
        self.visit(|_, _| {
            n += 1;
            true
        });
        n
    }

    /// Calls `f` on every node of this tree (with its key when it is an object's value), in
    /// no particular order, until `f` returns false. Iterative: a deep tree needs no stack.
    pub fn visit(&self, mut f: impl FnMut(&Node, Option<&str>) -> bool) {
        let mut stack: Vec<(&Node, Option<&str>)> = vec![(self, None)];
        while let Some((x, key)) = stack.pop() {
            if !f(x, key) {
                return;
            }
            match &x.kind {
                Kind::Seq(v) => stack.extend(v.iter().map(|n| (n, None))),
                Kind::Map(m) => stack.extend(m.iter().map(|(k, e)| (&e.value, Some(k.as_str())))),
                _ => {}
            }
        }
    }
}

/// A JS double as a JSON number: integral values within ±2^53 become integers, non-finite
/// values become `null` (as `JSON.stringify` does).
pub fn number_to_json(n: f64) -> Json {
    if !n.is_finite() {
        return Json::Null;
    }
    if n == n.trunc() && n.abs() <= 9_007_199_254_740_992.0 {
        // -0 is written as 0 by JSON.stringify
        return Json::Number(serde_json::Number::from(n as i64));
    }
    serde_json::Number::from_f64(n)
        .map(Json::Number)
        .unwrap_or(Json::Null)
}

/// JavaScript `String(value)` for the values a config can hold.
pub fn js_to_string(node: &Node) -> String {
    match &node.kind {
        Kind::Null => "null".into(),
        Kind::Bool(b) => b.to_string(),
        Kind::Number(n) => crate::emit::json::js_number(*n),
        Kind::String(s) => s.to_string(),
        Kind::Seq(v) => v
            .iter()
            .map(|x| match x.kind {
                Kind::Null => String::new(),
                _ => js_to_string(x),
            })
            .collect::<Vec<_>>()
            .join(","),
        Kind::Map(_) => "[object Object]".into(),
    }
}

/// JavaScript `Number(value)` for a scalar (`NaN` for a list or a mapping, and for a string
/// that is not a number).
pub fn js_to_number(node: &Node) -> f64 {
    match &node.kind {
        Kind::Number(x) => *x,
        Kind::Bool(b) => f64::from(u8::from(*b)),
        Kind::Null => 0.0,
        Kind::String(s) => crate::js::string_to_number(s),
        _ => f64::NAN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Node {
        Node::string(Span::NONE, x)
    }

    #[test]
    fn js_key_order() {
        let mut m = Mapping::new();
        for k in [
            "zeta",
            "10",
            "2",
            "alpha",
            "01",
            "-1",
            "4294967295",
            "4294967294",
        ] {
            m.insert(k, Span::NONE, s(k));
        }
        let keys: Vec<&str> = m.keys().map(|k| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "2",
                "10",
                "4294967294",
                "zeta",
                "alpha",
                "01",
                "-1",
                "4294967295"
            ]
        );
    }

    #[test]
    fn integer_keys_in_any_order_are_sorted_and_fast() {
        let mut m = Mapping::new();
        m.insert("x", Span::NONE, s("x"));
        for k in ["5", "1", "3", "0", "4", "2"] {
            m.insert(k, Span::NONE, s(k));
        }
        let keys: Vec<&str> = m.keys().map(|k| k.as_str()).collect();
        assert_eq!(keys, ["0", "1", "2", "3", "4", "5", "x"]);
        // 200k ascending integer keys (what `!!binary` builds): quadratic took minutes
        let start = std::time::Instant::now();
        let mut m = Mapping::new();
        for i in 0..200_000u32 {
            m.insert(i.to_string(), Span::NONE, Node::null(Span::NONE));
        }
        assert_eq!(m.len(), 200_000);
        assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
    }

    #[test]
    fn reassign_keeps_position() {
        let mut m = Mapping::new();
        m.insert("a", Span::NONE, s("1"));
        m.insert("b", Span::NONE, s("2"));
        m.insert("a", Span::NONE, s("3"));
        let keys: Vec<&str> = m.keys().map(|k| k.as_str()).collect();
        assert_eq!(keys, ["a", "b"]);
        assert_eq!(m.get("a").unwrap().as_str(), Some("3"));
    }

    #[test]
    fn numbers_to_json() {
        assert_eq!(number_to_json(1.0).to_string(), "1");
        assert_eq!(number_to_json(-0.0).to_string(), "0");
        assert_eq!(number_to_json(f64::INFINITY), Json::Null);
        assert!(number_to_json(1.5).is_f64());
    }

    /// Many inserts, replacements and removals across the size where the index starts:
    /// every key is found where it is, with its latest value, integer keys first in order.
    #[test]
    fn mapping_index_follows_every_change() {
        let mut m = Mapping::new();
        let mut model: HashMap<String, String> = HashMap::new();
        let mut seed = 7u64;
        let mut next = |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        for step in 0..4000 {
            let k = match next(3) {
                0 => next(40).to_string(),
                _ => format!("k{}", next(60)),
            };
            match next(10) {
                0..=5 => {
                    let v = format!("v{step}");
                    m.insert(k.clone(), Span::NONE, s(&v));
                    model.insert(k, v);
                }
                6 | 7 => {
                    assert_eq!(m.remove(&k).is_some(), model.remove(&k).is_some());
                }
                8 => {
                    let cut = next(60);
                    m.retain(|k, _| !k.ends_with(&cut.to_string()));
                    model.retain(|k, _| !k.ends_with(&cut.to_string()));
                }
                _ => {
                    m.shrink_to_fit();
                }
            }
            assert_eq!(m.len(), model.len());
            for (i, (k, e)) in m.iter().enumerate() {
                assert_eq!(m.position(k), Some(i));
                assert_eq!(e.value.as_str(), model.get(k.as_str()).map(String::as_str));
            }
            let ints: Vec<u64> = m
                .keys()
                .take_while(|k| is_array_index(k))
                .map(|k| k.parse().unwrap())
                .collect();
            assert!(ints.windows(2).all(|w| w[0] < w[1]));
            assert!(m.keys().skip(ints.len()).all(|k| !is_array_index(k)));
            assert_eq!(m.index.is_some(), m.len() > INDEXED);
        }
    }
}
