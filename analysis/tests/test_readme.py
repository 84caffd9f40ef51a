"""The README's Python example and R line, run as written on a real sweep (only the
paths are replaced: "analysis" by this checkout's, "out/grid" by the test sweep)."""
import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT


def readme_block(lang):
    text = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    m = re.search(r"<!-- tested: analysis/tests/test_readme.py[^>]*-->\n```" + lang +
                  r"\n(.*?)```", text, re.S)
    assert m, f"README has no tested ```{lang} block"
    return m.group(1)


def test_readme_python_example(sweep_dir, tmp_path):
    code = readme_block("python")
    assert len(code.strip().splitlines()) <= 8, "a few lines"
    code = code.replace('"analysis"', repr(os.path.join(ROOT, "analysis")))
    code = code.replace('"out/grid"', repr(sweep_dir))
    r = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr
    svg = (tmp_path / "effect_feed_detect.svg").read_text()
    assert "<svg" in svg and "feed.ocr.delta_round (s)" in svg
    assert "feed.ocr.delta_round_si" in r.stdout  # the groupby's index name
    assert "lo" in r.stdout and "hi" in r.stdout  # the quantile table


@pytest.mark.skipif(shutil.which("Rscript") is None,
                    reason="Rscript is not installed (Debian: r-base-core)")
def test_readme_r_line(sweep_dir):
    line = readme_block("r").strip().replace("out/grid", sweep_dir)
    r = subprocess.run(["Rscript", "-e", line + "\ncat(nrow(runs), "
                        "is.numeric(runs$feed.ocr.delta_round_si), '\\n')"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["24", "TRUE"]
