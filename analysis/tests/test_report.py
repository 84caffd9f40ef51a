"""The HTML report: one self-contained page (no script, no external file, no network
reference, unique ids), the unit on every table row, one figure per metric and kind;
and, in headless Chromium, no clipped label and no empty plot (a test-only script in a
copy of the page measures every figure), with a screenshot that is a real page."""
import html as html_mod
import os
import re
import shutil
import subprocess
import tempfile

import numpy as np
import pytest

from conftest import analyze

import porsim_analysis as pa
from porsim_analysis import tables as pa_tables


def count(s, needle):
    return s.count(needle)


def assert_self_contained(html):
    assert html.startswith("<!DOCTYPE html>")
    assert count(html, "</html>") == 1
    assert count(html, "<svg") == count(html, "</svg>")
    assert count(html, "<table") == count(html, "</table>")
    assert count(html, "<figure") == count(html, "</figure>")
    for bad in ("<script", "<link", "src=", "<?xml", "@import", "<!DOCTYPE svg"):
        assert bad not in html, bad
    for m in re.finditer(r"http[^\"' ]*", html):
        assert m.group(0) in ("http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"), \
            m.group(0)
    ids = re.findall(r'\bid="([^"]+)"', html) + re.findall(r"\bid='([^']+)'", html)
    assert len(ids) == len(set(ids)), "duplicate ids"
    for ref in re.findall(r"url\(#([^)]+)\)", html) + re.findall(r'href="#([^"]+)"', html):
        assert ref in ids, ref


@pytest.fixture(scope="module")
def run_report(run_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("rep") / "run.html"
    analyze("report", run_dir, "-o", out)
    return str(out)


@pytest.fixture(scope="module")
def sweep_report(sweep_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("rep") / "sweep.html"
    analyze("report", sweep_dir, "-o", out)
    return str(out)


def test_run_report(run_report, run_dir):
    html = open(run_report).read()
    assert_self_contained(html)
    meta = pa.load(run_dir).meta
    assert (f"<title>porsim report: {meta['scenario_name']} (hash {meta['scenario_hash']}, "
            f"seed {meta['seed']})</title>") in html
    # One figure per metric (KM for the censorable ones, ECDF otherwise) and the series.
    for fid in ("km_feed_detect", "km_mint_block", "ecdf_unbacked_minted", "series"):
        assert f"<figure id='{fid}'>" in html, fid
    # Units per row: the unit cell follows the metric name on each summary row.
    for m, units in (("feed_detect", ("ms", "s", "min")), ("unbacked_minted", ("token",))):
        row = re.search(rf"<tr><td><code>{m}</code></td><td>([^<]*)</td>", html)
        assert row and row.group(1) in units, m


def test_sweep_report(sweep_report, sweep_dir):
    html = open(sweep_report).read()
    assert_self_contained(html)
    sw = pa.load(sweep_dir)
    assert "<title>porsim report: default-fiat-stablecoin (sweep of 4 points, seed 42)" in html
    for h in sw.points["scenario_hash"]:
        assert h in html
    for fid in ("km_feed_detect", "effect_feed_detect", "heatmap_feed_detect", "km_mint_block",
                "ecdf_unbacked_minted"):
        assert f"<figure id='{fid}'>" in html, fid
    # No histogram anywhere: distributions are KM curves or ECDFs.
    assert "hist" not in html.lower()


UNIT_SECONDS = {"ms": 1e-3, "s": 1.0, "min": 60.0, "h": 3600.0, "d": 86400.0}
KM_HEADS = ["KM p50 [95% CI]", "KM p90 [95% CI]", "KM p99 [95% CI]"]


def html_tables(html):
    """Each <table> of the page as (header cells, rows of cell texts), tags stripped."""
    out = []
    for t in re.findall(r"<table>(.*?)</table>", html, flags=re.S):
        head = [html_mod.unescape(h) for h in re.findall(r"<th>(.*?)</th>", t)]
        rows = [[html_mod.unescape(re.sub(r"<[^>]+>", "", c))
                 for c in re.findall(r"<td[^>]*>(.*?)</td>", r)]
                for r in re.findall(r"<tr>(.*?)</tr>", t, flags=re.S) if "<td" in r]
        out.append((head, rows))
    return out


def expected_km(est, lo, hi, unit):
    """The cell porsim's Kaplan-Meier quantile should get (FORMATS.md): the estimate and
    its 95% CI in the row's unit, "beyond horizon" for +inf (never reached)."""
    div = UNIT_SECONDS.get(unit, 1.0)
    one = lambda v: "beyond horizon" if v == np.inf else pa_tables.fmt(v / div)  # noqa: E731
    return f"{one(est)} [{one(lo)}, {one(hi)}]"


def test_km_quantile_cells_beyond_horizon():
    """summary.json writes a quantile the Kaplan-Meier curve never fell to as a null
    estimate with beyond_horizon true, and a CI limit past the horizon as null
    (sim/stats/FORMATS.md, its km_p90 example): the report says "beyond horizon" there
    and "-" for a metric without the field (not censorable)."""
    km = pa_tables.km_from_summary_json({
        "km_p50": {"estimate": 12.5, "ci95": [12.5, None], "beyond_horizon": False},
        "km_p90": {"estimate": None, "ci95": [12.5, None], "beyond_horizon": True},
        "km_p99": {"estimate": None, "ci95": [None, None], "beyond_horizon": False}})
    row = dict(km)
    assert pa_tables.km_q_text(row, "p50") == "12.5 [12.5, beyond horizon]"
    assert pa_tables.km_q_text(row, "p90") == "beyond horizon [12.5, beyond horizon]"
    assert pa_tables.km_q_text(row, "p99") == "-"  # no runs: undefined, not beyond
    none = pa_tables.km_from_summary_json(None)
    assert [pa_tables.km_q_text(none, q) for q in ("p50", "p90", "p99")] == ["-"] * 3


def test_run_report_km_quantiles(run_report, run_dir):
    """The run report's summary table shows porsim's own Kaplan-Meier p50/p90/p99 with
    their CI (summary.json), censored runs counted, next to the observed median and p90,
    which are labelled "(obs)"; non-censorable metrics get "-"."""
    html = open(run_report).read()
    summary = pa.load(run_dir).summary["metrics"]
    head, rows = next((h, r) for h, r in html_tables(html) if "KM p90 [95% CI]" in h)
    assert "median (obs)" in head and "p90 (obs)" in head
    idx = [head.index(k) for k in KM_HEADS]
    seen_censored = 0
    for r in rows:
        s = summary[r[0]]
        if not s.get("censorable"):
            assert [r[i] for i in idx] == ["-"] * 3, r
            continue
        seen_censored += s["censored"] > 0
        for q, i in zip(("p50", "p90", "p99"), idx):
            f = s[f"km_{q}"]
            est = np.inf if f["estimate"] is None else f["estimate"]
            lo, hi = (np.inf if v is None else v for v in f["ci95"])
            assert r[i] == expected_km(est, lo, hi, r[1]), (r[0], q, r[i])
    assert seen_censored, "the fixture's mint_block should have censored runs"


def test_sweep_report_km_quantiles(sweep_report, sweep_dir):
    """Each point's row in the sweep report shows the Kaplan-Meier p50/p90/p99 and CI
    limits of summary.csv (seconds there, inf = beyond horizon) in the row's unit."""
    html = open(sweep_report).read()
    sw = pa.load(sweep_dir)
    checked = 0
    for head, rows in html_tables(html):
        if "KM p90 [95% CI]" not in head:
            continue
        idx = [head.index(k) for k in KM_HEADS]
        unit_at = head.index("unit")
        for r in rows:
            point = int(r[0])
            # the table is per metric; find it by the row's unit and the values below
            for m in ("feed_detect", "mint_block"):
                srow = sw.summary[(sw.summary["point"] == point) & (sw.summary["metric"] == m)]
                if not len(srow):
                    continue
                srow = srow.iloc[0]
                want = [expected_km(srow[f"km_{q}"], srow[f"km_{q}_lo"], srow[f"km_{q}_hi"],
                                    r[unit_at]) for q in ("p50", "p90", "p99")]
                if [r[i] for i in idx] == want:
                    checked += 1
                    break
            else:
                assert all(r[i] == "-" for i in idx), r  # a metric that is not censorable
    # 4 points x 2 censorable metrics
    assert checked >= 8, checked


CHECK_JS = """
<script>
window.addEventListener('load', function () {
  var probs = [], vw = document.documentElement.clientWidth, figs = document.querySelectorAll('figure');
  figs.forEach(function (fig) {
    var svg = fig.querySelector('svg');
    if (!svg) { probs.push(fig.id + ': no svg'); return; }
    var sb = svg.getBoundingClientRect();
    if (sb.width < 200 || sb.height < 150) probs.push(fig.id + ': only ' + sb.width + 'x' + sb.height);
    if (sb.right > vw + 1) probs.push(fig.id + ': wider than the page');
    svg.querySelectorAll('text').forEach(function (t) {
      var b = t.getBoundingClientRect();
      if (b.width === 0 || !t.textContent.trim()) return;
      if (b.left < sb.left - 1 || b.right > sb.right + 1 || b.top < sb.top - 1 || b.bottom > sb.bottom + 1)
        probs.push(fig.id + ': text "' + t.textContent + '" clipped');
    });
    var data = svg.querySelectorAll('[id*="porsim-data-"]'), area = 0;
    data.forEach(function (d) {
      var b = d.getBoundingClientRect();
      area += Math.max(b.width, 1) * Math.max(b.height, 1);
      if (b.right < sb.left || b.left > sb.right || b.bottom < sb.top || b.top > sb.bottom)
        probs.push(fig.id + ': data outside the figure');
    });
    if (!data.length || area < 400) probs.push(fig.id + ': empty plot');
  });
  document.title = 'CHECK[' + figs.length + '] ' + (probs.length ? probs.join(' | ') : 'OK');
});
</script>
"""


def chromium():
    for c in ("chromium", "chromium-browser", "google-chrome"):
        p = shutil.which(c)
        if p:
            return p
    return None


def run_chromium(args, cwd):
    profile = tempfile.mkdtemp(prefix="porsim-chromium-")
    try:
        return subprocess.run(
            [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--hide-scrollbars", f"--user-data-dir={profile}", *args],
            capture_output=True, text=True, cwd=cwd, timeout=180)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def browser_check(report, tmp_path, width):
    html = open(report).read().replace("</body>", CHECK_JS + "</body>")
    page = tmp_path / f"checked-{width}.html"
    page.write_text(html)
    r = run_chromium([f"--window-size={width},1200", "--virtual-time-budget=10000",
                      "--dump-dom", f"file://{page}"], tmp_path)
    m = re.search(r"<title>(CHECK\[\d+\] [^<]*)</title>", r.stdout)
    assert m, f"chromium did not run the check:\n{r.stderr[-2000:]}"
    return m.group(1)


@pytest.mark.skipif(chromium() is None,
                    reason="chromium is not installed (Debian: apt-get install chromium)")
@pytest.mark.parametrize("which", ["run", "sweep"])
def test_report_in_chromium(which, run_report, sweep_report, tmp_path):
    """Laid out by Chromium at a desktop and at a narrow width: every figure is there,
    fits the page, has data drawn inside it and no text outside its box."""
    report = run_report if which == "run" else sweep_report
    nfig = open(report).read().count("<figure ")
    assert nfig >= 4
    for width in (1280, 760):
        res = browser_check(report, tmp_path, width)
        assert res == f"CHECK[{nfig}] OK", res


@pytest.mark.skipif(chromium() is None,
                    reason="chromium is not installed (Debian: apt-get install chromium)")
def test_report_screenshot(run_report, tmp_path):
    """The screenshot is a real page: a PNG of the requested size with a good share of
    non-white pixels (a blank page has none) spread over its height."""
    from matplotlib import image
    shot = tmp_path / "shot.png"
    r = run_chromium([f"--screenshot={shot}", "--window-size=1200,1600",
                      f"file://{run_report}"], tmp_path)
    assert shot.exists(), r.stderr[-2000:]
    img = image.imread(str(shot))
    assert img.shape[:2] == (1600, 1200)
    ink = (img[:, :, :3].mean(axis=2) < 0.9)
    assert ink.mean() > 0.02, ink.mean()
    bands = ink.reshape(8, 200, 1200).mean(axis=(1, 2))
    assert (bands > 0.005).sum() >= 6, bands


@pytest.mark.skipif(chromium() is None,
                    reason="chromium is not installed (Debian: apt-get install chromium)")
def test_browser_check_catches_clipping_and_empty_plots(tmp_path):
    """The check itself fails on a label cut by its figure's edge and on a figure with
    nothing plotted (so an OK above means something)."""
    svg_clipped = ("<svg xmlns='http://www.w3.org/2000/svg' width='400' height='300'>"
                   "<g id='porsim-data-1'><rect x='10' y='10' width='300' height='200'/></g>"
                   "<text x='330' y='150' font-size='20'>feed_detect (s)</text></svg>")
    svg_empty = ("<svg xmlns='http://www.w3.org/2000/svg' width='400' height='300'>"
                 "<text x='10' y='150'>nothing here</text></svg>")
    page = tmp_path / "bad.html"
    page.write_text("<!DOCTYPE html><html><head><title>x</title></head><body>"
                    f"<figure id='a'>{svg_clipped}</figure><figure id='b'>{svg_empty}</figure>"
                    "</body></html>")
    res = browser_check(str(page), tmp_path, 1000)
    assert res.startswith("CHECK[2] ")
    assert 'a: text "feed_detect (s)" clipped' in res
    assert "b: empty plot" in res
    assert "a: empty plot" not in res
