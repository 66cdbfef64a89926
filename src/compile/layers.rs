//! Service layers (`layers:`): the framework's `compile/layers.js` (`package:compileLayers`,
//! which runs between the execution role and the functions).
//!
//! Per layer, in `layers` order: `<NL>LambdaLayer` (`AWS::Lambda::LayerVersion`), one
//! `<NL><account>LambdaLayerPermission` per `allowedAccounts` entry, and the outputs
//! `<NL>LambdaLayerQualifiedArn`, `…Hash` and `…S3Key`. With `retain: true` the layer and its
//! permissions get `DeletionPolicy: Retain` and the layer hash appended to their logical IDs,
//! so every change publishes a new version and keeps the old one.
//!
//! The code is zipped by `sls package` (from `path`, or taken from `package.artifact`); slsx
//! never reads it, so the values derived from the zip are stand-ins in the style of the
//! functions' (README, "Values that depend on the packaged code"):
//! - `Content.S3Key` is `<artifact directory>/<zip name>` as the framework writes it, with the
//!   artifact directory's stand-in stamp;
//! - the layer hash (the `…LambdaLayerHash` output and the suffix of a retained layer's IDs) is
//!   the framework's sha1 over the resource's JSON and the zip, with the zip replaced by its S3
//!   key text and sha1 by the first 40 hex digits of sha256;
//! - in a function's version hash, a referenced layer's zip hash is the base64 sha256 of its S3
//!   key text (as the function's own `CodeSha256` stand-in).

use serde_json::{Map, Value, json};

use super::{Ctx, Template, naming};
use crate::declare_codes;
use crate::diagnostics::{Diag, Diags};
use crate::source::Span;
use crate::yaml::{Node, js_to_string};

declare_codes! { CODES;
    NOT_A_MAPPING = "slsx::layers::not-a-mapping", "A `layers` entry that is not a mapping (the framework crashes on it).";
    NO_CODE = "slsx::layers::no-code", "A layer with neither `path` nor `package.artifact` (the framework crashes packaging it).";
    BAD_ACCOUNT = "slsx::layers::bad-account", "An `allowedAccounts` entry that is not a string (the framework crashes on it).";
    LOGICAL_ID = "slsx::layers::logical-id", "A layer key or an `allowedAccounts` entry (an account ARN) that the framework puts into a logical ID as it is, with characters CloudFormation rejects (logical IDs are alphanumeric).";
    DANGLING_REF = "slsx::layers::dangling-ref", "A function's `layers` entry `Ref`s a resource the template does not have (CloudFormation rejects the template).";
}

/// The compiled parts of one layer.
struct Compiled {
    logical_id: String,
    resource: Value,
    hash: String,
    s3_key: String,
    /// Where the framework reads the zip from (only used to order the zips' hashes).
    artifact_path: String,
}

/// `layers`, in order.
fn layers<'a>(ctx: &Ctx<'a>) -> Vec<(&'a str, &'a Node, Span)> {
    match ctx.config.get("layers").and_then(Node::as_map) {
        Some(m) => m
            .iter()
            .map(|(k, e)| (k.as_str(), &e.value, e.key_span))
            .collect(),
        None => Vec::new(),
    }
}

fn truthy<'a>(n: &'a Node, key: &str) -> Option<&'a Node> {
    n.get(key).filter(|v| v.is_truthy())
}

/// The layer's zip: `package.artifact` as given, else `<key>.zip` packaged from `path`.
fn artifact(key: &str, layer: &Node) -> Option<String> {
    if let Some(a) = layer.at(&["package", "artifact"]).filter(|a| a.is_truthy()) {
        return Some(js_to_string(a));
    }
    truthy(layer, "path").map(|_| format!(".serverless/{}", naming::layer_artifact_name(key)))
}

fn compile_one(ctx: &Ctx, key: &str, layer: &Node) -> Option<Compiled> {
    layer.as_map()?;
    let artifact_path = artifact(key, layer)?;
    let file = artifact_path.rsplit('/').next().unwrap_or(&artifact_path);
    let s3_key = format!("{}/{file}", super::core::artifact_directory_name(ctx));

    let mut props = Map::new();
    props.insert(
        "Content".into(),
        json!({"S3Bucket": super::core::code_bucket(ctx)}),
    );
    props.insert(
        "LayerName".into(),
        truthy(layer, "name")
            .map(Node::to_json)
            .unwrap_or_else(|| json!(key)),
    );
    for (from, to) in [
        ("description", "Description"),
        ("licenseInfo", "LicenseInfo"),
        ("compatibleRuntimes", "CompatibleRuntimes"),
        ("compatibleArchitectures", "CompatibleArchitectures"),
    ] {
        if let Some(v) = truthy(layer, from) {
            props.insert(to.into(), v.to_json());
        }
    }
    let mut resource =
        json!({"Type": "AWS::Lambda::LayerVersion", "Properties": Value::Object(props)});
    // The framework hashes the resource without its S3 key, then the zip.
    let mut input = crate::emit::json::to_compact(&resource);
    input.push_str(&s3_key);
    let hash = sha256_hex(input.as_bytes())[..40].to_string();
    if let Some(content) = resource.pointer_mut("/Properties/Content") {
        content["S3Key"] = json!(s3_key);
    }
    let mut logical_id = naming::lambda_layer_logical_id(key);
    if truthy(layer, "retain").is_some() {
        logical_id.push_str(&hash);
        resource["DeletionPolicy"] = json!("Retain");
    }
    Some(Compiled {
        logical_id,
        resource,
        hash,
        s3_key,
        artifact_path,
    })
}

fn alphanumeric(id: &str) -> bool {
    id.chars().all(|c| c.is_ascii_alphanumeric())
}

fn sha256_hex(data: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `package:compileLayers`.
pub fn compile_layers(ctx: &Ctx, t: &mut Template, diags: &mut Diags) {
    for (key, layer, key_span) in layers(ctx) {
        if layer.as_map().is_none() {
            diags.push(
                Diag::error(&NOT_A_MAPPING, format!("layer `{key}` is not a mapping"))
                    .label(layer.span, format!("{}, not a mapping", crate::compile::events::a_kind(layer)))
                    .secondary(key_span, "this layer")
                    .help("describe the layer with `path: <directory>` (or `package: {artifact: <zip>}`) and optional `name`, `description`, `compatibleRuntimes`, …; the framework crashes on anything else"),
            );
            continue;
        }
        let Some(c) = compile_one(ctx, key, layer) else {
            diags.push(
                Diag::error(&NO_CODE, format!("layer `{key}` has neither `path` nor `package.artifact`"))
                    .label(key_span, "needs `path: <directory>` or `package: {artifact: <zip>}`")
                    .help("`path` is the directory `sls package` zips as the layer's content (e.g. `path: layer` with `layer/nodejs/node_modules/…`); `package.artifact` a zip built beforehand. The framework crashes without either"),
            );
            continue;
        };
        if !alphanumeric(&c.logical_id) {
            diags.push(
                Diag::warning(&LOGICAL_ID, format!("the framework names this layer `{}`, which CloudFormation rejects", c.logical_id))
                    .label(key_span, "only `-` and `_` of a layer key become letters (`Dash`, `Underscore`)")
                    .help("logical IDs may only have letters and digits; use letters, digits, `-` and `_` in the layer key (slsx writes the framework's ID)"),
            );
        }
        let mut new = vec![(c.logical_id.clone(), c.resource.clone())];
        let retain = truthy(layer, "retain").is_some();
        if let Some(accounts) = truthy(layer, "allowedAccounts") {
            let items: Vec<&Node> = match accounts.as_seq() {
                Some(s) => s.iter().collect(),
                None => vec![accounts],
            };
            for account in items {
                let Some(a) = account.as_str() else {
                    diags.push(
                        Diag::error(&BAD_ACCOUNT, "an `allowedAccounts` entry must be a string")
                            .label(account.span, crate::compile::events::a_kind(account))
                            .help("give a 12-digit account id, `*` (everyone) or `arn:aws:iam::<account>:root`"),
                    );
                    continue;
                };
                let mut id = naming::lambda_layer_permission_logical_id(key, a);
                if alphanumeric(&c.logical_id) && !alphanumeric(&id) {
                    diags.push(
                        Diag::warning(&LOGICAL_ID, format!("the framework names this account's permission `{id}`, which CloudFormation rejects"))
                            .label(account.span, "copied into the logical ID as it is")
                            .help("logical IDs may only have letters and digits; give the 12-digit account id instead of its ARN (slsx writes the framework's ID)"),
                    );
                }
                let mut perm = json!({
                    "Type": "AWS::Lambda::LayerVersionPermission",
                    "Properties": {
                        "Action": "lambda:GetLayerVersion",
                        "LayerVersionArn": {"Ref": c.logical_id},
                        "Principal": a,
                    }
                });
                if retain {
                    id.push_str(&c.hash);
                    perm["DeletionPolicy"] = json!("Retain");
                }
                new.push((id, perm));
            }
        }
        let res = t.resources_mut();
        for (id, r) in new {
            res.insert(id, r);
        }
        t.merge_output(
            &naming::lambda_layer_output_logical_id(key, "QualifiedArn"),
            json!({"Description": "Current Lambda layer version", "Value": {"Ref": c.logical_id}}),
        );
        t.merge_output(
            &naming::lambda_layer_output_logical_id(key, "Hash"),
            json!({"Description": "Current Lambda layer hash", "Value": c.hash}),
        );
        t.merge_output(
            &naming::lambda_layer_output_logical_id(key, "S3Key"),
            json!({"Description": "Current Lambda layer S3Key", "Value": c.s3_key}),
        );
    }
    check_refs(ctx, t, diags);
}

/// The `layers` a function's resource gets: its own, else the provider's.
fn function_layers<'a>(ctx: &Ctx<'a>, f: &'a Node) -> Option<&'a Node> {
    f.get("layers")
        .filter(|l| l.is_truthy())
        .or_else(|| ctx.provider_at(&["layers"]).filter(|l| l.is_truthy()))
}

/// A `{Ref: <NL>LambdaLayer}` to a resource that neither the layers nor `resources.Resources`
/// define: the framework writes it and CloudFormation rejects the template.
fn check_refs(ctx: &Ctx, t: &Template, diags: &mut Diags) {
    let mut seen = Vec::new();
    for (_, f) in ctx.functions() {
        let Some(list) = function_layers(ctx, f).and_then(Node::as_seq) else {
            continue;
        };
        for item in list {
            let Some(r) = item.get("Ref").and_then(Node::as_str) else {
                continue;
            };
            if t.has_resource(r)
                || ctx.config.at(&["resources", "Resources", r]).is_some()
                || seen.contains(&item.span)
            {
                continue;
            }
            seen.push(item.span);
            let retained = layers(ctx).into_iter().find(|(k, l, _)| {
                naming::lambda_layer_logical_id(k) == r && truthy(l, "retain").is_some()
            });
            let mut d = Diag::warning(
                &DANGLING_REF,
                format!("`Ref: {r}`: the template has no resource `{r}`"),
            )
            .label(
                item.span,
                "CloudFormation rejects a Ref to a resource it does not have",
            );
            d = match retained {
                Some((k, _, span)) => d
                    .secondary(span, format!("layer `{k}` has `retain: true`: its logical ID ends with its hash"))
                    .help("a retained layer's logical ID changes with every version; take the layer's ARN from another stack's output or drop `retain` to reference it with `Ref`"),
                None => d.help("reference a layer of `layers:` as `Ref: <Name>LambdaLayer` (the layer key with its first letter upper-cased, `-` as `Dash`, `_` as `Underscore`), or give the layer's ARN"),
            };
            diags.push(d);
        }
    }
}

/// What a function's version hash takes from the service layers it references (`{Ref: …}` to
/// a layer resource): their zips as (path, stand-in hash), ordered by the paths as the
/// framework orders them, and the `layerConfigurations` (`{name, ref, properties}`,
/// properties without `Content.S3Key`).
pub fn version_hash_inputs(
    ctx: &Ctx,
    t: &Template,
    layers_prop: Option<&Value>,
) -> (Vec<(String, String)>, Value) {
    let mut configs = Vec::new();
    let mut zips: Vec<(String, String)> = Vec::new();
    let compiled: Vec<(&str, Compiled)> = layers(ctx)
        .into_iter()
        .filter_map(|(k, l, _)| compile_one(ctx, k, l).map(|c| (k, c)))
        .collect();
    for item in layers_prop.and_then(Value::as_array).into_iter().flatten() {
        let Some(r) = item.get("Ref").and_then(Value::as_str) else {
            continue;
        };
        let Some(mut props) = t.resources().pointer(r, "/Properties") else {
            continue;
        };
        let Some((name, c)) = compiled.iter().find(|(_, c)| c.logical_id == r) else {
            continue;
        };
        if let Some(content) = props.get_mut("Content").and_then(Value::as_object_mut) {
            content.remove("S3Key");
        }
        configs.push(json!({"name": name, "ref": r, "properties": props}));
        zips.push((
            c.artifact_path.clone(),
            super::functions::base64_sha256(c.s3_key.as_bytes()),
        ));
    }
    zips.sort();
    (zips, Value::Array(configs))
}
