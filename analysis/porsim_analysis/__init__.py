"""porsim_analysis: load porsim's output directories into pandas and analyse them.

    import porsim_analysis as pa
    sw = pa.load("out/grid")              # a run or a sweep directory
    sw.runs                               # one row per (point,) replication, typed
    pa.km(*sw.survival("feed_detect", point=0)).quantile(0.5)

Modules: loaders (typed DataFrames from runs.csv, censored.csv, points.csv, summary.*,
columns.csv), stats (Kaplan-Meier, log-rank, Welch, Mann-Whitney, paired tests: thin
wrappers over statsmodels and SciPy), plots (matplotlib figures), figures (which
figures a run or sweep gets), tables, report (one HTML page), cli (the porsim-analyze
command). Formats: sim/stats/FORMATS.md. The names below are imported on first use, so
that `porsim-analyze --help` does not load pandas.
"""
import importlib

_EXPORTS = {"Run": "loaders", "Sweep": "loaders", "Metric": "loaders", "load": "loaders",
            "load_run": "loaders", "load_sweep": "loaders", "LoadError": "errors", "km": "stats",
            "km_quantiles": "stats", "logrank": "stats", "welch": "stats",
            "mann_whitney": "stats", "paired": "stats", "describe": "stats"}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
