//! `infra-lint.toml`: rule selection, severities, options, the name prefix (STYLE.md §13).
//! Strict: an unknown key or rule is an error with a "did you mean". CLI > file > default.
use crate::rules::registry::RULES;
use crate::rules::{OptionKind, RuleMeta, Severity};
use serde_json::Value as J;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "infra-lint.toml";

/// A rule's configured level: a severity, or off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    On(Severity),
    Off,
}

/// The settings rules run with, after merging file and command line.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    pub name_prefix: Option<String>,
    /// Selectors (code, name or code prefix); empty means every rule.
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    /// By rule code.
    pub levels: BTreeMap<&'static str, Level>,
    /// By rule code, then option name.
    pub options: BTreeMap<&'static str, BTreeMap<String, J>>,
    /// The file these came from, if any.
    pub file: Option<PathBuf>,
    /// `[limits]`: bounds on what one check reads and builds.
    pub limits: crate::model::limits::Limits,
}

/// Command-line overrides.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    pub config: Option<PathBuf>,
    pub name_prefix: Option<String>,
    pub select: Vec<String>,
    pub ignore: Vec<String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{message}")]
pub struct ConfigError {
    pub message: String,
}

fn err(file: Option<&Path>, line: Option<usize>, msg: String) -> ConfigError {
    let at = match (file, line) {
        (Some(f), Some(l)) => format!("{}:{l}: ", f.display()),
        (Some(f), None) => format!("{}: ", f.display()),
        _ => String::new(),
    };
    ConfigError {
        message: format!("{at}{msg}"),
    }
}

impl Settings {
    pub fn option(&self, code: &str, name: &str) -> Option<&J> {
        self.options.get(code).and_then(|o| o.get(name))
    }

    /// The severity a rule runs at, or None when it is not selected or is off.
    pub fn severity_of(&self, meta: &RuleMeta) -> Option<Severity> {
        let selected = self.select.is_empty() || self.select.iter().any(|s| matches(s, meta));
        if !selected || self.ignore.iter().any(|s| matches(s, meta)) {
            return None;
        }
        match self.levels.get(meta.code) {
            Some(Level::Off) => None,
            Some(Level::On(s)) => Some(*s),
            None => Some(meta.severity),
        }
    }

    /// Reads the configuration for a check of `dir`: `--config`, or the first
    /// `infra-lint.toml` in `dir` or its parents up to the git root; then the overrides.
    pub fn load(dir: &Path, o: &Overrides) -> Result<Settings, ConfigError> {
        let file = match &o.config {
            Some(f) => Some(f.clone()),
            None => discover(dir),
        };
        let mut s = match &file {
            Some(f) => {
                let text = std::fs::read_to_string(f)
                    .map_err(|e| err(Some(f), None, format!("cannot read configuration: {e}")))?;
                parse(&text, Some(f))?
            }
            None => Settings::default(),
        };
        s.file = file;
        s.apply(o)?;
        Ok(s)
    }

    /// As `load`, but a configuration file that cannot be read or parsed is an error beside
    /// the settings rather than instead of them: the check goes on with the defaults and the
    /// command line, and the error is reported in every format. Bad command-line selectors
    /// are still an error (a usage error).
    pub fn load_or_default(
        dir: &Path,
        o: &Overrides,
    ) -> Result<(Settings, Option<ConfigError>), ConfigError> {
        match Settings::load(dir, o) {
            Ok(s) => Ok((s, None)),
            Err(e) => {
                let mut s = Settings::default();
                s.apply(o)?;
                Ok((s, Some(e)))
            }
        }
    }

    fn apply(&mut self, o: &Overrides) -> Result<(), ConfigError> {
        let s = self;
        if let Some(p) = &o.name_prefix {
            s.name_prefix = Some(p.clone());
        }
        for sel in o.select.iter().chain(&o.ignore) {
            check_selector(sel, None, None)?;
        }
        // `--select` replaces the file's whole selection, its `ignore` too: `--select ECS006`
        // with `ignore = ["ECS006"]` in the file would otherwise run nothing, silently (ruff
        // fixed the same surprise in astral-sh/ruff#1245).
        if !o.select.is_empty() {
            s.select = o.select.clone();
            s.ignore.clear();
        }
        s.ignore.extend(o.ignore.iter().cloned());
        Ok(())
    }
}

/// `infra-lint.toml` in `dir` or a parent; the search stops at the directory holding `.git`.
pub fn discover(dir: &Path) -> Option<PathBuf> {
    let start = std::fs::canonicalize(dir).ok()?;
    for d in start.ancestors() {
        let f = d.join(FILE_NAME);
        if f.is_file() {
            return Some(f);
        }
        if d.join(".git").exists() {
            break;
        }
    }
    None
}

fn matches(selector: &str, meta: &RuleMeta) -> bool {
    let s = selector.trim();
    meta.name.eq_ignore_ascii_case(s)
        || (s.len() <= meta.code.len()
            && !s.is_empty()
            && meta.code[..s.len()].eq_ignore_ascii_case(s))
}

fn check_selector(s: &str, file: Option<&Path>, line: Option<usize>) -> Result<(), ConfigError> {
    if RULES.iter().any(|r| matches(s, r.meta())) {
        return Ok(());
    }
    let names = RULES.iter().flat_map(|r| [r.meta().code, r.meta().name]);
    Err(err(
        file,
        line,
        format!("unknown rule `{s}`{}", did_you_mean(s, names)),
    ))
}

/// Finds a rule by exact code or name.
fn rule_by_key(key: &str) -> Option<&'static RuleMeta> {
    crate::rules::registry::find(key).map(|r| r.meta())
}

const TOP_KEYS: &[&str] = &["name_prefix", "select", "ignore", "rules", "limits"];

/// Parses and validates a configuration file's text.
pub fn parse(text: &str, file: Option<&Path>) -> Result<Settings, ConfigError> {
    let lines = key_lines(text);
    let line_of = |path: &[&str]| -> Option<usize> {
        lines
            .iter()
            .find(|(p, _)| p.iter().map(String::as_str).eq(path.iter().copied()))
            .map(|(_, l)| *l)
    };
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
        err(file, line, format!("invalid TOML: {}", e.message()))
    })?;
    let mut s = Settings::default();
    for (key, value) in &table {
        let line = line_of(&[key]);
        match key.as_str() {
            "name_prefix" => match value {
                toml::Value::String(p) if !p.is_empty() => s.name_prefix = Some(p.clone()),
                _ => {
                    return Err(err(
                        file,
                        line,
                        "name_prefix must be a non-empty string".into(),
                    ))
                }
            },
            "select" | "ignore" => {
                let list = string_list(value)
                    .ok_or_else(|| err(file, line, format!("{key} must be a list of strings")))?;
                for sel in &list {
                    check_selector(sel, file, line)?;
                }
                if key == "select" {
                    s.select = list;
                } else {
                    s.ignore = list;
                }
            }
            "rules" => {
                let toml::Value::Table(rules) = value else {
                    return Err(err(file, line, "rules must be a table".into()));
                };
                let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
                for (rule, body) in rules {
                    let rline = line_of(&["rules", rule]);
                    let meta = rule_by_key(rule).ok_or_else(|| {
                        let names = RULES.iter().flat_map(|r| [r.meta().code, r.meta().name]);
                        err(
                            file,
                            rline,
                            format!("unknown rule `{rule}`{}", did_you_mean(rule, names)),
                        )
                    })?;
                    // `[rules.SEC001]` and `[rules.plaintext-secret]` would otherwise silently
                    // override each other in table order.
                    if let Some(first) = seen.insert(meta.code, rule) {
                        return Err(err(
                            file,
                            rline,
                            format!("[rules.{rule}] configures the same rule as [rules.{first}]"),
                        ));
                    }
                    let toml::Value::Table(body) = body else {
                        return Err(err(file, rline, format!("rules.{rule} must be a table")));
                    };
                    let key_line = |key: &str| line_of(&["rules", rule, key]).or(rline);
                    parse_rule(meta, body, &mut s, file, &key_line)?;
                }
            }
            "limits" => {
                let toml::Value::Table(limits) = value else {
                    return Err(err(file, line, "limits must be a table".into()));
                };
                for (key, v) in limits {
                    let kline = line_of(&["limits", key]).or(line);
                    if !crate::model::limits::Limits::KEYS.contains(&key.as_str()) {
                        return Err(err(
                            file,
                            kline,
                            format!(
                                "limits has no setting `{key}`{}",
                                did_you_mean(
                                    key,
                                    crate::model::limits::Limits::KEYS.iter().copied()
                                )
                            ),
                        ));
                    }
                    match v.as_integer() {
                        Some(n) if n > 0 => s.limits.set(key, n as u64),
                        _ => {
                            return Err(err(
                                file,
                                kline,
                                format!("limits.{key} must be a whole number greater than 0"),
                            ))
                        }
                    }
                }
            }
            other => {
                return Err(err(
                    file,
                    line,
                    format!(
                        "unknown key `{other}`{}",
                        did_you_mean(other, TOP_KEYS.iter().copied())
                    ),
                ))
            }
        }
    }
    Ok(s)
}

/// The line of every key, by its path (`["rules", "RDS001", "severity"]`), from the parser's
/// own spans. Called only on text `toml` already accepted.
fn key_lines(text: &str) -> Vec<(Vec<String>, usize)> {
    fn walk(
        text: &str,
        table: &toml::de::DeTable,
        prefix: &[String],
        out: &mut Vec<(Vec<String>, usize)>,
    ) {
        for (k, v) in table {
            let mut path = prefix.to_vec();
            path.push(k.get_ref().to_string());
            let at = k.span().start.min(text.len());
            out.push((path.clone(), text[..at].matches('\n').count() + 1));
            if let toml::de::DeValue::Table(t) = v.get_ref() {
                walk(text, t, &path, out);
            }
        }
    }
    let mut out = Vec::new();
    if let Ok(t) = toml::de::DeTable::parse(text) {
        walk(text, t.get_ref(), &[], &mut out);
    }
    out
}

fn parse_rule(
    meta: &'static RuleMeta,
    body: &toml::Table,
    s: &mut Settings,
    file: Option<&Path>,
    line_of: &dyn Fn(&str) -> Option<usize>,
) -> Result<(), ConfigError> {
    for (key, value) in body {
        let line = line_of(key);
        if key == "severity" {
            let level = match value.as_str() {
                Some("error") => Level::On(Severity::Error),
                Some("warning") => Level::On(Severity::Warning),
                Some("note") => Level::On(Severity::Note),
                Some("off") => Level::Off,
                _ => {
                    return Err(err(
                        file,
                        line,
                        format!(
                            "{}: severity must be \"error\", \"warning\", \"note\" or \"off\"",
                            meta.name
                        ),
                    ))
                }
            };
            s.levels.insert(meta.code, level);
            continue;
        }
        let Some(opt) = meta.options.iter().find(|o| o.name == key) else {
            let known = std::iter::once("severity").chain(meta.options.iter().map(|o| o.name));
            return Err(err(
                file,
                line,
                format!(
                    "{} has no option `{key}`{}",
                    meta.name,
                    did_you_mean(key, known)
                ),
            ));
        };
        let ok = match opt.kind {
            OptionKind::Bool => value.is_bool(),
            OptionKind::Integer => value.is_integer(),
            OptionKind::String => value.is_str(),
            OptionKind::StringList => string_list(value).is_some(),
        };
        if !ok {
            return Err(err(
                file,
                line,
                format!(
                    "{}.{key} must be {}",
                    meta.name,
                    match opt.kind {
                        OptionKind::Bool => "true or false",
                        OptionKind::Integer => "an integer",
                        OptionKind::String => "a string",
                        OptionKind::StringList => "a list of strings",
                    }
                ),
            ));
        }
        let j = serde_json::to_value(value).unwrap_or(J::Null);
        s.options
            .entry(meta.code)
            .or_default()
            .insert(key.clone(), j);
    }
    Ok(())
}

fn string_list(v: &toml::Value) -> Option<Vec<String>> {
    v.as_array()?
        .iter()
        .map(|x| x.as_str().map(String::from))
        .collect()
}

/// ", did you mean `x`?" for the closest candidate within a small edit distance.
pub fn did_you_mean<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> String {
    let w = word.to_ascii_lowercase();
    let best = candidates
        .map(|c| (edit_distance(&w, &c.to_ascii_lowercase()), c))
        .min_by_key(|(d, _)| *d);
    match best {
        Some((d, c)) if d <= (w.len() / 3).max(2) => format!("; did you mean `{c}`?"),
        _ => String::new(),
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_top_key_suggests() {
        let e = parse("selct = [\"RDS\"]\n", None).unwrap_err();
        assert_eq!(e.message, "unknown key `selct`; did you mean `select`?");
    }

    #[test]
    fn errors_point_at_the_key_itself_not_a_key_it_prefixes() {
        let e = parse(
            "select = [\"RDS\"]\nsel = 1\n",
            Some(Path::new("infra-lint.toml")),
        )
        .unwrap_err();
        assert_eq!(e.message, "infra-lint.toml:2: unknown key `sel`");
        let e = parse(
            "[rules.RDS001]\nseverity = \"note\"\n\n[rules.RDS002]\n\nseverity = \"loud\"\n",
            Some(Path::new("infra-lint.toml")),
        )
        .unwrap_err();
        assert!(
            e.message.starts_with("infra-lint.toml:6: "),
            "{}",
            e.message
        );
    }

    #[test]
    fn unknown_rule_suggests_and_is_located() {
        let e = parse(
            "name_prefix = \"k\"\n[rules.rds-publicly-accesible]\nseverity = \"warning\"\n",
            Some(Path::new("infra-lint.toml")),
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "infra-lint.toml:2: unknown rule `rds-publicly-accesible`; did you mean `rds-publicly-accessible`?"
        );
    }

    #[test]
    fn severities_and_selection() {
        let s = parse(
            "select = [\"RDS\"]\n[rules.RDS001]\nseverity = \"warning\"\n",
            None,
        )
        .unwrap();
        let meta = crate::rules::registry::find("RDS001").unwrap().meta();
        assert_eq!(s.severity_of(meta), Some(Severity::Warning));
        let off = parse(
            "[rules.rds-publicly-accessible]\nseverity = \"off\"\n",
            None,
        )
        .unwrap();
        assert_eq!(off.severity_of(meta), None);
        let other = parse("select = [\"LINT\"]\n", None).unwrap();
        assert_eq!(other.severity_of(meta), None);
    }

    #[test]
    fn errors_point_at_the_key_in_its_own_rule_table() {
        let e = parse(
            "[rules.ECS005]\nseverity = \"warning\"\n\n[rules.SEC001]\nseverity = \"fatal\"\n",
            Some(Path::new("c.toml")),
        )
        .unwrap_err();
        assert!(
            e.message
                .starts_with("c.toml:5: plaintext-secret: severity"),
            "{}",
            e.message
        );
    }

    #[test]
    fn one_rule_configured_under_its_code_and_its_name_is_an_error() {
        let e = parse(
            "[rules.SEC001]\nseverity = \"off\"\n[rules.plaintext-secret]\nseverity = \"warning\"\n",
            Some(Path::new("c.toml")),
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "c.toml:3: [rules.plaintext-secret] configures the same rule as [rules.SEC001]"
        );
    }

    #[test]
    fn bad_severity_and_unknown_option() {
        let e = parse("[rules.RDS001]\nseverity = \"fatal\"\n", None).unwrap_err();
        assert!(e.message.contains("severity must be"), "{}", e.message);
        let e = parse("[rules.RDS001]\nseverty = \"note\"\n", None).unwrap_err();
        assert!(
            e.message
                .ends_with("has no option `severty`; did you mean `severity`?"),
            "{}",
            e.message
        );
    }
}
