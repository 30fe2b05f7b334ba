variable "aws_endpoint" {
  description = "URL of the AWS emulator (moto server) every service endpoint points at."
  type        = string
}

variable "db_password" {
  description = "Master password of the database. Passed with -var by scripts/gen-state-fixtures.sh."
  type        = string
  sensitive   = true
}

variable "db_public" {
  description = "Whether the database gets a public address. The script applies with true, so only the state knows."
  type        = bool
  default     = false
}

variable "health_check_port" {
  description = "Port the target group's health check probes. No default: the script passes 8080 at apply while the container listens on 80."
  type        = number
}

variable "owner" {
  description = "Owner tag of the VPC. The script applies with \"platform\" and plans plan.json with \"payments\"."
  type        = string
  default     = "platform"
}
