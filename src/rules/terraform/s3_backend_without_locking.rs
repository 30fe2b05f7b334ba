//! TF001 s3-backend-without-locking.
use crate::diag::fix::{Edit, Fix};
use crate::model::Value;
use crate::rules::{Ctx, FixAvailability, Input, Rule, RuleMeta, Severity, Sink, Violation};

pub struct S3BackendWithoutLocking;

static META: RuleMeta = RuleMeta {
    code: "TF001",
    name: "s3-backend-without-locking",
    category: "terraform",
    severity: Severity::Error,
    summary: "The S3 backend does not lock the state: concurrent runs can corrupt it",
    fix: FixAvailability::Sometimes,
    fix_kinds: &[crate::diag::fix::Applicability::Unsafe],
    inputs: &[Input::Config],
    options: &[],
    doc: include_str!("../../../rules/s3-backend-without-locking.md"),
};

/// S3 native locking (`use_lockfile`) exists from Terraform 1.10 on.
const LOCKFILE_SINCE: Version = (1, 10, 0);

struct NoLocking<'a> {
    /// `use_lockfile = false` is written.
    disabled: bool,
    /// `required_version`, when it rules out every version with `use_lockfile`.
    too_old_for_lockfile: Option<&'a str>,
}

impl Violation for NoLocking<'_> {
    fn message(&self) -> String {
        if self.disabled {
            "backend \"s3\" has use_lockfile = false and no dynamodb_table: the state is not \
             locked, so two concurrent runs can overwrite each other's state"
                .into()
        } else {
            "backend \"s3\" sets neither use_lockfile nor dynamodb_table: the state is not \
             locked, so two concurrent runs can overwrite each other's state"
                .into()
        }
    }
    fn fix_title(&self) -> String {
        match self.too_old_for_lockfile {
            Some(c) => format!(
                "set dynamodb_table to a DynamoDB table with a LockID string key (required_version \
                 {c:?} rules out use_lockfile, which needs Terraform 1.10); run terraform init \
                 -reconfigure"
            ),
            None => "set use_lockfile = true (Terraform 1.10 or later; run terraform init \
                     -reconfigure)"
                .into(),
        }
    }
}

impl Rule for S3BackendWithoutLocking {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx, out: &mut Sink) {
        let Some(b) = cx.model.backend.as_ref().filter(|b| b.kind == "s3") else {
            return;
        };
        let subject = "backend \"s3\"";
        // `bucket` and `key` are required: when the file lacks them, the rest of the settings,
        // the lock among them, are given with -backend-config at init time.
        let missing: Vec<&str> = ["bucket", "key"]
            .into_iter()
            .filter(|a| b.attributes.get(*a).is_none_or(Value::is_null))
            .collect();
        // What `terraform init` saved (block and -backend-config merged) decides then.
        let attrs = match (&b.initialized, missing.is_empty()) {
            (Some(saved), false) => saved,
            _ => &b.attributes,
        };
        // A lock written in the file is a lock whatever -backend-config adds (bucket, key and
        // region are what teams usually pass at init time): decided.
        let locks = |a: &std::collections::BTreeMap<String, Value>| {
            matches!(a.get("dynamodb_table").map(Value::peel), Some(Value::String(t)) if !t.is_empty())
                || a.get("use_lockfile")
                    .map(Value::peel)
                    .is_some_and(|v| v.to_tf_bool() == Ok(true))
        };
        if locks(&b.attributes) {
            return;
        }
        if !missing.is_empty() && b.initialized.is_none() {
            let reason = if b.attributes.is_empty() {
                "the s3 backend is configured at init time (-backend-config)".to_string()
            } else {
                format!(
                    "the s3 backend is partly configured at init time (-backend-config): the \
                     file does not set {}, so the lock settings may come from there too",
                    missing.join(" or ")
                )
            };
            out.not_evaluated_on(subject, reason, Some(b.span.clone().into()));
            return;
        }
        let dynamodb = attrs.get("dynamodb_table").map(Value::peel);
        if matches!(dynamodb, Some(Value::String(t)) if !t.is_empty()) {
            return;
        }
        let lockfile = attrs.get("use_lockfile").map(Value::peel);
        match lockfile {
            Some(Value::Unknown(u)) => {
                out.not_evaluated_on(
                    subject,
                    format!("use_lockfile is not known: {}", u.cause()),
                    Some(b.span.clone().into()),
                );
                return;
            }
            Some(v) if v.to_tf_bool() == Ok(true) => return,
            _ => {}
        }
        let disabled = lockfile.is_some_and(|v| !v.is_null());
        let constraint = cx.model.required_version.as_deref();
        let allows = constraint.is_none_or(allows_lockfile);
        let f = out.report_on(
            subject,
            &NoLocking {
                disabled,
                too_old_for_lockfile: constraint.filter(|_| !allows),
            },
            Some(b.span.clone().into()),
            vec![],
        );
        // An explicit `use_lockfile = false` is a choice the user made: no edit over it.
        if !disabled && allows {
            f.fix = Some(Fix::unsafe_(vec![Edit::InsertAttribute {
                block: b.block.clone(),
                name: "use_lockfile".into(),
                text: "true".into(),
            }]));
        }
    }
}

type Version = (u64, u64, u64);

fn parse_version(s: &str) -> Option<(Version, usize)> {
    let core = s.trim().split(['-', '+']).next()?;
    let parts: Vec<u64> = core
        .split('.')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    match parts[..] {
        [a] => Some(((a, 0, 0), 1)),
        [a, b] => Some(((a, b, 0), 2)),
        [a, b, c] => Some(((a, b, c), 3)),
        _ => None,
    }
}

/// Whether some Terraform version ≥ 1.10 satisfies a `required_version` constraint
/// (`>= 1.3, < 2.0`, `~> 1.5.0`, `= 1.9.8`). Unparseable constraints are given the benefit of
/// the doubt.
fn allows_lockfile(constraint: &str) -> bool {
    let mut parsed = Vec::new();
    for part in constraint.split(',') {
        let p = part.trim();
        let (op, rest) = ["~>", ">=", "<=", "!=", ">", "<", "="]
            .iter()
            .find_map(|op| p.strip_prefix(op).map(|r| (*op, r)))
            .unwrap_or(("=", p));
        let Some((v, n)) = parse_version(rest) else {
            return true;
        };
        parsed.push((op, v, n));
    }
    let satisfies = |c: Version| {
        parsed.iter().all(|&(op, v, n)| match op {
            "=" => c == v,
            "!=" => c != v,
            ">" => c > v,
            ">=" => c >= v,
            "<" => c < v,
            "<=" => c <= v,
            // `~> 1.5` allows 1.x from 1.5; `~> 1.5.0` allows 1.5.x from 1.5.0.
            _ => {
                let upper = match n {
                    3 => (v.0, v.1 + 1, 0),
                    _ => (v.0 + 1, 0, 0),
                };
                c >= v && c < upper
            }
        })
    };
    // The versions allowed form an interval (`!=` aside): its lowest point at or above 1.10 is
    // 1.10.0 or one of the lower bounds.
    let mut candidates = vec![LOCKFILE_SINCE];
    for &(op, v, _) in &parsed {
        candidates.push(v);
        if op == ">" || op == "!=" {
            candidates.push((v.0, v.1, v.2 + 1));
        }
    }
    candidates
        .into_iter()
        .filter(|c| *c >= LOCKFILE_SINCE)
        .any(satisfies)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::hcl::{load, LoadOptions};

    fn run(backend: &str, required_version: &str) -> Sink {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("main.tf"),
            format!("terraform {{\n{required_version}\n  backend \"s3\" {{\n{backend}\n  }}\n}}\n"),
        )
        .unwrap();
        let loaded = load(dir.path(), &LoadOptions::default());
        crate::rules::testing::run(&S3BackendWithoutLocking, &loaded.model)
    }

    #[test]
    fn locking_by_either_means_passes() {
        let s = run(
            "bucket = \"b\"\nkey = \"k\"\ndynamodb_table = \"locks\"",
            "",
        );
        assert!(s.findings.is_empty() && s.not_evaluated.is_empty());
        let s = run("bucket = \"b\"\nkey = \"k\"\nuse_lockfile = true", "");
        assert!(s.findings.is_empty() && s.not_evaluated.is_empty());
    }

    #[test]
    fn no_locking_is_fixed_unless_terraform_is_too_old_or_it_was_turned_off() {
        let s = run("bucket = \"b\"\nkey = \"k\"", "");
        assert_eq!(s.findings.len(), 1);
        assert!(s.findings[0].fix.is_some());
        let s = run(
            "bucket = \"b\"\nkey = \"k\"",
            "required_version = \"~> 1.5.0\"",
        );
        assert_eq!(s.findings.len(), 1);
        assert!(s.findings[0].fix.is_none());
        // The advice is the lock that version has, not the one it cannot use.
        assert!(
            s.findings[0].fix_title.starts_with("set dynamodb_table"),
            "{}",
            s.findings[0].fix_title
        );
        let s = run("bucket = \"b\"\nkey = \"k\"\nuse_lockfile = false", "");
        assert_eq!(s.findings.len(), 1);
        assert!(s.findings[0].fix.is_none());
    }

    #[test]
    fn a_block_without_bucket_or_key_is_configured_at_init_time() {
        for body in ["", "encrypt = true", "bucket = \"b\""] {
            let s = run(body, "");
            assert!(s.findings.is_empty(), "{body}");
            assert_eq!(s.not_evaluated.len(), 1, "{body}");
        }
    }

    /// `bucket`, `key` and `region` from -backend-config, the lock in the file: locked.
    #[test]
    fn a_lock_in_the_file_decides_a_partial_configuration() {
        for body in [
            "dynamodb_table = \"terraform-locks\"\nencrypt = true",
            "use_lockfile = true",
        ] {
            let s = run(body, "");
            assert!(s.findings.is_empty(), "{body}");
            assert!(s.not_evaluated.is_empty(), "{body}: {:?}", s.not_evaluated);
        }
        // Without one, the lock may come from init time too.
        let s = run("encrypt = true\nuse_lockfile = false", "");
        assert!(s.findings.is_empty());
        assert_eq!(s.not_evaluated.len(), 1);
    }

    #[test]
    fn required_version_constraints() {
        for yes in [
            ">= 1.0",
            ">= 1.3, < 2.0",
            "~> 1.5",
            "~> 1.10.0",
            "1.11.2",
            ">= 1.10",
            "> 1.9.8",
            "!= 1.10.0",
            "whatever",
        ] {
            assert!(allows_lockfile(yes), "{yes}");
        }
        for no in [
            "~> 1.5.0",
            "= 1.9.8",
            "< 1.10",
            "<= 1.9.9",
            ">= 0.13, < 1.10.0",
            "~> 0.14",
        ] {
            assert!(!allows_lockfile(no), "{no}");
        }
    }
}
