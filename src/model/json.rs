//! JSON to [`Value`]: the one conversion JSON sources use (`.tfvars.json`, state, plan, JSON
//! held in attributes). `jsondecode` keeps its own parser, which follows Go's decoding rules.
use super::{Number, Value};

/// Objects become `Map`, arrays `List`, null `Null`. Numbers keep their exact value: serde_json
/// is built with `arbitrary_precision`, so a number's text is the text of the document and
/// `Number::parse` reads it at Terraform's precision (`12345678901234567890123` stays whole).
pub fn from_json(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => {
            let text = n.to_string();
            // Every JSON number is a valid Terraform number literal; the fallback only keeps
            // the text should that ever not hold.
            Number::parse(&text)
                .map(Value::Number)
                .unwrap_or(Value::String(text))
        }
        serde_json::Value::String(s) => Value::String(s.clone()),
        serde_json::Value::Array(a) => Value::List(a.iter().map(from_json).collect()),
        serde_json::Value::Object(m) => {
            Value::Map(m.iter().map(|(k, v)| (k.clone(), from_json(v))).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conv(text: &str) -> Value {
        from_json(&serde_json::from_str(text).unwrap())
    }

    #[test]
    fn numbers_are_exact() {
        let big = conv("12345678901234567890123");
        assert_eq!(big.as_number().unwrap().format(), "12345678901234567890123");
        let frac = conv("0.1000000000000000000000000001");
        assert_eq!(
            frac.as_number().unwrap().format(),
            "0.1000000000000000000000000001"
        );
        assert_eq!(conv("-12.50").as_number().unwrap().format(), "-12.5");
        assert_eq!(conv("1E3").as_number().unwrap().format(), "1000");
        assert_eq!(
            conv("18446744073709551617").as_number().unwrap().format(),
            "18446744073709551617"
        );
    }

    #[test]
    fn shapes() {
        let v = conv(r#"{"b": [1, "x", null, true], "a": {}}"#);
        let m = v.as_map().unwrap();
        assert_eq!(m.keys().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(m["a"], Value::Map(Default::default()));
        assert_eq!(
            m["b"],
            Value::list(vec![
                Value::int(1),
                Value::string("x"),
                Value::Null,
                Value::Bool(true)
            ])
        );
    }
}
