#!/usr/bin/env python3
"""Interleaved A/B of porsim binaries on the year benchmark, for a host whose speed moves.

Usage: sim/bench/ab-year.py ROUNDS DURATION BINARY [BINARY ...]
  e.g. sim/bench/ab-year.py 30 5d /tmp/porsim-main build/sim/porsim

Runs `BINARY bench scenario scenarios/bench/year-n31.json --set duration=DURATION` once per
binary per round, the order shuffled each round, and prints for each binary the minimum,
10th percentile and median of its CPU time (user + system of the child, seconds). On a
shared VM whose speed changes by a third within minutes, the minimum and 10th percentile
of many short interleaved runs separate builds 1-2 % apart that a few long runs cannot
(docs/PERFORMANCE.md "Performance VI, event core"). Exit 2 on bad arguments."""
import os
import random
import resource
import statistics
import subprocess
import sys

def main(argv):
    if len(argv) < 4 or not argv[1].isdigit() or int(argv[1]) < 1:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    rounds, duration, binaries = int(argv[1]), argv[2], argv[3:]
    here = os.path.dirname(os.path.abspath(__file__))
    scenario = os.path.join(here, "..", "..", "scenarios", "bench", "year-n31.json")
    for b in binaries:
        if not os.access(b, os.X_OK):
            print(f"ab-year: {b}: not an executable", file=sys.stderr)
            return 2
    times = {b: [] for b in binaries}
    for _ in range(rounds):
        order = binaries[:]
        random.shuffle(order)
        for b in order:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            subprocess.run([b, "bench", "scenario", scenario, "--set", "duration=" + duration],
                           stdout=subprocess.DEVNULL, check=True)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            times[b].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    for b in binaries:
        v = sorted(times[b])
        print(f"{b}: min {v[0]:.3f} p10 {v[len(v) // 10]:.3f} "
              f"median {statistics.median(v):.3f} n={len(v)}")
    return 0

if __name__ == "__main__":
    sys.exit(main(sys.argv))
