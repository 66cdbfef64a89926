//! Function `alexaSkill` and `alexaSmartHome` events, as the framework's
//! `AwsCompileAlexaSkillEvents` and `AwsCompileAlexaSmartHomeEvents` write them: one
//! `AWS::Lambda::Permission` per event, `<NF>LambdaPermissionAlexaSkill<n>` /
//! `<NF>LambdaPermissionAlexaSmartHome<n>` (n counts the function's events of that kind), for
//! the principal `alexa-appkit.amazon.com` / `alexa-connectedhome.amazon.com`, with the skill's
//! `appId` as `EventSourceToken` (the framework removes the two-character sequences `\n` and
//! `\r` from it) and `lambda:DisableInvokeFunction` for `enabled: false`.

use serde_json::{Map, Value, json};

use super::fn_common;
use crate::compile::{Ctx, Template, naming};
use crate::declare_codes;
use crate::diagnostics::{Diag, Diags};
use crate::yaml::{Kind, Node, js_to_string};

declare_codes! { CODES;
    INVALID = "slsx::fn-alexa::invalid", "A function `alexaSkill` / `alexaSmartHome` event without an `appId` the framework can use.";
}

/// The two kinds.
#[derive(Clone, Copy)]
enum Alexa {
    Skill,
    SmartHome,
}

impl Alexa {
    fn key(self) -> &'static str {
        match self {
            Alexa::Skill => "alexaSkill",
            Alexa::SmartHome => "alexaSmartHome",
        }
    }

    fn principal(self) -> &'static str {
        match self {
            Alexa::Skill => "alexa-appkit.amazon.com",
            Alexa::SmartHome => "alexa-connectedhome.amazon.com",
        }
    }

    fn permission_id(self, fkey: &str, n: usize) -> String {
        match self {
            Alexa::Skill => naming::lambda_alexa_skill_permission_logical_id(fkey, n),
            Alexa::SmartHome => naming::lambda_alexa_smart_home_permission_logical_id(fkey, n),
        }
    }
}

/// Compiles the `alexaSkill` events.
pub fn compile_skill(ctx: &Ctx, t: &mut Template, diags: &mut Diags) {
    compile(ctx, t, diags, Alexa::Skill);
}

/// Compiles the `alexaSmartHome` events.
pub fn compile_smart_home(ctx: &Ctx, t: &mut Template, diags: &mut Diags) {
    compile(ctx, t, diags, Alexa::SmartHome);
}

fn compile(ctx: &Ctx, t: &mut Template, diags: &mut Diags, kind: Alexa) {
    let key = kind.key();
    for (fkey, f) in ctx.functions() {
        for event in super::events_of(f, key) {
            let e = event.value;
            let (app_id, enabled) = match &e.kind {
                Kind::String(_) => (Some(e), true),
                Kind::Map(_) => {
                    super::check_keys(
                        diags,
                        e,
                        &["appId", "enabled"],
                        &format!("a function `{key}` event"),
                        "the framework ignores it",
                    );
                    (
                        super::truthy(e, "appId"),
                        e.get("enabled").and_then(Node::as_bool) != Some(false),
                    )
                }
                _ => {
                    diags.push(
                        Diag::error(&INVALID, format!("{key} event of function `{fkey}` is neither an app id nor a mapping"))
                            .label(e.span, super::a_kind(e))
                            .help(format!("write `{key}: amzn1.ask.skill.<id>`, or `{key}: {{appId: …, enabled: false}}`")),
                    );
                    continue;
                }
            };
            let token = match app_id {
                Some(a) => match a.as_str() {
                    Some(s) => Some(super::jsontext::strip_escaped_newlines(s)),
                    None => {
                        diags.push(
                            Diag::error(&INVALID, "the `appId` must be a string")
                                .label(a.span, super::a_kind(a))
                                .help("write the skill's id, e.g. `appId: amzn1.ask.skill.<id>` (the framework crashes on anything else)"),
                        );
                        continue;
                    }
                },
                None => {
                    let d = match kind {
                        Alexa::Skill => Diag::warning(&INVALID, format!("this {key} event has no `appId`: any Alexa skill may invoke the function"))
                            .help("the framework writes the permission without an `EventSourceToken` (a form it deprecates); give the skill's id as `appId`"),
                        Alexa::SmartHome => Diag::error(&INVALID, format!("{key} event of function `{fkey}` has no `appId`"))
                            .help("give the skill's id as `appId: amzn1.ask.skill.<id>` (the framework crashes without it)"),
                    };
                    let skip = d.is_error();
                    diags.push(d.label(event.key, "needs `appId`"));
                    if skip {
                        continue;
                    }
                    None
                }
            };
            let mut props = Map::new();
            props.insert("FunctionName".into(), fn_common::lambda_arn(ctx, fkey));
            props.insert(
                "Action".into(),
                json!(if enabled {
                    "lambda:InvokeFunction"
                } else {
                    "lambda:DisableInvokeFunction"
                }),
            );
            props.insert("Principal".into(), json!(kind.principal()));
            if let Some(tok) = token {
                props.insert("EventSourceToken".into(), Value::String(tok));
            }
            if let Some(a) = app_id
                && !js_to_string(a)
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
            {
                diags.push(
                    Diag::warning(&fn_common::SCHEMA, "the `appId` has characters an Alexa skill id does not")
                        .label(a.span, "letters, digits, `.`, `_` and `-` only")
                        .help("the framework's schema only warns about this; Lambda rejects the permission"),
                );
            }
            let mut permission = json!({"Type": "AWS::Lambda::Permission", "Properties": props});
            crate::compile::aliases::depend_on_alias(ctx, fkey, &mut permission);
            t.merge_resource(&kind.permission_id(fkey, event.n), permission);
        }
    }
}
