//! Root modules under a directory, for `check --recursive`.
//!
//! A root module is a directory holding `.tf` or `.tf.json` files that no other directory under
//! the searched one calls as a local module (`source = "./…"` or `"../…"`). `.terraform/` and
//! hidden directories are skipped, and `.gitignore` (with `.ignore` and git's global excludes)
//! is honoured, as git would. Module calls are read from the files' `module` blocks without
//! evaluating anything: a `source` must be a literal string, as Terraform requires. The same
//! calls tell which module directories several roots share, so that a run reads and parses
//! those once (`hcl::files::SharedFiles`).
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// Every directory under `dir` with Terraform files, and the local module directories each
/// of them calls (canonical paths).
fn module_dirs(dir: &Path) -> BTreeMap<PathBuf, BTreeSet<PathBuf>> {
    let walker = ignore::WalkBuilder::new(dir)
        .hidden(true)
        .git_ignore(true)
        .git_global(true)
        .git_exclude(true)
        .require_git(false)
        .follow_links(false)
        .filter_entry(|e| e.file_name() != ".terraform")
        .build();
    let files: Vec<PathBuf> = walker
        .flatten()
        .filter(|e| {
            let name = e.file_name().to_string_lossy();
            (name.ends_with(".tf") || name.ends_with(".tf.json"))
                && e.file_type().is_some_and(|t| t.is_file())
        })
        .map(ignore::DirEntry::into_path)
        .collect();
    // A lexical scan of every file (a parse only where the scan is unsure), in parallel as
    // the checks are.
    use rayon::prelude::*;
    let calls: Vec<(PathBuf, Vec<PathBuf>)> = files
        .par_iter()
        .filter_map(|path| {
            let parent = path.parent()?;
            let parent = parent
                .canonicalize()
                .unwrap_or_else(|_| parent.to_path_buf());
            let json = path.to_string_lossy().ends_with(".json");
            let called = std::fs::read_to_string(path)
                .map(|text| {
                    local_sources(&text, json)
                        .into_iter()
                        .map(|s| {
                            let c = parent.join(s);
                            c.canonicalize().unwrap_or(c)
                        })
                        .collect()
                })
                .unwrap_or_default();
            Some((parent, called))
        })
        .collect();
    let mut dirs: BTreeMap<PathBuf, BTreeSet<PathBuf>> = BTreeMap::new();
    for (parent, called) in calls {
        dirs.entry(parent).or_default().extend(called);
    }
    dirs
}

/// The `source` of every `module` block whose source is a local path.
fn local_sources(text: &str, json: bool) -> Vec<String> {
    let local = |s: &str| s.starts_with("./") || s.starts_with("../");
    if json {
        let Ok(doc) = serde_json::from_str::<serde_json::Value>(text) else {
            return vec![];
        };
        // `"module": {"name": {...}}` or `"module": [{"name": {...}}]`.
        let blocks: Vec<&serde_json::Value> = match &doc["module"] {
            serde_json::Value::Array(a) => a.iter().collect(),
            v => vec![v],
        };
        return blocks
            .into_iter()
            .filter_map(|b| b.as_object())
            .flat_map(|o| o.values())
            .filter_map(|m| m["source"].as_str())
            .filter(|s| local(s))
            .map(String::from)
            .collect();
    }
    if let Some(sources) = scan_module_sources(text) {
        return sources.into_iter().filter(|s| local(s)).collect();
    }
    parsed_sources(text)
        .into_iter()
        .filter(|s| local(s))
        .collect()
}

/// The literal `source` of every `module` block, from a full parse.
fn parsed_sources(text: &str) -> Vec<String> {
    let Ok(body) = hcl_edit::parser::parse_body(text) else {
        return vec![];
    };
    body.get_blocks("module")
        .filter_map(|b| b.body.get_attribute("source"))
        .filter_map(|a| a.value.as_str().map(String::from))
        .collect()
}

/// What a search for root modules found.
pub struct Discovery {
    /// The root modules, sorted, as paths under the searched directory (not canonical, so
    /// they read as the user wrote it).
    pub roots: Vec<PathBuf>,
    /// Canonical module directory → how many of the roots load it, through local module
    /// calls at any depth (a root counts itself).
    pub uses: HashMap<PathBuf, usize>,
}

/// The root modules under `dir`, and which module directories they share.
pub fn discover(dir: &Path) -> Discovery {
    let base = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let dirs = module_dirs(dir);
    let called: BTreeSet<&PathBuf> = dirs.values().flatten().collect();
    let roots: Vec<&PathBuf> = dirs.keys().filter(|d| !called.contains(d)).collect();
    let mut uses: HashMap<PathBuf, usize> = HashMap::new();
    for root in &roots {
        // Every directory this root reaches, once, whatever the call graph's shape (a cycle
        // is reported when the root is loaded).
        let mut seen: BTreeSet<&PathBuf> = BTreeSet::new();
        let mut todo = vec![*root];
        while let Some(d) = todo.pop() {
            if seen.insert(d) {
                todo.extend(dirs.get(d).into_iter().flatten());
            }
        }
        for d in seen {
            *uses.entry(d.clone()).or_default() += 1;
        }
    }
    let roots = roots
        .into_iter()
        .map(|d| match d.strip_prefix(&base) {
            Ok(rel) if rel.as_os_str().is_empty() => dir.to_path_buf(),
            Ok(rel) => dir.join(rel),
            Err(_) => d.clone(),
        })
        .collect();
    Discovery { roots, uses }
}

/// The root modules under `dir`, sorted, as paths under `dir`.
pub fn find(dir: &Path) -> Vec<PathBuf> {
    discover(dir).roots
}

/// One token of the lexical scan that finds module calls (see [`scan_module_sources`]).
#[derive(Debug, PartialEq)]
enum Tok<'a> {
    Ident(&'a str),
    /// A quoted string: its value when it is a literal (no interpolation or directive).
    Str(Option<String>),
    Open,
    Close,
    Eq,
    Newline,
    Other,
}

/// The `source` of every top-level `module` block whose source is a literal string, from a
/// lexical scan of the text: strings (with their interpolations), heredocs, comments and
/// brackets are recognised, nothing is evaluated. Finding the roots of a monorepo then costs
/// a pass over the bytes instead of a parse of every file (and parsing was most of a
/// recursive run's time). None when the text is not balanced as HCL requires; the caller then
/// parses it. A test holds this to the parser's answer on every file of the corpus.
pub fn scan_module_sources(text: &str) -> Option<Vec<String>> {
    let toks = tokens(text.as_bytes())?;
    let mut out = Vec::new();
    let mut depth = 0usize;
    // The depth of the body of the `module` block being read.
    let mut module_body: Option<usize> = None;
    let mut line_start = true;
    let mut i = 0;
    while i < toks.len() {
        match &toks[i] {
            Tok::Newline => {
                line_start = true;
                i += 1;
                continue;
            }
            Tok::Open => depth += 1,
            Tok::Close => {
                depth = depth.checked_sub(1)?;
                if module_body.is_some_and(|d| depth < d) {
                    module_body = None;
                }
            }
            Tok::Ident("module") if line_start && depth == 0 => {
                let mut j = i + 1;
                while matches!(toks.get(j), Some(Tok::Str(_) | Tok::Ident(_))) {
                    j += 1;
                }
                if toks.get(j) == Some(&Tok::Open) {
                    depth += 1;
                    module_body = Some(depth);
                    i = j + 1;
                    // A one-line block: `module "a" { source = "./a" }`.
                    line_start = true;
                    continue;
                }
            }
            Tok::Ident("source") if line_start && module_body == Some(depth) => {
                if let (
                    Some(Tok::Eq),
                    Some(Tok::Str(Some(s))),
                    None | Some(Tok::Newline | Tok::Close),
                ) = (toks.get(i + 1), toks.get(i + 2), toks.get(i + 3))
                {
                    out.push(s.clone());
                }
            }
            _ => {}
        }
        line_start = false;
        i += 1;
    }
    (depth == 0).then_some(out)
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
}

fn is_ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c >= 0x80
}

/// The tokens of `b`; None where a string, comment, heredoc or bracket is not closed, or
/// brackets do not match.
fn tokens(b: &[u8]) -> Option<Vec<Tok<'_>>> {
    let mut out = Vec::new();
    let mut stack: Vec<u8> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b'\n' => {
                out.push(Tok::Newline);
                i += 1;
            }
            b' ' | b'\t' | b'\r' => i += 1,
            b'#' => i = line_end(b, i),
            b'/' if b.get(i + 1) == Some(&b'/') => i = line_end(b, i),
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let end = find_bytes(b, i + 2, b"*/")?;
                i = end + 2;
            }
            b'"' => {
                let (value, end) = string(b, i + 1)?;
                out.push(Tok::Str(value));
                i = end;
            }
            b'<' if b.get(i + 1) == Some(&b'<') => match heredoc(b, i + 2) {
                Heredoc::Ends(end) => {
                    out.push(Tok::Str(None));
                    // The closing marker's line ends the heredoc; its newline is a token.
                    i = end;
                }
                Heredoc::NotOne => {
                    out.push(Tok::Other);
                    i += 2;
                }
                Heredoc::Unclosed => return None,
            },
            b'{' | b'[' | b'(' => {
                stack.push(c);
                out.push(Tok::Open);
                i += 1;
            }
            b'}' | b']' | b')' => {
                let open = stack.pop()?;
                if (open, c) != (b'{', b'}')
                    && (open, c) != (b'[', b']')
                    && (open, c) != (b'(', b')')
                {
                    return None;
                }
                out.push(Tok::Close);
                i += 1;
            }
            b'=' if matches!(b.get(i + 1), Some(b'=' | b'>')) => {
                out.push(Tok::Other);
                i += 2;
            }
            b'=' => {
                out.push(Tok::Eq);
                i += 1;
            }
            b'!' | b'<' | b'>' if b.get(i + 1) == Some(&b'=') => {
                out.push(Tok::Other);
                i += 2;
            }
            c if is_ident_start(c) => {
                let start = i;
                while i < b.len() && is_ident_char(b[i]) {
                    i += 1;
                }
                // Bytes ≥ 0x80 only group whole UTF-8 sequences, so this is a char boundary.
                out.push(Tok::Ident(std::str::from_utf8(&b[start..i]).ok()?));
            }
            _ => {
                out.push(Tok::Other);
                i += 1;
            }
        }
    }
    stack.is_empty().then_some(out)
}

fn line_end(b: &[u8], i: usize) -> usize {
    b[i..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |p| i + p)
}

fn find_bytes(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    b.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

/// A quoted string starting after its `"`: its literal value (None when it has an
/// interpolation or directive) and the index after the closing `"`.
fn string(b: &[u8], mut i: usize) -> Option<(Option<String>, usize)> {
    let mut value = Some(Vec::new());
    while i < b.len() {
        match b[i] {
            b'"' => {
                let v = value.and_then(|v| String::from_utf8(v).ok());
                return Some((v, i + 1));
            }
            b'\n' => return None,
            b'\\' => {
                let e = *b.get(i + 1)?;
                let lit = match e {
                    b'n' => Some(b'\n'),
                    b't' => Some(b'\t'),
                    b'r' => Some(b'\r'),
                    b'"' | b'\\' => Some(e),
                    // \uNNNN and the rest: not a path anyone writes; not a literal here.
                    _ => None,
                };
                match (lit, value.as_mut()) {
                    (Some(l), Some(v)) => v.push(l),
                    _ => value = None,
                }
                i += 2;
            }
            c @ (b'$' | b'%') if b.get(i + 1) == Some(&c) && b.get(i + 2) == Some(&b'{') => {
                // `$${` and `%%{` are the literal `${` and `%{`.
                if let Some(v) = value.as_mut() {
                    v.extend_from_slice(&[c, b'{']);
                }
                i += 3;
            }
            b'$' | b'%' if b.get(i + 1) == Some(&b'{') => {
                value = None;
                i = template_expr(b, i + 2)?;
            }
            c => {
                if let Some(v) = value.as_mut() {
                    v.push(c);
                }
                i += 1;
            }
        }
    }
    None
}

/// Skips the expression of an interpolation or directive, from after its `{` to after its
/// closing `}`: nested brackets and strings included.
fn template_expr(b: &[u8], mut i: usize) -> Option<usize> {
    let mut depth = 0usize;
    while i < b.len() {
        match b[i] {
            b'"' => i = string(b, i + 1)?.1,
            b'{' | b'[' | b'(' => {
                depth += 1;
                i += 1;
            }
            b'}' if depth == 0 => return Some(i + 1),
            b'}' | b']' | b')' => {
                depth = depth.checked_sub(1)?;
                i += 1;
            }
            _ => i += 1,
        }
    }
    None
}

enum Heredoc {
    /// At the newline ending the closing marker's line (or the text's end).
    Ends(usize),
    NotOne,
    Unclosed,
}

/// A heredoc starting after its `<<`.
fn heredoc(b: &[u8], mut i: usize) -> Heredoc {
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    let start = i;
    while i < b.len() && is_ident_char(b[i]) {
        i += 1;
    }
    let marker = &b[start..i];
    if marker.is_empty() || !is_ident_start(marker[0]) {
        return Heredoc::NotOne;
    }
    // The opener's line ends right after the marker (a `\r` allowed).
    if b.get(i) == Some(&b'\r') {
        i += 1;
    }
    if b.get(i) != Some(&b'\n') {
        return Heredoc::NotOne;
    }
    i += 1;
    while i < b.len() {
        let end = line_end(b, i);
        let line = &b[i..end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.trim_ascii() == marker {
            return Heredoc::Ends(end);
        }
        i = end + 1;
    }
    Heredoc::Unclosed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_sources_are_read_from_hcl_and_json() {
        assert_eq!(
            local_sources(
                "module \"a\" {\n  source = \"../mods/a\"\n}\nmodule \"b\" {\n  source = \"terraform-aws-modules/vpc/aws\"\n}\n",
                false
            ),
            vec!["../mods/a"]
        );
        assert_eq!(
            local_sources(
                r#"{"module": {"x": {"source": "./x"}, "y": {"source": "git::y"}}}"#,
                true
            ),
            vec!["./x"]
        );
    }

    #[test]
    fn the_scan_reads_module_sources_past_strings_heredocs_and_comments() {
        let text = r#"
# module "commented" { source = "./no" }
/* module "block" {
  source = "./no"
} */
locals {
  doc = <<-EOT
    module "in_heredoc" {
      source = "./no"
    }
  EOT
  s = "a } brace ${ {"k" = "}"}["k"] } and $${literal} %{ if true }x%{ endif }"
  module = "not a block"
}
module "a" {
  source = "./a" # a comment after it
  providers = { aws = aws.x }
}
module b { source = "../b" }
module "templated" {
  source = "${path.module}/t"
}
module "c" {
  count  = 1
  source = "./c\"q"
}
resource "x" "y" {
  module "nested_is_not_a_call" {
    source = "./no"
  }
}
"#;
        assert_eq!(
            scan_module_sources(text),
            Some(vec!["./a".to_string(), "../b".into(), "./c\"q".into()])
        );
        assert_eq!(scan_module_sources(text), Some(parsed_sources(text)));
    }

    #[test]
    fn the_scan_gives_up_where_the_text_is_not_balanced() {
        for text in [
            "module \"a\" {\n  source = \"./a\"\n",
            "module \"a\" {\n  source = \"./a\n}\n",
            "x = <<EOT\nnever closed\n",
            "x = (]\n",
            "/* never closed",
            "x = \"${ unclosed\"\n",
        ] {
            assert_eq!(scan_module_sources(text), None, "{text:?}");
        }
        // Unbalanced text falls back to the parse, which finds nothing in it.
        assert!(local_sources("module \"a\" {\n  source = \"./a\"\n", false).is_empty());
    }

    /// The scan agrees with the parser on every file of the corpus that parses (thousands of
    /// real files, cloudposse's monorepo among them).
    #[test]
    fn the_scan_agrees_with_the_parser_on_the_corpus() {
        let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
        assert!(corpus.is_dir(), "this test reads {}", corpus.display());
        let mut compared = 0;
        let mut with_modules = 0;
        for entry in ignore::WalkBuilder::new(&corpus)
            .hidden(false)
            .build()
            .flatten()
        {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "tf") {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            if hcl_edit::parser::parse_body(&text).is_err() {
                continue;
            }
            let parsed = parsed_sources(&text);
            assert_eq!(
                scan_module_sources(&text).as_ref(),
                Some(&parsed),
                "{}",
                path.display()
            );
            compared += 1;
            with_modules += usize::from(!parsed.is_empty());
        }
        assert!(
            compared > 2000 && with_modules > 500,
            "{compared} files, {with_modules} with modules"
        );
    }
}
