#!/bin/sh
# valgrind memcheck of porsim (ctest "valgrind_memcheck", label "valgrind"):
#   1. a short run of the default scenario on 2 threads, writing an output directory;
#   2. `porsim validate` of every bad-input file in tests/bad (one process, all files);
#   3. the fuzz corpus replayed through the loader and the --set/--param parsers.
# Any memcheck error or leak (definite, indirect, possible) fails the test.
# Exits 77 (ctest SKIP_RETURN_CODE) with a message when valgrind is not installed or
# the binaries are built with AddressSanitizer (which valgrind cannot run).
# Usage: valgrind.sh PORSIM BAD_DIR FUZZ_SCENARIO_REPLAY CORPUS_DIR
set -u
porsim=$1 bad=$2 replay=$3 corpus=$4
if ! command -v valgrind >/dev/null 2>&1; then
  echo "valgrind_memcheck: SKIPPED: valgrind is not installed (apt-get install -y valgrind)"
  exit 77
fi
if grep -q __asan_init "$porsim" 2>/dev/null; then
  echo "valgrind_memcheck: SKIPPED: $porsim is built with AddressSanitizer, which valgrind cannot run"
  exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/porsim-valgrind.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
vg="valgrind --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible --track-origins=yes"
fail=0

check() { # check NAME EXPECTED_EXIT COMMAND...
  name=$1 want=$2
  shift 2
  "$@" >"$tmp/$name.out" 2>&1
  got=$?
  if [ "$got" -ne "$want" ]; then
    echo "FAIL $name: exit $got, expected $want (99 = memcheck error or leak):"
    tail -n 40 "$tmp/$name.out"
    fail=1
  else
    echo "ok   $name (exit $got, memcheck clean)"
  fi
}

check run 0 $vg "$porsim" run -r 2 -j 2 -q --set duration=12h -o "$tmp/out"
for f in runs.csv summary.json meta.json; do
  [ -s "$tmp/out/$f" ] || { echo "FAIL run: $tmp/out/$f missing"; fail=1; }
done
check run_real 0 $vg "$porsim" run -r 1 -q --crypto real --set duration=2h
set --
for f in "$bad"/*.json; do set -- "$@" "$f"; done
check validate_bad 2 $vg "$porsim" validate "$@"
n=$(grep -c ': ' "$tmp/validate_bad.out")
[ "$n" -ge "$#" ] || { echo "FAIL validate_bad: $n messages for $# files"; fail=1; }
check replay_corpus 0 $vg "$replay" "$corpus/scenario" "$bad"
check bad_option 2 $vg "$porsim" run --set
check bad_output 2 $vg "$porsim" run -r 1 -o /dev/null/out   # a parent that is not a directory

if [ "$fail" -ne 0 ]; then
  echo "valgrind_memcheck: FAILED"
  exit 1
fi
echo "valgrind_memcheck: all clean"
