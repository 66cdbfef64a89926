//! The alias a function's events target: `provisionedConcurrency` and `snapStart` make the
//! framework publish a version, create `<NF>ProvConcLambdaAlias` (named `provisioned`) or
//! `<NF>SnapStartLambdaAlias` (`snapstart`) on it, and set `functionObject.targetAlias`, which
//! every event compiler then reads: the function's invoke target becomes
//! `{"Fn::Join": [":", [{"Fn::GetAtt": ["<NF>LambdaFunction", "Arn"]}, "<alias>"]]}`
//! (`resolveLambdaTarget`) and the event's resources wait for the alias (`DependsOn`, in each
//! compiler's own way).
//!
//! The framework sets the alias while compiling the function, before any event; slsx derives
//! it from the configuration whenever an event asks.

use serde_json::{Value, json};

use super::{Ctx, naming};
use crate::yaml::Node;

/// `functionObject.targetAlias`.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetAlias {
    /// The alias's `Name`.
    pub name: &'static str,
    /// The `AWS::Lambda::Alias` resource.
    pub logical_id: String,
}

/// Whether the function has a (truthy) `provisionedConcurrency`.
pub fn has_provisioned_concurrency(f: &Node) -> bool {
    f.get("provisionedConcurrency").is_some_and(Node::is_truthy)
}

/// Whether the function has a (truthy) `snapStart`.
pub fn has_snap_start(f: &Node) -> bool {
    f.get("snapStart").is_some_and(Node::is_truthy)
}

/// The alias of a function (SnapStart's when both are set; the framework refuses that).
pub fn target_alias_of(fkey: &str, f: &Node) -> Option<TargetAlias> {
    if has_snap_start(f) {
        return Some(TargetAlias {
            name: naming::SNAP_START_ALIAS,
            logical_id: naming::lambda_snap_start_alias_logical_id(fkey),
        });
    }
    if has_provisioned_concurrency(f) {
        return Some(TargetAlias {
            name: naming::PROVISIONED_CONCURRENCY_ALIAS,
            logical_id: naming::lambda_provisioned_concurrency_alias_logical_id(fkey),
        });
    }
    None
}

/// The alias of the service's function `fkey`, if it has one.
pub fn target_alias(ctx: &Ctx, fkey: &str) -> Option<TargetAlias> {
    ctx.function(fkey).and_then(|f| target_alias_of(fkey, f))
}

/// The alias's logical ID, for a `DependsOn`.
pub fn alias_logical_id(ctx: &Ctx, fkey: &str) -> Option<String> {
    target_alias(ctx, fkey).map(|a| a.logical_id)
}

/// `resolveLambdaTarget`: the function's ARN, qualified with its alias when it has one.
pub fn lambda_target(ctx: &Ctx, fkey: &str) -> Value {
    let arn = json!({"Fn::GetAtt": [naming::lambda_logical_id(fkey), "Arn"]});
    match target_alias(ctx, fkey) {
        Some(a) => json!({"Fn::Join": [":", [arn, a.name]]}),
        None => arn,
    }
}

/// Puts `DependsOn: "<alias>"` (a string, as `_.get(functionObj.targetAlias, 'logicalId')`
/// gives it) on a resource when the function has an alias; the key goes right after `Type`,
/// where the framework's templates write it.
pub fn depend_on_alias(ctx: &Ctx, fkey: &str, resource: &mut Value) {
    if let Some(id) = alias_logical_id(ctx, fkey) {
        insert_depends_on(resource, json!(id));
    }
}

/// Puts `DependsOn: "<alias>"` on a resource when the function has an alias, as the last key:
/// where the framework writes it in the templates of `compile/functions.js` (the function
/// URL, its permission, the event invoke config), after `Properties`.
pub fn depend_on_alias_last(ctx: &Ctx, fkey: &str, resource: &mut Value) {
    if let (Some(id), Some(obj)) = (alias_logical_id(ctx, fkey), resource.as_object_mut()) {
        obj.shift_remove("DependsOn");
        obj.insert("DependsOn".into(), json!(id));
    }
}

/// Sets `DependsOn` right after `Type` (or first when there is no `Type`).
pub fn insert_depends_on(resource: &mut Value, value: Value) {
    let Some(obj) = resource.as_object_mut() else {
        return;
    };
    let old = std::mem::take(obj);
    let mut placed = false;
    for (k, v) in old {
        if k == "DependsOn" {
            continue;
        }
        let is_type = k == "Type";
        if !placed && !is_type {
            obj.insert("DependsOn".into(), value.clone());
            placed = true;
        }
        obj.insert(k, v);
    }
    if !placed {
        obj.insert("DependsOn".into(), value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depends_on_after_type() {
        let mut r = json!({"Type": "T", "Properties": {}});
        insert_depends_on(&mut r, json!("A"));
        assert_eq!(
            r.as_object().unwrap().keys().collect::<Vec<_>>(),
            ["Type", "DependsOn", "Properties"]
        );
        let mut r = json!({"Type": "T"});
        insert_depends_on(&mut r, json!("A"));
        assert_eq!(r, json!({"Type": "T", "DependsOn": "A"}));
    }
}
