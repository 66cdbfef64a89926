//! A small YAML writer for templates: block style, long-form intrinsics, strings quoted
//! whenever a YAML 1.1 or 1.2 reader could take them for anything but a string.

use serde_json::Value;

use super::json::{js_key_order, js_number, write_string};

/// The template as YAML (long-form intrinsics: `Fn::GetAtt: [a, b]`).
pub fn to_yaml(v: &Value) -> String {
    let mut out = String::new();
    match v {
        Value::Object(o) if !o.is_empty() => write_map(&mut out, o, 0),
        Value::Array(a) if !a.is_empty() => write_seq(&mut out, a, 0),
        other => {
            write_scalar(&mut out, other, 0);
            out.push('\n');
        }
    }
    out
}

fn indent(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push(' ');
    }
}

fn write_map(out: &mut String, o: &serde_json::Map<String, Value>, ind: usize) {
    for k in js_key_order(o) {
        indent(out, ind);
        write_key(out, k);
        out.push(':');
        write_child(out, &o[k.as_str()], ind);
    }
}

fn write_seq(out: &mut String, a: &[Value], ind: usize) {
    for x in a {
        indent(out, ind);
        out.push('-');
        match x {
            Value::Object(o) if !o.is_empty() => {
                // first key on the dash line
                let mut first = true;
                for k in js_key_order(o) {
                    if first {
                        out.push(' ');
                        first = false;
                    } else {
                        indent(out, ind + 2);
                    }
                    write_key(out, k);
                    out.push(':');
                    write_child(out, &o[k.as_str()], ind + 2);
                }
            }
            Value::Array(inner) if !inner.is_empty() => {
                out.push('\n');
                write_seq(out, inner, ind + 2);
            }
            other => {
                out.push(' ');
                write_scalar(out, other, ind + 2);
                out.push('\n');
            }
        }
    }
}

fn write_child(out: &mut String, v: &Value, ind: usize) {
    match v {
        Value::Object(o) if !o.is_empty() => {
            out.push('\n');
            write_map(out, o, ind + 2);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            write_seq(out, a, ind);
        }
        other => {
            out.push(' ');
            write_scalar(out, other, ind + 2);
            out.push('\n');
        }
    }
}

fn write_key(out: &mut String, k: &str) {
    if needs_quotes(k) || k.contains('\n') {
        write_string(out, k);
    } else {
        out.push_str(k);
    }
}

fn write_scalar(out: &mut String, v: &Value, ind: usize) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                out.push_str(&i.to_string());
            } else {
                out.push_str(&js_number(n.as_f64().unwrap_or(0.0)));
            }
        }
        Value::String(s) => write_str(out, s, ind),
        Value::Array(_) => out.push_str("[]"),
        Value::Object(_) => out.push_str("{}"),
    }
}

fn write_str(out: &mut String, s: &str, ind: usize) {
    let block_ok = s.contains('\n')
        && !s.starts_with([' ', '\t'])
        && s.chars()
            .all(|c| c == '\n' || (!c.is_control() && c != '\u{feff}'))
        && !s.lines().any(|l| l.ends_with(' ') || l.ends_with('\t'));
    if block_ok {
        let chomp = if s.ends_with("\n\n") {
            "+"
        } else if s.ends_with('\n') {
            ""
        } else {
            "-"
        };
        out.push('|');
        out.push_str(chomp);
        for line in s.trim_end_matches('\n').split('\n') {
            out.push('\n');
            if !line.is_empty() {
                indent(out, ind);
                out.push_str(line);
            }
        }
        if s.ends_with("\n\n") {
            for _ in 0..s.len() - s.trim_end_matches('\n').len() - 1 {
                out.push('\n');
            }
        }
        return;
    }
    if needs_quotes(s) {
        write_string(out, s);
    } else {
        out.push_str(s);
    }
}

/// True when a plain scalar would not read back as this exact string.
fn needs_quotes(s: &str) -> bool {
    if s.is_empty() || s.trim() != s {
        return true;
    }
    let lower = s.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "~" | "null"
            | "true"
            | "false"
            | "yes"
            | "no"
            | "on"
            | "off"
            | "y"
            | "n"
            | ".inf"
            | "-.inf"
            | "+.inf"
            | ".nan"
            | "<<"
    ) {
        return true;
    }
    let first = s.chars().next().unwrap_or(' ');
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        return true;
    }
    if s.contains(": ") || s.contains(" #") || s.ends_with(':') {
        return true;
    }
    if s.chars().any(|c| c.is_control() || c == '\u{feff}') {
        return true;
    }
    // anything number- or date-like
    if first.is_ascii_digit() || first == '.' || first == '+' {
        return true;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn yaml_shapes() {
        let v = json!({
            "A": {"Type": "AWS::S3::Bucket", "Properties": {"Tags": [{"Key": "k", "Value": "yes"}], "N": 1, "E": []}},
            "L": ["a", ["b"], "2021"],
            "S": "line1\nline2"
        });
        let y = to_yaml(&v);
        assert_eq!(
            y,
            "A:\n  Type: AWS::S3::Bucket\n  Properties:\n    Tags:\n    - Key: k\n      Value: \"yes\"\n    \"N\": 1\n    E: []\nL:\n- a\n-\n  - b\n- \"2021\"\nS: |-\n  line1\n  line2\n"
        );
    }
}
