//! Where a value sits in a JSON document that serde_json has already accepted, so that a
//! problem with `resources[3].instances[0].attributes` points at its line. serde_json keeps
//! no positions; this scan runs only when there is a problem to report.
use super::Seg;

/// Byte offset of the value at `path`, or of the deepest part of `path` that exists (the
/// document itself at worst). `text` must be valid JSON.
pub(crate) fn offset_of(text: &str, path: &[Seg]) -> Option<usize> {
    let b = text.as_bytes();
    let mut pos = skip_ws(b, 0);
    let mut best = pos;
    'path: for seg in path {
        match (b.get(pos)?, seg) {
            (b'{', Seg::Key(want)) => {
                pos += 1;
                loop {
                    pos = skip_ws(b, pos);
                    if b.get(pos) != Some(&b'"') {
                        break 'path;
                    }
                    let key_end = skip_string(b, pos)?;
                    let matches = key_eq(&text[pos..key_end], want);
                    pos = skip_ws(b, key_end);
                    if b.get(pos) != Some(&b':') {
                        break 'path;
                    }
                    pos = skip_ws(b, pos + 1);
                    if matches {
                        best = pos;
                        continue 'path;
                    }
                    pos = skip_ws(b, skip_value(b, pos)?);
                    if b.get(pos) != Some(&b',') {
                        break 'path;
                    }
                    pos += 1;
                }
            }
            (b'[', Seg::Index(want)) => {
                pos += 1;
                let mut i = 0;
                loop {
                    pos = skip_ws(b, pos);
                    if b.get(pos) == Some(&b']') {
                        break 'path;
                    }
                    if i == *want {
                        best = pos;
                        continue 'path;
                    }
                    pos = skip_ws(b, skip_value(b, pos)?);
                    if b.get(pos) != Some(&b',') {
                        break 'path;
                    }
                    pos += 1;
                    i += 1;
                }
            }
            _ => break,
        }
    }
    Some(best)
}

/// One-based line and column (in characters) of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.bytes().filter(|&c| c == b'\n').count() + 1;
    (line, text[line_start..offset].chars().count() + 1)
}

/// Byte offset of serde_json's error position: `line` one-based, `column` the count of bytes
/// read on that line (0 when the error is at a line start). None when serde_json gave none.
pub(crate) fn offset_of_line_col(text: &str, line: usize, column: usize) -> Option<usize> {
    if line == 0 {
        return None;
    }
    let line_start = if line == 1 {
        0
    } else {
        text.match_indices('\n').nth(line - 2)?.0 + 1
    };
    let line_len = text[line_start..]
        .find('\n')
        .unwrap_or(text.len() - line_start);
    Some(line_start + column.saturating_sub(1).min(line_len))
}

fn key_eq(raw: &str, want: &str) -> bool {
    if raw.contains('\\') {
        serde_json::from_str::<String>(raw).is_ok_and(|k| k == want)
    } else {
        raw.get(1..raw.len() - 1) == Some(want)
    }
}

fn skip_ws(b: &[u8], mut pos: usize) -> usize {
    while b.get(pos).is_some_and(|c| c.is_ascii_whitespace()) {
        pos += 1;
    }
    pos
}

/// End of the string starting at `pos` (after its closing quote).
fn skip_string(b: &[u8], mut pos: usize) -> Option<usize> {
    pos += 1;
    loop {
        match b.get(pos)? {
            b'\\' => pos += 2,
            b'"' => return Some(pos + 1),
            _ => pos += 1,
        }
    }
}

/// End of the value starting at `pos`.
fn skip_value(b: &[u8], pos: usize) -> Option<usize> {
    match b.get(pos)? {
        b'"' => skip_string(b, pos),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut p = pos;
            loop {
                match b.get(p)? {
                    b'"' => {
                        p = skip_string(b, p)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(p + 1);
                        }
                    }
                    _ => {}
                }
                p += 1;
            }
        }
        _ => {
            let mut p = pos;
            while b
                .get(p)
                .is_some_and(|c| !matches!(c, b',' | b']' | b'}') && !c.is_ascii_whitespace())
            {
                p += 1;
            }
            Some(p)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_values() {
        let text = "{\"a\": [1, {\"b\\\"\": \"x]\"}, {\"c\": [true]}],\n \"d\": {\"e\": null}}";
        let at = |path: &[Seg]| &text[offset_of(text, path).unwrap()..];
        assert!(at(&[Seg::Key("a"), Seg::Index(2), Seg::Key("c")]).starts_with("[true]"));
        assert!(at(&[Seg::Key("a"), Seg::Index(1), Seg::Key("b\"")]).starts_with("\"x]\""));
        assert!(at(&[Seg::Key("d"), Seg::Key("e")]).starts_with("null"));
        // The deepest existing part of a path that does not exist.
        assert!(at(&[Seg::Key("a"), Seg::Index(9)]).starts_with("[1,"));
        assert!(at(&[Seg::Key("zz")]).starts_with("{\"a\""));
        assert_eq!(
            line_col(text, offset_of(text, &[Seg::Key("d")]).unwrap()),
            (2, 7)
        );
    }

    #[test]
    fn serde_positions_map_to_offsets() {
        let text = "{\n  \"é\": x\n}";
        // serde_json reports the column in bytes, after the offending byte.
        let o = offset_of_line_col(text, 2, 9).unwrap();
        assert_eq!(&text[o..o + 1], "x");
        assert_eq!(line_col(text, o), (2, 8));
        assert_eq!(offset_of_line_col(text, 0, 0), None);
    }
}
