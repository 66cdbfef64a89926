//! Diagnostics: every problem slsx reports, with a stable code, labelled spans and help.
//!
//! A [`Diag`] is plain data (so every stage can collect many of them and report them all at
//! once). It is rendered through `miette` for humans ([`render_human`]) and as JSON for tools
//! ([`render_json`]). Codes are declared in [`codes`]; the error catalogue is generated from
//! that list.

use std::fmt;
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};
use serde_json::json;

use crate::source::{SourceMap, Span};

pub use codes::Code;

/// How bad a finding is.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
    Advice,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Advice => "advice",
        }
    }
}

/// A labelled location.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub span: Span,
    pub text: String,
    pub primary: bool,
}

/// One finding.
#[derive(Clone, Debug, PartialEq)]
pub struct Diag {
    pub code: &'static Code,
    pub severity: Severity,
    pub message: String,
    pub labels: Vec<Label>,
    pub help: Option<String>,
}

impl Diag {
    pub fn new(code: &'static Code, severity: Severity, message: impl Into<String>) -> Diag {
        Diag {
            code,
            severity,
            message: message.into(),
            labels: Vec::new(),
            help: None,
        }
    }

    pub fn error(code: &'static Code, message: impl Into<String>) -> Diag {
        Diag::new(code, Severity::Error, message)
    }

    pub fn warning(code: &'static Code, message: impl Into<String>) -> Diag {
        Diag::new(code, Severity::Warning, message)
    }

    /// Adds the primary label (the first one added with this method is primary).
    pub fn label(mut self, span: Span, text: impl Into<String>) -> Diag {
        let primary = !self.labels.iter().any(|l| l.primary);
        self.labels.push(Label {
            span,
            text: text.into(),
            primary,
        });
        self
    }

    /// Adds a secondary label.
    pub fn secondary(mut self, span: Span, text: impl Into<String>) -> Diag {
        self.labels.push(Label {
            span,
            text: text.into(),
            primary: false,
        });
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Diag {
        self.help = Some(help.into());
        self
    }

    pub fn with_severity(mut self, severity: Severity) -> Diag {
        self.severity = severity;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The primary span, if any label has a real location.
    pub fn primary_span(&self) -> Option<Span> {
        self.labels
            .iter()
            .find(|l| l.primary && !l.span.is_none())
            .or_else(|| self.labels.iter().find(|l| !l.span.is_none()))
            .map(|l| l.span)
    }
}

impl fmt::Display for Diag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)
    }
}

/// A collection of findings, in the order they were found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Diags {
    list: Vec<Diag>,
}

impl Diags {
    pub fn new() -> Diags {
        Diags::default()
    }

    pub fn push(&mut self, d: Diag) {
        self.list.push(d);
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Diag>) {
        self.list.extend(other);
    }

    pub fn has_errors(&self) -> bool {
        self.list.iter().any(Diag::is_error)
    }

    pub fn error_count(&self) -> usize {
        self.list.iter().filter(|d| d.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.list
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Diag> {
        self.list.iter()
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn into_vec(self) -> Vec<Diag> {
        self.list
    }

    /// Changes the severity of the findings `which` selects.
    pub fn promote(&mut self, which: impl Fn(&Diag) -> bool, to: Severity) {
        for d in self.list.iter_mut().filter(|d| which(d)) {
            d.severity = to;
        }
    }

    /// Errors first (in order found), then warnings, then advice.
    pub fn sorted(&self) -> Vec<&Diag> {
        let mut v: Vec<&Diag> = self.list.iter().collect();
        v.sort_by_key(|d| d.severity);
        v
    }
}

impl IntoIterator for Diags {
    type Item = Diag;
    type IntoIter = std::vec::IntoIter<Diag>;
    fn into_iter(self) -> Self::IntoIter {
        self.list.into_iter()
    }
}

impl<'a> IntoIterator for &'a Diags {
    type Item = &'a Diag;
    type IntoIter = std::slice::Iter<'a, Diag>;
    fn into_iter(self) -> Self::IntoIter {
        self.list.iter()
    }
}

impl From<Diag> for Diags {
    fn from(d: Diag) -> Diags {
        Diags { list: vec![d] }
    }
}

impl From<Vec<Diag>> for Diags {
    fn from(list: Vec<Diag>) -> Diags {
        Diags { list }
    }
}

// ---------------------------------------------------------------------------------------------
// Rendering

/// How human output is drawn.
#[derive(Clone, Copy, Debug)]
pub struct RenderOptions {
    pub color: bool,
    pub width: usize,
    pub unicode: bool,
}

impl RenderOptions {
    /// Plain text, fixed width: what tests snapshot.
    pub fn plain(width: usize) -> RenderOptions {
        RenderOptions {
            color: false,
            width,
            unicode: true,
        }
    }
}

/// A diagnostic shaped for miette: one source file, its labels, and the labels in other files
/// as related diagnostics.
#[derive(Debug)]
struct MietteView {
    message: String,
    code: Option<String>,
    severity: miette::Severity,
    help: Option<String>,
    source: Option<NamedSource<Arc<str>>>,
    labels: Vec<LabeledSpan>,
    related: Vec<MietteView>,
}

impl fmt::Display for MietteView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for MietteView {}

impl miette::Diagnostic for MietteView {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code
            .as_ref()
            .map(|c| Box::new(c.as_str()) as Box<dyn fmt::Display>)
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|c| Box::new(c.as_str()) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(
                self.related.iter().map(|r| r as &dyn miette::Diagnostic),
            ))
        }
    }
}

fn miette_severity(s: Severity) -> miette::Severity {
    match s {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Advice => miette::Severity::Advice,
    }
}

fn to_source_span(span: Span, text_len: usize) -> SourceSpan {
    let start = (span.start as usize).min(text_len);
    let end = (span.end as usize).clamp(start, text_len);
    SourceSpan::new(start.into(), end - start)
}

fn view(diag: &Diag, sources: &SourceMap) -> MietteView {
    let primary_file = diag.primary_span().map(|s| s.file);
    let mut files: Vec<crate::source::FileId> = Vec::new();
    if let Some(f) = primary_file {
        files.push(f);
    }
    for l in &diag.labels {
        if !l.span.is_none() && !files.contains(&l.span.file) {
            files.push(l.span.file);
        }
    }
    let mut views: Vec<MietteView> = Vec::new();
    // labels on lines too long to draw (minified JSON, a generated one-liner): listed as
    // `at file:line:column: text` under the message instead of drawn under the line
    let mut listed: Vec<String> = Vec::new();
    for (i, file) in files.iter().enumerate() {
        let Some(src) = sources.get(*file) else {
            continue;
        };
        let (drawn, long): (Vec<&Label>, Vec<&Label>) = diag
            .labels
            .iter()
            .filter(|l| l.span.file == *file)
            .partition(|l| !on_long_line(src.text(), l.span));
        for l in long {
            let (line, col) = src.line_col(l.span.start as usize);
            let mut at = format!("at {}:{line}:{col}", src.name);
            if !l.text.is_empty() {
                at.push_str(": ");
                at.push_str(&l.text);
            }
            listed.push(at);
        }
        if drawn.is_empty() && i > 0 {
            continue;
        }
        let labels = drawn
            .into_iter()
            .map(|l| {
                let s = to_source_span(l.span, src.text().len());
                let text = if l.text.is_empty() {
                    None
                } else {
                    Some(l.text.clone())
                };
                if l.primary {
                    LabeledSpan::new_primary_with_span(text, s)
                } else {
                    LabeledSpan::new_with_span(text, s)
                }
            })
            .collect();
        views.push(MietteView {
            message: if i == 0 {
                diag.message.clone()
            } else {
                format!("related location in {}", src.name)
            },
            code: None,
            severity: if i == 0 {
                miette_severity(diag.severity)
            } else {
                miette::Severity::Advice
            },
            help: None,
            source: Some(NamedSource::new(src.name.clone(), src.text().clone())),
            labels,
            related: Vec::new(),
        });
    }
    let mut main = if views.is_empty() {
        MietteView {
            message: diag.message.clone(),
            code: None,
            severity: miette_severity(diag.severity),
            help: None,
            source: None,
            labels: Vec::new(),
            related: Vec::new(),
        }
    } else {
        views.remove(0)
    };
    for at in listed {
        main.message.push('\n');
        main.message.push_str(&at);
    }
    main.code = Some(diag.code.id.to_string());
    main.help = diag.help.clone();
    main.related = views;
    main
}

/// Lines longer than this (in bytes) are not drawn: a label on one is listed by position.
const MAX_DRAWN_LINE: usize = 1000;

/// Whether either end of `span` lies on a line longer than [`MAX_DRAWN_LINE`].
fn on_long_line(text: &str, span: Span) -> bool {
    let bytes = text.as_bytes();
    let long_at = |at: usize| {
        let at = at.min(bytes.len());
        let start = bytes[..at]
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1);
        let end = bytes[at..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(bytes.len(), |i| at + i);
        end - start > MAX_DRAWN_LINE
    };
    long_at(span.start as usize) || long_at(span.end as usize)
}

/// Renders one diagnostic for a terminal.
pub fn render_human(diag: &Diag, sources: &SourceMap, opts: RenderOptions) -> String {
    let theme = match (opts.unicode, opts.color) {
        (true, true) => GraphicalTheme::unicode(),
        (true, false) => GraphicalTheme::unicode_nocolor(),
        (false, true) => GraphicalTheme {
            characters: miette::ThemeCharacters::ascii(),
            styles: miette::ThemeStyles::ansi(),
        },
        (false, false) => GraphicalTheme::none(),
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(opts.width)
        .with_links(false)
        .with_urls(false);
    let v = view(diag, sources);
    let mut out = String::new();
    if handler.render_report(&mut out, &v).is_err() {
        out = format!("{}: {}\n", diag.code.id, diag.message);
    }
    out
}

/// At most this many diagnostics are drawn by [`render_all_human`] (drawing one costs time in
/// proportion to the file; thousands of them, say one per key of a generated file, would take
/// minutes to draw and nobody reads them). The summary counts all of them.
pub const MAX_RENDERED: usize = 100;

/// Renders the diagnostics (errors first, at most [`MAX_RENDERED`]) and a summary line.
pub fn render_all_human(diags: &Diags, sources: &SourceMap, opts: RenderOptions) -> String {
    let mut out = String::new();
    let sorted = diags.sorted();
    for d in sorted.iter().take(MAX_RENDERED) {
        out.push_str(&render_human(d, sources, opts));
        out.push('\n');
    }
    if sorted.len() > MAX_RENDERED {
        out.push_str(&format!(
            "… {} more not shown (`--diagnostics json` lists every one)\n\n",
            sorted.len() - MAX_RENDERED
        ));
    }
    let (e, w) = (diags.error_count(), diags.warning_count());
    if e > 0 || w > 0 {
        let plural = |n: usize, s: &str| {
            if n == 1 {
                format!("{n} {s}")
            } else {
                format!("{n} {s}s")
            }
        };
        let summary = match (e, w) {
            (0, w) => plural(w, "warning"),
            (e, 0) => plural(e, "error"),
            (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
        };
        out.push_str(&format!("slsx: {summary}\n"));
    }
    out
}

/// JSON for one diagnostic: code, severity, message, help, labels with file/line/column.
pub fn to_json(diag: &Diag, sources: &SourceMap) -> serde_json::Value {
    let labels: Vec<serde_json::Value> = diag
        .labels
        .iter()
        .filter(|l| !l.span.is_none())
        .map(|l| {
            let (file, line, column, end_line, end_column) = match sources.get(l.span.file) {
                Some(f) => {
                    let (a, b) = f.line_col(l.span.start as usize);
                    let (c, d) = f.line_col(l.span.end as usize);
                    (f.name.clone(), a, b, c, d)
                }
                None => (String::new(), 0, 0, 0, 0),
            };
            json!({
                "label": l.text,
                "primary": l.primary,
                "file": file,
                "line": line,
                "column": column,
                "end_line": end_line,
                "end_column": end_column,
                "span": {"offset": l.span.start, "length": l.span.len()},
            })
        })
        .collect();
    json!({
        "code": diag.code.id,
        "severity": diag.severity.as_str(),
        "message": diag.message,
        "help": diag.help,
        "labels": labels,
    })
}

/// JSON document for a run: `{"diagnostics": [...], "errors": n, "warnings": n}`.
pub fn render_json(diags: &Diags, sources: &SourceMap) -> String {
    let list: Vec<serde_json::Value> = diags
        .sorted()
        .into_iter()
        .map(|d| to_json(d, sources))
        .collect();
    let doc = json!({
        "diagnostics": list,
        "errors": diags.error_count(),
        "warnings": diags.warning_count(),
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

// ---------------------------------------------------------------------------------------------
// Codes

pub mod codes {
    //! Every diagnostic code slsx emits. The error catalogue (`docs/errors.md`) is generated
    //! from [`all`]; a test fails when the two disagree.

    /// A stable diagnostic code.
    #[derive(Debug, PartialEq, Eq)]
    pub struct Code {
        /// `slsx::<area>::<kind>`
        pub id: &'static str,
        /// One line: what it means.
        pub meaning: &'static str,
    }

    /// Declares codes of one area and the list of them.
    #[macro_export]
    macro_rules! declare_codes {
        ($list:ident; $( $(#[$m:meta])* $name:ident = $id:literal, $meaning:literal; )*) => {
            $( $(#[$m])* pub static $name: $crate::diagnostics::Code =
                $crate::diagnostics::Code { id: $id, meaning: $meaning }; )*
            /// Every code of this area.
            pub static $list: &[&$crate::diagnostics::Code] = &[$(&$name),*];
        };
    }

    declare_codes! { GENERAL;
        IO = "slsx::io", "A file could not be read or written.";
        USAGE = "slsx::usage", "The command line is invalid.";
        CONFIG_NOT_FOUND = "slsx::config::not-found", "No serverless.yml / .yaml / .json in the given directory.";
        CONFIG_UNSUPPORTED = "slsx::config::unsupported", "A JavaScript or TypeScript config needs Node; slsx reads YAML and JSON only.";
        CONFIG_SHAPE = "slsx::config::shape", "The configuration root is not a mapping.";
        INTERNAL = "slsx::internal", "A bug in slsx (please report it).";
    }

    /// Every code slsx can emit, by area.
    pub fn all() -> Vec<&'static Code> {
        let lists: &[&[&'static Code]] = &[
            GENERAL,
            crate::yaml::CODES,
            crate::vars::CODES,
            crate::config::CODES,
            crate::plugin::CODES,
            crate::asl::CODES,
            crate::asl::lints::CODES,
            crate::check::CODES,
            crate::graph::CODES,
        ];
        let mut all: Vec<&'static Code> = lists.iter().flat_map(|l| l.iter().copied()).collect();
        all.extend(crate::compile::codes());
        all
    }
}
