//! The fuzz targets' entry points, shared by `fuzz/fuzz_targets/*.rs` (libFuzzer) and
//! `tests/fuzz_regressions.rs` (CI replays every kept input through the same code). Not an
//! API: it exists so both run exactly one piece of code.
//!
//! Each entry runs the whole pipeline a user's input goes through (load, evaluate, join, rules,
//! suppressions, fixes, the human/JSON/SARIF reports) within [`LIMITS`], and panics when an
//! invariant breaks: a caught internal error, a report that is not JSON, an unlocated error.
use crate::config::Settings;
use crate::engine::{DocSource, Request};
use crate::model::limits::Limits;
use crate::report::CheckResult;
use std::path::Path;

/// Small bounds: a legitimately huge expansion is a located error quickly, so the fuzzer
/// spends its time on structure rather than on building a million elements. Bounds added
/// later keep their defaults until they are set here.
pub const LIMITS: Limits = {
    let mut l = Limits::DEFAULT;
    l.max_instances = 32;
    l.max_elements = 4_096;
    l.max_string_bytes = 64 * 1024;
    l.max_reference_depth = 32;
    l.max_file_bytes = 64 * 1024;
    l.max_state_bytes = 256 * 1024;
    l
};

/// Separates the files of one `hcl_dir` input. Never in a text file, so splitting a packed
/// directory gives its files back.
pub const FILE_SEPARATOR: u8 = 0;

/// Where the parts of an `hcl_dir` input go, in order. The module call in a seed's `main.tf`
/// names `./modules/child`; the state is read as `--state terraform.tfstate`.
pub const HCL_DIR_FILES: &[&str] = &[
    "main.tf",
    "variables.tf",
    "terraform.tfvars",
    "modules/child/main.tf",
    "extra.tf.json",
    "terraform.tfstate",
];

/// What one input produced, for the regression test to judge.
#[derive(Debug)]
pub struct Outcome {
    pub resources: usize,
    pub findings: usize,
    pub errors: usize,
}

/// A directory from `data` (parts split at [`FILE_SEPARATOR`] written to [`HCL_DIR_FILES`];
/// a missing part is a missing file), checked with its state.
pub fn hcl_dir(dir: &Path, data: &[u8]) -> Outcome {
    let parts: Vec<&[u8]> = data.split(|b| *b == FILE_SEPARATOR).collect();
    reset(dir);
    for (name, part) in HCL_DIR_FILES.iter().zip(&parts) {
        write(dir, name, part);
    }
    let state = (parts.len() >= HCL_DIR_FILES.len())
        .then(|| DocSource::File(dir.join("terraform.tfstate")));
    check(dir, state, None)
}

/// Declarations for the `tfvars` target's values: every type constraint shape, each value
/// used where a rule reads it.
const TFVARS_CONFIG: &str = r#"
variable "name" { type = string }
variable "port" {
  type    = number
  default = 5432
  validation {
    condition     = var.port > 0
    error_message = "port must be positive"
  }
}
variable "public" { type = bool }
variable "cidrs" { type = list(string) }
variable "tags" { type = map(string) }
variable "ports" { type = set(number) }
variable "db" {
  type = object({
    engine   = string
    password = optional(string, "changeme")
    backup   = optional(number)
  })
}
variable "pair" { type = tuple([string, number]) }
variable "anything" {}
variable "secret" {
  type      = string
  sensitive = true
}

resource "aws_security_group" "db" {
  name = var.name
  ingress {
    from_port   = var.port
    to_port     = var.port
    protocol    = "tcp"
    cidr_blocks = var.cidrs
  }
  tags = var.tags
}

resource "aws_db_instance" "db" {
  identifier              = "${var.name}-db"
  engine                  = var.db.engine
  password                = coalesce(var.secret, var.db.password)
  publicly_accessible     = var.public
  backup_retention_period = var.db.backup
  port                    = var.pair[1]
  vpc_security_group_ids  = [aws_security_group.db.id]
  tags                    = merge(var.tags, { any = jsonencode(var.anything) })
}

resource "aws_security_group_rule" "each" {
  for_each          = var.ports
  type              = "ingress"
  from_port         = each.value
  to_port           = each.value
  protocol          = "tcp"
  cidr_blocks       = var.cidrs
  security_group_id = aws_security_group.db.id
}
"#;

/// `data` as the root's `terraform.tfvars` (or `terraform.tfvars.json` when it starts with
/// `{`), for a configuration that declares and uses every kind of variable.
pub fn tfvars(dir: &Path, data: &[u8]) -> Outcome {
    reset(dir);
    write(dir, "main.tf", TFVARS_CONFIG.as_bytes());
    let json = data.trim_ascii_start().starts_with(b"{");
    let name = if json {
        "terraform.tfvars.json"
    } else {
        "terraform.tfvars"
    };
    write(dir, name, data);
    check(dir, None, None)
}

/// The configuration states and plans are joined with: resources of the types the rules read,
/// so instances join, merge and drift rather than only being added.
const STATE_CONFIG: &str = r#"
resource "aws_security_group" "db" {
  name = "db"
  ingress {
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/16"]
  }
}

resource "aws_db_instance" "db" {
  count                  = 2
  identifier             = "db-${count.index}"
  engine                 = "postgres"
  vpc_security_group_ids = [aws_security_group.db.id]
}

resource "aws_ecs_task_definition" "web" {
  for_each = toset(["a", "b"])
  family   = "web-${each.key}"
  container_definitions = jsonencode([{
    name         = "web"
    image        = "nginx:1.27"
    portMappings = [{ containerPort = 80 }]
  }])
}

module "child" {
  source = "./modules/child"
}
"#;

const STATE_CHILD_CONFIG: &str = r#"
resource "aws_s3_bucket" "b" {
  bucket = "b"
}
"#;

/// `data` as a Terraform state: read on its own, then joined with a configuration and checked.
pub fn state(dir: &Path, data: &[u8]) -> Outcome {
    let Ok(text) = std::str::from_utf8(data) else {
        return Outcome::empty();
    };
    if let Err(e) = crate::state::read_state(text) {
        assert_located(&e);
    }
    document(dir, text, |text| (Some(text), None))
}

/// `data` as the output of `terraform show -json PLANFILE`: read on its own, then joined with a
/// configuration and checked.
pub fn plan(dir: &Path, data: &[u8]) -> Outcome {
    let Ok(text) = std::str::from_utf8(data) else {
        return Outcome::empty();
    };
    if let Err(e) = crate::state::read_plan(text) {
        assert_located(&e);
    }
    document(dir, text, |text| (None, Some(text)))
}

fn document(
    dir: &Path,
    text: &str,
    place: impl FnOnce(DocSource) -> (Option<DocSource>, Option<DocSource>),
) -> Outcome {
    reset(dir);
    write(dir, "main.tf", STATE_CONFIG.as_bytes());
    write(dir, "modules/child/main.tf", STATE_CHILD_CONFIG.as_bytes());
    let (state, plan) = place(DocSource::Text {
        display: "fuzz.json".into(),
        text: text.into(),
    });
    check(dir, state, plan)
}

/// A task definition with every neighbour the ECS rules look at (service, target group,
/// execution role, repository, secret), whose `container_definitions` is read with `file()`.
const CONTAINERS_CONFIG: &str = r#"
resource "aws_ecr_repository" "app" {
  name = "app"
}

resource "aws_secretsmanager_secret" "db" {
  name = "db"
}

resource "aws_iam_role" "exec" {
  name               = "exec"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [] })
}

resource "aws_iam_role_policy_attachment" "exec" {
  role       = aws_iam_role.exec.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

resource "aws_lb_target_group" "web" {
  name        = "web"
  port        = 8080
  protocol    = "HTTP"
  target_type = "ip"
  health_check {
    port = 8080
  }
}

resource "aws_ecs_task_definition" "app" {
  family                   = "app"
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  execution_role_arn       = aws_iam_role.exec.arn
  container_definitions    = file("${path.module}/containers.json")
}

resource "aws_ecs_service" "app" {
  name            = "app"
  task_definition = aws_ecs_task_definition.app.arn
  launch_type     = "FARGATE"
  network_configuration {
    subnets          = ["subnet-1"]
    assign_public_ip = true
  }
  load_balancer {
    target_group_arn = aws_lb_target_group.web.arn
    container_name   = "web"
    container_port   = 8080
  }
}
"#;

/// `data` as a task definition's `container_definitions` JSON string, through the ECS rules.
pub fn container_definitions(dir: &Path, data: &[u8]) -> Outcome {
    reset(dir);
    write(dir, "main.tf", CONTAINERS_CONFIG.as_bytes());
    write(dir, "containers.json", data);
    check(dir, None, None)
}

impl Outcome {
    fn empty() -> Outcome {
        Outcome {
            resources: 0,
            findings: 0,
            errors: 0,
        }
    }
}

/// A state or plan error must say where it is (a line, or at least a byte offset).
fn assert_located(e: &crate::state::StateError) {
    assert!(
        e.line.is_some() || e.offset.is_some(),
        "unlocated state error: {e}"
    );
}

/// Empties `dir` (kept between iterations: creating a fresh directory costs more than the
/// check).
fn reset(dir: &Path) {
    if dir.exists() {
        std::fs::remove_dir_all(dir).expect("clearing the fuzz directory");
    }
    std::fs::create_dir_all(dir).expect("creating the fuzz directory");
}

fn write(dir: &Path, name: &str, data: &[u8]) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("creating a module directory");
    }
    std::fs::write(path, data).expect("writing a fuzz input file");
}

/// The whole `check` pipeline on `dir`, then every report that reads spans and values.
fn check(dir: &Path, state: Option<DocSource>, plan: Option<DocSource>) -> Outcome {
    let req = Request {
        dir: dir.to_path_buf(),
        state,
        plan,
        ..Request::default()
    };
    let settings = Settings {
        limits: LIMITS,
        ..Settings::default()
    };
    let result = crate::engine::run(&req, &settings).expect("the fuzz directory exists");
    // The engine turns a panic into an input error (the default hook has printed it): here
    // it is the bug being looked for.
    if let Some(e) = result
        .errors
        .iter()
        .find(|e| e.message.starts_with("internal error"))
    {
        panic!("{}", e.message);
    }
    render(&result);
    Outcome {
        resources: result.resources,
        findings: result.findings.len(),
        errors: result.errors.len(),
    }
}

fn render(result: &CheckResult) {
    use crate::report;
    let human = report::human::Options {
        width: 100,
        color: false,
        quiet: false,
    };
    report::human::render(result, &human);
    for (format, text) in [
        ("json", report::json::render(result)),
        ("sarif", report::sarif::render(result)),
    ] {
        if let Err(e) = serde_json::from_str::<serde_json::Value>(&text) {
            panic!("the {format} report is not JSON: {e}");
        }
    }
}
