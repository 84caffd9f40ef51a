"""Figures of porsim outputs with matplotlib (SVG, no network references).

Rules every figure follows:
- one metric per figure, drawn at the scale it needs: a duration is shown in the unit
  its median suggests (ms, s, min, h or d, as porsim's terminal table) and on a log axis
  when its positive values span two decades or more;
- axis labels carry units ("feed_detect (min)"); legends sit outside the data (right of
  the axes); up to 12 series share one axes in distinct colours, more become small
  multiples (one panel per series);
- distributions are Kaplan-Meier curves (censorable metrics: censored runs count) or
  ECDFs (statsmodels ECDF), never overlaid histograms;
- a figure with nothing to draw is not made (the caller says why instead).
"""
from __future__ import annotations

import itertools
import math
import re
import subprocess
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from statsmodels.distributions.empirical_distribution import ECDF  # noqa: E402

from . import stats  # noqa: E402
from .loaders import Metric, Run, Sweep  # noqa: E402

plt.rcParams.update({
    "svg.fonttype": "none",        # text stays text: searchable, smaller
    "svg.hashsalt": "porsim",      # deterministic ids
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "figure.dpi": 100,
    "figure.max_open_warning": 0,  # a report holds all its figures until it is written
})

# 12 distinct colours: Tableau 10 and two more (black, brown) that differ from all ten.
PALETTE = list(plt.get_cmap("tab10").colors) + [(0.0, 0.0, 0.0), (0.55, 0.34, 0.16)]
MAX_SERIES = len(PALETTE)

# Duration display units (seconds per unit), chosen from the median like print.c.
_UNITS = [("ms", 1e-3), ("s", 1.0), ("min", 60.0), ("h", 3600.0), ("d", 86400.0)]


def duration_unit(values) -> tuple[str, float]:
    """("min", 60.0): the display unit for durations VALUES (seconds): ms below 1 s,
    s below 120 s, min below 120 min, h below 48 h, else d (median of finite values)."""
    v = np.asarray(values, float)
    v = v[np.isfinite(v)]
    m = float(np.median(v)) if len(v) else 1.0
    if m < 1:
        return _UNITS[0]
    if m < 120:
        return _UNITS[1]
    if m < 7200:
        return _UNITS[2]
    if m < 172800:
        return _UNITS[3]
    return _UNITS[4]


def display(metric: Metric, values) -> tuple[str, float]:
    """(axis label, divisor) for METRIC's VALUES."""
    if metric.kind == "duration":
        u, div = duration_unit(values)
        return f"{metric.name} ({u})", div
    return metric.label(), 1.0


def spans_decades(values, decades: float = 2.0) -> bool:
    """True when the positive finite VALUES span DECADES orders of magnitude or more."""
    v = np.asarray(values, float)
    v = v[np.isfinite(v) & (v > 0)]
    return len(v) >= 2 and v.max() / v.min() >= 10 ** decades


def _data(artists):
    """Marks ARTISTS (one or a list) as data: their SVG groups get ids "porsim-data-N",
    by which the report's browser test finds what a figure plots."""
    global _ndata
    for a in artists if isinstance(artists, (list, tuple)) else [artists]:
        _ndata += 1
        a.set_gid(f"porsim-data-{_ndata}")
    return artists


_ndata = 0


def _legend_outside(ax, title=None):
    h, lab = ax.get_legend_handles_labels()
    if h:
        ax.legend(h, lab, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0,
                  fontsize=9, title=title, title_fontsize=9, frameon=False)


def _panels(n: int, panel_w=3.2, panel_h=2.4):
    cols = min(4, n)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(panel_w * cols + 0.6, panel_h * rows + 0.8),
                             sharex=True, sharey=True, squeeze=False)
    flat = axes.ravel()
    for ax in flat[n:]:
        ax.set_visible(False)
    return fig, flat[:n]


def set_log(ax, axis: str) -> None:
    """A log AXIS whose ticks read as plain numbers (0.5, 10, 300), not powers of ten."""
    (ax.set_xscale if axis == "x" else ax.set_yscale)("log")
    plain = matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}")
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(plain)


def _log_axis(ax, axis: str, values) -> bool:
    if spans_decades(values):
        set_log(ax, axis)
        return True
    return False


# ---- distributions -------------------------------------------------------------------

def _series_axes(n: int):
    """One axes for up to MAX_SERIES step curves (every series on it), else one small
    panel per series: (fig, axes indexed by series, many)."""
    many = n > MAX_SERIES
    if many:
        fig, axes = _panels(n)
    else:
        fig, ax = plt.subplots(figsize=(7.5, 4.2))
        axes = [ax] * n
    return fig, axes, many


def _finish_steps(fig, axes, many, logx, xlabel, ylabel, many_title, one_title):
    """Axes of a figure of step curves of a share in [0, 1]: log x when asked, labels on
    the figure (small multiples) or on the one axes with the legend outside."""
    for ax in set(axes):
        if logx:
            set_log(ax, "x")
        ax.set_ylim(-0.02, 1.02)
    if many:
        fig.supxlabel(xlabel)
        fig.supylabel(ylabel)
        fig.suptitle(many_title)
    else:
        ax = axes[0]
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(one_title)
        _legend_outside(ax)
    return fig


def fig_km(metric: Metric, samples: list[tuple[str, np.ndarray, np.ndarray]], title: str):
    """Kaplan-Meier survival of METRIC for SAMPLES [(label, time, event)]: the share of
    runs where the event has not happened yet, against time since onset. Censored runs
    are ticks on their curve. None when no sample has an event or censoring time."""
    samples = [s for s in samples if len(s[1])]
    if not samples:
        return None
    allt = np.concatenate([s[1][np.isfinite(s[1])] for s in samples])
    events = np.concatenate([s[1][s[2]] for s in samples])
    if not len(events):
        return None
    xlabel, div = display(metric, events)
    fig, axes, many = _series_axes(len(samples))
    logx = spans_decades(allt)
    for k, (label, t, e) in enumerate(samples):
        ax = axes[k]
        curve = stats.km_curve(t, e)
        tt = curve["t"].to_numpy() / div
        ss = curve["S"].to_numpy()
        fin = t[np.isfinite(t)]
        tmax = (fin.max() if len(fin) else tt[-1] * div) / div
        if tmax > tt[-1]:
            tt, ss = np.r_[tt, tmax], np.r_[ss, ss[-1]]
        if logx:
            keep = tt > 0
            first = tt[keep].min() if keep.any() else 1
            tt = np.r_[first, tt[keep]]
            ss = np.r_[1.0, ss[keep]]
        colour = PALETTE[0] if many else PALETTE[k]
        n_cens = int((~e).sum())
        _data(ax.step(tt, ss, where="post", color=colour, lw=1.6,
                label=f"{label} (n={len(t)}, {n_cens} censored)"))
        ct = t[(~e) & np.isfinite(t)] / div
        if len(ct):
            sf = stats.km(t, e)
            sv = [sf.surv_prob[sf.surv_times <= c * div][-1] if (sf.surv_times <= c * div).any()
                  else 1.0 for c in ct]
            _data(ax.plot(ct, sv, "+", color=colour, ms=8, mew=1.5))
        if many:
            ax.set_title(label, fontsize=9)
    return _finish_steps(fig, axes, many, logx, xlabel, "share not yet happened  S(t)",
                         f"{title}: Kaplan-Meier, {len(samples)} series",
                         f"{title}: Kaplan-Meier survival (+ = censored)")


def fig_ecdf(metric: Metric, samples: list[tuple[str, np.ndarray]], title: str):
    """Empirical CDF of METRIC's observations per sample [(label, values)] (statsmodels
    ECDF), steps in distinct colours, small multiples beyond 12. None without values."""
    samples = [(lab, v[np.isfinite(v)]) for lab, v in samples]
    samples = [s for s in samples if len(s[1])]
    if not samples:
        return None
    allv = np.concatenate([v for _, v in samples])
    xlabel, div = display(metric, allv)
    fig, axes, many = _series_axes(len(samples))
    logx = spans_decades(allv)
    for k, (label, v) in enumerate(samples):
        ax = axes[k]
        e = ECDF(v / div)
        xs = e.x.copy()
        lo, hi = (xs[1], xs[-1])
        if logx:
            xs[0] = max(lo, np.min(allv[allv > 0]) / div) if (allv > 0).any() else lo
        else:
            span = (np.max(allv) - np.min(allv)) / div or 1.0
            xs[0] = lo - 0.05 * span
        xs = np.r_[xs, hi + (0 if logx else 0.05 * ((np.max(allv) - np.min(allv)) / div or 1))]
        ys = np.r_[e.y, 1.0]
        colour = PALETTE[0] if many else PALETTE[k]
        _data(ax.step(xs, ys, where="post", color=colour, lw=1.6, label=f"{label} (n={len(v)})"))
        if many:
            ax.set_title(label, fontsize=9)
    return _finish_steps(fig, axes, many, logx, xlabel, "share of runs  ≤ x",
                         f"{title}: ECDF, {len(samples)} series", f"{title}: empirical CDF")


# ---- sweeps --------------------------------------------------------------------------

def point_statistic(sw: Sweep, metric: str) -> pd.DataFrame:
    """Per point: the figure that summarizes METRIC and its 95% CI. Censorable metrics:
    the Kaplan-Meier median with its CI (statsmodels); others: the mean with the
    Student t CI of summary.csv. Columns: point, value, lo, hi, stat."""
    m = sw.metrics[metric]
    rows = []
    for p in sw.points["point"]:
        if m.censorable:
            t, e = sw.survival(metric, int(p))
            q = stats.km_quantiles(t, e, ps=(0.5,))
            rows.append((int(p), q["q"][0], q["lo"][0], q["hi"][0], "KM median"))
        else:
            s = sw.summary[(sw.summary["point"] == p) & (sw.summary["metric"] == metric)]
            if len(s):
                r = s.iloc[0]
                rows.append((int(p), r["mean"], r["ci_lo"], r["ci_hi"], "mean"))
            else:
                rows.append((int(p), np.nan, np.nan, np.nan, "mean"))
    return pd.DataFrame(rows, columns=["point", "value", "lo", "hi", "stat"])


def _x_of(sw: Sweep, param: str) -> tuple[np.ndarray, bool, list[str]]:
    """Per point x positions for PARAM: its SI values when every one is a number, else
    the grid order of its text values. Returns (x, numeric, tick labels)."""
    si = sw.si(param)
    cats = list(sw.points[param].cat.categories)
    if si in sw.points.columns and sw.points[si].notna().all():
        return sw.points[si].to_numpy(float), True, cats
    return sw.points[param].cat.codes.to_numpy(float), False, cats


def fig_effect(sw: Sweep, metric: str):
    """METRIC's point statistic (KM median or mean, 95% CI bars) against the first
    swept parameter, one line per combination of the other parameters."""
    m = sw.metrics[metric]
    st = point_statistic(sw, metric)
    if not np.isfinite(st["value"]).any():
        return None
    xparam = sw.params[0]
    x, numeric, cats = _x_of(sw, xparam)
    others = sw.params[1:]
    groups = (sw.points.groupby(others, observed=True, sort=True).groups
              if others else {(): sw.points.index})
    ylabel, div = display(m, st["value"])
    keys = list(groups)
    many = len(keys) > MAX_SERIES
    if many:
        fig, axes = _panels(len(keys))
    else:
        fig, ax = plt.subplots(figsize=(7.5, 4.2))
        axes = [ax] * max(1, len(keys))
    for k, key in enumerate(keys):
        idx = np.asarray(sorted(groups[key]))
        ax = axes[k]
        xs = x[idx]
        order = np.argsort(xs)
        pts = sw.points["point"].to_numpy()[idx][order]
        s = st.set_index("point").loc[pts]
        v = s["value"].to_numpy(float) / div
        lo = s["lo"].to_numpy(float) / div
        hi = s["hi"].to_numpy(float) / div
        key = key if isinstance(key, tuple) else (key,)
        label = ", ".join(f"{q.split('.')[-1]}={val}" for q, val in zip(others, key)) or metric
        colour = PALETTE[0] if many else PALETTE[k]
        yerr = np.vstack([np.where(np.isfinite(lo), v - lo, 0), np.where(np.isfinite(hi), hi - v, 0)])
        with warnings.catch_warnings():  # points without a value are gaps, not errors
            warnings.simplefilter("ignore")
            eb = ax.errorbar(xs[order], v, yerr=np.abs(yerr), fmt="o-", color=colour,
                             capsize=3, lw=1.4, ms=5, label=label)
        _data(eb.lines[0])
        if many:
            ax.set_title(label, fontsize=9)
    stat = st["stat"].iloc[0]
    for ax in set(axes):
        if numeric:
            _log_axis(ax, "x", x)
        else:
            ax.set_xticks(range(len(cats)), cats)
        if spans_decades(st["value"]):
            set_log(ax, "y")
    xl = sw.param_label(xparam)
    yl = f"{stat} of {ylabel} (95% CI)"
    if many:
        fig.supxlabel(xl)
        fig.supylabel(yl)
        fig.suptitle(f"{metric} against {xparam}")
    else:
        ax = axes[0]
        ax.set_xlabel(xl)
        ax.set_ylabel(yl)
        ax.set_title(f"{metric} against {xparam}")
        if others:
            _legend_outside(ax, title=", ".join(q.split(".")[-1] for q in others))
    return fig


def _fmt(v: float, unit: str) -> str:
    if not np.isfinite(v):
        return "not reached"
    s = f"{v:.4g}"
    return f"{s} {unit}".strip() if unit and unit != "1" else s


def fig_heatmap(sw: Sweep, metric: str):
    """METRIC's point statistic over the first two swept parameters (rows: the second,
    columns: the first), each cell labelled; small multiples over the combinations of
    any further parameters. None for fewer than two parameters."""
    if len(sw.params) < 2:
        return None
    m = sw.metrics[metric]
    st = point_statistic(sw, metric).set_index("point")
    if not np.isfinite(st["value"]).any():
        return None
    px, py = sw.params[0], sw.params[1]
    rest = sw.params[2:]
    groups = (sw.points.groupby(rest, observed=True, sort=True).groups
              if rest else {(): sw.points.index})
    keys = list(groups)[:MAX_SERIES]
    _, div = display(m, st["value"])
    unit = duration_unit(st["value"])[0] if m.kind == "duration" else m.unit
    cx = list(sw.points[px].cat.categories)
    cy = list(sw.points[py].cat.categories)
    vmin = np.nanmin(st["value"]) / div
    vmax = np.nanmax(st["value"]) / div
    if vmin == vmax:  # one value everywhere: a colour scale around it
        pad = abs(vmin) * 0.05 or 0.5
        vmin, vmax = vmin - pad, vmax + pad
    log = vmin > 0 and vmax / vmin >= 100
    norm = matplotlib.colors.LogNorm(vmin, vmax) if log else matplotlib.colors.Normalize(vmin, vmax)
    n = len(keys)
    w = max(4.5, 1.1 * len(cx) + 2.5)
    h = max(3.6, 0.6 * len(cy) + 1.8)
    cols = min(3, n)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(w * cols, h * rows), squeeze=False)
    flat = axes.ravel()
    for ax in flat[n:]:
        ax.set_visible(False)
    stat = st["stat"].iloc[0]
    im = None
    for k, key in enumerate(keys):
        ax = flat[k]
        grid = np.full((len(cy), len(cx)), np.nan)
        for i in groups[key]:
            row = sw.points.loc[i]
            grid[cy.index(row[py]), cx.index(row[px])] = st.loc[int(row["point"]), "value"] / div
        im = _data(ax.imshow(np.ma.masked_invalid(grid), cmap="viridis", norm=norm,
                             aspect="auto", origin="lower"))
        ax.set_xticks(range(len(cx)), cx)
        ax.set_yticks(range(len(cy)), cy)
        ax.set_xlabel(px)
        ax.set_ylabel(py)
        ax.grid(False)
        for (yi, xi), v in np.ndenumerate(grid):
            shade = norm(v) if np.isfinite(v) else 0
            ax.text(xi, yi, _fmt(v, unit), ha="center", va="center", fontsize=9,
                    color="black" if np.isfinite(v) and shade > 0.6 else "white")
            if not np.isfinite(v):
                ax.add_patch(plt.Rectangle((xi - 0.5, yi - 0.5), 1, 1, color="0.35"))
                ax.text(xi, yi, "not reached", ha="center", va="center", fontsize=9,
                        color="white")
        key = key if isinstance(key, tuple) else (key,)
        if rest:
            ax.set_title(", ".join(f"{q.split('.')[-1]}={v}" for q, v in zip(rest, key)),
                         fontsize=9)
    label = metric + (f" ({unit})" if unit and unit != "1" else "")
    fig.colorbar(im, ax=flat[:n].tolist(), label=label, shrink=0.9)
    fig.suptitle(f"{metric}: {stat} per point")
    return fig


# ---- frontier (frontier.csv, written by `porsim tune`) -------------------------------

def frontier_columns(fr: pd.DataFrame, params: list[str]) -> tuple[str | None, list[str]]:
    """(cost column, risk columns) of a frontier table, read generically: the numeric
    columns that are not a parameter, its SI value, an index or the dominated flag; the
    first is taken as the cost, the others as risks."""
    skip = set(params) | {p + "_si" for p in params} | {"point", "dominated", "replications"}
    num = [c for c in fr.columns
           if c not in skip and not c.endswith("_si") and pd.api.types.is_numeric_dtype(fr[c])]
    if not num:
        return None, []
    return num[0], num[1:]


def fig_frontier(fr: pd.DataFrame, params: list[str], units: dict[str, str]):
    """One panel per risk column: cost (x) against risk (y), non-dominated points
    joined (the frontier), dominated points grey."""
    cost, risks = frontier_columns(fr, params)
    if cost is None or not risks:
        return None
    dom = fr["dominated"].astype(str).str.lower().isin(["1", "true", "yes"]) \
        if "dominated" in fr.columns else pd.Series(False, index=fr.index)
    fig, axes = plt.subplots(1, len(risks), figsize=(5.2 * len(risks) + 1.5, 4.2), squeeze=False)

    def lab(c):
        u = units.get(c, "")
        return f"{c} ({u})" if u and u != "1" else c

    for ax, r in zip(axes.ravel(), risks):
        ok = fr[[cost, r]].notna().all(axis=1)
        d = fr[ok & dom]
        f = fr[ok & ~dom].sort_values(cost)
        _data(ax.plot(d[cost], d[r], "o", color="0.65", label="dominated"))
        _data(ax.plot(f[cost], f[r], "o-", color=PALETTE[0], label="frontier (not dominated)"))
        ax.set_xlabel(lab(cost))
        ax.set_ylabel(lab(r))
        _log_axis(ax, "x", fr[cost])
        _log_axis(ax, "y", fr[r])
        ax.set_title(f"{r} against {cost}")
    _legend_outside(axes.ravel()[-1])
    return fig


# ---- time series (porsim trace --series) ---------------------------------------------

def trace_series(porsim: str, scenario_path: str, out_csv: str, run: int = 0) -> None:
    """Runs `porsim trace SCENARIO --run RUN --series OUT_CSV`; raises RuntimeError with
    porsim's message when it fails."""
    try:
        r = subprocess.run([porsim, "trace", scenario_path, "--run", str(run), "--series",
                            out_csv], capture_output=True, text=True)
    except OSError as e:
        raise RuntimeError(f"cannot run porsim ({porsim}): {e.strerror}; set PORSIM, or "
                           "pass --series FILE.csv") from None
    if r.returncode != 0:
        raise RuntimeError(f"porsim trace failed ({r.returncode}): {r.stderr.strip()}")


def fig_series(series: pd.DataFrame, title: str, onset_s: float | None = None):
    """Amounts (true reserve, reported answer, total supply; token units) and ratios
    (true and reported reserve / supply) over time, two panels with a shared time axis,
    the onset marked."""
    t = series["t_seconds"].to_numpy(float)
    u, div = duration_unit([t.max() / 2 if len(t) else 1])
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(8.5, 5.6), sharex=True)
    for ax, cols in ((a1, ["true_reserve", "reported_answer", "total_supply"]),
                     (a2, ["true_ratio", "reported_ratio"])):
        for k, c in enumerate(cols):
            if c in series.columns:
                v = pd.to_numeric(series[c], errors="coerce")
                _data(ax.step(t / div, v, where="post", color=PALETTE[k], lw=1.5,
                              label=c.replace("_", " ")))
        if onset_s is not None and np.isfinite(onset_s):
            ax.axvline(onset_s / div, color="0.3", ls="--", lw=1,
                       label="onset" if ax is a1 else None)
        _legend_outside(ax)
    a1.yaxis.set_major_formatter(matplotlib.ticker.EngFormatter())  # 920M, not 0.92 1e9
    a1.set_ylabel("tokens")
    a2.set_ylabel("reserve / supply (ratio)")
    a2.set_xlabel(f"time since start ({u})")
    a1.set_title(title)
    return fig


# ---- checks and output ---------------------------------------------------------------

def _shown_ticklabels(ax, axis):
    """The tick labels of AXIS ("x" or "y") that are drawn: non-empty, inside the view."""
    ax_ = ax.xaxis if axis == "x" else ax.yaxis
    lo, hi = sorted(ax.get_xlim() if axis == "x" else ax.get_ylim())
    out = []
    for tick in ax_.get_major_ticks():
        lab = tick.label1
        if lab.get_visible() and lab.get_text().strip() and lo <= tick.get_loc() <= hi:
            out.append(lab)
    return out


def check_figure(fig) -> list[str]:
    """Problems a reader would see: an axes with nothing drawn, a text outside the saved
    (tight) box, or tick labels that overlap each other. [] when the figure is sound."""
    problems = []
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    texts = [t for t in (fig._suptitle, fig._supxlabel, fig._supylabel) if t is not None]
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        texts += [ax.title, ax.xaxis.label, ax.yaxis.label]
        leg = ax.get_legend()
        if leg is not None:
            texts += list(leg.get_texts())
        if ax.get_label() == "<colorbar>":
            continue
        drawn = [a for a in itertools.chain(ax.lines, ax.collections, ax.images, ax.patches)
                 if a.get_visible()]
        if not drawn:
            problems.append(f"axes '{ax.get_title()}' is empty")
        xl = _shown_ticklabels(ax, "x")
        texts += xl + _shown_ticklabels(ax, "y")
        boxes = sorted((t.get_window_extent(r) for t in xl), key=lambda b: b.x0)
        for b1, b2 in zip(boxes, boxes[1:]):
            if b2.x0 < b1.x1 - 0.5:
                problems.append(f"x tick labels overlap in axes '{ax.get_title()}'")
                break
    tight = fig.get_tightbbox(r).transformed(fig.dpi_scale_trans)
    for txt in texts:
        if not txt.get_visible() or not txt.get_text().strip():
            continue
        bb = txt.get_window_extent(r)
        if bb.x0 < tight.x0 - 1 or bb.x1 > tight.x1 + 1 or bb.y0 < tight.y0 - 1 or bb.y1 > tight.y1 + 1:
            problems.append(f"text '{txt.get_text()}' outside the figure")
    return problems


def save_svg(fig, path: str) -> None:
    """Writes FIG as a standalone SVG (tight box: no clipped label; no metadata)."""
    fig.savefig(path, format="svg", bbox_inches="tight", pad_inches=0.1,
                metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    plt.close(fig)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.S)
    # The DOCTYPE names a DTD on the network; an SVG needs none.
    text = re.sub(r"<!DOCTYPE[^>]*>\s*", "", text)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
