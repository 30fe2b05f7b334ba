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
                'a' => out.push('\u{7}'),
                'b' => out.push('\u{8}'),
                'f' => out.push('\u{c}'),
                'v' => out.push('\u{b}'),
                // Console quotes as Go's strconv does: \x7f for DEL, \u0097 for a C1 control.
                u @ ('x' | 'u' | 'U') => {
                    let n = match u {
                        'x' => 2,
                        'u' => 4,
                        _ => 8,
                    };
                    let hex: String = it.by_ref().take(n).collect();
                    out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                }
                _ => return None,
            },
            // Console does not escape template sequences: "$${x}" prints as "${x}", and a
            // value holding "$${" prints it as it is.
            _ => out.push(c),
        }
    }
    Some(out)
}
