//! Static analysis of expressions: which variables, locals, resources and modules they name.
use hcl_edit::expr::{Expression, Traversal, TraversalOperator};
use hcl_edit::visit::{visit_expr, Visit};

/// A traversal's root name and its leading static attribute names (`aws_iam_role.exec.arn`
/// → ("aws_iam_role", ["exec", "arn"])).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RootRef {
    pub root: String,
    pub names: Vec<String>,
}

pub fn root_refs(expr: &Expression) -> Vec<RootRef> {
    struct V(Vec<RootRef>);
    impl Visit for V {
        fn visit_expr(&mut self, e: &Expression) {
            match e {
                Expression::Variable(v) => self.0.push(RootRef {
                    root: v.as_str().to_string(),
                    names: Vec::new(),
                }),
                Expression::Traversal(t) => {
                    if let Some(r) = traversal_ref(t) {
                        self.0.push(r);
                        for op in &t.operators {
                            if let TraversalOperator::Index(ix) = op.value() {
                                self.visit_expr(ix);
                            }
                        }
                        return;
                    }
                    visit_expr(self, e);
                }
                _ => visit_expr(self, e),
            }
        }
    }
    let mut v = V(Vec::new());
    v.visit_expr(expr);
    v.0
}

fn traversal_ref(t: &Traversal) -> Option<RootRef> {
    let Expression::Variable(root) = &t.expr else {
        return None;
    };
    let mut names = Vec::new();
    for op in &t.operators {
        match op.value() {
            TraversalOperator::GetAttr(n) => names.push(n.as_str().to_string()),
            TraversalOperator::Index(Expression::String(s)) => names.push(s.value().clone()),
            _ => break,
        }
    }
    Some(RootRef {
        root: root.as_str().to_string(),
        names,
    })
}

/// Names that are not resource types when they start a traversal.
pub fn is_builtin_root(root: &str) -> bool {
    matches!(
        root,
        "var" | "local" | "module" | "data" | "count" | "each" | "path" | "terraform" | "self"
    )
}
