//! `compileStage`: the framework configures the REST API's stage (tracing, metrics, access
//! and execution logs, tags) with API calls after the deployment, not in the template. What
//! the template gets with `provider.logs.restApi` is the access log group
//! (`ApiGatewayLogGroup`) and, unless the CloudWatch role is managed externally, the custom
//! resource that sets the account's API Gateway CloudWatch role, with its handler (whose code
//! is the framework's `custom-resources.zip`).

use serde_json::{Map, Value, json};

use super::{Api, codes};
use crate::compile::events::custom_resources;
use crate::compile::events::key_span;
use crate::compile::{Template, naming};
use crate::diagnostics::{Diag, Diags};
use crate::yaml::Node;

fn restapi_logs<'a>(api: &Api<'a>) -> Option<&'a Node> {
    api.ctx
        .provider_at(&["logs", "restApi"])
        .filter(|n| n.is_truthy())
}

/// The access log group and the CloudWatch-role custom resource, with what slsx cannot do
/// said as warnings.
pub fn compile(api: &Api, t: &mut Template, diags: &mut Diags) {
    let ctx = api.ctx;
    stage_settings(api, diags);
    let Some(logs) = restapi_logs(api) else {
        return;
    };
    if logs
        .get("accessLogging")
        .is_some_and(|a| !a.is_null() && !a.is_truthy())
    {
        return;
    }
    let mut p = Map::new();
    p.insert(
        "LogGroupName".into(),
        json!(naming::api_gateway_log_group_name(&ctx.service, &ctx.stage)),
    );
    if let Some(r) = ctx
        .provider_at(&["logRetentionInDays"])
        .filter(|n| n.is_truthy())
    {
        p.insert("RetentionInDays".into(), r.to_json());
    }
    if let Some(d) = ctx
        .provider_at(&["logDataProtectionPolicy"])
        .filter(|n| n.is_truthy())
    {
        p.insert("DataProtectionPolicy".into(), d.to_json());
    }
    t.merge_resource(
        naming::API_GATEWAY_LOG_GROUP,
        json!({"Type": "AWS::Logs::LogGroup", "Properties": Value::Object(p)}),
    );
    if !custom_resources::ensure_api_gateway_cloud_watch_role(ctx, t) {
        return;
    }
    let span = ctx
        .provider_at(&["logs"])
        .map(|l| key_span(l, "restApi"))
        .unwrap_or(logs.span);
    diags.push(
        Diag::warning(
            &codes::CUSTOM_RESOURCE,
            "the REST API's access logs use the framework's custom resource, whose code slsx cannot build",
        )
        .label(span, "compiled as `Custom::ApiGatewayAccountRole`")
        .help(
            "the template references `custom-resources.zip` (the handler of \
             `CustomDashresourceDashapigwDashcwDashroleLambdaFunction`, which sets the account's \
             API Gateway CloudWatch role) next to the service artifact; take it from \
             `sls package` (.serverless/custom-resources.zip), or set \
             `logs.restApi.roleManagedExternally: true` when the account already has the role",
        ),
    );
}

/// The stage settings the framework applies after the deployment with API calls.
fn stage_settings(api: &Api, diags: &mut Diags) {
    let ctx = api.ctx;
    let settings = [
        (&["tracing"][..], "apiGateway", "tracing"),
        (&["apiGateway"][..], "metrics", "metrics"),
        (&["logs"][..], "restApi", "logging"),
    ];
    let mut found: Vec<(crate::source::Span, &str)> = Vec::new();
    for (path, key, what) in settings {
        let Some(parent) = ctx.provider_at(path) else {
            continue;
        };
        if parent.get(key).is_none_or(Node::is_null) {
            continue;
        }
        found.push((key_span(parent, key), what));
    }
    let Some(((first, what), rest)) = found.split_first() else {
        return;
    };
    let mut d = Diag::warning(
        &codes::STAGE_SETTINGS,
        "the REST API's stage settings are applied by `sls deploy` after the stack update, not by the template",
    )
    .label(*first, format!("{what}: not in the template"));
    for (span, what) in rest {
        d = d.secondary(*span, format!("{what}: not in the template"));
    }
    diags.push(d.help("the framework sets tracing, detailed metrics, the access log format and execution logging on the stage with API calls after deploying (`after:deploy:deploy`); deploy with `sls deploy`, or set them on the stage yourself when the template is deployed another way"));
}
