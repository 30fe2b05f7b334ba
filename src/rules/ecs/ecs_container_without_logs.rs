//! ECS006 ecs-container-without-logs: a container without `logConfiguration` sends its output
//! nowhere.
use super::known_containers;
use crate::model::Value;
use crate::rules::{Ctx, FixAvailability, Input, Rule, RuleMeta, Severity, Sink, Violation};

pub struct EcsContainerWithoutLogs;

static META: RuleMeta = RuleMeta {
    code: "ECS006",
    name: "ecs-container-without-logs",
    category: "ecs",
    severity: Severity::Warning,
    summary: "A container definition has no logConfiguration: its output is lost",
    fix: FixAvailability::None,
    fix_kinds: &[],
    inputs: &[
        Input::Config,
        Input::State,
        Input::Live,
        Input::TaskDefinition,
    ],
    options: &[],
    doc: include_str!("../../../rules/ecs-container-without-logs.md"),
};

struct WithoutLogs {
    container: String,
    /// The log group to name in the snippet: the module's only one, if it has exactly one.
    log_group: String,
    /// The task definition is a JSON file: the snippet is JSON.
    json: bool,
}

impl Violation for WithoutLogs {
    fn message(&self) -> String {
        format!(
            "container {} has no logConfiguration: its output is not kept anywhere, so a crash loop leaves no trace",
            self.container
        )
    }
    fn fix_title(&self) -> String {
        if self.json {
            return format!(
                "add \"logConfiguration\": {{\"logDriver\": \"awslogs\", \"options\": {{\"awslogs-group\": \"<log group>\", \"awslogs-region\": \"<region>\", \"awslogs-stream-prefix\": \"{}\"}}}} to the container",
                self.container
            );
        }
        format!(
            "add logConfiguration = {{ logDriver = \"awslogs\", options = {{ \"awslogs-group\" = {}.name, \"awslogs-region\" = <region>, \"awslogs-stream-prefix\" = \"{}\" }} }}",
            self.log_group, self.container
        )
    }
}

impl Rule for EcsContainerWithoutLogs {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx, out: &mut Sink) {
        for td in cx.model.resources_of("aws_ecs_task_definition") {
            for c in &known_containers(td, out) {
                // A logConfiguration known only at apply is still one.
                if !matches!(c.get("logConfiguration"), Value::Null) {
                    continue;
                }
                // The container's name: its whole definition would be a long excerpt.
                let at = td
                    .origin_at(&format!("container_definitions[{}].name", c.index))
                    .map(|o| o.location.clone());
                let groups: Vec<_> = cx
                    .model
                    .resources_of("aws_cloudwatch_log_group")
                    .filter(|g| g.module == td.module)
                    .collect();
                let log_group = match groups.as_slice() {
                    [one] => format!("aws_cloudwatch_log_group.{}", one.name),
                    _ => "aws_cloudwatch_log_group.<name>".into(),
                };
                out.report(
                    td,
                    &WithoutLogs {
                        container: c.label(),
                        log_group,
                        json: td.primary_source() == crate::model::SourceKind::TaskDefinition,
                    },
                    at,
                    vec![],
                );
            }
        }
    }
}
