variable "name" {
  type = string
}

variable "subnet_ids" {
  type = list(string)
}

variable "vpc_id" {
  type = string
}

variable "allowed_sg_ids" {
  type = list(string)
}

variable "publicly_accessible" {
  type    = bool
  default = false
}

variable "password" {
  type      = string
  sensitive = true
}

variable "settings" {
  type = object({
    instance_class    = optional(string, "db.t4g.small")
    allocated_storage = optional(number, 20)
    backup_days       = optional(number, 7)
  })
  default = {}
}

resource "aws_db_subnet_group" "this" {
  name       = var.name
  subnet_ids = var.subnet_ids
}

resource "aws_security_group" "db" {
  name   = "${var.name}-sg"
  vpc_id = var.vpc_id

  ingress {
    from_port       = 5432
    to_port         = 5432
    protocol        = "tcp"
    security_groups = var.allowed_sg_ids
  }
}

resource "aws_db_instance" "this" {
  identifier              = var.name
  engine                  = "postgres"
  engine_version          = "16.3"
  instance_class          = var.settings.instance_class
  allocated_storage       = var.settings.allocated_storage
  username                = "app"
  password                = var.password
  db_subnet_group_name    = aws_db_subnet_group.this.name
  vpc_security_group_ids  = [aws_security_group.db.id]
  publicly_accessible     = var.publicly_accessible
  backup_retention_period = var.settings.backup_days
  storage_encrypted       = true
  skip_final_snapshot     = true
}

output "endpoint" {
  value = aws_db_instance.this.endpoint
}
