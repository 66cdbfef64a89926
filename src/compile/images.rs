//! Container-image functions (`image:`): the framework's `resolveImageUriAndSha` and the
//! `ImageConfig` of `compile/functions.js`.
//!
//! `image` is an ECR URI, the name of an image under `provider.ecr.images`, or
//! `{uri | name, command, entryPoint, workingDirectory}`. The function's `Code.ImageUri` is the
//! URI and its version's `CodeSha256` the digest after `@sha256:`. Only a URI pinned to a
//! digest (`<repo>@sha256:<digest>`, given directly or as the `uri` of a provider image)
//! resolves without AWS: for a tag the framework asks ECR for the digest, and for a provider
//! image with `path` it builds the image with docker and pushes it to a repository it creates.
//! slsx can do neither and reports a located error (`slsx::images::unresolved`) rather than
//! write an `ImageUri` nobody pushed — pin the digest to expand such a service.

use serde_json::{Map, Value};

use super::Ctx;
use crate::declare_codes;
use crate::diagnostics::{Diag, Diags};
use crate::source::Span;
use crate::yaml::{Node, js_to_string};

declare_codes! { CODES;
    HANDLER_AND_IMAGE = "slsx::images::handler-and-image", "A function with both `handler` and `image` (the framework refuses it).";
    INVALID = "slsx::images::invalid", "An `image` (or a `provider.ecr.images` entry) without exactly one of `uri` / `name` (`uri` / `path`), or naming an image `provider.ecr.images` does not define (the framework refuses it).";
    REGION = "slsx::images::region", "An ECR image URI in another region than the service's (the framework refuses it).";
    UNRESOLVED = "slsx::images::unresolved", "An image the framework resolves with AWS (a tag looked up in ECR, or an image it builds and pushes with docker): slsx cannot know its digest.";
}

/// A resolved image.
pub struct Image {
    /// `Code.ImageUri`
    pub uri: String,
    /// The version's `CodeSha256`: the digest without `sha256:`.
    pub sha: String,
    /// `ImageConfig` (object form with `command`, `entryPoint` or `workingDirectory`).
    pub config: Option<Value>,
}

/// The framework's `isEcrUri`:
/// `^\d+\.dkr\.ecr\.[a-z0-9-]+..amazonaws.com\/([^@]+)|([^@:]+@sha256:[a-f0-9]{64})$` (the
/// alternation splits the anchors: a registry prefix, or a digest at the end).
pub fn is_ecr_uri(s: &str) -> bool {
    registry_prefix(s) || digest_suffix(s)
}

fn registry_prefix(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 || !s[digits..].starts_with(".dkr.ecr.") {
        return false;
    }
    let start = digits + ".dkr.ecr.".len();
    let mut end = start;
    while end < b.len()
        && (b[end].is_ascii_lowercase() || b[end].is_ascii_digit() || b[end] == b'-')
    {
        end += 1;
        // `[a-z0-9-]+` then two characters of any kind, then `amazonaws.com/` (its dot any
        // character too) and one character that is not `@`
        let rest = &b[end..];
        if rest.len() > 2 + 14 && !rest[..2].contains(&b'\n') {
            let tail = &rest[2..];
            if tail.starts_with(b"amazonaws")
                && tail[9] != b'\n'
                && &tail[10..14] == b"com/"
                && tail[14] != b'@'
            {
                return true;
            }
        }
    }
    false
}

fn digest_suffix(s: &str) -> bool {
    let Some(at) = s.len().checked_sub(64 + "@sha256:".len()) else {
        return false;
    };
    if !s.is_char_boundary(at) {
        return false;
    }
    let (head, tail) = s.split_at(at);
    tail.starts_with("@sha256:")
        && tail[8..]
            .bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
        && head
            .chars()
            .next_back()
            .is_some_and(|c| c != '@' && c != ':')
}

/// `resolveImageUriAndShaFromUri` for a URI with a digest: the URI as given and the part after
/// the first `@` without its first seven characters (`sha256:`).
fn pinned(uri: &str) -> Option<(String, String)> {
    let digest = uri.split('@').nth(1)?;
    if digest.is_empty() {
        return None;
    }
    Some((uri.to_string(), digest.chars().skip(7).collect()))
}

fn invalid(message: String, span: Span, label: &str, help: &str) -> Diag {
    Diag::error(&INVALID, message)
        .label(span, label)
        .help(help.to_string())
}

/// Resolves a URI the framework would resolve (`None` after an error).
fn from_uri(ctx: &Ctx, uri: &Node, diags: &mut Diags) -> Option<(String, String)> {
    let text = js_to_string(uri);
    if let Some(p) = pinned(&text) {
        return Some(p);
    }
    let region = text.split('.').nth(3).unwrap_or_default();
    if region != ctx.region {
        diags.push(
            Diag::error(
                &REGION,
                format!("the ECR image `{text}` is in region `{region}`, the service in `{}`", ctx.region),
            )
            .label(uri.span, format!("a repository in `{region}`"))
            .help("Lambda runs images from the function's own region; use the repository of the service's region (the framework refuses this too: LAMBDA_ECR_REGION_MISMATCH_ERROR)"),
        );
        return None;
    }
    diags.push(
        Diag::error(&UNRESOLVED, format!("slsx cannot resolve the image `{text}` to a digest"))
            .label(uri.span, "a tag: the framework asks ECR for its digest")
            .help("pin the image: `<repository uri>@sha256:<digest>` (e.g. from `aws ecr describe-images`); the template then names exactly the image that runs"),
    );
    None
}

/// `resolveImageUriAndSha` and `ImageConfig` for the function's truthy `image` (`None` after
/// an error).
pub fn resolve(ctx: &Ctx, key: &str, image: &Node, diags: &mut Diags) -> Option<Image> {
    let mut config = None;
    let (uri, name) = if image.as_map().is_some() {
        let uri = image.get("uri").filter(|u| u.is_truthy());
        let name = image.get("name").filter(|n| n.is_truthy());
        match (uri, name) {
            (None, None) => {
                diags.push(invalid(
                    format!("the image of function `{key}` has neither `uri` nor `name`"),
                    image.span,
                    "needs `uri` or `name`",
                    "give the image's ECR URI (`uri: <repository uri>@sha256:<digest>`) or the `name` of an image under `provider.ecr.images` (the framework refuses this too)",
                ));
                return None;
            }
            (Some(u), Some(n)) => {
                diags.push(
                    invalid(
                        format!("the image of function `{key}` has both `uri` and `name`"),
                        u.span,
                        "`uri` here",
                        "keep one: `uri` for an image in ECR, `name` for one of `provider.ecr.images` (the framework refuses both)",
                    )
                    .secondary(n.span, "`name` here"),
                );
                return None;
            }
            pair => {
                let mut c = Map::new();
                for (from, to) in [
                    ("command", "Command"),
                    ("entryPoint", "EntryPoint"),
                    ("workingDirectory", "WorkingDirectory"),
                ] {
                    if let Some(v) = image.get(from).filter(|v| v.is_truthy()) {
                        c.insert(to.into(), v.to_json());
                    }
                }
                if !c.is_empty() {
                    config = Some(Value::Object(c));
                }
                pair
            }
        }
    } else if is_ecr_uri(&js_to_string(image)) {
        (Some(image), None)
    } else {
        (None, Some(image))
    };

    let (uri, sha) = match (uri, name) {
        (Some(u), _) => from_uri(ctx, u, diags)?,
        (None, Some(n)) => from_provider(ctx, key, n, diags)?,
        (None, None) => return None,
    };
    Some(Image { uri, sha, config })
}

/// An image of `provider.ecr.images`.
fn from_provider(ctx: &Ctx, key: &str, name: &Node, diags: &mut Diags) -> Option<(String, String)> {
    let image_name = js_to_string(name);
    let Some(def) = ctx
        .provider_at(&["ecr", "images"])
        .and_then(|i| i.get(&image_name))
        .filter(|d| d.is_truthy())
    else {
        let mut d = invalid(
            format!(
                "function `{key}` names the image `{image_name}`, which `provider.ecr.images` does not define"
            ),
            name.span,
            "no such image under `provider.ecr.images`",
            "define the image under `provider.ecr.images` (`<name>: {uri: …}` or `{path: …}`), or give its ECR URI (the framework refuses this too: REFERENCED_FUNCTION_IMAGE_NOT_DEFINED_IN_PROVIDER)",
        );
        if let Some(images) = ctx.provider_at(&["ecr", "images"]).and_then(Node::as_map) {
            let names: Vec<&str> = images.keys().map(|k| k.as_str()).collect();
            if let Some(s) = super::resources::closest(&image_name, names.iter().copied()) {
                d = d.help(format!(
                    "did you mean `{s}`? (`provider.ecr.images` defines it)"
                ));
            }
        }
        diags.push(d);
        return None;
    };
    let unresolved = |span: Span, label: &str, diags: &mut Diags| {
        diags.push(
            Diag::error(&UNRESOLVED, format!("slsx cannot build the image `{image_name}`"))
                .label(span, label.to_string())
                .secondary(name.span, format!("function `{key}` uses it"))
                .help("`sls package` builds this image with docker, pushes it to an ECR repository it creates and writes the pushed digest into the template; slsx runs no docker. Build and push the image yourself and give `uri: <repository uri>@sha256:<digest>` under `provider.ecr.images`"),
        );
    };
    if def.as_map().is_some() {
        let uri = def.get("uri").filter(|u| u.is_truthy());
        let path = def.get("path").filter(|p| p.is_truthy());
        return match (uri, path) {
            (None, None) => {
                diags.push(invalid(
                    format!("the image `{image_name}` of `provider.ecr.images` has neither `uri` nor `path`"),
                    def.span,
                    "needs `uri` or `path`",
                    "give the image's ECR URI (`uri: …@sha256:<digest>`) or the `path` of its Dockerfile's directory (the framework refuses this too)",
                ));
                None
            }
            (Some(u), Some(p)) => {
                diags.push(
                    invalid(
                        format!("the image `{image_name}` of `provider.ecr.images` has both `uri` and `path`"),
                        u.span,
                        "`uri` here",
                        "keep one: `uri` for an image already in ECR, `path` for one the framework builds (it refuses both)",
                    )
                    .secondary(p.span, "`path` here"),
                );
                None
            }
            (Some(u), None) => from_uri(ctx, u, diags),
            (None, Some(p)) => {
                unresolved(p.span, "built from this directory with docker", diags);
                None
            }
        };
    }
    if is_ecr_uri(&js_to_string(def)) {
        return from_uri(ctx, def, diags);
    }
    unresolved(
        def.span,
        "a directory the framework builds with docker",
        diags,
    );
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecr_uri_pattern() {
        let d = "a".repeat(64);
        assert!(is_ecr_uri(
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:latest"
        ));
        assert!(is_ecr_uri(&format!(
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:{d}"
        )));
        assert!(is_ecr_uri(&format!("public.ecr.aws/x/app@sha256:{d}")));
        assert!(!is_ecr_uri("123456789012.dkr.ecr.us-east-1.amazonaws.com/"));
        assert!(!is_ecr_uri("my-image"));
        assert!(!is_ecr_uri(&format!("@sha256:{d}")));
        assert!(!is_ecr_uri(&format!("x:@sha256:{d}")));
        assert!(!is_ecr_uri("x@sha256:abc"));
    }

    #[test]
    fn pinned_digest() {
        assert_eq!(
            pinned("repo@sha256:abc"),
            Some(("repo@sha256:abc".into(), "abc".into()))
        );
        assert_eq!(pinned("repo:tag"), None);
    }
}
