//! The pipeline, one request at a time: load the sources (configuration, then state and plan
//! joined into the same model) → run the rules → suppress → resolve fixes → a result ready to
//! render. The CLI, the tests and the benchmark all go through here.
use crate::config::Settings;
use crate::diag::{Finding, InputError, NotEvaluated};
use crate::hcl::{Limits, LoadOptions};
use crate::model::Model;
use crate::report::CheckResult;
use crate::rules::{run_rule, Ctx, Rule, RuleOptions};
use crate::source::{display_path, Location, SourceMap, Span};
use crate::state::join::{self, Joined};
use std::path::PathBuf;

/// Where a state or plan document comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DocSource {
    File(PathBuf),
    /// Text already read (stdin), with the name to show for it.
    Text {
        display: String,
        text: String,
    },
    /// The configuration's backend (`--state` with no file).
    Backend,
    /// Standard input (`--state -`, `--plan -`), read when loading, within
    /// `limits.max_state_bytes`.
    Stdin,
}

/// Where the live account comes from.
#[derive(Clone, Debug)]
pub enum LiveSource {
    /// A recorded scan (`--live-from live.json`).
    Replay(DocSource),
    /// The account, read-only through the AWS SDK (`--live`), reached as `Request::aws` says.
    #[cfg(feature = "aws")]
    Aws,
}

/// What to check, independent of how it was asked for.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// The root module directory.
    pub dir: PathBuf,
    pub load: LoadOptions,
    /// A Terraform state (format version 4).
    pub state: Option<DocSource>,
    /// The output of `terraform show -json PLANFILE`.
    pub plan: Option<DocSource>,
    /// The live account: a recorded scan (`live.json`) or, with the `aws` feature, the
    /// account itself.
    pub live: Option<LiveSource>,
    /// ECS task definition files (`--task-definition`, or found in the directory and named by
    /// the repository's workflows).
    pub task_definitions: crate::taskdef::TaskDefinitions,
    /// The workspace whose state the backend holds (`--workspace`; else `TF_WORKSPACE`,
    /// `.terraform/environment`, `default`).
    pub workspace: Option<String>,
    /// How to reach AWS: for `--live`, and for the state of an s3 backend.
    #[cfg(feature = "aws")]
    pub aws: crate::live::aws::AwsOptions,
}

impl Request {
    /// Reads standard input once for a state or plan given as `-`, within
    /// `limits.max_state_bytes`, so that loading again (fixing, then checking) sees the same
    /// text. Input that cannot be read is dropped from the request and returned as the error
    /// to report; configuration is still checked.
    pub fn read_stdin(&mut self, limits: &Limits) -> Option<InputError> {
        let mut error = None;
        for doc in [&mut self.state, &mut self.plan] {
            if *doc != Some(DocSource::Stdin) {
                continue;
            }
            match stdin_text(limits) {
                Ok(text) => {
                    *doc = Some(DocSource::Text {
                        display: "(stdin)".into(),
                        text,
                    })
                }
                Err(e) => {
                    *doc = None;
                    error = Some(e);
                }
            }
        }
        error
    }
}

/// Standard input as a state or plan, within `limits.max_state_bytes`.
fn stdin_text(limits: &Limits) -> Result<String, InputError> {
    crate::state::read_at_most(std::io::stdin().lock(), limits.max_state_bytes)
        .map_err(|e| InputError::at(format!("cannot read a state or plan from stdin: {e}"), None))
}

/// Every source loaded into one model.
pub struct Loaded {
    pub sources: SourceMap,
    pub model: Model,
    pub errors: Vec<InputError>,
    /// Per state, plan or live file: its name and what joining it did.
    pub joined: Vec<(String, Joined)>,
    /// The calls a live scan could not make, as "call: reason".
    pub not_readable: Vec<String>,
}

/// Loads configuration, then the plan and the state into the same model, within the default
/// limits. A panic is an `Err` naming the directory.
pub fn load(req: &Request) -> Result<Loaded, String> {
    guarded(req, || load_within(req, &Limits::DEFAULT))?
}

/// The message for a panic caught while checking `dir`.
fn internal_error(dir: &std::path::Path, payload: Box<dyn std::any::Any + Send>) -> String {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into());
    format!(
        "internal error while checking {}: {what}; please report this",
        dir.display()
    )
}

/// Runs `f`, turning a panic into an `Err` that names the root: one root's bug must not take
/// the report of every other root with it. The default panic hook still prints the panic's
/// location on stderr: that line is what a bug report needs, and replacing the hook is
/// process-wide state that parallel roots would race on.
fn guarded<T>(req: &Request, f: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .map_err(|payload| internal_error(&req.dir, payload))
}

/// Test-only: `INFRA_LINT_TEST_PANIC=<directory name>` panics while checking that directory,
/// so the tests can show that a panic is reported and the other roots still are. Debug builds
/// only: a release binary has no such switch.
fn test_panic_trigger(dir: &std::path::Path) {
    if cfg!(debug_assertions) {
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned());
        if name.is_some() && std::env::var("INFRA_LINT_TEST_PANIC").ok() == name {
            panic!("INFRA_LINT_TEST_PANIC is set for this directory");
        }
    }
}

/// As [`load`], with the bounds of `limits` on files, expansions and values.
pub fn load_within(req: &Request, limits: &Limits) -> Result<Loaded, String> {
    if !req.dir.is_dir() {
        return Err(format!("{} is not a directory", req.dir.display()));
    }
    let loaded = crate::hcl::load_within(&req.dir, &req.load, limits);
    let mut out = Loaded {
        sources: loaded.sources,
        model: loaded.model,
        errors: loaded.errors,
        joined: Vec::new(),
        not_readable: Vec::new(),
    };
    out.model.loaded.insert(crate::model::SourceKind::Config);
    if let Some(b) = out.model.backend.as_mut() {
        b.initialized = crate::state::backend::initialized_settings(&req.dir, &b.kind).map(|m| {
            m.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), crate::model::json::from_json(v)))
                .collect()
        });
    }
    // The plan first: what the next apply makes is a better answer than what the last one made.
    for src in [&req.plan, &req.state].into_iter().flatten() {
        let Some((display, text)) = read_doc(req, src, &out.model, limits, &mut out.errors) else {
            continue;
        };
        let input = join::Input {
            display: &display,
            text: &text,
        };
        let j = join::load_into(&mut out.model, &input, &mut out.errors);
        out.joined.push((display, j));
    }
    // Task definition files next: what the pipeline is about to register, beside what
    // configuration and state hold for the same family.
    let (files, notes) = crate::taskdef::files_for(&req.dir, &req.task_definitions);
    out.model.not_evaluated.extend(notes);
    // Counted among the files read, as configuration files are (not as documents joined).
    crate::taskdef::load_into(
        &mut out.model,
        &mut out.sources,
        &req.dir,
        &files,
        limits.max_file_bytes,
        &mut out.errors,
    );
    // The account last: it joins what configuration and state hold by ID and ARN.
    if let Some(live) = &req.live {
        use crate::live::Inventory;
        let scanned = match live {
            LiveSource::Replay(src) => read_doc(req, src, &out.model, limits, &mut out.errors)
                .map(|(display, text)| (display, (crate::live::Replay { text }).scan())),
            #[cfg(feature = "aws")]
            LiveSource::Aws => {
                let scan = (crate::live::aws::AwsInventory {
                    options: req.aws.clone(),
                })
                .scan();
                let name = match &scan {
                    Ok(s) => format!("account {}", s.account.as_deref().unwrap_or("(unknown)")),
                    Err(_) => "the live account".into(),
                };
                Some((name, scan))
            }
        };
        if let Some((display, scan)) = scanned {
            match scan {
                Ok(scan) => {
                    let j = crate::live::join::join(&mut out.model, &scan);
                    out.not_readable = scan
                        .not_readable
                        .iter()
                        .map(|n| format!("{}: {}", n.call, n.reason))
                        .collect();
                    out.joined.push((
                        display,
                        Joined {
                            joined: j.joined,
                            added: j.added,
                        },
                    ));
                }
                Err(e) => out
                    .errors
                    .push(InputError::at(format!("{display}: {e}"), None)),
            }
        }
    }
    Ok(out)
}

/// The document's name and text; None (with the error recorded) when it cannot be read.
fn read_doc(
    req: &Request,
    src: &DocSource,
    model: &Model,
    limits: &Limits,
    errors: &mut Vec<InputError>,
) -> Option<(String, String)> {
    let base = req.dir.canonicalize().unwrap_or_else(|_| req.dir.clone());
    let path = match src {
        DocSource::Text { display, text } => return Some((display.clone(), text.clone())),
        DocSource::Stdin => {
            return match stdin_text(limits) {
                Ok(text) => Some(("(stdin)".into(), text)),
                Err(e) => {
                    errors.push(e);
                    None
                }
            };
        }
        DocSource::File(p) => p.clone(),
        DocSource::Backend => {
            use crate::state::backend::StateAt;
            let ws = crate::state::backend::workspace(&req.dir, req.workspace.as_deref());
            let at = || {
                model
                    .backend
                    .as_ref()
                    .map(|b| Location::Source(b.span.clone()))
            };
            match crate::state::backend::state_at(&req.dir, model, &ws) {
                Ok(StateAt::File(p)) => p,
                Ok(StateAt::S3(obj)) => {
                    return match read_s3(req, &obj, limits.max_state_bytes) {
                        Ok(text) => Some((obj.url(), text)),
                        Err(e) => {
                            errors.push(InputError::at(
                                format!(
                                    "--state: cannot read the s3 backend's state {} (workspace {ws}): {e}; \
                                     or pass the state with --state FILE",
                                    obj.url()
                                ),
                                at(),
                            ));
                            None
                        }
                    }
                }
                Err(e) => {
                    errors.push(InputError::at(format!("--state: {e}"), at()));
                    return None;
                }
            }
        }
    };
    // Inside the checked directory: relative to it, as configuration paths are; elsewhere,
    // as the user wrote it.
    let abs = path.canonicalize().unwrap_or_else(|_| path.clone());
    let display = if abs.starts_with(&base) {
        display_path(&base, &abs)
    } else {
        path.to_string_lossy().into_owned()
    };
    match crate::state::read_bounded(&path, limits.max_state_bytes) {
        Ok(text) => Some((display, text)),
        Err(e) => {
            let what = if matches!(src, DocSource::Backend) {
                "the backend's state file"
            } else {
                "state or plan file"
            };
            errors.push(InputError::at(
                format!("cannot read {what} {display}: {e}"),
                None,
            ));
            None
        }
    }
}

#[cfg(feature = "aws")]
fn read_s3(
    req: &Request,
    obj: &crate::state::backend::S3Object,
    max: u64,
) -> Result<String, String> {
    crate::live::aws::s3::get_state(&req.aws, obj, max)
}

#[cfg(not(feature = "aws"))]
fn read_s3(_: &Request, _: &crate::state::backend::S3Object, _: u64) -> Result<String, String> {
    Err(
        "reading an s3 backend needs infra-lint built with the `aws` feature; \
         `terraform state pull | infra-lint check --state -` works without it"
            .into(),
    )
}

/// A rule's context: its options as the settings give them, and the project's name prefix.
fn context<'a, 'm>(
    analysis: &'a crate::analysis::Analysis<'m>,
    rule: &dyn Rule,
    settings: &'a Settings,
) -> Ctx<'a, 'm> {
    let meta = rule.meta();
    let options = RuleOptions::resolve(meta, |name| settings.option(meta.code, name).cloned());
    Ctx::new(analysis, meta, options, settings.name_prefix.as_deref())
}

/// What the rules found on one model.
pub struct RuleResults {
    pub findings: Vec<Finding>,
    pub not_evaluated: Vec<NotEvaluated>,
    /// Every secret's source range, from the selected rules' findings and from the secret
    /// finders run for masking only: an excerpt or diff for another rule must not show a
    /// password in its context lines.
    pub redact: Vec<Span>,
}

/// Runs every enabled rule over the model, at the severities the settings give them. The
/// shared analyses are computed once for all of them.
pub fn run_rules(model: &Model, settings: &Settings) -> RuleResults {
    let analysis = crate::analysis::Analysis::new(model);
    let mut findings = Vec::new();
    let mut not_evaluated = Vec::new();
    for rule in crate::rules::registry::RULES {
        let Some(severity) = settings.severity_of(rule.meta()) else {
            continue;
        };
        let sink = run_rule(*rule, &context(&analysis, *rule, settings));
        findings.extend(sink.findings.into_iter().map(|mut f| {
            f.severity = severity;
            f
        }));
        not_evaluated.extend(sink.not_evaluated);
    }
    let masking_only: Vec<Finding> = crate::rules::secret_finders()
        .into_iter()
        .filter(|r| settings.severity_of(r.meta()).is_none())
        .flat_map(|r| run_rule(r, &context(&analysis, r, settings)).findings)
        .collect();
    let redact = findings
        .iter()
        .chain(&masking_only)
        .flat_map(|f| f.redact.iter().cloned())
        .collect();
    RuleResults {
        findings,
        not_evaluated,
        redact,
    }
}

/// Runs the whole pipeline on a request. A panic anywhere in it is reported as an input error
/// naming the directory, in a result of its own, so a multi-directory check still reports the
/// other directories.
pub fn run(req: &Request, settings: &Settings) -> Result<CheckResult, String> {
    guarded(req, || run_unguarded(req, settings)).unwrap_or_else(|message| {
        Ok(CheckResult::failed(
            crate::source::repository_root(&req.dir),
            vec![InputError::new(message, None)],
        ))
    })
}

fn run_unguarded(req: &Request, settings: &Settings) -> Result<CheckResult, String> {
    let loaded = load_within(req, &settings.limits)?;
    test_panic_trigger(&req.dir);
    let RuleResults {
        findings,
        not_evaluated: rule_ne,
        redact,
    } = run_rules(&loaded.model, settings);
    let (suppressions, suppression_errors) = crate::suppress::scan(&loaded.sources);
    let (mut findings, suppressed) = crate::suppress::apply(
        findings,
        &loaded.model,
        &loaded.sources,
        settings,
        &suppressions,
    );
    crate::diag::fix::resolve_fixes(&loaded.sources, &mut findings);
    let mut not_evaluated = loaded.model.not_evaluated.clone();
    not_evaluated.extend(rule_ne);
    let mut errors = loaded.errors;
    errors.extend(suppression_errors);
    let documents = loaded
        .joined
        .iter()
        .map(|(name, j)| crate::report::Document {
            name: name.clone(),
            joined: j.joined,
            added: j.added,
        })
        .collect();
    let not_readable = loaded.not_readable.clone();
    let mut result = CheckResult {
        documents,
        not_readable,
        resources: loaded.model.resources.len(),
        sources: loaded.sources,
        findings,
        errors,
        not_evaluated,
        fixed: 0,
        redact,
        suppressed,
        root: crate::source::repository_root(&req.dir),
        baseline: None,
        outside_changes: None,
        rules_run: crate::rules::registry::RULES
            .iter()
            .map(|r| r.meta())
            .filter_map(|m| Some((m, settings.severity_of(m)?)))
            .collect(),
    };
    result.sort();
    Ok(result)
}
