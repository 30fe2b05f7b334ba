//! Variable type constraints and Terraform's conversion of values to them.
use crate::model::{Seq, Value};
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
    Object(Attrs),
    Tuple(Vec<Type>),
}

/// An object type's attributes: each one's type and, for `optional(T, default)`, the default.
pub type Attrs = BTreeMap<String, (Type, Option<Option<Value>>)>;

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

/// Converts `v` to type `t` as Terraform does (cty's unsafe conversion: variable values,
/// `tolist`/`tomap`/`toset`, the result of a conditional). `Any` where an element type is
/// wanted (`list(any)`, `tolist`) means the elements' common type (see [`unify`]).
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
            Value::String(s) => crate::model::Number::parse_strict(&s)
                .map(Value::Number)
                .ok_or_else(|| format!("a number is required, got {s:?}")),
            other => Err(format!("number required, got {}", other.type_name())),
        },
        Type::Bool => match v {
            Value::Bool(_) => Ok(v),
            // cty's string-to-bool conversion takes "1" and "0" too.
            Value::String(s) if matches!(s.as_str(), "true" | "false" | "1" | "0") => {
                Ok(Value::Bool(s == "true" || s == "1"))
            }
            Value::String(s) => Err(format!("a bool is required, got {s:?}")),
            other => Err(format!("bool required, got {}", other.type_name())),
        },
        Type::List(et) | Type::Set(et) => {
            let want = if matches!(t, Type::Set(_)) {
                "set"
            } else {
                "list"
            };
            let et = match (&**et, &v) {
                // A tuple's elements must first agree on one type.
                (Type::Any, Value::List(l)) if l.is_tuple() => {
                    let tys: Vec<Type> = l.iter().map(type_of).collect();
                    single_type(&tys).ok_or_else(|| {
                        format!("cannot convert tuple to {want} of any single type")
                    })?
                }
                (et, _) => et.clone(),
            };
            let items = match v {
                Value::List(Seq { items, .. }) | Value::Set(items) => items,
                other => {
                    return Err(format!(
                        "{want} of {} required, got {}",
                        type_label(&et),
                        other.type_name()
                    ))
                }
            };
            let mut out = Vec::with_capacity(items.len());
            for (i, it) in items.into_iter().enumerate() {
                out.push(convert(it, &et).map_err(|m| format!("element {i}: {m}"))?);
            }
            Ok(if matches!(t, Type::Set(_)) {
                Value::set(out)
            } else {
                Value::list(out)
            })
        }
        Type::Map(et) => match v {
            Value::Map(m) => {
                let et = match &**et {
                    Type::Any if m.is_object() => {
                        // Unlike a list, a map may end with element type `any` (cty checks
                        // only tuples for that): `tomap({a = [1], b = null})` is fine.
                        // But where nulls leave it `any`, what the other values show must
                        // be one type: `tomap({a = null, b = 0, c = []})` fails.
                        let tys: Vec<Type> = m.values().map(type_of).collect();
                        let mut seen = tys.iter().filter(|t| **t != Type::Any);
                        let first = seen.next();
                        match unify(&tys) {
                            Some(Type::Any) if first.is_some_and(|f| seen.any(|t| t != f)) => None,
                            t => t,
                        }
                        .ok_or("cannot convert object to map of any single type")?
                    }
                    et => et.clone(),
                };
                let mut out = BTreeMap::new();
                for (k, x) in m {
                    let c = convert(x, &et).map_err(|e| format!("element {k:?}: {e}"))?;
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
                Ok(Value::object(out))
            }
            other => Err(format!("object required, got {}", other.type_name())),
        },
        Type::Tuple(ts) => match v {
            Value::List(items) if items.len() == ts.len() => {
                let mut out = Vec::new();
                for (i, (it, et)) in items.into_iter().zip(ts).enumerate() {
                    out.push(convert(it, et).map_err(|m| format!("element {i}: {m}"))?);
                }
                Ok(Value::tuple(out))
            }
            other => Err(format!(
                "tuple of {} elements required, got {}",
                ts.len(),
                other.type_name()
            )),
        },
    }
}

/// The element type a list, set or map built from values of types `tys` gets (cty's
/// conversion of a tuple or object to a collection of `any`): their unification, which must
/// not stay `any` unless every value's type is unknown (`tolist([[1], null])` fails).
pub fn single_type(tys: &[Type]) -> Option<Type> {
    let t = unify(tys)?;
    if t == Type::Any && tys.iter().any(|t| *t != Type::Any) {
        return None;
    }
    Some(t)
}

/// The type of a value, as far as the value shows it: null and unknown values have no type
/// here (cty's typed nulls and unknowns are not kept), and a collection's element type is what
/// its elements show (`any` when empty).
pub fn type_of(v: &Value) -> Type {
    match v {
        Value::Null | Value::Unknown(_) => Type::Any,
        Value::Bool(_) => Type::Bool,
        Value::Number(_) => Type::Number,
        Value::String(_) => Type::String,
        Value::List(l) if l.is_tuple() => Type::Tuple(l.iter().map(type_of).collect()),
        Value::List(l) => Type::List(Box::new(element_type(l.iter()))),
        Value::Set(l) => Type::Set(Box::new(element_type(l.iter()))),
        Value::Map(m) if m.is_object() => Type::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), (type_of(v), None)))
                .collect(),
        ),
        Value::Map(m) => Type::Map(Box::new(element_type(m.values()))),
        Value::Sensitive(v) => type_of(v),
    }
}

fn element_type<'a>(items: impl Iterator<Item = &'a Value>) -> Type {
    items.map(type_of).fold(Type::Any, refine)
}

/// Two types seen on elements of one collection, which cty knows to be one type: the more
/// specific (a null element shows `any`, its neighbour may show what it is).
fn refine(a: Type, b: Type) -> Type {
    match (a, b) {
        (Type::Any, b) => b,
        (Type::List(x), Type::List(y)) => Type::List(Box::new(refine(*x, *y))),
        (Type::Set(x), Type::Set(y)) => Type::Set(Box::new(refine(*x, *y))),
        (Type::Map(x), Type::Map(y)) => Type::Map(Box::new(refine(*x, *y))),
        (Type::Tuple(x), Type::Tuple(y)) if x.len() == y.len() => {
            Type::Tuple(x.into_iter().zip(y).map(|(p, q)| refine(p, q)).collect())
        }
        (Type::Object(x), Type::Object(mut y)) if x.keys().eq(y.keys()) => Type::Object(
            x.into_iter()
                .map(|(k, (t, o))| {
                    let u = y.remove(&k).map(|p| p.0).unwrap_or(Type::Any);
                    (k, (refine(t, u), o))
                })
                .collect(),
        ),
        (a, _) => a,
    }
}

/// cty's type unification (`convert.UnifyUnsafe`): the type all of `tys` convert to, or None
/// when they have none (number and bool, tuple and object, tuples of different element types
/// that cannot make one list...).
pub fn unify(tys: &[Type]) -> Option<Type> {
    if tys.is_empty() {
        return Some(Type::Any);
    }
    let count = |f: fn(&Type) -> bool| tys.iter().filter(|t| f(t)).count();
    let maps = count(|t| matches!(t, Type::Map(_)));
    let lists = count(|t| matches!(t, Type::List(_)));
    let sets = count(|t| matches!(t, Type::Set(_)));
    let objects = count(|t| matches!(t, Type::Object(_)));
    let tuples = count(|t| matches!(t, Type::Tuple(_)));
    let dynamic = count(|t| matches!(t, Type::Any));
    let n = tys.len();
    // Same structural kind: a new type built from the parts, tried before the general
    // preference order (cty does the same, in this order).
    if maps > 0 && maps + dynamic == n {
        return unify_collections(tys, dynamic > 0, |t| Type::Map(Box::new(t)));
    }
    if maps > 0 && maps + objects + dynamic == n {
        if let Some(t) = unify_as_collection(tys, |t| Type::Map(Box::new(t))) {
            return Some(t);
        }
    } else if lists > 0 && lists + dynamic == n {
        return unify_collections(tys, dynamic > 0, |t| Type::List(Box::new(t)));
    } else if lists > 0 && lists + tuples + dynamic == n {
        if let Some(t) = unify_as_collection(tys, |t| Type::List(Box::new(t))) {
            return Some(t);
        }
    } else if sets > 0 && sets + dynamic == n {
        return unify_collections(tys, dynamic > 0, |t| Type::Set(Box::new(t)));
    } else if objects > 0 && objects + dynamic == n {
        return unify_objects(tys, dynamic > 0);
    } else if tuples > 0 && tuples + dynamic == n {
        return unify_tuples(tys, dynamic > 0);
    } else if objects > 0 && tuples > 0 {
        return None;
    }
    // The first type, in order of preference, that every other converts to.
    let mut order: Vec<&Type> = tys.iter().collect();
    order.sort_by_key(|t| preference(t));
    order
        .into_iter()
        .find(|want| tys.iter().all(|t| convertible(t, want)))
        .cloned()
}

/// Lower is preferred as a unification result: the more general type first (string holds
/// any primitive, a list or map any tuple or object), `any` last.
fn preference(t: &Type) -> u8 {
    match t {
        Type::String | Type::List(_) | Type::Map(_) => 0,
        Type::Set(_) => 1,
        Type::Any => 3,
        _ => 2,
    }
}

fn unify_collections(tys: &[Type], dynamic: bool, make: fn(Type) -> Type) -> Option<Type> {
    if dynamic {
        return Some(Type::Any);
    }
    let elems: Vec<Type> = tys
        .iter()
        .map(|t| match t {
            Type::List(e) | Type::Set(e) | Type::Map(e) => (**e).clone(),
            _ => Type::Any,
        })
        .collect();
    unify(&elems).map(make)
}

/// Maps with objects (lists with tuples), or objects (tuples) that are not one type: the
/// objects' attribute types (the tuples' element types) unify to one collection type by
/// themselves, which then unifies with the collections given (cty's `unifyObjectsAsMaps`).
/// So `{x = true, (0) = 0}`, which cannot be a map, stays an object beside `tomap({})`.
fn unify_as_collection(tys: &[Type], make: fn(Type) -> Type) -> Option<Type> {
    let structural = |t: &Type| matches!(t, Type::Tuple(_) | Type::Object(_));
    let mut parts = Vec::new();
    for t in tys {
        match t {
            Type::Tuple(ts) => parts.extend(ts.iter().cloned()),
            Type::Object(attrs) => parts.extend(attrs.values().map(|(t, _)| t.clone())),
            _ => {}
        }
    }
    // No element type at all (only empty structures) unifies to nothing, as in cty.
    if parts.is_empty() {
        return None;
    }
    // A null beside an empty tuple (`[{a = null, b = []}, {}]`) has no one element type: cty
    // refuses it, though nulls alone make a collection of anything.
    // Only an empty structure beside the null is refused: `coalesce([0], [null, true])` is
    // `[0]` in Terraform, the null's any taking the number and the bool.
    let empty = |p: &Type| match p {
        Type::Tuple(ts) => ts.is_empty(),
        Type::Object(a) => a.is_empty(),
        _ => false,
    };
    let collection = match unify(&parts)? {
        Type::Any if parts.iter().any(empty) => return None,
        t => make(t),
    };
    let mut all: Vec<Type> = tys.iter().filter(|t| !structural(t)).cloned().collect();
    if all.is_empty() {
        return Some(collection);
    }
    all.push(collection);
    let kind = std::mem::discriminant(&make(Type::Any));
    unify(&all).filter(|t| std::mem::discriminant(t) == kind)
}

fn unify_objects(tys: &[Type], dynamic: bool) -> Option<Type> {
    if dynamic {
        return Some(Type::Any);
    }
    let attrs: Vec<&Attrs> = tys
        .iter()
        .filter_map(|t| match t {
            Type::Object(a) => Some(a),
            _ => None,
        })
        .collect();
    if attrs.iter().any(|a| !a.keys().eq(attrs[0].keys())) {
        // Different attribute names: no object type in common, perhaps a map.
        return unify_as_collection(tys, |t| Type::Map(Box::new(t)));
    }
    let mut out = BTreeMap::new();
    for name in attrs[0].keys() {
        let across: Vec<Type> = attrs.iter().map(|a| a[name].0.clone()).collect();
        out.insert(name.clone(), (unify(&across)?, None));
    }
    Some(Type::Object(out))
}

fn unify_tuples(tys: &[Type], dynamic: bool) -> Option<Type> {
    if dynamic {
        return Some(Type::Any);
    }
    let elems: Vec<&Vec<Type>> = tys
        .iter()
        .filter_map(|t| match t {
            Type::Tuple(e) => Some(e),
            _ => None,
        })
        .collect();
    if elems.iter().any(|e| e.len() != elems[0].len()) {
        return unify_as_collection(tys, |t| Type::List(Box::new(t)));
    }
    (0..elems[0].len())
        .map(|i| unify(&elems.iter().map(|e| e[i].clone()).collect::<Vec<_>>()))
        .collect::<Option<Vec<Type>>>()
        .map(Type::Tuple)
}

/// Whether a value of type `from` may convert to `to` (cty's unsafe conversions: a string
/// may become a number or bool, an object drops attributes it has extra; a list never
/// becomes a tuple, so `true ? [true, 0] : tolist([])` has no common type).
pub fn convertible(from: &Type, to: &Type) -> bool {
    use Type as T;
    match (from, to) {
        (_, T::Any) | (T::Any, _) => true,
        (a, b) if a == b => true,
        (T::Number | T::Bool, T::String) | (T::String, T::Number | T::Bool) => true,
        (T::List(e) | T::Set(e), T::List(w) | T::Set(w)) => convertible(e, w),
        (T::Tuple(ts), T::List(w) | T::Set(w)) => match &**w {
            T::Any => ts.is_empty() || single_type(ts).is_some(),
            w => ts.iter().all(|t| convertible(t, w)),
        },
        (T::Map(e), T::Map(w)) => convertible(e, w),
        (T::Object(a), T::Map(w)) => match &**w {
            T::Any => {
                let ts: Vec<Type> = a.values().map(|(t, _)| t.clone()).collect();
                unify(&ts).is_some()
            }
            w => a.values().all(|(t, _)| convertible(t, w)),
        },
        (T::Object(have), T::Object(want)) => want.iter().all(|(k, (w, opt))| match have.get(k) {
            Some((h, _)) => convertible(h, w),
            None => opt.is_some(),
        }),
        (T::Map(e), T::Object(want)) => want.values().all(|(w, _)| convertible(e, w)),
        (T::Tuple(h), T::Tuple(w)) => {
            h.len() == w.len() && h.iter().zip(w).all(|(a, b)| convertible(a, b))
        }
        _ => false,
    }
}

/// cty's friendly name for a type, for messages (`list of number`, `tuple`, `object`).
pub fn type_desc(t: &Type) -> String {
    match t {
        Type::Any => "dynamic".into(),
        Type::List(e) => format!("list of {}", type_desc(e)),
        Type::Set(e) => format!("set of {}", type_desc(e)),
        Type::Map(e) => format!("map of {}", type_desc(e)),
        t => type_label(t).into(),
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
