//! Reading what `terraform console` prints, for the tests that compare with it
//! (tests/conformance.rs, tests/differential.rs).

/// Decodes the HCL quoted string terraform console prints.
pub fn decode_console_string(s: &str) -> Option<String> {
    let inner = s.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::new();
    let mut it = inner.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            '\\' => match it.next()? {
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                't' => out.push('\t'),
                '"' => out.push('"'),
                '\\' => out.push('\\'),
                u @ ('u' | 'U') => {
                    let n = if u == 'u' { 4 } else { 8 };
                    let hex: String = it.by_ref().take(n).collect();
                    out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                }
                _ => return None,
            },
            '$' | '%' if it.peek() == Some(&c) => {
                // `$${` / `%%{` escapes
                let mut la = it.clone();
                la.next();
                if la.peek() == Some(&'{') {
                    it.next();
                }
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    Some(out)
}
