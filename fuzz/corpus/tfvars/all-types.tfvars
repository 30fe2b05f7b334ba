# Every variable fuzzing::TFVARS_CONFIG declares, plus one it does not.
name     = "app-${"x"}"
port     = 5432
public   = true
cidrs    = ["0.0.0.0/0", "10.0.0.0/8"]
tags     = { Name = "app", "team" = "db" }
ports    = [22, 5432]
db       = { engine = "postgres", backup = 0 }
pair     = ["a", 1]
anything = { list = [1, "two", null, true], nested = { deep = [[1.5e3]] } }
secret   = <<-EOT
  hunter2
  EOT
unknown  = 1
