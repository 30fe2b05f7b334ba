# A minimal root module, fast to apply against a moto server: tests/real_fixtures.rs regenerates
# its state with scripts/gen-state-fixtures.sh and compares it with the committed
# terraform.tfstate. Do not edit that file by hand; rerun the script.

terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
}

variable "aws_endpoint" {
  description = "URL of the AWS emulator (moto server) every service endpoint points at."
  type        = string
}

provider "aws" {
  region     = "us-east-1"
  access_key = "test"
  secret_key = "test"

  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true

  endpoints {
    ec2 = var.aws_endpoint
    iam = var.aws_endpoint
    sts = var.aws_endpoint
  }
}

resource "aws_vpc" "main" {
  cidr_block = "10.20.0.0/16"

  tags = {
    Name = "demo-min-vpc"
  }
}

resource "aws_subnet" "private" {
  count = 2

  vpc_id            = aws_vpc.main.id
  cidr_block        = cidrsubnet(aws_vpc.main.cidr_block, 8, count.index)
  availability_zone = count.index == 0 ? "us-east-1a" : "us-east-1b"

  tags = {
    Name = "demo-min-private-${count.index}"
  }
}

resource "aws_security_group" "web" {
  name        = "demo-min-web"
  description = "HTTPS from inside the VPC"
  vpc_id      = aws_vpc.main.id

  ingress {
    description = "HTTPS from the VPC"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = [aws_vpc.main.cidr_block]
  }
}

# name_prefix: IAM names are account-wide, so reruns against a shared moto server never collide.
resource "aws_iam_role" "app" {
  name_prefix = "demo-min-"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}
