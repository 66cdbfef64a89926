//! Function `cognitoUserPool` events, as the framework's `AwsCompileCognitoUserPoolEvents`
//! writes them: first the pools it creates, then the existing ones.
//!
//! **New pools**: one `AWS::Cognito::UserPool` `CognitoUserPool<alnum(pool)>` per pool name, its
//! `LambdaConfig` one key per trigger (the last event of a trigger wins; `CustomSMSSender` /
//! `CustomEmailSender` take `{LambdaArn, LambdaVersion}` and the pool's `KMSKeyID`),
//! `DependsOn` every trigger's function; then one permission
//! `<NF>LambdaPermissionCognitoUserPool<alnum(pool)>TriggerSource<alnum(trigger)>` per event.
//!
//! **Existing pools** (`existing: true`): one `Custom::CognitoUserPool` `<NF>CustomCognitoUserPool1`
//! per function (a function may use one such pool), its `UserPoolConfigs` one per event;
//! custom resources of one pool depend on each other in order. They need the framework's
//! custom-resource handler (see [`super::custom_resources`]): slsx writes it and warns that its
//! code comes from `sls package`.
//!
//! The framework merges a pool given under `resources.<logical ID>` (not `resources.Resources`)
//! into the generated one after `package:finalize`; slsx reports that placement as unsupported.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::custom_resources::{self, Handler};
use super::fn_common;
use crate::compile::{Ctx, Template, naming};
use crate::declare_codes;
use crate::diagnostics::{Diag, Diags};
use crate::source::Span;
use crate::yaml::Node;

declare_codes! { CODES;
    INVALID = "slsx::fn-cognito::invalid", "A function `cognitoUserPool` event without its `pool` or `trigger` (the framework crashes on it, or writes an unusable pool).";
    KMS_KEY = "slsx::fn-cognito::kms-key", "A custom sender trigger without `kmsKeyId`, or with another key than the pool's other custom sender (COGNITO_KMS_KEY_NOT_SET / COGNITO_KMS_KEY_ID_NOT_SAME_FOR_SINGLE_USER_POOL).";
    MULTIPLE_POOLS = "slsx::fn-cognito::multiple-pools", "A function with `existing: true` cognitoUserPool events on more than one pool (COGNITO_MULTIPLE_USER_POOLS_PER_FUNCTION).";
    CUSTOM_RESOURCE = "slsx::fn-cognito::custom-resource", "Function `cognitoUserPool` events on existing pools: the template needs the framework's `custom-resources.zip`, which only `sls package` builds.";
}

/// The triggers that send messages through a function: they need a KMS key.
const CUSTOM_SENDERS: [&str; 2] = ["CustomSMSSender", "CustomEmailSender"];

/// The trigger sources the framework's schema allows.
const TRIGGERS: [&str; 12] = [
    "PreSignUp",
    "PostConfirmation",
    "PreAuthentication",
    "PostAuthentication",
    "PreTokenGeneration",
    "CustomMessage",
    "DefineAuthChallenge",
    "CreateAuthChallenge",
    "VerifyAuthChallengeResponse",
    "UserMigration",
    "CustomSMSSender",
    "CustomEmailSender",
];

/// One event, as the framework reads it.
struct Trigger<'a> {
    fkey: &'a str,
    pool: String,
    trigger: String,
    node: &'a Node,
    event_key: Span,
}

impl Trigger<'_> {
    fn custom_sender(&self) -> bool {
        CUSTOM_SENDERS.contains(&self.trigger.as_str())
    }

    fn lambda_version(&self) -> Value {
        super::truthy(self.node, "lambdaVersion")
            .map(Node::to_json)
            .unwrap_or_else(|| json!("V1_0"))
    }

    fn kms_key(&self) -> Option<&Node> {
        super::truthy(self.node, "kmsKeyId")
    }
}

/// Compiles these events into the template.
pub fn compile(ctx: &Ctx, t: &mut Template, diags: &mut Diags) {
    let mut new = Vec::new();
    let mut existing = Vec::new();
    for (fkey, f) in ctx.functions() {
        for event in super::events_of(f, "cognitoUserPool") {
            let e = event.value;
            let event_key = event.key;
            let Some(trigger) = read(fkey, e, event_key, diags) else {
                continue;
            };
            if super::truthy(e, "existing").is_some() {
                existing.push(trigger);
            } else {
                new.push(trigger);
            }
        }
    }
    new_pools(ctx, t, &new, diags);
    existing_pools(ctx, t, &existing, diags);
}

fn read<'a>(fkey: &'a str, e: &'a Node, event_key: Span, diags: &mut Diags) -> Option<Trigger<'a>> {
    if e.as_map().is_none() {
        diags.push(
            Diag::error(
                &INVALID,
                format!("cognitoUserPool event of function `{fkey}` is not a mapping"),
            )
            .label(e.span, super::a_kind(e))
            .help("write `cognitoUserPool: {pool: <pool name>, trigger: PreSignUp}`"),
        );
        return None;
    }
    super::check_keys(
        diags,
        e,
        &[
            "pool",
            "trigger",
            "existing",
            "forceDeploy",
            "kmsKeyId",
            "lambdaVersion",
        ],
        "a function `cognitoUserPool` event",
        "the framework ignores it",
    );
    let (pool, trigger) = (
        e.get("pool").and_then(Node::as_str),
        e.get("trigger").and_then(Node::as_str),
    );
    let (Some(pool), Some(trigger)) = (pool, trigger) else {
        diags.push(
            Diag::error(&INVALID, format!("cognitoUserPool event of function `{fkey}` needs a `pool` name and a `trigger`"))
                .label(event_key, "needs `pool` and `trigger` (strings)")
                .help("write `cognitoUserPool: {pool: <pool name>, trigger: PreSignUp}` (the framework crashes on a missing pool and writes a trigger named `undefined`)"),
        );
        return None;
    };
    fn_common::check_enum(diags, e, "trigger", &TRIGGERS);
    let valid_pool = !pool.is_empty()
        && naming::js_length(pool) <= 128
        && pool
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c.is_whitespace() || "+=,.@-".contains(c));
    if !valid_pool {
        diags.push(
            Diag::warning(&fn_common::SCHEMA, format!("`{pool}` is not a valid user pool name"))
                .label(e.get("pool").map(|p| p.span).unwrap_or(event_key), "Cognito rejects this name")
                .help("pool names are 1 to 128 letters, digits, spaces and `_+=,.@-`; the framework's schema only warns"),
        );
    }
    Some(Trigger {
        fkey,
        pool: pool.to_string(),
        trigger: trigger.to_string(),
        node: e,
        event_key,
    })
}

/// Checks the KMS key of a custom sender against the pool's (`Err` after an error).
fn check_kms(
    tr: &Trigger,
    keys: &mut HashMap<String, (Value, Span)>,
    diags: &mut Diags,
) -> Result<(), ()> {
    let Some(k) = tr.kms_key() else {
        diags.push(
            Diag::error(&KMS_KEY, format!("the `{}` trigger of pool `{}` needs `kmsKeyId`", tr.trigger, tr.pool))
                .label(tr.event_key, "a custom sender trigger without a KMS key")
                .help("Cognito encrypts the codes it sends to a custom sender with a KMS key: add `kmsKeyId: <key ARN>` (the framework refuses this too: COGNITO_KMS_KEY_NOT_SET)"),
        );
        return Err(());
    };
    let v = k.to_json();
    match keys.get(&tr.pool) {
        Some((first, span)) if *first != v => {
            diags.push(
                Diag::error(&KMS_KEY, format!("pool `{}` is given two KMS keys", tr.pool))
                    .label(k.span, "another key than the pool's")
                    .secondary(*span, "the pool's key")
                    .help("a user pool has one KMS key for all its custom senders; use the same `kmsKeyId` (the framework refuses this too: COGNITO_KMS_KEY_ID_NOT_SAME_FOR_SINGLE_USER_POOL)"),
            );
            Err(())
        }
        Some(_) => Ok(()),
        None => {
            keys.insert(tr.pool.clone(), (v, k.span));
            Ok(())
        }
    }
}

fn new_pools(ctx: &Ctx, t: &mut Template, triggers: &[Trigger], diags: &mut Diags) {
    let mut pools: Vec<&str> = Vec::new();
    for tr in triggers {
        if !pools.contains(&tr.pool.as_str()) {
            pools.push(&tr.pool);
        }
    }
    for pool in &pools {
        let id = naming::cognito_user_pool_logical_id(pool);
        let mut keys = HashMap::new();
        let mut config = Map::new();
        let mut depends = Vec::new();
        let mut ok = true;
        for tr in triggers.iter().filter(|tr| tr.pool == *pool) {
            let arn = fn_common::lambda_arn(ctx, tr.fkey);
            if tr.custom_sender() {
                config.insert(
                    tr.trigger.clone(),
                    json!({"LambdaArn": arn, "LambdaVersion": tr.lambda_version()}),
                );
                if check_kms(tr, &mut keys, diags).is_err() {
                    ok = false;
                    continue;
                }
                if let Some(k) = tr.kms_key() {
                    config.insert("KMSKeyID".into(), k.to_json());
                }
            } else {
                config.insert(tr.trigger.clone(), arn);
            }
            depends.push(json!(
                crate::compile::aliases::alias_logical_id(ctx, tr.fkey)
                    .unwrap_or_else(|| naming::lambda_logical_id(tr.fkey))
            ));
        }
        if !ok {
            continue;
        }
        if let Some(over) = ctx.config.at(&["resources", id.as_str()]) {
            diags.push(
                Diag::error(&crate::compile::UNSUPPORTED, format!("slsx does not merge `resources.{id}` into the generated user pool"))
                    .label(over.span, "merged by the framework after packaging")
                    .help(format!("the framework merges a user pool given directly under `resources` (not `resources.Resources`) into `{id}` after `package:finalize`; move these settings to `resources.Resources.{id}`, which both tools merge")),
            );
        }
        t.merge_resource(
            &id,
            json!({
                "Type": "AWS::Cognito::UserPool",
                "Properties": {"UserPoolName": pool, "LambdaConfig": config},
                "DependsOn": depends,
            }),
        );
    }
    for tr in triggers {
        t.merge_resource(
            &naming::lambda_cognito_user_pool_permission_logical_id(tr.fkey, &tr.pool, &tr.trigger),
            fn_common::invoke_permission(
                ctx,
                tr.fkey,
                "cognito-idp.amazonaws.com",
                Some(
                    json!({"Fn::GetAtt": [naming::cognito_user_pool_logical_id(&tr.pool), "Arn"]}),
                ),
            ),
        );
    }
}

fn existing_pools(ctx: &Ctx, t: &mut Template, triggers: &[Trigger], diags: &mut Diags) {
    let Some(first_event) = triggers.first().map(|tr| tr.event_key) else {
        return;
    };
    // the statements of each function's first event, then its own (below)
    let mut per_function: Vec<(&str, Value)> = Vec::new();
    let mut per_pool: Vec<(String, Vec<String>)> = Vec::new();
    let mut keys = HashMap::new();
    let mut current: HashMap<&str, (&str, Span)> = HashMap::new();
    let mut functions: Vec<&str> = Vec::new();
    // after each function's events, the framework lets the handler manage its permissions
    let function_statement = |fkey: &str| {
        json!({
            "Effect": "Allow",
            "Resource": {"Fn::Sub": format!("arn:${{AWS::Partition}}:lambda:*:*:function:{}", ctx.function_name(fkey))},
            "Action": ["lambda:AddPermission", "lambda:RemovePermission"],
        })
    };
    for tr in triggers {
        match current.get(tr.fkey) {
            Some((pool, span)) if *pool != tr.pool => {
                diags.push(
                    Diag::error(&MULTIPLE_POOLS, format!("function `{}` configures more than one existing user pool", tr.fkey))
                        .label(tr.node.get("pool").map(|p| p.span).unwrap_or(tr.event_key), "a second existing pool")
                        .secondary(*span, "the function's first existing pool")
                        .help("the framework configures one existing user pool per function (one custom resource each): use a separate function for the other pool; the framework refuses this too (COGNITO_MULTIPLE_USER_POOLS_PER_FUNCTION)"),
                );
                continue;
            }
            Some(_) => {}
            None => {
                current.insert(
                    tr.fkey,
                    (
                        &tr.pool,
                        tr.node.get("pool").map(|p| p.span).unwrap_or(tr.event_key),
                    ),
                );
            }
        }
        let first = !functions.contains(&tr.fkey);
        let id = naming::custom_cognito_user_pool_logical_id(tr.fkey);
        custom_resources::record(&mut per_pool, &tr.pool, &id);
        let mut config = Map::new();
        config.insert("Trigger".into(), json!(tr.trigger));
        if tr.custom_sender() {
            config.insert("LambdaVersion".into(), tr.lambda_version());
            if check_kms(tr, &mut keys, diags).is_err() {
                continue;
            }
            config.insert(
                "KMSKeyID".into(),
                tr.kms_key().map(Node::to_json).unwrap_or(Value::Null),
            );
        }
        if first {
            functions.push(tr.fkey);
            if tr.custom_sender()
                && let Some(k) = tr.kms_key()
            {
                per_function.push((
                    tr.fkey,
                    json!({"Effect": "Allow", "Resource": k.to_json(), "Action": ["kms:CreateGrant"]}),
                ));
            }
            let handler = Handler::CognitoUserPool.logical_id();
            let mut props = Map::new();
            props.insert(
                "ServiceToken".into(),
                json!({"Fn::GetAtt": [handler, "Arn"]}),
            );
            props.insert("FunctionName".into(), json!(ctx.function_name(tr.fkey)));
            props.insert("UserPoolName".into(), json!(tr.pool));
            props.insert("UserPoolConfigs".into(), json!([config]));
            if super::truthy(tr.node, "forceDeploy").is_some() {
                props.insert("ForceDeploy".into(), custom_resources::run_time(ctx));
            }
            t.merge_resource(
                &id,
                json!({
                    "Type": "Custom::CognitoUserPool",
                    "Version": 1,
                    "DependsOn": [naming::lambda_logical_id(tr.fkey), handler],
                    "Properties": props,
                }),
            );
            per_function.push((
                tr.fkey,
                json!({
                    "Effect": "Allow",
                    "Resource": "*",
                    "Action": ["cognito-idp:ListUserPools", "cognito-idp:DescribeUserPool", "cognito-idp:UpdateUserPool"],
                }),
            ));
        } else if let Some(list) = t
            .resources_mut()
            .get_mut(&id)
            .and_then(|r| r.pointer_mut("/Properties/UserPoolConfigs"))
            .and_then(Value::as_array_mut)
        {
            list.push(Value::Object(config));
        }
    }
    let mut statements: Vec<Value> = Vec::new();
    for fkey in &functions {
        statements.extend(
            per_function
                .iter()
                .filter(|(f, _)| f == fkey)
                .map(|(_, s)| s.clone()),
        );
        statements.push(function_statement(fkey));
    }
    statements.push(json!({
        "Effect": "Allow",
        "Resource": {"Fn::Sub": "arn:${AWS::Partition}:iam::*:role/*"},
        "Action": ["iam:PassRole"],
    }));
    custom_resources::finish_existing(
        ctx,
        t,
        Handler::CognitoUserPool,
        statements,
        &per_pool,
        &CUSTOM_RESOURCE,
        ("cognitoUserPool", "pools", "Custom::CognitoUserPool"),
        first_event,
        diags,
    );
}
