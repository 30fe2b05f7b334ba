//! Numeric functions.
use super::{int_arg, list_arg, num_arg, str_arg, FnResult};
use crate::model::{Number, Value};

pub(super) fn call(name: &str, a: Vec<Value>) -> FnResult {
    match name {
        "max" | "min" => {
            let mut best: Option<Number> = None;
            for v in &a {
                let n = num_arg(v, "numbers")?;
                best = Some(match best {
                    None => n,
                    // Ties keep the first, as cty's strict comparison does (`min(-0, 0)` is -0).
                    Some(b) if (name == "max" && n > b) || (name == "min" && n < b) => n,
                    Some(b) => b,
                });
            }
            best.map(Value::Number)
                .ok_or_else(|| "must pass at least one number".into())
        }
        "abs" => {
            let n = num_arg(&a[0], "num")?;
            Ok(Value::Number(n.abs()))
        }
        "signum" => {
            // Terraform reads signum's argument as an int: `signum(1.5)` and `signum(1/0)` fail.
            let n = num_arg(&a[0], "num")?;
            if n.to_i64().is_none() {
                return Err("value must be a whole number, between -9223372036854775808 and 9223372036854775807".into());
            }
            Ok(Value::int(match n.cmp(&zero()) {
                std::cmp::Ordering::Less => -1,
                std::cmp::Ordering::Equal => 0,
                std::cmp::Ordering::Greater => 1,
            }))
        }
        "ceil" | "floor" => {
            let n = num_arg(&a[0], "num")?;
            Ok(Value::Number(if name == "ceil" {
                n.ceil()
            } else {
                n.floor()
            }))
        }
        "pow" => {
            // Go's math.Pow, not libm's pow: it splits off the fractional power as
            // exp(yf*ln x), so 10^1.5 is 31.622776601683796 there, not ...793.
            let x = float64_arg(&a[0], "num")?;
            let y = float64_arg(&a[1], "power")?;
            x.pow(&y)
                .map(Value::Number)
                .ok_or_else(|| "result is not a finite number".into())
        }
        "log" => {
            let x = float64_arg(&a[0], "num")?.to_f64();
            let b = float64_arg(&a[1], "base")?.to_f64();
            f64_result(x.ln() / b.ln())
        }
        "parseint" => {
            // Its parameter is dynamically typed: cty checks for a string itself instead of
            // converting a number to one.
            if !matches!(a[0], Value::String(_) | Value::Null) {
                return Err(format!(
                    "Invalid value for \"number\" parameter: first argument must be a string, not {}.",
                    a[0].type_name()
                ));
            }
            let s = str_arg(&a[0], "number")?;
            let base = int_arg(&a[1], "base")?;
            if !(2..=62).contains(&base) {
                return Err("Invalid value for \"base\" parameter: base must be a whole number between 2 and 62 inclusive.".to_string());
            }
            let (neg, digits) = match s.strip_prefix('-') {
                Some(r) => (true, r),
                None => (false, s.strip_prefix('+').unwrap_or(&s)),
            };
            let parsed = if base <= 36 && !digits.is_empty() {
                num_bigint::BigInt::parse_bytes(digits.as_bytes(), base as u32)
            } else {
                parse_base62(digits, base as u32)
            };
            let n = parsed.ok_or_else(|| {
                format!("Invalid value for \"number\" parameter: cannot parse {s:?} as a base {base} integer.")
            })?;
            let n = if neg { -n } else { n };
            // cty's `big.Float.SetInt`: exact, whatever the number of digits.
            Ok(Value::Number(Number::from_bigint(&n)))
        }
        "sum" => {
            let l = list_arg(&a[0], "list")?;
            if l.is_empty() {
                return Err(
                    "Invalid value for \"list\" parameter: cannot sum an empty list.".into(),
                );
            }
            // Starting from the first element, not zero, keeps `sum([-0])` the -0 cty gives.
            let mut acc: Option<Number> = None;
            for v in l {
                if v.is_null() {
                    return Err("Invalid value for \"list\" parameter: argument must be list, set, or tuple of number values.".into());
                }
                let n = num_arg(v, "list")?;
                acc = Some(match acc {
                    None => n,
                    Some(a) => a.add(&n)?,
                });
            }
            Ok(Value::Number(acc.expect("the list is not empty")))
        }
        "range" => range(&a),
        _ => Err(format!("unknown numeric function {name}")),
    }
}

fn zero() -> Number {
    Number::from_i64(0)
}

/// A number argument that cty hands to Go as a float64 (gocty): a finite number beyond its
/// range would become an infinity there, which gocty refuses (`log(1, "1e400")` fails, where
/// `log(1, 1/0)` is a value).
fn float64_arg(v: &Value, param: &str) -> Result<Number, String> {
    let n = num_arg(v, param)?;
    if !n.is_infinite() && n.to_f64().is_infinite() {
        return Err(format!(
            "value must be between {:.6} and {:.6}",
            -f64::MAX,
            f64::MAX
        ));
    }
    Ok(n)
}

fn f64_result(f: f64) -> FnResult {
    Number::from_f64(f)
        .map(Value::Number)
        .ok_or_else(|| "result is not a finite number".into())
}

fn parse_base62(s: &str, base: u32) -> Option<num_bigint::BigInt> {
    if s.is_empty() {
        return None;
    }
    let mut acc = num_bigint::BigInt::from(0);
    for c in s.chars() {
        let d = match c {
            '0'..='9' => c as u32 - '0' as u32,
            'a'..='z' => c as u32 - 'a' as u32 + 10,
            'A'..='Z' => c as u32 - 'A' as u32 + 36,
            _ => return None,
        };
        if d >= base {
            return None;
        }
        acc = acc * base + d;
    }
    Some(acc)
}

fn range(a: &[Value]) -> FnResult {
    let nums: Vec<Number> = a
        .iter()
        .map(|v| num_arg(v, "params"))
        .collect::<Result<_, _>>()?;
    let (start, end, step) = match nums.len() {
        1 => (zero(), nums[0].clone(), None),
        2 => (nums[0].clone(), nums[1].clone(), None),
        _ => (nums[0].clone(), nums[1].clone(), Some(nums[2].clone())),
    };
    let step = step.unwrap_or_else(|| Number::from_i64(if end < start { -1 } else { 1 }));
    // A zero step counts as positive, as in cty: `range(4, 4, 0)` is `[]`, and
    // `range(4, 5, 0)` runs into the 1024-value bound.
    let down = step < zero();
    if down && start < end {
        return Err(
            "for a negative step, the start value must be greater than the end value".into(),
        );
    }
    if !down && start > end {
        return Err("for a positive step, the start value must be less than the end value".into());
    }
    let mut out = Vec::new();
    let mut v = start;
    while (down && v > end) || (!down && v < end) {
        if out.len() >= 1024 {
            return Err("more than 1024 values were generated; either decrease the difference between start and end or use a smaller step".into());
        }
        out.push(Value::Number(v.clone()));
        v = v.add(&step)?;
    }
    Ok(Value::list(out))
}
