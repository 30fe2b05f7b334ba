//! Tests against outputs of `terraform console` (Terraform 1.11).
