//! JSON text exactly as JavaScript's `JSON.stringify` writes it.
//!
//! The framework writes the template with `JSON.stringify(t, null, 2)` and the step-functions
//! plugin builds `DefinitionString` the same way, so slsx must match it byte for byte: the
//! number format of `Number.prototype.toString`, JavaScript's property order (integer-like
//! keys first), and `JSON.stringify`'s string escapes.

use serde_json::Value;

use crate::compile::{Section, Template};

/// `Number.prototype.toString()` of a double.
pub fn js_number(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if x == 0.0 {
        return "0".into();
    }
    if x < 0.0 {
        return format!("-{}", js_number(-x));
    }
    // Rust's `{:e}` is the shortest round-trip representation: d[.ddd]e[-]N
    let sci = format!("{x:e}");
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let e: i32 = exp.parse().unwrap_or(0);
    let digits: String = mant.chars().filter(|c| *c != '.').collect();
    let k = digits.len() as i32;
    let n = e + 1;
    if k <= n && n <= 21 {
        let mut s = digits;
        s.extend(std::iter::repeat_n('0', (n - k) as usize));
        s
    } else if 0 < n && n <= 21 {
        format!("{}.{}", &digits[..n as usize], &digits[n as usize..])
    } else if -6 < n && n <= 0 {
        format!("0.{}{}", "0".repeat((-n) as usize), digits)
    } else {
        let sign = if n - 1 < 0 { '-' } else { '+' };
        let ee = (n - 1).abs();
        if k == 1 {
            format!("{digits}e{sign}{ee}")
        } else {
            format!("{}.{}e{sign}{ee}", &digits[..1], &digits[1..])
        }
    }
}

/// Where JSON text goes: a `String`, or an I/O stream (so a large template is written
/// without first being held as one string).
pub trait Sink {
    fn push_str(&mut self, s: &str);
    fn push(&mut self, c: char) {
        let mut buf = [0u8; 4];
        self.push_str(c.encode_utf8(&mut buf));
    }
}

impl Sink for String {
    fn push_str(&mut self, s: &str) {
        String::push_str(self, s);
    }
    fn push(&mut self, c: char) {
        String::push(self, c);
    }
}

/// A buffered I/O stream that keeps the first error.
struct IoSink<'a> {
    w: std::io::BufWriter<&'a mut dyn std::io::Write>,
    err: Option<std::io::Error>,
}

impl Sink for IoSink<'_> {
    fn push_str(&mut self, s: &str) {
        if self.err.is_none()
            && let Err(e) = std::io::Write::write_all(&mut self.w, s.as_bytes())
        {
            self.err = Some(e);
        }
    }
}

/// Appends a string literal with `JSON.stringify`'s escapes.
pub fn write_string<S: Sink + ?Sized>(out: &mut S, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn write_number<S: Sink + ?Sized>(out: &mut S, n: &serde_json::Number) {
    if let Some(i) = n.as_i64() {
        out.push_str(&i.to_string());
    } else if let Some(u) = n.as_u64() {
        out.push_str(&u.to_string());
    } else {
        let f = n.as_f64().unwrap_or(0.0);
        if f.is_finite() {
            out.push_str(&js_number(f));
        } else {
            out.push_str("null");
        }
    }
}

/// The keys of an object in JavaScript property order.
pub fn js_key_order(o: &serde_json::Map<String, Value>) -> Vec<&String> {
    js_order(o.keys())
}

/// Keys in JavaScript property order: integer-like keys first, ascending, then the rest in
/// the order given.
pub fn js_order<'a>(keys: impl Iterator<Item = &'a String>) -> Vec<&'a String> {
    let mut ints: Vec<(u64, &String)> = Vec::new();
    let mut rest: Vec<&String> = Vec::new();
    for k in keys {
        if crate::yaml::is_array_index(k) {
            ints.push((k.parse().unwrap_or(0), k));
        } else {
            rest.push(k);
        }
    }
    if ints.is_empty() {
        return rest;
    }
    ints.sort_by_key(|(n, _)| *n);
    ints.into_iter().map(|(_, k)| k).chain(rest).collect()
}

fn write_value<S: Sink + ?Sized>(out: &mut S, v: &Value, indent: usize, depth: usize) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => write_number(out, n),
        Value::String(s) => write_string(out, s),
        Value::Array(a) => {
            if a.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, depth + 1);
                write_value(out, x, indent, depth + 1);
            }
            newline(out, indent, depth);
            out.push(']');
        }
        Value::Object(o) => {
            if o.is_empty() {
                out.push_str("{}");
                return;
            }
            out.push('{');
            for (i, k) in js_key_order(o).into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, depth + 1);
                write_string(out, k);
                out.push(':');
                if indent > 0 {
                    out.push(' ');
                }
                write_value(out, &o[k.as_str()], indent, depth + 1);
            }
            newline(out, indent, depth);
            out.push('}');
        }
    }
}

fn newline<S: Sink + ?Sized>(out: &mut S, indent: usize, depth: usize) {
    if indent > 0 {
        out.push('\n');
        for _ in 0..indent * depth {
            out.push(' ');
        }
    }
}

/// `JSON.stringify(v)`: compact.
pub fn to_compact(v: &Value) -> String {
    let mut s = String::new();
    write_value(&mut s, v, 0, 0);
    s
}

/// `JSON.stringify(v, null, indent)` and a newline, written to `w` as it is produced.
pub fn write_pretty(v: &Value, indent: usize, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut sink = IoSink {
        w: std::io::BufWriter::with_capacity(64 * 1024, w),
        err: None,
    };
    write_value(&mut sink, v, indent, 0);
    sink.push_str("\n");
    if let Some(e) = sink.err {
        return Err(e);
    }
    std::io::Write::flush(&mut sink.w)
}

/// [`write_pretty`] for a [`Template`]: its packed resources are unpacked one at a time as
/// they are written, so the whole template never exists as one tree.
pub fn write_template_pretty(
    t: &Template,
    indent: usize,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut sink = IoSink {
        w: std::io::BufWriter::with_capacity(64 * 1024, w),
        err: None,
    };
    let head = t.head();
    if head.is_empty() {
        sink.push_str("{}");
    } else {
        sink.push('{');
        for (i, k) in js_key_order(head).into_iter().enumerate() {
            if i > 0 {
                sink.push(',');
            }
            newline(&mut sink, indent, 1);
            write_string(&mut sink, k);
            sink.push(':');
            if indent > 0 {
                sink.push(' ');
            }
            match k.as_str() {
                "Resources" => write_section(&mut sink, t.resources(), indent),
                "Outputs" => write_section(&mut sink, t.outputs(), indent),
                _ => write_value(&mut sink, &head[k.as_str()], indent, 1),
            }
            if sink.err.is_some() {
                break;
            }
        }
        newline(&mut sink, indent, 0);
        sink.push('}');
    }
    sink.push_str("\n");
    if let Some(e) = sink.err {
        return Err(e);
    }
    std::io::Write::flush(&mut sink.w)
}

fn write_section<S: Sink + ?Sized>(out: &mut S, s: &Section, indent: usize) {
    if let Some(other) = s.other() {
        write_value(out, other, indent, 1);
        return;
    }
    if s.is_empty() {
        out.push_str("{}");
        return;
    }
    out.push('{');
    for (i, k) in js_order(s.keys()).into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        newline(out, indent, 2);
        write_string(out, k);
        out.push(':');
        if indent > 0 {
            out.push(' ');
        }
        if let Some(v) = s.get(k) {
            write_value(out, &v, indent, 2);
        }
    }
    newline(out, indent, 1);
    out.push('}');
}

/// `JSON.stringify(v, null, indent)`.
pub fn to_pretty(v: &Value, indent: usize) -> String {
    let mut s = String::new();
    write_value(&mut s, v, indent, 0);
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_like_javascript() {
        let cases: &[(f64, &str)] = &[
            (0.1, "0.1"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (123456789012345678901234567890.0, "1.2345678901234568e+29"),
            (-0.0, "0"),
            (1.0, "1"),
            (2.5, "2.5"),
            (1.5e-7, "1.5e-7"),
            (0.000001, "0.000001"),
            (0.0000001, "1e-7"),
            (31.0, "31"),
            (-12.75, "-12.75"),
            (9007199254740993.0, "9007199254740992"),
            (12345678901234567890.0, "12345678901234567000"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
            (123.456, "123.456"),
            (1e-6, "0.000001"),
        ];
        for (x, want) in cases {
            assert_eq!(js_number(*x), *want, "{x}");
        }
    }

    #[test]
    fn strings_like_javascript() {
        let mut s = String::new();
        write_string(
            &mut s,
            "a\"b\\c\u{8}\u{c}\n\r\t\u{1}\u{1f}\u{7f}\u{2028}😀/</script>",
        );
        assert_eq!(
            s,
            "\"a\\\"b\\\\c\\b\\f\\n\\r\\t\\u0001\\u001f\u{7f}\u{2028}😀/</script>\""
        );
    }

    #[test]
    fn pretty_like_javascript() {
        let v = json!({"b": [1, {"x": []}], "a": {}, "10": 1, "2": true});
        assert_eq!(
            to_pretty(&v, 2),
            "{\n  \"2\": true,\n  \"10\": 1,\n  \"b\": [\n    1,\n    {\n      \"x\": []\n    }\n  ],\n  \"a\": {}\n}"
        );
        assert_eq!(
            to_compact(&json!({"Ref": "x", "n": 1.5})),
            "{\"Ref\":\"x\",\"n\":1.5}"
        );
    }
}
