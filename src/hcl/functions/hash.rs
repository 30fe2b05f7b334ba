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
