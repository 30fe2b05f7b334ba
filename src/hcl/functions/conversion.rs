//! Type conversion functions.
use super::{is_decimal, FnResult};
use crate::hcl::types::{self, Type};
use crate::model::{Number, Value};

pub(super) fn call(name: &str, a: Vec<Value>) -> FnResult {
    let v = a.into_iter().next().unwrap_or(Value::Null);
    // A null converts to a null of the wanted type, which prints as `null` (`tostring(null)`).
    if v.is_null() {
        return Ok(Value::Null);
    }
    let bad = |want: &str, v: &Value| {
        Err(format!(
            "Invalid value for \"v\" parameter: cannot convert {} to {want}.",
            types::type_desc(&types::type_of(v))
        ))
    };
    match name {
        "tostring" => match v {
            Value::String(_) => Ok(v),
            Value::Number(n) => Ok(Value::String(n.to_text()?)),
            Value::Bool(b) => Ok(Value::String(b.to_string())),
            v => bad("string", &v),
        },
        "tonumber" => match v {
            Value::Number(_) => Ok(v),
            // `tonumber("-inf")` is `-Inf`: cty parses with Go's big.ParseFloat.
            Value::String(s) => match Number::parse_strict(&s).filter(|n| n.is_infinite() || is_decimal(&s)) {
                Some(n) => Ok(Value::Number(n)),
                None => Err(format!(
                    "Invalid value for \"v\" parameter: cannot convert {s:?} to number; given string must be a decimal representation of a number."
                )),
            },
            v => bad("number", &v),
        },
        "tobool" => match v {
            Value::Bool(_) => Ok(v),
            // cty's string-to-bool conversion takes "1" and "0" too.
            Value::String(ref s) if s == "true" || s == "1" => Ok(Value::Bool(true)),
            Value::String(ref s) if s == "false" || s == "0" => Ok(Value::Bool(false)),
            Value::String(s) => Err(format!(
                "Invalid value for \"v\" parameter: cannot convert {s:?} to bool; only the strings \"true\" or \"false\" are allowed."
            )),
            v => bad("bool", &v),
        },
        "tolist" | "toset" | "tomap" => {
            let (want, label) = match name {
                "tolist" => (Type::List(Box::new(Type::Any)), "list"),
                "toset" => (Type::Set(Box::new(Type::Any)), "set"),
                _ => (Type::Map(Box::new(Type::Any)), "map"),
            };
            if !types::convertible(&types::type_of(&v), &want) {
                return bad(&format!("{label} of any single type"), &v);
            }
            types::convert(v, &want).map_err(|e| format!("Invalid value for \"v\" parameter: {e}."))
        }
        _ => Err(format!("unknown conversion function {name}")),
    }
}
