# ECS Fargate behind an internal ALB, RDS PostgreSQL, a VPC with private subnets only, and IAM.
# Applied against a moto server by scripts/gen-state-fixtures.sh, which commits the resulting
# terraform.tfstate, plan.json and plan-create.json next to this file. Do not edit those by hand.

terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
}

provider "aws" {
  region     = "us-east-1"
  access_key = "test"
  secret_key = "test"

  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true

  endpoints {
    cloudwatch = var.aws_endpoint
    ec2        = var.aws_endpoint
    ecs        = var.aws_endpoint
    elb        = var.aws_endpoint
    elbv2      = var.aws_endpoint
    iam        = var.aws_endpoint
    logs       = var.aws_endpoint
    rds        = var.aws_endpoint
    sts        = var.aws_endpoint
  }
}

locals {
  subnets = {
    a = "10.0.1.0/24"
    b = "10.0.2.0/24"
  }
  container_name = "app"
}

resource "aws_vpc" "main" {
  cidr_block           = "10.0.0.0/16"
  enable_dns_hostnames = true
  enable_dns_support   = true

  tags = {
    Name  = "demo-vpc"
    Owner = var.owner
  }
}

resource "aws_subnet" "private" {
  for_each = local.subnets

  vpc_id            = aws_vpc.main.id
  cidr_block        = each.value
  availability_zone = "us-east-1${each.key}"

  tags = {
    Name = "demo-private-${each.key}"
  }
}

# Private subnets: no internet gateway, no NAT gateway, only the VPC-local route.
resource "aws_route_table" "private" {
  vpc_id = aws_vpc.main.id

  tags = {
    Name = "demo-private"
  }
}

resource "aws_route_table_association" "private" {
  for_each = aws_subnet.private

  subnet_id      = each.value.id
  route_table_id = aws_route_table.private.id
}

# The ALB's group carries its rules inline.
resource "aws_security_group" "alb" {
  name        = "demo-alb"
  description = "ALB: HTTP from inside the VPC"
  vpc_id      = aws_vpc.main.id

  ingress {
    description = "HTTP from the VPC"
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = [aws_vpc.main.cidr_block]
  }

  egress {
    description = "To the tasks"
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = [aws_vpc.main.cidr_block]
  }
}

# The only resource named with name_prefix: only the state knows its final name.
resource "aws_security_group" "tasks" {
  name_prefix = "demo-"
  description = "ECS tasks"
  vpc_id      = aws_vpc.main.id
}

# By CIDR, not referenced_security_group_id: moto 5.1.22 reads a referenced group back as
# "123456789012/sg-..." and drops the description, so every plan would show a change.
resource "aws_vpc_security_group_ingress_rule" "tasks_from_vpc" {
  security_group_id = aws_security_group.tasks.id
  description       = "HTTP from the VPC (the ALB)"
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
  cidr_ipv4         = aws_vpc.main.cidr_block
}

resource "aws_security_group" "db" {
  name        = "demo-db"
  description = "PostgreSQL"
  vpc_id      = aws_vpc.main.id
}

resource "aws_security_group_rule" "db_from_tasks" {
  type                     = "ingress"
  description              = "PostgreSQL from the tasks"
  security_group_id        = aws_security_group.db.id
  protocol                 = "tcp"
  from_port                = 5432
  to_port                  = 5432
  source_security_group_id = aws_security_group.tasks.id
}

resource "aws_db_subnet_group" "main" {
  name       = "demo-db"
  subnet_ids = [for s in aws_subnet.private : s.id]
}

resource "aws_db_instance" "main" {
  identifier             = "demo-db"
  engine                 = "postgres"
  engine_version         = "16.3"
  instance_class         = "db.t3.micro"
  allocated_storage      = 20
  db_name                = "app"
  username               = "app"
  password               = var.db_password
  db_subnet_group_name   = aws_db_subnet_group.main.name
  vpc_security_group_ids = [aws_security_group.db.id]
  publicly_accessible    = var.db_public
  skip_final_snapshot    = true
}

resource "aws_iam_role" "task_execution" {
  name = "demo-task-execution"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "task_execution" {
  role       = aws_iam_role.task_execution.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

resource "aws_ecs_cluster" "main" {
  name = "demo"
}

resource "aws_ecs_task_definition" "app" {
  family                   = "demo-app"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = "256"
  memory                   = "512"
  execution_role_arn       = aws_iam_role.task_execution.arn

  container_definitions = jsonencode([{
    name      = local.container_name
    image     = "public.ecr.aws/nginx/nginx:1.27"
    essential = true
    portMappings = [{
      containerPort = 80
      protocol      = "tcp"
    }]
  }])
}

resource "aws_lb" "main" {
  name               = "demo-alb"
  internal           = true
  load_balancer_type = "application"
  security_groups    = [aws_security_group.alb.id]
  subnets            = [for s in aws_subnet.private : s.id]
}

resource "aws_lb_target_group" "app" {
  name        = "demo-app"
  port        = 80
  protocol    = "HTTP"
  target_type = "ip"
  vpc_id      = aws_vpc.main.id

  health_check {
    port     = var.health_check_port
    protocol = "HTTP"
    path     = "/healthz"
    matcher  = "200"
  }
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.main.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }
}

resource "aws_ecs_service" "app" {
  name            = "demo-app"
  cluster         = aws_ecs_cluster.main.id
  task_definition = aws_ecs_task_definition.app.arn
  desired_count   = 1
  launch_type     = "FARGATE"

  network_configuration {
    subnets          = [for s in aws_subnet.private : s.id]
    security_groups  = [aws_security_group.tasks.id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.app.arn
    container_name   = local.container_name
    container_port   = 80
  }

  # moto 5.1.22 does not return availabilityZoneRebalancing, so the state holds "" and every
  # plan would set it back to the provider's default "DISABLED".
  lifecycle {
    ignore_changes = [availability_zone_rebalancing]
  }

  depends_on = [aws_lb_listener.http]
}
