//! Terraform numbers, reproducing cty's `*big.Float` semantics exactly.
//!
//! A cty number is a Go `big.Float`: a sign, a binary mantissa, an exponent
//! and a *precision* (mantissa width in bits, rounding ToNearestEven). The
//! precision is part of the value: literals and `tonumber` get 512 bits,
//! values coming from float64 math (`pow`, `log`, ...) get 53, `length()` and
//! friends get 64. It matters for arithmetic (results get the larger
//! precision of the operands, see cty `Add`/`Divide`/`Multiply`) and for the
//! text form, which is Go's `Text('f', -1)`: the shortest decimal that rounds
//! back to the same value *at that precision* (so `pow(2,100)` prints as
//! `1267650600228229400000000000000` while `pow(2,100)+0` prints all digits).
//!
//! Representation: small integers (the overwhelming majority in real
//! configurations) are kept as an `i64` plus precision, without allocation;
//! everything else is `±mant·2^exp` with `mant` odd (or zero, for `-0`).
//! Values are kept canonical: an integral value that fits an `i64` (other
//! than `-0`) is always stored in the small form.
//!
//! `±Inf` is a value of its own, as in Terraform: `1/0` is `+Inf`, `tonumber("-inf")` is
//! `-Inf`; it compares and prints (`+Inf`), and only the operations Go's `big.Float` refuses
//! (`∞-∞`, `0·∞`, `∞/∞`) are errors, with cty's messages.
use num_bigint::{BigInt, BigUint, Sign};
use num_integer::Integer;
use num_traits::{One, ToPrimitive, Zero};
use std::cmp::Ordering;
use std::hash::{Hash, Hasher};

/// The longest canonical text built for a number (see [`Number::text_too_long`]).
pub const MAX_TEXT_DIGITS: u64 = 100_000;

/// Precision of literals / `tonumber` / arithmetic in cty.
pub const LITERAL_PREC: u32 = 512;
/// Precision of a Go float64 converted with `SetFloat64`.
pub const F64_PREC: u32 = 53;
/// Precision of `cty.NumberIntVal` (`SetInt64`).
pub const I64_PREC: u32 = 64;

#[derive(Clone, Debug)]
pub struct Number(Repr);

#[derive(Clone, Debug)]
enum Repr {
    /// Exact integer (never `-0`).
    Int { v: i64, prec: u32 },
    /// `±mant·2^exp`, `mant` odd, or zero (only used for `-0`).
    Big {
        neg: bool,
        mant: BigUint,
        exp: i64,
        prec: u32,
    },
    /// `±Inf`.
    Inf { neg: bool, prec: u32 },
}

fn bits_u64(v: u64) -> u32 {
    64 - v.leading_zeros()
}

/// Rounds `mant·2^exp` (plus a sticky "there are more nonzero bits below"
/// flag) to `prec` bits, ToNearestEven. Returns the normalized (odd or zero)
/// mantissa and exponent.
fn round_mant(mant: BigUint, exp: i64, prec: u32, sticky: bool) -> (BigUint, i64) {
    let len = mant.bits();
    let (mut m, mut e) = if len > prec as u64 {
        let d = len - prec as u64;
        let q = &mant >> d;
        let half_bit = d - 1;
        let r_half = mant.bit(half_bit);
        let below = sticky || mant.trailing_zeros().is_some_and(|tz| tz < half_bit);
        let up = r_half && (below || q.bit(0));
        let q = if up { q + 1u32 } else { q };
        (q, exp + d as i64)
    } else {
        (mant, exp)
    };
    if let Some(tz) = m.trailing_zeros() {
        if tz > 0 {
            m >>= tz;
            e += tz as i64;
        }
    } else {
        e = 0;
    }
    (m, e)
}

/// Go's `big.Float` text for an infinity: `Inf` or `inf` with an optional sign (not `INF`,
/// `infinity`, `nan`). Some(negative) when `s` is one.
fn parse_infinity(s: &str) -> Option<bool> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    matches!(body, "Inf" | "inf").then_some(neg)
}

/// Correctly rounded `num·2^num_exp / den` to `prec` bits.
fn div_round(num: &BigUint, num_exp: i64, den: &BigUint, prec: u32) -> (BigUint, i64) {
    let want = prec as i64 + 2 + den.bits() as i64 - num.bits() as i64 + 1;
    let k = want.max(0);
    let (q, r) = (num << k as u64).div_rem(den);
    round_mant(q, num_exp - k, prec, !r.is_zero())
}

/// `5^n` as Go's `Float.pow5` computes it at Terraform's literal precision: exact up to
/// `5^27`, then square-and-multiply with every product rounded to 64 bits more than a
/// literal's precision. Returns `(mant, exp)`, value `mant·2^exp`.
fn pow5(n: u64) -> (BigUint, i64) {
    const PREC: u32 = LITERAL_PREC + 64;
    if n <= 27 {
        return (BigUint::from(5u32).pow(n as u32), 0);
    }
    let (mut z, mut ze) = (BigUint::from(5u32).pow(27), 0i64);
    let (mut f, mut fe) = (BigUint::from(5u32), 0i64);
    let mut n = n - 27;
    while n > 0 {
        if n & 1 != 0 {
            (z, ze) = round_mant(&z * &f, ze + fe, PREC, false);
        }
        (f, fe) = round_mant(&f * &f, fe + fe, PREC, false);
        n >>= 1;
    }
    (z, ze)
}

impl Number {
    // ----- construction -------------------------------------------------

    fn make(neg: bool, mant: BigUint, exp: i64, prec: u32) -> Number {
        // expects normalized mant (odd or zero)
        if mant.is_zero() {
            return if neg {
                Number(Repr::Big {
                    neg,
                    mant,
                    exp: 0,
                    prec,
                })
            } else {
                Number(Repr::Int { v: 0, prec })
            };
        }
        if (0..64).contains(&exp) && mant.bits() as i64 + exp <= 64 {
            let m = (mant.to_u64().unwrap() << exp) as i128;
            if let Ok(v) = i64::try_from(if neg { -m } else { m }) {
                return Number(Repr::Int { v, prec });
            }
        }
        Number(Repr::Big {
            neg,
            mant,
            exp,
            prec,
        })
    }

    /// Rounds `±mant·2^exp` to `prec` and builds a canonical number.
    fn rounded(neg: bool, mant: BigUint, exp: i64, prec: u32) -> Number {
        let (m, e) = round_mant(mant, exp, prec, false);
        Number::make(neg, m, e, prec)
    }

    fn int_with_prec(v: i64, prec: u32) -> Number {
        if v != 0 && bits_u64(v.unsigned_abs()) > prec {
            Number::rounded(v < 0, BigUint::from(v.unsigned_abs()), 0, prec)
        } else {
            Number(Repr::Int { v, prec })
        }
    }

    /// `+Inf` or `-Inf`, as `1/0` and `-1/0` give (precision of a literal).
    pub fn infinity(neg: bool) -> Number {
        Number(Repr::Inf {
            neg,
            prec: LITERAL_PREC,
        })
    }

    pub fn is_infinite(&self) -> bool {
        matches!(self.0, Repr::Inf { .. })
    }

    /// cty `NumberIntVal` (precision 64).
    pub fn from_i64(v: i64) -> Number {
        Number(Repr::Int { v, prec: I64_PREC })
    }

    /// Like Go `new(big.Float).SetInt(i)`: precision max(64, bit length).
    pub fn from_bigint(i: &BigInt) -> Number {
        if let Some(v) = i.to_i64() {
            return Number::from_i64(v);
        }
        let mag = i.magnitude().clone();
        let prec = (mag.bits() as u32).max(I64_PREC);
        Number::rounded(i.sign() == Sign::Minus, mag, 0, prec)
    }

    /// Exact conversion of a double (cty `NumberFloatVal`, precision 53); `None` for NaN,
    /// which a `big.Float` cannot hold.
    pub fn from_f64(v: f64) -> Option<Number> {
        if v.is_nan() {
            return None;
        }
        if v.is_infinite() {
            return Some(Number(Repr::Inf {
                neg: v < 0.0,
                prec: F64_PREC,
            }));
        }
        let bits = v.to_bits();
        let neg = bits >> 63 == 1;
        let bexp = ((bits >> 52) & 0x7ff) as i64;
        let frac = bits & ((1u64 << 52) - 1);
        let (m, e) = if bexp == 0 {
            (frac, -1074)
        } else {
            (frac | (1u64 << 52), bexp - 1075)
        };
        let (m, e) = round_mant(BigUint::from(m), e, F64_PREC, false);
        Some(Number::make(neg, m, e, F64_PREC))
    }

    /// Parses a Terraform number literal / `tonumber` string, trimming
    /// surrounding whitespace. Note: Terraform's `tonumber(" 5")` is an
    /// error; use [`Number::parse_strict`] for `tonumber`.
    pub fn parse(s: &str) -> Option<Number> {
        Number::parse_strict(s.trim())
    }

    /// Go `big.ParseFloat(s, 10, 512, ToNearestEven)` (as cty
    /// `ParseNumberVal`): `[+-] digits [. digits] [(e|E) [+-] digits | (p|P) [+-] digits]`,
    /// or `[+-]Inf` / `[+-]inf`.
    pub fn parse_strict(s: &str) -> Option<Number> {
        if let Some(neg) = parse_infinity(s) {
            return Some(Number::infinity(neg));
        }
        // Fast path: plain small integers, no allocation.
        let digits_only = s.strip_prefix(['-', '+']).unwrap_or(s);
        if !digits_only.is_empty()
            && digits_only.len() <= 18
            && digits_only.bytes().all(|c| c.is_ascii_digit())
            && !(s.starts_with('-') && digits_only.bytes().all(|c| c == b'0'))
        {
            let v: i64 = s.parse().ok()?;
            return Some(Number(Repr::Int {
                v,
                prec: LITERAL_PREC,
            }));
        }
        let b = s.as_bytes();
        let mut i = 0;
        let mut neg = false;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            neg = b[i] == b'-';
            i += 1;
        }
        let mut digits = String::new();
        let mut frac = 0i64;
        let mut seen_dot = false;
        while i < b.len() {
            match b[i] {
                c @ b'0'..=b'9' => {
                    digits.push(c as char);
                    if seen_dot {
                        frac += 1;
                    }
                }
                b'.' if !seen_dot => seen_dot = true,
                _ => break,
            }
            i += 1;
        }
        if digits.is_empty() {
            return None;
        }
        let mut exp10 = -frac;
        let mut exp2 = 0i64;
        if i < b.len() {
            let binary = match b[i] {
                b'e' | b'E' => false,
                b'p' | b'P' => true,
                _ => return None,
            };
            i += 1;
            let mut eneg = false;
            if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
                eneg = b[i] == b'-';
                i += 1;
            }
            let rest = &s[i..];
            if rest.is_empty() || !rest.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let e: i64 = rest.parse().ok().filter(|e: &i64| *e <= 100_000_000)?;
            let e = if eneg { -e } else { e };
            if binary {
                exp2 = e;
            } else {
                exp10 += e;
            }
        }
        if exp10.abs() > 100_000_000 {
            return None;
        }
        let n: BigUint = digits.parse().ok()?;
        if n.is_zero() {
            return Some(Number::make(neg, n, 0, LITERAL_PREC));
        }
        if exp10 >= 0 && exp2 == 0 && exp10 <= 18 {
            if let Some(v) = n.to_u64() {
                if let Some(v) = v.checked_mul(10u64.pow(exp10 as u32)) {
                    if v <= i64::MAX as u64 {
                        let v = v as i64;
                        return Some(Number(Repr::Int {
                            v: if neg { -v } else { v },
                            prec: LITERAL_PREC,
                        }));
                    }
                }
            }
        }
        // As Go's `Float.scan`: 10^e = 2^e·5^e, with 5^e rounded as `pow5` rounds it, so a
        // literal such as `1e-99999999` costs a few 576-bit products, not a 300-million-bit
        // power (the same value for |e| <= 248, where the power is exact).
        let (p, pe) = pow5(exp10.unsigned_abs());
        let (m, e) = if exp10 >= 0 {
            round_mant(n * p, exp2 + exp10 + pe, LITERAL_PREC, false)
        } else {
            div_round(&n, exp2 + exp10 - pe, &p, LITERAL_PREC)
        };
        Some(Number::make(neg, m, e, LITERAL_PREC))
    }

    /// Go `big.Int.SetString(s, base)` followed by `SetInt` (Terraform
    /// `parseint`). `base` must be in 2..=62.
    pub fn parse_int_radix(s: &str, base: u32) -> Option<Number> {
        if !(2..=62).contains(&base) {
            return None;
        }
        let (neg, body) = match s.as_bytes().first() {
            Some(b'-') => (true, &s[1..]),
            Some(b'+') => (false, &s[1..]),
            _ => (false, s),
        };
        if body.is_empty() {
            return None;
        }
        let mut acc = BigUint::zero();
        for c in body.chars() {
            let d = match c {
                '0'..='9' => c as u32 - '0' as u32,
                'a'..='z' => c as u32 - 'a' as u32 + 10,
                'A'..='Z' if base <= 36 => c as u32 - 'A' as u32 + 10,
                'A'..='Z' => c as u32 - 'A' as u32 + 36,
                _ => return None,
            };
            if d >= base {
                return None;
            }
            acc = acc * base + d;
        }
        let i = BigInt::from_biguint(if neg { Sign::Minus } else { Sign::Plus }, acc);
        Some(Number::from_bigint(&i))
    }

    // ----- inspection ---------------------------------------------------

    /// The big.Float precision (mantissa bits) of this value.
    pub fn prec(&self) -> u32 {
        match &self.0 {
            Repr::Int { prec, .. } | Repr::Big { prec, .. } | Repr::Inf { prec, .. } => *prec,
        }
    }

    /// (negative, mantissa, exponent), value = ±mant·2^exp. Finite values only: callers
    /// deal with infinities first.
    fn parts(&self) -> (bool, BigUint, i64) {
        match &self.0 {
            Repr::Int { v, .. } => (*v < 0, BigUint::from(v.unsigned_abs()), 0),
            Repr::Big { neg, mant, exp, .. } => (*neg, mant.clone(), *exp),
            Repr::Inf { .. } => unreachable!("parts of an infinity"),
        }
    }

    pub fn is_zero(&self) -> bool {
        match &self.0 {
            Repr::Int { v, .. } => *v == 0,
            Repr::Big { mant, .. } => mant.is_zero(),
            Repr::Inf { .. } => false,
        }
    }

    /// True for values with the sign bit set (including `-0`).
    pub fn is_sign_negative(&self) -> bool {
        match &self.0 {
            Repr::Int { v, .. } => *v < 0,
            Repr::Big { neg, .. } | Repr::Inf { neg, .. } => *neg,
        }
    }

    /// -1, 0 or 1 (`-0` gives 0).
    pub fn signum(&self) -> i32 {
        if self.is_zero() {
            0
        } else if self.is_sign_negative() {
            -1
        } else {
            1
        }
    }

    pub fn is_integer(&self) -> bool {
        match &self.0 {
            Repr::Int { .. } => true,
            Repr::Big { mant, exp, .. } => mant.is_zero() || *exp >= 0,
            Repr::Inf { .. } => false,
        }
    }

    /// The exact integer value, if this number is an integer that fits in i64.
    pub fn to_i64(&self) -> Option<i64> {
        match &self.0 {
            Repr::Int { v, .. } => Some(*v),
            Repr::Big { mant, .. } if mant.is_zero() => Some(0),
            Repr::Big { .. } | Repr::Inf { .. } => None,
        }
    }

    /// The exact integer value, if this number is integral.
    pub fn to_bigint(&self) -> Option<BigInt> {
        self.is_integer().then(|| self.trunc_bigint())
    }

    /// Go `big.Float.Int`: truncation toward zero. Finite values only.
    pub fn trunc_bigint(&self) -> BigInt {
        match &self.0 {
            Repr::Int { v, .. } => BigInt::from(*v),
            Repr::Inf { .. } => unreachable!("integer part of an infinity"),
            Repr::Big { neg, mant, exp, .. } => {
                let mag = if *exp >= 0 {
                    mant << (*exp as u64)
                } else {
                    mant >> ((-*exp) as u64)
                };
                let s = if *neg { Sign::Minus } else { Sign::Plus };
                BigInt::from_biguint(s, mag)
            }
        }
    }

    /// Nearest double, ToNearestEven (Go `big.Float.Float64`); overflow
    /// gives ±inf.
    pub fn to_f64(&self) -> f64 {
        let (neg, mant, exp) = match &self.0 {
            Repr::Int { v, .. } => return *v as f64,
            Repr::Big { neg, mant, exp, .. } => (*neg, mant, *exp),
            Repr::Inf { neg: true, .. } => return f64::NEG_INFINITY,
            Repr::Inf { neg: false, .. } => return f64::INFINITY,
        };
        let sign = if neg { -1.0 } else { 1.0 };
        if mant.is_zero() {
            return sign * 0.0;
        }
        let len = mant.bits() as i64;
        let d = (len - 53).max(-1074 - exp).max(0);
        if len - d <= 0 {
            // Everything is below the smallest subnormal's granularity g:
            // round to 0 or g (ties, i.e. exactly g/2, go to even = 0).
            let up = len == d && !mant.is_one();
            return sign * if up { f64::from_bits(1) } else { 0.0 };
        }
        let (q, e) = if d > 0 {
            round_mant(mant.clone(), exp, (len - d) as u32, false)
        } else {
            (mant.clone(), exp)
        };
        let q = q.to_u64().unwrap_or(u64::MAX) as f64;
        if e > 1023 {
            return sign * f64::INFINITY;
        }
        let p2 = if e >= -1022 {
            f64::from_bits(((e + 1023) as u64) << 52)
        } else {
            f64::from_bits(1u64 << (e + 1074))
        };
        sign * q * p2
    }

    // ----- arithmetic ---------------------------------------------------

    /// Go `z.Add(x, y)` with `z.prec = prec`.
    fn add_prec(&self, o: &Number, prec: u32) -> Number {
        if let (Repr::Int { v: a, .. }, Repr::Int { v: b, .. }) = (&self.0, &o.0) {
            if let Some(r) = a.checked_add(*b) {
                return Number::int_with_prec(r, prec);
            }
        }
        let (an, am, ae) = self.parts();
        let (bn, bm, be) = o.parts();
        if am.is_zero() && bm.is_zero() {
            return Number::make(an && bn, BigUint::zero(), 0, prec);
        }
        if am.is_zero() {
            return Number::rounded(bn, bm, be, prec);
        }
        if bm.is_zero() {
            return Number::rounded(an, am, ae, prec);
        }
        let e = ae.min(be);
        let a = BigInt::from_biguint(
            if an { Sign::Minus } else { Sign::Plus },
            am << (ae - e) as u64,
        );
        let b = BigInt::from_biguint(
            if bn { Sign::Minus } else { Sign::Plus },
            bm << (be - e) as u64,
        );
        let s = a + b;
        let neg = s.sign() == Sign::Minus;
        Number::rounded(neg, s.into_parts().1, e, prec)
    }

    /// cty `Add`; the sum of opposing infinities is an error, as in Terraform.
    pub fn add(&self, o: &Number) -> Result<Number, &'static str> {
        self.add_inf(o, "can't compute sum of opposing infinities")
    }

    /// cty `Subtract`.
    pub fn sub(&self, o: &Number) -> Result<Number, &'static str> {
        self.add_inf(&o.neg(), "can't subtract infinity from itself")
    }

    fn add_inf(&self, o: &Number, opposing: &'static str) -> Result<Number, &'static str> {
        let p = self.prec().max(o.prec());
        match (&self.0, &o.0) {
            (Repr::Inf { neg: a, .. }, Repr::Inf { neg: b, .. }) if a != b => Err(opposing),
            (Repr::Inf { neg, .. }, _) | (_, Repr::Inf { neg, .. }) => {
                Ok(Number(Repr::Inf { neg: *neg, prec: p }))
            }
            _ => Ok(self.add_prec(o, p)),
        }
    }

    /// Exact product rounded to `prec` (Go `z.Mul` with `z.prec = prec`).
    fn mul_prec(&self, o: &Number, prec: u32) -> Number {
        let (an, am, ae) = self.parts();
        let (bn, bm, be) = o.parts();
        Number::rounded(an != bn, am * bm, ae + be, prec)
    }

    /// cty `Multiply`: product rounded to 512 bits, then precision
    /// `max(prec(a), prec(b), MinPrec(product))`.
    pub fn mul(&self, o: &Number) -> Result<Number, &'static str> {
        let p = self.prec().max(o.prec());
        if self.is_infinite() || o.is_infinite() {
            if self.is_zero() || o.is_zero() {
                return Err("can't multiply zero by infinity");
            }
            let neg = self.is_sign_negative() != o.is_sign_negative();
            return Ok(Number(Repr::Inf { neg, prec: p }));
        }
        if let (Repr::Int { v: a, .. }, Repr::Int { v: b, .. }) = (&self.0, &o.0) {
            if let Some(r) = a.checked_mul(*b) {
                if r == 0 && ((*a < 0) != (*b < 0)) {
                    return Ok(Number::make(true, BigUint::zero(), 0, p));
                }
                let u = r.unsigned_abs();
                let minprec = if u == 0 {
                    0
                } else {
                    bits_u64(u) - u.trailing_zeros()
                };
                return Ok(Number(Repr::Int {
                    v: r,
                    prec: p.max(minprec),
                }));
            }
        }
        let r = self.mul_prec(o, LITERAL_PREC);
        let minprec = match &r.0 {
            Repr::Int { v, .. } => {
                let u = v.unsigned_abs();
                if u == 0 {
                    0
                } else {
                    bits_u64(u) - u.trailing_zeros()
                }
            }
            Repr::Big { mant, .. } => mant.bits() as u32,
            Repr::Inf { .. } => 0,
        };
        Ok(r.with_prec(p.max(minprec)))
    }

    /// Changes the precision (the value is unchanged if it fits).
    fn with_prec(self, prec: u32) -> Number {
        match self.0 {
            Repr::Int { v, .. } => Number::int_with_prec(v, prec),
            Repr::Big { neg, mant, exp, .. } => Number::rounded(neg, mant, exp, prec),
            Repr::Inf { neg, .. } => Number(Repr::Inf { neg, prec }),
        }
    }

    /// cty `Divide` (precision `max(prec(a), prec(b))`): `x/0` is `±Inf` (the sign from both
    /// operands, `1/-0` is `-Inf`), `x/∞` is `±0`; `0/0` and `∞/∞` are errors.
    pub fn div(&self, o: &Number) -> Result<Number, &'static str> {
        const NAN: &str = "can't divide zero by zero or infinity by infinity";
        let p = self.prec().max(o.prec());
        let neg = self.is_sign_negative() != o.is_sign_negative();
        match (self.is_infinite(), o.is_infinite()) {
            (true, true) => return Err(NAN),
            (true, false) => return Ok(Number(Repr::Inf { neg, prec: p })),
            (false, true) => return Ok(Number::make(neg, BigUint::zero(), 0, p)),
            (false, false) => {}
        }
        if o.is_zero() {
            if self.is_zero() {
                return Err(NAN);
            }
            return Ok(Number(Repr::Inf { neg, prec: p }));
        }
        Ok(self.div_finite(o, p))
    }

    fn div_finite(&self, o: &Number, p: u32) -> Number {
        if let (Repr::Int { v: a, .. }, Repr::Int { v: b, .. }) = (&self.0, &o.0) {
            if *a != 0 && a.checked_rem(*b) == Some(0) {
                if let Some(q) = a.checked_div(*b) {
                    return Number::int_with_prec(q, p);
                }
            }
        }
        let (an, am, ae) = self.parts();
        let (bn, bm, be) = o.parts();
        if am.is_zero() {
            return Number::make(an != bn, am, 0, p);
        }
        let (m, e) = div_round(&am, ae - be, &bm, p);
        Number::make(an != bn, m, e, p)
    }

    /// Terraform's `%` (cty `Modulo`): `a - b·trunc(a/b)`, computed at the
    /// precision of `a`; the sign follows the dividend (`-5 % 3 == -2`,
    /// `5 % -3 == 2`). `x % 0` is `x` in Terraform; a remainder with an infinity is an error
    /// (cty fails on it too: `big.Float` has no integer part of `∞`, nor `0·∞`).
    pub fn rem(&self, o: &Number) -> Result<Number, &'static str> {
        if o.is_zero() {
            return Ok(self.clone());
        }
        if self.is_infinite() || o.is_infinite() {
            return Err("can't use modulo with zero and infinity");
        }
        let pa = self.prec();
        if let (Repr::Int { v: a, .. }, Repr::Int { v: b, .. }) = (&self.0, &o.0) {
            if let Some(r) = a.checked_rem(*b) {
                return Ok(Number::int_with_prec(r, pa));
            }
        }
        let rat = self.div_finite(o, self.prec().max(o.prec()));
        let t = rat.trunc_bigint();
        let (tn, tm) = (t.sign() == Sign::Minus, t.magnitude().clone());
        let work = Number::rounded(tn, tm, 0, pa);
        let work = o.mul_prec(&work, pa);
        Ok(self.add_prec(&work.neg(), pa))
    }

    pub fn neg(&self) -> Number {
        match &self.0 {
            Repr::Int { v: 0, prec } => Number::make(true, BigUint::zero(), 0, *prec),
            Repr::Int { v, prec } => match v.checked_neg() {
                Some(n) => Number(Repr::Int { v: n, prec: *prec }),
                None => Number::make(false, BigUint::one(), 63, *prec),
            },
            Repr::Big {
                neg,
                mant,
                exp,
                prec,
            } => Number::make(!neg, mant.clone(), *exp, *prec),
            Repr::Inf { neg, prec } => Number(Repr::Inf {
                neg: !neg,
                prec: *prec,
            }),
        }
    }

    /// cty `Absolute` (keeps the precision; `abs(-0)` is `0`).
    pub fn abs(&self) -> Number {
        if self.is_sign_negative() {
            self.neg()
        } else {
            self.clone()
        }
    }

    /// Terraform `floor` (result keeps the argument's precision; `-0` -> `0`).
    pub fn floor(&self) -> Number {
        self.floor_ceil(true)
    }

    /// Terraform `ceil` (result keeps the argument's precision; `-0` -> `0`).
    pub fn ceil(&self) -> Number {
        self.floor_ceil(false)
    }

    fn floor_ceil(&self, floor: bool) -> Number {
        if let Repr::Int { .. } | Repr::Inf { .. } = self.0 {
            return self.clone();
        }
        let mut t = self.trunc_bigint();
        if !self.is_integer() {
            if floor && self.is_sign_negative() {
                t -= 1;
            } else if !floor && !self.is_sign_negative() {
                t += 1;
            }
        }
        let (neg, mag) = (t.sign() == Sign::Minus, t.magnitude().clone());
        Number::rounded(neg, mag, 0, self.prec())
    }

    /// Terraform `pow`: Go `math.Pow` on the float64 conversions, result as
    /// a 53-bit number (`±Inf` on overflow). `None` for a NaN result.
    pub fn pow(&self, o: &Number) -> Option<Number> {
        Number::from_f64(go_pow(self.to_f64(), o.to_f64()))
    }

    // ----- text -----------------------------------------------------------

    /// Whether the canonical text would be longer than [`MAX_TEXT_DIGITS`]: Terraform writes
    /// every digit (`1e99999999` is 100 million characters), which no configuration means and
    /// which would take minutes to build. Judged from the binary exponent, before any digit.
    pub fn text_too_long(&self) -> bool {
        let Repr::Big { mant, exp, .. } = &self.0 else {
            return false;
        };
        // Digits before the point, or zeros after it: about 0.30103 per bit of magnitude.
        let magnitude = (mant.bits() as i64 + exp).unsigned_abs();
        let fraction = exp.min(&0).unsigned_abs();
        (magnitude.max(fraction) as f64 * std::f64::consts::LOG10_2) as u64 > MAX_TEXT_DIGITS
    }

    /// The canonical text, or why it is not made (see [`Number::text_too_long`]): what a
    /// conversion to string (`tostring`, templates, `jsonencode`, string variables) uses.
    pub fn to_text(&self) -> Result<String, String> {
        if self.text_too_long() {
            return Err(format!(
                "the number {} has more than {MAX_TEXT_DIGITS} digits: too long to write out",
                self.format()
            ));
        }
        Ok(self.format())
    }

    /// Terraform's canonical text: Go `big.Float.Text('f', -1)`; past [`MAX_TEXT_DIGITS`], an
    /// approximation in exponent form (`~1e+99999999`), for messages only.
    pub fn format(&self) -> String {
        if self.text_too_long() {
            return self.approximate();
        }
        let (neg, mant, exp, prec) = match &self.0 {
            Repr::Inf { neg: true, .. } => return "-Inf".into(),
            Repr::Inf { neg: false, .. } => return "+Inf".into(),
            Repr::Int { v, prec } if *prec >= 64 => return v.to_string(),
            Repr::Int { v, prec } => (*v < 0, BigUint::from(v.unsigned_abs()), 0i64, *prec),
            Repr::Big {
                neg,
                mant,
                exp,
                prec,
            } => (*neg, mant.clone(), *exp, *prec),
        };
        let mut out = String::new();
        if neg {
            out.push('-');
        }
        if mant.is_zero() {
            out.push('0');
            return out;
        }
        // Integers whose half-ulp is below 1/2 print exactly.
        let len = mant.bits() as i64;
        if exp >= 0 && len + exp + 2 <= prec as i64 {
            out.push_str(&(mant << exp as u64).to_string());
            return out;
        }
        let mut d = Decimal::new(&mant, exp);
        round_shortest(&mut d, &mant, exp, prec);
        // fmtF with prec = max(len(d.mant) - d.exp, 0)
        let fprec = (d.mant.len() as i64 - d.exp).max(0);
        if d.exp > 0 {
            let m = (d.mant.len() as i64).min(d.exp) as usize;
            out.push_str(std::str::from_utf8(&d.mant[..m]).unwrap());
            for _ in m as i64..d.exp {
                out.push('0');
            }
        } else {
            out.push('0');
        }
        if fprec > 0 {
            out.push('.');
            for i in 0..fprec {
                let j = d.exp + i;
                let ch = if 0 <= j && (j as usize) < d.mant.len() {
                    d.mant[j as usize]
                } else {
                    b'0'
                };
                out.push(ch as char);
            }
        }
        out
    }

    /// `~Me+E` with a one-digit mantissa, from the float64 of the top bits: messages about a
    /// number too long to write out still say which.
    fn approximate(&self) -> String {
        let Repr::Big { neg, mant, exp, .. } = &self.0 else {
            return self.format();
        };
        // log10 of the value: the binary exponent's part exactly enough, and the mantissa's
        // top 53 bits (a float in [1, 2)); a hair added so 9.99…e(n-1) reads as 1e(n).
        let bits = mant.bits();
        let shift = bits.saturating_sub(53);
        let top: f64 =
            (mant >> shift).to_f64().unwrap_or(1.0) / 2f64.powi((bits - shift - 1) as i32);
        let l = (bits as i64 - 1 + exp) as f64 * std::f64::consts::LOG10_2 + top.log10() + 1e-9;
        let e10 = l.floor() as i64;
        let lead = 10f64.powf(l - e10 as f64).floor().clamp(1.0, 9.0) as u8;
        format!("{}~{lead}e{e10:+}", if *neg { "-" } else { "" })
    }

    /// The decimal digits Go's `big.Float` formatting starts from: with `shortest`, the fewest
    /// that read back to this value at its precision (`Text('g', -1)`, the canonical text);
    /// otherwise every digit of the binary value, which `%.2f` and friends round (so 2.675,
    /// stored as 2.67499…, gives 2.67). The sign is [`Number::is_sign_negative`]'s.
    pub fn decimal(&self, shortest: bool) -> Decimal {
        let (_, mant, exp) = self.parts();
        let mut d = Decimal::new(&mant, exp);
        if shortest {
            round_shortest(&mut d, &mant, exp, self.prec());
        }
        d
    }

    fn exact_cmp(&self, o: &Number) -> Ordering {
        if let (Repr::Int { v: a, .. }, Repr::Int { v: b, .. }) = (&self.0, &o.0) {
            return a.cmp(b);
        }
        // -Inf below every finite value, +Inf above; equal infinities are equal.
        let rank = |n: &Number| match n.0 {
            Repr::Inf { neg: true, .. } => -1,
            Repr::Inf { neg: false, .. } => 1,
            _ => 0,
        };
        if rank(self) != 0 || rank(o) != 0 {
            return rank(self).cmp(&rank(o));
        }
        let (sa, sb) = (self.signum(), o.signum());
        if sa != sb {
            return sa.cmp(&sb);
        }
        if sa == 0 {
            return Ordering::Equal;
        }
        let (_, am, ae) = self.parts();
        let (_, bm, be) = o.parts();
        let top_a = am.bits() as i64 + ae;
        let top_b = bm.bits() as i64 + be;
        let mag = if top_a != top_b {
            top_a.cmp(&top_b)
        } else {
            let e = ae.min(be);
            (am << (ae - e) as u64).cmp(&(bm << (be - e) as u64))
        };
        if sa < 0 {
            mag.reverse()
        } else {
            mag
        }
    }
}

/// Go's `math/big` `decimal`: digits (ASCII, no trailing zeros) and the
/// decimal point position: value = 0.mant × 10^exp.
pub struct Decimal {
    pub mant: Vec<u8>,
    pub exp: i64,
}

impl Decimal {
    fn new(m: &BigUint, e: i64) -> Decimal {
        if m.is_zero() {
            return Decimal {
                mant: Vec::new(),
                exp: 0,
            };
        }
        let (s, k) = if e >= 0 {
            ((m << e as u64).to_string(), 0i64)
        } else {
            let tz = m.trailing_zeros().unwrap_or(0).min((-e) as u64);
            let m = m >> tz;
            let k = -e - tz as i64;
            ((m * BigUint::from(5u32).pow(k as u32)).to_string(), k)
        };
        let mut d = Decimal {
            exp: s.len() as i64 - k,
            mant: s.into_bytes(),
        };
        d.trim();
        d
    }
    fn trim(&mut self) {
        while self.mant.last() == Some(&b'0') {
            self.mant.pop();
        }
        if self.mant.is_empty() {
            self.exp = 0;
        }
    }
    fn at(&self, i: usize) -> u8 {
        self.mant.get(i).copied().unwrap_or(b'0')
    }
    fn should_round_up(&self, n: usize) -> bool {
        if self.mant[n] == b'5' && n + 1 == self.mant.len() {
            return n > 0 && (self.mant[n - 1] - b'0') & 1 != 0;
        }
        self.mant[n] >= b'5'
    }
    /// Rounds to `n` digits, an exact half to even (Go `decimal.round`).
    pub fn round(&mut self, n: usize) {
        if n >= self.mant.len() {
            return;
        }
        if self.should_round_up(n) {
            self.round_up(n)
        } else {
            self.round_down(n)
        }
    }
    fn round_up(&mut self, mut n: usize) {
        if n >= self.mant.len() {
            return;
        }
        while n > 0 && self.mant[n - 1] >= b'9' {
            n -= 1;
        }
        if n == 0 {
            self.mant.truncate(1);
            self.mant[0] = b'1';
            self.exp += 1;
            return;
        }
        self.mant[n - 1] += 1;
        self.mant.truncate(n);
    }
    fn round_down(&mut self, n: usize) {
        if n >= self.mant.len() {
            return;
        }
        self.mant.truncate(n);
        self.trim();
    }
}

/// Port of `math/big` `roundShortest` (including its simplifications: a
/// symmetric half-ulp interval and digit-by-digit comparison).
fn round_shortest(d: &mut Decimal, xmant: &BigUint, xexp: i64, prec: u32) {
    if d.mant.is_empty() {
        return;
    }
    let len = xmant.bits() as i64;
    let s = len - (prec as i64 + 1);
    let (mant, exp) = if s < 0 {
        (xmant << (-s) as u64, xexp + s)
    } else {
        (xmant >> s as u64, xexp + s)
    };
    let lower = Decimal::new(&(&mant - 1u32), exp);
    let upper = Decimal::new(&(&mant + 1u32), exp);
    let inclusive = !mant.bit(1);
    for i in 0..d.mant.len() {
        let m = d.mant[i];
        let l = lower.at(i);
        let u = upper.at(i);
        let okdown = l != m || inclusive && i + 1 == lower.mant.len();
        let okup = m != u && (inclusive || m + 1 < u || i + 1 < upper.mant.len());
        if okdown && okup {
            d.round(i + 1);
            return;
        } else if okdown {
            d.round_down(i + 1);
            return;
        } else if okup {
            d.round_up(i + 1);
            return;
        }
    }
}

/// Go `math.Frexp`.
fn frexp(f: f64) -> (f64, i64) {
    if f == 0.0 || !f.is_finite() {
        return (f, 0);
    }
    let (mut f, mut e) = (f, 0i64);
    if f.abs() < f64::MIN_POSITIVE {
        f *= (1u64 << 52) as f64;
        e = -52;
    }
    let bits = f.to_bits();
    e += ((bits >> 52) & 0x7ff) as i64 - 1022;
    let bits = (bits & !(0x7ffu64 << 52)) | (1022u64 << 52);
    (f64::from_bits(bits), e)
}

/// Go `math.Ldexp` (single rounding).
fn ldexp(frac: f64, e: i64) -> f64 {
    if frac == 0.0 || !frac.is_finite() {
        return frac;
    }
    let (f, fe) = frexp(frac);
    let mut exp = e + fe;
    let bits = f.to_bits();
    exp += ((bits >> 52) & 0x7ff) as i64 - 1023;
    if exp < -1075 {
        return 0.0f64.copysign(f);
    }
    if exp > 1023 {
        return f64::INFINITY.copysign(f);
    }
    let mut m = 1.0;
    if exp < -1022 {
        exp += 53;
        m = 1.0 / (1u64 << 53) as f64;
    }
    let bits = (bits & !(0x7ffu64 << 52)) | (((exp + 1023) as u64) << 52);
    m * f64::from_bits(bits)
}

fn is_odd_int(x: f64) -> bool {
    x.fract() == 0.0 && x.abs() < 9.2e18 && (x as i64) & 1 == 1
}

/// Port of Go's `math.Pow` (pure-Go version; `Exp`/`Log` come from the
/// platform libm, which may differ from Go's in the last bit).
pub fn go_pow(x: f64, y: f64) -> f64 {
    if y == 0.0 || x == 1.0 {
        return 1.0;
    }
    if x.is_nan() || y.is_nan() {
        return f64::NAN;
    }
    if x == 0.0 {
        if y < 0.0 {
            return if is_odd_int(y) {
                f64::INFINITY.copysign(x)
            } else {
                f64::INFINITY
            };
        }
        return if is_odd_int(y) { x } else { 0.0 };
    }
    if y.is_infinite() {
        return if x == -1.0 {
            1.0
        } else if (x.abs() < 1.0) == (y > 0.0) {
            0.0
        } else {
            f64::INFINITY
        };
    }
    if x.is_infinite() {
        if x < 0.0 {
            return go_pow(1.0 / x, -y);
        }
        return if y < 0.0 { 0.0 } else { f64::INFINITY };
    }
    if y == 0.5 {
        return x.sqrt();
    }
    if y == -0.5 {
        return 1.0 / x.sqrt();
    }
    let (mut yi, mut yf) = (y.abs().trunc(), y.abs().fract());
    if yf != 0.0 && x < 0.0 {
        return f64::NAN;
    }
    if yi >= (1u64 << 63) as f64 {
        return if x == -1.0 {
            1.0
        } else if (x.abs() < 1.0) == (y > 0.0) {
            0.0
        } else {
            f64::INFINITY
        };
    }
    let mut a1 = 1.0;
    let mut ae = 0i64;
    if yf != 0.0 {
        if yf > 0.5 {
            yf -= 1.0;
            yi += 1.0;
        }
        a1 = (yf * x.ln()).exp();
    }
    let (mut x1, mut xe) = frexp(x);
    let mut i = yi as i64;
    while i != 0 {
        if !(-(1 << 12)..=(1 << 12)).contains(&xe) {
            ae += xe;
            break;
        }
        if i & 1 == 1 {
            a1 *= x1;
            ae += xe;
        }
        x1 *= x1;
        xe <<= 1;
        if x1 < 0.5 {
            x1 += x1;
            xe -= 1;
        }
        i >>= 1;
    }
    if y < 0.0 {
        a1 = 1.0 / a1;
        ae = -ae;
    }
    ldexp(a1, ae)
}

impl PartialEq for Number {
    /// cty `rawNumberEqual`: integers compare exactly, other values compare
    /// by their `Text('f', -1)` form (so precision can matter); `-0 == 0`.
    fn eq(&self, o: &Number) -> bool {
        if let (Repr::Int { v: a, .. }, Repr::Int { v: b, .. }) = (&self.0, &o.0) {
            return a == b;
        }
        if self.signum() != o.signum() {
            return false;
        }
        match (self.is_integer(), o.is_integer()) {
            (true, true) => self.exact_cmp(o) == Ordering::Equal,
            (false, false) => self.format() == o.format(),
            _ => false,
        }
    }
}
impl Eq for Number {}

impl PartialOrd for Number {
    fn partial_cmp(&self, o: &Number) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Number {
    /// Numeric order, made consistent with `eq` (values equal by cty's
    /// definition compare `Equal`; exactly-equal values that cty considers
    /// different are ordered by precision).
    fn cmp(&self, o: &Number) -> Ordering {
        let c = self.exact_cmp(o);
        if let (Repr::Int { .. }, Repr::Int { .. }) = (&self.0, &o.0) {
            return c;
        }
        if self.is_integer() || o.is_integer() {
            return c;
        }
        let eq = self == o;
        match (c, eq) {
            (_, true) => Ordering::Equal,
            (Ordering::Equal, false) => self.prec().cmp(&o.prec()),
            (c, false) => c,
        }
    }
}

impl Hash for Number {
    fn hash<H: Hasher>(&self, h: &mut H) {
        match &self.0 {
            Repr::Int { v, .. } => {
                0u8.hash(h);
                v.hash(h);
            }
            Repr::Big { mant, .. } if mant.is_zero() => {
                0u8.hash(h);
                0i64.hash(h);
            }
            Repr::Big { neg, mant, exp, .. } if *exp >= 0 => {
                1u8.hash(h);
                neg.hash(h);
                mant.hash(h);
                exp.hash(h);
            }
            Repr::Big { .. } => {
                2u8.hash(h);
                self.format().hash(h);
            }
            Repr::Inf { neg, .. } => {
                3u8.hash(h);
                neg.hash(h);
            }
        }
    }
}

impl std::fmt::Display for Number {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.format())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Number {
        Number::parse(s).unwrap_or_else(|| panic!("parse {s}"))
    }
    fn f(n: Number) -> String {
        n.format()
    }

    fn lit(expr: &str) -> String {
        // tiny evaluator for "a op b" used by the table below
        let toks: Vec<&str> = expr.split(' ').collect();
        let n = match toks.as_slice() {
            [a] => p(a),
            [a, "+", b] => p(a).add(&p(b)).unwrap(),
            [a, "-", b] => p(a).sub(&p(b)).unwrap(),
            [a, "*", b] => p(a).mul(&p(b)).unwrap(),
            [a, "/", b] => p(a).div(&p(b)).unwrap(),
            [a, "%", b] => p(a).rem(&p(b)).unwrap(),
            [a, "/", b, "*", c] => p(a).div(&p(b)).unwrap().mul(&p(c)).unwrap(),
            _ => panic!("bad {expr}"),
        };
        n.format()
    }

    // Expected strings are `terraform console` (v1.11.4) output.
    #[test]
    fn console_cases() {
        let third = "0.33333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333335";
        let cases: &[(&str, &str)] = &[
            ("0.1 + 0.2", "0.3"),
            ("1 / 3", third),
            ("2 / 3", "0.6666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666667"),
            ("1 / 7", "0.14285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285"),
            ("2 / 3 * 3", "2"),
            ("1e21", "1000000000000000000000"),
            ("1e-7", "0.0000001"),
            ("2.5e-10", "0.00000000025"),
            ("123456789012345678901234567890", "123456789012345678901234567890"),
            ("9007199254740993", "9007199254740993"),
            ("0.30000000000000004", "0.30000000000000004"),
            ("100 / 8", "12.5"),
            ("0.1 * 3", "0.3"),
            ("0.5 * 3", "1.5"),
            ("-0", "-0"),
            ("-0.0", "-0"),
            ("0 * -1", "-0"),
            ("5 % 3", "2"),
            ("-5 % 3", "-2"),
            ("5.5 % 2", "1.5"),
            ("5 % -3", "2"),
            ("-5.5 % 2", "-1.5"),
            ("-5 % -3", "-2"),
            ("7.5 % -2", "1.5"),
            ("1 % 0", "1"),
            ("1e30 % 7", "1"),
            ("5 % 0.3", "0.19999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999976"),
            ("1e30 / 7", "142857142857142857142857142857.14285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285714285"),
        ];
        let mut bad = Vec::new();
        for (e, want) in cases {
            let got = lit(e);
            if got != *want {
                bad.push(format!("{e}: got {got}, want {want}"));
            }
        }
        assert!(bad.is_empty(), "{}", bad.join("\n"));
    }

    #[test]
    fn float64_precision_values() {
        let two = p("2");
        let pw = two.pow(&p("100")).unwrap();
        assert_eq!(pw.format(), "1267650600228229400000000000000");
        assert_eq!(pw.neg().format(), "-1267650600228229400000000000000");
        assert_eq!(
            pw.add(&p("0")).unwrap().format(),
            "1267650600228229401496703205376"
        );
        assert_eq!(pw.floor().format(), "1267650600228229400000000000000");
        assert_eq!(pw, p("1267650600228229401496703205376"));
        let r2 = two.pow(&p("0.5")).unwrap();
        assert_eq!(r2.format(), "1.4142135623730951");
        assert_eq!(
            r2.mul(&p("1")).unwrap().format(),
            "1.4142135623730951454746218587388284504413604736328125"
        );
        assert_eq!(
            r2.mul(&r2).unwrap().format(),
            "2.00000000000000027343234630647693"
        );
        assert_eq!(r2.div(&p("3")).unwrap().format(), "0.47140452079103171515820728624627615014712015787760416666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666665");
        let r3 = p("3").pow(&p("0.5")).unwrap();
        assert_eq!(r2.div(&r3).unwrap().format(), "0.8164965809277261");
        assert_eq!(
            p("3").pow(&p("40")).unwrap().format(),
            "12157665459056929000"
        );
        assert_eq!(
            p("10").pow(&p("30")).unwrap().format(),
            "1000000000000000000000000000000"
        );
        assert_eq!(p("2").pow(&p("-3")).unwrap().format(), "0.125");
        assert_eq!(p("10").pow(&p("-2")).unwrap().format(), "0.01");
        assert_eq!(p("7").pow(&p("0.3")).unwrap().format(), "1.792789962520997");
        assert_eq!(
            p("1.0000001").pow(&p("1e7")).unwrap().format(),
            "2.7182816939803724"
        );
        assert!(p("-8").pow(&p("1").div(&p("3")).unwrap()).is_none());
        // length()-style 64-bit integers divide at 64 bits
        let q = Number::from_i64(3).div(&Number::from_i64(7)).unwrap();
        assert_eq!(q.format(), "0.42857142857142857144");
        assert_eq!(
            Number::from_i64(3)
                .div(&Number::from_i64(2))
                .unwrap()
                .format(),
            "1.5"
        );
        let seven = Number::parse_int_radix("7", 10).unwrap();
        assert_eq!(seven.div(&p("3")).unwrap().format(), "2.3333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333332");
    }

    #[test]
    fn floor_ceil_abs() {
        assert_eq!(p("2.5").floor().format(), "2");
        assert_eq!(p("-2.5").ceil().format(), "-2");
        assert_eq!(p("-0.5").floor().format(), "-1");
        assert_eq!(p("-0").floor().format(), "0");
        assert_eq!(p("-0").abs().format(), "0");
        let x = p("1e30").div(&p("7")).unwrap();
        assert_eq!(x.ceil().format(), "142857142857142857142857142858");
        assert_eq!(x.floor().format(), "142857142857142857142857142857");
        assert_eq!(
            p("1e30").add(&p("0.5")).unwrap().floor().format(),
            "1000000000000000000000000000000"
        );
        assert_eq!(
            p("5")
                .add(&p("1").div(&p("3")).unwrap())
                .unwrap()
                .floor()
                .format(),
            "5"
        );
    }

    #[test]
    fn parsing() {
        for bad in [
            "", "x", "0x10", "1_000", "0b11", "1e", "INF", "infinity", "nan", ".", "-", "1e+",
            "1.2.3",
        ] {
            assert!(Number::parse(bad).is_none(), "{bad}");
        }
        assert!(Number::parse_strict(" 5").is_none());
        assert_eq!(p(" 5 ").format(), "5");
        assert_eq!(p("1E3").format(), "1000");
        assert_eq!(p("+5").format(), "5");
        assert_eq!(p(".5").format(), "0.5");
        assert_eq!(p("5.").format(), "5");
        assert_eq!(p("1.5E-2").format(), "0.015");
        assert_eq!(p("1p3").format(), "8");
        assert_eq!(p("-0").format(), "-0");
        assert_eq!(p("-0"), p("0"));
        assert_eq!(p("1e-400").format(), format!("0.{}1", "0".repeat(399)));
        assert_eq!(p("1e400").format(), format!("1{}", "0".repeat(400)));
        assert_eq!(
            p("1e308").mul(&p("10")).unwrap().format(),
            format!("1{}", "0".repeat(309))
        );
        // 2^512+1 and 2^512+3: exact ties at 512 bits, ToNearestEven
        let two512 = "13407807929942597099574024998205846127479365820592393377723561443721764030073546976801874298166903427690031858186486050853753882811946569946433649006084096";
        let plus = |k: u32| (two512.parse::<BigUint>().unwrap() + k).to_string();
        assert_eq!(p(&plus(1)).format(), plus(0));
        assert_eq!(p(&plus(3)).format(), plus(4));
        assert_eq!(p("1e-30").format(), "0.000000000000000000000000000001");
        assert_eq!(Number::parse_int_radix("ff", 16).unwrap().format(), "255");
        assert_eq!(Number::parse_int_radix("-101", 2).unwrap().format(), "-5");
        assert_eq!(
            Number::parse_int_radix("123456789012345678901234567890", 10)
                .unwrap()
                .format(),
            "123456789012345678901234567890"
        );
        assert!(Number::parse_int_radix("12", 2).is_none());
    }

    #[test]
    fn conversions_and_compare() {
        assert_eq!(p("0.1").to_f64(), 0.1);
        assert_eq!(p("1e308").mul(&p("10")).unwrap().to_f64(), f64::INFINITY);
        assert_eq!(p("5e-324").to_f64(), 5e-324);
        assert_eq!(p("2.4703282292062328e-324").to_f64(), 5e-324);
        assert_eq!(p("2.4703282292062327e-324").to_f64(), 0.0);
        assert_eq!(p("123.25").to_f64(), 123.25);
        assert_eq!(Number::from_f64(0.1).unwrap().format(), "0.1");
        assert_eq!(Number::from_f64(-0.0).unwrap().format(), "-0");
        assert_eq!(Number::from_f64(1e300).unwrap().to_f64(), 1e300);
        assert_eq!(p("3").to_i64(), Some(3));
        assert_eq!(p("3.5").to_i64(), None);
        assert_eq!(p("1e20").to_i64(), None);
        assert!(p("1e20").is_integer());
        assert_eq!(p("-9223372036854775808").to_i64(), Some(i64::MIN));
        assert_eq!(p("1").div(&p("0")).unwrap().format(), "+Inf");
        assert_eq!(p("0.1").add(&p("0.2")).unwrap(), p("0.3"));
        assert!(p("0.1") < p("0.2"));
        assert!(p("-1e30") < p("-5"));
        assert!(p("1e30") > p("5"));
        assert_eq!(p("1").cmp(&p("1.0")), Ordering::Equal);
        assert_eq!(p("2").div(&p("3")).unwrap().mul(&p("3")).unwrap(), p("2"));
        assert_eq!(
            p("9223372036854775807").add(&p("1")).unwrap().format(),
            "9223372036854775808"
        );
        assert_eq!(
            p("-9223372036854775808").neg().format(),
            "9223372036854775808"
        );
        assert_eq!(
            p("4294967296").mul(&p("4294967296")).unwrap().format(),
            "18446744073709551616"
        );
    }

    // Expected strings are `terraform console` (v1.11) output for `tostring(...)`.
    #[test]
    fn infinities() {
        let inf = p("1").div(&p("0")).unwrap();
        let ninf = p("-1").div(&p("0")).unwrap();
        assert_eq!(inf.format(), "+Inf");
        assert_eq!(ninf.format(), "-Inf");
        assert_eq!(p("1").div(&p("-0")).unwrap().format(), "-Inf");
        assert_eq!(p("Inf"), inf);
        assert_eq!(p("-inf"), ninf);
        assert!(inf > p("1e400") && ninf < p("-1e400") && ninf < inf);
        assert_eq!(inf.add(&p("1")).unwrap(), inf);
        assert_eq!(p("5").sub(&inf).unwrap(), ninf);
        assert_eq!(p("-2").mul(&inf).unwrap(), ninf);
        assert_eq!(p("-2").div(&inf).unwrap().format(), "-0");
        assert_eq!(inf.neg(), ninf);
        assert_eq!(ninf.abs(), inf);
        assert_eq!(inf.floor(), inf);
        assert_eq!(inf.to_f64(), f64::INFINITY);
        assert!(inf.add(&ninf).is_err());
        assert!(inf.sub(&inf).is_err());
        assert!(p("0").mul(&inf).is_err());
        assert!(inf.div(&inf).is_err());
        assert!(p("0").div(&p("0")).is_err());
        assert!(p("5").rem(&inf).is_err());
        assert_eq!(inf.rem(&p("0")).unwrap(), inf);
        assert_eq!(inf.to_i64(), None);
        assert!(!inf.is_integer());
    }

    #[test]
    fn smoke() {
        assert_eq!(f(p("0.1").add(&p("0.2")).unwrap()), "0.3");
        assert_eq!(f(p("1").div(&p("3")).unwrap()), "0.33333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333335");
    }
}
