//! Type conversion functions.
use super::{is_decimal, unify, FnResult};
use crate::model::Seq;
use crate::model::{Number, Value};

pub(super) fn call(name: &str, a: Vec<Value>) -> FnResult {
    let v = a.into_iter().next().unwrap_or(Value::Null);
    if v.is_null() {
        return Ok(Value::Null);
    }
    let bad = |want: &str, v: &Value| {
        Err(format!(
            "Invalid value for \"v\" parameter: cannot convert {} to {want}.",
            type_desc(v)
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
            Value::String(s) => match Number::parse(&s).filter(|_| is_decimal(&s)) {
                Some(n) => Ok(Value::Number(n)),
                None => Err(format!(
                    "Invalid value for \"v\" parameter: cannot convert {s:?} to number; given string must be a decimal representation of a number."
                )),
            },
            v => bad("number", &v),
        },
        "tobool" => match v {
            Value::Bool(_) => Ok(v),
            Value::String(ref s) if s == "true" => Ok(Value::Bool(true)),
            Value::String(ref s) if s == "false" => Ok(Value::Bool(false)),
            Value::String(s) => Err(format!(
                "Invalid value for \"v\" parameter: cannot convert {s:?} to bool; only the strings \"true\" or \"false\" are allowed."
            )),
            v => bad("bool", &v),
        },
        "tolist" => match v {
            Value::List(Seq { items: l, .. }) | Value::Set(l) => unify(l)
                .map(Value::list)
                .map_err(|e| format!("Invalid value for \"v\" parameter: cannot convert to list: {e}.")),
            v => bad("list of any single type", &v),
        },
        "toset" => match v {
            Value::List(Seq { items: l, .. }) | Value::Set(l) => unify(l)
                .map(Value::set)
                .map_err(|e| format!("Invalid value for \"v\" parameter: cannot convert to set: {e}.")),
            v => bad("set of any single type", &v),
        },
        "tomap" => match v {
            Value::Map(m) => {
                let keys: Vec<String> = m.keys().cloned().collect();
                let vals = unify(m.entries.into_values().collect()).map_err(|e| {
                    format!("Invalid value for \"v\" parameter: cannot convert to map: {e}.")
                })?;
                Ok(Value::Map(keys.into_iter().zip(vals).collect()))
            }
            v => bad("map of any single type", &v),
        },
        _ => Err(format!("unknown conversion function {name}")),
    }
}

fn type_desc(v: &Value) -> &'static str {
    match v {
        Value::List(_) => "tuple",
        Value::Map(_) => "object",
        v => v.type_name(),
    }
}
