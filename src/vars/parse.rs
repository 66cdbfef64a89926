//! The variable syntax: a character state machine over one string value (`serverless-core.md`
//! §1.1), with the framework's exact acceptance rules, escapes, quirks and error texts.
//!
//! The machine works on bytes: every character it reacts to is ASCII, so a multi-byte character
//! behaves like a run of "other" characters, exactly as its UTF-16 units do in JavaScript.
//! Positions are byte offsets; error messages convert them to UTF-16 indices (what the
//! framework prints).
//!
//! Variable lists and sources live in arenas addressed by index, because the framework's
//! machine shares them between its context stack and its current state.

use std::fmt;

use crate::js;

/// A literal value: an unquoted param, a literal fallback, a quoted string.
#[derive(Clone, Debug, PartialEq)]
pub enum Lit {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
}

impl Lit {
    /// JavaScript truthiness (`NaN` and `-0` are falsy).
    pub fn is_truthy(&self) -> bool {
        match self {
            Lit::Null => false,
            Lit::Bool(b) => *b,
            Lit::Num(n) => *n != 0.0 && !n.is_nan(),
            Lit::Str(s) => !s.is_empty(),
        }
    }
}

/// A param or an address: its value (or `Null`) and the variables nested in it.
#[derive(Clone, Debug, PartialEq)]
pub struct Meta {
    pub value: Lit,
    /// Positions relative to `value` (which is then a string).
    pub vars: Option<Vec<Var>>,
}

/// One source of a variable (the first one, or a fallback).
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    Typed {
        ty: String,
        /// `None` without parentheses; `Some(vec![])` for `file()`.
        params: Option<Vec<Meta>>,
        /// `None` without `:` (or with an empty address).
        address: Option<Meta>,
    },
    Literal(Lit),
}

/// What a variable occurrence stands for.
#[derive(Clone, Debug, PartialEq)]
pub enum VarKind {
    /// A backslash escape: the text `start..end` is replaced by this string.
    Escape(String),
    /// A real variable with its sources, first to last.
    Sources(Vec<Source>),
}

/// A variable (or escape) found in a string.
#[derive(Clone, Debug, PartialEq)]
pub struct Var {
    /// Byte range in the string it was parsed from.
    pub start: usize,
    pub end: usize,
    /// The single variable spans the whole string (its value replaces the string as is).
    pub whole: bool,
    pub kind: VarKind,
}

/// A syntax error, with the framework's code and message.
#[derive(Clone, Debug, PartialEq)]
pub struct ParseError {
    /// The framework's error code (`INVALID_VARIABLE_TYPE`, ...).
    pub code: &'static str,
    pub message: String,
    /// Byte offset the message's index refers to.
    pub at: usize,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum St {
    Out,
    EscapeVar,
    EscapeVarDollar,
    MaybeVariableOpen,
    MaybeTypeStart,
    MaybeNextSourceStart,
    MaybeType,
    TypeOrSourceLiteral,
    ParamStart,
    Param,
    AfterParamString,
    MaybeAddressOpen,
    MaybeAddressStart,
    Address,
    AfterAddressString,
    AfterSourceLiteralString,
    Foreign,
    EscapeString,
    DoubleQuotedString,
    SingleQuotedString,
}

#[derive(Debug)]
enum RawKind {
    Escape(String),
    Sources(Vec<usize>),
}

#[derive(Debug)]
struct RawVar {
    start: usize,
    end: usize,
    whole: bool,
    kind: RawKind,
}

#[derive(Debug)]
struct RawMeta {
    value: Lit,
    vars: Option<usize>,
}

#[derive(Debug, Default)]
struct RawSource {
    ty: Option<String>,
    params: Option<Vec<RawMeta>>,
    address: Option<RawMeta>,
    literal: Option<Lit>,
}

struct Frame {
    state: St,
    variable_start: usize,
    context_start: usize,
    variables: Option<usize>,
    context_variables: Option<usize>,
    current_source: Option<usize>,
    sources: Option<Vec<usize>>,
}

fn is_alpha(b: u8) -> bool {
    b.is_ascii_lowercase()
}

fn is_alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'.' || b == b'-'
}

/// `^[a-z][a-zA-Z0-9]*$`
fn is_type(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty() && is_alpha(b[0]) && b[1..].iter().all(|c| c.is_ascii_alphanumeric())
}

/// The UTF-16 index of a byte offset (what JavaScript calls the index).
pub fn utf16_index(s: &str, byte: usize) -> usize {
    let mut b = byte.min(s.len());
    while b > 0 && !s.is_char_boundary(b) {
        b -= 1;
    }
    s[..b].encode_utf16().count()
}

/// `s[a..b]`, moved onto character boundaries and clamped (never panics).
pub fn slice(s: &str, a: usize, b: usize) -> &str {
    let mut a = a.min(s.len());
    while a > 0 && !s.is_char_boundary(a) {
        a -= 1;
    }
    let mut b = b.clamp(a, s.len());
    while b < s.len() && !s.is_char_boundary(b) {
        b += 1;
    }
    &s[a..b]
}

/// `JSON.parse` of a double-quoted string literal followed by optional spaces. The error text
/// follows V8 (Node 20).
pub fn json_string(src: &str) -> Result<String, String> {
    let b = src.as_bytes();
    let pos = |i: usize| utf16_index(src, i);
    let mut i = 0;
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    if i >= b.len() || b[i] != b'"' {
        return Err(format!("Unexpected token in JSON at position {}", pos(i)));
    }
    i += 1;
    let mut out = String::new();
    let mut pending_high: Option<u16> = None;
    let flush_high = |out: &mut String, h: &mut Option<u16>| {
        if h.take().is_some() {
            out.push('\u{fffd}');
        }
    };
    loop {
        if i >= b.len() {
            return Err(format!(
                "Unterminated string in JSON at position {}",
                pos(i)
            ));
        }
        let c = b[i];
        if c == b'"' {
            flush_high(&mut out, &mut pending_high);
            i += 1;
            break;
        }
        if c < 0x20 {
            return Err(format!(
                "Bad control character in string literal in JSON at position {}",
                pos(i)
            ));
        }
        if c == b'\\' {
            let Some(&e) = b.get(i + 1) else {
                return Err(format!(
                    "Unterminated string in JSON at position {}",
                    pos(i + 1)
                ));
            };
            let simple = match e {
                b'"' => Some('"'),
                b'\\' => Some('\\'),
                b'/' => Some('/'),
                b'b' => Some('\u{8}'),
                b'f' => Some('\u{c}'),
                b'n' => Some('\n'),
                b'r' => Some('\r'),
                b't' => Some('\t'),
                _ => None,
            };
            if let Some(ch) = simple {
                flush_high(&mut out, &mut pending_high);
                out.push(ch);
                i += 2;
                continue;
            }
            if e == b'u' {
                let hex = src.get(i + 2..i + 6).unwrap_or("");
                if hex.len() != 4 || !hex.bytes().all(|h| h.is_ascii_hexdigit()) {
                    // V8 points at the first bad hex digit
                    let mut j = i + 2;
                    while j < b.len() && j < i + 6 && b[j].is_ascii_hexdigit() {
                        j += 1;
                    }
                    return Err(format!("Bad Unicode escape in JSON at position {}", pos(j)));
                }
                let unit = u16::from_str_radix(hex, 16).unwrap_or(0xfffd);
                i += 6;
                if (0xd800..0xdc00).contains(&unit) {
                    flush_high(&mut out, &mut pending_high);
                    pending_high = Some(unit);
                } else if (0xdc00..0xe000).contains(&unit) {
                    match pending_high.take() {
                        Some(h) => out.push_str(
                            &String::from_utf16(&[h, unit]).unwrap_or_else(|_| "\u{fffd}".into()),
                        ),
                        None => out.push('\u{fffd}'),
                    }
                } else {
                    flush_high(&mut out, &mut pending_high);
                    out.push(char::from_u32(unit as u32).unwrap_or('\u{fffd}'));
                }
                continue;
            }
            return Err(format!(
                "Bad escaped character in JSON at position {}",
                pos(i + 1)
            ));
        }
        flush_high(&mut out, &mut pending_high);
        // copy one UTF-8 character
        let ch_len = src[i..].chars().next().map(char::len_utf8).unwrap_or(1);
        out.push_str(&src[i..i + ch_len]);
        i += ch_len;
    }
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    if i < b.len() {
        return Err(format!(
            "Unexpected non-whitespace character after JSON at position {}",
            pos(i)
        ));
    }
    Ok(out)
}

struct Machine<'a> {
    s: &'a str,
    b: &'a [u8],
    index: usize,
    state: St,
    string_context: St,
    lists: Vec<Vec<RawVar>>,
    srcs: Vec<RawSource>,
    variables: Option<usize>,
    context_variables: Option<usize>,
    sources: Option<Vec<usize>>,
    contexts: Vec<Frame>,
    current_source: Option<usize>,
    context_start: usize,
    escape_var_start: Option<usize>,
    variable_start: usize,
    source_start: usize,
    param_start: usize,
    address_start: usize,
}

type Res<T> = Result<T, ParseError>;

impl<'a> Machine<'a> {
    fn new(s: &'a str) -> Machine<'a> {
        Machine {
            s,
            b: s.as_bytes(),
            index: 0,
            state: St::Out,
            string_context: St::Out,
            lists: Vec::new(),
            srcs: Vec::new(),
            variables: None,
            context_variables: None,
            sources: None,
            contexts: Vec::new(),
            current_source: None,
            context_start: 0,
            escape_var_start: None,
            variable_start: 0,
            source_start: 0,
            param_start: 0,
            address_start: 0,
        }
    }

    fn err(&self, code: &'static str, what: &str, at: usize) -> ParseError {
        ParseError {
            code,
            message: format!(
                "Invalid variable {what} at index {} in \"{}\"",
                utf16_index(self.s, at),
                self.s
            ),
            at,
        }
    }

    fn new_list(&mut self) -> usize {
        self.lists.push(Vec::new());
        self.lists.len() - 1
    }

    fn variables_list(&mut self) -> usize {
        match self.variables {
            Some(v) => v,
            None => {
                let v = self.new_list();
                self.variables = Some(v);
                v
            }
        }
    }

    fn cur(&mut self) -> &mut RawSource {
        let id = match self.current_source {
            Some(id) => id,
            None => {
                // unreachable in practice: the machine assigns a source before using it
                self.srcs.push(RawSource::default());
                let id = self.srcs.len() - 1;
                self.current_source = Some(id);
                id
            }
        };
        &mut self.srcs[id]
    }

    fn set_current(&mut self, src: RawSource) {
        self.srcs.push(src);
        self.current_source = Some(self.srcs.len() - 1);
    }

    fn foreign_only(&self) -> bool {
        self.contexts.iter().all(|c| c.state == St::Foreign)
    }

    fn finalize_source(&mut self) {
        let cur = self.current_source.take();
        let list = self.sources.get_or_insert_with(Vec::new);
        if let Some(c) = cur {
            list.push(c);
        }
        self.state = St::MaybeNextSourceStart;
    }

    fn finalize_variable(&mut self) {
        self.finalize_source();
        let list = self.variables_list();
        let sources = self.sources.take().unwrap_or_default();
        let var = RawVar {
            start: self.variable_start - self.context_start,
            end: self.index + 1 - self.context_start,
            whole: false,
            kind: RawKind::Sources(sources),
        };
        self.lists[list].push(var);
        self.release_context();
    }

    fn register_var_escape(&mut self) {
        let list = self.variables_list();
        let esc = self.escape_var_start.unwrap_or(0);
        // (index - 1 - esc - 1) / 2, rounded up; the run is at least one backslash
        let n = (self.index - 1 - esc).saturating_sub(1);
        let mut value = "\\".repeat(n.div_ceil(2));
        value.push('$');
        self.lists[list].push(RawVar {
            start: esc - self.context_start,
            end: self.index - self.context_start,
            whole: false,
            kind: RawKind::Escape(value),
        });
        self.escape_var_start = None;
    }

    fn register_slash_escape(&mut self) {
        let list = self.variables_list();
        let esc = self.escape_var_start.unwrap_or(0);
        let n = (self.index - 1 - esc).saturating_sub(1);
        let value = "\\".repeat(n.div_ceil(2));
        self.lists[list].push(RawVar {
            start: esc - self.context_start,
            end: self.index - 1 - self.context_start,
            whole: false,
            kind: RawKind::Escape(value),
        });
        self.escape_var_start = None;
    }

    /// `new_context_start == 0` keeps the current context (the framework's falsy check).
    fn register_context(&mut self, new_context_start: usize) {
        self.variables_list();
        if new_context_start != 0 && self.context_variables.is_none() {
            self.context_variables = Some(self.new_list());
        }
        self.contexts.push(Frame {
            state: self.state,
            variable_start: self.variable_start,
            context_start: self.context_start,
            variables: self.variables,
            context_variables: self.context_variables,
            current_source: self.current_source,
            sources: self.sources.take(),
        });
        self.state = St::MaybeVariableOpen;
        self.variable_start = self.index;
        if new_context_start != 0 {
            self.context_start = new_context_start;
            self.variables = self.context_variables;
        }
    }

    fn release_context(&mut self) {
        let Some(frame) = self.contexts.pop() else {
            self.state = St::Out;
            return;
        };
        self.state = frame.state;
        self.variable_start = frame.variable_start;
        self.variables = frame.variables;
        self.context_variables = frame.context_variables;
        self.current_source = frame.current_source;
        self.sources = frame.sources;
        if self.state == St::Param {
            self.param_start = self.context_start;
        }
        if self.state == St::Address {
            self.address_start = self.context_start;
        }
        self.context_start = frame.context_start;
    }

    /// Marks the single variable of a list as "whole" when it spans all of `value`.
    fn normalize(&mut self, value_len: usize, list: usize) {
        if let [v] = self.lists[list].as_mut_slice()
            && v.start == 0
            && v.end == value_len
        {
            v.whole = true;
        }
    }

    fn generate_meta(&mut self, value: &str, vars: Option<usize>) -> RawMeta {
        let vars = vars.filter(|l| !self.lists[*l].is_empty());
        if let Some(l) = vars {
            self.normalize(value.len(), l);
        }
        RawMeta {
            value: if value.is_empty() {
                Lit::Null
            } else {
                Lit::Str(value.to_string())
            },
            vars,
        }
    }

    fn literal_meta(&self, lit: Lit) -> RawMeta {
        RawMeta {
            value: if lit.is_truthy() { lit } else { Lit::Null },
            vars: None,
        }
    }

    fn parse_string(&self, start: usize) -> Res<String> {
        let text = &self.s[start..self.index];
        if self.b[start] == b'\'' {
            let t = js::trim(text);
            // slice(1, -1)
            let inner = if t.len() >= 2 { &t[1..t.len() - 1] } else { "" };
            return Ok(inner.to_string());
        }
        json_string(text).map_err(|e| ParseError {
            code: "INVALID_VARIABLE_STRING_LITERAL",
            message: format!(
                "Invalid string literal at index {} in \"{}\": {e}",
                utf16_index(self.s, start),
                self.s
            ),
            at: start,
        })
    }

    fn parse_literal_source(&self, literal: &str, fallback_to_input: bool) -> Res<Lit> {
        match literal {
            "true" => Ok(Lit::Bool(true)),
            "false" => Ok(Lit::Bool(false)),
            "null" => Ok(Lit::Null),
            _ => {
                let n = js::string_to_number(literal);
                if !n.is_nan() {
                    return Ok(Lit::Num(n));
                }
                if fallback_to_input {
                    return Ok(Lit::Str(literal.to_string()));
                }
                Err(ParseError {
                    code: "INVALID_VARIABLE_LITERAL_SOURCE",
                    message: format!(
                        "Invalid literal source \"{literal}\" at index {} in \"{}\"",
                        utf16_index(self.s, self.source_start),
                        self.s
                    ),
                    at: self.source_start,
                })
            }
        }
    }

    fn run(&mut self) -> Res<Option<usize>> {
        let len = self.b.len();
        self.index = 0;
        while self.index < len {
            let c = self.b[self.index];
            self.step(c)?;
            self.index += 1;
        }
        let pending_source = self.current_source.is_some() || self.sources.is_some();
        if pending_source {
            return Err(ParseError {
                code: "UNTERMINATED_VARIABLE",
                message: format!("Missing variable closing bracket in {}", self.s),
                at: self.variable_start,
            });
        }
        match self.variables {
            None => Ok(None),
            Some(l) => {
                if self.lists[l].is_empty() {
                    return Ok(None);
                }
                self.normalize(self.s.len(), l);
                Ok(Some(l))
            }
        }
    }

    fn step(&mut self, c: u8) -> Res<()> {
        let i = self.index;
        match self.state {
            St::Out => {
                if c == b'\\' {
                    if self.escape_var_start.is_none() {
                        self.escape_var_start = Some(i);
                    }
                    self.state = St::EscapeVar;
                } else if c == b'$' {
                    self.variable_start = i;
                    self.state = St::MaybeVariableOpen;
                } else {
                    self.escape_var_start = None;
                }
            }
            St::EscapeVar => {
                if c == b'$' {
                    self.state = St::EscapeVarDollar;
                } else {
                    if c != b'\\' {
                        self.escape_var_start = None;
                    }
                    self.state = St::Out;
                }
            }
            St::EscapeVarDollar => {
                if c == b'{' {
                    self.register_var_escape();
                    self.state = St::Out;
                } else {
                    self.escape_var_start = None;
                    if c == b'\\' {
                        self.escape_var_start = Some(i);
                        self.state = St::EscapeVar;
                    } else if c == b'$' {
                        self.variable_start = i;
                        self.state = St::MaybeVariableOpen;
                    } else {
                        self.state = St::Out;
                    }
                }
            }
            St::MaybeVariableOpen => {
                if c == b'{' {
                    if self.escape_var_start.is_some() {
                        self.register_slash_escape();
                    }
                    self.state = St::MaybeTypeStart;
                } else {
                    self.escape_var_start = None;
                    if c != b'$' {
                        self.release_context();
                    }
                }
            }
            St::MaybeTypeStart => {
                if is_alpha(c) {
                    self.source_start = i;
                    self.state = St::MaybeType;
                } else if !self.foreign_only() {
                    return Err(self.err("INVALID_VARIABLE_TYPE", "type", i));
                } else if c == b'}' {
                    self.release_context();
                } else {
                    self.state = St::Foreign;
                    if c == b'$' {
                        self.register_context(self.context_start);
                    }
                }
            }
            St::MaybeNextSourceStart => {
                if c == b' ' {
                    return Ok(());
                }
                self.source_start = i;
                if is_alnum(c) {
                    self.state = St::TypeOrSourceLiteral;
                } else if c == b'"' {
                    self.string_context = St::AfterSourceLiteralString;
                    self.state = St::DoubleQuotedString;
                } else if c == b'\'' {
                    self.string_context = St::AfterSourceLiteralString;
                    self.state = St::SingleQuotedString;
                } else {
                    return Err(self.err("INVALID_VARIABLE_SOURCE", "source", i));
                }
            }
            St::MaybeType => {
                if c == b':' {
                    let ty = self.s[self.source_start..i].to_string();
                    self.set_current(RawSource {
                        ty: Some(ty),
                        ..RawSource::default()
                    });
                    self.state = St::MaybeAddressStart;
                } else if c == b'(' {
                    let ty = self.s[self.source_start..i].to_string();
                    self.set_current(RawSource {
                        ty: Some(ty),
                        params: Some(Vec::new()),
                        ..RawSource::default()
                    });
                    self.state = St::ParamStart;
                } else if !is_alnum(c) {
                    if !self.foreign_only() {
                        return Err(self.err("INVALID_VARIABLE_TYPE", "type", self.source_start));
                    }
                    if c == b'}' {
                        self.release_context();
                    } else {
                        self.state = St::Foreign;
                        if c == b'$' {
                            self.register_context(self.context_start);
                        }
                    }
                }
            }
            St::TypeOrSourceLiteral => {
                if c == b' ' {
                    return Ok(());
                }
                if c == b':' || c == b'(' {
                    let ty = &self.s[self.source_start..i];
                    if !is_type(ty) {
                        return Err(self.err(
                            "INVALID_VARIABLE_SOURCE",
                            "source",
                            self.source_start,
                        ));
                    }
                    let ty = ty.to_string();
                    if c == b':' {
                        self.set_current(RawSource {
                            ty: Some(ty),
                            ..RawSource::default()
                        });
                        self.state = St::MaybeAddressStart;
                    } else {
                        self.set_current(RawSource {
                            ty: Some(ty),
                            params: Some(Vec::new()),
                            ..RawSource::default()
                        });
                        self.state = St::ParamStart;
                    }
                } else if c == b'}' {
                    let lit = js::trim(&self.s[self.source_start..i]).to_string();
                    let value = self.parse_literal_source(&lit, false)?;
                    self.set_current(RawSource {
                        literal: Some(value),
                        ..RawSource::default()
                    });
                    self.finalize_variable();
                } else if !is_alnum(c) {
                    return Err(self.err("INVALID_VARIABLE_SOURCE", "source", self.source_start));
                }
            }
            St::ParamStart => {
                if c == b' ' {
                    return Ok(());
                }
                if c == b')' {
                    self.state = St::MaybeAddressOpen;
                } else if c == b',' {
                    let m = RawMeta {
                        value: Lit::Null,
                        vars: None,
                    };
                    self.push_param(m);
                } else if c == b'}' {
                    return Err(self.err("INVALID_VARIABLE_PARAM", "param", i));
                } else {
                    self.param_start = i;
                    if c == b'"' {
                        self.string_context = St::AfterParamString;
                        self.state = St::DoubleQuotedString;
                    } else if c == b'\'' {
                        self.string_context = St::AfterParamString;
                        self.state = St::SingleQuotedString;
                    } else {
                        self.state = St::Param;
                        self.context_variables = None;
                        if c == b'$' {
                            self.register_context(self.param_start);
                        }
                    }
                }
            }
            St::Param => {
                if c == b')' || c == b',' {
                    let text = js::trim(&self.s[self.param_start..i]).to_string();
                    if c == b',' || !text.is_empty() {
                        let m = match self.context_variables {
                            None => {
                                let lit = self.parse_literal_source(&text, true)?;
                                self.literal_meta(lit)
                            }
                            Some(cv) => self.generate_meta(&text, Some(cv)),
                        };
                        self.push_param(m);
                    }
                    self.state = if c == b')' {
                        St::MaybeAddressOpen
                    } else {
                        St::ParamStart
                    };
                } else if c == b'}' {
                    return Err(self.err("INVALID_VARIABLE_PARAM", "param", self.param_start));
                } else if c == b'$' {
                    self.register_context(self.param_start);
                }
            }
            St::AfterParamString => {
                if c == b' ' {
                    return Ok(());
                }
                if c == b')' || c == b',' {
                    let v = self.parse_string(self.param_start)?;
                    self.push_param(RawMeta {
                        value: Lit::Str(v),
                        vars: None,
                    });
                    self.state = if c == b')' {
                        St::MaybeAddressOpen
                    } else {
                        St::ParamStart
                    };
                } else {
                    return Err(self.err("INVALID_VARIABLE_PARAM", "param", self.param_start));
                }
            }
            St::MaybeAddressOpen => {
                if c == b' ' {
                    return Ok(());
                }
                if c == b':' {
                    self.state = St::MaybeAddressStart;
                } else if c == b'}' {
                    self.finalize_variable();
                } else if c == b',' {
                    self.finalize_source();
                } else {
                    return Err(self.err("INVALID_VARIABLE_ADDRESS", "address", i));
                }
            }
            St::MaybeAddressStart => {
                if c == b' ' {
                    return Ok(());
                }
                if c == b'}' {
                    self.finalize_variable();
                } else if c == b',' {
                    self.finalize_source();
                } else {
                    self.address_start = i;
                    if c == b':' {
                        let has_params = self
                            .current_source
                            .is_some_and(|id| self.srcs[id].params.is_some());
                        if !has_params && self.foreign_only() {
                            self.current_source = None;
                            self.state = St::Foreign;
                        } else {
                            return Err(self.err("INVALID_VARIABLE_ADDRESS", "address", i));
                        }
                    } else if c == b'"' {
                        self.string_context = St::AfterAddressString;
                        self.state = St::DoubleQuotedString;
                    } else if c == b'\'' {
                        self.string_context = St::AfterAddressString;
                        self.state = St::SingleQuotedString;
                    } else {
                        self.state = St::Address;
                        self.context_variables = None;
                        if c == b'$' {
                            self.register_context(self.address_start);
                        }
                    }
                }
            }
            St::Address => {
                if c == b'}' || c == b',' {
                    let text = js::trim(&self.s[self.address_start..i]).to_string();
                    let cv = self.context_variables;
                    let m = self.generate_meta(&text, cv);
                    self.cur().address = Some(m);
                    if c == b'}' {
                        self.finalize_variable();
                    } else {
                        self.finalize_source();
                    }
                } else if c == b'$' {
                    self.register_context(self.address_start);
                }
            }
            St::AfterAddressString => {
                if c == b' ' {
                    return Ok(());
                }
                if c == b'}' || c == b',' {
                    let v = self.parse_string(self.address_start)?;
                    self.cur().address = Some(RawMeta {
                        value: Lit::Str(v),
                        vars: None,
                    });
                    if c == b'}' {
                        self.finalize_variable();
                    } else {
                        self.finalize_source();
                    }
                } else {
                    return Err(self.err(
                        "INVALID_VARIABLE_ADDRESS",
                        "address",
                        self.address_start,
                    ));
                }
            }
            St::AfterSourceLiteralString => {
                if c == b' ' {
                    return Ok(());
                }
                if c == b'}' {
                    let v = self.parse_string(self.source_start)?;
                    self.set_current(RawSource {
                        literal: Some(Lit::Str(v)),
                        ..RawSource::default()
                    });
                    self.finalize_variable();
                } else {
                    return Err(self.err("INVALID_VARIABLE_SOURCE", "source", self.source_start));
                }
            }
            St::Foreign => {
                if c == b'}' {
                    self.release_context();
                } else if c == b'$' {
                    self.register_context(self.context_start);
                }
            }
            St::EscapeString => self.state = St::DoubleQuotedString,
            St::DoubleQuotedString => {
                if c == b'"' {
                    self.state = self.string_context;
                } else if c == b'\\' {
                    self.state = St::EscapeString;
                }
            }
            St::SingleQuotedString => {
                if c == b'\'' {
                    self.state = self.string_context;
                }
            }
        }
        Ok(())
    }

    fn push_param(&mut self, m: RawMeta) {
        if let Some(p) = self.cur().params.as_mut() {
            p.push(m);
        }
    }

    // --- building the owned tree -------------------------------------------------------------

    fn build_list(&mut self, list: usize) -> Vec<Var> {
        let raw = std::mem::take(&mut self.lists[list]);
        raw.into_iter().map(|v| self.build_var(v)).collect()
    }

    fn build_var(&mut self, v: RawVar) -> Var {
        let kind = match v.kind {
            RawKind::Escape(s) => VarKind::Escape(s),
            RawKind::Sources(ids) => {
                VarKind::Sources(ids.into_iter().map(|id| self.build_source(id)).collect())
            }
        };
        Var {
            start: v.start,
            end: v.end,
            whole: v.whole,
            kind,
        }
    }

    fn build_meta(&mut self, m: RawMeta) -> Meta {
        Meta {
            value: m.value,
            vars: m.vars.map(|l| self.build_list(l)),
        }
    }

    fn build_source(&mut self, id: usize) -> Source {
        let raw = std::mem::take(&mut self.srcs[id]);
        match (raw.ty, raw.literal) {
            (Some(ty), _) => Source::Typed {
                ty,
                params: raw
                    .params
                    .map(|ps| ps.into_iter().map(|p| self.build_meta(p)).collect()),
                address: raw.address.map(|a| self.build_meta(a)),
            },
            (None, Some(lit)) => Source::Literal(lit),
            (None, None) => Source::Literal(Lit::Null),
        }
    }
}

/// How deep variables may nest inside one another in one string (`${a:${b:${c:...}}}`).
/// The framework has no limit (its resolver recurses until the JavaScript stack overflows);
/// slsx stops here, far beyond anything written by hand, so a generated or hostile string
/// cannot make resolution take minutes and gigabytes.
pub const MAX_NESTING: usize = 64;

/// The `${` that opens variable number `MAX_NESTING + 1` of a chain nested in one another
/// (`\${` does not open one; quoting is ignored, so this only over-counts `}` characters).
fn too_deep(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'$' if b.get(i + 1) == Some(&b'{') => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(i);
                }
                i += 1;
            }
            b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// Parses one string value. `Ok(None)`: no variables (and no escapes) in it.
pub fn parse(s: &str) -> Result<Option<Vec<Var>>, ParseError> {
    if !s.as_bytes().contains(&b'$') {
        return Ok(None);
    }
    if let Some(at) = too_deep(s) {
        let shown: String = s.chars().take(60).collect();
        return Err(ParseError {
            code: "VARIABLES_TOO_DEEP",
            message: format!(
                "Variables nested more than {MAX_NESTING} levels deep at index {} in \"{shown}…\"",
                utf16_index(s, at)
            ),
            at,
        });
    }
    let mut m = Machine::new(s);
    match m.run()? {
        None => Ok(None),
        Some(list) => Ok(Some(m.build_list(list))),
    }
}

#[cfg(test)]
mod tests;
