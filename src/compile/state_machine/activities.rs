//! `compileActivities`: one `AWS::StepFunctions::Activity` and one output per name in
//! `stepFunctions.activities` (spec §1.7). Activity outputs are written even with
//! `noOutput: true`.

use serde_json::Value;

use super::{Template, article, js};
use crate::compile::naming;
use crate::declare_codes;
use crate::diagnostics::{Diag, Diags};
use crate::yaml::Node;

declare_codes! { CODES;
    BAD_NAME = "slsx::activities::bad-name", "An activity name the plugin cannot compile (not a string, or breaking its JSON template).";
    ESCAPED_NAME = "slsx::activities::escaped-name", "An activity name with a backslash escape, which the plugin's JSON template interprets.";
}

/// Compiles `stepFunctions.activities`.
pub fn compile(sf: &Node, t: &mut Template, diags: &mut Diags) {
    let Some(list) = sf.get("activities") else {
        return;
    };
    // `isActivities`: `_.isEmpty` — falsy values, empty lists / objects / strings
    let empty = match &list.kind {
        crate::yaml::Kind::Seq(v) => v.is_empty(),
        crate::yaml::Kind::Map(m) => m.is_empty(),
        crate::yaml::Kind::String(s) => s.is_empty(),
        _ => true,
    };
    if empty {
        return;
    }
    let Some(items) = list.as_seq() else {
        diags.push(
            Diag::error(
                &super::ACTIVITIES_NOT_ARRAY,
                format!("`stepFunctions.activities` is {}, not a list", article(list)),
            )
            .label(list.span, "expected a list of activity names")
            .help("write `activities: [name, ...]` (the plugin stops with \"activities property is not an array\")"),
        );
        return;
    };
    for item in items {
        let Some(name) = item.as_str() else {
            diags.push(
                Diag::error(
                    &BAD_NAME,
                    format!("an activity name is {}, not a string", article(item)),
                )
                .label(item.span, "expected a name")
                .help("list activity names as strings (the plugin crashes on anything else)"),
            );
            continue;
        };
        // the plugin splices the name into `"Name": "<name>"` and parses that JSON
        let parsed = match serde_json::from_str::<String>(&format!("\"{name}\"")) {
            Ok(p) => p,
            Err(_) => {
                diags.push(
                    Diag::error(&BAD_NAME, format!("activity name `{name}` breaks the plugin's JSON template"))
                        .label(item.span, "a `\"`, a control character or an invalid `\\` escape in the name")
                        .help("activity names may hold letters, digits and `-_.`; the plugin crashes on this one"),
                );
                continue;
            }
        };
        if parsed != name {
            diags.push(
                Diag::warning(&ESCAPED_NAME, format!("the backslash escape in activity name `{name}` is interpreted"))
                    .label(item.span, "the plugin parses the name as JSON text, so a `\\x` escape becomes the character it stands for")
                    .help("avoid backslashes in activity names"),
            );
        }
        let id = naming::activity_logical_id(name);
        t.merge_resource(
            &id,
            js::obj([
                ("Type", Value::from("AWS::StepFunctions::Activity")),
                ("Properties", js::obj([("Name", Value::String(parsed))])),
            ]),
        );
        t.merge_output(
            &naming::activity_output_logical_id(name),
            js::obj([
                ("Description", Value::from("Current StateMachine Arn")),
                ("Value", js::obj([("Ref", Value::String(id))])),
            ]),
        );
    }
}
