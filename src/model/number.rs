//! Terraform numbers. Placeholder f64 representation; being replaced by a
//! 512-bit binary float that matches cty/big.Float semantics.
use std::cmp::Ordering;

#[derive(Clone, Debug)]
pub struct Number(f64);

impl Number {
    pub fn from_i64(v: i64) -> Number {
        Number(v as f64)
    }
    pub fn from_f64(v: f64) -> Option<Number> {
        v.is_finite().then_some(Number(v))
    }
    /// Parses a Terraform number literal / `tonumber` string.
    pub fn parse(s: &str) -> Option<Number> {
        s.trim().parse::<f64>().ok().and_then(Number::from_f64)
    }
    pub fn to_f64(&self) -> f64 {
        self.0
    }
    /// The exact integer value, if this number is an integer that fits in i64.
    pub fn to_i64(&self) -> Option<i64> {
        (self.0.fract() == 0.0 && self.0.abs() < 9.2e18).then_some(self.0 as i64)
    }
    pub fn is_integer(&self) -> bool {
        self.0.fract() == 0.0
    }
    pub fn add(&self, o: &Number) -> Number {
        Number(self.0 + o.0)
    }
    pub fn sub(&self, o: &Number) -> Number {
        Number(self.0 - o.0)
    }
    pub fn mul(&self, o: &Number) -> Number {
        Number(self.0 * o.0)
    }
    /// None on division by zero.
    pub fn div(&self, o: &Number) -> Option<Number> {
        (o.0 != 0.0).then(|| Number(self.0 / o.0))
    }
    /// Terraform's `%`; None on modulo by zero.
    pub fn rem(&self, o: &Number) -> Option<Number> {
        (o.0 != 0.0).then(|| Number(self.0 % o.0))
    }
    pub fn neg(&self) -> Number {
        Number(-self.0)
    }
    /// Terraform's canonical text (as `terraform console` and string conversion print it).
    pub fn format(&self) -> String {
        if self.is_integer() && self.0.abs() < 1e21 {
            format!("{}", self.0 as i128)
        } else {
            format!("{}", self.0)
        }
    }
}

impl PartialEq for Number {
    fn eq(&self, o: &Number) -> bool {
        self.0 == o.0
    }
}
impl Eq for Number {}
impl PartialOrd for Number {
    fn partial_cmp(&self, o: &Number) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Number {
    fn cmp(&self, o: &Number) -> Ordering {
        self.0.total_cmp(&o.0)
    }
}
