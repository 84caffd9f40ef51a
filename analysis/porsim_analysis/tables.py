"""Summary tables (porsim-analyze summary and the report): one row per metric (run) or
per (point, metric) (sweep), every number in the unit given on its row.

Columns: n, censored, missing, mean and its 95% Student t CI, median, p90 (observations
only, as summary.json), and the Kaplan-Meier median with its 95% CI (censorable
metrics; censored runs count). Durations are shown in the unit their median suggests.

The rows also carry porsim's own Kaplan-Meier p50/p90/p99 with their Brookmeyer-Crowley
95% CI (km_p50, km_p50_lo, km_p50_hi, ...; sim/stats/FORMATS.md), read from summary.json
(run) or summary.csv (sweep) rather than recomputed: +inf = beyond horizon, NaN =
undefined or not censorable. The report shows them (km_q_text).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import stats
from .loaders import Run, Sweep
from .plots import duration_unit

COLUMNS = ["n", "censored", "missing", "mean", "ci_lo", "ci_hi", "median", "p90",
           "km_median", "km_lo", "km_hi", "unit"]
KM_PS = ("p50", "p90", "p99")
KM_COLUMNS = [f"km_{q}{s}" for q in KM_PS for s in ("", "_lo", "_hi")]


def km_from_summary_json(entry: dict | None) -> dict:
    """km_p50 ... km_p99_hi of one metric of summary.json ({"estimate", "ci95",
    "beyond_horizon"} per quantile): null estimate with beyond_horizon true = +inf, a null
    CI limit of a defined quantile = +inf (beyond the horizon, FORMATS.md), NaN when the
    metric has no such field (not censorable, or an older summary.json)."""
    out = {k: np.nan for k in KM_COLUMNS}
    for q in KM_PS:
        f = (entry or {}).get(f"km_{q}")
        if not isinstance(f, dict):
            continue
        est, beyond = f.get("estimate"), bool(f.get("beyond_horizon"))
        if est is None and not beyond:  # no runs: undefined
            continue
        lo, hi = (list(f.get("ci95") or []) + [None, None])[:2]
        out[f"km_{q}"] = np.inf if est is None else float(est)
        out[f"km_{q}_lo"] = np.inf if lo is None else float(lo)
        out[f"km_{q}_hi"] = np.inf if hi is None else float(hi)
    return out


def km_from_summary_csv(row) -> dict:
    """The same columns from a row of a sweep's summary.csv (inf / empty as written)."""
    return {k: float(row[k]) if k in row.index else np.nan for k in KM_COLUMNS}


def metric_row(run: Run, metric: str, km: dict | None = None) -> dict:
    """The summary of METRIC over RUN's rows, converted to its display unit. KM: porsim's
    Kaplan-Meier quantiles of it (km_from_summary_*), by default from RUN's summary.json."""
    m = run.metrics[metric]
    d = stats.describe(run.values(metric))
    t, e = run.survival(metric)
    ncens = int((~e).sum())
    row = {"metric": metric, "n": d["n"], "censored": ncens,
           "missing": len(run.runs) - d["n"] - ncens,
           "mean": d["mean"], "ci_lo": d["ci95"][0], "ci_hi": d["ci95"][1],
           "median": d["median"], "p90": d["p90"],
           "km_median": np.nan, "km_lo": np.nan, "km_hi": np.nan}
    if km is None:
        km = km_from_summary_json(((run.summary or {}).get("metrics") or {}).get(metric))
    row.update(km)
    if m.censorable:
        q = stats.km_quantiles(t, e, ps=(0.5,))
        row.update(km_median=q["q"][0], km_lo=q["lo"][0], km_hi=q["hi"][0])
    div = 1.0
    unit = m.unit
    if m.kind == "duration":
        seen = np.r_[run.values(metric), t[e]]
        if not len(seen):  # every run censored: the censoring times set the scale
            seen = t[np.isfinite(t)]
        unit, div = duration_unit(seen)
    for k in ["mean", "ci_lo", "ci_hi", "median", "p90", "km_median", "km_lo", "km_hi",
              *KM_COLUMNS]:
        row[k] = row[k] / div
    row["unit"] = unit
    return row


def run_table(run: Run, metrics: list[str]) -> pd.DataFrame:
    return pd.DataFrame([metric_row(run, m) for m in metrics])


def sweep_table(sw: Sweep, metrics: list[str]) -> pd.DataFrame:
    rows = []
    for p in sw.points["point"]:
        r = sw.run_at(int(p))
        vals = sw.points.loc[sw.points["point"] == p].iloc[0]
        for m in metrics:
            row = {"point": int(p)}
            row.update({q: vals[q] for q in sw.params})
            srow = sw.summary[(sw.summary["point"] == p) & (sw.summary["metric"] == m)]
            km = (km_from_summary_csv(srow.iloc[0]) if len(srow)
                  else {k: np.nan for k in KM_COLUMNS})
            row.update(metric_row(r, m, km))
            rows.append(row)
    return pd.DataFrame(rows)


def fmt(v, digits: int = 4) -> str:
    """4 significant digits, whole numbers without decimals, "-" for undefined."""
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "-"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if float(v).is_integer() and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.{digits}g}"


def ci(lo, hi) -> str:
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return "-"
    return f"[{fmt(lo)}, {fmt(hi)}]"


def km_text(row) -> str:
    if not np.isfinite(row["km_median"]):
        return "not reached" if row["censored"] else "-"
    lo = fmt(row["km_lo"]) if np.isfinite(row["km_lo"]) else "-"
    hi = fmt(row["km_hi"]) if np.isfinite(row["km_hi"]) else "-"
    return f"{fmt(row['km_median'])} [{lo}, {hi}]"


def km_q_text(row, q: str) -> str:
    """porsim's Kaplan-Meier quantile Q ("p90") of ROW with its 95% CI: "12.5 [10, 14]",
    "beyond horizon" for an estimate or limit the curve never reached, "-" undefined."""
    def one(v):
        return "beyond horizon" if v == np.inf else fmt(v)
    est = row.get(f"km_{q}", np.nan)
    if not (np.isfinite(est) or est == np.inf):
        return "-"
    return f"{one(est)} [{one(row[f'km_{q}_lo'])}, {one(row[f'km_{q}_hi'])}]"


def text_table(df: pd.DataFrame, keys: list[str]) -> str:
    """A fixed-width text table for the terminal."""
    head = keys + ["n", "censored", "missing", "mean", "95% CI", "median", "p90",
                   "KM median [95% CI]", "unit"]
    rows = []
    for _, r in df.iterrows():
        rows.append([str(r[k]) for k in keys] +
                    [fmt(r["n"]), fmt(r["censored"]), fmt(r["missing"]), fmt(r["mean"]),
                     ci(r["ci_lo"], r["ci_hi"]), fmt(r["median"]), fmt(r["p90"]), km_text(r),
                     r["unit"] or "-"])
    widths = [max(len(h), *(len(x[i]) for x in rows)) if rows else len(h)
              for i, h in enumerate(head)]
    line = lambda cells: "  ".join(c.ljust(w) if i < len(keys) else c.rjust(w)  # noqa: E731
                                   for i, (c, w) in enumerate(zip(cells, widths))).rstrip()
    out = [line(head), "-" * len(line(head))]
    out += [line(r) for r in rows]
    return "\n".join(out) + "\n"
