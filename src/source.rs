//! Source files and byte spans.
//!
//! Every node slsx loads carries a [`Span`]: the file it came from and a byte range in that
//! file. Diagnostics turn spans into line:column positions through the [`SourceMap`], which
//! owns the text of every file read during a run (the service config and every file pulled in
//! by `${file(...)}`).

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// Identifies one file in a [`SourceMap`].
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

impl FileId {
    /// Used for values that do not come from any file (CLI options, defaults, generated values).
    pub const NONE: FileId = FileId(u32::MAX);
}

/// A byte range in one source file.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    /// A span that points nowhere (synthetic values).
    pub const NONE: Span = Span {
        file: FileId::NONE,
        start: 0,
        end: 0,
    };

    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: start.min(u32::MAX as usize) as u32,
            end: end.max(start).min(u32::MAX as usize) as u32,
        }
    }

    pub fn is_none(&self) -> bool {
        self.file == FileId::NONE
    }

    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }

    /// The span covering both `self` and `other` (same file), or `self` otherwise.
    pub fn to(&self, other: Span) -> Span {
        if self.file != other.file {
            return *self;
        }
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// A sub-range of this span, in bytes relative to its start, clamped to the span.
    pub fn sub(&self, from: usize, to: usize) -> Span {
        let len = self.len();
        let from = from.min(len) as u32;
        let to = to.clamp(from as usize, len) as u32;
        Span {
            file: self.file,
            start: self.start + from,
            end: self.start + to,
        }
    }
}

/// One loaded file.
#[derive(Debug)]
pub struct SourceFile {
    /// The name shown in diagnostics (relative to the working directory when possible).
    pub name: String,
    /// The path it was read from (`-` for stdin).
    pub path: PathBuf,
    /// The text, when it is not packed away (see [`SourceMap::pack`]).
    text: OnceLock<Arc<str>>,
    /// The text compressed, for as long as nothing needs it.
    packed: Option<Packed>,
    /// Byte offset of the start of each line (computed when first needed: only drawing a
    /// diagnostic needs it; packed away with the text).
    line_starts: OnceLock<Vec<u32>>,
}

/// A file's text LZ4-compressed (`lz4_flex`, safe mode): the configuration's text is only
/// read to draw diagnostics once variables are resolved, and the 1,000-machine service's 2.7 MB
/// compress to a tenth.
#[derive(Debug)]
struct Packed {
    bytes: Vec<u8>,
}

impl Packed {
    fn new(text: &str) -> Packed {
        let mut bytes = lz4_flex::block::compress_prepend_size(text.as_bytes());
        bytes.shrink_to_fit();
        Packed { bytes }
    }

    fn unpack(&self) -> Arc<str> {
        // the bytes were a `str` when packed; anything else is a bug, not input
        let raw = lz4_flex::block::decompress_size_prepended(&self.bytes)
            .expect("packed source text decompresses");
        Arc::from(String::from_utf8(raw).expect("packed source text is UTF-8"))
    }
}

impl SourceFile {
    pub fn new(name: String, path: PathBuf, text: Arc<str>) -> SourceFile {
        SourceFile {
            name,
            path,
            text: OnceLock::from(text),
            packed: None,
            line_starts: OnceLock::new(),
        }
    }

    fn line_starts(&self) -> &[u32] {
        self.line_starts.get_or_init(|| {
            let mut starts = vec![0u32];
            for (i, b) in self.text().bytes().enumerate() {
                if b == b'\n' {
                    starts.push((i + 1) as u32);
                }
            }
            starts.shrink_to_fit();
            starts
        })
    }

    /// The file's text (unpacked on first use after [`SourceMap::pack`]).
    pub fn text(&self) -> &Arc<str> {
        self.text.get_or_init(|| match &self.packed {
            Some(p) => p.unpack(),
            None => Arc::from(""),
        })
    }

    /// Packs the text away until it is needed again (files under [`set_pack_from`] bytes stay
    /// as they are).
    fn pack(&mut self) {
        let Some(text) = self.text.get() else {
            return;
        };
        if text.len() < PACK_FROM.load(std::sync::atomic::Ordering::Relaxed) {
            return;
        }
        if self.packed.is_none() {
            self.packed = Some(Packed::new(text));
        }
        self.text = OnceLock::new();
        self.line_starts = OnceLock::new();
    }

    /// 1-based line and 1-based column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text().len());
        let line = match self.line_starts().binary_search(&(offset as u32)) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts()[line] as usize;
        let mut col_start = offset;
        while col_start > start && !self.text().is_char_boundary(col_start) {
            col_start -= 1;
        }
        let col = self.text()[start..col_start].chars().count();
        (line + 1, col + 1)
    }

    /// Byte offset of a 1-based line and 1-based character column (clamped).
    pub fn offset_of(&self, line: usize, col: usize) -> usize {
        let line = line.clamp(1, self.line_starts().len());
        let start = self.line_starts()[line - 1] as usize;
        let end = self
            .line_starts()
            .get(line)
            .map(|e| *e as usize)
            .unwrap_or(self.text().len());
        let mut off = start;
        for (n, (i, _)) in self.text()[start..end].char_indices().enumerate() {
            if n + 1 == col {
                return start + i;
            }
            off = start + i;
        }
        if col > 1 { end.max(off) } else { start }
    }
}

static PACK_FROM: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(64 * 1024);

/// From what size [`SourceMap::pack`] packs a file's text (64 KiB; small files are not worth
/// it). The golden fixtures set 0, so that every diagnostic they draw reads packed text.
pub fn set_pack_from(bytes: usize) {
    PACK_FROM.store(bytes, std::sync::atomic::Ordering::Relaxed);
}

/// All files of one run.
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    /// Adds a file and returns its id. `name` is what diagnostics show.
    pub fn add(
        &mut self,
        name: impl Into<String>,
        path: impl AsRef<Path>,
        text: impl Into<Arc<str>>,
    ) -> FileId {
        let id = FileId(self.files.len() as u32);
        self.files.push(SourceFile::new(
            name.into(),
            path.as_ref().to_path_buf(),
            text.into(),
        ));
        id
    }

    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    /// The id of an already loaded file with this path.
    pub fn find(&self, path: &Path) -> Option<FileId> {
        self.files
            .iter()
            .position(|f| f.path == path)
            .map(|i| FileId(i as u32))
    }

    /// Packs every large file's text away (LZ4) until a diagnostic needs it: what the compile
    /// passes hold at their peak is then the tree, not the tree and the text.
    pub fn pack(&mut self) {
        for f in &mut self.files {
            f.pack();
        }
    }

    /// The text a span covers (empty for synthetic spans).
    pub fn snippet(&self, span: Span) -> &str {
        self.get(span.file)
            .and_then(|f| f.text().get(span.start as usize..span.end as usize))
            .unwrap_or("")
    }

    /// `file:line:col` of the start of a span.
    pub fn describe(&self, span: Span) -> String {
        match self.get(span.file) {
            Some(f) => {
                let (l, c) = f.line_col(span.start as usize);
                format!("{}:{}:{}", f.name, l, c)
            }
            None => "<generated>".to_string(),
        }
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_text_reads_the_same() {
        let text: String = (0..20_000)
            .map(|i| format!("key{i}: välue {i}\n"))
            .collect();
        let mut map = SourceMap::new();
        let id = map.add("big.yml", "big.yml", text.as_str());
        let probe = |m: &SourceMap| {
            let f = m.get(id).unwrap();
            let span = Span {
                file: id,
                start: 200_003,
                end: 200_020,
            };
            (
                m.snippet(span).to_string(),
                f.line_col(200_003),
                f.offset_of(12_345, 4),
                m.describe(span),
            )
        };
        let before = probe(&map);
        map.pack();
        let f = map.get(id).unwrap();
        assert!(f.text.get().is_none() && f.packed.is_some(), "packed");
        assert_eq!(probe(&map), before);
        assert_eq!(&**map.get(id).unwrap().text(), text.as_str());
        // packing again after use drops the text again, without compressing twice
        map.pack();
        assert!(map.get(id).unwrap().text.get().is_none());
        assert_eq!(probe(&map), before);
    }

    #[test]
    fn line_col_counts_chars() {
        let f = SourceFile::new("x".into(), "x".into(), "ab\nçd: é\n".into());
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(3), (2, 1));
        // 'd' is after the two-byte 'ç'
        assert_eq!(f.line_col(5), (2, 2));
        assert_eq!(f.line_col(8), (2, 5));
        assert_eq!(f.offset_of(2, 2), 5);
        assert_eq!(f.offset_of(1, 1), 0);
    }
}
