#!/usr/bin/env bash
# Regenerates the real Terraform state and plan fixtures under tests/real/ by running the real
# `terraform apply` / `terraform plan` against a moto server (the AWS emulator scripts/test.sh
# uses). Nothing leaves the loopback interface: the provider's endpoints all point at moto, and
# HTTP(S)_PROXY points at a closed local port so anything else would fail instead of reaching AWS.
#
# Usage: scripts/gen-state-fixtures.sh [--out-dir DIR] [all|ecs-stack|minimal]...
#
#   With no fixture name, regenerates all of them. Without --out-dir, writes over the committed
#   files in tests/real/<fixture>/; with --out-dir DIR, writes DIR/<fixture>/ instead and leaves
#   the repository alone (tests/real_fixtures.rs does that).
#
#   tests/real/ecs-stack/terraform.tfstate  state after `terraform apply` with
#                                           -var db_public=true -var health_check_port=8080
#                                           -var db_password=... -var owner=platform
#   tests/real/ecs-stack/plan.json          `terraform show -json` of a plan against that state
#                                           whose only change is -var owner=payments (a VPC tag)
#   tests/real/ecs-stack/plan-create.json   `terraform show -json` of a plan of a never-applied
#                                           copy: every resource is a create
#   tests/real/minimal/terraform.tfstate    state after `terraform apply` of the small module
#
#   The files are terraform's own bytes, with one exception: the moto URL (random port) that
#   appears in the plans' "variables" section is replaced by the fixed http://127.0.0.1:4566, so
#   reruns do not differ there. (It does not appear in the states: provider configuration is not
#   saved in state.) IDs, ARNs, timestamps, lineage and the generated name of the name_prefix
#   resources do differ between runs; resource addresses do not.
#
# Environment:
#   INFRA_LINT_TEST_ENDPOINT   moto URL to use (scripts/test.sh exports it). Unset: the script
#                              starts its own moto server on a free port and stops it at the end.
#                              Set: the script destroys what it applied once the files are written,
#                              so reruns against the same server do not collide on names.
#   INFRA_LINT_TF_PLUGIN_DIR   provider plugin directory for `terraform init -plugin-dir`
#                              (default /opt/tf-plugins; must hold hashicorp/aws 5.100.0)
#   INFRA_LINT_VENV            virtualenv with moto[server] (default .venv, created if absent,
#                              like scripts/test.sh); MOTO_VERSION (default 5.1.22)
#   TERRAFORM                  terraform binary (default: terraform on PATH)
#
# Against moto 5.1.22 with the AWS provider 5.100.0 every resource asked for applies (ECS
# service with a load balancer, ALB, RDS, IAM attachment of an AWS-managed policy). Two
# concessions, both so that a plan right after apply shows no change that moto alone causes:
#   - the ingress rule of the tasks' security group (aws_vpc_security_group_ingress_rule) allows
#     the VPC's CIDR instead of referencing the ALB's group: moto reads a referenced group back as
#     "123456789012/sg-..." and drops the rule's description;
#   - aws_ecs_service.app ignores changes to availability_zone_rebalancing: moto does not return
#     it, so the state holds "" and every plan would set it to "DISABLED".
# Apply of ecs-stack takes about two minutes (the ALB and the RDS instance take a minute each in
# moto's simulated provisioning); minimal takes a few seconds.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
FIXED_ENDPOINT=http://127.0.0.1:4566

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; }

OUT_DIR=""
FIXTURES=()
while [ $# -gt 0 ]; do
  case "$1" in
    -o | --out-dir)
      [ $# -ge 2 ] || { echo "gen-state-fixtures: $1 needs a directory" >&2; exit 2; }
      OUT_DIR=$2
      shift 2
      ;;
    --out-dir=*) OUT_DIR=${1#--out-dir=}; shift ;;
    -h | --help) usage; exit 0 ;;
    all) FIXTURES+=(ecs-stack minimal); shift ;;
    ecs-stack | minimal) FIXTURES+=("$1"); shift ;;
    *) echo "gen-state-fixtures: unknown argument '$1' (fixtures: all, ecs-stack, minimal)" >&2; exit 2 ;;
  esac
done
[ ${#FIXTURES[@]} -gt 0 ] || FIXTURES=(ecs-stack minimal)
# Each fixture once, in the order given.
mapfile -t FIXTURES < <(printf '%s\n' "${FIXTURES[@]}" | awk '!seen[$0]++')

log() { echo "gen-state-fixtures: $*" >&2; }
die() { log "$*"; exit 1; }

TERRAFORM=${TERRAFORM:-terraform}
PLUGIN_DIR=${INFRA_LINT_TF_PLUGIN_DIR:-/opt/tf-plugins}
command -v "$TERRAFORM" >/dev/null 2>&1 || die "terraform ('$TERRAFORM') is not on PATH"
[ -d "$PLUGIN_DIR/registry.terraform.io/hashicorp/aws" ] ||
  die "no AWS provider in the plugin directory '$PLUGIN_DIR' (set INFRA_LINT_TF_PLUGIN_DIR)"

# Only the settings below reach terraform and the provider.
export TF_CLI_CONFIG_FILE=/dev/null
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0
unset TF_CLI_ARGS TF_CLI_ARGS_init TF_CLI_ARGS_plan TF_CLI_ARGS_apply TF_CLI_ARGS_show \
  TF_CLI_ARGS_destroy TF_WORKSPACE TF_DATA_DIR TF_LOG TF_LOG_PATH TF_PLUGIN_CACHE_DIR
while read -r v; do unset "$v"; done < <(compgen -e | grep -E '^(TF_VAR_|AWS_)' || true)
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
export HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 NO_PROXY=127.0.0.1,localhost
export http_proxy=$HTTP_PROXY https_proxy=$HTTPS_PROXY no_proxy=$NO_PROXY

WORK=$(mktemp -d "${TMPDIR:-/tmp}/gen-state-fixtures.XXXXXX")
MOTO_PID=""
cleanup() {
  if [ -n "$MOTO_PID" ]; then kill "$MOTO_PID" 2>/dev/null || true; wait "$MOTO_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
# Signals become exits so the EXIT trap still stops moto and removes the temporary files.
trap 'exit 130' INT
trap 'exit 143' TERM

if [ -n "${INFRA_LINT_TEST_ENDPOINT:-}" ]; then
  ENDPOINT=$INFRA_LINT_TEST_ENDPOINT
  OWN_MOTO=false
else
  VENV=${INFRA_LINT_VENV:-.venv}
  case "$VENV" in /*) ;; *) VENV=$ROOT/$VENV ;; esac
  MOTO_VERSION=${MOTO_VERSION:-5.1.22}
  if [ ! -x "$VENV/bin/moto_server" ]; then
    log "creating $VENV and installing moto[server]==$MOTO_VERSION"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
  fi
  PORT=$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  MOTO_IAM_LOAD_MANAGED_POLICIES=true "$VENV/bin/moto_server" -H 127.0.0.1 -p "$PORT" >"$WORK/moto.log" 2>&1 &
  MOTO_PID=$!
  ENDPOINT=http://127.0.0.1:$PORT
  OWN_MOTO=true
  for _ in $(seq 1 150); do
    if "$VENV/bin/python" -c "import urllib.request; urllib.request.urlopen('$ENDPOINT/moto-api/')" 2>/dev/null; then
      break
    fi
    kill -0 "$MOTO_PID" 2>/dev/null || { cat "$WORK/moto.log" >&2; die "moto server exited"; }
    sleep 0.2
  done
  "$VENV/bin/python" -c "import urllib.request; urllib.request.urlopen('$ENDPOINT/moto-api/')" 2>/dev/null ||
    { cat "$WORK/moto.log" >&2; die "moto server did not answer on $ENDPOINT"; }
  log "started moto server on $ENDPOINT"
fi

# tf DIR LOG ARGS...: runs terraform in DIR, output to LOG, shown only on failure.
tf() {
  local dir=$1 logfile=$2
  shift 2
  if ! "$TERRAFORM" -chdir="$dir" "$@" -no-color >"$logfile" 2>&1; then
    cat "$logfile" >&2
    die "terraform $1 failed in $dir (log above)"
  fi
}

# fresh_copy FIXTURE DIR: the module's .tf files only, initialised from the plugin directory.
fresh_copy() {
  mkdir -p "$2"
  cp "$ROOT/tests/real/$1/"*.tf "$2/"
  tf "$2" "$2/init.log" init -input=false -plugin-dir="$PLUGIN_DIR"
}

# Replaces the moto URL by FIXED_ENDPOINT; otherwise the file is terraform's bytes unchanged.
normalize() {
  local esc
  esc=$(printf '%s' "$ENDPOINT" | sed 's/[][\.*^$|]/\\&/g')
  if grep -qF "$ENDPOINT" "$1"; then
    sed -i "s|$esc|$FIXED_ENDPOINT|g" "$1"
  fi
}

# Variables per fixture: APPLY_VARS for apply (and the create plan), CHANGE_VARS for plan.json.
fixture_vars() {
  APPLY_VARS=(-var "aws_endpoint=$ENDPOINT")
  CHANGE_VARS=()
  case "$1" in
    ecs-stack)
      local common=(-var "aws_endpoint=$ENDPOINT" -var "db_password=demo-fixture-password-1"
        -var db_public=true -var health_check_port=8080)
      APPLY_VARS=("${common[@]}" -var owner=platform)
      CHANGE_VARS=("${common[@]}" -var owner=payments)
      ;;
    minimal) ;;
  esac
}

generate() {
  local name=$1 dir=$WORK/$1 out
  out=$WORK/out/$name
  mkdir -p "$out"
  fixture_vars "$name"

  log "$name: terraform apply"
  fresh_copy "$name" "$dir/applied"
  local start=$SECONDS
  tf "$dir/applied" "$dir/apply.log" apply -auto-approve -input=false "${APPLY_VARS[@]}"
  log "$name: $(grep -o 'Resources: .*' "$dir/apply.log" | head -1) in $((SECONDS - start))s"
  # Destroy later even if a step below fails, so a shared moto server is left as found.
  APPLIED+=("$name")
  cp "$dir/applied/terraform.tfstate" "$out/terraform.tfstate"
  normalize "$out/terraform.tfstate"

  if [ ${#CHANGE_VARS[@]} -gt 0 ]; then
    log "$name: terraform plan against the applied state"
    tf "$dir/applied" "$dir/plan.log" plan -input=false -out="$dir/change.tfplan" "${CHANGE_VARS[@]}"
    "$TERRAFORM" -chdir="$dir/applied" show -json -no-color "$dir/change.tfplan" >"$out/plan.json"
    normalize "$out/plan.json"

    log "$name: terraform plan of a fresh copy"
    fresh_copy "$name" "$dir/fresh"
    tf "$dir/fresh" "$dir/plan-create.log" plan -input=false -out="$dir/create.tfplan" "${APPLY_VARS[@]}"
    "$TERRAFORM" -chdir="$dir/fresh" show -json -no-color "$dir/create.tfplan" >"$out/plan-create.json"
    normalize "$out/plan-create.json"
  fi

  # Only now, with every file of the fixture made, replace the previous ones.
  local dest
  if [ -n "$OUT_DIR" ]; then dest=$OUT_DIR/$name; else dest=$ROOT/tests/real/$name; fi
  mkdir -p "$dest"
  for f in "$out"/*; do
    cp "$f" "$dest/"
    log "wrote $dest/$(basename "$f")"
  done
}

destroy_applied() {
  local name
  for name in "${APPLIED[@]}"; do
    fixture_vars "$name"
    log "$name: terraform destroy (shared moto server)"
    "$TERRAFORM" -chdir="$WORK/$name/applied" destroy -auto-approve -input=false -no-color \
      "${APPLY_VARS[@]}" >"$WORK/$name/destroy.log" 2>&1 ||
      { cat "$WORK/$name/destroy.log" >&2; log "$name: destroy failed; resources are left in $ENDPOINT"; }
  done
}

APPLIED=()
if [ "$OWN_MOTO" = false ]; then
  trap 'status=$?; destroy_applied; cleanup; exit $status' EXIT
fi
for name in "${FIXTURES[@]}"; do
  generate "$name"
done
