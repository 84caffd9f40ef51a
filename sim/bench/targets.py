#!/usr/bin/env python3
"""Issue 19's speed targets, measured side by side in one run.

Usage: sim/bench/targets.py [--rounds N] [--duration D] [--phold-events E] [--ns3 K]
                            [--ns3-events E] PORSIM [OLD_PORSIM]
  e.g. sim/bench/targets.py build/sim/porsim /tmp/porsim-main

Each round runs `PORSIM bench scenario scenarios/bench/year-n31.json` (the simulated year,
or --duration D of it) and right after it `PORSIM bench phold --events E` (E = 50,000,000
by default), so each pair sees the host in the same phase; with OLD_PORSIM the year run of
the older binary follows in the same round (the order of the two shuffled each round), so
a change is judged against the host of the same minutes. Then sim/bench/phold-vs-ns3.sh
with K rounds (--ns3 K; PHOLD 1024x16 of --ns3-events E events, 20,000,000 by default;
each round runs ns-3's four schedulers and porsim side by side in a shuffled order;
skipped when ns-3 is not installed). Prints a line per run, then the summary:
  year_wall       best, median, and how many rounds took <= 30 s (target 1);
  uncontended     the same over the rounds whose PHOLD ran at >= 85 % of the run's best
                  PHOLD rate, and contended, over the others (see below);
  full_vs_phold   the full model's events/s over PHOLD's of the same round: median, best
                  against best, how many pairs >= 50 % (target 2);
  phold_vs_ns3    each round's ratio to the round's fastest ns-3 scheduler, their median
                  and how many rounds >= 5 (target 3).
Target 4 (exact outputs) is the test suite's: ctest -R golden_library.
Why medians and counts: this VM's speed moves by a third within minutes
(README.md, "Performance"), so one run says little. Why the split: the slow phases come
from outside (docs/PERFORMANCE.md, "Performance XII": a throughput-bound loop slows with
them, a latency-bound one does not), and they slow PHOLD as much as the year, so the
PHOLD run right after a year run says which phase that run met. Exit 2 on bad arguments
or a binary that does not run."""
import argparse
import os
import random
import statistics
import subprocess
import sys

YEAR_LIMIT_S = 30.0   # target 1: a simulated year in <= 30 s
PHOLD_SHARE = 0.5     # target 2: the full model at >= 50 % of PHOLD's events/s
NS3_RATIO = 5.0       # target 3: PHOLD >= 5x the fastest ns-3 scheduler
CONTENDED = 0.85      # a round whose PHOLD ran below this share of the run's best met a
                      # slow phase of the host


def fields(text):
    """The name=value pairs of a porsim bench output (lines or one line), as strings."""
    out = {}
    for tok in text.split():
        name, eq, value = tok.partition("=")
        if eq:
            out[name] = value
    return out


def wall_figures(walls, limit=YEAR_LIMIT_S):
    """Best, median, and how many of WALLS (seconds) are <= LIMIT, of how many."""
    return {"best": min(walls), "median": statistics.median(walls),
            "within": sum(1 for w in walls if w <= limit), "runs": len(walls)}


def describe_walls(g):
    """A summary line's figures of G, a wall_figures dict."""
    return (f"best {g['best']:.2f} s, median {g['median']:.2f} s, "
            f"{g['within']} of {g['runs']} <= {YEAR_LIMIT_S:.0f} s")


def summarize(year_walls, pairs, ns3_ratios, limit=YEAR_LIMIT_S, share=PHOLD_SHARE):
    """The summary of one measurement: YEAR_WALLS the year runs' wall seconds, PAIRS the
    (full-model events/s, PHOLD events/s) of each round, NS3_RATIOS the phold-vs-ns3
    ratios. Returns a dict of the figures the summary lines print."""
    s = {}
    if year_walls:
        for key, value in wall_figures(year_walls, limit).items():
            s["year_" + key] = value
    if pairs:
        shares = [full / phold for full, phold in pairs]
        s["share_median"] = statistics.median(shares)
        best = max(p for _, p in pairs)
        s["share_best"] = max(f for f, _ in pairs) / best
        s["share_within"] = sum(1 for x in shares if x >= share)
        s["share_runs"] = len(shares)
        if len(pairs) == len(year_walls):
            for name, keep in (("uncontended", True), ("contended", False)):
                w = [wall for wall, (_, p) in zip(year_walls, pairs)
                     if (p >= CONTENDED * best) == keep]
                if w:
                    s[name] = wall_figures(w, limit)
    if ns3_ratios:
        s["ns3_ratios"] = list(ns3_ratios)
        s["ns3_within"] = sum(1 for r in ns3_ratios if r >= NS3_RATIO)
        s["ns3_median"] = statistics.median(ns3_ratios)
    return s


def run(cmd):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {r.returncode}: {r.stderr.strip()}")
    return r.stdout


def main(argv):
    ap = argparse.ArgumentParser(add_help=True, usage=__doc__.split("\n\n")[1])
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--duration", default=None, help="simulated time of the year run")
    ap.add_argument("--phold-events", type=int, default=50_000_000)
    ap.add_argument("--ns3", type=int, default=3)
    ap.add_argument("--ns3-events", type=int, default=20_000_000)
    ap.add_argument("porsim")
    ap.add_argument("old", nargs="?")
    try:
        a = ap.parse_args(argv[1:])
    except SystemExit:
        return 2
    if a.rounds < 1 or a.phold_events < 1 or a.ns3 < 0 or a.ns3_events < 1:
        print("targets: --rounds, --phold-events and --ns3-events must be >= 1, --ns3 >= 0",
              file=sys.stderr)
        return 2
    for b in [a.porsim] + ([a.old] if a.old else []):
        if not os.access(b, os.X_OK):
            print(f"targets: {b}: not an executable", file=sys.stderr)
            return 2
    here = os.path.dirname(os.path.abspath(__file__))
    scenario = os.path.join(here, "..", "..", "scenarios", "bench", "year-n31.json")
    year = ["bench", "scenario", scenario] + (["--set", "duration=" + a.duration] if a.duration else [])
    walls, pairs, old_walls, ratios = [], [], [], []
    try:
        for i in range(a.rounds):
            order = [(True, a.porsim)] + ([(False, a.old)] if a.old else [])
            random.shuffle(order)
            for new, b in order:
                f = fields(run([b] + year))
                wall, eps = float(f["wall_seconds"]), float(f["events_per_s"])
                if new:
                    p = fields(run([b, "bench", "phold", "--events", str(a.phold_events)]))
                    peps = float(p["events_per_s"])
                    walls.append(wall)
                    pairs.append((eps, peps))
                    print(f"round {i + 1}: year {wall:.2f} s ({eps / 1e6:.2f} M events/s), "
                          f"phold {peps / 1e6:.2f} M events/s, share {eps / peps:.3f}", flush=True)
                else:
                    old_walls.append(wall)
                    print(f"round {i + 1}: old year {wall:.2f} s ({eps / 1e6:.2f} M events/s)",
                          flush=True)
        script = os.path.join(here, "phold-vs-ns3.sh")
        if a.ns3 > 0:
            r = subprocess.run(["bash", script, a.porsim, "1024", "16", str(a.ns3_events),
                                str(a.ns3)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            if r.returncode == 2:
                print("phold_vs_ns3: skipped: " + r.stderr.strip())
            elif r.returncode != 0:
                raise RuntimeError("phold-vs-ns3.sh: " + r.stderr.strip())
            else:
                for line in r.stdout.splitlines():
                    print("ns3 " + line, flush=True)
                    head, _, ratio = line.partition(": ratio=")
                    if ratio and head.startswith("round "):
                        ratios.append(float(ratio))
                if len(ratios) != a.ns3:
                    raise RuntimeError(f"phold-vs-ns3.sh: {len(ratios)} round ratios, "
                                       f"{a.ns3} rounds asked")
    except (RuntimeError, KeyError, ValueError) as e:
        print(f"targets: {e}", file=sys.stderr)
        return 2
    s = summarize(walls, pairs, ratios)
    label = f"year_wall (duration={a.duration})" if a.duration else "year_wall"
    print(f"{label}: {describe_walls(wall_figures(walls))}")
    for name in ("uncontended", "contended"):
        if name in s:
            print(f"  {name} (PHOLD {'>=' if name == 'uncontended' else '<'} "
                  f"{100 * CONTENDED:.0f} % of its best): {describe_walls(s[name])}")
    if old_walls:
        print(f"old_year_wall: {describe_walls(wall_figures(old_walls))}")
    print(f"full_vs_phold: median {100 * s['share_median']:.1f} %, best against best "
          f"{100 * s['share_best']:.1f} %, {s['share_within']} of {s['share_runs']} >= "
          f"{100 * PHOLD_SHARE:.0f} %")
    if ratios:
        print("phold_vs_ns3: " + ", ".join(f"{r:.2f}" for r in ratios) +
              f"; median {s['ns3_median']:.2f}, {s['ns3_within']} of {len(ratios)} rounds "
              f">= {NS3_RATIO:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
