//! Source files, byte spans and line/column lookup. Line and column are computed only when a
//! location is rendered.
use std::ops::Range;
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A byte range in one source file.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub file: FileId,
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(file: FileId, range: Range<usize>) -> Span {
        Span {
            file,
            start: range.start,
            end: range.end,
        }
    }
    /// The whole first line of a file: used when a construct has no finer position.
    pub fn file_start(file: FileId) -> Span {
        Span {
            file,
            start: 0,
            end: 0,
        }
    }
}

/// Where something is, whatever source it came from: one type for resources, value origins,
/// related labels, findings, "not evaluated" notes and every report. Only `Source` spans can be
/// edited or suppressed; the others are shown as they are.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Location {
    /// A byte range of a configuration file (original text offsets).
    Source(Span),
    /// An attribute of a resource instance in a Terraform state or plan file (`path` is "" for
    /// the instance itself).
    State {
        file: std::sync::Arc<str>,
        address: String,
        path: String,
    },
    /// An attribute of an object in the live account, by ARN (or ID where it has none).
    Live { arn: String, path: String },
}

impl Location {
    pub fn span(&self) -> Option<&Span> {
        match self {
            Location::Source(s) => Some(s),
            _ => None,
        }
    }
    /// The same place, one attribute deeper (state and live); a span stays as it is.
    pub fn at_path(&self, p: &str) -> Location {
        match self {
            Location::Source(s) => Location::Source(s.clone()),
            Location::State { file, address, .. } => Location::State {
                file: file.clone(),
                address: address.clone(),
                path: p.to_string(),
            },
            Location::Live { arn, .. } => Location::Live {
                arn: arn.clone(),
                path: p.to_string(),
            },
        }
    }
    /// How a place without a source line is written for people: `terraform.tfstate:
    /// aws_db_instance.db.publicly_accessible`.
    pub fn describe(&self, sources: &SourceMap) -> String {
        match self {
            Location::Source(s) => {
                let p = sources.locate(s);
                format!("{}:{}:{}", p.file, p.line, p.column)
            }
            Location::State {
                file,
                address,
                path,
            } => {
                if path.is_empty() {
                    format!("{file}: {address}")
                } else {
                    format!("{file}: {address}.{path}")
                }
            }
            Location::Live { arn, path } => {
                if path.is_empty() {
                    format!("live {arn}")
                } else {
                    format!("live {arn} {path}")
                }
            }
        }
    }
}

impl From<Span> for Location {
    fn from(s: Span) -> Location {
        Location::Source(s)
    }
}

/// Line and column, both one-based; columns count characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

#[derive(Clone)]
pub struct SourceFile {
    /// Path as shown to users: relative to the checked directory where possible.
    pub display: String,
    pub path: PathBuf,
    pub text: String,
    line_starts: Vec<usize>,
    /// Text insertions made before parsing (see `hcl::parse`), as (position in the parsed
    /// text, inserted length), ordered. Spans from the parser are mapped back through them.
    insertions: Vec<(usize, usize)>,
}

impl SourceFile {
    pub fn new(display: String, path: PathBuf, text: String) -> SourceFile {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        SourceFile {
            display,
            path,
            text,
            line_starts,
            insertions: Vec::new(),
        }
    }

    pub fn set_insertions(&mut self, insertions: Vec<(usize, usize)>) {
        self.insertions = insertions;
    }

    /// Maps a byte offset in the parsed text back to the original text (the loader does this
    /// once for every span; everything downstream holds original offsets).
    pub fn original_offset(&self, parsed: usize) -> usize {
        let mut shift = 0;
        for &(at, len) in &self.insertions {
            if at + len <= parsed {
                shift += len;
            } else if at <= parsed {
                // Inside inserted text: clamp to where the insertion happened.
                return at - shift;
            } else {
                break;
            }
        }
        parsed - shift
    }

    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line];
        let column = self
            .text
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(offset - start)
            + 1;
        LineCol {
            line: line + 1,
            column,
        }
    }

    /// The text of one line (one-based), without its newline.
    pub fn line_text(&self, line: usize) -> &str {
        let start = self.line_starts.get(line - 1).copied().unwrap_or(0);
        let end = self
            .line_starts
            .get(line)
            .map(|e| e - 1)
            .unwrap_or(self.text.len());
        self.text
            .get(start..end)
            .unwrap_or("")
            .trim_end_matches('\r')
    }
}

/// Every file infra-lint read in one run.
#[derive(Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        FileId((self.files.len() - 1) as u32)
    }
    pub fn into_files(self) -> Vec<SourceFile> {
        self.files
    }
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }
    pub fn get_mut(&mut self, id: FileId) -> &mut SourceFile {
        &mut self.files[id.0 as usize]
    }
    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }
    /// Resolved, renderable position of a span.
    pub fn locate(&self, span: &Span) -> Position {
        let f = self.get(span.file);
        let start = f.line_col(span.start);
        let end = f.line_col(span.end);
        Position {
            file: f.display.clone(),
            line: start.line,
            column: start.column,
            end_line: end.line,
            end_column: end.column,
        }
    }
}

/// A span resolved to file, line and column (one-based), as reports print it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Position {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

/// Renders `path` relative to `base` (with `..` when it lies outside), as users see paths.
pub fn display_path(base: &Path, path: &Path) -> String {
    let rel = relative(base, path).unwrap_or_else(|| path.to_path_buf());
    let s = rel.to_string_lossy().replace('\\', "/");
    if s.is_empty() {
        ".".into()
    } else {
        s
    }
}

fn relative(base: &Path, path: &Path) -> Option<PathBuf> {
    use std::path::Component;
    if !(base.is_absolute() && path.is_absolute()) {
        return path.strip_prefix(base).ok().map(Path::to_path_buf);
    }
    let b: Vec<Component> = base.components().collect();
    let p: Vec<Component> = path.components().collect();
    let common = b.iter().zip(&p).take_while(|(x, y)| x == y).count();
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in &p[common..] {
        out.push(c.as_os_str());
    }
    Some(out)
}

/// The repository `dir` is in: the nearest ancestor holding `.git` (a directory, or a file in a
/// worktree), else `dir` itself; absolute.
pub fn repository_root(dir: &Path) -> PathBuf {
    let abs = dir.canonicalize().unwrap_or_else(|_| {
        std::env::current_dir()
            .map(|c| c.join(dir))
            .unwrap_or_else(|_| dir.to_path_buf())
    });
    abs.ancestors()
        .find(|d| d.join(".git").exists())
        .unwrap_or(&abs)
        .to_path_buf()
}
