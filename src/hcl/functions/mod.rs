//! Terraform's built-in functions with Terraform's semantics. `try`, `can` need lazy
//! arguments and live in the evaluator; everything else is here.
use crate::model::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// What a function may need from the evaluator.
pub struct FnCtx<'a> {
    /// Terraform's working directory: relative paths in `file()` and friends resolve against it.
    pub cwd: &'a Path,
    /// Renders a template string with the given variables (for `templatefile`).
    pub render_template: &'a dyn Fn(&str, &BTreeMap<String, Value>) -> Result<Value, String>,
}

/// Calls function `name`. `None` means infra-lint does not implement it (the evaluator then
/// yields Unknown with a "not evaluated" note); `Some(Err(msg))` is Terraform's own error.
pub fn call(name: &str, args: Vec<Value>, ctx: &FnCtx) -> Option<Result<Value, String>> {
    let _ = (name, args, ctx);
    None
}
