//! One module directory's configuration as a tree of blocks and attributes that remember which
//! file they came from. HCL native syntax and JSON syntax both become this; override files are
//! merged into it as Terraform merges them.
use crate::diag::InputError;
use crate::source::{FileId, SourceFile, SourceMap, Span};
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Body, Structure};
use hcl_edit::Span as _;
use std::path::Path;

#[derive(Clone, Debug)]
pub struct AttrCfg {
    pub name: String,
    pub file: FileId,
    pub expr: Expression,
    /// The whole `name = value` span.
    pub span: Span,
}

impl AttrCfg {
    /// Span of the value expression (falls back to the attribute).
    pub fn expr_span(&self) -> Span {
        expr_span(self.file, &self.expr).unwrap_or_else(|| self.span.clone())
    }
}

pub fn expr_span(file: FileId, expr: &Expression) -> Option<Span> {
    expr.span().map(|r| Span::new(file, r))
}

#[derive(Clone, Debug)]
pub struct BlockCfg {
    pub kind: String,
    pub labels: Vec<String>,
    pub file: FileId,
    /// Span of the block header (type and labels).
    pub header: Span,
    pub span: Span,
    pub attrs: Vec<AttrCfg>,
    pub blocks: Vec<BlockCfg>,
}

impl BlockCfg {
    pub fn attr(&self, name: &str) -> Option<&AttrCfg> {
        self.attrs.iter().find(|a| a.name == name)
    }
    pub fn blocks_of<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a BlockCfg> + 'a {
        self.blocks.iter().filter(move |b| b.kind == kind)
    }
    fn same_target(&self, other: &BlockCfg) -> bool {
        self.kind == other.kind && self.labels == other.labels
    }
}

/// The parsed top-level blocks and attributes of one file.
pub struct FileCfg {
    pub file: FileId,
    pub blocks: Vec<BlockCfg>,
}

/// Parses one native-syntax file. Terraform accepts duplicate keys in object literals (last one
/// wins) but hcl-edit rejects them, so each such key is wrapped as a parenthesised string
/// `("key")` — an expression key hcl-edit does not compare — and parsing is retried; spans are
/// mapped back to the original text.
pub fn parse_native(sources: &mut SourceMap, file: FileId) -> Result<FileCfg, InputError> {
    let mut text = sources.get(file).text.clone();
    let mut insertions: Vec<(usize, usize)> = Vec::new();
    let body = loop {
        match hcl_edit::parser::parse_body(&text) {
            Ok(mut body) => match crate::hcl::literals::normalize_body(&mut body, &text) {
                Ok(()) => break body,
                Err(e) => {
                    sources.get_mut(file).set_insertions(insertions);
                    return Err(InputError::new(
                        format!("syntax error: {}", e.message),
                        Some(Span::new(file, e.offset..e.offset)),
                    ));
                }
            },
            Err(err) => {
                let offset = err.location().offset();
                if insertions.len() < 1000 {
                    let fixed = if err.message().contains("redefined object key") {
                        wrap_duplicate_key(&text, offset)
                    } else {
                        wrap_big_numbers(&text)
                    };
                    if let Some((new_text, ins)) = fixed {
                        text = new_text;
                        insertions = merge_insertions(insertions, ins);
                        continue;
                    }
                }
                sources.get_mut(file).set_insertions(insertions);
                return Err(InputError::new(
                    format!("syntax error: {}", parse_message(&err)),
                    Some(Span::new(file, offset..offset)),
                ));
            }
        }
    };
    sources.get_mut(file).set_insertions(insertions);
    let blocks = body_blocks(file, &body, sources);
    Ok(FileCfg { file, blocks })
}

/// Parses a standalone expression, accepting duplicate object keys as Terraform does.
pub fn parse_expr_lenient(text: &str) -> Result<Expression, String> {
    let mut text = text.to_string();
    for _ in 0..1000 {
        match hcl_edit::parser::parse_expr(&text) {
            Ok(mut e) => {
                return crate::hcl::literals::normalize_expr(&mut e, &text)
                    .map(|()| e)
                    .map_err(|e| e.message)
            }
            Err(err) => {
                let fixed = err
                    .message()
                    .contains("redefined object key")
                    .then(|| wrap_duplicate_key(&text, err.location().offset()))
                    .flatten();
                match fixed.or_else(|| wrap_big_numbers(&text)) {
                    Some((t, _)) => text = t,
                    None => return Err(parse_message(&err)),
                }
            }
        }
    }
    Err("too many duplicate object keys".into())
}

fn parse_message(err: &hcl_edit::parser::Error) -> String {
    let m = err.message().trim();
    m.lines().next().unwrap_or(m).to_string()
}

/// Combines earlier insertions (in the previous text's offsets) with a new round of
/// insertions (in the new text's offsets) into insertions in the new text's offsets.
fn merge_insertions(old: Vec<(usize, usize)>, new: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    // Where each new insertion sits in the previous text.
    let mut shift = 0;
    let new_in_prev: Vec<(usize, usize, usize)> = new
        .iter()
        .map(|&(at, len)| {
            let prev = at - shift;
            shift += len;
            (prev, at, len)
        })
        .collect();
    let mut out: Vec<(usize, usize)> = old
        .into_iter()
        .map(|(p, l)| {
            let moved: usize = new_in_prev
                .iter()
                .filter(|(prev, _, _)| *prev <= p)
                .map(|(_, _, len)| len)
                .sum();
            (p + moved, l)
        })
        .collect();
    out.extend(new);
    out.sort();
    out
}

/// hcl-edit cannot parse number literals beyond u64 (integers) or f64 (others); Terraform
/// reads them as 512-bit floats. Each such literal outside a quoted string becomes
/// `tonumber("…")`, which evaluates to the same number. None when there is none to wrap.
fn wrap_big_numbers(text: &str) -> Option<(String, Vec<(usize, usize)>)> {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len() + 32);
    let mut insertions = Vec::new();
    let mut last = 0;
    let mut i = 0;
    let mut in_string = false;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'\n' {
            in_string = false;
        } else if c == b'"' && (i == 0 || bytes[i - 1] != b'\\') {
            in_string = !in_string;
        }
        let starts_token = i == 0
            || !(bytes[i - 1].is_ascii_alphanumeric()
                || bytes[i - 1] == b'_'
                || bytes[i - 1] == b'.');
        if !in_string && c.is_ascii_digit() && starts_token {
            let mut j = i;
            while j < bytes.len() && bytes[j].is_ascii_digit() {
                j += 1;
            }
            let int_end = j;
            if j + 1 < bytes.len() && bytes[j] == b'.' && bytes[j + 1].is_ascii_digit() {
                j += 1;
                while j < bytes.len() && bytes[j].is_ascii_digit() {
                    j += 1;
                }
            }
            if j < bytes.len() && (bytes[j] == b'e' || bytes[j] == b'E') {
                let mut k = j + 1;
                if k < bytes.len() && (bytes[k] == b'+' || bytes[k] == b'-') {
                    k += 1;
                }
                if k < bytes.len() && bytes[k].is_ascii_digit() {
                    while k < bytes.len() && bytes[k].is_ascii_digit() {
                        k += 1;
                    }
                    j = k;
                }
            }
            let tok = &text[i..j];
            let too_big = if j == int_end {
                tok.parse::<u64>().is_err()
            } else {
                !tok.parse::<f64>().is_ok_and(|f| f.is_finite())
            };
            if too_big {
                out.push_str(&text[last..i]);
                let at = out.len();
                out.push_str("tonumber(\"");
                insertions.push((at, 10));
                out.push_str(tok);
                insertions.push((out.len(), 2));
                out.push_str("\")");
                last = j;
            }
            i = j;
            continue;
        }
        i += 1;
    }
    if insertions.is_empty() {
        return None;
    }
    out.push_str(&text[last..]);
    Some((out, insertions))
}

/// Wraps the object key starting at `offset` as `("key")`. Returns the new text and the
/// insertions made, in new-text positions.
fn wrap_duplicate_key(text: &str, offset: usize) -> Option<(String, Vec<(usize, usize)>)> {
    let rest = text.get(offset..)?;
    let key_len = if let Some(quoted) = rest.strip_prefix('"') {
        let mut escaped = false;
        let mut end = None;
        for (i, c) in quoted.char_indices() {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => {
                    end = Some(i + 2);
                    break;
                }
                _ => escaped = false,
            }
        }
        end?
    } else {
        let len = rest
            .char_indices()
            .find(|&(_, c)| !(c.is_alphanumeric() || c == '_' || c == '-'))
            .map(|(i, _)| i)
            .unwrap_or(rest.len());
        if len == 0 {
            return None;
        }
        len
    };
    let key = &rest[..key_len];
    let (prefix, suffix) = if key.starts_with('"') {
        ("(", ")")
    } else {
        ("(\"", "\")")
    };
    let mut out = String::with_capacity(text.len() + 4);
    out.push_str(&text[..offset]);
    out.push_str(prefix);
    out.push_str(key);
    out.push_str(suffix);
    out.push_str(&text[offset + key_len..]);
    Some((
        out,
        vec![
            (offset, prefix.len()),
            (offset + prefix.len() + key_len, suffix.len()),
        ],
    ))
}

fn body_blocks(file: FileId, body: &Body, sources: &SourceMap) -> Vec<BlockCfg> {
    let (_, blocks) = convert_body(file, body, sources);
    blocks
}

/// Spans stay in parsed-text offsets; `SourceMap::locate` maps them to the original text.
fn map_span(_sources: &SourceMap, file: FileId, r: Option<std::ops::Range<usize>>) -> Span {
    match r {
        Some(r) => Span::new(file, r),
        None => Span::file_start(file),
    }
}

fn convert_body(file: FileId, body: &Body, sources: &SourceMap) -> (Vec<AttrCfg>, Vec<BlockCfg>) {
    let mut attrs = Vec::new();
    let mut blocks = Vec::new();
    for st in body.iter() {
        match st {
            Structure::Attribute(a) => {
                attrs.push(AttrCfg {
                    name: a.key.as_str().to_string(),
                    file,
                    expr: a.value.clone(),
                    span: map_span(sources, file, a.span()),
                });
            }
            Structure::Block(b) => {
                let (battrs, bblocks) = convert_body(file, &b.body, sources);
                let header_end = b
                    .labels
                    .last()
                    .and_then(|l| l.span())
                    .or_else(|| b.ident.span())
                    .map(|r| r.end);
                let header = match (b.ident.span(), header_end) {
                    (Some(s), Some(e)) => Some(s.start..e),
                    _ => None,
                };
                blocks.push(BlockCfg {
                    kind: b.ident.as_str().to_string(),
                    labels: b.labels.iter().map(|l| l.as_str().to_string()).collect(),
                    file,
                    header: map_span(sources, file, header),
                    span: map_span(sources, file, b.span()),
                    attrs: battrs,
                    blocks: bblocks,
                });
            }
        }
    }
    (attrs, blocks)
}

/// Parses a `.tf.json` file: Terraform's JSON syntax, where strings are templates.
pub fn parse_json(sources: &mut SourceMap, file: FileId) -> Result<FileCfg, InputError> {
    let text = &sources.get(file).text;
    let json: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        let src = sources.get(file);
        let off = offset_of_line_col(src, e.line(), e.column());
        InputError::new(
            format!("invalid JSON: {e}"),
            Some(Span::new(file, off..off)),
        )
    })?;
    let obj = json.as_object().ok_or_else(|| {
        InputError::new(
            "a .tf.json file must hold a JSON object".to_string(),
            Some(Span::file_start(file)),
        )
    })?;
    let mut blocks = Vec::new();
    for (kind, v) in obj {
        let depth = match kind.as_str() {
            "resource" | "data" => 2,
            "variable" | "output" | "module" | "provider" => 1,
            _ => 0,
        };
        json_blocks(file, kind, v, depth, Vec::new(), &mut blocks);
    }
    Ok(FileCfg { file, blocks })
}

fn offset_of_line_col(src: &SourceFile, line: usize, col: usize) -> usize {
    let mut off = 0;
    for (i, l) in src.text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return off + col.saturating_sub(1).min(l.len());
        }
        off += l.len();
    }
    off
}

fn json_blocks(
    file: FileId,
    kind: &str,
    v: &serde_json::Value,
    depth: usize,
    labels: Vec<String>,
    out: &mut Vec<BlockCfg>,
) {
    match v {
        serde_json::Value::Array(items) => {
            for item in items {
                json_blocks(file, kind, item, depth, labels.clone(), out);
            }
        }
        serde_json::Value::Object(m) if depth > 0 => {
            for (label, inner) in m {
                let mut l = labels.clone();
                l.push(label.clone());
                json_blocks(file, kind, inner, depth - 1, l, out);
            }
        }
        serde_json::Value::Object(m) => {
            let mut block = BlockCfg {
                kind: kind.to_string(),
                labels,
                file,
                header: Span::file_start(file),
                span: Span::file_start(file),
                attrs: Vec::new(),
                blocks: Vec::new(),
            };
            for (k, val) in m {
                if k == "//" {
                    continue;
                }
                let nested_kind = matches!(
                    k.as_str(),
                    "lifecycle" | "provisioner" | "connection" | "backend" | "required_providers"
                );
                if nested_kind || (val.is_object() && is_block_like(k)) {
                    let d = usize::from(k == "backend" || k == "provisioner");
                    json_blocks(file, k, val, d, Vec::new(), &mut block.blocks);
                } else {
                    block.attrs.push(AttrCfg {
                        name: k.clone(),
                        file,
                        expr: json_expr(val, kind == "variable" && k == "type"),
                        span: Span::file_start(file),
                    });
                }
            }
            out.push(block);
        }
        _ => {}
    }
}

/// In JSON syntax a nested block and an object-valued attribute look the same; these are the
/// nested blocks infra-lint needs to see as blocks.
fn is_block_like(key: &str) -> bool {
    matches!(key, "dynamic" | "validation")
}

fn json_template(s: &str) -> Option<Expression> {
    use hcl_edit::template::{Element, StringTemplate};
    let mut t = hcl_edit::parser::parse_template(s).ok()?;
    crate::hcl::literals::normalize_template(&mut t, s).ok()?;
    let elements: Vec<Element> = t.into_iter().collect();
    Some(match elements.as_slice() {
        [] => Expression::from(""),
        [Element::Literal(l)] => Expression::from(l.value().clone()),
        _ => Expression::StringTemplate(StringTemplate::from(elements)),
    })
}

fn json_expr(v: &serde_json::Value, is_type: bool) -> Expression {
    use hcl_edit::expr::{Array, Object, ObjectKey, ObjectValue};
    match v {
        serde_json::Value::Null => Expression::null(),
        serde_json::Value::Bool(b) => Expression::from(*b),
        serde_json::Value::Number(n) => hcl_edit::parser::parse_expr(&n.to_string())
            .unwrap_or_else(|_| Expression::from(n.to_string())),
        serde_json::Value::String(s) if is_type => {
            hcl_edit::parser::parse_expr(s).unwrap_or_else(|_| Expression::from(s.clone()))
        }
        // A string in JSON syntax is a template file's text (its escapes are JSON's, decoded).
        serde_json::Value::String(s) => {
            json_template(s).unwrap_or_else(|| Expression::from(s.clone()))
        }
        serde_json::Value::Array(items) => {
            let mut a = Array::new();
            for it in items {
                a.push(json_expr(it, false));
            }
            Expression::Array(a)
        }
        serde_json::Value::Object(m) => {
            let mut o = Object::new();
            for (k, val) in m {
                o.insert(
                    ObjectKey::Expression(Expression::from(k.clone())),
                    ObjectValue::new(json_expr(val, false)),
                );
            }
            Expression::Object(o)
        }
    }
}

/// Merges an override file's blocks into the module's blocks as Terraform does: for each
/// override block, the original block with the same type and labels gets the override's
/// attributes (replacing same-named ones) and its nested blocks (replacing all nested blocks
/// of the same type). `locals` merge per local name.
pub fn merge_override(base: &mut Vec<BlockCfg>, over: Vec<BlockCfg>) -> Vec<String> {
    let mut unmatched = Vec::new();
    for ob in over {
        if ob.kind == "locals" {
            for oa in ob.attrs {
                let target = base
                    .iter_mut()
                    .filter(|b| b.kind == "locals")
                    .find(|b| b.attrs.iter().any(|a| a.name == oa.name));
                match target {
                    Some(b) => replace_attr(b, oa),
                    None => unmatched.push(format!("local.{}", oa.name)),
                }
            }
            continue;
        }
        if ob.kind == "terraform" {
            if let Some(b) = base.iter_mut().find(|b| b.kind == "terraform") {
                merge_into(b, ob);
            } else {
                base.push(ob);
            }
            continue;
        }
        match base.iter_mut().find(|b| b.same_target(&ob)) {
            Some(b) => merge_into(b, ob),
            None => unmatched.push(format!("{} {}", ob.kind, ob.labels.join("."))),
        }
    }
    unmatched
}

fn replace_attr(b: &mut BlockCfg, a: AttrCfg) {
    match b.attrs.iter_mut().find(|x| x.name == a.name) {
        Some(slot) => *slot = a,
        None => b.attrs.push(a),
    }
}

fn merge_into(b: &mut BlockCfg, over: BlockCfg) {
    for a in over.attrs {
        replace_attr(b, a);
    }
    let kinds: Vec<String> = over.blocks.iter().map(|x| x.kind.clone()).collect();
    b.blocks.retain(|x| !kinds.contains(&x.kind));
    b.blocks.extend(over.blocks);
}

/// Which files of a directory Terraform reads, split into primary and override files, each in
/// lexical order.
pub fn module_files(
    dir: &Path,
) -> std::io::Result<(Vec<std::path::PathBuf>, Vec<std::path::PathBuf>)> {
    let mut primary = Vec::new();
    let mut overrides = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        let Some(name) = p.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if name.starts_with('.') || name.starts_with('#') || name.ends_with('~') || !p.is_file() {
            continue;
        }
        let stem = if let Some(s) = name.strip_suffix(".tf.json") {
            s
        } else if let Some(s) = name.strip_suffix(".tf") {
            s
        } else {
            continue;
        };
        if stem == "override" || stem.ends_with("_override") {
            overrides.push(p);
        } else {
            primary.push(p);
        }
    }
    Ok((primary, overrides))
}
