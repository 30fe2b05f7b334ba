//! IP network functions (cidrsubnet, cidrsubnets, cidrhost, cidrnetmask), ported from what
//! Terraform runs: Go 1.16's `net.ParseCIDR` (Terraform's `ipaddr` copy, which reads
//! `010.0.0.0` as 10.0.0.0), `net.IP`/`IPNet` formatting and go-cidr 1.1 on `big.Int`. The
//! port keeps their quirks, because Terraform does: a negative `newbits` shortens the prefix,
//! a negative `netnum` is ORed in two's complement (`cidrsubnet("10.0.0.0/16", 8, -1)` is
//! `0.0.1.0/24`), only the low 64 bits of a number are range-checked, and an IPv4-mapped
//! IPv6 prefix (`::ffff:10.0.0.0/104`) prints as IPv4 and puts host numbers 96 bits too high.
use super::{num_arg, str_arg, FnResult};
use crate::model::Value;
use num_bigint::{BigInt, Sign};
use num_traits::{One, Signed, Zero};

/// Go's `net.IP`: 4 or 16 bytes, or none (Go's nil).
type Ip = Vec<u8>;
/// Go's `net.IPMask`: 4 or 16 bytes, or none.
type Mask = Vec<u8>;

const V4_IN_V6: [u8; 12] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

#[derive(Clone)]
struct Net {
    ip: Ip,
    mask: Mask,
}

pub(super) fn call(name: &str, a: Vec<Value>) -> FnResult {
    let prefix = str_arg(&a[0], "prefix")?;
    let net = parse_cidr(&prefix)
        .ok_or_else(|| format!("invalid CIDR expression: invalid CIDR address: {prefix}"))?;
    match name {
        "cidrnetmask" => {
            if to4(&net.ip).is_none() {
                return Err(format!("IPv6 addresses cannot have a netmask: {prefix}"));
            }
            Ok(Value::String(ip_string(&net.mask)))
        }
        "cidrhost" => {
            let host = big_arg(&a[1], "hostnum")?;
            host_big(&net, host).map(|ip| Value::String(ip_string(&ip)))
        }
        "cidrsubnet" => {
            let newbits = int_arg(&a[1], "newbits")?;
            let netnum = big_arg(&a[2], "netnum")?;
            subnet_big(&net, newbits, netnum).map(|n| Value::String(net_string(&n)))
        }
        "cidrsubnets" => subnets(&net, &a[1..]),
        _ => Err(format!("unknown network function {name}")),
    }
}

/// gocty into `*big.Int`: any whole number (the binary value, as `big.Float.Int` sees it).
fn big_arg(v: &Value, param: &str) -> Result<BigInt, String> {
    let n = num_arg(v, param)?;
    if n.text_too_long() {
        // Refused before building an integer of millions of digits (Terraform panics).
        return Err(format!(
            "Invalid value for \"{param}\" parameter: value must be a whole number."
        ));
    }
    n.to_bigint()
        .ok_or_else(|| "value must be a whole number.".to_string())
}

/// gocty into `int`: a whole number within Go's int64.
fn int_arg(v: &Value, param: &str) -> Result<i64, String> {
    let n = num_arg(v, param)?;
    n.to_i64().filter(|_| n.is_integer()).ok_or_else(|| {
        format!(
            "value must be a whole number, between {} and {}.",
            i64::MIN,
            i64::MAX
        )
    })
}

/// Terraform's `cidrsubnets`: consecutive subnets, each after the previous one.
fn subnets(net: &Net, args: &[Value]) -> FnResult {
    let bad = |m: String| format!("Invalid value for \"newbits\" parameter: {m}");
    let (start, _) = mask_size(&net.mask);
    let Some(first) = args.first() else {
        return Ok(Value::list(vec![]));
    };
    let first = int_arg(first, "newbits").map_err(bad)? + start;
    let mut current = previous_subnet(net, first);
    let mut out = Vec::with_capacity(args.len());
    for arg in args {
        let length = int_arg(arg, "newbits").map_err(bad)?;
        if length < 1 {
            return Err(bad("must extend prefix by at least one bit.".into()));
        }
        if length > 32 {
            return Err(bad("may not extend prefix by more than 32 bits.".into()));
        }
        let length = length + start;
        if length > net.ip.len() as i64 * 8 {
            let protocol = match net.ip.len() {
                4 => "IPv4",
                16 => "IPv6",
                _ => "IP",
            };
            return Err(bad(
                format!("would extend prefix to {length} bits, which is too long for an {protocol} address."),
            ));
        }
        let (next, rollover) = next_subnet(&current, length)?;
        if rollover || !contains(net, &next.ip) {
            return Err(bad(
                format!(
                    "not enough remaining address space for a subnet with a prefix of {length} bits after {}.",
                    net_string(&current)
                ),
            ));
        }
        current = next;
        out.push(Value::String(net_string(&current)));
    }
    Ok(Value::list(out))
}

// ----- go-cidr ----------------------------------------------------------------------------

fn host_big(net: &Net, mut num: BigInt) -> Result<Ip, String> {
    let (parent, addr_len) = mask_size(&net.mask);
    let max = (BigInt::one() << (addr_len - parent) as usize) - 1;
    let mut checked = BigInt::from(low_u64(&num) as i64);
    if num.is_negative() {
        checked = -&num - 1;
        num = &max - &checked;
    }
    if checked > max {
        return Err(format!(
            "prefix of {parent} does not accommodate a host numbered {num}"
        ));
    }
    let bits = if to4(&net.ip).is_some() { 32 } else { 128 };
    insert_num(&net.ip, num, bits)
}

fn subnet_big(net: &Net, newbits: i64, num: BigInt) -> Result<Net, String> {
    let (parent, addr_len) = mask_size(&net.mask);
    let new_len = parent + newbits;
    if new_len > addr_len {
        return Err(format!(
            "insufficient address space to extend prefix of {parent} by {newbits}"
        ));
    }
    // Go: uint64(1<<uint64(newBits)) - 1, where a shift of 64 or more (or a negative count
    // turned huge) gives 0, and the subtraction wraps.
    let max = if (0..64).contains(&newbits) {
        (1u64 << newbits) - 1
    } else {
        u64::MAX
    };
    if low_u64(&num) > max {
        return Err(format!(
            "prefix extension of {newbits} does not accommodate a subnet numbered {num}"
        ));
    }
    Ok(Net {
        ip: insert_num(&net.ip, num, new_len)?,
        mask: cidr_mask(new_len, addr_len),
    })
}

/// go-cidr `insertNumIntoIP`: the number shifted left by the address width less `prefix`,
/// ORed in (two's complement, as `big.Int.Or`), repacked into the address's bytes.
fn insert_num(ip: &Ip, num: BigInt, prefix: i64) -> Result<Ip, String> {
    let total = ip.len() as i64 * 8;
    let shift = total - prefix;
    let shifted = if shift >= total && !num.is_zero() {
        // A bit at or past the address width: more bytes than fit, the index panic below,
        // decided without building the number (a prefix extension of -10^13 asks for a
        // shift of 10^13 bits, which takes Terraform down with it: out of memory).
        return Err(panic_message());
    } else if shift >= 0 {
        num << shift as usize
    } else {
        // Go's uint(negative) shift is enormous: nothing non-zero survives the repacking.
        if num.is_zero() {
            num
        } else {
            return Err(panic_message());
        }
    };
    let v = BigInt::from_bytes_be(Sign::Plus, ip) | shifted;
    int_to_ip(&v, total as usize)
}

/// go-cidr `intToIP`: `big.Int.Bytes()` (the magnitude) packed into the end of the address;
/// more bytes than fit is an index panic in Go, which cty reports as an error.
fn int_to_ip(v: &BigInt, bits: usize) -> Result<Ip, String> {
    let bytes = v.magnitude().to_bytes_be();
    let bytes: &[u8] = if v.is_zero() { &[] } else { &bytes };
    let len = bits / 8;
    if bytes.len() > len {
        return Err(panic_message());
    }
    let mut out = vec![0u8; len];
    out[len - bytes.len()..].copy_from_slice(bytes);
    Ok(out)
}

fn panic_message() -> String {
    "panic in function implementation: runtime error: index out of range".into()
}

/// `big.Int.Uint64`: the low 64 bits of the magnitude.
fn low_u64(v: &BigInt) -> u64 {
    v.magnitude().iter_u64_digits().next().unwrap_or(0)
}

fn address_range_last(net: &Net) -> Result<Ip, String> {
    let (prefix, bits) = mask_size(&net.mask);
    if prefix == bits {
        return Ok(net.ip.clone());
    }
    let total = match net.ip.len() {
        4 => 32,
        16 => 128,
        _ => return Err(panic_message()),
    };
    let host = (total - prefix).max(0) as usize;
    let last = ((BigInt::one() << host) - 1) | BigInt::from_bytes_be(Sign::Plus, &net.ip);
    int_to_ip(&last, total as usize)
}

fn previous_subnet(net: &Net, prefix: i64) -> Net {
    let start = check_ipv4(&net.ip);
    let mask = cidr_mask(prefix, start.len() as i64 * 8);
    let prev = dec(&start);
    Net {
        ip: mask_ip(&prev, &mask),
        mask,
    }
}

fn next_subnet(net: &Net, prefix: i64) -> Result<(Net, bool), String> {
    let last = address_range_last(net)?;
    let mask = cidr_mask(prefix, last.len() as i64 * 8);
    let current = Net {
        ip: mask_ip(&last, &mask),
        mask: mask.clone(),
    };
    let last = inc(&address_range_last(&current)?);
    let rollover = !last.is_empty() && last.iter().all(|b| *b == 0);
    Ok((
        Net {
            ip: mask_ip(&last, &mask),
            mask,
        },
        rollover,
    ))
}

fn inc(ip: &Ip) -> Ip {
    let mut ip = check_ipv4(ip);
    for b in ip.iter_mut().rev() {
        *b = b.wrapping_add(1);
        if *b > 0 {
            break;
        }
    }
    ip
}

fn dec(ip: &Ip) -> Ip {
    let mut ip = check_ipv4(ip);
    for b in ip.iter_mut().rev() {
        *b = b.wrapping_sub(1);
        if *b < 255 {
            break;
        }
    }
    ip
}

fn check_ipv4(ip: &Ip) -> Ip {
    to4(ip).unwrap_or_else(|| ip.clone())
}

// ----- Go's net ----------------------------------------------------------------------------

fn to4(ip: &Ip) -> Option<Ip> {
    match ip.len() {
        4 => Some(ip.clone()),
        16 if ip[..12] == V4_IN_V6 => Some(ip[12..].to_vec()),
        _ => None,
    }
}

fn cidr_mask(ones: i64, bits: i64) -> Mask {
    if (bits != 32 && bits != 128) || ones < 0 || ones > bits {
        return Vec::new();
    }
    (0..bits / 8)
        .map(|i| {
            let n = (ones - i * 8).clamp(0, 8);
            (0xff00u16 >> n) as u8
        })
        .collect()
}

/// `IPMask.Size`: (ones, bits), or (0, 0) for a mask that is not leading ones.
fn mask_size(m: &Mask) -> (i64, i64) {
    match simple_mask_length(m) {
        Some(ones) => (ones, m.len() as i64 * 8),
        None => (0, 0),
    }
}

fn simple_mask_length(m: &Mask) -> Option<i64> {
    let mut ones = 0;
    let mut ended = false;
    for &b in m {
        if ended && b != 0 {
            return None;
        }
        if b == 0xff {
            ones += 8;
            continue;
        }
        if b.leading_ones() + b.trailing_zeros() != 8 {
            return None;
        }
        ones += b.leading_ones() as i64;
        ended = true;
    }
    Some(ones)
}

fn mask_ip(ip: &Ip, mask: &Mask) -> Ip {
    let mut mask: &[u8] = mask;
    let mut ip: &[u8] = ip;
    if mask.len() == 16 && ip.len() == 4 && mask[..12].iter().all(|b| *b == 0xff) {
        mask = &mask[12..];
    }
    if mask.len() == 4 && ip.len() == 16 && ip[..12] == V4_IN_V6 {
        ip = &ip[12..];
    }
    if ip.len() != mask.len() {
        return Vec::new();
    }
    ip.iter().zip(mask).map(|(a, b)| a & b).collect()
}

/// `IPNet`'s network number and mask as `String` and `Contains` see them.
fn number_and_mask(n: &Net) -> Option<(Ip, Mask)> {
    let ip = match to4(&n.ip) {
        Some(v4) => v4,
        None if n.ip.len() == 16 => n.ip.clone(),
        None => return None,
    };
    let mask = match n.mask.len() {
        4 if ip.len() != 4 => return None,
        4 => n.mask.clone(),
        16 if ip.len() == 4 => n.mask[12..].to_vec(),
        16 => n.mask.clone(),
        _ => return None,
    };
    Some((ip, mask))
}

fn contains(n: &Net, ip: &Ip) -> bool {
    let Some((nn, m)) = number_and_mask(n) else {
        return false;
    };
    let ip = to4(ip).unwrap_or_else(|| ip.clone());
    ip.len() == nn.len() && (0..ip.len()).all(|i| nn[i] & m[i] == ip[i] & m[i])
}

fn net_string(n: &Net) -> String {
    let Some((ip, m)) = number_and_mask(n) else {
        return "<nil>".into();
    };
    match simple_mask_length(&m) {
        Some(l) => format!("{}/{l}", ip_string(&ip)),
        None => format!(
            "{}/{}",
            ip_string(&ip),
            m.iter().map(|b| format!("{b:02x}")).collect::<String>()
        ),
    }
}

/// `net.IP.String`: dotted for IPv4 and IPv4-mapped addresses, else RFC 5952 (the longest
/// run of two or more zero groups, the first of equals, becomes `::`).
fn ip_string(ip: &Ip) -> String {
    if ip.is_empty() {
        return "<nil>".into();
    }
    if let Some(v4) = to4(ip) {
        return format!("{}.{}.{}.{}", v4[0], v4[1], v4[2], v4[3]);
    }
    if ip.len() != 16 {
        return format!(
            "?{}",
            ip.iter().map(|b| format!("{b:02x}")).collect::<String>()
        );
    }
    let groups: Vec<u16> = ip
        .chunks(2)
        .map(|c| u16::from(c[0]) << 8 | u16::from(c[1]))
        .collect();
    let (mut best, mut best_len) = (usize::MAX, 0);
    let mut i = 0;
    while i < 8 {
        let j = (i..8).find(|&j| groups[j] != 0).unwrap_or(8);
        if j - i > best_len {
            (best, best_len) = (i, j - i);
        }
        i = j.max(i + 1);
    }
    if best_len < 2 {
        best = usize::MAX;
    }
    let mut s = String::new();
    let mut i = 0;
    while i < 8 {
        if i == best {
            s.push_str("::");
            i += best_len;
            continue;
        }
        if i > 0 && !s.ends_with(':') {
            s.push(':');
        }
        s.push_str(&format!("{:x}", groups[i]));
        i += 1;
    }
    s
}

/// Go 1.16 `net.ParseCIDR`: the address, a `/`, a decimal prefix length.
fn parse_cidr(s: &str) -> Option<Net> {
    let (addr, len) = s.split_once('/')?;
    let (ip, bits) = match parse_ipv4(addr) {
        Some(ip) => (ip, 32),
        None => (parse_ipv6(addr)?, 128),
    };
    let (n, used) = dtoi(len)?;
    if used != len.len() || n > bits {
        return None;
    }
    let mask = cidr_mask(n, bits);
    Some(Net {
        ip: mask_ip(&ip, &mask),
        mask,
    })
}

const BIG: i64 = 0xFF_FFFF;

/// Decimal digits: (value, digits used), or None for no digits or too many.
fn dtoi(s: &str) -> Option<(i64, usize)> {
    let mut n = 0i64;
    let mut i = 0;
    for b in s.bytes().take_while(u8::is_ascii_digit) {
        n = n * 10 + i64::from(b - b'0');
        if n >= BIG {
            return None;
        }
        i += 1;
    }
    (i > 0).then_some((n, i))
}

fn xtoi(s: &str) -> Option<(i64, usize)> {
    let mut n = 0i64;
    let mut i = 0;
    for b in s.bytes() {
        let Some(d) = (b as char).to_digit(16) else {
            break;
        };
        n = n * 16 + i64::from(d);
        if n >= BIG {
            return None;
        }
        i += 1;
    }
    (i > 0).then_some((n, i))
}

/// Go 1.16 `parseIPv4`, which reads each octet as decimal with any leading zeros. The
/// 16-byte IPv4-in-IPv6 form, as Go's `IPv4()` makes it.
fn parse_ipv4(mut s: &str) -> Option<Ip> {
    let mut out = V4_IN_V6.to_vec();
    for i in 0..4 {
        if i > 0 {
            s = s.strip_prefix('.')?;
        }
        let (n, c) = dtoi(s)?;
        if n > 0xff {
            return None;
        }
        s = &s[c..];
        out.push(n as u8);
    }
    s.is_empty().then_some(out)
}

/// Go 1.16 `parseIPv6` (no zone): groups of hex digits (leading zeros allowed, value at most
/// 0xFFFF), one `::`, an IPv4 tail in the last 32 bits.
fn parse_ipv6(mut s: &str) -> Option<Ip> {
    let mut ip = vec![0u8; 16];
    let mut ellipsis: Option<usize> = None;
    if let Some(rest) = s.strip_prefix("::") {
        ellipsis = Some(0);
        s = rest;
        if s.is_empty() {
            return Some(ip);
        }
    }
    let mut i = 0;
    while i < 16 {
        let (n, c) = xtoi(s)?;
        if n > 0xffff {
            return None;
        }
        if s.as_bytes().get(c) == Some(&b'.') {
            if ellipsis.is_none() && i != 12 || i + 4 > 16 {
                return None;
            }
            let v4 = parse_ipv4(s)?;
            ip[i..i + 4].copy_from_slice(&v4[12..]);
            s = "";
            i += 4;
            break;
        }
        ip[i] = (n >> 8) as u8;
        ip[i + 1] = n as u8;
        i += 2;
        s = &s[c..];
        if s.is_empty() {
            break;
        }
        if !s.starts_with(':') || s.len() == 1 {
            return None;
        }
        s = &s[1..];
        if s.starts_with(':') {
            if ellipsis.is_some() {
                return None;
            }
            ellipsis = Some(i);
            s = &s[1..];
            if s.is_empty() {
                break;
            }
        }
    }
    if !s.is_empty() {
        return None;
    }
    if i < 16 {
        let e = ellipsis?;
        let n = 16 - i;
        ip.copy_within(e..i, e + n);
        ip[e..e + n].fill(0);
    } else if ellipsis.is_some() {
        return None;
    }
    Some(ip)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the differential fuzzer (seed 20261202): a huge negative prefix extension
    /// asked num-bigint for a petabyte and aborted the process.
    #[test]
    fn a_huge_negative_extension_is_an_error_not_an_allocation() {
        let net = parse_cidr("10.0.0.0/8").unwrap();
        for newbits in [-10_000_000_000_000i64, -100, i64::MIN / 2] {
            assert!(
                subnet_big(&net, newbits, BigInt::one()).is_err(),
                "{newbits}"
            );
        }
        // Zero shifted any distance is still zero: answered, not allocated.
        let _ = subnet_big(&net, -10_000_000_000_000, BigInt::zero());
    }

    #[test]
    fn go_formats_ipv6_like_rfc_5952_and_mapped_addresses_as_ipv4() {
        for (s, want) in [
            ("fd00::", "fd00::"),
            ("::", "::"),
            ("1:0:0:1:0:0:0:1", "1:0:0:1::1"),
            ("1:0:1:0:0:1:0:0", "1:0:1::1:0:0"),
            ("1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7"),
            ("::ffff:10.0.0.1", "10.0.0.1"),
            ("::10.0.0.1", "::a00:1"),
            ("FD00:00000001::", "fd00:1::"),
        ] {
            assert_eq!(ip_string(&parse_ipv6(s).unwrap()), want, "{s}");
        }
        for bad in [
            "1::2::3",
            "1:2",
            ":1::",
            "1:2:3:4:5:6:7:8:9",
            "::1.2.3.4.5",
            "fe80::1%e",
        ] {
            assert!(parse_ipv6(bad).is_none(), "{bad}");
        }
    }
}
