//! `stepFunctions.iam: complete`: IAM permissions for Step Functions' AWS SDK integrations
//! (`arn:aws:states:::aws-sdk:<service>:<apiName>[.waitForTaskToken]`) that
//! serverless-step-functions derives nothing for (spec §2.4 "Not supported", §6 item 1).
//!
//! The rule is data ([`aws_sdk_iam.txt`](aws_sdk_iam.txt), read once into [`Table`]): the
//! action is `<iam-prefix>:<ApiName>` (the API name with its first letter upper-cased), with
//! the service prefixes and action names that differ listed as exceptions, HTTP-verb actions
//! for API Gateway, and the parameters that name the resource a call acts on (`*` when none
//! does, or when the value is dynamic). Rows serverless-step-functions has are never derived
//! here: the plugin's output stays as it is, this only fills its gaps.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::Value;

use super::iam_table::{self, Env, Perm};
use super::js::{self, obj};

/// The data file.
const DATA: &str = include_str!("aws_sdk_iam.txt");

/// The task ARN prefix of the SDK integrations (after partition normalisation).
const SDK_PREFIX: &str = "arn:aws:states:::aws-sdk:";

/// How a resource parameter's value becomes an ARN.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    /// An ARN string, or any intrinsic.
    Arn,
    /// A name (template), an ARN, or `!Ref` whose Ref is the ARN.
    NameRefArn,
    /// A name (template), an ARN, or `!Ref X` → `!GetAtt X.Arn`.
    NameGetAtt,
    /// A name (template), an ARN, or `!Ref X` → `Fn::Sub [template, {name: !Ref X}]`.
    NameSub,
    /// An SQS queue URL (as the plugin's `sqs:sendMessage` row).
    QueueUrl,
    /// An S3 bucket, with `Key` for object-level actions.
    S3,
    /// A DynamoDB table (as the plugin's DynamoDB rows, `IndexName` included).
    DynamoTable,
    /// A Lambda function (as the plugin's `lambda:invoke` row).
    LambdaFunction,
    /// An SSM parameter name.
    SsmParameter,
}

/// One `resource` line.
#[derive(Clone, Debug)]
pub struct ResourceRule {
    pub service: String,
    /// Empty: every API of the service.
    pub apis: Vec<String>,
    pub param: String,
    pub kind: Kind,
    /// With `{}` where the name goes.
    pub template: Option<String>,
}

/// The parsed data file.
#[derive(Debug, Default)]
pub struct Table {
    pub prefixes: HashMap<String, String>,
    pub actions: HashMap<String, Vec<String>>,
    /// service → (API name prefix, verb), longest prefix first.
    pub verbs: HashMap<String, Vec<(String, String)>>,
    pub same: HashMap<String, String>,
    pub extras: HashMap<String, Vec<String>>,
    pub resources: Vec<ResourceRule>,
    /// Lines that could not be read (a test keeps this empty).
    pub invalid: Vec<String>,
}

fn parse_kind(s: &str) -> Option<Kind> {
    Some(match s {
        "arn" => Kind::Arn,
        "name:arn" => Kind::NameRefArn,
        "name:getatt" => Kind::NameGetAtt,
        "name:sub" => Kind::NameSub,
        "queue-url" => Kind::QueueUrl,
        "s3" => Kind::S3,
        "dynamodb-table" => Kind::DynamoTable,
        "lambda-function" => Kind::LambdaFunction,
        "ssm-parameter" => Kind::SsmParameter,
        _ => return None,
    })
}

/// Reads the data file's text.
pub fn parse(text: &str) -> Table {
    let mut t = Table::default();
    for raw in text.lines() {
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let w: Vec<&str> = line.split_whitespace().collect();
        let ok = match (w[0], w.len()) {
            ("prefix", 3) => t.prefixes.insert(w[1].into(), w[2].into()).is_none(),
            ("action", 3) if w[1].contains(':') => t
                .actions
                .insert(w[1].into(), w[2].split(',').map(str::to_string).collect())
                .is_none(),
            ("verb", 4) => {
                t.verbs
                    .entry(w[1].into())
                    .or_default()
                    .push((w[2].into(), w[3].into()));
                true
            }
            ("same", 3) if w[1].contains(':') => t.same.insert(w[1].into(), w[2].into()).is_none(),
            ("extra", 4) if w[1].contains(':') && w[3] == "*" => {
                t.extras.entry(w[1].into()).or_default().push(w[2].into());
                true
            }
            ("resource", 4 | 5) => match parse_kind(w[3]) {
                Some(kind) => {
                    let (service, apis) = match w[1].split_once(':') {
                        Some((s, list)) => (s, list.split(',').map(str::to_string).collect()),
                        None => (w[1], Vec::new()),
                    };
                    let template = w.get(4).map(|s| s.to_string());
                    let needs_template =
                        matches!(kind, Kind::NameRefArn | Kind::NameGetAtt | Kind::NameSub);
                    let valid =
                        needs_template == template.as_ref().is_some_and(|t| t.contains("{}"));
                    if valid {
                        t.resources.push(ResourceRule {
                            service: service.into(),
                            apis,
                            param: w[2].into(),
                            kind,
                            template,
                        });
                    }
                    valid
                }
                None => false,
            },
            _ => false,
        };
        if !ok {
            t.invalid.push(raw.to_string());
        }
    }
    for v in t.verbs.values_mut() {
        v.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
    }
    t
}

/// The table of [`DATA`].
pub fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| parse(DATA))
}

/// An SDK task: `arn:aws:states:::aws-sdk:<service>:<apiName>[.waitForTaskToken]`.
#[derive(Clone, Debug, PartialEq)]
pub struct SdkTask {
    pub service: String,
    pub api: String,
}

/// The SDK task a `Resource` names (any partition), or `None` (not an SDK task, or a form Step
/// Functions does not accept: `.sync`, a missing service or API name).
pub fn sdk_task(resource: &str) -> Option<SdkTask> {
    let norm = iam_table::normalize_arn(resource);
    let rest = norm.strip_prefix(SDK_PREFIX)?;
    let (service, api) = rest.split_once(':')?;
    let api = api.strip_suffix(".waitForTaskToken").unwrap_or(api);
    let word = |s: &str, first_lower: bool| {
        s.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() && (!first_lower || c.is_ascii_lowercase()))
            && s.chars().all(|c| c.is_ascii_alphanumeric())
    };
    if !word(service, true) || !word(api, false) {
        return None;
    }
    Some(SdkTask {
        service: service.to_string(),
        api: api.to_string(),
    })
}

impl SdkTask {
    fn key(&self) -> String {
        format!("{}:{}", self.service, self.api)
    }

    /// The IAM actions of the call.
    pub fn actions(&self, t: &Table) -> Vec<String> {
        if let Some(a) = t.actions.get(&self.key()) {
            return a.clone();
        }
        let prefix = t
            .prefixes
            .get(&self.service)
            .cloned()
            .unwrap_or_else(|| self.service.clone());
        if let Some(verbs) = t.verbs.get(&self.service) {
            let verb = verbs
                .iter()
                .find(|(p, _)| self.api.starts_with(p.as_str()))
                .map(|(_, v)| v.clone());
            // an API of a verb service that no prefix matches: its own name, as the default
            if let Some(v) = verb {
                return vec![format!("{prefix}:{v}")];
            }
        }
        let mut chars = self.api.chars();
        let upper: String = chars
            .next()
            .map(|c| c.to_ascii_uppercase())
            .into_iter()
            .chain(chars)
            .collect();
        vec![format!("{prefix}:{upper}")]
    }
}

/// What was derived for one SDK task, and how (for `slsx explain-iam`).
#[derive(Clone, Debug, PartialEq)]
pub struct Derivation {
    pub perms: Vec<Perm>,
    pub how: String,
}

/// The permissions of an SDK task serverless-step-functions derives nothing for; `None` when
/// `state` is no such task.
pub fn derive(state: &Value, env: &Env) -> Option<Derivation> {
    let resource = state.get("Resource")?.as_str()?;
    let task = sdk_task(resource)?;
    let t = table();
    if let Some(row) = t.same.get(&task.key())
        && let Some(d) = derive_like(row, state, env)
    {
        return Some(d);
    }
    let actions = task.actions(t);
    let mut perms: Vec<Perm> = Vec::new();
    let rule = t.resources.iter().find(|r| {
        r.service == task.service
            && (r.apis.is_empty() || r.apis.contains(&task.api))
            && has_param(state, &r.param)
    });
    let mut how = if task.service == "s3" && task.api == "copyObject" {
        let (src, src_how) = copy_source(state);
        let (dst, dst_how) = s3_resource(state, "s3:PutObject");
        push(&mut perms, "s3:GetObject", src);
        push(&mut perms, "s3:PutObject", dst);
        format!("`s3:GetObject`: {src_how}; `s3:PutObject`: {dst_how}")
    } else if let Some(rule) = rule {
        let mut hows: Vec<String> = Vec::new();
        for a in &actions {
            let (r, h) = resource_of(rule, state, env, a);
            if !hows.contains(&h) {
                hows.push(h);
            }
            push(&mut perms, a, r);
        }
        hows.join("; ")
    } else {
        for a in &actions {
            push(&mut perms, a, Value::from("*"));
        }
        "`*`: no parameter of this call names its resource (in slsx's table)".into()
    };
    if let Some(extra) = t.extras.get(&task.key()) {
        for a in extra {
            push(&mut perms, a, Value::from("*"));
        }
        how.push_str(&format!("; plus {} on `*`", extra.join(", ")));
    }
    Some(Derivation { perms, how })
}

/// Derived by the plugin's own row for `task`, when that works without a note or a crash.
fn derive_like(task: &str, state: &Value, env: &Env) -> Option<Derivation> {
    let row = iam_table::lookup(&format!("arn:aws:states:::{task}"))?;
    let mut notes = Vec::new();
    let perms = iam_table::apply_row(row, state, env, &mut notes).ok()?;
    if !notes.is_empty() {
        return None;
    }
    Some(Derivation {
        perms,
        how: format!("as serverless-step-functions derives `{task}`"),
    })
}

/// Adds `action` on `resource`, joining the action string of an equal resource (as the
/// plugin's rows write several actions in one permission).
fn push(perms: &mut Vec<Perm>, action: &str, resource: Value) {
    if let Some(p) = perms.iter_mut().find(|p| p.resource == resource) {
        p.action.push(',');
        p.action.push_str(action);
    } else {
        perms.push(Perm {
            action: action.to_string(),
            resource,
        });
    }
}

/// The state has parameter `p` (statically or as `p.$`), read the plugin's way.
fn has_param(state: &Value, p: &str) -> bool {
    iam_table::is_dynamic(state, p) || iam_table::param_or_arg(state, p).is_some()
}

fn star(why: String) -> (Value, String) {
    (Value::from("*"), why)
}

/// `Fn::Sub` of a template (`#{X}` pseudo parameters written as `${X}`).
fn sub_text(s: &str) -> Value {
    let s = super::definition::replace_pseudo_parameters(s).unwrap_or_else(|| s.to_string());
    obj([("Fn::Sub", Value::String(s))])
}

/// An ARN string as a resource: as written, or as `Fn::Sub` when it holds `#{X}`.
fn arn_text(s: &str) -> Value {
    match super::definition::replace_pseudo_parameters(s) {
        Some(t) => obj([("Fn::Sub", Value::String(t))]),
        None => Value::from(s),
    }
}

/// `X` of `{Ref: X}` when X is a resource of the service: in `resources.Resources`, one slsx
/// generated before the role, or a state machine or activity of `stepFunctions` (not a
/// template parameter or pseudo parameter, whose value slsx cannot know).
fn ref_to_resource<'v>(v: &'v Value, env: &Env) -> Option<&'v str> {
    let o = v.as_object()?;
    if o.len() != 1 {
        return None;
    }
    let id = o.get("Ref")?.as_str()?;
    let declared = env.ctx.config.at(&["resources", "Resources", id]).is_some()
        || env.t.resources().contains_key(id)
        || super::declared_logical_ids(env.ctx).iter().any(|x| x == id);
    declared.then_some(id)
}

fn resource_of(rule: &ResourceRule, state: &Value, env: &Env, action: &str) -> (Value, String) {
    let p = &rule.param;
    if iam_table::is_dynamic(state, p) {
        return star(format!("`*`: `{p}` is dynamic"));
    }
    let Some(v) = iam_table::param_or_arg(state, p).filter(|v| !v.is_null()) else {
        return star(format!("`*`: `{p}` is empty"));
    };
    let from = format!("resource from `{p}`");
    let template = rule.template.as_deref().unwrap_or("{}");
    match rule.kind {
        Kind::Arn => match v {
            Value::String(s) if s.starts_with("arn:") => (arn_text(s), from),
            v if js::is_intrinsic(v) => (v.clone(), from),
            _ => star(format!("`*`: `{p}` is not an ARN")),
        },
        Kind::NameRefArn | Kind::NameGetAtt | Kind::NameSub => match v {
            Value::String(s) if s.starts_with("arn:") => (arn_text(s), from),
            Value::String(s) if !s.is_empty() && !s.contains("${") => {
                (sub_text(&template.replace("{}", s)), from)
            }
            Value::Object(o) if is_arn_getatt(o) => (v.clone(), from),
            v => match (rule.kind, ref_to_resource(v, env)) {
                (Kind::NameRefArn, Some(_)) => (v.clone(), from),
                (Kind::NameGetAtt, Some(id)) => (
                    obj([(
                        "Fn::GetAtt",
                        Value::Array(vec![Value::from(id), Value::from("Arn")]),
                    )]),
                    from,
                ),
                (Kind::NameSub, Some(_)) => (
                    obj([(
                        "Fn::Sub",
                        Value::Array(vec![
                            Value::String(template.replace("{}", "${name}")),
                            obj([("name", v.clone())]),
                        ]),
                    )]),
                    from,
                ),
                _ => star(format!("`*`: slsx cannot tell which resource `{p}` names")),
            },
        },
        Kind::QueueUrl => {
            let mut notes = Vec::new();
            let arn = iam_table::sqs_queue_url_to_arn(Some(v), &mut notes);
            if notes.is_empty() && arn != "*" {
                (Value::Array(vec![arn]), from)
            } else {
                star(format!("`*`: `{p}` is not a queue URL slsx can read"))
            }
        }
        Kind::S3 => s3_resource(state, action),
        Kind::DynamoTable => {
            let mut notes = Vec::new();
            let row = iam_table::Rule::DynamoTable("");
            match iam_table::apply(row, state, env, &mut notes) {
                Ok(perms) if notes.is_empty() => match perms.into_iter().next() {
                    Some(p) if p.resource != "*" => (Value::Array(vec![p.resource]), from),
                    _ => star(format!("`*`: a dynamic `{p}`")),
                },
                _ => star(format!("`*`: slsx cannot tell which table `{p}` names")),
            }
        }
        Kind::LambdaFunction => match iam_table::lambda_invoke(state, env) {
            Ok(perms) => match perms.into_iter().next() {
                Some(p) if !p.resource.is_null() => (p.resource, from),
                _ => star(format!("`*`: `{p}` is empty")),
            },
            Err(_) => star(format!("`*`: slsx cannot read `{p}`")),
        },
        Kind::SsmParameter => match v.as_str() {
            Some(s) if s.starts_with("arn:") => (arn_text(s), from),
            Some(s) if !s.is_empty() && !s.contains("${") => {
                let path = if s.starts_with('/') {
                    s.to_string()
                } else {
                    format!("/{s}")
                };
                (
                    sub_text(&format!(
                        "arn:${{AWS::Partition}}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter{path}"
                    )),
                    from,
                )
            }
            _ => star(format!("`*`: slsx cannot tell which parameter `{p}` names")),
        },
    }
}

/// `{Fn::GetAtt: [X, "...Arn"]}`.
fn is_arn_getatt(o: &serde_json::Map<String, Value>) -> bool {
    o.len() == 1
        && o.get("Fn::GetAtt")
            .and_then(Value::as_array)
            .and_then(|a| a.get(1))
            .and_then(Value::as_str)
            .is_some_and(|a| a.ends_with("Arn"))
}

/// Object-level S3 actions act on `bucket/key`, the others on the bucket.
fn s3_object_level(action: &str) -> bool {
    action.contains("Object")
        || matches!(
            action,
            "s3:AbortMultipartUpload" | "s3:ListMultipartUploadParts"
        )
}

/// The bucket (or object) of an S3 call, from `Bucket` and `Key`.
fn s3_resource(state: &Value, action: &str) -> (Value, String) {
    if iam_table::is_dynamic(state, "Bucket") {
        return star("`*`: `Bucket` is dynamic".into());
    }
    let bucket = iam_table::param_or_arg(state, "Bucket");
    let object = s3_object_level(action);
    let key = if !object {
        None
    } else if iam_table::is_dynamic(state, "Key") {
        Some("*".to_string())
    } else {
        match iam_table::param_or_arg(state, "Key") {
            Some(Value::String(k)) if !k.is_empty() && !k.contains("${") => Some(k.clone()),
            _ => Some("*".to_string()),
        }
    };
    let tail = key.map(|k| format!("/{k}")).unwrap_or_default();
    let how = if object {
        "object from `Bucket` and `Key`".to_string()
    } else {
        "bucket from `Bucket`".to_string()
    };
    match bucket {
        Some(Value::String(b)) if !b.is_empty() && !b.contains("${") && !b.contains('/') => (
            Value::Array(vec![sub_text(&format!(
                "arn:${{AWS::Partition}}:s3:::{b}{tail}"
            ))]),
            how,
        ),
        Some(v @ Value::Object(o)) if o.len() == 1 && o.contains_key("Ref") => (
            Value::Array(vec![obj([(
                "Fn::Sub",
                Value::Array(vec![
                    Value::String(format!("arn:${{AWS::Partition}}:s3:::${{bucket}}{tail}")),
                    obj([("bucket", v.clone())]),
                ]),
            )])]),
            how,
        ),
        _ => star("`*`: slsx cannot tell which bucket `Bucket` names".into()),
    }
}

/// `CopySource` of `s3:copyObject`: `bucket/key` (URL-encoded, maybe with a leading `/` and a
/// `?versionId=`).
fn copy_source(state: &Value) -> (Value, String) {
    if iam_table::is_dynamic(state, "CopySource") {
        return star("`*`: `CopySource` is dynamic".into());
    }
    match iam_table::param_or_arg(state, "CopySource") {
        Some(Value::String(s)) => {
            let s = s.trim_start_matches('/');
            let s = s.split('?').next().unwrap_or(s);
            match s.split_once('/') {
                Some((b, k))
                    if !b.is_empty() && !k.is_empty() && !s.contains("${") && !s.contains('%') =>
                {
                    (
                        Value::Array(vec![sub_text(&format!(
                            "arn:${{AWS::Partition}}:s3:::{b}/{k}"
                        ))]),
                        "object from `CopySource`".into(),
                    )
                }
                _ => star("`*`: slsx cannot read `CopySource`".into()),
            }
        }
        _ => star("`*`: slsx cannot read `CopySource`".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_file_reads_cleanly() {
        let t = table();
        assert!(t.invalid.is_empty(), "unreadable lines: {:?}", t.invalid);
        assert!(t.prefixes.len() > 100);
        // no prefix line repeats the default
        for (s, p) in &t.prefixes {
            assert_ne!(s, p, "`prefix {s} {p}` is the default");
        }
        // every `same` row exists in the plugin's table
        for row in t.same.values() {
            assert!(
                iam_table::lookup(&format!("arn:aws:states:::{row}")).is_some(),
                "{row}"
            );
        }
    }

    #[test]
    fn duplicate_lines_are_reported() {
        let t = parse("prefix a b\nprefix a c\nresource x Y name:sub no-placeholder\nbogus\n");
        assert_eq!(t.invalid.len(), 3);
    }

    fn actions(resource: &str) -> Vec<String> {
        sdk_task(resource).expect("sdk task").actions(table())
    }

    #[test]
    fn actions_follow_the_naming_rules() {
        assert_eq!(
            actions("arn:aws:states:::aws-sdk:sqs:receiveMessage"),
            ["sqs:ReceiveMessage"]
        );
        assert_eq!(
            actions("arn:aws:states:::aws-sdk:sfn:startExecution"),
            ["states:StartExecution"]
        );
        assert_eq!(
            actions("arn:aws:states:::aws-sdk:sesv2:sendBulkEmail"),
            ["ses:SendBulkEmail"]
        );
        assert_eq!(
            actions("arn:aws-cn:states:::aws-sdk:redshiftdata:executeStatement.waitForTaskToken"),
            ["redshift-data:ExecuteStatement"]
        );
        assert_eq!(
            actions("arn:aws:states:::aws-sdk:efs:describeFileSystems"),
            ["elasticfilesystem:DescribeFileSystems"]
        );
        assert_eq!(
            actions("arn:aws:states:::aws-sdk:lambda:invoke"),
            ["lambda:InvokeFunction"]
        );
        assert_eq!(
            actions("arn:aws:states:::aws-sdk:s3:headObject"),
            ["s3:GetObject"]
        );
        assert_eq!(
            actions("arn:aws:states:::aws-sdk:apigateway:getRestApis"),
            ["apigateway:GET"]
        );
        assert_eq!(
            actions("arn:aws:states:::aws-sdk:apigateway:putIntegration"),
            ["apigateway:PUT"]
        );
        assert_eq!(
            actions("arn:aws:states:::aws-sdk:apigateway:importDocumentationParts"),
            ["apigateway:PUT"]
        );
        assert_eq!(
            actions("arn:aws:states:::aws-sdk:apigateway:importRestApi"),
            ["apigateway:POST"]
        );
        assert_eq!(
            actions("arn:aws:states:::aws-sdk:apigatewayv2:tagResource"),
            ["apigateway:POST"]
        );
        assert_eq!(
            actions("arn:${AWS::Partition}:states:::aws-sdk:ec2:describeInstances"),
            ["ec2:DescribeInstances"]
        );
    }

    #[test]
    fn only_sdk_tasks_step_functions_accepts() {
        assert!(sdk_task("arn:aws:states:::aws-sdk:s3:getObject.sync").is_none());
        assert!(sdk_task("arn:aws:states:::aws-sdk:s3").is_none());
        assert!(sdk_task("arn:aws:states:::aws-sdk:S3:getObject").is_none());
        assert!(sdk_task("arn:aws:states:::aws-sdk::getObject").is_none());
        assert!(sdk_task("arn:aws:states:::sqs:sendMessage").is_none());
        assert!(sdk_task("arn:#{AWS::Partition}:states:::aws-sdk:s3:getObject").is_none());
    }

    fn derive_in(config: &str, state: Value) -> Option<Derivation> {
        let root = crate::yaml::load(
            crate::source::FileId(0),
            config,
            crate::yaml::LoadOptions::default(),
        )
        .expect("yaml");
        let options = crate::Options::default();
        let ctx = crate::compile::Ctx {
            config: &root,
            service: "svc".into(),
            stage: "dev".into(),
            region: "us-east-1".into(),
            plugin_region: "us-east-1".into(),
            instance_id: "0".into(),
            options: &options,
            lambda_ids: Default::default(),
        };
        let t = crate::compile::Template::new();
        derive(&state, &Env { ctx: &ctx, t: &t })
    }

    const CONFIG: &str = "service: svc\nresources:\n  Resources:\n    Stream: {Type: AWS::Kinesis::Stream}\n    Job: {Type: AWS::Glue::Job}\n    Secret: {Type: AWS::SecretsManager::Secret}\nstepFunctions:\n  stateMachines:\n    child: {name: kid, definition: {StartAt: A, States: {A: {Type: Succeed}}}}\n";

    fn resource_for(resource: &str, params: Value) -> Value {
        let state = serde_json::json!({"Type": "Task", "Resource": resource, "Parameters": params});
        let d = derive_in(CONFIG, state).expect("derived");
        assert_eq!(d.perms.len(), 1, "{d:?}");
        d.perms[0].resource.clone()
    }

    #[test]
    fn resource_kinds() {
        use serde_json::json;
        let sdk = |s: &str| format!("arn:aws:states:::aws-sdk:{s}");
        // name:getatt: a declared resource, an undeclared one (a parameter), a name
        assert_eq!(
            resource_for(
                &sdk("kinesis:putRecord"),
                json!({"StreamName": {"Ref": "Stream"}})
            ),
            json!({"Fn::GetAtt": ["Stream", "Arn"]})
        );
        assert_eq!(
            resource_for(
                &sdk("kinesis:putRecord"),
                json!({"StreamName": {"Ref": "StreamParam"}})
            ),
            json!("*")
        );
        assert_eq!(
            resource_for(
                &sdk("kinesis:putRecord"),
                json!({"StreamARN": "arn:aws:kinesis:r:1:stream/s"})
            ),
            json!("arn:aws:kinesis:r:1:stream/s")
        );
        // name:sub
        assert_eq!(
            resource_for(
                &sdk("glue:getJobRun"),
                json!({"JobName": {"Ref": "Job"}, "RunId": "x"})
            ),
            json!({"Fn::Sub": ["arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:job/${name}", {"name": {"Ref": "Job"}}]})
        );
        // the API list of a resource line: `Name` of another glue API is not a job
        assert_eq!(
            resource_for(&sdk("glue:getCrawler"), json!({"Name": "c"})),
            json!("*")
        );
        // name:arn: a Ref to a state machine of the service; `#{}` pseudo parameters
        assert_eq!(
            resource_for(
                &sdk("sfn:startExecution"),
                json!({"StateMachineArn": {"Ref": "Kid"}})
            ),
            json!({"Ref": "Kid"})
        );
        assert_eq!(
            resource_for(
                &sdk("sfn:describeStateMachine"),
                json!({"StateMachineArn": "arn:aws:states:#{AWS::Region}:1:stateMachine:m"})
            ),
            json!({"Fn::Sub": "arn:aws:states:${AWS::Region}:1:stateMachine:m"})
        );
        assert_eq!(
            resource_for(
                &sdk("secretsmanager:getSecretValue"),
                json!({"SecretId": {"Ref": "Secret"}})
            ),
            json!({"Ref": "Secret"})
        );
        // arn: not an ARN
        assert_eq!(
            resource_for(&sdk("sns:publish"), json!({"TopicArn": "alerts"})),
            json!("*")
        );
        // dynamic values
        assert_eq!(
            resource_for(&sdk("sns:publish"), json!({"TopicArn.$": "$.t"})),
            json!("*")
        );
        // ssm names with and without a leading slash
        assert_eq!(
            resource_for(&sdk("ssm:getParameter"), json!({"Name": "plain"})),
            json!({"Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/plain"})
        );
        // queue URLs the plugin's rule cannot read
        assert_eq!(
            resource_for(&sdk("sqs:purgeQueue"), json!({"QueueUrl": "not a url"})),
            json!("*")
        );
    }

    #[test]
    fn jsonata_arguments_are_read() {
        let state = serde_json::json!({
            "Type": "Task", "QueryLanguage": "JSONata",
            "Resource": "arn:aws:states:::aws-sdk:dynamodb:deleteItem",
            "Arguments": {"TableName": "orders", "Key": {}}
        });
        let d = derive_in(CONFIG, state).expect("derived");
        assert_eq!(d.perms[0].action, "dynamodb:DeleteItem");
        assert_eq!(
            d.perms[0].resource,
            serde_json::json!([{"Fn::Join": [":", ["arn", {"Ref": "AWS::Partition"}, "dynamodb", {"Ref": "AWS::Region"}, {"Ref": "AWS::AccountId"}, "table/orders"]]}])
        );
    }

    #[test]
    fn put_events_without_entries_falls_back_to_star() {
        let state = serde_json::json!({
            "Type": "Task",
            "Resource": "arn:aws:states:::aws-sdk:eventbridge:putEvents",
            "Parameters": {"Entries.$": "$.entries"}
        });
        let d = derive_in(CONFIG, state).expect("derived");
        assert_eq!(
            d.perms,
            vec![Perm {
                action: "events:PutEvents".into(),
                resource: Value::from("*")
            }]
        );
    }

    #[test]
    fn s3_levels() {
        let s = serde_json::json!({"Parameters": {"Bucket": "b", "Key.$": "$.k"}});
        assert_eq!(
            s3_resource(&s, "s3:GetObject").0,
            serde_json::json!([{"Fn::Sub": "arn:${AWS::Partition}:s3:::b/*"}])
        );
        assert_eq!(
            s3_resource(&s, "s3:ListBucket").0,
            serde_json::json!([{"Fn::Sub": "arn:${AWS::Partition}:s3:::b"}])
        );
        let s = serde_json::json!({"Parameters": {"CopySource": "/src/a/b.txt?versionId=1"}});
        assert_eq!(
            copy_source(&s).0,
            serde_json::json!([{"Fn::Sub": "arn:${AWS::Partition}:s3:::src/a/b.txt"}])
        );
    }
}
