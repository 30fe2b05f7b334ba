//! ECS task definition files as a source: the JSON a deploy pipeline registers
//! (`aws ecs register-task-definition --cli-input-json file://…`, the
//! `aws-actions/amazon-ecs-*` actions), in the register-input shape or as
//! `describe-task-definition` saved it (`{"taskDefinition": {…}}`). Each file becomes an
//! `aws_ecs_task_definition` in Terraform's attribute names, every value located at its line and
//! column in the file, so the ECS rules run on it unchanged and point into it.
//!
//! Files are the ones `--task-definition` names or, by default, those found by name under the
//! checked directory ([`NAME_PATTERNS`]) and those the repository's GitHub workflows deploy
//! (the `task-definition:` input of `aws-actions/amazon-ecs-*` steps).
//!
//! Values a pipeline fills in at deploy time ([`PLACEHOLDERS`]) are Unknown, never findings.
use crate::diag::InputError;
use crate::model::{
    Address, Cause, Mode, Model, NotEvaluated, Origin, Part, Resource, Seen, SourceKind, Value,
};
use crate::source::{display_path, FileId, Location, SourceFile, SourceMap, Span};
use serde_json::Value as J;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Which task definition files a check reads.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TaskDefinitions {
    /// `--task-definition FILE` (repeatable): these files, and no discovery.
    pub files: Vec<PathBuf>,
    /// Find files by [`NAME_PATTERNS`] under the checked directory.
    pub discover: bool,
    /// Also read the files the repository's workflows deploy.
    pub workflows: bool,
}

/// File names read as task definitions when found under the checked directory (case does not
/// matter). A JSON file of such a name that is not a task definition is ignored.
pub const NAME_PATTERNS: &[&str] = &[
    "task-definition*.json",
    "*task-def*.json",
    "*task_def*.json",
    "*taskdef*.json",
];

/// What counts as a value filled in at deploy time (by `envsubst`, the render action's callers,
/// ecspresso, token-replacing tasks): the whole string or a part of it.
pub const PLACEHOLDERS: &[&str] = &[
    "${NAME} and $NAME (envsubst), also unquoted where a number goes",
    "{{ ... }} (Go templates: ecspresso, gomplate)",
    "#{NAME}# (token replacement)",
    "<NAME> as the whole value (AWS's CodePipeline examples)",
    "\"image\": \"\" (the render action fills the image in)",
];

/// Directories never searched: dependencies, build output, Terraform's own cache.
const SKIP_DIRS: &[&str] = &[".git", ".terraform", "node_modules", "target", "vendor"];

/// Whether a file name matches [`NAME_PATTERNS`].
pub fn matches_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.ends_with(".json")
        && (n.starts_with("task-definition")
            || n.contains("task-def")
            || n.contains("task_def")
            || n.contains("taskdef"))
}

/// The files to read for a check of `dir`, each once, in a stable order; with the workflow
/// inputs naming files that do not exist (a file an earlier step writes) as notes.
pub fn files_for(dir: &Path, req: &TaskDefinitions) -> (Vec<PathBuf>, Vec<NotEvaluated>) {
    if !req.files.is_empty() {
        return (req.files.clone(), Vec::new());
    }
    let mut out = Vec::new();
    let mut notes = Vec::new();
    if req.discover {
        out.extend(by_name(dir));
    }
    if req.workflows {
        let repo = crate::source::repository_root(dir);
        for w in workflow_inputs(&repo) {
            if w.path.is_file() {
                out.push(w.path);
            } else {
                notes.push(NotEvaluated {
                    code: None,
                    subject: w.path.to_string_lossy().into_owned(),
                    reason: format!(
                        "{} deploys the task definition {}, which is not in the repository \
                         (written by an earlier step?): its containers are not checked",
                        w.workflow, w.input
                    ),
                    location: None,
                });
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|p| seen.insert(p.canonicalize().unwrap_or_else(|_| p.clone())));
    (out, notes)
}

/// Files under `dir` whose name matches, honouring `.gitignore` (hidden directories such as
/// `.aws/` are searched: that is where AWS's own examples keep the file).
fn by_name(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = ignore::WalkBuilder::new(dir)
        .hidden(false)
        .require_git(false)
        .filter_entry(|e| {
            !(e.file_type().is_some_and(|t| t.is_dir())
                && SKIP_DIRS.contains(&e.file_name().to_string_lossy().as_ref()))
        })
        .build()
        .flatten()
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .filter(|e| matches_name(&e.file_name().to_string_lossy()))
        .map(|e| e.into_path())
        .collect();
    out.sort();
    out
}

/// One `task-definition:` input of an `aws-actions/amazon-ecs-*` step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkflowInput {
    /// The file, resolved against the repository root (where the actions resolve it).
    pub path: PathBuf,
    /// The input as written, `${{ env.X }}` resolved.
    pub input: String,
    /// `.github/workflows/deploy.yml`, as messages name it.
    pub workflow: String,
}

/// The task definition files the workflows of the repository at `repo` deploy. Inputs that are
/// another step's output (`${{ steps.render.outputs.task-definition }}`) name no file of the
/// repository and are skipped; `${{ env.NAME }}` is resolved from the step's, the job's and the
/// workflow's `env`.
pub fn workflow_inputs(repo: &Path) -> Vec<WorkflowInput> {
    use yaml_rust2::{Yaml, YamlLoader};
    let dir = repo.join(".github").join("workflows");
    let Ok(rd) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = rd
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yml" || x == "yaml"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let Ok(text) = crate::state::read_bounded(&f, 4 * 1024 * 1024) else {
            continue;
        };
        // A workflow that is not YAML is GitHub's error to report, not ours.
        let Ok(docs) = YamlLoader::load_from_str(&text) else {
            continue;
        };
        let workflow = display_path(repo, &f);
        for doc in &docs {
            let top_env = env_of(&doc["env"]);
            let Yaml::Hash(jobs) = &doc["jobs"] else {
                continue;
            };
            for job in jobs.values() {
                let mut job_env = top_env.clone();
                job_env.extend(env_of(&job["env"]));
                let Yaml::Array(steps) = &job["steps"] else {
                    continue;
                };
                for step in steps {
                    let uses = step["uses"].as_str().unwrap_or("");
                    if !uses.starts_with("aws-actions/amazon-ecs-") {
                        continue;
                    }
                    let Some(input) = step["with"]["task-definition"].as_str() else {
                        continue;
                    };
                    let mut env = job_env.clone();
                    env.extend(env_of(&step["env"]));
                    let Some(input) = resolve_env(input, &env) else {
                        continue;
                    };
                    let path = if Path::new(&input).is_absolute() {
                        PathBuf::from(&input)
                    } else {
                        repo.join(&input)
                    };
                    let w = WorkflowInput {
                        path,
                        input,
                        workflow: workflow.clone(),
                    };
                    if !out.contains(&w) {
                        out.push(w);
                    }
                }
            }
        }
    }
    out
}

fn env_of(y: &yaml_rust2::Yaml) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let yaml_rust2::Yaml::Hash(h) = y {
        for (k, v) in h {
            let value = match v {
                yaml_rust2::Yaml::String(s) | yaml_rust2::Yaml::Real(s) => s.clone(),
                yaml_rust2::Yaml::Integer(i) => i.to_string(),
                yaml_rust2::Yaml::Boolean(b) => b.to_string(),
                _ => continue,
            };
            if let Some(k) = k.as_str() {
                out.insert(k.to_string(), value);
            }
        }
    }
    out
}

/// `${{ env.NAME }}` replaced from `env`; None when another expression remains.
fn resolve_env(input: &str, env: &BTreeMap<String, String>) -> Option<String> {
    let mut out = String::new();
    let mut rest = input;
    while let Some(i) = rest.find("${{") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 3..];
        let end = after.find("}}")?;
        let expr = after[..end].trim();
        out.push_str(env.get(expr.strip_prefix("env.")?)?);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    let out = out.trim().to_string();
    (!out.is_empty()).then_some(out)
}

/// What loading the files did: one entry per task definition read.
#[derive(Clone, Debug, Default)]
pub struct Loaded {
    /// The display names of the files that held a task definition.
    pub read: Vec<String>,
}

/// Reads `files` into `sources` and `model`. A file that is not JSON is a located error; a JSON
/// file that is not a task definition is skipped.
pub fn load_into(
    model: &mut Model,
    sources: &mut SourceMap,
    base: &Path,
    files: &[PathBuf],
    max_bytes: u64,
    errors: &mut Vec<InputError>,
) -> Loaded {
    let base = base.canonicalize().unwrap_or_else(|_| base.to_path_buf());
    let mut out = Loaded::default();
    for path in files {
        let abs = path.canonicalize().unwrap_or_else(|_| path.clone());
        let display = display_path(&base, &abs);
        let text = match crate::state::read_bounded(path, max_bytes) {
            Ok(t) => t,
            Err(e) => {
                errors.push(InputError::new(
                    format!("cannot read task definition {display}: {e}"),
                    None,
                ));
                continue;
            }
        };
        let parsed = match parse(&text) {
            Ok(Some(p)) => p,
            Ok(None) => continue,
            Err(e) => {
                // No excerpt: the lines around the error may hold the secrets a rule would
                // have masked, had the file been readable.
                errors.push(InputError::new(
                    format!("{display}: not a valid task definition file: {e}"),
                    None,
                ));
                continue;
            }
        };
        let file = sources.add(SourceFile::new(display.clone(), abs, text));
        model.resources.push(resource(&parsed, file, &display));
        out.read.push(display);
    }
    if !out.read.is_empty() {
        model.loaded.insert(SourceKind::TaskDefinition);
        model.invalidate_links();
    }
    out
}

/// A task definition as read: the definition object and where its values are.
struct Parsed {
    /// The definition (inside `taskDefinition` for the describe shape).
    def: serde_json::Map<String, J>,
    /// JSON path of the definition object ("" or `.taskDefinition`).
    root: String,
    spans: BTreeMap<String, std::ops::Range<usize>>,
    /// The definition object's own range.
    whole: std::ops::Range<usize>,
}

/// Sentinels around a bare `${NAME}` (where a number goes) while parsing.
const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';

/// Ok(None) for JSON that is not a task definition.
fn parse(full: &str) -> Result<Option<Parsed>, String> {
    // Editors on Windows save JSON with a byte order mark, which JSON parsers refuse.
    let bom = if full.starts_with('\u{feff}') { 3 } else { 0 };
    let text = &full[bom..];
    let j: J = serde_json::from_str(&quote_bare_placeholders(text)).map_err(|e| e.to_string())?;
    let (def, root) = match j.get("taskDefinition") {
        Some(J::Object(d)) => (d.clone(), ".taskDefinition".to_string()),
        _ => match j {
            J::Object(d) => (d, String::new()),
            _ => return Ok(None),
        },
    };
    if !matches!(def.get("containerDefinitions"), Some(J::Array(_))) {
        return Ok(None);
    }
    let spans: BTreeMap<String, std::ops::Range<usize>> =
        crate::hcl::json_spans::document_spans(text)
            .into_iter()
            .map(|(p, r)| (p, r.start + bom..r.end + bom))
            .collect();
    let whole = if root.is_empty() {
        let start = text.len() - text.trim_start().len();
        start + bom..text.trim_end().len() + bom
    } else {
        spans.get(&root).cloned().unwrap_or(bom..bom)
    };
    Ok(Some(Parsed {
        def,
        root,
        spans,
        whole,
    }))
}

/// `"containerPort": ${PORT}` is not JSON, but is what an envsubst template holds: quoted (with
/// sentinels) so it parses, and read back as a placeholder.
fn quote_bare_placeholders(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("${") {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut in_string = false;
    let mut escaped = false;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            out.push(c);
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '$' if text[i..].starts_with("${") => match text[i..].find('}') {
                Some(end) => {
                    let ph = &text[i..i + end + 1];
                    out.push('"');
                    out.push(OPEN);
                    out.push_str(&ph.replace('"', "'"));
                    out.push(CLOSE);
                    out.push('"');
                    for _ in 0..ph.chars().count() - 1 {
                        chars.next();
                    }
                }
                None => out.push(c),
            },
            _ => out.push(c),
        }
    }
    out.into()
}

/// The value a JSON string stands for: itself, or Unknown where a placeholder is.
fn string_value(s: &str) -> Value {
    if let Some(inner) = s.strip_prefix(OPEN).and_then(|r| r.strip_suffix(CLOSE)) {
        return placeholder(inner);
    }
    let whole_angle = s.len() > 2
        && s.starts_with('<')
        && s.ends_with('>')
        && !s[1..s.len() - 1].contains(['<', '>', ' ']);
    let whole_dollar = s.len() > 1
        && s.starts_with('$')
        && s[1..].starts_with(|c: char| c.is_ascii_uppercase() || c == '_')
        && s[1..]
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    if whole_angle || whole_dollar {
        return placeholder(s);
    }
    let mut parts: Vec<Part> = Vec::new();
    let mut rest = s;
    let mut text = String::new();
    while !rest.is_empty() {
        let found = [("${", "}"), ("{{", "}}"), ("#{", "}#")]
            .iter()
            .filter_map(|(open, close)| {
                let i = rest.find(open)?;
                let end = rest[i + open.len()..].find(close)? + i + open.len() + close.len();
                Some((i, end))
            })
            .min();
        let Some((i, end)) = found else {
            text.push_str(rest);
            break;
        };
        text.push_str(&rest[..i]);
        if !text.is_empty() {
            parts.push(Part::Text(std::mem::take(&mut text)));
        }
        parts.push(Part::Unknown(placeholder_cause(&rest[i..end])));
        rest = &rest[end..];
    }
    if parts.is_empty() {
        return Value::string(s);
    }
    if !text.is_empty() {
        parts.push(Part::Text(text));
    }
    match parts.as_slice() {
        [Part::Unknown(c)] => Value::unknown(c.clone()),
        _ => Value::unknown(Cause::Template(parts)),
    }
}

fn placeholder_cause(ph: &str) -> Cause {
    Cause::Other(format!("{ph} is a placeholder filled in at deploy time"))
}

fn placeholder(ph: &str) -> Value {
    Value::unknown(placeholder_cause(ph))
}

/// A JSON value of the file as a model value, placeholders Unknown.
fn value_of(j: &J) -> Value {
    match j {
        J::String(s) => string_value(s),
        J::Array(a) => Value::List(a.iter().map(value_of).collect()),
        J::Object(m) => Value::Map(m.iter().map(|(k, v)| (k.clone(), value_of(v))).collect()),
        other => crate::model::json::from_json(other),
    }
}

/// `cpuArchitecture` → `cpu_architecture`.
fn snake(k: &str) -> String {
    let mut out = String::new();
    for (i, c) in k.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The register-input keys, as the provider's arguments name them. Objects are nested blocks
/// (lists of one object), their keys in snake case.
const TOP: &[(&str, &str)] = &[
    ("family", "family"),
    ("taskRoleArn", "task_role_arn"),
    ("executionRoleArn", "execution_role_arn"),
    ("networkMode", "network_mode"),
    ("cpu", "cpu"),
    ("memory", "memory"),
    ("requiresCompatibilities", "requires_compatibilities"),
    ("pidMode", "pid_mode"),
    ("ipcMode", "ipc_mode"),
    ("runtimePlatform", "runtime_platform"),
    ("ephemeralStorage", "ephemeral_storage"),
    ("volumes", "volume"),
    ("placementConstraints", "placement_constraints"),
    ("proxyConfiguration", "proxy_configuration"),
    ("inferenceAccelerators", "inference_accelerator"),
];

/// Builds the resource and its origins.
struct Builder<'a> {
    p: &'a Parsed,
    file: FileId,
    origins: BTreeMap<String, Origin>,
    templates: BTreeMap<String, Vec<Value>>,
}

impl Builder<'_> {
    fn locate(&mut self, json_path: &str, tf_path: &str) {
        if let Some(r) = self.p.spans.get(&format!("{}{json_path}", self.p.root)) {
            self.origins.insert(
                tf_path.to_string(),
                Origin {
                    location: Location::Source(Span::new(self.file, r.clone())),
                    via: Vec::new(),
                    // Written in the repository, as configuration text is.
                    constant: true,
                },
            );
        }
    }

    /// A value under `container_definitions`: keys as the API has them, every path located.
    fn raw(&mut self, j: &J, json_path: &str, tf_path: &str) -> Value {
        self.locate(json_path, tf_path);
        match j {
            J::Array(a) => Value::List(
                a.iter()
                    .enumerate()
                    .map(|(i, x)| {
                        self.raw(x, &format!("{json_path}[{i}]"), &format!("{tf_path}[{i}]"))
                    })
                    .collect(),
            ),
            J::Object(m) => Value::Map(
                m.iter()
                    .map(|(k, v)| {
                        let v = self.raw(v, &format!("{json_path}.{k}"), &format!("{tf_path}.{k}"));
                        (k.clone(), v)
                    })
                    .collect(),
            ),
            // `amazon-ecs-render-task-definition` sets the image: an empty one is its slot.
            J::String(s) if s.is_empty() && tf_path.ends_with(".image") => Value::unknown(
                Cause::Other("the image is empty here: the render action fills it in".into()),
            ),
            J::String(s) => {
                let v = string_value(s);
                if let Value::Unknown(u) = &v {
                    if let Some(parts) = u.cause().template_parts() {
                        self.templates.insert(tf_path.to_string(), parts);
                    }
                }
                v
            }
            other => value_of(other),
        }
    }

    /// A nested block: an object becomes a list of one object, keys in snake case.
    fn block(&mut self, j: &J, json_path: &str, tf_path: &str) -> Value {
        self.locate(json_path, tf_path);
        match j {
            J::Object(m) => {
                let inner = format!("{tf_path}[0]");
                let fields = m
                    .iter()
                    .map(|(k, v)| {
                        let key = snake(k);
                        let v = self.block_field(
                            v,
                            &format!("{json_path}.{k}"),
                            &format!("{inner}.{key}"),
                        );
                        (key, v)
                    })
                    .collect();
                Value::list(vec![Value::Map(fields)])
            }
            J::Array(a) => Value::List(
                a.iter()
                    .enumerate()
                    .map(|(i, x)| match x {
                        J::Object(m) => {
                            let at = format!("{tf_path}[{i}]");
                            self.locate(&format!("{json_path}[{i}]"), &at);
                            Value::Map(
                                m.iter()
                                    .map(|(k, v)| {
                                        let key = snake(k);
                                        let v = self.block_field(
                                            v,
                                            &format!("{json_path}[{i}].{k}"),
                                            &format!("{at}.{key}"),
                                        );
                                        (key, v)
                                    })
                                    .collect(),
                            )
                        }
                        other => self.block_field(
                            other,
                            &format!("{json_path}[{i}]"),
                            &format!("{tf_path}[{i}]"),
                        ),
                    })
                    .collect(),
            ),
            other => {
                self.locate(json_path, tf_path);
                value_of(other)
            }
        }
    }

    fn block_field(&mut self, j: &J, json_path: &str, tf_path: &str) -> Value {
        match j {
            J::Object(_) => self.block(j, json_path, tf_path),
            other => {
                self.locate(json_path, tf_path);
                value_of(other)
            }
        }
    }
}

/// The `aws_ecs_task_definition` a file holds.
fn resource(p: &Parsed, file: FileId, display: &str) -> Resource {
    let family = p.def.get("family").and_then(J::as_str).unwrap_or("");
    let name: String = family
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let name =
        if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
            format!("_{name}")
        } else {
            name
        };
    let addr = Address {
        module: Vec::new(),
        mode: Mode::Managed,
        rtype: "aws_ecs_task_definition".into(),
        name,
        key: None,
    };
    // Findings about the whole definition point at its family: the whole object would be an
    // excerpt of the whole file.
    let at = p
        .spans
        .get(&format!("{}.family", p.root))
        .cloned()
        .unwrap_or(p.whole.start..p.whole.start + 1);
    let location = Location::Source(Span::new(file, at));
    let mut r = Resource::from_address(
        &addr,
        Seen {
            kind: SourceKind::TaskDefinition,
            location,
        },
    );
    // Findings name the file, as they name a live object by its ARN.
    r.address = display.to_string();
    let mut b = Builder {
        p,
        file,
        origins: BTreeMap::new(),
        templates: BTreeMap::new(),
    };
    let mut attrs = BTreeMap::new();
    let defs = &p.def["containerDefinitions"];
    let structured = b.raw(defs, ".containerDefinitions", "container_definitions");
    // As Terraform holds it: the JSON string; with a placeholder inside, Unknown, the
    // definitions themselves kept (as for a `jsonencode` with an unknown part).
    let cd = if structured.is_wholly_known() {
        Value::string(defs.to_string())
    } else {
        r.written
            .encoded
            .insert("container_definitions".into(), structured);
        Value::unknown(Cause::Other(
            "the container definitions hold placeholders filled in at deploy time".into(),
        ))
    };
    attrs.insert("container_definitions".to_string(), cd);
    for (json_key, tf_key) in TOP {
        let Some(j) = p.def.get(*json_key) else {
            continue;
        };
        let json_path = format!(".{json_key}");
        let v = match (*tf_key, j) {
            // The provider holds these as strings; the API takes either.
            ("cpu" | "memory", J::Number(n)) => {
                b.locate(&json_path, tf_key);
                Value::string(n.to_string())
            }
            ("requires_compatibilities", J::Array(a)) => {
                b.locate(&json_path, tf_key);
                Value::set(a.iter().map(value_of).collect())
            }
            (_, J::Object(_)) | (_, J::Array(_)) => b.block(j, &json_path, tf_key),
            _ => {
                b.locate(&json_path, tf_key);
                value_of(j)
            }
        };
        attrs.insert(tf_key.to_string(), v);
    }
    if let Some(J::Array(tags)) = p.def.get("tags") {
        b.locate(".tags", "tags");
        let m: BTreeMap<String, Value> = tags
            .iter()
            .filter_map(|t| {
                Some((
                    t.get("key")?.as_str()?.to_string(),
                    value_of(t.get("value")?),
                ))
            })
            .collect();
        attrs.insert("tags".into(), Value::map(m));
    }
    r.attributes = attrs;
    r.origins = b.origins;
    r.written.templates = b.templates;
    let location = r.seen[0].location.clone();
    r.add_layer(SourceKind::TaskDefinition, &location, &r.attributes.clone());
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_are_read() {
        for n in [
            "task-definition.json",
            "task-definition-prod.json",
            "web-task-def.json",
            "api_task_definition.json",
            "TaskDef.json",
            "app.taskdef.json",
        ] {
            assert!(matches_name(n), "{n}");
        }
        for n in ["containers.json", "task-definition.yaml", "definition.json"] {
            assert!(!matches_name(n), "{n}");
        }
    }

    #[test]
    fn placeholders_are_unknown() {
        for s in [
            "<IMAGE>",
            "$IMAGE",
            "${IMAGE}",
            "{{ must_env `IMAGE` }}",
            "#{Image}#",
        ] {
            assert!(!string_value(s).is_wholly_known(), "{s}");
        }
        let v = string_value("123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:${TAG}");
        let Value::Unknown(u) = &v else {
            panic!("{v:?}")
        };
        let parts = u.cause().template_parts().unwrap();
        assert_eq!(
            parts[0],
            Value::string("123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:")
        );
        for s in ["nginx:1.27", "a <b> c", "$lowercase", "cost is $5"] {
            assert_eq!(string_value(s), Value::string(s), "{s}");
        }
    }

    #[test]
    fn a_bare_placeholder_where_a_number_goes_parses() {
        let text = r#"{"family": "web", "containerDefinitions": [{"name": "web", "portMappings": [{"containerPort": ${PORT}}]}]}"#;
        let p = parse(text).unwrap().unwrap();
        let m = &p.def["containerDefinitions"][0]["portMappings"][0]["containerPort"];
        assert!(!string_value(m.as_str().unwrap()).is_wholly_known());
        assert_eq!(
            &text[p.spans[".containerDefinitions[0].portMappings[0].containerPort"].clone()],
            "${PORT}"
        );
    }

    #[test]
    fn a_byte_order_mark_is_skipped_and_offsets_stay_in_the_file() {
        let text = "\u{feff}{\"family\": \"web\", \"containerDefinitions\": []}";
        let p = parse(text).unwrap().unwrap();
        assert_eq!(&text[p.spans[".family"].clone()], "\"web\"");
    }

    #[test]
    fn an_empty_image_is_the_render_actions_slot() {
        let text = r#"{"family": "web", "containerDefinitions": [{"name": "web", "image": "", "environment": [{"name": "A", "value": ""}]}]}"#;
        let p = parse(text).unwrap().unwrap();
        let r = resource(&p, FileId(0), "td.json");
        let defs = crate::analysis::ecs::containers::partial_definitions(&r).unwrap();
        let c = &defs.known[0];
        assert!(matches!(c.image(), Value::Unknown(_)), "{:?}", c.image());
        // Only the image: an empty environment value is an empty value.
        assert_eq!(c.environment()[0].value, &Value::string(""));
        assert_eq!(
            r.origin("container_definitions[0].image")
                .map(|o| &o.location),
            Some(&Location::Source(Span::new(FileId(0), 68..70)))
        );
    }

    #[test]
    fn what_is_not_a_task_definition() {
        assert!(parse(r#"{"name": "x"}"#).unwrap().is_none());
        assert!(parse(r#"[{"name": "web"}]"#).unwrap().is_none());
        assert!(parse(r#"{"family": "x", "containerDefinitions": [}"#).is_err());
    }

    #[test]
    fn workflow_env_is_resolved() {
        let env: BTreeMap<String, String> = [(
            "ECS_TASK_DEFINITION".to_string(),
            ".aws/td.json".to_string(),
        )]
        .into();
        assert_eq!(
            resolve_env("${{ env.ECS_TASK_DEFINITION }}", &env).as_deref(),
            Some(".aws/td.json")
        );
        assert_eq!(
            resolve_env("${{ steps.render.outputs.task-definition }}", &env),
            None
        );
        assert_eq!(
            resolve_env("ecs/td.json", &env).as_deref(),
            Some("ecs/td.json")
        );
    }
}
