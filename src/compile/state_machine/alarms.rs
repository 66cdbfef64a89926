//! `compileAlarms`: CloudWatch alarms on a machine's execution metrics (spec §2.5).
//!
//! A malformed `alarms` block only makes the plugin log and skip the machine's alarms; slsx
//! warns at each problem and does the same.

use serde_json::{Map, Value};

use super::schema::{ArnRule, Problems, arn_problem, joi_positive_int, joi_string};
use super::{Ctx, Machine, Template, js};
use crate::compile::naming;
use crate::declare_codes;
use crate::diagnostics::{Diag, Diags, Severity};
use crate::yaml::{Kind, Node, js_to_string};

declare_codes! { CODES;
    MALFORMED = "slsx::alarms::malformed", "An `alarms` block the plugin's schema rejects: the machine gets no alarms.";
    UNKNOWN_METRIC = "slsx::alarms::unknown-metric", "A metric the plugin does not know: no alarm is created for it.";
    BAD_NAME_TEMPLATE = "slsx::alarms::bad-name-template", "A `nameTemplate` variable the plugin does not know: the alarms get no `AlarmName`.";
    TEMPLATE_WITHOUT_PLACEHOLDER = "slsx::alarms::template-without-placeholder", "A `nameTemplate` without any `$[...]` placeholder (the plugin crashes).";
    REGION_TEXT = "slsx::alarms::region-text", "`provider.region` is set by a variable the plugin reads before it is resolved (`${param:}`, an AWS source): alarm descriptions carry the variable's text, as with the plugin.";
}

/// The five metrics: key, CloudWatch metric name, description.
pub const METRICS: [(&str, &str, &str); 5] = [
    (
        "executionsTimedOut",
        "ExecutionsTimedOut",
        "executions timed out",
    ),
    ("executionsFailed", "ExecutionsFailed", "executions failed"),
    (
        "executionsAborted",
        "ExecutionsAborted",
        "executions were aborted",
    ),
    (
        "executionThrottled",
        "ExecutionThrottled",
        "execution were throttled",
    ),
    (
        "executionsSucceeded",
        "ExecutionsSucceeded",
        "executions succeeded",
    ),
];

const SUPPORTED_VARIABLES: [&str; 3] = ["stateMachineName", "cloudWatchMetricName", "metricName"];

const ALARM_ARN: ArnRule = ArnRule {
    prefix: None,
    import_value: true,
    sub: true,
};

/// Compiles the alarms of every machine, then merges them (`_.keyBy` logical id: a later
/// alarm with the same id replaces an earlier one in its place).
pub fn compile(ctx: &Ctx, machines: &[Machine], t: &mut Template, diags: &mut Diags) {
    let mut alarms: Vec<(String, Value)> = Vec::new();
    for m in machines {
        let Some(a) = m.get("alarms") else { continue };
        if !matches!(a.kind, Kind::Map(_) | Kind::Seq(_)) {
            continue;
        }
        if !check(m, a, diags) {
            continue;
        }
        for (id, alarm) in machine_alarms(ctx, m, a, diags) {
            match alarms.iter_mut().find(|(k, _)| *k == id) {
                Some(slot) => slot.1 = alarm,
                None => alarms.push((id, alarm)),
            }
        }
    }
    if !alarms.is_empty() && ctx.plugin_region != ctx.region {
        let span = ctx
            .config
            .get("provider")
            .and_then(Node::as_map)
            .and_then(|p| p.key_span("region"))
            .unwrap_or(ctx.config.span);
        diags.push(
            Diag::warning(
                &REGION_TEXT,
                format!(
                    "the alarms' descriptions name the region `{}`, not `{}`",
                    ctx.plugin_region, ctx.region
                ),
            )
            .label(span, "resolved only after serverless-step-functions has read it")
            .help("serverless-step-functions reads the region when it is loaded, before `${param:…}` and the AWS sources are resolved, and slsx writes what it writes; `--region`, or a region that does not depend on those sources, gives the resolved name"),
        );
    }
    for (id, alarm) in js::js_object_order(alarms) {
        t.merge_resource(&id, alarm);
    }
}

fn check(m: &Machine, a: &Node, diags: &mut Diags) -> bool {
    let path = format!("{}.alarms", m.key);
    let mut p = Problems::default();
    match a.as_map() {
        None => p.bad(
            a.span,
            format!("`{path}` must be an object"),
            "found a list",
        ),
        Some(map) => {
            p.unknown_keys(
                &path,
                a,
                &[
                    "topics",
                    "metrics",
                    "nameTemplate",
                    "treatMissingData",
                    "period",
                ],
            );
            match map.get("topics") {
                None => p.bad(
                    m.key_span_of("alarms"),
                    format!("`{path}.topics` is required"),
                    "no `topics`",
                ),
                Some(tn) => match tn.as_map() {
                    None => p.bad(
                        tn.span,
                        format!("`{path}.topics` must be an object"),
                        "not an object",
                    ),
                    Some(tm) => {
                        p.unknown_keys(
                            &format!("{path}.topics"),
                            tn,
                            &["ok", "alarm", "insufficientData"],
                        );
                        if !["ok", "alarm", "insufficientData"]
                            .iter()
                            .any(|k| tm.contains_key(k))
                        {
                            p.bad(
                                tn.span,
                                format!(
                                    "`{path}.topics` needs `ok`, `alarm` or `insufficientData`"
                                ),
                                "no topic",
                            );
                        }
                        for k in ["ok", "alarm", "insufficientData"] {
                            if let Some(v) = tm.get(k)
                                && let Some(why) = arn_problem(v, ALARM_ARN)
                            {
                                p.bad(
                                    v.span,
                                    format!("`{path}.topics.{k}` is not a topic ARN"),
                                    why,
                                );
                            }
                        }
                    }
                },
            }
            match map.get("metrics") {
                None => p.bad(
                    m.key_span_of("alarms"),
                    format!("`{path}.metrics` is required"),
                    "no `metrics`",
                ),
                Some(mn) => match mn.as_seq() {
                    None => p.bad(
                        mn.span,
                        format!("`{path}.metrics` must be a list"),
                        "not a list",
                    ),
                    Some([]) => p.bad(
                        mn.span,
                        format!("`{path}.metrics` must not be empty"),
                        "no metric",
                    ),
                    Some(items) => {
                        for (i, it) in items.iter().enumerate() {
                            check_metric(&format!("{path}.metrics[{i}]"), it, &mut p);
                        }
                    }
                },
            }
            if let Some(n) = map.get("nameTemplate")
                && !joi_string(n)
            {
                p.bad(
                    n.span,
                    format!("`{path}.nameTemplate` must be a non-empty string"),
                    "not a string",
                );
            }
            check_common(&path, map, &mut p);
        }
    }
    let ok = p.list.is_empty();
    p.emit(
        diags,
        Severity::Warning,
        &MALFORMED,
        "the plugin logs \"alarms config is malformed\" and creates no alarm for this state machine",
    );
    ok
}

fn check_common(path: &str, map: &crate::yaml::Mapping, p: &mut Problems) {
    if let Some(tm) = map.get("treatMissingData")
        && !joi_string(tm)
    {
        p.bad(
            tm.span,
            format!("`{path}.treatMissingData` must be a non-empty string"),
            "not a string",
        );
    }
    if let Some(pe) = map.get("period")
        && !joi_positive_int(pe)
    {
        p.bad(
            pe.span,
            format!("`{path}.period` must be an integer of at least 1"),
            "not a period",
        );
    }
}

fn check_metric(path: &str, it: &Node, p: &mut Problems) {
    match &it.kind {
        Kind::String(s) if !s.is_empty() => {}
        Kind::Map(mm) => {
            p.unknown_keys(
                path,
                it,
                &[
                    "metric",
                    "logicalId",
                    "alarmName",
                    "treatMissingData",
                    "period",
                ],
            );
            match mm.get("metric") {
                Some(x) if joi_string(x) => {}
                Some(x) => p.bad(
                    x.span,
                    format!("`{path}.metric` must be a metric name"),
                    "not a string",
                ),
                None => p.bad(
                    it.span,
                    format!("`{path}.metric` is required"),
                    "no `metric`",
                ),
            }
            for k in ["logicalId", "alarmName"] {
                if let Some(x) = mm.get(k)
                    && !joi_string(x)
                {
                    p.bad(
                        x.span,
                        format!("`{path}.{k}` must be a non-empty string"),
                        "not a string",
                    );
                }
            }
            check_common(path, mm, p);
        }
        _ => p.bad(
            it.span,
            format!("`{path}` must be a metric name or an object with `metric`"),
            "not a metric",
        ),
    }
}

/// `_.get(x, key, default)` for an object (a string has no such key).
fn get_or<'a>(n: &'a Node, key: &str) -> Option<&'a Node> {
    n.as_map().and_then(|m| m.get(key))
}

fn machine_alarms(ctx: &Ctx, m: &Machine, a: &Node, diags: &mut Diags) -> Vec<(String, Value)> {
    let topic = |k: &str| {
        let v = a
            .get("topics")
            .and_then(|t| t.get(k))
            .filter(|v| v.is_truthy());
        Value::Array(v.map(|v| vec![v.to_json()]).unwrap_or_default())
    };
    let default_missing = a
        .get("treatMissingData")
        .map(Node::to_json)
        .unwrap_or_else(|| Value::from("missing"));
    let default_period = a
        .get("period")
        .map(Node::to_json)
        .unwrap_or_else(|| Value::from(60));
    let template = a.get("nameTemplate").filter(|n| !n.is_null());

    // `_.uniq`: equal strings collapse, objects never do
    let mut metrics: Vec<&Node> = Vec::new();
    for mt in a.get("metrics").and_then(Node::as_seq).unwrap_or_default() {
        let dup = mt.as_str().is_some() && metrics.iter().any(|x| x.as_str() == mt.as_str());
        if !dup {
            metrics.push(mt);
        }
    }
    let metric_key = |mt: &Node| -> Option<String> {
        match get_or(mt, "metric") {
            Some(x) => Some(js_to_string(x)),
            None => mt.as_str().map(str::to_string),
        }
    };
    let known = |mt: &Node| metric_key(mt).and_then(|k| METRICS.iter().find(|(n, _, _)| *n == k));
    let invalid: Vec<&Node> = metrics
        .iter()
        .copied()
        .filter(|mt| known(mt).is_none())
        .collect();
    if !invalid.is_empty() {
        let names: Vec<String> = invalid.iter().map(|n| js_to_string(n)).collect();
        for n in &invalid {
            diags.push(
                Diag::warning(
                    &UNKNOWN_METRIC,
                    format!("`{}` is not a Step Functions alarm metric (state machine `{}`)", js_to_string(n), m.key),
                )
                .label(n.span, "no alarm is created for this metric")
                .help(format!(
                    "the metrics are {} (the plugin logs \"alarms.metrics has invalid metrics [{}]\")",
                    METRICS.iter().map(|(k, _, _)| *k).collect::<Vec<_>>().join(", "),
                    names.join(",")
                )),
            );
        }
    }

    let mut out = Vec::new();
    for mt in metrics {
        let Some((metric, cw, text)) = known(mt) else {
            continue;
        };
        let template_name = match template {
            None => None,
            Some(tn) => match alarm_name_from_template(tn, metric, cw, &m.name) {
                Ok(n) => n,
                Err(bad) => {
                    report_template(m, tn, bad, diags);
                    if matches!(bad, TemplateProblem::NoPlaceholder) {
                        return Vec::new();
                    }
                    None
                }
            },
        };
        let logical_id = get_or(mt, "logicalId")
            .map(js_to_string)
            .unwrap_or_else(|| naming::alarm_logical_id(&m.logical_id, cw));
        let missing = get_or(mt, "treatMissingData")
            .map(Node::to_json)
            .unwrap_or_else(|| default_missing.clone());
        let period = get_or(mt, "period")
            .map(Node::to_json)
            .unwrap_or_else(|| default_period.clone());
        let alarm_name = match get_or(mt, "alarmName") {
            Some(n) => Some(n.to_json()),
            None => template_name.map(Value::String),
        };
        let mut props = Map::new();
        props.insert("Namespace".into(), Value::from("AWS/States"));
        props.insert("MetricName".into(), Value::from(*cw));
        props.insert(
            "AlarmDescription".into(),
            Value::String(format!(
                "{}[{}][{}]: {text}",
                m.name, ctx.stage, ctx.plugin_region
            )),
        );
        props.insert("Threshold".into(), Value::from(1));
        props.insert("Period".into(), period);
        props.insert("EvaluationPeriods".into(), Value::from(1));
        props.insert(
            "ComparisonOperator".into(),
            Value::from("GreaterThanOrEqualToThreshold"),
        );
        props.insert("Statistic".into(), Value::from("Sum"));
        props.insert("OKActions".into(), topic("ok"));
        props.insert("AlarmActions".into(), topic("alarm"));
        props.insert("InsufficientDataActions".into(), topic("insufficientData"));
        props.insert("TreatMissingData".into(), missing);
        props.insert(
            "Dimensions".into(),
            Value::Array(vec![js::obj([
                ("Name", Value::from("StateMachineArn")),
                (
                    "Value",
                    js::obj([("Ref", Value::String(m.logical_id.clone()))]),
                ),
            ])]),
        );
        if let Some(n) = alarm_name.filter(|n| js::truthy(Some(n))) {
            props.insert("AlarmName".into(), n);
        }
        out.push((
            logical_id,
            js::obj([
                ("Type", Value::from("AWS::CloudWatch::Alarm")),
                ("Properties", Value::Object(props)),
            ]),
        ));
    }
    out
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum TemplateProblem {
    NoPlaceholder,
    Unsupported,
}

/// The `$[...]` variables of a template: every run of non-bracket characters between `$[`
/// and `]` (`/(?<=\$\[)[^\][]*(?=])/g`).
fn template_variables(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let b: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < b.len() {
        // a match starts at i when preceded by "$[" and runs over [^\][]* up to a "]"
        if i >= 2 && b[i - 2] == '$' && b[i - 1] == '[' {
            let mut j = i;
            while j < b.len() && b[j] != ']' && b[j] != '[' {
                j += 1;
            }
            if j < b.len() && b[j] == ']' {
                out.push(b[i..j].iter().collect());
                i = if j == i { j + 1 } else { j };
                continue;
            }
        }
        i += 1;
    }
    out
}

fn alarm_name_from_template(
    tn: &Node,
    metric: &str,
    cw: &str,
    sm_name: &str,
) -> Result<Option<String>, TemplateProblem> {
    let tmpl = js_to_string(tn);
    let vars = template_variables(&tmpl);
    if vars.is_empty() {
        return Err(TemplateProblem::NoPlaceholder);
    }
    if vars
        .iter()
        .any(|v| !SUPPORTED_VARIABLES.contains(&v.as_str()))
    {
        return Err(TemplateProblem::Unsupported);
    }
    let mut name = tmpl;
    for v in vars {
        let value = match v.as_str() {
            "metricName" => metric,
            "cloudWatchMetricName" => cw,
            _ => sm_name,
        };
        name = js::replace_first(&name, &format!("$[{v}]"), value);
    }
    Ok(Some(name))
}

fn report_template(m: &Machine, tn: &Node, bad: TemplateProblem, diags: &mut Diags) {
    let d = match bad {
        TemplateProblem::NoPlaceholder => Diag::error(
            &TEMPLATE_WITHOUT_PLACEHOLDER,
            format!("`{}.alarms.nameTemplate` has no `$[...]` placeholder", m.key),
        )
        .label(tn.span, "the plugin crashes on a template without placeholders")
        .help("use e.g. `$[stateMachineName]-$[metricName]`, or set `alarmName` on each metric and drop `nameTemplate`"),
        TemplateProblem::Unsupported => {
            let vars = template_variables(&js_to_string(tn));
            let bad: Vec<String> = vars
                .into_iter()
                .filter(|v| !SUPPORTED_VARIABLES.contains(&v.as_str()))
                .collect();
            Diag::warning(
                &BAD_NAME_TEMPLATE,
                format!("`{}.alarms.nameTemplate` uses unknown variable `{}`", m.key, bad.join("`, `")),
            )
            .label(tn.span, "alarms without their own `alarmName` get no AlarmName (CloudFormation generates one)")
            .help(format!("the variables are {}", SUPPORTED_VARIABLES.map(|v| format!("$[{v}]")).join(", ")))
        }
    };
    // one report per machine
    if !diags
        .iter()
        .any(|x| x.code.id == d.code.id && x.labels.first().map(|l| l.span) == Some(tn.span))
    {
        diags.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables() {
        assert_eq!(
            template_variables("$[stateMachineName]-$[cloudWatchMetricName]-x"),
            ["stateMachineName", "cloudWatchMetricName"]
        );
        assert_eq!(template_variables("plain"), Vec::<String>::new());
        assert_eq!(template_variables("$[]"), [""]);
        assert_eq!(template_variables("$[a[b]"), Vec::<String>::new());
    }
}
