//! The rules of asl-validator (`stepFunctions.validate: true`) beyond the definition's
//! structure: state names, Task `Resource` ARNs, JSONPath paths and payload templates,
//! duplicate fields after `.$` renaming, Wait timestamps, Map limits and `ProcessorConfig`,
//! JSONata fields and expressions (a safe subset: see [`formats::jsonata_problem`]), and what
//! asl-validator reads anywhere in the definition: every `States` object is a state machine and
//! every `StartAt` / `Next` / `Default` key a transition (in `Parameters` too).

use super::formats::{self, PathKind, is_path};
use super::*;

/// Fields of a state that hold no data asl-validator reads as transitions or `States`
/// (their own rules cover them).
const STRUCTURAL: [&str; 10] = [
    "Type",
    "Next",
    "End",
    "Default",
    "Choices",
    "Catch",
    "Retry",
    "Branches",
    "Iterator",
    "ItemProcessor",
];

/// JSONPath path fields of a state and the kind of path each one is.
const PATHS: [(&str, PathKind); 11] = [
    ("InputPath", PathKind::Path),
    ("OutputPath", PathKind::Path),
    ("ResultPath", PathKind::Result),
    ("ItemsPath", PathKind::Reference),
    ("TimeoutSecondsPath", PathKind::Reference),
    ("HeartbeatSecondsPath", PathKind::Reference),
    ("SecondsPath", PathKind::Reference),
    ("TimestampPath", PathKind::Reference),
    ("MaxConcurrencyPath", PathKind::Reference),
    ("ToleratedFailureCountPath", PathKind::Reference),
    ("ToleratedFailurePercentagePath", PathKind::Reference),
];

/// Whether Step Functions rejects what asl-validator does too (the help says so), or only
/// asl-validator is this strict.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Also {
    StepFunctions,
    ValidatorOnly,
}

/// Every key of a `States` object anywhere in `n` (asl-validator's `$..States`).
pub(super) fn all_state_keys<'a>(n: &'a Node, out: &mut Vec<&'a str>) {
    if let Some(map) = n.as_map() {
        for (k, e) in map.iter() {
            if k == "States"
                && let Some(states) = e.value.as_map()
            {
                out.extend(states.keys().map(|k| k.as_str()));
            }
            all_state_keys(&e.value, out);
        }
    } else if let Some(items) = n.as_seq() {
        for it in items {
            all_state_keys(it, out);
        }
    }
}

/// A numeric Map field: its value, its name, the minimum, the maximum, whether an integer.
type Limit<'n> = (Option<&'n Node>, &'static str, f64, Option<f64>, bool);

fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

impl<'a> Checker<'a> {
    /// Reports a finding of asl-validator's: for [`Also::StepFunctions`] as the other findings
    /// it raises (a warning in `slsx expand`); for [`Also::ValidatorOnly`] an error where the
    /// plugin validates, and nothing otherwise (nothing rejects the definition then).
    fn strict(&mut self, also: Also, d: Diag, advice: &str) {
        if also == Also::StepFunctions {
            self.report(d, advice, Validator::Rejects);
            return;
        }
        let (severity, consequence) = match self.mode {
            Mode::Check {
                validate: false, ..
            }
            | Mode::Expand => return,
            Mode::Validate | Mode::Check { validate: true, .. } => (
                Severity::Error,
                "`stepFunctions.validate: true` makes the plugin stop on a definition its validator (asl-validator) rejects, though Step Functions may accept it",
            ),
        };
        let help = if advice.is_empty() {
            consequence.to_string()
        } else {
            format!("{advice}; {consequence}")
        };
        self.diags.push(d.with_severity(severity).help(help));
    }

    /// A state name asl-validator's schema takes: 1 to 80 characters on one line.
    pub(super) fn state_name(&mut self, name: &str, key_span: Span) {
        if formats::is_state_name(name) {
            return;
        }
        let n = utf16_len(name);
        let label = if n == 0 {
            "an empty name".to_string()
        } else if n > 80 {
            format!("{n} characters")
        } else {
            "a line break in the name".to_string()
        };
        let d = Diag::error(
            &STATE_NAME,
            format!(
                "{}: a state name must be 1 to 80 characters on one line",
                self.who()
            ),
        )
        .label(key_span, label);
        self.strict(
            Also::StepFunctions,
            d,
            "shorten the state name (and every transition naming it)",
        );
    }

    /// The asl-validator rules of one state (`jsonata`: its query language).
    pub(super) fn strict_state(
        &mut self,
        scope: &Scope<'a>,
        name: &str,
        ty: &str,
        map: &'a Mapping,
        jsonata: bool,
    ) {
        if ty == "Task"
            && let Some(r) = map.get("Resource")
        {
            self.resource(name, r);
        }
        if jsonata {
            self.jsonata_state(name, ty, map);
        } else {
            for (field, kind) in PATHS {
                if let Some(v) = map.get(field) {
                    self.path(name, &format!("`{field}`"), v, kind);
                }
            }
            for field in [
                "Parameters",
                "ResultSelector",
                "ItemSelector",
                "Credentials",
                "Assign",
            ] {
                if let Some(v) = map.get(field) {
                    self.payload(name, v);
                }
            }
            if ty == "Choice" {
                for rule in map
                    .get("Choices")
                    .and_then(Node::as_seq)
                    .unwrap_or_default()
                {
                    self.choice_paths(name, rule);
                    if let Some(a) = rule.get("Assign") {
                        self.payload(name, a);
                    }
                }
            }
        }
        if ty == "Wait"
            && let Some(t) = map.get("Timestamp")
        {
            self.timestamp(name, t, jsonata);
        }
        if ty == "Map" {
            self.map_limits(name, map, jsonata);
        }
        // what asl-validator reads anywhere: `States` objects and transitions
        let container = matches!(ty, "Map" | "Parallel");
        for (k, e) in map.iter() {
            if !STRUCTURAL.contains(&k.as_str()) {
                self.loose(scope, name, &e.value, container);
            }
        }
        for field in ["Parameters", "ResultSelector"] {
            if let Some(v) = map.get(field) {
                self.duplicate_fields(name, v);
            }
        }
    }

    /// A Task's `Resource`: an ARN of asl-validator's format, a whole `${...}`, or an object
    /// (an intrinsic). The plugin validates before it turns `#{...}` and intrinsics into
    /// `${...}`, so the validator reads them as written.
    fn resource(&mut self, name: &str, r: &Node) {
        let Some(s) = r.as_str() else {
            let ok = match r.as_map() {
                Some(m) => m.get("Ref").is_none_or(|v| v.as_str().is_some()),
                None => false,
            };
            if !ok {
                let d = Diag::error(
                    &BAD_ARN,
                    format!("{}: `Resource` must be an ARN", self.at_state(name)),
                )
                .label(r.span, format!("found {}", article(r)));
                self.strict(Also::StepFunctions, d, "");
            }
            return;
        };
        let placeholder = s.len() > 3
            && s.starts_with("${")
            && s.ends_with('}')
            && !s[2..s.len() - 1].contains('}');
        if formats::is_arn(s) || placeholder || (self.placeholders && s.contains("${")) {
            return;
        }
        let label = if s.starts_with("arn:") {
            "not an ARN of the form arn:<aws|aws-cn|aws-us-gov>:<service>:<region>:<account>:<resource>"
        } else {
            "not an ARN"
        };
        let d = Diag::error(
            &BAD_ARN,
            format!("{}: `Resource` `{s}` is not an ARN", self.at_state(name)),
        )
        .label(r.span, label);
        // `#{...}` and `${...}` are substituted before Step Functions reads the ARN
        let also = if s.contains("${") || s.contains("#{") {
            Also::ValidatorOnly
        } else {
            Also::StepFunctions
        };
        let advice = if s.contains("${") || s.contains("#{") {
            "write the partition literally (`arn:aws:...`), or the whole resource as an intrinsic (`!Sub`, `!GetAtt fn.Arn`, `!Ref`); the plugin's validator reads the value before CloudFormation substitutes it"
        } else {
            "use the full ARN (e.g. `arn:aws:states:::lambda:invoke`) or an intrinsic such as `!GetAtt MyFunction.Arn`"
        };
        self.strict(also, d, advice);
    }

    /// A JSONPath path field (`field`, quoted) of kind `kind`; `null` is allowed.
    fn path(&mut self, name: &str, field: &str, v: &Node, kind: PathKind) {
        let Some(s) = v.as_str() else { return };
        if is_path(s, kind) || (self.placeholders && s.contains("${")) {
            return;
        }
        let (label, advice) = if !s.starts_with('$') && !s.starts_with("States.") {
            (
                "a path starts with `$` (the input), `$$` (the context object) or `$name` (a variable)",
                "write e.g. `$.field`",
            )
        } else {
            match kind {
                PathKind::Path if is_path(s, PathKind::Payload) => {
                    ("an intrinsic function is not a path", "")
                }
                PathKind::Reference | PathKind::Result if is_path(s, PathKind::Path) => (
                    "a reference path selects one node: no `*`, `..`, filters, slices, negative or several indexes",
                    "",
                ),
                PathKind::Result if is_path(s, PathKind::Reference) => {
                    ("`ResultPath` cannot name a variable", "")
                }
                _ => ("not a valid JSONPath", ""),
            }
        };
        let d = Diag::error(
            &BAD_PATH,
            format!("{}: {field} `{s}` is not a valid path", self.at_state(name)),
        )
        .label(v.span, label);
        self.strict(Also::StepFunctions, d, advice);
    }

    /// A JSONPath payload template: each `<key>.$` field holds a path or intrinsic function
    /// (asl-validator's schema; it looks into fields of at least three characters).
    fn payload(&mut self, name: &str, v: &Node) {
        if let Some(map) = v.as_map() {
            for (k, e) in map.iter() {
                let len = utf16_len(k);
                if len > 2 && k.ends_with(".$") {
                    match &e.value.kind {
                        Kind::Null => {}
                        Kind::String(_) => {
                            let field = format!("`{k}`");
                            self.path(name, &field, &e.value, PathKind::Payload);
                        }
                        _ => {
                            let d = Diag::error(
                                &BAD_PATH,
                                format!("{}: `{k}` must be a path", self.at_state(name)),
                            )
                            .label(e.value.span, format!("found {}", article(&e.value)));
                            self.strict(
                                Also::StepFunctions,
                                d,
                                "a field ending in `.$` takes a path (`$.x`) or an intrinsic function; drop the `.$` for a constant",
                            );
                        }
                    }
                } else if len > 2 {
                    self.payload(name, &e.value);
                }
            }
        } else if let Some(items) = v.as_seq() {
            for it in items {
                self.payload(name, it);
            }
        }
    }

    /// The reference paths of a JSONPath Choice rule (`Variable`, `...Path` comparisons),
    /// nested rules included.
    fn choice_paths(&mut self, name: &str, rule: &Node) {
        let Some(m) = rule.as_map() else { return };
        for (k, e) in m.iter() {
            if k == "Variable" || (k.ends_with("Path") && COMPARISONS.contains(&k.as_str())) {
                self.path(name, &format!("`{k}`"), &e.value, PathKind::Reference);
            }
        }
        for op in ["And", "Or"] {
            for r in m.get(op).and_then(Node::as_seq).unwrap_or_default() {
                self.choice_paths(name, r);
            }
        }
        if let Some(r) = m.get("Not") {
            self.choice_paths(name, r);
        }
    }

    /// DUPLICATE_FIELD_NAME: two fields of one object that are the same once `.$` is stripped.
    fn duplicate_fields(&mut self, name: &str, v: &Node) {
        if let Some(map) = v.as_map() {
            let mut seen: Vec<(&str, &str)> = Vec::new();
            for (k, e) in map.iter() {
                let stripped = k.strip_suffix(".$").unwrap_or(k);
                if let Some((_, first)) = seen.iter().find(|(s, _)| *s == stripped) {
                    let d = Diag::error(
                        &DUPLICATE_FIELD,
                        format!(
                            "{}: `{first}` and `{k}` are the same field once `.$` is stripped",
                            self.at_state(name)
                        ),
                    )
                    .label(e.key_span, format!("duplicates `{first}`"))
                    .secondary(map.key_span(first).unwrap_or(e.key_span), "the first one");
                    self.strict(Also::StepFunctions, d, "keep one of them");
                } else {
                    seen.push((stripped, k));
                }
                self.duplicate_fields(name, &e.value);
            }
        } else if let Some(items) = v.as_seq() {
            for it in items {
                self.duplicate_fields(name, it);
            }
        }
    }

    /// A Wait `Timestamp`: an RFC 3339 date-time with a time zone (or, in JSONata, an
    /// expression).
    fn timestamp(&mut self, name: &str, t: &Node, jsonata: bool) {
        let ok = match t.as_str() {
            Some(s) => {
                formats::is_date_time(s)
                    || (jsonata && self.jsonata_string(s).is_none())
                    || (self.placeholders && s.contains("${"))
            }
            None => false,
        };
        if ok {
            return;
        }
        let d = Diag::error(
            &BAD_VALUE,
            format!(
                "{}: `Timestamp` must be an RFC 3339 date-time",
                self.at_state(name)
            ),
        )
        .label(
            t.span,
            match t.as_str() {
                Some(_) => "not a date-time with a time zone".to_string(),
                None => format!("found {}", article(t)),
            },
        );
        self.strict(
            Also::StepFunctions,
            d,
            "write e.g. `2026-01-31T12:00:00Z`, or use `TimestampPath` to read it from the input",
        );
    }

    /// A Map's numeric limits, its `ItemReader`, `ItemBatcher` and `ItemProcessor.ProcessorConfig`.
    fn map_limits(&mut self, name: &str, map: &Mapping, jsonata: bool) {
        let limits: [Limit; 6] = [
            (
                map.get("MaxConcurrency"),
                "MaxConcurrency",
                0.0,
                None,
                false,
            ),
            (
                map.get("ToleratedFailureCount"),
                "ToleratedFailureCount",
                0.0,
                None,
                true,
            ),
            (
                map.get("ToleratedFailurePercentage"),
                "ToleratedFailurePercentage",
                0.0,
                Some(100.0),
                true,
            ),
            (
                map.get("ItemReader")
                    .and_then(|r| r.get("ReaderConfig"))
                    .and_then(|c| c.get("MaxItems")),
                "ItemReader.ReaderConfig.MaxItems",
                1.0,
                None,
                true,
            ),
            (
                map.get("ItemBatcher")
                    .and_then(|b| b.get("MaxItemsPerBatch")),
                "ItemBatcher.MaxItemsPerBatch",
                0.0,
                None,
                true,
            ),
            (
                map.get("ItemBatcher")
                    .and_then(|b| b.get("MaxInputBytesPerBatch")),
                "ItemBatcher.MaxInputBytesPerBatch",
                0.0,
                Some(262144.0),
                true,
            ),
        ];
        for (v, field, min, max, integer) in limits {
            let Some(v) = v else { continue };
            self.limit(name, field, v, (min, max, integer), jsonata);
        }
        if !jsonata {
            let reader = map.get("ItemReader").and_then(|r| r.get("ReaderConfig"));
            let batcher = map.get("ItemBatcher");
            for (v, field) in [
                (reader.and_then(|c| c.get("MaxItemsPath")), "MaxItemsPath"),
                (
                    batcher.and_then(|b| b.get("MaxItemsPerBatchPath")),
                    "MaxItemsPerBatchPath",
                ),
                (
                    batcher.and_then(|b| b.get("MaxInputBytesPerBatchPath")),
                    "MaxInputBytesPerBatchPath",
                ),
            ] {
                if let Some(v) = v {
                    self.path(name, &format!("`{field}`"), v, PathKind::Reference);
                }
            }
            for v in [
                map.get("ItemReader").and_then(|r| r.get("Parameters")),
                reader.and_then(|c| c.get("Parameters")),
                map.get("ResultWriter").and_then(|r| r.get("Parameters")),
                batcher.and_then(|b| b.get("BatchInput")),
            ]
            .into_iter()
            .flatten()
            {
                self.payload(name, v);
            }
        }
        for key in ["ItemReader", "ResultWriter"] {
            let Some(r) = map.get(key).and_then(|p| p.get("Resource")) else {
                continue;
            };
            if r.as_str().is_none() {
                let d = Diag::error(
                    &BAD_ARN,
                    format!("{}: `{key}.Resource` must be a string", self.at_state(name)),
                )
                .label(r.span, format!("found {}", article(r)));
                self.strict(
                    Also::ValidatorOnly,
                    d,
                    "the plugin's validator reads it before CloudFormation substitutes intrinsics; write the ARN, e.g. `arn:aws:states:::s3:getObject`",
                );
            }
        }
        let Some(config) = map
            .get("ItemProcessor")
            .and_then(|p| p.get("ProcessorConfig"))
        else {
            return;
        };
        let mode = config.get("Mode");
        let problem = match (config.as_map(), mode.and_then(Node::as_str)) {
            (None, _) => Some((config.span, format!("found {}", article(config)))),
            (Some(_), Some("INLINE")) => None,
            (Some(_), Some("DISTRIBUTED")) => match config.get("ExecutionType") {
                Some(e) if matches!(e.as_str(), Some("EXPRESS" | "STANDARD")) => None,
                Some(e) => Some((e.span, "`ExecutionType` is `STANDARD` or `EXPRESS`".into())),
                None => Some((
                    mode.map_or(config.span, |m| m.span),
                    "a DISTRIBUTED Map needs `ExecutionType: STANDARD` or `EXPRESS`".into(),
                )),
            },
            (Some(_), _) => Some((
                mode.map_or(config.span, |m| m.span),
                "`Mode` is `INLINE` or `DISTRIBUTED`".into(),
            )),
        };
        if let Some((span, label)) = problem {
            let d = Diag::error(
                &BAD_VALUE,
                format!(
                    "{}: `ItemProcessor.ProcessorConfig` is not a valid processor configuration",
                    self.at_state(name)
                ),
            )
            .label(span, label);
            self.strict(
                Also::ValidatorOnly,
                d,
                "write `ProcessorConfig: {Mode: INLINE}` or `{Mode: DISTRIBUTED, ExecutionType: STANDARD}`",
            );
        }
    }

    /// A number between `min` and `max` (an integer when `integer`), or in JSONata an
    /// expression.
    fn limit(
        &mut self,
        name: &str,
        field: &str,
        v: &Node,
        (min, max, integer): (f64, Option<f64>, bool),
        jsonata: bool,
    ) {
        let ok = match &v.kind {
            Kind::Number(x) => {
                *x >= min && max.is_none_or(|m| *x <= m) && (!integer || x.fract() == 0.0)
            }
            Kind::String(s) => {
                (jsonata && self.jsonata_string(s).is_none())
                    || (self.placeholders && s.contains("${"))
            }
            _ => false,
        };
        if ok {
            return;
        }
        let what = if integer { "an integer" } else { "a number" };
        let range = match max {
            Some(m) => format!("from {min} to {m}"),
            None => format!("of at least {min}"),
        };
        let d = Diag::error(
            &BAD_VALUE,
            format!("{}: `{field}` must be {what} {range}", self.at_state(name)),
        )
        .label(
            v.span,
            match v.as_f64() {
                Some(x) => format!("found {}", crate::emit::json::js_number(x)),
                None => format!("found {}", article(v)),
            },
        );
        self.strict(Also::StepFunctions, d, "");
    }

    /// What is wrong with `s` as a JSONata field (`{% expression %}` on one line); `None`: it
    /// is fine as far as this checker can tell.
    fn jsonata_string(&self, s: &str) -> Option<&'static str> {
        let shape = s.starts_with("{% ")
            && s.ends_with(" %}")
            && utf16_len(s) >= 7
            && !formats::has_line_terminator(s);
        if !shape {
            return Some("not a `{% expression %}` on one line");
        }
        formats::jsonata_problem(s)
    }

    /// The JSONata fields of a JSONata state.
    fn jsonata_state(&mut self, name: &str, ty: &str, map: &Mapping) {
        for field in ["Output", "Arguments"] {
            if let Some(v) = map.get(field) {
                if v.as_map().is_some() {
                    self.template(name, field, v);
                } else {
                    self.expression(name, field, v, "an object or a `{% ... %}` expression");
                }
            }
        }
        if let Some(v) = map.get("Assign") {
            if v.as_map().is_some() {
                self.template(name, "Assign", v);
            } else {
                let d = Diag::error(
                    &BAD_JSONATA,
                    format!("{}: `Assign` must be an object", self.at_state(name)),
                )
                .label(v.span, format!("found {}", article(v)));
                self.strict(
                    Also::ValidatorOnly,
                    d,
                    "assign each variable: `Assign: {name: '{% ... %}'}`",
                );
            }
        }
        if let Some(v) = map.get("ItemSelector") {
            self.template(name, "ItemSelector", v);
        }
        if ty == "Map"
            && let Some(v) = map.get("Items").filter(|v| v.as_seq().is_none())
        {
            self.expression(name, "Items", v, "a list or a `{% ... %}` expression");
        }
        if ty == "Fail" {
            for field in ["Error", "Cause"] {
                if let Some(s) = map.get(field) {
                    self.maybe_jsonata(name, field, s);
                }
            }
        }
        if ty == "Choice" {
            for rule in map
                .get("Choices")
                .and_then(Node::as_seq)
                .unwrap_or_default()
            {
                if let Some(c) = rule.get("Condition") {
                    self.expression(name, "Condition", c, "a `{% ... %}` expression");
                }
                if let Some(a) = rule.get("Assign") {
                    self.template(name, "Assign", a);
                }
            }
        }
    }

    /// A field that must be a JSONata expression (`want`: what else it may be).
    fn expression(&mut self, name: &str, field: &str, v: &Node, want: &str) {
        let problem = match v.as_str() {
            Some(s) => match self.jsonata_string(s) {
                None => return,
                Some(p) => p.to_string(),
            },
            None => format!("found {}", article(v)),
        };
        let d = Diag::error(
            &BAD_JSONATA,
            format!("{}: `{field}` must be {want}", self.at_state(name)),
        )
        .label(v.span, problem);
        self.strict(
            Also::ValidatorOnly,
            d,
            "write a valid expression on one line as `'{% ... %}'` (the plugin's validator parses it with the jsonata library)",
        );
    }

    /// A string of a JSONata template: a plain one-line, non-empty string, or a valid
    /// `{% ... %}` expression.
    fn maybe_jsonata(&mut self, name: &str, field: &str, v: &Node) {
        let Some(s) = v.as_str() else { return };
        let problem = if s.starts_with("{% ") {
            self.jsonata_string(s)
        } else if s.is_empty() {
            Some("an empty string")
        } else if formats::has_line_terminator(s) {
            Some("a string on several lines")
        } else {
            None
        };
        let Some(problem) = problem else { return };
        let d = Diag::error(
            &BAD_JSONATA,
            format!(
                "{}: `{field}` is not a valid JSONata value",
                self.at_state(name)
            ),
        )
        .label(v.span, problem);
        self.strict(
            Also::ValidatorOnly,
            d,
            "asl-validator wants each string of a JSONata state on one line, non-empty, and a valid expression when it starts with `{% `",
        );
    }

    /// A JSONata template: the strings in it, at any depth.
    fn template(&mut self, name: &str, field: &str, v: &Node) {
        match &v.kind {
            Kind::String(_) => self.maybe_jsonata(name, field, v),
            Kind::Map(m) => {
                for (k, e) in m.iter() {
                    if !k.is_empty() {
                        self.template(name, &format!("{field}.{k}"), &e.value);
                    }
                }
            }
            Kind::Seq(items) => {
                for it in items {
                    self.template(name, field, it);
                }
            }
            _ => {}
        }
    }

    /// What asl-validator reads anywhere in a state's data: a `StartAt` / `Next` / `Default`
    /// key is a transition that must name a state (and, in a Parallel branch or a Map
    /// `Iterator`, one of its own unless the state is a Map or Parallel); a `States` object is
    /// a state machine whose states must be named somewhere and one of which must end.
    fn loose(&mut self, scope: &Scope<'a>, name: &str, v: &'a Node, container: bool) {
        if let Some(items) = v.as_seq() {
            for it in items {
                self.loose(scope, name, it, container);
            }
            return;
        }
        let Some(map) = v.as_map() else { return };
        for (k, e) in map.iter() {
            let k = k.as_str();
            if matches!(k, "StartAt" | "Next" | "Default") {
                self.loose_target(scope, name, k, &e.value, container);
            }
            if k == "States"
                && let Some(states) = e.value.as_map()
            {
                self.loose_states(name, e.key_span, states);
            }
            self.loose(scope, name, &e.value, container);
        }
    }

    fn loose_target(
        &mut self,
        scope: &Scope<'a>,
        name: &str,
        key: &str,
        v: &Node,
        container: bool,
    ) {
        let label = match v.as_str() {
            None => format!("found {}", article(v)),
            Some(s) if !self.machine_states.contains(&s) => format!("no state is named `{s}`"),
            Some(s)
                if scope.closed
                    && !container
                    && key != "StartAt"
                    && !scope.states.contains_key(s) =>
            {
                format!("`{s}` is not a state of {}, which is closed", scope.what)
            }
            Some(_) => return,
        };
        let d = Diag::error(
            &UNKNOWN_TARGET,
            format!(
                "{}: a `{key}` key in the state's data names no state asl-validator takes",
                self.at_state(name)
            ),
        )
        .label(v.span, label);
        self.strict(
            Also::ValidatorOnly,
            d,
            "asl-validator reads every `StartAt`, `Next` and `Default` key of the definition as a transition, data included; rename the field",
        );
    }

    fn loose_states(&mut self, name: &str, at: Span, states: &Mapping) {
        let who = self.at_state(name);
        for (k, e) in states.iter() {
            if !self.entered.contains(&k.as_str()) {
                let d = Diag::error(
                    &UNREACHABLE,
                    format!(
                        "{who}: `{k}` under a `States` key in the state's data is never entered"
                    ),
                )
                .label(
                    e.key_span,
                    "asl-validator reads every `States` object as states, data included",
                );
                self.strict(Also::ValidatorOnly, d, "rename the `States` field");
            }
        }
        let ends = states.iter().any(|(_, e)| {
            matches!(
                e.value.get("Type").and_then(Node::as_str),
                Some("Succeed" | "Fail")
            ) || e.value.get("End").is_some_and(Node::is_truthy)
        });
        if !ends {
            let d = Diag::error(
                &NO_TERMINAL,
                format!("{who}: the `States` object in the state's data has no terminal state"),
            )
            .label(
                at,
                "asl-validator reads every `States` object as a state machine, data included",
            );
            self.strict(Also::ValidatorOnly, d, "rename the `States` field");
        }
    }
}
