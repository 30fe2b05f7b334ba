//! ECS005 ecs-container-plaintext-secret: a secret passed as a plain container environment
//! variable is stored in clear in the task definition and in Terraform state.
use super::known_containers;
use crate::model::{Cause, Value};
use crate::rules::{
    Ctx, FixAvailability, Input, OptionKind, Related, Rule, RuleMeta, RuleOption, Severity, Sink,
    Violation,
};

pub struct EcsContainerPlaintextSecret;

static META: RuleMeta = RuleMeta {
    code: "ECS005",
    name: "ecs-container-plaintext-secret",
    category: "ecs",
    severity: Severity::Error,
    summary: "A container environment variable that holds a secret is stored in plain text",
    fix: FixAvailability::None,
    fix_kinds: &[],
    inputs: &[
        Input::Config,
        Input::State,
        Input::Live,
        Input::TaskDefinition,
    ],
    options: &[RuleOption {
        name: "allowed-names",
        kind: OptionKind::StringList,
        default: "[]",
        help: "Environment variable names never reported (exact, case-insensitive)",
    }],
    doc: include_str!("../../../rules/ecs-container-plaintext-secret.md"),
};

struct PlaintextSecret<'a> {
    container: String,
    name: &'a str,
    /// Managed by Terraform (configuration or state), so the value is in its state too.
    terraform: bool,
    /// The task definition is a JSON file: the snippet is JSON.
    json: bool,
}

impl Violation for PlaintextSecret<'_> {
    fn message(&self) -> String {
        format!(
            "container {} sets {} as a plain environment variable: its value is stored in clear in the task definition (readable with ecs:DescribeTaskDefinition){}",
            self.container,
            self.name,
            if self.terraform { " and in Terraform state" } else { "" }
        )
    }
    fn fix_title(&self) -> String {
        if self.json {
            return format!(
                "move {} to the container's \"secrets\" as {{\"name\": \"{}\", \"valueFrom\": \"<Secrets Manager secret or SSM SecureString parameter ARN>\"}} and let the task execution role read it",
                self.name, self.name
            );
        }
        format!(
            "move {} to the container's `secrets` as {{ name = \"{}\", valueFrom = <Secrets Manager secret or SSM SecureString parameter ARN> }} and let the task execution role read it",
            self.name, self.name
        )
    }
}

impl Rule for EcsContainerPlaintextSecret {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx, out: &mut Sink) {
        let allowed = cx.options.strings("allowed-names");
        for td in cx.model.resources_of("aws_ecs_task_definition") {
            for c in &known_containers(td, out) {
                if let Value::Unknown(u) = c.get("environment") {
                    out.not_evaluated(
                        td,
                        format!(
                            "the environment of container {} is not known: {}",
                            c.label(),
                            u.cause()
                        ),
                        td.origin_at(&format!("container_definitions[{}]", c.index))
                            .map(|o| o.location.clone()),
                    );
                    continue;
                }
                for (j, e) in c.environment().iter().enumerate() {
                    let Some(name) = e.name.as_str() else {
                        continue;
                    };
                    // The name says so, or the value does: a URL with a password in it
                    // (`DATABASE_URL = "postgres://app:pw@db/app"`) whatever it is called.
                    let secret = (looks_secret(name)
                        && holds_a_value(e.value)
                        && !names_a_secret(cx, td, e.value))
                        || url_with_password(e.value);
                    if !secret || allowed.iter().any(|a| a.eq_ignore_ascii_case(name)) {
                        continue;
                    }
                    // The entry, not its value: the value's own places (a tfvars line) would
                    // print the secret.
                    let at = td
                        .origin_at(&format!(
                            "container_definitions[{}].environment[{j}]",
                            c.index
                        ))
                        .map(|o| o.location.clone());
                    // The value's text, wherever it is written, is masked in every excerpt;
                    // a value a state supplied is in no text of the configuration.
                    let path = format!("container_definitions[{}].environment[{j}].value", c.index);
                    let origin = td.origin_at(&path);
                    let supplied: Vec<Related> = td
                        .supplied_by(&path)
                        .map(|v| Related {
                            message: v.label.clone(),
                            location: v.location.clone(),
                        })
                        .into_iter()
                        .collect();
                    let redact = match origin {
                        Some(o) if supplied.is_empty() => std::iter::once(&o.location)
                            .chain(o.via.iter().map(|v| &v.location))
                            .filter_map(|l| l.span().cloned())
                            .collect(),
                        _ => Vec::new(),
                    };
                    out.report(
                        td,
                        &PlaintextSecret {
                            container: c.label(),
                            name,
                            terraform: td.seen.iter().any(|s| {
                                use crate::model::SourceKind::*;
                                matches!(s.kind, Config | State | Plan)
                            }),
                            json: td.primary_source() == crate::model::SourceKind::TaskDefinition,
                        },
                        at,
                        supplied,
                    )
                    .redact = redact;
                }
            }
        }
    }
}

/// Whether the entry carries something that could be a secret. A value known only at apply
/// (`random_password.db.result`, a variable without value) counts: whatever it turns out to
/// be, ECS stores it in clear. Empty strings, booleans and ARNs (a reference to a secret, not
/// the secret) do not.
fn holds_a_value(v: &Value) -> bool {
    match v.peel() {
        Value::Null | Value::Bool(_) => false,
        Value::String(s) => {
            let s = s.trim();
            !s.is_empty()
                && !s.eq_ignore_ascii_case("true")
                && !s.eq_ignore_ascii_case("false")
                && !s.starts_with("arn:")
                // The path of a file the secret is mounted at (`SECRET=/var/secret/app.env`):
                // where to read it, not the secret.
                && !is_file_path(s)
        }
        Value::Unknown(u) => {
            let c = u.cause();
            // `"/var/secret/${aws_secretsmanager_secret.app.name}"`: a path, known in part.
            let path = c.template_parts().is_some_and(|parts| {
                matches!(parts.first(), Some(Value::String(t)) if t.starts_with('/') && !t.contains(char::is_whitespace))
            });
            // The name or ARN of a Secrets Manager secret or SSM parameter: the key to look the
            // secret up with, not the secret.
            let names_a_secret = c.leaves().iter().all(|l| {
                matches!(l, Cause::Resource { target, attribute: Some(a), .. }
                    if (target.starts_with("aws_secretsmanager_secret.") || target.starts_with("aws_ssm_parameter."))
                        && matches!(a.as_str(), "name" | "arn" | "id"))
            });
            !path && !names_a_secret
        }
        _ => true,
    }
}

/// Resource types whose name or ARN is the key a secret is looked up with.
const SECRET_STORES: &[&str] = &["aws_secretsmanager_secret", "aws_ssm_parameter"];

/// Whether a known environment value of `td` is the name or ARN of a Secrets Manager secret
/// or SSM parameter (`DB_SECRET = aws_secretsmanager_secret.db.name`, which the plan knows as
/// `"app/db"`): one the value resolves to, or — a reference through `trimprefix`, `substr`
/// or `replace`, planned as text — part of, or containing, the name or ARN of one that the
/// container definitions refer to. The key to look the secret up with, not the secret.
fn names_a_secret(cx: &Ctx, td: &crate::model::Resource, v: &Value) -> bool {
    let keyed = |rtype: &str, attribute: Option<&str>| {
        SECRET_STORES.contains(&rtype) && matches!(attribute, Some("name" | "arn" | "id"))
    };
    let Some(s) = v.as_str() else {
        return false;
    };
    if cx
        .model
        .targets(v)
        .iter()
        .any(|t| keyed(&t.resource.rtype, t.attribute.as_deref()))
    {
        return true;
    }
    // Compared by letters and digits only: `replace(name, "/", "-")` is still the name.
    let letters = |t: &str| -> String {
        t.chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let s = letters(s);
    s.len() >= 3
        && cx
            .model
            .targets_of(td, "container_definitions")
            .iter()
            .filter(|t| keyed(&t.resource.rtype, t.attribute.as_deref()))
            .filter_map(|t| t.resource.get(t.attribute.as_deref()?)?.as_str())
            .map(letters)
            .any(|k| k.len() >= 3 && (k.contains(&s) || s.contains(&k)))
}

/// A URL whose user information carries a password (`postgres://user:pass@host/db`,
/// `redis://:pass@host:6379`), known or known only at apply
/// (`"postgres://app:${random_password.db.result}@…"`): the password is in clear whatever the
/// variable is called.
pub fn url_with_password(v: &Value) -> bool {
    // Unknown parts stand for one character each: they hold something.
    let text: String = match v.peel() {
        Value::String(s) => s.clone(),
        Value::Unknown(u) => match u.cause().template_parts() {
            Some(parts) => parts
                .iter()
                .map(|p| p.as_str().unwrap_or("\u{0}"))
                .collect(),
            None => return false,
        },
        _ => return false,
    };
    let Some((scheme, rest)) = text.split_once("://") else {
        return false;
    };
    if scheme.is_empty()
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
    {
        return false;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let Some((userinfo, _host)) = authority.rsplit_once('@') else {
        return false;
    };
    userinfo
        .split_once(':')
        .is_some_and(|(_, password)| !password.is_empty())
}

fn is_file_path(s: &str) -> bool {
    s.len() > 1
        && s.starts_with('/')
        && !s.starts_with("//")
        && s[1..].contains(|c: char| c.is_ascii_alphanumeric())
        && !s.contains(char::is_whitespace)
        && s.split('/').skip(1).all(|seg| {
            !seg.is_empty()
                && seg
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        })
}

/// Words that make a name hold a secret.
const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PSWD",
    "PASSPHRASE",
    "SECRET",
    "SECRETS",
    "TOKEN",
    "CREDENTIAL",
    "CREDENTIALS",
    "APIKEY",
    "PRIVATEKEY",
    "ACCESSKEY",
    "SECRETKEY",
];

/// `<WORD>_KEY` pairs that are keys in the secret sense.
const KEY_QUALIFIERS: &[&str] = &[
    "API",
    "PRIVATE",
    "ACCESS",
    "SIGNING",
    "ENCRYPTION",
    "MASTER",
    "HMAC",
    "LICENSE",
    "APP",
    "ACCOUNT",
    "AUTH",
];

/// A last word that makes the name *about* a secret rather than the secret itself:
/// `DB_PASSWORD_ARN`, `API_TOKEN_URL`, `SECRET_NAME`, `TOKEN_ENABLED`, `AWS_ACCESS_KEY_ID`.
const NOT_THE_SECRET: &[&str] = &[
    "ARN",
    "NAME",
    "FILE",
    "PATH",
    "DIR",
    "URL",
    "URI",
    "ENDPOINT",
    "HOST",
    "PORT",
    "ID",
    "IDS",
    "ENABLED",
    "ENABLE",
    "DISABLED",
    "DISABLE",
    "REQUIRED",
    "TTL",
    "EXPIRY",
    "EXPIRES",
    "EXPIRATION",
    "LIFETIME",
    "TIMEOUT",
    "LENGTH",
    "SIZE",
    "TYPE",
    "MODE",
    "REGION",
    "VERSION",
    "HEADER",
    "PARAM",
    "PARAMETER",
    "PREFIX",
    "SUFFIX",
    "FIELD",
    "ALGORITHM",
    "ISSUER",
    "AUDIENCE",
    "SCOPE",
    "SCOPES",
    "LOCATION",
    "BUCKET",
    "USER",
    "USERNAME",
    "POLICY",
    "ROTATION",
];

/// Whether an environment variable name says it holds a secret.
pub fn looks_secret(name: &str) -> bool {
    let words = words(name);
    let Some(last) = words.last() else {
        return false;
    };
    if NOT_THE_SECRET.contains(&last.as_str()) || shipped_to_browsers(&words) {
        return false;
    }
    // Airflow's secrets backends read `AIRFLOW__<SECTION>__<KEY>_SECRET` as the name to look
    // the value up with (`AIRFLOW__CORE__SQL_ALCHEMY_CONN_SECRET=sql_alchemy_conn`).
    if words.first().is_some_and(|w| w == "AIRFLOW") && last == "SECRET" {
        return false;
    }
    // Run together: `DBPASSWORD`, `MYSQLPASSWD`, `ADMINPSWD`.
    if ["PASSWORD", "PASSWD", "PSWD"]
        .iter()
        .any(|w| last.len() > w.len() && last.ends_with(w))
    {
        return true;
    }
    // `DB_PASS`, `DB_PWD`, but not the shell's `PWD`.
    if words.len() > 1 && (last == "PASS" || last == "PWD") {
        return true;
    }
    words.iter().enumerate().any(|(i, w)| {
        SECRET_WORDS.contains(&w.as_str())
            || (w == "KEY" && i > 0 && KEY_QUALIFIERS.contains(&words[i - 1].as_str()))
    })
}

/// Frontend frameworks inline variables with these prefixes into the JavaScript they serve
/// (`NEXT_PUBLIC_API_KEY`): public by design, so not a secret whoever reads the task definition.
fn shipped_to_browsers(words: &[String]) -> bool {
    const PREFIXES: &[&[&str]] = &[
        &["NEXT", "PUBLIC"],
        &["NUXT", "PUBLIC"],
        &["EXPO", "PUBLIC"],
        &["REACT", "APP"],
        &["VITE"],
        &["GATSBY"],
    ];
    PREFIXES
        .iter()
        .any(|p| words.len() > p.len() && words.iter().zip(p.iter()).all(|(w, p)| w == p))
}

/// `dbPassword`, `DB-PASSWORD`, `db.password` → `["DB", "PASSWORD"]`.
fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for ch in name.chars() {
        if !ch.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if ch.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = ch.is_ascii_lowercase() || ch.is_ascii_digit();
        cur.push(ch.to_ascii_uppercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names() {
        for n in [
            "DB_PASSWORD",
            "POSTGRES_PASSWORD",
            "dbPassword",
            "DB_PASS",
            "MYSQL_PWD",
            "GITHUB_TOKEN",
            "AUTH_TOKEN",
            "AWS_SECRET_ACCESS_KEY",
            "API_KEY",
            "STRIPE_APIKEY",
            "JWT_PRIVATE_KEY",
            "CLIENT_SECRET",
            "SECRET_KEY_BASE",
            "GOOGLE_APPLICATION_CREDENTIALS_JSON",
            "app.secret",
            "APP_KEY",
            "REDIS_AUTH_TOKEN",
            "DB_PSWD",
            "ADMIN_PASSWD",
            "DBPASSWORD",
            "MYSQLPASSWD",
            "SERVICE_TOKEN",
            "OPENAI_API_KEY",
        ] {
            assert!(looks_secret(n), "{n}");
        }
    }

    #[test]
    fn urls_with_a_password_are_secrets_whatever_their_name() {
        for v in [
            "postgres://app:hunter2@db.internal:5432/app",
            "redis://:hunter2@cache.internal:6379/0",
            "mysql+pymysql://root:pw@mysql/app?charset=utf8",
        ] {
            assert!(url_with_password(&Value::string(v)), "{v}");
        }
        for v in [
            "postgres://db.internal:5432/app",
            "postgres://app@db.internal/app",
            "https://example.com/login?next=user:x@y",
            "not a url",
        ] {
            assert!(!url_with_password(&Value::string(v)), "{v}");
        }
        // The password known only at apply: still in clear in the task definition.
        let templated = Value::unknown(Cause::Template(vec![
            crate::model::Part::Text("postgres://app:".into()),
            crate::model::Part::Unknown(Cause::Variable("pw".into())),
            crate::model::Part::Text("@db/app".into()),
        ]));
        assert!(url_with_password(&templated));
    }

    #[test]
    fn names_about_secrets_are_not_secrets() {
        for n in [
            "DB_PASSWORD_ARN",
            "DB_SECRET_NAME",
            "DB_PASSWORD_FILE",
            "TOKEN_URL",
            "OAUTH_TOKEN_ENDPOINT",
            "TOKEN_AUTH_ENABLED",
            "AWS_ACCESS_KEY_ID",
            "SECRETS_MANAGER_PREFIX",
            "PWD",
            "PASSWORD_MIN_LENGTH",
            "DB_HOST",
            "PASSENGER_COUNT",
            "KEYCLOAK_URL",
            "CACHE_KEY",
            "TOKEN_TTL",
            "bypass",
            "NEXT_PUBLIC_API_KEY",
            "REACT_APP_AUTH_TOKEN",
            "VITE_API_KEY",
            "AIRFLOW__CORE__SQL_ALCHEMY_CONN_SECRET",
            "AIRFLOW__WEBSERVER__SECRET_KEY_SECRET",
        ] {
            assert!(!looks_secret(n), "{n}");
        }
    }

    #[test]
    fn values_that_cannot_be_secrets() {
        assert!(!holds_a_value(&Value::string("")));
        assert!(!holds_a_value(&Value::string("true")));
        assert!(!holds_a_value(&Value::Bool(false)));
        assert!(!holds_a_value(&Value::string(
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db"
        )));
        assert!(!holds_a_value(&Value::string("/var/secret/app.env")));
        assert!(holds_a_value(&Value::string("/hunter 2")));
        assert!(holds_a_value(&Value::string("/")));
        assert!(holds_a_value(&Value::string("hunter2")));
        let secret_name = Cause::Resource {
            module: String::new(),
            target: "aws_secretsmanager_secret.app".into(),
            key: None,
            attribute: Some("name".into()),
        };
        assert!(!holds_a_value(&Value::unknown(secret_name.clone())));
        assert!(!holds_a_value(&Value::unknown(Cause::Template(vec![
            crate::model::Part::Text("/var/secret/".into()),
            crate::model::Part::Unknown(Cause::Variable("file".into())),
        ]))));
        assert!(holds_a_value(&Value::unknown(Cause::Template(vec![
            crate::model::Part::Text("pw-".into()),
            crate::model::Part::Unknown(Cause::Variable("pw".into())),
        ]))));
        assert!(holds_a_value(&Value::unknown(
            crate::model::Cause::Reference("random_password.db.result".into())
        )));
    }
}
