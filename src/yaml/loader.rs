//! libyaml-safer events → our spanned [`Node`] tree, with js-yaml's semantics.

use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::io::BufReader;
use std::panic::{AssertUnwindSafe, catch_unwind};

use libyaml_safer::{EventData, Mark, Parser, ScalarStyle};

use super::node::{Kind, Mapping, Node, js_to_string};
use super::scalar;
use super::{CFN_TAGS, codes};
use crate::diagnostics::Diag;
use crate::source::{FileId, Span};

/// Limits that keep hostile input cheap.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Total nodes, counting every copy an alias makes (billion-laughs guard).
    pub max_nodes: usize,
    /// Nesting depth of collections.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_nodes: 2_000_000,
            max_depth: 256,
        }
    }
}

/// How the text is read.
#[derive(Clone, Copy, Debug, Default)]
pub struct LoadOptions {
    pub limits: Limits,
    /// JSON semantics (`JSON.parse`): a repeated key replaces the earlier value, no error.
    pub json: bool,
}

enum Tag {
    /// `!Ref`, `!GetAtt`, … (index into CFN_TAGS)
    Cfn(&'static str),
    /// `tag:yaml.org,2002:<name>`
    Core(String),
    /// The non-specific `!`.
    NonSpecific,
}

struct Pending {
    name: String,
    span: Span,
    is_merge: bool,
}

enum Frame {
    Seq {
        start: Mark,
        tag: Option<(Tag, String)>,
        anchor: Option<String>,
        items: Vec<Node>,
    },
    Map {
        start: Mark,
        tag: Option<(Tag, String)>,
        anchor: Option<String>,
        map: Mapping,
        key: Option<Pending>,
        overridable: HashSet<String>,
    },
}

struct Loader<'a> {
    file: FileId,
    text: &'a str,
    opts: LoadOptions,
    diags: Vec<Diag>,
    anchors: HashMap<String, (Node, usize)>,
    nodes: usize,
    stack: Vec<Frame>,
    root: Option<Node>,
    fatal: bool,
    /// The text `String()` gives the last untagged plain scalar as a mapping key, where it is
    /// not that of its value (`.inf`, a date): see [`scalar::plain_key_text`].
    key_text: Option<(Span, String)>,
}

thread_local! {
    static IN_LIBRARY: Cell<bool> = const { Cell::new(false) };
}

/// Whether this thread is inside a call into the YAML library whose panics the loader catches
/// (libyaml-safer 0.3 still has a `panic!` on one input shape, a tag followed by `,` in a flow
/// collection). A process-wide panic hook (the CLI's, a fuzzer's) stays quiet then: the panic
/// becomes a syntax error, not a crash.
pub fn catching_library_panic() -> bool {
    IN_LIBRARY.with(Cell::get)
}

/// Wraps the process's panic hook so that it stays quiet for the panics the loader catches
/// (see [`catching_library_panic`]); every other panic reaches it as before. For binaries and
/// fuzzers whose hook reports or aborts.
pub fn quiet_library_panics() {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !catching_library_panic() {
            hook(info)
        }
    }));
}

/// One event from the parser; `Err(None)` when the library panicked.
/// How much of the text the scanner is offered at a time.
const INPUT_PIECE: usize = 16 * 1024;

fn next_event(
    parser: &mut Parser<BufReader<&[u8]>>,
) -> Result<libyaml_safer::Event, Option<libyaml_safer::Error>> {
    IN_LIBRARY.with(|c| c.set(true));
    let r = catch_unwind(AssertUnwindSafe(|| parser.parse()));
    IN_LIBRARY.with(|c| c.set(false));
    match r {
        Ok(Ok(ev)) => Ok(ev),
        Ok(Err(e)) => Err(Some(e)),
        Err(_) => Err(None),
    }
}

/// Loads one YAML (or JSON) document. An empty document is `null`.
pub fn load(file: FileId, text: &str, opts: LoadOptions) -> Result<Node, Vec<Diag>> {
    let mut l = Loader {
        file,
        text,
        opts,
        diags: Vec::new(),
        anchors: HashMap::new(),
        nodes: 0,
        stack: Vec::new(),
        root: None,
        fatal: false,
        key_text: None,
    };
    l.run();
    if l.diags.is_empty() {
        Ok(l.root.unwrap_or_else(|| Node::null(Span::new(file, 0, 0))))
    } else {
        Err(l.diags)
    }
}

fn classify_tag(tag: &str) -> Option<Tag> {
    if tag == "!" {
        return Some(Tag::NonSpecific);
    }
    if let Some(name) = tag.strip_prefix("tag:yaml.org,2002:") {
        return Some(Tag::Core(name.to_string()));
    }
    if let Some(name) = tag.strip_prefix('!')
        && let Some(t) = CFN_TAGS.iter().find(|t| **t == name)
    {
        return Some(Tag::Cfn(t));
    }
    None
}

/// `Fn::Name`, or `Ref` / `Condition` bare.
pub fn long_form(tag: &str) -> String {
    if tag == "Ref" || tag == "Condition" {
        tag.to_string()
    } else {
        format!("Fn::{tag}")
    }
}

/// The node kind a YAML core tag describes (`None` for tags js-yaml does not know).
fn core_tag_kind(name: &str) -> Option<&'static str> {
    match name {
        "str" | "int" | "float" | "bool" | "null" | "binary" | "timestamp" | "merge" => {
            Some("scalar")
        }
        "seq" | "omap" | "pairs" => Some("sequence"),
        "map" | "set" => Some("mapping"),
        _ => None,
    }
}

/// `{<long form>: node}` for a CloudFormation short-form tag.
fn wrap_cfn(name: &str, sp: Span, node: Node) -> Node {
    let mut m = Mapping::new();
    m.insert(long_form(name), sp, node);
    Node::map(sp, m)
}

impl<'a> Loader<'a> {
    /// A core tag on a node of the wrong kind (or an unknown core tag).
    fn wrong_kind(&mut self, sp: Span, name: &str, actual: &str) -> Node {
        match core_tag_kind(name) {
            Some(want) => self.error(
                Diag::error(
                    &codes::BAD_TAG_VALUE,
                    format!("unacceptable node kind for `!!{name}`"),
                )
                .label(sp, format!("it should be a {want}, not a {actual}"))
                .help("remove the tag or write the value as the type it names"),
            ),
            None => self.unknown_tag(sp, &format!("tag:yaml.org,2002:{name}")),
        }
        Node::null(sp)
    }

    fn span(&self, a: Mark, b: Mark) -> Span {
        Span::new(self.file, a.index as usize, b.index as usize)
    }

    /// Block collections end where the next token starts; trim trailing blanks and comments'
    /// newlines so labels end at the content.
    fn trimmed_span(&self, a: Mark, b: Mark) -> Span {
        let start = a.index as usize;
        let mut end = (b.index as usize).min(self.text.len());
        let bytes = self.text.as_bytes();
        while end > start && matches!(bytes[end - 1], b' ' | b'\t' | b'\n' | b'\r') {
            end -= 1;
        }
        Span::new(self.file, start, end)
    }

    fn error(&mut self, d: Diag) {
        self.diags.push(d);
    }

    fn run(&mut self) {
        let mut parser = Parser::new();
        // the scanner turns all that its reader offers at once into 4-byte chars: a whole
        // slice would be 4× the file in memory, so it is offered in pieces
        parser.set_input(BufReader::with_capacity(INPUT_PIECE, self.text.as_bytes()));
        let mut documents = 0;
        let mut last = 0usize;
        loop {
            let ev = match next_event(&mut parser) {
                Ok(ev) => ev,
                Err(Some(e)) => {
                    self.syntax_error(&e);
                    return;
                }
                Err(None) => {
                    self.library_panic(last);
                    return;
                }
            };
            last = ev.end_mark.index as usize;
            let (start, end) = (ev.start_mark, ev.end_mark);
            match ev.data {
                EventData::StreamStart { .. } | EventData::DocumentEnd { .. } => {}
                EventData::StreamEnd => return,
                EventData::DocumentStart { .. } => {
                    documents += 1;
                    if documents > 1 {
                        let sp = self.span(start, end);
                        self.error(
                            Diag::error(
                                &codes::MULTIPLE_DOCUMENTS,
                                "expected a single document in the stream, but found more",
                            )
                            .label(sp, "a second document starts here")
                            .help("a serverless config holds exactly one YAML document; remove the `---` separator or split the file"),
                        );
                        return;
                    }
                }
                EventData::Alias { anchor } => {
                    let sp = self.span(start, end);
                    match self.anchors.get(&anchor) {
                        Some((node, count)) => {
                            self.nodes += count;
                            if self.nodes > self.opts.limits.max_nodes {
                                self.error(
                                    Diag::error(
                                        &codes::ALIAS_BUDGET,
                                        format!(
                                            "aliases expand to more than {} nodes",
                                            self.opts.limits.max_nodes
                                        ),
                                    )
                                    .label(sp, format!("`*{anchor}` pushes the document past the limit"))
                                    .help("aliases that reference other aliases grow exponentially (a \"billion laughs\" document); reference the data fewer times"),
                                );
                                return;
                            }
                            let mut node = node.clone();
                            node.span = sp;
                            if !self.add(node, false) {
                                return;
                            }
                        }
                        None => {
                            self.error(
                                Diag::error(
                                    &codes::UNDEFINED_ALIAS,
                                    format!("unidentified alias \"{anchor}\""),
                                )
                                .label(sp, "no anchor with this name was defined before")
                                .help(format!(
                                    "define the anchor first with `&{anchor}` on the node to reuse"
                                )),
                            );
                            return;
                        }
                    }
                }
                EventData::Scalar {
                    anchor,
                    tag,
                    mut value,
                    style,
                    ..
                } => {
                    // the scanner's buffers come with room to spare; the tree keeps the text
                    // (inline when short, see `yaml::Str`)
                    if value.len() > 24 {
                        value.shrink_to_fit();
                    }
                    let sp = self.span(start, end);
                    let is_merge = tag.is_none() && style == ScalarStyle::Plain && value == "<<";
                    let node = self.scalar(sp, tag, value, style);
                    if let Some(a) = anchor {
                        self.nodes += 1;
                        self.anchors.insert(a, (node.clone(), 1));
                    }
                    self.nodes += 1;
                    if !self.add(node, is_merge) {
                        return;
                    }
                }
                EventData::SequenceStart { anchor, tag, .. } => {
                    if !self.check_depth(start, end) {
                        return;
                    }
                    let tag = self.collection_tag(tag, start, end);
                    self.stack.push(Frame::Seq {
                        start,
                        tag,
                        anchor,
                        items: Vec::new(),
                    });
                }
                EventData::MappingStart { anchor, tag, .. } => {
                    if !self.check_depth(start, end) {
                        return;
                    }
                    let tag = self.collection_tag(tag, start, end);
                    self.stack.push(Frame::Map {
                        start,
                        tag,
                        anchor,
                        map: Mapping::new(),
                        key: None,
                        overridable: HashSet::new(),
                    });
                }
                EventData::SequenceEnd => {
                    let Some(Frame::Seq {
                        start: st,
                        tag,
                        anchor,
                        items,
                    }) = self.stack.pop()
                    else {
                        return;
                    };
                    let sp = self.trimmed_span(st, end);
                    let node = self.finish_seq(sp, tag, items);
                    self.nodes += 1;
                    if let Some(a) = anchor {
                        let c = node.count();
                        self.anchors.insert(a, (node.clone(), c));
                    }
                    if !self.add(node, false) {
                        return;
                    }
                }
                EventData::MappingEnd => {
                    let Some(Frame::Map {
                        start: st,
                        tag,
                        anchor,
                        map,
                        ..
                    }) = self.stack.pop()
                    else {
                        return;
                    };
                    let sp = self.trimmed_span(st, end);
                    let node = self.finish_map(sp, tag, map);
                    self.nodes += 1;
                    if let Some(a) = anchor {
                        let c = node.count();
                        self.anchors.insert(a, (node.clone(), c));
                    }
                    if !self.add(node, false) {
                        return;
                    }
                }
            }
            if self.fatal {
                return;
            }
        }
    }

    fn check_depth(&mut self, start: Mark, end: Mark) -> bool {
        if self.stack.len() >= self.opts.limits.max_depth {
            let sp = self.span(start, end);
            self.error(
                Diag::error(
                    &codes::TOO_DEEP,
                    format!(
                        "collections are nested more than {} levels deep",
                        self.opts.limits.max_depth
                    ),
                )
                .label(sp, "this collection is one level too deep")
                .help("flatten the structure; no CloudFormation template nests this deep"),
            );
            self.fatal = true;
            return false;
        }
        true
    }

    fn syntax_error(&mut self, e: &libyaml_safer::Error) {
        let text_len = self.text.len();
        let at = e
            .problem_mark()
            .map(|m| (m.index as usize).min(text_len))
            .unwrap_or(0);
        let mut d = Diag::error(
            &codes::SYNTAX,
            format!("YAML syntax error: {}", e.problem()),
        );
        let (sp, what) = if at >= text_len {
            // point just after the last character of the file, where a renderer can show it
            let end = self.text.trim_end().len();
            (
                Span::new(self.file, end, end),
                "the file ends here".to_string(),
            )
        } else {
            let next = self.text[at..].chars().next().map_or(1, char::len_utf8);
            (Span::new(self.file, at, at + next), e.problem().to_string())
        };
        d = d.label(sp, what);
        if let (Some(ctx), Some(cm)) = (e.context(), e.context_mark()) {
            let c = (cm.index as usize).min(text_len);
            if c != at {
                let ctx_text = match ctx {
                    "while scanning a quoted scalar" => {
                        "the quoted string starts here and is never closed".to_string()
                    }
                    "while parsing a flow mapping" => "the `{` mapping starts here".to_string(),
                    "while parsing a flow sequence" => "the `[` sequence starts here".to_string(),
                    other => other.trim_start_matches("while ").to_string(),
                };
                d = d.secondary(Span::new(self.file, c, (c + 1).min(text_len)), ctx_text);
            }
        }
        let line_start = self.text[..at].rfind('\n').map_or(0, |i| i + 1);
        let help = match e.problem() {
            p if p.contains("did not find expected alphabetic or numeric character")
                && matches!(
                    e.context(),
                    Some("while scanning an anchor" | "while scanning an alias")
                ) =>
            {
                "slsx's YAML parser takes letters, digits, `-` and `_` in anchor and alias names; js-yaml (the framework's parser) takes other characters such as `.`, `:` or `/` too: rename the anchor and its aliases"
            }
            p if p.contains("invalid Unicode character escape code") => {
                "a UTF-16 surrogate escape such as `\\ud83d\\ude00` is not a character for slsx's YAML parser (js-yaml and JSON.parse join the pair): write the character itself, or `\\U0001F600` in YAML"
            }
            p if p.contains("mapping values are not allowed") && at - line_start > 1024 => {
                "a plain key longer than 1024 characters is not read as a key by slsx's YAML parser (js-yaml takes it): write it as an explicit key, `? <key>` on its own line and `: <value>` on the next"
            }
            p if p.contains("end of stream")
                && e.context() == Some("while scanning a quoted scalar") =>
            {
                "close the quote; a quoted string may span lines but must end with the same quote character"
            }
            p if p.contains("mapping values are not allowed") => {
                "a `: ` inside a plain value starts a mapping; quote the value if the colon is part of the text"
            }
            p if p.contains("tab") => "YAML indentation must use spaces, not tabs",
            p if p.contains("did not find expected key") => {
                "check the indentation of this line against its siblings"
            }
            _ => "fix the YAML syntax at the marked position",
        };
        d = d.help(help);
        self.error(d);
        self.fatal = true;
    }

    /// The library gave up (panicked) somewhere after byte `after`. Its one known panic is a
    /// tag directly followed by `,` inside a flow collection (`[!Ref, x]`), which js-yaml
    /// rejects too (it reads `!Ref,` as the tag name): point at the first such tag.
    fn library_panic(&mut self, after: usize) {
        let text = self.text;
        let after = after.min(text.len());
        let bytes = text.as_bytes();
        let mut found = None;
        let mut i = after;
        while let Some(off) = text.get(i..).and_then(|t| t.find('!')) {
            let start = i + off;
            let mut end = start + 1;
            while end < bytes.len() && !matches!(bytes[end], b' ' | b'\t' | b'\n' | b'\r' | b',') {
                end += 1;
            }
            if end < bytes.len() && bytes[end] == b',' {
                found = Some((start, end));
                break;
            }
            i = start + 1;
        }
        let d =
            match found {
                Some((start, end)) => Diag::error(
                    &codes::SYNTAX,
                    "YAML syntax error: a tag directly followed by `,`",
                )
                .label(
                    Span::new(self.file, start, end + 1),
                    "this tag has no value before the `,`",
                )
                .help("give the tag a value (`!Ref MyBucket,`) or remove it"),
                None => {
                    let at = text
                        .get(after..)
                        .map_or(0, |t| t.len() - t.trim_start().len())
                        + after;
                    let next = text
                        .get(at..)
                        .and_then(|t| t.chars().next())
                        .map_or(0, char::len_utf8);
                    Diag::error(
                    &codes::SYNTAX,
                    "YAML syntax error: the YAML parser could not read the text after this point",
                )
                .label(Span::new(self.file, at, at + next), "the parser stopped here")
                .help("check the syntax around the marked position")
                }
            };
        self.error(d);
        self.fatal = true;
    }

    fn collection_tag(
        &mut self,
        tag: Option<String>,
        start: Mark,
        end: Mark,
    ) -> Option<(Tag, String)> {
        let tag = tag?;
        match classify_tag(&tag) {
            Some(t) => Some((t, tag)),
            None => {
                let sp = self.span(start, end);
                self.unknown_tag(sp, &tag);
                None
            }
        }
    }

    fn unknown_tag(&mut self, sp: Span, tag: &str) {
        let shown = tag
            .strip_prefix("tag:yaml.org,2002:")
            .map(|t| format!("!!{t}"))
            .unwrap_or_else(|| tag.to_string());
        let mut d = Diag::error(&codes::UNKNOWN_TAG, format!("unknown tag `{shown}`")).label(
            sp,
            "this tag is not part of the Serverless Framework's YAML schema",
        );
        let name = tag.trim_start_matches('!');
        let help = match CFN_TAGS.iter().find(|t| t.eq_ignore_ascii_case(name)) {
            Some(t) => format!("did you mean `!{t}`? tags are case-sensitive"),
            None => format!(
                "the framework accepts these short forms, each written with a leading `!`: {}; write other functions in long form, e.g. `Fn::{name}: ...`",
                CFN_TAGS.join(", ")
            ),
        };
        d = d.help(help);
        self.error(d);
    }

    fn bad_tag_value(&mut self, sp: Span, tag: &str, why: &str) {
        self.error(
            Diag::error(
                &codes::BAD_TAG_VALUE,
                format!("cannot resolve a node with the explicit tag `{tag}`"),
            )
            .label(sp, why.to_string())
            .help("remove the tag or give it a value of the type it names"),
        );
    }

    fn scalar(&mut self, sp: Span, tag: Option<String>, value: String, style: ScalarStyle) -> Node {
        let Some(tag_s) = tag else {
            let kind = if style == ScalarStyle::Plain {
                if let Some(text) = scalar::plain_key_text(&value) {
                    self.key_text = Some((sp, text));
                }
                let json = self.opts.json.then(|| scalar::resolve_json_plain(&value));
                json.flatten()
                    .unwrap_or_else(|| scalar::resolve_plain(&value))
            } else {
                Kind::String(value.into())
            };
            return Node::new(sp, kind);
        };
        match classify_tag(&tag_s) {
            Some(Tag::NonSpecific) => Node::string(sp, value),
            Some(Tag::Cfn(name)) => {
                let data = if value.is_empty() && style == ScalarStyle::Plain {
                    Node::null(sp)
                } else if name == "GetAtt" {
                    let (first, rest) = value.split_once('.').unwrap_or((&value, ""));
                    Node::seq(sp, vec![Node::string(sp, first), Node::string(sp, rest)])
                } else {
                    Node::string(sp, value)
                };
                wrap_cfn(name, sp, data)
            }
            Some(Tag::Core(name)) => {
                let shown = format!("!!{name}");
                let empty = value.is_empty() && style == ScalarStyle::Plain;
                match name.as_str() {
                    "str" => Node::string(sp, value),
                    "null" => {
                        if empty || scalar::is_null(&value) {
                            Node::null(sp)
                        } else {
                            self.bad_tag_value(sp, &shown, "not a null value");
                            Node::null(sp)
                        }
                    }
                    "bool" => match scalar::parse_bool(&value) {
                        Some(b) => Node::new(sp, Kind::Bool(b)),
                        None => {
                            self.bad_tag_value(sp, &shown, "not true or false");
                            Node::null(sp)
                        }
                    },
                    "int" => match scalar::parse_int(&value) {
                        Some(n) => Node::new(sp, Kind::Number(n)),
                        None => {
                            self.bad_tag_value(sp, &shown, "not an integer");
                            Node::null(sp)
                        }
                    },
                    "float" => match scalar::parse_float(&value) {
                        Some(f) => Node::new(sp, scalar::float_kind(f)),
                        None => {
                            self.bad_tag_value(sp, &shown, "not a number");
                            Node::null(sp)
                        }
                    },
                    "timestamp" => match scalar::parse_timestamp(&value) {
                        Some(t) => Node::new(sp, scalar::timestamp_kind(t)),
                        None => {
                            self.bad_tag_value(sp, &shown, "not a timestamp");
                            Node::null(sp)
                        }
                    },
                    "binary" => match scalar::decode_binary(&value) {
                        Some(bytes) => {
                            let mut m = Mapping::new();
                            for (i, b) in bytes.iter().enumerate() {
                                m.insert(i.to_string(), sp, Node::new(sp, Kind::Number(*b as f64)));
                            }
                            self.nodes += bytes.len();
                            Node::map(sp, m)
                        }
                        None => {
                            self.bad_tag_value(sp, &shown, "not base64 text");
                            Node::null(sp)
                        }
                    },
                    "map" | "set" | "omap" | "pairs" | "seq" => {
                        if empty {
                            match name.as_str() {
                                "map" | "set" => Node::map(sp, Mapping::new()),
                                _ => Node::seq(sp, Vec::new()),
                            }
                        } else {
                            self.wrong_kind(sp, &name, "scalar")
                        }
                    }
                    "merge" => Node::string(sp, value),
                    _ => {
                        self.unknown_tag(sp, &tag_s);
                        Node::null(sp)
                    }
                }
            }
            None => {
                self.unknown_tag(sp, &tag_s);
                Node::null(sp)
            }
        }
    }

    fn finish_seq(&mut self, sp: Span, tag: Option<(Tag, String)>, items: Vec<Node>) -> Node {
        let node = Node::seq(sp, items);
        match tag {
            None | Some((Tag::NonSpecific, _)) => node,
            Some((Tag::Cfn(name), _)) => wrap_cfn(name, sp, node),
            Some((Tag::Core(name), _)) => {
                match name.as_str() {
                    "seq" => node,
                    "omap" => {
                        let mut seen = HashSet::new();
                        let ok = node.as_seq().unwrap_or(&[]).iter().all(|p| {
                            p.as_map().is_some_and(|m| {
                                m.len() == 1
                                    && seen.insert(m.keys().next().cloned().unwrap_or_default())
                            })
                        });
                        if !ok {
                            self.bad_tag_value(sp, "!!omap", "an ordered map is a sequence of one-key mappings with distinct keys");
                        }
                        node
                    }
                    "pairs" => {
                        let mut out = Vec::new();
                        for p in node.as_seq().unwrap_or(&[]) {
                            match p.as_map() {
                                Some(m) if m.len() == 1 => {
                                    let (k, e) = m.iter().next().expect("one entry");
                                    out.push(Node::seq(
                                        p.span,
                                        vec![Node::string(e.key_span, k.clone()), e.value.clone()],
                                    ));
                                }
                                _ => {
                                    self.bad_tag_value(
                                        sp,
                                        "!!pairs",
                                        "pairs are a sequence of one-key mappings",
                                    );
                                    return Node::null(sp);
                                }
                            }
                        }
                        Node::seq(sp, out)
                    }
                    other => self.wrong_kind(sp, other, "sequence"),
                }
            }
        }
    }

    fn finish_map(&mut self, sp: Span, tag: Option<(Tag, String)>, map: Mapping) -> Node {
        let node = Node::map(sp, map);
        match tag {
            None | Some((Tag::NonSpecific, _)) => node,
            Some((Tag::Cfn(name), _)) => wrap_cfn(name, sp, node),
            Some((Tag::Core(name), _)) => match name.as_str() {
                "map" => node,
                "set" => {
                    if node.as_map().is_some_and(|m| m.values().all(Node::is_null)) {
                        node
                    } else {
                        self.bad_tag_value(
                            sp,
                            "!!set",
                            "every value of a set must be empty (null)",
                        );
                        Node::null(sp)
                    }
                }
                other => self.wrong_kind(sp, other, "mapping"),
            },
        }
    }

    /// Adds a finished node to its parent. Returns false on a fatal error.
    fn add(&mut self, node: Node, is_merge_key: bool) -> bool {
        let json = self.opts.json;
        let key_text = self
            .key_text
            .take()
            .filter(|(sp, _)| *sp == node.span)
            .map(|(_, text)| text);
        let Some(top) = self.stack.last_mut() else {
            self.root = Some(node);
            return true;
        };
        match top {
            Frame::Seq { items, .. } => {
                items.push(node);
                true
            }
            Frame::Map {
                key,
                map,
                overridable,
                ..
            } => {
                let Some(k) = key.take() else {
                    // this node is a key
                    if let Kind::Seq(items) = &node.kind
                        && items.iter().any(|i| matches!(i.kind, Kind::Seq(_)))
                    {
                        let sp = node.span;
                        self.error(
                            Diag::error(
                                &codes::BAD_KEY,
                                "nested arrays are not supported inside keys",
                            )
                            .label(sp, "this key is a sequence of sequences")
                            .help("use a plain string as the key"),
                        );
                        return false;
                    }
                    *key = Some(Pending {
                        name: key_text.unwrap_or_else(|| js_to_string(&node)),
                        span: node.span,
                        is_merge: is_merge_key,
                    });
                    return true;
                };
                if k.is_merge {
                    let sources: Vec<&Node> = match &node.kind {
                        Kind::Seq(items) => items.iter().collect(),
                        _ => vec![&node],
                    };
                    let mut bad = None;
                    for src in sources {
                        match src.as_map() {
                            Some(m) => {
                                for (kk, e) in m.iter() {
                                    if !map.contains_key(kk) {
                                        map.insert(kk.clone(), e.key_span, e.value.clone());
                                        overridable.insert(kk.to_string());
                                    }
                                }
                            }
                            None => bad = Some(src.span),
                        }
                    }
                    if let Some(sp) = bad {
                        self.error(
                            Diag::error(
                                &codes::BAD_MERGE,
                                "cannot merge mappings; the provided source object is unacceptable",
                            )
                            .label(
                                sp,
                                "a merge key (`<<`) takes a mapping or a list of mappings",
                            )
                            .secondary(k.span, "merge key"),
                        );
                    }
                    return true;
                }
                if !json && map.contains_key(&k.name) && !overridable.contains(&k.name) {
                    let first = map.key_span(&k.name).unwrap_or(Span::NONE);
                    let name = k.name.clone();
                    self.error(
                        Diag::error(&codes::DUPLICATE_KEY, format!("duplicated mapping key `{name}`"))
                            .label(k.span, "defined again here")
                            .secondary(first, "first defined here")
                            .help("YAML mappings need unique keys; the framework rejects this file. Merge the two entries or rename one"),
                    );
                    return true;
                }
                overridable.remove(&k.name);
                map.insert(k.name, k.span, node);
                true
            }
        }
    }
}
