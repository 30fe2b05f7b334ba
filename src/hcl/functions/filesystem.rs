//! File and path functions. Relative paths resolve against `ctx.cwd`.
use super::hash::hash_bytes;
use super::{map_arg, str_arg, FnCtx, FnResult};
use crate::model::Value;
use base64::Engine;
use std::path::{Path, PathBuf};

pub(super) fn call(name: &str, a: Vec<Value>, ctx: &FnCtx) -> FnResult {
    let p = str_arg(&a[0], "path")?;
    match name {
        "basename" => Ok(Value::String(basename(&p))),
        "dirname" => Ok(Value::String(dirname(&p))),
        "abspath" => {
            let full = resolve(ctx, &p);
            Ok(Value::String(clean(&full.to_string_lossy())))
        }
        "pathexpand" => {
            if p == "~" || p.starts_with("~/") {
                match std::env::var("HOME") {
                    Ok(h) => Ok(Value::String(format!("{h}{}", &p[1..]))),
                    Err(_) => Ok(Value::String(p)),
                }
            } else {
                Ok(Value::String(p))
            }
        }
        "fileexists" => {
            let full = resolve_home(ctx, &p);
            match std::fs::metadata(&full) {
                Ok(m) if m.is_file() => Ok(Value::Bool(true)),
                Ok(m) if m.is_dir() => Err(format!("{p} is a directory, not a file")),
                Ok(_) => Err(format!("{p} is not a regular file, but \"{}\"", "other")),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Value::Bool(false)),
                Err(e) => Err(format!("failed to stat {p}: {e}")),
            }
        }
        "file" | "templatefile" => {
            let bytes = read(ctx, &p)?;
            let text = String::from_utf8(bytes).map_err(|_| {
                format!("contents of \"{p}\" are not valid UTF-8; use the filebase64 function to obtain the Base64 encoded contents or the other file functions (e.g. filemd5, filesha256) to obtain file hashing results instead")
            })?;
            if name == "file" {
                return Ok(Value::String(text));
            }
            let vars = match &a[1] {
                Value::Null => Default::default(),
                v => map_arg(v, "vars")?.clone(),
            };
            (ctx.render_template)(&text, &vars)
        }
        "filebase64" => Ok(Value::String(
            base64::engine::general_purpose::STANDARD.encode(read(ctx, &p)?),
        )),
        "filemd5" | "filesha1" | "filesha256" | "filesha512" | "filebase64sha256"
        | "filebase64sha512" => {
            let algo = name.replacen("file", "", 1);
            hash_bytes(&algo, &read(ctx, &p)?).map(Value::String)
        }
        "fileset" => {
            let pattern = str_arg(&a[1], "pattern")?;
            let root = resolve(ctx, &p);
            let mut files = Vec::new();
            walk(&root, "", &mut files);
            let pat: Vec<char> = pattern.chars().collect();
            let out = files
                .into_iter()
                .filter(|f| glob_match(&pat, &f.chars().collect::<Vec<_>>()))
                .map(Value::String)
                .collect();
            Ok(Value::set(out))
        }
        _ => Err(format!("unknown filesystem function {name}")),
    }
}

/// A file to read or test: Terraform expands a leading `~` to the home directory
/// (go-homedir) there, not in fileset.
fn resolve_home(ctx: &FnCtx, p: &str) -> PathBuf {
    let home = std::env::var_os("HOME").filter(|h| !h.is_empty());
    let expanded = match (p.strip_prefix('~'), home) {
        (Some(rest), Some(home)) if rest.is_empty() || rest.starts_with('/') => {
            Some(PathBuf::from(home).join(rest.trim_start_matches('/')))
        }
        _ => None,
    };
    expanded.unwrap_or_else(|| resolve(ctx, p))
}

fn resolve(ctx: &FnCtx, p: &str) -> PathBuf {
    let path = Path::new(p);
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        ctx.cwd.join(path)
    }
}

fn read(ctx: &FnCtx, p: &str) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let full = resolve_home(ctx, p);
    // `file("/dev/zero")` or a huge file would otherwise be read whole before any check.
    let max = ctx.limits.max_string_bytes as u64;
    let mut bytes = Vec::new();
    std::fs::File::open(&full)
        .and_then(|f| f.take(max + 1).read_to_end(&mut bytes))
        .map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            format!("no file exists at \"{p}\"; this function works only with files that are distributed as part of the configuration source code, so if this file will be created by a resource in this configuration you must instead obtain this result from an attribute of that resource")
        } else {
            format!("failed to read file \"{p}\": {e}")
        }
    })?;
    if bytes.len() as u64 > max {
        return Err(format!(
            "file \"{p}\" is over the limit of {max} bytes \
             (raise limits.max_string_bytes in infra-lint.toml)"
        ));
    }
    Ok(bytes)
}

fn walk(dir: &Path, rel: &str, out: &mut Vec<String>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let r = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        match e.file_type() {
            Ok(t) if t.is_dir() => walk(&e.path(), &r, out),
            Ok(t) if t.is_file() => out.push(r),
            Ok(_) if e.path().is_file() => out.push(r),
            _ => {}
        }
    }
}

/// Glob matching with `*`, `?`, `**`, `[...]` and `{a,b}` as fileset's doublestar does.
fn glob_match(p: &[char], s: &[char]) -> bool {
    if p.is_empty() {
        return s.is_empty();
    }
    match p[0] {
        '*' if p.get(1) == Some(&'*') => {
            let rest = &p[2..];
            // "**/" may match zero directories
            let rest_after_slash = rest.strip_prefix(&['/']).unwrap_or(rest);
            if glob_match(rest_after_slash, s) {
                return true;
            }
            (0..s.len()).any(|i| {
                glob_match(rest, &s[i + 1..])
                    || (s[i] == '/' && glob_match(rest_after_slash, &s[i + 1..]))
            })
        }
        '*' => {
            for i in 0..=s.len() {
                if glob_match(&p[1..], &s[i..]) {
                    return true;
                }
                if i < s.len() && s[i] == '/' {
                    break;
                }
            }
            false
        }
        '?' => !s.is_empty() && s[0] != '/' && glob_match(&p[1..], &s[1..]),
        '[' => {
            let Some(close) = p.iter().skip(1).position(|&c| c == ']').map(|i| i + 1) else {
                return !s.is_empty() && s[0] == '[' && glob_match(&p[1..], &s[1..]);
            };
            if s.is_empty() || s[0] == '/' {
                return false;
            }
            let mut class = &p[1..close];
            let negate = matches!(class.first(), Some('!') | Some('^'));
            if negate {
                class = &class[1..];
            }
            let mut hit = false;
            let mut i = 0;
            while i < class.len() {
                if i + 2 < class.len() && class[i + 1] == '-' {
                    hit |= class[i] <= s[0] && s[0] <= class[i + 2];
                    i += 3;
                } else {
                    hit |= class[i] == s[0];
                    i += 1;
                }
            }
            hit != negate && glob_match(&p[close + 1..], &s[1..])
        }
        '{' => {
            let Some(close) = p.iter().position(|&c| c == '}') else {
                return !s.is_empty() && s[0] == '{' && glob_match(&p[1..], &s[1..]);
            };
            p[1..close].split(|&c| c == ',').any(|alt| {
                let mut np: Vec<char> = alt.to_vec();
                np.extend_from_slice(&p[close + 1..]);
                glob_match(&np, s)
            })
        }
        '\\' if p.len() > 1 => !s.is_empty() && s[0] == p[1] && glob_match(&p[2..], &s[1..]),
        c => !s.is_empty() && s[0] == c && glob_match(&p[1..], &s[1..]),
    }
}

/// Go's filepath.Clean.
fn clean(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let body = parts.join("/");
    match (rooted, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".into(),
        (false, false) => body,
    }
}

/// Go's filepath.Base.
fn basename(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let t = p.trim_end_matches('/');
    if t.is_empty() {
        return "/".into();
    }
    t.rsplit('/').next().unwrap_or(t).to_string()
}

/// Go's filepath.Dir.
fn dirname(p: &str) -> String {
    let dir = match p.rfind('/') {
        Some(i) => &p[..=i],
        None => "",
    };
    clean(dir)
}
