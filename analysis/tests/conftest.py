"""Shared fixtures: real porsim outputs of small runs, made once per session.

PORSIM names the porsim binary (ctest sets it); without it build/sim/porsim of this
checkout is used. Runs use the default scenario cut to a short horizon (reserves drop at
1 h), so one replication takes a few milliseconds; the horizon of 70 min censors the
slower Secure Mint refusals (mint_block), so censoring is exercised for real."""
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "analysis"))

ANALYZE = os.path.join(ROOT, "analysis", "porsim-analyze")
# Horizon 70 min, shortfall at 1 h: feed_detect is seen within seconds, mint_block is
# censored in the runs where the first refused mint comes after 10 min.
FAST = ["--set", "duration=70m", "--set", "custodians[0].reserve.steps[0].at=1h"]
GRID = ["--param", "feed.ocr.delta_round=5s,20s",
        "--param", "custodians[0].attestation.every=10m,1h"]


def porsim_path():
    p = os.environ.get("PORSIM") or os.path.join(ROOT, "build", "sim", "porsim")
    if not os.access(p, os.X_OK):
        pytest.fail(f"porsim binary not found at {p} (set PORSIM)")
    return p


@pytest.fixture(scope="session")
def porsim():
    return porsim_path()


def sh(*args, cwd=None, env=None, check=True):
    """Runs ARGS; returns the CompletedProcess (stdout+stderr text)."""
    e = dict(os.environ)
    e.setdefault("PORSIM", porsim_path())
    if env:
        e.update(env)
    r = subprocess.run([str(a) for a in args], capture_output=True, text=True, cwd=cwd, env=e)
    if check and r.returncode != 0:
        raise AssertionError(f"{args} exited {r.returncode}:\n{r.stdout}\n{r.stderr}")
    return r


def analyze(*args, **kw):
    return sh(sys.executable, ANALYZE, *args, **kw)


@pytest.fixture(scope="session")
def outdir(tmp_path_factory):
    return tmp_path_factory.mktemp("porsim-out")


@pytest.fixture(scope="session")
def run_dir(porsim, outdir):
    d = outdir / "run"
    print(f"porsim run seed 42 (default), -r 20, into {d}")
    sh(porsim, "run", *FAST, "-r", "20", "-q", "-o", d)
    return str(d)


@pytest.fixture(scope="session")
def sweep_dir(porsim, outdir):
    d = outdir / "sweep"
    print(f"porsim sweep seed 42 (default), 2x2 points, -r 6, into {d}")
    sh(porsim, "sweep", *FAST, *GRID, "-r", "6", "-q", "-o", d)
    return str(d)


@pytest.fixture(scope="session")
def wide_sweep_dir(porsim, outdir):
    """13 points: more series than one axes shows (small multiples)."""
    d = outdir / "wide"
    vals = ",".join(f"{k}s" for k in range(2, 15))  # delta_round > delta_grace (1s)
    sh(porsim, "sweep", *FAST, "--param", f"feed.ocr.delta_round={vals}", "-r", "2", "-q",
       "-o", d)
    return str(d)


@pytest.fixture(scope="session")
def mw_dirs():
    base = os.path.join(ROOT, "tests", "analysis")
    return os.path.join(base, "mw-a"), os.path.join(base, "mw-b")
