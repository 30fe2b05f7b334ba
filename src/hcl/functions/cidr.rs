//! IP network functions (cidrsubnet, cidrsubnets, cidrhost, cidrnetmask), after go-cidr.
use super::format::to_bigint;
use super::{num_arg, str_arg, FnResult};
use crate::model::Value;
use num_traits::ToPrimitive;
use std::net::{Ipv4Addr, Ipv6Addr};

#[derive(Clone, Copy)]
struct Net {
    addr: u128,
    len: u32,
    bits: u32, // 32 or 128
}

impl Net {
    fn parse(s: &str) -> Result<Net, String> {
        let bad = || format!("invalid CIDR address: {s}");
        let (ip, len) = s.split_once('/').ok_or_else(bad)?;
        let (addr, bits) = if let Ok(v4) = ip.parse::<Ipv4Addr>() {
            (u32::from(v4) as u128, 32)
        } else if let Ok(v6) = ip.parse::<Ipv6Addr>() {
            (u128::from(v6), 128)
        } else {
            return Err(bad());
        };
        if len.is_empty() || !len.bytes().all(|b| b.is_ascii_digit()) || len.len() > 3 {
            return Err(bad());
        }
        let len: u32 = len.parse().map_err(|_| bad())?;
        if len > bits {
            return Err(bad());
        }
        let n = Net { addr, len, bits };
        Ok(Net {
            addr: addr & n.mask(len),
            ..n
        })
    }
    fn all(&self) -> u128 {
        if self.bits == 128 {
            u128::MAX
        } else {
            (1u128 << self.bits) - 1
        }
    }
    fn mask(&self, len: u32) -> u128 {
        if len == 0 {
            0
        } else {
            (self.all() << (self.bits - len)) & self.all()
        }
    }
    fn last(&self) -> u128 {
        self.addr | (!self.mask(self.len) & self.all())
    }
    fn ip_string(&self, a: u128) -> String {
        if self.bits == 32 {
            Ipv4Addr::from(a as u32).to_string()
        } else {
            Ipv6Addr::from(a).to_string()
        }
    }
}

impl std::fmt::Display for Net {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.ip_string(self.addr), self.len)
    }
}

fn big_arg(v: &Value, param: &str) -> Result<i128, String> {
    let n = num_arg(v, param)?;
    to_bigint(&n).and_then(|b| b.to_i128()).ok_or_else(|| {
        format!("Invalid value for \"{param}\" parameter: value must be a whole number.")
    })
}

pub(super) fn call(name: &str, a: Vec<Value>) -> FnResult {
    let prefix = str_arg(&a[0], "prefix")?;
    let net = Net::parse(&prefix)?;
    match name {
        "cidrnetmask" => {
            if net.bits != 32 {
                return Err(format!("IPv6 addresses cannot have a netmask: {prefix}"));
            }
            Ok(Value::String(net.ip_string(net.mask(net.len))))
        }
        "cidrhost" => {
            let host = big_arg(&a[1], "hostnum")?;
            let hostbits = net.bits - net.len;
            let size: i128 = if hostbits >= 127 {
                i128::MAX
            } else {
                1i128 << hostbits
            };
            let off = if host < 0 { size + host } else { host };
            if off < 0 || off >= size {
                return Err(format!(
                    "prefix of {} does not accommodate a host numbered {host}",
                    net.len
                ));
            }
            Ok(Value::String(net.ip_string(net.addr | off as u128)))
        }
        "cidrsubnet" => {
            let newbits = big_arg(&a[1], "newbits")?;
            let netnum = big_arg(&a[2], "netnum")?;
            if newbits < 0 {
                return Err(
                    "Invalid value for \"newbits\" parameter: must not be negative.".into(),
                );
            }
            let newlen = net.len as i128 + newbits;
            if newlen > net.bits as i128 {
                return Err(format!(
                    "insufficient address space to extend prefix of {} by {newbits}",
                    net.len
                ));
            }
            let max: i128 = if newbits >= 127 {
                i128::MAX
            } else {
                (1i128 << newbits) - 1
            };
            if netnum < 0 || netnum > max {
                return Err(format!(
                    "prefix extension of {newbits} does not accommodate a subnet numbered {netnum}"
                ));
            }
            let newlen = newlen as u32;
            let shift = net.bits - newlen;
            let addr = if shift >= 128 {
                net.addr
            } else {
                net.addr | ((netnum as u128) << shift)
            };
            Ok(Value::String(
                Net {
                    addr,
                    len: newlen,
                    bits: net.bits,
                }
                .to_string(),
            ))
        }
        "cidrsubnets" => {
            let mut lens = Vec::new();
            for v in &a[1..] {
                let nb = big_arg(v, "newbits")?;
                let l = net.len as i128 + nb;
                if nb < 1 || l > net.bits as i128 {
                    return Err(format!(
                        "Invalid value for \"newbits\" parameter: would extend prefix to {l} bits, which is too long for an IPv{} address.",
                        if net.bits == 32 { 4 } else { 6 }
                    ));
                }
                lens.push(l as u32);
            }
            if lens.is_empty() {
                return Ok(Value::list(vec![]));
            }
            let all = net.all();
            // PreviousSubnet(network, first length)
            let first = lens[0];
            let mut cur = Net {
                addr: net.addr.wrapping_sub(1) & all & net.mask(first),
                len: first,
                bits: net.bits,
            };
            let mut out = Vec::new();
            for &l in &lens {
                let m = net.mask(l);
                let sub = Net {
                    addr: cur.last() & m,
                    len: l,
                    bits: net.bits,
                };
                let next_ip = sub.last().wrapping_add(1) & all;
                let next = Net {
                    addr: next_ip & m,
                    len: l,
                    bits: net.bits,
                };
                let rollover = next_ip == 0;
                if rollover || next.addr & net.mask(net.len) != net.addr {
                    return Err(format!(
                        "Invalid value for \"newbits\" parameter: not enough remaining address space for a subnet with a prefix of {l} bits after {}",
                        cur
                    ));
                }
                cur = next;
                out.push(Value::String(cur.to_string()));
            }
            Ok(Value::list(out))
        }
        _ => Err(format!("unknown network function {name}")),
    }
}
