//! Variable type constraints and Terraform's conversion of values to them.
use crate::model::Seq;
use crate::model::Value;
use hcl_edit::expr::{Expression, ObjectKey};
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq)]
pub enum Type {
    Any,
    String,
    Number,
    Bool,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    /// Attributes with their type and, for `optional(T, default)`, whether optional and the
    /// default.
    Object(BTreeMap<String, (Type, Option<Option<Value>>)>),
    Tuple(Vec<Type>),
}

impl Type {
    pub fn is_primitive(&self) -> bool {
        matches!(self, Type::String | Type::Number | Type::Bool)
    }
}

/// Parses a `type = ...` constraint expression.
pub fn parse_type(expr: &Expression) -> Result<Type, String> {
    match expr {
        Expression::Variable(v) => match v.as_str() {
            "any" => Ok(Type::Any),
            "string" => Ok(Type::String),
            "number" => Ok(Type::Number),
            "bool" => Ok(Type::Bool),
            "list" => Ok(Type::List(Box::new(Type::Any))),
            "map" => Ok(Type::Map(Box::new(Type::Any))),
            "set" => Ok(Type::Set(Box::new(Type::Any))),
            other => Err(format!("{other:?} is not a valid type")),
        },
        Expression::Parenthesis(p) => parse_type(p.inner()),
        Expression::FuncCall(f) => {
            let args: Vec<&Expression> = f.args.iter().collect();
            let one = |args: &[&Expression]| -> Result<Type, String> {
                match args {
                    [a] => parse_type(a),
                    _ => Err(format!(
                        "{} takes exactly one type argument",
                        f.name.name.as_str()
                    )),
                }
            };
            match f.name.name.as_str() {
                "list" => Ok(Type::List(Box::new(one(&args)?))),
                "set" => Ok(Type::Set(Box::new(one(&args)?))),
                "map" => Ok(Type::Map(Box::new(one(&args)?))),
                "tuple" => match args.as_slice() {
                    [Expression::Array(a)] => Ok(Type::Tuple(
                        a.iter().map(parse_type).collect::<Result<_, _>>()?,
                    )),
                    _ => Err("tuple takes a list of types".into()),
                },
                "object" => match args.as_slice() {
                    [Expression::Object(o)] => {
                        let mut attrs = BTreeMap::new();
                        for (k, v) in o.iter() {
                            let name = match k {
                                ObjectKey::Ident(i) => i.as_str().to_string(),
                                ObjectKey::Expression(Expression::String(s)) => s.value().clone(),
                                ObjectKey::Expression(Expression::Variable(i)) => {
                                    i.as_str().to_string()
                                }
                                _ => {
                                    return Err("object attribute names must be identifiers".into())
                                }
                            };
                            attrs.insert(name, parse_attr_type(v.expr())?);
                        }
                        Ok(Type::Object(attrs))
                    }
                    _ => Err("object takes an object of attribute types".into()),
                },
                other => Err(format!("{other:?} is not a valid type constructor")),
            }
        }
        _ => Err("invalid type constraint".into()),
    }
}

fn parse_attr_type(expr: &Expression) -> Result<(Type, Option<Option<Value>>), String> {
    if let Expression::FuncCall(f) = expr {
        if f.name.name.as_str() == "optional" {
            let args: Vec<&Expression> = f.args.iter().collect();
            return match args.as_slice() {
                [t] => Ok((parse_type(t)?, Some(None))),
                [t, d] => {
                    let dv = crate::hcl::eval::eval_standalone_expr(d)
                        .map_err(|m| format!("invalid optional default: {m}"))?;
                    Ok((parse_type(t)?, Some(Some(dv))))
                }
                _ => Err("optional takes a type and an optional default".into()),
            };
        }
    }
    Ok((parse_type(expr)?, None))
}

/// Converts `v` to type `t` as Terraform does for variable values.
pub fn convert(v: Value, t: &Type) -> Result<Value, String> {
    let (v, sens) = v.unmark();
    let out = convert_bare(v, t)?;
    Ok(out.mark_if(sens))
}

fn convert_bare(v: Value, t: &Type) -> Result<Value, String> {
    if let Value::Unknown(_) = v {
        return Ok(v);
    }
    if v.is_null() {
        return Ok(Value::Null);
    }
    match t {
        Type::Any => Ok(v),
        Type::String => match v {
            Value::String(_) | Value::Number(_) | Value::Bool(_) => {
                Ok(Value::String(v.to_tf_string()?))
            }
            other => Err(format!("string required, got {}", other.type_name())),
        },
        Type::Number => match v {
            Value::Number(_) => Ok(v),
            Value::String(s) => crate::model::Number::parse(&s)
                .map(Value::Number)
                .ok_or_else(|| format!("a number is required, got {s:?}")),
            other => Err(format!("number required, got {}", other.type_name())),
        },
        Type::Bool => match v {
            Value::Bool(_) => Ok(v),
            Value::String(s) if s == "true" || s == "false" => Ok(Value::Bool(s == "true")),
            Value::String(s) => Err(format!("a bool is required, got {s:?}")),
            other => Err(format!("bool required, got {}", other.type_name())),
        },
        Type::List(et) | Type::Set(et) => {
            let items = match v {
                Value::List(Seq { items, .. }) | Value::Set(items) => items,
                other => {
                    return Err(format!(
                        "list of {} required, got {}",
                        type_label(et),
                        other.type_name()
                    ))
                }
            };
            let mut out = Vec::with_capacity(items.len());
            for (i, it) in items.into_iter().enumerate() {
                out.push(convert(it, et).map_err(|m| format!("element {i}: {m}"))?);
            }
            Ok(if matches!(t, Type::Set(_)) {
                Value::set(out)
            } else {
                Value::list(out)
            })
        }
        Type::Map(et) => match v {
            Value::Map(m) => {
                let mut out = BTreeMap::new();
                for (k, x) in m {
                    let c = convert(x, et).map_err(|e| format!("element {k:?}: {e}"))?;
                    out.insert(k, c);
                }
                Ok(Value::map(out))
            }
            other => Err(format!(
                "map of {} required, got {}",
                type_label(et),
                other.type_name()
            )),
        },
        Type::Object(attrs) => match v {
            Value::Map(mut m) => {
                let mut out = BTreeMap::new();
                for (name, (at, opt)) in attrs {
                    match m.remove(name) {
                        Some(x) if !x.is_null() => {
                            out.insert(
                                name.clone(),
                                convert(x, at).map_err(|e| format!("attribute {name:?}: {e}"))?,
                            );
                        }
                        other => match opt {
                            Some(Some(default)) => {
                                out.insert(name.clone(), convert(default.clone(), at)?);
                            }
                            Some(None) => {
                                out.insert(name.clone(), Value::Null);
                            }
                            None if other.is_some() => {
                                out.insert(name.clone(), Value::Null);
                            }
                            None => return Err(format!("attribute {name:?} is required")),
                        },
                    }
                }
                Ok(Value::map(out))
            }
            other => Err(format!("object required, got {}", other.type_name())),
        },
        Type::Tuple(ts) => match v {
            Value::List(items) if items.len() == ts.len() => {
                let mut out = Vec::new();
                for (i, (it, et)) in items.into_iter().zip(ts).enumerate() {
                    out.push(convert(it, et).map_err(|m| format!("element {i}: {m}"))?);
                }
                Ok(Value::list(out))
            }
            other => Err(format!(
                "tuple of {} elements required, got {}",
                ts.len(),
                other.type_name()
            )),
        },
    }
}

fn type_label(t: &Type) -> &'static str {
    match t {
        Type::Any => "any",
        Type::String => "string",
        Type::Number => "number",
        Type::Bool => "bool",
        Type::List(_) => "list",
        Type::Set(_) => "set",
        Type::Map(_) => "map",
        Type::Object(_) => "object",
        Type::Tuple(_) => "tuple",
    }
}
