//! `textencodebase64` and `textdecodebase64`: a string in a named character encoding.
//!
//! Terraform looks names up in Go's IANA index (exact IANA names and aliases, any case) and
//! converts with golang.org/x/text. infra-lint knows the encodings below; the multi-byte ones
//! convert with `encoding_rs`, whose WHATWG tables x/text's Japanese, Korean and Chinese
//! encoders also follow. The other names x/text converts (EBCDIC and DOS code pages, for
//! instance) give Unknown, not an error; a name Go does not know is Terraform's error.
use super::{str_arg, FnResult};
use crate::model::{Cause, Value};
use base64::Engine;

#[derive(Clone, Copy)]
enum Codec {
    Utf8,
    /// Big-endian with a byte order mark; decoding honours either mark.
    Utf16,
    Utf16Be,
    Utf16Le,
    Ascii,
    Latin1,
    /// Windows-1252 without the five bytes Microsoft leaves undefined (x/text's table).
    Windows1252,
    Whatwg(&'static encoding_rs::Encoding),
}

/// (aliases in lower case, IANA's name for the encoding, codec)
const ENCODINGS: &[(&[&str], &str, Codec)] = &[
    (&["utf-8", "csutf8"], "UTF-8", Codec::Utf8),
    (&["utf-16", "csutf16"], "UTF-16", Codec::Utf16),
    (&["utf-16be", "csutf16be"], "UTF-16BE", Codec::Utf16Be),
    (&["utf-16le", "csutf16le"], "UTF-16LE", Codec::Utf16Le),
    (
        &[
            "us-ascii",
            "iso-ir-6",
            "ansi_x3.4-1968",
            "ansi_x3.4-1986",
            "iso_646.irv:1991",
            "iso646-us",
            "us",
            "ibm367",
            "cp367",
            "csascii",
        ],
        "US-ASCII",
        Codec::Ascii,
    ),
    (
        &[
            "iso_8859-1:1987",
            "iso-ir-100",
            "iso_8859-1",
            "iso-8859-1",
            "latin1",
            "l1",
            "ibm819",
            "cp819",
            "csisolatin1",
        ],
        "ISO_8859-1:1987",
        Codec::Latin1,
    ),
    (
        &["windows-1252", "cswindows1252"],
        "windows-1252",
        Codec::Windows1252,
    ),
    (
        &["shift_jis", "ms_kanji", "csshiftjis"],
        "Shift_JIS",
        Codec::Whatwg(encoding_rs::SHIFT_JIS),
    ),
    (
        &["euc-kr", "cseuckr"],
        "EUC-KR",
        Codec::Whatwg(encoding_rs::EUC_KR),
    ),
    (
        &["gbk", "cp936", "ms936", "windows-936", "csgbk"],
        "GBK",
        Codec::Whatwg(encoding_rs::GBK),
    ),
    (
        &["gb18030", "csgb18030"],
        "GB18030",
        Codec::Whatwg(encoding_rs::GB18030),
    ),
];

/// The other names Go's IANA index resolves to an encoding x/text implements (the code pages,
/// the other ISO 8859 parts, KOI8, Big5, EUC-JP, ISO-2022-JP, HZ), lower case, sorted;
/// generated from golang.org/x/text/encoding/ianaindex. Terraform converts these; infra-lint
/// gives Unknown. A name in neither list is Terraform's error.
#[rustfmt::skip]
const OTHER_X_TEXT_NAMES: &[&str] = &[
    "437", "850", "852", "855", "860", "862", "863", "865", "866", "arabic", "asmo-708", "big5",
    "ccsid00858", "ccsid01140", "cp00858", "cp01140", "cp037", "cp437", "cp850", "cp852", "cp855",
    "cp860", "cp862", "cp863", "cp865", "cp866", "csbig5", "cseucpkdfmtjapanese", "csibm00858",
    "csibm01140", "csibm037", "csibm1047", "csibm855", "csibm860", "csibm863", "csibm865",
    "csibm866", "csiso2022jp", "csiso885913", "csiso885914", "csiso885915", "csiso885916",
    "csiso88596e", "csiso88596i", "csiso88598e", "csiso88598i", "csisolatin2", "csisolatin3",
    "csisolatin4", "csisolatin5", "csisolatin6", "csisolatinarabic", "csisolatincyrillic",
    "csisolatingreek", "csisolatinhebrew", "cskoi8r", "cskoi8u", "csmacintosh",
    "cspc850multilingual", "cspc862latinhebrew", "cspc8codepage437", "cspcp852", "cswindows1250",
    "cswindows1251", "cswindows1253", "cswindows1254", "cswindows1255", "cswindows1256",
    "cswindows1257", "cswindows1258", "cswindows874", "cyrillic", "ebcdic-cp-ca", "ebcdic-cp-nl",
    "ebcdic-cp-us", "ebcdic-cp-wt", "ebcdic-us-37+euro", "ecma-114", "ecma-118", "elot_928",
    "euc-jp", "extended_unix_code_packed_format_for_japanese", "greek", "greek8", "hebrew",
    "hz-gb-2312", "ibm-1047", "ibm00858", "ibm01140", "ibm037", "ibm1047", "ibm437", "ibm850",
    "ibm852", "ibm855", "ibm860", "ibm862", "ibm863", "ibm865", "ibm866", "iso-2022-jp",
    "iso-8859-10", "iso-8859-13", "iso-8859-14", "iso-8859-15", "iso-8859-16", "iso-8859-2",
    "iso-8859-3", "iso-8859-4", "iso-8859-5", "iso-8859-6", "iso-8859-6-e", "iso-8859-6-i",
    "iso-8859-7", "iso-8859-8", "iso-8859-8-e", "iso-8859-8-i", "iso-8859-9", "iso-celtic",
    "iso-ir-101", "iso-ir-109", "iso-ir-110", "iso-ir-126", "iso-ir-127", "iso-ir-138",
    "iso-ir-144", "iso-ir-148", "iso-ir-157", "iso-ir-199", "iso-ir-226", "iso_8859-10:1992",
    "iso_8859-14", "iso_8859-14:1998", "iso_8859-15", "iso_8859-16", "iso_8859-16:2001",
    "iso_8859-2", "iso_8859-2:1987", "iso_8859-3", "iso_8859-3:1988", "iso_8859-4",
    "iso_8859-4:1988", "iso_8859-5", "iso_8859-5:1988", "iso_8859-6", "iso_8859-6-e",
    "iso_8859-6-i", "iso_8859-6:1987", "iso_8859-7", "iso_8859-7:1987", "iso_8859-8",
    "iso_8859-8-e", "iso_8859-8-i", "iso_8859-8:1988", "iso_8859-9", "iso_8859-9:1989", "koi8-r",
    "koi8-u", "l10", "l2", "l3", "l4", "l5", "l6", "l8", "latin-9", "latin10", "latin2", "latin3",
    "latin4", "latin5", "latin6", "latin8", "mac", "macintosh", "pc-multilingual-850+euro",
    "windows-1250", "windows-1251", "windows-1253", "windows-1254", "windows-1255", "windows-1256",
    "windows-1257", "windows-1258", "windows-874",
];

fn lookup(name: &str) -> Option<(&'static str, Codec)> {
    // Go's index trims surrounding white space before it looks a name up.
    let lower = name.trim().to_ascii_lowercase();
    ENCODINGS
        .iter()
        .find(|(aliases, _, _)| aliases.contains(&lower.as_str()))
        .map(|(_, canonical, codec)| (*canonical, *codec))
}

/// Bytes Windows-1252 leaves undefined; x/text neither decodes nor encodes them.
const CP1252_UNDEFINED: [u8; 5] = [0x81, 0x8D, 0x8F, 0x90, 0x9D];

pub(super) fn call(name: &str, a: Vec<Value>) -> FnResult {
    let first = if name == "textencodebase64" {
        "string"
    } else {
        "source"
    };
    let text = str_arg(&a[0], first)?;
    let enc = str_arg(&a[1], "encoding")?;
    let Some((canonical, codec)) = lookup(&enc) else {
        if OTHER_X_TEXT_NAMES
            .binary_search(&enc.trim().to_ascii_lowercase().as_str())
            .is_ok()
        {
            return Ok(Value::unknown(Cause::Function(name.to_string())));
        }
        return Err(format!("Invalid value for \"encoding\" parameter: {enc:?} is not a supported IANA encoding name or alias in this Terraform version."));
    };
    if name == "textencodebase64" {
        let bytes = encode(&text, codec).ok_or_else(|| {
            format!("Invalid value for \"string\" parameter: the given string contains characters that cannot be represented in {canonical}.")
        })?;
        return Ok(Value::String(
            base64::engine::general_purpose::STANDARD.encode(bytes),
        ));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.as_bytes())
        .map_err(|e| {
            use base64::DecodeError::*;
            // Go names the start of the four-symbol group that failed.
            let at = match e {
                InvalidByte(i, _) | InvalidLastSymbol(i, _) => i - i % 4,
                InvalidLength(n) => n - n % 4,
                InvalidPadding => text.len() - text.len() % 4,
            };
            // "is has" is Terraform 1.11's wording.
            format!("Invalid value for \"source\" parameter: the given value is has an invalid base64 symbol at offset {at}.")
        })?;
    decode(&bytes, codec)
        // x/text puts U+FFFD where a byte sequence is undefined; Terraform refuses any.
        .filter(|s| !s.contains('\u{FFFD}'))
        .map(Value::String)
        .ok_or_else(|| {
            format!("Invalid value for \"source\" parameter: the given string contains symbols that are not defined for {canonical}.")
        })
}

fn encode(s: &str, codec: Codec) -> Option<Vec<u8>> {
    let utf16 = |big: bool| {
        s.encode_utf16()
            .flat_map(|u| {
                if big {
                    u.to_be_bytes()
                } else {
                    u.to_le_bytes()
                }
            })
            .collect::<Vec<u8>>()
    };
    match codec {
        Codec::Utf8 => Some(s.as_bytes().to_vec()),
        Codec::Utf16 => Some([vec![0xFE, 0xFF], utf16(true)].concat()),
        Codec::Utf16Be => Some(utf16(true)),
        Codec::Utf16Le => Some(utf16(false)),
        Codec::Ascii => s.is_ascii().then(|| s.as_bytes().to_vec()),
        Codec::Latin1 => s.chars().map(|c| u8::try_from(c as u32).ok()).collect(),
        Codec::Windows1252 => {
            let b = whatwg_encode(s, encoding_rs::WINDOWS_1252)?;
            // encoding_rs maps U+0081 and friends to those bytes; x/text has no mapping.
            (!b.iter().any(|x| CP1252_UNDEFINED.contains(x))).then_some(b)
        }
        Codec::Whatwg(e) => whatwg_encode(s, e),
    }
}

fn whatwg_encode(s: &str, e: &'static encoding_rs::Encoding) -> Option<Vec<u8>> {
    let (b, _, unmappable) = e.encode(s);
    (!unmappable).then(|| b.into_owned())
}

fn decode(b: &[u8], codec: Codec) -> Option<String> {
    let utf16 = |b: &[u8], big: bool| {
        let units: Vec<u16> = b
            .chunks(2)
            .map(|c| match c {
                [x, y] if big => u16::from_be_bytes([*x, *y]),
                [x, y] => u16::from_le_bytes([*x, *y]),
                // An odd trailing byte is an incomplete unit: x/text decodes it as U+FFFD.
                _ => 0xFFFD,
            })
            .collect();
        Some(String::from_utf16_lossy(&units))
    };
    match codec {
        Codec::Utf8 => Some(String::from_utf8_lossy(b).into_owned()),
        Codec::Utf16 => match b {
            [0xFF, 0xFE, rest @ ..] => utf16(rest, false),
            [0xFE, 0xFF, rest @ ..] => utf16(rest, true),
            _ => utf16(b, true),
        },
        Codec::Utf16Be => utf16(b, true),
        Codec::Utf16Le => utf16(b, false),
        Codec::Ascii => b
            .is_ascii()
            .then(|| String::from_utf8_lossy(b).into_owned()),
        Codec::Latin1 => Some(b.iter().map(|x| *x as char).collect()),
        Codec::Windows1252 => {
            if b.iter().any(|x| CP1252_UNDEFINED.contains(x)) {
                return None;
            }
            Some(
                encoding_rs::WINDOWS_1252
                    .decode_without_bom_handling(b)
                    .0
                    .into_owned(),
            )
        }
        Codec::Whatwg(e) => Some(e.decode_without_bom_handling(b).0.into_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_names_are_sorted_for_binary_search() {
        assert!(OTHER_X_TEXT_NAMES.windows(2).all(|w| w[0] < w[1]));
        for (aliases, _, _) in ENCODINGS {
            for a in *aliases {
                assert!(OTHER_X_TEXT_NAMES.binary_search(a).is_err(), "{a} in both");
            }
        }
    }

    #[test]
    fn names_x_text_knows_but_infra_lint_does_not_are_unknown() {
        let r = call(
            "textencodebase64",
            vec![Value::string("a"), Value::string(" IBM037")],
        );
        assert!(matches!(r, Ok(Value::Unknown(_))), "{r:?}");
        let r = call(
            "textencodebase64",
            vec![Value::string("a"), Value::string("IBM-037")],
        );
        assert!(r.is_err(), "{r:?}");
    }
}
