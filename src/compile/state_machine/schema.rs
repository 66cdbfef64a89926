//! The plugin's Joi schemas, as located diagnostics (spec §1.1).
//!
//! Joi stops at the first problem and prints `ValidationError: "x" is not allowed`; slsx
//! reports every problem at its node. Joi converts while it validates (`"true"` is a boolean,
//! `" 300 "` a number): the `joi_*` readers give the converted values the plugin then uses.

use crate::declare_codes;
use crate::diagnostics::{Code, Diag, Diags, Severity};
use crate::source::Span;
use crate::yaml::{Kind, Node};

use super::{Ctx, Machine, article};

declare_codes! { CODES;
    UNKNOWN_OPTION = "slsx::sfn::unknown-option", "A key the plugin's schema does not allow (it aborts with `is not allowed`).";
    INVALID_OPTION = "slsx::sfn::invalid-option", "A state-machine option of the wrong type or value (the plugin aborts with `is malformed`).";
    ROLE_CONFLICT = "slsx::sfn::role-conflict", "`role` and `iamRoleStatements` on the same machine (the plugin allows one of them).";
    MISSING_DEFINITION = "slsx::sfn::missing-definition", "A state machine without `definition`.";
}

/// The options of a state machine, in the plugin's schema order.
pub const MACHINE_OPTIONS: [&str; 19] = [
    "id",
    "events",
    "name",
    "role",
    "useExactVersion",
    "configureTaskTimeouts",
    "definition",
    "dependsOn",
    "tags",
    "alarms",
    "notifications",
    "type",
    "retain",
    "loggingConfig",
    "tracingConfig",
    "encryptionConfig",
    "inheritGlobalTags",
    "iamRoleStatements",
    "kmsKeyArns",
];

// ---------------------------------------------------------------------------------------------
// Joi readers

/// `Joi.string()`: a non-empty string.
pub fn joi_string(n: &Node) -> bool {
    n.as_str().is_some_and(|s| !s.is_empty())
}

/// `Joi.boolean()` with conversion: a boolean, or `"true"`/`"false"` in any case.
pub fn joi_bool(n: &Node) -> Option<bool> {
    match &n.kind {
        Kind::Bool(b) => Some(*b),
        Kind::String(s) => match s.to_ascii_lowercase().as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// `Joi.number()` with conversion: a finite number, or a string holding a decimal number.
pub fn joi_number(n: &Node) -> Option<f64> {
    match &n.kind {
        Kind::Number(x) if x.is_finite() => Some(*x),
        Kind::String(s) => {
            let t = crate::js::trim(s);
            if is_decimal(t) {
                t.parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite())
                    .map(|x| if x == 0.0 { 0.0 } else { x })
            } else {
                None
            }
        }
        _ => None,
    }
}

/// `[+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?`
fn is_decimal(s: &str) -> bool {
    crate::js::is_unsigned_decimal(s.strip_prefix(['+', '-']).unwrap_or(s))
}

/// `Joi.number().integer().min(1)`.
pub fn joi_positive_int(n: &Node) -> bool {
    joi_number(n).is_some_and(|x| x >= 1.0 && x.fract() == 0.0)
}

/// The intrinsic forms an `arn` alternative of one of the plugin's schemas accepts.
#[derive(Clone, Copy)]
pub struct ArnRule {
    /// A string must start with this (`^arn:aws` for state machines; any string elsewhere).
    pub prefix: Option<&'static str>,
    pub import_value: bool,
    pub sub: bool,
}

/// The state-machine schema's `arn` (role, destinations, kmsKeyArns).
pub const MACHINE_ARN: ArnRule = ArnRule {
    prefix: Some("arn:aws"),
    import_value: true,
    sub: false,
};

/// Why `n` is not accepted by the `arn` alternative, if it is not.
pub fn arn_problem(n: &Node, rule: ArnRule) -> Option<String> {
    let forms = {
        let mut f = vec!["`Ref`", "`Fn::GetAtt`"];
        if rule.import_value {
            f.push("`Fn::ImportValue`");
        }
        f.push("`Fn::Join`");
        if rule.sub {
            f.push("`Fn::Sub`");
        }
        f.join(", ")
    };
    match &n.kind {
        Kind::String(s) if s.is_empty() => Some("an empty string is not allowed".into()),
        Kind::String(s) => match rule.prefix {
            Some(p) if !s.starts_with(p) => Some(format!("an ARN must start with `{p}`")),
            _ => None,
        },
        Kind::Map(m) => {
            let keys: Vec<&str> = m.keys().map(|k| k.as_str()).collect();
            let only = |k: &str| keys.iter().all(|x| *x == k);
            let ok = if keys.is_empty() {
                true
            } else if only("Ref") {
                m.get("Ref").is_some_and(joi_string)
            } else if only("Fn::GetAtt") {
                m.get("Fn::GetAtt")
                    .and_then(Node::as_seq)
                    .is_some_and(|v| v.iter().all(joi_string))
            } else if rule.import_value && only("Fn::ImportValue") {
                m.get("Fn::ImportValue")
                    .is_some_and(|v| joi_string(v) || v.as_map().is_some())
            } else if only("Fn::Join") {
                m.get("Fn::Join").and_then(Node::as_seq).is_some_and(|v| {
                    v.iter().all(|item| {
                        joi_string(item)
                            || item.as_seq().is_some_and(|parts| {
                                parts.iter().all(|p| {
                                    joi_string(p)
                                        || p.as_map().is_some_and(|pm| {
                                            pm.keys().all(|k| k == "Ref")
                                                && pm.get("Ref").is_none_or(joi_string)
                                        })
                                })
                            })
                    })
                })
            } else if rule.sub && only("Fn::Sub") {
                m.get("Fn::Sub").is_some_and(|v| {
                    joi_string(v)
                        || v.as_seq().is_some_and(|items| {
                            items.iter().all(|i| joi_string(i) || i.as_map().is_some())
                        })
                })
            } else {
                false
            };
            let empty_join_delimiter = only("Fn::Join")
                && m.get("Fn::Join")
                    .and_then(Node::as_seq)
                    .and_then(|v| v.first())
                    .and_then(Node::as_str)
                    == Some("");
            if ok {
                None
            } else if empty_join_delimiter {
                Some("the plugin's schema rejects an empty `Fn::Join` delimiter; join with `:` or write the ARN as a string".into())
            } else {
                Some(format!(
                    "an intrinsic here must be one of {forms}, in its plain form"
                ))
            }
        }
        _ => Some(format!(
            "expected an ARN string or {forms}, found {}",
            article(n)
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// A problem list

/// One schema problem.
pub struct Problem {
    pub span: Span,
    pub message: String,
    pub label: String,
    pub unknown_key: bool,
}

/// Collects problems under a path prefix.
#[derive(Default)]
pub struct Problems {
    pub list: Vec<Problem>,
}

impl Problems {
    pub fn bad(&mut self, span: Span, message: impl Into<String>, label: impl Into<String>) {
        self.list.push(Problem {
            span,
            message: message.into(),
            label: label.into(),
            unknown_key: false,
        });
    }

    pub fn unknown(&mut self, span: Span, message: impl Into<String>, label: impl Into<String>) {
        self.list.push(Problem {
            span,
            message: message.into(),
            label: label.into(),
            unknown_key: true,
        });
    }

    /// Unknown keys of an object, with a "did you mean" for near misses.
    pub fn unknown_keys(&mut self, path: &str, n: &Node, allowed: &[&str]) {
        let Some(m) = n.as_map() else { return };
        for (k, e) in m.iter() {
            if allowed.contains(&k.as_str()) {
                continue;
            }
            let label = match closest(k, allowed) {
                Some(s) => format!("not allowed here; did you mean `{s}`?"),
                None => "not allowed here".to_string(),
            };
            self.unknown(e.key_span, format!("`{path}.{k}` is not allowed"), label);
        }
    }

    /// Turns every problem into a diagnostic.
    pub fn emit(self, diags: &mut Diags, severity: Severity, code: &'static Code, help: &str) {
        for p in self.list {
            let code = if p.unknown_key && severity == Severity::Error {
                &UNKNOWN_OPTION
            } else {
                code
            };
            diags.push(
                Diag::new(code, severity, p.message)
                    .label(p.span, p.label)
                    .help(help.to_string()),
            );
        }
    }
}

/// The closest allowed key within edit distance 2 (case-insensitive).
pub fn closest<'a>(k: &str, allowed: &[&'a str]) -> Option<&'a str> {
    allowed
        .iter()
        .map(|a| (levenshtein(&k.to_lowercase(), &a.to_lowercase()), *a))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, a)| a)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

fn found(n: &Node) -> String {
    format!("found {}", article(n))
}

// ---------------------------------------------------------------------------------------------
// The state machine schema

/// Checks one machine; false when the plugin would abort on it.
pub fn check_machine(_ctx: &Ctx, m: &Machine, diags: &mut Diags) -> bool {
    let Some(map) = m.node.as_map() else {
        return false;
    };
    let key = m.key;
    let mut p = Problems::default();
    p.unknown_keys(key, m.node, &MACHINE_OPTIONS);

    for (k, e) in map.iter() {
        let v = &e.value;
        let path = format!("{key}.{k}");
        match k.as_str() {
            "id" | "name" if !joi_string(v) => p.bad(
                v.span,
                format!("`{path}` must be a non-empty string"),
                found(v),
            ),
            "events" if v.as_seq().is_none() => {
                p.bad(v.span, format!("`{path}` must be a list"), found(v))
            }
            "tags" | "alarms" | "notifications" if v.as_map().is_none() => {
                p.bad(v.span, format!("`{path}` must be an object"), found(v))
            }
            "useExactVersion" | "configureTaskTimeouts" | "retain" | "inheritGlobalTags"
                if joi_bool(v).is_none() =>
            {
                p.bad(v.span, format!("`{path}` must be a boolean"), found(v))
            }
            "type" if !matches!(v.as_str(), Some("STANDARD") | Some("EXPRESS")) => p.bad(
                v.span,
                format!("`{path}` must be `STANDARD` or `EXPRESS`"),
                "not a state machine type",
            ),
            "definition" if v.is_truthy() && !joi_string(v) && v.as_map().is_none() => p.bad(
                v.span,
                format!("`{path}` must be an object (or a JSON string)"),
                found(v),
            ),
            "role" => {
                if let Some(why) = arn_problem(v, MACHINE_ARN) {
                    p.bad(v.span, format!("`{path}` is not a valid role"), why)
                }
            }
            "dependsOn" => {
                let ok = joi_string(v) || v.as_seq().is_some_and(|l| l.iter().all(joi_string));
                if !ok {
                    p.bad(
                        v.span,
                        format!("`{path}` must be a logical ID or a list of logical IDs"),
                        found(v),
                    )
                }
            }
            "loggingConfig" => check_logging(&path, v, &mut p),
            "tracingConfig" => match v.as_map() {
                None => p.bad(v.span, format!("`{path}` must be an object"), found(v)),
                Some(tm) => {
                    p.unknown_keys(&path, v, &["enabled"]);
                    if let Some(e) = tm.get("enabled")
                        && joi_bool(e).is_none()
                    {
                        p.bad(
                            e.span,
                            format!("`{path}.enabled` must be a boolean"),
                            found(e),
                        )
                    }
                }
            },
            "encryptionConfig" => check_encryption(&path, v, &mut p),
            "kmsKeyArns" => match v.as_seq() {
                None => p.bad(v.span, format!("`{path}` must be a list of ARNs"), found(v)),
                Some(items) => {
                    for (i, it) in items.iter().enumerate() {
                        if let Some(why) = arn_problem(it, MACHINE_ARN) {
                            p.bad(it.span, format!("`{path}[{i}]` is not a valid ARN"), why)
                        }
                    }
                }
            },
            "iamRoleStatements" => check_statements(&path, v, &mut p),
            _ => {}
        }
    }

    let mut ok = p.list.is_empty();
    p.emit(
        diags,
        Severity::Error,
        &INVALID_OPTION,
        "serverless-step-functions validates every state machine against its schema and stops packaging on the first mismatch (\"State machine [...] is malformed\")",
    );

    if let (Some(r), Some(s)) = (map.entry("role"), map.entry("iamRoleStatements")) {
        ok = false;
        diags.push(
            Diag::error(
                &ROLE_CONFLICT,
                format!("state machine `{key}` sets both `role` and `iamRoleStatements`"),
            )
            .label(s.key_span, "statements for the generated role")
            .secondary(r.key_span, "but this role replaces the generated role")
            .help("keep `role` (and grant the permissions on that role) or drop it and keep `iamRoleStatements`"),
        );
    }

    if !m.truthy("definition") {
        ok = false;
        let span = map.key_span("definition").unwrap_or(m.key_span);
        diags.push(
            Diag::error(
                &MISSING_DEFINITION,
                format!("state machine `{key}` has no `definition`"),
            )
            .label(
                span,
                "a state machine needs its Amazon States Language definition",
            )
            .help("add `definition:` with `StartAt` and `States`"),
        );
    }
    ok
}

fn check_logging(path: &str, v: &Node, p: &mut Problems) {
    let Some(m) = v.as_map() else {
        p.bad(v.span, format!("`{path}` must be an object"), found(v));
        return;
    };
    p.unknown_keys(path, v, &["level", "includeExecutionData", "destinations"]);
    if let Some(l) = m.get("level")
        && !matches!(l.as_str(), Some("ALL" | "ERROR" | "FATAL" | "OFF"))
    {
        p.bad(
            l.span,
            format!("`{path}.level` must be one of ALL, ERROR, FATAL, OFF"),
            "not a log level",
        )
    }
    if let Some(i) = m.get("includeExecutionData")
        && joi_bool(i).is_none()
    {
        p.bad(
            i.span,
            format!("`{path}.includeExecutionData` must be a boolean"),
            found(i),
        )
    }
    if let Some(d) = m.get("destinations") {
        match d.as_seq() {
            None => p.bad(
                d.span,
                format!("`{path}.destinations` must be a list of log group ARNs"),
                found(d),
            ),
            Some(items) => {
                for (i, it) in items.iter().enumerate() {
                    if let Some(why) = arn_problem(it, MACHINE_ARN) {
                        p.bad(
                            it.span,
                            format!("`{path}.destinations[{i}]` is not a valid ARN"),
                            why,
                        )
                    }
                }
            }
        }
    }
}

fn check_encryption(path: &str, v: &Node, p: &mut Problems) {
    let Some(m) = v.as_map() else {
        p.bad(v.span, format!("`{path}` must be an object"), found(v));
        return;
    };
    p.unknown_keys(
        path,
        v,
        &["KmsDataKeyReusePeriodSeconds", "KmsKeyId", "Type"],
    );
    if let Some(s) = m.get("KmsDataKeyReusePeriodSeconds")
        && joi_number(s).is_none()
    {
        p.bad(
            s.span,
            format!("`{path}.KmsDataKeyReusePeriodSeconds` must be a number"),
            found(s),
        )
    }
    for k in ["KmsKeyId", "Type"] {
        if let Some(s) = m.get(k)
            && !joi_string(s)
        {
            p.bad(
                s.span,
                format!("`{path}.{k}` must be a non-empty string"),
                found(s),
            )
        }
    }
}

fn check_statements(path: &str, v: &Node, p: &mut Problems) {
    let Some(items) = v.as_seq() else {
        p.bad(
            v.span,
            format!("`{path}` must be a list of statements"),
            found(v),
        );
        return;
    };
    for (i, st) in items.iter().enumerate() {
        let sp = format!("{path}[{i}]");
        let Some(m) = st.as_map() else {
            p.bad(st.span, format!("`{sp}` must be an object"), found(st));
            continue;
        };
        for (k, e) in m.iter() {
            if !["Effect", "Action", "Resource"].contains(&k.as_str()) {
                p.unknown(
                    e.key_span,
                    format!("`{sp}.{k}` is not allowed"),
                    "the plugin's schema allows only `Effect`, `Action` and `Resource` in a statement",
                );
            }
        }
        if let Some(e) = m.get("Effect")
            && !matches!(e.as_str(), Some("Allow" | "Deny"))
        {
            p.bad(
                e.span,
                format!("`{sp}.Effect` must be `Allow` or `Deny`"),
                found(e),
            )
        }
        if let Some(a) = m.get("Action") {
            let ok = joi_string(a) || a.as_seq().is_some_and(|l| l.iter().all(joi_string));
            if !ok {
                p.bad(
                    a.span,
                    format!("`{sp}.Action` must be a string or a list of strings"),
                    found(a),
                )
            }
        }
        if let Some(r) = m.get("Resource")
            && !joi_string(r)
            && r.as_seq().is_none()
        {
            p.bad(
                r.span,
                format!("`{sp}.Resource` must be a string or a list"),
                found(r),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    fn s(x: &str) -> Node {
        Node::string(Span::NONE, x)
    }

    #[test]
    fn conversions() {
        assert_eq!(joi_bool(&s("TRUE")), Some(true));
        assert_eq!(joi_bool(&s("no")), None);
        assert_eq!(joi_number(&s(" 300 ")), Some(300.0));
        assert_eq!(joi_number(&s("3e2")), Some(300.0));
        assert_eq!(joi_number(&s(".5")), Some(0.5));
        assert_eq!(joi_number(&s("1.")), Some(1.0));
        assert_eq!(joi_number(&s("x1")), None);
        assert_eq!(joi_number(&s("")), None);
    }

    #[test]
    fn arns() {
        assert!(arn_problem(&s("arn:aws-cn:iam::1:role/x"), MACHINE_ARN).is_none());
        assert!(arn_problem(&s("role/x"), MACHINE_ARN).is_some());
        let sub = Node::from_json(&serde_json::json!({"Fn::Sub": "x"}), Span::NONE);
        assert!(arn_problem(&sub, MACHINE_ARN).is_some());
        let join = Node::from_json(
            &serde_json::json!({"Fn::Join": [":", ["arn", {"Ref": "AWS::Partition"}]]}),
            Span::NONE,
        );
        assert!(arn_problem(&join, MACHINE_ARN).is_none());
        let empty_delimiter = Node::from_json(
            &serde_json::json!({"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}]]}),
            Span::NONE,
        );
        assert!(arn_problem(&empty_delimiter, MACHINE_ARN).is_some());
        let empty = Node::from_json(&serde_json::json!({}), Span::NONE);
        assert!(arn_problem(&empty, MACHINE_ARN).is_none());
    }

    #[test]
    fn near_misses() {
        assert_eq!(closest("defintion", &MACHINE_OPTIONS), Some("definition"));
        assert_eq!(closest("zzzzzz", &MACHINE_OPTIONS), None);
    }
}
