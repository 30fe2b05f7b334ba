#!/usr/bin/env bash
# The dependency tree's licenses, bans and sources with cargo-deny (deny.toml), and its
# RustSec advisories where the advisory database can be fetched. Installs cargo-deny into
# target/tools on first use (a few minutes: it is built from crates.io).
set -euo pipefail
cd "$(dirname "$0")/.."

DENY_VERSION=${DENY_VERSION:-0.20.2}
DENY=target/tools/bin/cargo-deny
if [ "$("$DENY" --version 2>/dev/null)" != "cargo-deny $DENY_VERSION" ]; then
  echo "deny.sh: installing cargo-deny $DENY_VERSION into target/tools" >&2
  cargo install --quiet --locked --root target/tools cargo-deny --version "$DENY_VERSION"
fi

"$DENY" --log-level error check licenses bans sources

# The advisory database lives on GitHub; a machine that cannot reach it (this project's CI
# reaches only the package registries) says so instead of passing silently.
out=$(mktemp)
trap 'rm -f "$out"' EXIT
if "$DENY" --log-level error check advisories >"$out" 2>&1; then
  echo "deny.sh: advisories ok"
elif grep -q "failed to fetch advisory database" "$out"; then
  echo "deny.sh: advisories NOT CHECKED: the RustSec database (github.com/RustSec/advisory-db) cannot be fetched from this machine" >&2
else
  cat "$out" >&2
  exit 1
fi
