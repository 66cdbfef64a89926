//! Function `s3` events, as the framework's `AwsCompileS3Events` writes them: first the
//! buckets it creates, then the existing ones.
//!
//! **New buckets** (`s3: <bucket>`, or `bucket:` without `existing: true`): one
//! `AWS::S3::Bucket` per bucket name, `S3Bucket<alnum(name)>` (or `S3Bucket<alnum(key)>` when the
//! bucket is declared under `provider.s3.<key>`, whose other settings become the bucket's
//! properties), holding every event's `LambdaConfigurations` entry (`event`, default
//! `s3:ObjectCreated:*`; `rules` as `Filter.S3Key.Rules`), `DependsOn` the permissions; the
//! buckets are written in JavaScript key order of their names (integer-like names first).
//! Then one permission `<NF>LambdaPermission<alnum(bucket)>S3` per event.
//!
//! **Existing buckets** (`existing: true`): one `Custom::S3` resource `<NF>CustomS31` per
//! function (a function may use one such bucket), its `BucketConfigs` one per event; custom
//! resources of one bucket depend on each other in order. They need the framework's
//! custom-resource handler ([`super::custom_resources`], `s3` kind): slsx writes it exactly and
//! warns that its code comes from `sls package`. `forceDeploy` writes the time of the run as
//! `ForceDeploy`; slsx writes its stand-in for that time, the instance id (`--instance-id`).

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::custom_resources::{self, Handler};
use crate::compile::{Ctx, Template, naming};
use crate::declare_codes;
use crate::diagnostics::{Diag, Diags};
use crate::source::Span;
use crate::yaml::{Kind, Node, js_to_string};

declare_codes! { CODES;
    INVALID = "slsx::fn-s3::invalid", "A function `s3` event without a usable bucket or with `rules` the framework cannot read (it crashes, or writes a broken bucket).";
    NEW_BUCKET_FORMAT = "slsx::fn-s3::new-bucket-format", "A function `s3` bucket given as an intrinsic without `existing: true` (S3_INVALID_NEW_BUCKET_FORMAT).";
    BUCKET_NAME = "slsx::fn-s3::bucket-name", "A function `s3` bucket name S3 does not accept (S3_INVALID_BUCKET_PATTERN).";
    MULTIPLE_BUCKETS = "slsx::fn-s3::multiple-buckets", "A function with `existing: true` s3 events on more than one bucket (S3_MULTIPLE_BUCKETS_PER_FUNCTION).";
    IGNORED_OPTION = "slsx::fn-s3::ignored-option", "A function `s3` setting that has no effect where it is written.";
    CUSTOM_RESOURCE = "slsx::fn-s3::custom-resource", "Function `s3` events on existing buckets: the template needs the framework's `custom-resources.zip`, which only `sls package` builds.";
}

/// The options of the object form (the framework's schema).
const KEYS: [&str; 5] = ["bucket", "event", "existing", "forceDeploy", "rules"];

const HELP: &str = "write `s3: <bucket name>` (the framework creates the bucket), or a mapping with `bucket:` and options (`existing: true` for a bucket that already exists)";

/// Compiles these events into the template.
pub fn compile(ctx: &Ctx, t: &mut Template, diags: &mut Diags) {
    new_buckets(ctx, t, diags);
    existing_buckets(ctx, t, diags);
}

/// Whether an event is for an existing bucket (`existing` truthy on the object form).
fn is_existing(s3: &Node) -> bool {
    s3.as_map().is_some() && super::truthy(s3, "existing").is_some()
}

/// An event's rules: each rule's first key and its value (`Err` after an error).
fn rules<'a>(s3: &'a Node, diags: &mut Diags) -> Result<Vec<(&'a str, &'a Node)>, ()> {
    let Some(rules) = super::truthy(s3, "rules") else {
        return Ok(Vec::new());
    };
    let Some(items) = rules.as_seq() else {
        diags.push(
            Diag::error(&INVALID, "`rules` must be a list")
                .label(rules.span, super::a_kind(rules))
                .help("write `rules: [{prefix: uploads/}, {suffix: .jpg}]` (the framework crashes on anything but a list)"),
        );
        return Err(());
    };
    let mut out = Vec::new();
    let mut ok = true;
    for rule in items {
        let Some(m) = rule.as_map() else {
            diags.push(
                Diag::error(
                    &INVALID,
                    "an s3 rule must be a mapping with `prefix` or `suffix`",
                )
                .label(rule.span, super::a_kind(rule))
                .help("write each rule as `{prefix: uploads/}` or `{suffix: .jpg}`"),
            );
            ok = false;
            continue;
        };
        super::check_keys(
            diags,
            rule,
            &["prefix", "suffix"],
            "an s3 rule",
            "S3 filters keys by `prefix` and `suffix` only",
        );
        let Some((k, e)) = m.iter().next() else {
            diags.push(
                Diag::error(&INVALID, "an empty s3 rule")
                    .label(
                        rule.span,
                        "the framework writes an empty filter rule for this",
                    )
                    .help("write `{prefix: …}` or `{suffix: …}`, or remove the rule"),
            );
            ok = false;
            continue;
        };
        if m.len() > 1 {
            let mut d = Diag::warning(
                &IGNORED_OPTION,
                "an s3 rule takes one key; the framework uses the first only",
            );
            for (i, (other, _)) in m.iter().enumerate().skip(1) {
                let span = m.key_span(other).unwrap_or(rule.span);
                d = if i == 1 {
                    d.label(span, "ignored")
                } else {
                    d.secondary(span, "ignored")
                };
            }
            diags.push(d.help(format!(
                "write one rule per item: `rules: [{{prefix: …}}, {{suffix: …}}]` (`{k}` is used here)"
            )));
        }
        out.push((k.as_str(), &e.value));
    }
    if ok { Ok(out) } else { Err(()) }
}

/// The schema's `event` (`^s3:.+$`) and the options without effect on a new bucket.
fn check_options(s3: &Node, existing: bool, diags: &mut Diags) {
    super::check_keys(
        diags,
        s3,
        &KEYS,
        "a function `s3` event",
        "the framework ignores it",
    );
    if let Some(e) = s3.get("event").filter(|e| e.is_truthy())
        && !e
            .as_str()
            .is_some_and(|s| s.len() > 3 && s.starts_with("s3:"))
    {
        diags.push(
            Diag::warning(&super::fn_common::SCHEMA, format!("`{}` is not an S3 event type", js_to_string(e)))
                .label(e.span, "S3 event types start with `s3:`")
                .help("write e.g. `event: s3:ObjectCreated:*` or `event: s3:ObjectRemoved:Delete`; the framework's schema only warns, and the deploy fails"),
        );
    }
    if !existing && let Some(f) = s3.get("forceDeploy").filter(|f| f.is_truthy()) {
        diags.push(
            Diag::warning(
                &IGNORED_OPTION,
                "`forceDeploy` only applies to existing buckets",
            )
            .label(f.span, "ignored: the framework creates this bucket")
            .help("remove `forceDeploy`, or add `existing: true` if the bucket already exists"),
        );
    }
}

/// The bucket of an event (`None` after an error).
fn bucket<'a>(fkey: &str, s3: &'a Node, diags: &mut Diags) -> Option<&'a Node> {
    match &s3.kind {
        Kind::String(_) => Some(s3),
        Kind::Map(_) => match s3.get("bucket").filter(|b| !b.is_null()) {
            Some(b) => Some(b),
            None => {
                diags.push(
                    Diag::error(&INVALID, format!("s3 event of function `{fkey}` has no `bucket`"))
                        .label(s3.span, "needs `bucket:`")
                        .help(format!("{HELP} (without `bucket`, the framework creates a bucket named `undefined`)")),
                );
                None
            }
        },
        _ => {
            diags.push(
                Diag::error(
                    &INVALID,
                    format!("s3 event of function `{fkey}` is neither a bucket name nor a mapping"),
                )
                .label(s3.span, super::a_kind(s3))
                .help(HELP),
            );
            None
        }
    }
}

/// The framework's `awsS3BucketName` pattern: dot-separated labels of `[a-z0-9-]` that neither
/// start nor end with `-`, and not an IPv4 address.
fn is_valid_bucket_name(s: &str) -> bool {
    let labels: Vec<&str> = s.split('.').collect();
    let ip = labels.len() == 4
        && labels
            .iter()
            .all(|l| (1..=3).contains(&l.len()) && l.bytes().all(|b| b.is_ascii_digit()));
    !ip && labels.iter().all(|l| {
        !l.is_empty()
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    })
}

fn new_buckets(ctx: &Ctx, t: &mut Template, diags: &mut Diags) {
    let provider_s3 = ctx.provider_at(&["s3"]).filter(|p| p.is_truthy());
    // bucket name → configurations, in first-event order; `provider.s3` key per bucket name
    let mut buckets: Map<String, Value> = Map::new();
    let mut declared: HashMap<String, String> = HashMap::new();
    let mut enabled: Vec<(&str, String)> = Vec::new();
    for (fkey, f) in ctx.functions() {
        for event in super::events_of(f, "s3") {
            let s3 = event.value;
            if is_existing(s3) {
                continue;
            }
            let Some(bucket) = bucket(fkey, s3, diags) else {
                continue;
            };
            if s3.as_map().is_some() {
                check_options(s3, false, diags);
            }
            if matches!(bucket.kind, Kind::Map(_) | Kind::Seq(_)) {
                diags.push(
                    Diag::error(
                        &NEW_BUCKET_FORMAT,
                        "a bucket given as a CloudFormation intrinsic must be an existing bucket",
                    )
                    .label(bucket.span, "the framework cannot create a bucket named by this")
                    .help("add `existing: true` (the bucket is then configured by the framework's custom resource), or name the bucket to create; the framework refuses this too (S3_INVALID_NEW_BUCKET_FORMAT)"),
                );
                continue;
            }
            let Ok(rules) = rules(s3, diags) else {
                continue;
            };
            let bucket_ref = js_to_string(bucket);
            let config = provider_s3
                .and_then(|p| p.get(&bucket_ref))
                .filter(|c| c.is_truthy());
            let (name, name_node) = match config {
                Some(c) => match super::truthy(c, "name") {
                    Some(n) => (js_to_string(n), n),
                    None => (bucket_ref.clone(), bucket),
                },
                None => (bucket_ref.clone(), bucket),
            };
            if config.is_some() {
                declared.insert(name.clone(), bucket_ref.clone());
            }
            if !is_valid_bucket_name(&name) {
                let mut d = Diag::error(
                    &BUCKET_NAME,
                    format!("`{name}` is not a valid S3 bucket name"),
                )
                .label(
                    name_node.span,
                    "the framework creates a bucket of this name",
                );
                if name_node.span != bucket.span {
                    d = d.secondary(bucket.span, format!("`provider.s3.{bucket_ref}`"));
                }
                diags.push(d.help("bucket names are lower-case letters, digits, `-` and `.` in dot-separated labels that start and end with a letter or digit (and not an IP address); the framework refuses this too (S3_INVALID_BUCKET_PATTERN)"));
                continue;
            }
            let len = naming::js_length(&name);
            if !(3..=63).contains(&len) {
                diags.push(
                    Diag::warning(&BUCKET_NAME, format!("the bucket name is {len} characters long; S3 allows 3 to 63"))
                        .label(name_node.span, "CloudFormation rejects this name")
                        .help("the framework's schema only warns about this; shorten (or lengthen) the name"),
                );
            }
            let event = s3
                .as_map()
                .and_then(|_| super::truthy(s3, "event"))
                .map(Node::to_json)
                .unwrap_or_else(|| json!("s3:ObjectCreated:*"));
            let mut configuration = json!({
                "Event": event,
                "Function": super::fn_common::lambda_arn(ctx, fkey),
            });
            if s3.get("rules").is_some_and(Node::is_truthy)
                && let Some(o) = configuration.as_object_mut()
            {
                let list: Vec<Value> = rules
                    .iter()
                    .map(|(k, v)| json!({"Name": k, "Value": v.to_json()}))
                    .collect();
                o.insert("Filter".into(), json!({"S3Key": {"Rules": list}}));
            }
            if let Some(list) = buckets
                .entry(name.clone())
                .or_insert_with(|| Value::Array(Vec::new()))
                .as_array_mut()
            {
                list.push(configuration);
            }
            enabled.push((fkey, name));
        }
    }
    let permission_id = |fkey: &str, name: &str| {
        naming::lambda_s3_permission_logical_id(
            fkey,
            declared.get(name).map(String::as_str).unwrap_or(name),
        )
    };
    for name in crate::emit::json::js_key_order(&buckets) {
        let configurations = buckets[name.as_str()].clone();
        let key = declared.get(name.as_str());
        let settings = key.and_then(|k| provider_s3.and_then(|p| p.get(k)));
        let mut conf = Map::new();
        if let Some(m) = settings.and_then(Node::as_map) {
            for (k, e) in m.iter() {
                if k != "name" {
                    conf.insert(naming::normalize_name(k), e.value.to_json());
                }
            }
        }
        let mut notification = Map::new();
        notification.insert("LambdaConfigurations".into(), configurations);
        if let Some(Value::Object(provided)) = conf.remove("NotificationConfiguration") {
            if provided.contains_key("LambdaConfigurations")
                && let Some(s) = settings
            {
                diags.push(
                    Diag::warning(&IGNORED_OPTION, format!("the `LambdaConfigurations` of `provider.s3.{}` replace those of the function events on this bucket", key.map(String::as_str).unwrap_or_default()))
                        .label(s.at(&["notificationConfiguration", "LambdaConfigurations"]).map(|n| n.span).unwrap_or(s.span), "replaces the events' notifications")
                        .help("the framework copies the provider's notification configuration over the one it builds, so the functions' s3 events on this bucket do nothing; remove `LambdaConfigurations` here and keep the events"),
                );
            }
            notification.extend(provided);
        }
        let mut props = Map::new();
        props.insert("BucketName".into(), Value::String(name.clone()));
        props.insert(
            "NotificationConfiguration".into(),
            Value::Object(notification),
        );
        props.extend(conf);
        let depends: Vec<Value> = enabled
            .iter()
            .filter(|(_, b)| b == name)
            .flat_map(|(fkey, b)| {
                let mut ids = vec![Value::String(permission_id(fkey, b))];
                ids.extend(crate::compile::aliases::alias_logical_id(ctx, fkey).map(Value::String));
                ids
            })
            .collect();
        let id = naming::bucket_logical_id(key.unwrap_or(name));
        t.merge_resource(
            &id,
            json!({"Type": "AWS::S3::Bucket", "Properties": props, "DependsOn": depends}),
        );
    }
    for (fkey, name) in &enabled {
        t.merge_resource(
            &permission_id(fkey, name),
            {
                let mut p = super::fn_common::invoke_permission(
                ctx,
                    fkey,
                    "s3.amazonaws.com",
                    Some(json!({"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, format!(":s3:::{name}")]]})),
                );
                super::set_property(&mut p, "SourceAccount", json!({"Ref": "AWS::AccountId"}));
                p
            },
        );
    }
}

fn existing_buckets(ctx: &Ctx, t: &mut Template, diags: &mut Diags) {
    let mut statements: Vec<Value> = Vec::new();
    let mut first_event: Option<Span> = None;
    // bucket (JSON text of an intrinsic) → its custom resources, in order
    let mut per_bucket: Vec<(String, Vec<String>)> = Vec::new();
    for (fkey, f) in ctx.functions() {
        let mut current: Option<(String, Span)> = None;
        let id = naming::custom_s3_logical_id(fkey);
        for ev in super::event_list(f) {
            let Some(s3) = super::truthy(ev, "s3").filter(|s| is_existing(s)) else {
                continue;
            };
            let event_span = super::key_span(ev, "s3");
            let Some(bucket) = bucket(fkey, s3, diags) else {
                continue;
            };
            check_options(s3, true, diags);
            let key = match &bucket.kind {
                Kind::Map(_) | Kind::Seq(_) => crate::emit::json::to_compact(&bucket.to_json()),
                _ => js_to_string(bucket),
            };
            let first = match &current {
                None => {
                    current = Some((key.clone(), bucket.span));
                    true
                }
                Some((k, span)) if *k != key => {
                    diags.push(
                        Diag::error(
                            &MULTIPLE_BUCKETS,
                            format!("function `{fkey}` configures more than one existing bucket"),
                        )
                        .label(bucket.span, "a second existing bucket")
                        .secondary(*span, "the function's first existing bucket")
                        .help("the framework manages the notifications of one existing bucket per function (one custom resource each): use a separate function for the other bucket; the framework refuses this too (S3_MULTIPLE_BUCKETS_PER_FUNCTION)"),
                    );
                    continue;
                }
                Some(_) => false,
            };
            let Ok(rules) = rules(s3, diags) else {
                continue;
            };
            first_event.get_or_insert(event_span);
            let rules: Vec<Value> = rules
                .iter()
                .map(|(k, v)| {
                    let mut m = Map::new();
                    m.insert(naming::start_case(k), v.to_json());
                    Value::Object(m)
                })
                .collect();
            let config = json!({
                "Event": super::truthy(s3, "event").map(Node::to_json).unwrap_or_else(|| json!("s3:ObjectCreated:*")),
                "Rules": rules,
            });
            custom_resources::record(&mut per_bucket, &key, &id);
            if first {
                let handler = Handler::S3.logical_id();
                let mut props = Map::new();
                props.insert(
                    "ServiceToken".into(),
                    json!({"Fn::GetAtt": [handler, "Arn"]}),
                );
                props.insert("FunctionName".into(), json!(ctx.function_name(fkey)));
                props.insert("BucketName".into(), bucket.to_json());
                props.insert("BucketConfigs".into(), json!([config]));
                if super::truthy(s3, "forceDeploy").is_some() {
                    props.insert("ForceDeploy".into(), custom_resources::run_time(ctx));
                }
                t.merge_resource(
                    &id,
                    json!({
                        "Type": "Custom::S3",
                        "Version": 1,
                        "DependsOn": [naming::lambda_logical_id(fkey), handler],
                        "Properties": props,
                    }),
                );
                statements.push(json!({
                    "Effect": "Allow",
                    "Resource": {"Fn::Join": [":", ["arn", {"Ref": "AWS::Partition"}, "s3", "", "", bucket.to_json()]]},
                    "Action": ["s3:PutBucketNotification", "s3:GetBucketNotification"],
                }));
            } else {
                if let Some(fd) = s3.get("forceDeploy").filter(|f| f.is_truthy()) {
                    diags.push(
                        Diag::warning(&IGNORED_OPTION, "`forceDeploy` is read from a function's first existing-bucket event only")
                            .label(fd.span, "ignored")
                            .help("set `forceDeploy` on the function's first s3 event with `existing: true`"),
                    );
                }
                if let Some(list) = t
                    .resources_mut()
                    .get_mut(&id)
                    .and_then(|r| r.pointer_mut("/Properties/BucketConfigs"))
                    .and_then(Value::as_array_mut)
                {
                    list.push(config);
                }
            }
        }
    }
    let Some(first) = first_event else {
        return;
    };
    statements.push(custom_resources::lambda_permission_statement());
    custom_resources::finish_existing(
        ctx,
        t,
        Handler::S3,
        statements,
        &per_bucket,
        &CUSTOM_RESOURCE,
        ("s3", "buckets", "Custom::S3"),
        first,
        diags,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_names() {
        for ok in ["photos", "my-bucket.v2", "a1", "1.2.3", "1.2.3.4.5", "x"] {
            assert!(is_valid_bucket_name(ok), "{ok}");
        }
        for bad in [
            "My-Bucket",
            "-a",
            "a-",
            "a..b",
            "a_b",
            "192.168.1.1",
            "",
            "a.-b",
        ] {
            assert!(!is_valid_bucket_name(bad), "{bad}");
        }
    }

    /// `ForceDeploy` is the framework's `Date.now()`, which no oracle fixture can pin: slsx
    /// writes the instance id (the time of the run with `--instance-id`), on the function's
    /// first existing-bucket event only.
    #[test]
    fn force_deploy_is_the_run_time() {
        let (t, _) = super::super::fn_common::expand_text(
            "service: s\nprovider: {name: aws}\nfunctions:\n  f:\n    handler: h.h\n    events:\n      - s3: {bucket: b, existing: true, forceDeploy: true}\n      - s3: {bucket: b, existing: true}\n",
            Some("1700000000000"),
        );
        assert_eq!(
            t.pointer("/Resources/FCustomS31/Properties/ForceDeploy"),
            Some(&json!(1_700_000_000_000u64))
        );
        assert_eq!(
            t.pointer("/Resources/FCustomS31/Properties/BucketConfigs/1"),
            Some(&json!({"Event": "s3:ObjectCreated:*", "Rules": []}))
        );
    }
}
