"""porsim-analyze: the command line over porsim_analysis (summary, compare, plot,
report, merge). Exit codes: 0 ok, 1 a tool it ran failed, 2 bad usage or input."""
from __future__ import annotations

import argparse
import os
import subprocess
import sys

from .errors import LoadError

# The verbs import pandas, SciPy, statsmodels and matplotlib when they run, so that
# --help answers at once.

EPILOG = """A run directory is written by `porsim run -o`, a sweep directory by `porsim sweep
-o` or `porsim merge`; DIR:POINT names one point of a sweep. Durations are seconds in the
files and shown in ms, s, min, h or d on screen. Formats: sim/stats/FORMATS.md."""


def _metrics_arg(p):
    p.add_argument("--metric", action="append", metavar="NAME",
                   help="a metric (column of runs.csv); repeatable; 'all' for every metric "
                        "with data (default: feed_detect, mint_block, unbacked_minted)")


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="porsim-analyze",
        description="Summaries, comparisons, figures and reports of porsim output "
                    "directories (Python 3: pandas, SciPy, statsmodels, matplotlib).",
        epilog=EPILOG)
    sub = ap.add_subparsers(dest="verb", metavar="VERB")
    sub.required = True

    p = sub.add_parser("summary", help="n, censored, mean with 95%% CI, median, p90, KM "
                       "median with 95%% CI per metric (per point for a sweep)", epilog=EPILOG)
    p.add_argument("dir", metavar="DIR")
    _metrics_arg(p)

    p = sub.add_parser("compare", epilog=EPILOG,
                       help="A against B per metric: Welch t CI, Mann-Whitney U, log-rank "
                            "(censorable metrics), paired tests for points of one sweep")
    p.add_argument("a", metavar="A")
    p.add_argument("b", metavar="B")
    _metrics_arg(p)

    p = sub.add_parser("plot", epilog=EPILOG, help="SVG figures into OUTDIR (default DIR/plots)")
    p.add_argument("dir", metavar="DIR")
    p.add_argument("-o", "--output", metavar="OUTDIR")
    p.add_argument("--series", metavar="FILE.csv",
                   help="draw series.svg from this `porsim trace --series` file instead of "
                        "tracing replication 0 again from DIR/scenario.json")
    _metrics_arg(p)

    p = sub.add_parser("report", epilog=EPILOG,
                       help="one self-contained HTML page (default DIR/report.html)")
    p.add_argument("dir", metavar="DIR")
    p.add_argument("-o", "--output", metavar="FILE.html")
    p.add_argument("--series", metavar="FILE.csv", help="as for plot")
    _metrics_arg(p)

    p = sub.add_parser("merge", epilog=EPILOG,
                       help="join `porsim sweep --shard K/N` directories (runs porsim merge)")
    p.add_argument("out", metavar="OUT_DIR")
    p.add_argument("shards", metavar="SHARD_DIR", nargs="+")
    return ap


def cmd_summary(a) -> int:
    from . import figures as figs
    from . import tables
    from .loaders import Sweep, load
    obj = load(a.dir)
    metrics = figs.choose_metrics(obj, a.metric)
    if isinstance(obj, Sweep):
        df = tables.sweep_table(obj, metrics)
        for m in metrics:
            print(f"{m}: {obj.metrics[m].help}")
            print(tables.text_table(df[df["metric"] == m], ["point"] + obj.params))
    else:
        df = tables.run_table(obj, metrics)
        print(tables.text_table(df, ["metric"]), end="")
    return 0


def _same_streams(a, b) -> bool:
    """Two points of one sweep with the same seed: replication r of each draws from the
    same random streams (por_stream_id of seed and replication), so they pair."""
    return (a.kind == "point" and b.kind == "point" and a.meta.get("sweep") == b.meta.get("sweep")
            and a.meta.get("seed") == b.meta.get("seed"))


def cmd_compare(a) -> int:
    import numpy as np

    from . import figures as figs
    from . import plots, stats, tables
    from .loaders import Sweep, load
    A, B = load(a.a), load(a.b)
    for x, name in ((A, a.a), (B, a.b)):
        if isinstance(x, Sweep):
            raise LoadError(f"{name}: a sweep; compare two runs or points (DIR:POINT)")
    metrics = figs.choose_metrics(A, a.metric)
    for m in metrics:
        if m not in B.metrics:
            raise LoadError(f"{a.b}: no metric {m}")
    pair = _same_streams(A, B)
    print(f"A = {a.a} ({len(A.runs)} runs), B = {a.b} ({len(B.runs)} runs)")
    head = ["metric", "unit", "nA", "nB", "mean A", "mean B", "A - B", "95% CI (Welch)",
            "p Welch", "U(A)", "p M-W", "log-rank chi2", "p log-rank"]
    rows = []
    paired_rows = []
    unused = []
    for m in metrics:
        met = A.metrics[m]
        va, vb = A.values(m), B.values(m)
        div, unit = 1.0, met.unit
        if met.kind == "duration":
            unit, div = plots.duration_unit(np.r_[va, vb])
        w = stats.welch(va, vb)
        mw = stats.mann_whitney(va, vb)
        lr = ("-", "-")
        if met.censorable:
            ta, ea = A.survival(m)
            tb, eb = B.survival(m)
            r = stats.logrank(ta, ea, tb, eb)
            lr = (tables.fmt(r.statistic), tables.fmt(r.p))
        rows.append([m, unit or "-", str(len(va)), str(len(vb)), tables.fmt(w.mean_a / div),
                     tables.fmt(w.mean_b / div), tables.fmt(w.diff / div),
                     tables.ci(w.lo / div, w.hi / div), tables.fmt(w.p), tables.fmt(mw.statistic),
                     tables.fmt(mw.p), *lr])
        na, nb = len(A.runs) - len(va), len(B.runs) - len(vb)
        if na or nb:
            unused.append(f"{m}: not in the t and U tests (censored or absent): A {na}, B {nb}"
                          + (" (the log-rank test uses the censored runs)" if met.censorable else ""))
        if pair:
            ja = A.runs[["replication", m]].merge(B.runs[["replication", m]], on="replication",
                                                  suffixes=("_a", "_b")).dropna()
            pr = stats.paired(ja[m + "_a"].to_numpy(), ja[m + "_b"].to_numpy())
            paired_rows.append([m, unit or "-", str(pr.n), tables.fmt(pr.diff / div),
                                tables.ci(pr.lo / div, pr.hi / div), tables.fmt(pr.p_t),
                                tables.fmt(pr.p_wilcoxon)])
    _print_rows(head, rows)
    for u in unused:
        print(u)
    if pair:
        print("\nPaired (same seed: replication r of A and of B share random streams; "
              "replications observed in both):")
        _print_rows(["metric", "unit", "pairs", "mean A - B", "95% CI (paired t)", "p paired t",
                     "p Wilcoxon"], paired_rows)
    return 0


def _print_rows(head, rows):
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(head)]
    fmt = lambda cells: "  ".join(c.ljust(w) if i == 0 else c.rjust(w)  # noqa: E731
                                  for i, (c, w) in enumerate(zip(cells, widths))).rstrip()
    print(fmt(head))
    for r in rows:
        print(fmt(r))


def cmd_plot(a) -> int:
    from . import figures as figs
    from . import plots
    from .loaders import Run, load
    obj = load(a.dir)
    if isinstance(obj, Run) and obj.kind == "point":
        raise LoadError(f"{a.dir}: plot a whole sweep directory, not one point")
    metrics = figs.choose_metrics(obj, a.metric)
    out = a.output or os.path.join(a.dir, "plots")
    os.makedirs(out, exist_ok=True)
    notes: list[str] = []
    fl = figs.figures(obj, metrics, a.series, notes)
    for f in fl:
        path = os.path.join(out, f.name + ".svg")
        plots.save_svg(f.fig, path)
        print(f"wrote {path}")
    for n in notes:
        print(n, file=sys.stderr)
    return 0


def cmd_report(a) -> int:
    from . import figures as figs
    from . import report
    from .loaders import load
    obj = load(a.dir)
    metrics = figs.choose_metrics(obj, a.metric)
    text = report.build(obj, metrics, a.series)
    out = a.output or os.path.join(a.dir, "report.html")
    tmp = out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, out)
    print(f"wrote {out}")
    return 0


def cmd_merge(a) -> int:
    from .figures import find_porsim
    porsim = find_porsim()
    if porsim is None:
        raise LoadError("porsim not found: set PORSIM=/path/to/porsim or put it on PATH")
    return subprocess.call([porsim, "merge", a.out, *a.shards])


def main(argv=None) -> int:
    a = _parser().parse_args(argv)
    try:
        return {"summary": cmd_summary, "compare": cmd_compare, "plot": cmd_plot,
                "report": cmd_report, "merge": cmd_merge}[a.verb](a)
    except LoadError as e:
        print(f"porsim-analyze: {e}", file=sys.stderr)
        return 2
    except RuntimeError as e:
        print(f"porsim-analyze: {e}", file=sys.stderr)
        return 1
