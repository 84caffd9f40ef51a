"""Loaders: a porsim run or sweep directory as typed pandas DataFrames.

A run directory (porsim run -o) holds runs.csv, censored.csv, columns.csv, summary.json,
meta.json and scenario.json; a sweep directory (porsim sweep -o, porsim merge) holds
points.csv, runs.csv, censored.csv, summary.csv, columns.csv, meta.json and
scenarios.jsonl. Formats: sim/stats/FORMATS.md.

Typing rules:
- metric columns are float64 (durations in seconds, amounts as the nearest double of
  the exact decimal, counts, ratios); an empty cell is NaN;
- index columns (point, replication) are int64;
- swept parameters are ordered categoricals in grid order (so "10m, 1h, 6h, 1d" keep
  that order), and their SI values (<param>_si: seconds, ratios) are float64 columns;
- censoring is explicit: Run.censored / Sweep.censored list every censored cell, and
  Run.survival(metric) returns (time, event) arrays for survival analysis.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

import numpy as np
import pandas as pd


from .errors import LoadError  # noqa: E402,F401  (re-exported)


@dataclass(frozen=True)
class Metric:
    """One metric column: kind is duration, amount, count or ratio; unit is "s" for
    durations, else the model's unit or ""."""
    name: str
    kind: str
    unit: str
    help: str
    censorable: bool

    def label(self) -> str:
        """Axis and table label with the unit: "feed_detect (s)"."""
        return f"{self.name} ({self.unit})" if self.unit else self.name


def _read_csv(path: str, **kw) -> pd.DataFrame:
    try:
        # keep_default_na=False: only an empty cell is missing ("NA" is no porsim value).
        return pd.read_csv(path, keep_default_na=False, na_values=[""], **kw)
    except FileNotFoundError:
        raise LoadError(f"{path}: no such file") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
        raise LoadError(f"{path}: not a CSV file ({e})") from None


def _read_json(path: str):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        return None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise LoadError(f"{path}: not JSON ({e})") from None


def _columns(d: str) -> pd.DataFrame | None:
    path = os.path.join(d, "columns.csv")
    if not os.path.exists(path):
        return None
    cols = _read_csv(path, dtype=str).fillna("")
    want = ["file", "column", "kind", "unit", "censorable", "description"]
    if list(cols.columns) != want:
        raise LoadError(f"{path}: header is not {','.join(want)}")
    return cols


def _metrics_from_columns(cols: pd.DataFrame, metric_names: list[str]) -> dict[str, Metric]:
    rows = cols[cols["file"] == "runs.csv"].set_index("column")
    out = {}
    for name in metric_names:
        if name not in rows.index:
            raise LoadError(f"columns.csv: no entry for runs.csv column {name}")
        r = rows.loc[name]
        out[name] = Metric(name, r["kind"], r["unit"], r["description"],
                           r["censorable"] == "true")
    return out


def _metrics_from_summary(summary: dict, metric_names: list[str]) -> dict[str, Metric]:
    ms = summary.get("metrics", {}) if summary else {}
    out = {}
    for name in metric_names:
        m = ms.get(name, {})
        out[name] = Metric(name, m.get("kind", "number"), m.get("unit") or "",
                           m.get("help") or "", bool(m.get("censorable", False)))
    return out


def _numeric(df: pd.DataFrame, names: list[str], path: str) -> None:
    for name in names:
        try:
            df[name] = pd.to_numeric(df[name], errors="raise").astype("float64")
        except (ValueError, TypeError):
            raise LoadError(f"{path}: column {name} is not numeric") from None


def _censored(d: str, keys: list[str]) -> pd.DataFrame | None:
    path = os.path.join(d, "censored.csv")
    if not os.path.exists(path):
        return None
    c = _read_csv(path, dtype={"metric": str})
    want = keys + ["metric", "censored_at"]
    if list(c.columns) != want:
        raise LoadError(f"{path}: header is not {','.join(want)}")
    for k in keys:
        c[k] = c[k].astype("int64")
    c["censored_at"] = pd.to_numeric(c["censored_at"]).astype("float64")
    return c


def _survival(runs: pd.DataFrame, censored: pd.DataFrame, metric: Metric,
              keys: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(time, event) over the rows of RUNS: observations are events; censored cells are
    censored at censored_at (+inf when unknown); absent cells are left out."""
    obs = runs[metric.name].to_numpy(dtype=float)
    event = np.isfinite(obs)
    times = [obs[event]]
    events = [np.ones(event.sum(), dtype=bool)]
    if censored is not None and len(censored):
        c = censored[censored["metric"] == metric.name]
        c = c.merge(runs[keys], on=keys, how="inner")
        t = c["censored_at"].to_numpy(dtype=float)
        times.append(np.where(np.isnan(t), np.inf, t))
        events.append(np.zeros(len(t), dtype=bool))
    return np.concatenate(times), np.concatenate(events)


@dataclass
class Run:
    """A run directory, or one point of a sweep (Sweep.run_at)."""
    dir: str
    runs: pd.DataFrame                 # replication, then one float column per metric
    censored: pd.DataFrame             # replication, metric, censored_at (s; NaN = +inf)
    metrics: dict[str, Metric]
    summary: dict | None = None        # summary.json (None for a sweep point)
    meta: dict = field(default_factory=dict)
    scenario: dict | None = None       # the effective scenario (scenario.json)
    columns: pd.DataFrame | None = None
    label: str = ""                    # how plots and tables name this sample
    kind: str = "run"

    def survival(self, metric: str) -> tuple[np.ndarray, np.ndarray]:
        """(time, event): see stats.km."""
        return _survival(self.runs, self.censored, self.metrics[metric], ["replication"])

    def values(self, metric: str) -> np.ndarray:
        """The observations of METRIC (present, uncensored, finite)."""
        v = self.runs[metric].to_numpy(dtype=float)
        return v[np.isfinite(v)]

    @property
    def seed(self):
        return self.meta.get("seed")


def load_run(d: str) -> Run:
    """Loads a run directory."""
    path = os.path.join(d, "runs.csv")
    runs = _read_csv(path)
    if not len(runs.columns) or runs.columns[0] != "replication":
        raise LoadError(f"{path}: not a porsim runs.csv (first column is not replication)")
    names = list(runs.columns[1:])
    runs["replication"] = runs["replication"].astype("int64")
    _numeric(runs, names, path)
    summary = _read_json(os.path.join(d, "summary.json"))
    cols = _columns(d)
    metrics = (_metrics_from_columns(cols, names) if cols is not None
               else _metrics_from_summary(summary, names))
    censored = _censored(d, ["replication"])
    if censored is None:
        censored = _censored_from_summary(d, runs, metrics, summary)
    meta = _read_json(os.path.join(d, "meta.json")) or {}
    scenario = _read_json(os.path.join(d, "scenario.json"))
    label = os.path.basename(os.path.normpath(d))
    return Run(d, runs, censored, metrics, summary, meta, scenario, cols, label)


def _censored_from_summary(d, runs, metrics, summary) -> pd.DataFrame:
    """Output format 1 (no censored.csv): an empty cell of a censorable metric is
    censored when summary.json counts no missing cell for it; ambiguous otherwise."""
    rows = []
    for m in metrics.values():
        empty = runs.loc[runs[m.name].isna(), "replication"]
        if not m.censorable or not len(empty):
            continue
        s = (summary or {}).get("metrics", {}).get(m.name, {})
        if s.get("missing", 0) and s.get("censored", 0):
            raise LoadError(f"{d}: {m.name} has both censored and absent cells and no "
                            "censored.csv tells them apart (rerun with a newer porsim)")
        if s.get("censored", 0) or not summary:
            rows += [(int(r), m.name, np.nan) for r in empty]
    return pd.DataFrame(rows, columns=["replication", "metric", "censored_at"]).astype(
        {"replication": "int64", "censored_at": "float64"})


@dataclass
class Sweep:
    """A sweep (or merge) directory."""
    dir: str
    params: list[str]                  # swept parameter paths, in grid order
    points: pd.DataFrame               # point, params (categorical), hash, seed, reps, <p>_si
    runs: pd.DataFrame                 # point, params, replication, metrics..., <p>_si
    censored: pd.DataFrame             # point, replication, metric, censored_at
    summary: pd.DataFrame              # summary.csv, with <p>_si
    metrics: dict[str, Metric]
    meta: dict = field(default_factory=dict)
    columns: pd.DataFrame | None = None
    kind: str = "sweep"
    _scenarios: dict | None = field(default=None, repr=False)

    def si(self, param: str) -> str:
        """The name of PARAM's numeric SI column."""
        return param + "_si"

    def param_unit(self, param: str) -> str:
        if self.columns is None:
            return ""
        c = self.columns[(self.columns["file"] == "points.csv") &
                         (self.columns["column"] == self.si(param))]
        return c["unit"].iloc[0] if len(c) else ""

    def param_label(self, param: str) -> str:
        u = self.param_unit(param)
        return f"{param} ({u})" if u and u != "1" else param

    def point_label(self, p: int) -> str:
        row = self.points.loc[self.points["point"] == p].iloc[0]
        return f"p{p}: " + ", ".join(f"{q.split('.')[-1]}={row[q]}" for q in self.params)

    def run_at(self, p: int) -> Run:
        """Point P as a Run (rows of that point, indexed by replication)."""
        if p not in set(self.points["point"]):
            raise LoadError(f"{self.dir}: no point {p} (points 0..{len(self.points) - 1})")
        runs = self.runs[self.runs["point"] == p]
        runs = runs[["replication"] + list(self.metrics)].reset_index(drop=True)
        cens = self.censored[self.censored["point"] == p].drop(columns="point")
        row = self.points.loc[self.points["point"] == p].iloc[0]
        meta = {"seed": int(row["scenario_seed"]), "scenario_hash": row["scenario_hash"],
                "sweep": self.dir, "point": p}
        scen = self.scenarios().get(p)
        return Run(self.dir, runs, cens.reset_index(drop=True), self.metrics, None, meta,
                   scen, self.columns, f"{os.path.basename(os.path.normpath(self.dir))}:{p}",
                   kind="point")

    def survival(self, metric: str, point: int) -> tuple[np.ndarray, np.ndarray]:
        return self.run_at(point).survival(metric)

    def scenarios(self) -> dict[int, dict]:
        """point -> effective scenario (scenarios.jsonl, read once), {} when the file is
        absent (output format 1)."""
        if self._scenarios is None:
            self._scenarios = {}
            path = os.path.join(self.dir, "scenarios.jsonl")
            if os.path.exists(path):
                with open(path, encoding="utf-8") as f:
                    for line in f:
                        o = json.loads(line)
                        self._scenarios[int(o["point"])] = o["scenario"]
        return self._scenarios


def load_sweep(d: str) -> Sweep:
    """Loads a sweep or merge directory."""
    ppath = os.path.join(d, "points.csv")
    points = _read_csv(ppath, dtype=str)
    cols = list(points.columns)
    if not cols or cols[0] != "point" or "scenario_hash" not in cols:
        raise LoadError(f"{ppath}: not a porsim points.csv")
    params = cols[1:cols.index("scenario_hash")]
    points["point"] = points["point"].astype("int64")
    points["scenario_seed"] = points["scenario_seed"].astype("int64")
    points["scenario_replications"] = points["scenario_replications"].astype("int64")
    for q in params:
        si = q + "_si"
        if si in points.columns:
            points[si] = pd.to_numeric(points[si]).astype("float64")
        # Categories in grid order (first appearance), not alphabetical.
        order = list(dict.fromkeys(points[q]))
        points[q] = pd.Categorical(points[q], categories=order, ordered=True)

    rpath = os.path.join(d, "runs.csv")
    runs = _read_csv(rpath, dtype={q: str for q in params})
    head = ["point"] + params + ["replication"]
    if list(runs.columns[:len(head)]) != head:
        raise LoadError(f"{rpath}: header does not start with {','.join(head)}")
    names = list(runs.columns[len(head):])
    runs["point"] = runs["point"].astype("int64")
    runs["replication"] = runs["replication"].astype("int64")
    _numeric(runs, names, rpath)
    for q in params:
        runs[q] = pd.Categorical(runs[q], categories=points[q].cat.categories, ordered=True)
    sis = [q + "_si" for q in params if q + "_si" in points.columns]
    if sis:
        runs = runs.merge(points[["point"] + sis], on="point", how="left")

    colsdf = _columns(d)
    if colsdf is not None:
        metrics = _metrics_from_columns(colsdf, names)
    else:
        metrics = {n: Metric(n, "number", "", "", False) for n in names}
    censored = _censored(d, ["point", "replication"])
    if censored is None:
        raise LoadError(f"{d}/censored.csv: no such file")
    if colsdf is None:  # format 1: censorable = appears in censored.csv
        for n in set(censored["metric"]):
            if n in metrics:
                m = metrics[n]
                metrics[n] = Metric(m.name, m.kind, m.unit, m.help, True)

    spath = os.path.join(d, "summary.csv")
    summary = _read_csv(spath, dtype={q: str for q in params} | {"metric": str})
    for c in summary.columns[len(params) + 2:]:
        summary[c] = pd.to_numeric(summary[c]).astype("float64")
    for q in params:
        summary[q] = pd.Categorical(summary[q], categories=points[q].cat.categories,
                                    ordered=True)
    if sis:
        summary = summary.merge(points[["point"] + sis], on="point", how="left")
    meta = _read_json(os.path.join(d, "meta.json")) or {}
    return Sweep(d, params, points, runs, censored, summary, metrics, meta, colsdf)


def load(d: str):
    """A run directory (runs.csv without points.csv) or a sweep directory (points.csv);
    "DIR:POINT" names one point of a sweep (a Run)."""
    if not os.path.isdir(d) and ":" in d:
        base, _, p = d.rpartition(":")
        if os.path.isdir(base) and p.isdigit():
            return load_sweep(base).run_at(int(p))
    if not os.path.isdir(d):
        raise LoadError(f"{d}: not a directory")
    if os.path.exists(os.path.join(d, "points.csv")):
        return load_sweep(d)
    if os.path.exists(os.path.join(d, "runs.csv")):
        return load_run(d)
    raise LoadError(f"{d}: neither a run directory (runs.csv) nor a sweep (points.csv)")
