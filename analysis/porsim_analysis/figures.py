"""Which figures a run or a sweep gets (shared by `porsim-analyze plot` and `report`).

Run: per metric a Kaplan-Meier curve (censorable metrics) or an ECDF (the others), and
series.svg, the time series of replication 0 traced again from DIR/scenario.json (or
read from a `porsim trace --series` file). Sweep: per metric the Kaplan-Meier curves or
ECDFs of every point, the point statistic against the first parameter (effect_*), a
heatmap over the first two parameters, and the frontier when DIR/frontier.csv exists.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import plots
from .loaders import LoadError, Run, Sweep

DEFAULT_METRICS = ["feed_detect", "mint_block", "unbacked_minted"]


@dataclass
class Figure:
    name: str       # file stem: km_feed_detect
    fig: object     # matplotlib Figure
    caption: str


def choose_metrics(obj, asked: list[str] | None) -> list[str]:
    """ASKED (each must exist; "all" = every metric with data), else the defaults that
    exist."""
    names = list(obj.metrics)
    if not asked:
        return [m for m in DEFAULT_METRICS if m in names]
    if asked == ["all"]:
        return [m for m in names if obj.runs[m].notna().any() or
                (obj.censored["metric"] == m).any()]
    for m in asked:
        if m not in names:
            raise LoadError(f"{obj.dir}: no metric {m} (metrics: {', '.join(names)})")
    return asked


def find_porsim() -> str | None:
    """$PORSIM, else porsim on PATH, else build/sim/porsim beside this checkout."""
    if os.environ.get("PORSIM"):
        return os.environ["PORSIM"]
    p = shutil.which("porsim")
    if p:
        return p
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    cand = os.path.join(here, "build", "sim", "porsim")
    return cand if os.access(cand, os.X_OK) else None


def run_figures(run: Run, metrics: list[str], series_csv: str | None = None,
                notes: list[str] | None = None) -> list[Figure]:
    notes = notes if notes is not None else []
    out = []
    for m in metrics:
        met = run.metrics[m]
        if met.censorable:
            t, e = run.survival(m)
            f = plots.fig_km(met, [(run.label or "run", t, e)], m)
            cap = (f"{m}: Kaplan-Meier survival over {len(t)} runs ({int((~e).sum())} censored). "
                   f"{met.help}")
            name = f"km_{m}"
        else:
            v = run.values(m)
            f = plots.fig_ecdf(met, [(run.label or "run", v)], m)
            cap = f"{m}: empirical CDF of {len(v)} observations. {met.help}"
            name = f"ecdf_{m}"
        if f is None:
            notes.append(f"{m}: no figure, no observation or censoring time to draw")
            continue
        out.append(Figure(name, f, cap))
    series = _series(run, series_csv, notes)
    if series is not None:
        out.append(series)
    return out


def _series(run: Run, series_csv: str | None, notes: list[str]) -> Figure | None:
    title = f"replication 0 of {run.meta.get('scenario_name', run.label)}"
    if run.meta.get("scenario_hash"):
        title += f" (hash {run.meta['scenario_hash']})"
    tmp = None
    if series_csv is None:
        scen = os.path.join(run.dir, "scenario.json")
        if not os.path.exists(scen):
            notes.append("series: no figure, the directory has no scenario.json "
                         "(pass --series FILE.csv from `porsim trace --series`)")
            return None
        porsim = find_porsim()
        if porsim is None:
            notes.append("series: no figure, porsim not found (set PORSIM=/path/to/porsim)")
            return None
        tmp = tempfile.mkdtemp(prefix="porsim-analyze-")
        series_csv = os.path.join(tmp, "series.csv")
        plots.trace_series(porsim, scen, series_csv, 0)  # raises on failure
    try:
        df = pd.read_csv(series_csv)
    except (OSError, pd.errors.ParserError) as e:
        raise LoadError(f"{series_csv}: cannot read the series ({e})") from None
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    if "t_seconds" not in df.columns:
        raise LoadError(f"{series_csv}: not a porsim trace --series file (no t_seconds)")
    onset = run.runs.loc[run.runs["replication"] == 0, "onset"] if "onset" in run.runs else []
    onset_s = float(onset.iloc[0]) if len(onset) else None
    fig = plots.fig_series(df, title, onset_s)
    return Figure("series", fig, "Time series of replication 0: true reserve, reported answer "
                  "and supply (tokens), and their ratios; dashed: the onset of the shortfall.")


def sweep_figures(sw: Sweep, metrics: list[str], notes: list[str] | None = None) -> list[Figure]:
    notes = notes if notes is not None else []
    out = []
    labels = {int(p): sw.point_label(int(p)) for p in sw.points["point"]}
    for m in metrics:
        met = sw.metrics[m]
        if met.censorable:
            samples = [(labels[p], *sw.survival(m, p)) for p in labels]
            f = plots.fig_km(met, samples, m)
            if f is not None:
                out.append(Figure(f"km_{m}", f, f"{m}: Kaplan-Meier survival per point. {met.help}"))
        else:
            samples = [(labels[p], sw.run_at(p).values(m)) for p in labels]
            f = plots.fig_ecdf(met, samples, m)
            if f is not None:
                out.append(Figure(f"ecdf_{m}", f, f"{m}: empirical CDF per point. {met.help}"))
        if f is None:
            notes.append(f"{m}: no figure, no observation or censoring time at any point")
            continue
        f = plots.fig_effect(sw, m)
        stat = "Kaplan-Meier median" if met.censorable else "mean"
        if f is None:
            notes.append(f"{m}: no effect figure or heatmap, the {stat} is undefined at "
                         "every point" + (" (not reached: too many censored runs)"
                                          if met.censorable else ""))
            continue
        if f is not None:
            out.append(Figure(f"effect_{m}", f, f"{m}: {stat} per point with its 95% CI "
                              f"against {sw.params[0]}."))
        if len(sw.params) >= 2:
            f = plots.fig_heatmap(sw, m)
            if f is not None:
                out.append(Figure(f"heatmap_{m}", f, f"{m}: {stat} per point over "
                                  f"{sw.params[0]} and {sw.params[1]}."))
        else:
            notes.append(f"{m}: no heatmap, a heatmap needs at least 2 swept parameters")
    fr = load_frontier(sw.dir)
    if fr is not None:
        units = {}
        if sw.columns is not None:
            c = sw.columns[sw.columns["file"].isin(["frontier.csv", "runs.csv"])]
            units = dict(zip(c["column"], c["unit"]))
        f = plots.fig_frontier(fr, sw.params, units)
        if f is not None:
            out.append(Figure("frontier", f, "Cost against each risk: the points no other point "
                              "beats on every column (not dominated) form the frontier."))
    return out


def load_frontier(d: str) -> pd.DataFrame | None:
    """DIR/frontier.csv (from `porsim tune`) or None."""
    path = os.path.join(d, "frontier.csv")
    if not os.path.exists(path):
        return None
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


def figures(obj, metrics, series_csv=None, notes=None) -> list[Figure]:
    if isinstance(obj, Sweep):
        return sweep_figures(obj, metrics, notes)
    return run_figures(obj, metrics, series_csv, notes)


def finite(x) -> bool:
    return x is not None and np.isfinite(x)
