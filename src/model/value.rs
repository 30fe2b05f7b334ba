//! The value every layer shares: what configuration evaluates to, what state holds, what live
//! AWS reports. Unknown and Sensitive are states of their own (STYLE.md §5).
use super::number::Number;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// Why a value is not known before apply (or at all, offline).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Cause {
    /// `var.NAME` has no default and no value was given.
    Variable(String),
    /// An attribute of a managed resource, data source or module output known only after apply,
    /// e.g. `aws_iam_role.exec.arn`.
    Reference(String),
    /// An attribute of a resource or data source in configuration, known only after apply:
    /// `target` is `aws_iam_role.exec` or `data.aws_iam_policy.x`, `module` the instance path of
    /// the module that wrote the reference ("" for the root). Rules follow these to the resource.
    Resource {
        module: String,
        target: String,
        /// The instance (`[0]`, `["a"]`) when the reference names one.
        key: Option<String>,
        attribute: Option<String>,
    },
    /// A function infra-lint does not implement, or one that cannot run offline.
    Function(String),
    /// Anything else, with a human reason.
    Other(String),
    /// A function result that depends on several unknowns (`compact([a.id, b.id])`): all of
    /// them, so rules following references see every resource, not just the first.
    Combined(Vec<Cause>),
    /// A string template with unknown parts
    /// (`"arn:${data.aws_partition.current.partition}:iam::aws:policy/X"`): its literal text
    /// and the causes of its unknown parts, in order. It travels with the value through
    /// locals, lists and module arguments, so what is known stays readable wherever it flows.
    Template(Vec<Part>),
}

/// One part of a partly known string template (see `Cause::Template`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Part {
    Text(String),
    Unknown(Cause),
}

impl Cause {
    /// The parts of a partly known string template, literal text as known strings and each
    /// unknown part as an Unknown of its cause.
    pub fn template_parts(&self) -> Option<Vec<Value>> {
        let Cause::Template(parts) = self else {
            return None;
        };
        Some(
            parts
                .iter()
                .map(|p| match p {
                    Part::Text(t) => Value::String(t.clone()),
                    Part::Unknown(c) => Value::unknown(c.clone()),
                })
                .collect(),
        )
    }

    /// The causes at the bottom: itself, or every part of a `Combined`.
    pub fn leaves(&self) -> Vec<&Cause> {
        match self {
            Cause::Combined(parts) => parts.iter().flat_map(Cause::leaves).collect(),
            Cause::Template(parts) => parts
                .iter()
                .filter_map(|p| match p {
                    Part::Unknown(c) => Some(c),
                    Part::Text(_) => None,
                })
                .flat_map(Cause::leaves)
                .collect(),
            c => vec![c],
        }
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cause::Variable(v) => write!(f, "var.{v} has no value"),
            Cause::Reference(r) => write!(f, "{r} is known only after apply"),
            Cause::Resource {
                target,
                key,
                attribute,
                ..
            } => {
                let key = key.as_deref().unwrap_or("");
                match attribute {
                    Some(a) => write!(f, "{target}{key}.{a} is known only after apply"),
                    None => write!(f, "{target}{key} is known only after apply"),
                }
            }
            Cause::Function(n) => write!(f, "function {n} is not supported"),
            Cause::Combined(parts) => match parts.split_first() {
                Some((first, [])) => write!(f, "{first}"),
                Some((first, rest)) => write!(
                    f,
                    "{first} (and {} more value{} not known)",
                    rest.len(),
                    if rest.len() == 1 { "" } else { "s" }
                ),
                None => f.write_str("not known"),
            },
            Cause::Other(s) => f.write_str(s),
            // Said as before templates kept their parts: what the first unknown part waits for.
            Cause::Template(parts) => match parts.iter().find_map(|p| match p {
                Part::Unknown(c) => Some(c),
                Part::Text(_) => None,
            }) {
                Some(c) => write!(f, "{c}"),
                None => f.write_str("not known"),
            },
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unknown(pub Arc<Cause>);

impl Unknown {
    pub fn new(cause: Cause) -> Unknown {
        Unknown(Arc::new(cause))
    }
    pub fn cause(&self) -> &Cause {
        &self.0
    }
}

/// A Terraform value. Lists and tuples share `List`; maps and objects share `Map` (keys sorted
/// lexically, as Terraform orders them); `Set` is kept sorted and deduplicated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    List(Vec<Value>),
    Set(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Unknown(Unknown),
    /// A value marked sensitive: it is used in evaluation but never printed.
    Sensitive(Box<Value>),
}

impl Value {
    pub fn unknown(cause: Cause) -> Value {
        Value::Unknown(Unknown::new(cause))
    }
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }
    pub fn int(i: i64) -> Value {
        Value::Number(Number::from_i64(i))
    }
    pub fn set(items: Vec<Value>) -> Value {
        let mut items = items;
        items.sort_by(set_order);
        items.dedup();
        Value::Set(items)
    }

    /// Terraform's name for the value's kind, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Set(_) => "set",
            Value::Map(_) => "map",
            Value::Unknown(_) => "unknown",
            Value::Sensitive(v) => v.type_name(),
        }
    }

    /// Null, or the empty value the AWS provider stores in state for an optional argument left
    /// unset (`""`, `[]`, `{}`): what configuration shows by not writing the argument.
    pub fn is_absent(&self) -> bool {
        match self.peel() {
            Value::Null => true,
            Value::String(s) => s.is_empty(),
            Value::List(v) | Value::Set(v) => v.is_empty(),
            Value::Map(m) => m.is_empty(),
            _ => false,
        }
    }

    pub fn is_null(&self) -> bool {
        match self {
            Value::Null => true,
            Value::Sensitive(v) => v.is_null(),
            _ => false,
        }
    }

    /// True when the value and everything inside it is known.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown(_) => false,
            Value::List(v) | Value::Set(v) => v.iter().all(Value::is_wholly_known),
            Value::Map(m) => m.values().all(Value::is_wholly_known),
            Value::Sensitive(v) => v.is_wholly_known(),
            _ => true,
        }
    }

    /// The first unknown found inside the value, if any.
    /// One Unknown standing for every unknown inside `values` (distinct causes, at most 32),
    /// or None when all are wholly known.
    pub fn unknown_of_all(values: &[&Value]) -> Option<Value> {
        let mut first: Option<&Unknown> = None;
        let mut all: Vec<Cause> = Vec::new();
        for v in values {
            v.collect_unknowns(&mut first, &mut all);
        }
        match (first, all.len()) {
            (None, _) => None,
            (Some(u), 1) => Some(Value::Unknown(u.clone())),
            _ => {
                all.truncate(32);
                Some(Value::unknown(Cause::Combined(all)))
            }
        }
    }

    fn collect_unknowns<'a>(&'a self, first: &mut Option<&'a Unknown>, out: &mut Vec<Cause>) {
        match self {
            Value::Unknown(u) => {
                first.get_or_insert(u);
                for c in u.cause().leaves() {
                    if !out.contains(c) {
                        out.push(c.clone());
                    }
                }
            }
            Value::List(v) | Value::Set(v) => v.iter().for_each(|x| x.collect_unknowns(first, out)),
            Value::Map(m) => m.values().for_each(|x| x.collect_unknowns(first, out)),
            Value::Sensitive(v) => v.collect_unknowns(first, out),
            _ => {}
        }
    }

    pub fn first_unknown(&self) -> Option<&Unknown> {
        match self {
            Value::Unknown(u) => Some(u),
            Value::List(v) | Value::Set(v) => v.iter().find_map(Value::first_unknown),
            Value::Map(m) => m.values().find_map(Value::first_unknown),
            Value::Sensitive(v) => v.first_unknown(),
            _ => None,
        }
    }

    /// True when the value or anything inside it is marked sensitive.
    pub fn is_sensitive(&self) -> bool {
        match self {
            Value::Sensitive(_) => true,
            Value::List(v) | Value::Set(v) => v.iter().any(Value::is_sensitive),
            Value::Map(m) => m.values().any(Value::is_sensitive),
            _ => false,
        }
    }

    /// Removes every sensitive mark, returning the bare value and whether any mark was found.
    pub fn unmark(self) -> (Value, bool) {
        match self {
            Value::Sensitive(v) => (v.unmark().0, true),
            Value::List(v) => {
                let (v, s) = unmark_all(v);
                (Value::List(v), s)
            }
            Value::Set(v) => {
                let (v, s) = unmark_all(v);
                (Value::Set(v), s)
            }
            Value::Map(m) => {
                let mut any = false;
                let m = m
                    .into_iter()
                    .map(|(k, v)| {
                        let (v, s) = v.unmark();
                        any |= s;
                        (k, v)
                    })
                    .collect();
                (Value::Map(m), any)
            }
            v => (v, false),
        }
    }

    /// Marks the value sensitive when `sensitive` is true (never double-wraps).
    pub fn mark_if(self, sensitive: bool) -> Value {
        match self {
            v @ Value::Sensitive(_) => v,
            v if sensitive => Value::Sensitive(Box::new(v)),
            v => v,
        }
    }

    /// The value without a top-level sensitive mark (inner marks stay).
    pub fn peel(&self) -> &Value {
        match self {
            Value::Sensitive(v) => v.peel(),
            v => v,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self.peel() {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self.peel() {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
    pub fn as_number(&self) -> Option<&Number> {
        match self.peel() {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }
    pub fn as_list(&self) -> Option<&[Value]> {
        match self.peel() {
            Value::List(v) | Value::Set(v) => Some(v),
            _ => None,
        }
    }
    pub fn as_map(&self) -> Option<&BTreeMap<String, Value>> {
        match self.peel() {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// Follows a path of map keys and list indexes; None where the path does not exist.
    pub fn get_path<'a>(&'a self, path: &[PathStep]) -> Option<&'a Value> {
        let mut cur = self;
        for step in path {
            cur = match (cur.peel(), step) {
                (Value::Map(m), PathStep::Key(k)) => m.get(k)?,
                (Value::List(v), PathStep::Index(i)) => v.get(*i)?,
                _ => return None,
            };
        }
        Some(cur)
    }

    /// Terraform's automatic conversion to string (numbers and bools convert; others do not).
    pub fn to_tf_string(&self) -> Result<String, String> {
        match self {
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) => n.to_text(),
            Value::Bool(b) => Ok(b.to_string()),
            Value::Null => Err("a null value cannot be converted to string".into()),
            Value::Sensitive(v) => v.to_tf_string(),
            v => Err(format!("cannot convert {} to string", v.type_name())),
        }
    }

    /// Terraform's automatic conversion to number.
    pub fn to_tf_number(&self) -> Result<Number, String> {
        match self {
            Value::Number(n) => Ok(n.clone()),
            Value::String(s) => {
                Number::parse(s).ok_or_else(|| format!("cannot convert {s:?} to number"))
            }
            Value::Sensitive(v) => v.to_tf_number(),
            Value::Null => Err("a null value cannot be converted to number".into()),
            v => Err(format!("cannot convert {} to number", v.type_name())),
        }
    }

    /// Terraform's automatic conversion to bool.
    pub fn to_tf_bool(&self) -> Result<bool, String> {
        match self {
            Value::Bool(b) => Ok(*b),
            Value::String(s) if s == "true" => Ok(true),
            Value::String(s) if s == "false" => Ok(false),
            Value::Sensitive(v) => v.to_tf_bool(),
            Value::Null => Err("a null value cannot be converted to bool".into()),
            v => Err(format!("cannot convert {} to bool", v.type_name())),
        }
    }

    /// Plain JSON for display; Unknown becomes `{"unknown": cause}`, Sensitive becomes the string
    /// "(sensitive)" so a secret can never leak through this path.
    pub fn to_display_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Number(n) => {
                let text = n.format();
                serde_json::from_str::<serde_json::Number>(&text)
                    .map(J::Number)
                    .unwrap_or(J::String(text))
            }
            Value::String(s) => J::String(s.clone()),
            Value::List(v) | Value::Set(v) => {
                J::Array(v.iter().map(Value::to_display_json).collect())
            }
            Value::Map(m) => J::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), v.to_display_json()))
                    .collect(),
            ),
            Value::Unknown(u) => serde_json::json!({ "unknown": u.cause().to_string() }),
            Value::Sensitive(_) => J::String("(sensitive)".into()),
        }
    }
}

fn unmark_all(v: Vec<Value>) -> (Vec<Value>, bool) {
    let mut any = false;
    let v = v
        .into_iter()
        .map(|x| {
            let (x, s) = x.unmark();
            any |= s;
            x
        })
        .collect();
    (v, any)
}

/// Set element order as Terraform prints sets: numbers ascending, strings lexically, others
/// after, in a stable order.
pub fn set_order(a: &Value, b: &Value) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match (a.peel(), b.peel()) {
        (Value::Number(x), Value::Number(y)) => x.cmp(y),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Number(_), _) => Ordering::Less,
        (_, Value::Number(_)) => Ordering::Greater,
        (Value::String(_), _) => Ordering::Less,
        (_, Value::String(_)) => Ordering::Greater,
        (x, y) => format!("{x:?}").cmp(&format!("{y:?}")),
    }
}

/// One step of a path into a value.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PathStep {
    Key(String),
    Index(usize),
}

impl fmt::Display for PathStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathStep::Key(k) => write!(f, ".{k}"),
            PathStep::Index(i) => write!(f, "[{i}]"),
        }
    }
}
