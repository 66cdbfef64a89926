//! The resolution engine (`serverless-core.md` §1.2–1.3): property metadata, per-variable
//! source chains with fallbacks, whole-value vs interpolated results, re-parsing of resolved
//! values, `self` dependency tracking with cycle detection, nest-depth limits, and the
//! per-batch source cache.
//!
//! The framework resolves everything concurrently with promises; every call chain it starts
//! runs synchronously down to its first suspension, so a depth-first resolution in the same
//! order sees the same dependency registrations and produces the same values. A property met
//! again while it is still being resolved (which the framework would wait on forever or catch
//! one level later) is reported as a circular reference right away.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;

use indexmap::IndexMap;

use super::parse::{self, Lit, VarKind};
use super::sources;
use super::{Phase, Supplied, VarsInput};
use crate::diagnostics::{Code, Diag};
use crate::source::{SourceMap, Span};
use crate::yaml::{Kind, Mapping, Node, js_to_string};

/// A property path: keys joined with `\0` (the framework's own encoding).
pub type PathKey = String;

/// Index of an error in [`Resolver::errors`]; the same error can be shared by several
/// properties (a dependency's error is rethrown as is) and is reported once.
pub type ErrId = usize;

/// A label of a variable error.
#[derive(Clone, Debug)]
pub struct ELabel {
    pub span: Span,
    pub text: String,
}

/// A finished (wrapped) variable error.
#[derive(Clone, Debug)]
pub struct VErr {
    pub code: &'static Code,
    pub message: String,
    pub primary: ELabel,
    pub secondary: Vec<ELabel>,
    pub help: Option<String>,
}

impl VErr {
    pub fn to_diag(&self) -> Diag {
        let mut d = Diag::error(self.code, self.message.clone())
            .label(self.primary.span, self.primary.text.clone());
        for l in &self.secondary {
            d = d.secondary(l.span, l.text.clone());
        }
        if let Some(h) = &self.help {
            d = d.help(h.clone());
        }
        d
    }
}

/// An error raised by a source, not yet tied to a property (the framework wraps it as
/// `Cannot resolve variable at "<path>": <message>`).
#[derive(Clone, Debug)]
pub struct RawErr {
    pub code: &'static Code,
    pub message: String,
    /// Label text at the variable.
    pub label: String,
    /// Where the problem really is, when elsewhere (e.g. inside an included file): becomes the
    /// primary label, the variable a secondary one.
    pub origin: Option<ELabel>,
    pub secondary: Vec<ELabel>,
    pub help: Option<String>,
}

impl RawErr {
    pub fn new(code: &'static Code, message: impl Into<String>, label: impl Into<String>) -> Self {
        RawErr {
            code,
            message: message.into(),
            label: label.into(),
            origin: None,
            secondary: Vec::new(),
            help: None,
        }
    }

    pub fn help(mut self, h: impl Into<String>) -> Self {
        self.help = Some(h.into());
        self
    }

    pub fn origin(mut self, span: Span, text: impl Into<String>) -> Self {
        self.origin = Some(ELabel {
            span,
            text: text.into(),
        });
        self
    }

    pub fn secondary(mut self, span: Span, text: impl Into<String>) -> Self {
        self.secondary.push(ELabel {
            span,
            text: text.into(),
        });
        self
    }
}

/// Why a source call did not produce a result.
#[derive(Clone, Debug)]
pub enum Fail {
    /// Depends on something not resolvable yet (`MISSING_VARIABLE_DEPENDENCY`): leave the
    /// variable for a later phase.
    Pending,
    /// A complete variable error (passed on unchanged).
    Done(ErrId),
    /// A source error, to be wrapped with the property path.
    Raw(Box<RawErr>),
}

impl From<RawErr> for Fail {
    fn from(e: RawErr) -> Fail {
        Fail::Raw(Box::new(e))
    }
}

type ParseResult = Result<Option<Vec<parse::Var>>, parse::ParseError>;

/// What a source returned.
#[derive(Clone, Debug, Default)]
pub struct SrcOut {
    /// `None`: null / undefined. Shared: a cached result is handed to every variable that
    /// asks for it, and copied only where it becomes a value of the configuration.
    pub value: Option<Rc<Node>>,
    /// Not fulfilled in this phase: a null result leaves the variable for later.
    pub pending: bool,
    /// The message to use when this was the last source and it had no value.
    pub eventual: Option<String>,
    /// Help for that "not found" error.
    pub help: Option<String>,
}

impl SrcOut {
    pub fn value(v: Node) -> SrcOut {
        SrcOut::shared(Rc::new(v))
    }

    pub fn shared(v: Rc<Node>) -> SrcOut {
        SrcOut {
            value: Some(v),
            ..SrcOut::default()
        }
    }

    pub fn none() -> SrcOut {
        SrcOut::default()
    }

    pub fn opt(v: Option<Node>) -> SrcOut {
        SrcOut {
            value: v.filter(|n| !n.is_null()).map(Rc::new),
            ..SrcOut::default()
        }
    }
}

/// One source of a variable, ready for resolution.
#[derive(Clone, Debug)]
pub enum SourceData {
    Typed {
        ty: String,
        params: Option<Vec<VMeta>>,
        address: Option<VMeta>,
    },
    Literal(Node),
}

/// The state of one variable.
#[derive(Clone, Debug)]
pub enum VarState {
    Sources(Vec<SourceData>),
    Value(Rc<Node>),
    Error(ErrId),
}

/// One variable (or escape) in a string.
#[derive(Clone, Debug)]
pub struct VarMeta {
    pub start: usize,
    pub end: usize,
    pub whole: bool,
    /// The variable's text as written (for locating it).
    pub text: String,
    pub state: VarState,
}

/// A string value with variables: a property, a param, an address, or a string met inside
/// a file.
#[derive(Clone, Debug)]
pub struct VMeta {
    /// `None` once an error removed it.
    pub value: Option<Node>,
    /// The parts an interpolated value was built from (each is re-parsed on its own).
    pub source_values: Option<Vec<String>>,
    pub vars: Option<Vec<VarMeta>>,
    pub error: Option<ErrId>,
    /// Further errors of the same value (the framework keeps only the first).
    pub more_errors: Vec<ErrId>,
    /// Where the string is written.
    pub site: Span,
}

impl VMeta {
    fn plain(value: Node, site: Span) -> VMeta {
        VMeta {
            value: Some(value),
            source_values: None,
            vars: None,
            error: None,
            more_errors: Vec::new(),
            site,
        }
    }

    fn has_value(&self) -> bool {
        self.vars.is_none() && self.error.is_none()
    }

    fn value_str(&self) -> &str {
        self.value.as_ref().and_then(Node::as_str).unwrap_or("")
    }
}

pub fn lit_node(l: &Lit, span: Span) -> Node {
    match l {
        Lit::Null => Node::null(span),
        Lit::Bool(b) => Node::new(span, Kind::Bool(*b)),
        Lit::Num(n) => Node::new(span, Kind::Number(*n)),
        Lit::Str(s) => Node::string(span, s.clone()),
    }
}

/// Converts parsed variables (positions in `text`) to resolution state.
pub fn convert_vars(vars: Vec<parse::Var>, text: &str, site: Span) -> Vec<VarMeta> {
    vars.into_iter()
        .map(|v| {
            let vtext = parse::slice(text, v.start, v.end).to_string();
            let state = match v.kind {
                VarKind::Escape(s) => VarState::Value(Rc::new(Node::string(site, s))),
                VarKind::Sources(srcs) => VarState::Sources(
                    srcs.into_iter()
                        .map(|s| match s {
                            parse::Source::Literal(l) => SourceData::Literal(lit_node(&l, site)),
                            parse::Source::Typed {
                                ty,
                                params,
                                address,
                            } => SourceData::Typed {
                                ty,
                                params: params.map(|ps| {
                                    ps.into_iter().map(|p| convert_meta(p, site)).collect()
                                }),
                                address: address.map(|a| convert_meta(a, site)),
                            },
                        })
                        .collect(),
                ),
            };
            VarMeta {
                start: v.start,
                end: v.end,
                whole: v.whole,
                text: vtext,
                state,
            }
        })
        .collect()
}

fn convert_meta(m: parse::Meta, site: Span) -> VMeta {
    let text = match &m.value {
        Lit::Str(s) => s.clone(),
        _ => String::new(),
    };
    VMeta {
        value: Some(lit_node(&m.value, site)),
        source_values: None,
        vars: m.vars.map(|v| convert_vars(v, &text, site)),
        error: None,
        more_errors: Vec::new(),
        site,
    }
}

/// JavaScript `coerceString` (`type/string/coerce`): `None` for null and plain objects.
pub fn coerce_string(n: &Node) -> Option<String> {
    match &n.kind {
        Kind::Null | Kind::Map(_) => None,
        _ => Some(js_to_string(n)),
    }
}

/// `type/lib/to-short-string`: at most 100 characters, line breaks escaped.
pub fn short_string(n: &Node) -> String {
    let s = match &n.kind {
        Kind::Map(_) => "[object Object]".to_string(),
        _ => js_to_string(n),
    };
    let s: String = if s.encode_utf16().count() > 100 {
        let mut out: String = s.chars().take(99).collect();
        out.push('…');
        out
    } else {
        s
    };
    s.replace('\n', "\\n")
        .replace('\r', "\\r")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// Keys of a path key.
pub fn split_path(p: &str) -> Vec<String> {
    p.split('\0').map(str::to_string).collect()
}

/// `humanizePropertyPathKeys`: keys joined with dots.
pub fn human(p: &str) -> String {
    p.replace('\0', ".")
}

/// `value[key]` the way JavaScript reads it, for JSON-like values (own properties only;
/// `length` and indices of strings and arrays).
pub fn js_index(value: &Node, key: &str) -> Option<Node> {
    match &value.kind {
        Kind::Map(m) => m.get(key).cloned(),
        Kind::Seq(items) => {
            if key == "length" {
                return Some(Node::new(value.span, Kind::Number(items.len() as f64)));
            }
            canonical_index(key).and_then(|i| items.get(i).cloned())
        }
        Kind::String(s) => {
            let units: Vec<u16> = s.encode_utf16().collect();
            if key == "length" {
                return Some(Node::new(value.span, Kind::Number(units.len() as f64)));
            }
            let i = canonical_index(key)?;
            let u = *units.get(i)?;
            Some(Node::string(
                value.span,
                String::from_utf16(&[u]).unwrap_or_else(|_| "\u{fffd}".into()),
            ))
        }
        _ => None,
    }
}

/// A child of an object or array, by reference (no `length`, no string characters).
pub fn child_ref<'n>(value: &'n Node, key: &str) -> Option<&'n Node> {
    match &value.kind {
        Kind::Map(m) => m.get(key),
        Kind::Seq(items) => canonical_index(key).and_then(|i| items.get(i)),
        _ => None,
    }
}

fn canonical_index(key: &str) -> Option<usize> {
    if crate::yaml::is_array_index(key) {
        key.parse().ok()
    } else {
        None
    }
}

/// Walks a path through maps and arrays.
pub fn node_at<'n>(root: &'n Node, keys: &[String]) -> Option<&'n Node> {
    let mut cur = root;
    for k in keys {
        cur = child_ref(cur, k)?;
    }
    Some(cur)
}

fn node_at_mut<'n>(root: &'n mut Node, keys: &[String]) -> Option<&'n mut Node> {
    let mut cur = root;
    for k in keys {
        cur = match &mut cur.kind {
            Kind::Map(m) => m.get_mut(k)?,
            Kind::Seq(items) => items.get_mut(canonical_index(k)?)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// `target[keys...] = value` (the parents exist).
pub fn set_at(root: &mut Node, keys: &[String], value: Node) {
    let Some((last, parents)) = keys.split_last() else {
        *root = value;
        return;
    };
    let Some(parent) = node_at_mut(root, parents) else {
        return;
    };
    match &mut parent.kind {
        Kind::Map(m) => {
            let ks = m.key_span(last).unwrap_or(value.span);
            m.insert(last.clone(), ks, value);
        }
        Kind::Seq(items) => {
            if let Some(i) = canonical_index(last)
                && let Some(slot) = items.get_mut(i)
            {
                *slot = value;
            }
        }
        _ => {}
    }
}

/// A registered property.
#[derive(Debug)]
pub struct Prop {
    pub order: u64,
    pub meta: VMeta,
    /// Being resolved right now (on the call stack).
    pub busy: bool,
}

/// Everything one run of the resolver holds.
pub struct Resolver<'a> {
    pub root: &'a mut Node,
    pub sources: &'a mut SourceMap,
    pub input: &'a VarsInput<'a>,
    pub env: HashMap<String, String>,
    pub phase: Phase,
    pub supplied: Supplied,
    pub props: BTreeMap<PathKey, Prop>,
    next_order: u64,
    depth: HashMap<PathKey, u32>,
    deps: HashMap<PathKey, IndexMap<PathKey, Span>>,
    batch: u64,
    visited: HashSet<(u64, PathKey)>,
    cache: HashMap<String, Cached>,
    /// Bytes of values variables copied so far (see [`MAX_COPIED_BYTES`]).
    copied: usize,
    /// The one error once that budget is spent.
    copy_error: Option<ErrId>,
    in_flight: HashSet<String>,
    call_depth: u32,
    pub errors: Vec<VErr>,
    /// Errors that belong to no property (reported as they are).
    pub loose_errors: Vec<ErrId>,
    pub warnings: Vec<Diag>,
    warned: HashSet<(Span, usize)>,
    /// [`Self::locate`]'s answers: every copy a YAML alias makes of a string shares its site,
    /// and searching a long string again for each copy was quadratic.
    located: std::cell::RefCell<HashMap<(Span, usize, String), Span>>,
    /// The parse of the string last met at a location (with its text): the copies of an
    /// aliased string are parsed once.
    parsed: HashMap<Span, (String, ParseResult)>,
    /// Env names read while missing (for the `.env` conflict check), with where.
    pub missing_env: IndexMap<String, Span>,
    /// Parsed files by absolute path.
    pub files: HashMap<std::path::PathBuf, sources::file::Content>,
    /// The `param` table, computed once (memoized like the framework's).
    pub params_table: Option<Result<HashMap<String, Node>, Box<RawErr>>>,
    /// `provider.region` as it stood when the framework loaded its plugins (see
    /// [`super::Resolution`]); `None` until then.
    pub region_at_plugin_load: Option<Node>,
}

impl<'a> Resolver<'a> {
    pub fn new(
        root: &'a mut Node,
        sources: &'a mut SourceMap,
        input: &'a VarsInput<'a>,
        supplied: Supplied,
    ) -> Resolver<'a> {
        Resolver {
            root,
            sources,
            env: input.env.clone(),
            input,
            phase: Phase::default(),
            supplied,
            props: BTreeMap::new(),
            next_order: 0,
            depth: HashMap::new(),
            deps: HashMap::new(),
            batch: 0,
            visited: HashSet::new(),
            cache: HashMap::new(),
            copied: 0,
            copy_error: None,
            in_flight: HashSet::new(),
            call_depth: 0,
            errors: Vec::new(),
            loose_errors: Vec::new(),
            warnings: Vec::new(),
            warned: HashSet::new(),
            located: Default::default(),
            parsed: HashMap::new(),
            missing_env: IndexMap::new(),
            files: HashMap::new(),
            params_table: None,
            region_at_plugin_load: None,
        }
    }

    // --- errors ------------------------------------------------------------------------------

    /// Counts `bytes` (or the copy cost of `value`) against [`MAX_COPIED_BYTES`]; past it, the
    /// run's one "too large" error, located at the variable that crossed the line.
    pub fn charge(
        &mut self,
        path: &str,
        span: Span,
        value: Option<&Node>,
        bytes: usize,
    ) -> Result<(), ErrId> {
        if let Some(id) = self.copy_error {
            return Err(id);
        }
        let left = MAX_COPIED_BYTES.saturating_sub(self.copied);
        let cost = bytes + value.map_or(0, |v| copy_cost(v, left));
        self.copied += cost;
        if self.copied <= MAX_COPIED_BYTES {
            return Ok(());
        }
        let id = self.push_error(VErr {
            code: &super::TOO_LARGE,
            message: format!(
                "Cannot resolve variable at \"{}\": variables copy more than {} MiB of values into the configuration",
                human(path),
                MAX_COPIED_BYTES >> 20
            ),
            primary: ELabel {
                span,
                text: format!(
                    "this variable's value is copied here again, past {} MiB",
                    MAX_COPIED_BYTES >> 20
                ),
            },
            secondary: Vec::new(),
            help: Some("a large value reached from many places (a file that includes itself, a big subtree referenced from every copy of a YAML alias) multiplies; reference it from fewer places".into()),
        });
        self.copy_error = Some(id);
        Err(id)
    }

    pub fn push_error(&mut self, e: VErr) -> ErrId {
        self.errors.push(e);
        self.errors.len() - 1
    }

    /// The span of a variable's text inside the string written at `site`.
    pub fn locate(&self, site: Span, text: &str, hint: usize) -> Span {
        if site.is_none() || text.is_empty() {
            return site;
        }
        let key = (site, hint, text.to_string());
        if let Some(s) = self.located.borrow().get(&key) {
            return *s;
        }
        let found = self.search(site, text, hint);
        self.located.borrow_mut().insert(key, found);
        found
    }

    fn search(&self, site: Span, text: &str, hint: usize) -> Span {
        let snippet = self.sources.snippet(site);
        // the occurrence of `text` closest to `hint` (the earlier one on a tie): the nearest
        // at or after it and the nearest before it, not every occurrence (a string of
        // thousands of variables made that quadratic)
        let (hay, needle) = (snippet.as_bytes(), text.as_bytes());
        let hint = hint.min(hay.len());
        let after = hay[hint..]
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|p| hint + p);
        let before_end = (hint + needle.len()).saturating_sub(1).min(hay.len());
        let before = hay[..before_end]
            .windows(needle.len())
            .rposition(|w| w == needle);
        let best = match (before, after) {
            (Some(b), Some(a)) => Some(if hint - b <= a - hint { b } else { a }),
            (b, a) => b.or(a),
        };
        match best {
            Some(p) => site.sub(p, p + text.len()),
            None => site,
        }
    }

    /// `Cannot resolve variable at "<path>": <message>`.
    pub fn wrap(&mut self, path: &str, raw: RawErr, var_span: Span) -> ErrId {
        let message = format!(
            "Cannot resolve variable at \"{}\": {}",
            human(path),
            raw.message
        );
        let (primary, mut secondary) = match raw.origin {
            Some(o) => (
                o,
                vec![ELabel {
                    span: var_span,
                    text: raw.label,
                }],
            ),
            None => (
                ELabel {
                    span: var_span,
                    text: raw.label,
                },
                Vec::new(),
            ),
        };
        secondary.extend(raw.secondary);
        self.push_error(VErr {
            code: raw.code,
            message,
            primary,
            secondary,
            help: raw.help,
        })
    }

    /// An error found inside another file (an include) also shows the variable that led there.
    fn note_use(&mut self, id: ErrId, var_span: Span) {
        if var_span.is_none() {
            return;
        }
        let Some(e) = self.errors.get_mut(id) else {
            return;
        };
        let overlaps =
            |s: Span| s.file == var_span.file && s.start < var_span.end && var_span.start < s.end;
        if e.primary.span.file == var_span.file
            || overlaps(e.primary.span)
            || e.secondary.iter().any(|l| overlaps(l.span))
        {
            return;
        }
        e.secondary.push(ELabel {
            span: var_span,
            text: "reached through this variable".into(),
        });
    }

    fn fail_to_err(&mut self, path: &str, f: Fail, var_span: Span) -> Option<ErrId> {
        match f {
            Fail::Pending => None,
            Fail::Done(id) => Some(id),
            Fail::Raw(raw) => Some(self.wrap(path, *raw, var_span)),
        }
    }

    // --- registry ----------------------------------------------------------------------------

    pub fn new_batch(&mut self) -> u64 {
        self.batch += 1;
        self.batch
    }

    /// Registers (or replaces, keeping its order) a property's metadata.
    pub fn set_prop(&mut self, path: PathKey, meta: VMeta) {
        match self.props.get_mut(&path) {
            Some(p) => p.meta = meta,
            None => {
                self.next_order += 1;
                self.props.insert(
                    path,
                    Prop {
                        order: self.next_order,
                        meta,
                        busy: false,
                    },
                );
            }
        }
    }

    /// Property paths in registration order.
    pub fn prop_keys(&self) -> Vec<PathKey> {
        let mut v: Vec<(&u64, &PathKey)> = self.props.iter().map(|(k, p)| (&p.order, k)).collect();
        v.sort();
        v.into_iter().map(|(_, k)| k.clone()).collect()
    }

    /// Keys of properties under `prefix` (`prefix` ends with `\0`, or is empty for all).
    fn keys_under(&self, prefix: &str) -> Vec<PathKey> {
        let mut v: Vec<(u64, PathKey)> = if prefix.is_empty() {
            self.props
                .iter()
                .map(|(k, p)| (p.order, k.clone()))
                .collect()
        } else {
            self.props
                .range::<str, _>((
                    std::ops::Bound::Included(prefix),
                    std::ops::Bound::Unbounded,
                ))
                .take_while(|(k, _)| k.starts_with(prefix))
                .map(|(k, p)| (p.order, k.clone()))
                .collect()
        };
        v.sort();
        v.into_iter().map(|(_, k)| k).collect()
    }

    /// `isPropertyResolved`: no variables at the path, above it or below it.
    pub fn is_resolved(&self, path: &str) -> bool {
        let keys: Vec<&str> = path.split('\0').collect();
        for i in 1..=keys.len() {
            if self.props.contains_key(&keys[..i].join("\0")) {
                return false;
            }
        }
        self.keys_under(&format!("{path}\0")).is_empty()
    }

    /// The properties that make `path` unresolved (at, above or below it).
    pub fn blocking(&self, path: &str) -> Vec<PathKey> {
        let keys: Vec<&str> = path.split('\0').collect();
        let mut out = Vec::new();
        for i in 1..=keys.len() {
            let k = keys[..i].join("\0");
            if self.props.contains_key(&k) {
                out.push(k);
            }
        }
        out.extend(self.keys_under(&format!("{path}\0")));
        out
    }

    /// Parses every string under `value` (at `prefix`) into property metadata, in JavaScript
    /// key order. Syntax errors become metadata carrying the error.
    pub fn parse_entries(&mut self, value: &Node, prefix: &[String]) -> Vec<(PathKey, VMeta)> {
        self.parse_entries_capped(value, prefix, usize::MAX)
    }

    /// [`Self::parse_entries`], stopping once more than `cap` entries are found.
    pub fn parse_entries_capped(
        &mut self,
        value: &Node,
        prefix: &[String],
        cap: usize,
    ) -> Vec<(PathKey, VMeta)> {
        let mut out = Vec::new();
        let mut path: Vec<String> = prefix.to_vec();
        self.parse_entries_into(value, &mut path, &mut out, cap);
        out
    }

    /// [`parse::parse`], remembered per location for long strings with variables (the only ones
    /// whose parse costs more than the lookup; keeping every string would double the memory of
    /// the configuration's text).
    fn parse_at(&mut self, span: Span, s: &str) -> ParseResult {
        if span.is_none() || s.len() < 256 || !s.contains("${") {
            return parse::parse(s);
        }
        if let Some((text, res)) = self.parsed.get(&span)
            && text == s
        {
            return res.clone();
        }
        let res = parse::parse(s);
        self.parsed.insert(span, (s.to_string(), res.clone()));
        res
    }

    fn parse_entries_into(
        &mut self,
        value: &Node,
        path: &mut Vec<String>,
        out: &mut Vec<(PathKey, VMeta)>,
        cap: usize,
    ) {
        let visit = |this: &mut Self,
                     key: String,
                     v: &Node,
                     path: &mut Vec<String>,
                     out: &mut Vec<(PathKey, VMeta)>| {
            path.push(key);
            if let Kind::String(s) = &v.kind
                && s.contains("${")
            {
                this.warn_lookalikes(v.span, s);
            }
            match &v.kind {
                Kind::Map(_) | Kind::Seq(_) => this.parse_entries_into(v, path, out, cap),
                Kind::String(s) => match this.parse_at(v.span, s) {
                    Ok(None) => {}
                    Ok(Some(vars)) => {
                        let vars = convert_vars(vars, s, v.span);
                        let mut m = VMeta::plain(v.clone(), v.span);
                        m.vars = Some(vars);
                        out.push((path.join("\0"), m));
                    }
                    Err(e) => {
                        let key = path.join("\0");
                        let span = this.syntax_span(v.span, s, e.at);
                        let id = this.push_error(VErr {
                            code: &super::SYNTAX,
                            message: format!(
                                "Variable syntax error at \"{}\": {}",
                                human(&key),
                                e.message
                            ),
                            primary: ELabel {
                                span,
                                text: syntax_label(e.code, s, e.at).into(),
                            },
                            secondary: Vec::new(),
                            help: Some(syntax_help(e.code, s, e.at).into()),
                        });
                        let mut m = VMeta::plain(v.clone(), v.span);
                        m.error = Some(id);
                        out.push((key, m));
                    }
                },
                _ => {}
            }
            path.pop();
        };
        match &value.kind {
            Kind::Map(m) => {
                for (k, e) in m.iter() {
                    if out.len() > cap {
                        return;
                    }
                    visit(self, k.to_string(), &e.value, path, out);
                }
            }
            Kind::Seq(items) => {
                for (i, v) in items.iter().enumerate() {
                    if out.len() > cap {
                        return;
                    }
                    visit(self, i.to_string(), v, path, out);
                }
            }
            _ => {}
        }
    }

    /// Warns about `${Self:x}`, `${ self:x}`, `${self :x}`: text the framework leaves as it is
    /// although it was most likely meant as a variable.
    fn warn_lookalikes(&mut self, site: Span, s: &str) {
        let b = s.as_bytes();
        let mut i = 0;
        while let Some(p) = s.get(i..).and_then(|t| t.find("${")) {
            let start = i + p;
            i = start + 2;
            if start > 0 && b[start - 1] == b'\\' {
                continue;
            }
            let mut j = start + 2;
            let lead = b[j..].iter().take_while(|c| **c == b' ').count();
            j += lead;
            let w0 = j;
            while j < b.len() && b[j].is_ascii_alphabetic() {
                j += 1;
            }
            let word = &s[w0..j];
            let gap = b[j..].iter().take_while(|c| **c == b' ').count();
            let k = j + gap;
            let Some(&next) = b.get(k) else { continue };
            if !(next == b':' || next == b'(') || b.get(k + 1) == Some(&b':') {
                continue;
            }
            let Some(canonical) = sources::BUILTIN
                .iter()
                .find(|t| t.eq_ignore_ascii_case(word))
            else {
                continue;
            };
            if lead == 0 && gap == 0 && word == *canonical {
                continue;
            }
            let end = s[start..]
                .find('}')
                .map(|e| start + e + 1)
                .unwrap_or(s.len());
            let text = &s[start..end];
            if !self.warned.insert((site, start)) {
                continue;
            }
            let span = self.locate(site, text, start);
            let fixed = format!("${{{canonical}{}", &s[k..end]);
            self.warnings.push(
                Diag::warning(
                    &super::LOOKALIKE,
                    format!("`{text}` is not a variable: it stays in the output as written"),
                )
                .label(span, "kept literally")
                .help(format!(
                    "a variable starts with a lowercase source type right after `${{`, without spaces before `:` or `(`; write `{fixed}` (or escape it as `\\${{…}}` to keep it literal on purpose)"
                )),
            );
        }
    }

    /// The span of a syntax error: from the error's position to the next `}` (or the end) when
    /// the string is written literally, else the whole node.
    pub fn syntax_span(&self, site: Span, s: &str, at: usize) -> Span {
        let snippet = self.sources.snippet(site);
        if let Some(p) = snippet.find(s) {
            let end = s
                .get(at..)
                .and_then(|rest| rest.find('}'))
                .map(|e| at + e + 1)
                .unwrap_or(s.len())
                .max(at + 1);
            return site.sub(p + at, p + end);
        }
        site
    }

    // --- resolution --------------------------------------------------------------------------

    /// Resolves every registered property, or those related to `targets`.
    pub fn resolve_all(&mut self, targets: Option<&[&str]>) {
        let batch = self.new_batch();
        let keys = self.prop_keys();
        match targets {
            None => {
                for k in keys {
                    self.resolve_property(batch, &k);
                }
            }
            Some(ts) => {
                for t in ts {
                    for k in &keys {
                        if t.starts_with(&format!("{k}\0"))
                            || k == t
                            || k.starts_with(&format!("{t}\0"))
                        {
                            self.resolve_property(batch, k);
                        }
                    }
                }
            }
        }
    }

    /// Memoized per batch, like the framework's `resolveProperty`.
    pub fn resolve_property(&mut self, batch: u64, path: &str) {
        if self.props.get(path).is_some_and(|p| p.busy) {
            return;
        }
        if !self.visited.insert((batch, path.to_string())) {
            return;
        }
        self.resolve_property_now(batch, path);
    }

    fn resolve_property_now(&mut self, batch: u64, path: &str) {
        let Some(prop) = self.props.get_mut(path) else {
            return;
        };
        if prop.meta.vars.is_none() {
            return;
        }
        let placeholder = VMeta {
            value: None,
            source_values: None,
            vars: Some(Vec::new()),
            error: None,
            more_errors: Vec::new(),
            site: prop.meta.site,
        };
        let mut meta = std::mem::replace(&mut prop.meta, placeholder);
        prop.busy = true;
        self.resolve_variables(batch, path, &mut meta);
        let done = meta.has_value();
        if let Some(prop) = self.props.get_mut(path) {
            prop.busy = false;
            prop.meta = meta;
        }
        if !done {
            return;
        }
        let keys = split_path(path);
        let (value, source_values, site) = match self.props.get(path) {
            Some(p) => (
                p.meta
                    .value
                    .clone()
                    .unwrap_or_else(|| Node::null(p.meta.site)),
                p.meta.source_values.clone(),
                p.meta.site,
            ),
            None => return,
        };
        let mut prop_vars: Vec<(PathKey, VMeta)> = Vec::new();
        match &value.kind {
            Kind::String(s) => match reparse(s, source_values.as_deref()) {
                Err(e) => {
                    let span = self.syntax_span(site, s, e.at);
                    let id = self.push_error(VErr {
                        code: &super::SYNTAX,
                        message: format!(
                            "Cannot resolve variable at \"{}\": Approached variable syntax error in resolved value \"{}\": {}",
                            human(path),
                            s,
                            e.message
                        ),
                        primary: ELabel {
                            span,
                            text: "this resolves to text that is not valid variable syntax".into(),
                        },
                        secondary: Vec::new(),
                        help: Some("a resolved string is parsed again for variables; escape a literal `${` in the value as `\\${`".into()),
                    });
                    if let Some(p) = self.props.get_mut(path) {
                        p.meta.value = None;
                        p.meta.error = Some(id);
                    }
                    return;
                }
                Ok(Some(vars)) => {
                    let mut m = VMeta::plain(value.clone(), site);
                    m.vars = Some(convert_vars(vars, s, site));
                    prop_vars.push((path.to_string(), m));
                }
                Ok(None) => {}
            },
            Kind::Map(_) | Kind::Seq(_) => {
                prop_vars = self.parse_entries(&value, &keys);
            }
            _ => {}
        }
        let has_self = prop_vars.iter().any(|(k, _)| k == path);
        if !prop_vars.is_empty() {
            let depth = self.depth.get(path).copied().unwrap_or(0) + 1;
            if depth > 10 {
                let id = self.push_error(VErr {
                    code: &super::DEPTH,
                    message: format!(
                        "Cannot resolve variable at \"{}\": Excessive property variables nest depth",
                        human(path)
                    ),
                    primary: ELabel {
                        span: site,
                        text: "resolved values keep containing variables".into(),
                    },
                    secondary: Vec::new(),
                    help: Some("a resolved value may contain variables at most 10 levels deep; this is most likely a value that refers to itself through its own result".into()),
                });
                if let Some(p) = self.props.get_mut(path) {
                    p.meta.value = None;
                    p.meta.error = Some(id);
                }
                return;
            }
            let sub_keys: Vec<PathKey> = prop_vars.iter().map(|(k, _)| k.clone()).collect();
            for (k, m) in prop_vars {
                self.depth.insert(k.clone(), depth);
                self.set_prop(k, m);
            }
            if !has_self {
                self.props.remove(path);
            }
            set_at(self.root, &keys, value);
            if has_self {
                self.resolve_property_now(batch, path);
            } else {
                let nb = self.new_batch();
                for k in sub_keys {
                    self.resolve_property(nb, &k);
                }
            }
            return;
        }
        self.props.remove(path);
        set_at(self.root, &keys, value);
    }

    /// Resolves every variable of one value and rebuilds it when all are resolved.
    pub fn resolve_variables(&mut self, batch: u64, path: &str, meta: &mut VMeta) {
        let Some(mut vars) = meta.vars.take() else {
            return;
        };
        let mut errors: Vec<ErrId> = Vec::new();
        for v in vars.iter_mut() {
            if !matches!(v.state, VarState::Sources(_)) {
                continue;
            }
            self.resolve_variable(batch, path, v, meta.site);
            if let VarState::Error(id) = v.state {
                errors.push(id);
            }
        }
        if let Some((first, rest)) = errors.split_first() {
            meta.error = Some(*first);
            meta.more_errors
                .extend(rest.iter().copied().filter(|e| e != first));
            return;
        }
        if vars.iter().any(|v| matches!(v.state, VarState::Sources(_))) {
            meta.vars = Some(vars);
            return;
        }
        if vars.len() == 1 && vars[0].whole {
            let var_span = self.locate(meta.site, &vars[0].text, vars[0].start);
            if let VarState::Value(v) = std::mem::replace(&mut vars[0].state, VarState::Error(0)) {
                if Rc::strong_count(&v) > 1
                    && matches!(v.kind, Kind::Map(_) | Kind::Seq(_) | Kind::String(_))
                    && let Err(id) = self.charge(path, var_span, Some(&v), 0)
                {
                    meta.error = Some(id);
                    return;
                }
                meta.value = Some(Rc::unwrap_or_clone(v));
            }
            meta.source_values = None;
            return;
        }
        let raw = meta.value_str().to_string();
        let mut parts: Vec<String> = Vec::with_capacity(vars.len() * 2 + 1);
        let mut last = 0;
        for v in &vars {
            let VarState::Value(value) = &v.state else {
                continue;
            };
            let Some(s) = coerce_string(value) else {
                let span = self.locate(meta.site, &v.text, v.start);
                let what = if value.is_null() { "null" } else { "an object" };
                let id = self.push_error(VErr {
                    code: &super::NON_STRING,
                    message: format!(
                        "Cannot resolve variable at \"{}\": String value consist of variable which resolve with non-string value",
                        human(path)
                    ),
                    primary: ELabel {
                        span,
                        text: format!("this resolves to {what}, which cannot be part of a string"),
                    },
                    secondary: Vec::new(),
                    help: Some("only strings, numbers, booleans and arrays can be interpolated into text; use the variable as the whole value to keep an object, or point it at a scalar".into()),
                });
                meta.error = Some(id);
                meta.value = Some(Node::string(meta.site, raw));
                return;
            };
            parts.push(parse::slice(&raw, last, v.start).to_string());
            parts.push(s);
            last = v.end;
        }
        parts.push(parse::slice(&raw, last, raw.len()).to_string());
        let len = parts.iter().map(String::len).sum::<usize>();
        let var_span = vars
            .last()
            .map_or(meta.site, |v| self.locate(meta.site, &v.text, v.start));
        if let Err(id) = self.charge(path, var_span, None, len) {
            meta.error = Some(id);
            meta.value = Some(Node::string(meta.site, raw));
            return;
        }
        let span = meta.value.as_ref().map(|n| n.span).unwrap_or(meta.site);
        meta.value = Some(Node::string(span, parts.concat()));
        meta.source_values = Some(parts);
    }

    /// Tries the sources of one variable left to right.
    fn resolve_variable(&mut self, batch: u64, path: &str, var: &mut VarMeta, site: Span) {
        let VarState::Sources(srcs) = &mut var.state else {
            return;
        };
        let mut work = std::mem::take(srcs);
        let var_span = self.locate(site, &var.text, var.start);
        let mut i = 0;
        loop {
            let Some(src) = work.get_mut(i) else {
                var.state = VarState::Sources(work);
                return;
            };
            match src {
                SourceData::Literal(v) => {
                    let mut v = v.clone();
                    v.span = var_span;
                    var.state = VarState::Value(Rc::new(v));
                    return;
                }
                SourceData::Typed {
                    ty,
                    params,
                    address,
                } => {
                    let ty = ty.clone();
                    if !self.phase.has(&ty, &self.supplied) {
                        var.state = VarState::Sources(work);
                        return;
                    }
                    let before = self.errors.len();
                    let res =
                        self.resolve_variable_source(batch, path, &ty, params, address, var_span);
                    if let Err(Fail::Done(id)) = &res
                        && *id >= before
                    {
                        self.note_use(*id, var_span);
                    }
                    match res {
                        Err(f) => match self.fail_to_err(path, f, var_span) {
                            None => {
                                var.state = VarState::Sources(work.split_off(i));
                                return;
                            }
                            Some(id) => {
                                var.state = VarState::Error(id);
                                return;
                            }
                        },
                        Ok(out) => {
                            if let Some(v) = out.value {
                                var.state = VarState::Value(v);
                                return;
                            }
                            if out.pending {
                                var.state = VarState::Sources(work.split_off(i));
                                return;
                            }
                            i += 1;
                            if i >= work.len() {
                                let detail = out.eventual.unwrap_or_else(|| {
                                    format!("Value not found at \"{ty}\" source")
                                });
                                let fallback_hint = format!(
                                    "add a fallback for when it is missing: `{}`",
                                    with_fallback(&var.text)
                                );
                                let help = match out.help {
                                    Some(h) => format!("{h}; or {fallback_hint}"),
                                    None => fallback_hint,
                                };
                                let label = if work.len() > 1 {
                                    "no source of this variable has a value".to_string()
                                } else {
                                    format!("no value at `{ty}`")
                                };
                                let id = self.push_error(VErr {
                                    code: &super::NOT_FOUND,
                                    message: format!(
                                        "Cannot resolve variable at \"{}\": {detail}",
                                        human(path)
                                    ),
                                    primary: ELabel {
                                        span: var_span,
                                        text: label,
                                    },
                                    secondary: Vec::new(),
                                    help: Some(help),
                                });
                                var.state = VarState::Error(id);
                                return;
                            }
                        }
                    }
                }
            }
        }
    }

    /// Resolves the variables in a source's params and address, then calls the source.
    fn resolve_variable_source(
        &mut self,
        batch: u64,
        path: &str,
        ty: &str,
        params: &mut Option<Vec<VMeta>>,
        address: &mut Option<VMeta>,
        var_span: Span,
    ) -> Result<SrcOut, Fail> {
        if let Some(ps) = params.as_mut() {
            let mut first: Option<Fail> = None;
            for p in ps.iter_mut() {
                if p.vars.is_none() {
                    continue;
                }
                self.resolve_variables(batch, path, p);
                if let Err(f) = self.resolve_internal(batch, path, p, 10)
                    && first.is_none()
                {
                    first = Some(f);
                }
            }
            if let Some(f) = first {
                return Err(f);
            }
        }
        if let Some(a) = address.as_mut()
            && a.vars.is_some()
        {
            self.resolve_variables(batch, path, a);
            self.resolve_internal(batch, path, a, 10)?;
        }
        let pvals: Option<Vec<Node>> = params.as_ref().map(|ps| {
            ps.iter()
                .map(|p| p.value.clone().unwrap_or_else(|| Node::null(p.site)))
                .collect()
        });
        let aval: Option<Node> = address
            .as_ref()
            .and_then(|a| a.value.clone())
            .filter(|n| !n.is_null());
        self.resolve_source(batch, path, ty, pvals, aval, var_span)
    }

    /// The source call, cached per batch by (type, params, address).
    fn resolve_source(
        &mut self,
        batch: u64,
        path: &str,
        ty: &str,
        params: Option<Vec<Node>>,
        address: Option<Node>,
        var_span: Span,
    ) -> Result<SrcOut, Fail> {
        let mut key = format!("{batch}\n{ty}\n");
        match &params {
            Some(ps) => {
                for (i, p) in ps.iter().enumerate() {
                    if i > 0 {
                        key.push(',');
                    }
                    key_part(&mut key, p);
                }
            }
            None => key.push('-'),
        }
        key.push('\n');
        match &address {
            Some(a) => key_part(&mut key, a),
            None => key.push('-'),
        }
        if let Some(c) = self.cache.get(&key) {
            let res = c.res.clone();
            return if c.unspanned {
                fill_spans(res, var_span)
            } else {
                res
            };
        }
        if self.in_flight.contains(&key) {
            // the framework would wait on its own pending result forever
            return Err(RawErr::new(
                &super::CIRCULAR,
                format!("Circular reference: resolving this \"{ty}\" variable needs its own result"),
                "this variable's value depends on itself",
            )
            .help("a value reached through this variable (e.g. a string in an included file) refers back to the same variable")
            .into());
        }
        if self.call_depth >= MAX_CALL_DEPTH {
            return Err(RawErr::new(
                &super::DEPTH,
                format!("Variables nest deeper than {MAX_CALL_DEPTH} levels"),
                "too deeply nested",
            )
            .help("variables that refer to variables form a chain longer than slsx follows; shorten the chain")
            .into());
        }
        let req = sources::Req {
            batch,
            path: path.to_string(),
            ty: ty.to_string(),
            params,
            address,
            span: var_span,
        };
        self.in_flight.insert(key.clone());
        self.call_depth += 1;
        let res = sources::call(self, &req);
        self.call_depth -= 1;
        self.in_flight.remove(&key);
        let unspanned = res
            .as_ref()
            .is_ok_and(|o| o.value.as_deref().is_some_and(has_unspanned));
        self.cache.insert(
            key,
            Cached {
                res: res.clone(),
                unspanned,
            },
        );
        if unspanned {
            fill_spans(res, var_span)
        } else {
            res
        }
    }

    /// `resolveInternalResult`: a param/address value that still holds variables (a resolved
    /// string parsed again, or strings inside a resolved object).
    pub fn resolve_internal(
        &mut self,
        batch: u64,
        path: &str,
        meta: &mut VMeta,
        nest: u32,
    ) -> Result<(), Fail> {
        if let Some(e) = meta.error {
            return Err(Fail::Done(e));
        }
        if meta.vars.is_some() {
            return Err(Fail::Pending);
        }
        if nest == 0 {
            let id = self.push_error(VErr {
                code: &super::DEPTH,
                message: format!(
                    "Cannot resolve variable at \"{}\": Excessive variables nest depth",
                    human(path)
                ),
                primary: ELabel {
                    span: meta.site,
                    text: "the values of this variable's params or address keep containing variables".into(),
                },
                secondary: Vec::new(),
                help: Some("a param or address may resolve to text with more variables at most 10 levels deep".into()),
            });
            return Err(Fail::Done(id));
        }
        let Some(value) = meta.value.clone() else {
            return Ok(());
        };
        match &value.kind {
            Kind::String(s) => {
                let parsed = reparse(s, meta.source_values.as_deref());
                match parsed {
                    Err(e) => {
                        let id = self.push_error(VErr {
                            code: &super::SYNTAX,
                            message: format!(
                                "Cannot resolve variable at \"{}\": Approached variable syntax error in resolved value \"{}\": {}",
                                human(path),
                                s,
                                e.message
                            ),
                            primary: ELabel {
                                span: meta.site,
                                text: "a value resolved here is not valid variable syntax".into(),
                            },
                            secondary: Vec::new(),
                            help: Some("a resolved string is parsed again for variables; escape a literal `${` in the value as `\\${`".into()),
                        });
                        meta.value = None;
                        meta.error = Some(id);
                        Err(Fail::Done(id))
                    }
                    Ok(None) => Ok(()),
                    Ok(Some(vars)) => {
                        meta.vars = Some(convert_vars(vars, s, meta.site));
                        meta.source_values = None;
                        self.resolve_variables(batch, path, meta);
                        self.resolve_internal(batch, path, meta, nest - 1)
                    }
                }
            }
            Kind::Map(_) | Kind::Seq(_) => {
                let entries = self.parse_entries(&value, &[]);
                let mut value = value;
                for (k, mut sub) in entries {
                    self.resolve_variables(batch, path, &mut sub);
                    self.resolve_internal(batch, path, &mut sub, nest - 1)?;
                    let keys = split_path(&k);
                    let v = sub.value.unwrap_or_else(|| Node::null(sub.site));
                    set_at(&mut value, &keys, v);
                }
                meta.value = Some(value);
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// `resolveVariablesInString` (used by `file` for strings met along an address).
    pub fn resolve_in_string(&mut self, batch: u64, path: &str, node: &Node) -> Result<Node, Fail> {
        let Some(s) = node.as_str() else {
            return Ok(node.clone());
        };
        match parse::parse(s) {
            Err(e) => Err(RawErr::new(
                &super::SYNTAX,
                e.message.clone(),
                "the file's value is used here",
            )
            .origin(
                self.syntax_span(node.span, s, e.at),
                syntax_label(e.code, s, e.at),
            )
            .help(syntax_help(e.code, s, e.at))
            .into()),
            Ok(None) => Ok(node.clone()),
            Ok(Some(vars)) => {
                let mut meta = VMeta::plain(node.clone(), node.span);
                meta.vars = Some(convert_vars(vars, s, node.span));
                self.resolve_variables(batch, path, &mut meta);
                self.resolve_internal(batch, path, &mut meta, 10)?;
                Ok(meta.value.unwrap_or_else(|| Node::null(node.span)))
            }
        }
    }

    // --- self --------------------------------------------------------------------------------

    fn circular(
        &self,
        dependent: &str,
        dependency: &str,
        via: &[(PathKey, PathKey, Span)],
        span: Span,
    ) -> RawErr {
        let message = if dependent == dependency {
            format!(
                "Circular reference. \"{}\" refers to itself",
                human(dependent)
            )
        } else {
            format!(
                "Circular reference among \"{}\" and \"{}\" properties",
                human(dependent),
                human(dependency)
            )
        };
        let mut e = RawErr::new(
            &super::CIRCULAR,
            message,
            if dependent == dependency {
                "this refers to the property it is written in".to_string()
            } else {
                format!("`{}` refers to `{}` here", human(dependent), human(dependency))
            },
        )
        .help("break the cycle: one of these values must not depend on the other (`${self:}` always refers to the whole config, itself included)");
        for (from, to, s) in via {
            if *s != span {
                e = e.secondary(
                    *s,
                    format!("`{}` refers to `{}` here", human(from), human(to)),
                );
            }
        }
        e
    }

    /// Checks that `dependent` → `dependency` closes no cycle, then records it.
    fn register_dep(&mut self, dependent: &str, dependency: &str, span: Span) -> Result<(), Fail> {
        if dependent == dependency {
            return Err(self.circular(dependent, dependency, &[], span).into());
        }
        // depth-first over recorded dependencies, in insertion order, as the framework does
        let mut seen: HashSet<&str> = HashSet::new();
        type Trail = Vec<(PathKey, PathKey, Span)>;
        let mut stack: Vec<(&str, Trail)> = vec![(dependency, Vec::new())];
        let mut found: Option<(String, Trail)> = None;
        while let Some((d, trail)) = stack.pop() {
            if !seen.insert(d) {
                continue;
            }
            let Some(dd) = self.deps.get(d) else {
                continue;
            };
            if let Some(s) = dd.get(dependent) {
                let mut t = trail.clone();
                t.push((d.to_string(), dependent.to_string(), *s));
                found = Some((d.to_string(), t));
                break;
            }
            for (next, s) in dd.iter().rev() {
                let mut t = trail.clone();
                t.push((d.to_string(), next.clone(), *s));
                stack.push((next.as_str(), t));
            }
        }
        if let Some((d, trail)) = found {
            return Err(self.circular(dependent, &d, &trail, span).into());
        }
        self.deps
            .entry(dependent.to_string())
            .or_default()
            .entry(dependency.to_string())
            .or_insert(span);
        Ok(())
    }

    fn dep_state(&self, dependent: &str, dep: &str, span: Span) -> Result<(), Fail> {
        match self.props.get(dep) {
            None => Ok(()),
            Some(p) if p.busy => Err(self.circular(dependent, dep, &[], span).into()),
            Some(p) => match p.meta.error {
                Some(e) => Err(Fail::Done(e)),
                None => Err(Fail::Pending),
            },
        }
    }

    /// `resolveDependentProperty`: the value at `keys` once everything it depends on is
    /// resolved.
    pub fn resolve_dependent(
        &mut self,
        batch: u64,
        dependent: &str,
        keys: &[String],
        span: Span,
    ) -> Result<Option<Node>, Fail> {
        for i in 0..keys.len() {
            match node_at(self.root, &keys[..i]) {
                None => return Ok(None),
                Some(n) if n.is_null() => return Ok(None),
                _ => {}
            }
            let dep = keys[..=i].join("\0");
            if self.props.contains_key(&dep) {
                self.register_dep(dependent, &dep, span)?;
                self.resolve_property(batch, &dep);
            }
            self.dep_state(dependent, &dep, span)?;
        }
        // the last step may index a string (`length`, a character)
        let container = match node_at(self.root, keys) {
            Some(n) => matches!(n.kind, Kind::Map(_) | Kind::Seq(_)),
            None => false,
        };
        if !container {
            let value = match keys.split_last() {
                None => Some(self.root.clone()),
                Some((last, parents)) => match node_at(self.root, parents) {
                    None => None,
                    Some(p) if p.is_null() => None,
                    Some(p) => js_index(p, last),
                },
            };
            return Ok(value);
        }
        let prefix = if keys.is_empty() {
            String::new()
        } else {
            format!("{}\0", keys.join("\0"))
        };
        let subs = self.keys_under(&prefix);
        let mut reg_err: Option<Fail> = None;
        let mut res_err: Option<Fail> = None;
        for p in subs {
            if let Err(f) = self.register_dep(dependent, &p, span) {
                reg_err.get_or_insert(f);
                continue;
            }
            self.resolve_property(batch, &p);
            if let Err(f) = self.dep_state(dependent, &p, span) {
                res_err.get_or_insert(f);
            }
        }
        if let Some(f) = reg_err.or(res_err) {
            return Err(f);
        }
        let Some(n) = node_at(self.root, keys) else {
            return Ok(None);
        };
        let cost = copy_cost(n, MAX_COPIED_BYTES.saturating_sub(self.copied));
        self.charge(dependent, span, None, cost)
            .map_err(Fail::Done)?;
        Ok(node_at(self.root, keys).cloned())
    }
}

/// A param or address in a source cache key: its JSON text (a string written directly).
fn key_part(key: &mut String, n: &Node) {
    match &n.kind {
        Kind::String(s)
            if !s.contains(['"', '\\', ',', '\n']) && !s.chars().any(char::is_control) =>
        {
            key.push('"');
            key.push_str(s);
            key.push('"');
        }
        _ => key.push_str(&crate::emit::json::to_compact(&n.to_json())),
    }
}

/// How many source calls may nest (a chain of `self` references, includes, ...).
const MAX_CALL_DEPTH: u32 = 5_000;

/// Values a source made up (no location) take the location of the variable.
fn fill_spans(res: Result<SrcOut, Fail>, span: Span) -> Result<SrcOut, Fail> {
    res.map(|mut out| {
        if let Some(v) = out.value.as_mut() {
            fill_node(Rc::make_mut(v), span);
        }
        out
    })
}

/// Whether a source made up part of this value (those parts take the variable's location).
fn has_unspanned(n: &Node) -> bool {
    let mut found = false;
    n.visit(|x, _| {
        found = x.span.is_none();
        !found
    });
    found
}

/// A source's result as cached for the batch.
struct Cached {
    res: Result<SrcOut, Fail>,
    /// Holds values without a location, filled in per variable.
    unspanned: bool,
}

/// How many bytes of values variables may copy into the configuration in one run: each copy
/// of an object, array or string a variable places (a node counts [`NODE_BYTES`], a string
/// its length) and each interpolated string. The generated 1,000-machine service copies 19 KB
/// and no fixture more than 4 KB; a CloudFormation template may not exceed 1 MB. A large
/// value reached from every copy a YAML alias makes of a string is copied once per copy:
/// without a bound, minutes of work and gigabytes (the framework shares such objects and
/// writes every copy out).
pub const MAX_COPIED_BYTES: usize = 64 * 1024 * 1024;

/// What one node costs in [`MAX_COPIED_BYTES`] (about its size in memory).
const NODE_BYTES: usize = 32;

/// The copy cost of a value, counted only up to `limit` (so a budget check never walks more
/// than the budget left).
fn copy_cost(n: &Node, limit: usize) -> usize {
    let mut total = 0;
    n.visit(|x, key| {
        total += NODE_BYTES + key.map_or(0, str::len);
        if let Kind::String(s) = &x.kind {
            total += s.len();
        }
        total <= limit
    });
    total
}

fn fill_node(n: &mut Node, span: Span) {
    if n.span.is_none() {
        n.span = span;
    }
    match &mut n.kind {
        Kind::Seq(items) => items.iter_mut().for_each(|x| fill_node(x, span)),
        Kind::Map(m) => m.values_mut().for_each(|x| fill_node(x, span)),
        _ => {}
    }
}

/// Parses a resolved string again: each part of an interpolated value on its own (positions
/// shifted; never "whole"), else the string itself.
pub fn reparse(
    s: &str,
    source_values: Option<&[String]>,
) -> Result<Option<Vec<parse::Var>>, parse::ParseError> {
    let Some(parts) = source_values else {
        return parse::parse(s);
    };
    let mut base = 0;
    let mut out: Option<Vec<parse::Var>> = None;
    for part in parts {
        if let Some(vars) = parse::parse(part)? {
            let list = out.get_or_insert_with(Vec::new);
            for mut v in vars {
                if v.whole {
                    v.start = base;
                    v.end = base + part.len();
                    v.whole = false;
                } else {
                    v.start += base;
                    v.end += base;
                }
                list.push(v);
            }
        }
        base += part.len();
    }
    Ok(out)
}

/// `${a:b}` → `${a:b, 'default'}` (for help texts).
pub fn with_fallback(text: &str) -> String {
    match text.strip_suffix('}') {
        Some(t) => format!("{t}, 'default'}}"),
        None => text.to_string(),
    }
}

/// What kind of "invalid source" error this is, from the character at the position.
fn source_error_kind(s: &str, at: usize) -> &'static str {
    match s.as_bytes().get(at) {
        Some(b'}') => "comma",
        Some(b'\'') | Some(b'"') => "literal",
        _ => "other",
    }
}

pub fn syntax_label(code: &str, s: &str, at: usize) -> &'static str {
    match code {
        "UNTERMINATED_VARIABLE" => "this variable is never closed",
        "VARIABLES_TOO_DEEP" => "one level too deep",
        "INVALID_VARIABLE_TYPE" => "not a valid source type",
        "INVALID_VARIABLE_LITERAL_SOURCE" => "unquoted text is not a literal",
        "INVALID_VARIABLE_STRING_LITERAL" => "not a valid string literal",
        "INVALID_VARIABLE_PARAM" => "invalid param",
        "INVALID_VARIABLE_ADDRESS" => "invalid address",
        _ => match source_error_kind(s, at) {
            "comma" => "a source is missing after the comma",
            "literal" => "only `}` may follow a quoted literal",
            _ => "not a valid source",
        },
    }
}

pub fn syntax_help(code: &str, s: &str, at: usize) -> &'static str {
    match code {
        "UNTERMINATED_VARIABLE" => {
            "close the variable with `}`; to write a literal `${`, escape it as `\\${`"
        }
        "VARIABLES_TOO_DEEP" => {
            "slsx resolves variables nested at most 64 levels deep in one string; split the value into properties that refer to each other"
        }
        "INVALID_VARIABLE_TYPE" => {
            "a source type starts with a lowercase letter and is followed by `:` or `(`, e.g. `${self:custom.x}`"
        }
        "INVALID_VARIABLE_LITERAL_SOURCE" => {
            "a literal fallback must be quoted ('text' or \"text\") unless it is true, false, null or a number: `${opt:stage, 'dev'}`"
        }
        "INVALID_VARIABLE_STRING_LITERAL" => {
            "a double-quoted literal follows JSON string rules (escapes \\\" \\\\ \\n \\t \\uXXXX; no raw tabs or newlines); single quotes take the text as is"
        }
        "INVALID_VARIABLE_PARAM" => {
            "params are written `source(a, b)`, each plain, 'quoted' or \"quoted\", and closed with `)`"
        }
        "INVALID_VARIABLE_ADDRESS" => {
            "the address follows `source:` or `source(...):` and ends at `,` or `}`"
        }
        _ => match source_error_kind(s, at) {
            "comma" => "remove the trailing comma, or add the fallback source after it",
            "literal" => {
                "a literal fallback must be the last source, and a single-quoted literal has no escapes (`''` is not a quote): use \"it's\" for text with a quote"
            }
            _ => {
                "a fallback is another `source:address` (the type starts with a lowercase letter) or a literal ('text', \"text\", true, false, null, a number)"
            }
        },
    }
}

/// Did-you-mean: the closest candidate within a small edit distance.
pub fn did_you_mean<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = edit_distance(&word.to_lowercase(), &c.to_lowercase());
        let limit = if word.len() <= 3 { 1 } else { 2 };
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// A map node helper.
pub fn map_node(span: Span, entries: Vec<(String, Node)>) -> Node {
    let mut m = Mapping::new();
    for (k, v) in entries {
        m.insert(k, span, v);
    }
    Node::map(span, m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Node {
        Node::string(Span::NONE, x)
    }

    #[test]
    fn reparse_keeps_parts_apart() {
        // "${" formed across two parts is not a variable
        let parts = vec!["${".to_string(), "self:a}".to_string()];
        assert!(reparse("${self:a}", Some(&parts)).unwrap().is_none());
        // a variable inside one part is found, shifted, and never "whole"
        let parts = vec!["x".to_string(), "${self:a}".to_string(), String::new()];
        let v = reparse("x${self:a}", Some(&parts)).unwrap().unwrap();
        assert_eq!((v[0].start, v[0].end, v[0].whole), (1, 10, false));
        let parts = vec![String::new(), "${self:a}".to_string(), String::new()];
        let v = reparse("${self:a}", Some(&parts)).unwrap().unwrap();
        assert!(!v[0].whole);
        // without parts the whole string is parsed
        let v = reparse("${self:a}", None).unwrap().unwrap();
        assert!(v[0].whole);
    }

    #[test]
    fn interpolation_coercion() {
        let arr = Node::seq(
            Span::NONE,
            vec![
                Node::new(Span::NONE, Kind::Number(1.0)),
                Node::seq(Span::NONE, vec![s("a"), Node::null(Span::NONE)]),
                Node::null(Span::NONE),
                map_node(Span::NONE, vec![("k".into(), s("v"))]),
            ],
        );
        assert_eq!(
            coerce_string(&arr).as_deref(),
            Some("1,a,,,[object Object]")
        );
        assert_eq!(coerce_string(&Node::null(Span::NONE)), None);
        assert_eq!(coerce_string(&map_node(Span::NONE, vec![])), None);
        assert_eq!(
            coerce_string(&Node::new(Span::NONE, Kind::Number(1e21))).as_deref(),
            Some("1e+21")
        );
        assert_eq!(
            coerce_string(&Node::new(Span::NONE, Kind::Bool(false))).as_deref(),
            Some("false")
        );
    }

    #[test]
    fn javascript_indexing() {
        let text = s("héllo");
        assert_eq!(
            js_index(&text, "length").and_then(|n| n.as_f64()),
            Some(5.0)
        );
        assert_eq!(
            js_index(&text, "1")
                .and_then(|n| n.as_str().map(String::from))
                .as_deref(),
            Some("é")
        );
        assert!(js_index(&text, "01").is_none());
        let arr = Node::seq(Span::NONE, vec![s("a"), s("b")]);
        assert_eq!(
            js_index(&arr, "1")
                .and_then(|n| n.as_str().map(String::from))
                .as_deref(),
            Some("b")
        );
        assert_eq!(js_index(&arr, "length").and_then(|n| n.as_f64()), Some(2.0));
        assert!(js_index(&Node::new(Span::NONE, Kind::Number(5.0)), "x").is_none());
    }

    #[test]
    fn suggestions() {
        assert_eq!(did_you_mean("sef", ["self", "env", "opt"]), Some("self"));
        assert_eq!(did_you_mean("strtobool", ["strToBool"]), Some("strToBool"));
        assert_eq!(did_you_mean("vault", ["self", "env", "opt"]), None);
        assert_eq!(with_fallback("${env:A}"), "${env:A, 'default'}");
    }

    #[test]
    fn short_strings() {
        let long = s(&"x".repeat(150));
        let out = short_string(&long);
        assert_eq!(out.chars().count(), 100);
        assert!(out.ends_with('…'));
        assert_eq!(short_string(&s("a\nb")), "a\\nb");
    }
}
