"""porsim-analyze's verbs on real outputs: --help for each, summary and compare of any
metric, plot (run and sweep figures, units on the axes, log scales, small multiples,
the series traced again from scenario.json from any folder, failures not silent),
merge; and the figure rules checked on the matplotlib objects."""
import os
import re
import shutil

import numpy as np
import pandas as pd
import pytest

from conftest import FAST, GRID, analyze, sh

import porsim_analysis as pa
from porsim_analysis import figures, plots
from porsim_analysis.loaders import Metric

VERBS = ["summary", "compare", "plot", "report", "merge"]


@pytest.mark.parametrize("verb", VERBS)
def test_help_each_verb(verb, tmp_path):
    """VERB --help prints that verb's usage and does nothing else (the shell tool ran
    `mkdir --help/plots`)."""
    r = analyze(verb, "--help", cwd=tmp_path)
    assert r.stdout.startswith(f"usage: porsim-analyze {verb}")
    assert os.listdir(tmp_path) == []
    assert "--metric" in r.stdout or verb == "merge"


def test_top_level_help_lists_verbs():
    r = analyze("--help")
    for v in VERBS:
        assert v in r.stdout
    r = analyze(check=False)
    assert r.returncode == 2


def test_summary_run_any_metric(run_dir):
    r = analyze("summary", run_dir)
    lines = r.stdout.splitlines()
    assert lines[0].split()[:4] == ["metric", "n", "censored", "missing"]
    row = next(ln for ln in lines if ln.startswith("mint_block"))
    assert row.split()[-1] in {"s", "min", "h"}  # the unit of the row
    r = analyze("summary", run_dir, "--metric", "rounds", "--metric", "gas")
    assert re.search(r"^rounds .* rounds$", r.stdout, re.M)
    assert re.search(r"^gas .* gas$", r.stdout, re.M)
    r = analyze("summary", run_dir, "--metric", "nosuch", check=False)
    assert r.returncode == 2 and "no metric nosuch" in r.stderr


def test_summary_sweep(sweep_dir):
    r = analyze("summary", sweep_dir, "--metric", "feed_detect")
    assert "feed.ocr.delta_round" in r.stdout
    assert len([ln for ln in r.stdout.splitlines() if re.match(r"^[0-3] ", ln)]) == 4


def test_compare_hand_values(mw_dirs):
    """The hand-computed U and p of test_stats.test_mann_whitney_by_hand, as printed."""
    r = analyze("compare", *mw_dirs)
    row = next(ln for ln in r.stdout.splitlines() if ln.startswith("feed_detect"))
    cells = row.split()
    assert cells[2:4] == ["5", "6"] and "6.5" in cells and "0.1395" in cells
    assert "feed_detect: not in the t and U tests (censored or absent): A 1, B 0" in r.stdout


def test_compare_run_with_itself(run_dir, tmp_path):
    """A against itself: difference 0, the Welch CI symmetric around 0, U at its mean
    (n^2/2) with p = 1; a directory that is neither run nor sweep exits 2."""
    # gas: it varies between replications (feed_detect can be 12 s in all 20 of this
    # short run, and a zero-variance metric has no Welch CI)
    r = analyze("compare", run_dir, run_dir, "--metric", "gas")
    row = next(ln for ln in r.stdout.splitlines() if ln.startswith("gas"))
    m = re.search(r"^gas\s+\S+\s+(\d+)\s+(\d+)\s+(\S+)\s+(\S+)\s+(\S+)\s+"
                  r"\[(\S+), (\S+)\]\s+\S+\s+(\S+)\s+(\S+)", row)
    assert m, row
    na, nb, ma, mb, diff, lo, hi, u, p = m.groups()
    assert na == nb and ma == mb and diff == "0" and lo == "-" + hi
    assert float(u) == int(na) ** 2 / 2 and p == "1"
    r = analyze("compare", run_dir, tmp_path / "nothing", check=False)
    assert r.returncode == 2


def test_compare_points_logrank_and_paired(sweep_dir):
    """Censorable metrics get the log-rank test (censored runs used); points of one sweep
    with one seed get the paired section."""
    r = analyze("compare", f"{sweep_dir}:0", f"{sweep_dir}:3", "--metric", "mint_block",
                "--metric", "rounds")
    head = r.stdout.splitlines()[1]
    assert "log-rank chi2" in head
    mb = next(ln for ln in r.stdout.splitlines() if ln.startswith("mint_block"))
    assert not mb.rstrip().endswith("-")  # a log-rank p is given
    assert "Paired (same seed" in r.stdout
    r = analyze("compare", sweep_dir, f"{sweep_dir}:0", check=False)
    assert r.returncode == 2 and "a sweep" in r.stderr


def svg_texts(path):
    s = open(path, encoding="utf-8").read()
    assert s.count("<svg") == 1 and s.count("</svg>") == 1
    for m in re.finditer(r"http[^\"' ]*", s):
        assert m.group(0) in ("http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"), \
            m.group(0)
    return s


def test_plot_run_from_another_folder(run_dir, tmp_path):
    """plot DIR from an unrelated folder: KM curves of the censorable metrics, an ECDF of
    unbacked_minted (any metric can be plotted), series.svg traced again from
    DIR/scenario.json; axis labels carry units."""
    out = tmp_path / "fig"
    r = analyze("plot", run_dir, "-o", out, "--metric", "feed_detect", "--metric",
                "mint_block", "--metric", "unbacked_minted", "--metric", "rounds", cwd=tmp_path)
    names = sorted(os.listdir(out))
    assert names == ["ecdf_rounds.svg", "ecdf_unbacked_minted.svg", "km_feed_detect.svg",
                     "km_mint_block.svg", "series.svg"], r.stdout + r.stderr
    s = svg_texts(out / "km_feed_detect.svg")
    assert re.search(r"feed_detect \((ms|s|min)\)", s) and "Kaplan-Meier" in s
    s = svg_texts(out / "km_mint_block.svg")
    assert "censored" in s
    s = svg_texts(out / "ecdf_unbacked_minted.svg")
    assert "unbacked_minted (token)" in s
    s = svg_texts(out / "series.svg")
    meta = pa.load(run_dir).meta
    assert meta["scenario_hash"] in s and "true reserve" in s and "onset" in s
    # Default output folder DIR/plots.
    analyze("plot", run_dir)
    assert os.path.exists(os.path.join(run_dir, "plots", "km_feed_detect.svg"))
    shutil.rmtree(os.path.join(run_dir, "plots"))


def test_plot_series_failure_is_not_silent(run_dir, tmp_path):
    """When porsim cannot trace the run again, plot says so and exits 1."""
    fake = tmp_path / "porsim"
    fake.write_text("#!/bin/sh\necho 'porsim: broken' >&2\nexit 3\n")
    fake.chmod(0o755)
    r = analyze("plot", run_dir, "-o", tmp_path / "f", env={"PORSIM": str(fake)}, check=False)
    assert r.returncode == 1 and "porsim trace failed" in r.stderr


LESSON4 = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "scenarios", "teaching", "4-custodian-shortfall-secure-mint.json")


def test_plot_series_lesson4(porsim, tmp_path):
    """Lesson 4 (reserves drop at 22 min): series.svg traced again names the three
    amounts, the onset and the run's hash; without a usable porsim, plot says why and
    exits 1 (a missing figure is never silent); --series with a file that is not a
    series exits 2."""
    sh(porsim, "run", LESSON4, "-q", "-o", tmp_path / "run")
    analyze("plot", tmp_path / "run", "-o", tmp_path / "f", "--metric", "feed_detect")
    s = svg_texts(tmp_path / "f" / "series.svg")
    h = pa.load(str(tmp_path / "run")).meta["scenario_hash"]
    for w in ("true reserve", "reported answer", "total supply", "onset", h):
        assert w in s, w
    r = analyze("plot", tmp_path / "run", "-o", tmp_path / "g", env={"PORSIM": "/nonexistent/porsim"},
                check=False)
    assert r.returncode == 1 and "cannot run porsim (/nonexistent/porsim)" in r.stderr
    r = analyze("plot", tmp_path / "run", "--series", tmp_path / "run" / "runs.csv", "-o",
                tmp_path / "h", check=False)
    assert r.returncode == 2 and "not a porsim trace --series file" in r.stderr


def test_long_series_stays_small():
    """20000 rows with a one-row spike: the figure keeps the spike (the y range reaches
    it) and stays far smaller than the data (matplotlib's path simplification)."""
    import io
    n, spike = 20000, 12345
    df = pd.DataFrame({"t_seconds": np.arange(n) * 60.0,
                       "true_reserve": [5000 if i == spike else 1000 + i % 7 for i in range(n)],
                       "reported_answer": [np.nan if i < 10 else 1000.5 for i in range(n)],
                       "total_supply": 900, "true_ratio": 1.0, "reported_ratio": 1.0})
    fig = plots.fig_series(df, "long", None)
    assert fig.axes[0].get_ylim()[1] >= 5000
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    assert len(buf.getvalue()) < 600_000


def test_plot_series_from_file(run_dir, porsim, tmp_path):
    sh(porsim, "trace", os.path.join(run_dir, "scenario.json"), "--series", tmp_path / "s.csv")
    analyze("plot", run_dir, "-o", tmp_path / "f", "--series", tmp_path / "s.csv",
            env={"PORSIM": "/nonexistent"})
    assert "true reserve" in svg_texts(tmp_path / "f" / "series.svg")


def test_plot_sweep(sweep_dir, tmp_path):
    """A 2x2 sweep: per metric the curves of every point, the effect of the first
    parameter (x in seconds, from the SI column) and the heatmap; heatmap cell labels
    are the point statistics (summary.csv's means for a metric that is not censorable)."""
    out = tmp_path / "fig"
    analyze("plot", sweep_dir, "-o", out, "--metric", "feed_detect", "--metric", "rounds")
    names = set(os.listdir(out))
    assert {"km_feed_detect.svg", "effect_feed_detect.svg", "heatmap_feed_detect.svg",
            "ecdf_rounds.svg", "effect_rounds.svg", "heatmap_rounds.svg"} <= names
    s = svg_texts(out / "effect_feed_detect.svg")
    assert "feed.ocr.delta_round (s)" in s
    hm = svg_texts(out / "heatmap_rounds.svg")
    summ = pd.read_csv(os.path.join(sweep_dir, "summary.csv"))
    for v in summ[summ["metric"] == "rounds"]["mean"]:
        assert f">{v:.4g} rounds<" in hm, v
    s = svg_texts(out / "km_feed_detect.svg")
    for p in range(4):
        assert f"p{p}: delta_round=" in s


def test_plot_one_parameter_no_heatmap(porsim, tmp_path):
    sh(porsim, "sweep", *FAST, "--param", "feed.ocr.delta_round=5s,20s", "-r", "2", "-q",
       "-o", tmp_path / "one")
    r = analyze("plot", tmp_path / "one", "-o", tmp_path / "f", "--metric", "feed_detect")
    assert "a heatmap needs at least 2 swept parameters" in r.stderr
    assert not os.path.exists(tmp_path / "f" / "heatmap_feed_detect.svg")
    assert os.path.exists(tmp_path / "f" / "effect_feed_detect.svg")


def test_small_multiples_beyond_12(wide_sweep_dir):
    """13 points: one panel per point instead of 13 colours on one axes."""
    sw = pa.load(wide_sweep_dir)
    fig = plots.fig_km(sw.metrics["feed_detect"],
                       [(sw.point_label(p), *sw.survival("feed_detect", p)) for p in range(13)],
                       "feed_detect")
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 13
    assert all(len(ax.lines) >= 1 for ax in visible)
    assert plots.check_figure(fig) == []
    # 12 series still share one axes, in 12 distinct colours.
    fig = plots.fig_ecdf(sw.metrics["rounds"],
                         [(sw.point_label(p), sw.run_at(p).values("rounds")) for p in range(12)],
                         "rounds")
    assert len(fig.axes) == 1
    colours = {ln.get_color() if isinstance(ln.get_color(), str) else tuple(ln.get_color())
               for ln in fig.axes[0].lines}
    assert len(colours) == 12
    assert fig.axes[0].get_legend() is not None


def test_log_scale_for_durations_spanning_decades():
    """Durations from 1 s to 1 day span almost five decades: log axis; 10..50 s: linear."""
    m = Metric("x", "duration", "s", "", True)
    t = np.array([1, 10, 100, 1000, 86400.0])
    fig = plots.fig_km(m, [("a", t, np.ones(5, bool))], "x")
    assert fig.axes[0].get_xscale() == "log"
    fig = plots.fig_km(m, [("a", np.array([10, 20, 50.0]), np.ones(3, bool))], "x")
    assert fig.axes[0].get_xscale() == "linear"
    assert fig.axes[0].get_xlabel() == "x (s)"
    assert plots.duration_unit([7200 * 3])[0] == "h"


def test_every_figure_sound(run_dir, sweep_dir):
    """No figure made for the run or the sweep has an empty axes, a text cut off or
    overlapping tick labels, and every legend sits outside its axes (to the right)."""
    # One metric of each kind, a censored one, and one that is 0 everywhere.
    some = ["feed_detect", "mint_block", "unbacked_minted", "rounds", "min_true_ratio",
            "forged_reports_accepted"]
    for obj in (pa.load(run_dir), pa.load(sweep_dir)):
        for f in figures.figures(obj, some, None, []):
            assert plots.check_figure(f.fig) == [], f.name
            f.fig.canvas.draw()
            r = f.fig.canvas.get_renderer()
            for ax in f.fig.axes:
                leg = ax.get_legend()
                if leg is not None:
                    assert leg.get_window_extent(r).x0 >= ax.get_window_extent(r).x1 - 1, f.name
            plots.plt.close(f.fig)


def test_frontier_read_generically(sweep_dir, tmp_path):
    """A frontier.csv (as `porsim tune` writes: the swept parameters, a cost, risks and a
    dominated flag) gets a figure and a report table; its column names are not assumed."""
    d = tmp_path / "sw"
    shutil.copytree(sweep_dir, d)
    pd.DataFrame({"point": [0, 1, 2, 3],
                  "feed.ocr.delta_round": ["5s", "5s", "20s", "20s"],
                  "custodians[0].attestation.every": ["10m", "1h", "10m", "1h"],
                  "gas": [1.25e6, 1.2e6, 5e5, 4.8e5],
                  "feed_detect_p90": [12.0, 13.0, 36.0, 40.0],
                  "dominated": ["false", "false", "false", "true"]}).to_csv(
        d / "frontier.csv", index=False)
    analyze("plot", d, "-o", tmp_path / "f", "--metric", "feed_detect")
    s = svg_texts(tmp_path / "f" / "frontier.svg")
    assert "feed_detect_p90" in s and "gas" in s and "dominated" in s
    analyze("report", d, "-o", tmp_path / "r.html", "--metric", "feed_detect")
    html = open(tmp_path / "r.html").read()
    assert "Frontier (frontier.csv)" in html and "feed_detect_p90" in html


def test_merge_verb(porsim, tmp_path):
    """merge runs porsim merge: the shards join into the unsharded bytes."""
    for k in (1, 2):
        sh(porsim, "sweep", *FAST, *GRID, "-r", "2", "--shard", f"{k}/2", "-q", "-o",
           tmp_path / f"s{k}")
    sh(porsim, "sweep", *FAST, *GRID, "-r", "2", "-q", "-o", tmp_path / "full")
    analyze("merge", tmp_path / "m", tmp_path / "s1", tmp_path / "s2")
    for f in ("points.csv", "runs.csv", "censored.csv", "summary.csv", "columns.csv",
              "scenarios.jsonl"):
        assert open(tmp_path / "m" / f).read() == open(tmp_path / "full" / f).read(), f
