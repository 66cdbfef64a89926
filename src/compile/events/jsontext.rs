//! Resources the real tools assemble as JSON *text*.
//!
//! serverless-step-functions builds its schedule and cloudwatchEvent / eventBridge rules, and
//! the framework its function schedule rules, by splicing values into a JSON template string
//! and `JSON.parse`-ing the result. Some values are spliced between quotes without escaping
//! (`name`, `description`, `inputPath`, `timezone`, the rate, …), `input` / `inputTemplate`
//! only get their `"` escaped. So a `"` or a `\` in such a value either breaks the parse (the
//! tool crashes, e.g. `Bad control character in string literal` for a multi-line YAML block
//! `input:`, or `Expected ',' or '}'` for a quote in `name`) or silently turns into something
//! else (`\n` written in a name becomes a line break, an object `input` whose strings contain
//! line breaks becomes invalid JSON).
//!
//! slsx reproduces this exactly: it assembles the same text ([`Text`]) and parses it. When the
//! parse succeeds, its result is what the real tool writes, and slsx writes it too (so the
//! template stays identical), adding a warning when it differs from the values as written.
//! When the parse fails, the real tool would crash; slsx instead writes what the tool
//! evidently intends — every value verbatim, as if it had been escaped properly (the
//! `intended` value the caller builds) — and warns. Either way the warning names each value
//! that does not survive the splicing.

use serde_json::{Map, Value};

use crate::diagnostics::Diag;
use crate::source::Span;
use crate::yaml::{Kind, Node, js_to_string};

/// One value spliced into the text without (full) JSON escaping.
#[derive(Debug)]
pub(crate) struct Spliced {
    /// What it is, for messages (`name`, `input`, …).
    pub field: String,
    /// The text as spliced.
    pub text: String,
    /// Whether it was spliced between quotes (`"<text>"`) or bare (`<text>`).
    pub quoted: bool,
    /// What it should read back as (`None`: it cannot be valid JSON at all).
    pub want: Option<Value>,
    /// Where the value was written.
    pub span: Span,
    /// What to say at `span` when the value is damaged (a default text when `None`).
    pub note: Option<String>,
}

impl Spliced {
    /// Whether this value reads back unchanged on its own.
    fn survives(&self) -> bool {
        let text = if self.quoted {
            format!("\"{}\"", self.text)
        } else {
            self.text.clone()
        };
        match (parse(&text), &self.want) {
            (Ok(v), Some(w)) => same(&v, w),
            _ => false,
        }
    }
}

/// JSON text being assembled, and the values spliced into it.
#[derive(Debug, Default)]
pub(crate) struct Text {
    buf: String,
    spliced: Vec<Spliced>,
}

impl Text {
    pub fn new() -> Text {
        Text::default()
    }

    /// Template text, copied as is.
    pub fn lit(&mut self, s: &str) -> &mut Text {
        self.buf.push_str(s);
        self
    }

    /// `"<text>"`: a value spliced between quotes, which should read back as `want`.
    pub fn quoted(&mut self, field: &str, text: &str, want: &str, span: Span) -> &mut Text {
        self.buf.push('"');
        self.buf.push_str(text);
        self.buf.push('"');
        self.spliced.push(Spliced {
            field: field.to_string(),
            text: text.to_string(),
            quoted: true,
            want: Some(Value::String(want.to_string())),
            span,
            note: None,
        });
        self
    }

    /// `<text>` spliced bare where a JSON value belongs (`JSON.stringify` output, or
    /// JavaScript's `String(undefined)` when a value is missing).
    pub fn bare(&mut self, field: &str, text: &str, want: Option<Value>, span: Span) -> &mut Text {
        self.buf.push_str(text);
        self.spliced.push(Spliced {
            field: field.to_string(),
            text: text.to_string(),
            quoted: false,
            want,
            span,
            note: None,
        });
        self
    }

    /// Sets what the warning says at the value spliced last.
    pub fn note(&mut self, note: &str) -> &mut Text {
        if let Some(s) = self.spliced.last_mut() {
            s.note = Some(note.to_string());
        }
        self
    }

    /// `JSON.stringify(v)` spliced bare: always reads back unchanged.
    pub fn json(&mut self, v: &Value) -> &mut Text {
        self.buf.push_str(&crate::emit::json::to_compact(v));
        self
    }

    pub fn as_str(&self) -> &str {
        &self.buf
    }

    /// The values that do not read back as written, in splicing order.
    pub fn damaged(&self) -> Vec<&Spliced> {
        self.spliced.iter().filter(|s| !s.survives()).collect()
    }
}

/// `JSON.parse`.
pub(crate) fn parse(text: &str) -> Result<Value, String> {
    serde_json::from_str::<Value>(text).map_err(|e| {
        // serde's message without its position (which points into the assembled text)
        let msg = e.to_string();
        match msg.find(" at line ") {
            Some(i) => msg[..i].to_string(),
            None => msg,
        }
    })
}

/// Deep equality as `JSON.stringify` would see it (numbers compared by their JS text).
fn same(a: &Value, b: &Value) -> bool {
    crate::emit::json::to_compact(a) == crate::emit::json::to_compact(b)
}

/// How the real tool's text compares with the intended value.
#[derive(Debug, PartialEq)]
pub(crate) enum Outcome {
    /// Identical.
    Same,
    /// The tool writes something else than the values as written.
    Altered,
    /// The tool crashes with this `JSON.parse` error.
    Crash(String),
}

/// What to write: the real tool's value when it parses, else the intended one.
pub(crate) fn settle(text: &Text, intended: Value) -> (Value, Outcome) {
    match parse(text.as_str()) {
        Ok(v) if same(&v, &intended) => (v, Outcome::Same),
        Ok(v) => (v, Outcome::Altered),
        Err(e) => (intended, Outcome::Crash(e)),
    }
}

/// The warning for an outcome other than [`Outcome::Same`]. `tool` names the real tool
/// (`serverless-step-functions`, `the framework`), `what` the resource, `event` the event's
/// node (the fallback location).
pub(crate) fn diag(
    code: &'static crate::diagnostics::Code,
    outcome: &Outcome,
    text: &Text,
    tool: &str,
    what: &str,
    event: Span,
) -> Option<Diag> {
    let damaged = text.damaged();
    let mut names: Vec<String> = Vec::new();
    for s in &damaged {
        let n = format!("`{}`", s.field);
        if !names.contains(&n) {
            names.push(n);
        }
    }
    let (fields, verb) = match names.len() {
        0 => ("a value".to_string(), "breaks"),
        1 => (names[0].clone(), "breaks"),
        _ => (names.join(", "), "break"),
    };
    let mut d = match outcome {
        Outcome::Same => return None,
        Outcome::Crash(e) => Diag::warning(
            code,
            format!(
                "{tool} would fail on this event: it assembles the {what} as JSON text, which {fields} {verb} (JSON.parse: {e})"
            ),
        )
        .help(
            "slsx writes the values exactly as given (what the tool intends); the real tool \
             chain cannot package this configuration. Avoid `\"`, `\\` and line breaks in these \
             values to stay compatible with it",
        ),
        Outcome::Altered => Diag::warning(
            code,
            format!(
                "{tool} changes {fields} of this event while assembling the {what} as JSON text"
            ),
        )
        .help(
            "slsx writes what the real tool writes, which is not the value as given: `\\` \
             sequences are read as JSON escapes and `\"` may end the string early. Avoid `\"`, \
             `\\` and line breaks in these values",
        ),
    };
    let mut primary = true;
    for s in &damaged {
        if s.span.is_none() {
            continue;
        }
        let text = match (&s.note, outcome) {
            (Some(n), _) => n.as_str(),
            (None, Outcome::Crash(_)) => "this value does not survive being spliced into JSON text",
            (None, _) => "this value is read back differently",
        };
        d = if primary {
            d.label(s.span, text)
        } else {
            d.secondary(s.span, text)
        };
        primary = false;
    }
    if primary {
        d = d.label(event, "in this event");
    }
    Some(d)
}

/// JavaScript's `s.replace(/\\n|\\r/g, '')` on JSON text: drops every two-character escape
/// `\n` / `\r`, scanning left to right (so `\\n` loses its last two characters).
pub(crate) fn strip_escaped_newlines(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c == '\\' && matches!(it.peek(), Some('n') | Some('r')) {
            it.next();
            continue;
        }
        out.push(c);
    }
    out
}

/// Escapes every `"` as `\"` (JavaScript `s.replace(/"/g, '\\"')`).
pub(crate) fn escape_quotes(s: &str) -> String {
    s.replace('"', "\\\"")
}

/// Removes every line break (`\n`, `\r`) from the strings (and keys) of a value.
pub(crate) fn without_line_breaks(v: &Value) -> Value {
    let strip = |s: &str| s.replace(['\n', '\r'], "");
    match v {
        Value::String(s) => Value::String(strip(s)),
        Value::Array(a) => Value::Array(a.iter().map(without_line_breaks).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, x)| (strip(k), without_line_breaks(x)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The part of an EventBridge rule the framework's function `cloudwatchEvent` events and the
/// plugin's state-machine `cloudwatchEvent` / `eventBridge` events assemble alike: from
/// `"EventPattern"` (the `JSON.stringify`-ed pattern, escaped `\n` / `\r` removed) through
/// `State`, `Description`, `Name` (spliced unescaped), up to the target's `Input` (`"` escaped,
/// escaped line breaks removed; an object is its JSON text) and `InputPath` (line breaks
/// removed). Writes the intended values into `props` and returns the target so far; the text
/// ends inside the target, after a `, ` when something was written into it.
pub(crate) fn rule_head(
    text: &mut Text,
    props: &mut Map<String, Value>,
    rule: &Node,
    pattern: &Node,
) -> Map<String, Value> {
    let truthy = |k: &str| rule.get(k).filter(|n| n.is_truthy());
    let pattern_json = pattern.to_json();
    let want = without_line_breaks(&pattern_json);
    text.lit("\"EventPattern\": ").bare(
        "event",
        &strip_escaped_newlines(&crate::emit::json::to_compact(&pattern_json)),
        Some(want.clone()),
        pattern.span,
    );
    props.insert("EventPattern".into(), want);
    let state = if rule.get("enabled").and_then(Node::as_bool) == Some(false) {
        "DISABLED"
    } else {
        "ENABLED"
    };
    text.lit(&format!(", \"State\": \"{state}\", "));
    props.insert("State".into(), Value::String(state.into()));
    for (field, prop) in [("description", "Description"), ("name", "Name")] {
        if let Some(n) = truthy(field) {
            let s = js_to_string(n);
            text.lit(&format!("\"{prop}\": "))
                .quoted(field, &s, &s, n.span)
                .lit(", ");
            props.insert(prop.into(), Value::String(s));
        }
    }
    text.lit("\"Targets\": [{");
    let mut target = Map::new();
    if let Some(i) = truthy("input") {
        let escaped = match &i.kind {
            Kind::String(s) => escape_quotes(s),
            _ => escape_quotes(&crate::emit::json::to_compact(&i.to_json())),
        };
        // intended: the input with its line breaks removed (for an object, from its strings)
        let want = match &i.kind {
            Kind::String(s) => s.replace(['\n', '\r'], ""),
            _ => crate::emit::json::to_compact(&without_line_breaks(&i.to_json())),
        };
        text.lit("\"Input\": ")
            .quoted("input", &strip_escaped_newlines(&escaped), &want, i.span)
            .lit(", ");
        target.insert("Input".into(), Value::String(want));
    }
    if let Some(p) = truthy("inputPath") {
        let s = js_to_string(p);
        let spliced = s.replace("\r\n", "").replace('\n', "");
        let want = s.replace(['\n', '\r'], "");
        text.lit("\"InputPath\": ")
            .quoted("inputPath", &spliced, &want, p.span)
            .lit(", ");
        target.insert("InputPath".into(), Value::String(want));
    }
    target
}

/// The end of an EventBridge rule assembled as JSON text: its one target goes into `props`,
/// the text is parsed as the tool does ([`settle`]), and a warning names what does not survive
/// (`event`: where to point when no spliced value can be named). Returns the resource.
pub(crate) fn finish_rule(
    text: &Text,
    mut props: Map<String, Value>,
    target: Map<String, Value>,
    tool: &str,
    event: Span,
    diags: &mut crate::diagnostics::Diags,
) -> Value {
    props.insert("Targets".into(), Value::Array(vec![Value::Object(target)]));
    let mut intended = Map::new();
    intended.insert("Type".into(), Value::String("AWS::Events::Rule".into()));
    intended.insert("Properties".into(), Value::Object(props));
    let (v, outcome) = settle(text, Value::Object(intended));
    if let Some(d) = diag(
        &super::JSON_TEXT,
        &outcome,
        text,
        tool,
        "EventBridge rule",
        event,
    ) {
        diags.push(d);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn escaped_newlines_are_stripped_like_the_regex() {
        assert_eq!(
            strip_escaped_newlines(r#"["a\nb","c\rd"]"#),
            r#"["ab","cd"]"#
        );
        // `\\n` (an escaped backslash before n): the regex matches the second `\` and the n
        assert_eq!(strip_escaped_newlines(r#""e\\nf""#), r#""e\f""#);
        assert_eq!(strip_escaped_newlines(r#""\t""#), r#""\t""#);
    }

    #[test]
    fn settles_like_the_tool() {
        let mut t = Text::new();
        t.lit("{\"Name\": ")
            .quoted("name", "plain", "plain", Span::NONE)
            .lit("}");
        assert_eq!(
            settle(&t, json!({"Name": "plain"})),
            (json!({"Name": "plain"}), Outcome::Same)
        );

        let mut t = Text::new();
        t.lit("{\"Name\": ")
            .quoted("name", "a\"b", "a\"b", Span::NONE)
            .lit("}");
        let (v, o) = settle(&t, json!({"Name": "a\"b"}));
        assert_eq!(v, json!({"Name": "a\"b"}));
        assert!(matches!(o, Outcome::Crash(_)));
        assert_eq!(t.damaged().len(), 1);

        let mut t = Text::new();
        t.lit("{\"Name\": ")
            .quoted("name", "a\\tb", "a\\tb", Span::NONE)
            .lit("}");
        let (v, o) = settle(&t, json!({"Name": "a\\tb"}));
        assert_eq!(v, json!({"Name": "a\tb"}));
        assert_eq!(o, Outcome::Altered);

        let mut t = Text::new();
        t.lit("{\"M\": ")
            .bare("inputPathsMap", "undefined", None, Span::NONE)
            .lit("}");
        assert!(matches!(settle(&t, json!({})).1, Outcome::Crash(_)));
        assert_eq!(t.damaged()[0].field, "inputPathsMap");
    }

    #[test]
    fn line_breaks_removed_everywhere() {
        assert_eq!(
            without_line_breaks(&json!({"a\n": ["x\r\ny", 1]})),
            json!({"a": ["xy", 1]})
        );
    }
}
