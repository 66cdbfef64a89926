//! Function `cloudwatchLog` events, as the framework's `AwsCompileCloudWatchLogEvents` writes
//! them.
//!
//! Per function, every truthy `cloudwatchLog` event counts (1, 2, …) and becomes the
//! subscription filter `<NF>LogsSubscriptionFilterCloudWatchLog<n>` (line breaks removed from
//! the log group and the filter; a filter whose first `"` follows a `\` is unescaped once). All
//! events of a function share one permission, `<NF>LambdaPermissionLogsSubscriptionFilterCloudWatchLog`,
//! rewritten by each event so that its source ARN covers the log groups so far: their common
//! prefix, with `*` appended when there are several. A log group takes at most two
//! subscription filters across the service (`CLOUDWATCHLOG_LOG_GROUP_EVENT_PER_FUNCTION_LIMIT_EXCEEDED`).
//!
//! Both resources are JSON text in the framework, the log group spliced unescaped; slsx
//! assembles and checks them the same way (see [`super::jsontext`]).

use std::collections::HashMap;

use serde_json::{Value, json};

use super::jsontext::{self, Text};
use super::{JSON_TEXT, fn_common};
use crate::compile::{Ctx, Template, naming};
use crate::declare_codes;
use crate::diagnostics::{Diag, Diags};
use crate::source::Span;
use crate::yaml::{Kind, Node};

declare_codes! { CODES;
    INVALID = "slsx::fn-cloudwatch-log::invalid", "A function `cloudwatchLog` event without a log group name (the framework crashes on it).";
    TOO_MANY_FILTERS = "slsx::fn-cloudwatch-log::too-many-filters", "More than two `cloudwatchLog` events on one log group (CLOUDWATCHLOG_LOG_GROUP_EVENT_PER_FUNCTION_LIMIT_EXCEEDED).";
    LOG_GROUP_NAME = "slsx::fn-cloudwatch-log::log-group-name", "A function `cloudwatchLog` log group name CloudWatch Logs does not accept.";
}

const TOOL: &str = "the framework";

/// How many subscription filters one log group takes.
const FILTERS_PER_LOG_GROUP: usize = 2;

const HELP: &str = "write `cloudwatchLog: /aws/lambda/other-function`, or `cloudwatchLog: {logGroup: <name>, filter: <pattern>}`";

/// Compiles these events into the template.
pub fn compile(ctx: &Ctx, t: &mut Template, diags: &mut Diags) {
    // log group → the events on it so far (their spans)
    let mut per_group: HashMap<String, Vec<Span>> = HashMap::new();
    for (fkey, f) in ctx.functions() {
        let mut groups: Vec<String> = Vec::new();
        let permission_id = naming::lambda_cloud_watch_log_permission_logical_id(fkey);
        for event in super::events_of(f, "cloudwatchLog") {
            let cw = event.value;
            let event_span = event.key;
            let Some((group, group_node, filter)) = read(fkey, cw, diags) else {
                continue;
            };
            let seen = per_group.entry(group.clone()).or_default();
            seen.push(event_span);
            if seen.len() > FILTERS_PER_LOG_GROUP {
                let mut d = Diag::error(
                    &TOO_MANY_FILTERS,
                    format!("only {FILTERS_PER_LOG_GROUP} subscription filters can be configured per log group; this is number {} on `{group}`", seen.len()),
                )
                .label(group_node.span, "one subscription filter too many");
                for s in &seen[..FILTERS_PER_LOG_GROUP] {
                    d = d.secondary(*s, "a subscription filter on the same log group");
                }
                diags.push(d.help("CloudWatch Logs allows two subscription filters per log group; the framework refuses more (CLOUDWATCHLOG_LOG_GROUP_EVENT_PER_FUNCTION_LIMIT_EXCEEDED). Subscribe one function and fan out from it"));
                continue;
            }
            groups.push(group.clone());

            let filter = unescape_filter(&filter);
            let destination = fn_common::lambda_arn(ctx, fkey);
            let alias = crate::compile::aliases::alias_logical_id(ctx, fkey);
            let mut depends = vec![json!(permission_id)];
            depends.extend(alias.clone().map(Value::String));
            let depends = Value::Array(depends);
            let mut text = Text::new();
            text.lit("{\"Type\": \"AWS::Logs::SubscriptionFilter\", \"DependsOn\": ")
                .json(&depends)
                .lit(", \"Properties\": {\"LogGroupName\": ")
                .quoted("logGroup", &group, &group, group_node.span)
                .lit(", \"FilterPattern\": ")
                .json(&Value::String(filter.clone()))
                .lit(", \"DestinationArn\": ")
                .json(&destination)
                .lit("}}");
            let intended = json!({
                "Type": "AWS::Logs::SubscriptionFilter",
                "DependsOn": depends,
                "Properties": {
                    "LogGroupName": group,
                    "FilterPattern": filter,
                    "DestinationArn": destination,
                },
            });
            let filter_value = settle(&text, intended, "subscription filter", cw.span, diags);

            let prefix = common_prefix(&groups);
            let mut text = Text::new();
            text.lit("{\"Type\": \"AWS::Lambda::Permission\", ");
            if let Some(a) = &alias {
                text.lit("\"DependsOn\": ").json(&json!([a])).lit(", ");
            }
            text.lit("\"Properties\": {\"FunctionName\": ")
                .json(&destination)
                .lit(", \"Action\": \"lambda:InvokeFunction\", \"Principal\": {\"Fn::Join\": [\"\", [\"logs.\", {\"Ref\": \"AWS::Region\"}, \".amazonaws.com\"]]}, \"SourceArn\": {\"Fn::Join\": [\"\", [\"arn:\", {\"Ref\": \"AWS::Partition\"}, \":logs:\", {\"Ref\": \"AWS::Region\"}, \":\", {\"Ref\": \"AWS::AccountId\"}, \":log-group:\", ")
                .quoted("logGroup", &prefix, &prefix, group_node.span)
                .lit(", \":*\"]]}}}");
            let mut intended = json!({
                "Type": "AWS::Lambda::Permission",
                "Properties": {
                    "FunctionName": destination,
                    "Action": "lambda:InvokeFunction",
                    "Principal": {"Fn::Join": ["", ["logs.", {"Ref": "AWS::Region"}, ".amazonaws.com"]]},
                    "SourceArn": {"Fn::Join": ["", [
                        "arn:",
                        {"Ref": "AWS::Partition"},
                        ":logs:",
                        {"Ref": "AWS::Region"},
                        ":",
                        {"Ref": "AWS::AccountId"},
                        ":log-group:",
                        prefix,
                        ":*",
                    ]]},
                },
            });
            if let Some(a) = &alias {
                crate::compile::aliases::insert_depends_on(&mut intended, json!([a]));
            }
            let permission = settle(&text, intended, "permission", cw.span, diags);
            t.merge_resource(
                &naming::cloud_watch_log_logical_id(fkey, event.n),
                filter_value,
            );
            t.merge_resource(&permission_id, permission);
        }
    }
}

/// The framework's text, or what it intends when that does not parse; warns either way.
fn settle(text: &Text, intended: Value, what: &str, event: Span, diags: &mut Diags) -> Value {
    let (v, outcome) = jsontext::settle(text, intended);
    if let Some(d) = jsontext::diag(&JSON_TEXT, &outcome, text, TOOL, what, event) {
        diags.push(d);
    }
    v
}

/// The log group (line breaks removed), its node, and the filter (`""` when none).
fn read<'a>(fkey: &str, cw: &'a Node, diags: &mut Diags) -> Option<(String, &'a Node, String)> {
    let strip = |s: &str| s.replace("\r\n", "").replace('\n', "");
    let (group, filter) = match &cw.kind {
        Kind::String(_) => (cw, None),
        Kind::Map(_) => {
            super::check_keys(
                diags,
                cw,
                &["logGroup", "filter"],
                "a function `cloudwatchLog` event",
                "the framework ignores it",
            );
            let Some(g) = cw.get("logGroup").filter(|g| !g.is_null()) else {
                diags.push(
                    Diag::error(
                        &INVALID,
                        format!("cloudwatchLog event of function `{fkey}` has no `logGroup`"),
                    )
                    .label(cw.span, "needs `logGroup:`")
                    .help(HELP),
                );
                return None;
            };
            (g, super::truthy(cw, "filter"))
        }
        _ => {
            diags.push(
                Diag::error(&INVALID, format!("cloudwatchLog event of function `{fkey}` is neither a log group name nor a mapping"))
                    .label(cw.span, super::a_kind(cw))
                    .help(HELP),
            );
            return None;
        }
    };
    let Some(name) = group.as_str() else {
        diags.push(
            Diag::error(&INVALID, "the log group must be a name")
                .label(group.span, super::a_kind(group))
                .help(format!(
                    "{HELP} (the framework crashes on anything but a string)"
                )),
        );
        return None;
    };
    let filter = match filter {
        None => String::new(),
        Some(f) => match f.as_str() {
            Some(s) => strip(s),
            None => {
                diags.push(
                    Diag::error(&INVALID, "the `filter` must be a filter pattern string")
                        .label(f.span, super::a_kind(f))
                        .help("quote the pattern, e.g. `filter: '{$.level = \"error\"}'` (the framework crashes on anything but a string)"),
                );
                return None;
            }
        },
    };
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/#-_.".contains(c));
    if !valid {
        diags.push(
            Diag::warning(&LOG_GROUP_NAME, format!("`{name}` is not a valid log group name"))
                .label(group.span, "letters, digits and `/#-_.` only")
                .help("the framework's schema only warns about this; CloudWatch Logs rejects the subscription filter"),
        );
    }
    Some((strip(name), group, filter))
}

/// The framework's one-time unescaping: when the filter's first `"` comes after its first
/// `\`, each `\"`, `\\` and `\'` becomes the character it escapes.
fn unescape_filter(filter: &str) -> String {
    match (filter.find('\\'), filter.find('"')) {
        (Some(slash), Some(quote)) if quote > slash => {
            let mut out = String::with_capacity(filter.len());
            let mut it = filter.chars().peekable();
            while let Some(c) = it.next() {
                if c == '\\'
                    && let Some(&n) = it.peek()
                    && matches!(n, '"' | '\\' | '\'')
                {
                    out.push(n);
                    it.next();
                    continue;
                }
                out.push(c);
            }
            out
        }
        _ => filter.to_string(),
    }
}

/// The framework's `longestCommonSuffix` (a common *prefix*, despite its name) of the log
/// groups so far, with `*` appended when there are several and it does not end in one.
fn common_prefix(groups: &[String]) -> String {
    let Some(first) = groups.first() else {
        return String::new();
    };
    let mut common: Vec<char> = first.chars().collect();
    for g in &groups[1..] {
        let other: Vec<char> = g.chars().collect();
        let same = common
            .iter()
            .zip(other.iter())
            .take_while(|(a, b)| a == b)
            .count();
        common.truncate(same);
    }
    let mut s: String = common.into_iter().collect();
    if groups.len() > 1 && !s.ends_with('*') {
        s.push('*');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        let v = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(common_prefix(&v(&["/aws/lambda/a"])), "/aws/lambda/a");
        assert_eq!(
            common_prefix(&v(&["/aws/lambda/ab", "/aws/lambda/ac"])),
            "/aws/lambda/a*"
        );
        assert_eq!(common_prefix(&v(&["/x", "/x"])), "/x*");
        assert_eq!(common_prefix(&v(&["a*", "a*b"])), "a*");
    }

    #[test]
    fn unescaping() {
        assert_eq!(unescape_filter(r#"{ $.a = \"b\" }"#), r#"{ $.a = "b" }"#);
        assert_eq!(unescape_filter(r#""a" \"b\""#), r#""a" \"b\""#);
        assert_eq!(unescape_filter(r"a \\ b"), r"a \\ b");
        assert_eq!(unescape_filter(r#"\\ \" \'"#), r#"\ " '"#);
    }
}
