//! Collection functions.
use super::{bool_arg, int_arg, list_arg, map_arg, str_arg, str_list_arg, unknown_of, FnResult};
use crate::hcl::types::{convert, type_desc, type_of, unify, Type};
use crate::model::{RecordKind, Seq, Value};
use std::collections::BTreeMap;

pub(super) fn call(name: &str, a: Vec<Value>) -> FnResult {
    match name {
        "length" => length(&a[0]),
        "coalesce" => coalesce(a),
        "coalescelist" => {
            // cty checks every argument's type before it picks: a set (no order to pick a
            // first from), a null or a scalar anywhere fails, even after a non-empty list.
            if !a.iter().all(|v| matches!(v, Value::List(_))) {
                return Err("coalescelist arguments must be lists or tuples".to_string());
            }
            a.into_iter()
                .find(|v| matches!(v, Value::List(l) if !l.is_empty()))
                .ok_or_else(|| "no non-null arguments".into())
        }
        "concat" => concat(&a),
        "merge" => merge(&a),
        "lookup" => {
            let m = map_arg(&a[0], "inputMap")?;
            let k = str_arg(&a[1], "key")?;
            // A map's lookup has the map's element type, so the default converts to it (and
            // must be able to); an object's attribute or the default comes back as it is.
            let element_type = match m.kind {
                RecordKind::Map => m.entries.values().next().map(type_of),
                RecordKind::Object => None,
            };
            let default = match (a.get(2), &element_type) {
                (Some(d), Some(t)) => Some(convert(d.clone(), t).map_err(|_| {
                    "Invalid value for \"default\" parameter: the default value must have the same type as the map elements.".to_string()
                })?),
                (d, _) => d.cloned(),
            };
            match (m.get(&k), default) {
                (Some(v), _) => Ok(v.clone()),
                (None, Some(d)) => Ok(d),
                (None, None) => Err(format!("lookup failed to find key {k:?}")),
            }
        }
        "element" => {
            let l = match &a[0] {
                Value::List(l) => l,
                Value::Null => return Err(null_arg("list")),
                v => {
                    return Err(format!(
                        "cannot read elements from {}.",
                        type_desc(&type_of(v))
                    ))
                }
            };
            let i = int_arg(&a[1], "index")?;
            if l.is_empty() {
                return Err("cannot use element function with an empty list".into());
            }
            // Terraform takes Go's remainder, which keeps the index's sign. A list then counts
            // a negative index from its end (element(tolist([1, 2, 3]), -1) is 3); a tuple's
            // type is looked up with the remainder itself, so a multiple of the length is
            // element 0 (element([1, 2], -2) is 1) and any other panics out of range.
            let n = l.len() as i64;
            let r = i % n;
            if r < 0 && l.is_tuple() {
                return Err(format!(
                    "panic in function implementation: runtime error: index out of range [{r}]"
                ));
            }
            Ok(l[r.rem_euclid(n) as usize].clone())
        }
        // Both compare as `==` does: `contains([1], "1")` is false.
        "index" => {
            let l = match &a[0] {
                Value::List(l) => l,
                Value::Null => return Err(null_arg("list")),
                _ => return Err("argument must be a list or tuple".into()),
            };
            if a[1].is_null() {
                return Err(null_arg("value"));
            }
            l.iter()
                .position(|e| e.tf_equal(&a[1]))
                .map(|i| Value::int(i as i64))
                .ok_or_else(|| "item not found".into())
        }
        "contains" => {
            let l = list_arg(&a[0], "list")?;
            if a[1].is_null() {
                return Err(null_arg("value"));
            }
            Ok(Value::Bool(l.iter().any(|e| e.tf_equal(&a[1]))))
        }
        // An object's keys and values are tuples, a map's lists.
        "keys" => {
            let m = map_arg(&a[0], "inputMap")?;
            let keys = m.keys().map(Value::string).collect();
            Ok(seq_of_kind(m.is_object(), keys))
        }
        "values" => {
            let m = map_arg(&a[0], "mapping")?;
            Ok(seq_of_kind(m.is_object(), m.values().cloned().collect()))
        }
        "compact" => {
            let l = list_arg(&a[0], "list")?;
            let mut out = Vec::new();
            for v in l {
                if v.is_null() {
                    continue;
                }
                let s = str_arg(v, "list")?;
                if !s.is_empty() {
                    out.push(Value::String(s));
                }
            }
            Ok(Value::list(out))
        }
        "distinct" => {
            let l = list_param(&a[0], "list")?;
            let mut out: Vec<Value> = Vec::new();
            for v in l {
                if !out.iter().any(|o| o.tf_equal(&v)) {
                    out.push(v);
                }
            }
            Ok(Value::list(out))
        }
        // Always a tuple: the lists inside may hold different types.
        "flatten" => {
            let mut out = Vec::new();
            flatten(list_arg(&a[0], "list")?, &mut out);
            Ok(Value::tuple(out))
        }
        "one" => {
            let l = list_arg(&a[0], "list")?;
            match l.len() {
                0 => Ok(Value::Null),
                1 => Ok(l[0].clone()),
                _ => Err("Invalid value for \"list\" parameter: must be a list, set, or tuple value with either zero or one elements.".into()),
            }
        }
        "sort" => {
            let l = list_arg(&a[0], "list")?;
            if l.iter().any(Value::is_null) {
                return Err(
                    "given list element is null; a null value cannot be used as the sort key"
                        .into(),
                );
            }
            let mut s = str_list_arg(&a[0], "list")?;
            s.sort();
            Ok(Value::List(s.into_iter().map(Value::String).collect()))
        }
        "reverse" => {
            let tuple = matches!(&a[0], Value::List(l) if l.is_tuple());
            let mut l = list_arg(&a[0], "list")?.to_vec();
            l.reverse();
            Ok(seq_of_kind(tuple, l))
        }
        "alltrue" | "anytrue" => {
            // The whole list converts to list(bool) first, so a null does not hide a later
            // element that is not a bool (`alltrue([null, 0])` fails); a null is then false.
            let l = list_arg(&a[0], "list")?;
            let mut bools = Vec::new();
            for v in l {
                bools.push(if v.is_null() {
                    None
                } else {
                    Some(bool_arg(v, "list")?)
                });
            }
            Ok(Value::Bool(if name == "alltrue" {
                bools.iter().all(|b| *b == Some(true))
            } else {
                bools.contains(&Some(true))
            }))
        }
        "chunklist" => {
            let l = list_param(&a[0], "list")?;
            let size = int_arg(&a[1], "size")?;
            if size < 0 {
                return Err("the size argument must be positive".into());
            }
            // Size 0 is one chunk of everything; of an empty list, no chunk at all (cty).
            if size == 0 {
                if l.is_empty() {
                    return Ok(Value::list(vec![]));
                }
                return Ok(Value::list(vec![Value::list(l.to_vec())]));
            }
            Ok(Value::List(
                l.chunks(size as usize)
                    .map(|c| Value::list(c.to_vec()))
                    .collect(),
            ))
        }
        "zipmap" => {
            let keys = str_list_arg(&a[0], "keys")?;
            let vals = match &a[1] {
                Value::List(l) => l,
                Value::Null => return Err(null_arg("values")),
                _ => return Err("values argument must be a list or tuple value".into()),
            };
            if keys.len() != vals.len() {
                return Err(format!(
                    "number of keys ({}) does not match number of values ({})",
                    keys.len(),
                    vals.len()
                ));
            }
            let m = keys.into_iter().zip(vals.iter().cloned()).collect();
            Ok(if vals.is_tuple() {
                Value::object(m)
            } else {
                Value::map(m)
            })
        }
        "slice" => {
            let l = match &a[0] {
                Value::List(l) => l,
                Value::Null => return Err(null_arg("list")),
                _ => return Err("Invalid value for \"list\" parameter: cannot slice a set, because its elements do not have indices; explicitly convert to a list if the ordering of the result is not important.".into()),
            };
            let start = int_arg(&a[1], "start_index")?;
            let end = int_arg(&a[2], "end_index")?;
            if start < 0 {
                return Err(
                    "Invalid value for \"start_index\" parameter: must not be less than zero."
                        .into(),
                );
            }
            if end > l.len() as i64 {
                return Err("Invalid value for \"end_index\" parameter: end index must not be greater than the length of the list.".into());
            }
            if start > end {
                return Err("Invalid value for \"start_index\" parameter: start index must not be greater than end index.".into());
            }
            Ok(seq_of_kind(
                l.is_tuple(),
                l[start as usize..end as usize].to_vec(),
            ))
        }
        "setunion" | "setintersection" | "setsubtract" => {
            if a.is_empty() {
                return Err("at least one argument is required".into());
            }
            let sets = common_sets(&a)?;
            let has = |s: &[Value], v: &Value| s.iter().any(|x| x.tf_equal(v));
            let out: Vec<Value> = match name {
                "setunion" => sets.concat(),
                "setintersection" => sets[0]
                    .iter()
                    .filter(|v| sets[1..].iter().all(|s| has(s, v)))
                    .cloned()
                    .collect(),
                _ => sets[0]
                    .iter()
                    .filter(|v| !has(&sets[1], v))
                    .cloned()
                    .collect(),
            };
            Ok(Value::set(out))
        }
        "setproduct" => {
            if a.len() < 2 {
                return Err("at least two arguments are required".into());
            }
            // One set argument makes the product a set (cty), as unordered as that argument.
            let any_set = a.iter().any(|v| matches!(v, Value::Set(_)));
            // A tuple argument's elements convert to their common type first (cty's unsafe
            // unification): setproduct([1], [0, "a"]) pairs 1 with "0". Kinds that never unify
            // (a number beside a list, a list beside an object) are refused; where only the
            // values' conversion could tell, they are kept as they are.
            let mut lists: Vec<Vec<Value>> = Vec::with_capacity(a.len());
            for v in &a {
                let l = list_arg(v, "sets")?;
                lists.push(match v {
                    Value::List(s) if s.is_tuple() && !l.is_empty() => {
                        let tys: Vec<Type> = l.iter().map(type_of).collect();
                        if kinds_never_unify(&tys) {
                            return Err("Invalid value for \"sets\" parameter: all elements must be of the same type.".into());
                        }
                        match unify(&tys) {
                            Some(t) => l
                                .iter()
                                .map(|e| convert(e.clone(), &t).unwrap_or_else(|_| e.clone()))
                                .collect(),
                            None => l.to_vec(),
                        }
                    }
                    _ => l.to_vec(),
                });
            }
            let mut acc: Vec<Vec<Value>> = vec![vec![]];
            for l in &lists {
                let mut next = Vec::new();
                for prefix in &acc {
                    for e in l {
                        let mut p = prefix.clone();
                        p.push(e.clone());
                        next.push(p);
                    }
                }
                acc = next;
            }
            let rows: Vec<Value> = acc.into_iter().map(Value::tuple).collect();
            Ok(if any_set {
                Value::set(rows)
            } else {
                Value::list(rows)
            })
        }
        "matchkeys" => {
            let vals = list_arg(&a[0], "values")?;
            let keys = list_arg(&a[1], "keys")?;
            let search = list_arg(&a[2], "searchset")?;
            if unify(&[type_of(&a[1]), type_of(&a[2])]).is_none() {
                return Err("keys and searchset must be of the same type".into());
            }
            if vals.len() != keys.len() {
                return Err("length of keys and values should be equal".into());
            }
            Ok(Value::List(
                vals.iter()
                    .zip(keys)
                    .filter(|(_, k)| search.iter().any(|s| loose_eq(s, k)))
                    .map(|(v, _)| v.clone())
                    .collect(),
            ))
        }
        "transpose" => {
            let m = map_arg(&a[0], "values")?;
            let mut out: BTreeMap<String, Vec<Value>> = BTreeMap::new();
            for (k, v) in m {
                for e in str_list_arg(v, "values")? {
                    out.entry(e).or_default().push(Value::string(k.as_str()));
                }
            }
            Ok(Value::Map(
                out.into_iter().map(|(k, v)| (k, Value::list(v))).collect(),
            ))
        }
        _ => Err(format!("unknown function {name}")),
    }
}

fn null_arg(param: &str) -> String {
    format!("Invalid value for \"{param}\" parameter: argument must not be null.")
}

/// A tuple or a list of `items`, as the function's input was.
fn seq_of_kind(tuple: bool, items: Vec<Value>) -> Value {
    if tuple {
        Value::tuple(items)
    } else {
        Value::list(items)
    }
}

/// The elements of a `list(any)` parameter: a tuple or set converted to a list, its elements
/// to their common type (`distinct([1, "a"])` is `["1", "a"]`).
fn list_param(v: &Value, param: &str) -> Result<Vec<Value>, String> {
    let required =
        || format!("Invalid value for \"{param}\" parameter: list of any single type required.");
    match v {
        Value::Null => Err(null_arg(param)),
        Value::List(_) | Value::Set(_) => {
            match convert(v.clone(), &Type::List(Box::new(Type::Any))) {
                Ok(Value::List(l)) => Ok(l.items),
                _ => Err(required()),
            }
        }
        _ => Err(required()),
    }
}

/// The `set(any)` arguments of setunion and friends, converted to one set type.
/// Whether `tys` mix kinds cty never unifies: a primitive beside a structure or collection,
/// or a sequence (tuple, list, set) beside a record (object, map). With a null among them cty
/// falls back to `any`, which only a tuple beside an object cannot reach.
fn kinds_never_unify(tys: &[Type]) -> bool {
    if tys.contains(&Type::Any) {
        return tys.iter().any(|t| matches!(t, Type::Tuple(_)))
            && tys.iter().any(|t| matches!(t, Type::Object(_)));
    }
    let kind = |t: &Type| match t {
        Type::Any => None,
        Type::String | Type::Number | Type::Bool => Some(0),
        Type::Tuple(_) | Type::List(_) | Type::Set(_) => Some(1),
        Type::Object(_) | Type::Map(_) => Some(2),
    };
    let mut seen = tys.iter().filter_map(kind);
    let first = seen.next();
    seen.any(|k| Some(k) != first)
}

fn common_sets(a: &[Value]) -> Result<Vec<Vec<Value>>, String> {
    let want = Type::Set(Box::new(Type::Any));
    let sets: Vec<Value> = a
        .iter()
        .map(|v| match v {
            Value::Null => Err(null_arg("sets")),
            Value::List(_) | Value::Set(_) => convert(v.clone(), &want).map_err(|_| {
                "Invalid value for \"sets\" parameter: set of any single type required.".into()
            }),
            _ => {
                Err("Invalid value for \"sets\" parameter: set of any single type required.".into())
            }
        })
        .collect::<Result<_, String>>()?;
    let tys: Vec<Type> = sets.iter().map(type_of).collect();
    let t = unify(&tys).ok_or("given sets must all have compatible element types")?;
    sets.into_iter()
        .map(|s| match convert(s, &t)? {
            Value::Set(items) => Ok(items),
            _ => Ok(Vec::new()),
        })
        .collect()
}

/// cty `concat`: lists of one common element type make a list of it; anything else a tuple
/// of all the elements as they are (`concat([1], ["a"])` keeps the number).
fn concat(a: &[Value]) -> FnResult {
    if a.is_empty() {
        return Err("at least one argument is required".into());
    }
    if a.iter().any(Value::is_null) {
        return Err(null_arg("seqs"));
    }
    let mut out = Vec::new();
    if a.iter()
        .all(|v| matches!(v, Value::List(l) if !l.is_tuple()))
    {
        let tys: Vec<Type> = a.iter().map(type_of).collect();
        if let Some(t @ Type::List(_)) = unify(&tys) {
            for v in a {
                if let Value::List(l) = convert(v.clone(), &t)? {
                    out.extend(l.items);
                }
            }
            return Ok(Value::list(out));
        }
    }
    for v in a {
        match v {
            Value::List(l) => out.extend(l.iter().cloned()),
            v => {
                return Err(format!(
                    "Invalid value for \"seqs\" parameter: all arguments must be lists or tuples; got {}.",
                    type_desc(&type_of(v))
                ))
            }
        }
    }
    Ok(Value::tuple(out))
}

/// cty `merge`: a map when every argument is a map of the same type, an object otherwise
/// (nulls are skipped but, having no type, make it an object too). An untyped null makes the
/// result type unknowable, so cty checks no argument after it and only iterates them: an
/// empty list, tuple or set there adds nothing (`merge(null, [])` is `{}`).
fn merge(a: &[Value]) -> FnResult {
    let mut out = BTreeMap::new();
    let mut after_null = false;
    for v in a {
        match v {
            Value::Null => after_null = true,
            Value::Map(m) => out.extend(m.entries.clone()),
            Value::List(Seq { items: l, .. }) | Value::Set(l) if after_null && l.is_empty() => {}
            _ => {
                return Err(format!(
                    "arguments must be maps or objects, got \"{}\"",
                    type_desc(&type_of(v))
                ))
            }
        }
    }
    let first = a.first().map(type_of);
    let one_map_type =
        matches!(first, Some(Type::Map(_))) && a.iter().all(|v| Some(type_of(v)) == first);
    Ok(if one_map_type {
        Value::map(out)
    } else {
        Value::object(out)
    })
}

fn length(v: &Value) -> FnResult {
    match v {
        Value::Unknown(u) => Ok(Value::Unknown(u.clone())),
        Value::List(Seq { items: l, .. }) | Value::Set(l) => {
            // a set's length is unknown while its elements are (they may collapse)
            if matches!(v, Value::Set(_)) {
                if let Some(u) = unknown_of(v) {
                    return Ok(u);
                }
            }
            Ok(Value::int(l.len() as i64))
        }
        Value::Map(m) => Ok(Value::int(m.len() as i64)),
        Value::String(s) => Ok(Value::int(
            unicode_segmentation::UnicodeSegmentation::graphemes(s.as_str(), true).count() as i64,
        )),
        Value::Null => {
            Err("Invalid value for \"value\" parameter: argument must not be null.".into())
        }
        _ => Err(
            "Invalid value for \"value\" parameter: collection must be a list, a map or a tuple."
                .into(),
        ),
    }
}

/// Terraform's `coalesce`: the arguments are first converted to their common type
/// (`coalesce(1, "a")` is "1", `coalesce(1, true)` fails), then the first that is not null
/// (nor "", for strings) is the result.
///
/// Terraform ignores a failed conversion, and the nil value it leaves is skipped as a null
/// (`coalesce([""], toset([0]))` is `[0]`); "" is skipped only when the common type is string
/// (`coalesce(null, "", [])` unifies to any and is "").
fn coalesce(a: Vec<Value>) -> FnResult {
    let tys: Vec<Type> = a.iter().map(type_of).collect();
    let t = unify(&tys).ok_or("all arguments must have the same type")?;
    for v in a {
        match v {
            Value::Unknown(u) => return Ok(Value::Unknown(u)),
            Value::Null => {}
            v => {
                if let Some(u) = unknown_of(&v) {
                    return Ok(u);
                }
                let Ok(v) = convert(v, &t) else {
                    continue;
                };
                if !(t == Type::String && matches!(&v, Value::String(s) if s.is_empty())) {
                    return Ok(v);
                }
            }
        }
    }
    Err("no non-null, non-empty-string arguments".into())
}

fn flatten(l: &[Value], out: &mut Vec<Value>) {
    for v in l {
        match v {
            Value::List(Seq { items: inner, .. }) | Value::Set(inner) => flatten(inner, out),
            v => out.push(v.clone()),
        }
    }
}

/// Equality after Terraform's conversion between primitive types.
fn loose_eq(a: &Value, b: &Value) -> bool {
    if a == b {
        return true;
    }
    match (a, b) {
        (Value::String(_), Value::Number(_) | Value::Bool(_))
        | (Value::Number(_) | Value::Bool(_), Value::String(_)) => {
            a.to_tf_string().ok() == b.to_tf_string().ok()
        }
        _ => false,
    }
}
