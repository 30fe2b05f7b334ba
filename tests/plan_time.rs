//! Plan-time values: a reference to an argument another resource's configuration sets is the
//! configured value, as `terraform plan` has it (`tests/plan_oracle.rs` checks the same against
//! a real plan); what the provider decides stays Unknown; the link to the resource is kept.
use infra_lint::hcl::{load, LoadOptions};
use infra_lint::model::{Model, Value};

mod common;

const STACK: &str = r#"
variable "port" {
  default = 8080
}

resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_lb_target_group" "api" {
  name_prefix = "api-"
  port        = var.port
  protocol    = "HTTP"
  vpc_id      = aws_vpc.main.id
}

resource "aws_cloudwatch_log_group" "app" {
  for_each = toset(["api", "worker"])
  name     = "/ecs/${each.key}"
}

resource "aws_subnet" "private" {
  count      = 2
  vpc_id     = aws_vpc.main.id
  cidr_block = cidrsubnet(aws_vpc.main.cidr_block, 8, count.index)
}

resource "aws_security_group_rule" "from_lb" {
  type              = "ingress"
  from_port         = aws_lb_target_group.api.port
  to_port           = aws_lb_target_group.api.port
  protocol          = "tcp"
  cidr_blocks       = aws_subnet.private[*].cidr_block
  security_group_id = "sg-0123"
}

resource "aws_ecs_cluster" "main" {
  name = "main"
}

resource "aws_ecs_cluster_capacity_providers" "main" {
  cluster_name       = aws_ecs_cluster.main.name
  capacity_providers = ["FARGATE"]
}

resource "aws_instance" "box" {
  ami       = "ami-1"
  user_data = "echo hello"
}

resource "aws_ssm_parameter" "copy" {
  name  = "copy"
  type  = "String"
  value = jsonencode({
    log_group   = aws_cloudwatch_log_group.app["api"].name
    target      = aws_lb_target_group.api.arn
    name        = aws_lb_target_group.api.name
    user_data   = aws_instance.box.user_data
  })
}
"#;

fn model(tf: &str) -> Model {
    let dir = common::tree(&[("main.tf", tf.as_bytes())]);
    let loaded = load(dir.path(), &LoadOptions::default());
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    loaded.model
}

fn attr<'a>(m: &'a Model, address: &str, name: &str) -> &'a Value {
    m.resources
        .iter()
        .find(|r| r.address == address)
        .unwrap_or_else(|| panic!("{address} not in the model"))
        .get(name)
        .unwrap_or_else(|| panic!("{address}.{name} not set"))
}

#[test]
fn configured_arguments_of_other_resources_are_known() {
    let m = model(STACK);
    let rule = "aws_security_group_rule.from_lb";
    assert_eq!(attr(&m, rule, "from_port"), &Value::int(8080));
    assert_eq!(attr(&m, rule, "to_port"), &Value::int(8080));
    // Through a splat over counted instances, and a function of another planned value.
    assert_eq!(
        attr(&m, rule, "cidr_blocks"),
        &Value::list(vec![
            Value::string("10.0.0.0/24"),
            Value::string("10.0.1.0/24")
        ])
    );
}

#[test]
fn what_the_provider_decides_stays_unknown() {
    let m = model(STACK);
    // jsonencode of an object with unknown members is unknown as a whole; the argument keeps
    // each member's value.
    let r = m
        .resources
        .iter()
        .find(|r| r.address == "aws_ssm_parameter.copy")
        .unwrap();
    let written = r
        .written("value")
        .encoded
        .expect("the jsonencode argument is kept");
    let get = |k: &str| written.as_map().unwrap()[k].clone();
    assert_eq!(get("log_group"), Value::string("/ecs/api"));
    for (k, why) in [
        ("target", "aws_lb_target_group.api.arn"),
        // name_prefix: the provider makes the name.
        ("name", "aws_lb_target_group.api.name"),
        // The provider plans a hash of user_data (plan_time::PROVIDER_DECIDES).
        ("user_data", "aws_instance.box.user_data"),
    ] {
        match get(k) {
            Value::Unknown(u) => {
                assert!(u.cause().to_string().starts_with(why), "{k}: {}", u.cause())
            }
            other => panic!("{k} should be unknown, is {other:?}"),
        }
    }
}

#[test]
fn links_survive_planned_values() {
    let m = model(STACK);
    let rule = m
        .resources
        .iter()
        .find(|r| r.address == "aws_security_group_rule.from_lb")
        .unwrap();
    let targets: Vec<(String, Option<String>)> = m
        .targets_of(rule, "from_port")
        .into_iter()
        .map(|t| (t.resource.address.clone(), t.attribute))
        .collect();
    assert_eq!(
        targets,
        vec![(
            "aws_lb_target_group.api".to_string(),
            Some("port".to_string())
        )]
    );
    let subnets: Vec<String> = m
        .targets_of(rule, "cidr_blocks")
        .into_iter()
        .map(|t| t.resource.address.clone())
        .collect();
    assert_eq!(subnets, ["aws_subnet.private[0]", "aws_subnet.private[1]"]);
    // A known name read from the cluster still leads to the cluster.
    let cp = m
        .resources
        .iter()
        .find(|r| r.address == "aws_ecs_cluster_capacity_providers.main")
        .unwrap();
    assert_eq!(
        attr(&m, &cp.address, "cluster_name"),
        &Value::string("main")
    );
    let found = m.follow(cp.get("cluster_name").unwrap(), &["aws_ecs_cluster"]);
    assert_eq!(found.resources.len(), 1);
    assert_eq!(found.resources[0].address, "aws_ecs_cluster.main");
}

/// `data "aws_region"` and `data "aws_partition"` are what the provider's configuration fixes
/// (as `terraform plan` reads them: checked with the provider 5.100.0), through aliases and
/// module calls; without a configured region they stay unknown.
#[test]
fn region_and_partition_data_sources_follow_the_provider() {
    let dir = common::tree(&[
        (
            "main.tf",
            br#"
variable "region" {
  default = "cn-north-1"
}

provider "aws" {
  region = var.region
}

provider "aws" {
  alias  = "west"
  region = "eu-west-1"
}

data "aws_region" "current" {}

data "aws_region" "west" {
  provider = aws.west
}

data "aws_region" "named" {
  name = "us-west-2"
}

data "aws_partition" "current" {}

data "aws_caller_identity" "current" {}

resource "aws_ssm_parameter" "p" {
  name = "p"
  type = "String"
  value = join(" ", [
    data.aws_region.current.name,
    data.aws_region.west.name,
    data.aws_region.named.endpoint,
    data.aws_partition.current.partition,
    data.aws_partition.current.dns_suffix,
  ])
  description = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"
}

module "default" {
  source = "./child"
}

module "passed" {
  source    = "./child"
  providers = { aws = aws.west }
}
"#,
        ),
        (
            "child/main.tf",
            br#"
data "aws_region" "here" {}

resource "aws_ssm_parameter" "c" {
  name  = "c"
  type  = "String"
  value = data.aws_region.here.name
}
"#,
        ),
    ]);
    let loaded = load(dir.path(), &LoadOptions::default());
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let m = loaded.model;
    assert_eq!(
        attr(&m, "aws_ssm_parameter.p", "value"),
        &Value::string("cn-north-1 eu-west-1 ec2.us-west-2.amazonaws.com aws-cn amazonaws.com.cn")
    );
    // The account needs a request: unknown, with the partition's text known around it.
    assert!(matches!(
        attr(&m, "aws_ssm_parameter.p", "description"),
        Value::Unknown(u) if u.cause().to_string().contains("account_id")
    ));
    assert_eq!(
        attr(&m, "module.default.aws_ssm_parameter.c", "value"),
        &Value::string("cn-north-1")
    );
    assert_eq!(
        attr(&m, "module.passed.aws_ssm_parameter.c", "value"),
        &Value::string("eu-west-1")
    );
    // Without a provider block the region comes from the environment at plan time.
    let m = model(
        r#"
data "aws_region" "current" {}

resource "aws_ssm_parameter" "p" {
  name  = "p"
  type  = "String"
  value = data.aws_region.current.name
}
"#,
    );
    assert!(matches!(
        attr(&m, "aws_ssm_parameter.p", "value"),
        Value::Unknown(_)
    ));
}

/// The legacy template provider's `data "template_file"` renders as `templatefile()` does;
/// read during apply when it depends on managed resources, as Terraform defers it.
#[test]
fn template_file_renders_like_templatefile() {
    let dir = common::tree(&[
        (
            "main.tf",
            br#"
resource "aws_lb_target_group" "app" {
  name     = "app"
  port     = 8080
  protocol = "HTTP"
}

data "template_file" "app" {
  template = file("${path.module}/app.json.tpl")
  vars = {
    port  = aws_lb_target_group.app.port
    image = "nginx:1.27"
  }
}

data "template_file" "later" {
  template   = "x"
  depends_on = [aws_lb_target_group.app]
}

resource "aws_ssm_parameter" "p" {
  name  = "p"
  type  = "String"
  value = data.template_file.app.rendered
}

resource "aws_ssm_parameter" "q" {
  name  = "q"
  type  = "String"
  value = data.template_file.later.rendered
}
"#,
        ),
        (
            "app.json.tpl",
            br#"[{"name": "app", "image": "${image}", "portMappings": [{"containerPort": ${port}}]}]"#,
        ),
    ]);
    let loaded = load(dir.path(), &LoadOptions::default());
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let m = loaded.model;
    assert_eq!(
        attr(&m, "aws_ssm_parameter.p", "value"),
        &Value::string(
            r#"[{"name": "app", "image": "nginx:1.27", "portMappings": [{"containerPort": 8080}]}]"#
        )
    );
    assert!(matches!(
        attr(&m, "aws_ssm_parameter.q", "value"),
        Value::Unknown(_)
    ));
}

/// Terraform 0.11 wrote a template's vars as a block, and an unknown variable leaves the rest
/// of the rendered text known, as `templatefile()` does here.
#[test]
fn template_file_with_a_vars_block_and_an_unknown_variable() {
    let m = model(
        r#"
data "aws_caller_identity" "current" {}

data "template_file" "legacy" {
  template = "port $${port}"
  vars {
    port = 80
  }
}

data "template_file" "partial" {
  template = "[{\"name\": \"app\", \"image\": \"$${account}.dkr.ecr/app\", \"portMappings\": [{\"containerPort\": 80}]}]"
  vars = {
    account = data.aws_caller_identity.current.account_id
  }
}

resource "aws_ssm_parameter" "legacy" {
  name  = "legacy"
  type  = "String"
  value = data.template_file.legacy.rendered
}

resource "aws_ecs_task_definition" "app" {
  family                = "app"
  container_definitions = data.template_file.partial.rendered
}
"#,
    );
    assert_eq!(
        attr(&m, "aws_ssm_parameter.legacy", "value"),
        &Value::string("port 80")
    );
    match attr(&m, "aws_ecs_task_definition.app", "container_definitions") {
        Value::Unknown(u) => assert!(
            u.cause().template_parts().is_some(),
            "the known text is kept: {}",
            u.cause()
        ),
        other => panic!("{other:?}"),
    }
}
