//! SEC001 plaintext-secret.
use crate::model::{Resource, Value};
use crate::rules::provenance::vias_related;
use crate::rules::{
    Ctx, FixAvailability, Input, Related, Rule, RuleMeta, Severity, Sink, Violation,
};

pub struct PlaintextSecret;

static META: RuleMeta = RuleMeta {
    code: "SEC001",
    name: "plaintext-secret",
    category: "secrets",
    severity: Severity::Error,
    summary: "A password or token is written in plain text in the configuration or a .tfvars file",
    fix: FixAvailability::None,
    fix_kinds: &[],
    inputs: &[Input::Config],
    options: &[],
    doc: include_str!("../../../rules/plaintext-secret.md"),
};

/// Where secrets go, per resource type: attribute paths (`[*]` = every element of a block
/// list) and what to use instead.
struct SecretSite {
    rtype: &'static str,
    paths: &'static [&'static str],
    instead: &'static str,
}

const MANAGED_RDS: &str = "let RDS generate and rotate it: manage_master_user_password = true";
const SECRETS_MANAGER: &str =
    "read it at apply time from Secrets Manager or SSM (a data source or an ephemeral resource)";

const SITES: &[SecretSite] = &[
    SecretSite {
        rtype: "aws_db_instance",
        paths: &["password", "password_wo"],
        instead: MANAGED_RDS,
    },
    SecretSite {
        rtype: "aws_rds_cluster",
        paths: &["master_password", "master_password_wo"],
        instead: MANAGED_RDS,
    },
    SecretSite {
        rtype: "aws_docdb_cluster",
        paths: &["master_password"],
        instead: "let DocumentDB manage it: manage_master_user_password = true",
    },
    SecretSite {
        rtype: "aws_redshift_cluster",
        paths: &["master_password"],
        instead: "let Redshift manage it: manage_master_password = true",
    },
    SecretSite {
        rtype: "aws_redshiftserverless_namespace",
        paths: &["admin_user_password"],
        instead: "let Redshift manage it: manage_admin_password = true",
    },
    SecretSite {
        rtype: "aws_elasticache_replication_group",
        paths: &["auth_token"],
        instead: SECRETS_MANAGER,
    },
    SecretSite {
        rtype: "aws_mq_broker",
        paths: &["user[*].password"],
        instead: SECRETS_MANAGER,
    },
    SecretSite {
        rtype: "aws_opensearch_domain",
        paths: &["advanced_security_options[*].master_user_options[*].master_user_password"],
        instead: SECRETS_MANAGER,
    },
    SecretSite {
        rtype: "aws_dms_endpoint",
        paths: &["password"],
        instead: SECRETS_MANAGER,
    },
    SecretSite {
        rtype: "aws_directory_service_directory",
        paths: &["password"],
        instead: SECRETS_MANAGER,
    },
];

struct Plaintext<'a> {
    rtype: &'a str,
    path: &'a str,
    /// Where the literal is written ("default value of var.db_password"), when not in the
    /// attribute itself.
    written_in: Option<&'a str>,
    instead: &'a str,
}

impl Violation for Plaintext<'_> {
    fn message(&self) -> String {
        match self.written_in {
            Some(w) => format!(
                "{} {} is a plain-text secret: its value is written in the repository ({w}), \
                 readable by anyone with the code",
                self.rtype, self.path
            ),
            None => format!(
                "{} {} is a plain-text secret written in the configuration, readable by anyone \
                 with the code",
                self.rtype, self.path
            ),
        }
    }
    fn fix_title(&self) -> String {
        format!(
            "remove the literal and {}; rotate the exposed secret",
            self.instead
        )
    }
}

/// Expands `a[*].b` into the concrete paths present in `r` (`a[0].b`, `a[1].b`).
fn expand(r: &Resource, path: &str) -> Vec<String> {
    let Some((head, rest)) = path.split_once("[*]") else {
        return vec![path.to_string()];
    };
    let n = r
        .get_path(head)
        .and_then(Value::as_list)
        .map_or(0, <[_]>::len);
    (0..n)
        .flat_map(|i| expand(r, &format!("{head}[{i}]{rest}")))
        .collect()
}

fn manages_password(r: &Resource) -> bool {
    ["manage_master_user_password", "manage_master_password"]
        .iter()
        .any(|a| r.get(a).and_then(Value::as_bool) == Some(true))
}

impl Rule for PlaintextSecret {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx, out: &mut Sink) {
        for site in SITES {
            for r in cx.model.resources_of(site.rtype) {
                if manages_password(r) {
                    continue;
                }
                for path in site.paths.iter().flat_map(|p| expand(r, p)) {
                    // Unknown (given at run time, generated, read from a secret store) or
                    // empty: nothing is written down.
                    let Some(Value::String(s)) = r.get_path(&path).map(Value::peel) else {
                        continue;
                    };
                    let Some(origin) = r.origin(&path) else {
                        continue;
                    };
                    if s.is_empty() || !origin.constant {
                        continue;
                    }
                    // The literal sits at the end of the chain of variables and locals.
                    let (span, written_in, related) = match origin.via.split_last() {
                        Some((last, rest)) => {
                            let mut related = vec![Related {
                                message: format!("{path} takes the value here"),
                                location: origin.location.clone(),
                            }];
                            related.extend(vias_related(rest));
                            (last.location.clone(), Some(last.label.as_str()), related)
                        }
                        None => (origin.location.clone(), None, vec![]),
                    };
                    let f = out.report(
                        r,
                        &Plaintext {
                            rtype: &r.rtype,
                            path: &path,
                            written_in,
                            instead: site.instead,
                        },
                        Some(span.clone()),
                        related,
                    );
                    // Every place the value may be written on its way: a function such as
                    // `coalesce` may take it from a variable other than the one shown first.
                    f.redact = std::iter::once(&span)
                        .chain(origin.via.iter().map(|v| &v.location))
                        .filter_map(|l| l.span().cloned())
                        .collect();
                }
            }
        }
    }
}
