"""porsim_analysis.stats: where porsim's C summary and the Python side compute the same
figure they agree (on real outputs), and the tests give the values worked out by hand
in the docstrings."""
import json
import math
import os

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

import porsim_analysis as pa
from porsim_analysis import stats


def close(a, b, rel=1e-9, abs_=1e-9):
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b))
    return b is not None and math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


def py_km_median(time, event):
    """km_quantiles' median (statsmodels), None when not reached."""
    q = stats.km_quantiles(time, event, ps=(0.5,))["q"][0]
    return None if math.isnan(q) else float(q)


def test_run_summary_json_agrees(run_dir):
    """summary.json (C: GSL) against describe (NumPy/SciPy) and SurvfuncRight
    (statsmodels), metric by metric, from runs.csv + censored.csv."""
    r = pa.load(run_dir)
    summ = json.load(open(os.path.join(run_dir, "summary.json")))["metrics"]
    checked_km = 0
    for m, s in summ.items():
        d = stats.describe(r.values(m))
        assert d["n"] == s["n"], m
        for k in ("mean", "sd", "median", "p90", "p99", "min", "max"):
            assert close(d[k], s[k]), (m, k, d[k], s[k])
        if s["ci95"] is None:
            assert d["n"] < 2
        else:
            assert close(d["ci95"][0], s["ci95"][0], rel=1e-7)
            assert close(d["ci95"][1], s["ci95"][1], rel=1e-7)
        if not s["censorable"] or (s["n"] == 0 and s["censored"] == 0):
            continue
        t, e = r.survival(m)
        sf = stats.km(t, e)
        if s["n"]:
            # The product-limit curve: same event times and S, point by point.
            ct = np.array(s["km_curve"], float)
            events = ct[1:len(sf.surv_times) + 1]
            assert np.allclose(events[:, 0], sf.surv_times[:len(events)])
            assert np.allclose(events[:, 1], sf.surv_prob[:len(events)])
        want = py_km_median(t, e) if s["n"] else None
        assert close(want, s["km_median"]), (m, want, s["km_median"])
        assert s["km_median_reached"] == (s["km_median"] is not None)
        checked_km += 1
    assert checked_km >= 2
    assert summ["mint_block"]["censored"] > 0


def test_sweep_summary_csv_agrees(sweep_dir):
    """summary.csv per point (C, recomputed from the text by merge.c) against the Python
    figures of that point."""
    sw = pa.load(sweep_dir)
    n = 0
    for _, s in sw.summary.iterrows():
        r = sw.run_at(int(s["point"]))
        d = stats.describe(r.values(s["metric"]))
        assert d["n"] == s["n"]
        for k, c in (("mean", "mean"), ("sd", "sd"), ("median", "median"), ("p90", "p90")):
            assert close(d[k], float(s[c])), (s["point"], s["metric"], k)
        assert close(d["ci95"][0], float(s["ci_lo"]), rel=1e-7)
        if sw.metrics[s["metric"]].censorable and (s["n"] or s["censored"]):
            want = py_km_median(*r.survival(s["metric"])) if s["n"] else None
            got = None if math.isnan(s["km_median"]) else float(s["km_median"])
            assert close(want, got), (s["point"], s["metric"])
        n += 1
    assert n == 4 * len(sw.metrics)


def test_mann_whitney_by_hand(mw_dirs):
    """tests/analysis/mw-a, mw-b (one censored cell in A is left out):
    feed_detect A = {1, 2, 2, 5, 7}, B = {2, 3, 5, 8, 9, 10}. Pooled mid-ranks: 1 -> 1,
    the three 2s -> 3, 3 -> 5, the two 5s -> 6.5, 7 -> 8, 8, 9, 10 -> 9, 10, 11.
    R_A = 21.5, U_A = 21.5 - 15 = 6.5, mean 15; ties 3^3-3 + 2^3-2 = 30, so var =
    5*6/12 * (12 - 30/110) = 29.31818, z = (|6.5 - 15| - 0.5)/sqrt(var) = 1.477480,
    p = erfc(z/sqrt 2) = 0.139547. mint_block A = {10, 30, 40, 50, 60}, B = {15, ..., 65}:
    U_A = 14, var = 30, z = 0.5/sqrt(30), p = 0.927264. unbacked_minted A = {0,5,0,0,7,0},
    B = six 0s: U_A = 24, var = 36/12 * (13 - 990/132) = 16.5, z = 5.5/sqrt(16.5),
    p = 0.175734."""
    a, b = (pa.load(d) for d in mw_dirs)
    for m, u, p in (("feed_detect", 6.5, 0.139547), ("mint_block", 14, 0.927264),
                    ("unbacked_minted", 24, 0.175734)):
        r = stats.mann_whitney(a.values(m), b.values(m))
        assert r.statistic == u, m
        assert r.p == pytest.approx(p, abs=1e-5), m
    r = stats.mann_whitney(b.values("feed_detect"), a.values("feed_detect"))
    assert r.statistic == 30 - 6.5 and r.p == pytest.approx(0.139547, abs=1e-5)
    r = stats.mann_whitney(a.values("mint_block"), a.values("mint_block"))
    assert r.statistic == 12.5 and r.p == 1


def test_welch_by_hand(mw_dirs):
    """feed_detect A = {1,2,2,5,7}: mean 3.4, s^2 = 25.2/4 = 6.3; B = {2,3,5,8,9,10}:
    mean 37/6, s^2 = 54.8333/5 = 10.96667. se^2 = 6.3/5 + 10.96667/6 = 3.087778,
    Welch-Satterthwaite df = se^4 / ((1.26^2)/4 + (1.827778^2)/5) = 8.9520;
    CI = diff -+ t(0.975, df) se."""
    a, b = (pa.load(d) for d in mw_dirs)
    w = stats.welch(a.values("feed_detect"), b.values("feed_detect"))
    se = math.sqrt(3.087778)
    assert w.diff == pytest.approx(3.4 - 37 / 6)
    assert w.df == pytest.approx(8.9520, abs=1e-3)
    half = sps.t.ppf(0.975, 8.9520) * se
    assert w.lo == pytest.approx(w.diff - half, abs=1e-3)
    assert w.hi == pytest.approx(w.diff + half, abs=1e-3)
    assert w.p == pytest.approx(2 * sps.t.sf(abs(w.diff) / se, 8.9520), abs=1e-4)


def test_logrank_by_hand_and_uses_censored():
    """A = events at 1, 2; B = events at 3, 4. At t=1: 4 at risk (2 of A), E_A = 1/2,
    V = 2*2*1*3/(16*3) = 1/4; t=2: 3 at risk (1 of A), E_A = 1/3, V = 2/9; later times
    have no A at risk. O_A - E_A = 2 - 5/6 = 7/6, chi2 = (7/6)^2 / (17/36) = 49/17 =
    2.882353, p = P(chi2_1 > 2.882353) = 0.089555. Censoring B's 4 at +infinity keeps
    the same risk sets until t=3, so the same statistic; dropping it changes it."""
    r = stats.logrank([1, 2], [True, True], [3, 4], [True, True])
    assert r.statistic == pytest.approx(49 / 17)
    assert r.p == pytest.approx(0.089555, abs=1e-6)
    r2 = stats.logrank([1, 2], [True, True], [3, np.inf], [True, False])
    assert r2.statistic == pytest.approx(49 / 17)
    r3 = stats.logrank([1, 2], [True, True], [3], [True])
    assert r3.statistic != pytest.approx(49 / 17)


def test_km_quantiles_with_ci():
    """Uncensored 1..10: S falls by 0.1 at each time. porsim's rule (the first t with
    S(t) <= 1 - p) gives the median 5 (S(5) = 0.5 exactly) and p90 9 (S(9) = 0.1), where
    SAS's strict rule would give 6 and 10; a CI brackets each."""
    t = np.arange(1, 11, dtype=float)
    q = stats.km_quantiles(t, np.ones(10, bool), ps=(0.5, 0.9))
    assert list(q["q"]) == [5, 9]
    assert q["lo"][0] <= 5 <= q["hi"][0]
    # Uncensored 1, 2, 3, 4 (FORMATS.md's example): km_median 2.
    assert stats.km_quantiles([1, 2, 3, 4.0], [True] * 4, ps=(0.5,))["q"][0] == 2
    # All censored after the first event: the median is not reached.
    q = stats.km_quantiles([1, 5, 5, 5], [True, False, False, False], ps=(0.5,))
    assert math.isnan(q["q"][0])


def test_paired_same_streams(sweep_dir):
    """Two points of one sweep with the same seed pair replication by replication; the
    paired difference is the mean of the per-replication differences."""
    sw = pa.load(sweep_dir)
    a, b = sw.run_at(0), sw.run_at(2)
    ja = a.runs[["replication", "rounds"]].merge(b.runs[["replication", "rounds"]],
                                                 on="replication")
    pr = stats.paired(ja["rounds_x"].to_numpy(), ja["rounds_y"].to_numpy())
    assert pr.n == 6
    assert pr.diff == pytest.approx((ja["rounds_x"] - ja["rounds_y"]).mean())
