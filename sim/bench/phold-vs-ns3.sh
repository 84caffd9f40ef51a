#!/usr/bin/env bash
# Side-by-side PHOLD: porsim's event core against every ns-3 scheduler, in one run.
# Usage: sim/bench/phold-vs-ns3.sh [PORSIM_BINARY] [N] [J] [EVENTS] [ROUNDS]
#   defaults: build/sim/porsim 1024 16 5000000 3 (the `porsim bench phold` defaults)
# Needs libns3-dev (apt-get install -y libns3-dev). The ns-3 model is
# sim/bench/ns3/ns3_phold.cc: CMake builds it as ns3_phold next to porsim when ns-3 is
# found; otherwise this script compiles it with g++.
# Each round runs the four ns-3 schedulers and porsim once each, in an order shuffled per
# round, and prints one line per engine and the round's ratio (porsim's events/s over the
# fastest ns-3 scheduler's of the same round). The last line, "ratio_vs_best_ns3=X", is
# the median of the rounds' ratios. Why rounds: this kind of VM changes speed by up to
# 1.4x within minutes (README.md, "Performance"), so a porsim run compared with ns-3 runs
# made seconds earlier can land in another phase; runs of one round sit side by side, and
# the median keeps a round split by a phase change from deciding the result.
# Exit 2 when ns-3 is not installed or an argument is not a positive integer.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
porsim=${1:-build/sim/porsim}
n=${2:-1024}; j=${3:-16}; ev=${4:-5000000}; rounds=${5:-3}
[ -x "$porsim" ] || { echo "phold-vs-ns3: $porsim: no porsim binary (build first)" >&2; exit 2; }
for v in "$n" "$j" "$ev" "$rounds"; do
  [[ "$v" =~ ^[1-9][0-9]*$ ]] || { echo "phold-vs-ns3: $v: N, J, EVENTS and ROUNDS must be positive integers" >&2; exit 2; }
done
if ! pkg-config --exists ns3-core 2>/dev/null; then
  echo "phold-vs-ns3: ns-3 not installed: apt-get install -y libns3-dev" >&2; exit 2
fi
ns3=$(dirname "$porsim")/ns3_phold
if [ ! -x "$ns3" ]; then
  work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
  ns3=$work/ns3_phold
  g++ -O2 -std=c++17 "$here/ns3/ns3_phold.cc" -o "$ns3" $(pkg-config --cflags --libs ns3-core)
fi
eps() { sed -n 's/.*events_per_s=\([0-9.]*\).*/\1/p' <<<"$1"; }
ratios=()
for ((k = 1; k <= rounds; k++)); do
  best=0; mine=
  for e in $(printf '%s\n' Map Heap Calendar PriorityQueue porsim | shuf); do
    if [ "$e" = porsim ]; then
      line=$("$porsim" bench phold --lps "$n" --per-lp "$j" --events "$ev")
      echo "round $k: porsim: $line"
      mine=$(eps "$line")
      [ -n "$mine" ] || { echo "phold-vs-ns3: porsim bench printed no events_per_s=" >&2; exit 1; }
    else
      line=$("$ns3" "$n" "$j" "$ev" "$e"); echo "round $k: $line"
      r=$(eps "$line")
      [ -n "$r" ] || { echo "phold-vs-ns3: ns3_phold $e printed no events_per_s=" >&2; exit 1; }
      best=$(awk -v a="$best" -v b="$r" 'BEGIN{print (b>a)?b:a}')
    fi
  done
  ratio=$(awk -v a="$mine" -v b="$best" 'BEGIN{printf "%.2f", a/b}')
  echo "round $k: ratio=$ratio"
  ratios+=("$ratio")
done
printf '%s\n' "${ratios[@]}" | sort -g | awk '{v[NR]=$1} END{
  m = NR % 2 ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2
  printf "ratio_vs_best_ns3=%.2f (median of %d rounds)\n", m, NR}'
