//! `syncResponse` (slsx only; serverless-step-functions issue #411): an `http` event that runs
//! an EXPRESS machine synchronously (`StartSyncExecution`) and answers with the execution's
//! result instead of Step Functions' raw API response.
//!
//! ```yaml
//! events:
//!   - http:
//!       path: quote
//!       method: post
//!       syncResponse: true          # or {failedStatusCode: 502, timedOutStatusCode: 504}
//! ```
//!
//! With it, the method (otherwise the plugin's, unchanged):
//! - calls `StartSyncExecution` (`action` may be left out, or must be `StartSyncExecution`);
//! - sends the plugin's default request template (body as input, request id as name) unless
//!   `request.template` says otherwise, and refuses other content types (`NEVER`);
//! - maps the 200 response: a `SUCCEEDED` execution's `output` becomes the body (status 200),
//!   a `FAILED` or `TIMED_OUT` one answers `failedStatusCode` (500) / `timedOutStatusCode`
//!   (504) with `{"status", "error", "cause"}`;
//! - declares those status codes as method responses too.
//!
//! Without `syncResponse` nothing changes: `action: StartSyncExecution` keeps the plugin's
//! behaviour byte for byte (`fixtures/http-sync-action`).

use serde_json::Value;

use super::codes;
use super::util::{a_type, number};
use crate::compile::events::check_keys;
use crate::diagnostics::{Diag, Diags};
use crate::source::Span;
use crate::yaml::{Mapping, Node, js_to_string};

const OPTIONS: [&str; 2] = ["failedStatusCode", "timedOutStatusCode"];

/// The Step Functions action a synchronous response needs.
pub const ACTION: &str = "StartSyncExecution";

/// An event's `syncResponse`, resolved.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SyncResponse {
    /// Status of a `FAILED` execution.
    pub failed: u16,
    /// Status of a `TIMED_OUT` execution.
    pub timed_out: u16,
}

impl Default for SyncResponse {
    fn default() -> Self {
        SyncResponse {
            failed: 500,
            timed_out: 504,
        }
    }
}

impl SyncResponse {
    /// The integration response template (`application/json`) of the 200 response: the
    /// execution's output as the body, or its error with the configured status.
    pub fn template(&self) -> String {
        let status = if self.failed == self.timed_out {
            format!(
                "#set( $context.responseOverride.status = {} )\n",
                self.failed
            )
        } else {
            format!(
                "#if( $status == \"FAILED\" )\n#set( $context.responseOverride.status = {} )\n#else\n#set( $context.responseOverride.status = {} )\n#end\n",
                self.failed, self.timed_out
            )
        };
        format!(
            "#set( $status = $input.path('$.status') )\n\
             #if( $status == \"FAILED\" || $status == \"TIMED_OUT\" )\n\
             {status}\
             #set( $error = $util.escapeJavaScript(\"$!input.path('$.error')\").replaceAll(\"\\\\'\", \"'\") )\n\
             #set( $cause = $util.escapeJavaScript(\"$!input.path('$.cause')\").replaceAll(\"\\\\'\", \"'\") )\n\
             {{\"status\": \"$status\", \"error\": \"$error\", \"cause\": \"$cause\"}}\n\
             #else\n\
             $input.path('$.output')\n\
             #end"
        )
    }

    /// The error statuses the method declares besides the plugin's 200 and 400.
    pub fn extra_statuses(&self) -> Vec<Value> {
        let mut out: Vec<u16> = Vec::new();
        for s in [self.failed, self.timed_out] {
            if s != 200 && s != 400 && !out.contains(&s) {
                out.push(s);
            }
        }
        out.into_iter().map(|s| number(f64::from(s))).collect()
    }
}

/// Reads and checks `syncResponse` of one event. `Err` after a reported problem.
pub fn read(
    key: &str,
    obj: Option<&Mapping>,
    machine: &Mapping,
    machine_key_span: Span,
    diags: &mut Diags,
) -> Result<Option<SyncResponse>, ()> {
    let Some(m) = obj else { return Ok(None) };
    // the plugin reads no unknown keys, so a misspelt `syncResponse` would silently leave the
    // endpoint asynchronous
    for (k, e) in m.iter() {
        if k != "syncResponse"
            && crate::compile::resources::closest(k, std::iter::once("syncResponse")).is_some()
        {
            diags.push(
                Diag::warning(
                    &crate::compile::events::UNKNOWN_KEY,
                    format!(
                        "`{k}` is not an option of an http event; the method stays asynchronous"
                    ),
                )
                .label(e.key_span, "unknown option")
                .help("did you mean `syncResponse`?"),
            );
        }
    }
    let Some(entry) = m.entry("syncResponse") else {
        // the plugin's `action: StartSyncExecution` on a machine that cannot run it
        if let Some(a) = m.get("action")
            && a.as_str() == Some(ACTION)
            && !is_express(machine)
        {
            diags.push(not_express_note(
                Diag::warning(
                    &codes::START_SYNC_NOT_EXPRESS,
                    format!("state machine `{key}` is not an EXPRESS machine: Step Functions refuses `StartSyncExecution` on it"),
                )
                .label(a.span, "fails at run time (StateMachineTypeNotSupported)"),
                machine,
                machine_key_span,
            )
            .help("set `type: EXPRESS` on the machine, or drop `action` to start executions asynchronously"));
        }
        return Ok(None);
    };
    let v = &entry.value;
    let bad = |msg: String, span: Span, label: &str, help: &str| {
        Diag::error(&codes::SYNC_RESPONSE, msg)
            .label(span, label.to_string())
            .help(help.to_string())
    };
    let mut sync = SyncResponse::default();
    match (&v.kind, v.as_bool()) {
        (_, Some(false)) | (crate::yaml::Kind::Null, _) => return Ok(None),
        (_, Some(true)) => {}
        (crate::yaml::Kind::Map(opts), _) => {
            check_keys(diags, v, &OPTIONS, "`syncResponse`", "slsx ignores it");
            let mut ok = true;
            for (name, slot) in [
                ("failedStatusCode", &mut sync.failed),
                ("timedOutStatusCode", &mut sync.timed_out),
            ] {
                let Some(n) = opts.get(name).filter(|n| !n.is_null()) else {
                    continue;
                };
                match n.as_f64() {
                    Some(f) if f.fract() == 0.0 && (400.0..=599.0).contains(&f) => {
                        *slot = f as u16;
                    }
                    _ => {
                        diags.push(bad(
                            format!(
                                "`syncResponse.{name}` of an http event in state machine `{key}` must be an error status, 400 to 599 (found {})",
                                match n.as_f64() {
                                    Some(_) => js_to_string(n),
                                    None => a_type(n),
                                }
                            ),
                            n.span,
                            "not an HTTP error status",
                            "give a number such as 500 (failed) or 504 (timed out)",
                        ));
                        ok = false;
                    }
                }
            }
            if !ok {
                return Err(());
            }
        }
        _ => {
            diags.push(bad(
                format!(
                    "`syncResponse` of an http event in state machine `{key}` must be true or a mapping (found {})",
                    a_type(v)
                ),
                v.span,
                "neither a boolean nor a mapping",
                "write `syncResponse: true`, or `syncResponse: {failedStatusCode: 500, timedOutStatusCode: 504}`",
            ));
            return Err(());
        }
    }

    let mut ok = true;
    if !is_express(machine) {
        diags.push(
            not_express_note(
                Diag::error(
                    &codes::SYNC_NOT_EXPRESS,
                    format!("`syncResponse` needs an EXPRESS machine, but state machine `{key}` is not one"),
                )
                .label(entry.key_span, "a synchronous response needs `StartSyncExecution`"),
                machine,
                machine_key_span,
            )
            .help("set `type: EXPRESS` on the machine (only EXPRESS machines run synchronously), or remove `syncResponse`"),
        );
        ok = false;
    }
    if let Some(a) = m.get("action")
        && a.as_str() != Some(ACTION)
    {
        diags.push(
            bad(
                format!(
                    "`syncResponse` answers with the result of `StartSyncExecution`, but this http event of state machine `{key}` calls `{}`",
                    js_to_string(a)
                ),
                a.span,
                "another action",
                "remove `action` (or write `action: StartSyncExecution`), or remove `syncResponse`",
            )
            .secondary(entry.key_span, "`syncResponse` here"),
        );
        ok = false;
    }
    for (name, what) in [
        ("responses", "`responses`"),
        ("response", "`response.template`"),
    ] {
        let node = if name == "response" {
            m.get("response")
                .and_then(|r| r.as_map())
                .and_then(|r| r.entry("template"))
                .filter(|e| !e.value.is_null())
        } else {
            m.entry(name).filter(|e| !e.value.is_null())
        };
        if let Some(e) = node {
            diags.push(
                bad(
                    format!("{what} and `syncResponse` both set the response of an http event of state machine `{key}`"),
                    e.key_span,
                    "would replace the synchronous response mapping",
                    "keep `syncResponse` (response headers under `response.headers` still apply), or remove it and map the response yourself",
                )
                .secondary(entry.key_span, "`syncResponse` here"),
            );
            ok = false;
        }
    }
    if ok { Ok(Some(sync)) } else { Err(()) }
}

fn is_express(machine: &Mapping) -> bool {
    machine.get("type").and_then(Node::as_str) == Some("EXPRESS")
}

/// Points at the machine's `type` (or its key when it has none).
fn not_express_note(d: Diag, machine: &Mapping, machine_key_span: Span) -> Diag {
    match machine.entry("type") {
        Some(e) => d.secondary(
            e.value.span,
            format!("the machine's type is `{}`", js_to_string(&e.value)),
        ),
        None => d.secondary(machine_key_span, "no `type`: a STANDARD machine"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_maps_output_and_errors() {
        let t = SyncResponse::default().template();
        assert!(t.starts_with("#set( $status = $input.path('$.status') )\n"));
        assert!(t.contains("#if( $status == \"FAILED\" )\n#set( $context.responseOverride.status = 500 )\n#else\n#set( $context.responseOverride.status = 504 )\n#end\n"));
        // the VTL idiom of the plugin's own templates: undo escapeJavaScript's `\'`; a missing
        // error or cause (`$!` in a string) gives an empty string, never the literal reference
        assert!(t.contains(
            "#set( $error = $util.escapeJavaScript(\"$!input.path('$.error')\").replaceAll(\"\\\\'\", \"'\") )"
        ));
        assert!(t.ends_with("#else\n$input.path('$.output')\n#end"));
        let same = SyncResponse {
            failed: 502,
            timed_out: 502,
        };
        assert!(same.template().contains(
            "\"TIMED_OUT\" )\n#set( $context.responseOverride.status = 502 )\n#set( $error"
        ));
        assert_eq!(same.extra_statuses(), vec![number(502.0)]);
        assert_eq!(
            SyncResponse::default().extra_statuses(),
            vec![number(500.0), number(504.0)]
        );
        assert!(
            SyncResponse {
                failed: 400,
                timed_out: 504
            }
            .extra_statuses()
                == vec![number(504.0)]
        );
    }
}
