#!/usr/bin/env bash
# Regenerates expected.txt from expressions.txt using the real Terraform CLI.
# For each expression E it runs `terraform console` with `jsonencode(E)` in
# this directory (no .tf files, so no `terraform init` is needed) and records
# `E<TAB>R`, where R is the single line terraform prints (an HCL-quoted string
# holding the JSON), UNKNOWN when terraform prints "(known after apply)", or ERROR
# when terraform rejects the expression. Console runs with -plan, so values are
# what a plan sees: timestamp(), uuid() and bcrypt() are unknown, as in infra-lint.
set -euo pipefail
cd "$(dirname "$0")"
command -v terraform >/dev/null || { echo "terraform not found on PATH" >&2; exit 1; }
if compgen -G "*.tf" >/dev/null || compgen -G "*.tf.json" >/dev/null; then
  echo "tests/conformance must not contain .tf files" >&2; exit 1
fi
export TF_CLI_CONFIG_FILE=/dev/null TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
# A throwaway state path: console would otherwise lock and create
# ./terraform.tfstate.
statedir=$(mktemp -d)
trap 'rm -rf "$statedir"' EXIT
out=expected.txt.tmp
: > "$out"
while IFS= read -r line || [ -n "$line" ]; do
  case "$line" in ''|'#'*) continue ;; esac
  if res=$(printf 'jsonencode(%s)\n' "$line" | terraform console -plan -no-color -state="$statedir/s.tfstate" 2>/dev/null) \
     && [ "$(printf '%s' "$res" | wc -l)" -eq 0 ] && [ -n "$res" ]; then
    [ "$res" = "(known after apply)" ] && res=UNKNOWN
    printf '%s\t%s\n' "$line" "$res" >> "$out"
  else
    printf '%s\tERROR\n' "$line" >> "$out"
  fi
done < expressions.txt
mv "$out" expected.txt
echo "wrote $(wc -l < expected.txt) lines to expected.txt"
