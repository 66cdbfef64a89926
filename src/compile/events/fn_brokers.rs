//! Function `kafka`, `activemq`, `rabbitmq` and `msk` events, as the framework's
//! `AwsCompileKafkaEvents`, `AwsCompileActiveMQEvents`, `AwsCompileRabbitMQEvents` and
//! `AwsCompileMSKEvents` write them: one `AWS::Lambda::EventSourceMapping` per event,
//! replacing a resource of its ID, `DependsOn` the function's role resource, and per function
//! the statements the mapping needs on `IamRoleLambdaExecution` (when the template has it).
//!
//! | kind | logical ID | statements (per function) |
//! |---|---|---|
//! | `kafka` | `<NF>EventSourceMappingKafka<alnum(topic)[..158]>` | the secrets of the auth access configurations; EC2 network access with VPC ones |
//! | `activemq` / `rabbitmq` | `<NF>EventSourceMapping{ActiveMQ,RabbitMQ}<alnum(queue)[..150]>` | the `basicAuthArn` secrets, `mq:DescribeBroker` on the brokers, EC2 network access |
//! | `msk` | `<NF>EventSourceMappingMSK<alnum(cluster)[..79]><alnum(topic)[..79]>` (cluster: the ARN's part after the first `/`, or the `Fn::ImportValue` / `Ref` name) | `kafka:DescribeCluster` / `GetBootstrapBrokers` on the clusters, EC2 network access |

use serde_json::{Map, Value, json};

use super::fn_common;
use crate::compile::{Ctx, Template, naming};
use crate::declare_codes;
use crate::diagnostics::{Diag, Diags};
use crate::source::Span;
use crate::yaml::{Kind, Node, js_to_string};

declare_codes! { CODES;
    INVALID = "slsx::fn-brokers::invalid", "A function `kafka` / `activemq` / `rabbitmq` / `msk` event without the settings the framework needs (it crashes, or writes an unusable mapping).";
    VPC_ACCESS = "slsx::fn-brokers::vpc-access", "A `kafka` event with `vpcSubnet` but no `vpcSecurityGroup` access configuration, or the reverse (FUNCTION_KAFKA_VPC_ACCESS_CONFIGURATION_INVALID).";
    STARTING_POSITION_TIMESTAMP = "slsx::fn-brokers::starting-position-timestamp", "A `kafka` / `msk` event starting AT_TIMESTAMP without `startingPositionTimestamp` (FUNCTION_KAFKA/MSK_STARTING_POSITION_TIMESTAMP_INVALID).";
}

/// EC2 network access, which a mapping needs to reach a broker in a VPC.
fn ec2_statement() -> Value {
    json!({
        "Effect": "Allow",
        "Action": [
            "ec2:CreateNetworkInterface",
            "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeVpcs",
            "ec2:DeleteNetworkInterface",
            "ec2:DescribeSubnets",
            "ec2:DescribeSecurityGroups",
        ],
        "Resource": "*",
    })
}

/// The mappings' shared options, written when the framework writes them: `batchSize` and
/// `maximumBatchingWindow` when truthy, `enabled` when not null.
fn batching(props: &mut Map<String, Value>, ev: &Node, enabled: bool) {
    if let Some(b) = super::truthy(ev, "batchSize") {
        props.insert("BatchSize".into(), b.to_json());
    }
    if let Some(w) = super::truthy(ev, "maximumBatchingWindow") {
        props.insert("MaximumBatchingWindowInSeconds".into(), w.to_json());
    }
    if enabled && let Some(e) = ev.get("enabled").filter(|e| !e.is_null()) {
        props.insert("Enabled".into(), e.to_json());
    }
}

/// The schema's ranges (warnings), the unknown options, and the `filterPatterns` (`Err` after
/// an error).
fn common_checks(
    kind: &str,
    ev: &Node,
    keys: &[&str],
    diags: &mut Diags,
) -> Result<Option<Value>, ()> {
    super::check_keys(
        diags,
        ev,
        keys,
        &format!("a function `{kind}` event"),
        "the framework ignores it",
    );
    for (key, range) in [
        ("batchSize", (1.0, 10000.0)),
        ("maximumBatchingWindow", (0.0, 300.0)),
    ] {
        fn_common::check_integer(diags, ev, key, range, &[]);
    }
    if keys.contains(&"startingPosition") {
        fn_common::check_enum(
            diags,
            ev,
            "startingPosition",
            &["LATEST", "TRIM_HORIZON", "AT_TIMESTAMP"],
        );
    }
    fn_common::filter_criteria(ev, diags)
}

/// The required string options of an event; an error names the missing ones.
fn required<'a>(
    kind: &str,
    fkey: &str,
    ev: &'a Node,
    event_key: Span,
    keys: &[&str],
    diags: &mut Diags,
) -> Option<Vec<&'a Node>> {
    if ev.as_map().is_none() {
        diags.push(
            Diag::error(
                &INVALID,
                format!("{kind} event of function `{fkey}` is not a mapping"),
            )
            .label(ev.span, super::a_kind(ev))
            .help(format!("write the event as a mapping with {}", list(keys))),
        );
        return None;
    }
    let missing: Vec<&str> = keys
        .iter()
        .copied()
        .filter(|k| ev.get(k).is_none_or(Node::is_null))
        .collect();
    if !missing.is_empty() {
        diags.push(
            Diag::error(
                &INVALID,
                format!("{kind} event of function `{fkey}` has no {}", list(&missing)),
            )
            .label(event_key, format!("needs {}", list(keys)))
            .help("the framework crashes on this event, or writes a mapping CloudFormation rejects; add the missing settings"),
        );
        return None;
    }
    Some(keys.iter().filter_map(|k| ev.get(k)).collect())
}

fn list(keys: &[&str]) -> String {
    keys.iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A name the logical ID takes from a string option (`None` after an error: the framework
/// crashes on anything but a string).
fn name_of(n: &Node, what: &str, diags: &mut Diags) -> Option<String> {
    if let Some(s) = n.as_str() {
        return Some(s.to_string());
    }
    diags.push(
        Diag::error(&INVALID, format!("the {what} must be a string"))
            .label(n.span, super::a_kind(n))
            .help(format!("the framework names the mapping after the {what}, and crashes on anything but a string")),
    );
    None
}

/// `startingPosition` (default `TRIM_HORIZON`), with AT_TIMESTAMP requiring its timestamp
/// (`None` after an error).
fn starting_position(
    kind: &str,
    fkey: &str,
    ev: &Node,
    diags: &mut Diags,
) -> Option<(Value, Option<Value>)> {
    let position = super::truthy(ev, "startingPosition")
        .map(Node::to_json)
        .unwrap_or_else(|| json!("TRIM_HORIZON"));
    let timestamp = ev
        .get("startingPositionTimestamp")
        .filter(|t| !t.is_null())
        .map(Node::to_json);
    if position == json!("AT_TIMESTAMP") && timestamp.is_none() {
        diags.push(
            Diag::error(
                &STARTING_POSITION_TIMESTAMP,
                format!("{kind} event of function `{fkey}` starts AT_TIMESTAMP without `startingPositionTimestamp`"),
            )
            .label(super::key_span(ev, "startingPosition"), "needs `startingPositionTimestamp`")
            .help(format!(
                "add `startingPositionTimestamp: <epoch seconds>` (the framework refuses this too: FUNCTION_{}_STARTING_POSITION_TIMESTAMP_INVALID)",
                kind.to_uppercase()
            )),
        );
        return None;
    }
    Some((position, timestamp))
}

/// `AWS::Lambda::EventSourceMapping` with these properties and `DependsOn`.
fn mapping(depends: Vec<Value>, props: Map<String, Value>) -> Value {
    json!({"Type": "AWS::Lambda::EventSourceMapping", "DependsOn": depends, "Properties": props})
}

/// Compiles the `kafka` events.
pub fn compile_kafka(ctx: &Ctx, t: &mut Template, diags: &mut Diags) {
    const KEYS: [&str; 10] = [
        "accessConfigurations",
        "batchSize",
        "maximumBatchingWindow",
        "enabled",
        "bootstrapServers",
        "startingPosition",
        "startingPositionTimestamp",
        "topic",
        "consumerGroupId",
        "filterPatterns",
    ];
    for (fkey, f) in ctx.functions() {
        let mut secrets: Vec<Value> = Vec::new();
        let mut any = false;
        let mut needs_ec2 = false;
        for event in super::events_of(f, "kafka") {
            let (ev, event_key) = (event.value, event.key);
            let Some(req) = required(
                "kafka",
                fkey,
                ev,
                event_key,
                &["accessConfigurations", "bootstrapServers", "topic"],
                diags,
            ) else {
                continue;
            };
            let (access, servers, topic_node) = (req[0], req[1], req[2]);
            let Ok(filter) = common_checks("kafka", ev, &KEYS, diags) else {
                continue;
            };
            let Some(access_map) = access.as_map() else {
                diags.push(
                    Diag::error(&INVALID, "`accessConfigurations` must be a mapping")
                        .label(access.span, super::a_kind(access))
                        .help("write e.g. `accessConfigurations: {saslScram512Auth: [arn:aws:secretsmanager:…]}`"),
                );
                continue;
            };
            let (sg, subnet) = (access.get("vpcSecurityGroup"), access.get("vpcSubnet"));
            let present = |n: Option<&Node>| n.is_some_and(Node::is_truthy);
            if present(sg) != present(subnet) {
                let (have, missing) = if present(sg) {
                    ("vpcSecurityGroup", "vpcSubnet")
                } else {
                    ("vpcSubnet", "vpcSecurityGroup")
                };
                diags.push(
                    Diag::error(&VPC_ACCESS, format!("the kafka event of function `{fkey}` has `{have}` but no `{missing}` access configuration"))
                        .label(super::key_span(access, have), format!("needs `{missing}` too"))
                        .help(format!("a mapping into a VPC needs both subnets and security groups; add `{missing}: [...]` (the framework refuses this too: FUNCTION_KAFKA_VPC_ACCESS_CONFIGURATION_INVALID)")),
                );
                continue;
            }
            let Some((position, timestamp)) = starting_position("kafka", fkey, ev, diags) else {
                continue;
            };
            let Some(topic) = name_of(topic_node, "topic", diags) else {
                continue;
            };
            let mut configurations = Vec::new();
            let mut ok = true;
            for (ty, e) in access_map.iter() {
                let (kind, prefix, secret) = match ty.as_str() {
                    "vpcSubnet" => ("VPC_SUBNET", "subnet:", false),
                    "vpcSecurityGroup" => ("VPC_SECURITY_GROUP", "security_group:", false),
                    "saslPlainAuth" => ("BASIC_AUTH", "", true),
                    "saslScram256Auth" => ("SASL_SCRAM_256_AUTH", "", true),
                    "saslScram512Auth" => ("SASL_SCRAM_512_AUTH", "", true),
                    "clientCertificateTlsAuth" => ("CLIENT_CERTIFICATE_TLS_AUTH", "", true),
                    "serverRootCaCertificate" => ("SERVER_ROOT_CA_CERTIFICATE", "", true),
                    other => (other, "", false),
                };
                needs_ec2 |= !prefix.is_empty();
                let Some(values) = e.value.as_seq() else {
                    diags.push(
                        Diag::error(
                            &INVALID,
                            format!("the `{ty}` access configuration must be a list"),
                        )
                        .label(e.value.span, super::a_kind(&e.value))
                        .help(format!(
                            "write `{ty}: [...]` (the framework crashes on anything but a list)"
                        )),
                    );
                    ok = false;
                    continue;
                };
                for v in values {
                    if secret {
                        secrets.push(v.to_json());
                    }
                    configurations
                        .push(json!({"Type": kind, "URI": format!("{prefix}{}", js_to_string(v))}));
                }
            }
            super::check_keys(
                diags,
                access,
                &[
                    "vpcSubnet",
                    "vpcSecurityGroup",
                    "saslPlainAuth",
                    "saslScram256Auth",
                    "saslScram512Auth",
                    "clientCertificateTlsAuth",
                    "serverRootCaCertificate",
                ],
                "kafka `accessConfigurations`",
                "the framework writes it as an access configuration of that type",
            );
            if !ok {
                continue;
            }
            any = true;
            let mut props = Map::new();
            props.insert("FunctionName".into(), fn_common::lambda_arn(ctx, fkey));
            props.insert("StartingPosition".into(), position);
            props.insert(
                "SelfManagedEventSource".into(),
                json!({"Endpoints": {"KafkaBootstrapServers": servers.to_json()}}),
            );
            props.insert("Topics".into(), json!([topic_node.to_json()]));
            props.insert(
                "SourceAccessConfigurations".into(),
                Value::Array(configurations),
            );
            batching(&mut props, ev, true);
            if let Some(g) = super::truthy(ev, "consumerGroupId") {
                props.insert(
                    "SelfManagedKafkaEventSourceConfig".into(),
                    json!({"ConsumerGroupId": g.to_json()}),
                );
            }
            if let Some(ts) = timestamp {
                props.insert("StartingPositionTimestamp".into(), ts);
            }
            if let Some(fc) = filter {
                props.insert("FilterCriteria".into(), fc);
            }
            let depends = fn_common::mapping_depends_on(ctx, t, fkey, f, event_key, diags);
            t.resources_mut().insert(
                naming::kafka_event_logical_id(fkey, &topic),
                mapping(depends, props),
            );
        }
        if any {
            if !secrets.is_empty() {
                fn_common::add_role_statement(
                    t,
                    fn_common::allow(&["secretsmanager:GetSecretValue"], secrets),
                );
            }
            if needs_ec2 {
                fn_common::add_role_statement(t, ec2_statement());
            }
        }
    }
}

/// Compiles the `activemq` events.
pub fn compile_activemq(ctx: &Ctx, t: &mut Template, diags: &mut Diags) {
    compile_mq(ctx, t, diags, "activemq", "ActiveMQ");
}

/// Compiles the `rabbitmq` events.
pub fn compile_rabbitmq(ctx: &Ctx, t: &mut Template, diags: &mut Diags) {
    compile_mq(ctx, t, diags, "rabbitmq", "RabbitMQ");
}

fn compile_mq(ctx: &Ctx, t: &mut Template, diags: &mut Diags, kind: &str, id_part: &str) {
    let rabbit = kind == "rabbitmq";
    let mut keys = vec![
        "arn",
        "basicAuthArn",
        "batchSize",
        "maximumBatchingWindow",
        "enabled",
        "queue",
        "filterPatterns",
    ];
    if rabbit {
        keys.insert(6, "virtualHost");
    }
    for (fkey, f) in ctx.functions() {
        let mut secrets = Vec::new();
        let mut brokers = Vec::new();
        let mut any = false;
        for event in super::events_of(f, kind) {
            let (ev, event_key) = (event.value, event.key);
            let Some(req) = required(
                kind,
                fkey,
                ev,
                event_key,
                &["arn", "basicAuthArn", "queue"],
                diags,
            ) else {
                continue;
            };
            let (arn, auth, queue_node) = (req[0], req[1], req[2]);
            let Ok(filter) = common_checks(kind, ev, &keys, diags) else {
                continue;
            };
            let Some(queue) = name_of(queue_node, "queue", diags) else {
                continue;
            };
            any = true;
            let mut access = vec![json!({"Type": "BASIC_AUTH", "URI": auth.to_json()})];
            if rabbit && let Some(v) = super::truthy(ev, "virtualHost") {
                access.push(json!({"Type": "VIRTUAL_HOST", "URI": v.to_json()}));
            }
            let mut props = Map::new();
            props.insert("FunctionName".into(), fn_common::lambda_arn(ctx, fkey));
            props.insert("EventSourceArn".into(), arn.to_json());
            props.insert("Queues".into(), json!([queue_node.to_json()]));
            props.insert("SourceAccessConfigurations".into(), Value::Array(access));
            batching(&mut props, ev, true);
            if let Some(fc) = filter {
                props.insert("FilterCriteria".into(), fc);
            }
            brokers.push(arn.to_json());
            secrets.push(auth.to_json());
            let depends = fn_common::mapping_depends_on(ctx, t, fkey, f, event_key, diags);
            t.resources_mut().insert(
                naming::mq_event_logical_id(fkey, id_part, &queue),
                mapping(depends, props),
            );
        }
        if any {
            fn_common::add_role_statement(
                t,
                fn_common::allow(&["secretsmanager:GetSecretValue"], secrets),
            );
            fn_common::add_role_statement(t, fn_common::allow(&["mq:DescribeBroker"], brokers));
            fn_common::add_role_statement(t, ec2_statement());
        }
    }
}

/// Compiles the `msk` events.
pub fn compile_msk(ctx: &Ctx, t: &mut Template, diags: &mut Diags) {
    const KEYS: [&str; 10] = [
        "arn",
        "batchSize",
        "maximumBatchingWindow",
        "enabled",
        "startingPosition",
        "startingPositionTimestamp",
        "topic",
        "saslScram512",
        "consumerGroupId",
        "filterPatterns",
    ];
    for (fkey, f) in ctx.functions() {
        let mut clusters = Vec::new();
        for event in super::events_of(f, "msk") {
            let (ev, event_key) = (event.value, event.key);
            let Some(req) = required("msk", fkey, ev, event_key, &["arn", "topic"], diags) else {
                continue;
            };
            let (arn, topic_node) = (req[0], req[1]);
            let Ok(filter) = common_checks("msk", ev, &KEYS, diags) else {
                continue;
            };
            let Some((position, timestamp)) = starting_position("msk", fkey, ev, diags) else {
                continue;
            };
            let cluster = match &arn.kind {
                Kind::String(s) => s.split('/').nth(1).map(str::to_string),
                _ => ["Fn::ImportValue", "Ref"]
                    .iter()
                    .find_map(|k| super::truthy(arn, k))
                    .and_then(|v| v.as_str().map(str::to_string)),
            };
            let Some(cluster) = cluster else {
                diags.push(fn_common::unnamed_source(
                    arn.span,
                    "cluster",
                    "it takes the cluster's name from the part of the ARN after the first `/`, or from `Fn::ImportValue` / `Ref`",
                    "an MSK cluster ARN (`arn:aws:kafka:<region>:<account>:cluster/<name>/<id>`), `!ImportValue <export name>` or `!Ref <parameter>`",
                ));
                continue;
            };
            let Some(topic) = name_of(topic_node, "topic", diags) else {
                continue;
            };
            let mut props = Map::new();
            props.insert("EventSourceArn".into(), arn.to_json());
            props.insert("FunctionName".into(), fn_common::lambda_arn(ctx, fkey));
            props.insert("StartingPosition".into(), position);
            props.insert("Topics".into(), json!([topic_node.to_json()]));
            if let Some(ts) = timestamp {
                props.insert("StartingPositionTimestamp".into(), ts);
            }
            batching(&mut props, ev, false);
            if let Some(g) = super::truthy(ev, "consumerGroupId") {
                props.insert(
                    "AmazonManagedKafkaEventSourceConfig".into(),
                    json!({"ConsumerGroupId": g.to_json()}),
                );
            }
            if let Some(e) = ev.get("enabled").filter(|e| !e.is_null()) {
                props.insert("Enabled".into(), e.to_json());
            }
            if let Some(s) = ev.get("saslScram512").filter(|s| !s.is_null()) {
                props.insert(
                    "SourceAccessConfigurations".into(),
                    json!([{"Type": "SASL_SCRAM_512_AUTH", "URI": s.to_json()}]),
                );
            }
            if let Some(fc) = filter {
                props.insert("FilterCriteria".into(), fc);
            }
            clusters.push(arn.to_json());
            let depends = fn_common::mapping_depends_on(ctx, t, fkey, f, event_key, diags);
            t.resources_mut().insert(
                naming::msk_event_logical_id(fkey, &cluster, &topic),
                mapping(depends, props),
            );
        }
        if !clusters.is_empty() {
            fn_common::add_role_statement(
                t,
                fn_common::allow(
                    &["kafka:DescribeCluster", "kafka:GetBootstrapBrokers"],
                    clusters,
                ),
            );
            fn_common::add_role_statement(t, ec2_statement());
        }
    }
}
