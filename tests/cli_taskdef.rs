//! ECS task definition files through the binary, offline: which files are read (by name under
//! the directory, from the repository's workflows, `--task-definition`), both shapes, bad
//! files as located errors with the rest still checked, and placeholders that are not
//! findings. The account's side is tests/cli_taskdef_aws.rs.
mod common;
use common::*;
use serde_json::Value as J;

const TF: &str = r#"resource "aws_cloudwatch_log_group" "web" {
  name = "/ecs/web"
}
"#;

/// A task definition whose container has no logConfiguration (ECS006 reports it at the
/// container's name) and a plain-text password (ECS005).
fn td(family: &str, name: &str) -> String {
    format!(
        r#"{{
  "family": "{family}",
  "networkMode": "awsvpc",
  "containerDefinitions": [
    {{
      "name": "{name}",
      "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/{name}:${{IMAGE_TAG}}",
      "environment": [{{ "name": "DB_PASSWORD", "value": "hunter2-hunter2" }}]
    }}
  ]
}}
"#
    )
}

/// (file, line) of every finding of `code`.
fn at(json: &J, code: &str) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code)
        .map(|f| {
            (
                f["location"]["file"].as_str().unwrap_or("").to_string(),
                f["location"]["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    v.sort();
    v
}

fn line_of(text: &str, needle: &str) -> u64 {
    text.lines()
        .position(|l| l.contains(needle))
        .map(|i| i as u64 + 1)
        .unwrap_or_else(|| panic!("{needle:?} not in the text"))
}

#[test]
fn files_are_found_by_name_and_other_json_is_left_alone() {
    let web = td("web", "web");
    let worker = td("worker", "worker");
    let dir = tree(&[
        (".git/HEAD", b"ref: refs/heads/main\n"),
        ("main.tf", TF.as_bytes()),
        ("task-definition.json", web.as_bytes()),
        ("ecs/worker-taskdef.json", worker.as_bytes()),
        // Named like one, but not a task definition: ignored, not an error.
        ("ecs/taskdef-schema.json", br#"{"type": "object"}"#),
        // A task definition not named like one: not read.
        ("containers.json", td("other", "other").as_bytes()),
        (".terraform/modules/x/task-definition.json", web.as_bytes()),
    ]);
    let (code, json) = check_json(dir.path(), &["--select", "ECS006"]);
    assert_eq!(code, 0, "ECS006 warns: {json}");
    assert_eq!(
        at(&json, "ECS006"),
        [
            (
                "ecs/worker-taskdef.json".to_string(),
                line_of(&worker, "\"name\": \"worker\"")
            ),
            (
                "task-definition.json".to_string(),
                line_of(&web, "\"name\": \"web\"")
            ),
        ]
    );
    assert_eq!(json["errors"], serde_json::json!([]));
    // --no-task-definitions reads none of them.
    let (_, none) = check_json(dir.path(), &["--select", "ECS006", "--no-task-definitions"]);
    assert!(at(&none, "ECS006").is_empty(), "{none}");
    // --task-definition reads the named file only (discovery off); a relative path is the
    // shell's, as for --var-file.
    let named = dir.path().join("containers.json");
    let (_, one) = check_json(
        dir.path(),
        &[
            "--select",
            "ECS006",
            "--task-definition",
            named.to_str().unwrap(),
        ],
    );
    assert_eq!(
        at(&one, "ECS006"),
        [(
            "containers.json".to_string(),
            line_of(&web, "\"name\": \"web\"")
        )]
    );
}

#[test]
fn a_malformed_file_is_a_located_error_and_the_rest_is_still_checked() {
    let web = td("web", "web");
    let dir = tree(&[
        ("main.tf", TF.as_bytes()),
        ("task-definition.json", web.as_bytes()),
        (
            "task-definition-broken.json",
            b"{\n  \"family\": \"api\",\n  \"containerDefinitions\": [\n    {\"name\": \"api\",}\n  ]\n}\n",
        ),
    ]);
    let (code, json) = check_json(dir.path(), &["--select", "ECS005"]);
    assert_eq!(code, 2, "{json}");
    let errs = errors(&json);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].starts_with("task-definition-broken.json: not a valid task definition file:")
            && errs[0].contains("line 4 column"),
        "{errs:?}"
    );
    // The other file is still checked, and the password is not in the output.
    assert_eq!(
        at(&json, "ECS005"),
        [(
            "task-definition.json".to_string(),
            line_of(&web, "DB_PASSWORD")
        )]
    );
    let (_, human) = run(&[
        "check",
        dir.path().to_str().unwrap(),
        "--select",
        "ECS005",
        "--color",
        "never",
    ]);
    assert!(human.contains("DB_PASSWORD"), "{human}");
    assert!(!human.contains("hunter2"), "the secret is shown: {human}");
}

#[test]
fn the_describe_output_shape_is_read_and_placeholders_are_not_findings() {
    let described = r#"{
  "taskDefinition": {
    "taskDefinitionArn": "arn:aws:ecs:eu-west-1:123456789012:task-definition/web:12",
    "family": "web",
    "revision": 12,
    "networkMode": "awsvpc",
    "requiresCompatibilities": ["FARGATE"],
    "cpu": "256",
    "memory": "512",
    "containerDefinitions": [
      {
        "name": "web",
        "image": "<IMAGE1_NAME>",
        "portMappings": [{ "containerPort": ${PORT} }],
        "environment": [{ "name": "DB_PASSWORD_SECRET_NAME", "value": "prod/db" }]
      }
    ]
  }
}
"#;
    let tf = r#"resource "aws_ecs_service" "web" {
  name            = "web"
  task_definition = "web"
  load_balancer {
    target_group_arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/1"
    container_name   = "web"
    container_port   = 8080
  }
}
"#;
    let dir = tree(&[
        ("main.tf", tf.as_bytes()),
        ("task-definition.json", described.as_bytes()),
    ]);
    let (code, json) = check_json(dir.path(), &["--select", "ECS001,ECS004,ECS006"]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["errors"], serde_json::json!([]));
    // ECS006 on the container; the image placeholder is no registry finding (ECS004) and the
    // port placeholder makes ECS001 say why it cannot decide, at the placeholder.
    assert_eq!(
        at(&json, "ECS006"),
        [(
            "task-definition.json".to_string(),
            line_of(described, "\"name\": \"web\"")
        )]
    );
    assert!(at(&json, "ECS004").is_empty(), "{json}");
    let ne: Vec<&J> = json["not_evaluated"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["code"] == "ECS001")
        .collect();
    assert_eq!(ne.len(), 1, "{json}");
    assert!(
        ne[0]["reason"]
            .as_str()
            .unwrap()
            .contains("${PORT} is a placeholder filled in at deploy time"),
        "{ne:?}"
    );
}

/// A workflow modelled on GitHub's "Deploy to Amazon ECS" starter: the file lives in `.aws/`,
/// outside the Terraform directory, and the render step names it through `env`.
const DEPLOY_YML: &str = r#"name: Deploy to Amazon ECS

on:
  push:
    branches: ["main"]

env:
  AWS_REGION: eu-west-1
  ECR_REPOSITORY: web
  ECS_SERVICE: web
  ECS_CLUSTER: main
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
        uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/deploy
          aws-region: ${{ env.AWS_REGION }}
      - name: Login to Amazon ECR
        id: login-ecr
        uses: aws-actions/amazon-ecr-login@v2
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
  worker:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/amazon-ecs-deploy-task-definition@v2
        with:
          task-definition: deploy/worker.json
          service: worker
          cluster: main
"#;

#[test]
fn the_workflows_name_the_files_they_deploy() {
    let web = td("web", "web");
    let worker = td("worker", "worker");
    let dir = tree(&[
        (".git/HEAD", b"ref: refs/heads/main\n"),
        (".github/workflows/deploy.yml", DEPLOY_YML.as_bytes()),
        ("infra/main.tf", TF.as_bytes()),
        (".aws/task-definition.json", web.as_bytes()),
        // Named by the worker job only: its name does not match the patterns.
        ("deploy/worker.json", worker.as_bytes()),
    ]);
    let infra = dir.path().join("infra");
    let (_, json) = check_json(&infra, &["--select", "ECS006"]);
    assert_eq!(
        at(&json, "ECS006"),
        [
            (
                "../.aws/task-definition.json".to_string(),
                line_of(&web, "\"name\": \"web\"")
            ),
            (
                "../deploy/worker.json".to_string(),
                line_of(&worker, "\"name\": \"worker\"")
            ),
        ]
    );
    // A workflow naming a file the repository does not hold (one an earlier step writes) is
    // a note, not an error.
    std::fs::remove_file(dir.path().join("deploy/worker.json")).unwrap();
    let (code, json) = check_json(&infra, &["--select", "ECS006"]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["errors"], serde_json::json!([]));
    let notes: Vec<&str> = json["not_evaluated"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["reason"].as_str())
        .filter(|r| r.contains("deploy/worker.json"))
        .collect();
    assert_eq!(notes.len(), 1, "{json}");
    assert!(
        notes[0].contains(".github/workflows/deploy.yml"),
        "{notes:?}"
    );
    // A recursive check reads each root's own files only: the workflows belong to no root.
    let (_, rec) = check_json(dir.path(), &["--select", "ECS006", "--recursive"]);
    assert!(at(&rec, "ECS006").is_empty(), "{rec}");
}

/// ecspresso's real task definitions (../shared/corpus/ecspresso/tests, Go templates for every
/// value a deploy fills in): every file that is a task definition is read, the others
/// (ecspresso's own configuration, service definitions) are ignored, no input error, and the
/// only findings are the containers that really have no logConfiguration.
#[test]
fn ecspresso_task_definitions_are_read_as_they_are() {
    let corpus = root().join("../shared/corpus/ecspresso/tests");
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(&corpus)
        .expect("../shared/corpus/ecspresso/tests")
        .flatten()
        .map(|e| e.path())
        .chain(std::iter::once(corpus.join("ci/ecs-task-def-daemon.json")))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let dir = tree(&[("main.tf", TF.as_bytes())]);
    let mut args: Vec<String> = vec!["--select".into(), "ECS".into()];
    for f in &files {
        args.push("--task-definition".into());
        args.push(f.to_string_lossy().into_owned());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, json) = check_json(dir.path(), &args);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["errors"], serde_json::json!([]));
    let definitions = files
        .iter()
        .filter(|f| {
            let t = std::fs::read_to_string(f).unwrap();
            t.contains("\"containerDefinitions\"")
        })
        .count();
    // main.tf's log group and one resource per task definition file.
    assert_eq!(
        json["summary"]["resources"],
        1 + definitions as u64,
        "{json}"
    );
    let mut found: Vec<(String, String)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let file = f["location"]["file"].as_str().unwrap();
            (
                f["code"].as_str().unwrap().to_string(),
                file.rsplit('/').next().unwrap().to_string(),
            )
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            (
                "ECS006".to_string(),
                "ecs-task-def-multiple-plugins.json".to_string()
            ),
            ("ECS006".to_string(), "ecs-task-def.json".to_string()),
        ]
    );
}
