//! Source files and byte spans.
//!
//! Every node slsx loads carries a [`Span`]: the file it came from and a byte range in that
//! file. Diagnostics turn spans into line:column positions through the [`SourceMap`], which
//! owns the text of every file read during a run (the service config and every file pulled in
//! by `${file(...)}`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

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
    pub text: Arc<str>,
    /// Byte offset of the start of each line.
    line_starts: Vec<u32>,
}

impl SourceFile {
    pub fn new(name: String, path: PathBuf, text: Arc<str>) -> SourceFile {
        let mut line_starts = vec![0u32];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                line_starts.push((i + 1) as u32);
            }
        }
        line_starts.shrink_to_fit();
        SourceFile {
            name,
            path,
            text,
            line_starts,
        }
    }

    /// 1-based line and 1-based column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts.binary_search(&(offset as u32)) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line] as usize;
        let mut col_start = offset;
        while col_start > start && !self.text.is_char_boundary(col_start) {
            col_start -= 1;
        }
        let col = self.text[start..col_start].chars().count();
        (line + 1, col + 1)
    }

    /// Byte offset of a 1-based line and 1-based character column (clamped).
    pub fn offset_of(&self, line: usize, col: usize) -> usize {
        let line = line.clamp(1, self.line_starts.len());
        let start = self.line_starts[line - 1] as usize;
        let end = self
            .line_starts
            .get(line)
            .map(|e| *e as usize)
            .unwrap_or(self.text.len());
        let mut off = start;
        for (n, (i, _)) in self.text[start..end].char_indices().enumerate() {
            if n + 1 == col {
                return start + i;
            }
            off = start + i;
        }
        if col > 1 { end.max(off) } else { start }
    }
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

    /// The text a span covers (empty for synthetic spans).
    pub fn snippet(&self, span: Span) -> &str {
        self.get(span.file)
            .and_then(|f| f.text.get(span.start as usize..span.end as usize))
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
