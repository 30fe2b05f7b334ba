//! Evaluates a root module and everything it calls into the model: module instances,
//! variables, locals, outputs and resource instances, lazily and in dependency order.
use crate::diag::{InputError, NotEvaluated};
use crate::hcl::config::{self, AttrCfg, BlockCfg};
use crate::hcl::eval::{iterate, Ctx, Env, EvalError};
use crate::hcl::files;
use crate::hcl::refs::{is_builtin_root, root_refs, RootRef};
use crate::hcl::types::{self, Type};
use crate::model::limits::Limits;
use crate::model::resource::{Backend, ModuleCall, Named, Provider, Variable};
use crate::model::Seq;
use crate::model::{Cause, Mode, Model, Origin, Reference, Resource, Value, Via};
use crate::source::{display_path, FileId, SourceMap, Span};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// What the user supplied besides the directory.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// `--var-file` paths, in order.
    pub var_files: Vec<PathBuf>,
    /// `--var NAME=VALUE`, in order.
    pub vars: Vec<(String, String)>,
    /// `TF_VAR_name` environment variables (name without the prefix).
    pub env_vars: Vec<(String, String)>,
    /// The files of modules that other roots of the same run load too (`check --recursive`).
    pub shared: Option<std::sync::Arc<files::SharedFiles>>,
}

impl LoadOptions {
    /// Reads `TF_VAR_*` from the process environment.
    pub fn with_process_env(mut self) -> LoadOptions {
        self.env_vars = std::env::vars()
            .filter_map(|(k, v)| k.strip_prefix("TF_VAR_").map(|n| (n.to_string(), v)))
            .collect();
        self
    }
}

pub struct Loaded {
    pub sources: SourceMap,
    pub model: Model,
    pub errors: Vec<InputError>,
}

/// A value given to a root variable before conversion to its type.
#[derive(Clone)]
enum RawVar {
    Value(Value, Option<Span>),
    /// `--var`/`TF_VAR_`: a literal string for primitive types, HCL otherwise.
    Text(String, String),
}

struct ModuleSrc {
    dir: PathBuf,
    /// `path.module`: the directory relative to the root, "." for the root.
    rel: String,
    blocks: Vec<BlockCfg>,
    /// Files of the module that did not parse: what they seem to declare is not in `blocks`.
    unparsed: Vec<Unparsed>,
}

/// A configuration file of a module with a syntax error, and the top-level blocks a line scan
/// of its text finds, so that references to them are not read as references to nothing.
struct Unparsed {
    display: String,
    /// `(kind, labels, offset of the header)`: `resource`, `data`, `variable`, `module`,
    /// `output` and `locals` blocks.
    declared: Vec<(String, Vec<String>, usize)>,
}

impl Unparsed {
    fn scan(display: String, text: &str) -> Unparsed {
        let mut declared = Vec::new();
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let at = offset;
            offset += line.len();
            let mut words = line.split_whitespace();
            let Some(kind) = words.next() else { continue };
            if !matches!(
                kind,
                "resource" | "data" | "variable" | "module" | "output" | "locals" | "locals{"
            ) {
                continue;
            }
            let labels: Vec<String> = words
                .take_while(|w| !w.starts_with('{'))
                .map(|w| w.trim_matches('"').to_string())
                .collect();
            let wanted = match kind {
                "resource" | "data" => 2,
                "locals" | "locals{" => 0,
                _ => 1,
            };
            if labels.len() == wanted && line.contains('{') {
                let indent = line.len() - line.trim_start().len();
                declared.push((kind.trim_end_matches('{').to_string(), labels, at + indent));
            }
        }
        Unparsed { display, declared }
    }

    fn declares(&self, kind: &str, labels: &[&str]) -> bool {
        self.declared
            .iter()
            .any(|(k, l, _)| k == kind && l.iter().map(String::as_str).eq(labels.iter().copied()))
    }
}

impl ModuleSrc {
    /// Why a reference to an undeclared `kind` block (`labels`) is not an error here: when a
    /// file of the module did not parse, the declaration may be there. None when every file
    /// parsed.
    fn unparsed_reason(&self, what: &str, kind: &str, labels: &[&str]) -> Option<String> {
        if let Some(u) = self.unparsed.iter().find(|u| u.declares(kind, labels)) {
            // A locals block's names are not scanned: it may hold this one.
            let verb = if kind == "locals" { "may be" } else { "is" };
            return Some(format!(
                "{what} {verb} declared in {}, which could not be parsed",
                u.display
            ));
        }
        let files: Vec<&str> = self.unparsed.iter().map(|u| u.display.as_str()).collect();
        (!files.is_empty()).then(|| {
            format!(
                "{what} is not declared in the files that parsed; {} could not be parsed",
                files.join(", ")
            )
        })
    }

    /// The `kind "name"` block (variable, output, module...).
    fn labeled(&self, kind: &str, name: &str) -> Option<&BlockCfg> {
        self.blocks
            .iter()
            .find(|b| b.kind == kind && b.labels.first().map(String::as_str) == Some(name))
    }
}

#[derive(Clone)]
struct Val {
    value: Value,
    origin: Option<Origin>,
    /// The value is a variable's default (no value was given).
    is_default: bool,
}

/// How a variable's or local's origin is described when it shows up as a secondary location.
fn origin_label(
    kind: &str,
    name: &str,
    span_file: &str,
    is_default: bool,
    from_module: bool,
) -> String {
    if kind == "local" {
        format!("local.{name} is defined here")
    } else if from_module {
        format!("the module call sets {name} here")
    } else if is_default {
        format!("default value of var.{name}")
    } else {
        format!("{span_file} sets var.{name} here")
    }
}

enum Slot<T> {
    Busy,
    Done(T),
}

/// Looks `name` up in `memo`, computing it once. `find` locates the declaration (an error if
/// there is none) and returns the computation; re-entering a computation still in progress is
/// a dependency cycle.
fn memoized<F: FnOnce() -> Val>(
    memo: &RefCell<HashMap<String, Slot<Val>>>,
    name: &str,
    cycle: impl FnOnce() -> String,
    find: impl FnOnce() -> Result<F, String>,
) -> Result<Val, String> {
    match memo.borrow().get(name) {
        Some(Slot::Done(v)) => return Ok(v.clone()),
        Some(Slot::Busy) => return Err(cycle()),
        None => {}
    }
    let compute = find()?;
    memo.borrow_mut().insert(name.to_string(), Slot::Busy);
    let v = compute();
    memo.borrow_mut()
        .insert(name.to_string(), Slot::Done(v.clone()));
    Ok(v)
}

#[derive(Clone)]
enum Children {
    Single(usize),
    List(Vec<usize>),
    Map(BTreeMap<String, usize>),
    Unknown(Value),
    Unavailable(String),
}

struct ParentLink {
    inst: usize,
    call: BlockCfg,
    each: Option<(Value, Value)>,
    count: Option<Value>,
}

struct Instance {
    addr: String,
    src: usize,
    parent: Option<ParentLink>,
    /// Directories of this instance and its ancestors, for cycle detection.
    chain: Vec<PathBuf>,
    vars: RefCell<HashMap<String, Slot<Val>>>,
    locals: RefCell<HashMap<String, Slot<Val>>>,
    outputs: RefCell<HashMap<String, Slot<Val>>>,
    children: RefCell<HashMap<String, Children>>,
}

/// One memo slot of `Evaluator::planned`: None when the plan does not know the value.
type Planned = Slot<Option<Value>>;

struct Evaluator {
    root: PathBuf,
    sources: RefCell<SourceMap>,
    mods: RefCell<Vec<Rc<ModuleSrc>>>,
    mod_by_dir: RefCell<HashMap<PathBuf, usize>>,
    insts: RefCell<Vec<Rc<Instance>>>,
    errors: RefCell<Vec<InputError>>,
    notes: RefCell<Vec<NotEvaluated>>,
    root_vars: HashMap<String, RawVar>,
    modules_json: Option<HashMap<String, PathBuf>>,
    calls: RefCell<Vec<ModuleCall>>,
    /// count/for_each of resource blocks by (instance, `resource.type.name`), computed once:
    /// both when the block is expanded and when another expression refers to it.
    expansions: RefCell<HashMap<(usize, String), Expansion>>,
    /// Planned values of resource arguments other expressions read, by (instance, address and
    /// attribute), computed once (see `Evaluator::planned_value`).
    planned: RefCell<HashMap<(usize, String), Planned>>,
    /// Instances of every block expanded so far, for `max_total_instances`.
    instances: std::cell::Cell<u128>,
    limits: Limits,
    shared: Option<std::sync::Arc<files::SharedFiles>>,
    /// Variables, locals and outputs being computed, one inside another: each level is a few
    /// stack frames, so a chain of references is bounded like nesting is.
    depth: std::cell::Cell<usize>,
}

/// One level of `Evaluator::depth`, released on drop.
struct Deeper<'a>(&'a std::cell::Cell<usize>);

impl Drop for Deeper<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get() - 1);
    }
}

/// Loads and evaluates the root module in `root`, within the default limits.
pub fn load(root: &Path, opts: &LoadOptions) -> Loaded {
    load_within(root, opts, &Limits::DEFAULT)
}

/// Loads and evaluates the root module in `root`; what passes a bound in `limits` is a
/// located error, never an unbounded allocation.
pub fn load_within(root: &Path, opts: &LoadOptions, limits: &Limits) -> Loaded {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let ev = Evaluator {
        root: root.clone(),
        sources: RefCell::new(SourceMap::default()),
        mods: RefCell::new(Vec::new()),
        mod_by_dir: RefCell::new(HashMap::new()),
        insts: RefCell::new(Vec::new()),
        errors: RefCell::new(Vec::new()),
        notes: RefCell::new(Vec::new()),
        root_vars: HashMap::new(),
        modules_json: read_modules_json(&root),
        calls: RefCell::new(Vec::new()),
        expansions: RefCell::new(HashMap::new()),
        planned: RefCell::new(HashMap::new()),
        instances: Default::default(),
        limits: *limits,
        shared: opts.shared.clone(),
        depth: Default::default(),
    };
    let mut ev = ev;
    match ev.load_module(&root) {
        Ok(src) => {
            ev.root_vars = ev.collect_root_vars(&root, opts);
            ev.insts.borrow_mut().push(Rc::new(Instance {
                addr: String::new(),
                src,
                parent: None,
                chain: vec![root.clone()],
                vars: Default::default(),
                locals: Default::default(),
                outputs: Default::default(),
                children: Default::default(),
            }));
            ev.check_unknown_root_vars();
        }
        Err(e) => ev.errors.borrow_mut().push(e),
    }
    let mut model = ev.build_model();
    let mut errors = ev.errors.into_inner();
    errors.dedup();
    let sources = ev.sources.into_inner();
    // The parser saw rewritten text where hcl-edit needed it (see `config::parse_native`):
    // map every span back to the original text here, once, so no consumer has to.
    let mut map = |s: &mut Span| {
        let f = sources.get(s.file);
        s.start = f.original_offset(s.start);
        s.end = f.original_offset(s.end);
    };
    model.for_each_span_mut(&mut map);
    for e in &mut errors {
        if let Some(crate::source::Location::Source(s)) = &mut e.location {
            map(s);
        }
    }
    Loaded {
        sources,
        model,
        errors,
    }
}

fn read_modules_json(root: &Path) -> Option<HashMap<String, PathBuf>> {
    let text = std::fs::read_to_string(root.join(".terraform/modules/modules.json")).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    let mut out = HashMap::new();
    for m in json.get("Modules")?.as_array()? {
        let key = m.get("Key")?.as_str()?.to_string();
        let dir = m.get("Dir")?.as_str()?;
        out.insert(key, root.join(dir));
    }
    Some(out)
}

impl Evaluator {
    /// Evaluates a constant expression (no references): tfvars values, defaults, flags.
    fn eval_const(&self, expr: &hcl_edit::expr::Expression) -> Result<Value, EvalError> {
        Ctx::new(&ConstEnv {
            cwd: &self.root,
            limits: &self.limits,
        })
        .eval(expr)
    }

    /// A constant boolean argument such as `sensitive` or `nullable`, or `default`.
    fn const_flag(&self, block: &BlockCfg, name: &str, default: bool) -> bool {
        block
            .attr(name)
            .and_then(|a| self.eval_const(&a.expr).ok())
            .and_then(|v| v.as_bool())
            .unwrap_or(default)
    }

    fn error(&self, message: impl Into<String>, span: Option<Span>) {
        self.errors
            .borrow_mut()
            .push(InputError::new(message, span));
    }

    fn note(&self, subject: impl Into<String>, reason: impl Into<String>, span: Option<Span>) {
        let ne = NotEvaluated {
            code: None,
            subject: subject.into(),
            reason: reason.into(),
            location: span.map(crate::source::Location::Source),
        };
        let mut notes = self.notes.borrow_mut();
        if !notes.contains(&ne) {
            notes.push(ne);
        }
    }

    fn deeper(&self) -> Result<Deeper<'_>, String> {
        let max = self.limits.max_reference_depth;
        if self.depth.get() >= max {
            return Err(format!(
                "references nest more than {max} deep (a variable, local or output whose value \
                 needs another, and so on); raise limits.max_reference_depth in infra-lint.toml"
            ));
        }
        self.depth.set(self.depth.get() + 1);
        Ok(Deeper(&self.depth))
    }

    fn display(&self, p: &Path) -> String {
        display_path(&self.root, p)
    }

    /// Reads and parses a module directory once; later calls reuse it.
    fn load_module(&self, dir: &Path) -> Result<usize, InputError> {
        if let Some(&i) = self.mod_by_dir.borrow().get(dir) {
            return Ok(i);
        }
        let (primary, overrides) = config::module_files(dir).map_err(|e| {
            InputError::new(
                format!("cannot read module directory {}: {e}", self.display(dir)),
                None,
            )
        })?;
        let mut blocks = Vec::new();
        let mut over_blocks = Vec::new();
        let mut unparsed = Vec::new();
        for (is_override, path) in primary
            .iter()
            .map(|p| (false, p))
            .chain(overrides.iter().map(|p| (true, p)))
        {
            match self.parse_file(path) {
                (_, Some(file_blocks)) if is_override => over_blocks.push(file_blocks),
                (_, Some(file_blocks)) => blocks.extend(file_blocks),
                (Some(id), None) => {
                    let u = {
                        let sources = self.sources.borrow();
                        let f = sources.get(id);
                        Unparsed::scan(f.display.clone(), &f.text)
                    };
                    // What the file declares is in no later analysis: each resource and data
                    // source counts as not evaluated, at its header.
                    for (kind, labels, at) in &u.declared {
                        if kind == "resource" || kind == "data" {
                            let prefix = if kind == "data" { "data." } else { "" };
                            self.note(
                                format!("{prefix}{}", labels.join(".")),
                                format!(
                                    "not analysed: {} could not be parsed (see its syntax error \
                                     among the input errors)",
                                    u.display
                                ),
                                Some(Span::new(id, *at..*at)),
                            );
                        }
                    }
                    unparsed.push(u);
                }
                (None, None) => {}
            }
        }
        for ob in over_blocks {
            for unmatched in config::merge_override(&mut blocks, ob) {
                self.error(
                    format!("override file declares {unmatched}, which no primary file declares"),
                    None,
                );
            }
        }
        let rel = self.display(dir);
        let src = ModuleSrc {
            dir: dir.to_path_buf(),
            rel,
            blocks,
            unparsed,
        };
        let mut mods = self.mods.borrow_mut();
        mods.push(Rc::new(src));
        let i = mods.len() - 1;
        self.mod_by_dir.borrow_mut().insert(dir.to_path_buf(), i);
        Ok(i)
    }

    /// Registers a file read (and perhaps parsed) apart from this root, reporting what
    /// reading or parsing it found; its blocks when it parsed.
    fn take(&self, f: files::FileParse, path: &Path) -> (Option<FileId>, Option<Vec<BlockCfg>>) {
        let display = self.display(path);
        let (id, blocks, error) = f.into_root(
            &mut self.sources.borrow_mut(),
            &display,
            self.limits.max_file_bytes,
        );
        if let Some(e) = error {
            self.errors.borrow_mut().push(e);
        }
        (id, blocks)
    }

    /// Reads a variables file as text within `max_file_bytes`, registering it as a source. A
    /// file that is too large, binary or not UTF-8 is a located error (at its start or at the
    /// offending byte) and None.
    fn read_text(&self, path: &Path) -> Option<FileId> {
        let f = files::read(path, self.limits.max_file_bytes);
        let ok = f.readable();
        let (id, _) = self.take(f, path);
        id.filter(|_| ok)
    }

    /// Reads and parses a configuration file; a module that other roots of this run load too
    /// comes from (or goes into) the run's shared files.
    /// Its file id (None when it could not be read as text) and its blocks (None when it did
    /// not parse).
    fn parse_file(&self, path: &Path) -> (Option<FileId>, Option<Vec<BlockCfg>>) {
        let max = self.limits.max_file_bytes;
        let f = match &self.shared {
            Some(shared) => shared.get(path, max),
            None => files::read_and_parse(path, max),
        };
        let readable = f.readable();
        let (id, blocks) = self.take(f, path);
        (id.filter(|_| readable), blocks)
    }

    fn inst(&self, i: usize) -> Rc<Instance> {
        self.insts.borrow()[i].clone()
    }
    fn src_of(&self, i: usize) -> Rc<ModuleSrc> {
        let s = self.inst(i).src;
        self.mods.borrow()[s].clone()
    }

    // ---- root variable values -------------------------------------------------------------

    fn collect_root_vars(&self, root: &Path, opts: &LoadOptions) -> HashMap<String, RawVar> {
        let mut out = HashMap::new();
        for (k, v) in &opts.env_vars {
            out.insert(k.clone(), RawVar::Text(v.clone(), format!("TF_VAR_{k}")));
        }
        let mut files: Vec<PathBuf> = Vec::new();
        for name in ["terraform.tfvars", "terraform.tfvars.json"] {
            let p = root.join(name);
            if p.is_file() {
                files.push(p);
            }
        }
        let mut autos: Vec<PathBuf> = std::fs::read_dir(root)
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .map(|e| e.path())
                    .filter(|p| {
                        let n = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                        n.ends_with(".auto.tfvars") || n.ends_with(".auto.tfvars.json")
                    })
                    .collect()
            })
            .unwrap_or_default();
        autos.sort();
        files.extend(autos);
        for f in files {
            self.read_tfvars(&f, &mut out);
        }
        // -var-file and -var apply in the order given; the CLI keeps them apart, so files
        // first, then -var (both after the automatic files).
        for f in &opts.var_files {
            let p = if f.is_absolute() {
                f.clone()
            } else {
                std::env::current_dir().unwrap_or_default().join(f)
            };
            if !p.is_file() {
                self.error(
                    format!("cannot read variable file {}: no such file", f.display()),
                    None,
                );
                continue;
            }
            self.read_tfvars(&p, &mut out);
        }
        for (k, v) in &opts.vars {
            out.insert(k.clone(), RawVar::Text(v.clone(), format!("--var {k}")));
        }
        out
    }

    fn read_tfvars(&self, path: &Path, out: &mut HashMap<String, RawVar>) {
        let display = self.display(path);
        let Some(id) = self.read_text(path) else {
            return;
        };
        let text = self.sources.borrow().get(id).text.clone();
        if display.ends_with(".json") {
            match serde_json::from_str::<serde_json::Value>(&text) {
                Ok(serde_json::Value::Object(m)) => {
                    for (k, v) in m {
                        out.insert(
                            k,
                            RawVar::Value(json_to_value(&v), Some(Span::file_start(id))),
                        );
                    }
                }
                Ok(_) => self.error(
                    format!("{display}: a variables file must hold a JSON object"),
                    Some(Span::file_start(id)),
                ),
                Err(e) => self.error(
                    format!("{display}: invalid JSON: {e}"),
                    Some(Span::file_start(id)),
                ),
            }
            return;
        }
        let body = match hcl_edit::parser::parse_body(&text) {
            Ok(mut b) => match crate::hcl::literals::normalize_body(&mut b, &text) {
                Ok(()) => b,
                Err(e) => {
                    self.error(
                        format!("syntax error: {}", e.message),
                        Some(Span::new(id, e.offset..e.offset)),
                    );
                    return;
                }
            },
            Err(e) => {
                let off = e.location().offset();
                self.error(
                    format!("syntax error: {}", e.message().lines().next().unwrap_or("")),
                    Some(Span::new(id, off..off)),
                );
                return;
            }
        };
        use hcl_edit::Span as _;
        for st in body.iter() {
            match st {
                hcl_edit::structure::Structure::Attribute(a) => {
                    let span = a.value.span().map(|r| Span::new(id, r));
                    match self.eval_const(&a.value) {
                        Ok(v) => {
                            out.insert(a.key.as_str().to_string(), RawVar::Value(v, span));
                        }
                        Err(e) => self.error(
                            format!(
                                "invalid value for variable {:?}: {}",
                                a.key.as_str(),
                                e.message
                            ),
                            e.range.map(|r| Span::new(id, r)).or(span),
                        ),
                    }
                }
                hcl_edit::structure::Structure::Block(b) => self.error(
                    "blocks are not allowed in a variables file",
                    b.ident.span().map(|r| Span::new(id, r)),
                ),
            }
        }
    }

    fn check_unknown_root_vars(&self) {
        let src = self.src_of(0);
        let declared: Vec<&str> = src
            .blocks
            .iter()
            .filter(|b| b.kind == "variable")
            .filter_map(|b| b.labels.first().map(String::as_str))
            .collect();
        let mut names: Vec<(&String, &RawVar)> = self.root_vars.iter().collect();
        names.sort_by_key(|(k, _)| k.as_str());
        for (name, raw) in names {
            if declared.contains(&name.as_str()) {
                continue;
            }
            match raw {
                // Terraform only warns for undeclared values in files and ignores TF_VAR_.
                RawVar::Text(_, how) if how.starts_with("--var") => self.error(
                    format!("value for undeclared variable {name:?} (--var): declare it with a variable block"),
                    None,
                ),
                _ => {}
            }
        }
    }

    // ---- variables, locals, outputs -------------------------------------------------------

    fn var(&self, inst: usize, name: &str) -> Result<Val, String> {
        let _deeper = self.deeper()?;
        let i = self.inst(inst);
        let src = self.src_of(inst);
        memoized(
            &i.vars,
            name,
            || format!("var.{name} depends on itself"),
            || {
                let block = src
                    .labeled("variable", name)
                    .ok_or_else(|| format!("reference to undeclared input variable {name:?}"))?;
                let i = &i;
                Ok(move || self.compute_var(i, block, name))
            },
        )
    }

    fn compute_var(&self, i: &Instance, block: &BlockCfg, name: &str) -> Val {
        let ty = block.attr("type").map(|a| types::parse_type(&a.expr));
        let ty = match ty {
            Some(Ok(t)) => t,
            Some(Err(m)) => {
                let a = block.attr("type").expect("type attr");
                self.error(format!("variable {name:?}: {m}"), Some(a.expr_span()));
                Type::Any
            }
            None => Type::Any,
        };
        let sensitive = self.const_flag(block, "sensitive", false);
        let nullable = self.const_flag(block, "nullable", true);
        let default = block.attr("default");
        // The given value and where it was written.
        let given: Option<(Result<Value, String>, Option<Origin>)> = match &i.parent {
            None => self.root_vars.get(name).map(|raw| match raw {
                RawVar::Value(v, span) => (
                    Ok(v.clone()),
                    span.clone().map(|s| Origin {
                        location: s.into(),
                        via: vec![],
                        constant: true,
                    }),
                ),
                RawVar::Text(text, _) => {
                    if ty.is_primitive() || ty == Type::Any && !looks_structured(text) {
                        (Ok(Value::String(text.clone())), None)
                    } else {
                        let parsed = hcl_edit::parser::parse_expr(text)
                            .map_err(|e| e.message().lines().next().unwrap_or("").to_string())
                            .and_then(|mut e| {
                                crate::hcl::literals::normalize_expr(&mut e, text)
                                    .map(|()| e)
                                    .map_err(|e| e.message)
                            })
                            .and_then(|e| self.eval_const(&e).map_err(|e| e.message));
                        (parsed, None)
                    }
                }
            }),
            Some(link) => link.call.attr(name).map(|a| {
                let scope = Scope {
                    ev: self,
                    inst: link.inst,
                    each: link.each.clone(),
                    count: link.count.clone(),
                    iters: Vec::new(),
                    file: Default::default(),
                    encoded: Default::default(),
                    templates: Default::default(),
                    planned_refs: Default::default(),
                    planned_links: Default::default(),
                    quiet: false,
                };
                let v = scope.eval_attr(a);
                (Ok(v.value), v.origin)
            }),
        };
        let mut is_default = false;
        let (value, origin) = match given {
            Some((Ok(v), o)) if !v.is_null() || nullable || default.is_none() => (v, o),
            Some((Ok(_), _)) | None => match default {
                Some(d) => match self.eval_const(&d.expr) {
                    Ok(v) => (
                        {
                            is_default = true;
                            v
                        },
                        Some(Origin {
                            location: d.expr_span().into(),
                            via: vec![],
                            constant: true,
                        }),
                    ),
                    Err(e) => {
                        self.error(
                            format!("variable {name:?}: invalid default value: {}", e.message),
                            Some(d.expr_span()),
                        );
                        (Value::unknown(Cause::Variable(name.to_string())), None)
                    }
                },
                None => {
                    if i.parent.is_some() {
                        self.note(
                            format!("{}var.{name}", prefix(&i.addr)),
                            "the module call does not set this required variable",
                            Some(block.header.clone()),
                        );
                    }
                    (Value::unknown(Cause::Variable(name.to_string())), None)
                }
            },
            Some((Err(m), o)) => {
                self.error(
                    format!("invalid value for variable {name:?}: {m}"),
                    o.as_ref().and_then(|o| o.location.span().cloned()),
                );
                (Value::unknown(Cause::Variable(name.to_string())), o)
            }
        };
        let value = match types::convert(value, &ty) {
            Ok(v) => v,
            Err(m) => {
                let at = origin
                    .as_ref()
                    .and_then(|o| o.location.span().cloned())
                    .or(Some(block.header.clone()));
                self.error(format!("invalid value for variable {name:?}: {m}"), at);
                Value::unknown(Cause::Other(format!("var.{name} has an invalid value")))
            }
        };
        Val {
            value: value.mark_if(sensitive),
            origin,
            is_default,
        }
    }

    fn local(&self, inst: usize, name: &str) -> Result<Val, String> {
        let _deeper = self.deeper()?;
        let i = self.inst(inst);
        let src = self.src_of(inst);
        memoized(
            &i.locals,
            name,
            || format!("local.{name} is part of a dependency cycle"),
            || {
                let attr = src
                    .blocks
                    .iter()
                    .filter(|b| b.kind == "locals")
                    .find_map(|b| b.attr(name))
                    .ok_or_else(|| format!("reference to undeclared local value {name:?}"))?;
                Ok(move || Scope::new(self, inst).eval_attr(attr))
            },
        )
    }

    fn output(&self, inst: usize, name: &str) -> Result<Val, String> {
        let _deeper = self.deeper()?;
        let i = self.inst(inst);
        let src = self.src_of(inst);
        memoized(
            &i.outputs,
            name,
            || format!("output {name:?} depends on itself"),
            || {
                let block = src.labeled("output", name).ok_or_else(|| {
                    format!("unsupported attribute: the module has no output named {name:?}")
                })?;
                Ok(move || match block.attr("value") {
                    Some(a) => Scope::new(self, inst).eval_attr(a),
                    None => Val {
                        value: Value::Null,
                        origin: None,
                        is_default: false,
                    },
                })
            },
        )
    }

    fn all_outputs(&self, inst: usize) -> Value {
        let src = self.src_of(inst);
        let mut m = BTreeMap::new();
        for b in src.blocks.iter().filter(|b| b.kind == "output") {
            if let Some(n) = b.labels.first() {
                let v = self
                    .output(inst, n)
                    .map(|v| v.value)
                    .unwrap_or_else(|e| Value::unknown(Cause::Other(e)));
                m.insert(n.clone(), v);
            }
        }
        Value::object(m)
    }

    // ---- module calls ---------------------------------------------------------------------

    fn children(&self, inst: usize, call_name: &str) -> Result<Children, String> {
        let i = self.inst(inst);
        if let Some(c) = i.children.borrow().get(call_name) {
            return Ok(c.clone());
        }
        let src = self.src_of(inst);
        let Some(call) = src.blocks.iter().find(|b| {
            b.kind == "module" && b.labels.first().map(String::as_str) == Some(call_name)
        }) else {
            return Err(format!("reference to undeclared module {call_name:?}"));
        };
        // Mark as unavailable while expanding so a self-reference cannot recurse forever.
        i.children.borrow_mut().insert(
            call_name.to_string(),
            Children::Unknown(Value::unknown(Cause::Other(format!(
                "module.{call_name} depends on itself"
            )))),
        );
        let c = self.expand_call(inst, &i, &src, call);
        i.children
            .borrow_mut()
            .insert(call_name.to_string(), c.clone());
        Ok(c)
    }

    fn expand_call(&self, inst: usize, i: &Instance, src: &ModuleSrc, call: &BlockCfg) -> Children {
        let name = call.labels.first().cloned().unwrap_or_default();
        let base_addr = format!("{}module.{name}", prefix(&i.addr));
        let source_attr = call.attr("source");
        let source = source_attr
            .and_then(|a| self.eval_const(&a.expr).ok())
            .and_then(|v| v.as_str().map(str::to_string));
        let Some(source) = source else {
            self.error(
                format!(
                    "module {name:?}: the source argument is required and must be a literal string"
                ),
                Some(call.header.clone()),
            );
            return Children::Unavailable("module source missing".into());
        };
        let source_span = source_attr.map(|a| a.expr_span());
        let dir = if source.starts_with("./") || source.starts_with("../") {
            let d = src.dir.join(&source);
            match d.canonicalize() {
                Ok(d) if d.is_dir() => Some(d),
                // A symlink loop: canonicalizing gives up (ELOOP) rather than walking forever.
                Err(e) if d.symlink_metadata().is_ok() => {
                    self.error(
                        format!(
                            "module {name:?}: source directory {source:?} cannot be resolved: {e}"
                        ),
                        source_span.clone(),
                    );
                    return Children::Unavailable("module directory unresolvable".into());
                }
                _ => {
                    self.error(
                        format!("module {name:?}: source directory {source:?} does not exist"),
                        source_span.clone(),
                    );
                    return Children::Unavailable("module directory missing".into());
                }
            }
        } else {
            let key = module_key(&base_addr);
            self.modules_json
                .as_ref()
                .and_then(|m| m.get(&key))
                .and_then(|d| d.canonicalize().ok())
                .filter(|d| d.is_dir())
        };
        let Some(dir) = dir else {
            self.note(
                base_addr.clone(),
                format!("module source not available locally ({source})"),
                source_span.clone(),
            );
            self.calls.borrow_mut().push(ModuleCall {
                address: base_addr,
                source,
                dir: None,
                span: call.header.clone(),
            });
            return Children::Unavailable("module source not available locally".into());
        };
        if i.chain.contains(&dir) {
            self.error(
                format!(
                    "module {name:?} calls {}, which is already being loaded: module cycle",
                    self.display(&dir)
                ),
                source_span,
            );
            return Children::Unavailable("module cycle".into());
        }
        let child_src = match self.load_module(&dir) {
            Ok(s) => s,
            Err(e) => {
                self.error(e.message, source_span);
                return Children::Unavailable("module directory unreadable".into());
            }
        };
        let scope = Scope::new(self, inst);
        let keys = scope.expansion(call);
        let mut chain = i.chain.clone();
        chain.push(dir.clone());
        let mk = |key_text: Option<String>,
                  each: Option<(Value, Value)>,
                  count: Option<Value>|
         -> usize {
            let addr = format!("{base_addr}{}", key_text.unwrap_or_default());
            self.calls.borrow_mut().push(ModuleCall {
                address: addr.clone(),
                source: source.clone(),
                dir: Some(self.display(&dir)),
                span: call.header.clone(),
            });
            let mut insts = self.insts.borrow_mut();
            insts.push(Rc::new(Instance {
                addr,
                src: child_src,
                parent: Some(ParentLink {
                    inst,
                    call: call.clone(),
                    each,
                    count,
                }),
                chain: chain.clone(),
                vars: Default::default(),
                locals: Default::default(),
                outputs: Default::default(),
                children: Default::default(),
            }));
            insts.len() - 1
        };
        let children = match keys {
            Expansion::Single => Children::Single(mk(None, None, None)),
            Expansion::Count(n) => Children::List(
                (0..n)
                    .map(|k| mk(Some(format!("[{k}]")), None, Some(Value::int(k as i64))))
                    .collect(),
            ),
            Expansion::ForEach(items) => Children::Map(
                items
                    .into_iter()
                    .map(|(k, v)| {
                        let id = mk(
                            Some(format!("[{}]", quote(&k))),
                            Some((Value::String(k.clone()), v)),
                            None,
                        );
                        (k, id)
                    })
                    .collect(),
            ),
            Expansion::Unknown(u) => {
                self.note(
                    base_addr.clone(),
                    "count/for_each is not known: its resources are checked as one instance",
                    Some(call.header.clone()),
                );
                mk(None, Some((u.clone(), u.clone())), Some(u.clone()));
                Children::Unknown(u)
            }
            Expansion::Error => {
                Children::Unavailable("count/for_each could not be evaluated".into())
            }
        };
        // Arguments that are not variables of the module are an error in Terraform.
        let child = self.mods.borrow()[child_src].clone();
        for a in &call.attrs {
            if matches!(
                a.name.as_str(),
                "source" | "version" | "count" | "for_each" | "providers" | "depends_on"
            ) {
                continue;
            }
            let declared = child
                .blocks
                .iter()
                .any(|b| b.kind == "variable" && b.labels.first() == Some(&a.name));
            if !declared {
                self.error(
                    format!("module {name:?}: unsupported argument {:?}: the module declares no such variable", a.name),
                    Some(a.span.clone()),
                );
            }
        }
        children
    }

    fn module_value(
        &self,
        inst: usize,
        call: &str,
        names: &[Option<String>],
    ) -> Result<(Value, usize), String> {
        let c = self.children(inst, call)?;
        let out_name = names.get(1).cloned().flatten();
        Ok(match c {
            Children::Single(ch) => match out_name {
                Some(o) => (self.output(ch, &o)?.value, 2),
                None => (self.all_outputs(ch), 1),
            },
            Children::List(v) => (
                Value::tuple(v.iter().map(|&c| self.all_outputs(c)).collect()),
                1,
            ),
            Children::Map(m) => (
                Value::object(
                    m.iter()
                        .map(|(k, &c)| (k.clone(), self.all_outputs(c)))
                        .collect(),
                ),
                1,
            ),
            Children::Unknown(u) => (u, names.len()),
            Children::Unavailable(why) => (
                Value::unknown(Cause::Reference(format!("module.{call} ({why})"))),
                names.len(),
            ),
        })
    }

    // ---- the model ------------------------------------------------------------------------

    fn build_model(&self) -> Model {
        let mut model = Model::default();
        if self.insts.borrow().is_empty() {
            return model;
        }
        let mut idx = 0;
        while idx < self.insts.borrow().len() {
            let inst = self.inst(idx);
            let src = self.src_of(idx);
            // Expand every module call first so their instances join the worklist.
            for b in src.blocks.iter().filter(|b| b.kind == "module") {
                if let Some(n) = b.labels.first() {
                    let _ = self.children(idx, n);
                }
            }
            self.collect(idx, &inst, &src, &mut model);
            idx += 1;
        }
        model.modules = self.calls.borrow().clone();
        model.not_evaluated = self.notes.borrow().clone();
        model
    }

    fn collect(&self, idx: usize, inst: &Instance, src: &ModuleSrc, model: &mut Model) {
        let scope = Scope::new(self, idx);
        for b in &src.blocks {
            match b.kind.as_str() {
                "variable" => {
                    if let Some(n) = b.labels.first() {
                        if let Ok(v) = self.var(idx, n) {
                            model.variables.push(Variable {
                                module: inst.addr.clone(),
                                name: n.clone(),
                                sensitive: v.value.is_sensitive(),
                                value: v.value,
                                span: Some(b.header.clone()),
                            });
                        }
                    }
                }
                "locals" => {
                    for a in &b.attrs {
                        if let Ok(v) = self.local(idx, &a.name) {
                            model.locals.push(Named {
                                module: inst.addr.clone(),
                                name: a.name.clone(),
                                value: v.value,
                                span: Some(a.span.clone()),
                            });
                        }
                    }
                }
                "output" => {
                    if let Some(n) = b.labels.first() {
                        if let Ok(v) = self.output(idx, n) {
                            let sensitive = self.const_flag(b, "sensitive", false);
                            model.outputs.push(Named {
                                module: inst.addr.clone(),
                                name: n.clone(),
                                value: v.value.mark_if(sensitive),
                                span: Some(b.header.clone()),
                            });
                        }
                    }
                }
                "provider" => {
                    let (attrs, _) = scope.eval_body(b, "", &mut Vec::new());
                    model.providers.push(Provider {
                        module: inst.addr.clone(),
                        name: b.labels.first().cloned().unwrap_or_default(),
                        alias: attrs
                            .get("alias")
                            .and_then(|v| v.as_str())
                            .map(str::to_string),
                        attributes: attrs,
                        span: b.header.clone(),
                    });
                }
                "terraform" if inst.parent.is_none() => {
                    if let Some(a) = b.attr("required_version") {
                        if let Some(v) = scope.eval_attr(a).value.as_str() {
                            model.required_version = Some(v.to_string());
                        }
                    }
                    for bb in b.blocks_of("backend") {
                        let (attrs, _) = scope.eval_body(bb, "", &mut Vec::new());
                        model.backend = Some(Backend {
                            kind: bb.labels.first().cloned().unwrap_or_default(),
                            attributes: attrs,
                            initialized: None,
                            span: bb.header.clone(),
                            block: bb.span.clone(),
                        });
                    }
                }
                "resource" | "data" => self.collect_resource(idx, inst, b, model),
                // Terraform reads import blocks in the root module only.
                "import" if inst.parent.is_none() => {
                    if let Some(to) = b.attr("to") {
                        let id = b
                            .attr("id")
                            .and_then(|a| scope.eval_attr(a).value.as_str().map(String::from));
                        model.imports.push(crate::model::resource::Import {
                            to: to.expr.to_string().trim().replace(' ', ""),
                            id,
                            span: b.header.clone(),
                        });
                    }
                }
                _ => {}
            }
        }
    }

    /// The module instance whose address is `addr` (`""` for the root).
    fn instance_at(&self, addr: &str) -> Option<usize> {
        self.insts.borrow().iter().position(|i| i.addr == addr)
    }

    /// The value `terraform plan` gives argument `attribute` of managed resource `target`
    /// (instance `key`) in module instance `inst`: what its configuration sets, evaluated in
    /// that instance's scope, unless the provider decides it (`plan_time::PROVIDER_DECIDES`)
    /// or the configuration leaves it unset or unknown. Only top-level arguments: a nested
    /// block's unset attributes take provider defaults this evaluator does not know.
    fn planned_value(
        &self,
        inst: usize,
        target: &str,
        key: Option<&str>,
        attribute: &str,
    ) -> Option<Value> {
        let (kind, (rtype, name)) = match target.strip_prefix("data.") {
            Some(rest) => ("data", rest.split_once('.')?),
            None => ("resource", target.split_once('.')?),
        };
        let planned = if kind == "data" {
            super::plan_time::PROVIDER_FIXED_DATA
                .iter()
                .any(|(t, attrs)| *t == rtype && attrs.contains(&attribute))
                || (rtype == "template_file" && attribute == "rendered")
        } else {
            super::plan_time::configured_value_is_planned(rtype, attribute)
        };
        if !planned {
            return None;
        }
        let memo_key = (
            inst,
            format!("{target}{}.{attribute}", key.unwrap_or_default()),
        );
        match self.planned.borrow().get(&memo_key) {
            Some(Slot::Done(v)) => return v.clone(),
            // A reference back into the argument being computed: Terraform refuses the cycle
            // when it evaluates the resource itself; here it stays unknown.
            Some(Slot::Busy) => return None,
            None => {}
        }
        let src = self.src_of(inst);
        let block = src.blocks.iter().find(|b| {
            b.kind == kind
                && b.labels.first().map(String::as_str) == Some(rtype)
                && b.labels.get(1).map(String::as_str) == Some(name)
        })?;
        // A data source that depends on managed resources is read during apply.
        if kind == "data" && block.attr("depends_on").is_some() {
            return None;
        }
        let a = match kind {
            "resource" => Some(block.attr(attribute)?),
            _ => None,
        };
        let (each, count) = match (self.block_expansion(inst, block), key) {
            (Expansion::Single, None) => (None, None),
            (Expansion::Count(n), Some(k)) => {
                let i: usize = k.strip_prefix('[')?.strip_suffix(']')?.parse().ok()?;
                if i >= n {
                    return None;
                }
                (None, Some(Value::int(i as i64)))
            }
            (Expansion::ForEach(items), Some(k)) => {
                let (ik, iv) = items
                    .into_iter()
                    .find(|(ik, _)| format!("[{}]", quote(ik)) == k)?;
                (Some((Value::String(ik), iv)), None)
            }
            _ => return None,
        };
        let _deeper = self.deeper().ok()?;
        self.planned
            .borrow_mut()
            .insert(memo_key.clone(), Slot::Busy);
        let scope = Scope {
            each,
            count,
            quiet: true,
            ..Scope::new(self, inst)
        };
        let v = match a {
            Some(a) => {
                scope.file.set(Some(a.file));
                Ctx::new(&scope).eval(&a.expr).ok()
            }
            None => self.data_read(inst, &scope, block, rtype, attribute),
        };
        let v = v
            // Null is "not set": the provider fills the argument (a `name` left to
            // `name_prefix`), so it is known only after apply.
            .filter(|v| match v.peel() {
                Value::Null => false,
                // A template rendered with an unknown variable keeps its known text, as a
                // `templatefile()` call does.
                Value::Unknown(u) => kind == "data" && u.cause().template_parts().is_some(),
                _ => true,
            })
            .map(|v| v.mark_if(planned_is_sensitive(kind, rtype, attribute)));
        self.planned
            .borrow_mut()
            .insert(memo_key, Slot::Done(v.clone()));
        v
    }

    /// What `terraform plan` reads for `attribute` of data source `block` (of type `dtype`)
    /// without a request: what the provider's configuration fixes (`aws_region`,
    /// `aws_partition`: `plan_time::PROVIDER_FIXED_DATA`) and the legacy template provider's
    /// `template_file`, which renders as `templatefile()` does.
    fn data_read(
        &self,
        inst: usize,
        scope: &Scope<'_>,
        block: &BlockCfg,
        dtype: &str,
        attribute: &str,
    ) -> Option<Value> {
        let eval = |a: &config::AttrCfg| {
            scope.file.set(Some(a.file));
            Ctx::new(scope).eval(&a.expr).ok()
        };
        match dtype {
            "template_file" => {
                let text = eval(block.attr("template")?)?;
                let vars = match (block.attr("vars"), block.blocks_of("vars").next()) {
                    (Some(a), _) => eval(a)?,
                    // Terraform 0.11 wrote the map as a block (`vars { port = 80 }`), and
                    // rendered it so.
                    (None, Some(b)) => {
                        let mut m = BTreeMap::new();
                        for a in &b.attrs {
                            m.insert(a.name.clone(), eval(a)?);
                        }
                        Value::object(m)
                    }
                    (None, None) => Value::object(Default::default()),
                };
                let marked = text.is_sensitive() || vars.is_sensitive();
                let (Value::String(text), Value::Map(vars)) = (text.peel(), vars.peel()) else {
                    return None;
                };
                crate::hcl::eval::render_template(scope, text, vars)
                    .ok()
                    .map(|v| v.mark_if(marked))
            }
            _ => {
                let named = match dtype {
                    "aws_region" => block.attr("name").or_else(|| block.attr("region")),
                    _ => None,
                };
                let region = match named {
                    Some(a) => eval(a)?.peel().as_str()?.to_string(),
                    None => self.provider_region(inst, provider_alias(block)?)?,
                };
                super::plan_time::provider_fixed_data(dtype, attribute, &region).map(Value::String)
            }
        }
    }

    /// The `region` of the AWS provider configuration that a block in module instance `inst`
    /// uses (`alias` None for the default one): a provider block of the module itself, else
    /// what the module call passes (`providers = { aws = aws.west }`) or, for the default
    /// configuration, what the caller has. None when no configuration sets a known region
    /// (then it comes from the environment at plan time).
    fn provider_region(&self, inst: usize, alias: Option<String>) -> Option<String> {
        let _deeper = self.deeper().ok()?;
        let src = self.src_of(inst);
        let own = src.blocks.iter().find(|b| {
            b.kind == "provider"
                && b.labels.first().map(String::as_str) == Some("aws")
                && b.attr("alias").and_then(literal_text) == alias
        });
        if let Some(p) = own {
            let a = p.attr("region")?;
            let scope = Scope {
                quiet: true,
                ..Scope::new(self, inst)
            };
            scope.file.set(Some(a.file));
            let v = Ctx::new(&scope).eval(&a.expr).ok()?;
            return v.peel().as_str().map(str::to_string);
        }
        let i = self.inst(inst);
        let parent = i.parent.as_ref()?;
        let local = match &alias {
            Some(a) => format!("aws.{a}"),
            None => "aws".to_string(),
        };
        let passed = match parent.call.attr("providers") {
            Some(a) => {
                let hcl_edit::expr::Expression::Object(o) = &a.expr else {
                    return None;
                };
                let v = o.iter().find_map(|(k, v)| {
                    let key = match k {
                        hcl_edit::expr::ObjectKey::Ident(id) => id.as_str().to_string(),
                        hcl_edit::expr::ObjectKey::Expression(e) => unquote(&e.to_string()),
                    };
                    (key == local).then(|| unquote(&v.expr().to_string()))
                })?;
                match v.as_str() {
                    "aws" => None,
                    v => Some(v.strip_prefix("aws.")?.to_string()),
                }
            }
            // Only the default configuration is inherited without being passed.
            None if alias.is_none() => None,
            None => return None,
        };
        self.provider_region(parent.inst, passed)
    }

    /// The expansion of a resource/data block, memoized; a block whose count refers back to
    /// itself (a cycle) is Unknown here, as Terraform would refuse it.
    fn block_expansion(&self, inst: usize, b: &BlockCfg) -> Expansion {
        let key = (inst, format!("{}.{}", b.kind, b.labels.join(".")));
        if let Some(e) = self.expansions.borrow().get(&key) {
            return e.clone();
        }
        let cycle = Expansion::Unknown(Value::unknown(Cause::Other(
            "count/for_each refers to itself".into(),
        )));
        self.expansions.borrow_mut().insert(key.clone(), cycle);
        let e = Scope::new(self, inst).expansion(b);
        self.expansions.borrow_mut().insert(key, e.clone());
        e
    }

    fn collect_resource(&self, idx: usize, inst: &Instance, b: &BlockCfg, model: &mut Model) {
        let (Some(rtype), Some(name)) = (b.labels.first(), b.labels.get(1)) else {
            self.error(
                format!("a {} block needs a type and a name label", b.kind),
                Some(b.header.clone()),
            );
            return;
        };
        let mode = if b.kind == "data" {
            Mode::Data
        } else {
            Mode::Managed
        };
        let base = format!(
            "{}{}{rtype}.{name}",
            prefix(&inst.addr),
            if mode == Mode::Data { "data." } else { "" }
        );
        let keys = self.block_expansion(idx, b);
        let mut make = |key: Option<String>, each: Option<(Value, Value)>, count: Option<Value>| {
            let s = Scope {
                ev: self,
                inst: idx,
                each,
                count,
                iters: Vec::new(),
                file: Default::default(),
                encoded: Default::default(),
                templates: Default::default(),
                planned_refs: Default::default(),
                planned_links: Default::default(),
                quiet: false,
            };
            let mut refs = Vec::new();
            let mut origins = BTreeMap::new();
            let attrs = s.eval_resource_body(b, &mut origins, &mut refs);
            let address = format!("{base}{}", key.clone().unwrap_or_default());
            let addr =
                crate::model::Address::parse(&address).unwrap_or_else(|_| crate::model::Address {
                    module: crate::model::address::parse_module_path(&inst.addr)
                        .unwrap_or_default(),
                    mode,
                    rtype: rtype.clone(),
                    name: name.clone(),
                    key: None,
                });
            model.resources.push(Resource {
                address,
                addr,
                mode,
                rtype: rtype.clone(),
                name: name.clone(),
                module: inst.addr.clone(),
                key,
                attributes: attrs,
                origins,
                references: refs,
                span: Some(b.header.clone()),
                block: Some(b.span.clone()),
                written: crate::model::Written {
                    encoded: s.encoded.take(),
                    templates: s.templates.take(),
                    planned: s.planned_links.take(),
                },
                seen: vec![crate::model::Seen {
                    kind: crate::model::SourceKind::Config,
                    location: b.header.clone().into(),
                }],
                identity: Default::default(),
                depends_on: Vec::new(),
                ignore_changes: ignore_changes(b),
                layers: Vec::new(),
            });
        };
        match keys {
            Expansion::Single => make(None, None, None),
            Expansion::Count(n) => {
                for k in 0..n {
                    make(Some(format!("[{k}]")), None, Some(Value::int(k as i64)));
                }
            }
            Expansion::ForEach(items) => {
                for (k, v) in items {
                    make(
                        Some(format!("[{}]", quote(&k))),
                        Some((Value::String(k), v)),
                        None,
                    );
                }
            }
            Expansion::Unknown(u) => {
                self.note(
                    base.clone(),
                    format!(
                        "count/for_each is not known ({}): checked as one instance",
                        unknown_reason(&u)
                    ),
                    Some(b.header.clone()),
                );
                make(None, Some((u.clone(), u.clone())), Some(u));
            }
            Expansion::Error => {}
        }
    }
}

fn unknown_reason(v: &Value) -> String {
    v.first_unknown()
        .map(|u| u.cause().to_string())
        .unwrap_or_else(|| "unknown".into())
}

fn looks_structured(text: &str) -> bool {
    let t = text.trim_start();
    t.starts_with('[') || t.starts_with('{')
}

fn prefix(addr: &str) -> String {
    if addr.is_empty() {
        String::new()
    } else {
        format!("{addr}.")
    }
}

fn quote(k: &str) -> String {
    serde_json::to_string(k).unwrap_or_else(|_| format!("\"{k}\""))
}

/// modules.json key of a module call: `module.a.module.b` → `a.b` (instance keys dropped).
fn module_key(addr: &str) -> String {
    crate::model::resource::strip_keys(addr)
        .split('.')
        .filter(|s| *s != "module")
        .collect::<Vec<_>>()
        .join(".")
}

/// JSON to a value; the one conversion lives in `model::json`.
pub fn json_to_value(v: &serde_json::Value) -> Value {
    crate::model::json::from_json(v).into_structural()
}

#[derive(Clone)]
enum Expansion {
    Single,
    Count(usize),
    ForEach(Vec<(String, Value)>),
    Unknown(Value),
    Error,
}

/// Evaluation scope of one module instance (plus `each`/`count` of the block being expanded
/// and the iterators of enclosing `dynamic` blocks).
#[derive(Clone)]
struct Scope<'a> {
    ev: &'a Evaluator,
    inst: usize,
    each: Option<(Value, Value)>,
    count: Option<Value>,
    iters: Vec<(String, Value)>,
    /// File of the attribute being evaluated, so notes from inside it can be located.
    file: std::cell::Cell<Option<FileId>>,
    /// Arguments of `jsonencode(...)` attributes before encoding (see `Resource::encoded`).
    encoded: RefCell<BTreeMap<String, Value>>,
    /// Parts of string-template attributes whose result is unknown (see `Resource::templates`).
    templates: RefCell<BTreeMap<String, Vec<Value>>>,
    /// References this scope resolved to a planned value (`aws_lb_target_group.api.port`
    /// written `80`): the value no longer says where it came from, so the link is kept here.
    planned_refs: RefCell<Vec<Cause>>,
    /// `planned_refs` of each attribute path of the resource being evaluated.
    planned_links: RefCell<BTreeMap<String, Vec<Cause>>>,
    /// Evaluating another resource's argument for its planned value: notes belong to that
    /// resource's own evaluation, not to this one.
    quiet: bool,
}

impl<'a> Scope<'a> {
    fn new(ev: &'a Evaluator, inst: usize) -> Scope<'a> {
        Scope {
            ev,
            inst,
            each: None,
            count: None,
            iters: Vec::new(),
            file: Default::default(),
            encoded: Default::default(),
            templates: Default::default(),
            planned_refs: Default::default(),
            planned_links: Default::default(),
            quiet: false,
        }
    }

    fn file_span(&self, file: FileId, e: &EvalError, fallback: Span) -> Span {
        e.range
            .clone()
            .map(|r| Span::new(file, r))
            .unwrap_or(fallback)
    }

    /// Evaluates an attribute; an error is recorded (located) and the value becomes Unknown.
    fn eval_attr(&self, a: &AttrCfg) -> Val {
        self.eval_attr_with_refs(a).0
    }

    /// Like `eval_attr`, also returning what the expression refers to (read once, used for
    /// both provenance and the resource's references).
    fn eval_attr_with_refs(&self, a: &AttrCfg) -> (Val, Vec<RootRef>) {
        let refs = root_refs(&a.expr);
        self.file.set(Some(a.file));
        let value = match Ctx::new(self).eval(&a.expr) {
            Ok(v) => v,
            Err(e) => {
                self.ev.error(
                    e.message.clone(),
                    Some(self.file_span(a.file, &e, a.expr_span())),
                );
                Value::unknown(Cause::Other(format!("{} could not be evaluated", a.name)))
            }
        };
        let (via, constant) = self.provenance(&refs);
        let val = Val {
            value,
            origin: Some(Origin {
                location: a.expr_span().into(),
                via,
                constant,
            }),
            is_default: false,
        };
        (val, refs)
    }

    /// `policy = jsonencode({...})` with one ARN known only after apply is wholly unknown,
    /// as in Terraform; rules still need the statements' actions. Keep the argument itself.
    fn capture_encoded(&self, a: &AttrCfg, path: &str, value: &Value) {
        match &a.expr {
            hcl_edit::expr::Expression::StringTemplate(t) => {
                self.capture_template(t, path, value);
                return;
            }
            // `policy_arns = ["arn:${local.partition}:iam::aws:policy/X"]`
            hcl_edit::expr::Expression::Array(items) => {
                for (i, e) in items.iter().enumerate() {
                    if let (hcl_edit::expr::Expression::StringTemplate(t), Some(v)) =
                        (e, value.as_list().and_then(|l| l.get(i)))
                    {
                        self.capture_template(t, &format!("{path}[{i}]"), v);
                    }
                }
                return;
            }
            _ => {}
        }
        let Some(arg) = jsonencode_arg(&a.expr) else {
            return;
        };
        if !matches!(value.peel(), Value::Unknown(_)) {
            return;
        }
        if let Ok(v) = Ctx::new(self).eval(arg) {
            self.encoded.borrow_mut().insert(path.to_string(), v);
        }
        self.capture_templates_in(arg, path);
    }

    /// Inside a `jsonencode` argument written as literal lists and objects, the templates
    /// whose result is unknown (`image = "1234.dkr.ecr….amazonaws.com/web:${var.tag}"`), keyed
    /// by their path under the attribute (`container_definitions[0].image`).
    fn capture_templates_in(&self, arg: &hcl_edit::expr::Expression, path: &str) {
        let mut capture = |p: &str, e: &hcl_edit::expr::Expression| {
            let mut e = e;
            while let hcl_edit::expr::Expression::Parenthesis(inner) = e {
                e = inner.inner();
            }
            if let hcl_edit::expr::Expression::StringTemplate(t) = e {
                if let Ok(v) = Ctx::new(self).eval(e) {
                    self.capture_template(t, p, &v);
                }
            }
        };
        capture(path, arg);
        each_constructed(arg, path, &mut capture);
    }

    /// An unknown partition or account id in an ARN template hides nothing else: keep the
    /// parts (templates with directives are left alone).
    fn capture_template(&self, t: &hcl_edit::template::StringTemplate, path: &str, value: &Value) {
        use hcl_edit::template::Element;
        if !matches!(value.peel(), Value::Unknown(_)) {
            return;
        }
        let mut parts = Vec::new();
        for el in t.iter() {
            match el {
                Element::Literal(s) => parts.push(Value::String(s.value().to_string())),
                Element::Interpolation(i) => {
                    let v = Ctx::new(self)
                        .eval(&i.expr)
                        .unwrap_or(Value::unknown(Cause::Other(
                            "the interpolation could not be evaluated".into(),
                        )));
                    parts.push(match v.to_tf_string() {
                        Ok(s) if v.is_wholly_known() => Value::String(s),
                        _ => v,
                    });
                }
                Element::Directive(_) => return,
            }
        }
        self.templates.borrow_mut().insert(path.to_string(), parts);
    }

    /// Origins inside an attribute written as constructors, `jsonencode(<constructors>)` or a
    /// heredoc of JSON: `container_definitions[0].portMappings[0].containerPort` points at the
    /// `80` itself, so findings about one field of a structure name its exact place. The walk
    /// stops at anything else (`for`, calls, references): `Resource::origin_at` falls back to
    /// the nearest recorded enclosing path.
    fn nested_origins(&self, a: &AttrCfg, path: &str, out: &mut BTreeMap<String, Origin>) {
        use hcl_edit::expr::Expression as E;
        if let Some(arg) = jsonencode_arg(&a.expr) {
            self.constructor_origins(a.file, arg, path, out);
            return;
        }
        match &a.expr {
            E::Object(_) | E::Array(_) => self.constructor_origins(a.file, &a.expr, path, out),
            E::HeredocTemplate(_) => {
                if let Some(span) = config::expr_span(a.file, &a.expr) {
                    let sources = self.ev.sources.borrow();
                    let f = sources.get(a.file);
                    // Spans are parsed-text offsets; the scan reads the original text, so it
                    // runs only where the two agree.
                    if f.original_offset(span.end) == span.end {
                        if let Some(text) = f.text.get(span.start..span.end) {
                            for (p, r) in super::json_spans::value_spans(text) {
                                let r = span.start + r.start..span.start + r.end;
                                out.entry(format!("{path}{p}")).or_insert(Origin {
                                    location: Span::new(a.file, r).into(),
                                    via: Vec::new(),
                                    constant: false,
                                });
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn constructor_origins(
        &self,
        file: FileId,
        expr: &hcl_edit::expr::Expression,
        path: &str,
        out: &mut BTreeMap<String, Origin>,
    ) {
        use hcl_edit::expr::Expression as E;
        each_constructed(expr, path, &mut |p, e| {
            if let Some(span) = config::expr_span(file, e) {
                let (via, constant) = match e {
                    E::Object(_) | E::Array(_) => (Vec::new(), true),
                    _ => self.provenance(&root_refs(e)),
                };
                out.insert(
                    p.to_string(),
                    Origin {
                        location: span.into(),
                        via,
                        constant,
                    },
                );
            }
        });
    }

    /// Where the variables and locals an expression reads got their values, and whether they
    /// all come from text in the configuration (see `Origin::constant`).
    fn provenance(&self, refs: &[RootRef]) -> (Vec<Via>, bool) {
        let mut out: Vec<Via> = Vec::new();
        let mut constant = true;
        let from_module = self.ev.inst(self.inst).parent.is_some();
        for r in refs {
            let name = match r.names.first() {
                Some(n) => n,
                None => {
                    constant &= matches!(r.root.as_str(), "count" | "path" | "terraform");
                    continue;
                }
            };
            constant &= matches!(
                r.root.as_str(),
                "var" | "local" | "count" | "path" | "terraform"
            );
            let (origin, is_default) = match r.root.as_str() {
                "var" => match self.ev.var(self.inst, name) {
                    Ok(v) => (v.origin, v.is_default),
                    Err(_) => (None, false),
                },
                "local" => (
                    self.ev.local(self.inst, name).ok().and_then(|v| v.origin),
                    false,
                ),
                _ => (None, false),
            };
            if matches!(r.root.as_str(), "var" | "local") {
                constant &= origin.as_ref().is_some_and(|o| o.constant);
            }
            if let Some(o) = origin {
                let Some(file) = o.location.span().map(|s| s.file) else {
                    continue;
                };
                let file = self.ev.sources.borrow().get(file).display.clone();
                let label =
                    origin_label(&r.root, name, &file, is_default, from_module && !is_default);
                let head = Via {
                    location: o.location,
                    label,
                    supplies: false,
                };
                for v in std::iter::once(head).chain(o.via) {
                    if !out.iter().any(|x| x.location == v.location) {
                        out.push(v);
                    }
                }
            }
        }
        out.truncate(8);
        (out, constant)
    }

    /// `n` instances of a block, or, past `max_instances`, an error at the count/for_each
    /// and one instance with an unknown key: its body is still checked, and nothing is
    /// allocated per instance.
    fn bounded(&self, n: u128, arg: &str, a: &AttrCfg) -> Expansion {
        match self.admit(n, arg, a) {
            Ok(()) => Expansion::Count(n as usize),
            Err(e) => e,
        }
    }

    /// Admits `n` more instances, within `max_instances` for this block and
    /// `max_total_instances` for the root; past either, an error at the count/for_each and
    /// the expansion to use instead.
    fn admit(&self, n: u128, arg: &str, a: &AttrCfg) -> Result<(), Expansion> {
        let limits = &self.ev.limits;
        let max = limits.max_instances;
        let total = self.ev.instances.get() + n;
        let (message, cause) = if n > max as u128 {
            (
                format!(
                    "{arg} expands this block into {n} instances, over the limit of {max} \
                     (raise limits.max_instances in infra-lint.toml)"
                ),
                format!("{arg} is over the limit of {max} instances"),
            )
        } else if total > limits.max_total_instances as u128 {
            let max = limits.max_total_instances;
            // Reported once, where the total was passed; later blocks are cut short silently
            // (each is a note on its resource), or a module's count would repeat it per
            // instance.
            if self.ev.instances.get() > max as u128 {
                return Err(Expansion::Unknown(Value::unknown(Cause::Other(format!(
                    "the root is over the limit of {max} instances"
                )))));
            }
            self.ev.instances.set(total);
            (
                format!(
                    "{arg} expands this block into {n} more instances, {total} in this root \
                     with the modules' own count/for_each, over the limit of {max} \
                     (raise limits.max_total_instances in infra-lint.toml)"
                ),
                format!("{arg} is over the limit of {max} instances in one root"),
            )
        } else {
            self.ev.instances.set(total);
            return Ok(());
        };
        self.ev.error(message, Some(a.expr_span()));
        Err(Expansion::Unknown(Value::unknown(Cause::Other(cause))))
    }

    fn expansion(&self, b: &BlockCfg) -> Expansion {
        if let Some(c) = b.attr("count") {
            let v = self.eval_attr(c).value;
            let (v, _) = v.unmark();
            return match v {
                Value::Unknown(_) => Expansion::Unknown(v),
                Value::Number(n) => match n.to_i64() {
                    Some(k) if k >= 0 => self.bounded(k as u128, "count", c),
                    _ => {
                        self.ev.error(
                            format!(
                                "invalid count: must be a whole number ≥ 0, got {}",
                                n.format()
                            ),
                            Some(c.expr_span()),
                        );
                        Expansion::Error
                    }
                },
                other => match other.to_tf_number().ok().and_then(|n| n.to_i64()) {
                    Some(k) if k >= 0 => self.bounded(k as u128, "count", c),
                    _ => {
                        self.ev.error(
                            format!(
                                "invalid count: a whole number is required, got {}",
                                other.type_name()
                            ),
                            Some(c.expr_span()),
                        );
                        Expansion::Error
                    }
                },
            };
        }
        if let Some(f) = b.attr("for_each") {
            let v = self.eval_attr(f).value;
            let n = match v.peel() {
                Value::Map(m) => m.len(),
                Value::Set(l) | Value::List(Seq { items: l, .. }) => l.len(),
                _ => 0,
            };
            if let Err(e) = self.admit(n as u128, "for_each", f) {
                return e;
            }
            if !v.is_wholly_known() && !matches!(v.peel(), Value::Map(_)) {
                return Expansion::Unknown(Value::Unknown(
                    v.first_unknown().cloned().expect("unknown"),
                ));
            }
            let (v, _) = v.unmark();
            return match v {
                Value::Map(m) => Expansion::ForEach(m.into_iter().collect()),
                Value::Set(items) | Value::List(Seq { items, .. }) => {
                    let mut out = Vec::new();
                    for it in items {
                        match it.to_tf_string() {
                            Ok(s) => out.push((s.clone(), Value::String(s))),
                            Err(_) => {
                                self.ev.error(
                                    "invalid for_each: a set of strings or a map is required",
                                    Some(f.expr_span()),
                                );
                                return Expansion::Error;
                            }
                        }
                    }
                    out.sort_by(|a, b| a.0.cmp(&b.0));
                    out.dedup_by(|a, b| a.0 == b.0);
                    Expansion::ForEach(out)
                }
                Value::Null => {
                    self.ev
                        .error("invalid for_each: the value is null", Some(f.expr_span()));
                    Expansion::Error
                }
                other => {
                    self.ev.error(
                        format!(
                            "invalid for_each: a map or set of strings is required, got {}",
                            other.type_name()
                        ),
                        Some(f.expr_span()),
                    );
                    Expansion::Error
                }
            };
        }
        Expansion::Single
    }

    fn eval_resource_body(
        &self,
        b: &BlockCfg,
        origins: &mut BTreeMap<String, Origin>,
        refs: &mut Vec<Reference>,
    ) -> BTreeMap<String, Value> {
        let mut collected = Vec::new();
        let (attrs, body_origins) = self.eval_body(b, "", &mut collected);
        origins.extend(body_origins);
        let module = prefix(&self.ev.inst(self.inst).addr);
        let module = crate::model::resource::strip_keys(&module);
        for (from, root_refs) in collected {
            for r in root_refs {
                let target = match r.root.as_str() {
                    "data" if r.names.len() >= 2 => Some((
                        format!("{module}data.{}.{}", r.names[0], r.names[1]),
                        r.names[2..].to_vec(),
                    )),
                    "module" if !r.names.is_empty() => Some((
                        format!("{module}module.{}", r.names[0]),
                        r.names[1..].to_vec(),
                    )),
                    root if !is_builtin_root(root) && !r.names.is_empty() => Some((
                        format!("{module}{root}.{}", r.names[0]),
                        r.names[1..].to_vec(),
                    )),
                    _ => None,
                };
                if let Some((target, attribute)) = target {
                    let rf = Reference {
                        from: from.clone(),
                        target,
                        attribute,
                    };
                    if !refs.contains(&rf) {
                        refs.push(rf);
                    }
                }
            }
        }
        attrs
    }

    /// Evaluates a block body to a map: attributes, and nested blocks as lists of maps
    /// (`dynamic` blocks expanded). Records each attribute's origin under its path and
    /// collects (path, references) pairs for the resource's references.
    fn eval_body(
        &self,
        b: &BlockCfg,
        path: &str,
        exprs: &mut Vec<(String, Vec<RootRef>)>,
    ) -> (BTreeMap<String, Value>, BTreeMap<String, Origin>) {
        let mut out = BTreeMap::new();
        let mut origins = BTreeMap::new();
        let top = path.is_empty();
        for a in &b.attrs {
            if top
                && matches!(
                    a.name.as_str(),
                    "count" | "for_each" | "provider" | "depends_on"
                )
            {
                continue;
            }
            let p = join_path(path, &a.name);
            let (v, refs) = self.eval_attr_with_refs(a);
            self.capture_encoded(a, &p, &v.value);
            let planned = self.planned_refs.take();
            if !planned.is_empty() {
                let mut links = self.planned_links.borrow_mut();
                let at = links.entry(p.clone()).or_default();
                for c in planned {
                    if !at.contains(&c) {
                        at.push(c);
                    }
                }
            }
            if let Some(o) = v.origin {
                origins.insert(p.clone(), o);
            }
            self.nested_origins(a, &p, &mut origins);
            exprs.push((p, refs));
            out.insert(a.name.clone(), v.value);
        }
        let mut lists: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        for nb in &b.blocks {
            if top && matches!(nb.kind.as_str(), "lifecycle" | "provisioner" | "connection") {
                continue;
            }
            if nb.kind == "dynamic" {
                self.eval_dynamic(nb, path, &mut lists, &mut origins, exprs);
                continue;
            }
            let list = lists.entry(nb.kind.clone()).or_default();
            let p = format!("{}[{}]", join_path(path, &nb.kind), list.len());
            let (m, o) = self.eval_body(nb, &p, exprs);
            origins.extend(o);
            list.push(Value::map(m));
        }
        for (k, v) in lists {
            out.insert(k, Value::list(v));
        }
        (out, origins)
    }

    fn eval_dynamic(
        &self,
        d: &BlockCfg,
        path: &str,
        lists: &mut BTreeMap<String, Vec<Value>>,
        origins: &mut BTreeMap<String, Origin>,
        exprs: &mut Vec<(String, Vec<RootRef>)>,
    ) {
        let Some(kind) = d.labels.first().cloned() else {
            self.ev
                .error("a dynamic block needs a label", Some(d.header.clone()));
            return;
        };
        let Some(content) = d.blocks_of("content").next() else {
            self.ev.error(
                "a dynamic block needs a content block",
                Some(d.header.clone()),
            );
            return;
        };
        let iterator = d
            .attr("iterator")
            .and_then(|a| match &a.expr {
                hcl_edit::expr::Expression::Variable(v) => Some(v.as_str().to_string()),
                _ => None,
            })
            .unwrap_or_else(|| kind.clone());
        let Some(fe) = d.attr("for_each") else {
            self.ev
                .error("a dynamic block needs for_each", Some(d.header.clone()));
            return;
        };
        let coll = self.eval_attr(fe).value;
        let (coll, _) = coll.unmark();
        let pairs = match iterate(coll) {
            Ok(Some(p)) => p,
            Ok(None) => {
                self.ev.note(
                    format!("dynamic \"{kind}\""),
                    "for_each is not known: the generated blocks are not evaluated",
                    Some(d.header.clone()),
                );
                // The blocks it makes are not known, not absent: a `statement` that may grant
                // what a rule looks for, an `ingress` that may admit a port. An Unknown among
                // the blocks makes the analyses say "not evaluated" instead of "missing".
                lists.entry(kind.clone()).or_default().push(Value::unknown(
                    crate::model::Cause::Other(format!(
                        "the blocks of dynamic \"{kind}\" are not known: its for_each is not known"
                    )),
                ));
                return;
            }
            Err(m) => {
                self.ev
                    .error(format!("dynamic \"{kind}\": {m}"), Some(fe.expr_span()));
                return;
            }
        };
        for (k, v) in pairs {
            let mut it = BTreeMap::new();
            it.insert("key".to_string(), k);
            it.insert("value".to_string(), v);
            let mut inner = self.clone();
            inner.iters.push((iterator.clone(), Value::object(it)));
            let list = lists.entry(kind.clone()).or_default();
            let p = format!("{}[{}]", join_path(path, &kind), list.len());
            let (m, o) = inner.eval_body(content, &p, exprs);
            origins.extend(o);
            list.push(Value::map(m));
        }
    }
}

/// The argument of `jsonencode(X)`, the form whose structure rules look inside.
fn jsonencode_arg(e: &hcl_edit::expr::Expression) -> Option<&hcl_edit::expr::Expression> {
    match e {
        hcl_edit::expr::Expression::FuncCall(f)
            if !f.name.is_namespaced() && f.name.name.as_str() == "jsonencode" =>
        {
            match f.args.iter().collect::<Vec<_>>().as_slice() {
                [arg] => Some(*arg),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Visits every element of the literal lists and objects in `expr` (not `expr` itself) with
/// its path below `path` (`[0]`, `.key`); the walk stops at anything that is not a constructor
/// (`for`, calls, references) and at keys that are expressions.
fn each_constructed(
    expr: &hcl_edit::expr::Expression,
    path: &str,
    f: &mut dyn FnMut(&str, &hcl_edit::expr::Expression),
) {
    use hcl_edit::expr::{Expression as E, ObjectKey};
    match expr {
        E::Parenthesis(p) => each_constructed(p.inner(), path, f),
        E::Array(items) => {
            for (i, e) in items.iter().enumerate() {
                let p = format!("{path}[{i}]");
                f(&p, e);
                each_constructed(e, &p, f);
            }
        }
        E::Object(o) => {
            for (k, v) in o.iter() {
                let key = match k {
                    ObjectKey::Ident(id) => id.as_str().to_string(),
                    ObjectKey::Expression(E::String(s)) => s.value().to_string(),
                    ObjectKey::Expression(_) => continue,
                };
                let p = join_path(path, &key);
                f(&p, v.expr());
                each_constructed(v.expr(), &p, f);
            }
        }
        _ => {}
    }
}

fn join_path(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

impl Scope<'_> {
    /// A resource or data source as an expression sees it: one unknown object per instance
    /// (a list for `count`, a map for `for_each`), each remembering which instance it is, so
    /// `length(aws_subnet.public)` is known and `aws_subnet.public[0].id` leads to that subnet.
    fn resource_value(&self, block: Option<&BlockCfg>, target: &str) -> Value {
        let module = self.ev.inst(self.inst).addr.clone();
        let unknown = |key: Option<String>| {
            Value::unknown(Cause::Resource {
                module: module.clone(),
                target: target.to_string(),
                key,
                attribute: None,
            })
        };
        match block.map(|b| self.ev.block_expansion(self.inst, b)) {
            Some(Expansion::Count(n)) => {
                Value::tuple((0..n).map(|i| unknown(Some(format!("[{i}]")))).collect())
            }
            Some(Expansion::ForEach(kv)) => Value::object(
                kv.into_iter()
                    .map(|(k, _)| {
                        let key = format!("[{}]", quote(&k));
                        (k, unknown(Some(key)))
                    })
                    .collect(),
            ),
            _ => unknown(None),
        }
    }
}

impl Env for Scope<'_> {
    fn cwd(&self) -> &Path {
        &self.ev.root
    }

    fn planned_attribute(&self, cause: &Cause) -> Option<Value> {
        let Cause::Resource {
            module,
            target,
            key,
            attribute: Some(attribute),
        } = cause
        else {
            return None;
        };
        let inst = self.ev.instance_at(module)?;
        let v = self
            .ev
            .planned_value(inst, target, key.as_deref(), attribute)?;
        self.planned_refs.borrow_mut().push(cause.clone());
        Some(v)
    }

    fn resolve(
        &self,
        root: &str,
        names: &[Option<String>],
    ) -> Option<Result<(Value, usize), String>> {
        if let Some((_, v)) = self.iters.iter().rev().find(|(n, _)| n == root) {
            return Some(Ok((v.clone(), 0)));
        }
        let first = names.first().cloned().flatten();
        let r = match root {
            "var" => first
                .ok_or_else(|| "var must be followed by a variable name".to_string())
                .and_then(|n| self.ev.var(self.inst, &n).map(|v| (v.value, 1))),
            "local" => first
                .ok_or_else(|| "local must be followed by a local name".to_string())
                .and_then(|n| self.ev.local(self.inst, &n).map(|v| (v.value, 1))),
            "module" => first
                .ok_or_else(|| "module must be followed by a module name".to_string())
                .and_then(|n| self.ev.module_value(self.inst, &n, names)),
            "count" => match (&self.count, first.as_deref()) {
                (Some(c), Some("index")) => Ok((c.clone(), 1)),
                _ => Err("count.index can only be used in a block that sets count".into()),
            },
            "each" => match (&self.each, first.as_deref()) {
                (Some((k, _)), Some("key")) => Ok((k.clone(), 1)),
                (Some((_, v)), Some("value")) => Ok((v.clone(), 1)),
                _ => Err(
                    "each.key and each.value can only be used in a block that sets for_each".into(),
                ),
            },
            "path" => {
                let src = self.ev.src_of(self.inst);
                match first.as_deref() {
                    Some("module") => Ok((Value::String(src.rel.clone()), 1)),
                    Some("root") => Ok((Value::string("."), 1)),
                    Some("cwd") => Ok((
                        Value::String(self.ev.root.to_string_lossy().into_owned()),
                        1,
                    )),
                    _ => Err("path has only module, root and cwd".into()),
                }
            }
            "terraform" => match first.as_deref() {
                Some("workspace") => Ok((Value::string("default"), 1)),
                _ => Err("terraform has only workspace".into()),
            },
            "self" => Ok((Value::unknown(Cause::Reference("self".into())), names.len())),
            "data" => {
                let addr: Vec<String> = names.iter().take(2).map_while(|n| n.clone()).collect();
                if addr.len() < 2 {
                    return Some(Err("a data source reference needs a type and a name".into()));
                }
                let src = self.ev.src_of(self.inst);
                let block = src.blocks.iter().find(|b| {
                    b.kind == "data"
                        && b.labels.first() == addr.first()
                        && b.labels.get(1) == addr.get(1)
                });
                let what = format!("data.{}.{}", addr[0], addr[1]);
                match block {
                    Some(_) => Ok((self.resource_value(block, &what), 2)),
                    None => match src.unparsed_reason(&what, "data", &[&addr[0], &addr[1]]) {
                        Some(why) => Ok((Value::unknown(Cause::Other(why)), 2)),
                        None => Err(format!(
                            "Reference to undeclared resource: a data resource {:?} {:?} has not been declared",
                            addr[0], addr[1]
                        )),
                    },
                }
            }
            other => {
                let src = self.ev.src_of(self.inst);
                let name = first.as_ref()?;
                let block = src.blocks.iter().find(|b| {
                    b.kind == "resource"
                        && b.labels.first().map(String::as_str) == Some(other)
                        && b.labels.get(1) == Some(name)
                });
                match block {
                    Some(block) => Ok((
                        self.resource_value(Some(block), &format!("{other}.{name}")),
                        1,
                    )),
                    None => {
                        let what = format!("{other}.{name}");
                        let why = src.unparsed_reason(&what, "resource", &[other, name])?;
                        Ok((Value::unknown(Cause::Other(why)), 1))
                    }
                }
            }
        };
        // A variable, local or module call that no parsed file declares may be declared in a
        // file with a syntax error: that error is reported once, not again at every use.
        let first = names.first().cloned().flatten();
        let r = match (r, first.as_deref()) {
            (Err(m), Some(n)) if matches!(root, "var" | "local" | "module") => {
                let src = self.ev.src_of(self.inst);
                let declared = match root {
                    "var" => src.labeled("variable", n).is_some(),
                    "module" => src.labeled("module", n).is_some(),
                    _ => src
                        .blocks
                        .iter()
                        .any(|b| b.kind == "locals" && b.attr(n).is_some()),
                };
                let kind = match root {
                    "var" => "variable",
                    "module" => "module",
                    _ => "locals",
                };
                let labels: &[&str] = if kind == "locals" { &[] } else { &[n] };
                match src
                    .unparsed_reason(&format!("{root}.{n}"), kind, labels)
                    .filter(|_| !declared)
                {
                    Some(why) => Ok((Value::unknown(Cause::Other(why)), 1)),
                    None => Err(m),
                }
            }
            (r, _) => r,
        };
        Some(r)
    }

    fn note(&self, message: String, range: Option<std::ops::Range<usize>>) {
        if self.quiet {
            return;
        }
        let span = self.file.get().zip(range).map(|(f, r)| Span::new(f, r));
        self.ev.note(message, "not evaluated", span);
    }

    fn limits(&self) -> &Limits {
        &self.ev.limits
    }
}

/// Constants only: tfvars values, variable defaults, `sensitive = true`.
struct ConstEnv<'a> {
    cwd: &'a Path,
    limits: &'a Limits,
}

impl Env for ConstEnv<'_> {
    fn cwd(&self) -> &Path {
        self.cwd
    }
    fn limits(&self) -> &Limits {
        self.limits
    }
    fn resolve(
        &self,
        root: &str,
        _names: &[Option<String>],
    ) -> Option<Result<(Value, usize), String>> {
        Some(Err(format!(
            "variables are not allowed here: {root} cannot be referenced in a constant value"
        )))
    }
}

/// `lifecycle { ignore_changes = [a, b[0].c] }` as paths; `all` is `*`.
fn ignore_changes(b: &BlockCfg) -> Vec<String> {
    use hcl_edit::expr::Expression;
    let Some(a) = b
        .blocks
        .iter()
        .filter(|l| l.kind == "lifecycle")
        .find_map(|l| l.attr("ignore_changes"))
    else {
        return Vec::new();
    };
    let name = |e: &Expression| -> Option<String> {
        match e {
            Expression::String(s) => Some(s.value().to_string()),
            other => {
                let text = other.to_string();
                let text = text.trim();
                (!text.is_empty()).then(|| text.replace(' ', ""))
            }
        }
    };
    match &a.expr {
        Expression::Array(items) => items.iter().filter_map(name).collect(),
        e => match name(e).as_deref() {
            Some("all") => vec!["*".into()],
            Some(other) => vec![other.to_string()],
            None => Vec::new(),
        },
    }
}

/// The provider configuration a block selects with `provider = aws.NAME`: Some(None) for the
/// default AWS one, None for another provider's.
fn provider_alias(b: &BlockCfg) -> Option<Option<String>> {
    let Some(a) = b.attr("provider") else {
        return Some(None);
    };
    match unquote(&a.expr.to_string()).as_str() {
        "aws" => Some(None),
        p => Some(Some(p.strip_prefix("aws.")?.to_string())),
    }
}

/// A literal attribute's text (`alias = "west"`).
fn literal_text(a: &config::AttrCfg) -> Option<String> {
    match &a.expr {
        hcl_edit::expr::Expression::String(s) => Some(s.value().to_string()),
        _ => None,
    }
}

/// Expression text without its decoration and quotes (`"aws.west"` or `aws.west`).
fn unquote(text: &str) -> String {
    text.trim().trim_matches('"').to_string()
}

/// Whether the plan marks a planned argument sensitive: the AWS provider's schema says so for
/// its types (an argument holding a sensitive nested attribute counts whole, as a reference to
/// the argument carries the mark). Another provider's schema is not known here, so its
/// arguments named like a secret are marked rather than risk printing one.
fn planned_is_sensitive(kind: &str, rtype: &str, attribute: &str) -> bool {
    let mode = if kind == "data" {
        crate::model::Mode::Data
    } else {
        crate::model::Mode::Managed
    };
    if rtype.starts_with("aws_") {
        return crate::model::secrets::secret_paths(mode, rtype)
            .iter()
            .any(|path| path.first() == Some(&attribute));
    }
    ["password", "secret", "token", "private_key"]
        .iter()
        .any(|w| attribute.contains(w))
}
