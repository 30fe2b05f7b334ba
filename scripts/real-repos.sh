#!/usr/bin/env bash
# The "proof on real code" audit: every rule over every root of the public Terraform
# repositories listed in tests/real_repos/repos.txt, compared with the classified findings in
# tests/real_repos/findings.txt and the mission rules' "not evaluated" entries in
# tests/real_repos/not_evaluated.txt. A measurement, not a CI test: the repositories are not
# vendored (licences); this reruns it where copies exist.
#
#   scripts/real-repos.sh            rerun the audit on the copies under $INFRA_LINT_REAL_REPOS
#   scripts/real-repos.sh --fetch    print the git commands that make those copies (runs nothing)
#
# Copies live in ${INFRA_LINT_REAL_REPOS:-/work/audit}/OWNER+NAME (the repository's tree at the
# listed commit). The binary is ${INFRA_LINT_BIN:-target/debug/infra-lint}. Each run's JSON is
# kept in ${INFRA_LINT_REAL_OUT:-a temporary directory} as OWNER+NAME_ROOT.json.
#
# Prints per root (resources, findings, real/false/policy, input errors, time) and per rule
# (found, real, false, policy, precision = real / (real + false)), then the precision over all
# rules and over the mission rules, the findings findings.txt does not classify, the classified
# ones no longer found, and the same for not_evaluated.txt. Exits 1 when a finding is
# unclassified, a `false` finding is still found, a mission-rule "not evaluated" is not listed,
# or a `not-shared` one is still reported; 2 on a usage or setup error or when no copy exists.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
list=$here/tests/real_repos/repos.txt
classified=$here/tests/real_repos/findings.txt
not_evaluated=$here/tests/real_repos/not_evaluated.txt
copies=${INFRA_LINT_REAL_REPOS:-/work/audit}
bin=${INFRA_LINT_BIN:-/work/main/target/debug/infra-lint}

# repos.txt: `owner/name commit root[:varfile,...]... [name_prefix=P]`, # comments.
entries() { grep -v '^[[:space:]]*\(#\|$\)' "$list"; }

if [ "${1:-}" = "--fetch" ]; then
  echo "# make the copies under $copies (the repository does not vendor them)"
  entries | while read -r repo commit _; do
    dir="$copies/${repo/\//+}"
    echo "git clone --no-checkout https://github.com/$repo.git '$dir' && git -C '$dir' checkout --quiet $commit"
  done
  exit 0
elif [ $# -gt 0 ]; then
  echo "usage: scripts/real-repos.sh [--fetch]" >&2
  exit 2
fi

[ -x "$bin" ] || { echo "real-repos.sh: no binary at $bin (set INFRA_LINT_BIN)" >&2; exit 2; }
out=${INFRA_LINT_REAL_OUT:-$(mktemp -d)}
mkdir -p "$out"
runs=$out/runs.tsv
: >"$runs"

skipped=0
while read -r repo commit rest; do
  dir="$copies/${repo/\//+}"
  if [ ! -d "$dir" ]; then
    echo "SKIP $repo: no copy at $dir (scripts/real-repos.sh --fetch prints how to get it)"
    skipped=$((skipped + 1))
    continue
  fi
  prefix=()
  roots=()
  for word in $rest; do
    case $word in
      name_prefix=*) prefix=(--name-prefix "${word#name_prefix=}") ;;
      *) roots+=("$word") ;;
    esac
  done
  for spec in "${roots[@]}"; do
    root=${spec%%:*}
    varfiles=()
    if [ "$spec" != "$root" ]; then
      IFS=, read -r -a files <<<"${spec#*:}"
      for f in "${files[@]}"; do varfiles+=(--var-file "$dir/$root/$f"); done
    fi
    json="$out/${repo/\//+}_${root//\//_}.json"
    start=$(date +%s%N)
    set +e
    "$bin" check "$dir/$root" ${varfiles[@]+"${varfiles[@]}"} ${prefix[@]+"${prefix[@]}"} \
      --format json --fail-on never >"$json" 2>"$json.stderr"
    rc=$?
    set -e
    ms=$((($(date +%s%N) - start) / 1000000))
    # 0: no finding fails the run (--fail-on never), 2: input errors (the JSON is complete)
    if [ $rc -ne 0 ] && [ $rc -ne 2 ]; then
      echo "real-repos.sh: $repo/$root: exit $rc" >&2
      cat "$json.stderr" >&2
      exit 2
    fi
    printf '%s\t%s\t%s\t%s\t%s\n' "$repo" "$commit" "$root" "$json" "$ms" >>"$runs"
  done
done < <(entries)

python3 - "$runs" "$classified" "$not_evaluated" "$skipped" <<'EOF'
import json, sys
from collections import Counter, defaultdict

runs, classified_path, ne_path, skipped = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
MISSION = {"RDS001", "RDS002", "ECS001", "ECS002", "NAME001",
           "ECS003", "ECS004", "ECS005", "TF001", "SEC001"}

def table(path, classes):
    rows = {}
    for n, line in enumerate(open(path), 1):
        line = line.rstrip("\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = [p.strip() for p in line.split(" | ")]
        if len(parts) != 5 or parts[3] not in classes:
            sys.exit(f"{path}:{n}: expected `root | CODE | subject | {'|'.join(classes)} | reason`")
        key = (parts[0], parts[1], parts[2])
        if key in rows:
            sys.exit(f"{path}:{n}: {key} is listed twice")
        rows[key] = parts[3]
    return rows

classes = table(classified_path, ("real", "false", "policy"))
ne_classes = table(ne_path, ("shared", "not-shared"))

found = Counter()          # (root, code, resource) -> findings
ne_found = set()
checked_roots = set()
per_root = []
for line in open(runs):
    repo, commit, root, path, ms = line.rstrip("\n").split("\t")
    rid = f"{repo}/{root}"
    checked_roots.add(rid)
    doc = json.load(open(path))
    counts = Counter()
    for f in doc["findings"]:
        key = (rid, f["code"], f["resource"])
        found[key] += 1
        counts[classes.get(key, "unclassified")] += 1
    for ne in doc["not_evaluated"]:
        if ne.get("code") in MISSION:
            ne_found.add((rid, ne["code"], ne["subject"]))
    per_root.append((rid, doc["summary"]["resources"], len(doc["findings"]), counts,
                     len(doc["errors"]), ms))

print(f"{'root':<70} {'res':>4} {'find':>4} {'real':>4} {'false':>5} {'pol':>4} {'unc':>4} {'err':>4} {'ms':>6}")
for rid, res, n, c, errs, ms in per_root:
    print(f"{rid:<70} {res:>4} {n:>4} {c['real']:>4} {c['false']:>5} {c['policy']:>4} {c['unclassified']:>4} {errs:>4} {ms:>6}")

rules = defaultdict(Counter)
for (rid, code, _), n in found.items():
    rules[code][classes.get((rid, code, _), "unclassified")] += n

def precision(codes):
    real = sum(rules[c]["real"] for c in codes)
    false = sum(rules[c]["false"] for c in codes)
    return real, false, (f"{100 * real / (real + false):.1f} %" if real + false else "n/a")

print(f"\n{'rule':<8} {'found':>5} {'real':>5} {'false':>5} {'policy':>6} {'unclass':>7} {'precision':>9}")
for code in sorted(rules):
    c = rules[code]
    print(f"{code:<8} {sum(c.values()):>5} {c['real']:>5} {c['false']:>5} {c['policy']:>6} "
          f"{c['unclassified']:>7} {precision([code])[2]:>9}" + ("  (mission)" if code in MISSION else ""))
for label, codes in (("all rules", list(rules)), ("mission rules", [c for c in rules if c in MISSION])):
    real, false, p = precision(codes)
    print(f"precision, {label}: {p} ({real} real, {false} false)")

# Only roots this run checked can have lost a finding (a skipped copy says nothing).
unclassified = sorted(k for k in found if k not in classes)
gone = sorted(k for k in classes if k[0] in checked_roots and k not in found)
still_false = sorted(k for k in found if classes.get(k) == "false")
ne_unlisted = sorted(k for k in ne_found if k not in ne_classes)
ne_gone = sorted(k for k in ne_classes if k[0] in checked_roots and k not in ne_found)
ne_not_shared = sorted(k for k in ne_found if ne_classes.get(k) == "not-shared")

def show(title, keys):
    print(f"\n{title}: {len(keys)}")
    for k in keys:
        print("  " + " | ".join(k))

show("unclassified findings (add them to tests/real_repos/findings.txt)", unclassified)
show("classified findings no longer found (fixed or moved)", gone)
show("false alarms still found", still_false)
show("mission-rule 'not evaluated' not in tests/real_repos/not_evaluated.txt", ne_unlisted)
show("listed 'not evaluated' no longer reported", ne_gone)
show("not-shared 'not evaluated' still reported", ne_not_shared)
print(f"\nroots checked: {len(checked_roots)}; repositories skipped (no copy): {skipped}")
if not checked_roots:
    sys.exit(2)  # nothing measured is not a pass
sys.exit(1 if unclassified or still_false or ne_unlisted or ne_not_shared else 0)
EOF
