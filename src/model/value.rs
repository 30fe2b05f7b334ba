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
                // Terraform reads most data sources during the plan, from the account: known
                // to `terraform plan`, not to a check that sends no request.
                let when = if target.starts_with("data.") {
                    "is read by the provider at plan time (not offline)"
                } else {
                    "is known only after apply"
                };
                match attribute {
                    Some(a) => write!(f, "{target}{key}.{a} {when}"),
                    None => write!(f, "{target}{key} {when}"),
                }
            }
            // The evaluator notes why beside the call (hcl::functions::not_evaluated); this is
            // what a rule's "not evaluated" says, so it names when the value exists.
            Cause::Function(n) => match n.as_str() {
                "uuid" | "timestamp" | "bcrypt" => write!(f, "{n}() is known only after apply"),
                "plantimestamp" => write!(f, "plantimestamp() is the time Terraform plans"),
                _ if n.starts_with("provider::") => {
                    write!(f, "provider function {n} is not evaluated offline")
                }
                _ => write!(f, "{n}() is not evaluated by infra-lint"),
            },
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

/// A Terraform value. Lists and tuples share `List`, told apart by [`Seq::kind`]; maps and
/// objects share `Map` (keys sorted lexically, as Terraform orders them), told apart by
/// [`Record::kind`]; `Set` is kept sorted and deduplicated.
///
/// `==` on `Value` is structural and ignores those kinds: drift compares a configuration tuple
/// with the list state holds, and rules read either the same way. Terraform's own `==`, which
/// also compares types, is [`Value::tf_equal`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    List(Seq),
    Set(Vec<Value>),
    Map(Record),
    Unknown(Unknown),
    /// A value marked sensitive: it is used in evaluation but never printed.
    Sensitive(Box<Value>),
}

/// Whether a sequence is a Terraform list (one element type: `tolist`, state, typed variables)
/// or a tuple (each element its own type: `[...]`, `for`, `jsondecode`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SeqKind {
    #[default]
    List,
    Tuple,
}

/// Whether a record is a Terraform map (one element type: `tomap`, state) or an object (each
/// attribute its own type: `{...}`, `for`, `jsondecode`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum RecordKind {
    #[default]
    Map,
    Object,
}

/// The elements of a list or tuple. Derefs to the `Vec`, so most code reads it as one; equality
/// ignores the kind (see [`Value`]).
#[derive(Clone, Default, Eq)]
pub struct Seq {
    pub kind: SeqKind,
    pub items: Vec<Value>,
}

impl Seq {
    pub fn new(kind: SeqKind, items: Vec<Value>) -> Seq {
        Seq { kind, items }
    }
    pub fn is_tuple(&self) -> bool {
        self.kind == SeqKind::Tuple
    }
}

impl PartialEq for Seq {
    fn eq(&self, other: &Seq) -> bool {
        self.items == other.items
    }
}

// Printed as the bare elements: Debug output (set order, messages) stays what it was before
// the kind existed.
impl fmt::Debug for Seq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.items.fmt(f)
    }
}

impl std::ops::Deref for Seq {
    type Target = Vec<Value>;
    fn deref(&self) -> &Vec<Value> {
        &self.items
    }
}

impl std::ops::DerefMut for Seq {
    fn deref_mut(&mut self) -> &mut Vec<Value> {
        &mut self.items
    }
}

impl IntoIterator for Seq {
    type Item = Value;
    type IntoIter = std::vec::IntoIter<Value>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a> IntoIterator for &'a Seq {
    type Item = &'a Value;
    type IntoIter = std::slice::Iter<'a, Value>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

/// Collects into a list: what loaders (state, plan, live) build.
impl FromIterator<Value> for Seq {
    fn from_iter<I: IntoIterator<Item = Value>>(iter: I) -> Seq {
        Seq::new(SeqKind::List, iter.into_iter().collect())
    }
}

impl From<Seq> for Vec<Value> {
    fn from(s: Seq) -> Vec<Value> {
        s.items
    }
}

/// The entries of a map or object. Derefs to the `BTreeMap`; equality ignores the kind.
#[derive(Clone, Default, Eq)]
pub struct Record {
    pub kind: RecordKind,
    pub entries: BTreeMap<String, Value>,
}

impl Record {
    pub fn new(kind: RecordKind, entries: BTreeMap<String, Value>) -> Record {
        Record { kind, entries }
    }
    pub fn is_object(&self) -> bool {
        self.kind == RecordKind::Object
    }
}

impl PartialEq for Record {
    fn eq(&self, other: &Record) -> bool {
        self.entries == other.entries
    }
}

impl fmt::Debug for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.entries.fmt(f)
    }
}

impl std::ops::Deref for Record {
    type Target = BTreeMap<String, Value>;
    fn deref(&self) -> &BTreeMap<String, Value> {
        &self.entries
    }
}

impl std::ops::DerefMut for Record {
    fn deref_mut(&mut self) -> &mut BTreeMap<String, Value> {
        &mut self.entries
    }
}

impl IntoIterator for Record {
    type Item = (String, Value);
    type IntoIter = std::collections::btree_map::IntoIter<String, Value>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<'a> IntoIterator for &'a Record {
    type Item = (&'a String, &'a Value);
    type IntoIter = std::collections::btree_map::Iter<'a, String, Value>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter()
    }
}

/// Collects into a map: what loaders (state, plan, live) build.
impl FromIterator<(String, Value)> for Record {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Record {
        Record::new(RecordKind::Map, iter.into_iter().collect())
    }
}

impl<const N: usize> From<[(String, Value); N]> for Record {
    fn from(entries: [(String, Value); N]) -> Record {
        entries.into_iter().collect()
    }
}

impl From<Record> for BTreeMap<String, Value> {
    fn from(r: Record) -> BTreeMap<String, Value> {
        r.entries
    }
}

impl Value {
    /// A Terraform list.
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Seq::new(SeqKind::List, items))
    }
    /// A Terraform tuple.
    pub fn tuple(items: Vec<Value>) -> Value {
        Value::List(Seq::new(SeqKind::Tuple, items))
    }
    /// A Terraform map.
    pub fn map(entries: BTreeMap<String, Value>) -> Value {
        Value::Map(Record::new(RecordKind::Map, entries))
    }
    /// A Terraform object.
    pub fn object(entries: BTreeMap<String, Value>) -> Value {
        Value::Map(Record::new(RecordKind::Object, entries))
    }
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

    /// The value with every list made a tuple and every map an object, as HCL reads JSON
    /// (`.tfvars.json`): structural types, which conversion to a variable's type then narrows.
    pub fn into_structural(self) -> Value {
        match self {
            Value::List(s) => {
                Value::tuple(s.items.into_iter().map(Value::into_structural).collect())
            }
            Value::Map(r) => Value::object(
                r.entries
                    .into_iter()
                    .map(|(k, v)| (k, v.into_structural()))
                    .collect(),
            ),
            Value::Sensitive(v) => Value::Sensitive(Box::new(v.into_structural())),
            v => v,
        }
    }

    /// Terraform's `==`: equal values of the same type. Unlike `==` on `Value` it tells a tuple
    /// from a list and an object from a map (`[1] == tolist([1])` is false), at every depth.
    /// Element types Terraform would know but a value does not show (an empty `list(string)`
    /// against an empty `tolist([])`) are not compared.
    pub fn tf_equal(&self, other: &Value) -> bool {
        match (self.peel(), other.peel()) {
            (Value::List(x), Value::List(y)) => {
                x.kind == y.kind
                    && x.len() == y.len()
                    && x.iter().zip(y.iter()).all(|(p, q)| p.tf_equal(q))
            }
            (Value::Set(x), Value::Set(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(p, q)| p.tf_equal(q))
            }
            (Value::Map(x), Value::Map(y)) => {
                x.kind == y.kind
                    && x.len() == y.len()
                    && x.iter()
                        .zip(y.iter())
                        .all(|((k1, v1), (k2, v2))| k1 == k2 && v1.tf_equal(v2))
            }
            (x, y) => x == y,
        }
    }

    /// Terraform's name for the value's kind, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::List(l) if l.is_tuple() => "tuple",
            Value::List(_) => "list",
            Value::Set(_) => "set",
            Value::Map(m) if m.is_object() => "object",
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
            Value::List(Seq { items: v, .. }) | Value::Set(v) => v.is_empty(),
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
            Value::List(Seq { items: v, .. }) | Value::Set(v) => {
                v.iter().all(Value::is_wholly_known)
            }
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
            Value::List(Seq { items: v, .. }) | Value::Set(v) => {
                v.iter().for_each(|x| x.collect_unknowns(first, out))
            }
            Value::Map(m) => m.values().for_each(|x| x.collect_unknowns(first, out)),
            Value::Sensitive(v) => v.collect_unknowns(first, out),
            _ => {}
        }
    }

    pub fn first_unknown(&self) -> Option<&Unknown> {
        match self {
            Value::Unknown(u) => Some(u),
            Value::List(Seq { items: v, .. }) | Value::Set(v) => {
                v.iter().find_map(Value::first_unknown)
            }
            Value::Map(m) => m.values().find_map(Value::first_unknown),
            Value::Sensitive(v) => v.first_unknown(),
            _ => None,
        }
    }

    /// True when the value or anything inside it is marked sensitive.
    pub fn is_sensitive(&self) -> bool {
        match self {
            Value::Sensitive(_) => true,
            Value::List(Seq { items: v, .. }) | Value::Set(v) => v.iter().any(Value::is_sensitive),
            Value::Map(m) => m.values().any(Value::is_sensitive),
            _ => false,
        }
    }

    /// Removes every sensitive mark, returning the bare value and whether any mark was found.
    pub fn unmark(self) -> (Value, bool) {
        match self {
            Value::Sensitive(v) => (v.unmark().0, true),
            Value::List(Seq { kind, items }) => {
                let (items, s) = unmark_all(items);
                (Value::List(Seq { kind, items }), s)
            }
            Value::Set(v) => {
                let (v, s) = unmark_all(v);
                (Value::Set(v), s)
            }
            Value::Map(Record { kind, entries }) => {
                let mut any = false;
                let entries = entries
                    .into_iter()
                    .map(|(k, v)| {
                        let (v, s) = v.unmark();
                        any |= s;
                        (k, v)
                    })
                    .collect();
                (Value::Map(Record { kind, entries }), any)
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
            Value::List(Seq { items: v, .. }) | Value::Set(v) => Some(v),
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
                // cty parses the whole string (`" 5" + 1` is an error), `inf` included.
                Number::parse_strict(s).ok_or_else(|| format!("cannot convert {s:?} to number"))
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
            // cty's string-to-bool conversion takes "1" and "0" too.
            Value::String(s) if s == "true" || s == "1" => Ok(true),
            Value::String(s) if s == "false" || s == "0" => Ok(false),
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
            Value::List(Seq { items: v, .. }) | Value::Set(v) => {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unevaluated_function_says_when_its_value_exists() {
        let say = |n: &str| Cause::Function(n.to_string()).to_string();
        assert_eq!(say("timestamp"), "timestamp() is known only after apply");
        assert_eq!(
            say("plantimestamp"),
            "plantimestamp() is the time Terraform plans"
        );
        assert_eq!(
            say("base64gzip"),
            "base64gzip() is not evaluated by infra-lint"
        );
        assert_eq!(
            say("provider::aws::arn_parse"),
            "provider function provider::aws::arn_parse is not evaluated offline"
        );
    }

    #[test]
    fn kinds_matter_to_terraform_equality_only() {
        let tuple = Value::tuple(vec![Value::int(1)]);
        let list = Value::list(vec![Value::int(1)]);
        // Drift and rules compare structurally: a configuration tuple equals a state list.
        assert_eq!(tuple, list);
        assert!(!tuple.tf_equal(&list));
        assert!(tuple.tf_equal(&tuple.clone()));
        let obj = Value::object([("a".to_string(), tuple.clone())].into());
        let map = Value::map([("a".to_string(), tuple)].into());
        assert_eq!(obj, map);
        assert!(!obj.tf_equal(&map));
        let nested = Value::object([("a".to_string(), list)].into());
        assert!(!obj.tf_equal(&nested), "kinds are compared at every depth");
        assert_eq!(obj.type_name(), "object");
        // Debug output (set order, messages) is what it was before kinds existed.
        assert!(format!("{obj:?}").starts_with(r#"Map({"a": List([Number("#));
    }
}
