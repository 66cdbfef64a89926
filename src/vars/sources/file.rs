//! `${file(./x.yml):a.b}`: YAML (with the CloudFormation tags) for `.yml`/`.yaml`, JSON for
//! `.json`/`.tfstate`, raw text for anything else; `.js`/`.cjs` need Node. The path is relative
//! to the service directory; a missing file is `null` (so a fallback applies). Included files
//! join the source map, so every later diagnostic about their values points into them.

use std::path::{Component, Path, PathBuf};
use std::rc::Rc;

use super::{Req, address_string, non_string};
use crate::diagnostics::Diag;
use crate::source::Span;
use crate::vars::resolve::{
    Fail, RawErr, Resolver, SrcOut, child_ref, coerce_string, did_you_mean, js_index,
};
use crate::yaml::{self, Kind, LoadOptions, Node};

/// A file as read once per run.
#[derive(Clone, Debug)]
pub enum Content {
    Missing,
    /// A YAML file with nothing but white space (js-yaml gives `undefined`; a comment-only file
    /// is `null`).
    Undefined,
    /// Shared by every variable that reads the file; copied only where it is placed.
    Value(Rc<Node>),
    Error(Box<RawErr>),
}

pub fn resolve(r: &mut Resolver, req: &Req) -> Result<SrcOut, Fail> {
    let Some(p0) = req.param0() else {
        return Err(RawErr::new(
            &crate::vars::FILE,
            "Missing path argument in variable \"file\" source",
            "no file path",
        )
        .help("name the file: `${file(./config.yml):key}`")
        .into());
    };
    let Some(rel_path) = coerce_string(p0) else {
        return Err(non_string(
            &crate::vars::FILE,
            "Non-string path argument in variable \"file\" source",
            p0,
        ));
    };
    let address = address_string(
        req,
        &crate::vars::FILE,
        "Non-string address argument for variable \"file\" source",
    )?;
    let abs = absolute(r.input.service_dir, &rel_path);
    let shown = shown_path(r.input.service_dir, &abs);
    let content = match load(r, &abs, &shown) {
        Content::Missing => None,
        Content::Undefined => {
            if address.as_deref().is_some_and(|a| !a.is_empty()) {
                return Ok(SrcOut {
                    help: Some(format!("`{rel_path}` is empty")),
                    ..SrcOut::none()
                });
            }
            return Err(RawErr::new(
                &crate::vars::FILE,
                "Source \"file\" returned not supported result: \"undefined\"",
                format!("`{rel_path}` is an empty YAML document"),
            )
            .help("the framework cannot use an empty YAML file as a value (a fallback does not help); give it content, e.g. `{}`")
            .into());
        }
        Content::Value(v) => Some(v),
        Content::Error(e) => return Err(Fail::Raw(e)),
    };
    let Some(address) = address.filter(|a| !a.is_empty()) else {
        return Ok(match content {
            Some(v) if !v.is_null() => SrcOut::shared(v),
            _ => SrcOut {
                help: Some(missing_help(&rel_path, &abs)),
                ..SrcOut::none()
            },
        });
    };
    let Some(root) = content else {
        return Ok(SrcOut {
            help: Some(missing_help(&rel_path, &abs)),
            ..SrcOut::none()
        });
    };
    let keys: Vec<&str> = address.split('.').collect();
    // walk the shared tree by reference; only a string met on the way (resolved, then indexed)
    // makes a value of its own
    let mut cur = Cur::In(&root);
    for (i, key) in keys.iter().enumerate() {
        if matches!(cur.get().kind, Kind::String(_)) {
            cur = Cur::Own(r.resolve_in_string(req.batch, &req.path, cur.get())?);
        }
        let next = match &cur {
            Cur::In(n) => child_ref(n, key)
                .map(Cur::In)
                .or_else(|| js_index(n, key).map(Cur::Own)),
            Cur::Own(n) => js_index(n, key).map(Cur::Own),
        };
        match next {
            Some(n) if !n.get().is_null() => cur = n,
            _ => {
                let mut help = format!("`{rel_path}` has no value at `{}`", keys[..=i].join("."));
                if let Kind::Map(m) = &cur.get().kind
                    && let Some(s) = did_you_mean(key, m.keys().map(|k| k.as_str()))
                {
                    let mut alt: Vec<&str> = keys[..i].to_vec();
                    alt.push(s);
                    help.push_str(&format!(" (did you mean `{}`?)", alt.join(".")));
                }
                return Ok(SrcOut {
                    help: Some(help),
                    ..SrcOut::none()
                });
            }
        }
    }
    let value = match cur {
        Cur::In(n) => {
            r.charge(&req.path, req.span, Some(n), 0)
                .map_err(Fail::Done)?;
            n.clone()
        }
        Cur::Own(n) => n,
    };
    Ok(SrcOut::value(value))
}

/// Where an address walk stands: inside the file's shared tree, or on a value of its own.
enum Cur<'a> {
    In(&'a Node),
    Own(Node),
}

impl Cur<'_> {
    fn get(&self) -> &Node {
        match self {
            Cur::In(n) => n,
            Cur::Own(n) => n,
        }
    }
}

fn missing_help(rel: &str, abs: &Path) -> String {
    // shown relative to the working directory, like every file name in diagnostics
    let cwd = std::env::current_dir().ok();
    let shown = cwd
        .as_deref()
        .and_then(|c| abs.strip_prefix(c).ok())
        .unwrap_or(abs);
    format!(
        "`{rel}` does not exist (looked for {}); paths are relative to the service directory",
        shown.display()
    )
}

/// `path.resolve(serviceDir, p)`: absolute, with `.` and `..` removed lexically.
pub fn absolute(service_dir: &Path, p: &str) -> PathBuf {
    let base = if service_dir.is_absolute() {
        service_dir.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|c| c.join(service_dir))
            .unwrap_or_else(|_| service_dir.to_path_buf())
    };
    let joined = base.join(p);
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// How messages name a file: relative to the service directory when inside it.
fn shown_path(service_dir: &Path, abs: &Path) -> String {
    let base = absolute(service_dir, ".");
    match abs.strip_prefix(&base) {
        Ok(rel) => rel.display().to_string(),
        Err(_) => abs.display().to_string(),
    }
}

/// `path.extname`: the last `.` of the file name, unless the name starts with it.
fn extname(p: &Path) -> String {
    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
    match name.rfind('.') {
        Some(i) if i > 0 => name[i..].to_string(),
        _ => String::new(),
    }
}

fn load(r: &mut Resolver, abs: &Path, shown: &str) -> Content {
    if let Some(c) = r.files.get(abs) {
        return c.clone();
    }
    let c = read_and_parse(r, abs, shown);
    r.files.insert(abs.to_path_buf(), c.clone());
    c
}

fn err(code_msg: String, label: &str, help: &str) -> Content {
    Content::Error(Box::new(
        RawErr::new(&crate::vars::FILE, code_msg, label).help(help),
    ))
}

fn read_and_parse(r: &mut Resolver, abs: &Path, shown: &str) -> Content {
    let ext = extname(abs);
    if ext == ".js" || ext == ".cjs" {
        if !abs.is_file() {
            return Content::Missing;
        }
        return err(
            format!(
                "Cannot load \"{shown}\": a JavaScript file needs Node to run, and slsx does not run JavaScript"
            ),
            "JavaScript include",
            "export the values as YAML or JSON and include that file instead (e.g. run the script once and save its output), or supply them with --var / --vars-file",
        );
    }
    let bytes = match std::fs::read(abs) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Content::Missing,
        Err(e) => {
            return err(
                format!("Cannot parse \"{shown}\": {e}"),
                "this file cannot be read",
                "check that the path names a readable file",
            );
        }
    };
    if bytes.len() > yaml::MAX_FILE_BYTES {
        return err(
            format!(
                "Cannot parse \"{shown}\": the file is {} bytes; slsx reads files of at most {} bytes",
                bytes.len(),
                yaml::MAX_FILE_BYTES
            ),
            "file too large",
            "include a smaller file",
        );
    }
    let name = crate::config::display_name(abs);
    let (text, bad_utf8) = match yaml::decode_utf8(bytes) {
        Ok(t) => (t, None),
        Err((lossy, at)) => (lossy, Some(at)),
    };
    let id = match r.sources.find(abs) {
        Some(id) => id,
        None => r.sources.add(name, abs, text.as_str()),
    };
    if let Some(at) = bad_utf8 {
        let d = yaml::invalid_utf8(id, at);
        return Content::Error(Box::new(from_diag(
            format!("Cannot parse \"{shown}\": the file is not valid UTF-8"),
            &d,
        )));
    }
    let whole = Span::new(id, 0, text.len());
    match ext.as_str() {
        ".yml" | ".yaml" => match yaml::load(id, &text, LoadOptions::default()) {
            Ok(_)
                if text
                    .trim_matches(['\u{feff}', ' ', '\t', '\n', '\r'])
                    .is_empty() =>
            {
                Content::Undefined
            }
            Ok(n) => Content::Value(Rc::new(n)),
            Err(ds) => {
                let first = ds.first();
                let msg = first.map(|d| d.message.clone()).unwrap_or_default();
                match first {
                    Some(d) => Content::Error(Box::new(from_diag(
                        format!("Cannot parse \"{shown}\": {msg}"),
                        d,
                    ))),
                    None => err(
                        format!("Cannot parse \"{shown}\""),
                        "invalid YAML",
                        "fix the YAML",
                    ),
                }
            }
        },
        ".json" | ".tfstate" => {
            if let Err(e) = serde_json::from_str::<serde_json::Value>(&text) {
                let f = r.sources.get(id);
                let at = f
                    .map(|f| f.offset_of(e.line(), e.column().max(1)))
                    .unwrap_or(0);
                let msg = e.to_string();
                return Content::Error(Box::new(
                    RawErr::new(
                        &crate::vars::FILE,
                        format!("Cannot parse \"{shown}\": JSON parse error: {msg}"),
                        "the file included here is not valid JSON",
                    )
                    .origin(Span::new(id, at, (at + 1).min(text.len())), "invalid JSON")
                    .help("fix the JSON (JSON.parse rules: double-quoted keys and strings, no comments or trailing commas)"),
                ));
            }
            match yaml::load(
                id,
                &text,
                LoadOptions {
                    json: true,
                    ..LoadOptions::default()
                },
            ) {
                Ok(n) => Content::Value(Rc::new(n)),
                Err(_) => match serde_json::from_str::<serde_json::Value>(&text) {
                    Ok(v) => Content::Value(Rc::new(Node::from_json(&v, whole))),
                    Err(_) => Content::Missing,
                },
            }
        }
        _ => {
            if matches!(ext.as_str(), ".ts" | ".mjs" | ".mts" | ".cts") {
                r.warnings.push(
                    Diag::warning(
                        &crate::vars::FILE_TEXT,
                        format!("`{shown}` is included as plain text: the framework only runs `.js` and `.cjs` files"),
                    )
                    .label(whole.sub(0, 0), "read as text")
                    .help("the framework returns the source code of this file as a string; include a .yml/.json file for structured values"),
                );
            }
            Content::Value(Rc::new(Node::string(whole, text)))
        }
    }
}

/// A file error located where the loader found the problem.
fn from_diag(message: String, d: &Diag) -> RawErr {
    let mut e = RawErr::new(
        &crate::vars::FILE,
        message,
        "the file included here cannot be parsed",
    )
    .help(
        d.help
            .clone()
            .unwrap_or_else(|| "fix the included file".into()),
    );
    if let Some(l) = d.labels.iter().find(|l| l.primary && !l.span.is_none()) {
        e = e.origin(l.span, l.text.clone());
    }
    e
}
