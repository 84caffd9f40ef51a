#!/bin/sh
# `cmake --install` into a temporary prefix puts what the README uses where it says
# (issue 18): PREFIX/bin/porsim and porsim-analyze, the scenario library in
# PREFIX/share/porsim/scenarios; the installed porsim finds `scenarios/...` paths from any
# folder, and porsim-analyze finds the installed porsim on PATH.
# Usage: install.sh CMAKE BUILD_DIR
set -eu
cmake=$1
build=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/porsim-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
prefix=$tmp/prefix
fail() { echo "install test: $*" >&2; exit 1; }

"$cmake" --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1 ||
    { cat "$tmp/install.log" >&2; fail "cmake --install failed"; }
[ -x "$prefix/bin/porsim" ] || fail "no $prefix/bin/porsim"
[ -x "$prefix/bin/porsim-analyze" ] || fail "no $prefix/bin/porsim-analyze"
for f in default.json SCHEMA.md teaching/1-honest-heartbeat.json attacks/byzantine-oracles.json; do
    [ -f "$prefix/share/porsim/scenarios/$f" ] || fail "no $prefix/share/porsim/scenarios/$f"
done

# From an empty folder (no clone around): README-style paths resolve to the library.
mkdir "$tmp/elsewhere"
cd "$tmp/elsewhere"
PATH=$prefix/bin:$PATH
export PATH
porsim validate scenarios/default.json scenarios/teaching/1-honest-heartbeat.json >"$tmp/v.log" 2>&1 ||
    { cat "$tmp/v.log" >&2; fail "installed porsim does not find scenarios/default.json"; }
porsim validate default.json >/dev/null 2>&1 || fail "installed porsim does not find default.json"
porsim run scenarios/default.json -r 2 -q -o out/run >"$tmp/r.log" 2>&1 ||
    { cat "$tmp/r.log" >&2; fail "installed porsim run failed"; }
grep -q "share/porsim/scenarios/default.json" out/run/meta.json ||
    fail "meta.json does not record the installed scenario path"
porsim-analyze summary out/run >"$tmp/a.log" 2>&1 ||
    { cat "$tmp/a.log" >&2; fail "installed porsim-analyze summary failed"; }
# A path that exists nowhere still fails naming what was given.
if porsim validate scenarios/no-such.json >"$tmp/n.log" 2>&1; then fail "no-such.json accepted"; fi
grep -q "scenarios/no-such.json" "$tmp/n.log" || fail "the error does not name the given path"
echo "install test: ok ($prefix)"
