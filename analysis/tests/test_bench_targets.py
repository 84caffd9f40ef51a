"""sim/bench/targets.py: issue 19's speed targets measured in one run.

The summary follows the issue's definitions (issue 19: a year in <= 30 s; the full model's
events/s >= 50 % of PHOLD's of the same build; PHOLD >= 5x the fastest ns-3 scheduler),
checked on hand-made samples; a tiny live run checks that the script reads porsim's
bench output and prints every summary line."""
import importlib.util
import os
import subprocess
import sys

from conftest import ROOT

SCRIPT = os.path.join(ROOT, "sim", "bench", "targets.py")
spec = importlib.util.spec_from_file_location("targets", SCRIPT)
targets = importlib.util.module_from_spec(spec)
spec.loader.exec_module(targets)


def test_fields_reads_name_value_pairs_of_both_bench_formats():
    # `bench scenario` prints a pair a line, `bench phold` one line of pairs
    assert targets.fields("events=10\nwall_seconds=1.5\n") == {"events": "10", "wall_seconds": "1.5"}
    line = "porsim phold N=4 J=2 events=100 events_per_s=2.5e6 checksum=ab"
    assert targets.fields(line)["events_per_s"] == "2.5e6"


def test_summary_counts_runs_against_each_target():
    walls = [31.0, 25.0, 29.0, 30.0]        # <= 30 s counts: 25, 29 and 30
    pairs = [(10e6, 25e6), (12e6, 20e6), (9e6, 30e6)]  # shares 0.4, 0.6, 0.3
    s = targets.summarize(walls, pairs, [5.2, 4.9])
    assert s["year_best"] == 25.0
    assert s["year_median"] == 29.5           # mean of the middle two of four
    assert (s["year_within"], s["year_runs"]) == (3, 4)
    assert abs(s["share_median"] - 0.4) < 1e-12
    assert abs(s["share_best"] - 12e6 / 30e6) < 1e-12  # best full against best PHOLD
    assert (s["share_within"], s["share_runs"]) == (1, 3)
    assert s["ns3_within"] == 1


def test_bad_arguments_exit_2():
    r = subprocess.run([sys.executable, SCRIPT, "--rounds", "0", "/bin/true"],
                       capture_output=True, text=True)
    assert r.returncode == 2
    r = subprocess.run([sys.executable, SCRIPT, "/nonexistent/porsim"],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "not an executable" in r.stderr


def test_tiny_live_run_prints_each_target(porsim):
    r = subprocess.run([sys.executable, SCRIPT, "--rounds", "2", "--duration", "10m",
                        "--phold-events", "20000", "--ns3", "0", porsim, porsim],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert out.count("share ") == 2 and out.count("old year") == 2
    assert "year_wall (duration=10m): best" in out
    assert "old_year_wall: best" in out
    assert "full_vs_phold: median" in out
