//! `package:initialize`: the deployment bucket, its policy and output, with every
//! `provider.deploymentBucket` form. (issue #5)
//!
//! `serverless-core.md` §4.2 step 1; the framework's `generate-core-template.js` and the
//! provider's normalisation of `deploymentBucket` (an object keeps its settings aside and
//! leaves only its `name`).

use serde_json::{Value, json};

use super::naming;
use super::{Ctx, Template};
use crate::diagnostics::Diags;
use crate::yaml::{Node, js_to_string};

/// The bucket the service deploys to when the user names one: `provider.deploymentBucket`
/// (a string) or `provider.deploymentBucket.name`.
pub fn deployment_bucket_name(ctx: &Ctx) -> Option<String> {
    let b = ctx.provider_at(&["deploymentBucket"])?;
    let name = if b.as_map().is_some() {
        b.get("name")?
    } else {
        b
    };
    name.is_truthy().then(|| js_to_string(name))
}

/// `Code.S3Bucket` of every function: the named bucket, else `{Ref: ServerlessDeploymentBucket}`.
pub fn code_bucket(ctx: &Ctx) -> Value {
    match deployment_bucket_name(ctx) {
        Some(n) => Value::String(n),
        None => json!({"Ref": naming::DEPLOYMENT_BUCKET}),
    }
}

/// `provider.deploymentPrefix` (`String()` of any non-null value), else `serverless`.
pub fn deployment_prefix(ctx: &Ctx) -> String {
    match ctx.provider_at(&["deploymentPrefix"]) {
        Some(p) if !p.is_null() => js_to_string(p),
        _ => "serverless".to_string(),
    }
}

/// The artifact folder: `<prefix>/<service>/<stage>/<epochMs>-<ISO date>`. The framework takes
/// the time of the run; slsx uses `--instance-id` when given (as epoch milliseconds), else the
/// stand-in `0000000000000-1970-01-01T00:00:00.000Z`.
pub fn artifact_directory_name(ctx: &Ctx) -> String {
    let stamp = match &ctx.options.instance_id {
        Some(id) => {
            let ms = id.trim().parse::<i64>().unwrap_or(0);
            format!("{id}-{}", iso_from_epoch_ms(ms))
        }
        None => "0000000000000-1970-01-01T00:00:00.000Z".to_string(),
    };
    format!(
        "{}/{}/{}/{stamp}",
        deployment_prefix(ctx),
        ctx.service,
        ctx.stage
    )
}

/// JavaScript `new Date(ms).toISOString()` for years 0000–9999.
pub fn iso_from_epoch_ms(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    let (h, m, s, milli) = (
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000,
    );
    // civil-from-days (proleptic Gregorian)
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let mo = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(mo <= 2);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{m:02}:{s:02}.{milli:03}Z")
}

/// Adds the core resources to the base template.
pub fn initialize(ctx: &Ctx, t: &mut Template, _diags: &mut Diags) {
    let mut bucket_props = serde_json::Map::new();
    bucket_props.insert(
        "BucketEncryption".into(),
        json!({"ServerSideEncryptionConfiguration": [
            {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
        ]}),
    );
    let mut with_policy = true;
    if let Some(obj) = ctx
        .provider_at(&["deploymentBucket"])
        .and_then(Node::as_map)
    {
        if let Some(tags) = obj.get("tags").and_then(Node::as_map)
            && !tags.is_empty()
        {
            let list: Vec<Value> = tags
                .iter()
                .map(|(k, e)| json!({"Key": k, "Value": e.value.to_json()}))
                .collect();
            bucket_props.insert("Tags".into(), Value::Array(list));
        }
        if obj.get("blockPublicAccess").is_some_and(Node::is_truthy) {
            bucket_props.insert(
                "PublicAccessBlockConfiguration".into(),
                json!({
                    "BlockPublicAcls": true,
                    "BlockPublicPolicy": true,
                    "IgnorePublicAcls": true,
                    "RestrictPublicBuckets": true
                }),
            );
        }
        if obj.get("versioning").is_some_and(Node::is_truthy) {
            bucket_props.insert(
                "VersioningConfiguration".into(),
                json!({"Status": "Enabled"}),
            );
        }
        if obj.get("skipPolicySetup").is_some_and(Node::is_truthy) {
            with_policy = false;
        }
    }

    let name = deployment_bucket_name(ctx);
    let output_value = match &name {
        Some(n) => Value::String(n.clone()),
        None => json!({"Ref": naming::DEPLOYMENT_BUCKET}),
    };
    if name.is_none() {
        t.resources_mut().insert(
            naming::DEPLOYMENT_BUCKET.into(),
            json!({"Type": "AWS::S3::Bucket", "Properties": Value::Object(bucket_props)}),
        );
        if with_policy {
            let arn = |suffix: Option<&str>| {
                let mut parts = vec![
                    json!("arn:"),
                    json!({"Ref": "AWS::Partition"}),
                    json!(":s3:::"),
                    json!({"Ref": naming::DEPLOYMENT_BUCKET}),
                ];
                if let Some(s) = suffix {
                    parts.push(json!(s));
                }
                json!({"Fn::Join": ["", parts]})
            };
            t.resources_mut().insert(
                naming::DEPLOYMENT_BUCKET_POLICY.into(),
                json!({
                    "Type": "AWS::S3::BucketPolicy",
                    "Properties": {
                        "Bucket": {"Ref": naming::DEPLOYMENT_BUCKET},
                        "PolicyDocument": {"Statement": [{
                            "Action": "s3:*",
                            "Effect": "Deny",
                            "Principal": "*",
                            "Resource": [arn(Some("/*")), arn(None)],
                            "Condition": {"Bool": {"aws:SecureTransport": false}}
                        }]}
                    }
                }),
            );
        }
    }
    t.outputs_mut().insert(
        naming::DEPLOYMENT_BUCKET_OUTPUT.into(),
        json!({"Value": output_value}),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates() {
        assert_eq!(iso_from_epoch_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            iso_from_epoch_ms(1_795_609_922_621),
            "2026-11-25T12:32:02.621Z"
        );
        assert_eq!(
            iso_from_epoch_ms(951_782_400_000),
            "2000-02-29T00:00:00.000Z"
        );
    }
}
