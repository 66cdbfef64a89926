//! The rules only `slsx check` applies ([`super::Mode::Check`]): the definition is valid, but
//! likely not what was meant. Both are warnings.

use crate::compile::naming;
use crate::declare_codes;
use crate::diagnostics::Diag;
use crate::emit::json::js_number;
use crate::source::Span;
use crate::yaml::Node;

declare_codes! { CODES;
    CHOICE_WITHOUT_DEFAULT = "slsx::lint::asl-choice-without-default", "A Choice state without `Default` fails with States.NoChoiceMatched when no rule matches.";
    TASK_TIMEOUT = "slsx::lint::asl-task-timeout", "A Task's `TimeoutSeconds` is longer than the timeout of the Lambda function it invokes.";
}

/// A Choice state without `Default`.
pub fn choice_without_default(machine: &str, name: &str, key_span: Span) -> Diag {
    Diag::warning(
        &CHOICE_WITHOUT_DEFAULT,
        format!("state machine `{machine}`: the Choice state `{name}` has no `Default`"),
    )
    .label(
        key_span,
        "when no rule matches, the execution fails with States.NoChoiceMatched",
    )
    .help("add `Default: <state>` (a Fail state makes the failure explicit)")
}

/// A Task state whose `TimeoutSeconds` is longer than the timeout of the service's function it
/// invokes (`config` is the service).
pub fn task_timeout(machine: &str, name: &str, state: &Node, config: &Node) -> Option<Diag> {
    let t = state.get("TimeoutSeconds")?;
    let secs = t.as_f64()?;
    let key = invoked_function(state, config)?;
    let (limit, set_by) = function_timeout(config, key);
    if secs <= limit {
        return None;
    }
    let mut d = Diag::warning(
        &TASK_TIMEOUT,
        format!(
            "state machine `{machine}`: the task `{name}` waits {}s, but the function `{key}` times out after {}s",
            js_number(secs),
            js_number(limit)
        ),
    )
    .label(t.span, "longer than the function's timeout");
    if let Some(n) = set_by {
        d = d.secondary(n.span, "the function's timeout");
    }
    Some(d.help(format!(
        "the function is stopped after {}s, so the task never needs longer; lower `TimeoutSeconds` or raise the function's `timeout`{}",
        js_number(limit),
        if set_by.is_none() { " (the default is 6s)" } else { "" }
    )))
}

/// The function key a Task invokes: `Resource` (or `Parameters.FunctionName` of
/// `arn:aws:states:::lambda:invoke`) as `!GetAtt key.Arn`, `!Ref key`, or the same with the
/// function's logical ID.
fn invoked_function<'a>(state: &Node, config: &'a Node) -> Option<&'a str> {
    let resource = state.get("Resource")?;
    let target = match resource.as_str() {
        Some(s) if s.starts_with("arn:aws:states:::lambda:invoke") => {
            state.get("Parameters")?.get("FunctionName")?
        }
        Some(_) => return None,
        None => resource,
    };
    let m = target.as_map().filter(|m| m.len() == 1)?;
    let id = if let Some(r) = m.get("Ref") {
        r.as_str()?
    } else {
        let g = m.get("Fn::GetAtt")?;
        match g.as_seq() {
            Some([id, _]) => id.as_str()?,
            _ => g.as_str()?.split_once('.')?.0,
        }
    };
    config
        .get("functions")?
        .as_map()?
        .keys()
        .find(|k| k.as_str() == id || naming::lambda_logical_id(k) == id)
        .map(|k| k.as_str())
}

/// The function's timeout in seconds and the node that sets it (`None`: the default, 6s). A
/// falsy `timeout` (`0`) is unset, as for the framework.
fn function_timeout<'a>(config: &'a Node, key: &str) -> (f64, Option<&'a Node>) {
    let own = config
        .get("functions")
        .and_then(|f| f.get(key))
        .and_then(|f| f.get("timeout"));
    let provider = config.get("provider").and_then(|p| p.get("timeout"));
    match [own, provider]
        .into_iter()
        .flatten()
        .filter(|n| n.is_truthy())
        .find_map(|n| Some((n.as_f64()?, n)))
    {
        Some((secs, n)) => (secs, Some(n)),
        None => (6.0, None),
    }
}
