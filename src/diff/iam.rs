//! IAM changes that widen permissions: a statement that allows an action on a resource (for a
//! principal) no earlier statement allowed, a new managed policy, a policy attached to one
//! more role, a `Deny` that went away.
//!
//! Read from `AWS::IAM::Role`/`User`/`Group` (`Policies`, `ManagedPolicyArns`, and a role's
//! trust policy), every `AWS::*::*Policy` resource with a `PolicyDocument` (identity and
//! resource policies), and `AWS::Lambda::Permission`. Coverage is decided with IAM's
//! wildcards (`s3:*` covers `s3:PutObject`; `arn:aws:s3:::b/*` covers `arn:aws:s3:::b/k`);
//! actions compare case-insensitively. Conditions are not weighed.

use serde_json::Value;

use super::readable;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    /// A statement's (principal, action, resource).
    Statement,
    /// A managed policy ARN on a role, user or group.
    ManagedPolicy,
    /// A policy resource attached to a role, user or group.
    Attachment,
}

/// One permission a policy grants or denies.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Grant {
    kind: Kind,
    deny: bool,
    principal: String,
    action: String,
    resource: String,
    /// `NotAction` / `NotResource`: compared exactly, never as a pattern.
    negated: bool,
}

/// Whether a resource type carries permissions this module reads.
pub fn is_permission_type(ty: &str) -> bool {
    matches!(
        ty,
        "AWS::IAM::Role" | "AWS::IAM::User" | "AWS::IAM::Group" | "AWS::Lambda::Permission"
    ) || (ty.starts_with("AWS::") && ty.ends_with("Policy"))
}

/// The widening lines for a resource of type `ty` going from `old` (absent: a new resource)
/// to `new`, e.g. `+s3:PutObject on arn:aws:s3:::bucket/*`.
pub fn widening(ty: &str, old: Option<&Value>, new: &Value) -> Vec<String> {
    if !is_permission_type(ty) {
        return Vec::new();
    }
    let old_grants = old.map(|o| grants(ty, o)).unwrap_or_default();
    let new_grants = grants(ty, new);
    let mut wider: Vec<&Grant> = Vec::new();
    for g in new_grants.iter().filter(|g| !g.deny) {
        let covered = old_grants.iter().any(|o| !o.deny && covers(o, g));
        if !covered && !wider.contains(&g) {
            wider.push(g);
        }
    }
    let mut lines = group(&wider, "+");
    let mut lifted: Vec<&Grant> = Vec::new();
    for g in old_grants.iter().filter(|g| g.deny) {
        if !new_grants.contains(g) && !lifted.contains(&g) {
            lifted.push(g);
        }
    }
    lines.extend(
        group(&lifted, "-Deny ")
            .into_iter()
            .map(|l| format!("{l} (Deny removed)")),
    );
    lines
}

/// Lines for grants, one per (kind, principal, action), resources joined.
fn group(gs: &[&Grant], prefix: &str) -> Vec<String> {
    let mut keys: Vec<(&Kind, &str, &str)> = Vec::new();
    for g in gs {
        let k = (&g.kind, g.principal.as_str(), g.action.as_str());
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    keys.into_iter()
        .map(|(kind, principal, action)| {
            let resources: Vec<&str> = gs
                .iter()
                .filter(|g| &g.kind == kind && g.principal == principal && g.action == action)
                .map(|g| g.resource.as_str())
                .filter(|r| !r.is_empty())
                .collect();
            match kind {
                Kind::ManagedPolicy => format!("{prefix}managed policy {}", resources.join(", ")),
                Kind::Attachment => {
                    format!("{prefix}attached to {action} {}", resources.join(", "))
                }
                Kind::Statement => {
                    let mut s = format!("{prefix}{action}");
                    if !resources.is_empty() {
                        s.push_str(" on ");
                        s.push_str(&resources.join(", "));
                    }
                    if !principal.is_empty() {
                        s.push_str(" for ");
                        s.push_str(principal);
                    }
                    s
                }
            }
        })
        .collect()
}

fn covers(old: &Grant, new: &Grant) -> bool {
    if old.kind != new.kind || old.principal != new.principal {
        return false;
    }
    if old.negated || new.negated {
        return old == new;
    }
    match new.kind {
        Kind::Statement => {
            glob(&old.action.to_lowercase(), &new.action.to_lowercase())
                && glob(&old.resource, &new.resource)
        }
        _ => old.action == new.action && old.resource == new.resource,
    }
}

/// IAM wildcard match: `*` any run of characters, `?` one character.
fn glob(pattern: &str, s: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = s.chars().collect();
    let (mut i, mut j) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while j < t.len() {
        if i < p.len() && (p[i] == '?' || p[i] == t[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some(i);
            mark = j;
            i += 1;
        } else if let Some(s) = star {
            i = s + 1;
            mark += 1;
            j = mark;
        } else {
            return false;
        }
    }
    while i < p.len() && p[i] == '*' {
        i += 1;
    }
    i == p.len()
}

fn list(v: Option<&Value>) -> Vec<&Value> {
    match v {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.iter().collect(),
        Some(x) => vec![x],
    }
}

fn grants(ty: &str, body: &Value) -> Vec<Grant> {
    let props = body.get("Properties").unwrap_or(&Value::Null);
    let mut out = Vec::new();
    match ty {
        "AWS::IAM::Role" | "AWS::IAM::User" | "AWS::IAM::Group" => {
            if let Some(doc) = props.get("AssumeRolePolicyDocument") {
                statements(doc, &mut out);
            }
            for p in list(props.get("Policies")) {
                if let Some(doc) = p.get("PolicyDocument") {
                    statements(doc, &mut out);
                }
            }
            for arn in list(props.get("ManagedPolicyArns")) {
                out.push(Grant {
                    kind: Kind::ManagedPolicy,
                    deny: false,
                    principal: String::new(),
                    action: String::new(),
                    resource: readable::text(arn),
                    negated: false,
                });
            }
        }
        "AWS::Lambda::Permission" => {
            out.push(Grant {
                kind: Kind::Statement,
                deny: false,
                principal: props
                    .get("Principal")
                    .map(readable::text)
                    .unwrap_or_default(),
                action: props.get("Action").map(readable::text).unwrap_or_default(),
                resource: props
                    .get("FunctionName")
                    .map(readable::text)
                    .unwrap_or_default(),
                negated: false,
            });
        }
        _ => {
            if let Some(doc) = props.get("PolicyDocument") {
                statements(doc, &mut out);
            }
            for (key, what) in [("Roles", "role"), ("Users", "user"), ("Groups", "group")] {
                for x in list(props.get(key)) {
                    out.push(Grant {
                        kind: Kind::Attachment,
                        deny: false,
                        principal: String::new(),
                        action: what.to_string(),
                        resource: readable::text(x),
                        negated: false,
                    });
                }
            }
        }
    }
    out
}

fn statements(doc: &Value, out: &mut Vec<Grant>) {
    for st in list(doc.get("Statement")) {
        let deny = st.get("Effect").and_then(Value::as_str) == Some("Deny");
        let principals = principals(st);
        let (actions, neg_a) = listed(st, "Action", "NotAction", "actions");
        let (resources, neg_r) = listed(st, "Resource", "NotResource", "resources");
        for p in &principals {
            for a in &actions {
                for r in &resources {
                    out.push(Grant {
                        kind: Kind::Statement,
                        deny,
                        principal: p.clone(),
                        action: a.clone(),
                        resource: r.clone(),
                        negated: neg_a || neg_r,
                    });
                }
            }
        }
    }
}

/// A statement's actions or resources (`key`), or `all <what> except …` for its `not_key`
/// (then `true`); `[""]` when it has neither.
fn listed(st: &Value, key: &str, not_key: &str, what: &str) -> (Vec<String>, bool) {
    match (st.get(key), st.get(not_key)) {
        (Some(a), _) => (
            list(Some(a)).into_iter().map(readable::text).collect(),
            false,
        ),
        (None, Some(n)) => (
            vec![format!(
                "all {what} except {}",
                list(Some(n))
                    .into_iter()
                    .map(readable::text)
                    .collect::<Vec<_>>()
                    .join(", ")
            )],
            true,
        ),
        (None, None) => (vec![String::new()], false),
    }
}

/// `Service events.amazonaws.com`, `AWS arn:…`, `*`; `[""]` for identity policies.
fn principals(st: &Value) -> Vec<String> {
    let (p, not) = match (st.get("Principal"), st.get("NotPrincipal")) {
        (Some(p), _) => (p, ""),
        (None, Some(n)) => (n, "everyone except "),
        (None, None) => return vec![String::new()],
    };
    match p {
        Value::Object(o) if readable::intrinsic(p).is_none() => {
            let mut out = Vec::new();
            for (k, v) in o {
                for x in list(Some(v)) {
                    out.push(format!("{not}{k} {}", readable::text(x)));
                }
            }
            out
        }
        other => vec![format!("{not}{}", readable::text(other))],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn role(statements: Value) -> Value {
        json!({"Type": "AWS::IAM::Role", "Properties": {
            "Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": statements}}]
        }})
    }

    #[test]
    fn glob_matches_iam_wildcards() {
        assert!(glob("s3:*", "s3:putobject"));
        assert!(glob("*", ""));
        assert!(glob("arn:aws:s3:::b/*", "arn:aws:s3:::b/k/x"));
        assert!(glob("s3:Get?bject", "s3:GetObject"));
        assert!(!glob("s3:Get*", "s3:PutObject"));
        assert!(!glob("arn:aws:s3:::b", "arn:aws:s3:::b/k"));
    }

    #[test]
    fn new_action_is_widening() {
        let old = role(
            json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]),
        );
        let new = role(
            json!([{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::b/*"}]),
        );
        assert_eq!(
            widening("AWS::IAM::Role", Some(&old), &new),
            ["+s3:PutObject on arn:aws:s3:::b/*"]
        );
        // narrowing is not widening
        assert!(widening("AWS::IAM::Role", Some(&new), &old).is_empty());
    }

    #[test]
    fn wildcards_cover() {
        let old = role(json!([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]));
        let new = role(
            json!([{"Effect": "Allow", "Action": "S3:PutObject", "Resource": {"Fn::Sub": "${B.Arn}/*"}}]),
        );
        assert!(widening("AWS::IAM::Role", Some(&old), &new).is_empty());
    }

    #[test]
    fn intrinsic_resources_and_managed_policies() {
        let old = json!({"Type": "AWS::IAM::Role", "Properties": {}});
        let new = json!({"Type": "AWS::IAM::Role", "Properties": {
            "ManagedPolicyArns": ["arn:aws:iam::aws:policy/AdministratorAccess"],
            "Policies": [{"PolicyDocument": {"Statement": [
                {"Effect": "Allow", "Action": ["lambda:InvokeFunction"], "Resource": [
                    {"Fn::GetAtt": ["F", "Arn"]},
                    {"Fn::Sub": ["${functionArn}:*", {"functionArn": {"Fn::GetAtt": ["F", "Arn"]}}]}
                ]}
            ]}}]
        }});
        assert_eq!(
            widening("AWS::IAM::Role", Some(&old), &new),
            [
                "+lambda:InvokeFunction on ${GetAtt F.Arn}, ${GetAtt F.Arn}:*",
                "+managed policy arn:aws:iam::aws:policy/AdministratorAccess",
            ]
        );
    }

    #[test]
    fn resource_policy_principals_and_removed_deny() {
        let old = json!({"Type": "AWS::S3::BucketPolicy", "Properties": {"PolicyDocument": {"Statement": [
            {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}
        ]}}});
        let new = json!({"Type": "AWS::S3::BucketPolicy", "Properties": {"PolicyDocument": {"Statement": [
            {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*"}
        ]}}});
        assert_eq!(
            widening("AWS::S3::BucketPolicy", Some(&old), &new),
            [
                "+s3:PutObject on arn:aws:s3:::b/* for Service cloudtrail.amazonaws.com",
                "-Deny s3:* on arn:aws:s3:::b/* for * (Deny removed)",
            ]
        );
    }

    #[test]
    fn other_types_are_ignored() {
        let t = json!({"Type": "AWS::SNS::Topic"});
        assert!(widening("AWS::SNS::Topic", None, &t).is_empty());
    }
}
