//! Collection functions.
use super::{
    bool_arg, int_arg, list_arg, map_arg, str_arg, str_list_arg, unify, unknown_of, FnResult,
};
use crate::model::Seq;
use crate::model::Value;
use std::collections::BTreeMap;

pub(super) fn call(name: &str, a: Vec<Value>) -> FnResult {
    match name {
        "length" => length(&a[0]),
        "coalesce" => coalesce(a),
        "coalescelist" => {
            for v in &a {
                match v {
                    Value::Null => {}
                    Value::List(Seq { items: l, .. }) | Value::Set(l) if l.is_empty() => {}
                    Value::List(Seq { items: _, .. }) | Value::Set(_) => return Ok(v.clone()),
                    _ => return Err("coalescelist arguments must be lists or tuples".to_string()),
                }
            }
            Err("no non-null arguments".into())
        }
        "concat" => {
            let mut out = Vec::new();
            for v in &a {
                out.extend_from_slice(list_arg(v, "seqs")?);
            }
            Ok(Value::list(out))
        }
        "merge" => {
            let mut out = BTreeMap::new();
            for v in &a {
                match v {
                    Value::Null => {}
                    Value::Map(m) => out.extend(m.clone()),
                    _ => {
                        return Err("arguments must be maps or objects, got \"".to_string()
                            + kind_name(v)
                            + "\"")
                    }
                }
            }
            Ok(Value::map(out))
        }
        "lookup" => {
            let m = map_arg(&a[0], "inputMap")?;
            let k = str_arg(&a[1], "key")?;
            match (m.get(&k), a.get(2)) {
                (Some(v), None) => Ok(v.clone()),
                (Some(v), Some(d)) => {
                    // the result has the type unified with the default
                    if matches!(d, Value::String(_))
                        && matches!(v, Value::Number(_) | Value::Bool(_))
                    {
                        v.to_tf_string().map(Value::String)
                    } else {
                        Ok(v.clone())
                    }
                }
                (None, Some(d)) => Ok(d.clone()),
                (None, None) => Err(format!("lookup failed to find key {k:?}")),
            }
        }
        "element" => {
            let l = list_arg(&a[0], "list")?;
            let i = int_arg(&a[1], "index")?;
            if i < 0 {
                return Err("cannot use element function with a negative index".into());
            }
            if l.is_empty() {
                return Err("cannot use element function with an empty list".into());
            }
            Ok(l[(i as usize) % l.len()].clone())
        }
        "index" => {
            let l = list_arg(&a[0], "list")?;
            l.iter()
                .position(|e| *e == a[1])
                .map(|i| Value::int(i as i64))
                .ok_or_else(|| "item not found".into())
        }
        "contains" => {
            let l = list_arg(&a[0], "list")?;
            Ok(Value::Bool(l.iter().any(|e| *e == a[1])))
        }
        "keys" => {
            let m = map_arg(&a[0], "inputMap")?;
            Ok(Value::List(m.keys().map(Value::string).collect()))
        }
        "values" => {
            let m = map_arg(&a[0], "mapping")?;
            Ok(Value::List(m.values().cloned().collect()))
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
            let l = unify(list_arg(&a[0], "list")?.to_vec())?;
            let mut out: Vec<Value> = Vec::new();
            for v in l {
                if !out.contains(&v) {
                    out.push(v);
                }
            }
            Ok(Value::list(out))
        }
        "flatten" => {
            let mut out = Vec::new();
            flatten(list_arg(&a[0], "list")?, &mut out);
            Ok(Value::list(out))
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
            let mut l = list_arg(&a[0], "list")?.to_vec();
            l.reverse();
            Ok(Value::list(l))
        }
        "alltrue" | "anytrue" => {
            let l = list_arg(&a[0], "list")?;
            let mut bools = Vec::new();
            for v in l {
                if v.is_null() {
                    if name == "alltrue" {
                        return Ok(Value::Bool(false));
                    }
                    continue;
                }
                bools.push(bool_arg(v, "list")?);
            }
            Ok(Value::Bool(if name == "alltrue" {
                bools.iter().all(|b| *b)
            } else {
                bools.iter().any(|b| *b)
            }))
        }
        "chunklist" => {
            let l = list_arg(&a[0], "list")?;
            let size = int_arg(&a[1], "size")?;
            if size < 0 {
                return Err("the size argument must be positive".into());
            }
            if size == 0 {
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
            let vals = list_arg(&a[1], "values")?;
            if keys.len() != vals.len() {
                return Err(format!(
                    "number of keys ({}) does not match number of values ({})",
                    keys.len(),
                    vals.len()
                ));
            }
            Ok(Value::Map(
                keys.into_iter().zip(vals.iter().cloned()).collect(),
            ))
        }
        "slice" => {
            let l = list_arg(&a[0], "list")?;
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
            Ok(Value::list(l[start as usize..end as usize].to_vec()))
        }
        "setunion" | "setintersection" | "setsubtract" => {
            if a.is_empty() {
                return Err("at least one argument is required".into());
            }
            let sets: Vec<Vec<Value>> = a
                .iter()
                .map(|v| list_arg(v, "sets").map(<[Value]>::to_vec))
                .collect::<Result<_, _>>()?;
            let all: Vec<Value> = unify(sets.iter().flatten().cloned().collect())?;
            // split the unified values back into their sets
            let mut it = all.into_iter();
            let sets: Vec<Vec<Value>> = sets
                .iter()
                .map(|s| it.by_ref().take(s.len()).collect())
                .collect();
            let out: Vec<Value> = match name {
                "setunion" => sets.concat(),
                "setintersection" => sets[0]
                    .iter()
                    .filter(|v| sets[1..].iter().all(|s| s.contains(v)))
                    .cloned()
                    .collect(),
                _ => sets[0]
                    .iter()
                    .filter(|v| !sets[1].contains(v))
                    .cloned()
                    .collect(),
            };
            Ok(Value::set(out))
        }
        "setproduct" => {
            if a.len() < 2 {
                return Err("at least two arguments are required".into());
            }
            let all_sets = a.iter().all(|v| matches!(v, Value::Set(_)));
            let lists: Vec<&[Value]> = a
                .iter()
                .map(|v| list_arg(v, "sets"))
                .collect::<Result<_, _>>()?;
            let mut acc: Vec<Vec<Value>> = vec![vec![]];
            for l in lists {
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
            Ok(if all_sets {
                Value::set(rows)
            } else {
                Value::list(rows)
            })
        }
        "matchkeys" => {
            let vals = list_arg(&a[0], "values")?;
            let keys = list_arg(&a[1], "keys")?;
            let search = list_arg(&a[2], "searchset")?;
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

fn kind_name(v: &Value) -> &'static str {
    match v {
        Value::List(_) => "tuple",
        v => v.type_name(),
    }
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

fn coalesce(a: Vec<Value>) -> FnResult {
    let known_prims: Vec<Value> = a.iter().filter(|v| v.is_wholly_known()).cloned().collect();
    let mixed_to_string = unify(known_prims.clone())
        .map(|u| u != known_prims)
        .unwrap_or(false);
    for v in &a {
        match v {
            Value::Unknown(u) => return Ok(Value::Unknown(u.clone())),
            Value::Null => {}
            Value::String(s) if s.is_empty() => {}
            v => {
                if let Some(u) = unknown_of(v) {
                    return Ok(u);
                }
                if mixed_to_string {
                    if let Ok(s) = v.to_tf_string() {
                        return Ok(Value::String(s));
                    }
                }
                return Ok(v.clone());
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
