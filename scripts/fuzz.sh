#!/usr/bin/env bash
# Builds and runs one coverage-guided fuzz target (fuzz/) on the stable toolchain: libFuzzer
# from libfuzzer-sys, with the SanitizerCoverage instrumentation rustc's stable `-C` flags can
# ask LLVM for (no nightly, no `-Zsanitizer`: panics, timeouts and memory blow-ups are the
# crashes found).
#
#   scripts/fuzz.sh --list                 the targets
#   scripts/fuzz.sh TARGET [SECONDS]       build, seed, run (default 600 s); one process
#   scripts/fuzz.sh --build [TARGET]       build only
#   scripts/fuzz.sh --merge TARGET         minimize the run's corpus into fuzz/corpus/TARGET
#   scripts/fuzz.sh --repro TARGET FILE... run inputs once (a crash reproducer)
#
# Seeds come from the repository (fixtures/, examples/, tests/, src/state/testdata/) and, read
# only, from $FUZZ_SHARED (default ../shared/corpus when it exists; FUZZ_SHARED= to leave it
# out). New inputs go to fuzz/work/TARGET/corpus, or corpus-shared when shared seeds are used,
# so --merge only ever commits inputs grown from our own seeds. Crashes go to
# fuzz/artifacts/TARGET/. Extra libFuzzer flags: FUZZ_ARGS="-max_len=4096"; FUZZ_NO_BUILD=1
# runs what --build built.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
fuzz="$root/fuzz"
targets=(hcl_dir tfvars state plan container_definitions)
host=$(rustc -vV | sed -n 's/^host: //p')
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$fuzz/target}"
export RUSTFLAGS="-Cpasses=sancov-module \
-Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
-Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares \
--cfg fuzzing -Cdebug-assertions -Coverflow-checks"
bin_dir="$CARGO_TARGET_DIR/$host/release"
seeds="$CARGO_TARGET_DIR/debug/seeds"
shared_default="$root/../shared/corpus"
shared=${FUZZ_SHARED-$([ -d "$shared_default" ] && echo "$shared_default")}

die() { echo "fuzz.sh: $*" >&2; exit 2; }
known() { [[ " ${targets[*]} " == *" $1 "* ]] || die "unknown target $1 (--list)"; }

build() {
    [ -n "${FUZZ_NO_BUILD:-}" ] && return 0
    # --target keeps RUSTFLAGS off build scripts and proc macros (they must not be
    # instrumented); the release profile keeps debug assertions and overflow checks.
    (cd "$fuzz" && cargo build --release --target "$host" "${@/#/--bin=}")
    # The seed maker is a plain program: uninstrumented, it needs no libFuzzer to link.
    (cd "$fuzz" && RUSTFLAGS= cargo build --bin=seeds)
}

# Files under the repository's input folders whose name matches one of the patterns.
own() {
    (cd "$root" && find fixtures examples tests src/state/testdata -type f \( "$@" \) \
        -not -path '*/snapshots/*' 2>/dev/null | sort)
}

# Copies seed files into $1, each named by its content's hash (so reruns add nothing).
put() {
    local out=$1 f
    shift
    mkdir -p "$out"
    for f in "$@"; do
        [ -s "$f" ] && cp "$f" "$out/$(sha1sum "$f" | cut -c1-40)"
    done
    return 0
}

seed_from() { # $1: out dir, $2: base dir; seeds of TARGET from the files under base
    local out=$1 base=$2 d f tmp
    [ -d "$base" ] || return 0
    case $target in
    hcl_dir)
        tmp=$(mktemp)
        find "$base" -name '*.tf' -not -path '*/modules/*' -not -path '*/.terraform/*' \
            -printf '%h\n' | sort -u | while read -r d; do
            "$seeds" pack "$d" >"$tmp" && put "$out" "$tmp"
        done
        rm -f "$tmp"
        ;;
    tfvars) put "$out" $(find "$base" -type f \( -name '*.tfvars' -o -name '*.tfvars.json' \)) ;;
    state)
        put "$out" $(find "$base" -type f \( -name '*.tfstate' -o -name '*.tfstate.backup' \))
        ;;
    plan) put "$out" $(find "$base" -type f -name '*plan*.json') ;;
    container_definitions)
        find "$base" -type f \( -name '*.tfstate' -o -name '*.json' \) -print0 |
            xargs -0 -r "$seeds" containers "$out.tmp"
        [ -d "$out.tmp" ] && put "$out" "$out.tmp"/* && rm -rf "$out.tmp"
        put "$out" $(find "$base" -type f -name 'containers.json*')
        ;;
    esac
}

seed() {
    local work="$fuzz/work/$target" b
    rm -rf "$work/seeds-own" "$work/seeds-shared"
    for b in fixtures examples tests src/state/testdata; do
        seed_from "$work/seeds-own" "$root/$b"
    done
    mkdir -p "$work/seeds-own" "$fuzz/corpus/$target" "$fuzz/regressions/$target"
    if [ -n "$shared" ]; then
        seed_from "$work/seeds-shared" "$shared"
    fi
}

run() { # $1: seconds
    local work="$fuzz/work/$target" out dirs
    out="$work/corpus"
    dirs=("$work/seeds-own" "$fuzz/corpus/$target" "$fuzz/regressions/$target")
    if [ -n "$shared" ]; then
        out="$work/corpus-shared"
        dirs+=("$work/corpus" "$work/seeds-shared")
    fi
    mkdir -p "$out" "${dirs[@]}" "$fuzz/artifacts/$target"
    scratch=$(mktemp -d "${TMPDIR_FUZZ:-/dev/shm}/infra-lint-fuzz.XXXXXX")
    trap 'rm -rf "$scratch"' EXIT
    echo "fuzz.sh: $target for $1 s, seeds: ${dirs[*]}" >&2
    INFRA_LINT_FUZZ_DIR="$scratch" "$bin_dir/$target" "$out" "${dirs[@]}" \
        -max_total_time="$1" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1 -artifact_prefix="$fuzz/artifacts/$target/" ${FUZZ_ARGS:-}
}

case ${1:-} in
--list) printf '%s\n' "${targets[@]}" ;;
--build)
    shift
    [ $# -gt 0 ] && known "$1"
    build "${@:-${targets[@]}}"
    ;;
--merge)
    target=${2:?--merge TARGET}
    known "$target"
    build "$target"
    work="$fuzz/work/$target"
    # The committed corpus stays small (every target together: ~200 files, ~1 MB): the
    # inputs covering the most edges within the target's budget.
    case $target in
    hcl_dir) budget="70 400000" ;;
    state) budget="40 200000" ;;
    plan) budget="30 150000" ;;
    *) budget="30 100000" ;;
    esac
    # Only inputs grown from our own seeds: the shared corpus is not ours to commit.
    tmp=$(mktemp -d)
    scratch=$(mktemp -d "${TMPDIR_FUZZ:-/dev/shm}/infra-lint-fuzz.XXXXXX")
    trap 'rm -rf "$tmp" "$scratch"' EXIT
    mkdir -p "$tmp/merged" "$tmp/all"
    # The inputs to choose from, out of the folder that is about to be replaced.
    cp "$fuzz/corpus/$target"/* "$work/seeds-own"/* "$work/corpus"/* "$tmp/all/" 2>/dev/null || true
    INFRA_LINT_FUZZ_DIR="$scratch" "$bin_dir/$target" -merge=1 -use_counters=0 -timeout=10 \
        -rss_limit_mb=2048 -artifact_prefix="$fuzz/artifacts/$target/" \
        -merge_control_file="$tmp/control" "$tmp/merged" "$tmp/all"
    rm -rf "$fuzz/corpus/$target"
    # shellcheck disable=SC2086
    "$seeds" select "$tmp/control" $budget "$fuzz/corpus/$target"
    ;;
--repro)
    target=${2:?--repro TARGET FILE...}
    known "$target"
    shift 2
    build "$target"
    scratch=$(mktemp -d "${TMPDIR_FUZZ:-/dev/shm}/infra-lint-fuzz.XXXXXX")
    trap 'rm -rf "$scratch"' EXIT
    INFRA_LINT_FUZZ_DIR="$scratch" "$bin_dir/$target" -runs=1 "$@"
    ;;
"" | -*) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' && exit 2 ;;
*)
    target=$1
    known "$target"
    build "$target"
    seed
    run "${2:-600}"
    ;;
esac
