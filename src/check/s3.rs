//! S3 bucket names CloudFormation (S3) will reject: the general-purpose bucket naming rules.

use crate::diagnostics::{Diag, Diags};
use crate::source::Span;
use crate::yaml::{Mapping, Node};

use super::S3_BUCKET_NAME;

/// `key: value` as one span when the value follows its key on the same line, else the key.
fn entry_span(m: &Mapping, key: &str) -> Span {
    let Some(e) = m.entry(key) else {
        return Span::NONE;
    };
    let (k, v) = (e.key_span, e.value.span);
    if v.file == k.file && v.start >= k.end && v.start - k.end <= 4 {
        k.to(v)
    } else {
        k
    }
}

/// The literal text of a bucket name and whether it is the whole name (`false` when parts
/// are filled in at deploy time: `Fn::Sub` placeholders, `Fn::Join` with intrinsics, or a
/// `${…}` left unresolved).
fn literal(v: &Node) -> Option<(String, bool)> {
    if let Some(s) = v.as_str() {
        return Some(strip_placeholders(s));
    }
    let m = v.as_map().filter(|m| m.len() == 1)?;
    if let Some(sub) = m.get("Fn::Sub") {
        let tmpl = match sub.as_seq() {
            Some([t, _]) => t.as_str()?,
            _ => sub.as_str()?,
        };
        let (s, _) = strip_placeholders(tmpl);
        return Some((s, false));
    }
    if let Some(join) = m.get("Fn::Join") {
        let [sep, parts] = join.as_seq()? else {
            return None;
        };
        let (sep, parts) = (sep.as_str()?, parts.as_seq()?);
        let whole = parts.iter().all(|p| p.as_str().is_some());
        let text: Vec<&str> = parts.iter().filter_map(Node::as_str).collect();
        return Some((text.join(sep), whole));
    }
    None
}

/// Removes `${…}` placeholders; the result is complete when there were none.
fn strip_placeholders(s: &str) -> (String, bool) {
    let mut out = String::new();
    let mut rest = s;
    let mut whole = true;
    while let Some(p) = rest.find("${") {
        out.push_str(&rest[..p]);
        match rest[p..].find('}') {
            Some(e) => {
                rest = &rest[p + e + 1..];
                whole = false;
            }
            None => {
                out.push_str(&rest[p..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    (out, whole)
}

/// `s` with the text outside `${…}` placeholders lowercased.
fn lower_literals(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(p) = rest.find("${") {
        out.push_str(&rest[..p].to_ascii_lowercase());
        let end = rest[p..].find('}').map(|e| p + e + 1).unwrap_or(rest.len());
        out.push_str(&rest[p..end]);
        rest = &rest[end..];
    }
    out.push_str(&rest.to_ascii_lowercase());
    out
}

/// What is wrong with a bucket name; `whole` enables the checks that need the full name.
pub fn problems(name: &str, whole: bool) -> Vec<String> {
    let mut out = Vec::new();
    let upper: String = name.chars().filter(|c| c.is_ascii_uppercase()).collect();
    if !upper.is_empty() {
        out.push(format!("it has uppercase letters ({upper})"));
    }
    let mut bad: Vec<char> = name
        .chars()
        .filter(|c| {
            !(c.is_ascii_lowercase()
                || c.is_ascii_uppercase()
                || c.is_ascii_digit()
                || *c == '.'
                || *c == '-')
        })
        .collect();
    bad.dedup();
    if !bad.is_empty() {
        let shown: Vec<String> = bad.iter().map(|c| format!("`{c}`")).collect();
        out.push(format!(
            "it has characters other than lowercase letters, digits, `.` and `-`: {}",
            shown.join(" ")
        ));
    }
    if name.contains("..") {
        out.push("it has two adjacent periods".into());
    }
    if !whole {
        return out;
    }
    let n = name.chars().count();
    if !(3..=63).contains(&n) {
        out.push(format!("it is {n} characters long; the limit is 3 to 63"));
    }
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    if n > 0 && (!alnum(name.chars().next()) || !alnum(name.chars().last())) {
        out.push("it must begin and end with a letter or digit".into());
    }
    let parts: Vec<&str> = name.split('.').collect();
    if parts.len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()))
    {
        out.push("it is formatted as an IP address".into());
    }
    for prefix in ["xn--", "sthree-", "amzn-s3-demo-"] {
        if name.starts_with(prefix) {
            out.push(format!("it starts with the reserved prefix `{prefix}`"));
        }
    }
    for suffix in ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"] {
        if name.ends_with(suffix) {
            out.push(format!("it ends with the reserved suffix `{suffix}`"));
        }
    }
    out
}

/// Lints the `BucketName` of every `AWS::S3::Bucket` in `resources.Resources`.
pub fn lint_bucket_names(config: &Node, diags: &mut Diags) {
    let Some(resources) = config
        .get("resources")
        .and_then(|r| r.get("Resources"))
        .and_then(Node::as_map)
    else {
        return;
    };
    for (id, e) in resources.iter() {
        if e.value.get("Type").and_then(Node::as_str) != Some("AWS::S3::Bucket") {
            continue;
        }
        let Some(props) = e.value.get("Properties").and_then(Node::as_map) else {
            continue;
        };
        let Some(value) = props.get("BucketName") else {
            continue;
        };
        let Some((name, whole)) = literal(value) else {
            continue;
        };
        let found = problems(&name, whole);
        if found.is_empty() {
            continue;
        }
        let span = entry_span(props, "BucketName");
        let shown = if whole {
            format!("`{name}`")
        } else {
            "this bucket name".to_string()
        };
        let mut d = Diag::error(
            &S3_BUCKET_NAME,
            format!("S3 rejects {shown} (resource `{id}`): {}", found.join("; ")),
        )
        .label(span, "the bucket name");
        if !span.is_none()
            && value.span.file == span.file
            && !(value.span.start >= span.start && value.span.end <= span.end)
        {
            d = d.secondary(value.span, "its value comes from here");
        }
        let fixed: String = name.to_ascii_lowercase();
        let template = value.as_str().or_else(|| {
            value.get("Fn::Sub").and_then(|s| {
                s.as_str()
                    .or_else(|| s.as_seq().and_then(|a| a.first()).and_then(Node::as_str))
            })
        });
        let help = if problems(&fixed, whole).is_empty()
            && let Some(t) = template
        {
            format!("bucket names are lowercase: write `{}`", lower_literals(t))
        } else {
            "bucket names are 3 to 63 lowercase letters, digits, `.` and `-`, beginning and ending with a letter or digit".to_string()
        };
        diags.push(d.help(help));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        assert!(problems("my-bucket.logs", true).is_empty());
        assert_eq!(
            problems("s3-trigger-dev-Targets", true),
            ["it has uppercase letters (T)"]
        );
        assert_eq!(
            problems("ab", true),
            ["it is 2 characters long; the limit is 3 to 63"]
        );
        assert_eq!(
            problems("192.168.5.4", true),
            ["it is formatted as an IP address"]
        );
        assert_eq!(
            problems("-a_b..", true),
            [
                "it has characters other than lowercase letters, digits, `.` and `-`: `_`",
                "it has two adjacent periods",
                "it must begin and end with a letter or digit"
            ]
        );
        assert_eq!(
            problems("xn--abc", true),
            ["it starts with the reserved prefix `xn--`"]
        );
        assert_eq!(
            problems("abc--ol-s3", true),
            ["it ends with the reserved suffix `--ol-s3`"]
        );
        // a partial name: only the character rules
        assert!(problems("-x", false).is_empty());
    }

    #[test]
    fn placeholders_are_left_out() {
        assert_eq!(
            strip_placeholders("${self:service}-${sls:stage}-Targets"),
            ("--Targets".to_string(), false)
        );
        assert_eq!(strip_placeholders("abc"), ("abc".to_string(), true));
        assert_eq!(
            lower_literals("${self:service}-${Opt:X}-Targets"),
            "${self:service}-${Opt:X}-targets"
        );
    }
}
