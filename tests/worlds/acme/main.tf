# The "acme" world of tests/cli_live_world.rs: a VPC, an internet-facing ALB, RDS PostgreSQL in
# private subnets, an ECS cluster and IAM, every name prefixed "acme-", applied with the real
# `terraform apply` into a moto server, with its state in moto's S3 (workspace "staging").
# The test then changes the account by hand through the SDK, as a console user would.

terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }

  # bucket, key, region and the endpoint come from `terraform init -backend-config=...`.
  backend "s3" {}
}

variable "aws_endpoint" {
  type = string
}

variable "db_password" {
  type      = string
  sensitive = true
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
    ecs   = var.aws_endpoint
    elbv2 = var.aws_endpoint
    iam   = var.aws_endpoint
    rds   = var.aws_endpoint
    sts   = var.aws_endpoint
  }
}

locals {
  public  = { a = "10.40.1.0/24", b = "10.40.2.0/24" }
  private = { a = "10.40.11.0/24", b = "10.40.12.0/24" }
}

resource "aws_vpc" "main" {
  cidr_block = "10.40.0.0/16"
  tags       = { Name = "acme-vpc" }
}

resource "aws_internet_gateway" "main" {
  vpc_id = aws_vpc.main.id
  tags   = { Name = "acme-igw" }
}

resource "aws_subnet" "public" {
  for_each          = local.public
  vpc_id            = aws_vpc.main.id
  cidr_block        = each.value
  availability_zone = "eu-west-1${each.key}"
  tags              = { Name = "acme-public-${each.key}" }
}

resource "aws_subnet" "private" {
  for_each          = local.private
  vpc_id            = aws_vpc.main.id
  cidr_block        = each.value
  availability_zone = "eu-west-1${each.key}"
  tags              = { Name = "acme-private-${each.key}" }
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.main.id
  }
  tags = { Name = "acme-public" }
}

resource "aws_route_table_association" "public" {
  for_each       = aws_subnet.public
  subnet_id      = each.value.id
  route_table_id = aws_route_table.public.id
}

resource "aws_security_group" "alb" {
  name   = "acme-alb"
  vpc_id = aws_vpc.main.id
  ingress {
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "tasks" {
  name   = "acme-tasks"
  vpc_id = aws_vpc.main.id
  ingress {
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = [aws_vpc.main.cidr_block]
  }
  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "db" {
  name   = "acme-db"
  vpc_id = aws_vpc.main.id
  ingress {
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = [aws_vpc.main.cidr_block]
  }
}

resource "aws_lb" "main" {
  name               = "acme-alb"
  load_balancer_type = "application"
  internal           = false
  security_groups    = [aws_security_group.alb.id]
  subnets            = [for s in aws_subnet.public : s.id]
}

# The checkout service that will use this target group is made in the console later, and its
# container listens on 80: the health check on 8080 never succeeds.
resource "aws_lb_target_group" "checkout" {
  name        = "acme-checkout"
  port        = 80
  protocol    = "HTTP"
  target_type = "ip"
  vpc_id      = aws_vpc.main.id
  health_check {
    path = "/health"
    port = "8080"
  }
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.main.arn
  port              = 80
  protocol          = "HTTP"
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.checkout.arn
  }
}

resource "aws_db_subnet_group" "main" {
  name       = "acme-db"
  subnet_ids = [for s in aws_subnet.private : s.id]
}

resource "aws_db_instance" "main" {
  identifier              = "acme-db"
  engine                  = "postgres"
  engine_version          = "16.3"
  instance_class          = "db.t3.micro"
  allocated_storage       = 20
  username                = "acme"
  password                = var.db_password
  db_subnet_group_name    = aws_db_subnet_group.main.name
  vpc_security_group_ids  = [aws_security_group.db.id]
  publicly_accessible     = false
  storage_encrypted       = true
  backup_retention_period = 7
  skip_final_snapshot     = true
}

resource "aws_ecs_cluster" "main" {
  name = "acme-cluster"
}

resource "aws_iam_role" "execution" {
  name = "acme-task-execution"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "execution" {
  role       = aws_iam_role.execution.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

# The worker runs with the execution role the ECS console made (outside this configuration):
# whether that role may pull images is known only from the account.
resource "aws_ecs_task_definition" "worker" {
  family                   = "acme-worker"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = "256"
  memory                   = "512"
  execution_role_arn       = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"
  container_definitions = jsonencode([{
    name      = "worker"
    image     = "public.ecr.aws/docker/library/busybox:1.36"
    essential = true
    command   = ["sleep", "3600"]
    # Planted: a secret written in configuration, which no output may show.
    environment = [{ name = "DB_PASSWORD", value = "config-db-password-planted" }]
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = "/ecs/acme-worker"
        awslogs-region        = "eu-west-1"
        awslogs-stream-prefix = "worker"
      }
    }
  }])
}
