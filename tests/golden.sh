#!/usr/bin/env bash
# Golden outputs of the library: runs every scenario under scenarios/ (the top level,
# attacks/ and teaching/; not bench/) with -r 3 and its own seed, and compares the SHA-256
# of runs.csv and summary.json with tests/golden/library.sha256. A refactor must keep
# every line; a change that moves numbers on purpose regenerates the file with --update
# and says in its commit message which numbers move and why.
# Usage: tests/golden.sh PORSIM [--update]     (ctest: golden_library)
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
porsim=${1:?usage: $0 PORSIM [--update]}
update=0
[ "${2:-}" = "--update" ] && update=1
golden=$src/tests/golden/library.sha256
tmp=$(mktemp -d "${TMPDIR:-/tmp}/porsim-golden.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

cd "$src"
for s in scenarios/*.json scenarios/attacks/*.json scenarios/teaching/*.json; do
  out=$tmp/${s//\//_}
  if ! "$porsim" run "$s" -r 3 -j 1 -q -o "$out" >"$tmp/log" 2>&1; then
    echo "golden: porsim run $s -r 3 failed:" >&2
    cat "$tmp/log" >&2
    exit 1
  fi
  for f in runs.csv summary.json; do
    printf '%s  %s/%s\n' "$(sha256sum <"$out/$f" | cut -d' ' -f1)" "$s" "$f"
  done
done >"$tmp/now.sha256"

if [ "$update" -eq 1 ]; then
  cp "$tmp/now.sha256" "$golden"
  echo "golden: wrote $golden ($(wc -l <"$golden") lines)"
  exit 0
fi
if ! diff -u "$golden" "$tmp/now.sha256" >"$tmp/diff"; then
  echo "golden: library outputs differ from tests/golden/library.sha256 (- expected, + now):" >&2
  grep '^[-+][0-9a-f]' "$tmp/diff" >&2 || true
  echo "golden: rerun one with: $porsim run SCENARIO -r 3 -j 1 -o DIR; if the change is meant," >&2
  echo "golden: regenerate with: tests/golden.sh $porsim --update, and say why in the commit" >&2
  exit 1
fi
echo "golden: $(($(wc -l <"$golden") / 2)) library scenarios, runs.csv and summary.json unchanged"
