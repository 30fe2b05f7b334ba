//! Bounds on what one check may read and build. Terraform itself has none of these, so a
//! `count = 1000000000` or a `range()` explosion would otherwise take all the machine's memory
//! before the kernel kills the process with no message. Every bound is configurable in
//! `infra-lint.toml` (`[limits]`), and every exceeded bound is a located input error that names
//! the setting to raise.
use crate::model::Seq;
use crate::model::Value;

/// The bounds, with the defaults documented in the README ("Limits").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Instances one `count`/`for_each` may expand a resource, data or module block into.
    pub max_instances: usize,
    /// Instances of all blocks of one root together, through every module (a module's
    /// `count` multiplies what its blocks expand into).
    pub max_total_instances: usize,
    /// Elements (list, set and map entries, counted through nesting) in one evaluated value.
    pub max_elements: usize,
    /// Bytes of string content in one evaluated value.
    pub max_string_bytes: usize,
    /// Variables, locals and outputs computed one inside another (`local.a` needs `local.b`
    /// needs ...): the evaluator recurses once per level. Nesting inside one file needs no
    /// bound here: hcl-edit's parser refuses more than 64 nested levels itself.
    pub max_reference_depth: usize,
    /// Size of one `.tf`/`.tf.json`/`.tfvars` file.
    pub max_file_bytes: u64,
    /// Size of one state or plan document.
    pub max_state_bytes: u64,
}

const MIB: usize = 1024 * 1024;

impl Limits {
    pub const DEFAULT: Limits = Limits {
        max_instances: 10_000,
        max_total_instances: 100_000,
        max_elements: 1_000_000,
        max_string_bytes: 16 * MIB,
        max_reference_depth: 256,
        max_file_bytes: 16 * MIB as u64,
        max_state_bytes: 512 * MIB as u64,
    };

    /// The `infra-lint.toml` keys, in the order the README lists them.
    pub const KEYS: &'static [&'static str] = &[
        "max_instances",
        "max_total_instances",
        "max_elements",
        "max_string_bytes",
        "max_reference_depth",
        "max_file_bytes",
        "max_state_bytes",
    ];

    /// Sets one key from the configuration file; the caller has checked that `key` is one of
    /// [`Limits::KEYS`].
    pub fn set(&mut self, key: &str, n: u64) {
        let as_usize = usize::try_from(n).unwrap_or(usize::MAX);
        match key {
            "max_instances" => self.max_instances = as_usize,
            "max_total_instances" => self.max_total_instances = as_usize,
            "max_elements" => self.max_elements = as_usize,
            "max_string_bytes" => self.max_string_bytes = as_usize,
            "max_reference_depth" => self.max_reference_depth = as_usize,
            "max_file_bytes" => self.max_file_bytes = n,
            "max_state_bytes" => self.max_state_bytes = n,
            _ => {}
        }
    }

    /// Checks a value about to be kept against the element and string bounds. The walk stops
    /// as soon as a bound is passed, so checking costs no more than building the value did.
    pub fn check_value(&self, v: &Value) -> Result<(), String> {
        self.budget().add(v)
    }

    /// A running total for a value built piece by piece (a `for` expression's items), so
    /// the bound is met before the whole value exists.
    pub fn budget(&self) -> Budget<'_> {
        Budget {
            limits: self,
            size: Size::default(),
        }
    }

    /// `n` elements about to be built (range, setproduct...) before building them.
    pub fn check_elements(&self, n: u128) -> Result<(), String> {
        if n > self.max_elements as u128 {
            return Err(self.too_many_elements(n));
        }
        Ok(())
    }

    /// A string of `n` bytes about to be built.
    pub fn check_string(&self, n: u128) -> Result<(), String> {
        if n > self.max_string_bytes as u128 {
            return Err(self.too_long(n));
        }
        Ok(())
    }

    fn add(&self, v: &Value, size: &mut Size) -> Result<(), String> {
        match v {
            Value::String(s) => {
                size.bytes += s.len();
                if size.bytes > self.max_string_bytes {
                    return Err(self.too_long(size.bytes as u128));
                }
            }
            Value::List(Seq { items, .. }) | Value::Set(items) => {
                self.count(items.len(), size)?;
                for it in items {
                    self.add(it, size)?;
                }
            }
            Value::Map(m) => {
                self.count(m.len(), size)?;
                for (k, it) in m {
                    size.bytes += k.len();
                    self.add(it, size)?;
                }
            }
            Value::Sensitive(inner) => self.add(inner, size)?,
            _ => {}
        }
        Ok(())
    }

    fn count(&self, n: usize, size: &mut Size) -> Result<(), String> {
        size.elements += n;
        if size.elements > self.max_elements {
            return Err(self.too_many_elements(size.elements as u128));
        }
        Ok(())
    }

    fn too_many_elements(&self, n: u128) -> String {
        format!(
            "the value would have {n} elements, over the limit of {} \
             (raise limits.max_elements in infra-lint.toml)",
            self.max_elements
        )
    }

    fn too_long(&self, n: u128) -> String {
        format!(
            "the value would hold {n} bytes of strings, over the limit of {} \
             (raise limits.max_string_bytes in infra-lint.toml)",
            self.max_string_bytes
        )
    }
}

impl Default for Limits {
    fn default() -> Limits {
        Limits::DEFAULT
    }
}

pub struct Budget<'a> {
    limits: &'a Limits,
    size: Size,
}

impl Budget<'_> {
    /// Adds one more element holding `v`.
    pub fn add_element(&mut self, v: &Value) -> Result<(), String> {
        self.limits.count(1, &mut self.size)?;
        self.add(v)
    }

    pub fn add(&mut self, v: &Value) -> Result<(), String> {
        self.limits.add(v, &mut self.size)
    }
}

#[derive(Default)]
struct Size {
    elements: usize,
    bytes: usize,
}
