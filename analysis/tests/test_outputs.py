"""porsim's output directories (format 2, sim/stats/FORMATS.md) as a data scientist
loads them: the data dictionary covers every column, censoring is explicit, the
effective scenario reruns to the same results, swept parameters have SI columns, the
format version is recorded, new files keep the -j byte identity, and R's read.csv
reads every CSV unchanged."""
import csv
import io
import json
import os
import re
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest

from conftest import FAST, GRID, sh

import porsim_analysis as pa


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def header(path):
    with open(path, newline="", encoding="utf-8") as f:
        return next(csv.reader(f))


def dictionary(d):
    return pd.read_csv(os.path.join(d, "columns.csv"), dtype=str, keep_default_na=False)


@pytest.mark.parametrize("which", ["run", "sweep"])
def test_columns_csv_lists_every_column_in_order(which, run_dir, sweep_dir):
    """Every column of every CSV of the directory has exactly one line in columns.csv,
    in file order; kinds and units are filled where the rule in FORMATS.md says."""
    d = run_dir if which == "run" else sweep_dir
    cols = dictionary(d)
    assert list(cols.columns) == ["file", "column", "kind", "unit", "censorable", "description"]
    files = ["runs.csv", "censored.csv"] if which == "run" else \
        ["points.csv", "runs.csv", "censored.csv", "summary.csv"]
    assert sorted(set(cols["file"])) == sorted(files)
    for f in files:
        assert list(cols.loc[cols["file"] == f, "column"]) == header(os.path.join(d, f)), f
    runs = cols[cols["file"] == "runs.csv"]
    dur = runs[runs["kind"] == "duration"]
    assert len(dur) and (dur["unit"] == "s").all()
    assert set(runs["kind"]) <= {"index", "text", "duration", "amount", "count", "ratio"}
    assert (cols["description"] != "").all()
    # censorable agrees with summary.json (the C side's own record) for a run.
    if which == "run":
        summ = json.loads(read(os.path.join(d, "summary.json")))["metrics"]
        for _, r in runs[runs["kind"] != "index"].iterrows():
            assert (r["censorable"] == "true") == summ[r["column"]]["censorable"], r["column"]


def test_run_censored_csv_tells_censored_from_absent(run_dir):
    """censored.csv lists exactly the censored cells: their runs.csv cells are empty, and
    per metric its count is summary.json's "censored"; the other empty cells are the
    "missing" ones."""
    runs = pd.read_csv(os.path.join(run_dir, "runs.csv"))
    cens = pd.read_csv(os.path.join(run_dir, "censored.csv"))
    assert list(cens.columns) == ["replication", "metric", "censored_at"]
    summ = json.loads(read(os.path.join(run_dir, "summary.json")))["metrics"]
    assert summ["mint_block"]["censored"] > 0, "the fixture should censor mint_block"
    for m, s in summ.items():
        mine = cens[cens["metric"] == m]
        assert len(mine) == s["censored"], m
        empty = runs[m].isna()
        assert empty[runs["replication"].isin(mine["replication"])].all(), m
        assert int(empty.sum()) - len(mine) == s["missing"], m
    # The horizon is 70 min and the onset 1 h: a censored detection is censored at 10 min.
    mb = cens[cens["metric"] == "mint_block"]["censored_at"]
    assert np.allclose(mb, 600.0)


def test_scenario_json_reruns_to_the_same_results(porsim, run_dir, tmp_path):
    """scenario.json is the scenario after --set: run again from another folder, it has
    the recorded hash and gives the same runs.csv bytes."""
    meta = json.loads(read(os.path.join(run_dir, "meta.json")))
    assert meta["format_version"] == 2
    sh(porsim, "run", os.path.join(run_dir, "scenario.json"), "-q", "-o", tmp_path / "again",
       cwd=tmp_path)
    again = json.loads(read(tmp_path / "again" / "meta.json"))
    assert again["scenario_hash"] == meta["scenario_hash"]
    assert read(tmp_path / "again" / "runs.csv") == read(os.path.join(run_dir, "runs.csv"))
    scen = json.loads(read(os.path.join(run_dir, "scenario.json")))
    assert scen["duration"] == "70m" and scen["replications"] == 20


def test_scenarios_jsonl_one_per_point_reruns(porsim, sweep_dir, tmp_path):
    """scenarios.jsonl holds each point's effective scenario (base --set and the point's
    values); running point 3's gives the rows of point 3 in the sweep's runs.csv."""
    lines = read(os.path.join(sweep_dir, "scenarios.jsonl")).splitlines()
    pts = pd.read_csv(os.path.join(sweep_dir, "points.csv"), dtype=str)
    assert len(lines) == len(pts)
    for k, line in enumerate(lines):
        o = json.loads(line)
        assert o["point"] == k and o["scenario_hash"] == pts["scenario_hash"][k]
    o = json.loads(lines[3])
    assert o["scenario"]["feed"]["ocr"]["delta_round"] == "20s"
    path = tmp_path / "p3.json"
    path.write_text(json.dumps(o["scenario"]))
    sh(porsim, "run", path, "-q", "-o", tmp_path / "p3")
    meta = json.loads(read(tmp_path / "p3" / "meta.json"))
    assert meta["scenario_hash"] == o["scenario_hash"]
    mine = read(tmp_path / "p3" / "runs.csv").splitlines()[1:]
    sweep_rows = [ln.split(",", 3)[3] for ln in read(os.path.join(sweep_dir, "runs.csv")).splitlines()
                  if ln.startswith("3,")]
    assert mine == sweep_rows


def si_seconds(text):
    """The duration grammar of scenarios/SCHEMA.md (number + unit, summed), in seconds."""
    unit = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "min": 60, "h": 3600,
            "d": 86400, "w": 604800}
    return sum(float(n) * unit[u] for n, u in re.findall(r"([0-9.]+)([a-z]+)", text))


def test_points_si_columns(sweep_dir, porsim, tmp_path):
    """Each swept parameter has a <param>_si column in points.csv: durations in seconds,
    percentages as ratios, plain numbers as themselves, anything else empty."""
    pts = pd.read_csv(os.path.join(sweep_dir, "points.csv"), dtype=str)
    for q in ["feed.ocr.delta_round", "custodians[0].attestation.every"]:
        si = pd.to_numeric(pts[q + "_si"])
        assert np.allclose(si, [si_seconds(v) for v in pts[q]])
    sh(porsim, "sweep", *FAST, "--param", "feed.ocr.deviation=0.5%,2%", "--param",
       "feed.ocr.f=1", "--param", "feed.ocr.schedule=[1,1,2]", "-r", "1", "-q", "-o",
       tmp_path / "mixed")
    m = pd.read_csv(tmp_path / "mixed" / "points.csv", dtype=str, keep_default_na=False)
    assert list(m["feed.ocr.deviation_si"]) == ["0.005", "0.02"]
    assert list(m["feed.ocr.f_si"]) == ["1", "1"]
    assert list(m["feed.ocr.schedule_si"]) == ["", ""]
    cols = dictionary(tmp_path / "mixed").set_index("column")
    assert cols.loc["feed.ocr.deviation_si", "unit"] == "ratio"
    assert cols.loc["feed.ocr.schedule_si", "unit"] == ""


def test_new_files_same_bytes_for_any_j(porsim, tmp_path):
    """censored.csv, columns.csv and scenario.json, like runs.csv, do not depend on -j."""
    for j in ("1", "2"):
        sh(porsim, "run", *FAST, "-r", "6", "-j", j, "-q", "-o", tmp_path / f"j{j}")
    for f in ("runs.csv", "summary.json", "censored.csv", "columns.csv", "scenario.json"):
        assert read(tmp_path / "j1" / f) == read(tmp_path / "j2" / f), f


def test_loaders_are_typed(run_dir, sweep_dir):
    """Loaders return float metrics, int indexes, parameters as categoricals in grid
    order (not alphabetical) and numeric SI columns beside them."""
    r = pa.load(run_dir)
    assert r.runs["replication"].dtype == "int64"
    assert r.runs["feed_detect"].dtype == "float64"
    assert r.metrics["feed_detect"].unit == "s" and r.metrics["feed_detect"].censorable
    t, e = r.survival("mint_block")
    assert len(t) == 20 and (~e).sum() == len(r.censored[r.censored["metric"] == "mint_block"])
    sw = pa.load(sweep_dir)
    assert sw.params == ["feed.ocr.delta_round", "custodians[0].attestation.every"]
    every = sw.runs["custodians[0].attestation.every"]
    assert isinstance(every.dtype, pd.CategoricalDtype) and every.cat.ordered
    assert list(every.cat.categories) == ["10m", "1h"]
    assert sw.runs["custodians[0].attestation.every_si"].dtype == "float64"
    assert set(sw.runs["custodians[0].attestation.every_si"]) == {600.0, 3600.0}
    assert sw.summary["mean"].dtype == "float64"
    assert sw.param_label("feed.ocr.delta_round") == "feed.ocr.delta_round (s)"


def test_grid_order_not_alphabetical(porsim, tmp_path):
    """10m, 1h, 6h, 1d sort by time (the grid order), not as strings."""
    sh(porsim, "sweep", *FAST, "--param", "custodians[0].attestation.every=10m,1h,6h,1d",
       "-r", "1", "-q", "-o", tmp_path / "o")
    sw = pa.load(str(tmp_path / "o"))
    q = "custodians[0].attestation.every"
    assert list(sw.points[q].cat.categories) == ["10m", "1h", "6h", "1d"]
    assert list(sw.points.sort_values(q)[q + "_si"]) == [600, 3600, 21600, 86400]


def test_bad_directories_exit_2(tmp_path):
    from conftest import analyze
    r = analyze("summary", tmp_path, check=False)
    assert r.returncode == 2 and "neither a run directory" in r.stderr
    (tmp_path / "runs.csv").write_text("x,y\n1,2\n")
    r = analyze("summary", tmp_path, check=False)
    assert r.returncode == 2 and "runs.csv" in r.stderr


# ---- R ------------------------------------------------------------------------------

CSV_FILES_RUN = ["runs.csv", "censored.csv", "columns.csv"]
CSV_FILES_SWEEP = ["points.csv", "runs.csv", "censored.csv", "summary.csv", "columns.csv"]


def test_csv_properties_read_csv_relies_on(run_dir, sweep_dir):
    """What R's read.csv (header=TRUE, sep=",", quote="\\"", dec=".", na.strings="NA")
    needs to read these files unchanged: one header line, the same number of fields on
    every line (RFC 4180 quoting), '.' decimals, no "NA" text where a value should be
    (an empty cell is NA), unique header names, UTF-8, lines ending in \\n."""
    for d, files in ((run_dir, CSV_FILES_RUN), (sweep_dir, CSV_FILES_SWEEP)):
        for f in files:
            raw = open(os.path.join(d, f), "rb").read()
            raw.decode("utf-8")
            assert raw.endswith(b"\n") and b"\r" not in raw, f
            rows = list(csv.reader(io.StringIO(raw.decode())))
            assert len(set(rows[0])) == len(rows[0]), f
            assert all(len(r) == len(rows[0]) for r in rows), f
            for r in rows[1:]:
                for cell in r:
                    assert cell != "NA", f
                    if re.fullmatch(r"-?[0-9][0-9,]*", cell):
                        assert "," not in cell, f


@pytest.mark.skipif(shutil.which("Rscript") is None,
                    reason="Rscript is not installed (Debian: r-base-core); the CSV "
                           "properties read.csv relies on are checked above")
def test_r_read_csv(run_dir, sweep_dir):
    """The README's R line, run by R: read.csv reads every file unchanged, metrics are
    numeric, and merging runs with points gives each run its SI parameter columns."""
    script = f"""
runs <- read.csv("{run_dir}/runs.csv")
stopifnot(nrow(runs) == 20, is.numeric(runs$feed_detect), is.numeric(runs$mint_block))
cens <- read.csv("{run_dir}/censored.csv")
stopifnot(all(cens$metric %in% names(runs)))
cols <- read.csv("{run_dir}/columns.csv")
stopifnot(cols$unit[cols$column == "feed_detect"] == "s")
sw <- merge(read.csv("{sweep_dir}/runs.csv"), read.csv("{sweep_dir}/points.csv"))
stopifnot(nrow(sw) == 24, is.numeric(sw$feed.ocr.delta_round_si),
          is.numeric(sw$feed_detect))
s <- read.csv("{sweep_dir}/summary.csv")
stopifnot(is.numeric(s$mean), nrow(s) > 0)
cat("R ok\\n")
"""
    r = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True)
    assert r.returncode == 0 and "R ok" in r.stdout, r.stderr
