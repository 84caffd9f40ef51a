#!/usr/bin/env bash
# Determinism across compilers and optimization levels: builds porsim with gcc -O2 and
# with clang -O0 (clang -O2 too when asked with --all) into temporary directories, runs
# the default scenario with the same seed in each, and compares runs.csv and
# summary.json byte for byte (floating point must not drift between builds).
# Usage: tests/determinism.sh [--all] [-r N]    (run from anywhere; called by .ci/run)
# Exits 0 when every build agrees, 1 on a difference (the diff is printed), 77 when clang
# is missing (nothing to compare against).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
reps=3
all=0
while [ $# -gt 0 ]; do
  case $1 in
    --all) all=1 ;;
    -r) reps=$2; shift ;;
    *) echo "usage: $0 [--all] [-r N]" >&2; exit 2 ;;
  esac
  shift
done
if ! command -v clang >/dev/null 2>&1 || ! command -v gcc >/dev/null 2>&1; then
  echo "determinism: SKIPPED: needs both gcc and clang"
  exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/porsim-determinism.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

configs=("gcc -O2" "clang -O0")
[ "$all" -eq 1 ] && configs+=("gcc -O0" "clang -O2")
first=""
for cfg in "${configs[@]}"; do
  read -r cc opt <<<"$cfg"
  name="$cc$opt"
  echo "::: determinism: building with $cc $opt"
  CC=$cc cmake -S "$src" -B "$tmp/build-$name" -DCMAKE_BUILD_TYPE=None -DCMAKE_C_FLAGS="$opt" >/dev/null
  cmake --build "$tmp/build-$name" -j2 --target porsim >/dev/null
  "$tmp/build-$name/sim/porsim" run -r "$reps" -q -o "$tmp/out-$name"
  # the run with real signatures must agree too (short horizon: about 1 s per replication)
  "$tmp/build-$name/sim/porsim" run -r 1 -q --crypto real --set duration=6h -o "$tmp/real-$name"
  if [ -z "$first" ]; then
    first=$name
    continue
  fi
  for f in out/runs.csv out/summary.json real/runs.csv real/summary.json; do
    d=${f%%/*} b=${f#*/}
    if ! cmp -s "$tmp/$d-$first/$b" "$tmp/$d-$name/$b"; then
      echo "determinism: FAILED: $d/$b differs between $first and $name:"
      diff "$tmp/$d-$first/$b" "$tmp/$d-$name/$b" | head -20
      exit 1
    fi
  done
  echo "determinism: $name == $first (runs.csv, summary.json; ideal -r $reps and real -r 1)"
done
echo "determinism: passed (${#configs[@]} builds agree byte for byte)"
