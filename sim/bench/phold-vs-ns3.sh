#!/usr/bin/env bash
# Side-by-side PHOLD: porsim's event core against every ns-3 scheduler, in one run.
# Usage: sim/bench/phold-vs-ns3.sh [PORSIM_BINARY] [N] [J] [EVENTS]
#   defaults: build/sim/porsim 1024 16 5000000 (the `porsim bench phold` defaults)
# Needs libns3-dev (apt-get install -y libns3-dev). The ns-3 model is
# sim/bench/ns3/ns3_phold.cc: CMake builds it as ns3_phold next to porsim when ns-3 is
# found; otherwise this script compiles it with g++. Prints one line per engine, then
# "ratio_vs_best_ns3=X" (porsim events/s divided by the fastest ns-3 scheduler's).
# Exit 2 when ns-3 is not installed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
porsim=${1:-build/sim/porsim}
n=${2:-1024}; j=${3:-16}; ev=${4:-5000000}
[ -x "$porsim" ] || { echo "phold-vs-ns3: $porsim: no porsim binary (build first)" >&2; exit 2; }
if ! pkg-config --exists ns3-core 2>/dev/null; then
  echo "phold-vs-ns3: ns-3 not installed: apt-get install -y libns3-dev" >&2; exit 2
fi
ns3=$(dirname "$porsim")/ns3_phold
if [ ! -x "$ns3" ]; then
  work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
  ns3=$work/ns3_phold
  g++ -O2 -std=c++17 "$here/ns3/ns3_phold.cc" -o "$ns3" $(pkg-config --cflags --libs ns3-core)
fi
best=0
for s in Map Heap Calendar PriorityQueue; do
  line=$("$ns3" "$n" "$j" "$ev" "$s"); echo "$line"
  r=$(sed -n 's/.*events_per_s=\([0-9.]*\).*/\1/p' <<<"$line")
  best=$(awk -v a="$best" -v b="$r" 'BEGIN{print (b>a)?b:a}')
done
line=$("$porsim" bench phold --lps "$n" --per-lp "$j" --events "$ev"); echo "porsim: $line"
mine=$(sed -n 's/.*events_per_s=\([0-9.]*\).*/\1/p' <<<"$line")
[ -n "$mine" ] || { echo "phold-vs-ns3: porsim bench printed no events_per_s=" >&2; exit 1; }
awk -v a="$mine" -v b="$best" 'BEGIN{printf "ratio_vs_best_ns3=%.2f\n", a/b}'
