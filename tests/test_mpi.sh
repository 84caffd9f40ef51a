#!/bin/sh
# porsim-mpi against porsim (ctest test_mpi, registered only when CMake found MPI):
# `mpirun -np N porsim-mpi run|sweep|tune ...` must write the same runs.csv, summary.json,
# censored.csv, columns.csv and scenario.json (run) or runs.csv, points.csv, summary.csv,
# censored.csv, columns.csv and scenarios.jsonl (sweep) byte for byte as
# porsim with the same options, for 2 and 3 ranks (uneven shares) and within --shard, and
# for tune every file of the output directory but meta.json;
# bad input exits 2 from every rank with the message printed once.
# Usage: test_mpi.sh PORSIM PORSIM_MPI MPIEXEC
set -u
PORSIM=$1
PORSIM_MPI=$2
MPIEXEC=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

# Open MPI refuses more ranks than cores (CI has 2) and root without these.
oversub=""
if "$MPIEXEC" --version 2>&1 | grep -Eqi "open mpi|openrte|open-mpi"; then
    oversub="--oversubscribe"
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
mpi() { # mpi NP ARGS...: porsim-mpi on NP ranks
    np=$1
    shift
    # shellcheck disable=SC2086
    "$MPIEXEC" $oversub -np "$np" "$PORSIM_MPI" "$@"
}
fail() {
    echo "FAIL: $*"
    fails=$((fails + 1))
}
same() { # same NAME DIR_A DIR_B FILES...: byte comparison of each file
    name=$1 a=$2 b=$3
    shift 3
    for f in "$@"; do
        if [ ! -s "$a/$f" ] || [ ! -s "$b/$f" ]; then
            fail "$name: $f missing or empty"
        elif ! cmp -s "$a/$f" "$b/$f"; then
            fail "$name: $f differs"
            diff "$a/$f" "$b/$f" | head -5
        else
            echo "ok: $name: $f identical"
        fi
    done
}
lines() { # lines NAME FILE N: FILE has N lines (a missing FILE already failed in same)
    [ -f "$2" ] || return 0
    n=$(wc -l <"$2")
    [ "$n" -eq "$3" ] || fail "$1: $(basename "$2") has $n lines, expected $3"
}

# run: 2 ranks x 2 threads against 1 process x 1 thread; 3 ranks with 4 replications
mpi 2 run -r 6 --set duration=3d -j 2 -q -o "$tmp/run2" || fail "run -np 2 exited $?"
"$PORSIM" run -r 6 --set duration=3d -q -o "$tmp/run1" || fail "porsim run exited $?"
same "run -np 2" "$tmp/run2" "$tmp/run1" runs.csv summary.json censored.csv columns.csv scenario.json
lines "run -np 2" "$tmp/run2/runs.csv" 7
grep -q '"mpi_ranks": 2' "$tmp/run2/meta.json" || fail "run -np 2: meta.json lacks mpi_ranks"
mpi 3 run -r 4 --set duration=1d -q -o "$tmp/run3" || fail "run -np 3 exited $?"
"$PORSIM" run -r 4 --set duration=1d -q -o "$tmp/run3ref" || fail "porsim run exited $?"
same "run -np 3" "$tmp/run3" "$tmp/run3ref" runs.csv summary.json censored.csv columns.csv scenario.json
lines "run -np 3" "$tmp/run3/runs.csv" 5

# sweep: a 2x2 grid (2-day points end at the onset, so feed_detect is censored there)
grid="--param duration=2d,3d --param feed.ocr.n=4,7 -r 2"
# shellcheck disable=SC2086
mpi 2 sweep $grid -q -o "$tmp/sw2" || fail "sweep -np 2 exited $?"
# shellcheck disable=SC2086
"$PORSIM" sweep $grid -q -o "$tmp/sw1" || fail "porsim sweep exited $?"
same "sweep -np 2" "$tmp/sw2" "$tmp/sw1" runs.csv points.csv summary.csv censored.csv columns.csv scenarios.jsonl
lines "sweep -np 2" "$tmp/sw2/runs.csv" 9
[ "$(wc -l <"$tmp/sw2/censored.csv")" -gt 1 ] || fail "sweep -np 2: no censored cells"
# shellcheck disable=SC2086
mpi 2 sweep $grid --shard 2/3 -q -o "$tmp/sh2" || fail "sweep --shard -np 2 exited $?"
# shellcheck disable=SC2086
"$PORSIM" sweep $grid --shard 2/3 -q -o "$tmp/sh1" || fail "porsim sweep --shard exited $?"
same "sweep --shard 2/3 -np 2" "$tmp/sh2" "$tmp/sh1" runs.csv points.csv summary.csv censored.csv columns.csv scenarios.jsonl

# tune: the ranks exchange every stage's results and take the same decisions, so rank 0
# writes what porsim tune writes (3 ranks: uneven shares of the 20-, 10- and 20-cell
# stages); the result lines on stdout and the exit code are the same too
tgrid="--param feed.ocr.delta_c=10min,1h --require invariant_violations.p90<=0"
tgrid="$tgrid --minimize gas --max-reps 80"
# shellcheck disable=SC2086
"$PORSIM" tune $tgrid -j 1 -q -o "$tmp/tu1" >"$tmp/tu1.out"
rc1=$?
[ "$rc1" -eq 0 ] || fail "porsim tune exited $rc1"
for np in 2 3; do
    # shellcheck disable=SC2086
    mpi "$np" tune $tgrid -j 2 -q -o "$tmp/tu$np.mpi" >"$tmp/tu$np.mpi.out"
    rc=$?
    [ "$rc" -eq "$rc1" ] || fail "tune -np $np exited $rc, porsim tune $rc1"
    same "tune -np $np" "$tmp/tu$np.mpi" "$tmp/tu1" runs.csv points.csv summary.csv censored.csv \
        columns.csv tune.csv requirements.csv frontier.csv frontier.svg
    cmp -s "$tmp/tu$np.mpi.out" "$tmp/tu1.out" || fail "tune -np $np: result lines differ"
    grep -q '"kind": "tune"' "$tmp/tu$np.mpi/meta.json" || fail "tune -np $np: meta.json not a tune"
done
grep -q "^winner: point 1 " "$tmp/tu1.out" || fail "porsim tune: no winner line"

# bad input: exit 2 from the job, the message once, nothing written
bad() { # bad NAME PATTERN ARGS...
    name=$1 pat=$2
    shift 2
    mpi 2 "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ "$rc" -eq 2 ] || fail "$name: exit $rc, expected 2"
    n=$(grep -c "$pat" "$tmp/err")
    [ "$n" -eq 1 ] || { fail "$name: message printed $n times"; cat "$tmp/err"; }
    [ "$rc" -eq 2 ] && [ "$n" -eq 1 ] && echo "ok: $name: exit 2, one message"
}
bad "run bad scenario" "expected an integer" run --set feed.ocr.n=0 -o "$tmp/bad1"
[ ! -e "$tmp/bad1" ] || fail "run bad scenario: output written"
bad "sweep bad point" "point 1 (feed.ocr.n=0)" sweep --param feed.ocr.n=4,0 -o "$tmp/bad2"
[ ! -e "$tmp/bad2" ] || fail "sweep bad point: output written"
bad "run existing output" "output directory exists" run -r 2 --set duration=1d -o "$tmp/run2"
bad "run unknown option" "unknown option" run --frobnicate
bad "tune bad point" "point 1 (feed.ocr.n=0)" tune --param feed.ocr.n=4,0 \
    --require gas.mean\<=1 --minimize gas -o "$tmp/bad3"
[ ! -e "$tmp/bad3" ] || fail "tune bad point: output written"

if [ "$fails" -ne 0 ]; then
    echo "test_mpi: $fails failure(s)"
    exit 1
fi
echo "test_mpi: all passed"
