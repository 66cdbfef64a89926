//! Finding, reading and normalising the service configuration.

pub mod normalize;
pub mod schema;

use std::path::{Path, PathBuf};

use crate::declare_codes;
use crate::diagnostics::{Diag, codes as general};
use crate::source::{FileId, SourceMap, Span};
use crate::yaml::{self, LoadOptions, Node};

declare_codes! { CODES;
    SERVICE_MISSING = "slsx::config::service-missing", "The configuration has no `service` name.";
    SERVICE_OBJECT = "slsx::config::service-object", "`service` is written as an object, which the framework no longer supports.";
    SCHEMA = "slsx::config::schema", "A value does not match the framework's configuration schema.";
    MERGE_INPUT = "slsx::config::merge-input", "An item of an array-form `functions` or `resources` is not an object.";
}

/// Config file names the framework looks for, in its order.
pub const CONFIG_NAMES: [&str; 7] = [
    "serverless.yml",
    "serverless.yaml",
    "serverless.json",
    "serverless.js",
    "serverless.mjs",
    "serverless.cjs",
    "serverless.ts",
];

/// Where the configuration comes from.
#[derive(Clone, Debug)]
pub enum Input {
    /// A config file, or a directory holding one.
    Path(PathBuf),
    /// Text read from stdin; `name` is what diagnostics call it, `dir` the service directory.
    Text {
        name: String,
        dir: PathBuf,
        text: String,
    },
}

/// A located config file: its path and the service directory.
#[derive(Clone, Debug)]
pub struct Located {
    pub file: PathBuf,
    pub dir: PathBuf,
}

fn unsupported_js(path: &Path) -> Diag {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("config");
    Diag::error(
        &general::CONFIG_UNSUPPORTED,
        format!("`{name}` is a JavaScript/TypeScript config, which needs Node to evaluate"),
    )
    .help("slsx reads serverless.yml, serverless.yaml and serverless.json; run `sls print --format yaml > serverless.yml` once to get a static config, or use slsx as a Serverless plugin (`plugins: [slsx]`)")
}

/// Finds the config file for a path (a file, or a directory searched in the framework's
/// order).
pub fn locate(path: &Path) -> Result<Located, Diag> {
    if path.is_dir() {
        for name in CONFIG_NAMES {
            let f = path.join(name);
            if f.is_file() {
                if !(name.ends_with(".yml") || name.ends_with(".yaml") || name.ends_with(".json")) {
                    return Err(unsupported_js(&f));
                }
                return Ok(Located {
                    file: f,
                    dir: path.to_path_buf(),
                });
            }
        }
        return Err(Diag::error(
            &general::CONFIG_NOT_FOUND,
            format!("no serverless.yml, serverless.yaml or serverless.json in `{}`", path.display()),
        )
        .help("pass the service directory or the config file itself: `slsx expand path/to/serverless.yml`"));
    }
    if !path.exists() {
        return Err(Diag::error(
            &general::CONFIG_NOT_FOUND,
            format!("`{}` does not exist", path.display()),
        )
        .help("pass the service directory or its serverless.yml"));
    }
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    match ext {
        "yml" | "yaml" | "json" => {}
        "js" | "mjs" | "cjs" | "ts" => return Err(unsupported_js(path)),
        _ => {
            return Err(Diag::error(
                &general::CONFIG_UNSUPPORTED,
                format!("`{}` has an unsupported extension", path.display()),
            )
            .help("the service config must be a .yml, .yaml or .json file"));
        }
    }
    let dir = path
        .parent()
        .map(|p| {
            if p.as_os_str().is_empty() {
                Path::new(".")
            } else {
                p
            }
        })
        .unwrap_or(Path::new("."))
        .to_path_buf();
    Ok(Located {
        file: path.to_path_buf(),
        dir,
    })
}

/// A path as diagnostics show it: relative to the working directory when it is inside it.
pub fn display_name(path: &Path) -> String {
    let cwd = std::env::current_dir().ok();
    let p = match (&cwd, path.canonicalize()) {
        (Some(c), Ok(abs)) => abs
            .strip_prefix(c)
            .map(Path::to_path_buf)
            .unwrap_or_else(|_| path.to_path_buf()),
        _ => path.to_path_buf(),
    };
    let s = p.display().to_string();
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// Reads a file into the source map. Errors are located where possible (invalid UTF-8).
pub fn read_source(sources: &mut SourceMap, path: &Path, name: &str) -> Result<FileId, Diag> {
    let bytes = match yaml::read_limited(path) {
        Ok(b) => b,
        Err(yaml::ReadError::TooLarge(size)) => return Err(yaml::too_large(name, size)),
        Err(yaml::ReadError::Io(e)) => {
            return Err(
                Diag::error(&general::IO, format!("cannot read `{name}`: {e}"))
                    .help("check that the file exists and is readable"),
            );
        }
    };
    match yaml::decode_utf8(bytes) {
        Ok(text) => Ok(sources.add(name, path, text)),
        Err((lossy, at)) => {
            let id = sources.add(name, path, lossy);
            Err(yaml::invalid_utf8(id, at))
        }
    }
}

/// Parses a loaded file as YAML (or JSON for `.json`).
pub fn parse(sources: &SourceMap, id: FileId) -> Result<Node, Vec<Diag>> {
    let f = sources.get(id).expect("file id from this map");
    let json = f.path.extension().and_then(|e| e.to_str()) == Some("json");
    yaml::load(
        id,
        f.text(),
        LoadOptions {
            json,
            ..LoadOptions::default()
        },
    )
}

/// The root must be an object.
pub fn check_root(root: &Node) -> Result<(), Diag> {
    if root.as_map().is_some() {
        return Ok(());
    }
    let what = if root.is_null() {
        "empty"
    } else {
        root.type_name()
    };
    Err(Diag::error(
        &general::CONFIG_SHAPE,
        format!("the configuration must be a mapping, but it is {what}"),
    )
    .label(
        if root.span.is_none() {
            Span::NONE
        } else {
            root.span
        },
        "expected `service:`, `provider:`, … here",
    )
    .help("a serverless config is a mapping with at least `service` and `provider`"))
}
