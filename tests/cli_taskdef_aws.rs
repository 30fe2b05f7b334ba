#![cfg(feature = "aws")]
//! ECS task definition files checked against the live account, through the real binary and a
//! real moto server: the network and the load balancer applied by `terraform apply`, the
//! cluster, the execution roles and the service made by hand (as the console makes them), and
//! the repository's task definition file (found by name, or through the deploy workflow) joined
//! with the live service of its family. Each test starts its own server
//! (`INFRA_LINT_MOTO_SERVER`, set by scripts/test.sh) so that the request recording sees only
//! its own scan; without it the tests fail, never skip.
mod common;
use common::moto::moto;
use common::sdk::{assert_read_only, runtime, sdk_config, REGION};
use common::*;
use serde_json::Value as J;
use std::path::Path;

const ACCOUNT: &str = "123456789012";

/// `infra-lint check DIR --format json --live` against `url`, with the test's credentials.
fn live_check(url: &str, dir: &Path, extra: &[&str]) -> (i32, J) {
    let d = dir.to_string_lossy().into_owned();
    let mut args = vec![
        "check",
        d.as_str(),
        "--format",
        "json",
        "--live",
        "--endpoint-url",
        url,
        "--region",
        REGION,
        "--live-timeout",
        "30",
    ];
    args.extend_from_slice(extra);
    let out = bin()
        .args(&args)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let json = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "{e}: {text}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), json)
}

/// Runs terraform in `dir` against moto at `url`; its stdout.
fn terraform(dir: &Path, url: &str, args: &[&str]) -> String {
    common::moto::terraform(dir, url, args, &[])
}

/// The network and the load balancer the service runs behind, as the team's Terraform holds
/// them: the tasks' group admits 8080 from the load balancer's, and the target group checks
/// health on 8080 (the port the service sends traffic to).
const INFRA: &str = r#"terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
}

variable "aws_endpoint" {
  type = string
}

provider "aws" {
  region     = "eu-west-1"
  access_key = "test"
  secret_key = "test"

  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true

  endpoints {
    ec2   = var.aws_endpoint
    elbv2 = var.aws_endpoint
    sts   = var.aws_endpoint
  }
}

resource "aws_vpc" "main" {
  cidr_block = "10.60.0.0/16"
}

resource "aws_subnet" "a" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.60.1.0/24"
  availability_zone = "eu-west-1a"
}

resource "aws_subnet" "b" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.60.2.0/24"
  availability_zone = "eu-west-1b"
}

resource "aws_security_group" "alb" {
  name   = "web-alb"
  vpc_id = aws_vpc.main.id
  ingress {
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }
  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "tasks" {
  name   = "web-tasks"
  vpc_id = aws_vpc.main.id
  ingress {
    from_port       = 8080
    to_port         = 8080
    protocol        = "tcp"
    security_groups = [aws_security_group.alb.id]
  }
  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_lb" "web" {
  name               = "web"
  load_balancer_type = "application"
  internal           = true
  security_groups    = [aws_security_group.alb.id]
  subnets            = [aws_subnet.a.id, aws_subnet.b.id]
}

resource "aws_lb_target_group" "web" {
  name        = "web"
  port        = 8080
  protocol    = "HTTP"
  target_type = "ip"
  vpc_id      = aws_vpc.main.id
  health_check {
    path = "/health"
    port = "8080"
  }
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.web.arn
  port              = 80
  protocol          = "HTTP"
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }
}

output "subnets" {
  value = [aws_subnet.a.id, aws_subnet.b.id]
}

output "tasks_security_group" {
  value = aws_security_group.tasks.id
}

output "target_group_arn" {
  value = aws_lb_target_group.web.arn
}
"#;

/// A repository (`.git/` makes it one) whose `infra/` terraform has applied into moto.
struct Repo {
    dir: tempfile::TempDir,
    subnets: Vec<String>,
    tasks_sg: String,
    target_group: String,
}

impl Repo {
    fn apply(url: &str) -> Repo {
        let plugins =
            std::env::var("INFRA_LINT_TF_PLUGIN_DIR").unwrap_or_else(|_| "/opt/tf-plugins".into());
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".git")).unwrap();
        let infra = dir.path().join("infra");
        std::fs::create_dir_all(&infra).unwrap();
        std::fs::write(infra.join("main.tf"), INFRA).unwrap();
        terraform(
            &infra,
            url,
            &["init", "-input=false", &format!("-plugin-dir={plugins}")],
        );
        terraform(&infra, url, &["apply", "-auto-approve", "-input=false"]);
        let out: J = serde_json::from_str(&terraform(&infra, url, &["output", "-json"])).unwrap();
        let subnets = out["subnets"]["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect();
        Repo {
            subnets,
            tasks_sg: out["tasks_security_group"]["value"]
                .as_str()
                .unwrap()
                .into(),
            target_group: out["target_group_arn"]["value"].as_str().unwrap().into(),
            dir,
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
const EXECUTION_POLICY_ARN: &str =
    "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";
/// Made in the console without the managed policy.
const BARE_ROLE: &str = "web-execution-bare";
/// Made in the console with the managed policy attached.
const GOOD_ROLE: &str = "web-execution";

fn role_arn(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:role/{name}")
}

/// What the console makes: the two execution roles, a cluster, the revision `web:1` (container
/// `web` on 8080, run by the role that may pull and log) and the service `web` sending the
/// target group's traffic to 8080 of container `web`.
fn console_service(url: &str, repo: &Repo) {
    runtime().block_on(async {
        let conf = sdk_config(url).await;
        let iam = aws_sdk_iam::Client::new(&conf);
        for name in [BARE_ROLE, GOOD_ROLE] {
            iam.create_role()
                .role_name(name)
                .assume_role_policy_document(TRUST)
                .send()
                .await
                .expect("role");
        }
        iam.attach_role_policy()
            .role_name(GOOD_ROLE)
            .policy_arn(EXECUTION_POLICY_ARN)
            .send()
            .await
            .expect("attach the managed policy (MOTO_IAM_LOAD_MANAGED_POLICIES)");
        let ecs = aws_sdk_ecs::Client::new(&conf);
        use aws_sdk_ecs::types as t;
        ecs.create_cluster()
            .cluster_name("web")
            .send()
            .await
            .expect("cluster");
        ecs.register_task_definition()
            .family("web")
            .network_mode(t::NetworkMode::Awsvpc)
            .requires_compatibilities(t::Compatibility::Fargate)
            .cpu("256")
            .memory("512")
            .execution_role_arn(role_arn(GOOD_ROLE))
            .container_definitions(
                t::ContainerDefinition::builder()
                    .name("web")
                    .image(format!("{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/web:1"))
                    .essential(true)
                    .port_mappings(
                        t::PortMapping::builder()
                            .container_port(8080)
                            .protocol(t::TransportProtocol::Tcp)
                            .build(),
                    )
                    .log_configuration(
                        t::LogConfiguration::builder()
                            .log_driver(t::LogDriver::Awslogs)
                            .options("awslogs-group", "/ecs/web")
                            .options("awslogs-region", REGION)
                            .options("awslogs-stream-prefix", "web")
                            .build()
                            .unwrap(),
                    )
                    .build(),
            )
            .send()
            .await
            .expect("task definition");
        ecs.create_service()
            .cluster("web")
            .service_name("web")
            .task_definition("web")
            .desired_count(1)
            .launch_type(t::LaunchType::Fargate)
            .load_balancers(
                t::LoadBalancer::builder()
                    .target_group_arn(&repo.target_group)
                    .container_name("web")
                    .container_port(8080)
                    .build(),
            )
            .network_configuration(
                t::NetworkConfiguration::builder()
                    .awsvpc_configuration(
                        t::AwsVpcConfiguration::builder()
                            .set_subnets(Some(repo.subnets.clone()))
                            .security_groups(&repo.tasks_sg)
                            .assign_public_ip(t::AssignPublicIp::Disabled)
                            .build()
                            .unwrap(),
                    )
                    .build(),
            )
            .send()
            .await
            .expect("service");
    });
}

/// The family `web` as the deploy pipeline registers it: the image tag filled in at deploy
/// time, `port` and `role` as given.
fn task_definition(port: u16, role: &str) -> String {
    format!(
        r#"{{
  "family": "web",
  "networkMode": "awsvpc",
  "requiresCompatibilities": ["FARGATE"],
  "cpu": "256",
  "memory": "512",
  "executionRoleArn": "{}",
  "containerDefinitions": [
    {{
      "name": "web",
      "image": "{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/web:${{IMAGE_TAG}}",
      "essential": true,
      "portMappings": [
        {{
          "containerPort": {port},
          "protocol": "tcp"
        }}
      ],
      "logConfiguration": {{
        "logDriver": "awslogs",
        "options": {{
          "awslogs-group": "/ecs/web",
          "awslogs-region": "{REGION}",
          "awslogs-stream-prefix": "web"
        }}
      }}
    }}
  ]
}}
"#,
        role_arn(role)
    )
}

/// GitHub's "Deploy to Amazon ECS" starter workflow, as a team adopts it.
const DEPLOY_WORKFLOW: &str = r#"name: Deploy to Amazon ECS

on:
  push:
    branches: [ "main" ]

env:
  AWS_REGION: eu-west-1
  ECR_REPOSITORY: web
  ECS_SERVICE: web
  ECS_CLUSTER: web
  ECS_TASK_DEFINITION: .aws/task-definition.json
  CONTAINER_NAME: web

permissions:
  contents: read

jobs:
  deploy:
    name: Deploy
    runs-on: ubuntu-latest
    environment: production

    steps:
    - name: Checkout
      uses: actions/checkout@v4

    - name: Configure AWS credentials
      uses: aws-actions/configure-aws-credentials@v1
      with:
        aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}
        aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
        aws-region: ${{ env.AWS_REGION }}

    - name: Login to Amazon ECR
      id: login-ecr
      uses: aws-actions/amazon-ecr-login@v1

    - name: Build, tag, and push image to Amazon ECR
      id: build-image
      env:
        ECR_REGISTRY: ${{ steps.login-ecr.outputs.registry }}
        IMAGE_TAG: ${{ github.sha }}
      run: |
        docker build -t $ECR_REGISTRY/$ECR_REPOSITORY:$IMAGE_TAG .
        docker push $ECR_REGISTRY/$ECR_REPOSITORY:$IMAGE_TAG
        echo "image=$ECR_REGISTRY/$ECR_REPOSITORY:$IMAGE_TAG" >> $GITHUB_OUTPUT

    - name: Fill in the new image ID in the Amazon ECS task definition
      id: task-def
      uses: aws-actions/amazon-ecs-render-task-definition@v1
      with:
        task-definition: ${{ env.ECS_TASK_DEFINITION }}
        container-name: ${{ env.CONTAINER_NAME }}
        image: ${{ steps.build-image.outputs.image }}

    - name: Deploy Amazon ECS task definition
      uses: aws-actions/amazon-ecs-deploy-task-definition@v1
      with:
        task-definition: ${{ steps.task-def.outputs.task-definition }}
        service: ${{ env.ECS_SERVICE }}
        cluster: ${{ env.ECS_CLUSTER }}
        wait-for-service-stability: true
"#;

/// The 1-based line of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> u64 {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not in:\n{text}")) as u64
        + 1
}

fn with_code<'a>(json: &'a J, code: &str) -> Vec<&'a J> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code)
        .collect()
}

/// The messages of a finding's related labels.
fn related(f: &J) -> Vec<String> {
    f["related"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| r["message"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// The one finding of `code` located in `file`.
fn in_file<'a>(json: &'a J, code: &str, file: &str) -> &'a J {
    let found: Vec<&J> = with_code(json, code)
        .into_iter()
        .filter(|f| f["location"]["file"] == file)
        .collect();
    assert_eq!(found.len(), 1, "one {code} in {file}: {json:#}");
    found[0]
}

/// What ECS001 must say when the file's container listens on 3000 and the live service sends
/// 8080: located at the containerPort line of `file` (as shown relative to the checked
/// directory), naming the live service and the target group.
fn assert_port_mismatch(json: &J, file: &str, text: &str, target_group: &str) {
    let service = format!("arn:aws:ecs:{REGION}:{ACCOUNT}:service/web/web");
    let f = with_code(json, "ECS001")
        .into_iter()
        .find(|f| f["resource"] == service.as_str())
        .unwrap_or_else(|| panic!("ECS001 on {service}: {json:#}"));
    assert_eq!(f["location"]["file"], file, "{f:#}");
    assert_eq!(
        f["location"]["line"],
        line_of(text, "\"containerPort\": 3000"),
        "{f:#}"
    );
    let msg = f["message"].as_str().unwrap();
    assert!(
        msg.contains("container_port 8080") && msg.contains("listens on 3000"),
        "{msg}"
    );
    let labels = related(f);
    assert!(
        labels
            .iter()
            .any(|l| l.contains(&service) && l.contains("8080")),
        "a label names the live service: {labels:?}"
    );
    assert!(
        labels.iter().any(|l| l.contains(target_group)),
        "a label names the target group {target_group}: {labels:?}"
    );
    // The target group is only live here (no state joins it to infra/main.tf): its health
    // check on 8080 is reported where the deploy can still change, the file's containerPort.
    let hc = with_code(json, "ECS001")
        .into_iter()
        .find(|f| f["resource"] == target_group)
        .unwrap_or_else(|| panic!("ECS001 on {target_group}: {json:#}"));
    assert_eq!(hc["location"], f["location"], "{hc:#}");
    let msg = hc["message"].as_str().unwrap();
    assert!(
        msg.contains("health check port 8080") && msg.contains("(3000)"),
        "{msg}"
    );
    assert!(
        hc["related"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["location"]
                == serde_json::json!({"arn": target_group, "path": "health_check[0].port"})),
        "{hc:#}"
    );
    assert_eq!(with_code(json, "ECS001").len(), 2, "{json:#}");
}

fn assert_missing_policy(json: &J, file: &str, text: &str) {
    let f = in_file(json, "ECS002", file);
    assert_eq!(f["resource"], file, "{f:#}");
    assert_eq!(
        f["location"]["line"],
        line_of(text, "\"executionRoleArn\""),
        "{f:#}"
    );
    let msg = f["message"].as_str().unwrap();
    assert!(
        msg.contains(&role_arn(BARE_ROLE)) && msg.contains("ecr:"),
        "{msg}"
    );
    let title = f["fix_title"].as_str().unwrap_or("");
    assert!(
        title.contains("AmazonECSTaskExecutionRolePolicy") && title.contains(BARE_ROLE),
        "{f:#}"
    );
}

/// The whole story on one applied account: a file that disagrees with the live service (port
/// and execution role), the same file fixed, and the file deployed by the workflow from
/// `.aws/`, outside the checked directory.
#[test]
fn a_task_definition_file_is_checked_against_the_live_service_of_its_family() {
    let m = moto();
    let repo = Repo::apply(&m.url);
    console_service(&m.url, &repo);
    let infra = repo.path().join("infra");
    let select = ["--select", "ECS001,ECS002", "--fail-on", "note"];

    // The file found by name under infra/: the next deploy moves the container to 3000 and runs
    // it with the role that cannot pull from ECR.
    let bad = task_definition(3000, BARE_ROLE);
    repo.write("infra/task-definition.json", &bad);
    m.start_recording();
    let (code, json) = live_check(&m.url, &infra, &select);
    assert_read_only(&m.recorded_actions());
    assert_eq!(code, 1, "{json:#}");
    assert!(json["errors"].as_array().unwrap().is_empty(), "{json:#}");
    assert_port_mismatch(&json, "task-definition.json", &bad, &repo.target_group);
    assert_missing_policy(&json, "task-definition.json", &bad);
    assert_eq!(with_code(&json, "ECS002").len(), 1, "{json:#}");

    // With the state, the target group is infra/main.tf's: the health check is reported at
    // its line there, and the service's port (only live) still in the file.
    let (code, json) = live_check(&m.url, &infra, &[&select[..], &["--state"]].concat());
    assert_eq!(code, 1, "{json:#}");
    let hc = with_code(&json, "ECS001")
        .into_iter()
        .find(|f| f["resource"] == "aws_lb_target_group.web")
        .unwrap_or_else(|| panic!("ECS001 on aws_lb_target_group.web: {json:#}"));
    assert_eq!(hc["location"]["file"], "main.tf", "{hc:#}");
    assert_eq!(
        hc["location"]["line"],
        line_of(INFRA, "port = \"8080\""),
        "{hc:#}"
    );
    assert_eq!(hc["fix"]["applicability"], "safe", "{hc:#}");
    assert_eq!(
        hc["fix"]["edits"][0]["replacement"], "\"traffic-port\"",
        "{hc:#}"
    );
    let sent = in_file(&json, "ECS001", "task-definition.json");
    assert_eq!(
        sent["resource"],
        format!("arn:aws:ecs:{REGION}:{ACCOUNT}:service/web/web")
    );
    assert!(
        sent["related"]
            .as_array()
            .unwrap()
            .iter()
            .any(
                |r| r["message"] == "target group aws_lb_target_group.web receives the traffic"
                    && r["location"]["file"] == "main.tf"
                    && r["location"]["line"]
                        == line_of(INFRA, "resource \"aws_lb_target_group\" \"web\"")
            ),
        "{sent:#}"
    );

    // Agreeing with the service, run by the role with the managed policy: nothing to say.
    let good = task_definition(8080, GOOD_ROLE);
    repo.write("infra/task-definition.json", &good);
    let (code, json) = live_check(&m.url, &infra, &select);
    assert_eq!(code, 0, "{json:#}");
    assert!(json["findings"].as_array().unwrap().is_empty(), "{json:#}");
    // Decided, not skipped: the image's tag is a placeholder, its registry is not.
    assert!(
        json["not_evaluated"].as_array().unwrap().is_empty(),
        "{json:#}"
    );

    // Where AWS's starter workflow keeps it: found only through the workflow's env.
    std::fs::remove_file(infra.join("task-definition.json")).unwrap();
    repo.write(".aws/task-definition.json", &bad);
    let (code, json) = live_check(&m.url, &infra, &select);
    assert_eq!(code, 0, "without the workflow, .aws/ is not read: {json:#}");
    repo.write(".github/workflows/deploy.yml", DEPLOY_WORKFLOW);
    let (code, json) = live_check(&m.url, &infra, &select);
    assert_eq!(code, 1, "{json:#}");
    assert_port_mismatch(
        &json,
        "../.aws/task-definition.json",
        &bad,
        &repo.target_group,
    );
    assert_missing_policy(&json, "../.aws/task-definition.json", &bad);
}

/// The service and target group as configuration holds them: the service names its task
/// definition's family only (the pipeline registers the revisions).
const SERVICE_TF: &str = r#"resource "aws_lb_target_group" "web" {
  name        = "web"
  port        = 8080
  protocol    = "HTTP"
  target_type = "ip"
  vpc_id      = "vpc-0123456789abcdef0"
}

resource "aws_ecs_service" "web" {
  name            = "web"
  cluster         = "web"
  task_definition = "web"
  launch_type     = "FARGATE"
  load_balancer {
    target_group_arn = aws_lb_target_group.web.arn
    container_name   = "web"
    container_port   = 8080
  }
}
"#;

/// Offline: the workflow's file, outside the checked directory, is what the configured service
/// runs; without the workflow it is not read, and a workflow naming a file no step of the
/// repository holds is a note.
#[test]
fn the_deploy_workflow_names_the_task_definition_file_offline() {
    let bad = task_definition(3000, BARE_ROLE);
    let repo = tree(&[
        (".git/HEAD", b"ref: refs/heads/main\n" as &[u8]),
        ("infra/main.tf", SERVICE_TF.as_bytes()),
        (".aws/task-definition.json", bad.as_bytes()),
    ]);
    let infra = repo.path().join("infra");
    let select = ["--select", "ECS001", "--fail-on", "note"];

    let (code, json) = check_json(&infra, &select);
    assert_eq!(code, 0, "{json:#}");
    assert!(
        json["not_evaluated"]
            .to_string()
            .contains("task definition web is not declared"),
        "the family is in no file read: {json:#}"
    );

    std::fs::create_dir_all(repo.path().join(".github/workflows")).unwrap();
    std::fs::write(
        repo.path().join(".github/workflows/deploy.yml"),
        DEPLOY_WORKFLOW,
    )
    .unwrap();
    let (code, json) = check_json(&infra, &select);
    assert_eq!(code, 1, "{json:#}");
    assert!(json["errors"].as_array().unwrap().is_empty(), "{json:#}");
    // The service is configuration here: reported at its container_port, the file's line as a
    // label.
    let f = in_file(&json, "ECS001", "main.tf");
    assert_eq!(f["resource"], "aws_ecs_service.web", "{f:#}");
    assert_eq!(
        f["location"]["line"],
        line_of(SERVICE_TF, "container_port"),
        "{f:#}"
    );
    assert!(
        f["related"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["message"] == "container web listens on 3000"
                && r["location"]["file"] == "../.aws/task-definition.json"
                && r["location"]["line"] == line_of(&bad, "\"containerPort\": 3000")),
        "{f:#}"
    );
    assert_eq!(f["fix"]["edits"][0]["replacement"], "3000", "{f:#}");

    // --task-definition reads only the files it names: the workflow's is left alone.
    let good = repo.path().join("infra/ecs/web.json");
    std::fs::create_dir_all(good.parent().unwrap()).unwrap();
    std::fs::write(&good, task_definition(8080, GOOD_ROLE)).unwrap();
    let named = good.to_string_lossy().into_owned();
    let (code, json) = check_json(
        &infra,
        &[&select[..], &["--task-definition", &named]].concat(),
    );
    assert_eq!(code, 0, "{json:#}");
    assert!(
        json["not_evaluated"].as_array().unwrap().is_empty(),
        "{json:#}"
    );
    std::fs::remove_file(&good).unwrap();

    // A workflow that deploys a file an earlier step writes: not checked, and said so.
    let renamed =
        DEPLOY_WORKFLOW.replace(".aws/task-definition.json", "build/task-definition.json");
    std::fs::write(repo.path().join(".github/workflows/deploy.yml"), renamed).unwrap();
    let (code, json) = check_json(&infra, &select);
    assert_eq!(code, 0, "{json:#}");
    let note = json["not_evaluated"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| {
            n["reason"]
                .as_str()
                .unwrap()
                .contains("deploys the task definition build/task-definition.json")
        })
        .unwrap_or_else(|| panic!("a note on the missing file: {json:#}"));
    assert!(
        note["reason"]
            .as_str()
            .unwrap()
            .starts_with(".github/workflows/deploy.yml "),
        "{note:#}"
    );
}
