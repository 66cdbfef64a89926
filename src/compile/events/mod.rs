//! `package:compileEvents`: the framework's function events, then the plugin's state-machine
//! events. (issue #4)
//!
//! slsx compiles every function event type of the framework, one module each, in the
//! framework's order (see [`compile_function_events`]). The state-machine events are the
//! plugin's `schedule` ([`schedule`]), `http` ([`http`]) and `cloudwatchEvent` / `eventBridge`
//! ([`cloudwatch`]), then slsx's own `httpApi` ([`http_api`], which the plugin does not have).

pub mod cloudwatch;
pub(crate) mod custom_resources;
pub mod fn_alb;
pub mod fn_alexa;
pub mod fn_brokers;
pub mod fn_cloudfront;
pub mod fn_cloudwatch_event;
pub mod fn_cloudwatch_log;
pub mod fn_cognito;
pub(crate) mod fn_common;
pub mod fn_eventbridge;
pub mod fn_http;
pub mod fn_http_api;
pub mod fn_iot;
pub mod fn_s3;
pub mod fn_schedule;
pub mod fn_sns;
pub mod fn_sqs;
pub mod fn_stream;
pub mod fn_websocket;
pub mod http;
pub mod http_api;
pub(crate) mod jsontext;
pub mod schedule;

use serde_json::{Map, Value, json};

use super::{Ctx, Template};
use crate::declare_codes;
use crate::diagnostics::{Code, Diag, Diags};
use crate::yaml::Node;

declare_codes! { CODES;
    JSON_TEXT = "slsx::events::json-text", "A value that the real tool splices unescaped into the JSON text of a rule: it would crash on it, or silently change it.";
    IGNORED = "slsx::events::ignored", "An event entry the framework or the plugin skips (empty, not a mapping, or of a kind it does not know).";
    UNKNOWN_KEY = "slsx::events::unknown-key", "An event option the compiler never reads (ignored; often a typo).";
    INPUT_CONFLICT = "slsx::events::input-conflict", "More than one of `input`, `inputPath` and `inputTransformer` on one event.";
    BAD_INPUT = "slsx::events::bad-input", "An `input`, `inputPath` or `inputTransformer` of a shape the compiler cannot use.";
}

/// Every code of the event compilers.
pub fn codes() -> Vec<&'static Code> {
    let lists: &[&[&'static Code]] = &[
        CODES,
        schedule::CODES,
        cloudwatch::CODES,
        http::CODES,
        http_api::CODES,
        fn_schedule::CODES,
        fn_eventbridge::CODES,
        fn_common::CODES,
        fn_sqs::CODES,
        fn_s3::CODES,
        fn_alb::CODES,
        fn_alexa::CODES,
        fn_brokers::CODES,
        fn_cloudfront::CODES,
        fn_iot::CODES,
        fn_cloudwatch_event::CODES,
        fn_cloudwatch_log::CODES,
        fn_cognito::CODES,
        fn_sns::CODES,
        fn_stream::CODES,
        fn_websocket::CODES,
        fn_http::CODES,
        fn_http_api::CODES,
    ];
    lists.iter().flat_map(|l| l.iter().copied()).collect()
}

/// The framework's event compilers, in its order (schedule, s3, apiGateway (`http`), …,
/// eventBridge, sqs, cloudFront, httpApi).
pub fn compile_function_events(ctx: &Ctx, t: &mut Template, diags: &mut Diags) {
    check_function_event_kinds(ctx, diags);
    fn_schedule::compile(ctx, t, diags);
    fn_s3::compile(ctx, t, diags);
    fn_http::compile(ctx, t, diags);
    fn_websocket::compile(ctx, t, diags);
    fn_sns::compile(ctx, t, diags);
    fn_stream::compile(ctx, t, diags);
    fn_brokers::compile_kafka(ctx, t, diags);
    fn_brokers::compile_activemq(ctx, t, diags);
    fn_brokers::compile_rabbitmq(ctx, t, diags);
    fn_brokers::compile_msk(ctx, t, diags);
    fn_alb::compile(ctx, t, diags);
    fn_alexa::compile_skill(ctx, t, diags);
    fn_alexa::compile_smart_home(ctx, t, diags);
    fn_iot::compile(ctx, t, diags);
    fn_iot::compile_fleet_provisioning(ctx, t, diags);
    fn_cloudwatch_event::compile(ctx, t, diags);
    fn_cloudwatch_log::compile(ctx, t, diags);
    fn_cognito::compile(ctx, t, diags);
    fn_eventbridge::compile(ctx, t, diags);
    fn_sqs::compile(ctx, t, diags);
    fn_cloudfront::compile(ctx, t, diags);
    fn_http_api::compile(ctx, t, diags);
}

/// serverless-step-functions' compileEvents: schedule, http, cloudwatchEvent / eventBridge;
/// then slsx's httpApi events.
///
/// `httpApi` comes last: the plugin's passes then see exactly the template the plugin sees
/// (none of them reads `AWS::ApiGatewayV2` resources, and the http pass reuses an existing
/// REST deployment, which this pass never writes), so a service without httpApi events is
/// untouched by it; its outputs follow the plugin's (`ServiceEndpoint`), as a framework
/// `HttpApiUrl` output would follow the REST one.
pub fn compile_state_machine_events(ctx: &Ctx, t: &mut Template, diags: &mut Diags) {
    check_state_machine_event_kinds(ctx, diags);
    schedule::compile(ctx, t, diags);
    http::compile(ctx, t, diags);
    cloudwatch::compile(ctx, t, diags);
    http_api::compile(ctx, t, diags);
}

/// Every function event type of the framework (3.40). Other keys are not events at all: the
/// framework ignores them, and the configuration check already warns about them.
const FRAMEWORK_EVENTS: [&str; 22] = [
    "schedule",
    "s3",
    "http",
    "websocket",
    "sns",
    "stream",
    "kafka",
    "activemq",
    "rabbitmq",
    "msk",
    "alb",
    "alexaSkill",
    "alexaSmartHome",
    "iot",
    "iotFleetProvisioning",
    "cloudwatchEvent",
    "cloudwatchLog",
    "cognitoUserPool",
    "eventBridge",
    "sqs",
    "cloudFront",
    "httpApi",
];

/// The state-machine event types serverless-step-functions reads.
const STATE_MACHINE_EVENTS: [&str; 4] = ["schedule", "http", "cloudwatchEvent", "eventBridge"];

/// Function event entries the framework skips: not a mapping, empty, or of no event type.
fn check_function_event_kinds(ctx: &Ctx, diags: &mut Diags) {
    for (fkey, f) in ctx.functions() {
        for ev in event_list(f) {
            let Some(m) = ev.as_map() else {
                if ev.is_null() {
                    diags.push(empty_entry(ev, "the framework"));
                } else {
                    diags.push(
                        Diag::warning(
                            &IGNORED,
                            "this function event is not a mapping; the framework ignores it",
                        )
                        .label(ev.span, "expected `- <type>: …`")
                        .help("write events as `- schedule: rate(1 hour)` or `- eventBridge: {…}`"),
                    );
                }
                continue;
            };
            for (kind, entry) in m.iter() {
                if !FRAMEWORK_EVENTS.contains(&kind.as_str()) {
                    continue;
                }
                if !entry.value.is_truthy() {
                    diags.push(
                        Diag::warning(
                            &IGNORED,
                            format!("this `{kind}` event is empty; the framework ignores it"),
                        )
                        .label(
                            entry.key_span,
                            format!("`{kind}` event of function `{fkey}`"),
                        )
                        .help("give the event its settings, or remove it"),
                    );
                    continue;
                }
            }
        }
    }
}

/// State-machine events of a type the plugin does not read are ignored by it: say so.
fn check_state_machine_event_kinds(ctx: &Ctx, diags: &mut Diags) {
    for (key, sm) in state_machines(ctx) {
        for ev in event_list(sm) {
            let Some(m) = ev.as_map() else {
                if ev.is_null() {
                    diags.push(empty_entry(ev, "serverless-step-functions"));
                } else {
                    diags.push(
                        Diag::warning(
                            &IGNORED,
                            format!("this event of state machine `{key}` is not a mapping; serverless-step-functions ignores it"),
                        )
                        .label(ev.span, "expected `- <type>: …`")
                        .help("write events as `- schedule: rate(1 hour)` or `- eventBridge: {event: …}`"),
                    );
                }
                continue;
            };
            for (kind, entry) in m.iter() {
                // checked by their own passes
                if kind == "http" || kind == "httpApi" {
                    continue;
                }
                if STATE_MACHINE_EVENTS.contains(&kind.as_str()) {
                    if !entry.value.is_truthy() {
                        diags.push(
                            Diag::warning(
                                &IGNORED,
                                format!("this `{kind}` event is empty; serverless-step-functions ignores it"),
                            )
                            .label(entry.key_span, format!("`{kind}` event of state machine `{key}`"))
                            .help("give the event its settings, or remove it"),
                        );
                    }
                    continue;
                }
                let mut d = Diag::warning(
                    &IGNORED,
                    format!("serverless-step-functions ignores `{kind}` events of state machines"),
                )
                .label(
                    entry.key_span,
                    "not a state-machine event type; nothing is created for it",
                );
                d = match crate::compile::resources::closest(kind, STATE_MACHINE_EVENTS.iter().chain(&["httpApi"]).copied()) {
                    Some(s) => d.help(format!("did you mean `{s}`? State machines take `schedule`, `http`, `cloudwatchEvent` and `eventBridge` events (and, with slsx, `httpApi`)")),
                    None => d.help("state machines take `schedule`, `http`, `cloudwatchEvent` and `eventBridge` events (and, with slsx, `httpApi`)"),
                };
                diags.push(d);
            }
        }
    }
}

/// An event entry with nothing in it (a lone `-`): the tools crash on it (they read a property
/// of `null`); slsx skips it and says so.
fn empty_entry(ev: &Node, tool: &str) -> Diag {
    Diag::warning(&IGNORED, "an empty event entry; slsx skips it")
        .label(ev.span, "nothing here")
        .help(format!(
            "{tool} fails on an empty entry in `events` (it reads a property of `null`); remove the `-` line"
        ))
}

// ---------------------------------------------------------------------------------------------
// Shared helpers

/// `stepFunctions.stateMachines`, in order (null entries skipped).
pub(crate) fn state_machines<'a>(ctx: &Ctx<'a>) -> Vec<(&'a str, &'a Node)> {
    match ctx
        .config
        .at(&["stepFunctions", "stateMachines"])
        .and_then(Node::as_map)
    {
        Some(m) => m
            .iter()
            .filter(|(_, e)| !e.value.is_null())
            .map(|(k, e)| (k.as_str(), &e.value))
            .collect(),
        None => Vec::new(),
    }
}

/// The logical ID of a state machine (`id`, else `name`, else the key; see
/// [`crate::compile::naming::state_machine_logical_id`]).
pub(crate) fn state_machine_logical_id(key: &str, sm: &Node) -> String {
    let truthy = |k: &str| {
        sm.get(k)
            .filter(|n| n.is_truthy())
            .map(crate::yaml::js_to_string)
    };
    let id = truthy("id");
    let name = truthy("name");
    crate::compile::naming::state_machine_logical_id(key, id.as_deref(), name.as_deref())
}

/// The `events` list of a function or a state machine (empty unless it is a list).
pub(crate) fn event_list(owner: &Node) -> &[Node] {
    owner.get("events").and_then(Node::as_seq).unwrap_or(&[])
}

/// One event of a kind (`- sqs: …`) in an `events` list.
pub(crate) struct EventOf<'a> {
    /// The event's value (`…`).
    pub value: &'a Node,
    /// Where its key is.
    pub key: crate::source::Span,
    /// Its number among the owner's events of this kind, from 1 (the compilers'
    /// `<kind>NumberInFunction`).
    pub n: usize,
}

/// The events of `kind` in `owner`'s `events` whose value is truthy (the compilers skip the
/// others), in order.
pub(crate) fn events_of<'a>(owner: &'a Node, kind: &'a str) -> impl Iterator<Item = EventOf<'a>> {
    event_list(owner)
        .iter()
        .filter_map(move |ev| truthy(ev, kind).map(|value| (value, key_span(ev, kind))))
        .enumerate()
        .map(|(i, (value, key))| EventOf {
            value,
            key,
            n: i + 1,
        })
}

/// The framework's and the plugin's spellings of the same event option, both ways: a key
/// written in one compiler's spelling is suggested the other's.
const SPELLINGS: [(&str, &str); 12] = [
    ("role", "iamRole"),
    ("iamRole", "role"),
    ("eventBus", "eventBusName"),
    ("eventBusName", "eventBus"),
    ("pattern", "event"),
    ("event", "pattern"),
    ("deadLetterQueueArn", "deadLetterConfig"),
    ("deadLetterConfig", "deadLetterQueueArn"),
    ("maximumEventAge", "maximumEventAgeInSeconds"),
    ("maximumEventAgeInSeconds", "maximumEventAge"),
    ("timeZone", "timezone"),
    ("enable", "enabled"),
];

/// Warns about every key of `node` (a mapping) outside `allowed`.
pub(crate) fn check_keys(
    diags: &mut Diags,
    node: &Node,
    allowed: &[&str],
    what: &str,
    consequence: &str,
) {
    let Some(m) = node.as_map() else {
        return;
    };
    for (k, e) in m.iter() {
        if allowed.contains(&k.as_str()) {
            continue;
        }
        let d = Diag::warning(
            &UNKNOWN_KEY,
            format!("`{k}` is not an option of {what}; {consequence}"),
        )
        .label(e.key_span, "unknown option");
        let list = allowed
            .iter()
            .map(|a| format!("`{a}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let alias = SPELLINGS
            .iter()
            .find(|(from, to)| *from == k.as_str() && allowed.contains(to))
            .map(|(_, to)| *to);
        diags.push(
            match alias.or_else(|| crate::compile::resources::closest(k, allowed.iter().copied())) {
                Some(s) => d.help(format!("did you mean `{s}`? The options are {list}")),
                None => d.help(format!("the options are {list}")),
            },
        );
    }
}

/// A value of a mapping, treating a missing key and JavaScript's falsy values alike
/// (`x ? … : …`).
pub(crate) fn truthy<'a>(node: &'a Node, key: &str) -> Option<&'a Node> {
    node.get(key).filter(|n| n.is_truthy())
}

/// What a value is, with its article, in YAML words: `a mapping`, `a list`, `a number`, ….
pub(crate) fn a_kind(n: &Node) -> &'static str {
    match n.kind {
        crate::yaml::Kind::Null => "null",
        crate::yaml::Kind::Bool(_) => "a boolean",
        crate::yaml::Kind::Number(_) => "a number",
        crate::yaml::Kind::String(_) => "a string",
        crate::yaml::Kind::Seq(_) => "a list",
        crate::yaml::Kind::Map(_) => "a mapping",
    }
}

/// The span of a key of a mapping node (its value's span when it has none).
pub(crate) fn key_span(node: &Node, key: &str) -> crate::source::Span {
    node.as_map()
        .and_then(|m| m.key_span(key))
        .or_else(|| node.get(key).map(|n| n.span))
        .unwrap_or(node.span)
}

/// The IAM role serverless-step-functions gives an event to start a state machine
/// (`buildIamRole`).
pub(crate) fn start_execution_role(
    principal: &str,
    policy_name: &str,
    state_machine_id: &str,
) -> Value {
    json!({
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Principal": {"Service": principal},
                    "Action": "sts:AssumeRole",
                }],
            },
            "Policies": [{
                "PolicyName": policy_name,
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [{
                        "Effect": "Allow",
                        "Action": ["states:StartExecution"],
                        "Resource": {"Ref": state_machine_id},
                    }],
                },
            }],
        },
    })
}

/// Adds `key: value` to the `Properties` of a resource built with [`json!`].
pub(crate) fn set_property(resource: &mut Value, key: &str, value: Value) {
    if let Some(p) = resource
        .get_mut("Properties")
        .and_then(Value::as_object_mut)
    {
        p.insert(key.to_string(), value);
    }
}

/// An object from pairs whose value may be missing (JavaScript `undefined` disappears).
pub(crate) fn object(pairs: Vec<(&str, Option<Value>)>) -> Value {
    let mut m = Map::new();
    for (k, v) in pairs {
        if let Some(v) = v {
            m.insert(k.to_string(), v);
        }
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    //! Full-scope checks that the fixtures' `scope: plugin` cannot make while the core pass is
    //! not there: the template is seeded with the oracle's core resources (functions, the
    //! execution role before the events touched it, outputs), the event passes run, and every
    //! resource they touch must equal the oracle's.

    use super::*;
    use crate::compile::naming;
    use crate::source::SourceMap;

    fn load(case: &str) -> (Node, Value) {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(case);
        let text = std::fs::read_to_string(dir.join("serverless.yml")).expect("fixture");
        let mut sources = SourceMap::new();
        let id = sources.add("serverless.yml", dir.join("serverless.yml"), text.as_str());
        let root = crate::config::parse(&sources, id).expect("parses");
        let expected: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join("expected.json")).expect("expected.json"),
        )
        .expect("json");
        (root, expected)
    }

    fn ctx<'a>(root: &'a Node, options: &'a crate::Options) -> Ctx<'a> {
        Ctx {
            config: root,
            service: root
                .get("service")
                .and_then(Node::as_str)
                .unwrap_or_default()
                .to_string(),
            stage: "dev".into(),
            region: "us-east-1".into(),
            plugin_region: "us-east-1".into(),
            instance_id: "0000000000000".into(),
            options,
            lambda_ids: Default::default(),
        }
    }

    /// Runs the function-event passes on a template seeded with `seed` (ids from the oracle's
    /// template, optionally edited) and returns it.
    fn run(root: &Node, expected: &Value, seed: &[&str], edit: impl Fn(&mut Template)) -> Template {
        let options = crate::Options::default();
        let c = ctx(root, &options);
        let mut t = Template::new();
        for id in seed {
            t.resources_mut()
                .insert(id.to_string(), expected["Resources"][*id].clone());
        }
        if let Some(v) = expected.pointer("/Outputs/ServerlessDeploymentBucketName") {
            t.outputs_mut()
                .insert("ServerlessDeploymentBucketName".into(), v.clone());
        }
        edit(&mut t);
        let mut diags = Diags::new();
        compile_function_events(&c, &mut t, &mut diags);
        assert!(!diags.has_errors(), "{diags:?}");
        t
    }

    fn assert_same(t: &Template, expected: &Value, ids: &[&str]) {
        for id in ids {
            assert_eq!(
                t.resources().get(id).as_deref(),
                expected["Resources"].get(*id),
                "resource {id}"
            );
        }
    }

    #[test]
    fn scheduler_schedules_extend_the_execution_role() {
        let (root, expected) = load("fn-schedule-scheduler");
        let seed = [
            "IamRoleLambdaExecution",
            "MorningLambdaFunction",
            "NightlyLambdaFunction",
            "OwnedLambdaFunction",
            "BynameLambdaFunction",
        ];
        let t = run(&root, &expected, &seed, |t| {
            // the role as the core pass leaves it: without what the schedules add
            let props = t
                .resources_mut()
                .get_mut("IamRoleLambdaExecution")
                .and_then(|r| r.get_mut("Properties"))
                .expect("role");
            props["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Service"] =
                json!(["lambda.amazonaws.com"]);
            let stmts = props["Policies"][0]["PolicyDocument"]["Statement"]
                .as_array_mut()
                .expect("statements");
            stmts.pop();
        });
        assert_same(
            &t,
            &expected,
            &[
                "IamRoleLambdaExecution",
                "MorningSchedulerSchedule1",
                "MorningSchedulerSchedule2",
                "NightlySchedulerSchedule1",
                "NightlyEventsRuleSchedule2",
                "OwnedSchedulerSchedule1",
                "BynameSchedulerSchedule1",
            ],
        );
    }

    #[test]
    fn custom_resource_handler_matches_the_framework() {
        for (case, function, extra) in [
            (
                "fn-eventbridge-custom-resource",
                "FirstLambdaFunction",
                &[][..],
            ),
            (
                "fn-eventbridge-custom-resource-logs",
                "HandlerLambdaFunction",
                &["CustomDashresourceDasheventDashbridgeLogGroup"][..],
            ),
            (
                "fn-eventbridge-custom-resource-deployment-role",
                "FnLambdaFunction",
                &[][..],
            ),
        ] {
            let (root, expected) = load(case);
            let t = run(&root, &expected, &[function], |_| {});
            let mut ids = vec![
                "CustomDashresourceDasheventDashbridgeLambdaFunction",
                naming::CUSTOM_RESOURCES_ROLE,
            ];
            ids.extend_from_slice(extra);
            assert_same(&t, &expected, &ids);
        }
    }
    /// Expands a service given as text; returns the template (or null) and the diagnostic
    /// codes.
    pub(super) fn expand(yaml: &str) -> (Value, Vec<&'static str>) {
        let input = crate::Input::Text {
            name: "serverless.yml".into(),
            dir: std::env::temp_dir(),
            text: yaml.to_string(),
        };
        let e = crate::expand(&input, &crate::Options::default());
        let codes = e.diags.iter().map(|d| d.code.id).collect();
        (
            e.template
                .map(crate::compile::Template::into_value)
                .unwrap_or(Value::Null),
            codes,
        )
    }

    const SFN: &str = "service: s\nprovider:\n  name: aws\nplugins: [serverless-step-functions]\nstepFunctions:\n  stateMachines:\n    m:\n      definition: {StartAt: A, States: {A: {Type: Succeed}}}\n      events:\n";

    #[test]
    fn plugin_crashes_become_the_intended_values() {
        // a multi-line block `input:` (the plugin: "Bad control character in string literal")
        let (t, codes) = expand(&format!(
            "{SFN}        - schedule:\n            rate: rate(1 hour)\n            input: |\n              {{\"a\": 1,\n               \"b\": \"x\"}}\n            name: 'say \"hi\"'\n"
        ));
        let rule = &t["Resources"]["MStepFunctionsEventsRuleSchedule1"]["Properties"];
        assert_eq!(
            rule["Targets"][0]["Input"],
            json!("{\"a\": 1,\n \"b\": \"x\"}\n")
        );
        assert_eq!(rule["Name"], json!("say \"hi\""));
        assert_eq!(codes, ["slsx::events::json-text"]);

        // the same in a cloudwatch/eventBridge rule: line breaks removed, as the plugin does
        // for everything else in this rule
        let (t, codes) = expand(&format!(
            "{SFN}        - eventBridge:\n            event: {{source: [x]}}\n            input: |\n              {{\"a\": 1,\n               \"b\": \"x\"}}\n            inputTransformer: ~\n        - eventBridge:\n            event: {{source: [y]}}\n            inputTransformer:\n              inputTemplate: '{{\"k\": 1}}'\n"
        ));
        let r = &t["Resources"];
        assert_eq!(
            r["MEventsRuleCloudWatchEvent1"]["Properties"]["Targets"][0]["Input"],
            json!("{\"a\": 1, \"b\": \"x\"}")
        );
        // no inputPathsMap: the plugin splices `undefined`; slsx leaves the key out
        assert_eq!(
            r["MEventsRuleCloudWatchEvent2"]["Properties"]["Targets"][0]["InputTransformer"],
            json!({"InputTemplate": "{\"k\": 1}"})
        );
        assert_eq!(
            codes,
            ["slsx::events::json-text", "slsx::events::json-text"]
        );

        // a scheduler schedule with a quote in its timezone
        let (t, codes) = expand(&format!(
            "{SFN}        - schedule:\n            rate: rate(1 hour)\n            method: scheduler\n            timezone: 'a\"b'\n"
        ));
        assert_eq!(
            t["Resources"]["MStepFunctionsSchedulerSchedule1"]["Properties"]["ScheduleExpressionTimezone"],
            json!("a\"b")
        );
        assert_eq!(codes, ["slsx::events::json-text"]);
    }

    #[test]
    fn framework_crashes_become_the_intended_values() {
        let (t, codes) = expand(
            "service: s\nprovider:\n  name: aws\nfunctions:\n  f:\n    handler: h.h\n    events:\n      - schedule:\n          rate: [rate(1 hour)]\n          name: 'a\"b'\n          description: \"two\\nlines\"\n",
        );
        let rule = &t["Resources"]["FEventsRuleSchedule1"]["Properties"];
        assert_eq!(rule["Name"], json!("a\"b"));
        assert_eq!(rule["Description"], json!("two\nlines"));
        assert_eq!(codes, ["slsx::events::json-text"]);
    }

    #[test]
    fn quotes_inside_an_object_input_crash_the_plugin() {
        let (t, codes) = expand(&format!(
            "{SFN}        - schedule:\n            rate: rate(1 hour)\n            input: {{say: 'a \"quoted\" word'}}\n"
        ));
        assert_eq!(
            t["Resources"]["MStepFunctionsEventsRuleSchedule1"]["Properties"]["Targets"][0]["Input"],
            json!("{\"say\":\"a \\\"quoted\\\" word\"}")
        );
        // the plugin escapes `"` but not `\`: `\"` of the JSON text becomes `\\"`, which ends
        // the string early (it crashes: "Expected ',' or '}' after property value")
        assert_eq!(codes, ["slsx::events::json-text"]);
    }
}
