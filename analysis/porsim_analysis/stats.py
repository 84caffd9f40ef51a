"""Statistics for porsim outputs, each a thin wrapper over statsmodels or SciPy (no
hand-written estimators or tests):

- km: Kaplan-Meier product-limit estimate (statsmodels SurvfuncRight);
- km_quantiles: its quantiles with confidence intervals (SurvfuncRight.quantile_ci,
  Brookmeyer-Crowley with the cloglog transform);
- logrank: two-sample log-rank test that uses censored runs (statsmodels survdiff);
- welch: difference of means with Welch's t interval (statsmodels CompareMeans);
- mann_whitney: Mann-Whitney U, two-sided, normal approximation with tie and
  continuity correction (SciPy mannwhitneyu);
- paired: for sweep points that share random streams (same seed, same replication
  index), paired t (SciPy ttest_rel) and Wilcoxon signed-rank (SciPy wilcoxon);
- describe: the descriptive figures of summary.json (n, mean, sd, Student t 95% CI,
  type-7 quantiles, min, max) from NumPy and SciPy, used to cross-check porsim's C.

Censoring at +infinity (a censored cell without a time) is passed to statsmodels as a
censoring time after every event, which gives the same estimate (FORMATS.md).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as sps
from statsmodels.duration.survfunc import SurvfuncRight, survdiff
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW


def _finite_censoring(times: np.ndarray, *more: np.ndarray) -> float:
    """A time after every finite time given (for censoring at +infinity)."""
    allt = np.concatenate([times, *more]) if more else times
    fin = allt[np.isfinite(allt)]
    return float(fin.max()) * 2 + 1 if len(fin) else 1.0


def km(time: np.ndarray, event: np.ndarray) -> SurvfuncRight | None:
    """Kaplan-Meier estimate of (time, event) (event True = observed), or None with no
    data."""
    time = np.asarray(time, dtype=float)
    event = np.asarray(event, dtype=bool)
    if not len(time):
        return None
    t = np.where(np.isfinite(time), time, _finite_censoring(time))
    return SurvfuncRight(t, event.astype(int))


def km_curve(time: np.ndarray, event: np.ndarray) -> pd.DataFrame:
    """The step function as (t, S) rows starting at (0, 1), one row per event time."""
    sf = km(time, event)
    if sf is None:
        return pd.DataFrame({"t": [0.0], "S": [1.0]})
    return pd.DataFrame({"t": np.r_[0.0, sf.surv_times], "S": np.r_[1.0, sf.surv_prob]})


# statsmodels' quantile is the first event time with S(t) < 1 - p (SAS's rule); porsim's
# C summary (km_median, FORMATS.md) takes the first with S(t) <= 1 - p. Asking statsmodels
# for p minus this tolerance gives porsim's rule, so both sides report the same figure
# on a plateau at exactly 1 - p (frequent with an even number of runs).
_AT_OR_BELOW = 1e-9


def km_quantiles(time, event, ps=(0.5, 0.9, 0.99), alpha: float = 0.05) -> pd.DataFrame:
    """Quantiles of the time-to-event distribution with (1 - ALPHA) confidence
    intervals (statsmodels quantile_ci): columns p, q, lo, hi (NaN: not reached within
    the data, or no bound). q is the first event time with S(t) <= 1 - p, as porsim's
    km_median."""
    sf = km(time, event)
    rows = []
    for p in ps:
        if sf is None:
            rows.append((p, np.nan, np.nan, np.nan))
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lo, hi = sf.quantile_ci(p, alpha=alpha)
        rows.append((p, float(sf.quantile(p - _AT_OR_BELOW)), float(lo), float(hi)))
    return pd.DataFrame(rows, columns=["p", "q", "lo", "hi"])


@dataclass
class TestResult:
    statistic: float
    p: float
    name: str


def logrank(t1, e1, t2, e2) -> TestResult:
    """Log-rank test of two censored samples (chi-square with 1 df)."""
    t1, t2 = np.asarray(t1, float), np.asarray(t2, float)
    big = _finite_censoring(t1, t2)
    time = np.r_[np.where(np.isfinite(t1), t1, big), np.where(np.isfinite(t2), t2, big)]
    status = np.r_[np.asarray(e1, bool), np.asarray(e2, bool)].astype(int)
    group = np.r_[np.zeros(len(t1)), np.ones(len(t2))]
    if len(t1) == 0 or len(t2) == 0 or status.sum() == 0:
        return TestResult(np.nan, np.nan, "log-rank")
    try:
        with np.errstate(all="ignore"):
            chi2, p = survdiff(time, status, group)
    except np.linalg.LinAlgError:  # zero variance: every event time tied across groups
        return TestResult(np.nan, np.nan, "log-rank")
    return TestResult(float(chi2), float(p), "log-rank")


@dataclass
class Welch:
    mean_a: float
    mean_b: float
    diff: float
    lo: float
    hi: float
    df: float
    p: float


def welch(a, b, alpha: float = 0.05) -> Welch:
    """Mean of A minus mean of B with Welch's t confidence interval and two-sided p."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    ma = float(np.mean(a)) if len(a) else np.nan
    mb = float(np.mean(b)) if len(b) else np.nan
    if len(a) < 2 or len(b) < 2:
        return Welch(ma, mb, ma - mb, np.nan, np.nan, np.nan, np.nan)
    cm = CompareMeans(DescrStatsW(a), DescrStatsW(b))
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        _, p, df = cm.ttest_ind(usevar="unequal")
        lo, hi = cm.tconfint_diff(alpha=alpha, usevar="unequal")
    return Welch(ma, mb, ma - mb, float(lo), float(hi), float(df), float(p))


def mann_whitney(a, b) -> TestResult:
    """Mann-Whitney U of A (two-sided, asymptotic, tie and continuity corrected)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    if not len(a) or not len(b):
        return TestResult(np.nan, np.nan, "Mann-Whitney")
    if np.all(np.r_[a, b] == a[0]):  # all tied: no evidence either way
        return TestResult(len(a) * len(b) / 2, 1.0, "Mann-Whitney")
    r = sps.mannwhitneyu(a, b, alternative="two-sided", method="asymptotic",
                         use_continuity=True)
    return TestResult(float(r.statistic), float(r.pvalue), "Mann-Whitney")


@dataclass
class Paired:
    n: int
    diff: float
    lo: float
    hi: float
    p_t: float
    p_wilcoxon: float


def paired(a, b, alpha: float = 0.05) -> Paired:
    """A and B aligned pair by pair (same replication): mean difference with the paired
    t interval, the paired t p and the Wilcoxon signed-rank p."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    n = len(a)
    d = a - b
    if n < 2:
        return Paired(n, float(d.mean()) if n else np.nan, np.nan, np.nan, np.nan, np.nan)
    if np.all(d == d[0]):
        return Paired(n, float(d[0]), float(d[0]), float(d[0]), np.nan if d[0] else 1.0,
                      np.nan if d[0] else 1.0)
    r = sps.ttest_rel(a, b)
    ci = r.confidence_interval(confidence_level=1 - alpha)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # small-sample and zero-difference notices
            pw = float(sps.wilcoxon(a, b).pvalue)
    except ValueError:
        pw = np.nan
    return Paired(n, float(d.mean()), float(ci.low), float(ci.high), float(r.pvalue), pw)


def describe(values) -> dict:
    """n, mean, sd, ci95, median, p90, p99, min, max of the observations, with the
    definitions of summary.json (sd with n-1; CI mean +- t(0.975, n-1) sd / sqrt(n);
    type-7 quantiles, NumPy's default "linear" method)."""
    v = np.asarray(values, float)
    v = v[np.isfinite(v)]
    n = len(v)
    out = {"n": n, "mean": np.nan, "sd": np.nan, "ci95": (np.nan, np.nan),
           "median": np.nan, "p90": np.nan, "p99": np.nan, "min": np.nan, "max": np.nan}
    if n == 0:
        return out
    out.update(mean=float(v.mean()), median=float(np.quantile(v, 0.5)),
               p90=float(np.quantile(v, 0.9)), p99=float(np.quantile(v, 0.99)),
               min=float(v.min()), max=float(v.max()))
    if n >= 2:
        sd = float(v.std(ddof=1))
        out["sd"] = sd
        if sd > 0:
            lo, hi = sps.t.interval(0.95, n - 1, loc=out["mean"], scale=sd / np.sqrt(n))
        else:
            lo = hi = out["mean"]
        out["ci95"] = (float(lo), float(hi))
    return out
