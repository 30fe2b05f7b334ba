#!/usr/bin/env bash
# Differential fuzzing of the expression evaluator against the `terraform` on PATH
# (tests/differential.rs): generated expressions, deterministic from SEED, evaluated by
# infra-lint and by terraform console in batches; every disagreement is minimized and
# written to a Markdown report. Exits non-zero when a minimized disagreement is not in
# tests/differential/known.toml.
#
#   scripts/difffuzz.sh [SECONDS] [SEED]    run (default 300 s, seed from the clock; printed)
#   scripts/difffuzz.sh --show SEED FROM N  print cases FROM..FROM+N of SEED with both answers
#
# The report goes to $DIFFFUZZ_REPORT (default target/difffuzz/difffuzz-SEED.md) and
# is rewritten after every batch, so an interrupted run keeps what it found. DIFFFUZZ_CASES=N
# stops after N cases instead. The build is `cargo test --no-default-features`; set
# DIFFFUZZ_CARGO to wrap it (e.g. DIFFFUZZ_CARGO="flock /tmp/cargo.lock cargo").
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
command -v terraform >/dev/null || { echo "difffuzz.sh: terraform is not on PATH" >&2; exit 2; }
export TF_CLI_CONFIG_FILE=/dev/null CHECKPOINT_DISABLE=1

# Build once (under the wrapper), then run the test binary directly: a long run must not
# hold a build lock.
# shellcheck disable=SC2086
bin=$(cd "$root" && ${DIFFFUZZ_CARGO:-cargo} test --no-default-features --test differential \
        --no-run --message-format=json 2>/dev/null \
      | grep '"name":"differential"' | sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n 1)
[ -x "$bin" ] || { echo "difffuzz.sh: building tests/differential.rs failed" >&2; exit 2; }

if [ "${1:-}" = "--show" ]; then
    DIFFFUZZ_SEED=${2:?seed} DIFFFUZZ_FROM=${3:-0} DIFFFUZZ_CASES=${4:-20} \
        exec "$bin" --ignored --exact show --nocapture --test-threads 1
fi

seconds=${1:-300}
seed=${2:-$(date +%s)}
report=${DIFFFUZZ_REPORT:-$root/target/difffuzz/difffuzz-$seed.md}
mkdir -p "$(dirname "$report")"
echo "difffuzz.sh: seed $seed, $seconds s, report $report" >&2
cd "$root"
export RUST_BACKTRACE=0
DIFFFUZZ_SECONDS=$seconds DIFFFUZZ_SEED=$seed DIFFFUZZ_REPORT=$report \
    exec "$bin" --ignored --exact campaign --nocapture --test-threads 1
