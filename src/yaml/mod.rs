//! The spanned YAML loader.
//!
//! `libyaml-safer` turns the text into events with byte marks and tags; [`loader`] builds our
//! own [`Node`] tree from them with js-yaml's semantics (plain-scalar resolution, merge keys,
//! duplicate-key errors) and the Serverless Framework's CloudFormation schema: the 17
//! short-form tags become their long form while loading.

pub mod loader;
pub mod node;
pub mod scalar;

pub use loader::{
    Limits, LoadOptions, catching_library_panic, load, long_form, quiet_library_panics,
};
pub use node::{
    Entry, Kind, Mapping, Node, Str, is_array_index, js_to_number, js_to_string, number_to_json,
};

use crate::declare_codes;
use crate::diagnostics::Diag;
use crate::source::{FileId, Span};

/// The CloudFormation short-form tags the framework's schema accepts.
pub const CFN_TAGS: [&str; 17] = [
    "And",
    "Base64",
    "Cidr",
    "Condition",
    "Equals",
    "FindInMap",
    "GetAtt",
    "GetAZs",
    "If",
    "ImportValue",
    "Join",
    "Not",
    "Or",
    "Ref",
    "Select",
    "Split",
    "Sub",
];

pub mod codes {
    use super::declare_codes;
    declare_codes! { CODES;
        SYNTAX = "slsx::yaml::syntax", "The file is not valid YAML.";
        UNKNOWN_TAG = "slsx::yaml::unknown-tag", "A `!Tag` that is neither a CloudFormation short form nor a YAML core tag.";
        BAD_TAG_VALUE = "slsx::yaml::bad-tag-value", "An explicit core tag (`!!int`, `!!binary`, ...) on a value it cannot describe.";
        DUPLICATE_KEY = "slsx::yaml::duplicate-key", "The same key appears twice in one mapping.";
        BAD_MERGE = "slsx::yaml::bad-merge", "A merge key (`<<`) whose value is not a mapping or a list of mappings.";
        BAD_KEY = "slsx::yaml::bad-key", "A mapping key that cannot be turned into a string.";
        UNDEFINED_ALIAS = "slsx::yaml::undefined-alias", "An alias (`*name`) with no anchor (`&name`) before it.";
        ALIAS_BUDGET = "slsx::yaml::alias-budget", "Aliases expand to more nodes than the limit (billion-laughs guard).";
        TOO_DEEP = "slsx::yaml::too-deep", "Collections nested deeper than the limit.";
        MULTIPLE_DOCUMENTS = "slsx::yaml::multiple-documents", "More than one YAML document in a config file.";
        INVALID_UTF8 = "slsx::yaml::invalid-utf8", "The file is not valid UTF-8.";
        TOO_LARGE = "slsx::yaml::too-large", "The file is larger than the input size limit.";
    }
}
pub use codes::CODES;

/// Largest file slsx reads (64 MiB).
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;

/// Why [`read_limited`] gave no text.
#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    /// Over [`MAX_FILE_BYTES`]: the file's size, or `None` when it has no size (a device, a
    /// pipe) and more than the limit came out of it.
    TooLarge(Option<u64>),
}

/// Reads a file, but never more than [`MAX_FILE_BYTES`] of it: a larger file is refused from
/// its size alone, without reading it, and a device or pipe stops one byte past the limit, so
/// a mistaken path cannot exhaust memory.
pub fn read_limited(path: &std::path::Path) -> Result<Vec<u8>, ReadError> {
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    if len > MAX_FILE_BYTES as u64 {
        return Err(ReadError::TooLarge(Some(len)));
    }
    read_capped(file, len as usize)
}

/// Reads a stream to its end, but at most [`MAX_FILE_BYTES`] (`hint`: the expected size).
pub fn read_capped(r: impl std::io::Read, hint: usize) -> Result<Vec<u8>, ReadError> {
    use std::io::Read;
    let mut bytes = Vec::with_capacity(hint.min(MAX_FILE_BYTES));
    r.take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge(None));
    }
    Ok(bytes)
}

/// Checks raw bytes before parsing. On invalid UTF-8 returns the lossy text (for showing the
/// location) and the byte offset of the first bad byte.
pub fn decode_utf8(bytes: Vec<u8>) -> Result<String, (String, usize)> {
    match String::from_utf8(bytes) {
        Ok(s) => Ok(s),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            Err((String::from_utf8_lossy(e.as_bytes()).into_owned(), at))
        }
    }
}

/// The diagnostic for invalid UTF-8 at byte `at` of `file`.
pub fn invalid_utf8(file: FileId, at: usize) -> Diag {
    Diag::error(&codes::INVALID_UTF8, "the file is not valid UTF-8")
        .label(
            Span::new(file, at, at + 1),
            "this byte does not start a valid UTF-8 character",
        )
        .help("save the file as UTF-8 (the framework would silently replace the bytes with U+FFFD)")
}

/// The diagnostic for a file over [`MAX_FILE_BYTES`].
pub fn too_large(name: &str, size: Option<u64>) -> Diag {
    let size = match size {
        Some(n) => format!("{n} bytes"),
        None => format!("more than {MAX_FILE_BYTES} bytes"),
    };
    Diag::error(
        &codes::TOO_LARGE,
        format!("`{name}` is {size}; slsx reads files of at most {MAX_FILE_BYTES} bytes (64 MiB)"),
    )
    .help("a service config of this size is almost certainly generated by mistake")
}
