//! Expression evaluation over the hcl-edit tree, with Terraform's semantics: Unknown and
//! Sensitive flow through every operation, references to resources stay Unknown.
use crate::hcl::functions::{self, FnCtx};
use crate::hcl::types;
use crate::model::limits::Limits;
use crate::model::{Cause, Number, Part, Seq, SeqKind, Value};
use hcl_edit::expr::{
    BinaryOperator, Expression, ForExpr, ObjectKey, TraversalOperator, UnaryOperator,
};
use hcl_edit::template::{Directive, Element, Template};
use hcl_edit::Span as _;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

/// An evaluation error, located by the byte range of the failing expression in its file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvalError {
    pub message: String,
    pub range: Option<Range<usize>>,
}

impl EvalError {
    fn at(expr: &Expression, message: impl Into<String>) -> EvalError {
        EvalError {
            message: message.into(),
            range: expr.span(),
        }
    }
    pub fn plain(message: impl Into<String>) -> EvalError {
        EvalError {
            message: message.into(),
            range: None,
        }
    }
}

type R = Result<Value, EvalError>;

/// What the evaluator asks of the configuration around an expression.
pub trait Env {
    /// Terraform's working directory (for `file()`, `abspath()`...).
    fn cwd(&self) -> &Path;
    /// Resolves a traversal rooted at `root` (`var`, `local`, `module`, `each`, a resource
    /// type...). `names` holds, per following operator, its static attribute/key name if it has
    /// one. Returns the value and how many operators were consumed, or None if `root` is not a
    /// known name here.
    fn resolve(
        &self,
        root: &str,
        names: &[Option<String>],
    ) -> Option<Result<(Value, usize), String>>;
    /// Records something that could not be evaluated (an unsupported function...).
    fn note(&self, _message: String, _range: Option<Range<usize>>) {}
    /// The bounds on evaluated values (infra-lint.toml `[limits]`).
    fn limits(&self) -> &Limits {
        &Limits::DEFAULT
    }
    /// Evaluating inside a `templatefile` template.
    fn in_template(&self) -> bool {
        false
    }
    /// What the plan knows of a resource attribute that `cause` names
    /// (`aws_lb_target_group.api.port`): the configured value when the configuration sets it
    /// and the provider keeps it (see `hcl::plan_time`), or None when it is known only after
    /// apply.
    fn planned_attribute(&self, _cause: &Cause) -> Option<Value> {
        None
    }
    /// Whether functions that read files may be called (not in a `templatestring` template).
    fn reads_files(&self) -> bool {
        true
    }
}

/// Evaluation context: the environment plus the local names that `for` expressions,
/// templates and `dynamic` blocks introduce.
pub struct Ctx<'e> {
    pub env: &'e dyn Env,
    scopes: Vec<BTreeMap<String, Value>>,
    /// The parts of the template being rendered, while its top level is rendered: an unknown
    /// interpolation there ends a literal part instead of the whole render.
    partial: Option<Vec<Part>>,
    /// How many `render` calls are active for the current template (1 = its top level).
    render_depth: usize,
}

impl<'e> Ctx<'e> {
    pub fn new(env: &'e dyn Env) -> Ctx<'e> {
        Ctx {
            env,
            scopes: Vec::new(),
            partial: None,
            render_depth: 0,
        }
    }
    pub fn with_scope(env: &'e dyn Env, scope: BTreeMap<String, Value>) -> Ctx<'e> {
        Ctx {
            env,
            scopes: vec![scope],
            partial: None,
            render_depth: 0,
        }
    }
    fn lookup_local(&self, name: &str) -> Option<&Value> {
        self.scopes.iter().rev().find_map(|s| s.get(name))
    }

    pub fn eval(&mut self, expr: &Expression) -> R {
        match expr {
            Expression::Null(_) => Ok(Value::Null),
            Expression::Bool(b) => Ok(Value::Bool(*b.value())),
            Expression::Number(n) => {
                let text = n
                    .as_repr()
                    .map(|r| (**r).to_string())
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| n.value().to_string());
                Number::parse(&text)
                    .map(Value::Number)
                    .ok_or_else(|| EvalError::at(expr, format!("invalid number {text}")))
            }
            Expression::String(s) => Ok(Value::String(functions::nfc(s.value().clone()))),
            Expression::Array(a) => {
                let mut out = Vec::with_capacity(a.len());
                for e in a.iter() {
                    out.push(self.eval(e)?);
                }
                Ok(Value::tuple(out))
            }
            Expression::Object(o) => {
                let mut out = BTreeMap::new();
                let mut marked = false;
                for (k, v) in o.iter() {
                    let key = match k {
                        ObjectKey::Ident(id) => Value::String(id.as_str().to_string()),
                        ObjectKey::Expression(e) => self.eval(e)?,
                    };
                    let (key, sens) = key.unmark();
                    marked |= sens;
                    let key = match key {
                        Value::Unknown(u) => return Ok(Value::Unknown(u)),
                        Value::Null => {
                            return Err(EvalError::at(v.expr(), "object key must not be null"))
                        }
                        k => k.to_tf_string().map_err(|m| EvalError::at(v.expr(), m))?,
                    };
                    let val = self.eval(v.expr())?;
                    out.insert(key, val);
                }
                Ok(Value::object(out).mark_if(marked))
            }
            Expression::StringTemplate(t) => self.template(t),
            Expression::HeredocTemplate(h) => self.template(&h.template),
            Expression::Parenthesis(p) => self.eval(p.inner()),
            Expression::Variable(v) => self.traversal(expr, v.as_str(), &[]),
            Expression::Traversal(t) => self.traverse(expr, &t.expr, &t.operators),
            Expression::Conditional(c) => {
                let cond = self.eval(&c.cond_expr)?;
                let (cond, sens) = cond.unmark();
                match cond {
                    Value::Unknown(u) => Ok(Value::Unknown(u)),
                    Value::Null => Err(EvalError::at(
                        &c.cond_expr,
                        "the condition value is null: conditions must be true or false",
                    )),
                    v => {
                        let b = v.to_tf_bool().map_err(|m| EvalError::at(&c.cond_expr, m))?;
                        let (chosen, other) = if b {
                            (&c.true_expr, &c.false_expr)
                        } else {
                            (&c.false_expr, &c.true_expr)
                        };
                        let r = self.eval(chosen)?;
                        // Terraform evaluates both results and gives the conditional their
                        // common type (`true ? 1 : "a"` is "1"); the other result's errors
                        // do not count, its type does.
                        let r = match self.eval_quiet(other) {
                            Ok(o) => {
                                conditional_result(r, &o, b).map_err(|m| EvalError::at(expr, m))?
                            }
                            Err(_) => r,
                        };
                        Ok(r.mark_if(sens))
                    }
                }
            }
            Expression::FuncCall(f) => self.call(expr, f),
            Expression::UnaryOp(u) => {
                let v = self.eval(&u.expr)?;
                self.unary(expr, *u.operator.value(), v)
            }
            Expression::BinaryOp(b) => {
                let op = *b.operator.value();
                let l = self.eval(&b.lhs_expr)?;
                let r = self.eval(&b.rhs_expr)?;
                binary(op, l, r).map_err(|m| EvalError::at(expr, m))
            }
            Expression::ForExpr(f) => self.for_expr(expr, f),
        }
    }

    /// Evaluates `expr` without recording notes: for a result Terraform computes but does not
    /// use (the other side of a conditional), which must not report "not evaluated".
    fn eval_quiet(&mut self, expr: &Expression) -> R {
        let quiet = Quiet(self.env);
        let mut cx = Ctx {
            env: &quiet,
            scopes: std::mem::take(&mut self.scopes),
            // A fresh expression: only its type is used, not parts of a template around it.
            partial: None,
            render_depth: 0,
        };
        let r = cx.eval(expr);
        self.scopes = cx.scopes;
        r
    }

    fn template(&mut self, t: &Template) -> R {
        // A template that is exactly one interpolation yields the value itself, unconverted.
        if let Some(Element::Interpolation(i)) = t.as_single_element() {
            return self.eval(&i.expr);
        }
        let mut out = String::new();
        let mut marked = false;
        let saved = (self.partial.replace(Vec::new()), self.render_depth);
        self.render_depth = 0;
        let r = self.render(t, &mut out, &mut marked);
        let parts = std::mem::replace(&mut self.partial, saved.0).unwrap_or_default();
        self.render_depth = saved.1;
        Ok(Self::rendered(r?, parts, out, marked))
    }

    /// The value of a rendered template: Unknown at the first unknown a directive needs; a
    /// partly known template keeps its parts (`Cause::Template`) unless a sensitive value is
    /// among them; otherwise the text.
    fn rendered(r: Option<Value>, mut parts: Vec<Part>, out: String, marked: bool) -> Value {
        if let Some(u) = r {
            return u;
        }
        if parts.is_empty() {
            return Value::String(functions::nfc(out)).mark_if(marked);
        }
        if marked {
            let first = parts.into_iter().find_map(|p| match p {
                Part::Unknown(c) => Some(c),
                Part::Text(_) => None,
            });
            return Value::unknown(first.unwrap_or(Cause::Other("not known".into()))).mark_if(true);
        }
        parts.push(Part::Text(out));
        parts.retain(|p| !matches!(p, Part::Text(t) if t.is_empty()));
        Value::unknown(Cause::Template(parts))
    }

    /// Appends the rendered template to `out`; returns Some(unknown) if any part is unknown.
    /// Literals are taken as they are: the parse already applied the strip markers
    /// (`hcl::literals`).
    fn render(
        &mut self,
        t: &Template,
        out: &mut String,
        marked: &mut bool,
    ) -> Result<Option<Value>, EvalError> {
        self.render_depth += 1;
        let r = self.render_elements(t, out, marked);
        self.render_depth -= 1;
        r
    }

    fn render_elements(
        &mut self,
        t: &Template,
        out: &mut String,
        marked: &mut bool,
    ) -> Result<Option<Value>, EvalError> {
        for el in t.iter() {
            match el {
                Element::Literal(s) => out.push_str(s.value()),
                Element::Interpolation(interp) => {
                    let v = self.eval(&interp.expr)?;
                    let (v, sens) = v.unmark();
                    *marked |= sens;
                    match v {
                        Value::Unknown(u) => {
                            if self.render_depth == 1 {
                                if let Some(parts) = self.partial.as_mut() {
                                    parts.push(Part::Text(std::mem::take(out)));
                                    parts.push(Part::Unknown(u.cause().clone()));
                                    continue;
                                }
                            }
                            return Ok(Some(Value::Unknown(u)));
                        }
                        Value::Null => return Err(EvalError::at(
                            &interp.expr,
                            "invalid template interpolation value: the expression result is null",
                        )),
                        v => out.push_str(&v.to_tf_string().map_err(|m| {
                            EvalError::at(
                                &interp.expr,
                                format!("invalid template interpolation value: {m}"),
                            )
                        })?),
                    }
                }
                Element::Directive(d) => match d.as_ref() {
                    Directive::If(ifd) => {
                        let c = self.eval(&ifd.if_expr.cond_expr)?;
                        let (c, sens) = c.unmark();
                        *marked |= sens;
                        let b = match c {
                            Value::Unknown(u) => return Ok(Some(Value::Unknown(u))),
                            c => c
                                .to_tf_bool()
                                .map_err(|m| EvalError::at(&ifd.if_expr.cond_expr, m))?,
                        };
                        let mut part = String::new();
                        let r = if b {
                            self.render(&ifd.if_expr.template, &mut part, marked)?
                        } else if let Some(e) = &ifd.else_expr {
                            self.render(&e.template, &mut part, marked)?
                        } else {
                            None
                        };
                        if r.is_some() {
                            return Ok(r);
                        }
                        out.push_str(&part);
                    }
                    Directive::For(fd) => {
                        let coll = self.eval(&fd.for_expr.collection_expr)?;
                        let (coll, sens) = coll.unmark();
                        *marked |= sens;
                        let pairs = match iterate(coll) {
                            Ok(Some(p)) => p,
                            Ok(None) => {
                                return Ok(Some(Value::unknown(Cause::Other(
                                    "template for-loop over an unknown collection".into(),
                                ))))
                            }
                            Err(m) => return Err(EvalError::at(&fd.for_expr.collection_expr, m)),
                        };
                        for (k, v) in pairs {
                            let mut scope = BTreeMap::new();
                            if let Some(kv) = &fd.for_expr.key_var {
                                scope.insert(kv.as_str().to_string(), k);
                            }
                            scope.insert(fd.for_expr.value_var.as_str().to_string(), v);
                            self.scopes.push(scope);
                            let r = self.render(&fd.for_expr.template, out, marked);
                            self.scopes.pop();
                            if let Some(u) = r? {
                                return Ok(Some(u));
                            }
                        }
                    }
                },
            }
            // A template loop repeats its body: stop as soon as the text passes the bound.
            self.env
                .limits()
                .check_string(out.len() as u128)
                .map_err(|m| EvalError::plain(format!("template: {m}")))?;
        }
        Ok(None)
    }

    /// HCL binds every traversal tighter than a unary operator (`-0[*]` is `-(0[*])`, an
    /// error), where hcl-edit's tree puts the operator, or a negative literal, inside.
    fn traverse(
        &mut self,
        whole: &Expression,
        base: &Expression,
        ops: &[hcl_edit::Decorated<TraversalOperator>],
    ) -> R {
        match base {
            Expression::Variable(v) => self.traversal(whole, v.as_str(), ops),
            Expression::UnaryOp(u) => {
                let v = self.traverse(whole, &u.expr, ops)?;
                self.unary(whole, *u.operator.value(), v)
            }
            Expression::Number(n) if n.as_repr().is_some_and(|r| r.starts_with('-')) => {
                let magnitude = match self.eval(base)? {
                    Value::Number(n) => Value::Number(n.neg()),
                    other => other,
                };
                let v = self.apply_ops(whole, magnitude, ops)?;
                self.unary(whole, UnaryOperator::Neg, v)
            }
            inner => {
                let v = self.eval(inner)?;
                self.apply_ops(whole, v, ops)
            }
        }
    }

    fn unary(&self, expr: &Expression, op: UnaryOperator, v: Value) -> R {
        let (v, sens) = v.unmark();
        if let Value::Unknown(u) = v {
            return Ok(Value::Unknown(u));
        }
        if v.is_null() {
            return Err(EvalError::at(expr, "argument must not be null"));
        }
        let unsuitable =
            |m| EvalError::at(expr, format!("unsuitable value for unary operand: {m}"));
        let r = match op {
            UnaryOperator::Neg => Value::Number(v.to_tf_number().map_err(unsuitable)?.neg()),
            UnaryOperator::Not => Value::Bool(!v.to_tf_bool().map_err(unsuitable)?),
        };
        Ok(r.mark_if(sens))
    }

    fn traversal(
        &mut self,
        whole: &Expression,
        root: &str,
        ops: &[hcl_edit::Decorated<TraversalOperator>],
    ) -> R {
        if let Some(v) = self.lookup_local(root) {
            let v = v.clone();
            return self.apply_ops(whole, v, ops);
        }
        let names: Vec<Option<String>> = ops.iter().map(|o| static_name(o.value())).collect();
        match self.env.resolve(root, &names) {
            Some(Ok((v, consumed))) => self.apply_ops(whole, v, &ops[consumed.min(ops.len())..]),
            Some(Err(m)) => Err(EvalError::at(whole, m)),
            // Outside a template every other root names a managed resource type, as Terraform
            // reads it: a typo in a resource name is an undeclared resource, not a variable.
            None if self.env.in_template() => Err(EvalError::at(
                whole,
                format!("unknown variable: there is no variable named {root:?}"),
            )),
            None => Err(EvalError::at(
                whole,
                match names.first() {
                    Some(Some(name)) => format!(
                        "Reference to undeclared resource: a managed resource {root:?} {name:?} has not been declared"
                    ),
                    _ => "Invalid reference: a reference to a resource type must be followed by at least one attribute access, specifying the resource name".to_string(),
                },
            )),
        }
    }

    fn apply_ops(
        &mut self,
        whole: &Expression,
        mut cur: Value,
        ops: &[hcl_edit::Decorated<TraversalOperator>],
    ) -> R {
        let mut i = 0;
        while i < ops.len() {
            if let Value::Unknown(u) = &cur {
                // `aws_iam_role.exec.arn` keeps which attribute was read (see `get_attr`).
                let names_attribute = matches!(ops[i].value(), TraversalOperator::GetAttr(_))
                    && matches!(
                        u.cause(),
                        Cause::Resource {
                            attribute: None,
                            ..
                        }
                    );
                if !names_attribute {
                    return Ok(cur);
                }
            }
            match ops[i].value() {
                TraversalOperator::GetAttr(name) => {
                    cur = get_attr(cur, name.as_str()).map_err(|m| EvalError::at(whole, m))?;
                    cur = self.planned(cur);
                }
                TraversalOperator::LegacyIndex(n) => {
                    cur = index(cur, Value::Number(Number::from_i64(*n.value() as i64)))
                        .map_err(|m| EvalError::at(whole, m))?;
                }
                TraversalOperator::Index(e) => {
                    let key = self.eval(e)?;
                    cur = index(cur, key).map_err(|m| EvalError::at(whole, m))?;
                }
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    let full = matches!(ops[i].value(), TraversalOperator::FullSplat(_));
                    // A legacy `.*` splat takes only the attribute accesses that follow it.
                    let end = if full {
                        ops.len()
                    } else {
                        i + 1
                            + ops[i + 1..]
                                .iter()
                                .take_while(|o| matches!(o.value(), TraversalOperator::GetAttr(_)))
                                .count()
                    };
                    let rest = &ops[i + 1..end];
                    let (base, sens) = cur.unmark();
                    // A splat over a list or set makes a list, over a tuple (or null) a tuple.
                    let (items, tuple) = match base {
                        Value::Null => (Vec::new(), true),
                        Value::List(Seq { items, kind }) => (items, kind == SeqKind::Tuple),
                        Value::Set(items) => (items, false),
                        Value::Unknown(u) => return Ok(Value::Unknown(u)),
                        other => {
                            // A splat on a single value makes it a one-element tuple.
                            let v = self.apply_ops(whole, other, rest)?;
                            cur = Value::tuple(vec![v]).mark_if(sens);
                            i = end;
                            continue;
                        }
                    };
                    let mut out = Vec::with_capacity(items.len());
                    for it in items {
                        out.push(self.apply_ops(whole, it, rest)?);
                    }
                    cur = if tuple {
                        Value::tuple(out)
                    } else {
                        Value::list(out)
                    }
                    .mark_if(sens);
                    i = end;
                    continue;
                }
            }
            i += 1;
        }
        Ok(cur)
    }

    /// A resource attribute that the plan already knows becomes that value (its sensitivity
    /// mark kept); anything else is returned as it is.
    fn planned(&self, v: Value) -> Value {
        let (inner, sens) = match &v {
            Value::Sensitive(b) => (&**b, true),
            other => (other, false),
        };
        match inner {
            Value::Unknown(u)
                if matches!(
                    u.cause(),
                    Cause::Resource {
                        attribute: Some(_),
                        ..
                    }
                ) =>
            {
                match self.env.planned_attribute(u.cause()) {
                    Some(known) => known.mark_if(sens),
                    None => v,
                }
            }
            _ => v,
        }
    }

    /// The arguments of `try`/`can`: expressions to evaluate one by one, then the elements of
    /// an expanded final argument. HCL evaluates that argument before the call, so its error
    /// is the call's own (`try(null, tonumber("")...)` fails) rather than one `try` catches.
    fn lenient_args<'f>(
        &mut self,
        whole: &Expression,
        f: &'f hcl_edit::expr::FuncCall,
    ) -> Result<(Vec<&'f Expression>, Vec<Value>), EvalError> {
        let mut exprs: Vec<&Expression> = f.args.iter().collect();
        if !f.args.expand_final() {
            return Ok((exprs, Vec::new()));
        }
        let Some(last) = exprs.pop() else {
            return Err(EvalError::at(whole, "nothing to expand with ..."));
        };
        let (v, sens) = self.eval(last)?.unmark();
        match v {
            Value::List(Seq { items, .. }) | Value::Set(items) => {
                Ok((exprs, items.into_iter().map(|x| x.mark_if(sens)).collect()))
            }
            Value::Unknown(u) => Ok((Vec::new(), vec![Value::Unknown(u)])),
            _ => Err(EvalError::at(
                whole,
                "the final argument to expand with ... must be a list, set or tuple",
            )),
        }
    }

    fn call(&mut self, whole: &Expression, f: &hcl_edit::expr::FuncCall) -> R {
        let name = f.name.name.as_str();
        let namespace: Vec<&str> = f.name.namespace.iter().map(|n| n.as_str()).collect();
        match namespace.as_slice() {
            [] => {}
            // Every built-in is also `core::name`.
            ["core"] if functions::is_builtin(name) => {}
            ["provider", _, ..] => {
                let full = format!("{}::{name}", namespace.join("::"));
                self.env.note(
                    format!("provider function {full} is not evaluated"),
                    whole.span(),
                );
                return Ok(Value::unknown(Cause::Function(full)));
            }
            ["provider"] => {
                return Err(EvalError::at(
                    whole,
                    "The function call must include the provider name after the \"provider::\" prefix.",
                ))
            }
            [ns, ..] => {
                return Err(EvalError::at(
                    whole,
                    format!("The function namespace \"{ns}\" is not valid. Provider function calls must use the \"provider::\" namespace prefix."),
                ))
            }
        }
        if !functions::is_builtin(name) {
            return Err(EvalError::at(
                whole,
                format!("There is no function named \"{name}\"."),
            ));
        }
        match name {
            "try" => {
                let (exprs, expanded) = self.lenient_args(whole, f)?;
                let mut last = None;
                let candidates = exprs
                    .into_iter()
                    .map(Candidate::Expr)
                    .chain(expanded.into_iter().map(Candidate::Value));
                for c in candidates {
                    let got = match c {
                        Candidate::Expr(arg) => self.eval(arg),
                        Candidate::Value(v) => Ok(v),
                    };
                    match got {
                        Ok(v) if !v.is_wholly_known() => {
                            return Ok(v.first_unknown().cloned().map(Value::Unknown).unwrap_or(v))
                        }
                        Ok(v) => return Ok(v),
                        Err(e) => last = Some(e),
                    }
                }
                return Err(last.unwrap_or_else(|| {
                    EvalError::at(whole, "try: at least one argument is required")
                }));
            }
            "can" => {
                let (exprs, expanded) = self.lenient_args(whole, f)?;
                let got = match (&exprs[..], &expanded[..]) {
                    ([arg], []) => self.eval(arg),
                    ([], [v]) => Ok(v.clone()),
                    _ => {
                        return Err(EvalError::at(
                            whole,
                            "can: exactly one argument is required",
                        ))
                    }
                };
                return match got {
                    Ok(v) if !v.is_wholly_known() => Ok(Value::Unknown(
                        v.first_unknown().cloned().expect("unknown inside"),
                    )),
                    Ok(_) => Ok(Value::Bool(true)),
                    Err(_) => Ok(Value::Bool(false)),
                };
            }
            "templatestring" => return self.templatestring(whole, f),
            _ => {}
        }
        let mut args = Vec::with_capacity(f.args.len());
        for a in f.args.iter() {
            args.push(self.eval(a)?);
        }
        if f.args.expand_final() {
            match args.pop() {
                Some(last) => {
                    let (last, sens) = last.unmark();
                    match last {
                        Value::List(Seq { items: v, .. }) | Value::Set(v) => {
                            args.extend(v.into_iter().map(|x| x.mark_if(sens)))
                        }
                        Value::Unknown(u) => return Ok(Value::Unknown(u)),
                        _ => return Err(EvalError::at(
                            whole,
                            "the final argument to expand with ... must be a list, set or tuple",
                        )),
                    }
                }
                None => return Err(EvalError::at(whole, "nothing to expand with ...")),
            }
        }
        let env = self.env;
        // A template that renders itself would recurse until the stack overflows.
        if name == "templatefile" && env.in_template() {
            return Err(EvalError::at(
                whole,
                "templatefile: cannot recursively call templatefile from inside a templatefile call",
            ));
        }
        if !env.reads_files() && functions::reads_files(name) {
            return Err(EvalError::at(
                whole,
                format!("{name}: cannot use filesystem access functions like {name} in templatestring templates; consider passing the function result as a template variable instead"),
            ));
        }
        let render = |text: &str, vars: &BTreeMap<String, Value>| -> Result<Value, String> {
            render_template(env, text, vars)
        };
        let fctx = FnCtx {
            cwd: env.cwd(),
            render_template: &render,
            limits: env.limits(),
        };
        match functions::call(name, args, &fctx) {
            Some(Ok(v)) => {
                if let Some(reason) = functions::unevaluated_reason(name, &v) {
                    self.env.note(
                        format!("function {name} is not evaluated: {reason}"),
                        whole.span(),
                    );
                }
                Ok(v)
            }
            Some(Err(m)) => Err(EvalError::at(whole, format!("{name}: {m}"))),
            None => Err(EvalError::at(
                whole,
                format!("There is no function named \"{name}\"."),
            )),
        }
    }

    /// `templatestring(reference, vars)`: a template from elsewhere, rendered like a template
    /// file except that it may not read files.
    fn templatestring(&mut self, whole: &Expression, f: &hcl_edit::expr::FuncCall) -> R {
        let fail = |m: String| Err(EvalError::at(whole, format!("templatestring: {m}")));
        let args: Vec<&Expression> = f.args.iter().collect();
        let [template, vars] = args[..] else {
            return fail(format!(
                "Function \"templatestring\" expects 2 arguments, but {} were given.",
                args.len()
            ));
        };
        if self.env.in_template() {
            return fail(
                "cannot recursively call templatestring from inside another template function"
                    .into(),
            );
        }
        if let Some(m) = functions::template_arg_error(template) {
            return fail(format!("Invalid value for \"template\" parameter: {m}."));
        }
        let peel = |v: Value| match v {
            Value::Sensitive(inner) => (*inner, true),
            v => (v, false),
        };
        let (text, marked) = peel(self.eval(template)?);
        let (vars, vars_marked) = peel(self.eval(vars)?);
        let text = match text {
            Value::Unknown(u) => return Ok(Value::Unknown(u)),
            Value::String(s) => s,
            _ => {
                return fail(
                    "Invalid value for \"template\" parameter: invalid template value: a string is required."
                        .into(),
                )
            }
        };
        let vars = match vars {
            Value::Unknown(u) => return Ok(Value::Unknown(u)),
            Value::Map(m) => m,
            _ => {
                return fail(
                    "Invalid value for \"vars\" parameter: invalid vars value: must be a map."
                        .into(),
                )
            }
        };
        if let Some(bad) = vars.keys().find(|k| !functions::is_identifier(k)) {
            return fail(format!("Invalid value for \"vars\" parameter: invalid template variable name {bad:?}: must start with a letter, followed by zero or more letters, digits, and underscores."));
        }
        match render_template_in(self.env, &text, &vars, false) {
            Ok(Value::Null) => fail("The result of the template is null, which is not a valid result for a templatestring call.".into()),
            Ok(v) => Ok(v.mark_if(marked || vars_marked)),
            Err(m) => fail(m),
        }
    }

    fn for_expr(&mut self, whole: &Expression, f: &ForExpr) -> R {
        let coll = self.eval(&f.intro.collection_expr)?;
        let (coll, sens) = coll.unmark();
        // Iterating over resources known only after apply (`[for s in aws_subnet.x : s.id]`)
        // keeps the resource as the cause, so rules can still follow the reference.
        let from_resource = match &coll {
            Value::Unknown(u) if matches!(u.cause(), Cause::Resource { .. }) => Some(u.clone()),
            _ => None,
        };
        let pairs = match iterate(coll).map_err(|m| EvalError::at(&f.intro.collection_expr, m))? {
            Some(p) => p,
            None => {
                if let Some(u) = from_resource {
                    return Ok(Value::Unknown(u));
                }
                return Ok(Value::unknown(Cause::Other(
                    "for expression over an unknown collection".into(),
                )));
            }
        };
        let key_var = f.intro.key_var.as_ref().map(|k| k.as_str().to_string());
        let val_var = f.intro.value_var.as_str().to_string();
        let mut list = Vec::new();
        let mut map: BTreeMap<String, Value> = BTreeMap::new();
        let mut groups: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        let mut unknown = None;
        let env = self.env;
        let mut budget = env.limits().budget();
        for (k, v) in pairs {
            let mut scope = BTreeMap::new();
            if let Some(kv) = &key_var {
                scope.insert(kv.clone(), k);
            }
            scope.insert(val_var.clone(), v);
            self.scopes.push(scope);
            let r = self.for_item(whole, f, &mut list, &mut map, &mut groups, &mut budget);
            self.scopes.pop();
            if let Some(u) = r? {
                unknown.get_or_insert(u);
            }
        }
        if let Some(u) = unknown {
            return Ok(u);
        }
        let out = if f.key_expr.is_some() {
            if f.grouping {
                Value::object(
                    groups
                        .into_iter()
                        .map(|(k, v)| (k, Value::tuple(v)))
                        .collect(),
                )
            } else {
                Value::object(map)
            }
        } else {
            Value::tuple(list)
        };
        Ok(out.mark_if(sens))
    }

    fn for_item(
        &mut self,
        whole: &Expression,
        f: &ForExpr,
        list: &mut Vec<Value>,
        map: &mut BTreeMap<String, Value>,
        groups: &mut BTreeMap<String, Vec<Value>>,
        budget: &mut crate::model::limits::Budget,
    ) -> Result<Option<Value>, EvalError> {
        if let Some(c) = &f.cond {
            let cv = self.eval(&c.expr)?;
            match cv.unmark().0 {
                Value::Unknown(u) => return Ok(Some(Value::Unknown(u))),
                v => {
                    if !v.to_tf_bool().map_err(|m| EvalError::at(&c.expr, m))? {
                        return Ok(None);
                    }
                }
            }
        }
        let value = self.eval(&f.value_expr)?;
        // Each item may be a copy of a large value: the total is bounded as it grows.
        budget
            .add_element(&value)
            .map_err(|m| EvalError::at(whole, format!("for expression: {m}")))?;
        match &f.key_expr {
            None => list.push(value),
            Some(ke) => {
                let k = self.eval(ke)?;
                let k = match k.unmark().0 {
                    Value::Unknown(u) => return Ok(Some(Value::Unknown(u))),
                    k => k.to_tf_string().map_err(|m| EvalError::at(ke, m))?,
                };
                if f.grouping {
                    groups.entry(k).or_default().push(value);
                } else {
                    match map.entry(k) {
                        std::collections::btree_map::Entry::Occupied(o) => {
                            return Err(EvalError::at(
                                whole,
                                format!(
                                    "duplicate object key {:?} in for expression; use ... to group",
                                    o.key()
                                ),
                            ))
                        }
                        std::collections::btree_map::Entry::Vacant(v) => {
                            v.insert(value);
                        }
                    }
                }
            }
        }
        Ok(None)
    }
}

fn static_name(op: &TraversalOperator) -> Option<String> {
    match op {
        TraversalOperator::GetAttr(n) => Some(n.as_str().to_string()),
        TraversalOperator::Index(Expression::String(s)) => Some(s.value().clone()),
        _ => None,
    }
}

/// The (key, value) pairs a `for` iterates: index/element for lists, key/value for maps,
/// element/element for sets. None when the collection is unknown.
pub fn iterate(coll: Value) -> Result<Option<Vec<(Value, Value)>>, String> {
    match coll {
        Value::List(v) => Ok(Some(
            v.into_iter()
                .enumerate()
                .map(|(i, x)| (Value::int(i as i64), x))
                .collect(),
        )),
        Value::Set(v) => Ok(Some(v.into_iter().map(|x| (x.clone(), x)).collect())),
        Value::Map(m) => Ok(Some(
            m.into_iter().map(|(k, v)| (Value::String(k), v)).collect(),
        )),
        Value::Unknown(_) => Ok(None),
        Value::Null => Err("cannot iterate over a null value".into()),
        v => Err(format!("a {} value cannot be iterated", v.type_name())),
    }
}

pub fn get_attr(v: Value, name: &str) -> Result<Value, String> {
    let (v, sens) = v.unmark();
    match v {
        Value::Map(mut m) => m.remove(name).map(|x| x.mark_if(sens)).ok_or_else(|| {
            format!("unsupported attribute: this object does not have an attribute named {name:?}")
        }),
        Value::Unknown(u) => Ok(match u.cause() {
            // `aws_iam_role.exec.arn`: remember which attribute of the resource was read.
            Cause::Resource {
                module,
                target,
                key,
                attribute: None,
            } => Value::unknown(Cause::Resource {
                module: module.clone(),
                target: target.clone(),
                key: key.clone(),
                attribute: Some(name.to_string()),
            })
            .mark_if(sens),
            _ => Value::Unknown(u),
        }),
        Value::Null => Err(format!(
            "attempt to get attribute {name:?} from a null value"
        )),
        other => Err(format!(
            "unsupported attribute: can't access attribute {name:?} on a {} value",
            other.type_name()
        )),
    }
}

pub fn index(v: Value, key: Value) -> Result<Value, String> {
    let (v, sens) = v.unmark();
    let (key, ksens) = key.unmark();
    if let Value::Unknown(u) = key {
        return Ok(Value::Unknown(u));
    }
    let r = match v {
        Value::List(mut items) => {
            let n = key
                .to_tf_number()
                .map_err(|_| "the index must be a number".to_string())?;
            let i = n
                .to_i64()
                .filter(|&i| i >= 0 && (i as usize) < items.len())
                .ok_or_else(|| {
                    format!(
                        "invalid index: the given index {} is out of range",
                        n.format()
                    )
                })?;
            items.swap_remove(i as usize)
        }
        Value::Map(mut m) => {
            let k = key.to_tf_string()?;
            m.remove(&k)
                .ok_or_else(|| format!("invalid index: the given key {k:?} does not exist"))?
        }
        Value::Unknown(u) => Value::Unknown(u),
        Value::Null => return Err("cannot index a null value".into()),
        Value::Set(_) => {
            return Err(
                "elements of a set are identified only by their value and cannot be indexed".into(),
            )
        }
        other => return Err(format!("cannot index a {} value", other.type_name())),
    };
    Ok(r.mark_if(sens || ksens))
}

/// Terraform's binary operators with automatic conversion, Unknown and Sensitive propagation.
pub fn binary(op: BinaryOperator, l: Value, r: Value) -> Result<Value, String> {
    use BinaryOperator as B;
    let (l, ls) = l.unmark();
    let (r, rs) = r.unmark();
    let sens = ls || rs;
    // `false && x` and `true || x` are decided whatever x turns out to be; a known x must
    // still be a bool (`false && null` is an error).
    let unknown = |v: &Value| matches!(v, Value::Unknown(_));
    match (op, &l, &r) {
        (B::And, Value::Bool(false), x) | (B::And, x, Value::Bool(false)) if unknown(x) => {
            return Ok(Value::Bool(false).mark_if(sens))
        }
        (B::Or, Value::Bool(true), x) | (B::Or, x, Value::Bool(true)) if unknown(x) => {
            return Ok(Value::Bool(true).mark_if(sens))
        }
        _ => {}
    }
    if let Value::Unknown(u) = &l {
        return Ok(Value::Unknown(u.clone()));
    }
    if let Value::Unknown(u) = &r {
        return Ok(Value::Unknown(u.clone()));
    }
    let v = match op {
        // A known value is not null even when parts of it are unknown (cty decides null
        // comparisons before looking inside): `{ a = aws_x.y.arn } != null` is true.
        B::Eq | B::NotEq if matches!(l, Value::Null) || matches!(r, Value::Null) => {
            let eq = matches!(l, Value::Null) && matches!(r, Value::Null);
            Value::Bool(if op == B::Eq { eq } else { !eq })
        }
        B::Eq | B::NotEq => {
            if !l.is_wholly_known() || !r.is_wholly_known() {
                let u = l
                    .first_unknown()
                    .or(r.first_unknown())
                    .cloned()
                    .expect("unknown");
                return Ok(Value::Unknown(u));
            }
            let eq = l.tf_equal(&r);
            Value::Bool(if op == B::Eq { eq } else { !eq })
        }
        // Every other operator refuses a null operand.
        _ if l.is_null() || r.is_null() => return Err("argument must not be null".into()),
        B::And | B::Or => {
            let a = l
                .to_tf_bool()
                .map_err(|m| format!("unsuitable value for left operand: {m}"))?;
            let b = r
                .to_tf_bool()
                .map_err(|m| format!("unsuitable value for right operand: {m}"))?;
            Value::Bool(if op == B::And { a && b } else { a || b })
        }
        _ => {
            let a = l
                .to_tf_number()
                .map_err(|m| format!("unsuitable value for left operand: {m}"))?;
            let b = r
                .to_tf_number()
                .map_err(|m| format!("unsuitable value for right operand: {m}"))?;
            match op {
                B::Plus => Value::Number(a.add(&b)?),
                B::Minus => Value::Number(a.sub(&b)?),
                B::Mul => Value::Number(a.mul(&b)?),
                B::Div => Value::Number(a.div(&b)?),
                B::Mod => Value::Number(a.rem(&b)?),
                B::Less => Value::Bool(a < b),
                B::LessEq => Value::Bool(a <= b),
                B::Greater => Value::Bool(a > b),
                B::GreaterEq => Value::Bool(a >= b),
                _ => unreachable!("handled above"),
            }
        }
    };
    Ok(v.mark_if(sens))
}

/// The value a conditional yields: `chosen` converted to the type it has in common with the
/// other result (cty `UnifyUnsafe`), or an error when there is none (`true ? 1 : true`).
/// A null (`null` is of no type here) or an unknown result leaves `chosen` as it is, as an
/// untyped null or a dynamic value does in Terraform.
fn conditional_result(chosen: Value, other: &Value, chosen_is_true: bool) -> Result<Value, String> {
    let untyped = |v: &Value| v.is_null() || matches!(v.peel(), Value::Unknown(_));
    if untyped(&chosen) || untyped(other) {
        return Ok(chosen);
    }
    let (mine, theirs) = (types::type_of(&chosen), types::type_of(other));
    let pair = if chosen_is_true {
        [mine.clone(), theirs.clone()]
    } else {
        [theirs.clone(), mine.clone()]
    };
    match types::unify(&pair) {
        Some(t) if t == mine => Ok(chosen),
        Some(t) => types::convert(chosen, &t),
        // Parts not known yet may be what would have made the types agree.
        None if !chosen.is_wholly_known() || !other.is_wholly_known() => Ok(chosen),
        None => Err(format!(
            "Inconsistent conditional result types: the true and false result expressions must have consistent types; the 'true' value is {}, but the 'false' value is {}",
            types::type_desc(&pair[0]),
            types::type_desc(&pair[1]),
        )),
    }
}

/// An environment that forwards everything but notes (see `Ctx::eval_quiet`).
struct Quiet<'a>(&'a dyn Env);

impl Env for Quiet<'_> {
    fn cwd(&self) -> &Path {
        self.0.cwd()
    }
    fn resolve(
        &self,
        root: &str,
        names: &[Option<String>],
    ) -> Option<Result<(Value, usize), String>> {
        self.0.resolve(root, names)
    }
    fn limits(&self) -> &Limits {
        self.0.limits()
    }
    fn in_template(&self) -> bool {
        self.0.in_template()
    }
}

/// Renders a template string (`templatefile`) with only `vars` in scope.
pub fn render_template(
    env: &dyn Env,
    text: &str,
    vars: &BTreeMap<String, Value>,
) -> Result<Value, String> {
    render_template_in(env, text, vars, true)
}

/// `reads_files` false for `templatestring`, whose templates may not call file functions.
fn render_template_in(
    env: &dyn Env,
    text: &str,
    vars: &BTreeMap<String, Value>,
    reads_files: bool,
) -> Result<Value, String> {
    let mut t = hcl_edit::parser::parse_template(text).map_err(|e| {
        format!(
            "template parse error at line {}, column {}: {}",
            e.location().line(),
            e.location().column(),
            e.message().lines().next().unwrap_or("")
        )
    })?;
    crate::hcl::literals::normalize_template(&mut t, text).map_err(|e| e.message)?;
    let iso = TemplateEnv {
        cwd: env.cwd(),
        limits: env.limits(),
        reads_files,
    };
    let mut cx = Ctx::with_scope(&iso, vars.clone());
    let mut out = String::new();
    let mut marked = false;
    cx.partial = Some(Vec::new());
    let r = cx.render(&t, &mut out, &mut marked);
    let parts = cx.partial.take().unwrap_or_default();
    match r {
        Ok(r) => Ok(Ctx::rendered(r, parts, out, marked)),
        Err(e) => Err(e.message),
    }
}

/// A template file sees only its own variables and the functions.
struct TemplateEnv<'a> {
    cwd: &'a Path,
    limits: &'a Limits,
    reads_files: bool,
}

impl Env for TemplateEnv<'_> {
    fn cwd(&self) -> &Path {
        self.cwd
    }
    fn limits(&self) -> &Limits {
        self.limits
    }
    fn in_template(&self) -> bool {
        true
    }
    fn reads_files(&self) -> bool {
        self.reads_files
    }
    fn resolve(
        &self,
        _root: &str,
        _names: &[Option<String>],
    ) -> Option<Result<(Value, usize), String>> {
        None
    }
}

/// An environment with no configuration around it: for evaluating standalone expressions
/// (the conformance table, `terraform console`-style checks).
pub struct StandaloneEnv<'a> {
    pub cwd: &'a Path,
}

impl Env for StandaloneEnv<'_> {
    fn cwd(&self) -> &Path {
        self.cwd
    }
    fn resolve(
        &self,
        root: &str,
        names: &[Option<String>],
    ) -> Option<Result<(Value, usize), String>> {
        match (root, names.first().and_then(|n| n.as_deref())) {
            ("path", Some("module" | "root")) => Some(Ok((Value::string("."), 1))),
            ("path", Some("cwd")) => Some(Ok((Value::string(self.cwd.to_string_lossy()), 1))),
            ("terraform", Some("workspace")) => Some(Ok((Value::string("default"), 1))),
            _ => None,
        }
    }
}

/// Evaluates one expression with no configuration around it.
pub fn eval_standalone(src: &str, cwd: &Path) -> Result<Value, String> {
    let expr = crate::hcl::config::parse_expr_lenient(src)?;
    let env = StandaloneEnv { cwd };
    Ctx::new(&env).eval(&expr).map_err(|e| e.message)
}

/// Evaluates a parsed constant expression (tfvars values, `optional()` defaults).
pub fn eval_standalone_expr(expr: &Expression) -> Result<Value, String> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let env = StandaloneEnv { cwd: &cwd };
    Ctx::new(&env).eval(expr).map_err(|e| e.message)
}

/// One argument of `try`: an expression not yet evaluated, or an element of the expanded final
/// argument, already a value.
enum Candidate<'e> {
    Expr(&'e Expression),
    Value(Value),
}
