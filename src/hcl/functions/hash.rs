//! Hash functions over a string's UTF-8 bytes.
use super::{str_arg, FnResult};
use crate::model::Value;
use base64::Engine;
use md5::Md5;
use sha2::{Digest, Sha256, Sha512};

pub(super) fn call(name: &str, a: Vec<Value>) -> FnResult {
    let s = str_arg(&a[0], "str")?;
    hash_bytes(name, s.as_bytes()).map(Value::String)
}

/// `name` is md5/sha1/sha256/sha512 (hex) or base64sha256/base64sha512.
pub(crate) fn hash_bytes(name: &str, b: &[u8]) -> Result<String, String> {
    let raw: Vec<u8> = match name.trim_start_matches("base64") {
        "md5" => Md5::digest(b).to_vec(),
        "sha1" => sha1(b).to_vec(),
        "sha256" => Sha256::digest(b).to_vec(),
        "sha512" => Sha512::digest(b).to_vec(),
        _ => return Err(format!("unknown hash function {name}")),
    };
    if name.starts_with("base64") {
        Ok(base64::engine::general_purpose::STANDARD.encode(raw))
    } else {
        Ok(raw.iter().map(|x| format!("{x:02x}")).collect())
    }
}

/// SHA-1 (FIPS 180-4), small enough not to need a dependency.
fn sha1(data: &[u8]) -> [u8; 20] {
    let mut h: [u32; 5] = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0];
    let mut msg = data.to_vec();
    let bit_len = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bit_len.to_be_bytes());
    for chunk in msg.chunks(64) {
        let mut w = [0u32; 80];
        for (i, word) in chunk.chunks(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, wi) in w.iter().enumerate() {
            let (f, k) = match i {
                0..=19 => ((b & c) | (!b & d), 0x5A827999),
                20..=39 => (b ^ c ^ d, 0x6ED9EBA1),
                40..=59 => ((b & c) | (b & d) | (c & d), 0x8F1BBCDC),
                _ => (b ^ c ^ d, 0xCA62C1D6u32),
            };
            let t = a
                .rotate_left(5)
                .wrapping_add(f)
                .wrapping_add(e)
                .wrapping_add(k)
                .wrapping_add(*wi);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = t;
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 20];
    for (i, x) in h.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&x.to_be_bytes());
    }
    out
}

/// `uuidv5`: a name-based UUID (RFC 4122 version 5). The namespace is one of Terraform's four
/// names or a UUID as Google's `uuid.Parse` reads it.
pub(super) fn uuidv5(namespace: &str, name: &str) -> super::FnResult {
    let ns: [u8; 16] = match namespace {
        "dns" => uuid_bytes("6ba7b810-9dad-11d1-80b4-00c04fd430c8"),
        "url" => uuid_bytes("6ba7b811-9dad-11d1-80b4-00c04fd430c8"),
        "oid" => uuid_bytes("6ba7b812-9dad-11d1-80b4-00c04fd430c8"),
        "x500" => uuid_bytes("6ba7b814-9dad-11d1-80b4-00c04fd430c8"),
        _ => parse_uuid(namespace)
            .map_err(|e| format!("uuidv5() doesn't support namespace {namespace} ({e})"))?,
    };
    let mut data = ns.to_vec();
    data.extend_from_slice(name.as_bytes());
    let h = sha1(&data);
    let mut u = [0u8; 16];
    u.copy_from_slice(&h[..16]);
    u[6] = (u[6] & 0x0f) | 0x50;
    u[8] = (u[8] & 0x3f) | 0x80;
    let hex: String = u.iter().map(|x| format!("{x:02x}")).collect();
    Ok(Value::String(format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )))
}

fn uuid_bytes(s: &str) -> [u8; 16] {
    parse_uuid(s).expect("a well-formed namespace UUID")
}

/// github.com/google/uuid `Parse`: 36 characters with dashes, the same inside any two
/// characters (braces, unchecked), after `urn:uuid:`, or 32 hex digits.
fn parse_uuid(s: &str) -> Result<[u8; 16], String> {
    let b = s.as_bytes();
    let hex = |x: u8| (x as char).to_digit(16).map(|d| d as u8);
    let byte = |i: usize| Some(hex(b[i])? << 4 | hex(b[i + 1])?);
    let format = || "invalid UUID format".to_string();
    let mut u = [0u8; 16];
    let body = match b.len() {
        36 => 0,
        45 => {
            if !s.is_char_boundary(9) || !s[..9].eq_ignore_ascii_case("urn:uuid:") {
                return Err(format!(
                    "invalid urn prefix: {:?}",
                    String::from_utf8_lossy(&b[..9])
                ));
            }
            9
        }
        38 => 1,
        32 => {
            for (i, x) in u.iter_mut().enumerate() {
                *x = byte(i * 2).ok_or_else(format)?;
            }
            return Ok(u);
        }
        n => return Err(format!("invalid UUID length: {n}")),
    };
    let d = &b[body..];
    if d[8] != b'-' || d[13] != b'-' || d[18] != b'-' || d[23] != b'-' {
        return Err(format());
    }
    for (i, x) in [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34]
        .into_iter()
        .enumerate()
    {
        u[i] = byte(body + x).ok_or_else(format)?;
    }
    Ok(u)
}
