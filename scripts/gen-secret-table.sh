#!/usr/bin/env bash
# Prints the rows of SECRET_ATTRIBUTES (src/model/secrets.rs): every attribute the AWS
# provider's schema flags `sensitive`, by resource and data source type, with `*` for each
# list or set block on the way. Needs terraform and the provider as a plugin directory
# (INFRA_LINT_TF_PLUGIN_DIR, default /opt/tf-plugins); runs offline.
set -euo pipefail
PLUGIN_DIR=${INFRA_LINT_TF_PLUGIN_DIR:-/opt/tf-plugins}
VERSION=${AWS_PROVIDER_VERSION:-5.100.0}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/main.tf" <<TF
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "$VERSION" }
  }
}
TF
export TF_CLI_CONFIG_FILE=/dev/null
terraform -chdir="$work" init -input=false -plugin-dir="$PLUGIN_DIR" >/dev/null
terraform -chdir="$work" providers schema -json >"$work/schema.json"
python3 - "$work/schema.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))["provider_schemas"]["registry.terraform.io/hashicorp/aws"]
def walk(block, path, acc):
    for k, a in sorted(block.get("attributes", {}).items()):
        if a.get("sensitive"):
            acc.append(path + [k])
    for k, b in sorted(block.get("block_types", {}).items()):
        star = ["*"] if b.get("nesting_mode") in ("list", "set") else []
        walk(b["block"], path + [k] + star, acc)
for kind, mode in [("resource_schemas", "Managed"), ("data_source_schemas", "Data")]:
    for t, s in sorted(p[kind].items()):
        acc = []
        walk(s["block"], [], acc)
        if acc:
            paths = ", ".join("&[" + ", ".join(json.dumps(x) for x in a) + "]" for a in acc)
            print(f'    (Mode::{mode}, "{t}", &[{paths}]),')
PY
