#!/usr/bin/env bash
# Runs every test of infra-lint on a fresh machine: creates the Python virtualenv, installs the
# AWS emulator (moto server), starts it on a free loopback port, runs the Rust test suite,
# and stops the emulator. Needs: cargo, python3, terraform (for the conformance table), and the
# AWS provider 5.100.0 in INFRA_LINT_TF_PLUGIN_DIR (default /opt/tf-plugins) for
# tests/real_fixtures.rs, which regenerates tests/real/minimal with scripts/gen-state-fixtures.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${INFRA_LINT_VENV:-.venv}
MOTO_VERSION=${MOTO_VERSION:-5.1.22}

if [ ! -x "$VENV/bin/moto_server" ]; then
  echo "test.sh: creating $VENV and installing moto[server]==$MOTO_VERSION" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
fi

# tests/pre_commit.rs runs the hooks of .pre-commit-hooks.yaml through the real pre-commit.
PRE_COMMIT_VERSION=${PRE_COMMIT_VERSION:-4.7.0}
if [ "$("$VENV/bin/pre-commit" --version 2>/dev/null)" != "pre-commit $PRE_COMMIT_VERSION" ]; then
  echo "test.sh: installing pre-commit==$PRE_COMMIT_VERSION into $VENV" >&2
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "pre-commit==$PRE_COMMIT_VERSION"
fi

if ! command -v terraform >/dev/null 2>&1; then
  echo "test.sh: terraform is not on PATH; the conformance table compares against it" >&2
  exit 1
fi

PORT=$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
MOTO_LOG=$(mktemp)
MOTO_IAM_LOAD_MANAGED_POLICIES=true "$VENV/bin/moto_server" -H 127.0.0.1 -p "$PORT" >"$MOTO_LOG" 2>&1 &
MOTO_PID=$!
trap 'kill "$MOTO_PID" 2>/dev/null || true; rm -f "$MOTO_LOG"' EXIT
for _ in $(seq 1 100); do
  if "$VENV/bin/python" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/moto-api/')" 2>/dev/null; then
    break
  fi
  sleep 0.2
done
export INFRA_LINT_TEST_ENDPOINT="http://127.0.0.1:$PORT"
# Tests that record every request of a scan start a server of their own with this.
export INFRA_LINT_MOTO_SERVER="$PWD/$VENV/bin/moto_server"
export TF_CLI_CONFIG_FILE=/dev/null
export INFRA_LINT_PRE_COMMIT="$PWD/$VENV/bin/pre-commit"

if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --no-fail-fast "$@"
else
  cargo test --no-fail-fast "$@"
fi
