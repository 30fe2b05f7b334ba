//! Reading and parsing one configuration file, apart from any root's source map, so that a
//! module called by several roots of one run is read and parsed once ([`SharedFiles`]) and
//! every root still gets its own copy with its own file ids and display paths.
use crate::diag::InputError;
use crate::hcl::config::{self, BlockCfg};
use crate::source::{FileId, Location, SourceFile, SourceMap, Span};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// Why a file's text could not be used. The message is made per root (it names the file as
/// that root shows it).
#[derive(Clone, Debug)]
pub(crate) enum ReadError {
    Io(String),
    /// Over `max_file_bytes`: the declared size, or "more than MAX" for a file that grew.
    TooLarge(String),
    Nul(usize),
    NotUtf8(usize),
}

/// One file as read and parsed. Ids and spans refer to [`PLACEHOLDER`] until a root takes it
/// with [`FileParse::into_root`].
#[derive(Clone)]
pub(crate) struct FileParse {
    /// What the root registers as the file's source (empty or lossy text when it is not
    /// usable); None when the file could not be opened.
    source: Option<SourceFile>,
    read_error: Option<ReadError>,
    /// The blocks, or the syntax error; None when the text was not parsed.
    parsed: Option<Result<Vec<BlockCfg>, InputError>>,
}

const PLACEHOLDER: FileId = FileId(0);

/// Reads `path` within `max` bytes. A file that is too large is not read at all (its
/// metadata says so) or only up to the bound (one that grows, or a device that never ends).
pub(crate) fn read(path: &Path, max: u64) -> FileParse {
    use std::io::Read;
    let file = |text: String| Some(SourceFile::new(String::new(), path.to_path_buf(), text));
    let failed = |source, e| FileParse {
        source,
        read_error: Some(e),
        parsed: None,
    };
    let mut bytes = Vec::new();
    let read = std::fs::File::open(path).and_then(|f| {
        let size = f.metadata()?.len();
        if size <= max {
            f.take(max + 1).read_to_end(&mut bytes)?;
        }
        Ok(size)
    });
    match read {
        Err(e) => return failed(None, ReadError::Io(e.to_string())),
        Ok(size) if size > max => {
            return failed(file(String::new()), ReadError::TooLarge(size.to_string()))
        }
        Ok(_) if bytes.len() as u64 > max => {
            return failed(
                file(String::new()),
                ReadError::TooLarge(format!("more than {max}")),
            )
        }
        Ok(_) => {}
    }
    // Text never holds NUL; a binary file may still happen to be valid UTF-8.
    if let Some(off) = bytes.iter().position(|&b| b == 0) {
        let lossy = String::from_utf8_lossy(&bytes).into_owned();
        return failed(file(lossy), ReadError::Nul(off));
    }
    match String::from_utf8(bytes) {
        Ok(t) => FileParse {
            source: file(t),
            read_error: None,
            parsed: None,
        },
        Err(e) => {
            let off = e.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            failed(file(lossy), ReadError::NotUtf8(off))
        }
    }
}

/// Reads and parses a configuration file (native syntax, or JSON for `.tf.json`).
pub(crate) fn read_and_parse(path: &Path, max: u64) -> FileParse {
    let mut f = read(path, max);
    if f.read_error.is_some() {
        return f;
    }
    let Some(source) = f.source.take() else {
        return f;
    };
    let mut one = SourceMap::default();
    let id = one.add(source);
    debug_assert_eq!(id, PLACEHOLDER);
    let parsed = if path.to_string_lossy().ends_with(".json") {
        config::parse_json(&mut one, id)
    } else {
        config::parse_native(&mut one, id)
    };
    f.source = one.into_files().pop();
    f.parsed = Some(parsed.map(|c| c.blocks));
    f
}

impl FileParse {
    /// Whether the text could be read.
    pub(crate) fn readable(&self) -> bool {
        self.source.is_some() && self.read_error.is_none()
    }

    /// Registers the file in `sources` as `display` and hands over what reading and parsing
    /// found, with this root's file id: the blocks (None when there are none to use) and the
    /// errors to report.
    pub(crate) fn into_root(
        self,
        sources: &mut SourceMap,
        display: &str,
        max: u64,
    ) -> (Option<FileId>, Option<Vec<BlockCfg>>, Option<InputError>) {
        let id = self.source.map(|mut s| {
            s.display = display.to_string();
            sources.add(s)
        });
        if let Some(e) = self.read_error {
            let at = |off: usize| id.map(|id| Span::new(id, off..off));
            let err = match e {
                ReadError::Io(e) => InputError::new(format!("cannot read {display}: {e}"), None),
                ReadError::TooLarge(size) => InputError::new(
                    format!(
                        "{display} is {size} bytes, over the limit of {max} for one file: not \
                         read (raise limits.max_file_bytes in infra-lint.toml)"
                    ),
                    id.map(Span::file_start),
                ),
                ReadError::Nul(off) => InputError::new(
                    format!("{display} is not a text file (a NUL byte at offset {off})"),
                    at(off),
                ),
                ReadError::NotUtf8(off) => InputError::new(
                    format!(
                        "{display} is not a text file: it is not valid UTF-8 (invalid byte at \
                         offset {off})"
                    ),
                    at(off),
                ),
            };
            return (None, None, Some(err));
        }
        let Some(id) = id else {
            return (None, None, None);
        };
        match self.parsed {
            None => (Some(id), None, None),
            Some(Ok(mut blocks)) => {
                for b in &mut blocks {
                    with_file(b, id);
                }
                (Some(id), Some(blocks), None)
            }
            Some(Err(mut e)) => {
                if let Some(Location::Source(s)) = &mut e.location {
                    s.file = id;
                }
                (Some(id), None, Some(e))
            }
        }
    }
}

fn with_file(b: &mut BlockCfg, id: FileId) {
    b.file = id;
    b.header.file = id;
    b.span.file = id;
    for a in &mut b.attrs {
        a.file = id;
        a.span.file = id;
    }
    for inner in &mut b.blocks {
        with_file(inner, id);
    }
}

/// The files of module directories that several roots of one run load, each read and parsed
/// by the first root that needs it (the others wait for it rather than parse it again) and
/// dropped after its last expected use. Only for checking: `--fix` edits files between loads.
pub struct SharedFiles {
    /// Canonical module directory → how many roots load it.
    uses: HashMap<PathBuf, usize>,
    files: Mutex<HashMap<(PathBuf, u64), Slot>>,
    /// Files of shared directories read and parsed so far (each once, unless a bound differs).
    parsed: std::sync::atomic::AtomicUsize,
}

struct Slot {
    remaining: usize,
    parse: Arc<OnceLock<FileParse>>,
}

impl std::fmt::Debug for SharedFiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedFiles")
            .field("dirs", &self.uses.len())
            .finish_non_exhaustive()
    }
}

impl SharedFiles {
    /// `uses`: canonical module directory → how many roots load it; only directories with
    /// more than one are kept.
    pub fn new(uses: HashMap<PathBuf, usize>) -> SharedFiles {
        SharedFiles {
            uses: uses.into_iter().filter(|(_, n)| *n > 1).collect(),
            files: Mutex::new(HashMap::new()),
            parsed: Default::default(),
        }
    }

    /// How many files of shared directories were read and parsed.
    pub fn parsed_files(&self) -> usize {
        self.parsed.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// How many module directories are shared.
    pub fn shared_dirs(&self) -> usize {
        self.uses.len()
    }

    /// `path` read and parsed within `max` bytes: from the cache when its directory is
    /// shared, else now.
    pub(crate) fn get(&self, path: &Path, max: u64) -> FileParse {
        // Module directories are canonical when loaded (cycles are found by them), so the
        // file's parent is its key as it is.
        let uses = path.parent().and_then(|d| self.uses.get(d).copied());
        let Some(uses) = uses else {
            return read_and_parse(path, max);
        };
        let cell = {
            // A poisoned lock only means another root panicked (and was reported); the map
            // itself is whole.
            let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
            let key = (path.to_path_buf(), max);
            let slot = files.entry(key.clone()).or_insert_with(|| Slot {
                remaining: uses,
                parse: Arc::new(OnceLock::new()),
            });
            slot.remaining = slot.remaining.saturating_sub(1);
            let cell = slot.parse.clone();
            if slot.remaining == 0 {
                files.remove(&key);
            }
            cell
        };
        cell.get_or_init(|| {
            self.parsed
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            read_and_parse(path, max)
        })
        .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hcl::{load, LoadOptions};

    fn render(l: &crate::hcl::Loaded) -> String {
        let mut out = String::new();
        // Every field, spans and file ids included, and the files as registered.
        for r in &l.model.resources {
            out.push_str(&format!("{r:?}\n"));
        }
        for (id, f) in l.sources.files() {
            out.push_str(&format!("{id:?} {} {}\n", f.display, f.text.len()));
        }
        for e in &l.errors {
            let at = e
                .location
                .as_ref()
                .and_then(|l| l.span())
                .map(|s| l.sources.locate(s));
            out.push_str(&format!("error {} {:?}\n", e.message, at));
        }
        out
    }

    /// Two roots calling one module (one of its files broken, one with a duplicate key the
    /// parser needs rewritten) load exactly as they do alone, and the module is parsed once.
    #[test]
    fn a_shared_module_is_parsed_once_and_loads_as_it_does_alone() {
        let dir = tempfile::tempdir().unwrap();
        let w = |p: &str, t: &str| {
            let p = dir.path().join(p);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, t).unwrap();
        };
        w(
            "modules/sg/main.tf",
            "variable \"port\" {}\nresource \"aws_security_group\" \"this\" {\n  name = \"sg-${var.port}\"\n  tags = { a = 1, a = 2 }\n}\n",
        );
        w("modules/sg/broken.tf", "resource \"aws_s3_bucket\" {\n");
        w(
            "a/main.tf",
            "module \"sg\" {\n  source = \"../modules/sg\"\n  port   = 80\n}\n",
        );
        w(
            "b/deep/main.tf",
            "module \"sg\" {\n  source = \"../../modules/sg\"\n  port   = 443\n}\n",
        );
        let found = crate::hcl::roots::discover(dir.path());
        assert_eq!(found.roots.len(), 2);
        let shared = Arc::new(SharedFiles::new(found.uses));
        assert_eq!(shared.shared_dirs(), 1);
        let with = LoadOptions {
            shared: Some(shared.clone()),
            ..LoadOptions::default()
        };
        for root in &found.roots {
            let alone = load(root, &LoadOptions::default());
            let cached = load(root, &with);
            assert!(!alone.errors.is_empty() && !alone.model.resources.is_empty());
            assert_eq!(render(&cached), render(&alone), "{}", root.display());
        }
        assert_eq!(shared.parsed_files(), 2, "each file of the module, once");
        // Past their expected uses the entries are gone: a third load parses again.
        assert!(shared.files.lock().unwrap().is_empty());
    }
}
