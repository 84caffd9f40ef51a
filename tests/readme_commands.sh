#!/usr/bin/env bash
# Runs every command of README.md in a fresh-clone-like folder, in README order, in one
# shell session (so a command can use what an earlier one wrote, as a reader's would).
# Usage: readme_commands.sh SOURCE_DIR BUILD_DIR
#
# What counts as a command (docs/CONTRIBUTING.md says the same):
#   - every line of a ```sh block (a line ending in \ continues on the next; lines that
#     start with # are comments);
#   - every "$ " line of another ``` block; the lines after it, up to the next "$ ", are
#     its expected output.
# A block may be preceded, on the line right before its fence, by a marker:
#   <!-- readme-test: skip: REASON -->   not run (installs packages, needs MPI/Slurm, ...)
#   <!-- readme-test: exit 2, output --> each command must exit 2 and print exactly the
#                                        expected lines
# Any other command must exit 0. To stay fast, commands are run with reduced settings:
# "-r N" above 4 becomes "-r 4", "--until-ci" gets "--max-reps 40" (unless it has a
# --max-reps), and "| less -R" is dropped.
#
# The fresh clone: the files git tracks (the working tree's versions), `build` linked to
# BUILD_DIR, porsim and porsim-analyze on PATH (as `cmake --install` would put them),
# HOME in the temporary folder (so `cmake --install --prefix "$HOME/.local"` stays there).
set -euo pipefail
src=$(cd "$1" && pwd)
build=$(cd "$2" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/porsim-readme.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
clone=$tmp/clone
mkdir -p "$clone" "$tmp/bin" "$tmp/home" "$tmp/cmds"
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$src" && git ls-files -z | xargs -0 tar -cf - 2>/dev/null) | tar -xf - -C "$clone"
else
    (cd "$src" && tar -cf - --exclude='./build*' .) | tar -xf - -C "$clone"
fi
ln -s "$build" "$clone/build"
ln -s "$build/sim/porsim" "$tmp/bin/porsim"
ln -s "$clone/analysis/porsim-analyze" "$tmp/bin/porsim-analyze"

# Extract the commands: cmds/NNN.cmd (the command), NNN.mode (run | exit2), NNN.expect.
awk -v dir="$tmp/cmds" '
function emit(cmd, mode,   f) {
    n++
    f = sprintf("%s/%03d", dir, n)
    printf "%s\n", cmd > (f ".cmd"); close(f ".cmd")
    printf "%s\n", mode > (f ".mode"); close(f ".mode")
    printf "%d\n", line > (f ".line"); close(f ".line")
    cur = f ".expect"
    printf "" > cur; close(cur)
}
/^```/ {
    if (!inb) {
        inb = 1; sh = ($0 == "```sh"); mode = "run"; skip = 0
        if (prev ~ /readme-test: skip/) skip = 1
        if (prev ~ /readme-test: exit 2/) mode = "exit2"
        cont = ""; cur = ""
    } else {
        inb = 0
    }
    prev = $0
    next
}
inb && !skip && sh {
    l = $0
    if (cont == "" && (l ~ /^[ \t]*#/ || l ~ /^[ \t]*$/)) { prev = $0; next }
    if (l ~ /\\$/) { cont = cont substr(l, 1, length(l) - 1) " "; if (!start) start = NR; prev = $0; next }
    line = start ? start : NR; start = 0
    emit(cont l, mode); cont = ""
    prev = $0; next
}
inb && !skip && !sh {
    if ($0 ~ /^\$ /) { line = NR; emit(substr($0, 3), mode) }
    else if (cur != "") { print $0 >> cur; close(cur) }
    prev = $0; next
}
{ prev = $0 }
' "$clone/README.md"

reduce() {
    local c=$1
    c=$(sed -E 's/ \| less -R//; s/(^| )-r ([5-9]|[1-9][0-9]+)( |$)/\1-r 4\3/g' <<<"$c")
    if [[ $c == *--until-ci* && $c != *--max-reps* ]]; then
        c=$(sed -E 's/(--until-ci [^ ]+)/\1 --max-reps 40/' <<<"$c")
    fi
    printf '%s' "$c"
}

cd "$clone"
export HOME=$tmp/home PATH=$tmp/bin:$PATH
fails=0
count=0
for f in "$tmp"/cmds/*.cmd; do
    base=${f%.cmd}
    cmd=$(reduce "$(cat "$f")")
    mode=$(cat "$base.mode")
    line=$(cat "$base.line")
    count=$((count + 1))
    echo "::: README.md:$line: $cmd"
    set +e
    eval "$cmd" >"$base.out" 2>&1 </dev/null
    rc=$?
    set -e
    if [ "$mode" = exit2 ]; then
        if [ "$rc" -ne 2 ]; then
            echo "readme: README.md:$line: exit $rc, expected 2"; cat "$base.out"; fails=$((fails + 1))
        elif ! diff -u "$base.expect" "$base.out"; then
            echo "readme: README.md:$line: output differs from the README"; fails=$((fails + 1))
        fi
    elif [ "$rc" -ne 0 ]; then
        echo "readme: README.md:$line: exit $rc"; tail -20 "$base.out"; fails=$((fails + 1))
    fi
done
[ "$count" -gt 20 ] || { echo "readme: only $count commands found: extraction broken?"; exit 1; }
echo "readme: $count commands, $fails failed"
[ "$fails" -eq 0 ]
