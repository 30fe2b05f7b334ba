variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "name_prefix" {
  type    = string
  default = "karan"
}

variable "environment" {
  type = string
}

variable "vpc_cidr" {
  type    = string
  default = "10.20.0.0/16"
}

variable "container_port" {
  type    = number
  default = 8080
}

variable "image_tag" {
  type = string
}

variable "db_publicly_accessible" {
  type    = bool
  default = false
}

variable "db_password" {
  type      = string
  sensitive = true
}
